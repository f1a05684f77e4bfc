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
//! This module holds the options, the plan and [`prepare`] itself; the types every
//! stage shares (the header, the codes, the limits) are in `header.rs`, the header
//! walkers in `inspect.rs`, the scan-completeness walk in `scan.rs`, the lossless
//! metadata removal in `strip.rs`, decoding and re-encoding in `encode.rs` (their
//! public functions are re-exported here).

use serde::Serialize;

use crate::images::format::Format;

pub use super::encode::{decode, upright};
use super::encode::{decode_jpeg_grey, reencode};
pub use super::header::{
    Code, Header, JPEG_QUALITY, MAX_PIXELS, MIN_SIDE, Metadata, Problem, REENCODE_INPUT_MAX,
    within_pixel_limit,
};
pub use super::inspect::{header_only, inspect, jpeg_end};
pub use super::scan::jpeg_scan_complete;
use super::strip::strip;

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
