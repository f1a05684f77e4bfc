//! `check FILE... | --from MANIFEST`: a pre-flight report on images, sending nothing.
//! The library reads, inspects, decodes and prepares each image
//! ([`biopass::images::check::check_file`]); this renders one line per image (text) or one
//! JSON object per line, and says how it came out: all well when nothing blocks, invalid
//! data (65) when something does (66 when the only problems are files that cannot
//! be read).
//!
//! With `--remote`, each image that could be sent also goes to the service's quality
//! operations ([`Op::QUALITY`]) through the one client: a failed check is a
//! `REMOTE_ERROR` finding; a failure no request can get past (a refused key, a
//! missing operation, a redirect, an untrusted certificate, a quota) stops at once.

use anyhow::Result;
use biopass::batch::{self, manifest::Manifest};
use biopass::client::AttemptError;
use biopass::error::{Failure, Kind, Status};
use biopass::images::check::{Answer, Report, check_file_prepared};
use biopass::images::prepare::{Code, Role};
use biopass::request::{Op, quality_body};
use biopass::sanitize::{clean, sanitize};
use biopass::stop::Stop;
use biopass::target::Target;

use super::target;
use crate::cli::{CheckArgs, OutputFormat};
use crate::render;
use crate::settings::Settings;

/// `stop` is given with `--remote` (the only case that sends anything).
pub fn run(a: &CheckArgs, s: &Settings, stop: Option<&Stop>) -> Result<Status> {
    let opts = s.images();
    let mut worst = Worst::default();
    if a.files.iter().any(|f| f.as_os_str() == "-") {
        // The README's stdin rule: `-` is an image on standard input for
        // enroll, update and verify; check reads files only.
        return Err(Failure::new(
            Kind::Usage,
            "check does not read images from standard input (-): save the image to a file and check that",
        )
        .into());
    }
    if a.remote && s.dry_run {
        return Err(Failure::new(
            Kind::Usage,
            "check --remote sends every image to the service and --dry-run sends nothing: drop one of them",
        )
        .into());
    }
    let remote = match (a.remote, stop) {
        (true, Some(stop)) => Some(Remote {
            target: Target::open(&target::spec(s, Some(target::key_for(s)?)))?,
            stop,
            quiet: s.quiet,
        }),
        _ => None,
    };
    // `row`: the manifest row the image is on, (line, id).
    let one = |path: &std::path::Path,
               role: Role,
               row: Option<(u64, &str)>,
               worst: &mut Worst|
     -> Result<()> {
        let (mut r, bytes) = check_file_prepared(path, role, &opts, a.strict);
        if let (Some(remote), Some(bytes)) = (&remote, bytes) {
            remote.ask(&mut r, bytes, worst)?;
        }
        emit(&r, row, a.remote, s, worst)
    };
    match &a.from {
        None => {
            let role = if a.fingerprints {
                Role::Finger
            } else {
                Role::Face
            };
            for f in &a.files {
                one(f, role, None, &mut worst)?;
            }
        }
        Some(name) => {
            let m = Manifest::open_with(name, &a.read.options())?;
            // The batch's own row rules (an id, no duplicate, an image, no slot
            // twice), as an enroll of this manifest would apply them; the images
            // are checked here, in full.
            let local_stop = Stop::new();
            let problems =
                batch::plan::row_problems(Op::Enroll, &m, opts, stop.unwrap_or(&local_stop))?;
            let mut problems = problems.into_iter().peekable();
            for row in m.rows()? {
                let row = match row {
                    Ok(r) => r,
                    // Read to the end once already: a row that cannot be read is
                    // among the problems.
                    Err(_) => continue,
                };
                // Problems of the rows that could not be read come before this one.
                while let Some(p) = problems.next_if(|(e, _)| e.line <= row.line) {
                    emit_invalid_row(&m.name, &p, s, &mut worst)?;
                }
                let images = row.faces.iter().map(|p| (p, Role::Face));
                let images = images.chain(row.fingers.iter().map(|(_, p)| (p, Role::Finger)));
                for (p, role) in images {
                    one(p, role, Some((row.line, &row.id)), &mut worst)?;
                }
            }
            for p in problems {
                emit_invalid_row(&m.name, &p, s, &mut worst)?;
            }
        }
    }
    if let Some(remote) = remote {
        // The embedded sandbox saves its state here (the checks change none).
        remote.target.finish()?;
    }
    Ok(worst.status())
}

/// Where `--remote` sends, and what can stop it.
struct Remote<'a> {
    target: Target,
    stop: &'a Stop,
    quiet: bool,
}

impl Remote<'_> {
    /// Ask the quality operations of `r`'s role about `bytes` (the image as a send
    /// would send it), recording each answer or failure in `r`. A failure that
    /// condemns every call is returned (the command stops with its code).
    fn ask(&self, r: &mut Report, bytes: Vec<u8>, worst: &mut Worst) -> Result<()> {
        let ops: &[Op] = match r.role {
            Role::Face => &[Op::FaceDetect, Op::Icao, Op::Liveness],
            Role::Finger => &[Op::Nfiq],
        };
        let bytes = bytes::Bytes::from(bytes);
        let quiet = self.quiet;
        let mut on_retry = |e: &AttemptError, wait: std::time::Duration, next: u32| {
            render::note(
                quiet,
                &format!(
                    "{}; retrying in {:.1}s (attempt {next} of {})",
                    e.failure.message,
                    wait.as_secs_f64(),
                    biopass::client::retry::POLICY.max_attempts
                ),
            );
        };
        for &op in ops {
            let body = quality_body(op, bytes.clone()).expect("a quality operation");
            match self
                .target
                .client
                .call(op, body, &|| self.stop.is_requested(), &mut on_retry)
            {
                Ok(reply) => r.remote_answer(op, &reply.body),
                Err(e)
                    if e.run_level()
                        || matches!(e.failure.kind, Kind::Interrupted | Kind::TryLater) =>
                {
                    return Err(e.failure.into());
                }
                Err(e) => {
                    worst.remote.get_or_insert(e.failure.kind);
                    r.remote_error(op, &e.failure);
                }
            }
        }
        Ok(())
    }
}

/// The worst outcome so far.
#[derive(Default)]
struct Worst {
    invalid: bool,
    unreadable: bool,
    /// The kind of the first failed remote check.
    remote: Option<Kind>,
}

impl Worst {
    fn status(&self) -> Status {
        if self.invalid {
            Status::Problem(Kind::Invalid)
        } else if self.unreadable {
            Status::Problem(Kind::Input)
        } else if let Some(kind) = self.remote {
            Status::Problem(kind)
        } else {
            Status::Success
        }
    }
}

/// A manifest row the batch would refuse, as a result: text
/// `people.csv:3: invalid row (id 'a'): duplicate id 'a' (first on line 2)`; JSON
/// `{"ok":false,"manifest","line","id","code":"INVALID_ROW","message"}` (`id` null
/// when the row has none).
fn emit_invalid_row(
    manifest: &str,
    (e, id): &batch::plan::Problem,
    s: &Settings,
    worst: &mut Worst,
) -> Result<()> {
    worst.invalid = true;
    let manifest = sanitize(manifest, 200);
    let id = id.as_deref().filter(|i| !i.is_empty());
    let line = match s.output {
        OutputFormat::Json => render::json_text(&serde_json::json!({
            "ok": false,
            "manifest": manifest,
            "line": e.line,
            "id": id,
            "code": "INVALID_ROW",
            "message": e.message,
        })),
        OutputFormat::Text => format!(
            "{manifest}:{}: invalid row ({}): {}",
            e.line,
            id.map_or("no id".into(), |i| format!("id '{}'", sanitize(i, 60))),
            clean(&e.message)
        ),
    };
    render::result_line(&line)
}

fn emit(
    r: &Report,
    row: Option<(u64, &str)>,
    remote: bool,
    s: &Settings,
    worst: &mut Worst,
) -> Result<()> {
    for f in r.findings.iter().filter(|f| f.blocking) {
        if f.code == Code::Unreadable {
            worst.unreadable = true;
        } else {
            worst.invalid = true;
        }
    }
    let line = match s.output {
        OutputFormat::Json => {
            let mut v = serde_json::to_value(r).expect("plain data");
            if let Some((line, id)) = row {
                v["line"] = line.into();
                // A row without an id: null, as in an invalid row's result.
                v["id"] = (!id.is_empty()).then_some(id).into();
            }
            render::json_text(&v)
        }
        OutputFormat::Text => text(r, remote),
    };
    render::result_line(&line)
}

/// `face.jpg: ok: JPEG 4000x3000, 2311520 bytes, orientation 6, metadata gps,camera; sends 1203311 bytes (...); ROTATED: ...`
fn text(r: &Report, remote: bool) -> String {
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
    } else if r.orientation_unknown {
        facts.push("orientation unknown".into());
    }
    if let Some(d) = r.dpi {
        facts.push(if r.dpi_from_exif {
            format!("{d} dpi (in EXIF only; kept as JFIF/pHYs density)")
        } else {
            format!("{d} dpi")
        });
    }
    if r.orientation.is_some() || r.orientation_unknown {
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
    if remote {
        line.push_str(&remote_text(r));
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

/// `; remote: face detect 1 face, ICAO not conformed (60: Blurred), liveness Ok, not a spoof`
/// (a failed check shows as its `REMOTE_ERROR` finding instead).
fn remote_text(r: &Report) -> String {
    let Some(rm) = &r.remote else {
        return "; remote: not asked (the image cannot be sent)".into();
    };
    let mut parts = Vec::new();
    if let Some(Answer::Ok(d)) = &rm.face_detect {
        parts.push(format!(
            "face detect {} face{}",
            d.faces,
            if d.faces == 1 { "" } else { "s" }
        ));
    }
    if let Some(Answer::Ok(i)) = &rm.icao {
        let score = i.conformed.map(|c| format!("{c}")).unwrap_or("?".into());
        parts.push(if i.all_conformed {
            format!("ICAO all conformed ({score})")
        } else if i.failed.is_empty() {
            format!("ICAO not conformed ({score})")
        } else {
            format!(
                "ICAO not conformed ({score}: {})",
                clean(&i.failed.join(", "))
            )
        });
    }
    if let Some(Answer::Ok(l)) = &rm.liveness {
        parts.push(match (l.success, l.spoof) {
            (true, Some(false)) => format!("liveness {}, not a spoof", clean(&l.result)),
            (true, Some(true)) => format!("liveness {}, SPOOF", clean(&l.result)),
            _ => format!("liveness {}", clean(&l.result)),
        });
    }
    if let Some(Answer::Ok(n)) = &rm.nfiq {
        parts.push(format!("NFIQ {} (scale unknown)", n.quality));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; remote: {}", parts.join(", "))
    }
}
