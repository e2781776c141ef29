//! `guardline schedule plan|apply|run|status`: the off-hours scheduler of `[schedules]` (guideline 1-3).
//!
//! `plan` and `apply` install the schedules in AWS (maintenance windows or Scheduler schedules, through
//! `guardline_apply::schedule::install`) under the shared write safety model (`write_guard`: target line,
//! pin check before any write, `--apply`, confirmation). `run` acts by default (it runs from cron, so it
//! takes no `--yes`) and is still pin-checked; `--dry-run` only reports, and `--at` (another time than now)
//! is refused without it. `status` collects a snapshot and
//! shows each schedule's instances with the SCHED-001/002 findings of the rules themselves.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use aws_config::SdkConfig;
use guardline_apply::schedule::install::{self, Plan, Request};
use guardline_apply::schedule::plan::{resource_name, verb};
use guardline_apply::schedule::run::{At, Row, due_at};
use guardline_config::{
    AccountFacts, Config, InstallMethod, LiveAccount, ProductionTag, ScheduleConfig, TagMatch,
};
use guardline_model::Status;
use guardline_schedule::Action;
use jiff::{SignedDuration, Timestamp};

use crate::args::{
    AwsArgs, ScheduleApplyArgs, ScheduleArgs, ScheduleCommand, ScheduleCommon, ScheduleRunArgs,
    ScheduleStatusArgs, WriteArgs,
};
use crate::commands::saved_plan::SavedPlan;
use crate::commands::{collect_options, config_path, load_config, write_guard};
use crate::lang::tr;

pub fn run(args: ScheduleArgs) -> anyhow::Result<bool> {
    let lang = args.lang.code();
    match args.command {
        ScheduleCommand::Plan(args) if args.org.org => {
            let write = WriteArgs { apply: false, yes: false, account_id: args.account_id };
            let saving = Saving { plan_out: args.plan_out, reviewed: None };
            plan_or_apply_org(args.common, &args.org, args.task_role_name, &write, saving, lang)
        }
        ScheduleCommand::Plan(args) => plan_or_apply(
            args.common,
            args.task_role_arn,
            &WriteArgs { apply: false, yes: false, account_id: args.account_id },
            Saving { plan_out: args.plan_out, reviewed: None },
            lang,
        ),
        ScheduleCommand::Apply(args) if args.org.org => {
            let reviewed = match args.apply_plan {
                Some(path) => Some((SavedPlan::read(&path, ORG_PLAN_KIND, args.max_plan_age)?, path)),
                None => None,
            };
            let saving = Saving { plan_out: None, reviewed };
            plan_or_apply_org(args.common, &args.org, args.task_role_name, &args.write, saving, lang)
        }
        ScheduleCommand::Apply(ScheduleApplyArgs {
            common,
            task_role_arn,
            write,
            apply_plan,
            max_plan_age,
            ..
        }) => {
            let reviewed = match apply_plan {
                Some(path) => Some((SavedPlan::read(&path, "schedule", max_plan_age)?, path)),
                None => None,
            };
            plan_or_apply(common, task_role_arn, &write, Saving { plan_out: None, reviewed }, lang)
        }
        ScheduleCommand::Run(args) => run_now(&args, lang),
        ScheduleCommand::Status(args) => status(&args, lang),
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

async fn sdk(aws: &AwsArgs, config: &Config, regions: &[String]) -> anyhow::Result<SdkConfig> {
    let options = collect_options(aws, config);
    super::aws_config(aws, regions.first().map(String::as_str), &options).await
}

/// The production tag of the live account's profile: instances carrying it are never scheduled.
fn production_tag(config: &Config, live: &LiveAccount) -> ProductionTag {
    config.profile_for(&live.id, live.alias.as_deref()).params.production_tag.clone()
}

fn describe_schedule(schedule: &ScheduleConfig, lang: &str) -> String {
    let zone = schedule.schedule.time_zone.iana_name().unwrap_or("UTC");
    let method = match schedule.installs_as {
        InstallMethod::MaintenanceWindow => tr!(lang, "maintenance windows", "メンテナンスウィンドウ"),
        InstallMethod::Scheduler => {
            tr!(lang, "EventBridge Scheduler schedules", "EventBridge Scheduler のスケジュール")
        }
    };
    let holidays = if schedule.schedule.holidays.is_empty() {
        String::new()
    } else {
        let calendar = schedule.schedule.holidays.label();
        tr!(lang, ", no start on holidays ({calendar})", "、祝日 ({calendar}) は起動しない")
    };
    let (name, line, window) = (&schedule.name, schedule.line, &schedule.schedule.window);
    if schedule.schedule.stop_only {
        return tr!(
            lang,
            "Schedule {name} (line {line}): stop-only, stopping at the end of {window} in {zone}, never starting; \
             installs as {method}",
            "スケジュール {name}({line} 行目): 停止のみ。{window}({zone})の終わりに停止し、起動はしません。\
             {method}としてインストール"
        );
    }
    tr!(
        lang,
        "Schedule {name} (line {line}): running {window} in {zone}{holidays}; installs as {method}",
        "スケジュール {name}({line} 行目): 稼働 {window}({zone}{holidays})。{method}としてインストール"
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
    lang: &str,
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
        let sdk = sdk(&common.aws, &setup.config, &setup.regions).await?;
        let live = write_guard::identify(&sdk).await?;
        println!("{}", write_guard::target_line(&live, lang));
        if let Some((reviewed, _)) = &saving.reviewed {
            reviewed.check_account(&live)?;
        }
        // The pin is checked before anything is read for the plan, and nothing is written without it.
        let pin = write_guard::check_pin(&setup.config, &live, write, None);
        match (&pin, write.apply) {
            (Ok(pin), _) => println!("{}", write_guard::pin_line(pin, lang)),
            (Err(error), true) => return Err(anyhow::anyhow!("{error}")),
            (Err(error), false) => {
                println!("{}", tr!(lang, "Applying would be refused: {error:#}", "適用は次の理由で拒否されます: {error:#}"))
            }
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
        print_plan(&setup, &plan, &live, &production, lang);
        if !plan.refusals.is_empty() {
            anyhow::bail!(
                "refused, nothing was changed:\n{}",
                plan.refusals.iter().map(|refusal| format!("  - {refusal}")).collect::<Vec<_>>().join("\n")
            );
        }
        let body = plan_body(&plan, common.schedule.as_deref(), role_arn.as_deref());
        if let Some((reviewed, path)) = &saving.reviewed {
            check_reviewed(reviewed, &body)?;
            let (path, made) = (path.display(), reviewed.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"));
            let version = &reviewed.guardline_version;
            println!(
                "{}",
                tr!(
                    lang,
                    "\nThe reviewed plan {path} (made {made} by Guardline {version}) still applies: its calls are what \
                     the live state calls for now.",
                    "\nレビュー済みのプラン {path}({made} に Guardline {version} で作成)はまだ適用できます: その呼び出しは\
                     現在の状態が必要とするものです。"
                )
            );
        }
        if let Some(path) = &saving.plan_out {
            SavedPlan::new("schedule", &live, setup.regions.clone(), body).write(path)?;
        }
        let count = plan.call_count();
        if count == 0 {
            let regions = setup.regions.join(", ");
            println!(
                "{}",
                tr!(
                    lang,
                    "\nNothing to do: every schedule is installed as configured in {regions}.",
                    "\nすることはありません: {regions} ではすべてのスケジュールが設定どおりにインストールされています。"
                )
            );
            return Ok(true);
        }
        if !write.apply {
            println!(
                "{}",
                tr!(
                    lang,
                    "\n{count} call(s) planned. Nothing was changed; `guardline schedule apply --apply` makes them.",
                    "\n{count} 件の呼び出しを計画しました。何も変更していません。`guardline schedule apply --apply` で実行します。"
                )
            );
            return Ok(true);
        }
        write_guard::confirm(write, &live, &tr!(lang, "Make these {count} call(s)", "これら {count} 件の呼び出しを実行します"), lang)?;
        // The identity that writes, checked again after the confirmation.
        let (writer, _) = write_guard::writer(&sdk, &live.id).await?;
        println!("{}", tr!(lang, "\nApplying:", "\n適用中:"));
        let result = install::apply(&writer, &plan, |change, call| print_done(&live, change, call, lang)).await;
        result.map_err(|error| {
            anyhow::anyhow!("applying: {error} (the calls listed as done stay made; re-run to complete the rest)")
        })?;
        println!("{}", tr!(lang, "Applied {count} call(s).", "{count} 件の呼び出しを実行しました。"));
        Ok(true)
    })
}

/// One call `install::apply` made, as it is made.
fn print_done(
    live: &LiveAccount,
    change: &install::Change,
    call: &guardline_apply::schedule::plan::Call,
    lang: &str,
) {
    let (region, schedule, call) = (&change.region, &change.schedule, install::describe(change, call));
    println!(
        "{}",
        tr!(
            lang,
            "  done: [{live}] {region} schedule {schedule}: {call}",
            "  完了: [{live}] {region} スケジュール {schedule}: {call}"
        )
    );
}

/// The saved plan's own part: the `--schedule` and `--task-role-arn` it was made with, every call (one line each,
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
    refuse_drift(&drift(&reviewed.body, fresh))
}

/// The differences between a reviewed plan body and a fresh one: calls or selections one has and the
/// other has not.
fn drift(reviewed: &serde_json::Value, fresh: &serde_json::Value) -> Vec<String> {
    let mut drifted = Vec::new();
    for part in ["changes", "selections"] {
        let empty = Vec::new();
        let saved = reviewed[part].as_array().unwrap_or(&empty);
        let now = fresh[part].as_array().unwrap_or(&empty);
        for item in saved.iter().filter(|item| !now.contains(item)) {
            drifted.push(format!("reviewed {part} no longer planned: {item}"));
        }
        for item in now.iter().filter(|item| !saved.contains(item)) {
            drifted.push(format!("the live state now calls for {part} not reviewed: {item}"));
        }
    }
    drifted
}

fn refuse_drift(drifted: &[String]) -> anyhow::Result<()> {
    if !drifted.is_empty() {
        anyhow::bail!(
            "refused, nothing was changed: the account changed since the plan was made:\n{}\nMake and review a \
             new plan.",
            drifted.iter().map(|line| format!("  - {line}")).collect::<Vec<_>>().join("\n")
        );
    }
    Ok(())
}

fn print_plan(setup: &Setup, plan: &Plan, live: &LiveAccount, production: &ProductionTag, lang: &str) {
    for schedule in &setup.schedules {
        println!("\n{}", describe_schedule(schedule, lang));
        let (selector, production) = (selector_text(&schedule.select), production.describe());
        println!(
            "{}",
            tr!(
                lang,
                "  selects instances tagged {selector}; never an instance tagged {production} (keys without case, \
                 values trimmed and case-folded)",
                "  タグ {selector} のインスタンスを選択します。タグ {production} のインスタンスは決して選択しません\
                 (キーは大文字小文字を区別せず、値は前後の空白を除き大文字小文字を揃えて比較)"
            )
        );
        if let Some((_, crons)) = plan.crons.iter().find(|(name, _)| *name == schedule.name) {
            let (stop, start) = (&crons.stop, &crons.start);
            let zone = schedule.schedule.time_zone.iana_name().unwrap_or("UTC");
            let line = if schedule.schedule.stop_only {
                tr!(
                    lang,
                    "  stop {stop}, no start, time zone {zone}",
                    "  停止 {stop}、起動なし、タイムゾーン {zone}"
                )
            } else {
                tr!(
                    lang,
                    "  stop {stop}, start {start}, time zone {zone}",
                    "  停止 {stop}、起動 {start}、タイムゾーン {zone}"
                )
            };
            println!("{line}");
        }
        if !schedule.schedule.holidays.is_empty() && !schedule.schedule.stop_only {
            let calendar = schedule.schedule.holidays.label();
            let first = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
            let last = first + guardline_apply::schedule::runbook::HOLIDAY_YEARS - 1;
            println!(
                "{}",
                tr!(
                    lang,
                    "  note: cron has no holiday calendar, so the start runs the schedule's own runbook, which skips \
                     the holidays of {calendar} from {first} to {last}; apply again next year to carry the later ones",
                    "  注意: cron には祝日の暦がないため、起動はこのスケジュール専用のランブックで行い、{first} 年から \
                     {last} 年までの {calendar} の祝日を飛ばします。翌年にもう一度 apply すると先の祝日が入ります"
                )
            );
        }
        let note = match schedule.installs_as {
            InstallMethod::MaintenanceWindow => tr!(
                lang,
                "  note: AWS resolves the tag target each time a window runs: instances tagged later are covered \
                 without a re-apply, and the production check below saw only today's instances",
                "  注意: AWS はウィンドウの実行のたびにタグのターゲットを解決します。後からタグを付けたインスタンスも\
                 再適用なしで対象になり、下の本番チェックが見たのは今日のインスタンスだけです"
            ),
            InstallMethod::Scheduler => tr!(
                lang,
                "  note: each schedule starts an Automation on the instances tagged so when it fires: instances \
                 tagged later are covered without a re-apply, and the production check below saw only today's \
                 instances",
                "  注意: 各スケジュールは実行のたびに、その時点でタグの付いたインスタンスに Automation を開始します。\
                 後からタグを付けたインスタンスも再適用なしで対象になり、下の本番チェックが見たのは今日のインスタンス\
                 だけです"
            ),
        };
        println!("{note}");
        println!(
            "{}",
            tr!(
                lang,
                "  note: the stop runbook re-reads the instance's tags when it runs: an instance tagged as production \
                 or held (guardline:hold-until) is left running",
                "  注意: 停止のランブックは実行時にインスタンスのタグを読み直します。本番のタグが付いたインスタンスや\
                 保留中 (guardline:hold-until) のインスタンスは停止しません"
            )
        );
        for selection in plan.selections.iter().filter(|selection| selection.schedule == schedule.name) {
            let instances: Vec<String> = selection
                .instances
                .iter()
                .map(|instance| format!("{} {}", instance.label(), instance.state))
                .collect();
            let region = &selection.region;
            if instances.is_empty() {
                println!(
                    "{}",
                    tr!(
                        lang,
                        "  {region}: selects no instance now",
                        "  {region}: 現在選択しているインスタンスはありません"
                    )
                );
            } else {
                let instances = instances.join(", ");
                println!(
                    "{}",
                    tr!(lang, "  {region}: selects now {instances}", "  {region}: 現在の選択 {instances}")
                );
            }
        }
    }
    if plan.call_count() > 0 {
        println!("{}", tr!(lang, "\nCalls:", "\n呼び出し:"));
        for change in &plan.changes {
            for call in &change.calls {
                let (region, schedule, call) =
                    (&change.region, &change.schedule, install::describe(change, call));
                println!(
                    "{}",
                    tr!(
                        lang,
                        "  [{live}] {region} schedule {schedule}: {call}",
                        "  [{live}] {region} スケジュール {schedule}: {call}"
                    )
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

fn next_events(schedule: &ScheduleConfig, at: Timestamp, lang: &str) -> String {
    let show = |instant: Option<Timestamp>| {
        instant.map_or_else(|| tr!(lang, "none within 400 days", "400 日以内になし"), |t| local(t, schedule))
    };
    let (stop, start) = (show(schedule.schedule.next_stop(at)), show(schedule.schedule.next_start(at)));
    tr!(lang, "next stop {stop}, next start {start}", "次の停止 {stop}、次の起動 {start}")
}

fn parse_at(at: Option<&str>) -> anyhow::Result<At> {
    match at {
        Some(text) => At::parse(text).map_err(|error| anyhow::anyhow!(error)),
        None => Ok(At::Instant(Timestamp::now())),
    }
}

fn run_now(args: &ScheduleRunArgs, lang: &str) -> anyhow::Result<bool> {
    if let Some(at) = args.at.as_deref().filter(|_| !args.dry_run) {
        anyhow::bail!(
            "refused, nothing was changed: `schedule run --at {at}` without --dry-run would stop or start instances \
             for a time that is not now; add --dry-run to see what a run at {at} would do"
        );
    }
    let setup = setup(&args.common)?;
    let at = parse_at(args.at.as_deref())?;
    let interval = SignedDuration::from_mins(i64::from(args.interval.max(1)));
    if args.org.org {
        return run_org(args, &setup, &at, interval, lang);
    }
    let runtime = runtime()?;
    runtime.block_on(async {
        let sdk = sdk(&args.common.aws, &setup.config, &setup.regions).await?;
        let live = write_guard::identify(&sdk).await?;
        println!("{}", write_guard::target_line(&live, lang));
        // `run` writes (it stops and starts instances): the same pin check as `apply`, before anything else.
        let write = WriteArgs { apply: true, yes: true, account_id: args.account_id.clone() };
        match write_guard::check_pin(&setup.config, &live, &write, None) {
            Ok(pin) => println!("{}", write_guard::pin_line(&pin, lang)),
            Err(error) if args.dry_run => {
                println!(
                    "{}",
                    tr!(
                        lang,
                        "A real run would be {error:#}",
                        "実際の実行は次の理由で拒否されます: {error:#}"
                    )
                )
            }
            Err(error) => return Err(error),
        }
        // Every stop and start is made with the identity checked above, pinned to that account.
        let writer = guardline_apply::target::pinned(&sdk, &live.id);
        let production = production_tag(&setup.config, &live);
        let facts = AccountFacts { id: &live.id, alias: live.alias.as_deref(), ..AccountFacts::default() };
        let mut out = String::new();
        let run = Run { setup: &setup, at: &at, interval, dry_run: args.dry_run, lang };
        let rows = run.in_account(&writer, &facts, &production, &mut out).await?;
        print!("{out}");
        let failed = rows.iter().filter(|row| row.failed).count();
        if failed > 0 {
            anyhow::bail!("{failed} instance(s) could not be stopped or started (see above)");
        }
        Ok(true)
    })
}

/// One `schedule run`, in whichever account it is asked to act.
struct Run<'a> {
    setup: &'a Setup,
    at: &'a At,
    interval: SignedDuration,
    dry_run: bool,
    lang: &'a str,
}

impl Run<'_> {
    /// Carries out what is due now of every schedule that acts in the account `facts` describes, with
    /// `writer` (pinned to that account), never touching an instance `production` matches; the lines go to
    /// `out`.
    async fn in_account(
        &self,
        writer: &SdkConfig,
        facts: &AccountFacts<'_>,
        production: &ProductionTag,
        out: &mut String,
    ) -> anyhow::Result<Vec<Row>> {
        let (setup, lang) = (self.setup, self.lang);
        let mut rows: Vec<Row> = Vec::new();
        for schedule in &setup.schedules {
            let instant = self.at.instant(schedule).map_err(|error| anyhow::anyhow!(error))?;
            let (name, when) = (&schedule.name, local(instant, schedule));
            let header = tr!(lang, "Schedule {name} at {when}", "スケジュール {name}({when})");
            if !schedule.covers_account(facts) {
                let accounts = accounts_text(schedule);
                let _ = writeln!(
                    out,
                    "{}",
                    tr!(
                        lang,
                        "{header}: not for this account (accounts = [{accounts}])",
                        "{header}: このアカウントは対象外です(accounts = [{accounts}])"
                    )
                );
                continue;
            }
            let due = due_at(schedule, instant, self.interval);
            let Some(action) = due else {
                let next = next_events(schedule, instant, lang);
                let _ = writeln!(
                    out,
                    "{}",
                    tr!(
                        lang,
                        "{header}: nothing is due ({next})",
                        "{header}: 実行するものはありません({next})"
                    )
                );
                continue;
            };
            let due_verb = verb(action);
            let _ = writeln!(
                out,
                "{}",
                match (self.dry_run, lang) {
                    (true, "ja") => format!("{header}: {due_verb} の時刻です(ドライラン: 何も変更しません)"),
                    (false, "ja") => format!("{header}: {due_verb} の時刻です"),
                    (true, _) => format!("{header}: {due_verb} is due (dry run: nothing is changed)"),
                    (false, _) => format!("{header}: {due_verb} is due"),
                }
            );
            let done = guardline_apply::schedule::run::run(
                writer,
                schedule,
                &setup.regions,
                production,
                action,
                self.dry_run,
                instant,
            )
            .await;
            if done.is_empty() {
                let regions = setup.regions.join(", ");
                let _ = writeln!(
                    out,
                    "{}",
                    tr!(
                        lang,
                        "  no instance is selected in {regions}",
                        "  {regions} で選択されたインスタンスはありません"
                    )
                );
            }
            for row in &done {
                let _ =
                    writeln!(out, "  {}  {}  {}  {}", row.region, row.instance, verb(row.action), row.result);
            }
            rows.extend(done);
        }
        Ok(rows)
    }
}

/// `schedule run --org`: from the management account, every selected account that some schedule's
/// `accounts` names, through its member role. The management account is pinned as for one account and every
/// member by the organisation's listing ([`guardline_config::check_member_target`]); a refused pin refuses the
/// whole run before any instance is touched (a dry run only reports it). Each account runs under its own
/// profile's production tag; an account that cannot be reached is reported and fails the run (exit 2) after
/// the others ran.
fn run_org(
    args: &ScheduleRunArgs,
    setup: &Setup,
    at: &At,
    interval: SignedDuration,
    lang: &str,
) -> anyhow::Result<bool> {
    use futures::StreamExt as _;
    let config = &setup.config;
    let mut options = collect_options(&args.common.aws, config);
    options.regions = Some(setup.regions.clone());
    let runtime = runtime()?;
    runtime.block_on(async {
        let organisation =
            super::org_targets::Organisation::connect(&args.common.aws, config, &args.org, &options).await?;
        let concurrency = organisation.settings.account_concurrency.max(1);
        let hub = write_guard::identify(&organisation.hub).await?;
        println!("{}", tr!(lang, "Organisation managed from {hub}", "組織の管理元: {hub}"));
        let write = WriteArgs { apply: true, yes: true, account_id: args.account_id.clone() };
        let hub_pin = write_guard::check_pin(config, &hub, &write, None);
        match &hub_pin {
            Ok(pin) => println!("{}", write_guard::pin_line(pin, lang)),
            Err(error) if args.dry_run => println!(
                "{}",
                tr!(lang, "A real run would be {error:#}", "実際の実行は次の理由で拒否されます: {error:#}")
            ),
            Err(error) => anyhow::bail!("{error:#}"),
        }
        // The accounts some schedule acts in, reached (and identified) first: every pin is checked before
        // any instance is stopped or started.
        let reached: Vec<_> = futures::stream::iter(scheduled_accounts(setup, &organisation.selected))
            .map(|account| {
                let organisation = &organisation;
                async move {
                    let reached = organisation.reach(&account).await;
                    (account, reached)
                }
            })
            .buffered(concurrency)
            .collect()
            .await;
        let refused: Vec<String> = reached
            .iter()
            .filter_map(|(account, reached)| {
                let (_, live) = reached.as_ref().ok()?;
                let pin = write_guard::org_pin(config, &write, &hub.id, live, &account.id, None);
                pin.err().map(|error| format!("  - {live}: {error:#}"))
            })
            .collect();
        if !args.dry_run {
            write_guard::refuse_if_any(&refused)?;
        }
        if !refused.is_empty() {
            let refused = refused.join("\n");
            println!(
                "{}",
                tr!(
                    lang,
                    "A real run would be refused in:\n{refused}",
                    "実際の実行は次のアカウントで拒否されます:\n{refused}"
                )
            );
        }
        let run = Run { setup, at, interval, dry_run: args.dry_run, lang };
        let outputs: Vec<(String, anyhow::Result<Vec<Row>>)> = futures::stream::iter(&reached)
            .map(|(account, reached)| {
                let run = &run;
                async move {
                    let (live, name, ou) = match reached {
                        Ok((_, live)) => (live.to_string(), &account.name, &account.ou_path),
                        Err(_) => (format!("{} (not reached)", account.id), &account.name, &account.ou_path),
                    };
                    let mut out = format!("\n== {live} \"{name}\" · {ou}\n");
                    let result = match reached {
                        Err(reason) => Err(anyhow::anyhow!("{}: not reached: {reason}", account.id)),
                        Ok((sdk, live)) => {
                            let writer = guardline_apply::target::pinned(sdk, &account.id);
                            let facts = super::org_targets::facts(account, live.alias.as_deref());
                            let profile = config.profile_for_account(&facts);
                            run.in_account(&writer, &facts, &profile.params.production_tag, &mut out).await
                        }
                    };
                    if let Err(error) = &result {
                        let _ = writeln!(out, "  {error:#}");
                    }
                    (out, result)
                }
            })
            .buffered(concurrency)
            .collect()
            .await;
        let mut problems = Vec::new();
        for (out, result) in &outputs {
            print!("{out}");
            match result {
                Ok(rows) => {
                    let failed = rows.iter().filter(|row| row.failed).count();
                    if failed > 0 {
                        problems.push(format!("{failed} instance(s) could not be stopped or started"));
                    }
                }
                Err(error) => problems.push(format!("{error:#}")),
            }
        }
        let accounts = outputs.len();
        println!(
            "{}",
            tr!(lang, "\nRan in {accounts} account(s).", "\n{accounts} アカウントで実行しました。")
        );
        if !problems.is_empty() {
            anyhow::bail!("{} (see above)", problems.join("; "));
        }
        Ok(true)
    })
}

/// The selected accounts of the organisation that some schedule's `accounts` names.
fn scheduled_accounts(
    setup: &Setup,
    selected: &[guardline_model::org::OrgAccount],
) -> Vec<guardline_model::org::OrgAccount> {
    selected
        .iter()
        .filter(|account| {
            let facts = super::org_targets::facts(account, None);
            setup.schedules.iter().any(|schedule| schedule.covers_account(&facts))
        })
        .cloned()
        .collect()
}

/// A schedule's `accounts`, as written.
fn accounts_text(schedule: &ScheduleConfig) -> String {
    schedule.accounts.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn status(args: &ScheduleStatusArgs, lang: &str) -> anyhow::Result<bool> {
    let setup = setup(&args.common)?;
    let at = parse_at(args.at.as_deref())?;
    if args.org.org {
        return status_org(args, &setup, &at, lang);
    }
    let mut aws = args.common.aws.clone();
    aws.region = setup.regions.clone();
    aws.regions = Vec::new();
    let session = super::AwsSession::connect(&aws, collect_options(&aws, &setup.config))?;
    let snapshot = session.collect(&aws)?.snapshot;
    let prices = session.runtime.block_on(fetch_prices(&session.sdk, &setup, [&snapshot]));
    let today = jiff::ZonedDateTime::now().date();
    let evaluation = guardline_rules::evaluate(&snapshot, &setup.config, today);
    let alias = evaluation.account_alias.clone();
    let live = LiveAccount { id: snapshot.account.id.clone(), alias: alias.clone() };
    println!("{}", tr!(lang, "Account: {live}", "アカウント: {live}"));
    let production = production_tag(&setup.config, &live);
    let facts = AccountFacts { id: &live.id, alias: live.alias.as_deref(), ..AccountFacts::default() };
    let mut out = String::new();
    let context = StatusContext { production: &production, at: &at, prices: &prices, lang };
    account_status(&setup, &snapshot, &evaluation, &facts, &context, &mut out)?;
    print!("{out}");
    Ok(true)
}

/// `schedule status --org`: every selected account some schedule acts in, collected through its member role
/// in the schedules' regions as `scan --org` does, each under its own profile: the schedules, their
/// instances and SCHED-001/002 per account. An account that cannot be reached is listed with the reason and
/// fails the command (exit 1).
fn status_org(args: &ScheduleStatusArgs, setup: &Setup, at: &At, lang: &str) -> anyhow::Result<bool> {
    let config = &setup.config;
    let mut options = collect_options(&args.common.aws, config);
    options.regions = Some(setup.regions.clone());
    let runtime = super::AwsSession::runtime()?;
    let bar = crate::progress::Bar::new(!args.common.aws.no_progress && !crate::console::quiet());
    let reached = runtime.block_on(async {
        let organisation =
            super::org_targets::Organisation::connect(&args.common.aws, config, &args.org, &options).await?;
        let hub = write_guard::identify(&organisation.hub).await?;
        let wanted = scheduled_accounts(setup, &organisation.selected);
        let reached = organisation.collect(wanted, &options, &bar).await;
        let snapshots = reached.iter().filter_map(|reached| match &reached.record.outcome {
            guardline_model::org::ShardOutcome::Snapshot(snapshot) => Some(snapshot.as_ref()),
            guardline_model::org::ShardOutcome::NotEvaluated { .. } => None,
        });
        let prices = fetch_prices(&organisation.hub, setup, snapshots).await;
        anyhow::Ok((hub, reached, prices))
    });
    bar.finish();
    let (hub, reached, prices) = reached?;
    println!("{}", tr!(lang, "Organisation managed from {hub}", "組織の管理元: {hub}"));
    let today = jiff::ZonedDateTime::now().date();
    let mut unreached = 0;
    for reached in reached {
        let account = &reached.record.account;
        let mut out = String::new();
        match &reached.record.outcome {
            guardline_model::org::ShardOutcome::NotEvaluated { reason, .. } => {
                unreached += 1;
                let (id, name, ou) = (&account.id, &account.name, &account.ou_path);
                out.push_str(&tr!(
                    lang,
                    "\n== {id} (not reached) \"{name}\" · {ou}\n  NOT EVALUATED: {reason}\n",
                    "\n== {id}(到達できません) 「{name}」 · {ou}\n  未評価: {reason}\n"
                ));
            }
            guardline_model::org::ShardOutcome::Snapshot(snapshot) => {
                let alias = super::org_targets::alias_of(snapshot);
                let facts = super::org_targets::facts(account, alias.as_deref());
                let profile = config.profile_for_account(&facts);
                let evaluation = guardline_rules::evaluate(
                    snapshot,
                    &super::org_targets::with_profile(config, &profile.name),
                    today,
                );
                let live = LiveAccount { id: account.id.clone(), alias: alias.clone() };
                let (name, ou, profile_name) = (&account.name, &account.ou_path, &profile.name);
                out.push_str(&tr!(
                    lang,
                    "\n== {live} \"{name}\" · {ou} · profile {profile_name}\n",
                    "\n== {live} 「{name}」 · {ou} · プロファイル {profile_name}\n"
                ));
                let production = &profile.params.production_tag;
                let context = StatusContext { production, at, prices: &prices, lang };
                account_status(setup, snapshot, &evaluation, &facts, &context, &mut out)?;
            }
        }
        print!("{out}");
    }
    Ok(unreached == 0)
}

/// What every account's status is shown with: its production tag, the instant asked about, the prices of
/// the savings estimate, the language.
#[derive(Clone, Copy)]
struct StatusContext<'a> {
    production: &'a ProductionTag,
    at: &'a At,
    prices: &'a Prices,
    lang: &'a str,
}

/// On-demand prices by (region, instance type), read once per command, or why one could not be read.
type Prices = BTreeMap<(String, String), Result<Option<guardline_collect::pricing::OnDemandPrice>, String>>;

/// The days a savings estimate covers.
const SAVINGS_DAYS: i64 = 30;

/// The on-demand prices of every instance type some schedule selects in `snapshots` (production ones
/// excluded: they are never stopped), read through `sdk`'s credentials.
async fn fetch_prices<'a>(
    sdk: &SdkConfig,
    setup: &Setup,
    snapshots: impl IntoIterator<Item = &'a guardline_model::Snapshot>,
) -> Prices {
    let mut wanted = BTreeSet::new();
    for snapshot in snapshots {
        for (region, inventory) in &snapshot.regions {
            for instance in inventory.instances.get().into_iter().flatten() {
                if setup.schedules.iter().any(|schedule| schedule.select.matches(&instance.tags)) {
                    wanted.insert((region.clone(), instance.instance_type.clone()));
                }
            }
        }
    }
    let mut prices = Prices::new();
    for (region, instance_type) in wanted {
        let price = guardline_collect::pricing::on_demand_price(sdk, &region, &instance_type)
            .await
            .map_err(|error| error.to_string());
        prices.insert((region, instance_type), price);
    }
    prices
}

/// One region's savings estimate for `schedule`: the hours its instances are stopped over the next
/// [`SAVINGS_DAYS`] days from `instant`, and what they would cost at on-demand Linux prices.
fn savings_line(
    schedule: &ScheduleConfig,
    region: &str,
    instances: &[&guardline_model::inventory::ec2::Instance],
    instant: Timestamp,
    prices: &Prices,
    lang: &str,
) -> String {
    let to = instant.checked_add(SignedDuration::from_hours(24 * SAVINGS_DAYS)).unwrap_or(instant);
    let hours = schedule.schedule.stopped_hours(instant, to);
    let count = instances.len();
    let instance_hours = hours * count as f64;
    let (mut usd, mut published, mut unpriced) = (0.0, BTreeSet::new(), Vec::new());
    for instance in instances {
        match prices.get(&(region.to_owned(), instance.instance_type.clone())) {
            Some(Ok(Some(price))) => {
                usd += price.usd_per_hour * hours;
                published.insert(price.published.clone());
            }
            Some(Ok(None)) => {
                unpriced.push(format!("{}: no on-demand Linux price listed", instance.instance_type))
            }
            Some(Err(error)) => unpriced.push(format!("{}: {error}", instance.instance_type)),
            None => unpriced.push(format!("{}: not read", instance.instance_type)),
        }
    }
    unpriced.sort();
    unpriced.dedup();
    let published = published.into_iter().collect::<Vec<_>>().join(", ");
    let mut line = tr!(
        lang,
        "    savings over the next {SAVINGS_DAYS} days: {hours:.0} h stopped per instance, {instance_hours:.0} \
         instance-hours for {count} instance(s), about ${usd:.2} at on-demand Linux prices (AWS Price List API, \
         pricing:GetProducts, published {published})",
        "    今後 {SAVINGS_DAYS} 日の節約見込み: インスタンスあたり {hours:.0} 時間停止、{count} 台で \
         {instance_hours:.0} インスタンス時間、オンデマンドの Linux 料金で約 ${usd:.2}(AWS Price List API、\
         pricing:GetProducts、{published} 公開)"
    );
    if !unpriced.is_empty() {
        let unpriced = unpriced.join("; ");
        line.push_str(&tr!(lang, "; not priced: {unpriced}", "。料金なし: {unpriced}"));
    }
    line
}

/// One account's status: each schedule that acts in it (its window, the installed stop and start per
/// region, the instances it selects and whether each is covered), then its SCHED-001/002 findings.
fn account_status(
    setup: &Setup,
    snapshot: &guardline_model::Snapshot,
    evaluation: &guardline_rules::Evaluation,
    facts: &AccountFacts<'_>,
    context: &StatusContext<'_>,
    out: &mut String,
) -> anyhow::Result<()> {
    let StatusContext { production, at, prices, lang } = *context;
    let sched_findings: Vec<_> = evaluation
        .findings
        .iter()
        .filter(|finding| matches!(finding.finding.control.as_str(), "SCHED-001" | "SCHED-002"))
        .collect();
    for schedule in &setup.schedules {
        if !schedule.covers_account(facts) {
            let (name, accounts) = (&schedule.name, accounts_text(schedule));
            let _ = writeln!(
                out,
                "{}",
                tr!(
                    lang,
                    "\nSchedule {name}: not for this account (accounts = [{accounts}])",
                    "\nスケジュール {name}: このアカウントは対象外です(accounts = [{accounts}])"
                )
            );
            continue;
        }
        let instant = at.instant(schedule).map_err(|error| anyhow::anyhow!(error))?;
        let _ = writeln!(out, "\n{}", describe_schedule(schedule, lang));
        let now = local(instant, schedule);
        let hours = match (schedule.schedule.is_working_time(instant), lang) {
            (true, "ja") => "業務時間",
            (false, "ja") => "業務時間外",
            (true, _) => "working time",
            (false, _) => "off hours",
        };
        let next = next_events(schedule, instant, lang);
        let _ =
            writeln!(out, "{}", tr!(lang, "  now {now} ({hours}); {next}", "  現在 {now}({hours})。{next}"));
        let selector = selector_text(&schedule.select);
        let _ = writeln!(
            out,
            "{}",
            tr!(lang, "  selects instances tagged {selector}", "  タグ {selector} のインスタンスを選択")
        );
        for (region, inventory) in &snapshot.regions {
            let installed = installed_in(schedule, inventory, lang);
            let _ = writeln!(
                out,
                "{}",
                tr!(lang, "  {region}: installed: {installed}", "  {region}: インストール済み: {installed}")
            );
            let instances = match inventory.instances.get() {
                Ok(instances) => instances,
                Err(error) => {
                    let _ = writeln!(
                        out,
                        "{}",
                        tr!(
                            lang,
                            "    instances not collected: {error}",
                            "    インスタンスを収集できませんでした: {error}"
                        )
                    );
                    continue;
                }
            };
            let selected: Vec<_> = instances
                .iter()
                .filter(|instance| !matches!(instance.state.as_str(), "terminated" | "shutting-down"))
                .filter(|instance| schedule.select.matches(&instance.tags))
                .collect();
            if selected.is_empty() {
                let _ = writeln!(
                    out,
                    "{}",
                    tr!(lang, "    selects no instance", "    選択しているインスタンスはありません")
                );
            }
            let stoppable: Vec<_> =
                selected.iter().copied().filter(|instance| !production.matches(&instance.tags)).collect();
            for instance in selected {
                let name = instance.tags.get("Name").map_or(String::new(), |name| format!(" ({name})"));
                let covered = sched_findings.iter().find(|finding| {
                    finding.finding.resource == instance.arn && finding.finding.control == "SCHED-001"
                });
                let coverage = match covered {
                    _ if production.matches(&instance.tags) => tr!(
                        lang,
                        "PRODUCTION: never stopped or started by Guardline",
                        "本番: Guardline は決して停止・起動しません"
                    ),
                    Some(finding) if finding.finding.status == Status::Pass => tr!(lang, "covered", "対象"),
                    Some(finding) if finding.finding.status == Status::Fail => {
                        tr!(
                            lang,
                            "NOT covered by any stop schedule",
                            "どの停止スケジュールの対象にもなっていません"
                        )
                    }
                    Some(_) => tr!(lang, "coverage not evaluated", "対象かどうか未評価"),
                    None => tr!(
                        lang,
                        "not a non-production instance by the profile's nonprod-tag",
                        "プロファイルの nonprod-tag による非本番インスタンスではありません"
                    ),
                };
                let held = match guardline_config::hold::hold(&instance.tags, instant) {
                    guardline_config::hold::Hold::Held { until, owner } => tr!(
                        lang,
                        "; held by {owner} until {until}: not stopped before then",
                        "。{owner} が {until} まで保留中: それまで停止しません"
                    ),
                    guardline_config::hold::Hold::Ignored { why } => {
                        tr!(lang, "; hold ignored: {why}", "。保留は無視されます: {why}")
                    }
                    guardline_config::hold::Hold::None => String::new(),
                };
                let _ = writeln!(out, "    {}{name} {}: {coverage}{held}", instance.id, instance.state);
            }
            if !stoppable.is_empty() {
                let _ =
                    writeln!(out, "{}", savings_line(schedule, region, &stoppable, instant, prices, lang));
            }
        }
    }
    let _ = writeln!(
        out,
        "{}",
        tr!(
            lang,
            "\nSCHED-001 (non-production instances stopped off hours) and SCHED-002 (no schedule stops production):",
            "\nSCHED-001(非本番インスタンスを業務時間外に停止)と SCHED-002(本番を停止するスケジュールがない):"
        )
    );
    if sched_findings.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            tr!(
                lang,
                "  no finding (no non-production instance, no stop schedule)",
                "  検出結果なし(非本番インスタンスも停止スケジュールもありません)"
            )
        );
    }
    for finding in &sched_findings {
        let finding = &finding.finding;
        let status = finding.status.label_in(lang);
        let _ = writeln!(
            out,
            "  {status} {} {} {}: {}",
            finding.control,
            finding.region,
            finding.resource,
            finding.message.get(lang)
        );
    }
    Ok(())
}

/// Whether the schedule's stop and start are installed in the region, by Guardline's names.
fn installed_in(
    schedule: &ScheduleConfig,
    inventory: &guardline_model::inventory::RegionInventory,
    lang: &str,
) -> String {
    let mut names = vec![resource_name(&schedule.name, Action::Stop)];
    if !schedule.schedule.stop_only {
        names.push(resource_name(&schedule.name, Action::Start));
    }
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
        Ok(found) if found.is_empty() => {
            tr!(
                lang,
                "no (`guardline schedule apply --apply` installs it)",
                "なし(`guardline schedule apply --apply` で導入します)"
            )
        }
        Ok(found) => found.join(", "),
        Err(error) => tr!(lang, "unknown ({error})", "不明({error})"),
    }
}

/// One account's part of `schedule plan|apply --org`.
struct AccountInstall {
    account: guardline_model::org::OrgAccount,
    /// The SDK config that reached the account and the account it reaches, or why it was not reached.
    reached: Result<(SdkConfig, LiveAccount), String>,
    pin: anyhow::Result<guardline_config::PinMatch>,
    /// The account's plan, or why it could not be made.
    plan: Option<anyhow::Result<Plan>>,
    /// The schedules that act in the account.
    setup: Setup,
    production: ProductionTag,
}

impl AccountInstall {
    fn calls(&self) -> usize {
        match &self.plan {
            Some(Ok(plan)) => plan.call_count(),
            _ => 0,
        }
    }
}

/// `schedule plan|apply --org`: the schedules planned in every selected account they name, through the member
/// role (under each account's production tag, the role named `--task-role-name` in it), one plan grouped by
/// account; with `--apply`, installed account by account after one confirmation. Any refused pin or any
/// refusal of a plan (a production instance a tag target would reach) refuses the whole apply; an account
/// that cannot be reached is listed with the reason and fails the command, the others applied.
/// A saved `schedule plan --org` plan's own part: the `--schedule` and `--task-role-name` it was made with,
/// and each reached account's plan ([`plan_body`]) by ID.
fn org_plan_body(
    accounts: &[AccountInstall],
    schedule: Option<&str>,
    role_name: Option<&str>,
) -> serde_json::Value {
    let planned: Vec<serde_json::Value> = accounts
        .iter()
        .filter_map(|install| {
            let Some(Ok(plan)) = &install.plan else { return None };
            Some(serde_json::json!({
                "account_id": install.account.id,
                "name": install.account.name,
                "plan": plan_body(plan, schedule, None),
            }))
        })
        .collect();
    serde_json::json!({"schedule": schedule, "role_name": role_name, "accounts": planned})
}

/// The differences between a reviewed organisation plan and a fresh one, account by account: an account
/// the review planned and the organisation no longer does (or the other way round, with calls), and every
/// call or selection that changed within one.
fn org_drift(reviewed: &serde_json::Value, fresh: &serde_json::Value) -> Vec<String> {
    let empty = Vec::new();
    let reviewed = reviewed["accounts"].as_array().unwrap_or(&empty);
    let fresh = fresh["accounts"].as_array().unwrap_or(&empty);
    let find = |accounts: &[serde_json::Value], id: &serde_json::Value| {
        accounts.iter().find(|entry| entry["account_id"] == *id).map(|entry| entry["plan"].clone())
    };
    let mut drifted = Vec::new();
    for entry in reviewed {
        let id = &entry["account_id"];
        match find(fresh, id) {
            Some(now) => {
                let label = id.as_str().unwrap_or_default();
                drifted
                    .extend(drift(&entry["plan"], &now).into_iter().map(|line| format!("{label}: {line}")));
            }
            None => drifted
                .push(format!("reviewed account {id} is not planned now (not selected or not reached)")),
        }
    }
    for entry in fresh {
        let calls = entry["plan"]["changes"].as_array().is_some_and(|changes| !changes.is_empty());
        if calls && find(reviewed, &entry["account_id"]).is_none() {
            drifted.push(format!("account {} now calls for calls not reviewed", entry["account_id"]));
        }
    }
    drifted
}

/// The kind of a saved `schedule plan --org` plan.
const ORG_PLAN_KIND: &str = "schedule-org";

fn plan_or_apply_org(
    mut common: ScheduleCommon,
    targets: &crate::args::OrgTargetArgs,
    mut role_name: Option<String>,
    write: &WriteArgs,
    saving: Saving,
    lang: &str,
) -> anyhow::Result<bool> {
    // A reviewed plan is re-planned with its own schedule, role name and regions.
    if let Some((reviewed, _)) = &saving.reviewed {
        common.schedule = reviewed.body["schedule"].as_str().map(str::to_owned);
        role_name = reviewed.body["role_name"].as_str().map(str::to_owned);
        common.aws.regions = reviewed.regions.clone();
    }
    let (common, role_name) = (&common, role_name.as_deref());
    let setup = setup(common)?;
    let config = &setup.config;
    let mut options = collect_options(&common.aws, config);
    options.regions = Some(setup.regions.clone());
    let runtime = runtime()?;
    runtime.block_on(async {
        let organisation = super::org_targets::Organisation::connect(&common.aws, config, targets, &options).await?;
        let hub = write_guard::identify(&organisation.hub).await?;
        println!("{}", tr!(lang, "Organisation managed from {hub}", "組織の管理元: {hub}"));
        if let Some((reviewed, _)) = &saving.reviewed {
            reviewed.check_account(&hub)?;
        }
        let mut accounts = Vec::new();
        for account in scheduled_accounts(&setup, &organisation.selected) {
            let reached = organisation.reach(&account).await;
            let (pin, facts_alias) = match &reached {
                Ok((_, live)) => {
                    (write_guard::org_pin(config, write, &hub.id, live, &account.id, None), live.alias.clone())
                }
                Err(reason) => (Err(anyhow::anyhow!("not reached: {reason}")), None),
            };
            let facts = super::org_targets::facts(&account, facts_alias.as_deref());
            let production = config.profile_for_account(&facts).params.production_tag.clone();
            let schedules: Vec<ScheduleConfig> =
                setup.schedules.iter().filter(|schedule| schedule.covers_account(&facts)).cloned().collect();
            let plan = match &reached {
                Ok((sdk, _)) => {
                    let partition = guardline_model::partition::of_region(&setup.regions[0]);
                    let request = Request {
                        schedules: schedules.iter().collect(),
                        regions: setup.regions.clone(),
                        production: production.clone(),
                        role_arn: role_name.map(|name| format!("arn:{partition}:iam::{}:role/{name}", account.id)),
                    };
                    Some(install::plan(sdk, &request).await.map_err(|error| anyhow::anyhow!("reading the account: {error}")))
                }
                Err(_) => None,
            };
            let setup = Setup { config: config.clone(), schedules, regions: setup.regions.clone() };
            accounts.push(AccountInstall { account, reached, pin, plan, setup, production });
        }
        let mut refusals = Vec::new();
        let mut unreached = 0;
        for install in &accounts {
            let (id, name, ou) = (&install.account.id, &install.account.name, &install.account.ou_path);
            let (live, plan) = match (&install.reached, &install.plan) {
                (Ok((_, live)), Some(Ok(plan))) => (live, plan),
                (Ok((_, live)), Some(Err(error))) => {
                    unreached += 1;
                    println!("\n== {live} \"{name}\" · {ou}\n  {error:#}");
                    continue;
                }
                (Err(reason), _) => {
                    unreached += 1;
                    println!(
                        "{}",
                        tr!(
                            lang,
                            "\n== {id} (not reached) \"{name}\" · {ou}\n  NOT EVALUATED, nothing planned: {reason}",
                            "\n== {id}(到達できません) 「{name}」 · {ou}\n  未評価のため何も計画していません: {reason}"
                        )
                    );
                    continue;
                }
                (Ok(_), None) => continue,
            };
            println!("\n== {live} \"{name}\" · {ou}");
            print!("{}", write_guard::pin_or_refusal(&install.pin, lang));
            print_plan(&install.setup, plan, live, &install.production, lang);
            if install.calls() > 0
                && let Err(error) = &install.pin
            {
                refusals.push(format!("  - {live}: {error:#}"));
            }
            refusals.extend(plan.refusals.iter().map(|refusal| format!("  - {live}: {refusal}")));
        }
        let count: usize = accounts.iter().map(AccountInstall::calls).sum();
        let with_calls = accounts.iter().filter(|install| install.calls() > 0).count();
        let body = org_plan_body(&accounts, common.schedule.as_deref(), role_name);
        if let Some((reviewed, path)) = &saving.reviewed {
            refuse_drift(&org_drift(&reviewed.body, &body))?;
            let (path, made) = (path.display(), reviewed.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"));
            println!(
                "{}",
                tr!(
                    lang,
                    "\nThe reviewed plan {path} (made {made}) still applies: in every account its calls are what the \
                     live state calls for now.",
                    "\nレビュー済みのプラン {path}({made} に作成)はまだ適用できます: どのアカウントでも、その呼び出しは\
                     現在の状態が必要とするものです。"
                )
            );
        }
        if let Some(path) = &saving.plan_out {
            if refusals.is_empty() && unreached == 0 {
                SavedPlan::new(ORG_PLAN_KIND, &hub, setup.regions.clone(), body).write(path)?;
            } else {
                let path = path.display();
                println!(
                    "{}",
                    tr!(
                        lang,
                        "\nThe plan was not saved to {path}: applying it would be refused, or an account was not \
                         reached.",
                        "\nプランを {path} に保存しませんでした: 適用が拒否されるか、到達できないアカウントがあります。"
                    )
                );
            }
        }
        if !write.apply {
            println!(
                "{}",
                tr!(
                    lang,
                    "\n{count} call(s) planned in {with_calls} account(s). Nothing was changed; `guardline schedule \
                     apply --org --apply` makes them.",
                    "\n{with_calls} アカウントで {count} 件の呼び出しを計画しました。何も変更していません。\
                     `guardline schedule apply --org --apply` で実行します。"
                )
            );
            if !refusals.is_empty() {
                println!("{}", tr!(lang, "Applying would be refused:\n{}", "適用は拒否されます:\n{}", refusals.join("\n")));
            }
            return Ok(unreached == 0);
        }
        write_guard::refuse_if_any(&refusals)?;
        if count == 0 {
            println!("{}", tr!(lang, "\nNothing to do in any account.", "\nどのアカウントでもすることはありません。"));
            return Ok(unreached == 0);
        }
        write_guard::confirm(
            write,
            &hub,
            &tr!(
                lang,
                "Make these {count} call(s) in {with_calls} account(s) of the organisation managed from",
                "組織の {with_calls} アカウントでこれら {count} 件の呼び出しを実行します。管理元"
            ),
            lang,
        )?;
        println!("{}", tr!(lang, "\nApplying:", "\n適用中:"));
        let mut failed = Vec::new();
        for install in accounts.iter().filter(|install| install.calls() > 0) {
            let (Ok((sdk, live)), Some(Ok(plan))) = (&install.reached, &install.plan) else { continue };
            let (writer, _) = write_guard::writer(sdk, &install.account.id).await?;
            let result = install::apply(&writer, plan, |change, call| print_done(live, change, call, lang)).await;
            if let Err(error) = result {
                failed.push(format!("{live}: {error}"));
            }
        }
        println!("{}", tr!(lang, "Applied in {with_calls} account(s).", "{with_calls} アカウントで実行しました。"));
        if !failed.is_empty() {
            anyhow::bail!(
                "applying: {} (the calls listed as done stay made; re-run to complete the rest)",
                failed.join("; ")
            );
        }
        Ok(unreached == 0)
    })
}
