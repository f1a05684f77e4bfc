//! A sandbox folder's files: their names, which of them are state, the lock, and
//! how a whole file is read, written atomically and kept private.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};

use super::state::{FORMAT, State};

/// The log of a sandbox folder (sync mode).
pub const LOG_FILE: &str = "sandbox.log";
/// The whole-state file older biopass versions kept instead of the log: read once
/// and replaced by a log.
pub const LEGACY_FILE: &str = "sandbox.json";
/// The lock file beside them.
pub const LOCK_FILE: &str = "sandbox.lock";

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

/// An advisory lock on `sandbox.lock`, released when dropped (closing the file).
/// A separate lock file, rather than the state file itself, because the state file
/// is replaced by rename on every write.
pub(super) struct FileLock {
    _file: File,
}

impl FileLock {
    pub(super) fn take(path: &Path, exclusive: bool) -> Result<FileLock> {
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
pub(super) fn load(path: &Path) -> Result<State> {
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

pub(super) fn encode(state: &State) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(state).context("encoding sandbox state")?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Replace `path` with what `fill` writes, so that readers see the old file or the
/// new one, never a torn one, and the new one survives a crash: a private temp file
/// in the same directory, fsync, rename over, fsync the directory.
pub(super) fn write_atomic(
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
pub(super) fn parent_dir(path: &Path) -> Option<&Path> {
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
pub(super) fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("creating sandbox directory {}", dir.display()))
}
