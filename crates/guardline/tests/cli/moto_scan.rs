//! `scan` and `collect` against a seeded account on moto server: the exact findings, and offline re-evaluation.

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};

use crate::support::{finding_lines, guardline_in, moto_env, volatile_filters};

/// Seeds a small account: an SSH-open security group and GuardDuty in Tokyo only, an instance tagged dev in
/// us-east-1, a console user without MFA, a user with an access key, a public bucket, an alias.
pub(crate) async fn seed(account: &guardline_testkit::Account) {
    let tokyo = aws_sdk_ec2::Client::new(&account.config);
    let group = tokyo.create_security_group().group_name("bastion").description("ssh").send().await.unwrap();
    tokyo
        .authorize_security_group_ingress()
        .group_id(group.group_id().unwrap())
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    aws_sdk_guardduty::Client::new(&account.config).create_detector().enable(true).send().await.unwrap();
    aws_sdk_ec2::Client::new(&account.in_region("us-east-1"))
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::Instance)
                .tags(Tag::builder().key("Environment").value("dev").build())
                .tags(Tag::builder().key("Name").value("dev-box").build())
                .build(),
        )
        .send()
        .await
        .unwrap();

    let iam = aws_sdk_iam::Client::new(&account.config);
    iam.create_account_alias().account_alias(format!("acme-{}", account.id)).send().await.unwrap();
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_login_profile().user_name("alice").password("Correct-Horse-9").send().await.unwrap();
    iam.create_user().user_name("bob").send().await.unwrap();
    iam.create_access_key().user_name("bob").send().await.unwrap();

    let s3 = account.s3();
    let bucket = format!("public-{}", account.id);
    guardline_testkit::create_bucket(&s3, &bucket).await;
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*"}}]}}"#
    );
    s3.put_bucket_policy().bucket(&bucket).policy(policy).send().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn scan_finds_exactly_what_was_seeded() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    seed(&account).await;
    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &account.credentials);
    let args = [
        "scan",
        "--region",
        "ap-northeast-1",
        "--region",
        "us-east-1",
        "--format",
        "json",
        "--today",
        "2026-11-28",
        "--max-attempts",
        "1",
        "--save-snapshot",
        "snap.json",
    ];
    let run = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        let env = env.clone();
        move || guardline_in(&dir, &args, &env)
    })
    .await
    .unwrap();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["account_id"], account.id.as_str());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("snap.json")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a snapshot describes the account: private");
    }
    let lines = finding_lines(&report);

    // The seeded state, control by control.
    let has = |needle: &str| lines.lines().any(|line| line.contains(needle));
    assert!(has("fail EC2-001 ap-northeast-1"), "{lines}");
    assert!(has("pass GUARDDUTY-001 ap-northeast-1"), "{lines}");
    assert!(has("fail GUARDDUTY-001 us-east-1"), "{lines}");
    assert!(has("fail IAM-003 global") && has("alice"), "{lines}");
    assert!(has("fail IAM-005 global") && has("bob"), "{lines}");
    assert!(has(&format!("fail S3-002 ap-northeast-1 arn:aws:s3:::public-{}", account.id)), "{lines}");
    assert!(has("pass ACCOUNT-001 global"), "{lines}");
    assert!(has("fail SCHED-001 us-east-1") && has("dev-box"), "{lines}");
    // No instance is SSM-managed (the test extension's DescribeInstanceInformation lists none unless seeded).
    assert!(has("fail SSM-001 us-east-1"), "{lines}");

    insta::with_settings!({filters => volatile_filters(&account.id).iter().map(|(a, b)| (a.as_str(), *b)).collect::<Vec<_>>()}, {
        insta::assert_snapshot!("moto_scan_findings", lines);
    });

    // The saved snapshot evaluates offline to the same findings.
    let offline = guardline_in(
        dir.path(),
        &["scan", "--snapshot", "snap.json", "--format", "json", "--today", "2026-11-28"],
        &[],
    );
    assert_eq!(offline.code, 1, "{}", offline.stderr);
    let offline: serde_json::Value = serde_json::from_str(&offline.stdout).unwrap();
    assert_eq!(finding_lines(&offline), lines);
}

#[tokio::test(flavor = "multi_thread")]
async fn collect_writes_a_snapshot() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &account.credentials);
    let run = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || guardline_in(&dir, &["collect", "-o", "out.json", "--regions", "eu-west-1,us-west-2"], &env)
    })
    .await
    .unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("collected account {} in 2 region(s)", account.id)),
        "{}",
        run.stderr
    );
    let snapshot =
        guardline_model::Snapshot::from_json(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    assert_eq!(snapshot.regions.keys().collect::<Vec<_>>(), ["eu-west-1", "us-west-2"]);
}
