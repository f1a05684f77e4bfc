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
    #[serde(rename = "Person")]
    pub person: P,
}

/// The person of an enroll, update or verify request (`I` is the image type:
/// `B64` (a test-only reference type) when sending, `String` when receiving in the
/// sandbox).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person<I> {
    #[serde(rename = "CustomID")]
    pub custom_id: String,
    #[serde(rename = "Face", default, skip_serializing_if = "Vec::is_empty")]
    pub face: Vec<Slots<I>>,
    #[serde(rename = "Fingers", default, skip_serializing_if = "Vec::is_empty")]
    pub fingers: Vec<Slots<I>>,
}

/// The person of a delete request: only the CustomID.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonId {
    #[serde(rename = "CustomID")]
    pub custom_id: String,
}

/// An ordered JSON object of named images (`{"Finger-2": .., "Finger-7": ..}`).
/// A `Vec` rather than a map keeps slot order as given (`Finger-10` after `Finger-9`)
/// and lets the receiver see duplicate keys instead of silently keeping the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slots<I>(pub Vec<(String, I)>);

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
    #[serde(rename = "Person", default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonResult>,
    #[serde(rename = "Success", default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    #[serde(rename = "Message", default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PersonResult {
    #[serde(rename = "ClientID", default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(rename = "CustomID", default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    #[serde(rename = "BioPassID", default, skip_serializing_if = "Option::is_none")]
    pub biopass_id: Option<String>,
    #[serde(rename = "Match", default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<bool>,
    #[serde(
        rename = "MatchDetails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub match_details: Option<MatchDetails>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct MatchDetails {
    #[serde(rename = "FaceMatched", default)]
    pub face_matched: bool,
    #[serde(rename = "NonMatchedFingers", default)]
    pub non_matched_fingers: Vec<String>,
}

/// Azure API Management's error body: `{"statusCode":401,"message":"..."}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct GatewayError {
    #[serde(rename = "statusCode")]
    pub status_code: u16,
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
