//! `guardline org`: the switch-role setup of guideline 3-2.
//!
//! - `switch-roles` (read-only): lists the organization's active accounts (the listing of `scan --org`,
//!   from the management account) and writes, for each member account and switch role, an AWS CLI profile
//!   (`role_arn`, `source_profile`, `mfa_serial`, `region`) and a console switch-role link. Profiles are named
//!   `<alias>-<role>`: the alias the config pins for the account (`[[accounts]]` with `id` and `alias`), else
//!   the account's name slugified (member accounts' aliases cannot be read from the management account).
//!   With `--write-config FILE` the profiles replace Guardline's marked block in an AWS config file; the rest
//!   of the file is kept byte for byte, and the file is backed up first.
//! - `plan-roles`: plans the roles of the current account (in a member account) or the groups allowed to
//!   assume them (in the management account), shows each policy, and applies with `--apply` under the write
//!   guard (`write_guard.rs`). With `--org`, from the management account: the groups there and the roles in
//!   every selected member (reached through the member role, [`super::org_targets`]), one plan grouped by
//!   account, each member pinned by the organisation's listing.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use aws_config::SdkConfig;
use guardline_apply::org_roles::{self, Desired, Step};
use guardline_collect::cx::Cx;
use guardline_config::{Config, LiveAccount};
use guardline_model::org::OrgAccount;

use crate::args::{AwsArgs, OrgCommand, OrgCommandArgs, PlanRolesArgs, SwitchRolesArgs};
use crate::commands::{collect_options, config_path, files, load_config, write_guard};
use crate::lang::tr;

/// The first line of Guardline's block in an AWS config file.
pub const BEGIN_MARKER: &str = "# >>> guardline org switch-roles: managed block, replaced by `guardline org switch-roles --write-config`; edit outside it >>>";
/// The last line of the block.
pub const END_MARKER: &str = "# <<< guardline org switch-roles <<<";

pub fn run(args: OrgCommandArgs) -> anyhow::Result<bool> {
    let lang = args.lang.code();
    match args.command {
        OrgCommand::SwitchRoles(args) => switch_roles(&args, lang),
        OrgCommand::PlanRoles(args) => plan_roles(&args, lang),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")
}

async fn sdk(aws: &AwsArgs, config: &Config) -> anyhow::Result<SdkConfig> {
    let options = collect_options(aws, config);
    let region = options.regions.as_ref().and_then(|regions| regions.first().cloned());
    super::aws_config(aws, region.as_deref(), &options).await
}

/// One profile to generate: an account and one of its switch roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub account_id: String,
    /// The pinned alias, or the account name slugified.
    pub label: String,
    pub role: String,
    pub region: String,
    /// The console's display colour (hex, from the switch-role page's palette).
    pub color: &'static str,
    pub partition: String,
}

impl Entry {
    pub fn profile_name(&self) -> String {
        format!("{}-{}", self.label, self.role)
    }

    pub fn role_arn(&self) -> String {
        format!("arn:{}:iam::{}:role/{}", self.partition, self.account_id, self.role)
    }

    /// The console link that opens the switch-role page filled in.
    pub fn console_url(&self) -> String {
        format!(
            "https://signin.aws.amazon.com/switchrole?roleName={}&account={}&displayName={}&color={}",
            encode(&self.role),
            self.account_id,
            encode(&self.profile_name()),
            self.color
        )
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An account name as a profile-name prefix: lowercase ASCII letters and digits, runs of anything else as
/// one `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The console palette's colours (the switch-role page accepts only these): red for production, orange
/// for staging, green for development and sandboxes, blue otherwise. `what` is the account's profile name
/// when the config has an entry for it, else its alias or name.
pub fn color_for(what: &str) -> &'static str {
    let what = what.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| what.contains(word));
    if has(&["nonprod", "non-prod"]) {
        "B7CA9D"
    } else if has(&["prod", "prd"]) {
        "F2B0A9"
    } else if has(&["stg", "stag"]) {
        "FBC8AA"
    } else if has(&["dev", "sandbox", "test"]) {
        "B7CA9D"
    } else {
        "83D4E8"
    }
}

/// The entries for the organization's member accounts (`management` excluded), sorted by profile name.
/// Profile names are unique per account: labels several accounts share get `-<account ID>`.
pub fn entries(
    config: &Config,
    accounts: &[OrgAccount],
    management: &str,
    partition: &str,
    roles: &[String],
) -> anyhow::Result<Vec<Entry>> {
    let members: Vec<&OrgAccount> = accounts.iter().filter(|account| account.id != management).collect();
    let alias_of = |account: &OrgAccount| {
        let pinned = config.accounts.iter().find(|entry| entry.id.as_deref() == Some(account.id.as_str()));
        (pinned.is_some(), pinned.and_then(|entry| entry.alias.clone()))
    };
    // Every account's label before disambiguation: its alias, else its name's slug.
    let labels: Vec<(String, bool)> = members
        .iter()
        .map(|account| match alias_of(account).1 {
            Some(alias) => (alias, true),
            None => (slug(&account.name), false),
        })
        .collect();
    let mut uses: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (label, _) in &labels {
        *uses.entry(label.as_str()).or_default() += 1;
    }
    let mut out = Vec::new();
    for (account, (label, is_alias)) in members.iter().zip(&labels) {
        let (pinned, alias) = alias_of(account);
        // A slug another account's label shares ("本番 payments" and "検証 payments" are both "payments")
        // gets the account ID, so no two accounts ever share a profile name.
        let label = if *is_alias {
            label.clone()
        } else if label.is_empty() {
            account.id.clone()
        } else if uses[label.as_str()] > 1 {
            format!("{label}-{}", account.id)
        } else {
            label.clone()
        };
        let profile = config.profile_for(&account.id, alias.as_deref());
        let color = color_for(if pinned { &profile.name } else { &label });
        let names: Vec<String> =
            if roles.is_empty() { profile.params.switch_roles.clone() } else { roles.to_vec() };
        for role in names {
            out.push(Entry {
                account_id: account.id.clone(),
                label: label.clone(),
                role,
                region: profile.params.home_region.clone(),
                color,
                partition: partition.to_owned(),
            });
        }
    }
    out.sort_by(|a, b| a.profile_name().cmp(&b.profile_name()).then_with(|| a.account_id.cmp(&b.account_id)));
    // What disambiguation cannot rule out (an alias equal to another account's `<slug>-<ID>`, or labels and
    // role names that join alike) is refused rather than written as one profile for two accounts.
    for pair in out.windows(2) {
        if pair[0].profile_name() == pair[1].profile_name() && pair[0].account_id != pair[1].account_id {
            anyhow::bail!(
                "accounts {} and {} would both get the profile [profile {}]: pin an alias for one of them in \
                 [[accounts]]",
                pair[0].account_id,
                pair[1].account_id,
                pair[0].profile_name()
            );
        }
    }
    Ok(out)
}

/// Guardline's block of AWS CLI profiles, markers included.
pub fn render_block(
    entries: &[Entry],
    source_profile: &str,
    mfa_serial: Option<&str>,
    management: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BEGIN_MARKER}");
    let _ = writeln!(out, "# Switch roles from the management account {management} (guideline 3-2).");
    for entry in entries {
        let _ = writeln!(out, "\n[profile {}]", entry.profile_name());
        let _ = writeln!(out, "role_arn = {}", entry.role_arn());
        let _ = writeln!(out, "source_profile = {source_profile}");
        if let Some(serial) = mfa_serial {
            let _ = writeln!(out, "mfa_serial = {serial}");
        }
        let _ = writeln!(out, "region = {}", entry.region);
    }
    let _ = writeln!(out, "{END_MARKER}");
    out
}

/// The console links, one per profile, as comment lines.
pub fn render_links(entries: &[Entry]) -> String {
    let mut out = String::from("# Console switch-role links:\n");
    for entry in entries {
        let _ = writeln!(out, "# {}  {}", entry.profile_name(), entry.console_url());
    }
    out
}

/// `existing` with Guardline's block replaced by `block` (or appended when there is none). Everything
/// outside the block is kept byte for byte. Refuses a file whose block is broken, or that defines one of the
/// generated profiles outside the block.
pub fn merge(existing: &str, block: &str) -> anyhow::Result<String> {
    let begin = find_line(existing, |line| line.starts_with("# >>> guardline org switch-roles"));
    let end = find_line(existing, |line| line == END_MARKER);
    let (before, after) = match (begin, end) {
        (None, None) => (existing, ""),
        (Some((start, _)), Some((end_start, end_end))) if end_start > start => {
            (&existing[..start], &existing[end_end..])
        }
        _ => anyhow::bail!(
            "its Guardline block is broken (a begin or end marker is missing): fix or remove the block's \
             marker lines, nothing was changed"
        ),
    };
    let generated: Vec<&str> =
        block.lines().filter_map(|line| line.strip_prefix("[profile ")?.strip_suffix(']')).collect();
    for (number, line) in before.lines().chain(after.lines()).enumerate() {
        if let Some(name) = line.trim().strip_prefix("[profile ").and_then(|rest| rest.strip_suffix(']'))
            && generated.contains(&name.trim())
        {
            anyhow::bail!(
                "it already defines [profile {}] outside Guardline's block (line {} outside the block): \
                 rename or remove it, nothing was changed",
                name.trim(),
                number + 1
            );
        }
    }
    if begin.is_some() {
        return Ok(format!("{before}{block}{after}"));
    }
    let mut out = existing.to_owned();
    if !out.is_empty() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(block);
    Ok(out)
}

/// The byte range of the first line matching `test` (its newline included).
fn find_line(text: &str, test: impl Fn(&str) -> bool) -> Option<(usize, usize)> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if test(line.trim_end_matches(['\n', '\r'])) {
            return Some((at, at + line.len()));
        }
        at += line.len();
    }
    None
}

/// Writes `merged` into `path`, backing the old file up to `path.bak-<UTC time>` first; returns the backup.
///
/// A symlinked `path` (a dotfiles checkout) is written through to its target, so the link stays a link. The
/// target is replaced through an exclusive temporary file beside it ([`files::replace`]: fsynced, renamed,
/// the directory fsynced) with the old file's permissions (0600 stays 0600; a new file is 0600). The backup
/// is created exclusively with the same permissions.
fn write_config(path: &Path, merged: &str, existed: bool) -> anyhow::Result<Option<std::path::PathBuf>> {
    let (target, mode) = if existed {
        let target = std::fs::canonicalize(path).with_context(|| format!("resolving {}", path.display()))?;
        let meta = std::fs::metadata(&target).with_context(|| format!("reading {}", target.display()))?;
        (target, files::mode_of(&meta))
    } else {
        anyhow::ensure!(
            std::fs::symlink_metadata(path).is_err(),
            "{} is a symlink to a file that does not exist: create its target or remove the link; nothing was \
             written",
            path.display()
        );
        if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        (path.to_path_buf(), files::PRIVATE)
    };
    let backup = if existed {
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S%.fZ").to_string();
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".bak-{stamp}"));
        let backup = std::path::PathBuf::from(name);
        let copied = std::fs::File::open(&target).and_then(|mut from| {
            let mut to = files::create_new(&backup, mode)?;
            std::io::copy(&mut from, &mut to)?;
            to.sync_all()
        });
        copied.with_context(|| format!("backing up {} to {}", path.display(), backup.display()))?;
        Some(backup)
    } else {
        None
    };
    files::replace(&target, mode, |out| out.write_all(merged.as_bytes()))?;
    Ok(backup)
}

fn switch_roles(args: &SwitchRolesArgs, lang: &str) -> anyhow::Result<bool> {
    let config = load_config(config_path(args.config.as_deref()).as_deref())?;
    let runtime = runtime()?;
    let (entries, management, mfa) = runtime.block_on(async {
        let sdk = sdk(&args.aws, &config).await?;
        let options = collect_options(&args.aws, &config);
        let cx = Cx::new("", "aws", options.concurrency);
        let identity = guardline_collect::services::sts::caller_identity(&cx, &sdk)
            .await
            .map_err(|error| anyhow::anyhow!("identifying the account: {error}"))?;
        let organization = guardline_collect::services::organizations::describe(&cx, &sdk)
            .await
            .map_err(|error| anyhow::anyhow!("reading the organization: {error}"))?
            .ok_or_else(|| anyhow::anyhow!("account {} is not in an AWS Organization", identity.id))?;
        if !organization.is_management(&identity.id) {
            anyhow::bail!(
                "account {} is a member account: run `guardline org switch-roles` with the management account \
                 {}'s credentials",
                identity.id,
                organization.management_account_id
            );
        }
        // The same listing as `scan --org`; switch roles are for the active accounts, by name.
        let mut accounts: Vec<OrgAccount> = guardline_collect::org::list_accounts(&sdk, false)
            .await
            .map_err(|error| anyhow::anyhow!("listing the organization's accounts: {error}"))?
            .into_iter()
            .filter(|account| account.status == "ACTIVE")
            .collect();
        accounts.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        let mfa = match &args.mfa_serial {
            Some(serial) => Some(serial.clone()),
            None => caller_mfa(&sdk, &identity.caller_arn).await,
        };
        let entries = entries(&config, &accounts, &identity.id, &identity.partition, &args.roles)?;
        anyhow::Ok((entries, organization.management_account_id, mfa))
    })?;
    if mfa.is_none() {
        eprintln!(
            "warning: no mfa_serial (the caller has no MFA device; pass --mfa-serial): the roles require MFA, so \
             these profiles work only once mfa_serial is set"
        );
    }
    let source =
        args.source_profile.clone().or_else(|| args.aws.profile.clone()).unwrap_or("default".to_owned());
    let block = render_block(&entries, &source, mfa.as_deref(), &management);
    let links = render_links(&entries);
    match &args.write_config {
        None => print!("{block}\n{links}"),
        Some(path) => {
            let existed = path.exists();
            let existing = if existed {
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
            } else {
                String::new()
            };
            let merged =
                merge(&existing, &block).map_err(|error| anyhow::anyhow!("{}: {error:#}", path.display()))?;
            let (count, shown) = (entries.len(), path.display());
            if merged == existing {
                println!(
                    "{}",
                    tr!(
                        lang,
                        "{shown} is up to date ({count} profile(s))",
                        "{shown} は最新です(プロファイル {count} 個)"
                    )
                );
            } else {
                let backup = write_config(path, &merged, existed)?;
                match backup {
                    Some(backup) => {
                        let backup = backup.display();
                        println!(
                            "{}",
                            tr!(
                                lang,
                                "wrote {count} profile(s) to {shown} (backup: {backup})",
                                "{shown} にプロファイル {count} 個を書き込みました(バックアップ: {backup})"
                            )
                        )
                    }
                    None => println!(
                        "{}",
                        tr!(
                            lang,
                            "wrote {count} profile(s) to {shown}",
                            "{shown} にプロファイル {count} 個を書き込みました"
                        )
                    ),
                }
            }
            print!("{links}");
        }
    }
    Ok(true)
}

/// The caller's own MFA device (`iam:ListMFADevices` for the caller's user), when the caller is an IAM user
/// with one.
async fn caller_mfa(sdk: &SdkConfig, caller_arn: &str) -> Option<String> {
    let resource = caller_arn.split(':').nth(5)?;
    let user = resource.strip_prefix("user/")?.rsplit('/').next()?;
    guardline_collect::org::mfa_serial(sdk, user).await.ok()?
}

fn plan_roles(args: &PlanRolesArgs, lang: &str) -> anyhow::Result<bool> {
    let config = load_config(config_path(args.config.as_deref()).as_deref())?;
    if args.org.org {
        return plan_roles_org(args, &config, lang);
    }
    let runtime = runtime()?;
    runtime.block_on(async {
        let sdk = sdk(&args.aws, &config).await?;
        let live = write_guard::identify(&sdk).await?;
        println!("{}", write_guard::target_line(&live, lang));
        let pin = write_guard::check_pin(&config, &live, &args.write, None);
        match (&pin, args.write.apply) {
            (Ok(pin), _) => println!("{}", write_guard::pin_line(pin, lang)),
            (Err(error), true) => return Err(anyhow::anyhow!("{error}")),
            (Err(error), false) => {
                println!(
                    "{}",
                    tr!(
                        lang,
                        "Applying would be refused: {error:#}",
                        "適用は次の理由で拒否されます: {error:#}"
                    )
                )
            }
        }
        let cx = Cx::new(&live.id, "aws", 4);
        let management = match &args.management_account {
            Some(id) => id.clone(),
            None => guardline_collect::services::organizations::describe(&cx, &sdk)
                .await
                .map_err(|error| anyhow::anyhow!("reading the organization: {error}"))?
                .map(|org| org.management_account_id)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "account {} is not in an AWS Organization: name the account the roles trust with \
                         --management-account",
                        live.id
                    )
                })?,
        };
        let partition = partition_of(&sdk, &cx).await?;
        let params = &config.profile_for(&live.id, live.alias.as_deref()).params;
        let desired = org_roles::desired(
            &partition,
            &live.id,
            &management,
            &params.switch_roles,
            &params.switch_role_policies,
        );
        let current = org_roles::read(&sdk, &desired)
            .await
            .map_err(|error| anyhow::anyhow!("reading the current roles and groups: {error}"))?;
        let steps = org_roles::steps(&desired, &current);
        print!("{}", render_plan(&live, &management, &desired, &steps, lang));
        if steps.is_empty() || !args.write.apply {
            return Ok(true);
        }
        let count = steps.len();
        write_guard::confirm(
            &args.write,
            &live,
            &tr!(lang, "Make these {count} call(s)", "これら {count} 件の呼び出しを実行します"),
            lang,
        )?;
        let (writer, _) = write_guard::writer(&sdk, &live.id).await?;
        let (done, failed) = org_roles::apply(&writer, &steps).await;
        for step in &steps[..done] {
            let step = step.describe();
            println!("{}", tr!(lang, "  done: [{live}] {step}", "  完了: [{live}] {step}"));
        }
        if let Some(error) = failed {
            let left = steps.len() - done - 1;
            anyhow::bail!("failed: {}: {error} ({left} later call(s) not attempted)", steps[done].describe());
        }
        println!("{}", tr!(lang, "Applied {count} call(s).", "{count} 件の呼び出しを実行しました。"));
        Ok(true)
    })
}

/// One account's part of `plan-roles --org`.
struct RolesPlan {
    account: OrgAccount,
    live: LiveAccount,
    /// The member SDK config, the steps and the pin; or why the account was not reached.
    reached: Result<(SdkConfig, Desired, Vec<Step>), String>,
    pin: anyhow::Result<guardline_config::PinMatch>,
}

/// `plan-roles --org`: the groups in the management account and the switch roles in every selected member,
/// each under its OU/tag profile, in one plan grouped by account. The management account is pinned as for
/// one account (`[[accounts]]` or `--account-id`) and confirmed once; each member by the organisation's
/// listing ([`guardline_config::check_member_target`]). A refused pin refuses the whole apply; an account
/// that cannot be reached is listed and left out (exit 1).
fn plan_roles_org(args: &PlanRolesArgs, config: &Config, lang: &str) -> anyhow::Result<bool> {
    use futures::StreamExt as _;
    let options = collect_options(&args.aws, config);
    let runtime = runtime()?;
    runtime.block_on(async {
        let organisation =
            super::org_targets::Organisation::connect(&args.aws, config, &args.org, &options).await?;
        let concurrency = organisation.settings.account_concurrency.max(1);
        let hub = write_guard::identify(&organisation.hub).await?;
        let hub_pin = write_guard::check_pin(config, &hub, &args.write, None);
        let cx = Cx::new(&hub.id, "aws", 4);
        let management = guardline_collect::services::organizations::describe(&cx, &organisation.hub)
            .await
            .map_err(|error| anyhow::anyhow!("reading the organization: {error}"))?
            .map(|org| org.management_account_id)
            .ok_or_else(|| anyhow::anyhow!("account {hub} is not in an AWS Organization"))?;
        let partition = partition_of(&organisation.hub, &cx).await?;
        let plans: Vec<RolesPlan> = futures::stream::iter(organisation.selected.clone())
            .map(|account| {
                let (organisation, hub, management, partition) =
                    (&organisation, &hub, &management, &partition);
                async move {
                    let (sdk, live) = match organisation.reach(&account).await {
                        Ok(reached) => reached,
                        Err(reason) => {
                            let live = LiveAccount { id: account.id.clone(), alias: None };
                            let pin = Err(anyhow::anyhow!("not reached: {reason}"));
                            return RolesPlan { account, live, reached: Err(reason), pin };
                        }
                    };
                    let facts = super::org_targets::facts(&account, live.alias.as_deref());
                    let params = &config.profile_for_account(&facts).params;
                    let desired = org_roles::desired(
                        partition,
                        &account.id,
                        management,
                        &params.switch_roles,
                        &params.switch_role_policies,
                    );
                    let reached = match org_roles::read(&sdk, &desired).await {
                        Ok(current) => {
                            let steps = org_roles::steps(&desired, &current);
                            Ok((sdk, desired, steps))
                        }
                        Err(error) => Err(format!("reading the current roles and groups: {error}")),
                    };
                    let pin = write_guard::org_pin(config, &args.write, &hub.id, &live, &account.id, None);
                    RolesPlan { account, live, reached, pin }
                }
            })
            .buffered(concurrency)
            .collect()
            .await;

        let mut out = tr!(lang, "Organisation managed from {hub}\n", "組織の管理元: {hub}\n");
        out.push_str(&match &hub_pin {
            Ok(pin) => write_guard::pin_line(pin, lang),
            Err(error) => {
                tr!(lang, "Applying would be refused: {error:#}", "適用は次の理由で拒否されます: {error:#}")
            }
        });
        out.push('\n');
        for plan in &plans {
            let (live, name, ou) = (&plan.live, &plan.account.name, &plan.account.ou_path);
            out.push_str(&tr!(
                lang,
                "\n== Account {live} \"{name}\" · {ou}\n",
                "\n== アカウント {live} 「{name}」 · {ou}\n"
            ));
            match &plan.reached {
                Err(reason) => out.push_str(&tr!(
                    lang,
                    "NOT REACHED, nothing planned: {reason}\n",
                    "到達できないため何も計画していません: {reason}\n"
                )),
                Ok((_, desired, steps)) => {
                    if let (Err(error), false) = (&plan.pin, steps.is_empty()) {
                        out.push_str(&tr!(
                            lang,
                            "Applying would be refused: {error:#}\n",
                            "適用は次の理由で拒否されます: {error:#}\n"
                        ));
                    }
                    out.push_str(&render_plan(&plan.live, &management, desired, steps, lang));
                }
            }
        }
        print!("{out}");
        let unreached = plans.iter().filter(|plan| plan.reached.is_err()).count();
        let to_apply: Vec<&RolesPlan> = plans
            .iter()
            .filter(|plan| plan.reached.as_ref().is_ok_and(|(_, _, steps)| !steps.is_empty()))
            .collect();
        let count: usize = to_apply
            .iter()
            .filter_map(|plan| plan.reached.as_ref().ok())
            .map(|(_, _, steps)| steps.len())
            .sum();
        if !args.write.apply || count == 0 {
            return Ok(unreached == 0);
        }
        hub_pin?;
        let refused: Vec<String> = to_apply
            .iter()
            .filter_map(|plan| plan.pin.as_ref().err().map(|error| format!("  - {}: {error:#}", plan.live)))
            .collect();
        write_guard::refuse_if_any(&refused)?;
        let accounts = to_apply.len();
        write_guard::confirm(
            &args.write,
            &hub,
            &tr!(
                lang,
                "Make these {count} call(s) in {accounts} account(s) of the organisation managed from",
                "組織の {accounts} アカウントでこれら {count} 件の呼び出しを実行します。管理元"
            ),
            lang,
        )?;
        let mut failures = Vec::new();
        for plan in to_apply {
            let Ok((sdk, _, steps)) = &plan.reached else { continue };
            let live = &plan.live;
            let (writer, _) = match write_guard::writer(sdk, &plan.account.id).await {
                Ok(writer) => writer,
                Err(error) => {
                    failures.push(format!("{live}: {error:#}"));
                    continue;
                }
            };
            let (done, failed) = org_roles::apply(&writer, steps).await;
            for step in &steps[..done] {
                let step = step.describe();
                println!("{}", tr!(lang, "  done: [{live}] {step}", "  完了: [{live}] {step}"));
            }
            if let Some(error) = failed {
                let left = steps.len() - done - 1;
                failures.push(format!(
                    "{live}: {}: {error} ({left} later call(s) not attempted)",
                    steps[done].describe()
                ));
            }
        }
        if !failures.is_empty() {
            anyhow::bail!("failed: {}", failures.join("; "));
        }
        println!(
            "{}",
            tr!(
                lang,
                "Applied {count} call(s) in {accounts} account(s).",
                "{accounts} アカウントで {count} 件の呼び出しを実行しました。"
            )
        );
        Ok(unreached == 0)
    })
}

async fn partition_of(sdk: &SdkConfig, cx: &Cx) -> anyhow::Result<String> {
    let identity = guardline_collect::services::sts::caller_identity(cx, sdk)
        .await
        .map_err(|error| anyhow::anyhow!("identifying the account: {error}"))?;
    Ok(identity.partition)
}

/// The plan as shown before anything is written, in `lang`: what should exist, then each call with its policy.
pub fn render_plan(
    live: &LiveAccount,
    management: &str,
    desired: &Desired,
    steps: &[Step],
    lang: &str,
) -> String {
    let mut out = String::new();
    match desired {
        Desired::Roles(roles) => {
            out.push_str(&tr!(
                lang,
                "Member account: switch roles trusting only the management account {management}, with MFA.\n",
                "メンバーアカウント: 管理アカウント {management} だけを MFA 付きで信頼するスイッチロール。\n"
            ));
            for role in roles {
                let policy = role.managed_policy.clone().unwrap_or_else(|| {
                    tr!(
                        lang,
                        "none: the profile's switch-role-policies names none; attach one yourself",
                        "なし: プロファイルの switch-role-policies に指定がありません。自分でアタッチしてください"
                    )
                });
                let name = &role.name;
                out.push_str(&tr!(
                    lang,
                    "  role {name}: policy {policy}\n",
                    "  ロール {name}: ポリシー {policy}\n"
                ));
            }
        }
        Desired::Groups(groups) => {
            out.push_str(&tr!(
                lang,
                "Management account: groups whose members may switch into the roles of every member account.\n",
                "管理アカウント: メンバーが全メンバーアカウントのロールへスイッチできるグループ。\n"
            ));
            for group in groups {
                let (name, role) = (&group.name, &group.role);
                out.push_str(&tr!(
                    lang,
                    "  group {name}: may assume role {role}\n",
                    "  グループ {name}: ロール {role} を引き受け可能\n"
                ));
            }
        }
    }
    if steps.is_empty() {
        out.push_str(&tr!(
            lang,
            "Nothing to do: account {live} already matches.\n",
            "することはありません: アカウント {live} はすでに一致しています。\n"
        ));
        return out;
    }
    let count = steps.len();
    out.push_str(&tr!(
        lang,
        "Plan: {count} call(s) in account {live}:\n",
        "プラン: アカウント {live} で {count} 件の呼び出し:\n"
    ));
    for (index, step) in steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} ({})", index + 1, step.describe(), step.action());
        if let Some(document) = step.document() {
            let pretty = serde_json::to_string_pretty(document).unwrap_or_default();
            for line in pretty.lines() {
                let _ = writeln!(out, "       {line}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Acme Prod (Tokyo)"), "acme-prod-tokyo");
        assert_eq!(slug("--"), "");
        assert_eq!(slug("ステージング stg"), "stg");
    }

    fn account(id: &str, name: &str) -> OrgAccount {
        OrgAccount {
            id: id.to_owned(),
            name: name.to_owned(),
            email: String::new(),
            status: "ACTIVE".to_owned(),
            ou_path: "Root".to_owned(),
            ou_ids: Vec::new(),
            tags: Default::default(),
        }
    }

    #[test]
    fn accounts_whose_names_slug_alike_get_distinct_profiles() {
        let accounts = [
            account("111111111111", "本番 payments"),
            account("222222222222", "検証 payments"),
            account("333333333333", "Acme Shared"),
        ];
        let roles = ["admin".to_owned()];
        let entries = entries(&Config::default(), &accounts, "999999999999", "aws", &roles).unwrap();
        let names: Vec<String> = entries.iter().map(Entry::profile_name).collect();
        assert_eq!(
            names,
            ["acme-shared-admin", "payments-111111111111-admin", "payments-222222222222-admin"]
        );
    }

    #[test]
    fn profile_names_that_still_collide_are_refused() {
        let accounts = [account("111111111111", "a"), account("222222222222", "a admin")];
        let roles = ["admin".to_owned(), "admin-admin".to_owned()];
        let roles = &roles[..];
        let error = entries(&Config::default(), &accounts, "999999999999", "aws", roles).unwrap_err();
        assert!(format!("{error}").contains("would both get the profile [profile a-admin-admin]"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_0600_config_is_written_through_its_link_and_stays_0600() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let dotfiles = dir.path().join("dotfiles");
        let aws = dir.path().join("home/.aws");
        std::fs::create_dir_all(&dotfiles).unwrap();
        std::fs::create_dir_all(&aws).unwrap();
        let target = dotfiles.join("aws-config");
        std::fs::write(&target, "[default]\nregion = ap-northeast-1\n").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = aws.join("config");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        // A planted file at the old fixed temporary name must not be written through.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        std::os::unix::fs::symlink(&victim, aws.join("config.guardline-tmp")).unwrap();

        let backup = write_config(&link, "[profile x]\n", true).unwrap().unwrap();

        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "[profile x]\n");
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&target), 0o600);
        assert_eq!(mode(&backup), 0o600);
        assert_eq!(std::fs::read_to_string(&backup).unwrap(), "[default]\nregion = ap-northeast-1\n");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        let left: Vec<String> = std::fs::read_dir(&dotfiles)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["aws-config"], "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_config_is_0600() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".aws/config");
        assert!(write_config(&path, "[profile x]\n", false).unwrap().is_none());
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn colors() {
        assert_eq!(color_for("production"), "F2B0A9");
        assert_eq!(color_for("acme-nonprod"), "B7CA9D");
        assert_eq!(color_for("acme-stg"), "FBC8AA");
        assert_eq!(color_for("shared-services"), "83D4E8");
    }

    #[test]
    fn merge_keeps_everything_outside_the_block() {
        let user = "[default]\nregion = ap-northeast-1\n\n[profile mine]  # keep me\nregion=us-east-1\r\n";
        let first = merge(user, &format!("{BEGIN_MARKER}\n[profile a-admin]\n{END_MARKER}\n")).unwrap();
        assert!(first.starts_with(user));
        let tail = "\n[profile after]\nx = 1";
        let with_tail = format!("{first}{tail}");
        let second =
            merge(&with_tail, &format!("{BEGIN_MARKER}\n[profile b-admin]\n{END_MARKER}\n")).unwrap();
        assert_eq!(second, format!("{user}\n{BEGIN_MARKER}\n[profile b-admin]\n{END_MARKER}\n{tail}"));
        assert!(
            merge("[profile b-admin]\n", &format!("{BEGIN_MARKER}\n[profile b-admin]\n{END_MARKER}\n"))
                .is_err()
        );
        assert!(merge(&format!("{BEGIN_MARKER}\n"), "x").is_err());
    }
}
