//! Systems Manager, per region: the instances it manages (SSM-001) and the maintenance windows that stop
//! instances off hours (SCHED-001/002).
//!
//! A window is read with its targets (`ssm:DescribeMaintenanceWindowTargets`) and tasks
//! (`ssm:DescribeMaintenanceWindowTasks`), and each task again with `ssm:GetMaintenanceWindowTask`: only that
//! call returns a task's `TaskInvocationParameters`, where a task registered the current way names the
//! instances it acts on (e.g. `AWS-StopEC2Instance` with `InstanceId = ["i-0123"]`). A target that selects a
//! resource group (`resource-groups:Name`) is resolved with `resource-groups:ListGroupResources` (once per
//! group), so SCHED-001/002 judge its members instead of treating it as selecting nothing.
//!
//! On moto 5.2.5 `ssm:DescribeInstanceInformation`, `ssm:GetMaintenanceWindowTask` and
//! `resource-groups:ListGroupResources` are not implemented; the test extension answers the last two as AWS
//! documents them. The success path of `DescribeInstanceInformation` is tested through [`collect_with`] with a
//! mocked client.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use aws_sdk_ssm::Client;
use aws_sdk_ssm::operation::get_maintenance_window_task::GetMaintenanceWindowTaskOutput;
use aws_sdk_ssm::types::{MaintenanceWindowIdentity, MaintenanceWindowTask, Target};
use futures::future::try_join_all;
use guardline_model::inventory::ssm::{
    MaintenanceWindow, ManagedInstance, TargetSelector, WindowTarget, WindowTask,
};
use guardline_model::{CollectError, Collected};

use super::RegionPart;
use crate::cx::Cx;

/// Managed instances and maintenance windows of one region.
pub async fn collect(cx: &Cx, config: &SdkConfig, region: &str) -> RegionPart {
    collect_with(cx, &Client::new(config), &aws_sdk_resourcegroups::Client::new(config), region).await
}

/// [`collect`] with given clients (tests pass mocked ones).
pub async fn collect_with(
    cx: &Cx,
    client: &Client,
    groups: &aws_sdk_resourcegroups::Client,
    _region: &str,
) -> RegionPart {
    let (managed, windows) =
        futures::join!(managed_instances(cx, client), maintenance_windows(cx, client, groups));
    let managed: Collected<_> = managed.into();
    let windows: Collected<_> = windows.into();
    Box::new(move |inventory| {
        inventory.ssm_managed_instances = managed;
        inventory.maintenance_windows = windows;
    })
}

/// `ssm:DescribeInstanceInformation`, every page.
async fn managed_instances(cx: &Cx, client: &Client) -> Result<Vec<ManagedInstance>, CollectError> {
    let instances = cx
        .call(
            "ssm:DescribeInstanceInformation",
            client
                .describe_instance_information()
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(instances
        .iter()
        .filter_map(|info| {
            Some(ManagedInstance {
                instance_id: info.instance_id()?.to_owned(),
                ping_status: info.ping_status().map(|status| status.as_str().to_owned()).unwrap_or_default(),
            })
        })
        .collect())
}

/// Every maintenance window with its targets and tasks, its resource-group selectors resolved; one failing
/// window, target or task call fails them all (a window without its targets or tasks could make
/// SCHED-001/002 judge wrongly). A resource group that cannot be read is that selector's own error.
async fn maintenance_windows(
    cx: &Cx,
    client: &Client,
    groups: &aws_sdk_resourcegroups::Client,
) -> Result<Vec<MaintenanceWindow>, CollectError> {
    let windows = cx
        .call(
            "ssm:DescribeMaintenanceWindows",
            client
                .describe_maintenance_windows()
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    let mut windows =
        try_join_all(windows.iter().map(|window| maintenance_window(cx, client, window))).await?;
    resolve_resource_groups(cx, groups, &mut windows).await;
    Ok(windows)
}

/// The selector key that names a resource group.
const RESOURCE_GROUP: &str = "resource-groups:Name";

/// Fills `group_instances` of every `resource-groups:Name` selector, reading each group once.
async fn resolve_resource_groups(
    cx: &Cx,
    groups: &aws_sdk_resourcegroups::Client,
    windows: &mut [MaintenanceWindow],
) {
    let names: BTreeSet<String> = windows
        .iter()
        .flat_map(|window| {
            window
                .targets
                .iter()
                .flat_map(|target| &target.selectors)
                .chain(window.tasks.iter().flat_map(|task| &task.targets))
        })
        .filter(|selector| selector.key == RESOURCE_GROUP)
        .flat_map(|selector| selector.values.iter().cloned())
        .collect();
    if names.is_empty() {
        return;
    }
    let resolved: BTreeMap<String, Result<Vec<String>, CollectError>> = names
        .iter()
        .cloned()
        .zip(
            cx.each(
                names.iter().cloned().map(|name| async move { group_instances(cx, groups, &name).await }),
            )
            .await,
        )
        .collect();
    for window in windows.iter_mut() {
        let selectors = window
            .targets
            .iter_mut()
            .flat_map(|target| target.selectors.iter_mut())
            .chain(window.tasks.iter_mut().flat_map(|task| task.targets.iter_mut()));
        for selector in selectors.filter(|selector| selector.key == RESOURCE_GROUP) {
            let mut instances = Vec::new();
            let mut failure = None;
            for name in &selector.values {
                match &resolved[name] {
                    Ok(members) => instances.extend(members.iter().cloned()),
                    Err(error) => failure = Some(error.clone()),
                }
            }
            selector.group_instances = Some(match failure {
                Some(error) => Collected::error(error),
                None => Collected::ok(instances),
            });
        }
    }
}

/// The EC2 instance IDs among a resource group's members (`resource-groups:ListGroupResources`, every page).
async fn group_instances(
    cx: &Cx,
    groups: &aws_sdk_resourcegroups::Client,
    name: &str,
) -> Result<Vec<String>, CollectError> {
    let identifiers = cx
        .call(
            "resource-groups:ListGroupResources",
            groups.list_group_resources().group(name).into_paginator().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(identifiers
        .iter()
        .flat_map(|page| page.resources())
        .filter_map(|resource| resource.identifier())
        .filter(|identifier| identifier.resource_type() == Some("AWS::EC2::Instance"))
        .filter_map(|identifier| {
            identifier.resource_arn()?.rsplit_once(":instance/").map(|(_, id)| id.to_owned())
        })
        .collect())
}

async fn maintenance_window(
    cx: &Cx,
    client: &Client,
    window: &MaintenanceWindowIdentity,
) -> Result<MaintenanceWindow, CollectError> {
    let id = window.window_id().unwrap_or_default();
    let targets = cx.call(
        "ssm:DescribeMaintenanceWindowTargets",
        client
            .describe_maintenance_window_targets()
            .window_id(id)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    );
    let tasks = cx.call(
        "ssm:DescribeMaintenanceWindowTasks",
        client
            .describe_maintenance_window_tasks()
            .window_id(id)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    );
    let (targets, tasks) = futures::try_join!(targets, tasks)?;
    let details = try_join_all(tasks.iter().map(|task| {
        cx.call(
            "ssm:GetMaintenanceWindowTask",
            client
                .get_maintenance_window_task()
                .window_id(id)
                .window_task_id(task.window_task_id().unwrap_or_default())
                .send(),
        )
    }))
    .await?;
    Ok(MaintenanceWindow {
        id: id.to_owned(),
        name: window.name().unwrap_or_default().to_owned(),
        enabled: window.enabled(),
        schedule: window.schedule().unwrap_or_default().to_owned(),
        schedule_timezone: window.schedule_timezone().map(str::to_owned),
        targets: targets
            .iter()
            .map(|target| WindowTarget {
                id: target.window_target_id().unwrap_or_default().to_owned(),
                selectors: selectors(target.targets()),
            })
            .collect(),
        tasks: tasks.iter().zip(&details).map(|(listed, detail)| task(listed, detail)).collect(),
    })
}

/// A task: its listing, and its parameters from `GetMaintenanceWindowTask` (the Automation or Run Command
/// `TaskInvocationParameters`, and the legacy `TaskParameters`).
fn task(task: &MaintenanceWindowTask, detail: &GetMaintenanceWindowTaskOutput) -> WindowTask {
    let mut parameters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in detail.task_parameters().into_iter().flatten() {
        parameters.entry(name.clone()).or_default().extend(value.values().iter().cloned());
    }
    let invocation = detail.task_invocation_parameters();
    let automation = invocation.and_then(|invocation| invocation.automation()).and_then(|a| a.parameters());
    let run_command = invocation.and_then(|invocation| invocation.run_command()).and_then(|r| r.parameters());
    for (name, values) in automation.into_iter().flatten().chain(run_command.into_iter().flatten()) {
        parameters.entry(name.clone()).or_default().extend(values.iter().cloned());
    }
    WindowTask {
        id: task.window_task_id().unwrap_or_default().to_owned(),
        task_type: task.r#type().map(|kind| kind.as_str().to_owned()).unwrap_or_default(),
        task_arn: task.task_arn().unwrap_or_default().to_owned(),
        targets: selectors(task.targets()),
        parameters,
    }
}

fn selectors(targets: &[Target]) -> Vec<TargetSelector> {
    targets
        .iter()
        .map(|target| TargetSelector {
            key: target.key().unwrap_or_default().to_owned(),
            values: target.values().to_vec(),
            group_instances: None,
        })
        .collect()
}
