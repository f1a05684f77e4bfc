//! Building requests: command-line person specs → checked images → wire bodies.
//!
//! Pure apart from reading the image files. Everything here runs before any
//! connection is opened, so bad input fails with a clear error and nothing sent.
//! The same code builds the body for `--dry-run`, where each image is replaced by its
//! size and SHA-256.
//!
//! The table of operations ([`OPS`]) lives in `request/ops.rs` and the CustomID rule
//! ([`custom_id`]) in `request/id.rs`; both are re-exported here.

use bytes::Bytes;
use serde::Serialize;

use crate::client::body::{Body, Builder as BodyBuilder};

use crate::error::{Failure, Kind};
use crate::images::prepare::{Options, Role};
use crate::images::{self, Image, Source};
use crate::wire::{Envelope, Person, PersonId, Slots};

mod id;
mod ops;

pub use id::{IdProblem, MAX_ID_BYTES, custom_id, custom_id_arg};
pub use ops::{AnswerShape, OPS, Op, OpSpec, Reconcile, RequestShape};

/// Finger positions by slot (ISO/ANSI-NIST numbering): slot N is `FINGER_NAMES[N-1]`.
pub const FINGER_NAMES: [&str; 10] = [
    "right-thumb",
    "right-index",
    "right-middle",
    "right-ring",
    "right-little",
    "left-thumb",
    "left-index",
    "left-middle",
    "left-ring",
    "left-little",
];

/// Parse a finger position: a slot number 1-10 or a name such as `right-index`.
pub fn parse_finger_pos(s: &str) -> Result<u8, String> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u8>() {
        if (1..=10).contains(&n) {
            return Ok(n);
        }
        return Err(format!("finger slot must be 1-10, got {n}"));
    }
    let lower = s.to_ascii_lowercase().replace('_', "-");
    FINGER_NAMES
        .iter()
        .position(|n| *n == lower)
        .map(|i| i as u8 + 1)
        .ok_or_else(|| {
            format!(
                "unknown finger '{s}': use 1-10 or one of {}",
                FINGER_NAMES.join(", ")
            )
        })
}

/// What the user asked for, before any file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSpec {
    /// The CustomID, by [`custom_id`]'s rule (trimmed; no control characters).
    pub custom_id: String,
    /// Face images, in the order given (sent as `Face-1`, `Face-2`, ...).
    pub faces: Vec<Source>,
    /// (slot 1-10, source), in the order given.
    pub fingers: Vec<(u8, Source)>,
}

impl PersonSpec {
    /// Check the spec itself: a CustomID, at least one image, no slot twice, at most
    /// one image from standard input. Usage errors (exit 2).
    pub fn new(
        custom_id: &str,
        faces: &[String],
        fingers: &[(u8, String)],
    ) -> Result<PersonSpec, Failure> {
        let usage = |m: String| Failure::new(Kind::Usage, m);
        let custom_id = custom_id_arg(custom_id)?;
        if faces.is_empty() && fingers.is_empty() {
            return Err(usage(
                "no image given: add --face FILE and/or --finger POS=FILE".into(),
            ));
        }
        let mut seen = [false; 11];
        for (slot, _) in fingers {
            if std::mem::replace(&mut seen[*slot as usize], true) {
                return Err(usage(format!(
                    "finger slot {slot} ({}) given twice",
                    FINGER_NAMES[*slot as usize - 1]
                )));
            }
        }
        let stdin_count = faces
            .iter()
            .chain(fingers.iter().map(|(_, f)| f))
            .filter(|f| *f == "-")
            .count();
        if stdin_count > 1 {
            return Err(usage(
                "only one image can come from standard input (-)".into(),
            ));
        }
        Ok(PersonSpec {
            custom_id: custom_id.to_string(),
            faces: faces.iter().map(|f| Source::parse(f)).collect(),
            fingers: fingers
                .iter()
                .map(|(s, f)| (*s, Source::parse(f)))
                .collect(),
        })
    }

    /// Whether one of the images is read from standard input (`-`).
    pub fn reads_stdin(&self) -> bool {
        self.faces
            .iter()
            .chain(self.fingers.iter().map(|(_, s)| s))
            .any(|s| *s == Source::Stdin)
    }

    /// Read, check and prepare every image (66 for a missing file, 65 for a bad one).
    pub fn load(&self, opts: &Options) -> Result<LoadedPerson, Failure> {
        let faces = self
            .faces
            .iter()
            .map(|s| images::load(s, Role::Face, opts))
            .collect::<Result<_, _>>()?;
        let fingers = self
            .fingers
            .iter()
            .map(|(slot, s)| Ok((*slot, images::load(s, Role::Finger, opts)?)))
            .collect::<Result<_, Failure>>()?;
        Ok(LoadedPerson {
            custom_id: self.custom_id.clone(),
            faces,
            fingers,
        })
    }
}

/// A person with every image read and checked.
#[derive(Debug)]
pub struct LoadedPerson {
    /// The CustomID.
    pub custom_id: String,
    /// Face images, in the order given (sent as `Face-1`, `Face-2`, ...).
    pub faces: Vec<Image>,
    /// (slot 1-10, image), in the order given; sent in slot order.
    pub fingers: Vec<(u8, Image)>,
}

impl LoadedPerson {
    /// The wire shape with images of type `I` made by `f`.
    fn shape<'a, I>(&'a self, f: impl Fn(&'a Image) -> I) -> Envelope<Person<I>> {
        let face = if self.faces.is_empty() {
            vec![]
        } else {
            vec![Slots(
                self.faces
                    .iter()
                    .enumerate()
                    .map(|(i, img)| (format!("Face-{}", i + 1), f(img)))
                    .collect(),
            )]
        };
        let mut fingers: Vec<_> = self.fingers.iter().collect();
        fingers.sort_by_key(|(slot, _)| *slot);
        let fingers = if fingers.is_empty() {
            vec![]
        } else {
            vec![Slots(
                fingers
                    .into_iter()
                    .map(|(slot, img)| (format!("Finger-{slot}"), f(img)))
                    .collect(),
            )]
        };
        Envelope {
            person: Person {
                custom_id: self.custom_id.clone(),
                face,
                fingers,
            },
        }
    }

    /// The request body, taking the images' bytes (no copy). Written by hand rather
    /// than through serde: the JSON text around the images is built here, and each
    /// image is base64-encoded only as the body is sent, chunk by chunk
    /// ([`crate::client::Body`]), so neither a base64 string nor a whole JSON body is
    /// ever held. A unit test holds it byte-for-byte equal to the serde form of
    /// [`crate::wire::Envelope`].
    pub fn into_body(self) -> Body {
        let LoadedPerson {
            custom_id,
            faces,
            mut fingers,
        } = self;
        let mut out = BodyBuilder::with_capacity(64 + custom_id.len() * 2);
        out.text(b"{\"Person\":{\"CustomID\":");
        out.json_string(&custom_id);
        let group = |out: &mut BodyBuilder,
                     name: &str,
                     slots: &mut dyn Iterator<Item = (&str, usize, Image)>| {
            let mut first = true;
            for (key, n, img) in slots {
                out.text(b",\"");
                if first {
                    out.text(name.as_bytes());
                    out.text(b"\":[{\"");
                    first = false;
                }
                out.text(key.as_bytes());
                out.text(n.to_string().as_bytes());
                out.text(b"\":\"");
                out.base64(Bytes::from(img.bytes));
                out.text(b"\"");
            }
            if !first {
                out.text(b"}]");
            }
        };
        let mut faces = faces
            .into_iter()
            .enumerate()
            .map(|(i, img)| ("Face-", i + 1, img));
        group(&mut out, "Face", &mut faces);
        fingers.sort_by_key(|(slot, _)| *slot);
        let mut fingers = fingers
            .into_iter()
            .map(|(slot, img)| ("Finger-", slot as usize, img));
        group(&mut out, "Fingers", &mut fingers);
        out.text(b"}}");
        out.finish(Some(&custom_id))
    }

    /// The body as `--dry-run` shows it: each image replaced by its size and digest.
    pub fn redacted(&self) -> serde_json::Value {
        serde_json::to_value(self.shape(ImageSummary::of)).expect("plain data")
    }
}

/// The body of a delete request.
pub fn delete_body(custom_id: &str) -> Result<Body, Failure> {
    let custom_id = custom_id_arg(custom_id)?;
    let json = serde_json::to_vec(&Envelope {
        person: PersonId {
            custom_id: custom_id.to_string(),
        },
    })
    .expect("plain data");
    Ok(Body::text(json, Some(custom_id)))
}

/// The body of a quality operation ([`Op::QUALITY`]): `{"Check":{"Image":B64}}`, or
/// `{"Spoof":{"Image":B64}}` for liveness; the image's bytes base64-encoded as the
/// body is sent. `None` for an operation whose request is a person.
pub fn quality_body(op: Op, image: Bytes) -> Option<Body> {
    let wrapper: &[u8] = match op.spec().request {
        RequestShape::Check => b"{\"Check\":{\"Image\":\"",
        RequestShape::Spoof => b"{\"Spoof\":{\"Image\":\"",
        RequestShape::Person | RequestShape::PersonId => return None,
    };
    let mut out = BodyBuilder::with_capacity(32);
    out.text(wrapper);
    out.base64(image);
    out.text(b"\"}}");
    Some(out.finish(None))
}

/// How `--dry-run` shows an image: never its bytes.
#[derive(Debug, Serialize)]
pub struct ImageSummary {
    /// Where the image came from: its path, or `<stdin>`.
    pub file: String,
    /// The image format its bytes show (`JPEG`, `PNG`, ...).
    pub format: String,
    /// The image's size in bytes (before base64).
    pub bytes: usize,
    /// The SHA-256 of the image's bytes, in hex.
    pub sha256: String,
    /// The file's own size, before preparation (absent for bytes given directly).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_bytes: Option<u64>,
    /// What preparation did ("1234 bytes of metadata removed", "turned upright from
    /// EXIF orientation 6; re-encoded as JPEG ...", "sent as is (--keep-metadata)").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prepared: Option<String>,
    /// The EXIF orientation the pixels were turned upright from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotated_from: Option<u16>,
    /// Bytes of metadata removed losslessly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_removed: Option<u64>,
    /// `[width, height]` before and after downscaling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downscaled: Option<[[u32; 2]; 2]>,
}

impl ImageSummary {
    /// How `--dry-run` and `-v` show an image.
    pub fn of(img: &Image) -> ImageSummary {
        let p = &img.prep;
        let prepared = !p.file_sha256.is_empty();
        ImageSummary {
            file: img.source.to_string(),
            format: img.format.to_string(),
            bytes: img.bytes.len(),
            sha256: img.sha256(),
            file_bytes: prepared.then_some(p.file_bytes),
            prepared: prepared.then(|| p.describe()),
            rotated_from: p.rotated,
            metadata_removed: (prepared && !p.kept && !p.reencoded).then_some(p.metadata_removed),
            downscaled: p.downscaled.map(|((a, b), (c, d))| [[a, b], [c, d]]),
        }
    }
}

impl LoadedPerson {
    /// Every image with its slot name (`Face-1`, `Finger-2`), in the order sent.
    pub fn images(&self) -> Vec<(String, &Image)> {
        let mut v: Vec<(String, &Image)> = self
            .faces
            .iter()
            .enumerate()
            .map(|(i, img)| (format!("Face-{}", i + 1), img))
            .collect();
        let mut fingers: Vec<_> = self.fingers.iter().collect();
        fingers.sort_by_key(|(slot, _)| *slot);
        v.extend(
            fingers
                .into_iter()
                .map(|(s, img)| (format!("Finger-{s}"), img)),
        );
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::B64;

    #[test]
    fn quality_bodies_are_the_vendor_shapes() {
        let body = |op| {
            String::from_utf8(
                quality_body(op, Bytes::from_static(b"xy"))
                    .unwrap()
                    .to_vec(),
            )
            .unwrap()
        };
        assert_eq!(body(Op::FaceDetect), r#"{"Check":{"Image":"eHk="}}"#);
        assert_eq!(body(Op::Icao), r#"{"Check":{"Image":"eHk="}}"#);
        assert_eq!(body(Op::Nfiq), r#"{"Check":{"Image":"eHk="}}"#);
        assert_eq!(body(Op::Liveness), r#"{"Spoof":{"Image":"eHk="}}"#);
        assert!(quality_body(Op::Enroll, Bytes::new()).is_none());
        for op in Op::QUALITY {
            let s = op.spec();
            assert!(!s.changes_state && !s.custom_id, "{s:?}");
        }
    }

    #[test]
    fn finger_positions() {
        assert_eq!(parse_finger_pos("1"), Ok(1));
        assert_eq!(parse_finger_pos("right-index"), Ok(2));
        assert_eq!(parse_finger_pos("Left_Little"), Ok(10));
        assert!(parse_finger_pos("11").is_err());
        assert!(parse_finger_pos("pinky").is_err());
    }

    #[test]
    fn spec_rules() {
        let none: Vec<(u8, String)> = vec![];
        assert_eq!(
            PersonSpec::new("1", &[], &none).unwrap_err().kind,
            Kind::Usage
        );
        assert_eq!(
            PersonSpec::new("", &["a".into()], &none).unwrap_err().kind,
            Kind::Usage
        );
        let twice = vec![(2, "a".to_string()), (2, "b".to_string())];
        assert!(
            PersonSpec::new("1", &[], &twice)
                .unwrap_err()
                .message
                .contains("right-index")
        );
        let stdin = vec![(2, "-".to_string())];
        assert!(PersonSpec::new("1", &["-".into()], &stdin).is_err());
        assert!(
            PersonSpec::new("1", &["-".into()], &none)
                .unwrap()
                .reads_stdin()
        );
    }

    #[test]
    fn fingers_are_sent_in_slot_order_in_one_object() {
        let img = |b: &[u8]| images::check(&Source::File("x".into()), b.to_vec(), 100).unwrap();
        let p = LoadedPerson {
            custom_id: "7".into(),
            faces: vec![],
            fingers: vec![
                (10, img(b"\x89PNG\r\n\x1a\nB")),
                (2, img(b"\x89PNG\r\n\x1a\nA")),
            ],
        };
        let red = p.redacted().to_string();
        let serde_form = serde_json::to_vec(&p.shape(|img| B64(&img.bytes))).unwrap();
        let body = p.into_body().to_vec();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let fingers = v["Person"]["Fingers"].as_array().unwrap();
        assert_eq!(fingers.len(), 1);
        let keys: Vec<_> = fingers[0].as_object().unwrap().keys().cloned().collect();
        assert!(keys.contains(&"Finger-2".to_string()) && keys.contains(&"Finger-10".to_string()));
        // Slot order in the bytes themselves, whatever order they were given in.
        let text = String::from_utf8(body).unwrap();
        assert!(text.find("\"Finger-2\"").unwrap() < text.find("\"Finger-10\"").unwrap());
        assert!(v["Person"].get("Face").is_none());
        // The hand-written, streamed body is exactly the serde form of the wire types.
        assert_eq!(text, String::from_utf8(serde_form).unwrap());
        // Several faces and fingers, an id that needs escaping, and an image large
        // enough to span several frames of the stream.
        let mut big = b"\xff\xd8\xff".to_vec();
        big.extend((0..200_000u32).map(|i| (i % 253) as u8));
        let with_faces = LoadedPerson {
            custom_id: "quote\"and\\back\u{1}".into(),
            faces: vec![img(b"\xff\xd8\xffA"), img(b"\xff\xd8\xffBC")],
            fingers: vec![
                (
                    7,
                    images::check(&Source::File("x".into()), big, 1 << 20).unwrap(),
                ),
                (3, img(b"\xff\xd8\xffD")),
            ],
        };
        let serde_form = serde_json::to_vec(&with_faces.shape(|img| B64(&img.bytes))).unwrap();
        let body = with_faces.into_body();
        assert_eq!(body.len(), serde_form.len() as u64);
        assert_eq!(body.custom_id(), Some("quote\"and\\back\u{1}"));
        assert_eq!(
            String::from_utf8(body.to_vec()).unwrap(),
            String::from_utf8(serde_form).unwrap()
        );
        assert!(
            red.contains("\"bytes\":9") && !red.contains("iVBOR"),
            "{red}"
        );
    }
}
