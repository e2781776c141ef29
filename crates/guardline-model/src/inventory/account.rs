//! Account settings (`account:GetAlternateContact`).

use serde::{Deserialize, Serialize};

/// An alternate contact of the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlternateContact {
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
}
