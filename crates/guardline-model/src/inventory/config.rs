//! AWS Config: recorders, delivery channels, rules.

use serde::{Deserialize, Serialize};

/// A configuration recorder with its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorder {
    pub name: String,
    /// Records all supported resource types (`allSupported`, or the `ALL_SUPPORTED_RESOURCE_TYPES` strategy).
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    /// From `config:DescribeConfigurationRecorderStatus`; `None` when it had no entry for the recorder.
    pub recording: Option<bool>,
    pub last_status: Option<String>,
}

/// A delivery channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryChannel {
    pub name: String,
    pub s3_bucket: Option<String>,
    pub sns_topic_arn: Option<String>,
}

/// A Config rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigRule {
    pub name: String,
    pub arn: String,
    /// `AWS` (managed), `CUSTOM_LAMBDA`, `CUSTOM_POLICY`.
    pub owner: String,
    /// For managed rules, e.g. `INCOMING_SSH_DISABLED`.
    pub source_identifier: String,
    /// `ACTIVE`, `DELETING`, `EVALUATING`, ...
    pub state: String,
}
