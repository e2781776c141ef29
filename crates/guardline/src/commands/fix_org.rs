//! `guardline fix --org`: one fix plan for every selected account of the organisation, grouped by account,
//! applied only with `--apply` from the management (or delegated administrator) account.
//!
//! The accounts are listed, selected and collected exactly as `scan --org` does ([`super::org_targets`]);
//! each reached account is evaluated under the profile its OU and tags map to and planned
//! ([`guardline_rules::fix::plan_under`]). The safety model is the single account's, per account:
//!
//! - the management account (the one the operator's credentials reach) is pinned as for `fix`: by the
//!   config's `[[accounts]]` or `--account-id`, and the one confirmation names it;
//! - each member is pinned by the organisation's own listing ([`guardline_config::check_member_target`]):
//!   its member role must reach the very account ID the listing named (checked at collection and again by
//!   the writing identity), and where `[[accounts]]` names the ID with an alias, the alias must match;
//! - any account whose pin is refused refuses the whole apply before anything is written (exclude it with
//!   `--exclude ID` to go on without it);
//! - an account that cannot be reached is listed NOT EVALUATED with the reason: nothing is planned there,
//!   the others are applied, and the command exits 1.
//!
//! `--plan-out` saves the organisation's plan (kind `fix-org`: the management account, and per account its
//! ID, name and steps); `--apply-plan` re-lists the organisation, refuses an account no longer listed under
//! the same name, and applies in each account only the fresh steps equal to the reviewed ones
//! ([`super::fix::keep_reviewed_steps`]).

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use futures::StreamExt as _;
use guardline_apply::fix::ApplyReport;
use guardline_config::{Config, LiveAccount, PinMatch};
use guardline_model::Text;
use guardline_model::org::{OrgAccount, OrgRegionServices, OrgServices, ShardOutcome};
use guardline_rules::fix::{FixPlan, LogBucket};
use guardline_rules::org_fix::{AccountProfile, OrgInput};
use serde_json::{Value, json};

use crate::args::{FixArgs, Format};
use crate::commands::fix::{
    HowTo, keep_reviewed_steps, plan_body, print, push_how_to, render_steps, reviewed, step_line,
};
use crate::commands::org_targets::{Organisation, alias_of, facts, with_profile};
use crate::commands::saved_plan::SavedPlan;
use crate::commands::write_guard::{check_pin, confirm, org_pin, pin_line, pin_or_refusal, refuse_if_any};
use crate::commands::{AwsSession, config_path, load_config};
use crate::lang::tr;
use crate::progress::Bar;

/// The saved plan's kind.
const KIND: &str = "fix-org";

/// One selected account's part of the plan.
struct AccountPlan {
    account: OrgAccount,
    /// Why the account has no plan (it could not be reached or collected).
    not_evaluated: Option<String>,
    live: LiveAccount,
    profile: String,
    plan: Option<FixPlan>,
    pin: anyhow::Result<PinMatch>,
    /// The SDK config that reached the account: the writes use it, pinned to the account.
    sdk: Option<SdkConfig>,
    /// Fresh steps left out because the reviewed plan did not have them.
    unreviewed: Vec<String>,
    /// The account is a delegated administrator with organisation-wide steps to run.
    administers: bool,
}

impl AccountPlan {
    fn steps(&self) -> usize {
        self.plan.as_ref().map_or(0, |plan| plan.steps.len())
    }
}

pub fn run(args: FixArgs) -> anyhow::Result<bool> {
    let config = load_config(config_path(args.config.as_deref()).as_deref())?;
    let (saved, only, options) = reviewed(&args, KIND, &config)?;
    let lang = args.lang.code();
    let runtime = AwsSession::runtime()?;
    let bar = Bar::new(!args.aws.no_progress && !crate::console::quiet());
    let today = jiff::ZonedDateTime::now().date();
    let planned = runtime.block_on(async {
        let organisation = Organisation::connect(&args.aws, &config, &args.org, &options).await?;
        let hub = super::write_guard::identify(&organisation.hub).await?;
        let accounts = match &saved {
            Some(saved) => {
                saved.check_account(&hub)?;
                reviewed_accounts(saved, &reviewable(&organisation))?
            }
            None => organisation.selected.clone(),
        };
        let reached = organisation.collect(accounts, &options, &bar).await;
        anyhow::Ok((organisation, hub, reached))
    });
    bar.finish();
    let (organisation, hub, reached) = planned?;
    let concurrency = organisation.settings.account_concurrency.max(1);
    // The regions collected: a saved plan is re-planned over exactly these.
    let regions: BTreeSet<String> = reached
        .iter()
        .filter_map(|reached| match &reached.record.outcome {
            ShardOutcome::Snapshot(snapshot) => Some(snapshot.regions.keys().cloned()),
            ShardOutcome::NotEvaluated { .. } => None,
        })
        .flatten()
        .collect();

    let mut accounts: Vec<AccountPlan> = reached
        .into_iter()
        .map(|reached| {
            let account = reached.record.account;
            match reached.record.outcome {
                ShardOutcome::Snapshot(snapshot) => {
                    let alias = alias_of(&snapshot);
                    let profile = config.profile_for_account(&facts(&account, alias.as_deref()));
                    let evaluation =
                        guardline_rules::evaluate(&snapshot, &with_profile(&config, &profile.name), today);
                    let plan = guardline_rules::fix::plan_under(
                        &snapshot,
                        &config,
                        profile,
                        &evaluation,
                        only.as_deref(),
                    );
                    let live = LiveAccount { id: snapshot.account.id.clone(), alias };
                    let pin =
                        org_pin(&config, &args.write, &hub.id, &live, &account.id, plan.alias_created());
                    AccountPlan {
                        account,
                        not_evaluated: None,
                        live,
                        profile: profile.name.clone(),
                        plan: Some(plan),
                        pin,
                        sdk: reached.sdk,
                        unreviewed: Vec::new(),
                        administers: false,
                    }
                }
                ShardOutcome::NotEvaluated { reason, .. } => {
                    let profile = config.profile_for_account(&facts(&account, None)).name.clone();
                    AccountPlan {
                        live: LiveAccount { id: account.id.clone(), alias: None },
                        account,
                        not_evaluated: Some(reason.clone()),
                        profile,
                        plan: None,
                        pin: Err(anyhow::anyhow!("not reached: {reason}")),
                        sdk: None,
                        unreviewed: Vec::new(),
                        administers: false,
                    }
                }
            }
        })
        .collect();
    let notes = runtime.block_on(organise(&organisation, &config, &args, &hub, &mut accounts, &regions));
    // The management account is pinned as for a single account, whether or not it is among the selection.
    let hub_pin = match accounts.iter().find(|plan| plan.account.id == hub.id && plan.plan.is_some()) {
        Some(own) => {
            check_pin(&config, &hub, &args.write, own.plan.as_ref().and_then(FixPlan::alias_created))
        }
        None => check_pin(&config, &hub, &args.write, None),
    };
    if let Some(saved) = &saved {
        keep_reviewed(&mut accounts, &saved.body)?;
    }

    show(&args, &hub, &hub_pin, &notes, &accounts, lang)?;
    if let (Some(saved), Some(path)) = (&saved, &args.apply_plan) {
        let steps: usize = accounts.iter().map(AccountPlan::steps).sum();
        let (path, made) = (path.display(), saved.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"));
        print(&tr!(
            lang,
            "\nThe reviewed plan {path} (made {made}) still applies: each of its {steps} step(s) is what the live \
             state calls for now.\n",
            "\nレビュー済みのプラン {path}({made} に作成)はまだ適用できます: その {steps} 個のステップはどれも、\
             現在の状態が必要とするものです。\n"
        ))?;
    }
    if let Some(path) = &args.plan_out {
        SavedPlan::new(KIND, &hub, regions.into_iter().collect(), saved_body(&accounts, only.as_deref()))
            .write(path)?;
    }
    let unreached: Vec<&AccountPlan> = accounts.iter().filter(|plan| plan.not_evaluated.is_some()).collect();
    if !args.write.apply {
        return Ok(unreached.is_empty());
    }

    let hub_pin = hub_pin?;
    let refused: Vec<String> = accounts
        .iter()
        .filter(|plan| plan.steps() > 0)
        .filter_map(|plan| plan.pin.as_ref().err().map(|error| format!("  - {}: {error:#}", plan.live)))
        .collect();
    refuse_if_any(&refused)?;
    let to_apply: Vec<&AccountPlan> = accounts.iter().filter(|plan| plan.steps() > 0).collect();
    let steps: usize = to_apply.iter().map(|plan| plan.steps()).sum();
    if steps == 0 {
        print(&tr!(
            lang,
            "Nothing to do: no failing control of the reached accounts has an automated fix to apply.\n",
            "することはありません: 到達したアカウントの不合格のコントロールに適用できる自動修正はありません。\n"
        ))?;
        return Ok(unreached.is_empty());
    }
    let count = to_apply.len();
    confirm(
        &args.write,
        &hub,
        &tr!(
            lang,
            "Apply {steps} change(s) in {count} account(s) of the organisation managed from",
            "組織の {count} アカウントに {steps} 件の変更を適用します。管理元"
        ),
        lang,
    )?;
    tracing::info!(management = %hub, pin = ?hub_pin, accounts = count, steps, "applying the organisation's fix plan");
    // The management account first, then the delegated administrators (their steps need the designation the
    // management account makes), then the members, `account-concurrency` at a time.
    let stage = |plan: &AccountPlan| match plan.account.id.as_str() {
        id if id == hub.id => 0,
        _ if plan.administers => 1,
        _ => 2,
    };
    let mut outcomes: Vec<(String, anyhow::Result<ApplyReport>)> = Vec::new();
    for current in 0..3 {
        let group: Vec<&AccountPlan> =
            to_apply.iter().copied().filter(|plan| stage(plan) == current).collect();
        let at_once = if current == 2 { concurrency } else { 1 };
        outcomes.extend(
            runtime.block_on(
                futures::stream::iter(group)
                    .map(|plan| async move {
                        let mut lines = format!("\n{}\n", heading(plan, lang));
                        let result = apply_account(plan, &mut lines, lang).await;
                        let _ = print(&lines);
                        (plan.live.to_string(), result)
                    })
                    .buffer_unordered(at_once)
                    .collect::<Vec<_>>(),
            ),
        );
    }
    print(&summary(&outcomes, &unreached, lang))?;
    let failed: Vec<String> = outcomes
        .iter()
        .filter_map(|(account, result)| match result {
            Ok(report) if report.failed.is_empty() => None,
            Ok(report) => Some(format!("{account}: {} step(s) failed", report.failed.len())),
            Err(error) => Some(format!("{account}: {error:#}")),
        })
        .collect();
    if !failed.is_empty() {
        anyhow::bail!("{}", failed.join("; "));
    }
    Ok(unreached.is_empty())
}

/// Applies one account's plan with its member SDK config, pinned to the listed ID and identified again now.
async fn apply_account(plan: &AccountPlan, lines: &mut String, lang: &str) -> anyhow::Result<ApplyReport> {
    let (Some(sdk), Some(fix)) = (&plan.sdk, &plan.plan) else {
        anyhow::bail!("refused, nothing was changed: the account was not reached");
    };
    let (writer, now) = super::write_guard::writer(sdk, &plan.account.id).await?;
    tracing::info!(account = %now, "applying the account's fix plan");
    let report = guardline_apply::fix::apply(&writer, fix, |index, outcome| {
        lines.push_str(&step_line(fix, index, outcome, lang));
    })
    .await;
    Ok(report)
}

/// The AWS-native organisation setup (`guardline_rules::org_fix`): reads GuardDuty's and Amazon Inspector's
/// delegated administrators (management account) and their organisation settings (the administrator,
/// reached through its member role), then moves the member steps an organisation-wide step does into the management account's
/// and the administrator's plans, adding either account to the plan when it is not among the selection.
/// Returns why a control is still fixed member by member.
async fn organise(
    organisation: &Organisation,
    config: &Config,
    args: &FixArgs,
    hub: &LiveAccount,
    accounts: &mut Vec<AccountPlan>,
    regions: &BTreeSet<String>,
) -> Vec<Text> {
    let mut notes = Vec::new();
    let hub_sdk = &organisation.hub;
    // Security Hub's central configuration lives in the home region (the management account's profile's).
    let hub_account = organisation.listed.iter().find(|account| account.id == hub.id);
    let home_region = match hub_account {
        Some(account) => config.profile_for_account(&facts(account, hub.alias.as_deref())),
        None => config.profile_for(&hub.id, hub.alias.as_deref()),
    }
    .params
    .home_region
    .clone();
    let (guardduty, inspector, security_hub) = futures::join!(
        futures::future::join_all(
            regions.iter().map(|region| guardline_collect::org::guardduty_admins(hub_sdk, region)),
        ),
        futures::future::join_all(
            regions.iter().map(|region| guardline_collect::org::inspector_admins(hub_sdk, region)),
        ),
        guardline_collect::org::security_hub_admins(hub_sdk, &home_region),
    );
    let (trusted_access, analyzer_admins, config_admins) = futures::join!(
        guardline_collect::org::trusted_access(hub_sdk),
        guardline_collect::org::delegated_administrators(hub_sdk, "access-analyzer.amazonaws.com"),
        guardline_collect::org::delegated_administrators(hub_sdk, "config.amazonaws.com"),
    );
    // Every administrator the plan may need: those the regions have, else the configured one.
    let mut admins: BTreeSet<String> = guardduty
        .iter()
        .chain(&inspector)
        .chain([&security_hub, &analyzer_admins, &config_admins])
        .filter_map(|listed| listed.as_ref().ok().and_then(|admins| admins.first().cloned()))
        .collect();
    let configured = organisation.settings.delegated_admin.clone();
    admins.extend(configured.clone());
    let mut reached: BTreeMap<String, Result<SdkConfig, String>> = BTreeMap::new();
    for admin in admins {
        let sdk = reach_admin(organisation, config, args, hub, accounts, &admin).await;
        reached.insert(admin, sdk);
    }
    // The administrator of a region (the listed one, else the configured one) and its SDK config.
    let admin_of = |listed: &Result<Vec<String>, guardline_model::CollectError>| {
        let admin = match listed {
            Ok(admins) => admins.first().cloned().or_else(|| configured.clone()),
            Err(_) => None,
        }?;
        let sdk = reached.get(&admin).cloned().unwrap_or_else(|| Err("it was not reached".to_owned()));
        Some((admin, sdk))
    };
    let security_hub_configuration = match admin_of(&security_hub) {
        None => Ok(None),
        Some((admin, Err(reason))) => {
            Err(not_reached("securityhub:DescribeOrganizationConfiguration", &admin, &reason))
        }
        Some((_, Ok(_))) if security_hub.as_ref().is_ok_and(Vec::is_empty) => Ok(None),
        Some((_, Ok(sdk))) => {
            guardline_collect::org::security_hub_configuration(&sdk, &home_region).await.map(Some)
        }
    };
    // The organisation aggregator of the account that holds (or would hold) it.
    let config_aggregator = match &config_admins {
        Err(error) => Err(error.clone()),
        Ok(listed) => {
            let holder = listed
                .first()
                .cloned()
                .or_else(|| configured.clone().filter(|admin| *admin != hub.id))
                .unwrap_or_else(|| hub.id.clone());
            match reached.get(&holder) {
                _ if holder == hub.id => {
                    guardline_collect::org::organisation_aggregator(hub_sdk, &home_region).await
                }
                Some(Ok(sdk)) => guardline_collect::org::organisation_aggregator(sdk, &home_region).await,
                Some(Err(reason)) => {
                    Err(not_reached("config:DescribeConfigurationAggregators", &holder, reason))
                }
                None => {
                    Err(not_reached("config:DescribeConfigurationAggregators", &holder, "it was not reached"))
                }
            }
        }
    };
    let mut services = OrgServices {
        security_hub_admins: security_hub.into(),
        security_hub_configuration: security_hub_configuration.into(),
        trusted_access: trusted_access.into(),
        analyzer_admins: analyzer_admins.into(),
        config_admins: config_admins.into(),
        config_aggregator: config_aggregator.into(),
        ..OrgServices::default()
    };
    for ((region, guardduty), inspector) in regions.iter().zip(guardduty).zip(inspector) {
        let designated =
            |listed: &Result<Vec<String>, _>| listed.as_ref().is_ok_and(|admins| !admins.is_empty());
        let guardduty_auto_enable = match admin_of(&guardduty) {
            None => Ok(None),
            Some((admin, Err(reason))) => {
                Err(not_reached("guardduty:DescribeOrganizationConfiguration", &admin, &reason))
            }
            Some((_, Ok(_))) if !designated(&guardduty) => Ok(None),
            Some((_, Ok(sdk))) => guardline_collect::org::guardduty_auto_enable(&sdk, region).await,
        };
        let inspector_auto_enable_ec2 = match admin_of(&inspector) {
            None => Ok(None),
            Some((admin, Err(reason))) => {
                Err(not_reached("inspector2:DescribeOrganizationConfiguration", &admin, &reason))
            }
            Some((_, Ok(_))) if !designated(&inspector) => Ok(None),
            Some((_, Ok(sdk))) => {
                guardline_collect::org::inspector_auto_enable_ec2(&sdk, region).await.map(Some)
            }
        };
        let region_services = OrgRegionServices {
            guardduty_admins: guardduty.into(),
            guardduty_auto_enable: guardduty_auto_enable.into(),
            inspector_admins: inspector.into(),
            inspector_auto_enable_ec2: inspector_auto_enable_ec2.into(),
        };
        services.regions.insert(region.clone(), region_services);
    }
    let profiles: BTreeMap<String, AccountProfile> = accounts
        .iter()
        .map(|plan| {
            let not_adopted = config
                .profiles
                .get(&plan.profile)
                .map(|profile| profile.params.security_hub_not_adopted.keys().cloned().collect::<Vec<_>>());
            let profile = AccountProfile {
                name: plan.profile.clone(),
                hub_not_adopted: not_adopted.unwrap_or_default(),
            };
            (plan.account.id.clone(), profile)
        })
        .collect();
    let log_bucket = LogBucket::of_account(&config.fix, &hub.id, &home_region);
    let input = OrgInput {
        management: &hub.id,
        delegated_admin: configured.as_deref(),
        home_region: &home_region,
        services: &services,
        profiles: &profiles,
        log_bucket,
    };
    let steps = {
        let mut plans: Vec<(&str, &mut FixPlan)> = accounts
            .iter_mut()
            .filter_map(|plan| Some((plan.account.id.as_str(), plan.plan.as_mut()?)))
            .collect();
        guardline_rules::org_fix::organise(&input, &mut plans)
    };
    notes.extend(steps.notes);
    if !steps.management.is_empty() && !accounts.iter().any(|plan| plan.account.id == hub.id) {
        let account = organisation.listed.iter().find(|account| account.id == hub.id).cloned();
        let account = account.unwrap_or_else(|| OrgAccount {
            id: hub.id.clone(),
            name: String::new(),
            email: String::new(),
            status: "ACTIVE".to_owned(),
            ou_path: "Root".to_owned(),
            ou_ids: Vec::new(),
            tags: Default::default(),
        });
        let profile = config.profile_for_account(&facts(&account, hub.alias.as_deref())).name.clone();
        accounts.push(AccountPlan {
            account,
            not_evaluated: None,
            live: hub.clone(),
            profile,
            plan: Some(empty_plan(hub)),
            pin: check_pin(config, hub, &args.write, None),
            sdk: Some(organisation.hub.clone()),
            unreviewed: Vec::new(),
            administers: false,
        });
    }
    for plan in accounts.iter_mut() {
        let Some(fix) = plan.plan.as_mut() else { continue };
        if plan.account.id == hub.id {
            fix.prepend(steps.management.clone());
        }
        if let Some((_, admin_steps)) = steps.admins.iter().find(|(id, _)| *id == plan.account.id) {
            fix.prepend(admin_steps.clone());
            plan.administers = plan.account.id != hub.id;
        }
    }
    accounts.sort_by(|a, b| a.account.id.cmp(&b.account.id));
    notes
}

/// The SDK config of the delegated administrator `admin`: the hub's own, the one that collected it, or its
/// member role assumed now, in which case the account joins the plan with no steps of its own (and its pin
/// by the listing); or why it cannot be reached.
async fn reach_admin(
    organisation: &Organisation,
    config: &Config,
    args: &FixArgs,
    hub: &LiveAccount,
    accounts: &mut Vec<AccountPlan>,
    admin: &str,
) -> Result<SdkConfig, String> {
    if admin == hub.id {
        return Ok(organisation.hub.clone());
    }
    if let Some(plan) = accounts.iter().find(|plan| plan.account.id == admin) {
        return plan
            .sdk
            .clone()
            .ok_or_else(|| plan.not_evaluated.clone().unwrap_or_else(|| "it was not reached".to_owned()));
    }
    let Some(account) = organisation.listed.iter().find(|account| account.id == admin) else {
        return Err(format!(
            "account {admin} is not an account of the organisation (check `[org] delegated-admin`)"
        ));
    };
    let (sdk, live) = organisation.reach(account).await?;
    let profile = config.profile_for_account(&facts(account, live.alias.as_deref())).name.clone();
    let pin = org_pin(config, &args.write, &hub.id, &live, &account.id, None);
    accounts.push(AccountPlan {
        account: account.clone(),
        not_evaluated: None,
        plan: Some(empty_plan(&live)),
        live,
        profile,
        pin,
        sdk: Some(sdk.clone()),
        unreviewed: Vec::new(),
        administers: false,
    });
    Ok(sdk)
}

/// Why a delegated administrator's settings could not be read.
fn not_reached(action: &str, admin: &str, reason: &str) -> guardline_model::CollectError {
    guardline_model::CollectError {
        action: action.to_owned(),
        kind: guardline_model::ErrorKind::NotAvailable,
        code: None,
        message: format!("the delegated administrator {admin} could not be reached: {reason}"),
    }
}

/// A plan with no steps yet, for an account the organisation-wide steps run in.
fn empty_plan(live: &LiveAccount) -> FixPlan {
    FixPlan {
        account_id: live.id.clone(),
        account_alias: live.alias.clone(),
        steps: Vec::new(),
        blocked: Vec::new(),
        manual: Vec::new(),
        covered: Vec::new(),
    }
}

/// The accounts a reviewed plan may name: the selected ones, the management account and the configured
/// delegated administrator (organisation-wide steps run in those two even when they are not selected).
fn reviewable(organisation: &Organisation) -> Vec<OrgAccount> {
    let mut accounts = organisation.selected.clone();
    for account in &organisation.listed {
        let special = account.id == organisation.hub_account
            || organisation.settings.delegated_admin.as_deref() == Some(account.id.as_str());
        if special && !accounts.iter().any(|selected| selected.id == account.id) {
            accounts.push(account.clone());
        }
    }
    accounts
}

/// The accounts of the reviewed plan, as the organisation lists them now: refused when one is no longer
/// listed (or selected), or listed under another name.
fn reviewed_accounts(saved: &SavedPlan, selected: &[OrgAccount]) -> anyhow::Result<Vec<OrgAccount>> {
    let reviewed = saved.body["accounts"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("refused, nothing was changed: the plan has no list of accounts"))?;
    let mut accounts = Vec::new();
    let mut problems = Vec::new();
    for entry in reviewed {
        let id = entry["account_id"].as_str().unwrap_or_default();
        let name = entry["name"].as_str().unwrap_or_default();
        match selected.iter().find(|account| account.id == id) {
            Some(account) if account.name == name => accounts.push(account.clone()),
            Some(account) => problems.push(format!(
                "account {id} was \"{name}\" in the plan, the organisation now names it \"{}\"",
                account.name
            )),
            None => problems.push(format!(
                "account {id} (\"{name}\") is not among the organisation's selected accounts any more"
            )),
        }
    }
    if !problems.is_empty() {
        anyhow::bail!(
            "refused, nothing was changed: the organisation changed since the plan was made:\n{}\nMake and \
             review a new plan.",
            problems.iter().map(|line| format!("  - {line}")).collect::<Vec<_>>().join("\n")
        );
    }
    Ok(accounts)
}

/// Narrows each account's fresh plan to its reviewed steps; any drift in any account refuses the whole plan.
fn keep_reviewed(accounts: &mut [AccountPlan], body: &Value) -> anyhow::Result<()> {
    let reviewed = body["accounts"].as_array().cloned().unwrap_or_default();
    let mut drifted = Vec::new();
    for plan in accounts.iter_mut() {
        let Some(fix) = plan.plan.as_mut() else { continue };
        let Some(entry) = reviewed.iter().find(|entry| entry["account_id"] == plan.account.id.as_str())
        else {
            continue;
        };
        match keep_reviewed_steps(fix, entry) {
            Ok(unreviewed) => plan.unreviewed = unreviewed,
            Err(error) => drifted.push(format!("account {}: {error:#}", plan.live)),
        }
    }
    if !drifted.is_empty() {
        anyhow::bail!("{}", drifted.join("\n"));
    }
    Ok(())
}

/// The saved plan's body: `--only` and, per reached account, its ID, name and the body a single account's
/// saved plan has.
fn saved_body(accounts: &[AccountPlan], only: Option<&[String]>) -> Value {
    let entries: Vec<Value> = accounts
        .iter()
        .filter_map(|plan| {
            let fix = plan.plan.as_ref()?;
            let mut body = plan_body(fix, only);
            let object = body.as_object_mut().expect("an object");
            object.remove("only");
            object.insert("account_id".to_owned(), json!(plan.account.id));
            object.insert("name".to_owned(), json!(plan.account.name));
            Some(body)
        })
        .collect();
    json!({"only": only, "accounts": entries})
}

/// An account's heading: ID and alias, name, OU and profile.
fn heading(plan: &AccountPlan, lang: &str) -> String {
    let (live, name, ou, profile) = (&plan.live, &plan.account.name, &plan.account.ou_path, &plan.profile);
    tr!(
        lang,
        "== Account {live} \"{name}\" · {ou} · profile {profile}",
        "== アカウント {live} 「{name}」 · {ou} · プロファイル {profile}"
    )
}

/// Prints the organisation's plan in `--format`.
fn show(
    args: &FixArgs,
    hub: &LiveAccount,
    hub_pin: &anyhow::Result<PinMatch>,
    notes: &[Text],
    accounts: &[AccountPlan],
    lang: &str,
) -> anyhow::Result<()> {
    let pin_text = |pin: &anyhow::Result<PinMatch>, lang: &str| match pin {
        Ok(matched) => pin_line(matched, lang),
        Err(error) => format!("{error:#}"),
    };
    if args.format == Format::Json {
        let entries: Vec<Value> = accounts
            .iter()
            .map(|plan| {
                json!({
                    "account_id": plan.account.id,
                    "account_alias": plan.live.alias,
                    "name": plan.account.name,
                    "ou_path": plan.account.ou_path,
                    "profile": plan.profile,
                    "not_evaluated": plan.not_evaluated,
                    "pin": plan.not_evaluated.is_none().then(|| pin_text(&plan.pin, "en")),
                    "plan": plan.plan,
                    "calls": plan.plan.as_ref().map(|fix| fix.steps.iter().map(|step| step.action.calls()).collect::<Vec<_>>()),
                    "unreviewed": plan.unreviewed,
                })
            })
            .collect();
        let json = json!({
            "management": {"account_id": hub.id, "account_alias": hub.alias, "pin": pin_text(hub_pin, "en")},
            "organisation_notes": notes.iter().map(|note| note.en.as_str()).collect::<Vec<_>>(),
            "accounts": entries,
        });
        return print(&(serde_json::to_string_pretty(&json)? + "\n"));
    }
    let mut out = String::new();
    let applying = args.write.apply;
    out.push_str(&tr!(lang, "Organisation managed from {hub}", "組織の管理元: {hub}"));
    out.push('\n');
    out.push_str(&pin_or_refusal(hub_pin, lang));
    if !notes.is_empty() {
        out.push_str(&tr!(
            lang,
            "\n\nOrganisation-wide setup, not planned:\n",
            "\n\n組織全体の設定のうち計画していないもの:\n"
        ));
        for note in notes {
            out.push_str(&format!("  - {}\n", note.get(lang)));
        }
    }
    let steps: usize = accounts.iter().map(AccountPlan::steps).sum();
    let with_steps = accounts.iter().filter(|plan| plan.steps() > 0).count();
    let (total, unreached) =
        (accounts.len(), accounts.iter().filter(|plan| plan.not_evaluated.is_some()).count());
    out.push_str("\n\n");
    out.push_str(&if applying {
        tr!(
            lang,
            "Plan: {steps} change(s) in {with_steps} of {total} account(s); {unreached} not reached\n",
            "プラン: {total} アカウント中 {with_steps} アカウントに {steps} 件の変更。到達できないアカウント {unreached}\n"
        )
    } else {
        tr!(
            lang,
            "Plan: {steps} change(s) in {with_steps} of {total} account(s); {unreached} not reached; nothing is \
             changed without --apply\n",
            "プラン: {total} アカウント中 {with_steps} アカウントに {steps} 件の変更。到達できないアカウント \
             {unreached}。--apply なしでは何も変更しません\n"
        )
    });
    for plan in accounts {
        out.push('\n');
        out.push_str(&heading(plan, lang));
        out.push('\n');
        if let Some(reason) = &plan.not_evaluated {
            out.push_str(&tr!(
                lang,
                "NOT EVALUATED, nothing planned: {reason}\n",
                "未評価のため何も計画していません: {reason}\n"
            ));
            continue;
        }
        out.push_str(&pin_or_refusal(&plan.pin, lang));
        out.push_str("\n\n");
        if let Some(fix) = &plan.plan {
            render_steps(&mut out, fix, applying, HowTo::Later, lang);
        }
        if !plan.unreviewed.is_empty() {
            let unreviewed = plan.unreviewed.join("; ");
            out.push_str(&tr!(
                lang,
                "Not in the reviewed plan, so not applied: {unreviewed}\n",
                "レビュー済みのプランにないため適用しません: {unreviewed}\n"
            ));
        }
    }
    // A manual control fails in many accounts the same way: its steps once, for all of them.
    let manual: BTreeSet<&str> = accounts
        .iter()
        .filter_map(|plan| plan.plan.as_ref())
        .flat_map(|plan| plan.manual.iter().map(|manual| manual.control))
        .filter(|control| {
            guardline_rules::find_rule(control).is_some_and(|rule| rule.remedy.command.is_none())
        })
        .collect();
    if !manual.is_empty() {
        out.push_str(&tr!(
            lang,
            "\n== Manual only, in every account listed above (the whole explanation: `guardline rule ID`)\n",
            "\n== 手動のみ(上記の各アカウントで。説明の全体: `guardline rule ID --lang ja`)\n"
        ));
        for control in manual {
            let title =
                guardline_rules::find_rule(control).map(|rule| rule.title_in(lang)).unwrap_or_default();
            out.push_str(&format!("\n  {control} {title}\n"));
            push_how_to(&mut out, control, lang);
        }
    }
    print(&out)
}

/// What was applied where, and what is left.
fn summary(
    outcomes: &[(String, anyhow::Result<ApplyReport>)],
    unreached: &[&AccountPlan],
    lang: &str,
) -> String {
    let mut out = String::from("\n");
    let (mut changed, mut in_place, mut failed) = (0, 0, 0);
    for (_, result) in outcomes {
        match result {
            Ok(report) => {
                let done = report
                    .done
                    .iter()
                    .filter(|(_, result)| matches!(result, guardline_apply::fix::StepResult::Changed { .. }))
                    .count();
                changed += done;
                in_place += report.done.len() - done;
                failed += report.failed.len() + report.skipped.len();
            }
            Err(_) => failed += 1,
        }
    }
    let accounts = outcomes.len();
    out.push_str(&tr!(
        lang,
        "Applied in {accounts} account(s): {changed} changed, {in_place} already in place, {failed} failed or \
         skipped.\n",
        "{accounts} アカウントに適用しました: 変更 {changed}、設定済み {in_place}、失敗またはスキップ {failed}。\n"
    ));
    for plan in unreached {
        let (live, reason) = (&plan.live, plan.not_evaluated.as_deref().unwrap_or_default());
        out.push_str(&tr!(
            lang,
            "Not reached, nothing changed: {live}: {reason}\n",
            "到達できず何も変更していません: {live}: {reason}\n"
        ));
    }
    out.push_str(&if failed == 0 {
        tr!(
            lang,
            "Run `guardline scan --org` to confirm that the fixed controls pass in every account.\n",
            "`guardline scan --org` を実行して、修正したコントロールがすべてのアカウントで合格することを確認してください。\n"
        )
    } else {
        tr!(
            lang,
            "What was done stays done: fix the cause and run `guardline fix --org` again to finish the rest.\n",
            "完了した変更はそのまま残ります: 原因を直し、もう一度 `guardline fix --org` を実行して残りを済ませてください。\n"
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: &str, name: &str) -> OrgAccount {
        OrgAccount {
            id: id.to_owned(),
            name: name.to_owned(),
            email: format!("{name}@example.com"),
            status: "ACTIVE".to_owned(),
            ou_path: "Root".to_owned(),
            ou_ids: vec!["r-ab12".to_owned()],
            tags: Default::default(),
        }
    }

    fn saved(accounts: Value) -> SavedPlan {
        let hub = LiveAccount { id: "111111111111".to_owned(), alias: None };
        SavedPlan::new(
            KIND,
            &hub,
            vec!["ap-northeast-1".to_owned()],
            json!({"only": null, "accounts": accounts}),
        )
    }

    #[test]
    fn a_reviewed_plan_applies_only_to_accounts_the_listing_still_names_the_same() {
        let selected = [listed("222222222222", "dev-api"), listed("333333333333", "prod-web")];
        let plan = saved(json!([{"account_id": "222222222222", "name": "dev-api", "steps": []}]));
        let accounts = reviewed_accounts(&plan, &selected).unwrap();
        assert_eq!(accounts.iter().map(|account| account.id.as_str()).collect::<Vec<_>>(), ["222222222222"]);

        let renamed = saved(json!([{"account_id": "333333333333", "name": "prod-api", "steps": []}]));
        let error = reviewed_accounts(&renamed, &selected).unwrap_err().to_string();
        assert!(
            error.contains("was \"prod-api\" in the plan, the organisation now names it \"prod-web\""),
            "{error}"
        );
        let gone = saved(json!([{"account_id": "444444444444", "name": "old", "steps": []}]));
        let error = reviewed_accounts(&gone, &selected).unwrap_err().to_string();
        assert!(error.contains("444444444444 (\"old\") is not among"), "{error}");
    }
}
