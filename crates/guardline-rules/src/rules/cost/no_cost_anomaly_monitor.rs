//! COST-003.

use guardline_model::{Section, Severity, Text};

use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// That Cost Anomaly Detection watches the account: at least one anomaly monitor exists, and an anomaly
    /// subscription that lists that monitor has at least one subscriber (an email address or an SNS topic)
    /// that receives its alerts. A subscriber whose `Status` is `DECLINED` (its recipient turned the alerts
    /// down) receives nothing and does not count; the failure names it.
    ///
    /// ## Why it matters
    /// A budget (COST-002) needs an amount chosen in advance, which is hard before a service has run for a
    /// while. Cost Anomaly Detection learns the account's normal spend with machine learning and reports a
    /// sudden jump in one service, whatever the budget says: a monitor nobody subscribes to detects anomalies
    /// silently.
    ///
    /// ## Guideline
    /// 1-2 (the guideline names AWS's machine-learning detection of unusual costs as the next measure to
    /// adopt).
    ///
    /// ## How to fix
    /// Create a monitor of every AWS service and a daily subscription to it. AWS allows one such per-service
    /// monitor (DIMENSIONAL, dimension SERVICE) per account and refuses a second ("Limit exceeded on
    /// dimensional spend monitor creation"): when `aws ce get-anomaly-monitors` lists one, subscribe to it
    /// instead of creating another. A recipient who declined the alerts receives nothing: subscribe an
    /// address that takes them.
    ///
    /// ```sh
    /// aws ce create-anomaly-monitor --anomaly-monitor \
    ///   '{"MonitorName":"services","MonitorType":"DIMENSIONAL","MonitorDimension":"SERVICE"}'
    /// aws ce create-anomaly-subscription --anomaly-subscription '{"SubscriptionName":"daily",
    ///   "MonitorArnList":["arn:aws:ce::123456789012:anomalymonitor/0123abcd"],
    ///   "Subscribers":[{"Type":"EMAIL","Address":"ops@example.com"}],"Frequency":"DAILY",
    ///   "ThresholdExpression":{"Dimensions":{"Key":"ANOMALY_TOTAL_IMPACT_ABSOLUTE",
    ///     "MatchOptions":["GREATER_THAN_OR_EQUAL"],"Values":["100"]}}}'
    /// ```
    ///
    /// ## Fix safety
    /// Safe: a monitor and a subscription only add alerts, and Cost Anomaly Detection is free. The fix needs
    /// the address to notify. It reads every page of monitors and subscriptions, subscribes the account's
    /// per-service monitor when there is one (the plan names it) and creates it otherwise, and leaves existing
    /// subscriptions, declined subscribers included, as they are.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - AWS Cost Management User Guide: "Detecting unusual spend with AWS Cost Anomaly Detection"
    ///
    /// ## 確認内容
    /// コスト異常検出(Cost Anomaly Detection)がアカウントを監視していること。異常検出モニターが少なくとも 1 つあり、
    /// そのモニターを含む異常検出サブスクリプションに、アラートを受け取るサブスクライバー(メールアドレスまたは SNS トピック)
    /// が少なくとも 1 つあること。`Status` が `DECLINED`(受信者がアラートを拒否した)のサブスクライバーは何も受け取らない
    /// ため数えず、不合格のメッセージでそれを名指しします。
    ///
    /// ## 重要な理由
    /// 予算(COST-002)には事前に金額を決める必要がありますが、サービスがしばらく稼働するまでは難しいものです。
    /// コスト異常検出は機械学習でアカウントの通常の利用料金を学習し、予算とは関係なく、あるサービスの急な増加を報告します。
    /// 誰もサブスクライブしていないモニターは、異常を黙って検出するだけです。
    ///
    /// ## ガイドライン
    /// 1-2(ガイドラインは、機械学習により異常なコストを検出する AWS の機能を、次に導入する施策として挙げています)。
    ///
    /// ## 修正方法
    /// 全 AWS サービスのモニターと、それへの日次サブスクリプションを作成します。AWS はこのサービス別モニター
    /// (DIMENSIONAL、ディメンション SERVICE)をアカウントごとに 1 つしか許可せず、2 つ目は拒否されます
    /// ("Limit exceeded on dimensional spend monitor creation")。`aws ce get-anomaly-monitors` で既にあることが
    /// 分かれば、新たに作らずそれにサブスクライブしてください。アラートを拒否した受信者には何も届かないため、
    /// 受け取るアドレスをサブスクライブします。
    ///
    /// ```sh
    /// aws ce create-anomaly-monitor --anomaly-monitor \
    ///   '{"MonitorName":"services","MonitorType":"DIMENSIONAL","MonitorDimension":"SERVICE"}'
    /// aws ce create-anomaly-subscription --anomaly-subscription '{"SubscriptionName":"daily",
    ///   "MonitorArnList":["arn:aws:ce::123456789012:anomalymonitor/0123abcd"],
    ///   "Subscribers":[{"Type":"EMAIL","Address":"ops@example.com"}],"Frequency":"DAILY",
    ///   "ThresholdExpression":{"Dimensions":{"Key":"ANOMALY_TOTAL_IMPACT_ABSOLUTE",
    ///     "MatchOptions":["GREATER_THAN_OR_EQUAL"],"Values":["100"]}}}'
    /// ```
    ///
    /// ## 修正の安全性
    /// 安全: モニターとサブスクリプションはアラートを追加するだけで、コスト異常検出は無料です。修正には通知先のアドレスが
    /// 必要です。モニターとサブスクリプションを全ページ読み、アカウントのサービス別モニターがあればそれにサブスクライブし
    /// (プランでそのモニターを示します)、なければ作成します。既存のサブスクリプションは、拒否したサブスクライバーも含めて
    /// そのまま残します。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations・AWS FSBP の該当コントロールなし
    /// - AWS Cost Management ユーザーガイド「Detecting unusual spend with AWS Cost Anomaly Detection」
    pub static RULE = {
        id: "COST-003",
        name: "no-cost-anomaly-monitor",
        title: "A cost anomaly monitor alerts someone",
        title_ja: "通知先のあるコスト異常検出モニターがある",
        section: Section::Cost,
        item: "1-2",
        severity: Severity::Low,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Create a cost anomaly monitor with a subscriber",
            ja: "サブスクライバー付きのコスト異常検出モニターを作成する",
            command: None,
        },
        data: &["ce:GetAnomalyMonitors", "ce:GetAnomalySubscriptions"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let account = cx.account_arn();
    let global = &cx.snapshot.global;
    let monitors = match global.anomaly_monitors.get() {
        Ok(monitors) => monitors,
        Err(error) => {
            out.not_evaluated(GLOBAL, account, error);
            return;
        }
    };
    if monitors.is_empty() {
        out.fail(
            GLOBAL,
            account,
            text!(
                "no cost anomaly monitor exists: unusual spend is not detected",
                "コスト異常検出のモニターが1つもないため、異常な利用料金を検出できません"
            ),
        );
        return;
    }
    let subscriptions = match global.anomaly_subscriptions.get() {
        Ok(subscriptions) => subscriptions,
        Err(error) => {
            out.not_evaluated(GLOBAL, account, error);
            return;
        }
    };
    let mut unwatched: Vec<&str> = Vec::new();
    let mut problems: Vec<Text> = Vec::new();
    for monitor in monitors {
        let monitor_name = &monitor.name;
        let watching: Vec<_> = subscriptions
            .iter()
            .filter(|subscription| subscription.monitor_arns.contains(&monitor.arn))
            .collect();
        if let Some(subscription) = watching
            .iter()
            .find(|subscription| subscription.subscribers.iter().any(|subscriber| !subscriber.declined()))
        {
            let kind = &monitor.monitor_type;
            let subscription_name = &subscription.name;
            let frequency = &subscription.frequency;
            let who = subscription
                .subscribers
                .iter()
                .filter(|subscriber| !subscriber.declined())
                .map(|subscriber| format!("{} {}", subscriber.kind, subscriber.address))
                .collect::<Vec<_>>()
                .join(", ");
            out.pass(
                GLOBAL,
                account,
                text!(
                    "cost anomaly monitor {monitor_name} ({kind}) is watched by subscription \
                     {subscription_name}, which notifies {who} ({frequency})",
                    "コスト異常検出モニター {monitor_name} ({kind}) はサブスクリプション {subscription_name} \
                     により {who} に通知されます ({frequency})"
                ),
            );
            return;
        }
        let mut declined: Vec<String> = watching
            .iter()
            .flat_map(|subscription| &subscription.subscribers)
            .filter(|subscriber| subscriber.declined())
            .map(|subscriber| format!("{} {}", subscriber.kind, subscriber.address))
            .collect();
        declined.sort();
        declined.dedup();
        let names =
            watching.iter().map(|subscription| subscription.name.as_str()).collect::<Vec<_>>().join(", ");
        if watching.is_empty() {
            unwatched.push(monitor_name);
        } else if !declined.is_empty() {
            let declined = declined.join(", ");
            problems.push(if watching.len() == 1 {
                text!(
                    "subscription {names} watches monitor {monitor_name} but no subscriber receives its alerts: \
                     {declined} declined them",
                    "モニター {monitor_name} を監視するサブスクリプション {names} の通知を受け取る通知先がありません \
                     ({declined} は通知を辞退しています)"
                )
            } else {
                text!(
                    "subscriptions {names} watch monitor {monitor_name} but no subscriber receives their alerts: \
                     {declined} declined them",
                    "モニター {monitor_name} を監視するサブスクリプション {names} の通知を受け取る通知先がありません \
                     ({declined} は通知を辞退しています)"
                )
            });
        } else {
            problems.push(if watching.len() == 1 {
                text!(
                    "subscription {names} watches monitor {monitor_name} but has no subscriber",
                    "モニター {monitor_name} を監視するサブスクリプション {names} には通知先がありません"
                )
            } else {
                text!(
                    "subscriptions {names} watch monitor {monitor_name} but have no subscriber",
                    "モニター {monitor_name} を監視するサブスクリプション {names} には通知先がありません"
                )
            });
        }
    }
    if !unwatched.is_empty() {
        let names = unwatched.join(", ");
        problems.insert(
            0,
            if unwatched.len() == 1 {
                text!(
                    "no anomaly subscription watches monitor {names}",
                    "モニター {names} を監視するサブスクリプションがありません"
                )
            } else {
                text!(
                    "no anomaly subscription watches monitors {names}",
                    "モニター {names} を監視するサブスクリプションがありません"
                )
            },
        );
    }
    let problems_en = problems.iter().map(|problem| problem.en.as_str()).collect::<Vec<_>>().join("; ");
    let problems_ja = problems.iter().map(|problem| problem.ja.as_str()).collect::<Vec<_>>().join("。");
    out.fail(
        GLOBAL,
        account,
        text!(
            "no cost anomaly monitor alerts anyone: {problems_en}",
            "通知先のあるコスト異常検出モニターがありません: {problems_ja}"
        ),
    );
}

/// A daily subscription alerting `[fix] notify`, on the account's per-service monitor: the existing one
/// (AWS allows one per account), else a new one.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    let existing_monitor = fix.cx.snapshot.global.anomaly_monitors.get().ok().and_then(|monitors| {
        monitors
            .iter()
            .find(|monitor| {
                monitor.monitor_type == "DIMENSIONAL"
                    && monitor.monitor_dimension.as_deref() == Some("SERVICE")
            })
            .map(|monitor| monitor.name.clone())
    });
    failing
        .iter()
        .map(|finding| match fix.subscribers() {
            Some(subscribers) => Planned::Change {
                region: finding.region.clone(),
                action: FixAction::CreateAnomalyMonitor {
                    monitor_name: "guardline-services".to_owned(),
                    threshold_usd: fix.settings.anomaly_threshold_usd,
                    subscribers,
                    existing_monitor: existing_monitor.clone(),
                },
            },
            None => fix.needs_subscribers(&finding.region),
        })
        .collect()
}
