//! The organisation-wide fix steps `fix --org` plans (`guardline_rules::org_fix`), carried out in the
//! management account or in the delegated administrator: trusted access in Organizations, centralised root
//! access, GuardDuty's, Amazon Inspector's and Security Hub's delegated administrators and what they enable
//! for the members (Security Hub by central configuration), the organisation trail, the members' SECURITY
//! contacts.
//!
//! Like every step, each re-reads what it changes (with `guardline_collect::org`'s readers, the ones the
//! plan was made from) and writes only what is missing, and it never changes a
//! choice someone made: another delegated administrator, a finding aggregator that excludes a region, an
//! account associated with another configuration policy are refused, not changed.

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
    if guardline_collect::org::trusted_access(config).await?.iter().any(|enabled| enabled == principal) {
        return Ok(());
    }
    let client = aws_sdk_organizations::Client::new(config);
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
    let enabled = guardline_collect::org::guardduty_admins(config, &region_of(config)).await?;
    if !needs_designation(&enabled, admin, "guardduty:EnableOrganizationAdminAccount", "GuardDuty")? {
        return Ok(());
    }
    let client = aws_sdk_guardduty::Client::new(config);
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
    let enabled = guardline_collect::org::inspector_admins(config, &region_of(config)).await?;
    if !needs_designation(&enabled, admin, "inspector2:EnableDelegatedAdminAccount", "Amazon Inspector")? {
        return Ok(());
    }
    let client = aws_sdk_inspector2::Client::new(config);
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

/// Designates `admin` as Security Hub's delegated administrator (in the home region), unless it is; refused
/// when the organisation has another one
/// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_EnableOrganizationAdminAccount.html).
pub(crate) async fn delegate_security_hub(
    config: &SdkConfig,
    admin: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    let enabled = guardline_collect::org::security_hub_admins(config, &region_of(config)).await?;
    if !needs_designation(&enabled, admin, "securityhub:EnableOrganizationAdminAccount", "Security Hub")? {
        return Ok(());
    }
    let client = aws_sdk_securityhub::Client::new(config);
    call(
        "securityhub:EnableOrganizationAdminAccount",
        client.enable_organization_admin_account().admin_account_id(admin).send(),
    )
    .await?;
    writes.push(format!("securityhub:EnableOrganizationAdminAccount {admin}"));
    Ok(())
}

/// Whether `admin` must still be designated as `service`'s delegated administrator, given the ones
/// `enabled` now: no when it is one of them; refused when another account is (changing a designation is the
/// organisation owners' decision).
fn needs_designation(
    enabled: &[String],
    admin: &str,
    action: &str,
    service: &str,
) -> Result<bool, CollectError> {
    if enabled.iter().any(|enabled| enabled == admin) {
        return Ok(false);
    }
    match enabled.first() {
        Some(other) => Err(refused(
            action,
            format!(
                "{service}'s delegated administrator is already account {other}, not {admin}; Guardline does not \
                 change a designation"
            ),
        )),
        None => Ok(true),
    }
}

/// The region `config` is in (each step's config is regional).
fn region_of(config: &SdkConfig) -> String {
    config.region().map(|region| region.to_string()).unwrap_or_default()
}

/// A refusal: the live state holds a choice someone made that the step would have to change.
fn refused(action: &str, why: String) -> CollectError {
    CollectError {
        action: action.to_owned(),
        kind: ErrorKind::Failed,
        code: None,
        message: format!("refused: {why}"),
    }
}

/// Central configuration of Security Hub, in the delegated administrator's home region
/// (https://docs.aws.amazon.com/securityhub/latest/userguide/start-central-configuration.html): its own
/// hub, a finding aggregator linking `linked` (an existing one keeps its mode and gains the regions it lacks,
/// refused when it excludes one), `CENTRAL`, then each policy created or brought up to date and associated
/// with its accounts. An account associated with another policy by someone is refused, never re-associated.
pub(crate) async fn centralise_security_hub(
    config: &SdkConfig,
    linked: &[String],
    policies: &[guardline_rules::fix::HubPolicy],
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_securityhub::types::{
        AssociationType, AutoEnableStandards, OrganizationConfiguration,
        OrganizationConfigurationConfigurationType, Policy, SecurityControlsConfiguration, SecurityHubPolicy,
        Target,
    };
    let client = aws_sdk_securityhub::Client::new(config);
    match call("securityhub:DescribeHub", client.describe_hub().send()).await {
        Ok(_) => {}
        Err(error) if already_exists(&error, &["InvalidAccessException", "ResourceNotFoundException"]) => {
            let request = client.enable_security_hub().enable_default_standards(false).send();
            call("securityhub:EnableSecurityHub", request).await?;
            writes.push("securityhub:EnableSecurityHub");
        }
        Err(error) => return Err(error),
    }
    finding_aggregator(&client, linked, writes).await?;
    let current = call(
        "securityhub:DescribeOrganizationConfiguration",
        client.describe_organization_configuration().send(),
    )
    .await?;
    let central =
        current.organization_configuration().and_then(|configuration| configuration.configuration_type())
            == Some(&OrganizationConfigurationConfigurationType::Central);
    if !central {
        let request = client
            .update_organization_configuration()
            .auto_enable(false)
            .auto_enable_standards(AutoEnableStandards::None)
            .organization_configuration(
                OrganizationConfiguration::builder()
                    .configuration_type(OrganizationConfigurationConfigurationType::Central)
                    .build(),
            )
            .send();
        call("securityhub:UpdateOrganizationConfiguration", request).await?;
        writes.push("securityhub:UpdateOrganizationConfiguration CENTRAL");
    }
    let listed =
        call("securityhub:ListConfigurationPolicies", client.list_configuration_policies().send()).await?;
    for policy in policies {
        let wanted = Policy::SecurityHub(
            SecurityHubPolicy::builder()
                .service_enabled(true)
                .enabled_standard_identifiers(&policy.standard_arn)
                .security_controls_configuration(
                    SecurityControlsConfiguration::builder()
                        .set_disabled_security_control_identifiers(Some(policy.disabled_controls.clone()))
                        .build(),
                )
                .build(),
        );
        let existing = listed
            .configuration_policy_summaries()
            .iter()
            .find(|summary| summary.name() == Some(policy.name.as_str()))
            .and_then(|summary| summary.id().map(str::to_owned));
        let id = match existing {
            Some(id) => {
                let found = call(
                    "securityhub:GetConfigurationPolicy",
                    client.get_configuration_policy().identifier(&id).send(),
                )
                .await?;
                if !same_policy(found.configuration_policy(), policy) {
                    let request = client
                        .update_configuration_policy()
                        .identifier(&id)
                        .configuration_policy(wanted)
                        .send();
                    call("securityhub:UpdateConfigurationPolicy", request).await?;
                    writes.push(format!("securityhub:UpdateConfigurationPolicy {}", policy.name));
                }
                id
            }
            None => {
                let request = client
                    .create_configuration_policy()
                    .name(&policy.name)
                    .description("Guardline: FSBP, with the profile's not-adopted Security Hub controls off")
                    .configuration_policy(wanted)
                    .send();
                let created = call("securityhub:CreateConfigurationPolicy", request).await?;
                writes.push(format!("securityhub:CreateConfigurationPolicy {}", policy.name));
                created.id().unwrap_or_default().to_owned()
            }
        };
        for account in &policy.accounts {
            let target = Target::AccountId(account.clone());
            let association = call(
                "securityhub:GetConfigurationPolicyAssociation",
                client.get_configuration_policy_association().target(target.clone()).send(),
            )
            .await?;
            let current = association.configuration_policy_id().unwrap_or_default();
            if current == id {
                continue;
            }
            if association.association_type() == Some(&AssociationType::Applied) {
                return Err(refused(
                    "securityhub:StartConfigurationPolicyAssociation",
                    format!(
                        "account {account} is associated with the configuration policy {current}, not Guardline's"
                    ),
                ));
            }
            let request = client
                .start_configuration_policy_association()
                .configuration_policy_identifier(&id)
                .target(target)
                .send();
            call("securityhub:StartConfigurationPolicyAssociation", request).await?;
            writes.push(format!("securityhub:StartConfigurationPolicyAssociation {} {account}", policy.name));
        }
    }
    Ok(())
}

/// Whether the policy Security Hub holds is `wanted`: enabled, FSBP the one standard, the same controls off.
fn same_policy(
    found: Option<&aws_sdk_securityhub::types::Policy>,
    wanted: &guardline_rules::fix::HubPolicy,
) -> bool {
    let Some(aws_sdk_securityhub::types::Policy::SecurityHub(found)) = found else { return false };
    let mut disabled: Vec<&str> = found
        .security_controls_configuration()
        .map(|controls| controls.disabled_security_control_identifiers().iter().map(String::as_str).collect())
        .unwrap_or_default();
    disabled.sort_unstable();
    let mut expected: Vec<&str> = wanted.disabled_controls.iter().map(String::as_str).collect();
    expected.sort_unstable();
    found.service_enabled() == Some(true)
        && found.enabled_standard_identifiers() == [wanted.standard_arn.as_str()]
        && disabled == expected
}

/// The home region's finding aggregator: created linking `linked`, or an existing one given the linked
/// regions it lacks (its mode kept); refused when it excludes a region the plan needs.
async fn finding_aggregator(
    client: &aws_sdk_securityhub::Client,
    linked: &[String],
    writes: &mut Writes,
) -> Result<(), CollectError> {
    let listed = call("securityhub:ListFindingAggregators", client.list_finding_aggregators().send()).await?;
    let Some(arn) = listed.finding_aggregators().first().and_then(|found| found.finding_aggregator_arn())
    else {
        let mut request = client.create_finding_aggregator();
        request = if linked.is_empty() {
            request.region_linking_mode("NO_REGIONS")
        } else {
            request.region_linking_mode("SPECIFIED_REGIONS").set_regions(Some(linked.to_vec()))
        };
        call("securityhub:CreateFindingAggregator", request.send()).await?;
        writes.push(format!("securityhub:CreateFindingAggregator {}", linked.join(",")));
        return Ok(());
    };
    let found = call(
        "securityhub:GetFindingAggregator",
        client.get_finding_aggregator().finding_aggregator_arn(arn).send(),
    )
    .await?;
    let mode = found.region_linking_mode().unwrap_or_default();
    let regions: Vec<&str> = found.regions().iter().map(String::as_str).collect();
    match mode {
        "ALL_REGIONS" => Ok(()),
        "ALL_REGIONS_EXCEPT_SPECIFIED" => {
            match linked.iter().find(|region| regions.contains(&region.as_str())) {
                Some(excluded) => Err(refused(
                    "securityhub:UpdateFindingAggregator",
                    format!("the finding aggregator {arn} excludes {excluded}, which the plan needs linked"),
                )),
                None => Ok(()),
            }
        }
        _ => {
            let missing: Vec<&String> =
                linked.iter().filter(|region| !regions.contains(&region.as_str())).collect();
            if missing.is_empty() {
                return Ok(());
            }
            let mut all: Vec<String> = regions.iter().map(|region| (*region).to_owned()).collect();
            all.extend(missing.iter().map(|region| (*region).clone()));
            let request = client
                .update_finding_aggregator()
                .finding_aggregator_arn(arn)
                .region_linking_mode("SPECIFIED_REGIONS")
                .set_regions(Some(all))
                .send();
            call("securityhub:UpdateFindingAggregator", request).await?;
            writes.push(format!("securityhub:UpdateFindingAggregator +{}", linked.join(",")));
            Ok(())
        }
    }
}

/// TRAIL-001 for the organisation, in the management account's home region: CloudTrail's trusted access,
/// the log bucket (Guardline's admits the organisation trail's member logs), then the organisation's
/// multi-region trail of this account, or `guardline-org` created as one
/// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html), logging
/// and recording all management events.
pub(crate) async fn organisation_trail(
    base: &SdkConfig,
    config: &SdkConfig,
    account_id: &str,
    bucket: &guardline_rules::fix::LogBucket,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    const NAME: &str = "guardline-org";
    let organisation = call(
        "organizations:DescribeOrganization",
        aws_sdk_organizations::Client::new(config).describe_organization().send(),
    )
    .await?;
    let organisation_id =
        organisation.organization().and_then(|found| found.id()).unwrap_or_default().to_owned();
    trusted_access(config, "cloudtrail.amazonaws.com", writes).await?;
    let client = aws_sdk_cloudtrail::Client::new(config);
    let listed =
        call("cloudtrail:DescribeTrails", client.describe_trails().include_shadow_trails(false).send())
            .await?;
    let existing = listed
        .trail_list()
        .iter()
        .find(|trail| {
            trail.is_organization_trail() == Some(true) && trail.is_multi_region_trail() == Some(true)
        })
        .and_then(|trail| trail.name().map(str::to_owned));
    let region = region_of(config);
    let partition = guardline_model::partition::of_region(&region);
    let trail_arn = format!("arn:{partition}:cloudtrail:{region}:{account_id}:trail/{NAME}");
    if existing.is_none() {
        crate::fix::ensure_log_bucket(base, account_id, bucket, Some((&organisation_id, &trail_arn)), writes)
            .await?;
    }
    let name = match existing {
        Some(name) => name,
        None => {
            let request = client
                .create_trail()
                .name(NAME)
                .s3_bucket_name(&bucket.name)
                .is_organization_trail(true)
                .is_multi_region_trail(true)
                .include_global_service_events(true)
                .enable_log_file_validation(true)
                .send();
            call("cloudtrail:CreateTrail", request).await?;
            writes.push(format!("cloudtrail:CreateTrail {NAME} (organization) -> {}", bucket.name));
            NAME.to_owned()
        }
    };
    crate::fix::enable_cloudtrail(config, Some(&name), &bucket.name, writes).await
}

/// `principal`'s trusted access and, when `admin` is given, its registration as the service's delegated
/// administrator, unless it is; refused when another account is registered (IAM Access Analyzer:
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-settings.html; AWS Config:
/// https://docs.aws.amazon.com/config/latest/developerguide/set-up-aggregator-cli.html).
pub(crate) async fn delegate_service(
    config: &SdkConfig,
    principal: &str,
    admin: Option<&str>,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    trusted_access(config, principal, writes).await?;
    let Some(admin) = admin else { return Ok(()) };
    let registered = guardline_collect::org::delegated_administrators(config, principal).await?;
    if !needs_designation(&registered, admin, "organizations:RegisterDelegatedAdministrator", principal)? {
        return Ok(());
    }
    let client = aws_sdk_organizations::Client::new(config);
    let request = client.register_delegated_administrator().account_id(admin).service_principal(principal);
    call("organizations:RegisterDelegatedAdministrator", request.send()).await?;
    writes.push(format!("organizations:RegisterDelegatedAdministrator {admin} {principal}"));
    Ok(())
}

/// An organisation analyzer in the region, unless an active one exists
/// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateAnalyzer.html).
pub(crate) async fn create_organisation_analyzer(
    config: &SdkConfig,
    name: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_accessanalyzer::types::{AnalyzerStatus, Type};
    let client = aws_sdk_accessanalyzer::Client::new(config);
    let listed =
        call("access-analyzer:ListAnalyzers", client.list_analyzers().r#type(Type::Organization).send())
            .await?;
    if listed.analyzers().iter().any(|analyzer| analyzer.status() == &AnalyzerStatus::Active) {
        return Ok(());
    }
    let request = client.create_analyzer().analyzer_name(name).r#type(Type::Organization).send();
    match call("access-analyzer:CreateAnalyzer", request).await {
        Ok(_) => writes.push(format!("access-analyzer:CreateAnalyzer {name} ORGANIZATION")),
        Err(error) if already_exists(&error, &["ConflictException"]) => {}
        Err(error) => return Err(error),
    }
    Ok(())
}

/// The read permissions AWS Config's organisation aggregator needs (those of the AWS managed policy
/// `AWSConfigRoleForOrganizations`), given inline so the role works where that policy is not attachable.
const AGGREGATOR_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:ListAccounts","organizations:DescribeOrganization","organizations:ListAWSServiceAccessForOrganization","organizations:ListDelegatedAdministrators"],"Resource":"*"}]}"#;

/// An organisation aggregator in the region, unless one exists: the role AWS Config assumes (trusting
/// `config.amazonaws.com`, with [`AGGREGATOR_POLICY`]), then the aggregator of every account and region
/// (https://docs.aws.amazon.com/config/latest/APIReference/API_PutConfigurationAggregator.html).
pub(crate) async fn create_organisation_aggregator(
    config: &SdkConfig,
    account_id: &str,
    name: &str,
    role_name: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_config::types::OrganizationAggregationSource;
    let client = aws_sdk_config::Client::new(config);
    let listed =
        call("config:DescribeConfigurationAggregators", client.describe_configuration_aggregators().send())
            .await?;
    if listed
        .configuration_aggregators()
        .iter()
        .any(|found| found.organization_aggregation_source().is_some())
    {
        return Ok(());
    }
    let iam = aws_sdk_iam::Client::new(config);
    match call("iam:GetRole", iam.get_role().role_name(role_name).send()).await {
        Ok(_) => {}
        Err(error) if already_exists(&error, &["NoSuchEntity"]) => {
            let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
            let request = iam.create_role().role_name(role_name).assume_role_policy_document(trust).send();
            call("iam:CreateRole", request).await?;
            writes.push(format!("iam:CreateRole {role_name}"));
        }
        Err(error) => return Err(error),
    }
    let request = iam
        .put_role_policy()
        .role_name(role_name)
        .policy_name("organization-aggregator")
        .policy_document(AGGREGATOR_POLICY)
        .send();
    call("iam:PutRolePolicy", request).await?;
    let region = region_of(config);
    let partition = guardline_model::partition::of_region(&region);
    let source = OrganizationAggregationSource::builder()
        .role_arn(format!("arn:{partition}:iam::{account_id}:role/{role_name}"))
        .all_aws_regions(true)
        .build();
    let source = crate::fix::built("config:PutConfigurationAggregator", source)?;
    let request = client
        .put_configuration_aggregator()
        .configuration_aggregator_name(name)
        .organization_aggregation_source(source)
        .send();
    call("config:PutConfigurationAggregator", request).await?;
    writes.push(format!("config:PutConfigurationAggregator {name} (organization, all regions)"));
    Ok(())
}
