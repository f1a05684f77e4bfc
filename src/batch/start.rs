//! Steps 1 to 3 of a batch run (see [`super::run`]), up to the first request: the
//! journal opened and locked, the manifest validated and planned against it, what
//! it says of the valid rows counted, and the journal's writer started with the
//! run record; or, for a dry run, the plan shown.

use std::sync::Arc;

use anyhow::Result;

use super::journal::{self, Record};
use super::manifest::{self, Manifest};
use super::{
    Config, Failed, MAX_LISTED, Outcome, Problems, Reporter, RowResult, Summary, plan, worker,
};
use crate::error::{Failure, Kind};
use crate::request::Op;
use crate::stop::Stop;

/// Step 1 of a run, the journal: lock it first (a second process stops here), and
/// load it. A dry run only reads it. The opened file is left in `journal_file`.
pub(super) fn open_journal(
    cfg: &Config,
    reporter: &dyn Reporter,
    journal_file: &mut Option<journal::Opened>,
) -> Result<journal::Loaded, Failed> {
    let early = |e: anyhow::Error| (e, false);
    let loaded = if cfg.dry_run {
        journal::peek(&cfg.journal).map_err(early)?
    } else {
        let (opened, loaded) = journal::open(&cfg.journal).map_err(early)?;
        *journal_file = Some(opened);
        loaded
    };
    plan::check_binding(cfg, &loaded).map_err(|f| early(f.into()))?;
    if let Some(opened) = journal_file.as_mut() {
        opened.prepare(&loaded).map_err(early)?;
    }
    if loaded.torn_tail {
        reporter.note(&format!(
            "warning: journal {} ended in a torn line (a crash mid-write); {}",
            cfg.journal.display(),
            if cfg.dry_run {
                "a real run will cut it off"
            } else {
                "it was cut off"
            }
        ));
    }
    Ok(loaded)
}

/// Step 2 of a run: validate everything before anything is sent, planning each row
/// against the journal on the way. Invalid rows end the run here, unless
/// `--skip-invalid`.
pub(super) fn validate(
    cfg: &Config,
    manifest: &Manifest,
    loaded: journal::Loaded,
    reporter: &dyn Reporter,
    stop: &Arc<Stop>,
    summary: &mut Summary,
) -> Result<plan::Validated, Failed> {
    let early = |e: anyhow::Error| (e, false);
    let validated = plan::validate(cfg, manifest, &loaded, stop).map_err(early)?;
    drop(loaded);
    let (problems, valid) = (&validated.problems, validated.valid);
    let (ignored, ignored_count) = manifest.ignored_columns().map_err(early)?;
    if !ignored.is_empty() {
        let more = ignored_count.saturating_sub(ignored.len());
        reporter.note(&format!(
            "warning: manifest {}: ignoring column(s) {}{}: biopass reads only {}",
            manifest.name,
            ignored
                .iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            manifest::columns::summary()
        ));
    }
    summary.total = valid + problems.count;
    if problems.count > 0 && !cfg.skip_invalid {
        list(reporter, &manifest.name, Problems::Invalid, problems);
        summary.invalid = problems.count;
        summary.pending = valid;
        summary.stopped = Some("invalid_rows");
        let e = Failure::new(
            Kind::Invalid,
            format!(
                "manifest {} has {} invalid row(s); nothing was sent (fix them, or run with --skip-invalid)",
                manifest.name, problems.count
            ),
        );
        return Err((e.into(), true));
    }
    Ok(validated)
}

/// Step 3 of a run, what the journal says of the valid rows: they are counted, and
/// rows changed since it recorded them end the run here. Then a dry run shows its plan; a real run starts
/// the journal's writer with the run record, and records (`--skip-invalid`) the
/// invalid rows. `None`: the run ends here (a dry run, nothing to send, a stop).
pub(super) fn start_run(
    cfg: &Config,
    manifest: &Manifest,
    validated: plan::Validated,
    reporter: &dyn Reporter,
    stop: &Arc<Stop>,
    summary: &mut Summary,
    journal_file: &mut Option<journal::Opened>,
) -> Result<Option<(journal::Writer, plan::Plan)>, Failed> {
    let early = |e: anyhow::Error| (e, false);
    let plan::Validated {
        mut plan,
        problems,
        changed,
        valid: _,
        already_done,
        already_verdicts,
        failed,
    } = validated;
    summary.already_done += already_done;
    summary.matched += already_verdicts.0;
    summary.not_matched += already_verdicts.1;
    let mut kinds: Vec<_> = failed.into_iter().collect();
    kinds.sort();
    for (kind, n) in kinds {
        summary.failed += n;
        for _ in 0..n {
            summary.count_error(&kind);
        }
    }
    if changed.count > 0 {
        list(reporter, &manifest.name, Problems::Changed, &changed);
        summary.invalid = problems.count;
        summary.pending = summary
            .total
            .saturating_sub(summary.already_done + summary.failed + summary.invalid);
        summary.stopped = Some("changed_rows");
        let what_to_do = if cfg.op == Op::Enroll {
            "restore those rows to resume this enroll; to send new images of people already enrolled, use `biopass update --from` with a manifest of them"
        } else {
            "restore those rows, or run with --accept-changed to send the new content"
        };
        let e = Failure::new(
            Kind::Invalid,
            format!(
                "{} row(s) changed since journal {} recorded them; nothing was sent ({what_to_do})",
                changed.count,
                cfg.journal.display()
            ),
        );
        return Err((e.into(), true));
    }
    if cfg.dry_run {
        dry_run(cfg, manifest, &mut plan, summary, &problems, reporter).map_err(|e| (e, true))?;
        return Ok(None);
    }
    reporter.ready().map_err(early)?;
    let opened = journal_file.take().expect("opened unless dry run");
    let writer = journal::Writer::start(opened.file, &cfg.journal);
    writer.group(cfg.jobs);
    // The run record comes first: it binds the journal to this target before any row
    // is recorded.
    writer
        .durable(&Record::Run {
            v: journal::VERSION,
            op: cfg.op.name().into(),
            manifest: manifest.name.clone(),
            target: Some(cfg.target.clone()),
            env: Some(cfg.env.clone()),
            shard: summary.shard.clone(),
            pid: std::process::id(),
            at: crate::time::now_secs(),
        })
        .map_err(|e| (e, true))?;
    // Invalid rows, with --skip-invalid: recorded as invalid, listed, the rest run.
    if problems.count > 0 {
        list(
            reporter,
            &manifest.name,
            Problems::SkippedInvalid,
            &problems,
        );
        for (e, id) in problems.all.iter().flatten() {
            let id = id.as_deref().unwrap_or_default();
            writer
                .append(&worker::End::invalid(e.line, id, &e.message).record())
                .map_err(|e| (e, true))?;
        }
        // Printed once the journal has them (see `worker::finish`).
        writer.flush().map_err(|e| (e, true))?;
        for (e, id) in problems.all.iter().flatten() {
            summary.invalid += 1;
            let id = id.as_deref().unwrap_or_default();
            let outcome = Outcome::Invalid(e.message.clone());
            let row = RowResult {
                op: cfg.op,
                line: e.line,
                id,
                outcome: &outcome,
                attempts: 0,
            };
            if let Err(err) = reporter.row(&row) {
                stop.request(
                    crate::stop::Reason::OutputClosed,
                    Some(format!("cannot write results to standard output ({err})")),
                );
                break;
            }
        }
    }
    if plan.is_empty() || stop.is_requested() {
        summary.pending += plan.len();
        writer.flush().map_err(|e| (e, true))?;
        if plan.is_empty() {
            reporter.note(&format!(
                "nothing to do: journal {} shows every row finished",
                cfg.journal.display()
            ));
        }
        return Ok(None);
    }
    Ok(Some((writer, plan)))
}

/// `--dry-run`: what a run would do, row by row; nothing sent, nothing written.
fn dry_run(
    cfg: &Config,
    manifest: &Manifest,
    plan: &mut plan::Plan,
    summary: &mut Summary,
    problems: &plan::Found,
    reporter: &dyn Reporter,
) -> Result<()> {
    if problems.count > 0 {
        list(reporter, &manifest.name, Problems::WouldSkip, problems);
    }
    for (item, read) in manifest.rows()?.enumerate() {
        let plan::Take::Send(_) = plan.take(item as u64, &read) else {
            continue;
        };
        let Ok(row) = read else { continue };
        let r = RowResult {
            op: cfg.op,
            line: row.line,
            id: &row.id,
            outcome: &Outcome::Planned,
            attempts: 0,
        };
        reporter
            .row(&r)
            .map_err(|e| Failure::new(Kind::Io, format!("cannot write to standard output: {e}")))?;
    }
    summary.pending = plan.len();
    summary.invalid = problems.count;
    reporter.note(&format!(
        "dry run: nothing was sent; {} of {} rows would be sent ({} already done, {} failed earlier, {} invalid)",
        plan.len(),
        summary.total,
        summary.already_done,
        summary.failed,
        problems.count
    ));
    Ok(())
}

/// Hand the first [`MAX_LISTED`] problems, in line order, to the reporter.
pub(super) fn list(reporter: &dyn Reporter, manifest: &str, what: Problems, found: &plan::Found) {
    let mut sorted: Vec<_> = found.first.iter().map(|(e, _)| e.clone()).collect();
    sorted.sort_by_key(|e| e.line);
    sorted.truncate(MAX_LISTED);
    let more = (found.count as usize).saturating_sub(sorted.len());
    reporter.problems(manifest, what, &sorted, more);
}
