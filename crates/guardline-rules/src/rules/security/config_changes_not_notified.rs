//! CONFIG-002.

use guardline_model::inventory::events::EventRule;
use guardline_model::{CollectError, Section, Severity};

use crate::fix::{FixContext, Planned};
use crate::{Context, Findings, FixAvailability};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region, AWS Config changes reach someone: a delivery channel has an SNS topic, or an
    /// ENABLED EventBridge rule on the default bus whose event pattern matches the `aws.config` source has
    /// at least one target. A pattern that is not valid JSON matches nothing.
    ///
    /// ## Why it matters
    /// A recorded change that nobody sees is found only after the damage: a security group opened to the
    /// world on Friday evening should page someone on Friday evening, not show up in Monday's review.
    ///
    /// ## Guideline
    /// 2-3: AWS Config "can notify configuration changes, so that unexpected changes to resources are
    /// handled at once".
    ///
    /// ## How to fix
    /// Route Config events to the team's alert topic (or Chatbot, or a Lambda function) with an EventBridge
    /// rule:
    ///
    /// ```sh
    /// aws events put-rule --name config-changes \
    ///   --event-pattern '{"source":["aws.config"],"detail-type":["Config Configuration Item Change"]}'
    /// aws events put-targets --rule config-changes \
    ///   --targets Id=alerts,Arn=arn:aws:sns:ap-northeast-1:123456789012:security-alerts
    /// ```
    ///
    /// Or give the delivery channel an SNS topic:
    /// `aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=config-bucket,snsTopicARN=arn:aws:sns:ap-northeast-1:123456789012:config-changes`.
    ///
    /// ## Fix safety
    /// Safe: it only adds a notification. Mind the volume: every configuration item change is an event.
    ///
    /// ## References
    /// - CIS AWS Foundations 4.9 (AWS Config configuration changes are monitored)
    /// - Security Hub CloudWatch.9 (CIS standard: a metric filter and alarm for AWS Config changes); no AWS
    ///   FSBP control
    pub static RULE = {
        id: "CONFIG-002",
        name: "config-changes-not-notified",
        title: "AWS Config changes are notified",
        title_ja: "AWS Config の変更が通知される",
        section: Section::Security,
        item: "2-3",
        severity: Severity::Low,
        fix: FixAvailability::Safe,
        data: &["config:DescribeDeliveryChannels", "events:ListRules", "events:ListTargetsByRule"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    for (region, inventory) in cx.regions() {
        let resource = cx.arn("config", region, "delivery-channel");
        let mut unknown: Option<&CollectError> = None;
        // Why nothing counts so far, for the FAIL message.
        let mut notes: Vec<(String, String)> = Vec::new();
        match inventory.delivery_channels.get() {
            Ok(channels) => {
                if let Some((channel, topic)) = channels.iter().find_map(|channel| {
                    channel
                        .sns_topic_arn
                        .as_deref()
                        .filter(|topic| !topic.is_empty())
                        .map(|topic| (channel, topic))
                }) {
                    let name = &channel.name;
                    out.pass(
                        region,
                        resource,
                        text!(
                            "delivery channel {name} notifies SNS topic {topic}",
                            "配信チャネル {name} が SNS トピック {topic} に通知しています"
                        ),
                    );
                    continue;
                }
                notes.push(if channels.is_empty() {
                    ("no delivery channel".to_owned(), "配信チャネルがありません".to_owned())
                } else {
                    (
                        "no delivery channel has an SNS topic".to_owned(),
                        "SNS トピックを持つ配信チャネルがありません".to_owned(),
                    )
                });
            }
            Err(error) => unknown = Some(error),
        }
        match inventory.event_rules.get() {
            Ok(rules) => {
                let matching: Vec<&EventRule> = rules.iter().filter(|rule| matches_config(rule)).collect();
                let mut routed = None;
                for rule in &matching {
                    let name = &rule.name;
                    if rule.state != "ENABLED" {
                        let state = &rule.state;
                        notes.push((
                            format!("EventBridge rule {name} matches aws.config but is {state}"),
                            format!("EventBridge ルール {name} は aws.config に一致しますが {state} です"),
                        ));
                        continue;
                    }
                    match rule.targets.get() {
                        Ok(targets) if !targets.is_empty() => {
                            routed =
                                Some((*rule, targets.iter().map(|t| t.arn.as_str()).collect::<Vec<_>>()));
                            break;
                        }
                        Ok(_) => notes.push((
                            format!("EventBridge rule {name} matches aws.config but has no target"),
                            format!(
                                "EventBridge ルール {name} は aws.config に一致しますがターゲットがありません"
                            ),
                        )),
                        Err(error) => {
                            unknown.get_or_insert(error);
                        }
                    }
                }
                if let Some((rule, targets)) = routed {
                    let (name, targets) = (&rule.name, targets.join(", "));
                    out.pass(
                        region,
                        resource,
                        text!(
                            "the EventBridge rule {name} sends aws.config events to {targets}",
                            "EventBridge ルール {name} が aws.config のイベントを {targets} に送っています"
                        ),
                    );
                    continue;
                }
                if matching.is_empty() {
                    notes.push((
                        "no EventBridge rule matches aws.config events".to_owned(),
                        "aws.config のイベントに一致する EventBridge ルールがありません".to_owned(),
                    ));
                }
            }
            Err(error) => {
                unknown.get_or_insert(error);
            }
        }
        if let Some(error) = unknown {
            out.not_evaluated(region, resource, error);
            continue;
        }
        let en: Vec<&str> = notes.iter().map(|(en, _)| en.as_str()).collect();
        let ja: Vec<&str> = notes.iter().map(|(_, ja)| ja.as_str()).collect();
        let (en, ja) = (en.join("; "), ja.join("、"));
        out.fail(
            region,
            resource,
            text!("AWS Config changes are not notified: {en}", "AWS Config の変更が通知されません: {ja}"),
        );
    }
}

/// Whether the rule's event pattern names `aws.config` among its sources.
fn matches_config(rule: &EventRule) -> bool {
    let Some(pattern) = rule.event_pattern.as_deref() else {
        return false;
    };
    let Ok(pattern) = serde_json::from_str::<serde_json::Value>(pattern) else {
        return false;
    };
    match pattern.get("source") {
        Some(serde_json::Value::String(source)) => source == "aws.config",
        Some(serde_json::Value::Array(sources)) => sources.iter().any(|source| source == "aws.config"),
        _ => false,
    }
}

/// A rule per failing region that sends AWS Config's change and compliance events to the alert topic.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    let pattern = serde_json::json!({"source": ["aws.config"]});
    failing
        .iter()
        .map(|finding| fix.route(&finding.region, "guardline-config-changes", pattern.clone()))
        .collect()
}
