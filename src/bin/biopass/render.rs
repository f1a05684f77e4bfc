//! Everything the user sees: results on stdout, diagnostics on stderr.
//!
//! Text mode prints one bare value per result so `id=$(biopass enroll ...)` works.
//! JSON mode prints exactly one JSON document on stdout: the API's response object on
//! success, `{"error":{"kind","status","message"}}` on failure. Human messages go to
//! stderr in both modes. Outside text is sanitised before it gets here or here.
//!
//! Writing a result can fail (a closed pipe): that is an error of its own, exit 74,
//! because every biopass result is something a script needs. It is never exit 0.

use std::io::{self, Write};

/// `eprintln!` that cannot panic: a diagnostic that cannot be written (stderr closed,
/// e.g. `2>&1 | head`) is dropped; the exit code still tells the story.
macro_rules! diag {
    ($($arg:tt)*) => {
        $crate::render::stderr_line(&format!($($arg)*))
    };
}

use biopass::error::{Failure, Kind, failure_of};
use serde_json::json;

use crate::cli::OutputFormat;

/// Write a line to stdout, flushed. The error is returned, not handled: see
/// [`result_line`] for commands and the batch reporter for rows.
pub fn stdout_line(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

/// How a failure to deliver a result begins (and how [`report_error`] knows not to
/// write an error document where the result could not go).
const STDOUT_FAILED: &str = "cannot write the result to standard output";

/// Write a command's result line; a failure is the command's failure (74).
pub fn result_line(line: &str) -> anyhow::Result<()> {
    stdout_line(line).map_err(|e| Failure::new(Kind::Io, format!("{STDOUT_FAILED}: {e}")).into())
}

/// Print a JSON document on one line, as a command's result.
pub fn json_result(v: &serde_json::Value) -> anyhow::Result<()> {
    result_line(&json_text(v))
}

/// A JSON document on one line, with the characters that can reorder what a
/// terminal shows (bidi controls) written as `\uXXXX` escapes: the same JSON value,
/// safe to print. (serde_json already escapes the control characters.)
pub fn json_text(v: &serde_json::Value) -> String {
    let text = v.to_string();
    if !text.chars().any(biopass::sanitize::is_unsafe) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if biopass::sanitize::is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Write a line to stderr, ignoring failure (see [`diag!`]).
pub fn stderr_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// A diagnostic on stderr, unless `--quiet`.
pub fn note(quiet: bool, msg: &str) {
    if !quiet {
        diag!("biopass: {msg}");
    }
}

/// Report a failure once: the message on stderr, and in JSON mode the error
/// document on stdout. If that document cannot be written, the exit code stays the
/// error's own (the caller's), and stderr still has the message.
pub fn report_error(err: &anyhow::Error, format: OutputFormat) {
    let (kind, status) = match failure_of(err) {
        Some(Failure { kind, status, .. }) => (*kind, *status),
        None => (Kind::Internal, None),
    };
    // anyhow's alternate format joins the context chain: "outer: inner".
    let message = format!("{err:#}");
    diag!("biopass: error: {message}");
    if format == OutputFormat::Json && !is_stdout_error(err) {
        let doc = json!({"error": {"kind": kind.name(), "status": status, "message": message}});
        if let Err(e) = stdout_line(&doc.to_string()) {
            diag!("biopass: error: cannot write the error document to standard output: {e}");
        }
    }
}

/// Whether the error is itself a failure to write to stdout (no document follows it).
fn is_stdout_error(err: &anyhow::Error) -> bool {
    failure_of(err).is_some_and(|f| f.message.starts_with(STDOUT_FAILED))
}
