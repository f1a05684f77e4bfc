//! Writing a journal: opening and locking it ([`open`], [`Opened`]), and the one
//! writer thread that appends every record with group commit ([`Writer`]).

use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::Serialize;

use super::reader::{Loaded, load};
use super::{io_fail, open_error, regular_file};
use crate::error::{Failure, Kind};

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

/// fsync the folder holding `path`, so that a newly created entry is durable.
fn sync_parent(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
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
        let (mine, wake) = {
            let mut q = self.shared.lock();
            let mine = q.appended;
            if q.written >= mine {
                return Ok(());
            }
            if q.closing {
                return Err(self.stopped());
            }
            q.want_written = q.want_written.max(mine);
            // Wake the writer if it sleeps or lingers for a group (see `write_loop`).
            let lingers = q.wake_at != u64::MAX;
            (mine, std::mem::take(&mut q.idle) || lingers)
        };
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
                // Rows wait to print until their end records are written, and the
                // group this sync waits for is made of the same rows' next starts:
                // write what is here now, without the sync, and linger on.
                if q.want_written > q.written {
                    q = write_now(&mut file, shared, q, &mut batch);
                    continue;
                }
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

/// Write everything handed over so far without syncing it, and tell the rows that
/// wait for it ([`Writer::written`]); the queue is locked again on return.
fn write_now<'a>(
    file: &mut File,
    shared: &'a Shared,
    mut q: std::sync::MutexGuard<'a, Queue>,
    batch: &mut Vec<u8>,
) -> std::sync::MutexGuard<'a, Queue> {
    std::mem::swap(batch, &mut q.buf);
    let records = q.appended;
    q.want_written = 0;
    let healthy = q.failed.is_none();
    drop(q);
    let result = if healthy {
        file.write_all(batch)
    } else {
        Ok(())
    };
    batch.clear();
    let mut q = shared.lock();
    match result {
        Ok(()) if healthy => q.written = records,
        Ok(()) => {}
        Err(e) => {
            q.failed.get_or_insert(e.to_string());
        }
    }
    shared.written.send_replace((q.written, q.failed.is_some()));
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::journal::records::State;
    use crate::batch::journal::samples::{end, start};

    #[test]
    fn second_open_is_refused_while_locked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        let (_held, _) = open(&p).unwrap();
        let e = open(&p).err().unwrap();
        assert_eq!(crate::error::kind_of(&e), crate::error::Kind::TryLater);
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
