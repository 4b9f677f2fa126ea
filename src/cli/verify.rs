//! `statectl verify`: PostgreSQL replicas and subscribers, the cache against the store, Redis replicas.

use super::*;

/// `verify` targets.
#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Compare a Redis primary with its replica key by key: type, value digest (DEBUG
    /// DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up.
    Redis(VerifyRedisArgs),
    /// Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned,
    /// and keys without a TTL.
    Cache(VerifyCacheArgs),
    /// Compare PostgreSQL tables on a primary and its replica (a standby or a logical
    /// subscriber) chunk by chunk, after waiting for the replica to reach the primary's LSN;
    /// differing chunks are drilled down to the rows' primary keys.
    Postgres(VerifyPostgresArgs),
}

/// Flags of `verify postgres`.
#[derive(Debug, Clone, Args)]
pub struct VerifyPostgresArgs {
    /// The primary (or publisher).
    #[arg(long, value_name = "CONN")]
    pub primary: String,
    /// The replica: a physical standby or a logical subscriber.
    #[arg(long, value_name = "CONN")]
    pub replica: String,
    /// Compare only this table (schema.table). Repeatable. Default: every table.
    #[arg(long = "table", value_name = "SCHEMA.TABLE")]
    pub tables: Vec<String>,
    /// Rows per chunk (with --chunk-time: the first chunk's).
    #[arg(long, default_value_t = 10_000)]
    pub chunk_rows: u64,
    /// Size chunks so each takes about this long (pt-table-checksum's --chunk-time), e.g. 0.5s:
    /// each next chunk is scaled by how long the last took, at most doubled or halved.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub chunk_time: Option<Duration>,
    /// How long to wait for the replica to reach the primary's current LSN.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub max_lag: Duration,
    /// statement_timeout of each chunk's query, and the bound on connecting.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// List at most this many differing rows per table (the rest are counted).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Pause before each chunk while the primary has more than N active client backends
    /// (pt-table-checksum's --max-load).
    #[arg(long, value_name = "N")]
    pub max_load: Option<u32>,
}

/// Flags of `verify cache`.
#[derive(Debug, Clone, Args)]
pub struct VerifyCacheArgs {
    /// The cache.
    #[arg(long, value_name = "URL")]
    pub redis: String,
    #[command(flatten)]
    pub redis_tls: RedisTlsArgs,
    /// The database (URL or key=value; PG* variables and ~/.pgpass as psql).
    #[arg(long, value_name = "CONN")]
    pub postgres: Option<String>,
    /// Which keys come from which rows: a pattern with one {placeholder}, and a query taking it
    /// as $1 whose first column is the cached value, e.g.
    /// 'session:{id}=SELECT payload FROM sessions WHERE id = $1'.
    #[arg(long, value_name = "PATTERN=SQL")]
    pub map: String,
    /// Compare at most this many keys (a SCAN sample).
    #[arg(long, default_value_t = 1000)]
    pub sample: u64,
    /// How to compare: byte for byte, or as JSON documents.
    #[arg(
        long,
        value_enum,
        default_value = "bytes",
        conflicts_with = "version_column"
    )]
    pub compare: CompareArg,
    /// Compare only a version: the cached value is a JSON object whose field NAME must equal
    /// the query's column NAME (e.g. an updated_at or a row version kept in both).
    #[arg(long, value_name = "NAME")]
    pub version_column: Option<String>,
    /// Bound on each command and query.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Show keys as keyed hashes instead of names.
    #[arg(long)]
    pub redact_keys: bool,
}

/// Flags of `verify redis`.
#[derive(Debug, Clone, Args)]
pub struct VerifyRedisArgs {
    /// The primary (master).
    #[arg(long, value_name = "URL")]
    pub primary: String,
    /// Its replica.
    #[arg(long, value_name = "URL")]
    pub replica: String,
    #[command(flatten)]
    pub redis_tls: RedisTlsArgs,
    /// Compare only keys matching this SCAN pattern.
    #[arg(long = "match", value_name = "PATTERN", default_value = "*")]
    pub pattern: String,
    /// Compare at most this many keys of the primary (a SCAN sample).
    #[arg(long, default_value_t = 10_000, conflicts_with = "full")]
    pub sample: u64,
    /// Compare every key, and look for keys only the replica holds.
    #[arg(long)]
    pub full: bool,
    /// How long to wait for the replica to reach the primary's replication offset.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub max_lag: Duration,
    /// Bound on each command.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Show keys as keyed hashes (HMAC-SHA256 with a random key per run) instead of names.
    #[arg(long)]
    pub redact_keys: bool,
    /// List at most this many differing keys (the rest are counted).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

/// `--compare`: how cached and stored values are compared (the CLI's face of
/// [`crate::verify::cache::Compare`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareArg {
    /// Byte for byte.
    Bytes,
    /// As JSON documents (key order and spacing do not matter).
    Json,
}

impl From<CompareArg> for crate::verify::cache::Compare {
    fn from(c: CompareArg) -> Self {
        match c {
            CompareArg::Bytes => Self::Bytes,
            CompareArg::Json => Self::Json,
        }
    }
}
