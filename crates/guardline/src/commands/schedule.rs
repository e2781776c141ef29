//! `guardline schedule plan|apply|run|status`: the off-hours scheduler of `[schedules]` (guideline 1-3).
//!
//! `plan` and `apply` install the schedules in AWS (maintenance windows or Scheduler schedules, through
//! `guardline_apply::schedule::install`) under the shared write safety model (`write_guard`: target line,
//! pin check before any write, `--apply`, confirmation). `run` acts by default (it runs from cron, so it
//! takes no `--yes`) and is still pin-checked; `--dry-run` only reports, and `--at` (another time than now)
//! is refused without it. `status` collects a snapshot and
//! shows each schedule's instances with the SCHED-001/002 findings of the rules themselves.

use std::path::PathBuf;

use anyhow::Context as _;
use aws_config::SdkConfig;
use guardline_apply::schedule::install::{self, Plan, Request};
use guardline_apply::schedule::plan::{resource_name, verb};
use guardline_apply::schedule::run::{At, Row, due_at};
use guardline_config::{Config, InstallMethod, LiveAccount, ProductionTag, ScheduleConfig, TagMatch};
use guardline_model::Status;
use guardline_schedule::Action;
use jiff::{SignedDuration, Timestamp};

use crate::args::{
    AwsArgs, ScheduleApplyArgs, ScheduleArgs, ScheduleCommand, ScheduleCommon, ScheduleRunArgs,
    ScheduleStatusArgs, WriteArgs,
};
use crate::commands::saved_plan::SavedPlan;
use crate::commands::{collect, collect_options, config_path, load_config, write_guard};

pub fn run(args: ScheduleArgs) -> anyhow::Result<bool> {
    match args.command {
        ScheduleCommand::Plan(args) => plan_or_apply(
            args.common,
            args.role_arn,
            &WriteArgs { apply: false, yes: false, account_id: args.account_id },
            Saving { plan_out: args.plan_out, reviewed: None },
        ),
        ScheduleCommand::Apply(ScheduleApplyArgs { common, role_arn, write, apply_plan, max_plan_age }) => {
            let reviewed = match apply_plan {
                Some(path) => Some((SavedPlan::read(&path, "schedule", max_plan_age)?, path)),
                None => None,
            };
            plan_or_apply(common, role_arn, &write, Saving { plan_out: None, reviewed })
        }
        ScheduleCommand::Run(args) => run_now(&args),
        ScheduleCommand::Status(args) => status(&args),
    }
}

/// The config, the schedules asked for and the regions to act in.
struct Setup {
    config: Config,
    schedules: Vec<ScheduleConfig>,
    regions: Vec<String>,
}

fn setup(common: &ScheduleCommon) -> anyhow::Result<Setup> {
    let path = config_path(common.config.as_deref());
    let config = load_config(path.as_deref())?;
    if config.schedules.is_empty() {
        anyhow::bail!(
            "the config ({}) has no [schedules.<name>] section: nothing to schedule",
            path.map_or("none found".to_owned(), |path| path.display().to_string())
        );
    }
    let schedules: Vec<ScheduleConfig> = match &common.schedule {
        Some(name) => match config.schedules.get(name) {
            Some(schedule) => vec![schedule.clone()],
            None => anyhow::bail!(
                "no schedule {name:?} in the config; it has {}",
                config.schedules.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        },
        None => config.schedules.values().cloned().collect(),
    };
    let regions =
        common.aws.requested_regions().or_else(|| config.scan.regions.clone()).ok_or_else(|| {
            anyhow::anyhow!(
                "name the regions the schedules act in: --region/--regions, or [scan] regions in the config"
            )
        })?;
    Ok(Setup { config, schedules, regions })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")
}

async fn sdk(aws: &AwsArgs, config: &Config, regions: &[String]) -> SdkConfig {
    let options = collect_options(aws, config);
    guardline_collect::sdk_config(aws.profile.as_deref(), regions.first().map(String::as_str), &options).await
}

/// The production tag of the live account's profile: instances carrying it are never scheduled.
fn production_tag(config: &Config, live: &LiveAccount) -> ProductionTag {
    config.profile_for(&live.id, live.alias.as_deref()).params.production_tag.clone()
}

fn describe_schedule(schedule: &ScheduleConfig) -> String {
    let zone = schedule.schedule.time_zone.iana_name().unwrap_or("UTC");
    let method = match schedule.installs_as {
        InstallMethod::MaintenanceWindow => "maintenance windows",
        InstallMethod::Scheduler => "EventBridge Scheduler schedules",
    };
    let holidays =
        if schedule.schedule.skip_japanese_holidays { ", no start on Japanese holidays" } else { "" };
    format!(
        "Schedule {} (line {}): running {} in {zone}{holidays}; installs as {method}",
        schedule.name, schedule.line, schedule.schedule.window
    )
}

fn selector_text(select: &TagMatch) -> String {
    format!("{} = {}", select.key, select.values.join(", "))
}

/// `schedule plan --plan-out` and `schedule apply --apply-plan`: the saved plan to write, or the reviewed one
/// to apply (with its path).
struct Saving {
    plan_out: Option<PathBuf>,
    reviewed: Option<(SavedPlan, PathBuf)>,
}

fn plan_or_apply(
    mut common: ScheduleCommon,
    mut role_arn: Option<String>,
    write: &WriteArgs,
    saving: Saving,
) -> anyhow::Result<bool> {
    // A reviewed plan is re-planned with its own schedule, role and regions.
    if let Some((reviewed, _)) = &saving.reviewed {
        common.schedule = reviewed.body["schedule"].as_str().map(str::to_owned);
        role_arn = reviewed.body["role_arn"].as_str().map(str::to_owned);
        common.aws.regions = reviewed.regions.clone();
    }
    let common = &common;
    let setup = setup(common)?;
    let runtime = runtime()?;
    runtime.block_on(async {
        let sdk = sdk(&common.aws, &setup.config, &setup.regions).await;
        let live = write_guard::identify(&sdk).await?;
        println!("{}", write_guard::target_line(&live));
        if let Some((reviewed, _)) = &saving.reviewed {
            reviewed.check_account(&live)?;
        }
        // The pin is checked before anything is read for the plan, and nothing is written without it.
        let pin = write_guard::check_pin(&setup.config, &live, write, None);
        match (&pin, write.apply) {
            (Ok(pin), _) => println!("{}", write_guard::pin_line(pin)),
            (Err(error), true) => return Err(anyhow::anyhow!("{error}")),
            (Err(error), false) => println!("Applying would be refused: {error:#}"),
        }
        let production = production_tag(&setup.config, &live);
        let request = Request {
            schedules: setup.schedules.iter().collect(),
            regions: setup.regions.clone(),
            production: production.clone(),
            role_arn: role_arn.clone(),
        };
        let plan =
            install::plan(&sdk, &request).await.map_err(|error| anyhow::anyhow!("reading the account: {error}"))?;
        print_plan(&setup, &plan, &live, &production);
        if !plan.refusals.is_empty() {
            anyhow::bail!(
                "refused, nothing was changed:\n{}",
                plan.refusals.iter().map(|refusal| format!("  - {refusal}")).collect::<Vec<_>>().join("\n")
            );
        }
        let body = plan_body(&plan, common.schedule.as_deref(), role_arn.as_deref());
        if let Some((reviewed, path)) = &saving.reviewed {
            check_reviewed(reviewed, &body)?;
            println!(
                "\nThe reviewed plan {} (made {} by Guardline {}) still applies: its calls are what the live state \
                 calls for now.",
                path.display(),
                reviewed.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                reviewed.guardline_version
            );
        }
        if let Some(path) = &saving.plan_out {
            SavedPlan::new("schedule", &live, setup.regions.clone(), body).write(path)?;
        }
        let count = plan.call_count();
        if count == 0 {
            println!("\nNothing to do: every schedule is installed as configured in {}.", setup.regions.join(", "));
            return Ok(true);
        }
        if !write.apply {
            println!("\n{count} call(s) planned. Nothing was changed; `guardline schedule apply --apply` makes them.");
            return Ok(true);
        }
        write_guard::confirm(write, &live, &format!("Make these {count} call(s)"))?;
        // The identity that writes, checked again after the confirmation.
        let (writer, _) = write_guard::writer(&sdk, &live.id).await?;
        println!("\nApplying:");
        let result = install::apply(&writer, &plan, |change, call| {
            println!(
                "  done: [{live}] {} schedule {}: {}",
                change.region,
                change.schedule,
                install::describe(change, call)
            );
        })
        .await;
        result.map_err(|error| {
            anyhow::anyhow!("applying: {error} (the calls listed as done stay made; re-run to complete the rest)")
        })?;
        println!("Applied {count} call(s).");
        Ok(true)
    })
}

/// The saved plan's own part: the `--schedule` and `--role-arn` it was made with, every call (one line each,
/// as the plan shows it) and the instances each schedule selects.
fn plan_body(plan: &Plan, schedule: Option<&str>, role_arn: Option<&str>) -> serde_json::Value {
    let changes: Vec<serde_json::Value> = plan
        .changes
        .iter()
        .map(|change| {
            serde_json::json!({
                "schedule": change.schedule,
                "region": change.region,
                "calls": change.calls.iter().map(|call| install::describe(change, call)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let selections: Vec<serde_json::Value> = plan
        .selections
        .iter()
        .map(|selection| {
            serde_json::json!({
                "schedule": selection.schedule,
                "region": selection.region,
                "instances": selection.instances.iter().map(|instance| &instance.id).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({"schedule": schedule, "role_arn": role_arn, "changes": changes, "selections": selections})
}

/// Refuses, naming each difference, unless the fresh plan makes exactly the reviewed calls and selects the
/// reviewed instances.
fn check_reviewed(reviewed: &SavedPlan, fresh: &serde_json::Value) -> anyhow::Result<()> {
    let mut drifted = Vec::new();
    for part in ["changes", "selections"] {
        let empty = Vec::new();
        let saved = reviewed.body[part].as_array().unwrap_or(&empty);
        let now = fresh[part].as_array().unwrap_or(&empty);
        for item in saved.iter().filter(|item| !now.contains(item)) {
            drifted.push(format!("reviewed {part} no longer planned: {item}"));
        }
        for item in now.iter().filter(|item| !saved.contains(item)) {
            drifted.push(format!("the live state now calls for {part} not reviewed: {item}"));
        }
    }
    if !drifted.is_empty() {
        anyhow::bail!(
            "refused, nothing was changed: the account changed since the plan was made:\n{}\nMake and review a \
             new plan.",
            drifted.iter().map(|line| format!("  - {line}")).collect::<Vec<_>>().join("\n")
        );
    }
    Ok(())
}

fn print_plan(setup: &Setup, plan: &Plan, live: &LiveAccount, production: &ProductionTag) {
    for schedule in &setup.schedules {
        println!("\n{}", describe_schedule(schedule));
        println!(
            "  selects instances tagged {}; never an instance tagged {} (keys without case, values trimmed \
             and case-folded)",
            selector_text(&schedule.select),
            production.describe()
        );
        if let Some((_, crons)) = plan.crons.iter().find(|(name, _)| *name == schedule.name) {
            println!(
                "  stop {}, start {}, time zone {}",
                crons.stop,
                crons.start,
                schedule.schedule.time_zone.iana_name().unwrap_or("UTC")
            );
        }
        if schedule.schedule.skip_japanese_holidays {
            println!(
                "  note: cron has no holiday calendar, so the installed schedule also starts instances on Japanese \
                 holidays; only `guardline schedule run` (from cron) skips them"
            );
        }
        match schedule.installs_as {
            InstallMethod::MaintenanceWindow => println!(
                "  note: AWS resolves the tag target each time a window runs: instances tagged later are covered \
                 without a re-apply, and the production check below saw only today's instances"
            ),
            InstallMethod::Scheduler => println!(
                "  note: the schedules list the instance IDs selected now; instances created later need a re-apply"
            ),
        }
        for selection in plan.selections.iter().filter(|selection| selection.schedule == schedule.name) {
            let instances: Vec<String> = selection
                .instances
                .iter()
                .map(|instance| format!("{} {}", instance.label(), instance.state))
                .collect();
            if instances.is_empty() {
                println!("  {}: selects no instance now", selection.region);
            } else {
                println!("  {}: selects now {}", selection.region, instances.join(", "));
            }
        }
    }
    if plan.call_count() > 0 {
        println!("\nCalls:");
        for change in &plan.changes {
            for call in &change.calls {
                println!(
                    "  [{live}] {} schedule {}: {}",
                    change.region,
                    change.schedule,
                    install::describe(change, call)
                );
            }
        }
    }
}

/// Formats an instant in a schedule's zone, `Mon 2026-11-30 19:00 +09:00`.
fn local(instant: Timestamp, schedule: &ScheduleConfig) -> String {
    instant
        .to_zoned_datetime(schedule.schedule.time_zone.clone())
        .strftime("%a %Y-%m-%d %H:%M %:z")
        .to_string()
}

fn next_events(schedule: &ScheduleConfig, at: Timestamp) -> String {
    let show = |instant: Option<Timestamp>| {
        instant.map_or("none within 400 days".to_owned(), |t| local(t, schedule))
    };
    format!(
        "next stop {}, next start {}",
        show(schedule.schedule.next_stop(at)),
        show(schedule.schedule.next_start(at))
    )
}

fn parse_at(at: Option<&str>) -> anyhow::Result<At> {
    match at {
        Some(text) => At::parse(text).map_err(|error| anyhow::anyhow!(error)),
        None => Ok(At::Instant(Timestamp::now())),
    }
}

fn run_now(args: &ScheduleRunArgs) -> anyhow::Result<bool> {
    if let Some(at) = args.at.as_deref().filter(|_| !args.dry_run) {
        anyhow::bail!(
            "refused, nothing was changed: `schedule run --at {at}` without --dry-run would stop or start instances \
             for a time that is not now; add --dry-run to see what a run at {at} would do"
        );
    }
    let setup = setup(&args.common)?;
    let at = parse_at(args.at.as_deref())?;
    let interval = SignedDuration::from_mins(i64::from(args.interval.max(1)));
    let runtime = runtime()?;
    runtime.block_on(async {
        let sdk = sdk(&args.common.aws, &setup.config, &setup.regions).await;
        let live = write_guard::identify(&sdk).await?;
        println!("{}", write_guard::target_line(&live));
        // `run` writes (it stops and starts instances): the same pin check as `apply`, before anything else.
        let write = WriteArgs { apply: true, yes: true, account_id: args.account_id.clone() };
        match write_guard::check_pin(&setup.config, &live, &write, None) {
            Ok(pin) => println!("{}", write_guard::pin_line(&pin)),
            Err(error) if args.dry_run => println!("A real run would be {error:#}"),
            Err(error) => return Err(error),
        }
        // Every stop and start is made with the identity checked above, pinned to that account.
        let writer = guardline_apply::target::pinned(&sdk, &live.id);
        let production = production_tag(&setup.config, &live);
        let mut rows: Vec<Row> = Vec::new();
        for schedule in &setup.schedules {
            let instant = at.instant(schedule).map_err(|error| anyhow::anyhow!(error))?;
            let due = due_at(schedule, instant, interval);
            let header = format!("Schedule {} at {}", schedule.name, local(instant, schedule));
            let Some(action) = due else {
                println!("{header}: nothing is due ({})", next_events(schedule, instant));
                continue;
            };
            println!(
                "{header}: {} is due{}",
                verb(action),
                if args.dry_run { " (dry run: nothing is changed)" } else { "" }
            );
            let done = guardline_apply::schedule::run::run(
                &writer,
                schedule,
                &setup.regions,
                &production,
                action,
                args.dry_run,
            )
            .await;
            if done.is_empty() {
                println!("  no instance is selected in {}", setup.regions.join(", "));
            }
            for row in &done {
                println!("  {}  {}  {}  {}", row.region, row.instance, verb(row.action), row.result);
            }
            rows.extend(done);
        }
        let failed = rows.iter().filter(|row| row.failed).count();
        if failed > 0 {
            anyhow::bail!("{failed} instance(s) could not be stopped or started (see above)");
        }
        Ok(true)
    })
}

fn status(args: &ScheduleStatusArgs) -> anyhow::Result<bool> {
    let setup = setup(&args.common)?;
    let at = parse_at(args.at.as_deref())?;
    let mut aws = args.common.aws.clone();
    aws.region = setup.regions.clone();
    aws.regions = Vec::new();
    let output = collect(&aws, &setup.config)?;
    let snapshot = output.snapshot;
    let today = jiff::ZonedDateTime::now().date();
    let evaluation = guardline_rules::evaluate(&snapshot, &setup.config, today);
    let alias = evaluation.account_alias.clone();
    let live = LiveAccount { id: snapshot.account.id.clone(), alias: alias.clone() };
    println!("Account: {live}");
    let production = production_tag(&setup.config, &live);
    let sched_findings: Vec<_> = evaluation
        .findings
        .iter()
        .filter(|finding| matches!(finding.finding.control.as_str(), "SCHED-001" | "SCHED-002"))
        .collect();
    for schedule in &setup.schedules {
        let instant = at.instant(schedule).map_err(|error| anyhow::anyhow!(error))?;
        println!("\n{}", describe_schedule(schedule));
        println!(
            "  now {} ({}); {}",
            local(instant, schedule),
            if schedule.schedule.is_working_time(instant) { "working time" } else { "off hours" },
            next_events(schedule, instant)
        );
        println!("  selects instances tagged {}", selector_text(&schedule.select));
        for (region, inventory) in &snapshot.regions {
            let installed = installed_in(schedule, inventory);
            println!("  {region}: installed: {installed}");
            let instances = match inventory.instances.get() {
                Ok(instances) => instances,
                Err(error) => {
                    println!("    instances not collected: {error}");
                    continue;
                }
            };
            let selected: Vec<_> = instances
                .iter()
                .filter(|instance| !matches!(instance.state.as_str(), "terminated" | "shutting-down"))
                .filter(|instance| schedule.select.matches(&instance.tags))
                .collect();
            if selected.is_empty() {
                println!("    selects no instance");
            }
            for instance in selected {
                let name = instance.tags.get("Name").map_or(String::new(), |name| format!(" ({name})"));
                let covered = sched_findings.iter().find(|finding| {
                    finding.finding.resource == instance.arn && finding.finding.control == "SCHED-001"
                });
                let coverage = match covered {
                    _ if production.matches(&instance.tags) => {
                        "PRODUCTION: never stopped or started by Guardline".to_owned()
                    }
                    Some(finding) if finding.finding.status == Status::Pass => "covered".to_owned(),
                    Some(finding) if finding.finding.status == Status::Fail => {
                        "NOT covered by any stop schedule".to_owned()
                    }
                    Some(_) => "coverage not evaluated".to_owned(),
                    None => "not a non-production instance by the profile's nonprod-tag".to_owned(),
                };
                println!("    {}{name} {}: {coverage}", instance.id, instance.state);
            }
        }
    }
    println!(
        "\nSCHED-001 (non-production instances stopped off hours) and SCHED-002 (no schedule stops production):"
    );
    if sched_findings.is_empty() {
        println!("  no finding (no non-production instance, no stop schedule)");
    }
    for finding in &sched_findings {
        let finding = &finding.finding;
        println!(
            "  {} {} {} {}: {}",
            finding.status.label(),
            finding.control,
            finding.region,
            finding.resource,
            finding.message.en
        );
    }
    Ok(true)
}

/// Whether the schedule's stop and start are installed in the region, by Guardline's names.
fn installed_in(
    schedule: &ScheduleConfig,
    inventory: &guardline_model::inventory::RegionInventory,
) -> String {
    let names = [resource_name(&schedule.name, Action::Stop), resource_name(&schedule.name, Action::Start)];
    let found: Result<Vec<&str>, String> = match schedule.installs_as {
        InstallMethod::MaintenanceWindow => inventory
            .maintenance_windows
            .get()
            .map(|windows| {
                names
                    .iter()
                    .filter(|name| windows.iter().any(|window| window.name == **name && window.enabled))
                    .map(String::as_str)
                    .collect()
            })
            .map_err(|error| error.to_string()),
        InstallMethod::Scheduler => inventory
            .schedules
            .get()
            .map(|schedules| {
                names
                    .iter()
                    .filter(|name| schedules.iter().any(|s| s.name == **name && s.state == "ENABLED"))
                    .map(String::as_str)
                    .collect()
            })
            .map_err(|error| error.to_string()),
    };
    match found {
        Ok(found) if found.is_empty() => "no (`guardline schedule apply --apply` installs it)".to_owned(),
        Ok(found) => found.join(", "),
        Err(error) => format!("unknown ({error})"),
    }
}
