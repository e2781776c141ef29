//! `guardline scan --org`: every selected account of an AWS Organization, scanned concurrently, in one report.
//!
//! 1. From the management (or delegated administrator) account, optionally through an audit role
//!    (`--via-role`), list the organisation's accounts with their OU path and tags
//!    (`guardline_collect::org::list_accounts`).
//! 2. Select accounts: `[org] include` (or `--include`) and `exclude` (plus `--exclude`); with
//!    `--shard INDEX/COUNT`, only the accounts whose FNV-1a hash of the ID modulo COUNT is INDEX, so an
//!    account's shard depends on its ID alone, never on the rest of the list.
//! 3. For at most `account-concurrency` accounts at a time, assume the member role and run the ordinary
//!    collection (`guardline_collect::collect`, itself bounded by `--concurrency` calls). An account whose
//!    role cannot be assumed, or whose collection cannot start, is recorded NOT EVALUATED with the reason.
//! 4. Without `--shard`: evaluate each account under its own profile (`Config::profile_for_account`: ID,
//!    alias, OU, tag), record each evaluated account in the history, and render the organisation report
//!    (`guardline_report::org`). With `--shard`: write one [`ShardRecord`] per account and a manifest to
//!    `--output-dir`; `guardline merge` evaluates them (see `merge.rs`) exactly as step 4 does.
//!
//! Exit code: unsharded, 1 when any account fails (a NOT EVALUATED account fails unless `[scan]
//! not-evaluated = "warn"`); a shard exits 0 once its files are written (the merge gives the verdict), so a
//! Kubernetes or AWS Batch job does not retry a shard because an account failed the guideline. 2 is always a
//! Guardline error (the organisation cannot be listed, bad selectors, IO).

use anyhow::Context as _;
use futures::StreamExt as _;
use guardline_collect::Progress as _;
use guardline_collect::org::{OrgAccess, hub_config, list_accounts, member_config};
use guardline_config::{AccountFacts, AccountSelector, Config, Level, NotEvaluatedPolicy, OrgSettings};
use guardline_model::org::{OrgAccount, ShardOutcome, ShardRecord};
use guardline_model::{Finding, Snapshot, Status, Text};
use guardline_report::org::{AccountResult, OrgEvaluation, OrgFormat};
use guardline_rules::{EvaluatedFinding, Evaluation, Outcome};
use serde::{Deserialize, Serialize};

use crate::args::{OrgArgs, ReportArgs, ReportFormat, ScanArgs, Shard};
use crate::commands::org_store::{Location, Store};
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
    let settings = settings(&config.org, &args.org, args.aws.external_id_env.as_deref())?;
    let access = OrgAccess {
        role_name: settings.role_name.clone(),
        session_name: settings.session_name.clone(),
        external_id: match &settings.external_id_env {
            Some(variable) => Some(std::env::var(variable).with_context(|| {
                format!("the external ID's environment variable {variable} (external-id-env) is not set")
            })?),
            None => None,
        },
        via_role: settings.via_role.clone(),
    };
    let options = collect_options(&args.aws, &config);
    let base_region = options.regions.as_ref().and_then(|regions| regions.first().cloned());
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let bar = Bar::new(!args.aws.no_progress && !crate::console::quiet());
    let scanned = runtime.block_on(async {
        // Without --role-arn, --external-id-env is the member roles' alone.
        let mut aws = args.aws.clone();
        if aws.role_arn.is_none() {
            aws.external_id_env = None;
        }
        let base = super::aws_config(&aws, base_region.as_deref(), &options).await?;
        let (hub, hub_account) = hub_config(&base, &access)
            .await
            .map_err(|error| anyhow::anyhow!("could not reach the organisation's account: {error}"))?;
        let accounts = list_accounts(&hub)
            .await
            .map_err(|error| anyhow::anyhow!("could not list the organisation's accounts: {error}"))?;
        // Under centralised root access the hub audits each member's root credentials in a root session.
        let root_audit = match guardline_collect::org::root_audit_enabled(&hub).await {
            Ok(true) => Ok(()),
            Ok(false) => Err("centralised root access (RootCredentialsManagement) is not enabled in the \
                              organization, so member roots cannot be audited"
                .to_owned()),
            Err(error) => Err(format!("the organization's root access features could not be read: {error}")),
        };
        let selected: Vec<OrgAccount> =
            accounts.into_iter().filter(|account| settings.selects(&facts(account, None))).collect();
        let selected_ids: Vec<String> = selected.iter().map(|account| account.id.clone()).collect();
        let mine: Vec<OrgAccount> = match args.org.shard {
            Some(shard) => selected
                .into_iter()
                .filter(|account| shard_of(&account.id, shard.count) == shard.index)
                .collect(),
            None => selected,
        };
        tracing::info!(selected = selected_ids.len(), scanning = mine.len(), "organisation accounts");
        bar.begin(mine.len());
        let records: Vec<ShardRecord> = futures::stream::iter(mine)
            .map(|account| {
                let (hub, hub_account, access, options, bar, root_audit) =
                    (&hub, &hub_account, &access, &options, &bar, &root_audit);
                async move {
                    let mut outcome = scan_account(hub, hub_account, &account, access, options).await;
                    if let ShardOutcome::Snapshot(snapshot) = &mut outcome
                        && account.id != *hub_account
                    {
                        snapshot.global.root_credentials = match root_audit {
                            Ok(()) => guardline_collect::org::root_credentials(hub, &account.id).await.into(),
                            Err(reason) => guardline_model::Collected::error(guardline_model::CollectError {
                                action: "sts:AssumeRoot".to_owned(),
                                kind: guardline_model::ErrorKind::NotAvailable,
                                code: None,
                                message: reason.clone(),
                            }),
                        };
                    }
                    bar.done(&account.id);
                    ShardRecord::new(account, outcome)
                }
            })
            .buffer_unordered(settings.account_concurrency.max(1))
            .collect()
            .await;
        anyhow::Ok((selected_ids, records))
    });
    bar.finish();
    let (selected, mut records) = scanned?;
    records.sort_by(|a, b| a.account.id.cmp(&b.account.id));

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

/// `[org]` with the command line over it; CLI selectors are checked here (exit 2 when invalid).
/// `external_id_env`: `--external-id-env`, which names the member roles' external ID here.
fn settings(
    config: &OrgSettings,
    args: &OrgArgs,
    external_id_env: Option<&str>,
) -> anyhow::Result<OrgSettings> {
    let mut settings = config.clone();
    if let Some(role) = &args.role_name {
        settings.role_name.clone_from(role);
    }
    if let Some(variable) = external_id_env {
        settings.external_id_env = Some(variable.to_owned());
    }
    if let Some(session) = &args.session_name {
        settings.session_name.clone_from(session);
    }
    if let Some(arn) = &args.via_role {
        settings.via_role = Some(arn.clone());
    }
    if let Some(concurrency) = args.account_concurrency {
        settings.account_concurrency = concurrency;
    }
    let parse = |texts: &[String]| -> anyhow::Result<Vec<AccountSelector>> {
        texts
            .iter()
            .map(|text| AccountSelector::parse(text).map_err(|message| anyhow::anyhow!("{message}")))
            .collect()
    };
    if !args.include.is_empty() {
        settings.include = parse(&args.include).context("--include")?;
    }
    settings.exclude.extend(parse(&args.exclude).context("--exclude")?);
    Ok(settings)
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

/// The facts profile selection and account selection see.
fn facts<'a>(account: &'a OrgAccount, alias: Option<&'a str>) -> AccountFacts<'a> {
    AccountFacts {
        id: &account.id,
        alias,
        name: Some(&account.name),
        ou_path: Some(&account.ou_path),
        ou_ids: &account.ou_ids,
        tags: Some(&account.tags),
    }
}

/// One account: assume its role and collect, or the reason it cannot be scanned.
async fn scan_account(
    hub: &aws_config::SdkConfig,
    hub_account: &str,
    account: &OrgAccount,
    access: &OrgAccess,
    options: &guardline_collect::CollectOptions,
) -> ShardOutcome {
    let at = jiff::Timestamp::now();
    if account.status != "ACTIVE" {
        return ShardOutcome::NotEvaluated {
            reason: format!("the account is {} in Organizations", account.status),
            at,
        };
    }
    let sdk = match member_config(hub, hub_account, account, access).await {
        Ok(sdk) => sdk,
        Err(error) => {
            tracing::warn!(account = %account.id, %error, "cannot assume the member role");
            return ShardOutcome::NotEvaluated {
                reason: format!("cannot assume role {} in {}: {error}", access.role_name, account.id),
                at,
            };
        }
    };
    match guardline_collect::collect(&sdk, options, &guardline_collect::NoProgress).await {
        Ok(output) if output.snapshot.account.id == account.id => {
            ShardOutcome::Snapshot(Box::new(output.snapshot))
        }
        Ok(output) => ShardOutcome::NotEvaluated {
            reason: format!(
                "the assumed role's credentials reach account {}, not {}",
                output.snapshot.account.id, account.id
            ),
            at,
        },
        Err(failure) => ShardOutcome::NotEvaluated { reason: failure.to_string(), at },
    }
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

fn alias_of(snapshot: &Snapshot) -> Option<String> {
    snapshot.global.account_aliases.get().ok().and_then(|aliases| aliases.first().cloned())
}

/// `config` with every account on `profile`: the engine then applies the profile chosen from the
/// organisation's facts (OU, tags) that a snapshot does not carry.
fn with_profile(config: &Config, profile: &str) -> Config {
    let mut config = config.clone();
    config.default_profile = profile.to_owned();
    config.accounts.clear();
    config
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
