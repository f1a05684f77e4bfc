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
/// The shortest timeout accepted: anything shorter cannot complete a request.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);
/// The longest timeout accepted (one day): more is a typo, not a wish.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);
/// The largest `max_image_bytes` accepted (1 GiB): images are held in memory and
/// sent base64-encoded; the API accepts far smaller ones.
pub const MAX_MAX_IMAGE_BYTES: u64 = 1024 * 1024 * 1024;
/// The most bytes read from a config file.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

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
    let cannot = |e: &dyn fmt::Display| {
        config_err(format!("cannot read config file {}: {e}", path.display()))
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        Err(e) => return Err(cannot(&e)),
    };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_CONFIG_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| cannot(&e))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(cannot(&"it is larger than 1 MiB"));
    }
    let text = String::from_utf8(bytes).map_err(|_| cannot(&"it is not valid UTF-8 text"))?;
    let cfg: ConfigFile = toml::from_str(&text).map_err(|e| {
        config_err(format!(
            "config file {} is not valid: {}",
            path.display(),
            describe_toml_error(&text, &e)
        ))
    })?;
    if cfg.profiles.values().any(|p| p.api_key.is_some()) {
        check_private(path, "config file holding an api_key")?;
    }
    Ok(Some(cfg))
}

/// "line L, column C: what is wrong", never the text of the line: toml's own
/// `Display` quotes the line, which may be the one holding the key.
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let place = match e.span() {
        Some(span) => {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count()
                + 1;
            format!("line {line}, column {column}: ")
        }
        None => String::new(),
    };
    format!("{place}{}", value_free(e.message()))
}

/// serde's messages quote the offending value ("invalid type: string \"...\",
/// expected f64"; "unknown variant `...`"). Keep only what was expected: that text
/// comes from our own types. Other messages (TOML syntax, unknown or missing
/// field names) hold no value; they are sanitised and cut all the same.
fn value_free(msg: &str) -> String {
    let msg = msg.lines().next().unwrap_or_default();
    for (prefix, what) in [
        ("invalid type:", "wrong type of value"),
        ("invalid value:", "invalid value"),
        ("unknown variant", "unknown value"),
        ("invalid length", "wrong number of values"),
    ] {
        if msg.starts_with(prefix) {
            // The expected part is last and never holds ", expected ".
            return match msg.rfind(", expected ") {
                Some(i) => format!("{what}{}", biopass::sanitize::sanitize(&msg[i..], 200)),
                None => what.to_string(),
            };
        }
    }
    biopass::sanitize::sanitize(msg, 200)
}

/// Refuse a secret-holding file that group or others can read (as ssh does).
pub fn check_private(path: &Path, what: &str) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| {
        config_err(format!(
            "cannot read {what} {}: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    check_mode(path, &meta, what)
}

fn check_mode(path: &Path, meta: &std::fs::Metadata, what: &str) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
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
    let _ = (path, meta, what);
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

/// Parse a duration in seconds: `30`, `2.5`, `500ms`, `30s`, `2m`. Timeouts are
/// always on: from [`MIN_TIMEOUT`] (1 ms) to [`MAX_TIMEOUT`] (1 day).
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
    let range = MIN_TIMEOUT.as_secs_f64()..=MAX_TIMEOUT.as_secs_f64();
    if !(secs.is_finite() && range.contains(&secs)) {
        return Err(format!(
            "'{s}': a timeout must be from 1ms to 1 day (86400 s); timeouts cannot be turned off"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Parse `--max-image-bytes`: 1 to [`MAX_MAX_IMAGE_BYTES`] (1 GiB).
pub fn parse_max_image_bytes(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=MAX_MAX_IMAGE_BYTES).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{s}' is not a size from 1 to {MAX_MAX_IMAGE_BYTES} bytes (1 GiB)"
        )),
    }
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
            profile
                .max_image_bytes
                .map(|n| {
                    parse_max_image_bytes(&n.to_string()).map_err(|e| {
                        config_err(format!("max_image_bytes in profile '{profile_name}': {e}"))
                    })
                })
                .transpose()?,
            DEFAULT_MAX_IMAGE_BYTES,
        );
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

/// An I/O error in a few words, the same on every platform for the common cases.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
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
        // The documented range: 1 ms to one day.
        assert_eq!(parse_duration("1ms").unwrap(), MIN_TIMEOUT);
        assert_eq!(parse_duration("86400").unwrap(), MAX_TIMEOUT);
        for bad in ["0.0001", "86401", "1441m", "inf", "NaN", "1e-300"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_max_image_bytes("1073741824").is_ok());
        for bad in ["0", "1073741825", "18446744073709551615", "-1"] {
            assert!(parse_max_image_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn config_errors_hold_no_value() {
        let text = "[profiles.a]\ntimeout = \"s3cr3t\"\n";
        let e = toml::from_str::<ConfigFile>(text).unwrap_err();
        let d = describe_toml_error(text, &e);
        assert_eq!(d, "line 2, column 11: wrong type of value, expected f64");
        let text = "[profiles.a]\nenv = \"s3cr3t, expected x\"\n";
        let e = toml::from_str::<ConfigFile>(text).unwrap_err();
        let d = describe_toml_error(text, &e);
        assert!(
            d.starts_with("line 2, column 7: unknown value, expected one of"),
            "{d}"
        );
        assert!(!d.contains("s3cr3t"), "{d}");
        // Columns count characters, not bytes.
        let text = "[profiles.a]\n\"é\" = 1\n";
        let e = toml::from_str::<ConfigFile>(text).unwrap_err();
        assert!(describe_toml_error(text, &e).starts_with("line 2, column 1:"));
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
