//! Reading batch manifests: CSV with a header (comma, semicolon or tab separated, as
//! spreadsheets export it), or JSON Lines.
//!
//! Rows stream one at a time (a million-row manifest is never held in memory, and
//! images are read only when a row is validated or sent). Each row carries its line
//! number so every problem can be reported where it is. Relative image paths are
//! relative to the manifest's folder.
//!
//! A manifest is untrusted text: names and values quoted in messages are sanitised
//! (no terminal escapes or bidi controls) and cut to 60 characters, and
//! reading is bounded: a line longer than 1 MiB ends the stream with an
//! error, as does any read error (it is never retried in a loop).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::{Failure, Kind};
use crate::request::parse_finger_pos;
use crate::sanitize::sanitize;

/// How a manifest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row; the delimiter is told from the header unless given.
    Csv,
    /// Tab-separated values with a header row (CSV with a tab delimiter).
    Tsv,
    /// JSON Lines: one object per line.
    Jsonl,
}

/// The most characters of a manifest's name or value quoted in a message.
const QUOTE_MAX: usize = 60;
/// The longest manifest line read: a row is a few hundred bytes; a file with no line
/// ends (a binary file, `/dev/zero`) must not be buffered whole.
const MAX_LINE_BYTES: u64 = 1024 * 1024;
/// The longest id or file name read: ids go whole into every journal record of the
/// row, and no system takes a path this long.
const MAX_VALUE_BYTES: usize = 4096;
/// The most ignored column names a warning lists.
const MAX_IGNORED_LISTED: usize = 10;
/// The largest manifest read from standard input (held in memory to be read twice).
const MAX_STDIN_BYTES: u64 = 1024 * 1024 * 1024;

/// A manifest's name or value as quoted in a message: sanitised (controls and bidi
/// controls removed) and short.
fn quote(s: &str) -> String {
    format!("'{}'", sanitize(s, QUOTE_MAX))
}

/// An id or file name within [`MAX_VALUE_BYTES`], or why not (quoting only its start).
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
    /// The CustomID, trimmed; empty when the row has none (an error later).
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

/// Where the manifest is and how to read it. Standard input is read once into
/// memory (the text only) so it can be streamed twice: validate, then send.
pub struct Manifest {
    /// The name shown in messages (the path as given, or `<stdin>`).
    pub name: String,
    format: Format,
    /// The CSV delimiter given by the user; `None` to tell it from the header.
    delimiter: Option<u8>,
    base: PathBuf,
    source: Source,
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
        let format = match format {
            Some(f) => f,
            None => detect(name)?,
        };
        if delimiter.is_some() && format == Format::Jsonl {
            return Err(Failure::new(
                Kind::Usage,
                format!("--delimiter applies to CSV manifests, and {name} is read as JSON Lines"),
            )
            .into());
        }
        if name == "-" {
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
            return Ok(Manifest {
                name: "<stdin>".into(),
                format,
                delimiter,
                base: PathBuf::from("."),
                source: Source::Memory(buf),
            });
        }
        let path = PathBuf::from(name);
        let cannot =
            |why: String| Failure::new(Kind::Input, format!("cannot read manifest {name}: {why}"));
        // A directory opens fine on Unix and fails only when read, and a FIFO is read
        // once (the manifest is read more than once) or blocks: refuse both here.
        crate::regular::open(&path).map_err(|e| cannot(e.to_string()))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Manifest {
            name: name.into(),
            format,
            delimiter,
            base,
            source: Source::File(path),
        })
    }

    /// Stream the rows (or per-row errors). A problem with the whole file (header,
    /// I/O) is an `Err` of the iterator's first item with line 1.
    pub fn rows(&self) -> Result<Box<dyn Iterator<Item = Result<Row, RowError>> + '_>> {
        let reader = LineCap::new(self.reader()?, MAX_LINE_BYTES);
        Ok(match self.csv_delimiter() {
            Some(delimiter) => Box::new(CsvRows::new(reader, &self.base, delimiter)),
            None => Box::new(JsonlRows::new(
                BufReader::with_capacity(256 * 1024, reader),
                &self.base,
            )),
        })
    }

    /// For CSV and TSV, the delimiter (`None` inside: told from the header); `None`
    /// for JSON Lines.
    fn csv_delimiter(&self) -> Option<Option<u8>> {
        match self.format {
            Format::Jsonl => None,
            Format::Csv => Some(self.delimiter),
            Format::Tsv => Some(Some(self.delimiter.unwrap_or(b'\t'))),
        }
    }

    /// The header's columns that name nothing biopass reads (a `name` or `notes`
    /// column of a spreadsheet): they are ignored, and the caller warns once. Empty
    /// for JSON Lines, and when the header cannot be read (the rows report that).
    /// Returns at most ten names, and how many columns are ignored.
    pub fn ignored_columns(&self) -> Result<(Vec<String>, usize)> {
        let Some(delimiter) = self.csv_delimiter() else {
            return Ok((vec![], 0));
        };
        let reader = LineCap::new(self.reader()?, MAX_LINE_BYTES);
        let rows = CsvRows::new(reader, &self.base, delimiter);
        Ok((rows.ignored, rows.ignored_count))
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
    if lower.ends_with(".csv") {
        Ok(Format::Csv)
    } else if lower.ends_with(".tsv") || lower.ends_with(".tab") {
        Ok(Format::Tsv)
    } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        Ok(Format::Jsonl)
    } else {
        Err(Failure::new(
            Kind::Usage,
            format!("cannot tell the format of manifest {name} from its name: add --format csv, tsv or jsonl"),
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
    /// A column biopass does not read (a spreadsheet's `name`, `notes`, ...).
    Ignored,
}

/// The delimiter of a CSV header line: whichever of `,` `;` and tab occurs most
/// outside quotes (a pt-BR spreadsheet exports `id;face`); `,` when none does.
fn sniff_delimiter(header: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b'\n' => break,
            _ if !quoted => {
                if let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
                    c.1 += 1;
                }
            }
            _ => {}
        }
    }
    // max_by_key keeps the last of equal maxima: ties go to tab, then `;`, over `,`;
    // none at all is a one-column file, read as comma separated.
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map_or(b',', |(d, _)| *d)
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

/// The image column an unknown column name probably meant, if it is within a
/// small edit distance of `face` or a finger name: at most 1 edit for names of up
/// to 5 characters, 2 for longer ones (so `fcae` and `rigth-index` are typos, and
/// `name`, 2 edits from `face`, is a column of its own).
fn misspelt_image_column(name: &str) -> Option<&'static str> {
    // The longest image column name is 12 characters: a longer name is more than
    // two edits from all of them (and is not worth a distance table).
    if name.trim().len() > 16 {
        return None;
    }
    let n = name.trim().to_ascii_lowercase().replace('_', "-");
    let most = if n.chars().count() <= 5 { 1 } else { 2 };
    std::iter::once("face")
        .chain(crate::request::FINGER_NAMES)
        .map(|c| (osa_distance(&n, c), c))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
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

/// The CSV reader's input: the header line, read ahead to tell the delimiter, then
/// the rest.
type Sniffed<R> = std::io::Chain<std::io::Cursor<Vec<u8>>, BufReader<LineCap<R>>>;

struct CsvRows<'a, R: Read> {
    reader: csv::Reader<Sniffed<R>>,
    columns: Result<Vec<Column>, Option<RowError>>,
    /// Names of the header's columns that are ignored (the first
    /// [`MAX_IGNORED_LISTED`]).
    ignored: Vec<String>,
    /// How many of the header's columns are ignored.
    ignored_count: usize,
    base: &'a Path,
    record: csv::StringRecord,
}

impl<'a, R: Read> CsvRows<'a, R> {
    fn new(mut r: LineCap<R>, base: &'a Path, delimiter: Option<u8>) -> Self {
        r.csv_rows(delimiter);
        let mut rest = BufReader::new(r);
        let mut first = Vec::new();
        // A read error here shows again, with its line, when csv reads the header.
        let _ = rest.read_until(b'\n', &mut first);
        let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&first));
        // Records end at '\n' ('\r' is trimmed with the other white space): csv's own
        // CRLF handling reports line numbers one short, and lines are how problems
        // are reported.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .delimiter(delimiter)
            .flexible(true) // field counts are checked per row, so one bad row is one error
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(std::io::Cursor::new(first).chain(rest));
        let mut ignored = vec![];
        let mut ignored_count = 0;
        let columns = match reader.headers() {
            Ok(h) => Self::header(h, &mut ignored, &mut ignored_count).map_err(Some),
            Err(e) => Err(Some(RowError {
                line: 1,
                message: format!(
                    "cannot read the CSV header: {}",
                    sanitize(&e.to_string(), 200)
                ),
                unreadable: matches!(e.kind(), csv::ErrorKind::Io(_)),
            })),
        };
        CsvRows {
            reader,
            columns,
            ignored,
            ignored_count,
            base,
            record: csv::StringRecord::new(),
        }
    }

    /// The header's columns; the names of ignored ones go to `ignored`.
    fn header(
        h: &csv::StringRecord,
        ignored: &mut Vec<String>,
        ignored_count: &mut usize,
    ) -> Result<Vec<Column>, RowError> {
        let mut cols = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, name) in h.iter().enumerate() {
            // A UTF-8 byte-order mark (spreadsheet exports) is not part of the name.
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            let col = match column(name) {
                Some(c) => c,
                None => {
                    if let Some(meant) = misspelt_image_column(name) {
                        return Err(RowError {
                            line: 1,
                            message: format!(
                                "unknown column {}: did you mean '{meant}'? (image columns are id, face, face_2, ... and right-thumb ... left-little; other columns are ignored)",
                                quote(name)
                            ),
                            unreadable: false,
                        });
                    }
                    if ignored.len() < MAX_IGNORED_LISTED {
                        ignored.push(sanitize(name.trim(), QUOTE_MAX));
                    }
                    *ignored_count += 1;
                    cols.push(Column::Ignored);
                    continue;
                }
            };
            if !seen.insert(format!("{col:?}")) {
                return Err(RowError {
                    line: 1,
                    message: format!("column {} appears twice", quote(name)),
                    unreadable: false,
                });
            }
            cols.push(col);
        }
        if !cols.iter().any(|c| matches!(c, Column::Id)) {
            return Err(RowError {
                line: 1,
                message: "the header has no 'id' column".into(),
                unreadable: false,
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
                    // A read error ends the stream; a bad record (invalid UTF-8) is
                    // reported and reading goes on with the next one.
                    let unreadable = matches!(e.kind(), csv::ErrorKind::Io(_));
                    let line = if unreadable {
                        self.columns = Err(None);
                        self.reader.get_ref().get_ref().1.get_ref().line
                    } else {
                        e.position().map_or(0, |p| p.line())
                    };
                    return Some(Err(RowError {
                        line,
                        message: format!("CSV error: {}", sanitize(&e.to_string(), 200)),
                        unreadable,
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
                    unreadable: false,
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
                if !matches!(col, Column::Ignored)
                    && let Err(message) = short_enough(value)
                {
                    return Some(Err(RowError {
                        line,
                        message,
                        unreadable: false,
                    }));
                }
                match col {
                    Column::Id => row.id = value.to_string(),
                    Column::Face(k) => faces.push((*k, resolve(self.base, value))),
                    Column::Finger(slot) => row.fingers.push((*slot, resolve(self.base, value))),
                    Column::Ignored => {}
                }
            }
            faces.sort_by_key(|(k, _)| *k);
            row.faces = faces.into_iter().map(|(_, p)| p).collect();
            return Some(Ok(row));
        }
    }
}

struct JsonlRows<'a, R: BufRead> {
    lines: R,
    line: u64,
    base: &'a Path,
    buf: Vec<u8>,
    /// A read error ended the stream.
    done: bool,
}

impl<'a, R: BufRead> JsonlRows<'a, R> {
    fn new(lines: R, base: &'a Path) -> Self {
        JsonlRows {
            lines,
            line: 0,
            base,
            buf: Vec::new(),
            done: false,
        }
    }

    /// One row from one line of JSON. Checked by hand rather than by serde, whose
    /// messages quote the offending value in full.
    fn row(&self, line: u64, text: &str) -> Result<Row, String> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("not a valid row: {}", sanitize(&e.to_string(), 200)))?;
        let serde_json::Value::Object(obj) = v else {
            return Err("not a valid row: a row is a JSON object".into());
        };
        if let Some(k) = obj
            .keys()
            .find(|k| !["id", "face", "fingers"].contains(&k.as_str()))
        {
            return Err(format!(
                "unknown field {}: expected id, face, fingers",
                quote(k)
            ));
        }
        let id = match obj.get("id") {
            Some(serde_json::Value::String(s)) => s.trim().to_string(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(_) => return Err("\"id\" must be a string".into()),
            None => return Err("no \"id\"".into()),
        };
        let faces: Vec<&str> = match obj.get("face") {
            None | Some(serde_json::Value::Null) => vec![],
            Some(serde_json::Value::String(f)) => vec![f],
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .map(|f| f.as_str())
                .collect::<Option<_>>()
                .ok_or("\"face\" must be a file name or a list of file names")?,
            Some(_) => return Err("\"face\" must be a file name or a list of file names".into()),
        };
        let not_fingers = "\"fingers\" must be an object of finger position to file name";
        let fingers: BTreeMap<&str, &str> = match obj.get("fingers") {
            None | Some(serde_json::Value::Null) => BTreeMap::new(),
            Some(serde_json::Value::Object(m)) => m
                .iter()
                .map(|(k, f)| f.as_str().map(|f| (k.as_str(), f)))
                .collect::<Option<_>>()
                .ok_or(not_fingers)?,
            Some(_) => return Err(not_fingers.into()),
        };
        short_enough(&id)?;
        for f in faces.iter().chain(fingers.values()) {
            short_enough(f)?;
        }
        let mut slots = vec![];
        for (pos, file) in fingers {
            let slot = parse_finger_pos(pos).map_err(|_| {
                format!(
                    "unknown finger {}: use 1-10 or right-thumb ... left-little",
                    quote(pos)
                )
            })?;
            slots.push((slot, resolve(self.base, file)));
        }
        Ok(Row {
            line,
            id,
            faces: faces
                .iter()
                .filter(|f| !f.trim().is_empty())
                .map(|f| resolve(self.base, f))
                .collect(),
            fingers: slots,
        })
    }
}

impl<R: BufRead> Iterator for JsonlRows<'_, R> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            self.line += 1;
            let line = self.line;
            match self.lines.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    // Reading again would fail again (or loop): end the stream.
                    self.done = true;
                    return Some(Err(RowError {
                        line,
                        message: format!(
                            "cannot read the manifest: {}",
                            sanitize(&e.to_string(), 200)
                        ),
                        unreadable: true,
                    }));
                }
            }
            let Ok(text) = std::str::from_utf8(&self.buf) else {
                return Some(Err(RowError {
                    line,
                    message: "not valid UTF-8 text".into(),
                    unreadable: false,
                }));
            };
            let text = text.trim().trim_start_matches('\u{feff}');
            if text.is_empty() {
                continue;
            }
            return Some(self.row(line, text).map_err(|message| RowError {
                line,
                message,
                unreadable: false,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_rows(text: impl AsRef<[u8]>) -> Vec<Result<Row, RowError>> {
        CsvRows::new(
            LineCap::new(text.as_ref(), MAX_LINE_BYTES),
            Path::new("/m"),
            None,
        )
        .collect()
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
        assert_eq!(rows[1].as_ref().unwrap().line, 3);
        assert_eq!(rows[1].as_ref().unwrap().id, "5");
        assert_eq!(rows[2].as_ref().unwrap_err().line, 4);
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
        let rows: Vec<_> = CsvRows::new(LineCap::new(Broken, 100), Path::new("."), None)
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
        let rows = CsvRows::new(
            LineCap::new(std::io::repeat(b'a'), 1000),
            Path::new("."),
            None,
        )
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
        let rows = CsvRows::new(LineCap::new(text.as_bytes(), 1000), Path::new("."), None)
            .collect::<Vec<_>>();
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
        let rows = CsvRows::new(LineCap::new(text.as_bytes(), 100), Path::new("."), None)
            .collect::<Vec<_>>();
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
            LineCap::new(header.as_bytes(), MAX_LINE_BYTES),
            Path::new("."),
            None,
        );
        assert_eq!(
            (rows.ignored.len(), rows.ignored_count),
            (MAX_IGNORED_LISTED, 1000)
        );
    }

    #[test]
    fn quoted_names_are_sanitised_and_short() {
        let long = "x".repeat(500);
        let header = format!("id,\x1b[2J{long}\n1,a\n");
        let rows = CsvRows::new(
            LineCap::new(header.as_bytes(), MAX_LINE_BYTES),
            Path::new("."),
            None,
        );
        let m = &rows.ignored[0];
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
            LineCap::new(&b"id,name,face,notes\n"[..], MAX_LINE_BYTES),
            Path::new("."),
            None,
        );
        assert_eq!(cols.ignored, ["name", "notes"]);
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
            LineCap::new(&b"id|face\n1|a.jpg\n"[..], MAX_LINE_BYTES),
            Path::new("/m"),
            Some(b'|'),
        )
        .collect();
        assert_eq!(given[0].as_ref().unwrap().faces.len(), 1);
        let given = CsvRows::new(
            LineCap::new(&b"id;face\n1;a.jpg\n"[..], MAX_LINE_BYTES),
            Path::new("/m"),
            Some(b','),
        );
        assert!(matches!(&given.columns, Err(Some(e)) if e.message.contains("no 'id'")));
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(detect("a.TSV").unwrap(), Format::Tsv);
        assert_eq!(detect("a.CSV").unwrap(), Format::Csv);
        assert_eq!(detect("a.ndjson").unwrap(), Format::Jsonl);
        assert!(detect("-").is_err());
    }
}
