//! `enroll`, `update`, `verify` and `delete` for one person.

use anyhow::Result;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::client::{AttemptError, KEY_HEADER, MAX_ATTEMPTS, Reply, Sent, USER_AGENT};
use crate::cmd::target::{self, Target};
use crate::error::{Failure, Kind, NO_MATCH};
use crate::output::{self, json_line, stdout_line};
use crate::request::{self, FINGER_NAMES, Op, PersonSpec};
use crate::settings::Settings;

/// enroll, update or verify.
pub fn run(
    op: Op,
    id: &str,
    faces: &[String],
    fingers: &[(u8, String)],
    s: &Settings,
) -> Result<u8> {
    let spec = PersonSpec::new(id, faces, fingers)?;
    if spec.reads_stdin() && s.key_from_stdin() {
        return Err(Failure::new(
            Kind::Usage,
            "standard input cannot hold both an image and the API key",
        )
        .into());
    }
    let key = if s.dry_run {
        target::key_for(s).ok()
    } else {
        Some(target::key_for(s)?)
    };
    let person = spec.load(s.max_image_bytes)?;
    if s.dry_run {
        dry_run(op, s, key.is_some(), person.redacted());
        return Ok(0);
    }
    let body = person.body();
    drop(person); // the body holds the only copy we still need
    let target = Target::open(s, key.as_ref().expect("resolved above"))?;
    let reply = target
        .client
        .call(op, body, &mut |e, wait, next| {
            retrying(s.quiet, e, wait, next)
        })
        .map_err(|e| explain(op, &spec, e));
    target.finish()?;
    render(op, &reply?, &spec, s)
}

/// delete.
pub fn delete(id: &str, s: &Settings) -> Result<u8> {
    let body = request::delete_body(id)?;
    let key = if s.dry_run {
        target::key_for(s).ok()
    } else {
        Some(target::key_for(s)?)
    };
    if s.dry_run {
        let shown: serde_json::Value = serde_json::from_slice(&body)?;
        dry_run(Op::Delete, s, key.is_some(), shown);
        return Ok(0);
    }
    let target = Target::open(s, key.as_ref().expect("resolved above"))?;
    let reply = target
        .client
        .call(Op::Delete, body, &mut |e, wait, next| {
            retrying(s.quiet, e, wait, next)
        })
        .map_err(|e| e.failure);
    target.finish()?;
    let reply = reply?;
    match s.output {
        OutputFormat::Json => json_line(&reply.raw),
        OutputFormat::Text => {
            let id = reply
                .body
                .person
                .as_ref()
                .and_then(|p| p.custom_id.clone())
                .unwrap_or_else(|| id.to_string());
            stdout_line(&output::sanitize(&id, 500));
        }
    }
    Ok(0)
}

/// Announce a retry (the client prints nothing itself).
fn retrying(quiet: bool, e: &AttemptError, wait: std::time::Duration, next: u32) {
    if !quiet {
        eprintln!(
            "biopass: {}; retrying in {:.1}s (attempt {next} of {MAX_ATTEMPTS})",
            e.failure.message,
            wait.as_secs_f64(),
        );
    }
}

/// Add what the user can do next to a failure whose request may have landed.
fn explain(op: Op, spec: &PersonSpec, e: AttemptError) -> Failure {
    let mut f = e.failure;
    if e.sent == Sent::Maybe && op == Op::Enroll {
        f.message = format!(
            "{}; the person may have been enrolled: check with `biopass verify --id {} ...` with the same \
images (or run the enroll again: \"already exists\" then means this attempt landed)",
            f.message,
            output::sanitize(&spec.custom_id, 100)
        );
    }
    f
}

fn render(op: Op, reply: &Reply, spec: &PersonSpec, s: &Settings) -> Result<u8> {
    let person = reply.body.person.as_ref().expect("checked by the client");
    if s.output == OutputFormat::Json {
        json_line(&reply.raw);
    }
    match op {
        Op::Enroll | Op::Update => {
            if s.output == OutputFormat::Text {
                stdout_line(&output::sanitize(
                    person.biopass_id.as_deref().unwrap_or_default(),
                    200,
                ));
            }
            Ok(0)
        }
        Op::Verify => {
            let matched = person.matched == Some(true);
            if s.output == OutputFormat::Text {
                stdout_line(if matched { "match" } else { "no match" });
            }
            if s.verbose > 0 {
                verify_details(reply, spec);
            }
            Ok(if matched { 0 } else { NO_MATCH })
        }
        Op::Delete => unreachable!("delete renders itself"),
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
        eprintln!("biopass: the API sent no match details");
        return;
    };
    if !spec.faces.is_empty() {
        eprintln!(
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
        eprintln!(
            "biopass: finger {slot} ({}): {}",
            FINGER_NAMES[*slot as usize - 1],
            if ok { "matched" } else { "not matched" }
        );
    }
}

/// `--dry-run`: the request as it would be sent, key and images redacted.
fn dry_run(op: Op, s: &Settings, has_key: bool, body: serde_json::Value) {
    let url = format!("{}{}", target::display_base(s), op.path());
    let key_shown = if has_key { "[REDACTED]" } else { "[not set]" };
    match s.output {
        OutputFormat::Json => json_line(&json!({
            "dry_run": true,
            "method": op.method(),
            "url": url,
            "headers": {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                KEY_HEADER: key_shown,
            },
            "body": body,
        })),
        OutputFormat::Text => {
            let pretty = serde_json::to_string_pretty(&body).expect("plain data");
            stdout_line(&format!(
                "{} {url}\nContent-Type: application/json\nUser-Agent: {USER_AGENT}\n{KEY_HEADER}: {key_shown}\n\n{pretty}",
                op.method()
            ));
        }
    }
    output::note(s.quiet, "dry run: nothing was sent");
}
