//! What several section-2 rules share: ages in days, dates, lists, and the root user's MFA state.

use guardline_model::{CollectError, Text};
use jiff::Timestamp;
use jiff::tz::Offset;

use crate::Context;

/// Whole days from `then` to `now` (the snapshot time), never negative.
pub(crate) fn days_since(now: Timestamp, then: Timestamp) -> i64 {
    (now.as_second().saturating_sub(then.as_second())).div_euclid(86_400).max(0)
}

/// "less than a day ago" / "1 day ago" / "N days ago", in English and Japanese.
pub(crate) fn ago(days: i64) -> (String, String) {
    match days {
        0 => ("less than a day ago".to_owned(), "1 日以内".to_owned()),
        1 => ("1 day ago".to_owned(), "1 日前".to_owned()),
        _ => (format!("{days} days ago"), format!("{days} 日前")),
    }
}

/// "1 day" / "N days".
pub(crate) fn days_en(days: i64) -> String {
    if days == 1 { "1 day".to_owned() } else { format!("{days} days") }
}

/// The UTC date of `at`, e.g. `2026-11-28`.
pub(crate) fn date(at: Timestamp) -> String {
    Offset::UTC.to_datetime(at).date().to_string()
}

/// At most `max` items joined with `, `, then "and N more" (English) / "ほか N 件" (Japanese).
pub(crate) fn short_list(items: &[String], max: usize) -> (String, String) {
    if items.len() <= max {
        let all = items.join(", ");
        return (all.clone(), all);
    }
    let shown = items[..max].join(", ");
    let more = items.len() - max;
    (format!("{shown} and {more} more"), format!("{shown} ほか {more} 件"))
}

/// Where the root user's MFA state was read.
#[derive(Clone, Copy)]
pub(crate) enum RootSource {
    /// `iam:GetAccountSummary`'s `AccountMFAEnabled`: the live state.
    AccountSummary,
    /// The credential report's root row, when the account summary could not be read: as old as the report.
    CredentialReport(Option<Timestamp>),
}

impl RootSource {
    pub(crate) fn text(self, cx: &Context<'_>) -> Text {
        match self {
            RootSource::AccountSummary => Text::new("account summary", "アカウントサマリー"),
            RootSource::CredentialReport(generated_at) => {
                let (en, ja) = report_age(cx.now(), generated_at);
                Text::new(
                    format!("credential report {en}; the account summary could not be read"),
                    format!("認証情報レポート {ja}。アカウントサマリーは取得できませんでした"),
                )
            }
        }
    }
}

/// How old a credential report was when the snapshot was taken: "of 2026-11-28 06:58 UTC, 2 h 1 min before
/// the scan". IAM reuses a report for up to four hours, so findings that rely on one say its age.
pub(crate) fn report_age(now: Timestamp, generated_at: Option<Timestamp>) -> (String, String) {
    let Some(at) = generated_at else {
        return ("of unknown age".to_owned(), "(作成時刻不明)".to_owned());
    };
    let when = Offset::UTC.to_datetime(at).strftime("%Y-%m-%d %H:%M UTC").to_string();
    let minutes = (now.as_second() - at.as_second()).max(0) / 60;
    let age = match (minutes / 60, minutes % 60) {
        (0, 0) => ("less than a minute".to_owned(), "1 分以内".to_owned()),
        (0, m) => (format!("{m} min"), format!("{m} 分")),
        (h, 0) => (format!("{h} h"), format!("{h} 時間")),
        (h, m) => (format!("{h} h {m} min"), format!("{h} 時間 {m} 分")),
    };
    (format!("of {when}, {} before the scan", age.0), format!("({when} 作成、スキャンの {}前)", age.1))
}

/// Whether the root user has MFA: the account summary's `AccountMFAEnabled` (live), else the credential
/// report's root row (which IAM may have generated up to four hours before the scan). `Err` is the NOT
/// EVALUATED message when neither is available.
pub(crate) fn root_mfa(cx: &Context<'_>) -> Result<(bool, RootSource), Text> {
    let global = &cx.snapshot.global;
    let summary_error = match global.account_summary.get() {
        Ok(summary) => return Ok((summary.root_mfa_enabled, RootSource::AccountSummary)),
        Err(error) => error,
    };
    match global.credential_report.get() {
        Ok(report) => match &report.root {
            Some(root) => Ok((root.mfa_active, RootSource::CredentialReport(report.generated_at))),
            None => Err(both_missing(
                &Text::new(
                    "the credential report has no root row",
                    "認証情報レポートにルートユーザーの行がありません",
                ),
                summary_error,
            )),
        },
        Err(error) => Err(both_missing(&error_text(error), summary_error)),
    }
}

/// When the management account's root session audit found the root user with no credentials at all (no
/// password, key, MFA device or certificate: what centralised root access leaves), the PASS message that says
/// so; `None` otherwise (not audited, or the root holds something).
pub(crate) fn root_without_credentials(cx: &Context<'_>) -> Option<Text> {
    let credentials = cx.snapshot.global.root_credentials.get().ok()?;
    credentials.is_empty().then(|| {
        Text::new(
            "the root user has no credentials at all (no password, access key, MFA device or signing \
             certificate; audited from the management account under centralised root access): nobody can sign in \
             as root, which is safer than any MFA",
            "ルートユーザーには認証情報がまったくありません (パスワード、アクセスキー、MFA デバイス、署名証明書なし。\
             ルートアクセスの一元管理のもとで管理アカウントから確認): ルートとしてサインインできないため、どの MFA より\
             安全です",
        )
    })
}

/// A collection error as text, the way [`crate::Findings::not_evaluated`] words it.
pub(crate) fn error_text(error: &CollectError) -> Text {
    Text::new(error.to_string(), error.to_string())
}

/// The NOT EVALUATED message when the credential report (`first`) and a fallback (`second`) both failed.
pub(crate) fn both_missing(first: &Text, second: &CollectError) -> Text {
    Text::new(
        format!("could not be evaluated: {}; {second}", first.en),
        format!("評価できません: {}; {second}", first.ja),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_whole_and_never_negative() {
        let now: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap();
        assert_eq!(days_since(now, "2026-08-30T00:00:00Z".parse().unwrap()), 90);
        assert_eq!(days_since(now, "2026-08-30T00:00:01Z".parse().unwrap()), 89);
        assert_eq!(days_since(now, "2026-12-01T00:00:00Z".parse().unwrap()), 0);
        assert_eq!(date(now), "2026-11-28");
    }

    #[test]
    fn short_lists_say_how_many_more() {
        let items: Vec<String> = ["a", "b", "c"].map(str::to_owned).to_vec();
        assert_eq!(short_list(&items, 3).0, "a, b, c");
        assert_eq!(short_list(&items, 2), ("a, b and 1 more".to_owned(), "a, b ほか 1 件".to_owned()));
    }
}
