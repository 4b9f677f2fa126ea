//! Redis checks, one file per concern: capacity (clients, memory, eviction, fragmentation,
//! TTLs), latency, security, replication (and persistence), host. Reachability and version live
//! here with the list of checks and the helpers they share.

mod access;
mod capacity;
mod exposure;
mod host;
mod latency;
mod replication;
mod security;

pub use access::{acl, connection_churn};
pub use capacity::{eviction_policy, fragmentation, maxclients, maxmemory, ttl_coverage};
pub use exposure::exposure;
pub use host::{host, tcp_backlog};
pub use latency::latency;
pub use replication::{
    min_replicas, persistence, replicas_at_risk, replication, rpo, split_brain, AtRisk,
    REPLICA_ACK_PERIOD_S,
};
pub use security::{security, tls, tls_config, tls_files};

use super::{unreachable_verdict, Area, Check, Ctx, Eval, Tag};
use crate::config::parse_major_minor;
use crate::model::{Status, Verdict};
use crate::observe::kernel::KernelObservation;
use crate::tune::redis::{maxmemory_for, maxmemory_share};
use std::collections::BTreeMap;

use crate::observe::redis::{LocalFacts, RedisSnapshot};
use crate::observe::ProbeError;

const BOTH: &[Tag] = &[Tag::Doctor, Tag::Preflight];
const DOCTOR: &[Tag] = &[Tag::Doctor];

/// The Redis checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "redis.reachable",
        area: Area::Redis,
        tags: BOTH,
        doc: "TCP connect, AUTH and PING within --timeout; fails on refused, timeout, wrong password or a non-Redis peer",
        full: false,
        eval: Eval::RedisReach(reachable),
    },
    Check {
        id: "redis.version",
        area: Area::Redis,
        tags: BOTH,
        doc: "redis_version is at least {redis.min_version} (redis.min_version)",
        full: false,
        eval: Eval::Redis(version),
    },
    Check {
        id: "redis.maxclients",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "connected_clients/maxclients above {redis.clients_warn_ratio} warns, above {redis.clients_fail_ratio} fails; rejected_connections rising in the window fails; a local nofile limit below maxclients+32 warns",
        full: true,
        eval: Eval::Redis(maxclients),
    },
    Check {
        id: "redis.maxmemory",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "maxmemory 0 fails (the remediation names ~80% of RAM); used_memory/maxmemory above {redis.memory_warn_ratio} warns",
        full: true,
        eval: Eval::Redis(maxmemory),
    },
    Check {
        id: "redis.eviction_policy",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "noeviction on a cache warns; evicted_keys rising in the window warns",
        full: true,
        eval: Eval::Redis(eviction_policy),
    },
    Check {
        id: "redis.fragmentation",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "mem_fragmentation_ratio above {redis.fragmentation_ratio} with more than {redis.fragmentation_min_bytes:MiB} wasted warns; below 1.0 (swapping) warns",
        full: true,
        eval: Eval::Redis(fragmentation),
    },
    Check {
        id: "redis.ttl_coverage",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "a bounded SCAN sample ({redis.ttl_sample_keys} keys, never KEYS) with more than {redis.no_ttl_warn_ratio:%} of keys without an expiry warns",
        full: true,
        eval: Eval::Redis(ttl_coverage),
    },
    Check {
        id: "redis.latency",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "PING round trips over the window: p99 above {redis.latency_p99_warn_ms} ms warns, any above {redis.latency_spike_fail_ms} ms fails; LATENCY LATEST and SLOWLOG entries in the window by the same bounds",
        full: true,
        eval: Eval::Redis(latency),
    },
    Check {
        id: "redis.security",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "a non-loopback bind fails with a passwordless default user or protected-mode no; default nopass or app users allowed FLUSHALL/CONFIG/DEBUG/KEYS warn (TLS: redis.tls, redis.tls_config)",
        full: true,
        eval: Eval::Redis(security),
    },
    Check {
        id: "redis.exposure",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "from --from's vantage point (netns:NAME or ssh:[USER@]HOST), a TCP handshake completed at the target's address or, for a server on this host, at any of this host's addresses on its port (at most 16) fails, saying what PING answered there (PONG: no password; NOAUTH: asks for AUTH; DENIED: protected mode; else a TLS handshake: TLS required, client certificate asked or not); refused, unreachable or timed out everywhere passes; a port that takes the connection and answers nothing fails, from a namespace and over ssh alike; an address not finished within the bound on the look (two rounds of --timeout and a margin) is never counted as refused, none finished is an error; skip without --from; a vantage point that cannot be used (no such namespace, ssh not logged in within the time) is an error",
        full: false,
        eval: Eval::Exposure(exposure),
    },
    Check {
        id: "redis.acl",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "least privilege from ACL LIST and ACL DRYRUN: an enabled user with nopass (the default user too) fails on a non-loopback (or unreadable) bind and warns on loopback; a user that may run every command, FLUSHALL, CONFIG, DEBUG or KEYS (or +@dangerous/+@admin) warns (an operator account needs them: this run's own user is exempt), and fails when --redis-service declares it a service; a service declared ro whose user ACL DRYRUN lets run SET, DEL, HSET … (on any key) fails; a declared service with no enabled user warns; users sharing one password (equal hashes, never shown) warn; enabled users seen in no CLIENT LIST read over the window warn when --sample is at least {redis.acl_unused_min_window_s} s (a client connecting between reads is missed); ACL commands refused: skip naming the grant",
        full: true,
        eval: Eval::Redis(acl),
    },
    Check {
        id: "redis.connection_churn",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "total_connections_received over the window above {redis.churn_warn_per_s}/s warns, above {redis.churn_fail_per_s}/s fails; fewer than {redis.commands_per_connection_warn} commands (total_commands_processed, this run's own left out) per new connection warns at {redis.churn_min_per_s}/s or more: clients connect per request, use a pool; names the client addresses (never names or commands) with connections 0-1 s old in CLIENT LIST",
        full: true,
        eval: Eval::Redis(connection_churn),
    },
    Check {
        id: "redis.tls",
        area: Area::Redis,
        tags: BOTH,
        doc: "a live handshake with a rediss:// target: TLS 1.3 passes, 1.2 warns, lower fails; a certificate that does not verify (issuer, name, dates) fails; expiry within {tls.expiry_warn_days} days warns, {tls.expiry_fail_days} fails; skip for redis://",
        full: false,
        eval: Eval::Tls(tls),
    },
    Check {
        id: "redis.tls_config",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "CONFIG: no tls-port, tls-auth-clients other than yes, tls-replication no on a primary with replicas, or tls-protocols allowing TLSv1.2 or lower warns",
        full: true,
        eval: Eval::Redis(tls_config),
    },
    Check {
        id: "redis.tls_files",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "for a local server: tls-cert-file, tls-client-cert-file and tls-ca-cert-file expiring within {tls.expiry_warn_days} days warn, {tls.expiry_fail_days} fail; a key file that does not match its certificate fails",
        full: true,
        eval: Eval::Redis(tls_files),
    },
    Check {
        id: "redis.persistence",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "rdb_last_bgsave_status or aof_last_write_status other than ok fails",
        full: true,
        eval: Eval::Redis(persistence),
    },
    Check {
        id: "redis.replication",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "a replica whose master link is down fails (it serves stale state and may be promoted into a split brain)",
        full: true,
        eval: Eval::Redis(replication),
    },
    Check {
        id: "redis.min_replicas",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "a master with replicas and min-replicas-to-write 0 warns; the remediation gives the value for a majority acknowledgement",
        full: true,
        eval: Eval::Redis(min_replicas),
    },
    Check {
        id: "redis.rpo",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "for a master with replicas, each replica's data at risk from INFO replication over the window: bytes = master_repl_offset minus the offset it acknowledged, seconds = those bytes at the master's write rate (its master_repl_offset's change over the window), at least its ACK lag when the master wrote nothing (a lower bound: over the objective it fails, under it warns, as it cannot pass); a replica over the recovery point objective (--rpo or [replication] rpo) fails, named with its bytes and seconds, and so does one not online (wait_bgsave, send_bulk: a full resync), and a master with no replica once an objective is declared; replicas acknowledge once a second, so ~1 s is the resolution; no objective declared (the figures are still given), or a replica target (judged on its master): skip",
        full: true,
        eval: Eval::Redis(rpo),
    },
    Check {
        id: "redis.split_brain",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "more than one node of a Sentinel deployment answering role:master fails, listing the masters and their master_repl_offset; skip for a server named alone and for Cluster nodes",
        full: false,
        eval: Eval::RedisGroup(split_brain),
    },
    Check {
        id: "redis.tcp_backlog",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "tcp-backlog above net.core.somaxconn warns: the kernel silently caps the accept queue (local servers)",
        full: true,
        eval: Eval::Redis(tcp_backlog),
    },
    Check {
        id: "redis.host",
        area: Area::Redis,
        tags: DOCTOR,
        doc: "for a local server: vm.overcommit_memory other than 1 or THP [always] warns; OOM-killer kills of redis-server in the kernel log fail",
        full: true,
        eval: Eval::Redis(host),
    },
];

pub(super) fn ms(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// A byte count for people: `1.5 GiB`.
pub fn human_bytes(n: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n;
    let mut u = 0;
    while v >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n:.0} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// A byte count in redis.conf syntax, rounded down to whole megabytes: `1638mb`.
pub(super) fn conf_bytes(n: f64) -> String {
    format!("{}mb", (n / (1024.0 * 1024.0)).floor() as u64)
}

pub(super) type Info = BTreeMap<String, String>;

/// Below this much data MEMORY DOCTOR calls an instance empty (5 MB, redis/src/object.c).
pub(super) const NEARLY_EMPTY: f64 = 5.0 * 1024.0 * 1024.0;

/// The INFO reads at the start and end of the window, or the skip that says why there are none.
pub(super) fn infos(s: &RedisSnapshot) -> Result<(&Info, &Info), Verdict> {
    let a = s
        .info
        .as_ref()
        .map_err(|e| Verdict::skip(format!("INFO is not readable: {e}")))?;
    Ok((a, s.info_end.as_ref().unwrap_or(a)))
}

/// Both INFO reads of the window, for checks that judge a counter's change over it. A window in
/// which the server stopped answering (PINGs without a reply, or no closing INFO) is no window:
/// its deltas would read 0 and pass, so the check is an error that says why.
pub(super) fn window(s: &RedisSnapshot) -> Result<(&Info, &Info), Verdict> {
    let a = s
        .info
        .as_ref()
        .map_err(|e| Verdict::skip(format!("INFO is not readable: {e}")))?;
    let b = s.info_end.as_ref().map_err(|e| {
        Verdict::new(
            Status::Error,
            format!("the counters could not be read at the end of the window: {e}"),
        )
    })?;
    if s.ping_timeouts > 0 {
        return Err(Verdict::new(
            Status::Error,
            format!(
                "the server stopped answering during the window ({} PING(s) got no reply): changes over it mean nothing",
                s.ping_timeouts
            ),
        )
        .with("ping_timeouts", s.ping_timeouts)
        .fix("See redis.latency; run again once the server answers"));
    }
    Ok((a, b))
}

pub(super) fn config(s: &RedisSnapshot) -> Result<&Info, Verdict> {
    s.config.as_ref().map_err(|e| {
        Verdict::skip(format!(
            "CONFIG GET is not available (renamed, or denied to this user): {e}"
        ))
    })
}

pub(super) fn num(m: &Info, k: &str) -> Option<f64> {
    m.get(k)?.parse().ok()
}

pub(super) fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

/// `redis.reachable`.
pub fn reachable(
    r: &Result<RedisSnapshot, ProbeError>,
    service: Option<&crate::observe::service::ServiceState>,
) -> Verdict {
    match r {
        Ok(s) => {
            let mut v = Verdict::pass(format!("PONG in {} ms", ms(s.first_ping)))
                .with("ping_ms", ms(s.first_ping));
            if let Ok(info) = &s.info {
                if let Some(ver) = info.get("redis_version") {
                    v = v.with("redis_version", ver);
                }
            }
            if let Some(note) = &s.auth_note {
                v = v.with("auth", note);
            }
            v
        }
        Err(ProbeError::Other { addr, detail }) if detail.contains("max number of clients") => {
            Verdict::new(
                Status::Fail,
                format!("{addr} refuses new clients: ERR max number of clients reached"),
            )
            .with("failure", "maxclients")
            .fix("Raise maxclients (CONFIG SET maxclients, redis.conf) and LimitNOFILE to maxclients+32; close leaking clients (CLIENT LIST, CLIENT KILL); verify with `redis-cli INFO clients`")
        }
        Err(e) => super::with_service(
            unreachable_verdict(e, "redis-server", "redis-cli -h HOST -p PORT PING"),
            service,
        ),
    }
}

/// `redis.version`.
pub fn version(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let info = match infos(s) {
        Ok((i, _)) => i,
        Err(skip) => return skip,
    };
    let Some(ver) = info.get("redis_version") else {
        return Verdict::skip("INFO has no redis_version field");
    };
    let want = parse_major_minor(&t.redis.min_version).unwrap_or((7, 0));
    // Valkey's redis_version is the Redis release it is compatible with: the minimum is judged
    // on it, and the summary names Valkey's own release
    let have = parse_major_minor(ver);
    let flavor = crate::observe::redis::Flavor::of(info);
    let own = flavor.version(info).unwrap_or(ver);
    let mut v = match flavor {
        crate::observe::redis::Flavor::Redis => Verdict::pass(format!("Redis {ver}")),
        crate::observe::redis::Flavor::Valkey => {
            Verdict::pass(format!("Valkey {own} (compatible with Redis {ver})"))
                .with("server", "valkey")
                .with("valkey_version", own)
        }
    };
    v = v
        .with("redis_version", ver)
        .with("minimum", &t.redis.min_version);
    match have {
        Some(h) if h >= want => v,
        Some(_) => {
            let mut v = v;
            v.escalate(
                Status::Fail,
                format!("Redis {ver} is older than {}", t.redis.min_version),
                "Upgrade to Redis 7 (ACLs v2, functions, multi-part AOF); verify with `redis-cli INFO server`",
            );
            v
        }
        None => Verdict::new(Status::Error, format!("cannot parse redis_version {ver:?}")),
    }
}

/// A verdict's remediation in the words of the server that gave it: Valkey's CLI, binaries and
/// config file for a Valkey target.
fn in_its_words(s: &RedisSnapshot, mut v: Verdict) -> Verdict {
    if let Ok(info) = &s.info {
        v.remediation = crate::observe::redis::Flavor::of(info).words(&v.remediation);
    }
    v
}

/// The redis area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    // a cluster's seeds are Redis targets: its checks too need them reached
    let reach = (super::needs(checks, super::Area::Redis)
        || super::needs(checks, super::Area::Cluster))
    .then(|| super::reach_check(checks, CHECKS))
    .flatten();
    let targets = obs.redis.iter().map(|o| super::ServerTarget {
        target: &o.target,
        addr: &o.addr,
        result: &o.result,
        service: o.service.as_ref(),
        tls: o.tls.as_ref(),
        exposure: o.exposure.as_ref(),
    });
    super::each_server(
        super::Area::Redis,
        checks,
        ctx,
        targets,
        reach,
        |e, o, t| match e {
            super::Eval::RedisReach(f) => Some(f(o.result, o.service)),
            super::Eval::Redis(f) => Some(match o.result {
                Ok(s) => in_its_words(s, f(s, t)),
                Err(_) => super::unreachable_skip("redis.reachable"),
            }),
            _ => None,
        },
        out,
    );
    // deployment-wide Redis checks: once per deployment; standalone servers each alone
    let mut groups: Vec<(String, Vec<&crate::observe::RedisObservation>)> = Vec::new();
    for o in &obs.redis {
        let key = o.member.as_ref().map_or(&o.target, |m| &m.0).clone();
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(o),
            None => groups.push((key, vec![o])),
        }
    }
    for (label, members) in &groups {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::RedisGroup(f) = c.eval {
                out.push(crate::model::Finding::new(
                    c.id,
                    label,
                    f(label, members, t),
                ));
            }
        }
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::config::Thresholds;

    use crate::observe::redis::{AclUser, LocalFacts, TtlSample};
    use crate::observe::Observations;
    use std::time::Duration;

    pub fn map(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A healthy snapshot; each test breaks one thing.
    pub fn snapshot(info: &[(&str, &str)]) -> RedisSnapshot {
        let mut base = map(&[
            ("redis_version", "7.0.15"),
            ("connected_clients", "3"),
            ("maxclients", "10000"),
            ("rejected_connections", "0"),
            ("maxmemory", "2147483648"),
            ("used_memory", "1048576"),
            ("used_memory_rss", "8388608"),
            ("mem_fragmentation_ratio", "8.0"),
            ("maxmemory_policy", "allkeys-lru"),
            ("evicted_keys", "0"),
            ("rdb_last_bgsave_status", "ok"),
            ("aof_enabled", "0"),
            ("aof_last_write_status", "ok"),
            ("role", "master"),
            ("connected_slaves", "0"),
            ("total_system_memory", "25769803776"),
            ("total_connections_received", "20"),
            ("total_commands_processed", "5000"),
        ]);
        base.extend(map(info));
        RedisSnapshot {
            first_ping: Duration::from_micros(250),
            info: Ok(base.clone()),
            stats_start: Ok(base.clone()),
            repl_start: Ok(base.clone()),
            info_end: Ok(base),
            window: Duration::from_secs(1),
            config: Ok(map(&[
                ("bind", "127.0.0.1 -::1"),
                ("protected-mode", "yes"),
                ("tls-port", "6380"),
                ("tls-auth-clients", "yes"),
                ("tls-replication", "yes"),
                ("tls-protocols", "TLSv1.3"),
                ("tcp-backlog", "511"),
                ("maxclients", "10000"),
                ("min-replicas-to-write", "0"),
                ("latency-monitor-threshold", "100"),
            ])),
            pings: (0..100).map(|i| Duration::from_micros(200 + i)).collect(),
            ping_timeouts: 0,
            latency_events: Ok(Vec::new()),
            slowlog: Ok(Vec::new()),
            window_start_unix: 1_700_000_000,
            acl: Ok(vec![AclUser {
                name: "default".into(),
                enabled: true,
                nopass: false,
                all_commands: true,
                dangerous_allowed: Vec::new(),
                ..Default::default()
            }]),
            ttl_sample: Ok(TtlSample {
                sampled: 100,
                without_ttl: 2,
                dbsize: 100,
            }),
            local: Some(LocalFacts {
                pid: 42,
                nofile: Ok(65535),
            }),
            auth_note: None,
            cert_files: crate::doctor::tls::tests::healthy_files(),
            connected_as: "default".into(),
            services: BTreeMap::new(),
            clients: Ok(crate::observe::redis::ClientSample {
                samples: 5,
                ..Default::default()
            }),
        }
    }

    /// A run that observed this (healthy) host too: 24 GiB, overcommit 1, THP madvise.
    pub static HOST: std::sync::LazyLock<Observations> =
        std::sync::LazyLock::new(|| Observations {
            kernel: Some(crate::doctor::kernel::tests::obs()),
            ..Default::default()
        });

    pub fn end(s: &mut RedisSnapshot, kv: &[(&str, &str)]) {
        s.info_end.as_mut().unwrap().extend(map(kv));
    }

    pub fn ev<'a>(v: &'a Verdict, k: &str) -> &'a str {
        &v.evidence
            .iter()
            .find(|e| e.key == k)
            .unwrap_or_else(|| panic!("no {k} in {v:?}"))
            .value
    }

    #[test]
    fn the_healthy_snapshot_passes_every_check() {
        let s = snapshot(&[]);
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        for c in CHECKS {
            let v = match c.eval {
                Eval::Redis(f) => f(&s, &t),
                Eval::RedisReach(f) => f(&Ok(s.clone()), None),
                Eval::Tls(f) => f(Some(&crate::doctor::tls::tests::healthy_look()), "h:1", &t),
                Eval::Exposure(f) => f(
                    Some(&crate::doctor::exposure::tests::look(vec![(
                        "10.0.0.1:1",
                        crate::observe::exposure::Reach::Refused,
                    )])),
                    &t,
                ),
                // judged across a deployment: tests/fixtures/scenarios/redis.json
                Eval::RedisGroup(_) => continue,
                _ => unreachable!(),
            };
            if c.id == "redis.rpo" {
                // a master without replicas: no data elsewhere to judge (replication.rs's tests)
                assert!(v.summary.starts_with("no replica"), "{v:?}");
                continue;
            }
            assert_eq!(v.status, Status::Pass, "{}: {v:?}", c.id);
        }
    }

    #[test]
    fn reachable_passes_with_rtt_and_fails_naming_the_address() {
        let v = reachable(&Ok(snapshot(&[])), None);
        assert_eq!(v.status, Status::Pass);
        assert_eq!(ev(&v, "redis_version"), "7.0.15");
        let v = reachable(
            &Err(ProbeError::Refused {
                addr: "127.0.0.1:1".into(),
            }),
            None,
        );
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("127.0.0.1:1") && v.remediation.contains("-p 1"));
        let v = reachable(
            &Err(ProbeError::Other {
                addr: "h:1".into(),
                detail: "ERR max number of clients reached".into(),
            }),
            None,
        );
        assert!(
            v.summary.contains("max number of clients") && v.remediation.contains("maxclients")
        );
    }

    #[test]
    fn version_fails_below_seven_and_skips_without_info() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        assert_eq!(
            version(&snapshot(&[("redis_version", "7.2.4")]), &t).status,
            Status::Pass
        );
        assert_eq!(
            version(&snapshot(&[("redis_version", "6.2.14")]), &t).status,
            Status::Fail
        );
        let mut s = snapshot(&[]);
        s.info = Err("NOPERM".into());
        let v = version(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("NOPERM"));
    }

    /// Valkey 8.1's INFO server section (as `valkey-server` 8.1.1 prints it): the compatibility
    /// redis_version, and its own release beside it.
    const VALKEY_8: &[(&str, &str)] = &[
        ("redis_version", "7.2.4"),
        ("server_name", "valkey"),
        ("valkey_version", "8.1.1"),
        ("valkey_release_stage", "ga"),
        ("process_id", "4242"),
    ];

    #[test]
    fn valkey_is_named_with_its_own_release_and_told_in_its_own_words() {
        let th = Thresholds::default();
        let t = Ctx {
            thresholds: &th,
            obs: &HOST,
        };
        let v = version(&snapshot(VALKEY_8), &t);
        assert_eq!(v.status, Status::Pass);
        assert_eq!(v.summary, "Valkey 8.1.1 (compatible with Redis 7.2.4)");
        assert_eq!(ev(&v, "server"), "valkey");
        // a remediation written for Redis names Valkey's CLI and config file for a Valkey target
        let mut fail = Verdict::new(Status::Fail, "x");
        fail.remediation =
            "`redis-cli CONFIG SET maxmemory 1gb` and `maxmemory 1gb` in redis.conf".into();
        let v = in_its_words(&snapshot(VALKEY_8), fail.clone());
        assert_eq!(
            v.remediation,
            "`valkey-cli CONFIG SET maxmemory 1gb` and `maxmemory 1gb` in valkey.conf"
        );
        let v = in_its_words(&snapshot(&[("redis_version", "8.0.2")]), fail.clone());
        assert_eq!(v.remediation, fail.remediation);
        assert_eq!(
            version(&snapshot(&[("redis_version", "8.0.2")]), &t).summary,
            "Redis 8.0.2"
        );
    }
}
