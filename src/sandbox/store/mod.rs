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
//! records as a fresh copy of the live state would (plus [`log::COMPACT_SLACK`]), it is
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
//!
//! The parts: [`state`] (the data and what operations do to it), [`log`] (sync
//! mode's log) and [`files`] (the folder's files, the lock, atomic writes).

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context, Result};

use super::Persistence;

mod files;
mod log;
mod state;

pub use files::state_files;
pub use state::{Op, Outcome, Stats};

use files::{
    FileLock, LEGACY_FILE, LOCK_FILE, LOG_FILE, create_private_dir, encode, load, parent_dir,
    write_atomic,
};
use log::Replica;
use state::State;

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

impl Memory {
    fn live(&self) -> MutexGuard<'_, Live> {
        // A panic while holding the lock cannot leave the state half-changed (every
        // operation mutates it in one step), so a poisoned lock is still usable.
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the tests of every part of the store build requests from.
#[cfg(test)]
mod fixtures {
    use crate::sandbox::request::{Biometrics, PersonRequest};

    pub fn bio(faces: &[&str], fingers: &[(u8, &str)]) -> Biometrics {
        Biometrics {
            faces: faces.iter().map(|s| s.to_string()).collect(),
            fingers: fingers.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    pub fn req(id: &str, b: Biometrics) -> PersonRequest {
        PersonRequest {
            custom_id: id.into(),
            bio: b,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::fixtures::{bio, req};
    use super::*;

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
