//! AWS Organizations: the organization the account belongs to (`organizations:DescribeOrganization`), and
//! its centralised root access as IAM reports it (`iam:ListOrganizationsFeatures`). The organization's
//! accounts are listed by `crate::org` (`scan --org`, `org switch-roles`).

use aws_config::SdkConfig;
use guardline_model::CollectError;
use guardline_model::inventory::organizations::{Organization, RootAccess};

use super::GlobalPart;
use crate::cx::Cx;
use crate::error::malformed;

/// Error codes that mean "this account is not in an organization": data, not an error.
const NOT_IN_USE: &[&str] = &["AWSOrganizationsNotInUseException"];

/// The organization of the account, and its centralised root access.
pub async fn collect(cx: &Cx, config: &SdkConfig) -> GlobalPart {
    let client = aws_sdk_organizations::Client::new(config);
    let iam = aws_sdk_iam::Client::new(config);
    let (organization, root_access) = futures::join!(organization(cx, &client), root_access(cx, &iam));
    let (organization, root_access) = (organization.into(), root_access.into());
    Box::new(move |global| {
        global.organization = organization;
        global.root_access = root_access;
    })
}

/// `iam:ListOrganizationsFeatures` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOrganizationsFeatures.html):
/// the enabled centralised root access features. An account that is not the management account or the
/// delegated administrator, or is in no organization, cannot see them (`None`); an organization without
/// IAM's trusted access, or with consolidated billing only, has none.
async fn root_access(cx: &Cx, iam: &aws_sdk_iam::Client) -> Result<Option<RootAccess>, CollectError> {
    match cx.call("iam:ListOrganizationsFeatures", iam.list_organizations_features().send()).await {
        Ok(answer) => Ok(Some(RootAccess {
            enabled_features: answer
                .enabled_features()
                .iter()
                .map(|feature| feature.as_str().to_owned())
                .collect(),
            unavailable_because: None,
        })),
        Err(error) => {
            let code = error.code.as_deref().unwrap_or_default().trim_end_matches("Exception");
            match code {
                "AccountNotManagementOrDelegatedAdministrator" | "OrganizationNotFound" => Ok(None),
                "ServiceAccessNotEnabled" | "OrganizationNotInAllFeaturesMode" => Ok(Some(RootAccess {
                    enabled_features: Vec::new(),
                    unavailable_because: Some(format!("{code}: {}", error.message)),
                })),
                _ => Err(error),
            }
        }
    }
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
