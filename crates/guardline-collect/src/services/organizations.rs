//! AWS Organizations: the organization the account belongs to (`organizations:DescribeOrganization`). The
//! organization's accounts are listed by `crate::org` (`scan --org`, `org switch-roles`).

use aws_config::SdkConfig;
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
