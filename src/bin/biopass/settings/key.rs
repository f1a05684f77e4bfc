//! The API key: which source a command uses, and reading it.

use std::path::Path;

use anyhow::Result;

use super::Settings;
use crate::config_file::{ProfileKey, check_mode, config_err, expand, io_reason};
use biopass::secret::ApiKey;

pub const KEY_ENV: &str = "BIOPASS_API_KEY";

impl Settings {
    /// Whether `--api-key-file -` asks for the key on standard input.
    pub fn key_from_stdin(&self) -> bool {
        self.api_key_file_arg
            .as_ref()
            .is_some_and(|(f, _)| f == "-")
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
