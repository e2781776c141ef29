//! ORG-004.

use guardline_model::{Section, Severity};

use super::policy::grants_assume_role;
use super::{Membership, membership};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// That in the organization's management account no IAM user is allowed `sts:AssumeRole` by a policy
    /// attached to the user directly (inline or managed): the permission to switch roles should come from
    /// the groups the user belongs to. A statement counts when it allows `sts:AssumeRole` (by `Action`,
    /// wildcards included, or by a `NotAction` that does not exclude it) on any resource, under any
    /// condition. Customer-managed policies are read (their default version); AWS-managed policies are not,
    /// and of those only `AdministratorAccess` and `PowerUserAccess` count as granting it. Member accounts
    /// pass (ORG-001 covers their users). An account in no organization is NOT APPLICABLE (neither a pass nor
    /// a failure), or FAIL when the profile sets `require-organization = true`.
    ///
    /// ## Why it matters
    /// Who may enter which account should be visible in one place: the groups ("admins", "engineers",
    /// "viewers") and their members. A grant on a single user is missed when access is reviewed and stays
    /// behind when the person changes team.
    ///
    /// ## Guideline
    /// 3-2 (create the AssumeRole policy in the master account, attach it to a group, and add users to the
    /// group).
    ///
    /// ## How to fix
    /// Add the user to the group that carries the AssumeRole policy (`guardline org plan-roles` shows the
    /// groups), then remove the user's own grant:
    ///
    /// ```sh
    /// aws iam add-user-to-group --group-name switch-admin --user-name NAME
    /// aws iam delete-user-policy --user-name NAME --policy-name POLICY
    /// aws iam detach-user-policy --user-name NAME --policy-arn ARN
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: which group a person belongs in is the team's decision, and detaching a policy may take
    /// away more than `sts:AssumeRole`.
    ///
    /// ## References
    /// - IAM User Guide: "Security best practices in IAM" (use groups to assign permissions to users)
    /// - CIS AWS Foundations Benchmark 1.15 (IAM users receive permissions only through groups)
    ///
    /// ## 確認内容
    /// 組織の管理アカウントで、ユーザーに直接アタッチされたポリシー(インラインまたはマネージド)によって `sts:AssumeRole` を
    /// 許可されている IAM ユーザーがいないこと。スイッチロールの権限は、ユーザーが所属するグループから与えるべきです。
    /// ステートメントは、任意のリソースと任意の条件のもとで `sts:AssumeRole` を許可する場合(ワイルドカードを含む `Action`、
    /// またはそれを除外しない `NotAction` によるもの)に数えます。カスタマー管理ポリシーは(そのデフォルトバージョンを)読みます。
    /// AWS 管理ポリシーは読まず、そのうち `AdministratorAccess` と `PowerUserAccess` だけを、それを許可するものとして数えます。
    /// メンバーアカウントは合格です(そのユーザーは ORG-001 が扱います)。組織に属さないアカウントは対象外(NOT APPLICABLE。
    /// 合格でも不合格でもありません)で、プロファイルで `require-organization = true` を設定すると不合格になります。
    ///
    /// ## 重要な理由
    /// 誰がどのアカウントに入れるかは、一か所で見えるべきです。つまりグループ(「管理者」「エンジニア」「閲覧者」)とその
    /// メンバーです。個々のユーザーへの付与はアクセスのレビューで見落とされ、その人がチームを移っても残ります。
    ///
    /// ## ガイドライン
    /// 3-2(マスターアカウントで AssumeRole するポリシーを作成し、そのポリシーを持つグループを作成して、グループに IAM ユーザーを
    /// 所属させる)。
    ///
    /// ## 修正方法
    /// AssumeRole のポリシーを持つグループにユーザーを追加し(`guardline org plan-roles` がグループを表示します)、その後
    /// ユーザー自身への付与を削除します。
    ///
    /// ```sh
    /// aws iam add-user-to-group --group-name switch-admin --user-name NAME
    /// aws iam delete-user-policy --user-name NAME --policy-name POLICY
    /// aws iam detach-user-policy --user-name NAME --policy-arn ARN
    /// ```
    ///
    /// ## 修正の安全性
    /// 手動のみ: 人がどのグループに属するかはチームが決めることであり、ポリシーをデタッチすると `sts:AssumeRole` 以外の権限も
    /// 失われることがあります。
    ///
    /// ## 参考資料
    /// - IAM ユーザーガイド「Security best practices in IAM」(グループを使ってユーザーに権限を割り当てる)
    /// - CIS AWS Foundations Benchmark 1.15(IAM ユーザーにはグループを通じてのみ権限を与える)
    pub static RULE = {
        id: "ORG-004",
        name: "assume-role-granted-to-user",
        title: "Switching roles is granted through groups",
        title_ja: "スイッチロールの権限がグループ経由で付与されている",
        section: Section::Mistakes,
        item: "3-2",
        severity: Severity::Low,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Grant sts:AssumeRole through groups, not to users directly",
            ja: "sts:AssumeRole はユーザーに直接ではなくグループで付与する",
            command: None,
        },
        data: &[
            "organizations:DescribeOrganization",
            "iam:GetAccountAuthorizationDetails",
        ],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let Some(membership) = membership(cx, out) else { return };
    let id = cx.account_id();
    if let Membership::Member(management) = membership {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "account {id} is a member account: role grants are checked in the management account {management}",
                "アカウント {id} はメンバーアカウントです: AssumeRole の権限は管理アカウント {management} で確認します"
            ),
        );
        return;
    }
    let principals = match cx.snapshot.global.principal_policies.get() {
        Ok(principals) => principals,
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    if principals.users.is_empty() {
        out.pass(GLOBAL, cx.account_arn(), text!("the account has no IAM users", "IAM ユーザーはいません"));
    }
    for user in &principals.users {
        let name = &user.user_name;
        let direct: Vec<&str> = user
            .policies
            .iter()
            .filter(|policy| grants_assume_role(policy))
            .map(|policy| policy.name.as_str())
            .collect();
        if direct.is_empty() {
            let (en, ja) = if user.groups.is_empty() {
                (String::new(), String::new())
            } else {
                let groups = user.groups.join(", ");
                (format!(" (its groups: {groups})"), format!(" (所属グループ: {groups})"))
            };
            out.pass(
                GLOBAL,
                user.user_arn.clone(),
                text!(
                    "IAM user {name} has no sts:AssumeRole grant of its own{en}",
                    "IAM ユーザー {name} 自身のポリシーには sts:AssumeRole の付与がありません{ja}"
                ),
            );
        } else {
            let list = direct.join(", ");
            out.fail(
                GLOBAL,
                user.user_arn.clone(),
                text!(
                    "IAM user {name} is granted sts:AssumeRole directly by {list}, not through a group",
                    "IAM ユーザー {name} にグループ経由ではなく直接 sts:AssumeRole が付与されています: {list}"
                ),
            );
        }
    }
}
