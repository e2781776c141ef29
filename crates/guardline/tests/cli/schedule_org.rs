//! `schedule run --org` and `schedule status --org` against an emulated organisation on moto: a schedule
//! whose `accounts` names an OU stops the non-production instances of the accounts under it, through their
//! member roles, never a production one and nothing in an account the schedule does not name; a member
//! whose pinned alias differs refuses the whole run; status shows each account's instances and SCHED-001.

use crate::org_scan::{member, organisation, run};
use crate::schedule::{instance_in as instance, state_in as state, windows_in};
use crate::support::moto_env;

const REGION: &str = "ap-northeast-1";

/// A config whose schedule `dev-hours` (stop due two minutes ago) acts in `accounts`, with the management
/// account pinned and `extra` appended.
fn config(management: &str, accounts: &str, extra: &str) -> String {
    let now = jiff::Timestamp::now().in_tz("Asia/Tokyo").unwrap();
    let cron = |minutes_ago: i64| {
        let at = now.checked_sub(jiff::SignedDuration::from_mins(minutes_ago)).unwrap();
        format!("{} {} * * *", at.minute(), at.hour())
    };
    format!(
        r#"default-profile = "main"

[scan]
regions = ["{REGION}"]

[profiles.main.params]
nonprod-tag = {{ key = "Environment", values = ["dev"] }}
production-tag = {{ key = "Tier", values = ["prod"] }}

[[accounts]]
id = "{management}"
profile = "main"
{extra}
[schedules.dev-hours]
stop-cron = "{stop}"
start-cron = "{start}"
time-zone = "Asia/Tokyo"
select = {{ key = "Environment", values = ["dev"] }}
accounts = {accounts}
"#,
        stop = cron(2),
        start = cron(10),
    )
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| (*arg).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn schedule_run_org_stops_dev_instances_in_the_named_ou_only_and_never_production() {
    let server = guardline_testkit::shared();
    let mut org =
        organisation(server, &[("sandbox-1", "Sandbox", &[]), ("prod-web", "Workloads", &[])]).await;
    let sandbox = member(server, &org, "sandbox-1").await;
    let workloads = member(server, &org, "prod-web").await;
    let dev = instance(&sandbox, &[("Environment", "dev"), ("Name", "web-dev")]).await;
    let billing = instance(&sandbox, &[("Environment", "dev"), ("Tier", "prod"), ("Name", "billing")]).await;
    let elsewhere = instance(&workloads, &[("Environment", "dev"), ("Name", "not-named")]).await;
    let (sandbox_id, workloads_id) = (org.members["sandbox-1"].clone(), org.members["prod-web"].clone());

    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    let management = org.management.id.clone();
    let write = |accounts: &str, extra: &str| {
        std::fs::write(dir.path().join("guardline.toml"), config(&management, accounts, extra)).unwrap();
    };

    // A member pinned with an alias it does not have: the whole run is refused, nothing stops.
    write(
        r#"["ou:Root/Sandbox"]"#,
        &format!("\n[[accounts]]\nid = \"{sandbox_id}\"\nalias = \"acme-sbx\"\nprofile = \"main\"\n"),
    );
    let refused = run(dir.path(), strings(&["schedule", "run", "--org"]), env.clone()).await;
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("refused, nothing was changed in any account"), "{}", refused.stderr);
    assert!(refused.stderr.contains(sandbox_id.as_str()), "{}", refused.stderr);
    assert_eq!(state(&sandbox, &dev).await, "running");
    // A dry run says so, shows what it would do, and changes nothing either.
    let dry = run(dir.path(), strings(&["schedule", "run", "--org", "--dry-run"]), env.clone()).await;
    assert_eq!(dry.code, 0, "{}\n{}", dry.stdout, dry.stderr);
    assert!(dry.stdout.contains("A real run would be refused in:"), "{}", dry.stdout);
    assert!(dry.stdout.contains(sandbox_id.as_str()), "{}", dry.stdout);
    assert!(dry.stdout.contains(&format!("{REGION}  {dev} (web-dev)  stop")), "{}", dry.stdout);
    assert_eq!(state(&sandbox, &dev).await, "running");

    // Pinned by the listing alone: the Sandbox account's dev instance stops, its production one does not, and
    // the account outside the OU is not touched (nor even reached).
    write(r#"["ou:Root/Sandbox"]"#, "");
    let ran = run(dir.path(), strings(&["schedule", "run", "--org"]), env.clone()).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let out = &ran.stdout;
    assert!(out.starts_with(&format!("Organisation managed from {}", org.management.id)), "{out}");
    assert!(out.contains(&format!("== {sandbox_id} (no alias) \"sandbox-1\" · Root/Sandbox")), "{out}");
    assert!(out.contains(&format!("{REGION}  {dev} (web-dev)  stop  stopped")), "{out}");
    assert!(
        out.contains(&format!("{REGION}  {billing} (billing)  stop  skipped: production (Tier=prod)")),
        "{out}"
    );
    assert!(!out.contains(workloads_id.as_str()) && !out.contains(&elsewhere), "{out}");
    assert!(out.contains("Ran in 1 account(s)."), "{out}");
    assert_eq!(state(&sandbox, &dev).await, "stopped");
    assert_eq!(state(&sandbox, &billing).await, "running");
    assert_eq!(state(&workloads, &elsewhere).await, "running");

    // Status per account: the Sandbox account's instances and their coverage.
    let status =
        run(dir.path(), strings(&["schedule", "status", "--org", "--no-progress"]), env.clone()).await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    let out = &status.stdout;
    assert!(
        out.contains(&format!("== {sandbox_id} (no alias) \"sandbox-1\" · Root/Sandbox · profile main")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{billing} (billing) running: PRODUCTION: never stopped or started by Guardline"
        )),
        "{out}"
    );
    assert!(out.contains("SCHED-001"), "{out}");
    assert!(!out.contains(workloads_id.as_str()), "{out}");

    // An account of the OU that cannot be reached is listed NOT EVALUATED with its reason, and status
    // exits 1; the others are still shown.
    let gone = org.add_member("sandbox-gone", "Sandbox").await;
    aws_sdk_organizations::Client::new(&org.management.config)
        .close_account()
        .account_id(&gone)
        .send()
        .await
        .unwrap();
    let status =
        run(dir.path(), strings(&["schedule", "status", "--org", "--no-progress"]), env.clone()).await;
    assert_eq!(status.code, 1, "{}\n{}", status.stdout, status.stderr);
    assert!(
        status.stdout.contains(&format!("== {gone} (not reached) \"sandbox-gone\" · Root/Sandbox")),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("NOT EVALUATED: the account is "), "{}", status.stdout);
    assert!(status.stdout.contains(&format!("== {sandbox_id} (no alias)")), "{}", status.stdout);

    // A selector that is no account selector is a config error with its place.
    write(r#"["Root/Sandbox"]"#, "");
    let bad = run(dir.path(), strings(&["schedule", "status", "--org"]), env).await;
    assert_eq!(bad.code, 2, "{}", bad.stdout);
    assert!(
        bad.stderr.contains("schedule `dev-hours`: `Root/Sandbox` is not an account selector"),
        "{}",
        bad.stderr
    );
}

/// `schedule plan|apply --org`: the schedule is planned and installed in the accounts it names only, each
/// through its member role and pinned by the listing; a refused pin refuses the whole apply; a second apply
/// has nothing to do; status then shows it installed.
#[tokio::test(flavor = "multi_thread")]
async fn schedule_apply_org_installs_in_the_named_accounts_only() {
    let server = guardline_testkit::shared();
    let org = organisation(server, &[("sandbox-1", "Sandbox", &[]), ("prod-web", "Workloads", &[])]).await;
    let sandbox = member(server, &org, "sandbox-1").await;
    let workloads = member(server, &org, "prod-web").await;
    instance(&sandbox, &[("Environment", "dev"), ("Name", "web-dev")]).await;
    let (sandbox_id, workloads_id) = (org.members["sandbox-1"].clone(), org.members["prod-web"].clone());
    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    let write = |extra: &str| {
        let text = config(&org.management.id, r#"["ou:Root/Sandbox"]"#, extra);
        std::fs::write(dir.path().join("guardline.toml"), text).unwrap();
    };
    let windows = |sdk: aws_config::SdkConfig| async move {
        windows_in(&sdk).await.into_iter().map(|(name, _)| name).collect::<Vec<_>>()
    };

    write("");
    let plan = run(dir.path(), strings(&["schedule", "plan", "--org", "--no-progress"]), env.clone()).await;
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout.contains(&format!("== {sandbox_id} (no alias) \"sandbox-1\" · Root/Sandbox")),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("ssm:CreateMaintenanceWindow guardline-dev-hours-stop"), "{}", plan.stdout);
    assert!(plan.stdout.contains("call(s) planned in 1 account(s). Nothing was changed"), "{}", plan.stdout);
    assert!(!plan.stdout.contains(workloads_id.as_str()), "{}", plan.stdout);
    assert!(windows(sandbox.clone()).await.is_empty(), "plan changed nothing");

    // A member pinned with an alias it does not have refuses the whole apply.
    write(&format!("\n[[accounts]]\nid = \"{sandbox_id}\"\nalias = \"acme-sbx\"\nprofile = \"main\"\n"));
    let refused =
        run(dir.path(), strings(&["schedule", "apply", "--org", "--apply", "--yes"]), env.clone()).await;
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("refused, nothing was changed in any account"), "{}", refused.stderr);
    assert!(windows(sandbox.clone()).await.is_empty());

    write("");
    let applied =
        run(dir.path(), strings(&["schedule", "apply", "--org", "--apply", "--yes"]), env.clone()).await;
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("Applied in 1 account(s)."), "{}", applied.stdout);
    assert_eq!(windows(sandbox.clone()).await, ["guardline-dev-hours-start", "guardline-dev-hours-stop"]);
    assert!(windows(workloads.clone()).await.is_empty(), "the account outside the OU is untouched");

    let again =
        run(dir.path(), strings(&["schedule", "apply", "--org", "--apply", "--yes"]), env.clone()).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("Nothing to do in any account."), "{}", again.stdout);
    let status = run(dir.path(), strings(&["schedule", "status", "--org", "--no-progress"]), env).await;
    assert!(
        status.stdout.contains("installed: guardline-dev-hours-stop, guardline-dev-hours-start"),
        "{}",
        status.stdout
    );
}

/// The saved-plan flow with --org: `plan --org --plan-out` writes every account's calls; `apply --org
/// --apply-plan` makes exactly them; applied once, the same plan is refused (the live state no longer calls
/// for its calls), and a single-account plan is not an organisation plan.
#[tokio::test(flavor = "multi_thread")]
async fn a_reviewed_organisation_plan_applies_once_and_is_refused_after_drift() {
    let server = guardline_testkit::shared();
    let org = organisation(server, &[("sandbox-1", "Sandbox", &[]), ("sandbox-2", "Sandbox", &[])]).await;
    let (first, second) = (member(server, &org, "sandbox-1").await, member(server, &org, "sandbox-2").await);
    instance(&first, &[("Environment", "dev")]).await;
    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    std::fs::write(
        dir.path().join("guardline.toml"),
        config(&org.management.id, r#"["ou:Root/Sandbox"]"#, ""),
    )
    .unwrap();
    let saved = dir.path().join("org-plan.json");
    let saved_arg = saved.display().to_string();

    let plan =
        run(dir.path(), strings(&["schedule", "plan", "--org", "--plan-out", &saved_arg]), env.clone()).await;
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let body: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(body["kind"], "guardline-schedule-org-plan", "{body}");
    let accounts: Vec<&str> = body["plan"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(accounts.len(), 2, "{body}");
    assert!(accounts.contains(&org.members["sandbox-2"].as_str()));

    let checked =
        run(dir.path(), strings(&["schedule", "apply", "--org", "--apply-plan", &saved_arg]), env.clone())
            .await;
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert!(checked.stdout.contains("still applies"), "{}", checked.stdout);
    assert!(windows_in(&first).await.is_empty(), "checking applies nothing");

    let args = ["schedule", "apply", "--org", "--apply-plan", &saved_arg, "--apply", "--yes"];
    let applied = run(dir.path(), strings(&args), env.clone()).await;
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert_eq!(windows_in(&first).await.len(), 2);
    assert_eq!(windows_in(&second).await.len(), 2, "the schedule acts in every account of the OU");

    let again = run(dir.path(), strings(&args), env.clone()).await;
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(again.stderr.contains("refused, nothing was changed"), "{}", again.stderr);
    assert!(again.stderr.contains("reviewed changes no longer planned"), "{}", again.stderr);

    // A single-account plan is not an organisation plan.
    let single = dir.path().join("single.json");
    let made = run(
        dir.path(),
        strings(&["schedule", "plan", "--plan-out", &single.display().to_string()]),
        env.clone(),
    )
    .await;
    assert_eq!(made.code, 0, "{}", made.stderr);
    let wrong = run(
        dir.path(),
        strings(&["schedule", "apply", "--org", "--apply-plan", &single.display().to_string()]),
        env,
    )
    .await;
    assert_eq!(wrong.code, 2, "{}", wrong.stdout);
    assert!(wrong.stderr.contains("schedule-org"), "{}", wrong.stderr);
}
