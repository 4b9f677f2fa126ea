//! The Redis load generator: one task per connection writing raw RESP, P commands per write,
//! every reply timed as it is decoded. Setup and cleanup go through the redis crate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::tls::Stream;

use super::stats::Recorder;
use crate::cli::Workload;
use crate::resp::{self, Frame};

/// Every key a run creates starts with this.
pub const NAMESPACE: &str = "statectl:bench:";

/// How a Redis run is shaped.
#[derive(Debug, Clone)]
pub struct RedisLoad {
    /// host:port.
    pub addr: String,
    /// User and password for AUTH, if any.
    pub auth: Option<(Option<String>, String)>,
    /// SELECT this database first.
    pub db: i64,
    /// Connections.
    pub connections: usize,
    /// Total requests, split exactly over the connections.
    pub requests: Option<u64>,
    /// Or: run until this long has passed.
    pub duration: Option<Duration>,
    /// Commands per write.
    pub pipeline: usize,
    /// What to send.
    pub workload: Workload,
    /// Distinct keys.
    pub keyspace: u64,
    /// Value size, bytes.
    pub value_size: usize,
    /// TTL of written keys, seconds.
    pub ttl: u64,
    /// Open-loop rate, requests per second over all connections.
    pub rate: Option<u64>,
    /// Share of reads in the mixed workload.
    pub read_ratio: f64,
    /// Bound on every wait for the server.
    pub timeout: Duration,
    /// Cancelled by Ctrl-C: every connection stops at once and the run is partial.
    pub cancel: crate::cancel::CancellationToken,
    /// For rediss://: the server name to verify, and whether to skip verification (#insecure).
    pub tls: Option<(String, crate::tls::TlsClient)>,
    /// A Redis Cluster: the slot map, each connection's home master and its keys.
    pub cluster: Option<Arc<super::cluster::Cluster>>,
}

/// A small, fast PRNG (xorshift64*) per task; quality is ample for picking keys.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// `statectl:bench:KIND N`; on a cluster the number is a hash tag (`k:{N}`), so every key of
/// number N lives in N's slot.
fn key(out: &mut Vec<u8>, kind: &[u8], n: u64, tagged: bool) -> usize {
    let start = out.len();
    out.extend_from_slice(NAMESPACE.as_bytes());
    out.extend_from_slice(kind);
    let mut buf = itoa::Buffer::new();
    if tagged {
        out.push(b'{');
    }
    out.extend_from_slice(buf.format(n).as_bytes());
    if tagged {
        out.push(b'}');
    }
    out.len() - start
}

/// The key a seeding or cleanup command names, as [`key`] writes it.
pub fn key_text(kind: &str, n: u64, tagged: bool) -> String {
    let mut v = Vec::new();
    key(&mut v, kind.as_bytes(), n, tagged);
    String::from_utf8(v).unwrap_or_default()
}

/// Appends one request of the workload to `out`.
struct Commands {
    value: Vec<u8>,
    ttl: Vec<u8>,
    keyspace: u64,
    hashes: u64,
    workload: Workload,
    read_ratio: f64,
    step: u64,
    scratch: Vec<u8>,
    /// On a cluster: the key numbers of this connection's home master.
    home_keys: Option<(Arc<super::cluster::Cluster>, usize)>,
}

impl Commands {
    fn push(&mut self, out: &mut Vec<u8>, rng: &mut Rng) {
        let n = match &self.home_keys {
            Some((c, home)) => {
                let keys = &c.keys[*home];
                keys[(rng.next() % keys.len() as u64) as usize]
            }
            None => rng.next() % self.keyspace,
        };
        let t = self.home_keys.is_some();
        self.scratch.clear();
        let op = match self.workload {
            Workload::Get => 0,
            Workload::Set => 1,
            Workload::Mixed => {
                if (rng.next() % 10_000) as f64 / 10_000.0 < self.read_ratio {
                    0
                } else {
                    1
                }
            }
            Workload::Session => {
                self.step += 1;
                2 + self.step % 4
            }
        };
        match op {
            0 => {
                key(&mut self.scratch, b"k:", n, t);
                resp::encode(out, &[b"GET", &self.scratch]);
            }
            1 => {
                key(&mut self.scratch, b"k:", n, t);
                resp::encode(out, &[b"SET", &self.scratch, &self.value, b"EX", &self.ttl]);
            }
            2 => {
                key(&mut self.scratch, b"s:", n, t);
                resp::encode(out, &[b"SET", &self.scratch, &self.value, b"EX", &self.ttl]);
            }
            3 => {
                key(&mut self.scratch, b"s:", n, t);
                resp::encode(out, &[b"GET", &self.scratch]);
            }
            4 => {
                key(&mut self.scratch, b"s:", n, t);
                resp::encode(out, &[b"EXPIRE", &self.scratch, &self.ttl]);
            }
            _ => {
                key(&mut self.scratch, b"h:", n % self.hashes, t);
                resp::encode(out, &[b"HGETALL", &self.scratch]);
            }
        }
    }
}

/// Session hashes a run seeds (HGETALL targets), at most this many.
const MAX_HASHES: u64 = 10_000;

/// Refuses a server that already holds keys in the bench namespace, then seeds the keys the
/// workload reads: the key numbers `only` (a cluster master's), or the whole keyspace. Returns
/// how many keys were written.
pub async fn prepare_keys(
    conn: &mut redis::aio::MultiplexedConnection,
    load: &RedisLoad,
    only: Option<&[u64]>,
) -> anyhow::Result<u64> {
    let tagged = load.cluster.is_some();
    let numbers = |limit: u64| -> Vec<u64> {
        match only {
            Some(keys) => keys.iter().copied().filter(|n| *n < limit).collect(),
            None => (0..limit).collect(),
        }
    };
    // SCAN, never KEYS (redis-rs's iterator): one key left by a previous run is enough to refuse
    let mut scan_conn = conn.clone();
    let mut left: redis::AsyncIter<String> = redis::AsyncCommands::scan_options(
        &mut scan_conn,
        redis::ScanOptions::default()
            .with_pattern(format!("{NAMESPACE}*"))
            .with_count(1000),
    )
    .await?;
    if let Some(k) = left.next_item().await.transpose()? {
        anyhow::bail!(
            "{}: keys under {NAMESPACE}* exist (e.g. {}) that this run did not create; \
             remove them with `redis-cli --scan --pattern '{NAMESPACE}*' | xargs redis-cli unlink` \
             or bench another database",
            load.addr,
            crate::text::escape(&k)
        );
    }
    drop(left);
    let value = vec![b'x'; load.value_size];
    let mut written = 0;
    let seed_strings = matches!(
        load.workload,
        Workload::Get | Workload::Mixed | Workload::Session
    );
    let prefix = if load.workload == Workload::Session {
        "s:"
    } else {
        "k:"
    };
    if seed_strings {
        for chunk in numbers(load.keyspace).chunks(1000) {
            let mut p = redis::pipe();
            for &n in chunk {
                p.cmd("SET")
                    .arg(key_text(prefix, n, tagged))
                    .arg(&value)
                    .arg("EX")
                    .arg(load.ttl)
                    .ignore();
                written += 1;
            }
            run_pipeline(&p, conn).await?;
        }
    }
    if load.workload == Workload::Session {
        let hashes = load.keyspace.min(MAX_HASHES);
        for chunk in numbers(hashes).chunks(1000) {
            let mut p = redis::pipe();
            for &n in chunk {
                let k = key_text("h:", n, tagged);
                p.cmd("HSET")
                    .arg(&k)
                    .arg("user")
                    .arg(n)
                    .arg("token")
                    .arg(&value)
                    .arg("seen")
                    .arg(1_700_000_000u64 + n)
                    .ignore();
                p.cmd("EXPIRE").arg(&k).arg(load.ttl).ignore();
                written += 1;
            }
            run_pipeline(&p, conn).await?;
        }
    }
    Ok(written)
}

/// Runs a setup or cleanup pipeline. A failure says each kind of server error once, with how
/// many commands got it, one line per kind: a cluster that went down fails all 5000 UNLINKs
/// of a batch alike, and the redis crate's own message lists every one of them.
async fn run_pipeline(
    p: &redis::Pipeline,
    conn: &mut redis::aio::MultiplexedConnection,
) -> anyhow::Result<()> {
    let e = match p.query_async::<()>(conn).await {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let whole = e.to_string();
    let Some(errors) = e.into_server_errors() else {
        return Err(anyhow::anyhow!(whole));
    };
    let errors: Vec<(&str, Option<&str>)> = errors
        .iter()
        .map(|(_, s)| (s.code(), s.details()))
        .collect();
    Err(anyhow::anyhow!(error_kinds(&errors, p.len())))
}

/// Server errors (code, detail) as one line per code, in the order first seen, with its count
/// and its detail (the first one's, when they differ: MOVED names a slot each).
fn error_kinds(errors: &[(&str, Option<&str>)], commands: usize) -> String {
    let mut kinds: Vec<(&str, Option<&str>, bool, usize)> = Vec::new();
    for &(code, detail) in errors {
        match kinds.iter_mut().find(|k| k.0 == code) {
            Some(k) => {
                k.2 |= k.1 != detail;
                k.3 += 1;
            }
            None => kinds.push((code, detail, false, 1)),
        }
    }
    kinds
        .iter()
        .map(|&(code, detail, varied, n)| {
            let detail = match (detail, varied) {
                (Some(d), false) => format!(" {d}"),
                (Some(d), true) => format!(" (the first: {d})"),
                (None, _) => String::new(),
            };
            // the server's words, made safe for a terminal
            let text = crate::text::escape(&format!("{code}{detail}")).replace('\n', " ");
            format!("{n}× {text} (of {commands} commands in one pipeline)")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Deletes every key in the bench namespace (SCAN + UNLINK).
pub async fn cleanup(conn: &mut redis::aio::MultiplexedConnection) -> anyhow::Result<u64> {
    use futures::StreamExt;
    let mut scan_conn = conn.clone();
    let keys: redis::AsyncIter<String> = redis::AsyncCommands::scan_options(
        &mut scan_conn,
        redis::ScanOptions::default()
            .with_pattern(format!("{NAMESPACE}*"))
            .with_count(5000),
    )
    .await?;
    let mut pages = keys.chunks(5000);
    let mut removed = 0;
    while let Some(page) = pages.next().await {
        let page = page.into_iter().collect::<Result<Vec<_>, _>>()?;
        removed += page.len() as u64;
        // one key per UNLINK: on a Cluster node one command may not span slots
        let mut p = redis::pipe();
        for k in &page {
            p.cmd("UNLINK").arg(k).ignore();
        }
        run_pipeline(&p, conn).await?;
    }
    Ok(removed)
}

/// Reads into `buf` until at least one more byte arrives, bounded by the timeout.
/// The most a bench connection buffers for replies it has not finished decoding: far above any
/// reply a bench workload gets (values of --value-size bytes), far below what hurts the host.
const MAX_PENDING_REPLY: usize = 64 * 1024 * 1024;

async fn fill(stream: &mut Stream, buf: &mut Vec<u8>, timeout: Duration) -> Result<(), String> {
    if buf.len() > MAX_PENDING_REPLY {
        return Err("protocol: a reply larger than 64 MiB".into());
    }
    if buf.capacity() - buf.len() < 16 * 1024 {
        buf.reserve(64 * 1024);
    }
    match tokio::time::timeout(timeout, stream.read_buf(buf)).await {
        Err(_) => Err("timeout".into()),
        Ok(Ok(0)) => Err("connection closed by server".into()),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("connection: {}", e.kind())),
    }
}

async fn handshake(stream: &mut Stream, load: &RedisLoad) -> anyhow::Result<()> {
    let mut out = Vec::new();
    let mut expected = 0;
    if let Some((user, pass)) = &load.auth {
        match user {
            Some(u) => resp::encode(&mut out, &[b"AUTH", u.as_bytes(), pass.as_bytes()]),
            None => resp::encode(&mut out, &[b"AUTH", pass.as_bytes()]),
        }
        expected += 1;
    }
    if load.db != 0 {
        resp::encode(&mut out, &[b"SELECT", load.db.to_string().as_bytes()]);
        expected += 1;
    }
    if expected == 0 {
        return Ok(());
    }
    stream.write_all(&out).await?;
    let mut buf = Vec::new();
    let mut pos = 0;
    while expected > 0 {
        match resp::frame(&buf, pos)? {
            Some((_, Frame::Error)) => {
                anyhow::bail!(
                    "{}: the server refused AUTH/SELECT: {} (the password is never shown)",
                    load.addr,
                    resp::error_word(&buf, pos)
                )
            }
            Some((end, _)) => {
                pos = end;
                expected -= 1;
            }
            None => fill(stream, &mut buf, load.timeout)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e} during AUTH/SELECT", load.addr))?,
        }
    }
    Ok(())
}

/// Opens and authenticates every connection up front, so setup cost stays out of the timings.
/// On a cluster, connection `i` goes to master `i % masters`.
pub async fn connect_all(load: &RedisLoad) -> anyhow::Result<Vec<Stream>> {
    let mut out = Vec::with_capacity(load.connections);
    for i in 0..load.connections {
        out.push(connect_one(load, addr_for(load, i)).await?);
    }
    Ok(out)
}

/// Where connection `i` goes: the server, or on a cluster master `i % masters`.
pub fn addr_for(load: &RedisLoad, i: usize) -> &str {
    match &load.cluster {
        Some(c) => &c.masters[i % c.masters.len()],
        None => &load.addr,
    }
}

/// One authenticated connection to `addr` (TLS as the load says; on a cluster the name
/// verified is the node's host).
pub async fn connect_one(load: &RedisLoad, addr: &str) -> anyhow::Result<Stream> {
    let tcp = tokio::time::timeout(load.timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| anyhow::anyhow!("{addr}: no connection within {:?}", load.timeout))?
        .map_err(|e| anyhow::anyhow!("{addr}: {e}"))?;
    tcp.set_nodelay(true)?;
    let mut s = match &load.tls {
        None => Stream::Plain(tcp),
        Some((host, client)) => {
            let host = match &load.cluster {
                Some(_) => addr
                    .rsplit_once(':')
                    .map_or(addr, |(h, _)| h)
                    .trim_matches(|c| c == '[' || c == ']'),
                None => host.as_str(),
            };
            tokio::time::timeout(load.timeout, client.connect(tcp, host))
                .await
                .map_err(|_| anyhow::anyhow!("{addr}: no TLS handshake within {:?}", load.timeout))?
                .map_err(|e| match crate::tls::probe_error(addr, &e) {
                    Some(t) => anyhow::anyhow!("{t}"),
                    None => anyhow::anyhow!("{addr}: TLS: {e}"),
                })?
        }
    };
    handshake(&mut s, load).await?;
    Ok(s)
}

/// Drives one connection until its quota, the deadline, or an error; returns what it saw and
/// whether it ended early.
pub async fn drive(
    stream: Stream,
    index: usize,
    load: Arc<RedisLoad>,
    quota: Option<u64>,
    start: Instant,
    done: Arc<AtomicU64>,
) -> (Recorder, bool) {
    let (rec, partial) = drive_inner(stream, index, load.clone(), quota, start, done).await;
    if let Some(c) = &load.cluster {
        if let Ok(mut per) = c.per_master.lock() {
            per[index % c.masters.len()].merge(&rec);
        }
    }
    (rec, partial)
}

/// Sends `cmd` to `addr` over this task's side connection to it (ASKING first for ASK) and
/// reads the reply: Ok(true) when the reply is an error.
async fn follow(
    load: &RedisLoad,
    side: &mut super::cluster::Side,
    cmd: &[u8],
    addr: &str,
    ask: bool,
) -> Result<bool, String> {
    if !side.contains_key(addr) {
        let s = connect_one(load, addr).await.map_err(|e| e.to_string())?;
        side.insert(addr.to_string(), (s, Vec::new()));
    }
    let Some((s, buf)) = side.get_mut(addr) else {
        return Err("no connection".into());
    };
    let mut msg = Vec::with_capacity(cmd.len() + 16);
    if ask {
        resp::encode(&mut msg, &[b"ASKING"]);
    }
    msg.extend_from_slice(cmd);
    tokio::time::timeout(load.timeout, s.write_all(&msg))
        .await
        .map_err(|_| "timeout".to_string())?
        .map_err(|e| format!("connection: {}", e.kind()))?;
    let (mut expected, mut pos) = (if ask { 2 } else { 1 }, 0);
    loop {
        match resp::frame(buf, pos) {
            Ok(Some((end, f))) => {
                pos = end;
                expected -= 1;
                if expected == 0 {
                    buf.drain(..pos);
                    return Ok(matches!(f, Frame::Error));
                }
            }
            Ok(None) => fill(s, buf, load.timeout).await?,
            Err(e) => return Err(format!("protocol: {}", e.why)),
        }
    }
}

async fn drive_inner(
    mut stream: Stream,
    index: usize,
    load: Arc<RedisLoad>,
    quota: Option<u64>,
    start: Instant,
    done: Arc<AtomicU64>,
) -> (Recorder, bool) {
    let mut rec = Recorder::default();
    let home = load.cluster.as_ref().map(|c| index % c.masters.len());
    let mut side = super::cluster::Side::new();
    let mut starts: Vec<usize> = Vec::with_capacity(load.pipeline);
    let mut detours: Vec<(Vec<u8>, String)> = Vec::new();
    let mut rng =
        Rng(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
    let mut cmds = Commands {
        value: vec![b'x'; load.value_size],
        ttl: load.ttl.to_string().into_bytes(),
        keyspace: load.keyspace.max(1),
        hashes: load.keyspace.clamp(1, MAX_HASHES),
        workload: load.workload,
        read_ratio: load.read_ratio,
        step: index as u64,
        scratch: Vec::with_capacity(64),
        home_keys: load.cluster.clone().zip(home),
    };
    let deadline = load.duration.map(|d| start + d);
    // Under --rate each connection sends its share on a fixed schedule, and latency counts
    // from the scheduled time: the coordinated-omission correction.
    let interval = load.rate.map(|r| {
        Duration::from_secs_f64(load.connections as f64 * load.pipeline as f64 / r.max(1) as f64)
    });
    let mut pacer = match super::pace::Pacer::for_schedule(interval) {
        Ok(p) => p,
        Err(e) => {
            rec.error(&e, 1);
            return (rec, true);
        }
    };
    let mut out = Vec::with_capacity(load.pipeline * 64);
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut sent = 0u64;
    let mut batch_no = 0u64;
    // the shared progress counter is bumped every 256 requests, not every batch: with several
    // runtime threads a counter written per request is a contended cache line
    let mut unflushed = Flush { done: &done, n: 0 };
    loop {
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return (rec, false);
        }
        if load.cancel.is_cancelled() {
            return (rec, true);
        }
        let left = quota.map(|q| q - sent);
        if left == Some(0) {
            return (rec, false);
        }
        let n = left.map_or(load.pipeline as u64, |l| l.min(load.pipeline as u64));
        let t0 = match interval {
            Some(iv) => {
                let due =
                    start + iv.mul_f64(batch_no as f64 + (index as f64 / load.connections as f64));
                if due > now {
                    if deadline.is_some_and(|d| due >= d) {
                        return (rec, false);
                    }
                    let pacer = pacer.as_mut().expect("made for --rate");
                    if !pacer.until(due, &load.cancel).await {
                        return (rec, true);
                    }
                }
                rec.lag(Instant::now().saturating_duration_since(due));
                due
            }
            None => now,
        };
        batch_no += 1;
        out.clear();
        starts.clear();
        detours.clear();
        for _ in 0..n {
            let at = out.len();
            cmds.push(&mut out, &mut rng);
            // routed by slot: a key whose slot has moved off this connection's master goes to
            // its owner directly (the map follows MOVED replies)
            if let (Some(c), Some(h)) = (&load.cluster, home) {
                if !c.changed.load(Ordering::Acquire) {
                    starts.push(at);
                    continue;
                }
                let owner = c.owner(super::cluster::slot(&cmds.scratch));
                if owner != c.masters[h] {
                    detours.push((out[at..].to_vec(), owner));
                    out.truncate(at);
                    continue;
                }
            }
            starts.push(at);
        }
        let home_n = starts.len() as u64;
        let sent_at = Instant::now();
        if let Err(e) = tokio::time::timeout(load.timeout, stream.write_all(&out))
            .await
            .map_err(|_| "timeout".to_string())
            .and_then(|r| r.map_err(|e| format!("connection: {}", e.kind())))
        {
            rec.error(&e, n);
            return (rec, true);
        }
        sent += n;
        let mut pending = home_n;
        let mut pos = 0;
        while pending > 0 {
            match resp::frame(&buf, pos) {
                Ok(Some((end, Frame::Error))) => {
                    let redirect = load.cluster.as_ref().and_then(|c| {
                        let (slot, addr, ask) =
                            super::cluster::redirection(&buf[pos + 1..end.saturating_sub(2)])?;
                        Some((c, slot, addr, ask))
                    });
                    match redirect {
                        Some((c, slot, addr, ask)) => {
                            let i = (home_n - pending) as usize;
                            let cmd =
                                &out[starts[i]..starts.get(i + 1).copied().unwrap_or(out.len())];
                            if ask {
                                c.asked.fetch_add(1, Ordering::Relaxed);
                            } else {
                                c.moved.fetch_add(1, Ordering::Relaxed);
                                c.moved_to(slot, &addr);
                            }
                            match follow(&load, &mut side, cmd, &addr, ask).await {
                                Ok(false) => rec.ok(t0.elapsed()),
                                Ok(true) => rec.error("redirected request failed", 1),
                                Err(e) => rec.error(&format!("redirect to {addr}: {e}"), 1),
                            }
                        }
                        None => rec.error(&resp::error_word(&buf, pos), 1),
                    }
                    pos = end;
                    pending -= 1;
                }
                Ok(Some((end, _))) => {
                    rec.ok(t0.elapsed());
                    if interval.is_some() {
                        rec.served(sent_at.elapsed());
                    }
                    pos = end;
                    pending -= 1;
                }
                Ok(None) => {
                    buf.drain(..pos);
                    pos = 0;
                    // Replies still in flight at Ctrl-C are neither latencies nor errors.
                    let filled = tokio::select! {
                        r = fill(&mut stream, &mut buf, load.timeout) => r,
                        _ = load.cancel.cancelled() => {
                            done.fetch_add(n - pending, Ordering::Relaxed);
                            return (rec, true);
                        }
                    };
                    if let Err(e) = filled {
                        rec.error(&e, pending);
                        done.fetch_add(n - pending, Ordering::Relaxed);
                        return (rec, true);
                    }
                }
                Err(e) => {
                    rec.error(&format!("protocol: {}", e.why), pending);
                    return (rec, true);
                }
            }
        }
        buf.drain(..pos);
        for (cmd, owner) in &detours {
            match follow(&load, &mut side, cmd, owner, false).await {
                Ok(false) => rec.ok(t0.elapsed()),
                Ok(true) => rec.error("routed request failed", 1),
                Err(e) => rec.error(&format!("connection to {owner}: {e}"), 1),
            }
        }
        unflushed.n += n;
        if unflushed.n >= 256 {
            done.fetch_add(std::mem::take(&mut unflushed.n), Ordering::Relaxed);
        }
    }
}

/// Adds what is left to the progress counter when a connection's task ends, however it ends.
struct Flush<'a> {
    done: &'a AtomicU64,
    n: u64,
}

impl Drop for Flush<'_> {
    fn drop(&mut self) {
        self.done.fetch_add(self.n, Ordering::Relaxed);
    }
}

/// Splits `total` requests over `conns` connections exactly.
pub fn quotas(total: Option<u64>, conns: usize) -> Vec<Option<u64>> {
    (0..conns)
        .map(|i| total.map(|t| t / conns as u64 + u64::from((i as u64) < t % conns as u64)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue 26 #38: 5000 failed UNLINKs printed 5000 times
    #[test]
    fn pipeline_errors_are_one_line_per_kind_with_a_count() {
        let mut errors = vec![("CLUSTERDOWN", Some("The cluster is down")); 5000];
        errors.push(("MOVED", Some("3999 127.0.0.1:7001")));
        errors.push(("MOVED", Some("4000 127.0.0.1:7001")));
        errors.push(("ERR", Some("bad\x1b[2J")));
        let text = error_kinds(&errors, 5003);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "5000× CLUSTERDOWN The cluster is down (of 5003 commands in one pipeline)",
                "2× MOVED (the first: 3999 127.0.0.1:7001) (of 5003 commands in one pipeline)",
                "1× ERR bad\\x1b[2J (of 5003 commands in one pipeline)",
            ]
        );
    }

    #[test]
    fn quotas_add_up_exactly() {
        let q = quotas(Some(1003), 10);
        assert_eq!(q.iter().map(|q| q.unwrap()).sum::<u64>(), 1003);
        assert_eq!(q[0], Some(101));
        assert_eq!(q[9], Some(100));
        assert!(quotas(None, 3).iter().all(Option::is_none));
    }

    #[test]
    fn workloads_encode_namespaced_commands() {
        let mut c = Commands {
            value: b"vv".to_vec(),
            ttl: b"60".to_vec(),
            keyspace: 10,
            hashes: 10,
            workload: Workload::Session,
            read_ratio: 0.8,
            step: 0,
            scratch: Vec::new(),
            home_keys: None,
        };
        let mut out = Vec::new();
        let mut rng = Rng(42);
        for _ in 0..4 {
            c.push(&mut out, &mut rng);
        }
        let text = String::from_utf8_lossy(&out);
        for cmd in ["SET", "GET", "EXPIRE", "HGETALL"] {
            assert!(
                text.contains(&format!("${}\r\n{cmd}\r\n", cmd.len())),
                "{text}"
            );
        }
        assert!(text.contains(NAMESPACE));
        // four complete frames
        let mut pos = 0;
        for _ in 0..4 {
            pos = resp::frame(&out, pos).unwrap().unwrap().0;
        }
        assert_eq!(pos, out.len());
    }
}
