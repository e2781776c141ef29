//! The engine: runs every rule over a snapshot, then applies the account's profile and the exceptions.
//!
//! The rules say what is true (PASS/FAIL/NOT EVALUATED/NOT APPLICABLE); the engine says what it means for this account
//! ([`Outcome`]): adopted or not, fail or warn, excepted (with reason, owner, expiry) or not.

use guardline_config::{Config, ControlSetting, Exception, Level, NotEvaluatedPolicy};
use guardline_model::{Finding, Section, Severity, Snapshot, Status};
use jiff::Timestamp;
use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use crate::{Context, Findings, RULES, Rule};

/// What a finding means for the account under its profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// An adopted control at level fail fails (or its exception expired).
    Fail,
    /// An adopted control at level warn fails.
    Warn,
    /// The data was not collected.
    NotEvaluated,
    /// A failure accepted by a current exception.
    Excepted,
    /// The profile does not adopt the control; the finding is kept for the record.
    NotAdopted,
    /// The control does not apply to the account (an organisation control outside an AWS Organization):
    /// neither a pass nor a failure, and never a reason to fail the run.
    NotApplicable,
    Pass,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Fail => "FAIL",
            Outcome::Warn => "WARN",
            Outcome::NotEvaluated => "NOT EVALUATED",
            Outcome::Excepted => "EXCEPTED",
            Outcome::NotAdopted => "NOT ADOPTED",
            Outcome::NotApplicable => "NOT APPLICABLE",
            Outcome::Pass => "PASS",
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Outcome::Fail => "不合格",
            Outcome::Warn => "警告",
            Outcome::NotEvaluated => "未評価",
            Outcome::Excepted => "例外",
            Outcome::NotAdopted => "不採用",
            Outcome::NotApplicable => "対象外",
            Outcome::Pass => "合格",
        }
    }
}

/// The exception that matched a failing finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedException {
    pub reason: String,
    pub owner: String,
    pub expires: Date,
    /// Past its expiry: the finding fails again.
    pub expired: bool,
    /// Line of the exception in the config file.
    pub line: usize,
    /// What the exception covers: its `resource` pattern (`None`: every resource of the control) ...
    pub covers_resource: Option<String>,
    /// ... and its `subject` pattern (`None`: every subject of a resource, e.g. every access key of a user).
    pub covers_subject: Option<String>,
}

/// A finding with what the profile and the exceptions make of it. Serialised as one flat object: the
/// finding's fields, then these (written by hand: `#[serde(flatten)]` goes through a map serialiser, which
/// costs a large account's JSON report a noticeable share of its time).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluatedFinding {
    pub finding: Finding,
    pub section: Section,
    pub severity: Severity,
    /// `None` when the control is not adopted.
    pub level: Option<Level>,
    /// Serialised only when set.
    pub not_adopted_reason: Option<String>,
    /// Serialised only when set. Boxed: few findings have one, and every finding carries the field.
    pub exception: Option<Box<AppliedException>>,
    pub outcome: Outcome,
}

impl Serialize for EvaluatedFinding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let optional = usize::from(self.not_adopted_reason.is_some())
            + usize::from(self.exception.is_some())
            + usize::from(self.finding.subject.is_some());
        let mut out = serializer.serialize_struct("EvaluatedFinding", 10 + optional)?;
        let finding = &self.finding;
        out.serialize_field("control", &finding.control)?;
        out.serialize_field("account_id", &finding.account_id)?;
        out.serialize_field("region", &finding.region)?;
        out.serialize_field("resource", &finding.resource)?;
        if let Some(subject) = &finding.subject {
            out.serialize_field("subject", subject)?;
        }
        out.serialize_field("status", &finding.status)?;
        out.serialize_field("message", &finding.message)?;
        out.serialize_field("section", &self.section)?;
        out.serialize_field("severity", &self.severity)?;
        out.serialize_field("level", &self.level)?;
        if let Some(reason) = &self.not_adopted_reason {
            out.serialize_field("not_adopted_reason", reason)?;
        }
        if let Some(exception) = &self.exception {
            out.serialize_field("exception", exception)?;
        }
        out.serialize_field("outcome", &self.outcome)?;
        out.end()
    }
}

/// An exception that matched no finding: stale, or mistyped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnusedException {
    pub control: String,
    pub resource: Option<String>,
    pub subject: Option<String>,
    pub line: usize,
    pub reason: String,
}

/// The result of evaluating one account's snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub account_id: String,
    pub account_alias: Option<String>,
    pub profile: String,
    pub collected_at: Timestamp,
    /// The day exceptions were checked against.
    pub evaluated_on: Date,
    pub regions: Vec<String>,
    pub findings: Vec<EvaluatedFinding>,
    /// The controls evaluated, in guideline order: every rule, unless the scan selected some
    /// (`scan --controls/--exclude-controls/--section/--severity`). Reports list these controls only (the
    /// JSON report's `controls`), so the field itself is not serialised.
    #[serde(skip)]
    pub controls: Vec<&'static str>,
    pub unused_exceptions: Vec<UnusedException>,
    /// Whether the run fails (exit code 1): an adopted control at level fail fails, or is NOT EVALUATED
    /// while the config counts that as failing.
    pub failed: bool,
}

/// Runs every rule over `snapshot` and applies `config` as of `today`.
pub fn evaluate(snapshot: &Snapshot, config: &Config, today: Date) -> Evaluation {
    let every: Vec<&'static Rule> = RULES.to_vec();
    evaluate_only(snapshot, config, today, &every)
}

/// Runs `rules` (in the order given, which reports keep) over `snapshot` and applies `config` as of `today`.
/// An exception of a control not among them is not reported as unused: it was not looked at.
pub fn evaluate_only(
    snapshot: &Snapshot,
    config: &Config,
    today: Date,
    rules: &[&'static Rule],
) -> Evaluation {
    let account_alias =
        snapshot.global.account_aliases.get().ok().and_then(|aliases| aliases.first().cloned());
    let profile = config.profile_for(&snapshot.account.id, account_alias.as_deref());
    let cx = Context { snapshot, params: &profile.params };
    // Rules are pure and independent: they run in parallel (a million-resource account has minutes of
    // work otherwise), each with its own record of the exceptions it used; the output keeps RULES' order.
    let per_rule: Vec<(Vec<EvaluatedFinding>, Vec<bool>)> = rules
        .par_iter()
        .map(|rule| {
            let mut used = vec![false; config.exceptions.len()];
            let mut out = Findings::new(rule.id, &snapshot.account.id);
            (rule.check)(&cx, &mut out);
            let setting = profile.setting(rule.id);
            let rule_findings: Vec<EvaluatedFinding> = in_report_order(out.into_vec())
                .map(|finding| judge(rule, finding, &setting, &config.exceptions, &mut used, today))
                .collect();
            (rule_findings, used)
        })
        .collect();
    let mut used = vec![false; config.exceptions.len()];
    let mut findings =
        Vec::with_capacity(per_rule.iter().map(|(rule_findings, _)| rule_findings.len()).sum());
    for (rule_findings, rule_used) in per_rule {
        findings.extend(rule_findings);
        for (used, rule_used) in used.iter_mut().zip(rule_used) {
            *used |= rule_used;
        }
    }
    let unused_exceptions = config
        .exceptions
        .iter()
        .zip(&used)
        .filter(|(exception, used)| {
            !**used
                && exception.account.as_deref().is_none_or(|account| account == snapshot.account.id)
                && rules.iter().any(|rule| rule.id == exception.control)
        })
        .map(|(exception, _)| UnusedException {
            control: exception.control.clone(),
            resource: exception.resource.as_ref().map(|pattern| pattern.text.clone()),
            subject: exception.subject.as_ref().map(|pattern| pattern.text.clone()),
            line: exception.line,
            reason: exception.reason.clone(),
        })
        .collect();
    let not_evaluated_fails = config.scan.not_evaluated == NotEvaluatedPolicy::Fail;
    let failed = findings.iter().any(|finding| match finding.outcome {
        Outcome::Fail => true,
        Outcome::NotEvaluated => not_evaluated_fails && finding.level == Some(Level::Fail),
        _ => false,
    });
    Evaluation {
        account_id: snapshot.account.id.clone(),
        account_alias,
        profile: profile.name.clone(),
        collected_at: snapshot.collected_at,
        evaluated_on: today,
        regions: snapshot.regions.keys().cloned().collect(),
        findings,
        controls: rules.iter().map(|rule| rule.id).collect(),
        unused_exceptions,
        failed,
    }
}

/// One rule's findings by status, region and resource (stable): the order of every report. The positions
/// are sorted rather than the findings, which are large to move around a million times.
fn in_report_order(findings: Vec<Finding>) -> impl Iterator<Item = Finding> {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&findings[a], &findings[b]);
        (a.status, &a.region, &a.resource).cmp(&(b.status, &b.region, &b.resource))
    });
    let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    order.into_iter().map(move |index| slots[index].take().expect("each position is sorted once"))
}

fn judge(
    rule: &Rule,
    finding: Finding,
    setting: &ControlSetting,
    exceptions: &[Exception],
    used: &mut [bool],
    today: Date,
) -> EvaluatedFinding {
    let mut exception = None;
    if finding.status == Status::Fail
        && let Some(index) = exceptions.iter().position(|exception| matches(exception, &finding))
    {
        used[index] = true;
        let matched = &exceptions[index];
        exception = Some(Box::new(AppliedException {
            reason: matched.reason.clone(),
            owner: matched.owner.clone(),
            expires: matched.expires,
            expired: matched.expires < today,
            line: matched.line,
            covers_resource: matched.resource.as_ref().map(|pattern| pattern.text.clone()),
            covers_subject: matched.subject.as_ref().map(|pattern| pattern.text.clone()),
        }));
    }
    let (level, not_adopted_reason) = match setting {
        ControlSetting::Adopted { level } => (Some(*level), None),
        ControlSetting::NotAdopted { reason } => (None, Some(reason.clone())),
    };
    let outcome = match (finding.status, level) {
        (_, None) => Outcome::NotAdopted,
        (Status::Pass, Some(_)) => Outcome::Pass,
        (Status::NotEvaluated, Some(_)) => Outcome::NotEvaluated,
        (Status::NotApplicable, Some(_)) => Outcome::NotApplicable,
        (Status::Fail, Some(level)) => match &exception {
            Some(applied) if !applied.expired => Outcome::Excepted,
            _ if level == Level::Warn => Outcome::Warn,
            _ => Outcome::Fail,
        },
    };
    EvaluatedFinding {
        finding,
        section: rule.section,
        severity: rule.severity,
        level,
        not_adopted_reason,
        exception,
        outcome,
    }
}

fn matches(exception: &Exception, finding: &Finding) -> bool {
    exception.control == finding.control
        && exception.account.as_deref().is_none_or(|account| account == finding.account_id)
        && exception.region.as_deref().is_none_or(|region| region == finding.region)
        && exception.resource.as_ref().is_none_or(|pattern| pattern.matches(&finding.resource))
        && exception
            .subject
            .as_ref()
            .is_none_or(|pattern| finding.subject.as_deref().is_some_and(|subject| pattern.matches(subject)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_evaluated_finding_serialises_every_field_of_its_finding_first() {
        let finding = Finding {
            control: "EC2-001".into(),
            account_id: "123456789012".into(),
            region: "ap-northeast-1".into(),
            resource: "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-1".into(),
            subject: None,
            status: Status::Fail,
            message: guardline_model::Text::new("open", "開いている"),
        };
        let evaluated = EvaluatedFinding {
            finding: finding.clone(),
            section: Section::Security,
            severity: Severity::High,
            level: None,
            not_adopted_reason: Some("not here".into()),
            exception: None,
            outcome: Outcome::NotAdopted,
        };
        let finding = serde_json::to_value(&finding).unwrap();
        let evaluated = serde_json::to_value(&evaluated).unwrap();
        let (finding, evaluated) = (finding.as_object().unwrap(), evaluated.as_object().unwrap());
        let keys: Vec<&String> = evaluated.keys().collect();
        assert_eq!(
            keys[..finding.len()],
            finding.keys().collect::<Vec<_>>()[..],
            "the finding's fields first"
        );
        for (key, value) in finding {
            assert_eq!(&evaluated[key], value, "{key}");
        }
        assert_eq!(evaluated["not_adopted_reason"], "not here");
        assert!(!evaluated.contains_key("exception"), "unset options are left out");
        assert_eq!(evaluated["level"], serde_json::Value::Null);
    }
}
