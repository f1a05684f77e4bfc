//! The sandbox's answers to the quality operations ([`Op::QUALITY`]): stateless,
//! deterministic (the same image always gets the same answer), and plausible, in the
//! API's exact shapes. What each one answers is documented in the README
//! ("The sandbox's quality answers"):
//!
//! - face detect: the faces the client's own offline detector finds
//!   ([`crate::images::face::examine`]), every one, the largest first, in the
//!   pixels of the image as sent;
//! - ICAO: the requirements the offline measures can judge (`Blurred` from the
//!   sharpness, `TooDarkLight` from the mean level, `WashedOut` from the clipped
//!   share, `OtherFaces` from the face count); every other requirement is answered
//!   conformed with a `Confidence` of 50 ("not measured"). `FaceImageConformed` is
//!   100, less 20 for each failed measured requirement and for a face too small or
//!   off centre by the face gate's thresholds; `IsAllConformed` is the AND of the
//!   23 requirements, whatever the score. With no face, every requirement is
//!   answered not conformed with a `Confidence` of 0, and the score is 0.
//! - liveness: `Ok`, not a spoof, for an image with one face; `No Faces Detected` /
//!   `Multiple Faces Detected` (with `Success: false`) otherwise; and a spoof when
//!   the image's top-left 8x8 pixels are red ([`looks_marked_as_spoof`]), so that
//!   scripts can test their handling of one.
//! - NFIQ: made up: `round(100 * v / (v + 100))` where `v` is the variance of the
//!   Laplacian of the whole grey image. It has nothing to do with NFIQ.

use serde_json::{Value, json};

use crate::images::face::{self, Faces};
use crate::request::{Op, RequestShape};
use crate::wire::{self, CheckRequest, SpoofRequest};

/// The ICAO requirement names, as the service sends them.
pub const ICAO_REQUIREMENTS: [&str; 23] = [
    "Blurred",
    "LookingAway",
    "InkMarked",
    "UnnaturalSkin",
    "TooDarkLight",
    "WashedOut",
    "Pixelation",
    "HairAcrossEyes",
    "EyesClosed",
    "VariedBackground",
    "Roll_Pitch_Yaw",
    "FlashReflectionOnSkin",
    "RedEyes",
    "ShadowsBehindHead",
    "ShadowsAcrossFace",
    "DarkTintedLenses",
    "FlashReflectionOnLenses",
    "FramesTooHeavy",
    "FramesCoveringEyes",
    "Hat_Cap",
    "VeilOverFace",
    "MouthOpen",
    "OtherFaces",
];

/// The `Confidence` given to a requirement the sandbox cannot measure.
pub const UNMEASURED_CONFIDENCE: f64 = 50.0;

/// The answer to a quality request: `Ok(json)` for a 200, `Err(text)` for the API's
/// plain-text 400. CPU-bound (a decode and a detection): run it off the reactor.
pub fn answer(op: Op, body: &[u8]) -> Result<Value, String> {
    let b64 = match op.spec().request {
        RequestShape::Check => serde_json::from_slice::<CheckRequest>(body)
            .map(|r| r.check.image)
            .map_err(|_| "Invalid JSON format".to_string())?,
        RequestShape::Spoof => serde_json::from_slice::<SpoofRequest>(body)
            .map(|r| r.spoof.image)
            .map_err(|_| "Invalid JSON format".to_string())?,
        RequestShape::Person | RequestShape::PersonId => {
            return Err("not a quality operation".into());
        }
    };
    if b64.is_empty() {
        return Err("Image (base64) not found".into());
    }
    let bytes = wire::decode_image(&b64).ok_or("Invalid base64 string")?;
    drop(b64);
    let format = crate::images::format::sniff(&bytes).ok_or("Invalid image")?;
    let img =
        crate::images::prepare::decode(&bytes, format).map_err(|_| "Invalid image".to_string())?;
    drop(bytes);
    let marked = looks_marked_as_spoof(&img.to_rgb8());
    let grey = img.into_luma8();
    Ok(match op {
        Op::FaceDetect => face_detect(&face::examine(&grey)),
        Op::Icao => icao(&face::examine(&grey)),
        Op::Liveness => liveness(&face::examine(&grey), marked),
        Op::Nfiq => nfiq(&grey),
        Op::Enroll | Op::Update | Op::Verify | Op::Delete => {
            return Err("not a quality operation".into());
        }
    })
}

/// The documented way to get a spoof answer from the sandbox: the image's top-left
/// 8x8 pixels (or all of a smaller image) average red (R at least 200, G and B at most
/// 60, loose enough to survive JPEG).
pub fn looks_marked_as_spoof(rgb: &image::RgbImage) -> bool {
    let (w, h) = (rgb.width().min(8), rgb.height().min(8));
    if w == 0 || h == 0 {
        return false;
    }
    let mut sum = [0u64; 3];
    for y in 0..h {
        for x in 0..w {
            let p = rgb.get_pixel(x, y).0;
            for c in 0..3 {
                sum[c] += p[c] as u64;
            }
        }
    }
    let n = (w * h) as u64;
    let [r, g, b] = sum.map(|s| s / n);
    r >= 200 && g <= 60 && b <= 60
}

fn face_detect(f: &Faces) -> Value {
    // Every face found, the largest first, in the pixels of the image as sent (the
    // sandbox does not turn it): `FaceNumber` is always the number of `FaceRects`.
    let rects: Vec<_> = f
        .boxes
        .iter()
        .map(|b| wire::FaceRect {
            x: b.x as i64,
            y: b.y as i64,
            width: b.width as i64,
            height: b.height as i64,
        })
        .collect();
    json!({"DetectedFaces": wire::DetectedFaces {
        face_number: f.count as u64,
        face_rects: rects,
    }})
}

fn icao(f: &Faces) -> Value {
    let measured = |name: &str| -> Option<bool> {
        Some(match name {
            "Blurred" => f.sharpness? >= face::MIN_SHARPNESS,
            "TooDarkLight" => {
                let b = f.brightness?;
                (face::MIN_BRIGHTNESS..=face::MAX_BRIGHTNESS).contains(&b)
            }
            "WashedOut" => f.clipped? <= face::MAX_CLIPPED,
            "OtherFaces" => f.count <= 1,
            _ => return None,
        })
    };
    let mut score = if f.count == 0 { 0.0 } else { 100.0 };
    let mut all = true;
    let mut requirements = serde_json::Map::new();
    for name in ICAO_REQUIREMENTS {
        let (ok, confidence) = match measured(name) {
            // No face: no requirement of a face is met (nothing to judge them on).
            _ if f.count == 0 => (false, 0.0),
            Some(ok) => (ok, 100.0),
            None => (true, UNMEASURED_CONFIDENCE),
        };
        if !ok {
            score -= 20.0;
        }
        all &= ok;
        requirements.insert(
            name.to_string(),
            json!({"IsConformed": ok, "Confidence": confidence}),
        );
    }
    if f.relative_height.is_some_and(|r| r < face::MIN_FACE_HEIGHT) {
        score -= 20.0;
    }
    if f.offset
        .is_some_and(|(dx, dy)| dx.abs() > face::MAX_OFFSET_X || dy.abs() > face::MAX_OFFSET_Y)
    {
        score -= 20.0;
    }
    let score: f64 = if score < 0.0 { 0.0 } else { score };
    json!({"ICAO": {
        "FaceImageConformed": score,
        // Every requirement conformed, and nothing else: a face too small or off
        // centre lowers the score but is no requirement, so it does not make
        // `IsAllConformed` false while every requirement says conformed.
        "IsAllConformed": all,
        "Requirements": requirements,
    }})
}

fn liveness(f: &Faces, marked: bool) -> Value {
    match f.count {
        0 => json!({"Success": false, "result": "No Faces Detected", "spoof": false}),
        1 => json!({"Success": true, "result": "Ok", "spoof": marked}),
        _ => json!({"Success": false, "result": "Multiple Faces Detected", "spoof": false}),
    }
}

fn nfiq(grey: &image::GrayImage) -> Value {
    let v = face::laplacian_variance(grey);
    let q = (100.0 * v / (v + 100.0)).round();
    json!({"NFIQ": {"Quality": q}})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(img: image::DynamicImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn body(wrapper: &str, bytes: &[u8]) -> Vec<u8> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!(r#"{{"{wrapper}":{{"Image":"{b64}"}}}}"#).into_bytes()
    }

    #[test]
    fn bad_requests_get_the_apis_words() {
        assert_eq!(answer(Op::Nfiq, b"{}").unwrap_err(), "Invalid JSON format");
        assert_eq!(
            answer(Op::Nfiq, br#"{"Check":{"Image":"***"}}"#).unwrap_err(),
            "Invalid base64 string"
        );
        assert_eq!(
            answer(Op::Liveness, br#"{"Check":{"Image":"eA=="}}"#).unwrap_err(),
            "Invalid JSON format"
        );
        assert_eq!(
            answer(Op::Icao, br#"{"Check":{"Image":""}}"#).unwrap_err(),
            "Image (base64) not found"
        );
    }

    #[test]
    fn a_blank_image_has_no_face_and_a_deterministic_nfiq() {
        let flat = png(image::DynamicImage::ImageLuma8(
            image::GrayImage::from_pixel(64, 64, image::Luma([128])),
        ));
        let d = answer(Op::FaceDetect, &body("Check", &flat)).unwrap();
        assert_eq!(d["DetectedFaces"]["FaceNumber"], 0);
        let l = answer(Op::Liveness, &body("Spoof", &flat)).unwrap();
        assert_eq!(l["result"], "No Faces Detected");
        let n = answer(Op::Nfiq, &body("Check", &flat)).unwrap();
        assert_eq!(n["NFIQ"]["Quality"], 0.0);
        let i = answer(Op::Icao, &body("Check", &flat)).unwrap();
        assert_eq!(i["ICAO"]["IsAllConformed"], false);
        assert_eq!(i["ICAO"]["Requirements"]["Blurred"]["IsConformed"], false);
        assert_eq!(i["ICAO"]["Requirements"].as_object().unwrap().len(), 23);
    }

    #[test]
    fn the_spoof_mark_is_a_red_corner() {
        let mut img = image::RgbImage::from_pixel(32, 32, image::Rgb([90, 90, 90]));
        assert!(!looks_marked_as_spoof(&img));
        for y in 0..8 {
            for x in 0..8 {
                img.put_pixel(x, y, image::Rgb([230, 20, 30]));
            }
        }
        assert!(looks_marked_as_spoof(&img));
    }
}
