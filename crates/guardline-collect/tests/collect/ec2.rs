//! EC2 collector: security groups (with the entries of the managed prefix lists they admit) and instances,
//! per region.

use aws_sdk_ec2::types::{AddPrefixListEntry, Filter, IpPermission as SdkIpPermission, PrefixListId};
use guardline_model::ErrorKind;
use guardline_model::inventory::ec2::{IpPermission, SecurityGroup, WorldSource};

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

/// A customer-managed prefix list with `cidrs`; its ID.
async fn prefix_list(ec2: &aws_sdk_ec2::Client, name: &str, cidrs: &[&str]) -> String {
    let mut request =
        ec2.create_managed_prefix_list().prefix_list_name(name).address_family("IPv4").max_entries(10);
    for cidr in cidrs {
        request = request.entries(AddPrefixListEntry::builder().cidr(*cidr).build());
    }
    request.send().await.unwrap().prefix_list().unwrap().prefix_list_id().unwrap().to_owned()
}

/// A security group admitting TCP `port` from the prefix lists `lists` (`PrefixListIds`, with no
/// `IpRanges`: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html); its ID.
async fn group_from_lists(ec2: &aws_sdk_ec2::Client, name: &str, port: i32, lists: &[&str]) -> String {
    let group = ec2.create_security_group().group_name(name).description(name).send().await.unwrap();
    let group_id = group.group_id().unwrap().to_owned();
    let mut permission = SdkIpPermission::builder().ip_protocol("tcp").from_port(port).to_port(port);
    for list in lists {
        permission = permission.prefix_list_ids(PrefixListId::builder().prefix_list_id(*list).build());
    }
    ec2.authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(permission.build())
        .send()
        .await
        .unwrap();
    group_id
}

fn ingress_of<'a>(groups: &'a [SecurityGroup], id: &str) -> &'a [IpPermission] {
    &groups.iter().find(|group| group.id == id).expect("group collected").ingress
}

/// GetManagedPrefixListEntries
/// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetManagedPrefixListEntries.html) resolves
/// every list a permission admits, once per list and region however many permissions admit it; an
/// AWS-managed list (com.amazonaws.<region>.s3, owner AWS) is read like the others.
#[tokio::test]
async fn prefix_lists_are_resolved_once_per_list() {
    let account = Account::new().await;
    let ec2 = aws_sdk_ec2::Client::new(&account.config);
    let anywhere = prefix_list(&ec2, "anywhere", &["10.0.0.0/8", "0.0.0.0/0"]).await;
    let office = prefix_list(&ec2, "office", &["203.0.113.0/24"]).await;
    let s3 = ec2
        .describe_managed_prefix_lists()
        .filters(Filter::builder().name("prefix-list-name").values("com.amazonaws.ap-northeast-1.s3").build())
        .send()
        .await
        .unwrap()
        .prefix_lists()[0]
        .clone();
    assert_eq!(s3.owner_id(), Some("AWS"));
    let s3 = s3.prefix_list_id().unwrap().to_owned();
    let ssh = group_from_lists(&ec2, "ssh-from-lists", 22, &[&anywhere, &office]).await;
    let rdp = group_from_lists(&ec2, "rdp-from-anywhere", 3389, &[&anywhere]).await;
    let https = group_from_lists(&ec2, "https-from-s3", 443, &[&s3]).await;

    let output = account.collect(&["ap-northeast-1"]).await;
    let groups = output.snapshot.regions["ap-northeast-1"].security_groups.get().unwrap();
    let ssh = ingress_of(groups, &ssh);
    assert_eq!(ssh.len(), 1);
    assert!(ssh[0].ipv4_ranges.is_empty());
    let mut lists: Vec<(String, Vec<String>)> = ssh[0]
        .prefix_lists
        .iter()
        .map(|list| (list.id.clone(), list.entries.get().unwrap().clone()))
        .collect();
    lists.sort();
    let mut expected = vec![
        (anywhere.clone(), vec!["10.0.0.0/8".to_owned(), "0.0.0.0/0".to_owned()]),
        (office.clone(), vec!["203.0.113.0/24".to_owned()]),
    ];
    expected.sort();
    assert_eq!(lists, expected);
    assert_eq!(
        ssh[0].world_sources(),
        [WorldSource::PrefixList { id: anywhere.as_str(), cidr: "0.0.0.0/0" }]
    );
    assert_eq!(
        ingress_of(groups, &rdp)[0].prefix_lists[0].entries.get().unwrap(),
        &["10.0.0.0/8", "0.0.0.0/0"]
    );
    let s3_entries = ingress_of(groups, &https)[0].prefix_lists[0].entries.get().unwrap();
    assert!(!s3_entries.is_empty() && !s3_entries.iter().any(|cidr| cidr == "0.0.0.0/0"), "{s3_entries:?}");
    // anywhere (admitted twice), office and the S3 list: one call each.
    assert_eq!(output.calls["ec2:GetManagedPrefixListEntries"], 3);
}

/// AWS pages GetManagedPrefixListEntries with `NextToken`
/// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetManagedPrefixListEntries.html; moto
/// answers every entry at once): a world entry on the second page is found. A list whose entries are denied
/// (`UnauthorizedOperation`, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html)
/// is that list's error, not the security groups'.
#[tokio::test]
async fn prefix_list_entries_are_read_to_the_last_page_and_a_denied_list_is_its_own_error() {
    let account = Account::new().await;
    let ec2 = aws_sdk_ec2::Client::new(&account.config);
    let paged = prefix_list(&ec2, "paged", &["192.0.2.0/24"]).await;
    let partner = prefix_list(&ec2, "partner", &["198.51.100.0/24"]).await;
    let group = group_from_lists(&ec2, "ssh-from-paged-and-partner", 22, &[&paged, &partner]).await;
    let reference =
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetManagedPrefixListEntries.html";
    let entries = |cidrs: &[&str], next: Option<&str>| {
        let items: String = cidrs
            .iter()
            .map(|cidr| format!("<item><cidr>{cidr}</cidr><description>p</description></item>"))
            .collect();
        let next = next.map(|token| format!("<nextToken>{token}</nextToken>")).unwrap_or_default();
        format!(
            "<GetManagedPrefixListEntriesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
             <requestId>1</requestId><entrySet>{items}</entrySet>{next}</GetManagedPrefixListEntriesResponse>"
        )
    };
    account.serve(serde_json::json!({
        "service": "ec2", "operation": "GetManagedPrefixListEntries", "region": "ap-northeast-1",
        "match": {"PrefixListId": paged}, "reference": reference,
        "body": entries(&["192.0.2.0/24", "198.18.0.0/15"], Some("page-2")),
    }));
    account.serve(serde_json::json!({
        "service": "ec2", "operation": "GetManagedPrefixListEntries", "region": "ap-northeast-1",
        "match": {"PrefixListId": paged, "NextToken": "page-2"}, "reference": reference,
        "body": entries(&["0.0.0.0/0"], None),
    }));
    account.serve(serde_json::json!({
        "service": "ec2", "operation": "GetManagedPrefixListEntries", "region": "ap-northeast-1",
        "match": {"PrefixListId": partner}, "status": 403,
        "reference": "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
        "body": "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error>\
                 <Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. \
                 User: arn:aws:sts::123456789012:assumed-role/auditor/a is not authorized to perform: \
                 ec2:GetManagedPrefixListEntries</Message></Error></Errors><RequestID>2</RequestID></Response>",
    }));

    let output = account.collect(&["ap-northeast-1"]).await;
    let groups = output.snapshot.regions["ap-northeast-1"].security_groups.get().unwrap();
    let permission = &ingress_of(groups, &group)[0];
    let list = |id: &str| permission.prefix_lists.iter().find(|list| list.id == id).unwrap();
    assert_eq!(list(&paged).entries.get().unwrap(), &["192.0.2.0/24", "198.18.0.0/15", "0.0.0.0/0"]);
    let error = list(&partner).entries.get().unwrap_err();
    assert_eq!(
        (error.action.as_str(), error.kind, error.code.as_deref()),
        ("ec2:GetManagedPrefixListEntries", ErrorKind::AccessDenied, Some("UnauthorizedOperation"))
    );
    assert_eq!(permission.unreadable_prefix_lists(), [(partner.as_str(), error)]);
    assert_eq!(
        permission.world_sources(),
        [WorldSource::PrefixList { id: paged.as_str(), cidr: "0.0.0.0/0" }]
    );
    assert_eq!(
        output.calls["ec2:GetManagedPrefixListEntries"], 2,
        "each list is read once, to its last page"
    );
}

/// The drift watcher's re-read: the groups a batch names, in one DescribeSecurityGroups. A group deleted
/// since makes AWS fail the whole call with `InvalidGroup.NotFound`
/// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), so the groups are then
/// read one by one: the changed one is replaced, the deleted one removed, the others left as they were.
#[tokio::test]
async fn a_recollect_reads_the_named_groups_and_drops_a_deleted_one() {
    use guardline_collect::recollect::{Scope, recollect};
    let account = Account::new().await;
    let ec2 = aws_sdk_ec2::Client::new(&account.config);
    let create = |name: &'static str| {
        let ec2 = ec2.clone();
        async move {
            let group = ec2.create_security_group().group_name(name).description(name).send().await.unwrap();
            group.group_id().unwrap().to_owned()
        }
    };
    let (web, gone) = (create("web").await, create("gone").await);
    let mut snapshot = account.collect(&["ap-northeast-1"]).await.snapshot;
    let groups = |snapshot: &guardline_model::Snapshot| -> Vec<SecurityGroup> {
        snapshot.regions["ap-northeast-1"].security_groups.get().unwrap().clone()
    };
    let others = groups(&snapshot).len() - 2;
    ec2.authorize_security_group_ingress()
        .group_id(&web)
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    ec2.delete_security_group().group_id(&gone).send().await.unwrap();
    let scope = |id: &str| Scope::SecurityGroup { region: "ap-northeast-1".into(), id: id.to_owned() };
    let read = recollect(&account.config, 4, &mut snapshot, &[scope(&web), scope(&gone), scope(&web)]).await;
    assert!(read.failed.is_empty(), "{:?}", read.failed);
    assert_eq!(
        read.calls["ec2:DescribeSecurityGroups"], 3,
        "one call for both, then one each: {:?}",
        read.calls
    );
    let after = groups(&snapshot);
    assert!(!after.iter().any(|group| group.id == gone), "the deleted group is removed");
    assert_eq!(after.iter().find(|group| group.id == web).unwrap().ingress[0].ipv4_ranges, ["0.0.0.0/0"]);
    assert_eq!(after.len(), others + 1, "the groups no event named are left as they were");
}
