//! Redis checks: how full the server is: clients, memory, eviction, fragmentation and TTLs.

use super::host::host_of;
use super::*;

const MAXCLIENTS_FIX: &str = "Raise maxclients (CONFIG SET maxclients N, and in redis.conf) and LimitNOFILE in the service unit to at least maxclients+32; look for leaking clients with CLIENT LIST; verify with `redis-cli INFO clients`";

/// `redis.maxclients`.
pub fn maxclients(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let (a, b) = match window(s) {
        Ok(x) => x,
        Err(v) => return v,
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
    let (a, b) = match window(s) {
        Ok(x) => x,
        Err(v) => return v,
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

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::redis::TtlSample;

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
}
