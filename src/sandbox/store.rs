//! The sandbox's people: what each operation does to them, and how they are kept.
//!
//! [`State`] is plain data with pure operations, so the API's semantics (duplicate
//! CustomIDs, BioPassIDs never reused, byte-identical "matching") are unit-tested
//! without a server. [`Store`] adds persistence. In sync mode every request reloads and
//! rewrites the state file under an exclusive lock before it is answered, because the
//! embedded sandbox lives only as long as one biopass process and several may run at
//! once. In memory mode the state lives behind a mutex and is saved in the background,
//! because `sandbox serve` must keep up with thousands of requests per second. Either
//! way the file holds digests and CustomIDs only, never image data.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::Persistence;
use super::request::{Biometrics, FINGER_SLOTS, PersonRequest};

/// Version of the state file layout, checked on load.
const FORMAT: u32 = 1;

/// The state file of a sandbox folder (sync mode).
pub const STATE_FILE: &str = "sandbox.json";
/// The lock file beside it.
pub const LOCK_FILE: &str = "sandbox.lock";

/// Whether a file of a sandbox folder is sandbox state: the state file, its lock, or
/// a temporary file [`write_atomic`] left behind in a crash. Nothing else in the
/// folder is ever touched (it may be a folder the user chose for other things too).
fn is_state_file(name: &str) -> bool {
    name == STATE_FILE
        || name == LOCK_FILE
        || (name.starts_with(&format!(".{STATE_FILE}.")) && name.ends_with(".tmp"))
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
    let state = dir.join(STATE_FILE);
    if !state.exists() {
        return Ok(0);
    }
    let _lock = FileLock::take(&dir.join(LOCK_FILE), false)?;
    Ok(load(&state)?.persons.len())
}

/// Delete `dir`'s state files, under the exclusive lock so that no request of another
/// process is half-way through. Returns the files removed and the people they held
/// (`None` if the state file could not be read: it is removed all the same).
pub fn remove_state(dir: &Path) -> Result<(Vec<PathBuf>, Option<usize>)> {
    let files = state_files(dir)?;
    if files.is_empty() {
        return Ok((files, Some(0)));
    }
    let lock = dir.join(LOCK_FILE);
    let persons = {
        let _lock = FileLock::take(&lock, true)?;
        let persons = load(&dir.join(STATE_FILE)).ok().map(|s| s.persons.len());
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

impl State {
    /// Apply one operation. Returns what happened and whether the state changed (so
    /// sync mode rewrites the file only when it must).
    pub fn apply(&mut self, op: Op) -> (Outcome, bool) {
        match op {
            Op::Enroll(req) => {
                if self.persons.contains_key(&req.custom_id) {
                    return (Outcome::AlreadyExists, false);
                }
                self.last_biopass_id += 1;
                let biopass_id = self.last_biopass_id;
                *self.enrolls.entry(req.custom_id.clone()).or_default() += 1;
                self.persons.insert(
                    req.custom_id,
                    Record {
                        biopass_id,
                        bio: req.bio,
                    },
                );
                (Outcome::Enrolled { biopass_id }, true)
            }
            Op::Update(req) => match self.persons.get_mut(&req.custom_id) {
                Some(rec) => {
                    rec.bio = req.bio;
                    (
                        Outcome::Updated {
                            biopass_id: rec.biopass_id,
                        },
                        true,
                    )
                }
                None => (Outcome::NotFound, false),
            },
            Op::Verify(req) => match self.persons.get(&req.custom_id) {
                Some(rec) => (Outcome::Verified(verify(&rec.bio, &req.bio)), false),
                None => (Outcome::NotFound, false),
            },
            Op::Delete(id) => match self.persons.remove(&id) {
                Some(_) => (Outcome::Deleted, true),
                None => (Outcome::NotFound, false),
            },
        }
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
    Sync { state: PathBuf, lock: PathBuf },
    Memory(Memory),
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
    /// Open the store, creating the directory and checking an existing state file, so
    /// a bad path or a corrupt file is reported before the server starts.
    pub fn open(persistence: &Persistence) -> Result<Store> {
        match persistence {
            Persistence::Sync { dir } => {
                create_private_dir(dir)?;
                let store = Store::Sync {
                    state: dir.join(STATE_FILE),
                    lock: dir.join(LOCK_FILE),
                };
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
        matches!(self, Store::Sync { .. })
    }

    /// Apply one operation. In sync mode it is on disk when this returns.
    pub fn apply(&self, op: Op) -> Result<Outcome> {
        match self {
            Store::Sync { state, lock } => {
                let writes = !matches!(op, Op::Verify(_));
                let _lock = FileLock::take(lock, writes)?;
                let mut current = load(state)?;
                let (outcome, changed) = current.apply(op);
                if changed {
                    write_atomic(state, &encode(&current)?)?;
                }
                Ok(outcome)
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
            Store::Sync { state, lock } => {
                let _lock = FileLock::take(lock, false)?;
                Ok(load(state)?.stats())
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
        write_atomic(path, &bytes)?;
        *saved = generation;
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

/// Replace `path` with `bytes` so that readers see the old file or the new one, never
/// a torn one, and the new one survives a crash: a private temp file in the same
/// directory, fsync, rename over, fsync the directory.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
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
        let mut file = opts.open(&tmp)?;
        file.write_all(bytes)?;
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
            assert_eq!(mode(&dir.join("sandbox.json")), 0o600);
        }
        // Only the state and the lock: no temp files left behind.
        let mut names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["sandbox.json", "sandbox.lock"]);
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
