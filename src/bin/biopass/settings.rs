//! Resolving the command line, environment and config file into [`Settings`].
//!
//! Precedence, for every setting: flag > environment variable > profile > built-in
//! default. clap merges a flag with its environment variable; `ArgMatches::value_source`
//! tells us which one won, so `config show` can say where each value came from.
//! The API key has its own documented order (see [`Settings::api_key`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::{EnvName, GlobalArgs, OutputFormat};
use crate::config_file::{
    ConfigFile, Profile, ProfileKey, check_key_holder, check_mode, config_err, config_path, expand,
    io_reason, load_config, read_config,
};
use crate::values::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_TIMEOUT, parse_duration,
    parse_max_dimension, parse_max_image_bytes,
};
use biopass::secret::ApiKey;

pub const PRODUCTION_URL: &str = "https://api.biopassid.com";

pub const HML_URL: &str = "https://hml-api.biopassid.com";

pub const KEY_ENV: &str = "BIOPASS_API_KEY";

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

fn source(m: &ArgMatches, id: &str, flag: &'static str, env: &'static str) -> Origin {
    match m.value_source(id) {
        Some(ValueSource::EnvVariable) => Origin::Env(env),
        _ => Origin::Flag(flag),
    }
}

/// flag/env value if present, else the profile's, else the default.
fn pick<T>(
    m: &ArgMatches,
    id: &str,
    flag: &'static str,
    env: &'static str,
    arg: Option<T>,
    profile: Option<T>,
    default: T,
) -> (T, Origin) {
    match (arg, profile) {
        (Some(v), _) => (v, source(m, id, flag, env)),
        (None, Some(v)) => (v, Origin::Profile),
        (None, None) => (default, Origin::Default),
    }
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

    /// The steps, in the order their errors are reported and their rows are shown by
    /// `config show`: the config file, the profile, then each group of settings.
    fn resolve_with(g: &GlobalArgs, m: &ArgMatches, tolerant: bool) -> Result<Settings> {
        let file = ConfigInUse::read(g, tolerant)?;
        let (profile_name, profile) = select_profile(g, &file)?;
        let mut r = Resolver {
            g,
            m,
            profile: &profile,
            profile_name: &profile_name,
            base: file.path.parent().unwrap_or(Path::new(".")),
            origins: Vec::new(),
        };
        let (env, endpoint) = r.target()?;
        let (timeout, connect_timeout) = r.timeouts()?;
        let output = r.output();
        let images = r.images()?;
        let ca_cert = r.ca_cert();
        let origins = r.origins;
        Ok(Settings {
            config_found: file.config.is_some(),
            config_path: file.path,
            env,
            endpoint,
            timeout,
            connect_timeout,
            output,
            max_image_bytes: images.max_image_bytes,
            keep_metadata: images.keep_metadata,
            max_dimension: images.max_dimension,
            face_check: images.face_check,
            ca_cert,
            verbose: g.verbose,
            quiet: g.quiet,
            dry_run: g.dry_run,
            origins,
            profile,
            profile_name,
            api_key_file_arg: key_file_arg(g, m),
            config_problem: file.problem,
        })
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

    /// Whether `--api-key-file -` asks for the key on standard input.
    pub fn key_from_stdin(&self) -> bool {
        self.api_key_file_arg
            .as_ref()
            .is_some_and(|(f, _)| f == "-")
    }

    /// Whether requests go to a sandbox (the embedded one, or `--env sandbox` with an
    /// endpoint): then only a key given explicitly is used, never the profile's.
    pub fn targets_sandbox(&self) -> bool {
        self.endpoint == Endpoint::EmbeddedSandbox || self.env == EnvName::Sandbox
    }

    /// The key given explicitly for this run: `BIOPASS_API_KEY`, else `--api-key-file`
    /// (or `BIOPASS_API_KEY_FILE`). `Ok(None)` when neither is set.
    pub fn explicit_api_key(&self) -> Result<Option<(ApiKey, String)>> {
        self.lookup(false)
            .map(|l| l.key.map(|k| (k, l.source)))
            .transpose()
    }

    /// The API key and where it came from, in this order: `BIOPASS_API_KEY`,
    /// `--api-key-file` (or `BIOPASS_API_KEY_FILE`), the profile's `api_key_file`,
    /// the profile's `api_key`. `Ok(None)` when none is set.
    pub fn api_key(&self) -> Result<Option<(ApiKey, String)>> {
        self.lookup(true)
            .map(|l| l.key.map(|k| (k, l.source)))
            .transpose()
    }

    /// The key source a command would use and what reading it gave, so `config
    /// show` can name a broken source instead of failing: the first one set in the
    /// order of [`Settings::api_key`], or for a sandbox (see
    /// [`Settings::targets_sandbox`]) only the explicit ones. `None` when none is set.
    pub fn key_lookup(&self) -> Option<KeyLookup> {
        self.lookup(!self.targets_sandbox())
    }

    fn lookup(&self, with_profile: bool) -> Option<KeyLookup> {
        let found = |source: String, key: Result<ApiKey>| Some(KeyLookup { source, key });
        if let Some(raw) = std::env::var_os(KEY_ENV) {
            let source = format!("env {KEY_ENV}");
            let key = ApiKey::from_bytes(raw.into_encoded_bytes(), &source).map_err(config_err);
            return found(source, key);
        }
        if let Some((file, origin)) = &self.api_key_file_arg {
            let source = format!("{origin} ({file})");
            let key = if file == "-" {
                let what = format!("standard input ({origin} -)");
                ApiKey::read(std::io::stdin().lock(), &what).map_err(config_err)
            } else {
                read_key_file(Path::new(file), &source)
            };
            return found(source, key);
        }
        if !with_profile {
            return None;
        }
        let base = self.config_path.parent().unwrap_or(Path::new("."));
        if let Some(file) = &self.profile.api_key_file {
            let path = expand(file, base);
            let source = format!("profile api_key_file ({})", path.display());
            let key = read_key_file(&path, &source);
            return found(source, key);
        }
        if let Some(ProfileKey(raw)) = &self.profile.api_key {
            let source = format!("profile api_key ({})", self.config_path.display());
            let key = ApiKey::from_bytes(raw.clone().into_bytes(), &source).map_err(config_err);
            return found(source, key);
        }
        None
    }

    /// The key, or a configuration error saying how to set one.
    pub fn require_api_key(&self) -> Result<ApiKey> {
        self.api_key()?.map(|(k, _)| k).ok_or_else(|| {
            config_err(format!(
                "no API key: set {KEY_ENV}, pass --api-key-file PATH, or set api_key_file in profile \
'{}' of {} (biopass config init writes a starter file)",
                self.profile_name,
                self.config_path.display()
            ))
        })
    }
}

/// The config file in use, as read.
struct ConfigInUse {
    path: PathBuf,
    /// `None` when there is no file (allowed unless it was named explicitly).
    config: Option<ConfigFile>,
    /// What is wrong with it that only `config show` tolerates
    /// ([`Settings::config_problem`]).
    problem: Option<String>,
}

impl ConfigInUse {
    /// Find and read the config file. `tolerant` (`config show`): a file holding a
    /// key that others can read is read anyway, and the problem kept to be named.
    fn read(g: &GlobalArgs, tolerant: bool) -> Result<ConfigInUse> {
        let (path, explicit) = config_path(g);
        let (config, problem) = if tolerant {
            match read_config(&path, explicit)? {
                Some(cfg) => {
                    let problem = check_key_holder(&path, &cfg)
                        .err()
                        .map(|e| format!("{e:#}"));
                    (Some(cfg), problem)
                }
                None => (None, None),
            }
        } else {
            (load_config(&path, explicit)?, None)
        };
        Ok(ConfigInUse {
            path,
            config,
            problem,
        })
    }
}

/// The profile: --profile/BIOPASS_PROFILE, else default_profile, else "default".
/// A profile named explicitly must exist; the implicit "default" may not.
fn select_profile(g: &GlobalArgs, file: &ConfigInUse) -> Result<(String, Profile)> {
    let empty = ConfigFile::default();
    let cfg = file.config.as_ref().unwrap_or(&empty);
    let (profile_name, named) = match (&g.profile, &cfg.default_profile) {
        (Some(p), _) => (p.clone(), true),
        (None, Some(p)) => (p.clone(), true),
        (None, None) => ("default".to_string(), false),
    };
    let profile = match cfg.profiles.get(&profile_name) {
        Some(p) => p.clone(),
        None if named => {
            let known: Vec<_> = cfg.profiles.keys().map(String::as_str).collect();
            return Err(config_err(format!(
                "no profile '{profile_name}' in {} (profiles: {})",
                file.path.display(),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        None => Profile::default(),
    };
    Ok((profile_name, profile))
}

/// `--api-key-file` (or `BIOPASS_API_KEY_FILE`) and which of the two gave it; read
/// only when the key is looked up ([`Settings::api_key`]).
fn key_file_arg(g: &GlobalArgs, m: &ArgMatches) -> Option<(String, Origin)> {
    g.api_key_file.clone().map(|f| {
        (
            f,
            source(m, "api_key_file", "--api-key-file", "BIOPASS_API_KEY_FILE"),
        )
    })
}

/// What each step of [`Settings::resolve_with`] reads (the command line and the
/// chosen profile), and the `config show` rows the steps add, in display order.
struct Resolver<'a> {
    g: &'a GlobalArgs,
    m: &'a ArgMatches,
    profile: &'a Profile,
    profile_name: &'a str,
    /// The config file's folder: relative paths in the profile are based there.
    base: &'a Path,
    /// (setting, shown value, origin), see [`Settings::origins`].
    origins: Vec<(&'static str, String, Origin)>,
}

/// The image settings, resolved together (see [`Resolver::images`]).
struct ImageSettings {
    max_image_bytes: u64,
    keep_metadata: bool,
    max_dimension: Option<u32>,
    face_check: bool,
}

impl Resolver<'_> {
    fn show(&mut self, setting: &'static str, value: String, origin: Origin) {
        self.origins.push((setting, value, origin));
    }

    /// A configuration error about a profile value.
    fn bad_profile_value(&self, key: &str, e: impl fmt::Display) -> anyhow::Error {
        config_err(format!("{key} in profile '{}': {e}", self.profile_name))
    }

    /// Where requests go: the env, and the endpoint (given, or the env's own).
    fn target(&mut self) -> Result<(EnvName, Endpoint)> {
        let (g, m, profile) = (self.g, self.m, self.profile);
        let (env, env_o) = pick(
            m,
            "env",
            "--env",
            "BIOPASS_ENV",
            g.env,
            profile.env,
            EnvName::Production,
        );
        // A profile's endpoint belongs with the profile's env: choosing another env by
        // flag or variable must not keep sending to the profile's URL (a profile
        // pointing at production would otherwise catch `--env sandbox`).
        let profile_endpoint = match env_o {
            Origin::Profile | Origin::Default => profile.endpoint.clone(),
            _ => None,
        };
        let (endpoint_str, endpoint_o) = pick(
            m,
            "endpoint",
            "--endpoint",
            "BIOPASS_ENDPOINT",
            g.endpoint.clone(),
            profile_endpoint,
            String::new(),
        );
        let endpoint = if !endpoint_str.is_empty() {
            let url = endpoint_str.trim_end_matches('/').to_string();
            biopass::client::check_endpoint(&url)?;
            Endpoint::Url(url)
        } else {
            match env {
                EnvName::Production => Endpoint::Url(PRODUCTION_URL.into()),
                EnvName::Hml => Endpoint::Url(HML_URL.into()),
                EnvName::Sandbox => Endpoint::EmbeddedSandbox,
            }
        };
        self.show("env", format!("{env:?}").to_lowercase(), env_o);
        self.show(
            "endpoint",
            match &endpoint {
                Endpoint::Url(u) => u.clone(),
                Endpoint::EmbeddedSandbox => "in-process sandbox on 127.0.0.1".into(),
            },
            if endpoint_str.is_empty() {
                Origin::Default
            } else {
                endpoint_o
            },
        );
        Ok((env, endpoint))
    }

    /// `--timeout` and `--connect-timeout`.
    fn timeouts(&mut self) -> Result<(Duration, Duration)> {
        let (g, m, profile) = (self.g, self.m, self.profile);
        let prof_dur = |v: Option<f64>, key: &str| -> Result<Option<Duration>> {
            v.map(|s| parse_duration(&s.to_string()).map_err(|e| self.bad_profile_value(key, e)))
                .transpose()
        };
        let (timeout, timeout_o) = pick(
            m,
            "timeout",
            "--timeout",
            "BIOPASS_TIMEOUT",
            g.timeout,
            prof_dur(profile.timeout, "timeout")?,
            DEFAULT_TIMEOUT,
        );
        let (connect_timeout, connect_o) = pick(
            m,
            "connect_timeout",
            "--connect-timeout",
            "BIOPASS_CONNECT_TIMEOUT",
            g.connect_timeout,
            prof_dur(profile.connect_timeout, "connect_timeout")?,
            DEFAULT_CONNECT_TIMEOUT,
        );
        self.show("timeout", format!("{}s", timeout.as_secs_f64()), timeout_o);
        self.show(
            "connect_timeout",
            format!("{}s", connect_timeout.as_secs_f64()),
            connect_o,
        );
        Ok((timeout, connect_timeout))
    }

    /// `--output`.
    fn output(&mut self) -> OutputFormat {
        let (output, output_o) = pick(
            self.m,
            "output",
            "--output",
            "BIOPASS_OUTPUT",
            self.g.output,
            self.profile.output,
            OutputFormat::Text,
        );
        self.show("output", format!("{output:?}").to_lowercase(), output_o);
        output
    }

    /// How images are prepared: size limit, metadata, dimension cap, face gate.
    fn images(&mut self) -> Result<ImageSettings> {
        let (g, m, profile) = (self.g, self.m, self.profile);
        let (max_image_bytes, max_o) = pick(
            m,
            "max_image_bytes",
            "--max-image-bytes",
            "BIOPASS_MAX_IMAGE_BYTES",
            g.max_image_bytes,
            profile
                .max_image_bytes
                .map(|n| {
                    parse_max_image_bytes(&n.to_string())
                        .map_err(|e| self.bad_profile_value("max_image_bytes", e))
                })
                .transpose()?,
            DEFAULT_MAX_IMAGE_BYTES,
        );
        let (keep_metadata, keep_o) = pick(
            m,
            "keep_metadata",
            "--keep-metadata",
            "BIOPASS_KEEP_METADATA",
            g.keep_metadata.then_some(true),
            profile.keep_metadata,
            false,
        );
        let (max_dimension, maxdim_o) = pick(
            m,
            "max_dimension",
            "--max-dimension",
            "BIOPASS_MAX_DIMENSION",
            g.max_dimension.map(Some),
            profile
                .max_dimension
                .map(|n| {
                    parse_max_dimension(&n.to_string())
                        .map_err(|e| self.bad_profile_value("max_dimension", e))
                })
                .transpose()?
                .map(Some),
            None,
        );
        // --no-face-check wins over the env (its hidden --face-check twin).
        let (face_check, face_o) = if g.no_face_check {
            (false, Origin::Flag("--no-face-check"))
        } else {
            pick(
                m,
                "face_check",
                "--face-check",
                "BIOPASS_FACE_CHECK",
                g.face_check,
                profile.face_check,
                true,
            )
        };
        self.show("max_image_bytes", max_image_bytes.to_string(), max_o);
        self.show("keep_metadata", keep_metadata.to_string(), keep_o);
        self.show(
            "max_dimension",
            max_dimension.map_or("(off)".into(), |p| p.to_string()),
            maxdim_o,
        );
        self.show("face_check", face_check.to_string(), face_o);
        Ok(ImageSettings {
            max_image_bytes,
            keep_metadata,
            max_dimension,
            face_check,
        })
    }

    /// `--ca-cert` (a profile's path is relative to the config file).
    fn ca_cert(&mut self) -> Option<PathBuf> {
        let (ca_cert, ca_o) = pick(
            self.m,
            "ca_cert",
            "--ca-cert",
            "BIOPASS_CA_CERT",
            self.g.ca_cert.clone().map(Some),
            self.profile
                .ca_cert
                .as_ref()
                .map(|p| Some(expand(p, self.base))),
            None,
        );
        self.show(
            "ca_cert",
            ca_cert
                .as_ref()
                .map_or("(none)".into(), |p: &PathBuf| p.display().to_string()),
            ca_o,
        );
        ca_cert
    }
}

/// One key source and what reading it gave (see [`Settings::key_lookup`]).
pub struct KeyLookup {
    /// Where the key comes from, e.g. `profile api_key_file (/home/me/biopass.key)`.
    pub source: String,
    /// The key, or a configuration error (78) that names the source and never
    /// holds any of the key's bytes.
    pub key: Result<ApiKey>,
}

/// A key file: a directory is refused, a regular file must be private (as ssh's
/// rule), and at most [`biopass::secret::MAX_KEY_BYTES`] are read. Pipes and devices (`<(pass key)`,
/// `/dev/stdin`) hold no stored copy of the key, so the mode rule, and its chmod
/// hint, do not apply to them; the bound still does (`/dev/zero` ends at 4 KiB). A
/// FIFO nobody writes to blocks in `open`, as for any program: the user named it.
fn read_key_file(path: &Path, what: &str) -> Result<ApiKey> {
    let cannot = |reason: String| {
        config_err(format!(
            "cannot read the API key file {}: {reason}",
            path.display()
        ))
    };
    let file = std::fs::File::open(path).map_err(|e| cannot(io_reason(&e)))?;
    let meta = file.metadata().map_err(|e| cannot(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(cannot("it is a directory".into()));
    }
    if meta.is_file() {
        check_mode(path, &meta, "API key file")?;
    }
    ApiKey::read(file, what).map_err(config_err)
}
