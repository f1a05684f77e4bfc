//! What a journal says about each row, across every run it recorded (for
//! `biopass report`): the journal folded into one typed [`Row`] per manifest row.
//!
//! Reading never creates, locks or changes the journal, so a report can be taken
//! while a run is writing to it (the last line may then be torn, and is left out).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;

use super::journal::{self, Record, State};
use super::report::{MATCH, NO_MATCH, done_word};
use crate::request::Op;

/// One manifest row as the journal knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The manifest line of the row's latest record.
    pub line: u64,
    /// The CustomID (empty for an invalid row whose id could not be read).
    pub id: String,
    /// The batch row outcome word: `enrolled`, `updated`, `deleted`, `match`,
    /// `no_match`, `reconciled`, `skipped`, `failed`, `invalid`, or `pending`
    /// (started, not finished).
    pub outcome: &'static str,
    /// The BioPassID of the latest success that reported one.
    pub biopass_id: Option<String>,
    /// Requests sent for the row's current content, across all runs.
    pub attempts: u32,
    /// The failure kind of the latest attempt, for a row failed, invalid or pending
    /// ([`crate::error::Kind::name`]).
    pub error_kind: Option<String>,
    /// The failure message of the latest attempt, for a row failed, invalid or
    /// pending (sanitised when recorded).
    pub message: Option<String>,
    /// When the row reached its outcome, in seconds since the Unix epoch; `None` for
    /// a pending row, or a journal from before `end` records had a time.
    pub finished_at: Option<u64>,
    /// The pass of its run that settled the row (`--passes`; 1 for the first pass,
    /// and in journals from before passes); `None` for a pending or invalid row.
    pub pass: Option<u32>,
    /// Verify: `MatchDetails.FaceMatched` of the answer that settled the row, when
    /// the service sent details and the journal recorded them.
    pub face_matched: Option<bool>,
    /// Verify: `MatchDetails.NonMatchedFingers`, as `face_matched`.
    pub non_matched_fingers: Option<Vec<String>>,
}

/// A journal folded for `biopass report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The operation of the journal's last run (`None` if it records no run, or
    /// one this program does not know).
    pub op: Option<Op>,
    /// One [`Row`] per manifest row, in manifest-line order.
    pub rows: Vec<Row>,
}

#[derive(Default)]
struct Fold {
    row: Option<Row>,
    fp: String,
}

/// Read the journal at `path` and fold it into one [`Row`] per manifest row, in
/// manifest-line order. A row's history starts afresh when its content (fingerprint)
/// changes. An `invalid` record is its own row (the latest for its line and id)
/// unless a valid history has that same line and id: invalid records never change a
/// row's history, so a row fixed later shows its later outcome, and a duplicate id
/// on another line shows as invalid beside the first. Missing: 66; not a journal: 74.
pub fn read(path: &Path) -> Result<History> {
    let mut op = String::new();
    let mut rows: HashMap<String, Fold> = HashMap::new();
    let mut invalid: HashMap<String, Row> = HashMap::new();
    journal::read_records(path, |rec| match rec {
        Record::Run { op: o, .. } => op = o,
        Record::Start {
            line,
            id,
            fp,
            attempt: _,
        } => {
            let r = current(&mut rows, line, id, fp);
            r.attempts += 1;
            r.outcome = "pending";
            r.finished_at = None;
            r.pass = None;
            r.face_matched = None;
            r.non_matched_fingers = None;
        }
        Record::End {
            line,
            id,
            fp,
            state,
            biopass_id,
            kind,
            error,
            at,
            matched,
            face_matched,
            non_matched_fingers,
            pass,
            ..
        } => {
            if fp.is_empty() {
                let key = format!("{id}\0{line}");
                let mut r = new_row(line, id);
                r.outcome = "invalid";
                r.error_kind = kind;
                r.message = error;
                r.finished_at = at;
                invalid.insert(key, r);
                return;
            }
            let r = current(&mut rows, line, id, fp);
            r.outcome = match matched {
                Some(true) if state == State::Done => MATCH,
                Some(false) if state == State::Done => NO_MATCH,
                _ => outcome_word(&op, state),
            };
            r.finished_at = if r.outcome == "pending" { None } else { at };
            r.pass = (r.outcome != "pending").then_some(pass.unwrap_or(1));
            // As on the batch's row lines: a reason only for rows that did not make
            // it (a skip or a reconcile is "already exists", and that is fine).
            let unfinished = matches!(r.outcome, "failed" | "invalid" | "pending");
            r.error_kind = kind.filter(|_| unfinished);
            r.message = error.filter(|_| unfinished);
            if biopass_id.is_some() {
                r.biopass_id = biopass_id;
            }
            // The details of the answer that gave the verdict, and only of that one.
            let answered = matched.is_some() && state == State::Done;
            r.face_matched = face_matched.filter(|_| answered);
            r.non_matched_fingers = non_matched_fingers.filter(|_| answered);
        }
    })?;
    let mut out: Vec<Row> = rows.into_values().filter_map(|f| f.row).collect();
    let known: std::collections::HashSet<(u64, String)> =
        out.iter().map(|o| (o.line, o.id.clone())).collect();
    out.extend(
        invalid
            .into_values()
            .filter(|r| !known.contains(&(r.line, r.id.clone()))),
    );
    out.sort_by(|a, b| (a.line, &a.id).cmp(&(b.line, &b.id)));
    Ok(History {
        op: Op::from_name(&op),
        rows: out,
    })
}

/// The row of `id` for content `fp` at `line`: a new content starts a new history.
fn current(rows: &mut HashMap<String, Fold>, line: u64, id: String, fp: String) -> &mut Row {
    let f = rows.entry(id.clone()).or_default();
    if f.fp != fp || f.row.is_none() {
        *f = Fold {
            fp,
            row: Some(new_row(line, id)),
        };
    }
    let r = f.row.as_mut().expect("set above");
    r.line = line;
    r
}

fn new_row(line: u64, id: String) -> Row {
    Row {
        line,
        id,
        outcome: "pending",
        biopass_id: None,
        attempts: 0,
        error_kind: None,
        message: None,
        finished_at: None,
        pass: None,
        face_matched: None,
        non_matched_fingers: None,
    }
}

/// The batch row word for a journal state, under the journal's operation.
fn outcome_word(op: &str, state: State) -> &'static str {
    match state {
        State::Done => Op::from_name(op).map_or("enrolled", done_word),
        State::Reconciled => "reconciled",
        State::Skipped => "skipped",
        State::Failed => "failed",
        State::Invalid => "invalid",
        State::Ambiguous | State::Transient => "pending",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, lines: &[&str]) {
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    #[test]
    fn folds_every_run_into_one_row_each() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        write(
            &p,
            &[
                r#"{"event":"run","v":2,"op":"enroll","manifest":"m.csv","shard":null,"pid":1,"at":5}"#,
                r#"{"event":"start","line":3,"id":"b","fp":"f","attempt":1}"#,
                r#"{"event":"end","line":3,"id":"b","fp":"f","attempt":1,"state":"transient","kind":"unavailable","error":"503","ms":1}"#,
                r#"{"event":"start","line":2,"id":"a","fp":"f","attempt":1}"#,
                r#"{"event":"end","line":2,"id":"a","fp":"f","attempt":1,"state":"failed","status":400,"kind":"already_exists","error":"exists","ms":1,"at":100}"#,
                r#"{"event":"end","line":4,"id":"","fp":"","attempt":0,"state":"invalid","kind":"invalid","error":"no image","ms":0,"at":7}"#,
                r#"{"event":"start","line":5,"id":"c","fp":"f","attempt":1}"#,
                r#"{"event":"end","line":6,"id":"a","fp":"","attempt":0,"state":"invalid","kind":"invalid","error":"duplicate id","ms":0,"at":8}"#,
                r#"{"event":"end","line":7,"id":"d","fp":"","attempt":0,"state":"invalid","kind":"invalid","error":"no image","ms":0,"at":8}"#,
                r#"{"event":"start","line":7,"id":"d","fp":"g","attempt":1}"#,
                r#"{"event":"end","line":7,"id":"d","fp":"g","attempt":1,"state":"skipped","status":400,"kind":"already_exists","error":"exists","ms":1,"at":300}"#,
                r#"{"event":"run","v":3,"op":"enroll","manifest":"m.csv","shard":null,"pid":2,"at":9}"#,
                r#"{"event":"start","line":3,"id":"b","fp":"f","attempt":1}"#,
                r#"{"event":"end","line":3,"id":"b","fp":"f","attempt":1,"state":"done","status":200,"biopass_id":"77","ms":1,"at":200}"#,
            ],
        );
        let rows = read(&p).unwrap().rows;
        let got: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.id.as_str(),
                    r.outcome,
                    r.biopass_id.as_deref(),
                    r.attempts,
                    r.error_kind.as_deref(),
                    r.finished_at,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "a", "failed", None, 1, Some("already_exists"), Some(100)),
                (3, "b", "enrolled", Some("77"), 2, None, Some(200)),
                (4, "", "invalid", None, 0, Some("invalid"), Some(7)),
                (5, "c", "pending", None, 1, None, None),
                (6, "a", "invalid", None, 0, Some("invalid"), Some(8)),
                (7, "d", "skipped", None, 1, None, Some(300)),
            ]
        );
        assert_eq!(rows[0].message.as_deref(), Some("exists"));
    }

    #[test]
    fn missing_and_foreign_files_have_their_codes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        let e = read(&p).unwrap_err();
        assert_eq!(crate::error::kind_of(&e), crate::error::Kind::Input);
        std::fs::write(&p, "id,face\n1,a.jpg\n").unwrap();
        let e = read(&p).unwrap_err();
        assert_eq!(crate::error::kind_of(&e), crate::error::Kind::Io);
    }
}
