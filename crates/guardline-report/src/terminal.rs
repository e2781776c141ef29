//! The terminal report: controls grouped by guideline section, a summary line per section, the failing
//! findings with their messages, exceptions with reason/owner/expiry, and a closing verdict.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};
use guardline_rules::{EvaluatedFinding, Evaluation, Outcome, find_rule};

use crate::i18n::{Phrase, phrase};
use crate::lead::{self, FIX_FIRST, Priority, plural};
use crate::summary::findings_by_control;
use crate::{ControlSummary, summarize};

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct TerminalOptions {
    /// `en` or `ja`.
    pub lang: String,
    /// ANSI colours (the CLI turns them on for a TTY without `NO_COLOR`).
    pub color: bool,
    /// List passing findings too, not only their count.
    pub show_pass: bool,
    /// The config file, to locate unused exceptions as `path:line`.
    pub config_path: Option<String>,
    /// The arguments that make a next command (`guardline fix ...`) reach the same account and config as
    /// this report: `--demo`, or `--profile P -c FILE`; empty for the defaults.
    pub target_args: String,
}

fn style(outcome: Outcome) -> Style {
    match outcome {
        Outcome::Fail => AnsiColor::Red.on_default().effects(Effects::BOLD),
        Outcome::Warn => AnsiColor::Yellow.on_default().effects(Effects::BOLD),
        Outcome::NotEvaluated => AnsiColor::Magenta.on_default().effects(Effects::BOLD),
        Outcome::Excepted => AnsiColor::Cyan.on_default(),
        Outcome::NotAdopted => Style::new().effects(Effects::DIMMED),
        Outcome::NotApplicable => AnsiColor::Blue.on_default(),
        Outcome::Pass => AnsiColor::Green.on_default(),
    }
}

struct Painter {
    color: bool,
    lang: String,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color { format!("{style}{text}{style:#}") } else { text.to_owned() }
    }

    fn outcome(&self, outcome: Outcome) -> String {
        let label = if self.lang == "ja" { outcome.label_ja() } else { outcome.label() };
        // Pad before painting so that escape codes do not break the alignment.
        self.paint(style(outcome), &pad(label, OUTCOME_WIDTH))
    }

    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().effects(Effects::BOLD), text)
    }

    fn dim(&self, text: &str) -> String {
        self.paint(Style::new().effects(Effects::DIMMED), text)
    }
}

/// The column of a control's outcome: the widest label, "NOT APPLICABLE".
const OUTCOME_WIDTH: usize = 14;

/// `text` padded with spaces to `width` terminal columns (a CJK character takes two).
fn pad(text: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

/// The terminal report.
pub fn render(evaluation: &Evaluation, options: &TerminalOptions) -> String {
    let lang = options.lang.as_str();
    let painter = Painter { color: options.color, lang: lang.to_owned() };
    let (controls, sections) = summarize(evaluation);
    let by_control = findings_by_control(evaluation);
    let mut out = String::new();

    let alias = evaluation.account_alias.as_deref().map(|alias| format!(" ({alias})")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{} · {} {}{alias} · {} {}",
        painter.bold("Guardline"),
        phrase(lang, Phrase::Account),
        evaluation.account_id,
        phrase(lang, Phrase::Profile),
        evaluation.profile,
    );
    let _ = writeln!(
        out,
        "{}: {} · {} {}",
        phrase(lang, Phrase::Regions),
        evaluation.regions.join(", "),
        phrase(lang, Phrase::Collected),
        crate::formats::to_the_second(evaluation.collected_at),
    );

    let priorities = lead::fix_first(&controls, &by_control);
    render_fix_first(&mut out, &painter, &priorities, options);

    for section in &sections {
        let title = section.section.title();
        let _ = writeln!(
            out,
            "\n{}  {}",
            painter.bold(&format!("{}. {}", section.section.number(), title.get(lang))),
            counts_line(&painter, &section.controls, section.empty, lang),
        );
        for control in controls.iter().filter(|control| control.section == section.section) {
            let findings = by_control.get(control.id).map(Vec::as_slice).unwrap_or_default();
            render_control(&mut out, &painter, findings, control, options);
        }
    }

    let overall = overall_counts(&controls);
    let verdict = if evaluation.failed {
        painter.paint(style(Outcome::Fail), phrase(lang, Phrase::Failed))
    } else {
        painter.paint(style(Outcome::Pass), phrase(lang, Phrase::Passed))
    };
    let empty = controls.iter().filter(|control| control.outcome.is_none()).count();
    let _ = writeln!(
        out,
        "\n{}: {verdict} ({} {})",
        painter.bold(phrase(lang, Phrase::Result)),
        controls.len(),
        phrase(lang, Phrase::Controls),
    );
    let _ = writeln!(out, "  {}", counts_line(&painter, &overall, empty, lang));
    for unused in &evaluation.unused_exceptions {
        let location = config_location(options, unused.line);
        let resource = unused.resource.as_deref().map(|resource| format!(" {resource}")).unwrap_or_default();
        let resource = match &unused.subject {
            Some(subject) => format!("{resource} [{subject}]"),
            None => resource,
        };
        let _ = writeln!(
            out,
            "  {}: {location} {}{resource} ({})",
            painter.paint(style(Outcome::Warn), phrase(lang, Phrase::UnusedException)),
            unused.control,
            unused.reason,
        );
    }
    render_blockers(&mut out, &painter, &lead::blockers(&evaluation.findings), lang);
    render_next(&mut out, &painter, &priorities, options);
    out
}

/// The verdict in one plain line: "adopted controls fail (25 fail · 2 not evaluated · 8 pass)".
pub fn verdict(evaluation: &Evaluation, lang: &str) -> String {
    let painter = Painter { color: false, lang: lang.to_owned() };
    let (controls, _) = summarize(evaluation);
    let empty = controls.iter().filter(|control| control.outcome.is_none()).count();
    let verdict = phrase(lang, if evaluation.failed { Phrase::Failed } else { Phrase::Passed });
    format!("{verdict} ({})", counts_line(&painter, &overall_counts(&controls), empty, lang))
}

/// "Fix first": the most urgent failing controls, each with its remedy and the command that does it.
fn render_fix_first(
    out: &mut String,
    painter: &Painter,
    priorities: &[Priority<'_>],
    options: &TerminalOptions,
) {
    if priorities.is_empty() {
        return;
    }
    let lang = options.lang.as_str();
    let ja = lang == "ja";
    let shown = priorities.len().min(FIX_FIRST);
    let heading = crate::lead::fix_first_heading(shown, priorities.len(), lang);
    let _ = writeln!(out, "\n{}", painter.bold(&heading));
    for (index, priority) in priorities.iter().take(shown).enumerate() {
        let rule = priority.rule;
        let _ = writeln!(
            out,
            "  {}. {} {:<14}{} ({})",
            index + 1,
            painter.paint(style(Outcome::Fail), &pad(priority.control.severity.label_in(lang), 9)),
            rule.id,
            rule.title_in(lang),
            priority.reach(lang),
        );
        let how = lead::how_to_fix(rule, &options.target_args, lang);
        let _ = writeln!(out, "{:16}→ {}", "", rule.remedy.get(lang));
        let _ = writeln!(out, "{:18}{}", "", painter.dim(&how.to_string()));
    }
    let rest = priorities.len() - shown;
    if rest > 0 {
        let _ = if ja {
            writeln!(out, "  {}", painter.dim(&format!("ほかに {rest} コントロールが不合格です (下記)")))
        } else {
            writeln!(
                out,
                "  {}",
                painter
                    .dim(&format!("and {rest} more failing {} below", plural(rest, "control", "controls")))
            )
        };
    }
}

/// The API calls that failed, each once, with the controls they left NOT EVALUATED and what to do.
fn render_blockers(out: &mut String, painter: &Painter, blockers: &[lead::Blocker], lang: &str) {
    if blockers.is_empty() {
        return;
    }
    let ja = lang == "ja";
    let heading = if ja {
        format!("未評価の原因 (失敗した API 呼び出し {} 件)", blockers.len())
    } else {
        format!(
            "Not evaluated because {} API {} failed",
            blockers.len(),
            plural(blockers.len(), "call", "calls")
        )
    };
    let _ = writeln!(out, "\n{}", painter.bold(&heading));
    let mut remedies: Vec<&str> = Vec::new();
    for blocker in blockers {
        let regions: Vec<&str> = blocker.regions.iter().map(String::as_str).collect();
        let controls: Vec<&str> = blocker.controls.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "  {} {} {}: {}",
            painter.paint(style(Outcome::NotEvaluated), &blocker.call),
            if ja { "·" } else { "in" },
            regions.join(", "),
            controls.join(", "),
        );
        let remedy = blocker.remedy(lang);
        if !remedies.contains(&remedy) {
            remedies.push(remedy);
        }
    }
    for remedy in remedies {
        let _ = writeln!(out, "  → {remedy}");
    }
}

/// The commands to run next.
fn render_next(out: &mut String, painter: &Painter, priorities: &[Priority<'_>], options: &TerminalOptions) {
    if priorities.is_empty() {
        return;
    }
    let lang = options.lang.as_str();
    let ja = lang == "ja";
    let lines = lead::next_commands(priorities, &options.target_args, lang);
    let width = lines.iter().map(|(command, _)| command.len()).max().unwrap_or(0);
    let _ = writeln!(out, "\n{}", painter.bold(if ja { "次のコマンド" } else { "Next" }));
    for (command, what) in lines {
        let _ = writeln!(out, "  {}  {what}", pad(&command, width));
    }
}

fn render_control(
    out: &mut String,
    painter: &Painter,
    findings: &[&EvaluatedFinding],
    control: &ControlSummary,
    options: &TerminalOptions,
) {
    let lang = options.lang.as_str();
    let rule = find_rule(control.id).expect("summaries come from the registry");
    let severity = pad(control.severity.label_in(lang), 9);
    let severity = match control.outcome {
        Some(Outcome::Fail | Outcome::Warn) => severity,
        _ => painter.dim(&severity),
    };
    let header = format!("{severity} {:<14}{}", control.id, rule.title_in(lang));
    let Some(outcome) = control.outcome else {
        let _ = writeln!(
            out,
            "  {} {} {}",
            painter.dim(&pad("-", OUTCOME_WIDTH)),
            header,
            painter.dim(&format!("({})", phrase(lang, Phrase::NoResources)))
        );
        return;
    };
    let count = painter.dim(&format!("({})", lead::reach(control, lang)));
    let _ = writeln!(out, "  {} {header} {count}", painter.outcome(outcome));
    if outcome == Outcome::NotAdopted {
        if let Some(reason) = findings.first().and_then(|finding| finding.not_adopted_reason.as_deref()) {
            let _ = writeln!(out, "{:18}{}: {reason}", "", phrase(lang, Phrase::NotAdoptedBecause));
        }
        return;
    }
    for finding in findings {
        if finding.outcome == Outcome::Pass && !options.show_pass {
            continue;
        }
        let subject =
            finding.finding.subject.as_deref().map(|subject| format!(" [{subject}]")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{:18}{} {} {}{subject}",
            "",
            painter.outcome(finding.outcome).trim_end(),
            painter.dim(&finding.finding.region),
            finding.finding.resource,
        );
        // The services' own words (an AccessDenied's whole sentence) are in the JSON and HTML reports; here,
        // the call and its error code say enough, and the failed calls are listed once at the end.
        let message = finding.finding.message.get(lang);
        let message = match finding.outcome {
            Outcome::NotEvaluated => lead::without_service_messages(message),
            _ => message.to_owned(),
        };
        let _ = writeln!(out, "{:20}{message}", "");
        if let Some(exception) = &finding.exception {
            let what = if exception.expired {
                // Located like an unmatched exception, so the entry to renew or remove is found at once.
                let location = config_location(options, exception.line);
                painter.paint(
                    style(Outcome::Fail),
                    &format!("{} {} ({location})", phrase(lang, Phrase::ExceptionExpired), exception.expires),
                )
            } else {
                format!(
                    "{} {} {}",
                    phrase(lang, Phrase::Exception),
                    phrase(lang, Phrase::Expires),
                    exception.expires
                )
            };
            let _ = writeln!(
                out,
                "{:20}{what}: {} ({} {}; {})",
                "",
                exception.reason,
                phrase(lang, Phrase::Owner),
                exception.owner,
                crate::formats::covers_note(exception, &finding.finding, lang),
            );
        }
    }
}

/// An exception's place in the config: `path:line`, or `line N` when the report has no config path.
fn config_location(options: &TerminalOptions, line: usize) -> String {
    match &options.config_path {
        Some(path) => format!("{path}:{line}"),
        None => format!("line {line}"),
    }
}

fn overall_counts(controls: &[ControlSummary]) -> std::collections::BTreeMap<Outcome, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for outcome in controls.iter().filter_map(|control| control.outcome) {
        *counts.entry(outcome).or_default() += 1;
    }
    counts
}

fn counts_line(
    painter: &Painter,
    counts: &std::collections::BTreeMap<Outcome, usize>,
    empty: usize,
    lang: &str,
) -> String {
    let mut parts: Vec<String> = counts
        .iter()
        .map(|(outcome, count)| {
            let label = if lang == "ja" { outcome.label_ja() } else { outcome.label() };
            painter.paint(style(*outcome), &format!("{count} {}", label.to_lowercase()))
        })
        .collect();
    if empty > 0 {
        parts.push(painter.dim(&format!("{empty} {}", phrase(lang, Phrase::NoResources))));
    }
    parts.join(" · ")
}
