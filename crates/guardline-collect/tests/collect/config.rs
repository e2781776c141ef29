//! AWS Config collector against moto: recorders with status, delivery channels, managed rules.

use aws_sdk_config::Client;
use aws_sdk_config::types::{
    ConfigRule as SdkConfigRule, ConfigurationRecorder, DeliveryChannel as SdkDeliveryChannel, Owner,
    RecordingGroup, Source,
};
use guardline_model::inventory::config::{ConfigRecorder, DeliveryChannel};

use crate::harness::Account;

fn managed_rule(name: &str, identifier: &str) -> SdkConfigRule {
    SdkConfigRule::builder()
        .config_rule_name(name)
        .source(Source::builder().owner(Owner::Aws).source_identifier(identifier).build().unwrap())
        .build()
}

#[tokio::test]
async fn recorder_channel_and_rules_in_one_region_none_in_another() {
    let account = Account::new().await;
    let config = Client::new(&account.config);
    config
        .put_configuration_recorder()
        .configuration_recorder(
            ConfigurationRecorder::builder()
                .name("default")
                .role_arn(format!("arn:aws:iam::{}:role/config-recorder", account.id))
                .recording_group(
                    RecordingGroup::builder().all_supported(true).include_global_resource_types(true).build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let topic = format!("arn:aws:sns:ap-northeast-1:{}:config-changes", account.id);
    config
        .put_delivery_channel()
        .delivery_channel(
            SdkDeliveryChannel::builder()
                .name("default")
                .s3_bucket_name(format!("config-{}", account.id))
                .sns_topic_arn(&topic)
                .build(),
        )
        .send()
        .await
        .unwrap();
    config.start_configuration_recorder().configuration_recorder_name("default").send().await.unwrap();
    for (name, identifier) in [
        ("restricted-ssh", "INCOMING_SSH_DISABLED"),
        ("s3-bucket-public-read-prohibited", "S3_BUCKET_PUBLIC_READ_PROHIBITED"),
    ] {
        config.put_config_rule().config_rule(managed_rule(name, identifier)).send().await.unwrap();
    }

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let tokyo = &output.snapshot.regions["ap-northeast-1"];
    let recorders = tokyo.config_recorders.get().unwrap();
    assert_eq!(recorders.len(), 1);
    let recorder = &recorders[0];
    assert_eq!(
        (recorder.name.as_str(), recorder.all_supported, recorder.include_global_resource_types),
        ("default", true, true)
    );
    assert_eq!(recorder.recording, Some(true));
    assert!(recorder.last_status.is_some(), "{recorder:?}");
    assert_eq!(
        tokyo.delivery_channels.get().unwrap(),
        &vec![DeliveryChannel {
            name: "default".into(),
            s3_bucket: Some(format!("config-{}", account.id)),
            sns_topic_arn: Some(topic),
        }]
    );
    let mut rules: Vec<_> = tokyo
        .config_rules
        .get()
        .unwrap()
        .iter()
        .map(|rule| {
            (rule.name.as_str(), rule.owner.as_str(), rule.source_identifier.as_str(), rule.state.as_str())
        })
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            ("restricted-ssh", "AWS", "INCOMING_SSH_DISABLED", "ACTIVE"),
            ("s3-bucket-public-read-prohibited", "AWS", "S3_BUCKET_PUBLIC_READ_PROHIBITED", "ACTIVE"),
        ]
    );
    assert!(
        tokyo
            .config_rules
            .get()
            .unwrap()
            .iter()
            .all(|rule| rule.arn.starts_with("arn:aws:config:ap-northeast-1:"))
    );

    let virginia = &output.snapshot.regions["us-east-1"];
    assert_eq!(virginia.config_recorders.get().unwrap(), &Vec::<ConfigRecorder>::new());
    assert!(virginia.delivery_channels.get().unwrap().is_empty());
    assert!(virginia.config_rules.get().unwrap().is_empty());
}

/// An exclusion strategy (moto keeps it) and, as documented answers (moto keeps no recording mode and no
/// service-linked recorders), a daily recording mode with an override and a service-linked recorder
/// (https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationRecorder.html,
/// https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingMode.html).
#[tokio::test]
async fn recording_strategy_frequency_and_service_linked_recorders() {
    use aws_sdk_config::types::{
        ExclusionByResourceTypes, RecordingStrategy, RecordingStrategyType, ResourceType,
    };
    let account = Account::new().await;
    let config = Client::new(&account.config);
    let group = RecordingGroup::builder()
        .all_supported(false)
        .include_global_resource_types(false)
        .exclusion_by_resource_types(
            ExclusionByResourceTypes::builder().resource_types(ResourceType::Volume).build(),
        )
        .recording_strategy(
            RecordingStrategy::builder().use_only(RecordingStrategyType::ExclusionByResourceTypes).build(),
        )
        .build();
    config
        .put_configuration_recorder()
        .configuration_recorder(
            ConfigurationRecorder::builder()
                .name("default")
                .role_arn(format!("arn:aws:iam::{}:role/config-recorder", account.id))
                .recording_group(group)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let output = account.collect(&["ap-northeast-1"]).await;
    let recorder = &output.snapshot.regions["ap-northeast-1"].config_recorders.get().unwrap()[0];
    assert_eq!(recorder.strategy, "EXCLUSION_BY_RESOURCE_TYPES");
    assert_eq!(recorder.resource_types, ["AWS::EC2::Volume"]);
    assert!(!recorder.all_supported);
    assert_eq!(recorder.frequency, "CONTINUOUS", "no recording mode is continuous recording");

    account.serve(serde_json::json!({
        "service": "config", "operation": "DescribeConfigurationRecorders", "region": "us-east-1",
        "reference": "https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigurationRecorders.html",
        "body": {"ConfigurationRecorders": [
            {"name": "default", "roleARN": format!("arn:aws:iam::{}:role/config", account.id),
             "recordingGroup": {"allSupported": true, "includeGlobalResourceTypes": true,
                                "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}},
             "recordingMode": {"recordingFrequency": "DAILY", "recordingModeOverrides": [
                 {"description": "security groups at once", "resourceTypes": ["AWS::EC2::SecurityGroup"],
                  "recordingFrequency": "CONTINUOUS"}]}},
            {"name": "AWSConfigurationRecorderForSecurityHub", "servicePrincipal": "securityhub.amazonaws.com",
             "recordingGroup": {"allSupported": true, "includeGlobalResourceTypes": false},
             "recordingScope": "INTERNAL"}
        ]}
    }));
    let output = account.collect(&["us-east-1"]).await;
    let recorders = output.snapshot.regions["us-east-1"].config_recorders.get().unwrap();
    let daily = &recorders[0];
    assert_eq!(
        (daily.frequency.as_str(), daily.strategy.as_str()),
        ("DAILY", "ALL_SUPPORTED_RESOURCE_TYPES")
    );
    assert_eq!(daily.frequency_overrides[0].frequency, "CONTINUOUS");
    assert_eq!(daily.frequency_overrides[0].resource_types, ["AWS::EC2::SecurityGroup"]);
    assert_eq!(daily.service_principal, None);
    assert_eq!(recorders[1].service_principal.as_deref(), Some("securityhub.amazonaws.com"));
}
