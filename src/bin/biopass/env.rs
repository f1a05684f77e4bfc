//! The environment, made plain before clap reads it.
//!
//! Rules (README "Configuration"): an empty `BIOPASS_*` variable is the same as an
//! unset one, everywhere; a flag on the command line always wins over its variable
//! (the variable is then not even read, so a bad value cannot break the command);
//! a bad value in a variable that is used is a usage error (2) naming the variable.
//! Booleans take `1/0`, `true/false`, `yes/no` (and `on/off`), whichever case.

use std::ffi::{OsStr, OsString};

use biopass::error::{Failure, Kind};

/// Apply the rules to the process environment, for the command line `argv` of
/// `cmd`. Must run before any thread starts: it removes variables.
pub fn prepare(cmd: &clap::Command, argv: &[OsString]) -> Result<(), Failure> {
    let empty: Vec<OsString> = std::env::vars_os()
        .filter(|(k, v)| k.to_string_lossy().starts_with("BIOPASS_") && v.is_empty())
        .map(|(k, _)| k)
        .collect();
    for k in empty {
        remove(&k);
    }
    for arg in cmd.get_arguments() {
        let Some(var) = arg.get_env() else { continue };
        if std::env::var_os(var).is_none() {
            continue;
        }
        if given(arg, argv) {
            remove(var);
            continue;
        }
        // clap reads the variable for an argument that is not given: a command of this
        // argument alone, parsed with no arguments, reads it the same way.
        let alone = clap::Command::new("biopass").arg(arg.clone().global(false).required(false));
        if let Err(e) = alone.try_get_matches_from(["biopass"]) {
            return Err(bad(var, &e.render().to_string()));
        }
    }
    Ok(())
}

/// The output format asked for, as far as a command line that did not pass
/// [`prepare`] can be read: the error is then reported in it.
pub fn output_format(argv: &[OsString]) -> crate::cli::OutputFormat {
    use clap::CommandFactory;
    crate::cli::Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(argv)
        .ok()
        .and_then(|m| m.get_one::<crate::cli::OutputFormat>("output").copied())
        .unwrap_or(crate::cli::OutputFormat::Text)
}

/// A usage error for a variable whose value does not parse.
pub fn bad(var: &OsStr, why: &str) -> Failure {
    let why = why.lines().next().unwrap_or_default();
    let why = why.strip_prefix("error: ").unwrap_or(why);
    Failure::new(
        Kind::Usage,
        format!(
            "environment variable {}: {why} (fix or unset it; the command-line option wins over it)",
            var.to_string_lossy()
        ),
    )
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
