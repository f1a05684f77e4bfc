//! `biopass sandbox serve`: the library's sandbox as a standalone local server.

use std::sync::Arc;

use anyhow::Result;
use biopass::error::{Failure, Kind};
use biopass::sandbox;

use crate::cli::ServeArgs;
use crate::render;

pub fn serve(a: &ServeArgs) -> Result<u8> {
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
    // Exactly two lines on stdout, ready for `eval` or an env file; a hint on stderr.
    sandbox::serve(opts, a.port, |url, key| {
        render::result_line(&format!("BIOPASS_ENDPOINT={url}\nBIOPASS_API_KEY={key}"))?;
        diag!("sandbox listening; Ctrl-C to stop");
        Ok(())
    })?;
    Ok(0)
}
