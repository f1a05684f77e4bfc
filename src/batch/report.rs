//! What a batch run tells its caller: each row's outcome as it ends, the manifest's
//! problems, notes, progress, and the final [`Summary`].
//!
//! The engine prints nothing; it calls a [`Reporter`] that the binary implements
//! (stdout rows, stderr notes, a progress bar). A reporter that cannot deliver a row
//! (a closed stdout) says so with an `Err`, and the run stops: results nobody receives
//! are not results.

use serde::Serialize;

use super::manifest::RowError;
use crate::error::{Kind, Status};
use crate::request::Op;
use crate::stop::Reason;

/// How a row ended in this run (or, for a dry run, what would happen to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Enrolled, updated or deleted, with the BioPassID the service gave (enroll
    /// and update).
    Done(Option<String>),
    /// Verified: the service's verdict, and its details (`MatchDetails`) when it
    /// sent them.
    Verified {
        /// `Match`.
        matched: bool,
        /// `MatchDetails.FaceMatched`.
        face_matched: Option<bool>,
        /// `MatchDetails.NonMatchedFingers`.
        non_matched_fingers: Option<Vec<String>>,
    },
    /// A re-send found that an earlier attempt of ours had landed.
    Reconciled,
    /// "Already exists" with `--skip-existing`.
    Skipped,
    /// Refused for good (until `--retry-failed`).
    Failed {
        /// What kind of refusal.
        kind: Kind,
        /// The HTTP status, when the service answered.
        status: Option<u16>,
        /// The failure's message, for people.
        message: String,
    },
    /// The row itself is not valid (with `--skip-invalid`).
    Invalid(String),
    /// `--dry-run`: this row would be sent.
    Planned,
    /// Not finished: the next run picks it up. Not reported per row.
    Pending,
}

impl Outcome {
    /// The stable name of the outcome (the `outcome` field of JSON rows).
    pub fn name(&self, op: Op) -> &'static str {
        match self {
            Outcome::Done(_) => done_word(op),
            Outcome::Verified { matched: true, .. } => MATCH,
            Outcome::Verified { matched: false, .. } => NO_MATCH,
            Outcome::Reconciled => "reconciled",
            Outcome::Skipped => "skipped",
            Outcome::Failed { .. } => "failed",
            Outcome::Invalid(_) => "invalid",
            Outcome::Planned => "planned",
            Outcome::Pending => "pending",
        }
    }
}

/// The outcome of a verified row whose images match.
pub const MATCH: &str = "match";
/// The outcome of a verified row whose images do not match.
pub const NO_MATCH: &str = "no_match";

/// "enrolled", "updated", "deleted": the word for a row that succeeded.
pub fn done_word(op: Op) -> &'static str {
    op.spec().done_word
}

/// One finished row, as handed to [`Reporter::row`].
#[derive(Debug)]
pub struct RowResult<'a> {
    /// The run's operation.
    pub op: Op,
    /// The manifest line the row is on.
    pub line: u64,
    /// The CustomID as the manifest has it (not sanitised: the reporter does that).
    pub id: &'a str,
    /// How the row ended.
    pub outcome: &'a Outcome,
    /// Requests sent for the row in this run.
    pub attempts: u32,
}

/// Which list of manifest problems [`Reporter::problems`] is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problems {
    /// Invalid rows: nothing is sent.
    Invalid,
    /// Invalid rows skipped with `--skip-invalid`.
    SkippedInvalid,
    /// Invalid rows a dry run would skip.
    WouldSkip,
    /// Rows whose content changed since the journal recorded them.
    Changed,
}

impl Problems {
    /// The words that prefix each listed problem.
    pub fn label(self) -> &'static str {
        match self {
            Problems::Invalid => "invalid",
            Problems::SkippedInvalid => "skipped, invalid",
            Problems::WouldSkip => "would skip, invalid",
            Problems::Changed => "changed",
        }
    }
}

/// How the engine reports while it runs. Implementations must be cheap: `row` is
/// called on the batch's one thread as rows finish, between the rows in flight.
pub trait Reporter: Sync {
    /// A row finished (or, in a dry run, is planned). An `Err` means results can no
    /// longer be delivered; the run then stops launching rows and exits 74.
    fn row(&self, row: &RowResult<'_>) -> std::io::Result<()>;
    /// Problems found in the manifest, in line order: at most the first
    /// [`MAX_LISTED`], with `more` saying how many were left out.
    fn problems(&self, manifest: &str, what: Problems, list: &[RowError], more: usize);
    /// Something worth telling a person (a warning, the journal in use, a dry run's
    /// plan). Already sanitised.
    fn note(&self, message: &str);
    /// The manifest is valid and the journal open: is the caller ready for the
    /// first request? An `Err` (say, a summary file that cannot be written) ends the
    /// run with that error, nothing sent.
    fn ready(&self) -> anyhow::Result<()> {
        Ok(())
    }
    /// Rows are about to be sent; `rows` of them are planned.
    fn started(&self, _rows: u64) {}
    /// One more planned row was handled; `failures` so far in this run.
    fn advanced(&self, _failures: u64) {}
    /// Sending is over (the progress display can go).
    fn finished(&self) {}
}

/// Problems listed before "... and N more".
pub const MAX_LISTED: usize = 50;

/// The final account of a run: also written by `--summary-json`. Every row of the
/// manifest (of this shard) is in exactly one of the counts from `succeeded` to
/// `pending`, which add up to `total`.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// The operation ([`Op::name`]).
    pub op: &'static str,
    /// Rows in the manifest (of this shard), valid or not.
    pub total: u64,
    /// Rows enrolled, updated, deleted or verified (answered, match or not) in this
    /// run.
    pub succeeded: u64,
    /// Rows whose re-send found an earlier attempt of ours had landed.
    pub reconciled: u64,
    /// Rows an earlier run finished, left alone.
    pub already_done: u64,
    /// Rows skipped as already enrolled (`--skip-existing`).
    pub skipped: u64,
    /// Rows refused by the service, in this run or (not retried) an earlier one.
    pub failed: u64,
    /// Rows that are not valid (bad images, a duplicate id, a malformed line).
    pub invalid: u64,
    /// Rows not finished, left for the next run.
    pub pending: u64,
    /// Verify: rows whose images matched, in this run or (already done) an earlier
    /// one; 0 for other operations.
    pub matched: u64,
    /// Verify: rows whose images did not match, in this run or (already done) an
    /// earlier one; 0 for other operations.
    pub not_matched: u64,
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Rows finished by each pass of this run (`--passes`), the first pass first; a
    /// pass runs only the rows an earlier one left pending after transient errors.
    pub passes: Vec<u64>,
    /// Wall-clock time of the run, in seconds (rounded to milliseconds).
    pub elapsed_secs: f64,
    /// Why the run stopped early ([`Reason::name`]), or why rows are left pending
    /// when no stop was requested: `invalid_rows` (the manifest has invalid rows:
    /// nothing was sent), `changed_rows` (rows changed since the journal recorded
    /// them: nothing was sent), `retries_exhausted` (rows whose retries ran out),
    /// `manifest_changed` (the manifest changed during the run), or the kind of the
    /// error that ended the run ([`Kind::name`]). Set whenever `pending` is not 0.
    pub stopped: Option<&'static str>,
    /// The last error met by a row that was left pending or retried (sanitised).
    pub last_error: Option<String>,
    /// The exit code the run ends with: the binary's mapping of [`Summary::status`],
    /// or of the error that ended the run.
    pub exit_code: u8,
    /// How the run came out, when it ended without an error ([`Summary::outcome`]).
    #[serde(skip)]
    pub status: Status,
    /// The journal's path.
    pub journal: String,
    /// Where the rows were sent: the journal's target.
    pub target: String,
    /// `K/N` when the run took one shard of the manifest.
    pub shard: Option<String>,
    /// A dry run: nothing was sent or written.
    pub dry_run: bool,
    /// When the run began, RFC 3339 UTC ([`crate::time::rfc3339`]).
    pub started_at: String,
    /// When the run ended, RFC 3339 UTC.
    pub finished_at: String,
    /// The rows counted in `failed` and `invalid`, by error kind
    /// ([`Kind::name`]): `{"already_exists": 3, "invalid": 2}`. Invalid rows count
    /// as `invalid`; so do rows the service refused as invalid data.
    pub errors: std::collections::BTreeMap<String, u64>,
}

impl Summary {
    /// How a run that got this far came out: all well for a dry run, else a
    /// problem of the stop reason's kind, else "try later" when rows are left, some
    /// rows failed, (verify) rows did not match, or all well.
    pub fn outcome(&self, stopped: Option<Reason>) -> Status {
        match stopped {
            _ if self.dry_run => Status::Success,
            Some(r) => Status::Problem(r.kind()),
            // Rows left pending by protocol errors (no stop was asked for).
            None if self.pending > 0 && self.stopped == Some(Reason::Protocol.name()) => {
                Status::Problem(Kind::Protocol)
            }
            None if self.pending > 0 => Status::Problem(Kind::TryLater),
            None if self.failed + self.invalid > 0 => Status::SomeRowsFailed,
            None if self.not_matched > 0 => Status::NoMatch,
            None => Status::Success,
        }
    }

    /// One more failed row of this kind, in [`Summary::errors`].
    pub(crate) fn count_error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_string()).or_default() += 1;
    }

    pub(crate) fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Done(_) => self.succeeded += 1,
            Outcome::Verified { matched, .. } => {
                self.succeeded += 1;
                if *matched {
                    self.matched += 1;
                } else {
                    self.not_matched += 1;
                }
            }
            Outcome::Reconciled => self.reconciled += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Failed { kind, .. } => {
                self.failed += 1;
                self.count_error(kind.name());
            }
            Outcome::Invalid(_) => self.invalid += 1,
            Outcome::Pending => self.pending += 1,
            Outcome::Planned => {}
        }
    }
}
