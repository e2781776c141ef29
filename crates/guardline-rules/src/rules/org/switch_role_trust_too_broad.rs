//! ORG-003.

use guardline_model::inventory::iam::Role;
use guardline_model::{Section, Severity};

use super::policy::{identity_center_trust, trust_problems};
use super::{identity_center_permission_set, management_of_member, switch_roles};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// That each switch role of a member account (the roles the `switch-roles` parameter names that exist;
    /// ORG-002 reports the missing ones) has a trust policy in which:
    ///
    /// - every statement that allows assuming the role (`sts:AssumeRole`, `sts:AssumeRoleWithSAML` or
    ///   `sts:AssumeRoleWithWebIdentity`, through `Action` with IAM's wildcards such as `sts:*` and
    ///   `sts:Assume*`, or through `NotAction`) trusts only principals of the organization's management
    ///   account (its ID, its root ARN, or users and roles in it; no `"*"`, no other account, no service, no
    ///   federated provider, no `NotPrincipal`);
    /// - every statement that allows `sts:AssumeRole` requires MFA, as the IAM User Guide's "Configuring
    ///   MFA-protected API access" writes it: `"Bool": {"aws:MultiFactorAuthPresent": "true"}`,
    ///   `"NumericLessThan"` or `"NumericLessThanEquals"` on `aws:MultiFactorAuthAge` (seconds since the MFA
    ///   sign-in), or `"Null": {"aws:MultiFactorAuthAge": "false"}`. The `...IfExists` forms do not count: a
    ///   request signed with long-term access keys carries no MFA key at all and passes them. Nor do other
    ///   numeric tests of the age (`NumericNotEquals` passes when the key is absent).
    ///
    /// Instead of a condition on each Allow, a Deny statement may refuse `sts:AssumeRole` without MFA: with
    /// `"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}` (true for long-term keys, which carry no
    /// such key, and for sessions without MFA) or `"Null": {"aws:MultiFactorAuthAge": "true"}` as its only
    /// condition, for `"Principal": "*"` or every principal the Allow statements name. A Deny on a plain
    /// `"Bool": {"aws:MultiFactorAuthPresent": "false"}` does not count (long-term keys slip past it), and
    /// neither does one with another condition beside it (it denies only part of the requests).
    ///
    /// Statements that allow no assume action (only `sts:TagSession`, `sts:SetSourceIdentity`,
    /// `sts:SetContext`) are not weighed: those permissions apply together with an assume call, never
    /// instead of one.
    ///
    /// IAM Identity Center's roles (`AWSReservedSSO_<permission set>_<suffix>` under
    /// `/aws-reserved/sso.amazonaws.com/`, found by ORG-002's matching of permission set names) are the
    /// switch-role mechanism AWS recommends today, and are judged as such: they trust the account's own
    /// Identity Center SAML provider
    /// (`"Federated": "arn:aws:iam::ACCOUNT:saml-provider/AWSSSO_<id>_DO_NOT_DELETE"`, with
    /// `sts:AssumeRoleWithSAML` and `sts:TagSession`), not the management account, and that is not too
    /// broad: such a role passes when every statement that allows assuming it trusts only that provider in
    /// the scanned account. MFA is not looked for in their trust policy: Identity Center asks for it at
    /// sign-in (its MFA settings are not read by Guardline). The seed's own model (IAM users in the
    /// management account, switch roles that trust it with MFA) stays a valid choice; a profile may have
    /// both kinds of role.
    ///
    /// The management account passes. An account in no organization is NOT APPLICABLE (neither a pass nor a
    /// failure), or FAIL when the profile sets `require-organization = true`.
    ///
    /// ## Why it matters
    /// The switch roles are the doors into every member account. A door that another account, or everyone,
    /// can open bypasses the management account where users and their MFA are controlled; one without the
    /// MFA condition opens to a leaked access key.
    ///
    /// ## Guideline
    /// 3-2 (switch roles from the master account's IAM users into each account; MFA as in 2-1).
    ///
    /// ## How to fix
    /// Replace the trust policy (`MGMT` is the management account's ID):
    ///
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ///   "Principal": {"AWS": "arn:aws:iam::MGMT:root"}, "Action": "sts:AssumeRole",
    ///   "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    /// ```
    ///
    /// ```sh
    /// aws iam update-assume-role-policy --role-name admin --policy-document file://trust.json
    /// ```
    ///
    /// `guardline org plan-roles` shows this policy for each role.
    ///
    /// ## Fix safety
    /// Manual only: narrowing a trust policy locks out whoever assumes the role today (a CI system, another
    /// account's automation); check CloudTrail's `AssumeRole` events for the role first.
    ///
    /// ## References
    /// - IAM User Guide: "Configuring MFA-protected API access"
    /// - IAM User Guide: "AWS global condition context keys" (`aws:MultiFactorAuthPresent`,
    ///   `aws:MultiFactorAuthAge`)
    /// - IAM User Guide: "IAM JSON policy elements: Condition operators" (`...IfExists`, the `Null` check)
    /// - IAM Identity Center User Guide: "Identity Center created IAM roles"
    ///
    /// ## 確認内容
    /// メンバーアカウントの各スイッチロール(`switch-roles` パラメータが挙げるロールのうち存在するもの。欠けているものは
    /// ORG-002 が報告します)の信頼ポリシーが、次を満たすこと。
    ///
    /// - ロールの引き受けを許可するステートメント(`sts:AssumeRole`、`sts:AssumeRoleWithSAML`、
    ///   `sts:AssumeRoleWithWebIdentity`。`sts:*` や `sts:Assume*` などの IAM のワイルドカードを含む `Action`、または
    ///   `NotAction` によるもの)はすべて、組織の管理アカウントのプリンシパル(その ID、ルート ARN、またはその中のユーザーと
    ///   ロール)だけを信頼する。`"*"`、他のアカウント、サービス、フェデレーションプロバイダー、`NotPrincipal` は不可。
    /// - `sts:AssumeRole` を許可するステートメントはすべて、IAM ユーザーガイドの「Configuring MFA-protected API access」の
    ///   書き方で MFA を必須にする: `"Bool": {"aws:MultiFactorAuthPresent": "true"}`、`aws:MultiFactorAuthAge`(MFA で
    ///   サインインしてからの秒数)に対する `"NumericLessThan"` または `"NumericLessThanEquals"`、または
    ///   `"Null": {"aws:MultiFactorAuthAge": "false"}`。`...IfExists` の形は数えません。長期的なアクセスキーで署名された
    ///   リクエストには MFA のキーがまったくなく、それらを通過してしまうからです。経過時間に対する他の数値比較も数えません
    ///   (`NumericNotEquals` はキーがないと通過します)。
    ///
    /// 各 Allow に条件を付ける代わりに、MFA のない `sts:AssumeRole` を Deny ステートメントで拒否してもかまいません。唯一の条件
    /// として `"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}`(そのキーを持たない長期的なキーや、MFA のない
    /// セッションで真になる)または `"Null": {"aws:MultiFactorAuthAge": "true"}` を持ち、`"Principal": "*"` または Allow
    /// ステートメントが挙げるすべてのプリンシパルを対象にするものです。単なる `"Bool": {"aws:MultiFactorAuthPresent": "false"}`
    /// の Deny は数えません(長期的なキーがすり抜けます)。他の条件と並んでいるものも数えません(リクエストの一部しか拒否
    /// しません)。
    ///
    /// 引き受けのアクションを許可しないステートメント(`sts:TagSession`、`sts:SetSourceIdentity`、`sts:SetContext` のみ)は
    /// 考慮しません。これらの権限は引き受けの呼び出しと一緒に適用されるもので、その代わりになることはないからです。
    ///
    /// IAM Identity Center のロール(`/aws-reserved/sso.amazonaws.com/` の下の `AWSReservedSSO_<permission set>_<suffix>`。
    /// ORG-002 の許可セット名の照合で見つかるもの)は、現在 AWS が推奨するスイッチロールの仕組みであり、そのように判定します。
    /// これらは管理アカウントではなく、アカウント自身の Identity Center の SAML プロバイダー
    /// (`"Federated": "arn:aws:iam::ACCOUNT:saml-provider/AWSSSO_<id>_DO_NOT_DELETE"`。`sts:AssumeRoleWithSAML` と
    /// `sts:TagSession`)を信頼しますが、それは広すぎるわけではありません。引き受けを許可するすべてのステートメントが、
    /// スキャンしたアカウントのそのプロバイダーだけを信頼していれば、そのロールは合格です。これらの信頼ポリシーでは MFA を
    /// 確認しません。Identity Center がサインイン時に MFA を求めるからです(その MFA 設定を Guardline は読みません)。
    /// ガイドライン自身のモデル(管理アカウントの IAM ユーザーと、MFA 付きでそれを信頼するスイッチロール)も引き続き有効な
    /// 選択肢で、1 つのプロファイルに両方の種類のロールがあってもかまいません。
    ///
    /// 管理アカウントは合格です。組織に属さないアカウントは対象外(NOT APPLICABLE。合格でも不合格でもありません)で、
    /// プロファイルで `require-organization = true` を設定すると不合格になります。
    ///
    /// ## 重要な理由
    /// スイッチロールは、すべてのメンバーアカウントへの扉です。他のアカウントや誰でも開けられる扉は、ユーザーとその MFA を
    /// 管理している管理アカウントを迂回します。MFA の条件がない扉は、漏えいしたアクセスキーで開いてしまいます。
    ///
    /// ## ガイドライン
    /// 3-2(マスターアカウントの IAM ユーザーからスイッチロールで各アカウントにログインする。MFA は 2-1 のとおり)。
    ///
    /// ## 修正方法
    /// 信頼ポリシーを置き換えます(`MGMT` は管理アカウントの ID です)。
    ///
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ///   "Principal": {"AWS": "arn:aws:iam::MGMT:root"}, "Action": "sts:AssumeRole",
    ///   "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    /// ```
    ///
    /// ```sh
    /// aws iam update-assume-role-policy --role-name admin --policy-document file://trust.json
    /// ```
    ///
    /// `guardline org plan-roles` は、各ロールについてこのポリシーを表示します。
    ///
    /// ## 修正の安全性
    /// 手動のみ: 信頼ポリシーを絞ると、今そのロールを引き受けているもの(CI システム、別のアカウントの自動化)が締め出されます。
    /// 先に CloudTrail でそのロールの `AssumeRole` イベントを確認してください。
    ///
    /// ## 参考資料
    /// - IAM ユーザーガイド「Configuring MFA-protected API access」
    /// - IAM ユーザーガイド「AWS global condition context keys」(`aws:MultiFactorAuthPresent`、`aws:MultiFactorAuthAge`)
    /// - IAM ユーザーガイド「IAM JSON policy elements: Condition operators」(`...IfExists`、`Null` による確認)
    /// - IAM Identity Center ユーザーガイド「Identity Center created IAM roles」
    pub static RULE = {
        id: "ORG-003",
        name: "switch-role-trust-too-broad",
        title: "Switch roles trust only the management account, with MFA",
        title_ja: "スイッチロールが管理アカウントのみを MFA 付きで信頼している",
        section: Section::Mistakes,
        item: "3-2",
        severity: Severity::High,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Make switch roles trust only the management account, with MFA required",
            ja: "スイッチロールの信頼先を管理アカウントだけにし、MFA を必須にする",
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
        "account {id} is the organization's management account: switch roles are checked in member accounts",
        "アカウント {id} は組織の管理アカウントです: スイッチロールはメンバーアカウントで確認します"
    );
    let Some(management) = management_of_member(cx, out, in_management) else { return };
    let roles = match cx.snapshot.global.roles.get() {
        Ok(roles) => roles,
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    // In the order of `switch-roles`, each role once (two configured names may find the same role).
    let mut present: Vec<&Role> = Vec::new();
    for role in switch_roles(cx, roles).into_iter().flat_map(|(_, matched)| matched) {
        if !present.iter().any(|seen| seen.arn == role.arn) {
            present.push(role);
        }
    }
    if present.is_empty() {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "account {id} has none of the switch roles to check (ORG-002 reports missing ones)",
                "アカウント {id} には確認するスイッチロールがありません (不足は ORG-002 が報告します)"
            ),
        );
    }
    for role in present {
        let name = &role.name;
        if let Some(set) = identity_center_permission_set(role) {
            match identity_center_trust(role.trust_policy.as_ref(), id) {
                Ok(providers) => {
                    let providers = providers.join(", ");
                    out.pass(
                        GLOBAL,
                        role.arn.clone(),
                        text!(
                            "switch role {name} is an IAM Identity Center role (permission set {set}) and trusts \
                             only this account's Identity Center SAML provider {providers}: that is the sign-in \
                             AWS recommends, not too broad; MFA is set in Identity Center, which Guardline does \
                             not read",
                            "スイッチロール {name} は IAM Identity Center のロール (権限セット {set}) で、このアカウントの \
                             Identity Center SAML プロバイダー {providers} のみを信頼しています: AWS が推奨するサインイン\
                             方法であり、広すぎません。MFA は Identity Center で設定します (Guardline は読み取りません)"
                        ),
                    );
                }
                Err(problems) => fail_too_broad(out, role, &problems),
            }
            continue;
        }
        let problems = trust_problems(role.trust_policy.as_ref(), management);
        if problems.is_empty() {
            out.pass(
                GLOBAL,
                role.arn.clone(),
                text!(
                    "switch role {name} trusts only the management account {management}, with MFA",
                    "スイッチロール {name} は管理アカウント {management} のみを MFA 付きで信頼しています"
                ),
            );
        } else {
            fail_too_broad(out, role, &problems);
        }
    }
}

fn fail_too_broad(out: &mut Findings, role: &Role, problems: &[(String, String)]) {
    let name = &role.name;
    let en = problems.iter().map(|(en, _)| en.as_str()).collect::<Vec<_>>().join("; ");
    let ja = problems.iter().map(|(_, ja)| ja.as_str()).collect::<Vec<_>>().join("、");
    out.fail(
        GLOBAL,
        role.arn.clone(),
        text!(
            "switch role {name}'s trust policy is too broad: {en}",
            "スイッチロール {name} の信頼ポリシーが広すぎます: {ja}"
        ),
    );
}
