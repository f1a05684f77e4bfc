//! The one rule for a CustomID, shared by `--id` and every manifest format.

use crate::error::{Failure, Kind};

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
