//! EC2: security groups and instances.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

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
}

impl IpPermission {
    /// Whether the permission covers every port of every protocol.
    pub fn all_traffic(&self) -> bool {
        self.protocol == "-1"
    }

    /// Whether the permission admits TCP `port`.
    pub fn admits_tcp_port(&self, port: i32) -> bool {
        if self.all_traffic() {
            return true;
        }
        if self.protocol != "tcp" && self.protocol != "6" {
            return false;
        }
        match (self.from_port, self.to_port) {
            (Some(from), Some(to)) => from <= port && port <= to,
            _ => true,
        }
    }

    /// Whether the permission admits every TCP (or UDP) port.
    pub fn all_ports(&self) -> bool {
        self.all_traffic() || matches!((self.from_port, self.to_port), (Some(0) | Some(-1), Some(65535)))
    }

    /// The world-open sources (`0.0.0.0/0`, `::/0`) among the permission's ranges.
    pub fn world_sources(&self) -> Vec<&str> {
        self.ipv4_ranges
            .iter()
            .chain(&self.ipv6_ranges)
            .map(String::as_str)
            .filter(|cidr| *cidr == "0.0.0.0/0" || *cidr == "::/0")
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
