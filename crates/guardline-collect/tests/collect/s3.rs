//! S3 collector against moto: buckets public by policy and by ACL, a private bucket in another region, and
//! the account-level Block Public Access, not configured and configured.

use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
};
use aws_sdk_s3control::types::PublicAccessBlockConfiguration as AccountBlockConfiguration;
use guardline_model::inventory::s3::PublicAccessBlock;

use crate::harness::Account;

fn s3(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(true).build())
}

const ALL_ON: PublicAccessBlock = PublicAccessBlock {
    block_public_acls: true,
    ignore_public_acls: true,
    block_public_policy: true,
    restrict_public_buckets: true,
};

#[tokio::test]
async fn buckets_public_by_policy_and_acl_and_private() {
    let account = Account::new().await;
    let tokyo = s3(&account.config);
    // Bucket names are global across moto's accounts: make them unique per test.
    let by_policy = format!("gl-{}-policy", account.id);
    let by_acl = format!("gl-{}-acl", account.id);
    let private = format!("gl-{}-private", account.id);
    for name in [&by_policy, &by_acl] {
        tokyo
            .create_bucket()
            .bucket(name)
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::ApNortheast1)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{by_policy}/*"}}]}}"#
    );
    tokyo.put_bucket_policy().bucket(&by_policy).policy(policy).send().await.unwrap();
    tokyo.put_bucket_acl().bucket(&by_acl).acl(BucketCannedAcl::PublicRead).send().await.unwrap();
    let virginia = s3(&account.in_region("us-east-1"));
    virginia.create_bucket().bucket(&private).send().await.unwrap();
    virginia
        .put_public_access_block()
        .bucket(&private)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let output = account.collect(&["ap-northeast-1"]).await;
    let global = &output.snapshot.global;
    let buckets = global.buckets.get().unwrap();
    let mut names: Vec<&str> = buckets.iter().map(|bucket| bucket.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, [by_acl.as_str(), by_policy.as_str(), private.as_str()]);
    let bucket = |name: &str| buckets.iter().find(|bucket| bucket.name == name).unwrap();

    let public_policy = bucket(&by_policy);
    assert_eq!(public_policy.arn, format!("arn:aws:s3:::{by_policy}"));
    assert_eq!(public_policy.region, "ap-northeast-1");
    assert_eq!(public_policy.policy_is_public.get().unwrap(), &Some(true));
    assert!(public_policy.public_acl_grants.get().unwrap().is_empty());
    assert_eq!(public_policy.public_access_block.get().unwrap(), &None);

    let public_acl = bucket(&by_acl);
    assert_eq!(public_acl.region, "ap-northeast-1");
    assert_eq!(public_acl.policy_is_public.get().unwrap(), &None, "no policy");
    assert_eq!(public_acl.public_acl_grants.get().unwrap(), &["AllUsers READ"]);
    assert_eq!(public_acl.public_access_block.get().unwrap(), &None);

    let private = bucket(&private);
    assert_eq!(private.region, "us-east-1", "an empty location constraint is us-east-1");
    assert_eq!(private.policy_is_public.get().unwrap(), &None);
    assert!(private.public_acl_grants.get().unwrap().is_empty());
    assert_eq!(private.public_access_block.get().unwrap(), &Some(ALL_ON));

    // moto's ListBuckets has no BucketRegion: each bucket's location is asked for.
    assert_eq!(output.calls["s3:GetBucketLocation"], 3);
    assert_eq!(global.s3_account_public_access_block.get().unwrap(), &None);
}

#[tokio::test]
async fn account_public_access_block_set() {
    let account = Account::new().await;
    guardline_collect::services::s3::control_client(&account.config)
        .put_public_access_block()
        .account_id(&account.id)
        .public_access_block_configuration(
            AccountBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(false)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let output = account.collect(&["ap-northeast-1"]).await;
    let global = &output.snapshot.global;
    assert_eq!(
        global.s3_account_public_access_block.get().unwrap(),
        &Some(PublicAccessBlock { block_public_policy: false, ..ALL_ON })
    );
    assert!(global.buckets.get().unwrap().is_empty());
    assert_eq!(output.calls["s3:GetAccountPublicAccessBlock"], 1);
}
