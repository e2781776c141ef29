//! `guardline fix` against moto server: a bare account's plan changes nothing until `--apply`; applied, a
//! rescan passes every planned control; a second apply is a no-op; a pin mismatch or an unconfirmed
//! account is refused with nothing changed; a failing step skips only the steps that need it.

use std::path::Path;

use serde_json::Value;

use crate::support::{Run, guardline_in, moto_env};

/// The controls `fix` repairs on a bare account when the config gives every `[fix]` value.
const FIXED: &[&str] = &[
    "COST-002",
    "COST-003",
    "CONFIG-001",
    "CONFIG-002",
    "CONFIG-003",
    "S3-001",
    "INSPECTOR-001",
    "HUB-001",
    "IAM-007",
    "ANALYZER-001",
    "ACCOUNT-001",
    "ACCOUNT-002",
    "HEALTH-001",
    "GUARDDUTY-001",
    "GUARDDUTY-002",
    "TRAIL-001",
];

/// A config for `account` in Tokyo and us-east-1 (where AWS Health sends its global events, which HEALTH-001
/// checks): pinned (ID and alias), with every `[fix]` value.
fn full_config(dir: &Path, account: &guardline_testkit::Account, pinned_alias: &str) -> String {
    let path = dir.join("guardline.toml");
    let text = format!(
        r#"[scan]
regions = ["ap-northeast-1", "us-east-1"]

[[accounts]]
id = "{id}"
alias = "{pinned_alias}"
profile = "default"

[fix]
notify = ["security@example.com", "sre@example.com"]
budget-monthly-usd = 500
anomaly-threshold-usd = 50

[fix.security-contact]
name = "Security Team"
email = "security@example.com"
phone = "+81-3-0000-0000"
title = "CISO"
"#,
        id = account.id
    );
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn run(dir: &Path, account: &guardline_testkit::Account, args: &[&str]) -> Run {
    let env = moto_env(&guardline_testkit::shared().endpoint, &account.credentials);
    guardline_in(dir, args, &env)
}

/// The outcomes of `control`'s findings in a JSON scan report.
fn outcomes(report: &Value, control: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["control"] == control)
        .map(|finding| finding["outcome"].as_str().unwrap().to_owned())
        .collect()
}

/// The region and message of each of `control`'s findings that does not pass.
fn not_passing(report: &Value, control: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["control"] == control && finding["outcome"] != "pass")
        .map(|finding| format!("{}: {}", finding["region"], finding["message"]["en"]))
        .collect()
}

fn scan_json(dir: &Path, account: &guardline_testkit::Account, config: &str) -> Value {
    let scan =
        run(dir, account, &["scan", "--config", config, "--format", "json", "--no-history", "--no-progress"]);
    assert!(scan.code == 0 || scan.code == 1, "scan failed: {}", scan.stderr);
    serde_json::from_str(&scan.stdout).unwrap()
}

async fn detector_count(account: &guardline_testkit::Account) -> usize {
    let guardduty = aws_sdk_guardduty::Client::new(&account.config);
    guardduty.list_detectors().send().await.unwrap().detector_ids().len()
}

#[tokio::test(flavor = "multi_thread")]
async fn bare_account_is_planned_applied_and_passes_the_rescan() {
    let account = guardline_testkit::shared().account().await;
    // An instance, so that Inspector's EC2 scanning is required (INSPECTOR-001).
    aws_sdk_ec2::Client::new(&account.config)
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let alias = format!("fix-test-{}", account.id);
    let config = full_config(dir.path(), &account, &alias);

    // The plan alone changes nothing.
    let plan = run(dir.path(), &account, &["fix", "--config", &config, "--no-progress"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains(&format!("Target account: {} (no alias)", account.id)), "{}", plan.stdout);
    assert!(plan.stdout.contains("its alias is created by this plan"), "{}", plan.stdout);
    assert!(plan.stdout.contains("nothing is changed without --apply"), "{}", plan.stdout);
    for control in FIXED {
        assert!(
            plan.stdout.contains(&format!(". {control} [")),
            "{control} is not planned:\n{}",
            plan.stdout
        );
    }
    assert!(plan.stdout.contains("guardduty:CreateDetector"), "{}", plan.stdout);
    // Manual-only controls are listed with a pointer to their steps, never planned.
    assert!(plan.stdout.contains("Manual only"), "{}", plan.stdout);
    assert!(plan.stdout.contains("IAM-001 The root user has MFA"), "{}", plan.stdout);
    assert!(
        plan.stdout.contains("    aws iam") || plan.stdout.contains("    1."),
        "the manual steps: {}",
        plan.stdout
    );
    assert_eq!(detector_count(&account).await, 0, "the plan changed the account");

    let before = scan_json(dir.path(), &account, &config);
    for control in FIXED {
        assert!(
            outcomes(&before, control).iter().any(|outcome| outcome == "fail"),
            "{control} passes already"
        );
    }

    // Without a terminal to confirm on, --apply needs --yes.
    let unconfirmed = run(dir.path(), &account, &["fix", "--config", &config, "--apply", "--no-progress"]);
    assert_eq!(unconfirmed.code, 2);
    assert!(unconfirmed.stderr.contains("needs --yes"), "{}", unconfirmed.stderr);
    assert_eq!(detector_count(&account).await, 0, "an unconfirmed apply changed the account");

    let applied =
        run(dir.path(), &account, &["fix", "--config", &config, "--apply", "--yes", "--no-progress"]);
    assert_eq!(applied.code, 0, "stdout:\n{}\nstderr:\n{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("0 already in place"), "{}", applied.stdout);

    let after = scan_json(dir.path(), &account, &config);
    let not_passing: Vec<String> = FIXED
        .iter()
        .map(|control| (control, outcomes(&after, control)))
        .filter(|(_, outcomes)| outcomes.is_empty() || outcomes.iter().any(|outcome| outcome != "pass"))
        .map(|(control, outcomes)| format!("{control}: {outcomes:?} {:?}", not_passing(&after, control)))
        .collect();
    assert!(not_passing.is_empty(), "not passing after fix: {not_passing:#?}");
    for control in FIXED {
        let outcomes = outcomes(&after, control);
        assert!(
            !outcomes.is_empty() && outcomes.iter().all(|outcome| outcome == "pass"),
            "{control} after fix: {outcomes:?}"
        );
    }
    assert_eq!(detector_count(&account).await, 1);

    // Applying again plans nothing and changes nothing.
    let again = run(dir.path(), &account, &["fix", "--config", &config, "--apply", "--yes", "--no-progress"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains(&format!("Target account: {} ({alias})", account.id)), "{}", again.stdout);
    assert!(again.stdout.contains("Nothing to do"), "{}", again.stdout);
    assert_eq!(detector_count(&account).await, 1, "a second detector was created");
}

/// Runs `script` (Python, with boto3's Cost Explorer client as `ce`) against the moto server as `account`, in
/// us-east-1 where Cost Explorer answers; its standard output. This crate has no Cost Explorer SDK, and
/// boto3 comes with moto.
fn cost_explorer(account: &guardline_testkit::Account, script: &str) -> String {
    let mut command = std::process::Command::new("python3");
    command.arg("-c").arg(format!(
        "import json, os, boto3\nce = boto3.client('ce', region_name='us-east-1', \
         endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n{script}"
    ));
    for (name, value) in moto_env(&guardline_testkit::shared().endpoint, &account.credentials) {
        command.env(name, value);
    }
    let output = command.output().expect("python3 with boto3 (moto's dependency)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Every monitor of `account`, every page (name, type, dimension).
fn anomaly_monitors(account: &guardline_testkit::Account) -> Vec<Value> {
    let listed = cost_explorer(
        account,
        "monitors, token = [], None\n\
         while True:\n\
         \x20   page = ce.get_anomaly_monitors(**({'NextPageToken': token} if token else {}))\n\
         \x20   monitors += page['AnomalyMonitors']\n\
         \x20   token = page.get('NextPageToken')\n\
         \x20   if not token: break\n\
         print(json.dumps([[m['MonitorName'], m['MonitorType'], m.get('MonitorDimension')] for m in monitors]))",
    );
    serde_json::from_str(&listed).unwrap()
}

/// COST-003 on an account that already has its one per-service anomaly monitor (AWS allows one per account
/// and refuses a second: "Limit exceeded on dimensional spend monitor creation",
/// https://aws.amazon.com/aws-cost-management/aws-cost-anomaly-detection/faqs/), listed on the second page
/// of GetAnomalyMonitors after 100 custom monitors, and a subscription to it whose only subscriber declined
/// the alerts (`Status` DECLINED,
/// https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_Subscriber.html): the fix
/// subscribes `[fix] notify` to that monitor instead of creating another, the rescan passes, and a second
/// apply changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn the_anomaly_fix_reuses_the_per_service_monitor_past_a_declined_subscriber() {
    let account = guardline_testkit::shared().account().await;
    cost_explorer(
        &account,
        "for n in range(100):\n\
         \x20   ce.create_anomaly_monitor(AnomalyMonitor={'MonitorName': f'team-{n}', 'MonitorType': 'CUSTOM',\n\
         \x20       'MonitorSpecification': {'Tags': {'Key': 'team', 'Values': [str(n)]}}})\n\
         arn = ce.create_anomaly_monitor(AnomalyMonitor={'MonitorName': 'services', 'MonitorType': 'DIMENSIONAL',\n\
         \x20   'MonitorDimension': 'SERVICE'})['MonitorArn']\n\
         ce.create_anomaly_subscription(AnomalySubscription={'SubscriptionName': 'daily-ops', 'MonitorArnList': [arn],\n\
         \x20   'Subscribers': [{'Type': 'EMAIL', 'Address': 'gone@example.com'}], 'Frequency': 'DAILY',\n\
         \x20   'ThresholdExpression': {'Dimensions': {'Key': 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',\n\
         \x20       'MatchOptions': ['GREATER_THAN_OR_EQUAL'], 'Values': ['100']}}})",
    );
    let declined = serde_json::json!({"account_id": account.id, "address": "gone@example.com"});
    guardline_testkit::shared().control(
        "/guardline-test/ce/declined-subscribers",
        "application/json",
        &declined.to_string(),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guardline.toml");
    let text = format!(
        "[scan]\nregions = [\"ap-northeast-1\"]\n\n[[accounts]]\nid = \"{}\"\nprofile = \"default\"\n\n\
         [fix]\nnotify = [\"security@example.com\", \"sre@example.com\"]\nanomaly-threshold-usd = 50\n",
        account.id
    );
    std::fs::write(&config, text).unwrap();
    let config = config.display().to_string();

    let before = scan_json(dir.path(), &account, &config);
    let failing = not_passing(&before, "COST-003");
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert!(failing[0].contains("no anomaly subscription watches monitors team-0, team-1,"), "{failing:?}");
    assert!(failing[0].contains("EMAIL gone@example.com declined them"), "{failing:?}");

    let only = ["fix", "--config", &config, "--only", "COST-003", "--no-progress"];
    let plan = run(dir.path(), &account, &only);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("existing per-service cost anomaly monitor services"), "{}", plan.stdout);

    let apply = [&only[..], &["--apply", "--yes"]].concat();
    let applied = run(dir.path(), &account, &apply);
    assert_eq!(applied.code, 0, "stdout:\n{}\nstderr:\n{}", applied.stdout, applied.stderr);
    // The one write: the subscription, on the existing monitor (no CreateAnomalyMonitor).
    assert!(
        applied.stdout.contains(
            "  done    1. COST-003 global: ce:CreateAnomalySubscription guardline-services-daily\n"
        ),
        "{}",
        applied.stdout
    );
    let monitors = anomaly_monitors(&account);
    assert_eq!(monitors.len(), 101, "no second monitor: {monitors:?}");
    let per_service: Vec<_> = monitors.iter().filter(|monitor| monitor[2] == "SERVICE").collect();
    assert_eq!(per_service, [&serde_json::json!(["services", "DIMENSIONAL", "SERVICE"])]);

    let after = scan_json(dir.path(), &account, &config);
    assert_eq!(outcomes(&after, "COST-003"), ["pass"], "{:?}", not_passing(&after, "COST-003"));

    let again = run(dir.path(), &account, &apply);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("Nothing to do"), "{}", again.stdout);
    assert_eq!(anomaly_monitors(&account).len(), 101);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pin_mismatch_is_refused_and_nothing_changes() {
    let account = guardline_testkit::shared().account().await;
    let iam = aws_sdk_iam::Client::new(&account.config);
    iam.create_account_alias().account_alias(format!("real-{}", account.id)).send().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The config pins the account's ID to another alias: the credentials may reach the wrong account.
    let config = full_config(dir.path(), &account, "acme-production");

    let plan =
        run(dir.path(), &account, &["fix", "--config", &config, "--only", "GUARDDUTY-001", "--no-progress"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("--apply would be refused"), "{}", plan.stdout);

    let applied = run(
        dir.path(),
        &account,
        &["fix", "--config", &config, "--only", "GUARDDUTY-001", "--apply", "--yes", "--no-progress"],
    );
    assert_eq!(applied.code, 2);
    assert!(applied.stderr.contains("refused, nothing was changed"), "{}", applied.stderr);
    assert!(applied.stderr.contains("acme-production"), "{}", applied.stderr);
    assert_eq!(detector_count(&account).await, 0);

    // An account the config does not pin at all is refused too.
    let other = guardline_testkit::shared().account().await;
    let refused = run(
        dir.path(),
        &other,
        &["fix", "--config", &config, "--only", "GUARDDUTY-001", "--apply", "--yes", "--no-progress"],
    );
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("is not pinned in the config"), "{}", refused.stderr);
    assert_eq!(detector_count(&other).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_pins_the_account_id_must_be_confirmed() {
    let account = guardline_testkit::shared().account().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guardline.toml");
    std::fs::write(&config, "[scan]\nregions = [\"ap-northeast-1\"]\n").unwrap();
    let config = config.display().to_string();
    let base = ["fix", "--config", &config, "--only", "GUARDDUTY-001", "--apply", "--yes", "--no-progress"];

    let unconfirmed = run(dir.path(), &account, &base);
    assert_eq!(unconfirmed.code, 2);
    assert!(unconfirmed.stderr.contains(&format!("--account-id {}", account.id)), "{}", unconfirmed.stderr);

    let wrong = run(dir.path(), &account, &[&base[..], &["--account-id", "999999999999"]].concat());
    assert_eq!(wrong.code, 2);
    assert!(wrong.stderr.contains("does not match"), "{}", wrong.stderr);
    assert_eq!(detector_count(&account).await, 0);

    let confirmed = run(dir.path(), &account, &[&base[..], &["--account-id", &account.id]].concat());
    assert_eq!(confirmed.code, 0, "{}", confirmed.stderr);
    assert!(confirmed.stdout.contains("Confirmed with --account-id"), "{}", confirmed.stdout);
    assert!(confirmed.stdout.contains("guardduty:CreateDetector"), "{}", confirmed.stdout);
    assert_eq!(detector_count(&account).await, 1);
}

/// A failed step skips only the steps that need it: the Config recorder's failure skips CONFIG-003's rules
/// (they need the recorder), and GuardDuty, which needs neither, is still enabled (before, the first failure
/// stopped the whole plan).
#[tokio::test(flavor = "multi_thread")]
async fn a_failing_step_skips_only_the_steps_that_need_it() {
    let account = guardline_testkit::shared().account().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guardline.toml");
    // The named log bucket does not exist: the AWS Config step fails.
    let text = format!(
        "[scan]\nregions = [\"ap-northeast-1\"]\n\n[[accounts]]\nid = \"{}\"\nprofile = \"default\"\n\n\
         [fix]\nlog-bucket = \"no-such-bucket-{}\"\n",
        account.id, account.id
    );
    std::fs::write(&config, text).unwrap();
    let config = config.display().to_string();
    let only = "GUARDDUTY-001,CONFIG-001,CONFIG-003";
    let planned = run(dir.path(), &account, &["fix", "--config", &config, "--only", only, "--no-progress"]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let lines: Vec<&str> =
        planned.stdout.lines().filter(|line| line.trim_start().starts_with(char::is_numeric)).collect();
    assert_eq!(lines.len(), 3, "{}", planned.stdout);
    assert!(lines[0].contains("1. CONFIG-001") && lines[1].contains("2. CONFIG-003"), "{}", planned.stdout);
    assert!(
        planned.stdout.contains("after: step 1 (CONFIG-001); skipped if that step fails"),
        "{}",
        planned.stdout
    );

    let applied = run(
        dir.path(),
        &account,
        &["fix", "--config", &config, "--only", only, "--apply", "--yes", "--no-progress"],
    );
    assert_eq!(applied.code, 2, "{}", applied.stdout);
    assert!(applied.stdout.contains("FAILED  1. CONFIG-001"), "{}", applied.stdout);
    assert!(
        applied.stdout.contains("SKIPPED 2. CONFIG-003 ap-northeast-1: it needs step 1 (CONFIG-001)"),
        "{}",
        applied.stdout
    );
    assert!(applied.stdout.contains("done    3. GUARDDUTY-001"), "{}", applied.stdout);
    assert!(applied.stdout.contains("Step 1 (CONFIG-001) failed: "), "{}", applied.stdout);
    assert!(
        applied.stdout.contains("Step 2 (CONFIG-003) was skipped because step 1 (CONFIG-001) failed."),
        "{}",
        applied.stdout
    );
    assert!(applied.stderr.contains("step 1 (CONFIG-001) failed"), "{}", applied.stderr);
    assert_eq!(detector_count(&account).await, 1, "the independent step ran");
}

#[test]
fn the_demo_plan_needs_no_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(dir.path(), &["fix", "--demo"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Target account: 123456789012 (acme-prod)\n"), "{}", run.stdout);
    assert!(run.stdout.contains("GUARDDUTY-001 [safe] eu-west-1"), "{}", run.stdout);
    assert!(run.stdout.contains("needs `[fix] notify`"), "{}", run.stdout);
    let refused = guardline_in(dir.path(), &["fix", "--demo", "--apply"], &[]);
    assert_eq!(refused.code, 2, "the demo never applies");
}

#[test]
fn unknown_controls_in_only_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(dir.path(), &["fix", "--only", "GUARDDUTY-999"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--only GUARDDUTY-999: no such control"), "{}", run.stderr);
}

/// TRAIL-001 on a trail that logs but records only write management events (a cost-saving setup seen in the
/// wild): the fix adds a selector for all management events to the trail, keeping its own, the rescan
/// passes, and a second apply changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_trail_logging_only_writes_is_fixed_and_the_fix_converges() {
    use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType};
    let account = guardline_testkit::shared().account().await;
    let s3 = account.s3();
    let bucket = format!("writes-only-{}", account.id);
    guardline_testkit::create_bucket(&s3, &bucket).await;
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&account.config);
    cloudtrail
        .create_trail()
        .name("org-audit")
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    cloudtrail.start_logging().name("org-audit").send().await.unwrap();
    let writes_only = EventSelector::builder()
        .read_write_type(ReadWriteType::WriteOnly)
        .include_management_events(true)
        .build();
    cloudtrail
        .put_event_selectors()
        .trail_name("org-audit")
        .event_selectors(writes_only)
        .send()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guardline.toml");
    std::fs::write(&config, "[scan]\nregions = [\"ap-northeast-1\"]\n").unwrap();
    let config = config.display().to_string();
    let before = scan_json(dir.path(), &account, &config);
    assert_eq!(outcomes(&before, "TRAIL-001"), ["fail"], "{:?}", not_passing(&before, "TRAIL-001"));

    let apply = ["fix", "--config", &config, "--only", "TRAIL-001", "--apply", "--yes", "--no-progress"];
    let apply = [&apply[..], &["--account-id", &account.id]].concat();
    let first = run(dir.path(), &account, &apply);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert!(first.stdout.contains("cloudtrail:PutEventSelectors org-audit"), "{}", first.stdout);
    let selectors = cloudtrail.get_event_selectors().trail_name("org-audit").send().await.unwrap();
    let kinds: Vec<_> =
        selectors.event_selectors().iter().filter_map(|selector| selector.read_write_type()).collect();
    assert_eq!(kinds, [&ReadWriteType::WriteOnly, &ReadWriteType::All], "the trail's own selector is kept");

    let after = scan_json(dir.path(), &account, &config);
    assert_eq!(outcomes(&after, "TRAIL-001"), ["pass"], "{:?}", not_passing(&after, "TRAIL-001"));
    let second = run(dir.path(), &account, &apply);
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert!(second.stdout.contains("Nothing to do"), "{}", second.stdout);
}

/// The fixes converge on setups the issue names: a Config recorder with an exclusion strategy (CONFIG-001), the
/// Config rule name Guardline would use held by someone's own rule of another source (CONFIG-003), and a
/// GuardDuty route that narrows on the finding type (GUARDDUTY-002). Each is fixed, the rescan passes, the
/// team's own rule is untouched, and a second apply has nothing to do.
#[tokio::test(flavor = "multi_thread")]
async fn fixes_converge_on_an_exclusion_recorder_a_taken_rule_name_and_a_narrowed_route() {
    use aws_sdk_config::types::{
        ConfigRule, ConfigurationRecorder, DeliveryChannel, ExclusionByResourceTypes, Owner, RecordingGroup,
        RecordingStrategy, RecordingStrategyType, ResourceType, Source,
    };
    let account = guardline_testkit::shared().account().await;
    let config = aws_sdk_config::Client::new(&account.config);
    let group = RecordingGroup::builder()
        .all_supported(false)
        .exclusion_by_resource_types(
            ExclusionByResourceTypes::builder().resource_types(ResourceType::Volume).build(),
        )
        .recording_strategy(
            RecordingStrategy::builder().use_only(RecordingStrategyType::ExclusionByResourceTypes).build(),
        )
        .build();
    let recorder = ConfigurationRecorder::builder()
        .name("default")
        .role_arn(format!("arn:aws:iam::{}:role/config", account.id))
        .recording_group(group)
        .build();
    config.put_configuration_recorder().configuration_recorder(recorder).send().await.unwrap();
    let channel =
        DeliveryChannel::builder().name("default").s3_bucket_name(format!("config-{}", account.id)).build();
    config.put_delivery_channel().delivery_channel(channel).send().await.unwrap();
    config.start_configuration_recorder().configuration_recorder_name("default").send().await.unwrap();
    let theirs = ConfigRule::builder()
        .config_rule_name("restricted-ssh")
        .source(
            Source::builder()
                .owner(Owner::Aws)
                .source_identifier("S3_BUCKET_VERSIONING_ENABLED")
                .build()
                .unwrap(),
        )
        .build();
    config.put_config_rule().config_rule(theirs).send().await.unwrap();
    aws_sdk_guardduty::Client::new(&account.config).create_detector().enable(true).send().await.unwrap();
    let events = aws_sdk_eventbridge::Client::new(&account.config);
    let narrowed = r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}],"type":["UnauthorizedAccess:EC2/SSHBruteForce"]}}"#;
    events.put_rule().name("ssh-brute-force-only").event_pattern(narrowed).send().await.unwrap();
    let queue = format!("arn:aws:sqs:ap-northeast-1:{}:alerts", account.id);
    let target = aws_sdk_eventbridge::types::Target::builder().id("q").arn(queue).build().unwrap();
    events.put_targets().rule("ssh-brute-force-only").targets(target).send().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("guardline.toml");
    std::fs::write(
        &path,
        "[scan]\nregions = [\"ap-northeast-1\"]\n\n[fix]\nnotify = [\"security@example.com\"]\n",
    )
    .unwrap();
    let path = path.display().to_string();
    let controls = ["CONFIG-001", "CONFIG-003", "GUARDDUTY-002"];
    let before = scan_json(dir.path(), &account, &path);
    for control in controls {
        assert!(
            outcomes(&before, control).iter().any(|outcome| outcome == "fail"),
            "{control} passes already"
        );
    }
    let only = controls.join(",");
    let apply = ["fix", "--config", &path, "--only", &only, "--apply", "--yes", "--no-progress"];
    let apply = [&apply[..], &["--account-id", &account.id]].concat();
    let first = run(dir.path(), &account, &apply);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let after = scan_json(dir.path(), &account, &path);
    for control in controls {
        assert!(
            outcomes(&after, control).iter().all(|outcome| outcome == "pass"),
            "{control} after the fix: {:?}",
            not_passing(&after, control)
        );
    }
    let rules = config.describe_config_rules().send().await.unwrap();
    let theirs =
        rules.config_rules().iter().find(|rule| rule.config_rule_name() == Some("restricted-ssh")).unwrap();
    assert_eq!(
        theirs.source().and_then(|source| source.source_identifier()),
        Some("S3_BUCKET_VERSIONING_ENABLED"),
        "the team's own rule is not overwritten"
    );
    let second = run(dir.path(), &account, &apply);
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert!(second.stdout.contains("Nothing to do"), "{}", second.stdout);
}
