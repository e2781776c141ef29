//! Section 2: security hardening.

mod helpers;

pub mod access_analyzer_missing;
pub mod account_public_access_block_off;
pub mod bucket_public;
pub mod config_baseline_rules_missing;
pub mod config_changes_not_notified;
pub mod config_not_recording;
pub mod console_user_without_mfa;
pub mod external_access_found;
pub mod inspector_disabled;
pub mod root_access_key;
pub mod root_mfa_disabled;
pub mod root_mfa_not_hardware;
pub mod security_group_open_to_world;
pub mod security_hub_disabled;
pub mod unexplained_failed_control;
pub mod unused_iam_user;
pub mod user_access_key;
pub mod weak_password_policy;
