//! Hostile servers for `tests/hostile.rs`: raw sockets on 127.0.0.1 that misbehave on
//! purpose (drip a body, answer at once then stall), and a TLS server whose
//! certificate comes from a private CA generated for the test.
//!
//! The raw server reads one request per connection, then hands the socket to the
//! test's handler; it counts connections so a test can assert "exactly one".

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A request as read off the socket: the head (request line and headers) and body.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub head: String,
    pub body: Vec<u8>,
}

/// Read one HTTP/1.1 request (Content-Length bodies only, which is what biopass sends).
pub fn read_request(s: &mut impl Read) -> std::io::Result<RawRequest> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; len];
    s.read_exact(&mut body)?;
    Ok(RawRequest { head, body })
}

type Handler = dyn Fn(usize, &mut TcpStream, &AtomicBool) + Send + Sync;

/// A raw TCP server; each connection's request is read, recorded, then the handler
/// writes whatever it likes (checking `stop` between drips).
pub struct RawServer {
    pub url: String,
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    thread: Option<JoinHandle<()>>,
}

impl RawServer {
    pub fn start(
        handler: impl Fn(usize, &mut TcpStream, &AtomicBool) + Send + Sync + 'static,
    ) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (st, n, reqs) = (stop.clone(), connections.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut conn) = conn else { continue };
                let i = n.fetch_add(1, Ordering::SeqCst);
                let (h, st, reqs) = (handler.clone(), st.clone(), reqs.clone());
                std::thread::spawn(move || {
                    if let Ok(r) = read_request(&mut conn) {
                        reqs.lock().unwrap().push(r);
                        h(i, &mut conn, &st);
                    }
                });
            }
        });
        RawServer {
            url: format!("http://{addr}"),
            addr,
            stop,
            connections,
            requests,
            thread: Some(thread),
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// Wait until `n` requests have been read, or panic at the deadline.
    pub fn wait_for_requests(&self, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.requests.lock().unwrap().len() < n {
            assert!(
                Instant::now() < deadline,
                "the server never saw {n} request(s)"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // unblock accept
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A handler that sends a complete head at once, then the body one byte per
/// `every`, stopping when the server stops or the client goes.
pub fn drip(
    status: u16,
    body: &'static str,
    every: Duration,
) -> impl Fn(usize, &mut TcpStream, &AtomicBool) + Send + Sync {
    move |_, s, stop| {
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        if s.write_all(head.as_bytes()).is_err() {
            return;
        }
        for b in body.bytes() {
            let until = Instant::now() + every;
            while Instant::now() < until {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            if s.write_all(&[b]).and_then(|_| s.flush()).is_err() {
                return;
            }
        }
    }
}

/// A complete canned answer with extra headers.
pub fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut h = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    let mut out = h.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// Run `cmd` to completion or `limit`, whichever comes first; returns
/// (exit code or None if it had to be killed, elapsed, stdout, stderr).
pub fn run_within(
    mut cmd: std::process::Command,
    limit: Duration,
) -> (Option<i32>, Duration, String, String) {
    use std::process::Stdio;
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    (code, elapsed, o.join().unwrap(), e.join().unwrap())
}

/// A private CA and a server certificate for 127.0.0.1/localhost signed by it.
pub struct Pki {
    pub ca_pem: PathBuf,
    pub server_cert: rustls::pki_types::CertificateDer<'static>,
    pub server_key: rustls::pki_types::PrivateKeyDer<'static>,
}

impl Pki {
    pub fn new(dir: &Path) -> Pki {
        Pki::for_names(dir, &["127.0.0.1", "localhost"])
    }

    /// The same, the server certificate holding `names`.
    pub fn for_names(dir: &Path, names: &[&str]) -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "biopass test private CA");
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.signed_by(&key, &ca_cert, &ca_key).unwrap();
        let ca_pem = dir.join("private-ca.pem");
        std::fs::write(&ca_pem, ca_cert.pem()).unwrap();
        Pki {
            ca_pem,
            server_cert: cert.der().clone(),
            server_key: rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        }
    }
}

impl Pki {
    /// A self-signed certificate for 127.0.0.1 made with CA:TRUE (as
    /// `openssl req -x509` makes one by default), served as the server's own and
    /// written to `ca_pem`, as someone would pass it to --ca-cert.
    pub fn self_signed_ca_leaf(dir: &Path) -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        let ca_pem = dir.join("server.pem");
        std::fs::write(&ca_pem, cert.pem()).unwrap();
        Pki {
            ca_pem,
            server_cert: cert.der().clone(),
            server_key: rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        }
    }
}

/// An HTTPS server (rustls) that answers every request with `reply`; counts TCP
/// connections, i.e. handshakes attempted.
pub struct TlsServer {
    pub url: String,
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl TlsServer {
    pub fn start(pki: &Pki, reply: Vec<u8>) -> TlsServer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![pki.server_cert.clone()], pki.server_key.clone_key())
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let (st, n) = (stop.clone(), connections.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                n.fetch_add(1, Ordering::SeqCst);
                let (config, reply) = (config.clone(), reply.clone());
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
                    let tls = rustls::ServerConnection::new(config).unwrap();
                    let mut s = rustls::StreamOwned::new(tls, conn);
                    if read_request(&mut s).is_ok() {
                        let _ = s.write_all(&reply);
                        let _ = s.flush();
                        s.conn.send_close_notify();
                        let _ = s.flush();
                    }
                });
            }
        });
        TlsServer {
            url: format!("https://{addr}"),
            addr,
            stop,
            connections,
            thread: Some(thread),
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
