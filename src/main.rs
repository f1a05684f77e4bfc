//! biopass: a command-line client for the BioPassID Multibiometrics API.
//!
//! `main` parses, runs, prints an error once and exits with the code that
//! `error::exit_code` maps it to. Everything else lives in the modules.

mod batch;
mod cli;
mod client;
mod cmd;
mod error;
mod image;
mod messages;
mod output;
mod request;
mod sandbox;
mod secret;
mod settings;
mod wire;

use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches};

use cli::{Cli, Command, OutputFormat, SandboxCommand};
use request::Op;
use settings::Settings;

fn main() -> ExitCode {
    // A panic is a bug: say so, and exit with the documented internal-error code
    // rather than Rust's 101.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("biopass: internal error (this is a bug; please report it): {info}");
        std::process::exit(error::Kind::Internal.exit_code() as i32);
    }));
    // A file-size limit (ulimit -f) must fail a write with EFBIG, which we report
    // (a batch journal that cannot grow stops the run with 74), rather than kill the
    // process with SIGXFSZ halfway through a record.
    #[cfg(unix)]
    // SAFETY: setting a signal to SIG_IGN before any thread starts has no data races.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    // Until the profile is read, errors use the flag/env output format.
    let mut format = cli.global.output.unwrap_or(OutputFormat::Text);
    match run(&cli, &matches, &mut format) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            output::report_error(&err, format);
            ExitCode::from(error::exit_code(&err))
        }
    }
}

fn run(cli: &Cli, m: &clap::ArgMatches, format: &mut OutputFormat) -> Result<u8> {
    let resolve = |format: &mut OutputFormat| -> Result<Settings> {
        let s = Settings::resolve(&cli.global, m)?;
        *format = s.output;
        Ok(s)
    };
    let stray = match &cli.command {
        Command::Enroll(a) | Command::Update(a) => a.batch.stray_option(),
        Command::Delete(a) => a.batch.stray_option(),
        _ => None,
    };
    if let Some(flag) = stray {
        return Err(error::Failure::new(
            error::Kind::Usage,
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
            match (&a.id, &a.batch.from) {
                (_, Some(manifest)) => batch::run(op, manifest, &a.batch, &s),
                (Some(id), None) => {
                    exit_130_on_interrupt();
                    cmd::person::run(op, id, &a.face, &a.finger, &s)
                }
                (None, None) => unreachable!("clap requires --id or --from"),
            }
        }
        Command::Verify(a) => {
            let s = resolve(format)?;
            exit_130_on_interrupt();
            cmd::person::run(Op::Verify, &a.id, &a.face, &a.finger, &s)
        }
        Command::Delete(a) => {
            let s = resolve(format)?;
            match (&a.id, &a.batch.from) {
                (_, Some(manifest)) => batch::run(Op::Delete, manifest, &a.batch, &s),
                (Some(id), None) => {
                    exit_130_on_interrupt();
                    cmd::person::delete(id, &s)
                }
                (None, None) => unreachable!("clap requires --id or --from"),
            }
        }
        Command::Config(c) => cmd::config::run(c, &cli.global, m),
        Command::Sandbox(SandboxCommand::Serve(a)) => {
            let opts = sandbox::Options {
                key: a
                    .key
                    .clone()
                    .unwrap_or_else(|| sandbox::SANDBOX_KEY.to_string()),
                persistence: sandbox::Persistence::Memory {
                    data: a.data.clone(),
                },
                faults: sandbox::Faults {
                    seed: a.seed,
                    p503: a.fail_503,
                    p429: a.fail_429,
                    retry_after_secs: a.retry_after,
                    preset: a.reset,
                    phang: a.hang,
                    hang_ms: a.hang_ms,
                    latency_ms: a.latency_ms,
                },
            };
            opts.faults
                .check()
                .map_err(|e| error::Failure::new(error::Kind::Usage, format!("{e:#}")))?;
            sandbox::serve(opts, a.port)?;
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "biopass", &mut out);
            output::stdout_line(String::from_utf8_lossy(&out).trim_end());
            Ok(0)
        }
    }
}

/// A single command has nothing to clean up on Ctrl-C or SIGTERM (the sandbox writes
/// its state by atomic rename), so it exits at once with the documented code.
fn exit_130_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        eprintln!("biopass: interrupted");
        std::process::exit(error::Kind::Interrupted.exit_code() as i32);
    });
}
