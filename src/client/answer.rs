//! How answers are read: every HTTP answer becomes a [`Reply`] or a classified
//! [`AttemptError`], whose [`Sent`] says whether the server may have acted (which
//! decides what may be retried). Every text that came from a server passes through
//! [`server_text`] (control characters stripped, truncated, the API key's exact value
//! replaced by `[REDACTED]`); refusals are recognised by whole phrases from
//! [`crate::messages`].

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use super::{MAX_BIOPASS_ID, REDACTED};
use crate::error::{Failure, Kind};
use crate::messages::{self, Meaning};
use crate::request::{AnswerShape, Op, Reconcile};
use crate::sanitize::sanitize;
use crate::wire;

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
    /// The kind, status and message, as a command reports it.
    pub failure: Failure,
    /// Whether the server may have acted on the request.
    pub sent: Sent,
    /// The server's `Retry-After` (seconds or an HTTP date; a date in the past is
    /// zero). A value too large to represent is `Duration::MAX`, so any "longer than
    /// N" rule treats it as too long.
    pub retry_after: Option<Duration>,
    /// 503: the gateway says the backend is unavailable; single commands retry it.
    pub unavailable: bool,
    /// Set by [`super::Client::call`]: this "already exists" (enroll) or "not found" (delete)
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
    /// The HTTP status (a 2xx).
    pub status: u16,
    /// The answer as received (the key scrubbed if it was echoed); `Null` from
    /// `classify_typed` (a batch row, which never prints it).
    pub raw: serde_json::Value,
    /// The same answer, typed.
    pub body: wire::Response,
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
    // Scrubbed in the raw text, in the text with unsafe characters removed (a key
    // split by a bell or a bidi control), and after they became spaces.
    sanitize(&scrub(&crate::sanitize::clean(&scrub(raw))), max)
}

/// After an earlier attempt that may have acted: an enroll's "already exists" or a
/// delete's "not found" may be that attempt's own result. Say so, and how to check.
pub(super) fn note_earlier_attempt(op: Op, custom_id: Option<&str>, err: &mut AttemptError) {
    let id = custom_id.map_or_else(|| "ID".to_string(), |id| sanitize(id, 100));
    let spec = op.spec();
    if spec.reconcile != Reconcile::LandedIf(err.failure.kind) || spec.landed_note.is_empty() {
        return;
    }
    let note = spec.landed_note.replace("{id}", &id);
    err.after_maybe = true;
    err.failure.message = format!("{}; {note}", err.failure.message);
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

/// Replace the key's exact value in every string of a JSON answer: values and
/// object keys alike, also where an unsafe character was hidden inside it.
fn scrub_json(v: &mut serde_json::Value, key: &str) {
    let scrub = |s: &str| -> Option<String> {
        // Most strings have no unsafe character: they are their own cleaned text, so
        // no copy is made to look for the key (a verify answer has a dozen strings).
        if !s.chars().any(crate::sanitize::is_unsafe) {
            return s.contains(key).then(|| s.replace(key, REDACTED));
        }
        let cleaned = crate::sanitize::clean(s);
        (s.contains(key) || cleaned.contains(key)).then(|| cleaned.replace(key, REDACTED))
    };
    match v {
        serde_json::Value::String(s) => {
            if let Some(new) = scrub(s) {
                *s = new;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| scrub_json(x, key)),
        serde_json::Value::Object(o) => {
            if o.keys().any(|k| scrub(k).is_some()) {
                *o = std::mem::take(o)
                    .into_iter()
                    .map(|(k, v)| (scrub(&k).unwrap_or(k), v))
                    .collect();
            }
            o.values_mut().for_each(|x| scrub_json(x, key));
        }
        _ => {}
    }
}

/// Whether the answer's `Person.BioPassID` holds the key (also once control
/// characters are stripped, as a terminal would show it).
fn biopass_id_holds(raw: &serde_json::Value, key: &str) -> bool {
    raw.get("Person")
        .and_then(|p| p.get("BioPassID"))
        .and_then(serde_json::Value::as_str)
        .is_some_and(|b| b.contains(key) || crate::sanitize::clean(b).contains(key))
}

/// Answer integrity: where the operation's request carries a CustomID
/// ([`crate::request::OpSpec::custom_id`]) and the answer names one, it must be the
/// one sent. An answer about someone else is never a result: it is a protocol error
/// (76) that may have been acted on, so a batch treats the row as ambiguous and
/// reconciles it like any lost answer, never recording that answer's BioPassID.
pub fn check_echo(
    op: Op,
    sent: Option<&str>,
    reply: Reply,
    key: Option<&str>,
) -> Result<Reply, AttemptError> {
    let echoed = reply
        .body
        .person
        .as_ref()
        .and_then(|p| p.custom_id.as_deref());
    match (op.spec().custom_id, sent, echoed) {
        (true, Some(sent), Some(echoed)) if sent != echoed => {
            let mut e = AttemptError::new(
                Kind::Protocol,
                Sent::Maybe,
                format!(
                    "the server answered {} for CustomID '{}', not for '{}' that was sent: \
refusing an answer about someone else (the request may have been processed)",
                    op.name(),
                    server_text(echoed, key, 100),
                    sanitize(sent, 100)
                ),
            );
            e.failure.status = Some(reply.status);
            Err(e)
        }
        _ => Ok(reply),
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
    classify_as(op, status, headers, body, key, true)
}

/// As [`classify`], for a caller that reads only the typed view (a batch row): the
/// raw tree is not built ([`Reply::raw`] is `Null`) when the answer's bytes show
/// that scrubbing could change nothing in it (see [`typed_only`]).
pub fn classify_typed(
    op: Op,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    key: Option<&str>,
) -> Result<Reply, AttemptError> {
    classify_as(op, status, headers, body, key, false)
}

/// The typed view of a success answer read straight from its bytes, when nothing
/// in them could need scrubbing: all ASCII (no bidi control can hide a key), no
/// backslash (no escape: every string is its bytes as they are), and no key in
/// them. Then the tree [`classify`] builds and scrubs would be the answer as it
/// is, and so would the view read from it. `None`: take the long way (also for
/// bytes that are not the JSON expected, so that its error is the same).
fn typed_only(op: Op, body: &[u8], key: Option<&str>) -> Option<wire::Response> {
    // `Object` answers are checked on the tree itself.
    if !matches!(
        op.spec().answer,
        AnswerShape::BioPassId | AnswerShape::Match
    ) || !body.is_ascii()
        || body.contains(&b'\\')
    {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    if key.is_some_and(|k| !k.is_empty() && text.contains(k)) {
        return None;
    }
    serde_json::from_str(text).ok()
}

fn classify_as(
    op: Op,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    key: Option<&str>,
    want_raw: bool,
) -> Result<Reply, AttemptError> {
    let code = status.as_u16();
    let fail = |kind: Kind, sent: Sent, msg: String| {
        let mut e = AttemptError::new(kind, sent, msg);
        e.failure.status = Some(code);
        e
    };
    if status.is_success() {
        let fast = if want_raw {
            None
        } else {
            typed_only(op, body, key)
        };
        let (raw, typed) = match fast {
            Some(typed) => (serde_json::Value::Null, typed),
            None => {
                let mut raw: serde_json::Value = serde_json::from_slice(body).map_err(|_| {
                    fail(Kind::Protocol, Sent::Maybe, format!("the server answered {code} but not with JSON: the request may have been processed"))
                })?;
                if let Some(k) = key.filter(|k| !k.is_empty()) {
                    // Before scrubbing: a BioPassID holding the key would otherwise be
                    // printed and journaled as `[REDACTED]`, a result it is not.
                    if op.spec().answer == AnswerShape::BioPassId && biopass_id_holds(&raw, k) {
                        return Err(fail(
                            Kind::Protocol,
                            Sent::Maybe,
                            format!(
                                "the server answered {code} with a BioPassID that contains the API key (an echo, not an id): the request may have been processed"
                            ),
                        ));
                    }
                    scrub_json(&mut raw, k);
                }
                // Read from the tree in place, not from a copy of it.
                let typed =
                    <wire::Response as serde::Deserialize>::deserialize(&raw).map_err(|_| {
                        fail(
                            Kind::Protocol,
                            Sent::Maybe,
                            format!("the server answered {code} with unexpected JSON"),
                        )
                    })?;
                (raw, typed)
            }
        };
        // Liveness's `Success: false` comes with its verdict ("No Faces Detected"):
        // an answer, read by the caller, not a refusal.
        if typed.success == Some(false) && op.spec().answer != AnswerShape::Liveness {
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
        let complete = match op.spec().answer {
            AnswerShape::BioPassId => person.is_some_and(|p| p.biopass_id.is_some()),
            AnswerShape::Match => person.is_some_and(|p| p.matched.is_some()),
            AnswerShape::Object => raw.is_object(),
            AnswerShape::Faces => typed.detected_faces.is_some(),
            AnswerShape::Icao => typed.icao.is_some(),
            AnswerShape::Liveness => {
                typed.result.is_some()
                    && match typed.success {
                        Some(true) => typed.spoof.is_some(),
                        Some(false) => true,
                        None => false,
                    }
            }
            AnswerShape::Nfiq => typed.nfiq.is_some_and(|n| n.quality.is_finite()),
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
            && op.spec().answer == AnswerShape::BioPassId
        {
            let len = bid.chars().count();
            // A BioPassID is printed whole for scripts to capture: one that would
            // print differently from what the server sent (control or bidi
            // characters) or print nothing is not a result.
            let unsafe_chars = bid.chars().any(crate::sanitize::is_unsafe);
            if bid.trim().is_empty() || len > MAX_BIOPASS_ID || unsafe_chars {
                return Err(fail(
                    Kind::Protocol,
                    Sent::Maybe,
                    format!(
                        "the server answered {code} with {} BioPassID: the request may have been processed",
                        if len > MAX_BIOPASS_ID {
                            format!("a {len}-character")
                        } else if unsafe_chars {
                            "a control-character-bearing".to_string()
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
        // The gateway's 404, or any 404/405 that is not the service's own "not
        // found" phrase (a proxy's page, a wrong host or base path): the endpoint has
        // no such operation, and no row can succeed against it.
        404 | 405 if gateway || messages::recognise(&msg) != Some(Meaning::PersonNotFound) => fail(
            Kind::Config,
            Sent::Rejected,
            format!(
                "the endpoint has no {} operation (HTTP {code}: {msg}): check --endpoint",
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
    use reqwest::header::HeaderValue;

    const KEY: &str = "k3y-secret-value";
    fn cls(op: Op, code: u16, body: &str) -> Result<Reply, AttemptError> {
        classify(
            op,
            StatusCode::from_u16(code).unwrap(),
            &HeaderMap::new(),
            body.as_bytes(),
            Some(KEY),
        )
    }

    #[test]
    fn quality_answers_are_complete_by_their_shape() {
        let ok = |op, body: &str| cls(op, 200, body).map(|r| r.status);
        let protocol = |op, body: &str| cls(op, 200, body).unwrap_err().failure.kind;
        assert_eq!(
            ok(Op::FaceDetect, r#"{"DetectedFaces":{"FaceNumber":0}}"#).unwrap(),
            200
        );
        assert_eq!(protocol(Op::FaceDetect, r#"{"Person":{}}"#), Kind::Protocol);
        assert_eq!(
            ok(Op::Icao, r#"{"ICAO":{"IsAllConformed":true}}"#).unwrap(),
            200
        );
        assert_eq!(
            protocol(Op::Icao, r#"{"ICAO":{"Requirements":{}}}"#),
            Kind::Protocol
        );
        assert_eq!(ok(Op::Nfiq, r#"{"NFIQ":{"Quality":2}}"#).unwrap(), 200);
        assert_eq!(protocol(Op::Nfiq, r#"{}"#), Kind::Protocol);
        // Liveness's Success:false carries its verdict: an answer, not a refusal.
        let no_face = r#"{"Success":false,"result":"No Faces Detected"}"#;
        assert_eq!(ok(Op::Liveness, no_face).unwrap(), 200);
        assert_eq!(
            ok(
                Op::Liveness,
                r#"{"Success":true,"result":"Ok","spoof":true}"#
            )
            .unwrap(),
            200
        );
        assert_eq!(
            protocol(Op::Liveness, r#"{"Success":true,"result":"Ok"}"#),
            Kind::Protocol
        );
        assert_eq!(
            protocol(Op::Liveness, r#"{"result":"Ok","spoof":false}"#),
            Kind::Protocol
        );
        // The same Success:false stays a refusal for the person operations.
        assert_eq!(
            cls(Op::Enroll, 200, r#"{"Success":false,"Message":"x"}"#)
                .unwrap_err()
                .sent,
            Sent::Rejected
        );
    }

    #[test]
    fn an_answer_about_someone_else_is_a_protocol_error() {
        let ok = |body: &str| cls(Op::Enroll, 200, body).unwrap();
        let other = r#"{"Person":{"CustomID":"someone-else","BioPassID":"77"}}"#;
        let e = check_echo(Op::Enroll, Some("x1"), ok(other), Some(KEY)).unwrap_err();
        assert_eq!((e.failure.kind, e.sent), (Kind::Protocol, Sent::Maybe));
        assert_eq!(e.failure.status, Some(200));
        assert!(
            e.failure.message.contains("'someone-else'"),
            "{}",
            e.failure.message
        );
        // The same id, or no echo at all, is an answer.
        let same = r#"{"Person":{"CustomID":"x1","BioPassID":"77"}}"#;
        assert!(check_echo(Op::Enroll, Some("x1"), ok(same), Some(KEY)).is_ok());
        let bare = r#"{"Person":{"BioPassID":"77"}}"#;
        assert!(check_echo(Op::Enroll, Some("x1"), ok(bare), Some(KEY)).is_ok());
        // Case and spaces count: CustomIDs are compared exactly.
        let spaced = r#"{"Person":{"CustomID":"x1 ","BioPassID":"77"}}"#;
        assert!(check_echo(Op::Enroll, Some("x1"), ok(spaced), Some(KEY)).is_err());
        let verify = cls(
            Op::Verify,
            200,
            r#"{"Person":{"CustomID":"y","Match":true}}"#,
        )
        .unwrap();
        assert!(check_echo(Op::Verify, Some("x1"), verify, Some(KEY)).is_err());
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

    /// A batch's typed-only reading gives the view `classify` gives, for answers it
    /// reads straight from the bytes and for those it must scrub (the key echoed,
    /// plainly, escaped, or split by a bidi control) or cannot read.
    #[test]
    fn the_typed_view_is_the_same_without_the_tree() {
        let typed = |op, body: &str| {
            classify_typed(
                op,
                StatusCode::OK,
                &HeaderMap::new(),
                body.as_bytes(),
                Some(KEY),
            )
        };
        let view = |r: Result<Reply, AttemptError>| match r {
            Ok(r) => Ok(format!("{:?}", r.body)),
            Err(e) => Err(format!("{:?} {}", e.failure.kind, e.failure.message)),
        };
        let k = KEY;
        let escaped: String = KEY
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        let (head, tail) = KEY.split_at(2);
        for (op, body) in [
            (Op::Verify, r#"{"Person":{"CustomID":"V1","Match":true,"MatchDetails":{"FaceMatched":true,"NonMatchedFingers":["Finger-1","Finger-2"]}}}"#.to_string()),
            (Op::Enroll, r#"{"Person":{"CustomID":"E1","BioPassID":"77"}}"#.to_string()),
            (Op::Enroll, format!(r#"{{"Person":{{"CustomID":"E1","BioPassID":"{k}"}}}}"#)),
            (Op::Enroll, format!(r#"{{"Person":{{"CustomID":"E1","BioPassID":"{escaped}"}}}}"#)),
            (Op::Enroll, format!("{{\"Person\":{{\"CustomID\":\"E1\",\"BioPassID\":\"{head}\u{202e}{tail}\"}}}}")),
            (Op::Verify, r#"{"Person":{"CustomID":"V1","Match":true,"Match":false}}"#.to_string()),
            (Op::Verify, r#"{"Person":{"Match":"yes"}}"#.to_string()),
            (Op::Verify, "not json".to_string()),
        ] {
            assert_eq!(view(typed(op, &body)), view(cls(op, 200, &body)), "{body}");
        }
        // And the fast way was taken where it could be: no tree.
        let fast = typed(
            Op::Enroll,
            r#"{"Person":{"CustomID":"E1","BioPassID":"77"}}"#,
        )
        .unwrap();
        assert!(fast.raw.is_null());
        let slow = typed(
            Op::Enroll,
            &format!(r#"{{"Person":{{"CustomID":"E1","BioPassID":"77"}},"Message":"{k}"}}"#),
        )
        .unwrap();
        assert!(slow.raw.is_object());
        assert!(!format!("{:?}", slow.body).contains(KEY));
        // A BioPassID holding the key is no result, either way (also hidden behind a
        // control character, or escaped).
        for bid in [
            k.to_string(),
            format!("x{k}"),
            escaped.clone(),
            format!("{head}\u{202e}{tail}"),
        ] {
            let body = format!(r#"{{"Person":{{"CustomID":"E1","BioPassID":"{bid}"}}}}"#);
            let e = typed(Op::Enroll, &body).unwrap_err();
            assert_eq!(e.failure.kind, Kind::Protocol, "{body}");
            assert!(!e.failure.message.contains(KEY), "{body}");
        }
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
        let body = Some("ab12");
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
}
