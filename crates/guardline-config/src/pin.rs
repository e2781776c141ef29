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
}
