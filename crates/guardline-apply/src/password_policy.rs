//! The IAM-007 fix's password policy: the stricter of the account's current policy and the profile's
//! minimums, field by field, keeping what the profile does not manage.
//!
//! `UpdateAccountPasswordPolicy` replaces the whole policy, and a parameter left out resets to its default
//! ("If you do not specify a value for a parameter, then the operation uses the default value":
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html>). Sending only
//! the profile's values would therefore lower a 20-character minimum to 14 and drop `MaxPasswordAge`,
//! `PasswordReusePrevention` and `HardExpiry`. [`merged`] reads the current policy first and never weakens a
//! field.

use aws_sdk_iam::types::PasswordPolicy;
use guardline_config::PasswordMinimums;

/// The policy [`merged`] asks for: every field `UpdateAccountPasswordPolicy` takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredPolicy {
    pub min_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub allow_users_to_change_password: bool,
    /// Days; `None`: passwords do not expire.
    pub max_age_days: Option<u32>,
    pub reuse_prevention: Option<u32>,
    pub hard_expiry: bool,
}

/// The stricter of `current` and `minimums`, field by field:
/// - minimum length and reuse prevention: the larger;
/// - each character-class requirement: required if either requires it;
/// - maximum age: the shorter of the two, and the current one when the profile sets none (an expiry the
///   account has is never removed);
/// - `HardExpiry` (not managed by the profile): kept as it is;
/// - `AllowUsersToChangePassword`: kept when a policy exists, else allowed (IAM users can then rotate their
///   own passwords, which an expiry needs).
pub fn merged(current: Option<&PasswordPolicy>, minimums: &PasswordMinimums) -> DesiredPolicy {
    let current_u32 =
        |value: Option<i32>| value.and_then(|value| u32::try_from(value).ok()).filter(|v| *v > 0);
    let max_age_days =
        match (current.and_then(|policy| current_u32(policy.max_password_age())), minimums.max_age_days) {
            (Some(current), Some(wanted)) => Some(current.min(wanted)),
            (current, wanted) => current.or(wanted),
        };
    let reuse_prevention = match (
        current.and_then(|policy| current_u32(policy.password_reuse_prevention())),
        minimums.reuse_prevention,
    ) {
        (Some(current), Some(wanted)) => Some(current.max(wanted)),
        (current, wanted) => current.or(wanted),
    };
    DesiredPolicy {
        min_length: current
            .and_then(|policy| current_u32(policy.minimum_password_length()))
            .unwrap_or(0)
            .max(minimums.min_length),
        require_symbols: minimums.require_symbols || current.is_some_and(PasswordPolicy::require_symbols),
        require_numbers: minimums.require_numbers || current.is_some_and(PasswordPolicy::require_numbers),
        require_uppercase: minimums.require_uppercase
            || current.is_some_and(PasswordPolicy::require_uppercase_characters),
        require_lowercase: minimums.require_lowercase
            || current.is_some_and(PasswordPolicy::require_lowercase_characters),
        allow_users_to_change_password: current.is_none_or(PasswordPolicy::allow_users_to_change_password),
        max_age_days,
        reuse_prevention,
        hard_expiry: current.and_then(PasswordPolicy::hard_expiry).unwrap_or(false),
    }
}

/// Whether `current` already is `desired` (then nothing is written).
pub fn is_current(current: Option<&PasswordPolicy>, desired: &DesiredPolicy) -> bool {
    current.is_some_and(|current| merged(Some(current), &unrestrictive()) == *desired)
}

/// Minimums that require nothing: merging them with a policy reads the policy back unchanged.
fn unrestrictive() -> PasswordMinimums {
    PasswordMinimums {
        min_length: 0,
        require_symbols: false,
        require_numbers: false,
        require_uppercase: false,
        require_lowercase: false,
        max_age_days: None,
        reuse_prevention: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> PasswordMinimums {
        PasswordMinimums {
            min_length: 14,
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            max_age_days: None,
            reuse_prevention: Some(24),
        }
    }

    #[test]
    fn a_stricter_account_policy_is_never_weakened() {
        let current = PasswordPolicy::builder()
            .minimum_password_length(20)
            .require_symbols(true)
            .max_password_age(60)
            .password_reuse_prevention(24)
            .hard_expiry(true)
            .allow_users_to_change_password(false)
            .build();
        let desired = merged(Some(&current), &profile());
        assert_eq!(
            desired,
            DesiredPolicy {
                min_length: 20,
                require_symbols: true,
                require_numbers: true,
                require_uppercase: true,
                require_lowercase: true,
                allow_users_to_change_password: false,
                max_age_days: Some(60),
                reuse_prevention: Some(24),
                hard_expiry: true,
            }
        );
    }

    #[test]
    fn the_profile_raises_what_is_weaker_and_the_shorter_expiry_wins() {
        let current = PasswordPolicy::builder().minimum_password_length(8).max_password_age(365).build();
        let mut minimums = profile();
        minimums.max_age_days = Some(90);
        let desired = merged(Some(&current), &minimums);
        assert_eq!(desired.min_length, 14);
        assert_eq!(desired.max_age_days, Some(90));
        assert_eq!(desired.reuse_prevention, Some(24));
        assert!(!is_current(Some(&current), &desired));
    }

    #[test]
    fn without_a_policy_the_profile_is_the_policy() {
        let desired = merged(None, &profile());
        assert_eq!(desired.min_length, 14);
        assert!(desired.allow_users_to_change_password);
        assert_eq!(desired.max_age_days, None);
        assert!(!desired.hard_expiry);
        assert!(!is_current(None, &desired));
    }

    #[test]
    fn a_policy_that_meets_the_profile_is_current() {
        let current = PasswordPolicy::builder()
            .minimum_password_length(16)
            .require_symbols(true)
            .require_numbers(true)
            .require_uppercase_characters(true)
            .require_lowercase_characters(true)
            .allow_users_to_change_password(true)
            .password_reuse_prevention(24)
            .build();
        assert!(is_current(Some(&current), &merged(Some(&current), &profile())));
    }
}
