//! Sending one row: the attempts, what the retry policy decides after each failed one
//! (with the journal), and the outcome an answer gives.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{End, Shared};
use crate::batch::journal::{self, State};
use crate::batch::manifest::Row;
use crate::batch::plan::Planned;
use crate::batch::report::Outcome;
use crate::client::retry::{self, Decision};
use crate::client::{AttemptError, Body, Lane, Sent};
use crate::error::Kind;
use crate::request::{AnswerShape, Op};
use crate::stop::{Reason, Stop};

/// Send the row until it is finished or left pending. Returns the outcome, the
/// requests sent for it in this run so far, and, for a row left pending because
/// transient errors outlasted its attempts (another pass may send it), whether an
/// attempt may have been acted on.
pub(super) async fn send(
    sh: &Shared<'_>,
    lane: &Lane,
    row: &Row,
    planned: &Planned,
    fp: &str,
    body: Body,
) -> (Outcome, u32, Option<bool>) {
    let mut maybe_landed = planned.maybe_landed;
    let first = planned.attempts;
    let mut attempt = first;
    let pass = sh.pass.load(Ordering::Relaxed);
    // A later pass's first attempt is a retry too: it spends the budget.
    if first > 0 && !sh.budget.spend() {
        sh.halt(
            Reason::Budget,
            "the retry budget is spent (before another pass)".into(),
        );
        return (Outcome::Pending, attempt, None);
    }
    loop {
        if !sh.gate.acquire(|| sh.stopped()).await {
            return (Outcome::Pending, attempt, None);
        }
        if let Some(p) = &sh.pacer {
            sleep_unless_stopped(sh.stop, p.take()).await;
            if sh.stopped() {
                sh.gate.release();
                return (Outcome::Pending, attempt, None);
            }
        }
        attempt += 1;
        let start = journal::StartView {
            line: row.line,
            id: &row.id,
            fp,
            attempt,
        };
        if let Err(e) = sh.journal.durable_async(&start).await {
            sh.gate.release();
            sh.halt(Reason::Journal, format!("{e:#}"));
            return (Outcome::Pending, attempt, None);
        }
        let t0 = Instant::now();
        sh.requests.fetch_add(1, Ordering::Relaxed);
        // Only Ctrl-C abandons a request in flight. Any other stop (a quota, a
        // closed stdout, a spent budget) lets it finish, so its result is journaled
        // and its BioPassID not lost.
        let interrupted = || sh.stop.reason() == Some(Reason::Interrupted);
        let result = sh
            .client
            .attempt_async(lane, sh.op, &body, &interrupted)
            .await;
        sh.gate.release();
        let ms = t0.elapsed().as_millis() as u64;
        let end = |state,
                   status,
                   biopass_id,
                   details: Option<&Outcome>,
                   failure: Option<(Sent, Kind, &str)>| {
            let (matched, face_matched, non_matched_fingers) = match details {
                Some(Outcome::Verified {
                    matched,
                    face_matched,
                    non_matched_fingers,
                }) => (
                    Some(*matched),
                    *face_matched,
                    non_matched_fingers.as_deref(),
                ),
                _ => (None, None, None),
            };
            let rec = End {
                line: row.line,
                id: &row.id,
                fp,
                attempt,
                state,
                status,
                biopass_id,
                matched,
                face_matched,
                non_matched_fingers,
                pass: (pass > 1).then_some(pass),
                class: failure.map(|f| f.0),
                kind: failure.map(|f| f.1),
                error: failure.map(|f| f.2),
                ms,
            };
            let _ = rec.append_to(sh.journal);
        };
        let e = match result {
            Ok(reply) => {
                sh.protocol_streak.store(0, Ordering::Relaxed);
                sh.gate.success();
                sh.budget.success();
                let status = reply.status;
                let outcome = outcome_of(sh.op, reply);
                let bid = match &outcome {
                    Outcome::Done(bid) => bid.clone(),
                    _ => None,
                };
                end(State::Done, Some(status), bid, Some(&outcome), None);
                return (outcome, attempt, None);
            }
            Err(e) => e,
        };
        let f = &e.failure;
        let next = decide(sh.op, sh.skip_existing, maybe_landed, &e);
        let state = match next {
            Next::Finish(state) | Next::Stop(state, _) | Next::Retry(state) => state,
        };
        end(
            state,
            f.status,
            None,
            None,
            Some((e.sent, f.kind, &f.message)),
        );
        // A protocol error is not transient: the row is re-sent once at most (an
        // enroll's re-send reconciles what may have landed), never in another pass,
        // and [`Shared::protocol_limit`] in a row with no real answer between (a
        // captive portal answering every request with its page) stop the whole run,
        // as 76. The row stays
        // pending, journaled as ambiguous when it may have landed: a resume
        // reconciles it.
        let protocol = f.kind == Kind::Protocol && matches!(next, Next::Retry(_));
        if protocol {
            let streak = sh.protocol_streak.fetch_add(1, Ordering::Relaxed) + 1;
            if streak >= sh.protocol_limit {
                let m = format!(
                    "{} ({streak} times with no answer from the API between: is something other than the API answering, a captive portal or a proxy? check the endpoint)",
                    f.message
                );
                sh.note_error(&f.message);
                sh.halt(Reason::Protocol, m);
                return (Outcome::Pending, attempt, None);
            }
        } else if f.status.is_some() {
            sh.protocol_streak.store(0, Ordering::Relaxed);
        }
        match next {
            Next::Finish(State::Reconciled) => return (Outcome::Reconciled, attempt, None),
            Next::Finish(State::Skipped) => return (Outcome::Skipped, attempt, None),
            Next::Finish(_) => {
                let failed = Outcome::Failed {
                    kind: f.kind,
                    status: f.status,
                    message: f.message.clone(),
                };
                return (failed, attempt, None);
            }
            Next::Stop(_, reason) => {
                sh.note_error(&f.message);
                sh.halt(reason, f.message.clone());
                return (Outcome::Pending, attempt, None);
            }
            Next::Retry(state) => maybe_landed |= state == State::Ambiguous,
        }
        sh.note_error(&f.message);
        if f.status == Some(429) {
            sh.gate.rate_limited(e.retry_after);
        }
        if attempt - first >= retry::POLICY.max_attempts {
            if protocol {
                // Passes are for transient errors only: the row stays pending (its
                // attempts journaled, ambiguous where they may have landed) and the
                // run goes on; it ends as a protocol failure (76) that a resume
                // reconciles. Only a streak across rows stops it at once.
                sh.summary.lock().unwrap_or_else(|p| p.into_inner()).stopped =
                    Some(Reason::Protocol.name());
                return (Outcome::Pending, attempt, None);
            }
            return (Outcome::Pending, attempt, Some(maybe_landed));
        }
        if !sh.budget.spend() {
            sh.halt(
                Reason::Budget,
                format!("the retry budget is spent (last error: {})", f.message),
            );
            return (Outcome::Pending, attempt, None);
        }
        let wait = retry::POLICY.wait(attempt - first, e.retry_after);
        sleep_unless_stopped(sh.stop, wait).await;
    }
}

/// A success answer as the row's outcome, by what the operation's answer holds
/// (taken out of the answer, not copied).
fn outcome_of(op: Op, reply: crate::client::Reply) -> Outcome {
    let person = reply.body.person;
    match op.spec().answer {
        AnswerShape::Match => {
            let matched = person.as_ref().and_then(|p| p.matched) == Some(true);
            let details = person.and_then(|p| p.match_details);
            Outcome::Verified {
                matched,
                face_matched: details.as_ref().map(|d| d.face_matched),
                non_matched_fingers: details.map(|d| d.non_matched_fingers),
            }
        }
        // A quality answer has no person (batch runs none: `check --remote` does).
        AnswerShape::BioPassId
        | AnswerShape::Object
        | AnswerShape::Faces
        | AnswerShape::Icao
        | AnswerShape::Liveness
        | AnswerShape::Nfiq => Outcome::Done(person.and_then(|p| p.biopass_id)),
    }
}

/// What to do after a failed attempt, and the state the journal records for it.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// The row is finished: reconciled, skipped or failed.
    Finish(State),
    /// The whole run stops launching rows; this row stays pending.
    Stop(State, Reason),
    /// Try the row again (if attempts and budget allow).
    Retry(State),
}

/// The retry policy's decision ([`retry::decide`], with the journal) for a batch
/// row, with the state the journal records for the attempt. `maybe_landed`: an
/// earlier attempt of the same content (this run or a previous one) may have been
/// acted on.
pub fn decide(op: Op, skip_existing: bool, maybe_landed: bool, e: &AttemptError) -> Next {
    // The state a row left pending is journaled with: "may have landed" survives,
    // unless the operation changes nothing at the service (then a re-send is all
    // there is to do, and nothing is ever reconciled).
    let pending = if e.sent == Sent::Maybe && op.spec().changes_state {
        State::Ambiguous
    } else {
        State::Transient
    };
    let cx = retry::Context {
        journaled: true,
        maybe_landed,
        skip_existing,
    };
    match retry::decide(op, e, cx) {
        Decision::Reconciled => Next::Finish(State::Reconciled),
        Decision::Skipped => Next::Finish(State::Skipped),
        Decision::Failed => Next::Finish(State::Failed),
        // Rows stopped by a run-level failure stay pending, not failed.
        Decision::Stop(reason) => Next::Stop(pending, reason),
        Decision::Retry => Next::Retry(pending),
    }
}

/// Sleep for `d`, waking early when the run stops. The other rows in flight go on
/// meanwhile (this is a row on the batch's runtime).
pub async fn sleep_unless_stopped(stop: &Stop, d: Duration) {
    let until = Instant::now().checked_add(d);
    while !stop.is_requested() {
        let now = Instant::now();
        let left = until.map_or(Duration::MAX, |u| u.saturating_duration_since(now));
        if left.is_zero() {
            return;
        }
        tokio::time::sleep(left.min(Duration::from_millis(50))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Failure;

    fn attempt_error(
        kind: Kind,
        sent: Sent,
        status: u16,
        retry_after: Option<u64>,
    ) -> AttemptError {
        let mut e = AttemptError::new(kind, sent, "m".into());
        e.failure = Failure {
            kind,
            status: Some(status),
            message: "m".into(),
        };
        e.retry_after = retry_after.map(Duration::from_secs);
        e
    }

    #[test]
    fn retry_rules() {
        use Kind::*;
        use Next::{Finish, Retry};
        // (op, --skip-existing, maybe landed, kind, sent, status, Retry-After) => next
        #[rustfmt::skip]
        let cases = [
            (Op::Enroll, false, true,  AlreadyExists, Sent::Rejected, 400, None,      Finish(State::Reconciled)),
            (Op::Enroll, false, false, AlreadyExists, Sent::Rejected, 400, None,      Finish(State::Failed)),
            (Op::Enroll, true,  false, AlreadyExists, Sent::Rejected, 400, None,      Finish(State::Skipped)),
            (Op::Update, false, true,  AlreadyExists, Sent::Rejected, 400, None,      Finish(State::Failed)),
            (Op::Delete, false, true,  NotFound,      Sent::Rejected, 400, None,      Finish(State::Reconciled)),
            (Op::Delete, false, false, NotFound,      Sent::Rejected, 400, None,      Finish(State::Failed)),
            (Op::Update, false, true,  NotFound,      Sent::Rejected, 400, None,      Finish(State::Failed)),
            (Op::Enroll, false, false, KeyRejected,   Sent::No,       401, None,      Next::Stop(State::Transient, Reason::KeyRejected)),
            (Op::Enroll, false, false, Config,        Sent::Rejected, 404, None,      Next::Stop(State::Transient, Reason::Config)),
            (Op::Enroll, false, false, Protocol,      Sent::Rejected, 307, None,      Next::Stop(State::Transient, Reason::Protocol)),
            (Op::Enroll, false, false, Interrupted,   Sent::Maybe,    0,   None,      Next::Stop(State::Ambiguous, Reason::Interrupted)),
            (Op::Enroll, false, false, TryLater,      Sent::No,       429, Some(2),   Retry(State::Transient)),
            (Op::Enroll, false, false, TryLater,      Sent::No,       429, Some(61),  Next::Stop(State::Transient, Reason::TryLater)),
            (Op::Enroll, false, false, TryLater,      Sent::No,       403, Some(5),   Next::Stop(State::Transient, Reason::TryLater)),
            (Op::Enroll, false, false, Unavailable,   Sent::Maybe,    503, Some(120), Next::Stop(State::Ambiguous, Reason::TryLater)),
            (Op::Enroll, false, false, Unavailable,   Sent::Maybe,    502, None,      Retry(State::Ambiguous)),
            (Op::Enroll, false, false, Protocol,      Sent::Maybe,    200, None,      Retry(State::Ambiguous)),
            // Verify changes nothing: what may have been acted on is simply sent again.
            (Op::Verify, false, false, Unavailable,   Sent::Maybe,    502, None,      Retry(State::Transient)),
            (Op::Verify, false, false, Protocol,      Sent::Maybe,    200, None,      Retry(State::Transient)),
            (Op::Verify, false, true,  NotFound,      Sent::Rejected, 400, None,      Finish(State::Failed)),
            (Op::Verify, true,  true,  AlreadyExists, Sent::Rejected, 400, None,      Finish(State::Failed)),
            (Op::Verify, false, false, Interrupted,   Sent::Maybe,    0,   None,      Next::Stop(State::Transient, Reason::Interrupted)),
        ];
        for (op, skip, landed, kind, sent, status, retry_after, want) in cases {
            let e = attempt_error(kind, sent, status, retry_after);
            assert_eq!(
                decide(op, skip, landed, &e),
                want,
                "{op:?} {kind:?} {status}"
            );
        }
    }
}
