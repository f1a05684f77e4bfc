//! The sandbox: a local stand-in for the BioPassID API's four person operations.
//!
//! It lets people try biopass and lets tests run it end to end without a key for the
//! real service, and it speaks the real wire format (`crate::wire`) with the real
//! status codes and texts, including API Management's key checks. It is not a
//! biometric matcher: an image "matches" only when it is byte-identical to an enrolled
//! one. It never keeps images: each is decoded, hashed and dropped, and only SHA-256
//! digests and CustomIDs are stored. It binds 127.0.0.1 only.
//!
//! Two ways to run it. Embedded ([`Persistence::Sync`]): a biopass command starts it,
//! sends a few requests and exits, so every change is on disk, under a file lock,
//! before it is answered, and separate processes share one sandbox safely.
//! Served ([`Persistence::Memory`], `biopass sandbox serve`): a long-lived server that
//! keeps state in memory, saves it in the background, and can inject faults
//! ([`Faults`]) deterministically from a seed to exercise a client's retry logic.
//!
//! `GET /_sandbox/stats` (no key) reports `{"requests":N,"persons":N,"enrolls":{..},
//! "faults":{"503":n,"429":n,"reset":n,"hang":n}}`. `requests` counts every HTTP request
//! this server process received except stats queries; `enrolls` counts successful
//! enrolls per CustomID and, like `persons`, is part of the saved state.

mod faults;
pub mod quality;
mod request;
mod server;
mod store;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::stop::Stop;
use anyhow::{Context, Result, bail};
use tokio::sync::watch;

pub use faults::Faults;

/// The sandbox's default API key. A documented placeholder, not a secret: it exists so
/// the client's "no key" checks pass against the sandbox like against the real API.
pub const SANDBOX_KEY: &str = "biopass-sandbox-key";

/// The `ClientID` every sandbox enroll and update reports (the real API reports the
/// account's).
pub const CLIENT_ID: &str = "sandbox";

/// Request bodies larger than this get a 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Where the sandbox reports a problem it cannot answer with (a failed background
/// save). The library prints nothing; the binary passes a function that writes to stderr.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// How to run a sandbox.
pub struct Options {
    /// The subscription key requests must carry.
    pub key: String,
    /// Where the state lives, and when it is saved.
    pub persistence: Persistence,
    /// Which faults to inject (none by default).
    pub faults: Faults,
    /// Problems with no request to answer (saving state in the background); dropped
    /// when `None`.
    pub log: Option<Log>,
}

impl fmt::Debug for Options {
    // The key may be a user's choice rather than SANDBOX_KEY: keep it out of dumps.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("Options")
            .field("key", &"[REDACTED]")
            .field("persistence", &self.persistence)
            .field("faults", &self.faults)
            .finish()
    }
}

/// Where the sandbox keeps its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Persistence {
    /// `dir/sandbox.log`, an append-only log shared by every process using `dir`:
    /// each request reads what others appended, under `dir/sandbox.lock`, and appends
    /// (and syncs) its own change before it is answered. Compacted once it is mostly
    /// history, so a request costs the same however many people are enrolled.
    Sync {
        /// The state folder.
        dir: PathBuf,
    },
    /// In memory; if `data` is given, loaded from it at start and saved to it in the
    /// background (at most every 500 ms) and at shutdown.
    Memory {
        /// The state file, if the state outlives the process.
        data: Option<PathBuf>,
    },
}

/// What the embedded sandbox keeps in a state folder ([`status`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// The folder.
    pub dir: PathBuf,
    /// The state files present in it (the state, its lock, crash leftovers).
    pub files: Vec<PathBuf>,
    /// Their size in bytes.
    pub bytes: u64,
    /// People enrolled; `None` when the state file cannot be read (see `problem`).
    pub persons: Option<usize>,
    /// Why the state file cannot be read, if it cannot.
    pub problem: Option<String>,
}

/// Where the embedded sandbox's state in `dir` is, how many people it holds and how
/// big it is. Reads only; a folder that does not exist is an empty sandbox.
pub fn status(dir: &Path) -> Result<Status> {
    let files = store::state_files(dir)?;
    let bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let (persons, problem) = match store::persons_in(dir) {
        Ok(n) => (Some(n), None),
        Err(e) => (None, Some(format!("{e:#}"))),
    };
    Ok(Status {
        dir: dir.to_path_buf(),
        files,
        bytes,
        persons,
        problem,
    })
}

/// What [`reset`] removed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reset {
    /// The folder.
    pub dir: PathBuf,
    /// The files removed.
    pub removed: Vec<PathBuf>,
    /// The people the state held; `None` if it could not be read (removed anyway).
    pub persons: Option<usize>,
}

/// Delete the embedded sandbox's state in `dir`, without asking: it is throwaway
/// local test data. Only the sandbox's own files go; the folder and anything else
/// in it stay. A sandbox with no state is reset already.
pub fn reset(dir: &Path) -> Result<Reset> {
    let (removed, persons) = store::remove_state(dir)?;
    Ok(Reset {
        dir: dir.to_path_buf(),
        removed,
        persons,
    })
}

/// A running sandbox. Dropping it stops the server too, but only [`Handle::shutdown`]
/// reports a failure to save the state.
pub struct Handle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<Result<()>>>,
    log: Option<Log>,
}

impl Handle {
    /// The bound address (tests).
    #[cfg(test)]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint to give the client: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting, let in-flight requests finish (briefly), save the state, and
    /// wait for the server thread.
    pub fn shutdown(mut self) -> Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<()> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        self.stop.send_replace(true);
        match thread.join() {
            Ok(result) => result,
            Err(_) => bail!("the sandbox server thread panicked"),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Err(e) = self.stop_and_join()
            && let Some(log) = &self.log
        {
            log(&format!("{e:#}"));
        }
    }
}

/// Bind 127.0.0.1:port (0 = ephemeral) and serve on a background thread with its own
/// tokio runtime (current_thread in sync mode, where one process sends a few requests;
/// multi-thread in memory mode). Returns once the socket is bound, so the caller can
/// connect immediately.
pub fn spawn(opts: Options, port: u16) -> Result<Handle> {
    opts.faults.check()?;
    if opts.key.is_empty() {
        bail!("the sandbox needs a non-empty API key");
    }
    let store = store::Store::open(&opts.persistence)?;

    let mut builder = match opts.persistence {
        Persistence::Sync { .. } => tokio::runtime::Builder::new_current_thread(),
        Persistence::Memory { .. } => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = builder
        .enable_all()
        .thread_name("biopass-sandbox")
        .build()
        .context("starting the sandbox runtime")?;

    let bound = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .with_context(|| format!("binding the sandbox to 127.0.0.1:{port}"))?;
    let addr = bound
        .local_addr()
        .context("reading the sandbox's bound address")?;
    bound
        .set_nonblocking(true)
        .with_context(|| format!("configuring the sandbox socket {addr}"))?;
    let listener = {
        let _inside = runtime.enter();
        tokio::net::TcpListener::from_std(bound)
    }
    .with_context(|| format!("registering the sandbox socket {addr}"))?;

    let (stop, stopped) = watch::channel(false);
    let log = opts.log.clone();
    let shared = Arc::new(server::Shared::new(opts.key, store, opts.faults, opts.log));
    let thread = std::thread::Builder::new()
        .name("biopass-sandbox".into())
        .spawn(move || runtime.block_on(server::run(listener, shared, stopped)))
        .context("starting the sandbox thread")?;
    Ok(Handle {
        addr,
        stop,
        thread: Some(thread),
        log,
    })
}

/// `biopass sandbox serve`: spawn, hand the URL and key to `announce` (the binary
/// prints them), then wait for `stop` (the binary requests it on Ctrl-C or SIGTERM)
/// and shut down cleanly, saving the state. The caller watches the signals before
/// calling this: a supervisor that stops us as soon as it has read the two lines
/// must still get a clean shutdown.
pub fn serve(
    opts: Options,
    port: u16,
    stop: &Stop,
    announce: impl FnOnce(&str, &str) -> Result<()>,
) -> Result<()> {
    let key = opts.key.clone();
    let handle = spawn(opts, port)?;
    announce(&handle.url(), &key)?;
    stop.wait();
    handle.shutdown()
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    use super::request::tests::{jpeg, png};

    /// A reply as seen on the wire.
    struct Reply {
        status: u16,
        /// Header lines, lower-cased.
        headers: String,
        body: String,
    }

    impl Reply {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .map(str::trim)
        }

        fn json(&self) -> serde_json::Value {
            assert_eq!(
                self.header("content-type"),
                Some("application/json"),
                "{}",
                self.body
            );
            serde_json::from_str(&self.body).unwrap()
        }
    }

    /// Raw HTTP/1.1 request, `Connection: close`, whole reply read.
    fn raw(addr: SocketAddr, head: &str, body: &str) -> std::io::Result<Vec<u8>> {
        let mut s = TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(20)))?;
        s.write_all(format!("{head}Host: {addr}\r\nConnection: close\r\n\r\n{body}").as_bytes())?;
        let mut out = Vec::new();
        s.read_to_end(&mut out)?;
        Ok(out)
    }

    fn send(addr: SocketAddr, method: &str, path: &str, key: Option<&str>, body: &str) -> Reply {
        let key = key
            .map(|k| format!("Ocp-Apim-Subscription-Key: {k}\r\n"))
            .unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\n{key}Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        parse(&raw(addr, &head, body).unwrap())
    }

    fn parse(bytes: &[u8]) -> Reply {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let (head, body) = text
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("no reply: {text:?}"));
        let (status_line, headers) = head.split_once("\r\n").unwrap_or((head, ""));
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        Reply {
            status,
            headers: headers.to_lowercase(),
            body: body.to_string(),
        }
    }

    fn person(id: &str, faces: &[&str], fingers: &[(u8, &str)]) -> String {
        let faces: Vec<_> = faces
            .iter()
            .enumerate()
            .map(|(i, f)| format!(r#""Face-{}":"{f}""#, i + 1))
            .collect();
        let fingers: Vec<_> = fingers
            .iter()
            .map(|(s, f)| format!(r#""Finger-{s}":"{f}""#))
            .collect();
        format!(
            r#"{{"Person":{{"CustomID":"{id}","Face":[{{{}}}],"Fingers":[{{{}}}]}}}}"#,
            faces.join(","),
            fingers.join(",")
        )
    }

    fn stats(addr: SocketAddr) -> serde_json::Value {
        let r = send(addr, "GET", "/_sandbox/stats", None, "");
        assert_eq!(r.status, 200);
        assert!(r.body.starts_with(r#"{"requests":"#), "{}", r.body);
        r.json()
    }

    fn opts(persistence: Persistence, faults: Faults) -> Options {
        Options {
            key: SANDBOX_KEY.into(),
            persistence,
            faults,
            log: None,
        }
    }

    const K: Option<&str> = Some(SANDBOX_KEY);

    #[test]
    fn embedded_sandbox_speaks_the_api() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        let handle = spawn(
            opts(Persistence::Sync { dir: dir.clone() }, Faults::default()),
            0,
        )
        .unwrap();
        let addr = handle.addr();
        assert_eq!(handle.url(), format!("http://127.0.0.1:{}", addr.port()));
        let (face, thumb, index) = (
            jpeg("face of nobody"),
            png("synthetic thumb"),
            png("synthetic index"),
        );
        let alice = person("alice", &[&face], &[(1, &thumb), (2, &index)]);

        // The gateway: key checks before anything else, JSON bodies.
        let r = send(addr, "POST", "/multibiometrics/enroll", None, &alice);
        assert_eq!(r.status, 401);
        assert_eq!(
            r.json(),
            serde_json::json!({"statusCode":401,"message":"Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."})
        );
        let r = send(
            addr,
            "POST",
            "/multibiometrics/enroll",
            Some("wrong"),
            &alice,
        );
        assert_eq!(r.status, 401);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("invalid subscription key")
        );
        for (method, path) in [
            ("POST", "/multibiometrics/nope"),
            ("GET", "/multibiometrics/enroll"),
            ("POST", "/multibiometrics/update"),
        ] {
            let r = send(addr, method, path, K, &alice);
            assert_eq!(r.status, 404, "{method} {path}");
            assert_eq!(
                r.json(),
                serde_json::json!({"statusCode":404,"message":"Resource not found"})
            );
        }

        // The API's plain-text 400s.
        for bad in ["{", r#"{"Person":{"CustomID":"x"}}"#] {
            let r = send(addr, "POST", "/multibiometrics/enroll", K, bad);
            assert_eq!(
                (r.status, r.header("content-type"), r.body.as_str()),
                (400, Some("text/plain"), "Invalid JSON format")
            );
        }
        let r = send(
            addr,
            "POST",
            "/multibiometrics/enroll",
            K,
            &person("x", &["dGV4dA=="], &[]),
        );
        assert_eq!(
            (r.status, r.body.as_str()),
            (400, "Failed to extract face template")
        );

        // Enroll, duplicate, verify, update, delete.
        let r = send(addr, "POST", "/multibiometrics/enroll", K, &alice);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.json(),
            serde_json::json!({"Person":{"ClientID":"sandbox","CustomID":"alice","BioPassID":"1"}})
        );
        let r = send(addr, "POST", "/multibiometrics/enroll", K, &alice);
        assert_eq!(
            (r.status, r.body.as_str()),
            (400, "Person with this CustomID already exists")
        );

        // What is on disk: digests, never the images.
        let saved = std::fs::read_to_string(dir.join("sandbox.log")).unwrap();
        for image in [&face, &thumb, &index] {
            assert!(
                !saved.contains(image.as_str()),
                "image data in the state file"
            );
            assert!(
                !saved.contains(&image[..16]),
                "image data in the state file"
            );
        }
        assert!(
            saved.contains(&crate::images::sha256_hex(
                b"\x89PNG\r\n\x1a\nsynthetic thumb"
            )),
            "{saved}"
        );

        let r = send(
            addr,
            "POST",
            "/multibiometrics/verify",
            K,
            &person("alice", &[&face], &[(2, &index)]),
        );
        assert_eq!(
            r.json(),
            serde_json::json!({"Person":{"CustomID":"alice","Match":true,"MatchDetails":{"FaceMatched":true,"NonMatchedFingers":[
                "Finger-1","Finger-3","Finger-4","Finger-5","Finger-6","Finger-7","Finger-8","Finger-9","Finger-10"]}}})
        );
        // The right image in the wrong slot is no match.
        let r = send(
            addr,
            "POST",
            "/multibiometrics/verify",
            K,
            &person("alice", &[], &[(3, &index)]),
        );
        assert_eq!(r.json()["Person"]["Match"], false);
        assert_eq!(r.json()["Person"]["MatchDetails"]["FaceMatched"], false);
        let r = send(
            addr,
            "POST",
            "/multibiometrics/verify",
            K,
            &person("bob", &[&face], &[]),
        );
        assert_eq!((r.status, r.body.as_str()), (400, "Person not found"));

        let r = send(
            addr,
            "PUT",
            "/multibiometrics/update",
            K,
            &person("alice", &[&jpeg("new face")], &[]),
        );
        assert_eq!(
            r.json(),
            serde_json::json!({"Person":{"ClientID":"sandbox","CustomID":"alice","BioPassID":"1"}})
        );
        let r = send(addr, "POST", "/multibiometrics/verify", K, &alice);
        assert_eq!(r.json()["Person"]["Match"], false);

        let delete = r#"{"Person":{"CustomID":"alice"}}"#;
        let r = send(addr, "DELETE", "/multibiometrics/delete", K, delete);
        assert_eq!(r.json(), serde_json::json!({"Person":{"CustomID":"alice"}}));
        let r = send(addr, "DELETE", "/multibiometrics/delete", K, delete);
        assert_eq!((r.status, r.body.as_str()), (400, "Person not found"));

        // Oversized bodies are refused from their declared length alone.
        let head = format!(
            "POST /multibiometrics/enroll HTTP/1.1\r\nOcp-Apim-Subscription-Key: {SANDBOX_KEY}\r\nContent-Length: {}\r\n",
            MAX_BODY_BYTES + 1
        );
        assert_eq!(parse(&raw(addr, &head, "").unwrap()).status, 413);

        let s = stats(addr);
        assert_eq!(s["persons"], 0);
        assert_eq!(s["enrolls"], serde_json::json!({"alice":1}));
        assert_eq!(
            s["faults"],
            serde_json::json!({"503":0,"429":0,"reset":0,"hang":0})
        );
        assert_eq!(s["requests"], 18);
        handle.shutdown().unwrap();

        // A second process (here: a second server) sees the same sandbox, and
        // BioPassIDs carry on rather than restart.
        let handle = spawn(opts(Persistence::Sync { dir }, Faults::default()), 0).unwrap();
        let r = send(handle.addr(), "POST", "/multibiometrics/enroll", K, &alice);
        assert_eq!(r.json()["Person"]["BioPassID"], "2");
        assert_eq!(
            stats(handle.addr())["enrolls"],
            serde_json::json!({"alice":2})
        );
        handle.shutdown().unwrap();
    }

    #[test]
    fn refusals_come_before_acting_and_key_checks_before_faults() {
        let faults = Faults {
            p503: 1.0,
            ..Faults::default()
        };
        let handle = spawn(opts(Persistence::Memory { data: None }, faults), 0).unwrap();
        let body = person("a", &[&jpeg("f")], &[]);
        let r = send(
            handle.addr(),
            "POST",
            "/multibiometrics/enroll",
            Some("bad"),
            &body,
        );
        assert_eq!(r.status, 401);
        let r = send(handle.addr(), "POST", "/multibiometrics/enroll", K, &body);
        assert_eq!(r.status, 503);
        assert_eq!(
            r.json(),
            serde_json::json!({"statusCode":503,"message":"Service Unavailable"})
        );
        let s = stats(handle.addr());
        assert_eq!(
            (s["persons"].as_u64(), s["faults"]["503"].as_u64()),
            (Some(0), Some(1))
        );
        handle.shutdown().unwrap();

        let faults = Faults {
            p429: 1.0,
            retry_after_secs: 7,
            ..Faults::default()
        };
        let handle = spawn(opts(Persistence::Memory { data: None }, faults), 0).unwrap();
        let r = send(handle.addr(), "POST", "/multibiometrics/enroll", K, &body);
        assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
        assert_eq!(
            r.json()["message"],
            "Rate limit is exceeded. Try again in 7 seconds."
        );
        assert_eq!(stats(handle.addr())["persons"], 0);
        handle.shutdown().unwrap();
    }

    #[test]
    fn reset_drops_the_connection_after_the_enroll_lands() {
        let faults = Faults {
            preset: 1.0,
            ..Faults::default()
        };
        let handle = spawn(opts(Persistence::Memory { data: None }, faults), 0).unwrap();
        let body = person("a", &[&jpeg("f")], &[]);
        let head = format!(
            "POST /multibiometrics/enroll HTTP/1.1\r\nOcp-Apim-Subscription-Key: {SANDBOX_KEY}\r\nContent-Length: {}\r\n",
            body.len()
        );
        match raw(handle.addr(), &head, &body) {
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
            Ok(bytes) => panic!(
                "expected a reset, got {:?}",
                String::from_utf8_lossy(&bytes)
            ),
        }
        let s = stats(handle.addr());
        assert_eq!(s["enrolls"], serde_json::json!({"a":1}));
        assert_eq!(s["faults"]["reset"], 1);
        handle.shutdown().unwrap();
    }

    #[test]
    fn hang_and_latency_delay_the_answer() {
        let faults = Faults {
            phang: 1.0,
            hang_ms: 300,
            latency_ms: 100,
            ..Faults::default()
        };
        let handle = spawn(opts(Persistence::Memory { data: None }, faults), 0).unwrap();
        let started = Instant::now();
        let r = send(
            handle.addr(),
            "POST",
            "/multibiometrics/enroll",
            K,
            &person("a", &[&jpeg("f")], &[]),
        );
        assert_eq!(r.status, 200);
        assert!(
            started.elapsed() >= Duration::from_millis(400),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(stats(handle.addr())["faults"]["hang"], 1);
        handle.shutdown().unwrap();
    }

    #[test]
    fn memory_state_is_saved_at_shutdown_and_reloaded() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("sandbox-data.json");
        let p = Persistence::Memory {
            data: Some(data.clone()),
        };
        let handle = spawn(opts(p.clone(), Faults::default()), 0).unwrap();
        let face = jpeg("f");
        let r = send(
            handle.addr(),
            "POST",
            "/multibiometrics/enroll",
            K,
            &person("a", &[&face], &[]),
        );
        assert_eq!(r.status, 200);
        handle.shutdown().unwrap();
        let saved = std::fs::read_to_string(&data).unwrap();
        assert!(!saved.contains(face.as_str()));

        let handle = spawn(opts(p, Faults::default()), 0).unwrap();
        let r = send(
            handle.addr(),
            "POST",
            "/multibiometrics/verify",
            K,
            &person("a", &[&face], &[]),
        );
        assert_eq!(r.json()["Person"]["Match"], true);
        handle.shutdown().unwrap();
    }

    #[test]
    fn bad_options_fail_before_binding() {
        let bad_rates = Faults {
            p503: 0.7,
            phang: 0.7,
            ..Faults::default()
        };
        assert!(spawn(opts(Persistence::Memory { data: None }, bad_rates), 0).is_err());
        let no_key = Options {
            key: String::new(),
            persistence: Persistence::Memory { data: None },
            faults: Faults::default(),
            log: None,
        };
        assert!(spawn(no_key, 0).is_err());
        let debug = format!(
            "{:?}",
            opts(Persistence::Memory { data: None }, Faults::default())
        );
        assert!(!debug.contains(SANDBOX_KEY), "{debug}");
    }
}
