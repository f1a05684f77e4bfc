//! `sandbox`: serve the emulator, or inspect and reset the embedded one.

use std::path::PathBuf;

use clap::{Args, Subcommand};

pub(super) const SANDBOX_EXAMPLES: &str = "Examples:
  # A local emulator for another program; prints BIOPASS_ENDPOINT=... and BIOPASS_API_KEY=...
  biopass sandbox serve --port 8080
  # With faults, to rehearse a batch
  biopass sandbox serve --fail-503 0.1 --fail-429 0.05 --seed 7
  # The embedded sandbox (--env sandbox): where its state is, and a fresh start
  biopass sandbox status
  biopass sandbox reset
  # A throwaway sandbox for one shell session
  export BIOPASS_SANDBOX_DIR=$(mktemp -d)";

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
