//! `guardline scan --org`: every selected account of an AWS Organization, scanned concurrently, in one report.
//!
//! 1. List and select the organisation's accounts, and collect them concurrently through the member role
//!    ([`super::org_targets`], the one path every organisation-wide command takes); with `--shard
//!    INDEX/COUNT`, only the selected accounts whose FNV-1a hash of the ID modulo COUNT is INDEX, so an
//!    account's shard depends on its ID alone, never on the rest of the list. An account that cannot be
//!    reached or collected is recorded NOT EVALUATED with the reason.
//! 2. Without `--shard`: evaluate each account under its own profile (`Config::profile_for_account`: ID,
//!    alias, OU, tag), record each evaluated account in the history, and render the organisation report
//!    (`guardline_report::org`). With `--shard`: write one [`ShardRecord`] per account and a manifest to
//!    `--output-dir`; `guardline merge` evaluates them (see `merge.rs`) exactly as step 2 does.
//!
//! Exit code: unsharded, 1 when any account fails (a NOT EVALUATED account fails unless `[scan]
//! not-evaluated = "warn"`); a shard exits 0 once its files are written (the merge gives the verdict), so a
//! Kubernetes or AWS Batch job does not retry a shard because an account failed the guideline. 2 is always a
//! Guardline error (the organisation cannot be listed, bad selectors, IO).

use anyhow::Context as _;
use guardline_config::{Config, Level, NotEvaluatedPolicy};
use guardline_model::org::{OrgAccount, ShardOutcome, ShardRecord};
use guardline_model::{Finding, Status, Text};
use guardline_report::org::{AccountResult, OrgEvaluation, OrgFormat};
use guardline_rules::{EvaluatedFinding, Evaluation, Outcome};
use serde::{Deserialize, Serialize};

use crate::args::{ReportArgs, ReportFormat, ScanArgs, Shard};
use crate::commands::org_store::{Location, Store};
use crate::commands::org_targets::{Organisation, alias_of, facts, with_profile};
use crate::commands::{collect_options, config_path, emit_reports, load_config};
use crate::progress::Bar;

/// The `format` tag of a shard's manifest.
pub const MANIFEST_FORMAT: &str = "guardline-org-shard";

/// What a shard writes beside its account records, so that `merge` can prove it has every shard and every
/// selected account.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub index: usize,
    pub count: usize,
    /// Every account the selection chose (all shards), sorted.
    pub selected: Vec<String>,
    /// This shard's accounts, sorted.
    pub accounts: Vec<String>,
}

pub fn run(args: ScanArgs) -> anyhow::Result<bool> {
    let rules = super::selected_rules(&args.select)?;
    let path = config_path(args.config.as_deref());
    let mut config = load_config(path.as_deref())?;
    let config_name = path.map(|path| path.display().to_string());
    if let Some(profile) = &args.guideline_profile {
        super::scan::force_profile(&mut config, profile)?;
    }
    let options = collect_options(&args.aws, &config);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let bar = Bar::new(!args.aws.no_progress && !crate::console::quiet());
    let scanned = runtime.block_on(async {
        let organisation = Organisation::connect(&args.aws, &config, &args.org.targets, &options).await?;
        let selected_ids: Vec<String> =
            organisation.selected.iter().map(|account| account.id.clone()).collect();
        let mine: Vec<OrgAccount> = match args.org.shard {
            Some(shard) => organisation
                .selected
                .iter()
                .filter(|account| shard_of(&account.id, shard.count) == shard.index)
                .cloned()
                .collect(),
            None => organisation.selected.clone(),
        };
        tracing::info!(scanning = mine.len(), "this run's accounts");
        let reached = organisation.collect(mine, &options, &bar).await;
        anyhow::Ok((selected_ids, reached.into_iter().map(|reached| reached.record).collect::<Vec<_>>()))
    });
    bar.finish();
    let (selected, records) = scanned?;

    if let Some(shard) = args.org.shard {
        let dir = args.report.output_dir.as_deref().context("--shard needs --output-dir")?;
        let location = Location::parse(dir)?;
        runtime.block_on(async {
            let store = Store::new(std::slice::from_ref(&location), args.aws.profile.as_deref()).await?;
            write_shard(&store, &location, shard, selected, &records).await
        })?;
        let missing = records
            .iter()
            .filter(|record| matches!(record.outcome, ShardOutcome::NotEvaluated { .. }))
            .count();
        crate::console::note!(
            "shard {}/{}: {} account(s) written to {} ({missing} NOT EVALUATED); combine the shards with \
             `guardline merge`",
            shard.index,
            shard.count,
            records.len(),
            location
        );
        return Ok(true);
    }

    let today = args.today.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let org = evaluate_records(records, &config, today, &rules);
    let mut extras = guardline_report::org_html::OrgHtmlExtras::default();
    if !args.no_history && !args.select.is_partial() {
        extras.trends = record_history(&args.history, &org)?;
    }
    emit(&org, &args.report, config_name, &extras, args.aws.profile.as_deref())?;
    Ok(!org.failed())
}

/// The shard an account belongs to: FNV-1a (64-bit) of its ID, modulo `count`. Depends only on the ID, so
/// shards of one run agree even if their account lists differ (an account created mid-run).
pub fn shard_of(account_id: &str, count: usize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in account_id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % count.max(1) as u64) as usize
}

/// Writes a shard's records (`accounts/<id>.json`) and then its manifest (`shard-<index>-of-<count>.json`),
/// so that a manifest is only ever there with all of its records.
async fn write_shard(
    store: &Store,
    location: &Location,
    shard: Shard,
    selected: Vec<String>,
    records: &[ShardRecord],
) -> anyhow::Result<()> {
    for record in records {
        store.put(location, &format!("accounts/{}.json", record.account.id), &record.to_json()).await?;
    }
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        version: 1,
        index: shard.index,
        count: shard.count,
        selected,
        accounts: records.iter().map(|record| record.account.id.clone()).collect(),
    };
    let text = serde_json::to_string_pretty(&manifest).context("serialising the shard manifest")? + "\n";
    store.put(location, &format!("shard-{}-of-{}.json", shard.index, shard.count), &text).await
}

/// Evaluates every record under its account's profile. Both `scan --org` and `merge` go through here, so a
/// merged report is the report an unsharded run gives.
pub fn evaluate_records(
    records: Vec<ShardRecord>,
    config: &Config,
    today: jiff::civil::Date,
    rules: &[&'static guardline_rules::Rule],
) -> OrgEvaluation {
    let accounts = records
        .into_iter()
        .map(|record| {
            let account = record.account;
            match record.outcome {
                ShardOutcome::Snapshot(snapshot) => {
                    let alias = alias_of(&snapshot);
                    let profile = config.profile_for_account(&facts(&account, alias.as_deref())).name.clone();
                    let evaluation = guardline_rules::engine::evaluate_only(
                        &snapshot,
                        &with_profile(config, &profile),
                        today,
                        rules,
                    );
                    AccountResult {
                        id: account.id,
                        name: account.name,
                        alias,
                        ou_path: account.ou_path,
                        profile,
                        not_evaluated: None,
                        evaluation,
                    }
                }
                ShardOutcome::NotEvaluated { reason, at } => {
                    let profile = config.profile_for_account(&facts(&account, None)).name.clone();
                    let evaluation = not_evaluated(&account.id, &profile, config, &reason, at, today, rules);
                    AccountResult {
                        id: account.id,
                        name: account.name,
                        alias: None,
                        ou_path: account.ou_path,
                        profile,
                        not_evaluated: Some(reason),
                        evaluation,
                    }
                }
            }
        })
        .collect();
    OrgEvaluation::new(accounts)
}

/// The evaluation of an account that could not be scanned: every control NOT EVALUATED with the reason
/// (NOT ADOPTED where its profile does not adopt the control), failing like any NOT EVALUATED adopted control.
fn not_evaluated(
    account_id: &str,
    profile_name: &str,
    config: &Config,
    reason: &str,
    at: jiff::Timestamp,
    today: jiff::civil::Date,
    rules: &[&'static guardline_rules::Rule],
) -> Evaluation {
    let profile = &config.profiles[profile_name];
    let findings: Vec<EvaluatedFinding> = rules
        .iter()
        .map(|rule| {
            let (level, not_adopted_reason) = match profile.setting(rule.id) {
                guardline_config::ControlSetting::Adopted { level } => (Some(level), None),
                guardline_config::ControlSetting::NotAdopted { reason } => (None, Some(reason)),
            };
            EvaluatedFinding {
                finding: Finding {
                    control: rule.id.to_owned(),
                    account_id: account_id.to_owned(),
                    region: "global".to_owned(),
                    resource: format!("arn:aws:iam::{account_id}:root"),
                    subject: None,
                    status: Status::NotEvaluated,
                    message: Text::new(
                        format!("the account could not be scanned: {reason}"),
                        format!("アカウントをスキャンできませんでした: {reason}"),
                    ),
                },
                section: rule.section,
                severity: rule.severity,
                outcome: if level.is_some() { Outcome::NotEvaluated } else { Outcome::NotAdopted },
                level,
                not_adopted_reason,
                exception: None,
            }
        })
        .collect();
    let failed = config.scan.not_evaluated == NotEvaluatedPolicy::Fail
        && findings.iter().any(|finding| finding.level == Some(Level::Fail));
    Evaluation {
        account_id: account_id.to_owned(),
        account_alias: None,
        profile: profile_name.to_owned(),
        collected_at: at,
        evaluated_on: today,
        regions: Vec::new(),
        findings,
        controls: rules.iter().map(|rule| rule.id).collect(),
        unused_exceptions: Vec::new(),
        failed,
    }
}

/// Records each scanned account's evaluation in the history (one scan per account; NOT EVALUATED
/// accounts have no scan to record); returns each recorded account's trend of failing controls, for the
/// organisation HTML report.
pub fn record_history(
    history: &crate::args::HistoryDbArgs,
    org: &OrgEvaluation,
) -> anyhow::Result<std::collections::HashMap<String, Vec<guardline_report::html::TrendPoint>>> {
    let mut trends = std::collections::HashMap::new();
    for account in org.accounts.iter().filter(|account| account.not_evaluated.is_none()) {
        let trend = super::history::record(history, &account.evaluation)
            .with_context(|| format!("recording account {}", account.id))?;
        trends.insert(account.id.clone(), trend);
    }
    Ok(trends)
}

/// Renders the organisation report in every requested format.
pub fn emit(
    org: &OrgEvaluation,
    report: &ReportArgs,
    config_name: Option<String>,
    extras: &guardline_report::org_html::OrgHtmlExtras,
    s3_profile: Option<&str>,
) -> anyhow::Result<()> {
    let context = super::ReportContext {
        config_name,
        verdict: guardline_report::org::verdict(org, report.lang.code()),
        s3_profile: s3_profile.map(str::to_owned),
        ..Default::default()
    };
    emit_reports(report, context, |format, terminal, out| {
        let page = match format {
            ReportFormat::Html => guardline_report::org_html::render(org, &terminal.lang, extras),
            format => guardline_report::org::render(org, org_format(format), terminal),
        };
        out.write_all(page.as_bytes())
    })
}

fn org_format(format: ReportFormat) -> OrgFormat {
    match format {
        ReportFormat::Terminal => OrgFormat::Terminal,
        ReportFormat::Json => OrgFormat::Json,
        ReportFormat::Html => OrgFormat::Html,
        ReportFormat::Csv => OrgFormat::Csv,
        ReportFormat::Sarif => OrgFormat::Sarif,
        ReportFormat::Ocsf => OrgFormat::Ocsf,
        ReportFormat::Asff => OrgFormat::Asff,
        ReportFormat::Junit => OrgFormat::Junit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_depend_on_the_id_only_and_cover_every_account() {
        let ids: Vec<String> = (0..60).map(|n| format!("{:012}", 100_000_000_000u64 + n * 7919)).collect();
        let mut counts = [0usize; 3];
        for id in &ids {
            let shard = shard_of(id, 3);
            assert_eq!(shard, shard_of(id, 3));
            counts[shard] += 1;
        }
        assert_eq!(counts.iter().sum::<usize>(), ids.len());
        assert!(counts.iter().all(|count| *count > 0), "{counts:?}");
        assert_eq!(shard_of("123456789012", 1), 0);
    }
}
