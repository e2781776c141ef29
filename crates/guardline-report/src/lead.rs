//! What the reader should do next, shared by the terminal and HTML reports (and the JSON `fix_first`): the
//! "fix first" order of the failing controls, the commands that remedy them, each control's reach in words
//! ("3 of 5 failing"), and the failed API calls behind NOT EVALUATED, each named once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use guardline_model::ErrorKind;
use guardline_rules::{EvaluatedFinding, FixAvailability, Outcome, Rule, find_rule};

use crate::ControlSummary;

/// How many failing controls the "fix first" block lists.
pub const FIX_FIRST: usize = 5;

/// One failing control, with what makes it urgent.
#[derive(Debug, Clone)]
pub struct Priority<'a> {
    pub control: &'a ControlSummary,
    pub rule: &'static Rule,
    /// Its failing findings (FAIL or WARN).
    pub failing: usize,
    /// Every finding of the control.
    pub total: usize,
    /// A failing finding is about the whole account (its root ARN): one setting exposes everything.
    pub account_wide: bool,
}

impl Priority<'_> {
    /// The reach in words: "account-wide" or "3 of 5 failing".
    pub fn reach(&self, lang: &str) -> String {
        if self.account_wide { account_wide(lang).to_owned() } else { reach(self.control, lang) }
    }
}

fn account_wide(lang: &str) -> &'static str {
    if lang == "ja" { "アカウント全体" } else { "account-wide" }
}

/// The failing controls, most urgent first: FAIL before WARN, then by severity, then by reach (account-wide
/// first, then more failing resources), then in guideline order.
pub fn fix_first<'a>(
    controls: &'a [ControlSummary],
    by_control: &HashMap<&str, Vec<&EvaluatedFinding>>,
) -> Vec<Priority<'a>> {
    let mut failing: Vec<(usize, Priority<'a>)> = controls
        .iter()
        .enumerate()
        .filter(|(_, control)| matches!(control.outcome, Some(Outcome::Fail | Outcome::Warn)))
        .filter_map(|(order, control)| {
            let rule = find_rule(control.id)?;
            let findings = by_control.get(control.id).map(Vec::as_slice).unwrap_or_default();
            let failing_findings =
                findings.iter().filter(|finding| matches!(finding.outcome, Outcome::Fail | Outcome::Warn));
            let account_root =
                findings.first().map(|finding| format!(":{}:root", finding.finding.account_id));
            let account_wide = failing_findings.clone().any(|finding| {
                account_root.as_deref().is_some_and(|root| finding.finding.resource.ends_with(root))
            });
            let priority = Priority {
                control,
                rule,
                failing: failing_findings.count(),
                total: findings.len(),
                account_wide,
            };
            Some((order, priority))
        })
        .collect();
    failing.sort_by_key(|(order, priority)| {
        (
            priority.control.outcome,
            priority.control.severity,
            !priority.account_wide,
            std::cmp::Reverse(priority.failing),
            *order,
        )
    });
    failing.into_iter().map(|(_, priority)| priority).collect()
}

/// A control's findings in words: "3 of 5 failing", "1 of 4 not evaluated", "not applicable", "6 checked".
pub fn reach(control: &ControlSummary, lang: &str) -> String {
    let count = |outcome| control.counts.get(&outcome).copied().unwrap_or(0);
    let total: usize = control.counts.values().sum();
    let failing = count(Outcome::Fail) + count(Outcome::Warn);
    let not_evaluated = count(Outcome::NotEvaluated);
    let excepted = count(Outcome::Excepted);
    let ja = lang == "ja";
    let mut parts = Vec::new();
    if failing > 0 {
        parts.push(if ja {
            format!("{total} 件中 {failing} 件が不合格")
        } else {
            format!("{failing} of {total} failing")
        });
    }
    if not_evaluated > 0 {
        parts.push(match (ja, parts.is_empty()) {
            (true, true) => format!("{total} 件中 {not_evaluated} 件が未評価"),
            (true, false) => format!("{not_evaluated} 件が未評価"),
            (false, true) => format!("{not_evaluated} of {total} not evaluated"),
            (false, false) => format!("{not_evaluated} not evaluated"),
        });
    }
    if excepted > 0 {
        parts.push(match (ja, parts.is_empty()) {
            (true, true) => format!("{total} 件中 {excepted} 件が例外"),
            (true, false) => format!("{excepted} 件が例外"),
            (false, true) => format!("{excepted} of {total} excepted"),
            (false, false) => format!("{excepted} excepted"),
        });
    }
    let not_applicable = count(Outcome::NotApplicable);
    if not_applicable > 0 {
        parts.push(match (ja, not_applicable == total) {
            (true, true) => "対象外".to_owned(),
            (false, true) => "not applicable".to_owned(),
            (true, false) => format!("{not_applicable} 件が対象外"),
            (false, false) => format!("{not_applicable} not applicable"),
        });
    }
    if parts.is_empty() {
        return if ja {
            format!("{total} 件を確認")
        } else {
            format!("{total} {} checked", plural(total, "resource", "resources"))
        };
    }
    parts.join(if ja { "、" } else { ", " })
}

/// A command with the scan's target arguments (`--demo`, `--profile P`, `-c FILE`) appended, if any.
pub fn with_target(command: &str, target_args: &str) -> String {
    if target_args.is_empty() { command.to_owned() } else { format!("{command} {target_args}") }
}

/// The target arguments for a command that only works on a live account (`guardline schedule`): without
/// `--demo`, which [`crate::TerminalOptions::target_args`] puts first.
fn live_target(target_args: &str) -> &str {
    target_args.strip_prefix("--demo").map(str::trim_start).unwrap_or(target_args)
}

/// How a failing control gets fixed: a command, and what to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HowToFix {
    /// `guardline fix --only ID`, the Guardline command that does it (SCHED-001: `guardline schedule
    /// apply`), or `guardline rule ID` for a control only a person can fix.
    pub command: String,
    /// "by hand:" before `guardline rule ID`; empty otherwise.
    pub prefix: &'static str,
    /// " (review the plan before applying)" after a fix that needs review; empty otherwise.
    pub note: &'static str,
}

impl std::fmt::Display for HowToFix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{}", self.prefix, self.command, self.note)
    }
}

/// How `rule`'s failure gets fixed, with the commands reaching the scanned target.
pub fn how_to_fix(rule: &Rule, target_args: &str, lang: &str) -> HowToFix {
    let ja = lang == "ja";
    match (rule.plan, rule.remedy.command) {
        (Some(_), _) => HowToFix {
            command: format!("{} --only {}", with_target("guardline fix", target_args), rule.id),
            prefix: "",
            note: match rule.fix {
                FixAvailability::NeedsReview if ja => " (計画を確認してから適用)",
                FixAvailability::NeedsReview => " (review the plan before applying)",
                _ => "",
            },
        },
        (None, Some(command)) => {
            HowToFix { command: with_target(command, live_target(target_args)), prefix: "", note: "" }
        }
        (None, None) => HowToFix {
            command: format!("guardline rule {}", rule.id),
            prefix: if ja { "手作業: " } else { "by hand: " },
            note: "",
        },
    }
}

/// The commands to run next, each with what it does: `guardline fix` for the controls it can fix, the
/// commands of controls fixed by another Guardline command, and `guardline rule ID` for the first control
/// only a person can fix.
pub fn next_commands(priorities: &[Priority<'_>], target_args: &str, lang: &str) -> Vec<(String, String)> {
    let ja = lang == "ja";
    let fixable = priorities.iter().filter(|priority| priority.rule.plan.is_some()).count();
    let manual: Vec<&Priority<'_>> =
        priorities.iter().filter(|priority| priority.rule.remedy_command().is_none()).collect();
    let mut lines: Vec<(String, String)> = Vec::new();
    if fixable > 0 {
        lines.push((
            with_target("guardline fix", target_args),
            if ja {
                format!("自動修正できる {fixable} コントロールの修正計画を表示します (--apply で適用)")
            } else {
                format!(
                    "plans the automated fixes of {fixable} failing {} (--apply makes them)",
                    plural(fixable, "control", "controls")
                )
            },
        ));
    }
    for priority in priorities.iter().filter(|priority| priority.rule.plan.is_none()) {
        if let Some(command) = priority.rule.remedy.command {
            lines.push((
                with_target(command, live_target(target_args)),
                if ja {
                    format!("{} を直す計画を表示します (--apply で導入)", priority.rule.id)
                } else {
                    format!("plans what fixes {} (--apply installs it)", priority.rule.id)
                },
            ));
        }
    }
    if let Some(first) = manual.first() {
        lines.push((
            format!("guardline rule {}", first.rule.id),
            match (ja, manual.len() - 1) {
                (true, 0) => format!("{} を手作業で直す手順を説明します", first.rule.id),
                (true, more) => format!(
                    "{} を手作業で直す手順を説明します (ほかに {more} コントロールが手作業です: guardline rule ID)",
                    first.rule.id
                ),
                (false, 0) => format!("explains how to fix {} by hand", first.rule.id),
                (false, more) => format!(
                    "explains how to fix {} by hand; {more} more {} need a person (guardline rule ID)",
                    first.rule.id,
                    plural(more, "control", "controls")
                ),
            },
        ));
    }
    lines
}

/// The "fix first" block's heading, the same in the terminal and HTML reports: `shown` of the `failing`
/// controls, and their order.
pub fn fix_first_heading(shown: usize, failing: usize, lang: &str) -> String {
    if lang == "ja" {
        format!("まず直すもの (不合格の {failing} コントロールのうち {shown} 件、重大度と影響範囲の順)")
    } else {
        let noun = plural(failing, "control", "controls");
        format!("Fix first ({shown} of {failing} failing {noun}, by severity and reach)")
    }
}

/// `one` for 1, `many` otherwise.
pub fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// An API call that failed, and the NOT EVALUATED findings it caused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// The call, what happened and the code: `ssm:DescribeMaintenanceWindows access denied
    /// (AccessDeniedException)`.
    pub call: String,
    pub kind: ErrorKind,
    pub regions: BTreeSet<String>,
    pub controls: BTreeSet<String>,
}

impl Blocker {
    /// What to do about it, in one line.
    pub fn remedy(&self, lang: &str) -> &'static str {
        let ja = lang == "ja";
        match self.kind {
            ErrorKind::AccessDenied if ja => {
                "スキャンのロールに権限を付与してください (`guardline iam-policy` が必要なポリシーを出力します)"
            }
            ErrorKind::AccessDenied => {
                "grant it to the scanning identity (`guardline iam-policy` prints the policy the scan needs)"
            }
            ErrorKind::Throttled if ja => {
                "時間をおいて再実行するか、--concurrency を下げ --max-attempts を上げてください"
            }
            ErrorKind::Throttled => "scan again later, or lower --concurrency and raise --max-attempts",
            ErrorKind::Timeout if ja => "--call-timeout を延ばしてください",
            ErrorKind::Timeout => "raise --call-timeout",
            ErrorKind::NotAvailable if ja => {
                "そのリージョンやアカウントでサービスを利用できるか確認してください"
            }
            ErrorKind::NotAvailable => "check that the service is available in the region and the account",
            ErrorKind::Unreachable if ja => {
                "ネットワークとエンドポイント (AWS_ENDPOINT_URL、HTTPS_PROXY) を確認してください"
            }
            ErrorKind::Unreachable => "check the network and the endpoint (AWS_ENDPOINT_URL, HTTPS_PROXY)",
            ErrorKind::NoCredentials if ja => {
                "認証情報が途中で切れました。サインインし直してください (例: `aws sso login`)"
            }
            ErrorKind::NoCredentials => {
                "the credentials ran out during the scan: sign in again (e.g. `aws sso login`)"
            }
            _ if ja => "サービスのメッセージ全文は JSON と HTML のレポートにあります",
            _ => "the service's whole message is in the JSON and HTML reports",
        }
    }
}

/// The failed calls behind the NOT EVALUATED findings, each once, in the order first met.
pub fn blockers(findings: &[EvaluatedFinding]) -> Vec<Blocker> {
    let mut by_call: BTreeMap<String, (usize, Blocker)> = BTreeMap::new();
    for finding in findings.iter().filter(|finding| finding.outcome == Outcome::NotEvaluated) {
        for (call, kind) in failed_calls(&finding.finding.message.en) {
            let next = by_call.len();
            let (_, blocker) = by_call.entry(call.clone()).or_insert_with(|| {
                (next, Blocker { call, kind, regions: BTreeSet::new(), controls: BTreeSet::new() })
            });
            blocker.regions.insert(finding.finding.region.clone());
            blocker.controls.insert(finding.finding.control.clone());
        }
    }
    let mut blockers: Vec<(usize, Blocker)> = by_call.into_values().collect();
    blockers.sort_by_key(|(order, _)| *order);
    blockers.into_iter().map(|(_, blocker)| blocker).collect()
}

/// The failed calls a message names, as [`guardline_model::CollectError`]'s `Display` words them:
/// `<service>:<Action> <what happened>[ (<Code>)][: “<the service's message>”]`.
fn failed_calls(message: &str) -> Vec<(String, ErrorKind)> {
    let message = without_service_messages(message);
    let message = message.as_str();
    let mut calls = Vec::new();
    for kind in ErrorKind::ALL {
        let label = format!(" {}", kind.label());
        let mut from = 0;
        while let Some(found) = message[from..].find(&label) {
            let at = from + found;
            from = at + label.len();
            let before = &message[..at];
            let action = before.rsplit([' ', '(']).next().unwrap_or_default();
            let Some((service, operation)) = action.split_once(':') else { continue };
            let well_formed = !service.is_empty()
                && service.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && operation.starts_with(|c: char| c.is_ascii_uppercase())
                && operation.chars().all(|c| c.is_ascii_alphanumeric());
            if !well_formed {
                continue;
            }
            let rest = &message[from..];
            let code = rest
                .strip_prefix(" (")
                .and_then(|rest| rest.split_once(')'))
                .map(|(code, _)| code)
                .filter(|code| code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'));
            let call = match code {
                Some(code) => format!("{action}{label} ({code})"),
                None => format!("{action}{label}"),
            };
            calls.push((call, kind));
        }
    }
    calls
}

/// The message without the services' own words (the `: “...”` parts): what the terminal shows.
pub fn without_service_messages(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(": “") {
        out.push_str(&rest[..start]);
        match rest[start..].find('”') {
            Some(end) => rest = &rest[start + end + '”'.len_utf8()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DENIED: &str = "could not be evaluated: the maintenance windows (ssm:DescribeMaintenanceWindows access \
                          denied (AccessDeniedException): “User: arn:aws:sts::1:assumed-role/R/s is not \
                          authorized to perform: ssm:DescribeMaintenanceWindows (on *)”); the schedules \
                          (scheduler:ListSchedules throttled)";

    #[test]
    fn failed_calls_are_read_with_their_codes() {
        let calls: Vec<String> = failed_calls(DENIED).into_iter().map(|(call, _)| call).collect();
        assert_eq!(
            calls,
            [
                "ssm:DescribeMaintenanceWindows access denied (AccessDeniedException)",
                "scheduler:ListSchedules throttled"
            ]
        );
    }

    #[test]
    fn the_service_message_is_dropped_and_the_rest_kept() {
        assert_eq!(
            without_service_messages(DENIED),
            "could not be evaluated: the maintenance windows (ssm:DescribeMaintenanceWindows access denied \
             (AccessDeniedException)); the schedules (scheduler:ListSchedules throttled)"
        );
    }
}
