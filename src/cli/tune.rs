//! `statectl tune`: Redis, the kernel and PostgreSQL.

use super::*;

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
    /// Default: the --live server's INFO (Redis or Valkey; a parameter its CONFIG GET * lists
    /// is always accepted), else the local `redis-server --version` or `valkey-server
    /// --version`.
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
