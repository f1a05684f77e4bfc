//! biopass: the command line over the `biopass` library.
//!
//! Parse, run, exit with the code that [`cmd::run`] chose. The modules here are the
//! command-line layer only: clap types (`cli`), settings resolution (`settings`), one
//! file per subcommand (`cmd`) and what people see (`render`). Everything that talks
//! to the service lives in the library.

#[macro_use]
mod render;
mod cli;
mod cmd;
mod config_file;
mod settings;
mod values;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    cmd::install_process_hooks();
    let matches = cli::Cli::command().get_matches();
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    ExitCode::from(cmd::run(&cli, &matches))
}
