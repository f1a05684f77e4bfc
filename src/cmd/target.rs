//! Where a command's requests go: a client for the configured endpoint, or for the
//! sandbox started in-process for this command (`--env sandbox`).

use anyhow::Result;

use crate::client::{Client, ClientOptions};
use crate::sandbox;
use crate::secret::ApiKey;
use crate::settings::{Endpoint, Settings};

pub struct Target {
    pub client: Client,
    /// Kept alive for the command's duration; stopped (state flushed) on drop/finish.
    sandbox: Option<sandbox::Handle>,
}

/// The sandbox state folder: `BIOPASS_SANDBOX_DIR`, else `<data dir>/biopass`.
pub fn sandbox_dir() -> std::path::PathBuf {
    match std::env::var_os("BIOPASS_SANDBOX_DIR") {
        Some(d) if !d.is_empty() => d.into(),
        _ => dirs::data_dir()
            .unwrap_or_else(|| ".".into())
            .join("biopass"),
    }
}

/// The key a command uses. A sandbox (the embedded one, or `--env sandbox` with an
/// endpoint) gets the sandbox's placeholder key unless a key is given explicitly for
/// this run (`BIOPASS_API_KEY`, `--api-key-file`); a profile's key, which may be a
/// production key, is never sent there. The embedded sandbox accepts only the
/// placeholder, so it always gets that.
pub fn key_for(s: &Settings) -> Result<ApiKey> {
    let placeholder = || ApiKey::new(sandbox::SANDBOX_KEY).expect("valid placeholder");
    match &s.endpoint {
        Endpoint::EmbeddedSandbox => Ok(placeholder()),
        Endpoint::Url(_) if s.targets_sandbox() => {
            Ok(s.explicit_api_key()?.map_or_else(placeholder, |(k, _)| k))
        }
        Endpoint::Url(_) => s.require_api_key(),
    }
}

/// The base URL as shown by `--dry-run` (the embedded sandbox is not started).
pub fn display_base(s: &Settings) -> String {
    match &s.endpoint {
        Endpoint::Url(u) => u.clone(),
        Endpoint::EmbeddedSandbox => "http://127.0.0.1:<sandbox port>".into(),
    }
}

impl Target {
    pub fn open(s: &Settings, key: &ApiKey) -> Result<Target> {
        let (base, sandbox) = match &s.endpoint {
            Endpoint::Url(u) => (u.clone(), None),
            Endpoint::EmbeddedSandbox => {
                let handle = sandbox::spawn(
                    sandbox::Options {
                        key: sandbox::SANDBOX_KEY.to_string(),
                        persistence: sandbox::Persistence::Sync { dir: sandbox_dir() },
                        faults: sandbox::Faults::default(),
                    },
                    0,
                )?;
                (handle.url(), Some(handle))
            }
        };
        let opts = ClientOptions {
            timeout: s.timeout,
            connect_timeout: s.connect_timeout,
            ca_cert: s.ca_cert.as_deref(),
            verbose: s.verbose,
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
