//! `report JOURNAL`: every row a batch journal knows, across all its runs, with how
//! it ended. The folding is the library's ([`biopass::batch::history`]); this renders
//! it as TSV with a header, or one JSON object per row. Needs no key, no manifest,
//! and never locks or changes the journal.

use std::path::Path;

use anyhow::Result;
use biopass::batch::history;
use biopass::error::Status;
use biopass::sanitize::{clean, sanitize};
use biopass::time::rfc3339;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::render;
use crate::settings::Settings;

/// The columns of the text report, in order (the keys of the JSON rows).
const HEADER: &str =
    "line\tid\toutcome\tbiopass_id\tattempts\terror_kind\tmessage\tfinished_at\tpass";

/// Messages in the report are cut to this many characters.
const MESSAGE_MAX: usize = 300;

pub fn run(journal: &Path, s: &Settings) -> Result<Status> {
    let rows = history::read(journal)?;
    if s.output == OutputFormat::Text {
        render::result_line(HEADER)?;
    }
    for r in &rows {
        let message = r.message.as_deref().map(|m| sanitize(m, MESSAGE_MAX));
        let finished = r
            .finished_at
            .map(|t| rfc3339(i64::try_from(t).unwrap_or(i64::MAX)));
        let line = match s.output {
            OutputFormat::Text => [
                r.line.to_string(),
                clean(&r.id),
                r.outcome.to_string(),
                r.biopass_id.as_deref().map(clean).unwrap_or_default(),
                r.attempts.to_string(),
                r.error_kind.as_deref().map(clean).unwrap_or_default(),
                message.unwrap_or_default(),
                finished.unwrap_or_default(),
                r.pass.map(|p| p.to_string()).unwrap_or_default(),
            ]
            .join("\t"),
            OutputFormat::Json => render::json_text(&json!({
                "line": r.line,
                "id": r.id,
                "outcome": r.outcome,
                "biopass_id": r.biopass_id,
                "attempts": r.attempts,
                "error_kind": r.error_kind,
                "message": message,
                "finished_at": finished,
                "pass": r.pass,
            })),
        };
        render::result_line(&line)?;
    }
    Ok(Status::Success)
}
