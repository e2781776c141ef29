//! `guardline diff`: what changed between two recorded scans: new failures, resolved failures and failures
//! still there. A finding is identified by (account, control, region, resource) and is failing when its
//! outcome is FAIL or WARN (see `guardline_history::diff`). Exit 0 whatever the diff says.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::Context as _;
use guardline_history::{Diff, DiffEntry, History};
use guardline_rules::Outcome;

use crate::args::{DiffArgs, Format};
use crate::commands::history::{account_label, open};

pub fn run(args: DiffArgs) -> anyhow::Result<bool> {
    let history = open(&args.history)?;
    let (old, new) = match (args.old, args.new) {
        (Some(old), Some(new)) => (old, new),
        (None, Some(_)) | (Some(_), None) => anyhow::bail!("give both OLD and NEW scan IDs, or neither"),
        (None, None) => default_pair(&history, args.account.as_deref())?,
    };
    let diff = history.diff(old, new)?;
    let lang = args.lang.code();
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

/// The last two scans of `account`, or of the only account in the database.
fn default_pair(history: &History, account: Option<&str>) -> anyhow::Result<(i64, i64)> {
    let database = history.path().display();
    let account = match account {
        Some(account) => account.to_owned(),
        None => match &history.accounts()?[..] {
            [] => anyhow::bail!("no scans recorded in {database}"),
            [only] => only.clone(),
            several => anyhow::bail!(
                "{database} holds scans of several accounts ({}): choose one with --account",
                several.join(", ")
            ),
        },
    };
    history.last_two(&account)?.with_context(|| {
        format!("{database} holds fewer than two scans of account {account}: nothing to compare")
    })
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
    let groups: [(&str, &str, &[DiffEntry]); 3] = [
        ("New failures", "新たな不合格", &diff.new_failures),
        ("Resolved", "解消", &diff.resolved),
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
