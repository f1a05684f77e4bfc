//! One module per subcommand; each takes resolved settings and returns a [`Status`]
//! (or an error).
//!
//! [`run`] reports an error once ([`render::report_error`]) and hands the result to
//! [`exit::code`], the one mapping to exit codes; `main.rs` exits with it. Ctrl-C and
//! SIGTERM are watched here ([`watch_signals`]) and turned into the [`Stop`] value the
//! commands are given.

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
use biopass::error::{Failure, Kind, Status};
use biopass::request::Op;
use biopass::stop::Stop;

use crate::cli::{Cli, Command, OutputFormat, SandboxCommand};
use crate::env::BadEnv;
use crate::settings::Settings;
use crate::settings::uses::{FILE, IMAGES, OUTPUT, TARGET};
use crate::{exit, render};

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
        crate::exit(exit::of_status(Status::Problem(Kind::Internal)));
    }));
    // Photos: glibc's malloc raises its mmap threshold to the size of the first large
    // buffer freed (up to 32 MiB), after which photo-sized buffers come from the
    // per-thread arenas of the threads that prepare them, whose freed memory is kept,
    // not returned: a batch of 5 MiB photos at --jobs 8 peaked about 10 MiB over its
    // budget that way. A fixed threshold keeps every buffer of 1 MiB or more in a
    // mapping of its own, given back when it is freed (one mmap/munmap per photo
    // buffer; rows of small images never reach it).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
    // A file-size limit (ulimit -f) must fail a write with EFBIG, which we report
    // (a batch journal that cannot grow stops the run with 74), rather than kill the
    // process with SIGXFSZ halfway through a record.
    #[cfg(unix)]
    // SAFETY: setting a signal to SIG_IGN before any thread starts has no data races.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Run the command, report its error if any; return the exit code. `bad` holds the
/// `BIOPASS_*` variables that did not parse: each command refuses those it uses.
pub fn run(cli: &Cli, m: &clap::ArgMatches, bad: &BadEnv) -> u8 {
    // Until the profile is read, errors use the flag/env output format.
    let mut format = cli.global.output.unwrap_or(OutputFormat::Text);
    let result = dispatch(cli, m, bad, &mut format);
    if let Err(err) = &result {
        render::report_error(err, format);
    }
    exit::code(&result)
}

fn dispatch(
    cli: &Cli,
    m: &clap::ArgMatches,
    bad: &BadEnv,
    format: &mut OutputFormat,
) -> Result<Status> {
    // The settings of a command that reads the groups `uses` (and the config file).
    let resolve = |format: &mut OutputFormat, uses: &[&[&str]]| -> Result<Settings> {
        bad.require(&[FILE])?;
        bad.require(uses)?;
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
    // --skip-existing counts "already exists" as skipped: only an enroll meets it.
    let skip_existing = match &cli.command {
        Command::Update(a) | Command::Verify(a) => a.batch.skip_existing,
        Command::Delete(a) => a.batch.skip_existing,
        _ => false,
    };
    if let (true, Some(op)) = (skip_existing, cli.command.op()) {
        return Err(Failure::new(
            Kind::Usage,
            format!(
                "--skip-existing is for enroll: {} enrolls nobody",
                op.name()
            ),
        )
        .into());
    }
    match &cli.command {
        Command::Enroll(a) | Command::Update(a) => {
            let op = cli.command.op().expect("a person command");
            let s = resolve(format, &[OUTPUT, TARGET, IMAGES])?;
            let stop = on_interrupt(&s);
            match (&a.id, &a.batch.from) {
                (_, Some(manifest)) => batch::run(op, manifest, &a.batch, &s, &stop),
                (Some(id), None) => person::run(op, id, &a.face, &a.finger, &s, &stop),
                (None, None) => unreachable!("clap requires --id or --from"),
            }
        }
        Command::Verify(a) => {
            let s = resolve(format, &[OUTPUT, TARGET, IMAGES])?;
            let stop = on_interrupt(&s);
            match (&a.id, &a.batch.from) {
                (_, Some(manifest)) => batch::run(Op::Verify, manifest, &a.batch, &s, &stop),
                (Some(id), None) => person::run(Op::Verify, id, &a.face, &a.finger, &s, &stop),
                (None, None) => unreachable!("clap requires --id or --from"),
            }
        }
        Command::Delete(a) => {
            let s = resolve(format, &[OUTPUT, TARGET])?;
            let stop = on_interrupt(&s);
            match (&a.id, &a.batch.from) {
                (_, Some(manifest)) => batch::run(Op::Delete, manifest, &a.batch, &s, &stop),
                (Some(id), None) => person::delete(id, &s, &stop),
                (None, None) => unreachable!("clap requires --id or --from"),
            }
        }
        Command::Config(c) => config::run(c, &cli.global, m, bad),
        Command::Report(a) => {
            let s = resolve(format, &[OUTPUT])?;
            report::run(&a.journal, &s)
        }
        Command::Sandbox(SandboxCommand::Serve(a)) => {
            let quiet = cli.global.quiet;
            sandbox::serve(a, &on_interrupt_quiet(quiet))
        }
        Command::Sandbox(SandboxCommand::Status) => {
            bad.require(&[OUTPUT])?;
            sandbox::status(&target::sandbox_dir(), *format)
        }
        Command::Sandbox(SandboxCommand::Reset) => {
            bad.require(&[OUTPUT])?;
            sandbox::reset(&target::sandbox_dir(), *format)
        }
        Command::Completions { shell } => completions::run(*shell),
        Command::Check(a) => {
            // Without --remote nothing is sent: the target's settings are not read.
            let s = if a.remote {
                resolve(format, &[OUTPUT, IMAGES, TARGET])?
            } else {
                resolve(format, &[OUTPUT, IMAGES])?
            };
            // Only a remote check sends anything, so only it can be interrupted.
            let stop = a.remote.then(|| on_interrupt(&s));
            check::run(a, &s, stop.as_deref())
        }
        Command::Doctor => doctor::run(&cli.global, m, bad, format),
        Command::Man => completions::man(),
    }
}

/// Ctrl-C and SIGTERM request a stop: a batch finishes the journal and exits 130
/// within about a second, a single command abandons its request, the sandbox server
/// saves its state. A second one is the user insisting: the process exits 130 at
/// once (the journal stays consistent, as every record is one whole-line write).
fn on_interrupt(s: &Settings) -> Arc<Stop> {
    on_interrupt_quiet(s.quiet)
}

fn on_interrupt_quiet(quiet: bool) -> Arc<Stop> {
    let stop = Arc::new(Stop::new());
    let handler_stop = stop.clone();
    watch_signals(move |n| {
        if n == 1 {
            handler_stop.interrupt();
            if !quiet {
                diag!("biopass: interrupted: stopping (Ctrl-C again to quit at once)");
            }
            None
        } else {
            Some(Status::Problem(Kind::Interrupted))
        }
    });
    stop
}

/// Watch Ctrl-C and SIGTERM on a thread of their own: `on_signal` is called with the
/// number of signals so far (1 for the first), on that thread (not in a signal
/// handler, so it may lock and print), and the process exits with the status it
/// returns, if any. The handlers are in place when this returns.
///
/// Through tokio's signal support, already in the tree for the sandbox, rather than
/// the `ctrlc` crate beside it: a small current-thread runtime and one thread, made
/// only by the commands that can be interrupted (not `--version`, not `config`).
pub fn watch_signals(mut on_signal: impl FnMut(u8) -> Option<Status> + Send + 'static) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    else {
        // Without handlers, Ctrl-C keeps its default effect: the process ends.
        return;
    };
    #[cfg(unix)]
    let mut signals = {
        use tokio::signal::unix::{SignalKind, signal};
        let _inside = runtime.enter();
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(i), Ok(t)) => (i, t),
            _ => return,
        }
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut count = 0u8;
            loop {
                #[cfg(unix)]
                {
                    let (interrupt, terminate) = &mut signals;
                    let got = runtime.block_on(async {
                        tokio::select! {
                            got = interrupt.recv() => got,
                            got = terminate.recv() => got,
                        }
                    });
                    if got.is_none() {
                        // The signal driver is gone: nothing more will come.
                        return;
                    }
                }
                #[cfg(not(unix))]
                if runtime.block_on(tokio::signal::ctrl_c()).is_err() {
                    return;
                }
                count = count.saturating_add(1);
                if let Some(status) = on_signal(count) {
                    crate::exit(exit::of_status(status));
                }
            }
        });
    drop(spawned);
}
