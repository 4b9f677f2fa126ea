//! `statectl drill`: inject one fault on a staging system, measure, restore.

use super::*;

/// `drill` kinds.
#[derive(Debug, Subcommand)]
pub enum DrillCommand {
    /// Cut the API's state store off for --for while sending steady requests to the API, and
    /// judge what it answers: a circuit breaker answers 503 at once and recovers after.
    ///
    /// The store is cut off from this host with nftables (reject: TCP resets; blackhole:
    /// packets dropped), or frozen with SIGSTOP when it is a local Redis (freeze). The fault is
    /// removed at the end, at Ctrl-C, and, if statectl is killed, by a watchdog: the nftables
    /// set element expires by itself one second after --for; a detached process sends SIGCONT.
    /// Run it on the API's host (its traffic to the store is what is cut), on staging.
    StoreOutage(StoreOutageArgs),
    /// Freeze (or kill) a Sentinel deployment's master (or a Redis Cluster master, --cluster)
    /// while writing through a client that follows failovers, and measure the failover: the time
    /// until the sentinels (or the cluster's nodes) agree on a new master,
    /// the clients' error window, acknowledged writes the new master does not hold, and the old
    /// master's return as a replica.
    ///
    /// A frozen master is continued (SIGCONT) once the sentinels agree on a new one, or after
    /// --for; a detached watchdog continues it if statectl is killed. The master must run on
    /// this host (its INFO names its process).
    Failover(FailoverArgs),
}

/// How the master fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailoverMode {
    /// SIGSTOP, then SIGCONT: a master that hangs and comes back (and must rejoin as a replica).
    Freeze,
    /// SIGKILL: a master that dies (its service manager restarts it).
    Kill,
}

/// Flags of `drill failover`.
#[derive(Debug, Clone, Args)]
pub struct FailoverArgs {
    /// The deployment: redis+sentinel://[user:password@]host[:26379][,host2…]/MASTERNAME, or a
    /// Cluster node (redis://host:port) with --cluster.
    #[arg(long = "redis", value_name = "URL")]
    pub redis: String,
    /// The deployment is a Redis Cluster (--redis names one of its nodes): fail one master and
    /// let its replica take over.
    #[arg(long)]
    pub cluster: bool,
    /// With --cluster: the master to fail (host:port as CLUSTER NODES names it); default the
    /// --redis node when it is a master, else the first master.
    #[arg(long, value_name = "HOST:PORT", requires = "cluster")]
    pub node: Option<String>,
    /// The sentinels' password, when it differs from the data nodes'.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "STATECTL_SENTINEL_PASSWORD",
        hide_env_values = true
    )]
    pub sentinel_password: Option<String>,
    /// How the master fails.
    #[arg(long, value_enum, default_value = "freeze")]
    pub mode: FailoverMode,
    /// The longest the master stays frozen.
    #[arg(long = "for", value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Writes per second through the Sentinel-aware client.
    #[arg(long, default_value_t = 100)]
    pub rate: u64,
    /// Bound on each write and on each question to a sentinel.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// The sentinels must agree on a new master within this long after the fault.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub failover_deadline: Duration,
    /// The old master must be a replica of the new one within this long after the fault.
    #[arg(long, default_value = "45s", value_parser = parse_duration)]
    pub rejoin_deadline: Duration,
    /// Do it without asking (a drill fails a live master over).
    #[arg(long)]
    pub yes: bool,
}

/// How the store is cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutageMode {
    /// nftables rejects the API host's traffic to the store with TCP resets (a store that is
    /// down: connections refused).
    Reject,
    /// nftables drops it (a store that vanished from the network: connections hang).
    Blackhole,
    /// SIGSTOP of the store's process (a local Redis; a store that hangs with its connections
    /// open).
    Freeze,
}

/// Flags of `drill store-outage`.
#[derive(Debug, Clone, Args)]
pub struct StoreOutageArgs {
    /// The API endpoint to send steady requests to (it should read or write the store).
    #[arg(long, value_name = "URL")]
    pub api: String,
    /// The state store to cut off: redis://, rediss://, postgresql:// or postgres://.
    #[arg(long, value_name = "URL")]
    pub store: String,
    /// How the store is cut off.
    #[arg(long, value_enum, default_value = "reject")]
    pub mode: OutageMode,
    /// How long the store stays cut off.
    #[arg(long = "for", value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Requests before the fault, to see the API healthy.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub before: Duration,
    /// Requests per second sent to the API.
    #[arg(long, default_value_t = 20)]
    pub rate: u64,
    /// A request without an answer by then counts as hung.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// The API must answer 503 within this long after the store is cut off.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub breaker_deadline: Duration,
    /// The API must answer 2xx within this long after the store is back.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub recovery_deadline: Duration,
    /// A site's health endpoint (what a GSLB or load balancer asks), asked as often as --api
    /// through the drill: it must answer non-2xx within --health-deadline of the cut and 2xx
    /// again within --recovery-deadline of the restore (drill.health_reflects_store).
    /// Repeatable: one per site.
    #[arg(long, value_name = "URL")]
    pub health_url: Vec<String>,
    /// Each --health-url must report the site down within this long after the store is cut off.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub health_deadline: Duration,
    /// CA certificate (PEM) for an https API.
    #[arg(long, value_name = "FILE")]
    pub http_ca: Option<PathBuf>,
    /// Do it without asking (a drill cuts a live dependency off).
    #[arg(long)]
    pub yes: bool,
}
