//! The command line as clap sees it: flags and their help text, and nothing else.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

/// What a node is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// A Redis (cache/session) node.
    Redis,
    /// A PostgreSQL node.
    Postgres,
    /// A load balancer.
    Lb,
    /// An API node.
    App,
}

impl Role {
    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Redis => "redis",
            Role::Postgres => "postgres",
            Role::Lb => "lb",
            Role::App => "app",
        }
    }
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
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
    /// Write the man pages (statectl.1 and one per subcommand) into a directory.
    Man(ManArgs),
}

/// TLS files for rediss:// targets, as redis-cli's --cacert, --cert and --key. A URL may carry
/// its own: rediss://host:port?cacert=FILE&cert=FILE&key=FILE.
#[derive(Debug, Clone, Default, Args)]
pub struct RedisTlsArgs {
    /// Trust only the CAs in this PEM file for rediss:// (default: the system CA store,
    /// SSL_CERT_FILE and SSL_CERT_DIR honoured).
    #[arg(long, value_name = "FILE", visible_alias = "cacert")]
    pub tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for servers with tls-auth-clients yes.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

impl RedisTlsArgs {
    /// Whether any file is named.
    pub fn any(&self) -> bool {
        self.tls_ca.is_some() || self.tls_cert.is_some() || self.tls_key.is_some()
    }
}

/// Where the log.* checks read, when not where the servers say.
#[derive(Debug, Clone, Default, Args)]
pub struct LogArgs {
    /// The Redis log to read for log.redis, instead of the local server's CONFIG GET logfile
    /// (a copy fetched from a remote node, say).
    #[arg(long, value_name = "FILE")]
    pub redis_log: Option<PathBuf>,
    /// The PostgreSQL log to read for log.postgres, instead of pg_current_logfile().
    #[arg(long, value_name = "FILE")]
    pub postgres_log: Option<PathBuf>,
    /// The kernel's messages for log.kernel, instead of /var/log/kern.log, syslog or messages.
    #[arg(long, value_name = "FILE")]
    pub syslog: Option<PathBuf>,
}

/// The API edge: nodes, their JWKS, the load balancer's configuration.
#[derive(Debug, Clone, Default, Args)]
pub struct EdgeArgs {
    /// An API node, or the load balancer's address: http(s)://host[:port]. Repeatable.
    #[arg(long = "api", value_name = "URL")]
    pub api: Vec<String>,
    /// A node's JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node:
    /// the sets must agree.
    #[arg(long = "jwks", value_name = "URL")]
    pub jwks: Vec<String>,
    /// The PEM private key a node signs JWTs with: its public half must be published. Only a
    /// test token is signed with it; the key never leaves this process.
    #[arg(long, value_name = "FILE")]
    pub jwt_private_key: Option<PathBuf>,
    /// A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in
    /// every JWKS (matched by RFC 7638 thumbprint).
    #[arg(long, value_name = "FILE")]
    pub jwt_public_key: Option<PathBuf>,
    /// A file holding one JWT issued by the API: only verified against the published keys and
    /// summarised (alg, kid, lifetime); the token itself is never shown.
    #[arg(long, value_name = "FILE")]
    pub jwt_sample_file: Option<PathBuf>,
    /// The load balancer's configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`,
    /// else /etc/haproxy/haproxy.cfg.
    #[arg(long, value_name = "FILE")]
    pub lb_config: Option<PathBuf>,
    /// The request header that carries the session.
    #[arg(long, value_name = "NAME", default_value = "Authorization")]
    pub session_header: String,
    /// The cookie that carries the session, if one does.
    #[arg(long, value_name = "NAME")]
    pub session_cookie: Option<String>,
    /// The load balancer's own address, for lb.live_header (with --echo-path).
    #[arg(long, value_name = "URL", requires = "echo_path")]
    pub lb_url: Option<String>,
    /// A path behind the balancer whose backend echoes the request's headers in its body:
    /// lb.live_header sends a unique session header and cookie there and looks for them.
    #[arg(long, value_name = "PATH", requires = "lb_url")]
    pub echo_path: Option<String>,
    /// The response header, or field of the echo body, in which the backend that answered
    /// names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr,
    /// X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server.
    #[arg(long, value_name = "NAME", requires = "echo_path")]
    pub lb_backend_header: Option<String>,
    /// How far back the logs are read: lb.error_log and the log.* checks.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub since: Duration,
    /// A resource path on each --api node for http.conditional and http.latency (GET only).
    #[arg(long, value_name = "PATH")]
    pub resource: Option<String>,
    /// Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale
    /// If-Match; the API must refuse it with 412 (http.precondition).
    #[arg(long, value_name = "PATH")]
    pub write_probe: Option<String>,
    /// Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system
    /// store).
    #[arg(long, value_name = "FILE")]
    pub http_ca: Option<PathBuf>,
    /// Client certificate (PEM) for API nodes that authenticate clients.
    #[arg(long, value_name = "FILE", requires = "http_key")]
    pub http_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "http_cert")]
    pub http_key: Option<PathBuf>,
}

/// Which hosts to probe and how long to wait for them.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS;
    /// a Cluster node (every node is found from it); or a Sentinel deployment:
    /// redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The
    /// password may also come from REDISCLI_AUTH or --redis-password-file.
    #[arg(long = "redis", value_name = "URL")]
    pub redis: Vec<String>,

    /// Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH.
    #[arg(long, value_name = "FILE")]
    pub redis_password_file: Option<PathBuf>,

    #[command(flatten)]
    pub redis_tls: RedisTlsArgs,

    /// The sentinels' password for redis+sentinel:// targets, when it differs from the data
    /// nodes' (the URL's). Prefer the environment variable: a flag shows in `ps`.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "STATECTL_SENTINEL_PASSWORD",
        hide_env_values = true
    )]
    pub sentinel_password: Option<String>,

    /// A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value
    /// pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE,
    /// PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does.
    #[arg(long = "postgres", value_name = "CONN")]
    pub postgres: Vec<String>,

    /// A network interface to check. Repeatable. Default: the interfaces of the default routes.
    #[arg(long = "iface", value_name = "NAME")]
    pub iface: Vec<String>,
    #[command(flatten)]
    pub edge: EdgeArgs,
    #[command(flatten)]
    pub logs: LogArgs,
    /// Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a
    /// round every 100 ms over --sample, at least 10) for the path.* checks. Off by default:
    /// it sends probes, and needs root or CAP_NET_RAW.
    #[arg(long)]
    pub path: bool,
    /// What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers
    /// preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for
    /// lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails.
    #[arg(long = "role", value_enum)]
    pub roles: Vec<Role>,

    /// How long any one probe may take (connect, command, reply), e.g. 2s or 500ms.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// The window over which counters are read twice and judged by their change.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub sample: Duration,

    /// How many targets are probed at once (each holds one or two sockets while it is).
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
}

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

/// Parses `--report FORMAT:FILE`.
fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
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

/// `tune` targets.
#[derive(Debug, Subcommand)]
pub enum TuneCommand {
    /// Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup.
    Redis(TuneRedisArgs),
    /// Plan kernel sysctl changes (dry run by default); --apply sets and persists them.
    Kernel(TuneKernelArgs),
    /// Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads.
    Postgres(TunePostgresArgs),
}

/// Flags of `tune redis`.
#[derive(Debug, Clone, Args)]
pub struct TuneRedisArgs {
    /// The redis.conf to plan against and edit [default: /etc/redis/redis.conf, below
    /// --host-root when given].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The settings profile.
    #[arg(long, default_value = "session-cache")]
    pub profile: String,
    /// Set a directive: name=value. Repeatable; wins over the profile.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// maxmemory for the profile: a size such as 2gb, or `auto` (about 80% of RAM).
    #[arg(long, value_name = "SIZE|auto")]
    pub maxmemory: Option<String>,
    /// Write the file (default: print the diff only).
    #[arg(long)]
    pub apply: bool,
    /// Also CONFIG SET live items on this running server and read them back.
    #[arg(long, value_name = "URL")]
    pub live: Option<String>,
    /// The Redis version that will read the file (e.g. 7.4), to check directives against.
    /// Default: the --live server's INFO, else the local `redis-server --version`.
    #[arg(long, value_name = "VERSION")]
    pub redis_version: Option<String>,
    #[command(flatten)]
    pub redis_tls: RedisTlsArgs,
    /// Where to keep the timestamped backup (default: beside the file).
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Apply a plan that the safety checks refuse (prints a warning).
    #[arg(long)]
    pub force: bool,

    /// Bound on each step of --live (connect, CONFIG GET, CONFIG SET), e.g. 5s.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// Flags of `tune kernel`.
#[derive(Debug, Clone, Args)]
pub struct TuneKernelArgs {
    /// The settings profile (default session-cache when no --set is given).
    #[arg(long)]
    pub profile: Option<String>,
    /// Set a key: net.core.somaxconn=4096. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Write the live values and persist them (default: print the plan only).
    #[arg(long)]
    pub apply: bool,
    /// Persist to this file instead of /etc/sysctl.d/60-statectl.conf.
    #[arg(long, value_name = "FILE")]
    pub persist: Option<PathBuf>,
    /// Allow lowering a value.
    #[arg(long)]
    pub force: bool,
}

/// Flags of `tune postgres`.
#[derive(Debug, Clone, Args)]
pub struct TunePostgresArgs {
    /// The server to tune (URL or key=value; PG* env vars and ~/.pgpass honoured).
    #[arg(long = "postgres", value_name = "CONN")]
    pub postgres: Option<String>,
    /// The settings profile.
    #[arg(long, default_value = "state-store")]
    pub profile: String,
    /// Set a parameter: name=value. Repeatable; wins over the profile.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Issue ALTER SYSTEM for real differences and reload (default: print the plan only).
    #[arg(long)]
    pub apply: bool,
    /// How long any one step may take.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
}

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
    pub compare: crate::verify::cache::Compare,
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

/// `capture -p`: a port, or every flow that carries RESP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapturePort {
    /// Every flow whose client's first bytes are a RESP request.
    Auto,
    /// This TCP port.
    Port(u16),
}

fn parse_capture_port(s: &str) -> Result<CapturePort, String> {
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

/// The longest duration any flag takes: a year. Longer is a typo, and deadlines computed from
/// it (`start + d`) would overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// Parses `2s`, `500ms`, `1m` …; a bare number is seconds, at most [`MAX_DURATION`].
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = if s.chars().all(|c| c.is_ascii_digit() || c == '.') && !s.is_empty() {
        let secs = s.parse::<f64>().map_err(|e| e.to_string())?;
        Duration::try_from_secs_f64(secs).map_err(|_| "too large (at most 365 days)".to_string())?
    } else {
        humantime::parse_duration(s).map_err(|e| format!("{e} (examples: 2s, 500ms, 1m)"))?
    };
    if d.is_zero() {
        return Err("must be greater than zero".into());
    }
    if d > MAX_DURATION {
        return Err("too large (at most 365 days)".into());
    }
    Ok(d)
}

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
