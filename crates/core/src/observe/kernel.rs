//! What the kernel probe sees of this host.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// TCP counters from /proc/net/snmp and /proc/net/netstat, by `Group.Name` (e.g.
/// `Tcp.RetransSegs`, `TcpExt.ListenOverflows`).
pub type Counters = BTreeMap<String, u64>;

/// A listening TCP socket and its accept queue now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listener {
    /// Local port.
    pub port: u16,
    /// Connections waiting in the accept queue (Recv-Q).
    pub queued: u64,
}

/// What the kernel probe saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelObservation {
    /// kernel.osrelease, or why it could not be read.
    pub release: Result<String, String>,
    /// Sysctls the checks read, by dotted key (missing keys are absent).
    pub sysctls: BTreeMap<String, String>,
    /// TCP counters at the start and the end of the window.
    pub counters: Result<(Counters, Counters), String>,
    /// The window between the two counter reads.
    #[serde(with = "crate::observe::ms")]
    pub window: Duration,
    /// Listening sockets at the end of the window.
    pub listeners: Vec<Listener>,
    /// nf_conntrack_count and nf_conntrack_max, or None when conntrack is not loaded.
    pub conntrack: Option<(u64, u64)>,
    /// OOM kills in the kernel log, or why the log could not be read.
    pub oom_kills: Result<Vec<OomKill>, String>,
    /// Host facts that Redis and PostgreSQL depend on: overcommit, THP, RAM.
    pub host: HostFacts,
}

/// One OOM-killer kill found in the kernel log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OomKill {
    /// The victim's pid.
    pub pid: u32,
    /// The victim's command name.
    pub comm: String,
    /// Seconds since boot when it happened.
    pub uptime_s: u64,
}

/// Facts about this host that Redis and PostgreSQL depend on (net.core.somaxconn is in
/// [`KernelObservation::sysctls`], OOM kills in [`KernelObservation::oom_kills`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostFacts {
    /// vm.overcommit_memory.
    pub overcommit_memory: Result<String, String>,
    /// The selected value of /sys/kernel/mm/transparent_hugepage/enabled (always, madvise, never).
    pub thp_enabled: Result<String, String>,
    /// MemTotal in bytes.
    pub mem_total: Result<u64, String>,
}

impl KernelObservation {
    /// A sysctl the probe read, as a number.
    pub fn sysctl_u64(&self, key: &str) -> Result<u64, String> {
        let v = self
            .sysctls
            .get(key)
            .ok_or_else(|| format!("{key} could not be read"))?;
        v.parse()
            .map_err(|_| format!("{key} = {v:?} is not a number"))
    }
}

/// Parses the header/value line pairs of /proc/net/snmp or /proc/net/netstat.
pub fn parse_snmp(text: &str) -> Counters {
    let mut out = Counters::new();
    let lines: Vec<&str> = text.lines().collect();
    for pair in lines.chunks(2) {
        let [head, vals] = pair else { continue };
        let (Some((g1, names)), Some((g2, values))) = (head.split_once(':'), vals.split_once(':'))
        else {
            continue;
        };
        if g1 != g2 {
            continue;
        }
        for (n, v) in names.split_whitespace().zip(values.split_whitespace()) {
            if let Ok(v) = v.parse::<i64>() {
                out.insert(format!("{g1}.{n}"), v.max(0) as u64);
            }
        }
    }
    out
}

/// Parses OOM-killer kills out of kernel log records (`/dev/kmsg` or `dmesg` lines): the line
/// `Out of memory: Killed process 1234 (redis-server) …` or
/// `Memory cgroup out of memory: Killed process …`.
pub fn parse_oom_kills(log: &str) -> Vec<OomKill> {
    let mut out = Vec::new();
    for line in log.lines() {
        let Some(i) = line.find("Killed process ") else {
            continue;
        };
        let rest = &line[i + "Killed process ".len()..];
        let Some((pid, rest)) = rest.split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse() else { continue };
        let comm = rest
            .strip_prefix('(')
            .and_then(|r| r.split_once(')'))
            .map(|(c, _)| c.to_string())
            .unwrap_or_default();
        // kmsg: "prio,seq,usec,flags;text"; dmesg: "[  123.456] text"
        let uptime_s = line
            .split_once(';')
            .and_then(|(h, _)| h.split(',').nth(2)?.parse::<u64>().ok())
            .map(|us| us / 1_000_000)
            .or_else(|| {
                let l = line.trim_start().strip_prefix('[')?;
                l.split_once(']')?.0.trim().split('.').next()?.parse().ok()
            })
            .unwrap_or(0);
        out.push(OomKill {
            pid,
            comm,
            uptime_s,
        });
    }
    out
}
