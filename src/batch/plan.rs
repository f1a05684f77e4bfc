//! Before anything is sent: validate the whole manifest, then plan each row against
//! what the journal says of it.
//!
//! Validation streams the manifest once. Rows the journal knows are fingerprinted now
//! (to spot changed content); the others only have their files peeked at (size and
//! magic bytes), and are fingerprinted once, when they are sent.

use std::collections::HashMap;

use super::content::{check_row, fnv1a, row_fingerprint};
use super::journal::{History, Loaded, State};
use super::manifest::{Manifest, RowError};
use super::report::Summary;
use super::{Config, shard_of};
use crate::error::{Failure, Kind};
use crate::sanitize::sanitize;

/// A row the validation pass accepted, with what the journal says of it.
pub struct Planned {
    /// FNV-1a of the CustomID: the second read of the manifest must find the same
    /// row on the same line.
    pub id_hash: u64,
    /// The content fingerprint the journal knows this row by, if it does.
    pub fp: Option<String>,
    /// The journal says an earlier request for this same content may have landed: a
    /// re-send that meets "already exists" (enroll) or "not found" (delete) is then
    /// reconciled, not failed.
    pub maybe_landed: bool,
}

/// A manifest problem, with the id of the row when it has one (for sharding).
pub type Problem = (RowError, Option<String>);

/// A valid row: its line, its CustomID and, if the journal knows it, its fingerprint.
pub type Valid = (u64, String, Option<String>);

/// Validate every row. `Err` lists nothing: the caller reports `problems`.
pub fn validate(
    cfg: &Config,
    manifest: &Manifest,
    journal: &Loaded,
    stop: &crate::stop::Stop,
) -> anyhow::Result<(Vec<Valid>, Vec<Problem>)> {
    let op = cfg.op;
    let in_shard = |id: &str| cfg.shard.is_none_or(|(k, n)| shard_of(id, n) == k);
    let mut problems: Vec<Problem> = vec![];
    let mut valid: Vec<Valid> = vec![];
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for item in manifest.rows()? {
        if stop.is_requested() {
            // Ctrl-C while validating a big manifest: nothing was sent yet.
            return Err(Failure::new(
                Kind::Interrupted,
                "interrupted while validating the manifest; nothing was sent",
            )
            .into());
        }
        let row = match item {
            Ok(r) => r,
            Err(e) if e.unreadable => return Err(unreadable(manifest, &e).into()),
            Err(e) => {
                problems.push((e, None));
                continue;
            }
        };
        if row.id.is_empty() {
            let e = RowError {
                line: row.line,
                message: "no id".into(),
                unreadable: false,
            };
            problems.push((e, None));
            continue;
        }
        if let Some(first) = first_line.get(&row.id) {
            let message = format!(
                "duplicate id '{}' (first on line {first})",
                sanitize(&row.id, 60)
            );
            let e = RowError {
                line: row.line,
                message,
                unreadable: false,
            };
            problems.push((e, Some(row.id.clone())));
            continue;
        }
        first_line.insert(row.id.clone(), row.line);
        if !in_shard(&row.id) {
            continue;
        }
        let checked = if journal.rows.contains_key(&row.id) {
            row_fingerprint(op, &row, &cfg.images).map(Some)
        } else {
            check_row(op, &row, &cfg.images).map(|()| None)
        };
        match checked {
            Ok(fp) => valid.push((row.line, row.id.clone(), fp)),
            Err(message) => problems.push((
                RowError {
                    line: row.line,
                    message,
                    unreadable: false,
                },
                Some(row.id.clone()),
            )),
        }
    }
    // Rows without an id belong to no shard: count them in shard 0 only.
    problems.retain(|(_, id)| {
        id.as_deref()
            .map_or(cfg.shard.is_none_or(|(k, _)| k == 0), &in_shard)
    });
    Ok((valid, problems))
}

/// The manifest could not be read to its end: the input is unusable (66).
pub fn unreadable(manifest: &Manifest, e: &RowError) -> Failure {
    Failure::new(
        Kind::Input,
        format!(
            "cannot read manifest {} (line {}): {}",
            sanitize(&manifest.name, 200),
            e.line,
            e.message.trim_start_matches("cannot read the manifest: ")
        ),
    )
}

/// Plan the valid rows against the journal: finished rows are counted in `summary`
/// and dropped; rows whose content changed are returned as problems (refused unless
/// `--accept-changed`).
pub fn against_journal(
    cfg: &Config,
    valid: Vec<Valid>,
    journal: &Loaded,
    summary: &mut Summary,
) -> (HashMap<u64, Planned>, Vec<Problem>) {
    let mut changed: Vec<Problem> = vec![];
    let mut plan: HashMap<u64, Planned> = HashMap::new();
    for (line, id, fp) in valid {
        let h: Option<&History> = journal.rows.get(&id);
        let mut landed = false;
        if let Some(h) = h {
            let fp = fp.as_deref().unwrap_or_default();
            if h.fp != fp && !cfg.accept_changed {
                let message = format!(
                    "id '{}' changed since the journal recorded it (line {} then)",
                    sanitize(&id, 60),
                    h.line
                );
                changed.push((
                    RowError {
                        line,
                        message,
                        unreadable: false,
                    },
                    Some(id),
                ));
                continue;
            }
            if h.fp == fp {
                match h.state {
                    Some(st) if st.is_final_success() => {
                        summary.already_done += 1;
                        continue;
                    }
                    Some(State::Failed | State::Invalid) if !cfg.retry_failed => {
                        summary.failed += 1;
                        summary.count_error(h.kind.as_deref().unwrap_or("unknown"));
                        continue;
                    }
                    _ => landed = h.maybe_landed,
                }
            }
        }
        plan.insert(
            line,
            Planned {
                id_hash: fnv1a(&id),
                fp,
                maybe_landed: landed,
            },
        );
    }
    (plan, changed)
}

/// A journal is only ever used against the target it was written for: one written
/// against the sandbox must never make a production run skip people. The operation
/// must match too.
pub fn check_binding(cfg: &Config, journal: &Loaded) -> Result<(), Failure> {
    if let Some(jop) = &journal.op
        && jop != cfg.op.name()
    {
        return Err(Failure::new(
            Kind::Usage,
            format!(
                "journal {} belongs to a batch {jop}, not {}: use another --journal",
                cfg.journal.display(),
                cfg.op.name()
            ),
        ));
    }
    // Bound to the target of its last run, unless nothing in it could have reached
    // the service (a run stopped at once by a wrong endpoint or key): then the
    // corrected run may take it over.
    let Some(recorded) = &journal.last_target else {
        return Ok(());
    };
    if recorded.as_deref() == Some(cfg.target.as_str()) || !journal.vouches() {
        return Ok(());
    }
    let was = recorded.as_deref().map_or(
        "an unrecorded target (a journal of an older biopass)".to_string(),
        |t| sanitize(t, 200),
    );
    Err(Failure::new(
        Kind::Config,
        format!(
            "journal {} records a batch sent to {was}, but this run goes to {}; a journal \
only vouches for its own target, so it cannot say who is done here. To start fresh \
against {}, give another journal with --journal FILE (or move this one away)",
            cfg.journal.display(),
            cfg.target,
            cfg.target
        ),
    ))
}
