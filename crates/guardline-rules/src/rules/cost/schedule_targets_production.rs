//! SCHED-002.

use guardline_model::{Section, Severity, Text};

use super::stop_schedules;
use super::stop_schedules::{
    instance_label, is_live, join, production_selector, selector_sets, stop_tasks, stoppers,
};
use crate::{Context, Findings, FixAvailability};

declare_rule! {
    /// ## What it checks
    /// That no off-hours stop schedule (the same ones SCHED-001 counts: stop tasks of enabled maintenance
    /// windows, enabled EventBridge Scheduler `ec2:stopInstances` schedules) selects an instance tagged as
    /// production (the profile's `production-tag`; by default any of the keys `Environment`, `Env`, `Stage`
    /// with a value such as `prod`, `prd`, `production`, `prod-*` or `*-prod`). The match is fail-safe: keys
    /// are compared without case and trimmed, values trimmed and case-folded, so `environment=Prod `,
    /// `Env=prd` and `Environment=Prod-JP` are all production.
    ///
    /// - Each production instance (unless terminated) fails when a stop schedule selects it, and passes
    ///   otherwise.
    /// - Each enabled maintenance window also fails when a stop task runs on a target whose tag selector
    ///   could select production tag values (`tag:Environment=prod`, `tag:env=Prod-*`, or
    ///   `tag-key=Environment` not narrowed to other values), even when no instance carries that tag
    ///   today: the next production instance launched would be stopped.
    ///
    /// A task selects instances as SCHED-001 describes: window targets (including the members of a
    /// resource group), its own selectors, and the instance IDs in its Automation or Run Command
    /// `TaskInvocationParameters` (which only `ssm:GetMaintenanceWindowTask` returns, so a task that stops a
    /// production instance by ID is seen). Disabled windows and schedules are not counted. When nothing
    /// collected stops a production instance but the region's maintenance windows or schedules were not
    /// collected, or a stop task targets a resource group whose members could not be read, the finding is
    /// NOT EVALUATED, never a pass.
    ///
    /// ## Why it matters
    /// The guideline's own fear: a schedule meant for development instances stops production by mistake,
    /// because a tag was copied, a target was widened or an ID was pasted from the wrong list. The outage
    /// starts at the end of the working day, when fewest people are watching.
    ///
    /// ## Guideline
    /// 1-3 ("worse than forgetting to stop an instance by hand is stopping another, production environment by
    /// mistake").
    ///
    /// ## How to fix
    /// Narrow the window target to non-production tag values, or remove the instance ID from the schedule's
    /// input:
    ///
    /// ```sh
    /// aws ssm update-maintenance-window-target --window-id mw-0123 --window-target-id <window-target-id> \
    ///   --targets Key=tag:Environment,Values=dev,stg,sandbox,cli --replace
    /// aws scheduler update-schedule --name stop-dev --group-name default \
    ///   --schedule-expression "cron(0 21 * * ? *)" --schedule-expression-timezone Asia/Tokyo \
    ///   --flexible-time-window Mode=OFF \
    ///   --target '{"Arn":"arn:aws:scheduler:::aws-sdk:ec2:stopInstances",
    ///              "RoleArn":"arn:aws:iam::123456789012:role/scheduler-stop-ec2",
    ///              "Input":"{\"InstanceIds\":[\"i-0dev\"]}"}'
    /// ```
    ///
    /// If the production instance really must stop at night, record that as an exception with its reason.
    ///
    /// ## Fix safety
    /// Manual only in `guardline fix` (`guardline schedule apply` reinstalls the config's schedules, whose
    /// selectors can never match production). Narrowing the target also drops any non-production instance that was only selected by
    /// the production value; check what the schedule still covers (SCHED-001) after the change.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - AWS Systems Manager User Guide: "Register a target with a maintenance window"
    pub static RULE = {
        id: "SCHED-002",
        name: "schedule-targets-production",
        title: "No stop schedule targets production",
        title_ja: "停止スケジュールが本番インスタンスを対象にしていない",
        section: Section::Cost,
        item: "1-3",
        severity: Severity::High,
        fix: FixAvailability::ManualOnly,
        data: stop_schedules::DATA,
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let production = &cx.params.production_tag;
    for (region, inventory) in cx.regions() {
        let windows = inventory.maintenance_windows.get();
        let schedules = inventory.schedules.get();
        match inventory.instances.get() {
            Err(error) => out.not_evaluated(region, cx.arn("ec2", region, "instance/*"), error),
            Ok(instances) => {
                for instance in instances
                    .iter()
                    .filter(|instance| is_live(instance) && production.matches(&instance.tags))
                {
                    let label = instance_label(instance);
                    let (label_en, label_ja) = (&label.en, &label.ja);
                    let tag = production.describe_match(&instance.tags).unwrap_or_default();
                    let coverage = stoppers(
                        windows.ok().map(Vec::as_slice),
                        schedules.ok().map(Vec::as_slice),
                        instance,
                    );
                    let found = coverage.stoppers;
                    if !found.is_empty() {
                        let by = join(&found.iter().map(|stopper| stopper.describe()).collect::<Vec<_>>());
                        let (by_en, by_ja) = (by.en, by.ja);
                        out.fail(
                            region,
                            &instance.arn,
                            text!(
                                "production instance {label_en}, tagged {tag}, would be stopped by {by_en}",
                                "タグ {tag} の本番インスタンス {label_ja} が停止されます: {by_ja}"
                            ),
                        );
                        continue;
                    }
                    let mut missing: Vec<Text> = coverage.unresolved;
                    if let Err(error) = windows {
                        missing.push(text!(
                            "the maintenance windows ({error})",
                            "メンテナンスウィンドウ ({error})"
                        ));
                    }
                    if let Err(error) = schedules {
                        missing.push(text!(
                            "the EventBridge Scheduler schedules ({error})",
                            "EventBridge Scheduler のスケジュール ({error})"
                        ));
                    }
                    if missing.is_empty() {
                        out.pass(
                            region,
                            &instance.arn,
                            text!(
                                "production instance {label_en}, tagged {tag}, is selected by no stop schedule",
                                "タグ {tag} の本番インスタンス {label_ja} を対象にする停止スケジュールはありません"
                            ),
                        );
                    } else {
                        let missing = join(&missing);
                        let (missing_en, missing_ja) = (missing.en, missing.ja);
                        out.not_evaluated_because(
                            region,
                            &instance.arn,
                            text!(
                                "could not be evaluated: production instance {label_en}, tagged {tag}, is stopped by \
                                 none of the schedules collected, but these were not collected: {missing_en}",
                                "評価できません: タグ {tag} の本番インスタンス {label_ja} を停止するスケジュールは\
                                 取得できた範囲にありませんが、次のデータを取得できませんでした: {missing_ja}"
                            ),
                        );
                    }
                }
            }
        }
        let windows = match windows {
            Ok(windows) => windows,
            Err(error) => {
                out.not_evaluated(region, cx.arn("ssm", region, "maintenancewindow/*"), error);
                continue;
            }
        };
        for window in windows.iter().filter(|window| window.enabled) {
            let mut hits: Vec<Text> = Vec::new();
            for (_, task) in stop_tasks(std::slice::from_ref(window)) {
                for set in selector_sets(window, task) {
                    let Some(selector) = production_selector(&set.selectors, production) else { continue };
                    let target = set.label();
                    let (target_en, target_ja) = (target.en, target.ja);
                    let (task_id, document) = (&task.id, &task.task_arn);
                    hits.push(text!(
                        "{target_en} selects {selector} for stop task {task_id} ({document})",
                        "停止タスク {task_id} ({document}) の{target_ja} ({selector})"
                    ));
                }
            }
            if hits.is_empty() {
                continue;
            }
            let hits = join(&hits);
            let (hits_en, hits_ja) = (hits.en, hits.ja);
            let (id, name) = (&window.id, &window.name);
            out.fail(
                region,
                cx.arn("ssm", region, &format!("maintenancewindow/{id}")),
                text!(
                    "maintenance window {id} ({name}) stops instances tagged as production: {hits_en}",
                    "メンテナンスウィンドウ {id} ({name}) は本番タグのインスタンスを停止対象にしています: {hits_ja}"
                ),
            );
        }
    }
}
