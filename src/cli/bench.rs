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
