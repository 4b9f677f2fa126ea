//! The command line as clap sees it: flags and their help text, and nothing else.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod bench;
mod checks;
mod drill;
mod tools;
mod tune;
mod verify;
pub use bench::*;
pub use checks::*;
pub use drill::*;
pub use statectl_probe::targets::args::*;
pub use tools::*;
pub use tune::*;
pub use verify::*;

/// Provision, tune and diagnose the infrastructure that holds API state: Redis 7, PostgreSQL 15,
/// the kernel TCP stack and the NICs between them.
#[derive(Debug, Parser)]
#[command(
    name = "statectl",
    version,
    about,
    after_help = "Exit codes: 0 nothing failed or warned, 3 a check failed, 4 warnings only, \
                  1 statectl could not run, 2 usage error.\n\
                  Start with: statectl doctor"
)]
pub struct Cli {
    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub host: HostArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// How results are printed; shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus
    /// text exposition for node_exporter's textfile collector.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// When to colour tables. `auto` colours only a terminal and honours NO_COLOR.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print less: only warnings, failures and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more: evidence for passing checks, and probe steps on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// Where the host's files are; shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct HostArgs {
    /// Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter's --path.rootfs):
    /// for statectl in a container with the host's trees mounted there. tune writes below DIR
    /// too, and says so.
    #[arg(long, global = true, value_name = "DIR", env = "STATECTL_HOST_ROOT")]
    pub host_root: Option<PathBuf>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables grouped by target.
    Table,
    /// Exactly one JSON document on stdout.
    Json,
    /// JUnit XML: one testcase per finding.
    Junit,
    /// Prometheus text exposition format.
    Prometheus,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk the troubleshooting matrix against live hosts and report every finding.
    ///
    /// Checks Redis (reachability, maxclients, memory, latency, replication, security …),
    /// PostgreSQL (reachability, deadlocks, connections, replication …), the local kernel TCP
    /// stack and NICs. With no --redis and no --postgres, the local defaults
    /// redis://127.0.0.1:6379 and postgresql://localhost:5432 are checked.
    Doctor(CheckArgs),
    /// Check prerequisite versions and kernel settings, for CI jobs and install scripts.
    ///
    /// Runs the checks tagged `preflight` (versions, kernel settings, reachability).
    Preflight(CheckArgs),
    /// Plan (and with --apply, make) configuration changes for Redis, the kernel or PostgreSQL.
    #[command(subcommand)]
    Tune(TuneCommand),
    /// Measure state latency and throughput with HDR percentiles against the 5 ms target.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Sample round-trip latency over time, like redis-cli --latency-history, with percentiles.
    Latency(LatencyArgs),
    /// Prove state is consistent between copies: a Redis primary and its replica.
    #[command(subcommand)]
    Verify(VerifyCommand),
    /// Capture port-6379 traffic to pcap, or analyse a pcap: RESP decoded, per-command latency.
    Capture(CaptureArgs),
    /// Show NIC link facts and error, drop and CRC counters with their change over a window.
    Nic(NicArgs),
    /// The servers' own logs against the troubleshooting matrix: a timeline per signature.
    ///
    /// Finds each log the way its server says (CONFIG GET logfile on a local Redis,
    /// pg_current_logfile() on a local PostgreSQL, else Debian's defaults; or --redis-log,
    /// --postgres-log, --syslog), reads only the tail inside --since, and prints the matching
    /// lines, redacted, grouped by signature, with what to do. Exit codes as doctor's log.*
    /// checks: 3 for a failing signature, 4 for a warning one.
    Logs(LogsArgs),
    /// The network path to a state node, as `mtr --report`: per hop loss and latency.
    ///
    /// Traces with TCP SYN to the state port (6379 by default, so firewalls that pass only
    /// Redis traffic still give a path) or ICMP echo. Needs root or CAP_NET_RAW.
    Path(PathArgs),
    /// Failure drills on staging: inject one fault, measure what the API does, restore.
    #[command(subcommand)]
    Drill(DrillCommand),
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
    /// Write the man pages (statectl.1 and one per subcommand) into a directory.
    Man(ManArgs),
}

pub use crate::config::{parse_duration, MAX_DURATION};

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse_like_people_write_them() {
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    // issue 12, defect 8: a huge duration panicked in Duration::from_secs_f64 or overflowed a
    // deadline; it is a usage error now
    #[test]
    fn absurd_durations_are_refused() {
        for bad in [
            "99999999999999999999",
            "99999999999999999999s",
            "1e300",
            "500000000000s",
            "366days",
            "0",
            "0s",
            "-1s",
            "nan",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_duration("365days").unwrap(), MAX_DURATION);
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
    }
}
