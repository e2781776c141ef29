//! CONFIG-003.

use guardline_model::inventory::config::ConfigRule;
use guardline_model::{Section, Severity, Text};

use crate::fix::{ConfigRuleSpec, FixAction, FixContext, Planned, TakenName};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region, the AWS-managed Config rules the seed names are deployed:
    ///
    /// - security groups open to the world: `INCOMING_SSH_DISABLED` or `RESTRICTED_INCOMING_TRAFFIC` (or
    ///   `VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS`);
    /// - public S3 buckets: `S3_BUCKET_PUBLIC_READ_PROHIBITED` and `S3_BUCKET_PUBLIC_WRITE_PROHIBITED`.
    ///
    /// A rule is matched on its managed source (owner `AWS` and the source identifier, case-insensitively),
    /// never on its name: a rule under any name of the team's own passes, and a rule named like the
    /// managed rule (`restricted-ssh`) whose source is something else (a Lambda function, a Guard policy)
    /// does not count; the failure names it. Rules being deleted (`DELETING`, `DELETING_RESULTS`) do not
    /// count either. Rules Security Hub deploys for its standards count.
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
    /// Deploy the managed rules in each region (AWS Config must be recording, CONFIG-001), each under a name
    /// no rule of the region has yet: `put-config-rule` with an existing name replaces that rule.
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
    /// `guardline fix` names each rule it creates like AWS does (`restricted-ssh`,
    /// `s3-bucket-public-read-prohibited`, `s3-bucket-public-write-prohibited`) and never reuses a name a
    /// rule of the region already holds (AWS Config would overwrite that rule): when the name is taken, by
    /// someone's own rule or by a rule being deleted, the plan uses `guardline-<name>` (or `-2`, `-3`, ...
    /// after it) instead, says which rule holds the name and leaves that rule alone; review the name.
    ///
    /// ## References
    /// - AWS Config managed rules `restricted-ssh`, `restricted-common-ports`, `s3-bucket-public-read-prohibited`,
    ///   `s3-bucket-public-write-prohibited`
    /// - AWS FSBP: no control checks that Config rules exist; S3.2, S3.3 and EC2.13 run the same rules
    ///
    /// ## 確認内容
    /// スキャンした全リージョンに、ガイドラインが挙げる AWS マネージドの Config ルールがデプロイされていること。
    ///
    /// - 全世界に開いたセキュリティグループ: `INCOMING_SSH_DISABLED` または `RESTRICTED_INCOMING_TRAFFIC`(または
    ///   `VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS`)
    /// - 公開 S3 バケット: `S3_BUCKET_PUBLIC_READ_PROHIBITED` と `S3_BUCKET_PUBLIC_WRITE_PROHIBITED`
    ///
    /// ルールは名前ではなく、マネージドのソース(所有者 `AWS` とソース識別子。大文字小文字を区別しない)で照合します。チームが
    /// 独自に付けたどんな名前のルールでも合格し、マネージドルールと同じ名前(`restricted-ssh`)でもソースが別のもの(Lambda
    /// 関数、Guard ポリシー)であるルールは数えず、不合格のメッセージでそれを名指しします。削除中のルール(`DELETING`、
    /// `DELETING_RESULTS`)も数えません。Security Hub が標準のためにデプロイするルールは数えます。
    ///
    /// ## 重要な理由
    /// これらのルールは、アカウントを最も多く危険にさらす 2 つの誤り、つまりインターネットに開いた管理用ポートと公開バケットを、
    /// 変更から数分で検出します。Guardline も同じ状態を確認しますが(EC2-001、S3-002)、実行したときだけです。
    ///
    /// ## ガイドライン
    /// 2-3: AWS Config Rules は「セキュリティグループが全ての IP からのアクセスを許可している」「S3 がパブリックアクセスされて
    /// いる」などの特定のシチュエーションを検知する。
    ///
    /// ## 修正方法
    /// 各リージョンにマネージドルールをデプロイします(AWS Config が記録中であること。CONFIG-001)。それぞれ、そのリージョンの
    /// どのルールもまだ使っていない名前にします。既存の名前で `put-config-rule` を実行すると、そのルールが置き換えられます。
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
    /// ## 修正の安全性
    /// 安全: ルールはリソースを評価するだけで、何も変更しません。評価ごとに課金されます。`guardline fix` は作成するルールに
    /// AWS と同じ名前(`restricted-ssh`、`s3-bucket-public-read-prohibited`、`s3-bucket-public-write-prohibited`)を付け、
    /// リージョンの既存ルールが使っている名前は決して再利用しません(AWS Config がそのルールを上書きしてしまうため)。
    /// 名前が誰かの独自ルールや削除中のルールに使われている場合、プランは代わりに `guardline-<name>`(その後は `-2`、`-3`、…)
    /// を使い、どのルールがその名前を使っているかを示して、そのルールには手を触れません。名前を確認してください。
    ///
    /// ## 参考資料
    /// - AWS Config マネージドルール `restricted-ssh`、`restricted-common-ports`、`s3-bucket-public-read-prohibited`、
    ///   `s3-bucket-public-write-prohibited`
    /// - AWS FSBP: Config ルールの存在を確認するコントロールはありません。S3.2、S3.3、EC2.13 が同じルールを実行します
    pub static RULE = {
        id: "CONFIG-003",
        name: "config-baseline-rules-missing",
        title: "The guideline's AWS Config rules are deployed",
        title_ja: "ガイドラインが求める AWS Config ルールが導入されている",
        section: Section::Security,
        item: "2-3",
        severity: Severity::Low,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Deploy the guideline's managed AWS Config rules",
            ja: "ガイドラインの AWS Config マネージドルールを導入する",
            command: None,
        },
        data: &["config:DescribeConfigRules"],
        check: check,
        plan: Some(plan),
    }
}

/// One rule of the baseline.
struct Requirement {
    /// The name `guardline fix` gives the rule it creates (AWS's own name for the managed rule).
    name: &'static str,
    /// Any one of these managed source identifiers meets it; the first is the one `fix` deploys.
    any_of: &'static [&'static str],
}

const REQUIRED: [Requirement; 3] = [
    Requirement {
        name: "restricted-ssh",
        any_of: &[
            "INCOMING_SSH_DISABLED",
            "RESTRICTED_INCOMING_TRAFFIC",
            "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS",
        ],
    },
    Requirement { name: "s3-bucket-public-read-prohibited", any_of: &["S3_BUCKET_PUBLIC_READ_PROHIBITED"] },
    Requirement { name: "s3-bucket-public-write-prohibited", any_of: &["S3_BUCKET_PUBLIC_WRITE_PROHIBITED"] },
];

/// `DELETING` or `DELETING_RESULTS`: the rule is on its way out.
fn is_being_deleted(rule: &ConfigRule) -> bool {
    matches!(rule.state.as_str(), "DELETING" | "DELETING_RESULTS")
}

/// Whether `rule` has one of `requirement`'s managed sources (case-insensitively), whatever its name.
fn has_source(rule: &ConfigRule, requirement: &Requirement) -> bool {
    rule.owner == "AWS" && requirement.any_of.iter().any(|id| rule.source_identifier.eq_ignore_ascii_case(id))
}

/// Whether `rule` meets `requirement`: the managed source, and not being deleted.
fn meets(rule: &ConfigRule, requirement: &Requirement) -> bool {
    has_source(rule, requirement) && !is_being_deleted(rule)
}

/// `OWNER SOURCE`, or only the owner when the rule has no source identifier (Guard policy rules).
fn source_of(rule: &ConfigRule) -> String {
    if rule.source_identifier.is_empty() {
        rule.owner.clone()
    } else {
        format!("{} {}", rule.owner, rule.source_identifier)
    }
}

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
        let mut missing: Vec<Text> = Vec::new();
        for requirement in &REQUIRED {
            if let Some(rule) = rules.iter().find(|rule| meets(rule, requirement)) {
                found.push(format!("{} ({})", rule.source_identifier, rule.name));
                continue;
            }
            let any_of = requirement.any_of;
            let (mut en, mut ja) = match any_of.split_last() {
                Some((last, others)) if !others.is_empty() => {
                    let others = others.join(", ");
                    (format!("{others} or {last}"), format!("{others}, {last} のいずれか"))
                }
                _ => (any_of.join(", "), any_of.join(", ")),
            };
            let mut notes: Vec<Text> = Vec::new();
            for rule in rules {
                let (name, state) = (&rule.name, &rule.state);
                if has_source(rule, requirement) {
                    notes.push(text!(
                        "rule {name} has that source but is {state}, which does not count",
                        "ルール {name} はこのソースですが {state} のため数えません"
                    ));
                } else if rule.name.eq_ignore_ascii_case(requirement.name) {
                    let source = source_of(rule);
                    notes.push(text!(
                        "rule {name} has the managed rule's name but its source is {source}",
                        "ルール {name} はマネージドルールと同じ名前ですが、ソースは {source} です"
                    ));
                }
            }
            if !notes.is_empty() {
                en.push_str(&format!(
                    " ({})",
                    notes.iter().map(|note| note.en.as_str()).collect::<Vec<_>>().join("; ")
                ));
                ja.push_str(&format!(
                    " ({})",
                    notes.iter().map(|note| note.ja.as_str()).collect::<Vec<_>>().join("。")
                ));
            }
            missing.push(Text::new(en, ja));
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
            let en: Vec<&str> = missing.iter().map(|text| text.en.as_str()).collect();
            let ja: Vec<&str> = missing.iter().map(|text| text.ja.as_str()).collect();
            let (en, ja) = (en.join("; "), ja.join("、"));
            out.fail(
                region,
                resource,
                text!("missing AWS Config rules: {en}", "AWS Config ルールが導入されていません: {ja}"),
            );
        }
    }
}

/// A name for a new rule that no rule of the region holds (Config rule names are compared
/// case-insensitively, to be safe): `preferred`, else `guardline-<preferred>`, else with `-2`, `-3`, ...
/// appended; with the rule holding `preferred`, when it is taken.
fn free_name(rules: &[ConfigRule], preferred: &str) -> (String, Option<TakenName>) {
    let holder = |name: &str| rules.iter().find(|rule| rule.name.eq_ignore_ascii_case(name));
    let Some(taken) = holder(preferred) else { return (preferred.to_owned(), None) };
    let taken = TakenName {
        name: taken.name.clone(),
        owner: taken.owner.clone(),
        source_identifier: taken.source_identifier.clone(),
        state: taken.state.clone(),
    };
    let base = format!("guardline-{preferred}");
    let name = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|name| holder(name).is_none())
        .expect("an unbounded sequence of names has a free one");
    (name, Some(taken))
}

/// The baseline rules each failing region lacks, by their first (preferred) managed source, each under a
/// name no rule of the region holds.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .filter_map(|finding| {
            let region = finding.region.as_str();
            let present: &[ConfigRule] = fix
                .cx
                .snapshot
                .regions
                .get(region)
                .and_then(|inventory| inventory.config_rules.get().ok())
                .map_or(&[], Vec::as_slice);
            let rules: Vec<ConfigRuleSpec> = REQUIRED
                .iter()
                .filter(|requirement| !present.iter().any(|rule| meets(rule, requirement)))
                .map(|requirement| {
                    let (name, instead_of) = free_name(present, requirement.name);
                    ConfigRuleSpec { name, source_identifier: requirement.any_of[0].to_owned(), instead_of }
                })
                .collect();
            (!rules.is_empty()).then(|| Planned::Change {
                region: region.to_owned(),
                action: FixAction::AddConfigRules { rules },
            })
        })
        .collect()
}
