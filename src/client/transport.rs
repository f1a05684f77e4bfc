//! What a failed exchange is called: a transport error (connect, TLS, reset) or a
//! timeout becomes an [`AttemptError`] whose kind says whether a retry can help and
//! whose message says what to do, with no byte of the key in it.

use std::time::Duration;

use super::answer::{AttemptError, Sent, server_text};
use crate::error::Kind;

/// What a failure is described with: the host asked, the whole-exchange timeout,
/// and the key to scrub from any text the failure carries.
pub(super) struct Peer<'a> {
    pub(super) host: &'a str,
    pub(super) timeout: Duration,
    pub(super) secret: Option<&'a str>,
}

impl Peer<'_> {
    /// `--timeout` passed: the request may have been acted on.
    pub(super) fn timed_out(&self) -> AttemptError {
        AttemptError::new(
            Kind::Unavailable,
            Sent::Maybe,
            format!(
                "no answer from {} within {}s (raise --timeout)",
                self.host,
                self.timeout.as_secs_f64()
            ),
        )
    }

    pub(super) fn transport_error(&self, e: &reqwest::Error) -> AttemptError {
        if let Some(names) = name_mismatch(e) {
            // A CA cannot fix a certificate made for another name: say which names
            // it holds, so the user can correct the endpoint (or the server).
            let host = self.host;
            return AttemptError::new(
                Kind::Config,
                Sent::No,
                format!(
                    "the TLS certificate of {host} {NAME_MISMATCH} asked for, {host}: it holds {}; \
a CA (--ca-cert) cannot fix this: check the host name in the endpoint (biopass config show)",
                    server_text(&names, self.secret, 300)
                ),
            );
        }
        if ca_used_as_end_entity(e) {
            // Typically a self-signed certificate made with CA:TRUE (what
            // `openssl req -x509` writes by default), served as the server's own and
            // given as --ca-cert: the file is right, the certificate cannot be a leaf.
            return AttemptError::new(
                Kind::Config,
                Sent::No,
                format!(
                    "the TLS certificate of {} is a CA certificate serving as the server's own \
(CaUsedAsEndEntity): a --ca-cert file holding it holds the server's (leaf) certificate, not a CA \
that signed it; give the server a certificate signed by a CA and pass that CA's certificate \
with --ca-cert, or remake the self-signed one without CA:TRUE \
(openssl req -x509 ... -addext basicConstraints=critical,CA:FALSE)",
                    self.host
                ),
            );
        }
        if let Some(problem) = certificate_problem(e) {
            // Re-trying cannot help and the fix is local: 78, not "unavailable".
            return AttemptError::new(
                Kind::Config,
                Sent::No,
                format!(
                    "cannot trust the TLS certificate of {} ({}): if it is signed by a private or \
corporate CA, pass that CA's certificate with --ca-cert FILE (or set SSL_CERT_FILE, or add it to the \
system trust store); otherwise check the endpoint",
                    self.host,
                    server_text(&problem, self.secret, 200)
                ),
            );
        }
        let cause = root_cause(e, self.secret);
        if e.is_connect() {
            AttemptError::new(
                Kind::Unavailable,
                Sent::No,
                format!("cannot connect to {}: {cause}", self.host),
            )
        } else if e.is_timeout() {
            self.timed_out()
        } else {
            AttemptError::new(
                Kind::Unavailable,
                Sent::Maybe,
                format!("the connection to {} failed: {cause}", self.host),
            )
        }
    }
}

/// How a certificate for another host name is described (the doctor tells it from
/// an untrusted one by this).
pub const NAME_MISMATCH: &str = "is not valid for the host name";

/// The names a certificate holds, when a TLS failure is that it is not valid for the
/// host name asked for: `other.example, 10.0.0.1` (`(none)` when it holds none).
fn name_mismatch(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    use rustls::CertificateError as C;
    match e.downcast_ref::<rustls::Error>() {
        Some(rustls::Error::InvalidCertificate(C::NotValidForNameContext {
            presented, ..
        })) => {
            let names: Vec<String> = presented
                .iter()
                .map(|n| {
                    let n = n
                        .strip_prefix("DnsName(\"")
                        .map_or(n.as_str(), |d| d.trim_end_matches("\")"));
                    let n = n
                        .strip_prefix("IpAddress(")
                        .map_or(n, |i| i.trim_end_matches(')'));
                    n.to_string()
                })
                .take(20)
                .collect();
            return Some(if names.is_empty() {
                "(none)".into()
            } else {
                names.join(", ")
            });
        }
        Some(rustls::Error::InvalidCertificate(C::NotValidForName)) => {
            return Some("other names".into());
        }
        _ => {}
    }
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        && let Some(p) = name_mismatch(inner)
    {
        return Some(p);
    }
    name_mismatch(e.source()?)
}

/// Whether a TLS failure is webpki's `CaUsedAsEndEntity`. rustls passes it on as
/// `CertificateError::Other`, whose only trace of it is its text (webpki is not a
/// dependency of ours to downcast to); a test holds the text to it.
fn ca_used_as_end_entity(e: &(dyn std::error::Error + 'static)) -> bool {
    use rustls::CertificateError as C;
    if let Some(rustls::Error::InvalidCertificate(C::Other(other))) =
        e.downcast_ref::<rustls::Error>()
    {
        return other.to_string() == "CaUsedAsEndEntity";
    }
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        && ca_used_as_end_entity(inner)
    {
        return true;
    }
    e.source().is_some_and(ca_used_as_end_entity)
}

/// The certificate problem in a TLS failure, if that is what it was. rustls's error
/// travels inside (nested) `io::Error`s, whose `source()` skips the error they wrap:
/// look inside each one as well as down the chain.
fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(r @ rustls::Error::InvalidCertificate(_)) = e.downcast_ref::<rustls::Error>() {
        return Some(r.to_string());
    }
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        && let Some(p) = certificate_problem(inner)
    {
        return Some(p);
    }
    certificate_problem(e.source()?)
}

pub(super) fn root_cause(e: &(dyn std::error::Error + 'static), key: Option<&str>) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    server_text(&cur.to_string(), key, 200)
}
