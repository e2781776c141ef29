//! AWS Config: recorders, delivery channels, rules.

use serde::{Deserialize, Serialize};

/// A configuration recorder with its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorder {
    pub name: String,
    /// Records all supported resource types (`allSupported`, or the `ALL_SUPPORTED_RESOURCE_TYPES` strategy).
    pub all_supported: bool,
    /// `includeGlobalResourceTypes` (meaningful with all supported types only).
    pub include_global_resource_types: bool,
    /// `ALL_SUPPORTED_RESOURCE_TYPES`, `INCLUSION_BY_RESOURCE_TYPES` or `EXCLUSION_BY_RESOURCE_TYPES`
    /// (`recordingGroup.recordingStrategy.useOnly`; for a recorder without a strategy, what `allSupported`
    /// and `resourceTypes` amount to).
    #[serde(default)]
    pub strategy: String,
    /// The resource types the strategy lists: recorded ones (inclusion) or left out (exclusion).
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// `CONTINUOUS` or `DAILY` (`recordingMode.recordingFrequency`; CONTINUOUS without a recording mode).
    #[serde(default)]
    pub frequency: String,
    /// Resource types recorded at another frequency than `frequency` (`recordingModeOverrides`).
    #[serde(default)]
    pub frequency_overrides: Vec<FrequencyOverride>,
    /// For a service-linked recorder (named `AWSConfigurationRecorderFor...`), the service it records for
    /// (`servicePrincipal`): not the account's own recorder.
    #[serde(default)]
    pub service_principal: Option<String>,
    /// From `config:DescribeConfigurationRecorderStatus`; `None` when it had no entry for the recorder.
    pub recording: Option<bool>,
    pub last_status: Option<String>,
}

/// Resource types a recorder records at another frequency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrequencyOverride {
    /// `CONTINUOUS` or `DAILY`.
    pub frequency: String,
    pub resource_types: Vec<String>,
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
