//! Detection services: GuardDuty, Security Hub, Inspector, IAM Access Analyzer, CloudTrail.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Collected;

/// A GuardDuty detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detector {
    pub id: String,
    /// `ENABLED` or `DISABLED`.
    pub status: String,
}

/// An enabled Security Hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityHub {
    pub hub_arn: String,
    /// `securityhub:GetEnabledStandards`.
    #[serde(default)]
    pub standards: Collected<Vec<EnabledStandard>>,
    /// This account's active findings in this region whose compliance status is FAILED and whose workflow
    /// status is not RESOLVED (`securityhub:GetFindings`), at most the collector's limit.
    #[serde(default)]
    pub failed_findings: Collected<Vec<HubFinding>>,
    /// More failed findings exist than were read (the collector's limit): the rest were not evaluated.
    #[serde(default)]
    pub failed_findings_truncated: bool,
}

/// An enabled Security Hub standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnabledStandard {
    pub standards_arn: String,
    /// `READY`, `PENDING`, `INCOMPLETE`, `DELETING`, `FAILED`.
    pub status: String,
}

/// A failed Security Hub control finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubFinding {
    pub id: String,
    pub title: String,
    /// The security control, e.g. `S3.8` (`Compliance.SecurityControlId`).
    pub control_id: Option<String>,
    pub resource_arns: Vec<String>,
    pub severity: String,
    /// The account the finding is about (`AwsAccountId`).
    pub account_id: String,
    /// The region the finding is about (`Region`; with cross-region aggregation, not always the region it was
    /// read in).
    pub region: String,
    /// `NEW`, `NOTIFIED` or `SUPPRESSED` (`Workflow.Status`; RESOLVED findings are not collected).
    pub workflow_status: String,
}

/// Inspector (v2) status of the account in a region (`inspector2:BatchGetAccountStatus`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectorStatus {
    /// EC2 scanning state (`ENABLED`, `DISABLED`, `ENABLING`, ...); `None` when the account is not listed,
    /// which is what a never-enabled account gets.
    pub ec2: Option<String>,
}

/// An IAM Access Analyzer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Analyzer {
    pub arn: String,
    pub name: String,
    /// `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, `ORGANIZATION_UNUSED_ACCESS`,
    /// `ACCOUNT_INTERNAL_ACCESS`, `ORGANIZATION_INTERNAL_ACCESS`.
    pub analyzer_type: String,
    /// `ACTIVE`, `CREATING`, `DISABLED`, `FAILED`.
    pub status: String,
    /// Its ACTIVE findings (`access-analyzer:ListFindings`).
    #[serde(default)]
    pub active_findings: Collected<Vec<AnalyzerFinding>>,
}

impl Analyzer {
    /// Whether it looks for external access (rather than unused or internal access).
    pub fn finds_external_access(&self) -> bool {
        matches!(self.analyzer_type.as_str(), "ACCOUNT" | "ORGANIZATION")
    }
}

/// An Access Analyzer finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyzerFinding {
    pub id: String,
    pub resource: Option<String>,
    pub resource_type: String,
    pub is_public: bool,
    /// Who gets access, e.g. `{"AWS": "111122223333"}`.
    #[serde(default)]
    pub principal: BTreeMap<String, String>,
    #[serde(default)]
    pub actions: Vec<String>,
}

/// A CloudTrail trail as `cloudtrail:DescribeTrails` lists it in a region: the trails of the region, the
/// multi-region trails of other regions (shadow trails), and the organisation's trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    /// The trail's ARN: its account is the trail's owner (the management account for an organisation trail
    /// seen from a member).
    pub arn: String,
    pub home_region: String,
    pub multi_region: bool,
    /// `IsOrganizationTrail`: it logs every account of the organisation.
    #[serde(default)]
    pub organization: bool,
    /// Read once per trail (by ARN), in its home region, or in the first scanned region when the home region
    /// is not scanned; `None` in the other regions' listings of the same trail.
    #[serde(default)]
    pub details: Option<TrailDetails>,
}

/// What a trail records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailDetails {
    /// `cloudtrail:GetTrailStatus`.
    pub is_logging: Collected<bool>,
    /// `cloudtrail:GetEventSelectors`.
    pub management_events: Collected<ManagementEvents>,
}

/// Which management events a trail's event selectors (basic or advanced) log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementEvents {
    /// Read-only management events (`ReadWriteType` All or ReadOnly; `readOnly` true or absent).
    pub read: bool,
    /// Write management events (`ReadWriteType` All or WriteOnly; `readOnly` false or absent).
    pub write: bool,
    /// Event sources excluded (`ExcludeManagementEventSources`, or an advanced `eventSource` NotEquals),
    /// e.g. `kms.amazonaws.com`.
    #[serde(default)]
    pub excluded_sources: Vec<String>,
    /// A selector that logs only some event sources (an advanced `eventSource` Equals/StartsWith/EndsWith):
    /// such a selector is not counted as logging management events.
    #[serde(default)]
    pub only_some_sources: bool,
}
