//! Reaching the account (issue 14): `--role-arn ARN [--external-id-env VAR]` on the commands that call AWS
//! (the scan and the write land in the role's account, never the profile's); region names checked before
//! the scan (a typo refused at the command line with a suggestion, a name the account lacks refused with
//! exit 2 instead of scanned into HTTP 500s); and the account that cannot be identified says why in words
//! (a refused connection, no credentials and what was tried), never a debug dump.

use std::path::Path;

use serde_json::Value;

use crate::support::{Run, guardline_in, moto_env};

fn run(dir: &Path, account: &guardline_testkit::Account, args: &[&str], extra: &[(&str, String)]) -> Run {
    let mut env = moto_env(&guardline_testkit::shared().endpoint, &account.credentials);
    env.extend(extra.iter().cloned());
    guardline_in(dir, args, &env)
}

async fn password_policy(account: &guardline_testkit::Account) -> Option<aws_sdk_iam::types::PasswordPolicy> {
    let iam = aws_sdk_iam::Client::new(&account.config);
    iam.get_account_password_policy().send().await.ok().and_then(|answer| answer.password_policy)
}

#[tokio::test(flavor = "multi_thread")]
async fn role_arn_scans_and_fixes_the_roles_account_not_the_profiles() {
    let server = guardline_testkit::shared();
    let (profile, target) = (server.account().await, server.account().await);
    let dir = tempfile::tempdir().unwrap();
    let role = format!("arn:aws:iam::{}:role/Audit", target.id);
    let secret = [("AUDIT_EXTERNAL_ID", "ext-id-SECRET-42".to_owned())];

    let scan = [
        "scan",
        "--role-arn",
        role.as_str(),
        "--external-id-env",
        "AUDIT_EXTERNAL_ID",
        "--region",
        "ap-northeast-1",
        "--format",
        "json",
        "--no-history",
        "--no-progress",
    ];
    let scanned = run(dir.path(), &profile, &scan, &secret);
    assert_eq!(scanned.code, 1, "{}", scanned.stderr);
    let report: Value = serde_json::from_str(&scanned.stdout).expect("a JSON report");
    assert_eq!(report["account_id"], target.id.as_str(), "the role's account is scanned");
    assert!(
        !scanned.stdout.contains("SECRET-42") && !scanned.stderr.contains("SECRET-42"),
        "the external ID"
    );

    let fix = [
        "fix",
        "--role-arn",
        role.as_str(),
        "--only",
        "IAM-007",
        "--region",
        "ap-northeast-1",
        "--account-id",
        target.id.as_str(),
        "--apply",
        "--yes",
        "--no-progress",
    ];
    let fixed = run(dir.path(), &profile, &fix, &[]);
    assert_eq!(fixed.code, 0, "{}\n{}", fixed.stdout, fixed.stderr);
    assert!(fixed.stdout.contains(&format!("Target account: {}", target.id)), "{}", fixed.stdout);
    assert!(password_policy(&target).await.is_some(), "the role's account got the password policy");
    assert!(password_policy(&profile).await.is_none(), "the profile's own account was not changed");

    // The profile's account ID pinned while the role reaches another: refused, nothing written.
    let wrong = [&fix[..9], &[profile.id.as_str(), "--apply", "--yes", "--no-progress"]].concat();
    let refused = run(dir.path(), &profile, &wrong, &[]);
    assert_eq!(refused.code, 2, "{}\n{}", refused.stdout, refused.stderr);
    assert!(password_policy(&profile).await.is_none(), "nothing was written to the profile's account");
}

#[tokio::test(flavor = "multi_thread")]
async fn role_arn_mistakes_are_refused_before_any_call() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["scan", "--role-arn", "Audit", "--no-progress"], "is not an IAM role ARN"),
        (
            &[
                "scan",
                "--role-arn",
                "arn:aws:iam::123456789012:role/Audit",
                "--external-id-env",
                "NOT_SET_ANYWHERE",
            ],
            "the environment variable NOT_SET_ANYWHERE is not set",
        ),
        (
            &["scan", "--demo", "--role-arn", "arn:aws:iam::123456789012:role/Audit"],
            "--role-arn cannot be used with --demo",
        ),
        (&["scan", "--external-id-env", "X"], "--role-arn"),
        (&["fix", "--demo", "--role-arn", "arn:aws:iam::123456789012:role/Audit"], "cannot be used with"),
    ];
    for (args, says) in cases {
        let refused = run(dir.path(), &account, args, &[]);
        assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
        assert!(refused.stderr.contains(says), "{args:?}: {}", refused.stderr);
    }
}

#[test]
fn schedule_apply_names_the_task_role_apart_from_the_role_guardline_assumes() {
    let help = crate::support::guardline(&["schedule", "apply", "--help"]);
    assert!(help.stdout.contains("--task-role-arn <ARN>"), "{}", help.stdout);
    assert!(help.stdout.contains("--role-arn <ARN>"), "{}", help.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn region_names_are_checked_before_the_scan() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let dir = tempfile::tempdir().unwrap();
    // Not a region's shape: a usage error with the region it looks like.
    let typo = run(dir.path(), &account, &["scan", "--regions", "ap-northeast1", "--no-progress"], &[]);
    assert_eq!(typo.code, 2, "{}", typo.stderr);
    assert!(
        typo.stderr.contains("`ap-northeast1` is not a region name; did you mean ap-northeast-1?"),
        "{}",
        typo.stderr
    );
    // A region's shape, but no region: refused before any collector runs, not scanned into NOT EVALUATED.
    let unknown = run(
        dir.path(),
        &account,
        &["scan", "--regions", "us-east-9", "--format", "json", "--no-progress"],
        &[],
    );
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("us-east-9 (did you mean us-east-1?)"), "{}", unknown.stderr);
    assert!(unknown.stdout.is_empty(), "no report: {}", unknown.stdout);
}

#[test]
fn a_refused_connection_is_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_owned()),
        ("AWS_REGION", "ap-northeast-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "secret".to_owned()),
    ];
    for args in [&["scan", "--no-progress", "--max-attempts", "1"][..], &["cost", "--max-attempts", "1"]] {
        let run = guardline_in(dir.path(), args, &env);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("the connection was refused at http://127.0.0.1:9; check the network"),
            "{args:?}: {}",
            run.stderr
        );
        for noise in ["check the AWS credentials", "DispatchFailure", "Os {", "dispatch failure"] {
            assert!(!run.stderr.contains(noise), "{args:?}: {noise} in {}", run.stderr);
        }
    }
}

#[test]
fn no_credentials_says_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let env =
        [("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_owned()), ("AWS_REGION", "ap-northeast-1".to_owned())];
    let run = guardline_in(dir.path(), &["scan", "--no-progress", "--max-attempts", "1"], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for tried in [
        "no AWS credentials were found",
        "AWS_ACCESS_KEY_ID",
        "~/.aws/config",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "instance metadata",
    ] {
        assert!(run.stderr.contains(tried), "{tried} in {}", run.stderr);
    }
}

/// `--output s3://bucket/key`: the report is an object in the caller's own bucket, with its media type;
/// a URL without a key is refused before the scan is written anywhere.
#[tokio::test(flavor = "multi_thread")]
async fn a_report_goes_to_s3() {
    let account = guardline_testkit::shared().account().await;
    let dir = tempfile::tempdir().unwrap();
    let s3 = account.s3();
    let bucket = format!("reports-{}", account.id);
    guardline_testkit::create_bucket(&s3, &bucket).await;
    let url = format!("s3://{bucket}/daily/scan.json");
    let scan = [
        "scan",
        "--region",
        "ap-northeast-1",
        "--format",
        "json",
        "-o",
        url.as_str(),
        "--no-history",
        "--no-progress",
    ];
    let scanned = run(dir.path(), &account, &scan, &[]);
    assert_eq!(scanned.code, 1, "{}", scanned.stderr);
    assert!(scanned.stderr.contains(&format!("wrote the json report to {url}: ")), "{}", scanned.stderr);
    let object = s3.get_object().bucket(&bucket).key("daily/scan.json").send().await.unwrap();
    assert_eq!(object.content_type(), Some("application/json"));
    let body = object.body.collect().await.unwrap().into_bytes();
    let report: Value = serde_json::from_slice(&body).expect("the JSON report");
    assert_eq!(report["account_id"], account.id.as_str());

    let bare = format!("s3://{bucket}");
    let refused = run(dir.path(), &account, &["scan", "--demo", "-o", bare.as_str()], &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("name the object after the bucket"), "{}", refused.stderr);
}
