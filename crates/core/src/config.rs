//! The resolved configuration: targets parsed and credentials found once, thresholds loaded and
//! validated once, before any probe runs.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Where the optional thresholds file is looked for when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "/etc/statectl/statectl.toml";

/// The brief's state-retrieval target: p99 round trip below this, milliseconds.
pub const LATENCY_TARGET_MS: f64 = 5.0;
/// A round trip above this is a spike (the brief's "latency spikes > 500ms"), milliseconds.
pub const LATENCY_SPIKE_MS: f64 = 500.0;

/// Every threshold a check compares against. Defaults come from the product's promises and the
/// reference tools' own thresholds (each field's doc names its source); `statectl.toml` may
/// override any of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Redis thresholds.
    pub redis: RedisThresholds,
    /// PostgreSQL thresholds.
    pub postgres: PostgresThresholds,
    /// Kernel thresholds.
    pub kernel: KernelThresholds,
    /// TLS thresholds, for every endpoint and certificate file.
    pub tls: TlsThresholds,
    /// Sentinel thresholds.
    pub sentinel: SentinelThresholds,
    /// Redis Cluster thresholds.
    pub cluster: ClusterThresholds,
    /// Load balancer thresholds.
    pub lb: LbThresholds,
    /// JWT thresholds.
    pub jwt: JwtThresholds,
    /// API thresholds.
    pub http: HttpThresholds,
    /// A fresh node's hardware.
    pub preflight: PreflightThresholds,
    /// The network path to the state nodes (`doctor --path`).
    pub path: PathThresholds,
    /// Replication against a recovery point objective (`doctor --rpo`).
    pub replication: ReplicationThresholds,
}

/// Replication thresholds (`[replication]` in statectl.toml).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplicationThresholds {
    /// The recovery point objective, seconds: the data a replica may lack if the primary site
    /// were lost now. `rpo = "5s"` (a duration) or `rpo = 5` (seconds) in statectl.toml,
    /// `--rpo 5s` on the command line. None: the rpo checks measure and skip, as no objective
    /// was declared.
    #[serde(
        deserialize_with = "rpo_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub rpo: Option<f64>,
}

/// `rpo = "5s"` or `rpo = 5`.
fn rpo_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Rpo {
        Seconds(f64),
        Text(String),
    }
    let secs = match Rpo::deserialize(d)? {
        Rpo::Seconds(s) => s,
        Rpo::Text(t) => parse_duration(&t)
            .map_err(|e| serde::de::Error::custom(format!("replication.rpo {t:?}: {e}")))?
            .as_secs_f64(),
    };
    if !(secs > 0.0 && secs.is_finite()) {
        return Err(serde::de::Error::custom(format!(
            "replication.rpo = {secs}: must be greater than 0"
        )));
    }
    Ok(Some(secs))
}

/// Path thresholds (`[path]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathThresholds {
    /// Loss at the final hop above this fraction fails.
    pub loss_fail_ratio: f64,
    /// The final hop's worst round trip above this (ms) fails: the brief's latency spike.
    pub worst_fail_ms: f64,
    /// The final hop's average above this (ms) warns.
    pub avg_warn_ms: f64,
}

impl Default for PathThresholds {
    fn default() -> Self {
        PathThresholds {
            loss_fail_ratio: 0.01,
            worst_fail_ms: 500.0,
            avg_warn_ms: LATENCY_TARGET_MS,
        }
    }
}

/// Hardware thresholds (`[preflight]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PreflightThresholds {
    /// Less memory than this (GiB) fails.
    pub min_memory_gib: f64,
    /// A default-route NIC slower than this (Mb/s) warns.
    pub min_nic_mbps: u64,
}

impl Default for PreflightThresholds {
    fn default() -> Self {
        PreflightThresholds {
            min_memory_gib: 2.0,
            min_nic_mbps: 10_000,
        }
    }
}

/// Load balancer thresholds (`[lb]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LbThresholds {
    /// The lowest nginx version that passes (the brief: 1.24+).
    pub min_nginx: String,
    /// The lowest HAProxy version that passes (the brief: 2.8+).
    pub min_haproxy: String,
}

impl Default for LbThresholds {
    fn default() -> Self {
        LbThresholds {
            min_nginx: "1.24".into(),
            min_haproxy: "2.8".into(),
        }
    }
}

/// JWT thresholds (`[jwt]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwtThresholds {
    /// RSA keys below this many bits fail.
    pub min_rsa_bits: u32,
    /// A sample token living longer than this (exp − iat, seconds) warns: the brief's tokens
    /// live 15 minutes.
    pub max_token_lifetime_s: i64,
}

impl Default for JwtThresholds {
    fn default() -> Self {
        JwtThresholds {
            min_rsa_bits: 2048,
            max_token_lifetime_s: 900,
        }
    }
}

/// API thresholds (`[http]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpThresholds {
    /// The state-retrieval latency target, milliseconds: p99 above it warns, p50 above it fails.
    pub latency_target_ms: f64,
}

impl Default for HttpThresholds {
    fn default() -> Self {
        HttpThresholds {
            latency_target_ms: LATENCY_TARGET_MS,
        }
    }
}

/// Sentinel thresholds (`[sentinel]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SentinelThresholds {
    /// Fewer sentinels than this fails.
    pub min_sentinels: u64,
    /// A replica whose master link has been down this long (seconds) is not healthy.
    pub replica_lag_warn_s: f64,
}

impl Default for SentinelThresholds {
    fn default() -> Self {
        SentinelThresholds {
            min_sentinels: 3,
            replica_lag_warn_s: 10.0,
        }
    }
}

/// Redis Cluster thresholds (`[cluster]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterThresholds {
    /// Keys per master further apart than this factor warns.
    pub balance_ratio: f64,
    /// Below this many keys in the whole cluster the balance is not judged.
    pub balance_min_keys: u64,
}

impl Default for ClusterThresholds {
    fn default() -> Self {
        ClusterThresholds {
            balance_ratio: 2.0,
            balance_min_keys: 1000,
        }
    }
}

/// TLS thresholds (`[tls]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsThresholds {
    /// A certificate expiring within this many days warns.
    pub expiry_warn_days: i64,
    /// Within this many days (or expired) fails.
    pub expiry_fail_days: i64,
}

impl Default for TlsThresholds {
    fn default() -> Self {
        TlsThresholds {
            expiry_warn_days: 30,
            expiry_fail_days: 7,
        }
    }
}

/// Redis thresholds (`[redis]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisThresholds {
    /// Lowest acceptable server version, "major.minor".
    pub min_version: String,
    /// connected_clients / maxclients above this warns.
    pub clients_warn_ratio: f64,
    /// connected_clients / maxclients above this fails.
    pub clients_fail_ratio: f64,
    /// used_memory / maxmemory above this warns.
    pub memory_warn_ratio: f64,
    /// mem_fragmentation_ratio above this (with enough bytes wasted) warns.
    pub fragmentation_ratio: f64,
    /// Bytes that must be wasted before a high fragmentation ratio matters.
    pub fragmentation_min_bytes: u64,
    /// How many keys `redis.ttl_coverage` samples with SCAN.
    pub ttl_sample_keys: u64,
    /// Share of sampled keys without an expiry above which `redis.ttl_coverage` warns.
    pub no_ttl_warn_ratio: f64,
    /// p99 round trip above this warns (the brief's state-retrieval target), milliseconds.
    pub latency_p99_warn_ms: f64,
    /// Any round trip or latency event above this fails, milliseconds.
    pub latency_spike_fail_ms: f64,
    /// New connections per second (total_connections_received over the window) above this
    /// warn: pooled clients open a handful a second, so 100/s is clients reconnecting for
    /// every request or crash-looping.
    pub churn_warn_per_s: f64,
    /// New connections per second above this fail: each costs an accept, a client struct and
    /// AUTH (a TLS handshake too), and leaves a TIME_WAIT socket on the client for 60 s; one
    /// client host's default ephemeral range (32768-60999, 28,232 ports) sustains ~470/s to
    /// one server port, so 1000/s is port exhaustion for the busier clients.
    pub churn_fail_per_s: f64,
    /// Fewer commands than this per new connection (total_commands_processed over
    /// total_connections_received, this run's own commands left out) warns: a connection per
    /// request or so. Judged only at `churn_min_per_s` new connections a second or more.
    pub commands_per_connection_warn: f64,
    /// Below this many new connections per second the commands-per-connection ratio is not
    /// judged (a health check connecting once a second is not churn).
    pub churn_min_per_s: f64,
    /// `redis.acl` warns on ACL users never seen connected only when the window (--sample) is
    /// at least this long, seconds; a shorter window lists them without judging.
    pub acl_unused_min_window_s: f64,
}

impl Default for RedisThresholds {
    fn default() -> Self {
        RedisThresholds {
            min_version: "7.0".into(),
            clients_warn_ratio: 0.8,
            clients_fail_ratio: 0.95,
            memory_warn_ratio: 0.9,
            fragmentation_ratio: 1.5,
            fragmentation_min_bytes: 10 * 1024 * 1024,
            ttl_sample_keys: 1000,
            no_ttl_warn_ratio: 0.10,
            latency_p99_warn_ms: LATENCY_TARGET_MS,
            latency_spike_fail_ms: LATENCY_SPIKE_MS,
            churn_warn_per_s: 100.0,
            churn_fail_per_s: 1000.0,
            commands_per_connection_warn: 10.0,
            churn_min_per_s: 10.0,
            acl_unused_min_window_s: 60.0,
        }
    }
}

/// PostgreSQL thresholds (`[postgres]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostgresThresholds {
    /// Lowest acceptable server_version_num.
    pub min_version_num: u32,
    /// Client backends / max_connections above this warns.
    pub connections_warn_ratio: f64,
    /// Client backends / max_connections above this fails.
    pub connections_fail_ratio: f64,
    /// A session idle in transaction longer than this (seconds) warns.
    pub idle_in_transaction_warn_s: f64,
    /// A replica's replay_lag above this (seconds) warns.
    pub replay_lag_warn_s: f64,
    /// age(datfrozenxid) above this warns.
    pub xid_age_warn: i64,
    /// age(datfrozenxid) above this fails.
    pub xid_age_fail: i64,
    /// Requested checkpoints / all checkpoints above this warns: max_wal_size fills before
    /// checkpoint_timeout.
    pub checkpoint_req_warn_ratio: f64,
    /// Fewer checkpoints than this since the statistics were reset are too few to judge.
    pub checkpoint_min_count: u64,
    /// New sessions per second over the window (pg_stat_database.sessions) above this warns:
    /// clients connect per request. Each new backend is a fork, an authentication (SCRAM's
    /// 4096 iterations) and a cold catalogue cache: milliseconds of the server's CPU and of the
    /// request's latency, against the 5 ms target.
    pub sessions_per_s_warn: f64,
    /// New sessions per second above this fails.
    pub sessions_per_s_fail: f64,
    /// max_connections above this many per CPU of a local server warns: the cores cannot run
    /// that many backends at once (a pooler keeps a few per core busy instead).
    pub max_connections_per_core_warn: f64,
}

impl Default for PostgresThresholds {
    fn default() -> Self {
        PostgresThresholds {
            min_version_num: 150000,
            connections_warn_ratio: 0.8,
            connections_fail_ratio: 0.95,
            idle_in_transaction_warn_s: 300.0,
            replay_lag_warn_s: 5.0,
            xid_age_warn: 1_300_000_000,
            xid_age_fail: 1_400_000_000,
            checkpoint_req_warn_ratio: 0.3,
            checkpoint_min_count: 10,
            sessions_per_s_warn: 5.0,
            sessions_per_s_fail: 50.0,
            max_connections_per_core_warn: 4.0,
        }
    }
}

/// Kernel thresholds (`[kernel]` in statectl.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KernelThresholds {
    /// Lowest acceptable kernel release, "major.minor".
    pub min_version: String,
    /// net.core.somaxconn below this warns.
    pub somaxconn_min: u64,
    /// net.ipv4.tcp_max_syn_backlog below this warns.
    pub syn_backlog_min: u64,
    /// RetransSegs/OutSegs over the window above this warns.
    pub retrans_warn_ratio: f64,
    /// RetransSegs/OutSegs over the window above this fails.
    pub retrans_fail_ratio: f64,
    /// nf_conntrack_count/nf_conntrack_max above this warns.
    pub conntrack_warn_ratio: f64,
    /// NIC error or drop ratio over the window above this warns.
    pub nic_error_ratio: f64,
    /// Link speed below this (Mb/s) warns: the brief's hardware profile.
    pub link_speed_min_mbps: u32,
}

impl Default for KernelThresholds {
    fn default() -> Self {
        KernelThresholds {
            min_version: "5.10".into(),
            somaxconn_min: 4096,
            syn_backlog_min: 8192,
            retrans_warn_ratio: 0.01,
            retrans_fail_ratio: 0.05,
            conntrack_warn_ratio: 0.8,
            nic_error_ratio: 0.01,
            link_speed_min_mbps: 10000,
        }
    }
}

impl Thresholds {
    /// Parses statectl.toml text; unknown keys are errors so typos do not pass silently.
    pub fn parse(text: &str) -> Result<Thresholds, String> {
        let t: Thresholds = toml::from_str(text).map_err(|e| {
            // toml's message spans several lines with a caret; keep it on one.
            e.message().to_string()
                + &e.span()
                    .map(|s| format!(" (at byte {})", s.start))
                    .unwrap_or_default()
        })?;
        parse_major_minor(&t.redis.min_version).ok_or_else(|| {
            format!(
                "redis.min_version {:?} is not major.minor",
                t.redis.min_version
            )
        })?;
        parse_major_minor(&t.kernel.min_version).ok_or_else(|| {
            format!(
                "kernel.min_version {:?} is not major.minor",
                t.kernel.min_version
            )
        })?;
        t.check_ranges()?;
        Ok(t)
    }
}

impl Thresholds {
    /// The value of `section.key` (`redis.clients_warn_ratio`) as a check doc shows it:
    /// plainly, as a percentage with `%` (`0.01` → `1%`), or in MiB with `MiB`.
    pub fn shown(&self, key: &str, unit: &str) -> Option<String> {
        let all = serde_json::to_value(self).ok()?;
        let (section, name) = key.split_once('.')?;
        let v = all.get(section)?.get(name)?;
        let num = |f: f64| {
            let s = format!("{f:.4}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        Some(match (unit, v) {
            ("%", serde_json::Value::Number(n)) => format!("{}%", num(n.as_f64()? * 100.0)),
            ("MiB", serde_json::Value::Number(n)) => {
                format!("{} MiB", num(n.as_f64()? / 1048576.0))
            }
            ("", serde_json::Value::Number(n)) if n.is_f64() => num(n.as_f64()?),
            ("", serde_json::Value::Number(n)) => n.to_string(),
            ("", serde_json::Value::String(s)) => s.clone(),
            _ => return None,
        })
    }

    /// A check doc with every `{section.key}` or `{section.key:unit}` filled from these
    /// thresholds; an unknown key stays as written (a unit test proves none is left).
    pub fn fill(&self, doc: &str) -> String {
        let mut out = String::with_capacity(doc.len());
        let mut rest = doc;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            let inner = &rest[open + 1..close];
            let (key, unit) = inner.split_once(':').unwrap_or((inner, ""));
            out.push_str(&rest[..open]);
            match self.shown(key, unit) {
                Some(v) => out.push_str(&v),
                None => out.push_str(&rest[open..=close]),
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

impl Thresholds {
    /// Ranges and orderings a threshold file must respect; the error names the key and the rule.
    fn check_ranges(&self) -> Result<(), String> {
        let (r, p, k) = (&self.redis, &self.postgres, &self.kernel);
        let ratios = [
            ("redis.clients_warn_ratio", r.clients_warn_ratio),
            ("redis.clients_fail_ratio", r.clients_fail_ratio),
            ("redis.memory_warn_ratio", r.memory_warn_ratio),
            ("redis.no_ttl_warn_ratio", r.no_ttl_warn_ratio),
            ("postgres.connections_warn_ratio", p.connections_warn_ratio),
            ("postgres.connections_fail_ratio", p.connections_fail_ratio),
            (
                "postgres.checkpoint_req_warn_ratio",
                p.checkpoint_req_warn_ratio,
            ),
            ("kernel.retrans_warn_ratio", k.retrans_warn_ratio),
            ("kernel.retrans_fail_ratio", k.retrans_fail_ratio),
            ("kernel.conntrack_warn_ratio", k.conntrack_warn_ratio),
            ("kernel.nic_error_ratio", k.nic_error_ratio),
        ];
        for (key, v) in ratios {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{key} = {v}: a ratio must be between 0 and 1"));
            }
        }
        let positive = [
            ("redis.latency_p99_warn_ms", r.latency_p99_warn_ms),
            ("redis.latency_spike_fail_ms", r.latency_spike_fail_ms),
            ("redis.ttl_sample_keys", r.ttl_sample_keys as f64),
            ("redis.churn_warn_per_s", r.churn_warn_per_s),
            ("redis.churn_fail_per_s", r.churn_fail_per_s),
            (
                "redis.commands_per_connection_warn",
                r.commands_per_connection_warn,
            ),
            ("redis.churn_min_per_s", r.churn_min_per_s),
            ("redis.acl_unused_min_window_s", r.acl_unused_min_window_s),
            (
                "postgres.idle_in_transaction_warn_s",
                p.idle_in_transaction_warn_s,
            ),
            ("postgres.replay_lag_warn_s", p.replay_lag_warn_s),
            ("postgres.xid_age_warn", p.xid_age_warn as f64),
            (
                "postgres.checkpoint_min_count",
                p.checkpoint_min_count as f64,
            ),
            ("postgres.sessions_per_s_warn", p.sessions_per_s_warn),
            ("postgres.sessions_per_s_fail", p.sessions_per_s_fail),
            (
                "postgres.max_connections_per_core_warn",
                p.max_connections_per_core_warn,
            ),
            ("kernel.somaxconn_min", k.somaxconn_min as f64),
            ("kernel.syn_backlog_min", k.syn_backlog_min as f64),
            (
                "kernel.link_speed_min_mbps",
                f64::from(k.link_speed_min_mbps),
            ),
        ];
        for (key, v) in positive {
            if !(v > 0.0 && v.is_finite()) {
                return Err(format!("{key} = {v}: must be greater than 0"));
            }
        }
        if !(self.cluster.balance_ratio >= 1.0 && self.cluster.balance_ratio.is_finite()) {
            return Err(format!(
                "cluster.balance_ratio = {}: must be at least 1",
                self.cluster.balance_ratio
            ));
        }
        let lag = self.sentinel.replica_lag_warn_s;
        if self.sentinel.min_sentinels == 0 || lag.is_nan() || lag <= 0.0 {
            return Err(
                "sentinel.min_sentinels and sentinel.replica_lag_warn_s must be greater than 0"
                    .into(),
            );
        }
        let tls = &self.tls;
        if tls.expiry_fail_days < 0 || tls.expiry_warn_days < tls.expiry_fail_days {
            return Err(format!(
                "tls.expiry_warn_days = {} and tls.expiry_fail_days = {}: need 0 <= fail <= warn",
                tls.expiry_warn_days, tls.expiry_fail_days
            ));
        }
        if !(r.fragmentation_ratio >= 1.0 && r.fragmentation_ratio.is_finite()) {
            return Err(format!(
                "redis.fragmentation_ratio = {}: must be at least 1 (below 1 means swapping)",
                r.fragmentation_ratio
            ));
        }
        let ordered = [
            (
                "redis.clients_warn_ratio",
                r.clients_warn_ratio,
                "redis.clients_fail_ratio",
                r.clients_fail_ratio,
            ),
            (
                "redis.latency_p99_warn_ms",
                r.latency_p99_warn_ms,
                "redis.latency_spike_fail_ms",
                r.latency_spike_fail_ms,
            ),
            (
                "redis.churn_warn_per_s",
                r.churn_warn_per_s,
                "redis.churn_fail_per_s",
                r.churn_fail_per_s,
            ),
            (
                "postgres.connections_warn_ratio",
                p.connections_warn_ratio,
                "postgres.connections_fail_ratio",
                p.connections_fail_ratio,
            ),
            (
                "postgres.xid_age_warn",
                p.xid_age_warn as f64,
                "postgres.xid_age_fail",
                p.xid_age_fail as f64,
            ),
            (
                "postgres.sessions_per_s_warn",
                p.sessions_per_s_warn,
                "postgres.sessions_per_s_fail",
                p.sessions_per_s_fail,
            ),
            (
                "kernel.retrans_warn_ratio",
                k.retrans_warn_ratio,
                "kernel.retrans_fail_ratio",
                k.retrans_fail_ratio,
            ),
        ];
        for (wk, w, fk, f) in ordered {
            if w > f {
                return Err(format!(
                    "{wk} = {w} is above {fk} = {f}: a warning must come before the failure"
                ));
            }
        }
        Ok(())
    }
}

/// Parses the leading `major.minor` of a version string such as `7.0.15` or `6.1.0-18-amd64`.
pub fn parse_major_minor(s: &str) -> Option<(u32, u32)> {
    let mut parts = s.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    Some((major, minor))
}

/// How long probes may take and how long counters are sampled.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Per-probe timeout.
    pub timeout: Duration,
    /// Counter sampling window.
    pub sample: Duration,
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

    #[test]
    fn empty_file_gives_defaults_and_overrides_apply() {
        assert_eq!(Thresholds::parse("").unwrap(), Thresholds::default());
        let t = Thresholds::parse("[redis]\nclients_warn_ratio = 0.5\n").unwrap();
        assert_eq!(t.redis.clients_warn_ratio, 0.5);
        assert_eq!(t.redis.clients_fail_ratio, 0.95);
    }

    #[test]
    fn typos_and_bad_versions_are_errors() {
        let e = Thresholds::parse("[redis]\nclient_warn_ratio = 0.5\n").unwrap_err();
        assert!(e.contains("client_warn_ratio"), "{e}");
        assert!(Thresholds::parse("[kernel]\nmin_version = \"new\"\n").is_err());
        assert!(!Thresholds::parse("[redis\n").unwrap_err().contains('\n'));
    }

    #[test]
    fn versions_parse_from_release_strings() {
        assert_eq!(parse_major_minor("6.1.0-18-amd64"), Some((6, 1)));
        assert_eq!(parse_major_minor("7.0.15"), Some((7, 0)));
        assert_eq!(parse_major_minor("5"), Some((5, 0)));
        assert_eq!(parse_major_minor("x"), None);
    }

    #[test]
    fn docs_fill_from_the_thresholds_in_force() {
        let t = Thresholds::default();
        assert_eq!(
            t.fill("above {redis.clients_warn_ratio} warns, {kernel.retrans_warn_ratio:%}, {redis.fragmentation_min_bytes:MiB}, {kernel.min_version}, {postgres.xid_age_warn}"),
            "above 0.8 warns, 1%, 10 MiB, 5.10, 1300000000"
        );
        let t = Thresholds::parse("[redis]\nclients_warn_ratio = 0.7\n").unwrap();
        assert_eq!(t.fill("{redis.clients_warn_ratio}"), "0.7");
        assert_eq!(t.fill("{redis.nosuch} {"), "{redis.nosuch} {");
    }

    // issue 12, defect 26: -5 ms and a warn ratio above its fail ratio were accepted
    #[test]
    fn out_of_range_and_misordered_thresholds_name_the_key_and_the_rule() {
        for (text, needle) in [
            (
                "[redis]\nlatency_p99_warn_ms = -5\n",
                "redis.latency_p99_warn_ms = -5: must be greater than 0",
            ),
            (
                "[redis]\nclients_warn_ratio = 0.99\n",
                "redis.clients_warn_ratio = 0.99 is above redis.clients_fail_ratio",
            ),
            (
                "[kernel]\nnic_error_ratio = 1.5\n",
                "kernel.nic_error_ratio = 1.5: a ratio must be between 0 and 1",
            ),
            (
                "[postgres]\nxid_age_warn = 2000000000\n",
                "postgres.xid_age_warn = 2000000000 is above",
            ),
            (
                "[redis]\nfragmentation_ratio = 0.5\n",
                "redis.fragmentation_ratio",
            ),
            (
                "[redis]\nlatency_spike_fail_ms = 1\n",
                "redis.latency_p99_warn_ms = 5 is above redis.latency_spike_fail_ms = 1",
            ),
        ] {
            let e = Thresholds::parse(text).unwrap_err();
            assert!(e.contains(needle), "{text}: {e}");
        }
        assert!(
            Thresholds::parse("[redis]\nclients_warn_ratio = 0.95\n").is_ok(),
            "equal is fine"
        );
    }
}
