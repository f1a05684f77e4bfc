//! Image preparation: what an image's header says, and turning a checked file into
//! the bytes that are sent.
//!
//! Two levels of cost, on purpose:
//! - [`inspect`] reads headers only (JPEG segments up to the pixel data and the end
//!   marker, PNG chunk headers, TIFF/WebP/BMP headers): dimensions, EXIF orientation,
//!   metadata found, resolution, whether the file is cut short. Batch validation
//!   runs it on every file, streaming, without decoding pixels.
//! - [`prepare`] makes the bytes to send: metadata removed losslessly (faces and
//!   fingerprints), or, for a face whose EXIF orientation is not 1 or whose long side
//!   is over `--max-dimension`, decoded, turned upright / downscaled and re-encoded
//!   once as JPEG. Fingerprints are never re-encoded.
//!
//! Everything is deterministic: the same file and [`Options`] give the same bytes.
//! Nothing here ever quotes an image's contents in a message.

use std::io::{Cursor, Read, Seek, SeekFrom};

use serde::Serialize;

use crate::images::format::Format;

/// Images smaller than this on a side are refused.
pub const MIN_SIDE: u32 = 64;
/// JPEG quality used when a face must be re-encoded (turned upright or downscaled).
pub const JPEG_QUALITY: u8 = 92;
/// The largest face file that may be read when preparation re-encodes it (turns it
/// upright or downscales it); the re-encoded result must still fit the size limit.
pub const REENCODE_INPUT_MAX: u64 = 64 * 1024 * 1024;
/// The most pixels decoded for one image (re-encoding, `check`): 100 megapixels.
pub const MAX_PIXELS: u64 = 100_000_000;
/// A `--max-dimension` to suggest in messages.
pub const SUGGESTED_MAX_DIMENSION: u32 = 1920;
/// Version of the preparation rules, part of the journal fingerprint of a prepared
/// image (bump it when the bytes a given file prepares to change).
pub const PREPARATION_VERSION: u32 = 1;

/// How images are prepared: the size limit and the two preparation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The largest image sent, in bytes (after preparation).
    pub max_bytes: u64,
    /// Send each file's exact bytes: no metadata removal, no rotation, no resize.
    pub keep_metadata: bool,
    /// Downscale faces whose long side is larger than this to exactly this.
    pub max_dimension: Option<u32>,
    /// Run the face gate ([`crate::images::face`]) on every face before it is sent
    /// (`--no-face-check` turns it off). It never changes the bytes sent.
    pub face_check: bool,
}

impl Options {
    /// Default preparation (metadata removed, no downscale) with this size limit.
    pub fn new(max_bytes: u64) -> Options {
        Options {
            max_bytes,
            keep_metadata: false,
            max_dimension: None,
            face_check: true,
        }
    }

    /// The largest file read for an image in this role: larger than the limit only
    /// for a face that preparation might re-encode smaller.
    pub fn read_cap(&self, role: Role) -> u64 {
        if role == Role::Face && !self.keep_metadata {
            self.max_bytes.max(REENCODE_INPUT_MAX)
        } else {
            self.max_bytes
        }
    }

    /// What the journal fingerprint adds to a file's digest for these settings:
    /// empty for `--keep-metadata` (the file is the bytes sent), otherwise the
    /// preparation version and, for faces, the `--max-dimension`.
    pub fn fingerprint_tag(&self, role: Role) -> String {
        if self.keep_metadata {
            return String::new();
        }
        match (role, self.max_dimension) {
            (Role::Face, Some(px)) => format!("+prep{PREPARATION_VERSION},max={px}"),
            _ => format!("+prep{PREPARATION_VERSION}"),
        }
    }
}

/// What an image is for: faces may be re-encoded, fingerprints never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A face photo.
    Face,
    /// A fingerprint scan.
    Finger,
}

/// Metadata an image carries (found by [`inspect`]; never its values).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// An EXIF block.
    pub exif: bool,
    /// GPS position tags.
    pub gps: bool,
    /// Camera make, model, serial numbers or owner name.
    pub camera: bool,
    /// Comments: JPEG COM segments, EXIF user comments, PNG text chunks.
    pub comments: bool,
    /// An XMP packet.
    pub xmp: bool,
    /// IPTC / Photoshop data (JPEG APP13).
    pub iptc: bool,
    /// An embedded thumbnail (EXIF or JFIF extension).
    pub thumbnail: bool,
    /// Other application segments or chunks that preparation removes.
    pub other: bool,
    /// Bytes after the image's end marker.
    pub trailing_bytes: u64,
    /// Bytes of the metadata segments/chunks preparation removes (JPEG, PNG).
    pub removable_bytes: u64,
}

impl Metadata {
    /// The kinds found, by name (`gps`, `camera`, `comments`, `xmp`, `iptc`,
    /// `thumbnail`, `exif`, `trailing_data`, `other`).
    pub fn names(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (on, name) in [
            (self.gps, "gps"),
            (self.camera, "camera"),
            (self.comments, "comments"),
            (self.xmp, "xmp"),
            (self.iptc, "iptc"),
            (self.thumbnail, "thumbnail"),
            (self.exif, "exif"),
            (self.trailing_bytes > 0, "trailing_data"),
            (self.other, "other"),
        ] {
            if on {
                v.push(name);
            }
        }
        v
    }
}

/// What an image's header says: no pixel decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Width in pixels, as stored (before any orientation).
    pub width: u32,
    /// Height in pixels, as stored.
    pub height: u32,
    /// The EXIF orientation, 1-8 (1 when there is none, or when it cannot be read:
    /// see `orientation_unknown`).
    pub orientation: u16,
    /// An EXIF block is there but its orientation cannot be known (the tag has an
    /// impossible value, or the directory that would hold it is malformed).
    pub orientation_unknown: bool,
    /// Metadata found.
    pub metadata: Metadata,
    /// Resolution in dots per inch (horizontal), when the file records one.
    pub dpi: Option<u32>,
    /// The resolution is recorded only in EXIF (no JFIF density, no PNG pHYs):
    /// lossless preparation writes it back as JFIF density / pHYs, since it removes
    /// the EXIF block.
    pub dpi_from_exif: bool,
    /// The EXIF block's resolution, dpi (used when the container records none).
    pub exif_dpi: Option<u32>,
    /// JPEG: the offset of the first scan's data (where the end-marker search starts).
    pub scan_start: u64,
}

impl Header {
    /// Width and height once the orientation is applied.
    pub fn upright(&self) -> (u32, u32) {
        if (5..=8).contains(&self.orientation) {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Stable codes of what [`inspect`], [`prepare`] and `check` find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    /// The file cannot be read (missing, unreadable, a directory).
    Unreadable,
    /// The file is empty.
    Empty,
    /// Not a JPEG, PNG, TIFF, BMP or WebP (HEIC/HEIF/AVIF included).
    UnsupportedFormat,
    /// The file is cut short (a JPEG without its end marker, a PNG without IEND...).
    Truncated,
    /// The header or the pixels cannot be decoded.
    NotDecodable,
    /// Smaller than [`MIN_SIDE`] pixels on a side.
    TooSmall,
    /// Larger than the size limit after preparation.
    TooLarge,
    /// The EXIF orientation is not 1: a face is turned upright before sending.
    Rotated,
    /// GPS position tags (removed before sending unless `--keep-metadata`).
    HasGps,
    /// Other metadata (removed before sending unless `--keep-metadata`).
    HasMetadata,
    /// A fingerprint whose recorded resolution is not 500 dpi (or none is recorded).
    #[serde(rename = "FINGER_DPI_NOT_500")]
    FingerDpiNot500,
    /// A face larger than `--max-dimension`: downscaled before sending.
    Downscaled,
    /// An EXIF block whose orientation cannot be known (the tag or its directory is
    /// malformed): a face cannot be turned upright, so the face gate refuses it.
    ExifUnreadable,
    /// The face gate found no face ([`crate::images::face`]).
    NoFace,
    /// The face gate found more than one face.
    SeveralFaces,
    /// The largest face is under [`crate::images::face::MIN_FACE_HEIGHT`] of the frame.
    FaceTooSmall,
    /// The largest face's centre is far from the frame's centre.
    FaceOffCentre,
    /// The largest face is blurry (variance of the Laplacian).
    Blurry,
    /// The largest face is too dark.
    TooDark,
    /// The largest face is overexposed.
    Overexposed,
    /// `check --remote`: one of the service's quality checks failed (its kind and
    /// message are in the finding); a warning about the check, not the image.
    RemoteError,
}

impl Code {
    /// Whether this finding stops the image from being sent.
    pub fn blocks(self) -> bool {
        matches!(
            self,
            Code::Unreadable
                | Code::Empty
                | Code::UnsupportedFormat
                | Code::Truncated
                | Code::NotDecodable
                | Code::TooSmall
                | Code::TooLarge
        )
    }
}

/// A problem found in an image: a code and a message for people (which names the
/// file but never quotes its contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The stable code.
    pub code: Code,
    /// What was found and what to do, without the file's name.
    pub what: String,
}

fn problem(code: Code, what: impl Into<String>) -> Problem {
    Problem {
        code,
        what: what.into(),
    }
}

fn cut(what: &str) -> Problem {
    problem(
        Code::Truncated,
        format!("is cut short ({what}); copy it again from the original"),
    )
}

fn bad(what: impl std::fmt::Display) -> Problem {
    problem(
        Code::NotDecodable,
        format!("cannot be decoded ({what}); open and export it again"),
    )
}

/// Read `n` bytes, or say the file ends first.
fn read_n<R: Read>(r: &mut R, n: u64, what: &str) -> Result<Vec<u8>, Problem> {
    let mut v = Vec::with_capacity(n.min(1 << 20) as usize);
    r.take(n).read_to_end(&mut v).map_err(bad)?;
    if (v.len() as u64) < n {
        return Err(cut(what));
    }
    Ok(v)
}

fn skip<R: Seek>(r: &mut R, n: u64) -> Result<u64, Problem> {
    r.seek(SeekFrom::Current(n as i64)).map_err(bad)
}

fn be16(b: &[u8]) -> u32 {
    u16::from_be_bytes([b[0], b[1]]) as u32
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Read a header: dimensions, orientation, metadata, resolution, and whether the file
/// is whole. `r` is positioned anywhere; `len` is the file's size. Reads a few
/// kilobytes for most files (JPEG: the segments before the pixels and the end of the
/// file; PNG: the chunk headers), never decodes pixels.
pub fn inspect<R: Read + Seek>(r: &mut R, len: u64, format: Format) -> Result<Header, Problem> {
    r.seek(SeekFrom::Start(0)).map_err(bad)?;
    let h = match format {
        Format::Jpeg => jpeg(r, len)?,
        Format::Png => png(r, len)?,
        Format::Webp | Format::Tiff | Format::Bmp => other(r, len, format)?,
    };
    if h.width < MIN_SIDE || h.height < MIN_SIDE {
        return Err(problem(
            Code::TooSmall,
            format!(
                "is {}x{} pixels; images must be at least {MIN_SIDE} pixels on each side",
                h.width, h.height
            ),
        ));
    }
    Ok(h)
}

/// Record what an EXIF block (TIFF structure, without the `Exif\0\0` prefix) holds.
fn read_exif(tiff: Vec<u8>, h: &mut Header) {
    use exif::{Context, In, Tag};
    h.metadata.exif = true;
    // Leniently: one malformed field (what some writers leave) must lose neither the
    // orientation nor the GPS finding. Fields that parse are kept; the errors only
    // matter when the orientation is not among them.
    let (ex, damaged) = match exif::Reader::new().continue_on_error(true).read_raw(tiff) {
        Ok(ex) => (ex, false),
        Err(exif::Error::PartialResult(p)) => (p.into_inner().0, true),
        Err(_) => {
            h.orientation_unknown = true;
            return;
        }
    };
    let mut orientation_seen = false;
    let (mut x_res, mut unit) = (None, 2);
    for f in ex.fields() {
        if f.tag.context() == Context::Gps {
            h.metadata.gps = true;
        }
        if f.ifd_num == In::THUMBNAIL
            && matches!(f.tag, Tag::JPEGInterchangeFormat | Tag::StripOffsets)
        {
            h.metadata.thumbnail = true;
        }
        match f.tag {
            Tag::Make
            | Tag::Model
            | Tag::BodySerialNumber
            | Tag::LensSerialNumber
            | Tag::CameraOwnerName
            | Tag::LensMake
            | Tag::LensModel => h.metadata.camera = true,
            Tag::UserComment | Tag::ImageDescription => h.metadata.comments = true,
            Tag::XResolution if f.ifd_num == In::PRIMARY => {
                if let exif::Value::Rational(v) = &f.value
                    && let Some(r) = v.first()
                    && r.denom != 0
                {
                    x_res = Some(r.to_f64());
                }
            }
            Tag::ResolutionUnit if f.ifd_num == In::PRIMARY => {
                unit = f.value.get_uint(0).unwrap_or(2);
            }
            Tag::Orientation if f.ifd_num == In::PRIMARY => {
                orientation_seen = true;
                match f.value.get_uint(0).filter(|v| (1..=8).contains(v)) {
                    Some(v) => h.orientation = v as u16,
                    None => h.orientation_unknown = true,
                }
            }
            _ => {}
        }
    }
    // A damaged block without the tag may have lost it with the damage.
    if damaged && !orientation_seen {
        h.orientation_unknown = true;
    }
    h.exif_dpi = x_res
        .map(|x| match unit {
            3 => x * 2.54,
            _ => x,
        })
        .filter(|d| (1.0..=65535.0).contains(d))
        .map(|d| d.round() as u32);
}

/// The container records no resolution but EXIF does: use it (and say so).
fn resolution_from_exif(h: &mut Header) {
    if h.dpi.is_none() && h.exif_dpi.is_some() {
        h.dpi = h.exif_dpi;
        h.dpi_from_exif = true;
    }
}

fn jpeg<R: Read + Seek>(r: &mut R, len: u64) -> Result<Header, Problem> {
    let mut h = Header {
        orientation: 1,
        ..Header::default()
    };
    let mut pos = skip(r, 2)?;
    loop {
        let mut b = [0u8; 1];
        let byte = |r: &mut R, b: &mut [u8; 1]| -> Result<u8, Problem> {
            r.read_exact(b)
                .map_err(|_| cut("no pixel data after the header"))?;
            Ok(b[0])
        };
        // Some writers leave stray bytes between segments; decoders skip them.
        let mut stray = 0u32;
        while byte(r, &mut b)? != 0xFF {
            stray += 1;
            if stray > 64 * 1024 {
                return Err(bad("no JPEG marker where one was expected"));
            }
        }
        pos += 1 + stray as u64;
        let mut m = byte(r, &mut b)?;
        pos += 1;
        while m == 0xFF {
            m = byte(r, &mut b)?;
            pos += 1;
        }
        match m {
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 => return Err(bad("the JPEG ends before its pixel data")),
            _ => {}
        }
        let l = read_n(r, 2, "inside the header")?;
        let seg = be16(&l) as u64;
        if seg < 2 {
            return Err(bad("a JPEG segment has an impossible length"));
        }
        let n = seg - 2;
        pos += seg;
        if pos > len {
            return Err(cut("inside the header"));
        }
        let removable = seg + 2;
        match m {
            0xDA => {
                skip(r, n)?;
                h.scan_start = pos;
                break;
            }
            0xC0..=0xCF if !matches!(m, 0xC4 | 0xC8 | 0xCC) => {
                let p = read_n(r, n, "inside the header")?;
                if p.len() >= 5 {
                    h.height = be16(&p[1..3]);
                    h.width = be16(&p[3..5]);
                }
            }
            0xE0 => {
                let p = read_n(r, n, "inside the header")?;
                if p.starts_with(b"JFIF\0") && p.len() >= 12 {
                    let (unit, x) = (p[7], be16(&p[8..10]));
                    h.dpi = match unit {
                        1 => Some(x),
                        2 => Some((x as f64 * 2.54).round() as u32),
                        _ => None,
                    };
                } else {
                    // JFXX (a thumbnail) or something else in APP0.
                    h.metadata.thumbnail |= p.starts_with(b"JFXX\0");
                    h.metadata.other |= !p.starts_with(b"JFXX\0");
                    h.metadata.removable_bytes += removable;
                }
            }
            0xE1 => {
                let p = read_n(r, n, "inside the header")?;
                if let Some(tiff) = p.strip_prefix(b"Exif\0\0") {
                    read_exif(tiff.to_vec(), &mut h);
                } else if p.starts_with(b"http://ns.adobe.com/") {
                    h.metadata.xmp = true;
                } else {
                    h.metadata.other = true;
                }
                h.metadata.removable_bytes += removable;
            }
            0xE2 => {
                let p = read_n(r, n.min(12), "inside the header")?;
                skip(r, n - p.len() as u64)?;
                if !p.starts_with(b"ICC_PROFILE\0") {
                    h.metadata.other = true;
                    h.metadata.removable_bytes += removable;
                }
            }
            0xED => {
                skip(r, n)?;
                h.metadata.iptc = true;
                h.metadata.removable_bytes += removable;
            }
            0xFE => {
                skip(r, n)?;
                h.metadata.comments = true;
                h.metadata.removable_bytes += removable;
            }
            0xEE => {
                skip(r, n)?; // Adobe: colour transform, needed to decode
            }
            0xE3..=0xEF => {
                skip(r, n)?;
                h.metadata.other = true;
                h.metadata.removable_bytes += removable;
            }
            _ => {
                skip(r, n)?;
            }
        }
    }
    if h.width == 0 || h.height == 0 {
        return Err(bad("no image size before the pixel data"));
    }
    // The end marker: search back from the end of the file. Data after it is common
    // on phones (and removed by preparation); no end marker at all means the copy
    // was cut short.
    match eoi_backwards(r, h.scan_start, len)? {
        Some(at) => h.metadata.trailing_bytes = len - at - 2,
        None => return Err(cut("a JPEG without its end marker")),
    }
    resolution_from_exif(&mut h);
    Ok(h)
}

/// The last `FF D9` between `from` and `len`, reading backwards in blocks.
fn eoi_backwards<R: Read + Seek>(r: &mut R, from: u64, len: u64) -> Result<Option<u64>, Problem> {
    const BLOCK: u64 = 64 * 1024;
    let mut end = len;
    // Sized to what is there: a small file must not cost a 64 KiB zeroed block.
    let mut buf = vec![0u8; BLOCK.min(len.saturating_sub(from)) as usize];
    while end > from + 1 {
        let start = end.saturating_sub(BLOCK).max(from);
        let n = (end - start) as usize;
        r.seek(SeekFrom::Start(start)).map_err(bad)?;
        r.read_exact(&mut buf[..n]).map_err(bad)?;
        if let Some(i) = buf[..n].windows(2).rposition(|w| w == [0xFF, 0xD9]) {
            return Ok(Some(start + i as u64));
        }
        if start == from {
            break;
        }
        end = start + 1; // a marker split across blocks
    }
    Ok(None)
}

/// The first end-of-image marker after the scan data starts at `from`, following
/// the marker structure (stuffed bytes, restart markers, segments between the scans
/// of a progressive JPEG). `None` when there is none.
pub fn jpeg_end(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < b.len() {
        match memchr::memchr(0xFF, &b[i..]) {
            Some(k) => i += k,
            None => return None,
        }
        let &m = b.get(i + 1)?;
        match m {
            0xFF => i += 1,
            0x00 | 0x01 | 0xD0..=0xD8 => i += 2,
            0xD9 => return Some(i),
            _ => {
                let l = b.get(i + 2..i + 4)?;
                i += 2 + be16(l) as usize;
            }
        }
    }
    None
}

fn png<R: Read + Seek>(r: &mut R, len: u64) -> Result<Header, Problem> {
    let mut h = Header {
        orientation: 1,
        ..Header::default()
    };
    let mut pos = skip(r, 8)?;
    let mut seen_ihdr = false;
    loop {
        if pos + 12 > len {
            return Err(cut("a PNG without its IEND chunk"));
        }
        let head = read_n(r, 8, "a PNG without its IEND chunk")?;
        let n = be32(&head[0..4]) as u64;
        let kind: [u8; 4] = head[4..8].try_into().expect("4 bytes");
        let end = pos + 12 + n;
        if end > len {
            return Err(cut("a PNG chunk runs past the end of the file"));
        }
        match &kind {
            b"IHDR" => {
                let p = read_n(r, n, "inside the header")?;
                if p.len() < 8 {
                    return Err(bad("a PNG header that is too short"));
                }
                h.width = be32(&p[0..4]);
                h.height = be32(&p[4..8]);
                seen_ihdr = true;
                skip(r, 4)?;
            }
            b"pHYs" => {
                let p = read_n(r, n, "inside the header")?;
                if p.len() >= 9 && p[8] == 1 {
                    h.dpi = Some((be32(&p[0..4]) as f64 * 0.0254).round() as u32);
                }
                skip(r, 4)?;
            }
            b"eXIf" => {
                let p = read_n(r, n, "inside the header")?;
                let tiff = p.strip_prefix(b"Exif\0\0").unwrap_or(&p).to_vec();
                read_exif(tiff, &mut h);
                h.metadata.removable_bytes += n + 12;
                skip(r, 4)?;
            }
            b"tEXt" | b"zTXt" | b"iTXt" => {
                let p = read_n(r, n.min(17), "inside a text chunk")?;
                skip(r, n - p.len() as u64 + 4)?;
                if p.starts_with(b"XML:com.adobe.xmp") {
                    h.metadata.xmp = true;
                } else {
                    h.metadata.comments = true;
                }
                h.metadata.removable_bytes += n + 12;
            }
            b"tIME" => {
                skip(r, n + 4)?;
                h.metadata.other = true;
                h.metadata.removable_bytes += n + 12;
            }
            b"IEND" => {
                h.metadata.trailing_bytes = len - end;
                break;
            }
            _ => {
                skip(r, n + 4)?;
            }
        }
        pos = end;
    }
    if !seen_ihdr {
        return Err(bad("a PNG without its header chunk"));
    }
    resolution_from_exif(&mut h);
    Ok(h)
}

fn other<R: Read + Seek>(r: &mut R, len: u64, format: Format) -> Result<Header, Problem> {
    use image::ImageDecoder;
    let mut head = [0u8; 12];
    r.read_exact(&mut head[..len.min(12) as usize])
        .map_err(bad)?;
    r.seek(SeekFrom::Start(0)).map_err(bad)?;
    // The container's own size, where it has one, says whether the file is whole.
    let declared = match format {
        Format::Webp => u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as u64 + 8,
        Format::Bmp => u32::from_le_bytes([head[2], head[3], head[4], head[5]]) as u64,
        _ => 0,
    };
    if declared > len {
        return Err(cut("the file is shorter than its header says"));
    }
    let mut h = Header {
        orientation: 1,
        ..Header::default()
    };
    if format == Format::Tiff {
        h.dpi = tiff_dpi(r, &mut h.metadata).ok().flatten();
        r.seek(SeekFrom::Start(0)).map_err(bad)?;
    }
    let r = std::io::BufReader::new(r);
    let (dims, orientation, exif) = match format {
        Format::Webp => {
            let mut d = image::codecs::webp::WebPDecoder::new(r).map_err(bad)?;
            let exif = d.exif_metadata().ok().flatten();
            (d.dimensions(), d.orientation().ok(), exif)
        }
        Format::Tiff => {
            let mut d = image::codecs::tiff::TiffDecoder::new(r).map_err(bad)?;
            (d.dimensions(), d.orientation().ok(), None)
        }
        _ => {
            let mut d = image::codecs::bmp::BmpDecoder::new(r).map_err(bad)?;
            (d.dimensions(), d.orientation().ok(), None)
        }
    };
    (h.width, h.height) = dims;
    if let Some(tiff) = exif {
        read_exif(tiff, &mut h);
    }
    if let Some(o) = orientation {
        h.orientation = o.to_exif() as u16;
    }
    Ok(h)
}

/// A TIFF's horizontal resolution in dpi, from the first IFD's XResolution (282) and
/// ResolutionUnit (296: 2 inch, the default; 3 centimetre).
/// Also records the metadata tags of that IFD in `m` (TIFF files are sent as they
/// are: `check` says so).
fn tiff_dpi<R: Read + Seek>(r: &mut R, m: &mut Metadata) -> std::io::Result<Option<u32>> {
    let mut head = [0u8; 8];
    r.seek(SeekFrom::Start(0))?;
    r.read_exact(&mut head)?;
    let le = &head[0..2] == b"II";
    let u16_ = |b: &[u8]| {
        if le {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        }
    };
    let u32_ = |b: &[u8]| {
        if le {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        } else {
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        }
    };
    r.seek(SeekFrom::Start(u32_(&head[4..8]) as u64))?;
    let mut n = [0u8; 2];
    r.read_exact(&mut n)?;
    let count = u16_(&n).min(512) as usize;
    let mut entries = vec![0u8; count * 12];
    r.read_exact(&mut entries)?;
    let (mut x_at, mut unit) = (None, 2u16);
    for e in entries.chunks_exact(12) {
        match u16_(&e[0..2]) {
            282 if u16_(&e[2..4]) == 5 => x_at = Some(u32_(&e[8..12]) as u64),
            296 => unit = u16_(&e[8..10]),
            // Make, Model, Artist, Copyright, HostComputer
            271 | 272 | 315 | 33432 | 316 => m.camera = true,
            270 => m.comments = true, // ImageDescription
            700 => m.xmp = true,
            33723 | 34377 => m.iptc = true, // IPTC, Photoshop
            34853 => m.gps = true,
            34665 => m.exif = true,
            305 | 306 => m.other = true, // Software, DateTime
            _ => {}
        }
    }
    let Some(at) = x_at else {
        return Ok(None);
    };
    let mut rat = [0u8; 8];
    r.seek(SeekFrom::Start(at))?;
    r.read_exact(&mut rat)?;
    let (num, den) = (u32_(&rat[0..4]) as f64, u32_(&rat[4..8]) as f64);
    if den == 0.0 {
        return Ok(None);
    }
    let per_unit = num / den;
    Ok(match unit {
        2 => Some(per_unit.round() as u32),
        3 => Some((per_unit * 2.54).round() as u32),
        _ => None,
    })
}

/// What preparation will do to an image, decided from its header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Plan {
    /// Turn upright from this EXIF orientation (2-8).
    pub rotate: Option<u16>,
    /// Downscale to this width and height (after turning upright).
    pub resize: Option<(u32, u32)>,
}

impl Plan {
    /// Whether the pixels are decoded and re-encoded.
    pub fn reencodes(&self) -> bool {
        self.rotate.is_some() || self.resize.is_some()
    }
}

/// Decide what preparation does: only faces are turned upright or downscaled.
pub fn plan(h: &Header, role: Role, opts: &Options) -> Plan {
    if opts.keep_metadata || role == Role::Finger {
        return Plan::default();
    }
    let (w, hgt) = h.upright();
    Plan {
        rotate: (h.orientation != 1).then_some(h.orientation),
        resize: opts
            .max_dimension
            .filter(|&px| w.max(hgt) > px)
            .map(|px| fit(w, hgt, px)),
    }
}

/// Width and height with the long side exactly `px`, aspect ratio kept.
pub fn fit(w: u32, h: u32, px: u32) -> (u32, u32) {
    let short = |s: u32, l: u32| ((s as u64 * px as u64 + l as u64 / 2) / l as u64).max(1) as u32;
    if w >= h {
        (px, short(h, w))
    } else {
        (short(w, h), px)
    }
}

/// What preparation did to one image (for `--dry-run`, `-v` and the journal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preparation {
    /// The file's size as read.
    pub file_bytes: u64,
    /// SHA-256 (hex) of the file as read.
    pub file_sha256: String,
    /// `--keep-metadata`: the file's exact bytes are sent.
    pub kept: bool,
    /// The EXIF orientation the pixels were turned upright from.
    pub rotated: Option<u16>,
    /// Downscaled from (width, height) to (width, height).
    pub downscaled: Option<((u32, u32), (u32, u32))>,
    /// Decoded and re-encoded as JPEG.
    pub reencoded: bool,
    /// Bytes of metadata removed losslessly (segments, chunks, data after the end).
    pub metadata_removed: u64,
    /// What the journal fingerprint adds to the file's digest ([`Options::fingerprint_tag`]).
    pub tag: String,
}

impl Preparation {
    /// A short account for people: "rotated from orientation 6; downscaled from
    /// 4000x3000 to 1920x1440; re-encoded as JPEG", "1234 bytes of metadata removed",
    /// "sent as is". Never the contents.
    pub fn describe(&self) -> String {
        if self.kept {
            return "sent as is (--keep-metadata)".into();
        }
        let mut parts = Vec::new();
        if let Some(o) = self.rotated {
            parts.push(format!("turned upright from EXIF orientation {o}"));
        }
        if let Some(((w0, h0), (w1, h1))) = self.downscaled {
            parts.push(format!("downscaled from {w0}x{h0} to {w1}x{h1}"));
        }
        if self.reencoded {
            parts.push(format!(
                "re-encoded as JPEG (quality {JPEG_QUALITY}), all metadata removed"
            ));
        } else if self.metadata_removed > 0 {
            parts.push(format!(
                "{} bytes of metadata removed",
                self.metadata_removed
            ));
        } else {
            parts.push("no metadata to remove".into());
        }
        parts.join("; ")
    }
}

/// The bytes to send for an image whose header is `h`, and what was done. `raw` is
/// the whole file. Errors are [`Code::NotDecodable`] (a face that must be re-encoded
/// but cannot be decoded).
pub fn prepare(
    raw: Vec<u8>,
    format: Format,
    h: &Header,
    role: Role,
    opts: &Options,
) -> Result<(Vec<u8>, Format, Preparation), Problem> {
    prepare_looking(raw, format, h, role, opts, false).map(|(b, f, p, _)| (b, f, p))
}

/// [`prepare`], and with `look` the upright pixels in grey for the face gate: the
/// ones a re-encode decoded, or one decode of the file otherwise (never a second
/// decode). `None` when not asked.
pub fn prepare_looking(
    raw: Vec<u8>,
    format: Format,
    h: &Header,
    role: Role,
    opts: &Options,
    look: bool,
) -> Result<(Vec<u8>, Format, Preparation, Option<image::GrayImage>), Problem> {
    let mut prep = Preparation {
        file_bytes: raw.len() as u64,
        file_sha256: crate::images::format::sha256_hex(&raw),
        kept: opts.keep_metadata,
        tag: opts.fingerprint_tag(role),
        ..Preparation::default()
    };
    let p = plan(h, role, opts);
    if p.reencodes() {
        let (out, grey) = reencode(&raw, format, h.orientation, p.resize, look)?;
        prep.rotated = p.rotate;
        prep.downscaled = p.resize.map(|to| (h.upright(), to));
        prep.reencoded = true;
        return Ok((out, Format::Jpeg, prep, grey));
    }
    let grey = if look {
        let pixels = match format {
            Format::Jpeg => image::DynamicImage::ImageLuma8(decode_jpeg_grey(&raw)?),
            _ => decode(&raw, format)?,
        };
        Some(upright(pixels, h.orientation).into_luma8())
    } else {
        None
    };
    if opts.keep_metadata {
        return Ok((raw, format, prep, grey));
    }
    let before = raw.len() as u64;
    let out = strip(raw, format, h)?;
    prep.metadata_removed = before - out.len() as u64;
    Ok((out, format, prep, grey))
}

/// The pixels turned upright from an EXIF orientation (1-8).
pub fn upright(mut img: image::DynamicImage, orientation: u16) -> image::DynamicImage {
    if let Some(o) = image::metadata::Orientation::from_exif(orientation as u8) {
        img.apply_orientation(o);
    }
    img
}

fn image_format(f: Format) -> image::ImageFormat {
    match f {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Tiff => image::ImageFormat::Tiff,
        Format::Bmp => image::ImageFormat::Bmp,
        Format::Webp => image::ImageFormat::WebP,
    }
}

/// Decode the whole image, if it is within [`MAX_PIXELS`] (checked on its header
/// before any pixel is decoded).
pub fn decode(raw: &[u8], format: Format) -> Result<image::DynamicImage, Problem> {
    let (w, h) = image::ImageReader::with_format(Cursor::new(raw), image_format(format))
        .into_dimensions()
        .map_err(bad)?;
    within_pixels(w, h)?;
    let mut reader = image::ImageReader::with_format(Cursor::new(raw), image_format(format));
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 * 2);
    reader.limits(limits);
    reader.decode().map_err(bad)
}

/// A JPEG decoded straight to grey (what the face gate looks at), leniently as
/// [`decode`] is, within [`MAX_PIXELS`].
fn decode_jpeg_grey(raw: &[u8]) -> Result<image::GrayImage, Problem> {
    let options = zune_core::options::DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(u16::MAX as usize)
        .set_max_height(u16::MAX as usize)
        .jpeg_set_out_colorspace(zune_core::colorspace::ColorSpace::Luma);
    let mut d =
        zune_jpeg::JpegDecoder::new_with_options(zune_core::bytestream::ZCursor::new(raw), options);
    d.decode_headers().map_err(bad)?;
    let (w, h) = d.dimensions().ok_or_else(|| bad("no image size"))?;
    within_pixels(w as u32, h as u32)?;
    let px = d.decode().map_err(bad)?;
    image::GrayImage::from_raw(w as u32, h as u32, px)
        .ok_or_else(|| bad("the decoder returned fewer pixels than the image has"))
}

/// Refuse an image over [`MAX_PIXELS`] from its header's dimensions.
fn within_pixels(w: u32, h: u32) -> Result<(), Problem> {
    if w as u64 * h as u64 > MAX_PIXELS {
        return Err(problem(
            Code::TooLarge,
            format!(
                "is {w}x{h} pixels ({:.0} megapixels), over the {} megapixels decoded for one image: scale it down first",
                w as f64 * h as f64 / 1e6,
                MAX_PIXELS / 1_000_000
            ),
        ));
    }
    Ok(())
}

fn reencode(
    raw: &[u8],
    format: Format,
    orientation: u16,
    resize: Option<(u32, u32)>,
    look: bool,
) -> Result<(Vec<u8>, Option<image::GrayImage>), Problem> {
    let mut img = upright(decode(raw, format)?, orientation);
    let grey = look.then(|| img.to_luma8());
    if let Some((w, h)) = resize {
        img = img.resize_exact(w, h, image::imageops::FilterType::Lanczos3);
    }
    let img = match img.color() {
        image::ColorType::L8 | image::ColorType::Rgb8 => img,
        c if c.has_color() => image::DynamicImage::ImageRgb8(img.to_rgb8()),
        _ => image::DynamicImage::ImageLuma8(img.to_luma8()),
    };
    let mut out = Vec::with_capacity(raw.len() / 2);
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    img.write_with_encoder(enc).map_err(bad)?;
    Ok((out, grey))
}

/// Whether lossless preparation keeps a JPEG segment: JFIF (density), the ICC
/// profile (colour), Adobe APP14 (colour transform) and every non-APP segment;
/// EXIF/XMP (APP1), IPTC (APP13), comments and other APPn go.
fn keep_jpeg_segment(marker: u8, contents: &[u8]) -> bool {
    match marker {
        0xE0 => contents.starts_with(b"JFIF\0"),
        0xE2 => contents.starts_with(b"ICC_PROFILE\0"),
        0xEE => true,
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
        _ => true,
    }
}

/// A JPEG without the segments [`keep_jpeg_segment`] drops, before the first scan and
/// between scans, and without anything after its end marker: one pass over the
/// markers, moving the kept ranges down in place (no second buffer; the entropy-coded
/// data is copied, never parsed further than its markers). `None` when the file ends
/// before its end marker.
fn strip_jpeg(mut raw: Vec<u8>) -> Option<Vec<u8>> {
    raw.get(..2)?;
    // `w`: where the next kept byte goes; always at or before the reading position.
    let mut w = 2;
    let mut keep = |raw: &mut Vec<u8>, from: usize, to: usize| {
        raw.copy_within(from..to, w);
        w += to - from;
    };
    // The header, up to and including the first start-of-scan segment.
    let mut i = 2;
    loop {
        // Stray bytes between segments and fill bytes before a marker are dropped,
        // as decoders skip them.
        i += memchr::memchr(0xFF, raw.get(i..)?)?;
        while raw.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let m = *raw.get(i + 1)?;
        if matches!(m, 0x01 | 0xD0..=0xD8) {
            keep(&mut raw, i, i + 2);
            i += 2;
            continue;
        }
        let end = i + 2 + be16(raw.get(i + 2..i + 4)?) as usize;
        if keep_jpeg_segment(m, raw.get(i + 4..end)?) {
            keep(&mut raw, i, end);
        }
        i = end;
        if m == 0xDA {
            break;
        }
    }
    // Entropy-coded data, and the segments between the scans of a progressive JPEG.
    let mut from = i;
    loop {
        i += memchr::memchr(0xFF, raw.get(i..)?)?;
        match *raw.get(i + 1)? {
            0xFF => i += 1,
            0x00 | 0x01 | 0xD0..=0xD8 => i += 2,
            0xD9 => {
                keep(&mut raw, from, i + 2);
                raw.truncate(w);
                return Some(raw);
            }
            m => {
                let end = i + 2 + be16(raw.get(i + 2..i + 4)?) as usize;
                if !keep_jpeg_segment(m, raw.get(i + 4..end)?) {
                    keep(&mut raw, from, i);
                    from = end;
                }
                i = end;
            }
        }
    }
}

/// A stripped JPEG (no JFIF segment: the resolution was only in EXIF) with a JFIF
/// APP0 segment recording `dpi` right after its start marker.
fn with_jfif_density(mut raw: Vec<u8>, dpi: u32) -> Vec<u8> {
    let d = (dpi.min(u16::MAX as u32) as u16).to_be_bytes();
    // A JFIF segment without units (aspect ratio only) first: give it the density.
    if raw.len() > 18 && raw[2..4] == [0xFF, 0xE0] && &raw[6..11] == b"JFIF\0" {
        raw[13] = 1;
        raw[14..16].copy_from_slice(&d);
        raw[16..18].copy_from_slice(&d);
        return raw;
    }
    let app0 = [
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x02, 0x01, d[0], d[1], d[0],
        d[1], 0x00, 0x00,
    ];
    let mut out = Vec::with_capacity(raw.len() + app0.len());
    out.extend_from_slice(&raw[..2]);
    out.extend_from_slice(&app0);
    out.extend_from_slice(&raw[2..]);
    out
}

/// Whether the first scan of a baseline Huffman JPEG holds every block its frame
/// needs: `Some(false)` when its entropy-coded data stops short (a copy cut short and
/// given an end marker after the cut, which decoders paint grey without a word).
/// Walks the Huffman codes without decoding a coefficient. `None` when it does not
/// apply (progressive or arithmetic coding, a scan of some components only) or the
/// headers are not what it expects.
pub fn jpeg_scan_complete(b: &[u8]) -> Option<bool> {
    // Huffman tables: (class, id) -> (maxcode, valptr-mincode offset, values) by length.
    #[derive(Clone, Default)]
    struct Table {
        maxcode: [i32; 17],
        delta: [i32; 17],
        vals: Vec<u8>,
    }
    let mut tables: [Option<Table>; 8] = Default::default();
    let mut comps: Vec<(u8, u32, u32)> = Vec::new(); // id, h, v
    let (mut width, mut height, mut restart) = (0u32, 0u32, 0u32);
    let mut i = 2;
    let scan = loop {
        i += memchr::memchr(0xFF, b.get(i..)?)?;
        let m = *b.get(i + 1)?;
        if m == 0xFF || matches!(m, 0x01 | 0xD0..=0xD8) {
            i += if m == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = be16(b.get(i + 2..i + 4)?) as usize;
        let seg = b.get(i + 4..i + 2 + len)?;
        match m {
            0xC0 | 0xC1 => {
                height = be16(seg.get(1..3)?);
                width = be16(seg.get(3..5)?);
                let n = *seg.get(5)? as usize;
                for c in 0..n {
                    let p = seg.get(6 + 3 * c..9 + 3 * c)?;
                    comps.push((p[0], (p[1] >> 4) as u32, (p[1] & 15) as u32));
                }
            }
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xC4 => {
                let mut k = 0;
                while k < seg.len() {
                    let tc = *seg.get(k)?;
                    let counts = seg.get(k + 1..k + 17)?;
                    let total: usize = counts.iter().map(|&c| c as usize).sum();
                    let vals = seg.get(k + 17..k + 17 + total)?.to_vec();
                    let mut t = Table {
                        vals,
                        ..Table::default()
                    };
                    let (mut code, mut at) = (0i32, 0i32);
                    for l in 1..=16 {
                        let n = counts[l - 1] as i32;
                        t.delta[l] = at - code;
                        code += n;
                        at += n;
                        t.maxcode[l] = if n > 0 { code - 1 } else { -1 };
                        code <<= 1;
                    }
                    let slot = ((tc >> 4) & 1) as usize * 4 + (tc & 3) as usize;
                    tables[slot] = Some(t);
                    k += 17 + total;
                }
            }
            0xDD => restart = be16(seg.get(0..2)?),
            0xDA => break seg,
            0xD9 => return None,
            _ => {}
        }
        i += 2 + len;
    };
    let data = b.get(i + 2 + be16(b.get(i + 2..i + 4)?) as usize..)?;
    let ns = *scan.first()? as usize;
    if comps.is_empty() || ns != comps.len() || width == 0 || height == 0 {
        return None;
    }
    let hmax = comps.iter().map(|c| c.1).max()?.max(1);
    let vmax = comps.iter().map(|c| c.2).max()?.max(1);
    // Per component of the scan: blocks per MCU, DC table, AC table.
    let mut plan = Vec::new();
    for c in 0..ns {
        let p = scan.get(1 + 2 * c..3 + 2 * c)?;
        let comp = comps.iter().find(|k| k.0 == p[0])?;
        let dc = tables[(p[1] >> 4) as usize & 3].as_ref()?;
        let ac = tables[4 + (p[1] & 3) as usize].as_ref()?;
        plan.push((if ns == 1 { 1 } else { comp.1 * comp.2 }, dc, ac));
    }
    let mcus = if ns == 1 {
        let c = comps[0];
        (width * c.1).div_ceil(hmax).div_ceil(8) as u64
            * (height * c.2).div_ceil(vmax).div_ceil(8) as u64
    } else {
        width.div_ceil(8 * hmax) as u64 * height.div_ceil(8 * vmax) as u64
    };
    // The bits, stuffing removed; a marker other than a restart ends them.
    struct Bits<'a> {
        d: &'a [u8],
        pos: usize,
        cur: u32,
        left: u32,
    }
    impl Bits<'_> {
        fn bit(&mut self) -> Option<u32> {
            if self.left == 0 {
                let &byte = self.d.get(self.pos)?;
                if byte == 0xFF {
                    match self.d.get(self.pos + 1)? {
                        0x00 => self.pos += 1,
                        _ => return None, // a marker: the data ends here
                    }
                }
                self.pos += 1;
                self.cur = byte as u32;
                self.left = 8;
            }
            self.left -= 1;
            Some((self.cur >> self.left) & 1)
        }
        fn skip(&mut self, n: u32) -> Option<()> {
            for _ in 0..n {
                self.bit()?;
            }
            Some(())
        }
        fn symbol(&mut self, t: &Table) -> Option<u8> {
            let mut code = 0i32;
            for l in 1..=16 {
                code = (code << 1) | self.bit()? as i32;
                if code <= t.maxcode[l] {
                    return t.vals.get((code + t.delta[l]) as usize).copied();
                }
            }
            None
        }
        /// At a restart interval: the byte's last bits, then the RSTn marker.
        fn restart(&mut self) -> Option<()> {
            self.left = 0;
            let m = self.d.get(self.pos..self.pos + 2)?;
            if m[0] == 0xFF && (0xD0..=0xD7).contains(&m[1]) {
                self.pos += 2;
                Some(())
            } else {
                None
            }
        }
    }
    let mut r = Bits {
        d: data,
        pos: 0,
        cur: 0,
        left: 0,
    };
    let mut walk = || -> Option<()> {
        for mcu in 0..mcus {
            if restart > 0 && mcu > 0 && mcu % restart as u64 == 0 {
                r.restart()?;
            }
            for &(blocks, dc, ac) in &plan {
                for _ in 0..blocks {
                    let s = r.symbol(dc)?;
                    r.skip(s as u32 & 15)?;
                    let mut k = 1;
                    while k < 64 {
                        let rs = r.symbol(ac)?;
                        let (run, size) = (rs >> 4, rs & 15);
                        if size == 0 {
                            if run != 15 {
                                break;
                            }
                            k += 16;
                        } else {
                            k += run as u32 + 1;
                            r.skip(size as u32)?;
                        }
                    }
                }
            }
        }
        Some(())
    };
    Some(walk().is_some())
}

/// PNG chunks lossless preparation removes: text, EXIF, modification time.
const PNG_DROPPED: [[u8; 4]; 5] = [*b"tEXt", *b"zTXt", *b"iTXt", *b"eXIf", *b"tIME"];

/// Remove metadata without touching pixels. TIFF and BMP are sent as they are.
fn strip(raw: Vec<u8>, format: Format, h: &Header) -> Result<Vec<u8>, Problem> {
    let nothing = h.metadata.removable_bytes == 0 && h.metadata.trailing_bytes == 0;
    match format {
        Format::Jpeg => {
            if nothing
                && jpeg_end(&raw, h.scan_start as usize).is_some_and(|end| end + 2 == raw.len())
            {
                return Ok(raw);
            }
            let out = strip_jpeg(raw).ok_or_else(|| cut("a JPEG without its end marker"))?;
            Ok(match (h.dpi_from_exif, h.dpi) {
                (true, Some(dpi)) => with_jfif_density(out, dpi),
                _ => out,
            })
        }
        Format::Png => {
            if nothing {
                return Ok(raw);
            }
            let mut p = img_parts::png::Png::from_bytes(raw.into()).map_err(bad)?;
            for kind in PNG_DROPPED {
                p.remove_chunks_by_type(kind);
            }
            if let (true, Some(dpi)) = (h.dpi_from_exif, h.dpi) {
                // pHYs: pixels per metre, both axes, unit 1 (metre); after IHDR.
                let ppm = (dpi as f64 / 0.0254).round() as u32;
                let mut c = Vec::with_capacity(9);
                c.extend_from_slice(&ppm.to_be_bytes());
                c.extend_from_slice(&ppm.to_be_bytes());
                c.push(1);
                let chunk = img_parts::png::PngChunk::new(*b"pHYs", c.into());
                p.chunks_mut().insert(1, chunk);
            }
            Ok(p.encoder().bytes().to_vec())
        }
        Format::Webp => {
            use img_parts::ImageEXIF;
            let mut w = img_parts::webp::WebP::from_bytes(raw.into()).map_err(bad)?;
            w.remove_chunks_by_id(*b"XMP ");
            w.set_exif(None); // also fixes the VP8X flags
            Ok(w.encoder().bytes().to_vec())
        }
        Format::Tiff | Format::Bmp => Ok(raw),
    }
}

/// Dimensions only (for reporting an image refused as too small).
pub fn header_only(raw: &[u8], format: Format) -> Result<Header, Problem> {
    let mut c = Cursor::new(raw);
    match format {
        Format::Jpeg => jpeg(&mut c, raw.len() as u64),
        Format::Png => png(&mut c, raw.len() as u64),
        f => other(&mut c, raw.len() as u64, f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_stripping_matches_img_parts_segment_removal() {
        // The hand-written pass (one copy, no parse of the entropy data) must remove
        // exactly what img-parts' segment list would, on every fixture JPEG.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut seen = 0;
        for sub in ["", "/images"] {
            for e in std::fs::read_dir(format!("{dir}{sub}")).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    continue;
                }
                let raw = std::fs::read(&path).unwrap();
                if !raw.starts_with(&[0xFF, 0xD8]) || path.ends_with("truncated.jpg") {
                    continue;
                }
                let end = jpeg_end(&raw, 2).unwrap();
                let whole = bytes::Bytes::from(raw.clone()).slice(..end + 2);
                let mut j = img_parts::jpeg::Jpeg::from_bytes(whole).unwrap();
                j.segments_mut()
                    .retain(|s| keep_jpeg_segment(s.marker(), s.contents()));
                let want = j.encoder().bytes().to_vec();
                assert_eq!(strip_jpeg(raw).unwrap(), want, "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 4, "{seen} JPEG fixtures");
        let mut cut = std::fs::read(format!("{dir}/face.jpg")).unwrap();
        cut.truncate(cut.len() - 2);
        assert_eq!(strip_jpeg(cut), None);
    }

    #[test]
    fn a_scan_cut_short_is_found_even_with_an_end_marker() {
        // image's encoder (4:2:0 colour) and a grey one, whole and cut at three points.
        let rgb = image::RgbImage::from_fn(203, 151, |x, y| {
            image::Rgb([(x * 3) as u8, (y * 5) as u8, (x ^ y) as u8])
        });
        let grey = image::DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
        for img in [
            image::DynamicImage::ImageRgb8(rgb),
            image::DynamicImage::ImageLuma8(grey),
        ] {
            let mut j = Vec::new();
            img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut j, 90,
            ))
            .unwrap();
            assert_eq!(jpeg_scan_complete(&j), Some(true));
            let sos = j.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
            let start = sos + 2 + be16(&j[sos + 2..]) as usize;
            let n = j.len() - 2 - start;
            for keep in [n / 10, n / 2, n - 40] {
                let cut = [&j[..start + keep], &[0xFF, 0xD9][..]].concat();
                assert_eq!(jpeg_scan_complete(&cut), Some(false), "{keep} of {n}");
            }
        }
    }

    #[test]
    fn fit_keeps_the_aspect_ratio() {
        assert_eq!(fit(4000, 3000, 1920), (1920, 1440));
        assert_eq!(fit(3000, 4000, 1920), (1440, 1920));
        assert_eq!(fit(10000, 1, 100), (100, 1));
    }

    #[test]
    fn the_end_marker_follows_the_marker_structure() {
        // FF00 (stuffed), a restart marker, a DHT between scans, then EOI, then junk.
        let b = [
            0x01, 0xFF, 0x00, 0x02, 0xFF, 0xD3, 0xFF, 0xC4, 0x00, 0x04, 0xFF, 0xD9, 0x07, 0xFF,
            0xD9, 0x00,
        ];
        assert_eq!(jpeg_end(&b, 0), Some(13));
        assert_eq!(jpeg_end(&b[..13], 0), None);
    }

    #[test]
    fn tiff_resolution_is_read() {
        let img = image::GrayImage::from_fn(80, 90, |x, y| image::Luma([(x ^ y) as u8]));
        let mut buf = Cursor::new(Vec::new());
        use image::ImageEncoder as _;
        image::codecs::tiff::TiffEncoder::new(&mut buf)
            .write_image(img.as_raw(), 80, 90, image::ExtendedColorType::L8)
            .unwrap();
        let mut b = buf.into_inner();
        // The encoder writes no resolution: none is reported.
        let h = inspect(&mut Cursor::new(&b[..]), b.len() as u64, Format::Tiff).unwrap();
        assert_eq!((h.width, h.height, h.dpi), (80, 90, None));
        // Append an IFD with XResolution 500/1 (inch) and point the header at it.
        let ifd = b.len() as u32;
        let rat = ifd + 2 + 12 + 4;
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&282u16.to_le_bytes());
        b.extend_from_slice(&5u16.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&rat.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&500u32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        assert_eq!(&b[0..2], b"II");
        b[4..8].copy_from_slice(&ifd.to_le_bytes());
        assert_eq!(
            tiff_dpi(&mut Cursor::new(&b[..]), &mut Metadata::default()).unwrap(),
            Some(500)
        );
    }

    #[test]
    fn only_faces_are_re_encoded() {
        let h = Header {
            width: 4000,
            height: 3000,
            orientation: 6,
            ..Header::default()
        };
        let mut o = Options::new(10);
        o.max_dimension = Some(1000);
        let p = plan(&h, Role::Face, &o);
        assert_eq!(p.rotate, Some(6));
        assert_eq!(p.resize, Some((750, 1000)));
        assert!(!plan(&h, Role::Finger, &o).reencodes());
        o.keep_metadata = true;
        assert!(!plan(&h, Role::Face, &o).reencodes());
    }
}
