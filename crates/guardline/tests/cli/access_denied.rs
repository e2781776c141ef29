//! IAM permission checks on (moto `reset-auth`): a denied service becomes NOT EVALUATED with the reason.

use crate::support::{finding_lines, guardline_in, moto_env};

/// With IAM permission checks on, a user denied GuardDuty gets NOT EVALUATED for exactly the GuardDuty
/// controls (with the reason), and everything else is still evaluated.
#[tokio::test(flavor = "multi_thread")]
async fn denied_service_is_not_evaluated_and_the_scan_goes_on() {
    // A server of its own: permission checks apply to the whole server.
    let server = guardline_testkit::MotoServer::start();
    let account = server.account().await;
    let iam = aws_sdk_iam::Client::new(&account.config);
    iam.create_user().user_name("auditor").send().await.unwrap();
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"guardduty:*","Resource":"*"}]}"#;
    iam.put_user_policy()
        .user_name("auditor")
        .policy_name("audit")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    let key = iam.create_access_key().user_name("auditor").send().await.unwrap();
    let key = key.access_key().unwrap();
    let credentials = aws_credential_types::Credentials::new(
        key.access_key_id(),
        key.secret_access_key(),
        None,
        None,
        "user",
    );
    server.control("/moto-api/reset-auth", "text/plain", "0");

    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &credentials);
    let run = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || {
            guardline_in(
                &dir,
                &["scan", "--region", "ap-northeast-1", "--format", "json", "--max-attempts", "1"],
                &env,
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let lines = finding_lines(&report);
    let guardduty: Vec<&str> = lines.lines().filter(|line| line.contains(" GUARDDUTY-001 ")).collect();
    assert_eq!(guardduty.len(), 1, "{lines}");
    assert!(guardduty[0].starts_with("not-evaluated GUARDDUTY-001 ap-northeast-1"), "{lines}");
    assert!(guardduty[0].contains("guardduty:ListDetectors access denied"), "{lines}");
    assert!(lines.contains("pass EC2-001 ap-northeast-1"), "EC2 is still evaluated:\n{lines}");
    assert!(
        lines.contains("fail ACCOUNT-002 global") || lines.contains("not-evaluated ACCOUNT-002"),
        "{lines}"
    );
}
