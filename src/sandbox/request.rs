//! Checking person requests the way the API does, and reducing their images to digests.
//!
//! This is the only place the sandbox sees image data. Each image is decoded, sniffed,
//! hashed and dropped on the spot, so what leaves this module is a CustomID and hex
//! SHA-256 digests: nothing that could be turned back into a face or a fingerprint.
//! Everything here is pure, so the API's validation rules are unit-tested directly.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::images::{sha256_hex, sniff};
use crate::wire::{Envelope, Person, PersonId, decode_image};

/// Why a request was refused. Each maps to the API's exact 400 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    InvalidJson,
    NoFaceTemplate,
    NoFingerTemplate,
}

impl Rejection {
    pub fn message(self) -> &'static str {
        match self {
            Rejection::InvalidJson => "Invalid JSON format",
            Rejection::NoFaceTemplate => "Failed to extract face template",
            Rejection::NoFingerTemplate => "Failed to extract fingerprint template",
        }
    }
}

/// What the sandbox keeps of a person's images: face digests in the order sent, and
/// finger digests by slot (1 = right thumb ... 10 = left little).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Biometrics {
    pub faces: Vec<String>,
    pub fingers: BTreeMap<u8, String>,
}

/// A checked enroll, update or verify request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRequest {
    pub custom_id: String,
    pub bio: Biometrics,
}

/// Slots a finger may occupy.
pub const FINGER_SLOTS: std::ops::RangeInclusive<u8> = 1..=10;

/// Parse and check an enroll, update or verify body.
///
/// Precedence follows the API: anything wrong with the JSON itself (shape, names,
/// base64) is `Invalid JSON format`, even when another image would also have failed
/// template extraction; then faces are checked before fingers.
pub fn parse_person(body: &[u8]) -> Result<PersonRequest, Rejection> {
    let env: Envelope<Person<String>> =
        serde_json::from_slice(body).map_err(|_| Rejection::InvalidJson)?;
    let person = env.person;
    if person.custom_id.is_empty() || person.fingers.len() > 1 {
        return Err(Rejection::InvalidJson);
    }

    let mut bio = Biometrics::default();
    let mut unusable_face = false;
    let mut unusable_finger = false;

    let mut face_slots = BTreeSet::new();
    for (key, b64) in person.face.into_iter().flat_map(|s| s.0) {
        let slot = slot_number(&key, "Face-", u32::MAX).ok_or(Rejection::InvalidJson)?;
        if !face_slots.insert(slot) {
            return Err(Rejection::InvalidJson);
        }
        let (digest, usable) = digest_image(&b64)?;
        unusable_face |= !usable;
        bio.faces.push(digest);
    }

    for (key, b64) in person.fingers.into_iter().flat_map(|s| s.0) {
        let slot = slot_number(&key, "Finger-", u32::from(*FINGER_SLOTS.end()))
            .ok_or(Rejection::InvalidJson)?;
        let (digest, usable) = digest_image(&b64)?;
        unusable_finger |= !usable;
        // The bound above keeps the slot within u8.
        if bio.fingers.insert(slot as u8, digest).is_some() {
            return Err(Rejection::InvalidJson);
        }
    }

    if bio.faces.is_empty() && bio.fingers.is_empty() {
        Err(Rejection::InvalidJson)
    } else if unusable_face {
        Err(Rejection::NoFaceTemplate)
    } else if unusable_finger {
        Err(Rejection::NoFingerTemplate)
    } else {
        Ok(PersonRequest {
            custom_id: person.custom_id,
            bio,
        })
    }
}

/// Parse and check a delete body: just the CustomID.
pub fn parse_person_id(body: &[u8]) -> Result<String, Rejection> {
    let env: Envelope<PersonId> =
        serde_json::from_slice(body).map_err(|_| Rejection::InvalidJson)?;
    if env.person.custom_id.is_empty() {
        return Err(Rejection::InvalidJson);
    }
    Ok(env.person.custom_id)
}

/// `Face-3` → 3. Only the canonical spelling counts: `Face-03` would otherwise be a
/// second name for slot 3 and slip past the duplicate check.
fn slot_number(key: &str, prefix: &str, max: u32) -> Option<u32> {
    let digits = key.strip_prefix(prefix)?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| (1..=max).contains(n))
}

/// Decode one image, and return its digest and whether it looks like an image at all
/// (the sandbox's stand-in for template extraction). The decoded bytes go out of scope
/// here.
fn digest_image(b64: &str) -> Result<(String, bool), Rejection> {
    let bytes = decode_image(b64).ok_or(Rejection::InvalidJson)?;
    Ok((sha256_hex(&bytes), sniff(&bytes).is_some()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    /// Synthetic "images": a format's magic bytes plus a tag, so tests can make distinct
    /// images that `sniff` accepts.
    pub(crate) fn jpeg(tag: &str) -> String {
        STANDARD.encode([b"\xff\xd8\xff\xe0".as_slice(), tag.as_bytes()].concat())
    }

    pub(crate) fn png(tag: &str) -> String {
        STANDARD.encode([b"\x89PNG\r\n\x1a\n".as_slice(), tag.as_bytes()].concat())
    }

    fn digest_of(b64: &str) -> String {
        sha256_hex(&STANDARD.decode(b64).unwrap())
    }

    fn rejected(body: &str) -> Rejection {
        parse_person(body.as_bytes()).expect_err(body)
    }

    #[test]
    fn a_full_request_becomes_digests() {
        let (f1, f2, t, i) = (jpeg("a"), jpeg("b"), png("thumb"), png("index"));
        let body = format!(
            r#"{{"Person":{{"CustomID":"1234","Face":[{{"Face-1":"{f1}","Face-2":"{f2}"}}],"Fingers":[{{"Finger-10":"{i}","Finger-1":"{t}"}}]}}}}"#
        );
        let req = parse_person(body.as_bytes()).unwrap();
        assert_eq!(req.custom_id, "1234");
        assert_eq!(req.bio.faces, vec![digest_of(&f1), digest_of(&f2)]);
        assert_eq!(
            req.bio.fingers,
            BTreeMap::from([(1, digest_of(&t)), (10, digest_of(&i))])
        );
    }

    #[test]
    fn face_only_finger_only_and_data_urls_are_fine() {
        let f = jpeg("x");
        assert!(
            parse_person(
                format!(r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-1":"{f}"}}]}}}}"#)
                    .as_bytes()
            )
            .is_ok()
        );
        let body = format!(
            r#"{{"Person":{{"CustomID":"1","Fingers":[{{"Finger-7":"data:image/png;base64,{}"}}]}}}}"#,
            png("p")
        );
        assert_eq!(
            parse_person(body.as_bytes())
                .unwrap()
                .bio
                .fingers
                .keys()
                .collect::<Vec<_>>(),
            [&7]
        );
    }

    #[test]
    fn malformed_requests_are_invalid_json() {
        let f = jpeg("x");
        let bad = [
            "".to_string(),
            "not json".to_string(),
            "{}".to_string(),
            r#"{"Person":{"CustomID":"1"}}"#.to_string(),
            r#"{"Person":{"CustomID":"1","Face":[],"Fingers":[]}}"#.to_string(),
            r#"{"Person":{"CustomID":"1","Face":[{}]}}"#.to_string(),
            format!(r#"{{"Person":{{"CustomID":"","Face":[{{"Face-1":"{f}"}}]}}}}"#),
            format!(r#"{{"Person":{{"Face":[{{"Face-1":"{f}"}}]}}}}"#),
            format!(r#"{{"Person":{{"CustomID":1,"Face":[{{"Face-1":"{f}"}}]}}}}"#),
            format!(r#"{{"Person":{{"CustomID":"1","Faces":[{{"Face-1":"{f}"}}]}}}}"#),
            format!(r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-1":"{f}"}}]}},"Extra":1}}"#),
            format!(r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-0":"{f}"}}]}}}}"#),
            format!(r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-01":"{f}"}}]}}}}"#),
            format!(r#"{{"Person":{{"CustomID":"1","Face":[{{"face-1":"{f}"}}]}}}}"#),
            format!(
                r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-1":"{f}"}},{{"Face-1":"{f}"}}]}}}}"#
            ),
            format!(
                r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-1":"{f}","Face-1":"{f}"}}]}}}}"#
            ),
            format!(r#"{{"Person":{{"CustomID":"1","Fingers":[{{"Finger-11":"{f}"}}]}}}}"#),
            format!(r#"{{"Person":{{"CustomID":"1","Fingers":[{{"Finger-0":"{f}"}}]}}}}"#),
            format!(r#"{{"Person":{{"CustomID":"1","Fingers":[{{"Thumb":"{f}"}}]}}}}"#),
            format!(
                r#"{{"Person":{{"CustomID":"1","Fingers":[{{"Finger-2":"{f}","Finger-2":"{f}"}}]}}}}"#
            ),
            format!(
                r#"{{"Person":{{"CustomID":"1","Fingers":[{{"Finger-1":"{f}"}},{{"Finger-2":"{f}"}}]}}}}"#
            ),
            format!(r#"{{"Person":{{"CustomID":"1","Fingers":{{"Finger-1":"{f}"}}}}}}"#),
            r#"{"Person":{"CustomID":"1","Face":[{"Face-1":"not base64!"}]}}"#.to_string(),
            r#"{"Person":{"CustomID":"1","Face":[{"Face-1":7}]}}"#.to_string(),
        ];
        for body in &bad {
            assert_eq!(rejected(body), Rejection::InvalidJson, "{body}");
        }
    }

    #[test]
    fn unrecognised_images_fail_template_extraction() {
        let text = STANDARD.encode("just some text");
        let (f, p) = (jpeg("x"), png("y"));
        let face = format!(
            r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-1":"{text}"}}],"Fingers":[{{"Finger-1":"{p}"}}]}}}}"#
        );
        assert_eq!(rejected(&face), Rejection::NoFaceTemplate);
        let finger = format!(
            r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-1":"{f}"}}],"Fingers":[{{"Finger-1":"{text}"}}]}}}}"#
        );
        assert_eq!(rejected(&finger), Rejection::NoFingerTemplate);
        let empty = r#"{"Person":{"CustomID":"1","Face":[{"Face-1":""}]}}"#;
        assert_eq!(rejected(empty), Rejection::NoFaceTemplate);
        // Faces are judged before fingers, and bad JSON before either.
        let both = format!(
            r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-1":"{text}"}}],"Fingers":[{{"Finger-1":"{text}"}}]}}}}"#
        );
        assert_eq!(rejected(&both), Rejection::NoFaceTemplate);
        let worse = format!(
            r#"{{"Person":{{"CustomID":"1","Face":[{{"Face-1":"{text}"}}],"Fingers":[{{"Finger-1":"%%%"}}]}}}}"#
        );
        assert_eq!(rejected(&worse), Rejection::InvalidJson);
    }

    #[test]
    fn delete_bodies() {
        assert_eq!(
            parse_person_id(br#"{"Person":{"CustomID":"42"}}"#).unwrap(),
            "42"
        );
        for bad in [
            r#"{"Person":{"CustomID":""}}"#,
            r#"{"Person":{}}"#,
            r#"{"Person":{"CustomID":"42","Face":[]}}"#,
            "",
        ] {
            assert_eq!(
                parse_person_id(bad.as_bytes()),
                Err(Rejection::InvalidJson),
                "{bad}"
            );
        }
    }

    #[test]
    fn rejection_texts_are_the_apis() {
        assert_eq!(Rejection::InvalidJson.message(), "Invalid JSON format");
        assert_eq!(
            Rejection::NoFaceTemplate.message(),
            "Failed to extract face template"
        );
        assert_eq!(
            Rejection::NoFingerTemplate.message(),
            "Failed to extract fingerprint template"
        );
    }
}
