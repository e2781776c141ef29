//! The fix planner over the demo account: which failures get which change, what needs a config value, what
//! stays manual, `--only`, and that a plan never touches excepted, passing or NOT EVALUATED findings.

use guardline_config::{Config, SecurityContact};
use guardline_model::inventory::config::ConfigRule;
use guardline_model::inventory::detection::InspectorStatus;
use guardline_model::inventory::organizations::{Organization, RootAccess};
use guardline_model::{Collected, Snapshot};
use guardline_rules::fix::{FixAction, FixPlan, plan};
use guardline_rules::{Outcome, evaluate};
use jiff::civil::date;

fn demo() -> (Snapshot, Config) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
    let snapshot = Snapshot::from_json(&std::fs::read_to_string(format!("{root}/snapshot.json")).unwrap())
        .expect("the demo snapshot");
    let known: Vec<&str> = guardline_rules::RULES
        .iter()
        .map(|rule| rule.id)
        .chain(guardline_rules::registry::PLANNED.iter().copied())
        .collect();
    let config = guardline_config::parse(
        &std::fs::read_to_string(format!("{root}/guardline.toml")).unwrap(),
        "demo/guardline.toml",
        &known,
    )
    .expect("the demo config");
    (snapshot, config)
}

fn demo_plan(config: &Config, only: Option<&[String]>) -> FixPlan {
    let (snapshot, _) = demo();
    let evaluation = evaluate(&snapshot, config, date(2026, 11, 28));
    plan(&snapshot, config, &evaluation, only)
}

fn with_fix_values(mut config: Config) -> Config {
    config.fix.notify = vec!["security@acme.example".to_owned()];
    config.fix.budget_monthly_usd = Some(3000.0);
    config.fix.security_contact = Some(SecurityContact {
        name: "Acme Security".to_owned(),
        email: "security@acme.example".to_owned(),
        phone: "+81-3-0000-0000".to_owned(),
        title: "CISO".to_owned(),
    });
    config
}

#[test]
fn the_demo_plan() {
    let (_, config) = demo();
    let plan = demo_plan(&with_fix_values(config), None);
    let calls: Vec<(String, Vec<&str>)> = plan
        .steps
        .iter()
        .map(|step| (format!("{} {}", step.control, step.region), step.action.calls()))
        .collect();
    insta::assert_json_snapshot!("demo_plan", plan);
    insta::assert_json_snapshot!("demo_plan_calls", calls);
}

#[test]
fn every_step_comes_from_a_failing_finding() {
    let (snapshot, config) = demo();
    let config = with_fix_values(config);
    let evaluation = evaluate(&snapshot, &config, date(2026, 11, 28));
    let plan = plan(&snapshot, &config, &evaluation, None);
    assert!(!plan.steps.is_empty());
    for step in &plan.steps {
        let failing = evaluation.findings.iter().any(|finding| {
            finding.finding.control == step.control
                && matches!(finding.outcome, Outcome::Fail | Outcome::Warn)
        });
        assert!(failing, "{} is planned without a failing finding", step.control);
    }
    // The demo's excepted S3-002 bucket is never planned; S3-002 has no automated fix anyway.
    assert!(plan.steps.iter().all(|step| step.control != "S3-002"));
}

#[test]
fn missing_config_values_block_their_fixes_instead_of_guessing() {
    let (_, mut config) = demo();
    config.fix.notify.clear();
    config.fix.budget_monthly_usd = None;
    config.fix.security_contact = None;
    let plan = demo_plan(&config, None);
    let routes =
        plan.steps.iter().filter(|step| matches!(step.action, FixAction::RouteEvents { .. })).count();
    assert_eq!(routes, 0, "no route without subscribers");
    let blocked: Vec<String> = plan
        .blocked
        .iter()
        .map(|blocked| format!("{} {}: {}", blocked.control, blocked.region, blocked.missing.en))
        .collect();
    insta::assert_json_snapshot!("demo_blocked", blocked);
}

#[test]
fn only_narrows_the_plan() {
    let (_, config) = demo();
    let only = vec!["guardduty-001".to_owned()];
    let plan = demo_plan(&with_fix_values(config), Some(&only));
    assert!(!plan.steps.is_empty());
    assert!(plan.steps.iter().all(|step| step.control == "GUARDDUTY-001"));
    assert!(plan.blocked.is_empty() && plan.manual.is_empty());
}

#[test]
fn a_disabled_detector_is_enabled_never_duplicated() {
    let (_, config) = demo();
    let plan = demo_plan(&with_fix_values(config), None);
    for step in plan.steps.iter().filter(|step| step.control == "GUARDDUTY-001") {
        let FixAction::EnableGuardDuty { disabled_detector } = &step.action else { panic!("{step:?}") };
        assert_eq!(step.action.calls().contains(&"guardduty:CreateDetector"), disabled_detector.is_none());
    }
}

/// The demo, with `us-east-1`'s Inspector EC2 scanning in `state` (the demo has an instance there).
fn inspector_steps(state: &str) -> Vec<String> {
    let (mut snapshot, config) = demo();
    let config = with_fix_values(config);
    snapshot.regions.get_mut("us-east-1").expect("the demo scans us-east-1").inspector =
        Collected::ok(InspectorStatus { ec2: Some(state.to_owned()) });
    let evaluation = evaluate(&snapshot, &config, date(2026, 11, 28));
    plan(&snapshot, &config, &evaluation, None)
        .steps
        .iter()
        .filter(|step| step.control == "INSPECTOR-001")
        .map(|step| step.region.clone())
        .collect()
}

#[test]
fn inspector_being_enabled_is_not_planned_again() {
    assert_eq!(inspector_steps("ENABLING"), Vec::<String>::new(), "ENABLING passes: nothing to fix");
    for state in ["DISABLED", "DISABLING", "SUSPENDING", "SUSPENDED"] {
        assert_eq!(inspector_steps(state), ["us-east-1"], "{state} fails and is planned");
    }
}

#[test]
fn health_events_are_routed_in_every_failing_region_not_only_the_home_one() {
    let (snapshot, config) = demo();
    let config = with_fix_values(config);
    let evaluation = evaluate(&snapshot, &config, date(2026, 11, 28));
    let failing: Vec<&str> = evaluation
        .findings
        .iter()
        .filter(|finding| finding.finding.control == "HEALTH-001" && finding.outcome == Outcome::Fail)
        .map(|finding| finding.finding.region.as_str())
        .collect();
    assert_eq!(failing, ["ap-northeast-1", "eu-west-1"], "the demo routes Health events in us-east-1 only");
    let plan = plan(&snapshot, &config, &evaluation, None);
    let planned: Vec<&str> = plan
        .steps
        .iter()
        .filter(|step| step.control == "HEALTH-001")
        .map(|step| step.region.as_str())
        .collect();
    assert_eq!(planned, failing);
}

#[test]
fn config_rules_are_created_under_names_no_rule_holds() {
    let (mut snapshot, config) = demo();
    let config = with_fix_values(config);
    let rule = |name: &str, owner: &str, source: &str, state: &str| ConfigRule {
        name: name.to_owned(),
        arn: format!("arn:aws:config:us-east-1:123456789012:config-rule/config-rule-{}", name.len()),
        owner: owner.to_owned(),
        source_identifier: source.to_owned(),
        state: state.to_owned(),
    };
    // The demo's us-east-1 has restricted-ssh; someone's own rules hold the other two names Guardline uses.
    let us_east_1 = snapshot.regions.get_mut("us-east-1").expect("the demo scans us-east-1");
    us_east_1.config_rules = Collected::ok(vec![
        rule("restricted-ssh", "AWS", "INCOMING_SSH_DISABLED", "ACTIVE"),
        rule(
            "S3-Bucket-Public-Read-Prohibited",
            "CUSTOM_LAMBDA",
            "arn:aws:lambda:us-east-1:123456789012:function:s3-read",
            "ACTIVE",
        ),
        rule("guardline-s3-bucket-public-read-prohibited", "CUSTOM_POLICY", "", "ACTIVE"),
        rule("s3-bucket-public-write-prohibited", "AWS", "S3_BUCKET_PUBLIC_WRITE_PROHIBITED", "DELETING"),
    ]);
    let evaluation = evaluate(&snapshot, &config, date(2026, 11, 28));
    let plan = plan(&snapshot, &config, &evaluation, None);
    let step = plan
        .steps
        .iter()
        .find(|step| step.control == "CONFIG-003" && step.region == "us-east-1")
        .expect("CONFIG-003 fails in us-east-1");
    let FixAction::AddConfigRules { rules } = &step.action else { panic!("{step:?}") };
    let names: Vec<(&str, &str, Option<&str>)> = rules
        .iter()
        .map(|rule| {
            let instead_of = rule.instead_of.as_ref().map(|taken| taken.name.as_str());
            (rule.name.as_str(), rule.source_identifier.as_str(), instead_of)
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "guardline-s3-bucket-public-read-prohibited-2",
                "S3_BUCKET_PUBLIC_READ_PROHIBITED",
                Some("S3-Bucket-Public-Read-Prohibited")
            ),
            (
                "guardline-s3-bucket-public-write-prohibited",
                "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
                Some("s3-bucket-public-write-prohibited")
            ),
        ]
    );
    let described = step.action.describe();
    insta::assert_snapshot!("config_rules_renamed", format!("{}\n{}", described.en, described.ja));
}

/// CONFIG-003's rules need the region's recorder (CONFIG-001's step): the plan says so, and no other step
/// waits for anything, so one failure skips only what truly depends on it.
#[test]
fn a_config_rules_step_waits_for_the_recorder_step() {
    let (_, config) = demo();
    let plan = demo_plan(&with_fix_values(config), None);
    let mut waiting = 0;
    for (index, step) in plan.steps.iter().enumerate() {
        for &before in &step.after {
            assert!(before < index, "step {index} waits for a later step {before}");
            let needed = &plan.steps[before];
            assert_eq!((step.control, needed.control), ("CONFIG-003", "CONFIG-001"));
            assert_eq!(step.region, needed.region);
            waiting += 1;
        }
    }
    let rules_steps = plan.steps.iter().filter(|step| step.control == "CONFIG-003").count();
    let recorder_regions: Vec<&str> = plan
        .steps
        .iter()
        .filter(|step| step.control == "CONFIG-001")
        .map(|step| step.region.as_str())
        .collect();
    let expected = plan
        .steps
        .iter()
        .filter(|step| step.control == "CONFIG-003" && recorder_regions.contains(&step.region.as_str()))
        .count();
    assert!(rules_steps > 0 && expected > 0, "the demo fails CONFIG-001 and CONFIG-003 in one region");
    assert_eq!(waiting, expected);
}

/// The demo as its organisation's management account, with centralised root access as `access` says.
fn root_access_plan(access: RootAccess) -> FixPlan {
    let (mut snapshot, config) = demo();
    let id = snapshot.account.id.clone();
    snapshot.global.organization =
        Collected::ok(Some(Organization { id: "o-demo".to_owned(), management_account_id: id }));
    snapshot.global.root_access = Collected::ok(Some(access));
    let evaluation = evaluate(&snapshot, &config, date(2026, 11, 28));
    plan(&snapshot, &config, &evaluation, Some(&["ORG-005".to_owned()]))
}

#[test]
fn centralised_root_access_is_planned_in_the_management_account_unless_the_organisation_cannot_have_it() {
    let off = root_access_plan(RootAccess { enabled_features: Vec::new(), unavailable_because: None });
    assert_eq!(off.steps.len(), 1, "{off:?}");
    assert_eq!(off.steps[0].action, FixAction::CentraliseRootAccess);
    assert!(off.steps[0].action.calls().contains(&"organizations:EnableAWSServiceAccess"));
    let no_trusted_access = root_access_plan(RootAccess {
        enabled_features: Vec::new(),
        unavailable_because: Some("ServiceAccessNotEnabled: The trusted access is not enabled.".to_owned()),
    });
    assert_eq!(no_trusted_access.steps.len(), 1, "trusted access is part of the step");
    // Consolidated billing only: no API call can turn it on, a person must enable all features first.
    let billing_only = root_access_plan(RootAccess {
        enabled_features: Vec::new(),
        unavailable_because: Some("OrganizationNotInAllFeaturesMode: ...".to_owned()),
    });
    assert!(billing_only.steps.is_empty(), "{billing_only:?}");
    assert_eq!(billing_only.manual.iter().map(|manual| manual.control).collect::<Vec<_>>(), ["ORG-005"]);
}
