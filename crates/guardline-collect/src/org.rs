//! Organisation scans (`guardline scan --org`): the organisation's accounts as the management (or delegated
//! administrator) account sees them, and the credentials to scan each one.
//!
//! - [`list_accounts`]: `organizations:ListAccounts` for names and status, the OU tree walked from the root
//!   (`ListRoots`, `ListOrganizationalUnitsForParent`, `ListAccountsForParent`) for each account's OU path, and
//!   `ListTagsForResource` for its tags.
//! - [`hub_config`]: the configuration the member roles are assumed from: the caller's own, or (role chaining)
//!   an audit role assumed first.
//! - [`member_config`]: an [`SdkConfig`] whose credentials come from `sts:AssumeRole` into the member's role,
//!   fetched once up front (a failure is the account's NOT EVALUATED reason) and cached, then refreshed five
//!   minutes before they expire, so a long scan never runs on expired keys and each account costs one
//!   AssumeRole however many clients its collectors build.
//!
//! - [`root_audit_enabled`] and [`root_credentials`]: under centralised root access, each member's root
//!   credentials, read through a root session (`sts:AssumeRoot` with the `IAMAuditRootUserCredentials` task
//!   policy), which is the only way to see whether a member's root still has a password.
//!
//! Like the collectors, everything here only reads: AssumeRole, AssumeRoot with the audit-only task policy,
//! and the Organizations List calls.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{
    ProvideCredentials, SharedCredentialsProvider, error::CredentialsError, future,
};
use futures::StreamExt as _;
use guardline_model::CollectError;
use guardline_model::org::OrgAccount;
use tokio::sync::Mutex;

use crate::error::{classify, malformed};

/// The actions `guardline org` and `scan --org` call beyond a scan's (`guardline iam-policy --for org`):
/// [`list_accounts`], [`mfa_serial`] for `org switch-roles`, and what `fix --org` reads of the
/// organisation's security services ([`guardduty_admins`], [`guardduty_auto_enable`], [`inspector_admins`],
/// [`inspector_auto_enable_ec2`], [`security_hub_admins`], [`security_hub_configuration`], [`trusted_access`],
/// [`delegated_administrators`], [`organisation_aggregator`]).
pub const ACTIONS: &[&str] = &[
    "config:DescribeConfigurationAggregators",
    "guardduty:DescribeOrganizationConfiguration",
    "guardduty:ListDetectors",
    "guardduty:ListOrganizationAdminAccounts",
    "iam:ListMFADevices",
    "iam:ListOrganizationsFeatures",
    "inspector2:DescribeOrganizationConfiguration",
    "inspector2:ListDelegatedAdminAccounts",
    "organizations:ListAWSServiceAccessForOrganization",
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListDelegatedAdministrators",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListRoots",
    "organizations:ListTagsForResource",
    "securityhub:DescribeOrganizationConfiguration",
    "securityhub:ListOrganizationAdminAccounts",
    "sts:AssumeRoot",
];

/// How the member accounts are reached.
#[derive(Debug, Clone)]
pub struct OrgAccess {
    /// The role name in every member account (e.g. `OrganizationAccountAccessRole`).
    pub role_name: String,
    pub session_name: String,
    pub external_id: Option<String>,
    /// An audit role ARN assumed first (role chaining); members are assumed from it.
    pub via_role: Option<String>,
}

/// Credentials from `sts:AssumeRole`, cached until five minutes before they expire.
#[derive(Debug)]
struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    session_name: String,
    external_id: Option<String>,
    cache: Mutex<Option<Credentials>>,
}

/// Refresh assumed credentials this long before they expire.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

impl AssumedRole {
    async fn credentials(&self) -> Result<Credentials, CollectError> {
        let mut cache = self.cache.lock().await;
        if let Some(credentials) = cache.as_ref() {
            let fresh = credentials.expiry().is_none_or(|expiry| expiry > SystemTime::now() + REFRESH_MARGIN);
            if fresh {
                return Ok(credentials.clone());
            }
        }
        let output = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(&self.session_name)
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .map_err(|error| classify("sts:AssumeRole", &error))?;
        let Some(issued) = output.credentials() else {
            return Err(malformed("sts:AssumeRole", "no credentials in the response".to_owned()));
        };
        let expiry = SystemTime::try_from(*issued.expiration()).ok();
        let credentials = Credentials::new(
            issued.access_key_id(),
            issued.secret_access_key(),
            Some(issued.session_token().to_owned()),
            expiry,
            "guardline-assume-role",
        );
        *cache = Some(credentials.clone());
        Ok(credentials)
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.credentials().await.map_err(|error| CredentialsError::provider_error(error.to_string()))
        })
    }
}

/// `parent`'s settings with the credentials of `role_arn`, assumed from `parent`; fails when the role cannot
/// be assumed now.
async fn assume(parent: &SdkConfig, role_arn: &str, access: &OrgAccess) -> Result<SdkConfig, CollectError> {
    assume_role(parent, role_arn, &access.session_name, access.external_id.clone()).await
}

/// `parent`'s settings with the credentials of `role_arn` (`sts:AssumeRole` from `parent`, with the external
/// ID when the role's trust policy asks for one), cached and refreshed like a member's; fails when the role
/// cannot be assumed now. `--role-arn` of every command reaches its one account this way.
pub async fn assume_role(
    parent: &SdkConfig,
    role_arn: &str,
    session_name: &str,
    external_id: Option<String>,
) -> Result<SdkConfig, CollectError> {
    let role = Arc::new(AssumedRole {
        sts: aws_sdk_sts::Client::new(parent),
        role_arn: role_arn.to_owned(),
        session_name: session_name.to_owned(),
        external_id,
        cache: Mutex::new(None),
    });
    role.credentials().await?;
    Ok(parent.to_builder().credentials_provider(SharedCredentialsProvider::new(ArcProvider(role))).build())
}

/// An [`AssumedRole`] shared between the config and whoever holds it.
#[derive(Debug)]
struct ArcProvider(Arc<AssumedRole>);

impl ProvideCredentials for ArcProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.0.provide_credentials()
    }
}

/// The configuration member roles are assumed from, and its account ID: `base` itself, or the `via_role`
/// assumed from it.
pub async fn hub_config(base: &SdkConfig, access: &OrgAccess) -> Result<(SdkConfig, String), CollectError> {
    let hub = match &access.via_role {
        Some(arn) => assume(base, arn, access).await?,
        None => base.clone(),
    };
    let identity = aws_sdk_sts::Client::new(&hub)
        .get_caller_identity()
        .send()
        .await
        .map_err(|error| classify("sts:GetCallerIdentity", &error))?;
    let account = identity.account().unwrap_or_default().to_owned();
    Ok((hub, account))
}

/// The SDK configuration for scanning `account`: the hub's own when it is the hub account, otherwise the
/// member role assumed from the hub. The error is why the account cannot be scanned.
pub async fn member_config(
    hub: &SdkConfig,
    hub_account: &str,
    account: &OrgAccount,
    access: &OrgAccess,
) -> Result<SdkConfig, CollectError> {
    if account.id == hub_account {
        return Ok(hub.clone());
    }
    let partition = hub.region().map_or("aws", |region| crate::runner::partition_of(region.as_ref()));
    let role = access.role_name.trim_matches('/');
    let arn = format!("arn:{partition}:iam::{}:role/{role}", account.id);
    assume(hub, &arn, access).await
}

/// Whether the organization (as the hub, its management account or IAM's delegated administrator, sees it)
/// manages root credentials centrally (`iam:ListOrganizationsFeatures` lists `RootCredentialsManagement`):
/// only then can a root session audit the members' root credentials.
pub async fn root_audit_enabled(hub: &SdkConfig) -> Result<bool, CollectError> {
    let answer = aws_sdk_iam::Client::new(hub)
        .list_organizations_features()
        .send()
        .await
        .map_err(|error| classify("iam:ListOrganizationsFeatures", &error))?;
    Ok(answer.enabled_features().iter().any(|feature| feature.as_str() == "RootCredentialsManagement"))
}

/// A member's root credentials, read in a root session the hub opens for it: `sts:AssumeRoot` with the
/// AWS managed task policy `IAMAuditRootUserCredentials` (a regional STS endpoint, at most 15 minutes), then
/// `iam:GetLoginProfile`, `iam:ListAccessKeys`, `iam:ListMFADevices` and `iam:ListSigningCertificates` with no
/// user name, which in a root session name the root user
/// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html).
pub async fn root_credentials(
    hub: &SdkConfig,
    member: &str,
) -> Result<guardline_model::inventory::iam::RootCredentials, CollectError> {
    use aws_sdk_sts::types::PolicyDescriptorType;
    let partition = hub.region().map_or("aws", |region| crate::runner::partition_of(region.as_ref()));
    let task = PolicyDescriptorType::builder()
        .arn(format!("arn:{partition}:iam::aws:policy/root-task/IAMAuditRootUserCredentials"))
        .build();
    let session = aws_sdk_sts::Client::new(hub)
        .assume_root()
        .target_principal(member)
        .task_policy_arn(task)
        .duration_seconds(900)
        .send()
        .await
        .map_err(|error| classify("sts:AssumeRoot", &error))?;
    let keys =
        session.credentials().ok_or_else(|| malformed("sts:AssumeRoot", "the answer has no Credentials"))?;
    let credentials = Credentials::new(
        keys.access_key_id(),
        keys.secret_access_key(),
        Some(keys.session_token().to_owned()),
        None,
        "root-session",
    );
    let root = hub.to_builder().credentials_provider(SharedCredentialsProvider::new(credentials)).build();
    let iam = aws_sdk_iam::Client::new(&root);
    let password = match iam.get_login_profile().send().await {
        Ok(_) => true,
        Err(error) => {
            let error = classify("iam:GetLoginProfile", &error);
            if error.code.as_deref() != Some("NoSuchEntity") {
                return Err(error);
            }
            false
        }
    };
    let keys = iam.list_access_keys().send().await.map_err(|error| classify("iam:ListAccessKeys", &error))?;
    let devices =
        iam.list_mfa_devices().send().await.map_err(|error| classify("iam:ListMFADevices", &error))?;
    let certificates = iam
        .list_signing_certificates()
        .send()
        .await
        .map_err(|error| classify("iam:ListSigningCertificates", &error))?;
    let (active, inactive): (Vec<_>, Vec<_>) = keys
        .access_key_metadata()
        .iter()
        .partition(|key| key.status() == Some(&aws_sdk_iam::types::StatusType::Active));
    let ids = |keys: Vec<&aws_sdk_iam::types::AccessKeyMetadata>| -> Vec<String> {
        keys.iter().filter_map(|key| key.access_key_id().map(str::to_owned)).collect()
    };
    Ok(guardline_model::inventory::iam::RootCredentials {
        password,
        active_access_keys: ids(active),
        inactive_access_keys: ids(inactive),
        mfa_devices: devices.mfa_devices().iter().map(|device| device.serial_number().to_owned()).collect(),
        signing_certificates: certificates.certificates().len(),
    })
}

/// The MFA device of IAM user `user` (`iam:ListMFADevices`), the first listed, for `guardline org
/// switch-roles`' `mfa_serial`; `None` when the user has none. Not part of a scan, so not in the scan's
/// read-only policy.
pub async fn mfa_serial(config: &SdkConfig, user: &str) -> Result<Option<String>, CollectError> {
    let client = aws_sdk_iam::Client::new(config);
    let answer = client
        .list_mfa_devices()
        .user_name(user)
        .send()
        .await
        .map_err(|error| classify("iam:ListMFADevices", &error))?;
    Ok(answer.mfa_devices().first().map(|device| device.serial_number().to_owned()))
}

/// How many accounts' tags are read at the same time.
const TAG_READS: usize = 8;

/// An account's tags, key to value.
type Tags = BTreeMap<String, String>;

/// One account's tags in Organizations.
async fn account_tags(client: &aws_sdk_organizations::Client, id: &str) -> Result<Tags, CollectError> {
    let mut tags = BTreeMap::new();
    let mut token = None;
    loop {
        let page = client
            .list_tags_for_resource()
            .resource_id(id)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|error| classify("organizations:ListTagsForResource", &error))?;
        for tag in page.tags() {
            tags.insert(tag.key().to_owned(), tag.value().to_owned());
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(tags);
        }
    }
}

/// Every account of the organisation, sorted by ID, with its OU path and, when `with_tags`, its tags (one
/// ListTagsForResource per account: a caller whose selectors use no tag leaves them empty). The client
/// retries in the SDK's adaptive mode (with the configured attempts): after a throttle it paces its own
/// requests, so the tag reads, made several at a time, slow down to what Organizations accepts instead of
/// failing the listing.
pub async fn list_accounts(hub: &SdkConfig, with_tags: bool) -> Result<Vec<OrgAccount>, CollectError> {
    let attempts = hub.retry_config().map_or(3, aws_config::retry::RetryConfig::max_attempts);
    let adaptive = aws_config::retry::RetryConfig::adaptive().with_max_attempts(attempts);
    let client = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(hub).retry_config(adaptive).build(),
    );
    let mut accounts: BTreeMap<String, OrgAccount> = BTreeMap::new();
    let mut token = None;
    loop {
        let page = client
            .list_accounts()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|error| classify("organizations:ListAccounts", &error))?;
        for account in page.accounts() {
            let Some(id) = account.id() else { continue };
            accounts.insert(
                id.to_owned(),
                OrgAccount {
                    id: id.to_owned(),
                    name: account.name().unwrap_or_default().to_owned(),
                    email: account.email().unwrap_or_default().to_owned(),
                    status: account.status().map(|status| status.as_str().to_owned()).unwrap_or_default(),
                    ou_path: String::new(),
                    ou_ids: Vec::new(),
                    tags: BTreeMap::new(),
                },
            );
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }

    // The OU tree, breadth first from the root: (parent ID, path by names, IDs along it).
    let roots =
        client.list_roots().send().await.map_err(|error| classify("organizations:ListRoots", &error))?;
    let mut queue: Vec<(String, String, Vec<String>)> = roots
        .roots()
        .iter()
        .filter_map(|root| {
            let id = root.id()?.to_owned();
            Some((id.clone(), root.name().unwrap_or("Root").to_owned(), vec![id]))
        })
        .collect();
    while let Some((parent, path, ids)) = queue.pop() {
        let mut token = None;
        loop {
            let page = client
                .list_accounts_for_parent()
                .parent_id(&parent)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|error| classify("organizations:ListAccountsForParent", &error))?;
            for child in page.accounts() {
                if let Some(account) = child.id().and_then(|id| accounts.get_mut(id)) {
                    account.ou_path.clone_from(&path);
                    account.ou_ids.clone_from(&ids);
                }
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        let mut token = None;
        loop {
            let page = client
                .list_organizational_units_for_parent()
                .parent_id(&parent)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|error| classify("organizations:ListOrganizationalUnitsForParent", &error))?;
            for ou in page.organizational_units() {
                let Some(id) = ou.id() else { continue };
                let mut child_ids = ids.clone();
                child_ids.push(id.to_owned());
                queue.push((id.to_owned(), format!("{path}/{}", ou.name().unwrap_or(id)), child_ids));
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
    }

    // One ListTagsForResource per account: read TAG_READS at a time, since a sequential chain of them would
    // cost a round trip per account before any account is scanned.
    if !with_tags {
        return Ok(accounts.into_values().collect());
    }
    let client = &client;
    let tags: Vec<(String, Result<Tags, CollectError>)> = futures::stream::iter(accounts.keys().cloned())
        .map(|id| async move {
            let tags = account_tags(client, &id).await;
            (id, tags)
        })
        .buffer_unordered(TAG_READS)
        .collect()
        .await;
    for (id, found) in tags {
        if let Some(account) = accounts.get_mut(&id) {
            account.tags = found?;
        }
    }
    Ok(accounts.into_values().collect())
}

/// `config` in `region`.
fn in_region(config: &SdkConfig, region: &str) -> SdkConfig {
    config.to_builder().region(aws_config::Region::new(region.to_owned())).build()
}

/// Every item of a paged listing: `page(token)` answers one page's items and the next token; a missing or
/// empty token ends it.
async fn paged<F, Fut>(mut page: F) -> Result<Vec<String>, CollectError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<String>, Option<String>), CollectError>>,
{
    let (mut items, mut token) = (Vec::new(), None);
    loop {
        let (found, next) = page(token.take()).await?;
        items.extend(found);
        token = next.filter(|next| !next.is_empty());
        if token.is_none() {
            return Ok(items);
        }
    }
}

/// GuardDuty's delegated administrators in `region` whose status is `ENABLED`, as the management account
/// lists them (`guardduty:ListOrganizationAdminAccounts`,
/// https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListOrganizationAdminAccounts.html).
pub async fn guardduty_admins(hub: &SdkConfig, region: &str) -> Result<Vec<String>, CollectError> {
    use aws_sdk_guardduty::types::AdminStatus;
    let client = aws_sdk_guardduty::Client::new(&in_region(hub, region));
    paged(|token| {
        let request = client.list_organization_admin_accounts().set_next_token(token).send();
        async move {
            let page =
                request.await.map_err(|error| classify("guardduty:ListOrganizationAdminAccounts", &error))?;
            let admins = page
                .admin_accounts()
                .iter()
                .filter(|account| account.admin_status() == Some(&AdminStatus::Enabled))
                .filter_map(|account| account.admin_account_id().map(str::to_owned))
                .collect();
            Ok((admins, page.next_token().map(str::to_owned)))
        }
    })
    .await
}

/// GuardDuty's `AutoEnableOrganizationMembers` (`ALL`, `NEW`, `NONE`) in `region`, read in the delegated
/// administrator `admin` from its detector (`guardduty:DescribeOrganizationConfiguration`,
/// https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DescribeOrganizationConfiguration.html);
/// `None` when it has no detector there. An answer without the field reads as `NONE`: AWS fills it in
/// for every organisation since the older `AutoEnable` flag was deprecated.
pub async fn guardduty_auto_enable(admin: &SdkConfig, region: &str) -> Result<Option<String>, CollectError> {
    let client = aws_sdk_guardduty::Client::new(&in_region(admin, region));
    let listed =
        client.list_detectors().send().await.map_err(|error| classify("guardduty:ListDetectors", &error))?;
    let Some(detector) = listed.detector_ids().first() else { return Ok(None) };
    let answer = client
        .describe_organization_configuration()
        .detector_id(detector)
        .send()
        .await
        .map_err(|error| classify("guardduty:DescribeOrganizationConfiguration", &error))?;
    Ok(Some(match answer.auto_enable_organization_members() {
        Some(members) => members.as_str().to_owned(),
        None => "NONE".to_owned(),
    }))
}

/// Amazon Inspector's delegated administrators in `region` whose status is `ENABLED`, as the management
/// account lists them (`inspector2:ListDelegatedAdminAccounts`,
/// https://docs.aws.amazon.com/inspector/v2/APIReference/API_ListDelegatedAdminAccounts.html).
pub async fn inspector_admins(hub: &SdkConfig, region: &str) -> Result<Vec<String>, CollectError> {
    use aws_sdk_inspector2::types::DelegatedAdminStatus;
    let client = aws_sdk_inspector2::Client::new(&in_region(hub, region));
    paged(|token| {
        let request = client.list_delegated_admin_accounts().set_next_token(token).send();
        async move {
            let page =
                request.await.map_err(|error| classify("inspector2:ListDelegatedAdminAccounts", &error))?;
            let admins = page
                .delegated_admin_accounts()
                .iter()
                .filter(|account| account.status() == Some(&DelegatedAdminStatus::Enabled))
                .filter_map(|account| account.account_id().map(str::to_owned))
                .collect();
            Ok((admins, page.next_token().map(str::to_owned)))
        }
    })
    .await
}

/// Whether Amazon Inspector auto-enables EC2 scanning for new members, read in the delegated administrator
/// (`inspector2:DescribeOrganizationConfiguration`,
/// https://docs.aws.amazon.com/inspector/v2/APIReference/API_DescribeOrganizationConfiguration.html).
pub async fn inspector_auto_enable_ec2(admin: &SdkConfig, region: &str) -> Result<bool, CollectError> {
    let answer = aws_sdk_inspector2::Client::new(&in_region(admin, region))
        .describe_organization_configuration()
        .send()
        .await
        .map_err(|error| classify("inspector2:DescribeOrganizationConfiguration", &error))?;
    Ok(answer.auto_enable().is_some_and(|auto| auto.ec2()))
}

/// Security Hub's delegated administrators in `region` whose status is `ENABLED`, as the management account
/// lists them (`securityhub:ListOrganizationAdminAccounts`,
/// https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_ListOrganizationAdminAccounts.html).
pub async fn security_hub_admins(hub: &SdkConfig, region: &str) -> Result<Vec<String>, CollectError> {
    use aws_sdk_securityhub::types::AdminStatus;
    let client = aws_sdk_securityhub::Client::new(&in_region(hub, region));
    paged(|token| {
        let request = client.list_organization_admin_accounts().set_next_token(token).send();
        async move {
            let page = request
                .await
                .map_err(|error| classify("securityhub:ListOrganizationAdminAccounts", &error))?;
            let admins = page
                .admin_accounts()
                .iter()
                .filter(|account| account.status() == Some(&AdminStatus::Enabled))
                .filter_map(|account| account.account_id().map(str::to_owned))
                .collect();
            Ok((admins, page.next_token().map(str::to_owned)))
        }
    })
    .await
}

/// The organisation's Security Hub configuration type (`CENTRAL` or `LOCAL`), read in the delegated
/// administrator (`securityhub:DescribeOrganizationConfiguration`,
/// https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DescribeOrganizationConfiguration.html).
pub async fn security_hub_configuration(admin: &SdkConfig, region: &str) -> Result<String, CollectError> {
    let answer = aws_sdk_securityhub::Client::new(&in_region(admin, region))
        .describe_organization_configuration()
        .send()
        .await
        .map_err(|error| classify("securityhub:DescribeOrganizationConfiguration", &error))?;
    Ok(answer
        .organization_configuration()
        .and_then(|configuration| configuration.configuration_type())
        .map_or("LOCAL", |kind| kind.as_str())
        .to_owned())
}

/// The service principals with trusted access in the organisation
/// (`organizations:ListAWSServiceAccessForOrganization`).
pub async fn trusted_access(hub: &SdkConfig) -> Result<Vec<String>, CollectError> {
    let client = aws_sdk_organizations::Client::new(hub);
    paged(|token| {
        let request = client.list_aws_service_access_for_organization().set_next_token(token).send();
        async move {
            let page = request
                .await
                .map_err(|error| classify("organizations:ListAWSServiceAccessForOrganization", &error))?;
            let principals = page
                .enabled_service_principals()
                .iter()
                .filter_map(|enabled| enabled.service_principal().map(str::to_owned))
                .collect();
            Ok((principals, page.next_token().map(str::to_owned)))
        }
    })
    .await
}

/// The accounts registered as `principal`'s delegated administrators
/// (`organizations:ListDelegatedAdministrators`).
pub async fn delegated_administrators(hub: &SdkConfig, principal: &str) -> Result<Vec<String>, CollectError> {
    let client = aws_sdk_organizations::Client::new(hub);
    paged(|token| {
        let request =
            client.list_delegated_administrators().service_principal(principal).set_next_token(token).send();
        async move {
            let page = request
                .await
                .map_err(|error| classify("organizations:ListDelegatedAdministrators", &error))?;
            let admins =
                page.delegated_administrators().iter().filter_map(|admin| admin.id().map(str::to_owned));
            Ok((admins.collect(), page.next_token().map(str::to_owned)))
        }
    })
    .await
}

/// The name of the organisation aggregator (one with an `OrganizationAggregationSource`) of the account
/// `config` reaches, in `region` (`config:DescribeConfigurationAggregators`); `None` when it has none.
pub async fn organisation_aggregator(
    config: &SdkConfig,
    region: &str,
) -> Result<Option<String>, CollectError> {
    let client = aws_sdk_config::Client::new(&in_region(config, region));
    let names = paged(|token| {
        let request = client.describe_configuration_aggregators().set_next_token(token).send();
        async move {
            let page =
                request.await.map_err(|error| classify("config:DescribeConfigurationAggregators", &error))?;
            let names = page
                .configuration_aggregators()
                .iter()
                .filter(|aggregator| aggregator.organization_aggregation_source().is_some())
                .filter_map(|aggregator| aggregator.configuration_aggregator_name().map(str::to_owned))
                .collect();
            Ok((names, page.next_token().map(str::to_owned)))
        }
    })
    .await?;
    Ok(names.into_iter().next())
}
