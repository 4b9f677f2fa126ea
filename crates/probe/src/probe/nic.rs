//! NICs: kernel counters from sysfs, the driver's own counters through the ETHTOOL_GSTATS
//! ioctl, and link facts from the ethtool netlink API (the ethtool crate), each read at both
//! ends of the sample window.

use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use super::kernel::HostRoot;
use super::{off_runtime, ProbeContext};
use crate::observe::nic::{LinkFacts, NicCounters, NicObservation};
use crate::observe::Observed;

/// Whether the interface exists: in this network namespace (asked of the kernel, as `ip link`
/// does), or, under `--host-root`, in that root's /sys.
pub fn exists(root: &HostRoot, iface: &str) -> bool {
    if iface.is_empty() || iface.contains('/') {
        return false;
    }
    if root.is_default() {
        return ifindex(iface).is_some();
    }
    root.path(&format!("sys/class/net/{iface}")).exists()
}

/// The interface's index in this network namespace.
fn ifindex(iface: &str) -> Option<u32> {
    let name = std::ffi::CString::new(iface).ok()?;
    // SAFETY: name is a valid NUL-terminated string that outlives the call.
    let i = unsafe { libc::if_nametoindex(name.as_ptr()) };
    (i != 0).then_some(i)
}

/// A link as rtnetlink reports it in this network namespace (`ip -s link`): state and the
/// IFLA_STATS64 counters under their sysfs names, plus carrier_changes.
struct NetlinkView {
    operstate: String,
    carrier: Option<bool>,
    mtu: Option<u64>,
    counters: NicCounters,
}

async fn netlink_view(iface: &str, timeout: Duration) -> Result<NetlinkView, String> {
    use futures::TryStreamExt;
    use rtnetlink::packet_route::link::{LinkAttribute, State};
    let work = async {
        let (connection, handle, _) =
            rtnetlink::new_connection().map_err(|e| format!("rtnetlink: {e}"))?;
        let task = tokio::spawn(connection);
        let msg = handle
            .link()
            .get()
            .match_name(iface.to_string())
            .execute()
            .try_next()
            .await;
        task.abort();
        let msg = msg
            .map_err(|e| format!("rtnetlink: {iface}: {e}"))?
            .ok_or_else(|| format!("{iface}: no such interface in this network namespace"))?;
        let mut v = NetlinkView {
            operstate: "unknown".into(),
            carrier: None,
            mtu: None,
            counters: NicCounters::new(),
        };
        for a in msg.attributes {
            match a {
                LinkAttribute::Stats64(s) => {
                    for (k, n) in [
                        ("rx_packets", s.rx_packets),
                        ("tx_packets", s.tx_packets),
                        ("rx_bytes", s.rx_bytes),
                        ("tx_bytes", s.tx_bytes),
                        ("rx_errors", s.rx_errors),
                        ("tx_errors", s.tx_errors),
                        ("rx_dropped", s.rx_dropped),
                        ("tx_dropped", s.tx_dropped),
                        ("multicast", s.multicast),
                        ("collisions", s.collisions),
                        ("rx_length_errors", s.rx_length_errors),
                        ("rx_over_errors", s.rx_over_errors),
                        ("rx_crc_errors", s.rx_crc_errors),
                        ("rx_frame_errors", s.rx_frame_errors),
                        ("rx_fifo_errors", s.rx_fifo_errors),
                        ("rx_missed_errors", s.rx_missed_errors),
                        ("tx_aborted_errors", s.tx_aborted_errors),
                        ("tx_carrier_errors", s.tx_carrier_errors),
                        ("tx_fifo_errors", s.tx_fifo_errors),
                        ("tx_heartbeat_errors", s.tx_heartbeat_errors),
                        ("tx_window_errors", s.tx_window_errors),
                        ("rx_nohandler", s.rx_nohandler),
                    ] {
                        v.counters.insert(k.to_string(), n);
                    }
                }
                LinkAttribute::CarrierChanges(n) => {
                    v.counters.insert("carrier_changes".into(), u64::from(n));
                }
                LinkAttribute::Carrier(c) => v.carrier = Some(c == 1),
                LinkAttribute::Mtu(m) => v.mtu = Some(u64::from(m)),
                LinkAttribute::OperState(s) => {
                    v.operstate = match s {
                        State::Up => "up",
                        State::Down => "down",
                        State::LowerLayerDown => "lowerlayerdown",
                        State::Dormant => "dormant",
                        State::Testing => "testing",
                        State::NotPresent => "notpresent",
                        _ => "unknown",
                    }
                    .to_string()
                }
                _ => {}
            }
        }
        if v.counters.is_empty() {
            return Err(format!("rtnetlink: {iface}: no IFLA_STATS64"));
        }
        Ok(v)
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| format!("rtnetlink: no answer within {timeout:?}"))?
}

fn read(root: &HostRoot, iface: &str, file: &str) -> Option<String> {
    std::fs::read_to_string(root.path(&format!("sys/class/net/{iface}/{file}")))
        .ok()
        .map(|s| s.trim().to_string())
}

/// The kernel's counters for an interface: /sys/class/net/IF/statistics/* and carrier_changes.
pub fn sysfs_counters(root: &HostRoot, iface: &str) -> Result<NicCounters, String> {
    let dir = root.path(&format!("sys/class/net/{iface}/statistics"));
    let mut out = NicCounters::new();
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Ok(v) = std::fs::read_to_string(e.path()) {
            if let Ok(n) = v.trim().parse() {
                out.insert(name, n);
            }
        }
    }
    if let Some(n) = read(root, iface, "carrier_changes").and_then(|v| v.parse().ok()) {
        out.insert("carrier_changes".into(), n);
    }
    Ok(out)
}

fn sysfs_link(root: &HostRoot, iface: &str) -> Result<LinkFacts, String> {
    // speed reads -1 (or fails with EINVAL) when unknown
    let speed = read(root, iface, "speed")
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|s| *s > 0)
        .map(|s| s as u32);
    let duplex = read(root, iface, "duplex").filter(|d| d == "full" || d == "half");
    Ok(LinkFacts {
        speed_mbps: speed,
        duplex,
        autoneg: None,
        source: "sysfs".into(),
    })
}

async fn netlink_link(iface: &str, timeout: Duration) -> Result<LinkFacts, String> {
    use ethtool::{EthtoolAttr, EthtoolLinkModeAttr, EthtoolLinkModeDuplex};
    use futures::StreamExt;
    let work = async {
        let (connection, mut handle, _) =
            ethtool::new_connection().map_err(|e| format!("ethtool netlink: {e}"))?;
        let task = tokio::spawn(connection);
        let mut stream = handle
            .link_mode()
            .get(Some(iface))
            .execute()
            .await
            .map_err(|e| format!("ethtool netlink: {e}"))?;
        let mut facts = LinkFacts {
            speed_mbps: None,
            duplex: None,
            autoneg: None,
            source: "ethtool netlink".into(),
        };
        let mut seen = false;
        while let Some(msg) = stream.next().await {
            let msg = msg.map_err(|e| format!("ethtool netlink: {e}"))?;
            seen = true;
            for attr in &msg.payload.nlas {
                if let EthtoolAttr::LinkMode(a) = attr {
                    match a {
                        // SPEED_UNKNOWN is u32::MAX
                        EthtoolLinkModeAttr::Speed(s) if *s != u32::MAX && *s > 0 => {
                            facts.speed_mbps = Some(*s)
                        }
                        EthtoolLinkModeAttr::Duplex(EthtoolLinkModeDuplex::Full) => {
                            facts.duplex = Some("full".into())
                        }
                        EthtoolLinkModeAttr::Duplex(EthtoolLinkModeDuplex::Half) => {
                            facts.duplex = Some("half".into())
                        }
                        EthtoolLinkModeAttr::Autoneg(on) => facts.autoneg = Some(*on),
                        _ => {}
                    }
                }
            }
        }
        task.abort();
        if !seen {
            return Err("ethtool netlink: no link-mode reply".to_string());
        }
        Ok(facts)
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| format!("ethtool netlink: no answer within {timeout:?}"))?
}

/// Driver counters through SIOCETHTOOL: ETHTOOL_GSSET_INFO, ETHTOOL_GSTRINGS, ETHTOOL_GSTATS.
pub fn driver_counters(iface: &str) -> Result<NicCounters, String> {
    const SIOCETHTOOL: libc::c_ulong = 0x8946;
    const ETHTOOL_GSSET_INFO: u32 = 0x37;
    const ETHTOOL_GSTRINGS: u32 = 0x1b;
    const ETHTOOL_GSTATS: u32 = 0x1d;
    const ETH_SS_STATS: u32 = 1;
    const ETH_GSTRING_LEN: usize = 32;

    #[repr(C)]
    struct IfReq {
        name: [u8; libc::IFNAMSIZ],
        data: *mut libc::c_void,
        _pad: [u8; 16],
    }

    if iface.len() >= libc::IFNAMSIZ {
        return Err(format!("{iface}: interface name too long"));
    }
    // SAFETY: a plain datagram socket used only for the ioctl below, closed by OwnedFd.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(format!("socket: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: fd is a fresh, valid descriptor that nothing else owns.
    let fd = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    let ioctl = |buf: *mut libc::c_void| -> Result<(), String> {
        let mut req = IfReq {
            name: [0; libc::IFNAMSIZ],
            data: buf,
            _pad: [0; 16],
        };
        req.name[..iface.len()].copy_from_slice(iface.as_bytes());
        // SAFETY: req points at a live ifreq whose data points at a buffer sized for the
        // command, as the ethtool ABI requires.
        let rc = unsafe {
            libc::ioctl(
                std::os::fd::AsRawFd::as_raw_fd(&fd),
                SIOCETHTOOL as _,
                &mut req as *mut IfReq,
            )
        };
        if rc < 0 {
            return Err(format!(
                "SIOCETHTOOL on {iface}: {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(())
    };

    // struct ethtool_sset_info { u32 cmd; u32 reserved; u64 sset_mask; u32 data[]; }
    let mut sset = [0u64; 3];
    {
        // SAFETY: the first u64 is reinterpreted as the two u32 header fields.
        let head: &mut [u32; 2] = unsafe { &mut *(sset.as_mut_ptr() as *mut [u32; 2]) };
        head[0] = ETHTOOL_GSSET_INFO;
    }
    sset[1] = 1u64 << ETH_SS_STATS;
    ioctl(sset.as_mut_ptr().cast())?;
    if sset[1] & (1 << ETH_SS_STATS) == 0 {
        return Ok(NicCounters::new());
    }
    // SAFETY: data[0] is the first u32 after the 16-byte header.
    let n = unsafe { *(sset.as_ptr().add(2) as *const u32) } as usize;
    if n == 0 || n > 65536 {
        return Ok(NicCounters::new());
    }

    // The kernel fills GSTRINGS and GSTATS with the driver's count *now*, ignoring the length
    // we pass: a count that grew since GSSET_INFO would be written past a buffer sized for `n`.
    // So both buffers get generous headroom, and only what the kernel says it wrote is read.
    let cap = (n * 2).max(n + 256);

    // struct ethtool_gstrings { u32 cmd; u32 string_set; u32 len; u8 data[]; }
    let mut strings = vec![0u8; 12 + cap * ETH_GSTRING_LEN];
    strings[0..4].copy_from_slice(&ETHTOOL_GSTRINGS.to_ne_bytes());
    strings[4..8].copy_from_slice(&ETH_SS_STATS.to_ne_bytes());
    strings[8..12].copy_from_slice(&(n as u32).to_ne_bytes());
    ioctl(strings.as_mut_ptr().cast())?;
    let n_strings = u32::from_ne_bytes(strings[8..12].try_into().expect("4 bytes")) as usize;

    // struct ethtool_stats { u32 cmd; u32 n_stats; u64 data[]; }
    let mut stats = vec![0u64; 1 + cap];
    {
        // SAFETY: the first u64 is reinterpreted as the two u32 header fields.
        let head: &mut [u32; 2] = unsafe { &mut *(stats.as_mut_ptr() as *mut [u32; 2]) };
        head[0] = ETHTOOL_GSTATS;
        head[1] = n as u32;
    }
    ioctl(stats.as_mut_ptr().cast())?;
    // SAFETY: as above; the kernel wrote its count into the header.
    let n_stats = unsafe { (*(stats.as_ptr() as *const [u32; 2]))[1] } as usize;
    if n_strings > cap || n_stats > cap {
        return Err(format!(
            "{iface}: the driver's counter list grew from {n} to {} during the read; try again",
            n_strings.max(n_stats)
        ));
    }

    let mut out = NicCounters::new();
    // names and values pair up only as far as both lists go
    for i in 0..n_strings.min(n_stats) {
        let raw = &strings[12 + i * ETH_GSTRING_LEN..12 + (i + 1) * ETH_GSTRING_LEN];
        let end = raw.iter().position(|b| *b == 0).unwrap_or(raw.len());
        let name = String::from_utf8_lossy(&raw[..end]).trim().to_string();
        if !name.is_empty() {
            out.insert(name, stats[1 + i]);
        }
    }
    Ok(out)
}

/// The NIC area's probe: every interface named or found, concurrently.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let (sample, timeout) = (cx.timing.sample, cx.timing.timeout);
        let seen = cx
            .targets
            .ifaces
            .iter()
            .map(|i| observe(&cx.root, i, sample, timeout, &cx.cancel));
        Observed::Nic(cx.each(seen).await)
    })
}

/// [`observe`] for an interface of this network namespace.
async fn observe_here(
    root: &HostRoot,
    iface: &str,
    sample: Duration,
    timeout: Duration,
    cancel: &crate::cancel::CancellationToken,
) -> NicObservation {
    let v0 = netlink_view(iface, timeout).await;
    let driver0 = driver_counters(iface);
    let clock = Instant::now();
    crate::cancel::sleep(cancel, sample).await;
    let window = clock.elapsed();
    let v1 = netlink_view(iface, timeout).await;
    let driver1 = driver_counters(iface);
    let link = match netlink_link(iface, timeout).await {
        Ok(f) => Ok(f),
        // no ethtool netlink: sysfs, if /sys shows this namespace's interface
        Err(e) => this_namespace(root, iface)
            .and_then(|()| sysfs_link(root, iface))
            .map_err(|why| format!("{e}; {why}")),
    };
    let (operstate, carrier, mtu) = match &v1 {
        Ok(v) => (v.operstate.clone(), v.carrier, v.mtu),
        Err(_) => ("unknown".to_string(), None, None),
    };
    let stats = both(v0.map(|v| v.counters), v1.map(|v| v.counters));
    let driver = both(driver0, driver1);
    NicObservation {
        iface: iface.to_string(),
        operstate,
        carrier,
        mtu,
        stats,
        driver,
        link,
        window,
    }
}

/// The reads at both ends of a window, or the first failure.
fn both<T>(start: Result<T, String>, end: Result<T, String>) -> Result<(T, T), String> {
    Ok((start?, end?))
}

/// Whether `iface` under the root's /sys is this network namespace's `iface`, by ifindex.
fn this_namespace(root: &HostRoot, iface: &str) -> Result<(), String> {
    let sys: u32 = read(root, iface, "ifindex")
        .and_then(|i| i.parse().ok())
        .ok_or_else(|| {
            format!(
                "{iface} has no ifindex under {}: cannot tell that it is this network namespace's interface",
                root.path("sys/class/net").display()
            )
        })?;
    let here = ifindex(iface)
        .ok_or_else(|| format!("{iface} is not an interface of this network namespace"))?;
    if here != sys {
        return Err(format!(
            "{iface} under {} is ifindex {sys}, but this network namespace's {iface} is {here}: not the same interface",
            root.path("sys").display()
        ));
    }
    Ok(())
}

/// Reads an interface's counters twice across `sample` and its link facts.
pub async fn observe(
    root: &HostRoot,
    iface: &str,
    sample: Duration,
    timeout: Duration,
    cancel: &crate::cancel::CancellationToken,
) -> NicObservation {
    // Without --host-root, this network namespace is the subject: state and counters come from
    // rtnetlink (as `ip -s link`), never from a /sys that may belong to another namespace (an
    // `unshare -n` that did not remount it). Under --host-root the host's /sys is the subject;
    // the ioctl and ethtool netlink see this namespace, so they are asked only about an
    // interface that is the same one in both.
    if root.is_default() {
        return observe_here(root, iface, sample, timeout, cancel).await;
    }
    // the sysfs reads and the ioctl run on the blocking pool: a slow /sys (a FUSE or NFS mount
    // under --host-root) must not stall the runtime that times other areas' round trips
    let name = iface.to_string();
    let (here, stats0, driver0) = off_runtime(root, move |root| {
        let here = this_namespace(root, &name);
        let driver = here.clone().and_then(|()| driver_counters(&name));
        (here, sysfs_counters(root, &name), driver)
    })
    .await;
    let clock = Instant::now();
    crate::cancel::sleep(cancel, sample).await;
    let window = clock.elapsed();
    let (name, ok) = (iface.to_string(), here.is_ok());
    let (stats1, driver1) = off_runtime(root, move |root| {
        let driver = if ok {
            driver_counters(&name)
        } else {
            Err(String::new())
        };
        (sysfs_counters(root, &name), driver)
    })
    .await;
    let driver1 = match &here {
        Err(e) => Err(e.clone()),
        Ok(()) => driver1,
    };
    let netlink = match here {
        Ok(()) => netlink_link(iface, timeout).await.ok(),
        Err(_) => None,
    };
    let name = iface.to_string();
    let (link, operstate, carrier, mtu) = off_runtime(root, move |root| {
        (
            // kernels or containers without ethtool netlink: sysfs
            netlink.map_or_else(|| sysfs_link(root, &name), Ok),
            read(root, &name, "operstate").unwrap_or_else(|| "unknown".into()),
            read(root, &name, "carrier").map(|c| c == "1"),
            read(root, &name, "mtu").and_then(|m| m.parse().ok()),
        )
    })
    .await;
    NicObservation {
        iface: iface.to_string(),
        operstate,
        carrier,
        mtu,
        stats: both(stats0, stats1),
        driver: both(driver0, driver1),
        link,
        window,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue 27 #4: the NIC probe's sysfs reads under --host-root ran on the runtime thread
    #[test]
    fn a_slow_sysfs_read_does_not_stall_the_runtime() {
        use std::os::unix::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().unwrap();
        let net = dir.path().join("sys/class/net/lo");
        std::fs::create_dir_all(net.join("statistics")).unwrap();
        // this namespace's lo, so the probe trusts the host root's /sys for it
        let index = ifindex("lo").expect("lo has an ifindex");
        std::fs::write(net.join("ifindex"), format!("{index}\n")).unwrap();
        std::fs::write(net.join("operstate"), "unknown\n").unwrap();
        std::fs::write(net.join("statistics/tx_bytes"), "7\n").unwrap();
        // rx_bytes as a FIFO: each open blocks until the writer below comes, 600 ms later
        let fifo = net.join("statistics/rx_bytes");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let writer = std::thread::spawn(move || {
            // the probe reads it at both ends of its window; a writer that finds no reader by
            // the deadline gives up, so a failing probe cannot hang the test
            for _ in 0..2 {
                std::thread::sleep(Duration::from_millis(600));
                let deadline = Instant::now() + Duration::from_secs(10);
                loop {
                    match std::fs::OpenOptions::new()
                        .write(true)
                        .custom_flags(libc::O_NONBLOCK)
                        .open(&fifo)
                    {
                        Ok(mut f) => {
                            std::io::Write::write_all(&mut f, b"12345\n").unwrap();
                            break;
                        }
                        Err(_) if Instant::now() < deadline => {
                            std::thread::sleep(Duration::from_millis(5))
                        }
                        Err(e) => panic!("no reader came: {e}"),
                    }
                }
            }
        });
        let root = HostRoot::new(Some(dir.path()));
        let cancel = crate::cancel::CancellationToken::new();
        let (obs, worst_gap) = super::super::with_worst_stall(observe(
            &root,
            "lo",
            Duration::from_millis(10),
            Duration::from_secs(2),
            &cancel,
        ));
        writer.join().unwrap();
        let (a, b) = obs.stats.expect("both reads of the FIFO succeed");
        assert_eq!((a["rx_bytes"], b["tx_bytes"]), (12345, 7));
        // on the runtime thread, each open would stall the ticker for 600 ms
        assert!(
            worst_gap < Duration::from_millis(300),
            "the runtime stalled {worst_gap:?} while the NIC probe read /sys"
        );
    }
}
