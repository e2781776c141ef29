//! The independent cross-check (`tests/crosscheck/`): situations where moto and AWS differ, set up on the test
//! moto server with answers written from the AWS API reference, scanned with this build; every verdict must
//! be the one the documentation implies.

use std::process::Command;

#[test]
fn verdicts_agree_with_the_aws_documentation() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let python = std::env::var("GUARDLINE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let run = Command::new(python)
        .arg(format!("{root}/tests/crosscheck/run_all.py"))
        .env("GUARDLINE_BIN", env!("CARGO_BIN_EXE_guardline"))
        .output()
        .expect("python3 with moto and boto3 (scripts/test installs them)");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let summary = stdout.split("SUMMARY").nth(1).unwrap_or(&stdout);
    assert!(run.status.success(), "{summary}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(!summary.contains("DISAGREE"), "{summary}");
}
