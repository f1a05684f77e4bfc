//! Where a command's requests go, from its settings: the key it uses and the
//! [`Spec`] the library opens.

use anyhow::Result;
use biopass::sandbox;
use biopass::secret::ApiKey;
use biopass::target::{Base, Spec};

use crate::settings::{Endpoint, Settings};

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

/// The target of a command: `key` is `None` only for a dry run without one.
pub fn spec(s: &Settings, key: Option<ApiKey>) -> Spec {
    Spec {
        base: match &s.endpoint {
            Endpoint::Url(u) => Base::Url(u.clone()),
            Endpoint::EmbeddedSandbox => Base::EmbeddedSandbox { dir: sandbox_dir() },
        },
        key,
        timeout: s.timeout,
        connect_timeout: s.connect_timeout,
        ca_cert: s.ca_cert.clone(),
        verbose: s.verbose,
        log: (s.verbose > 0).then(|| {
            std::sync::Arc::new(|line: &str| diag!("biopass: {line}")) as biopass::client::Log
        }),
    }
}

/// The key for a command that will send, or `None` for a dry run (which shows
/// whether one is set but needs none). A dry run refuses what a real run refuses
/// before connecting but the key: a `--ca-cert` file that cannot be used (78).
pub fn key_unless_dry_run(s: &Settings) -> Result<Option<ApiKey>> {
    if s.dry_run {
        if let Some(ca) = &s.ca_cert {
            biopass::client::check_ca_cert(ca)?;
        }
        Ok(key_for(s).ok())
    } else {
        key_for(s).map(Some)
    }
}
