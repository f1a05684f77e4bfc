//! The HTTP client: the only module (with its `answer` submodule, how answers are read) that
//! touches reqwest.
//!
//! One reqwest async client (one connection pool) per process, driven by a small
//! tokio runtime that the [`Client`] owns; single commands call the blocking
//! [`Client::attempt`], which runs the exchange with `Runtime::block_on` on the
//! caller's own thread. A batch takes a [`Lane`] of its own and runs all its rows in
//! flight on it through [`Client::attempt_async`]. Why async under a blocking
//! API: `reqwest::blocking` applies its timeout per read, so a server that drips the
//! body holds a command for minutes, and a blocking read cannot be cancelled. Here one
//! `tokio::time::timeout` bounds the WHOLE exchange (connect, send, headers, body) and
//! a `select!` against the caller's cancellation check ends it within ~50 ms. The
//! runtime has two worker threads: `reqwest::blocking` also drove all connections from
//! one background runtime thread, so throughput for concurrent callers is at least
//! what it was, and the second thread spreads TLS work on the 2-core machines biopass
//! runs on.
//!
//! TLS through rustls (ring) with the OS trust store (which honours `SSL_CERT_FILE`
//! and `SSL_CERT_DIR`) plus the bundled webpki roots (so a container without a CA
//! bundle still reaches the public API); `--ca-cert` adds to both. A certificate the
//! client cannot trust is a configuration problem, never retried. Plain http only to
//! loopback; redirects never followed (APIM's key header and the images would be
//! re-sent to wherever the redirect points); response bodies capped at 1 MiB.
//!
//! Every outcome is classified by whether the server could have acted on the
//! request, which decides what may be retried. Every text that came from a server
//! passes through [`server_text`] (control characters stripped, truncated, the API
//! key's exact value replaced by `[REDACTED]`) before it reaches a message. This
//! module prints nothing except the `-v` request log: retries are reported through
//! a callback.

use std::time::{Duration, Instant};

use anyhow::Result;
use reqwest::Client as Http;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};

use crate::error::{Failure, Kind};
use crate::request::Op;
use crate::sanitize::sanitize;
use crate::secret::ApiKey;
use crate::stop;

mod answer;
pub mod body;
pub mod retry;

use answer::note_earlier_attempt;
pub use answer::{AttemptError, Reply, Sent, check_echo, classify, server_text};
pub use body::{Body, Builder as BodyBuilder};

/// The header that carries the API key (Azure API Management's).
pub const KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";
/// `biopass/<version>`, sent with every request.
pub const USER_AGENT: &str = concat!("biopass/", env!("CARGO_PKG_VERSION"));
/// Largest response body read; anything longer is a protocol error.
pub const MAX_RESPONSE: u64 = 1024 * 1024;
/// Longest BioPassID accepted in a success answer; longer is a protocol error.
pub const MAX_BIOPASS_ID: usize = 256;
/// How often an attempt polls its cancellation check.
pub const CANCEL_POLL: Duration = Duration::from_millis(50);
/// What replaces the API key in any text that came from a server.
pub const REDACTED: &str = "[REDACTED]";

/// A whole answer: status, headers, body and the server's certificate (DER, TLS only).
type Exchanged = (StatusCode, HeaderMap, Vec<u8>, Option<Vec<u8>>);

/// What [`Client::probe`] saw.
#[derive(Debug)]
pub struct Probed {
    /// The server's certificate (DER), when the answer came over TLS.
    pub peer_certificate: Option<Vec<u8>>,
    /// The answer, classified as [`Client::attempt`] does.
    pub result: Result<Reply, AttemptError>,
}

/// Is this host loopback (127.0.0.0/8, ::1, localhost)?
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Check an endpoint before any connection: https anywhere, plain http to loopback only.
pub fn check_endpoint(endpoint: &str) -> Result<(), Failure> {
    let cfg = |m: String| Failure::new(Kind::Config, m);
    let url = Url::parse(endpoint).map_err(|e| {
        cfg(format!(
            "endpoint '{}' is not a URL: {e}",
            sanitize(endpoint, 200)
        ))
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(cfg(format!(
                "refusing plain http to {}: images and the API key would travel unencrypted; use https \
(plain http is allowed only to 127.0.0.1, ::1 and localhost)",
                url.host_str().unwrap_or("?")
            )));
        }
        other => {
            return Err(cfg(format!(
                "endpoint scheme '{other}' is not supported: use https"
            )));
        }
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
        return Err(cfg(
            "the endpoint must not contain credentials or a query string".into(),
        ));
    }
    Ok(())
}

/// Where `-v` request logs go: the library prints nothing itself; the binary passes a
/// function that writes to stderr. Lines hold method, URL, status, timing, sizes and
/// an allow-list of headers: never the key, never image data.
pub type Log = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// How to build a [`Client`].
pub struct ClientOptions<'a> {
    /// Bound on a whole exchange: connect, send, answer head and body.
    pub timeout: Duration,
    /// Bound on establishing the connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Extra trusted root certificates (PEM), added to the OS trust store.
    pub ca_cert: Option<&'a std::path::Path>,
    /// 0: no log; 1: one line per request and answer; 2: plus answer headers.
    pub verbose: u8,
    /// Where log lines go (ignored when `verbose` is 0).
    pub log: Option<Log>,
}

/// A connection pool and the runtime that drives it.
///
/// The client's own lane (a two-thread runtime) serves single commands and any
/// thread that calls [`Client::attempt`]. A batch gets a lane of its own
/// ([`Client::lane`]): a single-threaded runtime on the batch's thread, and the one
/// connection pool of all its rows in flight. Requests, connections and sockets
/// are then all handled on that one thread: no hand-off between threads per row.
pub struct Lane {
    http: Http,
    /// Drives `http`; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Lane {
    /// Run `fut` to completion on this lane's runtime, on the calling thread (which
    /// must not be inside a runtime already).
    pub fn block_on<F: std::future::Future>(&self, fut: F) -> F::Output {
        self.runtime
            .as_ref()
            .expect("alive until dropped")
            .block_on(fut)
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        // Idle pooled connections need no goodbye; do not wait for their tasks.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// What every connection pool of a [`Client`] is built with.
struct PoolSettings {
    connect_timeout: Duration,
    loopback: bool,
    https: bool,
    extra_roots: Vec<reqwest::Certificate>,
}

impl PoolSettings {
    /// A pool on `runtime` keeping up to `idle` idle connections (building reads the
    /// system trust store, for https, inside the runtime so that anything reqwest
    /// starts at build time finds it).
    fn build(&self, runtime: &tokio::runtime::Runtime, idle: usize) -> Result<Http, Failure> {
        // No overall `.timeout()` here: `attempt` bounds the whole exchange itself.
        let mut builder = Http::builder()
            .use_rustls_tls()
            // Plain http is only ever to loopback, and redirects are never followed:
            // such a client never makes a TLS connection, so it need not load roots.
            .tls_built_in_native_certs(self.https)
            .tls_built_in_webpki_certs(self.https)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .user_agent(USER_AGENT)
            .pool_max_idle_per_host(idle)
            // Keeps the server's certificate with each answer, for `doctor` (see
            // `Client::probe`); a copy of a few KB per answer.
            .tls_info(self.https);
        if self.loopback {
            // Loopback traffic never goes through a proxy.
            builder = builder.no_proxy();
        }
        for cert in &self.extra_roots {
            builder = builder.add_root_certificate(cert.clone());
        }
        let _guard = runtime.enter();
        builder
            .build()
            .map_err(|e| Failure::new(Kind::Internal, format!("building the HTTP client: {e}")))
    }
}

/// The HTTP client of one process: one endpoint, one key, and the connection pools
/// ([`Lane`]s) that send to it.
pub struct Client {
    main: Lane,
    pools: PoolSettings,
    base: String,
    /// Each operation's URL, parsed once: parsing (host checks, IDNA) cost more
    /// per request than building the rest of it.
    urls: Vec<Url>,
    host: String,
    key: Option<HeaderValue>,
    /// The key's value, kept only to scrub it from what servers send back.
    secret: Option<ApiKey>,
    timeout: Duration,
    verbose: u8,
    log: Option<Log>,
}

impl Client {
    /// `base` must have passed [`check_endpoint`]. `key` is `None` only for `--dry-run`.
    pub fn new(base: &str, key: Option<&ApiKey>, opts: &ClientOptions) -> Result<Client> {
        check_endpoint(base)?;
        let url = Url::parse(base).map_err(|e| Failure::new(Kind::Config, e.to_string()))?;
        let mut extra_roots = Vec::new();
        if let Some(path) = opts.ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                Failure::new(
                    Kind::Config,
                    format!("cannot read CA certificate {}: {e}", path.display()),
                )
            })?;
            let bad = |why: String| {
                Failure::new(
                    Kind::Config,
                    format!("CA certificate {}: {why}", path.display()),
                )
            };
            extra_roots = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| bad(format!("not valid PEM: {e}")))?;
            if extra_roots.is_empty() {
                return Err(bad("no PEM certificate in it".into()).into());
            }
        }
        let pools = PoolSettings {
            connect_timeout: opts.connect_timeout,
            loopback: is_loopback(&url),
            https: url.scheme() == "https",
            extra_roots,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("biopass-http")
            .enable_all()
            .build()
            .map_err(|e| Failure::new(Kind::Internal, format!("starting the HTTP runtime: {e}")))?;
        let http = pools.build(&runtime, 64)?;
        let header = key
            .map(|k| {
                let mut v = HeaderValue::from_str(k.expose()).map_err(|_| {
                    Failure::new(Kind::Config, "the API key is not a valid header value")
                })?;
                v.set_sensitive(true);
                Ok::<_, Failure>(v)
            })
            .transpose()?;
        let base = base.trim_end_matches('/').to_string();
        let urls = Op::ALL
            .iter()
            .map(|op| Url::parse(&format!("{base}{}", op.path())))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| Failure::new(Kind::Config, format!("not a valid endpoint: {base}")))?;
        Ok(Client {
            main: Lane {
                http,
                runtime: Some(runtime),
            },
            pools,
            base,
            urls,
            host: url.host_str().unwrap_or("?").to_string(),
            key: header,
            secret: key.cloned(),
            timeout: opts.timeout,
            verbose: if opts.log.is_some() { opts.verbose } else { 0 },
            log: opts.log.clone(),
        })
    }

    /// A lane of its own for one thread (a batch): a single-threaded runtime and a
    /// connection pool that only that thread drives, keeping up to `connections`
    /// idle connections (the batch's `--jobs`: one per row in flight). Use it with
    /// [`Client::attempt_async`] inside [`Lane::block_on`] on the thread that made it.
    pub fn lane(&self, connections: usize) -> Result<Lane, Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::new(Kind::Internal, format!("starting the HTTP runtime: {e}")))?;
        let http = self.pools.build(&runtime, connections.max(64))?;
        Ok(Lane {
            http,
            runtime: Some(runtime),
        })
    }

    fn log(&self, line: &str) {
        if let Some(log) = &self.log {
            log(line);
        }
    }

    /// The full URL of an operation at this client's endpoint.
    pub fn url(&self, op: Op) -> String {
        format!("{}{}", self.base, op.path())
    }

    fn secret(&self) -> Option<&str> {
        self.secret.as_ref().map(|k| k.expose())
    }

    /// One attempt, no retries: the building block of both single commands and batch.
    ///
    /// `--timeout` bounds the whole exchange: connect, send, response head and the
    /// full body (at most [`MAX_RESPONSE`]). `cancel` is polled every [`CANCEL_POLL`];
    /// when it returns true the attempt ends at once with [`Kind::Interrupted`]
    /// (`Sent::No` if nothing had started, else `Sent::Maybe`). Call from outside any
    /// tokio runtime (it blocks the calling thread).
    pub fn attempt(
        &self,
        op: Op,
        body: &Body,
        cancel: &(dyn Fn() -> bool + Sync),
    ) -> Result<Reply, AttemptError> {
        let main = &self.main;
        main.block_on(self.attempt_on(main, op, body, cancel, false))
    }

    /// One attempt, as [`Client::attempt`], that also returns the server's TLS
    /// certificate (DER) when the answer came over https. For `doctor`, which reports
    /// the certificate's issuer and expiry.
    pub fn probe(&self, op: Op, body: &Body, cancel: &(dyn Fn() -> bool + Sync)) -> Probed {
        let main = &self.main;
        match main.block_on(self.exchange_async(main, op, body, cancel, true)) {
            Ok((status, headers, buf, peer_certificate)) => Probed {
                peer_certificate,
                result: classify(op, status, &headers, &buf, self.secret())
                    .and_then(|r| check_echo(op, body.custom_id(), r, self.secret())),
            },
            Err(e) => Probed {
                peer_certificate: None,
                result: Err(e),
            },
        }
    }

    /// The base URL requests go to (for the embedded sandbox: its address).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// One attempt, as [`Client::attempt`], for a caller that runs on `lane`'s
    /// runtime (inside [`Lane::block_on`]): the batch engine, which keeps all its
    /// requests in flight on one thread. It reads only the typed view of an answer:
    /// [`Reply::raw`] may be `Null`.
    pub async fn attempt_async(
        &self,
        lane: &Lane,
        op: Op,
        body: &Body,
        cancel: &(dyn Fn() -> bool + Sync),
    ) -> Result<Reply, AttemptError> {
        self.attempt_on(lane, op, body, cancel, true).await
    }

    /// One attempt on `lane`; `typed_only`: the caller never reads [`Reply::raw`].
    async fn attempt_on(
        &self,
        lane: &Lane,
        op: Op,
        body: &Body,
        cancel: &(dyn Fn() -> bool + Sync),
        typed_only: bool,
    ) -> Result<Reply, AttemptError> {
        let (status, headers, buf, _) = self.exchange_async(lane, op, body, cancel, false).await?;
        let reply = if typed_only {
            answer::classify_typed(op, status, &headers, &buf, self.secret())?
        } else {
            classify(op, status, &headers, &buf, self.secret())?
        };
        check_echo(op, body.custom_id(), reply, self.secret())
    }

    /// Send and read the whole answer: status, headers, body (at most
    /// [`MAX_RESPONSE`]) and, if `want_certificate` and TLS was used, the server's
    /// certificate. A future to run on `lane`'s runtime.
    async fn exchange_async(
        &self,
        lane: &Lane,
        op: Op,
        body: &Body,
        cancel: &(dyn Fn() -> bool + Sync),
        want_certificate: bool,
    ) -> Result<Exchanged, AttemptError> {
        if cancel() {
            return Err(AttemptError::new(
                Kind::Interrupted,
                Sent::No,
                "interrupted before the request was sent".into(),
            ));
        }
        let url = &self.urls[op.index()];
        let method = reqwest::Method::from_bytes(op.method().as_bytes()).expect("static method");
        // A fresh pass over the body's parts: a re-send sends the same bytes, and
        // the stream's exact length becomes the Content-Length.
        let mut req = lane
            .http
            .request(method, url.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(reqwest::Body::wrap(body.stream()));
        if let Some(k) = &self.key {
            req = req.header(KEY_HEADER, k.clone());
        }
        if self.verbose > 0 {
            self.log(&format!(
                "> {} {} ({} body bytes)",
                op.method(),
                url,
                body.len()
            ));
        }
        let started = Instant::now();
        let exchange = async {
            let mut resp = req.send().await.map_err(|e| self.transport_error(&e))?;
            // Copied only for `probe`: a batch's attempts never look at it.
            let peer_certificate = resp
                .extensions()
                .get::<reqwest::tls::TlsInfo>()
                .and_then(|t| t.peer_certificate())
                .filter(|_| want_certificate)
                .map(<[u8]>::to_vec);
            let status = resp.status();
            let mut buf = Vec::new();
            let mut read = Ok(());
            if resp.content_length().is_some_and(|n| n > MAX_RESPONSE) {
                read = Err(None);
            }
            while read.is_ok() {
                match resp.chunk().await {
                    Ok(Some(chunk)) if (buf.len() + chunk.len()) as u64 > MAX_RESPONSE => {
                        read = Err(None);
                    }
                    Ok(Some(chunk)) => buf.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(e) => read = Err(Some(e)),
                }
            }
            let headers = std::mem::take(resp.headers_mut());
            if self.verbose > 0 {
                self.log(&format!(
                    "< {} in {} ms ({} body bytes)",
                    status,
                    started.elapsed().as_millis(),
                    buf.len()
                ));
                if self.verbose > 1 {
                    for line in header_lines(&headers, self.secret()) {
                        self.log(&line);
                    }
                }
            }
            match read {
                Ok(()) => Ok((status, headers, buf, peer_certificate)),
                Err(Some(e)) => Err(AttemptError::new(
                    Kind::Unavailable,
                    Sent::Maybe,
                    format!(
                        "the answer from {} was cut off ({}): the request may have been processed",
                        self.host,
                        root_cause(&e, self.secret())
                    ),
                )),
                Err(None) => Err(AttemptError::new(
                    Kind::Protocol,
                    Sent::Maybe,
                    format!(
                        "the answer from {} is larger than 1 MiB; refusing to read it",
                        self.host
                    ),
                )),
            }
        };
        let cancelled = async {
            while !cancel() {
                tokio::time::sleep(CANCEL_POLL).await;
            }
        };
        tokio::select! {
            biased;
            () = cancelled => Err(AttemptError::new(
                Kind::Interrupted,
                Sent::Maybe,
                format!("interrupted while waiting for {}: the request may have been processed", self.host),
            )),
            done = tokio::time::timeout(self.timeout, exchange) => {
                done.unwrap_or_else(|_| Err(self.timed_out()))
            }
        }
    }

    /// `--timeout` passed: the request may have been acted on.
    fn timed_out(&self) -> AttemptError {
        AttemptError::new(
            Kind::Unavailable,
            Sent::Maybe,
            format!(
                "no answer from {} within {}s (raise --timeout)",
                self.host,
                self.timeout.as_secs_f64()
            ),
        )
    }

    fn transport_error(&self, e: &reqwest::Error) -> AttemptError {
        if let Some(names) = name_mismatch(e) {
            // A CA cannot fix a certificate made for another name: say which names
            // it holds, so the user can correct the endpoint (or the server).
            let host = &self.host;
            return AttemptError::new(
                Kind::Config,
                Sent::No,
                format!(
                    "the TLS certificate of {host} {NAME_MISMATCH} asked for, {host}: it holds {}; \
a CA (--ca-cert) cannot fix this: check the host name in the endpoint (biopass config show)",
                    server_text(&names, self.secret(), 300)
                ),
            );
        }
        if let Some(problem) = certificate_problem(e) {
            // Re-trying cannot help and the fix is local: 78, not "unavailable".
            return AttemptError::new(
                Kind::Config,
                Sent::No,
                format!(
                    "cannot trust the TLS certificate of {} ({}): if it is signed by a private or \
corporate CA, pass that CA's certificate with --ca-cert FILE (or set SSL_CERT_FILE, or add it to the \
system trust store); otherwise check the endpoint",
                    self.host,
                    server_text(&problem, self.secret(), 200)
                ),
            );
        }
        let cause = root_cause(e, self.secret());
        if e.is_connect() {
            AttemptError::new(
                Kind::Unavailable,
                Sent::No,
                format!("cannot connect to {}: {cause}", self.host),
            )
        } else if e.is_timeout() {
            self.timed_out()
        } else {
            AttemptError::new(
                Kind::Unavailable,
                Sent::Maybe,
                format!("the connection to {} failed: {cause}", self.host),
            )
        }
    }

    /// A single command's call: attempts under the one retry policy
    /// ([`retry::decide`], without a journal: a connect failure, 429 and 503 are
    /// re-sent, and anything at all for an operation that changes nothing), at most
    /// [`retry::POLICY`]'s attempts in all, with full-jitter backoff or the server's
    /// `Retry-After` (up to its `max_wait`; longer is "try later", 75, at once).
    /// Prints nothing: before each wait it calls `on_retry(error, wait,
    /// next_attempt_number)`.
    ///
    /// When the call ends with "already exists" (enroll) or "not found" (delete) after
    /// an earlier attempt that may have acted, that answer may be the earlier
    /// attempt's own result: the error says so and has `after_maybe` set.
    ///
    /// `cancel` is polled as in [`Client::attempt`], also during the waits between
    /// attempts.
    pub fn call(
        &self,
        op: Op,
        body: Body,
        cancel: &(dyn Fn() -> bool + Sync),
        on_retry: &mut dyn FnMut(&AttemptError, Duration, u32),
    ) -> Result<Reply, AttemptError> {
        let policy = retry::POLICY;
        let mut maybe_acted = false;
        let mut attempt = 1;
        loop {
            let mut err = match self.attempt(op, &body, cancel) {
                Ok(reply) => return Ok(reply),
                Err(e) => e,
            };
            if maybe_acted {
                note_earlier_attempt(op, body.custom_id(), &mut err);
            }
            maybe_acted |= err.sent == Sent::Maybe;
            let cx = retry::Context {
                maybe_landed: maybe_acted,
                ..retry::Context::default()
            };
            match retry::decide(op, &err, cx) {
                retry::Decision::Retry => {}
                retry::Decision::Stop(stop::Reason::TryLater)
                    if err.retry_after.is_some_and(|ra| ra > policy.max_wait) =>
                {
                    // Told to come back in more than a minute: that is "try later"
                    // (75), whatever the status.
                    let ra = err.retry_after.unwrap_or_default();
                    err.failure.kind = Kind::TryLater;
                    let how_long = if ra == Duration::MAX {
                        "longer than biopass can count".to_string()
                    } else {
                        format!("{} s", ra.as_secs())
                    };
                    err.failure.message = format!(
                        "{}; the server asks to wait {how_long}: try again later",
                        err.failure.message
                    );
                    return Err(err);
                }
                _ => return Err(err),
            }
            if attempt >= policy.max_attempts {
                return Err(err);
            }
            let wait = policy.wait(attempt, err.retry_after);
            on_retry(&err, wait, attempt + 1);
            let until = Instant::now().checked_add(wait);
            while until.is_none_or(|t| Instant::now() < t) {
                if cancel() {
                    return Err(AttemptError::new(
                        Kind::Interrupted,
                        Sent::No,
                        "interrupted while waiting to retry".into(),
                    ));
                }
                std::thread::sleep(CANCEL_POLL);
            }
            attempt += 1;
        }
    }
}

/// How a certificate for another host name is described (the doctor tells it from
/// an untrusted one by this).
pub const NAME_MISMATCH: &str = "is not valid for the host name";

/// The names a certificate holds, when a TLS failure is that it is not valid for the
/// host name asked for: `other.example, 10.0.0.1` (`(none)` when it holds none).
fn name_mismatch(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    use rustls::CertificateError as C;
    match e.downcast_ref::<rustls::Error>() {
        Some(rustls::Error::InvalidCertificate(C::NotValidForNameContext {
            presented, ..
        })) => {
            let names: Vec<String> = presented
                .iter()
                .map(|n| {
                    let n = n
                        .strip_prefix("DnsName(\"")
                        .map_or(n.as_str(), |d| d.trim_end_matches("\")"));
                    let n = n
                        .strip_prefix("IpAddress(")
                        .map_or(n, |i| i.trim_end_matches(')'));
                    n.to_string()
                })
                .take(20)
                .collect();
            return Some(if names.is_empty() {
                "(none)".into()
            } else {
                names.join(", ")
            });
        }
        Some(rustls::Error::InvalidCertificate(C::NotValidForName)) => {
            return Some("other names".into());
        }
        _ => {}
    }
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        && let Some(p) = name_mismatch(inner)
    {
        return Some(p);
    }
    name_mismatch(e.source()?)
}

/// The certificate problem in a TLS failure, if that is what it was. rustls's error
/// travels inside (nested) `io::Error`s, whose `source()` skips the error they wrap:
/// look inside each one as well as down the chain.
fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(r @ rustls::Error::InvalidCertificate(_)) = e.downcast_ref::<rustls::Error>() {
        return Some(r.to_string());
    }
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        && let Some(p) = certificate_problem(inner)
    {
        return Some(p);
    }
    certificate_problem(e.source()?)
}

fn root_cause(e: &(dyn std::error::Error + 'static), key: Option<&str>) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    server_text(&cur.to_string(), key, 200)
}

/// Headers worth logging at `-vv`: an allow-list, never the key.
fn header_lines(h: &HeaderMap, key: Option<&str>) -> Vec<String> {
    let mut lines = vec![];
    for name in [
        "content-type",
        "content-length",
        "retry-after",
        "location",
        "x-request-id",
        "date",
    ] {
        if let Some(v) = h.get(name).and_then(|v| v.to_str().ok()) {
            lines.push(format!("<   {name}: {}", server_text(v, key, 200)));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "k3y-secret-value";

    #[test]
    fn endpoints() {
        assert!(check_endpoint("https://api.biopassid.com").is_ok());
        assert!(check_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(check_endpoint("http://127.1.2.3").is_ok());
        assert!(check_endpoint("http://[::1]:9").is_ok());
        assert!(check_endpoint("http://localhost:9").is_ok());
        for bad in [
            "http://api.biopassid.com",
            "http://10.0.0.1",
            "ftp://x",
            "nonsense",
            "https://u:p@h",
        ] {
            assert_eq!(check_endpoint(bad).unwrap_err().kind, Kind::Config, "{bad}");
        }
    }

    /// A server that answers the head at once, then drips the body a byte per 300 ms.
    fn dripping_server(seen: std::sync::Arc<std::sync::atomic::AtomicBool>) -> String {
        use std::io::{Read, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut c, _) = l.accept().unwrap();
            let mut got = Vec::new();
            let mut b = [0u8; 4096];
            // Our body is small JSON; read until it has all arrived.
            while !got.ends_with(b"}}") {
                match c.read(&mut b) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got.extend_from_slice(&b[..n]),
                }
            }
            seen.store(true, std::sync::atomic::Ordering::SeqCst);
            let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n{");
            for _ in 0..59 {
                std::thread::sleep(Duration::from_millis(300));
                if c.write_all(b" ").is_err() {
                    return;
                }
            }
        });
        url
    }

    fn client(url: &str, timeout: Duration) -> Client {
        let key = ApiKey::new(KEY).unwrap();
        let opts = ClientOptions {
            timeout,
            connect_timeout: Duration::from_secs(5),
            ca_cert: None,
            verbose: 0,
            log: None,
        };
        Client::new(url, Some(&key), &opts).unwrap()
    }

    #[test]
    fn cancel_ends_an_attempt_while_the_body_drips() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let seen = Arc::new(AtomicBool::new(false));
        let c = client(&dripping_server(seen.clone()), Duration::from_secs(60));
        let body = Body::text(&br#"{"Person":{"CustomID":"1"}}"#[..], Some("1"));
        let (stop, stopped_at) = (AtomicBool::new(false), std::sync::Mutex::new(None));
        let r = std::thread::scope(|s| {
            s.spawn(|| {
                // Stop once the server has the request and is dripping.
                let deadline = Instant::now() + Duration::from_secs(20);
                while !seen.load(Ordering::SeqCst) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                }
                *stopped_at.lock().unwrap() = Some(Instant::now());
                stop.store(true, Ordering::SeqCst);
            });
            c.attempt(Op::Delete, &body, &|| stop.load(Ordering::SeqCst))
        });
        let took = stopped_at.lock().unwrap().expect("stopped").elapsed();
        let e = r.unwrap_err();
        assert_eq!((e.failure.kind, e.sent), (Kind::Interrupted, Sent::Maybe));
        assert!(
            took < Duration::from_secs(1),
            "took {took:?} after the stop"
        );
        // Already stopped: nothing is sent at all.
        let e = c.attempt(Op::Delete, &body, &|| true).unwrap_err();
        assert_eq!((e.failure.kind, e.sent), (Kind::Interrupted, Sent::No));
    }

    #[test]
    fn timeout_bounds_the_whole_body() {
        use std::sync::Arc;
        use std::sync::atomic::AtomicBool;
        let seen = Arc::new(AtomicBool::new(false));
        let c = client(&dripping_server(seen), Duration::from_secs(1));
        let body = Body::text(&br#"{"Person":{"CustomID":"1"}}"#[..], Some("1"));
        let t0 = Instant::now();
        let e = c.attempt(Op::Delete, &body, &|| false).unwrap_err();
        assert_eq!((e.failure.kind, e.sent), (Kind::Unavailable, Sent::Maybe));
        assert!(t0.elapsed() < Duration::from_secs(8), "{:?}", t0.elapsed());
    }
}
