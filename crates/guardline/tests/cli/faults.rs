//! The scan under faults, through `fault_proxy` between the binary and moto: 10% of requests throttled,
//! failed with 500/503 or dropped change no finding; a service that always fails makes exactly the controls
//! that read it NOT EVALUATED, with the reason; a service that never answers cannot hang the scan.

use std::sync::mpsc;
use std::time::Duration;

use crate::fault_proxy::{FaultProxy, Faults};
use crate::support::{Run, finding_lines, guardline_in, moto_env};

/// Scans the seeded `account` through `proxy` with `extra` arguments; the JSON report.
fn scan(
    account: &guardline_testkit::Account,
    proxy: &FaultProxy,
    extra: &[&str],
) -> (Run, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&proxy.endpoint, &account.credentials);
    let mut args = vec!["scan", "--regions", "ap-northeast-1,us-east-1", "--format", "json", "--no-history"];
    args.extend(["--no-progress"]);
    args.extend(extra);
    let run = guardline_in(dir.path(), &args, &env);
    assert!(run.code == 0 || run.code == 1, "scan failed: {}", run.stderr);
    let report = serde_json::from_str(&run.stdout).unwrap();
    (run, report)
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_percent_faults_change_no_finding() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    crate::moto_scan::seed(&account).await;
    let clean = FaultProxy::start(&server.endpoint, Faults::default());
    let (_, expected) = scan(&account, &clean, &[]);
    assert_eq!(clean.injected(), 0);

    let faulty = FaultProxy::start(&server.endpoint, Faults { fraction: 0.10, seed: 7, ..Faults::default() });
    let (_, report) = scan(&account, &faulty, &[]);
    assert!(faulty.injected() >= 5, "only {} faults in {} requests", faulty.injected(), faulty.requests());
    assert_eq!(finding_lines(&report), finding_lines(&expected));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_failing_for_good_makes_exactly_its_controls_not_evaluated() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    crate::moto_scan::seed(&account).await;
    let (_, expected) = scan(&account, &FaultProxy::start(&server.endpoint, Faults::default()), &[]);

    let faults = Faults { failing_service: Some("guardduty".to_owned()), ..Faults::default() };
    let (_, report) = scan(&account, &FaultProxy::start(&server.endpoint, faults), &["--max-attempts", "2"]);
    let before = finding_lines(&expected);
    let after = finding_lines(&report);
    let changed: Vec<&str> = after.lines().filter(|line| !before.contains(line)).collect();
    assert!(!changed.is_empty());
    for line in &changed {
        let control = line.split(' ').nth(1).unwrap();
        let rule = guardline_rules::find_rule(control).unwrap();
        assert!(line.starts_with("not-evaluated "), "{line}");
        assert!(
            rule.data.iter().any(|action| action.starts_with("guardduty:")),
            "{control} does not read GuardDuty: {line}"
        );
        assert!(line.contains("guardduty:ListDetectors"), "the reason names the call: {line}");
    }
    // GuardDuty's own control is NOT EVALUATED in every region; controls that do not read GuardDuty are
    // unchanged.
    let guardduty: Vec<&str> = after.lines().filter(|line| line.contains(" GUARDDUTY-001 ")).collect();
    assert_eq!(guardduty.len(), 2, "{after}");
    assert!(guardduty.iter().all(|line| line.starts_with("not-evaluated ")), "{after}");
    for line in before.lines().filter(|line| !after.contains(line)) {
        let control = line.split(' ').nth(1).unwrap();
        let rule = guardline_rules::find_rule(control).unwrap();
        assert!(rule.data.iter().any(|action| action.starts_with("guardduty:")), "{control} changed: {line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hung_endpoint_cannot_hang_the_scan() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let faults = Faults { hanging_service: Some("securityhub".to_owned()), ..Faults::default() };
    let proxy = FaultProxy::start(&server.endpoint, faults);
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let result = scan(&account, &proxy, &["--call-timeout", "2", "--max-attempts", "2"]);
        let _ = sender.send(result);
    });
    let (_, report) =
        receiver.recv_timeout(Duration::from_secs(120)).expect("the scan finished despite the hang");
    let lines = finding_lines(&report);
    let hub: Vec<&str> = lines.lines().filter(|line| line.contains(" HUB-001 ")).collect();
    assert_eq!(hub.len(), 2, "{lines}");
    for line in hub {
        assert!(line.starts_with("not-evaluated ") && line.contains("timed out"), "{line}");
    }
}

/// Every call to the results bucket names the bucket's expected owner, the caller's own account, so a bucket
/// of the same name in another account (a lapsed bucket re-registered by someone else) is refused by S3
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html) instead of read.
#[tokio::test(flavor = "multi_thread")]
async fn the_results_bucket_is_read_with_its_expected_owner() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let s3 = aws_sdk_s3::Client::new(&account.config);
    let bucket = format!("results-{}", account.id);
    guardline_testkit::create_bucket(&s3, &bucket).await;
    let proxy = FaultProxy::start(&server.endpoint, Faults::default());
    let env = moto_env(&proxy.endpoint, &account.credentials);
    let dir = tempfile::tempdir().unwrap();
    // No shard was written there: the merge fails, after asking S3 for the shards' manifest.
    let run = guardline_in(dir.path(), &["merge", &format!("s3://{bucket}/run-1")], &env);
    assert_ne!(run.code, 0, "{}", run.stdout);
    let s3_requests: Vec<_> =
        proxy.recorded().into_iter().filter(|request| request.service == "s3").collect();
    assert!(!s3_requests.is_empty(), "no S3 request: {}", run.stderr);
    for request in &s3_requests {
        assert_eq!(request.expected_bucket_owner.as_deref(), Some(account.id.as_str()), "{request:?}");
    }
}
