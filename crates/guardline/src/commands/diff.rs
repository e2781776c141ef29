//! `guardline diff`: what changed between two recorded scans: new failures, resolved failures, failures no
//! longer evaluated, failures no longer applicable and failures still there. A finding is identified by (account, control, region,
//! resource, subject) and is failing when its outcome is FAIL or WARN (see `guardline_history::diff`).
//! Exit 0 whatever the diff says, and when there is nothing to compare yet (no database, fewer than two
//! scans of the account), which it says; 2 for a usage error (several accounts, an unknown scan ID).

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::Context as _;
use guardline_history::{Diff, DiffEntry, History};
use guardline_rules::Outcome;

use crate::args::{DiffArgs, Format};
use crate::commands::history::{account_label, db_path, open_existing};
use crate::lang::tr;

pub fn run(args: DiffArgs) -> anyhow::Result<bool> {
    let lang = args.lang.code();
    let Some(history) = open_existing(&args.history)? else {
        let path = db_path(&args.history)?;
        let path = path.display();
        if args.old.is_some() {
            anyhow::bail!(tr!(
                lang,
                "no history yet at {path}: no scan to compare",
                "{path} にはまだ履歴がありません: 比較するスキャンがありません"
            ));
        }
        return nothing_to_compare(
            &tr!(lang, "no history yet at {path}", "{path} にはまだ履歴がありません"),
            lang,
        );
    };
    let (old, new) = match (args.old, args.new) {
        (Some(old), Some(new)) => (old, new),
        (None, Some(_)) | (Some(_), None) => anyhow::bail!(tr!(
            lang,
            "give both OLD and NEW scan IDs, or neither",
            "OLD と NEW のスキャン ID を両方指定するか、どちらも指定しないでください"
        )),
        (None, None) => match default_pair(&history, args.account.as_deref(), lang)? {
            Ok(pair) => pair,
            Err(reason) => return nothing_to_compare(&reason, lang),
        },
    };
    let diff = history.diff(old, new)?;
    let text = match args.format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&diff).expect("a diff serializes");
            json.push('\n');
            json
        }
        Format::Terminal => render(&diff, lang),
    };
    std::io::stdout().write_all(text.as_bytes()).context("writing the diff")?;
    Ok(true)
}

/// "Nothing to compare" is not a failure: said on stderr, exit 0 (stdout stays empty, for tools).
fn nothing_to_compare(reason: &str, lang: &str) -> anyhow::Result<bool> {
    eprintln!(
        "{}",
        tr!(
            lang,
            "{reason}: nothing to compare yet (a diff needs two recorded scans of the account)",
            "{reason}: まだ比較できません(差分にはそのアカウントの記録済みスキャンが 2 つ必要です)"
        )
    );
    Ok(true)
}

/// The last two scans of `account`, or of the only account in the database; the inner `Err` says why
/// there is nothing to compare yet.
fn default_pair(
    history: &History,
    account: Option<&str>,
    lang: &str,
) -> anyhow::Result<Result<(i64, i64), String>> {
    let database = history.path().display();
    let account = match account {
        Some(account) => account.to_owned(),
        None => match &history.accounts()?[..] {
            [] => {
                return Ok(Err(tr!(
                    lang,
                    "no scans recorded in {database}",
                    "{database} に記録されたスキャンはありません"
                )));
            }
            [only] => only.clone(),
            several => {
                let accounts = several.join(", ");
                anyhow::bail!(tr!(
                    lang,
                    "{database} holds scans of several accounts ({accounts}): choose one with --account",
                    "{database} には複数のアカウント ({accounts}) のスキャンがあります: --account で 1 つ選んでください"
                ))
            }
        },
    };
    Ok(history.last_two(&account)?.ok_or_else(|| {
        tr!(
            lang,
            "{database} holds fewer than two scans of account {account}",
            "{database} にはアカウント {account} のスキャンが 2 つ未満しかありません"
        )
    }))
}

fn label(outcome: Option<Outcome>, lang: &str) -> &'static str {
    match (outcome, lang) {
        (Some(outcome), "ja") => outcome.label_ja(),
        (Some(outcome), _) => outcome.label(),
        (None, "ja") => "なし",
        (None, _) => "GONE",
    }
}

fn render(diff: &Diff, lang: &str) -> String {
    let ja = lang == "ja";
    let mut text = String::new();
    let scan = |summary: &guardline_history::ScanSummary| {
        format!("{} {} ({})", if ja { "スキャン" } else { "scan" }, summary.id, summary.collected_at)
    };
    let _ = writeln!(text, "{} → {}: {}", scan(&diff.old), scan(&diff.new), account_label(&diff.new));
    if diff.old.account_id != diff.new.account_id {
        let _ = writeln!(text, "(the older scan is of account {})", account_label(&diff.old));
    }
    let groups: [(&str, &str, &[DiffEntry]); 5] = [
        ("New failures", "新たな不合格", &diff.new_failures),
        ("Resolved", "解消", &diff.resolved),
        (
            "No longer evaluated (was failing; not known to be fixed)",
            "未評価に変化（以前は不合格、解消は未確認）",
            &diff.no_longer_evaluated,
        ),
        (
            "No longer applicable (was failing; the control no longer applies, not fixed)",
            "対象外に変化（以前は不合格、統制が適用されなくなっただけで解消ではありません）",
            &diff.no_longer_applicable,
        ),
        ("Still failing", "引き続き不合格", &diff.still_failing),
    ];
    for (en, ja_title, entries) in groups {
        let _ = writeln!(text, "\n{} ({})", if ja { ja_title } else { en }, entries.len());
        for entry in entries {
            let finding = &entry.finding;
            let _ = writeln!(
                text,
                "  {} → {}  {} {} {}",
                label(entry.before, lang),
                label(entry.after, lang),
                finding.control,
                finding.region,
                finding.resource
            );
            let _ = writeln!(text, "      {}", finding.message.get(lang));
        }
    }
    text
}
