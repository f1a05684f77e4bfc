//! Everything the user sees: results on stdout, diagnostics on stderr.
//!
//! Text mode prints one bare value per result so `id=$(biopass enroll ...)` works.
//! JSON mode prints exactly one JSON document on stdout: the API's response object on
//! success, `{"error":{"kind","status","message"}}` on failure. Human messages go to
//! stderr in both modes. Server text is sanitised before it gets here.

use std::io::{self, Write};

use serde_json::json;

use crate::cli::OutputFormat;
use crate::error::{Failure, Kind, failure_of};

/// Strip control characters (terminal escapes, bells, newlines) and cut to `max`
/// characters, so server-provided text cannot mess with a terminal or a log line.
pub fn sanitize(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if out.chars().count() > max {
        out = out.chars().take(max).collect::<String>() + "…";
    }
    out
}

/// Write a line to stdout. A closed pipe (`biopass ... | head -0`) ends the program
/// quietly, as ripgrep does: the reader has gone, there is no one to tell.
pub fn stdout_line(line: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|_| out.flush()) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("biopass: error: writing to stdout: {e}");
        std::process::exit(Kind::Io.exit_code() as i32);
    }
}

/// A diagnostic on stderr, unless `--quiet`.
pub fn note(quiet: bool, msg: &str) {
    if !quiet {
        eprintln!("biopass: {msg}");
    }
}

/// Report a failure once: the message on stderr, and in JSON mode the error
/// document on stdout.
pub fn report_error(err: &anyhow::Error, format: OutputFormat) {
    let (kind, status) = match failure_of(err) {
        Some(Failure { kind, status, .. }) => (*kind, *status),
        None => (Kind::Internal, None),
    };
    // anyhow's alternate format joins the context chain: "outer: inner".
    let message = format!("{err:#}");
    eprintln!("biopass: error: {message}");
    if format == OutputFormat::Json {
        let doc = json!({"error": {"kind": kind.name(), "status": status, "message": message}});
        stdout_line(&doc.to_string());
    }
}

/// Print a JSON document on one line.
pub fn json_line(v: &serde_json::Value) {
    stdout_line(&v.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_strips_and_truncates() {
        assert_eq!(sanitize("a\x1b[2Jb\r\nc", 100), "a [2Jb c");
        assert_eq!(sanitize("abcdef", 3), "abc…");
        assert_eq!(sanitize("  x  ", 10), "x");
    }
}
