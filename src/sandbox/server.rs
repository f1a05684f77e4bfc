//! The HTTP side of the sandbox: routing, the gateway's checks, faults, and answers in
//! the API's exact shapes.
//!
//! A request goes through the same gates as at the real service, in the same order:
//! the route (404, as API Management answers for an unknown operation), the body size
//! (413), the subscription key (401, the gateway's JSON), then at most one injected
//! fault, then the operation itself with the API's plain-text 400s. The body is read
//! before any answer is sent, even a refusal: a server that answers and closes while
//! the client is still uploading images makes the client see a reset instead of the
//! answer, and the point of the sandbox is that clients see clean answers.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::{Result, anyhow};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::faults::{Dice, Fault, Faults};
use super::request::{parse_person, parse_person_id};
use super::store::{Op, Outcome, Stats, Store};
use super::{CLIENT_ID, MAX_BODY_BYTES};
use crate::wire::{Envelope, GatewayError, MatchDetails, PersonResult};

/// The header API Management reads the subscription key from.
const KEY_HEADER: &str = "ocp-apim-subscription-key";

/// How often memory-mode state is saved when it has changed.
const SAVE_EVERY: Duration = Duration::from_millis(500);

/// How long shutdown waits for in-flight requests before cutting them off. Short: a
/// hung response (fault injection) would otherwise hold up Ctrl-C.
const GRACE: Duration = Duration::from_secs(2);

type Reply = Response<Full<Bytes>>;

/// What every connection shares.
pub struct Shared {
    key: String,
    store: Arc<Store>,
    dice: Dice,
    counts: Counts,
    log: Option<super::Log>,
}

#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    unavailable: AtomicU64,
    rate_limited: AtomicU64,
    reset: AtomicU64,
    hang: AtomicU64,
}

impl Shared {
    pub fn new(key: String, store: Store, faults: Faults, log: Option<super::Log>) -> Shared {
        Shared {
            key,
            store: Arc::new(store),
            dice: Dice::new(faults),
            counts: Counts::default(),
            log,
        }
    }

    fn log(&self, msg: &str) {
        if let Some(log) = &self.log {
            log(msg);
        }
    }
}

/// Serve until `stop` changes (or its sender is dropped), then let in-flight requests
/// finish (up to [`GRACE`]) and save the state one last time.
pub async fn run(
    listener: TcpListener,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) -> Result<()> {
    let saver = tokio::spawn(save_periodically(shared.clone(), stop.clone()));
    let mut conns = JoinSet::new();
    let mut stopping = stop.clone();
    loop {
        tokio::select! {
            _ = stopping.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Small request/response pairs: do not let Nagle hold them back.
                    let _ = stream.set_nodelay(true);
                    conns.spawn(serve_connection(stream, shared.clone(), stop.clone()));
                }
                // Out of file descriptors or similar: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            // Reap finished connections so the set does not grow without bound.
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, async { while conns.join_next().await.is_some() {} }).await;
    conns.shutdown().await;
    let _ = saver.await;
    let store = shared.store.clone();
    tokio::task::spawn_blocking(move || store.flush())
        .await
        .map_err(|e| anyhow!("saving sandbox state failed: {e}"))?
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(Connection {
        stream,
        reset: reset.clone(),
    });
    let service = service_fn(move |req| handle(shared.clone(), reset.clone(), req));
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(io, service);
    tokio::pin!(conn);
    // Errors here are the client's business (it went away, sent garbage) or ours on
    // purpose (an injected reset); either way the connection is over.
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// The error a handler returns to make hyper drop the connection without answering.
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("connection dropped without a response")
    }
}

impl std::error::Error for Dropped {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Stats,
    Person(Operation),
}

/// The person operations, routed by the table the client sends from
/// ([`crate::request::Op::ALL`]): one method and path per operation, on both ends.
type Operation = crate::request::Op;

fn route(method: &Method, path: &str) -> Option<Route> {
    if method == Method::GET && path == "/_sandbox/stats" {
        return Some(Route::Stats);
    }
    Operation::ALL
        .into_iter()
        .find(|op| op.method() == method.as_str() && op.path() == path)
        .map(Route::Person)
}

async fn handle(
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    req: Request<Incoming>,
) -> Result<Reply, Dropped> {
    let (parts, body) = req.into_parts();
    let route = route(&parts.method, parts.uri.path());
    let operation = match route {
        // Not counted, so reading the stats does not change them.
        Some(Route::Stats) => return Ok(stats(&shared).await),
        Some(Route::Person(op)) => Some(op),
        None => None,
    };
    shared.counts.requests.fetch_add(1, Ordering::Relaxed);

    let body = match read_body(body).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return Ok(gateway(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request entity too large",
            ));
        }
        Err(BodyError::Gone) => return Err(Dropped),
    };
    let Some(operation) = operation else {
        return Ok(gateway(StatusCode::NOT_FOUND, "Resource not found"));
    };

    let reply = person_operation(&shared, &reset, operation, &parts.headers, body).await?;
    let latency = shared.dice.faults().latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    Ok(reply)
}

async fn person_operation(
    shared: &Shared,
    reset: &AtomicBool,
    operation: Operation,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Reply, Dropped> {
    if let Some(refusal) = check_key(&shared.key, headers.get(KEY_HEADER)) {
        return Ok(refusal);
    }

    let faults = shared.dice.faults();
    let fault = shared.dice.draw();
    let counts = &shared.counts;
    match fault {
        Some(Fault::Unavailable) => {
            counts.unavailable.fetch_add(1, Ordering::Relaxed);
            return Ok(gateway(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable",
            ));
        }
        Some(Fault::RateLimited) => {
            counts.rate_limited.fetch_add(1, Ordering::Relaxed);
            let secs = faults.retry_after_secs;
            let message = format!("Rate limit is exceeded. Try again in {secs} seconds.");
            let mut reply = gateway(StatusCode::TOO_MANY_REQUESTS, &message);
            reply
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
            return Ok(reply);
        }
        _ => {}
    }

    let reply = act(shared, operation, body).await;

    // These two faults strike after the operation took effect: the client cannot tell
    // from what it sees whether its enroll landed.
    match fault {
        Some(Fault::Reset) => {
            counts.reset.fetch_add(1, Ordering::Relaxed);
            reset.store(true, Ordering::Relaxed);
            Err(Dropped)
        }
        Some(Fault::Hang) => {
            counts.hang.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(faults.hang_ms)).await;
            Ok(reply)
        }
        _ => Ok(reply),
    }
}

/// Validate, apply, answer.
async fn act(shared: &Shared, operation: Operation, body: Bytes) -> Reply {
    if !operation.spec().custom_id {
        // The quality operations: stateless, answered from the image alone.
        let answer = tokio::task::spawn_blocking(move || super::quality::answer(operation, &body))
            .await
            .unwrap_or_else(|e| Err(format!("sandbox quality task failed: {e}")));
        return match answer {
            Ok(v) => json(StatusCode::OK, &v),
            Err(m) => text(StatusCode::BAD_REQUEST, &m),
        };
    }
    let parsed = match operation {
        Operation::Enroll => parse_person(&body).map(Op::Enroll),
        Operation::Update => parse_person(&body).map(Op::Update),
        Operation::Verify => parse_person(&body).map(Op::Verify),
        Operation::Delete => parse_person_id(&body).map(Op::Delete),
        Operation::FaceDetect | Operation::Icao | Operation::Liveness | Operation::Nfiq => {
            unreachable!("answered above: no CustomID")
        }
    };
    // The base64 images go now; only digests live on.
    drop(body);
    let op = match parsed {
        Ok(op) => op,
        Err(rejection) => return text(StatusCode::BAD_REQUEST, rejection.message()),
    };
    let custom_id = op.custom_id().to_owned();
    let outcome = if shared.store.blocks() {
        // A spawned blocking task runs to completion even if the client goes away, so
        // an operation that started is always applied and written.
        let store = shared.store.clone();
        tokio::task::spawn_blocking(move || store.apply(op))
            .await
            .unwrap_or_else(|e| Err(anyhow!("sandbox store task failed: {e}")))
    } else {
        shared.store.apply(op)
    };
    match outcome {
        Ok(outcome) => answer(custom_id, outcome),
        Err(e) => state_error(shared, &e),
    }
}

fn answer(custom_id: String, outcome: Outcome) -> Reply {
    let person = match outcome {
        Outcome::Enrolled { biopass_id } | Outcome::Updated { biopass_id } => PersonResult {
            client_id: Some(CLIENT_ID.to_owned()),
            custom_id: Some(custom_id),
            biopass_id: Some(biopass_id.to_string()),
            ..PersonResult::default()
        },
        Outcome::Deleted => PersonResult {
            custom_id: Some(custom_id),
            ..PersonResult::default()
        },
        Outcome::Verified(v) => PersonResult {
            custom_id: Some(custom_id),
            matched: Some(v.matched),
            match_details: Some(MatchDetails {
                face_matched: v.face_matched,
                non_matched_fingers: v
                    .non_matched_fingers
                    .iter()
                    .map(|s| format!("Finger-{s}"))
                    .collect(),
            }),
            ..PersonResult::default()
        },
        Outcome::AlreadyExists => {
            return text(
                StatusCode::BAD_REQUEST,
                "Person with this CustomID already exists",
            );
        }
        Outcome::NotFound => return text(StatusCode::BAD_REQUEST, "Person not found"),
    };
    json(StatusCode::OK, &Envelope { person })
}

async fn stats(shared: &Shared) -> Reply {
    let store = shared.store.clone();
    let stats = if store.blocks() {
        tokio::task::spawn_blocking(move || store.stats())
            .await
            .unwrap_or_else(|e| Err(anyhow!("sandbox store task failed: {e}")))
    } else {
        store.stats()
    };
    let Stats { persons, enrolls } = match stats {
        Ok(s) => s,
        Err(e) => return state_error(shared, &e),
    };
    let c = &shared.counts;
    let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let body = StatsBody {
        requests: n(&c.requests),
        persons,
        enrolls,
        faults: FaultCounts {
            unavailable: n(&c.unavailable),
            rate_limited: n(&c.rate_limited),
            reset: n(&c.reset),
            hang: n(&c.hang),
        },
    };
    json(StatusCode::OK, &body)
}

/// `/_sandbox/stats`, a struct rather than `json!` so the fields keep this order.
#[derive(Serialize)]
struct StatsBody {
    requests: u64,
    persons: usize,
    enrolls: BTreeMap<String, u64>,
    faults: FaultCounts,
}

#[derive(Serialize)]
struct FaultCounts {
    #[serde(rename = "503")]
    unavailable: u64,
    #[serde(rename = "429")]
    rate_limited: u64,
    reset: u64,
    hang: u64,
}

/// The gateway's key check. An empty header counts as missing, as API Management
/// treats it.
fn check_key(expected: &str, sent: Option<&HeaderValue>) -> Option<Reply> {
    match sent {
        None => Some(gateway(
            StatusCode::UNAUTHORIZED,
            "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
        )),
        Some(v) if v.is_empty() => check_key(expected, None),
        Some(v) if !same_key(v.as_bytes(), expected.as_bytes()) => Some(gateway(
            StatusCode::UNAUTHORIZED,
            "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
        )),
        Some(_) => None,
    }
}

/// Compare keys without stopping at the first difference, so the time taken does not
/// reveal how much of a guessed key was right.
fn same_key(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    std::hint::black_box(diff) == 0
}

enum BodyError {
    TooLarge,
    Gone,
}

async fn read_body(body: Incoming) -> Result<Bytes, BodyError> {
    // A declared length over the limit is refused before a byte is read.
    if body.size_hint().lower() > MAX_BODY_BYTES as u64 {
        return Err(BodyError::TooLarge);
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Gone),
    }
}

/// Save memory-mode state every [`SAVE_EVERY`] when it changed. A failure is reported
/// once (not every half second) and retried; shutdown's final save returns it.
async fn save_periodically(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let store = shared.store.clone();
    let mut tick = tokio::time::interval(SAVE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = tick.tick() => {
                let s = store.clone();
                let saved = tokio::task::spawn_blocking(move || s.flush()).await;
                match saved {
                    Ok(Err(e)) if !failing => {
                        failing = true;
                        shared.log(&format!("{e:#} (will keep trying)"));
                    }
                    Ok(Ok(())) => failing = false,
                    _ => {}
                }
            }
        }
    }
}

fn state_error(shared: &Shared, e: &anyhow::Error) -> Reply {
    // The message names the state file and the system error, never request data.
    shared.log(&format!("{e:#}"));
    text(
        StatusCode::INTERNAL_SERVER_ERROR,
        &format!("Sandbox state error: {e:#}"),
    )
}

fn gateway(status: StatusCode, message: &str) -> Reply {
    json(
        status,
        &GatewayError {
            status_code: status.as_u16(),
            message: message.to_owned(),
        },
    )
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Reply {
    // Serialising these plain structs cannot fail.
    let body = serde_json::to_vec(value).unwrap_or_default();
    reply(status, "application/json", body)
}

fn text(status: StatusCode, message: &str) -> Reply {
    reply(status, "text/plain", message.as_bytes().to_vec())
}

fn reply(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A TCP stream that, once its connection is marked for reset, closes with an RST
/// instead of a FIN. Hyper owns the stream while serving, so the mark is set by the
/// handler and acted on here, when hyper drops the aborted connection. Zero linger
/// only on marked streams: on others it would discard responses still in the send
/// buffer.
struct Connection {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_need_the_right_method() {
        assert_eq!(
            route(&Method::POST, "/multibiometrics/enroll"),
            Some(Route::Person(Operation::Enroll))
        );
        assert_eq!(
            route(&Method::PUT, "/multibiometrics/update"),
            Some(Route::Person(Operation::Update))
        );
        assert_eq!(
            route(&Method::POST, "/multibiometrics/verify"),
            Some(Route::Person(Operation::Verify))
        );
        assert_eq!(
            route(&Method::DELETE, "/multibiometrics/delete"),
            Some(Route::Person(Operation::Delete))
        );
        assert_eq!(route(&Method::GET, "/_sandbox/stats"), Some(Route::Stats));
        assert_eq!(route(&Method::POST, "/multibiometrics/update"), None);
        assert_eq!(route(&Method::GET, "/multibiometrics/enroll"), None);
        assert_eq!(route(&Method::POST, "/multibiometrics/delete"), None);
        assert_eq!(route(&Method::POST, "/multibiometrics/enroll/"), None);
        assert_eq!(route(&Method::POST, "/multibiometrics/match"), None);
    }

    #[test]
    fn key_comparison() {
        assert!(same_key(b"abc", b"abc"));
        assert!(same_key(b"", b""));
        assert!(!same_key(b"abc", b"abd"));
        assert!(!same_key(b"abc", b"abcd"));
        assert!(!same_key(b"abc\0", b"abc"));
        assert!(!same_key(b"", b"a"));
        assert!(check_key("k", Some(&HeaderValue::from_static("k"))).is_none());
        for (sent, words) in [
            (None, "missing"),
            (Some(""), "missing"),
            (Some("K"), "invalid"),
        ] {
            let v = sent.map(HeaderValue::from_static);
            let r = check_key("k", v.as_ref()).expect("refused");
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            let bytes = rt.block_on(r.into_body().collect()).unwrap().to_bytes();
            let body = String::from_utf8(bytes.to_vec()).unwrap();
            assert!(body.contains(words), "{body}");
        }
    }
}
