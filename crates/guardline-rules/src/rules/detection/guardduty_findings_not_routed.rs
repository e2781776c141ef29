//! GUARDDUTY-002.

use std::cmp::Ordering;

use guardline_model::inventory::events::EventRule;
use guardline_model::{Section, Severity, Text};
use serde_json::{Map, Value};

use super::event_patterns::{is_enabled, is_user_notifications, lists, pattern, target_list};
use crate::fix::{FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region where GuardDuty has an enabled detector, and in the home region whether or not
    /// it has one, that an enabled EventBridge rule on the default bus routes every GuardDuty finding of the
    /// account at or above the profile's `guardduty-severity-threshold` (default 7, High and Critical) to at
    /// least one target. GuardDuty's severity levels are Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9 and
    /// Critical 9.0-10.0 (the attack sequences). The rule's pattern must:
    ///
    /// - list `aws.guardduty` in `source`, and `GuardDuty Finding` in `detail-type` (or leave `detail-type`
    ///   out);
    /// - filter `detail.severity` with numeric ranges (`[{"numeric": [">=", 7]}]`; several ranges and exact
    ///   numbers are combined) that admit every severity from the threshold up to 10, with no upper bound
    ///   below 10. A filter that lists severities by value (the old `[7, 7.0, 7.1, ..., 8.9]` pattern) misses
    ///   every severity between and beyond the listed ones (the Critical level included): it fails with one
    ///   message asking for a numeric range, rather than one per gap;
    /// - not admit severity 1, the lowest GuardDuty assigns (no lower bound, `> 0`, `>= 1`): such a filter
    ///   routes everything and counts as no filter. A lower bound between 1 and the threshold passes (the
    ///   message says from which severity it routes). With a threshold at or below 1 every finding is
    ///   wanted, and a rule without a severity filter passes;
    /// - narrow on nothing else. Any other key (`detail.type`, `detail.resource.*`, `resources`, `$or`, ...)
    ///   may keep findings out, and the rule fails naming it, whatever its value: Guardline does not
    ///   try to prove that a filter on another field admits every finding. Two keys are harmless when
    ///   they name this account and region, and only then: `account` listing the scanned account's ID and
    ///   `region` listing the rule's region, since every finding GuardDuty publishes for the account in that
    ///   region carries both (an `account` or `region` that does not list them fails, naming the key). In a
    ///   GuardDuty administrator account, such an `account` filter may still drop the member accounts'
    ///   findings delivered there; this control is about each account's own findings, checked in each
    ///   account's scan.
    ///
    /// It fails when no rule matches GuardDuty findings, when a matching rule is disabled, has a filter as
    /// above, or has no target; a region's finding lists the problem of every matching rule. Content
    /// filters on `detail.severity` other than `numeric` and exact numbers (`anything-but`, strings) are
    /// taken to admit nothing. GuardDuty findings routed only through Security Hub do not count.
    ///
    /// A rule that AWS User Notifications manages (`ManagedBy` `notifications.amazonaws.com`) counts as a
    /// route without an EventBridge target: User Notifications delivers to its own channels (email, chat
    /// through Amazon Q Developer in chat applications, the former AWS Chatbot). Its managed rule holds only
    /// the source and detail type; a severity filter set in User Notifications is not visible to Guardline,
    /// and the message says so.
    ///
    /// ## Why it matters
    /// GuardDuty reports a great deal during normal work; forwarding every finding buries the one that
    /// matters, and people stop reading the channel. Forwarding none means a real attack waits in the console
    /// until someone happens to look. A severity filter at the agreed threshold sends what needs a response,
    /// and only that.
    ///
    /// ## Guideline
    /// 4-3 (GuardDuty raises many alarms during ordinary work; to avoid missing a real problem, only alarms
    /// whose severity is at or above a set value are notified).
    ///
    /// ## How to fix
    /// Create the rule with a numeric severity filter and a target (an SNS topic that AWS Chatbot, a mail list
    /// or Guardline's `watch` reads), in every region where GuardDuty is enabled:
    ///
    /// ```sh
    /// aws events put-rule --region ap-northeast-1 --name guardduty-high --event-pattern \
    ///   '{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}]}}'
    /// aws events put-targets --region ap-northeast-1 --rule guardduty-high \
    ///   --targets Id=alerts,Arn=arn:aws:sns:ap-northeast-1:123456789012:security-alerts
    /// ```
    ///
    /// ## Fix safety
    /// Safe: a new rule and target only add notifications; existing rules are left alone. The fix needs the
    /// topic to notify. It routes every scanned region that has no route yet, including those where
    /// GuardDuty is still off: the GUARDDUTY-001 fix turns it on there, and the rescan then passes both.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - Amazon GuardDuty User Guide: "Processing GuardDuty findings with Amazon EventBridge", "Severity
    ///   levels of GuardDuty findings"
    ///
    /// ## 確認内容
    /// GuardDuty に有効なディテクターがあるスキャン対象の全リージョンと、ディテクターの有無にかかわらずホームリージョンで、
    /// デフォルトのイベントバス上の有効な EventBridge ルールが、プロファイルの `guardduty-severity-threshold`(既定 7。High と
    /// Critical)以上のアカウントの GuardDuty 検出結果をすべて、少なくとも 1 つのターゲットに送っていること。GuardDuty の
    /// 重大度レベルは Low 1.0-3.9、Medium 4.0-6.9、High 7.0-8.9、Critical 9.0-10.0(攻撃シーケンス)です。ルールの
    /// パターンは次を満たす必要があります。
    ///
    /// - `source` に `aws.guardduty` を、`detail-type` に `GuardDuty Finding` を挙げる(または `detail-type` を省く)。
    /// - `detail.severity` を数値範囲(`[{"numeric": [">=", 7]}]`。複数の範囲や正確な数値は組み合わせて扱います)で絞り、
    ///   しきい値から 10 までのすべての重大度を通し、10 未満の上限を持たない。重大度を値で列挙するフィルター(古い
    ///   `[7, 7.0, 7.1, ..., 8.9]` のパターン)は、列挙した値の間と外側のすべての重大度(Critical レベルを含む)を取りこぼし
    ///   ます。この場合は、欠けた範囲ごとではなく、数値範囲を求める 1 つのメッセージで不合格にします。
    /// - GuardDuty が付ける最低の重大度 1 を通さない(下限なし、`> 0`、`>= 1`)。そのようなフィルターはすべてを送るため、
    ///   フィルターなしとみなします。1 としきい値の間の下限は合格です(どの重大度から送るかをメッセージで示します)。しきい値が
    ///   1 以下ならすべての検出結果が対象で、重大度フィルターのないルールが合格します。
    /// - 他には何も絞り込まない。他のキー(`detail.type`、`detail.resource.*`、`resources`、`$or` など)は検出結果を
    ///   締め出しうるため、その値にかかわらず、キーを示して不合格にします。Guardline は、別のフィールドのフィルターが
    ///   すべての検出結果を通すことを証明しようとはしません。無害なキーは 2 つで、それもこのアカウントとリージョンを指す
    ///   場合に限ります。スキャンしたアカウントの ID を挙げる `account` と、ルールのリージョンを挙げる `region` です。GuardDuty
    ///   がそのリージョンでアカウントについて発行する検出結果は、すべて両方を持つからです(それらを挙げない `account` や
    ///   `region` は、キーを示して不合格にします)。GuardDuty の管理者アカウントでは、そのような `account` フィルターが、
    ///   そこに届くメンバーアカウントの検出結果を落とすことがあります。このコントロールは各アカウント自身の検出結果について
    ///   のもので、各アカウントのスキャンで確認します。
    ///
    /// GuardDuty の検出結果に一致するルールがない場合、一致するルールが無効な場合、上記のようなフィルターを持つ場合、または
    /// ターゲットがない場合に不合格となります。リージョンの検出結果には、一致するすべてのルールの問題を一覧します。
    /// `detail.severity` に対する `numeric` と正確な数値以外のコンテンツフィルター(`anything-but`、文字列)は、何も通さない
    /// ものとみなします。Security Hub 経由でしか送られない GuardDuty の検出結果は数えません。
    ///
    /// AWS User Notifications が管理するルール(`ManagedBy` が `notifications.amazonaws.com`)は、EventBridge のターゲットが
    /// なくても通知経路として数えます。User Notifications は独自のチャネル(メール、Amazon Q Developer in chat
    /// applications(旧 AWS Chatbot)によるチャット)に配信するからです。その管理ルールはソースと詳細タイプしか持たず、
    /// User Notifications で設定した重大度フィルターは Guardline からは見えないため、メッセージでその旨を伝えます。
    ///
    /// ## 重要な理由
    /// GuardDuty は通常の作業中にも大量に報告します。すべての検出結果を転送すると重要な 1 件が埋もれ、誰もチャンネルを
    /// 読まなくなります。何も転送しなければ、本物の攻撃も誰かがたまたま見るまでコンソールで待つことになります。合意した
    /// しきい値での重大度フィルターは、対応が必要なものだけを送ります。
    ///
    /// ## ガイドライン
    /// 4-3(GuardDuty は通常のユーザー作業でもどんどんアラームをあげるため、真に問題であるアクセスを見落とさないよう、
    /// severity の値が一定以上のアラームのみ通知する)。
    ///
    /// ## 修正方法
    /// GuardDuty が有効な全リージョンで、数値の重大度フィルターとターゲット(AWS Chatbot、メーリングリスト、または Guardline の
    /// `watch` が読む SNS トピック)を持つルールを作成します。
    ///
    /// ```sh
    /// aws events put-rule --region ap-northeast-1 --name guardduty-high --event-pattern \
    ///   '{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}]}}'
    /// aws events put-targets --region ap-northeast-1 --rule guardduty-high \
    ///   --targets Id=alerts,Arn=arn:aws:sns:ap-northeast-1:123456789012:security-alerts
    /// ```
    ///
    /// ## 修正の安全性
    /// 安全: 新しいルールとターゲットは通知を追加するだけで、既存のルールには手を触れません。修正には通知先のトピックが
    /// 必要です。まだ通知経路のない、スキャンした全リージョンを対象にし、GuardDuty がまだ無効なリージョンも含みます。そこでは
    /// GUARDDUTY-001 の修正が GuardDuty を有効にし、再スキャンで両方が合格します。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations・AWS FSBP の該当コントロールなし
    /// - Amazon GuardDuty ユーザーガイド「Processing GuardDuty findings with Amazon EventBridge」「Severity levels of
    ///   GuardDuty findings」
    pub static RULE = {
        id: "GUARDDUTY-002",
        name: "guardduty-findings-not-routed",
        title: "High-severity GuardDuty findings are routed",
        title_ja: "重要度の高い GuardDuty 検出結果が通知される",
        section: Section::Detection,
        item: "4-3",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Route GuardDuty findings of severity 7 and above to a target with an EventBridge rule",
            ja: "重要度 7 以上の GuardDuty 検出結果を EventBridge ルールで通知先に送る",
            command: None,
        },
        data: &["guardduty:ListDetectors", "guardduty:GetDetector", "events:ListRules", "events:ListTargetsByRule"],
        check: check,
        plan: Some(plan),
    }
}

/// The highest severity GuardDuty assigns (Critical is 9.0 to 10.0).
const MAX_SEVERITY: f64 = 10.0;
/// The lowest severity GuardDuty assigns: a lower bound at or below it filters nothing.
const MIN_SEVERITY: f64 = 1.0;

fn check(cx: &Context<'_>, out: &mut Findings) {
    let threshold = cx.params.guardduty_severity_threshold;
    let home = cx.params.home_region.as_str();
    for (region, inventory) in cx.regions() {
        let detectors = inventory.guardduty_detectors.get();
        let enabled =
            detectors.is_ok_and(|detectors| detectors.iter().any(|detector| detector.status == "ENABLED"));
        let is_home = region == home;
        if !enabled && !is_home && detectors.is_ok() {
            continue;
        }
        let any_rule = cx.arn("events", region, "rule/*");
        let rules = match inventory.event_rules.get() {
            Ok(rules) => rules,
            Err(error) => {
                out.not_evaluated(region, any_rule, error);
                continue;
            }
        };
        let mut problems: Vec<Text> = Vec::new();
        let mut not_collected: Vec<Text> = Vec::new();
        let mut routed = false;
        for rule in rules {
            match judge(rule, threshold, cx.account_id(), region) {
                Verdict::NotAMatch => {}
                Verdict::Routes(message) => {
                    out.pass(region, &rule.arn, message);
                    routed = true;
                    break;
                }
                Verdict::Problem(problem) => problems.push(problem),
                Verdict::TargetsNotCollected(what) => not_collected.push(what),
            }
        }
        if routed {
            continue;
        }
        let (home_en, home_ja) =
            if is_home { (" (the home region)", " (ホームリージョン)") } else { ("", "") };
        if !not_collected.is_empty() {
            let missing = join(&not_collected, "、");
            let (missing_en, missing_ja) = (missing.en, missing.ja);
            out.not_evaluated_because(
                region,
                any_rule,
                text!(
                    "could not be evaluated: no rule collected in {region}{home_en} routes GuardDuty findings with \
                     severity >= {threshold}, but these were not collected: {missing_en}",
                    "評価できません: {region}{home_ja} で取得できた範囲には重要度 {threshold} 以上の GuardDuty \
                     検出結果を通知するルールがありませんが、次のデータを取得できませんでした: {missing_ja}"
                ),
            );
            continue;
        }
        if let Err(error) = detectors {
            out.not_evaluated_because(
                region,
                any_rule,
                text!(
                    "could not be evaluated: no rule in {region}{home_en} routes GuardDuty findings with severity \
                     >= {threshold}, and whether GuardDuty is enabled there is unknown: {error}",
                    "評価できません: {region}{home_ja} には重要度 {threshold} 以上の GuardDuty 検出結果を通知する\
                     ルールがありませんが、GuardDuty が有効かどうかを取得できませんでした: {error}"
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
        let (disabled_en, disabled_ja) = if enabled {
            ("", "")
        } else {
            (
                "; GuardDuty itself is not enabled there either (GUARDDUTY-001)",
                "。GuardDuty 自体も有効化されていません (GUARDDUTY-001)",
            )
        };
        out.fail(
            region,
            any_rule,
            text!(
                "no enabled EventBridge rule in {region}{home_en} routes GuardDuty findings with severity >= \
                 {threshold} to a target{why_en}{disabled_en}",
                "{region}{home_ja} には重要度 {threshold} 以上の GuardDuty 検出結果をターゲットに通知する有効な \
                 EventBridge ルールがありません{why_ja}{disabled_ja}"
            ),
        );
    }
}

/// What one EventBridge rule does with GuardDuty findings.
enum Verdict {
    /// It does not match GuardDuty findings.
    NotAMatch,
    /// It routes every finding at or above the threshold to a target.
    Routes(Text),
    /// It matches GuardDuty findings but falls short, as said.
    Problem(Text),
    /// Its filter is right, but its targets were not collected.
    TargetsNotCollected(Text),
}

/// What one rule does with the findings of `account` in `region` at or above `threshold`.
fn judge(rule: &EventRule, threshold: f64, account: &str, region: &str) -> Verdict {
    let Some(pattern) = pattern(rule) else { return Verdict::NotAMatch };
    if !lists(&pattern, "source", "aws.guardduty") {
        return Verdict::NotAMatch;
    }
    if pattern.contains_key("detail-type") && !lists(&pattern, "detail-type", "GuardDuty Finding") {
        return Verdict::NotAMatch;
    }
    let name = &rule.name;
    if !is_enabled(rule) {
        let state = &rule.state;
        return Verdict::Problem(text!("rule {name} is {state}", "ルール {name} は {state} です"));
    }
    // User Notifications keeps its filters (severity included) out of its managed rule's pattern.
    if is_user_notifications(rule) {
        return Verdict::Routes(text!(
            "findings with severity >= {threshold} are routed by rule {name} to AWS User \
             Notifications, which delivers them to its channels (email, chat through Amazon Q Developer); its \
             severity filter is set in User Notifications and is not visible here",
            "重要度 {threshold} 以上の検出結果はルール {name} により AWS User Notifications に送られ、\
             そのチャネル (メール、Amazon Q Developer によるチャット) に通知されます。重要度の\
             フィルターは User Notifications 側で設定され、ここからは見えません"
        ));
    }
    let mut problems = Vec::new();
    let severity = pattern.get("detail").and_then(|detail| detail.get("severity"));
    let lowest = match severity_filter(name, severity, threshold) {
        Ok(lowest) => lowest,
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let narrowing = narrowing_keys(&pattern, account, region);
    if !narrowing.is_empty() {
        let keys = join_and(&narrowing);
        let (keys_en, keys_ja) = (keys.en, keys.ja);
        problems.push(text!(
            "rule {name} also filters on {keys_en}, so it routes only the findings that match: a routing rule \
             may narrow only on source, detail-type and detail.severity (and on account or region naming this \
             account and region)",
            "ルール {name} は {keys_ja} でも絞り込んでおり、条件に合う検出結果しか通知しません: 通知ルールで絞り込んで\
             よいのは source、detail-type、detail.severity (と、このアカウント・リージョンを指定する account、region) \
             だけです"
        ));
    }
    if !problems.is_empty() {
        return Verdict::Problem(join(&problems, "。"));
    }
    let filter = severity.map_or_else(|| "none".to_owned(), Value::to_string);
    let (filter_en, filter_ja) = match severity {
        Some(_) => (format!("filter {filter}"), format!("フィルター {filter}")),
        None => ("no severity filter".to_owned(), "重要度フィルターなし".to_owned()),
    };
    match rule.targets.get() {
        Ok(targets) if !targets.is_empty() => {
            let targets = target_list(targets);
            let (below_en, below_ja) = match lowest {
                Some(from) => {
                    let from = from.describe();
                    (
                        format!(
                            "; its filter starts lower, at severity {from}, so it also routes findings below the \
                             threshold"
                        ),
                        format!("。フィルターの下限は重要度 {from} で、しきい値未満の検出結果も通知します"),
                    )
                }
                None => (String::new(), String::new()),
            };
            Verdict::Routes(text!(
                "findings with severity >= {threshold} are routed by rule {name} ({filter_en}) to \
                 {targets}{below_en}",
                "重要度 {threshold} 以上の検出結果はルール {name} ({filter_ja}) により {targets} に\
                 通知されます{below_ja}"
            ))
        }
        Ok(_) => Verdict::Problem(text!(
            "rule {name} matches findings with severity >= {threshold} but has no target",
            "ルール {name} は重要度 {threshold} 以上の検出結果に一致しますが、ターゲットがありません"
        )),
        Err(error) => Verdict::TargetsNotCollected(text!(
            "the targets of rule {name} ({error})",
            "ルール {name} のターゲット ({error})"
        )),
    }
}

/// The keys of `pattern`, other than `source`, `detail-type` and `detail.severity`, that may keep some of
/// the account's own findings out, as paths (`detail.resource.resourceType`). An `account` listing `account`
/// and a `region` listing `region` keep none out: every finding GuardDuty publishes for this account in this
/// region carries them.
fn narrowing_keys(pattern: &Map<String, Value>, account: &str, region: &str) -> Vec<Text> {
    let mut keys = Vec::new();
    for (key, value) in pattern {
        match key.as_str() {
            // `judge` has checked that they list GuardDuty's values; other values only add events.
            "source" | "detail-type" => {}
            "account" if lists(pattern, "account", account) => {}
            "region" if lists(pattern, "region", region) => {}
            "account" => keys.push(text!(
                "account (it does not list this account, {account})",
                "account (このアカウント {account} を含みません)"
            )),
            "region" => keys.push(text!(
                "region (it does not list this region, {region})",
                "region (このリージョン {region} を含みません)"
            )),
            "detail" => match value {
                Value::Object(detail) => {
                    for (key, value) in detail {
                        if key != "severity" {
                            leaf_paths(&format!("detail.{key}"), value, &mut keys);
                        }
                    }
                }
                _ => keys.push(Text::new("detail", "detail")),
            },
            _ => leaf_paths(key, value, &mut keys),
        }
    }
    keys
}

/// `prefix` and, for an object, the paths of its leaves (`detail.resource.resourceType`).
fn leaf_paths(prefix: &str, value: &Value, out: &mut Vec<Text>) {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            for (key, value) in fields {
                leaf_paths(&format!("{prefix}.{key}"), value, out);
            }
        }
        _ => out.push(Text::new(prefix, prefix)),
    }
}

/// GuardDuty's severity levels, as the console names them (lower bound inclusive, upper exclusive except
/// for Critical, which ends at 10).
const LEVELS: &[(f64, f64, &str, &str)] = &[
    (1.0, 4.0, "Low", "低"),
    (4.0, 7.0, "Medium", "中"),
    (7.0, 9.0, "High", "高"),
    (9.0, 10.0, "Critical", "重大"),
];

/// Checks a `detail.severity` filter (`None`: the pattern has none) against `threshold`. `Ok` when every
/// severity from the threshold (or 1, the lowest GuardDuty assigns) up to 10 is admitted and, unless the
/// threshold is at or below 1, severity 1 is not (a filter that admits it admits everything): with the
/// lower bound when the filter starts below the threshold. `Err` says what is wrong.
fn severity_filter(name: &str, severity: Option<&Value>, threshold: f64) -> Result<Option<Bound>, Text> {
    let wants_all = threshold <= MIN_SEVERITY;
    let Some(severity) = severity else {
        if wants_all {
            return Ok(None);
        }
        return Err(text!(
            "rule {name} has no detail.severity filter: it routes every finding, low-severity noise included",
            "ルール {name} には detail.severity のフィルターがなく、重要度の低いノイズを含むすべての検出結果を通知します"
        ));
    };
    let filter = severity.to_string();
    let matchers = match severity {
        Value::Array(matchers) => matchers.as_slice(),
        _ => &[],
    };
    let ranges: Vec<Range> =
        matchers.iter().filter_map(numeric_range).filter(|range| !range.is_empty()).collect();
    let from = threshold.max(MIN_SEVERITY);
    let example = format!("[{{\"numeric\":[\">=\",{from}]}}]");
    if ranges.is_empty() {
        return Err(text!(
            "rule {name} filters detail.severity with {filter}, which has no numeric condition; use a numeric \
             range, e.g. {example}",
            "ルール {name} の detail.severity のフィルター {filter} には有効な数値条件がありません。{example} の\
             ような数値範囲を使ってください"
        ));
    }
    if !wants_all && let Some(range) = ranges.iter().find(|range| range.admits(MIN_SEVERITY)) {
        return Err(match range.low {
            None => text!(
                "rule {name}'s severity filter {filter} has no lower bound: it routes every finding, \
                 low-severity noise included",
                "ルール {name} の重要度フィルター {filter} には下限がなく、重要度の低いノイズを含むすべての検出結果を\
                 通知します"
            ),
            Some(low) => {
                let low = low.describe();
                text!(
                    "rule {name}'s severity filter {filter} starts at severity {low}, which admits severity 1, \
                     the lowest GuardDuty assigns: it routes every finding, low-severity noise included",
                    "ルール {name} の重要度フィルター {filter} の下限 {low} は GuardDuty の最低の重要度 1 も通すため、\
                     重要度の低いノイズを含むすべての検出結果を通知します"
                )
            }
        });
    }
    let missed = gaps(&ranges, from, MAX_SEVERITY);
    let lowest = ranges.iter().map(|range| range.low).min_by(|a, b| low_order(*a, *b)).flatten();
    if missed.is_empty() {
        return Ok(lowest.filter(|low| low.value < threshold));
    }
    let levels = join_and(&missed_levels(&missed));
    let (levels_en, levels_ja) = (levels.en, levels.ja);
    let critical = missed.iter().any(|gap| gap.overlaps(9.0, MAX_SEVERITY));
    let (critical_en, critical_ja) = if critical {
        (
            " (Critical, 9.0 to 10.0, is where GuardDuty's attack sequences are)",
            " (重大は 9.0 から 10.0 で、GuardDuty の攻撃シーケンスはここに入ります)",
        )
    } else {
        ("", "")
    };
    let by_value: Vec<f64> =
        matchers.iter().filter_map(Value::as_f64).filter(|value| *value >= from).collect();
    if !by_value.is_empty() {
        let count = by_value.len();
        let low = by_value.iter().copied().fold(f64::INFINITY, f64::min);
        let high = by_value.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (listed_en, listed_ja) = if count == 1 {
            (format!("severity {low}"), format!("重要度 {low}"))
        } else {
            (
                format!("{count} severities ({low} to {high})"),
                format!("重要度 {count} 個 ({low} から {high})"),
            )
        };
        return Err(text!(
            "rule {name}'s severity filter lists {listed_en} by value: a severity it does not list is not \
             routed, and it misses {levels_en} findings at or above the threshold {threshold}{critical_en}; use \
             a numeric range, e.g. {example}",
            "ルール {name} の重要度フィルターは{listed_ja} を値で列挙しており、列挙されていない重要度は通知されません。\
             しきい値 {threshold} 以上の検出結果のうち重要度 {levels_ja} のものを通知しません{critical_ja}。\
             {example} のような数値範囲を使ってください"
        ));
    }
    let lower_above = lowest.is_some_and(|low| low.value > from || (low.value == from && !low.inclusive));
    let highest = ranges.iter().map(|range| range.high).max_by(high_order).flatten();
    let upper_below = highest
        .is_some_and(|high| high.value < MAX_SEVERITY || (high.value == MAX_SEVERITY && !high.inclusive));
    let last = missed.len() - 1;
    let described: Vec<Text> = missed
        .iter()
        .enumerate()
        .map(|(index, gap)| {
            let span = gap.describe();
            let (span_en, span_ja) = (format!("severity {}", span.en), format!("重要度 {}", span.ja));
            if gap.starts_at(from) && gap.ends_at(MAX_SEVERITY) {
                text!(
                    "{span_en} (it admits no severity at or above the threshold)",
                    "{span_ja} (しきい値以上の重要度をまったく通しません)"
                )
            } else if index == 0 && lower_above {
                text!(
                    "{span_en} (its lower bound is above the threshold)",
                    "{span_ja} (下限がしきい値より上です)"
                )
            } else if index == last && upper_below && gap.ends_at(MAX_SEVERITY) {
                text!("{span_en} (its upper bound is below 10)", "{span_ja} (上限が 10 未満です)")
            } else {
                text!("{span_en} (between its ranges)", "{span_ja} (範囲の間の漏れ)")
            }
        })
        .collect();
    let missed = join_with(&described, ", ", "、");
    let (missed_en, missed_ja) = (missed.en, missed.ja);
    let (hint_en, hint_ja) = if upper_below {
        (
            format!("; use a numeric range with no upper bound, e.g. {example}"),
            format!("。{example} のような上限のない数値範囲を使ってください"),
        )
    } else {
        (String::new(), String::new())
    };
    Err(text!(
        "rule {name}'s severity filter {filter} misses {levels_en} findings at or above the threshold \
         {threshold}{critical_en}: {missed_en}{hint_en}",
        "ルール {name} の重要度フィルター {filter} はしきい値 {threshold} 以上の検出結果のうち重要度 {levels_ja} \
         の一部を通知しません{critical_ja}: {missed_ja}{hint_ja}"
    ))
}

/// The names of the GuardDuty severity levels the gaps reach into, in order.
fn missed_levels(gaps: &[Range]) -> Vec<Text> {
    LEVELS
        .iter()
        .filter(|(low, high, _, _)| {
            gaps.iter().any(|gap| {
                if *high == MAX_SEVERITY {
                    gap.overlaps(*low, *high)
                } else {
                    gap.overlaps_below(*low, *high)
                }
            })
        })
        .map(|(_, _, en, ja)| Text::new(*en, *ja))
        .collect()
}

/// One end of a range of severities.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bound {
    value: f64,
    inclusive: bool,
}

impl Bound {
    /// As a lower bound: `>= 7`, `> 7`.
    fn describe(self) -> String {
        let operator = if self.inclusive { ">=" } else { ">" };
        format!("{operator} {}", self.value)
    }
}

/// The severities one matcher admits; `None` is unbounded on that side.
#[derive(Debug, Clone, Copy)]
struct Range {
    low: Option<Bound>,
    high: Option<Bound>,
}

impl Range {
    fn is_empty(&self) -> bool {
        match (self.low, self.high) {
            (Some(low), Some(high)) => {
                low.value > high.value || (low.value == high.value && !(low.inclusive && high.inclusive))
            }
            _ => false,
        }
    }

    /// Whether it admits severity `value`.
    fn admits(&self, value: f64) -> bool {
        let above = self.low.is_none_or(|low| value > low.value || (value == low.value && low.inclusive));
        let below =
            self.high.is_none_or(|high| value < high.value || (value == high.value && high.inclusive));
        above && below
    }

    /// The severities both admit.
    fn intersect(&self, other: &Range) -> Range {
        let low = match (self.low, other.low) {
            (None, bound) | (bound, None) => bound,
            (Some(a), Some(b)) => Some(tighter_low(Some(a), b)),
        };
        let high = match (self.high, other.high) {
            (None, bound) | (bound, None) => bound,
            (Some(a), Some(b)) => Some(tighter_high(Some(a), b)),
        };
        Range { low, high }
    }

    /// Whether it admits a severity from `low` to `high`, both included.
    fn overlaps(&self, low: f64, high: f64) -> bool {
        let span = Range {
            low: Some(Bound { value: low, inclusive: true }),
            high: Some(Bound { value: high, inclusive: true }),
        };
        !self.intersect(&span).is_empty()
    }

    /// Whether it admits a severity from `low` (included) to below `high`.
    fn overlaps_below(&self, low: f64, high: f64) -> bool {
        let span = Range {
            low: Some(Bound { value: low, inclusive: true }),
            high: Some(Bound { value: high, inclusive: false }),
        };
        !self.intersect(&span).is_empty()
    }

    fn starts_at(&self, value: f64) -> bool {
        self.low.is_some_and(|low| low.value == value && low.inclusive)
    }

    fn ends_at(&self, value: f64) -> bool {
        self.high.is_some_and(|high| high.value == value && high.inclusive)
    }

    /// `>= 7 and < 8`, `= 10`.
    fn describe(&self) -> Text {
        if let (Some(low), Some(high)) = (self.low, self.high)
            && low == high
        {
            return Text::new(format!("= {}", low.value), format!("= {}", low.value));
        }
        let mut parts = Vec::new();
        if let Some(low) = self.low {
            parts.push(low.describe());
        }
        if let Some(high) = self.high {
            let operator = if high.inclusive { "<=" } else { "<" };
            parts.push(format!("{operator} {}", high.value));
        }
        Text::new(parts.join(" and "), parts.join(" かつ "))
    }
}

/// The range one element of a `detail.severity` filter admits: an exact number, or
/// `{"numeric": [">=", 4, "<", 7]}`. Anything else admits nothing Guardline can tell.
fn numeric_range(matcher: &Value) -> Option<Range> {
    if let Some(value) = matcher.as_f64() {
        let exact = Bound { value, inclusive: true };
        return Some(Range { low: Some(exact), high: Some(exact) });
    }
    let object = matcher.as_object()?;
    if object.len() != 1 {
        return None;
    }
    let conditions = object.get("numeric")?.as_array()?;
    if conditions.is_empty() || conditions.len() % 2 != 0 {
        return None;
    }
    let mut range = Range { low: None, high: None };
    for pair in conditions.chunks(2) {
        let [operator, value] = pair else { return None };
        let value = value.as_f64()?;
        let inclusive = matches!(operator.as_str()?, ">=" | "<=" | "=");
        let bound = Bound { value, inclusive };
        match operator.as_str()? {
            ">" | ">=" => range.low = Some(tighter_low(range.low, bound)),
            "<" | "<=" => range.high = Some(tighter_high(range.high, bound)),
            "=" => {
                range.low = Some(tighter_low(range.low, bound));
                range.high = Some(tighter_high(range.high, bound));
            }
            _ => return None,
        }
    }
    Some(range)
}

fn tighter_low(current: Option<Bound>, new: Bound) -> Bound {
    match current {
        Some(current) if low_order(Some(current), Some(new)) == Ordering::Greater => current,
        _ => new,
    }
}

fn tighter_high(current: Option<Bound>, new: Bound) -> Bound {
    match current {
        Some(current) if high_order(&Some(current), &Some(new)) == Ordering::Less => current,
        _ => new,
    }
}

/// Orders lower bounds from the one that admits most: unbounded first, then by value, inclusive before
/// exclusive.
fn low_order(a: Option<Bound>, b: Option<Bound>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => a.value.total_cmp(&b.value).then(b.inclusive.cmp(&a.inclusive)),
    }
}

/// Orders upper bounds to the one that admits most: by value, exclusive before inclusive, unbounded last.
fn high_order(a: &Option<Bound>, b: &Option<Bound>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(a), Some(b)) => a.value.total_cmp(&b.value).then(a.inclusive.cmp(&b.inclusive)),
    }
}

/// The parts of `[from, to]` that none of `ranges` admits, lowest first.
fn gaps(ranges: &[Range], from: f64, to: f64) -> Vec<Range> {
    let mut ranges: Vec<Range> = ranges.iter().copied().filter(|range| !range.is_empty()).collect();
    ranges.sort_by(|a, b| low_order(a.low, b.low));
    // The lowest severity not yet admitted: `inclusive` when that value itself is still open. `None` once
    // everything above is admitted.
    let mut open = Some(Bound { value: from, inclusive: true });
    let mut gaps = Vec::new();
    let past_end = |bound: Bound| bound.value > to || (bound.value == to && !bound.inclusive);
    for range in ranges {
        let Some(cursor) = open else { break };
        if past_end(cursor) {
            break;
        }
        if let Some(low) = range.low
            && (low.value > cursor.value || (low.value == cursor.value && !low.inclusive && cursor.inclusive))
        {
            let high = if low.value > to {
                Bound { value: to, inclusive: true }
            } else {
                Bound { value: low.value, inclusive: !low.inclusive }
            };
            let gap = Range { low: Some(cursor), high: Some(high) };
            if !gap.is_empty() {
                gaps.push(gap);
            }
            if low.value > to {
                return gaps;
            }
        }
        open = match range.high {
            None => None,
            Some(high) => {
                let next = Bound { value: high.value, inclusive: !high.inclusive };
                let later = next.value > cursor.value
                    || (next.value == cursor.value && !next.inclusive && cursor.inclusive);
                Some(if later { next } else { cursor })
            }
        };
    }
    if let Some(cursor) = open
        && !past_end(cursor)
    {
        gaps.push(Range { low: Some(cursor), high: Some(Bound { value: to, inclusive: true }) });
    }
    gaps
}

/// Joins texts: `; ` in English; in Japanese `、` between noun phrases, `。` between sentences.
fn join(items: &[Text], ja_separator: &str) -> Text {
    join_with(items, "; ", ja_separator)
}

/// Joins names: `a, b and c`; in Japanese `a、b、c`.
fn join_and(items: &[Text]) -> Text {
    let en = match items {
        [] => String::new(),
        [one] => one.en.clone(),
        [rest @ .., last] => {
            format!(
                "{} and {}",
                rest.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join(", "),
                last.en
            )
        }
    };
    Text::new(en, items.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join("、"))
}

fn join_with(items: &[Text], en_separator: &str, ja_separator: &str) -> Text {
    Text::new(
        items.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join(en_separator),
        items.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join(ja_separator),
    )
}

/// A rule per failing region that sends findings at or above the threshold to the alert topic.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    let threshold = fix.cx.params.guardduty_severity_threshold;
    let pattern = serde_json::json!({
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", threshold]}]},
    });
    // The failing regions, and every other scanned region without a route: the GUARDDUTY-001 fix may enable
    // GuardDuty there, and the rescan would then fail this control in the region (a fix must converge). A
    // route in a region without a detector is harmless.
    let mut regions: Vec<&str> = failing.iter().map(|finding| finding.region.as_str()).collect();
    for (region, inventory) in fix.cx.regions() {
        let Ok(rules) = inventory.event_rules.get() else { continue };
        let routed = rules
            .iter()
            .any(|rule| matches!(judge(rule, threshold, fix.cx.account_id(), region), Verdict::Routes(_)));
        if !routed && !regions.contains(&region) {
            regions.push(region);
        }
    }
    regions.sort_unstable();
    regions
        .into_iter()
        .map(|region| fix.route(region, "guardline-guardduty-findings", pattern.clone()))
        .collect()
}
