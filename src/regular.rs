//! Opening input files that must be regular files (images, manifests).
//!
//! A FIFO opened for reading blocks in `open` until a writer appears, possibly for
//! ever, and a device such as `/dev/zero` never ends. Inputs are opened without
//! blocking and refused unless they are regular files; data from a pipe is what `-`
//! (standard input) is for.

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

/// Open `path` for reading if it is a regular file. A directory, FIFO, socket or
/// device is an error of kind [`io::ErrorKind::InvalidInput`] saying which.
pub fn open(path: &Path) -> io::Result<(File, Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Only `open` could block (a FIFO without a writer); reads of a regular file
        // ignore the flag.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() {
        return Ok((file, meta));
    }
    let what = if meta.is_dir() {
        "it is a directory"
    } else {
        "it is not a regular file (a FIFO, socket or device): read data from a pipe through - (standard input)"
    };
    Err(io::Error::new(io::ErrorKind::InvalidInput, what))
}

/// An I/O error in a few words, the same on every platform for the common cases.
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_open() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"x").unwrap();
        assert!(open(&f).is_ok());
        let e = open(dir.path()).unwrap_err();
        assert_eq!(e.to_string(), "it is a directory");
        #[cfg(unix)]
        {
            // A FIFO without a writer: refused at once instead of blocking in open.
            let fifo = dir.path().join("p");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            let e = open(&fifo).unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
            assert!(open(Path::new("/dev/zero")).is_err());
        }
    }
}
