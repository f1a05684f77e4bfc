//! Biometric images before anything is sent: loading and checking them (here), their
//! format ([`mod@format`]), inspecting and preparing them ([`prepare`]), the `check`
//! report ([`mod@check`]) and the offline face detector ([`face`]).
//!
//! Every image is read once into memory, checked (not empty, a known format by its
//! magic bytes, a whole file with a readable header, at least 64 pixels a side and
//! at most 100 megapixels by its header),
//! prepared ([`prepare`]: metadata removed, faces turned upright or
//! downscaled) and checked against the size limit; the request body is built from
//! the prepared bytes directly. Errors name the file and what was found; they never
//! quote the file's contents.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

pub mod check;
mod encode;
pub mod face;
pub mod format;
mod header;
mod inspect;
pub mod prepare;
mod scan;
mod strip;

use crate::error::{Failure, Kind};
pub use format::{Format, hex, sha256_hex, sniff};
use prepare::{Code, Header, Options, Preparation, Problem, Role};

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
    /// What the bytes sent are (a face re-encoded by preparation is JPEG).
    pub format: Format,
    /// The exact bytes to send: the prepared file (or the file itself with
    /// `--keep-metadata`).
    pub bytes: Vec<u8>,
    /// What preparation did, and the file's own digest.
    pub prep: Preparation,
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

    /// What the journal fingerprint records for this image: the SHA-256 of the
    /// file as read plus the preparation settings ([`Options::fingerprint_tag`]).
    pub fn content_digest(&self) -> String {
        if self.prep.file_sha256.is_empty() {
            // Built from bytes directly ([`check()`]): they are the file.
            return self.sha256();
        }
        format!("{}{}", self.prep.file_sha256, self.prep.tag)
    }
}

/// Read, check and prepare one image. A missing or unreadable file is
/// [`Kind::Input`] (66); an empty, unknown, cut-short, undecodable, too small or
/// (after preparation) too large one is [`Kind::Invalid`] (65).
pub fn load(source: &Source, role: Role, opts: &Options) -> Result<Image, Failure> {
    let cap = opts.read_cap(role);
    let bytes = match source {
        Source::File(p) => {
            let (file, meta) = open_file(p)?;
            if meta.len() > opts.max_bytes && cap == opts.max_bytes {
                return Err(too_large(source, role, opts));
            }
            let mut buf = Vec::with_capacity(meta.len().min(cap.saturating_add(1)) as usize);
            file.take(cap.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(|e| input_error(p, e))?;
            buf
        }
        Source::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .take(cap.saturating_add(1))
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
    let len = bytes.len() as u64;
    let (format, header) = examine(
        source,
        &mut std::io::Cursor::new(&bytes[..]),
        len,
        role,
        opts,
    )?;
    let look = role == Role::Face && opts.face_check;
    if look && header.orientation_unknown {
        return Err(gate_refusal(
            source,
            Code::ExifUnreadable,
            "has an EXIF block whose orientation cannot be read, so it cannot be turned upright: export it again",
        ));
    }
    let (bytes, format, prep, grey) =
        prepare::prepare_looking(bytes, format, &header, role, opts, look)
            .map_err(|p| refusal(source, p))?;
    if let Some(grey) = grey {
        let faces = crate::images::face::examine(&grey);
        drop(grey);
        if let Some((code, _, what)) = faces.findings(false).into_iter().find(|f| f.1) {
            return Err(gate_refusal(source, code, &what));
        }
    }
    if bytes.len() as u64 > opts.max_bytes {
        return Err(Failure::new(
            Kind::Invalid,
            format!(
                "image {source} is {} after preparation, larger than the {} limit ({})",
                human_size(bytes.len() as u64),
                human_size(opts.max_bytes),
                remedy(role, opts)
            ),
        ));
    }
    Ok(Image {
        source: source.clone(),
        format,
        bytes,
        prep,
    })
}

/// Wrap bytes the caller already holds as an image sent exactly as they are: only
/// the magic bytes and the size are checked (no preparation).
pub fn check(source: &Source, bytes: Vec<u8>, max_bytes: u64) -> Result<Image, Failure> {
    let format = verdict(source, &bytes, bytes.len() as u64, max_bytes)?;
    Ok(Image {
        source: source.clone(),
        format,
        bytes,
        prep: Preparation::default(),
    })
}

/// Files up to this size are read whole by [`peek_file`] rather than seeked through.
const WHOLE_READ: u64 = 64 * 1024;

/// Check a file without reading all of it: its size, its header (dimensions,
/// orientation, metadata) and, for JPEG, its end marker. The batch validator uses
/// this so that validating a large manifest reads a few kilobytes per image rather
/// than every image twice, and decodes no pixels.
pub fn peek_file(path: &Path, role: Role, opts: &Options) -> Result<(Format, Header), Failure> {
    let source = Source::File(path.to_path_buf());
    let (mut file, meta) = open_file(path)?;
    let len = meta.len();
    if len <= WHOLE_READ {
        // One read instead of a seek per JPEG segment: a batch of small images costs
        // a handful of system calls per image.
        let mut bytes = Vec::with_capacity(len as usize);
        (&mut file)
            .take(WHOLE_READ)
            .read_to_end(&mut bytes)
            .map_err(|e| input_error(path, e))?;
        let len = bytes.len() as u64;
        return examine(
            &source,
            &mut std::io::Cursor::new(&bytes[..]),
            len,
            role,
            opts,
        );
    }
    let mut r = std::io::BufReader::with_capacity(16 * 1024, file);
    examine(&source, &mut r, len, role, opts)
}

/// The checks shared by [`load`] and [`peek_file`]: magic bytes, header, size
/// before preparation. `len` is the file's full size.
fn examine<R: Read + std::io::Seek>(
    source: &Source,
    r: &mut R,
    len: u64,
    role: Role,
    opts: &Options,
) -> Result<(Format, Header), Failure> {
    let mut head = Vec::with_capacity(512);
    r.by_ref()
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| Failure::new(Kind::Input, format!("cannot read image {source}: {e}")))?;
    let format = verdict(source, &head, len, u64::MAX)?;
    if len > opts.read_cap(role) {
        return Err(too_large(source, role, opts));
    }
    let header = prepare::inspect(r, len, format).map_err(|p| refusal(source, p))?;
    within_pixels(&header).map_err(|p| refusal(source, p))?;
    if len > opts.max_bytes && !prepare::plan(&header, role, opts).reencodes() {
        return Err(too_large(source, role, opts));
    }
    Ok((format, header))
}

/// Refuse an image whose header says it is over [`prepare::MAX_PIXELS`]: on every
/// load and every batch validation, not only where pixels are decoded, so that an
/// image `check` calls `TOO_LARGE` is never sent (a fingerprint, a face sent with
/// `--no-face-check` and not re-encoded, a batch row). Only the header's dimensions
/// are read: it costs nothing per row.
pub fn within_pixels(h: &Header) -> Result<(), Problem> {
    prepare::within_pixel_limit(h.width as u64, h.height as u64)
}

/// Recognise an image's format from its first bytes (`head`, up to 512) and size,
/// or say what it is instead (HEIC and friends named, with what to do).
pub fn identify(source: &Source, head: &[u8], len: u64) -> Result<Format, Failure> {
    verdict(source, head, len, u64::MAX)
}

/// A face the gate refuses (65): the file, the finding's code and message, and the
/// way out.
pub fn gate_refusal(source: &Source, code: Code, what: &str) -> Failure {
    let code = serde_json::to_value(code).expect("plain data");
    Failure::new(
        Kind::Invalid,
        format!(
            "image {source} {what} ({}); nothing was sent (see `biopass check {source}`; --no-face-check sends it anyway)",
            code.as_str().unwrap_or_default()
        ),
    )
}

/// A problem found by preparation, as a refusal naming the file (65).
pub fn refusal(source: &Source, p: Problem) -> Failure {
    Failure::new(Kind::Invalid, format!("image {source} {}", p.what))
}

fn remedy(role: Role, opts: &Options) -> String {
    let raise = "raise it with --max-image-bytes or max_image_bytes in the profile";
    if role == Role::Face && !opts.keep_metadata {
        let px = opts
            .max_dimension
            .map_or(prepare::SUGGESTED_MAX_DIMENSION, |p| {
                (p * 3 / 4).max(prepare::MIN_SIDE)
            });
        format!("downscale it with --max-dimension {px}, or {raise}")
    } else {
        raise.to_string()
    }
}

fn too_large(source: &Source, role: Role, opts: &Options) -> Failure {
    Failure::new(
        Kind::Invalid,
        format!(
            "image {source} is larger than the {} limit ({})",
            human_size(opts.max_bytes),
            remedy(role, opts)
        ),
    )
}

/// The checks shared by [`check()`] and [`peek_file`]: `head` is the start of the
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
        if let Some(kind) = heif_kind(head) {
            return Failure::new(
                Kind::Invalid,
                format!(
                    "{source} is a {kind} image, which the API does not accept: export it as JPEG first \
(for example `heif-convert {source} photo.jpg`, or Export / Save as JPEG in the photo app)"
                ),
            );
        }
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
    Failure::new(
        Kind::Input,
        format!(
            "cannot read image {}: {}",
            path.display(),
            crate::regular::io_reason(&e)
        ),
    )
}

/// Open an image file for reading: a missing or unreadable path, a directory, a FIFO
/// or a device is 66 (never a wait for a FIFO's writer).
fn open_file(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), Failure> {
    crate::regular::open(path).map_err(|e| input_error(path, e))
}

/// HEIC, HEIF or AVIF, recognised by the ISO-BMFF `ftyp` box and its brands
/// (whatever the file is called).
pub fn heif_kind(b: &[u8]) -> Option<&'static str> {
    if b.len() < 16 || &b[4..8] != b"ftyp" {
        return None;
    }
    let size = (u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize).clamp(16, b.len());
    let mut brands = vec![&b[8..12]];
    brands.extend(b[16..size].chunks_exact(4));
    let has = |list: &[&[u8; 4]]| brands.iter().any(|x| list.iter().any(|l| *x == &l[..]));
    if has(&[b"avif", b"avis"]) {
        Some("AVIF")
    } else if has(&[b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"]) {
        Some("HEIC")
    } else if has(&[b"mif1", b"msf1"]) {
        Some("HEIF")
    } else {
        None
    }
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

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    #[test]
    fn peek_checks_size_header_and_magic() {
        let dir = tempfile::tempdir().unwrap();
        let face = fixture("face.jpg");
        let len = std::fs::metadata(&face).unwrap().len();
        let opts = Options::new(len);
        let (f, h) = peek_file(&face, Role::Face, &opts).unwrap();
        assert_eq!((f, h.width, h.height), (Format::Jpeg, 240, 300));
        let e = peek_file(&face, Role::Finger, &Options::new(len - 1)).unwrap_err();
        assert!(e.message.contains("larger than"), "{}", e.message);
        // A cut-short copy: no end marker.
        let bytes = std::fs::read(&face).unwrap();
        let cut = dir.path().join("cut.jpg");
        std::fs::write(&cut, &bytes[..bytes.len() - 300]).unwrap();
        let e = peek_file(&cut, Role::Face, &opts).unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert!(e.message.contains("cut short"), "{}", e.message);
        // Data after the end marker is fine.
        let long = dir.path().join("long.jpg");
        std::fs::write(&long, [&bytes[..], b"trailer"].concat()).unwrap();
        let (_, h) = peek_file(&long, Role::Face, &Options::new(len * 2)).unwrap();
        assert_eq!(h.metadata.trailing_bytes, 7);
        let txt = dir.path().join("t.jpg");
        std::fs::write(&txt, "é".repeat(600)).unwrap();
        let e = peek_file(&txt, Role::Face, &opts).unwrap_err();
        assert!(e.message.contains("1.2 KiB of text"), "{}", e.message);
        let heic = dir.path().join("photo.jpg");
        std::fs::write(&heic, b"\0\0\0\x18ftypheic\0\0\0\0mif1heic rest").unwrap();
        let e = peek_file(&heic, Role::Face, &opts).unwrap_err();
        assert!(
            e.message.contains("HEIC") && e.message.contains("heif-convert"),
            "{}",
            e.message
        );
        let none = dir.path().join("none");
        assert_eq!(
            peek_file(&none, Role::Face, &opts).unwrap_err().kind,
            Kind::Input
        );
        assert_eq!(
            peek_file(dir.path(), Role::Face, &opts).unwrap_err().kind,
            Kind::Input
        );
    }

    #[test]
    fn the_largest_limit_does_not_wrap() {
        // `max + 1` once wrapped to 0 at u64::MAX and every image read as empty.
        let img = load(
            &Source::File(fixture("face.jpg")),
            Role::Face,
            &Options::new(u64::MAX),
        )
        .unwrap();
        assert_eq!(img.format, Format::Jpeg);
        assert!(!img.bytes.is_empty());
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
