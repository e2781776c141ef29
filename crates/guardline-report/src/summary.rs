//! Roll-ups shared by every format: one [`ControlSummary`] per rule, one [`SectionSummary`] per section.

use std::collections::{BTreeMap, HashMap};

use guardline_model::{Section, Severity};
use guardline_rules::{EvaluatedFinding, Evaluation, Outcome, RULES, Rule};
use serde::Serialize;

/// One control's verdict for the account: the worst outcome of its findings.
#[derive(Debug, Clone, Serialize)]
pub struct ControlSummary {
    pub id: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub section: Section,
    pub severity: Severity,
    /// `None` when the rule produced no finding (nothing to check).
    pub outcome: Option<Outcome>,
    /// Findings per outcome.
    pub counts: BTreeMap<Outcome, usize>,
}

/// One guideline section: how many controls ended in each outcome.
#[derive(Debug, Clone, Serialize)]
pub struct SectionSummary {
    pub section: Section,
    pub controls: BTreeMap<Outcome, usize>,
    /// Controls that had nothing to check.
    pub empty: usize,
}

/// The control and section roll-ups of an evaluation, in guideline order.
pub fn summarize(evaluation: &Evaluation) -> (Vec<ControlSummary>, Vec<SectionSummary>) {
    // One pass over the findings (there may be millions), counting per control.
    let mut counts: HashMap<&str, BTreeMap<Outcome, usize>> = HashMap::with_capacity(RULES.len());
    for finding in &evaluation.findings {
        *counts.entry(finding.finding.control.as_str()).or_default().entry(finding.outcome).or_default() += 1;
    }
    let controls: Vec<ControlSummary> = RULES
        .iter()
        .filter(|rule| evaluation.controls.contains(&rule.id))
        .map(|rule| control_summary(rule, counts.remove(rule.id).unwrap_or_default()))
        .collect();
    let sections = Section::ALL
        .iter()
        .map(|section| {
            let mut summary = SectionSummary { section: *section, controls: BTreeMap::new(), empty: 0 };
            for control in controls.iter().filter(|control| control.section == *section) {
                match control.outcome {
                    Some(outcome) => *summary.controls.entry(outcome).or_default() += 1,
                    None => summary.empty += 1,
                }
            }
            summary
        })
        .collect();
    (controls, sections)
}

fn control_summary(rule: &'static Rule, counts: BTreeMap<Outcome, usize>) -> ControlSummary {
    ControlSummary {
        id: rule.id,
        name: rule.name,
        title: rule.title,
        section: rule.section,
        severity: rule.severity,
        // Outcome's order puts the worst first.
        outcome: counts.keys().next().copied(),
        counts,
    }
}

/// Each control's findings, in evaluation order, gathered in one pass (reports that list findings per
/// control would otherwise scan every finding once per control).
pub(crate) fn findings_by_control(evaluation: &Evaluation) -> HashMap<&str, Vec<&EvaluatedFinding>> {
    let mut by_control: HashMap<&str, Vec<&EvaluatedFinding>> = HashMap::with_capacity(RULES.len());
    for finding in &evaluation.findings {
        by_control.entry(finding.finding.control.as_str()).or_default().push(finding);
    }
    by_control
}
