//! One row, start to end: read its images, check they are what was validated, send
//! with retries, journal every attempt, report the outcome.
//!
//! The retry rules for a batch row are the one retry policy's
//! ([`crate::client::retry`]), with the journal ([`decide`]); the client's
//! classification of each answer ([`crate::client::AttemptError`]) is its input.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::content::{fingerprint, load_row};
use super::journal::{self, Record, State};
use super::manifest::Row;
use super::pace;
use super::plan::{Again, Planned};
use super::report::{Outcome, Reporter, RowResult, Summary};
use crate::client::{Body, Client, Lane, Sent};
use crate::error::Kind;
use crate::request::{self, Op};
use crate::sanitize::sanitize;
use crate::stop::{Reason, Stop};

mod send;
use send::send;
pub use send::{Next, decide, sleep_unless_stopped};

/// What every worker shares.
pub struct Shared<'a> {
    /// The operation every row gets.
    pub op: Op,
    /// The one client all workers send through.
    pub client: &'a Client,
    /// Where every attempt is recorded.
    pub journal: &'a journal::Writer,
    /// How many requests may be in flight.
    pub gate: pace::Gate,
    /// The requests-per-second cap, if any (`--rate`).
    pub pacer: Option<pace::Pacer>,
    /// The run's retry budget.
    pub budget: pace::Budget,
    /// How images are prepared, and the largest accepted.
    pub images: crate::images::prepare::Options,
    /// `--skip-existing`: "already exists" finishes an enroll row as skipped.
    pub skip_existing: bool,
    /// Where finished rows and progress go.
    pub reporter: &'a dyn Reporter,
    /// Checked before every attempt and wait; requested by a run-level failure.
    pub stop: &'a Stop,
    /// Requests sent so far, retries included.
    pub requests: AtomicU64,
    /// Rows that went through `record` (finished or left pending).
    pub processed: AtomicU64,
    /// The last row built had photos (a body over 256 KiB, or over 1 ms to prepare):
    /// prepare the next ones on blocking threads.
    pub heavy: std::sync::atomic::AtomicBool,
    /// Turns to prepare a row on a blocking thread: one per CPU.
    pub preparing: tokio::sync::Semaphore,
    /// The run's counts so far.
    pub summary: Mutex<Summary>,
    /// The last error a row met that did not finish it (for the summary).
    pub last_error: Mutex<Option<String>>,
    /// The pass running (`--passes`), from 1.
    pub pass: std::sync::atomic::AtomicU32,
    /// Passes in all (`--passes`).
    pub passes: u32,
    /// Rows this pass left pending after transient errors outlasted their
    /// attempts: what the next pass sends.
    pub again: Mutex<Vec<Again>>,
    /// Protocol errors (a 2xx that is not the API's answer: not JSON, not the
    /// expected result, about someone else) since the last real answer; at
    /// [`Shared::protocol_limit`] the run stops ([`Reason::Protocol`], 76).
    pub protocol_streak: std::sync::atomic::AtomicU32,
    /// Twice the rows in flight (at least 2): a captive portal answering every
    /// request reaches it within one round of requests; a service whose answers
    /// are sometimes wrong (5 % of them, say) never does in practice (0.05^16 at
    /// `--jobs 8`), and its rows are reconciled one by one.
    pub protocol_limit: u32,
}

impl Shared<'_> {
    fn stopped(&self) -> bool {
        self.stop.is_requested()
    }

    /// Stop the whole run: no new rows, waiting workers wake up.
    fn halt(&self, reason: Reason, message: String) {
        self.stop.request(reason, Some(message));
        self.gate.wake_all();
    }

    fn note_error(&self, message: &str) {
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(sanitize(message, 300));
    }
}

/// The fields of an `end` journal record.
///
/// They mean what the fields of [`Record::End`] mean; [`End::record`] turns them into
/// the record's strings.
pub struct End<'a> {
    /// The row's manifest line.
    pub line: u64,
    /// The row's CustomID.
    pub id: &'a str,
    /// The row's content fingerprint; empty for an invalid row.
    pub fp: &'a str,
    /// The attempt's number in this run, from 1 (0 for an invalid row).
    pub attempt: u32,
    /// How the attempt left the row.
    pub state: State,
    /// The HTTP status, when the service answered.
    pub status: Option<u16>,
    /// The BioPassID the service gave, on success.
    pub biopass_id: Option<String>,
    /// Verify's verdict, on success.
    pub matched: Option<bool>,
    /// Verify's `MatchDetails.FaceMatched`, on success, if sent.
    pub face_matched: Option<bool>,
    /// Verify's `MatchDetails.NonMatchedFingers`, on success, if sent.
    pub non_matched_fingers: Option<&'a [String]>,
    /// The pass of the run, when not the first.
    pub pass: Option<u32>,
    /// For a failed attempt, whether the service could have acted on it.
    pub class: Option<Sent>,
    /// For a failure, its kind.
    pub kind: Option<Kind>,
    /// For a failure, its message (sanitised and cut when recorded).
    pub error: Option<&'a str>,
    /// How long the attempt took, in milliseconds.
    pub ms: u64,
}

impl End<'_> {
    /// An `end` record for a row that was never sent (invalid).
    pub fn invalid<'a>(line: u64, id: &'a str, message: &'a str) -> End<'a> {
        End {
            line,
            id,
            fp: "",
            attempt: 0,
            state: State::Invalid,
            status: None,
            biopass_id: None,
            matched: None,
            face_matched: None,
            non_matched_fingers: None,
            pass: None,
            class: None,
            kind: Some(Kind::Invalid),
            error: Some(message),
            ms: 0,
        }
    }

    /// Append the record to `journal` without copying its fields into a [`Record`]
    /// first (as [`End::record`] would write it).
    pub fn append_to(&self, journal: &journal::Writer) -> anyhow::Result<()> {
        let error = self.error.map(|e| sanitize(e, 300));
        let cut = self.non_matched_fingers.and_then(journal::fingers);
        journal.append(&journal::EndView {
            line: self.line,
            id: self.id,
            fp: self.fp,
            attempt: self.attempt,
            state: self.state,
            status: self.status,
            biopass_id: self.biopass_id.as_deref(),
            class: self.class.map(class_name),
            kind: self.kind.map(Kind::name),
            error: error.as_deref(),
            ms: self.ms,
            at: Some(crate::time::now_secs()),
            matched: self.matched,
            face_matched: self.face_matched,
            non_matched_fingers: cut.as_deref().or(self.non_matched_fingers),
            pass: self.pass,
        })
    }

    /// The journal record, with `error` sanitised and cut to 300 characters.
    pub fn record(self) -> Record {
        Record::End {
            line: self.line,
            id: self.id.into(),
            fp: self.fp.into(),
            attempt: self.attempt,
            state: self.state,
            status: self.status,
            biopass_id: self.biopass_id,
            class: self.class.map(|c| class_name(c).into()),
            kind: self.kind.map(|k| k.name().into()),
            error: self.error.map(|e| sanitize(e, 300)),
            ms: self.ms,
            at: Some(crate::time::now_secs()),
            matched: self.matched,
            face_matched: self.face_matched,
            non_matched_fingers: self
                .non_matched_fingers
                .map(|f| journal::fingers(f).unwrap_or_else(|| f.to_vec())),
            pass: self.pass,
        }
    }
}

/// How the journal names a [`Sent`].
fn class_name(c: Sent) -> &'static str {
    match c {
        Sent::No => "not_sent",
        Sent::Maybe => "maybe",
        Sent::Rejected => "rejected",
    }
}

/// A row read and prepared, not sent: nothing of it is journaled yet. Dropped unsent
/// (the run stopped), it is simply prepared again by the next run.
pub struct Prepared {
    item: u64,
    row: Row,
    planned: Planned,
    built: Result<(Body, String), String>,
}

impl Prepared {
    /// The request body's size in bytes (0 when the row could not be prepared).
    pub fn body_len(&self) -> u64 {
        self.built.as_ref().map_or(0, |(body, _)| body.len())
    }
}

/// Read, check and prepare the row's images: its body and fingerprint. Photos are
/// prepared on a blocking thread (see [`Shared::heavy`]). `None`: the run stopped
/// while the row waited for its turn; it was not prepared, and stays pending (it
/// was never sent, nor journaled).
pub async fn prepare(sh: &Shared<'_>, item: u64, row: Row, planned: Planned) -> Option<Prepared> {
    let (row, built, took) = if sh.heavy.load(Ordering::Relaxed) {
        // Photos: read, hash and prepare (perhaps decode and re-encode) them on a
        // blocking thread, so that the rows in flight are not held up meanwhile and
        // several rows' photos are prepared in parallel. (Small images cost less
        // than the hand-over, and stay on this thread.)
        let (op, images, known) = (sh.op, sh.images, planned.fp.clone());
        // As many at once as there are CPUs: more would not go faster, and each
        // decoded photo in flight costs tens of megabytes.
        let _turn = sh.preparing.acquire().await.expect("never closed");
        if sh.stopped() {
            return None;
        }
        let done = tokio::task::spawn_blocking(move || {
            let t0 = Instant::now();
            let built = build(op, &images, known.as_deref(), &row);
            (row, built, t0.elapsed())
        })
        .await;
        match done {
            Ok(done) => done,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    } else {
        let t0 = Instant::now();
        let built = build(sh.op, &sh.images, planned.fp.as_deref(), &row);
        (row, built, t0.elapsed())
    };
    // The next row is probably like this one: a manifest's images are all phone
    // photos or all small crops. What counts is what preparing it cost (a photo
    // downscaled to a small body was still decoded) and what it weighs (the body is
    // read and encoded again as it is sent). Learning it costs no system call.
    if let Ok((body, _)) = &built {
        let heavy = took > HEAVY_BUILD || body.len() > OFF_THREAD;
        sh.heavy.store(heavy, Ordering::Relaxed);
    }
    Some(Prepared {
        item,
        row,
        planned,
        built,
    })
}

/// Send a prepared row until it is finished or left pending, journal and report it.
/// A finished row is reported only once its `end` record is written to the journal
/// ([`journal::Writer::written`]): a row printed is a row the journal knows, so a
/// resume after `kill -9` neither sends nor prints it again.
pub async fn finish(sh: &Shared<'_>, lane: &Lane, prepared: Prepared) {
    let Prepared {
        item,
        row,
        planned,
        built,
    } = prepared;
    let mut later = false;
    let mut sent = false;
    let (outcome, attempts) = match built {
        Ok((body, fp)) => {
            let (outcome, attempts, again) = send(sh, lane, &row, &planned, &fp, body).await;
            sent = true;
            if let Some(maybe_landed) = again {
                later = sh.pass.load(Ordering::Relaxed) < sh.passes;
                let again = Again {
                    item,
                    check: super::content::id_hash(&row.id) as u32,
                    fp: journal::fp_key(&fp),
                    maybe_landed,
                    attempts,
                };
                sh.again
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(again);
            }
            (outcome, attempts)
        }
        Err(msg) => {
            // No fingerprint: the content could not be read as validated.
            let _ = sh
                .journal
                .append(&End::invalid(row.line, &row.id, &msg).record());
            (Outcome::Invalid(msg), 0)
        }
    };
    let mut outcome = outcome;
    if !matches!(outcome, Outcome::Pending)
        && let Err(e) = sh.journal.written().await
    {
        // Not in the journal: not a result yet. The next run sends the row again.
        sh.halt(Reason::Journal, format!("{e:#}"));
        outcome = Outcome::Pending;
    }
    record(sh, &row, &outcome, attempts, later, sent);
}

/// After a row whose request body is larger than this, or whose images took longer
/// than [`HEAVY_BUILD`] to read and prepare, rows are prepared off the runtime thread
/// (see [`Shared::heavy`]).
const OFF_THREAD: u64 = 256 * 1024;

/// See [`OFF_THREAD`]. A small JPEG costs tens of microseconds; a decode and
/// re-encode of a phone photo, tens of milliseconds.
const HEAVY_BUILD: Duration = Duration::from_millis(1);

/// Read the row's images once: its fingerprint and its body come from the same bytes.
/// `known` is the fingerprint the journal has for the row, if any.
fn build(
    op: Op,
    images: &crate::images::prepare::Options,
    known: Option<&str>,
    row: &Row,
) -> Result<(Body, String), String> {
    let person = load_row(op, row, images)?;
    let fp = fingerprint(op, person.as_ref(), &row.id);
    if known.is_some_and(|known| known != fp) {
        return Err("an image changed while the batch was running".into());
    }
    let body = match person {
        Some(p) => p.into_body(),
        None => request::delete_body(&row.id).map_err(|f| f.message)?,
    };
    Ok((body, fp))
}

/// Count the row and hand it to the reporter. A reporter that cannot deliver rows
/// stops the run. `later`: a later pass sends the row again (progress counts it
/// then). `sent`: the row's outcome came from sending it; only those count in the
/// pass that settled them (`passes`): a row refused before sending (its images not
/// as validated, a face the gate refuses) is `invalid`, like a row validation
/// refused, and no pass settled it.
fn record(sh: &Shared, row: &Row, outcome: &Outcome, attempts: u32, later: bool, sent: bool) {
    sh.processed.fetch_add(1, Ordering::Relaxed);
    let mut sum = sh.summary.lock().unwrap_or_else(|p| p.into_inner());
    sum.count(outcome);
    if sent && !matches!(outcome, Outcome::Pending) {
        let pass = sh.pass.load(Ordering::Relaxed).max(1) as usize;
        if sum.passes.len() < pass {
            sum.passes.resize(pass, 0);
        }
        sum.passes[pass - 1] += 1;
    }
    let failures = sum.failed + sum.invalid;
    drop(sum);
    if !matches!(outcome, Outcome::Pending) {
        let result = RowResult {
            op: sh.op,
            line: row.line,
            id: &row.id,
            outcome,
            attempts,
        };
        if let Err(e) = sh.reporter.row(&result) {
            sh.halt(
                Reason::OutputClosed,
                format!(
                    "cannot write results to standard output ({e}); stopped sending (the journal has every finished row)"
                ),
            );
        }
    }
    if !later {
        sh.reporter.advanced(failures);
    }
}
