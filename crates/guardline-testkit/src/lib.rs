//! Test support shared by Guardline's test binaries: a moto server per test binary, and a fresh, isolated
//! AWS account on it for each test.
//!
//! Tests never reset the server: each gets its own account by AssumeRole into a new account ID (moto
//! isolates accounts), so tests run in parallel. A test that needs a server of its own (e.g. one with IAM
//! permission checks on) starts one with [`MotoServer::start`].

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

/// A running moto server; it stops when this value is dropped or the test process exits (its stdin closes).
pub struct MotoServer {
    pub endpoint: String,
    child: Child,
}

impl MotoServer {
    /// Starts a moto server on a free loopback port (`tests/moto/server.py`; `GUARDLINE_PYTHON` picks the
    /// interpreter, default `python3`).
    pub fn start() -> MotoServer {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // The checkout running the tests (cargo sets CARGO_MANIFEST_DIR for the test process, and every
        // crate sits two levels below the root), not the one this library was first compiled in: two
        // checkouts sharing a target directory share this compiled library.
        let root =
            std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
        let script = format!("{root}/../../tests/moto/server.py");
        let python = std::env::var("GUARDLINE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let mut child = Command::new(python)
            .arg(&script)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with moto[server] installed (scripts/test installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("ready"), "moto server did not start: {line:?}");
        MotoServer { endpoint: format!("http://127.0.0.1:{port}"), child }
    }

    /// POSTs `body` to the moto control API at `path` (e.g. `/moto-api/reset-auth`).
    pub fn control(&self, path: &str, content_type: &str, body: &str) {
        let status = Command::new("python3")
            .arg("-c")
            .arg(
                "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], \
                 data=sys.argv[3].encode(), headers={'Content-Type': sys.argv[2]}, method='POST')).read()",
            )
            .arg(format!("{}{path}", self.endpoint))
            .arg(content_type)
            .arg(body)
            .status()
            .expect("python3");
        assert!(status.success(), "POST {path} failed");
    }

    /// A fresh, empty account on this server, reached through an assumed role.
    pub async fn account(&self) -> Account {
        static NEXT: AtomicU64 = AtomicU64::new(200_000_000_001);
        let id = NEXT.fetch_add(1, Ordering::Relaxed).to_string();
        let root = self.config("ap-northeast-1", Credentials::new("testing", "testing", None, None, "test"));
        let assumed = aws_sdk_sts::Client::new(&root)
            .assume_role()
            .role_arn(format!("arn:aws:iam::{id}:role/guardline-test"))
            .role_session_name("guardline-test")
            .send()
            .await
            .expect("AssumeRole on moto");
        let creds = assumed.credentials().expect("AssumeRole returns credentials");
        let credentials = Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_owned()),
            None,
            "assumed",
        );
        Account { id, config: self.config("ap-northeast-1", credentials.clone()), credentials }
    }

    /// An SDK config for this server with `credentials` in `region`, making one attempt per call.
    pub fn config(&self, region: &str, credentials: Credentials) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(region.to_owned()))
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
            // A request moto never answers fails the test instead of hanging it.
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .operation_timeout(std::time::Duration::from_secs(60))
                    .build(),
            )
            .build()
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The moto server shared by every test of this test binary.
pub fn shared() -> &'static MotoServer {
    static SERVER: OnceLock<MotoServer> = OnceLock::new();
    SERVER.get_or_init(MotoServer::start)
}

/// An isolated account on a moto server.
pub struct Account {
    pub id: String,
    /// The account's credentials, region ap-northeast-1.
    pub config: SdkConfig,
    pub credentials: Credentials,
}

impl Account {
    /// The same credentials in another region.
    pub fn in_region(&self, region: &str) -> SdkConfig {
        self.config.to_builder().region(Region::new(region.to_owned())).build()
    }

    /// An S3 client of the account, path-style (moto on 127.0.0.1 has no bucket host names).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.config).force_path_style(true).build(),
        )
    }
}

/// Creates `bucket` in ap-northeast-1 (the accounts' region) with `s3`, or panics.
pub async fn create_bucket(s3: &aws_sdk_s3::Client, bucket: &str) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let location =
        CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::ApNortheast1);
    s3.create_bucket()
        .bucket(bucket)
        .create_bucket_configuration(location.build())
        .send()
        .await
        .unwrap_or_else(|error| panic!("creating bucket {bucket}: {error:?}"));
}
