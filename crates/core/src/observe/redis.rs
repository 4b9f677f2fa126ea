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
    /// A note on authentication, e.g. a password given to a server that has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_note: Option<String>,
    /// The certificate files a local server names (tls-cert-file, tls-ca-cert-file …); None
    /// when not looked at (a remote server, CONFIG unreadable, not the full probe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_files: Option<Vec<super::tls::CertFile>>,
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
    /// For a node found by discovery: its deployment's label and its role there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<(String, String)>,
    /// The live TLS handshake (`redis.tls`), made whether or not the rest could be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<super::TlsLook>,
    /// When a local server refused: its units, systemd's view and where it listens instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<super::service::ServiceState>,
}

/// Directives whose values are secrets. An observation keeps only whether each is set
/// ([`SECRET_SET`] or empty); plans, diffs and errors show `***`.
pub const SECRET_DIRECTIVES: &[&str] = &[
    "requirepass",
    "masterauth",
    "user",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// What a secret directive's value becomes in an observation when it is set.
pub const SECRET_SET: &str = "(set)";

/// Which server speaks the Redis protocol on a target. Valkey reports `redis_version:7.2.4` for
/// compatibility; its own release is `valkey_version`, with `server_name:valkey`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Redis.
    Redis,
    /// Valkey, the Linux Foundation's fork of Redis 7.2.
    Valkey,
}

impl Flavor {
    /// The flavor INFO names.
    pub fn of(info: &BTreeMap<String, String>) -> Flavor {
        let valkey = info
            .get("server_name")
            .is_some_and(|n| n.eq_ignore_ascii_case("valkey"))
            || info.contains_key("valkey_version");
        if valkey {
            Flavor::Valkey
        } else {
            Flavor::Redis
        }
    }

    /// Its name as its project writes it.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Redis => "Redis",
            Flavor::Valkey => "Valkey",
        }
    }

    /// Its own release, from INFO (Valkey's `valkey_version`, else `redis_version`).
    pub fn version(self, info: &BTreeMap<String, String>) -> Option<&str> {
        match self {
            Flavor::Valkey => info.get("valkey_version").or(info.get("redis_version")),
            Flavor::Redis => info.get("redis_version"),
        }
        .map(String::as_str)
    }

    /// A remediation written for Redis, in this server's words: its CLI, its server and
    /// sentinel binaries and its config file (`redis-cli` → `valkey-cli` …).
    pub fn words(self, text: &str) -> String {
        match self {
            Flavor::Redis => text.to_string(),
            Flavor::Valkey => text
                .replace("redis-cli", "valkey-cli")
                .replace("redis-server", "valkey-server")
                .replace("redis-sentinel", "valkey-sentinel")
                .replace("redis.conf", "valkey.conf"),
        }
    }
}

/// A process name (`/proc/PID/comm`) of a server that speaks the Redis protocol: Redis's or
/// Valkey's server or sentinel.
pub fn is_server_process(comm: &str) -> bool {
    comm.starts_with("redis-server")
        || comm.starts_with("redis-sentinel")
        || comm.starts_with("valkey-server")
        || comm.starts_with("valkey-sentinel")
}

/// CONFIG GET * as name → value, with every secret's value dropped at the boundary: only
/// whether it is set survives, so no snapshot, Debug print or fixture can hold it.
pub fn config_from_pairs(flat: Vec<String>) -> BTreeMap<String, String> {
    let mut it = flat.into_iter();
    let mut out = BTreeMap::new();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        let v = if SECRET_DIRECTIVES.contains(&k.as_str()) && !v.is_empty() {
            SECRET_SET.to_string()
        } else if SECRET_DIRECTIVES.contains(&k.as_str()) {
            String::new()
        } else {
            v
        };
        out.insert(k, v);
    }
    out
}

/// Parses INFO output: `key:value` lines, sections and comments skipped.
pub fn parse_info(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.trim_end_matches('\r').split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Parses one ACL LIST line (`user app on #hash ~app:* +get`); password hashes are dropped.
pub fn parse_acl_line(line: &str) -> Option<AclUser> {
    let mut words = line.split_whitespace();
    if words.next()? != "user" {
        return None;
    }
    let name = words.next()?.to_string();
    let rules: Vec<&str> = words.collect();
    Some(AclUser {
        name,
        enabled: rules.contains(&"on"),
        nopass: rules.contains(&"nopass"),
        all_commands: rules.iter().any(|r| *r == "+@all" || *r == "allcommands"),
        dangerous_allowed: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue 12, defect 3: requirepass and masterauth sat in a Debug-printable snapshot
    #[test]
    fn secret_config_values_are_dropped_keeping_only_whether_they_are_set() {
        let flat = [
            "requirepass",
            "hunter2-planted",
            "masterauth",
            "",
            "maxclients",
            "10000",
        ]
        .map(String::from)
        .to_vec();
        let c = config_from_pairs(flat);
        assert_eq!(c["requirepass"], SECRET_SET);
        assert_eq!(c["masterauth"], "");
        assert_eq!(c["maxclients"], "10000");
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
