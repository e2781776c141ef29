//! `watch --org`, the issue's bar: in an emulated organisation whose GuardDuty is administered by a
//! security account, a finding in a member account reaches the channel its OU routes to, naming the member
//! (ID, name, alias, OU), and no other channel; a route that matches no account is an error at its line;
//! a watcher that is not the administrator is refused rather than watching one account as if it were all.

use aws_sdk_guardduty::config::Region;

use crate::org_scan::{Org, member, member_credentials, organisation};
use crate::support::{guardline_in, moto_env};
use crate::watch_servers::HttpServer;

const PROD_HOOK: &str = "/services/T000/B000/prod-secret";
const SANDBOX_HOOK: &str = "/services/T000/B000/sandbox-secret";

/// An organisation with a security account designated as GuardDuty's delegated administrator in
/// ap-northeast-1, and GuardDuty on in it and in the members `prod-web` (OU Workloads, alias acme-prod-web,
/// owner tag) and `sandbox-1` (OU Sandbox), each with one high finding seeded.
async fn guarded_organisation(server: &guardline_testkit::MotoServer) -> Org {
    let org = organisation(
        server,
        &[
            ("security", "", &[]),
            ("prod-web", "Workloads", &[("owner", "web-team@example.com")]),
            ("sandbox-1", "Sandbox", &[]),
        ],
    )
    .await;
    aws_sdk_guardduty::Client::new(&org.management.config)
        .enable_organization_admin_account()
        .admin_account_id(&org.members["security"])
        .send()
        .await
        .unwrap();
    for name in ["security", "prod-web", "sandbox-1"] {
        let config =
            member(server, &org, name).await.to_builder().region(Region::new("ap-northeast-1")).build();
        let detector =
            aws_sdk_guardduty::Client::new(&config).create_detector().enable(true).send().await.unwrap();
        if name == "security" {
            continue;
        }
        if name == "prod-web" {
            aws_sdk_iam::Client::new(&config)
                .create_account_alias()
                .account_alias("acme-prod-web")
                .send()
                .await
                .unwrap();
        }
        let (account, detector) = (&org.members[name], detector.detector_id().unwrap().to_owned());
        let id = format!("f-{name}");
        let finding = serde_json::json!({
            "id": id, "accountId": account,
            "arn": format!("arn:aws:guardduty:ap-northeast-1:{account}:detector/{detector}/finding/{id}"),
            "region": "ap-northeast-1", "partition": "aws", "schemaVersion": "2.0",
            "type": "UnauthorizedAccess:EC2/SSHBruteForce", "severity": 8.0,
            "title": format!("SSH brute force in {name}"), "description": "SSH brute force",
            "createdAt": "2026-12-04T00:00:00.000Z", "updatedAt": "2026-12-04T00:00:00.000Z",
            "resource": {"resourceType": "Instance"}, "service": {"archived": false, "count": 1},
        });
        let seeded =
            serde_json::json!({"account_id": account, "region": "ap-northeast-1", "findings": [finding]});
        server.control("/guardline-test/guardduty/findings", "application/json", &seeded.to_string());
    }
    org
}

const CONFIG: &str = r#"
[watch]
state-db = "watch.sqlite3"

[watch.channels.prod]
type = "slack"
url-env = "TEST_PROD_WEBHOOK"

[watch.channels.sandbox]
type = "slack"
url-env = "TEST_SANDBOX_WEBHOOK"

[watch.sources.guardduty]
regions = ["ap-northeast-1"]

[[watch.routes]]
sources = ["guardduty"]
accounts = ["ou:Root/Workloads/**"]
channels = ["prod"]

[[watch.routes]]
sources = ["guardduty"]
accounts = ["ou:Root/Sandbox"]
channels = ["sandbox"]
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_members_guardduty_finding_reaches_the_channel_its_ou_routes_to_naming_the_member() {
    let server = guardline_testkit::shared();
    let org = guarded_organisation(server).await;
    let (prod, sandbox) = (&org.members["prod-web"], &org.members["sandbox-1"]);
    let http = HttpServer::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("guardline.toml"), CONFIG).unwrap();
    let mut env = moto_env(&server.endpoint, &member_credentials(&org, "security").await);
    env.push(("TEST_PROD_WEBHOOK", http.url(PROD_HOOK)));
    env.push(("TEST_SANDBOX_WEBHOOK", http.url(SANDBOX_HOOK)));

    let run = guardline_in(dir.path(), &["watch", "--org", "--once"], &env);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("watch: 2 new events, 2 delivered"), "{}", run.stdout);
    let (to_prod, to_sandbox) = (http.accepted(PROD_HOOK), http.accepted(SANDBOX_HOOK));
    assert_eq!((to_prod.len(), to_sandbox.len()), (1, 1));
    let message = to_prod[0].json().to_string();
    for part in
        [prod.as_str(), "prod-web", "acme-prod-web", "Root/Workloads", "web-team@example.com", "f-prod-web"]
    {
        assert!(message.contains(part), "{part} missing from the Workloads channel's message: {message}");
    }
    assert!(!message.contains("sandbox"), "{message}");
    let message = to_sandbox[0].json().to_string();
    assert!(message.contains(sandbox.as_str()) && message.contains("Root/Sandbox"), "{message}");
    assert!(!message.contains("prod-web"), "{message}");

    let again = guardline_in(dir.path(), &["watch", "--org", "--once"], &env);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("watch: 0 new events, 0 delivered"), "{}", again.stdout);
    assert_eq!((http.accepted(PROD_HOOK).len(), http.accepted(SANDBOX_HOOK).len()), (1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_route_matching_no_account_and_a_watcher_that_is_not_the_administrator_are_refused() {
    let server = guardline_testkit::shared();
    let org = guarded_organisation(server).await;
    let http = HttpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = CONFIG.replace("ou:Root/Sandbox\"", "ou:Root/Sandbox\", \"tag:env=prod\"")
        + "\n[[watch.routes]]\nsources = [\"guardduty\"]\naccounts = [\"ou:Root/Prod/**\"]\nchannels = [\"prod\"]\n";
    std::fs::write(dir.path().join("guardline.toml"), &config).unwrap();
    let mut env = moto_env(&server.endpoint, &member_credentials(&org, "security").await);
    env.push(("TEST_PROD_WEBHOOK", http.url(PROD_HOOK)));
    env.push(("TEST_SANDBOX_WEBHOOK", http.url(SANDBOX_HOOK)));
    let run = guardline_in(dir.path(), &["watch", "--org", "--once"], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines: Vec<&str> = config.lines().collect();
    let line = 1 + lines.iter().rposition(|line| *line == "[[watch.routes]]").unwrap();
    assert!(
        run.stderr
            .contains(&format!("guardline.toml:{line}: [[watch.routes]] accounts = [\"ou:Root/Prod/**\"]")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Sandbox"), "the route matching sandbox-1 is fine: {}", run.stderr);
    assert_eq!(http.accepted(PROD_HOOK).len(), 0, "nothing is polled or sent");

    // Without `--org`, a route choosing accounts matches nothing this watcher sees.
    std::fs::write(dir.path().join("guardline.toml"), CONFIG).unwrap();
    let single = guardline_in(dir.path(), &["watch", "--once"], &env);
    assert_eq!(single.code, 2, "{}", single.stderr);
    assert!(single.stderr.contains("guardline watch --org"), "{}", single.stderr);

    // A member that is not the administrator would see its own findings only.
    let mut env = moto_env(&server.endpoint, &member_credentials(&org, "prod-web").await);
    env.push(("TEST_PROD_WEBHOOK", http.url(PROD_HOOK)));
    env.push(("TEST_SANDBOX_WEBHOOK", http.url(SANDBOX_HOOK)));
    let member = guardline_in(dir.path(), &["watch", "--org", "--once"], &env);
    assert_eq!(member.code, 2, "{}", member.stderr);
    assert!(member.stderr.contains("not GuardDuty's delegated administrator"), "{}", member.stderr);
    assert_eq!(http.accepted(PROD_HOOK).len(), 0);
}
