//! CloudTrail collector against moto: a multi-region trail appears once, in its home region.

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use guardline_model::Collected;
use guardline_model::inventory::detection::Trail;

use crate::harness::Account;

#[tokio::test]
async fn multi_region_trail_logging_in_its_home_region_only() {
    let account = Account::new().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&account.config).force_path_style(true).build(),
    );
    // Bucket names are global on moto: make them unique per account.
    let bucket = format!("trail-logs-{}", account.id);
    s3.create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::ApNortheast1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&account.config);
    let trail = cloudtrail
        .create_trail()
        .name("management-events")
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    let arn = trail.trail_arn().unwrap().to_owned();
    cloudtrail.start_logging().name("management-events").send().await.unwrap();

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let regions = &output.snapshot.regions;
    assert_eq!(
        regions["ap-northeast-1"].trails.get().unwrap(),
        &vec![Trail {
            name: "management-events".into(),
            arn,
            home_region: "ap-northeast-1".into(),
            multi_region: true,
            is_logging: Collected::ok(true),
        }]
    );
    assert!(regions["us-east-1"].trails.get().unwrap().is_empty(), "the shadow copy is left out");
}
