//! `statectl capture` live on lo against a private redis-server, and offline on the files it and
//! tcpdump write.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use statectl::resp;

use crate::support::{require, run, RedisServer};

/// Sends `cmds` in one write and reads exactly that many replies.
fn send(s: &mut TcpStream, cmds: &[Vec<&[u8]>]) {
    let mut out = Vec::new();
    for c in cmds {
        resp::encode(&mut out, c);
    }
    s.write_all(&out).unwrap();
    let mut buf = Vec::new();
    let (mut pos, mut got) = (0, 0);
    while got < cmds.len() {
        match resp::frame(&buf, pos).unwrap() {
            Some((end, _)) => {
                pos = end;
                got += 1;
            }
            None => {
                let mut chunk = [0u8; 65536];
                let n = s.read(&mut chunk).unwrap();
                assert!(n > 0, "server closed");
                buf.extend_from_slice(&chunk[..n]);
            }
        }
    }
}

/// 1000 SET, 500 GET, 100 pipelined MGET, 3 WRONGTYPE errors, on one connection.
fn known_mix(port: u16) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    for i in 0..1000 {
        let k = format!("session:{i}");
        send(
            &mut s,
            &[vec![b"SET", k.as_bytes(), b"token-value-not-to-be-shown"]],
        );
    }
    for i in 0..500 {
        let k = format!("session:{i}");
        send(&mut s, &[vec![b"GET", k.as_bytes()]]);
    }
    let mget: Vec<Vec<&[u8]>> = (0..100)
        .map(|_| vec![&b"MGET"[..], b"session:1", b"session:2"])
        .collect();
    send(&mut s, &mget);
    for _ in 0..3 {
        send(&mut s, &[vec![b"LPUSH", b"session:7", b"x"]]);
    }
}

fn can_capture() -> bool {
    let root = crate::support::is_root();
    require(
        root && Command::new("tcpdump").arg("--version").output().is_ok(),
        "root and tcpdump (live capture on lo)",
    )
}

/// Starts a capture process and waits until it says it is capturing.
pub(crate) fn start(program: &str, args: &[&str], ready: &str) -> std::process::Child {
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "{program} exited before it was ready"
        );
        if line.contains(ready) {
            break;
        }
    }
    // keep draining stderr so the child never blocks on it
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut err, &mut std::io::sink());
    });
    child
}

/// SIGINT, then the child's stdout; it must exit with `code` (statectl: 130, tcpdump: 0).
fn interrupt(child: &mut std::process::Child, code: i32) -> String {
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(code),
        "clean stop on SIGINT: {status:?}"
    );
    out
}

fn count(report: &serde_json::Value, cmd: &str) -> u64 {
    report["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == cmd)
        .map_or(0, |c| c["count"].as_u64().unwrap())
}

fn tcpdump_count(path: &Path) -> usize {
    let out = Command::new("tcpdump")
        .args(["-r"])
        .arg(path)
        .arg("-nn")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn live_capture_decodes_a_known_mix_exactly_and_tcpdump_agrees() {
    if !can_capture() {
        return;
    }
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.pcap");
    let theirs = dir.path().join("tcpdump.pcap");
    let port = srv.port.to_string();
    let mut cap = start(
        env!("CARGO_BIN_EXE_statectl"),
        &[
            "capture",
            "-i",
            "lo",
            "-p",
            &port,
            "-w",
            ours.to_str().unwrap(),
            "--show-keys",
            "--format",
            "json",
        ],
        "capturing on",
    );
    let mut td = start(
        "tcpdump",
        &[
            "-i",
            "lo",
            "-B",
            "65536",
            "-w",
            theirs.to_str().unwrap(),
            "tcp",
            "port",
            &port,
        ],
        "listening on",
    );
    known_mix(srv.port);
    // tcpdump hands a ring block over when it retires (its 1 s timeout): wait that out
    std::thread::sleep(Duration::from_millis(1500));
    let report: serde_json::Value = serde_json::from_str(&interrupt(&mut cap, 130)).unwrap();
    let _ = interrupt(&mut td, 0);

    assert_eq!(count(&report, "SET"), 1000, "{report}");
    assert_eq!(count(&report, "GET"), 500);
    assert_eq!(count(&report, "MGET"), 100);
    assert_eq!(count(&report, "LPUSH"), 3);
    assert_eq!(report["errors"]["WRONGTYPE"], 3);
    assert_eq!(report["kernel_drops"], 0);
    assert_eq!(
        report["retransmitted_segments"], 0,
        "loopback duplicates are not retransmissions"
    );
    assert!(
        !report.to_string().contains("token-value-not-to-be-shown"),
        "values never shown"
    );
    assert_eq!(report["top_keys"][0]["key"], "session:1");
    assert_eq!(report["slowest"].as_array().unwrap().len(), 10);

    // the pcap we wrote: 0600, read by tcpdump with the same packet count
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&ours).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        tcpdump_count(&ours) as u64,
        report["packets"].as_u64().unwrap()
    );

    // offline analysis of both files gives the same counts
    for file in [&ours, &theirs] {
        let r = run(
            &[
                "capture",
                "-r",
                file.to_str().unwrap(),
                "-p",
                &port,
                "--format",
                "json",
            ],
            &[],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let off: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        for cmd in ["SET", "GET", "MGET", "LPUSH"] {
            assert_eq!(
                count(&off, cmd),
                count(&report, cmd),
                "{} {cmd}: {off}",
                file.display()
            );
        }
        assert_eq!(off["errors"]["WRONGTYPE"], 3);
    }

    // key names are keyed hashes by default: random per run, stable under one --redact-salt
    let top = |extra: &[&str]| {
        let mut args = vec![
            "capture",
            "-r",
            ours.to_str().unwrap(),
            "-p",
            &port,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let r = run(&args, &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(!r.stdout.contains("session:"), "{}", r.stdout);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        v["top_keys"][0]["key"].as_str().unwrap().to_string()
    };
    let (a, b) = (top(&[]), top(&[]));
    assert!(
        a.starts_with("h:") && a != b,
        "a random key per run: {a} {b}"
    );
    let salted = top(&["--redact-salt", "ops-2026"]);
    assert_eq!(
        salted,
        top(&["--redact-salt", "ops-2026"]),
        "comparable runs"
    );
    assert_ne!(salted, top(&["--redact-salt", "other"]));
    assert_eq!(
        top(&["--redact-keys"]).len(),
        a.len(),
        "the old flag still hashes"
    );

    // a file cut short: a clear message, a partial report, no panic
    let bytes = std::fs::read(&ours).unwrap();
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() / 2 + 7]).unwrap();
    let r = run(
        &[
            "capture",
            "-r",
            cut.to_str().unwrap(),
            "-p",
            &port,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("cut short") && r.stderr.lines().count() == 1,
        "{}",
        r.stderr
    );
    let partial: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        partial["requests"].as_u64().unwrap() > 0 && partial["requests"].as_u64().unwrap() < 1603
    );
    assert!(partial["stopped_early"]
        .as_str()
        .unwrap()
        .contains("cut short"));

    // missing segments: drop every 40th packet of the stream
    let gapped = dir.path().join("gapped.pcap");
    {
        let mut r = pcap_file::pcap::PcapReader::new(std::fs::File::open(&ours).unwrap()).unwrap();
        let mut w = pcap_file::pcap::PcapWriter::with_header(
            std::fs::File::create(&gapped).unwrap(),
            r.header(),
        )
        .unwrap();
        let mut i = 0;
        while let Some(p) = r.next_packet() {
            let p = p.unwrap();
            i += 1;
            if i % 40 != 0 {
                w.write_packet(&p).unwrap();
            }
        }
    }
    let r = run(
        &[
            "capture",
            "-r",
            gapped.to_str().unwrap(),
            "-p",
            &port,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let g: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        g["gaps"].as_u64().unwrap()
            + g["unmatched_replies"].as_u64().unwrap()
            + g["protocol_errors"].as_u64().unwrap()
            > 0,
        "{g}"
    );
    assert!(
        g["requests"].as_u64().unwrap() > 1000,
        "most of the stream still decodes: {g}"
    );
}

#[test]
fn bad_files_and_interfaces_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pcap");
    std::fs::write(&junk, b"this is not a capture at all").unwrap();
    // issue 12, defect 31: a file shorter than its header said "Error reading bytes"
    let short = dir.path().join("short.pcap");
    std::fs::write(&short, b"\xd4\xc3\xb2\xa1\x02\x00").unwrap();
    let short_ng = dir.path().join("short.pcapng");
    std::fs::write(&short_ng, b"\x0a\x0d\x0d\x0a\x1c\x00").unwrap();
    for (args, needle) in [
        (
            vec!["capture", "-r", junk.to_str().unwrap()],
            "not a pcap or pcapng file",
        ),
        (
            vec!["capture", "-r", short.to_str().unwrap()],
            "short.pcap: not a complete capture",
        ),
        (
            vec!["capture", "-r", short_ng.to_str().unwrap()],
            "short.pcapng: not a complete capture",
        ),
        (
            vec!["capture", "-r", "/nonexistent.pcap"],
            "/nonexistent.pcap",
        ),
        (vec!["capture", "-i", "nosuch0", "-c", "1"], "nosuch0"),
    ] {
        let r = run(&args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(r.stderr.contains(needle), "{}", r.stderr);
        assert!(r.stdout.is_empty());
    }
}

/// One Ethernet + IPv4 + TCP frame (checksums zero: the analyser does not check them).
fn tcp_frame(
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut f = Vec::with_capacity(54 + payload.len());
    f.extend_from_slice(&[0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00]);
    let total = (20 + 20 + payload.len()) as u16;
    f.extend_from_slice(&[
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
    ]);
    f.extend_from_slice(&src.0);
    f.extend_from_slice(&dst.0);
    f.extend_from_slice(&src.1.to_be_bytes());
    f.extend_from_slice(&dst.1.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&ack.to_be_bytes());
    f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

// issue 12, defect 12: one histogram per distinct command name (the u16 id wrapped at 65,536)
// and flows never freed: 200k short connections and 100k random "command names" must stay
// under 200 MB and say which caps they hit
#[test]
fn capture_memory_is_bounded_for_many_flows_and_names() {
    use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.pcap");
    {
        let f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut w = PcapWriter::with_header(f, PcapHeader::default()).unwrap();
        let server = ([10, 0, 0, 1], 6379u16);
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        let mut t = 0u64;
        for i in 0..200_000u32 {
            let client = (
                [10, 1 + (i >> 16) as u8, (i >> 8) as u8, i as u8],
                40000 + (i % 20000) as u16,
            );
            let name = if i % 2 == 0 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                format!("X{rng:016x}")
            } else {
                "GET".to_string()
            };
            let req = format!("*2\r\n${}\r\n{name}\r\n$3\r\nkey\r\n", name.len());
            let reply = b"$-1\r\n";
            // real acknowledgement numbers: a reply acknowledges its request
            let (q, r) = (req.len() as u32, reply.len() as u32);
            for (src, dst, seq, ack, flags, payload) in [
                (client, server, 1u32, 1u32, 0x18u8, req.as_bytes()),
                (server, client, 1, 1 + q, 0x18, &reply[..]),
                (client, server, 1 + q, 1 + r, 0x11, &b""[..]),
                (server, client, 1 + r, 2 + q, 0x11, &b""[..]),
            ] {
                t += 10_000;
                let frame = tcp_frame(src, dst, seq, ack, flags, payload);
                let p = PcapPacket::new(Duration::from_nanos(t * 1000), frame.len() as u32, &frame);
                w.write_packet(&p).unwrap();
            }
        }
    }
    // a 1 GiB address-space limit: a regression fails here instead of eating the machine
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 1048576; exec {} capture -r {} --format json",
            env!("CARGO_BIN_EXE_statectl"),
            path.display()
        ))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(s) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let stdout = reader.join().unwrap();
    eprintln!("200k flows, 100k names: peak RSS {} MB", peak_kb / 1024);
    assert!(peak_kb < 200 * 1024, "peak RSS {} MB", peak_kb / 1024);
    let v: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(v["connections"], 200_000);
    assert_eq!(v["flows_freed"], 200_000);
    assert_eq!(v["requests"], 200_000);
    assert!(
        v["commands"].as_array().unwrap().len() <= 1024,
        "one row per name, capped"
    );
    let caps = v["caps"].as_array().unwrap();
    assert!(
        caps.iter()
            .any(|c| c.as_str().unwrap().contains("command names")),
        "{caps:?}"
    );
}
