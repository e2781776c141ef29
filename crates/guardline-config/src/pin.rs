//! The account pin that every write action checks before it changes anything (seed 3: acting on the wrong
//! account is the incident to prevent).
//!
//! An `[[accounts]]` entry with an `id` pins that account; with an `alias` too, the live account's alias must
//! be that alias. A config that pins no account by ID makes the operator confirm the ID on the command line
//! (`--account-id`) instead.

use crate::Config;

/// The account the credentials actually reach: what STS and IAM say, not what the config says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAccount {
    pub id: String,
    pub alias: Option<String>,
}

impl std::fmt::Display for LiveAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.alias {
            Some(alias) => write!(f, "{} ({alias})", self.id),
            None => write!(f, "{} (no alias)", self.id),
        }
    }
}

/// Why a write may go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinMatch {
    /// The `[[accounts]]` entry at this line pins the live account's ID (and alias, if it names one).
    Pinned { line: usize },
    /// The entry pins the ID and an alias the account does not have yet, which the plan itself creates.
    PinnedAliasCreatedByPlan { line: usize },
    /// No entry pins any account by ID; the operator confirmed the live ID with `--account-id`.
    ConfirmedOnCommandLine,
    /// A member of the organisation (`fix --org`, `org plan-roles --org`): reached through the member role of
    /// the organisation's own listing, which named this ID; no `[[accounts]]` entry names an alias for it.
    Listed,
}

/// Why a write is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("--account-id {confirmed} does not match the account the credentials reach: {live}")]
    ConfirmationMismatch { confirmed: String, live: LiveAccount },
    #[error(
        "the account the credentials reach, {live}, is not pinned in the config ([[accounts]] entries with an \
         id pin {pinned}); refusing to write to an account the config does not name"
    )]
    NotPinned { live: LiveAccount, pinned: String },
    #[error(
        "the config pins account {id} to alias {expected:?} (line {line}), but its live alias is {actual}; \
         refusing: the credentials may reach the wrong account"
    )]
    AliasMismatch { id: String, expected: String, actual: String, line: usize },
    /// The pinned alias is not set yet and this plan does not create it: ACCOUNT-001's fix does.
    #[error(
        "the config pins account {id} to alias {expected:?} (line {line}), but the account has no alias yet; \
         create it first with `guardline fix --only ACCOUNT-001 --apply` (it sets the pinned alias), then run \
         this again"
    )]
    AliasNotCreatedYet { id: String, expected: String, line: usize },
    #[error(
        "the organisation lists account {listed}, but its member role's credentials reach {live}; refusing: \
         the role may lead to the wrong account"
    )]
    NotTheListedAccount { listed: String, live: LiveAccount },
    #[error(
        "the config pins no account by ID; confirm the target with --account-id {id} (the account the \
         credentials reach: {live})"
    , id = live.id)]
    Unconfirmed { live: LiveAccount },
}

/// Checks that a write may act on `live`. `confirmed_id` is `--account-id`; `alias_created_by_plan` is the
/// alias the plan about to run creates, if any.
pub fn check_write_target(
    config: &Config,
    live: &LiveAccount,
    confirmed_id: Option<&str>,
    alias_created_by_plan: Option<&str>,
) -> Result<PinMatch, PinError> {
    if let Some(confirmed) = confirmed_id
        && confirmed != live.id
    {
        return Err(PinError::ConfirmationMismatch { confirmed: confirmed.to_owned(), live: live.clone() });
    }
    let pins: Vec<_> = config.accounts.iter().filter(|entry| entry.id.is_some()).collect();
    if pins.is_empty() {
        return match confirmed_id {
            Some(_) => Ok(PinMatch::ConfirmedOnCommandLine),
            None => Err(PinError::Unconfirmed { live: live.clone() }),
        };
    }
    let Some(entry) = pins.iter().find(|entry| entry.id.as_deref() == Some(live.id.as_str())) else {
        let pinned = pins
            .iter()
            .map(|entry| match &entry.alias {
                Some(alias) => format!("{} ({alias})", entry.id.as_deref().unwrap_or_default()),
                None => entry.id.clone().unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        return Err(PinError::NotPinned { live: live.clone(), pinned });
    };
    alias_check(entry, live, alias_created_by_plan)
}

/// Whether `live`'s alias is the one `entry` pins (or the one the plan creates).
fn alias_check(
    entry: &crate::AccountEntry,
    live: &LiveAccount,
    alias_created_by_plan: Option<&str>,
) -> Result<PinMatch, PinError> {
    let line = entry.line;
    match (&entry.alias, &live.alias) {
        (None, _) => Ok(PinMatch::Pinned { line }),
        (Some(expected), Some(actual)) if expected == actual => Ok(PinMatch::Pinned { line }),
        (Some(expected), None) if alias_created_by_plan == Some(expected.as_str()) => {
            Ok(PinMatch::PinnedAliasCreatedByPlan { line })
        }
        (Some(expected), None) => {
            Err(PinError::AliasNotCreatedYet { id: live.id.clone(), expected: expected.clone(), line })
        }
        (Some(expected), Some(actual)) => Err(PinError::AliasMismatch {
            id: live.id.clone(),
            expected: expected.clone(),
            actual: actual.clone(),
            line,
        }),
    }
}

/// Checks that an organisation-wide write may act on member `live`, which the organisation's listing named
/// `listed_id`: the member role must reach that very account, and where an `[[accounts]]` entry pins the ID
/// with an alias, the alias must match as for a single account. The management account itself goes through
/// [`check_write_target`].
pub fn check_member_target(
    config: &Config,
    live: &LiveAccount,
    listed_id: &str,
    alias_created_by_plan: Option<&str>,
) -> Result<PinMatch, PinError> {
    if live.id != listed_id {
        return Err(PinError::NotTheListedAccount { listed: listed_id.to_owned(), live: live.clone() });
    }
    match config.accounts.iter().find(|entry| entry.id.as_deref() == Some(live.id.as_str())) {
        Some(entry) => alias_check(entry, live, alias_created_by_plan),
        None => Ok(PinMatch::Listed),
    }
}

/// The alias the config pins for account `id`, if any (the alias `fix` creates for ACCOUNT-001).
pub fn pinned_alias<'a>(config: &'a Config, id: &str) -> Option<&'a str> {
    config
        .accounts
        .iter()
        .find(|entry| entry.id.as_deref() == Some(id))
        .and_then(|entry| entry.alias.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccountEntry;

    fn config(entries: &[(Option<&str>, Option<&str>)]) -> Config {
        let mut config = Config::default();
        config.accounts = entries
            .iter()
            .enumerate()
            .map(|(index, (id, alias))| AccountEntry {
                id: id.map(str::to_owned),
                alias: alias.map(str::to_owned),
                ou: None,
                tag: None,
                profile: config.default_profile.clone(),
                line: index + 1,
            })
            .collect();
        config
    }

    fn live(id: &str, alias: Option<&str>) -> LiveAccount {
        LiveAccount { id: id.to_owned(), alias: alias.map(str::to_owned) }
    }

    #[test]
    fn pinned_id_and_alias_match() {
        let config = config(&[(Some("111111111111"), Some("acme-dev"))]);
        let result = check_write_target(&config, &live("111111111111", Some("acme-dev")), None, None);
        assert_eq!(result, Ok(PinMatch::Pinned { line: 1 }));
    }

    #[test]
    fn alias_mismatch_is_refused() {
        let config = config(&[(Some("111111111111"), Some("acme-dev"))]);
        let result = check_write_target(&config, &live("111111111111", Some("acme-prod")), None, None);
        assert!(matches!(result, Err(PinError::AliasMismatch { ref actual, .. }) if actual == "acme-prod"));
    }

    #[test]
    fn unpinned_account_is_refused_when_others_are_pinned() {
        let config = config(&[(Some("111111111111"), Some("acme-dev")), (None, Some("sandbox-*"))]);
        let error =
            check_write_target(&config, &live("222222222222", Some("sandbox-1")), None, None).unwrap_err();
        assert!(matches!(error, PinError::NotPinned { .. }));
        assert!(error.to_string().contains("111111111111 (acme-dev)"), "{error}");
    }

    #[test]
    fn missing_alias_passes_only_when_the_plan_creates_the_pinned_one() {
        let config = config(&[(Some("111111111111"), Some("acme-dev"))]);
        let account = live("111111111111", None);
        assert_eq!(
            check_write_target(&config, &account, None, Some("acme-dev")),
            Ok(PinMatch::PinnedAliasCreatedByPlan { line: 1 })
        );
        let error = check_write_target(&config, &account, None, None).unwrap_err();
        assert!(matches!(error, PinError::AliasNotCreatedYet { line: 1, .. }), "{error:?}");
        assert!(
            error.to_string().contains("create it first with `guardline fix --only ACCOUNT-001 --apply`"),
            "{error}"
        );
    }

    #[test]
    fn without_pins_the_command_line_must_confirm_the_id() {
        let config = config(&[]);
        let account = live("111111111111", None);
        assert!(matches!(
            check_write_target(&config, &account, None, None),
            Err(PinError::Unconfirmed { .. })
        ));
        assert_eq!(
            check_write_target(&config, &account, Some("111111111111"), None),
            Ok(PinMatch::ConfirmedOnCommandLine)
        );
        assert!(matches!(
            check_write_target(&config, &account, Some("999999999999"), None),
            Err(PinError::ConfirmationMismatch { .. })
        ));
    }

    #[test]
    fn a_wrong_confirmation_is_refused_even_when_pinned() {
        let config = config(&[(Some("111111111111"), None)]);
        let result = check_write_target(&config, &live("111111111111", None), Some("222222222222"), None);
        assert!(matches!(result, Err(PinError::ConfirmationMismatch { .. })));
    }

    #[test]
    fn a_member_is_pinned_by_the_listing_and_checked_against_the_config_where_it_names_one() {
        let config = config(&[(Some("111111111111"), None), (Some("222222222222"), Some("acme-dev"))]);
        // Not in the config: the organisation's listing pins it, as long as the role reaches that account.
        let unnamed = live("333333333333", None);
        assert_eq!(check_member_target(&config, &unnamed, "333333333333", None), Ok(PinMatch::Listed));
        let error = check_member_target(&config, &unnamed, "444444444444", None).unwrap_err();
        assert!(matches!(error, PinError::NotTheListedAccount { .. }), "{error:?}");
        assert!(error.to_string().contains("lists account 444444444444"), "{error}");
        // Named with an alias: the alias must match, or be the one the plan creates.
        let named = live("222222222222", Some("acme-prod"));
        assert!(matches!(
            check_member_target(&config, &named, "222222222222", None),
            Err(PinError::AliasMismatch { .. })
        ));
        assert_eq!(
            check_member_target(&config, &live("222222222222", None), "222222222222", Some("acme-dev")),
            Ok(PinMatch::PinnedAliasCreatedByPlan { line: 2 })
        );
    }
}
