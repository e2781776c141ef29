//! Commands that need no AWS: rule, init, iam-policy, and bad snapshots and configs.

use crate::support::{guardline, guardline_in};

#[test]
fn rule_prints_the_rules_own_documentation() {
    let run = guardline(&["rule", "ec2-001"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("# EC2-001 security-group-open-to-world"));
    for heading in ["## What it checks", "## Why it matters", "## How to fix", "## References"] {
        assert!(run.stdout.contains(heading), "{heading}");
    }
    let file =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules/EC2-001.md")).unwrap();
    assert_eq!(run.stdout, file, "`guardline rule` and docs/rules say the same");
}

#[test]
fn rule_lists_every_control_and_json_works() {
    let run = guardline(&["rule"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.lines().count(), guardline_rules::RULES.len());
    let json = guardline(&["rule", "IAM-001", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["id"], "IAM-001");
    assert_eq!(value["section"], "security");
}

#[test]
fn unknown_rule_is_an_error_with_a_suggestion() {
    let run = guardline(&["rule", "EC2-999"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no control EC2-999; did you mean EC2-001?"), "{}", run.stderr);
}

#[test]
fn iam_policy_lists_the_collectors_actions() {
    let run = guardline(&["iam-policy"]);
    assert_eq!(run.code, 0);
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let actions: Vec<&str> =
        policy["Statement"][0]["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(actions.contains(&"guardduty:ListDetectors"));
    assert!(actions.contains(&"iam:GetCredentialReport"));
    assert!(actions.iter().all(|a| !a.contains("Put") && !a.contains("Create") && !a.contains("Delete")));
    assert!(!actions.contains(&"iam:ListMFADevices"), "only `org switch-roles` reads MFA devices");
    assert!(!actions.contains(&"organizations:ListAccounts"), "listing the organisation is `--for org`'s");
}

#[test]
fn iam_policy_for_org_roles_and_security_hub() {
    let run = guardline(&["iam-policy", "--for", "org-roles"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let actions = policy["Statement"][0]["Action"].as_array().unwrap();
    for action in
        ["iam:CreateRole", "iam:PutGroupPolicy", "iam:GetRole", "organizations:DescribeOrganization"]
    {
        assert!(actions.contains(&serde_json::Value::from(action)), "{action} missing: {actions:?}");
    }
    assert!(actions.iter().all(|action| !action.as_str().unwrap().starts_with("ec2:")));

    let run = guardline(&["iam-policy", "--for", "security-hub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    let last = statements.last().unwrap();
    assert_eq!(last["Sid"], "GuardlineSecurityHubImport");
    assert_eq!(last["Action"], serde_json::json!(["securityhub:BatchImportFindings"]));
}

#[test]
fn iam_policy_for_fix_adds_the_fix_writes() {
    let run = guardline(&["iam-policy", "--for", "fix"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[1]["Sid"], "GuardlineFixWrites");
    let writes: Vec<&str> =
        statements[1]["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    for action in [
        "guardduty:CreateDetector",
        "events:PutTargets",
        "s3:PutAccountPublicAccessBlock",
        "iam:CreateAccountAlias",
    ] {
        assert!(writes.contains(&action), "{action} missing: {writes:?}");
    }
    assert!(!writes.contains(&"guardduty:ListDetectors"), "reads belong to the scan statement");
}

#[test]
fn iam_policy_for_watch_lists_its_sources_reads() {
    let run = guardline(&["iam-policy", "--for", "watch"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let actions = policy["Statement"][0]["Action"].as_array().unwrap();
    assert!(actions.iter().any(|action| action == "guardduty:GetFindings"));
    assert!(actions.iter().any(|action| action == "health:DescribeEvents"));
    // The Security Hub source: CSPM's GetFindings and the new Security Hub's GetFindingsV2 (same action),
    // and whether the new Security Hub is on.
    for action in ["securityhub:GetFindings", "securityhub:DescribeSecurityHubV2"] {
        assert!(actions.iter().any(|listed| listed == action), "{action}");
    }
    // `watch --org`: the listing, the administrator checks, Health's organizational view, and the member
    // role (the default one, without a config) for the aliases.
    let organisation = policy["Statement"][1]["Action"].as_array().unwrap();
    for action in [
        "organizations:ListAccounts",
        "guardduty:DescribeOrganizationConfiguration",
        "health:DescribeEventsForOrganization",
        "health:DescribeAffectedAccountsForOrganization",
    ] {
        assert!(organisation.iter().any(|listed| listed == action), "{action}");
    }
    assert_eq!(policy["Statement"][2]["Resource"], "arn:aws:iam::*:role/OrganizationAccountAccessRole");
    cfn_lint_policy(&policy).unwrap();
}

/// Whether cfn-lint (its IAM policy schema, rule E3510 and kin) accepts `policy` as a role's inline policy;
/// its output otherwise.
fn cfn_lint_policy(policy: &serde_json::Value) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let template = serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": { "SchedulerRole": { "Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": { "Service": ["ssm.amazonaws.com", "scheduler.amazonaws.com"] },
                "Action": "sts:AssumeRole",
            }]},
            "Policies": [{ "PolicyName": "guardline-schedule", "PolicyDocument": policy }],
        }}},
    });
    let path = dir.path().join("template.json");
    std::fs::write(&path, template.to_string()).unwrap();
    let output = std::process::Command::new("cfn-lint").arg(&path).output().expect("cfn-lint runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
    }
}

#[test]
fn iam_policy_for_schedule_denies_stopping_production() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(dir.path(), &["iam-policy", "--for", "schedule"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    insta::assert_json_snapshot!("iam_policy_schedule", policy);
    cfn_lint_policy(&policy).unwrap_or_else(|lint| panic!("not a valid IAM policy: {lint}"));
    let mut broken = policy.clone();
    broken["Statement"][3]["Condition"] =
        serde_json::json!({ "StringLikeIgnoreCase": { "aws:ResourceTag/Env": ["prod-*"] } });
    assert!(cfn_lint_policy(&broken).is_err(), "the validator rejects an operator IAM does not have");

    let statements = policy["Statement"].as_array().unwrap();
    let denies: Vec<&serde_json::Value> = statements.iter().filter(|s| s["Effect"] == "Deny").collect();
    for key in ["Environment", "Env", "Stage"] {
        let condition = format!("aws:ResourceTag/{key}");
        assert!(
            denies.iter().any(|deny| deny["Action"] == "ec2:StopInstances"
                && deny["Condition"]["StringEqualsIgnoreCase"][&condition]
                    .as_array()
                    .is_some_and(|values| values.iter().any(|v| v == "prod"))),
            "no Deny for {key}=prod: {policy:#}"
        );
        assert!(
            denies.iter().any(|deny| deny["Condition"]["StringLike"][&condition]
                .as_array()
                .is_some_and(|values| values.iter().any(|v| v == "Prod-*"))),
            "no Deny for {key}=Prod-*: {policy:#}"
        );
    }

    // Every profile's production tag is denied.
    std::fs::write(
        dir.path().join("guardline.toml"),
        "default-profile = \"main\"\n[profiles.main.params]\nproduction-tag = { key = \"Tier\", values = [\"live\"] }\n",
    )
    .unwrap();
    let run = guardline_in(dir.path(), &["iam-policy", "--for", "schedule"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let text = policy.to_string();
    assert!(text.contains(r#""aws:ResourceTag/Tier":["live"]"#), "{policy:#}");
    cfn_lint_policy(&policy).unwrap();
}

#[test]
fn init_writes_a_config_that_scan_accepts_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(dir.path(), &["init"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(dir.path().join("guardline.toml")).unwrap();
    assert_eq!(written, guardline_config::starter_config());
    let again = guardline_in(dir.path(), &["init"], &[]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let snapshot = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json");
    // ./guardline.toml is picked up by default.
    let scan = guardline_in(dir.path(), &["scan", "--snapshot", snapshot, "--today", "2026-11-28"], &[]);
    assert!(scan.code == 0 || scan.code == 1, "{}", scan.stderr);
}

#[test]
fn bad_config_points_at_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("guardline.toml"),
        "[profiles.production]\ndefault-level = \"fail\"\nsurprise = 1\n",
    )
    .unwrap();
    let snapshot = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json");
    let run = guardline_in(dir.path(), &["scan", "--snapshot", snapshot], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("guardline.toml:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("surprise"), "{}", run.stderr);
}

#[test]
fn snapshot_of_another_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let demo =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json")).unwrap();
    let future = demo.replacen("\"version\": 2", "\"version\": 7", 1);
    assert_ne!(demo, future);
    std::fs::write(dir.path().join("old.json"), future).unwrap();
    let run = guardline_in(dir.path(), &["scan", "--snapshot", "old.json"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("loading old.json"), "{}", run.stderr);
    assert!(run.stderr.contains("schema version 7"), "{}", run.stderr);
}

#[test]
fn missing_snapshot_file_says_which() {
    let run = guardline(&["scan", "--snapshot", "nowhere.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("reading nowhere.json"), "{}", run.stderr);
}

#[test]
fn no_credentials_is_a_tool_error_not_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    // A closed port: nothing answers, so STS fails fast.
    let env =
        [("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_owned()), ("AWS_REGION", "ap-northeast-1".to_owned())];
    let run = guardline_in(dir.path(), &["scan", "--no-progress", "--max-attempts", "1"], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("could not identify the account"), "{}", run.stderr);
}

#[test]
fn numeric_flags_out_of_range_are_usage_errors_not_overflows() {
    for (flag, value) in [
        ("--call-timeout", "18446744073709551615"),
        ("--call-timeout", "0"),
        ("--max-attempts", "4294967295"),
        ("--concurrency", "0"),
        ("--concurrency", "18446744073709551615"),
    ] {
        let run = guardline(&["collect", "-o", "out.json", "--no-progress", flag, value]);
        assert_eq!(run.code, 2, "{flag} {value}: {}", run.stderr);
        assert!(run.stderr.contains("is not a whole number from"), "{flag} {value}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let run = guardline(&["scan", "--org", "--account-concurrency", "0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("from 1 to 256"), "{}", run.stderr);
    let run = guardline(&["schedule", "run", "--interval", "0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("from 1 to 1440"), "{}", run.stderr);
}

/// A shard manifest's account IDs become file names (and S3 keys): anything but 12 digits is refused before
/// it is used as a path.
#[test]
fn merge_refuses_a_manifest_whose_account_ids_are_paths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("shard/accounts")).unwrap();
    std::fs::write(dir.path().join("secret.json"), "{}").unwrap();
    let manifest = serde_json::json!({
        "format": "guardline-org-shard", "version": 1, "index": 0, "count": 1,
        "selected": ["../../secret"], "accounts": ["../../secret"],
    });
    std::fs::write(dir.path().join("shard/shard-0-of-1.json"), manifest.to_string()).unwrap();
    let run = guardline_in(dir.path(), &["merge", "shard", "--no-history"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(r#"lists "../../secret", which is not a 12-digit account ID"#),
        "{}",
        run.stderr
    );
}

#[test]
fn a_snapshot_over_the_size_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: no disk used.
    std::fs::File::create(dir.path().join("huge.json")).unwrap().set_len((1 << 30) + 1).unwrap();
    let run = guardline_in(dir.path(), &["scan", "--snapshot", "huge.json"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("larger than the 1073741824 bytes Guardline reads"), "{}", run.stderr);
}

/// What is not a snapshot is refused in words, never in the JSON parser's tokens.
#[test]
fn a_file_that_is_not_a_snapshot_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let demo =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json")).unwrap();
    let cases = [
        ("empty.json", String::new(), "not a Guardline snapshot: the file is empty"),
        (
            "page.json",
            "<html><body>Sign in</body></html>".to_owned(),
            "not a Guardline snapshot: it is HTML or XML",
        ),
        ("list.json", "[1, 2]".to_owned(), "not a Guardline snapshot: it is a JSON list"),
        ("other.json", r#"{"hello": 1}"#.to_owned(), "not a Guardline snapshot: it has no `format` field"),
        (
            "cut.json",
            demo[..3000].to_owned(),
            "not a Guardline snapshot: the JSON stops in the middle, at line",
        ),
        (
            "broken.json",
            demo.replacen("\"status\": \"ok\"", "\"status\": \"weird\"", 1),
            "`weird` is not an allowed value here (allowed: `ok` or `error`)",
        ),
    ];
    for (name, text, expected) in cases {
        std::fs::write(dir.path().join(name), text).unwrap();
        let run = guardline_in(dir.path(), &["scan", "--snapshot", name], &[]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("loading {name}: ")), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
        for token in ["EOF while", "expected value", "unknown variant", "invalid type"] {
            assert!(!run.stderr.contains(token), "{name}: parser words in {}", run.stderr);
        }
    }
}

/// The organisation HTML report from `merge` of hand-written shard outputs (three demo accounts): the heat
/// map lists every account; after a second merge into the same history each account has its trend line.
#[test]
fn merge_renders_the_organisation_page_with_each_account_s_trend() {
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("shard");
    std::fs::create_dir_all(shard.join("accounts")).unwrap();
    let demo =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json")).unwrap();
    let ids = ["111111111111", "222222222222", "333333333333"];
    for (index, id) in ids.iter().enumerate() {
        let snapshot: serde_json::Value = serde_json::from_str(&demo.replace("123456789012", id)).unwrap();
        let record = serde_json::json!({
            "format": "guardline-org-account", "version": 1,
            "account": {
                "id": id, "name": format!("member-{index}"), "email": format!("m{index}@example.com"),
                "status": "ACTIVE", "ou_path": "Root/Workloads", "ou_ids": ["r-ab12", "ou-ab12-11111111"],
                "tags": {},
            },
            "outcome": {"snapshot": snapshot},
        });
        std::fs::write(shard.join(format!("accounts/{id}.json")), record.to_string()).unwrap();
    }
    let manifest = serde_json::json!({
        "format": "guardline-org-shard", "version": 1, "index": 0, "count": 1, "selected": ids, "accounts": ids,
    });
    std::fs::write(shard.join("shard-0-of-1.json"), manifest.to_string()).unwrap();
    let merge = |out: &str| {
        let args = [
            "merge",
            "shard",
            "--history-db",
            "h.sqlite3",
            "--today",
            "2026-11-28",
            "--format",
            "html",
            "-o",
            out,
        ];
        let run = guardline_in(dir.path(), &args, &[]);
        assert_eq!(run.code, 1, "the demo accounts fail: {}", run.stderr);
        std::fs::read_to_string(dir.path().join(out)).unwrap()
    };
    let first = merge("first.html");
    assert_eq!(first.matches("<tr class=\"heat-row\"").count(), 3);
    assert!(first.contains("Accounts by guideline section, worst first"));
    assert!(!first.contains("<svg class=\"spark\""), "one scan each: no trend yet");
    let second = merge("second.html");
    assert_eq!(second.matches("<svg class=\"spark\"").count(), 3, "a trend per account");
}
