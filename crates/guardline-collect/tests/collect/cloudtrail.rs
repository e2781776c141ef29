//! CloudTrail collector: shadow trails listed in every region and read once, by ARN, in their home region;
//! event selectors; and, from a documented answer, the organisation trail a member account sees.

use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use guardline_model::Collected;
use guardline_model::inventory::detection::{ManagementEvents, Trail, TrailDetails};

use crate::harness::Account;

/// A logging multi-region trail homed in Tokyo; returns its ARN.
async fn multi_region_trail(account: &Account, name: &str) -> String {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&account.config).force_path_style(true).build(),
    );
    // Bucket names are global on moto: make them unique per account.
    let bucket = format!("trail-logs-{}-{name}", account.id);
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
        .name(name)
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    cloudtrail.start_logging().name(name).send().await.unwrap();
    trail.trail_arn().unwrap().to_owned()
}

fn all_management_events() -> ManagementEvents {
    ManagementEvents { read: true, write: true, excluded_sources: Vec::new(), only_some_sources: false }
}

#[tokio::test]
async fn a_multi_region_trail_is_listed_in_every_region_and_read_in_its_home_region() {
    let account = Account::new().await;
    let arn = multi_region_trail(&account, "management-events").await;

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let regions = &output.snapshot.regions;
    let listed = Trail {
        name: "management-events".into(),
        arn,
        home_region: "ap-northeast-1".into(),
        multi_region: true,
        organization: false,
        details: None,
    };
    assert_eq!(
        regions["ap-northeast-1"].trails.get().unwrap(),
        &vec![Trail {
            details: Some(TrailDetails {
                is_logging: Collected::ok(true),
                // A trail created without selectors logs every management event (AWS's default selector).
                management_events: Collected::ok(all_management_events()),
            }),
            ..listed.clone()
        }]
    );
    assert_eq!(regions["us-east-1"].trails.get().unwrap(), &vec![listed], "the shadow copy, not read again");
    assert_eq!(output.calls["cloudtrail:GetTrailStatus"], 1);
    assert_eq!(output.calls["cloudtrail:GetEventSelectors"], 1);
}

#[tokio::test]
async fn a_trail_whose_home_region_is_not_scanned_is_read_in_the_first_scanned_region() {
    let account = Account::new().await;
    multi_region_trail(&account, "tokyo-home").await;
    let output = account.collect(&["eu-west-1", "us-east-1"]).await;
    let regions = &output.snapshot.regions;
    let first = regions["eu-west-1"].trails.get().unwrap();
    assert_eq!(first.len(), 1);
    assert!(first[0].details.is_some(), "read in eu-west-1, the first scanned region");
    assert!(regions["us-east-1"].trails.get().unwrap()[0].details.is_none());
}

#[tokio::test]
async fn event_selectors_that_log_only_writes() {
    let account = Account::new().await;
    multi_region_trail(&account, "writes-only").await;
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&account.config);
    cloudtrail
        .put_event_selectors()
        .trail_name("writes-only")
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::WriteOnly)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let output = account.collect(&["ap-northeast-1"]).await;
    let trails = output.snapshot.regions["ap-northeast-1"].trails.get().unwrap();
    let details = trails[0].details.as_ref().unwrap();
    assert_eq!(
        details.management_events.get().unwrap(),
        &ManagementEvents { read: false, ..all_management_events() }
    );
}

/// A member account lists the management account's organisation trail as a shadow trail (its ARN names the
/// management account, `IsOrganizationTrail` true) and may read its status and selectors by ARN only
/// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html,
/// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html: "If the trail is an
/// organization trail and you are a member account in the organization in AWS Organizations, you must provide
/// the full ARN of that trail, and not just the name"). moto has no organisation trails: documented answers.
#[tokio::test]
async fn a_member_account_sees_the_organization_trail_and_reads_it_by_arn() {
    let account = Account::new().await;
    let arn = "arn:aws:cloudtrail:us-east-1:210987654321:trail/aws-controltower-BaselineCloudTrail";
    let listed = serde_json::json!({
        "Name": "aws-controltower-BaselineCloudTrail", "S3BucketName": "aws-controltower-logs-210987654321-us-east-1",
        "IncludeGlobalServiceEvents": true, "IsMultiRegionTrail": true, "HomeRegion": "us-east-1",
        "TrailARN": arn, "LogFileValidationEnabled": true, "HasCustomEventSelectors": false,
        "HasInsightSelectors": false, "IsOrganizationTrail": true
    });
    account.serve(serde_json::json!({
        "service": "cloudtrail", "operation": "DescribeTrails", "region": "*",
        "reference": "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html",
        "body": {"trailList": [listed]}
    }));
    account.serve(serde_json::json!({
        "service": "cloudtrail", "operation": "GetTrailStatus", "region": "us-east-1", "match": {"Name": arn},
        "reference": "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html",
        "body": {"IsLogging": true, "StartLoggingTime": 1.7e9}
    }));
    account.serve(serde_json::json!({
        "service": "cloudtrail", "operation": "GetEventSelectors", "region": "us-east-1", "match": {"TrailName": arn},
        "reference": "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetEventSelectors.html",
        "body": {"TrailARN": arn, "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true,
                  "DataResources": [], "ExcludeManagementEventSources": []}]}
    }));

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let home = &output.snapshot.regions["us-east-1"].trails.get().unwrap()[0];
    assert!(home.organization);
    assert_eq!(home.arn, arn);
    let details = home.details.as_ref().expect("read in its home region, us-east-1");
    assert_eq!(details.is_logging, Collected::ok(true));
    assert_eq!(details.management_events, Collected::ok(all_management_events()));
    assert!(output.snapshot.regions["ap-northeast-1"].trails.get().unwrap()[0].details.is_none());
}
