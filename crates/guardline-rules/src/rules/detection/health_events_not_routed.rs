//! HEALTH-001.

use guardline_model::{Section, Severity, Text};

use super::event_patterns::{is_enabled, is_user_notifications, lists, pattern, target_list};
use crate::fix::{FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// That AWS Health events reach people, region by region: in every scanned region, an enabled
    /// EventBridge rule on the default bus has an event pattern whose `source` lists `aws.health`, and that
    /// rule has at least one target (an SNS topic, AWS Chatbot, a Lambda function, ...). Patterns that are not
    /// valid JSON match nothing. One finding per scanned region: a rule in one region does not route another
    /// region's events.
    ///
    /// AWS Health sends global events (those not about one region, such as IAM's) to US East (N. Virginia)
    /// only (`us-gov-west-1` in AWS GovCloud (US)), so the finding for `us-east-1` covers them too. When
    /// `us-east-1` is not among the scanned regions, an extra finding for `us-east-1` is NOT EVALUATED: Guardline
    /// did not look there, so it cannot say the rule is missing (a FAIL would also make `guardline fix` create
    /// a rule it has not checked for), and NOT EVALUATED is never a pass. Scan `us-east-1` to evaluate it. In
    /// other partitions (China, ...), Guardline does not know where global events go and checks the scanned
    /// regions only.
    ///
    /// A region whose rules, or whose matching rule's targets, were not collected is NOT EVALUATED unless
    /// another rule there routes the events.
    ///
    /// A rule that AWS User Notifications manages (`ManagedBy` `notifications.amazonaws.com`) counts as routed
    /// without an EventBridge target: User Notifications delivers to its own channels (email, chat through
    /// Amazon Q Developer in chat applications, the former AWS Chatbot). A rule whose target is an SNS topic
    /// that Amazon Q Developer reads is routed like any other.
    ///
    /// ## Why it matters
    /// AWS Health tells the account about outages that affect its resources, scheduled maintenance and
    /// retirements, and expiring certificates or deprecated runtimes that need action. It is only visible in
    /// the console unless it is routed somewhere people read, so events that need action go unseen.
    ///
    /// Health delivers each region's events to EventBridge in that region only: "You must create an
    /// EventBridge rule for each Region that you want to receive AWS Health events for." A rule in Tokyo
    /// says nothing about the maintenance of an instance in Ireland, nor about IAM.
    ///
    /// ## Guideline
    /// 4-2 (Personal Health Dashboard events are sent to Slack through AWS Chatbot).
    ///
    /// ## How to fix
    /// In every region you run resources in, and in `us-east-1` for global events, create the rule and point
    /// it at the SNS topic AWS Chatbot (or the mail list) subscribes to in that region:
    ///
    /// ```sh
    /// aws events put-rule --region us-east-1 --name health-events --event-pattern '{"source":["aws.health"]}'
    /// aws events put-targets --region us-east-1 --rule health-events \
    ///   --targets Id=alerts,Arn=arn:aws:sns:us-east-1:123456789012:health-alerts
    /// ```
    ///
    /// AWS Health also sends public events to a backup region (US West (Oregon), whose own backup is
    /// `us-east-1`); a second rule there keeps alerts coming while a primary region is impaired.
    ///
    /// ## Fix safety
    /// Safe: a rule and a target only add notifications. `guardline fix` creates the rule
    /// `guardline-health-events` and the alert topic in every failing region (never in a region that was
    /// not evaluated). The fix needs the addresses to notify.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - AWS Health User Guide: "Monitoring AWS Health events with Amazon EventBridge", "Creating EventBridge
    ///   rules for AWS Region coverage"
    ///
    /// ## 確認内容
    /// AWS Health のイベントがリージョンごとに人に届くこと。スキャンした全リージョンで、デフォルトのイベントバス上の有効な
    /// EventBridge ルールが、`source` に `aws.health` を挙げるイベントパターンを持ち、そのルールにターゲット(SNS トピック、
    /// AWS Chatbot、Lambda 関数など)が少なくとも 1 つあること。有効な JSON でないパターンは何にも一致しません。検出結果は
    /// スキャンしたリージョンごとに 1 つです。あるリージョンのルールは、別のリージョンのイベントを送りません。
    ///
    /// AWS Health はグローバルイベント(IAM のものなど、特定のリージョンに関するものでないイベント)を米国東部(バージニア北部)
    /// にだけ送ります(AWS GovCloud (US) では `us-gov-west-1`)。そのため `us-east-1` の検出結果はそれらも対象にします。
    /// `us-east-1` がスキャン対象のリージョンに含まれない場合、`us-east-1` についての追加の検出結果は未評価(NOT EVALUATED)に
    /// なります。Guardline はそこを見ていないので、ルールがないとは言えず(不合格にすると、`guardline fix` が確認していない
    /// ルールを作成することにもなります)、未評価は決して合格ではありません。評価するには `us-east-1` をスキャンしてください。
    /// その他のパーティション(中国など)では、Guardline はグローバルイベントの送り先を知らないため、スキャンしたリージョン
    /// だけを確認します。
    ///
    /// ルール、または一致するルールのターゲットを収集できなかったリージョンは、そこに別のイベントを送るルールがない限り、
    /// 未評価(NOT EVALUATED)になります。
    ///
    /// AWS User Notifications が管理するルール(`ManagedBy` が `notifications.amazonaws.com`)は、EventBridge のターゲットが
    /// なくても送られているものとして数えます。User Notifications は独自のチャネル(メール、Amazon Q Developer in chat
    /// applications(旧 AWS Chatbot)によるチャット)に配信するからです。Amazon Q Developer が読む SNS トピックをターゲットに
    /// するルールは、他と同じく送られているものとして扱います。
    ///
    /// ## 重要な理由
    /// AWS Health は、アカウントのリソースに影響する障害、予定されたメンテナンスや廃止、対応が必要な証明書の期限切れや
    /// ランタイムの非推奨化を知らせます。人が読む場所に送らない限りコンソールでしか見えないため、対応が必要なイベントが
    /// 見逃されます。
    ///
    /// Health は各リージョンのイベントを、そのリージョンの EventBridge にしか配信しません。「AWS Health イベントを受け取りたい
    /// リージョンごとに EventBridge ルールを作成する必要があります」。東京のルールは、アイルランドのインスタンスの
    /// メンテナンスについても IAM についても何も伝えません。
    ///
    /// ## ガイドライン
    /// 4-2(Personal Health Dashboard のイベントを AWS Chatbot で Slack に通知する)。
    ///
    /// ## 修正方法
    /// リソースを動かしているすべてのリージョンと、グローバルイベントのための `us-east-1` でルールを作成し、そのリージョンで
    /// AWS Chatbot(またはメーリングリスト)がサブスクライブしている SNS トピックをターゲットにします。
    ///
    /// ```sh
    /// aws events put-rule --region us-east-1 --name health-events --event-pattern '{"source":["aws.health"]}'
    /// aws events put-targets --region us-east-1 --rule health-events \
    ///   --targets Id=alerts,Arn=arn:aws:sns:us-east-1:123456789012:health-alerts
    /// ```
    ///
    /// AWS Health はパブリックイベントをバックアップリージョン(米国西部(オレゴン)。そのバックアップは `us-east-1`)にも
    /// 送ります。そこに 2 つ目のルールを置けば、プライマリのリージョンに障害があってもアラートが届き続けます。
    ///
    /// ## 修正の安全性
    /// 安全: ルールとターゲットは通知を追加するだけです。`guardline fix` は不合格の全リージョンにルール
    /// `guardline-health-events` とアラート用トピックを作成します(評価されなかったリージョンには決して作成しません)。修正には
    /// 通知先のアドレスが必要です。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations・AWS FSBP の該当コントロールなし
    /// - AWS Health ユーザーガイド「Monitoring AWS Health events with Amazon EventBridge」「Creating EventBridge rules for
    ///   AWS Region coverage」
    pub static RULE = {
        id: "HEALTH-001",
        name: "health-events-not-routed",
        title: "AWS Health events are routed",
        title_ja: "AWS Health のイベントが通知される",
        section: Section::Detection,
        item: "4-2",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Route AWS Health events to a target with an EventBridge rule",
            ja: "AWS Health イベントを EventBridge ルールで通知先に送る",
            command: None,
        },
        data: &["events:ListRules", "events:ListTargetsByRule"],
        check: check,
        plan: Some(plan),
    }
}

/// The region AWS Health sends global events (IAM's, ...) to, in `partition`; `None` where Guardline does
/// not know it.
fn global_events_region(partition: &str) -> Option<&'static str> {
    match partition {
        "aws" => Some("us-east-1"),
        "aws-us-gov" => Some("us-gov-west-1"),
        _ => None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    if !out.require_regions(cx, &cx.account_arn()) {
        return;
    }
    let global = global_events_region(cx.partition());
    for (region, inventory) in cx.regions() {
        let any_rule = cx.arn("events", region, "rule/*");
        let (global_en, global_ja) = if global == Some(region) {
            (
                " (where AWS Health also sends global events, such as IAM's)",
                " (IAM などのグローバルイベントも届くリージョン)",
            )
        } else {
            ("", "")
        };
        let rules = match inventory.event_rules.get() {
            Ok(rules) => rules,
            Err(error) => {
                out.not_evaluated(region, any_rule, error);
                continue;
            }
        };
        let mut routed = None;
        let mut problems: Vec<Text> = Vec::new();
        let mut not_collected: Vec<Text> = Vec::new();
        for rule in rules {
            if !pattern(rule).is_some_and(|pattern| lists(&pattern, "source", "aws.health")) {
                continue;
            }
            let name = &rule.name;
            if !is_enabled(rule) {
                let state = &rule.state;
                problems.push(text!("rule {name} is {state}", "ルール {name} は {state} です"));
                continue;
            }
            if is_user_notifications(rule) {
                routed = Some((rule, "AWS User Notifications".to_owned()));
                break;
            }
            match rule.targets.get() {
                Ok(targets) if !targets.is_empty() => {
                    routed = Some((rule, target_list(targets)));
                    break;
                }
                Ok(_) => problems
                    .push(text!("rule {name} has no target", "ルール {name} にはターゲットがありません")),
                Err(error) => not_collected.push(text!(
                    "the targets of rule {name} ({error})",
                    "ルール {name} のターゲット ({error})"
                )),
            }
        }
        if let Some((rule, targets)) = routed {
            let name = &rule.name;
            out.pass(
                region,
                &rule.arn,
                text!(
                    "AWS Health events of {region}{global_en} are routed by rule {name} to {targets}",
                    "{region}{global_ja} の AWS Health のイベントはルール {name} で {targets} に通知されます"
                ),
            );
            continue;
        }
        if !not_collected.is_empty() {
            let missing = join(&not_collected, "、");
            let (missing_en, missing_ja) = (missing.en, missing.ja);
            out.not_evaluated_because(
                region,
                any_rule,
                text!(
                    "could not be evaluated: no rule collected in {region}{global_en} routes AWS Health events, \
                     but these were not collected: {missing_en}",
                    "評価できません: {region}{global_ja} で取得できた範囲には AWS Health のイベントを通知する\
                     ルールがありませんが、次のデータを取得できませんでした: {missing_ja}"
                ),
            );
            continue;
        }
        let (why_en, why_ja) = if problems.is_empty() {
            (String::new(), String::new())
        } else {
            let problems = join(&problems, "。");
            (format!(": {}", problems.en), format!(": {}", problems.ja))
        };
        out.fail(
            region,
            any_rule,
            text!(
                "no enabled EventBridge rule in {region}{global_en} matches aws.health events with a \
                 target{why_en}",
                "{region}{global_ja} には aws.health のイベントに一致しターゲットを持つ有効な EventBridge ルールが\
                 ありません{why_ja}"
            ),
        );
    }
    if let Some(global) = global
        && !cx.snapshot.regions.contains_key(global)
    {
        out.not_evaluated_because(
            global,
            cx.arn("events", global, "rule/*"),
            text!(
                "could not be evaluated: AWS Health sends global events (such as IAM's) only to {global}, which \
                 was not scanned; add {global} to the scanned regions",
                "評価できません: AWS Health は IAM などのグローバルイベントを {global} にしか送りませんが、\
                 {global} はスキャンしていません。スキャンするリージョンに {global} を加えてください"
            ),
        );
    }
}

/// Joins texts: `; ` in English; in Japanese `ja_separator` (`、` between noun phrases, `。` between
/// sentences).
fn join(items: &[Text], ja_separator: &str) -> Text {
    Text::new(
        items.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join("; "),
        items.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join(ja_separator),
    )
}

/// In every failing region, a rule that sends every AWS Health event to the alert topic of that region.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    let pattern = serde_json::json!({"source": ["aws.health"]});
    failing
        .iter()
        .map(|finding| fix.route(&finding.region, "guardline-health-events", pattern.clone()))
        .collect()
}
