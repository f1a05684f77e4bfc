//! Reading batch manifests: CSV with a header (comma, semicolon or tab separated, as
//! spreadsheets export it, in UTF-8, UTF-16 or Windows-1252), JSON Lines, or a
//! workbook (.xlsx, .xlsm, .ods).
//!
//! Rows stream one at a time (a million-row CSV or JSON Lines manifest is never held
//! in memory, and images are read only when a row is validated or sent; a workbook is
//! read whole, see `workbook`). Each row carries its line number so every problem
//! can be reported where it is. Relative image paths are relative to the manifest's
//! folder.
//!
//! Every reader puts each value it reads through one `Fields`, so the same rules
//! judge a CSV cell, a JSON Lines field and a workbook cell, and the CustomID follows
//! the command line's rule ([`crate::request::custom_id`]). The columns themselves are
//! one table, [`columns`].
//!
//! A manifest is untrusted text: names and values quoted in messages are sanitised
//! (no terminal escapes or bidi controls) and cut to 60 characters, and
//! reading is bounded: a line longer than 1 MiB ends the stream with an
//! error, as does any read error (it is never retried in a loop).

pub mod columns;
mod delimited;
mod jsonl;
pub mod text;
mod workbook;

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::{Failure, Kind};
use crate::request::{IdProblem, custom_id};
use crate::sanitize::sanitize;
use columns::{Holds, Slot};
use delimited::CsvRows;
use jsonl::JsonlRows;
pub use text::Encoding;

/// How a manifest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row; the delimiter is told from the header unless given.
    Csv,
    /// Tab-separated values with a header row (CSV with a tab delimiter).
    Tsv,
    /// JSON Lines: one object per line.
    Jsonl,
    /// An Office Open XML workbook (.xlsx, .xlsm).
    Xlsx,
    /// An OpenDocument spreadsheet (.ods).
    Ods,
}

impl Format {
    fn is_workbook(self) -> bool {
        matches!(self, Format::Xlsx | Format::Ods)
    }
}

/// How to read a manifest, beyond its name: each `None` is told from the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The format, else told from the extension.
    pub format: Option<Format>,
    /// The CSV delimiter, else told from Excel's `sep=X` line or the header.
    pub delimiter: Option<u8>,
    /// The CSV text encoding, else told from the bytes ([`text`]).
    pub encoding: Option<Encoding>,
    /// The workbook's sheet, else its first.
    pub sheet: Option<String>,
}

/// The most characters of a manifest's name or value quoted in a message.
const QUOTE_MAX: usize = 60;
/// The longest manifest line read: a row is a few hundred bytes; a file with no line
/// ends (a binary file, `/dev/zero`) must not be buffered whole.
const MAX_LINE_BYTES: u64 = 1024 * 1024;
/// The longest file name read: no system takes a path this long (ids have the same
/// bound, [`crate::request::MAX_ID_BYTES`]).
const MAX_VALUE_BYTES: usize = crate::request::MAX_ID_BYTES;
/// The most ignored column names a warning lists.
const MAX_IGNORED_LISTED: usize = 10;
/// The largest manifest read from standard input (held in memory to be read twice).
const MAX_STDIN_BYTES: u64 = 1024 * 1024 * 1024;

/// A manifest's name or value as quoted in a message: sanitised (controls and bidi
/// controls removed) and short.
fn quote(s: &str) -> String {
    format!("'{}'", sanitize(s, QUOTE_MAX))
}

/// A file name within [`MAX_VALUE_BYTES`], or why not (quoting only its start).
fn short_enough(value: &str) -> Result<(), String> {
    if value.len() <= MAX_VALUE_BYTES {
        return Ok(());
    }
    Err(format!(
        "a value of {} bytes, longer than any id or file name ({MAX_VALUE_BYTES} at most): {}",
        value.len(),
        quote(value)
    ))
}

/// One person of the manifest, before any file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line the row starts on (1 is a CSV header).
    pub line: u64,
    /// The CustomID by [`custom_id`]'s rule; empty when the row has none (an error
    /// later).
    pub id: String,
    /// Face images in order (`face`, `face_2`, ...), resolved against the manifest's
    /// folder.
    pub faces: Vec<PathBuf>,
    /// (slot, path), in the order given.
    pub fingers: Vec<(u8, PathBuf)>,
}

/// A problem with one row, reported with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line of the problem (1 for the header).
    pub line: u64,
    /// What is wrong, sanitised; quoted values are cut short.
    pub message: String,
    /// The manifest itself could not be read further (an I/O error): the stream
    /// ends here, and the run fails as unreadable input (66), not as invalid rows.
    pub unreadable: bool,
}

/// A row being read: every reader puts each value it has in through
/// [`Fields::put`], so that one set of rules judges a CSV cell, a JSON Lines field
/// and a workbook cell alike.
struct Fields<'a> {
    base: &'a Path,
    row: Row,
    /// (number, path): `face` is 1, `face_2` 2, ...
    faces: Vec<(usize, PathBuf)>,
}

impl<'a> Fields<'a> {
    fn new(base: &'a Path, line: u64) -> Self {
        Fields {
            base,
            row: Row {
                line,
                id: String::new(),
                faces: vec![],
                fingers: vec![],
            },
            faces: vec![],
        }
    }

    /// One value of the column `slot`. White space around it is not part of it, and
    /// an empty value is an absent one.
    fn put(&mut self, slot: Slot, value: &str) -> Result<(), String> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(());
        }
        match slot.holds {
            Holds::Id => match custom_id(value) {
                Ok(id) => self.row.id = id.to_string(),
                Err(IdProblem::Empty) => {}
                Err(IdProblem::TooLong(_)) => short_enough(value)?,
                Err(p) => return Err(format!("id {}: {}", quote(value), p.describe())),
            },
            Holds::Face => {
                short_enough(value)?;
                self.faces.push((slot.number, resolve(self.base, value)));
            }
            Holds::Finger(s) => {
                short_enough(value)?;
                self.row.fingers.push((s, resolve(self.base, value)));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Row {
        self.faces.sort_by_key(|(k, _)| *k);
        self.row.faces = self.faces.into_iter().map(|(_, p)| p).collect();
        self.row
    }
}

/// A header row's columns (CSV and workbooks): what each holds, `None` for a column
/// biopass ignores, and the ignored names to warn about.
struct Header {
    slots: Vec<Option<Slot>>,
    /// Names of the header's ignored columns (the first [`MAX_IGNORED_LISTED`]).
    ignored: Vec<String>,
    /// How many of the header's columns are ignored.
    ignored_count: usize,
}

impl Header {
    /// Read a header's names, on `line`: an unknown name close to an image column's is
    /// an error (a typo would silently drop images), as is a column twice or no id.
    fn parse<'n>(names: impl Iterator<Item = &'n str>, line: u64) -> Result<Header, RowError> {
        let err = |message: String| RowError {
            line,
            message,
            unreadable: false,
        };
        let mut h = Header {
            slots: vec![],
            ignored: vec![],
            ignored_count: 0,
        };
        let mut seen = std::collections::HashSet::new();
        for (i, name) in names.enumerate() {
            // A UTF-8 byte-order mark (spreadsheet exports) is not part of the name.
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            let Some(slot) = columns::lookup(name) else {
                if let Some(meant) = columns::misspelt_image_column(name) {
                    return Err(err(format!(
                        "unknown column {}: did you mean '{meant}'? (image columns are {}; other columns are ignored)",
                        quote(name),
                        columns::summary()
                    )));
                }
                if h.ignored.len() < MAX_IGNORED_LISTED {
                    h.ignored.push(sanitize(name.trim(), QUOTE_MAX));
                }
                h.ignored_count += 1;
                h.slots.push(None);
                continue;
            };
            if !seen.insert(slot) {
                return Err(err(format!("column {} appears twice", quote(name))));
            }
            h.slots.push(Some(slot));
        }
        if !h
            .slots
            .iter()
            .any(|s| matches!(s, Some(s) if s.holds == Holds::Id))
        {
            return Err(err(format!(
                "the header has no '{}' column",
                columns::ID.name
            )));
        }
        Ok(h)
    }
}

/// The name of a header's column, for a message about its value.
fn column_name(slot: Slot) -> String {
    let name = columns::of(slot.holds).name;
    if slot.number > 1 {
        format!("{name}_{}", slot.number)
    } else {
        name.to_string()
    }
}

/// Where the manifest is and how to read it. Standard input is read once into
/// memory (the text only) so it can be streamed twice: validate, then send.
pub struct Manifest {
    /// The name shown in messages (the path as given, or `<stdin>`; for a workbook,
    /// `NAME:SHEET`).
    pub name: String,
    format: Format,
    /// The CSV delimiter given by the user; `None` to tell it from the file.
    delimiter: Option<u8>,
    encoding: Option<Encoding>,
    base: PathBuf,
    source: Source,
    /// A workbook's sheet, read whole at open.
    sheet: Option<workbook::Sheet>,
}

enum Source {
    File(PathBuf),
    Memory(Vec<u8>),
}

impl Manifest {
    /// Open a manifest by path (`-` reads standard input, once, into memory). The
    /// format is `format`, else told from the extension; `delimiter` `None` tells a
    /// CSV's from its header line. A missing file or a directory is unreadable input
    /// (66).
    pub fn open(name: &str, format: Option<Format>, delimiter: Option<u8>) -> Result<Manifest> {
        Manifest::open_with(
            name,
            &Options {
                format,
                delimiter,
                ..Options::default()
            },
        )
    }

    /// [`Manifest::open`] with every option: the encoding of a CSV and the sheet of a
    /// workbook too. A workbook is read here, whole.
    pub fn open_with(name: &str, opts: &Options) -> Result<Manifest> {
        let format = match opts.format {
            Some(f) => f,
            None => detect(name)?,
        };
        let usage = |m: String| -> anyhow::Error { Failure::new(Kind::Usage, m).into() };
        let what = match format {
            Format::Jsonl => "JSON Lines",
            Format::Xlsx | Format::Ods => "a workbook",
            Format::Csv | Format::Tsv => "CSV",
        };
        if opts.delimiter.is_some() && !matches!(format, Format::Csv | Format::Tsv) {
            return Err(usage(format!(
                "--delimiter applies to CSV manifests, and {name} is read as {what}"
            )));
        }
        if opts.encoding.is_some() && !matches!(format, Format::Csv | Format::Tsv) {
            return Err(usage(format!(
                "--encoding applies to CSV manifests, and {name} is read as {what}"
            )));
        }
        if opts.sheet.is_some() && !format.is_workbook() {
            return Err(usage(format!(
                "--sheet applies to workbooks (.xlsx, .xlsm, .ods), and {name} is read as {what}"
            )));
        }
        let (shown, base, source) = if name == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_STDIN_BYTES + 1)
                .read_to_end(&mut buf)
                .map_err(|e| {
                    Failure::new(
                        Kind::Input,
                        format!("cannot read the manifest from standard input: {e}"),
                    )
                })?;
            if buf.len() as u64 > MAX_STDIN_BYTES {
                return Err(Failure::new(
                    Kind::Input,
                    "the manifest on standard input is larger than 1 GiB: save it to a file and pass its name",
                )
                .into());
            }
            (
                "<stdin>".to_string(),
                PathBuf::from("."),
                Source::Memory(buf),
            )
        } else {
            let path = PathBuf::from(name);
            let cannot = |why: String| {
                Failure::new(Kind::Input, format!("cannot read manifest {name}: {why}"))
            };
            // A directory opens fine on Unix and fails only when read, and a FIFO is
            // read once (the manifest is read more than once) or blocks: refuse both.
            crate::regular::open(&path).map_err(|e| cannot(e.to_string()))?;
            let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
            (name.to_string(), base, Source::File(path))
        };
        let mut m = Manifest {
            name: shown,
            format,
            delimiter: opts.delimiter,
            encoding: opts.encoding,
            base,
            source,
            sheet: None,
        };
        if format.is_workbook() {
            let sheet = workbook::Sheet::read(&m, opts.sheet.as_deref())?;
            m.name = format!("{}:{}", m.name, sheet.name);
            m.sheet = Some(sheet);
        }
        Ok(m)
    }

    /// Stream the rows (or per-row errors). A problem with the whole file (header,
    /// I/O) is an `Err` of the iterator's first item with line 1.
    pub fn rows(&self) -> Result<Box<dyn Iterator<Item = Result<Row, RowError>> + '_>> {
        if let Some(sheet) = &self.sheet {
            return Ok(Box::new(sheet.rows(&self.base)));
        }
        Ok(match self.csv_delimiter() {
            Some(delimiter) => Box::new(CsvRows::new(
                self.reader()?,
                &self.base,
                delimiter,
                self.encoding,
                MAX_LINE_BYTES,
            )),
            None => Box::new(JsonlRows::new(
                BufReader::with_capacity(256 * 1024, LineCap::new(self.reader()?, MAX_LINE_BYTES)),
                &self.base,
            )),
        })
    }

    /// For CSV and TSV, the delimiter (`None` inside: told from the file); `None`
    /// for JSON Lines and workbooks.
    fn csv_delimiter(&self) -> Option<Option<u8>> {
        match self.format {
            Format::Jsonl | Format::Xlsx | Format::Ods => None,
            Format::Csv => Some(self.delimiter),
            Format::Tsv => Some(Some(self.delimiter.unwrap_or(b'\t'))),
        }
    }

    /// The header's columns that name nothing biopass reads (a `name` or `notes`
    /// column of a spreadsheet): they are ignored, and the caller warns once. Empty
    /// for JSON Lines, and when the header cannot be read (the rows report that).
    /// Returns at most ten names, and how many columns are ignored.
    pub fn ignored_columns(&self) -> Result<(Vec<String>, usize)> {
        if let Some(sheet) = &self.sheet {
            return Ok(sheet.ignored());
        }
        let Some(delimiter) = self.csv_delimiter() else {
            return Ok((vec![], 0));
        };
        let rows = CsvRows::new(
            self.reader()?,
            &self.base,
            delimiter,
            self.encoding,
            MAX_LINE_BYTES,
        );
        Ok(rows.ignored())
    }

    fn reader(&self) -> Result<Box<dyn Read + '_>> {
        Ok(match &self.source {
            Source::File(p) => Box::new(
                crate::regular::open(p)
                    .with_context(|| format!("reading {}", p.display()))?
                    .0,
            ),
            Source::Memory(b) => Box::new(&b[..]),
        })
    }
}

/// A reader that fails once a line (or, for CSV, a row: a quoted value may span
/// lines) grows past `max` bytes, so that neither the CSV reader nor the JSON Lines
/// reader buffers an endless line or row. It counts lines, for the error's line
/// number.
struct LineCap<R> {
    inner: R,
    max: u64,
    /// Bytes since the last line end (row end, for CSV).
    run: u64,
    /// Line number of the byte read last (1-based).
    line: u64,
    /// The line the current row began on.
    row_line: u64,
    /// For CSV, the bytes a field may begin after (besides a line end), and where in
    /// the quoting the last byte left us.
    csv: Option<([u8; 4], Quote)>,
}

/// Where a CSV reader is in a field, as far as row ends go: a line end inside a
/// quoted value does not end the row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted value: its closing quote, or the first of `""`.
    Closing,
}

impl<R: Read> LineCap<R> {
    fn new(inner: R, max: u64) -> Self {
        LineCap {
            inner,
            max,
            run: 0,
            line: 1,
            row_line: 1,
            csv: None,
        }
    }

    /// Count rows, not lines, as a CSV reader splits them: a quote that opens a field
    /// runs to its closing quote. A field begins after `,` `;` tab (the delimiters
    /// told from a header) or `delimiter`.
    fn csv_rows(&mut self, delimiter: Option<u8>) {
        let d = delimiter.unwrap_or(b',');
        self.csv = Some(([b',', b';', b'\t', d], Quote::FieldStart));
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.run > self.max {
            let mib = self.max / (1024 * 1024);
            return Err(std::io::Error::other(if self.row_line == self.line {
                format!(
                    "line {} is longer than {mib} MiB: is this a manifest?",
                    self.line
                )
            } else {
                format!(
                    "the row from line {} to line {} is longer than {mib} MiB: is a quote left open?",
                    self.row_line, self.line
                )
            }));
        }
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            let newline = b == b'\n';
            if newline {
                self.line += 1;
            }
            let row_end = match &mut self.csv {
                None => newline,
                Some((delimiters, q)) => {
                    let inside = *q == Quote::Quoted;
                    *q = match (*q, b) {
                        (Quote::Quoted, b'"') => Quote::Closing,
                        (Quote::Quoted, _) => Quote::Quoted,
                        (Quote::Closing, b'"') => Quote::Quoted,
                        (Quote::FieldStart, b'"') => Quote::Quoted,
                        (_, b'\n') => Quote::FieldStart,
                        (_, b) if delimiters.contains(&b) => Quote::FieldStart,
                        _ => Quote::Unquoted,
                    };
                    newline && !inside
                }
            };
            if row_end {
                self.run = 0;
                self.row_line = self.line;
            } else {
                self.run += 1;
            }
        }
        Ok(n)
    }
}

fn detect(name: &str) -> Result<Format> {
    let lower = name.to_ascii_lowercase();
    let ends = |exts: &[&str]| exts.iter().any(|e| lower.ends_with(e));
    if ends(&[".csv"]) {
        Ok(Format::Csv)
    } else if ends(&[".tsv", ".tab"]) {
        Ok(Format::Tsv)
    } else if ends(&[".jsonl", ".ndjson"]) {
        Ok(Format::Jsonl)
    } else if ends(&[".xlsx", ".xlsm"]) {
        Ok(Format::Xlsx)
    } else if ends(&[".ods"]) {
        Ok(Format::Ods)
    } else if name == "-" {
        // Standard input has no name to tell the format by.
        Err(Failure::new(
            Kind::Usage,
            "a manifest on standard input (--from -) needs --format: csv, tsv, jsonl, xlsx or ods",
        )
        .into())
    } else {
        Err(Failure::new(
            Kind::Usage,
            format!("cannot tell the format of manifest {name} from its name: add --format csv, tsv, jsonl, xlsx or ods"),
        )
        .into())
    }
}

fn resolve(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::columns::{misspelt_image_column, osa_distance};
    use super::delimited::sniff_delimiter;
    use super::*;

    fn csv_rows(text: impl AsRef<[u8]>) -> Vec<Result<Row, RowError>> {
        CsvRows::new(text.as_ref(), Path::new("/m"), None, None, MAX_LINE_BYTES).collect()
    }

    #[test]
    fn csv_with_bom_crlf_and_quotes() {
        let rows = csv_rows(
            "\u{feff}id,face,face_2,right-index,Left_Little\r\n\"12,34\",a.jpg,,\"r i.png\",/abs/ll.png\r\n7,b.jpg,c.jpg,,\r\n",
        );
        assert_eq!(
            rows[0],
            Ok(Row {
                line: 2,
                id: "12,34".into(),
                faces: vec!["/m/a.jpg".into()],
                fingers: vec![(2, "/m/r i.png".into()), (10, "/abs/ll.png".into())]
            })
        );
        let r1 = rows[1].as_ref().unwrap();
        assert_eq!((r1.line, r1.faces.len()), (3, 2));
    }

    #[test]
    fn csv_errors_have_lines() {
        let rows = csv_rows("id,face,fcae\n1,a.jpg,x\n");
        assert_eq!(rows.len(), 1);
        assert!(
            rows[0]
                .as_ref()
                .unwrap_err()
                .message
                .contains("unknown column 'fcae': did you mean 'face'?"),
            "{rows:?}"
        );
        let rows = csv_rows(b"id,face\r\n1,a.jpg\r\n2,b.jpg,extra\r\n\r\n3,c.jpg\r\n\xff\n4,\"\xc3\x28\"\n5,d.jpg\n");
        assert!(rows[0].is_ok());
        assert_eq!(rows[1].as_ref().unwrap_err().line, 3);
        assert!(
            rows[1]
                .as_ref()
                .unwrap_err()
                .message
                .contains("3 fields where the header has 2")
        );
        assert_eq!(
            rows[2].as_ref().unwrap().line,
            5,
            "a blank line is skipped and reading goes on"
        );
        assert_eq!(rows.last().unwrap().as_ref().unwrap().id, "5", "{rows:?}");
        assert!(
            csv_rows("face\na.jpg\n")[0]
                .as_ref()
                .unwrap_err()
                .message
                .contains("no 'id'")
        );
    }

    #[test]
    fn jsonl_rows() {
        let text = "{\"id\":\"1234\",\"face\":[\"a.jpg\"],\"fingers\":{\"right-index\":\"ri.png\"}}\n\n{\"id\":5,\"face\":\"b.jpg\"}\n{\"id\":\"6\",\"nose\":1}\n";
        let rows: Vec<_> = JsonlRows::new(text.as_bytes(), Path::new("d")).collect();
        assert_eq!(
            rows[0],
            Ok(Row {
                line: 1,
                id: "1234".into(),
                faces: vec!["d/a.jpg".into()],
                fingers: vec![(2, "d/ri.png".into())]
            })
        );
        // A number is not an id: it would be sent rewritten (1.5e3 as 1500.0).
        let e = rows[1].as_ref().unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message
                .contains("\"id\" is a number: write it as a JSON string"),
            "{e:?}"
        );
        assert_eq!(rows[2].as_ref().unwrap_err().line, 4);
    }

    #[test]
    fn jsonl_keys_are_the_column_table() {
        let text = "{\"custom_id\":\" 7 \",\"face\":[\"a.jpg\",\" \",\"b.jpg\"],\"left-thumb\":\"lt.png\",\"fingers\":{\"2\":\"ri.png\"}}\n{\"id\":\"1\",\"CustomID\":\"2\"}\n{\"face\":\"a.jpg\"}\n";
        let rows: Vec<_> = JsonlRows::new(text.as_bytes(), Path::new("d")).collect();
        let r = rows[0].as_ref().unwrap();
        assert_eq!(r.id, "7");
        assert_eq!(
            r.faces,
            [PathBuf::from("d/a.jpg"), PathBuf::from("d/b.jpg")]
        );
        let mut fingers = r.fingers.clone();
        fingers.sort();
        assert_eq!(fingers, [(2, "d/ri.png".into()), (6, "d/lt.png".into())]);
        assert!(
            rows[1].as_ref().unwrap_err().message.starts_with("two ids"),
            "{rows:?}"
        );
        assert_eq!(rows[2].as_ref().unwrap_err().message, "no \"id\"");
    }

    #[test]
    fn read_errors_end_the_stream() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("Is a directory"))
            }
        }
        let rows: Vec<_> = JsonlRows::new(BufReader::new(Broken), Path::new("."))
            .take(5)
            .collect();
        assert_eq!(rows.len(), 1, "one error, then the end: {rows:?}");
        let rows: Vec<_> = CsvRows::new(Broken, Path::new("."), None, None, 100)
            .take(5)
            .collect();
        assert_eq!(rows.len(), 1, "{rows:?}");
    }

    #[test]
    fn endless_lines_stop_at_the_cap() {
        let zeros = std::io::repeat(0);
        let rows: Vec<_> =
            JsonlRows::new(BufReader::new(LineCap::new(zeros, 1000)), Path::new("."))
                .take(3)
                .collect();
        assert_eq!(rows.len(), 1);
        let e = rows[0].as_ref().unwrap_err();
        assert!(e.message.contains("line 1 is longer than"), "{e:?}");
        let rows = CsvRows::new(std::io::repeat(b'a'), Path::new("."), None, None, 1000)
            .take(3)
            .collect::<Vec<_>>();
        assert_eq!(rows.len(), 1);
        assert!(
            rows[0]
                .as_ref()
                .unwrap_err()
                .message
                .contains("longer than")
        );
    }

    #[test]
    fn a_quoted_value_over_many_lines_is_one_row_for_the_cap() {
        let lines = "y\n".repeat(20_000);
        let text = format!("id,face\n1,a.jpg\n\"{lines}\",b.jpg\n3,c.jpg\n");
        let rows =
            CsvRows::new(text.as_bytes(), Path::new("."), None, None, 1000).collect::<Vec<_>>();
        assert!(rows[0].is_ok(), "{rows:?}");
        let e = rows[1].as_ref().unwrap_err();
        assert!(e.unreadable, "{e:?}");
        assert!(
            e.message.contains("the row from line 3 to line ") && e.message.contains("quote"),
            "{e:?}"
        );
        assert_eq!(rows.len(), 2);
        // Quotes that close, doubled quotes, and a quote inside an unquoted value
        // leave rows their own lines.
        let text = format!(
            "id,face\n{}",
            (0..100)
                .map(|i| format!("\"{i}\",\"a \"\"{i}\"\".jpg\"\n{i}x,O\"B.jpg\n"))
                .collect::<String>()
        );
        let rows =
            CsvRows::new(text.as_bytes(), Path::new("."), None, None, 100).collect::<Vec<_>>();
        assert_eq!(rows.len(), 200);
        assert!(rows.iter().all(|r| r.is_ok()), "{rows:?}");
    }

    #[test]
    fn long_values_are_refused_and_quoted_short() {
        let long = "z".repeat(MAX_VALUE_BYTES + 1);
        let rows = csv_rows(format!("id,face\n1,{long}\n2,a.jpg\n"));
        let e = rows[0].as_ref().unwrap_err();
        assert!(!e.unreadable && e.line == 2, "{e:?}");
        assert!(e.message.contains("4097 bytes"), "{e:?}");
        assert!(e.message.len() < 300, "{}", e.message.len());
        assert!(rows[1].is_ok());
        let text = format!("{{\"id\":\"{long}\",\"face\":\"a.jpg\"}}\n");
        let rows: Vec<_> = JsonlRows::new(text.as_bytes(), Path::new(".")).collect();
        let m = &rows[0].as_ref().unwrap_err().message;
        assert!(m.contains("4097 bytes") && m.len() < 300, "{m}");
        // Ignored columns: a few named, the rest counted.
        let header = (0..1000).map(|i| format!(",c{i}")).collect::<String>();
        let header = format!("id{header}\n");
        let rows = CsvRows::new(
            header.as_bytes(),
            Path::new("."),
            None,
            None,
            MAX_LINE_BYTES,
        );
        assert_eq!(
            (rows.ignored().0.len(), rows.ignored().1),
            (MAX_IGNORED_LISTED, 1000)
        );
    }

    #[test]
    fn quoted_names_are_sanitised_and_short() {
        let long = "x".repeat(500);
        let header = format!("id,\x1b[2J{long}\n1,a\n");
        let rows = CsvRows::new(
            header.as_bytes(),
            Path::new("."),
            None,
            None,
            MAX_LINE_BYTES,
        );
        let m = &rows.ignored().0[0];
        assert!(!m.contains('\x1b') && !m.contains(&"x".repeat(61)), "{m}");
        let rows = csv_rows("id,right-\x1bindx\n1,a\n");
        let m = &rows[0].as_ref().unwrap_err().message;
        assert!(m.contains("'right- indx'") && !m.contains('\x1b'), "{m}");
        let text = format!("{{\"id\":\"1\",\"fingers\":{{\"{long}\":\"a.png\"}}}}\n");
        let rows: Vec<_> = JsonlRows::new(text.as_bytes(), Path::new(".")).collect();
        let m = &rows[0].as_ref().unwrap_err().message;
        assert!(m.starts_with("unknown finger 'xxx") && m.len() < 200, "{m}");
    }

    #[test]
    fn osa_distance_counts_neighbour_swaps_as_one_edit() {
        for (a, b, d) in [
            ("", "", 0),
            ("face", "face", 0),
            ("", "face", 4),
            ("face", "", 4),
            ("fcae", "face", 1),
            ("afce", "face", 1),
            ("fac", "face", 1),
            ("faces", "face", 1),
            ("race", "face", 1),
            ("name", "face", 2),
            ("rigth-index", "right-index", 1),
            ("rihgt-idnex", "right-index", 2),
            ("right-index", "left-index", 4),
            // OSA, unlike the unrestricted Damerau distance, edits a swapped pair no
            // further: "ca" -> "abc" is 3, not 2.
            ("ca", "abc", 3),
            ("kitten", "sitting", 3),
        ] {
            assert_eq!(osa_distance(a, b), d, "{a} -> {b}");
            assert_eq!(osa_distance(b, a), d, "{b} -> {a}");
        }
    }

    #[test]
    fn misspelt_image_columns_are_errors_other_columns_ignored() {
        assert_eq!(misspelt_image_column("fcae"), Some("face"));
        assert_eq!(misspelt_image_column("Face "), Some("face"));
        assert_eq!(misspelt_image_column("rigth-index"), Some("right-index"));
        assert_eq!(misspelt_image_column("rigth_idnex"), Some("right-index"));
        assert_eq!(misspelt_image_column("left-litle"), Some("left-little"));
        // Up to 5 characters, one edit at most; longer, two.
        assert_eq!(misspelt_image_column("name"), None);
        assert_eq!(misspelt_image_column("fa"), None);
        assert_eq!(misspelt_image_column("notes"), None);
        assert_eq!(misspelt_image_column("email"), None);
        assert_eq!(misspelt_image_column("left-handed"), None);
        let rows = csv_rows("id,name,face,notes\n1,Ana,a.jpg,x\n");
        assert_eq!(
            rows[0].as_ref().unwrap().faces,
            vec![PathBuf::from("/m/a.jpg")]
        );
        let cols = CsvRows::new(
            &b"id,name,face,notes\n"[..],
            Path::new("."),
            None,
            None,
            MAX_LINE_BYTES,
        );
        assert_eq!(cols.ignored().0, ["name", "notes"]);
        let e = &csv_rows("id,rigth-index\n1,a.png\n")[0];
        assert!(
            e.as_ref()
                .unwrap_err()
                .message
                .contains("'rigth-index': did you mean 'right-index'?"),
            "{e:?}"
        );
    }

    #[test]
    fn delimiter_from_the_header_or_given() {
        assert_eq!(sniff_delimiter(b"id;face\n1;a,b.jpg\n"), b';');
        assert_eq!(sniff_delimiter(b"id\tface\tright-index\r\n"), b'\t');
        assert_eq!(sniff_delimiter(b"id,face\n"), b',');
        assert_eq!(
            sniff_delimiter(b"\"a;b\",face\n"),
            b',',
            "quoted ; is a value"
        );
        assert_eq!(sniff_delimiter(b"id\n"), b',');
        let rows = csv_rows("\u{feff}id;face;nome\r\n1;a,1.jpg;Ana\r\n");
        let r = rows[0].as_ref().unwrap();
        assert_eq!((r.line, r.id.as_str()), (2, "1"));
        assert_eq!(r.faces, vec![PathBuf::from("/m/a,1.jpg")]);
        let rows = csv_rows("id\tface\n1\ta.jpg\n");
        assert_eq!(rows[0].as_ref().unwrap().faces.len(), 1);
        // Given, it wins over the header: "id;face" is then one unknown column.
        let given: Vec<_> = CsvRows::new(
            &b"id|face\n1|a.jpg\n"[..],
            Path::new("/m"),
            Some(b'|'),
            None,
            MAX_LINE_BYTES,
        )
        .collect();
        assert_eq!(given[0].as_ref().unwrap().faces.len(), 1);
        let given: Vec<_> = CsvRows::new(
            &b"id;face\n1;a.jpg\n"[..],
            Path::new("/m"),
            Some(b','),
            None,
            MAX_LINE_BYTES,
        )
        .collect();
        assert!(
            matches!(&given[..], [Err(e)] if e.message.contains("no 'id'")),
            "{given:?}"
        );
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(detect("a.TSV").unwrap(), Format::Tsv);
        assert_eq!(detect("a.CSV").unwrap(), Format::Csv);
        assert_eq!(detect("a.ndjson").unwrap(), Format::Jsonl);
        assert!(detect("-").is_err());
    }
}
