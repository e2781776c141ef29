//! `schedule plan|apply`: reads what is installed in each region ([`plan`]), decides the calls (with
//! [`super::plan`]), and makes them ([`apply`]).
//!
//! A maintenance-window schedule is two windows per region (`guardline-<schedule>-stop` and `-start`), each
//! with one target by tag (`tag:<key>` = the selector's values) and one Automation task running
//! the stop runbook ([`super::runbook`]) / `AWS-StartEC2Instance` (or the schedule's holiday-skipping start
//! runbook) on `{{RESOURCE_ID}}`. A Scheduler schedule is two schedules per region whose universal target
//! starts an Automation of the same runbooks on the instances carrying the selector's tag when it fires
//! (`ssm:StartAutomationExecution` with `Targets`), so holds, production and holidays are checked then,
//! whichever way a schedule is installed. A stop-only schedule is its stop alone.
//!
//! The production guard: AWS resolves a tag target when the window runs, and a tag target cannot exclude
//! another tag. So before anything is installed, the instances the selector matches now are listed in every
//! region, and the whole plan is refused if any of them carries the production tag.

use std::collections::HashMap;

use aws_config::{Region, SdkConfig};
use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode, ScheduleState};
use aws_sdk_ssm::types::{
    DocumentFormat, DocumentType, MaintenanceWindowAutomationParameters, MaintenanceWindowResourceType,
    MaintenanceWindowTaskInvocationParameters, MaintenanceWindowTaskType, Target,
};
use guardline_config::{InstallMethod, ProductionTag, ScheduleConfig};
use guardline_model::{CollectError, ErrorKind};
use guardline_schedule::Action;

use super::cron::{AwsCrons, aws_crons};
use super::instances::{Selected, matching};
use super::plan::{
    AUTOMATION_TARGET, Call, DesiredSchedule, DesiredWindow, ExistingSchedule, ExistingTarget, ExistingTask,
    ExistingWindow, SCHEDULE_GROUP, START_DOCUMENT, STOP_DOCUMENT, TASK_MAX_CONCURRENCY, TASK_MAX_ERRORS,
    WINDOW_CUTOFF_HOURS, WINDOW_DURATION_HOURS, document_calls, resource_name, role_policy_calls,
    schedule_calls, target_name, verb, window_calls,
};
use crate::call::call;

/// What to plan.
pub struct Request<'a> {
    pub schedules: Vec<&'a ScheduleConfig>,
    pub regions: Vec<String>,
    /// The account profile's production tag: an instance carrying it is never selected.
    pub production: ProductionTag,
    /// The role the task (Automation) or the Scheduler schedule assumes; required for Scheduler.
    pub role_arn: Option<String>,
}

/// What one change installs.
#[derive(Debug, Clone)]
pub enum Desired {
    Window(DesiredWindow),
    Schedule(DesiredSchedule),
    /// A runbook of the region, with this content ([`super::runbook`]): the stop runbook, or a schedule's
    /// start runbook that skips its holidays.
    Runbook {
        name: String,
        content: String,
    },
    /// The scheduler role's inline policy ([`super::role_policy`]).
    RolePolicy {
        role_name: String,
        document: serde_json::Value,
    },
}

/// The calls for one schedule, action and region.
#[derive(Debug, Clone)]
pub struct Change {
    pub schedule: String,
    pub region: String,
    pub action: Action,
    pub desired: Desired,
    pub calls: Vec<Call>,
}

/// The instances one schedule's selector matches in one region now.
#[derive(Debug, Clone)]
pub struct Selection {
    pub schedule: String,
    pub region: String,
    pub instances: Vec<Selected>,
}

/// A plan: the calls to make and what was found on the way.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Only changes with at least one call.
    pub changes: Vec<Change>,
    pub selections: Vec<Selection>,
    /// The AWS expressions of each schedule that could be rendered.
    pub crons: Vec<(String, AwsCrons)>,
    /// Why the plan must not be applied (production selected, a window AWS cron cannot express, ...).
    pub refusals: Vec<String>,
}

impl Plan {
    /// How many API calls applying makes.
    pub fn call_count(&self) -> usize {
        self.changes.iter().map(|change| change.calls.len()).sum()
    }
}

/// One line per call, as the plan shows it (without account and region).
pub fn describe(change: &Change, call: &Call) -> String {
    let action = call.action();
    match &change.desired {
        Desired::Runbook { name, .. } if name == super::runbook::NAME => format!(
            "{action} {name} (Automation runbook: stops the instance unless it carries the production tag when the \
             window runs)"
        ),
        Desired::Runbook { name, .. } => format!(
            "{action} {name} (Automation runbook: starts the instance unless the window runs on one of the \
             schedule's holidays, {} to {})",
            holiday_years().0,
            holiday_years().1
        ),
        Desired::RolePolicy { role_name, .. } => format!(
            "{action} {} on role {role_name} (the schedules' calls, and an explicit Deny on ec2:StopInstances for \
             instances tagged as production)",
            super::role_policy::POLICY_NAME
        ),
        Desired::Window(window) => {
            let name = &window.name;
            let what = match call {
                Call::CreateWindow | Call::UpdateWindow { .. } => format!(
                    "{} schedule {} ScheduleTimezone {} (duration {WINDOW_DURATION_HOURS} h, cutoff \
                     {WINDOW_CUTOFF_HOURS} h, enabled)",
                    match call {
                        Call::UpdateWindow { window_id } => format!("{name} ({window_id})"),
                        _ => name.clone(),
                    },
                    window.expression,
                    window.timezone
                ),
                Call::RegisterTarget { .. } | Call::UpdateTarget { .. } => format!(
                    "{name}: target {} = instances with {} in [{}]",
                    window.target_name,
                    window.target_key(),
                    window.selector.values.join(", ")
                ),
                _ => format!(
                    "{name}: AUTOMATION task {name} running {} with InstanceId {{{{RESOURCE_ID}}}} on target {} \
                     ({})",
                    window.document,
                    window.target_name,
                    match &window.role_arn {
                        Some(role) => format!("service role {role}"),
                        None => "no service role: Systems Manager's service-linked role".to_owned(),
                    }
                ),
            };
            format!("{action} {what}")
        }
        Desired::Schedule(schedule) => format!(
            "{action} {SCHEDULE_GROUP}/{} {} ScheduleExpressionTimezone {} -> ssm:StartAutomationExecution of {} on \
             the instances with tag:{} in [{}] when it fires (role {})",
            schedule.name,
            schedule.expression,
            schedule.timezone,
            schedule.document,
            schedule.selector.key,
            schedule.selector.values.join(", "),
            schedule.role_arn.as_deref().unwrap_or("none")
        ),
    }
}

fn in_region(config: &SdkConfig, region: &str) -> SdkConfig {
    config.to_builder().region(Region::new(region.to_owned())).build()
}

/// Reads the regions and decides the calls. Changes nothing.
pub async fn plan(config: &SdkConfig, request: &Request<'_>) -> Result<Plan, CollectError> {
    let mut plan = Plan::default();
    let mut rendered = Vec::new();
    for schedule in &request.schedules {
        match aws_crons(&schedule.schedule.window) {
            Ok(crons) => {
                plan.crons.push((schedule.name.clone(), crons.clone()));
                rendered.push((*schedule, crons));
            }
            Err(error) => {
                plan.refusals.push(format!("schedule {} cannot be installed: {error}", schedule.name))
            }
        }
        if schedule.installs_as == InstallMethod::Scheduler && request.role_arn.is_none() {
            plan.refusals.push(format!(
                "schedule {} installs as EventBridge Scheduler schedules, which need --task-role-arn (a role \
                 scheduler.amazonaws.com and ssm.amazonaws.com may assume: the schedule starts the runbook's \
                 Automation as it; `guardline iam-policy --for schedule` prints its policy)",
                schedule.name
            ));
        }
    }
    if let (Some(role_arn), Some(region)) = (&request.role_arn, request.regions.first()) {
        let iam = aws_sdk_iam::Client::new(&in_region(config, region));
        let names: Vec<&str> = request.schedules.iter().map(|schedule| schedule.name.as_str()).collect();
        match role_policy_change(&iam, role_arn, &request.production).await? {
            Ok(Some((desired, calls))) => plan.changes.push(Change {
                schedule: names.join(", "),
                region: region.clone(),
                action: Action::Stop,
                desired,
                calls,
            }),
            Ok(None) => {}
            Err(refusal) => plan.refusals.push(refusal),
        }
    }
    let runbook = super::runbook::content(&request.production);
    for region in &request.regions {
        let config = in_region(config, region);
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let ssm = aws_sdk_ssm::Client::new(&config);
        let scheduler = aws_sdk_scheduler::Client::new(&config);
        let mut windows: Option<Vec<(String, String)>> = None;
        if let Some((schedule, _)) = rendered.first() {
            let installed = read_runbook(&ssm, super::runbook::NAME).await?;
            let calls = document_calls(&runbook, installed.as_deref());
            if !calls.is_empty() {
                plan.changes.push(Change {
                    schedule: schedule.name.clone(),
                    region: region.clone(),
                    action: Action::Stop,
                    desired: Desired::Runbook {
                        name: super::runbook::NAME.to_owned(),
                        content: runbook.clone(),
                    },
                    calls,
                });
            }
        }
        for (schedule, crons) in &rendered {
            let instances = matching(&ec2, &schedule.select).await?;
            for instance in &instances {
                if let Some(tag) = instance.production_tag(&request.production) {
                    plan.refusals.push(format!(
                        "schedule {} selects {} in {region}, which carries the production tag {tag}: a tag target \
                         cannot exclude it, so nothing is installed (take the selector's tag off the instance, or \
                         narrow the selector)",
                        schedule.name,
                        instance.label()
                    ));
                }
            }
            let timezone = schedule.schedule.time_zone.iana_name().unwrap_or("UTC").to_owned();
            // A stop-only schedule installs its stop alone; a start installed before it became stop-only
            // would go on starting instances, so the plan is refused until it is removed.
            let actions: &[Action] =
                if schedule.schedule.stop_only { &[Action::Stop] } else { &[Action::Stop, Action::Start] };
            if schedule.schedule.stop_only {
                let start = resource_name(&schedule.name, Action::Start);
                let installed = match schedule.installs_as {
                    InstallMethod::MaintenanceWindow => {
                        if windows.is_none() {
                            windows = Some(list_windows(&ssm).await?);
                        }
                        windows.as_ref().is_some_and(|windows| windows.iter().any(|(_, name)| *name == start))
                    }
                    InstallMethod::Scheduler => read_schedule(&scheduler, &start).await?.is_some(),
                };
                if installed {
                    plan.refusals.push(format!(
                        "schedule {} is stop-only, but {start} is installed in {region} and would go on starting \
                         instances: delete it first",
                        schedule.name
                    ));
                }
            }
            let holidays = !schedule.schedule.stop_only && !schedule.schedule.holidays.is_empty();
            let start_document = if holidays {
                let name = super::runbook::start_name(&schedule.name);
                let (from, to) = holiday_years();
                let content = super::runbook::start_content(
                    &schedule.schedule.holiday_spans(from, to),
                    &schedule.schedule.holidays.label(),
                    &timezone,
                );
                let calls = document_calls(&content, read_runbook(&ssm, &name).await?.as_deref());
                if !calls.is_empty() {
                    plan.changes.push(Change {
                        schedule: schedule.name.clone(),
                        region: region.clone(),
                        action: Action::Start,
                        desired: Desired::Runbook { name: name.clone(), content },
                        calls,
                    });
                }
                name
            } else {
                START_DOCUMENT.to_owned()
            };
            for &action in actions {
                let name = resource_name(&schedule.name, action);
                let expression = match action {
                    Action::Stop => crons.stop.clone(),
                    Action::Start => crons.start.clone(),
                };
                let description = format!(
                    "Guardline off-hours schedule {}: {} the instances (guardline schedule apply)",
                    schedule.name,
                    verb(action)
                );
                let document = match action {
                    Action::Stop => STOP_DOCUMENT.to_owned(),
                    Action::Start => start_document.clone(),
                };
                let (desired, calls) = match schedule.installs_as {
                    InstallMethod::MaintenanceWindow => {
                        if windows.is_none() {
                            windows = Some(list_windows(&ssm).await?);
                        }
                        let desired = DesiredWindow {
                            name: name.clone(),
                            target_name: target_name(&schedule.name),
                            description,
                            expression,
                            timezone: timezone.clone(),
                            selector: schedule.select.clone(),
                            document,
                            role_arn: request.role_arn.clone(),
                        };
                        let existing_id = windows
                            .as_ref()
                            .and_then(|windows| windows.iter().find(|(_, window)| *window == name))
                            .map(|(id, _)| id.clone());
                        let existing = match existing_id {
                            Some(id) => Some(read_window(&ssm, &id).await?),
                            None => None,
                        };
                        let calls = window_calls(&desired, existing.as_ref());
                        (Desired::Window(desired), calls)
                    }
                    InstallMethod::Scheduler => {
                        let desired = DesiredSchedule {
                            name: name.clone(),
                            description,
                            expression,
                            timezone: timezone.clone(),
                            selector: schedule.select.clone(),
                            document,
                            role_arn: request.role_arn.clone(),
                        };
                        let existing = read_schedule(&scheduler, &name).await?;
                        let calls = schedule_calls(&desired, existing.as_ref());
                        (Desired::Schedule(desired), calls)
                    }
                };
                if !calls.is_empty() {
                    plan.changes.push(Change {
                        schedule: schedule.name.clone(),
                        region: region.clone(),
                        action,
                        desired,
                        calls,
                    });
                }
            }
            plan.selections.push(Selection {
                schedule: schedule.name.clone(),
                region: region.clone(),
                instances,
            });
        }
    }
    Ok(plan)
}

/// The years whose holidays a start runbook carries: this one (UTC) and the next ones.
fn holiday_years() -> (i16, i16) {
    let year = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
    (year, year + super::runbook::HOLIDAY_YEARS - 1)
}

/// A runbook's content as installed in the region (its default version), `None` when it is missing.
async fn read_runbook(ssm: &aws_sdk_ssm::Client, name: &str) -> Result<Option<String>, CollectError> {
    match call("ssm:GetDocument", ssm.get_document().name(name).send()).await {
        Ok(document) => Ok(document.content().map(str::to_owned)),
        Err(error) if error.code.as_deref() == Some("InvalidDocument") => Ok(None),
        Err(error) => Err(error),
    }
}

/// The role's name in `arn:aws:iam::123456789012:role/path/name`.
fn role_name(role_arn: &str) -> Option<&str> {
    role_arn
        .split_once(":role/")
        .and_then(|(_, path)| path.rsplit('/').next())
        .filter(|name| !name.is_empty())
}

/// Percent-decodes IAM's URL-encoded policy documents (RFC 3986); text that is not encoded is unchanged.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes.get(index + 1..index + 3).and_then(|hex| std::str::from_utf8(hex).ok());
        match (bytes[index], hex.and_then(|hex| u8::from_str_radix(hex, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The role policy change for `--task-role-arn`: `Ok(None)` when the role has it already, `Err` (a refusal) when
/// the role cannot be found in this account.
async fn role_policy_change(
    iam: &aws_sdk_iam::Client,
    role_arn: &str,
    production: &ProductionTag,
) -> Result<Result<Option<(Desired, Vec<Call>)>, String>, CollectError> {
    let Some(name) = role_name(role_arn) else {
        return Ok(Err(format!(
            "--task-role-arn {role_arn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
        )));
    };
    match call("iam:GetRole", iam.get_role().role_name(name).send()).await {
        Ok(_) => {}
        Err(error) if error.code.as_deref() == Some("NoSuchEntity") => {
            return Ok(Err(format!(
                "--task-role-arn {role_arn}: no role {name} in this account, so its policy (with the Deny on stopping \
                 production) cannot be put on it; create the role first (`guardline iam-policy --for schedule`)"
            )));
        }
        Err(error) => return Err(error),
    }
    let installed = match call(
        "iam:GetRolePolicy",
        iam.get_role_policy().role_name(name).policy_name(super::role_policy::POLICY_NAME).send(),
    )
    .await
    {
        Ok(policy) => {
            serde_json::from_str::<serde_json::Value>(&percent_decode(policy.policy_document())).ok()
        }
        Err(error) if error.code.as_deref() == Some("NoSuchEntity") => None,
        Err(error) => return Err(error),
    };
    let document = super::role_policy::document(&[production]);
    let calls = role_policy_calls(&document, installed.as_ref());
    Ok(Ok((!calls.is_empty()).then(|| (Desired::RolePolicy { role_name: name.to_owned(), document }, calls))))
}

/// (ID, name) of every maintenance window of the region.
async fn list_windows(ssm: &aws_sdk_ssm::Client) -> Result<Vec<(String, String)>, CollectError> {
    let windows = call(
        "ssm:DescribeMaintenanceWindows",
        ssm.describe_maintenance_windows().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
    )
    .await?;
    Ok(windows
        .iter()
        .map(|window| {
            (window.window_id().unwrap_or_default().to_owned(), window.name().unwrap_or_default().to_owned())
        })
        .collect())
}

fn selectors(targets: &[Target]) -> Vec<(String, Vec<String>)> {
    targets
        .iter()
        .map(|target| (target.key().unwrap_or_default().to_owned(), target.values().to_vec()))
        .collect()
}

async fn read_window(ssm: &aws_sdk_ssm::Client, id: &str) -> Result<ExistingWindow, CollectError> {
    let window = call("ssm:GetMaintenanceWindow", ssm.get_maintenance_window().window_id(id).send()).await?;
    let targets = call(
        "ssm:DescribeMaintenanceWindowTargets",
        ssm.describe_maintenance_window_targets()
            .window_id(id)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )
    .await?;
    let tasks = call(
        "ssm:DescribeMaintenanceWindowTasks",
        ssm.describe_maintenance_window_tasks()
            .window_id(id)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )
    .await?;
    Ok(ExistingWindow {
        id: id.to_owned(),
        expression: window.schedule().unwrap_or_default().to_owned(),
        timezone: window.schedule_timezone().map(str::to_owned),
        enabled: window.enabled(),
        duration: window.duration().unwrap_or_default(),
        cutoff: window.cutoff(),
        targets: targets
            .iter()
            .map(|target| ExistingTarget {
                id: target.window_target_id().unwrap_or_default().to_owned(),
                name: target.name().map(str::to_owned),
                selectors: selectors(target.targets()),
            })
            .collect(),
        tasks: tasks
            .iter()
            .map(|task| ExistingTask {
                id: task.window_task_id().unwrap_or_default().to_owned(),
                name: task.name().map(str::to_owned),
                task_arn: task.task_arn().unwrap_or_default().to_owned(),
                task_type: task.r#type().map(|kind| kind.as_str().to_owned()).unwrap_or_default(),
                targets: selectors(task.targets()),
                role_arn: task.service_role_arn().filter(|role| !role.is_empty()).map(str::to_owned),
            })
            .collect(),
    })
}

async fn read_schedule(
    scheduler: &aws_sdk_scheduler::Client,
    name: &str,
) -> Result<Option<ExistingSchedule>, CollectError> {
    let answer = match call(
        "scheduler:GetSchedule",
        scheduler.get_schedule().name(name).group_name(SCHEDULE_GROUP).send(),
    )
    .await
    {
        Ok(answer) => answer,
        Err(error) if error.code.as_deref() == Some("ResourceNotFoundException") => return Ok(None),
        Err(error) => return Err(error),
    };
    let target = answer.target();
    let input = target.and_then(|target| target.input()).and_then(|input| serde_json::from_str(input).ok());
    Ok(Some(ExistingSchedule {
        expression: answer.schedule_expression().unwrap_or_default().to_owned(),
        timezone: answer.schedule_expression_timezone().map(str::to_owned),
        target_arn: target.map(|target| target.arn().to_owned()).unwrap_or_default(),
        input,
        role_arn: target.map(|target| target.role_arn().to_owned()).unwrap_or_default(),
        state: answer.state().map(|state| state.as_str().to_owned()).unwrap_or_default(),
    }))
}

fn invalid(action: &str, error: impl std::fmt::Display) -> CollectError {
    CollectError {
        action: action.to_owned(),
        kind: ErrorKind::Failed,
        code: None,
        message: format!("invalid request: {error}"),
    }
}

/// Makes the plan's calls in order, reporting each one made to `done` (change, call). Stops at the first
/// failing call: what was made before it stays, and a re-apply completes the rest.
pub async fn apply(
    config: &SdkConfig,
    plan: &Plan,
    mut done: impl FnMut(&Change, &Call),
) -> Result<(), CollectError> {
    for change in &plan.changes {
        let config = in_region(config, &change.region);
        match &change.desired {
            Desired::Window(window) => {
                let ssm = aws_sdk_ssm::Client::new(&config);
                let mut window_id: Option<String> = None;
                let mut target_id: Option<String> = None;
                for step in &change.calls {
                    apply_window_call(&ssm, window, step, &mut window_id, &mut target_id).await?;
                    done(change, step);
                }
            }
            Desired::Schedule(schedule) => {
                let scheduler = aws_sdk_scheduler::Client::new(&config);
                for step in &change.calls {
                    apply_schedule_call(&scheduler, schedule, step).await?;
                    done(change, step);
                }
            }
            Desired::Runbook { name, content } => {
                let ssm = aws_sdk_ssm::Client::new(&config);
                let mut version: Option<String> = None;
                for step in &change.calls {
                    apply_runbook_call(&ssm, name, content, step, &mut version).await?;
                    done(change, step);
                }
            }
            Desired::RolePolicy { role_name, document } => {
                let iam = aws_sdk_iam::Client::new(&config);
                for step in &change.calls {
                    call(
                        step.action(),
                        iam.put_role_policy()
                            .role_name(role_name)
                            .policy_name(super::role_policy::POLICY_NAME)
                            .policy_document(document.to_string())
                            .send(),
                    )
                    .await?;
                    done(change, step);
                }
            }
        }
    }
    Ok(())
}

async fn apply_runbook_call(
    ssm: &aws_sdk_ssm::Client,
    name: &str,
    content: &str,
    step: &Call,
    version: &mut Option<String>,
) -> Result<(), CollectError> {
    let action = step.action();
    match step {
        Call::CreateDocument => {
            call(
                action,
                ssm.create_document()
                    .name(name)
                    .content(content)
                    .document_type(DocumentType::Automation)
                    .document_format(DocumentFormat::Json)
                    .send(),
            )
            .await?;
        }
        Call::UpdateDocument => {
            let output = call(
                action,
                ssm.update_document()
                    .name(name)
                    .content(content)
                    .document_format(DocumentFormat::Json)
                    .document_version("$LATEST")
                    .send(),
            )
            .await?;
            *version = output
                .document_description()
                .and_then(|description| description.document_version())
                .map(str::to_owned);
        }
        Call::UpdateDocumentDefaultVersion => {
            let version =
                version.clone().ok_or_else(|| invalid(action, "UpdateDocument gave no document version"))?;
            call(action, ssm.update_document_default_version().name(name).document_version(version).send())
                .await?;
        }
        _ => return Err(invalid(action, "not a runbook call")),
    }
    Ok(())
}

fn window_target(window: &DesiredWindow) -> Target {
    Target::builder().key(window.target_key()).set_values(Some(window.selector.values.clone())).build()
}

fn task_parameters(window: &DesiredWindow) -> MaintenanceWindowTaskInvocationParameters {
    let mut parameters = HashMap::from([("InstanceId".to_owned(), vec!["{{RESOURCE_ID}}".to_owned()])]);
    if let Some(role) = &window.role_arn {
        parameters.insert("AutomationAssumeRole".to_owned(), vec![role.clone()]);
    }
    MaintenanceWindowTaskInvocationParameters::builder()
        .automation(
            MaintenanceWindowAutomationParameters::builder()
                .document_version("$DEFAULT")
                .set_parameters(Some(parameters))
                .build(),
        )
        .build()
}

async fn apply_window_call(
    ssm: &aws_sdk_ssm::Client,
    window: &DesiredWindow,
    step: &Call,
    created_window: &mut Option<String>,
    created_target: &mut Option<String>,
) -> Result<(), CollectError> {
    let action = step.action();
    let missing = || invalid(action, "an earlier call of this change gave no ID");
    match step {
        Call::CreateWindow => {
            let output = call(
                action,
                ssm.create_maintenance_window()
                    .name(&window.name)
                    .description(&window.description)
                    .schedule(&window.expression)
                    .schedule_timezone(&window.timezone)
                    .duration(WINDOW_DURATION_HOURS)
                    .cutoff(WINDOW_CUTOFF_HOURS)
                    .allow_unassociated_targets(false)
                    .send(),
            )
            .await?;
            *created_window = output.window_id().map(str::to_owned);
        }
        Call::UpdateWindow { window_id } => {
            call(
                action,
                ssm.update_maintenance_window()
                    .window_id(window_id)
                    .name(&window.name)
                    .description(&window.description)
                    .schedule(&window.expression)
                    .schedule_timezone(&window.timezone)
                    .duration(WINDOW_DURATION_HOURS)
                    .cutoff(WINDOW_CUTOFF_HOURS)
                    .allow_unassociated_targets(false)
                    .enabled(true)
                    .send(),
            )
            .await?;
        }
        Call::RegisterTarget { window_id } => {
            let window_id = window_id.clone().or_else(|| created_window.clone()).ok_or_else(missing)?;
            let output = call(
                action,
                ssm.register_target_with_maintenance_window()
                    .window_id(window_id)
                    .resource_type(MaintenanceWindowResourceType::Instance)
                    .targets(window_target(window))
                    .name(&window.target_name)
                    .description(&window.description)
                    .send(),
            )
            .await?;
            *created_target = output.window_target_id().map(str::to_owned);
        }
        Call::UpdateTarget { window_id, target_id } => {
            call(
                action,
                ssm.update_maintenance_window_target()
                    .window_id(window_id)
                    .window_target_id(target_id)
                    .targets(window_target(window))
                    .name(&window.target_name)
                    .description(&window.description)
                    .send(),
            )
            .await?;
        }
        Call::RegisterTask { window_id, target_id } => {
            let window_id = window_id.clone().or_else(|| created_window.clone()).ok_or_else(missing)?;
            let target_id = target_id.clone().or_else(|| created_target.clone()).ok_or_else(missing)?;
            call(
                action,
                ssm.register_task_with_maintenance_window()
                    .window_id(window_id)
                    .targets(Target::builder().key("WindowTargetIds").values(target_id).build())
                    .task_arn(&window.document)
                    .task_type(MaintenanceWindowTaskType::Automation)
                    .task_invocation_parameters(task_parameters(window))
                    .set_service_role_arn(window.role_arn.clone())
                    .priority(1)
                    .max_concurrency(TASK_MAX_CONCURRENCY)
                    .max_errors(TASK_MAX_ERRORS)
                    .name(&window.name)
                    .description(&window.description)
                    .send(),
            )
            .await?;
        }
        Call::UpdateTask { window_id, task_id, target_id } => {
            call(
                action,
                ssm.update_maintenance_window_task()
                    .window_id(window_id)
                    .window_task_id(task_id)
                    .targets(Target::builder().key("WindowTargetIds").values(target_id).build())
                    .task_arn(&window.document)
                    .task_invocation_parameters(task_parameters(window))
                    .set_service_role_arn(window.role_arn.clone())
                    .priority(1)
                    .max_concurrency(TASK_MAX_CONCURRENCY)
                    .max_errors(TASK_MAX_ERRORS)
                    .name(&window.name)
                    .description(&window.description)
                    .replace(true)
                    .send(),
            )
            .await?;
        }
        _ => return Err(invalid(action, "not a maintenance window call")),
    }
    Ok(())
}

async fn apply_schedule_call(
    scheduler: &aws_sdk_scheduler::Client,
    schedule: &DesiredSchedule,
    step: &Call,
) -> Result<(), CollectError> {
    let action = step.action();
    let window = FlexibleTimeWindow::builder()
        .mode(FlexibleTimeWindowMode::Off)
        .build()
        .map_err(|error| invalid(action, error))?;
    let target = aws_sdk_scheduler::types::Target::builder()
        .arn(AUTOMATION_TARGET)
        .role_arn(schedule.role_arn.clone().unwrap_or_default())
        .input(schedule.input().to_string())
        .build()
        .map_err(|error| invalid(action, error))?;
    match step {
        Call::CreateSchedule => {
            call(
                action,
                scheduler
                    .create_schedule()
                    .name(&schedule.name)
                    .group_name(SCHEDULE_GROUP)
                    .description(&schedule.description)
                    .schedule_expression(&schedule.expression)
                    .schedule_expression_timezone(&schedule.timezone)
                    .flexible_time_window(window)
                    .target(target)
                    .state(ScheduleState::Enabled)
                    .send(),
            )
            .await?;
        }
        Call::UpdateSchedule => {
            call(
                action,
                scheduler
                    .update_schedule()
                    .name(&schedule.name)
                    .group_name(SCHEDULE_GROUP)
                    .description(&schedule.description)
                    .schedule_expression(&schedule.expression)
                    .schedule_expression_timezone(&schedule.timezone)
                    .flexible_time_window(window)
                    .target(target)
                    .state(ScheduleState::Enabled)
                    .send(),
            )
            .await?;
        }
        _ => return Err(invalid(action, "not a Scheduler call")),
    }
    Ok(())
}
