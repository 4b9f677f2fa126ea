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

/// One TCP socket of /proc/net/tcp or tcp6.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSocket {
    /// The local address and port.
    pub local: std::net::SocketAddr,
    /// In the LISTEN state.
    pub listening: bool,
    /// Recv-Q: for a listener, the connections waiting in its accept queue.
    pub rx_queue: u64,
    /// The socket's inode (what /proc/PID/fd links name as `socket:[N]`).
    pub inode: u64,
}

/// The sockets of /proc/net/tcp or tcp6 text, as procfs-core reads the table (addresses in this
/// machine's byte order, as the kernel writes them). A table that does not parse gives none, as
/// an unreadable file does.
pub fn tcp_sockets(text: &str) -> Vec<TcpSocket> {
    use procfs_core::FromBufReadSI;
    let this_machine = procfs_core::ExplicitSystemInfo {
        boot_time_secs: 0,
        ticks_per_second: 100,
        page_size: 4096,
        is_little_endian: cfg!(target_endian = "little"),
    };
    match procfs_core::net::TcpNetEntries::from_buf_read(text.as_bytes(), &this_machine) {
        Ok(t) => {
            t.0.into_iter()
                .map(|e| TcpSocket {
                    local: e.local_address,
                    listening: e.state == procfs_core::net::TcpState::Listen,
                    rx_queue: u64::from(e.rx_queue),
                    inode: e.inode,
                })
                .collect()
        }
        Err(_) => Vec::new(),
    }
}

/// MemTotal of /proc/meminfo text, kB.
pub fn mem_total_kb(meminfo: &str) -> Option<u64> {
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_tables_read_with_procfs_core() {
        let head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        let v4 = format!("{head}   0: 0100007F:18EB 00000000:0000 0A 00000000:00000080 00:00000000 00000000   105        0 31337 1 0000000000000000 100 0 0 10 0\n   1: 0100007F:18EB 0100007F:9C40 01 00000000:00000000 00:00000000 00000000   105        0 4242 1 0000000000000000 20 4 30 10 -1\n");
        let s = tcp_sockets(&v4);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].local.to_string(), "127.0.0.1:6379");
        assert!(s[0].listening && !s[1].listening);
        assert_eq!((s[0].rx_queue, s[0].inode), (128, 31337));
        // ::1 and ::, as the kernel writes them (32-bit words in host order)
        let v6 = format!("{head}   0: 00000000000000000000000001000000:18EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 7 1 0000000000000000 100 0 0 10 0\n   1: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 8 1 0000000000000000 100 0 0 10 0\n");
        let ips: Vec<String> = tcp_sockets(&v6)
            .iter()
            .map(|s| s.local.ip().to_string())
            .collect();
        assert_eq!(ips, ["::1", "::"]);
        // a table that does not parse gives no sockets rather than a guess
        assert!(tcp_sockets(&format!("{head}   0: zz:18EB 00000000:0000 0A\n")).is_empty());
        assert_eq!(
            mem_total_kb("MemTotal:       24576000 kB\nMemFree: 1 kB\n"),
            Some(24_576_000)
        );
        assert_eq!(mem_total_kb("MemFree: 1 kB\n"), None);
    }
}
