//! `--lang ja` on the commands that print for people, and its default: `GUARDLINE_LANG`, else the locale
//! (`LC_ALL`, `LC_MESSAGES`, `LANG` starting with `ja`), else English.

use crate::support::guardline_in;

const DEMO_SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json");
const DEMO_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/guardline.toml");

fn env(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(key, value)| (*key, (*value).to_owned())).collect()
}

#[test]
fn rule_in_japanese_is_the_generated_japanese_page() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(dir.path(), &["rule", "EC2-001", "--lang", "ja"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules/ja/EC2-001.md"))
            .unwrap();
    assert_eq!(run.stdout, page, "`guardline rule --lang ja` and docs/rules/ja say the same");
    assert!(!run.stdout.contains("## What it checks"), "{}", run.stdout);
    let list = guardline_in(dir.path(), &["rule", "--lang", "ja"], &[]);
    assert!(list.stdout.contains("管理用ポートが全世界に公開されていない"), "{}", list.stdout);
}

#[test]
fn the_locale_picks_the_default_language_and_guardline_lang_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let japanese = |env_vars: &[(&'static str, &str)]| {
        let run = guardline_in(dir.path(), &["rule", "IAM-001"], &env(env_vars));
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.contains("## 確認内容")
    };
    assert!(!japanese(&[]), "English without a locale");
    assert!(japanese(&[("LANG", "ja_JP.UTF-8")]));
    assert!(japanese(&[("LC_MESSAGES", "ja_JP.UTF-8"), ("LANG", "en_US.UTF-8")]));
    assert!(!japanese(&[("LC_ALL", "C.UTF-8"), ("LANG", "ja_JP.UTF-8")]), "LC_ALL wins");
    assert!(!japanese(&[("GUARDLINE_LANG", "en"), ("LANG", "ja_JP.UTF-8")]), "GUARDLINE_LANG wins");
    assert!(japanese(&[("GUARDLINE_LANG", "ja")]));
    // The scan report follows the same default.
    let scan = guardline_in(dir.path(), &["scan", "--demo"], &env(&[("LANG", "ja_JP.UTF-8")]));
    assert!(scan.stdout.contains("セキュリティ強化"), "{}", scan.stdout);
}

#[test]
fn fix_demo_plan_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(dir.path(), &["fix", "--demo", "--lang", "ja"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("対象アカウント: 123456789012 (acme-prod)\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("## How to fix"), "{}", run.stdout);
    insta::assert_snapshot!("fix_demo_ja", run.stdout);
}

#[test]
fn exceptions_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(
        dir.path(),
        &["exceptions", "--config", DEMO_CONFIG, "--today", "2026-11-28", "--within", "64", "--lang", "ja"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("exceptions_ja", run.stdout.replace(DEMO_CONFIG, "demo/guardline.toml"));
}

#[test]
fn history_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let scan = guardline_in(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            DEMO_SNAPSHOT,
            "--config",
            DEMO_CONFIG,
            "--today",
            "2026-11-28",
            "--history-db",
            "h.sqlite3",
            "--format",
            "json",
            "-o",
            "report.json",
        ],
        &[],
    );
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let run = guardline_in(dir.path(), &["history", "--history-db", "h.sqlite3", "--lang", "ja"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("history_ja", run.stdout);
    // One scan: diff says in Japanese that there is nothing to compare yet.
    let diff = guardline_in(dir.path(), &["diff", "--history-db", "h.sqlite3", "--lang", "ja"], &[]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(diff.stderr.contains("スキャンが 2 つ未満しかありません: まだ比較できません"), "{}", diff.stderr);
}

/// The bar: `scan --demo --lang ja --format html` has no English explanation.
#[test]
fn demo_html_report_in_japanese_has_no_english_explanation() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(dir.path(), &["scan", "--demo", "--lang", "ja", "--format", "html"], &[]);
    assert_eq!(run.code, 1, "the demo account fails: {}", run.stderr);
    for heading in guardline_rules::docs::REQUIRED_HEADINGS {
        let text = heading.trim_start_matches("## ");
        assert!(!run.stdout.contains(text), "English heading {text:?} in the Japanese report");
    }
    assert_eq!(run.stdout.matches("<h4>確認内容</h4>").count(), guardline_rules::RULES.len());
}

/// A report written to a file says so on stderr in the report's language.
#[test]
fn the_report_file_line_is_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(
        dir.path(),
        &["scan", "--demo", "--lang", "ja", "--format", "html", "-o", "r.html"],
        &[],
    );
    assert_eq!(run.code, 1, "the demo account fails: {}", run.stderr);
    assert!(run.stderr.contains("html レポートを r.html に書き込みました: "), "{}", run.stderr);
    assert!(!run.stderr.contains("wrote"), "{}", run.stderr);
}
