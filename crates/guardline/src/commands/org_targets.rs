//! The accounts an organisation-wide command acts on, and the one way they are reached and collected: used by
//! `scan --org` (and its shards), `fix --org` and `org plan-roles --org`.
//!
//! 1. From the management (or delegated administrator) account, optionally through an audit role
//!    (`--via-role`), list the organisation's accounts with their OU path and tags
//!    (`guardline_collect::org::list_accounts`).
//! 2. Select accounts: `[org] include` (or `--include`) and `exclude` (plus `--exclude`).
//! 3. For at most `account-concurrency` accounts at a time, assume the member role and run the ordinary
//!    collection (`guardline_collect::collect`, itself bounded by `--concurrency` calls), plus the root audit
//!    from the hub under centralised root access. An account whose role cannot be assumed, whose collection
//!    cannot start, or whose role reaches another account than the listed one, is NOT EVALUATED with the
//!    reason. The member's SDK config is kept with its snapshot, so a write acts with the very credentials the
//!    collection identified.
//! 4. The organisation's `ORGANIZATION` analyzers, collected in the account that owns them, are given to
//!    every other collected account (ANALYZER-001: a member cannot list them).

use anyhow::Context as _;
use aws_config::SdkConfig;
use futures::StreamExt as _;
use guardline_collect::Progress as _;
use guardline_collect::org::{OrgAccess, hub_config, list_accounts, member_config};
use guardline_config::{AccountFacts, AccountSelector, Config, LiveAccount, OrgSettings};
use guardline_model::Snapshot;
use guardline_model::org::{OrgAccount, ShardOutcome, ShardRecord};

use crate::args::{AwsArgs, OrgTargetArgs};
use crate::progress::Bar;

/// The organisation as the hub sees it: the hub's SDK config, the accounts selected, and how members are
/// reached.
pub struct Organisation {
    /// The management (or delegated administrator) account's SDK config, or the `--via-role` assumed from it.
    pub hub: SdkConfig,
    /// The account `hub` reaches.
    pub hub_account: String,
    pub access: OrgAccess,
    pub settings: OrgSettings,
    /// The selected accounts, in the listing's order.
    pub selected: Vec<OrgAccount>,
    /// Every account the organisation lists, selected or not.
    pub listed: Vec<OrgAccount>,
}

/// One collected account: its record (snapshot or the reason it is NOT EVALUATED) and, when it was
/// reached, the SDK config that reached it.
pub struct Reached {
    pub record: ShardRecord,
    pub sdk: Option<SdkConfig>,
}

impl Organisation {
    /// The organisation as `targets` (`--org` and its selectors, over `config`'s `[org]`) selects it, listed
    /// with `aws`'s credentials: every organisation-wide command starts here.
    /// The accounts' Organizations tags are read only when something in the configuration selects by them
    /// ([`Config::account_tags_matter`]): one request per account saved otherwise.
    pub async fn connect(
        aws: &AwsArgs,
        config: &Config,
        targets: &OrgTargetArgs,
        options: &guardline_collect::CollectOptions,
    ) -> anyhow::Result<Organisation> {
        Organisation::connect_with(aws, config, targets, options, false).await
    }

    /// [`Organisation::connect`], reading every account's tags whatever the configuration selects by
    /// (`watch --org` names each account's owner, from its owner tag).
    pub async fn connect_reading_tags(
        aws: &AwsArgs,
        config: &Config,
        targets: &OrgTargetArgs,
        options: &guardline_collect::CollectOptions,
    ) -> anyhow::Result<Organisation> {
        Organisation::connect_with(aws, config, targets, options, true).await
    }

    async fn connect_with(
        aws: &AwsArgs,
        config: &Config,
        targets: &OrgTargetArgs,
        options: &guardline_collect::CollectOptions,
        always_tags: bool,
    ) -> anyhow::Result<Organisation> {
        let settings = settings(&config.org, targets, aws.external_id_env.as_deref())?;
        let base = base_config(aws, options).await?;
        let with_tags = always_tags || config.account_tags_matter(&settings);
        Organisation::open(&base, settings, with_tags).await
    }

    /// Lists the organisation from `base` (the operator's credentials) and selects its accounts; the
    /// accounts' tags are read only `with_tags` (something selects by them).
    async fn open(base: &SdkConfig, settings: OrgSettings, with_tags: bool) -> anyhow::Result<Organisation> {
        let access = access(&settings)?;
        let (hub, hub_account) = hub_config(base, &access)
            .await
            .map_err(|error| anyhow::anyhow!("could not reach the organisation's account: {error}"))?;
        let accounts = list_accounts(&hub, with_tags)
            .await
            .map_err(|error| anyhow::anyhow!("could not list the organisation's accounts: {error}"))?;
        let selected: Vec<OrgAccount> =
            accounts.iter().filter(|account| settings.selects(&facts(account, None))).cloned().collect();
        tracing::info!(selected = selected.len(), "organisation accounts");
        Ok(Organisation { hub, hub_account, access, settings, selected, listed: accounts })
    }

    /// Collects `accounts` (some of [`Self::selected`]) at most `account-concurrency` at a time, sorted by ID.
    pub async fn collect(
        &self,
        accounts: Vec<OrgAccount>,
        options: &guardline_collect::CollectOptions,
        bar: &Bar,
    ) -> Vec<Reached> {
        // Under centralised root access the hub audits each member's root credentials in a root session.
        let root_audit = match guardline_collect::org::root_audit_enabled(&self.hub).await {
            Ok(true) => Ok(()),
            Ok(false) => Err("centralised root access (RootCredentialsManagement) is not enabled in the \
                              organization, so member roots cannot be audited"
                .to_owned()),
            Err(error) => Err(format!("the organization's root access features could not be read: {error}")),
        };
        bar.begin(accounts.len());
        let mut reached: Vec<Reached> = futures::stream::iter(accounts)
            .map(|account| {
                let root_audit = &root_audit;
                async move {
                    let (mut outcome, sdk) = self.collect_account(&account, options).await;
                    if let ShardOutcome::Snapshot(snapshot) = &mut outcome
                        && account.id != self.hub_account
                    {
                        snapshot.global.root_credentials = match root_audit {
                            Ok(()) => {
                                guardline_collect::org::root_credentials(&self.hub, &account.id).await.into()
                            }
                            Err(reason) => guardline_model::Collected::error(guardline_model::CollectError {
                                action: "sts:AssumeRoot".to_owned(),
                                kind: guardline_model::ErrorKind::NotAvailable,
                                code: None,
                                message: reason.clone(),
                            }),
                        };
                    }
                    bar.done(&account.id);
                    Reached { record: ShardRecord::new(account, outcome), sdk }
                }
            })
            .buffer_unordered(self.settings.account_concurrency.max(1))
            .collect()
            .await;
        reached.sort_by(|a, b| a.record.account.id.cmp(&b.record.account.id));
        share_organisation_analyzers(&mut reached);
        reached
    }

    /// Reaches `account` through its member role without collecting it (for a command that reads only what
    /// it writes, like `org plan-roles --org`): the SDK config and the account (ID and alias) it reaches, or
    /// why it cannot be reached, including a role that leads to another account than the listed one.
    pub async fn reach(&self, account: &OrgAccount) -> Result<(SdkConfig, LiveAccount), String> {
        if account.status != "ACTIVE" {
            return Err(format!("the account is {} in Organizations", account.status));
        }
        let sdk =
            member_config(&self.hub, &self.hub_account, account, &self.access).await.map_err(|error| {
                format!("cannot assume role {} in {}: {error}", self.access.role_name, account.id)
            })?;
        let live = super::write_guard::identify(&sdk).await.map_err(|error| format!("{error:#}"))?;
        if live.id != account.id {
            return Err(format!(
                "the assumed role's credentials reach account {}, not {}",
                live.id, account.id
            ));
        }
        Ok((sdk, live))
    }

    /// One account: assume its role and collect, or the reason it cannot be.
    async fn collect_account(
        &self,
        account: &OrgAccount,
        options: &guardline_collect::CollectOptions,
    ) -> (ShardOutcome, Option<SdkConfig>) {
        let at = jiff::Timestamp::now();
        if account.status != "ACTIVE" {
            let reason = format!("the account is {} in Organizations", account.status);
            return (ShardOutcome::NotEvaluated { reason, at }, None);
        }
        let sdk = match member_config(&self.hub, &self.hub_account, account, &self.access).await {
            Ok(sdk) => sdk,
            Err(error) => {
                tracing::warn!(account = %account.id, %error, "cannot assume the member role");
                let reason =
                    format!("cannot assume role {} in {}: {error}", self.access.role_name, account.id);
                return (ShardOutcome::NotEvaluated { reason, at }, None);
            }
        };
        match guardline_collect::collect(&sdk, options, &guardline_collect::NoProgress).await {
            Ok(output) if output.snapshot.account.id == account.id => {
                (ShardOutcome::Snapshot(Box::new(output.snapshot)), Some(sdk))
            }
            Ok(output) => {
                let reason = format!(
                    "the assumed role's credentials reach account {}, not {}",
                    output.snapshot.account.id, account.id
                );
                (ShardOutcome::NotEvaluated { reason, at }, None)
            }
            Err(failure) => (ShardOutcome::NotEvaluated { reason: failure.to_string(), at }, None),
        }
    }
}

/// Gives every collected account the organisation's active `ORGANIZATION` analyzers that another collected
/// account (the management account or Access Analyzer's delegated administrator) owns, per region: a member
/// cannot list them itself, and their zone of trust covers it (ANALYZER-001). Their findings stay the owner's.
fn share_organisation_analyzers(reached: &mut [Reached]) {
    use guardline_model::inventory::detection::Analyzer;
    let mut by_region: std::collections::BTreeMap<String, Vec<Analyzer>> = Default::default();
    for reached in reached.iter() {
        let ShardOutcome::Snapshot(snapshot) = &reached.record.outcome else { continue };
        for (region, inventory) in &snapshot.regions {
            let Ok(analyzers) = inventory.access_analyzers.get() else { continue };
            let organisation = analyzers.iter().filter(|analyzer| {
                analyzer.analyzer_type.starts_with("ORGANIZATION") && analyzer.status == "ACTIVE"
            });
            for analyzer in organisation {
                let shared = Analyzer { active_findings: Default::default(), ..analyzer.clone() };
                by_region.entry(region.clone()).or_default().push(shared);
            }
        }
    }
    if by_region.is_empty() {
        return;
    }
    for reached in reached.iter_mut() {
        let ShardOutcome::Snapshot(snapshot) = &mut reached.record.outcome else { continue };
        let own = format!(":{}:", snapshot.account.id);
        for (region, inventory) in snapshot.regions.iter_mut() {
            let others: Vec<Analyzer> = by_region
                .get(region)
                .into_iter()
                .flatten()
                .filter(|analyzer| !analyzer.arn.contains(&own))
                .cloned()
                .collect();
            if !others.is_empty() {
                inventory.organization_analyzers = guardline_model::Collected::ok(others);
            }
        }
    }
}

/// The operator's SDK config for an organisation-wide command: without `--role-arn`, `--external-id-env` is
/// the member roles' alone (`[org] external-id-env`), not the operator's.
async fn base_config(
    aws: &AwsArgs,
    options: &guardline_collect::CollectOptions,
) -> anyhow::Result<SdkConfig> {
    let base_region = options.regions.as_ref().and_then(|regions| regions.first().cloned());
    let mut aws = aws.clone();
    if aws.role_arn.is_none() {
        aws.external_id_env = None;
    }
    super::aws_config(&aws, base_region.as_deref(), options).await
}

/// How member roles are assumed, from the settings; the external ID is read from its environment variable.
fn access(settings: &OrgSettings) -> anyhow::Result<OrgAccess> {
    Ok(OrgAccess {
        role_name: settings.role_name.clone(),
        session_name: settings.session_name.clone(),
        external_id: match &settings.external_id_env {
            Some(variable) => Some(std::env::var(variable).with_context(|| {
                format!("the external ID's environment variable {variable} (external-id-env) is not set")
            })?),
            None => None,
        },
        via_role: settings.via_role.clone(),
    })
}

/// `[org]` with the command line over it; CLI selectors are checked here (exit 2 when invalid).
/// `external_id_env`: `--external-id-env`, which names the member roles' external ID here.
fn settings(
    config: &OrgSettings,
    args: &OrgTargetArgs,
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

/// The facts profile selection and account selection see.
pub fn facts<'a>(account: &'a OrgAccount, alias: Option<&'a str>) -> AccountFacts<'a> {
    AccountFacts {
        id: &account.id,
        alias,
        name: Some(&account.name),
        ou_path: Some(&account.ou_path),
        ou_ids: &account.ou_ids,
        tags: Some(&account.tags),
    }
}

/// The account's first alias, as collected.
pub fn alias_of(snapshot: &Snapshot) -> Option<String> {
    snapshot.global.account_aliases.get().ok().and_then(|aliases| aliases.first().cloned())
}

/// `config` with every account on `profile`: the engine then applies the profile chosen from the
/// organisation's facts (OU, tags) that a snapshot does not carry.
pub fn with_profile(config: &Config, profile: &str) -> Config {
    let mut config = config.clone();
    config.default_profile = profile.to_owned();
    config.accounts.clear();
    config
}
