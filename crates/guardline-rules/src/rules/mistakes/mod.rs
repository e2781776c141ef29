//! Section 3: preventing mistakes by the people who operate the accounts.

pub mod account_alias_missing;
pub mod security_contact_missing;
