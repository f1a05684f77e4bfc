//! Batch runs: enroll, update or delete everyone in a manifest, concurrently,
//! resumably, and without enrolling anyone twice.
//!
//! The flow: validate the whole manifest (streaming; nothing is sent if any row is
//! bad, unless `--skip-invalid`) → load and lock the journal → plan each row against
//! what the journal says → stream the manifest again, feeding the rows to run to
//! `--jobs` workers that share one client → summary. Each request is preceded by a
//! durable `start` record, so after any crash the journal names every request that
//! might have landed; a re-send of such a row that meets "already exists" (or, for
//! delete, "not found") is recorded as reconciled, not as a failure.
//!
//! It reuses the single-person pieces: request building (`request.rs`), the client and
//! its failure classes (`client.rs`), output helpers and the exit-code table.

mod journal;
mod manifest;
mod pace;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use anyhow::Result;
use bytes::Bytes;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cli::{BatchArgs, OutputFormat};
use crate::client::{Client, Sent, backoff};
use crate::cmd::target::{self, Target};
use crate::error::{Failure, Kind};
use crate::image::{self, Source};
use crate::output::{self, sanitize, stdout_line};
use crate::request::{self, LoadedPerson, Op};
use crate::settings::Settings;
use journal::{History, Record, State};
use manifest::{Manifest, Row, RowError};

/// Attempts per row in one run.
const MAX_ATTEMPTS: u32 = 3;
/// Retries the run may spend before any success (then one more per two successes).
const RETRY_BUDGET: i64 = 20;
/// A `Retry-After` longer than this stops the run (resumable) instead of waiting.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// Problems listed before "... and N more".
const MAX_LISTED: usize = 50;

/// Why a run stopped launching rows. Set once (the first reason wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Stop {
    No = 0,
    Interrupted,
    KeyRejected,
    TryLater,
    Budget,
    Journal,
}

static STOP: AtomicU8 = AtomicU8::new(Stop::No as u8);
static INTERRUPTS: AtomicU8 = AtomicU8::new(0);

fn stop_reason() -> Stop {
    match STOP.load(Ordering::SeqCst) {
        1 => Stop::Interrupted,
        2 => Stop::KeyRejected,
        3 => Stop::TryLater,
        4 => Stop::Budget,
        5 => Stop::Journal,
        _ => Stop::No,
    }
}

fn stop(reason: Stop) {
    let _ = STOP.compare_exchange(
        Stop::No as u8,
        reason as u8,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
}

fn stopped() -> bool {
    STOP.load(Ordering::SeqCst) != Stop::No as u8
}

/// FNV-1a, 64-bit: small, stable across platforms and versions, documented.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Stable shard of a CustomID: FNV-1a (64-bit) of its UTF-8 bytes, modulo N.
pub fn shard_of(id: &str, n: u32) -> u32 {
    (fnv1a(id) % n as u64) as u32
}

/// The row's content fingerprint: operation, CustomID and each image's digest.
fn fingerprint(op: Op, p: Option<&LoadedPerson>, id: &str) -> String {
    let mut h = Sha256::new();
    h.update(op.name());
    h.update([0]);
    h.update(id);
    if let Some(p) = p {
        for (i, img) in p.faces.iter().enumerate() {
            h.update(format!("\0Face-{}={}", i + 1, img.sha256()));
        }
        let mut fingers: Vec<_> = p.fingers.iter().collect();
        fingers.sort_by_key(|(s, _)| *s);
        for (slot, img) in fingers {
            h.update(format!("\0Finger-{slot}={}", img.sha256()));
        }
    }
    image::sha256_hex(&h.finalize())[..32].to_string()
}

/// The row's own rules: enroll/update rows need an image, and no slot twice.
fn check_shape(op: Op, row: &Row) -> Result<(), String> {
    if op == Op::Delete {
        return Ok(());
    }
    if row.faces.is_empty() && row.fingers.is_empty() {
        return Err("no image: the row needs a face or a finger".into());
    }
    let mut seen = [false; 11];
    for (slot, _) in &row.fingers {
        if std::mem::replace(&mut seen[*slot as usize], true) {
            return Err(format!("finger slot {slot} given twice"));
        }
    }
    Ok(())
}

/// Validate a row without reading whole images: each file's size and first bytes.
fn check_row(op: Op, row: &Row, max_bytes: u64) -> Result<(), String> {
    check_shape(op, row)?;
    if op == Op::Delete {
        return Ok(());
    }
    let paths = row.faces.iter().chain(row.fingers.iter().map(|(_, p)| p));
    for p in paths {
        image::peek_file(p, max_bytes).map_err(|f| f.message)?;
    }
    Ok(())
}

/// Read and check a row's images (enroll/update), as the single commands do.
fn load_row(op: Op, row: &Row, max_bytes: u64) -> Result<Option<LoadedPerson>, String> {
    check_shape(op, row)?;
    if op == Op::Delete {
        return Ok(None);
    }
    let load =
        |p: &PathBuf| image::load(&Source::File(p.clone()), max_bytes).map_err(|f| f.message);
    let faces = row.faces.iter().map(load).collect::<Result<Vec<_>, _>>()?;
    let fingers = row
        .fingers
        .iter()
        .map(|(s, p)| Ok((*s, load(p)?)))
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Some(LoadedPerson {
        custom_id: row.id.clone(),
        faces,
        fingers,
    }))
}

/// A row the validation pass accepted, with what the journal says of it.
struct Planned {
    /// FNV-1a of the CustomID: the second read of the manifest must find the same
    /// row on the same line.
    id_hash: u64,
    /// The content fingerprint the journal knows this row by, if it does.
    fp: Option<String>,
    maybe_landed: bool,
}

/// How a row ended in this run.
#[derive(Debug)]
enum Outcome {
    Done(Option<String>),
    Reconciled,
    Skipped,
    Failed {
        kind: Kind,
        status: Option<u16>,
        message: String,
    },
    Invalid(String),
    /// Not finished: will be retried by the next run.
    Pending,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    op: &'static str,
    total: u64,
    succeeded: u64,
    reconciled: u64,
    already_done: u64,
    skipped: u64,
    failed: u64,
    invalid: u64,
    pending: u64,
    requests: u64,
    elapsed_secs: f64,
    stopped: Option<&'static str>,
    exit_code: u8,
    journal: String,
    shard: Option<String>,
}

struct Shared<'a> {
    op: Op,
    client: &'a Client,
    journal: &'a journal::Writer,
    gate: pace::Gate,
    pacer: Option<pace::Pacer>,
    budget: pace::Budget,
    max_bytes: u64,
    skip_existing: bool,
    output: OutputFormat,
    requests: AtomicU64,
    /// Rows that went through `record` (finished or left pending).
    processed: AtomicU64,
    summary: Mutex<Summary>,
    progress: indicatif::ProgressBar,
    /// The first key rejection or "try later" message, for the final error.
    stop_message: Mutex<Option<String>>,
}

pub fn run(op: Op, manifest_name: &str, args: &BatchArgs, s: &Settings) -> Result<u8> {
    let started = Instant::now();
    if manifest_name == "-" && s.key_from_stdin() {
        return Err(Failure::new(
            Kind::Usage,
            "standard input cannot hold both the manifest and the API key",
        )
        .into());
    }
    // Configuration problems first: nothing else is worth doing without a key
    // (--dry-run sends nothing and needs none).
    let key = if s.dry_run {
        None
    } else {
        Some(target::key_for(s)?)
    };
    let manifest = Manifest::open(manifest_name, args.format)?;
    let journal_path = journal_path(op, manifest_name, args)?;
    let shard = args.shard.map(|(k, n)| format!("{k}/{n}"));
    let in_shard = |id: &str| args.shard.is_none_or(|(k, n)| shard_of(id, n) == k);

    // 1. The journal: lock it first (a second process stops here), and load it.
    let fresh = !journal_path.exists();
    let (file, loaded) = journal::open(&journal_path)?;
    // Until the run starts, a journal this run created is removed on the way out.
    let discard = |e: anyhow::Error| -> anyhow::Error {
        if fresh {
            let _ = std::fs::remove_file(&journal_path);
        }
        e
    };
    if let Some(jop) = &loaded.op
        && jop != op.name()
    {
        return Err(Failure::new(
            Kind::Usage,
            format!(
                "journal {} belongs to a batch {jop}, not {}: use another --journal",
                journal_path.display(),
                op.name()
            ),
        )
        .into());
    }
    if loaded.torn_tail {
        output::note(
            s.quiet,
            &format!(
                "warning: journal {} ended in a torn line (a crash mid-write); it was cut off",
                journal_path.display()
            ),
        );
    }

    // 2. Validate everything before anything is sent. Rows the journal knows are
    // fingerprinted now (to spot changed content); the others only have their files
    // checked, and are fingerprinted once, when they are sent.
    let mut problems: Vec<(RowError, Option<String>)> = vec![];
    let mut valid: Vec<(u64, String, Option<String>)> = vec![]; // (line, id, fp)
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for item in manifest.rows()? {
        let row = match item {
            Ok(r) => r,
            Err(e) => {
                problems.push((e, None));
                continue;
            }
        };
        if row.id.is_empty() {
            problems.push((
                RowError {
                    line: row.line,
                    message: "no id".into(),
                },
                None,
            ));
            continue;
        }
        if let Some(first) = first_line.get(&row.id) {
            let msg = format!(
                "duplicate id '{}' (first on line {first})",
                sanitize(&row.id, 80)
            );
            problems.push((
                RowError {
                    line: row.line,
                    message: msg,
                },
                Some(row.id.clone()),
            ));
            continue;
        }
        first_line.insert(row.id.clone(), row.line);
        if !in_shard(&row.id) {
            continue;
        }
        let checked = if loaded.rows.contains_key(&row.id) {
            load_row(op, &row, s.max_image_bytes)
                .map(|p| Some(fingerprint(op, p.as_ref(), &row.id)))
        } else {
            check_row(op, &row, s.max_image_bytes).map(|()| None)
        };
        match checked {
            Ok(fp) => valid.push((row.line, row.id.clone(), fp)),
            Err(m) => problems.push((
                RowError {
                    line: row.line,
                    message: m,
                },
                Some(row.id.clone()),
            )),
        }
    }
    drop(first_line);
    // Rows without an id belong to no shard: count them in shard 0 only.
    problems.retain(|(_, id)| {
        id.as_deref()
            .map_or(args.shard.is_none_or(|(k, _)| k == 0), &in_shard)
    });
    if !problems.is_empty() && !args.skip_invalid {
        list_problems(&manifest.name, &problems, "invalid");
        return Err(discard(Failure::new(
            Kind::Invalid,
            format!(
                "manifest {} has {} invalid row(s); nothing was sent (fix them, or run with --skip-invalid)",
                manifest.name,
                problems.len()
            ),
        )
        .into()));
    }

    // 3. Plan each row against the journal.
    let mut summary = Summary {
        op: op.name(),
        journal: journal_path.display().to_string(),
        shard: shard.clone(),
        total: (valid.len() + problems.len()) as u64,
        ..Default::default()
    };
    let mut changed: Vec<(RowError, Option<String>)> = vec![];
    let mut plan: HashMap<u64, Planned> = HashMap::new();
    for (line, id, fp) in valid {
        let h: Option<&History> = loaded.rows.get(&id);
        let mut landed = false;
        if let Some(h) = h {
            let fp = fp
                .as_deref()
                .expect("rows the journal knows are fingerprinted");
            if h.fp != fp && !args.accept_changed {
                let msg = format!(
                    "id '{}' changed since the journal recorded it (line {} then)",
                    sanitize(&id, 80),
                    h.line
                );
                changed.push((RowError { line, message: msg }, Some(id)));
                continue;
            }
            if h.fp == fp {
                match h.state {
                    Some(st) if st.is_final_success() => {
                        summary.already_done += 1;
                        continue;
                    }
                    Some(State::Failed | State::Invalid) if !args.retry_failed => {
                        summary.failed += 1;
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
    if !changed.is_empty() {
        list_problems(&manifest.name, &changed, "changed");
        return Err(discard(Failure::new(
            Kind::Invalid,
            format!(
                "{} row(s) changed since journal {} recorded them; nothing was sent (run with --accept-changed to send the new content)",
                changed.len(),
                journal_path.display()
            ),
        )
        .into()));
    }
    if s.dry_run {
        drop(file);
        if fresh {
            let _ = std::fs::remove_file(&journal_path);
        }
        return dry_run(&manifest, &plan, &summary, &problems, s);
    }
    let writer = journal::Writer::start(file, &journal_path);
    // Invalid rows, with --skip-invalid: recorded as failed, listed, the rest run.
    if !problems.is_empty() {
        list_problems(&manifest.name, &problems, "skipped, invalid");
        for (e, id) in &problems {
            summary.invalid += 1;
            let id = id.clone().unwrap_or_default();
            writer.append(&end_record(
                e.line,
                &id,
                "",
                0,
                State::Invalid,
                None,
                None,
                None,
                Some(Kind::Invalid),
                Some(&e.message),
                0,
            ))?;
            emit(
                s.output,
                e.line,
                &id,
                &Outcome::Invalid(e.message.clone()),
                0,
                op,
            );
        }
    }
    if plan.is_empty() {
        writer.flush()?;
        output::note(
            s.quiet,
            &format!(
                "nothing to do: journal {} shows every row finished",
                journal_path.display()
            ),
        );
        return finish(summary, started, args, s);
    }

    // 4. Run.
    output::note(s.quiet, &format!("journal: {}", journal_path.display()));
    writer.durable(&Record::Run {
        v: journal::VERSION,
        op: op.name().into(),
        manifest: manifest.name.clone(),
        shard: shard.clone(),
        pid: std::process::id(),
        at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    })?;
    install_interrupt_handler(s.quiet);
    let target = Target::open(s, key.as_ref().expect("resolved unless --dry-run"))?;
    let jobs = args.jobs.unwrap_or(4) as usize;
    let progress = if std::io::stderr().is_terminal() && !s.quiet {
        let pb = indicatif::ProgressBar::new(plan.len() as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} rows  {per_sec}  ETA {eta}  {msg}",
            )
            .expect("static template"),
        );
        pb
    } else {
        indicatif::ProgressBar::hidden()
    };
    let shared = Shared {
        op,
        client: &target.client,
        journal: &writer,
        gate: pace::Gate::new(jobs),
        pacer: args.rate.map(pace::Pacer::new),
        budget: pace::Budget::new(RETRY_BUDGET),
        max_bytes: s.max_image_bytes,
        skip_existing: args.skip_existing,
        output: s.output,
        requests: AtomicU64::new(0),
        processed: AtomicU64::new(0),
        summary: Mutex::new(summary),
        progress,
        stop_message: Mutex::new(None),
    };
    let to_run = plan.len() as u64;
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = mpsc::sync_channel::<(Row, Planned)>(jobs * 2);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..jobs {
            let rx = rx.clone();
            let shared = &shared;
            scope.spawn(move || {
                loop {
                    let next = rx.lock().unwrap().recv();
                    let Ok((row, planned)) = next else { break };
                    if stopped() {
                        continue; // drain: the row stays pending
                    }
                    process(shared, row, planned);
                }
            });
        }
        // Stream the manifest again; send the planned rows in manifest order.
        for item in manifest.rows()? {
            if stopped() {
                break;
            }
            let Ok(row) = item else { continue };
            let Some(p) = plan.remove(&row.line) else {
                continue;
            };
            if p.id_hash != fnv1a(&row.id) {
                // Left pending (counted, and found again by the next run).
                output::note(
                    s.quiet,
                    &format!(
                        "{}:{}: the manifest changed during the run; row left for the next run",
                        manifest.name, row.line
                    ),
                );
                continue;
            }
            if tx.send((row, p)).is_err() {
                break;
            }
        }
        drop(tx);
        Ok(())
    })?;
    let Shared {
        summary,
        requests,
        processed,
        progress,
        stop_message,
        ..
    } = shared;
    progress.finish_and_clear();
    let mut summary = summary.into_inner().unwrap();
    summary.requests = requests.into_inner();
    // Rows planned but never launched (the run stopped early) stay pending.
    summary.pending += to_run.saturating_sub(processed.into_inner());
    let flushed = writer.flush();
    drop(writer);
    target.finish()?;
    let mut stop_message = stop_message.into_inner().unwrap();
    if let Err(e) = flushed {
        stop(Stop::Journal);
        stop_message.get_or_insert_with(|| format!("{e:#}"));
    }
    let reason = stop_reason();
    summary.stopped = match reason {
        Stop::No => None,
        Stop::Interrupted => Some("interrupted"),
        Stop::KeyRejected => Some("key_rejected"),
        Stop::TryLater => Some("try_later"),
        Stop::Budget => Some("retry_budget"),
        Stop::Journal => Some("journal"),
    };
    // Only stops that are errors carry a message: printed even with --quiet.
    if let Some(m) = stop_message {
        eprintln!("biopass: stopped: {m}");
    }
    finish(summary, started, args, s)
}

/// `--dry-run`: what a run would do, row by row; nothing sent, nothing journaled.
fn dry_run(
    manifest: &Manifest,
    plan: &HashMap<u64, Planned>,
    summary: &Summary,
    problems: &[(RowError, Option<String>)],
    s: &Settings,
) -> Result<u8> {
    if !problems.is_empty() {
        list_problems(&manifest.name, problems, "would skip, invalid");
    }
    for row in manifest.rows()?.flatten() {
        if plan
            .get(&row.line)
            .is_some_and(|p| p.id_hash == fnv1a(&row.id))
        {
            match s.output {
                OutputFormat::Text => {
                    stdout_line(&format!("{}\tplanned\t", sanitize(&row.id, 200)))
                }
                OutputFormat::Json => stdout_line(
                    &json!({"line": row.line, "id": row.id, "outcome": "planned"}).to_string(),
                ),
            }
        }
    }
    output::note(
        s.quiet,
        &format!(
            "dry run: nothing was sent; {} of {} rows would be sent ({} already done, {} failed earlier, {} invalid)",
            plan.len(),
            summary.total,
            summary.already_done,
            summary.failed,
            problems.len()
        ),
    );
    Ok(0)
}

fn journal_path(op: Op, manifest: &str, args: &BatchArgs) -> Result<PathBuf> {
    if let Some(j) = &args.journal {
        return Ok(j.clone());
    }
    if manifest == "-" {
        return Err(Failure::new(
            Kind::Usage,
            "a manifest on standard input needs --journal FILE (to resume later)",
        )
        .into());
    }
    let shard = args
        .shard
        .map_or(String::new(), |(k, n)| format!(".shard-{k}-of-{n}"));
    Ok(PathBuf::from(format!(
        "{manifest}.{}{shard}.journal",
        op.name()
    )))
}

fn list_problems(manifest: &str, problems: &[(RowError, Option<String>)], what: &str) {
    let mut sorted: Vec<_> = problems.iter().collect();
    sorted.sort_by_key(|(e, _)| e.line);
    for (e, _) in sorted.iter().take(MAX_LISTED) {
        eprintln!("biopass: {manifest}:{}: {what}: {}", e.line, e.message);
    }
    if sorted.len() > MAX_LISTED {
        eprintln!("biopass: ... and {} more", sorted.len() - MAX_LISTED);
    }
}

#[allow(clippy::too_many_arguments)]
fn end_record(
    line: u64,
    id: &str,
    fp: &str,
    attempt: u32,
    state: State,
    status: Option<u16>,
    biopass_id: Option<String>,
    class: Option<Sent>,
    kind: Option<Kind>,
    error: Option<&str>,
    ms: u64,
) -> Record {
    Record::End {
        line,
        id: id.into(),
        fp: fp.into(),
        attempt,
        state,
        status,
        biopass_id,
        class: class.map(|c| match c {
            Sent::No => "not_sent".into(),
            Sent::Maybe => "maybe".into(),
            Sent::Rejected => "rejected".into(),
        }),
        kind: kind.map(|k| k.name().into()),
        error: error.map(|e| sanitize(e, 300)),
        ms,
    }
}

/// One row, start to end: load, check it is what was validated, send with retries.
fn process(sh: &Shared, row: Row, planned: Planned) {
    let (outcome, attempts) = match build(sh, &row, &planned) {
        Ok((body, fp)) => send(sh, &row, &planned, &fp, body),
        Err(msg) => {
            // No fingerprint: the content could not be read as validated.
            let _ = sh.journal.append(&end_record(
                row.line,
                &row.id,
                "",
                0,
                State::Invalid,
                None,
                None,
                None,
                Some(Kind::Invalid),
                Some(&msg),
                0,
            ));
            (Outcome::Invalid(msg), 0)
        }
    };
    record(sh, &row, &outcome, attempts);
}

/// Read the row's images once: its fingerprint and its body come from the same bytes.
fn build(sh: &Shared, row: &Row, planned: &Planned) -> Result<(Bytes, String), String> {
    let person = load_row(sh.op, row, sh.max_bytes)?;
    let fp = fingerprint(sh.op, person.as_ref(), &row.id);
    if planned.fp.as_ref().is_some_and(|known| *known != fp) {
        return Err("an image changed while the batch was running".into());
    }
    let body = match person {
        Some(p) => p.body(),
        None => request::delete_body(&row.id).map_err(|f| f.message)?,
    };
    Ok((Bytes::from(body), fp))
}

fn send(sh: &Shared, row: &Row, planned: &Planned, fp: &str, body: Bytes) -> (Outcome, u32) {
    let mut maybe_landed = planned.maybe_landed;
    let mut attempt = 0;
    loop {
        if !sh.gate.acquire(stopped) {
            return (Outcome::Pending, attempt);
        }
        if let Some(p) = &sh.pacer {
            sleep_unless_stopped(p.take());
            if stopped() {
                sh.gate.release();
                return (Outcome::Pending, attempt);
            }
        }
        attempt += 1;
        let start = Record::Start {
            line: row.line,
            id: row.id.clone(),
            fp: fp.to_string(),
            attempt,
        };
        if let Err(e) = sh.journal.durable(&start) {
            sh.gate.release();
            note_stop(sh, Stop::Journal, format!("{e:#}"));
            return (Outcome::Pending, attempt);
        }
        let t0 = Instant::now();
        sh.requests.fetch_add(1, Ordering::Relaxed);
        let result = sh.client.attempt(sh.op, &body, &|| false);
        sh.gate.release();
        let ms = t0.elapsed().as_millis() as u64;
        let end = |state, status, bid: Option<String>, class, kind, err: Option<&str>| {
            let _ = sh.journal.append(&end_record(
                row.line, &row.id, fp, attempt, state, status, bid, class, kind, err, ms,
            ));
        };
        let e = match result {
            Ok(reply) => {
                sh.gate.success();
                sh.budget.success();
                let bid = reply
                    .body
                    .person
                    .as_ref()
                    .and_then(|p| p.biopass_id.clone());
                end(
                    State::Done,
                    Some(reply.status),
                    bid.clone(),
                    None,
                    None,
                    None,
                );
                return (Outcome::Done(bid), attempt);
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
            Some(e.sent),
            Some(f.kind),
            Some(&f.message),
        );
        match next {
            Next::Finish(State::Reconciled) => return (Outcome::Reconciled, attempt),
            Next::Finish(State::Skipped) => return (Outcome::Skipped, attempt),
            Next::Finish(_) => {
                let failed = Outcome::Failed {
                    kind: f.kind,
                    status: f.status,
                    message: f.message.clone(),
                };
                return (failed, attempt);
            }
            Next::Stop(_, reason) => {
                note_stop(sh, reason, f.message.clone());
                return (Outcome::Pending, attempt);
            }
            Next::Retry(state) => maybe_landed |= state == State::Ambiguous,
        }
        if f.status == Some(429) {
            sh.gate.rate_limited(e.retry_after);
        }
        if attempt >= MAX_ATTEMPTS {
            return (Outcome::Pending, attempt);
        }
        if !sh.budget.spend() {
            note_stop(
                sh,
                Stop::Budget,
                format!("the retry budget is spent (last error: {})", f.message),
            );
            return (Outcome::Pending, attempt);
        }
        let wait = e.retry_after.unwrap_or_else(|| {
            backoff(attempt, Duration::from_millis(500), Duration::from_secs(20))
        });
        sleep_unless_stopped(wait);
    }
}

/// What to do after a failed attempt, and the state the journal records for it.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// The row is finished: reconciled, skipped or failed.
    Finish(State),
    /// The whole run stops launching rows; this row stays pending.
    Stop(State, Stop),
    /// Try the row again (if attempts and budget allow).
    Retry(State),
}

/// The retry rules, in one pure function. `maybe_landed`: an earlier attempt of the
/// same content (this run or a previous one) may have been acted on.
fn decide(
    op: Op,
    skip_existing: bool,
    maybe_landed: bool,
    e: &crate::client::AttemptError,
) -> Next {
    let f = &e.failure;
    // Our earlier attempt landed: the re-send meets its own result.
    let reconciles = maybe_landed
        && ((op == Op::Enroll && f.kind == Kind::AlreadyExists)
            || (op == Op::Delete && f.kind == Kind::NotFound));
    if reconciles {
        return Next::Finish(State::Reconciled);
    }
    if op == Op::Enroll && f.kind == Kind::AlreadyExists && skip_existing {
        return Next::Finish(State::Skipped);
    }
    if f.kind == Kind::KeyRejected {
        return Next::Stop(State::Transient, Stop::KeyRejected);
    }
    // A quota refusal, or a wait too long to sit through: stop, resumable.
    let quota = f.kind == Kind::TryLater && f.status != Some(429);
    if quota || e.retry_after.is_some_and(|ra| ra > MAX_WAIT) {
        // A 5xx may carry a long Retry-After too: keep "may have landed" for the resume.
        let state = if e.sent == Sent::Maybe {
            State::Ambiguous
        } else {
            State::Transient
        };
        return Next::Stop(state, Stop::TryLater);
    }
    match e.sent {
        Sent::Rejected => Next::Finish(State::Failed),
        Sent::Maybe => Next::Retry(State::Ambiguous),
        Sent::No => Next::Retry(State::Transient),
    }
}

fn sleep_unless_stopped(d: Duration) {
    let until = Instant::now() + d;
    while !stopped() {
        let now = Instant::now();
        if now >= until {
            return;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(50)));
    }
}

fn note_stop(sh: &Shared, reason: Stop, message: String) {
    stop(reason);
    sh.gate.wake_all();
    let mut m = sh.stop_message.lock().unwrap();
    if m.is_none() {
        *m = Some(message);
    }
}

fn record(sh: &Shared, row: &Row, outcome: &Outcome, attempts: u32) {
    sh.processed.fetch_add(1, Ordering::Relaxed);
    let mut sum = sh.summary.lock().unwrap();
    match outcome {
        Outcome::Done(_) => sum.succeeded += 1,
        Outcome::Reconciled => sum.reconciled += 1,
        Outcome::Skipped => sum.skipped += 1,
        Outcome::Failed { .. } => sum.failed += 1,
        Outcome::Invalid(_) => sum.invalid += 1,
        Outcome::Pending => sum.pending += 1,
    }
    let failures = sum.failed + sum.invalid;
    drop(sum);
    if !matches!(outcome, Outcome::Pending) {
        sh.progress
            .suspend(|| emit(sh.output, row.line, &row.id, outcome, attempts, sh.op));
    }
    sh.progress.inc(1);
    if failures > 0 {
        sh.progress.set_message(format!("{failures} failed"));
    }
}

/// One stdout line per finished row.
fn emit(format: OutputFormat, line: u64, id: &str, outcome: &Outcome, attempts: u32, op: Op) {
    let done = match op {
        Op::Enroll => "enrolled",
        Op::Update => "updated",
        Op::Delete => "deleted",
        Op::Verify => "verified",
    };
    let (name, bid, err) = match outcome {
        Outcome::Done(b) => (done, b.clone(), None),
        Outcome::Reconciled => ("reconciled", None, None),
        Outcome::Skipped => ("skipped", None, None),
        Outcome::Failed {
            kind,
            status,
            message,
        } => (
            "failed",
            None,
            Some((kind.name(), *status, message.clone())),
        ),
        Outcome::Invalid(m) => ("invalid", None, Some(("invalid", None, m.clone()))),
        Outcome::Pending => return,
    };
    match format {
        OutputFormat::Text => {
            let third = match (&bid, &err) {
                (Some(b), _) => sanitize(b, 100),
                (None, Some((kind, _, _))) => kind.to_string(),
                _ => String::new(),
            };
            stdout_line(&format!("{}\t{name}\t{third}", sanitize(id, 200)));
        }
        OutputFormat::Json => stdout_line(
            &json!({
                "line": line,
                "id": id,
                "outcome": name,
                "biopass_id": bid,
                "attempts": attempts,
                "error": err.map(|(kind, status, message)| json!({"kind": kind, "status": status, "message": message})),
            })
            .to_string(),
        ),
    }
}

fn install_interrupt_handler(quiet: bool) {
    let _ = ctrlc::set_handler(move || {
        if INTERRUPTS.fetch_add(1, Ordering::SeqCst) == 0 {
            stop(Stop::Interrupted);
            if !quiet {
                eprintln!(
                    "biopass: interrupted: finishing the requests in flight (Ctrl-C again to quit at once)"
                );
            }
        } else {
            // The journal stays consistent: every record is one whole-line write, and
            // every request in flight already has its durable start record.
            std::process::exit(Kind::Interrupted.exit_code() as i32);
        }
    });
}

fn finish(mut summary: Summary, started: Instant, args: &BatchArgs, s: &Settings) -> Result<u8> {
    summary.elapsed_secs = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    let code = match stop_reason() {
        Stop::Interrupted => Kind::Interrupted.exit_code(),
        Stop::KeyRejected => Kind::KeyRejected.exit_code(),
        Stop::Journal => Kind::Io.exit_code(),
        Stop::TryLater | Stop::Budget => Kind::TryLater.exit_code(),
        Stop::No if summary.pending > 0 => Kind::TryLater.exit_code(),
        Stop::No if summary.failed + summary.invalid > 0 => 1,
        Stop::No => 0,
    };
    summary.exit_code = code;
    let done_word = match summary.op {
        "enroll" => "enrolled",
        "update" => "updated",
        _ => "deleted",
    };
    if !s.quiet || code != 0 {
        eprintln!(
            "biopass: {} rows: {} {done_word}, {} reconciled, {} already done, {} skipped, {} failed, {} invalid, {} pending; {} requests in {:.1}s{}",
            summary.total,
            summary.succeeded,
            summary.reconciled,
            summary.already_done,
            summary.skipped,
            summary.failed,
            summary.invalid,
            summary.pending,
            summary.requests,
            summary.elapsed_secs,
            if summary.pending > 0 {
                " (run the same command again to resume)"
            } else {
                ""
            }
        );
    }
    if let Some(path) = &args.summary_json {
        let text = serde_json::to_string_pretty(&summary).expect("plain data") + "\n";
        std::fs::write(path, text).map_err(|e| {
            Failure::new(
                Kind::Io,
                format!("cannot write summary {}: {e}", path.display()),
            )
        })?;
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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
    fn fingerprint_covers_images() {
        let img = |b: &[u8]| image::check(&Source::File("x".into()), b.to_vec(), 100).unwrap();
        let p = |b: &[u8]| LoadedPerson {
            custom_id: "1".into(),
            faces: vec![img(b)],
            fingers: vec![],
        };
        let a = fingerprint(Op::Enroll, Some(&p(b"\xff\xd8\xffA")), "1");
        assert_eq!(a, fingerprint(Op::Enroll, Some(&p(b"\xff\xd8\xffA")), "1"));
        assert_ne!(a, fingerprint(Op::Enroll, Some(&p(b"\xff\xd8\xffB")), "1"));
        assert_ne!(a, fingerprint(Op::Update, Some(&p(b"\xff\xd8\xffA")), "1"));
        assert_ne!(a, fingerprint(Op::Enroll, Some(&p(b"\xff\xd8\xffA")), "2"));
    }

    fn attempt_error(
        kind: Kind,
        sent: Sent,
        status: u16,
        retry_after: Option<u64>,
    ) -> crate::client::AttemptError {
        crate::client::AttemptError {
            failure: Failure {
                kind,
                status: Some(status),
                message: "m".into(),
            },
            sent,
            retry_after: retry_after.map(Duration::from_secs),
            unavailable: false,
            after_maybe: false,
        }
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
            (Op::Enroll, false, false, KeyRejected,   Sent::No,       401, None,      Next::Stop(State::Transient, Stop::KeyRejected)),
            (Op::Enroll, false, false, TryLater,      Sent::No,       429, Some(2),   Retry(State::Transient)),
            (Op::Enroll, false, false, TryLater,      Sent::No,       429, Some(61),  Next::Stop(State::Transient, Stop::TryLater)),
            (Op::Enroll, false, false, TryLater,      Sent::No,       403, Some(5),   Next::Stop(State::Transient, Stop::TryLater)),
            (Op::Enroll, false, false, Unavailable,   Sent::Maybe,    503, Some(120), Next::Stop(State::Ambiguous, Stop::TryLater)),
            (Op::Enroll, false, false, Unavailable,   Sent::Maybe,    502, None,      Retry(State::Ambiguous)),
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

    #[test]
    fn journal_path_defaults_beside_the_manifest() {
        let a = BatchArgs::default();
        assert_eq!(
            journal_path(Op::Enroll, "d/m.csv", &a).unwrap(),
            Path::new("d/m.csv.enroll.journal")
        );
        let a = BatchArgs {
            shard: Some((1, 4)),
            ..Default::default()
        };
        assert_eq!(
            journal_path(Op::Delete, "m.csv", &a).unwrap(),
            Path::new("m.csv.delete.shard-1-of-4.journal")
        );
        assert!(journal_path(Op::Enroll, "-", &BatchArgs::default()).is_err());
    }
}
