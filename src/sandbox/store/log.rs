//! Sync mode's append-only log, `sandbox.log`: reading what other processes
//! appended, appending one record per change, cutting off a torn last record, and
//! compaction into a new generation (see the [`super`] module's opening for the
//! whole scheme).

use std::fs::{self, File, OpenOptions};
use std::io::ErrorKind;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};

use super::files::{LEGACY_FILE, LOG_FILE, load, write_atomic};
use super::state::{Entry, Op, Outcome, State};

/// Version of the sync-mode log layout, checked on load.
const LOG_FORMAT: u32 = 1;

/// Records a log may hold beyond twice the live state before it is compacted, so
/// that a small sandbox is not compacted every few requests.
pub const COMPACT_SLACK: u64 = 1024;

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
pub(super) struct Replica {
    pub(super) state: State,
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
    pub(super) fn apply(&mut self, dir: &Path, op: Op, writes: bool) -> Result<Outcome> {
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
    pub(super) fn refresh(&mut self, dir: &Path, writes: bool) -> Result<Option<File>> {
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
    pub(super) fn compact(&mut self, dir: &Path) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::Persistence;
    use crate::sandbox::store::files::{FileLock, encode};
    use crate::sandbox::store::fixtures::{bio, req};
    use crate::sandbox::store::state::Verdict;
    use crate::sandbox::store::{Shared, Store, persons_in};

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
}
