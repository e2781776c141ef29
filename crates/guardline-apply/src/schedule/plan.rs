//! The pure half of `schedule plan|apply`: what should exist in a region for one schedule and action
//! ([`DesiredWindow`], [`DesiredSchedule`]), what was read back from AWS ([`ExistingWindow`],
//! [`ExistingSchedule`]), and the API calls that turn one into the other ([`window_calls`],
//! [`schedule_calls`]). Nothing equal is ever re-created, so applying twice makes no call the second time.

use guardline_config::TagMatch;
use guardline_schedule::Action;

/// The SSM Automation documents the maintenance window tasks run (recognised by SCHED-001/002): the stop
/// is Guardline's own runbook, which re-checks the production tag when it runs ([`super::runbook`]).
pub const STOP_DOCUMENT: &str = super::runbook::NAME;
pub const START_DOCUMENT: &str = "AWS-StartEC2Instance";
/// The EventBridge Scheduler universal target of both actions: an SSM Automation of the same runbooks the
/// maintenance windows run, on the instances that carry the selector's tag when it runs.
pub const AUTOMATION_TARGET: &str = "arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution";
/// The Scheduler group Guardline's schedules live in.
pub const SCHEDULE_GROUP: &str = "default";
/// A maintenance window's length in hours and cutoff: stopping or starting takes minutes.
pub const WINDOW_DURATION_HOURS: i32 = 1;
pub const WINDOW_CUTOFF_HOURS: i32 = 0;
/// The task's concurrency and error threshold: one instance failing does not keep the others running.
pub const TASK_MAX_CONCURRENCY: &str = "50";
pub const TASK_MAX_ERRORS: &str = "100%";

/// `guardline-<schedule>-stop` / `-start`: the maintenance window or Scheduler schedule of one action.
pub fn resource_name(schedule: &str, action: Action) -> String {
    format!("guardline-{schedule}-{}", verb(action))
}

/// `guardline-<schedule>`: the name of the window target.
pub fn target_name(schedule: &str) -> String {
    format!("guardline-{schedule}")
}

/// `stop` or `start`.
pub fn verb(action: Action) -> &'static str {
    match action {
        Action::Stop => "stop",
        Action::Start => "start",
    }
}

/// One maintenance window as Guardline installs it: the window, one target by tag, one Automation task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredWindow {
    pub name: String,
    pub target_name: String,
    pub description: String,
    /// `cron(...)`.
    pub expression: String,
    /// IANA zone (`ScheduleTimezone`).
    pub timezone: String,
    /// The target: `tag:<key>` = values.
    pub selector: TagMatch,
    /// [`STOP_DOCUMENT`], [`START_DOCUMENT`], or a schedule's start runbook
    /// ([`super::runbook::start_name`]) when it has holidays.
    pub document: String,
    /// The task's service role (also the Automation's `AutomationAssumeRole`), if given.
    pub role_arn: Option<String>,
}

impl DesiredWindow {
    /// The target's key, `tag:Environment`.
    pub fn target_key(&self) -> String {
        format!("tag:{}", self.selector.key)
    }
}

/// A window target as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingTarget {
    pub id: String,
    pub name: Option<String>,
    /// (key, values) per selector.
    pub selectors: Vec<(String, Vec<String>)>,
}

/// A window task as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingTask {
    pub id: String,
    pub name: Option<String>,
    pub task_arn: String,
    pub task_type: String,
    pub targets: Vec<(String, Vec<String>)>,
    pub role_arn: Option<String>,
}

/// A maintenance window with Guardline's name, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingWindow {
    pub id: String,
    pub expression: String,
    pub timezone: Option<String>,
    pub enabled: bool,
    pub duration: i32,
    pub cutoff: i32,
    pub targets: Vec<ExistingTarget>,
    pub tasks: Vec<ExistingTask>,
}

/// One EventBridge Scheduler schedule as Guardline installs it: at each cron time it starts an Automation of
/// `document` with rate control, on the instances that carry the selector's tag then (`Targets`), as
/// `role_arn` (the schedule's role and the Automation's `AutomationAssumeRole`). So, like a maintenance
/// window, it covers instances tagged later, and the runbook re-checks production, holds and holidays when
/// it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredSchedule {
    pub name: String,
    pub description: String,
    pub expression: String,
    pub timezone: String,
    /// The Automation's targets: `tag:<key>` = values.
    pub selector: TagMatch,
    /// [`STOP_DOCUMENT`], [`START_DOCUMENT`], or a schedule's start runbook ([`super::runbook::start_name`]).
    pub document: String,
    pub role_arn: Option<String>,
}

impl DesiredSchedule {
    /// The target's input: the `StartAutomationExecution` request (its API reference's member names).
    pub fn input(&self) -> serde_json::Value {
        let mut values = self.selector.values.clone();
        values.sort();
        serde_json::json!({
            "DocumentName": self.document,
            "TargetParameterName": "InstanceId",
            "Targets": [{ "Key": format!("tag:{}", self.selector.key), "Values": values }],
            "Parameters": { "AutomationAssumeRole": [self.role_arn.as_deref().unwrap_or_default()] },
            "MaxConcurrency": TASK_MAX_CONCURRENCY,
            "MaxErrors": TASK_MAX_ERRORS,
        })
    }
}

/// A Scheduler schedule with Guardline's name, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingSchedule {
    pub expression: String,
    pub timezone: Option<String>,
    pub target_arn: String,
    /// The target's input, `None` when it is absent or not JSON.
    pub input: Option<serde_json::Value>,
    pub role_arn: String,
    pub state: String,
}

/// One API call of a plan. IDs are `None` when an earlier call of the same change creates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    CreateWindow,
    UpdateWindow {
        window_id: String,
    },
    RegisterTarget {
        window_id: Option<String>,
    },
    UpdateTarget {
        window_id: String,
        target_id: String,
    },
    RegisterTask {
        window_id: Option<String>,
        target_id: Option<String>,
    },
    UpdateTask {
        window_id: String,
        task_id: String,
        target_id: String,
    },
    CreateSchedule,
    UpdateSchedule,
    /// The stop runbook, missing in the region.
    CreateDocument,
    /// The stop runbook, with other content: a new version, then made the default.
    UpdateDocument,
    UpdateDocumentDefaultVersion,
    /// The scheduler role's inline policy ([`super::role_policy`]).
    PutRolePolicy,
}

impl Call {
    /// The IAM action behind the call.
    pub fn action(&self) -> &'static str {
        match self {
            Call::CreateWindow => "ssm:CreateMaintenanceWindow",
            Call::UpdateWindow { .. } => "ssm:UpdateMaintenanceWindow",
            Call::RegisterTarget { .. } => "ssm:RegisterTargetWithMaintenanceWindow",
            Call::UpdateTarget { .. } => "ssm:UpdateMaintenanceWindowTarget",
            Call::RegisterTask { .. } => "ssm:RegisterTaskWithMaintenanceWindow",
            Call::UpdateTask { .. } => "ssm:UpdateMaintenanceWindowTask",
            Call::CreateSchedule => "scheduler:CreateSchedule",
            Call::UpdateSchedule => "scheduler:UpdateSchedule",
            Call::CreateDocument => "ssm:CreateDocument",
            Call::UpdateDocument => "ssm:UpdateDocument",
            Call::UpdateDocumentDefaultVersion => "ssm:UpdateDocumentDefaultVersion",
            Call::PutRolePolicy => "iam:PutRolePolicy",
        }
    }
}

fn same_values(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

/// The calls that make `existing` (or nothing) what `desired` says; empty when they agree.
pub fn window_calls(desired: &DesiredWindow, existing: Option<&ExistingWindow>) -> Vec<Call> {
    let Some(existing) = existing else {
        return vec![
            Call::CreateWindow,
            Call::RegisterTarget { window_id: None },
            Call::RegisterTask { window_id: None, target_id: None },
        ];
    };
    let mut calls = Vec::new();
    let window_id = existing.id.clone();
    if existing.expression != desired.expression
        || existing.timezone.as_deref() != Some(desired.timezone.as_str())
        || !existing.enabled
        || existing.duration != WINDOW_DURATION_HOURS
        || existing.cutoff != WINDOW_CUTOFF_HOURS
    {
        calls.push(Call::UpdateWindow { window_id: window_id.clone() });
    }
    let target = existing
        .targets
        .iter()
        .find(|target| target.name.as_deref() == Some(desired.target_name.as_str()))
        .or_else(|| existing.targets.first());
    let target_id = match target {
        None => {
            calls.push(Call::RegisterTarget { window_id: Some(window_id.clone()) });
            None
        }
        Some(target) => {
            let agrees = target.name.as_deref() == Some(desired.target_name.as_str())
                && matches!(target.selectors.as_slice(),
                    [(key, values)] if *key == desired.target_key() && same_values(values, &desired.selector.values));
            if !agrees {
                calls.push(Call::UpdateTarget { window_id: window_id.clone(), target_id: target.id.clone() });
            }
            Some(target.id.clone())
        }
    };
    let task = existing
        .tasks
        .iter()
        .find(|task| task.name.as_deref() == Some(desired.name.as_str()))
        .or_else(|| existing.tasks.iter().find(|task| task.task_arn == desired.document));
    match (task, target_id) {
        (Some(task), Some(target_id)) => {
            let agrees = task.name.as_deref() == Some(desired.name.as_str())
                && task.task_arn == desired.document
                // moto 5.2.5 answers `TaskType` where AWS says `Type`, so an absent type is not a difference.
                && (task.task_type.is_empty() || task.task_type == "AUTOMATION")
                && task.role_arn == desired.role_arn
                && matches!(task.targets.as_slice(),
                    [(key, values)] if key == "WindowTargetIds" && *values == [target_id.clone()]);
            if !agrees {
                calls.push(Call::UpdateTask { window_id, task_id: task.id.clone(), target_id });
            }
        }
        (_, target_id) => calls.push(Call::RegisterTask { window_id: Some(window_id), target_id }),
    }
    calls
}

/// The calls that make the region's stop runbook `desired` (its content): created when `installed` is
/// `None`, a new default version when it differs (compared as JSON).
pub fn document_calls(desired: &str, installed: Option<&str>) -> Vec<Call> {
    match installed {
        None => vec![Call::CreateDocument],
        Some(installed) if super::runbook::same_content(installed, desired) => Vec::new(),
        Some(_) => vec![Call::UpdateDocument, Call::UpdateDocumentDefaultVersion],
    }
}

/// The call that puts `desired` on the role, unless its inline policy already is that (compared as JSON).
pub fn role_policy_calls(desired: &serde_json::Value, installed: Option<&serde_json::Value>) -> Vec<Call> {
    if installed == Some(desired) { Vec::new() } else { vec![Call::PutRolePolicy] }
}

/// The calls that make the Scheduler schedule what `desired` says: created, or updated when anything differs.
pub fn schedule_calls(desired: &DesiredSchedule, existing: Option<&ExistingSchedule>) -> Vec<Call> {
    let Some(existing) = existing else { return vec![Call::CreateSchedule] };
    let agrees = existing.expression == desired.expression
        && existing.timezone.as_deref() == Some(desired.timezone.as_str())
        && existing.target_arn == AUTOMATION_TARGET
        && existing.input.as_ref() == Some(&desired.input())
        && Some(existing.role_arn.as_str()) == desired.role_arn.as_deref()
        && existing.state == "ENABLED";
    if agrees { Vec::new() } else { vec![Call::UpdateSchedule] }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired() -> DesiredWindow {
        DesiredWindow {
            name: "guardline-dev-stop".into(),
            target_name: "guardline-dev".into(),
            description: String::new(),
            expression: "cron(0 19 ? * MON-FRI *)".into(),
            timezone: "Asia/Tokyo".into(),
            selector: TagMatch { key: "Environment".into(), values: vec!["dev".into(), "stg".into()] },
            document: STOP_DOCUMENT.to_owned(),
            role_arn: None,
        }
    }

    fn installed() -> ExistingWindow {
        ExistingWindow {
            id: "mw-1".into(),
            expression: "cron(0 19 ? * MON-FRI *)".into(),
            timezone: Some("Asia/Tokyo".into()),
            enabled: true,
            duration: 1,
            cutoff: 0,
            targets: vec![ExistingTarget {
                id: "t-1".into(),
                name: Some("guardline-dev".into()),
                selectors: vec![("tag:Environment".into(), vec!["stg".into(), "dev".into()])],
            }],
            tasks: vec![ExistingTask {
                id: "k-1".into(),
                name: Some("guardline-dev-stop".into()),
                task_arn: STOP_DOCUMENT.into(),
                task_type: "AUTOMATION".into(),
                targets: vec![("WindowTargetIds".into(), vec!["t-1".into()])],
                role_arn: None,
            }],
        }
    }

    #[test]
    fn a_missing_window_is_created_with_its_target_and_task() {
        assert_eq!(window_calls(&desired(), None).len(), 3);
    }

    #[test]
    fn an_installed_window_needs_nothing() {
        assert_eq!(window_calls(&desired(), Some(&installed())), Vec::new());
    }

    #[test]
    fn changes_are_updates_in_place() {
        let mut existing = installed();
        existing.expression = "cron(0 18 ? * MON-FRI *)".into();
        existing.targets[0].selectors[0].1 = vec!["dev".into()];
        existing.tasks[0].task_arn = "AWS-RestartEC2Instance".into();
        assert_eq!(
            window_calls(&desired(), Some(&existing)),
            vec![
                Call::UpdateWindow { window_id: "mw-1".into() },
                Call::UpdateTarget { window_id: "mw-1".into(), target_id: "t-1".into() },
                Call::UpdateTask { window_id: "mw-1".into(), task_id: "k-1".into(), target_id: "t-1".into() },
            ]
        );
        let mut existing = installed();
        existing.tasks.clear();
        assert_eq!(
            window_calls(&desired(), Some(&existing)),
            vec![Call::RegisterTask { window_id: Some("mw-1".into()), target_id: Some("t-1".into()) }]
        );
    }

    #[test]
    fn the_runbook_and_the_role_policy_are_written_only_when_they_differ() {
        let production = guardline_config::ProductionTag::default();
        let content = super::super::runbook::content(&production);
        assert_eq!(document_calls(&content, None), vec![Call::CreateDocument]);
        assert_eq!(document_calls(&content, Some(&content)), Vec::new());
        let older = super::super::runbook::content(&guardline_config::ProductionTag {
            keys: vec!["Environment".into()],
            values: vec!["prod".into()],
        });
        assert_eq!(
            document_calls(&content, Some(&older)),
            vec![Call::UpdateDocument, Call::UpdateDocumentDefaultVersion]
        );
        let policy = super::super::role_policy::document(&[&production]);
        assert_eq!(role_policy_calls(&policy, None), vec![Call::PutRolePolicy]);
        assert_eq!(role_policy_calls(&policy, Some(&policy)), Vec::new());
    }

    #[test]
    fn schedules_are_created_and_updated() {
        let desired = DesiredSchedule {
            name: "guardline-dev-stop".into(),
            description: String::new(),
            expression: "cron(0 19 ? * MON-FRI *)".into(),
            timezone: "Asia/Tokyo".into(),
            selector: TagMatch { key: "Environment".into(), values: vec!["stg".into(), "dev".into()] },
            document: STOP_DOCUMENT.to_owned(),
            role_arn: Some("arn:aws:iam::1:role/r".into()),
        };
        assert_eq!(
            desired.input(),
            serde_json::json!({
                "DocumentName": "Guardline-StopEC2InstanceUnlessProduction",
                "TargetParameterName": "InstanceId",
                "Targets": [{ "Key": "tag:Environment", "Values": ["dev", "stg"] }],
                "Parameters": { "AutomationAssumeRole": ["arn:aws:iam::1:role/r"] },
                "MaxConcurrency": "50",
                "MaxErrors": "100%",
            })
        );
        assert_eq!(schedule_calls(&desired, None), vec![Call::CreateSchedule]);
        let existing = ExistingSchedule {
            expression: desired.expression.clone(),
            timezone: Some("Asia/Tokyo".into()),
            target_arn: AUTOMATION_TARGET.into(),
            input: Some(desired.input()),
            role_arn: "arn:aws:iam::1:role/r".into(),
            state: "ENABLED".into(),
        };
        assert_eq!(schedule_calls(&desired, Some(&existing)), Vec::new());
        let before = ExistingSchedule {
            target_arn: "arn:aws:scheduler:::aws-sdk:ec2:stopInstances".into(),
            input: Some(serde_json::json!({ "InstanceIds": ["i-1"] })),
            ..existing.clone()
        };
        assert_eq!(
            schedule_calls(&desired, Some(&before)),
            vec![Call::UpdateSchedule],
            "an ID list is replaced"
        );
        let narrower = DesiredSchedule {
            selector: TagMatch { key: "Environment".into(), values: vec!["dev".into()] },
            ..desired.clone()
        };
        assert_eq!(schedule_calls(&narrower, Some(&existing)), vec![Call::UpdateSchedule]);
        let disabled = ExistingSchedule { state: "DISABLED".into(), ..existing };
        assert_eq!(schedule_calls(&desired, Some(&disabled)), vec![Call::UpdateSchedule]);
    }
}
