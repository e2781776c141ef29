//! Inspector (v2) collector against moto: EC2 scanning enabled in one region, never enabled in another.

use aws_sdk_inspector2::Client;
use aws_sdk_inspector2::types::ResourceScanType;
use guardline_model::inventory::detection::InspectorStatus;

use crate::harness::Account;

#[tokio::test]
async fn enabled_versus_never_enabled() {
    let account = Account::new().await;
    let inspector = Client::new(&account.config);
    inspector.enable().account_ids(&account.id).resource_types(ResourceScanType::Ec2).send().await.unwrap();

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let regions = &output.snapshot.regions;
    assert_eq!(
        regions["ap-northeast-1"].inspector.get().unwrap(),
        &InspectorStatus { ec2: Some("ENABLED".into()) }
    );
    assert_eq!(
        regions["us-east-1"].inspector.get().unwrap(),
        &InspectorStatus { ec2: None },
        "moto lists a never-enabled account nowhere"
    );
}
