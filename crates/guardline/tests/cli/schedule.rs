//! `schedule plan|apply|run|status` against moto server: plan changes nothing, apply installs maintenance
//! windows (or Scheduler schedules) once and a scan then counts the instances as covered (SCHED-001), the
//! pin and the production guard refuse before anything is written, and `run` stops and starts only the
//! non-production instances, skipping Japanese holidays.
//!
//! The profile's production tag is `Tier=prod`, a different key from the selector's (`Environment=dev`), so an
//! instance can carry both: the case the production guard exists for.

use std::path::Path;

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use aws_sdk_ssm::types::MaintenanceWindowTaskType;
use guardline_testkit::Account;

use crate::support::{Run, finding_lines, guardline_in, moto_env};

const REGION: &str = "ap-northeast-1";
/// Guardline's stop runbook, which the stop windows run.
const RUNBOOK: &str = "Guardline-StopEC2InstanceUnlessProduction";

/// Creates the role the schedules run as; its ARN.
async fn role(account: &Account, name: &str) -> String {
    let iam = aws_sdk_iam::Client::new(&account.in_region(REGION));
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ssm.amazonaws.com","scheduler.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#;
    let output = iam.create_role().role_name(name).assume_role_policy_document(trust).send().await.unwrap();
    output.role().unwrap().arn().to_owned()
}

/// The role's `guardline-schedule` inline policy.
async fn role_policy(account: &Account, name: &str) -> serde_json::Value {
    let iam = aws_sdk_iam::Client::new(&account.in_region(REGION));
    let output =
        iam.get_role_policy().role_name(name).policy_name("guardline-schedule").send().await.unwrap();
    let document = output.policy_document();
    serde_json::from_str(document)
        .or_else(|_| serde_json::from_str(&urlencoding_decode(document)))
        .unwrap_or_else(|error| panic!("{error}: {document}"))
}

/// IAM answers policy documents URL-encoded (RFC 3986).
fn urlencoding_decode(text: &str) -> String {
    let mut bytes = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' && tail.len() >= 2 {
            bytes.push(u8::from_str_radix(std::str::from_utf8(&tail[..2]).unwrap(), 16).unwrap());
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// A config pinning `pin_id` (with `alias`, if any), with one schedule installed as `installs_as`.
fn config(pin_id: &str, alias: Option<&str>, installs_as: &str) -> String {
    config_with(pin_id, alias, installs_as, "weekdays 09:00-19:00", r#"["dev"]"#)
}

/// `config` with the schedule's `window` and the selector's `values` (a TOML array).
fn config_with(pin_id: &str, alias: Option<&str>, installs_as: &str, window: &str, values: &str) -> String {
    let alias = alias.map(|alias| format!("alias = \"{alias}\"\n")).unwrap_or_default();
    format!(
        r#"default-profile = "main"

[scan]
regions = ["{REGION}"]

[profiles.main.params]
nonprod-tag = {{ key = "Environment", values = ["dev"] }}
production-tag = {{ key = "Tier", values = ["prod"] }}

[[accounts]]
id = "{pin_id}"
{alias}profile = "main"

[schedules.dev-hours]
window = "{window}"
time-zone = "Asia/Tokyo"
select = {{ key = "Environment", values = {values} }}
installs-as = "{installs_as}"
"#
    )
}

/// A temporary directory with `guardline.toml`.
fn workdir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("guardline.toml"), config).unwrap();
    dir
}

/// Runs the binary off the async runtime.
async fn cli(dir: &Path, account: &Account, args: &[&str]) -> Run {
    let server = guardline_testkit::shared();
    let env = moto_env(&server.endpoint, &account.credentials);
    let dir = dir.to_owned();
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        guardline_in(&dir, &args, &env)
    })
    .await
    .unwrap()
}

/// Launches an instance with `tags`; its ID.
async fn instance(account: &Account, tags: &[(&str, &str)]) -> String {
    instance_in(&account.in_region(REGION), tags).await
}

/// Launches an instance with `tags` where `config` reaches (a member account of `schedule_org.rs`); its ID.
pub(crate) async fn instance_in(config: &aws_config::SdkConfig, tags: &[(&str, &str)]) -> String {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let mut spec = TagSpecification::builder().resource_type(ResourceType::Instance);
    for (key, value) in tags {
        spec = spec.tags(Tag::builder().key(*key).value(*value).build());
    }
    let output = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .tag_specifications(spec.build())
        .send()
        .await
        .unwrap();
    output.instances()[0].instance_id().unwrap().to_owned()
}

async fn state(account: &Account, id: &str) -> String {
    state_in(&account.in_region(REGION), id).await
}

/// The state of instance `id` where `config` reaches.
pub(crate) async fn state_in(config: &aws_config::SdkConfig, id: &str) -> String {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let output = ec2.describe_instances().instance_ids(id).send().await.unwrap();
    let instance = &output.reservations()[0].instances()[0];
    instance.state().unwrap().name().unwrap().as_str().to_owned()
}

/// (name, window ID) of the region's maintenance windows.
async fn windows(account: &Account) -> Vec<(String, String)> {
    windows_in(&account.in_region(REGION)).await
}

/// (name, window ID) of the maintenance windows where `config` reaches (a member account of
/// `schedule_org.rs`), sorted.
pub(crate) async fn windows_in(config: &aws_config::SdkConfig) -> Vec<(String, String)> {
    let ssm = aws_sdk_ssm::Client::new(config);
    let output = ssm.describe_maintenance_windows().send().await.unwrap();
    let mut windows: Vec<(String, String)> = output
        .window_identities()
        .iter()
        .map(|window| (window.name().unwrap().to_owned(), window.window_id().unwrap().to_owned()))
        .collect();
    windows.sort();
    windows
}

async fn scan_lines(dir: &Path, account: &Account) -> String {
    let run = cli(dir, account, &["scan", "--format", "json", "--no-history", "--max-attempts", "1"]).await;
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    finding_lines(&serde_json::from_str(&run.stdout).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_lists_the_calls_and_changes_nothing() {
    let account = guardline_testkit::shared().account().await;
    instance(&account, &[("Environment", "dev"), ("Name", "web-dev")]).await;
    let dir = workdir(&config(&account.id, None, "maintenance-window"));
    let run = cli(dir.path(), &account, &["schedule", "plan"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(out.contains(&format!("Target account: {} (no alias)", account.id)), "{out}");
    assert!(out.contains("Pinned by the config's [[accounts]] entry"), "{out}");
    for call in [
        "ssm:CreateMaintenanceWindow guardline-dev-hours-stop schedule cron(0 19 ? * MON-FRI *) ScheduleTimezone Asia/Tokyo",
        "ssm:CreateMaintenanceWindow guardline-dev-hours-start schedule cron(0 9 ? * MON-FRI *) ScheduleTimezone Asia/Tokyo",
        "ssm:RegisterTargetWithMaintenanceWindow guardline-dev-hours-stop: target guardline-dev-hours = instances with tag:Environment in [dev]",
        "ssm:CreateDocument Guardline-StopEC2InstanceUnlessProduction (Automation runbook: stops the instance unless it carries the production tag when the window runs)",
        "ssm:RegisterTaskWithMaintenanceWindow guardline-dev-hours-stop: AUTOMATION task guardline-dev-hours-stop running Guardline-StopEC2InstanceUnlessProduction",
        "ssm:RegisterTaskWithMaintenanceWindow guardline-dev-hours-start: AUTOMATION task guardline-dev-hours-start running AWS-StartEC2Instance",
    ] {
        let line = format!("[{} (no alias)] {REGION} schedule dev-hours: {call}", account.id);
        assert!(out.contains(&line), "missing {line:?} in\n{out}");
    }
    assert!(out.contains("7 call(s) planned. Nothing was changed"), "{out}");
    assert!(windows(&account).await.is_empty(), "plan created something");
    // `apply` without --apply is the same plan.
    let run = cli(dir.path(), &account, &["schedule", "apply"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(windows(&account).await.is_empty(), "apply without --apply created something");
    // `status` names the command that installs, not one that only plans again.
    let run = cli(dir.path(), &account, &["schedule", "status", "--at", "2026-12-01T12:00"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("installed: no (`guardline schedule apply --apply` installs it)"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_installs_windows_once_and_the_scan_counts_them() {
    let account = guardline_testkit::shared().account().await;
    let dev = instance(&account, &[("Environment", "dev"), ("Name", "web-dev")]).await;
    let prod = instance(&account, &[("Environment", "prod"), ("Tier", "prod")]).await;
    let dir = workdir(&config(&account.id, None, "maintenance-window"));
    let before = scan_lines(dir.path(), &account).await;
    assert!(before.lines().any(|line| line.starts_with("fail SCHED-001") && line.contains(&dev)), "{before}");

    let run = cli(dir.path(), &account, &["schedule", "apply", "--apply", "--yes"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Applied 7 call(s)."), "{}", run.stdout);

    // The stop runbook: a Guardline-owned Automation document whose script skips production at run time.
    let ssm = aws_sdk_ssm::Client::new(&account.in_region(REGION));
    let runbook = ssm.get_document().name(RUNBOOK).send().await.unwrap();
    assert_eq!(runbook.document_type(), Some(&aws_sdk_ssm::types::DocumentType::Automation));
    let content: serde_json::Value = serde_json::from_str(runbook.content().unwrap()).unwrap();
    assert_eq!(content["schemaVersion"], "0.3");
    assert_eq!(content["mainSteps"][0]["action"], "aws:executeScript");
    assert_eq!(
        content["mainSteps"][0]["inputs"]["InputPayload"]["ProductionKeys"],
        serde_json::json!(["Tier"])
    );

    let installed = windows(&account).await;
    let names: Vec<&str> = installed.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["guardline-dev-hours-start", "guardline-dev-hours-stop"]);
    for ((name, id), document) in installed.iter().zip(["AWS-StartEC2Instance", RUNBOOK]) {
        let window = ssm.get_maintenance_window().window_id(id).send().await.unwrap();
        assert_eq!(window.schedule_timezone(), Some("Asia/Tokyo"), "{name}");
        let targets = ssm.describe_maintenance_window_targets().window_id(id).send().await.unwrap();
        let [target] = targets.targets() else { panic!("{name}: {targets:?}") };
        let selector = &target.targets()[0];
        assert_eq!(selector.key(), Some("tag:Environment"));
        assert_eq!(selector.values(), ["dev"]);
        let tasks = ssm.describe_maintenance_window_tasks().window_id(id).send().await.unwrap();
        let [task] = tasks.tasks() else { panic!("{name}: {tasks:?}") };
        assert_eq!(task.task_arn(), Some(document));
        assert_eq!(task.r#type(), Some(&MaintenanceWindowTaskType::Automation));
        assert_eq!(task.targets()[0].key(), Some("WindowTargetIds"));
        assert_eq!(task.targets()[0].values(), [target.window_target_id().unwrap()]);
    }

    // Applying again changes nothing.
    let run = cli(dir.path(), &account, &["schedule", "apply", "--apply", "--yes"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Nothing to do"), "{}", run.stdout);
    assert_eq!(windows(&account).await, installed);

    // The scan recognises what was installed: the dev instance is covered, production is not targeted.
    let after = scan_lines(dir.path(), &account).await;
    assert!(after.lines().any(|line| line.starts_with("pass SCHED-001") && line.contains(&dev)), "{after}");
    assert!(!after.lines().any(|line| line.starts_with("fail SCHED-00")), "{after}");
    assert!(
        !after.contains(&format!("SCHED-001 {REGION} arn:aws:ec2:{REGION}:{}:instance/{prod}", account.id))
    );

    let run = cli(dir.path(), &account, &["schedule", "status", "--at", "2026-12-01T12:00"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("installed: guardline-dev-hours-stop, guardline-dev-hours-start"), "{out}");
    assert!(out.contains(&format!("{dev} (web-dev) running: covered")), "{out}");
    assert!(out.contains("(working time); next stop Tue 2026-12-01 19:00 +09:00"), "{out}");
    assert!(out.contains("PASS SCHED-001"), "{out}");
}

/// What is installed in the region, per window (sorted by name): (name, window ID, schedule, enabled,
/// [(target ID, selector key, selector values)], [(task ID, type, task ARN, service role, target IDs)]).
type Installed = (
    String,
    String,
    String,
    bool,
    Vec<(String, String, Vec<String>)>,
    Vec<(String, String, String, Option<String>, Vec<String>)>,
);

async fn installed(account: &Account) -> Vec<Installed> {
    let ssm = aws_sdk_ssm::Client::new(&account.in_region(REGION));
    let mut all = Vec::new();
    for (name, id) in windows(account).await {
        let window = ssm.get_maintenance_window().window_id(&id).send().await.unwrap();
        let targets = ssm.describe_maintenance_window_targets().window_id(&id).send().await.unwrap();
        let targets = targets
            .targets()
            .iter()
            .map(|target| {
                let selector = &target.targets()[0];
                (
                    target.window_target_id().unwrap().to_owned(),
                    selector.key().unwrap().to_owned(),
                    selector.values().to_vec(),
                )
            })
            .collect();
        let tasks = ssm.describe_maintenance_window_tasks().window_id(&id).send().await.unwrap();
        let tasks = tasks
            .tasks()
            .iter()
            .map(|task| {
                (
                    task.window_task_id().unwrap().to_owned(),
                    task.r#type().map(|kind| kind.as_str().to_owned()).unwrap_or_default(),
                    task.task_arn().unwrap().to_owned(),
                    task.service_role_arn().map(str::to_owned),
                    task.targets().iter().flat_map(|target| target.values().to_vec()).collect(),
                )
            })
            .collect();
        let schedule = window.schedule().unwrap().to_owned();
        all.push((name, id, schedule, window.enabled(), targets, tasks));
    }
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_schedule_is_updated_in_place() {
    let account = guardline_testkit::shared().account().await;
    instance(&account, &[("Environment", "dev")]).await;
    instance(&account, &[("Environment", "stg")]).await;
    let dir = workdir(&config(&account.id, None, "maintenance-window"));
    let run = cli(dir.path(), &account, &["schedule", "apply", "--apply", "--yes"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let before = installed(&account).await;
    let schedules: Vec<&str> = before.iter().map(|window| window.2.as_str()).collect();
    assert_eq!(schedules, ["cron(0 9 ? * MON-FRI *)", "cron(0 19 ? * MON-FRI *)"]);

    // Longer hours, one more environment, and a service role for the tasks: every part changes.
    let changed =
        config_with(&account.id, None, "maintenance-window", "weekdays 08:00-20:00", r#"["dev", "stg"]"#);
    std::fs::write(dir.path().join("guardline.toml"), changed).unwrap();
    let role = role(&account, "guardline-maintenance").await;
    let run = cli(dir.path(), &account, &["schedule", "plan", "--task-role-arn", role.as_str()]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    let (stop_id, start_id) = (&before[1].1, &before[0].1);
    for call in [
        format!("ssm:UpdateMaintenanceWindow guardline-dev-hours-stop ({stop_id}) schedule cron(0 20 ? * MON-FRI *) ScheduleTimezone Asia/Tokyo"),
        format!("ssm:UpdateMaintenanceWindow guardline-dev-hours-start ({start_id}) schedule cron(0 8 ? * MON-FRI *) ScheduleTimezone Asia/Tokyo"),
        "ssm:UpdateMaintenanceWindowTarget guardline-dev-hours-stop: target guardline-dev-hours = instances with tag:Environment in [dev, stg]".to_owned(),
        "ssm:UpdateMaintenanceWindowTarget guardline-dev-hours-start: target guardline-dev-hours = instances with tag:Environment in [dev, stg]".to_owned(),
        "iam:PutRolePolicy guardline-schedule on role guardline-maintenance (the schedules' calls, and an explicit Deny on ec2:StopInstances for instances tagged as production)".to_owned(),
        format!("ssm:UpdateMaintenanceWindowTask guardline-dev-hours-stop: AUTOMATION task guardline-dev-hours-stop running Guardline-StopEC2InstanceUnlessProduction with InstanceId {{{{RESOURCE_ID}}}} on target guardline-dev-hours (service role {role})"),
        format!("ssm:UpdateMaintenanceWindowTask guardline-dev-hours-start: AUTOMATION task guardline-dev-hours-start running AWS-StartEC2Instance with InstanceId {{{{RESOURCE_ID}}}} on target guardline-dev-hours (service role {role})"),
    ] {
        let line = format!("[{} (no alias)] {REGION} schedule dev-hours: {call}", account.id);
        assert!(out.contains(&line), "missing {line:?} in\n{out}");
    }
    assert!(out.contains("7 call(s) planned. Nothing was changed"), "{out}");
    assert!(!out.contains("ssm:Create") && !out.contains("ssm:Register"), "{out}");

    let apply = ["schedule", "apply", "--apply", "--yes", "--task-role-arn", role.as_str()];
    let run = cli(dir.path(), &account, &apply).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Applied 7 call(s)."), "{}", run.stdout);
    assert_eq!(run.stdout.matches("done: ").count(), 7, "{}", run.stdout);
    // The role now denies stopping production itself, whatever else allows it.
    let policy = role_policy(&account, "guardline-maintenance").await;
    let deny = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|statement| statement["Effect"] == "Deny")
        .unwrap_or_else(|| panic!("no Deny: {policy:#}"));
    assert_eq!(deny["Action"], "ec2:StopInstances");
    assert_eq!(
        deny["Condition"]["StringEqualsIgnoreCase"]["aws:ResourceTag/Tier"],
        serde_json::json!(["prod"])
    );

    // The same windows, targets and tasks (same IDs, same counts), with the new values.
    let after = installed(&account).await;
    assert_eq!(after.len(), 2, "{after:?}");
    for (((name, id, schedule, enabled, targets, tasks), old), (cron, document)) in after
        .iter()
        .zip(&before)
        .zip([("cron(0 8 ? * MON-FRI *)", "AWS-StartEC2Instance"), ("cron(0 20 ? * MON-FRI *)", RUNBOOK)])
    {
        assert_eq!((name, id), (&old.0, &old.1));
        assert_eq!(schedule, cron, "{name}");
        assert!(enabled, "{name}");
        let [(target_id, key, values)] = targets.as_slice() else { panic!("{name}: {targets:?}") };
        assert_eq!(target_id, &old.4[0].0, "{name}");
        assert_eq!(key, "tag:Environment");
        assert_eq!(values, &["dev", "stg"]);
        let [(task_id, kind, arn, service_role, task_targets)] = tasks.as_slice() else {
            panic!("{name}: {tasks:?}")
        };
        assert_eq!(task_id, &old.5[0].0, "{name}");
        assert_eq!(kind, "AUTOMATION");
        assert_eq!(arn, document);
        assert_eq!(service_role.as_deref(), Some(role.as_str()));
        assert_eq!(task_targets, std::slice::from_ref(target_id));
        assert_eq!(old.5[0].3, None, "{name}: no service role before the update");
    }

    // Applying again changes nothing.
    let run = cli(dir.path(), &account, &apply).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Nothing to do"), "{}", run.stdout);
    assert_eq!(installed(&account).await, after);
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_is_refused_on_a_pin_mismatch_before_anything_is_written() {
    let account = guardline_testkit::shared().account().await;
    instance(&account, &[("Environment", "dev")]).await;
    for (pin, alias, expected) in [
        ("999999999999", None, "is not pinned in the config"),
        (account.id.as_str(), Some("acme-dev"), "pins account"),
    ] {
        let dir = workdir(&config(pin, alias, "maintenance-window"));
        let run = cli(dir.path(), &account, &["schedule", "apply", "--apply", "--yes"]).await;
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(
            run.stderr.contains("refused, nothing was changed") && run.stderr.contains(expected),
            "{}",
            run.stderr
        );
        let run = cli(dir.path(), &account, &["schedule", "run"]).await;
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(run.stderr.contains("refused") && run.stderr.contains(expected), "{}", run.stderr);
    }
    assert!(windows(&account).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_is_refused_when_the_selector_matches_a_production_instance() {
    let account = guardline_testkit::shared().account().await;
    instance(&account, &[("Environment", "dev")]).await;
    let both = instance(&account, &[("Environment", "dev"), ("Tier", "prod"), ("Name", "billing")]).await;
    let dir = workdir(&config(&account.id, None, "maintenance-window"));
    let run = cli(dir.path(), &account, &["schedule", "apply", "--apply", "--yes"]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("refused, nothing was changed"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("{both} (billing) in {REGION}, which carries the production tag Tier=prod"))
    );
    assert!(windows(&account).await.is_empty());
}

/// A schedule with holiday calendars (the built-in US federal holidays and a company closure): installed as
/// maintenance windows, its start runs the schedule's own runbook, which carries the holidays of this year
/// and the next two as UTC spans in the schedule's zone; the runbook's script is the one tested in
/// guardline-apply. A Scheduler install starts the same runbook.
#[tokio::test(flavor = "multi_thread")]
async fn holidays_install_a_start_runbook_that_skips_them_as_windows_and_as_scheduler_schedules() {
    let account = guardline_testkit::shared().account().await;
    instance(&account, &[("Environment", "dev"), ("Name", "web-dev")]).await;
    let with_holidays = |installs_as: &str| {
        config(&account.id, None, installs_as).replace(
            "time-zone = \"Asia/Tokyo\"",
            "time-zone = \"America/New_York\"\nholidays = [\"us\", \"company\"]",
        ) + "\n[calendars.company]\ndates = [\"2026-12-28\", \"2027-12-27\"]\n"
    };
    let dir = workdir(&with_holidays("maintenance-window"));
    let plan = cli(dir.path(), &account, &["schedule", "plan"]).await;
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let start_runbook = "Guardline-StartEC2InstanceUnlessHoliday-dev-hours";
    for line in [
        format!(
            "ssm:CreateDocument {start_runbook} (Automation runbook: starts the instance unless the window runs on one of the schedule's holidays"
        ),
        format!("AUTOMATION task guardline-dev-hours-start running {start_runbook}"),
        "no start on holidays (us, company)".to_owned(),
        "skips the holidays of us, company".to_owned(),
    ] {
        assert!(plan.stdout.contains(&line), "missing {line:?} in\n{}", plan.stdout);
    }
    let apply = cli(dir.path(), &account, &["schedule", "apply", "--apply", "--yes"]).await;
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);

    let ssm = aws_sdk_ssm::Client::new(&account.in_region(REGION));
    let document = ssm.get_document().name(start_runbook).send().await.unwrap();
    let content: serde_json::Value = serde_json::from_str(document.content().unwrap()).unwrap();
    let step = &content["mainSteps"][0];
    assert_eq!(step["inputs"]["Handler"], "start_handler");
    let holidays = step["inputs"]["InputPayload"]["Holidays"].as_array().unwrap();
    let year = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
    let calendar = guardline_schedule::Calendar::builtin(guardline_schedule::Builtin::UnitedStates);
    let thanksgiving =
        calendar.between(jiff::civil::date(year, 11, 20), jiff::civil::date(year, 11, 30)).pop().unwrap();
    let listed = |date: &str| holidays.iter().find(|holiday| holiday["Date"] == date).cloned();
    let expected = jiff::civil::date(thanksgiving.year(), thanksgiving.month(), thanksgiving.day());
    let entry = listed(&expected.to_string()).unwrap_or_else(|| panic!("{expected} missing: {holidays:?}"));
    let midnight = expected.to_datetime(jiff::civil::Time::midnight()).in_tz("America/New_York").unwrap();
    assert_eq!(entry["Start"], midnight.timestamp().to_string(), "local midnight, as a UTC instant");
    assert!(listed("2027-12-27").is_some(), "the company's closure: {holidays:?}");
    let last = holidays.last().unwrap()["Date"].as_str().unwrap().to_owned();
    assert!(last.starts_with(&(year + 2).to_string()), "three years of holidays: {last}");

    let installed = windows(&account).await;
    let (_, start_window) = installed.iter().find(|(name, _)| name == "guardline-dev-hours-start").unwrap();
    let tasks = ssm.describe_maintenance_window_tasks().window_id(start_window).send().await.unwrap();
    assert_eq!(tasks.tasks()[0].task_arn(), Some(start_runbook));
    // Applied once: the next plan is empty.
    let again = cli(dir.path(), &account, &["schedule", "plan"]).await;
    assert!(
        again.stdout.contains("0 call(s) planned") || again.stdout.contains("Nothing to do"),
        "{}",
        again.stdout
    );

    // Installed as Scheduler schedules, the start runs the same holiday-skipping runbook.
    let other = guardline_testkit::shared().account().await;
    instance(&other, &[("Environment", "dev")]).await;
    let dir = workdir(&with_holidays("scheduler").replace(&account.id, &other.id));
    let role = role(&other, "guardline-scheduler").await;
    let applied =
        cli(dir.path(), &other, &["schedule", "apply", "--apply", "--yes", "--task-role-arn", role.as_str()])
            .await;
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("skips the holidays of us, company"), "{}", applied.stdout);
    let scheduler = aws_sdk_scheduler::Client::new(&other.in_region(REGION));
    let start = scheduler.get_schedule().name("guardline-dev-hours-start").send().await.unwrap();
    let input: serde_json::Value = serde_json::from_str(start.target().unwrap().input().unwrap()).unwrap();
    assert_eq!(input["DocumentName"], start_runbook);
    let ssm = aws_sdk_ssm::Client::new(&other.in_region(REGION));
    let document = ssm.get_document().name(start_runbook).send().await.unwrap();
    assert!(document.content().unwrap().contains("start_handler"));
}

/// `config` whose schedule is a daily cron pair making `action` due now (for a run every 15 minutes): the
/// other transition 10 minutes ago, this one 2 minutes ago, in Tokyo; without the holiday rule. A real `run`
/// acts now, never at `--at`.
fn due_now(pin_id: &str, action: &str) -> String {
    let now = jiff::Timestamp::now().in_tz("Asia/Tokyo").unwrap();
    let cron = |minutes_ago: i64| {
        let at = now.checked_sub(jiff::SignedDuration::from_mins(minutes_ago)).unwrap();
        format!("{} {} * * *", at.minute(), at.hour())
    };
    let (stop, start) = match action {
        "stop" => (cron(2), cron(10)),
        _ => (cron(10), cron(2)),
    };
    config(pin_id, None, "maintenance-window").replace(
        r#"window = "weekdays 09:00-19:00""#,
        &format!("stop-cron = \"{stop}\"\nstart-cron = \"{start}\""),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn run_stops_and_starts_non_production_instances_only() {
    let account = guardline_testkit::shared().account().await;
    let dev = instance(&account, &[("Environment", "dev"), ("Name", "web-dev")]).await;
    let both = instance(&account, &[("Environment", "dev"), ("Tier", "prod"), ("Name", "billing")]).await;
    let other = instance(&account, &[("Environment", "qa")]).await;
    let dir = workdir(&config(&account.id, None, "maintenance-window"));

    // 2026-12-01 is a Tuesday: 19:00 in Tokyo ends the working day.
    let run = cli(dir.path(), &account, &["schedule", "run", "--at", "2026-12-01T19:00", "--dry-run"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out_has(&run.stdout, "Schedule dev-hours at Tue 2026-12-01 19:00 +09:00: stop is due"));
    assert!(
        run.stdout.contains(&format!("{REGION}  {dev} (web-dev)  stop  would stop (dry run)")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&format!("{both} (billing)  stop  skipped: production (Tier=prod)")));
    assert_eq!(state(&account, &dev).await, "running");

    // A real run acts now, never at --at.
    let run = cli(dir.path(), &account, &["schedule", "run", "--at", "2026-12-01T19:00:00+09:00"]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("refused, nothing was changed") && run.stderr.contains("--dry-run"),
        "{}",
        run.stderr
    );
    assert_eq!(state(&account, &dev).await, "running");

    std::fs::write(dir.path().join("guardline.toml"), due_now(&account.id, "stop")).unwrap();
    let run = cli(dir.path(), &account, &["schedule", "run"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains(&format!("{REGION}  {dev} (web-dev)  stop  stopped")), "{out}");
    assert!(
        out.contains(&format!("{REGION}  {both} (billing)  stop  skipped: production (Tier=prod)")),
        "{out}"
    );
    assert!(!out.contains(&other), "{out}");
    assert_eq!(state(&account, &dev).await, "stopped");
    assert_eq!(state(&account, &both).await, "running");
    assert_eq!(state(&account, &other).await, "running");

    // Mid-evening, nothing is due; 2026-11-23 is Labour Thanksgiving Day (a Monday): no start.
    let japanese_holidays = config(&account.id, None, "maintenance-window")
        .replace("select = {", "holidays = [\"jp\"]\nselect = {");
    std::fs::write(dir.path().join("guardline.toml"), japanese_holidays).unwrap();
    let run = cli(dir.path(), &account, &["schedule", "run", "--at", "2026-12-01T21:00", "--dry-run"]).await;
    assert!(run.stdout.contains("nothing is due (next stop"), "{}", run.stdout);
    let run = cli(dir.path(), &account, &["schedule", "run", "--at", "2026-11-23T09:00", "--dry-run"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("nothing is due"), "{}", run.stdout);
    let run = cli(
        dir.path(),
        &account,
        &["schedule", "run", "--at", "2026-12-02T09:05", "--interval", "10", "--dry-run"],
    )
    .await;
    assert!(
        run.stdout.contains(&format!("{REGION}  {dev} (web-dev)  start  would start (dry run)")),
        "{}",
        run.stdout
    );

    // Started again; production untouched.
    std::fs::write(dir.path().join("guardline.toml"), due_now(&account.id, "start")).unwrap();
    let run = cli(dir.path(), &account, &["schedule", "run"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("{REGION}  {dev} (web-dev)  start  started")), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("{both} (billing)  start  skipped: production")), "{}", run.stdout);
    assert_eq!(state(&account, &dev).await, "running");
}

fn out_has(out: &str, text: &str) -> bool {
    assert!(out.contains(text), "missing {text:?} in\n{out}");
    true
}

/// Serves, for one instance, an EC2 answer as the API reference documents it (XML, `ec2` query protocol).
fn serve_ec2(
    account: &Account,
    operation: &str,
    matching: serde_json::Value,
    status: u16,
    body: String,
    reference: &str,
) {
    let answer = serde_json::json!({
        "account_id": account.id,
        "region": "*",
        "service": "ec2",
        "operation": operation,
        "match": matching,
        "status": status,
        "body": body,
        "reference": reference,
    });
    guardline_testkit::shared().control("/guardline-test/answers", "application/json", &answer.to_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn run_rereads_the_tags_before_each_stop_and_one_failure_stops_no_other() {
    let account = guardline_testkit::shared().account().await;
    let first = instance(&account, &[("Environment", "dev"), ("Name", "first")]).await;
    let tagged_since = instance(&account, &[("Environment", "dev"), ("Name", "tagged-since")]).await;
    let failing = instance(&account, &[("Environment", "dev"), ("Name", "failing")]).await;
    let last = instance(&account, &[("Environment", "dev"), ("Name", "last")]).await;
    // Between the listing and its stop call, `tagged-since` is tagged production in a messy spelling (the
    // profile's production key is Tier): DescribeTags for it answers what EC2 has by then.
    let tags = [("Environment", "dev"), ("Name", "tagged-since"), ("tier", "Prod ")]
        .map(|(key, value)| {
            format!(
                "<item><resourceId>{tagged_since}</resourceId><resourceType>instance</resourceType><key>{key}</key>\
                 <value>{value}</value></item>"
            )
        })
        .concat();
    serve_ec2(
        &account,
        "DescribeTags",
        serde_json::json!({ "Filter.1.Name": "resource-id", "Filter.1.Value.1": tagged_since }),
        200,
        format!(
            r#"<DescribeTagsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId><tagSet>{tags}</tagSet></DescribeTagsResponse>"#
        ),
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html",
    );
    serve_ec2(
        &account,
        "StopInstances",
        serde_json::json!({ "InstanceId.1": failing }),
        403,
        r#"<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>ed3e3e8d-EXAMPLE</RequestID></Response>"#.to_owned(),
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
    );
    let dir = workdir(&due_now(&account.id, "stop"));
    let run = cli(dir.path(), &account, &["schedule", "run"]).await;
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(out.contains(&format!("{first} (first)  stop  stopped")), "{out}");
    assert!(
        out.contains(&format!(
            "{tagged_since} (tagged-since)  stop  skipped: production (tier=Prod , tagged since the listing)"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("{failing} (failing)  stop  failed: ")), "{out}");
    assert!(out.contains(&format!("{last} (last)  stop  stopped")), "{out}");
    assert!(run.stderr.contains("1 instance(s) could not be stopped or started"), "{}", run.stderr);
    assert_eq!(state(&account, &first).await, "stopped");
    assert_eq!(state(&account, &tagged_since).await, "running");
    assert_eq!(state(&account, &failing).await, "running");
    assert_eq!(state(&account, &last).await, "stopped");
}

/// The Scheduler variant: each schedule starts an Automation of the same runbooks the maintenance windows
/// run (the stop runbook re-checks production and holds when it runs), on the instances carrying the
/// selector's tag when it fires, so an instance tagged after the apply is covered without a re-apply. A
/// schedule of an older install (an `ec2:stopInstances` ID list) is updated in place.
#[tokio::test(flavor = "multi_thread")]
async fn scheduler_variant_starts_the_runbooks_on_the_tagged_instances() {
    let account = guardline_testkit::shared().account().await;
    let dev = instance(&account, &[("Environment", "dev")]).await;
    let dir = workdir(&config(&account.id, None, "scheduler"));

    let run = cli(dir.path(), &account, &["schedule", "plan"]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("need --task-role-arn"), "{}", run.stderr);

    let missing = format!("arn:aws:iam::{}:role/not-there", account.id);
    let run = cli(dir.path(), &account, &["schedule", "plan", "--task-role-arn", missing.as_str()]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("no role not-there in this account"), "{}", run.stderr);

    let role = role(&account, "guardline-scheduler").await;
    let scheduler = aws_sdk_scheduler::Client::new(&account.in_region(REGION));
    let older = aws_sdk_scheduler::types::Target::builder()
        .arn("arn:aws:scheduler:::aws-sdk:ec2:stopInstances")
        .role_arn(&role)
        .input(format!(r#"{{"InstanceIds":["{dev}"]}}"#))
        .build()
        .unwrap();
    let off = aws_sdk_scheduler::types::FlexibleTimeWindow::builder()
        .mode(aws_sdk_scheduler::types::FlexibleTimeWindowMode::Off)
        .build()
        .unwrap();
    scheduler
        .create_schedule()
        .name("guardline-dev-hours-stop")
        .schedule_expression("cron(0 19 ? * MON-FRI *)")
        .schedule_expression_timezone("Asia/Tokyo")
        .flexible_time_window(off)
        .target(older)
        .send()
        .await
        .unwrap();
    let apply = ["schedule", "apply", "--apply", "--yes", "--task-role-arn", role.as_str()];
    let run = cli(dir.path(), &account, &apply).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for line in [
        "scheduler:UpdateSchedule default/guardline-dev-hours-stop",
        "scheduler:CreateSchedule default/guardline-dev-hours-start",
        &format!("ssm:CreateDocument {RUNBOOK}"),
        "starts an Automation on the instances tagged so when it fires",
        "tagged as production or held (guardline:hold-until) is left running",
    ] {
        assert!(run.stdout.contains(line), "missing {line:?} in\n{}", run.stdout);
    }
    for (name, document) in
        [("guardline-dev-hours-stop", RUNBOOK), ("guardline-dev-hours-start", "AWS-StartEC2Instance")]
    {
        let schedule = scheduler.get_schedule().name(name).send().await.unwrap();
        assert_eq!(schedule.schedule_expression_timezone(), Some("Asia/Tokyo"));
        let target = schedule.target().unwrap();
        assert_eq!(target.arn(), "arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution");
        assert_eq!(target.role_arn(), role);
        let input: serde_json::Value = serde_json::from_str(target.input().unwrap()).unwrap();
        assert_eq!(
            input,
            serde_json::json!({
                "DocumentName": document,
                "TargetParameterName": "InstanceId",
                "Targets": [{ "Key": "tag:Environment", "Values": ["dev"] }],
                "Parameters": { "AutomationAssumeRole": [role] },
                "MaxConcurrency": "50",
                "MaxErrors": "100%",
            })
        );
    }
    let ssm = aws_sdk_ssm::Client::new(&account.in_region(REGION));
    let runbook = ssm.get_document().name(RUNBOOK).send().await.unwrap();
    assert!(runbook.content().unwrap().contains("guardline:hold-until"), "the stop runbook checks holds");
    let run = cli(dir.path(), &account, &apply).await;
    assert!(run.stdout.contains("Nothing to do"), "{}", run.stdout);

    // An instance tagged after the apply is covered without a re-apply: the targets are resolved when it fires.
    let second = instance(&account, &[("Environment", "dev")]).await;
    let run = cli(dir.path(), &account, &apply).await;
    assert!(run.stdout.contains("Nothing to do"), "{}", run.stdout);
    let lines = scan_lines(dir.path(), &account).await;
    for id in [&dev, &second] {
        assert!(
            lines.lines().any(|line| line.starts_with("pass SCHED-001") && line.contains(id.as_str())),
            "{lines}"
        );
    }
}

/// `schedule plan --plan-out` then `schedule apply --apply-plan`: exactly the reviewed calls are made; an
/// altered plan and a plan whose selection drifted (a new instance matches since) are refused unchanged.
#[tokio::test(flavor = "multi_thread")]
async fn a_saved_schedule_plan_is_applied_exactly_as_reviewed() {
    let account = guardline_testkit::shared().account().await;
    instance(&account, &[("Environment", "dev"), ("Name", "web-dev")]).await;
    let dir = workdir(&config(&account.id, None, "maintenance-window"));
    let planned = cli(dir.path(), &account, &["schedule", "plan", "--plan-out", "plan.json"]).await;
    assert_eq!(planned.code, 0, "{}\n{}", planned.stdout, planned.stderr);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan.json")).unwrap()).unwrap();
    assert_eq!(plan["kind"], "guardline-schedule-plan");
    assert_eq!(plan["account"]["id"], account.id.as_str());
    let calls: usize = plan["plan"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["calls"].as_array().unwrap().len())
        .sum();
    assert_eq!(calls, 7);
    assert!(windows(&account).await.is_empty());

    // Altered after review: refused.
    let text = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    std::fs::write(dir.path().join("altered.json"), text.replace("MON-FRI", "MON-SUN")).unwrap();
    let refused =
        cli(dir.path(), &account, &["schedule", "apply", "--apply-plan", "altered.json", "--apply", "--yes"])
            .await;
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("was altered after it was written"), "{}", refused.stderr);

    // A second dev instance since the review: the selection drifted.
    let copy = dir.path().join("reviewed.json");
    std::fs::copy(dir.path().join("plan.json"), &copy).unwrap();
    let later = instance(&account, &[("Environment", "dev"), ("Name", "batch-dev")]).await;
    let refused = cli(
        dir.path(),
        &account,
        &["schedule", "apply", "--apply-plan", "reviewed.json", "--apply", "--yes"],
    )
    .await;
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("not reviewed") && refused.stderr.contains(&later), "{}", refused.stderr);
    assert!(windows(&account).await.is_empty(), "a refused plan created something");

    // Reviewed again, applied: the calls are made once.
    let planned = cli(dir.path(), &account, &["schedule", "plan", "--plan-out", "plan.json"]).await;
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let applied =
        cli(dir.path(), &account, &["schedule", "apply", "--apply-plan", "plan.json", "--apply", "--yes"])
            .await;
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert!(
        applied.stdout.contains("still applies") && applied.stdout.contains("Applied 7 call(s)."),
        "{}",
        applied.stdout
    );
    assert_eq!(windows(&account).await.len(), 2);
}

/// A stop-only schedule: `apply` installs its stop window alone (and refuses while a start window from
/// before is installed), `run` stops at every stop even if nothing started the instances, and never starts.
#[tokio::test(flavor = "multi_thread")]
async fn a_stop_only_schedule_installs_and_runs_its_stop_alone() {
    let account = guardline_testkit::shared().account().await;
    let dev = instance(&account, &[("Environment", "dev"), ("Name", "web-dev")]).await;
    let both_ways = config(&account.id, None, "maintenance-window");
    let stop_only = both_ways.replace("select = {", "stop-only = true\nselect = {");
    let dir = workdir(&stop_only);

    let plan = cli(dir.path(), &account, &["schedule", "plan"]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout.contains("stop-only, stopping at the end of weekdays 09:00-19:00"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("stop cron(0 19 ? * MON-FRI *), no start"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("guardline-dev-hours-start"), "{}", plan.stdout);
    let run = cli(dir.path(), &account, &["schedule", "apply", "--apply", "--yes"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let names: Vec<String> = windows(&account).await.into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["guardline-dev-hours-stop"]);

    // No start at 09:00; the 19:00 stop is due every weekday.
    let run = cli(
        dir.path(),
        &account,
        &["schedule", "run", "--at", "2026-12-02T09:05", "--interval", "10", "--dry-run"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("nothing is due"), "{}", run.stdout);
    for day in ["2026-12-01T19:00", "2026-12-02T19:00"] {
        let run = cli(dir.path(), &account, &["schedule", "run", "--at", day, "--dry-run"]).await;
        assert!(
            run.stdout.contains(&format!("{REGION}  {dev} (web-dev)  stop  would stop (dry run)")),
            "{day}: {}",
            run.stdout
        );
    }

    // A schedule installed both ways cannot silently become stop-only: its start window would go on starting.
    let other = guardline_testkit::shared().account().await;
    instance(&other, &[("Environment", "dev")]).await;
    let dir = workdir(&config(&other.id, None, "maintenance-window"));
    let run = cli(dir.path(), &other, &["schedule", "apply", "--apply", "--yes"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(
        dir.path().join("guardline.toml"),
        config(&other.id, None, "maintenance-window").replace("select = {", "stop-only = true\nselect = {"),
    )
    .unwrap();
    let run = cli(dir.path(), &other, &["schedule", "apply", "--apply", "--yes"]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        format!("{}{}", run.stdout, run.stderr)
            .contains("schedule dev-hours is stop-only, but guardline-dev-hours-start is installed"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

/// A hold (`guardline:hold-until` with `guardline:hold-owner`) keeps its instance running through a due
/// stop, until it ends; a hold without an owner or already over is named and the instance stopped; status
/// shows both.
#[tokio::test(flavor = "multi_thread")]
async fn a_held_instance_is_not_stopped_until_its_hold_ends() {
    let account = guardline_testkit::shared().account().await;
    let in_a_week = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + 7 * 24 * 3600).unwrap();
    let until = in_a_week.to_string();
    let held = instance(
        &account,
        &[
            ("Environment", "dev"),
            ("Name", "demo"),
            ("guardline:hold-until", &until),
            ("guardline:hold-owner", "alice@example.com"),
        ],
    )
    .await;
    let ownerless =
        instance(&account, &[("Environment", "dev"), ("Name", "nobody"), ("guardline:hold-until", &until)])
            .await;
    let over = instance(
        &account,
        &[
            ("Environment", "dev"),
            ("Name", "over"),
            ("guardline:hold-until", "2026-01-01"),
            ("guardline:hold-owner", "bob"),
        ],
    )
    .await;
    let dir = workdir(&due_now(&account.id, "stop"));
    // moto has no Price List API: the documented answer of GetProducts for the instances' type (moto's
    // default, m1.small), one price list item as a JSON string.
    let item = serde_json::json!({
        "product": {"sku": "SKU1", "attributes": {"instanceType": "m1.small", "regionCode": REGION}},
        "terms": {"OnDemand": {"SKU1.JRTCKXETXF": {"priceDimensions": {"SKU1.JRTCKXETXF.6YS6EN2CT7": {
            "unit": "Hrs", "pricePerUnit": {"USD": "0.0610000000"}}}}}},
        "publicationDate": "2026-11-20T00:00:00Z"
    });
    let answer = serde_json::json!({
        "account_id": account.id, "region": "*", "service": "pricing", "operation": "GetProducts",
        "body": {"FormatVersion": "aws_v1", "PriceList": [item.to_string()]},
        "reference": "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html"
    });
    guardline_testkit::shared().control("/guardline-test/answers", "application/json", &answer.to_string());

    let status = cli(dir.path(), &account, &["schedule", "status"]).await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    // Savings: the three instances are stopped all but 8 minutes a day (start 10 minutes ago, stop 2 minutes
    // ago), priced from the answer.
    let savings = status
        .stdout
        .lines()
        .find(|line| line.contains("savings over the next 30 days"))
        .unwrap_or_else(|| panic!("{}", status.stdout));
    assert!(savings.contains("instance-hours for 3 instance(s), about $"), "{savings}");
    assert!(
        savings.contains("(AWS Price List API, pricing:GetProducts, published 2026-11-20T00:00:00Z)"),
        "{savings}"
    );
    let usd: f64 = savings.split("about $").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    let expected = 3.0 * 0.061 * (720.0 - 30.0 * 8.0 / 60.0);
    assert!((usd - expected).abs() < 0.5, "{usd} vs {expected}: {savings}");
    assert!(
        status.stdout.contains(&format!(
            "{held} (demo) running: NOT covered by any stop schedule; held by alice@example.com until {until}: not \
             stopped before then"
        )),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("hold ignored: the hold has no owner (tag guardline:hold-owner)"),
        "{}",
        status.stdout
    );

    let run = cli(dir.path(), &account, &["schedule", "run"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains(&format!(
            "{held} (demo)  stop  skipped: held by alice@example.com until {until} (guardline:hold-until)"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{ownerless} (nobody)  stop  stopped"))
            && out.contains("hold ignored: the hold has no owner"),
        "{out}"
    );
    assert!(
        out.contains(&format!("{over} (over)  stop  stopped"))
            && out.contains("hold ignored: the hold of bob ended at"),
        "{out}"
    );
    assert_eq!(state(&account, &held).await, "running");
    assert_eq!(state(&account, &ownerless).await, "stopped");
    assert_eq!(state(&account, &over).await, "stopped");
}
