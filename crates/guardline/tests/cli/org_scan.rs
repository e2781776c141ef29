//! `scan --org` against an emulated AWS Organization on moto: a fresh account is the management account,
//! members are created with CreateAccount (moto creates `OrganizationAccountAccessRole` in each) and given
//! different states; the scan assumes the role in each, evaluates each under its OU/tag profile, and
//! produces one report. Sharded runs merged give the unsharded report; a member whose role cannot be
//! assumed is NOT EVALUATED with the reason while the others complete.

use std::collections::BTreeMap;
use std::path::Path;

use aws_credential_types::Credentials;
use aws_sdk_organizations::types::Tag;
use guardline_testkit::MotoServer;

use crate::support::{Run, guardline_in, moto_env};

/// A member to create: name, OU name ("" for the root), tags.
pub(crate) type MemberSpec<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// An organisation on moto: the management account and its members by name.
pub(crate) struct Org {
    pub(crate) management: guardline_testkit::Account,
    root: String,
    /// OU name → OU ID.
    ous: BTreeMap<String, String>,
    /// Member name → account ID.
    pub(crate) members: BTreeMap<String, String>,
}

/// Creates an organisation in a fresh account with the OUs `Workloads` and `Sandbox` and the `members`
/// (name, OU name or "" for the root, tags).
pub(crate) async fn organisation(server: &MotoServer, members: &[MemberSpec<'_>]) -> Org {
    let management = server.account().await;
    let client = aws_sdk_organizations::Client::new(&management.config);
    client
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let roots = client.list_roots().send().await.unwrap();
    let root = roots.roots()[0].id().unwrap().to_owned();
    let mut ous = BTreeMap::new();
    for name in ["Workloads", "Sandbox"] {
        let ou = client.create_organizational_unit().parent_id(&root).name(name).send().await.unwrap();
        ous.insert(name.to_owned(), ou.organizational_unit().unwrap().id().unwrap().to_owned());
    }
    let mut org = Org { management, root, ous, members: BTreeMap::new() };
    for (name, ou, tags) in members {
        let id = org.add_member(name, ou).await;
        if !tags.is_empty() {
            let tags: Vec<Tag> = tags
                .iter()
                .map(|(key, value)| Tag::builder().key(*key).value(*value).build().unwrap())
                .collect();
            client.tag_resource().resource_id(&id).set_tags(Some(tags)).send().await.unwrap();
        }
    }
    // The IDs are random: check them against ListAccounts, as the scan will see them.
    let listed = client.list_accounts().send().await.unwrap();
    for id in org.members.values() {
        assert!(listed.accounts().iter().any(|account| account.id() == Some(id.as_str())), "{id}");
    }
    org
}

impl Org {
    /// Creates one more member account named `name` in the OU `ou` (`""` for the root); its ID.
    pub(crate) async fn add_member(&mut self, name: &str, ou: &str) -> String {
        let client = aws_sdk_organizations::Client::new(&self.management.config);
        let created = client
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .unwrap();
        let id = created.create_account_status().unwrap().account_id().unwrap().to_owned();
        if !ou.is_empty() {
            let request = client
                .move_account()
                .account_id(&id)
                .source_parent_id(&self.root)
                .destination_parent_id(&self.ous[ou]);
            request.send().await.unwrap();
        }
        self.members.insert(name.to_owned(), id.clone());
        id
    }
}

/// The credentials of a member account's `OrganizationAccountAccessRole`, assumed from the management account.
pub(crate) async fn member_credentials(org: &Org, name: &str) -> Credentials {
    let id = &org.members[name];
    let assumed = aws_sdk_sts::Client::new(&org.management.config)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole"))
        .role_session_name("setup")
        .send()
        .await
        .unwrap();
    let creds = assumed.credentials().unwrap();
    Credentials::new(
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token().to_owned()),
        None,
        "member",
    )
}

/// The SDK config of a member account, through its `OrganizationAccountAccessRole`.
pub(crate) async fn member(server: &MotoServer, org: &Org, name: &str) -> aws_config::SdkConfig {
    server.config("ap-northeast-1", member_credentials(org, name).await)
}

/// A console user without MFA (IAM-003 fails).
async fn console_user_without_mfa(config: &aws_config::SdkConfig) {
    let iam = aws_sdk_iam::Client::new(config);
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_login_profile().user_name("alice").password("Str0ng!Passw0rd#2026").send().await.unwrap();
}

/// SSH open to the world (EC2-001 fails).
async fn open_security_group(config: &aws_config::SdkConfig) {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let group = ec2.create_security_group().group_name("open-ssh").description("test").send().await.unwrap();
    ec2.authorize_security_group_ingress()
        .group_id(group.group_id().unwrap())
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
}

const CONFIG: &str = r#"
default-profile = "management"
[profiles.management]
[profiles.production]
[profiles.development]
[profiles.sandbox]
default-level = "warn"

[[accounts]]
tag = { key = "env", values = ["dev"] }
profile = "development"

[[accounts]]
ou = "SANDBOX_OU"
profile = "sandbox"

[[accounts]]
ou = "Root/Workloads"
profile = "production"
"#;

fn write_config(dir: &Path, org: &Org) {
    std::fs::write(dir.join("guardline.toml"), CONFIG.replace("SANDBOX_OU", &org.ous["Sandbox"])).unwrap();
}

const SCAN: &[&str] = &[
    "scan",
    "--org",
    "--region",
    "ap-northeast-1",
    "--max-attempts",
    "1",
    "--today",
    "2026-06-01",
    "--no-history",
    "--no-progress",
];

pub(crate) async fn run(dir: &Path, args: Vec<String>, env: Vec<(&'static str, String)>) -> Run {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        guardline_in(&dir, &args, &env)
    })
    .await
    .unwrap()
}

fn args(extra: &[&str]) -> Vec<String> {
    SCAN.iter().chain(extra).map(|arg| (*arg).to_owned()).collect()
}

/// `outcome control` of every finding of one account in an organisation JSON report.
pub(crate) fn outcomes(report: &serde_json::Value, account: &str) -> Vec<String> {
    let accounts = report["accounts"].as_array().unwrap();
    let entry = accounts.iter().find(|entry| entry["id"] == account).unwrap_or_else(|| panic!("{account}"));
    entry["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            format!("{} {}", finding["outcome"].as_str().unwrap(), finding["control"].as_str().unwrap())
        })
        .collect()
}

fn scorecard(report: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    report["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["account_id"].as_str().unwrap().to_owned(), row.clone()))
        .collect()
}

/// Replaces each account's `collected_at` (the one thing two scans of unchanged accounts differ in).
pub(crate) fn without_collection_times(text: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
    for account in value["accounts"].as_array_mut().unwrap() {
        account["report"]["collected_at"] = serde_json::json!("[time]");
    }
    without_minutes(&serde_json::to_string_pretty(&value).unwrap())
}

/// `text` with every `YYYY-MM-DD HH:MM` replaced: messages name the credential report's generation time, which
/// moto makes anew at each request (AWS keeps a report up to four hours), so two scans a minute apart differ.
fn without_minutes(text: &str) -> String {
    const SHAPE: &[u8] = b"0000-00-00 00:00";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < bytes.len() {
        let candidate = &bytes[index..(index + SHAPE.len()).min(bytes.len())];
        let matches = candidate.len() == SHAPE.len()
            && candidate.iter().zip(SHAPE).all(|(byte, shape)| match shape {
                b'0' => byte.is_ascii_digit(),
                other => byte == other,
            });
        if matches {
            out.push_str("[minute]");
            index += SHAPE.len();
        } else {
            let char_len = text[index..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[index..index + char_len]);
            index += char_len;
        }
    }
    out
}

/// Two reports are the same; when not, the first lines that differ (a whole report is too long to read in an
/// assertion message).
pub(crate) fn assert_same_report(actual: &str, expected: &str) {
    let differing: Vec<String> = actual
        .lines()
        .zip(expected.lines())
        .enumerate()
        .filter(|(_, (a, e))| a != e)
        .take(5)
        .map(|(line, (a, e))| format!("line {}: {a:?} != {e:?}", line + 1))
        .collect();
    assert!(
        differing.is_empty() && actual.lines().count() == expected.lines().count(),
        "the reports differ: {differing:#?} ({} lines against {})",
        actual.lines().count(),
        expected.lines().count()
    );
}

/// Three members in different states, each evaluated under the profile its OU or tag maps to; selection by
/// OU and tag; three shards merged give the unsharded report.
#[tokio::test(flavor = "multi_thread")]
async fn org_scan_reports_every_member_under_its_profile_and_shards_merge_to_the_same_report() {
    let server = guardline_testkit::shared();
    let org = organisation(
        server,
        &[
            ("prod-web", "Workloads", &[("env", "prod")]),
            ("dev-api", "Workloads", &[("env", "dev")]),
            ("sandbox-1", "Sandbox", &[]),
        ],
    )
    .await;
    console_user_without_mfa(&member(server, &org, "prod-web").await).await;
    open_security_group(&member(server, &org, "dev-api").await).await;
    // A results bucket for the shards, in the management account (so every scan sees the same account).
    let s3 = org.management.s3();
    guardline_testkit::create_bucket(&s3, "org-scan-results").await;

    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &org);
    let env = moto_env(&server.endpoint, &org.management.credentials);

    let whole = run(dir.path(), args(&["--format", "json"]), env.clone()).await;
    assert_eq!(whole.code, 1, "{}", whole.stderr);
    let report: serde_json::Value = serde_json::from_str(&whole.stdout).unwrap();
    assert_eq!(report["format"], "guardline-org-report");
    let rows = scorecard(&report);
    let (prod, dev, sandbox) = (&org.members["prod-web"], &org.members["dev-api"], &org.members["sandbox-1"]);
    let ids: Vec<&String> = rows.keys().collect();
    let mut expected = vec![prod, dev, sandbox, &org.management.id];
    expected.sort();
    assert_eq!(ids, expected, "every account of the organisation, the management account included");
    assert_eq!(rows[prod]["profile"], "production", "OU path Root/Workloads");
    assert_eq!(rows[dev]["profile"], "development", "tag env=dev comes first");
    assert_eq!(rows[sandbox]["profile"], "sandbox", "OU ID");
    assert_eq!(rows[&org.management.id]["profile"], "management", "at the root: the default profile");
    assert_eq!(rows[prod]["ou_path"], "Root/Workloads");
    assert_eq!(rows[sandbox]["ou_path"], "Root/Sandbox");
    for row in rows.values() {
        assert_eq!(row["status"], "evaluated", "{row}");
        assert_eq!(row["sections"].as_array().unwrap().len(), 4);
    }

    let prod_findings = outcomes(&report, prod);
    assert!(prod_findings.contains(&"fail IAM-003".to_owned()), "{prod_findings:?}");
    assert!(prod_findings.contains(&"pass EC2-001".to_owned()), "{prod_findings:?}");
    let dev_findings = outcomes(&report, dev);
    assert!(dev_findings.contains(&"fail EC2-001".to_owned()), "{dev_findings:?}");
    assert!(!dev_findings.contains(&"fail IAM-003".to_owned()), "{dev_findings:?}");
    let sandbox_findings = outcomes(&report, sandbox);
    assert!(sandbox_findings.contains(&"pass EC2-001".to_owned()), "{sandbox_findings:?}");
    assert!(
        sandbox_findings.iter().all(|line| !line.starts_with("fail ")),
        "level warn: {sandbox_findings:?}"
    );
    // Each finding names its own account.
    for entry in report["accounts"].as_array().unwrap() {
        for finding in entry["report"]["findings"].as_array().unwrap() {
            assert_eq!(finding["account_id"], entry["id"]);
        }
    }

    // Selection: the Workloads OU by path, without tag env=dev.
    let selected = run(
        dir.path(),
        args(&["--format", "csv", "--include", "ou:Root/Workloads", "--exclude", "tag:env=dev"]),
        env.clone(),
    )
    .await;
    assert_eq!(selected.code, 1, "{}", selected.stderr);
    let accounts: std::collections::BTreeSet<&str> =
        selected.stdout.lines().skip(1).filter_map(|line| line.split(',').next()).collect();
    assert_eq!(accounts.into_iter().collect::<Vec<_>>(), [prod.as_str()]);
    // By OU ID, the sandbox alone passes (its profile only warns).
    let sandbox_only = run(
        dir.path(),
        args(&["--format", "terminal", "--include", &format!("ou:{}", org.ous["Sandbox"])]),
        env.clone(),
    )
    .await;
    assert_eq!(sandbox_only.code, 0, "{}{}", sandbox_only.stdout, sandbox_only.stderr);
    assert!(sandbox_only.stdout.contains("Scorecard"), "{}", sandbox_only.stdout);
    assert!(
        sandbox_only.stdout.contains("Organisation result: PASSED (1 account)"),
        "{}",
        sandbox_only.stdout
    );

    // Three shards, merged.
    for index in 0..3 {
        let out = dir.path().join(format!("shard-{index}"));
        let shard = format!("{index}/3");
        let run =
            run(dir.path(), args(&["--shard", &shard, "--output-dir", out.to_str().unwrap()]), env.clone())
                .await;
        assert_eq!(run.code, 0, "a shard exits 0 once written: {}", run.stderr);
        assert!(out.join(format!("shard-{index}-of-3.json")).exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&out.join(format!("shard-{index}-of-3.json"))), 0o600);
            // A shard may have drawn no account.
            for record in std::fs::read_dir(out.join("accounts")).into_iter().flatten() {
                assert_eq!(mode(&record.unwrap().path()), 0o600, "shard records hold snapshots: private");
            }
        }
    }
    let merge_args = |dirs: &[&str]| -> Vec<String> {
        ["merge", "--format", "json", "--today", "2026-06-01", "--no-history"]
            .iter()
            .map(|arg| (*arg).to_owned())
            .chain(dirs.iter().map(|dir| (*dir).to_owned()))
            .collect()
    };
    let merged = run(dir.path(), merge_args(&["shard-0", "shard-1", "shard-2"]), Vec::new()).await;
    assert_eq!(merged.code, 1, "{}", merged.stderr);
    // Three shards merged give the unsharded report.
    assert_same_report(&without_collection_times(&merged.stdout), &without_collection_times(&whole.stdout));
    // The same with every shard writing to one S3 prefix (the results bucket, created before the first scan).
    for index in 0..3 {
        let shard = format!("{index}/3");
        let run = run(
            dir.path(),
            args(&["--shard", &shard, "--output-dir", "s3://org-scan-results/run-1"]),
            env.clone(),
        )
        .await;
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let from_s3 = run(dir.path(), merge_args(&["s3://org-scan-results/run-1"]), env.clone()).await;
    assert_eq!(from_s3.code, 1, "{}", from_s3.stderr);
    assert_same_report(&without_collection_times(&from_s3.stdout), &without_collection_times(&whole.stdout));
    // The organisation report itself to S3, one object per format with its media type.
    let mut to_s3 = merge_args(&["s3://org-scan-results/run-1"]);
    to_s3.retain(|arg| arg != "--format" && arg != "json");
    to_s3.extend(
        ["--format", "html,json", "--output-dir", "s3://org-scan-results/reports/"].map(str::to_owned),
    );
    let uploaded = run(dir.path(), to_s3, env.clone()).await;
    assert_eq!(uploaded.code, 1, "{}", uploaded.stderr);
    assert!(
        uploaded.stderr.contains(
            "wrote the html report to s3://org-scan-results/reports/guardline-report.html: FAILED ("
        ),
        "{}",
        uploaded.stderr
    );
    let object = |key: &'static str| {
        let s3 = s3.clone();
        async move {
            let object = s3.get_object().bucket("org-scan-results").key(key).send().await.unwrap();
            let content_type = object.content_type().unwrap_or_default().to_owned();
            let body = object.body.collect().await.unwrap().into_bytes();
            (content_type, String::from_utf8(body.to_vec()).unwrap())
        }
    };
    let (content_type, html) = object("reports/guardline-report.html").await;
    assert_eq!(content_type, "text/html; charset=utf-8");
    assert!(html.contains("Accounts by guideline section, worst first"));
    let (content_type, json) = object("reports/guardline-report.json").await;
    assert_eq!(content_type, "application/json");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["format"], "guardline-org-report");

    // The merge records one scan per account in the history.
    let recorded = run(
        dir.path(),
        ["merge", "shard-0", "shard-1", "shard-2", "--format", "csv", "--history-db", "history.sqlite3"]
            .map(str::to_owned)
            .to_vec(),
        Vec::new(),
    )
    .await;
    assert_eq!(recorded.code, 1, "{}", recorded.stderr);
    let history = run(
        dir.path(),
        ["history", "--history-db", "history.sqlite3", "--format", "json"].map(str::to_owned).to_vec(),
        Vec::new(),
    )
    .await;
    let history: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    let mut recorded: Vec<String> = history["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|scan| format!("{} {}", scan["account_id"].as_str().unwrap(), scan["profile"].as_str().unwrap()))
        .collect();
    recorded.sort();
    let mut expected_history = vec![
        format!("{prod} production"),
        format!("{dev} development"),
        format!("{sandbox} sandbox"),
        format!("{} management", org.management.id),
    ];
    expected_history.sort();
    assert_eq!(recorded, expected_history);
    let incomplete = run(dir.path(), merge_args(&["shard-0", "shard-2"]), Vec::new()).await;
    assert_eq!(incomplete.code, 2);
    assert!(incomplete.stderr.contains("shard(s) 1 of 3 are missing"), "{}", incomplete.stderr);
}

/// With IAM permission checks on, the auditor may not assume the role in one member: that member is NOT
/// EVALUATED with STS's reason, in the scorecard and with every control, and the others are scanned.
///
/// moto never checks that a role exists or trusts the caller, but it does evaluate the caller's own policy
/// for `sts:AssumeRole`; an explicit Deny on one member's role ARN is the failure a wrong trust policy or a
/// missing role gives in AWS (AccessDenied from AssumeRole).
#[tokio::test(flavor = "multi_thread")]
async fn a_member_whose_role_cannot_be_assumed_is_not_evaluated_and_the_rest_complete() {
    // A server of its own: permission checks apply to the whole server.
    let server = MotoServer::start();
    let org = organisation(&server, &[("reachable", "Workloads", &[]), ("locked", "Workloads", &[])]).await;
    let locked = org.members["locked"].clone();
    let reachable = org.members["reachable"].clone();
    // The member role may do everything (moto evaluates the assumed role's policies too).
    let admin = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    aws_sdk_iam::Client::new(&member(&server, &org, "reachable").await)
        .put_role_policy()
        .role_name("OrganizationAccountAccessRole")
        .policy_name("admin")
        .policy_document(admin)
        .send()
        .await
        .unwrap();
    let iam = aws_sdk_iam::Client::new(&org.management.config);
    iam.create_user().user_name("auditor").send().await.unwrap();
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
        {{"Effect":"Allow","Action":"*","Resource":"*"}},
        {{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{locked}:role/*"}}]}}"#
    );
    iam.put_user_policy()
        .user_name("auditor")
        .policy_name("audit")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    let key = iam.create_access_key().user_name("auditor").send().await.unwrap();
    let key = key.access_key().unwrap();
    let credentials = Credentials::new(key.access_key_id(), key.secret_access_key(), None, None, "user");
    server.control("/moto-api/reset-auth", "text/plain", "0");

    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &credentials);
    let scan = run(dir.path(), args(&["--format", "json", "--exclude", &org.management.id]), env).await;
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let report: serde_json::Value = serde_json::from_str(&scan.stdout).unwrap();
    let rows = scorecard(&report);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[&locked]["status"], "not-evaluated");
    let reason = rows[&locked]["reason"].as_str().unwrap();
    assert!(reason.contains("cannot assume role OrganizationAccountAccessRole"), "{reason}");
    assert!(reason.contains("sts:AssumeRole access denied"), "{reason}");
    assert_eq!(rows[&locked]["failed"], true, "NOT EVALUATED is never a pass");
    let locked_findings = outcomes(&report, &locked);
    assert!(!locked_findings.is_empty());
    assert!(locked_findings.iter().all(|line| line.starts_with("not-evaluated ")), "{locked_findings:?}");

    assert_eq!(rows[&reachable]["status"], "evaluated", "{}", rows[&reachable]);
    let reachable_findings = outcomes(&report, &reachable);
    assert!(reachable_findings.contains(&"pass EC2-001".to_owned()), "{reachable_findings:?}");
    let _ = &org.root;
}

/// The bar: one command scans 20 member accounts concurrently (plus the management account) and gives one
/// report in which every account is evaluated. Prints the scan's wall time.
#[tokio::test(flavor = "multi_thread")]
async fn twenty_members_in_one_report() {
    let server = guardline_testkit::shared();
    let names: Vec<String> = (1..=20).map(|n| format!("member-{n:02}")).collect();
    let members: Vec<MemberSpec<'_>> =
        names.iter().map(|name| (name.as_str(), "Workloads", &[][..])).collect();
    let org = organisation(server, &members).await;
    open_security_group(&member(server, &org, "member-07").await).await;
    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    let started = std::time::Instant::now();
    let scan = run(dir.path(), args(&["--format", "json", "--account-concurrency", "8"]), env).await;
    eprintln!("scan --org of 21 accounts: {:.1} s", started.elapsed().as_secs_f64());
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let report: serde_json::Value = serde_json::from_str(&scan.stdout).unwrap();
    let rows = scorecard(&report);
    assert_eq!(rows.len(), 21);
    assert!(rows.values().all(|row| row["status"] == "evaluated"), "{rows:?}");
    assert!(outcomes(&report, &org.members["member-07"]).contains(&"fail EC2-001".to_owned()));
    assert!(outcomes(&report, &org.members["member-08"]).contains(&"pass EC2-001".to_owned()));
}

/// A member that is not ACTIVE (closed) is in the report as NOT EVALUATED with its status; the others are
/// scanned.
#[tokio::test(flavor = "multi_thread")]
async fn a_closed_member_is_not_evaluated_with_its_status() {
    let server = guardline_testkit::shared();
    let org = organisation(server, &[("open", "Workloads", &[]), ("closed", "Workloads", &[])]).await;
    let closed = org.members["closed"].clone();
    aws_sdk_organizations::Client::new(&org.management.config)
        .close_account()
        .account_id(&closed)
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    let scan = run(dir.path(), args(&["--format", "json"]), env).await;
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let report: serde_json::Value = serde_json::from_str(&scan.stdout).unwrap();
    let rows = scorecard(&report);
    assert_eq!(rows[&closed]["status"], "not-evaluated", "{}", rows[&closed]);
    let reason = rows[&closed]["reason"].as_str().unwrap();
    assert!(reason.contains("SUSPENDED") || reason.contains("PENDING_CLOSURE"), "{reason}");
    assert!(outcomes(&report, &closed).iter().all(|line| line.starts_with("not-evaluated ")));
    assert_eq!(rows[&org.members["open"]]["status"], "evaluated");
}

/// `--via-role`: the audit role is assumed first, with the caller's credentials, and every member role from
/// the audit session (role chaining), as a proxy between the binary and moto sees the requests signed; the
/// external ID (read from the variable `--external-id-env` names) goes with every AssumeRole.
#[tokio::test(flavor = "multi_thread")]
async fn via_role_assumes_member_roles_from_the_audit_session() {
    let server = guardline_testkit::shared();
    let org = organisation(server, &[("alpha", "Workloads", &[]), ("beta", "Sandbox", &[])]).await;
    let proxy =
        crate::fault_proxy::FaultProxy::start(&server.endpoint, crate::fault_proxy::Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let mut env = moto_env(&proxy.endpoint, &org.management.credentials);
    env.push(("TEST_EXTERNAL_ID", "ext-4711".to_owned()));
    // The audit role lives in the management account here: moto answers ListAccounts only there (a real
    // delegated administrator's audit account may list too); the chain is the same either way.
    let audit_role = format!("arn:aws:iam::{}:role/GuardlineAudit", org.management.id);
    let extra = ["--format", "json", "--via-role", &audit_role, "--external-id-env", "TEST_EXTERNAL_ID"];
    let scan = run(dir.path(), args(&extra), env).await;
    assert!(scan.code == 0 || scan.code == 1, "{}", scan.stderr);
    let report: serde_json::Value = serde_json::from_str(&scan.stdout).unwrap();
    let rows = scorecard(&report);
    assert_eq!(rows.len(), 3);
    assert!(rows.values().all(|row| row["status"] == "evaluated"), "{rows:?}");

    let management_key = org.management.credentials.access_key_id().to_owned();
    let assume_roles: Vec<_> = proxy
        .recorded()
        .into_iter()
        .filter(|request| request.service == "sts" && request.body.contains("Action=AssumeRole"))
        .collect();
    let audit: Vec<_> =
        assume_roles.iter().filter(|request| request.body.contains("GuardlineAudit")).collect();
    assert!(!audit.is_empty(), "the audit role was never assumed: {assume_roles:?}");
    assert!(
        assume_roles.iter().all(|request| request.body.contains("ExternalId=ext-4711")),
        "{assume_roles:?}"
    );
    assert!(audit.iter().all(|request| request.access_key == management_key), "{audit:?}");
    let members: Vec<_> = assume_roles
        .iter()
        .filter(|request| request.body.contains("OrganizationAccountAccessRole"))
        .collect();
    assert_eq!(members.len(), 2, "one AssumeRole per member: {assume_roles:?}");
    for request in members {
        assert_ne!(request.access_key, management_key, "a member role was assumed directly: {request:?}");
    }
}

/// `iam-policy --for org`: the scan's reads, the Organizations listing, and AssumeRole on the configured
/// member role (and the via-role).
#[test]
fn iam_policy_for_org_lists_and_assumes_the_configured_role() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("guardline.toml"),
        "[org]\nrole-name = \"GuardlineAudit\"\nvia-role = \"arn:aws:iam::111122223333:role/Hub\"\n",
    )
    .unwrap();
    let run = guardline_in(dir.path(), &["iam-policy", "--for", "org"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let text = policy.to_string();
    for action in [
        "organizations:ListAccountsForParent",
        "organizations:ListTagsForResource",
        "iam:ListUsers",
        "iam:ListMFADevices",
    ] {
        assert!(text.contains(action), "{action}: {text}");
    }
    let assume = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|statement| statement["Sid"] == "GuardlineOrgAssumeMemberRole")
        .unwrap();
    assert_eq!(
        assume["Resource"],
        serde_json::json!(["arn:*:iam::*:role/GuardlineAudit", "arn:aws:iam::111122223333:role/Hub"])
    );
}

/// Under centralised root access the management account audits each member's root in a root session
/// (sts:AssumeRoot with IAMAuditRootUserCredentials; the test extension emulates both, moto has neither): a
/// root with no credentials passes IAM-001 and ORG-005; one that still holds a password and an active key
/// fails ORG-005 and IAM-004, naming them.
#[tokio::test(flavor = "multi_thread")]
async fn root_sessions_audit_member_roots_under_centralised_root_access() {
    let server = guardline_testkit::shared();
    let org = organisation(server, &[("clean", "Workloads", &[]), ("legacy", "Workloads", &[])]).await;
    aws_sdk_organizations::Client::new(&org.management.config)
        .enable_aws_service_access()
        .service_principal("iam.amazonaws.com")
        .send()
        .await
        .unwrap();
    aws_sdk_iam::Client::new(&org.management.config)
        .enable_organizations_root_credentials_management()
        .send()
        .await
        .unwrap();
    let legacy = org.members["legacy"].clone();
    let seeded = serde_json::json!({"account_id": legacy, "password": true,
                                     "access_keys": [{"id": "AKIALEGACYROOT00001", "status": "Active"}]});
    server.control("/guardline-test/root-credentials", "application/json", &seeded.to_string());
    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    let scan = run(dir.path(), args(&["--format", "json"]), env).await;
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let report: serde_json::Value = serde_json::from_str(&scan.stdout).unwrap();
    let clean = outcomes(&report, &org.members["clean"]);
    for line in ["pass IAM-001", "pass IAM-002", "pass IAM-004", "pass ORG-005"] {
        assert!(clean.iter().any(|found| found == line), "{line}: {clean:?}");
    }
    let legacy_lines = outcomes(&report, &legacy);
    for line in ["fail ORG-005", "fail IAM-004"] {
        assert!(legacy_lines.iter().any(|found| found == line), "{line}: {legacy_lines:?}");
    }
    let management = outcomes(&report, &org.management.id);
    assert!(management.iter().any(|found| found == "pass ORG-005"), "{management:?}");
}

/// An organisation's tags are read (one ListTagsForResource per account) only when something selects by
/// them: with ListTagsForResource refused, a config without tag selectors scans every account, and one with
/// a `tag:` selector fails on the refusal, naming it, rather than matching no tag.
#[tokio::test(flavor = "multi_thread")]
async fn account_tags_are_read_only_when_a_selector_uses_them() {
    let server = guardline_testkit::shared();
    let org = organisation(server, &[("web", "Workloads", &[("env", "prod")])]).await;
    let answer = serde_json::json!({
        "account_id": org.management.id, "region": "*", "service": "organizations",
        "operation": "ListTagsForResource", "status": 400,
        "body": {"__type": "AccessDeniedException", "Message": "You don't have permissions to access this resource."},
        "reference": "https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListTagsForResource.html"
    });
    server.control("/guardline-test/answers", "application/json", &answer.to_string());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("guardline.toml"), "[scan]\nregions = [\"ap-northeast-1\"]\n").unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);
    let untagged = run(dir.path(), args(&["--format", "json"]), env.clone()).await;
    assert!(untagged.code == 0 || untagged.code == 1, "{}", untagged.stderr);
    let report: serde_json::Value = serde_json::from_str(&untagged.stdout).unwrap();
    assert_eq!(scorecard(&report).len(), 2, "both accounts scanned without their tags");

    let by_tag = run(dir.path(), args(&["--format", "json", "--include", "tag:env=prod"]), env).await;
    assert_eq!(by_tag.code, 2, "{}", by_tag.stdout);
    assert!(by_tag.stderr.contains("ListTagsForResource"), "{}", by_tag.stderr);
}
