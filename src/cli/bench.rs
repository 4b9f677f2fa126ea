//! `statectl bench` and `statectl latency`.

use super::*;

/// `bench` targets.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Load a Redis server with a session-state workload and report HDR percentiles.
    Redis(BenchRedisArgs),
    /// Load PostgreSQL with prepared session reads and upserts and report HDR percentiles.
    Postgres(BenchPostgresArgs),
}

/// Redis workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Workload {
    /// GET of existing keys.
    Get,
    /// SET of keys.
    Set,
    /// SET with EX, GET, EXPIRE refresh and HGETALL of a session hash.
    Session,
    /// A ratio of reads to writes.
    Mixed,
}

/// Flags of `bench redis`.
#[derive(Debug, Clone, Args)]
pub struct BenchRedisArgs {
    /// The server to load.
    #[arg(
        long = "redis",
        value_name = "URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis: String,
    #[command(flatten)]
    pub redis_tls: RedisTlsArgs,
    /// Concurrent connections.
    #[arg(short = 'c', long, default_value_t = 50)]
    pub connections: usize,
    /// Total requests (default 100000 when --duration is not given).
    #[arg(short = 'n', long, conflicts_with = "duration")]
    pub requests: Option<u64>,
    /// Run for this long.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Commands per write: each batch of P replies is timed reply by reply.
    #[arg(short = 'P', long, default_value_t = 1)]
    pub pipeline: usize,
    /// What to send.
    #[arg(long, value_enum, default_value_t = Workload::Get)]
    pub workload: Workload,
    /// Number of distinct keys.
    #[arg(long, default_value_t = 100_000)]
    pub keyspace: u64,
    /// Value size in bytes.
    #[arg(long, default_value_t = 64)]
    pub value_size: usize,
    /// TTL for written keys, seconds.
    #[arg(long, default_value_t = 1800)]
    pub ttl: u64,
    /// Open-loop rate in requests per second (latency corrected for coordinated omission).
    #[arg(long)]
    pub rate: Option<u64>,
    /// Runtime threads for the load generator, connections spread over them (1 =
    /// current-thread, best on small machines; more to saturate a cluster or a multi-threaded
    /// server).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Keep the statectl:bench:* keys instead of deleting them at the end.
    #[arg(long)]
    pub keep_keys: bool,
    /// Treat the server as a Redis Cluster node (found from cluster_enabled:1 anyway): keys are
    /// routed by slot to every master, MOVED and ASK followed, results per master too.
    #[arg(long)]
    pub cluster: bool,
    /// Share of reads in the mixed workload (the rest are SET with EX).
    #[arg(long, default_value_t = 0.8)]
    pub read_ratio: f64,
    /// Bound on every wait for the server.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    #[command(flatten)]
    pub slo: SloArgs,
}

/// Flags of `bench postgres`.
#[derive(Debug, Clone, Args)]
pub struct BenchPostgresArgs {
    /// The server to load (URL or key=value).
    #[arg(long = "postgres", value_name = "CONN")]
    pub postgres: Option<String>,
    /// Concurrent connections.
    #[arg(short = 'c', long, default_value_t = 16)]
    pub connections: usize,
    /// Total queries (default 100000 when --duration is not given).
    #[arg(short = 'n', long, conflicts_with = "duration")]
    pub requests: Option<u64>,
    /// Run for this long.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Queries in flight per connection.
    #[arg(long, default_value_t = 4)]
    pub depth: usize,
    /// Open-loop rate in queries per second.
    #[arg(long)]
    pub rate: Option<u64>,
    /// Keep the statectl_bench schema instead of dropping it at the end.
    #[arg(long)]
    pub keep: bool,
    /// Sessions in the table.
    #[arg(long, default_value_t = 100_000)]
    pub keyspace: u64,
    /// Share of reads (the rest are upserts).
    #[arg(long, default_value_t = 0.9)]
    pub read_ratio: f64,
    /// Runtime threads (1 = current-thread, best on small machines).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Bound on connecting and setup.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    #[command(flatten)]
    pub slo: SloArgs,
}

/// The capacity search of `bench --slo`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Capacity at a latency objective")]
pub struct SloArgs {
    /// Find the highest open-loop rate whose response times meet this objective: one or more
    /// percentile bounds (`p99<5ms`, `p99<5ms,p999<20ms`); without a value, the manual's
    /// p99<5ms. Runs steps at fixed rates: a ramp, then a bisection.
    #[arg(
        long,
        value_name = "OBJECTIVE",
        num_args = 0..=1,
        default_missing_value = "p99<5ms",
        conflicts_with_all = ["rate", "requests", "duration"]
    )]
    pub slo: Option<String>,
    /// Also say whether this rate meets the objective (measured at that rate); exit 3 when it
    /// does not, so CI can gate on it.
    #[arg(long, value_name = "RPS", requires = "slo")]
    pub target_rate: Option<u64>,
    /// Length of each measured step (after its warm-up).
    #[arg(long, default_value = "5s", value_parser = parse_duration, requires = "slo")]
    pub step_duration: Duration,
    /// Load before each step that is not measured (0s: none).
    #[arg(long, default_value = "1s", value_parser = parse_warmup, requires = "slo")]
    pub warmup: Duration,
    /// Stop when the passing and the failing rate are this close (percent of the passing rate).
    #[arg(long, default_value = "5%", value_parser = parse_percent, requires = "slo")]
    pub resolution: f64,
    /// The first rate tried (the target rate when given).
    #[arg(long, value_name = "RPS", default_value_t = 1000, requires = "slo")]
    pub start_rate: u64,
    /// The highest rate offered.
    #[arg(
        long,
        value_name = "RPS",
        default_value_t = 1_000_000,
        requires = "slo"
    )]
    pub max_rate: u64,
    /// Write each step's latency histogram to FILE in HdrHistogram's interval-log format
    /// (what HdrHistogram's plotters read).
    #[arg(long, value_name = "FILE", requires = "slo")]
    pub hdr_log: Option<std::path::PathBuf>,
}

/// A duration as everywhere, or zero.
fn parse_warmup(s: &str) -> Result<Duration, String> {
    if s.trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .trim_matches('0')
        .trim_matches('.')
        .is_empty()
        && !s.is_empty()
    {
        return Ok(Duration::ZERO);
    }
    parse_duration(s)
}

/// `5%`, `5` or `0.05` → 0.05; between 0 and 1 exclusive.
fn parse_percent(s: &str) -> Result<f64, String> {
    let (n, pct) = match s.trim().strip_suffix('%') {
        Some(n) => (n, true),
        None => (s.trim(), false),
    };
    let v: f64 = n
        .parse()
        .map_err(|_| format!("{s:?} is not a percentage (e.g. 5%)"))?;
    let v = if pct || v >= 1.0 { v / 100.0 } else { v };
    if v > 0.0 && v < 1.0 {
        Ok(v)
    } else {
        Err(format!("{s:?}: must be above 0% and below 100%"))
    }
}

/// Flags of `latency`.
#[derive(Debug, Clone, Args)]
pub struct LatencyArgs {
    /// Redis server to PING.
    #[arg(long = "redis", value_name = "URL", conflicts_with = "postgres")]
    pub redis: Option<String>,
    #[command(flatten)]
    pub redis_tls: RedisTlsArgs,
    /// PostgreSQL server to send SELECT 1 to instead.
    #[arg(long = "postgres", value_name = "CONN")]
    pub postgres: Option<String>,
    /// Time between probes.
    #[arg(long, default_value = "10ms", value_parser = parse_duration)]
    pub interval: Duration,
    /// Length of each rolling window row.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub window: Duration,
    /// Stop after this long (default: until Ctrl-C).
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,

    /// Bound on one probe (connect, PING or SELECT 1); a longer wait counts as an error.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub timeout: Duration,
}
