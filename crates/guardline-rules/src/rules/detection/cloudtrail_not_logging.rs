//! TRAIL-001.

use guardline_model::{Section, Severity, Text};

use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// That the account has a multi-region CloudTrail trail that is logging (`cloudtrail:DescribeTrails`,
    /// `cloudtrail:GetTrailStatus`), looking at the trails of every scanned region (each trail is read in
    /// its home region). One finding for the account; a failure names the trails that exist and why none of
    /// them counts.
    ///
    /// A multi-region trail whose home region was not scanned is not seen, and neither is an organization
    /// trail seen from a member account: scan the trail's home region, or record an exception.
    ///
    /// ## Why it matters
    /// CloudTrail's record of API calls is what an incident investigation starts from: who created that
    /// user, from where, with which key. The console's event history keeps only 90 days, region by region; a
    /// trail that covers every region and is logging keeps the record for as long as its bucket does,
    /// including for regions nobody uses, which is where attackers like to start instances. GuardDuty (4-3)
    /// and AWS Config (2-3) do not replace it.
    ///
    /// ## Guideline
    /// Not an item of the guideline: a CIS AWS Foundations baseline that the guideline's detection (section
    /// 4) relies on.
    ///
    /// ## How to fix
    /// Create a multi-region trail (the bucket needs the CloudTrail bucket policy), or start logging on the
    /// one that is stopped:
    ///
    /// ```sh
    /// aws cloudtrail create-trail --name management-events --s3-bucket-name example-cloudtrail-logs \
    ///   --is-multi-region-trail --enable-log-file-validation
    /// aws cloudtrail start-logging --name management-events
    /// ```
    ///
    /// ## Fix safety
    /// Safe: a trail only records. The first copy of management events is free; S3 storage is billed.
    ///
    /// ## References
    /// - CIS AWS Foundations 3.1 (ensure CloudTrail is enabled in all regions)
    /// - AWS FSBP CloudTrail.1
    pub static RULE = {
        id: "TRAIL-001",
        name: "cloudtrail-not-logging",
        title: "A multi-region CloudTrail trail is logging",
        title_ja: "マルチリージョンの CloudTrail 証跡が記録している",
        section: Section::Detection,
        item: "CIS",
        severity: Severity::High,
        fix: FixAvailability::Safe,
        data: &["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let account = cx.account_arn();
    if !out.require_regions(cx, &account) {
        return;
    }
    let mut problems: Vec<Text> = Vec::new();
    let mut not_collected: Vec<Text> = Vec::new();
    for (region, inventory) in cx.regions() {
        let trails = match inventory.trails.get() {
            Ok(trails) => trails,
            Err(error) => {
                not_collected.push(text!("the trails of {region} ({error})", "{region} の証跡 ({error})"));
                continue;
            }
        };
        for trail in trails {
            let (name, home) = (&trail.name, &trail.home_region);
            let logging = trail.is_logging.get();
            match (trail.multi_region, logging) {
                (true, Ok(true)) => {
                    out.pass(
                        GLOBAL,
                        account,
                        text!(
                            "multi-region trail {name} (home region {home}) is logging",
                            "マルチリージョンの証跡 {name} (ホームリージョン {home}) はログを記録しています"
                        ),
                    );
                    return;
                }
                (true, Ok(false)) => problems.push(text!(
                    "multi-region trail {name} ({home}) is not logging",
                    "マルチリージョンの証跡 {name} ({home}) はログを記録していません"
                )),
                (true, Err(error)) => not_collected.push(text!(
                    "the status of multi-region trail {name} ({home}) ({error})",
                    "マルチリージョンの証跡 {name} ({home}) のステータス ({error})"
                )),
                (false, Ok(false)) => problems.push(text!(
                    "trail {name} ({home}) is single-region and not logging",
                    "証跡 {name} ({home}) はシングルリージョンで、ログも記録していません"
                )),
                (false, _) => problems.push(text!(
                    "trail {name} ({home}) is single-region",
                    "証跡 {name} ({home}) はシングルリージョンです"
                )),
            }
        }
    }
    if !not_collected.is_empty() {
        let missing_en = not_collected.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join("; ");
        let missing_ja = not_collected.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join("、");
        out.not_evaluated_because(
            GLOBAL,
            account,
            text!(
                "could not be evaluated: no trail collected is a logging multi-region trail, but these were not \
                 collected: {missing_en}",
                "評価できません: 取得できた範囲にはログを記録しているマルチリージョンの証跡がありませんが、\
                 次のデータを取得できませんでした: {missing_ja}"
            ),
        );
        return;
    }
    if problems.is_empty() {
        out.fail(
            GLOBAL,
            account,
            text!(
                "no CloudTrail trail exists in the scanned regions: API activity is not recorded",
                "スキャンしたリージョンに CloudTrail の証跡がなく、API の操作が記録されていません"
            ),
        );
        return;
    }
    let problems_en = problems.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join("; ");
    let problems_ja = problems.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join("。");
    out.fail(
        GLOBAL,
        account,
        text!(
            "no multi-region CloudTrail trail is logging: {problems_en}",
            "ログを記録しているマルチリージョンの CloudTrail 証跡がありません: {problems_ja}"
        ),
    );
}

/// Start the multi-region trail that exists but does not log, or create one in the home region.
fn plan(fix: &FixContext<'_>, _failing: &[&Finding]) -> Vec<Planned> {
    let stopped = fix.cx.regions().find_map(|(_, inventory)| {
        inventory
            .trails
            .get()
            .ok()?
            .iter()
            .find(|trail| trail.multi_region && trail.is_logging.get() == Ok(&false))
    });
    match stopped {
        Some(trail) => vec![Planned::Change {
            region: trail.home_region.clone(),
            action: FixAction::EnableCloudTrail {
                existing_trail: Some(trail.name.clone()),
                bucket: fix.log_bucket(),
            },
        }],
        None => vec![Planned::Change {
            region: fix.cx.params.home_region.clone(),
            action: FixAction::EnableCloudTrail { existing_trail: None, bucket: fix.log_bucket() },
        }],
    }
}
