//! The safety model every write command shares: show the target account (ID and alias) and the plan, check
//! the config's pin, and change nothing without `--apply` and a confirmation; then write only with the
//! checked identity ([`writer`]).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context as _;
use aws_config::SdkConfig;
use guardline_config::{Config, LiveAccount, PinMatch, check_member_target, check_write_target};

use crate::args::WriteArgs;
use crate::lang::tr;

/// The target account, as the plan's first lines show it, in `lang`.
pub fn target_line(live: &LiveAccount, lang: &str) -> String {
    tr!(lang, "Target account: {live}", "対象アカウント: {live}")
}

/// Checks the pin before anything is written; `alias_created_by_plan` is the alias the plan itself creates.
/// The error says why the write is refused.
pub fn check_pin(
    config: &Config,
    live: &LiveAccount,
    args: &WriteArgs,
    alias_created_by_plan: Option<&str>,
) -> anyhow::Result<PinMatch> {
    check_write_target(config, live, args.account_id.as_deref(), alias_created_by_plan)
        .map_err(|error| anyhow::anyhow!("refused, nothing was changed: {error}"))
}

/// The pin of one account of an organisation-wide write: the management account (`hub_id`, the one the
/// operator's credentials reach) as a single account's ([`check_pin`]); a member by the organisation's
/// listing, which named it `listed_id` ([`check_member_target`]).
pub fn org_pin(
    config: &Config,
    args: &WriteArgs,
    hub_id: &str,
    live: &LiveAccount,
    listed_id: &str,
    alias_created_by_plan: Option<&str>,
) -> anyhow::Result<PinMatch> {
    if live.id == hub_id {
        return check_pin(config, live, args, alias_created_by_plan);
    }
    check_member_target(config, live, listed_id, alias_created_by_plan)
        .map_err(|error| anyhow::anyhow!("refused, nothing was changed: {error}"))
}

/// Refuses an organisation-wide write as a whole when the pin of any account it would write to is refused
/// (`refused`: one line per account, naming it and why).
pub fn refuse_if_any(refused: &[String]) -> anyhow::Result<()> {
    if refused.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "refused, nothing was changed in any account: the write to these accounts is refused:\n{}\nFix their \
         pins, or leave them out with --exclude ID.",
        refused.join("\n")
    )
}

/// The pin line of a plan: how it matched, or why `--apply` would be refused, in `lang`.
pub fn pin_or_refusal(pin: &anyhow::Result<PinMatch>, lang: &str) -> String {
    match pin {
        Ok(matched) => pin_line(matched, lang),
        Err(error) => tr!(lang, "--apply would be {error:#}", "--apply は次の理由で拒否されます: {error:#}"),
    }
}

/// How the pin matched, for the plan's header, in `lang`.
pub fn pin_line(pin: &PinMatch, lang: &str) -> String {
    match pin {
        PinMatch::Pinned { line } => tr!(
            lang,
            "Pinned by the config's [[accounts]] entry at line {line}.",
            "設定ファイルの {line} 行目の [[accounts]] で固定されています。"
        ),
        PinMatch::PinnedAliasCreatedByPlan { line } => tr!(
            lang,
            "Pinned by the config's [[accounts]] entry at line {line}; its alias is created by this plan.",
            "設定ファイルの {line} 行目の [[accounts]] で固定されています。そのエイリアスはこのプランで作成します。"
        ),
        PinMatch::ConfirmedOnCommandLine => {
            tr!(lang, "Confirmed with --account-id.", "--account-id で確認済みです。")
        }
        PinMatch::Listed => tr!(
            lang,
            "Pinned by the organisation's listing (the member role reaches the listed account).",
            "組織のアカウント一覧で固定されています(メンバーロールは一覧にあるアカウントに到達します)。"
        ),
    }
}

/// Asks the operator to confirm `what` on a terminal (in `lang`), unless `--yes`. Without a terminal, `--yes`
/// is required: a write never proceeds on an unanswered prompt.
pub fn confirm(args: &WriteArgs, live: &LiveAccount, what: &str, lang: &str) -> anyhow::Result<()> {
    if args.yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        anyhow::bail!("refused, nothing was changed: --apply without a terminal to confirm on needs --yes");
    }
    let mut stderr = std::io::stderr();
    let prompt = tr!(
        lang,
        "{what} in account {live}? Type the account ID to confirm: ",
        "アカウント {live} で{what}か? 確認のためアカウント ID を入力してください: "
    );
    write!(stderr, "{prompt}").context("prompting")?;
    stderr.flush().context("prompting")?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).context("reading the confirmation")?;
    if answer.trim() != live.id {
        anyhow::bail!("refused, nothing was changed: the confirmation did not match {}", live.id);
    }
    Ok(())
}

/// The account `sdk`'s credentials reach now (ID and alias), read from AWS: the target every write shows and
/// checks.
pub async fn identify(sdk: &SdkConfig) -> anyhow::Result<LiveAccount> {
    guardline_apply::target::identify(sdk).await.map_err(|error| unidentified(error, sdk))
}

/// The account could not be identified: why, in words, with what to do
/// ([`guardline_collect::CollectFailure::Identity`]'s wording, which names what was tried).
pub fn unidentified(error: guardline_model::CollectError, sdk: &SdkConfig) -> anyhow::Error {
    anyhow::anyhow!(
        "{}",
        guardline_collect::CollectFailure::Identity(guardline_collect::at_endpoint(error, sdk))
    )
}

/// The identity that writes: `sdk` pinned to the checked account `account_id`
/// ([`guardline_apply::target::pinned`]) and identified again now, after the confirmation. Returns it with the
/// account (ID and alias) it reaches; an error refuses the write before anything is written.
pub async fn writer(sdk: &SdkConfig, account_id: &str) -> anyhow::Result<(SdkConfig, LiveAccount)> {
    let pinned = guardline_apply::target::pinned(sdk, account_id);
    let now = guardline_apply::target::identify(&pinned)
        .await
        .map_err(|error| anyhow::anyhow!("refused, nothing was changed: {error}"))?;
    if now.id != account_id {
        anyhow::bail!(
            "refused, nothing was changed: the credentials now reach account {}, not the checked account \
             {account_id}",
            now.id
        );
    }
    Ok((pinned, now))
}
