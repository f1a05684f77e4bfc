//! Batch runs: enroll, update or delete everyone in a manifest, concurrently,
//! resumably, and without enrolling anyone twice.
//!
//! The flow ([`run`]): open and lock the journal and check it belongs to this target
//! → validate the whole manifest (streaming; nothing is sent if any row is bad,
//! unless `--skip-invalid`) → plan each row against the journal → stream the manifest
//! again, feeding the planned rows to `jobs` workers that share one client → summary.
//! Each request is preceded by a durable `start` record, so after any crash the
//! journal names every request that might have landed; a re-send of such a row that
//! meets "already exists" (or, for delete, "not found") is recorded as reconciled,
//! not as a failure.
//!
//! The pieces: [`manifest`] reads rows, [`content`] reads a row's images and
//! fingerprints them, [`plan`] validates and plans, `start` takes a run up to its
//! first request (journal, validation, plan), [`worker`] sends one row, [`journal`]
//! remembers, [`pace`] paces, [`report`] is what the caller sees.
//! A [`Stop`] passed in ends the run early (Ctrl-C, a closed stdout, a run-level
//! failure); rows not finished stay pending for the next run.

pub mod content;
pub mod history;
pub mod journal;
pub mod manifest;
pub mod pace;
pub mod plan;
pub mod report;
mod start;
pub mod worker;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Result;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::error::{Failure, Kind};
use crate::request::Op;
use crate::sanitize::sanitize;
use crate::stop::Stop;
use crate::target::{Spec, Target};
use manifest::Manifest;
use plan::Planned;
pub use report::{MAX_LISTED, Outcome, Problems, Reporter, RowResult, Summary};

/// Retries the run may spend before any success (then one more per two successes).
const RETRY_BUDGET: i64 = 20;

/// A batch, resolved: everything [`run`] needs besides where to send.
#[derive(Debug, Clone)]
pub struct Config {
    /// The operation every row gets (enroll, update or delete).
    pub op: Op,
    /// The manifest's path, or `-` for standard input.
    pub manifest: String,
    /// How to read it: format, delimiter, encoding, sheet (each told from the file
    /// when `None`).
    pub read: manifest::Options,
    /// The journal file ([`default_journal`] unless the user named one).
    pub journal: PathBuf,
    /// Concurrent requests, at least 1.
    pub jobs: usize,
    /// Requests per second across all jobs, if capped.
    pub rate: Option<f64>,
    /// Send again the rows the journal records as failed (`--retry-failed`).
    pub retry_failed: bool,
    /// Record invalid rows and run the rest, instead of sending nothing
    /// (`--skip-invalid`).
    pub skip_invalid: bool,
    /// Count "CustomID already exists" as skipped rather than failed (enroll only,
    /// `--skip-existing`).
    pub skip_existing: bool,
    /// Send rows whose content changed since the journal recorded them, instead of
    /// refusing the run (`--accept-changed`).
    pub accept_changed: bool,
    /// `(K, N)`: only rows whose CustomID hashes to shard K of N ([`shard_of`]; K
    /// counts from 0, K < N).
    pub shard: Option<(u32, u32)>,
    /// How images are prepared, and the largest accepted (after preparation);
    /// an image that does not pass makes the row invalid.
    pub images: crate::images::prepare::Options,
    /// Validate and plan only: nothing is sent, and nothing is written anywhere.
    pub dry_run: bool,
    /// Passes in all (`--passes`, at least 1): after the first, each sends again
    /// the rows the last one left pending after transient errors.
    pub passes: u32,
    /// The target's identity ([`Spec::identity`]), recorded in and checked against
    /// the journal.
    pub target: String,
    /// The environment name, recorded in the journal for people reading it.
    pub env: String,
}

/// How a run ended: the summary, when the run got far enough to have one (it is what
/// `--summary-json` writes), and the error that ended it, if any.
pub struct Report {
    /// `None` when the run ended before it could count rows (the manifest or journal
    /// could not be opened or read, or the journal belongs to another target or
    /// operation).
    pub summary: Option<Summary>,
    /// The error that ended the run, if any; its [`Failure`] decides the exit code
    /// ([`crate::error::kind_of`]). A run stopped by a [`Stop`] is not an error: see
    /// [`Summary::stopped`] and [`Summary::status`].
    pub error: Option<anyhow::Error>,
}

/// Stable shard of a CustomID: FNV-1a (64-bit) of its UTF-8 bytes, modulo N.
pub fn shard_of(id: &str, n: u32) -> u32 {
    (content::fnv1a(id) % n as u64) as u32
}

/// The default journal: beside the manifest, named by operation and shard
/// (`people.csv.enroll.journal`, `people.csv.enroll.shard-1-of-4.journal`).
pub fn default_journal(op: Op, manifest: &str, shard: Option<(u32, u32)>) -> Result<PathBuf> {
    if manifest == "-" {
        return Err(Failure::new(
            Kind::Usage,
            "a manifest on standard input needs --journal FILE (to resume later)",
        )
        .into());
    }
    let shard = shard.map_or(String::new(), |(k, n)| format!(".shard-{k}-of-{n}"));
    Ok(PathBuf::from(format!(
        "{manifest}.{}{shard}.journal",
        op.name()
    )))
}

/// Run a batch. Never prints: rows, problems and notes go to `reporter`.
pub fn run(cfg: &Config, spec: &Spec, reporter: &dyn Reporter, stop: &Arc<Stop>) -> Report {
    let started = Instant::now();
    let mut summary = Summary {
        op: cfg.op.name(),
        journal: cfg.journal.display().to_string(),
        target: cfg.target.clone(),
        shard: cfg.shard.map(|(k, n)| format!("{k}/{n}")),
        dry_run: cfg.dry_run,
        started_at: crate::time::rfc3339_now(),
        ..Default::default()
    };
    let mut journal_file = None;
    let result = run_inner(cfg, spec, reporter, stop, &mut summary, &mut journal_file);
    summary.elapsed_secs = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    summary.finished_at = crate::time::rfc3339_now();
    if summary.invalid > 0 {
        *summary
            .errors
            .entry(Kind::Invalid.name().into())
            .or_default() += summary.invalid;
    }
    let (summary, error) = match result {
        Ok(got_far) => {
            summary.status = summary.outcome(stop.reason());
            summary.stopped = stop.reason().map(|r| r.name()).or(summary.stopped);
            if summary.pending > 0 && summary.stopped.is_none() && !summary.dry_run {
                // No stop was asked for: rows are left because their own retries
                // ran out, or because the manifest changed under the run.
                summary.stopped = Some(if summary.last_error.is_some() {
                    "retries_exhausted"
                } else {
                    "manifest_changed"
                });
            }
            (got_far.then_some(summary), None)
        }
        Err((e, got_far)) => {
            // A journal this run created and never wrote to is removed: a refused run
            // leaves nothing behind.
            if let Some(opened) = journal_file.take() {
                discard_if_empty(opened, &cfg.journal);
            }
            let kind = crate::error::kind_of(&e);
            summary.status = crate::error::Status::Problem(kind);
            summary.stopped = stop.reason().map(|r| r.name()).or(summary.stopped);
            if summary.pending > 0 && summary.stopped.is_none() {
                summary.stopped = Some(kind.name());
            }
            (got_far.then_some(summary), Some(e))
        }
    };
    Report { summary, error }
}

/// Remove a journal this process created, if nothing was ever written to it.
fn discard_if_empty(opened: journal::Opened, path: &Path) {
    if opened.created && opened.file.metadata().is_ok_and(|m| m.len() == 0) {
        let _ = std::fs::remove_file(path);
    }
}

type Failed = (anyhow::Error, bool);

/// The run; `Err((error, summary_is_meaningful))`.
fn run_inner(
    cfg: &Config,
    spec: &Spec,
    reporter: &dyn Reporter,
    stop: &Arc<Stop>,
    summary: &mut Summary,
    journal_file: &mut Option<journal::Opened>,
) -> Result<bool, Failed> {
    let early = |e: anyhow::Error| (e, false);
    let manifest = Manifest::open_with(&cfg.manifest, &cfg.read).map_err(early)?;

    let loaded = start::open_journal(cfg, reporter, journal_file)?;
    let validated = start::validate(cfg, &manifest, loaded, reporter, stop, summary)?;
    let Some(started) = start::start_run(
        cfg,
        &manifest,
        validated,
        reporter,
        stop,
        summary,
        journal_file,
    )?
    else {
        return Ok(true);
    };
    send_all(cfg, spec, &manifest, started, reporter, stop, summary)
}

/// Step 4 of a run, the run itself: every planned row sent, in passes, on one
/// runtime thread; the counts back in `summary`.
fn send_all(
    cfg: &Config,
    spec: &Spec,
    manifest: &Manifest,
    (writer, mut plan): (journal::Writer, plan::Plan),
    reporter: &dyn Reporter,
    stop: &Arc<Stop>,
    summary: &mut Summary,
) -> Result<bool, Failed> {
    reporter.note(&format!("journal: {}", cfg.journal.display()));
    let target = Target::open(spec).map_err(|e| (e, true))?;
    let jobs = cfg.jobs.max(1);
    // Every row runs on this thread, on one runtime with one connection pool: up to
    // `jobs` rows in flight as tasks. A row waits for its journal fsync, its slot
    // and its answer without holding a thread, so no row costs a thread hand-off.
    // (Made before the summary moves into `shared`, so that failing here leaves it
    // whole: every row pending.)
    let lane = target.client.lane(jobs).map_err(|f| (f.into(), true))?;
    // The manifest again, in order: each task takes the next planned row when it
    // is free (reading a row is a short, synchronous step on the same thread).
    let rows = manifest.rows().map_err(|e| (e, true))?;
    let shared = worker::Shared {
        op: cfg.op,
        client: &target.client,
        journal: &writer,
        gate: pace::Gate::new(jobs),
        pacer: cfg.rate.map(pace::Pacer::new),
        budget: pace::Budget::new(RETRY_BUDGET),
        images: cfg.images,
        skip_existing: cfg.skip_existing,
        reporter,
        stop,
        requests: AtomicU64::new(0),
        processed: AtomicU64::new(0),
        heavy: std::sync::atomic::AtomicBool::new(false),
        preparing: tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        ),
        summary: Mutex::new(std::mem::take(summary)),
        last_error: Mutex::new(None),
        pass: AtomicU32::new(1),
        passes: cfg.passes.max(1),
        again: Mutex::new(Vec::new()),
        protocol_streak: std::sync::atomic::AtomicU32::new(0),
        protocol_limit: (2 * jobs).clamp(2, u32::MAX as usize) as u32,
    };
    reporter.started(plan.len());
    let broken: RefCell<Option<anyhow::Error>> = RefCell::new(None);
    let mut rows = Some(rows);
    let mut pass = 1;
    loop {
        shared.pass.store(pass, Ordering::Relaxed);
        shared.processed.store(0, Ordering::Relaxed);
        {
            // Every pass that runs has its count, even one that settles nothing.
            let mut sum = lock(&shared.summary);
            let passes = (pass as usize).max(sum.passes.len());
            sum.passes.resize(passes, 0);
        }
        let to_run = plan.len();
        let pass_rows = match rows.take() {
            Some(r) => Ok(r),
            None => manifest.rows(),
        };
        match pass_rows {
            Ok(pass_rows) => run_pass(
                &shared, &lane, manifest, pass_rows, &mut plan, &broken, jobs,
            ),
            Err(e) => *broken.borrow_mut() = Some(e),
        }
        // Rows planned but never launched (the run stopped early) stay pending.
        let launched = shared.processed.load(Ordering::Relaxed);
        lock(&shared.summary).pending += to_run.saturating_sub(launched);
        let again = std::mem::take(&mut *lock(&shared.again));
        if again.is_empty() || pass >= shared.passes || stop.is_requested() {
            break;
        }
        if broken.borrow().is_some() {
            break;
        }
        let pause = pass_pause(pass);
        reporter.note(&format!(
            "pass {} of {}: {} row(s) left pending by transient errors; sending them again in {}s",
            pass + 1,
            cfg.passes,
            again.len(),
            pause.as_secs()
        ));
        lane.block_on(worker::sleep_unless_stopped(stop, pause));
        if stop.is_requested() {
            break;
        }
        // Counted pending by the pass that left them; this pass settles them anew.
        let mut sum = lock(&shared.summary);
        sum.pending = sum.pending.saturating_sub(again.len() as u64);
        drop(sum);
        plan = plan::Plan::again(again);
        pass += 1;
    }
    drop(lane);
    let streamed = match broken.into_inner() {
        Some(e) => Err(e),
        None => Ok(()),
    };
    reporter.finished();
    let worker::Shared {
        summary: shared_summary,
        requests,
        last_error,
        ..
    } = shared;
    *summary = shared_summary
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    summary.requests = requests.into_inner();
    summary.last_error = last_error.into_inner().unwrap_or_else(|p| p.into_inner());
    let flushed = writer.flush();
    drop(writer);
    let finished = target.finish();
    if let Err(e) = flushed {
        stop.request(crate::stop::Reason::Journal, Some(format!("{e:#}")));
    }
    streamed.map_err(|e| (e, true))?;
    finished.map_err(|e| (e, true))?;
    if let Some(m) = stop.message() {
        summary.last_error.get_or_insert(sanitize(&m, 300));
    }
    Ok(true)
}

/// One pass over the manifest: up to `jobs` rows in flight on `lane`, each task
/// taking the next row `plan` sends.
fn run_pass<'m>(
    shared: &worker::Shared<'_>,
    lane: &crate::client::Lane,
    manifest: &'m Manifest,
    rows: Box<dyn Iterator<Item = Result<manifest::Row, manifest::RowError>> + 'm>,
    plan: &mut plan::Plan,
    broken: &RefCell<Option<anyhow::Error>>,
    jobs: usize,
) {
    let stop = shared.stop;
    let rows = RefCell::new(rows.enumerate());
    let plan = RefCell::new(plan);
    // The manifest again, in order: each task takes the next planned row when it is
    // free (reading a row is a short, synchronous step on the same thread).
    let next_row = || -> Option<(u64, manifest::Row, Planned)> {
        loop {
            if stop.is_requested() || broken.borrow().is_some() {
                return None;
            }
            let (item, read) = rows.borrow_mut().next()?;
            if let Err(e) = &read
                && e.unreadable
            {
                // Read once already: the file changed or went away under the run.
                *broken.borrow_mut() = Some(plan::unreadable(manifest, e).into());
                return None;
            }
            let p = match plan.borrow_mut().take(item as u64, &read) {
                plan::Take::Skip => continue,
                plan::Take::Send(p) => p,
                plan::Take::Changed => {
                    // Left pending (counted, and found again by the next run).
                    let line = match &read {
                        Ok(row) => row.line,
                        Err(e) => e.line,
                    };
                    shared.reporter.note(&format!(
                        "{}:{line}: the manifest changed during the run; row left for the next run",
                        manifest.name
                    ));
                    continue;
                }
            };
            let Ok(row) = read else { continue };
            return Some((item as u64, row, p));
        }
    };
    let next_row = &next_row;
    // Each task is one slot: it sends a row, and, when rows are photos (prepared on
    // blocking threads, see `Shared::heavy`) of at most `AHEAD_MAX_BODY` bytes once
    // prepared, prepares its next row meanwhile, so that
    // preparation hides under the service's latency instead of adding to it. At most
    // one prepared row waits per slot (`jobs` bodies in all, besides the `jobs` in
    // flight); nothing of a waiting row is journaled, so a run stopped before sending
    // it leaves it pending, prepared again by the next run. Small images (tens of
    // microseconds each) are prepared in turn on this thread, as before.
    let tasks: FuturesUnordered<_> = (0..jobs)
        .map(|_| async move {
            let mut ahead: Option<worker::Prepared> = None;
            loop {
                let current = match ahead.take() {
                    Some(p) => p,
                    None => {
                        let Some((item, row, planned)) = next_row() else {
                            break;
                        };
                        let Some(p) = worker::prepare(shared, item, row, planned).await else {
                            break;
                        };
                        p
                    }
                };
                // Large bodies are not prepared ahead: a waiting body would add one
                // more image per slot to the memory the run holds (README, memory
                // model: about 1.3 x jobs x image), while the look-ahead is for phone
                // photos, whose preparation (decode, gate, re-encode) costs more than
                // the bytes they hold. The row just prepared predicts the next.
                if !shared.heavy.load(Ordering::Relaxed) || current.body_len() > AHEAD_MAX_BODY {
                    worker::finish(shared, lane, current).await;
                    continue;
                }
                let next = async {
                    let (item, row, planned) = next_row()?;
                    worker::prepare(shared, item, row, planned).await
                };
                let ((), next) =
                    futures_util::future::join(worker::finish(shared, lane, current), next).await;
                // A row prepared while the run stopped is left unsent (pending).
                ahead = next.filter(|_| !stop.is_requested());
            }
        })
        .collect();
    lane.block_on(tasks.count());
}

/// The largest body a slot prepares ahead of its request in flight (see `run_pass`).
const AHEAD_MAX_BODY: u64 = 1 << 20;

/// The pause before pass `pass + 1`: 2 s, then twice as long each pass, at most 60 s
/// (a burst of 503s or resets has time to pass).
fn pass_pause(pass: u32) -> std::time::Duration {
    let secs = 2u64.saturating_mul(1 << (pass.saturating_sub(1)).min(5));
    std::time::Duration::from_secs(secs.min(60))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_spread() {
        // FNV-1a test vectors: "" and "a".
        assert_eq!(
            shard_of("", u32::MAX),
            (0xcbf29ce484222325u64 % u32::MAX as u64) as u32
        );
        assert_eq!(
            shard_of("a", u32::MAX),
            (0xaf63dc4c8601ec8cu64 % u32::MAX as u64) as u32
        );
        let mut counts = [0; 4];
        for i in 0..4000 {
            counts[shard_of(&i.to_string(), 4) as usize] += 1;
        }
        assert!(counts.iter().all(|c| *c > 800), "{counts:?}");
    }

    #[test]
    fn journal_path_defaults_beside_the_manifest() {
        assert_eq!(
            default_journal(Op::Enroll, "d/m.csv", None).unwrap(),
            Path::new("d/m.csv.enroll.journal")
        );
        assert_eq!(
            default_journal(Op::Delete, "m.csv", Some((1, 4))).unwrap(),
            Path::new("m.csv.delete.shard-1-of-4.journal")
        );
        assert!(default_journal(Op::Enroll, "-", None).is_err());
    }
}
