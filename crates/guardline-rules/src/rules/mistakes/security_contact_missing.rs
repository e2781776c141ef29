//! ACCOUNT-002.

use guardline_model::{Section, Severity};

use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// That the account has a SECURITY alternate contact (`account:GetAlternateContact`).
    ///
    /// ## Why it matters
    /// When AWS sees a leaked access key, an instance attacking others or abuse from the account, it writes
    /// to the security contact. Without one the notice goes only to the root user's email address, often a
    /// shared mailbox or the address of someone who has left, and the people who could respond never hear of
    /// it.
    ///
    /// ## Guideline
    /// 3-1, with the account alias (ACCOUNT-001): the alias names the account to the people who operate it,
    /// the security contact names those people to AWS. It also serves section 4: AWS's own security notices
    /// are one of the ways an incident is found early.
    ///
    /// ## How to fix
    /// Set the team that handles security incidents, with a mailbox that is read:
    ///
    /// ```sh
    /// aws account put-alternate-contact --alternate-contact-type SECURITY \
    ///   --name "SRE team" --title "Security" --email-address security@example.com \
    ///   --phone-number "+81-3-0000-0000"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: `guardline fix` sets the contact named in `[fix.security-contact]` (name, email, phone,
    /// title); without it someone must decide who is the contact, and the plan says so. Setting it changes
    /// nothing for workloads.
    ///
    /// ## References
    /// - CIS AWS Foundations 1.2 (ensure security contact information is registered)
    /// - AWS FSBP Account.1
    ///
    /// ## 確認内容
    /// アカウントに SECURITY(セキュリティ)の代替連絡先があること(`account:GetAlternateContact`)。
    ///
    /// ## 重要な理由
    /// AWS は、漏えいしたアクセスキー、他者を攻撃しているインスタンス、アカウントからの不正利用を見つけると、セキュリティ
    /// 連絡先に連絡します。連絡先がなければ通知はルートユーザーのメールアドレスにしか届かず、それは共有メールボックスや退職者の
    /// アドレスであることが多いため、対応できる人には伝わりません。
    ///
    /// ## ガイドライン
    /// 3-1 とアカウントのエイリアス(ACCOUNT-001): エイリアスは操作する人にアカウントを示し、セキュリティ連絡先は AWS に
    /// その人たちを示します。セクション 4 にも役立ちます。AWS 自身のセキュリティ通知は、インシデントを早期に発見する手段の
    /// 一つです。
    ///
    /// ## 修正方法
    /// セキュリティインシデントに対応するチームを、読まれているメールボックスとともに設定します。
    ///
    /// ```sh
    /// aws account put-alternate-contact --alternate-contact-type SECURITY \
    ///   --name "SRE team" --title "Security" --email-address security@example.com \
    ///   --phone-number "+81-3-0000-0000"
    /// ```
    ///
    /// ## 修正の安全性
    /// 安全: `guardline fix` は `[fix.security-contact]`(名前、メール、電話番号、役職)で指定された連絡先を設定します。
    /// 指定がなければ誰が連絡先になるかを誰かが決める必要があり、プランでその旨を伝えます。設定してもワークロードには何の
    /// 影響もありません。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.2(セキュリティ連絡先の情報を登録する)
    /// - AWS FSBP Account.1
    pub static RULE = {
        id: "ACCOUNT-002",
        name: "security-contact-missing",
        title: "A security contact is set",
        title_ja: "セキュリティの代替連絡先が設定されている",
        section: Section::Mistakes,
        item: "3-1",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Set the SECURITY alternate contact to the security team",
            ja: "セキュリティの代替連絡先にセキュリティ担当を設定する",
            command: None,
        },
        data: &["account:GetAlternateContact"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let account = cx.account_arn();
    let contact = match cx.snapshot.global.security_contact.get() {
        Ok(contact) => contact,
        Err(error) => {
            out.not_evaluated(GLOBAL, account, error);
            return;
        }
    };
    match contact {
        Some(contact) => {
            let (name, email) = (&contact.name, &contact.email);
            out.pass(
                GLOBAL,
                account,
                text!(
                    "the SECURITY alternate contact is {name} <{email}>",
                    "セキュリティの代替連絡先は {name} <{email}> です"
                ),
            );
        }
        None => out.fail(
            GLOBAL,
            account,
            text!(
                "no SECURITY alternate contact is set: AWS security notices reach only the root user's email",
                "セキュリティの代替連絡先が設定されていないため、AWS からのセキュリティ通知はルートユーザーのメールアドレスにしか届きません"
            ),
        ),
    }
}

/// The contact `[fix.security-contact]` names.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .map(|finding| match &fix.settings.security_contact {
            Some(contact) => Planned::Change {
                region: finding.region.clone(),
                action: FixAction::SetSecurityContact {
                    name: contact.name.clone(),
                    email: contact.email.clone(),
                    phone: contact.phone.clone(),
                    title: contact.title.clone(),
                },
            },
            None => Planned::NeedsInput {
                region: finding.region.clone(),
                missing: guardline_model::Text::new(
                    "`[fix.security-contact]`: name, email, phone and title",
                    "`[fix.security-contact]`: 氏名、メール、電話番号、役職",
                ),
            },
        })
        .collect()
}
