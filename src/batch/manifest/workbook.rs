//! Workbooks as manifests (.xlsx, .xlsm, .ods), read with calamine: the first sheet or
//! the one named, its first used row the header, the same columns, rules and
//! messages as a CSV's, lines being the sheet's row numbers (`people.xlsx:Sheet1:12`).
//!
//! A workbook is a zip of XML that no reader streams cell by cell in any order, so
//! its sheet is read whole, once, when the manifest is opened, and held for the run:
//! memory grows with the sheet (about 30 MiB for 100,000 rows of four columns, see
//! the README), unlike a CSV's. Formula cells give the value the workbook saved with
//! them. An id cell that holds a number, not text, is refused: the spreadsheet has
//! already dropped its leading zeros, or the digits of a long id.

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use calamine::{Data, Ods, Range, Reader, Xlsx};

use super::columns::Holds;
use super::{Fields, Format, Header, Manifest, Row, RowError, Source, column_name, quote};
use crate::error::{Failure, Kind};
use crate::sanitize::sanitize;

/// One sheet of a workbook, read whole.
pub(super) struct Sheet {
    /// The sheet's name, as messages show it after the file's.
    pub name: String,
    range: Range<Data>,
    header: Result<Header, RowError>,
}

/// The sheet's names and the range of the one asked for (the first unless named).
fn load<RS: Read + Seek>(
    rs: RS,
    format: Format,
    wanted: Option<&str>,
) -> Result<(String, Range<Data>), String> {
    fn pick<R: Reader<RS>, RS: Read + Seek>(
        mut wb: R,
        wanted: Option<&str>,
    ) -> Result<(String, Range<Data>), String>
    where
        R::Error: std::fmt::Display,
    {
        let names = wb.sheet_names();
        let name = match wanted {
            Some(w) => names.iter().find(|n| *n == w).cloned().ok_or_else(|| {
                format!(
                    "it has no sheet {}: its sheets are {}",
                    quote(w),
                    names
                        .iter()
                        .map(|n| quote(n))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?,
            None => names
                .first()
                .cloned()
                .ok_or_else(|| "it has no sheet".to_string())?,
        };
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| format!("sheet {}: {}", quote(&name), sanitize(&e.to_string(), 200)))?;
        Ok((name, range))
    }
    let not = |what: &str, e: &dyn std::fmt::Display| {
        format!(
            "not a readable {what} workbook ({}): save it again from the spreadsheet, or give --format",
            sanitize(&e.to_string(), 200)
        )
    };
    match format {
        Format::Ods => pick(Ods::new(rs).map_err(|e| not(".ods", &e))?, wanted),
        _ => pick(Xlsx::new(rs).map_err(|e| not(".xlsx", &e))?, wanted),
    }
}

/// A cell's column letters (`A`, `Z`, `AA`), for messages.
fn column_letters(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

impl Sheet {
    /// Read the sheet `wanted` (the first, if `None`) of the workbook `m`. A file that
    /// is not such a workbook, or has no such sheet, is unreadable input (66).
    pub(super) fn read(m: &Manifest, wanted: Option<&str>) -> anyhow::Result<Sheet> {
        let loaded = match &m.source {
            Source::File(p) => match crate::regular::open(p) {
                Ok((f, _)) => load(BufReader::new(f), m.format, wanted),
                Err(e) => Err(e.to_string()),
            },
            Source::Memory(b) => load(Cursor::new(&b[..]), m.format, wanted),
        };
        let (name, range) = loaded.map_err(|why| {
            Failure::new(
                Kind::Input,
                format!("cannot read manifest {}: {why}", sanitize(&m.name, 200)),
            )
        })?;
        let first = range.start().map_or(0, |(r, _)| r);
        let header = match range.rows().next() {
            Some(cells) => {
                let names: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
                Header::parse(names.iter().map(String::as_str), u64::from(first) + 1)
            }
            None => Err(RowError {
                line: 1,
                message: format!(
                    "the sheet is empty: it needs a header row with an '{}' column",
                    super::columns::ID.name
                ),
                unreadable: false,
            }),
        };
        Ok(Sheet {
            name,
            range,
            header,
        })
    }

    /// The ignored columns' names (at most ten) and how many there are.
    pub(super) fn ignored(&self) -> (Vec<String>, usize) {
        match &self.header {
            Ok(h) => (h.ignored.clone(), h.ignored_count),
            Err(_) => (vec![], 0),
        }
    }

    /// The rows after the header, or the header's error.
    pub(super) fn rows<'a>(
        &'a self,
        base: &'a Path,
    ) -> Box<dyn Iterator<Item = Result<Row, RowError>> + 'a> {
        let header = match &self.header {
            Ok(h) => h,
            Err(e) => return Box::new(std::iter::once(Err(e.clone()))),
        };
        let (first_row, first_col) = self.range.start().unwrap_or((0, 0));
        Box::new(
            self.range
                .rows()
                .enumerate()
                .skip(1)
                .filter(|(_, cells)| {
                    cells
                        .iter()
                        .any(|c| !matches!(c, Data::Empty) && !c.to_string().trim().is_empty())
                })
                .map(move |(i, cells)| {
                    let line = u64::from(first_row) + i as u64 + 1;
                    row(header, cells, base, line, first_col).map_err(|message| RowError {
                        line,
                        message,
                        unreadable: false,
                    })
                }),
        )
    }
}

/// One row of cells, by the header's columns.
fn row(
    header: &Header,
    cells: &[Data],
    base: &Path,
    line: u64,
    first_col: u32,
) -> Result<Row, String> {
    let mut fields = Fields::new(base, line);
    for (i, (slot, cell)) in header.slots.iter().zip(cells).enumerate() {
        let Some(slot) = slot else { continue };
        let at = || format!("{}{line}", column_letters(first_col + i as u32));
        let text = match cell {
            Data::Empty => continue,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Error(e) => {
                return Err(format!(
                    "the {} cell {} holds the error {e}: fix its formula, or type the value",
                    column_name(*slot),
                    at()
                ));
            }
            Data::Int(_) | Data::Float(_) | Data::DateTime(_) | Data::Bool(_)
                if slot.holds == Holds::Id =>
            {
                return Err(format!(
                    "the {} cell {} holds the number {cell}, not text: format the {} column as Text \
(Format Cells > Text) and type the ids again, as a number loses leading zeros and the digits of long ids",
                    column_name(*slot),
                    at(),
                    column_name(*slot)
                ));
            }
            other => other.to_string(),
        };
        fields.put(*slot, &text)?;
    }
    Ok(fields.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_as_spreadsheets_name_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
