//! The one table of manifest columns: each column's name, its aliases, what it holds,
//! and whether the content fingerprint ([`crate::batch::content`]) covers it.
//!
//! Every reader (CSV/TSV, JSON Lines, workbooks), validation, the fingerprint,
//! `check --from`, the ignored-columns warning and the help text read this table; no
//! column name is spelt anywhere else. Adding a column means a [`Column`] here and a
//! [`Holds`] variant, whose exhaustive matches (in `Fields::put` and in the
//! fingerprint) the compiler then asks to be filled in.

use crate::request::FINGER_NAMES;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holds {
    /// The CustomID.
    Id,
    /// A face image (`face`, then `face_2`, `face_3`, ... in that order).
    Face,
    /// The fingerprint image of one slot (1-10).
    Finger(u8),
}

/// One manifest column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The name, as the help text and messages spell it.
    pub name: &'static str,
    /// Other names read as this column.
    pub aliases: &'static [&'static str],
    /// What it holds.
    pub holds: Holds,
    /// Whether numbered copies (`face_2`, `face_3`, ...) are columns too.
    pub numbered: bool,
    /// Whether the content fingerprint covers it: a change in a covered column makes a
    /// journaled row "changed" on resume. Every column biopass reads is covered;
    /// ignored columns (a spreadsheet's `name`) are not.
    pub fingerprinted: bool,
}

/// The CustomID column.
pub const ID: Column = Column {
    name: "id",
    aliases: &["custom_id", "customid"],
    holds: Holds::Id,
    numbered: false,
    fingerprinted: true,
};

/// The face column(s).
pub const FACE: Column = Column {
    name: "face",
    aliases: &[],
    holds: Holds::Face,
    numbered: true,
    fingerprinted: true,
};

/// The JSON Lines key whose object holds the finger columns, by position
/// (`{"fingers":{"right-index":"ri.png"}}`); in CSV and workbooks each finger is a
/// column of its own.
pub const FINGERS: &str = "fingers";

const fn finger(slot: u8) -> Column {
    Column {
        name: FINGER_NAMES[slot as usize - 1],
        aliases: &[],
        holds: Holds::Finger(slot),
        numbered: false,
        fingerprinted: true,
    }
}

/// Every column, in the order the help text lists them.
pub const ALL: [Column; 12] = [
    ID,
    FACE,
    finger(1),
    finger(2),
    finger(3),
    finger(4),
    finger(5),
    finger(6),
    finger(7),
    finger(8),
    finger(9),
    finger(10),
];

/// What a header's column is: which column, and for a numbered one its number (1 for
/// the bare name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    /// The column.
    pub holds: Holds,
    /// 1 for `face`, 2 for `face_2`, ...; 1 for unnumbered columns.
    pub number: usize,
}

/// A name as compared: trimmed, lower case, `-` and `_` alike.
fn normal(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

/// The column a header name (or a JSON Lines key) names, if any: the name or an
/// alias in any case, `-` or `_`, and for numbered columns `NAME_2`, `NAME_3`, ...
pub fn lookup(name: &str) -> Option<Slot> {
    let n = normal(name);
    for c in ALL {
        let names = std::iter::once(c.name).chain(c.aliases.iter().copied());
        for known in names.map(normal) {
            if n == known {
                return Some(Slot {
                    holds: c.holds,
                    number: 1,
                });
            }
            if c.numbered
                && let Some(k) = n.strip_prefix(&known).and_then(|r| r.strip_prefix('_'))
                && let Ok(k) = k.parse::<usize>()
                && k >= 1
            {
                return Some(Slot {
                    holds: c.holds,
                    number: k,
                });
            }
        }
    }
    None
}

/// The column's entry in the table.
pub fn of(holds: Holds) -> &'static Column {
    ALL.iter()
        .find(|c| c.holds == holds)
        .expect("every Holds has a column")
}

/// The columns biopass reads, as a warning about ignored ones lists them:
/// `id, face, face_2, ... and right-thumb ... left-little`.
pub fn summary() -> String {
    let fingers: Vec<&str> = ALL
        .iter()
        .filter(|c| matches!(c.holds, Holds::Finger(_)))
        .map(|c| c.name)
        .collect();
    format!(
        "{}, {}, {}_2, ... and {} ... {}",
        ID.name,
        FACE.name,
        FACE.name,
        fingers[0],
        fingers[fingers.len() - 1]
    )
}

/// The columns as the help text and README describe them.
pub fn help() -> String {
    let fingers: Vec<&str> = ALL
        .iter()
        .filter(|c| matches!(c.holds, Holds::Finger(_)))
        .map(|c| c.name)
        .collect();
    format!(
        "Columns: {id} (or {aliases}), {face} ({face}_2, {face}_3, ...), and fingers by position: {first} ... {last} \
(any case, - or _; other columns are ignored). JSON Lines: {{\"{id}\":\"1234\",\"{face}\":[\"f.jpg\"],\"{FINGERS}\":{{\"{second}\":\"ri.png\"}}}}",
        id = ID.name,
        aliases = ID.aliases.join(", "),
        face = FACE.name,
        first = fingers[0],
        second = fingers[1],
        last = fingers[fingers.len() - 1],
    )
}

/// The image column an unknown column name probably meant, if it is within a
/// small edit distance of an image column's name: at most 1 edit for names of up
/// to 5 characters, 2 for longer ones (so `fcae` and `rigth-index` are typos, and
/// `name`, 2 edits from `face`, is a column of its own).
pub fn misspelt_image_column(name: &str) -> Option<&'static str> {
    // The longest image column name is 12 characters: a longer name is more than
    // two edits from all of them (and is not worth a distance table).
    if name.trim().len() > 16 {
        return None;
    }
    let n = name.trim().to_ascii_lowercase().replace('_', "-");
    let most = if n.chars().count() <= 5 { 1 } else { 2 };
    ALL.iter()
        .filter(|c| !matches!(c.holds, Holds::Id))
        .map(|c| (osa_distance(&n, c.name), c.name))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// swaps of two neighbouring characters each cost one edit (a swapped pair is not
/// edited again). Counted in characters.
pub fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between the first i characters of a and the first j of b.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_numbers() {
        let slot = |holds, number| Some(Slot { holds, number });
        assert_eq!(lookup(" ID "), slot(Holds::Id, 1));
        assert_eq!(lookup("Custom-ID"), slot(Holds::Id, 1));
        assert_eq!(lookup("CustomID"), slot(Holds::Id, 1));
        assert_eq!(lookup("face"), slot(Holds::Face, 1));
        assert_eq!(lookup("FACE_3"), slot(Holds::Face, 3));
        assert_eq!(lookup("face-2"), slot(Holds::Face, 2));
        assert_eq!(lookup("face_0"), None);
        assert_eq!(lookup("face_x"), None);
        assert_eq!(lookup("Right_Index"), slot(Holds::Finger(2), 1));
        assert_eq!(lookup("left-little"), slot(Holds::Finger(10), 1));
        assert_eq!(lookup("right-index_2"), None, "fingers are not numbered");
        assert_eq!(lookup("2"), None, "a slot number is not a column name");
        assert_eq!(lookup("name"), None);
        assert_eq!(lookup(FINGERS), None);
    }

    #[test]
    fn the_table_is_whole() {
        // Each slot has exactly one column, and every column is covered by the
        // fingerprint (an ignored column never is: it is not in the table).
        for slot in 1..=10u8 {
            assert_eq!(
                of(Holds::Finger(slot)).name,
                FINGER_NAMES[slot as usize - 1]
            );
        }
        assert!(ALL.iter().all(|c| c.fingerprinted));
        let mut names: Vec<String> = ALL
            .iter()
            .flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied()))
            .map(normal)
            .collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "no name twice");
        assert_eq!(
            summary(),
            "id, face, face_2, ... and right-thumb ... left-little"
        );
    }
}
