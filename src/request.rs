//! Building requests: command-line person specs → checked images → wire bodies.
//!
//! Pure apart from reading the image files. Everything here runs before any
//! connection is opened, so bad input fails with a clear error and nothing sent.
//! The same code builds the body for `--dry-run`, where each image is replaced by its
//! size and SHA-256.

use bytes::Bytes;
use serde::Serialize;

use crate::client::body::{Body, Builder as BodyBuilder};

use crate::error::{Failure, Kind};
use crate::images::prepare::{Options, Role};
use crate::images::{self, Image, Source};
use crate::wire::{Envelope, Person, PersonId, Slots};

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

/// The operations of the API. Everything the client, the sandbox's router, the batch
/// engine and `report` need to know of one is its [`OpSpec`] in [`OPS`]: code outside
/// that table never tests which operation it has (`op == Op::Delete`), it reads the
/// descriptor's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Register a new person under a CustomID (`POST /multibiometrics/enroll`).
    Enroll,
    /// Replace an enrolled person's images (`PUT /multibiometrics/update`).
    Update,
    /// Compare images with an enrolled person, 1:1 (`POST /multibiometrics/verify`).
    Verify,
    /// Remove a person (`DELETE /multibiometrics/delete`, with a JSON body).
    Delete,
    /// Find the faces in one image (`POST /multibiometrics/face_detect`).
    FaceDetect,
    /// ICAO (ISO/IEC 19794-5) conformance of one face image (`POST /quality/check_icao`).
    Icao,
    /// Liveness (anti-spoofing) of one face image (`POST /multibiometrics/liveness`).
    Liveness,
    /// NFIQ quality of one fingerprint image (`POST /quality/check_nfiq`).
    Nfiq,
}

impl Op {
    /// The quality operations, in the order `check --remote` asks them of a face
    /// (the first three) or a fingerprint (the last).
    pub const QUALITY: [Op; 4] = [Op::FaceDetect, Op::Icao, Op::Liveness, Op::Nfiq];
}

/// What a request of an operation holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestShape {
    /// `{"Person":{"CustomID":..,"Face":[..],"Fingers":[..]}}`: a CustomID and at
    /// least one image ([`LoadedPerson::into_body`]).
    Person,
    /// `{"Person":{"CustomID":..}}`: the CustomID only ([`delete_body`]).
    PersonId,
    /// `{"Check":{"Image":B64}}`: one image, no CustomID ([`quality_body`]).
    Check,
    /// `{"Spoof":{"Image":B64}}`: one image, no CustomID ([`quality_body`]).
    Spoof,
}

impl RequestShape {
    /// Whether a request of this shape carries images (a batch row then needs one).
    pub fn has_images(self) -> bool {
        self == RequestShape::Person
    }
}

/// What a complete success answer holds; a 2xx without it is a protocol error that
/// may have been acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerShape {
    /// `Person.BioPassID`: the service's id for the person (printed as the result).
    BioPassId,
    /// `Person.Match` (and `MatchDetails`): a verdict.
    Match,
    /// Any JSON object (delete echoes the CustomID, or less).
    Object,
    /// `DetectedFaces.FaceNumber` (and `FaceRects`).
    Faces,
    /// `ICAO.IsAllConformed` (and `FaceImageConformed`, `Requirements`).
    Icao,
    /// `Success` and `result`, and `spoof` when `Success` is true. A `Success` of
    /// false is an answer here ("No Faces Detected"), not a refusal.
    Liveness,
    /// `NFIQ.Quality`, a number.
    Nfiq,
}

/// How a batch settles a row whose request may have been acted on (a lost answer, a
/// 5xx after sending) and is then sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconcile {
    /// The re-send is the whole answer: sending twice does no harm (verify changes
    /// nothing; update sends the same images again).
    Resend,
    /// A re-send refused with this kind means our earlier attempt landed: the row is
    /// `reconciled`, not failed (enroll's "already exists", delete's "not found").
    LandedIf(Kind),
}

/// One operation, described once.
///
/// An operation without a CustomID (the quality checks of the API: face detect,
/// liveness, ICAO, NFIQ) fits the same descriptor with `custom_id: false` (the
/// client then checks no echo, and a batch keys its journal by the row itself), a
/// request shape of its own and `changes_state: false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpSpec {
    /// The operation this describes.
    pub op: Op,
    /// The name used in messages, journals and summaries (`enroll`).
    pub name: &'static str,
    /// The word for a batch row it finished (`enrolled`).
    pub done_word: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path under the endpoint.
    pub path: &'static str,
    /// What its request holds.
    pub request: RequestShape,
    /// What a complete answer holds.
    pub answer: AnswerShape,
    /// Whether the service's state changes when it succeeds. An operation that
    /// changes nothing is simply sent again after an ambiguous outcome: its journal
    /// never says "may have landed".
    pub changes_state: bool,
    /// Whether the request carries a CustomID; an answer that names another one is
    /// then a protocol error (never a result for the person asked about).
    pub custom_id: bool,
    /// How an ambiguous outcome is settled by a re-send.
    pub reconcile: Reconcile,
    /// For a single command: what to add to a failure after an earlier attempt may
    /// have acted and the re-send met the [`Reconcile::LandedIf`] kind (`{id}` is
    /// replaced by the CustomID).
    pub landed_note: &'static str,
    /// For a single command: what to add to a failure whose request may have been
    /// acted on (`{id}` as above); empty when there is nothing to check.
    pub maybe_note: &'static str,
}

/// Every operation, in [`Op`] order: the one table.
pub const OPS: [OpSpec; 8] = [
    OpSpec {
        op: Op::Enroll,
        name: "enroll",
        done_word: "enrolled",
        method: "POST",
        path: "/multibiometrics/enroll",
        request: RequestShape::Person,
        answer: AnswerShape::BioPassId,
        changes_state: true,
        custom_id: true,
        reconcile: Reconcile::LandedIf(Kind::AlreadyExists),
        landed_note: "an earlier attempt may have enrolled this person: this 'already exists' may be its result; \
check with `biopass verify --id {id} ...` with the same images",
        maybe_note: "the person may have been enrolled: check with `biopass verify --id {id} ...` with the same \
images (or run the enroll again: \"already exists\" then means this attempt landed)",
    },
    OpSpec {
        op: Op::Update,
        name: "update",
        done_word: "updated",
        method: "PUT",
        path: "/multibiometrics/update",
        request: RequestShape::Person,
        answer: AnswerShape::BioPassId,
        changes_state: true,
        custom_id: true,
        reconcile: Reconcile::Resend,
        landed_note: "",
        maybe_note: "",
    },
    OpSpec {
        op: Op::Verify,
        name: "verify",
        done_word: "verified",
        method: "POST",
        path: "/multibiometrics/verify",
        request: RequestShape::Person,
        answer: AnswerShape::Match,
        changes_state: false,
        custom_id: true,
        reconcile: Reconcile::Resend,
        landed_note: "",
        maybe_note: "",
    },
    OpSpec {
        op: Op::Delete,
        name: "delete",
        done_word: "deleted",
        method: "DELETE",
        path: "/multibiometrics/delete",
        request: RequestShape::PersonId,
        answer: AnswerShape::Object,
        changes_state: true,
        custom_id: true,
        reconcile: Reconcile::LandedIf(Kind::NotFound),
        landed_note: "an earlier attempt may have deleted this person: this 'not found' may be its result \
(CustomID {id} is not enrolled now either way)",
        maybe_note: "",
    },
    OpSpec {
        op: Op::FaceDetect,
        name: "face-detect",
        done_word: "checked",
        method: "POST",
        path: "/multibiometrics/face_detect",
        request: RequestShape::Check,
        answer: AnswerShape::Faces,
        changes_state: false,
        custom_id: false,
        reconcile: Reconcile::Resend,
        landed_note: "",
        maybe_note: "",
    },
    OpSpec {
        op: Op::Icao,
        name: "icao",
        done_word: "checked",
        method: "POST",
        path: "/quality/check_icao",
        request: RequestShape::Check,
        answer: AnswerShape::Icao,
        changes_state: false,
        custom_id: false,
        reconcile: Reconcile::Resend,
        landed_note: "",
        maybe_note: "",
    },
    OpSpec {
        op: Op::Liveness,
        name: "liveness",
        done_word: "checked",
        method: "POST",
        path: "/multibiometrics/liveness",
        request: RequestShape::Spoof,
        answer: AnswerShape::Liveness,
        changes_state: false,
        custom_id: false,
        reconcile: Reconcile::Resend,
        landed_note: "",
        maybe_note: "",
    },
    OpSpec {
        op: Op::Nfiq,
        name: "nfiq",
        done_word: "checked",
        method: "POST",
        path: "/quality/check_nfiq",
        request: RequestShape::Check,
        answer: AnswerShape::Nfiq,
        changes_state: false,
        custom_id: false,
        reconcile: Reconcile::Resend,
        landed_note: "",
        maybe_note: "",
    },
];

impl Op {
    /// Every operation: the one table of method, path and name that the client sends
    /// from and the sandbox routes by.
    pub const ALL: [Op; OPS.len()] = {
        let mut all = [Op::Enroll; OPS.len()];
        let mut i = 0;
        while i < OPS.len() {
            all[i] = OPS[i].op;
            i += 1;
        }
        all
    };

    /// The operation's descriptor.
    pub fn spec(self) -> &'static OpSpec {
        &OPS[self.index()]
    }

    /// The operation's place in [`OPS`] (and [`Op::ALL`]).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The HTTP method.
    pub fn method(self) -> &'static str {
        self.spec().method
    }

    /// The path under the endpoint.
    pub fn path(self) -> &'static str {
        self.spec().path
    }

    /// The operation of a [`Op::name`] (as journals and summaries record it).
    pub fn from_name(name: &str) -> Option<Op> {
        OPS.iter().find(|s| s.name == name).map(|s| s.op)
    }

    /// The name used in messages and journals.
    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

/// The longest CustomID: ids go whole into every journal record of their row.
pub const MAX_ID_BYTES: usize = 4096;

/// Why a CustomID is refused by [`custom_id`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    /// Nothing but white space.
    Empty,
    /// A control or bidirectional-control character, at this character (1-based)
    /// of the trimmed id.
    Unsafe(char, usize),
    /// Longer than [`MAX_ID_BYTES`] (this many bytes).
    TooLong(usize),
}

impl IdProblem {
    /// What is wrong, for a message that names the input (`--id`, a manifest line).
    pub fn describe(&self) -> String {
        match self {
            IdProblem::Empty => "the id is empty".into(),
            IdProblem::Unsafe(c, at) => format!(
                "the id holds U+{:04X} ({}) at character {at}: ids are sent and shown exactly as they are, so remove it",
                *c as u32,
                if c.is_control() {
                    "a control character"
                } else {
                    "a bidirectional control"
                }
            ),
            IdProblem::TooLong(n) => {
                format!("an id of {n} bytes, longer than any id ({MAX_ID_BYTES} bytes at most)")
            }
        }
    }
}

/// The one rule for a CustomID, on the command line (`--id`) and in every manifest
/// (CSV, TSV, JSON Lines, workbooks): white space around it is trimmed (a
/// spreadsheet cell's stray spaces are not part of an id, and an id typed with them
/// on the command line is the same person), and what is left must be non-empty, at
/// most [`MAX_ID_BYTES`] long, and free of control and bidirectional-control
/// characters ([`crate::sanitize::is_unsafe`]), so that every result, journal and
/// report shows the id exactly as it was sent.
pub fn custom_id(raw: &str) -> Result<&str, IdProblem> {
    let id = raw.trim();
    if id.is_empty() {
        return Err(IdProblem::Empty);
    }
    if id.len() > MAX_ID_BYTES {
        return Err(IdProblem::TooLong(id.len()));
    }
    if let Some((i, c)) = id
        .chars()
        .enumerate()
        .find(|(_, c)| crate::sanitize::is_unsafe(*c))
    {
        return Err(IdProblem::Unsafe(c, i + 1));
    }
    Ok(id)
}

/// `--id` by [`custom_id`]: empty is a usage error (2), anything else wrong with it
/// invalid data (65), as the same id in a manifest is.
pub fn custom_id_arg(raw: &str) -> Result<&str, Failure> {
    custom_id(raw).map_err(|p| match p {
        IdProblem::Empty => Failure::new(Kind::Usage, "--id must not be empty"),
        p => Failure::new(Kind::Invalid, format!("--id: {}", p.describe())),
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
    fn the_table_is_in_op_order() {
        for (i, spec) in OPS.iter().enumerate() {
            assert_eq!(spec.op.index(), i, "{spec:?}");
            assert_eq!(Op::from_name(spec.name), Some(spec.op));
        }
        let paths: std::collections::HashSet<_> = OPS.iter().map(|s| (s.method, s.path)).collect();
        assert_eq!(paths.len(), OPS.len());
    }

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
