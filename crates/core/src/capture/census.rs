//! Auto mode (`-r` without `-p`): which TCP ports carry RESP, told from the first bytes of
//! each flow, with a bounded hold of the segments seen before a flow is recognised.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::decode::Segment;

use super::analysis::*;

/// A TCP port seen in the capture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortSeen {
    /// The port of the flows' server side (the side a SYN went to, or that received a RESP
    /// request; else the lower port).
    pub port: u16,
    /// Packets.
    pub packets: u64,
    /// Flows.
    pub flows: u64,
    /// Of those, flows whose client's first bytes were a RESP request: an array, or an inline
    /// command the server answered in RESP.
    pub resp_flows: u64,
}

/// Flows seen, for the port hint and for `-p auto`.
#[derive(Default)]
pub(super) struct Census {
    /// By (lower, higher) address.
    pub(super) flows: HashMap<(SocketAddr, SocketAddr), FlowGuess>,
    pub(super) ports: HashMap<u16, PortSeen>,
    /// The held segments of the flow just judged RESP, for the analysis to take first.
    pub(super) released: Vec<Held>,
    /// Payload bytes held across all flows.
    pub(super) held_bytes: usize,
    /// Flows ended lately, by (lower, higher) address, and the order they ended in.
    ended: HashMap<(SocketAddr, SocketAddr), Ended>,
    ended_order: VecDeque<((SocketAddr, SocketAddr), u64)>,
    ends: u64,
}

/// A flow that ended: closed (FIN or RST), or freed by the analysis after an idle spell. What
/// still comes after the end (the last ACK of a close, the other side's FIN, a late RST, an idle
/// connection speaking again) belongs to it, not to a new flow; only a SYN opens its addresses
/// again.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ended {
    pub(super) server: SocketAddr,
    /// Closed rather than freed as idle: nothing but a SYN is analysed on it again.
    pub(super) closed: bool,
    /// It carried RESP.
    pub(super) resp: bool,
    /// Which end this is, so an older entry in the order does not forget a newer one.
    nth: u64,
}

/// Ended flows remembered; past it the oldest are forgotten (a segment of one that comes later
/// counts as a new flow).
pub(super) const MAX_ENDED: usize = 65_536;

fn flow_key(a: SocketAddr, b: SocketAddr) -> (SocketAddr, SocketAddr) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Flows the census follows at once; beyond it, new flows are counted by port but not judged.
pub(super) const MAX_CENSUS_FLOWS: usize = 65_536;
/// Payloads looked at before a flow is judged not to carry RESP.
pub(super) const RESP_LOOKS: u8 = 4;
/// Client segments held per flow while the server has not yet answered its inline commands (a
/// client may send many before the first answer crosses the network).
pub(super) const MAX_HELD: usize = 64;
/// Payload bytes held across all flows being judged; past it, inline flows are not judged.
pub(super) const MAX_HELD_BYTES: usize = 8 << 20;

pub(super) struct FlowGuess {
    pub(super) server: SocketAddr,
    /// Some(true) once the client's bytes were a RESP request, Some(false) when they were not.
    pub(super) resp: Option<bool>,
    pub(super) looks: u8,
    /// The client's initial sequence number, when its SYN was seen: a SYN with another one is a
    /// new connection on the same addresses.
    pub(super) isn: Option<u32>,
    /// The server sent bytes before the client, on a flow seen from its SYN: Redis never does,
    /// so the client's text lines are not inline commands.
    pub(super) server_first: bool,
    /// Inline commands (`PING\r\n`) sent before the server answered: text lines look like
    /// many protocols (memcached's `get k`, FTP's `TYPE I`), so the flow is RESP only once the
    /// server answers in RESP; until then its segments wait here.
    pub(super) held: Vec<Held>,
}

/// A segment kept while its flow is being judged.
pub(super) struct Held {
    pub(super) ts: Duration,
    pub(super) captured_len: usize,
    pub(super) src: SocketAddr,
    pub(super) dst: SocketAddr,
    pub(super) seq: u32,
    pub(super) ack: Option<u32>,
    pub(super) fin: bool,
    pub(super) payload: Vec<u8>,
    pub(super) wire_len: usize,
}

impl Held {
    pub(super) fn of(ts: Duration, captured_len: usize, seg: &Segment<'_>) -> Held {
        Held {
            ts,
            captured_len,
            src: seg.src,
            dst: seg.dst,
            seq: seg.seq,
            ack: seg.ack,
            fin: seg.fin,
            payload: seg.payload.to_vec(),
            wire_len: seg.wire_len,
        }
    }

    pub(super) fn segment(&self) -> Segment<'_> {
        Segment {
            src: self.src,
            dst: self.dst,
            seq: self.seq,
            ack: self.ack,
            syn: false,
            fin: self.fin,
            payload: &self.payload,
            wire_len: self.wire_len,
        }
    }
}

/// Whether a payload starts with an inline command (`PING\r\n`, `get k\n`), as telnet, nc,
/// redis-cli in a pipe and load-balancer health checks send: text whose first word is letters.
/// The line may go on in the next segment (a long value).
pub(super) fn looks_like_inline(p: &[u8]) -> bool {
    let word = p
        .split(|b| matches!(b, b' ' | b'\r' | b'\n'))
        .next()
        .unwrap_or_default();
    (1..=32).contains(&word.len()) && word.iter().all(u8::is_ascii_alphabetic) && text(p)
}

/// Whether a payload is text as inline commands carry it: printable ASCII, tabs, line ends,
/// and UTF-8's high bytes (values); no other control byte.
fn text(p: &[u8]) -> bool {
    p.iter()
        .all(|b| matches!(b, b'\t' | b'\r' | b'\n' | 0x20..=0x7e | 0x80..=0xff))
}

/// Whether a payload is a RESP request: `*<n>\r\n$<len>\r\n`.
pub(super) fn looks_like_request(p: &[u8]) -> bool {
    let Some(rest) = p.strip_prefix(b"*") else {
        return false;
    };
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 6 {
        return false;
    }
    let rest = &rest[n..];
    let Some(rest) = rest.strip_prefix(b"\r\n$") else {
        return false;
    };
    let m = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    m > 0 && rest[m..].starts_with(b"\r\n")
}

impl Census {
    /// Counts a segment; returns the server's address when its flow carries RESP (then the
    /// segments held while judging it are in `released`, to be analysed before this one).
    /// `keep`: hold inline commands' bytes for the analysis (else only judge the flow).
    pub(super) fn count(
        &mut self,
        ts: Duration,
        captured_len: usize,
        seg: &Segment<'_>,
        keep: bool,
    ) -> Option<SocketAddr> {
        let key = flow_key(seg.src, seg.dst);
        let client_syn = seg.syn && seg.ack.is_none();
        if client_syn && self.flows.get(&key).is_some_and(|g| g.isn != Some(seg.seq)) {
            // the addresses of a flow whose end was not seen, used again
            self.forget(seg.src, seg.dst);
        }
        let full = self.flows.len() >= MAX_CENSUS_FLOWS;
        let mut new = !self.flows.contains_key(&key);
        if let Some(e) = new.then(|| self.ended.get(&key).copied()).flatten() {
            if seg.syn {
                self.ended.remove(&key);
            } else if e.closed || full {
                self.port(e.server.port()).packets += 1;
                return None;
            } else {
                // freed as idle by the analysis and speaking again: the same flow
                self.flows.insert(
                    key,
                    FlowGuess {
                        server: e.server,
                        resp: Some(e.resp),
                        looks: 0,
                        isn: None,
                        server_first: false,
                        held: Vec::new(),
                    },
                );
                new = false;
            }
        }
        let g = if new {
            // the side a SYN goes to is the server; else guess the lower port
            let server = if seg.syn && seg.ack.is_none() || seg.dst.port() < seg.src.port() {
                seg.dst
            } else {
                seg.src
            };
            let g = FlowGuess {
                server,
                resp: None,
                looks: 0,
                isn: None,
                server_first: false,
                held: Vec::new(),
            };
            if full {
                self.port(server.port()).packets += 1;
                return None;
            }
            self.flows.insert(key, g);
            self.flows.get_mut(&key).expect("inserted")
        } else {
            self.flows.get_mut(&key).expect("present")
        };
        if client_syn {
            g.server = seg.dst;
            g.isn = Some(seg.seq);
        }
        let mut became_resp = false;
        let room = self.held_bytes + seg.payload.len() <= MAX_HELD_BYTES;
        let held = |seg: &Segment<'_>| {
            let mut h = Held::of(ts, captured_len, seg);
            if !keep {
                h.payload = Vec::new();
            }
            h
        };
        if g.resp.is_none() && !seg.payload.is_empty() {
            let was: usize = g.held.iter().map(|h| h.payload.len()).sum();
            if !g.held.is_empty() {
                if seg.src == g.server {
                    // the server's answer to the inline commands held: RESP, or another protocol
                    let resp = resumes(seg.payload, false);
                    g.resp = Some(resp);
                    became_resp = resp;
                    if resp {
                        self.released = std::mem::take(&mut g.held);
                    } else {
                        g.held.clear();
                    }
                } else if g.held.len() < MAX_HELD && room && text(seg.payload) {
                    // more commands, or the rest of a line
                    g.held.push(held(seg));
                } else {
                    g.resp = Some(false);
                    g.held.clear();
                }
            } else if looks_like_request(seg.payload) {
                g.resp = Some(true);
                g.server = seg.dst;
                became_resp = true;
            } else if g.isn.is_some() && seg.src == g.server {
                g.server_first = true;
                g.looks += 1;
            } else if room && !g.server_first && looks_like_inline(seg.payload) {
                g.server = seg.dst;
                g.held.push(held(seg));
            } else {
                g.looks += 1;
                if g.looks >= RESP_LOOKS {
                    g.resp = Some(false);
                }
            }
            let now: usize = g.held.iter().map(|h| h.payload.len()).sum();
            self.held_bytes = self.held_bytes + now - was;
        }
        // The client closed its side with inline commands held: Redis still answers what it
        // read, so the flow waits for that answer with the FIN held in its place.
        let answer_due = g.resp.is_none() && !g.held.is_empty() && seg.src != g.server;
        if seg.fin && answer_due && seg.payload.is_empty() && g.held.len() < MAX_HELD {
            g.held.push(held(seg));
        }
        let (server, resp) = (g.server, g.resp);
        let p = self.port(server.port());
        p.packets += 1;
        if new {
            p.flows += 1;
        }
        if became_resp {
            p.resp_flows += 1;
        }
        if seg.fin && resp != Some(true) && !answer_due {
            // done with it; a RESP flow ends when the analysis frees it
            self.end(seg.src, seg.dst, server, true, false);
        }
        (resp == Some(true)).then_some(server)
    }

    fn port(&mut self, port: u16) -> &mut PortSeen {
        self.ports.entry(port).or_insert(PortSeen {
            port,
            packets: 0,
            flows: 0,
            resp_flows: 0,
        })
    }

    fn forget(&mut self, a: SocketAddr, b: SocketAddr) {
        if let Some(g) = self.flows.remove(&flow_key(a, b)) {
            self.held_bytes -= g.held.iter().map(|h| h.payload.len()).sum::<usize>();
        }
    }

    /// The flow between `a` and `b` ended: `closed` (FIN or RST) or freed as idle; `resp`: it
    /// carried RESP.
    pub(super) fn end(
        &mut self,
        a: SocketAddr,
        b: SocketAddr,
        server: SocketAddr,
        closed: bool,
        resp: bool,
    ) {
        self.forget(a, b);
        let key = flow_key(a, b);
        self.ends += 1;
        let nth = self.ends;
        let e = Ended {
            server,
            closed,
            resp,
            nth,
        };
        self.ended.insert(key, e);
        self.ended_order.push_back((key, nth));
        while self.ended_order.len() > MAX_ENDED {
            let Some((old, n)) = self.ended_order.pop_front() else {
                break;
            };
            if self.ended.get(&old).is_some_and(|e| e.nth == n) {
                self.ended.remove(&old);
            }
        }
    }

    /// How the flow between `a` and `b` ended, if it did lately and has not been opened again.
    pub(super) fn ended(&self, a: SocketAddr, b: SocketAddr) -> Option<Ended> {
        self.ended.get(&flow_key(a, b)).copied()
    }

    /// The flow between `a` and `b` is followed again.
    pub(super) fn reopened(&mut self, a: SocketAddr, b: SocketAddr) {
        self.ended.remove(&flow_key(a, b));
    }

    /// The busiest ports.
    pub(super) fn busiest(&self) -> Vec<PortSeen> {
        let mut v: Vec<PortSeen> = self.ports.values().cloned().collect();
        v.sort_by(|a, b| b.packets.cmp(&a.packets).then(a.port.cmp(&b.port)));
        v.truncate(20);
        v
    }
}
