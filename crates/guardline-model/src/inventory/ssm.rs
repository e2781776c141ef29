//! Systems Manager (managed instances, maintenance windows) and EventBridge Scheduler: what manages instances
//! and what stops them off hours.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Collected;

/// An instance Systems Manager manages (`ssm:DescribeInstanceInformation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedInstance {
    pub instance_id: String,
    /// `Online`, `ConnectionLost`, `Inactive`.
    pub ping_status: String,
}

/// A maintenance window with its targets and tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindow {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    /// `cron(...)` or `rate(...)`.
    pub schedule: String,
    pub schedule_timezone: Option<String>,
    pub targets: Vec<WindowTarget>,
    pub tasks: Vec<WindowTask>,
}

/// A `Key=...,Values=...` target selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSelector {
    /// `InstanceIds`, `tag:<key>`, `tag-key`, `resource-groups:Name`, `resource-groups:ResourceTypeFilters`,
    /// or `WindowTargetIds`.
    pub key: String,
    pub values: Vec<String>,
    /// For `resource-groups:Name`: the EC2 instance IDs among the group's members
    /// (`resource-groups:ListGroupResources`), or why they could not be read. `None` for other keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_instances: Option<Collected<Vec<String>>>,
}

/// A registered maintenance window target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowTarget {
    pub id: String,
    pub selectors: Vec<TargetSelector>,
}

/// A registered maintenance window task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowTask {
    pub id: String,
    /// `AUTOMATION`, `RUN_COMMAND`, `LAMBDA`, `STEP_FUNCTIONS`.
    pub task_type: String,
    /// The document or function, e.g. `AWS-StopEC2Instance`.
    pub task_arn: String,
    /// Usually `WindowTargetIds=[...]`.
    pub targets: Vec<TargetSelector>,
    /// The task's parameters: its Automation or Run Command `TaskInvocationParameters`
    /// (`ssm:GetMaintenanceWindowTask`; e.g. `InstanceId = ["i-0123"]` for `AWS-StopEC2Instance`), and the
    /// legacy `TaskParameters`.
    #[serde(default)]
    pub parameters: BTreeMap<String, Vec<String>>,
}

/// An EventBridge Scheduler schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub name: String,
    pub group: String,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    pub expression: String,
    pub timezone: Option<String>,
    /// e.g. `arn:aws:scheduler:::aws-sdk:ec2:stopInstances`.
    pub target_arn: String,
    /// The target's JSON input, e.g. `{"InstanceIds": ["i-..."]}`.
    pub target_input: Option<String>,
}
