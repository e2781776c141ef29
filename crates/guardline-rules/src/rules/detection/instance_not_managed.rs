//! SSM-001.

use guardline_model::{Section, Severity};

use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// Every running EC2 instance in every scanned region must be a managed instance of Systems Manager
    /// (listed by `ssm:DescribeInstanceInformation`) whose agent is in touch: a ping status of
    /// `ConnectionLost` or `Inactive` fails, with the status. One finding per running instance; stopped
    /// instances are not checked.
    ///
    /// ## Why it matters
    /// A managed instance can be reached with Session Manager (no SSH port open to anyone, EC2-001; no key
    /// pair to share; every session logged), patched and inspected with Run Command and Inventory, and
    /// stopped by the maintenance windows of 1-3. An instance Systems Manager does not manage needs an open
    /// port and a key to operate, and is invisible to those tools.
    ///
    /// ## Guideline
    /// 4-2 (enable Systems Manager: managed instances, Session Manager, documents to automate work).
    ///
    /// ## How to fix
    /// The instance needs the SSM Agent (preinstalled on Amazon Linux and recent Windows and Ubuntu AMIs), a
    /// network path to the Systems Manager endpoints, and permission: either an instance profile with the
    /// `AmazonSSMManagedInstanceCore` policy, or Default Host Management Configuration for the whole region:
    ///
    /// ```sh
    /// aws ec2 associate-iam-instance-profile --instance-id i-0123456789abcdef0 \
    ///   --iam-instance-profile Name=ssm-managed-instance
    /// # or, for every instance of the region:
    /// aws ssm update-service-setting --setting-id \
    ///   arn:aws:ssm:ap-northeast-1:123456789012:servicesetting/ssm/managed-instance/default-ec2-instance-management-role \
    ///   --setting-value service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole
    /// ```
    ///
    /// For `ConnectionLost`, check that the agent is running and can still reach the endpoints.
    ///
    /// ## Fix safety
    /// Manual only (`guardline fix` plans nothing for it): attaching an instance profile gives the instance's applications the role's permissions,
    /// and an instance that already has a profile needs the policy added to its role instead.
    ///
    /// ## References
    /// - AWS FSBP SSM.1 (EC2 instances should be managed by AWS Systems Manager)
    /// - No CIS AWS Foundations control
    ///
    /// ## 確認内容
    /// スキャンした全リージョンの実行中の EC2 インスタンスはすべて、エージェントが通信できている Systems Manager のマネージド
    /// インスタンス(`ssm:DescribeInstanceInformation` に載っているもの)でなければなりません。Ping ステータスが
    /// `ConnectionLost` や `Inactive` のものは、そのステータスを示して不合格です。検出結果は実行中のインスタンスごとに 1 つで、
    /// 停止中のインスタンスは確認しません。
    ///
    /// ## 重要な理由
    /// マネージドインスタンスには、セッションマネージャーで接続でき(誰にも SSH ポートを開ける必要がなく(EC2-001)、共有する
    /// キーペアもなく、すべてのセッションが記録されます)、Run Command とインベントリでパッチ適用や調査ができ、1-3 の
    /// メンテナンスウィンドウで停止できます。Systems Manager が管理していないインスタンスは、操作に開いたポートとキーが必要で、
    /// これらのツールからは見えません。
    ///
    /// ## ガイドライン
    /// 4-2(Systems Manager を有効化する: マネージドインスタンス、セッションマネージャー、作業を自動化するドキュメント)。
    ///
    /// ## 修正方法
    /// インスタンスには、SSM エージェント(Amazon Linux と最近の Windows・Ubuntu の AMI にはプリインストール済み)、Systems
    /// Manager のエンドポイントへのネットワーク経路、そして権限が必要です。権限は、`AmazonSSMManagedInstanceCore` ポリシーを
    /// 持つインスタンスプロファイルか、リージョン全体に対するデフォルトのホスト管理設定(Default Host Management
    /// Configuration)で与えます。
    ///
    /// ```sh
    /// aws ec2 associate-iam-instance-profile --instance-id i-0123456789abcdef0 \
    ///   --iam-instance-profile Name=ssm-managed-instance
    /// # or, for every instance of the region:
    /// aws ssm update-service-setting --setting-id \
    ///   arn:aws:ssm:ap-northeast-1:123456789012:servicesetting/ssm/managed-instance/default-ec2-instance-management-role \
    ///   --setting-value service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole
    /// ```
    ///
    /// `ConnectionLost` の場合は、エージェントが動いていて、まだエンドポイントに到達できるかを確認します。
    ///
    /// ## 修正の安全性
    /// 手動のみ(`guardline fix` はこれについて何も計画しません): インスタンスプロファイルをアタッチすると、インスタンス上の
    /// アプリケーションにロールの権限が与えられます。すでにプロファイルを持つインスタンスでは、代わりにそのロールへポリシーを
    /// 追加する必要があります。
    ///
    /// ## 参考資料
    /// - AWS FSBP SSM.1(EC2 インスタンスは AWS Systems Manager で管理されるべき)
    /// - CIS AWS Foundations の該当コントロールなし
    pub static RULE = {
        id: "SSM-001",
        name: "instance-not-managed",
        title: "Running instances are managed by Systems Manager",
        title_ja: "稼働中のインスタンスが Systems Manager で管理されている",
        section: Section::Detection,
        item: "4-2",
        severity: Severity::Medium,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Give the instance the SSM Agent, a route to the endpoints and the SSM instance role",
            ja: "インスタンスに SSM Agent、エンドポイントへの経路、SSM 用のロールを用意する",
            command: None,
        },
        data: &["ec2:DescribeInstances", "ssm:DescribeInstanceInformation"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    for (region, inventory) in cx.regions() {
        let instances = match inventory.instances.get() {
            Ok(instances) => instances,
            Err(error) => {
                out.not_evaluated(region, cx.arn("ec2", region, "instance/*"), error);
                continue;
            }
        };
        let managed = inventory.ssm_managed_instances.get();
        // Indexed once by instance ID: a lookup per instance would be quadratic in large accounts.
        let managed_by_id: std::collections::HashMap<&str, _> = managed
            .map(|managed| managed.iter().map(|entry| (entry.instance_id.as_str(), entry)).collect())
            .unwrap_or_default();
        for instance in instances.iter().filter(|instance| instance.state == "running") {
            let id = &instance.id;
            let name = instance.tags.get("Name").map(|name| format!(" ({name})")).unwrap_or_default();
            if let Err(error) = managed {
                out.not_evaluated(region, &instance.arn, error);
                continue;
            }
            match managed_by_id.get(id.as_str()).copied() {
                Some(managed) if matches!(managed.ping_status.as_str(), "ConnectionLost" | "Inactive") => {
                    let status = &managed.ping_status;
                    out.fail(
                        region,
                        &instance.arn,
                        text!(
                            "instance {id}{name} is registered with Systems Manager but its agent is out of \
                             touch (ping status {status}): Session Manager cannot reach it",
                            "インスタンス {id}{name} は Systems Manager に登録されていますが、エージェントと通信できません \
                             (ping ステータス {status}): セッションマネージャで接続できません"
                        ),
                    );
                }
                Some(managed) => {
                    let status = &managed.ping_status;
                    out.pass(
                        region,
                        &instance.arn,
                        text!(
                            "instance {id}{name} is a Systems Manager managed instance (ping status {status})",
                            "インスタンス {id}{name} は Systems Manager のマネージドインスタンスです (ping ステータス {status})"
                        ),
                    );
                }
                None => out.fail(
                    region,
                    &instance.arn,
                    text!(
                        "running instance {id}{name} is not a Systems Manager managed instance: Session Manager \
                         cannot reach it",
                        "稼働中のインスタンス {id}{name} は Systems Manager のマネージドインスタンスではないため、\
                         セッションマネージャで接続できません"
                    ),
                ),
            }
        }
    }
}
