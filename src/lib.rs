//! statectl: provision, tune and diagnose the infrastructure that holds API state.

/// The area registry: which checks, probe and cross-area reads each area has.
pub mod areas;
/// Atomic file writes (temp file, fsync, rename, fsync dir).
pub mod atomic;
/// Load generators and HDR statistics.
pub mod bench;
/// The clap definition: flags and help text only.
pub mod cli;
/// One module per subcommand.
pub mod cmd;
/// The process's lifecycle: its runtime, its cancellation and its signal handler.
pub mod process;

// The I/O layer (probes, targets, TLS clients, input files, cancellation), re-exported where
// the rest of this crate and its tests name it.
pub use statectl_probe::{cancel, input, probe, targets, tls};
// The pure core, re-exported where the rest of this crate and its tests name it.
pub use statectl_core::{
    capture, config, doctor, exit, model, observe, resp, sql, text, tune, verify,
};
/// Table, JSON, JUnit and Prometheus output.
pub mod render;
/// Fuzz and proptest entry points: the core's parsers and the target flags' (feature `fuzzing`).
#[cfg(feature = "fuzzing")]
pub mod untrusted;

use std::ffi::OsString;

use clap::Parser;

use cli::{BenchCommand, Cli, Command, TuneCommand};
use doctor::Tag;
use exit::Exit;

/// clap's message for a usage error, with the word it did not expect masked: a value given
/// where none is expected (`--set requirepass SECRET`) is often a secret. A stray flag keeps its
/// name and loses only a value after `=`.
fn usage_error_text(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = e.render().to_string();
    let Some(ContextValue::String(arg)) = e
        .get(ContextKind::InvalidArg)
        .filter(|_| e.kind() == ErrorKind::UnknownArgument)
    else {
        return text;
    };
    let shown = match arg.split_once('=') {
        _ if !arg.starts_with('-') => "***".to_string(),
        Some((flag, _)) => format!("{flag}=***"),
        None => return text,
    };
    text.replace(&format!("'{arg}'"), &format!("'{shown}'"))
        .replace(&format!("'-- {arg}'"), &format!("'-- {shown}'"))
}

/// Parses `argv` and runs the subcommand. Errors carry a one-line message; usage errors are
/// [`exit::UsageError`].
pub fn run(argv: impl IntoIterator<Item = OsString>) -> anyhow::Result<Exit> {
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        // --help and --version print and exit 0
        Err(e) if !e.use_stderr() => {
            e.print()?;
            return Ok(Exit::Ok);
        }
        // real usage errors exit 2, without repeating a stray word (it may be a secret)
        Err(e) => {
            eprint!("{}", usage_error_text(&e));
            return Ok(Exit::Usage);
        }
    };
    if cli.output.verbose {
        // -v: each probe step (connect, handshake, command, with timings) on stderr. Steps name
        // stages and addresses, never arguments, so no secret can reach the log.
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr())
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(color)
            .with_target(false)
            .with_max_level(tracing::Level::DEBUG)
            .try_init();
    }
    // rediss:// goes through rustls, which needs one process-wide crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let out = &cli.output;
    // The one lifecycle: the runtime, the cancellation Ctrl-C triggers, and its handler, for
    // every subcommand that reports (completions and man pages just write: Ctrl-C ends them).
    let process = process::Process::start(!matches!(
        cli.command,
        Command::Completions(_) | Command::Man(_)
    ))?;
    let cancel = process.cancel();
    let rt = &process;
    let root = &probe::kernel::HostRoot::new(cli.host.host_root.as_deref());
    let exit = match &cli.command {
        Command::Doctor(a) => rt.block_on(cmd::doctor::run(a, Tag::Doctor, out, root, cancel)),
        Command::Preflight(a) => {
            rt.block_on(cmd::doctor::run(a, Tag::Preflight, out, root, cancel))
        }
        Command::Tune(TuneCommand::Redis(a)) => rt.block_on(cmd::tune::interruptible(
            cancel,
            cmd::tune::redis(a, out, root),
        )),
        Command::Tune(TuneCommand::Kernel(a)) => cmd::tune::kernel(a, out, root),
        Command::Tune(TuneCommand::Postgres(a)) => rt.block_on(cmd::tune::interruptible(
            cancel,
            cmd::tune::postgres(a, out),
        )),
        Command::Bench(BenchCommand::Redis(a)) => cmd::bench::redis(a, out, cancel),
        Command::Bench(BenchCommand::Postgres(a)) => cmd::bench::postgres(a, out, cancel),
        Command::Latency(a) => rt.block_on(cmd::latency::run(a, out, cancel)),
        Command::Verify(cli::VerifyCommand::Redis(a)) => rt.block_on(cancel::interruptible(
            cancel,
            "verify redis ended before it finished comparing",
            cmd::verify::redis(a, out, cancel),
        )),
        Command::Verify(cli::VerifyCommand::Postgres(a)) => rt.block_on(cancel::interruptible(
            cancel,
            "verify postgres ended before it finished comparing",
            cmd::verify::postgres(a, out, cancel),
        )),
        Command::Verify(cli::VerifyCommand::Cache(a)) => rt.block_on(cancel::interruptible(
            cancel,
            "verify cache ended before it finished comparing",
            cmd::verify::cache(a, out, cancel),
        )),
        Command::Capture(a) => rt.block_on(cmd::capture::run(a, out, cancel)),
        Command::Nic(a) => rt.block_on(cmd::nic::run(a, out, root, cancel)),
        Command::Logs(a) => rt.block_on(cancel::interruptible(
            cancel,
            "logs ended before every log was read",
            cmd::logs::run(a, out, root, cancel),
        )),
        Command::Path(a) => cmd::path::run(a, out, cancel),
        Command::Drill(cli::DrillCommand::StoreOutage(a)) => {
            rt.block_on(cmd::drill::store_outage(a, out, cancel))
        }
        Command::Drill(cli::DrillCommand::Failover(a)) => {
            rt.block_on(cmd::drill::failover(a, out, cancel))
        }
        Command::Completions(a) => {
            cmd::generate::run_completions(a)?;
            Ok(Exit::Ok)
        }
        Command::Man(a) => {
            if let Some(dir) = &a.out {
                let n = cmd::generate::write_man(dir)?;
                if !out.quiet {
                    eprintln!("wrote {n} man pages to {}", dir.display());
                }
            }
            if let Some(file) = &a.checks {
                let n = cmd::generate::write_checks(file)?;
                if !out.quiet {
                    eprintln!("wrote {n} checks to {}", file.display());
                }
            }
            Ok(Exit::Ok)
        }
    };
    // after Ctrl-C every subcommand exits 130, having printed what it has
    process.finish(exit)
}
