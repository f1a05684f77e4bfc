//! Reading batch manifests: CSV with a header, or JSON Lines.
//!
//! Rows stream one at a time (a million-row manifest is never held in memory, and
//! images are read only when a row is validated or sent). Each row carries its line
//! number so every problem can be reported where it is. Relative image paths are
//! relative to the manifest's folder.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::error::{Failure, Kind};
use crate::request::parse_finger_pos;

/// How a manifest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row.
    Csv,
    /// JSON Lines: one object per line.
    Jsonl,
}

/// One person of the manifest, before any file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub id: String,
    pub faces: Vec<PathBuf>,
    /// (slot, path), in the order given.
    pub fingers: Vec<(u8, PathBuf)>,
}

/// A problem with one row, reported with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// Where the manifest is and how to read it. Standard input is read once into
/// memory (the text only) so it can be streamed twice: validate, then send.
pub struct Manifest {
    pub name: String,
    format: Format,
    base: PathBuf,
    source: Source,
}

enum Source {
    File(PathBuf),
    Memory(Vec<u8>),
}

impl Manifest {
    pub fn open(name: &str, format: Option<Format>) -> Result<Manifest> {
        let format = match format {
            Some(f) => f,
            None => detect(name)?,
        };
        if name == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .context("reading the manifest from standard input")?;
            return Ok(Manifest {
                name: "<stdin>".into(),
                format,
                base: PathBuf::from("."),
                source: Source::Memory(buf),
            });
        }
        let path = PathBuf::from(name);
        std::fs::File::open(&path)
            .map_err(|e| Failure::new(Kind::Input, format!("cannot read manifest {name}: {e}")))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Manifest {
            name: name.into(),
            format,
            base,
            source: Source::File(path),
        })
    }

    /// Stream the rows (or per-row errors). A problem with the whole file (header,
    /// I/O) is an `Err` of the iterator's first item with line 1.
    pub fn rows(&self) -> Result<Box<dyn Iterator<Item = Result<Row, RowError>> + '_>> {
        let reader: Box<dyn Read + '_> = match &self.source {
            Source::File(p) => Box::new(
                std::fs::File::open(p).with_context(|| format!("reading {}", p.display()))?,
            ),
            Source::Memory(b) => Box::new(&b[..]),
        };
        let reader = BufReader::with_capacity(256 * 1024, reader);
        Ok(match self.format {
            Format::Csv => Box::new(CsvRows::new(reader, &self.base)),
            Format::Jsonl => Box::new(JsonlRows {
                lines: reader,
                line: 0,
                base: &self.base,
                buf: String::new(),
            }),
        })
    }
}

fn detect(name: &str) -> Result<Format> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        Ok(Format::Csv)
    } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        Ok(Format::Jsonl)
    } else {
        Err(Failure::new(
            Kind::Usage,
            format!("cannot tell the format of manifest {name} from its name: add --format csv or --format jsonl"),
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

/// What a CSV column holds.
#[derive(Debug, Clone, Copy)]
enum Column {
    Id,
    Face(usize),
    Finger(u8),
}

fn column(name: &str) -> Option<Column> {
    let n = name.trim().to_ascii_lowercase().replace('-', "_");
    if n == "id" {
        return Some(Column::Id);
    }
    if n == "face" {
        return Some(Column::Face(1));
    }
    if let Some(k) = n.strip_prefix("face_")
        && let Ok(k) = k.parse::<usize>()
        && k >= 1
    {
        return Some(Column::Face(k));
    }
    // Finger columns are named by position (right_thumb ... left_little).
    if n.parse::<u8>().is_err()
        && let Ok(slot) = parse_finger_pos(&n)
    {
        return Some(Column::Finger(slot));
    }
    None
}

struct CsvRows<'a, R: Read> {
    reader: csv::Reader<R>,
    columns: Result<Vec<Column>, Option<RowError>>,
    base: &'a Path,
    record: csv::StringRecord,
}

impl<'a, R: Read> CsvRows<'a, R> {
    fn new(r: R, base: &'a Path) -> Self {
        // Records end at '\n' ('\r' is trimmed with the other white space): csv's own
        // CRLF handling reports line numbers one short, and lines are how problems
        // are reported.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true) // field counts are checked per row, so one bad row is one error
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(r);
        let columns = match reader.headers() {
            Ok(h) => Self::header(h).map_err(Some),
            Err(e) => Err(Some(RowError {
                line: 1,
                message: format!("cannot read the CSV header: {e}"),
            })),
        };
        CsvRows {
            reader,
            columns,
            base,
            record: csv::StringRecord::new(),
        }
    }

    fn header(h: &csv::StringRecord) -> Result<Vec<Column>, RowError> {
        let mut cols = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, name) in h.iter().enumerate() {
            // A UTF-8 byte-order mark (spreadsheet exports) is not part of the name.
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            let col = column(name).ok_or_else(|| RowError {
                line: 1,
                message: format!(
                    "unknown column '{name}': expected id, face, face_2, ... and finger columns right-thumb ... left-little"
                ),
            })?;
            if !seen.insert(format!("{col:?}")) {
                return Err(RowError {
                    line: 1,
                    message: format!("column '{name}' appears twice"),
                });
            }
            cols.push(col);
        }
        if !cols.iter().any(|c| matches!(c, Column::Id)) {
            return Err(RowError {
                line: 1,
                message: "the header has no 'id' column".into(),
            });
        }
        Ok(cols)
    }
}

impl<R: Read> Iterator for CsvRows<'_, R> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let columns = match &mut self.columns {
            Ok(c) => c,
            Err(e) => return e.take().map(Err),
        };
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    // A read error ends the stream; a bad record (invalid UTF-8) is
                    // reported and reading goes on with the next one.
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        self.columns = Err(None);
                    }
                    return Some(Err(RowError {
                        line,
                        message: format!("CSV error: {e}"),
                    }));
                }
                Ok(true) => {}
            }
            let line = self.record.position().map_or(0, |p| p.line());
            // Blank lines (including a lone "\r" from CRLF files) are not rows.
            if self.record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if self.record.len() != columns.len() {
                return Some(Err(RowError {
                    line,
                    message: format!(
                        "{} fields where the header has {}",
                        self.record.len(),
                        columns.len()
                    ),
                }));
            }
            let mut row = Row {
                line,
                id: String::new(),
                faces: vec![],
                fingers: vec![],
            };
            let mut faces: Vec<(usize, PathBuf)> = vec![];
            for (col, value) in columns.iter().zip(self.record.iter()) {
                let value = value.trim();
                if value.is_empty() {
                    continue;
                }
                match col {
                    Column::Id => row.id = value.to_string(),
                    Column::Face(k) => faces.push((*k, resolve(self.base, value))),
                    Column::Finger(slot) => row.fingers.push((*slot, resolve(self.base, value))),
                }
            }
            faces.sort_by_key(|(k, _)| *k);
            row.faces = faces.into_iter().map(|(_, p)| p).collect();
            return Some(Ok(row));
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRow {
    id: serde_json::Value,
    #[serde(default)]
    face: OneOrMany,
    #[serde(default)]
    fingers: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

struct JsonlRows<'a, R: BufRead> {
    lines: R,
    line: u64,
    base: &'a Path,
    buf: String,
}

impl<R: BufRead> Iterator for JsonlRows<'_, R> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            self.line += 1;
            let line = self.line;
            match self.lines.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    return Some(Err(RowError {
                        line,
                        message: format!("cannot read line: {e}"),
                    }));
                }
            }
            let text = self.buf.trim().trim_start_matches('\u{feff}');
            if text.is_empty() {
                continue;
            }
            let parsed: JsonRow = match serde_json::from_str(text) {
                Ok(r) => r,
                Err(e) => {
                    return Some(Err(RowError {
                        line,
                        message: format!("not a valid row: {e}"),
                    }));
                }
            };
            let id = match parsed.id {
                serde_json::Value::String(s) => s.trim().to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => {
                    return Some(Err(RowError {
                        line,
                        message: "\"id\" must be a string".into(),
                    }));
                }
            };
            let faces = match parsed.face {
                OneOrMany::None => vec![],
                OneOrMany::One(f) => vec![f],
                OneOrMany::Many(v) => v,
            };
            let mut fingers = vec![];
            for (pos, file) in parsed.fingers {
                match parse_finger_pos(&pos) {
                    Ok(slot) => fingers.push((slot, resolve(self.base, &file))),
                    Err(e) => return Some(Err(RowError { line, message: e })),
                }
            }
            return Some(Ok(Row {
                line,
                id,
                faces: faces
                    .iter()
                    .filter(|f| !f.trim().is_empty())
                    .map(|f| resolve(self.base, f))
                    .collect(),
                fingers,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_rows(text: impl AsRef<[u8]>) -> Vec<Result<Row, RowError>> {
        CsvRows::new(text.as_ref(), Path::new("/m")).collect()
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
        let rows = csv_rows("id,face,nose\n1,a.jpg,x\n");
        assert_eq!(rows.len(), 1);
        assert!(
            rows[0]
                .as_ref()
                .unwrap_err()
                .message
                .contains("unknown column 'nose'")
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
        let rows: Vec<_> = JsonlRows {
            lines: text.as_bytes(),
            line: 0,
            base: Path::new("d"),
            buf: String::new(),
        }
        .collect();
        assert_eq!(
            rows[0],
            Ok(Row {
                line: 1,
                id: "1234".into(),
                faces: vec!["d/a.jpg".into()],
                fingers: vec![(2, "d/ri.png".into())]
            })
        );
        assert_eq!(rows[1].as_ref().unwrap().line, 3);
        assert_eq!(rows[1].as_ref().unwrap().id, "5");
        assert_eq!(rows[2].as_ref().unwrap_err().line, 4);
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(detect("a.CSV").unwrap(), Format::Csv);
        assert_eq!(detect("a.ndjson").unwrap(), Format::Jsonl);
        assert!(detect("-").is_err());
    }
}
