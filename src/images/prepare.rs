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
//!
//! This module holds the types, the plan and [`prepare`] itself; the header walkers
//! are in `inspect.rs`, the scan-completeness walk in `scan.rs`, the lossless
//! metadata removal in `strip.rs`, decoding and re-encoding in `encode.rs` (their
//! public functions are re-exported here).

use serde::Serialize;

use crate::images::format::Format;

pub use super::encode::{decode, upright};
use super::encode::{decode_jpeg_grey, reencode};
pub use super::inspect::{header_only, inspect, jpeg_end};
pub use super::scan::jpeg_scan_complete;
use super::strip::strip;

/// Images smaller than this on a side are refused.
pub const MIN_SIDE: u32 = 64;
/// JPEG quality used when a face must be re-encoded (turned upright or downscaled).
pub const JPEG_QUALITY: u8 = 92;
/// The largest face file that may be read when preparation re-encodes it (turns it
/// upright or downscales it); the re-encoded result must still fit the size limit.
pub const REENCODE_INPUT_MAX: u64 = 64 * 1024 * 1024;
/// The most pixels decoded for one image (re-encoding, `check`): 100 megapixels.
pub const MAX_PIXELS: u64 = 100_000_000;

/// Refuse `w` x `h` pixels when over [`MAX_PIXELS`] (`TOO_LARGE`). The counts are
/// given whole, with thousands separators: rounded to megapixels, an image just over
/// the limit (10000x10001) would read "100 megapixels, over the 100 megapixels".
pub fn within_pixel_limit(w: u64, h: u64) -> Result<(), Problem> {
    if w * h <= MAX_PIXELS {
        return Ok(());
    }
    Err(problem(
        Code::TooLarge,
        format!(
            "is {w}x{h} pixels, {} in all: over the limit of {} pixels decoded for one image; scale it down first",
            thousands(w * h),
            thousands(MAX_PIXELS)
        ),
    ))
}

/// `n` with a comma every three digits: 100010000 -> "100,010,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
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

pub(super) fn problem(code: Code, what: impl Into<String>) -> Problem {
    Problem {
        code,
        what: what.into(),
    }
}

pub(super) fn cut(what: &str) -> Problem {
    problem(
        Code::Truncated,
        format!("is cut short ({what}); copy it again from the original"),
    )
}

pub(super) fn bad(what: impl std::fmt::Display) -> Problem {
    problem(
        Code::NotDecodable,
        format!("cannot be decoded ({what}); open and export it again"),
    )
}

pub(super) fn be16(b: &[u8]) -> u32 {
    u16::from_be_bytes([b[0], b[1]]) as u32
}

pub(super) fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_the_aspect_ratio() {
        assert_eq!(fit(4000, 3000, 1920), (1920, 1440));
        assert_eq!(fit(3000, 4000, 1920), (1440, 1920));
        assert_eq!(fit(10000, 1, 100), (100, 1));
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
