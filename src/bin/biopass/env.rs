//! The environment, made plain before clap reads it.
//!
//! Rules (README "Configuration"): an empty `BIOPASS_*` variable is the same as an
//! unset one, everywhere; a flag on the command line always wins over its variable
//! (the variable is then not even read, so a bad value cannot break the command);
//! a bad value in a variable that is used is a usage error (2) naming the variable.
//! Booleans take `1/0`, `true/false`, `yes/no` (and `on/off`), whichever case.

use std::ffi::{OsStr, OsString};

use biopass::error::{Failure, Kind};

/// A `BIOPASS_*` variable whose value does not parse, set aside by [`prepare`]: it is
/// an error only for a command that uses it ([`BadEnv::require`]).
#[derive(Debug)]
pub struct BadVar {
    /// The id of the argument it is the variable of (`timeout`), as in
    /// [`crate::settings::Settings::origins`].
    pub id: String,
    pub var: String,
    /// The value, as text (lossy), for `config show`.
    pub value: String,
    /// Why it does not parse, on one line.
    pub why: String,
}

impl BadVar {
    /// The usage error (2) a command that uses it reports.
    pub fn failure(&self) -> Failure {
        Failure::new(
            Kind::Usage,
            format!(
                "environment variable {}: {} (fix or unset it; the command-line option wins over it)",
                self.var, self.why
            ),
        )
    }
}

/// The variables [`prepare`] set aside.
#[derive(Debug, Default)]
pub struct BadEnv(Vec<BadVar>);

impl BadEnv {
    /// A usage error naming the first bad variable of the arguments `ids`, which a
    /// command is about to use.
    pub fn require(&self, ids: &[&[&str]]) -> Result<(), Failure> {
        match self
            .0
            .iter()
            .find(|b| ids.iter().any(|group| group.contains(&b.id.as_str())))
        {
            Some(b) => Err(b.failure()),
            None => Ok(()),
        }
    }

    /// The bad variable of argument `id`, if any.
    pub fn get(&self, id: &str) -> Option<&BadVar> {
        self.0.iter().find(|b| b.id == id)
    }
}

/// Apply the rules to the process environment, for the command line `argv` of
/// `cmd`. Must run before any thread starts: it removes variables.
///
/// A variable whose value does not parse is removed too (so that clap, which reads
/// every global option's variable, cannot fail on it for a command that never uses
/// it: `--version`, `man`, `check` without `--remote` and its `BIOPASS_TIMEOUT`) and
/// returned, for the commands that use it to refuse ([`BadEnv::require`]).
pub fn prepare(cmd: &clap::Command, argv: &[OsString]) -> BadEnv {
    let empty: Vec<OsString> = std::env::vars_os()
        .filter(|(k, v)| k.to_string_lossy().starts_with("BIOPASS_") && v.is_empty())
        .map(|(k, _)| k)
        .collect();
    for k in empty {
        remove(&k);
    }
    let mut bad = BadEnv::default();
    for arg in cmd.get_arguments() {
        let Some(var) = arg.get_env() else { continue };
        let Some(value) = std::env::var_os(var) else {
            continue;
        };
        if given(arg, argv) {
            remove(var);
            continue;
        }
        // clap reads the variable for an argument that is not given: a command of this
        // argument alone, parsed with no arguments, reads it the same way.
        let alone = clap::Command::new("biopass").arg(arg.clone().global(false).required(false));
        let why = match alone.try_get_matches_from(["biopass"]) {
            Err(e) => Some(one_line(&e.render().to_string())),
            // A malformed URL is a bad value like any other (the flag's is a
            // configuration error, 78). Plain http to another host is well formed:
            // refused by policy (78) when it is used, naming the variable.
            Ok(_) if arg.get_id() == "endpoint" => {
                let url = value.to_string_lossy();
                biopass::client::check_endpoint_form(url.trim_end_matches('/'))
                    .err()
                    .map(|f| f.message)
            }
            Ok(_) => None,
        };
        if let Some(why) = why {
            bad.0.push(BadVar {
                id: arg.get_id().to_string(),
                var: var.to_string_lossy().into_owned(),
                value: value.to_string_lossy().into_owned(),
                why,
            });
            remove(var);
        }
    }
    bad
}

/// clap's error text, on one line, without its `error: ` prefix.
fn one_line(why: &str) -> String {
    let why = why.lines().next().unwrap_or_default();
    why.strip_prefix("error: ").unwrap_or(why).to_string()
}

/// A usage error for a variable whose value does not parse.
pub fn bad(var: &OsStr, why: &str) -> Failure {
    BadVar {
        id: String::new(),
        var: var.to_string_lossy().into_owned(),
        value: String::new(),
        why: one_line(why),
    }
    .failure()
}

/// Whether the command line gives `arg` itself (`--name`, `--name=V`, `-o`, `-oV`,
/// `-qo`) or its negation (`--no-name`, as `--no-face-check` is to the hidden
/// `--face-check` that carries `BIOPASS_FACE_CHECK`), before any `--`.
fn given(arg: &clap::Arg, argv: &[OsString]) -> bool {
    let long = arg.get_long();
    let short = arg.get_short();
    argv.iter()
        .skip(1)
        .map(|a| a.to_string_lossy())
        .take_while(|a| a != "--")
        .any(|a| {
            if let Some(rest) = a.strip_prefix("--") {
                return long.is_some_and(|l| {
                    rest == l
                        || rest.starts_with(&format!("{l}="))
                        || rest.strip_prefix("no-") == Some(l)
                });
            }
            match (a.strip_prefix('-'), short) {
                // A cluster of short flags that take no value, then this one.
                (Some(rest), Some(s)) => {
                    rest.chars()
                        .take_while(|c| *c != s)
                        .all(|c| c == 'q' || c == 'v')
                        && rest.contains(s)
                }
                _ => false,
            }
        })
}

fn remove(var: &OsStr) {
    // SAFETY: called from main before any thread is started; nothing else reads or
    // writes the environment concurrently.
    unsafe { std::env::remove_var(var) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn a_flag_is_found_in_its_spellings() {
        let cmd = crate::cli::Cli::command();
        let arg = |id: &str| cmd.get_arguments().find(|a| a.get_id() == id).unwrap();
        let argv = |s: &[&str]| -> Vec<OsString> {
            std::iter::once("biopass")
                .chain(s.iter().copied())
                .map(Into::into)
                .collect()
        };
        assert!(given(arg("env"), &argv(&["--env", "hml", "delete"])));
        assert!(given(arg("env"), &argv(&["delete", "--env=hml"])));
        assert!(!given(arg("env"), &argv(&["delete", "--endpoint", "x"])));
        assert!(!given(arg("env"), &argv(&["delete", "--", "--env"])));
        assert!(given(arg("output"), &argv(&["-o", "json", "delete"])));
        assert!(given(arg("output"), &argv(&["-qojson", "delete"])));
        assert!(!given(arg("output"), &argv(&["delete", "-v"])));
        // A negation gives its flag: --no-face-check wins over BIOPASS_FACE_CHECK.
        assert!(given(
            arg("face_check"),
            &argv(&["--no-face-check", "check", "f"])
        ));
        assert!(!given(arg("face_check"), &argv(&["check", "f"])));
    }
}
