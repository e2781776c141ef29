//! [`RULES`]: every control Guardline checks, in guideline order.

use crate::Rule;
use crate::rules::*;

/// All rules, in guideline order (section, then item, then ID).
#[rustfmt::skip]
pub static RULES: &[&Rule] = &[
    // 1. Cost
    &cost::cost_explorer_disabled::RULE,
    &cost::no_budget_alert::RULE,
    &cost::no_cost_anomaly_monitor::RULE,
    &cost::nonprod_instance_always_on::RULE,
    &cost::schedule_targets_production::RULE,
    // 2. Security hardening
    &security::root_mfa_disabled::RULE,
    &security::root_mfa_not_hardware::RULE,
    &security::console_user_without_mfa::RULE,
    &security::root_access_key::RULE,
    &security::user_access_key::RULE,
    &security::config_not_recording::RULE,
    &security::config_changes_not_notified::RULE,
    &security::config_baseline_rules_missing::RULE,
    &security::security_group_open_to_world::RULE,
    &security::account_public_access_block_off::RULE,
    &security::bucket_public::RULE,
    &security::inspector_disabled::RULE,
    &security::security_hub_disabled::RULE,
    &security::unexplained_failed_control::RULE,
    &security::unused_iam_user::RULE,
    &security::weak_password_policy::RULE,
    &security::access_analyzer_missing::RULE,
    &security::external_access_found::RULE,
    // 3. Preventing mistakes
    &mistakes::account_alias_missing::RULE,
    &mistakes::security_contact_missing::RULE,
    &org::iam_users_in_member_account::RULE,
    &org::switch_role_missing::RULE,
    &org::switch_role_trust_too_broad::RULE,
    &org::assume_role_granted_to_user::RULE,
    &org::root_access_not_centralised::RULE,
    // 4. Detection
    &detection::instance_not_managed::RULE,
    &detection::health_events_not_routed::RULE,
    &detection::guardduty_disabled::RULE,
    &detection::guardduty_findings_not_routed::RULE,
    &detection::cloudtrail_not_logging::RULE,
];

/// Controls of the guideline that this build does not check yet; a config may already name them.
pub static PLANNED: &[&str] = &[];

/// The rule with control ID `id` (case-insensitive).
pub fn find_rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.id.eq_ignore_ascii_case(id))
}
