//! `enroll|update|delete --from MANIFEST`: the library's batch engine, with rows on
//! stdout, problems, notes and a progress bar on stderr, and the summary.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::Result;
use biopass::batch::{self, Outcome, Problems, Reporter, RowResult, Summary, manifest};
use biopass::error::{Failure, Kind};
use biopass::request::Op;
use biopass::sanitize::{clean, sanitize};
use biopass::stop::Stop;
use serde_json::json;

use super::target;
use crate::cli::{BatchArgs, ManifestFormat, OutputFormat};
use crate::render;
use crate::settings::Settings;

/// Concurrent requests unless `--jobs`.
const DEFAULT_JOBS: usize = 4;

pub fn run(op: Op, manifest: &str, args: &BatchArgs, s: &Settings, stop: &Arc<Stop>) -> Result<u8> {
    if manifest == "-" && s.key_from_stdin() {
        return Err(Failure::new(
            Kind::Usage,
            "standard input cannot hold both the manifest and the API key",
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
        format: args.format.map(|f| match f {
            ManifestFormat::Csv => manifest::Format::Csv,
            ManifestFormat::Tsv => manifest::Format::Tsv,
            ManifestFormat::Jsonl => manifest::Format::Jsonl,
        }),
        delimiter: args.delimiter,
        journal,
        jobs: args.jobs.map_or(DEFAULT_JOBS, usize::from),
        rate: args.rate,
        retry_failed: args.retry_failed,
        skip_invalid: args.skip_invalid,
        skip_existing: args.skip_existing,
        accept_changed: args.accept_changed,
        shard: args.shard,
        max_image_bytes: s.max_image_bytes,
        dry_run: s.dry_run,
        target: spec.identity(),
        env: format!("{:?}", s.env).to_lowercase(),
    };
    let reporter = Terminal::new(s);
    let report = batch::run(&cfg, &spec, &reporter, stop);
    let stop_message = stop.message().map(|m| sanitize(&m, 500));
    if let (Some(m), None) = (&stop_message, &report.error) {
        // Only stops that are errors carry a message: printed even with --quiet.
        eprintln!("biopass: stopped: {m}");
    }
    if let Some(summary) = &report.summary {
        print_summary(summary, s, stop_message.as_deref());
        if let Some(path) = &args.summary_json {
            let text = serde_json::to_string_pretty(summary).expect("plain data") + "\n";
            std::fs::write(path, text).map_err(|e| {
                Failure::new(
                    Kind::Io,
                    format!("cannot write summary {}: {e}", path.display()),
                )
            })?;
        }
    }
    match report.error {
        Some(e) => Err(e),
        None => Ok(report
            .summary
            .expect("a run without error has a summary")
            .exit_code),
    }
}

fn print_summary(summary: &Summary, s: &Settings, stop_message: Option<&str>) {
    if s.quiet && summary.exit_code == 0 {
        return;
    }
    if summary.dry_run {
        return; // the dry run's own note says it all
    }
    let done_word = batch::report::done_word(match summary.op {
        "enroll" => Op::Enroll,
        "update" => Op::Update,
        _ => Op::Delete,
    });
    let mut line = format!(
        "biopass: {} rows: {} {done_word}, {} reconciled, {} already done, {} skipped, {} failed, {} invalid, {} pending; {} requests in {:.1}s",
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
        line.push_str(" (run the same command again to resume)");
    }
    eprintln!("{line}");
}

/// The batch reporter of the command line.
struct Terminal {
    output: OutputFormat,
    quiet: bool,
    progress: indicatif::ProgressBar,
}

impl Terminal {
    fn new(s: &Settings) -> Terminal {
        Terminal {
            output: s.output,
            quiet: s.quiet,
            progress: indicatif::ProgressBar::hidden(),
        }
    }

    fn line(&self, row: &RowResult<'_>) -> String {
        let (bid, err) = match row.outcome {
            Outcome::Done(b) => (b.clone(), None),
            Outcome::Failed {
                kind,
                status,
                message,
            } => (None, Some((kind.name(), *status, message.clone()))),
            Outcome::Invalid(m) => (None, Some(("invalid", None, m.clone()))),
            _ => (None, None),
        };
        let name = row.outcome.name(row.op);
        match self.output {
            OutputFormat::Text => {
                let third = match (&bid, &err) {
                    (Some(b), _) => clean(b),
                    (None, Some((kind, _, _))) => kind.to_string(),
                    _ => String::new(),
                };
                format!("{}\t{name}\t{third}", clean(row.id))
            }
            OutputFormat::Json => json!({
                "line": row.line,
                "id": row.id,
                "outcome": name,
                "biopass_id": bid,
                "attempts": row.attempts,
                "error": err.map(|(kind, status, message)| json!({"kind": kind, "status": status, "message": message})),
            })
            .to_string(),
        }
    }
}

impl Reporter for Terminal {
    fn row(&self, row: &RowResult<'_>) -> std::io::Result<()> {
        let line = self.line(row);
        let mut result = Ok(());
        self.progress
            .suspend(|| result = render::stdout_line(&line));
        result
    }

    fn problems(&self, manifest: &str, what: Problems, list: &[manifest::RowError], more: usize) {
        let manifest = sanitize(manifest, 200);
        for e in list {
            eprintln!(
                "biopass: {manifest}:{}: {}: {}",
                e.line,
                what.label(),
                sanitize(&e.message, 300)
            );
        }
        if more > 0 {
            eprintln!("biopass: ... and {more} more");
        }
    }

    fn note(&self, message: &str) {
        self.progress
            .suspend(|| render::note(self.quiet, &sanitize(message, 1000)));
    }

    fn started(&self, rows: u64) {
        if std::io::stderr().is_terminal() && !self.quiet {
            self.progress
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.progress.set_length(rows);
            self.progress.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} rows  {per_sec}  ETA {eta}  {msg}",
                )
                .expect("static template"),
            );
        }
    }

    fn advanced(&self, failures: u64) {
        self.progress.inc(1);
        if failures > 0 {
            self.progress.set_message(format!("{failures} failed"));
        }
    }

    fn finished(&self) {
        self.progress.finish_and_clear();
    }
}
