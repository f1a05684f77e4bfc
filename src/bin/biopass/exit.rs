//! The one exit-code table, and the one function that reads it.
//!
//! Commands return `Result<Status>`: a [`Status`] when they ran to their end (the
//! library's batch summary, `doctor`'s steps and `check`'s findings come back as one),
//! an error otherwise. [`code`] is the only place a status or an error becomes a
//! number; `main.rs` is the only place the process exits with it (the panic hook and
//! the second Ctrl-C included). The table is documented in the README and `--help`
//! ([`EXIT_CODES_HELP`]), and each row is asserted by `tests/exit_codes.rs`.

use biopass::error::{Kind, Status, kind_of};

/// The exit code of a command's result.
pub fn code(result: &anyhow::Result<Status>) -> u8 {
    match result {
        Ok(status) => of_status(*status),
        Err(e) => of_error(e),
    }
}

/// The exit code of an error (its [`kind_of`]).
pub fn of_error(e: &anyhow::Error) -> u8 {
    of_kind(kind_of(e))
}

/// The exit code of a status.
pub fn of_status(status: Status) -> u8 {
    match status {
        Status::Success => 0,
        Status::NoMatch | Status::SomeRowsFailed => 1,
        Status::Problem(kind) => of_kind(kind),
    }
}

/// The table (sysexits.h meanings). Keep in sync with [`EXIT_CODES_HELP`].
fn of_kind(kind: Kind) -> u8 {
    match kind {
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

/// The table as printed at the end of `--help` (and copied into the README).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success (verify: match)
  1    verify: no match; batch: finished, some rows failed (verify batch: or did not match)
  2    usage error
  65   data rejected (bad image, API 400, CustomID already exists, person not found)
  66   input file or manifest missing or unreadable
  69   service unavailable (connect failure, DNS, timeout, 5xx; sandbox serve: port in use)
  70   internal error
  74   journal unusable, or the result could not be written to stdout
  75   temporarily refused, try later (429, quota, Retry-After over 60 s); batch: stopped early
  76   protocol error (redirect, unexpected response or BioPassID, an answer about another
       CustomID, oversized response)
  77   API key rejected (401, 403)
  78   configuration error (no key, bad config, untrusted TLS certificate, wrong endpoint,
       journal of another target)
  130  interrupted";

#[cfg(test)]
mod tests {
    use super::*;
    use biopass::error::Failure;

    const KINDS: [Kind; 13] = [
        Kind::Usage,
        Kind::Invalid,
        Kind::AlreadyExists,
        Kind::NotFound,
        Kind::Input,
        Kind::Unavailable,
        Kind::Internal,
        Kind::Io,
        Kind::TryLater,
        Kind::Protocol,
        Kind::KeyRejected,
        Kind::Config,
        Kind::Interrupted,
    ];

    #[test]
    fn help_table_lists_every_code() {
        for k in KINDS {
            let code = format!("\n  {:<4} ", of_kind(k));
            assert!(EXIT_CODES_HELP.contains(&code), "{k:?} missing from help");
        }
        for s in [Status::Success, Status::NoMatch, Status::SomeRowsFailed] {
            let code = format!("\n  {:<4} ", of_status(s));
            assert!(EXIT_CODES_HELP.contains(&code), "{s:?} missing from help");
        }
    }

    #[test]
    fn a_status_of_a_kind_exits_as_an_error_of_that_kind() {
        for k in KINDS {
            let err: anyhow::Result<Status> = Err(Failure::new(k, "x").into());
            assert_eq!(code(&Ok(Status::Problem(k))), code(&err), "{k:?}");
        }
        assert_eq!(code(&Err(anyhow::anyhow!("plain"))), 70);
        let e = anyhow::Error::new(Failure::new(Kind::Input, "x")).context("while doing y");
        assert_eq!(code(&Err(e)), 66);
        assert_eq!(code(&Ok(Status::NoMatch)), 1);
        assert_eq!(code(&Ok(Status::Success)), 0);
    }
}
