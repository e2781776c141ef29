//! EventBridge Scheduler, per region: the schedules that stop or start instances off hours (SCHED-001/002).
//!
//! `scheduler:ListSchedules` (every group, every page) gives names; `scheduler:GetSchedule` per schedule
//! gives the target ARN, its input, the expression and the time zone. A schedule deleted between the two
//! calls (`ResourceNotFoundException`) is left out; any other failing call fails the whole field. moto
//! 5.2.5 implements both calls (its schedules never fire, which does not matter here).

use aws_config::SdkConfig;
use aws_sdk_scheduler::Client;
use aws_sdk_scheduler::types::ScheduleSummary;
use futures::future::try_join_all;
use guardline_model::inventory::ssm::Schedule;
use guardline_model::{CollectError, Collected};

use super::RegionPart;
use crate::cx::Cx;

/// The schedules of one region.
pub async fn collect(cx: &Cx, config: &SdkConfig, _region: &str) -> RegionPart {
    let client = Client::new(config);
    let schedules: Collected<_> = schedules(cx, &client).await.into();
    Box::new(move |inventory| inventory.schedules = schedules)
}

async fn schedules(cx: &Cx, client: &Client) -> Result<Vec<Schedule>, CollectError> {
    let summaries = cx
        .call(
            "scheduler:ListSchedules",
            client.list_schedules().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    let schedules = try_join_all(summaries.iter().map(|summary| schedule(cx, client, summary))).await?;
    Ok(schedules.into_iter().flatten().collect())
}

/// `None`: the schedule was deleted since it was listed.
async fn schedule(
    cx: &Cx,
    client: &Client,
    summary: &ScheduleSummary,
) -> Result<Option<Schedule>, CollectError> {
    let name = summary.name().unwrap_or_default();
    let group = summary.group_name().unwrap_or("default");
    let answer = match cx
        .call("scheduler:GetSchedule", client.get_schedule().name(name).group_name(group).send())
        .await
    {
        Ok(answer) => answer,
        Err(error) if error.code.as_deref() == Some("ResourceNotFoundException") => return Ok(None),
        Err(error) => return Err(error),
    };
    let state = answer.state().or(summary.state()).map(|state| state.as_str().to_owned()).unwrap_or_default();
    Ok(Some(Schedule {
        name: name.to_owned(),
        group: group.to_owned(),
        state,
        expression: answer.schedule_expression().unwrap_or_default().to_owned(),
        timezone: answer.schedule_expression_timezone().map(str::to_owned),
        target_arn: answer
            .target()
            .map(|target| target.arn())
            .or_else(|| summary.target().map(|target| target.arn()))
            .unwrap_or_default()
            .to_owned(),
        target_input: answer.target().and_then(|target| target.input()).map(str::to_owned),
    }))
}
