//! The global options every command takes, and the values of `--env` and `--output`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::values::{parse_duration, parse_max_dimension, parse_max_image_bytes};

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
