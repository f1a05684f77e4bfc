//! Failure kinds, and how a finished command ended.
//!
//! Most code returns `anyhow::Error`; a [`Failure`] goes inside it wherever the kind
//! decides the exit code or the `error.kind` of `--output json`. A command that ran
//! to its end returns a [`Status`]. The library knows no exit codes: the binary maps
//! statuses and errors ([`kind_of`]) to its one exit-code table.

use std::fmt;

/// What went wrong, as scripts need to know it. Each kind has one exit code and one
/// stable name (the `error.kind` field of JSON output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A command line that parses but makes no sense (no image, a slot twice): 2.
    Usage,
    /// Data rejected, by us before sending or by the API (400, unusable image): 65.
    Invalid,
    /// The CustomID is already enrolled: 65.
    AlreadyExists,
    /// No person with that CustomID: 65.
    NotFound,
    /// An input file is missing or unreadable: 66.
    Input,
    /// The service could not be reached or failed (connect, DNS, timeout, 5xx): 69.
    Unavailable,
    /// A bug or an unexpected local failure: 70.
    Internal,
    /// A local file we write (batch journal, sandbox state) could not be written: 74.
    Io,
    /// Temporarily refused (429, quota 403): try later: 75.
    TryLater,
    /// The server answered something we cannot trust (redirect, bad JSON, too big): 76.
    Protocol,
    /// The API key was rejected (401, 403 other than quota): 77.
    KeyRejected,
    /// Configuration error (no key, bad config, insecure permissions, plain http): 78.
    Config,
    /// Interrupted by Ctrl-C or SIGTERM: 130.
    Interrupted,
}

impl Kind {
    /// The stable name used in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::Invalid => "invalid",
            Kind::AlreadyExists => "already_exists",
            Kind::NotFound => "not_found",
            Kind::Input => "input",
            Kind::Unavailable => "unavailable",
            Kind::Internal => "internal",
            Kind::Io => "io",
            Kind::TryLater => "try_later",
            Kind::Protocol => "protocol",
            Kind::KeyRejected => "key_rejected",
            Kind::Config => "config",
            Kind::Interrupted => "interrupted",
        }
    }
}

/// How a command that ran to its end came out. "Finished, and the answer is no" is
/// here, not an `Err`: the command did its job and reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    /// Done, all well.
    #[default]
    Success,
    /// verify: the service answered, and the person did not match.
    NoMatch,
    /// A batch finished, and some rows failed or were invalid.
    SomeRowsFailed,
    /// The command reported what it found, and that is a problem of this kind: `check`
    /// found a blocking image, a `doctor` step failed, a batch stopped early or left
    /// rows pending.
    Problem(Kind),
}

/// A failure with a kind, an optional HTTP status and a human message.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What went wrong; decides the exit code.
    pub kind: Kind,
    /// The HTTP status, when the failure is the service's answer.
    pub status: Option<u16>,
    /// The message for people: what failed, with which input, and what to do next.
    pub message: String,
}

impl Failure {
    /// A failure with no HTTP status.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            status: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Find the [`Failure`] in an error chain, if any: the outermost one decides.
pub fn failure_of(err: &anyhow::Error) -> Option<&Failure> {
    err.chain().find_map(|e| e.downcast_ref::<Failure>())
}

/// The kind of an error: its outermost [`Failure`]'s; an interrupted system call is
/// [`Kind::Interrupted`]; anything else is a bug or an unexpected local failure
/// ([`Kind::Internal`]).
pub fn kind_of(err: &anyhow::Error) -> Kind {
    match failure_of(err) {
        Some(f) => f.kind,
        None => {
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::Interrupted)
            }) {
                Kind::Interrupted
            } else {
                Kind::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_the_kind() {
        let e = anyhow::Error::new(Failure::new(Kind::Input, "x")).context("while doing y");
        assert_eq!(kind_of(&e), Kind::Input);
        assert_eq!(kind_of(&anyhow::anyhow!("plain")), Kind::Internal);
    }
}
