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
