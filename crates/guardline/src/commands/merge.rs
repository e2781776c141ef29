//! `guardline merge DIR...`: the organisation report from the outputs of `scan --org --shard I/N` runs.
//!
//! Each shard wrote `shard-<index>-of-<count>.json` (its manifest: every selected account, and its own) and
//! `accounts/<id>.json` (a [`ShardRecord`]: the account's place in the organisation and its snapshot, or why
//! it could not be scanned). The merge refuses an incomplete set: a shard missing, shards of different
//! counts or selections, an account of the selection without a record, or a record twice. It then
//! evaluates the records exactly as an unsharded `scan --org` does (`org_scan::evaluate_records`), records
//! the history per account, and renders the same report; the exit code is the organisation's verdict.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::Context as _;
use guardline_model::org::ShardRecord;

use crate::args::MergeArgs;
use crate::commands::org_scan::{self, MANIFEST_FORMAT, Manifest};
use crate::commands::org_store::{Location, Store};
use crate::commands::{config_path, load_config};

pub fn run(args: MergeArgs) -> anyhow::Result<bool> {
    let path = config_path(args.config.as_deref());
    let mut config = load_config(path.as_deref())?;
    let config_name = path.map(|path| path.display().to_string());
    if let Some(profile) = &args.guideline_profile {
        super::scan::force_profile(&mut config, profile)?;
    }
    let records = read_shards(&args.dirs)?;
    let today = args.today.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let every: Vec<&'static guardline_rules::Rule> = guardline_rules::RULES.to_vec();
    let org = org_scan::evaluate_records(records, &config, today, &every);
    let mut extras = guardline_report::org_html::OrgHtmlExtras::default();
    if !args.no_history {
        extras.trends = org_scan::record_history(&args.history, &org)?;
    }
    org_scan::emit(&org, &args.report, config_name, &extras, None)?;
    Ok(!org.failed())
}

/// Every record of a complete set of shards, sorted by account ID.
fn read_shards(dirs: &[PathBuf]) -> anyhow::Result<Vec<ShardRecord>> {
    let locations: Vec<Location> =
        dirs.iter().map(|dir| Location::parse(dir)).collect::<anyhow::Result<_>>()?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(async {
        let store = Store::new(&locations, None).await?;
        let mut manifests: BTreeMap<usize, (Manifest, String)> = BTreeMap::new();
        let mut records: BTreeMap<String, (ShardRecord, String)> = BTreeMap::new();
        for location in &locations {
            let mut names = store.list(location).await?;
            names.sort();
            let mut found = false;
            for name in names.iter().filter(|name| name.starts_with("shard-") && name.ends_with(".json")) {
                found = true;
                let source = format!("{location}/{name}");
                let manifest: Manifest = serde_json::from_str(&store.get(location, name).await?)
                    .with_context(|| format!("{source} is not a shard manifest"))?;
                anyhow::ensure!(
                    manifest.format == MANIFEST_FORMAT && manifest.version == 1,
                    "{source}: a {} version {} manifest; this build reads {MANIFEST_FORMAT} version 1",
                    manifest.format,
                    manifest.version
                );
                // The IDs become file names and S3 keys: only 12-digit account IDs, never a path.
                if let Some(bad) =
                    manifest.accounts.iter().chain(&manifest.selected).find(|id| !is_account_id(id))
                {
                    anyhow::bail!("{source} lists {bad:?}, which is not a 12-digit account ID");
                }
                for id in &manifest.accounts {
                    let record_name = format!("accounts/{id}.json");
                    let record_source = format!("{location}/{record_name}");
                    let record = ShardRecord::from_json(&store.get(location, &record_name).await?)
                        .map_err(|error| anyhow::anyhow!("{record_source}: {error}"))?;
                    anyhow::ensure!(
                        &record.account.id == id,
                        "{record_source} holds account {}, not {id}",
                        record.account.id
                    );
                    if let Some((_, first)) = records.get(id) {
                        anyhow::bail!("account {id} is in two shards: {first} and {record_source}");
                    }
                    records.insert(id.clone(), (record, record_source));
                }
                if let Some((_, first)) = manifests.get(&manifest.index) {
                    anyhow::bail!("shard {} appears twice: {first} and {source}", manifest.index);
                }
                manifests.insert(manifest.index, (manifest, source));
            }
            anyhow::ensure!(found, "{location} holds no shard output (shard-<index>-of-<count>.json)");
        }
        check_complete(&manifests, &records)?;
        Ok(records.into_values().map(|(record, _)| record).collect())
    })
}

/// A 12-digit AWS account ID.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|byte| byte.is_ascii_digit())
}

/// Every shard of one run is there, and together they hold exactly the selected accounts.
fn check_complete(
    manifests: &BTreeMap<usize, (Manifest, String)>,
    records: &BTreeMap<String, (ShardRecord, String)>,
) -> anyhow::Result<()> {
    let Some((first, first_path)) = manifests.values().next() else {
        anyhow::bail!("no shard outputs found");
    };
    for (manifest, path) in manifests.values() {
        anyhow::ensure!(
            manifest.count == first.count,
            "{} is a shard of {}, {} one of {}: shards of different runs",
            path,
            manifest.count,
            first_path,
            first.count
        );
        anyhow::ensure!(
            manifest.selected == first.selected,
            "{} and {} selected different accounts: shards of different runs (or the organisation changed \
             between them); run the shards again",
            path,
            first_path
        );
    }
    let missing: Vec<String> = (0..first.count)
        .filter(|index| !manifests.contains_key(index))
        .map(|index| index.to_string())
        .collect();
    anyhow::ensure!(
        missing.is_empty(),
        "shard(s) {} of {} are missing; merge needs the output of every shard",
        missing.join(", "),
        first.count
    );
    let selected: BTreeSet<&String> = first.selected.iter().collect();
    let present: BTreeSet<&String> = records.keys().collect();
    let absent: Vec<&str> = selected.difference(&present).map(|id| id.as_str()).collect();
    anyhow::ensure!(absent.is_empty(), "selected account(s) without a record: {}", absent.join(", "));
    let extra: Vec<&str> = present.difference(&selected).map(|id| id.as_str()).collect();
    anyhow::ensure!(extra.is_empty(), "record(s) for account(s) outside the selection: {}", extra.join(", "));
    Ok(())
}
