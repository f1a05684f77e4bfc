//! The batch journal: an append-only JSON Lines file that makes a run resumable.
//!
//! Write-ahead: a `start` record reaches the disk (fsync) before its request leaves,
//! so after any crash the journal knows every request that might have landed.
//! Terminal `end` records are group-committed with the next fsync. One writer
//! thread does all writes: workers hand it records and, for `start`, wait for the
//! fsync that covers theirs, so eight workers share one fsync instead of eight.
//! An `end` record waits in memory for the next write (a `start`'s group commit,
//! or a [`Writer::written`] that asks for one); a row's result is printed only once
//! its `end` record is written (see `batch::worker::finish`), so a `kill -9` can
//! never leave a printed row that the journal does not know (and a resume would
//! send and print again).
//! Never holds images or the key; created with mode 0600; locked against a second
//! process. Each run's first record names the target it sends to, and a journal is
//! only ever used against that target (see `batch::plan`).
//!
//! The pieces: `records` are the lines and their encoding, `writer` opens, locks
//! and appends (group commit), `reader` loads and replays (every older version).

mod reader;
mod records;
mod writer;

use std::fs::File;
use std::path::Path;

use anyhow::Result;

use crate::error::{Failure, Kind};
pub use reader::{Known, Loaded, fp_key, fp_text, peek, read_records};
pub use records::{EndView, FINGER_MAX, MAX_FINGERS, Record, StartView, State, fingers};
pub use writer::{LINGER, Opened, Writer, open};

/// Version 2 added the run's `target` and `env`; version 3 the `at` of `end`
/// records; version 4 the `matched` of verify's `end` records and the `pass` of
/// records written by a later pass of a run. Older journals load: the fields they
/// lack are absent (an `end` without `pass` is of the run's first pass).
pub const VERSION: u32 = 4;

fn io_fail(path: &Path, what: &str, e: impl std::fmt::Display) -> anyhow::Error {
    Failure::new(Kind::Io, format!("journal {}: {what}: {e}", path.display())).into()
}

fn open_error(path: &Path, e: std::io::Error) -> anyhow::Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return Failure::new(
            Kind::Io,
            format!(
                "journal {} is a symbolic link; biopass does not follow links to a journal: name the file itself",
                path.display()
            ),
        )
        .into();
    }
    io_fail(path, "cannot open", e)
}

/// The file's metadata, if it is a regular file (not a FIFO, a device, a folder).
fn regular_file(file: &File, path: &Path) -> Result<std::fs::Metadata> {
    let meta = file
        .metadata()
        .map_err(|e| io_fail(path, "cannot stat", e))?;
    if !meta.is_file() {
        return Err(io_fail(path, "cannot use", "not a regular file"));
    }
    Ok(meta)
}

/// Records for the tests of every part.
#[cfg(test)]
mod samples {
    use std::path::Path;

    use super::{Record, State};

    pub fn start(id: &str, fp: &str, attempt: u32) -> Record {
        Record::Start {
            line: 2,
            id: id.into(),
            fp: fp.into(),
            attempt,
        }
    }

    pub fn end(id: &str, fp: &str, state: State) -> Record {
        Record::End {
            line: 2,
            id: id.into(),
            fp: fp.into(),
            attempt: 1,
            state,
            status: None,
            biopass_id: None,
            class: None,
            kind: None,
            error: None,
            ms: 1,
            at: None,
            matched: None,
            face_matched: None,
            non_matched_fingers: None,
            pass: None,
        }
    }

    pub fn write(path: &Path, recs: &[Record], tail: &str) {
        let mut s = String::new();
        for r in recs {
            s.push_str(&serde_json::to_string(r).unwrap());
            s.push('\n');
        }
        s.push_str(tail);
        std::fs::write(path, s).unwrap();
    }
}
