//! The journal's records, as they are written and read: the `run`, `start` and
//! `end` lines ([`Record`]), the borrowed views the batch writes without copying
//! ([`StartView`], [`EndView`]), and how verify's finger names are kept fit for a
//! line ([`fingers`]).

use serde::{Deserialize, Serialize};

/// How a row ended (the `state` of an `end` record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Succeeded (enrolled, updated or deleted).
    Done,
    /// A re-send found our earlier attempt had landed.
    Reconciled,
    /// Counted as skipped (`--skip-existing`).
    Skipped,
    /// Refused by the API; retried only with `--retry-failed`.
    Failed,
    /// Invalid row (`--skip-invalid`).
    Invalid,
    /// The request may have been acted on; the row will be retried.
    Ambiguous,
    /// Certainly not acted on (connect failure, 429, 401); will be retried.
    Transient,
}

impl State {
    /// Whether the row is finished for good (done, reconciled or skipped): a resumed
    /// run counts it as already done and does not send it again.
    pub fn is_final_success(self) -> bool {
        matches!(self, State::Done | State::Reconciled | State::Skipped)
    }
}

/// One line of the journal: a JSON object tagged by its `event` (`run`, `start` or
/// `end`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Record {
    /// One per run (each resume appends one).
    Run {
        /// The journal format version ([`super::VERSION`]).
        v: u32,
        /// The operation ([`crate::request::Op::name`]); a journal serves one.
        op: String,
        /// The manifest as named on the command line (`<stdin>` for standard input).
        manifest: String,
        /// Where the run's requests went ([`crate::target::Spec::identity`]);
        /// absent in journals of version 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        /// The environment name (`production`, `hml`, `sandbox`), for people reading
        /// the journal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        env: Option<String>,
        /// `K/N` when the run took one shard of the manifest.
        shard: Option<String>,
        /// The process that wrote the run.
        pid: u32,
        /// When the run began sending, in seconds since the Unix epoch.
        at: u64,
    },
    /// Written and fsync'd before the request is sent.
    Start {
        /// The row's manifest line.
        line: u64,
        /// The row's CustomID.
        id: String,
        /// The row's content fingerprint ([`crate::batch::content::fingerprint`]).
        fp: String,
        /// The attempt's number in this run, from 1.
        attempt: u32,
    },
    /// How an attempt ended; appended without waiting for the disk (the next fsync
    /// covers it). Also written, with an empty `fp` and attempt 0, for a row found
    /// invalid: such records never change a row's history.
    End {
        /// The row's manifest line.
        line: u64,
        /// The row's CustomID.
        id: String,
        /// The row's content fingerprint; empty for an invalid row.
        fp: String,
        /// The attempt's number in this run (0 for an invalid row).
        attempt: u32,
        /// How the attempt left the row.
        state: State,
        /// The HTTP status, when the service answered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// The BioPassID the service gave, on success.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        biopass_id: Option<String>,
        /// For a failed attempt, whether the service could have acted on it:
        /// `not_sent`, `maybe` or `rejected` ([`crate::client::Sent`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<String>,
        /// For a failure, its [`crate::error::Kind::name`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<String>,
        /// For a failure, its message, sanitised and cut to 300 characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// How long the attempt took, in milliseconds (0 for an invalid row).
        ms: u64,
        /// When the attempt ended, in seconds since the Unix epoch (as the run's
        /// `at`); absent in journals before version 3.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<u64>,
        /// Verify's verdict, on success (`Match`); absent for other operations and
        /// in journals before version 4.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        matched: Option<bool>,
        /// Verify's `MatchDetails.FaceMatched`, on success, when the service sent
        /// details; absent otherwise (and in journals written before biopass
        /// recorded details).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        face_matched: Option<bool>,
        /// Verify's `MatchDetails.NonMatchedFingers`, as [`Record::End`]'s
        /// `face_matched` (at most [`MAX_FINGERS`] names, each sanitised and cut to
        /// [`FINGER_MAX`] characters).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        non_matched_fingers: Option<Vec<String>>,
        /// The pass of the run the attempt belongs to, when it is not the first
        /// (`--passes`); absent for the first pass and before version 4.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pass: Option<u32>,
    },
}

/// A `start` record, borrowed: serialises exactly as [`Record::Start`], without
/// copying the CustomID and fingerprint into a record first.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename = "start")]
pub struct StartView<'a> {
    /// As [`Record::Start`]'s `line`.
    pub line: u64,
    /// As [`Record::Start`]'s `id`.
    pub id: &'a str,
    /// As [`Record::Start`]'s `fp`.
    pub fp: &'a str,
    /// As [`Record::Start`]'s `attempt`.
    pub attempt: u32,
}

/// An `end` record, borrowed: serialises exactly as [`Record::End`].
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename = "end")]
pub struct EndView<'a> {
    /// As [`Record::End`]'s `line`.
    pub line: u64,
    /// As [`Record::End`]'s `id`.
    pub id: &'a str,
    /// As [`Record::End`]'s `fp`.
    pub fp: &'a str,
    /// As [`Record::End`]'s `attempt`.
    pub attempt: u32,
    /// As [`Record::End`]'s `state`.
    pub state: State,
    /// As [`Record::End`]'s `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// As [`Record::End`]'s `biopass_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub biopass_id: Option<&'a str>,
    /// As [`Record::End`]'s `class`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<&'a str>,
    /// As [`Record::End`]'s `kind`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'a str>,
    /// As [`Record::End`]'s `error` (already sanitised and cut).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
    /// As [`Record::End`]'s `ms`.
    pub ms: u64,
    /// As [`Record::End`]'s `at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
    /// As [`Record::End`]'s `matched`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<bool>,
    /// As [`Record::End`]'s `face_matched`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_matched: Option<bool>,
    /// As [`Record::End`]'s `non_matched_fingers` (already cut: [`fingers`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_matched_fingers: Option<&'a [String]>,
    /// As [`Record::End`]'s `pass`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass: Option<u32>,
}

/// The most finger names an `end` record keeps (a hand has five, a person ten).
pub const MAX_FINGERS: usize = 10;

/// The longest finger name an `end` record keeps, in characters.
pub const FINGER_MAX: usize = 40;

/// The service's `NonMatchedFingers` as a journal records them: at most
/// [`MAX_FINGERS`] names, sanitised and cut to [`FINGER_MAX`] characters and an
/// ellipsis (what a
/// service sends must never make a line too long for the journal to load). `None`
/// when they are already fit to record, as they are in every answer we know.
pub fn fingers(names: &[String]) -> Option<Vec<String>> {
    let fit =
        |n: &String| n.len() <= FINGER_MAX && n.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
    if names.len() <= MAX_FINGERS && names.iter().all(fit) {
        return None;
    }
    Some(
        names
            .iter()
            .take(MAX_FINGERS)
            .map(|n| crate::sanitize::sanitize(n, FINGER_MAX))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::journal::samples::start;

    #[test]
    fn views_serialise_as_records() {
        let rec = start("a\"b", "f1", 3);
        let view = StartView {
            line: 2,
            id: "a\"b",
            fp: "f1",
            attempt: 3,
        };
        assert_eq!(
            serde_json::to_string(&view).unwrap(),
            serde_json::to_string(&rec).unwrap()
        );
        for full in [false, true] {
            let some = |s: &'static str| full.then_some(s);
            let rec = Record::End {
                line: 9,
                id: "x".into(),
                fp: "f".into(),
                attempt: 2,
                state: State::Ambiguous,
                status: full.then_some(503),
                biopass_id: some("B").map(String::from),
                class: some("maybe").map(String::from),
                kind: some("unavailable").map(String::from),
                error: some("bad \u{1} gateway").map(String::from),
                ms: 12,
                at: full.then_some(1_700_000_000),
                matched: full.then_some(false),
                face_matched: full.then_some(true),
                non_matched_fingers: full.then(|| vec!["Finger-2".to_string()]),
                pass: full.then_some(2),
            };
            let fingers = ["Finger-2".to_string()];
            let view = EndView {
                line: 9,
                id: "x",
                fp: "f",
                attempt: 2,
                state: State::Ambiguous,
                status: full.then_some(503),
                biopass_id: some("B"),
                class: some("maybe"),
                kind: some("unavailable"),
                error: some("bad \u{1} gateway"),
                ms: 12,
                at: full.then_some(1_700_000_000),
                matched: full.then_some(false),
                face_matched: full.then_some(true),
                non_matched_fingers: full.then_some(&fingers[..]),
                pass: full.then_some(2),
            };
            assert_eq!(
                serde_json::to_string(&view).unwrap(),
                serde_json::to_string(&rec).unwrap()
            );
        }
    }

    #[test]
    fn finger_names_are_kept_fit_for_a_journal_line() {
        let ok = vec!["Finger-1".to_string(), "Finger-10".to_string()];
        assert_eq!(fingers(&ok), None);
        let many: Vec<String> = (0..10_000)
            .map(|i| format!("F{i}\u{1}{}", "x".repeat(99)))
            .collect();
        let cut = fingers(&many).unwrap();
        assert_eq!(cut.len(), MAX_FINGERS);
        assert!(
            cut.iter()
                .all(|n| n.chars().count() <= FINGER_MAX + 1 && !n.contains('\u{1}')),
            "{cut:?}"
        );
    }
}
