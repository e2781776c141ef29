//! The organisation-wide planner (`org_fix::organise`): which member steps an organisation-wide step
//! replaces, in which account that step runs, and when the members keep their own steps (no delegated
//! administrator, a setting that could not be read).

use guardline_model::org::{OrgRegionServices, OrgServices};
use guardline_model::{CollectError, Collected, ErrorKind, Text};
use guardline_rules::FixAvailability;
use guardline_rules::fix::{FixAction, FixPlan, FixStep};
use guardline_rules::org_fix::{OrgInput, organise};

const MANAGEMENT: &str = "111111111111";
const SECURITY: &str = "222222222222";
const DEV: &str = "333333333333";
const REGION: &str = "ap-northeast-1";

fn step(control: &'static str, region: &str, action: FixAction) -> FixStep {
    FixStep {
        control,
        fix: FixAvailability::Safe,
        region: region.to_owned(),
        action,
        because: vec![Text::new("fails", "不合格")],
        after: Vec::new(),
    }
}

fn contact() -> FixAction {
    FixAction::SetSecurityContact {
        name: "Security".to_owned(),
        email: "security@example.com".to_owned(),
        phone: "+81-3-0000-0000".to_owned(),
        title: "CISO".to_owned(),
    }
}

/// A plan that enables GuardDuty in the region and sets the SECURITY contact.
fn plan(account: &str) -> FixPlan {
    FixPlan {
        account_id: account.to_owned(),
        account_alias: None,
        steps: vec![
            step("GUARDDUTY-001", REGION, FixAction::EnableGuardDuty { disabled_detector: None }),
            step("ACCOUNT-002", "global", contact()),
            step("IAM-007", "global", FixAction::BlockAccountPublicAccess),
        ],
        blocked: Vec::new(),
        manual: Vec::new(),
        covered: Vec::new(),
    }
}

fn services(admins: Collected<Vec<String>>, auto_enable: Collected<Option<String>>) -> OrgServices {
    let mut services = OrgServices::default();
    services.regions.insert(
        REGION.to_owned(),
        OrgRegionServices {
            guardduty_admins: admins,
            guardduty_auto_enable: auto_enable,
            ..Default::default()
        },
    );
    services
}

/// The planner's input: the organisation's services, every account on the default profile.
fn input<'a>(configured: Option<&'a str>, services: &'a OrgServices) -> OrgInput<'a> {
    static PROFILES: std::sync::LazyLock<
        std::collections::BTreeMap<String, guardline_rules::org_fix::AccountProfile>,
    > = std::sync::LazyLock::new(Default::default);
    OrgInput {
        management: MANAGEMENT,
        delegated_admin: configured,
        home_region: REGION,
        services,
        profiles: &PROFILES,
        log_bucket: guardline_rules::fix::LogBucket {
            name: "guardline-logs-111111111111".to_owned(),
            region: REGION.to_owned(),
            create: true,
        },
    }
}

fn controls(plan: &FixPlan) -> Vec<&str> {
    plan.steps.iter().map(|step| step.control).collect()
}

#[test]
fn a_configured_administrator_is_designated_and_auto_enables_every_member() {
    let (mut management, mut security, mut dev) = (plan(MANAGEMENT), plan(SECURITY), plan(DEV));
    let services = services(Collected::ok(Vec::new()), Collected::ok(None));
    let steps = {
        let mut plans = [(MANAGEMENT, &mut management), (SECURITY, &mut security), (DEV, &mut dev)];
        organise(&input(Some(SECURITY), &services), &mut plans)
    };
    assert!(steps.notes.is_empty(), "{:?}", steps.notes);
    let actions: Vec<&FixAction> = steps.management.iter().map(|step| &step.action).collect();
    assert_eq!(actions[0], &FixAction::DelegateGuardDuty { admin_account: SECURITY.to_owned() });
    let FixAction::SetMemberSecurityContacts { accounts, .. } = actions[1] else { panic!("{actions:?}") };
    assert_eq!(accounts, &[SECURITY, DEV]);
    assert_eq!(steps.admins.len(), 1);
    assert_eq!(steps.admins[0].0, SECURITY);
    assert_eq!(steps.admins[0].1[0].action, FixAction::AutoEnableGuardDuty);
    // The reasons name the member accounts they come from.
    assert!(steps.management[0].because.iter().any(|because| because.en == format!("{DEV}: fails")));
    // The management account keeps its own steps; the administrator its own GuardDuty step; a member keeps
    // only what has no organisation-wide way.
    assert_eq!(controls(&management), ["GUARDDUTY-001", "ACCOUNT-002", "IAM-007"]);
    assert_eq!(controls(&security), ["GUARDDUTY-001", "IAM-007"]);
    assert_eq!(controls(&dev), ["IAM-007"]);
    assert_eq!(dev.covered.len(), 2);
}

#[test]
fn an_existing_administrator_is_used_and_auto_enable_all_needs_no_step() {
    let (mut management, mut dev) = (plan(MANAGEMENT), plan(DEV));
    let services = services(Collected::ok(vec![SECURITY.to_owned()]), Collected::ok(Some("ALL".to_owned())));
    let steps = {
        let mut plans = [(MANAGEMENT, &mut management), (DEV, &mut dev)];
        organise(&input(Some("444444444444"), &services), &mut plans)
    };
    assert!(steps.management.iter().all(|step| step.control != "GUARDDUTY-001"), "{:?}", steps.management);
    assert!(steps.admins.is_empty(), "{:?}", steps.admins);
    assert!(dev.covered.iter().any(|covered| covered.by.en.contains(SECURITY)), "{:?}", dev.covered);
    assert_eq!(controls(&dev), ["IAM-007"]);
}

#[test]
fn without_an_administrator_or_its_settings_members_keep_their_own_guardduty_steps() {
    let error = CollectError {
        action: "guardduty:ListOrganizationAdminAccounts".to_owned(),
        kind: ErrorKind::AccessDenied,
        code: Some("AccessDeniedException".to_owned()),
        message: "denied".to_owned(),
    };
    let cases = [
        (services(Collected::ok(Vec::new()), Collected::ok(None)), None, "`[org] delegated-admin`"),
        (services(Collected::error(error.clone()), Collected::ok(None)), Some(SECURITY), "could not be read"),
        (
            services(Collected::ok(vec![SECURITY.to_owned()]), Collected::error(error)),
            Some(SECURITY),
            "organisation settings could not be read",
        ),
    ];
    for (services, configured, note) in cases {
        let (mut management, mut dev) = (plan(MANAGEMENT), plan(DEV));
        let steps = {
            let mut plans = [(MANAGEMENT, &mut management), (DEV, &mut dev)];
            organise(&input(configured, &services), &mut plans)
        };
        assert!(steps.notes.iter().any(|text| text.en.contains(note)), "{note}: {:?}", steps.notes);
        assert!(steps.admins.is_empty());
        assert_eq!(controls(&dev), ["GUARDDUTY-001", "IAM-007"], "{note}");
    }
}

#[test]
fn a_covered_step_leaves_the_remaining_steps_order_intact() {
    let mut dev = plan(DEV);
    dev.steps[2].after = vec![0];
    dev.cover(|step| (step.control == "GUARDDUTY-001").then(|| Text::new("org", "org")));
    assert_eq!(controls(&dev), ["ACCOUNT-002", "IAM-007"]);
    assert!(dev.steps[1].after.is_empty(), "the covered step is no longer waited for");
    dev.steps[1].after = vec![0];
    dev.prepend(vec![step("ORG-005", "global", FixAction::CentraliseRootAccess)]);
    assert_eq!(controls(&dev), ["ORG-005", "ACCOUNT-002", "IAM-007"]);
    assert_eq!(dev.steps[2].after, [1], "IAM-007 still waits for ACCOUNT-002, now step 2");
}

#[test]
fn inspector_is_enabled_by_its_administrator_for_exactly_the_failing_members() {
    let inspector = || step("INSPECTOR-001", REGION, FixAction::EnableInspectorEc2 { member_of: None });
    let (mut management, mut security, mut dev, mut clean) =
        (plan(MANAGEMENT), plan(SECURITY), plan(DEV), plan("444444444444"));
    for plan in [&mut management, &mut security, &mut dev] {
        plan.steps.push(inspector());
    }
    let mut services = services(Collected::ok(Vec::new()), Collected::ok(None));
    let region = services.regions.get_mut(REGION).unwrap();
    region.inspector_admins = Collected::ok(Vec::new());
    region.inspector_auto_enable_ec2 = Collected::ok(None);
    let steps = {
        let mut plans = [
            (MANAGEMENT, &mut management),
            (SECURITY, &mut security),
            (DEV, &mut dev),
            ("444444444444", &mut clean),
        ];
        organise(&input(Some(SECURITY), &services), &mut plans)
    };
    assert!(
        steps
            .management
            .iter()
            .any(|step| step.action == FixAction::DelegateInspector { admin_account: SECURITY.to_owned() })
    );
    let admin = &steps.admins[0].1;
    assert!(
        admin
            .iter()
            .any(|step| step.action == FixAction::EnableInspectorMembers { accounts: vec![DEV.to_owned()] }),
        "only the member whose plan had the step; the administrator keeps its own: {admin:?}"
    );
    assert!(controls(&security).contains(&"INSPECTOR-001"));
    assert!(!controls(&dev).contains(&"INSPECTOR-001"));
}

#[test]
fn security_hub_is_configured_centrally_with_a_policy_per_profile_over_every_scanned_region() {
    use guardline_rules::fix::HubPolicy;
    use guardline_rules::org_fix::AccountProfile;
    let hub = |region: &str| {
        step(
            "HUB-001",
            region,
            FixAction::EnableSecurityHub { hub_enabled: false, standard_arn: format!("fsbp-{region}") },
        )
    };
    let prod = "555555555555";
    let mut plans_by_account: Vec<(&str, FixPlan)> =
        [MANAGEMENT, SECURITY, DEV, prod].iter().map(|id| (*id, plan(id))).collect();
    for (_, plan) in &mut plans_by_account {
        plan.steps.push(hub(REGION));
        plan.steps.push(hub("us-east-1"));
    }
    let mut services = services(Collected::ok(Vec::new()), Collected::ok(None));
    services.regions.insert("us-east-1".to_owned(), OrgRegionServices::default());
    services.security_hub_admins = Collected::ok(Vec::new());
    services.security_hub_configuration = Collected::ok(None);
    let profile = |name: &str, off: &[&str]| AccountProfile {
        name: name.to_owned(),
        hub_not_adopted: off.iter().map(|control| (*control).to_owned()).collect(),
    };
    let profiles = [(DEV, profile("development", &["IAM.6"])), (prod, profile("production", &[]))]
        .into_iter()
        .map(|(id, profile)| (id.to_owned(), profile))
        .collect();
    let input = OrgInput {
        management: MANAGEMENT,
        delegated_admin: Some(SECURITY),
        home_region: REGION,
        services: &services,
        profiles: &profiles,
        log_bucket: guardline_rules::fix::LogBucket {
            name: "audit-logs".to_owned(),
            region: REGION.to_owned(),
            create: false,
        },
    };
    let steps = {
        let mut plans: Vec<(&str, &mut FixPlan)> =
            plans_by_account.iter_mut().map(|(id, plan)| (*id, plan)).collect();
        organise(&input, &mut plans)
    };
    let delegation = steps.management.iter().find(|step| step.control == "HUB-001").expect("a designation");
    assert_eq!(delegation.region, REGION, "in the home region");
    let central =
        steps.admins[0].1.iter().find(|step| step.control == "HUB-001").expect("central configuration");
    let FixAction::CentraliseSecurityHub { linked_regions, policies } = &central.action else { panic!() };
    assert_eq!(linked_regions, &["us-east-1"]);
    let fsbp =
        "arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0";
    assert_eq!(
        policies,
        &[
            HubPolicy {
                name: "guardline-development".to_owned(),
                standard_arn: fsbp.to_owned(),
                disabled_controls: vec!["IAM.6".to_owned()],
                accounts: vec![DEV.to_owned()],
            },
            HubPolicy {
                name: "guardline-production".to_owned(),
                standard_arn: fsbp.to_owned(),
                disabled_controls: Vec::new(),
                accounts: vec![prod.to_owned()],
            },
        ]
    );
    let dev = &plans_by_account.iter().find(|(id, _)| *id == DEV).unwrap().1;
    assert!(!controls(dev).contains(&"HUB-001"), "both regions' steps are covered: {:?}", controls(dev));
    assert_eq!(dev.covered.iter().filter(|covered| covered.control == "HUB-001").count(), 2);
    let management = &plans_by_account[0].1;
    assert_eq!(controls(management).iter().filter(|control| **control == "HUB-001").count(), 2);
}

#[test]
fn one_organisation_trail_replaces_every_new_trail_but_not_a_stopped_trail_of_the_management_account() {
    let trail = |existing: Option<&str>| {
        step(
            "TRAIL-001",
            REGION,
            FixAction::EnableCloudTrail {
                existing_trail: existing.map(str::to_owned),
                bucket: guardline_rules::fix::LogBucket {
                    name: "b".to_owned(),
                    region: REGION.to_owned(),
                    create: true,
                },
            },
        )
    };
    let services = services(Collected::ok(Vec::new()), Collected::ok(None));
    for (management_step, kept) in [(None, false), (Some("legacy"), true)] {
        let (mut management, mut dev) = (plan(MANAGEMENT), plan(DEV));
        management.steps.push(trail(management_step));
        dev.steps.push(trail(Some("dev-own")));
        let steps = {
            let mut plans = [(MANAGEMENT, &mut management), (DEV, &mut dev)];
            organise(&input(None, &services), &mut plans)
        };
        let organisation =
            steps.management.iter().find(|step| step.control == "TRAIL-001").expect("the trail");
        let FixAction::OrganizationTrail { bucket } = &organisation.action else { panic!() };
        assert_eq!(bucket.name, "guardline-logs-111111111111", "the management account's bucket");
        assert!(!controls(&dev).contains(&"TRAIL-001"), "a member's own trail step is covered too");
        assert_eq!(controls(&management).contains(&"TRAIL-001"), kept, "{management_step:?}");
    }
}

#[test]
fn organisation_analyzers_need_no_management_step_once_trusted_and_registered() {
    let analyzer = || step("ANALYZER-001", REGION, FixAction::CreateAccessAnalyzer { name: "a".to_owned() });
    let mut services = services(Collected::ok(Vec::new()), Collected::ok(None));
    services.trusted_access = Collected::ok(vec!["access-analyzer.amazonaws.com".to_owned()]);
    services.analyzer_admins = Collected::ok(vec![SECURITY.to_owned()]);
    let (mut management, mut dev) = (plan(MANAGEMENT), plan(DEV));
    management.steps.push(analyzer());
    dev.steps.push(analyzer());
    let steps = {
        let mut plans = [(MANAGEMENT, &mut management), (DEV, &mut dev)];
        organise(&input(None, &services), &mut plans)
    };
    assert!(steps.management.iter().all(|step| step.control != "ANALYZER-001"), "{:?}", steps.management);
    let (holder, admin_steps) = &steps.admins[0];
    assert_eq!(holder, SECURITY, "the registered administrator holds it");
    assert_eq!(
        admin_steps[0].action,
        FixAction::CreateOrganizationAnalyzer { name: "guardline-org".to_owned() }
    );
    assert!(!controls(&management).contains(&"ANALYZER-001") && !controls(&dev).contains(&"ANALYZER-001"));
}

#[test]
fn an_organisation_aggregator_is_planned_beside_the_recorders_unless_one_exists() {
    let recorder = || {
        step(
            "CONFIG-001",
            REGION,
            FixAction::RecordConfig {
                include_global_resource_types: true,
                bucket: guardline_rules::fix::LogBucket {
                    name: "b".to_owned(),
                    region: REGION.to_owned(),
                    create: true,
                },
            },
        )
    };
    for (existing, planned) in [(None, true), (Some("someone-elses"), false)] {
        let mut services = services(Collected::ok(Vec::new()), Collected::ok(None));
        services.trusted_access = Collected::ok(vec!["config.amazonaws.com".to_owned()]);
        services.config_admins = Collected::ok(Vec::new());
        services.config_aggregator = Collected::ok(existing.map(str::to_owned));
        let mut dev = plan(DEV);
        dev.steps.push(recorder());
        let steps = {
            let mut plans = [(DEV, &mut dev)];
            organise(&input(Some(SECURITY), &services), &mut plans)
        };
        let registration = steps.management.iter().find(|step| step.control == "CONFIG-001");
        let aggregator =
            steps.admins.iter().flat_map(|(_, steps)| steps).find(|step| step.control == "CONFIG-001");
        assert_eq!(aggregator.is_some(), planned, "{existing:?}");
        assert_eq!(
            registration.map(|step| &step.action),
            planned.then(|| FixAction::DelegateConfig { admin_account: Some(SECURITY.to_owned()) }).as_ref(),
            "trusted access is on; the administrator is registered only when the aggregator is planned"
        );
        assert!(controls(&dev).contains(&"CONFIG-001"), "the member keeps its recorder step");
    }
}
