//! `org switch-roles` and `org plan-roles` against moto server: the profiles and console links of an
//! organization's member accounts (insta), merged into an AWS config file without touching anything outside
//! Guardline's block (byte for byte, with a backup), and the switch roles planned, created with their
//! MFA-only trust policy, and not touched again on a second apply.

use std::path::Path;

use aws_sdk_organizations::types::OrganizationFeatureSet;
use guardline_testkit::Account;

use crate::support::{Run, guardline_in, moto_env};

async fn cli(dir: &Path, account: &Account, args: &[&str]) -> Run {
    let server = guardline_testkit::shared();
    let env = moto_env(&server.endpoint, &account.credentials);
    let dir = dir.to_owned();
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        guardline_in(&dir, &args, &env)
    })
    .await
    .unwrap()
}

/// An organization managed by a fresh account, with two member accounts; returns their IDs (prod, dev).
async fn organization(management: &Account) -> (String, String) {
    let client = aws_sdk_organizations::Client::new(&management.config);
    client.create_organization().feature_set(OrganizationFeatureSet::All).send().await.unwrap();
    let mut ids = Vec::new();
    for (name, email) in [("Acme Prod", "prod@acme.example"), ("Acme Dev (sandbox)", "dev@acme.example")] {
        let created = client.create_account().account_name(name).email(email).send().await.unwrap();
        ids.push(created.create_account_status().unwrap().account_id().unwrap().to_owned());
    }
    (ids[0].clone(), ids[1].clone())
}

fn redact(text: &str, names: &[(&str, &str)]) -> String {
    let mut text = text.to_owned();
    for (value, name) in names {
        text = text.replace(value, name);
    }
    text
}

#[tokio::test]
async fn switch_roles_profiles_links_and_config_merge() {
    let management = guardline_testkit::shared().account().await;
    let (prod, dev) = organization(&management).await;
    let dir = tempfile::tempdir().unwrap();
    // The config pins the production account's alias; the dev account is named after its account name.
    std::fs::write(
        dir.path().join("guardline.toml"),
        format!(
            "default-profile = \"production\"\n\n[profiles.production.params]\nswitch-roles = [\"admin\", \
             \"viewer\"]\n\n[profiles.development.params]\nhome-region = \"us-east-1\"\nswitch-roles = \
             [\"engineer\"]\n\n[[accounts]]\nid = \"{prod}\"\nalias = \"acme-prod\"\nprofile = \
             \"production\"\n\n[[accounts]]\nid = \"{dev}\"\nprofile = \"development\"\n"
        ),
    )
    .unwrap();
    let mfa = format!("arn:aws:iam::{}:mfa/alice", management.id);
    let names =
        [(prod.as_str(), "[prod]"), (dev.as_str(), "[dev]"), (management.id.as_str(), "[management]")];

    let run = cli(dir.path(), &management, &["org", "switch-roles", "--mfa-serial", &mfa]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("org_switch_roles", redact(&run.stdout, &names));

    // Merge into an existing AWS config: everything outside the block is kept byte for byte.
    let config_path = dir.path().join("aws-config");
    let before = "# my settings\n[default]\nregion = ap-northeast-1\n\n[profile acme-prod-admin-old]\nrole_arn = \
                  arn:aws:iam::999999999999:role/x\r\nsource_profile = default\n";
    std::fs::write(&config_path, before).unwrap();
    let path = config_path.to_str().unwrap();
    let write = ["org", "switch-roles", "--mfa-serial", &mfa, "--write-config", path];
    let run = cli(dir.path(), &management, &write).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(&format!("wrote 3 profile(s) to {path} (backup: {path}.bak-")),
        "{}",
        run.stdout
    );
    let merged = std::fs::read_to_string(&config_path).unwrap();
    assert!(merged.starts_with(before), "{merged}");
    assert!(
        merged.contains(&format!("[profile acme-prod-admin]\nrole_arn = arn:aws:iam::{prod}:role/admin\n"))
    );
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".bak-"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), before);

    // The user adds a profile after the block; a run with other roles replaces only the block.
    let after = "\n[profile mine]\nregion = eu-west-1\n";
    std::fs::write(&config_path, format!("{merged}{after}")).unwrap();
    let write_one =
        ["org", "switch-roles", "--mfa-serial", &mfa, "--roles", "viewer", "--write-config", path];
    let run = cli(dir.path(), &management, &write_one).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let replaced = std::fs::read_to_string(&config_path).unwrap();
    assert!(replaced.starts_with(before) && replaced.ends_with(after), "{replaced}");
    assert!(!replaced.contains("-admin]") && replaced.contains("[profile acme-prod-viewer]"), "{replaced}");
    // The same again: nothing to write.
    let run = cli(dir.path(), &management, &write_one).await;
    assert!(run.stdout.starts_with(&format!("{path} is up to date")), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(&config_path).unwrap(), replaced);

    // A profile of the user's with a generated name is never overwritten.
    std::fs::write(&config_path, "[profile acme-prod-viewer]\nregion = x\n").unwrap();
    let run = cli(dir.path(), &management, &write_one).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("already defines [profile acme-prod-viewer]"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&config_path).unwrap(), "[profile acme-prod-viewer]\nregion = x\n");
}

#[tokio::test]
async fn switch_roles_refuses_a_member_account() {
    let account = guardline_testkit::shared().account().await;
    let dir = tempfile::tempdir().unwrap();
    let run = cli(dir.path(), &account, &["org", "switch-roles"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not in an AWS Organization"), "{}", run.stderr);
}

#[tokio::test]
async fn plan_roles_creates_the_roles_once() {
    let account = guardline_testkit::shared().account().await;
    let iam = aws_sdk_iam::Client::new(&account.config);
    let read =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#;
    let policy = iam.create_policy().policy_name("read-only").policy_document(read).send().await.unwrap();
    let policy_arn = policy.policy().unwrap().arn().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("guardline.toml"),
        format!(
            "[profiles.main.params]\nswitch-roles = [\"admin\", \"viewer\"]\n\n[profiles.main.params.\
             switch-role-policies]\nviewer = \"{policy_arn}\"\n\n[[accounts]]\nid = \"{}\"\nprofile = \"main\"\n",
            account.id
        ),
    )
    .unwrap();
    let names = [(account.id.as_str(), "[account]")];
    let plan = ["org", "plan-roles", "--management-account", "111111111111"];

    let run = cli(dir.path(), &account, &plan).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("org_plan_roles", redact(&run.stdout, &names));
    assert!(iam.get_role().role_name("admin").send().await.is_err(), "a plan changes nothing");

    let apply = [&plan[..], &["--apply", "--yes"]].concat();
    let run = cli(dir.path(), &account, &apply).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Applied 3 call(s)."), "{}", run.stdout);
    for role in ["admin", "viewer"] {
        let got = iam.get_role().role_name(role).send().await.unwrap();
        let document = got.role().unwrap().assume_role_policy_document().unwrap();
        let decoded =
            guardline_collect::services::iam_access::decode_policy("iam:GetRole", document).unwrap();
        assert_eq!(decoded, guardline_apply::org_roles::trust_policy("aws", "111111111111"));
    }
    let attached = iam.list_attached_role_policies().role_name("viewer").send().await.unwrap();
    assert_eq!(attached.attached_policies()[0].policy_arn(), Some(policy_arn.as_str()));

    let run = cli(dir.path(), &account, &apply).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Nothing to do"), "{}", run.stdout);
}

#[tokio::test]
async fn plan_roles_refuses_an_unpinned_account_before_writing() {
    let account = guardline_testkit::shared().account().await;
    let dir = tempfile::tempdir().unwrap();
    let run = cli(
        dir.path(),
        &account,
        &["org", "plan-roles", "--management-account", "111111111111", "--apply", "--yes"],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("refused, nothing was changed"), "{}", run.stderr);
    let iam = aws_sdk_iam::Client::new(&account.config);
    assert!(iam.get_role().role_name("admin").send().await.is_err());
}

#[tokio::test]
async fn plan_roles_in_the_management_account_creates_groups() {
    let management = guardline_testkit::shared().account().await;
    organization(&management).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("guardline.toml"),
        format!("[profiles.main]\n\n[[accounts]]\nid = \"{}\"\nprofile = \"main\"\n", management.id),
    )
    .unwrap();
    let run = cli(dir.path(), &management, &["org", "plan-roles", "--apply", "--yes"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Management account: groups"), "{}", run.stdout);
    let iam = aws_sdk_iam::Client::new(&management.config);
    let policy =
        iam.get_group_policy().group_name("switch-viewer").policy_name("guardline-assume-viewer").send();
    let document = policy.await.unwrap().policy_document().to_owned();
    let decoded =
        guardline_collect::services::iam_access::decode_policy("iam:GetGroupPolicy", &document).unwrap();
    assert_eq!(decoded, guardline_apply::org_roles::assume_policy("aws", "viewer"));
    let run = cli(dir.path(), &management, &["org", "plan-roles", "--apply", "--yes"]).await;
    assert!(run.stdout.contains("Nothing to do"), "{}", run.stdout);
}
