//! `biopass check`: what is known about an image without sending it. Reads the
//! whole file, inspects its header, decodes every pixel and prepares it as a send
//! would ([`crate::images::prepare`]); nothing is sent and nothing written.

use std::io::{Cursor, Read};

use serde::Serialize;

use crate::images::prepare::{
    Code, Options, Role, SUGGESTED_MAX_DIMENSION, decode, header_only, inspect, plan, prepare,
};

/// One finding of `check`: a stable code, whether it stops the image from being
/// sent, and a message for people (never the image's contents).
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The stable code.
    pub code: Code,
    /// Whether it stops the image from being sent.
    pub blocking: bool,
    /// What was found and what to do.
    pub message: String,
}

/// What `check` found in one image: everything known without sending it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The path as given (or as resolved from the manifest).
    pub file: String,
    /// Face or fingerprint: fingerprints are never re-encoded.
    pub role: Role,
    /// The format by content (`JPEG`, `PNG`, `TIFF`, `BMP`, `WebP`), if recognised.
    pub format: Option<String>,
    /// Width in pixels as stored.
    pub width: Option<u32>,
    /// Height in pixels as stored.
    pub height: Option<u32>,
    /// The file's size in bytes.
    pub bytes: Option<u64>,
    /// The EXIF orientation 1-8 (1 when there is none).
    pub orientation: Option<u16>,
    /// Metadata found: `gps`, `camera`, `comments`, `xmp`, `iptc`, `thumbnail`,
    /// `exif`, `trailing_data`, `other`.
    pub metadata: Vec<&'static str>,
    /// Recorded resolution, dots per inch.
    pub dpi: Option<u32>,
    /// The resolution is recorded only in EXIF: it is written back (JFIF density,
    /// PNG pHYs) when the EXIF block is removed.
    pub dpi_from_exif: bool,
    /// The size that would be sent after preparation.
    pub prepared_bytes: Option<u64>,
    /// What preparation would do.
    pub preparation: Option<String>,
    /// What the face gate found (faces only, and only with the gate on).
    pub faces: Option<crate::images::face::Faces>,
    /// What was found.
    pub findings: Vec<Finding>,
    /// No finding blocks: the image would be sent.
    pub ok: bool,
}

impl Report {
    fn add(&mut self, code: Code, message: impl Into<String>) {
        self.findings.push(Finding {
            code,
            blocking: code.blocks(),
            message: message.into(),
        });
    }
}

/// `check` one file: read it whole, inspect its header, decode every pixel, and
/// prepare it as a send would (nothing is sent, nothing written).
/// With `opts.face_check`, faces also go through the face gate ([`crate::images::face`]);
/// `strict` makes its warnings block.
pub fn check_file(path: &std::path::Path, role: Role, opts: &Options, strict: bool) -> Report {
    let mut r = Report {
        file: path.display().to_string(),
        role,
        format: None,
        width: None,
        height: None,
        bytes: None,
        orientation: None,
        metadata: vec![],
        dpi: None,
        dpi_from_exif: false,
        prepared_bytes: None,
        preparation: None,
        faces: None,
        findings: vec![],
        ok: false,
    };
    examine_file(path, role, opts, strict, &mut r);
    r.ok = !r.findings.iter().any(|f| f.blocking);
    r
}

fn examine_file(path: &std::path::Path, role: Role, opts: &Options, strict: bool, r: &mut Report) {
    let source = crate::images::Source::File(path.to_path_buf());
    let raw = match read_for_check(path, opts.read_cap(role)) {
        Ok(b) => b,
        Err((code, m)) => return r.add(code, m),
    };
    let len = raw.len() as u64;
    r.bytes = Some(len);
    if raw.is_empty() {
        return r.add(Code::Empty, "is empty");
    }
    let format = match crate::images::identify(&source, &raw[..raw.len().min(512)], len) {
        Ok(f) => f,
        Err(f) => {
            let m = f.message;
            let m = m
                .strip_prefix(&source.to_string())
                .unwrap_or(&m)
                .trim_start();
            return r.add(Code::UnsupportedFormat, m);
        }
    };
    r.format = Some(format.to_string());
    let h = match inspect(&mut Cursor::new(&raw[..]), len, format) {
        Ok(h) => h,
        Err(p) => {
            // Sizes are still worth reporting for a too-small image.
            if p.code == Code::TooSmall
                && let Ok(h) = header_only(&raw, format)
            {
                (r.width, r.height) = (Some(h.width), Some(h.height));
            }
            return r.add(p.code, p.what);
        }
    };
    (r.width, r.height) = (Some(h.width), Some(h.height));
    r.orientation = Some(h.orientation);
    r.metadata = h.metadata.names();
    r.dpi = h.dpi;
    let pixels = match decode(&raw, format) {
        Ok(img) => img,
        Err(p) => return r.add(p.code, p.what),
    };
    // The decoder paints missing blocks grey without a word: count them.
    if format == crate::images::format::Format::Jpeg
        && crate::images::prepare::jpeg_scan_complete(&raw) == Some(false)
    {
        return r.add(
            Code::Truncated,
            "is cut short: its pixel data stops before the image is complete (an end marker follows the cut); copy it again from the original",
        );
    }
    let gate = role == Role::Face && opts.face_check;
    if h.orientation_unknown {
        let what = if gate {
            "has an EXIF block whose orientation cannot be read: the face cannot be turned upright; export it again (--no-face-check sends it as stored)"
        } else {
            "has an EXIF block whose orientation cannot be read: it is sent as stored"
        };
        r.findings.push(Finding {
            code: Code::ExifUnreadable,
            blocking: gate,
            message: what.into(),
        });
    }
    if gate {
        let grey = crate::images::prepare::upright(pixels, h.orientation).into_luma8();
        let faces = crate::images::face::examine(&grey);
        for (code, blocking, message) in faces.findings(strict) {
            r.findings.push(Finding {
                code,
                blocking,
                message,
            });
        }
        r.faces = Some(faces);
    } else {
        drop(pixels);
    }
    let kept = opts.keep_metadata;
    if h.orientation != 1 {
        let what = match (role, kept) {
            (_, true) => "is sent as stored, sideways, with its tag (--keep-metadata)",
            (Role::Face, false) => "is turned upright and re-encoded as JPEG before sending",
            (Role::Finger, false) => {
                "is sent as stored: fingerprints are never re-encoded (the tag is removed)"
            }
        };
        r.add(
            Code::Rotated,
            format!("has EXIF orientation {}: it {what}", h.orientation),
        );
    }
    let removal = if kept {
        "sent because of --keep-metadata"
    } else if matches!(
        format,
        crate::images::format::Format::Tiff | crate::images::format::Format::Bmp
    ) && !p_reencodes(&h, role, opts)
    {
        "sent: TIFF and BMP files are sent as they are; export as PNG to drop it"
    } else {
        "removed before sending"
    };
    if h.metadata.gps {
        r.add(Code::HasGps, format!("carries a GPS position ({removal})"));
    }
    let others: Vec<_> = r
        .metadata
        .iter()
        .filter(|n| **n != "gps")
        .copied()
        .collect();
    if !others.is_empty() {
        r.add(
            Code::HasMetadata,
            format!("carries metadata: {} ({removal})", others.join(", ")),
        );
    }
    r.dpi_from_exif = h.dpi_from_exif;
    if role == Role::Finger && h.dpi != Some(500) {
        r.add(
            Code::FingerDpiNot500,
            match h.dpi {
                Some(d) => format!("records {d} dpi; fingerprint matchers expect 500 dpi"),
                None => "records no resolution; fingerprint matchers expect 500 dpi".into(),
            },
        );
    }
    let p = plan(&h, role, opts);
    if let Some((w, hh)) = p.resize {
        let (w0, h0) = h.upright();
        r.add(
            Code::Downscaled,
            format!("is downscaled from {w0}x{h0} to {w}x{hh} (--max-dimension)"),
        );
    }
    if len > opts.max_bytes && !p.reencodes() {
        return r.add(Code::TooLarge, too_large_what(len, role, opts));
    }
    match prepare(raw, format, &h, role, opts) {
        Ok((bytes, _, prep)) => {
            r.prepared_bytes = Some(bytes.len() as u64);
            r.preparation = Some(
                if !prep.kept
                    && !prep.reencoded
                    && !r.metadata.is_empty()
                    && matches!(
                        format,
                        crate::images::format::Format::Tiff | crate::images::format::Format::Bmp
                    )
                {
                    "sent as is, with its metadata (TIFF and BMP are not rewritten)".into()
                } else {
                    prep.describe()
                },
            );
            if bytes.len() as u64 > opts.max_bytes {
                r.add(
                    Code::TooLarge,
                    too_large_what(bytes.len() as u64, role, opts),
                );
            }
        }
        Err(p) => r.add(p.code, p.what),
    }
}

fn p_reencodes(h: &crate::images::prepare::Header, role: Role, opts: &Options) -> bool {
    plan(h, role, opts).reencodes()
}

fn too_large_what(n: u64, role: Role, opts: &Options) -> String {
    let fix = if role == Role::Face && !opts.keep_metadata {
        format!(
            "downscale it with --max-dimension {SUGGESTED_MAX_DIMENSION}, or raise --max-image-bytes"
        )
    } else {
        "raise --max-image-bytes".into()
    };
    format!(
        "is {} bytes to send, over the {} bytes limit: {fix}",
        n, opts.max_bytes
    )
}

fn read_for_check(path: &std::path::Path, cap: u64) -> Result<Vec<u8>, (Code, String)> {
    let unreadable = |e: std::io::Error| {
        let why = crate::regular::io_reason(&e);
        (Code::Unreadable, format!("cannot be read: {why}"))
    };
    let (f, meta) = crate::regular::open(path).map_err(unreadable)?;
    if meta.len() > cap {
        return Err((
            Code::TooLarge,
            format!(
                "is {} bytes, more than the {cap} bytes accepted for one image",
                meta.len()
            ),
        ));
    }
    let mut v = Vec::with_capacity(meta.len() as usize);
    f.take(cap.saturating_add(1))
        .read_to_end(&mut v)
        .map_err(unreadable)?;
    Ok(v)
}
