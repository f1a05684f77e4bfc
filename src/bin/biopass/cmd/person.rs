//! `enroll`, `update`, `verify` and `delete` for one person.

use std::sync::Arc;

use anyhow::Result;
use biopass::client::{AttemptError, Body, KEY_HEADER, Reply, Sent, USER_AGENT};
use biopass::error::{Failure, Kind, Status};
use biopass::request::{self, AnswerShape, FINGER_NAMES, Op, PersonSpec};
use biopass::sanitize::{clean, sanitize};
use biopass::stop::Stop;
use biopass::target::{Spec, Target};
use serde_json::json;

use super::target;
use crate::cli::OutputFormat;
use crate::render::{self, json_result, result_line};
use crate::settings::Settings;

/// enroll, update or verify.
pub fn run(
    op: Op,
    id: &str,
    faces: &[String],
    fingers: &[(u8, String)],
    s: &Settings,
    stop: &Arc<Stop>,
) -> Result<Status> {
    let spec = PersonSpec::new(id, faces, fingers)?;
    if spec.reads_stdin() && s.key_from_stdin() {
        return Err(Failure::new(
            Kind::Usage,
            "standard input cannot hold both an image and the API key",
        )
        .into());
    }
    let key = target::key_unless_dry_run(s)?;
    let person = spec.load(&s.images())?;
    if s.verbose > 0 {
        // What preparation did, never what the images hold.
        for (slot, img) in person.images() {
            render::note(
                s.quiet,
                &format!(
                    "{slot} {}: {} bytes read, {} bytes to send as {}: {}",
                    clean(&img.source.to_string()),
                    img.prep.file_bytes,
                    img.bytes.len(),
                    img.format,
                    img.prep.describe()
                ),
            );
        }
    }
    let dest = target::spec(s, key);
    if s.dry_run {
        dry_run(op, s, &dest, person.redacted())?;
        return Ok(Status::Success);
    }
    // The body takes the images' bytes: the only copy, encoded only as it is sent.
    let body = person.into_body();
    let reply = send(op, &spec.custom_id, body, s, &dest, stop)?;
    render(op, &reply, &spec, s)
}

/// delete.
pub fn delete(id: &str, s: &Settings, stop: &Arc<Stop>) -> Result<Status> {
    // The id as sent and shown: trimmed and checked, as a manifest's is.
    let id = request::custom_id_arg(id)?;
    let body = request::delete_body(id)?;
    let key = target::key_unless_dry_run(s)?;
    let dest = target::spec(s, key);
    if s.dry_run {
        let shown: serde_json::Value = serde_json::from_slice(&body.to_vec())?;
        dry_run(Op::Delete, s, &dest, shown)?;
        return Ok(Status::Success);
    }
    let reply = send(Op::Delete, id, body, s, &dest, stop)?;
    match s.output {
        OutputFormat::Json => json_result(&reply.raw)?,
        OutputFormat::Text => {
            // The id asked for, not the server's echo of it: a server cannot make
            // the result say another id.
            result_line(&clean(id))?;
        }
    }
    Ok(Status::Success)
}

/// Open the target, make the call (with the client's retries), close the target.
fn send(op: Op, id: &str, body: Body, s: &Settings, dest: &Spec, stop: &Stop) -> Result<Reply> {
    let target = Target::open(dest)?;
    let quiet = s.quiet;
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
    let reply = target
        .client
        .call(op, body, &|| stop.is_requested(), &mut on_retry)
        .map_err(|e| explain(op, id, e));
    // The embedded sandbox saves its state here: a failure to save is the command's.
    target.finish()?;
    reply
}

/// Add what the user can do next to a failure whose request may have landed.
fn explain(op: Op, custom_id: &str, e: AttemptError) -> anyhow::Error {
    let mut f = e.failure;
    let note = op.spec().maybe_note;
    if e.sent == Sent::Maybe && !note.is_empty() {
        let note = note.replace("{id}", &sanitize(custom_id, 100));
        f.message = format!("{}; {note}", f.message);
    }
    f.into()
}

fn render(op: Op, reply: &Reply, spec: &PersonSpec, s: &Settings) -> Result<Status> {
    let person = reply.body.person.as_ref().expect("checked by the client");
    if s.output == OutputFormat::Json {
        json_result(&reply.raw)?;
    }
    match op.spec().answer {
        AnswerShape::BioPassId => {
            if s.output == OutputFormat::Text {
                // A result is printed whole (only unsafe characters removed): a script
                // capturing it must get the real BioPassID.
                result_line(&clean(person.biopass_id.as_deref().unwrap_or_default()))?;
            }
            Ok(Status::Success)
        }
        AnswerShape::Match => {
            let matched = person.matched == Some(true);
            if s.output == OutputFormat::Text {
                result_line(if matched { "match" } else { "no match" })?;
            }
            if s.verbose > 0 {
                verify_details(reply, spec);
            }
            Ok(if matched {
                Status::Success
            } else {
                Status::NoMatch
            })
        }
        AnswerShape::Object => unreachable!("delete renders itself"),
        AnswerShape::Faces | AnswerShape::Icao | AnswerShape::Liveness | AnswerShape::Nfiq => {
            unreachable!("quality answers are rendered by check --remote")
        }
    }
}

/// `-v` on verify: what matched, for the images that were sent.
fn verify_details(reply: &Reply, spec: &PersonSpec) {
    let Some(d) = reply
        .body
        .person
        .as_ref()
        .and_then(|p| p.match_details.as_ref())
    else {
        diag!("biopass: the API sent no match details");
        return;
    };
    if !spec.faces.is_empty() {
        diag!(
            "biopass: face: {}",
            if d.face_matched {
                "matched"
            } else {
                "not matched"
            }
        );
    }
    for (slot, _) in &spec.fingers {
        let key = format!("Finger-{slot}");
        let ok = !d.non_matched_fingers.contains(&key);
        diag!(
            "biopass: finger {slot} ({}): {}",
            FINGER_NAMES[*slot as usize - 1],
            if ok { "matched" } else { "not matched" }
        );
    }
}

/// `--dry-run`: the request as it would be sent, key and images redacted.
fn dry_run(op: Op, s: &Settings, dest: &Spec, body: serde_json::Value) -> Result<()> {
    let url = format!("{}{}", dest.display_base(), op.path());
    let key_shown = if dest.key.is_some() {
        "[REDACTED]"
    } else {
        "[not set]"
    };
    match s.output {
        OutputFormat::Json => json_result(&json!({
            "dry_run": true,
            "method": op.method(),
            "url": url,
            "headers": {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                KEY_HEADER: key_shown,
            },
            "body": body,
        }))?,
        OutputFormat::Text => {
            let pretty = serde_json::to_string_pretty(&body).expect("plain data");
            result_line(&format!(
                "{} {url}\nContent-Type: application/json\nUser-Agent: {USER_AGENT}\n{KEY_HEADER}: {key_shown}\n\n{pretty}",
                op.method()
            ))?;
        }
    }
    render::note(s.quiet, "dry run: nothing was sent");
    Ok(())
}
