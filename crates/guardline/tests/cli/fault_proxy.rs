//! A fault-injecting HTTP proxy between the binary and moto server (test-only): on a deterministic fraction
//! of requests it answers with a throttling error in the request's protocol, a 500, a 503, or drops the
//! connection; it can also fail one service permanently or leave it hanging. Every request it forwards goes
//! to moto with `Connection: close`, one request per connection. It also records each request's signing key
//! and body, so that tests can see which credentials made which call.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does to requests.
#[derive(Clone, Default)]
pub struct Faults {
    /// The fraction of requests that get a transient fault (0.0 to 1.0).
    pub fraction: f64,
    pub seed: u64,
    /// Every request to this service (its SigV4 signing name, e.g. `guardduty`) fails with a 503.
    pub failing_service: Option<String>,
    /// Every request to this service gets no answer at all.
    pub hanging_service: Option<String>,
}

/// A running proxy; it stops when the test process exits.
pub struct FaultProxy {
    pub endpoint: String,
    requests: Arc<AtomicU64>,
    injected: Arc<AtomicU64>,
    log: Arc<Mutex<Vec<Recorded>>>,
}

/// One request as the proxy saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The access key ID the request was signed with.
    pub access_key: String,
    /// The SigV4 signing name of the service, e.g. `sts`.
    pub service: String,
    /// The `x-amz-expected-bucket-owner` header, when the request has one.
    pub expected_bucket_owner: Option<String>,
    pub body: String,
}

impl FaultProxy {
    pub fn start(upstream: &str, faults: Faults) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let requests = Arc::new(AtomicU64::new(0));
        let injected = Arc::new(AtomicU64::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (counter, faulted, recorder) = (requests.clone(), injected.clone(), log.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let number = counter.fetch_add(1, Ordering::Relaxed);
                let (faults, upstream) = (faults.clone(), upstream.clone());
                let (faulted, recorder) = (faulted.clone(), recorder.clone());
                std::thread::spawn(move || {
                    let _ = serve(client, number, &faults, &upstream, &faulted, &recorder);
                });
            }
        });
        FaultProxy { endpoint, requests, injected, log }
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Every request received so far.
    pub fn recorded(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    /// Transient faults injected so far.
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::Relaxed)
    }
}

/// splitmix64: the fault decision for request `number` depends only on the seed and the number.
fn random(seed: u64, number: u64) -> f64 {
    let mut z = seed.wrapping_add(number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn serve(
    client: TcpStream,
    number: u64,
    faults: &Faults,
    upstream: &str,
    faulted: &AtomicU64,
    log: &Mutex<Vec<Recorded>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut content_length = 0usize;
    let (mut service, mut content_type, mut access_key) = (String::new(), String::new(), String::new());
    let mut expected_bucket_owner = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            content_length = value.trim().parse().unwrap_or(0);
        } else if let Some(value) = lower.strip_prefix("content-type:") {
            content_type = value.trim().to_owned();
        } else if let Some(value) = lower.strip_prefix("x-amz-expected-bucket-owner:") {
            expected_bucket_owner = Some(value.trim().to_owned());
        } else if lower.starts_with("authorization:") {
            // Credential=AKID/20261128/ap-northeast-1/guardduty/aws4_request
            if let Some(scope) = lower.split("credential=").nth(1) {
                service = scope.split('/').nth(3).unwrap_or_default().to_owned();
            }
            if let Some(scope) = line.split("Credential=").nth(1) {
                access_key = scope.split('/').next().unwrap_or_default().to_owned();
            }
        }
        if lower.starts_with("connection:") {
            continue;
        }
        if line == "\r\n" {
            head.extend_from_slice(b"Connection: close\r\n\r\n");
            break;
        }
        head.extend_from_slice(line.as_bytes());
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body)?;
    log.lock().unwrap().push(Recorded {
        access_key,
        service: service.clone(),
        expected_bucket_owner,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let mut client = client;
    if faults.hanging_service.as_deref() == Some(service.as_str()) {
        std::thread::sleep(Duration::from_secs(600));
        return Ok(());
    }
    if faults.failing_service.as_deref() == Some(service.as_str()) {
        return respond(&mut client, 503, &[], "Service Unavailable");
    }
    let draw = random(faults.seed, number);
    if draw < faults.fraction {
        faulted.fetch_add(1, Ordering::Relaxed);
        // Spread the faults over four kinds.
        return match ((draw / faults.fraction) * 4.0) as u32 {
            0 => throttle(&mut client, &service, &content_type),
            1 => respond(&mut client, 500, &[], "Internal Server Error"),
            2 => respond(&mut client, 503, &[], "Service Unavailable"),
            _ => Ok(()), // dropped: the connection closes with no answer
        };
    }
    let mut upstream = TcpStream::connect(upstream)?;
    upstream.write_all(&head)?;
    upstream.write_all(&body)?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer)?;
    client.write_all(&answer)
}

fn respond(client: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &str) -> std::io::Result<()> {
    let mut text =
        format!("HTTP/1.1 {status} Fault\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    client.write_all(text.as_bytes())
}

/// A throttling error the way the request's protocol reports one.
fn throttle(client: &mut TcpStream, service: &str, content_type: &str) -> std::io::Result<()> {
    if content_type.starts_with("application/x-amz-json") {
        let body = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
        return respond(client, 400, &[("Content-Type", "application/x-amz-json-1.1")], body);
    }
    if service == "ec2" {
        let body = "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit \
                    exceeded.</Message></Error></Errors><RequestID>fault</RequestID></Response>";
        return respond(client, 503, &[("Content-Type", "text/xml")], body);
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded\
                    </Message></Error><RequestId>fault</RequestId></ErrorResponse>";
        return respond(client, 400, &[("Content-Type", "text/xml")], body);
    }
    if service == "s3" {
        let body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
        return respond(client, 503, &[("Content-Type", "application/xml")], body);
    }
    let headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ThrottlingException")];
    respond(client, 429, &headers, r#"{"message":"Rate exceeded"}"#)
}
