//! `fix --org` and `org plan-roles --org` against an emulated organisation on moto: from the management
//! account, one plan grouped by account (each account under its OU/tag profile, a closed account NOT
//! EVALUATED), refused as a whole when the management account or any member fails its pin, saved and
//! applied through the reviewed-plan flow, after which `scan --org` passes the fixed controls in every
//! member; the switch roles land in every member and the groups in the management account, once.

use std::path::Path;

use serde_json::Value;

use aws_config::Region;

use crate::org_scan::{Org, member, organisation, outcomes, run};
use crate::schedule::instance_in;
use crate::support::moto_env;

/// The controls the test's config lets `fix` repair in one region, and that `scan --org` then passes.
const FIXED: &[&str] = &["GUARDDUTY-001", "IAM-007", "S3-001", "ANALYZER-001"];

/// The config: the members pinned by ID with their aliases (`prod_alias` for prod-web), the management
/// account pinned when `pin_management`, the `[fix]` values, and switch roles per profile.
fn write_config(dir: &Path, org: &Org, prod_alias: &str, pin_management: bool) {
    let management = if pin_management {
        format!("[[accounts]]\nid = \"{}\"\nprofile = \"management\"\n", org.management.id)
    } else {
        String::new()
    };
    let text = format!(
        r#"default-profile = "management"

[scan]
regions = ["ap-northeast-1"]

[profiles.management.params]
switch-roles = ["admin", "engineer", "viewer"]

[profiles.production.params]
switch-roles = ["admin", "viewer"]

[profiles.development.params]
switch-roles = ["engineer"]

{management}
[[accounts]]
id = "{dev}"
alias = "acme-dev"
profile = "development"

[[accounts]]
id = "{prod}"
alias = "{prod_alias}"
profile = "production"

[fix]
notify = ["security@example.com"]
budget-monthly-usd = 500
anomaly-threshold-usd = 50

[fix.security-contact]
name = "Security Team"
email = "security@example.com"
phone = "+81-3-0000-0000"
title = "CISO"
"#,
        dev = org.members["dev-api"],
        prod = org.members["prod-web"],
    );
    std::fs::write(dir.join("guardline.toml"), text).unwrap();
}

/// `scan --org`'s JSON report.
async fn scan_org(dir: &Path, env: Vec<(&'static str, String)>) -> Value {
    let args = strings(&[
        "scan",
        "--org",
        "--no-history",
        "--no-progress",
        "--max-attempts",
        "1",
        "--format",
        "json",
    ]);
    let scan = run(dir, args, env).await;
    serde_json::from_str(&scan.stdout).unwrap_or_else(|_| panic!("{}", scan.stderr))
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| (*arg).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn fix_org_plans_by_account_refuses_unpinned_accounts_and_applies_so_the_org_scan_passes() {
    let server = guardline_testkit::shared();
    let org = organisation(
        server,
        &[
            ("prod-web", "Workloads", &[("env", "prod")]),
            ("dev-api", "Workloads", &[("env", "dev")]),
            ("gone", "", &[]),
        ],
    )
    .await;
    let (dev, prod, gone) = (&org.members["dev-api"], &org.members["prod-web"], &org.members["gone"]);
    // prod-web already has an alias; dev-api gets the one its pin names from the plan (ACCOUNT-001).
    let prod_sdk = member(server, &org, "prod-web").await;
    aws_sdk_iam::Client::new(&prod_sdk)
        .create_account_alias()
        .account_alias("acme-prd")
        .send()
        .await
        .unwrap();
    let organizations = aws_sdk_organizations::Client::new(&org.management.config);
    organizations.close_account().account_id(gone).send().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    let fix = |extra: &[&str]| {
        let mut args = strings(&["fix", "--org", "--no-progress", "--max-attempts", "1"]);
        args.extend(strings(extra));
        args
    };

    // The plan: every account under its heading, the closed one NOT EVALUATED, the management account not
    // pinned (the config pins members only), prod-web's alias not the pinned one. Nothing is written.
    write_config(dir.path(), &org, "acme-prod", false);
    let plan = run(dir.path(), fix(&["--lang", "en"]), env.clone()).await;
    assert_eq!(plan.code, 1, "an account is not reached: {}", plan.stderr);
    let text = &plan.stdout;
    assert!(
        text.starts_with(&format!("Organisation managed from {} (no alias)\n", org.management.id)),
        "{text}"
    );
    assert!(text.contains("nothing is changed without --apply"), "{text}");
    for id in [dev, prod, gone, &org.management.id] {
        assert!(text.contains(&format!("== Account {id}")), "{id}: {text}");
    }
    assert!(
        text.contains(&format!(
            "== Account {dev} (no alias) \"dev-api\" · Root/Workloads · profile development"
        )),
        "{text}"
    );
    // AWS shows a closed account PENDING_CLOSURE first, then SUSPENDED (CloseAccount,
    // https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html); moto goes straight
    // to SUSPENDED. Either is not ACTIVE, so the account is not reached.
    let closed = |text: &str| {
        ["PENDING_CLOSURE", "SUSPENDED"]
            .iter()
            .any(|status| text.contains(&format!("the account is {status} in Organizations")))
    };
    assert!(text.contains("NOT EVALUATED, nothing planned: the account is "), "{text}");
    assert!(closed(text), "{text}");
    assert!(text.contains("its alias is created by this plan"), "dev-api's pinned alias: {text}");
    assert!(text.contains("GUARDDUTY-001"), "{text}");
    // A manual control is named under each account, its steps given once for all of them.
    assert_eq!(text.matches("\n  IAM-001 The root user has MFA").count(), 4, "{text}");
    assert_eq!(text.matches("aws iam get-account-summary").count(), 1, "{text}");

    let json = run(dir.path(), fix(&["--format", "json"]), env.clone()).await;
    let report: Value = serde_json::from_str(&json.stdout).unwrap_or_else(|_| panic!("{}", json.stderr));
    assert_eq!(report["management"]["account_id"], org.management.id.as_str());
    let accounts = report["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 4, "{accounts:#?}");
    let entry = |id: &str| accounts.iter().find(|entry| entry["account_id"] == id).unwrap().clone();
    assert_eq!(entry(prod)["profile"], "production");
    assert_eq!(entry(gone)["plan"], Value::Null);
    assert!(closed(entry(gone)["not_evaluated"].as_str().unwrap()));
    let dev_entry = entry(dev);
    let dev_controls: Vec<&str> = dev_entry["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["control"].as_str().unwrap())
        .collect();
    // Without a delegated administrator, GuardDuty stays each member's own; the analyzer becomes the
    // organisation's, held by the management account.
    let dev_covered: Vec<&str> = dev_entry["plan"]["covered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|covered| covered["control"].as_str().unwrap())
        .collect();
    for control in FIXED.iter().chain(&["ACCOUNT-001"]) {
        let organised = *control == "ANALYZER-001";
        assert_eq!(dev_controls.contains(control), !organised, "{control}: {dev_controls:?}");
        assert_eq!(dev_covered.contains(control), organised, "{control}: {dev_covered:?}");
    }

    // `--include` narrows the plan to the accounts it selects, as for `scan --org`.
    let included = run(dir.path(), fix(&["--include", dev, "--only", "IAM-007"]), env.clone()).await;
    assert_eq!(included.code, 0, "{}", included.stderr);
    assert!(included.stdout.contains(&format!("== Account {dev}")), "{}", included.stdout);
    for other in [prod, gone, &org.management.id] {
        assert!(!included.stdout.contains(&format!("== Account {other}")), "{other}: {}", included.stdout);
    }
    assert!(included.stdout.contains("Plan: 1 change(s) in 1 of 1 account(s)"), "{}", included.stdout);

    // Applying is refused as a whole: first the management account is not pinned, then prod-web's alias
    // differs from its pin. Nothing changes in any account.
    let apply = ["--apply", "--yes"];
    let refused = run(dir.path(), fix(&apply), env.clone()).await;
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("refused, nothing was changed"), "{}", refused.stderr);
    write_config(dir.path(), &org, "acme-prod", true);
    let refused = run(dir.path(), fix(&apply), env.clone()).await;
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("refused, nothing was changed in any account"), "{}", refused.stderr);
    assert!(refused.stderr.contains(&format!("{prod} (acme-prd)")), "{}", refused.stderr);
    assert!(refused.stderr.contains("--exclude ID"), "{}", refused.stderr);
    let dev_sdk = member(server, &org, "dev-api").await;
    let detectors = aws_sdk_guardduty::Client::new(&dev_sdk).list_detectors().send().await.unwrap();
    assert!(detectors.detector_ids().is_empty(), "nothing was written in dev-api");

    // The reviewed-plan flow: saved, then applied exactly; the closed account is listed, not applied.
    write_config(dir.path(), &org, "acme-prd", true);
    let plan_path = dir.path().join("org-plan.json");
    let plan_file = plan_path.to_str().unwrap();
    let saved = run(dir.path(), fix(&["--plan-out", plan_file]), env.clone()).await;
    assert_eq!(saved.code, 1, "{}", saved.stderr);
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    assert_eq!(document["kind"], "guardline-fix-org-plan");
    assert_eq!(document["account"]["id"], org.management.id.as_str());
    let saved_accounts: Vec<&str> = document["plan"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["account_id"].as_str().unwrap())
        .collect();
    assert!(
        saved_accounts.contains(&dev.as_str()) && !saved_accounts.contains(&gone.as_str()),
        "{saved_accounts:?}"
    );

    let applied = run(dir.path(), fix(&["--apply-plan", plan_file, "--apply", "--yes"]), env.clone()).await;
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("still applies"), "{}", applied.stdout);
    assert!(applied.stdout.contains("Run `guardline scan --org`"), "{}", applied.stdout);
    assert!(applied.stdout.contains(&format!("== Account {dev}")), "{}", applied.stdout);

    // Every member now passes what was fixed; dev-api has the alias its pin names.
    let report = scan_org(dir.path(), env.clone()).await;
    for id in [dev, prod, &org.management.id] {
        let findings = outcomes(&report, id);
        for control in FIXED {
            assert!(findings.contains(&format!("pass {control}")), "{id} {control}: {findings:?}");
        }
    }
    assert!(outcomes(&report, dev).contains(&"pass ACCOUNT-001".to_owned()));

    // A second run finds nothing left to do for those controls, in any account.
    let again = run(dir.path(), fix(&["--only", &FIXED.join(","), "--exclude", gone]), env.clone()).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains("Plan: 0 change(s) in 0 of 3 account(s); 0 not reached"),
        "{}",
        again.stdout
    );
}

/// The AWS-native organisation setup: GuardDuty's and Amazon Inspector's delegated administrator designated
/// from the management account, GuardDuty auto-enabled for every member and Inspector's EC2 scanning enabled
/// for the members with instances from the administrator (the members' own steps left out), the members'
/// SECURITY contacts set from the management account by `--account-id`, centralised root
/// access turned on; after `--apply`, `scan --org` passes the three controls everywhere and a second plan is
/// empty. moto lacks GuardDuty's organisation configuration and IAM's trusted access, and keeps Inspector's
/// member status in the administrator: the test extension answers as the API reference documents.
#[tokio::test(flavor = "multi_thread")]
async fn fix_org_uses_delegated_administration_and_organisation_wide_calls_first() {
    let server = guardline_testkit::shared();
    let org = organisation(
        server,
        &[("security", "", &[]), ("dev-api", "Workloads", &[]), ("prod-web", "Workloads", &[])],
    )
    .await;
    let (security, dev, prod) = (&org.members["security"], &org.members["dev-api"], &org.members["prod-web"]);
    let management = &org.management.id;
    for name in ["dev-api", "prod-web"] {
        let sdk = member(server, &org, name).await.to_builder().region(Region::new("ap-northeast-1")).build();
        instance_in(&sdk, &[("env", "dev")]).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r#"default-profile = "standard"

[scan]
regions = ["ap-northeast-1"]

[profiles.standard.params]
home-region = "ap-northeast-1"

[org]
delegated-admin = "{security}"

[[accounts]]
id = "{management}"

[[accounts]]
id = "{dev}"
profile = "development"

[profiles.development.params]
security-hub-not-adopted = {{ "IAM.6" = "the root MFA is a FIDO key, which Security Hub cannot see" }}

[fix.security-contact]
name = "Security Team"
email = "security@example.com"
phone = "+81-3-0000-0000"
title = "CISO"
"#
    );
    std::fs::write(dir.path().join("guardline.toml"), config).unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    const CONTROLS: &str =
        "GUARDDUTY-001,INSPECTOR-001,HUB-001,TRAIL-001,ANALYZER-001,CONFIG-001,ACCOUNT-002,ORG-005";
    let fix = |extra: &[&str]| {
        let mut args = strings(&["fix", "--org", "--only", CONTROLS, "--no-progress", "--max-attempts", "1"]);
        args.extend(strings(extra));
        args
    };

    let plan = run(dir.path(), fix(&[]), env.clone()).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let text = &plan.stdout;
    let section = |id: &str| {
        let start = text.find(&format!("== Account {id}")).unwrap_or_else(|| panic!("{id}: {text}"));
        let rest = &text[start + 3..];
        rest[..rest.find("\n== ").unwrap_or(rest.len())].to_owned()
    };
    let hub = section(management);
    assert!(
        hub.contains(&format!(
            "GUARDDUTY-001 [safe] ap-northeast-1: designate account {security} as GuardDuty's delegated \
             administrator"
        )),
        "{hub}"
    );
    let members = [dev.as_str(), prod.as_str(), security.as_str()].map(str::to_owned);
    let mut sorted = members.clone();
    sorted.sort();
    assert!(
        hub.contains(&format!("SECURITY alternate contact of 3 member account(s) ({})", sorted.join(", "))),
        "{hub}"
    );
    assert!(hub.contains("ORG-005 [needs review] global: let IAM work with Organizations"), "{hub}");
    assert!(hub.contains("create and enable a GuardDuty detector"), "the management account's own: {hub}");
    assert!(
        hub.contains(&format!("designate account {security} as Amazon Inspector's delegated administrator")),
        "{hub}"
    );
    assert!(
        hub.contains(&format!(
            "HUB-001 [safe] ap-northeast-1: designate account {security} as Security Hub's"
        )),
        "{hub}"
    );
    assert!(
        hub.contains(&format!(
            "TRAIL-001 [safe] ap-northeast-1: log every account of the organization: start the organization's \
             multi-region trail if it is stopped, or create the organization trail guardline-org (all management \
             events, log file validation) delivering to the bucket guardline-logs-{management}"
        )),
        "{hub}"
    );
    assert!(
        !hub.contains("create the multi-region trail guardline "),
        "the organisation trail covers it: {hub}"
    );
    assert!(
        hub.contains(&format!(
            "ANALYZER-001 [safe] global: let IAM Access Analyzer work with Organizations (trusted access) and \
             register account {security} as its delegated administrator"
        )),
        "{hub}"
    );
    assert!(
        hub.contains(&format!(
            "CONFIG-001 [safe] global: let AWS Config work with Organizations (trusted access) and register \
             account {security} as its delegated administrator for aggregators"
        )),
        "{hub}"
    );
    let admin = section(security);
    assert!(
        admin.contains("create the AWS Config aggregator guardline-org of every account and region"),
        "{admin}"
    );
    assert!(
        admin.contains(
            "ANALYZER-001 [safe] ap-northeast-1: create the IAM Access Analyzer guardline-org (zone of trust: the \
             organization)"
        ),
        "{admin}"
    );
    assert!(admin.contains("enable GuardDuty for every member account of the organization"), "{admin}");
    // Central configuration: one policy per profile, the profile's not-adopted controls off.
    assert!(
        admin.contains(
            "configuration type CENTRAL, and the configuration policies guardline-development (FSBP, off: \
             IAM.6) for 1 account(s); guardline-standard (FSBP) for 1 account(s)"
        ),
        "{admin}"
    );
    let with_instances = {
        let mut ids = [dev.as_str(), prod.as_str()];
        ids.sort();
        ids.join(", ")
    };
    assert!(
        admin.contains(&format!(
            "enable Amazon Inspector EC2 scanning for 2 member account(s) ({with_instances})"
        )),
        "{admin}"
    );
    for id in [dev, prod] {
        let member = section(id);
        // Each member still records with its own recorder: the only step left in its plan.
        assert!(member.contains("Plan: 1 change(s) for 1 control(s)"), "{member}");
        assert!(
            member.contains("CONFIG-001 [safe] ap-northeast-1: record every supported resource type"),
            "{member}"
        );
        assert!(
            member.contains(&format!(
                "GUARDDUTY-001 ap-northeast-1: GuardDuty's delegated administrator {security} enables every \
                 member account"
            )),
            "{member}"
        );
        assert!(member.contains("ACCOUNT-002 global: the management account"), "{member}");
        assert!(
            member.contains(&format!(
                "INSPECTOR-001 ap-northeast-1: Amazon Inspector's delegated administrator {security}"
            )),
            "{member}"
        );
        assert!(
            member.contains(&format!(
                "HUB-001 ap-northeast-1: Security Hub's delegated administrator {security}"
            )),
            "{member}"
        );
        assert!(
            member.contains(&format!(
                "TRAIL-001 ap-northeast-1: the organization trail of the management account {management} logs it"
            )),
            "{member}"
        );
        assert!(
            member.contains(&format!(
                "ANALYZER-001 ap-northeast-1: the organization's IAM Access Analyzer guardline-org of account \
                 {security} covers it"
            )),
            "{member}"
        );
    }

    let applied = run(dir.path(), fix(&["--apply", "--yes"]), env.clone()).await;
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    // The plan lists the accounts by ID; what was applied follows, the management account first.
    let hub_done = applied.stdout.rfind(&format!("== Account {management}")).unwrap();
    let admin_done = applied.stdout.rfind(&format!("== Account {security}")).unwrap();
    assert!(hub_done < admin_done, "the management account's steps run first: {}", applied.stdout);
    let guardduty = aws_sdk_guardduty::Client::new(&org.management.config);
    let admins = guardduty.list_organization_admin_accounts().send().await.unwrap();
    assert_eq!(admins.admin_accounts()[0].admin_account_id(), Some(security.as_str()));
    let contact = aws_sdk_account::Client::new(&org.management.config)
        .get_alternate_contact()
        .account_id(dev)
        .alternate_contact_type(aws_sdk_account::types::AlternateContactType::Security)
        .send()
        .await
        .unwrap();
    assert_eq!(contact.alternate_contact().unwrap().email_address(), Some("security@example.com"));
    let security_sdk =
        member(server, &org, "security").await.to_builder().region(Region::new("ap-northeast-1")).build();
    let aggregators =
        aws_sdk_config::Client::new(&security_sdk).describe_configuration_aggregators().send().await.unwrap();
    let aggregator = &aggregators.configuration_aggregators()[0];
    assert_eq!(aggregator.configuration_aggregator_name(), Some("guardline-org"));
    assert!(aggregator.organization_aggregation_source().unwrap().all_aws_regions());
    // The organisation trail's bucket admits CloudTrail's member logs under the organisation's prefix.
    let s3 = aws_sdk_s3::Client::new(&org.management.in_region("ap-northeast-1"));
    let policy = s3.get_bucket_policy().bucket(format!("guardline-logs-{management}")).send().await.unwrap();
    let policy = policy.policy().unwrap();
    assert!(policy.contains("/AWSLogs/o-") && policy.contains("trail/guardline-org"), "{policy}");

    let report = scan_org(dir.path(), env.clone()).await;
    for id in members.iter().chain([management]) {
        let findings = outcomes(&report, id);
        let controls = CONTROLS.split(',');
        for control in controls {
            assert!(findings.contains(&format!("pass {control}")), "{id} {control}: {findings:?}");
        }
    }

    let again = run(dir.path(), fix(&[]), env).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("Plan: 0 change(s) in 0 of 4 account(s)"), "{}", again.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_roles_org_creates_member_roles_and_management_groups_once() {
    let server = guardline_testkit::shared();
    let org = organisation(server, &[("prod-web", "Workloads", &[]), ("dev-api", "Sandbox", &[])]).await;
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &org, "acme-prod", true);
    // The members pinned by ID without aliases: plan-roles creates no alias, so a pinned alias could never
    // match. moto loads no AWS managed policies, so the roles get none here (`org_roles.rs` attaches one).
    let text = std::fs::read_to_string(dir.path().join("guardline.toml"))
        .unwrap()
        .replace("alias = \"acme-prod\"\n", "");
    let text = text.replace("alias = \"acme-dev\"\n", "").replace(
        "[profiles.production.params]\n",
        "[profiles.production.params.switch-role-policies]\n[profiles.development.params.switch-role-policies]\n\
         [profiles.production.params]\n",
    );
    std::fs::write(dir.path().join("guardline.toml"), text).unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    let roles = |extra: &[&str]| {
        let mut args = strings(&["org", "plan-roles", "--org"]);
        args.extend(strings(extra));
        args
    };

    let plan = run(dir.path(), roles(&[]), env.clone()).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let (dev, prod) = (&org.members["dev-api"], &org.members["prod-web"]);
    assert!(
        plan.stdout.contains(&format!("== Account {prod} (no alias) \"prod-web\" · Root/Workloads")),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("group switch-engineer: may assume role engineer"), "{}", plan.stdout);
    assert!(plan.stdout.contains("role admin"), "{}", plan.stdout);

    let applied = run(dir.path(), roles(&["--apply", "--yes"]), env.clone()).await;
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("account(s)."), "{}", applied.stdout);

    // The roles exist in each member per its profile, trusting the management account with MFA.
    let prod_iam = aws_sdk_iam::Client::new(&member(server, &org, "prod-web").await);
    for role in ["admin", "viewer"] {
        let found = prod_iam.get_role().role_name(role).send().await.unwrap();
        let trust = found.role().unwrap().assume_role_policy_document().unwrap();
        let trust =
            guardline_collect::services::iam_access::decode_policy("iam:GetRole", trust).unwrap().to_string();
        assert!(trust.contains(&format!("arn:aws:iam::{}:root", org.management.id)), "{trust}");
        assert!(trust.contains("aws:MultiFactorAuthPresent"), "{trust}");
    }
    let dev_iam = aws_sdk_iam::Client::new(&member(server, &org, "dev-api").await);
    assert!(dev_iam.get_role().role_name("engineer").send().await.is_ok(), "dev-api {dev}");
    let management_iam = aws_sdk_iam::Client::new(&org.management.config);
    for group in ["switch-admin", "switch-engineer", "switch-viewer"] {
        assert!(management_iam.get_group().group_name(group).send().await.is_ok(), "{group}");
    }

    let again = run(dir.path(), roles(&["--apply", "--yes"]), env).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout.matches("Nothing to do: account").count(), 3, "{}", again.stdout);
}
