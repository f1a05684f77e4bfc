//! `check FILE... | --from MANIFEST`: a pre-flight report on images, sending nothing.
//! The library reads, inspects, decodes and prepares each image
//! ([`biopass::images::check::check_file`]); this renders one line per image (text) or one
//! JSON object per line, and says how it came out: all well when nothing blocks, invalid
//! data (65) when something does (66 when the only problems are files that cannot
//! be read).

use anyhow::Result;
use biopass::batch::manifest::{self, Manifest};
use biopass::error::{Failure, Kind, Status};
use biopass::images::check::{Report, check_file};
use biopass::images::prepare::{Code, Role};
use biopass::sanitize::{clean, sanitize};

use crate::cli::{CheckArgs, ManifestFormat, OutputFormat};
use crate::render;
use crate::settings::Settings;

pub fn run(a: &CheckArgs, s: &Settings) -> Result<Status> {
    let opts = s.images();
    let mut worst = Worst::default();
    match &a.from {
        None => {
            let role = if a.fingerprints {
                Role::Finger
            } else {
                Role::Face
            };
            for f in &a.files {
                emit(&check_file(f, role, &opts, a.strict), s, &mut worst)?;
            }
        }
        Some(name) => {
            let m = Manifest::open_with(
                name,
                &manifest::Options {
                    format: a.format.map(ManifestFormat::format),
                    delimiter: a.delimiter,
                    encoding: a.encoding.map(|e| e.encoding()),
                    sheet: a.sheet.clone(),
                },
            )?;
            for row in m.rows()? {
                let row = match row {
                    Ok(r) => r,
                    Err(e) if e.unreadable => {
                        return Err(Failure::new(
                            Kind::Input,
                            format!(
                                "cannot read manifest {} (line {}): {}",
                                sanitize(name, 200),
                                e.line,
                                e.message
                            ),
                        )
                        .into());
                    }
                    Err(e) => {
                        render::note(
                            s.quiet,
                            &format!("{} line {}: {}", sanitize(&m.name, 200), e.line, e.message),
                        );
                        worst.invalid = true;
                        continue;
                    }
                };
                let images = row.faces.iter().map(|p| (p, Role::Face));
                let images = images.chain(row.fingers.iter().map(|(_, p)| (p, Role::Finger)));
                for (p, role) in images {
                    emit(&check_file(p, role, &opts, a.strict), s, &mut worst)?;
                }
            }
        }
    }
    Ok(worst.status())
}

/// The worst outcome so far.
#[derive(Default)]
struct Worst {
    invalid: bool,
    unreadable: bool,
}

impl Worst {
    fn status(&self) -> Status {
        if self.invalid {
            Status::Problem(Kind::Invalid)
        } else if self.unreadable {
            Status::Problem(Kind::Input)
        } else {
            Status::Success
        }
    }
}

fn emit(r: &Report, s: &Settings, worst: &mut Worst) -> Result<()> {
    for f in r.findings.iter().filter(|f| f.blocking) {
        if f.code == Code::Unreadable {
            worst.unreadable = true;
        } else {
            worst.invalid = true;
        }
    }
    let line = match s.output {
        OutputFormat::Json => render::json_text(&serde_json::to_value(r).expect("plain data")),
        OutputFormat::Text => text(r),
    };
    render::result_line(&line)
}

/// `face.jpg: ok: JPEG 4000x3000, 2311520 bytes, orientation 6, metadata gps,camera; sends 1203311 bytes (...); ROTATED: ...`
fn text(r: &Report) -> String {
    let mut facts = Vec::new();
    if let Some(f) = &r.format {
        let mut first = f.clone();
        if let (Some(w), Some(h)) = (r.width, r.height) {
            first.push_str(&format!(" {w}x{h}"));
        }
        facts.push(first);
    }
    if let Some(b) = r.bytes {
        facts.push(format!("{b} bytes"));
    }
    if let Some(o) = r.orientation {
        facts.push(format!("orientation {o}"));
    }
    if let Some(d) = r.dpi {
        facts.push(if r.dpi_from_exif {
            format!("{d} dpi (in EXIF only; kept as JFIF/pHYs density)")
        } else {
            format!("{d} dpi")
        });
    }
    if r.orientation.is_some() {
        facts.push(if r.metadata.is_empty() {
            "no metadata".into()
        } else {
            format!("metadata {}", r.metadata.join(","))
        });
    }
    if let Some(f) = &r.faces {
        facts.push(match (f.count, f.relative_height) {
            (1, Some(h)) => format!("1 face, {:.0} % of the height", h * 100.0),
            (n, Some(h)) => format!("{n} faces, the largest {:.0} % of the height", h * 100.0),
            (n, None) => format!("{n} faces"),
        });
    }
    let mut line = format!(
        "{}: {} ({}){}{}",
        clean(&r.file),
        if r.ok { "ok" } else { "refused" },
        match r.role {
            Role::Face => "face",
            Role::Finger => "fingerprint",
        },
        if facts.is_empty() { "" } else { ": " },
        facts.join(", ")
    );
    if let (Some(n), Some(p)) = (r.prepared_bytes, &r.preparation) {
        line.push_str(&format!("; sends {n} bytes ({p})"));
    }
    for f in &r.findings {
        let code = serde_json::to_value(f.code).expect("plain data");
        line.push_str(&format!(
            "; {}: {}",
            code.as_str().unwrap_or_default(),
            clean(&f.message)
        ));
    }
    line
}
