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

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::error::{Failure, Kind};

/// Version 2 added the run's `target` and `env`; version 3 the `at` of `end`
/// records; version 4 the `matched` of verify's `end` records and the `pass` of
/// records written by a later pass of a run. Older journals load: the fields they
/// lack are absent (an `end` without `pass` is of the run's first pass).
pub const VERSION: u32 = 4;

/// The name [`Loaded`] keeps a "no match" verdict under.
const NO_MATCH: &str = "no_match";

/// How a row ended (the `state` of an `end` record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Succeeded (enrolled, updated or deleted).
    Done,
    /// A re-send found our earlier attempt had landed.
    Reconciled,
    /// Counted as skipped (`--skip-existing`).
    Skipped,
    /// Refused by the API; retried only with `--retry-failed`.
    Failed,
    /// Invalid row (`--skip-invalid`).
    Invalid,
    /// The request may have been acted on; the row will be retried.
    Ambiguous,
    /// Certainly not acted on (connect failure, 429, 401); will be retried.
    Transient,
}

impl State {
    /// Whether the row is finished for good (done, reconciled or skipped): a resumed
    /// run counts it as already done and does not send it again.
    pub fn is_final_success(self) -> bool {
        matches!(self, State::Done | State::Reconciled | State::Skipped)
    }
}

/// One line of the journal: a JSON object tagged by its `event` (`run`, `start` or
/// `end`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Record {
    /// One per run (each resume appends one).
    Run {
        /// The journal format version ([`VERSION`]).
        v: u32,
        /// The operation ([`crate::request::Op::name`]); a journal serves one.
        op: String,
        /// The manifest as named on the command line (`<stdin>` for standard input).
        manifest: String,
        /// Where the run's requests went ([`crate::target::Spec::identity`]);
        /// absent in journals of version 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        /// The environment name (`production`, `hml`, `sandbox`), for people reading
        /// the journal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        env: Option<String>,
        /// `K/N` when the run took one shard of the manifest.
        shard: Option<String>,
        /// The process that wrote the run.
        pid: u32,
        /// When the run began sending, in seconds since the Unix epoch.
        at: u64,
    },
    /// Written and fsync'd before the request is sent.
    Start {
        /// The row's manifest line.
        line: u64,
        /// The row's CustomID.
        id: String,
        /// The row's content fingerprint ([`super::content::fingerprint`]).
        fp: String,
        /// The attempt's number in this run, from 1.
        attempt: u32,
    },
    /// How an attempt ended; appended without waiting for the disk (the next fsync
    /// covers it). Also written, with an empty `fp` and attempt 0, for a row found
    /// invalid: such records never change a row's history.
    End {
        /// The row's manifest line.
        line: u64,
        /// The row's CustomID.
        id: String,
        /// The row's content fingerprint; empty for an invalid row.
        fp: String,
        /// The attempt's number in this run (0 for an invalid row).
        attempt: u32,
        /// How the attempt left the row.
        state: State,
        /// The HTTP status, when the service answered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// The BioPassID the service gave, on success.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        biopass_id: Option<String>,
        /// For a failed attempt, whether the service could have acted on it:
        /// `not_sent`, `maybe` or `rejected` ([`crate::client::Sent`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<String>,
        /// For a failure, its [`crate::error::Kind::name`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<String>,
        /// For a failure, its message, sanitised and cut to 300 characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// How long the attempt took, in milliseconds (0 for an invalid row).
        ms: u64,
        /// When the attempt ended, in seconds since the Unix epoch (as the run's
        /// `at`); absent in journals before version 3.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<u64>,
        /// Verify's verdict, on success (`Match`); absent for other operations and
        /// in journals before version 4.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        matched: Option<bool>,
        /// Verify's `MatchDetails.FaceMatched`, on success, when the service sent
        /// details; absent otherwise (and in journals written before biopass
        /// recorded details).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        face_matched: Option<bool>,
        /// Verify's `MatchDetails.NonMatchedFingers`, as [`Record::End`]'s
        /// `face_matched` (at most [`MAX_FINGERS`] names, each sanitised and cut to
        /// [`FINGER_MAX`] characters).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        non_matched_fingers: Option<Vec<String>>,
        /// The pass of the run the attempt belongs to, when it is not the first
        /// (`--passes`); absent for the first pass and before version 4.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pass: Option<u32>,
    },
}

/// A `start` record, borrowed: serialises exactly as [`Record::Start`], without
/// copying the CustomID and fingerprint into a record first.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename = "start")]
pub struct StartView<'a> {
    /// As [`Record::Start`]'s `line`.
    pub line: u64,
    /// As [`Record::Start`]'s `id`.
    pub id: &'a str,
    /// As [`Record::Start`]'s `fp`.
    pub fp: &'a str,
    /// As [`Record::Start`]'s `attempt`.
    pub attempt: u32,
}

/// An `end` record, borrowed: serialises exactly as [`Record::End`].
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename = "end")]
pub struct EndView<'a> {
    /// As [`Record::End`]'s `line`.
    pub line: u64,
    /// As [`Record::End`]'s `id`.
    pub id: &'a str,
    /// As [`Record::End`]'s `fp`.
    pub fp: &'a str,
    /// As [`Record::End`]'s `attempt`.
    pub attempt: u32,
    /// As [`Record::End`]'s `state`.
    pub state: State,
    /// As [`Record::End`]'s `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// As [`Record::End`]'s `biopass_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub biopass_id: Option<&'a str>,
    /// As [`Record::End`]'s `class`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<&'a str>,
    /// As [`Record::End`]'s `kind`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'a str>,
    /// As [`Record::End`]'s `error` (already sanitised and cut).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
    /// As [`Record::End`]'s `ms`.
    pub ms: u64,
    /// As [`Record::End`]'s `at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
    /// As [`Record::End`]'s `matched`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<bool>,
    /// As [`Record::End`]'s `face_matched`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_matched: Option<bool>,
    /// As [`Record::End`]'s `non_matched_fingers` (already cut: [`fingers`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_matched_fingers: Option<&'a [String]>,
    /// As [`Record::End`]'s `pass`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass: Option<u32>,
}

/// The most finger names an `end` record keeps (a hand has five, a person ten).
pub const MAX_FINGERS: usize = 10;
/// The longest finger name an `end` record keeps, in characters.
pub const FINGER_MAX: usize = 40;

/// The service's `NonMatchedFingers` as a journal records them: at most
/// [`MAX_FINGERS`] names, sanitised and cut to [`FINGER_MAX`] characters and an
/// ellipsis (what a
/// service sends must never make a line too long for the journal to load). `None`
/// when they are already fit to record, as they are in every answer we know.
pub fn fingers(names: &[String]) -> Option<Vec<String>> {
    let fit =
        |n: &String| n.len() <= FINGER_MAX && n.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
    if names.len() <= MAX_FINGERS && names.iter().all(fit) {
        return None;
    }
    Some(
        names
            .iter()
            .take(MAX_FINGERS)
            .map(|n| crate::sanitize::sanitize(n, FINGER_MAX))
            .collect(),
    )
}

/// What the journal says about one CustomID, in a few bytes: what a run needs to plan
/// the row (see [`Loaded::get`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Known {
    /// The content fingerprint the history is of ([`fp_key`]): a record with another
    /// one (new content for this CustomID) starts the history afresh.
    pub fp: [u64; 2],
    /// The manifest line of the latest record (saturating at `u32::MAX`).
    pub line: u32,
    /// The last terminal state, if any.
    pub state: Option<State>,
    /// The failure kind of the last `end` record, if it was a failure: an index into
    /// [`Loaded::kind_name`] (0 is none).
    kind: u8,
    /// A start whose end is missing or ambiguous: our request may have landed.
    pub maybe_landed: bool,
    open: bool,
}

/// A fingerprint in 16 bytes: the 32 hex digits [`super::content::fingerprint`]
/// writes, as a number. Anything else (a hand-edited journal) is hashed instead, so
/// it equals only the same text, and never a real fingerprint (short of a SHA-256
/// coincidence).
pub fn fp_key(fp: &str) -> [u64; 2] {
    let hex = fp.len() == 32 && fp.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if hex && let Ok(n) = u128::from_str_radix(fp, 16) {
        return [(n >> 64) as u64, n as u64];
    }
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("not a fingerprint\0{fp}"));
    let word = |i: usize| u64::from_be_bytes(d[i..i + 8].try_into().expect("8 bytes"));
    [word(0), word(8)]
}

/// Back to the text of a fingerprint [`fp_key`] parsed.
pub fn fp_text(fp: [u64; 2]) -> String {
    format!("{:016x}{:016x}", fp[0], fp[1])
}

/// Every CustomID's [`Known`], keyed by [`super::content::id_key`] (two independent
/// 64-bit hashes of the id) in a sorted vector: 40 bytes a CustomID. Ids first seen
/// lately wait in a small map, merged into the vector every [`RECENT_MAX`] ids, so
/// loading costs no more than the vector itself.
#[derive(Default)]
struct KnownIds {
    sorted: Vec<([u64; 2], Known)>,
    recent: HashMap<[u64; 2], Known>,
}

/// How many new ids wait in [`KnownIds::recent`] before a merge.
const RECENT_MAX: usize = 1 << 16;

impl KnownIds {
    fn entry(&mut self, key: [u64; 2]) -> &mut Known {
        if let Ok(i) = self.sorted.binary_search_by(|(k, _)| k.cmp(&key)) {
            return &mut self.sorted[i].1;
        }
        if self.recent.len() >= RECENT_MAX && !self.recent.contains_key(&key) {
            self.merge();
        }
        self.recent.entry(key).or_default()
    }

    /// Move the recent ids into the sorted vector (merged from the back, in place).
    fn merge(&mut self) {
        let mut new: Vec<_> = self.recent.drain().collect();
        self.recent.shrink_to(RECENT_MAX);
        new.sort_unstable_by_key(|e| e.0);
        let old = self.sorted.len();
        self.sorted.reserve_exact(new.len());
        self.sorted
            .resize(old + new.len(), ([0, 0], Known::default()));
        let (mut i, mut j, mut out) = (old, new.len(), old + new.len());
        while j > 0 {
            out -= 1;
            if i > 0 && self.sorted[i - 1].0 > new[j - 1].0 {
                self.sorted[out] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[out] = new[j - 1];
                j -= 1;
            }
        }
    }

    fn get(&self, key: [u64; 2]) -> Option<&Known> {
        match self.sorted.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => Some(&self.sorted[i].1),
            Err(_) => self.recent.get(&key),
        }
    }

    fn values_mut(&mut self) -> impl Iterator<Item = &mut Known> {
        self.sorted
            .iter_mut()
            .map(|(_, k)| k)
            .chain(self.recent.values_mut())
    }
}

/// The journal as loaded at the start of a run: per CustomID only what planning
/// needs ([`Known`]), never the ids themselves.
#[derive(Default)]
pub struct Loaded {
    /// Each CustomID's history. Rows only ever recorded as invalid are not here.
    known: KnownIds,
    /// Failure kinds by index ([`Known`] keeps the index); index 0 is none.
    kinds: Vec<String>,
    /// Whether the journal says anything about what the service holds.
    vouches: bool,
    /// The operation of the last run recorded.
    pub op: Option<String>,
    /// The target of the last run recorded: `None` if no run is recorded, `Some(None)`
    /// for a run record from before journals recorded their target.
    pub last_target: Option<Option<String>>,
    /// The last line was cut short by a crash: [`Opened::prepare`] cuts it off,
    /// [`peek`] leaves it.
    pub torn_tail: bool,
}

impl Loaded {
    /// What the journal says of `id`, if anything.
    pub fn get(&self, id: &str) -> Option<Known> {
        self.known.get(super::content::id_key(id)).copied()
    }

    /// How many CustomIDs the journal knows.
    pub fn len(&self) -> usize {
        self.known.sorted.len() + self.known.recent.len()
    }

    /// Whether the journal knows no CustomID.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The failure kind ([`crate::error::Kind::name`]) of the last `end` record of a
    /// row, if it was a failure.
    pub fn kind_name(&self, k: &Known) -> Option<&str> {
        (k.kind > 0).then(|| self.kinds.get(k.kind as usize - 1).map(String::as_str))?
    }

    /// Whether the row's last answer was verify's "no match".
    pub fn no_match(&self, k: &Known) -> bool {
        k.state == Some(State::Done) && self.kind_name(k) == Some(NO_MATCH)
    }

    fn kind_index(&mut self, kind: Option<String>) -> u8 {
        let Some(kind) = kind else { return 0 };
        if let Some(i) = self.kinds.iter().position(|k| *k == kind) {
            return i as u8 + 1;
        }
        // Kinds are the few names of crate::error::Kind; a journal with more is not
        // one this program wrote: keep the rest as "other".
        if self.kinds.len() >= 250 {
            return self.kind_index(Some("other".into()));
        }
        self.kinds.push(kind);
        self.kinds.len() as u8
    }

    /// Whether the journal says anything about what the service holds: a row that
    /// succeeded, was refused, or may have landed. A journal whose every request was
    /// certainly not acted on (refused at the gateway, never connected) vouches for
    /// nothing, and may be used against another target.
    pub fn vouches(&self) -> bool {
        self.vouches
    }
}

fn io_fail(path: &Path, what: &str, e: impl std::fmt::Display) -> anyhow::Error {
    Failure::new(Kind::Io, format!("journal {}: {what}: {e}", path.display())).into()
}

/// What to do about a file that is not a journal: for a run, name another one.
const NOT_A_JOURNAL_RUN: &str = "it was left untouched: name a new file with --journal";

fn not_a_journal(path: &Path, advice: &str) -> anyhow::Error {
    Failure::new(
        Kind::Io,
        format!(
            "{} exists and is not a biopass journal; {advice}",
            path.display()
        ),
    )
    .into()
}

/// An open, locked journal, ready to be handed to [`Writer::start`].
pub struct Opened {
    /// The journal, locked by this process, positioned at its end.
    pub file: File,
    /// This process created the file (it did not exist before this run).
    pub created: bool,
    path: PathBuf,
    /// Length of the whole lines (what stays when a torn tail is cut).
    good_len: u64,
    /// Group or others may read it: [`Opened::prepare`] makes it private.
    loose_mode: bool,
}

impl Opened {
    /// Make the journal fit to append to: private (chmod 600) and without a torn
    /// last line. Called once the run has decided to use this journal (it belongs
    /// to this target and operation): a journal that is refused is left as it was.
    pub fn prepare(&mut self, loaded: &Loaded) -> Result<()> {
        let path = &self.path;
        // The journal names people (CustomIDs): keep it private even if it was copied
        // or created by something else with a looser mode. The descriptor is the file
        // itself (O_NOFOLLOW), so this never reaches through a link.
        #[cfg(unix)]
        if self.loose_mode {
            use std::os::unix::fs::PermissionsExt;
            self.file
                .set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|e| io_fail(path, "cannot make it private (chmod 600)", e))?;
        }
        if loaded.torn_tail {
            self.file
                .set_len(self.good_len)
                .map_err(|e| io_fail(path, "cannot cut the torn last line", e))?;
            self.file
                .sync_all()
                .map_err(|e| io_fail(path, "cannot sync", e))?;
        }
        self.file
            .seek(std::io::SeekFrom::End(0))
            .map_err(|e| io_fail(path, "cannot seek", e))?;
        Ok(())
    }
}

fn open_options() -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    o.read(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a symbolic link: the journal is chmod'ed and truncated, and
        // that must never happen to some other file a link points at.
        o.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    o
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

/// Open (creating it with mode 0600 if missing), lock, and load the journal, in that
/// order: nothing is decided about the file before the lock is held, and nothing is
/// changed in it (mode, torn tail) until [`Opened::prepare`], which the caller calls
/// once the content has proved it is a biopass journal of this run's target.
/// A new journal's folder is fsync'd so the file itself survives a crash. A torn last
/// line (a crash mid-write) is cut off; any other damage is an error.
pub fn open(path: &Path) -> Result<(Opened, Loaded)> {
    let (file, created) = match open_options().create_new(true).open(path) {
        Ok(f) => (f, true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => (
            open_options().open(path).map_err(|e| open_error(path, e))?,
            false,
        ),
        Err(e) => return Err(open_error(path, e)),
    };
    let meta = regular_file(&file, path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(Failure::new(
                Kind::TryLater,
                format!("journal {} is in use by another biopass process (lock held); wait for it to finish", path.display()),
            )
            .into());
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io_fail(path, "cannot lock", e)),
    }
    if created {
        sync_parent(path).map_err(|e| io_fail(path, "cannot sync its folder", e))?;
    }
    let (loaded, good_len) = load(&file, path)?;
    #[cfg(unix)]
    let loose_mode = {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o077 != 0
    };
    #[cfg(not(unix))]
    let loose_mode = false;
    let opened = Opened {
        file,
        created,
        path: path.to_path_buf(),
        good_len,
        loose_mode,
    };
    Ok((opened, loaded))
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

/// Open for reading only, never through a symbolic link.
fn open_read_only(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut o, libc::O_NOFOLLOW);
    o.open(path)
}

/// Load a journal without changing anything (for `--dry-run`): no file is created,
/// locked, chmod'ed or cut. A missing journal loads as empty.
pub fn peek(path: &Path) -> Result<Loaded> {
    let file = match open_read_only(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::default()),
        Err(e) => return Err(open_error(path, e)),
    };
    regular_file(&file, path)?;
    Ok(load(&file, path)?.0)
}

/// fsync the folder holding `path`, so that a newly created entry is durable.
fn sync_parent(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

/// Read every record. Returns what they say and the length of the whole lines.
fn load(file: &File, path: &Path) -> Result<(Loaded, u64)> {
    let mut loaded = Loaded::default();
    let scanned = scan(file, path, NOT_A_JOURNAL_RUN, |rec| apply(&mut loaded, rec))?;
    loaded.torn_tail = scanned.torn_tail;
    loaded.known.merge();
    let mut vouches = false;
    for h in loaded.known.values_mut() {
        if h.open {
            // Started, never ended: the process died with the request in flight.
            h.maybe_landed = true;
            h.open = false;
        }
        vouches |= h.maybe_landed || h.state != Some(State::Transient);
    }
    loaded.known.sorted.shrink_to_fit();
    // Merged: its room is not needed again (a run only reads the table).
    loaded.known.recent = HashMap::new();
    loaded.vouches = vouches;
    Ok((loaded, scanned.good_len))
}

/// What [`scan`] saw besides the records.
struct Scanned {
    /// The length of the whole lines.
    good_len: u64,
    /// The last line was cut short.
    torn_tail: bool,
}

/// Hand every whole record to `each`, in order. A first line that is not a record
/// means the file is not a journal; damage further on is an error; a torn last line
/// is reported, not handed over.
fn scan(file: &File, path: &Path, advice: &str, mut each: impl FnMut(Record)) -> Result<Scanned> {
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    let mut good_len: u64 = 0;
    let mut lineno = 0u64;
    let mut torn_tail = false;
    loop {
        buf.clear();
        // A line longer than any record we write means this is not our file.
        let n = (&mut reader)
            .take(MAX_RECORD)
            .read_until(b'\n', &mut buf)
            .map_err(|e| io_fail(path, "cannot read", e))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        if buf.last() != Some(&b'\n') {
            if n as u64 >= MAX_RECORD {
                return Err(if lineno == 1 {
                    not_a_journal(path, advice)
                } else {
                    io_fail(path, &format!("line {lineno} is damaged"), "far too long")
                });
            }
            // The last write was cut short by a crash. Only a file that is already a
            // journal may have its tail cut: a lone partial line must look like the
            // start of our first record.
            if lineno == 1 && !buf.starts_with(b"{\"event\":\"run\"") {
                return Err(not_a_journal(path, advice));
            }
            torn_tail = true;
            break;
        }
        let rec: Record = match serde_json::from_slice(&buf) {
            Ok(r) => r,
            Err(_) if lineno == 1 => return Err(not_a_journal(path, advice)),
            Err(e) => return Err(io_fail(path, &format!("line {lineno} is damaged"), e)),
        };
        each(rec);
        good_len += n as u64;
    }
    Ok(Scanned {
        good_len,
        torn_tail,
    })
}

/// Read every whole record of an existing journal, in order, without creating,
/// locking or changing it (for `biopass report`). A missing file is an input error
/// (66); a file that is not a journal, or is damaged, is 74. Returns whether the
/// last line was torn (it is left out).
pub fn read_records(path: &Path, each: impl FnMut(Record)) -> Result<bool> {
    let file = match open_read_only(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(
                Kind::Input,
                format!("journal {} does not exist", path.display()),
            )
            .into());
        }
        Err(e) => return Err(open_error(path, e)),
    };
    regular_file(&file, path)?;
    Ok(scan(
        &file,
        path,
        "name the journal a batch run wrote (MANIFEST.OP.journal)",
        each,
    )?
    .torn_tail)
}

/// The longest line a journal record can take (ids and messages are bounded well
/// below this).
const MAX_RECORD: u64 = 1024 * 1024;

fn apply(l: &mut Loaded, rec: Record) {
    match rec {
        // Rows recorded as invalid have no content fingerprint (their files could not
        // be read); they must not disturb the history of a valid row with the same id.
        Record::End { ref fp, .. } if fp.is_empty() => {}
        Record::Run { op, target, .. } => {
            l.op = Some(op);
            l.last_target = Some(target);
        }
        Record::Start { line, id, fp, .. } => {
            let fp = fp_key(&fp);
            let h = l.known.entry(super::content::id_key(&id));
            if h.fp != fp {
                // New content for this CustomID: earlier attempts were of other bytes.
                *h = Known::default();
            }
            if h.open {
                h.maybe_landed = true;
            }
            h.line = u32::try_from(line).unwrap_or(u32::MAX);
            h.fp = fp;
            h.open = true;
        }
        Record::End {
            line,
            id,
            fp,
            state,
            kind,
            matched,
            ..
        } => {
            // A verify that answered "no match" is finished, like a match; the
            // verdict rides in the failure-kind slot (a done row has no failure), so
            // a resumed run still counts it without a byte more per row.
            let kind = match matched {
                Some(false) => l.kind_index(Some(NO_MATCH.into())),
                _ => l.kind_index(kind),
            };
            let fp = fp_key(&fp);
            let h = l.known.entry(super::content::id_key(&id));
            if h.fp != fp {
                *h = Known::default();
                h.fp = fp;
            }
            h.line = u32::try_from(line).unwrap_or(u32::MAX);
            h.open = false;
            h.state = Some(state);
            h.kind = kind;
            if state == State::Ambiguous {
                h.maybe_landed = true;
            }
        }
    }
}

/// What the workers and the writer thread share: the records handed over and not yet
/// written, and how far the file is known to be on disk.
struct Queue {
    /// Whole lines, appended by workers, taken whole by the writer thread.
    buf: Vec<u8>,
    /// Number of the last durable record (or flush) handed over.
    asked: u64,
    /// Number of the last durable record the writer has taken.
    taken: u64,
    /// Records handed over (durable or not), counting from 1.
    appended: u64,
    /// Records written to the file (`write(2)` done, perhaps not yet synced).
    written: u64,
    /// The highest record number a [`Writer::written`] waits to see written: the
    /// writer writes (without syncing) until it has.
    want_written: u64,
    /// Number of the last durable record known to be on disk.
    synced: u64,
    /// The writer thread is waiting for work (so a hand-over must wake it).
    idle: bool,
    /// The first write or sync error; every later durable record fails with it.
    failed: Option<String>,
    /// The writer is asked to finish.
    closing: bool,
    /// How many durable records one fsync should cover before it is started early
    /// (see [`Writer::group`]); 1 starts it at once.
    group: u64,
    /// While the writer lingers: the `asked` count at which to wake it.
    wake_at: u64,
    /// A caller blocks its thread on a durable record (the run record, a flush):
    /// sync without lingering.
    urgent: bool,
}

struct Shared {
    queue: std::sync::Mutex<Queue>,
    /// Wakes the writer thread: something was handed over.
    work: std::sync::Condvar,
    /// Wakes workers waiting for their durable record: `synced` moved.
    done: std::sync::Condvar,
    /// The same news for waiters on a runtime ([`Writer::durable_async`]): `synced`,
    /// and whether a write failed. One wake-up per fsync, whoever waits.
    synced: tokio::sync::watch::Sender<(u64, bool)>,
    /// For [`Writer::written`]: `written`, and whether a write failed.
    written: tokio::sync::watch::Sender<(u64, bool)>,
}

impl Queue {
    /// Whether the writer has work: a sync is asked for, a written record is waited
    /// for, the buffer is large enough to write anyway, or the writer is to finish.
    fn due(&self) -> bool {
        self.asked > self.taken
            || self.want_written > self.written
            || self.buf.len() >= WRITE_AT
            || self.closing
    }
}

/// Records that nobody waits for are written once this many bytes of them wait.
const WRITE_AT: usize = 64 * 1024;

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The writer: one thread, group commit.
///
/// Workers serialise their records straight into one shared buffer (no per-record
/// allocation, no channel message) and, for a durable record, wait until the
/// writer's next fsync covers it. The writer thread takes the whole buffer at once
/// (swapping in its spare, so neither is reallocated), writes it with one `write`,
/// fsyncs once if any record in it must be durable, and wakes every worker that
/// waited for that fsync together.
pub struct Writer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    path: PathBuf,
}

impl Writer {
    /// Start the writer thread on an [`Opened`] journal's file; `path` is for error
    /// messages. Dropping the writer waits for every record handed over to be
    /// written, and syncs the file unless a write failed.
    pub fn start(file: File, path: &Path) -> Writer {
        let shared = Arc::new(Shared {
            queue: std::sync::Mutex::new(Queue {
                buf: Vec::with_capacity(64 * 1024),
                asked: 0,
                taken: 0,
                appended: 0,
                written: 0,
                want_written: 0,
                synced: 0,
                idle: false,
                failed: None,
                closing: false,
                group: 1,
                wake_at: u64::MAX,
                urgent: false,
            }),
            work: std::sync::Condvar::new(),
            done: std::sync::Condvar::new(),
            synced: tokio::sync::watch::Sender::new((0, false)),
            written: tokio::sync::watch::Sender::new((0, false)),
        });
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || write_loop(file, &for_thread))
            .expect("spawning the journal thread");
        Writer {
            shared,
            thread: Some(thread),
            path: path.to_path_buf(),
        }
    }

    /// Let one fsync cover up to `workers` durable records: when fewer are waiting,
    /// the writer waits up to [`LINGER`] for the rest before it syncs (only for
    /// [`Writer::durable_async`] records: a thread blocked in [`Writer::durable`] or
    /// [`Writer::flush`] is served at once).
    ///
    /// An fsync costs tens of microseconds of CPU and hundreds of wall time, whether
    /// it covers one record or thirty. Workers that finish their requests a little
    /// apart would otherwise each get an fsync of their own (about two records per
    /// fsync at `--jobs 8` against a fast server); with this they share one. The
    /// price is at most [`LINGER`] more before a request leaves, against requests
    /// that take milliseconds or more on a real network.
    pub fn group(&self, workers: usize) {
        self.shared.lock().group = workers.max(1) as u64;
    }

    fn stopped(&self) -> anyhow::Error {
        io_fail(&self.path, "write failed", "writer stopped")
    }

    /// Hand `rec` (a [`Record`], or a borrowed view that serialises as one) over;
    /// if `durable`, wait until it is on disk.
    fn send(&self, rec: Option<&dyn erased::Line>, durable: bool) -> Result<()> {
        let Some(mine) = self.hand_over(rec, durable, true)? else {
            return Ok(());
        };
        let mut q = self.shared.lock();
        while q.synced < mine && q.failed.is_none() {
            q = self.shared.done.wait(q).unwrap_or_else(|p| p.into_inner());
        }
        self.outcome(&q, mine)
    }

    /// Append and wait, without blocking the thread, until it is on disk: for the
    /// batch engine, whose requests are all in flight on one runtime thread.
    pub async fn durable_async(&self, rec: &impl Serialize) -> Result<()> {
        let mine = self
            .hand_over(Some(&erased::Ser(rec)), true, false)?
            .expect("a durable record has a number");
        let mut rx = self.shared.synced.subscribe();
        let _ = rx
            .wait_for(|&(synced, failed)| synced >= mine || failed)
            .await;
        self.outcome(&self.shared.lock(), mine)
    }

    /// How durable record number `mine` fared, once it is synced or a write failed.
    fn outcome(&self, q: &Queue, mine: u64) -> Result<()> {
        match &q.failed {
            Some(e) if q.synced < mine => Err(io_fail(&self.path, "write failed", e)),
            _ => Ok(()),
        }
    }

    /// Put `rec` in the shared buffer and wake the writer if it must be; for a
    /// durable record (or flush), its number, for which to wait. An `urgent` durable
    /// record is synced without waiting for others to share the fsync.
    fn hand_over(
        &self,
        rec: Option<&dyn erased::Line>,
        durable: bool,
        urgent: bool,
    ) -> Result<Option<u64>> {
        let mut q = self.shared.lock();
        if q.closing {
            return Err(self.stopped());
        }
        if let Some(rec) = rec {
            rec.write_line(&mut q.buf);
            q.appended += 1;
        }
        // Wake the writer only if it sleeps, or lingers and this completes its group:
        // a busy writer takes this with its next batch (each notification is a
        // system call). A record nobody waits for does not wake it at all, until
        // enough of them wait (`WRITE_AT`).
        if !durable {
            let wake = q.idle && q.buf.len() >= WRITE_AT;
            if wake {
                q.idle = false;
            }
            drop(q);
            if wake {
                self.shared.work.notify_one();
            }
            return Ok(None);
        }
        q.asked += 1;
        q.urgent |= urgent;
        let mine = q.asked;
        let wake = std::mem::take(&mut q.idle) || q.asked >= q.wake_at || urgent;
        drop(q);
        if wake {
            self.shared.work.notify_one();
        }
        Ok(Some(mine))
    }

    /// Append and wait until it is on disk (used for `start` and `run`).
    pub fn durable(&self, rec: &impl Serialize) -> Result<()> {
        self.send(Some(&erased::Ser(rec)), true)
    }

    /// Append; it is written with the next group commit, [`Writer::written`] or
    /// [`Writer::flush`], and reaches the disk with the next fsync.
    pub fn append(&self, rec: &impl Serialize) -> Result<()> {
        self.send(Some(&erased::Ser(rec)), false)
    }

    /// Wait, without blocking the thread, until every record handed over so far is
    /// written to the file (`write(2)` done: a `kill -9` of this process can no
    /// longer lose it; it reaches the disk with the next fsync, as before). Asks
    /// the writer for a write if none is due; one shares the writer's next batch
    /// with every other record waiting.
    pub async fn written(&self) -> Result<()> {
        let mut q = self.shared.lock();
        let mine = q.appended;
        if q.written >= mine {
            return Ok(());
        }
        if q.closing {
            return Err(self.stopped());
        }
        q.want_written = q.want_written.max(mine);
        let wake = std::mem::take(&mut q.idle);
        drop(q);
        if wake {
            self.shared.work.notify_one();
        }
        let mut rx = self.shared.written.subscribe();
        let _ = rx
            .wait_for(|&(written, failed)| written >= mine || failed)
            .await;
        let q = self.shared.lock();
        match &q.failed {
            Some(e) if q.written < mine => Err(io_fail(&self.path, "write failed", e)),
            _ => Ok(()),
        }
    }

    /// Write and fsync everything handed over so far.
    pub fn flush(&self) -> Result<()> {
        self.send(None, true)
    }
}

/// Serialising a record as one journal line, behind a `dyn` (so that [`Writer::send`]
/// is not generic).
mod erased {
    use serde::Serialize;

    pub trait Line {
        fn write_line(&self, out: &mut Vec<u8>);
    }

    pub struct Ser<'a, T: Serialize>(pub &'a T);

    impl<T: Serialize> Line for Ser<'_, T> {
        fn write_line(&self, out: &mut Vec<u8>) {
            serde_json::to_writer(&mut *out, self.0).expect("plain data");
            out.push(b'\n');
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let mut q = self.shared.lock();
        q.closing = true;
        q.idle = false;
        drop(q);
        self.shared.work.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The longest a durable record waits for others to share its fsync.
pub const LINGER: Duration = Duration::from_micros(1000);

fn write_loop(mut file: File, shared: &Shared) {
    let mut batch = Vec::with_capacity(64 * 1024);
    loop {
        let mut q = shared.lock();
        while !q.due() {
            q.idle = true;
            q = shared.work.wait(q).unwrap_or_else(|p| p.into_inner());
        }
        q.idle = false;
        if q.buf.is_empty() && q.asked == q.taken && q.closing {
            let healthy = q.failed.is_none();
            drop(q);
            if healthy {
                let _ = file.sync_data();
            }
            return;
        }
        // A sync is due but covers fewer records than there are workers: give the
        // others a moment to hand theirs over (see `Writer::group`).
        if q.asked > q.taken && q.asked - q.taken < q.group && !q.closing && !q.urgent {
            let deadline = Instant::now() + LINGER;
            q.wake_at = q.taken + q.group;
            while q.asked < q.wake_at && !q.closing && !q.urgent {
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    break;
                };
                q = shared
                    .work
                    .wait_timeout(q, left)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            q.wake_at = u64::MAX;
        }
        // Take everything handed over so far: one write and one fsync for all of it.
        std::mem::swap(&mut batch, &mut q.buf);
        q.urgent = false;
        let records = q.appended;
        // Every record waited for is in this batch.
        q.want_written = 0;
        let upto = q.asked;
        let needs_sync = upto > q.taken;
        q.taken = upto;
        let healthy = q.failed.is_none();
        drop(q);
        let mut result = Ok(());
        if healthy {
            result = file.write_all(&batch);
            // Written: the rows waiting for it may be printed while the fsync runs.
            let mut q = shared.lock();
            if let Err(e) = &result {
                q.failed = Some(e.to_string());
            } else {
                q.written = records;
            }
            let news = (q.written, q.failed.is_some());
            drop(q);
            shared.written.send_replace(news);
            if result.is_ok() && needs_sync {
                result = file.sync_data();
            }
        }
        batch.clear();
        let mut q = shared.lock();
        if let Err(e) = result {
            q.failed.get_or_insert(e.to_string());
        }
        if q.failed.is_none() {
            q.synced = upto;
        }
        let failed = q.failed.is_some();
        let (news, written) = ((q.synced, failed), (q.written, failed));
        drop(q);
        if needs_sync || failed {
            shared.done.notify_all();
            shared.synced.send_replace(news);
        }
        if failed {
            shared.written.send_replace(written);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(id: &str, fp: &str, attempt: u32) -> Record {
        Record::Start {
            line: 2,
            id: id.into(),
            fp: fp.into(),
            attempt,
        }
    }

    fn end(id: &str, fp: &str, state: State) -> Record {
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

    fn write(path: &Path, recs: &[Record], tail: &str) {
        let mut s = String::new();
        for r in recs {
            s.push_str(&serde_json::to_string(r).unwrap());
            s.push('\n');
        }
        s.push_str(tail);
        std::fs::write(path, s).unwrap();
    }

    #[test]
    fn fingerprints_are_kept_as_numbers() {
        let fp = "0123456789abcdef0011223344556677";
        assert_eq!(fp_text(fp_key(fp)), fp);
        // Not the 32 lowercase hex digits we write: hashed, never equal to the digits.
        assert_ne!(fp_key(&fp.to_uppercase()), fp_key(fp));
        assert_eq!(fp_key("f"), fp_key("f"));
    }

    #[test]
    fn many_ids_merge_into_one_sorted_table() {
        let mut l = Loaded::default();
        let n = RECENT_MAX * 2 + 17;
        for i in 0..n {
            apply(
                &mut l,
                Record::Start {
                    line: i as u64 + 2,
                    id: format!("id-{i}"),
                    fp: "f".into(),
                    attempt: 1,
                },
            );
        }
        // An end for an id merged long ago finds it.
        apply(
            &mut l,
            Record::End {
                line: 2,
                id: "id-0".into(),
                fp: "f".into(),
                attempt: 1,
                state: State::Done,
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
            },
        );
        l.known.merge();
        assert_eq!(l.len(), n);
        assert!(l.known.sorted.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(l.get("id-0").unwrap().state, Some(State::Done));
        assert_eq!(l.get(&format!("id-{}", n - 1)).unwrap().line, n as u32 + 1);
    }

    #[test]
    fn history_rules() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        write(
            &p,
            &[
                start("a", "f1", 1),
                end("a", "f1", State::Done),
                start("b", "f1", 1),
                start("c", "f1", 1),
                end("c", "f1", State::Ambiguous),
                start("d", "f1", 1),
                end("d", "f1", State::Transient),
                start("e", "OLD", 1),
                start("e", "f2", 1),
                end("e", "f2", State::Transient),
            ],
            "{\"event\":\"start\",\"li",
        );
        let before = std::fs::read(&p).unwrap();
        let (mut f, l) = open(&p).unwrap();
        assert!(!f.created);
        assert!(l.torn_tail);
        assert_eq!(
            std::fs::read(&p).unwrap(),
            before,
            "nothing changed before prepare"
        );
        let row = |id: &str| l.get(id).unwrap();
        assert_eq!(row("a").state, Some(State::Done));
        assert!(!row("a").maybe_landed);
        assert!(row("b").maybe_landed, "started, never ended");
        assert!(row("c").maybe_landed);
        assert!(!row("d").maybe_landed);
        // The open start of the old content says nothing about the new content.
        assert!(!row("e").maybe_landed);
        assert_eq!(row("e").fp, fp_key("f2"));
        assert_ne!(fp_key("f2"), fp_key("f1"));
        assert!(l.get("z").is_none());
        assert_eq!(l.len(), 5);
        // Prepared, the torn tail is cut: the file ends with a newline and loads cleanly.
        f.prepare(&l).unwrap();
        drop(f);
        assert!(std::fs::read_to_string(&p).unwrap().ends_with('\n'));
        assert!(!open(&p).unwrap().1.torn_tail);
    }

    #[test]
    fn damage_in_the_middle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        write(&p, &[start("a", "f", 1)], "not json\n");
        let e = open(&p).err().unwrap();
        assert!(e.to_string().contains("line 2 is damaged"), "{e}");
    }

    #[test]
    fn second_open_is_refused_while_locked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        let (_held, _) = open(&p).unwrap();
        let e = open(&p).err().unwrap();
        assert_eq!(crate::error::kind_of(&e), crate::error::Kind::TryLater);
    }

    #[test]
    fn views_serialise_as_records() {
        let rec = start("a\"b", "f1", 3);
        let view = StartView {
            line: 2,
            id: "a\"b",
            fp: "f1",
            attempt: 3,
        };
        assert_eq!(
            serde_json::to_string(&view).unwrap(),
            serde_json::to_string(&rec).unwrap()
        );
        for full in [false, true] {
            let some = |s: &'static str| full.then_some(s);
            let rec = Record::End {
                line: 9,
                id: "x".into(),
                fp: "f".into(),
                attempt: 2,
                state: State::Ambiguous,
                status: full.then_some(503),
                biopass_id: some("B").map(String::from),
                class: some("maybe").map(String::from),
                kind: some("unavailable").map(String::from),
                error: some("bad \u{1} gateway").map(String::from),
                ms: 12,
                at: full.then_some(1_700_000_000),
                matched: full.then_some(false),
                face_matched: full.then_some(true),
                non_matched_fingers: full.then(|| vec!["Finger-2".to_string()]),
                pass: full.then_some(2),
            };
            let fingers = ["Finger-2".to_string()];
            let view = EndView {
                line: 9,
                id: "x",
                fp: "f",
                attempt: 2,
                state: State::Ambiguous,
                status: full.then_some(503),
                biopass_id: some("B"),
                class: some("maybe"),
                kind: some("unavailable"),
                error: some("bad \u{1} gateway"),
                ms: 12,
                at: full.then_some(1_700_000_000),
                matched: full.then_some(false),
                face_matched: full.then_some(true),
                non_matched_fingers: full.then_some(&fingers[..]),
                pass: full.then_some(2),
            };
            assert_eq!(
                serde_json::to_string(&view).unwrap(),
                serde_json::to_string(&rec).unwrap()
            );
        }
    }

    #[test]
    fn an_end_record_waits_for_a_write_that_written_asks_for() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        let (f, _) = open(&p).unwrap();
        let w = Writer::start(f.file, &p);
        w.append(&end("x", "f", State::Done)).unwrap();
        // Nobody waits for it: it waits for the next write.
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(std::fs::metadata(&p).unwrap().len(), 0);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(w.written()).unwrap();
        // Written before `written` returns, without waiting for anything else.
        assert_eq!(std::fs::read_to_string(&p).unwrap().lines().count(), 1);
        // Nothing new: no wait.
        rt.block_on(w.written()).unwrap();
    }

    #[test]
    fn finger_names_are_kept_fit_for_a_journal_line() {
        let ok = vec!["Finger-1".to_string(), "Finger-10".to_string()];
        assert_eq!(fingers(&ok), None);
        let many: Vec<String> = (0..10_000)
            .map(|i| format!("F{i}\u{1}{}", "x".repeat(99)))
            .collect();
        let cut = fingers(&many).unwrap();
        assert_eq!(cut.len(), MAX_FINGERS);
        assert!(
            cut.iter()
                .all(|n| n.chars().count() <= FINGER_MAX + 1 && !n.contains('\u{1}')),
            "{cut:?}"
        );
    }

    #[test]
    fn writer_group_commits() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        let (f, _) = open(&p).unwrap();
        assert!(f.created);
        let w = Writer::start(f.file, &p);
        w.durable(&start("x", "f", 1)).unwrap();
        w.append(&end("x", "f", State::Done)).unwrap();
        w.flush().unwrap();
        drop(w);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}
