//! Starts moto server for this test binary and hands each test an isolated AWS account on it.
//!
//! Tests never reset the server: each gets a fresh account by AssumeRole into a new account ID (moto
//! isolates accounts), so tests run in parallel.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use guardline_collect::{CollectOptions, CollectOutput, NoProgress};

struct Moto {
    endpoint: String,
    // Kept so the server's stdin stays open for the life of the test binary.
    _child: Child,
}

fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/moto/server.py");
        let python = std::env::var("GUARDLINE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let mut child = Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with moto[server] installed (see .ci/run)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("ready"), "moto server did not start: {line:?}");
        Moto { endpoint: format!("http://127.0.0.1:{port}"), _child: child }
    })
}

/// The moto endpoint, e.g. `http://127.0.0.1:40123`.
pub fn endpoint() -> &'static str {
    &moto().endpoint
}

fn base_config(region: &str, credentials: Credentials) -> SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new(region.to_owned()))
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(credentials))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .build()
}

/// A fresh, empty account on the moto server.
pub struct Account {
    pub id: String,
    /// Credentials of the account's `guardline-test` role, region ap-northeast-1.
    pub config: SdkConfig,
}

impl Account {
    pub async fn new() -> Account {
        static NEXT: AtomicU64 = AtomicU64::new(200_000_000_001);
        let id = NEXT.fetch_add(1, Ordering::Relaxed).to_string();
        let root = base_config("ap-northeast-1", Credentials::new("testing", "testing", None, None, "test"));
        let sts = aws_sdk_sts::Client::new(&root);
        let assumed = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{id}:role/guardline-test"))
            .role_session_name("guardline-test")
            .send()
            .await
            .expect("AssumeRole on moto");
        let creds = assumed.credentials().unwrap();
        let credentials = Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_owned()),
            None,
            "assumed",
        );
        Account { id, config: base_config("ap-northeast-1", credentials) }
    }

    /// The same credentials in another region.
    pub fn in_region(&self, region: &str) -> SdkConfig {
        self.config.to_builder().region(Region::new(region.to_owned())).build()
    }

    /// Collects the account over `regions`.
    pub async fn collect(&self, regions: &[&str]) -> CollectOutput {
        let options = CollectOptions {
            regions: Some(regions.iter().map(|region| (*region).to_owned()).collect()),
            max_attempts: 1,
            ..CollectOptions::default()
        };
        guardline_collect::collect(&self.config, &options, &NoProgress).await.expect("collection starts")
    }
}
