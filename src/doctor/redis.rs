//! Redis checks.

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
        doc: "a non-loopback bind fails with a passwordless default user or protected-mode no; default nopass, no TLS port, or app users allowed FLUSHALL/CONFIG/DEBUG/KEYS warn",
        full: true,
        eval: Eval::Redis(security),
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
        doc: "a replica whose master link is down fails (split brain); a master with replicas and min-replicas-to-write 0 warns",
        full: true,
        eval: Eval::Redis(replication),
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

fn ms(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// A byte count for people: `1.5 GiB`.
fn human_bytes(n: f64) -> String {
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
fn conf_bytes(n: f64) -> String {
    format!("{}mb", (n / (1024.0 * 1024.0)).floor() as u64)
}

type Info = BTreeMap<String, String>;

/// Below this much data MEMORY DOCTOR calls an instance empty (5 MB, redis/src/object.c).
const NEARLY_EMPTY: f64 = 5.0 * 1024.0 * 1024.0;

/// The INFO reads at the start and end of the window, or the skip that says why there are none.
fn infos(s: &RedisSnapshot) -> Result<(&Info, &Info), Verdict> {
    let a = s
        .info
        .as_ref()
        .map_err(|e| Verdict::skip(format!("INFO is not readable: {e}")))?;
    Ok((a, s.info_end.as_ref().unwrap_or(a)))
}

fn config(s: &RedisSnapshot) -> Result<&Info, Verdict> {
    s.config.as_ref().map_err(|e| {
        Verdict::skip(format!(
            "CONFIG GET is not available (renamed, or denied to this user): {e}"
        ))
    })
}

fn num(m: &Info, k: &str) -> Option<f64> {
    m.get(k)?.parse().ok()
}

fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

/// `redis.reachable`.
pub fn reachable(r: &Result<RedisSnapshot, ProbeError>) -> Verdict {
    match r {
        Ok(s) => {
            let mut v = Verdict::pass(format!("PONG in {} ms", ms(s.first_ping)))
                .with("ping_ms", ms(s.first_ping));
            if let Ok(info) = &s.info {
                if let Some(ver) = info.get("redis_version") {
                    v = v.with("redis_version", ver);
                }
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
        Err(e) => unreachable_verdict(e, "redis-server", "redis-cli -h HOST -p PORT PING"),
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
    let have = parse_major_minor(ver);
    let v = Verdict::pass(format!("Redis {ver}"))
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

const MAXCLIENTS_FIX: &str = "Raise maxclients (CONFIG SET maxclients N, and in redis.conf) and LimitNOFILE in the service unit to at least maxclients+32; look for leaking clients with CLIENT LIST; verify with `redis-cli INFO clients`";

/// `redis.maxclients`.
pub fn maxclients(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let (a, b) = match infos(s) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    let maxc =
        num(b, "maxclients").or_else(|| s.config.as_ref().ok().and_then(|c| num(c, "maxclients")));
    let Some(maxc) = maxc.filter(|m| *m > 0.0) else {
        return Verdict::skip("neither INFO nor CONFIG GET shows maxclients");
    };
    let conn = num(a, "connected_clients")
        .unwrap_or(0.0)
        .max(num(b, "connected_clients").unwrap_or(0.0));
    let ratio = conn / maxc;
    let rejected_total = num(b, "rejected_connections").unwrap_or(0.0);
    let rejected = rejected_total - num(a, "rejected_connections").unwrap_or(rejected_total);
    let mut v = Verdict::pass(format!("{conn} of {maxc} clients ({})", pct(ratio)))
        .with("connected_clients", conn)
        .with("maxclients", maxc)
        .with("ratio", format!("{ratio:.3}"))
        .with("rejected_connections_delta", rejected)
        .with("rejected_connections_total", rejected_total)
        .with("window_ms", s.window.as_millis());
    if ratio > t.redis.clients_fail_ratio {
        v.escalate(
            Status::Fail,
            format!(
                "{conn} of {maxc} clients ({}): new connections will be refused",
                pct(ratio)
            ),
            MAXCLIENTS_FIX,
        );
    } else if ratio > t.redis.clients_warn_ratio {
        v.escalate(
            Status::Warn,
            format!("{conn} of {maxc} clients ({})", pct(ratio)),
            MAXCLIENTS_FIX,
        );
    }
    if rejected > 0.0 {
        v.escalate(
            Status::Fail,
            format!("{rejected} connections rejected during the window (ERR max number of clients reached)"),
            MAXCLIENTS_FIX,
        );
    }
    if let Some(local) = &s.local {
        match &local.nofile {
            Ok(nofile) => {
                v = v.with("max_open_files", nofile);
                if (*nofile as f64) < maxc + 32.0 {
                    v.escalate(
                        Status::Warn,
                        format!("Max open files {nofile} is below maxclients+32 ({}): Redis silently lowers maxclients", maxc + 32.0),
                        "Raise LimitNOFILE in the redis-server unit (or ulimit -n) to at least maxclients+32 and restart; verify in /proc/PID/limits",
                    );
                }
            }
            Err(e) => v = v.with("max_open_files", format!("unreadable: {e}")),
        }
    }
    v
}

/// `redis.maxmemory`.
pub fn maxmemory(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let (_, b) = match infos(s) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    let (Some(maxm), Some(used)) = (num(b, "maxmemory"), num(b, "used_memory")) else {
        return Verdict::skip("INFO memory lacks maxmemory or used_memory");
    };
    let ram = host_of(s, t)
        .ok()
        .and_then(|(_, k)| k.host.mem_total.as_ref().ok().map(|m| *m as f64))
        .or_else(|| num(b, "total_system_memory"))
        .filter(|r| *r > 0.0);
    let mut v = Verdict::pass(if maxm > 0.0 {
        format!(
            "{} used of maxmemory {} ({})",
            human_bytes(used),
            human_bytes(maxm),
            pct(used / maxm)
        )
    } else {
        String::new()
    })
    .with("used_memory", used)
    .with("maxmemory", maxm);
    if let Some(r) = ram {
        v = v.with("system_memory", r);
    }
    if maxm == 0.0 {
        let suggestion = match ram {
            Some(r) => {
                let m = conf_bytes(maxmemory_for(r as u64, false) as f64);
                format!(
                    "Set maxmemory to about {:.0}% of RAM: `redis-cli CONFIG SET maxmemory {m}` and `maxmemory {m}` in redis.conf (about {:.0}% when RDB/AOF forks); verify with `redis-cli INFO memory`",
                    maxmemory_share(false) * 100.0,
                    maxmemory_share(true) * 100.0,
                )
            }
            None => "Set maxmemory to about 80% of the host's RAM (50% with RDB/AOF) with CONFIG SET maxmemory and in redis.conf; verify with `redis-cli INFO memory`".to_string(),
        };
        v.escalate(
            Status::Fail,
            format!("maxmemory is 0 (unlimited): Redis grows until the kernel OOM-kills it; {} used now", human_bytes(used)),
            &suggestion,
        );
        return v;
    }
    let ratio = used / maxm;
    if ratio > t.redis.memory_warn_ratio {
        v.escalate(
            Status::Warn,
            format!("{} used of maxmemory {} ({})", human_bytes(used), human_bytes(maxm), pct(ratio)),
            "Raise maxmemory if RAM allows, make sure an eviction policy other than noeviction is set, and shorten TTLs; verify with `redis-cli INFO memory`",
        );
    }
    v
}

/// `redis.eviction_policy`.
pub fn eviction_policy(s: &RedisSnapshot, _t: &Ctx) -> Verdict {
    let (a, b) = match infos(s) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    let Some(policy) = b.get("maxmemory_policy") else {
        return Verdict::skip("INFO memory lacks maxmemory_policy");
    };
    let evicted_total = num(b, "evicted_keys").unwrap_or(0.0);
    let evicted = evicted_total - num(a, "evicted_keys").unwrap_or(evicted_total);
    let mut v = Verdict::pass(format!("maxmemory-policy {policy}"))
        .with("maxmemory_policy", policy)
        .with("evicted_keys_delta", evicted)
        .with("evicted_keys_total", evicted_total);
    if policy == "noeviction" {
        v.escalate(
            Status::Warn,
            "maxmemory-policy is noeviction: a full cache answers writes with OOM errors".into(),
            "CONFIG SET maxmemory-policy allkeys-lru (or volatile-lru when keys without a TTL must survive), and set it in redis.conf; verify with `redis-cli CONFIG GET maxmemory-policy`",
        );
    }
    if evicted > 0.0 {
        v.escalate(
            Status::Warn,
            format!("{evicted} keys evicted during the window: the cache is full"),
            "Raise maxmemory or shrink the working set (shorter TTLs, smaller values); verify evicted_keys stops rising in `redis-cli INFO stats`",
        );
    }
    v
}

/// `redis.fragmentation`.
pub fn fragmentation(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let (_, b) = match infos(s) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    let (Some(ratio), Some(rss), Some(used)) = (
        num(b, "mem_fragmentation_ratio"),
        num(b, "used_memory_rss"),
        num(b, "used_memory"),
    ) else {
        return Verdict::skip(
            "INFO memory lacks mem_fragmentation_ratio, used_memory_rss or used_memory",
        );
    };
    let min = t.redis.fragmentation_min_bytes as f64;
    let mut v = Verdict::pass(format!("fragmentation ratio {ratio:.2}"))
        .with("mem_fragmentation_ratio", ratio)
        .with("used_memory_rss", rss)
        .with("used_memory", used);
    if used < NEARLY_EMPTY {
        // The allocator's fixed overhead dominates a near-empty instance, so its ratio means
        // nothing; MEMORY DOCTOR draws the same line.
        v.summary = format!(
            "fragmentation ratio {ratio:.2}, not judged: only {} of data",
            human_bytes(used)
        );
        return v;
    }
    if ratio > t.redis.fragmentation_ratio && rss - used > min {
        v.escalate(
            Status::Warn,
            format!("fragmentation ratio {ratio:.2}: {} of RSS is wasted", human_bytes(rss - used)),
            "CONFIG SET activedefrag yes (jemalloc builds), or restart the instance in a quiet period; verify with `redis-cli MEMORY DOCTOR`",
        );
    } else if ratio < 1.0 && used - rss > min {
        v.escalate(
            Status::Warn,
            format!("fragmentation ratio {ratio:.2}: {} of the dataset is not resident, Redis is swapping", human_bytes(used - rss)),
            "Stop the swapping: lower maxmemory below free RAM, set vm.swappiness low, or add RAM; verify with `redis-cli INFO memory` and `vmstat 1`",
        );
    }
    v
}

/// `redis.ttl_coverage`.
pub fn ttl_coverage(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let sample = match &s.ttl_sample {
        Ok(x) => x,
        Err(e) => return Verdict::skip(format!("could not sample keys with SCAN: {e}")),
    };
    if sample.sampled == 0 {
        return Verdict::pass("the keyspace is empty").with("dbsize", sample.dbsize);
    }
    let ratio = sample.without_ttl as f64 / sample.sampled as f64;
    let mut v = Verdict::pass(format!(
        "{} of {} sampled keys have no expiry ({})",
        sample.without_ttl,
        sample.sampled,
        pct(ratio)
    ))
    .with("sampled_keys", sample.sampled)
    .with("keys_without_ttl", sample.without_ttl)
    .with("ratio", format!("{ratio:.3}"))
    .with("dbsize", sample.dbsize);
    if ratio > t.redis.no_ttl_warn_ratio {
        v.escalate(
            Status::Warn,
            format!(
                "{} of {} sampled keys have no expiry ({}): stale state never leaves the cache",
                sample.without_ttl,
                sample.sampled,
                pct(ratio)
            ),
            "Write session and cache keys with a TTL (SET key value EX seconds, or EXPIRE after HSET); find offenders with `redis-cli --scan` and TTL; volatile-* eviction never touches keys without one",
        );
    }
    v
}

fn percentile(sorted: &[std::time::Duration], q: f64) -> std::time::Duration {
    if sorted.is_empty() {
        return std::time::Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

const LATENCY_FIX: &str = "Find what blocks the event loop: `redis-cli SLOWLOG GET 10` and `LATENCY DOCTOR`; replace KEYS/large DEL/FLUSHALL with SCAN/UNLINK/ASYNC, check fork time (latest_fork_usec), THP and swapping; enable `latency-monitor-threshold 100`";

/// `redis.latency`.
pub fn latency(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let warn_ms = t.redis.latency_p99_warn_ms;
    let fail_ms = t.redis.latency_spike_fail_ms;
    let mut sorted = s.pings.clone();
    sorted.sort();
    if sorted.is_empty() && s.ping_timeouts == 0 {
        return Verdict::skip("no PING round trips were measured in the window");
    }
    let (p50, p99) = (percentile(&sorted, 0.50), percentile(&sorted, 0.99));
    let max = sorted.last().copied().unwrap_or_default();
    let as_ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let mut v = Verdict::pass(format!(
        "PING p50 {} ms, p99 {} ms, max {} ms over {} round trips",
        ms(p50),
        ms(p99),
        ms(max),
        sorted.len()
    ))
    .with("pings", sorted.len())
    .with("p50_ms", ms(p50))
    .with("p99_ms", ms(p99))
    .with("max_ms", ms(max))
    .with("window_ms", s.window.as_millis());
    if as_ms(max) > fail_ms {
        v.escalate(
            Status::Fail,
            format!("a PING took {} ms (spike above {fail_ms} ms)", ms(max)),
            LATENCY_FIX,
        );
    } else if as_ms(p99) > warn_ms {
        v.escalate(
            Status::Warn,
            format!("PING p99 {} ms is above the {warn_ms} ms target", ms(p99)),
            LATENCY_FIX,
        );
    }
    if s.ping_timeouts > 0 {
        v = v.with("ping_timeouts", s.ping_timeouts);
        v.escalate(
            Status::Fail,
            format!("{} PINGs got no answer within the timeout", s.ping_timeouts),
            LATENCY_FIX,
        );
    }
    let judge = |v: &mut Verdict, what: String, took_ms: f64| {
        let status = if took_ms > fail_ms {
            Status::Fail
        } else if took_ms > warn_ms {
            Status::Warn
        } else {
            return;
        };
        v.escalate(
            status,
            format!("{what} took {took_ms:.1} ms in the window"),
            LATENCY_FIX,
        );
    };
    match &s.slowlog {
        Ok(entries) => {
            for e in entries {
                let took = e.micros as f64 / 1000.0;
                v = v.with("slowlog", format!("{} {took:.1} ms", e.command));
                judge(&mut v, format!("{} (SLOWLOG)", e.command), took);
            }
        }
        Err(e) => v = v.with("slowlog", format!("unreadable: {e}")),
    }
    match &s.latency_events {
        Ok(events) => {
            // The clock reads whole seconds; an event stamped in the same second counts.
            for e in events.iter().filter(|e| e.unix + 1 >= s.window_start_unix) {
                v = v.with("latency_event", format!("{} {} ms", e.name, e.latest_ms));
                judge(
                    &mut v,
                    format!("latency event '{}'", e.name),
                    e.latest_ms as f64,
                );
            }
        }
        Err(e) => v = v.with("latency_events", format!("unreadable: {e}")),
    }
    if let Ok(c) = &s.config {
        if c.get("latency-monitor-threshold").map(String::as_str) == Some("0") {
            v = v.with("latency_monitor", "off (latency-monitor-threshold 0)");
        }
    }
    v
}

/// Whether a `bind` word listens beyond loopback (`*`, `0.0.0.0`, `::`, or a real address).
fn exposed_bind(word: &str) -> bool {
    let w = word.trim_start_matches('-');
    match w {
        "*" | "::*" | "0.0.0.0" | "::" => true,
        other => other
            .parse::<std::net::IpAddr>()
            .map(|ip| !ip.is_loopback())
            .unwrap_or(other != "localhost"),
    }
}

/// `redis.security`.
pub fn security(s: &RedisSnapshot, _t: &Ctx) -> Verdict {
    let c = match config(s) {
        Ok(c) => c,
        Err(skip) => return skip,
    };
    let bind = c.get("bind").cloned().unwrap_or_default();
    let protected = c.get("protected-mode").cloned().unwrap_or_default();
    let tls_port = c.get("tls-port").cloned().unwrap_or_else(|| "0".into());
    // The default user's password state: from ACL LIST when we may read it, else requirepass
    // (whose value is never kept, only whether it is empty).
    let default_nopass = match &s.acl {
        Ok(users) => users
            .iter()
            .any(|u| u.name == "default" && u.enabled && u.nopass),
        Err(_) => c.get("requirepass").is_none_or(|p| p.is_empty()),
    };
    let exposed: Vec<&str> = bind
        .split_whitespace()
        .filter(|w| exposed_bind(w))
        .collect();
    let mut v =
        Verdict::pass("bound to loopback or protected, default user has a password, TLS on")
            .with(
                "bind",
                if bind.is_empty() {
                    "(all interfaces)"
                } else {
                    &bind
                },
            )
            .with("protected_mode", &protected)
            .with("default_user_nopass", default_nopass)
            .with("tls_port", &tls_port);
    if let Err(e) = &s.acl {
        v = v.with("acl", format!("unreadable: {e}"));
    }
    if !exposed.is_empty() && (default_nopass || protected == "no") {
        v.escalate(
            Status::Fail,
            format!(
                "listening on {} with {}: anyone who can reach the port owns the data",
                exposed.join(" "),
                if default_nopass { "a passwordless default user" } else { "protected-mode no" }
            ),
            "Give the default user a password (ACL SETUSER default on >PASSWORD, or requirepass) or disable it, keep protected-mode yes, and bind only private addresses; verify with `redis-cli ACL LIST` and `CONFIG GET bind`",
        );
    }
    if default_nopass {
        v.escalate(
            Status::Warn,
            "the default user needs no password".into(),
            "ACL SETUSER default on >PASSWORD (or requirepass), or `ACL SETUSER default off` and give each service its own user; verify with `redis-cli ACL LIST`",
        );
    }
    if let Ok(users) = &s.acl {
        for u in users.iter().filter(|u| !u.dangerous_allowed.is_empty()) {
            v = v.with(
                format!("user {}", u.name),
                format!("may run {}", u.dangerous_allowed.join(", ")),
            );
            v.escalate(
                Status::Warn,
                format!("ACL user {} may run {}", u.name, u.dangerous_allowed.join(", ")),
                "Give each service its own minimal user: ACL SETUSER NAME -@dangerous -@admin -keys -flushall; verify with `redis-cli ACL DRYRUN NAME FLUSHALL`",
            );
        }
    }
    if tls_port == "0" {
        v.escalate(
            Status::Warn,
            "no TLS port: session tokens cross the network in clear text".into(),
            "Set tls-port, tls-cert-file, tls-key-file and tls-ca-cert-file (and tls-replication yes); verify with `redis-cli --tls -p TLS_PORT PING`",
        );
    }
    v
}

/// `redis.persistence`.
pub fn persistence(s: &RedisSnapshot, _t: &Ctx) -> Verdict {
    let (_, b) = match infos(s) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    let rdb = b
        .get("rdb_last_bgsave_status")
        .map(String::as_str)
        .unwrap_or("ok");
    let aof_on = b.get("aof_enabled").map(String::as_str) == Some("1");
    let aof = b
        .get("aof_last_write_status")
        .map(String::as_str)
        .unwrap_or("ok");
    let mut v = Verdict::pass(format!(
        "last bgsave {rdb}, AOF {}",
        if aof_on { aof } else { "off" }
    ))
    .with("rdb_last_bgsave_status", rdb)
    .with("aof_enabled", aof_on)
    .with("aof_last_write_status", aof);
    if let Some(changes) = b.get("rdb_changes_since_last_save") {
        v = v.with("rdb_changes_since_last_save", changes);
    }
    if rdb != "ok" {
        v.escalate(
            Status::Fail,
            format!("the last RDB save failed (rdb_last_bgsave_status {rdb}): writes may be refused (stop-writes-on-bgsave-error)"),
            "Read the Redis log for the fork/write error (disk full, permissions, vm.overcommit_memory); fix it and run BGSAVE; verify with `redis-cli INFO persistence`",
        );
    }
    if aof != "ok" {
        v.escalate(
            Status::Fail,
            format!("the last AOF write failed (aof_last_write_status {aof})"),
            "Check the disk under `dir` (space, I/O errors) and the Redis log; verify with `redis-cli INFO persistence`",
        );
    }
    v
}

/// `redis.replication`.
pub fn replication(s: &RedisSnapshot, _t: &Ctx) -> Verdict {
    let (_, b) = match infos(s) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    let role = b.get("role").cloned().unwrap_or_default();
    let mut v = Verdict::pass(format!("role {role}")).with("role", &role);
    if role == "slave" {
        let link = b.get("master_link_status").cloned().unwrap_or_default();
        let master = format!(
            "{}:{}",
            b.get("master_host").cloned().unwrap_or_default(),
            b.get("master_port").cloned().unwrap_or_default()
        );
        v = v.with("master", &master).with("master_link_status", &link);
        if let Some(down) = b.get("master_link_down_since_seconds") {
            v = v.with("master_link_down_since_seconds", down);
        }
        v.summary = format!("replica of {master}, link {link}");
        if link != "up" {
            v.escalate(
                Status::Fail,
                format!("replica's link to master {master} is {link}: it serves stale state and may be promoted into a split brain"),
                "Bring the master back or promote exactly one replica (Sentinel/Cluster failover), then REPLICAOF the others to it; verify master_link_status:up in `redis-cli INFO replication`",
            );
        }
        return v;
    }
    let replicas = num(b, "connected_slaves").unwrap_or(0.0);
    v = v.with("connected_replicas", replicas);
    if replicas > 0.0 {
        let min = match config(s) {
            Ok(c) => c
                .get("min-replicas-to-write")
                .cloned()
                .unwrap_or_else(|| "0".into()),
            Err(skip) => return skip,
        };
        v = v.with("min_replicas_to_write", &min);
        if min == "0" {
            v.escalate(
                Status::Warn,
                format!("master with {replicas} replicas and min-replicas-to-write 0: a partitioned master keeps taking writes that a failover will discard"),
                "CONFIG SET min-replicas-to-write 1 and min-replicas-max-lag 10 (and in redis.conf); verify with `redis-cli CONFIG GET min-replicas-*`",
            );
        }
    }
    v
}

/// For a server running on this host: its process facts and the host's, which the kernel area
/// observed. Otherwise the skip that says why host checks cannot run.
fn host_of<'a>(
    s: &'a RedisSnapshot,
    t: &Ctx<'a>,
) -> Result<(&'a LocalFacts, &'a KernelObservation), Verdict> {
    let Some(local) = &s.local else {
        return Err(Verdict::skip("the server is not a redis-server process on this host; run statectl on the Redis host for host checks"));
    };
    let Some(k) = &t.obs.kernel else {
        return Err(Verdict::skip(
            "this host's kernel facts were not observed in this run",
        ));
    };
    Ok((local, k))
}

/// `redis.tcp_backlog`.
pub fn tcp_backlog(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let c = match config(s) {
        Ok(c) => c,
        Err(skip) => return skip,
    };
    let Some(backlog) = num(c, "tcp-backlog") else {
        return Verdict::skip("CONFIG GET shows no tcp-backlog");
    };
    let k = match host_of(s, t) {
        Ok((_, k)) => k,
        Err(skip) => return skip,
    };
    let somaxconn = match k.sysctl_u64("net.core.somaxconn") {
        Ok(v) => v as f64,
        Err(e) => return Verdict::skip(format!("cannot read net.core.somaxconn: {e}")),
    };
    let mut v = Verdict::pass(format!("tcp-backlog {backlog} ≤ somaxconn {somaxconn}"))
        .with("tcp_backlog", backlog)
        .with("somaxconn", somaxconn);
    if backlog > somaxconn {
        v.escalate(
            Status::Warn,
            format!("tcp-backlog {backlog} is above net.core.somaxconn {somaxconn}: the kernel silently caps the accept queue"),
            "Raise net.core.somaxconn and net.ipv4.tcp_max_syn_backlog to at least tcp-backlog (statectl tune kernel), persist in /etc/sysctl.d, then restart Redis; verify with `ss -ltn`",
        );
    }
    v
}

/// `redis.host`.
pub fn host(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let (local, k) = match host_of(s, t) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    let h = &k.host;
    let mut v = Verdict::pass("overcommit, THP and the kernel log are fine").with("pid", local.pid);
    match &h.overcommit_memory {
        Ok(o) => {
            v = v.with("vm.overcommit_memory", o);
            if o != "1" {
                v.escalate(
                    Status::Warn,
                    format!("vm.overcommit_memory is {o}: BGSAVE/BGREWRITEAOF forks can fail under memory pressure"),
                    "sysctl vm.overcommit_memory=1 and persist it in /etc/sysctl.d (statectl tune kernel); verify with `sysctl vm.overcommit_memory`",
                );
            }
        }
        Err(e) => v = v.with("vm.overcommit_memory", format!("unreadable: {e}")),
    }
    match &h.thp_enabled {
        Ok(t) => {
            v = v.with("transparent_hugepage", t);
            if t == "always" {
                v.escalate(
                    Status::Warn,
                    "transparent huge pages are [always]: fork latency and memory use grow".into(),
                    "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled, persisted via the kernel command line or a unit; keep `disable-thp yes` in redis.conf; restart Redis",
                );
            }
        }
        Err(e) => v = v.with("transparent_hugepage", format!("unreadable: {e}")),
    }
    match &k.oom_kills {
        Ok(kills) => {
            let ours: Vec<_> = kills
                .iter()
                .filter(|k| k.comm.starts_with("redis"))
                .collect();
            v = v.with("oom_kills_in_log", kills.len());
            if let Some(k) = ours.last() {
                v = v.with(
                    "redis_oom_kill",
                    format!("pid {} ({}) at {} s after boot", k.pid, k.comm, k.uptime_s),
                );
                v.escalate(
                    Status::Fail,
                    format!("the OOM killer killed {} (pid {}) {} time(s) since boot", k.comm, k.pid, ours.len()),
                    "Set maxmemory well below RAM (80%, 50% with persistence), an eviction policy, and vm.overcommit_memory=1; check other tenants' memory; verify with `dmesg | grep -i 'killed process'`",
                );
            }
        }
        Err(e) => {
            v = v.with("kernel_log", format!("unreadable: {e}"));
            if v.status == Status::Pass {
                return Verdict::skip(format!("cannot read the kernel log for OOM kills: {e}"))
                    .with(
                        "vm.overcommit_memory",
                        h.overcommit_memory.clone().unwrap_or_default(),
                    )
                    .with(
                        "transparent_hugepage",
                        h.thp_enabled.clone().unwrap_or_default(),
                    );
            }
        }
    }
    v
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::kernel::OomKill;
    use crate::observe::redis::{AclUser, LatencyEvent, LocalFacts, SlowlogEntry, TtlSample};
    use crate::observe::Observations;
    use std::time::Duration;

    fn map(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A healthy snapshot; each test breaks one thing.
    pub(crate) fn snapshot(info: &[(&str, &str)]) -> RedisSnapshot {
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
        ]);
        base.extend(map(info));
        RedisSnapshot {
            first_ping: Duration::from_micros(250),
            info: Ok(base.clone()),
            info_end: Ok(base),
            window: Duration::from_secs(1),
            config: Ok(map(&[
                ("bind", "127.0.0.1 -::1"),
                ("protected-mode", "yes"),
                ("tls-port", "6380"),
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
        }
    }

    /// A run that observed this (healthy) host too: 24 GiB, overcommit 1, THP madvise.
    static HOST: std::sync::LazyLock<Observations> = std::sync::LazyLock::new(|| Observations {
        kernel: Some(crate::doctor::kernel::tests::obs()),
        ..Default::default()
    });

    fn end(s: &mut RedisSnapshot, kv: &[(&str, &str)]) {
        s.info_end.as_mut().unwrap().extend(map(kv));
    }

    fn ev<'a>(v: &'a Verdict, k: &str) -> &'a str {
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
                Eval::RedisReach(f) => f(&Ok(s.clone())),
                _ => unreachable!(),
            };
            assert_eq!(v.status, Status::Pass, "{}: {v:?}", c.id);
        }
    }

    #[test]
    fn reachable_passes_with_rtt_and_fails_naming_the_address() {
        let v = reachable(&Ok(snapshot(&[])));
        assert_eq!(v.status, Status::Pass);
        assert_eq!(ev(&v, "redis_version"), "7.0.15");
        let v = reachable(&Err(ProbeError::Refused {
            addr: "127.0.0.1:1".into(),
        }));
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("127.0.0.1:1") && v.remediation.contains("-p 1"));
        let v = reachable(&Err(ProbeError::Other {
            addr: "h:1".into(),
            detail: "ERR max number of clients reached".into(),
        }));
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

    #[test]
    fn maxclients_ratio_rejections_and_nofile() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        let at = |c: &str| {
            maxclients(
                &snapshot(&[("connected_clients", c), ("maxclients", "100")]),
                &t,
            )
            .status
        };
        assert_eq!(at("80"), Status::Pass);
        assert_eq!(at("81"), Status::Warn);
        assert_eq!(at("96"), Status::Fail);
        // rejections judged by their change over the window, not the lifetime total
        let mut s = snapshot(&[("rejected_connections", "500")]);
        assert_eq!(maxclients(&s, &t).status, Status::Pass);
        end(&mut s, &[("rejected_connections", "503")]);
        let v = maxclients(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert_eq!(
            (
                ev(&v, "rejected_connections_delta"),
                ev(&v, "rejected_connections_total")
            ),
            ("3", "503")
        );
        let mut s = snapshot(&[]);
        s.local.as_mut().unwrap().nofile = Ok(1024);
        let v = maxclients(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("10032"), "{}", v.summary);
    }

    #[test]
    fn maxmemory_zero_fails_naming_a_value_and_high_use_warns() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        let v = maxmemory(&snapshot(&[("maxmemory", "0")]), &t);
        assert_eq!(v.status, Status::Fail);
        // 80% of the local 24 GiB
        assert!(v.remediation.contains("19660mb"), "{}", v.remediation);
        let mut s = snapshot(&[("maxmemory", "0")]);
        s.local = None;
        assert!(
            maxmemory(&s, &t).remediation.contains("19660mb"),
            "falls back to INFO total_system_memory"
        );
        let v = maxmemory(
            &snapshot(&[("maxmemory", "1000"), ("used_memory", "950")]),
            &t,
        );
        assert_eq!(v.status, Status::Warn);
    }

    #[test]
    fn noeviction_and_evictions_in_the_window_warn() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        assert_eq!(
            eviction_policy(&snapshot(&[("maxmemory_policy", "noeviction")]), &t).status,
            Status::Warn
        );
        let mut s = snapshot(&[("evicted_keys", "10")]);
        assert_eq!(eviction_policy(&s, &t).status, Status::Pass);
        end(&mut s, &[("evicted_keys", "12")]);
        let v = eviction_policy(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert_eq!(ev(&v, "evicted_keys_delta"), "2");
    }

    #[test]
    fn fragmentation_needs_both_ratio_and_bytes() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        let mb = |n: u64| (n << 20).to_string();
        // high ratio but tiny instance: fine
        assert_eq!(fragmentation(&snapshot(&[]), &t).status, Status::Pass);
        let v = fragmentation(
            &snapshot(&[
                ("mem_fragmentation_ratio", "1.8"),
                ("used_memory", &mb(100)),
                ("used_memory_rss", &mb(180)),
            ]),
            &t,
        );
        assert_eq!(v.status, Status::Warn);
        let v = fragmentation(
            &snapshot(&[
                ("mem_fragmentation_ratio", "0.7"),
                ("used_memory", &mb(100)),
                ("used_memory_rss", &mb(70)),
            ]),
            &t,
        );
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("swapping"));
    }

    #[test]
    fn ttl_coverage_warns_above_ten_percent_and_shows_the_count() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        let mut s = snapshot(&[]);
        s.ttl_sample = Ok(TtlSample {
            sampled: 1000,
            without_ttl: 101,
            dbsize: 5000,
        });
        let v = ttl_coverage(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert_eq!(ev(&v, "sampled_keys"), "1000");
        s.ttl_sample = Ok(TtlSample {
            sampled: 1000,
            without_ttl: 100,
            dbsize: 5000,
        });
        assert_eq!(ttl_coverage(&s, &t).status, Status::Pass);
        s.ttl_sample = Err("NOPERM scan".into());
        assert_eq!(ttl_coverage(&s, &t).status, Status::Skip);
    }

    #[test]
    fn latency_bounds_for_pings_slowlog_and_events() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        let mut s = snapshot(&[]);
        s.pings = vec![Duration::from_millis(6); 100];
        assert_eq!(latency(&s, &t).status, Status::Warn);
        s.pings.push(Duration::from_millis(600));
        assert_eq!(latency(&s, &t).status, Status::Fail);

        let mut s = snapshot(&[]);
        s.slowlog = Ok(vec![SlowlogEntry {
            id: 1,
            unix: 1_700_000_000,
            micros: 20_000,
            command: "KEYS".into(),
        }]);
        let v = latency(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert_eq!(ev(&v, "slowlog"), "KEYS 20.0 ms");

        let mut s = snapshot(&[]);
        let event = |unix| LatencyEvent {
            name: "command".into(),
            unix,
            latest_ms: 601,
            max_ms: 601,
        };
        s.latency_events = Ok(vec![event(1_600_000_000)]);
        assert_eq!(
            latency(&s, &t).status,
            Status::Pass,
            "an old event is not in the window"
        );
        s.latency_events = Ok(vec![event(1_700_000_001)]);
        let v = latency(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("command"));
    }

    #[test]
    fn security_exposure_passwords_tls_and_acl_users() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        let with = |f: &dyn Fn(&mut RedisSnapshot)| {
            let mut s = snapshot(&[]);
            f(&mut s);
            security(&s, &t)
        };
        let nopass = |s: &mut RedisSnapshot| s.acl.as_mut().unwrap()[0].nopass = true;
        let bind_all = |s: &mut RedisSnapshot| {
            s.config
                .as_mut()
                .unwrap()
                .insert("bind".into(), "0.0.0.0".into());
        };
        assert_eq!(with(&|s| nopass(s)).status, Status::Warn);
        assert_eq!(with(&|s| bind_all(s)).status, Status::Pass);
        let v = with(&|s| {
            nopass(s);
            bind_all(s)
        });
        assert_eq!(v.status, Status::Fail);
        let v = with(&|s| {
            bind_all(s);
            s.config
                .as_mut()
                .unwrap()
                .insert("protected-mode".into(), "no".into());
        });
        assert_eq!(v.status, Status::Fail);
        let v = with(&|s| {
            s.config
                .as_mut()
                .unwrap()
                .insert("bind".into(), "10.0.0.5".into());
            nopass(s)
        });
        assert_eq!(v.status, Status::Fail);
        assert_eq!(
            with(&|s| {
                s.config
                    .as_mut()
                    .unwrap()
                    .insert("tls-port".into(), "0".into());
            })
            .status,
            Status::Warn
        );
        let v = with(&|s| {
            s.acl.as_mut().unwrap().push(AclUser {
                name: "app".into(),
                enabled: true,
                nopass: false,
                all_commands: false,
                dangerous_allowed: vec!["FLUSHALL".into(), "KEYS".into()],
            })
        });
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("app may run FLUSHALL, KEYS"));
        let v = with(&|s| s.config = Err("ERR unknown command 'CONFIG'".into()));
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("unknown command"));
    }

    #[test]
    fn persistence_and_replication() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        assert_eq!(
            persistence(&snapshot(&[("rdb_last_bgsave_status", "err")]), &t).status,
            Status::Fail
        );
        assert_eq!(
            persistence(
                &snapshot(&[("aof_enabled", "1"), ("aof_last_write_status", "err")]),
                &t
            )
            .status,
            Status::Fail
        );
        let v = replication(
            &snapshot(&[
                ("role", "slave"),
                ("master_host", "10.0.0.1"),
                ("master_port", "6379"),
                ("master_link_status", "down"),
            ]),
            &t,
        );
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("10.0.0.1:6379"));
        assert_eq!(
            replication(
                &snapshot(&[("role", "slave"), ("master_link_status", "up")]),
                &t
            )
            .status,
            Status::Pass
        );
        assert_eq!(
            replication(&snapshot(&[("connected_slaves", "2")]), &t).status,
            Status::Warn
        );
    }

    #[test]
    fn backlog_and_host_checks_need_a_local_server() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        let mut s = snapshot(&[]);
        s.config
            .as_mut()
            .unwrap()
            .insert("tcp-backlog".into(), "8192".into());
        assert_eq!(tcp_backlog(&s, &t).status, Status::Warn);
        s.local = None;
        assert_eq!(tcp_backlog(&s, &t).status, Status::Skip);
        assert_eq!(host(&s, &t).status, Status::Skip);

        // without this host's kernel facts in the run, host checks skip and say so
        let none = Ctx::of(t.thresholds);
        let v = host(&snapshot(&[]), &none);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("not observed"), "{}", v.summary);

        let s = snapshot(&[]);
        let mut o = HOST.clone();
        let k = o.kernel.as_mut().unwrap();
        k.host.overcommit_memory = Ok("0".into());
        k.host.thp_enabled = Ok("always".into());
        let v = host(
            &s,
            &Ctx {
                thresholds: t.thresholds,
                obs: &o,
            },
        );
        assert_eq!(v.status, Status::Warn);
        o.kernel.as_mut().unwrap().oom_kills = Ok(vec![OomKill {
            pid: 4242,
            comm: "redis-server".into(),
            uptime_s: 5,
        }]);
        let v = host(
            &s,
            &Ctx {
                thresholds: t.thresholds,
                obs: &o,
            },
        );
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("redis-server (pid 4242)"));
        let mut o = HOST.clone();
        o.kernel.as_mut().unwrap().oom_kills = Err("/dev/kmsg: Operation not permitted".into());
        let v = host(
            &s,
            &Ctx {
                thresholds: t.thresholds,
                obs: &o,
            },
        );
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("Operation not permitted"));
    }
}
