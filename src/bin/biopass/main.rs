//! biopass: the command line over the `biopass` library.
//!
//! Parse, run, exit with the code that [`exit::code`] chose. The modules here are the
//! command-line layer only: clap types (`cli`), settings resolution (`settings`), one
//! file per subcommand (`cmd`), what people see (`render`) and the exit-code table
//! (`exit`). Everything that talks to the service lives in the library.

#[macro_use]
mod render;
mod cli;
mod cmd;
mod config_file;
mod env;
mod exit;
mod settings;
mod values;

use clap::{CommandFactory, FromArgMatches};

fn main() {
    cmd::install_process_hooks();
    let argv: Vec<_> = std::env::args_os().collect();
    // Bad values are set aside, for the commands that use them to refuse.
    let bad = env::prepare(&cli::Cli::command(), &argv);
    // Built again: clap reads the variables when the command is built, and
    // `env::prepare` has just removed some.
    let matches = match cli::Cli::command().try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) => clap_exit(e),
    };
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => clap_exit(e),
    };
    exit(cmd::run(&cli, &matches, &bad))
}

/// `--help`, `--version` and usage errors: clap's text, clap's code (0 or 2).
fn clap_exit(e: clap::Error) -> ! {
    let _ = e.print();
    exit(u8::try_from(e.exit_code()).unwrap_or(2))
}

/// The one place the process ends: after the command (with [`exit::code`]'s
/// choice), from the panic hook (70) and at a second Ctrl-C (130). Buffered output
/// is flushed on the way out.
pub fn exit(code: u8) -> ! {
    std::process::exit(code.into())
}
