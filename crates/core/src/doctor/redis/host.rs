//! Redis checks: the host a local server runs on, read from the kernel area.

use super::*;

/// For a server running on this host: its process facts and the host's, which the kernel area
/// observed. Otherwise the skip that says why host checks cannot run.
pub(super) fn host_of<'a>(
    s: &'a RedisSnapshot,
    t: &Ctx<'a>,
) -> Result<(&'a LocalFacts, &'a KernelObservation), Verdict> {
    let Some(local) = &s.local else {
        return Err(Verdict::skip("the server is not a Redis or Valkey process on this host; run statectl on the Redis host for host checks"));
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
                .filter(|k| k.comm.starts_with("redis") || k.comm.starts_with("valkey"))
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
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::kernel::OomKill;
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
