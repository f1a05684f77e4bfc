//! Checking a target before a big run: name resolution, connection, TLS and the key.
//!
//! [`probe`] runs the network steps of `biopass doctor` in order and returns one
//! typed [`Step`] each; it prints nothing (the binary renders the steps and adds its
//! own for settings and the key source). After the first failure the remaining steps
//! are [`Status::Skipped`], so the first failure is the one to fix.
//!
//! The last step, `auth`, sends an enroll whose body is `{}`: not a Person, so it can
//! enroll nobody. The gateway answers 401 when it rejects the key; past the gateway
//! the API answers 400 ("Invalid JSON format"). A 400 therefore proves the key was
//! accepted without changing anything on the service.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant, SystemTime};

use crate::client::{Body, Sent};
use crate::error::Kind;
use crate::request::Op;
use crate::sanitize::sanitize;
use crate::target::{Base, Spec, Target};

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Checked and fine.
    Ok,
    /// Checked and wrong: the step says what to do next.
    Fail,
    /// Not checked: it does not apply (plain http has no TLS), or an earlier step failed.
    Skipped,
}

impl Status {
    /// The stable name used in output: `ok`, `fail`, `skipped`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Fail => "fail",
            Status::Skipped => "skipped",
        }
    }
}

/// One checked step.
#[derive(Debug, Clone)]
pub struct Step {
    /// Short stable name: `settings`, `key`, `dns`, `connect`, `tls`, `auth`.
    pub name: &'static str,
    /// How it ended.
    pub status: Status,
    /// What was found, for people.
    pub detail: String,
    /// What to do next (failures only).
    pub next: Option<String>,
    /// For a failure: the kind that decides the exit code.
    pub kind: Option<Kind>,
}

impl Step {
    /// A step that passed.
    pub fn ok(name: &'static str, detail: impl Into<String>) -> Step {
        Step {
            name,
            status: Status::Ok,
            detail: detail.into(),
            next: None,
            kind: None,
        }
    }

    /// A step that failed with `kind`, and what to do about it.
    pub fn fail(
        name: &'static str,
        kind: Kind,
        detail: impl Into<String>,
        next: impl Into<String>,
    ) -> Step {
        Step {
            name,
            status: Status::Fail,
            detail: detail.into(),
            next: Some(next.into()),
            kind: Some(kind),
        }
    }

    /// A step that was not checked, and why.
    pub fn skipped(name: &'static str, detail: impl Into<String>) -> Step {
        Step {
            name,
            status: Status::Skipped,
            detail: detail.into(),
            next: None,
            kind: None,
        }
    }
}

/// The network steps, in order.
pub const NETWORK_STEPS: [&str; 4] = ["dns", "connect", "tls", "auth"];

/// The steps from `after` on, each skipped because an earlier one failed.
pub fn skip_rest(steps: &mut Vec<Step>, names: &[&'static str]) {
    for name in names {
        if steps.iter().all(|s| s.name != *name) {
            steps.push(Step::skipped(name, "not checked: an earlier step failed"));
        }
    }
}

/// How a list of steps came out: a problem of the first failure's kind, else all
/// well.
pub fn status(steps: &[Step]) -> crate::error::Status {
    steps
        .iter()
        .find_map(|s| s.kind.filter(|_| s.status == Status::Fail))
        .map_or(crate::error::Status::Success, crate::error::Status::Problem)
}

/// Run the network steps against `spec` (which must carry a key): `dns`, `connect`,
/// `tls` and `auth`. The embedded sandbox is started for the probe and stopped after.
pub fn probe(spec: &Spec) -> Vec<Step> {
    let mut steps = Vec::new();
    match &spec.base {
        Base::Url(url) => {
            let Some((host, port, https)) = host_port(url) else {
                steps.push(Step::fail(
                    "dns",
                    Kind::Config,
                    format!("the endpoint {} has no host", sanitize(url, 200)),
                    "check --endpoint",
                ));
                skip_rest(&mut steps, &NETWORK_STEPS);
                return steps;
            };
            let Some(addrs) = dns(&host, port, spec.connect_timeout, &mut steps) else {
                skip_rest(&mut steps, &NETWORK_STEPS);
                return steps;
            };
            if !connect(&addrs, spec.connect_timeout, &mut steps) {
                skip_rest(&mut steps, &NETWORK_STEPS);
                return steps;
            }
            match Target::open(spec) {
                Ok(t) => exchange(t, https, &mut steps),
                Err(e) => steps.push(Step::fail(
                    "tls",
                    crate::error::failure_of(&e).map_or(Kind::Internal, |f| f.kind),
                    format!("{e:#}"),
                    "fix the TLS settings named above (--ca-cert)",
                )),
            }
        }
        Base::EmbeddedSandbox { dir } => {
            steps.push(Step::skipped(
                "dns",
                "the embedded sandbox runs in this process on 127.0.0.1",
            ));
            match Target::open(spec) {
                Ok(t) => {
                    steps.push(Step::ok(
                        "connect",
                        format!(
                            "started the embedded sandbox at {} (state in {})",
                            t.client.base(),
                            dir.display()
                        ),
                    ));
                    exchange(t, false, &mut steps);
                }
                Err(e) => steps.push(Step::fail(
                    "connect",
                    crate::error::failure_of(&e).map_or(Kind::Internal, |f| f.kind),
                    format!("cannot start the embedded sandbox: {e:#}"),
                    "check BIOPASS_SANDBOX_DIR (the sandbox's state folder)",
                )),
            }
        }
    }
    skip_rest(&mut steps, &NETWORK_STEPS);
    steps
}

/// Host, port and whether TLS is used, from a checked endpoint URL.
fn host_port(url: &str) -> Option<(String, u16, bool)> {
    let u = url::Url::parse(url).ok()?;
    let host = match u.host()? {
        url::Host::Domain(d) => d.to_string(),
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => ip.to_string(),
    };
    Some((host, u.port_or_known_default()?, u.scheme() == "https"))
}

/// Resolve the host, bounded by `within` (the system resolver has no timeout of its
/// own, so it runs on a thread we stop waiting for).
fn dns(host: &str, port: u16, within: Duration, steps: &mut Vec<Step>) -> Option<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        steps.push(Step::skipped(
            "dns",
            format!("{ip} is an address: nothing to resolve"),
        ));
        return Some(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = host.to_string();
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send((name.as_str(), port).to_socket_addrs().map(Vec::from_iter));
    });
    let shown = sanitize(host, 200);
    let next = "check the host name in the endpoint (biopass config show), and this machine's DNS";
    match rx.recv_timeout(within) {
        Ok(Ok(addrs)) if !addrs.is_empty() => {
            let list: Vec<String> = addrs.iter().take(3).map(|a| a.ip().to_string()).collect();
            let more = if addrs.len() > 3 {
                format!(" and {} more", addrs.len() - 3)
            } else {
                String::new()
            };
            steps.push(Step::ok(
                "dns",
                format!(
                    "{shown} is {}{more} ({} ms)",
                    list.join(", "),
                    started.elapsed().as_millis()
                ),
            ));
            Some(addrs)
        }
        Ok(Ok(_)) => {
            steps.push(Step::fail(
                "dns",
                Kind::Unavailable,
                format!("{shown} has no address"),
                next,
            ));
            None
        }
        Ok(Err(e)) => {
            steps.push(Step::fail(
                "dns",
                Kind::Unavailable,
                format!("cannot resolve {shown}: {}", sanitize(&e.to_string(), 200)),
                next,
            ));
            None
        }
        Err(_) => {
            steps.push(Step::fail(
                "dns",
                Kind::Unavailable,
                format!("no answer for {shown} within {}s", within.as_secs_f64()),
                format!("{next}; or raise --connect-timeout"),
            ));
            None
        }
    }
}

/// Open a TCP connection to the first address that takes one.
fn connect(addrs: &[SocketAddr], within: Duration, steps: &mut Vec<Step>) -> bool {
    let mut last = None;
    for a in addrs {
        let started = Instant::now();
        match TcpStream::connect_timeout(a, within) {
            Ok(_) => {
                steps.push(Step::ok(
                    "connect",
                    format!("connected to {a} ({} ms)", started.elapsed().as_millis()),
                ));
                return true;
            }
            Err(e) => last = Some((a, e)),
        }
    }
    let detail = match last {
        Some((a, e)) => format!("cannot connect to {a}: {e}"),
        None => "no address to connect to".into(),
    };
    steps.push(Step::fail(
        "connect",
        Kind::Unavailable,
        detail,
        "check that the service is up and the endpoint's port is right; a firewall or proxy \
may be in the way (raise --connect-timeout on a slow network)",
    ));
    false
}

/// The probe itself: an enroll of `{}`, which enrolls nobody. Gives the `tls` and
/// `auth` steps.
fn exchange(target: Target, https: bool, steps: &mut Vec<Step>) {
    let probed = target
        .client
        .probe(Op::Enroll, &Body::text(&b"{}"[..], None), &|| false);
    // Nothing was stored, but a failure to stop the embedded sandbox is still one.
    let finished = target.finish();
    let result = probed.result;
    // No answer at all: over https, the handshake (or what came before it) failed.
    let transport_error = result.as_ref().err().filter(|e| e.failure.status.is_none());
    if !https {
        steps.push(Step::skipped(
            "tls",
            "plain http to loopback: no TLS to check",
        ));
    } else if let Some(e) = transport_error {
        let (kind, next) = if e.failure.message.contains(crate::client::NAME_MISMATCH) {
            (
                Kind::Config,
                "use the host name the certificate holds in --endpoint, or have the server's certificate cover this name",
            )
        } else if e.failure.kind == Kind::Config {
            (
                Kind::Config,
                "if a private or corporate CA signed it, pass that CA's certificate with --ca-cert FILE",
            )
        } else {
            (
                e.failure.kind,
                "check that the endpoint speaks https on this port",
            )
        };
        steps.push(Step::fail("tls", kind, e.failure.message.clone(), next));
        return;
    } else {
        steps.push(match probed.peer_certificate.as_deref().map(certificate) {
            Some(Ok(c)) => Step::ok("tls", c),
            Some(Err(why)) => Step::fail(
                "tls",
                Kind::Protocol,
                format!("the server's certificate cannot be read: {why}"),
                "check the endpoint",
            ),
            None => Step::ok("tls", "trusted (the certificate was not available to show)"),
        });
    }
    steps.push(match result {
        Err(e) if e.failure.status == Some(400) => {
            let msg = &e.failure.message;
            let said = msg
                .find("HTTP 400: ")
                .map_or(msg.as_str(), |i| msg[i + 10..].trim_end_matches(')'));
            Step::ok(
                "auth",
                format!(
                    "the key was accepted: past the gateway, the API answered an enroll without a \
Person with HTTP 400 ({said}); nobody was enrolled"
                ),
            )
        }
        Err(e) => {
            let next = match e.failure.kind {
                Kind::KeyRejected => {
                    "check the key for this environment (biopass config show); replace it with \
biopass config set-key"
                }
                Kind::Config => "check --endpoint: it should be the API's base URL",
                Kind::TryLater => "wait and try again later",
                Kind::Unavailable if e.sent == Sent::No => "check the network and try again",
                Kind::Unavailable => "the service failed: try again later",
                _ => "check --endpoint: is this the BioPassID API?",
            };
            Step::fail("auth", e.failure.kind, e.failure.message, next)
        }
        Ok(r) => Step::fail(
            "auth",
            Kind::Protocol,
            format!(
                "the server answered {} to an enroll without a Person; the BioPassID API answers 400",
                r.status
            ),
            "check --endpoint: is this the BioPassID API?",
        ),
    });
    if let Err(e) = finished {
        steps.push(Step::fail(
            "sandbox",
            crate::error::failure_of(&e).map_or(Kind::Internal, |f| f.kind),
            format!("{e:#}"),
            "check BIOPASS_SANDBOX_DIR (the sandbox's state folder)",
        ));
    }
}

/// "issued by ISSUER, expires DATE (in N days)" from a DER certificate.
fn certificate(der: &[u8]) -> Result<String, String> {
    let (issuer, not_after) = crate::x509::issuer_and_expiry(der).map_err(|e| sanitize(&e, 200))?;
    let issuer = sanitize(&issuer, 200);
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = (not_after - now).div_euclid(86_400);
    let when = if days < 0 {
        "expired".to_string()
    } else {
        format!("in {days} days")
    };
    Ok(format!(
        "trusted; issued by {issuer}, expires {} ({when})",
        crate::time::rfc3339(not_after)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_decides() {
        let steps = vec![
            Step::ok("dns", ""),
            Step::skipped("tls", ""),
            Step::fail("connect", Kind::Unavailable, "", ""),
            Step::fail("auth", Kind::KeyRejected, "", ""),
        ];
        assert_eq!(
            status(&steps),
            crate::error::Status::Problem(Kind::Unavailable)
        );
        assert_eq!(status(&steps[..2]), crate::error::Status::Success);
    }

    #[test]
    fn a_certificate_that_is_not_der_is_an_error() {
        assert!(certificate(b"not a certificate").is_err());
    }
}
