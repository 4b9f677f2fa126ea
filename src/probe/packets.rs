//! Packets in and out: pcap/pcapng files (pcap-file) and live capture through libpcap (the pcap
//! crate: a TPACKET_V3 mmap ring, an in-kernel BPF filter, loopback's outgoing duplicates
//! dropped, and the kernel's drop counters). Every packet goes to a sink the caller supplies.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::{DataLink, TsResolution};

/// Receives each packet: timestamp since the epoch, link type, bytes as captured, original length.
pub trait Sink {
    /// Called once a live capture is open, with the interface's link type, before any packet.
    fn start(&mut self, _linktype: u32) -> Result<(), String> {
        Ok(())
    }

    /// One packet.
    fn packet(&mut self, ts: Duration, linktype: u32, data: &[u8], orig_len: u32);
}

/// How reading a file ended.
#[derive(Debug, Default, PartialEq)]
pub struct FileEnd {
    /// Packets read.
    pub packets: u64,
    /// Why reading stopped before the end of the file, when it did.
    pub stopped_early: Option<String>,
    /// Reading stopped because `stop` was set (Ctrl-C).
    pub interrupted: bool,
}

/// Reads a pcap or pcapng file into `sink`. A file that is not a capture is an error; a file
/// cut short stops with the reason, keeping what was read.
pub fn read_file(path: &Path, sink: &mut dyn Sink, stop: &AtomicBool) -> Result<FileEnd, String> {
    let name = path.display();
    let mut f = File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let mut magic = [0u8; 4];
    f.read_exact(&mut magic)
        .map_err(|_| format!("{name}: not a pcap or pcapng file (too short)"))?;
    let f = File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let reader = BufReader::with_capacity(1 << 20, f);
    let mut end = FileEnd::default();
    match u32::from_le_bytes(magic) {
        0xa1b2c3d4 | 0xd4c3b2a1 | 0xa1b23c4d | 0x4d3cb2a1 => {
            let mut r = PcapReader::new(reader).map_err(|e| header_error(&name, e))?;
            let linktype = u32::from(r.header().datalink);
            let resolution = r.header().ts_resolution;
            // pcap-file refuses a packet longer on the wire than the snapshot length, which is
            // every packet `tcpdump -s N` cut: the header's snaplen is not checked here
            while let Some(p) = r
                .next_raw_packet()
                .map(|raw| raw.and_then(|raw| raw.try_into_pcap_packet(resolution, u32::MAX)))
            {
                if stop.load(Ordering::Relaxed) {
                    end.interrupted = true;
                    break;
                }
                match p {
                    Ok(p) => {
                        sink.packet(p.timestamp, linktype, &p.data, p.orig_len);
                        end.packets += 1;
                    }
                    Err(e) => {
                        end.stopped_early = Some(format!(
                            "{name}: cut short after {} packets ({e})",
                            end.packets
                        ));
                        break;
                    }
                }
            }
        }
        0x0a0d0d0a => {
            let mut r = PcapNgReader::new(reader).map_err(|e| header_error(&name, e))?;
            // link types and clocks by interface id, as the interface description blocks declare
            let mut links: Vec<Interface> = Vec::new();
            loop {
                if stop.load(Ordering::Relaxed) {
                    end.interrupted = true;
                    break;
                }
                let block = match r.next_block() {
                    None => break,
                    Some(Ok(b)) => b,
                    Some(Err(e)) => {
                        end.stopped_early = Some(format!(
                            "{name}: cut short after {} packets ({e})",
                            end.packets
                        ));
                        break;
                    }
                };
                match block {
                    Block::SectionHeader(_) => links.clear(),
                    Block::InterfaceDescription(i) => links.push(Interface::of(&i)),
                    Block::EnhancedPacket(p) => {
                        let i = links
                            .get(p.interface_id as usize)
                            .copied()
                            .unwrap_or_default();
                        sink.packet(i.time(p.timestamp), i.linktype, &p.data, p.original_len);
                        end.packets += 1;
                    }
                    Block::SimplePacket(p) => {
                        let lt = links.first().map(|i| i.linktype).unwrap_or(1);
                        sink.packet(Duration::ZERO, lt, &p.data, p.original_len);
                        end.packets += 1;
                    }
                    _ => {}
                }
            }
        }
        _ => return Err(format!("{name}: not a pcap or pcapng file")),
    }
    Ok(end)
}

/// A pcapng interface: its link type and its clock (`if_tsresol`, `if_tsoffset`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Interface {
    linktype: u32,
    /// `if_tsresol`: the high bit clear means 10^-n seconds per unit, set means 2^-n.
    tsresol: u8,
    /// `if_tsoffset`: seconds added to every timestamp.
    tsoffset: u64,
}

impl Default for Interface {
    fn default() -> Self {
        // pcapng's default resolution is the microsecond
        Interface {
            linktype: 1,
            tsresol: 6,
            tsoffset: 0,
        }
    }
}

impl Interface {
    fn of(i: &pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock) -> Self {
        use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption as O;
        let mut me = Interface {
            linktype: u32::from(i.linktype),
            ..Interface::default()
        };
        for o in &i.options {
            match o {
                O::IfTsResol(r) => me.tsresol = *r,
                O::IfTsOffset(s) => me.tsoffset = *s,
                _ => {}
            }
        }
        me
    }

    /// The packet's time. pcap-file hands over the block's 64-bit timestamp as if it counted
    /// nanoseconds whatever the interface declares: `raw.as_nanos()` is the count of units.
    fn time(&self, raw: Duration) -> Duration {
        let units = raw.as_nanos();
        let exp = u32::from(self.tsresol & 0x7f);
        // units per second: 10^exp, or 2^exp with the high bit (units fit in 64 bits, so a
        // divisor above 2^64 leaves whole seconds at zero)
        let per_second: u128 = if self.tsresol & 0x80 == 0 {
            10u128.pow(exp.min(38))
        } else {
            1u128 << exp.min(127)
        };
        let secs = units / per_second;
        let nanos = (units % per_second) * 1_000_000_000 / per_second;
        let t = Duration::new(secs.min(u64::MAX as u128) as u64, nanos as u32);
        t + Duration::from_secs(self.tsoffset)
    }
}

/// Why a capture's header could not be read, in words: a file cut inside its header is not a
/// complete capture (pcap-file says only "Error reading bytes").
fn header_error(name: &impl std::fmt::Display, e: pcap_file::PcapError) -> String {
    match e {
        pcap_file::PcapError::IncompleteBuffer | pcap_file::PcapError::IoError(_) => {
            format!("{name}: not a complete capture: the file ends inside its header")
        }
        e => format!("{name}: not a readable capture: {e}"),
    }
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

    #[test]
    fn pcapng_timestamps_follow_the_interface_resolution_and_offset() {
        let raw = Duration::from_nanos(1_764_000_000_123_456); // what pcap-file hands over
        let at = |tsresol, tsoffset| {
            Interface {
                linktype: 1,
                tsresol,
                tsoffset,
            }
            .time(raw)
        };
        // microseconds, the default of dumpcap and tshark: 1_764_000_000.123456 s
        assert_eq!(at(6, 0), Duration::new(1_764_000_000, 123_456_000));
        assert_eq!(Interface::default().time(raw), at(6, 0));
        // nanoseconds: pcap-file's reading was right
        assert_eq!(at(9, 0), raw);
        // milliseconds, and an offset in seconds
        let ms = Interface {
            linktype: 1,
            tsresol: 3,
            tsoffset: 10,
        };
        assert_eq!(
            ms.time(Duration::from_nanos(1_764_000_000_123)),
            Duration::new(1_764_000_010, 123_000_000)
        );
        // 2^-10 s per unit (the high bit): 1024 units are one second
        let bin = Interface {
            linktype: 1,
            tsresol: 0x80 | 10,
            tsoffset: 0,
        };
        assert_eq!(
            bin.time(Duration::from_nanos(1024 * 5 + 512)),
            Duration::new(5, 500_000_000)
        );
        // resolutions finer than the nanosecond truncate, never overflow
        assert_eq!(at(12, 0), Duration::from_nanos(1_764_000_000_123));
        let _ = at(0x80 | 127, 0);
        let _ = at(127, 0);
    }

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
