//! `report JOURNAL`: every row a batch journal knows, across all its runs, with how
//! it ended. The folding is the library's ([`biopass::batch::history`]); this renders
//! it as TSV with a header, or one JSON object per row. Needs no key, no manifest,
//! and never locks or changes the journal.

use std::path::Path;

use anyhow::Result;
use biopass::batch::history;
use biopass::error::Status;
use biopass::request::AnswerShape;
use biopass::sanitize::{clean, sanitize};
use biopass::time::rfc3339;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::render;
use crate::settings::Settings;

/// The columns of the text report, in order (the keys of the JSON rows).
const HEADER: &str =
    "line\tid\toutcome\tbiopass_id\tattempts\terror_kind\tmessage\tfinished_at\tpass";

/// The columns a verify journal's report adds: the service's details.
const VERIFY_COLUMNS: &str = "\tface_matched\tnon_matched_fingers";

/// Messages in the report are cut to this many characters.
const MESSAGE_MAX: usize = 300;

pub fn run(journal: &Path, s: &Settings) -> Result<Status> {
    let history::History { op, rows } = history::read(journal)?;
    let verify = op.is_some_and(|op| op.spec().answer == AnswerShape::Match);
    if s.output == OutputFormat::Text {
        render::result_line(&format!(
            "{HEADER}{}",
            if verify { VERIFY_COLUMNS } else { "" }
        ))?;
    }
    for r in &rows {
        let message = r.message.as_deref().map(|m| sanitize(m, MESSAGE_MAX));
        let finished = r
            .finished_at
            .map(|t| rfc3339(i64::try_from(t).unwrap_or(i64::MAX)));
        let line = match s.output {
            OutputFormat::Text => {
                let mut cols = vec![
                    r.line.to_string(),
                    clean(&r.id),
                    r.outcome.to_string(),
                    r.biopass_id.as_deref().map(clean).unwrap_or_default(),
                    r.attempts.to_string(),
                    r.error_kind.as_deref().map(clean).unwrap_or_default(),
                    message.unwrap_or_default(),
                    finished.unwrap_or_default(),
                    r.pass.map(|p| p.to_string()).unwrap_or_default(),
                ];
                if verify {
                    cols.push(r.face_matched.map(|f| f.to_string()).unwrap_or_default());
                    // Comma-separated: finger names are words like `Finger-2`.
                    cols.push(
                        r.non_matched_fingers
                            .as_deref()
                            .map(|f| f.iter().map(|n| clean(n)).collect::<Vec<_>>().join(","))
                            .unwrap_or_default(),
                    );
                }
                cols.join("\t")
            }
            OutputFormat::Json => {
                let mut v = json!({
                "line": r.line,
                "id": r.id,
                "outcome": r.outcome,
                "biopass_id": r.biopass_id,
                "attempts": r.attempts,
                "error_kind": r.error_kind,
                "message": message,
                "finished_at": finished,
                "pass": r.pass,
                });
                // As on verify's batch rows.
                if verify {
                    v["face_matched"] = json!(r.face_matched);
                    v["non_matched_fingers"] = json!(r.non_matched_fingers);
                }
                render::json_text(&v)
            }
        };
        render::result_line(&line)?;
    }
    Ok(Status::Success)
}
