//! HEALTH-001.

use guardline_model::{Section, Severity, Text};

use super::event_patterns::{is_enabled, lists, pattern, target_list};
use crate::context::GLOBAL;
use crate::fix::{FixContext, Planned};
use crate::{Context, Findings, FixAvailability};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// That AWS Health events reach people: in at least one scanned region, an enabled EventBridge rule on
    /// the default bus has an event pattern whose `source` lists `aws.health`, and that rule has at least one
    /// target (an SNS topic, AWS Chatbot, a Lambda function, ...). Patterns that are not valid JSON match
    /// nothing. One finding for the account.
    ///
    /// ## Why it matters
    /// AWS Health tells the account about outages that affect its resources, scheduled maintenance and
    /// retirements, and expiring certificates or deprecated runtimes that need action. It is only visible in
    /// the console unless it is routed somewhere people read, so events that need action go unseen.
    ///
    /// Health sends events about global services in US East (N. Virginia), and events about a resource in
    /// that resource's region. This control passes on a rule in any one region; route Health events in every
    /// region you run resources in.
    ///
    /// ## Guideline
    /// 4-2 (Personal Health Dashboard events are sent to Slack through AWS Chatbot).
    ///
    /// ## How to fix
    /// Create the rule and point it at the SNS topic AWS Chatbot (or the mail list) subscribes to:
    ///
    /// ```sh
    /// aws events put-rule --region us-east-1 --name health-events --event-pattern '{"source":["aws.health"]}'
    /// aws events put-targets --region us-east-1 --rule health-events \
    ///   --targets Id=alerts,Arn=arn:aws:sns:us-east-1:123456789012:health-alerts
    /// ```
    ///
    /// ## Fix safety
    /// Safe: a rule and a target only add notifications. The fix needs the topic to notify.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - AWS Health User Guide: "Monitoring AWS Health events with Amazon EventBridge"
    pub static RULE = {
        id: "HEALTH-001",
        name: "health-events-not-routed",
        title: "AWS Health events are routed",
        title_ja: "AWS Health のイベントが通知される",
        section: Section::Detection,
        item: "4-2",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        data: &["events:ListRules", "events:ListTargetsByRule"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let account = cx.account_arn();
    if !out.require_regions(cx, &account) {
        return;
    }
    let mut routed: Vec<Text> = Vec::new();
    let mut problems: Vec<Text> = Vec::new();
    let mut not_collected: Vec<Text> = Vec::new();
    for (region, inventory) in cx.regions() {
        let rules = match inventory.event_rules.get() {
            Ok(rules) => rules,
            Err(error) => {
                not_collected.push(text!(
                    "the EventBridge rules of {region} ({error})",
                    "{region} の EventBridge ルール ({error})"
                ));
                continue;
            }
        };
        for rule in rules {
            if !pattern(rule).is_some_and(|pattern| lists(&pattern, "source", "aws.health")) {
                continue;
            }
            let name = &rule.name;
            if !is_enabled(rule) {
                let state = &rule.state;
                problems.push(text!(
                    "rule {name} in {region} is {state}",
                    "{region} のルール {name} は {state} です"
                ));
                continue;
            }
            match rule.targets.get() {
                Ok(targets) if !targets.is_empty() => {
                    let targets = target_list(targets);
                    routed.push(text!(
                        "rule {name} in {region} to {targets}",
                        "{region} のルール {name} で {targets} に"
                    ));
                }
                Ok(_) => problems.push(text!(
                    "rule {name} in {region} has no target",
                    "{region} のルール {name} にはターゲットがありません"
                )),
                Err(error) => not_collected.push(text!(
                    "the targets of rule {name} in {region} ({error})",
                    "{region} のルール {name} のターゲット ({error})"
                )),
            }
        }
    }
    if !routed.is_empty() {
        let routed_en = routed.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join(", and by ");
        let routed_ja = routed.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join("、");
        out.pass(
            GLOBAL,
            account,
            text!(
                "AWS Health events are routed by {routed_en}",
                "AWS Health のイベントは {routed_ja}通知されます"
            ),
        );
        return;
    }
    if !not_collected.is_empty() {
        let missing_en = not_collected.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join("; ");
        let missing_ja = not_collected.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join("、");
        out.not_evaluated_because(
            GLOBAL,
            account,
            text!(
                "could not be evaluated: no rule collected routes AWS Health events, but these were not \
                 collected: {missing_en}",
                "評価できません: 取得できた範囲には AWS Health のイベントを通知するルールがありませんが、\
                 次のデータを取得できませんでした: {missing_ja}"
            ),
        );
        return;
    }
    let regions: Vec<&str> = cx.snapshot.regions.keys().map(String::as_str).collect();
    let (where_en, where_ja) = match regions.as_slice() {
        [only] => (format!("in the scanned region {only}"), format!("スキャンしたリージョン {only} に")),
        _ => {
            let count = regions.len();
            (
                format!("in any of the {count} scanned regions"),
                format!("スキャンした {count} リージョンのいずれにも"),
            )
        }
    };
    let mut en = format!("no enabled EventBridge rule with a target matches aws.health events {where_en}");
    let mut ja = format!(
        "{where_ja}、aws.health のイベントに一致しターゲットを持つ有効な EventBridge ルールがありません"
    );
    if !problems.is_empty() {
        en.push_str(": ");
        en.push_str(&problems.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join("; "));
        ja.push_str(": ");
        ja.push_str(&problems.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join("。"));
    }
    out.fail(GLOBAL, account, Text::new(en, ja));
}

/// One rule in the home region that sends every AWS Health event to the alert topic.
fn plan(fix: &FixContext<'_>, _failing: &[&Finding]) -> Vec<Planned> {
    let home = fix.cx.params.home_region.as_str();
    vec![fix.route(home, "guardline-health-events", serde_json::json!({"source": ["aws.health"]}))]
}
