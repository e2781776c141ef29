//! `guardline scan`: collect (or load) a snapshot, evaluate it against the config, render the report.

use std::io::Write;
use std::time::Instant;

use anyhow::Context as _;
use guardline_config::Config;
use guardline_model::Snapshot;
use guardline_model::cost_report::SpendReport;
use guardline_report::html::HtmlExtras;
use guardline_report::terminal::TerminalOptions;
use guardline_rules::Evaluation;

use crate::args::{ReportFormat, ScanArgs};
use crate::commands::{AwsSession, ReportContext, config_path, emit_reports, load_config, write_file};

/// The demo account's snapshot and config, bundled so `scan --demo` works anywhere.
pub(crate) const DEMO_SNAPSHOT: &str = include_str!("../../../../demo/snapshot.json");
pub(crate) const DEMO_CONFIG: &str = include_str!("../../../../demo/guardline.toml");
/// The demo account's bill (a `guardline cost --format json` report), for the HTML report's cost section.
pub(crate) const DEMO_COST: &str = include_str!("../../../../demo/cost.json");

pub fn run(args: ScanArgs) -> anyhow::Result<bool> {
    if args.org.targets.org {
        return super::org_scan::run(args);
    }
    let rules = super::selected_rules(&args.select)?;
    let mut cost: Option<SpendReport> = None;
    let mut session: Option<AwsSession> = None;
    refuse_ignored_flags(&args)?;
    let (snapshot, mut config, config_name) = if args.demo {
        // `--demo -c FILE`: the demo account under the user's own config (its adopted controls, parameters
        // and exceptions); only an explicit -c, so a guardline.toml in the directory never changes the demo.
        let (config, name) = match &args.config {
            Some(path) => (load_config(Some(path))?, path.display().to_string()),
            None => (
                guardline_config::parse(DEMO_CONFIG, "demo/guardline.toml", &super::known_controls())
                    .map_err(|errors| anyhow::anyhow!("the bundled demo config is invalid\n{errors}"))?,
                "demo/guardline.toml".to_owned(),
            ),
        };
        let snapshot = Snapshot::from_json(DEMO_SNAPSHOT).context("the bundled demo snapshot")?;
        cost = Some(serde_json::from_str(DEMO_COST).context("the bundled demo cost report")?);
        (snapshot, config, Some(name))
    } else {
        let path = config_path(args.config.as_deref());
        let config = load_config(path.as_deref())?;
        let name = path.map(|path| path.display().to_string());
        // One session reads and, with --send-to-security-hub, writes.
        if args.snapshot.is_none() || args.send_to_security_hub {
            session = Some(AwsSession::connect(&args.aws, super::collect_options(&args.aws, &config))?);
        }
        let snapshot = match &args.snapshot {
            Some(path) => {
                let started = Instant::now();
                let text = super::org_store::read_limited(path, super::org_store::MAX_OBJECT_BYTES)?;
                let snapshot =
                    Snapshot::from_json(&text).with_context(|| format!("loading {}", path.display()))?;
                tracing::debug!(elapsed = ?started.elapsed(), bytes = text.len(), "snapshot loaded");
                snapshot
            }
            None => {
                let output = session.as_ref().expect("a session for a live scan").collect(&args.aws)?;
                if let Some(path) = &args.save_snapshot {
                    write_file(path, &output.snapshot.to_json())?;
                }
                if args.cost {
                    let options = super::collect_options(&args.aws, &config);
                    let today = args.today.unwrap_or_else(super::cost::utc_today);
                    cost = Some(super::cost::collect_spend(&args.aws, &options, today)?);
                }
                output.snapshot
            }
        };
        (snapshot, config, name)
    };
    if let Some(profile) = &args.guideline_profile {
        force_profile(&mut config, profile)?;
    }
    // The demo is evaluated as of its collection day, so its exceptions read the same whenever it runs.
    let today = match (args.today, args.demo) {
        (Some(today), _) => today,
        (None, true) => snapshot.collected_at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
        (None, false) => jiff::ZonedDateTime::now().date(),
    };
    let started = Instant::now();
    let evaluation = guardline_rules::engine::evaluate_only(&snapshot, &config, today, &rules);
    tracing::debug!(elapsed = ?started.elapsed(), findings = evaluation.findings.len(), "evaluated");
    // Every scan is recorded in the history database, except the demo (not a real account), --no-history and
    // a scan of some controls (a later diff would read the others as resolved).
    let trend = if !args.demo && !args.no_history && !args.select.is_partial() {
        super::history::record(&args.history, &evaluation)?
    } else {
        Vec::new()
    };

    let lang = args.report.lang.code();
    let target = super::target_args(args.demo, args.aws.profile.as_deref(), args.config.as_deref());
    let extras = HtmlExtras { trend: &trend, cost: cost.as_ref(), target_args: &target };
    let started = Instant::now();
    let context = ReportContext {
        config_name,
        target_args: target.clone(),
        verdict: guardline_report::terminal::verdict(&evaluation, lang),
        s3_profile: args.aws.profile.clone(),
    };
    emit_reports(&args.report, context, |format, terminal, out| {
        render(format, &evaluation, lang, terminal, &extras, out)
    })?;
    tracing::debug!(elapsed = ?started.elapsed(), "reports written");
    // The write to AWS, after the report is out: a refused or failed import is exit 2 with the report written.
    if args.send_to_security_hub {
        std::io::stdout().flush().context("writing the report")?;
        let session = session.as_ref().expect("a session for --send-to-security-hub");
        super::security_hub::send_guarded(session, &snapshot, &evaluation, &config, &args)?;
    }
    let passed = !evaluation.failed;
    // The process exits next: freeing a large account's findings and inventory one allocation at a time
    // would take longer than evaluating them (a tenth of the run on a million resources).
    std::mem::forget(evaluation);
    std::mem::forget(snapshot);
    Ok(passed)
}

/// Refuses the flags an offline scan (`--demo`, or `--snapshot` without `--send-to-security-hub`) would
/// silently ignore, each with the reason. `--profile` and `--history-db` count only when given on the command
/// line: their environment variables (`AWS_PROFILE`, `GUARDLINE_HISTORY_DB`) are not a request.
fn refuse_ignored_flags(args: &ScanArgs) -> anyhow::Result<()> {
    let (mode, why) = match (&args.snapshot, args.demo) {
        (_, true) => ("--demo", "the bundled demo makes no AWS calls"),
        (Some(_), false) if !args.send_to_security_hub => {
            ("--snapshot", "an offline scan makes no AWS calls (only --send-to-security-hub does)")
        }
        (Some(_), false) => ("--snapshot", ""),
        (None, false) => return Ok(()),
    };
    if args.aws.requested_regions().is_some() {
        let source = if args.demo { "the demo's regions" } else { "the regions it was collected in" };
        anyhow::bail!(
            "--region/--regions cannot be used with {mode}: the snapshot is evaluated with {source} (choose \
             regions when collecting: `guardline collect --regions ...`)"
        );
    }
    let from_command_line = |value: Option<&std::ffi::OsStr>, var: &str| {
        value.is_some_and(|value| std::env::var_os(var).as_deref() != Some(value))
    };
    if !why.is_empty() {
        let aws = &args.aws;
        let ignored = [
            ("--profile", from_command_line(aws.profile.as_deref().map(std::ffi::OsStr::new), "AWS_PROFILE")),
            ("--concurrency", aws.concurrency.is_some()),
            ("--max-attempts", aws.max_attempts.is_some()),
            ("--call-timeout", aws.call_timeout.is_some()),
            ("--role-arn", aws.role_arn.is_some()),
            ("--external-id-env", aws.external_id_env.is_some()),
        ];
        if let Some((flag, _)) = ignored.iter().find(|(_, given)| *given) {
            anyhow::bail!("{flag} cannot be used with {mode}: {why}");
        }
    }
    if args.demo
        && from_command_line(
            args.history.history_db.as_deref().map(std::path::Path::as_os_str),
            "GUARDLINE_HISTORY_DB",
        )
    {
        anyhow::bail!("--history-db cannot be used with --demo: the demo is never recorded in the history");
    }
    Ok(())
}

/// One report in `format`, written to `out`.
fn render(
    format: ReportFormat,
    evaluation: &Evaluation,
    lang: &str,
    terminal: &TerminalOptions,
    extras: &HtmlExtras,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use guardline_report::{asff, csv, html, json, junit, ocsf, sarif};
    let text = match format {
        // The largest report of a large account: streamed rather than built in memory.
        ReportFormat::Json => return json::write(evaluation, lang, out),
        ReportFormat::Terminal => guardline_report::terminal::render(evaluation, terminal),
        ReportFormat::Html => html::render_with(evaluation, lang, extras),
        ReportFormat::Csv => csv::render(evaluation, lang),
        ReportFormat::Sarif => sarif::render(evaluation, lang),
        ReportFormat::Ocsf => ocsf::render(evaluation, lang),
        ReportFormat::Asff => asff::render(evaluation, lang),
        ReportFormat::Junit => junit::render(evaluation, lang),
    };
    out.write_all(text.as_bytes())
}

/// Makes every account use `profile`.
pub(crate) fn force_profile(config: &mut Config, profile: &str) -> anyhow::Result<()> {
    if !config.profiles.contains_key(profile) {
        let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
        anyhow::bail!(
            "--guideline-profile {profile}: no such profile in the config (profiles: {})",
            known.join(", ")
        );
    }
    config.default_profile = profile.to_owned();
    config.accounts.clear();
    Ok(())
}
