//! SCHED-002.

use guardline_model::{Section, Severity, Text};

use super::stop_schedules;
use super::stop_schedules::{
    instance_label, is_live, is_stop_schedule, join, production_selector, schedule_selectors, selector_sets,
    stop_tasks, stoppers,
};
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// That no off-hours stop schedule (the same ones SCHED-001 counts: stop tasks of enabled maintenance
    /// windows, enabled EventBridge Scheduler schedules calling `ec2:stopInstances` or starting an Automation of
    /// a stop document) selects an instance tagged as
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
    ///   today: the next production instance launched would be stopped. So does each enabled Scheduler
    ///   schedule whose Automation `Targets` could select production tag values.
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
    ///
    /// ## 確認内容
    /// 業務時間外の停止スケジュール(SCHED-001 が数えるものと同じ: 有効なメンテナンスウィンドウの停止タスク、有効な
    /// EventBridge Scheduler のスケジュールで `ec2:stopInstances` を呼ぶか停止ドキュメントの Automation を開始するもの)が、本番のタグ(プロファイルの `production-tag`。既定では
    /// キー `Environment`、`Env`、`Stage` のいずれかに `prod`、`prd`、`production`、`prod-*`、`*-prod` などの値)が付いた
    /// インスタンスを選択していないこと。照合はフェイルセーフです。キーは大文字小文字を区別せず前後の空白を除いて比較し、値も
    /// 前後の空白を除いて大文字小文字を揃えるため、`environment=Prod `、`Env=prd`、`Environment=Prod-JP` はすべて本番です。
    ///
    /// - 本番インスタンス(終了済みを除く)は、停止スケジュールに選択されていれば不合格、そうでなければ合格です。
    /// - 有効なメンテナンスウィンドウも、そのタグセレクターが本番のタグの値を選択しうるターゲット(`tag:Environment=prod`、
    ///   `tag:env=Prod-*`、他の値に絞られていない `tag-key=Environment`)で停止タスクを実行する場合、今そのタグを持つ
    ///   インスタンスがなくても不合格です。次に起動される本番インスタンスが停止されてしまうからです。Automation の
    ///   `Targets` が本番のタグの値を選択しうる有効な Scheduler のスケジュールも同じく不合格です。
    ///
    /// タスクがインスタンスを選択する方法は SCHED-001 の説明のとおりです。ウィンドウターゲット(リソースグループのメンバーを
    /// 含む)、タスク自身のセレクター、そして Automation や Run Command の `TaskInvocationParameters` 内のインスタンス ID
    /// (`ssm:GetMaintenanceWindowTask` だけが返すため、本番インスタンスを ID で停止するタスクも検出されます)。無効な
    /// ウィンドウやスケジュールは数えません。収集した情報では本番インスタンスを停止するものがないものの、そのリージョンの
    /// メンテナンスウィンドウやスケジュールを収集できなかった場合、またはメンバーを読めなかったリソースグループを停止タスクが
    /// 対象にしている場合、検出結果は合格ではなく未評価(NOT EVALUATED)になります。
    ///
    /// ## 重要な理由
    /// ガイドライン自身が恐れていることです。開発用インスタンス向けのスケジュールが、タグのコピー、ターゲットの拡大、
    /// 別のリストから貼り付けた ID などが原因で、誤って本番を停止してしまう。障害は、見ている人が最も少ない業務時間の
    /// 終わりに始まります。
    ///
    /// ## ガイドライン
    /// 1-3(「手動で停止し忘れるより恐ろしいのは、勘違いして別の本番環境を停止させてしまうこと」)。
    ///
    /// ## 修正方法
    /// ウィンドウターゲットを非本番のタグの値に絞るか、スケジュールの入力からインスタンス ID を削除します。
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
    /// 本番インスタンスを本当に夜間停止する必要があるなら、その理由を添えて例外として記録してください。
    ///
    /// ## 修正の安全性
    /// 手動のみ(`guardline fix` では。`guardline schedule apply` は設定ファイルのスケジュールを再インストールし、その
    /// セレクターが本番に一致することはありません)。ターゲットを絞ると、本番の値でしか選択されていなかった非本番
    /// インスタンスも対象から外れます。変更後、スケジュールがまだ何を対象にしているか(SCHED-001)を確認してください。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations・AWS FSBP の該当コントロールなし
    /// - AWS Systems Manager ユーザーガイド「Register a target with a maintenance window」
    pub static RULE = {
        id: "SCHED-002",
        name: "schedule-targets-production",
        title: "No stop schedule targets production",
        title_ja: "停止スケジュールが本番インスタンスを対象にしていない",
        section: Section::Cost,
        item: "1-3",
        severity: Severity::High,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Take production instances out of the stop schedules' targets",
            ja: "停止スケジュールの対象から本番インスタンスを外す",
            command: None,
        },
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
        for schedule in schedules.into_iter().flatten().filter(|schedule| is_stop_schedule(schedule)) {
            let selectors = schedule_selectors(schedule);
            let Some(selector) = production_selector(&selectors.iter().collect::<Vec<_>>(), production)
            else {
                continue;
            };
            let (group, name) = (&schedule.group, &schedule.name);
            out.fail(
                region,
                cx.arn("scheduler", region, &format!("schedule/{group}/{name}")),
                text!(
                    "the EventBridge Scheduler schedule {group}/{name} stops instances tagged as production: its \
                     Automation targets select {selector}",
                    "EventBridge Scheduler のスケジュール {group}/{name} は本番タグのインスタンスを停止対象にしています: \
                     Automation のターゲット ({selector})"
                ),
            );
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
