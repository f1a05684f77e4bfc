//! The command line, as clap types only: no I/O, no defaults that depend on the
//! machine. `settings/` turns these into a resolved [`crate::settings::Settings`];
//! nothing downstream reads clap types.
//!
//! This file holds the top level (`biopass` and its commands); each group of
//! commands declares its own arguments and examples in a file of its own:
//! `global.rs` (the options every command takes), `person.rs` (enroll, update,
//! verify, delete), `batch.rs` (their `--from` options, and `report`),
//! `manifest.rs` (manifest options shared with `check`), `check.rs`, `sandbox.rs`
//! and `config.rs`.

use clap::{Parser, Subcommand};

use crate::exit::EXIT_CODES_HELP;
use biopass::request::Op;

mod batch;
mod check;
mod config;
mod global;
mod manifest;
mod person;
mod sandbox;

use batch::REPORT_EXAMPLES;
pub use batch::{BatchArgs, ReportArgs, parse_progress_interval};
use check::CHECK_EXAMPLES;
pub use check::CheckArgs;
use config::CONFIG_EXAMPLES;
pub use config::ConfigCommand;
pub use global::{EnvName, GlobalArgs, OutputFormat};
use person::{DELETE_EXAMPLES, ENROLL_EXAMPLES, UPDATE_EXAMPLES, VERIFY_EXAMPLES};
pub use person::{DeleteArgs, WriteArgs};
use sandbox::SANDBOX_EXAMPLES;
pub use sandbox::{SandboxCommand, ServeArgs};

const AFTER_HELP: &str = "The API key is read, in order, from: the BIOPASS_API_KEY environment variable, \
--api-key-file, the profile's api_key_file, the profile's api_key. \
It is never taken from the command line.\n\n";

/// The end of `-h` (short help): where the rest is.
const AFTER_SHORT_HELP: &str = "--help shows more: the global options (--env, --profile, -o, ...) and examples; \
'biopass --help' also the API key sources and the exit codes.";

/// `--version`: the commit (from build.rs, when built from git), target and TLS stack.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("BIOPASS_COMMIT"),
    "\ntarget: ",
    env!("BIOPASS_TARGET"),
    "\ntls: rustls (ring), OS trust store and webpki roots"
);

// Examples for each command's `--help` (README "Usage by task"), one constant per
// command: a new command adds its own beside these.
const TOP_EXAMPLES: &str = "Examples:
  # Try it against the sandbox built into the binary; prints a BioPassID
  biopass --env sandbox enroll --id 1234 --face face.jpg
  # Enroll, then verify (exit 0 on a match, 1 on none)
  biopass enroll --id 1234 --face face.jpg --finger right-index=ri.png
  biopass verify --id 1234 --face probe.jpg
  # Everyone in a manifest, resumable
  biopass enroll --from people.csv --jobs 8

";
const COMPLETIONS_EXAMPLES: &str = "Examples:
  mkdir -p ~/.local/share/bash-completion/completions
  biopass completions bash > ~/.local/share/bash-completion/completions/biopass
  mkdir -p ~/.config/fish/completions
  biopass completions fish > ~/.config/fish/completions/biopass.fish";

const DOCTOR_EXAMPLES: &str = "Examples:
  # Before a big run: settings, key, DNS, connect, TLS, and that the key is accepted
  biopass doctor
  biopass --env hml -o json doctor
  biopass --env sandbox doctor";

const MAN_EXAMPLES: &str = "Examples:
  biopass man | man -l -
  mkdir -p ~/.local/share/man/man1
  biopass man > ~/.local/share/man/man1/biopass.1";

#[derive(Debug, Parser)]
#[command(
    name = "biopass",
    version,
    long_version = LONG_VERSION,
    about = "Enroll, update, verify and delete people in the BioPassID Multibiometrics API",
    after_help = AFTER_SHORT_HELP,
    after_long_help = format!("{TOP_EXAMPLES}{AFTER_HELP}{EXIT_CODES_HELP}"),
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Enroll a person (prints the BioPassID), or many with --from
    #[command(
        name = Op::Enroll.name(),
        override_usage = person_usage(Op::Enroll),
        after_long_help = ENROLL_EXAMPLES,
        // Refused by this command (cmd::dispatch says why): not offered in its help.
        mut_arg("accept_changed", |a| a.hide(true))
    )]
    Enroll(WriteArgs),
    /// Replace a person's images (prints the BioPassID), or many with --from
    #[command(
        name = Op::Update.name(),
        override_usage = person_usage(Op::Update),
        after_long_help = UPDATE_EXAMPLES,
        // Refused by this command (cmd::dispatch says why): not offered in its help.
        mut_arg("skip_existing", |a| a.hide(true))
    )]
    Update(WriteArgs),
    /// Verify a person 1:1; prints "match" (exit 0) or "no match" (exit 1), or many with --from
    #[command(
        name = Op::Verify.name(),
        override_usage = person_usage(Op::Verify),
        after_long_help = VERIFY_EXAMPLES,
        // Refused by this command (cmd::dispatch says why): not offered in its help.
        mut_arg("skip_existing", |a| a.hide(true))
    )]
    Verify(WriteArgs),
    /// Delete a person (prints the CustomID), or many with --from
    #[command(
        name = Op::Delete.name(),
        override_usage = person_usage(Op::Delete),
        after_long_help = DELETE_EXAMPLES,
        mut_arg("skip_existing", |a| a.hide(true))
    )]
    Delete(DeleteArgs),
    /// Run the local BioPassID emulator, or inspect and reset the embedded one
    #[command(subcommand, after_long_help = SANDBOX_EXAMPLES)]
    Sandbox(SandboxCommand),
    /// Inspect or create the configuration file
    #[command(subcommand, after_long_help = CONFIG_EXAMPLES)]
    Config(ConfigCommand),
    /// List every row a batch journal knows, across all runs, with how it ended
    #[command(after_long_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Check images before sending (format, size, orientation, metadata); sends nothing
    #[command(
        override_usage = "biopass check [OPTIONS] (<FILE>... | --from <MANIFEST>)",
        after_long_help = CHECK_EXAMPLES
    )]
    Check(CheckArgs),
    /// Check settings, key, DNS, connection, TLS and that the key is accepted; enrolls nobody
    #[command(after_long_help = DOCTOR_EXAMPLES)]
    Doctor,
    /// Print a shell completion script
    #[command(after_long_help = COMPLETIONS_EXAMPLES)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for a man folder or `man -l -`
    #[command(after_long_help = MAN_EXAMPLES)]
    Man,
}

/// The usage line of a person command: one person by `--id`, or a manifest.
fn person_usage(op: Op) -> String {
    format!(
        "biopass {} [OPTIONS] (--id <ID> | --from <MANIFEST>)",
        op.name()
    )
}

impl Command {
    /// The operation a person command sends. The person commands are named by the
    /// operation table ([`biopass::request::OPS`]), so their names, and the shell
    /// completions generated from them, are the table's.
    pub fn op(&self) -> Option<Op> {
        match self {
            Command::Enroll(_) => Some(Op::Enroll),
            Command::Update(_) => Some(Op::Update),
            Command::Verify(_) => Some(Op::Verify),
            Command::Delete(_) => Some(Op::Delete),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn there_is_no_api_key_option() {
        let e =
            Cli::try_parse_from(["biopass", "--api-key", "x", "delete", "--id", "1"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::UnknownArgument);
    }

    #[test]
    fn the_person_commands_are_the_tables_person_operations() {
        // Every operation with a CustomID is a command of its name (the quality
        // operations, which have none, are asked by `check --remote`), and each
        // command parses to the operation it is named after.
        let cli = Cli::command();
        for spec in biopass::request::OPS.iter().filter(|s| s.custom_id) {
            let mut sub = cli
                .find_subcommand(spec.name)
                .unwrap_or_else(|| panic!("no command for {}", spec.name))
                .clone();
            let usage = sub.render_usage().to_string();
            assert!(
                usage.contains(&format!("biopass {} ", spec.name)),
                "{usage}"
            );
            let parsed = Cli::try_parse_from(["biopass", spec.name, "--id", "1", "--face", "f"])
                .or_else(|_| Cli::try_parse_from(["biopass", spec.name, "--id", "1"]))
                .unwrap();
            assert_eq!(parsed.command.op(), Some(spec.op), "{}", spec.name);
        }
        let person_commands = cli
            .get_subcommands()
            .filter(|c| Op::from_name(c.get_name()).is_some())
            .count();
        assert_eq!(
            person_commands,
            biopass::request::OPS.iter().filter(|s| s.custom_id).count()
        );
    }
}
