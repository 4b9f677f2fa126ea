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
    /// CA certificate (PEM) for an https API.
    #[arg(long, value_name = "FILE")]
    pub http_ca: Option<PathBuf>,
    /// Do it without asking (a drill cuts a live dependency off).
    #[arg(long)]
    pub yes: bool,
}
