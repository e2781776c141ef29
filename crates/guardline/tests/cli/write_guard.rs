//! The write guard of `guardline fix` against moto server: the identity that writes is the one that was
//! checked (a profile that switches account mid-run is refused with nothing written), saved plans are
//! applied exactly as reviewed (and refused when altered, stale, for another account or drifted), a failed
//! step skips only what depends on it, and the fixes never weaken what they re-read (IAM-007's password
//! policy, the alert topic's policy).

use std::path::Path;

use serde_json::Value;

use crate::support::{Run, guardline_in, moto_env, switching_profile};

/// A config for `account` in Tokyo, pinned by ID, with the `[fix]` values the tests' controls need.
fn pinned_config(dir: &Path, account: &guardline_testkit::Account) -> String {
    let path = dir.join("guardline.toml");
    let text = format!(
        "[scan]\nregions = [\"ap-northeast-1\"]\n\n[[accounts]]\nid = \"{}\"\nprofile = \"default\"\n\n[fix]\n\
         notify = [\"security@example.com\"]\n",
        account.id
    );
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn run(dir: &Path, account: &guardline_testkit::Account, args: &[&str]) -> Run {
    guardline_in(dir, args, &moto_env(&guardline_testkit::shared().endpoint, &account.credentials))
}

fn strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

async fn detector_ids(account: &guardline_testkit::Account) -> Vec<String> {
    let guardduty = aws_sdk_guardduty::Client::new(&account.config);
    guardduty.list_detectors().send().await.unwrap().detector_ids().to_vec()
}

async fn password_policy(account: &guardline_testkit::Account) -> Option<aws_sdk_iam::types::PasswordPolicy> {
    let iam = aws_sdk_iam::Client::new(&account.config);
    iam.get_account_password_policy().send().await.ok().and_then(|answer| answer.password_policy)
}

/// The profile hands out account A's credentials for the scan and account B's afterwards: before, `fix`
/// loaded the profile a second time to write and applied A's plan to B.
#[tokio::test(flavor = "multi_thread")]
async fn credentials_that_change_account_before_the_write_are_refused() {
    let server = guardline_testkit::shared();
    let (checked, other) = (server.account().await, server.account().await);
    let dir = tempfile::tempdir().unwrap();
    let config = pinned_config(dir.path(), &checked);
    let env = switching_profile(dir.path(), &server.endpoint, &checked.credentials, &other.credentials);
    let applied = guardline_in(
        dir.path(),
        &["fix", "--config", &config, "--only", "GUARDDUTY-001,IAM-007", "--apply", "--yes", "--no-progress"],
        &env,
    );
    assert_eq!(applied.code, 2, "{}\n{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains(&format!("Target account: {}", checked.id)), "{}", applied.stdout);
    assert!(applied.stderr.contains("refused, nothing was changed"), "{}", applied.stderr);
    assert!(applied.stderr.contains(&other.id), "the refusal names the account reached: {}", applied.stderr);
    for account in [&checked, &other] {
        assert!(detector_ids(account).await.is_empty(), "a detector was created in {}", account.id);
        assert!(password_policy(account).await.is_none(), "a password policy was set in {}", account.id);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_applied_exactly_as_reviewed() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let dir = tempfile::tempdir().unwrap();
    let config = pinned_config(dir.path(), &account);
    let base = ["fix", "--config", &config, "--no-progress"];

    let planned = run(
        dir.path(),
        &account,
        &[&base[..], &["--only", "GUARDDUTY-001,IAM-007", "--plan-out", "plan.json"]].concat(),
    );
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    assert!(planned.stderr.contains("written to plan.json"), "{}", planned.stderr);
    let text = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    let plan: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(plan["kind"], "guardline-fix-plan");
    assert_eq!(plan["account"]["id"], account.id.as_str());
    assert_eq!(plan["regions"], serde_json::json!(["ap-northeast-1"]));
    assert!(plan["content_hash"].as_str().unwrap().starts_with("sha256:"));
    let steps = plan["plan"]["steps"].as_array().unwrap();
    let controls: Vec<&str> = steps.iter().map(|step| step["control"].as_str().unwrap()).collect();
    assert_eq!(controls, ["IAM-007", "GUARDDUTY-001"]);
    assert!(steps[1]["calls"].as_array().unwrap().contains(&Value::from("guardduty:CreateDetector")));
    assert!(!steps[1]["because"].as_array().unwrap().is_empty(), "the findings behind the step");
    assert!(detector_ids(&account).await.is_empty(), "--plan-out changed something");

    // Without --apply, --apply-plan only checks that the plan still applies.
    let checked = run(dir.path(), &account, &[&base[..], &["--apply-plan", "plan.json"]].concat());
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert!(checked.stdout.contains("still applies"), "{}", checked.stdout);
    assert!(detector_ids(&account).await.is_empty());

    let applied =
        run(dir.path(), &account, &[&base[..], &["--apply-plan", "plan.json", "--apply", "--yes"]].concat());
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("Applied 2 of 2 step(s)"), "{}", applied.stdout);
    assert_eq!(detector_ids(&account).await.len(), 1);
    assert!(password_policy(&account).await.is_some());

    // Applied, the plan no longer matches the account: applying it again is refused as drifted.
    let again =
        run(dir.path(), &account, &[&base[..], &["--apply-plan", "plan.json", "--apply", "--yes"]].concat());
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(
        again.stderr.contains("step 1 (IAM-007 global): the live state no longer calls for it"),
        "{}",
        again.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn altered_stale_foreign_and_drifted_plans_are_refused() {
    let server = guardline_testkit::shared();
    let (account, other) = (server.account().await, server.account().await);
    let dir = tempfile::tempdir().unwrap();
    let config = pinned_config(dir.path(), &account);
    let base = ["fix", "--config", &config, "--no-progress"];
    let planned = run(
        dir.path(),
        &account,
        &[&base[..], &["--only", "GUARDDUTY-001", "--plan-out", "plan.json"]].concat(),
    );
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let apply = |plan: &str, extra: &[&str]| -> Vec<String> {
        let fixed = ["--apply-plan", plan, "--apply", "--yes"];
        base.iter().chain(&fixed).chain(extra).map(|arg| (*arg).to_owned()).collect()
    };

    // Altered: the plan now says to enable another detector.
    let text = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    let altered = text.replace("\"disabled_detector\": null", "\"disabled_detector\": \"1234\"");
    assert_ne!(altered, text);
    std::fs::write(dir.path().join("altered.json"), altered).unwrap();
    let list = apply("altered.json", &[]);
    let refused = run(dir.path(), &account, &strs(&list));
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("was altered after it was written"), "{}", refused.stderr);

    // Stale: older than --max-plan-age.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let list = apply("plan.json", &["--max-plan-age", "1s"]);
    let refused = run(dir.path(), &account, &strs(&list));
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--max-plan-age allows"), "{}", refused.stderr);

    // For another account: the credentials reach `other`.
    let list = apply("plan.json", &["--account-id", &other.id]);
    let refused = run(dir.path(), &other, &strs(&list));
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains(&format!("the plan is for account {}", account.id)),
        "{}",
        refused.stderr
    );

    // Drifted: someone created a disabled detector since; the plan's "create a detector" no longer holds.
    let guardduty = aws_sdk_guardduty::Client::new(&account.config);
    let detector = guardduty.create_detector().enable(false).send().await.unwrap();
    let list = apply("plan.json", &[]);
    let refused = run(dir.path(), &account, &strs(&list));
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("step 1 (GUARDDUTY-001 ap-northeast-1): planned"), "{}", refused.stderr);
    assert!(refused.stderr.contains(detector.detector_id().unwrap()), "{}", refused.stderr);
    assert_eq!(detector_ids(&account).await.len(), 1, "nothing was created");
    let enabled = guardduty.get_detector().detector_id(detector.detector_id().unwrap()).send().await.unwrap();
    assert_ne!(enabled.status().map(|status| status.as_str()), Some("ENABLED"), "nothing was enabled");
}

/// IAM-007 on an account whose policy is stricter than the profile in some fields and weaker in others:
/// the fix raises the weaker ones and keeps the rest, `MaxPasswordAge` and `HardExpiry` included (before,
/// `UpdateAccountPasswordPolicy` with the profile's values alone lowered the length and dropped both).
#[tokio::test(flavor = "multi_thread")]
async fn the_password_policy_fix_never_weakens_the_policy() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let iam = aws_sdk_iam::Client::new(&account.config);
    iam.update_account_password_policy()
        .minimum_password_length(20)
        .max_password_age(60)
        .hard_expiry(true)
        .password_reuse_prevention(5)
        .require_numbers(true)
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = pinned_config(dir.path(), &account);
    let applied = run(
        dir.path(),
        &account,
        &["fix", "--config", &config, "--only", "IAM-007", "--apply", "--yes", "--no-progress"],
    );
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("iam:UpdateAccountPasswordPolicy"), "{}", applied.stdout);
    let policy = password_policy(&account).await.unwrap();
    assert_eq!(policy.minimum_password_length(), Some(20), "the longer minimum is kept");
    assert_eq!(policy.max_password_age(), Some(60), "the expiry is kept");
    assert_eq!(policy.hard_expiry(), Some(true));
    assert_eq!(policy.password_reuse_prevention(), Some(24), "raised to the profile's");
    assert!(policy.require_symbols() && policy.require_numbers() && policy.require_uppercase_characters());

    let again = run(
        dir.path(),
        &account,
        &["fix", "--config", &config, "--only", "IAM-007", "--apply", "--yes", "--no-progress"],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("Nothing to do"), "{}", again.stdout);
}

/// The alert topic already has a policy a team wrote (a CloudWatch alarm's grant): the route fix merges its
/// own statement in by Sid and keeps the team's.
#[tokio::test(flavor = "multi_thread")]
async fn the_alert_topic_policy_is_merged_not_replaced() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    aws_sdk_guardduty::Client::new(&account.config).create_detector().enable(true).send().await.unwrap();
    let sns = aws_sdk_sns::Client::new(&account.config);
    let topic = sns.create_topic().name("guardline-security-alerts").send().await.unwrap();
    let arn = topic.topic_arn().unwrap();
    let team = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "CloudWatchAlarms", "Effect": "Allow",
                       "Principal": {"Service": "cloudwatch.amazonaws.com"},
                       "Action": "sns:Publish", "Resource": arn}],
    });
    sns.set_topic_attributes()
        .topic_arn(arn)
        .attribute_name("Policy")
        .attribute_value(team.to_string())
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = pinned_config(dir.path(), &account);
    let applied = run(
        dir.path(),
        &account,
        &["fix", "--config", &config, "--only", "GUARDDUTY-002", "--apply", "--yes", "--no-progress"],
    );
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    let attributes = sns.get_topic_attributes().topic_arn(arn).send().await.unwrap();
    let policy: Value = serde_json::from_str(&attributes.attributes().unwrap()["Policy"]).unwrap();
    let sids: Vec<&str> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|statement| statement["Sid"].as_str())
        .collect();
    assert_eq!(sids, ["CloudWatchAlarms", "GuardlineEventBridgePublish"], "{policy}");
}
