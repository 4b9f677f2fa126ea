//! `statectl capture` on traffic no test of ours shaped (issue 19): real Redis conversations
//! that break in-order pairing (CLIENT REPLY, Pub/Sub in RESP2 and RESP3, client tracking,
//! MONITOR, blocking commands, MULTI/EXEC, a capture begun mid-conversation), captured by
//! tcpdump, dumpcap and tshark, and pcapng files converted by editcap. Every latency statectl
//! reports is checked against the packet timestamps as tcpdump reads them from the same file.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use statectl::resp;

use crate::capture::start;
use crate::support::topology::until;
use crate::support::{require, RedisServer};

fn can_trace() -> bool {
    let root = crate::support::is_root();
    let tool = |t: &str| Command::new(t).arg("--version").output().is_ok();
    require(
        root && tool("tcpdump") && tool("tshark") && tool("dumpcap") && tool("editcap"),
        "root, tcpdump and tshark/dumpcap/editcap (Debian's tshark package)",
    )
}

/// A private redis-server and a temp dir for its captures, when capturing is possible.
fn traced_server(config: &[&str]) -> Option<(RedisServer, tempfile::TempDir)> {
    if !can_trace() {
        return None;
    }
    let redis = RedisServer::start(config)?;
    Some((redis, tempfile::tempdir().unwrap()))
}

/// A capture process writing a file.
struct Trace {
    child: Child,
    path: PathBuf,
}

impl Trace {
    /// `tcpdump -U -w FILE`, microsecond pcap (or `--time-stamp-precision=nano`).
    fn tcpdump(dir: &Path, name: &str, port: u16, nano: bool) -> Trace {
        Trace::tcpdump_cut(dir, name, port, nano, None)
    }

    /// `tcpdump`, keeping at most `snaplen` bytes of each packet when given (`-s N`).
    fn tcpdump_cut(dir: &Path, name: &str, port: u16, nano: bool, snaplen: Option<u32>) -> Trace {
        let path = dir.join(name);
        let snap = snaplen.map(|n| n.to_string());
        let filter = format!("tcp port {port}");
        // a 64 MiB buffer (-B, KiB): 200 KB replies in a loop overflow the default 2 MiB, and
        // a capture with a hole is not the conversation the test made
        let mut args = vec![
            "-i",
            "lo",
            "-B",
            "65536",
            "-U",
            "-w",
            path.to_str().unwrap(),
        ];
        if nano {
            args.push("--time-stamp-precision=nano");
        }
        if let Some(n) = &snap {
            args.extend(["-s", n]);
        }
        args.push(&filter);
        Trace {
            child: start("tcpdump", &args, "listening on"),
            path,
        }
    }

    /// dumpcap or tshark: pcapng with microsecond timestamps, their default.
    fn wireshark(program: &str, dir: &Path, name: &str, port: u16) -> Trace {
        let path = dir.join(name);
        let filter = format!("tcp port {port}");
        let mut args = vec!["-i", "lo", "-f", &filter, "-w", path.to_str().unwrap()];
        if program == "tshark" {
            args.extend(["-F", "pcapng"]);
        }
        Trace {
            child: start(program, &args, "Capturing on"),
            path,
        }
    }

    /// Stops once the file holds `fins` FIN segments (every connection closed on the wire).
    fn finish(self, fins: usize) -> PathBuf {
        let path = self.path.clone();
        self.finish_when(&format!("{fins} FINs"), || {
            packets(&path, 0).iter().filter(|p| p.fin).count() >= fins
        })
    }

    /// Stops once `done` says the file holds what it should.
    fn finish_when(mut self, what: &str, done: impl FnMut() -> bool) -> PathBuf {
        until(
            &format!("{what} in {}", self.path.display()),
            Duration::from_secs(20),
            done,
        );
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        self.path
    }
}

/// One TCP packet as tcpdump reads it from a file.
#[derive(Debug, Clone)]
struct Pkt {
    /// Nanoseconds since the epoch.
    ns: i128,
    to_server: bool,
    client_port: u16,
    fin: bool,
    len: usize,
    /// The first sequence number of its data (tcpdump -S: absolute).
    seq: Option<u64>,
}

/// The packets of a capture file, as `tcpdump -r FILE -nn -S -tt --time-stamp-precision=nano`
/// prints them (tcpdump reads pcap and pcapng); `server` is the Redis port.
fn packets(path: &Path, server: u16) -> Vec<Pkt> {
    let out = Command::new("tcpdump")
        .args(["-nn", "-S", "-tt", "--time-stamp-precision=nano", "-r"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            // 1795924532.419750123 IP 127.0.0.1.47070 > 127.0.0.1.6399: Flags [P.], …, length 14
            let mut w = l.split_whitespace();
            let ts = w.next()?;
            let (s, f) = ts.split_once('.')?;
            let ns = s.parse::<i128>().ok()? * 1_000_000_000
                + format!("{f:0<9}")[..9].parse::<i128>().ok()?;
            w.next()?; // IP
            let src = w.next()?;
            w.next()?; // >
            let dst = w.next()?.trim_end_matches(':');
            let port = |a: &str| a.rsplit('.').next()?.parse::<u16>().ok();
            let (sp, dp) = (port(src)?, port(dst)?);
            let flags = l.split("Flags [").nth(1)?.split(']').next()?;
            let len = l.rsplit("length ").next()?.trim().parse().ok()?;
            let to_server = dp == server;
            let seq = l
                .split(", seq ")
                .nth(1)
                .and_then(|r| r.split([':', ',']).next()?.parse().ok());
            Some(Pkt {
                ns,
                to_server,
                client_port: if to_server { sp } else { dp },
                fin: flags.contains('F'),
                len,
                seq,
            })
        })
        .collect()
}

/// The real request-to-reply times in a file, ms, longest first: on each connection, from a
/// client data packet to the next server data packet. A server packet with no client packet
/// before it (a push, a MONITOR line) starts no interval. Replies that span several packets
/// are timed to their last packet (`whole`): to the last server packet before the next request.
fn real_gaps(path: &Path, server: u16, whole: bool) -> Vec<f64> {
    let mut waiting: std::collections::HashMap<u16, (i128, Option<i128>)> = Default::default();
    let mut gaps = Vec::new();
    for p in packets(path, server).into_iter().filter(|p| p.len > 0) {
        if p.to_server {
            if let Some((t, Some(last))) = waiting.insert(p.client_port, (p.ns, None)) {
                gaps.push((last - t) as f64 / 1e6);
            }
        } else if let Some((t, last)) = waiting.get_mut(&p.client_port) {
            if !whole {
                gaps.push((p.ns - *t) as f64 / 1e6);
                waiting.remove(&p.client_port);
            } else {
                *last = Some(p.ns);
            }
        }
    }
    gaps.extend(
        waiting
            .values()
            .filter_map(|(t, last)| last.map(|l| (l - t) as f64 / 1e6)),
    );
    gaps.sort_by(|a, b| b.total_cmp(a));
    gaps
}

fn analyse(path: &Path, args: &[&str]) -> serde_json::Value {
    let out = crate::support::statectl()
        .args(["capture", "-r"])
        .arg(path)
        .args(args)
        .args(["--format", "json", "--show-keys"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "capture -r {}: {}{}",
        path.display(),
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn row<'a>(r: &'a serde_json::Value, list: &str, cmd: &str) -> Option<&'a serde_json::Value> {
    r[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == cmd)
}

fn count(r: &serde_json::Value, cmd: &str) -> u64 {
    row(r, "commands", cmd).map_or(0, |c| c["count"].as_u64().unwrap())
}

/// The counts of `cmds`, in that order.
fn counts(r: &serde_json::Value, cmds: &[&str]) -> Vec<u64> {
    cmds.iter().map(|c| count(r, c)).collect()
}

/// The flows on `port` that speak RESP, as the report's ports seen say.
fn resp_flows(r: &serde_json::Value, port: u16) -> u64 {
    let seen = r["ports_seen"].as_array().unwrap();
    seen.iter()
        .find(|s| s["port"] == port)
        .map_or(0, |s| s["resp_flows"].as_u64().unwrap())
}

/// No latency statectl reports exceeds the longest real request-to-reply time in the file.
fn no_phantom_latency(r: &serde_json::Value, path: &Path, server: u16) {
    let real = real_gaps(path, server, false)
        .first()
        .copied()
        .unwrap_or(0.0);
    for c in r["commands"].as_array().unwrap() {
        let max = c["max_ms"].as_f64().unwrap();
        // the histogram rounds up within 0.1%
        assert!(
            max <= real * 1.001 + 0.002,
            "{} max {max} ms, but no reply in {} came later than {real} ms after its request",
            c["command"],
            path.display()
        );
    }
}

/// A connection that speaks RESP by hand, one write per command (so one packet each).
struct Conn {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn open(port: u16) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_nodelay(true).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Conn { s, buf: Vec::new() }
    }

    fn send(&mut self, args: &[&str]) {
        let mut out = Vec::new();
        let a: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        resp::encode(&mut out, &a);
        self.s.write_all(&out).unwrap();
    }

    /// The next complete value the server sent.
    fn read(&mut self) -> Vec<u8> {
        loop {
            if let Some((end, _)) = resp::frame(&self.buf, 0).unwrap() {
                return self.buf.drain(..end).collect();
            }
            let mut chunk = [0u8; 65536];
            let n = self.s.read(&mut chunk).unwrap();
            assert!(n > 0, "server closed");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    fn call(&mut self, args: &[&str]) -> Vec<u8> {
        self.send(args);
        self.read()
    }
}

fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

#[test]
fn pcapng_from_dumpcap_tshark_and_editcap_keeps_real_time() {
    let Some((redis, dir)) = traced_server(&["enable-debug-command yes"]) else {
        return;
    };
    let p = redis.port;
    let traces = [
        Trace::tcpdump(dir.path(), "td-us.pcap", p, false),
        Trace::tcpdump(dir.path(), "td-ns.pcap", p, true),
        Trace::wireshark("dumpcap", dir.path(), "dumpcap.pcapng", p),
        Trace::wireshark("tshark", dir.path(), "tshark.pcapng", p),
    ];
    {
        let mut c = Conn::open(p);
        // tshark says "Capturing on" a little before its dumpcap captures: PING until every
        // file holds a request of this connection
        until(
            "every capture sees traffic",
            Duration::from_secs(10),
            || {
                assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
                traces
                    .iter()
                    .all(|t| packets(&t.path, p).iter().any(|x| x.to_server && x.len > 0))
            },
        );
        for _ in 0..5 {
            assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
            assert_eq!(c.call(&["DEBUG", "SLEEP", "0.02"]), b"+OK\r\n");
        }
    }
    let mut files: Vec<PathBuf> = traces.into_iter().map(|t| t.finish(2)).collect();
    // tcpdump's pcaps turned into pcapng by editcap: microsecond, and nanosecond resolution
    for src in ["td-us.pcap", "td-ns.pcap"] {
        let to = dir.path().join(format!("{src}ng"));
        let ok = Command::new("editcap")
            .args(["-F", "pcapng"])
            .arg(dir.path().join(src))
            .arg(&to)
            .status()
            .unwrap();
        assert!(ok.success());
        files.push(to);
    }
    for f in &files {
        let r = analyse(f, &["-p", &p.to_string()]);
        assert_eq!(count(&r, "DEBUG"), 5, "{}", f.display());
        assert!(count(&r, "PING") >= 5, "{}", f.display());
        let debug = row(&r, "commands", "DEBUG").unwrap();
        assert!(
            debug["p50_ms"].as_f64().unwrap() >= 20.0,
            "{}: DEBUG SLEEP 0.02 reported at {} ms",
            f.display(),
            debug["p50_ms"]
        );
        // the ten slowest, against tcpdump's own reading of the same packets, within 1 µs
        let real = real_gaps(f, p, false);
        let slowest: Vec<f64> = r["slowest"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["latency_ms"].as_f64().unwrap())
            .collect();
        assert_eq!(slowest.len(), 10, "{}", f.display());
        for (got, want) in slowest.iter().zip(&real) {
            assert!(
                (got - want).abs() <= 0.001 + 1e-9,
                "{}: statectl {got} ms, tcpdump {want} ms",
                f.display()
            );
        }
    }
}

#[test]
fn client_reply_off_on_skip_is_paired_as_redis_answers_and_auto_finds_the_port() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    let trace = Trace::tcpdump(dir.path(), "reply.pcap", p, false);
    {
        let mut c = Conn::open(p);
        // PING, CLIENT REPLY OFF, PING, CLIENT REPLY ON, PING, CLIENT REPLY SKIP, PING, PING
        assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
        c.send(&["CLIENT", "REPLY", "OFF"]);
        c.send(&["PING"]);
        assert_eq!(c.call(&["CLIENT", "REPLY", "ON"]), b"+OK\r\n");
        assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
        c.send(&["CLIENT", "REPLY", "SKIP"]);
        c.send(&["PING"]);
        assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
        // SKIP while OFF is ignored
        c.send(&["CLIENT", "REPLY", "OFF"]);
        c.send(&["CLIENT", "REPLY", "SKIP"]);
        c.send(&["PING"]);
        assert_eq!(c.call(&["CLIENT", "REPLY", "ON"]), b"+OK\r\n");
        assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
        // RESET answers even under OFF, and turns replies back on
        c.send(&["CLIENT", "REPLY", "OFF"]);
        assert_eq!(c.call(&["RESET"]), b"+RESET\r\n");
        assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
        // QUIT is answered, then the server closes
        assert_eq!(c.call(&["QUIT"]), b"+OK\r\n");
    }
    let f = trace.finish(2);
    let r = analyse(&f, &["-p", &p.to_string()]);
    assert_eq!(
        (
            count(&r, "PING"),
            count(&r, "CLIENT"),
            count(&r, "RESET"),
            count(&r, "QUIT")
        ),
        (5, 2, 1, 1),
        "5 PINGs, 2 CLIENT REPLY ON, RESET and QUIT answered: {r}"
    );
    assert_eq!(
        r["no_reply_expected"], 8,
        "OFF, PING, SKIP, PING, OFF, SKIP, PING, OFF"
    );
    assert_eq!(r["unanswered_requests"], 0);
    assert_eq!(r["unmatched_replies"], 0);
    no_phantom_latency(&r, &f, p);
    // the wrong port: nothing matched, and the report names the port that carries RESP
    let wrong = analyse(&f, &["-p", "1"]);
    assert_eq!(wrong["tcp_packets"], 0);
    let seen = wrong["ports_seen"].as_array().unwrap();
    assert!(
        seen.iter()
            .any(|s| s["port"] == p && s["resp_flows"] == 1 && s["packets"].as_u64() > Some(10)),
        "{seen:?}"
    );
    let table = crate::support::run(
        &["capture", "-r", f.to_str().unwrap(), "-p", "1"],
        &[("NO_COLOR", "1")],
    );
    assert!(
        table.stdout.contains(&format!(
            "RESP is on port {p}: rerun with -p {p}, or -p auto"
        )),
        "{}",
        table.stdout
    );
    // -r without -p, and -p auto: every RESP flow, the same pairs
    for args in [&[][..], &["-p", "auto"]] {
        let auto = analyse(&f, args);
        assert_eq!(auto["port"], serde_json::Value::Null);
        assert_eq!((count(&auto, "PING"), count(&auto, "CLIENT")), (5, 2));
        assert_eq!(auto["no_reply_expected"], 8);
    }
    let bad = crate::support::run(&["capture", "-r", f.to_str().unwrap(), "-p", "http"], &[]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("\"http\" is not a TCP port"),
        "{}",
        bad.stderr
    );
}

#[test]
fn pubsub_in_resp2_and_resp3_pairs_confirmations_and_counts_messages_as_pushes() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    let trace = Trace::tcpdump(dir.path(), "pubsub.pcap", p, false);
    {
        let mut v2 = Conn::open(p);
        let mut v3 = Conn::open(p);
        let mut publisher = Conn::open(p);
        assert!(text(&v3.call(&["HELLO", "3"])).starts_with('%'));
        for s in [&mut v2, &mut v3] {
            s.send(&["SUBSCRIBE", "a", "b", "c"]);
            for ch in ["a", "b", "c"] {
                let conf = text(&s.read());
                assert!(conf.contains("subscribe") && conf.contains(ch), "{conf}");
            }
        }
        for ch in ["a", "b", "c", "a", "b"] {
            assert_eq!(publisher.call(&["PUBLISH", ch, "payload"]), b":2\r\n");
            for s in [&mut v2, &mut v3] {
                let m = text(&s.read());
                assert!(m.contains("message") && m.contains("payload"), "{m}");
            }
            // time passes between messages, as in real use
            assert_eq!(publisher.call(&["PING"]), b"+PONG\r\n");
        }
        // a pattern in RESP3 and a shard channel in RESP2: pmessage and smessage are pushes too
        v3.send(&["PSUBSCRIBE", "news.*"]);
        assert!(text(&v3.read()).contains("psubscribe"));
        v2.send(&["SSUBSCRIBE", "shard-1"]);
        assert!(text(&v2.read()).contains("ssubscribe"));
        assert_eq!(publisher.call(&["PUBLISH", "news.eu", "p"]), b":1\r\n");
        assert!(text(&v3.read()).contains("pmessage"));
        assert_eq!(publisher.call(&["SPUBLISH", "shard-1", "s"]), b":1\r\n");
        assert!(text(&v2.read()).contains("smessage"));
        // subscribed: RESP2 answers PING with an array, RESP3 with +PONG; RESP3 may GET
        assert!(text(&v2.call(&["PING"])).contains("pong"));
        assert_eq!(v3.call(&["PING"]), b"+PONG\r\n");
        assert_eq!(v3.call(&["GET", "nothing"]), b"_\r\n");
        for s in [&mut v2, &mut v3] {
            s.send(&["UNSUBSCRIBE"]);
            for _ in 0..3 {
                assert!(text(&s.read()).contains("unsubscribe"));
            }
        }
        v3.send(&["PUNSUBSCRIBE"]);
        assert!(text(&v3.read()).contains("punsubscribe"));
        v2.send(&["SUNSUBSCRIBE"]);
        assert!(text(&v2.read()).contains("sunsubscribe"));
    }
    let f = trace.finish(6);
    let r = analyse(&f, &["-p", &p.to_string()]);
    assert_eq!(count(&r, "SUBSCRIBE"), 2, "{r}");
    assert_eq!(count(&r, "UNSUBSCRIBE"), 2);
    assert_eq!(count(&r, "PUBLISH"), 6);
    assert_eq!(
        (
            count(&r, "PSUBSCRIBE"),
            count(&r, "SSUBSCRIBE"),
            count(&r, "SPUBLISH"),
            count(&r, "PUNSUBSCRIBE"),
            count(&r, "SUNSUBSCRIBE")
        ),
        (1, 1, 1, 1, 1)
    );
    assert_eq!(
        count(&r, "PING"),
        7,
        "5 from the publisher, one per subscriber"
    );
    assert_eq!(count(&r, "GET"), 1);
    assert_eq!(count(&r, "HELLO"), 1);
    assert_eq!(
        r["pushes"], 12,
        "5 messages to each subscriber, a pmessage and an smessage"
    );
    assert_eq!(r["unmatched_replies"], 0);
    assert_eq!(r["unanswered_requests"], 0);
    no_phantom_latency(&r, &f, p);
}

#[test]
fn client_tracking_invalidations_in_resp3_are_pushes() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    let trace = Trace::tcpdump(dir.path(), "tracking.pcap", p, false);
    {
        let mut t = Conn::open(p);
        let mut w = Conn::open(p);
        assert!(text(&t.call(&["HELLO", "3"])).starts_with('%'));
        assert_eq!(t.call(&["CLIENT", "TRACKING", "ON"]), b"+OK\r\n");
        for k in ["k1", "k2", "k3"] {
            assert_eq!(w.call(&["SET", k, "v"]), b"+OK\r\n");
            assert_eq!(t.call(&["GET", k]), b"$1\r\nv\r\n");
        }
        for k in ["k1", "k2", "k3"] {
            assert_eq!(w.call(&["SET", k, "w"]), b"+OK\r\n");
            let push = text(&t.read());
            assert!(
                push.starts_with('>') && push.contains("invalidate"),
                "{push}"
            );
        }
        assert_eq!(t.call(&["GET", "k1"]), b"$1\r\nw\r\n");
    }
    let f = trace.finish(4);
    let r = analyse(&f, &["-p", &p.to_string()]);
    assert_eq!(
        (
            count(&r, "GET"),
            count(&r, "SET"),
            count(&r, "CLIENT"),
            count(&r, "HELLO")
        ),
        (4, 6, 1, 1),
        "{r}"
    );
    assert_eq!(r["pushes"], 3, "one invalidation per key");
    assert_eq!(r["unmatched_replies"], 0);
    assert_eq!(r["unanswered_requests"], 0);
    no_phantom_latency(&r, &f, p);
}

#[test]
fn monitor_streams_blocking_commands_wait_apart_and_multi_queues() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    let trace = Trace::tcpdump(dir.path(), "monitor.pcap", p, false);
    {
        let mut m = Conn::open(p);
        let mut w = Conn::open(p);
        assert_eq!(m.call(&["MONITOR"]), b"+OK\r\n");
        for i in 0..20 {
            assert_eq!(w.call(&["SET", &format!("k{i}"), "v"]), b"+OK\r\n");
        }
        for _ in 0..20 {
            assert!(text(&m.read()).contains("\"SET\""));
        }
        assert_eq!(m.call(&["QUIT"]), b"+OK\r\n");
        // MONITOR for a second, from redis-cli
        let mut cli = Command::new("redis-cli")
            .args(["-p", &p.to_string(), "MONITOR"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(cli.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        assert_eq!(line.trim(), "OK");
        assert_eq!(w.call(&["GET", "k1"]), b"$1\r\nv\r\n");
        line.clear();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        assert!(line.contains("\"GET\""), "{line}");
        let _ = cli.kill();
        let _ = cli.wait();
        // a blocking pop that times out after 1 s, from redis-cli
        let blpop = Command::new("redis-cli")
            .args(["-p", &p.to_string(), "BLPOP", "empty-list", "1"])
            .output()
            .unwrap();
        assert!(blpop.status.success());
        // a transaction
        assert_eq!(w.call(&["MULTI"]), b"+OK\r\n");
        for c in [&["SET", "n", "1"][..], &["INCR", "n"], &["GET", "n"]] {
            assert_eq!(w.call(c), b"+QUEUED\r\n");
        }
        assert_eq!(w.call(&["EXEC"]), b"*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
    }
    let f = trace.finish(8);
    let r = analyse(&f, &["-p", &p.to_string()]);
    assert_eq!(count(&r, "MONITOR"), 2, "{r}");
    assert_eq!(r["monitor_lines"], 21, "20 SETs, then one GET");
    assert_eq!(count(&r, "QUIT"), 1);
    assert_eq!(count(&r, "BLPOP"), 0, "a blocking wait is not latency");
    let blpop = row(&r, "blocking", "BLPOP").expect("BLPOP in the blocking group");
    assert_eq!(blpop["count"], 1);
    assert!(blpop["max_wait_ms"].as_f64().unwrap() >= 1000.0, "{blpop}");
    assert!(r["slowest"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["command"] != "BLPOP"));
    assert_eq!(r["queued_commands"], 3);
    assert_eq!(
        (count(&r, "MULTI"), count(&r, "EXEC"), count(&r, "INCR")),
        (1, 1, 0)
    );
    assert_eq!(count(&r, "SET"), 20, "the queued SET is counted as queued");
    assert_eq!(r["unmatched_replies"], 0);
    assert_eq!(r["unanswered_requests"], 0);
    // the longest real wait is BLPOP's; every latency is within the next longest
    let real = real_gaps(&f, p, false);
    assert!(real[0] >= 1000.0, "{real:?}");
    for c in r["commands"].as_array().unwrap() {
        let max = c["max_ms"].as_f64().unwrap();
        assert!(max <= real[1] * 1.001 + 0.002, "{c}: real {:?}", &real[..3]);
    }
}

/// Server data the capture tool lost: server data packets that do not start where the one
/// before ended (tcpdump and dumpcap drop a few packets now and then as they start).
fn holes(path: &Path, server: u16) -> usize {
    // the server's byte ranges in the file, merged: a retransmission (a range seen before) or a
    // segment that arrives late and fills a gap is no hole; only bytes never captured are
    let data: Vec<_> = packets(path, server)
        .into_iter()
        .filter(|p| !p.to_server && p.len > 0)
        .filter_map(|p| Some((p.seq?, p.len as u64)))
        .collect();
    // sequence numbers are 32-bit and may wrap inside a file: count from the first one
    let first = data.first().map_or(0, |d| d.0);
    let mut ranges: Vec<(u64, u64)> = data
        .iter()
        .map(|&(seq, len)| {
            let at = u64::from((seq as u32).wrapping_sub(first as u32));
            (at, at + len)
        })
        .collect();
    ranges.sort_unstable();
    let mut n = 0;
    let mut end: Option<u64> = None;
    for (start, stop) in ranges {
        match end {
            Some(e) if start > e => {
                n += 1;
                end = Some(stop);
            }
            Some(e) => end = Some(e.max(stop)),
            None => end = Some(stop),
        }
    }
    n
}

/// Which packets of a file to cut so that it starts inside a RESP value: all before the first
/// server data packet that continues a reply begun in an earlier packet.
fn cut_before_a_continuation(path: &Path, server: u16) -> usize {
    let pk = packets(path, server);
    // the file may itself begin mid-reply: look only after the first request in it
    let (mut seen_request, mut after_request) = (false, false);
    for (i, p) in pk.iter().enumerate() {
        if p.len == 0 {
            continue;
        }
        if p.to_server {
            (seen_request, after_request) = (true, true);
        } else if after_request {
            after_request = false;
        } else if seen_request {
            return i; // packets 1..=i (1-based) precede it
        }
    }
    panic!("no reply spans two packets in {}", path.display());
}

#[test]
fn a_capture_begun_mid_conversation_never_shifts_the_pairing() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    // a 200 KB value that is itself valid RESP: resynchronising inside it would find 40,000
    // "+OK" replies
    let value = "+OK\r\n".repeat(40_000);
    let mut c = Conn::open(p);
    assert_eq!(c.call(&["SET", "big", &value]), b"+OK\r\n");
    let want = value.len() + 11; // $200000\r\n … \r\n
    let get = move |c: &mut Conn| {
        let v = c.call(&["GET", "big"]);
        assert_eq!(v.len(), want);
    };
    for _ in 0..5 {
        get(&mut c);
    }
    // the capture starts while the connection is in use, and mid-reply if it can
    let running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let busy = {
        let running = running.clone();
        std::thread::spawn(move || {
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                get(&mut c);
            }
            for _ in 0..30 {
                get(&mut c);
            }
        })
    };
    let trace = Trace::tcpdump(dir.path(), "mid.pcap", p, false);
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    busy.join().unwrap();
    let full = trace.finish(2);
    // two more files: the first 3 packets cut, and cut to start inside a value
    let cut3 = dir.path().join("cut3.pcap");
    let inside = dir.path().join("inside.pcap");
    let k = cut_before_a_continuation(&full, p);
    for (to, range) in [(&cut3, "1-3".to_string()), (&inside, format!("1-{k}"))] {
        let ok = Command::new("editcap")
            .arg(&full)
            .arg(to)
            .arg(&range)
            .status()
            .unwrap();
        assert!(ok.success());
    }
    for f in [&full, &cut3, &inside] {
        let r = analyse(f, &["-p", &p.to_string()]);
        // every GET whose request is in the file is paired with its own reply, but the first
        // when the capture began after its request and before its reply's first byte: that
        // one is unanswered, never paired with the next reply
        let requests = packets(f, p)
            .iter()
            .filter(|p| p.to_server && p.len > 0)
            .count() as u64;
        let unanswered = r["unanswered_requests"].as_u64().unwrap();
        let unmatched = r["unmatched_replies"].as_u64().unwrap();
        assert_eq!(
            count(&r, "GET") + unanswered,
            requests,
            "{}: {r}",
            f.display()
        );
        if holes(f, p) == 0 {
            assert!(unanswered <= 1, "{}: {r}", f.display());
            assert!(
                unmatched <= 1,
                "{}: at most the one reply whose request was not captured: {r}",
                f.display()
            );
        } else {
            // the tool lost server data: the requests in flight across the hole are given up
            // (unanswered), and the replies held after it are orphans, never paired
            eprintln!("{}: the capture lost server data", f.display());
            assert!(r["gaps"].as_u64() >= Some(1), "{r}");
            assert!(unmatched <= unanswered + 1, "{}: {r}", f.display());
        }
        // each reply is timed to its last packet
        let real = real_gaps(f, p, true)[0];
        let max = row(&r, "commands", "GET").unwrap()["max_ms"]
            .as_f64()
            .unwrap();
        assert!(
            max <= real * 1.001 + 0.002,
            "{}: GET max {max} ms, real {real} ms",
            f.display()
        );
    }
    let r = analyse(&inside, &["-p", &p.to_string()]);
    assert!(r["skipped_bytes"].as_u64() > Some(0), "{r}");
    if holes(&inside, p) == 0 {
        assert_eq!(r["unmatched_replies"], 0, "{r}");
    }
}

#[test]
fn command_names_are_one_row_whatever_their_case() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    let trace = Trace::tcpdump(dir.path(), "case.pcap", p, false);
    {
        let mut c = Conn::open(p);
        for cmd in ["PING", "ping", "Ping"] {
            assert_eq!(c.call(&[cmd]), b"+PONG\r\n");
        }
        for cmd in ["GET", "get", "gEt", "GET"] {
            assert_eq!(c.call(&[cmd, "k"]), b"$-1\r\n");
        }
    }
    let f = trace.finish(2);
    let r = analyse(&f, &["-p", &p.to_string()]);
    let rows: Vec<(&str, u64)> = r["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["command"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(rows, [("GET", 4), ("PING", 3)], "{r}");
    assert_eq!(r["top_keys"][0]["count"], 4, "{r}");
}

/// Sends inline commands (`PING\r\n`, as nc and load-balancer health checks do) and reads one
/// reply line per command.
fn inline(port: u16, lines: &[&str]) -> Vec<String> {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut r = std::io::BufReader::new(s.try_clone().unwrap());
    let mut w = s;
    lines
        .iter()
        .map(|l| {
            w.write_all(format!("{l}\r\n").as_bytes()).unwrap();
            let mut reply = String::new();
            std::io::BufRead::read_line(&mut r, &mut reply).unwrap();
            reply
        })
        .collect()
}

#[test]
fn auto_finds_flows_whose_clients_speak_inline() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    let trace = Trace::tcpdump(dir.path(), "inline.pcap", p, false);
    // a health check per connection, and a session typed through nc
    for _ in 0..3 {
        assert_eq!(inline(p, &["PING", "QUIT"]), ["+PONG\r\n", "+OK\r\n"]);
    }
    assert_eq!(
        inline(p, &["set k v", "EXISTS k", "ping", "QUIT"]),
        ["+OK\r\n", ":1\r\n", "+PONG\r\n", "+OK\r\n"]
    );
    let f = trace.finish(8);
    for args in [&[][..], &["-p", "auto"]] {
        let r = analyse(&f, args);
        assert_eq!(
            counts(&r, &["PING", "QUIT", "SET", "EXISTS"]),
            [4, 4, 1, 1],
            "{r}"
        );
        assert_eq!(r["unanswered_requests"], 0, "{r}");
        assert_eq!(r["protocol_errors"], 0, "{r}");
        assert_eq!(resp_flows(&r, p), 4, "{r}");
    }
}

// issue 28, item 24: auto mode (`-r` without `-p`) reported 0 requests for clients that write
// inline commands and close their side before the answer, as `printf 'PING\r\nSET a b\r\n' | nc -N`
// does: the flow was forgotten at the client's FIN. (tcpdump's tests/resp_2_inline.pcap pipelines
// inline commands the same way, but its client closes only after the answers.)
#[test]
fn auto_finds_inline_clients_that_close_before_the_answer() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    let trace = Trace::tcpdump(dir.path(), "inline-shut.pcap", p, false);
    let shut = |lines: &str| {
        let mut s = TcpStream::connect(("127.0.0.1", p)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(lines.as_bytes()).unwrap();
        s.shutdown(std::net::Shutdown::Write).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    assert_eq!(shut("PING\r\nSET a b\r\n"), "+PONG\r\n+OK\r\n");
    assert_eq!(
        shut("set k v\r\nget k\r\nexists k\r\n"),
        "+OK\r\n$1\r\nv\r\n:1\r\n"
    );
    let f = trace.finish(4);
    for args in [&["-p", &p.to_string()][..], &[], &["-p", "auto"]] {
        let r = analyse(&f, args);
        assert_eq!(
            counts(&r, &["PING", "SET", "GET", "EXISTS"]),
            [1, 2, 1, 1],
            "{args:?}: {r}"
        );
        assert_eq!(r["requests"], 5, "{args:?}: {r}");
        assert_eq!(r["connections"], 2, "{args:?}: {r}");
        assert_eq!(r["unanswered_requests"], 0, "{args:?}: {r}");
        assert_eq!(r["protocol_errors"], 0, "{args:?}: {r}");
        if args.len() != 2 || args[1] == "auto" {
            assert_eq!(resp_flows(&r, p), 2, "{args:?}: {r}");
        }
    }
}

/// The connections in `pkts` whose close is over on the wire: both FINs, then the last ACK.
fn closes_acknowledged(pkts: &[Pkt]) -> usize {
    let mut by_port: std::collections::BTreeMap<u16, Vec<&Pkt>> = Default::default();
    for p in pkts {
        by_port.entry(p.client_port).or_default().push(p);
    }
    by_port
        .values()
        .filter(|ps| ps.iter().filter(|p| p.fin).count() >= 2 && ps.last().is_some_and(|p| !p.fin))
        .count()
}

// issue 28, item 25: `capture -r FILE -p PORT` reported 30 connections for a capture of 15:
// the client's last ACK, after both FINs had freed the flow, opened it again as a new one
#[test]
fn each_connection_is_counted_once() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    let trace = Trace::tcpdump(dir.path(), "conns.pcap", p, false);
    const N: usize = 15;
    for i in 0..N {
        let mut c = Conn::open(p);
        assert_eq!(c.call(&["SET", &format!("k{i}"), "v"]), b"+OK\r\n");
    }
    let path = trace.path.clone();
    let f = trace.finish_when(&format!("{N} closes acknowledged"), || {
        closes_acknowledged(&packets(&path, p)) >= N
    });
    for args in [&["-p", &p.to_string()][..], &[]] {
        let r = analyse(&f, args);
        assert_eq!(r["connections"], N, "{args:?}: {r}");
        assert_eq!(r["flows_freed"], N, "{args:?}: {r}");
        assert_eq!(count(&r, "SET"), N as u64, "{args:?}: {r}");
        if args.is_empty() {
            let seen = r["ports_seen"].as_array().unwrap();
            assert!(
                seen.iter()
                    .any(|s| s["port"] == p && s["flows"] == N && s["resp_flows"] == N),
                "{seen:?}"
            );
        }
    }
}

// issue 28, item 26: top keys counted only the first key of multi-key commands: an MSET of
// 10 keys counted 1
#[test]
fn multi_key_commands_count_every_key() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    let trace = Trace::tcpdump(dir.path(), "multi.pcap", p, false);
    let keys: Vec<String> = (0..10).map(|i| format!("cart:{i}")).collect();
    {
        let mut c = Conn::open(p);
        let mut mset = vec!["MSET".to_string()];
        for k in &keys {
            mset.extend([k.clone(), format!("secret-value-of-{k}")]);
        }
        let mset: Vec<&str> = mset.iter().map(String::as_str).collect();
        assert_eq!(c.call(&mset), b"+OK\r\n");
        let mut mget = vec!["MGET"];
        mget.extend(keys[..5].iter().map(String::as_str));
        assert_eq!(c.call(&mget)[..3], *b"*5\r");
        assert_eq!(c.call(&["EXISTS", &keys[5], &keys[6]]), b":2\r\n");
        assert_eq!(c.call(&["DEL", &keys[7], &keys[8], &keys[9]]), b":3\r\n");
        assert_eq!(c.call(&["AUTH", "cart:0", "not-a-key"])[..1], *b"-");
    }
    let f = trace.finish(2);
    for args in [&["-p", &p.to_string()][..], &[]] {
        let r = analyse(&f, args);
        let got: std::collections::BTreeMap<&str, u64> = r["top_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| (k["key"].as_str().unwrap(), k["count"].as_u64().unwrap()))
            .collect();
        let want: std::collections::BTreeMap<&str, u64> =
            keys.iter().map(|k| (k.as_str(), 2)).collect();
        assert_eq!(got, want, "{args:?}: {r}");
        assert!(!r.to_string().contains("secret-value"), "{r}");
    }
}

#[test]
fn snaplen_cut_captures_are_read_counting_the_cut_bytes() {
    let Some((redis, dir)) = traced_server(&[]) else {
        return;
    };
    let p = redis.port;
    // the same conversation seen whole, cut to 96 bytes (30 bytes of TCP payload on lo) and to
    // 64 (inside the TCP options: no payload at all)
    let whole = Trace::tcpdump(dir.path(), "whole.pcap", p, false);
    let s96 = Trace::tcpdump_cut(dir.path(), "s96.pcap", p, false, Some(96));
    let s64 = Trace::tcpdump_cut(dir.path(), "s64.pcap", p, false, Some(64));
    let value = "v".repeat(300);
    {
        let mut c = Conn::open(p);
        for _ in 0..5 {
            assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
        }
        assert_eq!(c.call(&["SET", "k", &value]), b"+OK\r\n");
        for _ in 0..3 {
            assert_eq!(c.call(&["GET", "k"]).len(), 300 + 8);
        }
        assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
    }
    // tcpdump cannot tell the FINs of a packet cut inside its TCP header: the cut files are
    // complete once they hold as many frames as the whole one
    let whole = whole.finish(2);
    let frames = frame_lengths(&whole).len();
    let [s96, s64] = [s96, s64].map(|t| {
        let path = t.path.clone();
        t.finish_when(&format!("{frames} frames"), || {
            frame_lengths(&path).len() >= frames
        })
    });
    let full = analyse(&whole, &["-p", &p.to_string()]);
    assert_eq!(full["cut_packets"], 0, "{full}");
    for (f, snap) in [(&s96, 96u64), (&s64, 64)] {
        let r = analyse(f, &["-p", &p.to_string()]);
        assert_eq!(r["packets"], full["packets"], "{snap}: {r}");
        assert_eq!(r["connections"], full["connections"], "{snap}: {r}");
        assert_eq!(r["gaps"], 0, "{snap}: {r}");
        assert!(r["stopped_early"].is_null(), "{snap}: {r}");
        // every packet longer than the snapshot length was cut, by what it lost
        let cut: Vec<usize> = frame_lengths(&whole)
            .iter()
            .map(|n| n.saturating_sub(snap as usize))
            .filter(|n| *n > 0)
            .collect();
        assert_eq!(r["cut_packets"], cut.len(), "{snap}: {r}");
        assert_eq!(r["cut_bytes"], cut.iter().sum::<usize>(), "{snap}: {r}");
    }
    // with 30 bytes of payload every request's name is there, and every reply's start
    let r = analyse(&s96, &["-p", &p.to_string()]);
    assert_eq!(
        (count(&r, "PING"), count(&r, "SET"), count(&r, "GET")),
        (6, 1, 3),
        "{r}"
    );
    assert_eq!(r["unanswered_requests"], 0, "{r}");
    assert_eq!(r["unmatched_replies"], 0, "{r}");
    assert_eq!(r["top_keys"][0]["count"], 4, "{r}");
    no_phantom_latency(&r, &s96, p);
    // without payload there is nothing to decode, and nothing is made up
    let r = analyse(&s64, &["-p", &p.to_string()]);
    assert_eq!(r["requests"], 0, "{r}");
    assert_eq!(r["protocol_errors"], 0, "{r}");
}

/// The length on the wire of each frame in a pcap file (little-endian, as tcpdump writes it on
/// this machine), read from the records' headers.
fn frame_lengths(path: &Path) -> Vec<usize> {
    let b = std::fs::read(path).unwrap();
    assert_eq!(b[..4], [0xd4, 0xc3, 0xb2, 0xa1], "a little-endian pcap");
    let (mut pos, mut out) = (24, Vec::new());
    while pos + 16 <= b.len() {
        let word = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        let (incl, orig) = (word(pos + 8), word(pos + 12));
        out.push(orig);
        pos += 16 + incl;
    }
    out
}
