//! IAM: the credential report, access keys, MFA devices, the password policy.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `iam:GetCredentialReport`, parsed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialReport {
    pub generated_at: Option<Timestamp>,
    /// The `<root_account>` row, when the report has one.
    pub root: Option<CredentialUser>,
    pub users: Vec<CredentialUser>,
}

/// One row of the credential report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialUser {
    pub user: String,
    pub arn: String,
    pub created: Option<Timestamp>,
    pub password_enabled: bool,
    pub password_last_used: Option<Timestamp>,
    pub mfa_active: bool,
    /// Access key slots 1 and 2 as the report lists them.
    pub access_keys: Vec<CredentialKey>,
}

/// One access key slot of a credential report row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialKey {
    /// 1 or 2.
    pub slot: u8,
    pub active: bool,
    pub last_rotated: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
}

/// `iam:GetAccountSummary`, the keys Guardline reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSummary {
    /// `AccountMFAEnabled`: the root user has MFA.
    pub root_mfa_enabled: bool,
    /// `AccountAccessKeysPresent`: the root user has access keys.
    pub root_access_keys_present: bool,
}

/// `iam:ListVirtualMFADevices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VirtualMfaDevice {
    pub serial_number: String,
    /// The ARN of the user it is assigned to; `arn:aws:iam::ID:root` for the root user.
    pub user_arn: Option<String>,
}

/// An IAM user's access key (`iam:ListAccessKeys`; its last use from the credential report's key column, or
/// `iam:GetAccessKeyLastUsed` where the report cannot place or describe it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    pub user_name: String,
    pub user_arn: String,
    pub access_key_id: String,
    pub active: bool,
    pub created: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    pub last_used_service: Option<String>,
    pub last_used_region: Option<String>,
}

/// How `access_keys` was read: which users' keys were listed, and what the others rely on.
///
/// IAM reuses a credential report for up to four hours, so a key created since the report is not in the row
/// of its user. Users whose row shows a key (or who have no row) are always listed; the others are listed
/// when CloudTrail's event history names them in a `CreateAccessKey` since the report, or all of them when
/// that history cannot be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyListing {
    /// Every user's keys were listed (`iam:ListAccessKeys`): nothing relies on the credential report.
    pub every_user: bool,
    /// When the credential report the unlisted users rely on was generated.
    pub report_generated_at: Option<Timestamp>,
    /// Users CloudTrail's `CreateAccessKey` events since the report name (`cloudtrail:LookupEvents`).
    #[serde(default)]
    pub created_since_report: Vec<String>,
    /// Why every user was listed although a credential report was available.
    #[serde(default)]
    pub every_user_because: Option<EveryUserReason>,
}

/// Why every user's keys were listed although a credential report was available.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case", deny_unknown_fields)]
pub enum EveryUserReason {
    /// The report has no `GeneratedTime`, so nothing can be looked up since it.
    ReportHasNoTime,
    /// The report is older than the 90 days of CloudTrail's event history.
    ReportOlderThanEventHistory,
    /// `cloudtrail:LookupEvents` failed.
    EventHistoryUnreadable { error: crate::CollectError },
}

/// The root user's credentials, audited from the organization's management account through a root session
/// (`sts:AssumeRoot` with the `IAMAuditRootUserCredentials` task policy, then `iam:GetLoginProfile`,
/// `iam:ListAccessKeys`, `iam:ListMFADevices` and `iam:ListSigningCertificates` without a user name). Only an
/// organisation scan under centralised root access reads it; it is what a member account cannot see of its
/// own root (its password).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootCredentials {
    /// The root user has a console password (a login profile).
    pub password: bool,
    /// Its active access keys' IDs.
    pub active_access_keys: Vec<String>,
    /// Its inactive access keys' IDs.
    pub inactive_access_keys: Vec<String>,
    /// Its MFA devices' serial numbers.
    pub mfa_devices: Vec<String>,
    /// How many signing certificates it has.
    pub signing_certificates: usize,
}

impl RootCredentials {
    /// No password, no key, no MFA device, no certificate: the state centralised root access leaves.
    pub fn is_empty(&self) -> bool {
        !self.password
            && self.active_access_keys.is_empty()
            && self.inactive_access_keys.is_empty()
            && self.mfa_devices.is_empty()
            && self.signing_certificates == 0
    }
}

/// `iam:GetAccountPasswordPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    pub minimum_length: Option<u32>,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub allow_users_to_change: bool,
    /// Days; `None` when passwords never expire.
    pub max_age_days: Option<u32>,
    /// How many previous passwords cannot be reused; `None` when reuse is allowed.
    pub reuse_prevention: Option<u32>,
    pub hard_expiry: bool,
}

/// An IAM role with its trust policy (`iam:GetAccountAuthorizationDetails`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub name: String,
    pub arn: String,
    pub path: String,
    /// The trust policy (`AssumeRolePolicyDocument`), decoded; `None` when the role has none.
    pub trust_policy: Option<serde_json::Value>,
}

/// Where a policy attached to a user or group comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// An inline policy (from `iam:GetAccountAuthorizationDetails`).
    Inline,
    /// A customer-managed policy, its default version's document (from
    /// `iam:GetAccountAuthorizationDetails`).
    CustomerManaged,
    /// An AWS-managed policy (`arn:aws:iam::aws:policy/...`): only its ARN is recorded, its document is not
    /// read (the rules know the few that grant everything, e.g. `AdministratorAccess`).
    AwsManaged,
}

/// One policy attached to a user or a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachedPolicy {
    /// The inline policy's name, or the managed policy's ARN.
    pub name: String,
    pub kind: PolicyKind,
    /// The decoded policy document; `None` for AWS-managed policies.
    pub document: Option<serde_json::Value>,
}

/// An IAM user's own policies and groups (`iam:GetAccountAuthorizationDetails`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPolicies {
    pub user_name: String,
    pub user_arn: String,
    /// The names of the groups the user belongs to.
    pub groups: Vec<String>,
    /// Policies attached to the user directly (inline and managed).
    pub policies: Vec<AttachedPolicy>,
}

/// An IAM group's policies (`iam:GetAccountAuthorizationDetails`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupPolicies {
    pub group_name: String,
    pub group_arn: String,
    pub policies: Vec<AttachedPolicy>,
}

/// What `iam` tells about who may assume roles: every user with their direct policies and groups, and the
/// policies of the groups those users belong to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrincipalPolicies {
    pub users: Vec<UserPolicies>,
    pub groups: Vec<GroupPolicies>,
}
