//! GUARDDUTY-002.

use std::cmp::Ordering;

use guardline_model::inventory::events::EventRule;
use guardline_model::{Section, Severity, Text};
use serde_json::Value;

use super::event_patterns::{is_enabled, lists, pattern, target_list};
use crate::fix::{FixContext, Planned};
use crate::{Context, Findings, FixAvailability};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region where GuardDuty has an enabled detector, and in the home region whether or not
    /// it has one, that an enabled EventBridge rule on the default bus routes GuardDuty findings at or above
    /// the profile's `guardduty-severity-threshold` (default 7, High and Critical) to at least one target.
    /// The rule's pattern must:
    ///
    /// - list `aws.guardduty` in `source`, and `GuardDuty Finding` in `detail-type` (or leave `detail-type`
    ///   out);
    /// - filter `detail.severity` numerically (`[{"numeric": [">=", 7]}]`; several conditions and ranges are
    ///   combined) so that every severity from the threshold up to 10 is admitted;
    /// - have a lower bound. A lower bound below the threshold still passes (the message says from which
    ///   severity it routes), but one at or below 1, the lowest severity GuardDuty assigns, filters nothing
    ///   and counts as no filter.
    ///
    /// It fails when no rule matches GuardDuty findings, when a matching rule is disabled, has no severity
    /// filter, starts above the threshold (the findings in between are named), stops below 10, leaves a gap
    /// between its ranges, or has no target. Content filters other than `numeric` and exact numbers are not
    /// interpreted. GuardDuty findings routed only through Security Hub do not count.
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
    /// topic to notify.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - Amazon GuardDuty User Guide: "Processing GuardDuty findings with Amazon EventBridge", "Severity
    ///   levels of GuardDuty findings"
    pub static RULE = {
        id: "GUARDDUTY-002",
        name: "guardduty-findings-not-routed",
        title: "High-severity GuardDuty findings are routed",
        title_ja: "重要度の高い GuardDuty 検出結果が通知される",
        section: Section::Detection,
        item: "4-3",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
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
            match judge(rule, threshold) {
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

fn judge(rule: &EventRule, threshold: f64) -> Verdict {
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
    let Some(severity) = pattern.get("detail").and_then(|detail| detail.get("severity")) else {
        return Verdict::Problem(text!(
            "rule {name} has no detail.severity filter: it routes every finding, low-severity noise included",
            "ルール {name} には detail.severity のフィルターがなく、重要度の低いノイズを含むすべての検出結果を通知します"
        ));
    };
    let filter = severity.to_string();
    let ranges: Vec<Range> = match severity {
        Value::Array(matchers) => {
            matchers.iter().filter_map(numeric_range).filter(|range| !range.is_empty()).collect()
        }
        _ => Vec::new(),
    };
    let Some(first) = ranges.iter().min_by(|a, b| low_order(a.low, b.low)) else {
        return Verdict::Problem(text!(
            "rule {name} filters detail.severity with {filter}, which has no numeric condition",
            "ルール {name} の detail.severity のフィルター {filter} には有効な数値条件がありません"
        ));
    };
    let Some(lowest) = first.low else {
        return Verdict::Problem(text!(
            "rule {name}'s severity filter {filter} has no lower bound: it routes every finding, low-severity \
             noise included",
            "ルール {name} の重要度フィルター {filter} には下限がなく、重要度の低いノイズを含むすべての検出結果を通知します"
        ));
    };
    if threshold > MIN_SEVERITY && lowest.value <= MIN_SEVERITY {
        let from = lowest.describe();
        return Verdict::Problem(text!(
            "rule {name}'s severity filter {filter} starts at severity {from}, which filters nothing (GuardDuty \
             severities start at 1): it routes every finding, low-severity noise included",
            "ルール {name} の重要度フィルター {filter} の下限 {from} では何も除外されず (GuardDuty の重要度は 1 から)、\
             重要度の低いノイズを含むすべての検出結果を通知します"
        ));
    }
    let missed = gaps(&ranges, threshold, MAX_SEVERITY);
    if !missed.is_empty() {
        let lower_above = lowest.value > threshold || (lowest.value == threshold && !lowest.inclusive);
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
                if gap.starts_at(threshold) && gap.ends_at(MAX_SEVERITY) {
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
        return Verdict::Problem(text!(
            "rule {name}'s severity filter {filter} misses findings at or above the threshold {threshold}: \
             {missed_en}",
            "ルール {name} の重要度フィルター {filter} はしきい値 {threshold} 以上の検出結果の一部を通知しません: \
             {missed_ja}"
        ));
    }
    match rule.targets.get() {
        Ok(targets) if !targets.is_empty() => {
            let targets = target_list(targets);
            let (below_en, below_ja) = if lowest.value < threshold {
                let from = lowest.describe();
                (
                    format!(
                        "; its filter starts lower, at severity {from}, so it also routes findings below the threshold"
                    ),
                    format!("。フィルターの下限は重要度 {from} で、しきい値未満の検出結果も通知します"),
                )
            } else {
                (String::new(), String::new())
            };
            Verdict::Routes(text!(
                "findings with severity >= {threshold} are routed by rule {name} (filter {filter}) to \
                 {targets}{below_en}",
                "重要度 {threshold} 以上の検出結果はルール {name} (フィルター {filter}) により {targets} に\
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
    failing
        .iter()
        .map(|finding| fix.route(&finding.region, "guardline-guardduty-findings", pattern.clone()))
        .collect()
}
