//! The check selection and report files shared by doctor and preflight.

use super::*;

/// Arguments of `doctor` and `preflight`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub targets: TargetArgs,

    /// Run only these checks: ids or globs such as `redis.*`. Repeatable, comma-separated.
    #[arg(long, value_name = "ID|GLOB", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Leave out these checks: ids or globs. Repeatable, comma-separated.
    #[arg(long, value_name = "ID|GLOB", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Print every check with its one-line doc, and exit.
    #[arg(long)]
    pub list: bool,

    /// Exit 4 when any check was skipped (not checked is not passed): for CI.
    #[arg(long)]
    pub strict: bool,

    /// The recovery point objective: a replica (Redis, Sentinel or Cluster replica, PostgreSQL
    /// standby or subscriber) that would lose more than this much data if its primary's site
    /// were lost now fails, named. Overrides statectl.toml's `[replication] rpo`.
    #[arg(long, value_name = "DURATION", value_parser = parse_rpo)]
    pub rpo: Option<f64>,

    /// Look at the Redis and PostgreSQL targets from another vantage point (redis.exposure,
    /// postgres.exposure): `netns:NAME` (or a bare NAME in /run/netns), a network namespace on
    /// this host; or `ssh:[USER@]HOST[:PORT]`, a host over SSH (`ssh -W`, BatchMode,
    /// ~/.ssh/config honoured), so the connection is made from HOST. A server on this host is
    /// tried at every address of this host on its port.
    #[arg(long, value_name = "VANTAGE")]
    pub from: Option<String>,

    /// An ssh option for `--from ssh:…`, passed as `-o KEY=VALUE` (IdentityFile,
    /// UserKnownHostsFile, StrictHostKeyChecking …). Repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub ssh_option: Vec<String>,

    /// Threshold overrides (TOML). Default: /etc/statectl/statectl.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Write the report to FILE instead of stdout, atomically (a temp file in the same directory,
    /// then a rename): node_exporter's textfile collector never reads half a file. New files
    /// are 0644.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Also write the report as FORMAT (table, json, junit, prometheus) to FILE, atomically,
    /// besides stdout or --out: one run gives JSON to a program and JUnit to CI.
    /// Repeatable, e.g. `--report junit:preflight.xml`.
    #[arg(long, value_name = "FORMAT:FILE", value_parser = parse_report)]
    pub report: Vec<(Format, PathBuf)>,
}

/// Parses `--rpo 5s` into seconds; zero is refused (no replica can promise it).
fn parse_rpo(s: &str) -> Result<f64, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err(format!("{s:?}: the objective must be longer than 0"));
    }
    Ok(d.as_secs_f64())
}

/// Parses `--report FORMAT:FILE`.
pub(super) fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not FORMAT:FILE (e.g. junit:report.xml)"))?;
    let format = Format::from_str(format, true)
        .map_err(|_| format!("{format:?} is not a format: table, json, junit or prometheus"))?;
    if file.is_empty() {
        return Err(format!("{s:?} names no file after the colon"));
    }
    Ok((format, PathBuf::from(file)))
}
