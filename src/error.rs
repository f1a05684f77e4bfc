//! Failure kinds and the one exit-code table.
//!
//! Most code returns `anyhow::Error`; a [`Failure`] goes inside it wherever the kind
//! decides the exit code or the `error.kind` of `--output json`. [`exit_code`] is the
//! only place that maps failures to codes (documented in the README and `--help`).

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

    /// The exit code table (sysexits.h meanings). Keep in sync with `EXIT_CODES_HELP`.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Usage => 2,
            Kind::Invalid | Kind::AlreadyExists | Kind::NotFound => 65,
            Kind::Input => 66,
            Kind::Unavailable => 69,
            Kind::Internal => 70,
            Kind::Io => 74,
            Kind::TryLater => 75,
            Kind::Protocol => 76,
            Kind::KeyRejected => 77,
            Kind::Config => 78,
            Kind::Interrupted => 130,
        }
    }
}

/// Exit code for a finished verify whose answer is "no match".
pub const NO_MATCH: u8 = 1;

/// Exit code for a batch that finished with some rows failed or invalid.
pub const SOME_ROWS_FAILED: u8 = 1;

/// The table as printed at the end of `--help` (and copied into the README).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success (verify: match)
  1    verify: no match; batch: finished, some rows failed (verify batch: or did not match)
  2    usage error
  65   data rejected (bad image, API 400, CustomID already exists, person not found)
  66   input file or manifest missing or unreadable
  69   service unavailable (connect failure, DNS, timeout, 5xx)
  70   internal error
  74   journal unusable, or the result could not be written to stdout
  75   temporarily refused, try later (429, quota, Retry-After over 60 s); batch: stopped early
  76   protocol error (redirect, unexpected response or BioPassID, an answer about another
       CustomID, oversized response)
  77   API key rejected (401, 403)
  78   configuration error (no key, bad config, untrusted TLS certificate, wrong endpoint,
       journal of another target)
  130  interrupted";

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

/// The one function that turns an error into an exit code.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    match failure_of(err) {
        Some(f) => f.kind.exit_code(),
        None => {
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::Interrupted)
            }) {
                Kind::Interrupted.exit_code()
            } else {
                Kind::Internal.exit_code()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_table_lists_every_code() {
        for k in [
            Kind::Usage,
            Kind::Invalid,
            Kind::Input,
            Kind::Unavailable,
            Kind::Internal,
            Kind::Io,
            Kind::TryLater,
            Kind::Protocol,
            Kind::KeyRejected,
            Kind::Config,
            Kind::Interrupted,
        ] {
            let code = format!("\n  {:<4} ", k.exit_code());
            assert!(EXIT_CODES_HELP.contains(&code), "{k:?} missing from help");
        }
    }

    #[test]
    fn context_keeps_the_kind() {
        let e = anyhow::Error::new(Failure::new(Kind::Input, "x")).context("while doing y");
        assert_eq!(exit_code(&e), 66);
        assert_eq!(exit_code(&anyhow::anyhow!("plain")), 70);
    }
}
