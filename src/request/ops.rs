//! The one table of the API's operations: for each, its name, method and path,
//! what its request and a complete answer hold, whether it changes state at the
//! service, and how an ambiguous outcome is settled. The client, the sandbox's
//! router, the batch engine, `report` and the command line read it.

use crate::error::Kind;

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
    /// least one image ([`LoadedPerson::into_body`](super::LoadedPerson::into_body)).
    Person,
    /// `{"Person":{"CustomID":..}}`: the CustomID only ([`delete_body`](super::delete_body)).
    PersonId,
    /// `{"Check":{"Image":B64}}`: one image, no CustomID ([`quality_body`](super::quality_body)).
    Check,
    /// `{"Spoof":{"Image":B64}}`: one image, no CustomID ([`quality_body`](super::quality_body)).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_op_order() {
        for (i, spec) in OPS.iter().enumerate() {
            assert_eq!(spec.op.index(), i, "{spec:?}");
            assert_eq!(Op::from_name(spec.name), Some(spec.op));
        }
        let paths: std::collections::HashSet<_> = OPS.iter().map(|s| (s.method, s.path)).collect();
        assert_eq!(paths.len(), OPS.len());
    }
}
