//! [`Diff`]: what changed between two scans.
//!
//! A finding's identity is (account, control, region, resource, subject). A finding is *failing* when its outcome is
//! `fail` or `warn`: an adopted control fails on it and no current exception accepts it. NOT EVALUATED,
//! EXCEPTED, NOT ADOPTED, NOT APPLICABLE and PASS are not failing here, so a finding whose exception expires shows up as a
//! new failure. A failure that becomes NOT EVALUATED is not resolved (nobody saw it pass): it is a group of
//! its own, `no_longer_evaluated`, so a failure hidden by missing data stays visible. That includes a
//! failing resource that is absent from the newer scan while its control is NOT EVALUATED in its region
//! (or account-wide): the control could not list it, which says nothing about whether it was fixed.
//! Likewise a failure that becomes NOT APPLICABLE (the control no longer applies to the account, e.g. the
//! profile stopped requiring an AWS Organization) is not resolved either: it is `no_longer_applicable`,
//! also when the failing resource is absent while its control is NOT APPLICABLE in its region or
//! account-wide.

use std::collections::HashMap;

use guardline_rules::Outcome;
use serde::Serialize;

use crate::{History, HistoryError, ScanId, ScanSummary, StoredFinding};

/// Whether `outcome` counts as failing for a diff: `fail` or `warn`.
pub fn is_failing(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Fail | Outcome::Warn)
}

/// One finding that changed (or did not) between the two scans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffEntry {
    /// The finding as the newer scan has it; for a resolved finding, as the older scan had it (its message
    /// says what was wrong).
    #[serde(flatten)]
    pub finding: StoredFinding,
    /// Its outcome in the older scan; `None` when it was not there.
    pub before: Option<Outcome>,
    /// Its outcome in the newer scan; `None` when it is not there any more (e.g. the resource was deleted).
    pub after: Option<Outcome>,
}

/// The difference between an older and a newer scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub old: ScanSummary,
    pub new: ScanSummary,
    /// Failing in the newer scan, not in the older (newer scan's order).
    pub new_failures: Vec<DiffEntry>,
    /// Failing in the older scan; passing, excepted, not adopted or gone in the newer (older scan's order).
    /// Never NOT EVALUATED or NOT APPLICABLE: those have groups of their own.
    pub resolved: Vec<DiffEntry>,
    /// Failing in the older scan, NOT EVALUATED in the newer (the finding itself, or its control in its
    /// region or account-wide when the finding is absent): not known to be fixed (older scan's order).
    pub no_longer_evaluated: Vec<DiffEntry>,
    /// Failing in the older scan, NOT APPLICABLE in the newer (the finding itself, or its control in its
    /// region or account-wide when the finding is absent): not fixed, no longer required (older scan's
    /// order).
    pub no_longer_applicable: Vec<DiffEntry>,
    /// Failing in both (newer scan's order).
    pub still_failing: Vec<DiffEntry>,
}

type Identity = (String, String, String, String, Option<String>);

fn identity(finding: &StoredFinding) -> Identity {
    (
        finding.account_id.clone(),
        finding.control.clone(),
        finding.region.clone(),
        finding.resource.clone(),
        finding.subject.clone(),
    )
}

/// Per identity, the worst outcome (a rule reports a resource once, but nothing here relies on it).
fn outcomes(findings: &[StoredFinding]) -> HashMap<Identity, Outcome> {
    let mut map = HashMap::new();
    for finding in findings {
        map.entry(identity(finding))
            .and_modify(|current: &mut Outcome| *current = (*current).min(finding.outcome))
            .or_insert(finding.outcome);
    }
    map
}

impl History {
    /// Compares scan `old_id` with scan `new_id`.
    pub fn diff(&self, old_id: ScanId, new_id: ScanId) -> Result<Diff, HistoryError> {
        let old = self.scan(old_id)?;
        let new = self.scan(new_id)?;
        let old_findings = self.findings(old_id)?;
        let new_findings = self.findings(new_id)?;
        let before = outcomes(&old_findings);
        let after = outcomes(&new_findings);
        // Where each control was NOT EVALUATED, and NOT APPLICABLE, in the newer scan: (account, control,
        // region).
        let scopes = |outcome: Outcome| -> std::collections::HashSet<(String, String, String)> {
            new_findings
                .iter()
                .filter(|finding| finding.outcome == outcome)
                .map(|finding| (finding.account_id.clone(), finding.control.clone(), finding.region.clone()))
                .collect()
        };
        let blind = scopes(Outcome::NotEvaluated);
        let inapplicable = scopes(Outcome::NotApplicable);
        let mut diff = Diff {
            old,
            new,
            new_failures: Vec::new(),
            resolved: Vec::new(),
            no_longer_evaluated: Vec::new(),
            no_longer_applicable: Vec::new(),
            still_failing: Vec::new(),
        };
        let mut seen = std::collections::HashSet::new();
        for finding in new_findings {
            let key = identity(&finding);
            if !is_failing(finding.outcome) || !seen.insert(key.clone()) {
                continue;
            }
            let was = before.get(&key).copied();
            let entry = DiffEntry { before: was, after: Some(finding.outcome), finding };
            if was.is_some_and(is_failing) {
                diff.still_failing.push(entry);
            } else {
                diff.new_failures.push(entry);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for finding in old_findings {
            let key = identity(&finding);
            if !is_failing(finding.outcome) || !seen.insert(key.clone()) {
                continue;
            }
            let mut now = after.get(&key).copied();
            if now.is_some_and(is_failing) {
                continue;
            }
            let scope =
                |region: &str| (finding.account_id.clone(), finding.control.clone(), region.to_owned());
            let covers = |scopes: &std::collections::HashSet<(String, String, String)>| {
                scopes.contains(&scope(&finding.region))
                    || scopes.contains(&scope(guardline_rules::context::GLOBAL))
            };
            if now.is_none() {
                if covers(&blind) {
                    now = Some(Outcome::NotEvaluated);
                } else if covers(&inapplicable) {
                    now = Some(Outcome::NotApplicable);
                }
            }
            let entry = DiffEntry { before: Some(finding.outcome), after: now, finding };
            match now {
                Some(Outcome::NotEvaluated) => diff.no_longer_evaluated.push(entry),
                Some(Outcome::NotApplicable) => diff.no_longer_applicable.push(entry),
                _ => diff.resolved.push(entry),
            }
        }
        Ok(diff)
    }
}
