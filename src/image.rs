//! Loading and checking biometric images before anything is sent.
//!
//! Every image is read once into memory, checked (not empty, a known format by its
//! magic bytes, under the size limit), and then only borrowed: the request body is
//! built from these bytes directly. Errors name the file and what was found; they
//! never quote the file's contents.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Failure, Kind};

/// Image formats the API is known to accept, recognised by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG.
    Png,
    /// TIFF, either byte order.
    Tiff,
    /// Windows bitmap.
    Bmp,
    /// WebP (RIFF container).
    Webp,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Tiff => "TIFF",
            Format::Bmp => "BMP",
            Format::Webp => "WebP",
        })
    }
}

/// Recognise an image by its first bytes.
pub fn sniff(b: &[u8]) -> Option<Format> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        Some(Format::Tiff)
    } else if b.starts_with(b"BM") && b.len() >= 26 {
        Some(Format::Bmp)
    } else if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else {
        None
    }
}

/// Where an image comes from: a file, or standard input when the user wrote `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file path.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

impl Source {
    /// `-` is standard input; anything else a path.
    pub fn parse(s: &str) -> Source {
        if s == "-" {
            Source::Stdin
        } else {
            Source::File(PathBuf::from(s))
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Stdin => f.write_str("<stdin>"),
        }
    }
}

/// A checked image: its bytes and what they are.
pub struct Image {
    /// Where it was read from (for messages).
    pub source: Source,
    /// What its magic bytes say it is.
    pub format: Format,
    /// The file's exact bytes: what is sent.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "Image({}, {}, {} bytes)",
            self.source,
            self.format,
            self.bytes.len()
        )
    }
}

impl Image {
    /// Hex SHA-256 of the image bytes (for `--dry-run`, journals and the sandbox).
    pub fn sha256(&self) -> String {
        sha256_hex(&self.bytes)
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Read and check one image. A missing or unreadable file is [`Kind::Input`] (66);
/// an empty, unknown or oversized one is [`Kind::Invalid`] (65).
pub fn load(source: &Source, max_bytes: u64) -> Result<Image, Failure> {
    let bytes = match source {
        Source::File(p) => read_capped(p, max_bytes)?,
        Source::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .take(max_bytes.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(|e| {
                    Failure::new(
                        Kind::Input,
                        format!("reading image from standard input: {e}"),
                    )
                })?;
            buf
        }
    };
    check(source, bytes, max_bytes)
}

/// Check already-read bytes (also used by the batch validator).
pub fn check(source: &Source, bytes: Vec<u8>, max_bytes: u64) -> Result<Image, Failure> {
    let format = verdict(source, &bytes, bytes.len() as u64, max_bytes)?;
    Ok(Image {
        source: source.clone(),
        format,
        bytes,
    })
}

/// Check a file without reading all of it: its size and its first bytes. The batch
/// validator uses this so that validating a large manifest reads a few hundred bytes
/// per image rather than every image twice.
pub fn peek_file(path: &Path, max_bytes: u64) -> Result<Format, Failure> {
    let source = Source::File(path.to_path_buf());
    let (file, meta) = open_file(path)?;
    let mut head = Vec::with_capacity(512);
    file.take(512)
        .read_to_end(&mut head)
        .map_err(|e| input_error(path, e))?;
    verdict(&source, &head, meta.len(), max_bytes)
}

/// The checks shared by [`check`] and [`peek_file`]: `head` is the start of the
/// image (or all of it), `len` its full size.
fn verdict(source: &Source, head: &[u8], len: u64, max_bytes: u64) -> Result<Format, Failure> {
    if len == 0 {
        return Err(Failure::new(
            Kind::Invalid,
            format!("image {source} is empty"),
        ));
    }
    if len > max_bytes {
        return Err(Failure::new(
            Kind::Invalid,
            format!(
                "image {source} is larger than the {} limit (raise it with --max-image-bytes or max_image_bytes in the profile)",
                human_size(max_bytes)
            ),
        ));
    }
    sniff(head).ok_or_else(|| {
        Failure::new(
            Kind::Invalid,
            format!(
                "{source} is not a JPEG, PNG, TIFF, BMP or WebP image (found {})",
                describe(head, len)
            ),
        )
    })
}

fn input_error(path: &Path, e: std::io::Error) -> Failure {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    Failure::new(
        Kind::Input,
        format!("cannot read image {}: {what}", path.display()),
    )
}

/// Open an image file for reading: a missing, unreadable or directory path is 66.
fn open_file(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), Failure> {
    let file = std::fs::File::open(path).map_err(|e| input_error(path, e))?;
    let meta = file.metadata().map_err(|e| input_error(path, e))?;
    if meta.is_dir() {
        return Err(input_error(
            path,
            std::io::Error::other("it is a directory"),
        ));
    }
    Ok((file, meta))
}

fn read_capped(path: &Path, max_bytes: u64) -> Result<Vec<u8>, Failure> {
    let (file, meta) = open_file(path)?;
    let input_err = |e: std::io::Error| input_error(path, e);
    let mut buf = Vec::with_capacity(meta.len().min(max_bytes.saturating_add(1)) as usize);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(input_err)?;
    Ok(buf)
}

/// A short, content-free description of unrecognised bytes: what kind of file it
/// looks like, never the bytes themselves. `b` is the start of the file, `len` its size.
fn describe(b: &[u8], len: u64) -> String {
    let head = &b[..b.len().min(512)];
    // Text, allowing a multi-byte character cut off at the end of the sample.
    let text = match std::str::from_utf8(head) {
        Ok(s) => !s.contains('\0'),
        Err(e) => e.error_len().is_none() && !head[..e.valid_up_to()].contains(&0),
    };
    if b.starts_with(b"%PDF") {
        "a PDF document".into()
    } else if b.starts_with(b"GIF8") {
        "a GIF image, which the API does not accept".into()
    } else if b.starts_with(b"PK\x03\x04") {
        "a ZIP archive".into()
    } else if b.starts_with(b"NIST") || b.starts_with(&[0xFF, 0xA0]) {
        "a WSQ/NIST fingerprint record, which person operations do not accept".into()
    } else if text {
        format!("{} of text", human_size(len))
    } else {
        format!("{} of unrecognised data", human_size(len))
    }
}

/// A size for people: `512 bytes`, `1.5 KiB`, `10 MiB`.
pub fn human_size(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else if n >= KIB {
        format!("{:.1} KiB", n as f64 / KIB as f64)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_known_formats() {
        assert_eq!(sniff(b"\xff\xd8\xff\xdb...."), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(sniff(b"II*\0...."), Some(Format::Tiff));
        assert_eq!(sniff(b"MM\0*...."), Some(Format::Tiff));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(
            sniff(b"BM______________________________"),
            Some(Format::Bmp)
        );
        assert_eq!(sniff(b"hello"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn rejects_empty_text_and_oversized() {
        let src = Source::File("x.jpg".into());
        let e = check(&src, vec![], 10).unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert!(e.message.contains("x.jpg is empty"), "{}", e.message);
        let e = check(&src, b"secret text".to_vec(), 100).unwrap_err();
        assert!(e.message.contains("11 bytes of text"), "{}", e.message);
        assert!(!e.message.contains("secret"));
        let e = check(&src, b"\xff\xd8\xff\xe0 plenty".to_vec(), 4).unwrap_err();
        assert!(e.message.contains("larger than"), "{}", e.message);
    }

    #[test]
    fn peek_checks_size_and_magic_without_reading_everything() {
        let dir = tempfile::tempdir().unwrap();
        let jpg = dir.path().join("a.jpg");
        let mut bytes = b"\xff\xd8\xff\xe0".to_vec();
        bytes.resize(5000, 7);
        std::fs::write(&jpg, &bytes).unwrap();
        assert_eq!(peek_file(&jpg, 10_000).unwrap(), Format::Jpeg);
        assert!(
            peek_file(&jpg, 4999)
                .unwrap_err()
                .message
                .contains("larger than")
        );
        let txt = dir.path().join("t.jpg");
        std::fs::write(&txt, "é".repeat(600)).unwrap();
        let e = peek_file(&txt, 10_000).unwrap_err();
        assert!(e.message.contains("1.2 KiB of text"), "{}", e.message);
        assert_eq!(
            peek_file(&dir.path().join("none"), 10).unwrap_err().kind,
            Kind::Input
        );
        assert_eq!(peek_file(dir.path(), 10).unwrap_err().kind, Kind::Input);
    }

    #[test]
    fn the_largest_limit_does_not_wrap() {
        // `max + 1` once wrapped to 0 at u64::MAX and every image read as empty.
        let dir = tempfile::tempdir().unwrap();
        let jpg = dir.path().join("a.jpg");
        std::fs::write(&jpg, b"\xff\xd8\xff\xe0 image").unwrap();
        assert_eq!(read_capped(&jpg, u64::MAX).unwrap().len(), 10);
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
