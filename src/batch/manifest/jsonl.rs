//! JSON Lines manifests: one object per line, its keys read by the column table
//! (`{"id":"1234","face":["a.jpg"],"fingers":{"right-index":"ri.png"}}`; a CSV
//! column name such as `face_2` or `right-index` works as a key too).

use std::io::BufRead;
use std::path::Path;

use serde_json::Value;

use super::columns::{self, Holds, Slot};
use super::{Fields, Row, RowError, quote};
use crate::request::{FINGER_NAMES, parse_finger_pos};
use crate::sanitize::sanitize;

pub(super) struct JsonlRows<'a, R: BufRead> {
    lines: R,
    line: u64,
    base: &'a Path,
    buf: Vec<u8>,
    /// A read error ended the stream.
    done: bool,
}

impl<'a, R: BufRead> JsonlRows<'a, R> {
    pub(super) fn new(lines: R, base: &'a Path) -> Self {
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
        let v: Value = serde_json::from_str(text)
            .map_err(|e| format!("not a valid row: {}", sanitize(&e.to_string(), 200)))?;
        let Value::Object(obj) = v else {
            return Err("not a valid row: a row is a JSON object".into());
        };
        let mut fields = Fields::new(self.base, line);
        let mut has_id = false;
        for (key, value) in &obj {
            if key == columns::FINGERS {
                self.fingers(value, &mut fields)?;
                continue;
            }
            let Some(slot) = columns::lookup(key) else {
                return Err(format!(
                    "unknown field {}: expected {}, {}, {} (or a column name such as {}_2)",
                    quote(key),
                    columns::ID.name,
                    columns::FACE.name,
                    columns::FINGERS,
                    columns::FACE.name,
                ));
            };
            let name = super::column_name(slot);
            match (slot.holds, value) {
                (Holds::Id, Value::String(_)) if has_id => {
                    return Err(format!("two ids: \"{name}\" and another of its names"));
                }
                (Holds::Id, Value::String(s)) => {
                    has_id = true;
                    fields.put(slot, s)?;
                }
                // A number is not an id: 1.5e3 would be sent as 1500.0, and long ids
                // lose their last digits.
                (Holds::Id, Value::Number(_)) => {
                    return Err(format!(
                        "\"{name}\" is a number: write it as a JSON string, quoted (\"{name}\":\"00123\"), so that it is sent exactly as written"
                    ));
                }
                (Holds::Id, _) => return Err(format!("\"{name}\" must be a string")),
                (_, Value::Null) => {}
                (_, Value::String(f)) => fields.put(slot, f)?,
                (Holds::Face, Value::Array(a)) if slot.number == 1 => {
                    let not = || format!("\"{name}\" must be a file name or a list of file names");
                    for (i, f) in a.iter().enumerate() {
                        let f = f.as_str().ok_or_else(not)?;
                        let slot = Slot {
                            holds: Holds::Face,
                            number: i + 1,
                        };
                        fields.put(slot, f)?;
                    }
                }
                (Holds::Face, _) => {
                    return Err(format!(
                        "\"{name}\" must be a file name or a list of file names"
                    ));
                }
                (Holds::Finger(_), _) => return Err(format!("\"{name}\" must be a file name")),
            }
        }
        if !has_id {
            return Err(format!("no \"{}\"", columns::ID.name));
        }
        Ok(fields.finish())
    }

    /// The `fingers` object: finger position (1-10 or a name) to file name.
    fn fingers(&self, value: &Value, fields: &mut Fields) -> Result<(), String> {
        let not_fingers = format!(
            "\"{}\" must be an object of finger position to file name",
            columns::FINGERS
        );
        let m = match value {
            Value::Null => return Ok(()),
            Value::Object(m) => m,
            _ => return Err(not_fingers),
        };
        for (pos, file) in m {
            let file = file.as_str().ok_or_else(|| not_fingers.clone())?;
            let slot = parse_finger_pos(pos).map_err(|_| {
                format!(
                    "unknown finger {}: use 1-10 or {} ... {}",
                    quote(pos),
                    FINGER_NAMES[0],
                    FINGER_NAMES[9]
                )
            })?;
            fields.put(
                Slot {
                    holds: Holds::Finger(slot),
                    number: 1,
                },
                file,
            )?;
        }
        Ok(())
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
                    message: "not valid UTF-8 text (JSON Lines are UTF-8)".into(),
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
