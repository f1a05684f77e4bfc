//! The vocabulary every stage of image handling shares: what a header says
//! ([`Header`], [`Metadata`]), the codes and problems an image can have ([`Code`],
//! [`Problem`]), and the limits. The walkers (`inspect.rs`, `scan.rs`), the lossless
//! removal (`strip.rs`), decoding (`encode.rs`) and preparation (`prepare.rs`) all
//! build on it, and none of them on each other's types.

use serde::Serialize;

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

/// Metadata an image carries (found by [`inspect`](super::prepare::inspect); never its values).
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

/// Stable codes of what [`inspect`](super::prepare::inspect), [`prepare`](super::prepare::prepare) and `check` find.
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
