//! The files Guardline writes: reports are 0600 unless `--report-mode` says otherwise; `--output-dir`'s file
//! names are never followed through a symlink, while the file `--output` names is.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::support::guardline_in;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn reports_are_0600_unless_a_mode_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let run =
        guardline_in(dir.path(), &["scan", "--demo", "--format", "json,html", "--output-dir", "out"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(mode(&dir.path().join("out/guardline-report.json")), 0o600);
    assert_eq!(mode(&dir.path().join("out/guardline-report.html")), 0o600);
    let run = guardline_in(dir.path(), &["scan", "--demo", "--format", "csv", "-o", "report.csv"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(mode(&dir.path().join("report.csv")), 0o600);

    let shared = ["scan", "--demo", "--format", "json", "--output-dir", "out", "--report-mode", "0644"];
    let run = guardline_in(dir.path(), &shared, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(mode(&dir.path().join("out/guardline-report.json")), 0o644, "an existing report is replaced");

    let run = guardline_in(dir.path(), &["scan", "--demo", "--report-mode", "9"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not an octal mode"), "{}", run.stderr);
}

#[test]
fn output_dir_never_writes_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("out/guardline-report.json")).unwrap();
    let run = guardline_in(dir.path(), &["scan", "--demo", "--format", "json", "--output-dir", "out"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("guardline-report.json is a symlink"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
}

#[test]
fn the_file_output_names_is_followed_through_its_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("reports/today.json");
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("latest.json")).unwrap();
    let run = guardline_in(dir.path(), &["scan", "--demo", "--format", "json", "-o", "latest.json"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(report["account_id"], "123456789012");
    assert!(std::fs::symlink_metadata(dir.path().join("latest.json")).unwrap().file_type().is_symlink());
    assert_eq!(mode(&target), 0o600);
}
