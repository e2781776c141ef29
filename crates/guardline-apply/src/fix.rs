//! Applies a [`FixPlan`]: each [`FixAction`] carried out with the AWS SDK, step by step, in plan order.
//!
//! Every step re-reads what it changes first and only writes what is missing, so a step that is already in
//! place reports [`StepResult::AlreadyDone`] and re-running a plan is harmless. The first failing step stops
//! the run: the report says which steps were done, which failed and which were not attempted, and the next
//! `fix` (which re-plans from a fresh scan) finishes the rest.

use aws_config::{Region, SdkConfig};
use guardline_collect::error::malformed;
use guardline_model::CollectError;
use guardline_rules::fix::{ConfigRuleSpec, FixAction, FixPlan, FixStep, LogBucket};

use crate::call::call;
use crate::org_setup::{auto_enable_guardduty, centralise_root_access, delegate_guardduty, trusted_access};

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    /// It changed something: these are the writes it made.
    Changed { writes: Vec<String> },
    /// Everything it would do was already in place.
    AlreadyDone,
}

/// What a run of the plan did.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Step index and result, in plan order.
    pub done: Vec<(usize, StepResult)>,
    /// The steps that failed, and why.
    pub failed: Vec<(usize, CollectError)>,
    /// Steps not attempted, each with the failed step it needed ([`FixStep::after`]).
    pub skipped: Vec<(usize, usize)>,
}

/// Applies `plan` to the account `config`'s credentials reach; `on_step` hears each result as it happens.
/// The caller has shown the plan and checked the account pin, and passes the config pinned to that account
/// ([`crate::target::pinned`]).
///
/// A failed step skips only the steps that need it ([`FixStep::after`]); every other step still runs.
pub async fn apply(
    config: &SdkConfig,
    plan: &FixPlan,
    mut on_step: impl FnMut(usize, &Outcome),
) -> ApplyReport {
    let mut report = ApplyReport::default();
    for (index, step) in plan.steps.iter().enumerate() {
        let blocked_by = step.after.iter().find_map(|needed| {
            if report.failed.iter().any(|(failed, _)| failed == needed) {
                return Some(*needed);
            }
            report.skipped.iter().find(|(skipped, _)| skipped == needed).map(|(_, cause)| *cause)
        });
        if let Some(cause) = blocked_by {
            on_step(index, &Outcome::Skipped { because_of: cause });
            report.skipped.push((index, cause));
            continue;
        }
        let result = apply_step(config, &plan.account_id, step).await;
        match result {
            Ok(done) => {
                on_step(index, &Outcome::Done(done.clone()));
                report.done.push((index, done));
            }
            Err(error) => {
                on_step(index, &Outcome::Failed(error.clone()));
                report.failed.push((index, error));
            }
        }
    }
    report
}

/// What happened to one step, as [`apply`] reports it while it runs.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done(StepResult),
    Failed(CollectError),
    /// Not attempted: the step it needed (an index of the plan) failed or was skipped.
    Skipped {
        because_of: usize,
    },
}

/// Where account-wide steps run: the partition's cost region serves Budgets and Cost Explorer (and, in the
/// standard and China partitions, the other account-wide services too); a partition without one (AWS
/// GovCloud (US)) runs them in its global region, where a cost step fails as the service is not there.
fn global_region(base: &SdkConfig) -> &'static str {
    let partition =
        guardline_model::partition::of_region(base.region().map_or("us-east-1", |region| region.as_ref()));
    guardline_model::partition::cost_region(partition)
        .unwrap_or_else(|| guardline_model::partition::global_region(partition))
}

async fn apply_step(base: &SdkConfig, account_id: &str, step: &FixStep) -> Result<StepResult, CollectError> {
    let region = if step.region == "global" { global_region(base).to_owned() } else { step.region.clone() };
    let config = base.to_builder().region(Region::new(region.clone())).build();
    let mut writes = Writes::default();
    match &step.action {
        FixAction::EnableGuardDuty { .. } => enable_guardduty(&config, &mut writes).await?,
        FixAction::CreateAccessAnalyzer { name } => create_analyzer(&config, name, &mut writes).await?,
        FixAction::EnableSecurityHub { standard_arn, .. } => {
            enable_security_hub(&config, standard_arn, &mut writes).await?
        }
        FixAction::EnableInspectorEc2 { .. } => enable_inspector(&config, account_id, &mut writes).await?,
        FixAction::RecordConfig { include_global_resource_types, bucket } => {
            ensure_log_bucket(base, account_id, bucket, None, &mut writes).await?;
            record_config(&config, account_id, *include_global_resource_types, &bucket.name, &mut writes)
                .await?
        }
        FixAction::AddConfigRules { rules } => add_config_rules(&config, rules, &mut writes).await?,
        FixAction::RouteEvents { rule_name, event_pattern, topic_name, subscribers } => {
            let route = Route { rule_name, event_pattern, topic_name, subscribers };
            route_events(&config, account_id, &route, &mut writes).await?
        }
        FixAction::EnableCloudTrail { existing_trail, bucket } => {
            if existing_trail.is_none() {
                ensure_log_bucket(base, account_id, bucket, None, &mut writes).await?;
            }
            enable_cloudtrail(&config, existing_trail.as_deref(), &bucket.name, &mut writes).await?
        }
        FixAction::CreateBudget { name, monthly_usd, subscribers } => {
            create_budget(&config, account_id, name, *monthly_usd, subscribers, &mut writes).await?
        }
        FixAction::CreateAnomalyMonitor { monitor_name, threshold_usd, subscribers, .. } => {
            create_anomaly_monitor(&config, monitor_name, *threshold_usd, subscribers, &mut writes).await?
        }
        FixAction::CreateAccountAlias { alias } => create_alias(&config, alias, &mut writes).await?,
        FixAction::SetSecurityContact { name, email, phone, title } => {
            let client = aws_sdk_account::Client::new(&config);
            let request = client
                .put_alternate_contact()
                .alternate_contact_type(aws_sdk_account::types::AlternateContactType::Security)
                .name(name)
                .email_address(email)
                .phone_number(phone)
                .title(title)
                .send();
            call("account:PutAlternateContact", request).await?;
            writes.push("account:PutAlternateContact");
        }
        FixAction::SetPasswordPolicy { minimums } => {
            set_password_policy(&config, minimums, &mut writes).await?
        }
        FixAction::BlockAccountPublicAccess => {
            let client = guardline_collect::services::s3::control_client(&config);
            let settings = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build();
            let request = client
                .put_public_access_block()
                .account_id(account_id)
                .public_access_block_configuration(settings);
            call("s3:PutAccountPublicAccessBlock", request.send()).await?;
            writes.push("s3:PutAccountPublicAccessBlock");
        }
        FixAction::CentraliseRootAccess => centralise_root_access(&config, &mut writes).await?,
        FixAction::DelegateGuardDuty { admin_account } => {
            delegate_guardduty(&config, admin_account, &mut writes).await?
        }
        FixAction::AutoEnableGuardDuty => auto_enable_guardduty(&config, &mut writes).await?,
        FixAction::DelegateSecurityHub { admin_account } => {
            crate::org_setup::delegate_security_hub(&config, admin_account, &mut writes).await?
        }
        FixAction::CentraliseSecurityHub { linked_regions, policies } => {
            crate::org_setup::centralise_security_hub(&config, linked_regions, policies, &mut writes).await?
        }
        FixAction::DelegateInspector { admin_account } => {
            crate::org_setup::delegate_inspector(&config, admin_account, &mut writes).await?
        }
        FixAction::EnableInspectorMembers { accounts } => {
            crate::org_setup::enable_inspector_members(&config, accounts, &mut writes).await?
        }
        FixAction::DelegateAccessAnalyzer { admin_account } => {
            let principal = "access-analyzer.amazonaws.com";
            crate::org_setup::delegate_service(&config, principal, admin_account.as_deref(), &mut writes)
                .await?
        }
        FixAction::DelegateConfig { admin_account } => {
            let principal = "config.amazonaws.com";
            crate::org_setup::delegate_service(&config, principal, admin_account.as_deref(), &mut writes)
                .await?
        }
        FixAction::CreateOrganizationAggregator { name, role_name } => {
            crate::org_setup::create_organisation_aggregator(
                &config,
                account_id,
                name,
                role_name,
                &mut writes,
            )
            .await?
        }
        FixAction::CreateOrganizationAnalyzer { name } => {
            crate::org_setup::create_organisation_analyzer(&config, name, &mut writes).await?
        }
        FixAction::OrganizationTrail { bucket } => {
            crate::org_setup::organisation_trail(base, &config, account_id, bucket, &mut writes).await?
        }
        FixAction::SetMemberSecurityContacts { accounts, name, email, phone, title } => {
            trusted_access(&config, "account.amazonaws.com", &mut writes).await?;
            let client = aws_sdk_account::Client::new(&config);
            for account in accounts {
                let contact = crate::org_setup::Contact { name, email, phone, title };
                crate::org_setup::member_security_contact(&client, account, &contact, &mut writes).await?;
            }
        }
    }
    Ok(writes.into_result())
}

/// The writes a step made.
#[derive(Default)]
pub(crate) struct Writes(Vec<String>);

impl Writes {
    pub(crate) fn push(&mut self, action: impl Into<String>) {
        self.0.push(action.into());
    }

    fn into_result(self) -> StepResult {
        if self.0.is_empty() { StepResult::AlreadyDone } else { StepResult::Changed { writes: self.0 } }
    }
}

/// IAM-007: re-reads the account's password policy and writes the stricter of it and the profile's
/// minimums ([`crate::password_policy::merged`]); nothing when the policy already is that.
async fn set_password_policy(
    config: &SdkConfig,
    minimums: &guardline_config::PasswordMinimums,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    let client = aws_sdk_iam::Client::new(config);
    let current =
        match call("iam:GetAccountPasswordPolicy", client.get_account_password_policy().send()).await {
            Ok(answer) => answer.password_policy,
            Err(error) if already_exists(&error, &["NoSuchEntity"]) => None,
            Err(error) => return Err(error),
        };
    let desired = crate::password_policy::merged(current.as_ref(), minimums);
    if crate::password_policy::is_current(current.as_ref(), &desired) {
        return Ok(());
    }
    let as_i32 = |value: u32| i32::try_from(value).unwrap_or(i32::MAX);
    let mut request = client
        .update_account_password_policy()
        .minimum_password_length(as_i32(desired.min_length))
        .require_symbols(desired.require_symbols)
        .require_numbers(desired.require_numbers)
        .require_uppercase_characters(desired.require_uppercase)
        .require_lowercase_characters(desired.require_lowercase)
        .allow_users_to_change_password(desired.allow_users_to_change_password)
        .hard_expiry(desired.hard_expiry);
    if let Some(days) = desired.max_age_days {
        request = request.max_password_age(as_i32(days));
    }
    if let Some(count) = desired.reuse_prevention {
        request = request.password_reuse_prevention(as_i32(count));
    }
    call("iam:UpdateAccountPasswordPolicy", request.send()).await?;
    writes.push("iam:UpdateAccountPasswordPolicy");
    Ok(())
}

/// Whether an error is the service's "that already exists" answer.
pub(crate) fn already_exists(error: &CollectError, codes: &[&str]) -> bool {
    error.code.as_deref().is_some_and(|code| codes.contains(&code))
}

pub(crate) fn built<T, E: std::fmt::Display>(action: &str, result: Result<T, E>) -> Result<T, CollectError> {
    result.map_err(|error| malformed(action, format!("building the request: {error}")))
}

async fn enable_guardduty(config: &SdkConfig, writes: &mut Writes) -> Result<(), CollectError> {
    let client = aws_sdk_guardduty::Client::new(config);
    let listed = call("guardduty:ListDetectors", client.list_detectors().send()).await?;
    // A region has at most one detector: enable the one there is, never create a second.
    if let Some(id) = listed.detector_ids().first() {
        let detector = call("guardduty:GetDetector", client.get_detector().detector_id(id).send()).await?;
        if detector.status() == Some(&aws_sdk_guardduty::types::DetectorStatus::Enabled) {
            return Ok(());
        }
        call("guardduty:UpdateDetector", client.update_detector().detector_id(id).enable(true).send())
            .await?;
        writes.push(format!("guardduty:UpdateDetector {id}"));
        return Ok(());
    }
    let request = client
        .create_detector()
        .enable(true)
        .finding_publishing_frequency(aws_sdk_guardduty::types::FindingPublishingFrequency::FifteenMinutes)
        .send();
    let created = call("guardduty:CreateDetector", request).await?;
    writes.push(format!("guardduty:CreateDetector {}", created.detector_id().unwrap_or_default()));
    Ok(())
}

async fn create_analyzer(config: &SdkConfig, name: &str, writes: &mut Writes) -> Result<(), CollectError> {
    use aws_sdk_accessanalyzer::types::{AnalyzerStatus, Type};
    let client = aws_sdk_accessanalyzer::Client::new(config);
    let listed =
        call("access-analyzer:ListAnalyzers", client.list_analyzers().r#type(Type::Account).send()).await?;
    if listed.analyzers().iter().any(|analyzer| analyzer.status() == &AnalyzerStatus::Active) {
        return Ok(());
    }
    let request = client.create_analyzer().analyzer_name(name).r#type(Type::Account).send();
    match call("access-analyzer:CreateAnalyzer", request).await {
        Ok(_) => writes.push(format!("access-analyzer:CreateAnalyzer {name}")),
        Err(error) if already_exists(&error, &["ConflictException"]) => {}
        Err(error) => return Err(error),
    }
    Ok(())
}

async fn enable_security_hub(
    config: &SdkConfig,
    standard_arn: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_securityhub::types::StandardsSubscriptionRequest;
    let client = aws_sdk_securityhub::Client::new(config);
    match call("securityhub:DescribeHub", client.describe_hub().send()).await {
        Ok(_) => {}
        Err(error) if already_exists(&error, &["InvalidAccessException", "ResourceNotFoundException"]) => {
            // Without the default standards: FSBP is subscribed below; CIS is the operator's choice.
            let request = client.enable_security_hub().enable_default_standards(false).send();
            match call("securityhub:EnableSecurityHub", request).await {
                Ok(_) => writes.push("securityhub:EnableSecurityHub"),
                Err(error) if already_exists(&error, &["ResourceConflictException"]) => {}
                Err(error) => return Err(error),
            }
        }
        Err(error) => return Err(error),
    }
    let enabled = call("securityhub:GetEnabledStandards", client.get_enabled_standards().send()).await?;
    let subscribed = enabled.standards_subscriptions().iter().any(|subscription| {
        subscription.standards_arn() == Some(standard_arn)
            && subscription.standards_status().is_some_and(|status| {
                matches!(
                    status,
                    aws_sdk_securityhub::types::StandardsStatus::Ready
                        | aws_sdk_securityhub::types::StandardsStatus::Pending
                )
            })
    });
    if subscribed {
        return Ok(());
    }
    let request = StandardsSubscriptionRequest::builder().standards_arn(standard_arn).build();
    call(
        "securityhub:BatchEnableStandards",
        client.batch_enable_standards().standards_subscription_requests(request).send(),
    )
    .await?;
    writes.push(format!("securityhub:BatchEnableStandards {standard_arn}"));
    Ok(())
}

async fn enable_inspector(
    config: &SdkConfig,
    account_id: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_inspector2::types::{ErrorCode, ResourceScanType, Status};
    let client = aws_sdk_inspector2::Client::new(config);
    let status = call(
        "inspector2:BatchGetAccountStatus",
        client.batch_get_account_status().account_ids(account_id).send(),
    )
    .await?;
    // ENABLING is on its way (INSPECTOR-001 passes it): asking again changes nothing.
    let ec2_on = status.accounts().iter().any(|account| {
        account
            .resource_state()
            .and_then(|state| state.ec2())
            .is_some_and(|ec2| matches!(ec2.status(), Status::Enabled | Status::Enabling))
    });
    if ec2_on {
        return Ok(());
    }
    let request = client.enable().account_ids(account_id).resource_types(ResourceScanType::Ec2).send();
    let answer = call("inspector2:Enable", request).await?;
    // Enable answers 200 with the accounts it could not enable in `failedAccounts`
    // (https://docs.aws.amazon.com/inspector/v2/APIReference/API_Enable.html).
    if let Some(failed) = answer.failed_accounts().iter().find(|failed| failed.account_id() == account_id) {
        let code = failed.error_code();
        if !matches!(code, ErrorCode::AlreadyEnabled | ErrorCode::EnableInProgress) {
            return Err(CollectError {
                action: "inspector2:Enable".to_owned(),
                kind: guardline_model::ErrorKind::Failed,
                code: Some(code.as_str().to_owned()),
                message: format!(
                    "Inspector did not enable EC2 scanning ({}){}",
                    failed.error_message(),
                    if matches!(code, ErrorCode::DisableInProgress | ErrorCode::SuspendInProgress) {
                        "; retry once the account's status is DISABLED"
                    } else {
                        ""
                    }
                ),
            });
        }
    }
    writes.push("inspector2:Enable EC2");
    Ok(())
}

/// The log bucket: created private, with a policy that admits only AWS Config and CloudTrail writing for
/// this account (and refuses plain HTTP); a bucket the config names is used as is.
/// The log bucket: an existing one used as it is, or Guardline's created private with the log services'
/// policy (`organisation_trail`: the organisation's ID and trail ARN, whose member logs it also admits).
pub(crate) async fn ensure_log_bucket(
    base: &SdkConfig,
    account_id: &str,
    bucket: &LogBucket,
    organisation_trail: Option<(&str, &str)>,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    let client = guardline_collect::services::s3::s3_client(base, Some(&bucket.region));
    let name = bucket.name.as_str();
    if !bucket.create {
        call("s3:ListBucket", client.head_bucket().bucket(name).send()).await?;
        return Ok(());
    }
    let mut request = client.create_bucket().bucket(name);
    if bucket.region != "us-east-1" {
        request = request.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    bucket.region.as_str(),
                ))
                .build(),
        );
    }
    match call("s3:CreateBucket", request.send()).await {
        Ok(_) => writes.push(format!("s3:CreateBucket {name}")),
        Err(error) if already_exists(&error, &["BucketAlreadyOwnedByYou"]) => {}
        Err(error) => return Err(error),
    }
    let private = aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    let request = client.put_public_access_block().bucket(name).public_access_block_configuration(private);
    call("s3:PutBucketPublicAccessBlock", request.send()).await?;
    let policy = log_bucket_policy(name, account_id, organisation_trail);
    // Statements someone else (or another of Guardline's steps, e.g. the organisation trail's) put there stay.
    let current = match call("s3:GetBucketPolicy", client.get_bucket_policy().bucket(name).send()).await {
        Ok(answer) => answer.policy().map(str::to_owned),
        Err(error) if already_exists(&error, &["NoSuchBucketPolicy"]) => None,
        Err(error) => return Err(error),
    };
    let policy = merged_bucket_policy(current.as_deref(), &policy);
    call("s3:PutBucketPolicy", client.put_bucket_policy().bucket(name).policy(policy).send()).await?;
    if !writes.0.is_empty() {
        writes.push(format!("s3:PutBucketPublicAccessBlock {name}"));
        writes.push(format!("s3:PutBucketPolicy {name}"));
    }
    Ok(())
}

/// `wanted`'s statements over `current`'s: a statement of `current` whose `Sid` `wanted` does not use is kept.
fn merged_bucket_policy(current: Option<&str>, wanted: &str) -> String {
    let mut wanted: serde_json::Value = serde_json::from_str(wanted).expect("Guardline's policy is JSON");
    let Some(current) = current.and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok()) else {
        return wanted.to_string();
    };
    let sids: Vec<String> = wanted["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|statement| statement["Sid"].as_str().map(str::to_owned))
        .collect();
    let kept: Vec<serde_json::Value> = current["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|statement| statement["Sid"].as_str().is_none_or(|sid| !sids.iter().any(|own| own == sid)))
        .cloned()
        .collect();
    if let Some(statements) = wanted["Statement"].as_array_mut() {
        statements.extend(kept);
    }
    wanted.to_string()
}

/// AWS Config's and CloudTrail's documented bucket policy, limited to this account, plus TLS only; with an
/// organisation trail (organisation ID, trail ARN), CloudTrail may also write that trail's logs of every
/// member under `AWSLogs/<organisation ID>/` (CloudTrail user guide, "Amazon S3 bucket policy for an
/// organization trail").
fn log_bucket_policy(bucket: &str, account_id: &str, organisation_trail: Option<(&str, &str)>) -> String {
    let arn = format!("arn:aws:s3:::{bucket}");
    let condition = serde_json::json!({"StringEquals": {"aws:SourceAccount": account_id}});
    let put_condition = serde_json::json!({
        "StringEquals": {"aws:SourceAccount": account_id, "s3:x-amz-acl": "bucket-owner-full-control"}
    });
    let mut policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "LogServicesCheckAcl", "Effect": "Allow",
             "Principal": {"Service": ["config.amazonaws.com", "cloudtrail.amazonaws.com"]},
             "Action": ["s3:GetBucketAcl", "s3:ListBucket"], "Resource": arn, "Condition": condition},
            {"Sid": "LogServicesWrite", "Effect": "Allow",
             "Principal": {"Service": ["config.amazonaws.com", "cloudtrail.amazonaws.com"]},
             "Action": "s3:PutObject", "Resource": format!("{arn}/AWSLogs/{account_id}/*"),
             "Condition": put_condition},
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [arn.clone(), format!("{arn}/*")],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ],
    });
    if let Some((organisation, trail)) = organisation_trail {
        let statements = policy["Statement"].as_array_mut().expect("the policy's statements");
        statements.push(serde_json::json!(
            {"Sid": "OrganizationTrailWrite", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": format!("{arn}/AWSLogs/{organisation}/*"),
             "Condition": {"StringEquals": {"aws:SourceArn": trail, "s3:x-amz-acl": "bucket-owner-full-control"}}}
        ));
    }
    policy.to_string()
}

async fn record_config(
    config: &SdkConfig,
    account_id: &str,
    include_global: bool,
    bucket: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
    let iam = aws_sdk_iam::Client::new(config);
    let request = iam.create_service_linked_role().aws_service_name("config.amazonaws.com").send();
    match call("iam:CreateServiceLinkedRole", request).await {
        Ok(_) => writes.push("iam:CreateServiceLinkedRole config.amazonaws.com"),
        // "Service role name AWSServiceRoleForConfig has been taken in this account".
        Err(error) if already_exists(&error, &["InvalidInput", "EntityAlreadyExists"]) => {}
        Err(error) => return Err(error),
    }
    let partition = if config.region().is_some_and(|region| region.as_ref().starts_with("cn-")) {
        "aws-cn"
    } else {
        "aws"
    };
    let role_arn = format!(
        "arn:{partition}:iam::{account_id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    );
    let client = aws_sdk_config::Client::new(config);
    let recorders =
        call("config:DescribeConfigurationRecorders", client.describe_configuration_recorders().send())
            .await?;
    // One recorder per region (the account's own; a service-linked one is its service's): reuse its name.
    let existing =
        recorders.configuration_recorders().iter().find(|recorder| recorder.service_principal().is_none());
    let name = existing.and_then(|recorder| recorder.name()).unwrap_or("default").to_owned();
    // Never record less than now: a recorder whose exclusion strategy keeps the global IAM types goes on
    // recording them, and its recording mode (continuous or daily) is kept.
    let records_global_now = existing.and_then(|recorder| recorder.recording_group()).is_some_and(|group| {
        let listed = |kinds: &[aws_sdk_config::types::ResourceType]| {
            kinds.iter().any(|kind| kind.as_str().starts_with("AWS::IAM::"))
        };
        match group.recording_strategy().and_then(|strategy| strategy.use_only()) {
            Some(aws_sdk_config::types::RecordingStrategyType::ExclusionByResourceTypes) => !group
                .exclusion_by_resource_types()
                .is_some_and(|exclusion| listed(exclusion.resource_types())),
            _ => group.include_global_resource_types(),
        }
    });
    let include_global = include_global || records_global_now;
    let wanted_group =
        RecordingGroup::builder().all_supported(true).include_global_resource_types(include_global).build();
    let up_to_date = existing.is_some_and(|recorder| {
        recorder.recording_group().is_some_and(|group| {
            group.all_supported() && (group.include_global_resource_types() || !include_global)
        })
    });
    if !up_to_date {
        let role = existing.and_then(|recorder| recorder.role_arn()).unwrap_or(&role_arn).to_owned();
        let recorder = ConfigurationRecorder::builder()
            .name(&name)
            .role_arn(role)
            .recording_group(wanted_group)
            .set_recording_mode(existing.and_then(|recorder| recorder.recording_mode()).cloned())
            .build();
        call(
            "config:PutConfigurationRecorder",
            client.put_configuration_recorder().configuration_recorder(recorder).send(),
        )
        .await?;
        writes.push(format!("config:PutConfigurationRecorder {name}"));
    }
    let channels =
        call("config:DescribeDeliveryChannels", client.describe_delivery_channels().send()).await?;
    if channels.delivery_channels().is_empty() {
        let channel = DeliveryChannel::builder().name("default").s3_bucket_name(bucket).build();
        call("config:PutDeliveryChannel", client.put_delivery_channel().delivery_channel(channel).send())
            .await?;
        writes.push(format!("config:PutDeliveryChannel default -> {bucket}"));
    }
    let status = call(
        "config:DescribeConfigurationRecorderStatus",
        client.describe_configuration_recorder_status().configuration_recorder_names(&name).send(),
    )
    .await?;
    let recording = status.configuration_recorders_status().iter().any(|status| status.recording());
    if !recording {
        let request = client.start_configuration_recorder().configuration_recorder_name(&name).send();
        call("config:StartConfigurationRecorder", request).await?;
        writes.push(format!("config:StartConfigurationRecorder {name}"));
    }
    Ok(())
}

async fn add_config_rules(
    config: &SdkConfig,
    rules: &[ConfigRuleSpec],
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_config::types::{ConfigRule, ConfigRuleState, Owner, Source};
    let client = aws_sdk_config::Client::new(config);
    // Every page: DescribeConfigRules has no page size, and a rule on page two exists all the same.
    let present = call(
        "config:DescribeConfigRules",
        client.describe_config_rules().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
    )
    .await?;
    for rule in rules {
        // CONFIG-003 counts an AWS managed rule of the source, whatever its name, unless it is being deleted.
        let exists = present.iter().any(|existing| {
            let source = existing.source();
            source.map(Source::owner) == Some(&Owner::Aws)
                && source
                    .and_then(Source::source_identifier)
                    .is_some_and(|id| id.eq_ignore_ascii_case(&rule.source_identifier))
                && !matches!(
                    existing.config_rule_state(),
                    Some(ConfigRuleState::Deleting | ConfigRuleState::DeletingResults)
                )
        });
        if exists {
            continue;
        }
        // PutConfigRule with an existing name overwrites that rule: never someone else's (the plan chose a free
        // name from the snapshot; the live state may have changed since).
        if let Some(taken) = present.iter().find(|existing| {
            existing.config_rule_name().is_some_and(|name| name.eq_ignore_ascii_case(&rule.name))
        }) {
            let source = taken.source().and_then(Source::source_identifier).unwrap_or("no managed source");
            return Err(CollectError {
                action: "config:PutConfigRule".to_owned(),
                kind: guardline_model::ErrorKind::Failed,
                code: None,
                message: format!(
                    "a Config rule named {} already exists (source {source}); it is not overwritten: plan again",
                    rule.name
                ),
            });
        }
        let source = built(
            "config:PutConfigRule",
            Source::builder().owner(Owner::Aws).source_identifier(&rule.source_identifier).build(),
        )?;
        let config_rule = ConfigRule::builder().config_rule_name(&rule.name).source(source).build();
        call("config:PutConfigRule", client.put_config_rule().config_rule(config_rule).send()).await?;
        writes.push(format!("config:PutConfigRule {}", rule.name));
    }
    Ok(())
}

/// What [`route_events`] sets up.
struct Route<'a> {
    rule_name: &'a str,
    event_pattern: &'a str,
    topic_name: &'a str,
    subscribers: &'a [String],
}

/// The topic (with a policy that lets this account's EventBridge rules publish), its email subscriptions,
/// the rule and its target.
async fn route_events(
    config: &SdkConfig,
    account_id: &str,
    route: &Route<'_>,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_eventbridge::types::{RuleState, Target};
    let sns = aws_sdk_sns::Client::new(config);
    // CreateTopic is idempotent: it returns the existing topic's ARN.
    let topic = call("sns:CreateTopic", sns.create_topic().name(route.topic_name).send()).await?;
    let topic_arn = topic.topic_arn().unwrap_or_default().to_owned();
    let attributes =
        call("sns:GetTopicAttributes", sns.get_topic_attributes().topic_arn(&topic_arn).send()).await?;
    let current_policy = attributes.attributes().and_then(|attributes| attributes.get("Policy")).cloned();
    let wanted = crate::topic_policy::statement(&topic_arn, account_id);
    let policy = crate::topic_policy::merged(current_policy.as_deref(), &wanted)
        .map_err(|why| malformed("sns:GetTopicAttributes", format!("{}: {why}", route.topic_name)))?;
    if let Some(policy) = policy {
        let request = sns
            .set_topic_attributes()
            .topic_arn(&topic_arn)
            .attribute_name("Policy")
            .attribute_value(&policy);
        call("sns:SetTopicAttributes", request.send()).await?;
        writes.push(format!(
            "sns:SetTopicAttributes {} Policy (statement {} merged in, the others kept)",
            route.topic_name,
            crate::topic_policy::SID
        ));
    }
    let subscriptions =
        call("sns:ListSubscriptionsByTopic", sns.list_subscriptions_by_topic().topic_arn(&topic_arn).send())
            .await?;
    for address in route.subscribers {
        let subscribed = subscriptions.subscriptions().iter().any(|subscription| {
            subscription.protocol() == Some("email") && subscription.endpoint() == Some(address.as_str())
        });
        if !subscribed {
            let request = sns.subscribe().topic_arn(&topic_arn).protocol("email").endpoint(address);
            call("sns:Subscribe", request.send()).await?;
            writes.push(format!("sns:Subscribe {address} (AWS emails a confirmation link)"));
        }
    }
    let events = aws_sdk_eventbridge::Client::new(config);
    let existing = call("events:DescribeRule", events.describe_rule().name(route.rule_name).send()).await;
    let in_place = match &existing {
        Ok(rule) => {
            rule.state() == Some(&RuleState::Enabled)
                && rule
                    .event_pattern()
                    .and_then(|pattern| serde_json::from_str::<serde_json::Value>(pattern).ok())
                    == serde_json::from_str::<serde_json::Value>(route.event_pattern).ok()
        }
        Err(error) if already_exists(error, &["ResourceNotFoundException"]) => false,
        Err(error) => return Err(error.clone()),
    };
    if !in_place {
        let request = events
            .put_rule()
            .name(route.rule_name)
            .event_pattern(route.event_pattern)
            .state(RuleState::Enabled)
            .description("Created by guardline fix: sends these events to the security alert topic.")
            .send();
        call("events:PutRule", request).await?;
        writes.push(format!("events:PutRule {}", route.rule_name));
    }
    let targets =
        call("events:ListTargetsByRule", events.list_targets_by_rule().rule(route.rule_name).send()).await?;
    if !targets.targets().iter().any(|target| target.arn() == topic_arn) {
        let target = built(
            "events:PutTargets",
            Target::builder().id("guardline-alert-topic").arn(&topic_arn).build(),
        )?;
        let answer =
            call("events:PutTargets", events.put_targets().rule(route.rule_name).targets(target).send())
                .await?;
        if answer.failed_entry_count() > 0 {
            let reason = answer
                .failed_entries()
                .iter()
                .filter_map(|entry| entry.error_message())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(malformed("events:PutTargets", format!("the target was refused: {reason}")));
        }
        writes.push(format!("events:PutTargets {} -> {topic_arn}", route.rule_name));
    }
    Ok(())
}

pub(crate) async fn enable_cloudtrail(
    config: &SdkConfig,
    existing_trail: Option<&str>,
    bucket: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    let client = aws_sdk_cloudtrail::Client::new(config);
    let name = match existing_trail {
        Some(name) => name.to_owned(),
        None => {
            let name = "guardline";
            let request = client
                .create_trail()
                .name(name)
                .s3_bucket_name(bucket)
                .is_multi_region_trail(true)
                .include_global_service_events(true)
                .enable_log_file_validation(true)
                .send();
            match call("cloudtrail:CreateTrail", request).await {
                Ok(_) => writes.push(format!("cloudtrail:CreateTrail {name} -> {bucket}")),
                Err(error) if already_exists(&error, &["TrailAlreadyExistsException"]) => {}
                Err(error) => return Err(error),
            }
            name.to_owned()
        }
    };
    let status = call("cloudtrail:GetTrailStatus", client.get_trail_status().name(&name).send()).await?;
    if status.is_logging() != Some(true) {
        call("cloudtrail:StartLogging", client.start_logging().name(&name).send()).await?;
        writes.push(format!("cloudtrail:StartLogging {name}"));
    }
    log_all_management_events(&client, &name, writes).await
}

/// Adds a selector for all management events (read and write) to the trail's selectors when they log fewer;
/// the existing selectors are kept as they are (a trail has basic or advanced selectors, never both). Called
/// in the trail's home region, as PutEventSelectors requires.
async fn log_all_management_events(
    client: &aws_sdk_cloudtrail::Client,
    name: &str,
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType,
    };
    let current =
        call("cloudtrail:GetEventSelectors", client.get_event_selectors().trail_name(name).send()).await?;
    let events = guardline_collect::services::cloudtrail::management_events(&current);
    if events.read && events.write {
        return Ok(());
    }
    let request = client.put_event_selectors().trail_name(name);
    let request = if current.advanced_event_selectors().is_empty() {
        let all = EventSelector::builder()
            .read_write_type(ReadWriteType::All)
            .include_management_events(true)
            .build();
        request.set_event_selectors(Some([current.event_selectors().to_vec(), vec![all]].concat()))
    } else {
        let category = built(
            "cloudtrail:PutEventSelectors",
            AdvancedFieldSelector::builder().field("eventCategory").equals("Management").build(),
        )?;
        let all = built(
            "cloudtrail:PutEventSelectors",
            AdvancedEventSelector::builder()
                .name("Guardline: all management events")
                .field_selectors(category)
                .build(),
        )?;
        request.set_advanced_event_selectors(Some(
            [current.advanced_event_selectors().to_vec(), vec![all]].concat(),
        ))
    };
    call("cloudtrail:PutEventSelectors", request.send()).await?;
    writes.push(format!("cloudtrail:PutEventSelectors {name} (all management events added)"));
    Ok(())
}

async fn create_budget(
    config: &SdkConfig,
    account_id: &str,
    name: &str,
    monthly_usd: f64,
    subscribers: &[String],
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_budgets::types::{
        Budget, BudgetType, ComparisonOperator, Notification, NotificationType, NotificationWithSubscribers,
        Spend, Subscriber, SubscriptionType, ThresholdType, TimeUnit,
    };
    const ACTION: &str = "budgets:ModifyBudget";
    let client = aws_sdk_budgets::Client::new(config);
    let mut alerts = Vec::new();
    for (kind, percent) in [(NotificationType::Actual, 80.0), (NotificationType::Forecasted, 100.0)] {
        let notification = built(
            ACTION,
            Notification::builder()
                .notification_type(kind)
                .comparison_operator(ComparisonOperator::GreaterThan)
                .threshold(percent)
                .threshold_type(ThresholdType::Percentage)
                .build(),
        )?;
        let mut emails = Vec::new();
        for address in subscribers {
            emails.push(built(
                ACTION,
                Subscriber::builder().subscription_type(SubscriptionType::Email).address(address).build(),
            )?);
        }
        alerts.push((notification, emails));
    }
    let request = client.describe_budget().account_id(account_id).budget_name(name).send();
    match call("budgets:ViewBudget", request).await {
        Ok(_) => {
            // The budget exists (e.g. created by a run that stopped half-way): add what is missing.
            for (notification, emails) in alerts {
                let request = client
                    .create_notification()
                    .account_id(account_id)
                    .budget_name(name)
                    .notification(notification)
                    .set_subscribers(Some(emails))
                    .send();
                match call(ACTION, request).await {
                    Ok(_) => writes.push(format!("budgets:CreateNotification {name}")),
                    Err(error) if already_exists(&error, &["DuplicateRecordException"]) => {}
                    Err(error) => return Err(error),
                }
            }
        }
        Err(error) if already_exists(&error, &["NotFoundException"]) => {
            let limit = built(ACTION, Spend::builder().amount(format!("{monthly_usd}")).unit("USD").build())?;
            let budget = built(
                ACTION,
                Budget::builder()
                    .budget_name(name)
                    .budget_limit(limit)
                    .time_unit(TimeUnit::Monthly)
                    .budget_type(BudgetType::Cost)
                    .build(),
            )?;
            let mut request = client.create_budget().account_id(account_id).budget(budget);
            for (notification, emails) in alerts {
                request = request.notifications_with_subscribers(built(
                    ACTION,
                    NotificationWithSubscribers::builder()
                        .notification(notification)
                        .set_subscribers(Some(emails))
                        .build(),
                )?);
            }
            call(ACTION, request.send()).await?;
            writes.push(format!("budgets:CreateBudget {name} ({monthly_usd} USD/month)"));
        }
        Err(error) => return Err(error),
    }
    Ok(())
}

/// COST-003: a daily subscription on the account's per-service monitor. Every page of monitors is read and an
/// existing per-service (DIMENSIONAL, SERVICE) monitor is reused: AWS allows one per account and refuses a
/// second ("Limit exceeded on dimensional spend monitor creation"). Every page of subscriptions is read too:
/// the monitor counts as watched when a subscription of it has a subscriber that has not declined its alerts
/// (`Status` DECLINED receives nothing,
/// https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_Subscriber.html). The new
/// subscription takes a name no subscription holds.
async fn create_anomaly_monitor(
    config: &SdkConfig,
    monitor_name: &str,
    threshold_usd: f64,
    subscribers: &[String],
    writes: &mut Writes,
) -> Result<(), CollectError> {
    use aws_sdk_costexplorer::types::{
        AnomalyMonitor, AnomalySubscription, AnomalySubscriptionFrequency, Dimension, DimensionValues,
        Expression, MatchOption, MonitorDimension, MonitorType, Subscriber, SubscriberStatus, SubscriberType,
    };
    let client = aws_sdk_costexplorer::Client::new(config);
    let monitors = call(
        "ce:GetAnomalyMonitors",
        client.get_anomaly_monitors().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
    )
    .await?;
    // AWS allows one per-service (dimensional) monitor per account: reuse it.
    let existing = monitors.iter().find(|monitor| {
        monitor.monitor_type() == &MonitorType::Dimensional
            && monitor.monitor_dimension() == Some(&MonitorDimension::Service)
    });
    let monitor_arn = match existing.and_then(|monitor| monitor.monitor_arn()) {
        Some(arn) => arn.to_owned(),
        None => {
            let monitor = built(
                "ce:CreateAnomalyMonitor",
                AnomalyMonitor::builder()
                    .monitor_name(monitor_name)
                    .monitor_type(MonitorType::Dimensional)
                    .monitor_dimension(MonitorDimension::Service)
                    .build(),
            )?;
            let created = call(
                "ce:CreateAnomalyMonitor",
                client.create_anomaly_monitor().anomaly_monitor(monitor).send(),
            )
            .await?;
            writes.push(format!("ce:CreateAnomalyMonitor {monitor_name}"));
            created.monitor_arn().to_owned()
        }
    };
    let subscriptions = call(
        "ce:GetAnomalySubscriptions",
        client.get_anomaly_subscriptions().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
    )
    .await?;
    let watched = subscriptions.iter().any(|subscription| {
        subscription.monitor_arn_list().contains(&monitor_arn)
            && subscription
                .subscribers()
                .iter()
                .any(|subscriber| subscriber.status() != Some(&SubscriberStatus::Declined))
    });
    if watched {
        return Ok(());
    }
    let taken =
        |name: &str| subscriptions.iter().any(|subscription| subscription.subscription_name() == name);
    let subscription_name = std::iter::once(format!("{monitor_name}-daily"))
        .chain((2..).map(|n| format!("{monitor_name}-daily-{n}")))
        .find(|name| !taken(name))
        .unwrap_or_default();
    let threshold = Expression::builder()
        .dimensions(
            DimensionValues::builder()
                .key(Dimension::AnomalyTotalImpactAbsolute)
                .match_options(MatchOption::GreaterThanOrEqual)
                .values(format!("{threshold_usd}"))
                .build(),
        )
        .build();
    let emails: Vec<Subscriber> = subscribers
        .iter()
        .map(|address| Subscriber::builder().address(address).r#type(SubscriberType::Email).build())
        .collect();
    let subscription = built(
        "ce:CreateAnomalySubscription",
        AnomalySubscription::builder()
            .subscription_name(&subscription_name)
            .monitor_arn_list(&monitor_arn)
            .set_subscribers(Some(emails))
            .frequency(AnomalySubscriptionFrequency::Daily)
            .threshold_expression(threshold)
            .build(),
    )?;
    call(
        "ce:CreateAnomalySubscription",
        client.create_anomaly_subscription().anomaly_subscription(subscription).send(),
    )
    .await?;
    writes.push(format!("ce:CreateAnomalySubscription {subscription_name}"));
    Ok(())
}

async fn create_alias(config: &SdkConfig, alias: &str, writes: &mut Writes) -> Result<(), CollectError> {
    let client = aws_sdk_iam::Client::new(config);
    let aliases = call("iam:ListAccountAliases", client.list_account_aliases().send()).await?;
    if aliases.account_aliases().iter().any(|existing| existing == alias) {
        return Ok(());
    }
    call("iam:CreateAccountAlias", client.create_account_alias().account_alias(alias).send()).await?;
    writes.push(format!("iam:CreateAccountAlias {alias}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Every IAM action this file and the organisation-wide steps call is one the plan shows (and
    /// `iam-policy --for fix` grants).
    #[test]
    fn every_call_made_is_declared_by_the_plan_vocabulary() {
        let source = [include_str!("fix.rs"), include_str!("org_setup.rs")].concat();
        let declared = guardline_rules::fix::every_call();
        let mut made = Vec::new();
        for piece in source.split("call(\"").skip(1).chain(source.split("ACTION: &str = \"").skip(1)) {
            let action = piece.split('"').next().unwrap_or_default();
            if action.contains(':') && !action.contains(' ') {
                made.push(action);
            }
        }
        assert!(made.len() > 60, "{made:?}");
        for action in made {
            assert!(declared.contains(&action), "{action} is called but not in FixAction::calls");
        }
    }

    /// A later step's policy (the recorder's) keeps what an earlier one added (the organisation trail's).
    #[test]
    fn the_log_bucket_policy_keeps_statements_it_does_not_own() {
        let organisation = super::log_bucket_policy("b", "111111111111", Some(("o-abc", "arn:trail")));
        let account_only = super::log_bucket_policy("b", "111111111111", None);
        let merged: serde_json::Value =
            serde_json::from_str(&super::merged_bucket_policy(Some(&organisation), &account_only)).unwrap();
        let sids: Vec<&str> = merged["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|statement| statement["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(sids, ["LogServicesCheckAcl", "LogServicesWrite", "TlsOnly", "OrganizationTrailWrite"]);
        assert_eq!(super::merged_bucket_policy(None, &account_only), account_only);
    }
}
