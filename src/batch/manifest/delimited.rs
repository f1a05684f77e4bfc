//! CSV and TSV manifests: the text decoded to UTF-8 as it streams ([`super::text`]),
//! Excel's `sep=X` first line, the delimiter told from the header, and each row's
//! cells read by the column table.
//!
//! Cells are read as bytes and decoded one by one, only for the columns biopass
//! reads: a cell that is not text in an ignored column (a damaged `notes`) never
//! invalidates its row.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::text::{Decode, Encoding};
use super::{Fields, Header, LineCap, Row, RowError, column_name};
use crate::sanitize::sanitize;

/// How to get a CSV's text right, for a message about text that cannot be read.
const EXPORT_UTF8: &str = "save the sheet as \"CSV UTF-8 (Comma delimited)\" in Excel (File > Save As), \
or give --encoding utf-8, utf-16 or windows-1252";

/// The CSV reader's input: the header line, read ahead to tell the delimiter, then
/// the rest.
type Sniffed<R> = std::io::Chain<std::io::Cursor<Vec<u8>>, BufReader<LineCap<Decode<R>>>>;

pub(super) struct CsvRows<'a, R: Read> {
    reader: csv::Reader<Sniffed<R>>,
    header: Result<Header, Option<RowError>>,
    /// Lines before the header (Excel's `sep=` line): csv counts from the header.
    skipped: u64,
    base: &'a Path,
    record: csv::ByteRecord,
}

/// Excel's `sep=X` first line (also quoted, `"sep=;"`): the delimiter it names.
fn sep_line(line: &[u8]) -> Option<u8> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line
        .strip_prefix(b"\"")
        .and_then(|l| l.strip_suffix(b"\""))
        .unwrap_or(line);
    match line {
        [s, e, p, b'=', d]
            if s.eq_ignore_ascii_case(&b's')
                && e.eq_ignore_ascii_case(&b'e')
                && p.eq_ignore_ascii_case(&b'p') =>
        {
            Some(*d).filter(|d| d.is_ascii() && !matches!(d, b'"' | b'\r' | b'\n'))
        }
        _ => None,
    }
}

impl<'a, R: Read> CsvRows<'a, R> {
    /// Rows of `r`, decoded as `encoding` (`None`: told from the bytes), split at
    /// `delimiter` (`None`: from a `sep=` line, else the header), no row longer than
    /// `max_line`.
    pub(super) fn new(
        r: R,
        base: &'a Path,
        delimiter: Option<u8>,
        encoding: Option<Encoding>,
        max_line: u64,
    ) -> Self {
        let mut r = LineCap::new(Decode::new(r, encoding), max_line);
        r.csv_rows(delimiter);
        let mut rest = BufReader::new(r);
        let mut first = Vec::new();
        // A read error here shows again, with its line, when csv reads the header.
        let _ = rest.read_until(b'\n', &mut first);
        let mut skipped = 0;
        let mut delimiter = delimiter;
        if let Some(d) = sep_line(&first) {
            // The `sep=` line is Excel's, not the header: --delimiter still wins.
            delimiter = delimiter.or(Some(d));
            skipped = 1;
            first.clear();
            let _ = rest.read_until(b'\n', &mut first);
        }
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
        let header = match reader.byte_headers() {
            // A header name that is not text names no column: it is ignored.
            Ok(h) => {
                let names: Vec<Cow<str>> = h.iter().map(String::from_utf8_lossy).collect();
                Header::parse(names.iter().map(|n| n.as_ref()), 1 + skipped).map_err(Some)
            }
            Err(e) => Err(Some(RowError {
                line: 1 + skipped,
                message: format!(
                    "cannot read the CSV header: {}",
                    sanitize(&e.to_string(), 200)
                ),
                unreadable: matches!(e.kind(), csv::ErrorKind::Io(_)),
            })),
        };
        CsvRows {
            reader,
            header,
            skipped,
            base,
            record: csv::ByteRecord::new(),
        }
    }

    /// The ignored columns' names (at most ten) and how many there are.
    pub(super) fn ignored(&self) -> (Vec<String>, usize) {
        match &self.header {
            Ok(h) => (h.ignored.clone(), h.ignored_count),
            Err(_) => (vec![], 0),
        }
    }
}

impl<R: Read> Iterator for CsvRows<'_, R> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let header = match &mut self.header {
            Ok(h) => h,
            Err(e) => return e.take().map(Err),
        };
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => {
                    // A read error ends the stream; a bad record is reported and
                    // reading goes on with the next one.
                    let unreadable = matches!(e.kind(), csv::ErrorKind::Io(_));
                    let line = if unreadable {
                        self.header = Err(None);
                        self.reader.get_ref().get_ref().1.get_ref().line
                    } else {
                        e.position().map_or(0, |p| p.line()) + self.skipped
                    };
                    return Some(Err(RowError {
                        line,
                        message: format!("CSV error: {}", sanitize(&e.to_string(), 200)),
                        unreadable,
                    }));
                }
                Ok(true) => {}
            }
            let line = self.record.position().map_or(0, |p| p.line()) + self.skipped;
            // Blank lines (including a lone "\r" from CRLF files) are not rows.
            if self
                .record
                .iter()
                .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
            {
                continue;
            }
            let err = |message: String| {
                Some(Err(RowError {
                    line,
                    message,
                    unreadable: false,
                }))
            };
            if self.record.len() != header.slots.len() {
                return err(format!(
                    "{} fields where the header has {}",
                    self.record.len(),
                    header.slots.len()
                ));
            }
            let mut fields = Fields::new(self.base, line);
            for (slot, value) in header.slots.iter().zip(self.record.iter()) {
                // Only the columns biopass reads are decoded.
                let Some(slot) = slot else { continue };
                let Ok(value) = std::str::from_utf8(value) else {
                    let label = self.reader.get_ref().get_ref().1.get_ref().inner.label();
                    return err(format!(
                        "the {} value is not {label} text: {EXPORT_UTF8}",
                        column_name(*slot)
                    ));
                };
                if let Err(message) = fields.put(*slot, value) {
                    return err(message);
                }
            }
            return Some(Ok(fields.finish()));
        }
    }
}

/// The delimiter of a CSV header line: whichever of `,` `;` and tab occurs most
/// outside quotes (a pt-BR spreadsheet exports `id;face`); `,` when none does.
pub(super) fn sniff_delimiter(header: &[u8]) -> u8 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sep_lines() {
        assert_eq!(sep_line(b"sep=;\r\n"), Some(b';'));
        assert_eq!(sep_line(b"\"sep=|\"\n"), Some(b'|'));
        assert_eq!(sep_line(b"SEP=\t"), Some(b'\t'));
        assert_eq!(sep_line(b"sep=;;\n"), None);
        assert_eq!(sep_line(b"id,face\n"), None);
        assert_eq!(sep_line(b"sep=\"\n"), None);
    }
}
