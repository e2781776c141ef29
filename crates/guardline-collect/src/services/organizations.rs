//! AWS Organizations: the organization the account belongs to (`organizations:DescribeOrganization`), and
//! the organization's accounts for `guardline org switch-roles` (`organizations:ListAccounts`, management
//! account only; not part of a scan).

use aws_config::SdkConfig;
use aws_sdk_organizations::types::AccountStatus;
use guardline_model::CollectError;
use guardline_model::inventory::organizations::Organization;

use super::GlobalPart;
use crate::cx::Cx;
use crate::error::malformed;

/// Error codes that mean "this account is not in an organization": data, not an error.
const NOT_IN_USE: &[&str] = &["AWSOrganizationsNotInUseException"];

/// The organization of the account.
pub async fn collect(cx: &Cx, config: &SdkConfig) -> GlobalPart {
    let client = aws_sdk_organizations::Client::new(config);
    let organization = organization(cx, &client).await.into();
    Box::new(move |global| global.organization = organization)
}

/// The account's organization, for commands outside a scan.
pub async fn describe(cx: &Cx, config: &SdkConfig) -> Result<Option<Organization>, CollectError> {
    organization(cx, &aws_sdk_organizations::Client::new(config)).await
}

/// `organizations:DescribeOrganization`; `AWSOrganizationsNotInUseException` means the account is in none.
pub async fn organization(
    cx: &Cx,
    client: &aws_sdk_organizations::Client,
) -> Result<Option<Organization>, CollectError> {
    const ACTION: &str = "organizations:DescribeOrganization";
    let answer = match cx.call(ACTION, client.describe_organization().send()).await {
        Ok(answer) => answer,
        Err(error) if error.code.as_deref().is_some_and(|code| NOT_IN_USE.contains(&code)) => {
            return Ok(None);
        }
        Err(error) => return Err(error),
    };
    let organization =
        answer.organization().ok_or_else(|| malformed(ACTION, "the answer has no Organization"))?;
    let id = organization.id().ok_or_else(|| malformed(ACTION, "the organization has no Id"))?;
    let management = organization
        .master_account_id()
        .ok_or_else(|| malformed(ACTION, "the organization has no MasterAccountId"))?;
    Ok(Some(Organization { id: id.to_owned(), management_account_id: management.to_owned() }))
}

/// One account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// `organizations:ListAccounts` (paginated): the organization's active accounts, sorted by name. Only the
/// management account (or a delegated administrator) may call it.
pub async fn accounts(cx: &Cx, config: &SdkConfig) -> Result<Vec<OrgAccount>, CollectError> {
    let client = aws_sdk_organizations::Client::new(config);
    let pages = cx
        .call(
            "organizations:ListAccounts",
            client.list_accounts().into_paginator().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    let mut accounts: Vec<OrgAccount> = pages
        .iter()
        .flat_map(|page| page.accounts())
        .filter(|account| account.status().is_none_or(|status| *status == AccountStatus::Active))
        .filter_map(|account| {
            Some(OrgAccount {
                id: account.id()?.to_owned(),
                name: account.name().unwrap_or_default().to_owned(),
                email: account.email().unwrap_or_default().to_owned(),
            })
        })
        .collect();
    accounts.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    Ok(accounts)
}
