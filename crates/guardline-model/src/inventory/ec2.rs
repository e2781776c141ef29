//! EC2: security groups and instances.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{CollectError, Collected};

/// A security group with its ingress rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub vpc_id: Option<String>,
    pub ingress: Vec<IpPermission>,
}

/// One ingress permission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpPermission {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all.
    pub protocol: String,
    /// `None` with protocol `-1` (all ports).
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub ipv4_ranges: Vec<String>,
    pub ipv6_ranges: Vec<String>,
    /// The managed prefix lists the permission admits (`PrefixListIds`,
    /// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html), each with its entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_lists: Vec<PrefixListSource>,
}

/// A managed prefix list a permission admits, with its CIDR entries (`ec2:GetManagedPrefixListEntries`,
/// every page, read once per list per region). AWS-managed lists (`com.amazonaws.*`) are read like the
/// customer-managed ones: the security group does not say who owns a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefixListSource {
    /// `pl-...`.
    pub id: String,
    pub entries: Collected<Vec<String>>,
}

/// Where a permission admits the world (`0.0.0.0/0`, `::/0`) from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorldSource<'a> {
    /// A CIDR of the permission itself.
    Cidr(&'a str),
    /// An entry of a managed prefix list the permission admits.
    PrefixList { id: &'a str, cidr: &'a str },
}

fn is_world(cidr: &str) -> bool {
    cidr == "0.0.0.0/0" || cidr == "::/0"
}

impl IpPermission {
    /// Whether the permission covers every port of every protocol.
    pub fn all_traffic(&self) -> bool {
        self.protocol == "-1"
    }

    /// The transport protocol, as `tcp` or `udp` whether it is written by name or by number (`6`, `17`);
    /// `None` for any other protocol (and for all traffic).
    pub fn transport(&self) -> Option<&'static str> {
        match self.protocol.to_ascii_lowercase().as_str() {
            "tcp" | "6" => Some("tcp"),
            "udp" | "17" => Some("udp"),
            _ => None,
        }
    }

    /// Whether the permission admits TCP `port`.
    pub fn admits_tcp_port(&self, port: i32) -> bool {
        self.admits_port("tcp", port)
    }

    /// Whether the permission admits UDP `port`.
    pub fn admits_udp_port(&self, port: i32) -> bool {
        self.admits_port("udp", port)
    }

    fn admits_port(&self, transport: &str, port: i32) -> bool {
        if self.all_traffic() {
            return true;
        }
        if self.transport() != Some(transport) {
            return false;
        }
        match (self.from_port, self.to_port) {
            (Some(from), Some(to)) => from <= port && port <= to,
            _ => true,
        }
    }

    /// Whether the permission admits every TCP (or UDP) port: all traffic, or a TCP or UDP range from 0 or 1
    /// to 65535 (port 0 is reserved, so `1-65535` is every port too).
    pub fn all_ports(&self) -> bool {
        if self.all_traffic() {
            return true;
        }
        self.transport().is_some()
            && match (self.from_port, self.to_port) {
                (Some(from), Some(to)) => from <= 1 && to >= 65535,
                _ => true,
            }
    }

    /// The world-open sources (`0.0.0.0/0`, `::/0`) among the permission's ranges and the entries of its
    /// prefix lists that could be read.
    pub fn world_sources(&self) -> Vec<WorldSource<'_>> {
        let own = self.ipv4_ranges.iter().chain(&self.ipv6_ranges).map(String::as_str);
        let listed = self.prefix_lists.iter().flat_map(|list| {
            let entries = list.entries.get().map(Vec::as_slice).unwrap_or_default();
            entries
                .iter()
                .filter(|cidr| is_world(cidr))
                .map(|cidr| WorldSource::PrefixList { id: list.id.as_str(), cidr: cidr.as_str() })
        });
        own.filter(|cidr| is_world(cidr)).map(WorldSource::Cidr).chain(listed).collect()
    }

    /// The prefix lists whose entries could not be read, with why: the world may be among them.
    pub fn unreadable_prefix_lists(&self) -> Vec<(&str, &CollectError)> {
        self.prefix_lists
            .iter()
            .filter_map(|list| list.entries.get().err().map(|error| (list.id.as_str(), error)))
            .collect()
    }
}

/// An EC2 instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub id: String,
    pub arn: String,
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`.
    pub state: String,
    pub instance_type: String,
    pub launch_time: Option<Timestamp>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl Instance {
    /// The `Name` tag, or the instance ID.
    pub fn display_name(&self) -> &str {
        self.tags.get("Name").map_or(&self.id, String::as_str)
    }
}
