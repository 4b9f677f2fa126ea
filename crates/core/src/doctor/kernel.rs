//! Kernel checks: release, listen backlogs, accept-queue overflows, retransmissions, SYN
//! cookies, conntrack, ephemeral ports and the OOM killer.

use super::{Area, Check, Ctx, Eval, Tag};
use crate::config::parse_major_minor;
use crate::model::{Status, Verdict};
use crate::observe::kernel::KernelObservation;
use crate::observe::Observations;

const BOTH: &[Tag] = &[Tag::Doctor, Tag::Preflight];
const DOCTOR: &[Tag] = &[Tag::Doctor];

/// The kernel checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "kernel.version",
        area: Area::Kernel,
        tags: BOTH,
        doc: "the running kernel is at least {kernel.min_version} (kernel.min_version)",
        full: false,
        eval: Eval::Kernel(version),
    },
    Check {
        id: "kernel.somaxconn",
        area: Area::Kernel,
        tags: BOTH,
        doc: "net.core.somaxconn is at least {kernel.somaxconn_min} and at least every local Redis tcp-backlog",
        full: false,
        eval: Eval::Kernel(somaxconn),
    },
    Check {
        id: "kernel.syn_backlog",
        area: Area::Kernel,
        tags: BOTH,
        doc: "net.ipv4.tcp_max_syn_backlog is at least {kernel.syn_backlog_min}",
        full: false,
        eval: Eval::Kernel(syn_backlog),
    },
    Check {
        id: "kernel.listen_overflows",
        area: Area::Kernel,
        tags: DOCTOR,
        doc: "TcpExt ListenOverflows or ListenDrops rising in the window fails; shows listeners with a queue now",
        full: true,
        eval: Eval::Kernel(listen_overflows),
    },
    Check {
        id: "kernel.retransmits",
        area: Area::Kernel,
        tags: DOCTOR,
        doc: "RetransSegs/OutSegs over the window above {kernel.retrans_warn_ratio:%} warns, above {kernel.retrans_fail_ratio:%} fails (packet loss); TCPSynRetrans shown",
        full: true,
        eval: Eval::Kernel(retransmits),
    },
    Check {
        id: "kernel.syncookies",
        area: Area::Kernel,
        tags: BOTH,
        doc: "net.ipv4.tcp_syncookies is 1",
        full: false,
        eval: Eval::Kernel(syncookies),
    },
    Check {
        id: "kernel.conntrack",
        area: Area::Kernel,
        tags: DOCTOR,
        doc: "nf_conntrack_count/nf_conntrack_max above {kernel.conntrack_warn_ratio} warns; skip when conntrack is not loaded",
        full: false,
        eval: Eval::Kernel(conntrack),
    },
    Check {
        id: "kernel.ephemeral_ports",
        area: Area::Kernel,
        tags: BOTH,
        doc: "ip_local_port_range overlapping 6379, 16379, 26379 or 5432 without ip_local_reserved_ports warns",
        full: false,
        eval: Eval::Kernel(ephemeral_ports),
    },
    Check {
        id: "kernel.oom",
        area: Area::Kernel,
        tags: DOCTOR,
        doc: "OOM-killer kills in the kernel log fail, naming the victims; skip when the log cannot be read",
        full: false,
        eval: Eval::Kernel(oom),
    },
];

/// `kernel.version`.
pub fn version(k: &KernelObservation, t: &Ctx) -> Verdict {
    let release = match &k.release {
        Ok(r) => r,
        Err(e) => return Verdict::skip(format!("cannot read the kernel release: {e}")),
    };
    let want = parse_major_minor(&t.kernel.min_version).unwrap_or((5, 10));
    let v = Verdict::pass(format!("kernel {release}"))
        .with("release", release)
        .with("minimum", &t.kernel.min_version);
    match parse_major_minor(release) {
        Some(have) if have >= want => v,
        Some(_) => {
            let mut v = v;
            v.escalate(
                Status::Fail,
                format!("kernel {release} is older than {}", t.kernel.min_version),
                "Upgrade the kernel (Debian 11+ ships 5.10 or later) and reboot; verify with `uname -r`",
            );
            v
        }
        None => Verdict::new(
            Status::Error,
            format!("cannot parse kernel release {release:?}"),
        ),
    }
}

fn sysctl_num(k: &KernelObservation, key: &str) -> Result<u64, Verdict> {
    let v = k.sysctls.get(key).ok_or_else(|| {
        Verdict::skip(format!(
            "{key} does not exist here (namespace or container)"
        ))
    })?;
    v.parse()
        .map_err(|_| Verdict::new(Status::Error, format!("{key} = {v:?} is not a number")))
}

const TUNE_FIX: &str = "statectl tune kernel --apply (persists in /etc/sysctl.d/60-statectl.conf); listening sockets keep their old cap until the service restarts";

/// `kernel.somaxconn`.
pub fn somaxconn(k: &KernelObservation, t: &Ctx) -> Verdict {
    let v0 = match sysctl_num(k, "net.core.somaxconn") {
        Ok(v) => v,
        Err(skip) => return skip,
    };
    let mut v = Verdict::pass(format!("net.core.somaxconn {v0}"))
        .with("net.core.somaxconn", v0)
        .with("minimum", t.kernel.somaxconn_min);
    if v0 < t.kernel.somaxconn_min {
        v.escalate(
            Status::Warn,
            format!(
                "net.core.somaxconn {v0} is below {}: bursts of connects overflow accept queues",
                t.kernel.somaxconn_min
            ),
            TUNE_FIX,
        );
    }
    for (target, backlog) in local_redis_backlogs(t.obs) {
        v = v.with(format!("tcp-backlog {target}"), backlog);
        if backlog > v0 {
            v.escalate(
                Status::Warn,
                format!("net.core.somaxconn {v0} is below the tcp-backlog {backlog} of {target}: the kernel caps it silently"),
                TUNE_FIX,
            );
        }
    }
    v
}

/// The tcp-backlog of every Redis server this run found running on this host: the Redis area's
/// observation, read by `kernel.somaxconn`.
pub fn local_redis_backlogs(obs: &Observations) -> Vec<(&str, u64)> {
    obs.redis
        .iter()
        .filter_map(|r| {
            let snap = r.result.as_ref().ok().filter(|s| s.local.is_some())?;
            let b = snap
                .config
                .as_ref()
                .ok()?
                .get("tcp-backlog")?
                .parse()
                .ok()?;
            Some((r.target.as_str(), b))
        })
        .collect()
}

/// `kernel.syn_backlog`.
pub fn syn_backlog(k: &KernelObservation, t: &Ctx) -> Verdict {
    let n = match sysctl_num(k, "net.ipv4.tcp_max_syn_backlog") {
        Ok(v) => v,
        Err(skip) => return skip,
    };
    let mut v = Verdict::pass(format!("net.ipv4.tcp_max_syn_backlog {n}"))
        .with("net.ipv4.tcp_max_syn_backlog", n)
        .with("minimum", t.kernel.syn_backlog_min);
    if n < t.kernel.syn_backlog_min {
        v.escalate(
            Status::Warn,
            format!(
                "net.ipv4.tcp_max_syn_backlog {n} is below {}",
                t.kernel.syn_backlog_min
            ),
            TUNE_FIX,
        );
    }
    v
}

fn deltas(k: &KernelObservation, keys: &[&str]) -> Result<Vec<(u64, u64)>, Verdict> {
    let (a, b) = k
        .counters
        .as_ref()
        .map_err(|e| Verdict::skip(format!("cannot read TCP counters: {e}")))?;
    Ok(keys
        .iter()
        .map(|key| {
            let end = b.get(*key).copied().unwrap_or(0);
            let start = a.get(*key).copied().unwrap_or(end);
            (end.saturating_sub(start), end)
        })
        .collect())
}

/// `kernel.listen_overflows`.
pub fn listen_overflows(k: &KernelObservation, _t: &Ctx) -> Verdict {
    let d = match deltas(k, &["TcpExt.ListenOverflows", "TcpExt.ListenDrops"]) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let (overflows, drops) = (d[0], d[1]);
    let mut v = Verdict::pass("no accept-queue overflows in the window")
        .with("ListenOverflows_delta", overflows.0)
        .with("ListenOverflows_total", overflows.1)
        .with("ListenDrops_delta", drops.0)
        .with("ListenDrops_total", drops.1)
        .with("window_ms", k.window.as_millis());
    let somaxconn = k
        .sysctls
        .get("net.core.somaxconn")
        .cloned()
        .unwrap_or_default();
    for l in k.listeners.iter().filter(|l| l.queued > 0) {
        v = v.with(
            format!("port {}", l.port),
            format!("{} queued (cap somaxconn {somaxconn})", l.queued),
        );
    }
    if overflows.0 > 0 || drops.0 > 0 {
        v.escalate(
            Status::Fail,
            format!("{} accept-queue overflows and {} listen drops during the window: connects are being refused", overflows.0, drops.0),
            "Raise net.core.somaxconn and the service's backlog (Redis tcp-backlog), restart the listener, and check the service keeps up accepting; verify with `ss -ltn` (Recv-Q against Send-Q)",
        );
    }
    v
}

/// `kernel.retransmits`.
pub fn retransmits(k: &KernelObservation, t: &Ctx) -> Verdict {
    let d = match deltas(
        k,
        &["Tcp.RetransSegs", "Tcp.OutSegs", "TcpExt.TCPSynRetrans"],
    ) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let (retrans, out, syn) = (d[0], d[1], d[2]);
    let ratio = if out.0 == 0 {
        0.0
    } else {
        retrans.0 as f64 / out.0 as f64
    };
    let mut v = Verdict::pass(format!(
        "{} of {} segments retransmitted in the window ({:.2}%)",
        retrans.0,
        out.0,
        ratio * 100.0
    ))
    .with("RetransSegs_delta", retrans.0)
    .with("OutSegs_delta", out.0)
    .with("ratio", format!("{ratio:.4}"))
    .with("TCPSynRetrans_delta", syn.0)
    .with("RetransSegs_total", retrans.1);
    let fix = "Packet loss between hosts: check NIC counters (statectl nic), CRC errors (cabling/optics), switch drops and MTU mismatches; capture with statectl capture to see which flows";
    if ratio > t.kernel.retrans_fail_ratio {
        v.escalate(
            Status::Fail,
            format!(
                "{:.1}% of segments retransmitted in the window: packet loss",
                ratio * 100.0
            ),
            fix,
        );
    } else if ratio > t.kernel.retrans_warn_ratio {
        v.escalate(
            Status::Warn,
            format!(
                "{:.1}% of segments retransmitted in the window",
                ratio * 100.0
            ),
            fix,
        );
    }
    v
}

/// `kernel.syncookies`.
pub fn syncookies(k: &KernelObservation, _t: &Ctx) -> Verdict {
    let n = match sysctl_num(k, "net.ipv4.tcp_syncookies") {
        Ok(v) => v,
        Err(skip) => return skip,
    };
    let mut v = Verdict::pass("SYN cookies on").with("net.ipv4.tcp_syncookies", n);
    if n != 1 {
        v.escalate(
            Status::Warn,
            format!("net.ipv4.tcp_syncookies is {n}: a SYN flood fills the SYN queue"),
            "statectl tune kernel --set net.ipv4.tcp_syncookies=1 --apply",
        );
    }
    v
}

/// `kernel.conntrack`.
pub fn conntrack(k: &KernelObservation, t: &Ctx) -> Verdict {
    let Some((count, max)) = k.conntrack else {
        return Verdict::skip("nf_conntrack is not loaded (no net.netfilter.nf_conntrack_count)");
    };
    let ratio = if max == 0 {
        0.0
    } else {
        count as f64 / max as f64
    };
    let mut v = Verdict::pass(format!("{count} of {max} conntrack entries"))
        .with("nf_conntrack_count", count)
        .with("nf_conntrack_max", max);
    if ratio > t.kernel.conntrack_warn_ratio {
        v.escalate(
            Status::Warn,
            format!("conntrack table {:.0}% full: new connections will be dropped", ratio * 100.0),
            "Raise net.netfilter.nf_conntrack_max, or exempt Redis/PostgreSQL ports with NOTRACK rules",
        );
    }
    v
}

/// Parses ip_local_reserved_ports (`6379,16379-16380`).
fn reserved(list: &str) -> Vec<(u32, u32)> {
    list.split(',')
        .filter_map(|r| {
            let r = r.trim();
            match r.split_once('-') {
                Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                None => r.parse().ok().map(|p| (p, p)),
            }
        })
        .collect()
}

/// `kernel.ephemeral_ports`.
pub fn ephemeral_ports(k: &KernelObservation, _t: &Ctx) -> Verdict {
    let Some(range) = k.sysctls.get("net.ipv4.ip_local_port_range") else {
        return Verdict::skip("net.ipv4.ip_local_port_range does not exist here");
    };
    let nums: Vec<u32> = range
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [lo, hi] = nums[..] else {
        return Verdict::new(
            Status::Error,
            format!("cannot parse ip_local_port_range {range:?}"),
        );
    };
    let res = reserved(
        k.sysctls
            .get("net.ipv4.ip_local_reserved_ports")
            .map(String::as_str)
            .unwrap_or(""),
    );
    let exposed: Vec<u32> = [6379, 16379, 26379, 5432]
        .into_iter()
        .filter(|p| (lo..=hi).contains(p) && !res.iter().any(|(a, b)| (*a..=*b).contains(p)))
        .collect();
    let mut v = Verdict::pass(format!("ephemeral range {lo}-{hi} avoids the state ports"))
        .with("ip_local_port_range", format!("{lo}-{hi}"));
    if !exposed.is_empty() {
        let list: Vec<String> = exposed.iter().map(u32::to_string).collect();
        v.escalate(
            Status::Warn,
            format!("ephemeral range {lo}-{hi} includes {} without a reservation: an outgoing connection can take the port before the server binds it", list.join(", ")),
            &format!("statectl tune kernel --set net.ipv4.ip_local_reserved_ports={} --apply", list.join(",")),
        );
    }
    v
}

/// `kernel.oom`.
pub fn oom(k: &KernelObservation, _t: &Ctx) -> Verdict {
    let kills = match &k.oom_kills {
        Ok(k) => k,
        Err(e) => return Verdict::skip(format!("cannot read the kernel log: {e}")),
    };
    let mut v =
        Verdict::pass("no OOM-killer kills in the kernel log").with("oom_kills", kills.len());
    for kill in kills {
        v = v.with(
            "killed",
            format!(
                "{} (pid {}) at {} s after boot",
                kill.comm, kill.pid, kill.uptime_s
            ),
        );
    }
    if let Some(last) = kills.last() {
        v.escalate(
            Status::Fail,
            format!("the OOM killer killed {} process(es), last {} (pid {})", kills.len(), last.comm, last.pid),
            "Cap Redis maxmemory and PostgreSQL shared_buffers/work_mem below RAM, find the memory hog (dmesg), and set vm.overcommit_memory per role",
        );
    }
    v
}

/// The kernel area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    if let Some(k) = &obs.kernel {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Kernel(f) = c.eval {
                out.push(crate::model::Finding::new(
                    c.id,
                    super::KERNEL_TARGET,
                    f(k, t),
                ));
            }
        }
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::kernel::{Counters, HostFacts, Listener, OomKill};
    use std::time::Duration;

    pub fn obs() -> KernelObservation {
        let c: Counters = [
            ("Tcp.RetransSegs", 10),
            ("Tcp.OutSegs", 1000),
            ("TcpExt.ListenOverflows", 3),
            ("TcpExt.ListenDrops", 3),
            ("TcpExt.TCPSynRetrans", 0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        KernelObservation {
            release: Ok("6.1.0".into()),
            sysctls: [
                ("net.core.somaxconn", "4096"),
                ("net.ipv4.tcp_max_syn_backlog", "8192"),
                ("net.ipv4.tcp_syncookies", "1"),
                ("net.ipv4.ip_local_port_range", "32768\t60999"),
                ("net.ipv4.ip_local_reserved_ports", ""),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            counters: Ok((c.clone(), c)),
            window: Duration::from_secs(1),
            listeners: vec![Listener {
                port: 6379,
                queued: 0,
            }],
            conntrack: None,
            oom_kills: Ok(Vec::new()),
            host: HostFacts {
                overcommit_memory: Ok("1".into()),
                thp_enabled: Ok("madvise".into()),
                mem_total: Ok(24 << 30),
            },
        }
    }

    fn bump(k: &mut KernelObservation, key: &str, by: u64) {
        *k.counters.as_mut().unwrap().1.get_mut(key).unwrap() += by;
    }

    #[test]
    fn healthy_passes_and_conntrack_skips_when_absent() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let k = obs();
        for c in CHECKS {
            let Eval::Kernel(f) = c.eval else {
                unreachable!()
            };
            let v = f(&k, &t);
            let want = if c.id == "kernel.conntrack" {
                Status::Skip
            } else {
                Status::Pass
            };
            assert_eq!(v.status, want, "{}: {v:?}", c.id);
        }
    }

    #[test]
    fn backlog_settings() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut k = obs();
        k.sysctls.insert("net.core.somaxconn".into(), "1024".into());
        assert_eq!(somaxconn(&k, &t).status, Status::Warn);
        // a local Redis server's tcp-backlog, read from the Redis area's observation
        let mut redis = crate::doctor::redis::tests::snapshot(&[]);
        redis
            .config
            .as_mut()
            .unwrap()
            .insert("tcp-backlog".into(), "8192".into());
        let mut o = crate::observe::Observations {
            redis: vec![crate::observe::RedisObservation {
                target: "redis://127.0.0.1:6379".into(),
                addr: "127.0.0.1:6379".into(),
                result: Ok(redis),
                tls: None,
                exposure: None,
                service: None,
                member: None,
            }],
            ..Default::default()
        };
        let with_redis = Ctx {
            thresholds: t.thresholds,
            obs: &o,
        };
        let v = somaxconn(&obs(), &with_redis);
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("8192"));
        // a remote one is not this kernel's business
        o.redis[0].result.as_mut().unwrap().local = None;
        let remote = Ctx {
            thresholds: t.thresholds,
            obs: &o,
        };
        assert_eq!(somaxconn(&obs(), &remote).status, Status::Pass);
        let mut k = obs();
        k.sysctls.remove("net.core.somaxconn");
        assert_eq!(somaxconn(&k, &t).status, Status::Skip);
        k.sysctls
            .insert("net.ipv4.tcp_max_syn_backlog".into(), "512".into());
        assert_eq!(syn_backlog(&k, &t).status, Status::Warn);
        k.sysctls
            .insert("net.ipv4.tcp_syncookies".into(), "0".into());
        assert_eq!(syncookies(&k, &t).status, Status::Warn);
    }

    #[test]
    fn counters_are_judged_by_their_change_in_the_window() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut k = obs();
        assert_eq!(
            listen_overflows(&k, &t).status,
            Status::Pass,
            "a lifetime total alone passes"
        );
        bump(&mut k, "TcpExt.ListenOverflows", 2);
        let v = listen_overflows(&k, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.starts_with("2 accept-queue overflows"));

        let mut k = obs();
        bump(&mut k, "Tcp.OutSegs", 1000);
        bump(&mut k, "Tcp.RetransSegs", 20);
        assert_eq!(retransmits(&k, &t).status, Status::Warn);
        bump(&mut k, "Tcp.RetransSegs", 40);
        assert_eq!(retransmits(&k, &t).status, Status::Fail);
        let mut k = obs();
        k.counters = Err("no /proc/net/snmp".into());
        assert_eq!(retransmits(&k, &t).status, Status::Skip);
    }

    #[test]
    fn conntrack_ports_and_oom() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut k = obs();
        k.conntrack = Some((900, 1000));
        assert_eq!(conntrack(&k, &t).status, Status::Warn);
        k.sysctls
            .insert("net.ipv4.ip_local_port_range".into(), "1024 65000".into());
        let v = ephemeral_ports(&k, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(
            v.remediation.contains("6379,16379,26379,5432"),
            "{}",
            v.remediation
        );
        k.sysctls.insert(
            "net.ipv4.ip_local_reserved_ports".into(),
            "5432,6379,16379-26379".into(),
        );
        assert_eq!(ephemeral_ports(&k, &t).status, Status::Pass);
        k.oom_kills = Ok(vec![OomKill {
            pid: 7,
            comm: "java".into(),
            uptime_s: 9,
        }]);
        let v = oom(&k, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("java (pid 7)"));
        k.oom_kills = Err("/dev/kmsg: Operation not permitted".into());
        assert_eq!(oom(&k, &t).status, Status::Skip);
    }

    #[test]
    fn version_boundaries() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let with = |r: &str| KernelObservation {
            release: Ok(r.into()),
            ..obs()
        };
        assert_eq!(version(&with("5.10.0-28-amd64"), &t).status, Status::Pass);
        assert_eq!(version(&with("5.4.0-150-generic"), &t).status, Status::Fail);
        let v = version(
            &KernelObservation {
                release: Err("no /proc".into()),
                ..obs()
            },
            &t,
        );
        assert_eq!(v.status, Status::Skip);
    }
}
