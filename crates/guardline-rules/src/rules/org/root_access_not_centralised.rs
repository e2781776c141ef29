//! ORG-005.

use guardline_model::inventory::iam::RootCredentials;
use guardline_model::{Finding, Section, Severity};

use super::{Membership, membership};
use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// That the organization manages its member accounts' root users centrally
    /// (`iam:ListOrganizationsFeatures`, read in the management account): `RootCredentialsManagement` is
    /// enabled, so the management account can delete and audit the members' root passwords, access keys,
    /// signing certificates and MFA devices, and new member accounts have no root credentials at all. The
    /// message also says whether `RootSessions` (privileged root tasks on a member for 15 minutes, e.g.
    /// unlocking a bucket policy that locks everyone out) is enabled. An organization without IAM's trusted
    /// access, or with consolidated billing only, fails with that reason.
    ///
    /// In a member account the setting is the management account's. An organisation scan under centralised
    /// root access also audits each member's root in a root session (`sts:AssumeRoot` with
    /// `IAMAuditRootUserCredentials`): enabling the feature does not delete the credentials member roots
    /// already hold, so a member whose root still has a password, an access key, an MFA device or a signing
    /// certificate fails, naming them (an exception with a reason accepts it); one with none passes. Without
    /// that audit (a scan of the member alone) the member passes, and IAM-001, IAM-002 and IAM-004 report what
    /// its root holds. An account in no organization is NOT APPLICABLE, like the other 3-2 controls (neither a
    /// pass nor a failure), or FAIL when the profile sets `require-organization = true`.
    ///
    /// ## Why it matters
    /// Every member account's root user is a password and possibly keys that nobody uses day to day, kept
    /// (or forgotten) in as many places as there are accounts. Removing them leaves nothing to steal; the rare
    /// task that needs root is done from the management account, for minutes, and logged.
    ///
    /// ## Guideline
    /// 3-2 (manage every account from the management account). The guideline predates centralised root
    /// access (November 2024); it is the current way to keep member roots out of reach.
    ///
    /// ## How to fix
    /// In the management account, let IAM work with Organizations, then enable both features (IAM User
    /// Guide, "Centralize root access for member accounts"):
    ///
    /// ```sh
    /// aws organizations enable-aws-service-access --service-principal iam.amazonaws.com
    /// aws iam enable-organizations-root-credentials-management
    /// aws iam enable-organizations-root-sessions
    /// ```
    ///
    /// Then delete the credentials existing member roots hold (console: IAM > Root access management), after
    /// checking that nothing signs in with them.
    ///
    /// `guardline fix` in the management account (or `fix --org`) does the three calls; deleting what member
    /// roots hold stays manual.
    ///
    /// ## Fix safety
    /// Needs review: it changes how every member account's root can be reached, which the organization's
    /// owners decide. The fix deletes nothing; deleting a member's root credentials (which cannot be undone
    /// from the member) is left to a person.
    ///
    /// ## References
    /// - IAM User Guide: "Centralize root access for member accounts"
    /// - IAM API Reference: ListOrganizationsFeatures
    ///
    /// ## 確認内容
    /// 組織がメンバーアカウントのルートユーザーを一元管理していること(`iam:ListOrganizationsFeatures`。管理アカウントで
    /// 読みます)。`RootCredentialsManagement` が有効であれば、管理アカウントはメンバーのルートのパスワード、アクセスキー、
    /// 署名証明書、MFA デバイスを削除・監査でき、新しいメンバーアカウントにはルートの認証情報がまったくありません。
    /// メッセージでは、`RootSessions`(メンバーでの 15 分間の特権的なルートタスク。例: 全員を締め出すバケットポリシーの解除)が
    /// 有効かどうかも伝えます。IAM の信頼されたアクセスがない組織や、一括請求のみの組織は、その理由を示して不合格になります。
    ///
    /// メンバーアカウントでは、この設定は管理アカウントのものです。ルートアクセスを一元管理している組織のスキャンでは、各
    /// メンバーのルートもルートセッション(`IAMAuditRootUserCredentials` を指定した `sts:AssumeRoot`)で監査します。この機能を
    /// 有効にしても、メンバーのルートがすでに持っている認証情報は削除されないため、ルートにまだパスワード、アクセスキー、
    /// MFA デバイス、署名証明書が残っているメンバーは、それらを示して不合格になります(理由付きの例外で受け入れられます)。
    /// 何もないメンバーは合格です。この監査がない場合(メンバーだけのスキャン)、メンバーは合格となり、ルートが持つものは
    /// IAM-001、IAM-002、IAM-004 が報告します。組織に属さないアカウントは、他の 3-2 のコントロールと同じく対象外
    /// (NOT APPLICABLE。合格でも不合格でもありません)で、プロファイルで `require-organization = true` を設定すると
    /// 不合格になります。
    ///
    /// ## 重要な理由
    /// 各メンバーアカウントのルートユーザーは、日常的には誰も使わないパスワードと、場合によってはキーであり、アカウントの数
    /// だけの場所に保管され(あるいは忘れられ)ています。それらを削除すれば盗まれるものはなくなります。ルートが必要なまれな
    /// 作業は、管理アカウントから数分間だけ、記録を残して行います。
    ///
    /// ## ガイドライン
    /// 3-2(すべてのアカウントを管理アカウントから管理する)。ガイドラインはルートアクセスの一元管理(2024 年 11 月)より前に
    /// 書かれていますが、これはメンバーのルートを手の届かないところに置く現在の方法です。
    ///
    /// ## 修正方法
    /// 管理アカウントで IAM が Organizations と連携できるようにし、両方の機能を有効化します(IAM ユーザーガイド
    /// 「Centralize root access for member accounts」)。
    ///
    /// ```sh
    /// aws organizations enable-aws-service-access --service-principal iam.amazonaws.com
    /// aws iam enable-organizations-root-credentials-management
    /// aws iam enable-organizations-root-sessions
    /// ```
    ///
    /// その後、既存のメンバーのルートが持つ認証情報を、それでサインインしているものがないことを確認してから削除します
    /// (コンソール: IAM > ルートアクセス管理)。
    ///
    /// 管理アカウントでの `guardline fix`(または `fix --org`)が上の 3 つの呼び出しを行います。メンバーのルートが持つ
    /// ものの削除は手動のままです。
    ///
    /// ## 修正の安全性
    /// 要レビュー: すべてのメンバーアカウントのルートに到達する方法が変わり、それは組織の責任者が決めることです。この修正は
    /// 何も削除しません。メンバーのルートの認証情報の削除(メンバー側からは元に戻せません)は人が行います。
    ///
    /// ## 参考資料
    /// - IAM ユーザーガイド「Centralize root access for member accounts」
    /// - IAM API リファレンス: ListOrganizationsFeatures
    pub static RULE = {
        id: "ORG-005",
        name: "root-access-not-centralised",
        title: "Member accounts' root access is managed centrally",
        title_ja: "メンバーアカウントのルートアクセスを一元管理している",
        section: Section::Mistakes,
        item: "3-2",
        severity: Severity::Medium,
        fix: FixAvailability::NeedsReview,
        remedy: Remedy {
            en: "Turn on centralised root access for the organization's member accounts",
            ja: "組織のメンバーアカウントのルートアクセス一元管理を有効にする",
            command: None,
        },
        data: &["organizations:DescribeOrganization", "iam:ListOrganizationsFeatures", "sts:AssumeRoot"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let Some(membership) = membership(cx, out) else { return };
    let id = cx.account_id();
    if let Membership::Member(management) = membership {
        if let Ok(credentials) = cx.snapshot.global.root_credentials.get() {
            member_root(cx, out, credentials);
            return;
        }
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "account {id} is a member account: centralised root access is the management account \
                 {management}'s setting, checked there",
                "アカウント {id} はメンバーアカウントです: ルートアクセスの一元管理は管理アカウント {management} の\
                 設定で、そこで確認します"
            ),
        );
        return;
    }
    let access = match cx.snapshot.global.root_access.get() {
        Ok(Some(access)) => access,
        Ok(None) => {
            out.not_evaluated_because(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "could not be evaluated: IAM answered that account {id}, the organization's management \
                     account, may not read its centralised root access features",
                    "評価できません: IAM は、組織の管理アカウントである {id} にルートアクセスの一元管理の機能を\
                     読む権限がないと応答しました"
                ),
            );
            return;
        }
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    let has = |feature: &str| access.enabled_features.iter().any(|enabled| enabled == feature);
    let (sessions_en, sessions_ja) = if has("RootSessions") {
        ("; root sessions (RootSessions) are enabled too", "。ルートセッション (RootSessions) も有効です")
    } else {
        (
            "; root sessions (RootSessions) are not enabled",
            "。ルートセッション (RootSessions) は有効ではありません",
        )
    };
    if has("RootCredentialsManagement") {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the organization manages member accounts' root credentials centrally \
                 (RootCredentialsManagement){sessions_en}",
                "組織がメンバーアカウントのルート認証情報を一元管理しています (RootCredentialsManagement){sessions_ja}"
            ),
        );
        return;
    }
    match &access.unavailable_because {
        Some(because) => {
            let because = because.trim().trim_end_matches('.');
            out.fail(
            GLOBAL,
            cx.account_arn(),
            text!(
                "centralised root access cannot be enabled yet: {because}",
                "ルートアクセスの一元管理をまだ有効にできません: {because}"
            ),
        )
        }
        None => out.fail(
            GLOBAL,
            cx.account_arn(),
            text!(
                "member accounts' root credentials are not managed centrally: RootCredentialsManagement is not \
                 enabled{sessions_en}",
                "メンバーアカウントのルート認証情報が一元管理されていません: RootCredentialsManagement が\
                 有効ではありません{sessions_ja}"
            ),
        ),
    }
}

/// A member account whose root was audited in a root session: no credentials pass, any credential fails.
fn member_root(cx: &Context<'_>, out: &mut Findings, credentials: &RootCredentials) {
    let id = cx.account_id();
    if credentials.is_empty() {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the root user of member account {id} has no credentials (no password, access key, MFA device or \
                 signing certificate)",
                "メンバーアカウント {id} のルートユーザーには認証情報がありません (パスワード、アクセスキー、MFA \
                 デバイス、署名証明書なし)"
            ),
        );
        return;
    }
    let mut held: Vec<(String, String)> = Vec::new();
    if credentials.password {
        held.push(("a password".to_owned(), "パスワード".to_owned()));
    }
    let keys = credentials.active_access_keys.len() + credentials.inactive_access_keys.len();
    if keys > 0 {
        let noun = if keys == 1 { "access key" } else { "access keys" };
        held.push((format!("{keys} {noun}"), format!("アクセスキー {keys} 個")));
    }
    if !credentials.mfa_devices.is_empty() {
        let devices = credentials.mfa_devices.join(", ");
        held.push((format!("MFA device {devices}"), format!("MFA デバイス {devices}")));
    }
    if credentials.signing_certificates > 0 {
        let certificates = credentials.signing_certificates;
        held.push((
            format!("{certificates} signing certificate(s)"),
            format!("署名証明書 {certificates} 個"),
        ));
    }
    let en = held.iter().map(|(en, _)| en.as_str()).collect::<Vec<_>>().join(", ");
    let ja = held.iter().map(|(_, ja)| ja.as_str()).collect::<Vec<_>>().join("、");
    out.fail(
        GLOBAL,
        cx.account_arn(),
        text!(
            "the root user of member account {id} still holds {en}: delete them from the management account \
             (IAM > Root access management, or a root session with the IAMDeleteRootUserCredentials task)",
            "メンバーアカウント {id} のルートユーザーに{ja}が残っています: 管理アカウントから削除してください \
             (IAM > ルートアクセス管理、または IAMDeleteRootUserCredentials タスクのルートセッション)"
        ),
    );
}

/// The management account's failure is fixed by enabling the features (after IAM's trusted access, when
/// that is the reason); an organization with consolidated billing only cannot have them, and what member
/// roots still hold is deleted by a person.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    let management = fix
        .cx
        .snapshot
        .global
        .organization
        .get()
        .ok()
        .and_then(Option::as_ref)
        .is_some_and(|organization| organization.is_management(fix.cx.account_id()));
    let fixable = management
        && fix.cx.snapshot.global.root_access.get().ok().and_then(Option::as_ref).is_some_and(|access| {
            access
                .unavailable_because
                .as_deref()
                .is_none_or(|because| because.starts_with("ServiceAccessNotEnabled"))
        });
    failing
        .iter()
        .map(|finding| {
            if fixable {
                Planned::Change { region: finding.region.clone(), action: FixAction::CentraliseRootAccess }
            } else {
                Planned::Manual
            }
        })
        .collect()
}
