//! Issue 30 item 3, Redis: `redis.rpo`, replication lag against a recovery point objective, on
//! real servers. A master with a replica and a writer at a steady rate; the replica frozen
//! (SIGSTOP, always continued by a guard) until its ACK lag shows it, then continued; a
//! Sentinel deployment and a Cluster, their replicas found and judged on their masters.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::support::topology::{until, Cluster, SentinelSet};
use crate::support::{doctor_json, evidence, run, signal_all, RedisServer, Run};

/// Part of the planted password; nothing statectl prints contains it.
const MARK: &str = "PLANTxRpo";

/// A process stopped with SIGSTOP, continued when dropped (a failing assertion included).
struct Frozen(u32);

impl Frozen {
    fn stop(pid: u32) -> Frozen {
        signal_all(&[pid], "STOP");
        Frozen(pid)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        signal_all(&[self.0], "CONT");
    }
}

/// SETs of 200-byte values every 5 ms to a master, until dropped: a steady write rate.
struct Writer {
    stop: Arc<AtomicBool>,
    writes: Arc<AtomicU64>,
    handle: Option<JoinHandle<()>>,
}

impl Writer {
    fn start(port: u16, password: Option<&str>) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let writes = Arc::new(AtomicU64::new(0));
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut line = String::new();
        if let Some(pw) = password {
            s.write_all(resp(&["AUTH", pw]).as_bytes()).unwrap();
            r.read_line(&mut line).unwrap();
            assert_eq!(line.trim(), "+OK", "AUTH");
        }
        let (st, n) = (stop.clone(), writes.clone());
        let handle = std::thread::spawn(move || {
            let value = "v".repeat(200);
            let mut i = 0u64;
            while !st.load(Ordering::Relaxed) {
                let key = format!("rpo:{}", i % 1000);
                s.write_all(resp(&["SET", &key, &value]).as_bytes())
                    .unwrap();
                line.clear();
                r.read_line(&mut line).unwrap();
                i += 1;
                n.store(i, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        let w = Writer {
            stop,
            writes,
            handle: Some(handle),
        };
        until("the writer's first writes", Duration::from_secs(10), || {
            w.writes.load(Ordering::Relaxed) > 10
        });
        w
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn resp(args: &[&str]) -> String {
    let mut out = format!("*{}\r\n", args.len());
    for a in args {
        out += &format!("${}\r\n{a}\r\n", a.len());
    }
    out
}

/// The `slaveN` line of a master's INFO replication for the replica on `port`.
fn replica_line(master: &RedisServer, auth: Option<&str>, port: u16) -> Option<String> {
    master
        .cli(auth, &["INFO", "replication"])
        .lines()
        .find(|l| l.starts_with("slave") && l.contains(&format!(",port={port},")))
        .map(|l| l.trim().to_string())
}

/// A field (`lag`, `state`) of a `slaveN` line.
fn link_field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split_once(':')?
        .1
        .split(',')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
}

/// The seconds at risk in a `replica ADDR` evidence value (`…, 3.2 s at risk, …`).
fn seconds_at_risk(figures: &str) -> f64 {
    figures
        .split(", ")
        .find_map(|p| p.strip_suffix(" s at risk"))
        .map(|p| p.trim_start_matches("at least "))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no seconds at risk in {figures:?}"))
}

/// Every `redis.rpo` finding.
fn rpo_findings(r: &Run) -> Vec<serde_json::Value> {
    r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "redis.rpo")
        .cloned()
        .collect()
}

fn doctor(url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--redis", url, "--sample", "1s", "--timeout", "2s"];
    args.extend_from_slice(extra);
    doctor_json("redis.rpo", &args, &[])
}

#[test]
fn rpo_fails_a_frozen_replica_then_passes_once_it_is_continued() {
    let pw = format!("{MARK}-master-pw");
    let Some(master) = RedisServer::start(&[&format!("requirepass {pw}")]) else {
        return;
    };
    let replica = RedisServer::start(&[
        &format!("replicaof 127.0.0.1 {}", master.port),
        &format!("masterauth {pw}"),
    ])
    .unwrap();
    until("the replica online", Duration::from_secs(20), || {
        replica_line(&master, Some(&pw), replica.port)
            .is_some_and(|l| link_field(&l, "state") == Some("online"))
    });
    let _writer = Writer::start(master.port, Some(&pw));
    let url = format!("redis://:{pw}@127.0.0.1:{}", master.port);
    let named = format!("replica 127.0.0.1:{}", replica.port);

    // no objective declared: skip, with the figures measured
    let r = doctor(&url, &[]);
    let f = r.finding("redis.rpo");
    assert_eq!(f["status"], "skip", "{f}\n{}", r.stderr);
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .starts_with("no RPO declared: --rpo or [replication] rpo"),
        "{f}"
    );
    let healthy = seconds_at_risk(evidence(&f, &named).unwrap());
    assert!(evidence(&f, "write_rate").unwrap().ends_with("/s"), "{f}");
    assert!(
        evidence(&f, "resolution")
            .unwrap()
            .contains("once a second"),
        "{f}"
    );
    eprintln!("healthy, no --rpo: {} ({f})", healthy);

    // frozen until the master's view of its acknowledgements is 3 s old
    let frozen = Frozen::stop(replica.pid());
    let froze = Instant::now();
    until(
        "the replica's ACK lag at 3 s",
        Duration::from_secs(20),
        || {
            replica_line(&master, Some(&pw), replica.port)
                .and_then(|l| link_field(&l, "lag")?.parse::<u64>().ok())
                .is_some_and(|lag| lag >= 3)
        },
    );
    let r = doctor(&url, &["--rpo", "1s"]);
    let f = r.finding("redis.rpo");
    let frozen_for = froze.elapsed().as_secs_f64();
    assert_eq!(f["status"], "fail", "{f}\n{}", r.stderr);
    assert_eq!(r.code, 3, "a failing finding's exit code: {}", r.stderr);
    let summary = f["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!("127.0.0.1:{}", replica.port)) && summary.contains("RPO 1 s"),
        "{summary}"
    );
    let at_risk = seconds_at_risk(evidence(&f, &named).unwrap());
    // at least the 3 s of lag polled for, less a second of ACK resolution; loose above
    assert!(
        at_risk >= 2.0 && at_risk <= frozen_for + 5.0,
        "{at_risk} s at risk after {frozen_for:.1} s frozen: {f}"
    );
    assert!(f["remediation"]
        .as_str()
        .unwrap()
        .contains("min-replicas-max-lag"));
    eprintln!("frozen {frozen_for:.1} s: {at_risk} s at risk ({summary})");

    // the planted password in no format, with the failing finding in each
    for format in ["table", "json", "junit", "prometheus"] {
        let r = run(
            &[
                "doctor", "-v", "--format", format, "--only", "redis.*", "--redis", &url,
                "--sample", "500ms", "--rpo", "1s",
            ],
            &[],
        );
        assert!(!r.stdout.is_empty(), "{format}: {}", r.stderr);
        assert!(r.stdout.contains("redis.rpo"), "{format}: {}", r.stdout);
        for text in [&r.stdout, &r.stderr] {
            assert!(
                !text.contains(MARK),
                "{format}: the password printed:\n{text}"
            );
        }
    }

    // continued: it catches up and passes, within the RPO of 1 s (the ACK resolution: polled)
    drop(frozen);
    let mut last = serde_json::Value::Null;
    until("redis.rpo passing again", Duration::from_secs(30), || {
        last = doctor(&url, &["--rpo", "1s"]).finding("redis.rpo");
        last["status"] == "pass"
    });
    let after = seconds_at_risk(evidence(&last, &named).unwrap());
    assert!(after <= 1.0, "{last}");
    eprintln!("continued: {after} s at risk ({})", last["summary"]);
}

#[test]
fn bad_rpo_values_are_one_line_usage_errors() {
    for bad in ["0", "0s", "abc"] {
        let r = run(&["doctor", "--rpo", bad, "--only", "redis.rpo"], &[]);
        assert_eq!(r.code, 2, "--rpo {bad}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        let first = r.stderr.lines().next().unwrap_or_default();
        assert!(
            first.contains("--rpo") && first.contains(bad),
            "--rpo {bad}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    let dir = tempfile::tempdir().unwrap();
    for (bad, named) in [("0", "replication.rpo"), ("\"abc\"", "abc")] {
        let cfg = dir.path().join("statectl.toml");
        std::fs::write(&cfg, format!("[replication]\nrpo = {bad}\n")).unwrap();
        let r = run(
            &[
                "doctor",
                "--config",
                cfg.to_str().unwrap(),
                "--only",
                "redis.rpo",
            ],
            &[],
        );
        assert_eq!(r.code, 2, "rpo = {bad}: {}", r.stderr);
        let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{}", r.stderr);
        assert!(lines[0].contains(named), "{}", r.stderr);
    }
}

#[test]
fn sentinel_replicas_are_judged_on_their_master_and_a_frozen_one_fails() {
    let Some(set) = SentinelSet::start([5000, 5000, 5000]) else {
        return;
    };
    let url = set.url();
    let _writer = Writer::start(set.master.port, None);
    let master_label = format!("redis://127.0.0.1:{} ({url}: master)", set.master.port);
    let of_master = |r: &Run| {
        let all = rpo_findings(r);
        // the master judged, each replica skipped naming it
        assert_eq!(all.len(), 3, "{}", r.stdout);
        for f in all.iter().filter(|f| f["target"] != master_label.as_str()) {
            assert_eq!(f["status"], "skip", "{f}");
        }
        all.into_iter()
            .find(|f| f["target"] == master_label.as_str())
            .unwrap_or_else(|| panic!("no finding on {master_label}: {}", r.stdout))
    };
    let mut last = serde_json::Value::Null;
    until(
        "the Sentinel master passing",
        Duration::from_secs(30),
        || {
            last = of_master(&doctor(&url, &["--rpo", "2s"]));
            last["status"] == "pass"
        },
    );
    for r in &set.replicas {
        let fig = evidence(&last, &format!("replica 127.0.0.1:{}", r.port))
            .unwrap_or_else(|| panic!("replica {} not judged: {last}", r.port));
        assert!(seconds_at_risk(fig) <= 2.0, "{last}");
    }
    let r = doctor(&url, &["--rpo", "2s"]);
    let on_replica = rpo_findings(&r)
        .into_iter()
        .find(|f| {
            f["target"]
                .as_str()
                .unwrap()
                .contains(&format!(":{} ", set.replicas[1].port))
        })
        .unwrap();
    assert!(
        on_replica["summary"].as_str().unwrap().contains(&format!(
            "judged on its master 127.0.0.1:{}",
            set.master.port
        )),
        "{on_replica}"
    );

    let frozen_port = set.replicas[0].port;
    let frozen = Frozen::stop(set.replicas[0].pid());
    until(
        "the replica's ACK lag at 3 s",
        Duration::from_secs(20),
        || {
            replica_line(&set.master, None, frozen_port)
                .and_then(|l| link_field(&l, "lag")?.parse::<u64>().ok())
                .is_some_and(|lag| lag >= 3)
        },
    );
    let f = of_master(&doctor(&url, &["--rpo", "2s"]));
    assert_eq!(f["status"], "fail", "{f}");
    let summary = f["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!("127.0.0.1:{frozen_port}"))
            && !summary.contains(&format!("127.0.0.1:{}", set.replicas[1].port)),
        "only the frozen replica is over: {summary}"
    );
    let at_risk =
        seconds_at_risk(evidence(&f, &format!("replica 127.0.0.1:{frozen_port}")).unwrap());
    assert!(at_risk > 2.0, "{f}");
    eprintln!("sentinel, frozen replica: {summary}");
    drop(frozen);
    until(
        "the Sentinel master passing again",
        Duration::from_secs(30),
        || {
            last = of_master(&doctor(&url, &["--rpo", "2s"]));
            last["status"] == "pass"
        },
    );
    eprintln!("sentinel, continued: {}", last["summary"]);
}

#[test]
fn every_cluster_master_names_its_replica_and_replicas_are_judged_on_their_master() {
    let Some(c) = Cluster::start() else {
        return;
    };
    // a replica just made is in a full resync (wait_bgsave through repl-diskless-sync-delay):
    // its master fails until it is online
    let mut r = doctor(&c.seed(), &["--rpo", "5s"]);
    let mut first = true;
    let (mut masters, mut replicas) = (Vec::new(), Vec::new());
    until(
        "every Cluster master passing",
        Duration::from_secs(60),
        || {
            if !first {
                r = doctor(&c.seed(), &["--rpo", "5s"]);
            }
            first = false;
            let all = rpo_findings(&r);
            assert_eq!(all.len(), 6, "{}", r.stdout);
            (masters, replicas) = all
                .into_iter()
                .partition(|f| f["target"].as_str().unwrap().contains(": master)"));
            assert_eq!(masters.len(), 3, "{}", r.stdout);
            for f in masters.iter().filter(|f| f["status"] != "pass") {
                assert_eq!(f["status"], "fail", "{f}");
                assert!(f["summary"].as_str().unwrap().contains("not online"), "{f}");
                eprintln!("cluster, syncing: {}", f["summary"]);
            }
            masters.iter().all(|f| f["status"] == "pass")
        },
    );
    // each replica node: skipped on its own, judged in exactly one master's finding
    for f in &replicas {
        assert_eq!(f["status"], "skip", "{f}");
        assert!(
            f["summary"]
                .as_str()
                .unwrap()
                .contains("judged on its master"),
            "{f}"
        );
        let port = f["target"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next()
            .and_then(|u| u.rsplit(':').next())
            .unwrap()
            .to_string();
        let judged: Vec<_> = masters
            .iter()
            .filter(|m| {
                m["evidence"].as_array().unwrap().iter().any(|e| {
                    e["key"].as_str().unwrap().ends_with(&format!(":{port}"))
                        && e["key"].as_str().unwrap().starts_with("replica ")
                })
            })
            .collect();
        assert_eq!(
            judged.len(),
            1,
            "replica :{port} judged by one master: {}",
            r.stdout
        );
    }
    eprintln!(
        "cluster: {}",
        masters
            .iter()
            .map(|m| m["summary"].as_str().unwrap())
            .collect::<Vec<_>>()
            .join(" | ")
    );
}
