//! `guardline history`: the scans recorded in the history database; and where that database is, for
//! `scan` (which records) and `diff` (which compares).
//!
//! The database is `--history-db FILE`, else `$GUARDLINE_HISTORY_DB` (clap reads it), else
//! `$XDG_DATA_HOME/guardline/history.sqlite3`, else `~/.local/share/guardline/history.sqlite3`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use guardline_history::{History, ScanSummary};
use guardline_report::html::TrendPoint;
use guardline_rules::Evaluation;

use crate::args::{Format, HistoryArgs, HistoryDbArgs};
use crate::lang::{display_width, pad, tr};

/// The history database to use.
pub fn db_path(args: &HistoryDbArgs) -> anyhow::Result<PathBuf> {
    if let Some(path) = &args.history_db {
        return Ok(path.clone());
    }
    let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    // The XDG base directory spec ignores a relative XDG_DATA_HOME.
    let data_home = non_empty("XDG_DATA_HOME")
        .filter(|path| path.is_absolute())
        .or_else(|| non_empty("HOME").map(|home| home.join(".local/share")))
        .context("no history database: set --history-db, GUARDLINE_HISTORY_DB, XDG_DATA_HOME or HOME")?;
    Ok(data_home.join("guardline").join("history.sqlite3"))
}

/// Opens the history database to record, creating it if needed (the error names the file).
pub fn open(args: &HistoryDbArgs) -> anyhow::Result<History> {
    Ok(History::open(&db_path(args)?)?)
}

/// Opens the history database to read it, read-only: `None` when there is none yet (nothing is created).
pub fn open_existing(args: &HistoryDbArgs) -> anyhow::Result<Option<History>> {
    Ok(History::open_existing(&db_path(args)?)?)
}

/// Records a scan's evaluation; a failure is an error naming the database file.
/// Records the scan and returns the account's failing-control counts over its stored scans (oldest first,
/// this scan last, at most [`TREND_SCANS`]) for the HTML report's trend chart.
pub fn record(args: &HistoryDbArgs, evaluation: &Evaluation) -> anyhow::Result<Vec<TrendPoint>> {
    let mut history = open(args).context("recording the scan in the history (--no-history skips it)")?;
    let id =
        history.record(evaluation).context("recording the scan in the history (--no-history skips it)")?;
    tracing::info!(id, database = %history.path().display(), "scan recorded");
    let scans = history.list(Some(&evaluation.account_id)).context("reading the account's earlier scans")?;
    let mut trend: Vec<TrendPoint> = scans
        .iter()
        .map(|scan| TrendPoint {
            collected_at: scan.collected_at.clone(),
            failing_controls: scan.controls.fail + scan.controls.warn,
        })
        .collect();
    trend.sort_by(|a, b| a.collected_at.cmp(&b.collected_at));
    let skip = trend.len().saturating_sub(TREND_SCANS);
    Ok(trend.split_off(skip))
}

/// How many scans the HTML trend chart shows at most.
const TREND_SCANS: usize = 20;

pub fn run(args: HistoryArgs) -> anyhow::Result<bool> {
    let Some(history) = open_existing(&args.history)? else {
        let path = db_path(&args.history)?;
        let text = match args.format {
            Format::Json => "{\n  \"scans\": []\n}\n".to_owned(),
            Format::Terminal => {
                let path = path.display();
                tr!(
                    args.lang.code(),
                    "No history yet at {path} (`guardline scan` records there).\n",
                    "{path} にはまだ履歴がありません(`guardline scan` がそこに記録します)。\n"
                )
            }
        };
        std::io::stdout().write_all(text.as_bytes()).context("writing the history")?;
        return Ok(true);
    };
    let scans = history.list(args.account.as_deref())?;
    let text = match args.format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&serde_json::json!({ "scans": scans }))
                .expect("scan summaries serialize");
            json.push('\n');
            json
        }
        Format::Terminal => render(&scans, history.path().display().to_string(), args.lang.code()),
    };
    std::io::stdout().write_all(text.as_bytes()).context("writing the history")?;
    Ok(true)
}

/// `account (alias)`, or the account ID alone.
pub fn account_label(scan: &ScanSummary) -> String {
    match &scan.account_alias {
        Some(alias) => format!("{} ({alias})", scan.account_id),
        None => scan.account_id.clone(),
    }
}

/// One line per scan, oldest first, with the controls per outcome, in `lang`.
fn render(scans: &[ScanSummary], database: String, lang: &str) -> String {
    if scans.is_empty() {
        return tr!(
            lang,
            "No scans recorded in {database}.\n",
            "{database} に記録されたスキャンはありません。\n"
        );
    }
    let header = if lang == "ja" {
        [
            "ID",
            "収集日時",
            "アカウント",
            "プロファイル",
            "不合格",
            "警告",
            "未評価",
            "例外",
            "対象外",
            "合格",
            "結果",
        ]
    } else {
        [
            "ID",
            "COLLECTED",
            "ACCOUNT",
            "PROFILE",
            "FAIL",
            "WARN",
            "NOT-EVAL",
            "EXCEPTED",
            "NOT-APPL",
            "PASS",
            "RESULT",
        ]
    };
    let (failed, passed) = if lang == "ja" { ("不合格", "合格") } else { ("failed", "passed") };
    let rows: Vec<[String; 11]> = scans
        .iter()
        .map(|scan| {
            let counts = scan.controls;
            [
                scan.id.to_string(),
                scan.collected_at.clone(),
                account_label(scan),
                scan.profile.clone(),
                counts.fail.to_string(),
                counts.warn.to_string(),
                counts.not_evaluated.to_string(),
                counts.excepted.to_string(),
                counts.not_applicable.to_string(),
                counts.pass.to_string(),
                match scan.origin {
                    guardline_history::Origin::Scan => if scan.failed { failed } else { passed }.to_owned(),
                    guardline_history::Origin::Drift => {
                        let result = if scan.failed { failed } else { passed };
                        tr!(lang, "{result} (drift)", "{result}(ドリフト)")
                    }
                },
            ]
        })
        .collect();
    let mut widths = header.map(display_width);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    let mut text = String::new();
    let mut line = |cells: Vec<&str>| {
        let padded: Vec<String> =
            cells.iter().zip(widths).map(|(cell, width)| pad(cell, width, false)).collect();
        text.push_str(padded.join("  ").trim_end());
        text.push('\n');
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
    text.push_str(&tr!(
        lang,
        "Counts are controls by their worst outcome; NOT ADOPTED controls are not counted.\n",
        "件数は最も悪い結果で数えたコントロールの数です。不採用のコントロールは数えません。\n"
    ));
    text
}
