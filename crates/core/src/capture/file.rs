//! pcap and pcapng captures read from any byte stream (pcap-file): the parser of capture files,
//! which are untrusted input. Opening the file is the caller's (`probe::packets`).

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::{Block, PcapNgReader};

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

/// Reads a pcap or pcapng capture from `reader` into `sink`; `name` says which in messages. A
/// stream that is not a capture is an error; one cut short stops with the reason, keeping what
/// was read. `stop` (Ctrl-C) ends it between packets.
pub fn read(
    name: &dyn std::fmt::Display,
    mut reader: impl Read,
    sink: &mut dyn Sink,
    stop: &AtomicBool,
) -> Result<FileEnd, String> {
    let mut magic = [0u8; 4];
    reader
        .read_exact(&mut magic)
        .map_err(|_| format!("{name}: not a pcap or pcapng file (too short)"))?;
    // the readers want the whole stream, magic included
    let reader = std::io::Cursor::new(magic).chain(reader);
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
}
