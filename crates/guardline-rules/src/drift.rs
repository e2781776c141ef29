//! Which CloudTrail management events can change which control's verdict ([`CHANGE_EVENTS`]), beside the
//! rules so that the two stay in step: the table the drift watcher (issue 16's `changes` source) maps an
//! event to the controls it re-evaluates with. Controls no API call changes (a verdict that moves with time,
//! or with findings another watch source reads) are listed with the reason in [`NOT_BY_EVENTS`].
//!
//! Event names are CloudTrail's `eventName`, sources its `eventSource`
//! (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html);
//! the meta-tests keep every rule covered exactly once by the two lists and every named control real.

/// One CloudTrail management event and the controls whose verdict it can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeEvent {
    /// `eventSource`, e.g. `ec2.amazonaws.com`.
    pub source: &'static str,
    /// `eventName`, e.g. `AuthorizeSecurityGroupIngress`.
    pub name: &'static str,
    pub controls: &'static [&'static str],
}

const fn event(source: &'static str, name: &'static str, controls: &'static [&'static str]) -> ChangeEvent {
    ChangeEvent { source, name, controls }
}

const EC2: &str = "ec2.amazonaws.com";
const S3: &str = "s3.amazonaws.com";
const IAM: &str = "iam.amazonaws.com";
const EVENTS: &str = "events.amazonaws.com";
const SSM: &str = "ssm.amazonaws.com";

/// The routes of GUARDDUTY-002, HEALTH-001 and CONFIG-002: an EventBridge rule and its SNS topic.
const ROUTES: &[&str] = &["GUARDDUTY-002", "HEALTH-001", "CONFIG-002"];
/// What an instance launched, tagged or untagged changes.
const INSTANCE: &[&str] = &["INSPECTOR-001", "SSM-001", "SCHED-001", "SCHED-002"];

/// Every management event that can change a control's verdict.
pub static CHANGE_EVENTS: &[ChangeEvent] = &[
    event(EC2, "AuthorizeSecurityGroupIngress", &["EC2-001"]),
    event(EC2, "RevokeSecurityGroupIngress", &["EC2-001"]),
    event(EC2, "ModifySecurityGroupRules", &["EC2-001"]),
    event(EC2, "DeleteSecurityGroup", &["EC2-001"]),
    event(EC2, "RunInstances", INSTANCE),
    event(EC2, "CreateTags", &["SCHED-001", "SCHED-002"]),
    event(EC2, "DeleteTags", &["SCHED-001", "SCHED-002"]),
    event(S3, "CreateBucket", &["S3-002"]),
    event(S3, "PutBucketPolicy", &["S3-002"]),
    event(S3, "DeleteBucketPolicy", &["S3-002"]),
    event(S3, "PutBucketAcl", &["S3-002"]),
    event(S3, "PutBucketPublicAccessBlock", &["S3-002"]),
    event(S3, "DeleteBucketPublicAccessBlock", &["S3-002"]),
    event(S3, "PutAccountPublicAccessBlock", &["S3-001", "S3-002"]),
    event(S3, "DeleteAccountPublicAccessBlock", &["S3-001", "S3-002"]),
    event("cloudtrail.amazonaws.com", "StopLogging", &["TRAIL-001"]),
    event("cloudtrail.amazonaws.com", "StartLogging", &["TRAIL-001"]),
    event("cloudtrail.amazonaws.com", "DeleteTrail", &["TRAIL-001"]),
    event("cloudtrail.amazonaws.com", "UpdateTrail", &["TRAIL-001"]),
    event("cloudtrail.amazonaws.com", "PutEventSelectors", &["TRAIL-001"]),
    event("guardduty.amazonaws.com", "DeleteDetector", &["GUARDDUTY-001"]),
    event("guardduty.amazonaws.com", "UpdateDetector", &["GUARDDUTY-001"]),
    event(EVENTS, "PutRule", ROUTES),
    event(EVENTS, "DeleteRule", ROUTES),
    event(EVENTS, "DisableRule", ROUTES),
    event(EVENTS, "EnableRule", ROUTES),
    event(EVENTS, "PutTargets", ROUTES),
    event(EVENTS, "RemoveTargets", ROUTES),
    event("sns.amazonaws.com", "DeleteTopic", ROUTES),
    event("sns.amazonaws.com", "Unsubscribe", ROUTES),
    event("config.amazonaws.com", "StopConfigurationRecorder", &["CONFIG-001"]),
    event("config.amazonaws.com", "DeleteConfigurationRecorder", &["CONFIG-001"]),
    event("config.amazonaws.com", "PutConfigurationRecorder", &["CONFIG-001"]),
    event("config.amazonaws.com", "DeleteDeliveryChannel", &["CONFIG-001"]),
    event("config.amazonaws.com", "DeleteConfigRule", &["CONFIG-003"]),
    event(IAM, "CreateAccessKey", &["IAM-002", "IAM-005"]),
    event(IAM, "UpdateAccessKey", &["IAM-002", "IAM-005"]),
    event(IAM, "DeleteAccessKey", &["IAM-002", "IAM-005"]),
    event(IAM, "CreateLoginProfile", &["IAM-003"]),
    event(IAM, "DeactivateMFADevice", &["IAM-001", "IAM-003", "IAM-004"]),
    event(IAM, "DeleteVirtualMFADevice", &["IAM-001", "IAM-003", "IAM-004"]),
    event(IAM, "EnableMFADevice", &["IAM-001", "IAM-003", "IAM-004"]),
    event(IAM, "UpdateAccountPasswordPolicy", &["IAM-007"]),
    event(IAM, "DeleteAccountPasswordPolicy", &["IAM-007"]),
    event(IAM, "DeleteAccountAlias", &["ACCOUNT-001"]),
    event(IAM, "CreateUser", &["ORG-001"]),
    event(IAM, "CreateRole", &["ORG-002", "ORG-003"]),
    event(IAM, "DeleteRole", &["ORG-002", "ORG-003"]),
    event(IAM, "UpdateAssumeRolePolicy", &["ORG-002", "ORG-003"]),
    event(IAM, "PutUserPolicy", &["ORG-004"]),
    event(IAM, "AttachUserPolicy", &["ORG-004"]),
    event(IAM, "PutGroupPolicy", &["ORG-004"]),
    event(IAM, "AttachGroupPolicy", &["ORG-004"]),
    event(IAM, "AddUserToGroup", &["ORG-004"]),
    event(IAM, "CreatePolicyVersion", &["ORG-004"]),
    event(IAM, "DisableOrganizationsRootCredentialsManagement", &["ORG-005"]),
    event(IAM, "DisableOrganizationsRootSessions", &["ORG-005"]),
    event("securityhub.amazonaws.com", "DisableSecurityHub", &["HUB-001"]),
    event("securityhub.amazonaws.com", "BatchDisableStandards", &["HUB-001"]),
    event("access-analyzer.amazonaws.com", "DeleteAnalyzer", &["ANALYZER-001"]),
    event("inspector2.amazonaws.com", "Disable", &["INSPECTOR-001"]),
    event(SSM, "DeleteMaintenanceWindow", &["SCHED-001"]),
    event(SSM, "UpdateMaintenanceWindow", &["SCHED-001"]),
    event(SSM, "DeregisterTaskFromMaintenanceWindow", &["SCHED-001"]),
    event(SSM, "RegisterTargetWithMaintenanceWindow", &["SCHED-001", "SCHED-002"]),
    event(SSM, "UpdateMaintenanceWindowTarget", &["SCHED-001", "SCHED-002"]),
    event("scheduler.amazonaws.com", "CreateSchedule", &["SCHED-001", "SCHED-002"]),
    event("scheduler.amazonaws.com", "UpdateSchedule", &["SCHED-001", "SCHED-002"]),
    event("scheduler.amazonaws.com", "DeleteSchedule", &["SCHED-001"]),
    event("budgets.amazonaws.com", "DeleteBudget", &["COST-002"]),
    event("budgets.amazonaws.com", "UpdateBudget", &["COST-002"]),
    event("budgets.amazonaws.com", "DeleteNotification", &["COST-002"]),
    event("budgets.amazonaws.com", "DeleteSubscriber", &["COST-002"]),
    event("ce.amazonaws.com", "DeleteAnomalyMonitor", &["COST-003"]),
    event("ce.amazonaws.com", "DeleteAnomalySubscription", &["COST-003"]),
    event("ce.amazonaws.com", "UpdateAnomalySubscription", &["COST-003"]),
    event("account.amazonaws.com", "DeleteAlternateContact", &["ACCOUNT-002"]),
];

/// What instances' schedules and coverage depend on: an instance itself, launched or retagged.
const INSTANCE_CI: &[&str] = &["INSPECTOR-001", "SSM-001", "SCHED-001", "SCHED-002"];

/// The AWS Config resource types whose "Configuration Item Change" events can change a control's verdict
/// (`configurationItem.resourceType`,
/// https://docs.aws.amazon.com/config/latest/developerguide/resource-config-reference.html): the second
/// way a change reaches the drift watcher, where Config records.
pub static CONFIG_ITEM_TYPES: &[(&str, &[&str])] = &[
    ("AWS::EC2::SecurityGroup", &["EC2-001"]),
    ("AWS::EC2::Instance", INSTANCE_CI),
    ("AWS::S3::Bucket", &["S3-002"]),
    ("AWS::S3::AccountPublicAccessBlock", &["S3-001", "S3-002"]),
    ("AWS::CloudTrail::Trail", &["TRAIL-001"]),
    ("AWS::IAM::User", &["ORG-001", "ORG-004"]),
    ("AWS::IAM::Group", &["ORG-004"]),
    ("AWS::IAM::Policy", &["ORG-004"]),
    ("AWS::IAM::Role", &["ORG-002", "ORG-003"]),
    ("AWS::Events::Rule", ROUTES),
    ("AWS::SNS::Topic", ROUTES),
    ("AWS::GuardDuty::Detector", &["GUARDDUTY-001"]),
    ("AWS::AccessAnalyzer::Analyzer", &["ANALYZER-001"]),
    ("AWS::Config::ConfigRule", &["CONFIG-003"]),
    ("AWS::SecurityHub::Hub", &["HUB-001"]),
];

/// The controls a Config item change of `resource_type` can change (none when the table does not know it).
pub fn controls_for_config_item(resource_type: &str) -> &'static [&'static str] {
    CONFIG_ITEM_TYPES.iter().find(|(kind, _)| *kind == resource_type).map_or(&[], |(_, controls)| controls)
}

/// Controls whose verdict no management event changes, with the reason (the drift watcher leaves them to
/// the next scan or to another watch source).
pub static NOT_BY_EVENTS: &[(&str, &str)] = &[
    ("IAM-006", "a user becomes unused by time passing, not by a call"),
    ("HUB-002", "a failed Security Hub control is a finding, which the security-hub watch source reads"),
    ("ANALYZER-002", "external access found is an Access Analyzer finding, not a call of the account"),
    ("COST-001", "Cost Explorer cannot be disabled once it is enabled"),
];

/// The controls `event_name` from `event_source` can change (none when the table does not know it).
pub fn controls_for(event_source: &str, event_name: &str) -> &'static [&'static str] {
    CHANGE_EVENTS
        .iter()
        .find(|event| event.source == event_source && event.name == event_name)
        .map_or(&[], |event| event.controls)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every control can drift by some event or says why it cannot, never both; every control named is one.
    #[test]
    fn the_table_and_the_rules_stay_in_step() {
        let rules: BTreeSet<&str> = crate::RULES.iter().map(|rule| rule.id).collect();
        let by_events: BTreeSet<&str> =
            CHANGE_EVENTS.iter().flat_map(|event| event.controls.iter().copied()).collect();
        let not_by: BTreeSet<&str> = NOT_BY_EVENTS.iter().map(|(control, _)| *control).collect();
        for control in by_events.iter().chain(&not_by) {
            assert!(rules.contains(control), "{control} is not a control");
        }
        for rule in &rules {
            assert!(
                by_events.contains(rule) != not_by.contains(rule),
                "{rule} must be changed by some event or listed in NOT_BY_EVENTS with a reason, not both"
            );
        }
        let mut seen = BTreeSet::new();
        for event in CHANGE_EVENTS {
            assert!(
                seen.insert((event.source, event.name)),
                "{} {} is listed twice",
                event.source,
                event.name
            );
            assert!(event.source.ends_with(".amazonaws.com") && !event.controls.is_empty(), "{event:?}");
        }
    }

    #[test]
    fn config_item_types_name_controls_that_drift_by_events() {
        let by_events: BTreeSet<&str> =
            CHANGE_EVENTS.iter().flat_map(|event| event.controls.iter().copied()).collect();
        for (kind, controls) in CONFIG_ITEM_TYPES {
            assert!(kind.starts_with("AWS::") && !controls.is_empty(), "{kind}");
            for control in *controls {
                assert!(by_events.contains(control), "{kind}: {control} drifts by no CloudTrail event");
            }
        }
        assert_eq!(controls_for_config_item("AWS::EC2::SecurityGroup"), ["EC2-001"]);
        assert!(controls_for_config_item("AWS::EC2::Volume").is_empty());
    }

    #[test]
    fn an_event_maps_to_its_controls() {
        assert_eq!(controls_for("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"), ["EC2-001"]);
        assert_eq!(controls_for("cloudtrail.amazonaws.com", "StopLogging"), ["TRAIL-001"]);
        assert!(controls_for("ec2.amazonaws.com", "DescribeInstances").is_empty());
    }
}
