//! Local servers the channel tests send to, std-only so that any test binary can include this file:
//! an HTTP server that records webhook calls, serves feed files and fails on demand (429 with
//! `Retry-After`, 500), and an SMTP sink that records mail (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT;
//! no STARTTLS).

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the HTTP server received, and the status it answered.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub status: u16,
    pub at: Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<u64>,
    pub body: String,
}

#[derive(Default)]
struct HttpState {
    requests: Vec<Request>,
    /// Answers to give next, per path, before the default.
    queued: HashMap<String, VecDeque<Answer>>,
    /// Paths answering 500 until set up again.
    down: HashMap<String, bool>,
    /// Paths answering 302 to a location.
    redirects: HashMap<String, String>,
    /// GET paths: content type and body.
    files: HashMap<String, (String, String)>,
    /// Body of a 200 per path (default "ok").
    ok_bodies: HashMap<String, String>,
}

/// The HTTP test server on 127.0.0.1.
#[derive(Clone)]
pub struct HttpServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<HttpState>>,
}

impl HttpServer {
    pub fn start() -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the HTTP test server");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(HttpState::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let _ = handle_http(stream, &state);
                });
            }
        });
        HttpServer { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Serves `body` at `path` for GET.
    pub fn serve(&self, path: &str, content_type: &str, body: &str) {
        self.state.lock().unwrap().files.insert(path.to_owned(), (content_type.to_owned(), body.to_owned()));
    }

    /// The body of a 200 at `path` (default "ok").
    pub fn ok_body(&self, path: &str, body: &str) {
        self.state.lock().unwrap().ok_bodies.insert(path.to_owned(), body.to_owned());
    }

    /// The next `times` requests to `path` get `status` (with `Retry-After` when given).
    pub fn fail_next(&self, path: &str, status: u16, times: usize, retry_after: Option<u64>) {
        let mut state = self.state.lock().unwrap();
        let queue = state.queued.entry(path.to_owned()).or_default();
        for _ in 0..times {
            queue.push_back(Answer { status, retry_after, body: format!("error {status}") });
        }
    }

    /// While down, every request to `path` gets 500 (a served file's GET too; a queued answer still comes
    /// first).
    pub fn set_down(&self, path: &str, down: bool) {
        self.state.lock().unwrap().down.insert(path.to_owned(), down);
    }

    /// Every request to `path` gets `302 Found` with `Location: location`.
    pub fn redirect(&self, path: &str, location: &str) {
        self.state.lock().unwrap().redirects.insert(path.to_owned(), location.to_owned());
    }

    /// Every request, in order.
    pub fn all_requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Every request to `path`, in order.
    pub fn requests(&self, path: &str) -> Vec<Request> {
        self.state.lock().unwrap().requests.iter().filter(|request| request.path == path).cloned().collect()
    }

    /// The requests to `path` answered 2xx: the messages the channel accepted.
    pub fn accepted(&self, path: &str) -> Vec<Request> {
        self.requests(path).into_iter().filter(|request| (200..300).contains(&request.status)).collect()
    }
}

fn handle_http(stream: TcpStream, state: &Mutex<HttpState>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(());
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((key, value)) = header.split_once(':') {
            headers.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let body = String::from_utf8_lossy(&body).into_owned();
    let (status, content_type, response_body, retry_after, location) = {
        let mut state = state.lock().unwrap();
        let down = state.down.get(&path).copied().unwrap_or(false);
        let location = state.redirects.get(&path).cloned();
        let answer = if location.is_some() {
            (302, "text/plain".to_owned(), "moved".to_owned(), None)
        } else if method == "GET" && down {
            (500, "text/plain".to_owned(), "down".to_owned(), None)
        } else if method == "GET" {
            match state.files.get(&path) {
                Some((content_type, body)) => (200, content_type.clone(), body.clone(), None),
                None => (404, "text/plain".to_owned(), "not found".to_owned(), None),
            }
        } else if let Some(answer) = state.queued.get_mut(&path).and_then(VecDeque::pop_front) {
            (answer.status, "text/plain".to_owned(), answer.body, answer.retry_after)
        } else if down {
            (500, "text/plain".to_owned(), "down".to_owned(), None)
        } else {
            let ok = state.ok_bodies.get(&path).cloned().unwrap_or_else(|| "ok".to_owned());
            let content_type = if ok.starts_with('{') { "application/json" } else { "text/plain" };
            (200, content_type.to_owned(), ok, None)
        };
        state.requests.push(Request {
            method: method.clone(),
            path: path.clone(),
            headers,
            body,
            status: answer.0,
            at: Instant::now(),
        });
        (answer.0, answer.1, answer.2, answer.3, location)
    };
    let reason = match status {
        200 => "OK",
        302 => "Found",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Error",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        response_body.len()
    );
    if let Some(seconds) = retry_after {
        response.push_str(&format!("Retry-After: {seconds}\r\n"));
    }
    if let Some(location) = location {
        response.push_str(&format!("Location: {location}\r\n"));
    }
    response.push_str("Connection: close\r\n\r\n");
    response.push_str(&response_body);
    writer.write_all(response.as_bytes())?;
    writer.flush()?;
    Ok(())
}

/// One mail the sink received.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and encoded body).
    pub data: String,
    /// The `AUTH PLAIN` credentials, if any, decoded ("\0user\0password").
    pub auth: Option<String>,
}

impl Mail {
    /// The body decoded from quoted-printable or base64, with the headers (subject decoded roughly).
    pub fn text(&self) -> String {
        let (headers, body) = self.data.split_once("\r\n\r\n").unwrap_or((&self.data, ""));
        let lower = headers.to_ascii_lowercase();
        let body = if lower.contains("content-transfer-encoding: base64") {
            String::from_utf8_lossy(&base64_decode(&body.replace(['\r', '\n'], ""))).into_owned()
        } else if lower.contains("content-transfer-encoding: quoted-printable") {
            quoted_printable_decode(body)
        } else {
            body.to_owned()
        };
        format!("{headers}\r\n\r\n{body}")
    }
}

#[derive(Default)]
struct SmtpState {
    mails: Vec<Mail>,
    /// While down, connections are refused with 421.
    down: bool,
}

/// The SMTP sink on 127.0.0.1.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<SmtpState>>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the SMTP sink");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(SmtpState::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let _ = handle_smtp(stream, &state);
                });
            }
        });
        SmtpSink { port, state }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.state.lock().unwrap().mails.clone()
    }

    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }
}

fn handle_smtp(stream: TcpStream, state: &Mutex<SmtpState>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    if state.lock().unwrap().down {
        writer.write_all(b"421 sink down\r\n")?;
        return Ok(());
    }
    writer.write_all(b"220 sink ESMTP ready\r\n")?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut auth = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            writer.write_all(b"250-sink\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
        } else if upper.starts_with("HELO") {
            writer.write_all(b"250 sink\r\n")?;
        } else if upper.starts_with("AUTH PLAIN") {
            let encoded = command.split_whitespace().nth(2).unwrap_or_default();
            auth = Some(String::from_utf8_lossy(&base64_decode(encoded)).into_owned());
            writer.write_all(b"235 2.7.0 authenticated\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command[10..]);
            to.clear();
            writer.write_all(b"250 2.1.0 ok\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&command[8..]));
            writer.write_all(b"250 2.1.5 ok\r\n")?;
        } else if upper == "DATA" {
            writer.write_all(b"354 end with .\r\n")?;
            let mut data = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let line = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(line);
            }
            state.lock().unwrap().mails.push(Mail {
                from: from.clone(),
                to: to.clone(),
                data,
                auth: auth.clone(),
            });
            writer.write_all(b"250 2.0.0 queued\r\n")?;
        } else if upper == "RSET" || upper == "NOOP" {
            writer.write_all(b"250 ok\r\n")?;
        } else if upper == "QUIT" {
            writer.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            writer.write_all(b"502 not implemented\r\n")?;
        }
        writer.flush()?;
    }
}

fn address(text: &str) -> String {
    let text = text.trim();
    let start = text.find('<').map_or(0, |at| at + 1);
    let end = text.find('>').unwrap_or(text.len());
    text[start..end].to_owned()
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let Some(v) = value(c) else { continue };
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

fn quoted_printable_decode(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
