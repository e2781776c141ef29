//! `guardline fix`: scan (read-only), plan the automated fixes of the failing controls, show the plan with the
//! target account, and apply it only with `--apply` on the pinned account.

use std::io::Write;

use anyhow::Context as _;
use guardline_apply::fix::{ApplyReport, StepResult};
use guardline_config::{LiveAccount, PinMatch};
use guardline_model::{CollectError, Snapshot};
use guardline_rules::fix::FixPlan;

use crate::args::{FixArgs, Format};
use crate::commands::scan::{DEMO_CONFIG, DEMO_SNAPSHOT};
use crate::commands::write_guard::{check_pin, confirm, pin_line, target_line};
use crate::commands::{collect, collect_options, config_path, known_controls, load_config};

pub fn run(args: FixArgs) -> anyhow::Result<bool> {
    let only = checked_only(&args.only)?;
    let (config, snapshot, today) = if args.demo {
        let config = guardline_config::parse(DEMO_CONFIG, "demo/guardline.toml", &known_controls())
            .map_err(|errors| anyhow::anyhow!("the bundled demo config is invalid\n{errors}"))?;
        let snapshot = Snapshot::from_json(DEMO_SNAPSHOT).context("the bundled demo snapshot")?;
        let today = snapshot.collected_at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        (config, snapshot, today)
    } else {
        let config = load_config(config_path(args.config.as_deref()).as_deref())?;
        let snapshot = collect(&args.aws, &config)?.snapshot;
        (config, snapshot, jiff::ZonedDateTime::now().date())
    };
    let evaluation = guardline_rules::evaluate(&snapshot, &config, today);
    let plan = guardline_rules::fix::plan(&snapshot, &config, &evaluation, only.as_deref());
    let live = LiveAccount { id: snapshot.account.id.clone(), alias: evaluation.account_alias.clone() };
    let pin = check_pin(&config, &live, &args.write, plan.alias_created());
    let lang = args.lang.code();

    let mut out = String::new();
    if args.format == Format::Json {
        let json = serde_json::json!({
            "target": {"account_id": live.id, "account_alias": live.alias},
            "pin": match &pin { Ok(matched) => pin_line(matched), Err(error) => format!("{error:#}") },
            "plan": plan,
            "calls": plan.steps.iter().map(|step| step.action.calls()).collect::<Vec<_>>(),
        });
        out.push_str(&serde_json::to_string_pretty(&json)?);
        out.push('\n');
    } else {
        render_plan(&mut out, &live, &pin, &plan, args.write.apply, lang);
    }
    print(&out)?;

    if !args.write.apply {
        return Ok(true);
    }
    let pin = pin?;
    if plan.steps.is_empty() {
        print("Nothing to do: no failing control has an automated fix to apply.\n")?;
        return Ok(true);
    }
    let steps = plan.steps.len();
    confirm(&args.write, &live, &format!("Apply {steps} change(s)"))?;
    tracing::info!(account = %live, pin = ?pin, "applying the fix plan");
    let report = apply(&args, &config, &plan)?;
    let summary = render_report(&plan, &report);
    print(&summary)?;
    if let Some((index, error)) = &report.failed {
        anyhow::bail!("step {} ({}) failed: {error}", index + 1, plan.steps[*index].control);
    }
    Ok(true)
}

/// `--only` as canonical control IDs; an unknown ID is an error, not a silent empty plan.
fn checked_only(only: &[String]) -> anyhow::Result<Option<Vec<String>>> {
    if only.is_empty() {
        return Ok(None);
    }
    let known = known_controls();
    let mut ids = Vec::new();
    for id in only {
        let Some(rule) = guardline_rules::find_rule(id) else {
            if known.iter().any(|known| known.eq_ignore_ascii_case(id)) {
                anyhow::bail!("--only {id}: this control is not checked by this version yet");
            }
            anyhow::bail!("--only {id}: no such control (`guardline rule` lists them)");
        };
        ids.push(rule.id.to_owned());
    }
    Ok(Some(ids))
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout();
    stdout.write_all(text.as_bytes()).context("writing to stdout")?;
    stdout.flush().context("writing to stdout")
}

fn render_plan(
    out: &mut String,
    live: &LiveAccount,
    pin: &anyhow::Result<PinMatch>,
    plan: &FixPlan,
    applying: bool,
    lang: &str,
) {
    out.push_str(&target_line(live));
    out.push('\n');
    match pin {
        Ok(matched) => out.push_str(&pin_line(matched)),
        Err(error) => out.push_str(&format!("--apply would be {error:#}")),
    }
    out.push_str("\n\n");
    if plan.steps.is_empty() {
        out.push_str("No automated fix to apply.\n");
    } else {
        let controls: std::collections::BTreeSet<&str> = plan.steps.iter().map(|step| step.control).collect();
        let note = if applying { "" } else { "; nothing is changed without --apply" };
        out.push_str(&format!(
            "Plan: {} change(s) for {} control(s){note}\n",
            plan.steps.len(),
            controls.len()
        ));
        for (index, step) in plan.steps.iter().enumerate() {
            out.push_str(&format!(
                "\n  {}. {} [{}] {}: {}\n",
                index + 1,
                step.control,
                step.fix.label(),
                step.region,
                step.action.describe().get(lang)
            ));
            out.push_str(&format!("     calls: {}\n", step.action.calls().join(", ")));
            for reason in &step.because {
                out.push_str(&format!("     because: {}\n", reason.get(lang)));
            }
        }
    }
    if !plan.blocked.is_empty() {
        out.push_str("\nNot planned, the config lacks a value:\n");
        for blocked in &plan.blocked {
            out.push_str(&format!(
                "  {} {}: needs {}\n",
                blocked.control,
                blocked.region,
                blocked.missing.get(lang)
            ));
        }
    }
    if !plan.manual.is_empty() {
        out.push_str("\nManual only: a person must do these (the whole explanation: `guardline rule ID`):\n");
        for manual in &plan.manual {
            out.push_str(&format!(
                "\n  {} {} ({} failing)\n",
                manual.control,
                manual.title.get(lang),
                manual.failing
            ));
            if let Some(rule) = guardline_rules::find_rule(manual.control) {
                for line in how_to_fix(&rule.explanation()).lines() {
                    out.push_str(format!("    {line}").trim_end());
                    out.push('\n');
                }
            }
        }
    }
}

/// The "How to fix" section of a rule's documentation.
fn how_to_fix(explanation: &str) -> &str {
    let Some((_, rest)) = explanation.split_once("## How to fix\n") else { return "" };
    rest.split("\n## ").next().unwrap_or_default().trim()
}

/// Runs the plan, printing each step's result as it completes.
fn apply(args: &FixArgs, config: &guardline_config::Config, plan: &FixPlan) -> anyhow::Result<ApplyReport> {
    let options = collect_options(&args.aws, config);
    let base_region = options.regions.as_ref().and_then(|regions| regions.first().cloned());
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    Ok(runtime.block_on(async {
        let sdk =
            guardline_collect::sdk_config(args.aws.profile.as_deref(), base_region.as_deref(), &options)
                .await;
        guardline_apply::fix::apply(&sdk, plan, |index, result| {
            let step = &plan.steps[index];
            let line = step_line(index, step.control, &step.region, result);
            let _ = print(&line);
        })
        .await
    }))
}

fn step_line(index: usize, control: &str, region: &str, result: &Result<StepResult, CollectError>) -> String {
    match result {
        Ok(StepResult::Changed { writes }) => {
            format!("  done    {}. {control} {region}: {}\n", index + 1, writes.join("; "))
        }
        Ok(StepResult::AlreadyDone) => {
            format!("  done    {}. {control} {region}: already in place, nothing changed\n", index + 1)
        }
        Err(error) => format!("  FAILED  {}. {control} {region}: {error}\n", index + 1),
    }
}

fn render_report(plan: &FixPlan, report: &ApplyReport) -> String {
    let changed =
        report.done.iter().filter(|(_, result)| matches!(result, StepResult::Changed { .. })).count();
    let in_place = report.done.len() - changed;
    let mut out = format!(
        "\nApplied {} of {} step(s): {changed} changed, {in_place} already in place.\n",
        report.done.len(),
        plan.steps.len()
    );
    if let Some((index, _)) = &report.failed {
        let not_attempted: Vec<String> =
            report.not_attempted.iter().map(|index| (index + 1).to_string()).collect();
        out.push_str(&format!(
            "Step {} failed; not attempted: {}. What was done stays done: run `guardline fix` again after \
             fixing the cause to finish the rest.\n",
            index + 1,
            if not_attempted.is_empty() { "none".to_owned() } else { not_attempted.join(", ") }
        ));
    } else {
        out.push_str("Run `guardline scan` to confirm that the fixed controls pass.\n");
    }
    out
}
