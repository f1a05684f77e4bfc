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
    /// The EXIF orientation 1-8 (1 when there is none); `None` when the header was
    /// not read, or when an EXIF block is there but its orientation cannot be known
    /// (then `orientation_unknown`, and an `EXIF_UNREADABLE` finding).
    pub orientation: Option<u16>,
    /// The header was read but its EXIF orientation cannot be known (the JSON says
    /// it as `"orientation": null` and the finding; the text as "orientation unknown").
    #[serde(skip)]
    pub orientation_unknown: bool,
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
    /// What the service's quality operations said (`check --remote` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<Remote>,
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
    check_file_prepared(path, role, opts, strict).0
}

/// [`check_file`], also returning the bytes a send would send (`None` when
/// preparation did not get that far): what `check --remote` sends to the service's
/// quality operations.
pub fn check_file_prepared(
    path: &std::path::Path,
    role: Role,
    opts: &Options,
    strict: bool,
) -> (Report, Option<Vec<u8>>) {
    let mut r = Report {
        file: path.display().to_string(),
        role,
        format: None,
        width: None,
        height: None,
        bytes: None,
        orientation: None,
        orientation_unknown: false,
        metadata: vec![],
        dpi: None,
        dpi_from_exif: false,
        prepared_bytes: None,
        preparation: None,
        faces: None,
        remote: None,
        findings: vec![],
        ok: false,
    };
    let mut prepared = None;
    examine_file(path, role, opts, strict, &mut r, &mut prepared);
    r.ok = !r.findings.iter().any(|f| f.blocking);
    (r, prepared)
}

fn examine_file(
    path: &std::path::Path,
    role: Role,
    opts: &Options,
    strict: bool,
    r: &mut Report,
    prepared: &mut Option<Vec<u8>>,
) {
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
    if let Err(p) = crate::images::within_pixels(&h) {
        return r.add(p.code, p.what);
    }
    // Unknown is said as unknown (issue 15), never as the 1 a send treats it as.
    r.orientation = (!h.orientation_unknown).then_some(h.orientation);
    r.orientation_unknown = h.orientation_unknown;
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
            } else {
                *prepared = Some(bytes);
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

/// What the service's quality operations said of one image (`check --remote`):
/// faces get `face_detect`, `icao` and `liveness`; fingerprints `nfiq`. Each is the
/// answer's summary or, when that check failed, `{"error":{..}}` (and the report has
/// a `REMOTE_ERROR` finding).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Remote {
    /// Face detect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_detect: Option<Answer<FaceDetect>>,
    /// The ICAO check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icao: Option<Answer<Icao>>,
    /// Liveness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Answer<Liveness>>,
    /// The NFIQ check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nfiq: Option<Answer<Nfiq>>,
}

/// One check's outcome: its summary, or why it failed.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Answer<T> {
    /// The service answered.
    Ok(T),
    /// The check failed (its `REMOTE_ERROR` finding says the same).
    Failed {
        /// What failed.
        error: RemoteFailure,
    },
}

/// A failed check: the failure's kind (as in the exit-code table: `unavailable`,
/// `protocol`, `invalid`, ...), the HTTP status if any, and the message (sanitised,
/// the key redacted).
#[derive(Debug, Clone, Serialize)]
pub struct RemoteFailure {
    /// The kind's name ([`crate::error::Kind::name`]).
    pub kind: &'static str,
    /// The HTTP status, when the service answered.
    pub status: Option<u16>,
    /// The message.
    pub message: String,
}

/// Face detect's answer.
#[derive(Debug, Clone, Serialize)]
pub struct FaceDetect {
    /// `FaceNumber`.
    pub faces: u64,
    /// `FaceRects`.
    pub rects: Vec<crate::wire::FaceRect>,
}

/// The ICAO check's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Icao {
    /// `FaceImageConformed` (range undocumented; inferred 0-100).
    pub conformed: Option<f64>,
    /// `IsAllConformed`.
    pub all_conformed: bool,
    /// The requirements answered not conformed, in the order sent.
    pub failed: Vec<String>,
    /// Every requirement: `{"NAME":{"conformed":bool,"confidence":number|null}}`.
    pub requirements: serde_json::Map<String, serde_json::Value>,
}

/// Liveness's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Liveness {
    /// `Success`.
    pub success: bool,
    /// `result`: `Ok`, `No Faces Detected`, `Multiple Faces Detected`, ...
    pub result: String,
    /// `spoof` (absent from some answers).
    pub spoof: Option<bool>,
    /// `success && !spoof`, the vendor demo's pass rule.
    pub passed: bool,
}

/// The NFIQ check's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Nfiq {
    /// `Quality`, as sent.
    pub quality: f64,
    /// Always `unknown`: whether it is NFIQ 1's 1-5 (1 best) or NFIQ 2's 0-100
    /// (higher better) is not documented.
    pub scale: &'static str,
}

impl Remote {
    /// Record `op`'s answer (a complete one: the client checked it).
    pub fn record(&mut self, op: crate::request::Op, body: &crate::wire::Response) {
        use crate::request::Op;
        let clean = |s: &str| crate::sanitize::sanitize(s, 200);
        match op {
            Op::FaceDetect => {
                if let Some(d) = &body.detected_faces {
                    self.face_detect = Some(Answer::Ok(FaceDetect {
                        faces: d.face_number,
                        rects: d.face_rects.clone(),
                    }));
                }
            }
            Op::Icao => {
                if let Some(i) = &body.icao {
                    let reqs = &i.requirements.0;
                    self.icao = Some(Answer::Ok(Icao {
                        conformed: i.face_image_conformed,
                        all_conformed: i.is_all_conformed,
                        failed: reqs
                            .iter()
                            .filter(|(_, r)| !r.is_conformed)
                            .map(|(n, _)| clean(n))
                            .collect(),
                        requirements: reqs
                            .iter()
                            .map(|(n, r)| {
                                (
                                    clean(n),
                                    serde_json::json!({"conformed": r.is_conformed, "confidence": r.confidence}),
                                )
                            })
                            .collect(),
                    }));
                }
            }
            Op::Liveness => {
                let success = body.success == Some(true);
                self.liveness = Some(Answer::Ok(Liveness {
                    success,
                    result: clean(body.result.as_deref().unwrap_or_default()),
                    spoof: body.spoof,
                    passed: success && body.spoof == Some(false),
                }));
            }
            Op::Nfiq => {
                if let Some(n) = body.nfiq {
                    self.nfiq = Some(Answer::Ok(Nfiq {
                        quality: n.quality,
                        scale: "unknown",
                    }));
                }
            }
            Op::Enroll | Op::Update | Op::Verify | Op::Delete => {}
        }
    }

    /// Record that `op` failed.
    pub fn failed(&mut self, op: crate::request::Op, f: &crate::error::Failure) {
        use crate::request::Op;
        let error = RemoteFailure {
            kind: f.kind.name(),
            status: f.status,
            message: f.message.clone(),
        };
        match op {
            Op::FaceDetect => self.face_detect = Some(Answer::Failed { error }),
            Op::Icao => self.icao = Some(Answer::Failed { error }),
            Op::Liveness => self.liveness = Some(Answer::Failed { error }),
            Op::Nfiq => self.nfiq = Some(Answer::Failed { error }),
            Op::Enroll | Op::Update | Op::Verify | Op::Delete => {}
        }
    }
}

impl Report {
    /// Add a `REMOTE_ERROR` finding: `op` failed with `f` (a warning: it says
    /// nothing of the image).
    pub fn remote_error(&mut self, op: crate::request::Op, f: &crate::error::Failure) {
        self.remote
            .get_or_insert_with(Remote::default)
            .failed(op, f);
        self.findings.push(Finding {
            code: Code::RemoteError,
            blocking: false,
            message: format!(
                "{} check failed ({}): {}",
                op.name(),
                f.kind.name(),
                f.message
            ),
        });
    }

    /// Record `op`'s answer.
    pub fn remote_answer(&mut self, op: crate::request::Op, body: &crate::wire::Response) {
        self.remote
            .get_or_insert_with(Remote::default)
            .record(op, body);
    }
}
