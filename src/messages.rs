//! The one table of the service's texts that biopass recognises.
//!
//! BioPassID and its gateway (Azure API Management) answer refusals with short
//! texts. A text is recognised only as a WHOLE known phrase: the message is trimmed,
//! one trailing period is ignored, and the comparison ignores ASCII case. Searching
//! for fragments ("not found" anywhere) misreads texts such as "Face not found in the
//! image" (a bad image, not a missing person). Anything not in the table means
//! nothing beyond its HTTP status, and its text is shown to the user as it came.
//!
//! A few gateway texts end in a variable part ("... replenished in 10:00:00."): those
//! rows match the whole first sentence(s), i.e. the phrase followed by ". " or the end.

/// What a recognised text means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// Enroll of a CustomID that is already enrolled.
    AlreadyExists,
    /// No person with this CustomID (update, verify, delete).
    PersonNotFound,
    /// The request body was refused as malformed.
    InvalidJson,
    /// No usable face in the image.
    NoFaceTemplate,
    /// No usable fingerprint in the image.
    NoFingerTemplate,
    /// APIM: the subscription's quota is used up.
    Quota,
    /// APIM: rate limited.
    RateLimited,
}

/// How a row matches.
#[derive(Debug, Clone, Copy)]
enum Pattern {
    /// The whole message is this phrase.
    Whole(&'static str),
    /// The message is this phrase, optionally followed by more sentences (". ...").
    Sentence(&'static str),
}

use Meaning::*;
use Pattern::*;

/// The table: each row is a text the service (or the project's sandbox, which copies
/// it) is known to send. Sources: BioPassID's help centre and SDK types (confirmed:
/// "Invalid JSON format", "Failed to extract face template"), the sandbox
/// (src/sandbox/server.rs and request.rs), and Azure API Management's documented texts.
const TABLE: &[(Pattern, Meaning)] = &[
    (
        Whole("Person with this CustomID already exists"),
        AlreadyExists,
    ),
    (Whole("Person already exists"), AlreadyExists),
    (Whole("CustomID already exists"), AlreadyExists),
    (Whole("Person not found"), PersonNotFound),
    (Whole("Invalid JSON format"), InvalidJson),
    (Whole("Failed to extract face template"), NoFaceTemplate),
    (
        Whole("Failed to extract fingerprint template"),
        NoFingerTemplate,
    ),
    (Sentence("Out of call volume quota"), Quota),
    (Sentence("Out of bandwidth quota"), Quota),
    (Sentence("Rate limit is exceeded"), RateLimited),
];

/// What `message` means, if it is a known text.
pub fn recognise(message: &str) -> Option<Meaning> {
    let m = message.trim();
    let whole = m.strip_suffix('.').unwrap_or(m).trim_end();
    TABLE.iter().find_map(|&(pattern, meaning)| {
        let hit = match pattern {
            Whole(p) => whole.eq_ignore_ascii_case(p),
            Sentence(p) => {
                whole.eq_ignore_ascii_case(p)
                    || m.get(..p.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(p))
                        && m[p.len()..].starts_with(". ")
            }
        };
        hit.then_some(meaning)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One case per table row, in the forms the service may use.
    #[test]
    fn every_row_is_recognised() {
        let cases = [
            ("Person with this CustomID already exists", AlreadyExists),
            ("person with this customid already exists.", AlreadyExists),
            ("Person already exists", AlreadyExists),
            ("CustomID already exists", AlreadyExists),
            ("  Person not found.  ", PersonNotFound),
            ("Invalid JSON format", InvalidJson),
            ("Failed to extract face template", NoFaceTemplate),
            ("Failed to extract fingerprint template", NoFingerTemplate),
            (
                "Out of call volume quota. Quota will be replenished in 10:00:00.",
                Quota,
            ),
            ("Out of call volume quota.", Quota),
            (
                "Out of bandwidth quota. Quota will be replenished in 01:00:00.",
                Quota,
            ),
            (
                "Rate limit is exceeded. Try again in 2 seconds.",
                RateLimited,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(recognise(text), Some(want), "{text:?}");
        }
        assert_eq!(cases.len() - 2, TABLE.len(), "a case for every row");
    }

    /// Fragments are not phrases.
    #[test]
    fn fragments_and_extensions_are_not_recognised() {
        for text in [
            "Face not found in the image",
            "not found",
            "Person not found in region B",
            "The person already exists? no",
            "Invalid JSON format: but also something",
            "quota",
            "Out of call volume quotas",
            "",
        ] {
            assert_eq!(recognise(text), None, "{text:?}");
        }
    }
}
