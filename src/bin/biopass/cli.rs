//! The command line, as clap types only: no I/O, no defaults that depend on the
//! machine. `settings.rs` turns these into a resolved [`crate::settings::Settings`];
//! nothing downstream reads clap types.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit::EXIT_CODES_HELP;
use biopass::request::parse_finger_pos;

use crate::values::{parse_duration, parse_max_dimension, parse_max_image_bytes};

const AFTER_HELP: &str = "The API key is read, in order, from: the BIOPASS_API_KEY environment variable, \
--api-key-file, the profile's api_key_file, the profile's api_key. \
It is never taken from the command line.\n\n";

/// The end of `-h` (short help): where the rest is.
const AFTER_SHORT_HELP: &str = "--help shows more: the global options (--env, --profile, -o, ...) and examples; \
'biopass --help' also the API key sources and the exit codes.";

/// `--version`: the commit (from build.rs, when built from git), target and TLS stack.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("BIOPASS_COMMIT"),
    "\ntarget: ",
    env!("BIOPASS_TARGET"),
    "\ntls: rustls (ring), OS trust store and webpki roots"
);

// Examples for each command's `--help` (README "Usage by task"), one constant per
// command: a new command adds its own beside these.
const TOP_EXAMPLES: &str = "Examples:
  # Try it against the sandbox built into the binary; prints a BioPassID
  biopass --env sandbox enroll --id 1234 --face face.jpg
  # Enroll, then verify (exit 0 on a match, 1 on none)
  biopass enroll --id 1234 --face face.jpg --finger right-index=ri.png
  biopass verify --id 1234 --face probe.jpg
  # Everyone in a manifest, resumable
  biopass enroll --from people.csv --jobs 8

";
const ENROLL_EXAMPLES: &str = "Examples:
  # Face and fingerprints; prints the BioPassID alone on stdout
  id=$(biopass enroll --id 1234 --face face.jpg --finger right-index=ri.png --finger 7=li.png)
  # See exactly what would be sent (key and images redacted); sends nothing
  biopass --dry-run enroll --id 1234 --face face.jpg
  # Everyone in a manifest (CSV, ; or tab separated, or JSON Lines); rerun to resume
  biopass enroll --from people.csv --jobs 8 --rate 20";
const UPDATE_EXAMPLES: &str = "Examples:
  # Replace a person's images; prints the BioPassID
  biopass update --id 1234 --face new-face.jpg
  # Many people from a manifest
  biopass update --from people.csv";
const VERIFY_EXAMPLES: &str = "Examples:
  # Prints \"match\" (exit 0) or \"no match\" (exit 1); -v adds details on stderr
  if biopass verify --id 1234 --face probe.jpg; then echo welcome; fi
  # Image from standard input (at most one \"-\" per command)
  camera-capture | biopass verify --id 1234 --face -
  # A fingerprint, in the slot it was enrolled in
  biopass verify --id 1234 --finger right-index=probe-ri.png
  # Everyone in a manifest (a proof-of-life campaign): ID<TAB>match, ID<TAB>no_match
  # or ID<TAB>failed<TAB>KIND<TAB>MESSAGE per row; a new campaign needs a new --journal
  biopass verify --from people.csv --journal campaign-2027.journal";
const DELETE_EXAMPLES: &str = "Examples:
  # Prints the CustomID
  biopass delete --id 1234
  # Everyone in a manifest (only the id column is read)
  biopass delete --from people.csv";
const SANDBOX_EXAMPLES: &str = "Examples:
  # A local emulator for another program; prints BIOPASS_ENDPOINT=... and BIOPASS_API_KEY=...
  biopass sandbox serve --port 8080
  # With faults, to rehearse a batch
  biopass sandbox serve --fail-503 0.1 --fail-429 0.05 --seed 7
  # The embedded sandbox (--env sandbox): where its state is, and a fresh start
  biopass sandbox status
  biopass sandbox reset
  # A throwaway sandbox for one shell session
  export BIOPASS_SANDBOX_DIR=$(mktemp -d)";
const CONFIG_EXAMPLES: &str = "Examples:
  # Write a starter config file, store the key (read from stdin), see every setting
  biopass config init
  pass show biopass | biopass config set-key
  biopass config show
  # Use a profile of it
  biopass --profile staging verify --id 1234 --face probe.jpg";
const COMPLETIONS_EXAMPLES: &str = "Examples:
  mkdir -p ~/.local/share/bash-completion/completions
  biopass completions bash > ~/.local/share/bash-completion/completions/biopass
  mkdir -p ~/.config/fish/completions
  biopass completions fish > ~/.config/fish/completions/biopass.fish";

const REPORT_EXAMPLES: &str = "Examples:
  # Who ended how, across every run of a batch (no key or network needed)
  biopass report people.csv.enroll.journal
  biopass report -o json people.csv.enroll.journal | jq 'select(.outcome==\"failed\")'";
const CHECK_EXAMPLES: &str = "Examples:
  # Before sending: format, size, orientation, metadata and problems, one line per image
  biopass check face.jpg
  biopass check --fingerprints right-index.png left-thumb.png
  # Every image of a manifest (faces and fingers by their columns), as JSON Lines
  biopass check --from people.csv -o json
  # What --max-dimension would do to large phone photos
  biopass --max-dimension 1920 check photos/*.jpg";
const DOCTOR_EXAMPLES: &str = "Examples:
  # Before a big run: settings, key, DNS, connect, TLS, and that the key is accepted
  biopass doctor
  biopass --env hml -o json doctor
  biopass --env sandbox doctor";

const MAN_EXAMPLES: &str = "Examples:
  biopass man | man -l -
  mkdir -p ~/.local/share/man/man1
  biopass man > ~/.local/share/man/man1/biopass.1";

/// `--finger`'s long help: the positions, as possible values of POS.
const FINGER_LONG_HELP: &str = "Fingerprint: POS=FILE, repeatable. POS is a slot 1-10 or its name:
  1 right-thumb, 2 right-index, 3 right-middle, 4 right-ring, 5 right-little,
  6 left-thumb, 7 left-index, 8 left-middle, 9 left-ring, 10 left-little
(underscores for hyphens and any case are accepted). Use the same slot at enroll and verify.";

#[derive(Debug, Parser)]
#[command(
    name = "biopass",
    version,
    long_version = LONG_VERSION,
    about = "Enroll, update, verify and delete people in the BioPassID Multibiometrics API",
    after_help = AFTER_SHORT_HELP,
    after_long_help = format!("{TOP_EXAMPLES}{AFTER_HELP}{EXIT_CODES_HELP}"),
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes. Under their own heading, after each command's own.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// API environment: production, hml (homologation) or the built-in sandbox
    #[arg(
        hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_ENV",
        value_enum
    )]
    pub env: Option<EnvName>,
    /// Base URL of the API, overriding the environment's (https, or http to loopback)
    #[arg(
        hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_ENDPOINT",
        value_name = "URL"
    )]
    pub endpoint: Option<String>,
    /// Profile of the config file to use
    #[arg(
        hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_PROFILE",
        value_name = "NAME"
    )]
    pub profile: Option<String>,
    /// Config file [default: <config dir>/biopass/config.toml]
    #[arg(
        hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,
    /// File holding the API key (mode 0600), or - to read it from standard input
    #[arg(
        hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_API_KEY_FILE",
        value_name = "PATH|-"
    )]
    pub api_key_file: Option<String>,
    /// Output format of results on stdout
    #[arg(
        hide_short_help = true,
        short = 'o',
        long,
        global = true,
        env = "BIOPASS_OUTPUT",
        value_enum
    )]
    pub output: Option<OutputFormat>,
    /// Whole-request timeout, in seconds, 1ms to 1 day [default: 120]
    #[arg(hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_TIMEOUT",
        value_name = "SECS",
        value_parser = parse_duration
    )]
    pub timeout: Option<Duration>,
    /// Connect timeout, in seconds, 1ms to 1 day [default: 10]
    #[arg(hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_CONNECT_TIMEOUT",
        value_name = "SECS",
        value_parser = parse_duration
    )]
    pub connect_timeout: Option<Duration>,
    /// Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]
    #[arg(hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_MAX_IMAGE_BYTES",
        value_name = "BYTES",
        value_parser = parse_max_image_bytes
    )]
    pub max_image_bytes: Option<u64>,
    /// Send images exactly as they are: no metadata removal, no turning upright, no
    /// downscaling (profile key keep_metadata)
    #[arg(
        hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_KEEP_METADATA",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub keep_metadata: bool,
    /// Downscale faces whose long side is larger to exactly PX (64-65535; off by
    /// default; never fingerprints)
    #[arg(hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_MAX_DIMENSION",
        value_name = "PX",
        value_parser = parse_max_dimension
    )]
    pub max_dimension: Option<u32>,
    /// Send faces the offline face gate refuses (no face, several faces, orientation
    /// unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false
    #[arg(hide_short_help = true, long, global = true)]
    pub no_face_check: bool,
    /// The face gate on or off (true/false): the env BIOPASS_FACE_CHECK's flag;
    /// --no-face-check is the one to type
    #[arg(
        hide = true,
        long,
        global = true,
        env = "BIOPASS_FACE_CHECK",
        value_name = "BOOL",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub face_check: Option<bool>,
    /// Extra trusted root certificate (PEM) for TLS
    #[arg(
        hide_short_help = true,
        long,
        global = true,
        env = "BIOPASS_CA_CERT",
        value_name = "PATH"
    )]
    pub ca_cert: Option<PathBuf>,
    /// Log requests to stderr (method, URL, status, timing, sizes; never keys or images)
    #[arg(hide_short_help = true, short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print nothing on stderr but errors
    #[arg(
        hide_short_help = true,
        short,
        long,
        global = true,
        conflicts_with = "verbose"
    )]
    pub quiet: bool,
    /// Print the request that would be sent (key and images redacted) and send nothing
    #[arg(hide_short_help = true, long, global = true)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvName {
    Production,
    Hml,
    Sandbox,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Enroll a person (prints the BioPassID), or many with --from
    #[command(
        override_usage = "biopass enroll [OPTIONS] (--id <ID> | --from <MANIFEST>)",
        after_long_help = ENROLL_EXAMPLES
    )]
    Enroll(WriteArgs),
    /// Replace a person's images (prints the BioPassID), or many with --from
    #[command(
        override_usage = "biopass update [OPTIONS] (--id <ID> | --from <MANIFEST>)",
        after_long_help = UPDATE_EXAMPLES
    )]
    Update(WriteArgs),
    /// Verify a person 1:1; prints "match" (exit 0) or "no match" (exit 1), or many with --from
    #[command(
        override_usage = "biopass verify [OPTIONS] (--id <ID> | --from <MANIFEST>)",
        after_long_help = VERIFY_EXAMPLES
    )]
    Verify(WriteArgs),
    /// Delete a person (prints the CustomID), or many with --from
    #[command(
        override_usage = "biopass delete [OPTIONS] (--id <ID> | --from <MANIFEST>)",
        after_long_help = DELETE_EXAMPLES
    )]
    Delete(DeleteArgs),
    /// Run the local BioPassID emulator, or inspect and reset the embedded one
    #[command(subcommand, after_long_help = SANDBOX_EXAMPLES)]
    Sandbox(SandboxCommand),
    /// Inspect or create the configuration file
    #[command(subcommand, after_long_help = CONFIG_EXAMPLES)]
    Config(ConfigCommand),
    /// List every row a batch journal knows, across all runs, with how it ended
    #[command(after_long_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Check images before sending (format, size, orientation, metadata); sends nothing
    #[command(
        override_usage = "biopass check [OPTIONS] (<FILE>... | --from <MANIFEST>)",
        after_long_help = CHECK_EXAMPLES
    )]
    Check(CheckArgs),
    /// Check settings, key, DNS, connection, TLS and that the key is accepted; enrolls nobody
    #[command(after_long_help = DOCTOR_EXAMPLES)]
    Doctor,
    /// Print a shell completion script
    #[command(after_long_help = COMPLETIONS_EXAMPLES)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for a man folder or `man -l -`
    #[command(after_long_help = MAN_EXAMPLES)]
    Man,
}

/// enroll, update and verify: one person from flags, or a batch from a manifest.
#[derive(Debug, Args)]
pub struct WriteArgs {
    /// The person's CustomID
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    pub id: Option<String>,
    /// Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...
    #[arg(long, value_name = "FILE", conflicts_with = "from")]
    pub face: Vec<String>,
    /// Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable
    #[arg(long, value_name = "POS=FILE", value_parser = parse_finger, conflicts_with = "from", long_help = FINGER_LONG_HELP)]
    pub finger: Vec<(u8, String)>,
    #[command(flatten)]
    pub batch: BatchArgs,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The person's CustomID
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    pub id: Option<String>,
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// Batch options (README "Batch").
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Batch")]
pub struct BatchArgs {
    /// Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input
    #[arg(long, value_name = "MANIFEST", long_help = manifest_help())]
    pub from: Option<String>,
    /// Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]
    #[arg(long, value_enum, requires = "from")]
    pub format: Option<ManifestFormat>,
    /// CSV delimiter: a character, or tab [default: Excel's sep= line, else told from the header: , ; or tab]
    #[arg(long, value_name = "CHAR", requires = "from", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]
    #[arg(long, value_enum, requires = "from")]
    pub encoding: Option<ManifestEncoding>,
    /// Workbook sheet to read [default: the first]
    #[arg(long, value_name = "NAME", requires = "from")]
    pub sheet: Option<String>,
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
    /// Count "CustomID already exists" as skipped rather than failed
    #[arg(long, requires = "from")]
    pub skip_existing: bool,
    /// Run rows whose content changed since the journal recorded them (update, delete; an
    /// enrolled person gets new images with `update --from`)
    #[arg(long, requires = "from")]
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

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The batch journal (MANIFEST.OP.journal); read only, never locked or changed
    #[arg(value_name = "JOURNAL")]
    pub journal: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Images to check (faces, unless --fingerprints)
    #[arg(
        value_name = "FILE",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    pub files: Vec<PathBuf>,
    /// The FILEs are fingerprint scans: never re-encoded, checked for 500 dpi
    #[arg(long, conflicts_with = "from")]
    pub fingerprints: bool,
    /// Check every image of a manifest (faces and fingers by their columns)
    #[arg(long, value_name = "MANIFEST", long_help = manifest_help())]
    pub from: Option<String>,
    /// Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]
    #[arg(long, value_enum, requires = "from")]
    pub format: Option<ManifestFormat>,
    /// CSV delimiter: a character, or tab [default: Excel's sep= line, else told from the header: , ; or tab]
    #[arg(long, value_name = "CHAR", requires = "from", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]
    #[arg(long, value_enum, requires = "from")]
    pub encoding: Option<ManifestEncoding>,
    /// Workbook sheet to read [default: the first]
    #[arg(long, value_name = "NAME", requires = "from")]
    pub sheet: Option<String>,
    /// Face findings that only warn (FACE_TOO_SMALL, FACE_OFF_CENTRE, BLURRY, TOO_DARK,
    /// OVEREXPOSED) block too: exit 65
    #[arg(long)]
    pub strict: bool,
    /// Also ask the service's own quality checks (faces: face detect, ICAO, liveness;
    /// fingerprints: NFIQ); whether these calls are billed is not documented
    #[arg(
        long,
        long_help = "Also send each image that could be sent to the service's own quality checks: faces to face detect, the ICAO check and liveness; fingerprints to the NFIQ check. Uses the same key, endpoint, timeouts and retries as every other call. Whether BioPassID bills these calls as transactions is NOT documented: count on each being billed. A failed check is a REMOTE_ERROR finding; a refused key (77), a missing operation (78), a redirect (76) or an untrusted certificate stops at once. Without --remote, check sends nothing."
    )]
    pub remote: bool,
}

/// `--from`'s long help: the manifest's formats and the column table's columns.
fn manifest_help() -> String {
    format!(
        "Manifest of people: CSV or TSV with a header (UTF-8, UTF-16 with a BOM, or Windows-1252), \
JSON Lines, or a workbook (.xlsx, .xlsm, .ods: the first sheet, or --sheet); - reads standard input.\n{}",
        biopass::batch::manifest::columns::help()
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestFormat {
    Csv,
    Tsv,
    Jsonl,
    Xlsx,
    Ods,
}

impl ManifestFormat {
    /// The library's format.
    pub fn format(self) -> biopass::batch::manifest::Format {
        use biopass::batch::manifest::Format;
        match self {
            ManifestFormat::Csv => Format::Csv,
            ManifestFormat::Tsv => Format::Tsv,
            ManifestFormat::Jsonl => Format::Jsonl,
            ManifestFormat::Xlsx => Format::Xlsx,
            ManifestFormat::Ods => Format::Ods,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestEncoding {
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "utf-16")]
    Utf16,
    #[value(name = "windows-1252")]
    Windows1252,
}

impl ManifestEncoding {
    /// The library's encoding.
    pub fn encoding(self) -> biopass::batch::manifest::Encoding {
        use biopass::batch::manifest::Encoding;
        match self {
            ManifestEncoding::Utf8 => Encoding::Utf8,
            ManifestEncoding::Utf16 => Encoding::Utf16,
            ManifestEncoding::Windows1252 => Encoding::Windows1252,
        }
    }
}

/// A CSV delimiter: one ASCII character other than a quote or a line end, or `tab`
/// (`\t` is accepted too, as a shell passes it literally).
fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "TAB" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && !matches!(s, "\"" | "\n" | "\r") => {
            Ok(s.as_bytes()[0])
        }
        _ => Err(format!(
            "'{s}' is not a delimiter: give one character (, or ;) or tab"
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
            (self.format.is_some(), "--format"),
            (self.delimiter.is_some(), "--delimiter"),
            (self.encoding.is_some(), "--encoding"),
            (self.sheet.is_some(), "--sheet"),
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

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key
    Serve(ServeArgs),
    /// Show the embedded sandbox's state: its folder, people enrolled, size
    Status,
    /// Delete the embedded sandbox's state, without asking (it is throwaway test data)
    Reset,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Keep state in this JSON file (image digests only) [default: in memory]
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Subscription key the emulator accepts [default: biopass-sandbox-key]
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// Seed of the fault sequence (same seed and request order, same faults)
    #[arg(long, default_value_t = 0, help_heading = "Fault injection")]
    pub seed: u64,
    /// Share of requests answered 503 before acting (0-1)
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_share, help_heading = "Fault injection")]
    pub fail_503: f64,
    /// Share of requests answered 429 with Retry-After before acting (0-1)
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_share, help_heading = "Fault injection")]
    pub fail_429: f64,
    /// Retry-After sent with each 429, in seconds
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 1,
        help_heading = "Fault injection"
    )]
    pub retry_after: u64,
    /// Share of requests applied, then answered with a connection reset (0-1)
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_share, help_heading = "Fault injection")]
    pub reset: f64,
    /// Share of requests applied, then answered only after --hang-ms (0-1)
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_share, help_heading = "Fault injection")]
    pub hang: f64,
    /// How long a hung response is held, in milliseconds
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 30_000,
        help_heading = "Fault injection"
    )]
    pub hang_ms: u64,
    /// Latency added to every person-operation response, in milliseconds
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 0,
        help_heading = "Fault injection"
    )]
    pub latency_ms: u64,
}

fn parse_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("'{s}' is not a share between 0 and 1")),
    }
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file in use
    Path,
    /// Print every effective setting and where it came from (key masked)
    Show,
    /// Write a starter config file (mode 0600); never prompts
    Init {
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Store the API key, read from standard input, in a 0600 file beside the config
    /// file and point the profile's api_key_file at it (--profile chooses the profile)
    SetKey,
}

fn parse_finger(s: &str) -> Result<(u8, String), String> {
    let (pos, file) = s
        .split_once('=')
        .ok_or_else(|| format!("expected POS=FILE (e.g. right-index=ri.png), got '{s}'"))?;
    if file.is_empty() {
        return Err(format!("no file after '{pos}='"));
    }
    Ok((parse_finger_pos(pos)?, file.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn fingers_by_name_and_number() {
        let cli = Cli::try_parse_from([
            "biopass",
            "enroll",
            "--id",
            "1",
            "--finger",
            "right-index=a.png",
            "--finger",
            "10=b.png",
        ])
        .unwrap();
        let Command::Enroll(p) = cli.command else {
            panic!()
        };
        assert_eq!(p.finger, vec![(2, "a.png".into()), (10, "b.png".into())]);
    }

    #[test]
    fn bad_finger_is_a_usage_error() {
        for bad in ["thumb=a.png", "11=a.png", "0=a.png", "a.png", "2="] {
            let e = Cli::try_parse_from(["biopass", "enroll", "--id", "1", "--finger", bad])
                .unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
    }

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

    #[test]
    fn there_is_no_api_key_option() {
        let e =
            Cli::try_parse_from(["biopass", "--api-key", "x", "delete", "--id", "1"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::UnknownArgument);
    }
}
