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
