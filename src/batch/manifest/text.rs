//! A CSV manifest's text encoding: UTF-8 (with or without a byte-order mark), UTF-16
//! LE or BE with a byte-order mark, or Windows-1252 (what Excel's "CSV (separado por
//! vírgulas)" and other legacy exports write), decoded to UTF-8 as the file streams.
//!
//! Without `--encoding`, a byte-order mark decides; otherwise the text is read as
//! UTF-8 until the first byte that is not UTF-8. If everything before it was ASCII,
//! the file is a legacy export and is read as Windows-1252 from there on (ASCII is the
//! same in both, so nothing read so far changes); if UTF-8 letters came before it, the
//! file is UTF-8 with a damaged spot, left as it is for the row that holds it to be
//! reported (and a damaged value in a column biopass ignores harms nothing). The
//! decision needs no second pass and no more memory than two small buffers.
//!
//! Bytes that cannot be decoded (a broken UTF-16 surrogate) come out as a `0xFF` byte,
//! which is never UTF-8: the row that holds it is reported, naming its line.

use std::io::{self, Read};

/// The encoding the user can force with `--encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16: the byte-order mark tells LE from BE; LE without one.
    Utf16,
    /// Windows-1252 (a superset of ISO-8859-1's printable characters).
    Windows1252,
}

/// How the bytes are being read.
enum Mode {
    /// Nothing read yet: the byte-order mark is still to be looked for.
    Start(Option<Encoding>),
    /// UTF-8 so far, and only ASCII seen.
    Undecided,
    /// UTF-8, passed through as it is.
    Pass,
    /// Decoded by encoding_rs.
    Decode(encoding_rs::Decoder),
    /// The decoder has seen the end of the input (and must not be called again).
    Done,
}

/// A reader of UTF-8 text from a manifest in any of the encodings above.
pub struct Decode<R> {
    inner: R,
    mode: Mode,
    /// Raw bytes read and not yet consumed: `raw[start..end]`.
    raw: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    /// Decoded bytes not yet returned: `out[pos..len]`.
    out: Box<[u8]>,
    pos: usize,
    len: usize,
    /// What the text is being read as, for messages.
    label: &'static str,
}

const RAW: usize = 32 * 1024;
/// Room for a whole decoded buffer: UTF-16 and Windows-1252 take at most 3 UTF-8
/// bytes per input unit of one or two bytes.
const OUT: usize = 3 * RAW + 16;

impl<R: Read> Decode<R> {
    /// Read `inner` as `forced`, or tell its encoding as described above.
    pub fn new(inner: R, forced: Option<Encoding>) -> Self {
        Decode {
            inner,
            mode: Mode::Start(forced),
            raw: vec![0; RAW].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            out: vec![0; OUT].into_boxed_slice(),
            pos: 0,
            len: 0,
            label: "UTF-8",
        }
    }

    /// What the text is read as: "UTF-8", "UTF-16" or "Windows-1252".
    pub fn label(&self) -> &'static str {
        self.label
    }

    /// Read more raw bytes, keeping the unconsumed ones. False at the end of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.raw.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        loop {
            match self.inner.read(&mut self.raw[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Pass `n` raw bytes through unchanged.
    fn pass(&mut self, n: usize) {
        self.out[..n].copy_from_slice(&self.raw[self.start..self.start + n]);
        self.start += n;
        self.pos = 0;
        self.len = n;
    }

    /// Produce the next decoded bytes into `out`; `len` 0 only at the end.
    fn produce(&mut self) -> io::Result<()> {
        loop {
            let pending = self.end - self.start;
            if pending < 4 && !self.eof {
                self.fill()?;
                continue;
            }
            match &mut self.mode {
                Mode::Start(forced) => {
                    let head = &self.raw[self.start..self.end];
                    let (mode, bom, label) = match (*forced, head) {
                        (None | Some(Encoding::Utf16), [0xFF, 0xFE, ..]) => (
                            Mode::Decode(encoding_rs::UTF_16LE.new_decoder_with_bom_removal()),
                            0,
                            "UTF-16",
                        ),
                        (None | Some(Encoding::Utf16), [0xFE, 0xFF, ..]) => (
                            Mode::Decode(encoding_rs::UTF_16BE.new_decoder_with_bom_removal()),
                            0,
                            "UTF-16",
                        ),
                        (Some(Encoding::Utf16), _) => (
                            Mode::Decode(encoding_rs::UTF_16LE.new_decoder_without_bom_handling()),
                            0,
                            "UTF-16",
                        ),
                        (None | Some(Encoding::Utf8), [0xEF, 0xBB, 0xBF, ..]) => {
                            (Mode::Pass, 3, "UTF-8")
                        }
                        (Some(Encoding::Utf8), _) => (Mode::Pass, 0, "UTF-8"),
                        (Some(Encoding::Windows1252), _) => (
                            Mode::Decode(
                                encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
                            ),
                            0,
                            "Windows-1252",
                        ),
                        (None, _) => (Mode::Undecided, 0, "UTF-8"),
                    };
                    self.start += bom;
                    self.mode = mode;
                    self.label = label;
                }
                Mode::Pass => {
                    self.pass(pending.min(OUT));
                    return Ok(());
                }
                Mode::Undecided => {
                    let s = &self.raw[self.start..self.end];
                    let (good, decided) = match std::str::from_utf8(s) {
                        Ok(t) => (s.len(), !t.is_ascii()),
                        Err(e) => {
                            let good = e.valid_up_to();
                            if !s[..good].is_ascii() {
                                (s.len(), true)
                            } else if e.error_len().is_none() && !self.eof {
                                // A character cut by the buffer's end: decide once it
                                // is whole.
                                if good == 0 {
                                    self.fill()?;
                                    continue;
                                }
                                (good, false)
                            } else {
                                if good == 0 {
                                    self.mode = Mode::Decode(
                                        encoding_rs::WINDOWS_1252
                                            .new_decoder_without_bom_handling(),
                                    );
                                    self.label = "Windows-1252";
                                    continue;
                                }
                                (good, false)
                            }
                        }
                    };
                    if decided {
                        self.mode = Mode::Pass;
                    }
                    self.pass(good);
                    return Ok(());
                }
                Mode::Decode(d) => {
                    let (result, read, written) = d.decode_to_utf8_without_replacement(
                        &self.raw[self.start..self.end],
                        &mut self.out,
                        self.eof,
                    );
                    self.start += read;
                    self.pos = 0;
                    self.len = written;
                    match result {
                        encoding_rs::DecoderResult::Malformed(..) => {
                            // Room is left: `out` holds a whole raw buffer's decoding.
                            self.out[written] = 0xFF;
                            self.len += 1;
                        }
                        encoding_rs::DecoderResult::InputEmpty if self.eof => {
                            self.mode = Mode::Done;
                        }
                        _ => {}
                    }
                    if self.len > 0 || matches!(self.mode, Mode::Done) {
                        return Ok(());
                    }
                }
                Mode::Done => {
                    self.pos = 0;
                    self.len = 0;
                    return Ok(());
                }
            }
        }
    }
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.len {
            self.produce()?;
        }
        let n = (self.len - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decode `bytes`, read through a reader that hands out `chunk` bytes at a time.
    fn decode(bytes: &[u8], forced: Option<Encoding>, chunk: usize) -> (Vec<u8>, &'static str) {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut d = Decode::new(Trickle(bytes, chunk), forced);
        let mut out = vec![];
        d.read_to_end(&mut out).unwrap();
        (out, d.label())
    }

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        let mut b = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            b.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        b
    }

    #[test]
    fn every_encoding_decodes_to_the_same_text() {
        let text = "id;face;nome\r\n1;a.jpg;João\r\n";
        let cp1252: Vec<u8> = text
            .chars()
            .map(|c| if c == 'ã' { 0xE3 } else { c as u8 })
            .collect();
        for chunk in [1, 2, 3, 7, 1 << 20] {
            assert_eq!(decode(text.as_bytes(), None, chunk), (text.into(), "UTF-8"));
            let bom = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
            assert_eq!(decode(&bom, None, chunk).0, text.as_bytes());
            assert_eq!(decode(&cp1252, None, chunk), (text.into(), "Windows-1252"));
            assert_eq!(
                decode(&cp1252, Some(Encoding::Windows1252), chunk).0,
                text.as_bytes()
            );
            assert_eq!(
                decode(&utf16(text, true), None, chunk),
                (text.into(), "UTF-16")
            );
            assert_eq!(decode(&utf16(text, false), None, chunk).0, text.as_bytes());
            let no_bom = &utf16(text, true)[2..];
            assert_eq!(
                decode(no_bom, Some(Encoding::Utf16), chunk).0,
                text.as_bytes()
            );
        }
    }

    #[test]
    fn damaged_utf8_stays_utf8_and_bad_units_are_marked() {
        // UTF-8 letters first: a later bad byte is damage, not another encoding.
        let damaged = "id,nome\n1,João\n2,\u{0}".replace('\u{0}', "");
        let mut bytes = damaged.into_bytes();
        bytes.extend([0xFF, b'\n']);
        assert_eq!(decode(&bytes, None, 3), (bytes.clone(), "UTF-8"));
        // Forced UTF-8 is never transcoded.
        let cp1252 = b"id\n\xe3\n";
        assert_eq!(decode(cp1252, Some(Encoding::Utf8), 1 << 20).0, cp1252);
        // A lone surrogate in UTF-16 becomes 0xFF, which no UTF-8 reader accepts.
        let mut b = utf16("id\n", true);
        b.extend([0x00, 0xD8, b'x', 0x00]);
        let (out, _) = decode(&b, None, 5);
        assert_eq!(out, b"id\n\xffx");
    }
}
