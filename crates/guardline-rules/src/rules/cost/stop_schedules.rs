//! What stops an instance off hours, shared by SCHED-001 and SCHED-002 (not a rule itself).
//!
//! Two kinds of stop schedule count: a task of an enabled maintenance window that runs a stop document
//! (`AWS-StopEC2Instance` or any document named like `...StopEC2Instance...`/`...StopInstances...`), and an
//! enabled EventBridge Scheduler schedule whose universal target is `ec2:stopInstances`, or
//! `ssm:startAutomationExecution` of a stop document (how `guardline schedule apply` installs them). A task
//! selects an instance through the window targets it names (`WindowTargetIds`), through its own selectors,
//! or by naming the instance ID in its Automation or Run Command parameters (`TaskInvocationParameters`,
//! which the collector reads with `GetMaintenanceWindowTask`); an `ec2:stopInstances` schedule selects the
//! instances its input lists in `InstanceIds`, an Automation schedule those its input's `Targets` select
//! (`tag:<key>`, `tag-key`, `ParameterValues`) or its `Parameters` name. A resource-group selector selects
//! the group's member instances; when they could not be read (and an Automation's `ResourceGroup` target,
//! whose members are not collected), whether the schedule stops an instance is unknown, which the rules
//! report as NOT EVALUATED, never as a pass.

use guardline_config::{ProductionTag, TagMatch};
use guardline_model::inventory::ec2::Instance;
use guardline_model::inventory::ssm::{MaintenanceWindow, Schedule, TargetSelector, WindowTask};
use guardline_model::{CollectError, Collected, ErrorKind, Text};

/// The IAM actions whose data SCHED-001 and SCHED-002 read.
pub(super) const DATA: &[&str] = &[
    "ec2:DescribeInstances",
    "ssm:DescribeMaintenanceWindows",
    "ssm:DescribeMaintenanceWindowTargets",
    "ssm:DescribeMaintenanceWindowTasks",
    "ssm:GetMaintenanceWindowTask",
    "resource-groups:ListGroupResources",
    "scheduler:ListSchedules",
    "scheduler:GetSchedule",
];

/// One enabled stop schedule.
pub(super) enum Stopper<'a> {
    /// A task of an enabled maintenance window that runs a stop document.
    Task { window: &'a MaintenanceWindow, task: &'a WindowTask },
    /// An enabled EventBridge Scheduler schedule that calls `ec2:StopInstances` or starts an Automation of a
    /// stop document.
    Schedule(&'a Schedule),
}

impl Stopper<'_> {
    /// How messages name it, with when it runs.
    pub(super) fn describe(&self) -> Text {
        match self {
            Stopper::Task { window, task } => {
                let when = when(&window.schedule, window.schedule_timezone.as_deref());
                let (id, name, task_id, document) = (&window.id, &window.name, &task.id, &task.task_arn);
                text!(
                    "maintenance window {id} ({name}) task {task_id} ({document}, {when})",
                    "メンテナンスウィンドウ {id} ({name}) のタスク {task_id} ({document}、{when})"
                )
            }
            Stopper::Schedule(schedule) => {
                let when = when(&schedule.expression, schedule.timezone.as_deref());
                let (group, name) = (&schedule.group, &schedule.name);
                text!(
                    "EventBridge Scheduler schedule {group}/{name} ({when})",
                    "EventBridge Scheduler のスケジュール {group}/{name} ({when})"
                )
            }
        }
    }
}

/// Both kinds run on UTC unless they name a time zone.
fn when(expression: &str, timezone: Option<&str>) -> String {
    format!("{expression} {}", timezone.unwrap_or("UTC"))
}

/// The instances SCHED-001 and SCHED-002 look at: every one not terminated or being terminated.
pub(super) fn is_live(instance: &Instance) -> bool {
    !matches!(instance.state.as_str(), "terminated" | "shutting-down")
}

/// `i-0123 (web-dev)`, or `i-0123 (no Name tag)`.
pub(super) fn instance_label(instance: &Instance) -> Text {
    let id = &instance.id;
    match instance.tags.get("Name") {
        Some(name) => text!("{id} ({name})", "{id} ({name})"),
        None => text!("{id} (no Name tag)", "{id} (Name タグなし)"),
    }
}

/// `Environment=dev`: the tag by which `tag_match` selected `instance`.
pub(super) fn matched_tag(tag_match: &TagMatch, instance: &Instance) -> String {
    let value = instance.tags.get(&tag_match.key).map_or("", String::as_str);
    format!("{}={value}", tag_match.key)
}

/// Whether a maintenance window task runs a document that stops instances.
pub(super) fn is_stop_document(task_arn: &str) -> bool {
    let document = task_arn.to_ascii_lowercase();
    document.contains("stopec2instance") || document.contains("stopinstances")
}

/// The schedule's target input as JSON; `None` when it has none or it is not JSON.
fn schedule_input(schedule: &Schedule) -> Option<serde_json::Value> {
    serde_json::from_str(schedule.target_input.as_deref()?).ok()
}

/// Whether a schedule's universal target is `ec2:stopInstances`.
fn calls_stop_instances(schedule: &Schedule) -> bool {
    schedule.target_arn.to_ascii_lowercase().ends_with(":ec2:stopinstances")
}

/// Whether a schedule's universal target starts an SSM Automation.
fn starts_automation(schedule: &Schedule) -> bool {
    schedule.target_arn.to_ascii_lowercase().ends_with(":ssm:startautomationexecution")
}

/// Whether a schedule is enabled and stops instances: it calls `ec2:StopInstances`, or starts an Automation
/// of a stop document (its input's `DocumentName`).
pub(super) fn is_stop_schedule(schedule: &Schedule) -> bool {
    schedule.state == "ENABLED"
        && (calls_stop_instances(schedule)
            || starts_automation(schedule)
                && schedule_input(schedule)
                    .as_ref()
                    .and_then(|input| input.get("DocumentName")?.as_str().map(is_stop_document))
                    .unwrap_or(false))
}

/// The selectors of an Automation schedule's `Targets` (`[{"Key": ..., "Values": [...]}]`), combined with
/// AND as AWS combines them; empty for other schedules and for an input without targets.
pub(super) fn schedule_selectors(schedule: &Schedule) -> Vec<TargetSelector> {
    if !starts_automation(schedule) {
        return Vec::new();
    }
    let Some(input) = schedule_input(schedule) else { return Vec::new() };
    let targets = input.get("Targets").and_then(serde_json::Value::as_array).cloned().unwrap_or_default();
    targets
        .iter()
        .filter_map(|target| {
            let key = target.get("Key")?.as_str()?.to_owned();
            let values = target.get("Values")?.as_array()?;
            let values = values.iter().filter_map(|value| value.as_str().map(str::to_owned)).collect();
            Some(TargetSelector { key, values, group_instances: None })
        })
        .collect()
}

/// The stop tasks of the enabled windows among `windows`.
pub(super) fn stop_tasks(
    windows: &[MaintenanceWindow],
) -> impl Iterator<Item = (&MaintenanceWindow, &WindowTask)> + '_ {
    windows
        .iter()
        .filter(|window| window.enabled)
        .flat_map(|window| window.tasks.iter().map(move |task| (window, task)))
        .filter(|(_, task)| is_stop_document(&task.task_arn))
}

/// A set of selectors a task runs on; an instance must match every selector of a set (AWS combines them
/// with AND).
pub(super) struct SelectorSet<'a> {
    /// The window target, or `None` for the task's own selectors.
    pub(super) target_id: Option<&'a str>,
    pub(super) selectors: Vec<&'a TargetSelector>,
}

impl SelectorSet<'_> {
    pub(super) fn label(&self) -> Text {
        match self.target_id {
            Some(id) => text!("window target {id}", "ウィンドウターゲット {id}"),
            None => text!("the task's own target", "直接指定のターゲット"),
        }
    }
}

/// The selector sets a task runs on: each window target its `WindowTargetIds` name (unknown IDs are
/// skipped), and its other selectors as one more set.
pub(super) fn selector_sets<'a>(window: &'a MaintenanceWindow, task: &'a WindowTask) -> Vec<SelectorSet<'a>> {
    let mut sets = Vec::new();
    for selector in task.targets.iter().filter(|selector| selector.key == "WindowTargetIds") {
        for target in window.targets.iter().filter(|target| selector.values.contains(&target.id)) {
            sets.push(SelectorSet {
                target_id: Some(&target.id),
                selectors: target.selectors.iter().collect(),
            });
        }
    }
    let own: Vec<&TargetSelector> =
        task.targets.iter().filter(|selector| selector.key != "WindowTargetIds").collect();
    if !own.is_empty() {
        sets.push(SelectorSet { target_id: None, selectors: own });
    }
    sets
}

/// Whether a selector (or a task) selects an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selects<'a> {
    No,
    Yes,
    /// It depends on data that was not collected: a resource group's members.
    Unknown(&'a CollectError),
}

impl<'a> Selects<'a> {
    /// Every one of `all` selects (AWS combines a target's selectors with AND).
    fn all(all: impl IntoIterator<Item = Selects<'a>>) -> Selects<'a> {
        let mut result = Selects::Yes;
        for selects in all {
            match selects {
                Selects::No => return Selects::No,
                Selects::Unknown(error) => result = Selects::Unknown(error),
                Selects::Yes => {}
            }
        }
        result
    }

    /// Any one of `any` selects.
    fn any(any: impl IntoIterator<Item = Selects<'a>>) -> Selects<'a> {
        let mut result = Selects::No;
        for selects in any {
            match selects {
                Selects::Yes => return Selects::Yes,
                Selects::Unknown(error) => result = Selects::Unknown(error),
                Selects::No => {}
            }
        }
        result
    }
}

/// Whether one selector selects `instance`. A resource group selects its member instances
/// (`group_instances`); `resource-groups:ResourceTypeFilters` narrows a group to instances when it lists
/// `AWS::EC2::Instance` or `AWS::AllSupported`. Any other key selects nothing.
fn selector_selects<'a>(selector: &'a TargetSelector, instance: &Instance) -> Selects<'a> {
    let yes = |selected: bool| if selected { Selects::Yes } else { Selects::No };
    match selector.key.as_str() {
        "InstanceIds" => yes(selector.values.contains(&instance.id)),
        "tag-key" => yes(selector.values.iter().any(|key| instance.tags.contains_key(key))),
        "resource-groups:Name" => match selector.group_instances.as_ref().map(Collected::get) {
            Some(Ok(members)) => yes(members.contains(&instance.id)),
            Some(Err(error)) => Selects::Unknown(error),
            None => Selects::Unknown(&GROUP_NOT_COLLECTED),
        },
        "resource-groups:ResourceTypeFilters" => yes(selector
            .values
            .iter()
            .any(|kind| kind == "AWS::EC2::Instance" || kind == "AWS::AllSupported")),
        key => yes(key
            .strip_prefix("tag:")
            .and_then(|tag| instance.tags.get(tag))
            .is_some_and(|value| selector.values.contains(value))),
    }
}

/// A resource-group selector whose members the snapshot lacks (a snapshot of an older collector).
static GROUP_NOT_COLLECTED: std::sync::LazyLock<CollectError> = std::sync::LazyLock::new(|| CollectError {
    action: "resource-groups:ListGroupResources".to_owned(),
    kind: ErrorKind::NotCollected,
    code: None,
    message: "the resource group's members are absent from the snapshot".to_owned(),
});

fn set_selects<'a>(set: &SelectorSet<'a>, instance: &Instance) -> Selects<'a> {
    if set.selectors.is_empty() {
        return Selects::No;
    }
    Selects::all(set.selectors.iter().map(|selector| selector_selects(selector, instance)))
}

/// Whether a stop task selects `instance`.
fn task_stops<'a>(window: &'a MaintenanceWindow, task: &'a WindowTask, instance: &Instance) -> Selects<'a> {
    if task.parameters.values().flatten().any(|value| *value == instance.id) {
        return Selects::Yes;
    }
    Selects::any(selector_sets(window, task).iter().map(|set| set_selects(set, instance)))
}

/// An Automation schedule's `ResourceGroup` target, whose members are not collected for schedules.
static AUTOMATION_GROUP_NOT_COLLECTED: std::sync::LazyLock<CollectError> =
    std::sync::LazyLock::new(|| CollectError {
        action: "resource-groups:ListGroupResources".to_owned(),
        kind: ErrorKind::NotCollected,
        code: None,
        message: "the members of an Automation schedule's ResourceGroup target are not collected".to_owned(),
    });

/// Whether a stop schedule selects `instance`: an `ec2:stopInstances` input lists it in `InstanceIds`; an
/// Automation input names it in its `Parameters` or its `Targets` select it. An input that is not JSON
/// selects nothing.
fn schedule_stops(schedule: &Schedule, instance: &Instance) -> Selects<'static> {
    let Some(input) = schedule_input(schedule) else { return Selects::No };
    let lists = |list: Option<&serde_json::Value>| {
        list.and_then(serde_json::Value::as_array)
            .is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(instance.id.as_str())))
    };
    if calls_stop_instances(schedule) {
        return if lists(input.get("InstanceIds")) { Selects::Yes } else { Selects::No };
    }
    let parameters = input.get("Parameters").and_then(serde_json::Value::as_object);
    if parameters.is_some_and(|parameters| parameters.values().any(|values| lists(Some(values)))) {
        return Selects::Yes;
    }
    let selectors = schedule_selectors(schedule);
    if selectors.is_empty() {
        return Selects::No;
    }
    let each = selectors.iter().map(|selector| match selector.key.as_str() {
        "ParameterValues" => {
            if selector.values.contains(&instance.id) {
                Selects::Yes
            } else {
                Selects::No
            }
        }
        "ResourceGroup" => Selects::Unknown(&AUTOMATION_GROUP_NOT_COLLECTED),
        _ => match selector_selects(selector, instance) {
            Selects::Unknown(_) => Selects::Unknown(&GROUP_NOT_COLLECTED),
            Selects::Yes => Selects::Yes,
            Selects::No => Selects::No,
        },
    });
    Selects::all(each)
}

/// The stop schedules of an instance: those that stop it, and those that may (their selection depends on
/// data that was not collected).
pub(super) struct Coverage<'a> {
    pub(super) stoppers: Vec<Stopper<'a>>,
    /// A stop task whose selection could not be resolved, with why (e.g. its resource group's members).
    pub(super) unresolved: Vec<Text>,
}

/// The enabled stop schedules among those collected (`None`: not collected) that stop `instance`, and those
/// that may.
pub(super) fn stoppers<'a>(
    windows: Option<&'a [MaintenanceWindow]>,
    schedules: Option<&'a [Schedule]>,
    instance: &Instance,
) -> Coverage<'a> {
    let mut coverage = Coverage { stoppers: Vec::new(), unresolved: Vec::new() };
    for (window, task) in stop_tasks(windows.unwrap_or_default()) {
        match task_stops(window, task, instance) {
            Selects::Yes => coverage.stoppers.push(Stopper::Task { window, task }),
            Selects::No => {}
            Selects::Unknown(error) => {
                let described = Stopper::Task { window, task }.describe();
                let (en, ja) = (described.en, described.ja);
                coverage.unresolved.push(text!(
                    "the resource group targets of {en} ({error})",
                    "{ja} のリソースグループのターゲット ({error})"
                ));
            }
        }
    }
    for schedule in schedules.unwrap_or_default().iter().filter(|schedule| is_stop_schedule(schedule)) {
        match schedule_stops(schedule, instance) {
            Selects::Yes => coverage.stoppers.push(Stopper::Schedule(schedule)),
            Selects::No => {}
            Selects::Unknown(error) => {
                let described = Stopper::Schedule(schedule).describe();
                let (en, ja) = (described.en, described.ja);
                coverage.unresolved.push(text!(
                    "the resource group targets of {en} ({error})",
                    "{ja} のリソースグループのターゲット ({error})"
                ));
            }
        }
    }
    coverage
}

/// The selector of `selectors` that could select instances tagged as production, as `tag:Environment=prod` or
/// `tag-key=Environment`, by the fail-safe match of [`ProductionTag::selector_reaches`] (a `tag:` selector
/// on any production key, without case, with a value that reaches a production value). A `tag-key` selector
/// on a production key selects production instances unless the same set narrows that exact key (AWS compares
/// tag keys with case) to other values.
pub(super) fn production_selector(
    selectors: &[&TargetSelector],
    production: &ProductionTag,
) -> Option<String> {
    for selector in selectors {
        let Some(key) = selector.key.strip_prefix("tag:") else { continue };
        if let Some((value, _)) = production.selector_reaches(key, &selector.values) {
            return Some(format!("{}={value}", selector.key));
        }
    }
    let narrowed =
        |key: &str| selectors.iter().any(|selector| selector.key.strip_prefix("tag:") == Some(key));
    selectors
        .iter()
        .filter(|selector| selector.key == "tag-key")
        .flat_map(|selector| &selector.values)
        .find(|key| production.is_key(key) && !narrowed(key))
        .map(|key| format!("tag-key={key}"))
}

/// Joins texts into one, `; ` in English and `、` in Japanese.
pub(super) fn join(items: &[Text]) -> Text {
    Text::new(
        items.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join("; "),
        items.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join("、"),
    )
}
