//! Workbooks as manifests (.xlsx, .xlsm, .ods), read with calamine: the first sheet or
//! the one named, its first used row the header, the same columns, rules and
//! messages as a CSV's, lines being the sheet's row numbers (`people.xlsx:Sheet1:12`).
//!
//! A workbook is a zip of XML whose rows cannot be read again without unzipping it
//! again, so its sheet is read once, when the manifest is opened, and held for the run
//! (validation, then sending): of each row only the cells of the columns biopass
//! reads are kept, so memory grows with the rows (see the README's figures), unlike
//! a CSV's. An .xlsx streams cell by cell as it is read; calamine reads an .ods sheet
//! whole first. Formula cells give the value the workbook saved with them. An id cell
//! that holds a number, not text, is refused: the spreadsheet has already dropped its
//! leading zeros, or the digits of a long id.

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use calamine::{Data, Ods, Reader, Xlsx};

use super::columns::Holds;
use super::{Fields, Format, Header, Manifest, Row, RowError, Source, column_name, quote};
use crate::error::{Failure, Kind};
use crate::sanitize::sanitize;

/// One sheet of a workbook, read whole: its header and, of every other row, only
/// the cells of the columns biopass reads.
pub(super) struct Sheet {
    /// The sheet's name, as messages show it after the file's.
    pub name: String,
    header: Result<Header, RowError>,
    rows: Vec<SheetRow>,
}

/// A row after the header: its line (the sheet's row number) and its cells in the
/// columns biopass reads, as (header index, column number, value).
struct SheetRow {
    line: u64,
    cells: Vec<(usize, u32, Data)>,
}

/// Cells as a reader gives them, in row order, gathered into a [`Sheet`]: the first
/// row is the header; later cells in ignored columns are dropped (a non-empty one
/// still makes its row a row), so memory follows the columns biopass reads.
struct Gather {
    header_row: Option<u32>,
    first_col: u32,
    names: Vec<(u32, String)>,
    header: Option<Result<Header, RowError>>,
    /// Header index of each column number from `first_col`.
    index: Vec<Option<usize>>,
    rows: Vec<SheetRow>,
}

impl Gather {
    fn new() -> Self {
        Gather {
            header_row: None,
            first_col: 0,
            names: vec![],
            header: None,
            index: vec![],
            rows: vec![],
        }
    }

    fn blank(v: &Data) -> bool {
        match v {
            Data::Empty => true,
            Data::String(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The header once its row is over.
    fn close_header(&mut self) {
        if self.header.is_some() {
            return;
        }
        let Some(row) = self.header_row else { return };
        self.names.sort_by_key(|(c, _)| *c);
        self.first_col = self.names.first().map_or(0, |(c, _)| *c);
        // Each column from the first named one, with gaps as unnamed (ignored) columns.
        let last = self.names.last().map_or(0, |(c, _)| *c);
        let mut all = vec![String::new(); (last - self.first_col + 1) as usize];
        for (c, n) in self.names.drain(..) {
            all[(c - self.first_col) as usize] = n;
        }
        let named: Vec<&str> = all.iter().map(String::as_str).collect();
        let header = Header::parse(named.into_iter(), u64::from(row) + 1);
        if let Ok(h) = &header {
            self.index = h
                .slots
                .iter()
                .enumerate()
                .map(|(i, s)| s.map(|_| i))
                .collect();
        }
        self.header = Some(header);
    }

    fn cell(&mut self, (row, col): (u32, u32), value: Data) {
        if Self::blank(&value) && !matches!(value, Data::String(_)) {
            return;
        }
        match self.header_row {
            None => self.header_row = Some(row),
            Some(h) if row == h => {}
            Some(h) if row < h => return, // out of order: before the header
            Some(_) => self.close_header(),
        }
        if self.header.is_none() {
            self.names.push((col, value.to_string()));
            return;
        }
        // White space alone is a blank cell, as in a CSV.
        if Self::blank(&value) {
            return;
        }
        let keep = col
            .checked_sub(self.first_col)
            .and_then(|c| self.index.get(c as usize).copied().flatten());
        let line = u64::from(row) + 1;
        if self.rows.last().is_none_or(|r| r.line != line) {
            self.rows.push(SheetRow {
                line,
                cells: vec![],
            });
        }
        if let Some(i) = keep {
            self.rows
                .last_mut()
                .expect("pushed")
                .cells
                .push((i, col, value));
        }
    }

    fn finish(mut self, name: String) -> Sheet {
        self.close_header();
        let header = self.header.unwrap_or_else(|| {
            Err(RowError {
                line: 1,
                message: format!(
                    "the sheet is empty: it needs a header row with an '{}' column",
                    super::columns::ID.name
                ),
                unreadable: false,
            })
        });
        Sheet {
            name,
            header,
            rows: self.rows,
        }
    }
}

/// The sheet asked for (the first unless named), gathered.
fn load<RS: Read + Seek>(rs: RS, format: Format, wanted: Option<&str>) -> Result<Sheet, String> {
    fn pick(names: Vec<String>, wanted: Option<&str>) -> Result<String, String> {
        match wanted {
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
            }),
            None => names
                .first()
                .cloned()
                .ok_or_else(|| "it has no sheet".to_string()),
        }
    }
    let not = |what: &str, e: &dyn std::fmt::Display| {
        format!(
            "not a readable {what} workbook ({}): save it again from the spreadsheet, or give --format",
            sanitize(&e.to_string(), 200)
        )
    };
    let bad_sheet = |name: &str, e: &dyn std::fmt::Display| {
        format!("sheet {}: {}", quote(name), sanitize(&e.to_string(), 200))
    };
    let mut g = Gather::new();
    let name = match format {
        Format::Ods => {
            // calamine reads an .ods sheet whole only; its cells are gathered the same way.
            let mut wb: Ods<RS> = Ods::new(rs).map_err(|e| not(".ods", &e))?;
            let name = pick(wb.sheet_names(), wanted)?;
            let range = wb
                .worksheet_range(&name)
                .map_err(|e| bad_sheet(&name, &e))?;
            for (row, col, v) in range.used_cells() {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                g.cell((r0 + row as u32, c0 + col as u32), v.clone());
            }
            name
        }
        _ => {
            // An .xlsx sheet streams cell by cell (in row order, as the format has
            // them): no grid of the whole sheet is ever made, so a stray cell at
            // XFD1048576 costs nothing.
            let mut wb: Xlsx<RS> = Xlsx::new(rs).map_err(|e| not(".xlsx", &e))?;
            let name = pick(wb.sheet_names(), wanted)?;
            let mut cells = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| bad_sheet(&name, &e))?;
            while let Some(cell) = cells.next_cell().map_err(|e| bad_sheet(&name, &e))? {
                g.cell(cell.get_position(), Data::from(cell.get_value().clone()));
            }
            name
        }
    };
    Ok(g.finish(name))
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
        Ok(loaded.map_err(|why| {
            Failure::new(
                Kind::Input,
                format!("cannot read manifest {}: {why}", sanitize(&m.name, 200)),
            )
        })?)
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
        Box::new(self.rows.iter().map(move |r| {
            row(header, r, base).map_err(|message| RowError {
                line: r.line,
                message,
                unreadable: false,
            })
        }))
    }
}

/// One row's cells, by the header's columns.
fn row(header: &Header, r: &SheetRow, base: &Path) -> Result<Row, String> {
    let line = r.line;
    let mut fields = Fields::new(base, line);
    for (i, col, cell) in &r.cells {
        let Some(slot) = header.slots[*i] else {
            continue;
        };
        let at = || format!("{}{line}", column_letters(*col));
        let text = match cell {
            Data::Empty => continue,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Error(e) => {
                return Err(format!(
                    "the {} cell {} holds the error {e}: fix its formula, or type the value",
                    column_name(slot),
                    at()
                ));
            }
            Data::Int(_) | Data::Float(_) | Data::DateTime(_) | Data::Bool(_)
                if slot.holds == Holds::Id =>
            {
                return Err(format!(
                    "the {} cell {} holds the number {cell}, not text: format the {} column as Text \
(Format Cells > Text) and type the ids again, as a number loses leading zeros and the digits of long ids",
                    column_name(slot),
                    at(),
                    column_name(slot)
                ));
            }
            other => other.to_string(),
        };
        fields.put(slot, &text)?;
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
