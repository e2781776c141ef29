//! Systems Manager, per region: the instances it manages (SSM-001) and the maintenance windows that stop
//! instances off hours (SCHED-001/002).
//!
//! On moto 5.2.5 `ssm:DescribeInstanceInformation` is not implemented (HTTP 500), so there
//! `ssm_managed_instances` is always that field's error; the maintenance-window calls work. The success path
//! of `DescribeInstanceInformation` is tested through [`collect_with`] with a mocked client.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_sdk_ssm::Client;
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
    collect_with(cx, &Client::new(config), region).await
}

/// [`collect`] with a given client (tests pass a mocked one).
pub async fn collect_with(cx: &Cx, client: &Client, _region: &str) -> RegionPart {
    let (managed, windows) = futures::join!(managed_instances(cx, client), maintenance_windows(cx, client));
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

/// Every maintenance window with its targets and tasks; one failing call fails them all (a window without
/// its targets or tasks could make SCHED-001/002 judge wrongly).
async fn maintenance_windows(cx: &Cx, client: &Client) -> Result<Vec<MaintenanceWindow>, CollectError> {
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
    try_join_all(windows.iter().map(|window| maintenance_window(cx, client, window))).await
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
        tasks: tasks.iter().map(task).collect(),
    })
}

/// A task. Its parameters come from the (legacy) `TaskParameters` that `DescribeMaintenanceWindowTasks`
/// returns; the `TaskInvocationParameters` of a task registered the current way are only returned by
/// `GetMaintenanceWindowTask`, which Guardline does not call, so such a task has no parameters here.
fn task(task: &MaintenanceWindowTask) -> WindowTask {
    let parameters: BTreeMap<String, Vec<String>> = task
        .task_parameters()
        .map(|parameters| {
            parameters.iter().map(|(name, value)| (name.clone(), value.values().to_vec())).collect()
        })
        .unwrap_or_default();
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
        })
        .collect()
}
