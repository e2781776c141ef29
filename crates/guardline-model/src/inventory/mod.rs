//! The inventory model: what the collectors gather, one submodule per service area.
//!
//! Every field that comes from an API call is a [`Collected`], so that a failed call is carried to the rules
//! as a reason instead of as an empty list. Fields absent from a snapshot default to "not collected".

pub mod account;
pub mod config;
pub mod cost;
pub mod detection;
pub mod ec2;
pub mod events;
pub mod iam;
pub mod organizations;
pub mod s3;
pub mod ssm;

use serde::{Deserialize, Serialize};

use crate::Collected;

/// Account-wide data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct GlobalInventory {
    /// Regions enabled for the account in the caller's partition (`ec2:DescribeRegions`).
    pub enabled_regions: Collected<Vec<String>>,
    pub credential_report: Collected<iam::CredentialReport>,
    pub account_summary: Collected<iam::AccountSummary>,
    pub virtual_mfa_devices: Collected<Vec<iam::VirtualMfaDevice>>,
    pub access_keys: Collected<Vec<iam::AccessKey>>,
    /// How `access_keys` was read (which users were listed, and what the rest rely on).
    pub access_key_listing: Collected<iam::KeyListing>,
    /// The root user's credentials as the management account audits them (organisation scans under
    /// centralised root access only; otherwise not collected).
    pub root_credentials: Collected<iam::RootCredentials>,
    /// `None`: the account has no password policy.
    pub password_policy: Collected<Option<iam::PasswordPolicy>>,
    pub account_aliases: Collected<Vec<String>>,
    /// `None`: no SECURITY alternate contact is set.
    pub security_contact: Collected<Option<account::AlternateContact>>,
    /// `None`: account-level S3 Block Public Access was never configured.
    pub s3_account_public_access_block: Collected<Option<s3::PublicAccessBlock>>,
    pub buckets: Collected<Vec<s3::Bucket>>,
    pub cost_explorer: Collected<cost::CostExplorerStatus>,
    pub budgets: Collected<Vec<cost::Budget>>,
    pub anomaly_monitors: Collected<Vec<cost::AnomalyMonitor>>,
    pub anomaly_subscriptions: Collected<Vec<cost::AnomalySubscription>>,
    /// `None`: the account is not in an AWS Organization (`organizations:DescribeOrganization`).
    pub organization: Collected<Option<organizations::Organization>>,
    /// Centralised root access (`iam:ListOrganizationsFeatures`); `None` when the account cannot see it (it is
    /// not the management account or IAM's delegated administrator, or not in an organization).
    pub root_access: Collected<Option<organizations::RootAccess>>,
    /// IAM roles with their trust policies (`iam:GetAccountAuthorizationDetails`).
    pub roles: Collected<Vec<iam::Role>>,
    /// IAM users' and their groups' policies (who is granted `sts:AssumeRole`, and how).
    pub principal_policies: Collected<iam::PrincipalPolicies>,
}

/// The data of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct RegionInventory {
    pub security_groups: Collected<Vec<ec2::SecurityGroup>>,
    pub instances: Collected<Vec<ec2::Instance>>,
    /// Instances Systems Manager manages (`ssm:DescribeInstanceInformation`).
    pub ssm_managed_instances: Collected<Vec<ssm::ManagedInstance>>,
    pub maintenance_windows: Collected<Vec<ssm::MaintenanceWindow>>,
    /// EventBridge Scheduler schedules.
    pub schedules: Collected<Vec<ssm::Schedule>>,
    pub config_recorders: Collected<Vec<config::ConfigRecorder>>,
    pub delivery_channels: Collected<Vec<config::DeliveryChannel>>,
    pub config_rules: Collected<Vec<config::ConfigRule>>,
    /// Rules on the default event bus.
    pub event_rules: Collected<Vec<events::EventRule>>,
    pub guardduty_detectors: Collected<Vec<detection::Detector>>,
    /// `None`: Security Hub (CSPM, the service that runs the FSBP controls) is not enabled in the region.
    pub security_hub: Collected<Option<detection::SecurityHub>>,
    /// Whether the new AWS Security Hub (2025; OCSF findings, exposure analysis) is enabled in the region
    /// (`securityhub:DescribeSecurityHubV2`).
    pub security_hub_v2: Collected<bool>,
    pub inspector: Collected<detection::InspectorStatus>,
    pub access_analyzers: Collected<Vec<detection::Analyzer>>,
    /// The organisation's active external-access analyzers (type `ORGANIZATION`) of another account (the
    /// management account or Access Analyzer's delegated administrator), whose zone of trust covers this
    /// account: set by an organisation scan from the account that owns them (a member's own
    /// `ListAnalyzers` does not show them); not collected in a single-account scan.
    pub organization_analyzers: Collected<Vec<detection::Analyzer>>,
    /// The trails `cloudtrail:DescribeTrails` lists in this region, shadow trails (multi-region trails of
    /// other regions, the organisation's trail) included.
    pub trails: Collected<Vec<detection::Trail>>,
}
