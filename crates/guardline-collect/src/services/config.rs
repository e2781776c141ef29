//! AWS Config, per region: configuration recorders with their status, delivery channels, and Config rules
//! (CONFIG-001/002/003).
//!
//! A region with no recorder, channel or rule gives empty lists (data, not errors). The recorders field
//! needs both `DescribeConfigurationRecorders` and `DescribeConfigurationRecorderStatus`: if either fails,
//! the field carries that error. Each recorder keeps its recording strategy (all supported types, inclusion
//! or exclusion, with the types listed), its recording frequency (continuous or daily, and the overrides),
//! and, for a service-linked recorder, the service it belongs to
//! (https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationRecorder.html). Without names,
//! DescribeConfigurationRecorders returns the account's own (customer managed) recorder; a service-linked one
//! that an answer includes is kept, marked, for CONFIG-001 to leave out. moto 5.2.5 implements all four
//! calls.

use aws_config::SdkConfig;
use aws_sdk_config::Client;
use aws_sdk_config::types::{
    ConfigurationRecorder, ConfigurationRecorderStatus, RecordingFrequency, RecordingStrategyType,
};
use guardline_model::inventory::config::{ConfigRecorder, ConfigRule, DeliveryChannel, FrequencyOverride};
use guardline_model::{CollectError, Collected};

use super::RegionPart;
use crate::cx::Cx;

/// Recorders, delivery channels and rules of one region.
pub async fn collect(cx: &Cx, config: &SdkConfig, _region: &str) -> RegionPart {
    let client = Client::new(config);
    let recorders =
        cx.call("config:DescribeConfigurationRecorders", client.describe_configuration_recorders().send());
    let statuses = cx.call(
        "config:DescribeConfigurationRecorderStatus",
        client.describe_configuration_recorder_status().send(),
    );
    let channels = cx.call("config:DescribeDeliveryChannels", client.describe_delivery_channels().send());
    let rules = cx.call(
        "config:DescribeConfigRules",
        client.describe_config_rules().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
    );
    let (recorders, statuses, channels, rules) = futures::join!(recorders, statuses, channels, rules);

    let recorders: Collected<_> = merge_recorders(
        recorders.map(|answer| answer.configuration_recorders().to_vec()),
        statuses.map(|answer| answer.configuration_recorders_status().to_vec()),
    )
    .into();
    let channels: Collected<_> = channels
        .map(|answer| {
            answer
                .delivery_channels()
                .iter()
                .map(|channel| DeliveryChannel {
                    name: channel.name().unwrap_or_default().to_owned(),
                    s3_bucket: channel.s3_bucket_name().map(str::to_owned),
                    sns_topic_arn: channel.sns_topic_arn().map(str::to_owned),
                })
                .collect()
        })
        .into();
    let rules: Collected<_> = rules
        .map(|rules| {
            rules
                .iter()
                .map(|rule| ConfigRule {
                    name: rule.config_rule_name().unwrap_or_default().to_owned(),
                    arn: rule.config_rule_arn().unwrap_or_default().to_owned(),
                    owner: rule.source().map(|source| source.owner().as_str().to_owned()).unwrap_or_default(),
                    source_identifier: rule
                        .source()
                        .and_then(|source| source.source_identifier())
                        .unwrap_or_default()
                        .to_owned(),
                    state: rule
                        .config_rule_state()
                        .map(|state| state.as_str().to_owned())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .into();
    Box::new(move |inventory| {
        inventory.config_recorders = recorders;
        inventory.delivery_channels = channels;
        inventory.config_rules = rules;
    })
}

/// Each recorder with the status entry of the same name (`recording`/`last_status` stay `None` without one).
fn merge_recorders(
    recorders: Result<Vec<ConfigurationRecorder>, CollectError>,
    statuses: Result<Vec<ConfigurationRecorderStatus>, CollectError>,
) -> Result<Vec<ConfigRecorder>, CollectError> {
    let (recorders, statuses) = (recorders?, statuses?);
    Ok(recorders
        .iter()
        .map(|recorder| {
            let name = recorder.name().unwrap_or_default();
            let status = statuses.iter().find(|status| status.name() == Some(name));
            let group = recorder.recording_group();
            let declared =
                group.and_then(|group| group.recording_strategy()).and_then(|strategy| strategy.use_only());
            let all_supported = group.is_some_and(|group| group.all_supported())
                || declared == Some(&RecordingStrategyType::AllSupportedResourceTypes);
            let excluded: Vec<String> = group
                .and_then(|group| group.exclusion_by_resource_types())
                .map(|exclusion| {
                    exclusion.resource_types().iter().map(|kind| kind.as_str().to_owned()).collect()
                })
                .unwrap_or_default();
            let included: Vec<String> = group
                .map(|group| group.resource_types().iter().map(|kind| kind.as_str().to_owned()).collect())
                .unwrap_or_default();
            let (strategy, resource_types) = match declared {
                _ if all_supported => (RecordingStrategyType::AllSupportedResourceTypes, Vec::new()),
                Some(RecordingStrategyType::ExclusionByResourceTypes) => {
                    (RecordingStrategyType::ExclusionByResourceTypes, excluded)
                }
                _ if !excluded.is_empty() => (RecordingStrategyType::ExclusionByResourceTypes, excluded),
                _ => (RecordingStrategyType::InclusionByResourceTypes, included),
            };
            let mode = recorder.recording_mode();
            let frequency = mode.map_or(&RecordingFrequency::Continuous, |mode| mode.recording_frequency());
            ConfigRecorder {
                name: name.to_owned(),
                all_supported,
                include_global_resource_types: group
                    .is_some_and(|group| group.include_global_resource_types()),
                strategy: strategy.as_str().to_owned(),
                resource_types,
                frequency: frequency.as_str().to_owned(),
                frequency_overrides: mode
                    .map(|mode| mode.recording_mode_overrides())
                    .unwrap_or_default()
                    .iter()
                    .map(|o| FrequencyOverride {
                        frequency: o.recording_frequency().as_str().to_owned(),
                        resource_types: o
                            .resource_types()
                            .iter()
                            .map(|kind| kind.as_str().to_owned())
                            .collect(),
                    })
                    .collect(),
                service_principal: recorder.service_principal().map(str::to_owned),
                recording: status.map(|status| status.recording()),
                last_status: status
                    .and_then(|status| status.last_status())
                    .map(|status| status.as_str().to_owned()),
            }
        })
        .collect())
}
