//! Resolving the command line, environment and config file into [`Settings`].
//!
//! Precedence, for every setting: flag > environment variable > profile > built-in
//! default. clap merges a flag with its environment variable; `ArgMatches::value_source`
//! tells us which one won, so `config show` can say where each value came from.
//! The API key has its own documented order (see [`Settings::api_key`]).
//!
//! The steps are in `resolve.rs`, the API key in `key.rs`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::ArgMatches;

use crate::cli::{EnvName, GlobalArgs, OutputFormat};
use crate::config_file::Profile;

mod key;
mod resolve;

pub use key::KEY_ENV;

pub const PRODUCTION_URL: &str = "https://api.biopassid.com";

pub const HML_URL: &str = "https://hml-api.biopassid.com";

/// The global options' argument ids, by what they set: a command names the groups it
/// reads, and a bad `BIOPASS_*` variable of one of them is then its usage error
/// ([`crate::env::BadEnv::require`]); a variable it does not read cannot break it.
pub mod uses {
    /// The config file and profile: every command that reads settings.
    pub const FILE: &[&str] = &["config", "profile"];
    /// The output format.
    pub const OUTPUT: &[&str] = &["output"];
    /// Where requests go, how long they may take, what is trusted, the key file.
    pub const TARGET: &[&str] = &[
        "env",
        "endpoint",
        "timeout",
        "connect_timeout",
        "ca_cert",
        "api_key_file",
    ];
    /// How images are prepared.
    pub const IMAGES: &[&str] = &[
        "max_image_bytes",
        "keep_metadata",
        "max_dimension",
        "face_check",
    ];
    /// Every setting (`doctor` checks them all).
    pub const ALL: &[&[&str]] = &[FILE, OUTPUT, TARGET, IMAGES];
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    Profile,
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Env(var) => write!(f, "env {var}"),
            Origin::Profile => f.write_str("profile"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A base URL such as `https://api.biopassid.com`, without trailing slash.
    Url(String),
    /// The emulator, started in-process for this command.
    EmbeddedSandbox,
}

/// Everything a command needs, resolved: no `Option` left to default downstream.
#[derive(Debug)]
pub struct Settings {
    pub config_path: PathBuf,
    pub config_found: bool,
    pub profile_name: String,
    pub env: EnvName,
    pub endpoint: Endpoint,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub output: OutputFormat,
    pub max_image_bytes: u64,
    pub keep_metadata: bool,
    pub max_dimension: Option<u32>,
    /// The offline face gate before every send ([`biopass::images::face`]).
    pub face_check: bool,
    pub ca_cert: Option<PathBuf>,
    pub verbose: u8,
    pub quiet: bool,
    pub dry_run: bool,
    /// (setting, shown value, origin) for `config show`, in display order.
    pub origins: Vec<(&'static str, String, Origin)>,
    profile: Profile,
    api_key_file_arg: Option<(String, Origin)>,
    /// `config show` only: what is wrong with the config file that other commands
    /// refuse it for (a key that others can read).
    pub config_problem: Option<String>,
}

impl Settings {
    pub fn resolve(g: &GlobalArgs, m: &ArgMatches) -> Result<Settings> {
        Settings::resolve_with(g, m, false)
    }

    /// For `config show`, which always prints every setting: a config file holding a
    /// key that others can read is a problem to name ([`Settings::config_problem`]),
    /// not a reason to show nothing. The key from it is not shown.
    pub fn resolve_for_show(g: &GlobalArgs, m: &ArgMatches) -> Result<Settings> {
        Settings::resolve_with(g, m, true)
    }

    /// How images are prepared before sending.
    pub fn images(&self) -> biopass::images::prepare::Options {
        biopass::images::prepare::Options {
            max_bytes: self.max_image_bytes,
            keep_metadata: self.keep_metadata,
            max_dimension: self.max_dimension,
            face_check: self.face_check,
        }
    }

    /// Whether requests go to a sandbox (the embedded one, or `--env sandbox` with an
    /// endpoint): then only a key given explicitly is used, never the profile's.
    pub fn targets_sandbox(&self) -> bool {
        self.endpoint == Endpoint::EmbeddedSandbox || self.env == EnvName::Sandbox
    }
}
