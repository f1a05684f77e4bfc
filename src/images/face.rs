//! The offline face gate: find the faces in an upright face photo and measure the
//! largest one, before anything is sent (issue 15).
//!
//! Detection is SeetaFace's funnel-structured cascade (the `rustface` port) with its
//! frontal model embedded in the binary (`assets/`, BSD-2-Clause): nothing is
//! downloaded at run time. The model is parsed once per process, on the first face
//! that is looked at ([`OnceLock`]), so commands that detect nothing (`--version`,
//! `delete`) never pay for it. A detection borrows a detector (a copy of the model
//! and its working buffers, about 2.7 MB) from one pool and gives it back, so there
//! are as many as detections ever ran at once (in a batch about one per CPU, as
//! photos are prepared one per CPU), not one per thread that ever detected: a
//! batch's blocking threads come and go, and a copy per thread added up.
//!
//! Detection runs on a grey copy of the upright pixels scaled down to
//! [`DETECT_SIDE`] on its long side (a 1280x960 photo is looked at as 320x240): the
//! box rules only need the box to a few per cent, and the cost falls with the
//! square of the side. The detector's window is [`SMALLEST_FACE`] px, so on that copy
//! a face under about a sixth of a landscape frame's height is not found; when
//! nothing is found and the image is larger than the copy, detection runs once more
//! on a copy [`RETRY_SIDE`] px long (twice the side), so that a small face is
//! reported as `FACE_TOO_SMALL` (a warning) rather than `NO_FACE` (a refusal). Only
//! photos with no face found pay for it (about four times the first pass's
//! detection), the rare refused ones; a photo whose large face was found is not
//! looked at again, so a second face too small for the first pass is not counted
//! (`SEVERAL_FACES` sees second faces down to the first pass's size).
//! Sharpness and exposure are measured on the face box in the
//! full-resolution grey image, resampled to a fixed box height so that the figures
//! do not depend on how large the photo is.
//!
//! Every threshold is a constant here and in the README (section "Images"), each
//! with its source.

use std::sync::{Mutex, OnceLock};

use serde::Serialize;

use crate::images::prepare::Code;

/// The SeetaFace frontal detection model (`seeta_fd_frontal_v1.0.bin`, as shipped in
/// the `rustface` 0.1.7 crate; BSD-2-Clause, see `assets/`).
static MODEL_BYTES: &[u8] = include_bytes!("../../assets/seeta_fd_frontal_v1.0.bin");

/// The detector's score threshold in production: SeetaFace's own example program
/// (`facedetection_test.cpp`) uses 2.0. Never lowered to make a picture pass.
pub const SCORE_THRESHOLD: f64 = 2.0;
/// Long side, in pixels, of the grey copy detection runs on.
pub const DETECT_SIDE: u32 = 320;
/// Long side of the copy looked at a second time when [`DETECT_SIDE`] found no face
/// (and the image is larger than that): faces down to [`SMALLEST_FACE`] px of it,
/// a twelfth of a landscape frame's height, are found.
pub const RETRY_SIDE: u32 = 2 * DETECT_SIDE;
/// The smallest face size set on the detector (its own minimum). In practice
/// `rustface` 0.1.7 ignores it: its image pyramid starts at full size with a 40 px
/// window, so the smallest face found is [`SMALLEST_FACE`] px of the detection copy.
pub const MIN_DETECT_FACE: u32 = 20;
/// The smallest face found, in pixels of the detection copy: 40 of 240 is 17 % of a
/// landscape frame's height on the first pass, 40 of 480 (8 %) on the second
/// ([`RETRY_SIDE`]); both under the [`MIN_FACE_HEIGHT`] rule (40 %), so a small
/// face down to that size is reported as small, not as missing. The edge is soft:
/// boxes of 31-34 px are sometimes found, at scores near the threshold.
pub const SMALLEST_FACE: u32 = 40;

/// `FACE_TOO_SMALL` under this box height, as a fraction of the frame height.
/// Source: BioPassID's capture SDK accepts a face box 0.4 to 1.0 of the frame.
pub const MIN_FACE_HEIGHT: f64 = 0.4;
/// `FACE_OFF_CENTRE` when the box centre is further than this fraction of the
/// frame's width from the vertical middle line. Source: the SDK's "centre near the
/// middle"; ICAO 9303 part 3 / ISO/IEC 19794-5 put the face's centre line within
/// 45-55 % of the width for a passport crop, which a phone photo rarely is, so the
/// gate allows three times that.
pub const MAX_OFFSET_X: f64 = 0.15;
/// The same vertically, as a fraction of the frame's height.
pub const MAX_OFFSET_Y: f64 = 0.2;
/// Height in pixels that the face box is resampled to before sharpness is measured.
pub const MEASURE_HEIGHT: u32 = 128;
/// `BLURRY` when the variance of the Laplacian on the resampled face box is under
/// this. Source: the variance-of-Laplacian focus measure (Pech-Pacheco et al., 2000),
/// the measure behind OFIQ's sharpness features; the figure is this project's,
/// set between a sharp and a Gaussian-blurred (sigma 3 px at 128 px) rendering of the
/// test faces.
pub const MIN_SHARPNESS: f64 = 40.0;
/// `TOO_DARK` when the mean grey level of the face box (0-255) is under this.
/// Source: OFIQ's "luminance mean" measure and ICAO 9303's "no under-exposure".
pub const MIN_BRIGHTNESS: f64 = 50.0;
/// `OVEREXPOSED` when the mean grey level of the face box is over this...
pub const MAX_BRIGHTNESS: f64 = 210.0;
/// ...or when more than this fraction of the box is clipped white (250 or more).
/// Source: ICAO 9303's "no over-exposure, no saturated areas on the face".
pub const MAX_CLIPPED: f64 = 0.25;

/// A face found, in pixels of the upright image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaceBox {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// The detector's score (at least [`SCORE_THRESHOLD`]).
    pub score: f64,
}

/// What the face gate found in one upright face image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Faces {
    /// How many faces were found.
    pub count: usize,
    /// The largest face, if any.
    pub largest: Option<FaceBox>,
    /// Every face found, the largest first (what the sandbox's face detect answers);
    /// not in `check`'s JSON, which reports the largest.
    #[serde(skip)]
    pub boxes: Vec<FaceBox>,
    /// Its height as a fraction of the image's height.
    pub relative_height: Option<f64>,
    /// How far its centre is from the image's centre, as fractions of the width and
    /// the height (negative: left of / above the centre).
    pub offset: Option<(f64, f64)>,
    /// Variance of the Laplacian on the face box resampled to [`MEASURE_HEIGHT`] px.
    pub sharpness: Option<f64>,
    /// Mean grey level (0-255) on the face box.
    pub brightness: Option<f64>,
    /// Fraction of the face box at 250 or brighter.
    pub clipped: Option<f64>,
}

impl Faces {
    /// The findings, most important first: each with whether it blocks and a
    /// message for people. `NO_FACE` and `SEVERAL_FACES` block; the rest block only
    /// when `strict`.
    pub fn findings(&self, strict: bool) -> Vec<(Code, bool, String)> {
        let mut v = Vec::new();
        if self.count == 0 {
            v.push((
                Code::NoFace,
                true,
                "shows no face the detector can find (a frontal face, upright, lit, not covered)"
                    .to_string(),
            ));
            return v;
        }
        if self.count > 1 {
            v.push((
                Code::SeveralFaces,
                true,
                format!("shows {} faces; the photo must show one person", self.count),
            ));
        }
        if let Some(r) = self.relative_height.filter(|&r| r < MIN_FACE_HEIGHT) {
            v.push((
                Code::FaceTooSmall,
                strict,
                format!(
                    "has a face {:.0} % of the image's height, under {:.0} %: crop closer",
                    r * 100.0,
                    MIN_FACE_HEIGHT * 100.0
                ),
            ));
        }
        if let Some((dx, dy)) = self
            .offset
            .filter(|(dx, dy)| dx.abs() > MAX_OFFSET_X || dy.abs() > MAX_OFFSET_Y)
        {
            v.push((
                Code::FaceOffCentre,
                strict,
                format!(
                    "has its face off centre ({:+.0} % across, {:+.0} % down): centre it",
                    dx * 100.0,
                    dy * 100.0
                ),
            ));
        }
        if let Some(s) = self.sharpness.filter(|&s| s < MIN_SHARPNESS) {
            v.push((
                Code::Blurry,
                strict,
                format!("has a blurry face (sharpness {s:.0}, under {MIN_SHARPNESS:.0})"),
            ));
        }
        if let Some(b) = self.brightness {
            if b < MIN_BRIGHTNESS {
                v.push((
                    Code::TooDark,
                    strict,
                    format!(
                        "has a face too dark (mean level {b:.0} of 255, under {MIN_BRIGHTNESS:.0})"
                    ),
                ));
            } else if b > MAX_BRIGHTNESS || self.clipped.is_some_and(|c| c > MAX_CLIPPED) {
                v.push((
                    Code::Overexposed,
                    strict,
                    format!(
                        "has an overexposed face (mean level {b:.0} of 255, {:.0} % clipped white)",
                        self.clipped.unwrap_or(0.0) * 100.0
                    ),
                ));
            }
        }
        v
    }
}

fn model() -> &'static rustface::Model {
    static MODEL: OnceLock<rustface::Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        rustface::read_model(MODEL_BYTES).expect("the embedded model is well-formed")
    })
}

/// A detector in the pool.
struct Pooled(Box<dyn rustface::Detector>);

// SAFETY: `rustface::Detector` has no `Send` bound, but its one implementation (the
// `FuStDetector` that `create_detector_with_model` boxes, rustface 0.1.7 as locked)
// holds only owned data: the model's `Vec`s, its feature maps' `Vec` buffers and
// numbers; no `Rc`, no raw pointer, no thread-local. A pooled detector is used by
// one thread at a time (it is out of the pool while it detects).
unsafe impl Send for Pooled {}

/// How many detectors were made (see [`detectors_made`]).
static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The detectors not in use.
static POOL: Mutex<Vec<Pooled>> = Mutex::new(Vec::new());

fn pool() -> std::sync::MutexGuard<'static, Vec<Pooled>> {
    POOL.lock().unwrap_or_else(|p| p.into_inner())
}

/// The faces in a grey image (one byte per pixel, row by row), boxes in its pixels.
/// Borrows a detector from the pool (made from the model parsed once when none is
/// free) and gives it back.
pub fn detect(pixels: &[u8], width: u32, height: u32) -> Vec<FaceBox> {
    if width < MIN_DETECT_FACE || height < MIN_DETECT_FACE {
        return vec![];
    }
    let taken = pool().pop();
    let mut d = taken.unwrap_or_else(|| {
        let mut d = rustface::create_detector_with_model(model().clone());
        d.set_min_face_size(MIN_DETECT_FACE);
        d.set_score_thresh(SCORE_THRESHOLD);
        d.set_pyramid_scale_factor(0.8);
        d.set_slide_window_step(4, 4);
        MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Pooled(d)
    });
    let found = {
        let img = rustface::ImageData::new(pixels, width, height);
        d.0.detect(&img)
            .into_iter()
            .map(|f| {
                let b = f.bbox();
                let x = b.x().max(0) as u32;
                let y = b.y().max(0) as u32;
                FaceBox {
                    x,
                    y,
                    width: b.width().min(width.saturating_sub(x)),
                    height: b.height().min(height.saturating_sub(y)),
                    score: round(f.score(), 3),
                }
            })
            .filter(|b| b.width > 0 && b.height > 0)
            .collect::<Vec<_>>()
    };
    // A detection that panicked drops its detector instead (the pool never holds
    // one left half-way).
    pool().push(d);
    found
}

/// How many detectors this process made (each stays, in the pool or in use): what
/// detection holds in memory. For tests.
#[doc(hidden)]
pub fn detectors_made() -> usize {
    MADE.load(std::sync::atomic::Ordering::Relaxed)
}

/// A grey copy of `img` (already upright) with its long side at most `side`,
/// each pixel the mean of the block it covers.
pub fn shrink(img: &image::GrayImage, side: u32) -> image::GrayImage {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    if long <= side {
        return img.clone();
    }
    let (nw, nh) = crate::images::prepare::fit(w, h, side);
    area_resample(img, (0, 0, w, h), nw, nh)
}

/// The rectangle `r` (x, y, width, height) of `img` resampled to `nw`x`nh` by
/// averaging (each output pixel is the mean of the input pixels whose centres fall
/// in it; at least the nearest one).
fn area_resample(
    img: &image::GrayImage,
    r: (u32, u32, u32, u32),
    nw: u32,
    nh: u32,
) -> image::GrayImage {
    let (rx, ry, rw, rh) = r;
    let src = img.as_raw();
    let stride = img.width() as usize;
    let mut out = image::GrayImage::new(nw, nh);
    let xs: Vec<(usize, usize)> = (0..nw)
        .map(|i| {
            let a = rx as usize + (i as u64 * rw as u64 / nw as u64) as usize;
            let b = rx as usize + ((i as u64 + 1) * rw as u64 / nw as u64) as usize;
            (a, b.max(a + 1))
        })
        .collect();
    for j in 0..nh {
        let a = ry as usize + (j as u64 * rh as u64 / nh as u64) as usize;
        let b = (ry as usize + ((j as u64 + 1) * rh as u64 / nh as u64) as usize).max(a + 1);
        for (i, &(x0, x1)) in xs.iter().enumerate() {
            let mut sum = 0u32;
            for y in a..b {
                let row = &src[y * stride..];
                sum += row[x0..x1].iter().map(|&p| p as u32).sum::<u32>();
            }
            let n = ((b - a) * (x1 - x0)) as u32;
            out.put_pixel(i as u32, j, image::Luma([((sum + n / 2) / n) as u8]));
        }
    }
    out
}

/// Look at an upright grey image: detect on a [`DETECT_SIDE`] copy (again on a
/// [`RETRY_SIDE`] copy when that finds nothing and the image is larger), then
/// measure the largest face on the full-resolution pixels.
pub fn examine(grey: &image::GrayImage) -> Faces {
    let (w, h) = grey.dimensions();
    let mut small = shrink(grey, DETECT_SIDE);
    let mut found = detect(small.as_raw(), small.width(), small.height());
    if found.is_empty() && w.max(h) > DETECT_SIDE {
        // A face under the detector's window on the first copy; the same score
        // threshold on a larger one (see the module's note).
        small = shrink(grey, RETRY_SIDE);
        found = detect(small.as_raw(), small.width(), small.height());
    }
    // Back to the full image's pixels.
    let kx = w as f64 / small.width() as f64;
    let ky = h as f64 / small.height() as f64;
    let mut boxes: Vec<FaceBox> = found
        .iter()
        .map(|b| {
            let x = ((b.x as f64 * kx).round() as u32).min(w - 1);
            let y = ((b.y as f64 * ky).round() as u32).min(h - 1);
            FaceBox {
                x,
                y,
                width: ((b.width as f64 * kx).round() as u32).clamp(1, w - x),
                height: ((b.height as f64 * ky).round() as u32).clamp(1, h - y),
                score: b.score,
            }
        })
        .collect();
    boxes.sort_by_key(|b| std::cmp::Reverse((b.width as u64 * b.height as u64, b.x, b.y)));
    let largest = boxes.first().copied();
    let mut f = Faces {
        count: boxes.len(),
        largest,
        boxes,
        relative_height: None,
        offset: None,
        sharpness: None,
        brightness: None,
        clipped: None,
    };
    if let Some(b) = largest {
        f.relative_height = Some(round(b.height as f64 / h as f64, 3));
        f.offset = Some((
            round((b.x as f64 + b.width as f64 / 2.0) / w as f64 - 0.5, 3),
            round((b.y as f64 + b.height as f64 / 2.0) / h as f64 - 0.5, 3),
        ));
        let mh = MEASURE_HEIGHT;
        let mw = ((b.width as u64 * mh as u64 / b.height as u64) as u32).max(3);
        let face = area_resample(grey, (b.x, b.y, b.width, b.height), mw, mh);
        f.sharpness = Some(round(laplacian_variance(&face), 1));
        let px = face.as_raw();
        let n = px.len() as f64;
        f.brightness = Some(round(px.iter().map(|&p| p as f64).sum::<f64>() / n, 1));
        f.clipped = Some(round(
            px.iter().filter(|&&p| p >= 250).count() as f64 / n,
            3,
        ));
    }
    f
}

/// `x` to `places` decimals: the figures are reported, and a stable schema should not
/// print float noise.
fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

/// Variance of the 4-neighbour Laplacian over the interior of `img`.
pub fn laplacian_variance(img: &image::GrayImage) -> f64 {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < 3 || h < 3 {
        return 0.0;
    }
    let p = img.as_raw();
    let (mut sum, mut sq, mut n) = (0f64, 0f64, 0f64);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let c = p[y * w + x] as i32;
            let l = p[y * w + x - 1] as i32
                + p[y * w + x + 1] as i32
                + p[(y - 1) * w + x] as i32
                + p[(y + 1) * w + x] as i32
                - 4 * c;
            let l = l as f64;
            sum += l;
            sq += l * l;
            n += 1.0;
        }
    }
    let mean = sum / n;
    sq / n - mean * mean
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faces(count: usize, rel: f64, off: (f64, f64), sharp: f64, bright: f64) -> Faces {
        Faces {
            count,
            largest: None,
            boxes: vec![],
            relative_height: Some(rel),
            offset: Some(off),
            sharpness: Some(sharp),
            brightness: Some(bright),
            clipped: Some(0.0),
        }
    }

    fn codes(f: &Faces) -> Vec<Code> {
        f.findings(false).into_iter().map(|(c, _, _)| c).collect()
    }

    #[test]
    fn each_rule_has_its_code() {
        let good = faces(1, 0.5, (0.0, 0.0), 100.0, 120.0);
        assert!(codes(&good).is_empty());
        assert_eq!(codes(&faces(0, 0.0, (0.0, 0.0), 0.0, 0.0)), [Code::NoFace]);
        assert_eq!(
            codes(&faces(2, 0.5, (0.0, 0.0), 100.0, 120.0)),
            [Code::SeveralFaces]
        );
        assert_eq!(
            codes(&faces(1, 0.39, (0.0, 0.0), 100.0, 120.0)),
            [Code::FaceTooSmall]
        );
        assert_eq!(
            codes(&faces(1, 0.5, (0.16, 0.0), 100.0, 120.0)),
            [Code::FaceOffCentre]
        );
        assert_eq!(
            codes(&faces(1, 0.5, (0.0, -0.21), 100.0, 120.0)),
            [Code::FaceOffCentre]
        );
        assert_eq!(
            codes(&faces(1, 0.5, (0.0, 0.0), 39.0, 120.0)),
            [Code::Blurry]
        );
        assert_eq!(
            codes(&faces(1, 0.5, (0.0, 0.0), 100.0, 49.0)),
            [Code::TooDark]
        );
        assert_eq!(
            codes(&faces(1, 0.5, (0.0, 0.0), 100.0, 211.0)),
            [Code::Overexposed]
        );
        let mut clipped = good.clone();
        clipped.clipped = Some(0.3);
        assert_eq!(codes(&clipped), [Code::Overexposed]);
        // Only the two counts block, unless strict.
        let blocks = |f: &Faces, strict| f.findings(strict).iter().any(|(_, b, _)| *b);
        assert!(!blocks(&faces(1, 0.1, (0.3, 0.3), 1.0, 10.0), false));
        assert!(blocks(&faces(1, 0.1, (0.3, 0.3), 1.0, 10.0), true));
        assert!(blocks(&faces(2, 0.5, (0.0, 0.0), 100.0, 120.0), false));
    }

    #[test]
    fn extreme_shapes_are_looked_at_without_a_panic() {
        // Narrower than the detector's 40 px window once scaled, or than its minimum.
        for (w, h) in [
            (130, 1500),
            (100, 1500),
            (64, 64),
            (5000, 64),
            (21, 320),
            (39, 39),
        ] {
            let img =
                image::GrayImage::from_fn(w, h, |x, y| image::Luma([((x * 7) ^ (y * 3)) as u8]));
            assert_eq!(examine(&img).count, 0, "{w}x{h}");
        }
    }

    #[test]
    fn a_flat_image_has_no_face_and_no_sharpness() {
        let img = image::GrayImage::from_pixel(640, 480, image::Luma([128]));
        let f = examine(&img);
        assert_eq!(f.count, 0);
        assert_eq!(laplacian_variance(&img), 0.0);
        assert_eq!(shrink(&img, DETECT_SIDE).dimensions(), (320, 240));
    }
}
