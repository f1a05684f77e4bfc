//! `enroll|update|delete --from MANIFEST`: the library's batch engine, with rows on
//! stdout, problems, notes and progress (a bar on a terminal, else a status line at
//! an interval) on stderr, and the summary.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use anyhow::Result;
use biopass::batch::{self, Outcome, Problems, Reporter, RowResult, Summary, manifest};
use biopass::error::{self, Failure, Kind};
use biopass::request::{AnswerShape, Op};
use biopass::sanitize::{clean, sanitize};
use biopass::stop::Stop;
use serde_json::json;

use super::target;
use crate::cli::{BatchArgs, OutputFormat};
use crate::render;
use crate::settings::Settings;

/// Concurrent requests unless `--jobs`.
const DEFAULT_JOBS: usize = 4;

/// Passes in all unless `--passes`.
const DEFAULT_PASSES: u32 = 3;

pub fn run(
    op: Op,
    manifest: &str,
    args: &BatchArgs,
    s: &Settings,
    stop: &Arc<Stop>,
) -> Result<error::Status> {
    if manifest == "-" && s.key_from_stdin() {
        return Err(Failure::new(
            Kind::Usage,
            "standard input cannot hold both the manifest and the API key",
        )
        .into());
    }
    if op == Op::Enroll && args.accept_changed {
        // Re-sending a changed row as an enroll can only fail "already exists" and
        // would hide the earlier success: new images of an enrolled person are an
        // update.
        return Err(Failure::new(
            Kind::Usage,
            "--accept-changed does not apply to enroll: a person already enrolled gets new images with `biopass update --from MANIFEST`",
        )
        .into());
    }
    // Configuration problems first: nothing else is worth doing without a key
    // (--dry-run sends nothing and needs none).
    let key = target::key_unless_dry_run(s)?;
    let spec = target::spec(s, key);
    let journal = match &args.journal {
        Some(j) => j.clone(),
        None => batch::default_journal(op, manifest, args.shard)?,
    };
    let cfg = batch::Config {
        op,
        manifest: manifest.to_string(),
        read: args.read.options(),
        journal,
        jobs: args.jobs.map_or(DEFAULT_JOBS, usize::from),
        rate: args.rate,
        retry_failed: args.retry_failed,
        skip_invalid: args.skip_invalid,
        skip_existing: args.skip_existing,
        accept_changed: args.accept_changed,
        shard: args.shard,
        images: s.images(),
        dry_run: s.dry_run,
        passes: args.passes.unwrap_or(DEFAULT_PASSES),
        target: spec.identity(),
        env: format!("{:?}", s.env).to_lowercase(),
    };
    let interval = match args.progress_interval {
        Some(d) => Some(d),
        None => progress_interval_from_env()?,
    };
    let mut reporter = Terminal::new(s, interval);
    reporter.summary_json = args.summary_json.clone();
    let mut report = batch::run(&cfg, &spec, &reporter, stop);
    if let Some(summary) = &mut report.summary {
        summary.exit_code = match &report.error {
            Some(e) => crate::exit::of_error(e),
            None => crate::exit::of_status(summary.status),
        };
    }
    let stop_message = stop.message().map(|m| sanitize(&m, 500));
    if let (Some(m), None) = (&stop_message, &report.error) {
        // Only stops that are errors carry a message: printed even with --quiet.
        diag!("biopass: stopped: {m}");
    }
    let mut summary_failed = None;
    if let Some(summary) = &report.summary {
        print_summary(summary, s, stop_message.as_deref());
        // A dry run writes nothing else, but the summary asked for is its result
        // (`"dry_run": true`), for a script that plans before it sends.
        if let Some(path) = args.summary_json.as_ref() {
            let text = serde_json::to_string_pretty(summary).expect("plain data") + "\n";
            if let Err(e) = std::fs::write(path, text) {
                summary_failed = Some(Failure::new(
                    Kind::Io,
                    format!("cannot write summary {}: {e}", path.display()),
                ));
            }
        }
    }
    // The run's own error comes first; a summary that could not be written is then
    // only mentioned.
    match (report.error, summary_failed) {
        (Some(e), Some(f)) => {
            diag!("biopass: {}", f.message);
            Err(e)
        }
        (Some(e), None) => Err(e),
        (None, Some(f)) => Err(f.into()),
        (None, None) => Ok(report
            .summary
            .expect("a run without error has a summary")
            .status),
    }
}

/// Whether `path` can take the summary: an existing file is opened for writing (not
/// truncated), a new one is created and removed. A FIFO is left alone (opening it
/// would wait for a reader).
fn check_writable(path: &std::path::Path) -> Result<()> {
    let cannot = |e: std::io::Error| -> anyhow::Error {
        Failure::new(
            Kind::Io,
            format!(
                "cannot write summary {}: {e}; nothing was sent (choose a writable --summary-json path)",
                sanitize(&path.display().to_string(), 300)
            ),
        )
        .into()
    };
    match std::fs::metadata(path) {
        Ok(m) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                if m.file_type().is_fifo() {
                    return Ok(());
                }
            }
            if m.is_dir() {
                return Err(cannot(std::io::Error::from(
                    std::io::ErrorKind::IsADirectory,
                )));
            }
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(cannot)?;
        }
        Err(_) => {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(cannot)?;
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

/// `BIOPASS_PROGRESS_INTERVAL`, if set (`--progress-interval` wins over it).
fn progress_interval_from_env() -> Result<Option<Duration>> {
    match std::env::var("BIOPASS_PROGRESS_INTERVAL") {
        Ok(v) if !v.is_empty() => crate::cli::parse_progress_interval(v.trim())
            .map(Some)
            .map_err(|e| crate::env::bad("BIOPASS_PROGRESS_INTERVAL".as_ref(), &e).into()),
        _ => Ok(None),
    }
}

fn print_summary(summary: &Summary, s: &Settings, stop_message: Option<&str>) {
    if s.quiet && summary.exit_code == 0 {
        return;
    }
    if summary.dry_run {
        return; // the dry run's own note says it all
    }
    let op = Op::from_name(summary.op);
    let done_word = op.map_or("done", batch::report::done_word);
    // Verify: the verdicts of every row answered, in this run or an earlier one.
    let verdicts = if op.is_some_and(|op| op.spec().answer == AnswerShape::Match) {
        format!(
            "; {} matched, {} not matched",
            summary.matched, summary.not_matched
        )
    } else {
        String::new()
    };
    let mut line = format!(
        "biopass: {} rows: {} {done_word}, {} reconciled, {} already done, {} skipped, {} failed, {} invalid, {} pending{verdicts}; {} requests in {:.1}s",
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
    );
    if summary.passes.len() > 1 {
        let settled: Vec<String> = summary.passes.iter().map(u64::to_string).collect();
        line.push_str(&format!("; settled by pass: {}", settled.join(", ")));
    }
    if summary.pending > 0 {
        if let Some(why) = summary.stopped {
            line.push_str(&format!("; stopped: {why}"));
        }
        if let Some(e) = &summary.last_error {
            let e = sanitize(e, 300);
            // The stop message was printed just before: do not say it twice.
            if stop_message.is_none_or(|m| !m.starts_with(e.trim_end_matches('…'))) {
                line.push_str(&format!("; last error: {e}"));
            }
        }
        line.push_str(match summary.stopped {
            Some("invalid_rows") => {
                " (fix the invalid rows listed above, or run with --skip-invalid to send the others)"
            }
            Some("changed_rows") if summary.op == Op::Enroll.name() => {
                " (to send the new content of enrolled people, run `biopass update --from` with a manifest of those rows)"
            }
            Some("changed_rows") => {
                " (restore the rows listed above, or run with --accept-changed to send their new content)"
            }
            _ => " (run the same command again to resume)",
        });
    }
    diag!("{line}");
}

/// Row messages are cut to this many characters.
const ROW_MESSAGE_MAX: usize = 200;

/// Status lines every this often when stderr is not a terminal, unless
/// `--progress-interval`.
const DEFAULT_PROGRESS_INTERVAL: Duration = Duration::from_secs(10);

/// The counts behind both progress displays.
struct Status {
    started: Mutex<Instant>,
    total: AtomicU64,
    done: AtomicU64,
    /// Rows by outcome word, as reported so far in this run.
    outcomes: Mutex<BTreeMap<&'static str, u64>>,
}

impl Status {
    /// `12/200 rows: 10 enrolled, 2 failed; 4.1 rows/s; ETA 46s`
    fn line(&self) -> String {
        let total = self.total.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed);
        let secs = self
            .started
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .elapsed()
            .as_secs_f64();
        let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
        let outcomes = self.outcomes.lock().unwrap_or_else(|p| p.into_inner());
        let counts: Vec<String> = outcomes.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let counts = if counts.is_empty() {
            String::new()
        } else {
            format!(": {}", counts.join(", "))
        };
        let eta = if done >= total {
            "0s".to_string()
        } else if rate > 0.0 {
            fmt_eta((total - done) as f64 / rate)
        } else {
            "unknown".to_string()
        };
        format!(
            "progress: {done}/{total} rows{counts}; {} rows/s; ETA {eta}",
            fmt_rate(rate)
        )
    }
}

/// A rate as people read it: `0.25`, `2.5`, `25`.
fn fmt_rate(r: f64) -> String {
    if r < 1.0 {
        format!("{r:.2}")
    } else if r < 10.0 {
        format!("{r:.1}")
    } else {
        format!("{r:.0}")
    }
}

/// A time left: `46s`, `3m05s`, `2h07m`.
fn fmt_eta(secs: f64) -> String {
    let s = secs.round().min(u64::MAX as f64) as u64;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, s / 60 % 60)
    }
}

/// The batch reporter of the command line: rows on stdout; on stderr notes, and
/// progress: a bar on a terminal, else a status line every `interval` (printed by a
/// timer thread, so a stalled run still says where it is).
struct Terminal {
    output: OutputFormat,
    quiet: bool,
    interval: Duration,
    progress: indicatif::ProgressBar,
    status: Arc<Status>,
    /// The status-line thread and the sender whose drop stops it.
    ticker: Mutex<Option<(mpsc::Sender<()>, std::thread::JoinHandle<()>)>>,
    /// `--summary-json`, checked before the first request.
    summary_json: Option<std::path::PathBuf>,
}

impl Terminal {
    fn new(s: &Settings, interval: Option<Duration>) -> Terminal {
        Terminal {
            output: s.output,
            quiet: s.quiet,
            interval: interval.unwrap_or(DEFAULT_PROGRESS_INTERVAL),
            progress: indicatif::ProgressBar::hidden(),
            status: Arc::new(Status {
                started: Mutex::new(Instant::now()),
                total: AtomicU64::new(0),
                done: AtomicU64::new(0),
                outcomes: Mutex::new(BTreeMap::new()),
            }),
            ticker: Mutex::new(None),
            summary_json: None,
        }
    }

    fn line(&self, row: &RowResult<'_>) -> String {
        let (bid, err) = match row.outcome {
            Outcome::Done(b) => (b.clone(), None),
            Outcome::Failed {
                kind,
                status,
                message,
            } => (None, Some((kind.name(), *status, message.as_str()))),
            Outcome::Invalid(m) => (None, Some(("invalid", None, m.as_str()))),
            _ => (None, None),
        };
        // Sanitised (no tabs or newlines) and shortened, the same in both formats.
        let message = err.map(|(_, _, m)| sanitize(m, ROW_MESSAGE_MAX));
        let name = row.outcome.name(row.op);
        match self.output {
            OutputFormat::Text => {
                let mut line = format!("{}\t{name}", clean(row.id));
                match (&bid, &err, &message) {
                    // `ID<TAB>match`, `ID<TAB>no_match`: the verdict is the result;
                    // so is a dry run's `ID<TAB>planned`.
                    _ if matches!(row.outcome, Outcome::Verified { .. } | Outcome::Planned) => {}
                    (Some(b), _, _) => line.push_str(&format!("\t{}", clean(b))),
                    (None, Some((kind, _, _)), Some(m)) => line.push_str(&format!("\t{kind}\t{m}")),
                    _ => line.push('\t'),
                }
                line
            }
            OutputFormat::Json => {
                let mut v = json!({
                    "line": row.line,
                    "id": row.id,
                    "outcome": name,
                    "biopass_id": bid,
                    "attempts": row.attempts,
                    // `error` as before (scripts read it); `error_kind` and `message` as
                    // in `biopass report`, `message` as in the text line.
                    "error": err.map(|(kind, status, m)| json!({"kind": kind, "status": status, "message": m})),
                    "error_kind": err.map(|(kind, _, _)| kind),
                    "message": message,
                });
                // Verify rows also carry the service's details (null when the row
                // was not answered).
                if row.op.spec().answer == AnswerShape::Match {
                    let (face, fingers) = match row.outcome {
                        Outcome::Verified {
                            face_matched,
                            non_matched_fingers,
                            ..
                        } => (*face_matched, non_matched_fingers.clone()),
                        _ => (None, None),
                    };
                    v["face_matched"] = json!(face);
                    v["non_matched_fingers"] = json!(fingers);
                }
                render::json_text(&v)
            }
        }
    }

    fn stop_ticker(&self) {
        let ticker = self.ticker.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some((tx, handle)) = ticker {
            drop(tx);
            let _ = handle.join();
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.stop_ticker();
    }
}

impl Reporter for Terminal {
    fn row(&self, row: &RowResult<'_>) -> std::io::Result<()> {
        *self
            .status
            .outcomes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(row.outcome.name(row.op))
            .or_default() += 1;
        let line = self.line(row);
        let mut result = Ok(());
        self.progress
            .suspend(|| result = render::stdout_line(&line));
        result
    }

    fn problems(&self, manifest: &str, what: Problems, list: &[manifest::RowError], more: usize) {
        let manifest = sanitize(manifest, 200);
        for e in list {
            diag!(
                "biopass: {manifest}:{}: {}: {}",
                e.line,
                what.label(),
                sanitize(&e.message, 300)
            );
        }
        if more > 0 {
            diag!("biopass: ... and {more} more");
        }
    }

    fn note(&self, message: &str) {
        self.progress
            .suspend(|| render::note(self.quiet, &sanitize(message, 1000)));
    }

    fn started(&self, rows: u64) {
        *self
            .status
            .started
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Instant::now();
        self.status.total.store(rows, Ordering::Relaxed);
        if self.quiet {
            return;
        }
        if std::io::stderr().is_terminal() {
            self.progress
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.progress.set_length(rows);
            self.progress.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} rows  {rate}  ETA {eta}  {msg}",
                )
                .expect("static template")
                .with_key(
                    "rate",
                    |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}/s", fmt_rate(s.per_sec()));
                    },
                ),
            );
        } else if !self.interval.is_zero() {
            let (tx, rx) = mpsc::channel::<()>();
            let status = self.status.clone();
            let interval = self.interval;
            let handle = std::thread::Builder::new()
                .name("progress".into())
                .spawn(move || {
                    // Ends when the sender is dropped (the run finished).
                    while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(interval) {
                        diag!("biopass: {}", status.line());
                    }
                })
                .expect("spawning the progress thread");
            *self.ticker.lock().unwrap_or_else(|p| p.into_inner()) = Some((tx, handle));
        }
    }

    fn advanced(&self, failures: u64) {
        self.status.done.fetch_add(1, Ordering::Relaxed);
        self.progress.inc(1);
        if failures > 0 {
            self.progress.set_message(format!("{failures} failed"));
        }
    }

    fn ready(&self) -> Result<()> {
        // A summary that cannot be written is found before the first request, not
        // after every row was sent (and after the manifest's own problems).
        match &self.summary_json {
            Some(path) => check_writable(path),
            None => Ok(()),
        }
    }

    fn finished(&self) {
        self.stop_ticker();
        self.progress.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_rounded_for_people() {
        assert_eq!(fmt_rate(25.2499), "25");
        assert_eq!(fmt_rate(2.5249), "2.5");
        assert_eq!(fmt_rate(0.2549), "0.25");
        assert_eq!(fmt_rate(0.0), "0.00");
        assert_eq!(fmt_eta(45.6), "46s");
        assert_eq!(fmt_eta(185.0), "3m05s");
        assert_eq!(fmt_eta(7620.0), "2h07m");
    }
}
