//! What a Redis probe sees.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ProbeError;

/// What one Redis probe saw of a reachable server. Each part that a server may refuse (CONFIG
/// renamed, an ACL denying a command) is a `Result` whose error says why, so the checks that need
/// it can skip with that reason instead of passing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedisSnapshot {
    /// Round trip of the first PING.
    #[serde(with = "crate::observe::ms")]
    pub first_ping: Duration,
    /// INFO, all sections, as key → value, read at the start of the window.
    pub info: Result<BTreeMap<String, String>, String>,
    /// INFO read again at the end of the window (counter deltas come from the two reads).
    pub info_end: Result<BTreeMap<String, String>, String>,
    /// The window between the two INFO reads.
    #[serde(with = "crate::observe::ms")]
    pub window: Duration,
    /// CONFIG GET * as name → value.
    pub config: Result<BTreeMap<String, String>, String>,
    /// PING round trips measured during the window.
    #[serde(with = "crate::observe::ms::vec")]
    pub pings: Vec<Duration>,
    /// PINGs that got no answer within the timeout during the window.
    pub ping_timeouts: u32,
    /// LATENCY LATEST at the end of the window.
    pub latency_events: Result<Vec<LatencyEvent>, String>,
    /// SLOWLOG entries logged during the window.
    pub slowlog: Result<Vec<SlowlogEntry>, String>,
    /// Unix time (seconds) at the start of the window, by this machine's clock.
    pub window_start_unix: u64,
    /// ACL LIST rules and, for users that are not admins, the dangerous commands they may run.
    pub acl: Result<Vec<AclUser>, String>,
    /// A bounded SCAN sample of keys and how many have no expiry.
    pub ttl_sample: Result<TtlSample, String>,
    /// Facts read from this machine when the server runs here.
    pub local: Option<LocalFacts>,
}

/// One LATENCY LATEST row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyEvent {
    /// Event name, e.g. `command` or `fork`.
    pub name: String,
    /// Unix time of the latest spike.
    pub unix: u64,
    /// Latest spike, ms.
    pub latest_ms: u64,
    /// All-time max, ms.
    pub max_ms: u64,
}

/// One SLOWLOG entry: only the command name is kept, never its arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlowlogEntry {
    /// Entry id.
    pub id: u64,
    /// Unix time it was logged.
    pub unix: u64,
    /// Execution time, microseconds.
    pub micros: u64,
    /// The command name, upper-cased.
    pub command: String,
}

/// An ACL user and what the checks need to know about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AclUser {
    /// User name.
    pub name: String,
    /// Whether the user is enabled (`on`).
    pub enabled: bool,
    /// Whether the user needs no password (`nopass`).
    pub nopass: bool,
    /// Whether the user may run every command (`+@all` / `allcommands`).
    pub all_commands: bool,
    /// Dangerous commands (FLUSHALL, CONFIG, DEBUG, KEYS) that ACL DRYRUN allows this user.
    pub dangerous_allowed: Vec<String>,
}

/// The result of sampling keys with SCAN.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TtlSample {
    /// Keys looked at.
    pub sampled: u64,
    /// Of those, keys with no expiry (PTTL -1).
    pub without_ttl: u64,
    /// DBSIZE of the selected database.
    pub dbsize: u64,
}

/// Facts read on this machine about a local server's process (the host's own facts are the
/// kernel area's observation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalFacts {
    /// The server's pid (INFO process_id).
    pub pid: u32,
    /// Soft "Max open files" of the process.
    pub nofile: Result<u64, String>,
}

/// The observation of one Redis target: its label and either a snapshot or why there is none.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RedisObservation {
    /// The target's label (no password).
    pub target: String,
    /// host:port.
    pub addr: String,
    /// The snapshot, or the reason the server could not be reached.
    pub result: Result<RedisSnapshot, ProbeError>,
}
