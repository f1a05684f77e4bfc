//! The HTTP client: the only module that touches reqwest.
//!
//! One reqwest async client (one connection pool) per process, driven by a small
//! tokio runtime that the [`Client`] owns; callers on any thread (the batch runs N
//! worker threads) call the blocking [`Client::attempt`], which runs the exchange
//! with `Runtime::block_on` on the caller's own thread. Why async under a blocking
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

use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;
use bytes::Bytes;
use reqwest::Client as Http;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};

use crate::error::{Failure, Kind};
use crate::messages::{self, Meaning};
use crate::request::Op;
use crate::sanitize::sanitize;
use crate::secret::ApiKey;
use crate::wire;

pub const KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";
pub const USER_AGENT: &str = concat!("biopass/", env!("CARGO_PKG_VERSION"));
/// Largest response body read; anything longer is a protocol error.
pub const MAX_RESPONSE: u64 = 1024 * 1024;
/// Longest `Retry-After` a single command waits for; longer means "try later" (75).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Attempts in all for a single command.
pub const MAX_ATTEMPTS: u32 = 3;
/// Longest BioPassID accepted in a success answer; longer is a protocol error.
pub const MAX_BIOPASS_ID: usize = 256;
/// How often an attempt polls its cancellation check.
pub const CANCEL_POLL: Duration = Duration::from_millis(50);
/// What replaces the API key in any text that came from a server.
pub const REDACTED: &str = "[REDACTED]";

/// Whether the server could have acted on a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Certainly not acted on (connect failure, gateway 401/403/429): safe to re-send.
    No,
    /// May have been acted on (timeout after sending, reset, 5xx, garbled 2xx).
    Maybe,
    /// Answered and refused (a 4xx other than the gateway's): re-sending will not help.
    Rejected,
}

/// A failed attempt: what to tell the user, and what a retry policy needs to know.
#[derive(Debug)]
pub struct AttemptError {
    pub failure: Failure,
    pub sent: Sent,
    /// The server's `Retry-After` (seconds or an HTTP date; a date in the past is
    /// zero). A value too large to represent is `Duration::MAX`, so any "longer than
    /// N" rule treats it as too long.
    pub retry_after: Option<Duration>,
    /// 503: the gateway says the backend is unavailable; single commands retry it.
    pub unavailable: bool,
    /// Set by [`Client::call`]: this "already exists" (enroll) or "not found" (delete)
    /// came after an earlier attempt that may have acted, so it may be that attempt's
    /// own result. The message says so.
    pub after_maybe: bool,
}

impl AttemptError {
    /// A failure of `kind`; `sent` says whether the server may have acted on it.
    pub fn new(kind: Kind, sent: Sent, msg: String) -> Self {
        AttemptError {
            failure: Failure::new(kind, msg),
            sent,
            retry_after: None,
            unavailable: false,
            after_maybe: false,
        }
    }

    /// Does this failure condemn every request of the run, not just this one? True
    /// for a rejected key (401, 403 other than quota), an endpoint without this
    /// operation (the gateway's 404), any redirect, and a certificate the client
    /// cannot trust. A batch stops the whole run on these instead of failing (or
    /// retrying) every row the same way.
    pub fn run_level(&self) -> bool {
        match self.failure.kind {
            // Config from an attempt: the gateway's 404 or a certificate failure.
            Kind::KeyRejected | Kind::Config => true,
            Kind::Protocol => self.failure.status.is_some_and(|s| (300..400).contains(&s)),
            _ => false,
        }
    }
}

/// A successful answer: the raw JSON (what `--output json` prints) and its typed view.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub raw: serde_json::Value,
    pub body: wire::Response,
}

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

/// Any text that came from a server, made fit for a message: the key's exact value
/// replaced by [`REDACTED`] (before and after control characters are stripped, so
/// neither hiding it behind a control character nor splitting it across the
/// truncation point lets a part of it through), then truncated to `max` characters.
/// Every server text in this module goes through here.
pub fn server_text(raw: &str, key: Option<&str>, max: usize) -> String {
    let scrub = |s: &str| match key {
        Some(k) if !k.is_empty() => s.replace(k, REDACTED),
        _ => s.to_string(),
    };
    sanitize(&scrub(&sanitize(&scrub(raw), usize::MAX)), max)
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

pub struct Client {
    http: Http,
    /// Drives `http`; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
    base: String,
    host: String,
    key: Option<HeaderValue>,
    /// The key's value, kept only to scrub it from what servers send back.
    secret: Option<ApiKey>,
    timeout: Duration,
    verbose: u8,
    log: Option<Log>,
}

impl Drop for Client {
    fn drop(&mut self) {
        // Idle pooled connections need no goodbye; do not wait for their tasks.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Client {
    /// `base` must have passed [`check_endpoint`]. `key` is `None` only for `--dry-run`.
    pub fn new(base: &str, key: Option<&ApiKey>, opts: &ClientOptions) -> Result<Client> {
        check_endpoint(base)?;
        let url = Url::parse(base).map_err(|e| Failure::new(Kind::Config, e.to_string()))?;
        // No overall `.timeout()` here: `attempt` bounds the whole exchange itself.
        let mut builder = Http::builder()
            .use_rustls_tls()
            .tls_built_in_native_certs(true)
            .tls_built_in_webpki_certs(true)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(opts.connect_timeout)
            .user_agent(USER_AGENT)
            .pool_max_idle_per_host(64)
            // Keeps the server's certificate with each answer, for `doctor` (see
            // `Client::probe`); a copy of a few KB per answer.
            .tls_info(true);
        if is_loopback(&url) {
            // Loopback traffic never goes through a proxy.
            builder = builder.no_proxy();
        }
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
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| bad(format!("not valid PEM: {e}")))?;
            if certs.is_empty() {
                return Err(bad("no PEM certificate in it".into()).into());
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("biopass-http")
            .enable_all()
            .build()
            .map_err(|e| Failure::new(Kind::Internal, format!("starting the HTTP runtime: {e}")))?;
        // Building reads the system trust store; inside the runtime so that anything
        // reqwest starts at build time finds it.
        let http = {
            let _guard = runtime.enter();
            builder.build().map_err(|e| {
                Failure::new(Kind::Internal, format!("building the HTTP client: {e}"))
            })?
        };
        let header = key
            .map(|k| {
                let mut v = HeaderValue::from_str(k.expose()).map_err(|_| {
                    Failure::new(Kind::Config, "the API key is not a valid header value")
                })?;
                v.set_sensitive(true);
                Ok::<_, Failure>(v)
            })
            .transpose()?;
        Ok(Client {
            http,
            runtime: Some(runtime),
            base: base.trim_end_matches('/').to_string(),
            host: url.host_str().unwrap_or("?").to_string(),
            key: header,
            secret: key.cloned(),
            timeout: opts.timeout,
            verbose: if opts.log.is_some() { opts.verbose } else { 0 },
            log: opts.log.clone(),
        })
    }

    fn log(&self, line: &str) {
        if let Some(log) = &self.log {
            log(line);
        }
    }

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
        body: &Bytes,
        cancel: &(dyn Fn() -> bool + Sync),
    ) -> Result<Reply, AttemptError> {
        let (status, headers, buf, _) = self.exchange(op, body, cancel)?;
        classify(op, status, &headers, &buf, self.secret())
    }

    /// One attempt, as [`Client::attempt`], that also returns the server's TLS
    /// certificate (DER) when the answer came over https. For `doctor`, which reports
    /// the certificate's issuer and expiry.
    pub fn probe(&self, op: Op, body: &Bytes, cancel: &(dyn Fn() -> bool + Sync)) -> Probed {
        match self.exchange(op, body, cancel) {
            Ok((status, headers, buf, peer_certificate)) => Probed {
                peer_certificate,
                result: classify(op, status, &headers, &buf, self.secret()),
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

    /// Send and read the whole answer: status, headers, body (at most
    /// [`MAX_RESPONSE`]) and the server's certificate if TLS was used.
    fn exchange(
        &self,
        op: Op,
        body: &Bytes,
        cancel: &(dyn Fn() -> bool + Sync),
    ) -> Result<Exchanged, AttemptError> {
        if cancel() {
            return Err(AttemptError::new(
                Kind::Interrupted,
                Sent::No,
                "interrupted before the request was sent".into(),
            ));
        }
        let url = self.url(op);
        let method = reqwest::Method::from_bytes(op.method().as_bytes()).expect("static method");
        let mut req = self
            .http
            .request(method, &url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(body.clone());
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
            let peer_certificate = resp
                .extensions()
                .get::<reqwest::tls::TlsInfo>()
                .and_then(|t| t.peer_certificate())
                .map(<[u8]>::to_vec);
            let status = resp.status();
            let headers = resp.headers().clone();
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
        let runtime = self.runtime.as_ref().expect("alive until dropped");
        runtime.block_on(async {
            tokio::select! {
                biased;
                () = cancelled => Err(AttemptError::new(
                    Kind::Interrupted,
                    Sent::Maybe,
                    format!("interrupted while waiting for {}: the request may have been processed", self.host),
                )),
                done = tokio::time::timeout(self.timeout, exchange) => done.unwrap_or_else(|_| {
                    Err(AttemptError::new(
                        Kind::Unavailable,
                        Sent::Maybe,
                        format!(
                            "no answer from {} within {}s (raise --timeout)",
                            self.host,
                            self.timeout.as_secs_f64()
                        ),
                    ))
                }),
            }
        })
    }

    fn transport_error(&self, e: &reqwest::Error) -> AttemptError {
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
            AttemptError::new(
                Kind::Unavailable,
                Sent::Maybe,
                format!(
                    "no answer from {} within {}s (raise --timeout)",
                    self.host,
                    self.timeout.as_secs_f64()
                ),
            )
        } else {
            AttemptError::new(
                Kind::Unavailable,
                Sent::Maybe,
                format!("the connection to {} failed: {cause}", self.host),
            )
        }
    }

    /// A single command's call: retry what is safe to retry (connect failure, 429,
    /// 503), at most [`MAX_ATTEMPTS`] in all, with full-jitter backoff or the
    /// server's `Retry-After` (up to [`MAX_RETRY_AFTER`]; longer is "try later", 75,
    /// at once). Prints nothing: before each wait it calls `on_retry(error, wait,
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
        body: Vec<u8>,
        cancel: &(dyn Fn() -> bool + Sync),
        on_retry: &mut dyn FnMut(&AttemptError, Duration, u32),
    ) -> Result<Reply, AttemptError> {
        let body = Bytes::from(body);
        let mut maybe_acted = false;
        let mut attempt = 1;
        loop {
            let mut err = match self.attempt(op, &body, cancel) {
                Ok(reply) => return Ok(reply),
                Err(e) => e,
            };
            if maybe_acted {
                note_earlier_attempt(op, &body, &mut err);
            }
            maybe_acted |= err.sent == Sent::Maybe;
            // Retried: a connect failure (nothing was sent), 429 and 503. Not a quota
            // 403 (its window is hours), not a rejected key, nothing that may have landed.
            let connect_failed = err.sent == Sent::No && err.failure.kind == Kind::Unavailable;
            let retryable = connect_failed || err.failure.status == Some(429) || err.unavailable;
            if !retryable {
                return Err(err);
            }
            if let Some(ra) = err.retry_after
                && ra > MAX_RETRY_AFTER
            {
                // Told to come back in more than a minute: that is "try later" (75),
                // whatever the status.
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
            if attempt >= MAX_ATTEMPTS {
                return Err(err);
            }
            let wait = err.retry_after.unwrap_or_else(|| {
                backoff(attempt, Duration::from_millis(500), Duration::from_secs(20))
            });
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

/// After an earlier attempt that may have acted: an enroll's "already exists" or a
/// delete's "not found" may be that attempt's own result. Say so, and how to check.
fn note_earlier_attempt(op: Op, body: &[u8], err: &mut AttemptError) {
    let id = custom_id(body).map_or_else(|| "ID".to_string(), |id| sanitize(&id, 100));
    let note = match (op, err.failure.kind) {
        (Op::Enroll, Kind::AlreadyExists) => format!(
            "an earlier attempt may have enrolled this person: this 'already exists' may be its result; \
check with `biopass verify --id {id} ...` with the same images"
        ),
        (Op::Delete, Kind::NotFound) => format!(
            "an earlier attempt may have deleted this person: this 'not found' may be its result \
(CustomID {id} is not enrolled now either way)"
        ),
        _ => return,
    };
    err.after_maybe = true;
    err.failure.message = format!("{}; {note}", err.failure.message);
}

/// The CustomID of one of our own request bodies.
fn custom_id(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(rename = "Person")]
        person: Person,
    }
    #[derive(serde::Deserialize)]
    struct Person {
        #[serde(rename = "CustomID")]
        custom_id: String,
    }
    serde_json::from_slice::<Body>(body)
        .ok()
        .map(|b| b.person.custom_id)
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

/// Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^(attempt-1))].
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = base
        .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16))
        .min(cap);
    ceiling.mul_f64(fastrand::f64())
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

fn retry_after(h: &HeaderMap) -> Option<Duration> {
    parse_retry_after(
        h.get(header::RETRY_AFTER)?.to_str().ok()?,
        SystemTime::now(),
    )
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date. A date in the past
/// is zero; digits too many for 64 bits are `Duration::MAX` ("too long"), never zero.
fn parse_retry_after(v: &str, now: SystemTime) -> Option<Duration> {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.parse::<u64>().map_or(Duration::MAX, Duration::from_secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The server's own words from an error body: APIM's `{statusCode,message}`, a JSON
/// `Message`, or the text itself; through [`server_text`].
fn server_message(body: &[u8], key: Option<&str>) -> (String, bool) {
    if let Ok(g) = serde_json::from_slice::<wire::GatewayError>(body) {
        return (server_text(&g.message, key, 300), true);
    }
    if let Ok(r) = serde_json::from_slice::<wire::Response>(body)
        && let Some(m) = r.message
    {
        return (server_text(&m, key, 300), false);
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    (
        if text.is_empty() {
            "(empty body)".into()
        } else {
            server_text(text, key, 300)
        },
        false,
    )
}

/// What a refusal means, from the server's words: only whole known phrases count
/// (see [`messages`]); anything else is "invalid", with the text shown.
fn rejection_kind(msg: &str) -> Kind {
    match messages::recognise(msg) {
        Some(Meaning::AlreadyExists) => Kind::AlreadyExists,
        Some(Meaning::PersonNotFound) => Kind::NotFound,
        _ => Kind::Invalid,
    }
}

/// Replace the key's exact value in every string of a JSON answer.
fn scrub_json(v: &mut serde_json::Value, key: &str) {
    match v {
        serde_json::Value::String(s) if s.contains(key) => *s = s.replace(key, REDACTED),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| scrub_json(x, key)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| scrub_json(x, key)),
        _ => {}
    }
}

/// Turn a complete HTTP answer into a reply or a classified failure. `key` is the
/// API key's value, scrubbed from everything the server said.
pub fn classify(
    op: Op,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    key: Option<&str>,
) -> Result<Reply, AttemptError> {
    let code = status.as_u16();
    let fail = |kind: Kind, sent: Sent, msg: String| {
        let mut e = AttemptError::new(kind, sent, msg);
        e.failure.status = Some(code);
        e
    };
    if status.is_success() {
        let mut raw: serde_json::Value = serde_json::from_slice(body).map_err(|_| {
            fail(Kind::Protocol, Sent::Maybe, format!("the server answered {code} but not with JSON: the request may have been processed"))
        })?;
        if let Some(k) = key.filter(|k| !k.is_empty()) {
            scrub_json(&mut raw, k);
        }
        let typed: wire::Response = serde_json::from_value(raw.clone()).map_err(|_| {
            fail(
                Kind::Protocol,
                Sent::Maybe,
                format!("the server answered {code} with unexpected JSON"),
            )
        })?;
        if typed.success == Some(false) {
            let msg = typed
                .message
                .as_deref()
                .map_or("(no message)".into(), |m| server_text(m, key, 300));
            return Err(fail(
                rejection_kind(&msg),
                Sent::Rejected,
                format!("the API refused the {}: {msg}", op.name()),
            ));
        }
        let person = typed.person.as_ref();
        let complete = match op {
            Op::Enroll | Op::Update => person.is_some_and(|p| p.biopass_id.is_some()),
            Op::Verify => person.is_some_and(|p| p.matched.is_some()),
            Op::Delete => raw.is_object(),
        };
        if !complete {
            return Err(fail(
                Kind::Protocol,
                Sent::Maybe,
                format!(
                    "the server answered {code} without the expected {} result",
                    op.name()
                ),
            ));
        }
        if let Some(bid) = person.and_then(|p| p.biopass_id.as_deref())
            && matches!(op, Op::Enroll | Op::Update)
        {
            let len = bid.chars().count();
            if bid.trim().is_empty() || len > MAX_BIOPASS_ID {
                return Err(fail(
                    Kind::Protocol,
                    Sent::Maybe,
                    format!(
                        "the server answered {code} with {} BioPassID: the request may have been processed",
                        if len > MAX_BIOPASS_ID {
                            format!("a {len}-character")
                        } else {
                            "an empty".to_string()
                        }
                    ),
                ));
            }
        }
        return Ok(Reply {
            status: code,
            raw,
            body: typed,
        });
    }
    if status.is_redirection() {
        let to = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|s| server_text(s, key, 200));
        return Err(fail(
            Kind::Protocol,
            Sent::Rejected,
            format!(
                "the server answered with a redirect ({code}{}); biopass never follows redirects, which would \
re-send the key and images elsewhere: check the endpoint",
                to.map(|t| format!(" to {t}")).unwrap_or_default()
            ),
        ));
    }
    let (msg, gateway) = server_message(body, key);
    let mut e = match code {
        401 => fail(
            Kind::KeyRejected,
            Sent::No,
            format!(
                "the API key was rejected (HTTP 401: {msg}): check the key for this environment (biopass config show)"
            ),
        ),
        403 if messages::recognise(&msg) == Some(Meaning::Quota)
            || retry_after(headers).is_some() =>
        {
            fail(
                Kind::TryLater,
                Sent::No,
                format!("the subscription's quota is used up (HTTP 403: {msg}): try again later"),
            )
        }
        403 => fail(
            Kind::KeyRejected,
            Sent::No,
            format!("the API key is not allowed to do this (HTTP 403: {msg})"),
        ),
        429 => fail(
            Kind::TryLater,
            Sent::No,
            format!("rate limited (HTTP 429: {msg})"),
        ),
        404 if gateway => fail(
            Kind::Config,
            Sent::Rejected,
            format!(
                "the endpoint has no {} operation (HTTP 404: {msg}): check --endpoint",
                op.name()
            ),
        ),
        408 => fail(
            Kind::Unavailable,
            Sent::Maybe,
            format!("the server timed out (HTTP 408: {msg})"),
        ),
        413 => fail(
            Kind::Invalid,
            Sent::Rejected,
            format!("the request is too large for the API (HTTP 413: {msg})"),
        ),
        500..=599 => fail(
            Kind::Unavailable,
            Sent::Maybe,
            format!("the service failed (HTTP {code}: {msg})"),
        ),
        _ => {
            let kind = rejection_kind(&msg);
            let what = match kind {
                Kind::AlreadyExists => "this CustomID is already enrolled",
                Kind::NotFound => "no person with this CustomID",
                _ => "the API rejected the request",
            };
            fail(kind, Sent::Rejected, format!("{what} (HTTP {code}: {msg})"))
        }
    };
    e.retry_after = retry_after(headers);
    e.unavailable = code == 503;
    Err(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cls(op: Op, code: u16, body: &str) -> Result<Reply, AttemptError> {
        classify(
            op,
            StatusCode::from_u16(code).unwrap(),
            &HeaderMap::new(),
            body.as_bytes(),
            Some(KEY),
        )
    }

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

    #[test]
    fn classification() {
        let ok = cls(
            Op::Enroll,
            200,
            r#"{"Person":{"ClientID":"c","CustomID":"1","BioPassID":"9"}}"#,
        )
        .unwrap();
        assert_eq!(ok.body.person.unwrap().biopass_id.as_deref(), Some("9"));
        assert_eq!(
            cls(Op::Enroll, 200, "<html>").unwrap_err().failure.kind,
            Kind::Protocol
        );
        assert_eq!(
            cls(Op::Enroll, 200, r#"{"Person":{}}"#)
                .unwrap_err()
                .failure
                .kind,
            Kind::Protocol
        );
        let e = cls(
            Op::Enroll,
            200,
            r#"{"Success":false,"Message":"Person already exists"}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.failure.kind, e.sent),
            (Kind::AlreadyExists, Sent::Rejected)
        );
        assert_eq!(
            cls(Op::Enroll, 400, "Invalid JSON format")
                .unwrap_err()
                .failure
                .kind,
            Kind::Invalid
        );
        assert_eq!(
            cls(Op::Verify, 400, "Person not found")
                .unwrap_err()
                .failure
                .kind,
            Kind::NotFound
        );
        let e = cls(
            Op::Verify,
            404,
            r#"{"statusCode":404,"message":"Resource not found"}"#,
        )
        .unwrap_err();
        assert_eq!(e.failure.kind, Kind::Config);
        assert_eq!(
            cls(Op::Enroll, 401, r#"{"statusCode":401,"message":"x"}"#)
                .unwrap_err()
                .sent,
            Sent::No
        );
        assert_eq!(
            cls(
                Op::Enroll,
                403,
                r#"{"statusCode":403,"message":"Out of call volume quota."}"#
            )
            .unwrap_err()
            .failure
            .kind,
            Kind::TryLater
        );
        assert_eq!(
            cls(Op::Enroll, 403, "forbidden").unwrap_err().failure.kind,
            Kind::KeyRejected
        );
        let e = cls(Op::Enroll, 502, "bad gateway").unwrap_err();
        assert_eq!(
            (e.failure.kind, e.sent, e.unavailable),
            (Kind::Unavailable, Sent::Maybe, false)
        );
        assert!(cls(Op::Enroll, 503, "").unwrap_err().unavailable);
        assert_eq!(
            cls(Op::Enroll, 307, "").unwrap_err().failure.kind,
            Kind::Protocol
        );
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let e = cls(Op::Enroll, 400, "bad\x1b[31m red\x07").unwrap_err();
        assert!(!e.failure.message.contains('\x1b') && !e.failure.message.contains('\x07'));
    }

    #[test]
    fn backoff_is_bounded() {
        for a in 1..10 {
            assert!(
                backoff(a, Duration::from_millis(500), Duration::from_secs(20))
                    <= Duration::from_secs(20)
            );
        }
        assert!(
            backoff(1, Duration::from_millis(500), Duration::from_secs(20))
                <= Duration::from_millis(500)
        );
    }

    #[test]
    fn the_key_is_scrubbed_from_every_server_text() {
        // In a body message, across the truncation point, and in a Location header.
        let e = cls(Op::Enroll, 400, &format!("bad key {KEY} here")).unwrap_err();
        assert!(
            e.failure.message.contains("bad key [REDACTED] here"),
            "{}",
            e.failure.message
        );
        let long = format!("{}{KEY}", "x".repeat(295));
        let t = server_text(&long, Some(KEY), 300);
        assert!(!t.contains("k3y"), "{t}");
        let e = cls(
            Op::Enroll,
            401,
            &format!(r#"{{"statusCode":401,"message":"key {KEY}"}}"#),
        )
        .unwrap_err();
        assert!(!e.failure.message.contains(KEY));
        let e = cls(
            Op::Enroll,
            200,
            &format!(r#"{{"Success":false,"Message":"{KEY}"}}"#),
        )
        .unwrap_err();
        assert!(!e.failure.message.contains(KEY));
        let mut h = HeaderMap::new();
        h.insert(
            header::LOCATION,
            HeaderValue::from_str(&format!("https://x/?k={KEY}")).unwrap(),
        );
        let e = classify(Op::Enroll, StatusCode::FOUND, &h, b"", Some(KEY)).unwrap_err();
        assert!(
            !e.failure.message.contains(KEY) && e.failure.message.contains(REDACTED),
            "{}",
            e.failure.message
        );
        // A success answer echoing it: the JSON printed by `-o json` is scrubbed too.
        let ok = cls(
            Op::Enroll,
            200,
            &format!(r#"{{"Person":{{"CustomID":"{KEY}","BioPassID":"1"}}}}"#),
        )
        .unwrap();
        assert!(!ok.raw.to_string().contains(KEY));
    }

    #[test]
    fn refusals_are_read_by_whole_phrases_only() {
        for (op, text, kind) in [
            (Op::Verify, "Face not found in the image", Kind::Invalid),
            (Op::Verify, "Person not found.", Kind::NotFound),
            (
                Op::Enroll,
                "Person with this CustomID already exists",
                Kind::AlreadyExists,
            ),
            (Op::Enroll, "duplicate", Kind::Invalid),
        ] {
            let e = cls(op, 400, text).unwrap_err();
            assert_eq!(e.failure.kind, kind, "{text}");
            assert!(
                e.failure.message.contains(text.trim_end_matches('.')),
                "{text}"
            );
        }
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let p = |v: &str| parse_retry_after(v, now);
        assert_eq!(p("5"), Some(Duration::from_secs(5)));
        assert_eq!(p(" 0 "), Some(Duration::ZERO));
        assert_eq!(p("99999999999999999999999"), Some(Duration::MAX));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(p(&later), Some(Duration::from_secs(90)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(p(&earlier), Some(Duration::ZERO));
        assert_eq!(p("soon"), None);
        assert_eq!(p("-1"), None);
        assert_eq!(p(""), None);
    }

    #[test]
    fn biopass_id_must_be_present_and_short() {
        for (bid, ok) in [
            ("".to_string(), false),
            ("  ".to_string(), false),
            ("1".repeat(256), true),
            ("1".repeat(257), false),
        ] {
            let r = cls(
                Op::Enroll,
                200,
                &format!(r#"{{"Person":{{"CustomID":"1","BioPassID":"{bid}"}}}}"#),
            );
            match r {
                Ok(_) => assert!(ok, "{}", bid.len()),
                Err(e) => {
                    assert!(!ok, "{}", bid.len());
                    assert_eq!((e.failure.kind, e.sent), (Kind::Protocol, Sent::Maybe));
                }
            }
        }
    }

    #[test]
    fn run_level_failures() {
        let level = |code: u16, body: &str| cls(Op::Enroll, code, body).unwrap_err().run_level();
        assert!(level(
            401,
            r#"{"statusCode":401,"message":"Access denied"}"#
        ));
        assert!(level(403, "forbidden"));
        assert!(level(
            404,
            r#"{"statusCode":404,"message":"Resource not found"}"#
        ));
        assert!(level(307, ""));
        assert!(!level(
            403,
            r#"{"statusCode":403,"message":"Out of call volume quota."}"#
        ));
        assert!(!level(
            429,
            r#"{"statusCode":429,"message":"Rate limit is exceeded."}"#
        ));
        assert!(!level(400, "Invalid JSON format"));
        assert!(!level(503, ""));
        assert!(!level(200, "<html>"));
        let cert = AttemptError::new(Kind::Config, Sent::No, "certificate".into());
        assert!(cert.run_level());
    }

    #[test]
    fn a_late_already_exists_or_not_found_is_marked() {
        let body = br#"{"Person":{"CustomID":"ab12","Face":[{"Face-1":"AAAA"}]}}"#;
        let mut e = cls(Op::Enroll, 400, "Person already exists").unwrap_err();
        note_earlier_attempt(Op::Enroll, body, &mut e);
        assert!(e.after_maybe);
        assert!(
            e.failure.message.contains("biopass verify --id ab12"),
            "{}",
            e.failure.message
        );
        let mut e = cls(Op::Update, 400, "Person not found").unwrap_err();
        note_earlier_attempt(Op::Update, body, &mut e);
        assert!(
            !e.after_maybe,
            "only enroll/already-exists and delete/not-found"
        );
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
        let body = Bytes::from_static(br#"{"Person":{"CustomID":"1"}}"#);
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
        let body = Bytes::from_static(br#"{"Person":{"CustomID":"1"}}"#);
        let t0 = Instant::now();
        let e = c.attempt(Op::Delete, &body, &|| false).unwrap_err();
        assert_eq!((e.failure.kind, e.sent), (Kind::Unavailable, Sent::Maybe));
        assert!(t0.elapsed() < Duration::from_secs(8), "{:?}", t0.elapsed());
    }
}
