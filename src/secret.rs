//! The API key, in a type that cannot leak by accident.
//!
//! `Debug` prints `[REDACTED]`; there is no `Display` and no `Serialize`. The only
//! way to the characters is [`ApiKey::expose`], called in exactly one place: where
//! `client.rs` builds the (sensitive) header value. [`ApiKey::save`] writes it to a
//! private file (`config set-key`) without handing the characters out.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

/// The most bytes read from any key source: a key is tens of characters, and the
/// bound keeps `--api-key-file /dev/zero` (or a wrong file) from filling memory.
pub const MAX_KEY_BYTES: u64 = 4 * 1024;

/// The shortest key accepted. Echoes of the key in server text are replaced by
/// `[REDACTED]`; a key of a letter or two would garble every message it occurs in
/// ("subscription \[REDACTED\]ey") and so show which letters it is made of. Real keys
/// are 32 characters; a shorter one is refused when it is read.
pub const MIN_KEY_CHARS: usize = 8;

/// The API key: printable ASCII without spaces, at least [`MIN_KEY_CHARS`] long; `Debug` shows
/// `[REDACTED]`.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Accept a key read from a file or the environment: surrounding whitespace is
    /// trimmed; it must be non-empty printable ASCII without spaces (it travels in an
    /// HTTP header; a space inside is almost certainly a paste error).
    /// The error completes a sentence that names the source ("the API key from X
    /// is empty") and never holds any of the key's characters.
    pub fn new(raw: &str) -> Result<ApiKey, &'static str> {
        let key = raw.trim();
        if key.is_empty() {
            return Err("is empty");
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("contains spaces, control or non-ASCII characters");
        }
        if key.len() < MIN_KEY_CHARS {
            return Err("is shorter than 8 characters: too short to be an API key");
        }
        Ok(ApiKey(key.to_string()))
    }

    /// Read a key from any source, at most [`MAX_KEY_BYTES`]. `what` names the
    /// source ("env BIOPASS_API_KEY") in the error, which is the same sentence for
    /// every source and never holds any of the bytes read.
    pub fn read(r: impl Read, what: &str) -> Result<ApiKey, String> {
        let mut buf = Vec::new();
        r.take(MAX_KEY_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read the API key from {what}: {e}"))?;
        ApiKey::from_bytes(buf, what)
    }

    /// Check raw key bytes (see [`ApiKey::read`]): at most [`MAX_KEY_BYTES`], UTF-8,
    /// then [`ApiKey::new`].
    pub fn from_bytes(bytes: Vec<u8>, what: &str) -> Result<ApiKey, String> {
        if bytes.len() as u64 > MAX_KEY_BYTES {
            return Err(format!(
                "the API key from {what} is larger than 4 KiB: is this a key file?"
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("the API key from {what} is not valid UTF-8 text"))?;
        ApiKey::new(&text).map_err(|e| format!("the API key from {what} {e}"))
    }

    /// The key's characters. Called where the header value is built, where the
    /// client scrubs echoes of it, and where a key file is written.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Write the key, and a newline, to `path` as [`write_private`] does.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        write_private(path, format!("{}\n", self.0).as_bytes())
    }

    /// The first characters only (at most 4, fewer for short keys), for `config show`.
    pub fn masked(&self) -> String {
        let shown = (self.0.len() / 4).min(4);
        format!("{}… ({} characters)", &self.0[..shown], self.0.len())
    }
}

/// Replace `path` with `data` atomically, readable by its owner only: a temporary
/// file in the same folder, created with mode 0600 (never wider, not even briefly),
/// written and synced, then renamed over `path`, and the folder synced. A reader sees
/// the old file or the new one, never a part of either.
pub fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().map_or_else(
        || std::ffi::OsString::from("file"),
        std::ffi::OsStr::to_os_string,
    );
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(&name);
    tmp_name.push(format!(".tmp-{}-{}", std::process::id(), fastrand::u64(..)));
    let tmp = dir.join(tmp_name);
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let written = (|| {
        let mut f = o.open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // The rename is durable once the folder's entry is.
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_mask_hide_the_key() {
        let k = ApiKey::new("  0123456789abcdef0123\n").unwrap();
        assert_eq!(format!("{k:?}"), "[REDACTED]");
        assert_eq!(k.masked(), "0123… (20 characters)");
        assert_eq!(
            ApiKey::new("abcdefgh").unwrap().masked(),
            "ab… (8 characters)"
        );
        assert!(ApiKey::new("abcdefg").is_err(), "7 characters");
        assert!(ApiKey::new("k").is_err());
        assert!(ApiKey::new(" \n").is_err());
        assert!(ApiKey::new("a b").is_err());
    }

    #[test]
    fn reading_is_bounded_and_errors_hold_no_bytes() {
        let k = ApiKey::read(&b"  abcd1234\n"[..], "x").unwrap();
        assert_eq!(k.expose(), "abcd1234");
        let e = ApiKey::read(std::io::repeat(b'k'), "/dev/zero").unwrap_err();
        assert_eq!(
            e,
            "the API key from /dev/zero is larger than 4 KiB: is this a key file?"
        );
        let e = ApiKey::read(&b"s3cr3t\xff"[..], "env K").unwrap_err();
        assert_eq!(e, "the API key from env K is not valid UTF-8 text");
        let e = ApiKey::from_bytes(b"s3c r3t".to_vec(), "f").unwrap_err();
        assert!(!e.contains("s3c"), "{e}");
    }
}
