//! ACCOUNT-001.

use guardline_model::{Section, Severity};

use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// That the account has an alias (`iam:ListAccountAliases`).
    ///
    /// ## Why it matters
    /// Without an alias, the sign-in URL, the console header and the switch-role history show only a
    /// 12-digit ID, and with several accounts people lose track of which number is which: they sign in to,
    /// or change, the wrong account. An alias names the account everywhere, and Guardline's write actions
    /// check the alias against the one the config pins before they touch an account.
    ///
    /// ## Guideline
    /// 3-1 (set an account alias so that nobody signs in to the wrong account; it also helps with switch
    /// roles, 3-2).
    ///
    /// ## How to fix
    /// Choose a name that says what the account is for (aliases are unique across all of AWS):
    ///
    /// ```sh
    /// aws iam create-account-alias --account-alias example-payments-prod
    /// ```
    ///
    /// ## Fix safety
    /// Safe: `guardline fix` creates the alias the config pins for the account (`[[accounts]]` with `id` and
    /// `alias`); without a pin someone must choose the name, and the plan says so. Creating it breaks
    /// nothing; the old ID-based sign-in URL keeps working.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - IAM User Guide: "Your AWS account ID and its alias"
    ///
    /// ## 確認内容
    /// アカウントにエイリアス(別名)があること(`iam:ListAccountAliases`)。
    ///
    /// ## 重要な理由
    /// エイリアスがないと、サインイン URL、コンソールのヘッダー、スイッチロールの履歴には 12 桁の ID しか表示されず、
    /// アカウントが複数あると、どの番号がどのアカウントか分からなくなります。その結果、誤ったアカウントにサインインしたり、
    /// 誤ったアカウントを変更したりします。エイリアスはあらゆる場所でアカウントを名前で示し、Guardline の書き込み操作も
    /// アカウントに手を触れる前に、エイリアスが設定ファイルで固定したものと一致するかを確認します。
    ///
    /// ## ガイドライン
    /// 3-1(誤ったアカウントにログインしないようアカウントのエイリアスを設定する。スイッチロールでも有効。3-2)。
    ///
    /// ## 修正方法
    /// アカウントの用途が分かる名前を選びます(エイリアスは AWS 全体で一意です)。
    ///
    /// ```sh
    /// aws iam create-account-alias --account-alias example-payments-prod
    /// ```
    ///
    /// ## 修正の安全性
    /// 安全: `guardline fix` は、設定ファイルがそのアカウントに固定しているエイリアス(`id` と `alias` を持つ `[[accounts]]`)を
    /// 作成します。固定がなければ誰かが名前を決める必要があり、プランでその旨を伝えます。作成しても何も壊れず、ID を使った
    /// 以前のサインイン URL も引き続き使えます。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations・AWS FSBP の該当コントロールなし
    /// - IAM ユーザーガイド「Your AWS account ID and its alias」
    pub static RULE = {
        id: "ACCOUNT-001",
        name: "account-alias-missing",
        title: "The account has an alias",
        title_ja: "アカウントにエイリアスが設定されている",
        section: Section::Mistakes,
        item: "3-1",
        severity: Severity::Low,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Set an account alias",
            ja: "アカウントエイリアスを設定する",
            command: None,
        },
        data: &["iam:ListAccountAliases"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let account = cx.account_arn();
    let aliases = match cx.snapshot.global.account_aliases.get() {
        Ok(aliases) => aliases,
        Err(error) => {
            out.not_evaluated(GLOBAL, account, error);
            return;
        }
    };
    let id = cx.account_id();
    match aliases.first() {
        Some(alias) => out.pass(
            GLOBAL,
            account,
            text!("account {id} has the alias {alias}", "アカウント {id} にはエイリアス {alias} が設定されています"),
        ),
        None => out.fail(
            GLOBAL,
            account,
            text!(
                "account {id} has no alias: people see only its 12-digit ID when they sign in or switch roles",
                "アカウント {id} にエイリアスがないため、サインインやスイッチロールの際に12桁のアカウントIDしか表示されません"
            ),
        ),
    }
}

/// The alias the config pins for the account; without a pin, someone must choose it.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .map(|finding| match fix.pinned_alias {
            Some(alias) => Planned::Change {
                region: finding.region.clone(),
                action: FixAction::CreateAccountAlias { alias: alias.to_owned() },
            },
            None => Planned::NeedsInput {
                region: finding.region.clone(),
                missing: guardline_model::Text::new(
                    "an `[[accounts]]` entry pinning this account's `id` to the `alias` to create",
                    "このアカウントの `id` と作成する `alias` を対応付ける `[[accounts]]` エントリ",
                ),
            },
        })
        .collect()
}
