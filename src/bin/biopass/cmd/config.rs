//! `config path`, `config show`, `config init` and `config set-key`.
//!
//! Each prints its result on stdout: text, or one JSON document under `-o json`
//! (`path`: `{"path"}`; `init`: `{"path","key_file"}`; `set-key`:
//! `{"key_file","config","profile"}`).

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::{ConfigCommand, GlobalArgs, OutputFormat};
use biopass::error::{Failure, Kind, Status};

use crate::env::BadEnv;
use crate::render::{json_result, result_line};
use crate::settings::{self, Settings, uses};

/// The starter file `config init` writes: the documented example.
const TEMPLATE: &str = include_str!("../../../../config.example.toml");

pub fn run(
    cmd: &ConfigCommand,
    g: &GlobalArgs,
    m: &clap::ArgMatches,
    bad: &BadEnv,
) -> Result<Status> {
    // Every one finds the config file; `show` shows a bad value of any other
    // setting, the others print in the output format.
    bad.require(&[uses::FILE])?;
    if !matches!(cmd, ConfigCommand::Show) {
        bad.require(&[uses::OUTPUT])?;
    }
    match cmd {
        ConfigCommand::Path => {
            let (path, _) = crate::config_file::config_path(g);
            match output(g, m) {
                OutputFormat::Json => json_result(&json!({"path": path.display().to_string()}))?,
                OutputFormat::Text => result_line(&path.display().to_string())?,
            }
            Ok(Status::Success)
        }
        ConfigCommand::Show => show(&Settings::resolve_for_show(g, m)?, bad),
        ConfigCommand::Init { force } => init(g, *force, output(g, m)),
        ConfigCommand::SetKey => set_key(g, output(g, m)),
    }
}

/// The output format of a command that must work with a broken or missing config
/// file (to find it, replace it, or fix its key): the resolved one when the config
/// can be read, else the flag's or environment's.
fn output(g: &GlobalArgs, m: &clap::ArgMatches) -> OutputFormat {
    Settings::resolve(g, m)
        .map(|s| s.output)
        .unwrap_or_else(|_| g.output.unwrap_or(OutputFormat::Text))
}

fn show(s: &Settings, bad: &BadEnv) -> Result<Status> {
    // A variable that does not parse is shown as it is, with its problem: the
    // commands that use it refuse it (2), this one names it. The value shown is
    // the variable's, with the rest of the row.
    let rows: Vec<(&str, String, String, Option<String>)> = s
        .origins
        .iter()
        .map(|(name, value, origin)| match bad.get(name) {
            Some(b) => {
                diag!(
                    "biopass: warning: environment variable {}: {} (the commands that use it refuse it until then)",
                    b.var,
                    b.why
                );
                let problem = format!("{}: fix or unset {}", b.why, b.var);
                (*name, b.value.clone(), format!("env {}", b.var), Some(problem))
            }
            None => (*name, value.clone(), origin.to_string(), None),
        })
        .collect();
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
        // A key from a config file others can read: not shown, even masked.
        Some(l) if l.source.starts_with("profile api_key (") && s.config_problem.is_some() => {
            (None, l.source, s.config_problem.clone())
        }
        Some(l) => match l.key {
            Ok(k) => (Some(k.masked()), l.source, None),
            Err(e) => (None, l.source, Some(format!("{e:#}"))),
        },
    };
    if let Some(p) = &s.config_problem {
        // Every other command refuses this file: say so, whatever the format.
        diag!("biopass: warning: {p} (other commands refuse it until then)");
    }
    match s.output {
        OutputFormat::Json => {
            let mut settings = serde_json::Map::new();
            for (name, value, origin, problem) in &rows {
                let mut entry = json!({"value": value, "source": origin});
                if let Some(p) = problem {
                    entry["problem"] = json!(p);
                }
                settings.insert((*name).into(), entry);
            }
            settings.insert(
                "api_key".into(),
                json!({"value": key_value, "source": key_origin, "problem": key_problem}),
            );
            json_result(&json!({
                "config": {
                    "path": s.config_path.display().to_string(),
                    "found": s.config_found,
                    "problem": s.config_problem,
                },
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
            if let Some(p) = &s.config_problem {
                out.push_str(&format!("{:<16} {p}\n", "problem"));
            }
            out.push_str(&format!("{:<16} {}\n", "profile", s.profile_name));
            for (name, value, origin, problem) in &rows {
                match problem {
                    Some(p) => {
                        out.push_str(&format!("{name:<16} {value}  ({origin}; problem: {p})\n"))
                    }
                    None => out.push_str(&format!("{name:<16} {value}  ({origin})\n")),
                }
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
    Ok(Status::Success)
}

fn init(g: &GlobalArgs, force: bool, format: OutputFormat) -> Result<Status> {
    let (path, _) = crate::config_file::config_path(g);
    // symlink_metadata: a dangling link counts as existing (it is not followed).
    if std::fs::symlink_metadata(&path).is_ok() && !force {
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
    // A temporary file renamed into place: a link at `path` is replaced, never
    // written through.
    biopass::secret::write_private(&path, TEMPLATE.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    let key = path.with_file_name("biopass.key");
    match format {
        OutputFormat::Json => json_result(&json!({
            "path": path.display().to_string(),
            "key_file": key.display().to_string(),
        }))?,
        OutputFormat::Text => result_line(&path.display().to_string())?,
    }
    diag!(
        "biopass: wrote a starter config. Next: store your API key with: biopass config set-key \
(it reads the key from standard input and writes {})",
        key.display()
    );
    Ok(Status::Success)
}

fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// `config set-key`: the key from standard input into a private file beside the
/// config file, and the profile's `api_key_file` pointed at it. Everything is checked
/// (the config file, the profile name, the key) before anything is written.
fn set_key(g: &GlobalArgs, format: OutputFormat) -> Result<Status> {
    let (named, _) = crate::config_file::config_path(g);
    // A symlinked config (a dotfiles manager's) is edited where it really lives; the
    // rename below would otherwise replace the link with a file. The key file goes
    // beside the path the user named, where a relative api_key_file is read from,
    // never beside the link's target (say, inside a dotfiles repository).
    let path = std::fs::canonicalize(&named).unwrap_or_else(|_| named.clone());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => {
            // The same checks as any command (size, syntax, a key inline => private).
            crate::config_file::load_config(&path, true)?;
            t
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(config_err(format!(
                "cannot read config file {}: {e}",
                path.display()
            )));
        }
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|_| config_err(format!("config file {} is not valid TOML", path.display())))?;
    let profile = g
        .profile
        .clone()
        .or_else(|| {
            doc.get("default_profile")
                .and_then(|v| v.as_str())
                .map(String::from)
        })
        .unwrap_or_else(|| "default".into());
    let file_name = key_file_name(&profile)?;
    let key_path = named.with_file_name(&file_name);
    let earlier = point_profile_at(&mut doc, &profile, &file_name)?;
    let edited = doc.to_string();
    // The edit must mean what it says, however unusual the file's layout.
    let reread = toml_edit::de::from_str::<crate::config_file::ConfigFile>(&edited).ok();
    let pointed = reread
        .as_ref()
        .and_then(|c| c.profiles.get(&profile))
        .and_then(|p| p.api_key_file.as_deref())
        .is_some_and(|f| f == std::path::Path::new(&file_name));
    if !pointed {
        return Err(config_err(format!(
            "cannot set api_key_file in profile '{profile}' of {}: set it by hand",
            path.display()
        )));
    }

    let key = read_key()?;

    for dir in [path.parent(), key_path.parent()].into_iter().flatten() {
        create_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    key.save(&key_path)
        .map_err(|e| Failure::new(Kind::Io, format!("writing {}: {e}", key_path.display())))?;
    biopass::secret::write_private(&path, edited.as_bytes())
        .map_err(|e| Failure::new(Kind::Io, format!("writing {}: {e}", path.display())))?;

    match format {
        OutputFormat::Json => json_result(&json!({
            "key_file": key_path.display().to_string(),
            "config": path.display().to_string(),
            "profile": profile,
        }))?,
        OutputFormat::Text => result_line(&key_path.display().to_string())?,
    }
    if !g.quiet {
        diag!(
            "biopass: profile '{profile}' of {} now reads its key from {file_name}",
            path.display()
        );
        match earlier {
            Earlier::File(f) if f != file_name => {
                diag!("biopass: it pointed at {f} before; that file was left as it was")
            }
            Earlier::InlineKey => diag!(
                "biopass: the profile's inline api_key was removed (the key file replaces it)"
            ),
            _ => {}
        }
        if std::env::var_os(settings::KEY_ENV).is_some() {
            diag!(
                "biopass: note: {} is set in this environment and takes precedence over the key file",
                settings::KEY_ENV
            );
        }
    }
    Ok(Status::Success)
}

fn config_err(msg: String) -> anyhow::Error {
    Failure::new(Kind::Config, msg).into()
}

/// The key file of a profile: `biopass.key` for `default` (as the starter config
/// says), `NAME.key` for others.
fn key_file_name(profile: &str) -> Result<String> {
    if profile == "default" {
        return Ok("biopass.key".into());
    }
    let usable = !profile.is_empty()
        && profile.len() <= 64
        && profile
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !usable {
        return Err(config_err(format!(
            "profile name '{}' cannot name a key file (letters, digits, - and _ only): \
write the key file yourself and set api_key_file",
            biopass::sanitize::sanitize(profile, 64)
        )));
    }
    Ok(format!("{profile}.key"))
}

/// What the profile held before `set-key`.
enum Earlier {
    Nothing,
    File(String),
    InlineKey,
}

/// Set `profiles.NAME.api_key_file` in the document, keeping every comment and the
/// layout (toml_edit); an inline `api_key` goes, as the file replaces it.
fn point_profile_at(
    doc: &mut toml_edit::DocumentMut,
    profile: &str,
    file: &str,
) -> Result<Earlier> {
    use toml_edit::{Item, Table, Value};
    let not_table = |what: &str| config_err(format!("'{what}' in the config file is not a table"));
    let root = doc.as_table_mut();
    if !root.contains_key("profiles") {
        let mut t = Table::new();
        t.set_implicit(true);
        root.insert("profiles", Item::Table(t));
    }
    let inline = root.get("profiles").is_some_and(Item::is_inline_table);
    let profiles = root
        .get_mut("profiles")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| not_table("profiles"))?;
    if profiles.get(profile).is_none() {
        // `profiles = { ... }` written inline takes an inline table; else `[profiles.NAME]`.
        let new = if inline {
            Item::Value(Value::InlineTable(toml_edit::InlineTable::new()))
        } else {
            Item::Table(Table::new())
        };
        profiles.insert(profile, new);
    }
    let p = profiles
        .get_mut(profile)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| not_table(&format!("profiles.{profile}")))?;
    let mut earlier = Earlier::Nothing;
    let mut value = Value::from(file);
    if let Some(old) = p.get("api_key_file").and_then(Item::as_value) {
        if let Some(s) = old.as_str() {
            earlier = Earlier::File(s.to_string());
        }
        *value.decor_mut() = old.decor().clone();
    }
    p.insert("api_key_file", Item::Value(value));
    if p.remove("api_key").is_some() {
        earlier = Earlier::InlineKey;
    }
    Ok(earlier)
}

/// The key from standard input: read plainly from a pipe or file (no prompt: a
/// script is feeding it); from a terminal, one line typed without echo after a
/// prompt on stderr. Never from the command line, where `ps` and the shell history
/// would keep it.
fn read_key() -> Result<biopass::secret::ApiKey> {
    use std::io::IsTerminal;
    let what = "standard input";
    let key = if std::io::stdin().is_terminal() {
        read_hidden(what)
    } else {
        biopass::secret::ApiKey::read(std::io::stdin().lock(), what)
    };
    key.map_err(config_err)
}

#[cfg(unix)]
fn read_hidden(what: &str) -> Result<biopass::secret::ApiKey, String> {
    use std::io::{BufRead, Read};
    let cannot = |e: std::io::Error| format!("cannot read the API key from {what}: {e}");
    // SAFETY: termios is plain data; tcgetattr fills it or fails.
    let mut old: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(0, &mut old) } != 0 {
        return Err(cannot(std::io::Error::last_os_error()));
    }
    let mut quiet = old;
    quiet.c_lflag &= !libc::ECHO;
    quiet.c_lflag |= libc::ECHONL;
    /// Echo comes back however this function ends.
    struct Restore(libc::termios);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: restoring settings read from the same descriptor.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, &self.0) };
        }
    }
    // Ctrl-C at the prompt must not leave the terminal without echo.
    super::watch_signals(move |_| {
        // SAFETY: as above.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &old) };
        diag!("");
        Some(Status::Problem(Kind::Interrupted))
    });
    // Echo goes off before the prompt shows, so nothing typed after it is echoed.
    // SAFETY: `quiet` is a copy of valid settings with two flags changed.
    if unsafe { libc::tcsetattr(0, libc::TCSAFLUSH, &quiet) } != 0 {
        return Err(cannot(std::io::Error::last_os_error()));
    }
    let _restore = Restore(old);
    eprint!("API key (input hidden): ");
    let _ = std::io::stderr().flush();
    let mut line = Vec::new();
    std::io::stdin()
        .lock()
        .take(biopass::secret::MAX_KEY_BYTES + 1)
        .read_until(b'\n', &mut line)
        .map_err(cannot)?;
    biopass::secret::ApiKey::from_bytes(line, what)
}

#[cfg(not(unix))]
fn read_hidden(what: &str) -> Result<biopass::secret::ApiKey, String> {
    biopass::secret::ApiKey::read(std::io::stdin().lock(), what)
}
