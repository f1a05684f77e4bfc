//! The config file: where it is, reading it (bounded, private when it holds a key),
//! and errors that name the place but never the text (a line may hold the key).

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Result;
use biopass::error::{Failure, Kind};
use serde::Deserialize;

use crate::cli::{EnvName, GlobalArgs, OutputFormat};

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
    pub keep_metadata: Option<bool>,
    pub max_dimension: Option<u32>,
    pub face_check: Option<bool>,
    pub ca_cert: Option<PathBuf>,
}

/// A key written in the config file; redacted in debug output like [`ApiKey`].
#[derive(Clone, Deserialize)]
pub struct ProfileKey(pub String);

impl fmt::Debug for ProfileKey {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

pub fn config_err(msg: impl Into<String>) -> anyhow::Error {
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

/// Read and parse the config file. A missing default file is an empty config. A file
/// holding an `api_key` must be private ([`check_key_holder`]).
pub fn load_config(path: &Path, explicit: bool) -> Result<Option<ConfigFile>> {
    let cfg = read_config(path, explicit)?;
    if let Some(cfg) = &cfg {
        check_key_holder(path, cfg)?;
    }
    Ok(cfg)
}

/// A config file holding an `api_key` that group or others can read is refused.
pub fn check_key_holder(path: &Path, cfg: &ConfigFile) -> Result<()> {
    if cfg.profiles.values().any(|p| p.api_key.is_some()) {
        check_private(path, "config file holding an api_key")?;
    }
    Ok(())
}

/// [`load_config`] without the privacy check (`config show` reports it instead).
pub fn read_config(path: &Path, explicit: bool) -> Result<Option<ConfigFile>> {
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
    let cfg: ConfigFile = toml_edit::de::from_str(&text).map_err(|e| {
        config_err(format!(
            "config file {} is not valid: {}",
            path.display(),
            describe_toml_error(&text, &e)
        ))
    })?;
    Ok(Some(cfg))
}

/// "line L, column C: what is wrong", never the text of the line: toml's own
/// `Display` quotes the line, which may be the one holding the key.
fn describe_toml_error(text: &str, e: &toml_edit::de::Error) -> String {
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

pub fn check_mode(path: &Path, meta: &std::fs::Metadata, what: &str) -> Result<()> {
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

/// `~/x` → home/x; relative paths are relative to the config file's folder.
pub fn expand(p: &Path, base: &Path) -> PathBuf {
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

pub use biopass::regular::io_reason;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn config_errors_hold_no_value() {
        let text = "[profiles.a]\ntimeout = \"s3cr3t\"\n";
        let e = toml_edit::de::from_str::<ConfigFile>(text).unwrap_err();
        let d = describe_toml_error(text, &e);
        assert_eq!(d, "line 2, column 11: wrong type of value, expected f64");
        let text = "[profiles.a]\nenv = \"s3cr3t, expected x\"\n";
        let e = toml_edit::de::from_str::<ConfigFile>(text).unwrap_err();
        let d = describe_toml_error(text, &e);
        assert!(
            d.starts_with("line 2, column 7: unknown value, expected one of"),
            "{d}"
        );
        assert!(!d.contains("s3cr3t"), "{d}");
        // Columns count characters, not bytes.
        let text = "[profiles.a]\n\"é\" = 1\n";
        let e = toml_edit::de::from_str::<ConfigFile>(text).unwrap_err();
        assert!(describe_toml_error(text, &e).starts_with("line 2, column 1:"));
    }

    #[test]
    fn config_errors_name_the_line() {
        let e =
            toml_edit::de::from_str::<ConfigFile>("[profiles.a]\nenv = \"prod\"\n").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        let e =
            toml_edit::de::from_str::<ConfigFile>("[profiles.a]\napi_kee = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("api_kee"), "{e}");
    }

    #[test]
    fn profile_key_debug_is_redacted() {
        let c: ConfigFile =
            toml_edit::de::from_str("[profiles.a]\napi_key = \"s3cr3t-value\"\n").unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    #[test]
    fn quoting_for_chmod_hint() {
        assert_eq!(shell_quote("/a/b.toml"), "/a/b.toml");
        assert_eq!(shell_quote("/a b/c"), "'/a b/c'");
    }
}
