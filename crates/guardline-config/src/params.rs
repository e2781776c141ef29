//! [`Params`]: the knobs individual controls read, with the seed guideline's own choices as defaults.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ProductionTag;

/// A tag key and the values that select a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TagMatch {
    pub key: String,
    /// Matched case-insensitively.
    pub values: Vec<String>,
}

impl TagMatch {
    /// Whether `tags` carry this key with one of the values.
    pub fn matches(&self, tags: &BTreeMap<String, String>) -> bool {
        tags.get(&self.key).is_some_and(|value| self.values.iter().any(|v| v.eq_ignore_ascii_case(value)))
    }
}

/// Which regions a per-region control requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RegionScope {
    /// Every region in the scan.
    All,
    /// Only the home region.
    Home,
}

/// The password policy's required minimums (IAM-007).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PasswordMinimums {
    pub min_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    /// The policy must expire passwords after at most this many days; `None`: expiry not required.
    pub max_age_days: Option<u32>,
    /// The policy must prevent reuse of at least this many previous passwords; `None`: not required.
    pub reuse_prevention: Option<u32>,
}

impl Default for PasswordMinimums {
    /// CIS AWS Foundations 1.8/1.9: at least 14 characters, no reuse of the last 24.
    fn default() -> Self {
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
}

/// Per-control parameters of a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Params {
    /// IAM-006: a user unused for this many days fails.
    pub unused_user_days: u32,
    /// GUARDDUTY-002 (and `watch`): findings at or above this severity must be routed.
    pub guardduty_severity_threshold: f64,
    /// The region the guideline treats as home (the seed: Tokyo); GUARDDUTY-001 always requires it.
    pub home_region: String,
    /// GUARDDUTY-001: every region, or only the home region.
    pub guardduty_regions: RegionScope,
    /// SCHED-001: instances that must be stopped off hours (development, staging, sandbox, the CLI instance).
    pub nonprod_tag: TagMatch,
    /// SCHED-002 and the scheduler's guard: instances that are never stopped (matched fail-safe, see
    /// [`ProductionTag`]).
    pub production_tag: ProductionTag,
    /// EC2-001: administration ports that must not be open to the world, checked over TCP, in addition to
    /// SSH (22) and RDP (3389, TCP and UDP), which EC2-001 always checks: listing other ports here does not
    /// stop it checking those two.
    pub admin_ports: Vec<u16>,
    /// IAM-007.
    pub password_policy: PasswordMinimums,
    /// HUB-002: Security Hub controls (e.g. `IAM.6`) the profile does not adopt, each with its reason.
    pub security_hub_not_adopted: BTreeMap<String, String>,
    /// ORG-002/003 and `guardline org`: the switch roles every member account must have (seed 3-2:
    /// administrators, engineers, viewers), matched case-insensitively by role name, or (ORG-002/003) by
    /// the permission set name of an IAM Identity Center role (`AWSReservedSSO_<permission set>_<suffix>`).
    pub switch_roles: Vec<String>,
    /// `guardline org plan-roles`: the managed policy attached to each switch role it creates, by role name
    /// (a role not listed gets no policy; the plan says so). Replaces the defaults as a whole when set.
    pub switch_role_policies: BTreeMap<String, String>,
    /// COST-002: the organization's management (payer) account keeps the budgets, so a member account,
    /// which sees only its own budgets, passes without one (the finding names the management account).
    /// Changes nothing in the management account itself or in an account outside an organization.
    pub budgets_in_management_account: bool,
    /// ORG-001..005: an account in no AWS Organization fails them (the guideline, 3-2, manages every account
    /// from a management account) instead of being NOT APPLICABLE, the default for a standalone account.
    pub require_organization: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            unused_user_days: 90,
            guardduty_severity_threshold: 7.0,
            home_region: "ap-northeast-1".to_owned(),
            guardduty_regions: RegionScope::All,
            nonprod_tag: TagMatch {
                key: "Environment".to_owned(),
                values: ["dev", "development", "stg", "staging", "sandbox", "cli"]
                    .map(str::to_owned)
                    .to_vec(),
            },
            production_tag: ProductionTag::default(),
            admin_ports: vec![22, 3389],
            password_policy: PasswordMinimums::default(),
            security_hub_not_adopted: BTreeMap::new(),
            switch_roles: ["admin", "engineer", "viewer"].map(str::to_owned).to_vec(),
            switch_role_policies: [
                ("admin", "arn:aws:iam::aws:policy/AdministratorAccess"),
                ("engineer", "arn:aws:iam::aws:policy/PowerUserAccess"),
                ("viewer", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
            ]
            .map(|(role, policy)| (role.to_owned(), policy.to_owned()))
            .into(),
            budgets_in_management_account: false,
            require_organization: false,
        }
    }
}
