//! One module per subcommand; each takes resolved settings and returns an exit status.
//!
//! [`run`] is the one place that turns a command's result into the process's exit
//! code: `Ok(code)` from the command, or the code [`biopass::error::exit_code`] maps
//! its error to, after [`render::report_error`] has reported it once.

pub mod batch;
pub mod check;
pub mod completions;
pub mod config;
pub mod doctor;
pub mod person;
pub mod report;
pub mod sandbox;
pub mod target;

use std::io::Write;
use std::sync::Arc;

use anyhow::Result;
use biopass::error::{self, Failure, Kind};
use biopass::request::Op;
use biopass::stop::Stop;

use crate::cli::{Cli, Command, OutputFormat, SandboxCommand};
use crate::render;
use crate::settings::Settings;

/// Process-wide setup, before any thread starts.
pub fn install_process_hooks() {
    // A panic is a bug: say so, and exit with the documented internal-error code
    // rather than Rust's 101.
    std::panic::set_hook(Box::new(|info| {
        // Not eprintln!: it panics when stderr is closed, and a panic in the panic
        // hook aborts.
        let _ = writeln!(
            std::io::stderr(),
            "biopass: internal error (this is a bug; please report it): {info}"
        );
        std::process::exit(Kind::Internal.exit_code() as i32);
    }));
    // A file-size limit (ulimit -f) must fail a write with EFBIG, which we report
    // (a batch journal that cannot grow stops the run with 74), rather than kill the
    // process with SIGXFSZ halfway through a record.
    #[cfg(unix)]
    // SAFETY: setting a signal to SIG_IGN before any thread starts has no data races.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Run the command; return the exit code.
pub fn run(cli: &Cli, m: &clap::ArgMatches) -> u8 {
    // Until the profile is read, errors use the flag/env output format.
    let mut format = cli.global.output.unwrap_or(OutputFormat::Text);
    match dispatch(cli, m, &mut format) {
        Ok(code) => code,
        Err(err) => {
            render::report_error(&err, format);
            error::exit_code(&err)
        }
    }
}

fn dispatch(cli: &Cli, m: &clap::ArgMatches, format: &mut OutputFormat) -> Result<u8> {
    let resolve = |format: &mut OutputFormat| -> Result<Settings> {
        let s = Settings::resolve(&cli.global, m)?;
        *format = s.output;
        Ok(s)
    };
    let stray = match &cli.command {
        Command::Enroll(a) | Command::Update(a) | Command::Verify(a) => a.batch.stray_option(),
        Command::Delete(a) => a.batch.stray_option(),
        _ => None,
    };
    if let Some(flag) = stray {
        return Err(Failure::new(
            Kind::Usage,
            format!("{flag} is a batch option: it needs --from MANIFEST"),
        )
        .into());
    }
    match &cli.command {
        Command::Enroll(a) | Command::Update(a) => {
            let op = if matches!(cli.command, Command::Enroll(_)) {
                Op::Enroll
            } else {
                Op::Update
            };
            let s = resolve(format)?;
            let stop = on_interrupt(&s);
            match (&a.id, &a.batch.from) {
                (_, Some(manifest)) => batch::run(op, manifest, &a.batch, &s, &stop),
                (Some(id), None) => person::run(op, id, &a.face, &a.finger, &s, &stop),
                (None, None) => unreachable!("clap requires --id or --from"),
            }
        }
        Command::Verify(a) => {
            if a.batch.skip_existing {
                return Err(Failure::new(
                    Kind::Usage,
                    "--skip-existing is for enroll: verify enrolls nobody",
                )
                .into());
            }
            let s = resolve(format)?;
            let stop = on_interrupt(&s);
            match (&a.id, &a.batch.from) {
                (_, Some(manifest)) => batch::run(Op::Verify, manifest, &a.batch, &s, &stop),
                (Some(id), None) => person::run(Op::Verify, id, &a.face, &a.finger, &s, &stop),
                (None, None) => unreachable!("clap requires --id or --from"),
            }
        }
        Command::Delete(a) => {
            let s = resolve(format)?;
            let stop = on_interrupt(&s);
            match (&a.id, &a.batch.from) {
                (_, Some(manifest)) => batch::run(Op::Delete, manifest, &a.batch, &s, &stop),
                (Some(id), None) => person::delete(id, &s, &stop),
                (None, None) => unreachable!("clap requires --id or --from"),
            }
        }
        Command::Config(c) => config::run(c, &cli.global, m),
        Command::Report(a) => {
            let s = resolve(format)?;
            report::run(&a.journal, &s)
        }
        Command::Sandbox(SandboxCommand::Serve(a)) => sandbox::serve(a),
        Command::Sandbox(SandboxCommand::Status) => {
            sandbox::status(&target::sandbox_dir(), *format)
        }
        Command::Sandbox(SandboxCommand::Reset) => sandbox::reset(&target::sandbox_dir(), *format),
        Command::Completions { shell } => completions::run(*shell),
        Command::Check(a) => {
            let s = resolve(format)?;
            check::run(a, &s)
        }
        Command::Doctor => doctor::run(&cli.global, m, format),
        Command::Man => completions::man(),
    }
}

/// Ctrl-C and SIGTERM request a stop: a batch finishes the journal and exits 130
/// within about a second, a single command abandons its request. A second Ctrl-C is
/// the user insisting: the process exits at once (the journal stays consistent, as
/// every record is one whole-line write). That, and the panic hook, are the only
/// exits outside [`run`].
fn on_interrupt(s: &Settings) -> Arc<Stop> {
    let stop = Arc::new(Stop::new());
    let handler_stop = stop.clone();
    let quiet = s.quiet;
    let _ = ctrlc::set_handler(move || {
        if handler_stop.interrupt() == 1 {
            if !quiet {
                diag!("biopass: interrupted: stopping (Ctrl-C again to quit at once)");
            }
        } else {
            std::process::exit(Kind::Interrupted.exit_code() as i32);
        }
    });
    stop
}
