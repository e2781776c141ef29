//! Systems Manager collector: maintenance windows on moto; managed instances (which moto lacks) seeded into
//! the test extension in `tests/moto/extensions.py`, and against aws-smithy-mocks clients for pagination and
//! errors.

use aws_sdk_ssm::Client;
use aws_sdk_ssm::operation::describe_instance_information::DescribeInstanceInformationOutput;
use aws_sdk_ssm::operation::describe_maintenance_windows::DescribeMaintenanceWindowsOutput;
use aws_sdk_ssm::types::{
    InstanceInformation, MaintenanceWindowAutomationParameters, MaintenanceWindowResourceType,
    MaintenanceWindowTaskInvocationParameters, MaintenanceWindowTaskType, PingStatus, Target,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use guardline_collect::services::ssm::collect_with;
use guardline_model::ErrorKind;
use guardline_model::inventory::ssm::{ManagedInstance, TargetSelector};

use crate::harness::Account;
use crate::mocks::{ATTEMPTS, apply, cx, error_body, retries};

fn selector(key: &str, values: &[&str]) -> TargetSelector {
    TargetSelector {
        key: key.to_owned(),
        values: values.iter().map(|value| (*value).to_owned()).collect(),
        group_instances: None,
    }
}

/// A Resource Groups client for the mocked tests, which have no window and so never call it.
fn unused_groups() -> aws_sdk_resourcegroups::Client {
    aws_sdk_resourcegroups::Client::from_conf(
        aws_sdk_resourcegroups::Config::builder()
            .behavior_version_latest()
            .region(aws_sdk_resourcegroups::config::Region::new("ap-northeast-1"))
            .build(),
    )
}

#[tokio::test]
async fn maintenance_window_with_tag_targets_and_stop_task() {
    let account = Account::new().await;
    let ssm = Client::new(&account.config);
    let window = ssm
        .create_maintenance_window()
        .name("off-hours-stop")
        .schedule("cron(0 20 ? * MON-FRI *)")
        .schedule_timezone("Asia/Tokyo")
        .duration(2)
        .cutoff(1)
        .allow_unassociated_targets(false)
        .send()
        .await
        .unwrap();
    let window_id = window.window_id().unwrap();
    let target = ssm
        .register_target_with_maintenance_window()
        .window_id(window_id)
        .resource_type(MaintenanceWindowResourceType::Instance)
        .targets(Target::builder().key("tag:Environment").values("dev").values("stg").build())
        .send()
        .await
        .unwrap();
    let target_id = target.window_target_id().unwrap();
    let task = ssm
        .register_task_with_maintenance_window()
        .window_id(window_id)
        .targets(Target::builder().key("WindowTargetIds").values(target_id).build())
        .task_arn("AWS-StopEC2Instance")
        .task_type(MaintenanceWindowTaskType::Automation)
        .task_invocation_parameters(
            MaintenanceWindowTaskInvocationParameters::builder()
                .automation(
                    MaintenanceWindowAutomationParameters::builder()
                        .parameters("InstanceId", vec!["{{RESOURCE_ID}}".to_owned()])
                        .build(),
                )
                .build(),
        )
        .max_concurrency("10")
        .max_errors("1")
        .send()
        .await
        .unwrap();
    let task_id = task.window_task_id().unwrap();

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let windows = output.snapshot.regions["ap-northeast-1"].maintenance_windows.get().unwrap();
    assert_eq!(windows.len(), 1);
    let window = &windows[0];
    assert_eq!(window.id, window_id);
    assert_eq!(window.name, "off-hours-stop");
    assert!(window.enabled);
    assert_eq!(window.schedule, "cron(0 20 ? * MON-FRI *)");
    assert_eq!(window.schedule_timezone.as_deref(), Some("Asia/Tokyo"));
    assert_eq!(window.targets.len(), 1);
    assert_eq!(window.targets[0].id, target_id);
    assert_eq!(window.targets[0].selectors, [selector("tag:Environment", &["dev", "stg"])]);
    assert_eq!(window.tasks.len(), 1);
    let stop = &window.tasks[0];
    assert_eq!(stop.id, task_id);
    // moto 5.2.5 alone drops the type (it files it under `TaskType`, AWS's key is `Type`); the test extension
    // (tests/moto/extensions.py) answers it under `Type`, as AWS does.
    assert_eq!(stop.task_type, "AUTOMATION");
    assert_eq!(stop.task_arn, "AWS-StopEC2Instance");
    assert_eq!(stop.targets, [selector("WindowTargetIds", &[target_id])]);
    // DescribeMaintenanceWindowTasks returns no TaskInvocationParameters (AWS and moto alike); they come from
    // GetMaintenanceWindowTask (which moto lacks; the test extension answers it from moto's task).
    assert_eq!(stop.parameters, [("InstanceId".to_owned(), vec!["{{RESOURCE_ID}}".to_owned()])].into());

    assert!(output.snapshot.regions["us-east-1"].maintenance_windows.get().unwrap().is_empty());
}

/// A task registered the current way names its instances in `TaskInvocationParameters`, which only
/// GetMaintenanceWindowTask returns
/// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetMaintenanceWindowTask.html), and a
/// target can select a resource group, whose members ListGroupResources lists
/// (https://docs.aws.amazon.com/ResourceGroups/latest/APIReference/API_ListGroupResources.html).
#[tokio::test]
async fn task_invocation_parameters_and_resource_group_targets() {
    let account = Account::new().await;
    let ec2 = aws_sdk_ec2::Client::new(&account.config);
    let launch = |environment: &'static str| {
        let ec2 = ec2.clone();
        async move {
            let tags = aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::Instance)
                .tags(aws_sdk_ec2::types::Tag::builder().key("Environment").value(environment).build())
                .build();
            let run = ec2
                .run_instances()
                .image_id("ami-12c6146b")
                .min_count(1)
                .max_count(1)
                .tag_specifications(tags)
                .send()
                .await
                .unwrap();
            run.instances()[0].instance_id().unwrap().to_owned()
        }
    };
    let (prod, dev) = (launch("prod").await, launch("dev").await);
    let groups = aws_sdk_resourcegroups::Client::new(&account.config);
    groups
        .create_group()
        .name("night-stop")
        .resource_query(
            aws_sdk_resourcegroups::types::ResourceQuery::builder()
                .r#type(aws_sdk_resourcegroups::types::QueryType::TagFilters10)
                .query(r#"{"ResourceTypeFilters":["AWS::EC2::Instance"],"TagFilters":[{"Key":"Environment","Values":["dev"]}]}"#)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let ssm = Client::new(&account.config);
    let window = ssm
        .create_maintenance_window()
        .name("off-hours-stop")
        .schedule("cron(0 20 ? * MON-FRI *)")
        .duration(2)
        .cutoff(1)
        .allow_unassociated_targets(true)
        .send()
        .await
        .unwrap();
    let window_id = window.window_id().unwrap();
    let target = ssm
        .register_target_with_maintenance_window()
        .window_id(window_id)
        .resource_type(MaintenanceWindowResourceType::ResourceGroup)
        .targets(Target::builder().key("resource-groups:Name").values("night-stop").build())
        .targets(
            Target::builder().key("resource-groups:ResourceTypeFilters").values("AWS::EC2::Instance").build(),
        )
        .send()
        .await
        .unwrap();
    let target_id = target.window_target_id().unwrap();
    for (task_targets, instance) in [(Some(target_id), "{{RESOURCE_ID}}"), (None, prod.as_str())] {
        let mut register = ssm
            .register_task_with_maintenance_window()
            .window_id(window_id)
            .task_arn("AWS-StopEC2Instance")
            .task_type(MaintenanceWindowTaskType::Automation)
            .task_invocation_parameters(
                MaintenanceWindowTaskInvocationParameters::builder()
                    .automation(
                        MaintenanceWindowAutomationParameters::builder()
                            .parameters("InstanceId", vec![instance.to_owned()])
                            .build(),
                    )
                    .build(),
            );
        if let Some(target_id) = task_targets {
            register = register.targets(Target::builder().key("WindowTargetIds").values(target_id).build());
        }
        register.send().await.unwrap();
    }

    let output = account.collect(&["ap-northeast-1"]).await;
    let windows = output.snapshot.regions["ap-northeast-1"].maintenance_windows.get().unwrap();
    let window = &windows[0];
    assert_eq!(
        window.targets[0].selectors,
        [
            TargetSelector {
                group_instances: Some(guardline_model::Collected::ok(vec![dev.clone()])),
                ..selector("resource-groups:Name", &["night-stop"])
            },
            selector("resource-groups:ResourceTypeFilters", &["AWS::EC2::Instance"]),
        ]
    );
    let mut parameters: Vec<Vec<String>> =
        window.tasks.iter().map(|task| task.parameters["InstanceId"].clone()).collect();
    parameters.sort();
    assert_eq!(
        parameters,
        [vec![prod.clone()], vec!["{{RESOURCE_ID}}".to_owned()]],
        "the production ID is read"
    );
    assert_eq!(output.calls["ssm:GetMaintenanceWindowTask"], 2);
    assert_eq!(output.calls["resource-groups:ListGroupResources"], 1);
}

#[tokio::test]
async fn seeded_managed_instances_on_moto() {
    let account = Account::new().await;
    let seeded = serde_json::json!({
        "account_id": account.id,
        "region": "ap-northeast-1",
        "instances": [
            {"InstanceId": "i-0aaa", "PingStatus": "Online", "PlatformType": "Linux", "ResourceType": "EC2Instance"},
            {"InstanceId": "i-0bbb", "PingStatus": "ConnectionLost", "PlatformType": "Linux",
             "ResourceType": "EC2Instance"},
        ],
    });
    guardline_testkit::shared().control(
        "/guardline-test/ssm/instance-information",
        "application/json",
        &seeded.to_string(),
    );
    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let managed =
        |id: &str, status: &str| ManagedInstance { instance_id: id.into(), ping_status: status.into() };
    assert_eq!(
        output.snapshot.regions["ap-northeast-1"].ssm_managed_instances.get().unwrap(),
        &vec![managed("i-0aaa", "Online"), managed("i-0bbb", "ConnectionLost")]
    );
    assert!(output.snapshot.regions["us-east-1"].ssm_managed_instances.get().unwrap().is_empty());
}

fn no_windows() -> DescribeMaintenanceWindowsOutput {
    DescribeMaintenanceWindowsOutput::builder().build()
}

fn managed(id: &str, status: PingStatus) -> InstanceInformation {
    InstanceInformation::builder().instance_id(id).ping_status(status).build()
}

#[tokio::test]
async fn managed_instances_every_page() {
    let first = mock!(Client::describe_instance_information)
        .match_requests(|req| req.next_token().is_none())
        .then_output(|| {
            DescribeInstanceInformationOutput::builder()
                .instance_information_list(managed("i-0aaa", PingStatus::Online))
                .next_token("page-2")
                .build()
        });
    let second = mock!(Client::describe_instance_information)
        .match_requests(|req| req.next_token() == Some("page-2"))
        .then_output(|| {
            DescribeInstanceInformationOutput::builder()
                .instance_information_list(managed("i-0bbb", PingStatus::ConnectionLost))
                .build()
        });
    let windows = mock!(Client::describe_maintenance_windows).then_output(no_windows);
    let client = mock_client!(aws_sdk_ssm, RuleMode::MatchAny, [&first, &second, &windows], |c| c
        .retry_config(retries()));

    let inventory = apply(collect_with(&cx(), &client, &unused_groups(), "ap-northeast-1").await);
    assert_eq!(
        inventory.ssm_managed_instances.get().unwrap(),
        &vec![
            ManagedInstance { instance_id: "i-0aaa".into(), ping_status: "Online".into() },
            ManagedInstance { instance_id: "i-0bbb".into(), ping_status: "ConnectionLost".into() },
        ]
    );
    assert!(inventory.maintenance_windows.get().unwrap().is_empty());
}

#[tokio::test]
async fn denied_instance_information_fails_only_its_field() {
    let denied = mock!(Client::describe_instance_information)
        .sequence()
        .http_status(
            400,
            error_body("AccessDeniedException", "not authorized to perform DescribeInstanceInformation"),
        )
        .repeatedly()
        .build();
    let windows = mock!(Client::describe_maintenance_windows).then_output(no_windows);
    let client =
        mock_client!(aws_sdk_ssm, RuleMode::MatchAny, [&denied, &windows], |c| c.retry_config(retries()));

    let inventory = apply(collect_with(&cx(), &client, &unused_groups(), "ap-northeast-1").await);
    let error = inventory.ssm_managed_instances.get().unwrap_err();
    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert_eq!(error.action, "ssm:DescribeInstanceInformation");
    assert!(inventory.maintenance_windows.get().is_ok(), "the windows field is unaffected");
}

#[tokio::test]
async fn throttled_instance_information_after_retries() {
    let throttled = mock!(Client::describe_instance_information)
        .sequence()
        .http_status(400, error_body("ThrottlingException", "Rate exceeded"))
        .repeatedly()
        .build();
    let windows = mock!(Client::describe_maintenance_windows).then_output(no_windows);
    let client =
        mock_client!(aws_sdk_ssm, RuleMode::MatchAny, [&throttled, &windows], |c| c.retry_config(retries()));

    let inventory = apply(collect_with(&cx(), &client, &unused_groups(), "ap-northeast-1").await);
    let error = inventory.ssm_managed_instances.get().unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert_eq!(throttled.num_calls(), ATTEMPTS as usize);
}
