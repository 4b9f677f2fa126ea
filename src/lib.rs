//! statectl: provision, tune and diagnose the infrastructure that holds API state.

/// The area registry: which checks, probe and cross-area reads each area has.
pub mod areas;
/// Atomic file writes (temp file, fsync, rename, fsync dir).
pub mod atomic;
/// Load generators and HDR statistics.
pub mod bench;
/// Pure packet analysis for `capture`.
pub mod capture;
/// The clap definition: flags and help text only.
pub mod cli;
/// One module per subcommand.
pub mod cmd;
/// Thresholds and timing, loaded and validated once.
pub mod config;
/// The check matrix: pure functions from observations to findings.
pub mod doctor;
/// Exit codes.
pub mod exit;
/// Findings, statuses and reports.
pub mod model;
/// What the probes saw: observation types, pure data.
pub mod observe;
/// Live I/O against hosts.
pub mod probe;
/// Table, JSON, JUnit and Prometheus output.
pub mod render;
/// RESP framing shared by bench and capture.
pub mod resp;
/// Targets and their credentials.
pub mod target;
/// Pure planners for `tune`.
pub mod tune;

use std::ffi::OsString;

use clap::Parser;

use cli::{BenchCommand, Cli, Command, TuneCommand};
use exit::Exit;

/// Parses `argv` and runs the subcommand. Errors carry a one-line message; usage errors are
/// [`exit::UsageError`].
pub fn run(argv: impl IntoIterator<Item = OsString>) -> anyhow::Result<Exit> {
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            // --help and --version print and exit 0; real usage errors exit 2.
            e.print()?;
            return Ok(if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            });
        }
    };
    // rediss:// goes through rustls, which needs one process-wide crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let out = &cli.output;
    match &cli.command {
        Command::Doctor(a) => runtime.block_on(cmd::doctor::run(a, doctor::Tag::Doctor, out)),
        Command::Preflight(a) => runtime.block_on(cmd::doctor::run(a, doctor::Tag::Preflight, out)),
        Command::Tune(TuneCommand::Redis(a)) => runtime.block_on(cmd::tune::redis(a, out)),
        Command::Tune(TuneCommand::Kernel(a)) => cmd::tune::kernel(a, out),
        Command::Tune(TuneCommand::Postgres(a)) => runtime.block_on(cmd::tune::postgres(a, out)),
        Command::Bench(BenchCommand::Redis(a)) => cmd::bench::redis(a, out),
        Command::Bench(BenchCommand::Postgres(a)) => cmd::bench::postgres(a, out),
        Command::Latency(a) => runtime.block_on(cmd::latency::run(a, out)),
        Command::Capture(a) => runtime.block_on(cmd::capture::run(a, out)),
        Command::Nic(a) => runtime.block_on(cmd::nic::run(a, out)),
        Command::Completions(a) => {
            cmd::generate::run_completions(a)?;
            Ok(Exit::Ok)
        }
        Command::Man(a) => {
            let n = cmd::generate::write_man(&a.out)?;
            if !out.quiet {
                eprintln!("wrote {n} man pages to {}", a.out.display());
            }
            Ok(Exit::Ok)
        }
    }
}
