//! The batch options of the person commands (README "Batch"), and `report`, which
//! reads what a batch journaled.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::manifest::{ManifestArgs, manifest_help};

/// Batch options (README "Batch").
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Batch")]
pub struct BatchArgs {
    /// Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input (with --format)
    #[arg(long, value_name = "MANIFEST", long_help = manifest_help())]
    pub from: Option<String>,
    #[command(flatten)]
    pub read: ManifestArgs,
    /// Concurrent requests [default: 4]
    #[arg(long, value_name = "N", requires = "from", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    /// Requests per second across all jobs, at least 0.001 [default: unlimited]
    #[arg(long, value_name = "R", requires = "from", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Journal file [default: beside the manifest: MANIFEST.OP.journal]
    #[arg(long, value_name = "FILE", requires = "from")]
    pub journal: Option<PathBuf>,
    /// Also retry rows that failed permanently in an earlier run
    #[arg(long, requires = "from")]
    pub retry_failed: bool,
    /// Record invalid rows as invalid and run the rest (default: list them, send nothing)
    #[arg(long, requires = "from")]
    pub skip_invalid: bool,
    // Enroll only: hidden from the other commands, which refuse it.
    /// Count "CustomID already exists" as skipped rather than failed
    #[arg(long, requires = "from")]
    pub skip_existing: bool,
    // Hidden from enroll, which refuses it: an enrolled person gets new images with
    // `update --from`.
    #[arg(
        long,
        requires = "from",
        help = "Run rows whose content changed since the journal recorded them (default: refuse the run)"
    )]
    pub accept_changed: bool,
    /// Take only the rows whose CustomID hashes to shard K of N (K from 0)
    #[arg(long, value_name = "K/N", requires = "from", value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,
    /// Also write the final summary as JSON to FILE
    #[arg(long, value_name = "FILE", requires = "from")]
    pub summary_json: Option<PathBuf>,
    /// Passes in all: later passes re-send rows left pending by transient errors (1: off) [default: 3]
    #[arg(long, value_name = "N", requires = "from", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub passes: Option<u32>,
    /// Status line interval when stderr is not a terminal (0 or off: none)
    // The variable is read by the batch command, not by clap: set for a whole CI job,
    // it must not turn a single `enroll --id` into a usage error, as a batch option
    // given without --from is.
    #[arg(
        long,
        value_name = "SECS",
        requires = "from",
        hide_short_help = true,
        long_help = "When stderr is not a terminal (a CI log, a file), print a status line \
every SECS: done/total, outcomes, rows/s, ETA; 0 or off: never \
[env: BIOPASS_PROGRESS_INTERVAL] [default: 10]",
        value_parser = parse_progress_interval
    )]
    pub progress_interval: Option<Duration>,
}

/// `--progress-interval` and `BIOPASS_PROGRESS_INTERVAL`: seconds (fractions
/// allowed), or `0`/`off` for never (`Duration::ZERO`).
pub fn parse_progress_interval(s: &str) -> Result<Duration, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(Duration::ZERO);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=86_400.0).contains(&v) => Ok(Duration::from_secs_f64(v)),
        _ => Err(format!(
            "'{s}' is not a number of seconds from 0 to 86400, or off"
        )),
    }
}

impl BatchArgs {
    /// The first batch option given without `--from`. clap's `requires` cannot catch
    /// these when `--id` is present: it drops requirements of arguments that conflict
    /// with a present one.
    pub fn stray_option(&self) -> Option<&'static str> {
        if self.from.is_some() {
            return None;
        }
        [
            (self.read.format.is_some(), "--format"),
            (self.read.delimiter.is_some(), "--delimiter"),
            (self.read.encoding.is_some(), "--encoding"),
            (self.read.sheet.is_some(), "--sheet"),
            (self.jobs.is_some(), "--jobs"),
            (self.rate.is_some(), "--rate"),
            (self.journal.is_some(), "--journal"),
            (self.retry_failed, "--retry-failed"),
            (self.skip_invalid, "--skip-invalid"),
            (self.skip_existing, "--skip-existing"),
            (self.accept_changed, "--accept-changed"),
            (self.shard.is_some(), "--shard"),
            (self.summary_json.is_some(), "--summary-json"),
            (self.passes.is_some(), "--passes"),
            (self.progress_interval.is_some(), "--progress-interval"),
        ]
        .into_iter()
        .find_map(|(set, name)| set.then_some(name))
    }
}

/// The slowest pace accepted: one request every 1000 s. Below it a run would never
/// send (and the interval `1/rate` would overflow a `Duration`).
pub const MIN_RATE: f64 = 0.001;

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r >= MIN_RATE => Ok(r),
        _ => Err(format!(
            "'{s}' is not a number of requests per second of at least {MIN_RATE}"
        )),
    }
}

fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let err = || format!("'{s}' is not K/N with 0 <= K < N (e.g. 0/4)");
    let (k, n) = s.split_once('/').ok_or_else(err)?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| err())?,
        n.trim().parse().map_err(|_| err())?,
    );
    if n == 0 || k >= n {
        return Err(err());
    }
    Ok((k, n))
}

pub(super) const REPORT_EXAMPLES: &str = "Examples:
  # Who ended how, across every run of a batch (no key or network needed)
  biopass report people.csv.enroll.journal
  biopass report -o json people.csv.enroll.journal | jq 'select(.outcome==\"failed\")'";

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The batch journal (MANIFEST.OP.journal); read only, never locked or changed
    #[arg(value_name = "JOURNAL")]
    pub journal: PathBuf,
}

#[cfg(test)]
mod tests {
    use crate::cli::{Cli, Command};
    use clap::Parser;

    #[test]
    fn batch_options_need_from_and_exclude_single_flags() {
        assert!(
            Cli::try_parse_from([
                "biopass", "enroll", "--from", "m.csv", "--jobs", "8", "--shard", "1/4"
            ])
            .is_ok()
        );
        let Command::Enroll(a) =
            Cli::try_parse_from(["biopass", "enroll", "--id", "1", "--jobs", "8"])
                .unwrap()
                .command
        else {
            panic!()
        };
        assert_eq!(a.batch.stray_option(), Some("--jobs"));
        assert!(
            Cli::try_parse_from(["biopass", "enroll", "--from", "m.csv", "--id", "1"]).is_err()
        );
        assert!(
            Cli::try_parse_from(["biopass", "enroll", "--from", "m.csv", "--shard", "4/4"])
                .is_err()
        );
        assert!(
            Cli::try_parse_from(["biopass", "delete", "--from", "m.csv", "--rate", "0"]).is_err()
        );
        assert!(Cli::try_parse_from(["biopass", "enroll"]).is_err());
    }
}
