//! Reading a journal: loading it for a run (each CustomID's history folded into a
//! few bytes, [`Loaded`]), peeking at it for a dry run, and handing every record to
//! `biopass report`. Journals of every older version load: the fields they lack are
//! absent.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::Result;

use super::records::{Record, State};
use super::{io_fail, open_error, regular_file};
use crate::error::{Failure, Kind};

/// The name [`Loaded`] keeps a "no match" verdict under.
const NO_MATCH: &str = "no_match";

/// What the journal says about one CustomID, in a few bytes: what a run needs to plan
/// the row (see [`Loaded::get`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Known {
    /// The content fingerprint the history is of ([`fp_key`]): a record with another
    /// one (new content for this CustomID) starts the history afresh.
    pub fp: [u64; 2],
    /// The manifest line of the latest record (saturating at `u32::MAX`).
    pub line: u32,
    /// The last terminal state, if any.
    pub state: Option<State>,
    /// The failure kind of the last `end` record, if it was a failure: an index into
    /// [`Loaded::kind_name`] (0 is none).
    kind: u8,
    /// A start whose end is missing or ambiguous: our request may have landed.
    pub maybe_landed: bool,
    open: bool,
}

/// A fingerprint in 16 bytes: the 32 hex digits [`crate::batch::content::fingerprint`]
/// writes, as a number. Anything else (a hand-edited journal) is hashed instead, so
/// it equals only the same text, and never a real fingerprint (short of a SHA-256
/// coincidence).
pub fn fp_key(fp: &str) -> [u64; 2] {
    let hex = fp.len() == 32 && fp.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if hex && let Ok(n) = u128::from_str_radix(fp, 16) {
        return [(n >> 64) as u64, n as u64];
    }
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("not a fingerprint\0{fp}"));
    let word = |i: usize| u64::from_be_bytes(d[i..i + 8].try_into().expect("8 bytes"));
    [word(0), word(8)]
}

/// Back to the text of a fingerprint [`fp_key`] parsed.
pub fn fp_text(fp: [u64; 2]) -> String {
    format!("{:016x}{:016x}", fp[0], fp[1])
}

/// Every CustomID's [`Known`], keyed by [`crate::batch::content::id_key`] (two independent
/// 64-bit hashes of the id) in a sorted vector: 40 bytes a CustomID. Ids first seen
/// lately wait in a small map, merged into the vector every [`RECENT_MAX`] ids, so
/// loading costs no more than the vector itself.
#[derive(Default)]
struct KnownIds {
    sorted: Vec<([u64; 2], Known)>,
    recent: HashMap<[u64; 2], Known>,
}

/// How many new ids wait in [`KnownIds::recent`] before a merge.
const RECENT_MAX: usize = 1 << 16;

impl KnownIds {
    fn entry(&mut self, key: [u64; 2]) -> &mut Known {
        if let Ok(i) = self.sorted.binary_search_by(|(k, _)| k.cmp(&key)) {
            return &mut self.sorted[i].1;
        }
        if self.recent.len() >= RECENT_MAX && !self.recent.contains_key(&key) {
            self.merge();
        }
        self.recent.entry(key).or_default()
    }

    /// Move the recent ids into the sorted vector (merged from the back, in place).
    fn merge(&mut self) {
        let mut new: Vec<_> = self.recent.drain().collect();
        self.recent.shrink_to(RECENT_MAX);
        new.sort_unstable_by_key(|e| e.0);
        let old = self.sorted.len();
        self.sorted.reserve_exact(new.len());
        self.sorted
            .resize(old + new.len(), ([0, 0], Known::default()));
        let (mut i, mut j, mut out) = (old, new.len(), old + new.len());
        while j > 0 {
            out -= 1;
            if i > 0 && self.sorted[i - 1].0 > new[j - 1].0 {
                self.sorted[out] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[out] = new[j - 1];
                j -= 1;
            }
        }
    }

    fn get(&self, key: [u64; 2]) -> Option<&Known> {
        match self.sorted.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => Some(&self.sorted[i].1),
            Err(_) => self.recent.get(&key),
        }
    }

    fn values_mut(&mut self) -> impl Iterator<Item = &mut Known> {
        self.sorted
            .iter_mut()
            .map(|(_, k)| k)
            .chain(self.recent.values_mut())
    }
}

/// The journal as loaded at the start of a run: per CustomID only what planning
/// needs ([`Known`]), never the ids themselves.
#[derive(Default)]
pub struct Loaded {
    /// Each CustomID's history. Rows only ever recorded as invalid are not here.
    known: KnownIds,
    /// Failure kinds by index ([`Known`] keeps the index); index 0 is none.
    kinds: Vec<String>,
    /// Whether the journal says anything about what the service holds.
    vouches: bool,
    /// The operation of the last run recorded.
    pub op: Option<String>,
    /// The target of the last run recorded: `None` if no run is recorded, `Some(None)`
    /// for a run record from before journals recorded their target.
    pub last_target: Option<Option<String>>,
    /// The last line was cut short by a crash: [`super::Opened::prepare`] cuts it off,
    /// [`peek`] leaves it.
    pub torn_tail: bool,
}

impl Loaded {
    /// What the journal says of `id`, if anything.
    pub fn get(&self, id: &str) -> Option<Known> {
        self.known.get(crate::batch::content::id_key(id)).copied()
    }

    /// How many CustomIDs the journal knows.
    pub fn len(&self) -> usize {
        self.known.sorted.len() + self.known.recent.len()
    }

    /// Whether the journal knows no CustomID.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The failure kind ([`crate::error::Kind::name`]) of the last `end` record of a
    /// row, if it was a failure.
    pub fn kind_name(&self, k: &Known) -> Option<&str> {
        (k.kind > 0).then(|| self.kinds.get(k.kind as usize - 1).map(String::as_str))?
    }

    /// Whether the row's last answer was verify's "no match".
    pub fn no_match(&self, k: &Known) -> bool {
        k.state == Some(State::Done) && self.kind_name(k) == Some(NO_MATCH)
    }

    fn kind_index(&mut self, kind: Option<String>) -> u8 {
        let Some(kind) = kind else { return 0 };
        if let Some(i) = self.kinds.iter().position(|k| *k == kind) {
            return i as u8 + 1;
        }
        // Kinds are the few names of crate::error::Kind; a journal with more is not
        // one this program wrote: keep the rest as "other".
        if self.kinds.len() >= 250 {
            return self.kind_index(Some("other".into()));
        }
        self.kinds.push(kind);
        self.kinds.len() as u8
    }

    /// Whether the journal says anything about what the service holds: a row that
    /// succeeded, was refused, or may have landed. A journal whose every request was
    /// certainly not acted on (refused at the gateway, never connected) vouches for
    /// nothing, and may be used against another target.
    pub fn vouches(&self) -> bool {
        self.vouches
    }
}

/// What to do about a file that is not a journal: for a run, name another one.
const NOT_A_JOURNAL_RUN: &str = "it was left untouched: name a new file with --journal";

fn not_a_journal(path: &Path, advice: &str) -> anyhow::Error {
    Failure::new(
        Kind::Io,
        format!(
            "{} exists and is not a biopass journal; {advice}",
            path.display()
        ),
    )
    .into()
}

/// Open for reading only, never through a symbolic link.
fn open_read_only(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut o, libc::O_NOFOLLOW);
    o.open(path)
}

/// Load a journal without changing anything (for `--dry-run`): no file is created,
/// locked, chmod'ed or cut. A missing journal loads as empty.
pub fn peek(path: &Path) -> Result<Loaded> {
    let file = match open_read_only(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::default()),
        Err(e) => return Err(open_error(path, e)),
    };
    regular_file(&file, path)?;
    Ok(load(&file, path)?.0)
}

/// Read every record. Returns what they say and the length of the whole lines.
pub(super) fn load(file: &File, path: &Path) -> Result<(Loaded, u64)> {
    let mut loaded = Loaded::default();
    let scanned = scan(file, path, NOT_A_JOURNAL_RUN, |rec| apply(&mut loaded, rec))?;
    loaded.torn_tail = scanned.torn_tail;
    loaded.known.merge();
    let mut vouches = false;
    for h in loaded.known.values_mut() {
        if h.open {
            // Started, never ended: the process died with the request in flight.
            h.maybe_landed = true;
            h.open = false;
        }
        vouches |= h.maybe_landed || h.state != Some(State::Transient);
    }
    loaded.known.sorted.shrink_to_fit();
    // Merged: its room is not needed again (a run only reads the table).
    loaded.known.recent = HashMap::new();
    loaded.vouches = vouches;
    Ok((loaded, scanned.good_len))
}

/// What [`scan`] saw besides the records.
struct Scanned {
    /// The length of the whole lines.
    good_len: u64,
    /// The last line was cut short.
    torn_tail: bool,
}

/// Hand every whole record to `each`, in order. A first line that is not a record
/// means the file is not a journal; damage further on is an error; a torn last line
/// is reported, not handed over.
fn scan(file: &File, path: &Path, advice: &str, mut each: impl FnMut(Record)) -> Result<Scanned> {
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    let mut good_len: u64 = 0;
    let mut lineno = 0u64;
    let mut torn_tail = false;
    loop {
        buf.clear();
        // A line longer than any record we write means this is not our file.
        let n = (&mut reader)
            .take(MAX_RECORD)
            .read_until(b'\n', &mut buf)
            .map_err(|e| io_fail(path, "cannot read", e))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        if buf.last() != Some(&b'\n') {
            if n as u64 >= MAX_RECORD {
                return Err(if lineno == 1 {
                    not_a_journal(path, advice)
                } else {
                    io_fail(path, &format!("line {lineno} is damaged"), "far too long")
                });
            }
            // The last write was cut short by a crash. Only a file that is already a
            // journal may have its tail cut: a lone partial line must look like the
            // start of our first record.
            if lineno == 1 && !buf.starts_with(b"{\"event\":\"run\"") {
                return Err(not_a_journal(path, advice));
            }
            torn_tail = true;
            break;
        }
        let rec: Record = match serde_json::from_slice(&buf) {
            Ok(r) => r,
            Err(_) if lineno == 1 => return Err(not_a_journal(path, advice)),
            Err(e) => return Err(io_fail(path, &format!("line {lineno} is damaged"), e)),
        };
        each(rec);
        good_len += n as u64;
    }
    Ok(Scanned {
        good_len,
        torn_tail,
    })
}

/// Read every whole record of an existing journal, in order, without creating,
/// locking or changing it (for `biopass report`). A missing file is an input error
/// (66); a file that is not a journal, or is damaged, is 74. Returns whether the
/// last line was torn (it is left out).
pub fn read_records(path: &Path, each: impl FnMut(Record)) -> Result<bool> {
    let file = match open_read_only(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(
                Kind::Input,
                format!("journal {} does not exist", path.display()),
            )
            .into());
        }
        Err(e) => return Err(open_error(path, e)),
    };
    regular_file(&file, path)?;
    Ok(scan(
        &file,
        path,
        "name the journal a batch run wrote (MANIFEST.OP.journal)",
        each,
    )?
    .torn_tail)
}

/// The longest line a journal record can take (ids and messages are bounded well
/// below this).
const MAX_RECORD: u64 = 1024 * 1024;

fn apply(l: &mut Loaded, rec: Record) {
    match rec {
        // Rows recorded as invalid have no content fingerprint (their files could not
        // be read); they must not disturb the history of a valid row with the same id.
        Record::End { ref fp, .. } if fp.is_empty() => {}
        Record::Run { op, target, .. } => {
            l.op = Some(op);
            l.last_target = Some(target);
        }
        Record::Start { line, id, fp, .. } => {
            let fp = fp_key(&fp);
            let h = l.known.entry(crate::batch::content::id_key(&id));
            if h.fp != fp {
                // New content for this CustomID: earlier attempts were of other bytes.
                *h = Known::default();
            }
            if h.open {
                h.maybe_landed = true;
            }
            h.line = u32::try_from(line).unwrap_or(u32::MAX);
            h.fp = fp;
            h.open = true;
        }
        Record::End {
            line,
            id,
            fp,
            state,
            kind,
            matched,
            ..
        } => {
            // A verify that answered "no match" is finished, like a match; the
            // verdict rides in the failure-kind slot (a done row has no failure), so
            // a resumed run still counts it without a byte more per row.
            let kind = match matched {
                Some(false) => l.kind_index(Some(NO_MATCH.into())),
                _ => l.kind_index(kind),
            };
            let fp = fp_key(&fp);
            let h = l.known.entry(crate::batch::content::id_key(&id));
            if h.fp != fp {
                *h = Known::default();
                h.fp = fp;
            }
            h.line = u32::try_from(line).unwrap_or(u32::MAX);
            h.open = false;
            h.state = Some(state);
            h.kind = kind;
            if state == State::Ambiguous {
                h.maybe_landed = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::journal::open;
    use crate::batch::journal::samples::{end, start, write};

    #[test]
    fn fingerprints_are_kept_as_numbers() {
        let fp = "0123456789abcdef0011223344556677";
        assert_eq!(fp_text(fp_key(fp)), fp);
        // Not the 32 lowercase hex digits we write: hashed, never equal to the digits.
        assert_ne!(fp_key(&fp.to_uppercase()), fp_key(fp));
        assert_eq!(fp_key("f"), fp_key("f"));
    }

    #[test]
    fn many_ids_merge_into_one_sorted_table() {
        let mut l = Loaded::default();
        let n = RECENT_MAX * 2 + 17;
        for i in 0..n {
            apply(
                &mut l,
                Record::Start {
                    line: i as u64 + 2,
                    id: format!("id-{i}"),
                    fp: "f".into(),
                    attempt: 1,
                },
            );
        }
        // An end for an id merged long ago finds it.
        apply(&mut l, end("id-0", "f", State::Done));
        l.known.merge();
        assert_eq!(l.len(), n);
        assert!(l.known.sorted.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(l.get("id-0").unwrap().state, Some(State::Done));
        assert_eq!(l.get(&format!("id-{}", n - 1)).unwrap().line, n as u32 + 1);
    }

    #[test]
    fn history_rules() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        write(
            &p,
            &[
                start("a", "f1", 1),
                end("a", "f1", State::Done),
                start("b", "f1", 1),
                start("c", "f1", 1),
                end("c", "f1", State::Ambiguous),
                start("d", "f1", 1),
                end("d", "f1", State::Transient),
                start("e", "OLD", 1),
                start("e", "f2", 1),
                end("e", "f2", State::Transient),
            ],
            "{\"event\":\"start\",\"li",
        );
        let before = std::fs::read(&p).unwrap();
        let (mut f, l) = open(&p).unwrap();
        assert!(!f.created);
        assert!(l.torn_tail);
        assert_eq!(
            std::fs::read(&p).unwrap(),
            before,
            "nothing changed before prepare"
        );
        let row = |id: &str| l.get(id).unwrap();
        assert_eq!(row("a").state, Some(State::Done));
        assert!(!row("a").maybe_landed);
        assert!(row("b").maybe_landed, "started, never ended");
        assert!(row("c").maybe_landed);
        assert!(!row("d").maybe_landed);
        // The open start of the old content says nothing about the new content.
        assert!(!row("e").maybe_landed);
        assert_eq!(row("e").fp, fp_key("f2"));
        assert_ne!(fp_key("f2"), fp_key("f1"));
        assert!(l.get("z").is_none());
        assert_eq!(l.len(), 5);
        // Prepared, the torn tail is cut: the file ends with a newline and loads cleanly.
        f.prepare(&l).unwrap();
        drop(f);
        assert!(std::fs::read_to_string(&p).unwrap().ends_with('\n'));
        assert!(!open(&p).unwrap().1.torn_tail);
    }

    #[test]
    fn damage_in_the_middle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        write(&p, &[start("a", "f", 1)], "not json\n");
        let e = open(&p).err().unwrap();
        assert!(e.to_string().contains("line 2 is damaged"), "{e}");
    }
}
