//! How connections are made: which endpoints are allowed, the connection pools
//! ([`Lane`]s) with their TLS setup, and the extra roots of `--ca-cert`.

use std::path::Path;
use std::time::Duration;

use reqwest::Client as Http;
use reqwest::Url;

use crate::error::{Failure, Kind};
use crate::sanitize::sanitize;

/// `biopass/<version>`, sent with every request.
pub const USER_AGENT: &str = concat!("biopass/", env!("CARGO_PKG_VERSION"));

/// Is this host loopback (127.0.0.0/8, ::1, localhost)?
pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Check an endpoint before any connection: https anywhere, plain http to loopback only.
/// Every refusal is [`Kind::Config`].
pub fn check_endpoint(endpoint: &str) -> Result<(), Failure> {
    let url = endpoint_url(endpoint)?;
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(Failure::new(
            Kind::Config,
            format!(
                "refusing plain http to {}: images and the API key would travel unencrypted; use https \
(plain http is allowed only to 127.0.0.1, ::1 and localhost)",
                url.host_str().unwrap_or("?")
            ),
        ));
    }
    Ok(())
}

/// Check that an endpoint is a well-formed one (a URL, http or https, without
/// credentials or query), leaving out the rule of where plain http may go: a value
/// that fails this is malformed, whoever wrote it; one that passes it and fails
/// [`check_endpoint`] is refused by policy.
pub fn check_endpoint_form(endpoint: &str) -> Result<(), Failure> {
    endpoint_url(endpoint).map(drop)
}

fn endpoint_url(endpoint: &str) -> Result<Url, Failure> {
    let cfg = |m: String| Failure::new(Kind::Config, m);
    let url = Url::parse(endpoint).map_err(|e| {
        cfg(format!(
            "endpoint '{}' is not a URL: {e}",
            sanitize(endpoint, 200)
        ))
    })?;
    match url.scheme() {
        "https" | "http" => {}
        other => {
            return Err(cfg(format!(
                "endpoint scheme '{other}' is not supported: use https"
            )));
        }
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
        return Err(cfg(
            "the endpoint must not contain credentials or a query string".into(),
        ));
    }
    Ok(url)
}

/// A connection pool and the runtime that drives it.
///
/// The client's own lane (a two-thread runtime) serves single commands and any
/// thread that calls `Client::attempt`. A batch gets a lane of its own
/// (`Client::lane`): a single-threaded runtime on the batch's thread, and the one
/// connection pool of all its rows in flight. Requests, connections and sockets
/// are then all handled on that one thread: no hand-off between threads per row.
pub struct Lane {
    pub(super) http: Http,
    /// Drives `http`; `None` only while dropping.
    pub(super) runtime: Option<tokio::runtime::Runtime>,
}

impl Lane {
    /// Run `fut` to completion on this lane's runtime, on the calling thread (which
    /// must not be inside a runtime already).
    pub fn block_on<F: std::future::Future>(&self, fut: F) -> F::Output {
        self.runtime
            .as_ref()
            .expect("alive until dropped")
            .block_on(fut)
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        // Idle pooled connections need no goodbye; do not wait for their tasks.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// What every connection pool of a [`Client`] is built with.
pub(super) struct PoolSettings {
    pub(super) connect_timeout: Duration,
    pub(super) loopback: bool,
    pub(super) https: bool,
    pub(super) extra_roots: Vec<reqwest::Certificate>,
}

impl PoolSettings {
    /// A pool on `runtime` keeping up to `idle` idle connections (building reads the
    /// system trust store, for https, inside the runtime so that anything reqwest
    /// starts at build time finds it).
    pub(super) fn build(
        &self,
        runtime: &tokio::runtime::Runtime,
        idle: usize,
    ) -> Result<Http, Failure> {
        // No overall `.timeout()` here: `attempt` bounds the whole exchange itself.
        let mut builder = Http::builder()
            .use_rustls_tls()
            // Plain http is only ever to loopback, and redirects are never followed:
            // such a client never makes a TLS connection, so it need not load roots.
            .tls_built_in_native_certs(self.https)
            .tls_built_in_webpki_certs(self.https)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .user_agent(USER_AGENT)
            .pool_max_idle_per_host(idle)
            // Keeps the server's certificate with each answer, for `doctor` (see
            // `Client::probe`); a copy of a few KB per answer.
            .tls_info(self.https);
        if self.loopback {
            // Loopback traffic never goes through a proxy.
            builder = builder.no_proxy();
        }
        for cert in &self.extra_roots {
            builder = builder.add_root_certificate(cert.clone());
        }
        let _guard = runtime.enter();
        builder
            .build()
            .map_err(|e| Failure::new(Kind::Internal, format!("building the HTTP client: {e}")))
    }
}

/// Check a `--ca-cert` file as a client would load it (readable, PEM, at least one
/// certificate), for `--dry-run`, which opens no connection but refuses the same
/// settings. Every problem is [`Kind::Config`].
pub fn check_ca_cert(path: &Path) -> Result<(), Failure> {
    extra_roots(path).map(drop)
}

/// The root certificates of a `--ca-cert` file (PEM, one or more), trusted on top of
/// the OS trust store and the bundled roots.
pub(super) fn extra_roots(path: &Path) -> Result<Vec<reqwest::Certificate>, Failure> {
    let pem = std::fs::read(path).map_err(|e| {
        Failure::new(
            Kind::Config,
            format!("cannot read CA certificate {}: {e}", path.display()),
        )
    })?;
    let bad = |why: String| {
        Failure::new(
            Kind::Config,
            format!("CA certificate {}: {why}", path.display()),
        )
    };
    let roots = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| bad(format!("not valid PEM: {e}")))?;
    if roots.is_empty() {
        return Err(bad("no PEM certificate in it".into()));
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert!(check_endpoint("https://api.biopassid.com").is_ok());
        assert!(check_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(check_endpoint("http://127.1.2.3").is_ok());
        assert!(check_endpoint("http://[::1]:9").is_ok());
        assert!(check_endpoint("http://localhost:9").is_ok());
        for bad in [
            "http://api.biopassid.com",
            "http://10.0.0.1",
            "ftp://x",
            "nonsense",
            "https://u:p@h",
        ] {
            assert_eq!(check_endpoint(bad).unwrap_err().kind, Kind::Config, "{bad}");
        }
    }
}
