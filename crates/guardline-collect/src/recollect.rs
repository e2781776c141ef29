//! Re-collection for the drift watcher: what a change event asks to read again ([`Scope`], from the event's
//! `eventSource` and request by [`scopes_for`]) and reading exactly that into a known snapshot
//! ([`recollect`]), so that a change costs a handful of calls, never a rescan.
//!
//! A security group is read by its ID (`ec2:DescribeSecurityGroups --group-ids`, and the entries of the
//! prefix lists it admits): one call for the commonest drift. Every other change re-runs the one collector
//! that reads the changed service, in the event's region (account-wide services once; CloudTrail in every
//! scanned region, since a multi-region trail's status shows in each). Like every collector, nothing here
//! writes.

use std::collections::BTreeSet;

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
    pub calls: std::collections::BTreeMap<&'static str, u32>,
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
    let mut failed = Vec::new();
    for scope in unique {
        match scope {
            Scope::SecurityGroup { region, id } => {
                let Some(inventory) = snapshot.regions.get_mut(region) else { continue };
                let regional = config.to_builder().region(Region::new(region.clone())).build();
                match security_group(&cx, &regional, region, id).await {
                    Ok(group) => {
                        if let Collected::Ok { value: groups } = &mut inventory.security_groups {
                            groups.retain(|known| known.id != *id);
                            groups.extend(group);
                            groups.sort_by(|a, b| a.id.cmp(&b.id));
                        }
                    }
                    Err(error) => failed.push((scope.clone(), error)),
                }
            }
            Scope::Region { region, collector } => {
                if !snapshot.regions.contains_key(region) {
                    continue;
                }
                let regional = config.to_builder().region(Region::new(region.clone())).build();
                let Some(task) = services::region_task(&cx, &regional, region, &scanned, collector) else {
                    continue;
                };
                let part = task.await;
                if let Some(inventory) = snapshot.regions.get_mut(region) {
                    part(inventory);
                }
            }
            Scope::Global { collector } => {
                let Some(task) = services::global_task(&cx, config, collector) else { continue };
                let part = task.await;
                part(&mut snapshot.global);
            }
        }
    }
    Recollected { calls: cx.call_log(), failed }
}

/// One security group by ID, `None` when it no longer exists (`InvalidGroup.NotFound`).
async fn security_group(
    cx: &Cx,
    config: &SdkConfig,
    region: &str,
    id: &str,
) -> Result<Option<SecurityGroup>, CollectError> {
    let client = aws_sdk_ec2::Client::new(config);
    let answer =
        cx.call("ec2:DescribeSecurityGroups", client.describe_security_groups().group_ids(id).send()).await;
    let groups = match answer {
        Ok(answer) => answer.security_groups().to_vec(),
        Err(error) if error.code.as_deref() == Some("InvalidGroup.NotFound") => return Ok(None),
        Err(error) => return Err(error),
    };
    let Some(group) = groups.into_iter().find(|group| group.group_id() == Some(id)) else {
        return Ok(None);
    };
    let group = services::ec2::read_group(cx, &client, region, group).await;
    Ok(Some(group))
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
