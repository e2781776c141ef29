//! The engine: how profiles (adoption, levels), exceptions (match, expiry, unused) and the not-evaluated
//! policy turn rule findings into outcomes and the run's verdict.

use guardline_config::Config;
use guardline_model::Snapshot;
use guardline_rules::{Evaluation, Outcome, RULES, evaluate};
use jiff::civil::date;

/// One region with one world-open SSH security group and one closed group; everything else not collected.
fn snapshot() -> Snapshot {
    let json = r#"{
        "format": "guardline-snapshot", "version": 2, "tool_version": "test",
        "collected_at": "2026-11-28T00:00:00Z",
        "account": {"id": "123456789012", "partition": "aws", "caller_arn": "arn:aws:iam::123456789012:user/a"},
        "global": {"account_aliases": {"status": "ok", "value": ["acme-prod"]}},
        "regions": {"ap-northeast-1": {"security_groups": {"status": "ok", "value": [
            {"id": "sg-open", "arn": "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-open", "name": "open",
             "vpc_id": null, "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "ipv4_ranges": ["0.0.0.0/0"], "ipv6_ranges": []}]},
            {"id": "sg-closed", "arn": "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-closed", "name": "closed",
             "vpc_id": null, "ingress": []}]}}}
    }"#;
    Snapshot::from_json(json).unwrap()
}

fn known() -> Vec<&'static str> {
    RULES.iter().map(|rule| rule.id).collect()
}

fn config(text: &str) -> Config {
    guardline_config::parse(text, "guardline.toml", &known()).unwrap_or_else(|errors| panic!("{errors}"))
}

fn outcome(evaluation: &Evaluation, control: &str, resource_suffix: &str) -> Outcome {
    evaluation
        .findings
        .iter()
        .find(|f| f.finding.control == control && f.finding.resource.ends_with(resource_suffix))
        .unwrap_or_else(|| panic!("no {control} finding for {resource_suffix}"))
        .outcome
}

const TODAY: jiff::civil::Date = date(2026, 11, 28);

#[test]
fn without_config_everything_is_adopted_at_fail_and_not_evaluated_fails() {
    let evaluation = evaluate(&snapshot(), &Config::default(), TODAY);
    assert_eq!(evaluation.profile, "default");
    assert_eq!(evaluation.account_alias.as_deref(), Some("acme-prod"));
    assert_eq!(outcome(&evaluation, "EC2-001", "sg-open"), Outcome::Fail);
    assert_eq!(outcome(&evaluation, "EC2-001", "sg-closed"), Outcome::Pass);
    assert_eq!(outcome(&evaluation, "GUARDDUTY-001", "detector/*"), Outcome::NotEvaluated);
    assert!(evaluation.failed);
}

#[test]
fn warn_level_and_not_evaluated_warn_policy_let_the_run_pass() {
    let text = "[scan]\nnot-evaluated = \"warn\"\n[profiles.p]\ndefault-level = \"warn\"\n";
    let evaluation = evaluate(&snapshot(), &config(text), TODAY);
    assert_eq!(outcome(&evaluation, "EC2-001", "sg-open"), Outcome::Warn);
    assert_eq!(outcome(&evaluation, "GUARDDUTY-001", "detector/*"), Outcome::NotEvaluated);
    assert!(!evaluation.failed, "warnings and tolerated NOT EVALUATED do not fail the run");
}

#[test]
fn not_evaluated_fails_by_default_even_when_everything_else_passes() {
    let text = "[profiles.p.controls]\n\"EC2-001\" = { level = \"warn\" }\n";
    let evaluation = evaluate(&snapshot(), &config(text), TODAY);
    assert_eq!(outcome(&evaluation, "EC2-001", "sg-open"), Outcome::Warn);
    assert!(evaluation.failed, "NOT EVALUATED of adopted fail-level controls is never a pass");
}

#[test]
fn not_adopted_controls_keep_their_findings_with_the_reason() {
    let text =
        "[profiles.p.controls]\n\"EC2-001\" = { adopted = false, reason = \"bastion hosts by design\" }\n";
    let evaluation = evaluate(&snapshot(), &config(text), TODAY);
    let finding = evaluation.findings.iter().find(|f| f.finding.resource.ends_with("sg-open")).unwrap();
    assert_eq!(finding.outcome, Outcome::NotAdopted);
    assert_eq!(finding.not_adopted_reason.as_deref(), Some("bastion hosts by design"));
    assert_eq!(finding.level, None);
}

#[test]
fn exceptions_match_by_glob_and_expire_the_day_after() {
    let text = r#"
[[exceptions]]
control = "EC2-001"
account = "123456789012"
region = "ap-northeast-1"
resource = "arn:aws:ec2:*:123456789012:security-group/sg-op*"
reason = "temporary vendor access"
owner = "sre@example.com"
expires = 2026-11-28
"#;
    let on_expiry_day = evaluate(&snapshot(), &config(text), TODAY);
    let finding = on_expiry_day.findings.iter().find(|f| f.finding.resource.ends_with("sg-open")).unwrap();
    assert_eq!(finding.outcome, Outcome::Excepted);
    let exception = finding.exception.as_ref().unwrap();
    assert_eq!(
        (exception.reason.as_str(), exception.owner.as_str()),
        ("temporary vendor access", "sre@example.com")
    );
    assert!(!exception.expired);
    assert!(on_expiry_day.unused_exceptions.is_empty());

    let day_after = evaluate(&snapshot(), &config(text), date(2026, 11, 29));
    let finding = day_after.findings.iter().find(|f| f.finding.resource.ends_with("sg-open")).unwrap();
    assert_eq!(finding.outcome, Outcome::Fail, "an expired exception fails again");
    assert!(finding.exception.as_ref().unwrap().expired, "and stays attached, marked expired");
}

#[test]
fn exceptions_never_touch_passes_and_unmatched_ones_are_reported_with_their_line() {
    let text = r#"
[[exceptions]]
control = "EC2-001"
resource = "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-closed"
reason = "r"
owner = "o"
expires = 2027-01-01

[[exceptions]]
control = "EC2-001"
account = "999999999999"
reason = "another account's exception is not this scan's business"
owner = "o"
expires = 2027-01-01

[[exceptions]]
control = "EC2-001"
region = "us-east-1"
reason = "wrong region"
owner = "o"
expires = 2027-01-01
"#;
    let evaluation = evaluate(&snapshot(), &config(text), TODAY);
    assert_eq!(outcome(&evaluation, "EC2-001", "sg-closed"), Outcome::Pass);
    assert_eq!(outcome(&evaluation, "EC2-001", "sg-open"), Outcome::Fail);
    let unused: Vec<usize> = evaluation.unused_exceptions.iter().map(|u| u.line).collect();
    assert_eq!(unused, [2, 16], "the other account's exception is not reported as unused here");
}

#[test]
fn accounts_map_to_profiles_by_id_then_alias_glob() {
    let text = r#"
default-profile = "production"
[profiles.production]
[profiles.sandbox]
default-level = "warn"
[[accounts]]
alias = "acme-*"
profile = "sandbox"
"#;
    let evaluation = evaluate(&snapshot(), &config(text), TODAY);
    assert_eq!(evaluation.profile, "sandbox");
    assert_eq!(outcome(&evaluation, "EC2-001", "sg-open"), Outcome::Warn);
    let by_id = format!("{text}[[accounts]]\nid = \"123456789012\"\nprofile = \"production\"\n");
    assert_eq!(evaluate(&snapshot(), &config(&by_id), TODAY).profile, "production");
}

/// An IAM-005 exception that names a key accepts that key only: a key created later for the same user fails
/// on its own. Without `subject` the exception covers every key of the user, and says so.
#[test]
fn an_exception_with_a_subject_covers_that_subject_only() {
    let mut snapshot = snapshot();
    let key = |id: &str| {
        serde_json::json!({"user_name": "ci", "user_arn": "arn:aws:iam::123456789012:user/ci", "access_key_id": id,
                           "active": true, "created": "2026-01-01T00:00:00Z", "last_used": null,
                           "last_used_service": null, "last_used_region": null})
    };
    snapshot.global.access_keys = serde_json::from_value(
        serde_json::json!({"status": "ok", "value": [key("AKIAOLD"), key("AKIANEW")]}),
    )
    .unwrap();
    let text = r#"
[[exceptions]]
control = "IAM-005"
resource = "arn:aws:iam::123456789012:user/ci"
subject = "AKIAOLD"
reason = "the deploy key until the pipeline moves to OIDC"
owner = "sre@acme.example"
expires = 2027-03-31
"#;
    let evaluation = evaluate(&snapshot, &config(text), TODAY);
    let of = |id: &str| {
        evaluation
            .findings
            .iter()
            .find(|f| f.finding.control == "IAM-005" && f.finding.subject.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no finding for {id}"))
    };
    assert_eq!(of("AKIAOLD").outcome, Outcome::Excepted);
    let applied = of("AKIAOLD").exception.as_ref().unwrap();
    assert_eq!(applied.covers_subject.as_deref(), Some("AKIAOLD"));
    assert_eq!(of("AKIANEW").outcome, Outcome::Fail, "a key the exception does not name");

    let wide = evaluate(&snapshot, &config(&text.replace("subject = \"AKIAOLD\"\n", "")), TODAY);
    let outcomes: Vec<Outcome> =
        wide.findings.iter().filter(|f| f.finding.control == "IAM-005").map(|f| f.outcome).collect();
    assert_eq!(outcomes, [Outcome::Excepted, Outcome::Excepted], "no subject: every key of the user");
    assert!(wide.findings.iter().all(|f| f.exception.as_ref().is_none_or(|e| e.covers_subject.is_none())));
}

/// An account in no AWS Organization, with nothing else collected, evaluated on the organisation controls.
fn standalone(config: &Config) -> Evaluation {
    let json = r#"{
        "format": "guardline-snapshot", "version": 2, "tool_version": "test",
        "collected_at": "2026-11-28T00:00:00Z",
        "account": {"id": "123456789012", "partition": "aws", "caller_arn": "arn:aws:iam::123456789012:user/a"},
        "global": {"organization": {"status": "ok", "value": null}},
        "regions": {}
    }"#;
    let org_rules: Vec<&'static guardline_rules::Rule> =
        RULES.iter().copied().filter(|rule| rule.id.starts_with("ORG-")).collect();
    guardline_rules::engine::evaluate_only(&Snapshot::from_json(json).unwrap(), config, TODAY, &org_rules)
}

#[test]
fn not_applicable_is_neither_a_pass_nor_a_failure_and_never_fails_the_run() {
    let evaluation = standalone(&Config::default());
    let outcomes: Vec<Outcome> = evaluation.findings.iter().map(|finding| finding.outcome).collect();
    assert_eq!(outcomes, [Outcome::NotApplicable; 5], "ORG-001..005, once each on the account");
    assert!(!evaluation.failed, "NOT APPLICABLE never fails the run, even at level fail");
    assert!(evaluation.findings.iter().all(|finding| finding.level == Some(guardline_config::Level::Fail)));

    let not_adopted =
        config("[profiles.p.controls]\n\"ORG-001\" = { adopted = false, reason = \"standalone\" }\n");
    let evaluation = standalone(&not_adopted);
    assert_eq!(
        outcome(&evaluation, "ORG-001", ":root"),
        Outcome::NotAdopted,
        "the profile's choice comes first"
    );
    assert_eq!(outcome(&evaluation, "ORG-002", ":root"), Outcome::NotApplicable);
}

#[test]
fn require_organization_makes_a_standalone_account_fail_the_organisation_controls() {
    let evaluation = standalone(&config("[profiles.p.params]\nrequire-organization = true\n"));
    let outcomes: Vec<Outcome> = evaluation.findings.iter().map(|finding| finding.outcome).collect();
    assert_eq!(outcomes, [Outcome::Fail; 5]);
    assert!(evaluation.failed);
    let warn = "[profiles.p]\ndefault-level = \"warn\"\n[profiles.p.params]\nrequire-organization = true\n";
    let evaluation = standalone(&config(warn));
    assert_eq!(outcome(&evaluation, "ORG-003", ":root"), Outcome::Warn);
    assert!(!evaluation.failed, "at level warn it only warns");
}
