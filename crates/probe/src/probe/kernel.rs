//! The local kernel: release, sysctls and counters, read from a root that tests can replace.

use std::path::{Path, PathBuf};

use futures::future::BoxFuture;

use super::{off_runtime, ProbeContext};
use crate::doctor::Area;
pub use crate::observe::kernel::{parse_oom_kills, parse_snmp};
use crate::observe::kernel::{Counters, HostFacts, KernelObservation, Listener};
use crate::observe::Observed;

/// Where this host's /proc, /sys, /etc and /dev are: `/`, or the directory `--host-root` names
/// (node_exporter's --path.rootfs habit: statectl in a container with the host's trees mounted
/// under one directory). Every read goes through it, and writes under it land there.
#[derive(Debug, Clone)]
pub struct HostRoot {
    /// Normally `/`.
    pub root: PathBuf,
}

impl Default for HostRoot {
    fn default() -> Self {
        HostRoot {
            root: PathBuf::from("/"),
        }
    }
}

/// Socket inode → the pid holding it, from the fd links of every process below the root's
/// /proc (the first holder when several share it).
pub fn socket_owners(root: &HostRoot) -> std::collections::HashMap<u64, u32> {
    let mut owner = std::collections::HashMap::new();
    let Ok(procs) = std::fs::read_dir(root.path("proc")) else {
        return owner;
    };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(l) = std::fs::read_link(fd.path()) {
                if let Some(i) = l
                    .to_str()
                    .and_then(|l| l.strip_prefix("socket:["))
                    .and_then(|l| l.strip_suffix(']'))
                    .and_then(|i| i.parse::<u64>().ok())
                {
                    owner.entry(i).or_insert(pid);
                }
            }
        }
    }
    owner
}

impl HostRoot {
    /// `dir`, or `/` when none is given.
    pub fn new(dir: Option<&Path>) -> Self {
        match dir {
            Some(d) if !d.as_os_str().is_empty() => HostRoot {
                root: d.to_path_buf(),
            },
            _ => HostRoot::default(),
        }
    }

    /// Whether this is `/`: this process's own host and network namespace.
    pub fn is_default(&self) -> bool {
        self.root == Path::new("/")
    }

    /// The host root when it is not `/`, for reports that say where they read and wrote.
    pub fn shown(&self) -> Option<String> {
        (self.root != Path::new("/")).then(|| self.root.display().to_string())
    }

    /// The file behind a sysctl key. Dots become slashes, except that a key given with slashes
    /// (`net/ipv4/conf/eth0.100/rp_filter`) is taken as is, so VLAN names survive.
    pub fn sysctl_path(&self, key: &str) -> PathBuf {
        let rel = if key.contains('/') {
            key.trim_start_matches('/').to_string()
        } else {
            key.replace('.', "/")
        };
        self.path(&format!("proc/sys/{rel}"))
    }
    /// A path below the root, e.g. `proc/sys/kernel/osrelease`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// Reads a sysctl by its dotted name (`kernel.osrelease`), trimmed.
    pub fn sysctl(&self, key: &str) -> Result<String, String> {
        read_trimmed(&self.sysctl_path(key))
    }

    /// A sysctl as a number (the first field of multi-value keys is not accepted).
    pub fn sysctl_u64(&self, key: &str) -> Result<u64, String> {
        let v = self.sysctl(key)?;
        v.parse()
            .map_err(|_| format!("{key} = {v:?} is not a number"))
    }
}

fn read_trimmed(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p)
        .map(|s| s.trim().to_string())
        .map_err(|e| format!("{}: {e}", p.display()))
}

/// Reads the TCP counters.
pub fn tcp_counters(root: &HostRoot) -> Result<Counters, String> {
    let mut c = parse_snmp(&read_trimmed(&root.path("proc/net/snmp"))?);
    c.extend(parse_snmp(&read_trimmed(&root.path("proc/net/netstat"))?));
    Ok(c)
}

/// Listening sockets from /proc/net/tcp and tcp6 (state 0A), with their Recv-Q.
pub fn listeners(root: &HostRoot) -> Vec<Listener> {
    let mut out = Vec::new();
    for f in ["proc/net/tcp", "proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(root.path(f)) else {
            continue;
        };
        out.extend(
            crate::observe::kernel::tcp_sockets(&text)
                .into_iter()
                .filter(|s| s.listening)
                .map(|s| Listener {
                    port: s.local.port(),
                    queued: s.rx_queue,
                }),
        );
    }
    out
}

/// The sysctls the kernel checks read.
pub const CHECKED_SYSCTLS: &[&str] = &[
    "net.core.somaxconn",
    "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_local_reserved_ports",
];

fn read_sysctls(root: &HostRoot) -> std::collections::BTreeMap<String, String> {
    CHECKED_SYSCTLS
        .iter()
        .filter_map(|k| root.sysctl(k).ok().map(|v| (k.to_string(), v)))
        .collect()
}

fn conntrack(root: &HostRoot) -> Option<(u64, u64)> {
    let count = root.sysctl_u64("net.netfilter.nf_conntrack_count").ok()?;
    let max = root.sysctl_u64("net.netfilter.nf_conntrack_max").ok()?;
    Some((count, max))
}

/// Reads the kernel and host facts the checks need; with `sample`, reads the TCP counters at both ends
/// of that window.
pub async fn observe(
    root: &HostRoot,
    sample: Option<std::time::Duration>,
    cancel: &crate::cancel::CancellationToken,
) -> KernelObservation {
    // /proc, /sys and /dev/kmsg are read on the blocking pool: a slow read (a busy /proc, a
    // stalled mount under --host-root) must not hold the runtime thread that times the other
    // areas' round trips (Redis PINGs in the same window).
    let start = off_runtime(root, tcp_counters).await;
    let clock = std::time::Instant::now();
    if let Some(s) = sample {
        crate::cancel::sleep(cancel, s).await;
    }
    let window = clock.elapsed();
    let end = off_runtime(root, tcp_counters).await;
    let counters = match (start, end) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    off_runtime(root, move |root| KernelObservation {
        release: root.sysctl("kernel.osrelease"),
        sysctls: read_sysctls(root),
        counters,
        window,
        listeners: listeners(root),
        conntrack: conntrack(root),
        oom_kills: read_kmsg(root).map(|log| parse_oom_kills(&log)),
        host: host_facts(root),
    })
    .await
}

/// The kernel area's probe: this host, with a sample window only when a kernel check needs one.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let window = cx.full(Area::Kernel).then_some(cx.timing.sample);
        Observed::Kernel(Box::new(observe(&cx.root, window, &cx.cancel).await))
    })
}

/// Reads every record currently in the kernel ring buffer from `/dev/kmsg` without blocking.
pub fn read_kmsg(root: &HostRoot) -> Result<String, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let path = root.path("dev/kmsg");
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = String::new();
    // One record per read; a record is at most 8 KiB (CONSOLE_EXT_LOG_MAX).
    let mut buf = vec![0u8; 8192];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                out.push_str(&String::from_utf8_lossy(&buf[..n]));
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            // A record overwritten while we read: skip it and go on.
            Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Ok(out)
}

/// Reads the host facts.
pub fn host_facts(root: &HostRoot) -> HostFacts {
    let thp = read_trimmed(&root.path("sys/kernel/mm/transparent_hugepage/enabled"))
        .and_then(|s| selected_bracket(&s).ok_or_else(|| format!("unexpected THP setting {s:?}")));
    HostFacts {
        overcommit_memory: root.sysctl("vm.overcommit_memory"),
        thp_enabled: thp,
        mem_total: mem_total(root),
    }
}

/// The bracketed choice in a sysfs selector such as `always [madvise] never`.
pub fn selected_bracket(s: &str) -> Option<String> {
    let start = s.find('[')?;
    let end = s[start..].find(']')? + start;
    Some(s[start + 1..end].to_string())
}

/// MemTotal in bytes, from /proc/meminfo.
pub fn mem_total(root: &HostRoot) -> Result<u64, String> {
    let text = read_trimmed(&root.path("proc/meminfo"))?;
    crate::observe::kernel::mem_total_kb(&text)
        .map(|kb| kb * 1024)
        .ok_or_else(|| "no MemTotal in /proc/meminfo".to_string())
}

/// The soft "Max open files" limit of a process, from /proc/PID/limits.
pub fn process_nofile(root: &HostRoot, pid: u32) -> Result<u64, String> {
    let text = read_trimmed(&root.path(&format!("proc/{pid}/limits")))?;
    let line = text
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .ok_or_else(|| format!("no 'Max open files' in /proc/{pid}/limits"))?;
    let soft = line["Max open files".len()..]
        .split_whitespace()
        .next()
        .unwrap_or("");
    if soft == "unlimited" {
        return Ok(u64::MAX);
    }
    soft.parse()
        .map_err(|_| format!("cannot parse {line:?} in /proc/{pid}/limits"))
}

/// The command name of a process (/proc/PID/comm).
pub fn process_comm(root: &HostRoot, pid: u32) -> Result<String, String> {
    read_trimmed(&root.path(&format!("proc/{pid}/comm")))
}

/// The interfaces that carry a default route (IPv4 and IPv6), from /proc/net.
pub fn default_route_interfaces(root: &HostRoot) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(text) = std::fs::read_to_string(root.path("proc/net/route")) {
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // Iface Destination Gateway Flags ... Mask
            if f.len() > 7 && f[1] == "00000000" && f[7] == "00000000" {
                out.push(f[0].to_string());
            }
        }
    }
    if let Ok(text) = std::fs::read_to_string(root.path("proc/net/ipv6_route")) {
        for line in text.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() == 10
                && f[0] == "00000000000000000000000000000000"
                && f[1] == "00"
                && f[9] != "lo"
            {
                out.push(f[9].to_string());
            }
        }
    }
    out.dedup();
    let mut seen = std::collections::HashSet::new();
    out.retain(|i| seen.insert(i.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue 27 #4: the kernel probe's reads run off the runtime that times round trips
    #[test]
    fn a_slow_proc_read_does_not_stall_the_runtime() {
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("proc/net")).unwrap();
        std::fs::write(
            dir.path().join("proc/net/netstat"),
            "TcpExt: ListenOverflows\nTcpExt: 0\n",
        )
        .unwrap();
        // /proc/net/snmp as a FIFO: each open blocks until the writer below comes, 600 ms later
        let fifo = dir.path().join("proc/net/snmp");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let writer = std::thread::spawn(move || {
            // the probe opens it twice: at both ends of its window
            for _ in 0..2 {
                std::thread::sleep(Duration::from_millis(600));
                std::fs::write(&fifo, "Tcp: RetransSegs OutSegs\nTcp: 1 100\n").unwrap();
            }
        });
        let root = HostRoot::new(Some(dir.path()));
        let cancel = crate::cancel::CancellationToken::new();
        let (obs, worst_gap) = super::super::with_worst_stall(observe(&root, None, &cancel));
        writer.join().unwrap();
        let (a, _) = obs.counters.expect("both reads of the FIFO succeed");
        assert_eq!(a["Tcp.OutSegs"], 100);
        // on the runtime thread, each open would stall the ticker for 600 ms
        assert!(
            worst_gap < Duration::from_millis(300),
            "the runtime stalled {worst_gap:?} while the kernel probe read /proc"
        );
    }

    #[test]
    fn snmp_and_listeners_parse() {
        let snmp =
            "Tcp: RtoAlgorithm RetransSegs OutSegs\nTcp: 1 5 1000\nUdp: InDatagrams\nUdp: 3\n";
        let c = parse_snmp(snmp);
        assert_eq!(
            (c["Tcp.RetransSegs"], c["Tcp.OutSegs"], c["Udp.InDatagrams"]),
            (5, 1000, 3)
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("proc/net")).unwrap();
        std::fs::write(
            dir.path().join("proc/net/tcp"),
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
             0: 0100007F:18EB 00000000:0000 0A 00000000:00000080 00:00000000 00000000   0 0 1 1\n\
             1: 0100007F:18EB 0100007F:9C40 01 00000000:00000000 00:00000000 00000000   0 0 2 1\n",
        )
        .unwrap();
        let root = HostRoot {
            root: dir.path().to_path_buf(),
        };
        assert_eq!(
            listeners(&root),
            vec![Listener {
                port: 6379,
                queued: 128
            }]
        );
    }

    #[test]
    fn oom_kills_parse_from_kmsg_and_dmesg() {
        let kmsg = "6,1234,5000000,-;Out of memory: Killed process 4242 (redis-server) total-vm:1000kB, anon-rss:900kB\n\
                    6,1235,5000100,-;oom_reaper: reaped process 4242 (redis-server)\n\
                    3,1300,9000000,-;Memory cgroup out of memory: Killed process 77 (postgres) total-vm:1kB\n";
        let k = parse_oom_kills(kmsg);
        assert_eq!(k.len(), 2);
        assert_eq!(
            (k[0].pid, k[0].comm.as_str(), k[0].uptime_s),
            (4242, "redis-server", 5)
        );
        assert_eq!(k[1].comm, "postgres");
        let dmesg = "[  812.301] Out of memory: Killed process 9 (java) total-vm:1kB";
        assert_eq!(parse_oom_kills(dmesg)[0].uptime_s, 812);
        assert!(parse_oom_kills("Killed process abc (x)").is_empty());
    }

    #[test]
    fn host_facts_from_a_fake_root() {
        let dir = tempfile::tempdir().unwrap();
        let w = |rel: &str, text: &str| {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        w("proc/sys/vm/overcommit_memory", "0\n");
        w(
            "sys/kernel/mm/transparent_hugepage/enabled",
            "[always] madvise never\n",
        );
        w("proc/sys/net/core/somaxconn", "128\n");
        w(
            "proc/meminfo",
            "MemTotal:       24576000 kB\nMemFree: 1 kB\n",
        );
        w("proc/42/limits", "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n");
        let root = HostRoot {
            root: dir.path().to_path_buf(),
        };
        let h = host_facts(&root);
        assert_eq!(h.overcommit_memory.unwrap(), "0");
        assert_eq!(h.thp_enabled.unwrap(), "always");
        assert_eq!(h.mem_total.unwrap(), 24576000 * 1024);
        assert_eq!(process_nofile(&root, 42).unwrap(), 1024);
        assert!(process_nofile(&root, 43).is_err());
    }

    #[test]
    fn fake_root_is_read_and_default_routes_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = HostRoot {
            root: dir.path().to_path_buf(),
        };
        std::fs::create_dir_all(dir.path().join("proc/sys/kernel")).unwrap();
        std::fs::create_dir_all(dir.path().join("proc/net")).unwrap();
        std::fs::write(
            dir.path().join("proc/sys/kernel/osrelease"),
            "6.1.0-18-amd64\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("proc/net/route"),
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
             eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
             eth1\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n",
        )
        .unwrap();
        assert_eq!(root.sysctl("kernel.osrelease").unwrap(), "6.1.0-18-amd64");
        assert_eq!(default_route_interfaces(&root), vec!["eth0".to_string()]);
        let missing = HostRoot {
            root: dir.path().join("nope"),
        };
        assert!(missing
            .sysctl("kernel.osrelease")
            .unwrap_err()
            .contains("osrelease"));
        assert_eq!(
            missing.sysctl_path("net/ipv4/conf/eth0.100/rp_filter"),
            dir.path()
                .join("nope/proc/sys/net/ipv4/conf/eth0.100/rp_filter")
        );
    }
}
