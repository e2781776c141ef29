//! SCHED-001.

use guardline_model::{Section, Severity, Text};

use super::stop_schedules;
use super::stop_schedules::{instance_label, is_live, join, matched_tag, stoppers};
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// Every instance tagged as non-production (the profile's `nonprod-tag`; by default `Environment` with
    /// `dev`, `development`, `stg`, `staging`, `sandbox` or `cli`, the last for the CLI instance of 2-2),
    /// unless it is terminated or also carries the production tag (`production-tag`, matched fail-safe as
    /// SCHED-002 does: production wins, and is never stopped), must be covered by an off-hours stop schedule
    /// in its region:
    ///
    /// - a task of an enabled maintenance window that runs a stop document (`AWS-StopEC2Instance`, or a
    ///   document whose name contains `StopEC2Instance` or `StopInstances`) and selects the instance: through
    ///   a window target whose selectors all match it (`InstanceIds`, `tag:<key>`, `tag-key`, or
    ///   `resource-groups:Name` of a group the instance belongs to), through the task's own selectors, or by
    ///   naming the instance ID in its Automation or Run Command parameters (the task's
    ///   `TaskInvocationParameters`, read with `ssm:GetMaintenanceWindowTask`); or
    /// - an enabled EventBridge Scheduler schedule whose target is `ec2:stopInstances` and whose input lists
    ///   the instance ID in `InstanceIds`, or whose target is `ssm:startAutomationExecution` of a stop
    ///   document (`DocumentName`, as above; how `guardline schedule apply` installs Scheduler schedules) and
    ///   whose input's `Targets` select the instance (`tag:<key>`, `tag-key`, `ParameterValues`) or whose
    ///   `Parameters` name it.
    ///
    /// A resource group's members are read with `resource-groups:ListGroupResources`. When the instance is
    /// not covered by what was collected and the region's maintenance windows or schedules were not
    /// collected, or a stop task targets a resource group whose members could not be read, the finding is
    /// NOT EVALUATED.
    ///
    /// ## Why it matters
    /// A development or staging instance left running nights and weekends runs about 168 hours a week for
    /// roughly 50 hours of work: stopping it off hours saves around two thirds of its compute bill. Stopping it
    /// by hand is forgotten; a schedule is not.
    ///
    /// ## Guideline
    /// 1-3 (maintenance windows: stop development instances and the CLI instance outside working hours with
    /// a cron expression).
    ///
    /// ## How to fix
    /// Register the non-production instances with a maintenance window that runs `AWS-StopEC2Instance` after
    /// working hours, selecting them by tag (use IDs only for one-off instances):
    ///
    /// ```sh
    /// aws ssm create-maintenance-window --name stop-nonprod --schedule "cron(0 21 ? * * *)" \
    ///   --schedule-timezone Asia/Tokyo --duration 1 --cutoff 0 --no-allow-unassociated-targets
    /// aws ssm register-target-with-maintenance-window --window-id mw-0123 --resource-type INSTANCE \
    ///   --targets Key=tag:Environment,Values=dev,stg,sandbox,cli
    /// aws ssm register-task-with-maintenance-window --window-id mw-0123 --task-type AUTOMATION \
    ///   --task-arn AWS-StopEC2Instance --targets Key=WindowTargetIds,Values=<window-target-id> \
    ///   --task-invocation-parameters '{"Automation":{"Parameters":{"InstanceId":["{{RESOURCE_ID}}"]}}}' \
    ///   --max-concurrency 10 --max-errors 1
    /// ```
    ///
    /// Never select by a tag that production instances also carry (SCHED-002).
    ///
    /// ## Fix safety
    /// Manual only in `guardline fix`: the schedules are installed by `guardline schedule apply` from the
    /// config's `[schedules]`, with their own plan. They stop the instances every evening; anyone working late, or a batch job
    /// running at night, is cut off. Agree on the hours with the instances' users first.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - AWS Systems Manager User Guide: "Tutorial: Create a maintenance window to stop instances"
    /// - Amazon EventBridge Scheduler User Guide: "Using universal targets"
    ///
    /// ## 確認内容
    /// 非本番のタグ(プロファイルの `nonprod-tag`。既定では `Environment` が `dev`、`development`、`stg`、`staging`、
    /// `sandbox`、`cli` のいずれか。最後は 2-2 の CLI 用インスタンス)が付いたインスタンスはすべて、終了済みであるか本番の
    /// タグ(`production-tag`。SCHED-002 と同じくフェイルセーフに照合し、本番が優先され、決して停止されません)も付いている
    /// 場合を除き、そのリージョンの業務時間外の停止スケジュールの対象になっていなければなりません。
    ///
    /// - 有効なメンテナンスウィンドウのタスクで、停止ドキュメント(`AWS-StopEC2Instance`、または名前に `StopEC2Instance`
    ///   か `StopInstances` を含むドキュメント)を実行し、そのインスタンスを選択するもの。選択は、セレクターがすべて
    ///   インスタンスに一致するウィンドウターゲット(`InstanceIds`、`tag:<key>`、`tag-key`、インスタンスが属するリソース
    ///   グループの `resource-groups:Name`)、タスク自身のセレクター、または Automation や Run Command のパラメータ
    ///   (タスクの `TaskInvocationParameters`。`ssm:GetMaintenanceWindowTask` で読みます)にインスタンス ID を書くことで
    ///   行われます。または
    /// - 有効な EventBridge Scheduler のスケジュールで、ターゲットが `ec2:stopInstances` であり、その入力の `InstanceIds`
    ///   にインスタンス ID が含まれるもの。または、ターゲットが停止ドキュメント(`DocumentName`。判定は上と同じ)の
    ///   `ssm:startAutomationExecution` であり(`guardline schedule apply` が Scheduler に導入する形)、入力の `Targets`
    ///   (`tag:<key>`、`tag-key`、`ParameterValues`)がインスタンスを選択するか、`Parameters` にその ID があるもの。
    ///
    /// リソースグループのメンバーは `resource-groups:ListGroupResources` で読みます。収集した情報ではインスタンスが対象に
    /// なっておらず、そのリージョンのメンテナンスウィンドウやスケジュールを収集できなかった場合、またはメンバーを読めなかった
    /// リソースグループを停止タスクが対象にしている場合、検出結果は未評価(NOT EVALUATED)になります。
    ///
    /// ## 重要な理由
    /// 夜間や週末も動き続ける開発・ステージング用インスタンスは、週に約 50 時間の作業のために約 168 時間稼働します。
    /// 業務時間外に停止すれば、コンピューティング料金の約 3 分の 2 を削減できます。手動での停止は忘れられますが、
    /// スケジュールは忘れません。
    ///
    /// ## ガイドライン
    /// 1-3(メンテナンスウィンドウ: 開発用インスタンスと CLI 用インスタンスを、cron 式で業務時間外に停止する)。
    ///
    /// ## 修正方法
    /// 非本番のインスタンスを、業務時間後に `AWS-StopEC2Instance` を実行するメンテナンスウィンドウに、タグで選択して
    /// 登録します(ID は一時的なインスタンスにだけ使います)。
    ///
    /// ```sh
    /// aws ssm create-maintenance-window --name stop-nonprod --schedule "cron(0 21 ? * * *)" \
    ///   --schedule-timezone Asia/Tokyo --duration 1 --cutoff 0 --no-allow-unassociated-targets
    /// aws ssm register-target-with-maintenance-window --window-id mw-0123 --resource-type INSTANCE \
    ///   --targets Key=tag:Environment,Values=dev,stg,sandbox,cli
    /// aws ssm register-task-with-maintenance-window --window-id mw-0123 --task-type AUTOMATION \
    ///   --task-arn AWS-StopEC2Instance --targets Key=WindowTargetIds,Values=<window-target-id> \
    ///   --task-invocation-parameters '{"Automation":{"Parameters":{"InstanceId":["{{RESOURCE_ID}}"]}}}' \
    ///   --max-concurrency 10 --max-errors 1
    /// ```
    ///
    /// 本番インスタンスにも付いているタグでは決して選択しないでください(SCHED-002)。
    ///
    /// ## 修正の安全性
    /// 手動のみ(`guardline fix` では): スケジュールは、設定ファイルの `[schedules]` から `guardline schedule apply` が
    /// 独自のプランでインストールします。スケジュールは毎晩インスタンスを停止するため、遅くまで作業している人や夜間に動く
    /// バッチ処理は中断されます。先にインスタンスの利用者と時間帯を合意してください。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations・AWS FSBP の該当コントロールなし
    /// - AWS Systems Manager ユーザーガイド「Tutorial: Create a maintenance window to stop instances」
    /// - Amazon EventBridge Scheduler ユーザーガイド「Using universal targets」
    pub static RULE = {
        id: "SCHED-001",
        name: "nonprod-instance-always-on",
        title: "Non-production instances are stopped off hours",
        title_ja: "非本番インスタンスが業務時間外に停止される",
        section: Section::Cost,
        item: "1-3",
        severity: Severity::Low,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Install the off-hours stop schedules of [schedules]",
            ja: "[schedules] の業務時間外停止スケジュールを導入する",
            command: Some("guardline schedule apply"),
        },
        data: stop_schedules::DATA,
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let nonprod = &cx.params.nonprod_tag;
    let production = &cx.params.production_tag;
    for (region, inventory) in cx.regions() {
        let instances = match inventory.instances.get() {
            Ok(instances) => instances,
            Err(error) => {
                out.not_evaluated(region, cx.arn("ec2", region, "instance/*"), error);
                continue;
            }
        };
        let windows = inventory.maintenance_windows.get();
        let schedules = inventory.schedules.get();
        // Production wins: an instance that also carries the production tag is SCHED-002's, never stopped.
        for instance in instances.iter().filter(|instance| {
            is_live(instance) && nonprod.matches(&instance.tags) && !production.matches(&instance.tags)
        }) {
            let label = instance_label(instance);
            let (label_en, label_ja) = (&label.en, &label.ja);
            let tag = matched_tag(nonprod, instance);
            let coverage =
                stoppers(windows.ok().map(Vec::as_slice), schedules.ok().map(Vec::as_slice), instance);
            let found = coverage.stoppers;
            if !found.is_empty() {
                let by = join(&found.iter().map(|stopper| stopper.describe()).collect::<Vec<_>>());
                let (by_en, by_ja) = (by.en, by.ja);
                out.pass(
                    region,
                    &instance.arn,
                    text!(
                        "non-production instance {label_en}, tagged {tag}, is stopped off hours by {by_en}",
                        "タグ {tag} の非本番インスタンス {label_ja} は業務時間外に停止されます: {by_ja}"
                    ),
                );
                continue;
            }
            let mut missing: Vec<Text> = coverage.unresolved;
            if let Err(error) = windows {
                missing.push(text!("the maintenance windows ({error})", "メンテナンスウィンドウ ({error})"));
            }
            if let Err(error) = schedules {
                missing.push(text!(
                    "the EventBridge Scheduler schedules ({error})",
                    "EventBridge Scheduler のスケジュール ({error})"
                ));
            }
            if missing.is_empty() {
                out.fail(
                    region,
                    &instance.arn,
                    text!(
                        "non-production instance {label_en}, tagged {tag}, is covered by no off-hours stop \
                         schedule: no enabled maintenance window stop task or EventBridge Scheduler stop \
                         schedule selects it",
                        "タグ {tag} の非本番インスタンス {label_ja} を業務時間外に停止するスケジュールがありません: \
                         有効なメンテナンスウィンドウの停止タスクも、停止を行う有効な EventBridge Scheduler \
                         のスケジュールも、このインスタンスを対象にしていません"
                    ),
                );
            } else {
                let missing = join(&missing);
                let (missing_en, missing_ja) = (missing.en, missing.ja);
                out.not_evaluated_because(
                    region,
                    &instance.arn,
                    text!(
                        "could not be evaluated: non-production instance {label_en}, tagged {tag}, is stopped by \
                         none of the schedules collected, but these were not collected: {missing_en}",
                        "評価できません: タグ {tag} の非本番インスタンス {label_ja} を停止するスケジュールは取得できた範囲に\
                         ありませんが、次のデータを取得できませんでした: {missing_ja}"
                    ),
                );
            }
        }
    }
}
