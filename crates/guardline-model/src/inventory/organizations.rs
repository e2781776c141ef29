//! AWS Organizations: the organization the account belongs to (`organizations:DescribeOrganization`).

use serde::{Deserialize, Serialize};

/// The organization of the scanned account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// `o-...`.
    pub id: String,
    /// The management (formerly "master") account's 12-digit ID.
    pub management_account_id: String,
}

impl Organization {
    /// Whether `account_id` is the organization's management account.
    pub fn is_management(&self, account_id: &str) -> bool {
        self.management_account_id == account_id
    }
}

/// Centralised root access of the organization (`iam:ListOrganizationsFeatures`), as the management account
/// or IAM's delegated administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootAccess {
    /// `RootCredentialsManagement`, `RootSessions`.
    pub enabled_features: Vec<String>,
    /// Why no feature can be on: IAM's trusted access is not enabled in Organizations
    /// (`ServiceAccessNotEnabled`), or the organization has consolidated billing only
    /// (`OrganizationNotInAllFeaturesMode`).
    #[serde(default)]
    pub unavailable_because: Option<String>,
}
