//! The analysis shared by live and offline capture: flows are followed through the bounded
//! reassembler (`reassembly`), both directions decoded as RESP, and requests paired with their
//! replies in order per connection; what pairing finds is counted by `stats` and reported by
//! `report`. Values are never kept; key names only as counts (or hashed with `--redact-keys`).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

// FxHash: these maps are looked up once or twice per packet; SipHash's DoS resistance buys
// nothing against a capture file and costs a third of the per-packet time.
use rustc_hash::FxHashMap as HashMap;

pub(super) use super::census::*;
use super::decode::Segment;
pub(super) use super::reassembly::*;
pub use super::report::*;
use super::session::{self, Kind, Session};
use super::stats::{key_args, KeyArgs, Tally};
use crate::resp::{self, Frame};

/// Requests waiting for replies on one connection.
const MAX_INFLIGHT: usize = 100_000;
/// A flow that sends nothing for this long (capture time) is freed.
const IDLE_FLOW: Duration = Duration::from_secs(60);
/// Segments between two sweeps for idle flows.
const SWEEP_EVERY: u64 = 4096;

/// A request waiting for its reply.
struct Pending {
    ts: Duration,
    command: u16,
    key: Option<u32>,
    kind: Kind,
    /// Replies still to come (a SUBSCRIBE gets one per channel).
    replies: u32,
    /// Its first reply has been seen.
    answered: bool,
    /// The client's sequence number just past the request: a reply acknowledging less
    /// cannot answer it.
    end_seq: Option<u32>,
    /// The client's acknowledgement when it sent the request: the server bytes it had by then.
    /// Its reply begins at or after them.
    client_ack: Option<u32>,
}

#[derive(Default)]
struct Conn {
    to_server: Half,
    to_client: Half,
    inflight: VecDeque<Pending>,
    /// What the server does with this connection's requests.
    session: Session,
    /// (client, server), to forget the flow when it is freed.
    key: Option<(SocketAddr, SocketAddr)>,
    /// Capture time of its latest segment.
    last_ts: Duration,
    /// FIN or RST seen from the client, from the server.
    fin_client: bool,
    fin_server: bool,
    /// The client's initial sequence number, when its SYN was seen.
    isn: Option<u32>,
}

/// The analyser: feed it segments in capture order, then take the report.
pub struct Analysis {
    port: Option<u16>,
    /// The TCP flows not analysed, by port; in auto mode also which flows carry RESP.
    census: Census,
    /// Connections, addressed by index; `conn_ids` maps (client, server) to the index and
    /// `last` remembers the previous packet's, since packets come in runs per connection.
    conns: Vec<Conn>,
    conn_ids: HashMap<(SocketAddr, SocketAddr), usize>,
    last: Option<((SocketAddr, SocketAddr), usize)>,
    /// Slots of freed flows, reused by new ones.
    free: Vec<usize>,
    connections: u64,
    flows_freed: u64,
    unanswered_freed: u64,
    since_sweep: u64,
    /// What was counted: commands, errors, keys, the slowest requests.
    tally: Tally,
    /// Counters the report shows.
    pub packets: u64,
    tcp_packets: u64,
    bytes: u64,
    cut_packets: u64,
    cut_bytes: u64,
    data_segments: u64,
    retransmitted: u64,
    out_of_order: u64,
    gaps: u64,
    protocol_errors: u64,
    unmatched: u64,
    skipped_bytes: u64,
    no_reply: u64,
    pushes: u64,
    monitor_lines: u64,
    queued: u64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Analysis {
    /// An analyser for traffic to and from `port`; with None, of every flow that carries RESP.
    pub fn new(port: impl Into<Option<u16>>, keys_shown: KeyNames) -> Self {
        Analysis {
            port: port.into(),
            census: Census::default(),
            tally: Tally::new(keys_shown),
            conns: Vec::new(),
            conn_ids: HashMap::default(),
            free: Vec::new(),
            flows_freed: 0,
            unanswered_freed: 0,
            since_sweep: 0,
            last: None,
            connections: 0,
            packets: 0,
            tcp_packets: 0,
            bytes: 0,
            cut_packets: 0,
            cut_bytes: 0,
            data_segments: 0,
            retransmitted: 0,
            out_of_order: 0,
            gaps: 0,
            protocol_errors: 0,
            unmatched: 0,
            skipped_bytes: 0,
            no_reply: 0,
            pushes: 0,
            monitor_lines: 0,
            queued: 0,
        }
    }

    /// The port analysed (None: every flow that carries RESP).
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Counts what the capture cut from a packet `orig_len` bytes long of which it kept
    /// `captured` (its snapshot length).
    pub fn captured(&mut self, captured: usize, orig_len: u32) {
        let cut = (orig_len as usize).saturating_sub(captured);
        if cut > 0 {
            self.cut_packets += 1;
            self.cut_bytes += cut as u64;
        }
    }

    /// Feeds one captured frame's segment (or None when the frame holds no TCP).
    pub fn segment(&mut self, ts: Duration, captured_len: usize, seg: Option<Segment<'_>>) {
        self.packets += 1;
        let Some(seg) = seg else { return };
        if seg.syn && seg.ack.is_none() {
            // a client's SYN of another sequence on the addresses of a connection followed: a
            // new connection (the old one's close was not captured)
            if let Some(&i) = self.conn_ids.get(&(seg.src, seg.dst)) {
                if self.conns[i].isn != Some(seg.seq) {
                    self.free_flow(i, true);
                }
            }
        }
        let to_server = match self.port {
            Some(p) if seg.dst.port() == p => true,
            Some(p) if seg.src.port() == p => false,
            Some(_) => {
                // only the port hint: nothing held is ever analysed
                self.census.count(ts, captured_len, &seg, false);
                return;
            }
            None => match self.census.count(ts, captured_len, &seg, true) {
                Some(server) => {
                    // the inline commands held while the flow was judged come first, the
                    // first of them where the client's stream starts
                    let held = std::mem::take(&mut self.census.released);
                    for (i, h) in held.iter().enumerate() {
                        self.flow_segment(h.ts, h.captured_len, h.segment(), true, i == 0);
                    }
                    seg.dst == server
                }
                None => return,
            },
        };
        self.flow_segment(ts, captured_len, seg, to_server, false);
    }

    /// One segment of a flow analysed; `starts_stream`: its bytes begin the client's stream
    /// (an inline command the server answered in RESP), as if its SYN had been seen.
    fn flow_segment(
        &mut self,
        ts: Duration,
        captured_len: usize,
        seg: Segment<'_>,
        to_server: bool,
        starts_stream: bool,
    ) {
        self.tcp_packets += 1;
        self.bytes += captured_len as u64;
        let key = if to_server {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        let idx = match self.last {
            Some((k, i)) if k == key => i,
            _ => {
                let i = match self.conn_ids.get(&key) {
                    Some(i) => *i,
                    None => {
                        // what comes after a connection's end is its own, not a new one's
                        let ended = self.census.ended(key.0, key.1);
                        if ended.is_some_and(|e| e.closed && !seg.syn) {
                            return;
                        }
                        if ended.is_some() {
                            self.census.reopened(key.0, key.1);
                        }
                        if ended.is_none() || seg.syn {
                            self.connections += 1;
                        }
                        let i = self.free.pop().unwrap_or_else(|| {
                            self.conns.push(Conn::default());
                            self.conns.len() - 1
                        });
                        self.conns[i] = Conn {
                            key: Some(key),
                            ..Conn::default()
                        };
                        self.conn_ids.insert(key, i);
                        i
                    }
                };
                self.last = Some((key, i));
                i
            }
        };
        let conn = &mut self.conns[idx];
        conn.last_ts = ts;
        if seg.syn && to_server {
            conn.isn = Some(seg.seq);
        }
        if starts_stream && conn.to_server.next.is_none() {
            conn.to_server.next = Some(seg.seq);
        }
        if seg.wire_len > 0 {
            self.data_segments += 1;
        }
        if !to_server && conn.to_client.next.is_none() && !seg.syn && seg.wire_len > 0 {
            // The first server bytes seen, on a stream under way: bytes before them went
            // unseen. A request sent before the client had them may have been answered there,
            // so it cannot be paired with what follows; one sent after cannot have been.
            let first = seg.seq;
            let unseen = conn
                .inflight
                .iter()
                .take_while(|p| {
                    p.client_ack
                        .is_some_and(|a| first.wrapping_sub(a) as i32 > 0)
                })
                .count();
            conn.inflight.drain(..unseen);
            self.unanswered_freed += unseen as u64;
        }
        // Out of sync, the server's bytes are taken up again only while a request waits: with
        // none waiting they cannot be a reply, and a value's contents can look like RESP.
        let resume = if to_server {
            Resume::Request
        } else if conn.inflight.is_empty() {
            Resume::Never
        } else {
            Resume::Reply
        };
        let half = if to_server {
            &mut conn.to_server
        } else {
            &mut conn.to_client
        };
        let cut = seg.wire_len > seg.payload.len();
        let after_cut = half.cut;
        let outcome = if cut {
            reassemble_cut(half, &seg, resume)
        } else {
            reassemble(half, &seg, resume)
        };
        if !half.lost {
            half.cut = false;
        }
        self.retransmitted += outcome.retransmitted;
        self.out_of_order += outcome.out_of_order;
        if outcome.gap {
            self.gaps += 1;
        }
        if outcome.skipped > 0 {
            if !after_cut {
                self.protocol_errors += 1;
            }
            self.skipped_bytes += outcome.skipped;
        }
        if outcome.gap || (outcome.skipped > 0 && !to_server) {
            // the pairing is lost: what is in flight can no longer be matched
            self.lose_inflight(idx);
        }
        self.drain(idx, to_server, ts, seg.ack);
        if cut {
            let end = seg.seq.wrapping_add(seg.wire_len as u32);
            self.cut_short(idx, to_server, ts, end, seg.ack);
        }
        if seg.fin {
            let conn = &mut self.conns[idx];
            if to_server {
                conn.fin_client = true;
            } else {
                conn.fin_server = true;
            }
            if conn.fin_client && conn.fin_server {
                self.free_flow(idx, true);
            }
        }
        self.since_sweep += 1;
        if self.since_sweep >= SWEEP_EVERY {
            self.since_sweep = 0;
            let idle: Vec<usize> = (0..self.conns.len())
                .filter(|i| {
                    let c = &self.conns[*i];
                    c.key.is_some() && ts.saturating_sub(c.last_ts) > IDLE_FLOW
                })
                .collect();
            for i in idle {
                self.free_flow(i, false);
            }
        }
    }

    /// Gives up on the requests a connection has in flight (their replies fell into a gap or
    /// garbage): they count as unanswered, never as paired.
    fn lose_inflight(&mut self, idx: usize) {
        let conn = &mut self.conns[idx];
        self.unanswered_freed += conn.inflight.len() as u64;
        conn.inflight.clear();
    }

    /// Forgets a `closed` or idle flow: its slot is reused, its requests still waiting count as
    /// unanswered, and held data that never filled its hole counts as a gap.
    fn free_flow(&mut self, i: usize, closed: bool) {
        let c = std::mem::take(&mut self.conns[i]);
        let Some(key) = c.key else { return };
        self.unanswered_freed += c.inflight.len() as u64;
        if !c.to_server.pending.is_empty() || !c.to_client.pending.is_empty() {
            self.gaps += 1;
        }
        self.conn_ids.remove(&key);
        self.census.end(key.0, key.1, key.1, closed, true);
        if self.last.is_some_and(|(_, l)| l == i) {
            self.last = None;
        }
        self.free.push(i);
        self.flows_freed += 1;
    }

    /// Decodes what one direction has buffered. `ack` is the segment's acknowledgement number.
    fn drain(&mut self, key: usize, to_server: bool, ts: Duration, ack: Option<u32>) {
        let (mut buf, next) = {
            let conn = &mut self.conns[key];
            let half = if to_server {
                &mut conn.to_server
            } else {
                &mut conn.to_client
            };
            (std::mem::take(&mut half.buf), half.next)
        };
        // the sequence number just past the buffer's last byte
        let buf_end_seq = next;
        let mut pos = 0;
        loop {
            if pos >= buf.len() {
                break;
            }
            if to_server && buf[pos] != b'*' {
                // an inline command (telnet, redis-cli's MONITOR)
                let Some(eol) = buf[pos..].iter().position(|b| *b == b'\n') else {
                    break;
                };
                let line = &buf[pos..pos + eol];
                let end = pos + eol + 1;
                let mut words = line
                    .split(|b| *b == b' ' || *b == b'\r')
                    .filter(|w| !w.is_empty());
                if let Some(cmd) = words.next() {
                    let end_seq = buf_end_seq.map(|n| n.wrapping_sub((buf.len() - end) as u32));
                    self.request(key, ts, cmd, &mut words, (end_seq, ack));
                }
                pos = end;
                continue;
            }
            match resp::frame(&buf, pos) {
                Ok(Some((end, kind))) => {
                    if to_server {
                        let mut words = BulkWords::of(&buf[pos..end]);
                        if let Some(cmd) = words.next() {
                            let end_seq =
                                buf_end_seq.map(|n| n.wrapping_sub((buf.len() - end) as u32));
                            self.request(key, ts, cmd, &mut words, (end_seq, ack));
                        }
                    } else {
                        let error = (kind == Frame::Error).then(|| resp::error_word(&buf, pos));
                        self.reply(key, ts, &buf[pos..end], error, ack);
                    }
                    pos = end;
                }
                Ok(None) => break,
                Err(_) => {
                    self.protocol_errors += 1;
                    self.skipped_bytes += (buf.len() - pos) as u64;
                    pos = buf.len();
                    let conn = &mut self.conns[key];
                    let half = if to_server {
                        &mut conn.to_server
                    } else {
                        &mut conn.to_client
                    };
                    half.lost = true;
                    self.lose_inflight(key);
                }
            }
        }
        buf.drain(..pos);
        if buf.len() > MAX_BUFFER {
            self.skipped_bytes += buf.len() as u64;
            buf.clear();
            self.protocol_errors += 1;
        }
        let conn = &mut self.conns[key];
        let half = if to_server {
            &mut conn.to_server
        } else {
            &mut conn.to_client
        };
        half.buf = buf;
    }

    /// The value a cut segment left unfinished: what was kept of it is all there will be. A
    /// request is counted by its name and key when they were kept; a reply's start answers the
    /// request waiting (timed at its first packet). Decoding resumes at the next value.
    fn cut_short(
        &mut self,
        key: usize,
        to_server: bool,
        ts: Duration,
        end_seq: u32,
        ack: Option<u32>,
    ) {
        let conn = &mut self.conns[key];
        let half = if to_server {
            &mut conn.to_server
        } else {
            &mut conn.to_client
        };
        let part = std::mem::take(&mut half.buf);
        half.lost = true;
        half.cut = true;
        let Some(&tag) = part.first() else {
            return;
        };
        if to_server {
            if tag == b'*' {
                let mut words = BulkWords::of(&part);
                if let Some(cmd) = words.next() {
                    self.request(key, ts, cmd, &mut words, (Some(end_seq), ack));
                }
            } else if let Some(sp) = part.iter().position(|b| *b == b' ') {
                // an inline command whose name was kept whole
                let mut words = part[sp..].split(|b| *b == b' ').filter(|w| !w.is_empty());
                self.request(key, ts, &part[..sp], &mut words, (Some(end_seq), ack));
            }
        } else if !self.conns[key].inflight.is_empty() {
            let error = matches!(tag, b'-' | b'!').then(|| resp::error_word(&part, 0));
            self.reply(key, ts, &part, error, ack);
        }
    }

    /// One request: counted, and queued for its replies when Redis will send any.
    fn request(
        &mut self,
        key: usize,
        ts: Duration,
        cmd: &[u8],
        args: &mut dyn Iterator<Item = &[u8]>,
        (end_seq, client_ack): (Option<u32>, Option<u32>),
    ) {
        let id = self.tally.command_id(cmd);
        let name = &self.tally.names[id as usize];
        let first = args.next();
        // the arguments are gathered only for the few commands whose replies depend on them
        let all: Vec<&[u8]> = if session::needs_args(name) {
            first.into_iter().chain(&mut *args).collect()
        } else {
            Vec::new()
        };
        let keys = key_args(name);
        let expect = self.conns[key].session.request(name, &all);
        // the first key is the request's (the slowest list names it); every key is counted
        let k = match first {
            Some(k) if keys != KeyArgs::None => self.tally.key_id(k),
            _ => None,
        };
        match keys {
            KeyArgs::All => args.for_each(|a| {
                self.tally.key_id(a);
            }),
            // the values between the keys are passed over, never kept
            KeyArgs::Pairs => args.skip(1).step_by(2).for_each(|a| {
                self.tally.key_id(a);
            }),
            KeyArgs::None | KeyArgs::First => {}
        }
        if expect.replies == 0 {
            self.no_reply += 1;
            return;
        }
        let conn = &mut self.conns[key];
        if conn.inflight.len() < MAX_INFLIGHT {
            conn.inflight.push_back(Pending {
                ts,
                command: id,
                key: k,
                kind: expect.kind,
                replies: expect.replies,
                answered: false,
                end_seq,
                client_ack,
            });
        }
    }

    /// One complete server frame.
    fn reply(
        &mut self,
        key: usize,
        ts: Duration,
        frame: &[u8],
        error: Option<String>,
        ack: Option<u32>,
    ) {
        let conn = &mut self.conns[key];
        let waiting = conn.inflight.front().map(|p| p.kind);
        match conn.session.classify(frame, waiting) {
            session::Server::Push => {
                self.pushes += 1;
                return;
            }
            session::Server::Monitor => {
                self.monitor_lines += 1;
                return;
            }
            session::Server::Reply => {}
        }
        let Some(p) = conn.inflight.front_mut() else {
            self.unmatched += 1;
            return;
        };
        // The server cannot answer a request it has not received: a reply sent before the
        // request's last byte was acknowledged answers one this capture never saw (it began
        // mid-conversation, or lost it). Pairing it would shift every later pair.
        if let (Some(ack), Some(end)) = (ack, p.end_seq) {
            if end.wrapping_sub(ack) as i32 > 0 {
                self.unmatched += 1;
                return;
            }
        }
        let first = !p.answered;
        p.answered = true;
        p.replies = p.replies.saturating_sub(1);
        let (kind, command, k, sent) = (p.kind, p.command, p.key, p.ts);
        // an error ends a Pub/Sub command at once: one reply, whatever it asked for
        if p.replies == 0 || error.is_some() {
            conn.inflight.pop_front();
        }
        conn.session.answered(kind, frame);
        if !first {
            return; // later confirmations of one SUBSCRIBE: the first one timed it
        }
        let latency = ts.saturating_sub(sent);
        match kind {
            Kind::Queued => {
                self.queued += 1;
                if let Some(word) = error {
                    self.tally.count_error(word);
                }
            }
            Kind::Blocking => self.tally.wait(command, latency, error),
            _ => self.tally.record(command, k, latency, error),
        }
    }

    /// The report, with `source` and what the capture layer knows.
    pub fn report(
        &self,
        source: String,
        kernel_drops: Option<u64>,
        stopped_early: Option<String>,
    ) -> CaptureReport {
        let rows = self.tally.rows();
        CaptureReport {
            source,
            port: self.port,
            ports_seen: if self.port.is_none() || self.tcp_packets == 0 {
                self.census.busiest()
            } else {
                Vec::new()
            },
            packets: self.packets,
            tcp_packets: self.tcp_packets,
            bytes: self.bytes,
            cut_packets: self.cut_packets,
            cut_bytes: self.cut_bytes,
            connections: self.connections,
            data_segments: self.data_segments,
            retransmitted_segments: self.retransmitted,
            retransmit_share: ratio(self.retransmitted, self.data_segments),
            out_of_order_segments: self.out_of_order,
            gaps: self.gaps,
            protocol_errors: self.protocol_errors,
            skipped_bytes: self.skipped_bytes,
            unmatched_replies: self.unmatched,
            no_reply_expected: self.no_reply,
            pushes: self.pushes,
            monitor_lines: self.monitor_lines,
            queued_commands: self.queued,
            unanswered_requests: self.unanswered_freed
                + self
                    .conns
                    .iter()
                    .map(|c| c.inflight.len() as u64)
                    .sum::<u64>(),
            flows_freed: self.flows_freed,
            caps: rows.caps,
            requests: self.tally.requests,
            commands: rows.commands,
            blocking: rows.blocking,
            errors: rows.errors,
            top_keys: rows.top_keys,
            slowest: rows.slowest,
            kernel_drops,
            stopped_early,
            latency_note: "on the wire at the capture point: from the packet that completes a request to the packet that completes its reply".into(),
        }
    }
}

/// The bulk strings of a RESP request (an array of bulk strings), without copying.
struct BulkWords<'a> {
    frame: &'a [u8],
    pos: usize,
}

impl<'a> BulkWords<'a> {
    fn of(frame: &'a [u8]) -> Self {
        let pos = frame
            .iter()
            .position(|b| *b == b'\n')
            .map_or(frame.len(), |p| p + 1);
        BulkWords { frame, pos }
    }
}

impl<'a> Iterator for BulkWords<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let f = self.frame;
        if f.get(self.pos) != Some(&b'$') {
            return None;
        }
        let eol = self.pos + f[self.pos..].iter().position(|b| *b == b'\r')?;
        let len: usize = std::str::from_utf8(&f[self.pos + 1..eol])
            .ok()?
            .parse()
            .ok()?;
        let start = eol + 2;
        let s = f.get(start..start + len)?;
        self.pos = start + len + 2;
        Some(s)
    }
}

/// Flushes what can be flushed at the end of input: data held after a gap counts as a gap.
impl Analysis {
    /// Call once at the end: held out-of-order data whose gap never filled is counted.
    pub fn finish(&mut self) {
        for c in self.conns.iter_mut() {
            for h in [&mut c.to_server, &mut c.to_client] {
                if !h.pending.is_empty() {
                    self.gaps += 1;
                    h.pending.clear();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
