//! CONFIG-002.

use guardline_model::inventory::RegionInventory;
use guardline_model::inventory::events::EventRule;
use guardline_model::{CollectError, Section, Severity, Text};

use crate::fix::{FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region, AWS Config changes reach someone: a delivery channel has an SNS topic, or an
    /// ENABLED EventBridge rule on the default bus whose event pattern matches the `aws.config` source has
    /// at least one target. A pattern that is not valid JSON matches nothing.
    ///
    /// A recorder that records once a day (recording frequency `DAILY`) fails the region even with a route:
    /// its changes reach the route up to 24 hours late. Resource types it overrides to `CONTINUOUS` are
    /// named, but do not make it pass.
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
    ///
    /// ## 確認内容
    /// スキャンした全リージョンで、AWS Config の変更が誰かに届くこと。配信チャネルに SNS トピックがあるか、デフォルトの
    /// イベントバス上で、イベントパターンが `aws.config` ソースに一致する ENABLED の EventBridge ルールにターゲットが少なくとも
    /// 1 つあること。有効な JSON でないパターンは何にも一致しません。
    ///
    /// 1 日 1 回記録する(記録頻度 `DAILY`)レコーダーは、通知経路があってもそのリージョンを不合格にします。変更が通知経路に
    /// 届くまで最大 24 時間遅れるからです。`CONTINUOUS` に上書きしているリソースタイプは示しますが、それで合格にはなりません。
    ///
    /// ## 重要な理由
    /// 記録されても誰も見ない変更は、被害が出てから見つかります。金曜の夕方に全世界へ開かれたセキュリティグループは、
    /// 月曜のレビューで見つかるのではなく、金曜の夕方に誰かを呼び出すべきです。
    ///
    /// ## ガイドライン
    /// 2-3: AWS Config は「設定変更を通知することもでき、予期せぬリソースの変更があった場合もすぐに対応可能」。
    ///
    /// ## 修正方法
    /// EventBridge ルールで、Config のイベントをチームのアラート用トピック(または Chatbot や Lambda 関数)に送ります。
    ///
    /// ```sh
    /// aws events put-rule --name config-changes \
    ///   --event-pattern '{"source":["aws.config"],"detail-type":["Config Configuration Item Change"]}'
    /// aws events put-targets --rule config-changes \
    ///   --targets Id=alerts,Arn=arn:aws:sns:ap-northeast-1:123456789012:security-alerts
    /// ```
    ///
    /// または、配信チャネルに SNS トピックを設定します:
    /// `aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=config-bucket,snsTopicARN=arn:aws:sns:ap-northeast-1:123456789012:config-changes`
    ///
    /// ## 修正の安全性
    /// 安全: 通知を追加するだけです。量には注意してください。設定項目の変更はすべてイベントになります。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 4.9(AWS Config の設定変更を監視する)
    /// - Security Hub CloudWatch.9(CIS 標準: AWS Config の変更に対するメトリクスフィルターとアラーム)。AWS FSBP の該当
    ///   コントロールなし
    pub static RULE = {
        id: "CONFIG-002",
        name: "config-changes-not-notified",
        title: "AWS Config changes are notified",
        title_ja: "AWS Config の変更が通知される",
        section: Section::Security,
        item: "2-3",
        severity: Severity::Low,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Notify AWS Config changes through an SNS topic or an EventBridge rule",
            ja: "AWS Config の変更を SNS トピックか EventBridge ルールで通知する",
            command: None,
        },
        data: &[
            "config:DescribeDeliveryChannels",
            "config:DescribeConfigurationRecorders",
            "events:ListRules",
            "events:ListTargetsByRule",
        ],
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
                    let routed = text!(
                        "delivery channel {name} notifies SNS topic {topic}",
                        "配信チャネル {name} が SNS トピック {topic} に通知しています"
                    );
                    pass_unless_daily(out, region, resource, routed, inventory);
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
                    let routed = text!(
                        "the EventBridge rule {name} sends aws.config events to {targets}",
                        "EventBridge ルール {name} が aws.config のイベントを {targets} に送っています"
                    );
                    pass_unless_daily(out, region, resource, routed, inventory);
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

/// Passes with `routed`, unless the region's recorder records daily: then changes reach the route up to a
/// day late, and the control fails; NOT EVALUATED when the recorders could not be read.
fn pass_unless_daily(
    out: &mut Findings,
    region: &str,
    resource: String,
    routed: Text,
    inventory: &RegionInventory,
) {
    let (routed_en, routed_ja) = (&routed.en, &routed.ja);
    let recorders = match inventory.config_recorders.get() {
        Ok(recorders) => recorders,
        Err(error) => {
            out.not_evaluated_because(
                region,
                resource,
                text!(
                    "could not be evaluated: {routed_en}, but whether the recorder records changes as they happen \
                     or once a day is unknown ({error})",
                    "評価できません: {routed_ja}。ただし設定レコーダーが変更を即時に記録するか 1 日 1 回かが\
                     不明です ({error})"
                ),
            );
            return;
        }
    };
    let daily = recorders
        .iter()
        .find(|recorder| recorder.service_principal.is_none() && recorder.frequency == "DAILY");
    match daily {
        Some(recorder) => {
            let name = &recorder.name;
            let continuous: usize = recorder
                .frequency_overrides
                .iter()
                .filter(|o| o.frequency == "CONTINUOUS")
                .map(|o| o.resource_types.len())
                .sum();
            let except = if continuous == 0 {
                Text::new("", "")
            } else {
                let types = if continuous == 1 { "type" } else { "types" };
                text!(
                    " (except {continuous} resource {types} recorded continuously)",
                    " (継続的に記録する {continuous} 種類のリソースを除く)"
                )
            };
            let (except_en, except_ja) = (&except.en, &except.ja);
            out.fail(
                region,
                resource,
                text!(
                    "{routed_en}, but recorder {name} records once a day (recording frequency DAILY){except_en}: a \
                     change is notified up to 24 hours after it was made",
                    "{routed_ja}。ただし設定レコーダー {name} は 1 日 1 回の記録 (DAILY) です{except_ja}: 変更は最大 \
                     24 時間後に通知されます"
                ),
            );
        }
        None => out.pass(region, resource, routed),
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
