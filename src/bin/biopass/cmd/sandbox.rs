//! `biopass sandbox serve`: the library's sandbox as a standalone local server;
//! `sandbox status` and `sandbox reset`: the embedded sandbox's state folder
//! (`BIOPASS_SANDBOX_DIR`), which the library knows the files of.

use std::sync::Arc;

use anyhow::Result;
use biopass::error::{Failure, Kind, Status};
use biopass::sandbox;
use biopass::stop::Stop;

use crate::cli::{OutputFormat, ServeArgs};
use crate::render;

pub fn serve(a: &ServeArgs, stop: &Stop) -> Result<Status> {
    let opts = sandbox::Options {
        key: a
            .key
            .clone()
            .unwrap_or_else(|| sandbox::SANDBOX_KEY.to_string()),
        persistence: sandbox::Persistence::Memory {
            data: a.data.clone(),
        },
        faults: sandbox::Faults {
            seed: a.seed,
            p503: a.fail_503,
            p429: a.fail_429,
            retry_after_secs: a.retry_after,
            preset: a.reset,
            phang: a.hang,
            hang_ms: a.hang_ms,
            latency_ms: a.latency_ms,
        },
        log: Some(Arc::new(|m: &str| diag!("biopass sandbox: {m}"))),
    };
    opts.faults
        .check()
        .map_err(|e| Failure::new(Kind::Usage, format!("{e:#}")))?;
    // The same rules as a client's key: a sandbox no client can use is no use.
    biopass::secret::ApiKey::new(&opts.key)
        .map_err(|e| Failure::new(Kind::Usage, format!("--key {e}")))?;
    // Exactly two lines on stdout, ready for `eval` or an env file; a hint on stderr.
    sandbox::serve(opts, a.port, stop, |url, key| {
        render::result_line(&format!("BIOPASS_ENDPOINT={url}\nBIOPASS_API_KEY={key}"))?;
        diag!("sandbox listening; Ctrl-C to stop");
        Ok(())
    })
    .map_err(|e| port_unavailable(e, a.port))?;
    Ok(Status::Success)
}

/// A port that cannot be had (in use, or not ours to bind) is not a bug in biopass
/// but a resource that is unavailable: 69 (README "Exit codes"), saying what to do.
fn port_unavailable(e: anyhow::Error, port: u16) -> anyhow::Error {
    use std::io::ErrorKind;
    let why = e.chain().find_map(|c| {
        c.downcast_ref::<std::io::Error>()
            .and_then(|io| match io.kind() {
                ErrorKind::AddrInUse => Some("is in use by another program"),
                ErrorKind::PermissionDenied => Some("cannot be bound by this user"),
                ErrorKind::AddrNotAvailable => Some("is not available"),
                _ => None,
            })
    });
    match why {
        Some(why) => Failure::new(
            Kind::Unavailable,
            format!(
                "port {port} on 127.0.0.1 {why} ({:#}); choose another with --port, or --port 0 for any free one",
                e
            ),
        )
        .into(),
        None => e,
    }
}

/// `sandbox status`. Text: `key<TAB>value` lines (dir, persons, bytes, files); JSON:
/// one object.
pub fn status(dir: &std::path::Path, format: OutputFormat) -> Result<Status> {
    let st = sandbox::status(dir)?;
    match format {
        OutputFormat::Json => render::json_result(&serde_json::to_value(&st)?)?,
        OutputFormat::Text => {
            let persons = st
                .persons
                .map_or_else(|| "unknown".to_string(), |n| n.to_string());
            render::result_line(&format!(
                "dir\t{}\npersons\t{persons}\nbytes\t{}\nfiles\t{}",
                st.dir.display(),
                st.bytes,
                st.files.len()
            ))?;
        }
    }
    if let Some(p) = &st.problem {
        diag!("biopass: warning: {p}; `biopass sandbox reset` starts an empty sandbox");
    }
    Ok(Status::Success)
}

/// `sandbox reset`: prints what it removed (text: one line; JSON: one object).
pub fn reset(dir: &std::path::Path, format: OutputFormat) -> Result<Status> {
    let r = sandbox::reset(dir)?;
    match format {
        OutputFormat::Json => render::json_result(&serde_json::to_value(&r)?)?,
        OutputFormat::Text => {
            let persons = r.persons.map_or_else(
                || "an unreadable state".to_string(),
                |n| format!("{n} person(s)"),
            );
            let line = if r.removed.is_empty() {
                format!("sandbox {} has no state: nothing to reset", r.dir.display())
            } else {
                format!(
                    "reset sandbox {}: removed {} file(s), {persons}",
                    r.dir.display(),
                    r.removed.len()
                )
            };
            render::result_line(&line)?;
        }
    }
    Ok(Status::Success)
}
