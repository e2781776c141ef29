//! Re-collection for the drift watcher: what a change event asks to read again ([`Scope`], from the event's
//! `eventSource` and request by [`scopes_for`]) and reading exactly that into a known snapshot
//! ([`recollect`]), so that a change costs a handful of calls, never a rescan.
//!
//! The security groups a batch of changes names are read by ID, every group of one region in one
//! `ec2:DescribeSecurityGroups --group-ids` (plus the entries of the prefix lists they admit): the commonest
//! drift costs one call per batch. A bucket the snapshot knows is read alone (its policy status, ACL and
//! Block Public Access, in its region). Every other change re-runs the one collector that reads the changed
//! service, in the event's region (account-wide services once; CloudTrail in every scanned region, since a
//! multi-region trail's status shows in each). All of it runs concurrently. Like every collector, nothing
//! here writes.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::{Region, SdkConfig};
use guardline_model::inventory::ec2::SecurityGroup;
use guardline_model::{CollectError, Collected, Snapshot};

use crate::cx::Cx;
use crate::services;

/// One part of a snapshot to read again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// One security group, by ID.
    SecurityGroup { region: String, id: String },
    /// One bucket the snapshot knows, by name (a bucket it does not know is read with the S3 collector).
    Bucket { name: String },
    /// One collector of one region ([`services::REGION_COLLECTORS`]).
    Region { region: String, collector: &'static str },
    /// One account-wide collector ([`services::GLOBAL_COLLECTORS`]).
    Global { collector: &'static str },
}

impl Scope {
    /// A scope with the region left out where it reads account-wide data.
    pub fn label(&self) -> String {
        match self {
            Scope::SecurityGroup { region, id } => format!("{id} in {region}"),
            Scope::Bucket { name } => format!("bucket {name}"),
            Scope::Region { region, collector } => format!("{collector} in {region}"),
            Scope::Global { collector } => (*collector).to_owned(),
        }
    }
}

/// The collectors that read what a call to `event_source` changes: `(collector, account-wide)`. Empty for a
/// service no collector reads.
pub fn collectors_of(event_source: &str) -> &'static [(&'static str, bool)] {
    match event_source {
        "ec2.amazonaws.com" => &[("ec2", false)],
        "s3.amazonaws.com" => &[("s3", true)],
        "cloudtrail.amazonaws.com" => &[("cloudtrail", false)],
        "guardduty.amazonaws.com" => &[("guardduty", false)],
        "events.amazonaws.com" | "sns.amazonaws.com" => &[("events", false)],
        "config.amazonaws.com" => &[("config", false)],
        "iam.amazonaws.com" => &[("iam", true), ("iam-access", true), ("organizations", true)],
        "securityhub.amazonaws.com" => &[("securityhub", false)],
        "access-analyzer.amazonaws.com" => &[("access-analyzer", false)],
        "inspector2.amazonaws.com" => &[("inspector", false)],
        "ssm.amazonaws.com" => &[("ssm", false)],
        "scheduler.amazonaws.com" => &[("scheduler", false)],
        "budgets.amazonaws.com" | "ce.amazonaws.com" => &[("cost", true)],
        "account.amazonaws.com" => &[("account", true)],
        _ => &[],
    }
}

/// The security group a security-group call names in its request (`groupId`), as CloudTrail records it.
fn group_id(request: &serde_json::Value) -> Option<String> {
    let id = request.get("groupId")?.as_str()?;
    id.starts_with("sg-").then(|| id.to_owned())
}

/// What to read again after `event_name` of `event_source` in `region`, whose request CloudTrail recorded as
/// `request` (`requestParameters`); `scanned` is every region of the snapshot.
pub fn scopes_for(
    event_source: &str,
    event_name: &str,
    region: &str,
    request: &serde_json::Value,
    scanned: &[String],
) -> Vec<Scope> {
    let group_call = matches!(
        event_name,
        "AuthorizeSecurityGroupIngress"
            | "RevokeSecurityGroupIngress"
            | "ModifySecurityGroupRules"
            | "DeleteSecurityGroup"
    );
    if event_source == "ec2.amazonaws.com"
        && group_call
        && let Some(id) = group_id(request)
    {
        return vec![Scope::SecurityGroup { region: region.to_owned(), id }];
    }
    // A bucket's own settings; the account's Block Public Access and a new bucket need the collector.
    let bucket_call = !matches!(
        event_name,
        "CreateBucket" | "PutAccountPublicAccessBlock" | "DeleteAccountPublicAccessBlock"
    );
    if event_source == "s3.amazonaws.com"
        && bucket_call
        && let Some(name) = request.get("bucketName").and_then(serde_json::Value::as_str)
    {
        return vec![Scope::Bucket { name: name.to_owned() }];
    }
    let mut scopes = Vec::new();
    for &(collector, global) in collectors_of(event_source) {
        if global {
            scopes.push(Scope::Global { collector });
        } else if collector == "cloudtrail" {
            scopes.extend(scanned.iter().map(|region| Scope::Region { region: region.clone(), collector }));
        } else {
            scopes.push(Scope::Region { region: region.to_owned(), collector });
        }
    }
    scopes
}

/// The CloudTrail `eventSource` of the service an AWS Config resource type belongs to
/// (`AWS::EC2::SecurityGroup` → `ec2.amazonaws.com`), `None` for a service no collector reads.
pub fn config_item_source(resource_type: &str) -> Option<&'static str> {
    let service = resource_type.strip_prefix("AWS::")?.split("::").next()?;
    Some(match service {
        "EC2" => "ec2.amazonaws.com",
        "S3" => "s3.amazonaws.com",
        "CloudTrail" => "cloudtrail.amazonaws.com",
        "IAM" => "iam.amazonaws.com",
        "Events" => "events.amazonaws.com",
        "SNS" => "sns.amazonaws.com",
        "GuardDuty" => "guardduty.amazonaws.com",
        "AccessAnalyzer" => "access-analyzer.amazonaws.com",
        "Config" => "config.amazonaws.com",
        "SecurityHub" => "securityhub.amazonaws.com",
        "SSM" => "ssm.amazonaws.com",
        _ => return None,
    })
}

/// What to read again after an AWS Config item change of `resource_type` (`configurationItem`), e.g. one
/// security group by its `resourceId`.
pub fn scopes_for_config_item(
    resource_type: &str,
    resource_id: &str,
    region: &str,
    scanned: &[String],
) -> Vec<Scope> {
    if resource_type == "AWS::EC2::SecurityGroup" && resource_id.starts_with("sg-") {
        return vec![Scope::SecurityGroup { region: region.to_owned(), id: resource_id.to_owned() }];
    }
    let Some(source) = config_item_source(resource_type) else { return Vec::new() };
    scopes_for(source, "", region, &serde_json::Value::Null, scanned)
}

/// What re-collecting did.
#[derive(Debug, Default)]
pub struct Recollected {
    /// API calls made, per IAM action.
    pub calls: BTreeMap<&'static str, u32>,
    /// The scopes that could not be read (their part of the snapshot is left as it was), with why.
    pub failed: Vec<(Scope, CollectError)>,
}

/// Reads `scopes` again (each once, whatever the order or repetition) with `config` into `snapshot`. A scope
/// of a region the snapshot does not cover is skipped. A security group that no longer exists is removed; a
/// group read that fails leaves the snapshot's groups as they were and is reported in
/// [`Recollected::failed`]; a collector's own failures become its fields' errors, as in a scan.
pub async fn recollect(
    config: &SdkConfig,
    concurrency: usize,
    snapshot: &mut Snapshot,
    scopes: &[Scope],
) -> Recollected {
    let cx = Cx::new(&snapshot.account.id, &snapshot.account.partition, concurrency);
    let scanned: Vec<String> = snapshot.regions.keys().cloned().collect();
    let unique: BTreeSet<&Scope> = scopes.iter().collect();
    let regional = |region: &str| config.to_builder().region(Region::new(region.to_owned())).build();
    // The groups of each region in one call; the buckets the snapshot knows by their region; the rest by
    // their collector. Everything is read concurrently (under the concurrency bound), then put in place.
    let mut groups: BTreeMap<String, Vec<(&Scope, String)>> = BTreeMap::new();
    let mut buckets: Vec<(&Scope, String, String)> = Vec::new();
    let mut globals: BTreeSet<&'static str> = BTreeSet::new();
    let mut collectors: Vec<(String, &'static str)> = Vec::new();
    let known_buckets: BTreeMap<String, String> = match &snapshot.global.buckets {
        Collected::Ok { value } => {
            value.iter().map(|bucket| (bucket.name.clone(), bucket.region.clone())).collect()
        }
        Collected::Error { .. } => BTreeMap::new(),
    };
    for scope in unique {
        match scope {
            Scope::SecurityGroup { region, id } if snapshot.regions.contains_key(region) => {
                groups.entry(region.clone()).or_default().push((scope, id.clone()));
            }
            Scope::Bucket { name } => match known_buckets.get(name).filter(|region| !region.is_empty()) {
                Some(region) => buckets.push((scope, name.clone(), region.clone())),
                None => {
                    globals.insert("s3");
                }
            },
            Scope::Region { region, collector } if snapshot.regions.contains_key(region) => {
                collectors.push((region.clone(), collector));
            }
            Scope::Global { collector } => {
                globals.insert(collector);
            }
            Scope::SecurityGroup { .. } | Scope::Region { .. } => {}
        }
    }
    // A collector's re-run reads its buckets too: no need to read them one by one.
    if globals.contains("s3") {
        buckets.clear();
    }
    let configs: BTreeMap<String, SdkConfig> = groups
        .keys()
        .chain(collectors.iter().map(|(region, _)| region))
        .map(|region| (region.clone(), regional(region)))
        .collect();
    let group_reads = futures::future::join_all(groups.iter().map(|(region, wanted)| {
        let (cx, config) = (&cx, &configs[region]);
        async move {
            let ids: Vec<String> = wanted.iter().map(|(_, id)| id.clone()).collect();
            (region.clone(), wanted, security_groups(cx, config, region, &ids).await)
        }
    }));
    let bucket_reads = futures::future::join_all(buckets.iter().map(|(_, name, region)| {
        let cx = &cx;
        async move { services::s3::read_bucket(cx, config, name, region).await }
    }));
    let collector_reads = futures::future::join_all(collectors.iter().filter_map(|(region, collector)| {
        let task = services::region_task(&cx, &configs[region], region, &scanned, collector)?;
        Some(async move { (region.clone(), task.await) })
    }));
    let global_reads = futures::future::join_all(
        globals.iter().filter_map(|collector| services::global_task(&cx, config, collector)),
    );
    let (group_reads, bucket_reads, collector_reads, global_reads) =
        futures::join!(group_reads, bucket_reads, collector_reads, global_reads);

    let mut failed = Vec::new();
    for (region, wanted, read) in group_reads {
        let Some(inventory) = snapshot.regions.get_mut(&region) else { continue };
        match read {
            Ok(found) => {
                if let Collected::Ok { value: known } = &mut inventory.security_groups {
                    known.retain(|group| !wanted.iter().any(|(_, id)| *id == group.id));
                    known.extend(found);
                    known.sort_by(|a, b| a.id.cmp(&b.id));
                }
            }
            Err(error) => failed.extend(wanted.iter().map(|(scope, _)| ((*scope).clone(), error.clone()))),
        }
    }
    if let Collected::Ok { value: known } = &mut snapshot.global.buckets {
        for bucket in bucket_reads {
            match known.iter_mut().find(|known| known.name == bucket.name) {
                Some(slot) => *slot = bucket,
                None => known.push(bucket),
            }
        }
    }
    for (region, part) in collector_reads {
        if let Some(inventory) = snapshot.regions.get_mut(&region) {
            part(inventory);
        }
    }
    for part in global_reads {
        part(&mut snapshot.global);
    }
    Recollected { calls: cx.call_log(), failed }
}

/// Security groups by ID, in one call; those that no longer exist are left out. When one of them does not
/// exist, AWS fails the whole call (`InvalidGroup.NotFound`), so they are then read one by one.
async fn security_groups(
    cx: &Cx,
    config: &SdkConfig,
    region: &str,
    ids: &[String],
) -> Result<Vec<SecurityGroup>, CollectError> {
    let client = aws_sdk_ec2::Client::new(config);
    let describe = |ids: Vec<String>| {
        let request = client.describe_security_groups().set_group_ids(Some(ids)).send();
        async move {
            match cx.call("ec2:DescribeSecurityGroups", request).await {
                Ok(answer) => Ok(Some(answer.security_groups().to_vec())),
                Err(error) if error.code.as_deref() == Some("InvalidGroup.NotFound") => Ok(None),
                Err(error) => Err(error),
            }
        }
    };
    let groups = match describe(ids.to_vec()).await? {
        Some(groups) => groups,
        None if ids.len() > 1 => {
            let mut groups = Vec::new();
            for id in ids {
                groups.extend(describe(vec![id.clone()]).await?.unwrap_or_default());
            }
            groups
        }
        None => Vec::new(),
    };
    let mut found = Vec::new();
    for group in groups {
        if group.group_id().is_some_and(|id| ids.iter().any(|wanted| wanted == id)) {
            found.push(services::ec2::read_group(cx, &client, region, group).await);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_call_reads_its_group_and_other_calls_their_collector() {
        let scanned = vec!["ap-northeast-1".to_owned(), "us-east-1".to_owned()];
        let request = serde_json::json!({ "groupId": "sg-0abc", "ipPermissions": {} });
        assert_eq!(
            scopes_for("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "us-east-1", &request, &scanned),
            [Scope::SecurityGroup { region: "us-east-1".into(), id: "sg-0abc".into() }]
        );
        assert_eq!(
            scopes_for("ec2.amazonaws.com", "RunInstances", "us-east-1", &serde_json::json!({}), &scanned),
            [Scope::Region { region: "us-east-1".into(), collector: "ec2" }]
        );
        assert_eq!(
            scopes_for("s3.amazonaws.com", "PutBucketPolicy", "us-east-1", &serde_json::json!({}), &scanned),
            [Scope::Global { collector: "s3" }]
        );
        assert_eq!(
            scopes_for(
                "cloudtrail.amazonaws.com",
                "StopLogging",
                "us-east-1",
                &serde_json::json!({}),
                &scanned
            )
            .len(),
            2,
            "a trail's status shows in every region"
        );
    }

    #[test]
    fn every_collector_named_exists() {
        for source in [
            "ec2.amazonaws.com",
            "s3.amazonaws.com",
            "iam.amazonaws.com",
            "budgets.amazonaws.com",
            "account.amazonaws.com",
        ] {
            for (collector, global) in collectors_of(source) {
                let known = if *global { services::GLOBAL_COLLECTORS } else { services::REGION_COLLECTORS };
                assert!(known.contains(collector), "{source}: {collector}");
            }
        }
    }
}
