//! `statectl capture`, `nic`, `path`, `logs`, `completions` and `man`.

use super::*;

/// `capture -p`: a port, or every flow that carries RESP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapturePort {
    /// Every flow whose client's first bytes are a RESP request.
    Auto,
    /// This TCP port.
    Port(u16),
}

pub(super) fn parse_capture_port(s: &str) -> Result<CapturePort, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(CapturePort::Auto);
    }
    match s.parse::<u16>() {
        Ok(p) if p > 0 => Ok(CapturePort::Port(p)),
        _ => Err(format!("{s:?} is not a TCP port (1-65535) or auto")),
    }
}

/// Flags of `capture`.
#[derive(Debug, Clone, Args)]
pub struct CaptureArgs {
    /// Interface to capture on (default: the route to the target, or lo).
    #[arg(short = 'i', long)]
    pub interface: Option<String>,
    /// TCP port of the Redis traffic, or `auto`: every flow whose client speaks RESP (found
    /// from its first bytes). Default: 6379 live, auto with -r.
    #[arg(short = 'p', long, value_name = "PORT|auto", value_parser = parse_capture_port)]
    pub port: Option<CapturePort>,
    /// Stop after this many packets.
    #[arg(short = 'c', long)]
    pub count: Option<u64>,
    /// Stop after this long.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Write packets to this pcap file (created 0600).
    #[arg(short = 'w', long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Analyse this pcap or pcapng file instead of capturing.
    #[arg(short = 'r', long, value_name = "FILE", conflicts_with_all = ["write", "interface"])]
    pub read: Option<PathBuf>,
    /// Print key names as seen. By default they are shown as keyed hashes (HMAC-SHA256 with a
    /// random key per run), since session keys often carry the token itself.
    #[arg(long, conflicts_with = "redact_salt")]
    pub show_keys: bool,
    /// Hash key names with this salt instead of a random one, so two runs label the same key
    /// alike. Treat it as a secret: it is never printed.
    #[arg(
        long,
        value_name = "SALT",
        env = "STATECTL_REDACT_SALT",
        hide_env_values = true
    )]
    pub redact_salt: Option<String>,
    /// Hash key names (the default; kept for scripts that pass it).
    #[arg(long, hide = true, conflicts_with = "show_keys")]
    pub redact_keys: bool,
}

/// Flags of `nic`.
#[derive(Debug, Clone, Args)]
pub struct NicArgs {
    /// Interfaces to show (default: the interfaces of the default routes).
    #[arg(value_name = "IFACE")]
    pub ifaces: Vec<String>,
    /// The window over which counters are read twice.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub sample: Duration,
    /// Refresh every window until Ctrl-C (with --format json: one document per line).
    #[arg(long)]
    pub watch: bool,
    /// Bound on the ethtool netlink query for link facts, e.g. 2s.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// How `path` probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathProtocol {
    /// TCP SYN to --port.
    Tcp,
    /// ICMP echo.
    Icmp,
}

/// Flags of `path`.
#[derive(Debug, Args)]
pub struct PathArgs {
    /// The host to trace to (a name or an address).
    #[arg(value_name = "HOST")]
    pub host: String,
    /// Rounds (mtr's -c).
    #[arg(short = 'c', long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=1000), conflicts_with = "duration")]
    pub count: u32,
    /// Trace for this long instead of --count rounds: as many rounds as --interval fits.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// How each round probes.
    #[arg(long, value_enum, default_value = "tcp")]
    pub protocol: PathProtocol,
    /// The TCP port probed (--protocol tcp).
    #[arg(long, default_value_t = 6379)]
    pub port: u16,
    /// The shortest round (mtr's -i).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub interval: Duration,
    /// How long a probe's answer is waited for.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// The highest TTL.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u8).range(1..=64))]
    pub max_ttl: u8,
}

/// Flags of `logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub targets: TargetArgs,
    /// Matching lines shown per signature: the last N (at most 50 are kept).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub lines: usize,
}

/// Shells that completions can be generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
    /// Elvish.
    Elvish,
    /// PowerShell.
    Powershell,
}

/// Flags of `completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: Shell,
    /// Write the script into this directory under its conventional name (statectl.bash,
    /// _statectl, statectl.fish, statectl.elv, _statectl.ps1) instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Flags of `man`.
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["out", "checks"])))]
pub struct ManArgs {
    /// Directory to write the pages into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write the checks reference, in Markdown, to FILE (docs/checks.md in the repository):
    /// every check with what it judges, from the check definitions, at the default thresholds.
    #[arg(long, value_name = "FILE")]
    pub checks: Option<PathBuf>,
}
