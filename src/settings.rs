//! Resolving the command line, environment and config file into [`Settings`].
//!
//! Precedence, for every setting: flag > environment variable > profile > built-in
//! default. clap merges a flag with its environment variable; `ArgMatches::value_source`
//! tells us which one won, so `config show` can say where each value came from.
//! The API key has its own documented order (see [`Settings::api_key`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::cli::{EnvName, GlobalArgs, OutputFormat};
use biopass::error::{Failure, Kind};
use biopass::secret::ApiKey;

pub const PRODUCTION_URL: &str = "https://api.biopassid.com";
pub const HML_URL: &str = "https://hml-api.biopassid.com";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;
pub const KEY_ENV: &str = "BIOPASS_API_KEY";

/// The config file: `default_profile` and `[profiles.NAME]` tables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: std::collections::BTreeMap<String, Profile>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub env: Option<EnvName>,
    pub endpoint: Option<String>,
    pub api_key: Option<ProfileKey>,
    pub api_key_file: Option<PathBuf>,
    pub timeout: Option<f64>,
    pub connect_timeout: Option<f64>,
    pub output: Option<OutputFormat>,
    pub max_image_bytes: Option<u64>,
    pub ca_cert: Option<PathBuf>,
}

/// A key written in the config file; redacted in debug output like [`ApiKey`].
#[derive(Clone, Deserialize)]
pub struct ProfileKey(String);

impl fmt::Debug for ProfileKey {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
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
    pub ca_cert: Option<PathBuf>,
    pub verbose: u8,
    pub quiet: bool,
    pub dry_run: bool,
    /// (setting, shown value, origin) for `config show`, in display order.
    pub origins: Vec<(&'static str, String, Origin)>,
    profile: Profile,
    api_key_file_arg: Option<(String, Origin)>,
}

fn config_err(msg: impl Into<String>) -> anyhow::Error {
    Failure::new(Kind::Config, msg).into()
}

/// The config file path: `--config`/`BIOPASS_CONFIG` (must exist) or the default
/// (may be missing).
pub fn config_path(g: &GlobalArgs) -> (PathBuf, bool) {
    match &g.config {
        Some(p) => (p.clone(), true),
        None => {
            let dir = dirs::config_dir().unwrap_or_else(|| PathBuf::from("."));
            (dir.join("biopass").join("config.toml"), false)
        }
    }
}

/// Read and parse the config file. A missing default file is an empty config.
pub fn load_config(path: &Path, explicit: bool) -> Result<Option<ConfigFile>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        Err(e) => {
            return Err(config_err(format!(
                "cannot read config file {}: {e}",
                path.display()
            )));
        }
    };
    let cfg: ConfigFile = toml::from_str(&text).map_err(|e| {
        config_err(format!(
            "config file {} is not valid: {}",
            path.display(),
            e.to_string().trim_end()
        ))
    })?;
    if cfg.profiles.values().any(|p| p.api_key.is_some()) {
        check_private(path, "config file holding an api_key")?;
    }
    Ok(Some(cfg))
}

/// Refuse a secret-holding file that group or others can read (as ssh does).
pub fn check_private(path: &Path, what: &str) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path)
            .map_err(|e| config_err(format!("cannot read {what} {}: {e}", path.display())))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(config_err(format!(
                "{what} {} is readable by others (mode {mode:03o}); fix it with: chmod 600 {}",
                path.display(),
                shell_quote(&path.display().to_string())
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, what);
    Ok(())
}

fn shell_quote(s: &str) -> String {
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-~+".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Parse a duration in seconds: `30`, `2.5`, `500ms`, `30s`, `2m`. Must be > 0:
/// timeouts are always on.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (e.g. 30, 2.5, 500ms, 2m)"))?;
    let secs = v * scale;
    if !(secs.is_finite() && secs > 0.0 && secs < 1e7) {
        return Err(format!(
            "'{s}': a timeout must be more than 0 (timeouts cannot be turned off)"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
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
        let (config_path, explicit) = config_path(g);
        let cfg = load_config(&config_path, explicit)?;
        let config_found = cfg.is_some();
        let cfg = cfg.unwrap_or_default();

        // The profile: --profile/BIOPASS_PROFILE, else default_profile, else "default".
        // A profile named explicitly must exist; the implicit "default" may not.
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
                    config_path.display(),
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
            None => Profile::default(),
        };
        let base = config_path.parent().unwrap_or(Path::new("."));

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

        let dur = |v: Option<&String>, flag: &str| -> Result<Option<Duration>> {
            v.map(|s| parse_duration(s).map_err(|e| config_err(format!("{flag}: {e}"))))
                .transpose()
        };
        let prof_dur = |v: Option<f64>, key: &str| -> Result<Option<Duration>> {
            v.map(|s| {
                parse_duration(&s.to_string())
                    .map_err(|e| config_err(format!("{key} in profile '{profile_name}': {e}")))
            })
            .transpose()
        };
        let (timeout, timeout_o) = pick(
            m,
            "timeout",
            "--timeout",
            "BIOPASS_TIMEOUT",
            dur(g.timeout.as_ref(), "--timeout")?,
            prof_dur(profile.timeout, "timeout")?,
            DEFAULT_TIMEOUT,
        );
        let (connect_timeout, connect_o) = pick(
            m,
            "connect_timeout",
            "--connect-timeout",
            "BIOPASS_CONNECT_TIMEOUT",
            dur(g.connect_timeout.as_ref(), "--connect-timeout")?,
            prof_dur(profile.connect_timeout, "connect_timeout")?,
            DEFAULT_CONNECT_TIMEOUT,
        );
        let (output, output_o) = pick(
            m,
            "output",
            "--output",
            "BIOPASS_OUTPUT",
            g.output,
            profile.output,
            OutputFormat::Text,
        );
        let (max_image_bytes, max_o) = pick(
            m,
            "max_image_bytes",
            "--max-image-bytes",
            "BIOPASS_MAX_IMAGE_BYTES",
            g.max_image_bytes,
            profile.max_image_bytes,
            DEFAULT_MAX_IMAGE_BYTES,
        );
        if max_image_bytes == 0 {
            return Err(config_err("max image size must be more than 0 bytes"));
        }
        let (ca_cert, ca_o) = pick(
            m,
            "ca_cert",
            "--ca-cert",
            "BIOPASS_CA_CERT",
            g.ca_cert.clone().map(Some),
            profile.ca_cert.as_ref().map(|p| Some(expand(p, base))),
            None,
        );
        let api_key_file_arg = g.api_key_file.clone().map(|f| {
            (
                f,
                source(m, "api_key_file", "--api-key-file", "BIOPASS_API_KEY_FILE"),
            )
        });

        let origins = vec![
            ("env", format!("{env:?}").to_lowercase(), env_o),
            (
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
            ),
            ("timeout", format!("{}s", timeout.as_secs_f64()), timeout_o),
            (
                "connect_timeout",
                format!("{}s", connect_timeout.as_secs_f64()),
                connect_o,
            ),
            ("output", format!("{output:?}").to_lowercase(), output_o),
            ("max_image_bytes", max_image_bytes.to_string(), max_o),
            (
                "ca_cert",
                ca_cert
                    .as_ref()
                    .map_or("(none)".into(), |p: &PathBuf| p.display().to_string()),
                ca_o,
            ),
        ];

        Ok(Settings {
            config_path,
            config_found,
            profile_name,
            env,
            endpoint,
            timeout,
            connect_timeout,
            output,
            max_image_bytes,
            ca_cert,
            verbose: g.verbose,
            quiet: g.quiet,
            dry_run: g.dry_run,
            origins,
            profile,
            api_key_file_arg,
        })
    }

    /// Whether `--api-key-file -` asks for the key on standard input.
    pub fn key_from_stdin(&self) -> bool {
        self.api_key_file_arg
            .as_ref()
            .is_some_and(|(f, _)| f == "-")
    }

    /// The API key and where it came from, in this order: `BIOPASS_API_KEY`,
    /// `--api-key-file` (or `BIOPASS_API_KEY_FILE`), the profile's `api_key_file`,
    /// the profile's `api_key`. `Ok(None)` when none is set.
    pub fn api_key(&self) -> Result<Option<(ApiKey, String)>> {
        let bad = |what: &str, e: &str| config_err(format!("{what}: {e}"));
        if let Ok(raw) = std::env::var(KEY_ENV) {
            let key = ApiKey::new(&raw).map_err(|e| bad(KEY_ENV, e))?;
            return Ok(Some((key, format!("env {KEY_ENV}"))));
        }
        if let Some((file, origin)) = &self.api_key_file_arg {
            return read_key_file(file, None).map(|k| Some((k, format!("{origin} ({file})"))));
        }
        let base = self.config_path.parent().unwrap_or(Path::new("."));
        if let Some(file) = &self.profile.api_key_file {
            let path = expand(file, base);
            let key = read_key_file(&path.display().to_string(), Some(&path))?;
            return Ok(Some((
                key,
                format!("profile api_key_file ({})", path.display()),
            )));
        }
        if let Some(ProfileKey(raw)) = &self.profile.api_key {
            let key = ApiKey::new(raw)
                .map_err(|e| bad(&format!("api_key in {}", self.config_path.display()), e))?;
            return Ok(Some((
                key,
                format!("profile api_key ({})", self.config_path.display()),
            )));
        }
        Ok(None)
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

fn read_key_file(name: &str, path: Option<&Path>) -> Result<ApiKey> {
    let raw = if name == "-" && path.is_none() {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut s)
            .context("reading the API key from standard input")?;
        s
    } else {
        let p = path.map_or_else(|| PathBuf::from(name), Path::to_path_buf);
        let text = std::fs::read_to_string(&p)
            .map_err(|e| config_err(format!("cannot read API key file {}: {e}", p.display())))?;
        check_private(&p, "API key file")?;
        text
    };
    ApiKey::new(&raw).map_err(|e| config_err(format!("API key file {name}: {e}")))
}

/// `~/x` → home/x; relative paths are relative to the config file's folder.
fn expand(p: &Path, base: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(home) = dirs::home_dir()
    {
        return home.join(rest);
    }
    if p.is_relative() {
        base.join(p)
    } else {
        p.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn config_errors_name_the_line() {
        let e = toml::from_str::<ConfigFile>("[profiles.a]\nenv = \"prod\"\n").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        let e = toml::from_str::<ConfigFile>("[profiles.a]\napi_kee = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("api_kee"), "{e}");
    }

    #[test]
    fn profile_key_debug_is_redacted() {
        let c: ConfigFile = toml::from_str("[profiles.a]\napi_key = \"s3cr3t-value\"\n").unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    #[test]
    fn quoting_for_chmod_hint() {
        assert_eq!(shell_quote("/a/b.toml"), "/a/b.toml");
        assert_eq!(shell_quote("/a b/c"), "'/a b/c'");
    }
}
