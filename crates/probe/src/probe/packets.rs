//! Packets in and out: pcap/pcapng files (pcap-file) and live capture through libpcap (the pcap
//! crate: a TPACKET_V3 mmap ring, an in-kernel BPF filter, loopback's outgoing duplicates
//! dropped, and the kernel's drop counters). Every packet goes to a sink the caller supplies.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, TsResolution};

pub use crate::capture::file::{FileEnd, Sink};

/// Reads a pcap or pcapng file into `sink` ([`crate::capture::file::read`] parses it). A file
/// that is not a capture is an error; a file cut short stops with the reason, keeping what was
/// read.
pub fn read_file(path: &Path, sink: &mut dyn Sink, stop: &AtomicBool) -> Result<FileEnd, String> {
    let name = path.display();
    let f = File::open(path).map_err(|e| format!("{name}: {e}"))?;
    crate::capture::file::read(&name, BufReader::with_capacity(1 << 20, f), sink, stop)
}

/// Creates a pcap file, mode 0600 from the first byte (captures hold session tokens), with
/// nanosecond timestamps.
pub fn create_pcap(
    path: &Path,
    linktype: u32,
    snaplen: u32,
) -> Result<PcapWriter<BufWriter<File>>, String> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NOFOLLOW: a symlink planted at the path (statectl runs as root, often in /tmp) makes
    // the open fail instead of truncating whatever it points at.
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => {
                format!("{}: is a symbolic link; not following it", path.display())
            }
            _ => format!("{}: {e}", path.display()),
        })?;
    // an existing file keeps its mode through truncate: force 0600
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let header = PcapHeader {
        datalink: DataLink::from(linktype),
        ts_resolution: TsResolution::NanoSecond,
        snaplen,
        ..Default::default()
    };
    PcapWriter::with_header(BufWriter::with_capacity(1 << 20, f), header)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes one packet.
pub fn write_packet(
    w: &mut PcapWriter<BufWriter<File>>,
    ts: Duration,
    data: &[u8],
    orig_len: u32,
) -> Result<(), String> {
    w.write_packet(&PcapPacket::new(ts, orig_len, data))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// What a live capture is asked to do.
#[derive(Debug, Clone)]
pub struct Live {
    /// Interface.
    pub iface: String,
    /// TCP port for the kernel filter (None: all TCP).
    pub port: Option<u16>,
    /// Stop after this many packets.
    pub count: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
}

/// Counters a live capture shares with its progress display.
#[derive(Debug, Default)]
pub struct LiveCounters {
    /// Packets delivered.
    pub packets: AtomicU64,
    /// Bytes delivered.
    pub bytes: AtomicU64,
    /// Kernel drops so far.
    pub drops: AtomicU64,
}

/// How a live capture ended.
#[derive(Debug)]
pub struct LiveEnd {
    /// The link type of the interface.
    pub linktype: u32,
    /// Packets the kernel dropped (ring full) plus those the interface dropped.
    pub kernel_drops: u64,
}

/// Opens the interface, calls `sink.start` with its link type, then feeds packets to `sink`
/// until the count, the duration or `stop`.
pub fn capture(
    live: &Live,
    stop: &AtomicBool,
    counters: &LiveCounters,
    sink: &mut dyn Sink,
) -> Result<LiveEnd, String> {
    let iface = &live.iface;
    let inactive = pcap::Capture::from_device(iface.as_str())
        .map_err(|e| format!("-i {iface}: {e}"))?
        .promisc(false)
        .snaplen(262_144)
        .buffer_size(64 << 20)
        .timeout(100)
        .precision(pcap::Precision::Nano);
    // Non-blocking reads plus our own poll(): libpcap's read timeout does not fire on an idle
    // TPACKET_V3 ring, and a capture must stop on time even when nothing arrives.
    let mut cap = inactive
        .open()
        .and_then(|c| c.setnonblock())
        .map_err(|e| format!("-i {iface}: {e}"))?;
    let fd = std::os::fd::AsRawFd::as_raw_fd(&cap);
    let filter = match live.port {
        Some(p) => format!("tcp port {p}"),
        None => "tcp".to_string(),
    };
    cap.filter(&filter, true)
        .map_err(|e| format!("-i {iface}: BPF filter: {e}"))?;
    let linktype = cap.get_datalink().0 as u32;
    sink.start(linktype)?;
    let start = Instant::now();
    let mut n = 0u64;
    let mut last_stats = Instant::now();
    let mut drops = 0u64;
    // On Ctrl-C or at the deadline, packets still sit in the ring's current block, which the
    // kernel hands over only when it retires (the 100 ms timeout): keep draining that long.
    let mut draining: Option<Instant> = None;
    let mut idle = true;
    loop {
        if live.count.is_some_and(|c| n >= c) {
            break;
        }
        // The clock and the stop flag are read every 256 packets or when the ring is empty:
        // reading the clock per packet was a tenth of the capture's CPU.
        if idle || n.is_multiple_of(256) {
            if draining.is_none()
                && (stop.load(Ordering::Relaxed)
                    || live.duration.is_some_and(|d| start.elapsed() >= d))
            {
                draining = Some(Instant::now());
            }
            if draining.is_some_and(|t| t.elapsed() > Duration::from_millis(250)) {
                break;
            }
            if last_stats.elapsed() > Duration::from_millis(250) {
                if let Ok(s) = cap.stats() {
                    drops = u64::from(s.dropped) + u64::from(s.if_dropped);
                    counters.drops.store(drops, Ordering::Relaxed);
                }
                last_stats = Instant::now();
            }
        }
        match cap.next_packet() {
            Ok(p) => {
                idle = false;
                let ts = Duration::new(p.header.ts.tv_sec as u64, p.header.ts.tv_usec as u32);
                sink.packet(ts, linktype, p.data, p.header.len);
                n += 1;
                counters.packets.fetch_add(1, Ordering::Relaxed);
                counters
                    .bytes
                    .fetch_add(p.data.len() as u64, Ordering::Relaxed);
            }
            Err(pcap::Error::TimeoutExpired) => {
                idle = true;
                let mut pfd = libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd for the capture's descriptor, which outlives the call.
                unsafe { libc::poll(&mut pfd, 1, 50) };
            }
            Err(e) => return Err(format!("-i {iface}: {e}")),
        }
    }
    if let Ok(s) = cap.stats() {
        drops = u64::from(s.dropped) + u64::from(s.if_dropped);
    }
    Ok(LiveEnd {
        linktype,
        kernel_drops: drops,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue 12, defect 6: `capture -w` followed a symlink when it created the file
    #[test]
    fn the_pcap_is_never_written_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("shadow");
        std::fs::write(&victim, "root:x:0:0\n").unwrap();
        let link = dir.path().join("capture.pcap");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let Err(e) = create_pcap(&link, 1, 65535) else {
            panic!("a symlink must be refused")
        };
        assert!(e.contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "root:x:0:0\n");
        // a plain path still works, 0600
        let plain = dir.path().join("ok.pcap");
        drop(create_pcap(&plain, 1, 65535).unwrap());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
