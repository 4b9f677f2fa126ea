//! Link layer to TCP segment, with pnet_packet: Ethernet (with one VLAN tag), Linux cooked
//! capture v1 and v2, raw IP, and BSD loopback.

use std::net::{IpAddr, SocketAddr};

use pnet_packet::ethernet::{EtherTypes, EthernetPacket};
use pnet_packet::ip::IpNextHeaderProtocols;
use pnet_packet::ipv4::Ipv4Packet;
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::tcp::{TcpFlags, TcpPacket};

/// Link types (pcap LINKTYPE_* values) this decoder reads.
pub const LINKTYPE_NULL: u32 = 0;
/// Ethernet.
pub const LINKTYPE_ETHERNET: u32 = 1;
/// Raw IP.
pub const LINKTYPE_RAW: u32 = 101;
/// OpenBSD loopback.
pub const LINKTYPE_LOOP: u32 = 108;
/// Linux cooked capture v1 (`tcpdump -i any`).
pub const LINKTYPE_LINUX_SLL: u32 = 113;
/// Raw IPv4.
pub const LINKTYPE_IPV4: u32 = 228;
/// Raw IPv6.
pub const LINKTYPE_IPV6: u32 = 229;
/// Linux cooked capture v2.
pub const LINKTYPE_LINUX_SLL2: u32 = 276;

/// Whether `decode` understands the link type.
pub fn supported(linktype: u32) -> bool {
    matches!(
        linktype,
        LINKTYPE_NULL
            | LINKTYPE_ETHERNET
            | LINKTYPE_RAW
            | LINKTYPE_LOOP
            | LINKTYPE_LINUX_SLL
            | LINKTYPE_IPV4
            | LINKTYPE_IPV6
            | LINKTYPE_LINUX_SLL2
    )
}

/// One TCP segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment<'a> {
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number, when the ACK flag is set.
    pub ack: Option<u32>,
    /// SYN set.
    pub syn: bool,
    /// FIN or RST set.
    pub fin: bool,
    /// TCP payload, as captured.
    pub payload: &'a [u8],
    /// The payload's length on the wire: more than `payload` holds when the capture kept only
    /// the packet's first bytes (`tcpdump -s N`).
    pub wire_len: usize,
}

/// The TCP segment in `bytes` (what the capture kept of it), `wire` bytes long on the wire as
/// the IP header says.
fn tcp<'a>(src: IpAddr, dst: IpAddr, bytes: &'a [u8], wire: usize) -> Option<Segment<'a>> {
    let t = TcpPacket::new(bytes)?;
    let off = usize::from(t.get_data_offset()) * 4;
    // options cut by the snapshot length still leave the ports, numbers and flags
    if off < 20 || off > wire.max(bytes.len()) {
        return None;
    }
    let flags = t.get_flags();
    Some(Segment {
        src: SocketAddr::new(src, t.get_source()),
        dst: SocketAddr::new(dst, t.get_destination()),
        seq: t.get_sequence(),
        ack: (flags & TcpFlags::ACK != 0).then(|| t.get_acknowledgement()),
        syn: flags & TcpFlags::SYN != 0,
        fin: flags & (TcpFlags::FIN | TcpFlags::RST) != 0,
        payload: &bytes[off.min(bytes.len())..],
        wire_len: wire.max(bytes.len()) - off,
    })
}

fn ip(bytes: &[u8]) -> Option<Segment<'_>> {
    match bytes.first()? >> 4 {
        4 => {
            let p = Ipv4Packet::new(bytes)?;
            if p.get_next_level_protocol() != IpNextHeaderProtocols::Tcp {
                return None;
            }
            // fragments other than the first carry no TCP header
            if p.get_fragment_offset() != 0 {
                return None;
            }
            let ihl = usize::from(p.get_header_length()) * 4;
            let wire = usize::from(p.get_total_length());
            // beyond the total length: Ethernet's padding; short of it: cut by the capture
            let total = wire.min(bytes.len());
            if ihl < 20 || ihl > total {
                return None;
            }
            tcp(
                IpAddr::V4(p.get_source()),
                IpAddr::V4(p.get_destination()),
                &bytes[ihl..total],
                wire - ihl,
            )
        }
        6 => {
            let p = Ipv6Packet::new(bytes)?;
            if p.get_next_header() != IpNextHeaderProtocols::Tcp {
                return None;
            }
            let wire = usize::from(p.get_payload_length());
            let end = (40 + wire).min(bytes.len());
            tcp(
                IpAddr::V6(p.get_source()),
                IpAddr::V6(p.get_destination()),
                bytes.get(40..end)?,
                wire,
            )
        }
        _ => None,
    }
}

fn by_ethertype(ethertype: u16, payload: &[u8]) -> Option<Segment<'_>> {
    match ethertype {
        0x0800 | 0x86dd => ip(payload),
        0x8100 | 0x88a8 if payload.len() >= 4 => {
            by_ethertype(u16::from_be_bytes([payload[2], payload[3]]), &payload[4..])
        }
        _ => None,
    }
}

/// The TCP segment in a captured frame, if there is one.
pub fn decode(linktype: u32, frame: &[u8]) -> Option<Segment<'_>> {
    match linktype {
        LINKTYPE_ETHERNET => {
            let e = EthernetPacket::new(frame)?;
            let et = e.get_ethertype();
            if et != EtherTypes::Ipv4
                && et != EtherTypes::Ipv6
                && et != EtherTypes::Vlan
                && et.0 != 0x88a8
            {
                return None;
            }
            by_ethertype(et.0, &frame[14..])
        }
        LINKTYPE_LINUX_SLL if frame.len() >= 16 => {
            by_ethertype(u16::from_be_bytes([frame[14], frame[15]]), &frame[16..])
        }
        LINKTYPE_LINUX_SLL2 if frame.len() >= 20 => {
            by_ethertype(u16::from_be_bytes([frame[0], frame[1]]), &frame[20..])
        }
        LINKTYPE_RAW | LINKTYPE_IPV4 | LINKTYPE_IPV6 => ip(frame),
        LINKTYPE_NULL | LINKTYPE_LOOP if frame.len() >= 4 => ip(&frame[4..]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ethernet/IPv4/TCP frame from 127.0.0.1:50000 to 127.0.0.1:6379 carrying `payload`.
    pub fn frame(seq: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 14];
        f[12] = 0x08;
        let total = 20 + 20 + payload.len();
        let mut ip = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0x40,
            0,
            64,
            6,
            0,
            0,
            127,
            0,
            0,
            1,
            127,
            0,
            0,
            1,
        ];
        f.append(&mut ip);
        let mut t = vec![0xc3, 0x50, 0x18, 0xeb];
        t.extend_from_slice(&seq.to_be_bytes());
        t.extend_from_slice(&[0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        f.append(&mut t);
        f.extend_from_slice(payload);
        // Ethernet minimum-size padding must not leak into the payload
        while f.len() < 60 {
            f.push(0xee);
        }
        f
    }

    #[test]
    fn ethernet_ipv4_tcp_with_padding() {
        let f = frame(1000, 0x18, b"+OK\r\n");
        let s = decode(LINKTYPE_ETHERNET, &f).unwrap();
        assert_eq!(s.src.port(), 50000);
        assert_eq!(s.dst.port(), 6379);
        assert_eq!(s.seq, 1000);
        assert_eq!(s.payload, b"+OK\r\n");
        assert!(!s.syn && !s.fin);
        // the same IP packet as raw IP and in a Linux cooked header
        assert_eq!(
            decode(LINKTYPE_RAW, &f[14..14 + 45]).unwrap().payload,
            b"+OK\r\n"
        );
        let mut sll = vec![0u8; 14];
        sll.extend_from_slice(&[0x08, 0x00]);
        sll.extend_from_slice(&f[14..]);
        assert_eq!(decode(LINKTYPE_LINUX_SLL, &sll).unwrap().seq, 1000);
    }

    #[test]
    fn frames_cut_by_the_snapshot_length_keep_their_length_on_the_wire() {
        let f = frame(1000, 0x18, b"*1\r\n$4\r\nPING\r\n");
        let whole = decode(LINKTYPE_ETHERNET, &f).unwrap();
        assert_eq!((whole.payload.len(), whole.wire_len), (14, 14));
        // 6 payload bytes kept
        let s = decode(LINKTYPE_ETHERNET, &f[..14 + 40 + 6]).unwrap();
        assert_eq!((s.payload, s.wire_len, s.seq), (&b"*1\r\n$4"[..], 14, 1000));
        // cut at the end of the TCP header: ports, numbers and flags only
        let s = decode(LINKTYPE_ETHERNET, &f[..14 + 20 + 20]).unwrap();
        assert_eq!((s.payload.len(), s.wire_len, s.dst.port()), (0, 14, 6379));
        // and inside its options (a 32-byte header with timestamps)
        let mut opts = f.clone();
        opts[14 + 20 + 12] = 8 << 4;
        let s = decode(LINKTYPE_ETHERNET, &opts[..14 + 20 + 24]).unwrap();
        assert_eq!((s.payload.len(), s.wire_len, s.seq), (0, 2, 1000));
        assert!(decode(LINKTYPE_ETHERNET, &f[..14 + 20 + 12]).is_none());
    }

    #[test]
    fn garbage_and_other_protocols_are_none() {
        assert!(decode(LINKTYPE_ETHERNET, &[0u8; 10]).is_none());
        assert!(decode(LINKTYPE_ETHERNET, &[0xffu8; 80]).is_none());
        let mut udp = frame(1, 0, b"x");
        udp[14 + 9] = 17;
        assert!(decode(LINKTYPE_ETHERNET, &udp).is_none());
        assert!(!supported(147));
    }
}
