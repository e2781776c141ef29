//! `scan --send-to-security-hub` against moto server: findings land in their ProductArn's region, a second
//! import updates them instead of duplicating them, a failed import is exit 2 after the report, and the demo
//! account cannot be sent.
//!
//! moto's GetFindings ignores filters, so the findings are filtered here by `GeneratorId` (`guardline/`).
//! Decoding a GetFindings answer needs a large stack in debug builds (see `guardline-collect`'s
//! `securityhub.rs`), so every test body runs on a thread of its own with a big stack.

use std::path::Path;

use aws_sdk_securityhub::types::AwsSecurityFinding;
use serde_json::Value;

use crate::support::{guardline, guardline_in, moto_env};

const STACK: usize = 64 * 1024 * 1024;

/// Runs `test` on a big-stack thread with a runtime of its own.
fn on_big_stack(test: impl std::future::Future<Output = ()> + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(test)
        })
        .unwrap()
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

/// Guardline's findings in one region of the account.
async fn guardline_findings(account: &guardline_testkit::Account, region: &str) -> Vec<AwsSecurityFinding> {
    let hub = aws_sdk_securityhub::Client::new(&account.in_region(region));
    let output = hub.get_findings().send().await.unwrap();
    output
        .findings()
        .iter()
        .filter(|finding| {
            finding.generator_id().is_some_and(|id| id.starts_with("guardline/"))
                && finding.product_arn().is_some_and(|arn| arn.contains(&format!(":{region}:")))
        })
        .cloned()
        .collect()
}

/// The ASFF findings of the report in `dir` whose ProductArn is in `region`.
fn asff_in(dir: &Path, region: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("guardline-report.asff.json")).unwrap();
    let findings: Vec<Value> = serde_json::from_str(&text).unwrap();
    findings
        .into_iter()
        .filter(|finding| finding["ProductArn"].as_str().unwrap().contains(&format!(":{region}:")))
        .collect()
}

#[test]
fn findings_are_imported_per_region_and_updated_on_reimport() {
    on_big_stack(async {
        let server = guardline_testkit::shared();
        let account = server.account().await;
        for region in ["ap-northeast-1", "us-east-1"] {
            aws_sdk_securityhub::Client::new(&account.in_region(region))
                .enable_security_hub()
                .send()
                .await
                .unwrap();
        }
        let ec2 = aws_sdk_ec2::Client::new(&account.config);
        let group =
            ec2.create_security_group().group_name("bastion").description("ssh").send().await.unwrap();
        ec2.authorize_security_group_ingress()
            .group_id(group.group_id().unwrap())
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .cidr_ip("0.0.0.0/0")
            .send()
            .await
            .unwrap();

        let dir = tempfile::tempdir().unwrap();
        let env = moto_env(&server.endpoint, &account.credentials);
        let args = [
            "scan",
            "--region",
            "ap-northeast-1",
            "--format",
            "json,asff",
            "--output-dir",
            "out",
            "--max-attempts",
            "1",
            "--no-history",
            "--no-progress",
            "--send-to-security-hub",
            "--yes",
            "--account-id",
            &account.id,
        ];
        let first = guardline_in(dir.path(), &args, &env);
        assert_eq!(first.code, 1, "{}", first.stderr);
        let out = dir.path().join("out");

        let mut counts = Vec::new();
        for region in ["ap-northeast-1", "us-east-1"] {
            let expected = asff_in(&out, region);
            assert!(!expected.is_empty(), "no ASFF findings for {region}");
            assert!(
                first.stderr.contains(&format!(
                    "Security Hub: imported {0} of {0} finding(s) into {region}",
                    expected.len()
                )),
                "{}",
                first.stderr
            );
            let found = guardline_findings(&account, region).await;
            assert_eq!(found.len(), expected.len(), "{region}");
            let mut ids: Vec<&str> = found.iter().filter_map(AwsSecurityFinding::id).collect();
            ids.sort_unstable();
            let mut expected_ids: Vec<&str> = expected.iter().map(|f| f["Id"].as_str().unwrap()).collect();
            expected_ids.sort_unstable();
            assert_eq!(ids, expected_ids, "{region}");
            counts.push(found.len());
        }
        let tokyo = guardline_findings(&account, "ap-northeast-1").await;
        let ssh = tokyo
            .iter()
            .find(|finding| {
                finding.generator_id() == Some("guardline/EC2-001")
                    && finding
                        .resources()
                        .iter()
                        .any(|r| r.id().is_some_and(|id| id.contains(group.group_id().unwrap())))
            })
            .expect("the EC2-001 finding of the SSH-open group");
        assert_eq!(ssh.compliance().and_then(|c| c.status()).map(|s| s.as_str()), Some("FAILED"));
        assert_eq!(ssh.aws_account_id(), Some(account.id.as_str()));
        // Account-wide findings go to us-east-1, none to Tokyo.
        assert!(tokyo.iter().all(|finding| finding.region() == Some("ap-northeast-1")));

        // The same findings again: updated in place, not duplicated.
        let second = guardline_in(dir.path(), &args, &env);
        assert_eq!(second.code, 1, "{}", second.stderr);
        for (region, count) in ["ap-northeast-1", "us-east-1"].into_iter().zip(counts) {
            let found = guardline_findings(&account, region).await;
            assert_eq!(found.len(), count, "{region} grew on re-import");
            // The second scan's findings are the same ones (its HUB-002 does not count Guardline's own).
            let mut ids: Vec<&str> = found.iter().filter_map(AwsSecurityFinding::id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), count, "{region}: duplicate Ids");
            assert_eq!(asff_in(&out, region).len(), count, "{region}: the second scan found something else");
        }
    });
}

#[test]
fn a_failed_import_is_exit_2_after_the_report() {
    on_big_stack(async {
        let server = guardline_testkit::shared();
        let account = server.account().await;
        let dir = tempfile::tempdir().unwrap();
        let env = moto_env(&server.endpoint, &account.credentials);
        let collect = guardline_in(
            dir.path(),
            &["collect", "-o", "snap.json", "--region", "ap-northeast-1", "--no-progress"],
            &env,
        );
        assert_eq!(collect.code, 0, "{}", collect.stderr);

        // Nothing listens on port 1: every BatchImportFindings call fails (STS still answers, so the write
        // guard identifies the account).
        let mut env = env;
        env.push(("AWS_ENDPOINT_URL_SECURITYHUB", "http://127.0.0.1:1".to_owned()));
        let run = guardline_in(
            dir.path(),
            &[
                "scan",
                "--snapshot",
                "snap.json",
                "--format",
                "json",
                "--no-history",
                "--max-attempts",
                "1",
                "--send-to-security-hub",
                "--yes",
                "--account-id",
                &account.id,
            ],
            &env,
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        let report: Value = serde_json::from_str(&run.stdout).expect("the report was written first");
        assert_eq!(report["account_id"], account.id.as_str());
        assert!(run.stderr.contains("Security Hub import failed"), "{}", run.stderr);
        assert!(run.stderr.contains("BatchImportFindings"), "{}", run.stderr);
        for region in ["ap-northeast-1", "us-east-1"] {
            let line = run
                .stderr
                .lines()
                .find(|line| line.starts_with("Security Hub: imported 0 of ") && line.ends_with(region))
                .unwrap_or_else(|| panic!("no count for {region}: {}", run.stderr));
            let sent: usize = line.split(' ').nth(5).unwrap().parse().unwrap();
            assert!(sent > 0, "{line}");
            assert!(
                run.stderr.contains(&format!("{region}: {sent} of {sent} finding(s) not imported")),
                "{}",
                run.stderr
            );
        }
    });
}

#[test]
fn the_demo_cannot_be_sent() {
    let run = guardline(&["scan", "--demo", "--send-to-security-hub"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--send-to-security-hub") && run.stderr.contains("--demo"), "{}", run.stderr);
}

#[test]
fn the_help_says_it_writes() {
    let run = guardline(&["scan", "--help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("--send-to-security-hub"), "{}", run.stdout);
    assert!(run.stdout.contains("WRITES to AWS") && run.stdout.contains("securityhub:BatchImportFindings"));
}

/// The import goes through the write guard: a profile that reaches another account when the import starts is
/// refused (before, the import loaded the profile again and sent account A's findings to B), and so are an
/// unpinned account, a snapshot of another account and a stale one, the last two unless --force-snapshot.
#[test]
fn the_import_is_guarded_like_every_write() {
    on_big_stack(async {
        let server = guardline_testkit::shared();
        let (checked, other) = (server.account().await, server.account().await);
        for account in [&checked, &other] {
            for region in ["ap-northeast-1", "us-east-1"] {
                let hub = aws_sdk_securityhub::Client::new(&account.in_region(region));
                hub.enable_security_hub().send().await.unwrap();
            }
        }
        let imported = |account: &'static guardline_testkit::Account| async move {
            let mut count = 0;
            for region in ["ap-northeast-1", "us-east-1"] {
                count += guardline_findings(account, region).await.len();
            }
            count
        };
        let (checked, other): (&'static _, &'static _) =
            (Box::leak(Box::new(checked)), Box::leak(Box::new(other)));
        let dir = tempfile::tempdir().unwrap();
        let scan =
            ["scan", "--region", "ap-northeast-1", "--format", "json", "--no-history", "--no-progress"];
        let send = ["--send-to-security-hub", "--yes"];

        // The profile switches to `other` after the scan.
        let switching = crate::support::switching_profile(
            dir.path(),
            &server.endpoint,
            &checked.credentials,
            &other.credentials,
        );
        let pin = ["--account-id", checked.id.as_str()];
        let run = guardline_in(dir.path(), &[&scan[..], &send, &pin].concat(), &switching);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("refused, nothing was imported"), "{}", run.stderr);
        assert!(run.stderr.contains(&other.id), "{}", run.stderr);
        assert_eq!((imported(checked).await, imported(other).await), (0, 0));

        // Not pinned: neither the config nor --account-id names the account.
        let env = moto_env(&server.endpoint, &checked.credentials);
        let run = guardline_in(dir.path(), &[&scan[..], &send].concat(), &env);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(&format!("--account-id {}", checked.id)), "{}", run.stderr);
        assert_eq!(imported(checked).await, 0);

        // A snapshot of `checked`, imported with `other`'s credentials: refused.
        let collect = guardline_in(
            dir.path(),
            &["collect", "-o", "snap.json", "--region", "ap-northeast-1", "--no-progress"],
            &env,
        );
        assert_eq!(collect.code, 0, "{}", collect.stderr);
        let from_snapshot = ["scan", "--snapshot", "snap.json", "--format", "json", "--no-history"];
        let other_env = moto_env(&server.endpoint, &other.credentials);
        let other_pin = ["--account-id", other.id.as_str()];
        let run = guardline_in(dir.path(), &[&from_snapshot[..], &send, &other_pin].concat(), &other_env);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(&format!("the snapshot is of account {}", checked.id)), "{}", run.stderr);
        assert_eq!(imported(other).await, 0);

        // A snapshot collected two days ago: refused, then imported with --force-snapshot.
        let mut snapshot: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("snap.json")).unwrap()).unwrap();
        let old = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(48);
        snapshot["collected_at"] = Value::from(old.to_string());
        std::fs::write(dir.path().join("old.json"), snapshot.to_string()).unwrap();
        let from_old = ["scan", "--snapshot", "old.json", "--format", "json", "--no-history"];
        let run = guardline_in(dir.path(), &[&from_old[..], &send, &pin].concat(), &env);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("more than 24 hours ago"), "{}", run.stderr);
        assert_eq!(imported(checked).await, 0);
        let run =
            guardline_in(dir.path(), &[&from_old[..], &send, &pin, &["--force-snapshot"]].concat(), &env);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("--force-snapshot: importing although"), "{}", run.stderr);
        assert!(imported(checked).await > 0);
    });
}
