//! EC2: enabled regions, security groups (with the entries of the managed prefix lists their ingress
//! admits), instances.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use aws_sdk_ec2::types::{
    Instance as SdkInstance, IpPermission as SdkIpPermission, SecurityGroup as SdkSecurityGroup,
};
use guardline_model::inventory::ec2::{Instance, IpPermission, PrefixListSource, SecurityGroup};
use guardline_model::{CollectError, Collected};

use super::RegionPart;
use crate::cx::Cx;

/// `ec2:DescribeRegions`: the regions enabled for the account (opted in, or not needing opt-in).
pub async fn enabled_regions(cx: &Cx, config: &SdkConfig) -> Collected<Vec<String>> {
    let client = aws_sdk_ec2::Client::new(config);
    let result = cx.call("ec2:DescribeRegions", client.describe_regions().all_regions(false).send()).await;
    result
        .map(|answer| {
            let mut regions: Vec<String> = answer
                .regions()
                .iter()
                .filter(|region| region.opt_in_status() != Some("not-opted-in"))
                .filter_map(|region| region.region_name().map(str::to_owned))
                .collect();
            regions.sort();
            regions
        })
        .into()
}

/// Security groups and instances of one region.
pub async fn collect(cx: &Cx, config: &SdkConfig, region: &str) -> RegionPart {
    let client = aws_sdk_ec2::Client::new(config);
    let groups = cx.call(
        "ec2:DescribeSecurityGroups",
        client.describe_security_groups().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
    );
    let instances = cx.call(
        "ec2:DescribeInstances",
        client.describe_instances().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
    );
    let groups = async {
        let groups = groups.await?;
        let lists = prefix_lists(cx, &client, &groups).await;
        Ok::<_, CollectError>(
            groups.iter().map(|group| security_group(cx, region, group, &lists)).collect::<Vec<_>>(),
        )
    };
    let (security_groups, instances) = futures::join!(groups, instances);
    let security_groups: Collected<_> = security_groups.into();
    let instances: Collected<_> = instances
        .map(|reservations| {
            reservations
                .iter()
                .flat_map(|reservation| reservation.instances())
                .map(|instance| self::instance(cx, region, instance))
                .collect()
        })
        .into();
    Box::new(move |inventory| {
        inventory.security_groups = security_groups;
        inventory.instances = instances;
    })
}

/// The entries of every managed prefix list the groups' ingress admits: `ec2:GetManagedPrefixListEntries`,
/// every page, once per list (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetManagedPrefixListEntries.html).
/// AWS-managed lists (`com.amazonaws.*`) are read too: a group's permission names only the list's ID, and
/// telling whose list it is would take another call.
async fn prefix_lists(
    cx: &Cx,
    client: &aws_sdk_ec2::Client,
    groups: &[SdkSecurityGroup],
) -> BTreeMap<String, Result<Vec<String>, CollectError>> {
    let ids: BTreeSet<String> = groups
        .iter()
        .flat_map(|group| group.ip_permissions())
        .flat_map(|permission| permission.prefix_list_ids())
        .filter_map(|list| list.prefix_list_id().map(str::to_owned))
        .collect();
    cx.each(ids.into_iter().map(|id: String| async move {
        let request = client
            .get_managed_prefix_list_entries()
            .prefix_list_id(&id)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>();
        let entries = cx.call("ec2:GetManagedPrefixListEntries", request).await.map(|entries| {
            entries.iter().filter_map(|entry| entry.cidr().map(str::to_owned)).collect::<Vec<_>>()
        });
        (id, entries)
    }))
    .await
    .into_iter()
    .collect()
}

/// One group as a scan reads it, with the entries of the prefix lists it admits (the drift watcher's
/// re-read of a changed group, [`crate::recollect`]).
pub(crate) async fn read_group(
    cx: &Cx,
    client: &aws_sdk_ec2::Client,
    region: &str,
    group: SdkSecurityGroup,
) -> SecurityGroup {
    let lists = prefix_lists(cx, client, std::slice::from_ref(&group)).await;
    security_group(cx, region, &group, &lists)
}

fn security_group(
    cx: &Cx,
    region: &str,
    group: &SdkSecurityGroup,
    lists: &BTreeMap<String, Result<Vec<String>, CollectError>>,
) -> SecurityGroup {
    let id = group.group_id().unwrap_or_default().to_owned();
    SecurityGroup {
        arn: cx.arn("ec2", region, &format!("security-group/{id}")),
        id,
        name: group.group_name().unwrap_or_default().to_owned(),
        vpc_id: group.vpc_id().map(str::to_owned),
        ingress: group.ip_permissions().iter().map(|permission| ip_permission(permission, lists)).collect(),
    }
}

fn ip_permission(
    permission: &SdkIpPermission,
    lists: &BTreeMap<String, Result<Vec<String>, CollectError>>,
) -> IpPermission {
    IpPermission {
        protocol: permission.ip_protocol().unwrap_or("-1").to_owned(),
        from_port: permission.from_port(),
        to_port: permission.to_port(),
        ipv4_ranges: permission
            .ip_ranges()
            .iter()
            .filter_map(|range| range.cidr_ip().map(str::to_owned))
            .collect(),
        ipv6_ranges: permission
            .ipv6_ranges()
            .iter()
            .filter_map(|range| range.cidr_ipv6().map(str::to_owned))
            .collect(),
        prefix_lists: permission
            .prefix_list_ids()
            .iter()
            .filter_map(|list| list.prefix_list_id())
            .map(|id| PrefixListSource {
                id: id.to_owned(),
                entries: lists.get(id).cloned().map(Collected::from).unwrap_or_default(),
            })
            .collect(),
    }
}

fn instance(cx: &Cx, region: &str, instance: &SdkInstance) -> Instance {
    let id = instance.instance_id().unwrap_or_default().to_owned();
    let tags: BTreeMap<String, String> = instance
        .tags()
        .iter()
        .filter_map(|tag| Some((tag.key()?.to_owned(), tag.value().unwrap_or_default().to_owned())))
        .collect();
    Instance {
        arn: cx.arn("ec2", region, &format!("instance/{id}")),
        id,
        state: instance
            .state()
            .and_then(|state| state.name())
            .map(|name| name.as_str().to_owned())
            .unwrap_or_default(),
        instance_type: instance.instance_type().map(|kind| kind.as_str().to_owned()).unwrap_or_default(),
        launch_time: instance.launch_time().and_then(|time| jiff::Timestamp::from_second(time.secs()).ok()),
        tags,
    }
}
