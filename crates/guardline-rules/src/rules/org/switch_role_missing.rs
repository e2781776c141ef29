//! ORG-002.

use guardline_model::{Section, Severity};

use super::{identity_center_permission_set, management_of_member, switch_roles};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// That a member account has every switch role the profile's `switch-roles` parameter names (default
    /// `["admin", "engineer", "viewer"]`; the roles come from `iam:GetAccountAuthorizationDetails`). A
    /// configured name is found as either:
    ///
    /// - a role of that name (case-insensitive), as the seed guideline builds them (IAM users in the
    ///   management account switch into it), or
    /// - an IAM Identity Center role for a permission set of that name (case-insensitive): Identity Center
    ///   names the role it creates in each account `AWSReservedSSO_<permission set>_<16 hex digits>` (the
    ///   suffix differs per account) under the path `/aws-reserved/sso.amazonaws.com/` (sometimes with a
    ///   region after it). With Identity Center, set `switch-roles` to the permission set names
    ///   (`["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]`).
    ///
    /// A missing role's message lists the permission sets the account has roles for, when it has any. The
    /// management account passes (people sign in there; the roles are in the member accounts). An account in
    /// no organization is NOT APPLICABLE (neither a pass nor a failure), or FAIL when the profile sets
    /// `require-organization = true`.
    ///
    /// ## Why it matters
    /// Switch roles are how people from the management account work in a member account, one role per
    /// level of access. A missing role pushes people to ask for an IAM user in the account, or to use a more
    /// powerful role than they need.
    ///
    /// ## Guideline
    /// 3-2 (create roles "for administrators", "for engineers", "for viewers" in each service account, with
    /// the policies each needs).
    ///
    /// ## How to fix
    /// `guardline org plan-roles` shows the roles with a trust policy that allows only the management account
    /// with MFA, and the management-account groups allowed to assume them; `--apply` creates them. By hand:
    ///
    /// ```sh
    /// aws iam create-role --role-name viewer --assume-role-policy-document file://trust.json
    /// aws iam attach-role-policy --role-name viewer --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess
    /// ```
    ///
    /// With IAM Identity Center, assign the permission set to the people's group on this account (Identity
    /// Center creates the role). Or change `switch-roles` in the profile's params to the names your
    /// organization uses.
    ///
    /// ## Fix safety
    /// Manual only: `guardline fix` does not create roles, because what each role may do is the team's
    /// decision; `guardline org plan-roles --apply` creates the reviewed plan under the same account pin
    /// and confirmation as `fix`.
    ///
    /// ## References
    /// - IAM User Guide: "IAM tutorial: Delegate access across AWS accounts using IAM roles"
    /// - IAM User Guide: "Switch to an IAM role (console)"
    /// - IAM Identity Center User Guide: "Identity Center created IAM roles" (`AWSReservedSSO_*` roles)
    ///
    /// ## 確認内容
    /// メンバーアカウントに、プロファイルの `switch-roles` パラメータが挙げるスイッチロールがすべてあること(既定
    /// `["admin", "engineer", "viewer"]`。ロールは `iam:GetAccountAuthorizationDetails` から読みます)。設定した名前は、次の
    /// いずれかとして見つかればよいものとします。
    ///
    /// - その名前(大文字小文字を区別しない)のロール。ガイドラインが作る形です(管理アカウントの IAM ユーザーがそこへスイッチ
    ///   します)。
    /// - その名前(大文字小文字を区別しない)の許可セットに対応する IAM Identity Center のロール。Identity Center は各アカウントに
    ///   作るロールを `AWSReservedSSO_<permission set>_<16 桁の 16 進数>`(接尾辞はアカウントごとに異なる)と名付け、パス
    ///   `/aws-reserved/sso.amazonaws.com/`(後ろにリージョンが付くこともあります)の下に置きます。Identity Center を使う場合は、
    ///   `switch-roles` に許可セットの名前(`["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]`)を設定します。
    ///
    /// ロールが見つからないときのメッセージには、アカウントにロールがある許可セットを(あれば)一覧します。管理アカウントは
    /// 合格です(人はそこにサインインし、ロールはメンバーアカウントにあります)。組織に属さないアカウントは対象外
    /// (NOT APPLICABLE。合格でも不合格でもありません)で、プロファイルで `require-organization = true` を設定すると
    /// 不合格になります。
    ///
    /// ## 重要な理由
    /// スイッチロールは、管理アカウントの人がメンバーアカウントで作業するための手段で、アクセスのレベルごとに 1 つのロールが
    /// あります。ロールが欠けていると、人はそのアカウントに IAM ユーザーを求めたり、必要以上に強いロールを使ったりします。
    ///
    /// ## ガイドライン
    /// 3-2(サービスが稼働している個別のアカウントに「管理者用」「エンジニア用」「閲覧者用」などのロールを作成し、用途に
    /// 応じたポリシーを付与する)。
    ///
    /// ## 修正方法
    /// `guardline org plan-roles` は、MFA 付きの管理アカウントだけを許可する信頼ポリシーを持つロールと、それを引き受けられる
    /// 管理アカウントのグループを表示し、`--apply` でそれらを作成します。手作業では次のようにします。
    ///
    /// ```sh
    /// aws iam create-role --role-name viewer --assume-role-policy-document file://trust.json
    /// aws iam attach-role-policy --role-name viewer --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess
    /// ```
    ///
    /// IAM Identity Center を使う場合は、このアカウントで人のグループに許可セットを割り当てます(ロールは Identity Center が
    /// 作成します)。または、プロファイルの params の `switch-roles` を組織で使っている名前に変更します。
    ///
    /// ## 修正の安全性
    /// 手動のみ: 各ロールに何を許可するかはチームが決めることなので、`guardline fix` はロールを作成しません。
    /// `guardline org plan-roles --apply` は、レビューしたプランを `fix` と同じアカウントの固定と確認のもとで作成します。
    ///
    /// ## 参考資料
    /// - IAM ユーザーガイド「IAM tutorial: Delegate access across AWS accounts using IAM roles」
    /// - IAM ユーザーガイド「Switch to an IAM role (console)」
    /// - IAM Identity Center ユーザーガイド「Identity Center created IAM roles」(`AWSReservedSSO_*` のロール)
    pub static RULE = {
        id: "ORG-002",
        name: "switch-role-missing",
        title: "Member accounts have the switch roles",
        title_ja: "メンバーアカウントにスイッチロール用のロールがある",
        section: Section::Mistakes,
        item: "3-2",
        severity: Severity::Medium,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Create the missing switch roles in the member account",
            ja: "メンバーアカウントに足りないスイッチロールを作成する",
            command: None,
        },
        data: &["organizations:DescribeOrganization", "iam:GetAccountAuthorizationDetails"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let id = cx.account_id();
    let in_management = text!(
        "account {id} is the organization's management account: switch roles belong in member accounts",
        "アカウント {id} は組織の管理アカウントです: スイッチロール用のロールはメンバーアカウントに作成します"
    );
    if management_of_member(cx, out, in_management).is_none() {
        return;
    }
    let roles = match cx.snapshot.global.roles.get() {
        Ok(roles) => roles,
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    let wanted = switch_roles(cx, roles);
    if wanted.is_empty() {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the profile names no switch roles (`switch-roles` is empty)",
                "プロファイルにスイッチロールが指定されていません (`switch-roles` が空です)"
            ),
        );
    }
    let permission_sets: Vec<&str> = roles.iter().filter_map(identity_center_permission_set).collect();
    for (name, matched) in wanted {
        let Some(first) = matched.first() else {
            let (sets_en, sets_ja) = if permission_sets.is_empty() {
                (String::new(), String::new())
            } else {
                let (sets, sets_ja) = (permission_sets.join(", "), permission_sets.join("、"));
                (
                    format!(
                        " (nor an IAM Identity Center role of that permission set; the account has ones for {sets})"
                    ),
                    format!(
                        " (同名の権限セットの IAM Identity Center ロールもありません。あるのは {sets_ja} のものです)"
                    ),
                )
            };
            out.fail(
                GLOBAL,
                format!("arn:{}:iam::{id}:role/{name}", cx.partition()),
                text!(
                    "switch role {name} is missing from member account {id}{sets_en}",
                    "メンバーアカウント {id} にスイッチロール {name} がありません{sets_ja}"
                ),
            );
            continue;
        };
        let message = match matched.as_slice() {
            [role] if identity_center_permission_set(role).is_none() => {
                let found = &role.name;
                text!(
                    "switch role {found} exists in account {id}",
                    "スイッチロール {found} がアカウント {id} にあります"
                )
            }
            _ => {
                let (en, ja): (Vec<String>, Vec<String>) = matched
                    .iter()
                    .map(|role| {
                        let found = &role.name;
                        match identity_center_permission_set(role) {
                            Some(set) => (
                                format!("IAM Identity Center role {found} (permission set {set})"),
                                format!("IAM Identity Center のロール {found} (権限セット {set})"),
                            ),
                            None => (format!("role {found}"), format!("ロール {found}")),
                        }
                    })
                    .unzip();
                let (en, ja) = (en.join(", "), ja.join("、"));
                text!(
                    "switch role {name} exists in account {id}: {en}",
                    "スイッチロール {name} がアカウント {id} にあります: {ja}"
                )
            }
        };
        out.pass(GLOBAL, first.arn.clone(), message);
    }
}
