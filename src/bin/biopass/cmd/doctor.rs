//! `biopass doctor`: settings and key source here, the network steps from
//! [`biopass::doctor::probe`], one line per step.
//!
//! The report is the result (stdout), whatever it finds; the exit code is the first
//! failed step's (0 all well, 69 unreachable, 77 key rejected, 78 configuration).
//! `-o json` prints one document:
//! `{"ok":bool,"steps":[{"step","status","detail","next"}],"exit_code":N}`.

use anyhow::Result;
use biopass::doctor::{self, NETWORK_STEPS, Step};
use biopass::error::{Kind, Status, failure_of};
use serde_json::json;

use super::target;
use crate::cli::{GlobalArgs, OutputFormat};
use crate::env::BadEnv;
use crate::render::{json_result, result_line};
use crate::settings::{Endpoint, Settings};

pub fn run(
    g: &GlobalArgs,
    m: &clap::ArgMatches,
    bad: &BadEnv,
    format: &mut OutputFormat,
) -> Result<Status> {
    let mut steps = Vec::new();
    let mut rest: Vec<&'static str> = vec!["key"];
    rest.extend(NETWORK_STEPS);
    // Every setting is checked, a bad variable first (its usage error, 2).
    let resolved = bad
        .require(crate::settings::uses::ALL)
        .map_err(anyhow::Error::from)
        .and_then(|()| Settings::resolve(g, m));
    match resolved {
        Err(e) => {
            let kind = failure_of(&e).map_or(Kind::Config, |f| f.kind);
            steps.push(Step::fail(
                "settings",
                kind,
                format!("{e:#}"),
                if kind == Kind::Usage {
                    "fix or unset the environment variable named above"
                } else {
                    "fix the configuration named above (biopass config path shows the file)"
                },
            ));
            doctor::skip_rest(&mut steps, &rest);
        }
        Ok(s) => {
            *format = s.output;
            steps.push(Step::ok("settings", settings_detail(&s)));
            match key_step(&s) {
                Ok((step, key)) => {
                    steps.push(step);
                    let spec = target::spec(&s, Some(key));
                    steps.extend(doctor::probe(&spec));
                }
                Err(step) => {
                    steps.push(step);
                    doctor::skip_rest(&mut steps, &rest);
                }
            }
        }
    }
    let status = doctor::status(&steps);
    render(&steps, crate::exit::of_status(status), *format)?;
    Ok(status)
}

/// Where the settings came from, as `config show` knows it, on one line.
fn settings_detail(s: &Settings) -> String {
    let found = if s.config_found {
        ""
    } else {
        " (not found: defaults)"
    };
    let mut parts = vec![
        format!("config {}{found}", s.config_path.display()),
        format!("profile {}", s.profile_name),
    ];
    for (name, value, origin) in &s.origins {
        if matches!(
            *name,
            "env" | "endpoint" | "ca_cert" | "connect_timeout" | "timeout"
        ) {
            parts.push(format!("{name} {value} ({origin})"));
        }
    }
    parts.join("; ")
}

/// The key a request would carry, and where it came from.
fn key_step(s: &Settings) -> Result<(Step, biopass::secret::ApiKey), Step> {
    let next = "set one: biopass config set-key (reads it from standard input), or BIOPASS_API_KEY";
    if s.endpoint == Endpoint::EmbeddedSandbox {
        let key = target::key_for(s).map_err(|e| fail_key(&e, next))?;
        return Ok((
            Step::ok("key", "the embedded sandbox's placeholder key"),
            key,
        ));
    }
    match s.key_lookup() {
        None if s.targets_sandbox() => {
            let key = target::key_for(s).map_err(|e| fail_key(&e, next))?;
            Ok((Step::ok("key", "the sandbox's placeholder key"), key))
        }
        None => Err(Step::fail(
            "key",
            Kind::Config,
            format!(
                "no API key for profile '{}' (BIOPASS_API_KEY, --api-key-file, the profile's api_key_file \
or api_key)",
                s.profile_name
            ),
            next,
        )),
        Some(l) => match l.key {
            Ok(k) => {
                // A key file that is readable by others is refused when read, so a key
                // from a file here is a private one.
                let private =
                    if l.source.contains("api_key_file") || l.source.contains("--api-key-file") {
                        "; the file is private (mode 0600 or stricter)"
                    } else {
                        ""
                    };
                Ok((
                    Step::ok("key", format!("{} from {}{private}", k.masked(), l.source)),
                    k,
                ))
            }
            Err(e) => Err(fail_key(
                &e,
                "fix the key source named above, or replace the key: biopass config set-key",
            )),
        },
    }
}

fn fail_key(e: &anyhow::Error, next: &str) -> Step {
    Step::fail(
        "key",
        failure_of(e).map_or(Kind::Config, |f| f.kind),
        format!("{e:#}"),
        next,
    )
}

fn render(steps: &[Step], code: u8, format: OutputFormat) -> Result<()> {
    match format {
        OutputFormat::Json => json_result(&json!({
            "ok": code == 0,
            "steps": steps.iter().map(|s| json!({
                "step": s.name,
                "status": s.status.name(),
                "detail": s.detail,
                "next": s.next,
            })).collect::<Vec<_>>(),
            "exit_code": code,
        })),
        OutputFormat::Text => {
            let lines: Vec<String> = steps
                .iter()
                .map(|s| {
                    let next = s
                        .next
                        .as_deref()
                        .map(|n| format!(" -> next: {n}"))
                        .unwrap_or_default();
                    format!("{:<7} {:<8} {}{next}", s.status.name(), s.name, s.detail)
                })
                .collect();
            let verdict = if code == 0 {
                "all well".to_string()
            } else {
                let failed = steps
                    .iter()
                    .filter(|s| s.status == doctor::Status::Fail)
                    .count();
                format!("{failed} step(s) failed (exit {code})")
            };
            result_line(&format!("{}\n{verdict}", lines.join("\n")))
        }
    }
}
