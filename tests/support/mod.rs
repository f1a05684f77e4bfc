//! Test support: a hermetic command builder and a recording HTTP server.
//!
//! The recording server is a real HTTP/1.1 server on 127.0.0.1 (tiny_http): it
//! answers from a script of canned responses and records every request, so tests
//! can assert method, path, headers and body exactly as the binary sent them.
//! It fails the test if it was never hit, unless the test said it must not be.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use assert_cmd::Command;
use base64::Engine as _;

/// A fake key used only against local test servers.
pub const TEST_KEY: &str = "test-key-0123456789abcdef";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A temporary home: config, data and sandbox folders all inside it.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_dir(&self) -> PathBuf {
        self.path().join("config/biopass")
    }

    /// Write `config.toml` in the default location with mode 0600.
    pub fn write_config(&self, text: &str) -> PathBuf {
        let dir = self.config_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("config.toml");
        std::fs::write(&p, text).unwrap();
        set_mode(&p, 0o600);
        p
    }

    /// Write a private key file and return its path.
    pub fn key_file(&self, key: &str) -> PathBuf {
        let p = self.path().join("api.key");
        std::fs::write(&p, format!("{key}\n")).unwrap();
        set_mode(&p, 0o600);
        p
    }

    /// The binary with a clean environment: nothing of the developer's leaks in.
    pub fn cmd(&self) -> Command {
        let mut c = Command::from_std(self.std_cmd());
        c.timeout(Duration::from_secs(60));
        c
    }

    /// The same, as a `std::process::Command` (for tests that need to spawn).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("biopass"));
        c.env_clear()
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("BIOPASS_SANDBOX_DIR", self.path().join("sandbox"))
            .env("RUST_BACKTRACE", "0");
        c
    }

    /// The binary aimed at `url` with the test key in the environment.
    pub fn cmd_at(&self, url: &str) -> Command {
        let mut c = self.cmd();
        c.env("BIOPASS_ENDPOINT", url)
            .env("BIOPASS_API_KEY", TEST_KEY);
        c
    }
}

pub fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// One canned answer.
#[derive(Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Canned {
    pub fn json(status: u16, body: &str) -> Canned {
        Canned {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }
    pub fn text(status: u16, body: &str) -> Canned {
        Canned {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Canned {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delayed(mut self, d: Duration) -> Canned {
        self.delay = d;
        self
    }
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

pub struct Recorder {
    pub url: String,
    server: Arc<tiny_http::Server>,
    requests: Arc<Mutex<Vec<Recorded>>>,
    thread: Option<JoinHandle<()>>,
    expect_none: AtomicBool,
}

impl Recorder {
    /// Serve `script` in order; the last answer repeats.
    pub fn start(script: Vec<Canned>) -> Recorder {
        assert!(!script.is_empty());
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (server.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            for (i, mut req) in s.incoming_requests().enumerate() {
                let mut body = Vec::new();
                std::io::Read::read_to_end(req.as_reader(), &mut body).unwrap();
                r.lock().unwrap().push(Recorded {
                    method: req.method().to_string(),
                    path: req.url().to_string(),
                    headers: req
                        .headers()
                        .iter()
                        .map(|h| (h.field.to_string(), h.value.to_string()))
                        .collect(),
                    body,
                });
                let c = script[i.min(script.len() - 1)].clone();
                std::thread::sleep(c.delay);
                let mut resp = tiny_http::Response::from_string(c.body).with_status_code(c.status);
                for (k, v) in c.headers {
                    resp.add_header(
                        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap(),
                    );
                }
                let _ = req.respond(resp);
            }
        });
        Recorder {
            url,
            server,
            requests,
            thread: Some(thread),
            expect_none: AtomicBool::new(false),
        }
    }

    /// This server must receive no request at all (e.g. `--dry-run`).
    pub fn expect_no_requests(&self) {
        self.expect_none.store(true, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The only request received.
    pub fn single(&self) -> Recorded {
        let r = self.requests();
        assert_eq!(r.len(), 1, "expected exactly one request, got {}", r.len());
        r[0].clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if std::thread::panicking() {
            return;
        }
        let n = self.requests.lock().unwrap().len();
        if self.expect_none.load(Ordering::SeqCst) {
            assert_eq!(
                n, 0,
                "the server was hit {n} times but should not have been"
            );
        } else {
            assert!(n > 0, "the recording server was never hit");
        }
    }
}

/// Run a command and return (code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A `biopass sandbox serve` child process, killed on drop.
pub struct Served {
    pub child: std::process::Child,
    pub url: String,
    pub key: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// `GET /_sandbox/stats`.
    pub fn stats(&self) -> serde_json::Value {
        use std::io::{Read, Write};
        let addr = self.url.strip_prefix("http://").unwrap();
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /_sandbox/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let body = text.split_once("\r\n\r\n").expect("an HTTP answer").1;
        serde_json::from_str(body).unwrap_or_else(|e| panic!("stats body {body:?}: {e}"))
    }

    /// The binary aimed at this server with its key.
    pub fn cmd(&self, home: &Home) -> Command {
        let mut c = home.cmd();
        c.env("BIOPASS_ENDPOINT", &self.url)
            .env("BIOPASS_API_KEY", &self.key);
        c
    }

    pub fn std_cmd(&self, home: &Home) -> std::process::Command {
        let mut c = home.std_cmd();
        c.env("BIOPASS_ENDPOINT", &self.url)
            .env("BIOPASS_API_KEY", &self.key);
        c
    }
}

/// Start `biopass sandbox serve --port 0` with `extra` options.
pub fn serve(home: &Home, extra: &[&str]) -> Served {
    serve_at(home, 0, extra)
}

/// Start `biopass sandbox serve` on `port` (0: any free one). A sandbox restarted on
/// the port of an earlier one is the same target to a batch journal.
pub fn serve_at(home: &Home, port: u16, extra: &[&str]) -> Served {
    use std::io::{BufRead, BufReader};
    let mut child = home
        .std_cmd()
        .args(["sandbox", "serve", "--port", &port.to_string()])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    let key = lines.next().unwrap().unwrap();
    Served {
        child,
        url: url
            .strip_prefix("BIOPASS_ENDPOINT=")
            .expect("endpoint line")
            .to_string(),
        key: key
            .strip_prefix("BIOPASS_API_KEY=")
            .expect("key line")
            .to_string(),
    }
}
pub mod hostile;

/// A `--summary-json` file, parsed.
pub fn summary(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every row of a batch summary in exactly one count, and the counts add up to the
/// total.
pub fn assert_adds_up(v: &serde_json::Value) {
    let parts: u64 = [
        "succeeded",
        "reconciled",
        "already_done",
        "skipped",
        "failed",
        "invalid",
        "pending",
    ]
    .iter()
    .map(|k| v[k].as_u64().unwrap())
    .sum();
    assert_eq!(parts, v["total"].as_u64().unwrap(), "summary adds up: {v}");
}
