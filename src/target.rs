//! Where requests go: a configured endpoint, or a sandbox started in-process for the
//! length of one command (`--env sandbox`).
//!
//! A [`Spec`] is everything needed to reach the service, resolved but not yet
//! connected: `--dry-run` and batch planning read it without opening anything, and a
//! batch journal records [`Spec::identity`] so that a journal written against one
//! target never vouches for another.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use crate::client::{Client, ClientOptions};
use crate::error::{Failure, Kind};
use crate::sandbox;
use crate::secret::ApiKey;

/// The base of every request URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// A base URL such as `https://api.biopassid.com`, without trailing slash.
    Url(String),
    /// The emulator, started in-process for this command, keeping its state in `dir`.
    EmbeddedSandbox {
        /// The sandbox's state folder (see [`sandbox::Persistence::Sync`]).
        dir: PathBuf,
    },
}

/// A resolved target: where, with which key, with which limits.
#[derive(Clone)]
pub struct Spec {
    /// Where requests go.
    pub base: Base,
    /// `None` only where nothing will be sent (`--dry-run` without a key).
    pub key: Option<ApiKey>,
    /// The limit on one whole request, connecting and reading the answer included.
    pub timeout: Duration,
    /// The limit on connecting alone.
    pub connect_timeout: Duration,
    /// An extra trusted root certificate (PEM) for TLS.
    pub ca_cert: Option<PathBuf>,
    /// Request logging: 0 none, 1 one line per request and answer, 2 also the
    /// allowed response headers.
    pub verbose: u8,
    /// Where log lines go (the binary writes them to stderr).
    pub log: Option<crate::client::Log>,
}

impl std::fmt::Debug for Spec {
    // By hand: the log function has no Debug, and the key prints as [REDACTED].
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("base", &self.base)
            .field("key", &self.key)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("ca_cert", &self.ca_cert)
            .field("verbose", &self.verbose)
            .finish_non_exhaustive()
    }
}

impl Spec {
    /// The base URL as shown to people (the embedded sandbox's port is not known
    /// until it starts).
    pub fn display_base(&self) -> String {
        match &self.base {
            Base::Url(u) => u.clone(),
            Base::EmbeddedSandbox { .. } => "http://127.0.0.1:<sandbox port>".into(),
        }
    }

    /// What a journal records as its target: the endpoint URL, or the embedded
    /// sandbox and its state folder. Two specs with the same identity reach the same
    /// set of enrolled people.
    pub fn identity(&self) -> String {
        match &self.base {
            Base::Url(u) => normalise_url(u),
            Base::EmbeddedSandbox { dir } => {
                // Absolute but not canonical: the folder may not exist yet on the first
                // run, and the identity must not change once it does.
                let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
                format!("{SANDBOX_PREFIX}{})", normalise_dir(&dir).display())
            }
        }
    }
}

const SANDBOX_PREFIX: &str = "embedded sandbox (";

/// A folder in one spelling: no trailing slash, no `.` parts, no doubled slashes
/// (`sbx/` and `sbx/./` are `sbx`). `..` is kept: resolving it needs the file system.
fn normalise_dir(dir: &std::path::Path) -> std::path::PathBuf {
    dir.components().collect()
}

/// Whether two recorded identities ([`Spec::identity`]) name the same target, in
/// their normal form: a journal written before identities were normalised (with
/// `BIOPASS_SANDBOX_DIR=sbx/`, say) still matches the same folder spelt `sbx`.
pub fn same_target(a: &str, b: &str) -> bool {
    normal_identity(a) == normal_identity(b)
}

fn normal_identity(id: &str) -> String {
    match id
        .strip_prefix(SANDBOX_PREFIX)
        .and_then(|d| d.strip_suffix(')'))
    {
        Some(dir) => format!(
            "{SANDBOX_PREFIX}{})",
            normalise_dir(std::path::Path::new(dir)).display()
        ),
        None => normalise_url(id),
    }
}

/// The URL with scheme and host lowercased, default ports dropped and no trailing
/// slash, so that spelling differences do not count as another target.
fn normalise_url(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(parsed) => parsed.as_str().trim_end_matches('/').to_string(),
        Err(_) => u.trim_end_matches('/').to_string(),
    }
}

/// An open target: the client, and the embedded sandbox if there is one.
pub struct Target {
    /// The client, pointed at the endpoint or at the embedded sandbox.
    pub client: Client,
    /// Kept alive for the command's duration; stopped (state flushed) on finish.
    sandbox: Option<sandbox::Handle>,
}

impl Target {
    /// Start the embedded sandbox if needed and build the client.
    pub fn open(spec: &Spec) -> Result<Target> {
        let key = spec.key.as_ref().ok_or_else(|| {
            Failure::new(Kind::Internal, "a target was opened without an API key")
        })?;
        let (base, sandbox) = match &spec.base {
            Base::Url(u) => (u.clone(), None),
            Base::EmbeddedSandbox { dir } => {
                let handle = sandbox::spawn(
                    sandbox::Options {
                        key: sandbox::SANDBOX_KEY.to_string(),
                        persistence: sandbox::Persistence::Sync { dir: dir.clone() },
                        faults: sandbox::Faults::default(),
                        log: None,
                    },
                    0,
                )?;
                (handle.url(), Some(handle))
            }
        };
        let opts = ClientOptions {
            timeout: spec.timeout,
            connect_timeout: spec.connect_timeout,
            ca_cert: spec.ca_cert.as_deref(),
            verbose: spec.verbose,
            log: spec.log.clone(),
        };
        let client = Client::new(&base, Some(key), &opts)?;
        Ok(Target { client, sandbox })
    }

    /// Stop the embedded sandbox, if any, reporting a failure to save its state.
    pub fn finish(mut self) -> Result<()> {
        if let Some(h) = self.sandbox.take() {
            h.shutdown()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_ignores_spelling() {
        let spec = |u: &str| Spec {
            base: Base::Url(u.into()),
            key: None,
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            ca_cert: None,
            verbose: 0,
            log: None,
        };
        assert_eq!(
            spec("HTTPS://API.biopassid.com:443/").identity(),
            spec("https://api.biopassid.com").identity()
        );
        assert_ne!(
            spec("https://api.biopassid.com").identity(),
            spec("https://hml-api.biopassid.com").identity()
        );
        let sandbox = |d: &str| Spec {
            base: Base::EmbeddedSandbox { dir: d.into() },
            ..spec("x")
        };
        assert_eq!(
            sandbox("/tmp/sbx/").identity(),
            sandbox("/tmp/sbx").identity()
        );
        assert_eq!(
            sandbox("/tmp//sbx/./").identity(),
            "embedded sandbox (/tmp/sbx)"
        );
        assert_ne!(
            sandbox("/tmp/sbx").identity(),
            sandbox("/tmp/sbx2").identity()
        );
        assert!(same_target(
            "embedded sandbox (/tmp/sbx/)",
            "embedded sandbox (/tmp/sbx)"
        ));
        assert!(same_target(
            "HTTPS://API.biopassid.com:443/",
            "https://api.biopassid.com"
        ));
        assert!(!same_target(
            "embedded sandbox (/tmp/a)",
            "embedded sandbox (/tmp/b)"
        ));
    }
}
