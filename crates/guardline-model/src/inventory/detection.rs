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

/// A CloudTrail trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    pub multi_region: bool,
    /// `cloudtrail:GetTrailStatus`.
    #[serde(default)]
    pub is_logging: Collected<bool>,
}
