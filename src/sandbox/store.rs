//! The sandbox's people: what each operation does to them, and how they are kept.
//!
//! [`State`] is plain data with pure operations, so the API's semantics (duplicate
//! CustomIDs, BioPassIDs never reused, byte-identical "matching") are unit-tested
//! without a server. [`Store`] adds persistence, in one of two modes.
//!
//! Sync mode (the embedded sandbox, [`Persistence::Sync`]): an append-only log,
//! `sandbox.log`, shared by every process that uses the folder. Each process keeps the
//! live state in memory and, for every request, under `sandbox.lock`: reads whatever
//! other processes appended since its last look (it remembers the offset it read up
//! to), applies the operation, and if the state changed appends one record with one
//! write and `fdatasync`s it before the request is answered. So a request costs the
//! same at 100 people and at 100,000. When the log holds more than twice as many
//! records as a fresh copy of the live state would (plus [`COMPACT_SLACK`]), it is
//! compacted: the live state is written to a temporary file in the same folder,
//! synced and renamed over the log. Every log starts with a header naming its
//! generation (a random number), so another process sees a compaction, or a reset,
//! as a different generation and reloads from the start. A record torn by a crash
//! mid-append is the last one in the file: it is ignored on reading and cut off
//! before the next append. A `sandbox.json` of an older biopass is read once and
//! turned into a log.
//!
//! Memory mode (`sandbox serve`, [`Persistence::Memory`]): the state lives behind a
//! mutex and, if a data file is given, is saved whole in the background, because
//! serve must keep up with thousands of requests per second.
//!
//! Either way the files hold digests and CustomIDs only, never image data.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use super::Persistence;
use super::request::{Biometrics, FINGER_SLOTS, PersonRequest};

/// Version of the memory-mode data file (and of an old `sandbox.json`), checked on load.
const FORMAT: u32 = 1;

/// Version of the sync-mode log layout, checked on load.
const LOG_FORMAT: u32 = 1;

/// The log of a sandbox folder (sync mode).
pub const LOG_FILE: &str = "sandbox.log";
/// The whole-state file older biopass versions kept instead of the log: read once
/// and replaced by a log.
pub const LEGACY_FILE: &str = "sandbox.json";
/// The lock file beside them.
pub const LOCK_FILE: &str = "sandbox.lock";

/// Records a log may hold beyond twice the live state before it is compacted, so
/// that a small sandbox is not compacted every few requests.
pub const COMPACT_SLACK: u64 = 1024;

/// Whether a file of a sandbox folder is sandbox state: the log, an old state file,
/// the lock, or a temporary file [`write_atomic`] left behind in a crash. Nothing
/// else in the folder is ever touched (it may be a folder the user chose for other
/// things too).
fn is_state_file(name: &str) -> bool {
    let temp = |base: &str| name.starts_with(&format!(".{base}.")) && name.ends_with(".tmp");
    name == LOG_FILE
        || name == LEGACY_FILE
        || name == LOCK_FILE
        || temp(LOG_FILE)
        || temp(LEGACY_FILE)
}

/// The sandbox state files present in `dir` (none if it does not exist), sorted.
pub fn state_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => {
            return Err(e).with_context(|| format!("reading sandbox directory {}", dir.display()));
        }
    };
    let mut files = vec![];
    for entry in entries {
        let entry =
            entry.with_context(|| format!("reading sandbox directory {}", dir.display()))?;
        if entry.file_name().to_str().is_some_and(is_state_file) {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// The people in `dir`'s state (0 if there is none), read under the shared lock.
pub fn persons_in(dir: &Path) -> Result<usize> {
    if !dir.join(LOG_FILE).exists() && !dir.join(LEGACY_FILE).exists() {
        return Ok(0);
    }
    let _lock = FileLock::take(&dir.join(LOCK_FILE), false)?;
    let mut log = Replica::default();
    log.refresh(dir, false)?;
    Ok(log.state.persons.len())
}

/// Delete `dir`'s state files, under the exclusive lock so that no request of another
/// process is half-way through. Returns the files removed and the people they held
/// (`None` if the state could not be read: it is removed all the same).
pub fn remove_state(dir: &Path) -> Result<(Vec<PathBuf>, Option<usize>)> {
    let files = state_files(dir)?;
    if files.is_empty() {
        return Ok((files, Some(0)));
    }
    let lock = dir.join(LOCK_FILE);
    let persons = {
        let _lock = FileLock::take(&lock, true)?;
        let mut log = Replica::default();
        let persons = log
            .refresh(dir, false)
            .ok()
            .map(|_| log.state.persons.len());
        for f in files.iter().filter(|f| **f != lock) {
            match fs::remove_file(f) {
                Err(e) if e.kind() != ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", f.display()));
                }
                _ => {}
            }
        }
        persons
    };
    // The lock goes last, once released: a process that opens it now finds no state.
    match fs::remove_file(&lock) {
        Err(e) if e.kind() != ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("removing {}", lock.display()));
        }
        _ => {}
    }
    // (A lock this call created is not reported: it was never state.)
    Ok((files, persons))
}

/// Everything the sandbox remembers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    format: u32,
    /// The last BioPassID handed out. It only grows, and deleting a person does not
    /// give it back, so a BioPassID names one enrolment forever (as the real API's do).
    last_biopass_id: u64,
    persons: BTreeMap<String, Record>,
    /// Successful enrolls per CustomID, kept across deletes: tests use it to prove a
    /// retried enroll did not land twice.
    enrolls: BTreeMap<String, u64>,
}

// Not `#[serde(flatten)]` for `bio`: flattening loses the integer finger-slot keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    biopass_id: u64,
    bio: Biometrics,
}

impl Default for State {
    fn default() -> State {
        State {
            format: FORMAT,
            last_biopass_id: 0,
            persons: BTreeMap::new(),
            enrolls: BTreeMap::new(),
        }
    }
}

/// A checked request, ready to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Enroll(PersonRequest),
    Update(PersonRequest),
    Verify(PersonRequest),
    Delete(String),
}

impl Op {
    /// The API operation this is a request of.
    pub fn operation(&self) -> crate::request::Op {
        use crate::request::Op as Api;
        match self {
            Op::Enroll(_) => Api::Enroll,
            Op::Update(_) => Api::Update,
            Op::Verify(_) => Api::Verify,
            Op::Delete(_) => Api::Delete,
        }
    }

    pub fn custom_id(&self) -> &str {
        match self {
            Op::Enroll(r) | Op::Update(r) | Op::Verify(r) => &r.custom_id,
            Op::Delete(id) => id,
        }
    }
}

/// What an operation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Enrolled { biopass_id: u64 },
    Updated { biopass_id: u64 },
    Deleted,
    Verified(Verdict),
    AlreadyExists,
    NotFound,
}

/// The answer to a verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub matched: bool,
    pub face_matched: bool,
    /// Slots that were not sent or did not match, in slot order.
    pub non_matched_fingers: Vec<u8>,
}

/// Compare what was sent with what is enrolled. Not a biometric matcher: an image
/// matches only when it is byte-identical to an enrolled one (same digest), which is
/// all a client test needs and keeps the sandbox free of any notion of likeness.
pub fn verify(enrolled: &Biometrics, sent: &Biometrics) -> Verdict {
    // The API reports a face mismatch when no face was sent.
    let face_matched =
        !sent.faces.is_empty() && sent.faces.iter().all(|d| enrolled.faces.contains(d));
    let finger_matches = |slot: &u8, digest: &String| enrolled.fingers.get(slot) == Some(digest);
    // Unsent slots count as not matched in the list, but not against the verdict.
    let non_matched_fingers = FINGER_SLOTS
        .filter(|slot| {
            !sent
                .fingers
                .get(slot)
                .is_some_and(|d| finger_matches(slot, d))
        })
        .collect();
    let matched = (sent.faces.is_empty() || face_matched)
        && sent.fingers.iter().all(|(s, d)| finger_matches(s, d));
    Verdict {
        matched,
        face_matched,
        non_matched_fingers,
    }
}

/// One change to the state, as the sync-mode log records it (one JSON line each).
/// Replaying a log's records in order on the state its header describes rebuilds the
/// state exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Entry {
    /// A successful enroll, with the BioPassID it was given.
    Enroll {
        id: String,
        biopass_id: u64,
        bio: Biometrics,
    },
    /// A successful update.
    Update { id: String, bio: Biometrics },
    /// A successful delete.
    Delete { id: String },
    /// In a compacted log: a person enrolled now, and how often that CustomID has been.
    Person {
        id: String,
        biopass_id: u64,
        enrolls: u64,
        bio: Biometrics,
    },
    /// In a compacted log: how often a CustomID not enrolled now has been.
    Enrolls { id: String, enrolls: u64 },
}

impl State {
    /// Apply one operation. Returns what happened and whether the state changed.
    pub fn apply(&mut self, op: Op) -> (Outcome, bool) {
        let (outcome, change) = self.decide(op);
        let changed = change.is_some();
        if let Some(entry) = change {
            self.replay(entry);
        }
        (outcome, changed)
    }

    /// What `op` does, without doing it: the answer, and the change to record and
    /// replay if there is one.
    fn decide(&self, op: Op) -> (Outcome, Option<Entry>) {
        match op {
            Op::Enroll(req) => {
                if self.persons.contains_key(&req.custom_id) {
                    return (Outcome::AlreadyExists, None);
                }
                let biopass_id = self.last_biopass_id + 1;
                (
                    Outcome::Enrolled { biopass_id },
                    Some(Entry::Enroll {
                        id: req.custom_id,
                        biopass_id,
                        bio: req.bio,
                    }),
                )
            }
            Op::Update(req) => match self.persons.get(&req.custom_id) {
                Some(rec) => (
                    Outcome::Updated {
                        biopass_id: rec.biopass_id,
                    },
                    Some(Entry::Update {
                        id: req.custom_id,
                        bio: req.bio,
                    }),
                ),
                None => (Outcome::NotFound, None),
            },
            Op::Verify(req) => match self.persons.get(&req.custom_id) {
                Some(rec) => (Outcome::Verified(verify(&rec.bio, &req.bio)), None),
                None => (Outcome::NotFound, None),
            },
            Op::Delete(id) => match self.persons.contains_key(&id) {
                true => (Outcome::Deleted, Some(Entry::Delete { id })),
                false => (Outcome::NotFound, None),
            },
        }
    }

    /// Make a recorded change. Tolerant of records that do not fit (an update of
    /// someone absent changes nothing): a log is replayed as written.
    fn replay(&mut self, entry: Entry) {
        match entry {
            Entry::Enroll {
                id,
                biopass_id,
                bio,
            } => {
                self.last_biopass_id = self.last_biopass_id.max(biopass_id);
                *self.enrolls.entry(id.clone()).or_default() += 1;
                self.persons.insert(id, Record { biopass_id, bio });
            }
            Entry::Update { id, bio } => {
                if let Some(rec) = self.persons.get_mut(&id) {
                    rec.bio = bio;
                }
            }
            Entry::Delete { id } => {
                self.persons.remove(&id);
            }
            Entry::Person {
                id,
                biopass_id,
                enrolls,
                bio,
            } => {
                self.last_biopass_id = self.last_biopass_id.max(biopass_id);
                self.enrolls.insert(id.clone(), enrolls);
                self.persons.insert(id, Record { biopass_id, bio });
            }
            Entry::Enrolls { id, enrolls } => {
                self.enrolls.insert(id, enrolls);
            }
        }
    }

    /// How many records a compacted log of this state holds: one per CustomID ever
    /// enrolled (every person enrolled now was enrolled, so is counted there).
    fn compacted_records(&self) -> u64 {
        self.enrolls.len().max(self.persons.len()) as u64
    }

    /// The records of a compacted log of this state, one at a time.
    fn snapshot(&self) -> impl Iterator<Item = Entry> + '_ {
        let counted = self
            .enrolls
            .iter()
            .map(|(id, &enrolls)| match self.persons.get(id) {
                Some(rec) => Entry::Person {
                    id: id.clone(),
                    biopass_id: rec.biopass_id,
                    enrolls,
                    bio: rec.bio.clone(),
                },
                None => Entry::Enrolls {
                    id: id.clone(),
                    enrolls,
                },
            });
        // (A person without an enroll count only comes from a hand-edited old file.)
        let uncounted = self
            .persons
            .iter()
            .filter(|(id, _)| !self.enrolls.contains_key(*id))
            .map(|(id, rec)| Entry::Person {
                id: id.clone(),
                biopass_id: rec.biopass_id,
                enrolls: 0,
                bio: rec.bio.clone(),
            });
        counted.chain(uncounted)
    }

    pub fn stats(&self) -> Stats {
        Stats {
            persons: self.persons.len(),
            enrolls: self.enrolls.clone(),
        }
    }
}

/// The store's part of `/_sandbox/stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub persons: usize,
    pub enrolls: BTreeMap<String, u64>,
}

/// State plus where it lives.
pub enum Store {
    Sync(Shared),
    Memory(Memory),
}

/// Sync mode: a folder's log, shared with other processes, and this process's copy
/// of the state it describes.
pub struct Shared {
    dir: PathBuf,
    lock: PathBuf,
    replica: Mutex<Replica>,
}

pub struct Memory {
    live: Mutex<Live>,
    data: Option<PathBuf>,
    /// The generation last written to `data`. Held for the whole save, so two saves
    /// never race and an older snapshot never lands after a newer one.
    saved: Mutex<u64>,
}

struct Live {
    state: State,
    /// Bumped on every change; the saver compares it with what it last wrote.
    generation: u64,
}

impl Store {
    /// Open the store, creating the directory and checking existing state, so a bad
    /// path or a corrupt file is reported before the server starts.
    pub fn open(persistence: &Persistence) -> Result<Store> {
        match persistence {
            Persistence::Sync { dir } => {
                create_private_dir(dir)?;
                let store = Store::Sync(Shared {
                    dir: dir.clone(),
                    lock: dir.join(LOCK_FILE),
                    replica: Mutex::new(Replica::default()),
                });
                store.stats()?;
                Ok(store)
            }
            Persistence::Memory { data } => {
                let state = match data {
                    Some(path) => {
                        if let Some(parent) = parent_dir(path) {
                            create_private_dir(parent)?;
                        }
                        load(path)?
                    }
                    None => State::default(),
                };
                Ok(Store::Memory(Memory {
                    live: Mutex::new(Live {
                        state,
                        generation: 0,
                    }),
                    data: data.clone(),
                    saved: Mutex::new(0),
                }))
            }
        }
    }

    /// Whether operations touch the disk (and so belong on a blocking thread).
    pub fn blocks(&self) -> bool {
        matches!(self, Store::Sync(_))
    }

    /// Apply one operation. In sync mode it is on disk when this returns.
    pub fn apply(&self, op: Op) -> Result<Outcome> {
        match self {
            Store::Sync(shared) => {
                let writes = op.operation().spec().changes_state;
                let _lock = FileLock::take(&shared.lock, writes)?;
                shared.replica().apply(&shared.dir, op, writes)
            }
            Store::Memory(mem) => {
                let mut live = mem.live();
                let (outcome, changed) = live.state.apply(op);
                if changed {
                    live.generation += 1;
                }
                Ok(outcome)
            }
        }
    }

    pub fn stats(&self) -> Result<Stats> {
        match self {
            Store::Sync(shared) => {
                let _lock = FileLock::take(&shared.lock, false)?;
                let mut replica = shared.replica();
                replica.refresh(&shared.dir, false)?;
                Ok(replica.state.stats())
            }
            Store::Memory(mem) => Ok(mem.live().state.stats()),
        }
    }

    /// Save memory-mode state if it changed since the last save. Sync mode is always
    /// flushed already.
    pub fn flush(&self) -> Result<()> {
        let Store::Memory(mem) = self else {
            return Ok(());
        };
        let Some(path) = &mem.data else { return Ok(()) };
        let mut saved = mem.saved.lock().unwrap_or_else(|p| p.into_inner());
        // Serialise under the state lock (cheap: digests only), write outside it, so
        // requests are not held up by the disk.
        let (bytes, generation) = {
            let live = mem.live();
            if live.generation == *saved {
                return Ok(());
            }
            (encode(&live.state)?, live.generation)
        };
        write_atomic(path, |w| w.write_all(&bytes))?;
        *saved = generation;
        Ok(())
    }
}

impl Shared {
    fn replica(&self) -> MutexGuard<'_, Replica> {
        // Every failure of a replica leaves it marked stale (see `Replica::apply`), so
        // a poisoned one is still usable.
        self.replica.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The first line of a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    /// [`LOG_FORMAT`].
    biopass_sandbox_log: u32,
    /// Random, new for every file written whole (creation, compaction): a process
    /// that finds another generation than the one it read reloads from the start.
    generation: u64,
    /// The state's BioPassID counter when the file was written (deletes may have
    /// removed the person who had it, and it must not be handed out again).
    last_biopass_id: u64,
}

/// One process's copy of the state a folder's log describes, and how much of the log
/// it has read. Only ever used under the folder's lock.
#[derive(Default)]
struct Replica {
    state: State,
    /// The generation of the log read, `None` before reading one (or after a
    /// failure, so that the next request reloads from the start).
    generation: Option<u64>,
    /// Where the last whole record read ends.
    offset: u64,
    /// Records in the log up to `offset` (the header not counted).
    records: u64,
}

impl Replica {
    /// Apply `op` to the state the log holds now, appending its change if it makes
    /// one. `writes`: the exclusive lock is held.
    fn apply(&mut self, dir: &Path, op: Op, writes: bool) -> Result<Outcome> {
        let result = self.apply_inner(dir, op, writes);
        if result.is_err() {
            // Whatever happened half-way, start over next time.
            self.generation = None;
        }
        result
    }

    fn apply_inner(&mut self, dir: &Path, op: Op, writes: bool) -> Result<Outcome> {
        let file = self.refresh(dir, writes)?;
        let (outcome, change) = self.state.decide(op);
        let (Some(entry), Some(mut file)) = (change, file) else {
            return Ok(outcome);
        };
        let path = dir.join(LOG_FILE);
        let mut line = serde_json::to_vec(&entry).context("encoding a sandbox record")?;
        line.push(b'\n');
        (|| {
            file.seek(SeekFrom::Start(self.offset))?;
            file.write_all(&line)?;
            file.sync_data()
        })()
        .with_context(|| format!("writing sandbox log {}", path.display()))?;
        self.state.replay(entry);
        self.offset += line.len() as u64;
        self.records += 1;
        if self.records > 2 * self.state.compacted_records() + COMPACT_SLACK {
            // The change is on disk whatever happens here; a compaction that fails
            // leaves the log as it was and is tried again on the next change.
            let _ = self.compact(dir);
        }
        Ok(outcome)
    }

    /// Bring the state up to date with the log: read what was appended since the last
    /// look, or everything if the log is another generation. With `writes` (the
    /// exclusive lock is held) it also creates the log if there is none (converting
    /// an old `sandbox.json`), cuts off a torn last record, and returns the log open
    /// for appending at [`Replica::offset`].
    fn refresh(&mut self, dir: &Path, writes: bool) -> Result<Option<File>> {
        let path = dir.join(LOG_FILE);
        let file = match OpenOptions::new().read(true).write(writes).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                // No log: a new sandbox, one just reset, or an old biopass's file.
                let legacy = dir.join(LEGACY_FILE);
                *self = Replica {
                    state: load(&legacy)?,
                    ..Replica::default()
                };
                if !writes {
                    return Ok(None);
                }
                self.compact(dir)?;
                if legacy.exists() {
                    fs::remove_file(&legacy)
                        .with_context(|| format!("removing {}", legacy.display()))?;
                }
                OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(&path)
                    .with_context(|| format!("opening sandbox log {}", path.display()))?
            }
            Err(e) => {
                return Err(e).with_context(|| format!("opening sandbox log {}", path.display()));
            }
        };
        let invalid = |what: &str| {
            anyhow!(
                "sandbox log {} is not valid: {what} (`biopass sandbox reset` starts an empty sandbox)",
                path.display()
            )
        };
        let mut reader = BufReader::new(file);
        let mut line = Vec::new();
        // The header is short and written whole (by rename), so one small read.
        (&mut reader)
            .take(4096)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading sandbox log {}", path.display()))?;
        let header: Header = line
            .strip_suffix(b"\n")
            .and_then(|l| serde_json::from_slice(l).ok())
            .ok_or_else(|| invalid("no header"))?;
        if header.biopass_sandbox_log != LOG_FORMAT {
            return Err(invalid(&format!(
                "format {}, this biopass understands {LOG_FORMAT}",
                header.biopass_sandbox_log
            )));
        }
        if self.generation != Some(header.generation) {
            *self = Replica {
                state: State {
                    last_biopass_id: header.last_biopass_id,
                    ..State::default()
                },
                generation: Some(header.generation),
                offset: line.len() as u64,
                records: 0,
            };
        }
        reader
            .seek(SeekFrom::Start(self.offset))
            .with_context(|| format!("reading sandbox log {}", path.display()))?;
        // A record that does not parse is tolerated only as the last thing in the file
        // (a crash mid-append): anything after it means the log is damaged.
        let mut torn = false;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .with_context(|| format!("reading sandbox log {}", path.display()))?;
            if n == 0 {
                break;
            }
            if torn {
                return Err(invalid(&format!(
                    "a damaged record at byte {}",
                    self.offset
                )));
            }
            let entry = line
                .strip_suffix(b"\n")
                .and_then(|l| serde_json::from_slice::<Entry>(l).ok());
            match entry {
                Some(entry) => {
                    self.state.replay(entry);
                    self.offset += n as u64;
                    self.records += 1;
                }
                None => torn = true,
            }
        }
        if !writes {
            return Ok(None);
        }
        let file = reader.into_inner();
        if torn {
            file.set_len(self.offset)
                .with_context(|| format!("repairing sandbox log {}", path.display()))?;
        }
        Ok(Some(file))
    }

    /// Write the state as a new log generation (a header and one record per CustomID)
    /// and rename it over the log.
    fn compact(&mut self, dir: &Path) -> Result<()> {
        let mut generation = fastrand::u64(..);
        while Some(generation) == self.generation {
            generation = fastrand::u64(..);
        }
        let header = Header {
            biopass_sandbox_log: LOG_FORMAT,
            generation,
            last_biopass_id: self.state.last_biopass_id,
        };
        let mut len = 0u64;
        let mut records = 0u64;
        write_atomic(&dir.join(LOG_FILE), |w| {
            let mut line = serde_json::to_vec(&header)?;
            line.push(b'\n');
            w.write_all(&line)?;
            len += line.len() as u64;
            for entry in self.state.snapshot() {
                line.clear();
                serde_json::to_writer(&mut line, &entry)?;
                line.push(b'\n');
                w.write_all(&line)?;
                len += line.len() as u64;
                records += 1;
            }
            Ok(())
        })?;
        self.generation = Some(generation);
        self.offset = len;
        self.records = records;
        Ok(())
    }
}

impl Memory {
    fn live(&self) -> MutexGuard<'_, Live> {
        // A panic while holding the lock cannot leave the state half-changed (every
        // operation mutates it in one step), so a poisoned lock is still usable.
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// An advisory lock on `sandbox.lock`, released when dropped (closing the file).
/// A separate lock file, rather than the state file itself, because the state file
/// is replaced by rename on every write.
struct FileLock {
    _file: File,
}

impl FileLock {
    fn take(path: &Path, exclusive: bool) -> Result<FileLock> {
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts
            .open(path)
            .with_context(|| format!("opening sandbox lock file {}", path.display()))?;
        let locked = if exclusive {
            file.lock()
        } else {
            file.lock_shared()
        };
        locked.with_context(|| format!("locking sandbox lock file {}", path.display()))?;
        Ok(FileLock { _file: file })
    }
}

/// Read a state file; a missing one is an empty store.
fn load(path: &Path) -> Result<State> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(State::default()),
        Err(e) => {
            return Err(e).with_context(|| format!("reading sandbox state {}", path.display()));
        }
    };
    let state: State = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "sandbox state {} is not valid (remove it to start from an empty sandbox)",
            path.display()
        )
    })?;
    if state.format != FORMAT {
        bail!(
            "sandbox state {} has format {}, this biopass understands {FORMAT} (remove it to start from an empty sandbox)",
            path.display(),
            state.format
        );
    }
    Ok(state)
}

fn encode(state: &State) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(state).context("encoding sandbox state")?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Replace `path` with what `fill` writes, so that readers see the old file or the
/// new one, never a torn one, and the new one survives a crash: a private temp file
/// in the same directory, fsync, rename over, fsync the directory.
fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<()> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = parent_dir(path).unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut w = BufWriter::new(opts.open(&tmp)?);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written.with_context(|| format!("writing sandbox state {}", path.display()))
}

/// The directory holding `path`, if it names one (`state.json` has parent "").
fn parent_dir(path: &Path) -> Option<&Path> {
    path.parent().filter(|p| !p.as_os_str().is_empty())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Directories cannot be opened for syncing here; the rename is still atomic.
    Ok(())
}

/// Create `dir` (and parents) readable by the owner only: it holds who was enrolled.
fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("creating sandbox directory {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bio(faces: &[&str], fingers: &[(u8, &str)]) -> Biometrics {
        Biometrics {
            faces: faces.iter().map(|s| s.to_string()).collect(),
            fingers: fingers.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    fn req(id: &str, b: Biometrics) -> PersonRequest {
        PersonRequest {
            custom_id: id.into(),
            bio: b,
        }
    }

    fn all_but(slots: &[u8]) -> Vec<u8> {
        FINGER_SLOTS.filter(|s| !slots.contains(s)).collect()
    }

    #[test]
    fn lifecycle_and_ids_never_reused() {
        let mut s = State::default();
        let b = bio(&["f"], &[(2, "x")]);
        assert_eq!(
            s.apply(Op::Enroll(req("a", b.clone()))),
            (Outcome::Enrolled { biopass_id: 1 }, true)
        );
        assert_eq!(
            s.apply(Op::Enroll(req("a", b.clone()))),
            (Outcome::AlreadyExists, false)
        );
        assert_eq!(
            s.apply(Op::Enroll(req("b", b.clone()))),
            (Outcome::Enrolled { biopass_id: 2 }, true)
        );
        assert_eq!(
            s.apply(Op::Update(req("a", bio(&["g"], &[])))),
            (Outcome::Updated { biopass_id: 1 }, true)
        );
        assert_eq!(
            s.apply(Op::Update(req("zz", b.clone()))),
            (Outcome::NotFound, false)
        );
        assert_eq!(s.apply(Op::Delete("a".into())), (Outcome::Deleted, true));
        assert_eq!(s.apply(Op::Delete("a".into())), (Outcome::NotFound, false));
        assert_eq!(
            s.apply(Op::Verify(req("a", b.clone()))),
            (Outcome::NotFound, false)
        );
        // Re-enrolling after a delete gets a fresh BioPassID, and counts twice.
        assert_eq!(
            s.apply(Op::Enroll(req("a", b))),
            (Outcome::Enrolled { biopass_id: 3 }, true)
        );
        let st = s.stats();
        assert_eq!(st.persons, 2);
        assert_eq!(
            st.enrolls,
            BTreeMap::from([("a".to_string(), 2), ("b".to_string(), 1)])
        );
    }

    #[test]
    fn update_replaces_biometrics() {
        let mut s = State::default();
        s.apply(Op::Enroll(req("a", bio(&["old"], &[]))));
        s.apply(Op::Update(req("a", bio(&["new"], &[]))));
        let (out, _) = s.apply(Op::Verify(req("a", bio(&["old"], &[]))));
        assert!(
            matches!(out, Outcome::Verified(Verdict { matched: false, .. })),
            "{out:?}"
        );
        let (out, _) = s.apply(Op::Verify(req("a", bio(&["new"], &[]))));
        assert!(
            matches!(out, Outcome::Verified(Verdict { matched: true, .. })),
            "{out:?}"
        );
    }

    #[test]
    fn verify_rules() {
        let enrolled = bio(&["f1", "f2"], &[(1, "t"), (2, "i")]);
        let v = |faces: &[&str], fingers: &[(u8, &str)]| verify(&enrolled, &bio(faces, fingers));

        let face_only = v(&["f2"], &[]);
        assert_eq!(
            face_only,
            Verdict {
                matched: true,
                face_matched: true,
                non_matched_fingers: all_but(&[])
            }
        );

        let fingers_only = v(&[], &[(1, "t"), (2, "i")]);
        assert_eq!(
            fingers_only,
            Verdict {
                matched: true,
                face_matched: false,
                non_matched_fingers: all_but(&[1, 2])
            }
        );

        // One sent face not enrolled spoils FaceMatched.
        let mixed_faces = v(&["f1", "other"], &[(1, "t")]);
        assert_eq!(
            mixed_faces,
            Verdict {
                matched: false,
                face_matched: false,
                non_matched_fingers: all_but(&[1])
            }
        );

        // A finger only counts in its own slot.
        let wrong_slot = v(&["f1"], &[(3, "t")]);
        assert_eq!(
            wrong_slot,
            Verdict {
                matched: false,
                face_matched: true,
                non_matched_fingers: all_but(&[])
            }
        );

        // A finger sent for a slot that was never enrolled does not match.
        let unenrolled = v(&[], &[(1, "t"), (10, "x")]);
        assert_eq!(
            unenrolled,
            Verdict {
                matched: false,
                face_matched: false,
                non_matched_fingers: all_but(&[1])
            }
        );
    }

    #[test]
    fn sync_store_persists_between_instances_privately() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sb");
        let p = Persistence::Sync { dir: dir.clone() };
        let one = Store::open(&p).unwrap();
        let two = Store::open(&p).unwrap();
        assert_eq!(
            one.apply(Op::Enroll(req("a", bio(&["f"], &[])))).unwrap(),
            Outcome::Enrolled { biopass_id: 1 }
        );
        assert_eq!(
            two.apply(Op::Enroll(req("a", bio(&["f"], &[])))).unwrap(),
            Outcome::AlreadyExists
        );
        assert_eq!(two.apply(Op::Delete("a".into())).unwrap(), Outcome::Deleted);
        assert_eq!(
            one.apply(Op::Enroll(req("b", bio(&["f"], &[])))).unwrap(),
            Outcome::Enrolled { biopass_id: 2 }
        );
        assert_eq!(two.stats().unwrap().persons, 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir), 0o700);
            assert_eq!(mode(&dir.join("sandbox.log")), 0o600);
        }
        // Only the log and the lock: no temp files left behind.
        let mut names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["sandbox.lock", "sandbox.log"]);
    }

    #[test]
    fn concurrent_sync_writers_lose_nothing() {
        // Each thread opens its own lock file description, as separate processes do,
        // so without the lock these read-modify-write cycles would overwrite each other.
        let tmp = tempfile::tempdir().unwrap();
        let p = Persistence::Sync {
            dir: tmp.path().into(),
        };
        let writers: Vec<_> = (0..4)
            .map(|t| {
                let store = Store::open(&p).unwrap();
                std::thread::spawn(move || {
                    (0..25)
                        .map(|i| {
                            match store
                                .apply(Op::Enroll(req(&format!("{t}-{i}"), bio(&["f"], &[]))))
                            {
                                Ok(Outcome::Enrolled { biopass_id }) => biopass_id,
                                other => panic!("{other:?}"),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut ids: Vec<u64> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        ids.sort();
        assert_eq!(ids, (1..=100).collect::<Vec<_>>());
        assert_eq!(Store::open(&p).unwrap().stats().unwrap().persons, 100);
    }

    fn sync(dir: &Path) -> Store {
        Store::open(&Persistence::Sync { dir: dir.into() }).unwrap()
    }

    fn shared(store: &Store) -> &Shared {
        match store {
            Store::Sync(s) => s,
            Store::Memory(_) => unreachable!(),
        }
    }

    /// What a process opening the folder now would see.
    fn fresh(dir: &Path) -> State {
        let mut r = Replica::default();
        r.refresh(dir, false).unwrap();
        r.state
    }

    fn log_lines(dir: &Path) -> usize {
        fs::read_to_string(dir.join(LOG_FILE))
            .unwrap()
            .lines()
            .count()
    }

    #[test]
    fn a_torn_last_record_is_ignored_and_cut_off() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let store = sync(dir);
        for id in ["a", "b"] {
            store.apply(Op::Enroll(req(id, bio(&["f"], &[])))).unwrap();
        }
        let log = dir.join(LOG_FILE);
        let whole = fs::read(&log).unwrap();
        // A crash mid-append: part of a record, no newline.
        let mut torn = whole.clone();
        torn.extend_from_slice(br#"{"enroll":{"id":"c","biop"#);
        fs::write(&log, &torn).unwrap();
        assert_eq!(fresh(dir).persons.len(), 2, "earlier records survive");
        assert_eq!(store.stats().unwrap().persons, 2);
        // A reader under the shared lock leaves the tail alone...
        assert_eq!(fs::read(&log).unwrap(), torn);
        // ... and the next change cuts it off before appending.
        let other = sync(dir);
        assert_eq!(
            other.apply(Op::Enroll(req("c", bio(&["f"], &[])))).unwrap(),
            Outcome::Enrolled { biopass_id: 3 }
        );
        let text = fs::read_to_string(&log).unwrap();
        assert!(text.starts_with(std::str::from_utf8(&whole).unwrap()));
        assert_eq!(text.lines().count(), 4, "{text}");
        assert_eq!(fresh(dir).persons.len(), 3);
        // A whole line that does not parse, last in the file, is torn too (a crash
        // can leave a line's end on disk without its middle).
        let mut zeroed = text.clone().into_bytes();
        zeroed.extend_from_slice(b"{\"enroll\0\0\0\n");
        fs::write(&log, &zeroed).unwrap();
        assert_eq!(fresh(dir).persons.len(), 3);
        // But damage followed by good records is not a torn tail: refuse, name the file.
        let mut damaged = whole.clone();
        damaged.extend_from_slice(b"garbage\n");
        damaged.extend_from_slice(text.lines().last().unwrap().as_bytes());
        damaged.push(b'\n');
        fs::write(&log, &damaged).unwrap();
        let err = Store::open(&Persistence::Sync { dir: dir.into() })
            .err()
            .unwrap();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("sandbox.log") && msg.contains("not valid"),
            "{msg}"
        );
    }

    #[test]
    fn compaction_keeps_the_state_and_others_see_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let one = sync(dir);
        let two = sync(dir);
        for i in 0..10 {
            one.apply(Op::Enroll(req(&format!("p{i}"), bio(&["f"], &[(1, "t")]))))
                .unwrap();
        }
        // Deletes (including the last BioPassID handed out), updates, a re-enroll.
        two.apply(Op::Delete("p9".into())).unwrap();
        two.apply(Op::Delete("p3".into())).unwrap();
        two.apply(Op::Update(req("p4", bio(&["g"], &[(2, "i")]))))
            .unwrap();
        two.apply(Op::Enroll(req("p3", bio(&["h"], &[])))).unwrap();
        two.apply(Op::Delete("p3".into())).unwrap();
        let before = fresh(dir);
        assert_eq!(log_lines(dir), 1 + 15);
        // `two` compacts (as at the threshold); `one` has it cached and must notice.
        {
            let s = shared(&two);
            let _lock = FileLock::take(&s.lock, true).unwrap();
            let mut r = s.replica();
            r.refresh(dir, true).unwrap();
            r.compact(dir).unwrap();
        }
        assert_eq!(log_lines(dir), 1 + 10, "one record per CustomID");
        assert_eq!(fresh(dir), before, "compaction changed the state");
        let names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "temp files left: {names:?}");
        // `one` reloads the new generation: p4's update is there, p9's id is not reused.
        let (out, _) = {
            let s = shared(&one);
            let _lock = FileLock::take(&s.lock, false).unwrap();
            let mut r = s.replica();
            r.refresh(dir, false).unwrap();
            r.state
                .clone()
                .apply(Op::Verify(req("p4", bio(&["g"], &[(2, "i")]))))
        };
        assert!(
            matches!(out, Outcome::Verified(Verdict { matched: true, .. })),
            "{out:?}"
        );
        assert_eq!(
            one.apply(Op::Enroll(req("new", bio(&["f"], &[])))).unwrap(),
            Outcome::Enrolled { biopass_id: 12 }
        );
        let stats = two.stats().unwrap();
        assert_eq!(stats.persons, 9);
        assert_eq!(stats.enrolls["p3"], 2);
        assert_eq!(stats.enrolls["p9"], 1);
    }

    #[test]
    fn the_log_is_compacted_once_it_is_mostly_history() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let store = sync(dir);
        store.apply(Op::Enroll(req("a", bio(&["0"], &[])))).unwrap();
        let limit = 2 + COMPACT_SLACK;
        for i in 0..limit {
            store
                .apply(Op::Update(req("a", bio(&[&i.to_string()], &[]))))
                .unwrap();
            // Never more than the threshold's worth of records (plus the header).
            assert!(log_lines(dir) as u64 <= 1 + limit + 1);
        }
        assert!((log_lines(dir) as u64) < limit, "never compacted");
        let last = (limit - 1).to_string();
        let (out, _) = fresh(dir).apply(Op::Verify(req("a", bio(&[&last], &[]))));
        assert!(
            matches!(out, Outcome::Verified(Verdict { matched: true, .. })),
            "{out:?}"
        );
    }

    #[test]
    fn an_old_state_file_becomes_a_log() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let mut old = State::default();
        old.apply(Op::Enroll(req("a", bio(&["f"], &[]))));
        old.apply(Op::Enroll(req("b", bio(&["f"], &[]))));
        old.apply(Op::Delete("b".into()));
        fs::write(dir.join(LEGACY_FILE), encode(&old).unwrap()).unwrap();
        assert_eq!(persons_in(dir).unwrap(), 1);
        let store = sync(dir);
        assert_eq!(
            store.apply(Op::Enroll(req("c", bio(&["f"], &[])))).unwrap(),
            Outcome::Enrolled { biopass_id: 3 }
        );
        assert!(!dir.join(LEGACY_FILE).exists());
        assert_eq!(fresh(dir).stats().enrolls.len(), 3);
    }

    #[test]
    fn corrupt_state_names_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("sandbox.json"), "{not json").unwrap();
        let err = Store::open(&Persistence::Sync {
            dir: tmp.path().into(),
        })
        .err()
        .unwrap();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("sandbox.json") && msg.contains("not valid"),
            "{msg}"
        );
    }

    #[test]
    fn memory_store_saves_only_when_dirty() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("data").join("state.json");
        let p = Persistence::Memory {
            data: Some(path.clone()),
        };
        let store = Store::open(&p).unwrap();
        store.flush().unwrap();
        assert!(!path.exists(), "a clean store wrote a file");
        store
            .apply(Op::Enroll(req("a", bio(&["f"], &[(4, "r")]))))
            .unwrap();
        store.flush().unwrap();
        let again = Store::open(&p).unwrap();
        assert_eq!(
            again.stats().unwrap().enrolls,
            BTreeMap::from([("a".to_string(), 1)])
        );
        assert_eq!(
            again.apply(Op::Enroll(req("b", bio(&["f"], &[])))).unwrap(),
            Outcome::Enrolled { biopass_id: 2 }
        );
        // Without a data file nothing is written anywhere.
        let volatile = Store::open(&Persistence::Memory { data: None }).unwrap();
        volatile
            .apply(Op::Enroll(req("a", bio(&["f"], &[]))))
            .unwrap();
        volatile.flush().unwrap();
    }
}
