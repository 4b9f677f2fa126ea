//! The analysis shared by live and offline capture: a small bounded TCP reassembler per flow,
//! incremental RESP decoding of both directions, and request/reply pairing in order per
//! connection for per-command latency. Values are never kept; key names only as counts (or
//! hashed with `--redact-keys`).

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::Duration;

use hdrhistogram::Histogram;
// FxHash: these maps are looked up once or twice per packet; SipHash's DoS resistance buys
// nothing against a capture file and costs a third of the per-packet time.
use rustc_hash::FxHashMap as HashMap;

pub(super) use super::census::*;
use super::decode::Segment;
pub(super) use super::reassembly::*;
pub use super::report::*;
use super::session::{self, Kind, Session};
use crate::resp::{self, Frame};

/// Distinct keys counted; later new keys go to "(other keys)".
const MAX_KEYS: usize = 100_000;
/// Requests waiting for replies on one connection.
const MAX_INFLIGHT: usize = 100_000;
/// Distinct command names with their own row (and histogram); later ones count as "(other)".
/// Redis 7 has about 240 commands: more names than this is noise or an attack on the wire.
const MAX_COMMAND_NAMES: usize = 512;
/// Distinct error words kept; later ones count as "(other)".
const MAX_ERROR_WORDS: usize = 256;
/// A flow that sends nothing for this long (capture time) is freed.
const IDLE_FLOW: Duration = Duration::from_secs(60);
/// Segments between two sweeps for idle flows.
const SWEEP_EVERY: u64 = 4096;
/// The row that names beyond the caps count under.
const OTHER: &str = "(other)";

/// Commands whose first argument is a key. Every other command's arguments are never read:
/// AUTH's password, EVAL's script and CONFIG's values stay out of the report.
const KEYED: &[&str] = &[
    "GET",
    "SET",
    "SETEX",
    "PSETEX",
    "SETNX",
    "GETSET",
    "GETDEL",
    "GETEX",
    "DEL",
    "UNLINK",
    "EXISTS",
    "EXPIRE",
    "PEXPIRE",
    "EXPIREAT",
    "PEXPIREAT",
    "TTL",
    "PTTL",
    "PERSIST",
    "TYPE",
    "INCR",
    "INCRBY",
    "DECR",
    "DECRBY",
    "INCRBYFLOAT",
    "APPEND",
    "STRLEN",
    "GETRANGE",
    "SETRANGE",
    "MGET",
    "MSET",
    "HGET",
    "HSET",
    "HSETNX",
    "HMSET",
    "HMGET",
    "HGETALL",
    "HDEL",
    "HEXISTS",
    "HINCRBY",
    "HKEYS",
    "HVALS",
    "HLEN",
    "LPUSH",
    "RPUSH",
    "LPOP",
    "RPOP",
    "LRANGE",
    "LLEN",
    "LINDEX",
    "LREM",
    "LTRIM",
    "LSET",
    "SADD",
    "SREM",
    "SMEMBERS",
    "SISMEMBER",
    "SCARD",
    "SPOP",
    "ZADD",
    "ZREM",
    "ZRANGE",
    "ZSCORE",
    "ZCARD",
    "ZINCRBY",
    "ZRANK",
    "ZREVRANGE",
    "ZRANGEBYSCORE",
    "ZREVRANK",
    "XADD",
    "XRANGE",
    "XREVRANGE",
    "XLEN",
    "XTRIM",
    "DUMP",
    "RESTORE",
    "RENAME",
    "OBJECT",
    "WATCH",
];

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
}

/// Per-command latency and counts.
struct CommandStats {
    latency: Histogram<u64>,
    count: u64,
    errors: u64,
}

/// The longest latency recorded, µs (a minute); longer ones count as this.
const MAX_RECORDED_US: u64 = 60_000_000;
/// The longest blocking wait recorded, µs (an hour).
const MAX_WAIT_US: u64 = 3_600_000_000;

impl CommandStats {
    fn new(max_us: u64) -> Self {
        CommandStats {
            latency: Histogram::new_with_bounds(1, max_us, 3).expect("static bounds"),
            count: 0,
            errors: 0,
        }
    }
}

/// The analyser: feed it segments in capture order, then take the report.
pub struct Analysis {
    port: Option<u16>,
    /// The TCP flows not analysed, by port; in auto mode also which flows carry RESP.
    census: Census,
    keys_shown: KeyNames,
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
    /// Which caps were reached (command names, error words, keys).
    caps: BTreeMap<&'static str, u64>,
    names: Vec<String>,
    name_ids: HashMap<Vec<u8>, u16>,
    stats: Vec<CommandStats>,
    keys: Vec<Vec<u8>>,
    key_ids: HashMap<Vec<u8>, u32>,
    key_counts: Vec<u64>,
    other_keys: u64,
    errors: BTreeMap<String, u64>,
    slowest: Vec<(Duration, u16, Option<u32>)>,
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
    requests: u64,
    skipped_bytes: u64,
    no_reply: u64,
    pushes: u64,
    monitor_lines: u64,
    queued: u64,
    /// Blocking commands' waits, by command id.
    waits: BTreeMap<u16, CommandStats>,
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
            keys_shown,
            conns: Vec::new(),
            conn_ids: HashMap::default(),
            free: Vec::new(),
            flows_freed: 0,
            unanswered_freed: 0,
            since_sweep: 0,
            caps: BTreeMap::new(),
            last: None,
            connections: 0,
            names: Vec::new(),
            name_ids: HashMap::default(),
            stats: Vec::new(),
            keys: Vec::new(),
            key_ids: HashMap::default(),
            key_counts: Vec::new(),
            other_keys: 0,
            errors: BTreeMap::new(),
            slowest: Vec::new(),
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
            requests: 0,
            skipped_bytes: 0,
            no_reply: 0,
            pushes: 0,
            monitor_lines: 0,
            queued: 0,
            waits: BTreeMap::new(),
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
                        let i = self.free.pop().unwrap_or_else(|| {
                            self.conns.push(Conn::default());
                            self.conns.len() - 1
                        });
                        self.conns[i] = Conn {
                            key: Some(key),
                            ..Conn::default()
                        };
                        self.conn_ids.insert(key, i);
                        self.connections += 1;
                        i
                    }
                };
                self.last = Some((key, i));
                i
            }
        };
        let conn = &mut self.conns[idx];
        conn.last_ts = ts;
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
                self.free_flow(idx);
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
                self.free_flow(i);
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

    /// Forgets a closed or idle flow: its slot is reused, its requests still waiting count as
    /// unanswered, and held data that never filled its hole counts as a gap.
    fn free_flow(&mut self, i: usize) {
        let c = std::mem::take(&mut self.conns[i]);
        let Some(key) = c.key else { return };
        self.unanswered_freed += c.inflight.len() as u64;
        if !c.to_server.pending.is_empty() || !c.to_client.pending.is_empty() {
            self.gaps += 1;
        }
        self.conn_ids.remove(&key);
        self.census.forget(key.0, key.1);
        if self.last.is_some_and(|(_, l)| l == i) {
            self.last = None;
        }
        self.free.push(i);
        self.flows_freed += 1;
    }

    fn command_id(&mut self, name: &[u8]) -> u16 {
        // Redis reads command names in any case: `get`, `Get` and `GET` are one command, one row
        let upper: std::borrow::Cow<[u8]> = if name.iter().any(u8::is_ascii_lowercase) {
            name.to_ascii_uppercase().into()
        } else {
            name.into()
        };
        let name = &*upper;
        if let Some(id) = self.name_ids.get(name) {
            return *id;
        }
        if self.names.len() >= MAX_COMMAND_NAMES - 1 {
            *self.caps.entry("command names").or_default() += 1;
            if let Some(id) = self.name_ids.get(OTHER.as_bytes()) {
                return *id;
            }
        }
        let id = self.names.len() as u16;
        let name = if self.names.len() >= MAX_COMMAND_NAMES - 1 {
            OTHER.as_bytes()
        } else {
            name
        };
        let upper = if name == OTHER.as_bytes() {
            OTHER.to_string()
        } else {
            String::from_utf8_lossy(name).to_ascii_uppercase()
        };
        self.names.push(upper);
        self.stats.push(CommandStats::new(MAX_RECORDED_US));
        self.name_ids.insert(name.to_vec(), id);
        id
    }

    fn key_id(&mut self, key: &[u8]) -> Option<u32> {
        if let Some(id) = self.key_ids.get(key) {
            self.key_counts[*id as usize] += 1;
            return Some(*id);
        }
        if self.keys.len() >= MAX_KEYS {
            self.other_keys += 1;
            return None;
        }
        let id = self.keys.len() as u32;
        self.keys.push(key.to_vec());
        self.key_counts.push(1);
        self.key_ids.insert(key.to_vec(), id);
        Some(id)
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
        let id = self.command_id(cmd);
        let name = &self.names[id as usize];
        let first = args.next();
        // the arguments are gathered only for the few commands whose replies depend on them
        let all: Vec<&[u8]> = if session::needs_args(name) {
            first.into_iter().chain(args).collect()
        } else {
            Vec::new()
        };
        let keyed = KEYED.contains(&name.as_str());
        let expect = self.conns[key].session.request(name, &all);
        let k = match first {
            Some(k) if keyed => self.key_id(k),
            _ => None,
        };
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
                    self.count_error(word);
                }
            }
            Kind::Blocking => {
                let us = (latency.as_micros() as u64).clamp(1, MAX_WAIT_US);
                let w = self
                    .waits
                    .entry(command)
                    .or_insert_with(|| CommandStats::new(MAX_WAIT_US));
                w.latency.record(us).expect("clamped");
                w.count += 1;
                if error.is_some() {
                    w.errors += 1;
                }
                if let Some(word) = error {
                    self.count_error(word);
                }
            }
            _ => self.record(command, k, latency, error),
        }
    }

    fn count_error(&mut self, word: String) {
        let word = if self.errors.len() >= MAX_ERROR_WORDS && !self.errors.contains_key(&word) {
            *self.caps.entry("error words").or_default() += 1;
            OTHER.to_string()
        } else {
            word
        };
        *self.errors.entry(word).or_default() += 1;
    }

    /// A paired request's latency.
    fn record(&mut self, command: u16, k: Option<u32>, latency: Duration, error: Option<String>) {
        let us = (latency.as_micros() as u64).clamp(1, MAX_RECORDED_US);
        let s = &mut self.stats[command as usize];
        s.latency.record(us).expect("clamped");
        s.count += 1;
        self.requests += 1;
        if let Some(word) = error {
            s.errors += 1;
            self.count_error(word);
        }
        if self.slowest.len() < 10 || latency > self.slowest.last().map(|s| s.0).unwrap_or_default()
        {
            self.slowest.push((latency, command, k));
            self.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
            self.slowest.truncate(10);
        }
    }

    fn key_label(&self, id: u32) -> String {
        self.keys_shown.label(&self.keys[id as usize])
    }

    /// The report, with `source` and what the capture layer knows.
    pub fn report(
        &self,
        source: String,
        kernel_drops: Option<u64>,
        stopped_early: Option<String>,
    ) -> CaptureReport {
        let ms = |us: u64| us as f64 / 1000.0;
        let mut commands: Vec<CommandRow> = self
            .stats
            .iter()
            .enumerate()
            .filter(|(_, s)| s.count > 0)
            .map(|(i, s)| CommandRow {
                command: self.names[i].clone(),
                count: s.count,
                errors: s.errors,
                p50_ms: ms(s.latency.value_at_quantile(0.5)),
                p99_ms: ms(s.latency.value_at_quantile(0.99)),
                max_ms: ms(s.latency.max()),
            })
            .collect();
        commands.sort_by(|a, b| b.count.cmp(&a.count).then(a.command.cmp(&b.command)));
        let mut top: Vec<(u32, u64)> = self
            .key_counts
            .iter()
            .enumerate()
            .map(|(i, c)| (i as u32, *c))
            .collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut top_keys: Vec<KeyCount> = top
            .iter()
            .take(10)
            .map(|(id, c)| KeyCount {
                key: self.key_label(*id),
                count: *c,
            })
            .collect();
        if self.other_keys > 0 {
            top_keys.push(KeyCount {
                key: "(other keys, not counted one by one)".into(),
                count: self.other_keys,
            });
        }
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
            caps: self
                .caps
                .iter()
                .map(|(what, n)| format!("more distinct {what} than the report keeps: {n} counted as {OTHER}"))
                .chain((self.other_keys > 0).then(|| {
                    format!("more distinct keys than the report keeps: {} requests counted under no key", self.other_keys)
                }))
                .collect(),
            requests: self.requests,
            commands,
            blocking: self
                .waits
                .iter()
                .map(|(c, w)| WaitRow {
                    command: self.names[*c as usize].clone(),
                    count: w.count,
                    p50_wait_ms: ms(w.latency.value_at_quantile(0.5)),
                    max_wait_ms: ms(w.latency.max()),
                })
                .collect(),
            errors: self.errors.clone(),
            top_keys,
            slowest: self
                .slowest
                .iter()
                .map(|(l, c, k)| SlowRequest {
                    command: self.names[*c as usize].clone(),
                    key: k.map(|k| self.key_label(k)),
                    latency_ms: l.as_secs_f64() * 1000.0,
                })
                .collect(),
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seg<'a>(to_server: bool, seq: u32, payload: &'a [u8]) -> Segment<'a> {
        let (c, s): (SocketAddr, SocketAddr) = (
            "127.0.0.1:50000".parse().unwrap(),
            "127.0.0.1:6379".parse().unwrap(),
        );
        Segment {
            src: if to_server { c } else { s },
            dst: if to_server { s } else { c },
            seq,
            ack: None,
            syn: false,
            fin: false,
            payload,
            wire_len: payload.len(),
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn pipelined_requests_pair_in_order_with_errors_and_keys() {
        let mut a = Analysis::new(6379, KeyNames::Plain);
        let mut req = Vec::new();
        resp::encode(&mut req, &[b"SET", b"session:1", b"secret-value"]);
        resp::encode(&mut req, &[b"GET", b"session:1"]);
        resp::encode(&mut req, &[b"LPUSH", b"session:1", b"x"]);
        resp::encode(&mut req, &[b"AUTH", b"hunter2"]);
        a.segment(ms(0), 100, Some(seg(true, 1000, &req)));
        a.segment(
            ms(2),
            100,
            Some(seg(false, 5000, b"+OK\r\n$12\r\nsecret-value\r\n")),
        );
        a.segment(
            ms(5),
            100,
            Some(seg(
                false,
                5024,
                b"-WRONGTYPE Operation against a key\r\n-WRONGPASS x\r\n",
            )),
        );
        let r = a.report("t".into(), None, None);
        assert_eq!(r.requests, 4);
        let get = r.commands.iter().find(|c| c.command == "GET").unwrap();
        assert!((get.p50_ms - 2.0).abs() < 0.01, "{get:?}");
        assert_eq!(r.errors.get("WRONGTYPE"), Some(&1));
        assert_eq!(r.errors.get("WRONGPASS"), Some(&1));
        assert_eq!(
            r.top_keys[0],
            KeyCount {
                key: "session:1".into(),
                count: 3
            }
        );
        let json = serde_json::to_string(&r).unwrap();
        assert!(
            !json.contains("secret-value") && !json.contains("hunter2"),
            "values and passwords never appear"
        );
        assert_eq!(r.slowest[0].latency_ms, 5.0);
        let redacted = {
            let mut b = Analysis::new(6379, KeyNames::Hmac(b"test-salt".to_vec()));
            b.segment(ms(0), 1, Some(seg(true, 1, &req)));
            b.segment(ms(1), 1, Some(seg(false, 1, b"+OK\r\n")));
            b.report("t".into(), None, None)
        };
        assert!(
            redacted.top_keys[0].key.starts_with("h:")
                && !serde_json::to_string(&redacted)
                    .unwrap()
                    .contains("session:1")
        );
    }

    #[test]
    fn retransmissions_out_of_order_and_gaps_are_counted() {
        let mut a = Analysis::new(6379, KeyNames::Plain);
        let mut req = Vec::new();
        resp::encode(&mut req, &[b"GET", b"k"]);
        let (p1, p2) = req.split_at(5);
        let mut b = Analysis::new(6379, KeyNames::Plain);
        b.segment(ms(0), 1, Some(seg(true, 100, p1)));
        b.segment(ms(0), 1, Some(seg(true, 100, p1))); // retransmission
        b.segment(ms(0), 1, Some(seg(true, 105 + 3, &p2[3..]))); // ahead of a hole
        b.segment(ms(0), 1, Some(seg(true, 105, &p2[..3]))); // fills it
        b.segment(ms(1), 1, Some(seg(false, 9, b"$-1\r\n")));
        let r = b.report("t".into(), None, None);
        assert_eq!(
            (
                r.retransmitted_segments,
                r.out_of_order_segments,
                r.requests
            ),
            (1, 1, 1)
        );
        assert!(
            (r.retransmit_share - 0.2).abs() < 1e-9,
            "1 of 5 data segments"
        );
        // a stream first seen mid-frame is skipped until a value starts, not misparsed
        a.segment(ms(0), 1, Some(seg(true, 500, &req[3..])));
        a.segment(ms(0), 1, Some(seg(true, 500 + req.len() as u32 - 3, &req)));
        a.segment(ms(1), 1, Some(seg(false, 9, b"$-1\r\n")));
        let r = a.report("t".into(), None, None);
        assert_eq!(
            (r.requests, r.protocol_errors),
            (1, 1),
            "the partial frame is skipped and counted"
        );
    }

    // requests whose replies fell into a capture gap were dropped without a trace: neither
    // paired nor counted as unanswered
    #[test]
    fn auto_takes_inline_commands_only_when_the_server_answers_in_resp() {
        let mut a = Analysis::new(None, KeyNames::Plain);
        // a health check: PING and QUIT, each answered in RESP
        a.segment(ms(0), 1, Some(seg(true, 1, b"PING\r\n")));
        a.segment(ms(1), 1, Some(seg(false, 1, b"+PONG\r\n")));
        a.segment(ms(2), 1, Some(seg(true, 7, b"quit\r\n")));
        a.segment(ms(3), 1, Some(seg(false, 8, b"+OK\r\n")));
        let r = a.report("t".into(), None, None);
        let rows: Vec<(&str, u64)> = r.commands.iter().map(|c| (&*c.command, c.count)).collect();
        assert_eq!(rows, [("PING", 1), ("QUIT", 1)], "{r:?}");
        assert_eq!(r.ports_seen[0].resp_flows, 1);
        // memcached's text protocol looks the same from the client: its answer is not RESP
        let mut m = Analysis::new(None, KeyNames::Plain);
        m.segment(ms(0), 1, Some(seg(true, 1, b"get k\r\n")));
        m.segment(ms(1), 1, Some(seg(false, 1, b"END\r\n")));
        m.segment(ms(2), 1, Some(seg(true, 8, b"get k\r\n")));
        let r = m.report("t".into(), None, None);
        assert_eq!(
            (r.requests, r.tcp_packets, r.ports_seen[0].resp_flows),
            (0, 0, 0)
        );
        assert!(r.top_keys.is_empty(), "{r:?}");
    }

    #[test]
    fn requests_whose_replies_fall_into_a_gap_count_as_unanswered() {
        let mut a = Analysis::new(6379, KeyNames::Plain);
        let mut req = Vec::new();
        resp::encode(&mut req, &[b"GET", b"k"]);
        let n = req.len() as u32;
        // three requests; the reply stream loses its first segment, and more than the hold
        // limit arrives after the hole
        for i in 0..3 {
            a.segment(ms(i), 1, Some(seg(true, 1 + i as u32 * n, &req)));
        }
        // the server's SYN-ACK fixes where its stream starts: byte 1
        let mut synack = seg(false, 0, b"");
        synack.syn = true;
        a.segment(ms(0), 1, Some(synack));
        let reply = b"$1\r\nv\r\n";
        for i in 1..=(HOLD_SEGMENTS as u32 + 1) {
            a.segment(ms(5), 1, Some(seg(false, 1 + i * 7, reply)));
        }
        a.finish();
        let r = a.report("t".into(), None, None);
        assert_eq!(r.gaps, 1);
        assert_eq!(r.requests + r.unanswered_requests, 3, "{r:?}");
        // what was held after the hole answers none of the requests left: skipped, not 65
        // replies without a request (inside a value, such bytes only look like replies)
        assert_eq!(r.unmatched_replies, 0, "{r:?}");
        assert!(r.skipped_bytes > 0);
    }

    // a capture that began after a request and before its reply: the next reply was paired
    // with it, and every pair after shifted by one
    #[test]
    fn a_reply_the_capture_never_saw_does_not_shift_the_next_pair() {
        let mut a = Analysis::new(6379, KeyNames::Plain);
        let mut req = Vec::new();
        resp::encode(&mut req, &[b"GET", b"k"]);
        let n = req.len() as u32;
        let reply = b"$1\r\nv\r\n";
        let r = reply.len() as u32;
        let with_acks = |to_server, seq, ack, payload| {
            let mut s = seg(to_server, seq, payload);
            s.ack = Some(ack);
            s
        };
        // request 1 acknowledges server byte 1000; its reply (1000..1007) is not captured;
        // request 2, sent after it arrived, acknowledges 1007; then reply 2, then 3 and reply 3
        a.segment(ms(0), 1, Some(with_acks(true, 1, 1000, &req)));
        a.segment(ms(10), 1, Some(with_acks(true, 1 + n, 1000 + r, &req)));
        a.segment(
            ms(11),
            1,
            Some(with_acks(false, 1000 + r, 1 + 2 * n, reply)),
        );
        a.segment(
            ms(20),
            1,
            Some(with_acks(true, 1 + 2 * n, 1000 + 2 * r, &req)),
        );
        a.segment(
            ms(21),
            1,
            Some(with_acks(false, 1000 + 2 * r, 1 + 3 * n, reply)),
        );
        let rep = a.report("t".into(), None, None);
        assert_eq!((rep.requests, rep.unanswered_requests), (2, 1), "{rep:?}");
        assert!(
            rep.slowest.iter().all(|s| s.latency_ms < 2.0),
            "{:?}",
            rep.slowest
        );
    }

    #[test]
    fn garbage_is_skipped_not_fatal() {
        let mut a = Analysis::new(6379, KeyNames::Plain);
        a.segment(
            ms(0),
            1,
            Some(seg(true, 1, b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")),
        );
        a.segment(ms(1), 1, Some(seg(false, 1, b"\x00\x01binary junk")));
        a.segment(ms(2), 1, Some(seg(true, 21, b"*1\r\n$4\r\nPING\r\n")));
        a.segment(ms(3), 1, Some(seg(false, 14, b"+PONG\r\n")));
        let r = a.report("t".into(), None, None);
        assert!(r.protocol_errors >= 1 || r.unmatched_replies >= 1);
        assert_eq!(
            r.commands
                .iter()
                .find(|c| c.command == "PING")
                .map(|c| c.count),
            Some(1)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any split of a pipelined stream into segments, delivered in any order with duplicates,
        /// reassembles to the same requests.
        #[test]
        fn reassembly_survives_reordering_and_duplicates(
            n in 1usize..40,
            cuts in prop::collection::vec(1usize..50, 1..30),
            order in prop::collection::vec(any::<u16>(), 30),
            dups in prop::collection::vec(any::<bool>(), 30),
        ) {
            let mut stream = Vec::new();
            for i in 0..n {
                resp::encode(&mut stream, &[b"GET", format!("k{i}").as_bytes()]);
            }
            let mut segs = Vec::new();
            let mut at = 0;
            for c in cuts.iter().cycle() {
                if at >= stream.len() { break; }
                let end = (at + c).min(stream.len());
                segs.push((at as u32, &stream[at..end]));
                at = end;
            }
            // the first segment arrives first (the stream starts there); the rest shuffled
            let mut rest: Vec<_> = segs[1..].to_vec();
            // reordering as networks do it: a segment moves at most a few places
            for (i, o) in order.iter().enumerate().take(rest.len()) {
                let j = (i + *o as usize % 8).min(rest.len() - 1);
                rest.swap(i, j);
            }
            let mut a = Analysis::new(6379, KeyNames::Plain);
            a.segment(ms(0), 1, Some(seg(true, 1_000_000, segs[0].1)));
            for (i, (off, data)) in rest.iter().enumerate() {
                a.segment(ms(0), 1, Some(seg(true, 1_000_000 + off, data)));
                if dups.get(i).copied().unwrap_or(false) {
                    a.segment(ms(0), 1, Some(seg(true, 1_000_000 + off, data)));
                }
            }
            let replies = "$-1\r\n".repeat(n);
            a.segment(ms(1), 1, Some(seg(false, 7, replies.as_bytes())));
            let r = a.report("t".into(), None, None);
            prop_assert_eq!(r.requests, n as u64);
            prop_assert_eq!(r.unmatched_replies, 0);
        }

        #[test]
        fn arbitrary_bytes_never_panic(chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..20)) {
            let mut a = Analysis::new(6379, KeyNames::Plain);
            let mut seq = 0u32;
            for (i, c) in chunks.iter().enumerate() {
                a.segment(ms(i as u64), c.len(), Some(seg(i % 2 == 0, seq, c)));
                seq = seq.wrapping_add(c.len() as u32 / 2);
            }
            a.finish();
            let _ = a.report("t".into(), None, None);
        }
    }
}
