//! EventBridge Scheduler collector against moto: schedules in every group, with their targets.

use aws_sdk_scheduler::Client;
use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode, ScheduleState, Target};
use guardline_model::inventory::ssm::Schedule;

use crate::harness::Account;

const STOP_INSTANCES: &str = "arn:aws:scheduler:::aws-sdk:ec2:stopInstances";
const INPUT: &str = r#"{"InstanceIds":["i-0123456789abcdef0"]}"#;

#[tokio::test]
async fn universal_stop_instances_schedules_in_every_group() {
    let account = Account::new().await;
    let scheduler = Client::new(&account.config);
    let role = format!("arn:aws:iam::{}:role/scheduler-ec2", account.id);
    scheduler.create_schedule_group().name("off-hours").send().await.unwrap();
    for (name, group, state) in
        [("stop-dev", "default", ScheduleState::Enabled), ("stop-stg", "off-hours", ScheduleState::Disabled)]
    {
        scheduler
            .create_schedule()
            .name(name)
            .group_name(group)
            .schedule_expression("cron(0 20 ? * MON-FRI *)")
            .schedule_expression_timezone("Asia/Tokyo")
            .state(state)
            .flexible_time_window(
                FlexibleTimeWindow::builder().mode(FlexibleTimeWindowMode::Off).build().unwrap(),
            )
            .target(Target::builder().arn(STOP_INSTANCES).role_arn(&role).input(INPUT).build().unwrap())
            .send()
            .await
            .unwrap();
    }

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let mut schedules = output.snapshot.regions["ap-northeast-1"].schedules.get().unwrap().clone();
    schedules.sort_by(|a, b| a.name.cmp(&b.name));
    let expected = |name: &str, group: &str, state: &str| Schedule {
        name: name.into(),
        group: group.into(),
        state: state.into(),
        expression: "cron(0 20 ? * MON-FRI *)".into(),
        timezone: Some("Asia/Tokyo".into()),
        target_arn: STOP_INSTANCES.into(),
        target_input: Some(INPUT.into()),
    };
    assert_eq!(
        schedules,
        [expected("stop-dev", "default", "ENABLED"), expected("stop-stg", "off-hours", "DISABLED")]
    );
    assert!(output.snapshot.regions["us-east-1"].schedules.get().unwrap().is_empty());
}
