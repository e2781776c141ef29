//! EC2 collector: security groups and instances, per region.

use crate::harness::Account;

#[tokio::test]
async fn security_groups_and_instances_per_region() {
    let account = Account::new().await;
    let tokyo = aws_sdk_ec2::Client::new(&account.config);
    let group = tokyo.create_security_group().group_name("bastion").description("ssh").send().await.unwrap();
    let group_id = group.group_id().unwrap();
    tokyo
        .authorize_security_group_ingress()
        .group_id(group_id)
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    let virginia = aws_sdk_ec2::Client::new(&account.in_region("us-east-1"));
    virginia
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .tag_specifications(
            aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::Instance)
                .tags(aws_sdk_ec2::types::Tag::builder().key("Environment").value("dev").build())
                .build(),
        )
        .send()
        .await
        .unwrap();

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let snapshot = output.snapshot;
    assert_eq!(snapshot.account.id, account.id);
    assert_eq!(snapshot.regions.keys().collect::<Vec<_>>(), ["ap-northeast-1", "us-east-1"]);

    let tokyo_groups = snapshot.regions["ap-northeast-1"].security_groups.get().unwrap();
    let bastion = tokyo_groups.iter().find(|g| g.name == "bastion").expect("bastion collected");
    assert_eq!(bastion.arn, format!("arn:aws:ec2:ap-northeast-1:{}:security-group/{group_id}", account.id));
    assert_eq!(bastion.ingress.len(), 1);
    assert_eq!(bastion.ingress[0].ipv4_ranges, ["0.0.0.0/0"]);
    assert_eq!((bastion.ingress[0].from_port, bastion.ingress[0].to_port), (Some(22), Some(22)));
    assert!(tokyo_groups.iter().any(|g| g.name == "default"), "default group collected too");
    assert!(snapshot.regions["ap-northeast-1"].instances.get().unwrap().is_empty());

    let instances = snapshot.regions["us-east-1"].instances.get().unwrap();
    assert_eq!(instances.len(), 1);
    assert_eq!(instances[0].tags["Environment"], "dev");
    assert_eq!(instances[0].state, "running");
    let virginia_groups = snapshot.regions["us-east-1"].security_groups.get().unwrap();
    assert!(!virginia_groups.iter().any(|g| g.name == "bastion"), "regions stay separate");

    assert!(output.calls["ec2:DescribeSecurityGroups"] >= 2);
}

#[tokio::test]
async fn unknown_region_is_refused_with_the_enabled_list() {
    let account = Account::new().await;
    let options = guardline_collect::CollectOptions {
        regions: Some(vec!["ap-northeast-1".into(), "xx-nowhere-1".into()]),
        max_attempts: 1,
        ..Default::default()
    };
    let err =
        match guardline_collect::collect(&account.config, &options, &guardline_collect::NoProgress).await {
            Err(err) => err.to_string(),
            Ok(_) => panic!("an unknown region must be refused"),
        };
    assert!(err.contains("xx-nowhere-1") && err.contains("ap-northeast-1"), "{err}");
}
