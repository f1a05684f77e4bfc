//! Before anything is sent: validate the whole manifest, then plan each row against
//! what the journal says of it.
//!
//! Memory does not grow with the manifest beyond a few bytes a row: nothing of a row
//! is kept but bits and hashes (see [`Plan`]). Validation streams the manifest twice:
//! first to hash every CustomID (a sorted vector of 64-bit hashes finds the hashes
//! seen more than once), then to check each row, where only the rows whose hash was
//! seen more than once have their id compared in full, so a hash collision never
//! makes a row a duplicate. Rows the journal knows are fingerprinted (to spot changed
//! content); the others only have their files peeked at (size and magic bytes), and
//! are fingerprinted once, when they are sent.

use std::collections::HashMap;

use super::content::{check_row, fnv1a, id_hash, row_fingerprint};
use super::journal::{Loaded, State, fp_key, fp_text};
use super::manifest::{Manifest, Row, RowError};
use super::report::MAX_LISTED;
use super::{Config, shard_of};
use crate::error::{Failure, Kind};
use crate::request::AnswerShape;
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
    /// Requests already sent for the row in this run (by earlier passes).
    pub attempts: u32,
}

/// A manifest problem, with the id of the row when it has one (for sharding).
pub type Problem = (RowError, Option<String>);

/// What the run does with the rows validation accepted, in a few bytes a row: one bit
/// per item of the manifest stream (row or row error, in order: a second read yields
/// the same items) saying whether to send it; for each planned row, 32 bits of its
/// id's hash, to notice a manifest changed between reads; and, only for planned rows
/// the journal knows, the fingerprint and whether an earlier request may have landed.
#[derive(Default)]
pub struct Plan {
    send: Vec<u64>,
    /// By planned row, in order.
    check: Vec<u32>,
    /// The next planned row [`Plan::take`] meets.
    next: usize,
    known: Vec<(u64, [u64; 2], bool)>,
    /// By item, for a later pass: requests already sent in this run.
    attempts: Vec<(u64, u32)>,
    count: u64,
}

/// What the plan says of one item of the manifest's second read.
pub enum Take {
    /// Not to be sent (invalid, finished, another shard).
    Skip,
    /// Planned, but the row there is not the one validated: the manifest changed.
    Changed,
    /// Send it.
    Send(Planned),
}

impl Plan {
    /// How many rows are to be sent.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether no row is to be sent.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn add(&mut self, item: u64, id: &str, known: Option<([u64; 2], bool)>) {
        self.check.push(id_hash(id) as u32);
        let (word, bit) = ((item / 64) as usize, item % 64);
        if self.send.len() <= word {
            self.send.resize(word + 1, 0);
        }
        self.send[word] |= 1 << bit;
        self.count += 1;
        if let Some((fp, landed)) = known {
            self.known.push((item, fp, landed));
        }
    }

    fn planned(&self, item: u64) -> bool {
        self.send
            .get((item / 64) as usize)
            .is_some_and(|w| w & (1 << (item % 64)) != 0)
    }

    /// The plan for item `item` (counted from 0) of a later read of the manifest;
    /// called for each item of that read, in order.
    pub fn take(&mut self, item: u64, read: &Result<Row, RowError>) -> Take {
        if !self.planned(item) {
            return Take::Skip;
        }
        let check = self.check.get(self.next).copied();
        self.next += 1;
        let Ok(row) = read else {
            return Take::Changed;
        };
        if check != Some(id_hash(&row.id) as u32) {
            return Take::Changed;
        }
        let known = self
            .known
            .binary_search_by_key(&item, |k| k.0)
            .ok()
            .map(|i| self.known[i]);
        let attempts = self
            .attempts
            .binary_search_by_key(&item, |a| a.0)
            .map_or(0, |i| self.attempts[i].1);
        Take::Send(Planned {
            id_hash: fnv1a(&row.id),
            fp: known.map(|k| fp_text(k.1)),
            maybe_landed: known.is_some_and(|k| k.2),
            attempts,
        })
    }

    /// The plan of another pass: only the rows an earlier pass left pending after
    /// transient errors, with their fingerprints (a row whose content changed since
    /// is then refused as changed during the run).
    pub fn again(mut rows: Vec<Again>) -> Plan {
        rows.sort_unstable_by_key(|a| a.item);
        let mut plan = Plan::default();
        for a in rows {
            let (word, bit) = ((a.item / 64) as usize, a.item % 64);
            if plan.send.len() <= word {
                plan.send.resize(word + 1, 0);
            }
            plan.send[word] |= 1 << bit;
            plan.check.push(a.check);
            plan.count += 1;
            plan.known.push((a.item, a.fp, a.maybe_landed));
            plan.attempts.push((a.item, a.attempts));
        }
        plan
    }
}

/// A row a pass left pending after transient errors, for the next pass: a few bytes,
/// the row itself is read again from the manifest.
#[derive(Debug, Clone, Copy)]
pub struct Again {
    /// The row's item in the manifest stream ([`Plan::take`]).
    pub item: u64,
    /// [`id_hash`] of its CustomID, cut as the plan keeps it.
    pub check: u32,
    /// Its content fingerprint ([`fp_key`]).
    pub fp: [u64; 2],
    /// An attempt of it may have been acted on.
    pub maybe_landed: bool,
    /// Requests sent for it so far in this run.
    pub attempts: u32,
}

/// Problems found, in manifest order: how many, the first [`MAX_LISTED`] of them, and
/// (only when the run records them, `--skip-invalid`) all of them.
#[derive(Default)]
pub struct Found {
    /// How many.
    pub count: u64,
    /// The first [`MAX_LISTED`].
    pub first: Vec<Problem>,
    /// All of them, when kept.
    pub all: Option<Vec<Problem>>,
}

impl Found {
    fn keeping_all(all: bool) -> Self {
        Found {
            all: all.then(Vec::new),
            ..Default::default()
        }
    }

    fn push(&mut self, p: Problem) {
        self.count += 1;
        if self.first.len() < MAX_LISTED {
            self.first.push(p.clone());
        }
        if let Some(all) = &mut self.all {
            all.push(p);
        }
    }
}

/// What validation found: the plan, the problems, and what the journal already
/// counts.
#[derive(Default)]
pub struct Validated {
    /// The rows to send.
    pub plan: Plan,
    /// Invalid rows (of this shard).
    pub problems: Found,
    /// Rows whose content changed since the journal recorded them (refused unless
    /// `--accept-changed`).
    pub changed: Found,
    /// Valid rows (of this shard), planned or not.
    pub valid: u64,
    /// Valid rows the journal shows finished.
    pub already_done: u64,
    /// Of those, verify rows that matched and that did not.
    pub already_verdicts: (u64, u64),
    /// Valid rows the journal shows failed (not sent again without
    /// `--retry-failed`), by failure kind.
    pub failed: HashMap<String, u64>,
}

fn row_error(line: u64, message: String) -> RowError {
    RowError {
        line,
        message,
        unreadable: false,
    }
}

fn interrupted() -> anyhow::Error {
    // Ctrl-C while validating a big manifest: nothing was sent yet.
    Failure::new(
        Kind::Interrupted,
        "interrupted while validating the manifest; nothing was sent",
    )
    .into()
}

/// The hashes of CustomIDs seen on more than one row, sorted.
fn repeated_hashes(manifest: &Manifest, stop: &crate::stop::Stop) -> anyhow::Result<Vec<u64>> {
    let mut hashes: Vec<u64> = vec![];
    for item in manifest.rows()? {
        if stop.is_requested() {
            return Err(interrupted());
        }
        match item {
            Ok(row) if !row.id.is_empty() => hashes.push(id_hash(&row.id)),
            Err(e) if e.unreadable => return Err(unreadable(manifest, &e).into()),
            _ => {}
        }
    }
    hashes.sort_unstable();
    let mut repeated: Vec<u64> = vec![];
    for w in hashes.windows(2) {
        if w[0] == w[1] && repeated.last() != Some(&w[0]) {
            repeated.push(w[0]);
        }
    }
    Ok(repeated)
}

/// Validate every row and plan it against the journal. `Err` is an error that ends the
/// run before anything is reported (unreadable manifest, interrupted).
pub fn validate(
    cfg: &Config,
    manifest: &Manifest,
    journal: &Loaded,
    stop: &crate::stop::Stop,
) -> anyhow::Result<Validated> {
    let op = cfg.op;
    let in_shard = |id: &str| cfg.shard.is_none_or(|(k, n)| shard_of(id, n) == k);
    // Rows without an id belong to no shard: count them in shard 0 only.
    let idless_here = cfg.shard.is_none_or(|(k, _)| k == 0);
    let repeated = repeated_hashes(manifest, stop)?;
    let mut v = Validated {
        problems: Found::keeping_all(cfg.skip_invalid),
        ..Default::default()
    };
    // The first line of each CustomID whose hash is repeated: compared in full, so
    // only true duplicates are refused.
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (item, read) in manifest.rows()?.enumerate() {
        let item = item as u64;
        if stop.is_requested() {
            return Err(interrupted());
        }
        let row = match read {
            Ok(r) => r,
            Err(e) if e.unreadable => return Err(unreadable(manifest, &e).into()),
            Err(e) => {
                if idless_here {
                    v.problems.push((e, None));
                }
                continue;
            }
        };
        if row.id.is_empty() {
            if idless_here {
                v.problems.push((row_error(row.line, "no id".into()), None));
            }
            continue;
        }
        if repeated.binary_search(&id_hash(&row.id)).is_ok() {
            if let Some(first) = first_line.get(&row.id) {
                if in_shard(&row.id) {
                    let message = format!(
                        "duplicate id '{}' (first on line {first})",
                        sanitize(&row.id, 60)
                    );
                    v.problems
                        .push((row_error(row.line, message), Some(row.id.clone())));
                }
                continue;
            }
            first_line.insert(row.id.clone(), row.line);
        }
        if !in_shard(&row.id) {
            continue;
        }
        let known = journal.get(&row.id);
        let checked = if known.is_some() {
            row_fingerprint(op, &row, &cfg.images).map(|fp| Some(fp_key(&fp)))
        } else {
            check_row(op, &row, &cfg.images).map(|()| None)
        };
        let fp = match checked {
            Ok(fp) => fp,
            Err(message) => {
                v.problems
                    .push((row_error(row.line, message), Some(row.id.clone())));
                continue;
            }
        };
        v.valid += 1;
        let (Some(h), Some(fp)) = (known, fp) else {
            v.plan.add(item, &row.id, None);
            continue;
        };
        let mut landed = false;
        if h.fp != fp && !cfg.accept_changed {
            let message = format!(
                "id '{}' changed since the journal recorded it (line {} then)",
                sanitize(&row.id, 60),
                h.line
            );
            v.changed
                .push((row_error(row.line, message), Some(row.id.clone())));
            continue;
        }
        if h.fp == fp {
            match h.state {
                Some(st) if st.is_final_success() => {
                    v.already_done += 1;
                    if journal.no_match(&h) {
                        v.already_verdicts.1 += 1;
                    } else if op.spec().answer == AnswerShape::Match && st == State::Done {
                        v.already_verdicts.0 += 1;
                    }
                    continue;
                }
                Some(State::Failed | State::Invalid) if !cfg.retry_failed => {
                    let kind = journal.kind_name(&h).unwrap_or("unknown");
                    *v.failed.entry(kind.to_string()).or_default() += 1;
                    continue;
                }
                _ => landed = h.maybe_landed,
            }
        }
        v.plan.add(item, &row.id, Some((fp, landed)));
    }
    Ok(v)
}

/// The row rules of a batch of `op` that read no image, for `check --from` (which
/// checks the images itself, in full): a row that cannot be read as a row, no id, a
/// duplicate id (by [`validate`] itself), and the row's shape (an image, no finger
/// slot twice). Every problem, in manifest order. `Err` as [`validate`]'s.
pub fn row_problems(
    op: crate::request::Op,
    manifest: &Manifest,
    images: crate::images::prepare::Options,
    stop: &crate::stop::Stop,
) -> anyhow::Result<Vec<Problem>> {
    // validate's id rules are the same for every operation; a delete's rows read no
    // image, so under it they are all that is checked.
    let cfg = Config {
        op: crate::request::Op::Delete,
        manifest: manifest.name.clone(),
        read: Default::default(),
        journal: Default::default(),
        jobs: 1,
        rate: None,
        retry_failed: false,
        skip_invalid: true,
        skip_existing: false,
        accept_changed: false,
        shard: None,
        images,
        dry_run: true,
        passes: 1,
        target: String::new(),
        env: String::new(),
    };
    let v = validate(&cfg, manifest, &Loaded::default(), stop)?;
    let mut problems = v.problems.all.unwrap_or_default();
    let mut lines: Vec<u64> = problems.iter().map(|(e, _)| e.line).collect();
    lines.sort_unstable();
    for row in manifest.rows()?.flatten() {
        if lines.binary_search(&row.line).is_err()
            && let Err(message) = super::content::check_shape(op, &row)
        {
            problems.push((row_error(row.line, message), Some(row.id.clone())));
        }
    }
    problems.sort_by_key(|(e, _)| e.line);
    Ok(problems)
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
    if recorded
        .as_deref()
        .is_some_and(|r| crate::target::same_target(r, &cfg.target))
        || !journal.vouches()
    {
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
