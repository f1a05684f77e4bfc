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

/// The key a command uses: none is needed for the embedded sandbox, and a sandbox
/// endpoint falls back to the sandbox's placeholder key.
pub fn key_for(s: &Settings) -> Result<ApiKey> {
    match (&s.endpoint, s.env) {
        (Endpoint::EmbeddedSandbox, _) => {
            Ok(ApiKey::new(sandbox::SANDBOX_KEY).expect("valid placeholder"))
        }
        (Endpoint::Url(_), crate::cli::EnvName::Sandbox) => match s.api_key()? {
            Some((k, _)) => Ok(k),
            None => Ok(ApiKey::new(sandbox::SANDBOX_KEY).expect("valid placeholder")),
        },
        (Endpoint::Url(_), _) => s.require_api_key(),
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
