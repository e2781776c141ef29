//! Running the binary with a clean environment, and redacting volatile values for snapshots.

use std::path::Path;
use std::process::Command;

use aws_credential_types::Credentials;

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `guardline args` in `cwd` with no AWS settings from the environment but `env`.
pub fn guardline_in(cwd: &Path, args: &[&str], env: &[(&str, String)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_guardline"));
    command.args(args).current_dir(cwd);
    let _data_home = clean_env(&mut command, env);
    let output = command.output().expect("the guardline binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    }
}

/// Gives `command` no AWS settings, no locale and no Guardline settings from the environment but `env`, and a temporary data dir, which lives as
/// long as the returned guard.
pub fn clean_env(command: &mut Command, env: &[(&str, String)]) -> tempfile::TempDir {
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_")
            || key == "NO_COLOR"
            || key.starts_with("CLICOLOR")
            || key.starts_with("GUARDLINE_")
            || ["LC_ALL", "LC_MESSAGES", "LANG"].contains(&key.as_str())
        {
            command.env_remove(key);
        }
    }
    command.env("AWS_CONFIG_FILE", "/dev/null").env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    command.env("AWS_EC2_METADATA_DISABLED", "true");
    // `scan` records its history in the user's data dir unless told otherwise: keep tests out of $HOME.
    let data_home = tempfile::tempdir().unwrap();
    command.env("XDG_DATA_HOME", data_home.path());
    for (key, value) in env {
        command.env(key, value);
    }
    data_home
}

/// Runs `guardline args` in a fresh temporary directory.
pub fn guardline(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    guardline_in(dir.path(), args, &[])
}

/// The environment that points the binary at a moto server with `credentials`.
pub fn moto_env(endpoint: &str, credentials: &Credentials) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("AWS_ENDPOINT_URL", endpoint.to_owned()),
        ("AWS_REGION", "ap-northeast-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id().to_owned()),
        ("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key().to_owned()),
    ];
    if let Some(token) = credentials.session_token() {
        env.push(("AWS_SESSION_TOKEN", token.to_owned()));
    }
    env
}

/// Insta filters for values that change between runs of moto-backed tests.
pub fn volatile_filters(account_id: &str) -> Vec<(String, &'static str)> {
    vec![
        (regex_escape(account_id), "[account]"),
        (r"sg-[0-9a-f]{8,}".to_owned(), "sg-[id]"),
        (r"i-[0-9a-f]{8,}".to_owned(), "i-[id]"),
        (r"(AKIA|ASIA)[0-9A-Z]{12,}".to_owned(), "[key-id]"),
        (r"vpc-[0-9a-f]{8,}".to_owned(), "vpc-[id]"),
        (r"\b[0-9a-f]{32}\b".to_owned(), "[detector-id]"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z".to_owned(), "[time]"),
        // "credential report of 2026-12-02 13:37 UTC" (IAM-005): the report is generated during the test.
        (r"\d{4}-\d\d-\d\d \d\d:\d\d UTC".to_owned(), "[date] [hh:mm] UTC"),
        (r"\d{4}-\d\d-\d\d".to_owned(), "[date]"),
    ]
}

fn regex_escape(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("\\{c}") }).collect()
}

/// One line per finding of a JSON report: `STATUS CONTROL REGION RESOURCE: message`.
pub fn finding_lines(report: &serde_json::Value) -> String {
    let mut lines = String::new();
    for finding in report["findings"].as_array().expect("findings") {
        lines.push_str(&format!(
            "{} {} {} {}: {}\n",
            finding["outcome"].as_str().unwrap(),
            finding["control"].as_str().unwrap(),
            finding["region"].as_str().unwrap(),
            finding["resource"].as_str().unwrap(),
            finding["message"]["en"].as_str().unwrap(),
        ));
    }
    lines
}

/// An environment whose AWS profile `switching` hands out `first`'s credentials the first time the SDK asks
/// (a `credential_process`), and `then`'s every later time: a profile that changes account while Guardline
/// runs, as saml2aws, SSO or an edited `~/.aws/config` can make it. The files live in `dir`.
pub fn switching_profile(
    dir: &Path,
    endpoint: &str,
    first: &Credentials,
    then: &Credentials,
) -> Vec<(&'static str, String)> {
    let json = |credentials: &Credentials| {
        serde_json::json!({
            "Version": 1,
            "AccessKeyId": credentials.access_key_id(),
            "SecretAccessKey": credentials.secret_access_key(),
            "SessionToken": credentials.session_token(),
        })
        .to_string()
    };
    std::fs::write(dir.join("first.json"), json(first)).unwrap();
    std::fs::write(dir.join("then.json"), json(then)).unwrap();
    let script = dir.join("credentials.sh");
    let d = dir.display();
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ -e {d}/handed-out ]; then cat {d}/then.json; else touch {d}/handed-out; cat {d}/first.json; fi\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.join("aws-config");
    std::fs::write(
        &config,
        format!("[profile switching]\nregion = ap-northeast-1\ncredential_process = {}\n", script.display()),
    )
    .unwrap();
    vec![
        ("AWS_ENDPOINT_URL", endpoint.to_owned()),
        ("AWS_CONFIG_FILE", config.display().to_string()),
        ("AWS_PROFILE", "switching".to_owned()),
    ]
}
