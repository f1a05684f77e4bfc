//! The BioPassID wire format: the JSON shapes of person requests and responses.
//!
//! One set of types serves both ends: the client serialises requests from borrowed
//! image bytes (base64-encoded straight into the JSON body, no intermediate string),
//! and the sandbox deserialises the same shape with owned base64 strings. Field
//! names follow `../shared/biopassid-api.md` exactly (`Person`, `CustomID`,
//! `Face: [{"Face-1": ..}]`, `Fingers: [{"Finger-1": ..}]`).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `{"Person": ...}`, the envelope of every person request and response.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope<P> {
    /// The person (`Person`).
    #[serde(rename = "Person")]
    pub person: P,
}

/// The person of an enroll, update or verify request (`I` is the image type:
/// `B64` (a test-only reference type) when sending, `String` when receiving in the
/// sandbox).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person<I> {
    /// The caller's id for the person (`CustomID`); never empty.
    #[serde(rename = "CustomID")]
    pub custom_id: String,
    /// The face images (`Face`): one object keyed `Face-1`, `Face-2`, ...; empty
    /// (and left out of the JSON) when no face is sent.
    #[serde(rename = "Face", default, skip_serializing_if = "Vec::is_empty")]
    pub face: Vec<Slots<I>>,
    /// The fingerprint images (`Fingers`): one object keyed `Finger-1` ...
    /// `Finger-10` by slot; empty (and left out) when no finger is sent.
    #[serde(rename = "Fingers", default, skip_serializing_if = "Vec::is_empty")]
    pub fingers: Vec<Slots<I>>,
}

/// The person of a delete request: only the CustomID.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonId {
    /// The person to delete (`CustomID`).
    #[serde(rename = "CustomID")]
    pub custom_id: String,
}

/// An ordered JSON object of named images (`{"Finger-2": .., "Finger-7": ..}`).
/// A `Vec` rather than a map keeps slot order as given (`Finger-10` after `Finger-9`)
/// and lets the receiver see duplicate keys instead of silently keeping the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slots<I>(pub Vec<(String, I)>);

impl<I> Default for Slots<I> {
    fn default() -> Self {
        Slots(Vec::new())
    }
}

impl<I: Serialize> Serialize for Slots<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, I: Deserialize<'de>> Deserialize<'de> for Slots<I> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<I>(std::marker::PhantomData<I>);
        impl<'de, I: Deserialize<'de>> Visitor<'de> for V<I> {
            type Value = Slots<I>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of named images")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, I>()? {
                    out.push((k, v));
                }
                Ok(Slots(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Image bytes that serialise as raw standard base64 (no `data:` prefix). The client
/// writes request bodies by hand for speed (`request::LoadedPerson::body`); this is
/// the reference form its tests compare against.
#[cfg(test)]
#[derive(Clone, Copy)]
pub struct B64<'a>(pub &'a [u8]);

#[cfg(test)]
impl Serialize for B64<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&base64::display::Base64Display::new(self.0, &STANDARD))
    }
}

#[cfg(test)]
impl fmt::Debug for B64<'_> {
    // Never print image data, even in a debug dump.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "B64({} bytes)", self.0.len())
    }
}

/// Decode a base64 image as sent on the wire (the sandbox's side). A leading
/// `data:image/...;base64,` prefix is tolerated, as the vendor's SDK strips one.
pub fn decode_image(s: &str) -> Option<Vec<u8>> {
    let raw = match s.strip_prefix("data:") {
        Some(rest) => rest.split_once(',')?.1,
        None => s,
    };
    STANDARD.decode(raw).ok()
}

/// The body of a success response. Lenient: every field optional, unknown fields kept
/// out of the way (the raw JSON is what `--output json` prints).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Response {
    /// The person the operation acted on (`Person`).
    #[serde(rename = "Person", default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonResult>,
    /// `Success`: `false` on a 2xx makes the answer a failure carrying `Message`.
    #[serde(rename = "Success", default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// The service's `Message`, if it sent one.
    #[serde(rename = "Message", default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Face detect's answer (`DetectedFaces`).
    #[serde(
        rename = "DetectedFaces",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub detected_faces: Option<DetectedFaces>,
    /// The ICAO check's answer (`ICAO`).
    #[serde(rename = "ICAO", default, skip_serializing_if = "Option::is_none")]
    pub icao: Option<Icao>,
    /// The NFIQ check's answer (`NFIQ`).
    #[serde(rename = "NFIQ", default, skip_serializing_if = "Option::is_none")]
    pub nfiq: Option<Nfiq>,
    /// Liveness's verdict text (`result`): `Ok`, `No Faces Detected`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Liveness's verdict (`spoof`): true when the image looks like a presentation
    /// attack (a photo of a photo, a screen, a mask).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoof: Option<bool>,
}

/// The body of a quality request: `{"Check":{"Image":B64}}` (face detect, ICAO,
/// NFIQ). The client writes it by hand ([`crate::request::quality_body`]); the
/// sandbox reads it with these types.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// `Check`.
    #[serde(rename = "Check")]
    pub check: ImageOnly,
}

/// The body of a liveness request: `{"Spoof":{"Image":B64}}`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpoofRequest {
    /// `Spoof`.
    #[serde(rename = "Spoof")]
    pub spoof: ImageOnly,
}

/// `{"Image":B64}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageOnly {
    /// The image, base64 (`Image`).
    #[serde(rename = "Image")]
    pub image: String,
}

impl fmt::Debug for ImageOnly {
    // Never print image data, even in a debug dump.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "ImageOnly({} base64 characters)", self.image.len())
    }
}

/// Face detect's `DetectedFaces`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DetectedFaces {
    /// `FaceNumber`: how many faces.
    #[serde(rename = "FaceNumber")]
    pub face_number: u64,
    /// `FaceRects`: each face's box in the image's pixels.
    #[serde(rename = "FaceRects", default)]
    pub face_rects: Vec<FaceRect>,
}

/// One face box of [`DetectedFaces`] (`{"x":N,"y":N,"width":N,"height":N}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FaceRect {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
}

/// The ICAO check's `ICAO`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Icao {
    /// `FaceImageConformed`: an overall figure (meaning and range undocumented;
    /// inferred 0-100).
    #[serde(rename = "FaceImageConformed", default)]
    pub face_image_conformed: Option<f64>,
    /// `IsAllConformed`: every requirement met.
    #[serde(rename = "IsAllConformed")]
    pub is_all_conformed: bool,
    /// `Requirements`: each of the 23 ICAO requirements by name, in the order sent.
    #[serde(rename = "Requirements", default)]
    pub requirements: Slots<Requirement>,
}

/// One ICAO requirement's verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    /// `IsConformed`.
    #[serde(rename = "IsConformed")]
    pub is_conformed: bool,
    /// `Confidence` (range undocumented; inferred 0-100).
    #[serde(rename = "Confidence", default)]
    pub confidence: Option<f64>,
}

/// The NFIQ check's `NFIQ`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Nfiq {
    /// `Quality`: on NFIQ 1's scale (1 best, 5 worst) or NFIQ 2's (0-100, higher
    /// better): which one is not documented.
    #[serde(rename = "Quality")]
    pub quality: f64,
}

/// The `Person` of a success response. Which fields come depends on the operation:
/// enroll and update report `ClientID`, `CustomID` and `BioPassID`; delete only
/// `CustomID`; verify `CustomID`, `Match` and `MatchDetails`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PersonResult {
    /// The account the person belongs to (`ClientID`).
    #[serde(rename = "ClientID", default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The caller's id for the person (`CustomID`).
    #[serde(rename = "CustomID", default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    /// The service's own id for the person (`BioPassID`).
    #[serde(rename = "BioPassID", default, skip_serializing_if = "Option::is_none")]
    pub biopass_id: Option<String>,
    /// Verify's answer (`Match`): whether the images match the enrolled person.
    #[serde(rename = "Match", default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<bool>,
    /// Verify's detail (`MatchDetails`): which of face and fingers matched.
    #[serde(
        rename = "MatchDetails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub match_details: Option<MatchDetails>,
}

/// Verify's per-biometric answer (`MatchDetails`).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct MatchDetails {
    /// `FaceMatched`: false also when no face was sent.
    #[serde(rename = "FaceMatched", default)]
    pub face_matched: bool,
    /// `NonMatchedFingers`: every slot that did not match (`Finger-2`, ...),
    /// including slots that were not sent.
    #[serde(rename = "NonMatchedFingers", default)]
    pub non_matched_fingers: Vec<String>,
}

/// Azure API Management's error body: `{"statusCode":401,"message":"..."}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct GatewayError {
    /// The HTTP status the gateway answered with (`statusCode`).
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    /// The gateway's explanation (`message`), such as a rate limit's wait.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enroll_body_matches_vendor_shape() {
        let face = b"\xff\xd8\xff\xe0abc";
        let body = Envelope {
            person: Person {
                custom_id: "1234".into(),
                face: vec![Slots(vec![("Face-1".into(), B64(face))])],
                fingers: vec![Slots(vec![
                    ("Finger-2".into(), B64(b"x")),
                    ("Finger-10".into(), B64(b"y")),
                ])],
            },
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"Person":{"CustomID":"1234","Face":[{"Face-1":"/9j/4GFiYw=="}],"Fingers":[{"Finger-2":"eA==","Finger-10":"eQ=="}]}}"#
        );
        let back: Envelope<Person<String>> = serde_json::from_str(&json).unwrap();
        assert_eq!(decode_image(&back.person.face[0].0[0].1).unwrap(), face);
    }

    #[test]
    fn unknown_fields_are_rejected_on_requests() {
        let r: Result<Envelope<Person<String>>, _> =
            serde_json::from_str(r#"{"Person":{"CustomID":"1","Faces":[]}}"#);
        assert!(r.is_err());
    }

    #[test]
    fn data_url_prefix_is_tolerated() {
        assert_eq!(decode_image("data:image/png;base64,eA==").unwrap(), b"x");
        assert!(decode_image("not base64!").is_none());
    }
}
