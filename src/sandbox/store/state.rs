//! The sandbox's people as plain data: what each operation does to them, and the
//! records a log replays to rebuild them.
//!
//! [`State`] has pure operations only, so the API's semantics (duplicate CustomIDs,
//! BioPassIDs never reused, byte-identical "matching") are unit-tested without a
//! server or a file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sandbox::request::{Biometrics, FINGER_SLOTS, PersonRequest};

/// Version of the memory-mode data file (and of an old `sandbox.json`), checked on load.
pub(super) const FORMAT: u32 = 1;

/// Everything the sandbox remembers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub(super) format: u32,
    /// The last BioPassID handed out. It only grows, and deleting a person does not
    /// give it back, so a BioPassID names one enrolment forever (as the real API's do).
    pub(super) last_biopass_id: u64,
    pub(super) persons: BTreeMap<String, Record>,
    /// Successful enrolls per CustomID, kept across deletes: tests use it to prove a
    /// retried enroll did not land twice.
    pub(super) enrolls: BTreeMap<String, u64>,
}

// Not `#[serde(flatten)]` for `bio`: flattening loses the integer finger-slot keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Record {
    biopass_id: u64,
    bio: Biometrics,
}

impl Default for State {
    fn default() -> State {
        State {
            format: FORMAT,
            last_biopass_id: 0,
            persons: BTreeMap::new(),
            enrolls: BTreeMap::new(),
        }
    }
}

/// A checked request, ready to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Enroll(PersonRequest),
    Update(PersonRequest),
    Verify(PersonRequest),
    Delete(String),
}

impl Op {
    /// The API operation this is a request of.
    pub fn operation(&self) -> crate::request::Op {
        use crate::request::Op as Api;
        match self {
            Op::Enroll(_) => Api::Enroll,
            Op::Update(_) => Api::Update,
            Op::Verify(_) => Api::Verify,
            Op::Delete(_) => Api::Delete,
        }
    }

    pub fn custom_id(&self) -> &str {
        match self {
            Op::Enroll(r) | Op::Update(r) | Op::Verify(r) => &r.custom_id,
            Op::Delete(id) => id,
        }
    }
}

/// What an operation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Enrolled { biopass_id: u64 },
    Updated { biopass_id: u64 },
    Deleted,
    Verified(Verdict),
    AlreadyExists,
    NotFound,
}

/// The answer to a verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub matched: bool,
    pub face_matched: bool,
    /// Slots that were not sent or did not match, in slot order.
    pub non_matched_fingers: Vec<u8>,
}

/// Compare what was sent with what is enrolled. Not a biometric matcher: an image
/// matches only when it is byte-identical to an enrolled one (same digest), which is
/// all a client test needs and keeps the sandbox free of any notion of likeness.
pub fn verify(enrolled: &Biometrics, sent: &Biometrics) -> Verdict {
    // The API reports a face mismatch when no face was sent.
    let face_matched =
        !sent.faces.is_empty() && sent.faces.iter().all(|d| enrolled.faces.contains(d));
    let finger_matches = |slot: &u8, digest: &String| enrolled.fingers.get(slot) == Some(digest);
    // Unsent slots count as not matched in the list, but not against the verdict.
    let non_matched_fingers = FINGER_SLOTS
        .filter(|slot| {
            !sent
                .fingers
                .get(slot)
                .is_some_and(|d| finger_matches(slot, d))
        })
        .collect();
    let matched = (sent.faces.is_empty() || face_matched)
        && sent.fingers.iter().all(|(s, d)| finger_matches(s, d));
    Verdict {
        matched,
        face_matched,
        non_matched_fingers,
    }
}

/// One change to the state, as the sync-mode log records it (one JSON line each).
/// Replaying a log's records in order on the state its header describes rebuilds the
/// state exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum Entry {
    /// A successful enroll, with the BioPassID it was given.
    Enroll {
        id: String,
        biopass_id: u64,
        bio: Biometrics,
    },
    /// A successful update.
    Update { id: String, bio: Biometrics },
    /// A successful delete.
    Delete { id: String },
    /// In a compacted log: a person enrolled now, and how often that CustomID has been.
    Person {
        id: String,
        biopass_id: u64,
        enrolls: u64,
        bio: Biometrics,
    },
    /// In a compacted log: how often a CustomID not enrolled now has been.
    Enrolls { id: String, enrolls: u64 },
}

impl State {
    /// Apply one operation. Returns what happened and whether the state changed.
    pub fn apply(&mut self, op: Op) -> (Outcome, bool) {
        let (outcome, change) = self.decide(op);
        let changed = change.is_some();
        if let Some(entry) = change {
            self.replay(entry);
        }
        (outcome, changed)
    }

    /// What `op` does, without doing it: the answer, and the change to record and
    /// replay if there is one.
    pub(super) fn decide(&self, op: Op) -> (Outcome, Option<Entry>) {
        match op {
            Op::Enroll(req) => {
                if self.persons.contains_key(&req.custom_id) {
                    return (Outcome::AlreadyExists, None);
                }
                let biopass_id = self.last_biopass_id + 1;
                (
                    Outcome::Enrolled { biopass_id },
                    Some(Entry::Enroll {
                        id: req.custom_id,
                        biopass_id,
                        bio: req.bio,
                    }),
                )
            }
            Op::Update(req) => match self.persons.get(&req.custom_id) {
                Some(rec) => (
                    Outcome::Updated {
                        biopass_id: rec.biopass_id,
                    },
                    Some(Entry::Update {
                        id: req.custom_id,
                        bio: req.bio,
                    }),
                ),
                None => (Outcome::NotFound, None),
            },
            Op::Verify(req) => match self.persons.get(&req.custom_id) {
                Some(rec) => (Outcome::Verified(verify(&rec.bio, &req.bio)), None),
                None => (Outcome::NotFound, None),
            },
            Op::Delete(id) => match self.persons.contains_key(&id) {
                true => (Outcome::Deleted, Some(Entry::Delete { id })),
                false => (Outcome::NotFound, None),
            },
        }
    }

    /// Make a recorded change. Tolerant of records that do not fit (an update of
    /// someone absent changes nothing): a log is replayed as written.
    pub(super) fn replay(&mut self, entry: Entry) {
        match entry {
            Entry::Enroll {
                id,
                biopass_id,
                bio,
            } => {
                self.last_biopass_id = self.last_biopass_id.max(biopass_id);
                *self.enrolls.entry(id.clone()).or_default() += 1;
                self.persons.insert(id, Record { biopass_id, bio });
            }
            Entry::Update { id, bio } => {
                if let Some(rec) = self.persons.get_mut(&id) {
                    rec.bio = bio;
                }
            }
            Entry::Delete { id } => {
                self.persons.remove(&id);
            }
            Entry::Person {
                id,
                biopass_id,
                enrolls,
                bio,
            } => {
                self.last_biopass_id = self.last_biopass_id.max(biopass_id);
                self.enrolls.insert(id.clone(), enrolls);
                self.persons.insert(id, Record { biopass_id, bio });
            }
            Entry::Enrolls { id, enrolls } => {
                self.enrolls.insert(id, enrolls);
            }
        }
    }

    /// How many records a compacted log of this state holds: one per CustomID ever
    /// enrolled (every person enrolled now was enrolled, so is counted there).
    pub(super) fn compacted_records(&self) -> u64 {
        self.enrolls.len().max(self.persons.len()) as u64
    }

    /// The records of a compacted log of this state, one at a time.
    pub(super) fn snapshot(&self) -> impl Iterator<Item = Entry> + '_ {
        let counted = self
            .enrolls
            .iter()
            .map(|(id, &enrolls)| match self.persons.get(id) {
                Some(rec) => Entry::Person {
                    id: id.clone(),
                    biopass_id: rec.biopass_id,
                    enrolls,
                    bio: rec.bio.clone(),
                },
                None => Entry::Enrolls {
                    id: id.clone(),
                    enrolls,
                },
            });
        // (A person without an enroll count only comes from a hand-edited old file.)
        let uncounted = self
            .persons
            .iter()
            .filter(|(id, _)| !self.enrolls.contains_key(*id))
            .map(|(id, rec)| Entry::Person {
                id: id.clone(),
                biopass_id: rec.biopass_id,
                enrolls: 0,
                bio: rec.bio.clone(),
            });
        counted.chain(uncounted)
    }

    pub fn stats(&self) -> Stats {
        Stats {
            persons: self.persons.len(),
            enrolls: self.enrolls.clone(),
        }
    }
}

/// The store's part of `/_sandbox/stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub persons: usize,
    pub enrolls: BTreeMap<String, u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::store::fixtures::{bio, req};

    fn all_but(slots: &[u8]) -> Vec<u8> {
        FINGER_SLOTS.filter(|s| !slots.contains(s)).collect()
    }

    #[test]
    fn lifecycle_and_ids_never_reused() {
        let mut s = State::default();
        let b = bio(&["f"], &[(2, "x")]);
        assert_eq!(
            s.apply(Op::Enroll(req("a", b.clone()))),
            (Outcome::Enrolled { biopass_id: 1 }, true)
        );
        assert_eq!(
            s.apply(Op::Enroll(req("a", b.clone()))),
            (Outcome::AlreadyExists, false)
        );
        assert_eq!(
            s.apply(Op::Enroll(req("b", b.clone()))),
            (Outcome::Enrolled { biopass_id: 2 }, true)
        );
        assert_eq!(
            s.apply(Op::Update(req("a", bio(&["g"], &[])))),
            (Outcome::Updated { biopass_id: 1 }, true)
        );
        assert_eq!(
            s.apply(Op::Update(req("zz", b.clone()))),
            (Outcome::NotFound, false)
        );
        assert_eq!(s.apply(Op::Delete("a".into())), (Outcome::Deleted, true));
        assert_eq!(s.apply(Op::Delete("a".into())), (Outcome::NotFound, false));
        assert_eq!(
            s.apply(Op::Verify(req("a", b.clone()))),
            (Outcome::NotFound, false)
        );
        // Re-enrolling after a delete gets a fresh BioPassID, and counts twice.
        assert_eq!(
            s.apply(Op::Enroll(req("a", b))),
            (Outcome::Enrolled { biopass_id: 3 }, true)
        );
        let st = s.stats();
        assert_eq!(st.persons, 2);
        assert_eq!(
            st.enrolls,
            BTreeMap::from([("a".to_string(), 2), ("b".to_string(), 1)])
        );
    }

    #[test]
    fn update_replaces_biometrics() {
        let mut s = State::default();
        s.apply(Op::Enroll(req("a", bio(&["old"], &[]))));
        s.apply(Op::Update(req("a", bio(&["new"], &[]))));
        let (out, _) = s.apply(Op::Verify(req("a", bio(&["old"], &[]))));
        assert!(
            matches!(out, Outcome::Verified(Verdict { matched: false, .. })),
            "{out:?}"
        );
        let (out, _) = s.apply(Op::Verify(req("a", bio(&["new"], &[]))));
        assert!(
            matches!(out, Outcome::Verified(Verdict { matched: true, .. })),
            "{out:?}"
        );
    }

    #[test]
    fn verify_rules() {
        let enrolled = bio(&["f1", "f2"], &[(1, "t"), (2, "i")]);
        let v = |faces: &[&str], fingers: &[(u8, &str)]| verify(&enrolled, &bio(faces, fingers));

        let face_only = v(&["f2"], &[]);
        assert_eq!(
            face_only,
            Verdict {
                matched: true,
                face_matched: true,
                non_matched_fingers: all_but(&[])
            }
        );

        let fingers_only = v(&[], &[(1, "t"), (2, "i")]);
        assert_eq!(
            fingers_only,
            Verdict {
                matched: true,
                face_matched: false,
                non_matched_fingers: all_but(&[1, 2])
            }
        );

        // One sent face not enrolled spoils FaceMatched.
        let mixed_faces = v(&["f1", "other"], &[(1, "t")]);
        assert_eq!(
            mixed_faces,
            Verdict {
                matched: false,
                face_matched: false,
                non_matched_fingers: all_but(&[1])
            }
        );

        // A finger only counts in its own slot.
        let wrong_slot = v(&["f1"], &[(3, "t")]);
        assert_eq!(
            wrong_slot,
            Verdict {
                matched: false,
                face_matched: true,
                non_matched_fingers: all_but(&[])
            }
        );

        // A finger sent for a slot that was never enrolled does not match.
        let unenrolled = v(&[], &[(1, "t"), (10, "x")]);
        assert_eq!(
            unenrolled,
            Verdict {
                matched: false,
                face_matched: false,
                non_matched_fingers: all_but(&[1])
            }
        );
    }
}
