//! `config path`, `config show` and `config init`.

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::{ConfigCommand, GlobalArgs, OutputFormat};
use biopass::error::{Failure, Kind};

use crate::render::{json_result, result_line};
use crate::settings::{self, Settings};

/// The starter file `config init` writes: the documented example.
const TEMPLATE: &str = include_str!("../../config.example.toml");

pub fn run(cmd: &ConfigCommand, g: &GlobalArgs, m: &clap::ArgMatches) -> Result<u8> {
    match cmd {
        ConfigCommand::Path => {
            let (path, _) = settings::config_path(g);
            result_line(&path.display().to_string())?;
            Ok(0)
        }
        ConfigCommand::Show => show(&Settings::resolve(g, m)?),
        ConfigCommand::Init { force } => init(g, *force),
    }
}

fn show(s: &Settings) -> Result<u8> {
    // The key is shown as a command would use it; a key that cannot be read is a
    // problem to show, not a reason to hide every other setting.
    let placeholder = || {
        biopass::secret::ApiKey::new(biopass::sandbox::SANDBOX_KEY)
            .expect("valid placeholder")
            .masked()
    };
    // The embedded sandbox takes only its placeholder: no source is read for it.
    let lookup = match s.endpoint {
        settings::Endpoint::EmbeddedSandbox => None,
        settings::Endpoint::Url(_) => s.key_lookup(),
    };
    let (key_value, key_origin, key_problem) = match lookup {
        None if s.targets_sandbox() => {
            (Some(placeholder()), "sandbox placeholder".to_string(), None)
        }
        None => (None, "none".to_string(), None),
        Some(l) => match l.key {
            Ok(k) => (Some(k.masked()), l.source, None),
            Err(e) => (None, l.source, Some(format!("{e:#}"))),
        },
    };
    match s.output {
        OutputFormat::Json => {
            let mut settings = serde_json::Map::new();
            for (name, value, origin) in &s.origins {
                settings.insert(
                    (*name).into(),
                    json!({"value": value, "source": origin.to_string()}),
                );
            }
            settings.insert(
                "api_key".into(),
                json!({"value": key_value, "source": key_origin, "problem": key_problem}),
            );
            json_result(&json!({
                "config": {"path": s.config_path.display().to_string(), "found": s.config_found},
                "profile": s.profile_name,
                "settings": settings,
            }))?;
        }
        OutputFormat::Text => {
            let mut out = String::new();
            let found = if s.config_found {
                ""
            } else {
                " (not found: using defaults)"
            };
            out.push_str(&format!(
                "{:<16} {}{found}\n",
                "config",
                s.config_path.display()
            ));
            out.push_str(&format!("{:<16} {}\n", "profile", s.profile_name));
            for (name, value, origin) in &s.origins {
                out.push_str(&format!("{name:<16} {value}  ({origin})\n"));
            }
            let shown = match (&key_value, &key_problem) {
                (_, Some(p)) => format!("(problem: {p})"),
                (Some(v), None) => v.clone(),
                (None, None) => "(not set)".into(),
            };
            out.push_str(&format!("{:<16} {shown}  ({key_origin})", "api_key"));
            result_line(&out)?;
        }
    }
    Ok(0)
}

fn init(g: &GlobalArgs, force: bool) -> Result<u8> {
    let (path, _) = settings::config_path(g);
    if path.exists() && !force {
        return Err(Failure::new(
            Kind::Config,
            format!(
                "{} already exists; use --force to overwrite it",
                path.display()
            ),
        )
        .into());
    }
    if let Some(dir) = path.parent() {
        create_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    write_private(&path, TEMPLATE.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    result_line(&path.display().to_string())?;
    let key = path.with_file_name("biopass.key");
    eprintln!(
        "biopass: wrote a starter config. Next: put your API key alone in {} and run: chmod 600 {}",
        key.display(),
        key.display()
    );
    Ok(0)
}

fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Write a file readable by its owner only (mode 0600 from creation, not chmod after).
fn write_private(path: &std::path::Path, data: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(data)?;
    f.sync_all()
}
