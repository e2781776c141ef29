//! The organisation-wide fix steps `fix --org` plans (`guardline_rules::org_fix`), carried out in the
//! management account or in the delegated administrator: trusted access in Organizations, centralised root
//! access, GuardDuty's and Amazon Inspector's delegated administrators and what they enable for the members,
//! the members' SECURITY contacts.
//!
//! Like every step, each re-reads what it changes and writes only what is missing, and it never changes a
//! choice someone made: a region whose GuardDuty already has another delegated administrator is refused, not
//! re-designated.

use aws_config::SdkConfig;
use aws_sdk_account::types::AlternateContactType;
use guardline_model::{CollectError, ErrorKind};

use crate::call::call;
use crate::fix::{Writes, already_exists};

/// Enables `principal`'s trusted access in Organizations (`organizations:EnableAWSServiceAccess`) unless it
/// is on.
pub(crate) async fn trusted_access(
    config: &SdkConfig,
    principal: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    let client = aws_sdk_organizations::Client::new(config);
    let mut token = None;
    loop {
        let page = call(
            "organizations:ListAWSServiceAccessForOrganization",
            client.list_aws_service_access_for_organization().set_next_token(token.take()).send(),
        )
        .await?;
        if page
            .enabled_service_principals()
            .iter()
            .any(|enabled| enabled.service_principal() == Some(principal))
        {
            return Ok(());
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    call(
        "organizations:EnableAWSServiceAccess",
        client.enable_aws_service_access().service_principal(principal).send(),
    )
    .await?;
    writes.push(format!("organizations:EnableAWSServiceAccess {principal}"));
    Ok(())
}

/// ORG-005: IAM's trusted access, then `RootCredentialsManagement` and `RootSessions`
/// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOrganizationsRootCredentialsManagement.html).
pub(crate) async fn centralise_root_access(
    config: &SdkConfig,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    trusted_access(config, "iam.amazonaws.com", writes).await?;
    let iam = aws_sdk_iam::Client::new(config);
    let features = call("iam:ListOrganizationsFeatures", iam.list_organizations_features().send()).await?;
    let has = |wanted: &str| features.enabled_features().iter().any(|feature| feature.as_str() == wanted);
    if !has("RootCredentialsManagement") {
        call(
            "iam:EnableOrganizationsRootCredentialsManagement",
            iam.enable_organizations_root_credentials_management().send(),
        )
        .await?;
        writes.push("iam:EnableOrganizationsRootCredentialsManagement");
    }
    if !has("RootSessions") {
        call("iam:EnableOrganizationsRootSessions", iam.enable_organizations_root_sessions().send()).await?;
        writes.push("iam:EnableOrganizationsRootSessions");
    }
    Ok(())
}

/// Designates `admin` as GuardDuty's delegated administrator in the region, unless it is; refused when the
/// region has another one (changing it is the organisation owners' decision).
pub(crate) async fn delegate_guardduty(
    config: &SdkConfig,
    admin: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_guardduty::types::AdminStatus;
    let client = aws_sdk_guardduty::Client::new(config);
    let listed =
        call("guardduty:ListOrganizationAdminAccounts", client.list_organization_admin_accounts().send())
            .await?;
    let enabled: Vec<&str> = listed
        .admin_accounts()
        .iter()
        .filter(|account| account.admin_status() == Some(&AdminStatus::Enabled))
        .filter_map(|account| account.admin_account_id())
        .collect();
    if enabled.contains(&admin) {
        return Ok(());
    }
    if let Some(other) = enabled.first() {
        return Err(CollectError {
            action: "guardduty:EnableOrganizationAdminAccount".to_owned(),
            kind: ErrorKind::Failed,
            code: None,
            message: format!(
                "refused: GuardDuty's delegated administrator here is already account {other}, not {admin}; \
                 Guardline does not change a designation"
            ),
        });
    }
    call(
        "guardduty:EnableOrganizationAdminAccount",
        client.enable_organization_admin_account().admin_account_id(admin).send(),
    )
    .await?;
    writes.push(format!("guardduty:EnableOrganizationAdminAccount {admin}"));
    Ok(())
}

/// In the delegated administrator: its own detector (created when it has none), then auto-enable `ALL`
/// (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateOrganizationConfiguration.html).
pub(crate) async fn auto_enable_guardduty(
    config: &SdkConfig,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_guardduty::types::{AutoEnableMembers, FindingPublishingFrequency};
    let client = aws_sdk_guardduty::Client::new(config);
    let listed = call("guardduty:ListDetectors", client.list_detectors().send()).await?;
    let detector = match listed.detector_ids().first() {
        Some(id) => id.clone(),
        None => {
            let request = client
                .create_detector()
                .enable(true)
                .finding_publishing_frequency(FindingPublishingFrequency::FifteenMinutes)
                .send();
            let created = call("guardduty:CreateDetector", request).await?;
            let id = created.detector_id().unwrap_or_default().to_owned();
            writes.push(format!("guardduty:CreateDetector {id}"));
            id
        }
    };
    let current = call(
        "guardduty:DescribeOrganizationConfiguration",
        client.describe_organization_configuration().detector_id(&detector).send(),
    )
    .await?;
    if current.auto_enable_organization_members() == Some(&AutoEnableMembers::All) {
        return Ok(());
    }
    let request = client
        .update_organization_configuration()
        .detector_id(&detector)
        .auto_enable_organization_members(AutoEnableMembers::All)
        .send();
    call("guardduty:UpdateOrganizationConfiguration", request).await?;
    writes.push(format!("guardduty:UpdateOrganizationConfiguration {detector} ALL"));
    Ok(())
}

/// The SECURITY contact `fix --org` sets.
pub(crate) struct Contact<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub title: &'a str,
}

/// A member's SECURITY alternate contact, from the management account, unless it already is `contact`.
pub(crate) async fn member_security_contact(
    client: &aws_sdk_account::Client,
    account: &str,
    contact: &Contact<'_>,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    let request = client
        .get_alternate_contact()
        .account_id(account)
        .alternate_contact_type(AlternateContactType::Security);
    match call("account:GetAlternateContact", request.send()).await {
        Ok(answer) => {
            let same = answer.alternate_contact().is_some_and(|current| {
                current.name() == Some(contact.name)
                    && current.email_address() == Some(contact.email)
                    && current.phone_number() == Some(contact.phone)
                    && current.title() == Some(contact.title)
            });
            if same {
                return Ok(());
            }
        }
        Err(error) if already_exists(&error, &["ResourceNotFoundException"]) => {}
        Err(error) => return Err(error),
    }
    let request = client
        .put_alternate_contact()
        .account_id(account)
        .alternate_contact_type(AlternateContactType::Security)
        .name(contact.name)
        .email_address(contact.email)
        .phone_number(contact.phone)
        .title(contact.title);
    call("account:PutAlternateContact", request.send()).await?;
    writes.push(format!("account:PutAlternateContact {account}"));
    Ok(())
}

/// Designates `admin` as Amazon Inspector's delegated administrator in the region, unless it is; refused
/// when the region has another one
/// (https://docs.aws.amazon.com/inspector/v2/APIReference/API_EnableDelegatedAdminAccount.html).
pub(crate) async fn delegate_inspector(
    config: &SdkConfig,
    admin: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_inspector2::types::DelegatedAdminStatus;
    let client = aws_sdk_inspector2::Client::new(config);
    let listed =
        call("inspector2:ListDelegatedAdminAccounts", client.list_delegated_admin_accounts().send()).await?;
    let enabled: Vec<&str> = listed
        .delegated_admin_accounts()
        .iter()
        .filter(|account| account.status() == Some(&DelegatedAdminStatus::Enabled))
        .filter_map(|account| account.account_id())
        .collect();
    if enabled.contains(&admin) {
        return Ok(());
    }
    if let Some(other) = enabled.first() {
        return Err(CollectError {
            action: "inspector2:EnableDelegatedAdminAccount".to_owned(),
            kind: ErrorKind::Failed,
            code: None,
            message: format!(
                "refused: Amazon Inspector's delegated administrator here is already account {other}, not \
                 {admin}; Guardline does not change a designation"
            ),
        });
    }
    call(
        "inspector2:EnableDelegatedAdminAccount",
        client.enable_delegated_admin_account().delegated_admin_account_id(admin).send(),
    )
    .await?;
    writes.push(format!("inspector2:EnableDelegatedAdminAccount {admin}"));
    Ok(())
}

/// In Inspector's delegated administrator: EC2 auto-enabled for new members (the other scan types as they
/// are), each of `accounts` associated as a member where it is not, then EC2 scanning enabled for those
/// whose EC2 status is neither ENABLED nor ENABLING
/// (https://docs.aws.amazon.com/inspector/v2/APIReference/API_Enable.html).
pub(crate) async fn enable_inspector_members(
    config: &SdkConfig,
    accounts: &[String],
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_inspector2::types::{AutoEnable, ResourceScanType, Status};
    let client = aws_sdk_inspector2::Client::new(config);
    let current = call(
        "inspector2:DescribeOrganizationConfiguration",
        client.describe_organization_configuration().send(),
    )
    .await?;
    let auto = current.auto_enable();
    if !auto.is_some_and(|auto| auto.ec2()) {
        let wanted = crate::fix::built(
            "inspector2:UpdateOrganizationConfiguration",
            AutoEnable::builder()
                .ec2(true)
                .ecr(auto.is_some_and(AutoEnable::ecr))
                .set_lambda(auto.and_then(AutoEnable::lambda))
                .set_lambda_code(auto.and_then(AutoEnable::lambda_code))
                .build(),
        )?;
        call(
            "inspector2:UpdateOrganizationConfiguration",
            client.update_organization_configuration().auto_enable(wanted).send(),
        )
        .await?;
        writes.push("inspector2:UpdateOrganizationConfiguration ec2");
    }
    let members = call("inspector2:ListMembers", client.list_members().only_associated(false).send()).await?;
    for account in accounts {
        let associated = members.members().iter().any(|member| {
            member.account_id() == Some(account.as_str())
                && member.relationship_status().is_some_and(|status| status.as_str() == "ENABLED")
        });
        if !associated {
            call("inspector2:AssociateMember", client.associate_member().account_id(account).send()).await?;
            writes.push(format!("inspector2:AssociateMember {account}"));
        }
    }
    let status = call(
        "inspector2:BatchGetAccountStatus",
        client.batch_get_account_status().set_account_ids(Some(accounts.to_vec())).send(),
    )
    .await?;
    let to_enable: Vec<String> = accounts
        .iter()
        .filter(|account| {
            !status.accounts().iter().any(|state| {
                state.account_id() == account.as_str()
                    && state
                        .resource_state()
                        .and_then(|resources| resources.ec2())
                        .is_some_and(|ec2| matches!(ec2.status(), Status::Enabled | Status::Enabling))
            })
        })
        .cloned()
        .collect();
    if to_enable.is_empty() {
        return Ok(());
    }
    let request =
        client.enable().set_account_ids(Some(to_enable.clone())).resource_types(ResourceScanType::Ec2).send();
    let answer = call("inspector2:Enable", request).await?;
    if let Some(failed) = answer.failed_accounts().first() {
        return Err(CollectError {
            action: "inspector2:Enable".to_owned(),
            kind: ErrorKind::Failed,
            code: Some(failed.error_code().as_str().to_owned()),
            message: format!("account {}: {}", failed.account_id(), failed.error_message()),
        });
    }
    writes.push(format!("inspector2:Enable EC2 {}", to_enable.join(", ")));
    Ok(())
}
