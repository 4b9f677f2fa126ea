//! Pairing, reassembly and the report, on segments built by hand.

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

/// A SYN (with `ack`: the server's SYN-ACK).
fn syn<'a>(to_server: bool, seq: u32, ack: Option<u32>) -> Segment<'a> {
    Segment {
        syn: true,
        ack,
        ..seg(to_server, seq, b"")
    }
}

/// A FIN without data.
fn fin<'a>(to_server: bool, seq: u32) -> Segment<'a> {
    Segment {
        fin: true,
        ..seg(to_server, seq, b"")
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

// issue 28, item 24: auto mode dropped conversations whose client speaks inline when the client
// closed its side before the server answered (`printf 'PING\r\nSET a b\r\n' | nc -N`), when an
// inline line was longer than a segment, or when more than 8 segments came before the answer
#[test]
fn auto_takes_inline_clients_that_close_first_split_lines_or_pipeline() {
    let run = |segs: Vec<Segment<'_>>| {
        let mut a = Analysis::new(None, KeyNames::Plain);
        for (i, s) in segs.into_iter().enumerate() {
            a.segment(ms(i as u64), 1, Some(s));
        }
        a.report("t".into(), None, None)
    };
    let rows = |r: &CaptureReport| -> Vec<(String, u64)> {
        r.commands
            .iter()
            .map(|c| (c.command.clone(), c.count))
            .collect()
    };
    // the client writes its commands and shuts its side before the server has answered
    let r = run(vec![
        syn(true, 0, None),
        syn(false, 0, Some(1)),
        seg(true, 1, b"PING\r\nSET a b\r\n"),
        fin(true, 16),
        seg(false, 1, b"+PONG\r\n+OK\r\n"),
        fin(false, 13),
        seg(true, 17, b""),
    ]);
    assert_eq!(
        rows(&r),
        [("PING".to_string(), 1), ("SET".to_string(), 1)],
        "{r:?}"
    );
    assert_eq!((r.connections, r.flows_freed), (1, 1), "{r:?}");
    assert_eq!(r.unanswered_requests, 0, "{r:?}");
    // an inline SET whose value is longer than a segment
    let line = format!("SET k {}\r\nGET k\r\n", "v".repeat(3000));
    let (a, b) = line.as_bytes().split_at(1400);
    let (b, c) = b.split_at(1400);
    let r = run(vec![
        seg(true, 1, a),
        seg(true, 1401, b),
        seg(true, 2801, c),
        seg(false, 1, b"+OK\r\n$3000\r\n"),
    ]);
    assert_eq!(rows(&r), [("SET".to_string(), 1)], "{r:?}");
    // twenty inline commands in twenty segments before the first answer
    let pongs = "+PONG\r\n".repeat(20);
    let mut segs: Vec<Segment<'_>> = (0..20).map(|i| seg(true, 1 + i * 6, b"PING\r\n")).collect();
    segs.push(seg(false, 1, pongs.as_bytes()));
    let r = run(segs);
    assert_eq!(rows(&r), [("PING".to_string(), 20)], "{r:?}");
    // a server that speaks first is not Redis, whatever it answers later (POP3)
    let r = run(vec![
        syn(true, 0, None),
        syn(false, 0, Some(1)),
        seg(false, 1, b"+OK POP3 ready\r\n"),
        seg(true, 1, b"USER bob\r\n"),
        seg(false, 17, b"+OK\r\n"),
    ]);
    assert_eq!((r.requests, r.ports_seen[0].resp_flows), (0, 0), "{r:?}");
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

// issue 28, item 25: the last ACK of a close came after both FINs had freed the flow, and
// opened it again as a new connection (15 connections were reported as 30); a flow freed for
// being idle came back as a new connection too when it spoke again
#[test]
fn a_connection_is_counted_once_through_its_close_and_an_idle_spell() {
    let ping = b"*1\r\n$4\r\nPING\r\n";
    let other = |to_server, seq, payload| {
        let s = seg(to_server, seq, payload);
        let c: SocketAddr = "127.0.0.1:50001".parse().unwrap();
        if to_server {
            Segment { src: c, ..s }
        } else {
            Segment { dst: c, ..s }
        }
    };
    for port in [Some(6379), None] {
        let mut a = Analysis::new(port, KeyNames::Plain);
        a.segment(ms(0), 1, Some(syn(true, 0, None)));
        a.segment(ms(0), 1, Some(syn(false, 0, Some(1))));
        a.segment(ms(1), 1, Some(seg(true, 1, ping)));
        a.segment(ms(2), 1, Some(seg(false, 1, b"+PONG\r\n")));
        a.segment(ms(3), 1, Some(fin(true, 15)));
        a.segment(ms(4), 1, Some(fin(false, 8)));
        // the client's last ACK, then a late RST: the connection is over
        a.segment(ms(5), 1, Some(seg(true, 16, b"")));
        a.segment(ms(6), 1, Some(fin(true, 16)));
        // the same ports again: a new connection, opened by its SYN
        a.segment(ms(7), 1, Some(syn(true, 100, None)));
        a.segment(ms(8), 1, Some(seg(true, 101, ping)));
        a.segment(ms(9), 1, Some(seg(false, 1000, b"+PONG\r\n")));
        // a second client keeps the server busy for more than the idle limit
        for i in 0..SWEEP_EVERY as u32 {
            a.segment(ms(61_000), 1, Some(other(true, i * 14, ping)));
        }
        // the first client speaks again after its flow was freed as idle: the same connection
        a.segment(ms(62_000), 1, Some(seg(true, 115, ping)));
        a.segment(ms(62_001), 1, Some(seg(false, 1007, b"+PONG\r\n")));
        // a SYN of another sequence on those ports, its close never captured: a new connection;
        // the SYN sent again is the same one
        a.segment(ms(63_000), 1, Some(syn(true, 9000, None)));
        a.segment(ms(63_001), 1, Some(syn(true, 9000, None)));
        a.segment(ms(63_002), 1, Some(seg(true, 9001, ping)));
        a.segment(ms(63_003), 1, Some(seg(false, 7000, b"+PONG\r\n")));
        let r = a.report("t".into(), None, None);
        assert_eq!(
            (r.connections, r.flows_freed),
            (4, 3),
            "{port:?}: three connections on one pair of ports, one on another"
        );
        assert_eq!(r.requests, 4, "{port:?}: the PINGs answered");
        if port.is_none() {
            assert_eq!(r.ports_seen[0].flows, 4, "{:?}", r.ports_seen);
            assert_eq!(r.ports_seen[0].resp_flows, 4, "{:?}", r.ports_seen);
        }
    }
}

// issue 28, item 26: top keys counted only the first key of multi-key commands (an MSET of
// 10 keys counted 1)
#[test]
fn multi_key_commands_count_every_key_and_read_no_value() {
    let keys: Vec<String> = (0..10).map(|i| format!("user:{i}")).collect();
    let values: Vec<String> = (0..10).map(|i| format!("secret-value-{i}")).collect();
    let k = |i: usize| keys[i].as_bytes();
    let mut mset: Vec<&[u8]> = vec![b"MSET"];
    for (key, value) in keys.iter().zip(&values) {
        mset.extend([key.as_bytes(), value.as_bytes()]);
    }
    let mut req = Vec::new();
    for c in [
        mset,
        vec![b"MGET", k(0), k(1), k(2)],
        vec![b"DEL", k(3), k(4)],
        vec![b"UNLINK", k(5)],
        vec![b"EXISTS", k(6), k(7)],
        vec![b"TOUCH", k(8)],
        vec![b"WATCH", k(9), k(0)],
        vec![b"MSETNX", k(1), b"secret-value-a", k(2), b"secret-value-b"],
        // arguments of commands without keys are never read
        vec![b"AUTH", b"user:0", b"hunter2"],
        vec![b"EVAL", b"return 'user:1'", b"1", k(1)],
        vec![b"CONFIG", b"SET", b"requirepass", b"user:2"],
    ] {
        resp::encode(&mut req, &c);
    }
    // and inline, as nc sends it
    req.extend_from_slice(b"mset user:3 secret-value-c user:4 secret-value-d\r\n");
    let mut a = Analysis::new(6379, KeyNames::Plain);
    a.segment(ms(0), 1, Some(seg(true, 1, &req)));
    let r = a.report("t".into(), None, None);
    let got: std::collections::BTreeMap<&str, u64> =
        r.top_keys.iter().map(|c| (&*c.key, c.count)).collect();
    let want: std::collections::BTreeMap<&str, u64> = [
        ("user:0", 3),
        ("user:1", 3),
        ("user:2", 3),
        ("user:3", 3),
        ("user:4", 3),
        ("user:5", 2),
        ("user:6", 2),
        ("user:7", 2),
        ("user:8", 2),
        ("user:9", 2),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want, "{r:?}");
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        !json.contains("secret-value") && !json.contains("hunter2"),
        "{json}"
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
