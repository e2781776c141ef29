//! CONFIG-003.

use guardline_model::{Section, Severity};

use crate::fix::{ConfigRuleSpec, FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region, the AWS-managed Config rules the seed names are deployed (matched on the
    /// managed rule's source identifier, whatever the rule's own name):
    ///
    /// - security groups open to the world: `INCOMING_SSH_DISABLED` or `RESTRICTED_INCOMING_TRAFFIC` (or
    ///   `VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS`);
    /// - public S3 buckets: `S3_BUCKET_PUBLIC_READ_PROHIBITED` and `S3_BUCKET_PUBLIC_WRITE_PROHIBITED`.
    ///
    /// Rules being deleted (`DELETING`) do not count. Rules Security Hub deploys for its standards count.
    ///
    /// ## Why it matters
    /// These rules flag, within minutes of the change, the two mistakes that most often expose an account:
    /// an admin port open to the internet and a public bucket. Guardline checks the same states (EC2-001,
    /// S3-002), but only when it runs.
    ///
    /// ## Guideline
    /// 2-3: AWS Config Rules detect situations such as "a security group allows access from every IP" and
    /// "an S3 bucket is publicly accessible".
    ///
    /// ## How to fix
    /// Deploy the managed rules in each region (AWS Config must be recording, CONFIG-001):
    ///
    /// ```sh
    /// aws configservice put-config-rule --config-rule \
    ///   '{"ConfigRuleName":"restricted-ssh","Source":{"Owner":"AWS","SourceIdentifier":"INCOMING_SSH_DISABLED"}}'
    /// aws configservice put-config-rule --config-rule \
    ///   '{"ConfigRuleName":"s3-bucket-public-read-prohibited","Source":{"Owner":"AWS","SourceIdentifier":"S3_BUCKET_PUBLIC_READ_PROHIBITED"}}'
    /// aws configservice put-config-rule --config-rule \
    ///   '{"ConfigRuleName":"s3-bucket-public-write-prohibited","Source":{"Owner":"AWS","SourceIdentifier":"S3_BUCKET_PUBLIC_WRITE_PROHIBITED"}}'
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the rules only evaluate resources and change nothing. Each evaluation is billed.
    ///
    /// ## References
    /// - AWS Config managed rules `restricted-ssh`, `restricted-common-ports`, `s3-bucket-public-read-prohibited`,
    ///   `s3-bucket-public-write-prohibited`
    /// - AWS FSBP: no control checks that Config rules exist; S3.2, S3.3 and EC2.13 run the same rules
    pub static RULE = {
        id: "CONFIG-003",
        name: "config-baseline-rules-missing",
        title: "The guideline's AWS Config rules are deployed",
        title_ja: "ガイドラインが求める AWS Config ルールが導入されている",
        section: Section::Security,
        item: "2-3",
        severity: Severity::Low,
        fix: FixAvailability::Safe,
        data: &["config:DescribeConfigRules"],
        check: check,
        plan: Some(plan),
    }
}

/// Each requirement: any one of these source identifiers meets it.
const REQUIRED: [&[&str]; 3] = [
    &["INCOMING_SSH_DISABLED", "RESTRICTED_INCOMING_TRAFFIC", "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS"],
    &["S3_BUCKET_PUBLIC_READ_PROHIBITED"],
    &["S3_BUCKET_PUBLIC_WRITE_PROHIBITED"],
];

fn check(cx: &Context<'_>, out: &mut Findings) {
    for (region, inventory) in cx.regions() {
        let resource = cx.arn("config", region, "config-rule");
        let rules = match inventory.config_rules.get() {
            Ok(rules) => rules,
            Err(error) => {
                out.not_evaluated(region, resource, error);
                continue;
            }
        };
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for any_of in REQUIRED {
            let deployed = rules.iter().find(|rule| {
                rule.owner == "AWS"
                    && rule.state != "DELETING"
                    && any_of.iter().any(|id| rule.source_identifier.eq_ignore_ascii_case(id))
            });
            match deployed {
                Some(rule) => found.push(format!("{} ({})", rule.source_identifier, rule.name)),
                None => missing.push(match any_of.split_last() {
                    Some((last, others)) if !others.is_empty() => {
                        let others = others.join(", ");
                        (format!("{others} or {last}"), format!("{others}, {last} のいずれか"))
                    }
                    _ => (any_of.join(", "), any_of.join(", ")),
                }),
            }
        }
        if missing.is_empty() {
            let found = found.join(", ");
            out.pass(
                region,
                resource,
                text!(
                    "the guideline's Config rules are deployed: {found}",
                    "ガイドラインが求める Config ルールが導入されています: {found}"
                ),
            );
        } else {
            let en: Vec<&str> = missing.iter().map(|(en, _)| en.as_str()).collect();
            let ja: Vec<&str> = missing.iter().map(|(_, ja)| ja.as_str()).collect();
            let (en, ja) = (en.join("; "), ja.join("、"));
            out.fail(
                region,
                resource,
                text!("missing AWS Config rules: {en}", "AWS Config ルールが導入されていません: {ja}"),
            );
        }
    }
}

/// The baseline rules each failing region lacks, by their first (preferred) managed source.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    const NAMES: [&str; 3] =
        ["restricted-ssh", "s3-bucket-public-read-prohibited", "s3-bucket-public-write-prohibited"];
    failing
        .iter()
        .filter_map(|finding| {
            let region = finding.region.as_str();
            let present: Vec<&str> = fix
                .cx
                .snapshot
                .regions
                .get(region)
                .and_then(|inventory| inventory.config_rules.get().ok())
                .map(|rules| rules.iter().map(|rule| rule.source_identifier.as_str()).collect())
                .unwrap_or_default();
            let rules: Vec<ConfigRuleSpec> = REQUIRED
                .iter()
                .zip(NAMES)
                .filter(|(any_of, _)| !any_of.iter().any(|source| present.contains(source)))
                .map(|(any_of, name)| ConfigRuleSpec {
                    name: name.to_owned(),
                    source_identifier: any_of[0].to_owned(),
                })
                .collect();
            (!rules.is_empty()).then(|| Planned::Change {
                region: region.to_owned(),
                action: FixAction::AddConfigRules { rules },
            })
        })
        .collect()
}
