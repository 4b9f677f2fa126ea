//! `bench` and `latency` against real servers.

use std::time::{Duration, Instant};

use statectl::bench::stats::BenchReport;

use crate::support::{run, PgCluster, RedisServer, PG_PASSWORD};

fn report(r: &crate::support::Run) -> BenchReport {
    // Deserialising into the report type is the schema check: every field, every type.
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr))
}

#[test]
fn redis_counts_are_exact_keys_are_cleaned_and_json_has_its_schema() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    for (workload, pipeline) in [
        ("get", "1"),
        ("session", "1"),
        ("mixed", "16"),
        ("set", "16"),
    ] {
        let r = run(
            &[
                "bench",
                "redis",
                "--redis",
                &srv.url(),
                "-c",
                "7",
                "-n",
                "1003",
                "-P",
                pipeline,
                "--workload",
                workload,
                "--keyspace",
                "500",
                "--format",
                "json",
            ],
            &[],
        );
        // 4 = a target missed (a 1003-request run rarely reaches 50k rps); never 1 or 3
        assert!(
            r.code == 0 || r.code == 4,
            "{workload}: {}{}",
            r.stdout,
            r.stderr
        );
        let b = report(&r);
        assert_eq!(b.requests, 1003, "{workload}: every reply is one sample");
        assert_eq!(b.errors, 0);
        assert_eq!(b.buckets.iter().map(|x| x.count).sum::<u64>(), 1003);
        let l = &b.latency_ms;
        assert!(
            l.min <= l.p50
                && l.p50 <= l.p90
                && l.p90 <= l.p99
                && l.p99 <= l.p999
                && l.p999 <= l.max
        );
        assert!(!b.partial);
        assert_eq!(
            srv.cli(None, &["DBSIZE"]),
            "0",
            "{workload}: keys deleted at the end"
        );
    }
    let v: serde_json::Value = serde_json::from_str(
        &run(
            &[
                "bench",
                "redis",
                "--redis",
                &srv.url(),
                "-n",
                "100",
                "--format",
                "json",
            ],
            &[],
        )
        .stdout,
    )
    .unwrap();
    for k in [
        "rps",
        "latency_ms",
        "verdict",
        "client_cpu_percent",
        "client_saturated",
        "errors_by_kind",
        "buckets",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
}

#[test]
fn keep_keys_and_a_foreign_namespace_is_refused() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let r = run(
        &[
            "bench",
            "redis",
            "--redis",
            &srv.url(),
            "-n",
            "100",
            "--keyspace",
            "50",
            "--keep-keys",
        ],
        &[],
    );
    assert!(r.code == 0 || r.code == 4, "{}", r.stderr);
    assert_eq!(srv.cli(None, &["DBSIZE"]), "50");
    // those keys were not created by the next run: it refuses and touches nothing
    let r = run(&["bench", "redis", "--redis", &srv.url(), "-n", "100"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("statectl:bench:") && r.stderr.contains("did not create"),
        "{}",
        r.stderr
    );
    assert_eq!(srv.cli(None, &["DBSIZE"]), "50");
}

#[test]
fn a_rate_limited_run_holds_its_rate() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let r = run(
        &[
            "bench",
            "redis",
            "--redis",
            &srv.url(),
            "-c",
            "4",
            "--rate",
            "2000",
            "--duration",
            "2s",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        r.code, 4,
        "2000 rps is below the 50k threshold: {}",
        r.stderr
    );
    let b = report(&r);
    assert!(
        (3600..=4100).contains(&b.requests),
        "2000 rps for 2 s: {}",
        b.requests
    );
    assert!((b.rps - 2000.0).abs() < 200.0, "{}", b.rps);
    assert!(b.schedule_lag_ms.is_some());
}

#[test]
fn a_server_that_dies_mid_run_gives_a_partial_report() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let url = srv.url();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        drop(srv);
    });
    let start = Instant::now();
    let r = run(
        &[
            "bench",
            "redis",
            "--redis",
            &url,
            "-c",
            "10",
            "--keyspace",
            "1000",
            "--duration",
            "20s",
            "--timeout",
            "2s",
            "--format",
            "json",
        ],
        &[],
    );
    killer.join().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "ended cleanly, no hang: {:?}",
        start.elapsed()
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let b = report(&r);
    assert!(b.partial && b.errors > 0 && b.requests > 0, "{}", r.stdout);
    assert!(
        b.errors_by_kind.keys().any(|k| k.contains("connection")),
        "{:?}",
        b.errors_by_kind
    );
}

#[test]
fn postgres_bench_counts_and_drops_its_schema() {
    let Some(pg) = PgCluster::start(&[]) else {
        return;
    };
    let r = run(
        &[
            "bench",
            "postgres",
            "--postgres",
            &pg.url(),
            "-c",
            "4",
            "--depth",
            "3",
            "-n",
            "2000",
            "--keyspace",
            "1000",
            "--format",
            "json",
        ],
        &[("PGPASSWORD", PG_PASSWORD)],
    );
    assert!(r.code == 0 || r.code == 4, "{}{}", r.stdout, r.stderr);
    let b = report(&r);
    assert_eq!(b.requests, 2000);
    assert_eq!(b.errors, 0);
    assert_eq!(
        pg.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'statectl_bench'"),
        "0"
    );
    // issue 29 #1: the capacity search runs against PostgreSQL too (a generous objective and a
    // low --max-rate: every step meets it, and the search says it stopped at the maximum)
    let r = run(
        &[
            "bench",
            "postgres",
            "--postgres",
            &pg.url(),
            "-c",
            "4",
            "--keyspace",
            "1000",
            "--slo",
            "p99<2s",
            "--start-rate",
            "50",
            "--max-rate",
            "200",
            "--step-duration",
            "500ms",
            "--warmup",
            "0s",
            "--format",
            "json",
        ],
        &[("PGPASSWORD", PG_PASSWORD)],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["kind"], "postgres", "{v}");
    assert_eq!(v["slo"]["max_rate"], 200, "{v}");
    assert_eq!(v["slo"]["stopped"]["reason"], "max_rate", "{v}");
    let rates: Vec<u64> = v["slo"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rate"].as_u64().unwrap())
        .collect();
    assert_eq!(rates, [50, 100, 200], "{v}");
    for s in v["slo"]["steps"].as_array().unwrap() {
        // half a second at the rate: its requests, give or take the schedule's edges
        let want = s["rate"].as_f64().unwrap() / 2.0;
        let got = s["requests"].as_f64().unwrap();
        assert!((got - want).abs() <= want * 0.2 + 4.0, "{s}");
    }
    assert_eq!(
        pg.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'statectl_bench'"),
        "0"
    );
    pg.psql("CREATE SCHEMA statectl_bench");
    let r = run(
        &["bench", "postgres", "--postgres", &pg.url(), "-n", "10"],
        &[("PGPASSWORD", PG_PASSWORD)],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
}

#[test]
fn latency_windows_and_a_frozen_server() {
    let Some(mut srv) = RedisServer::start(&[]) else {
        return;
    };
    let r = run(
        &[
            "latency",
            "--redis",
            &srv.url(),
            "--duration",
            "1500ms",
            "--window",
            "500ms",
            "--format",
            "json",
        ],
        &[],
    );
    // 4 only says p99 was above 5 ms on a loaded machine; errors or spikes would be 3
    assert!(r.code == 0 || r.code == 4, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["windows"].as_array().unwrap().len() >= 3);
    assert!(v["count"].as_u64().unwrap() > 50, "{v}");
    assert_eq!(v["errors"], 0);
    let r = run(
        &[
            "latency",
            "--redis",
            &srv.url(),
            "--duration",
            "1s",
            "--window",
            "500ms",
        ],
        &[],
    );
    assert!(
        r.stdout.contains("p99 ms") && r.stdout.contains("summary:"),
        "{}",
        r.stdout
    );

    srv.freeze();
    let start = Instant::now();
    let r = run(
        &[
            "latency",
            "--redis",
            &srv.url(),
            "--duration",
            "3s",
            "--format",
            "json",
        ],
        &[],
    );
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(r.code, 3);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    // every probe waits out the 2 s default timeout: each is a spike at least that long
    assert!(v["spikes"].as_u64().unwrap() >= 1, "{v}");
    assert!(v["summary"]["min"].as_f64().unwrap() >= 2000.0, "{v}");
}

// issue 26, item 22: a server stopped longer than --timeout gave "0 spikes, max 0.5 ms, 1
// errors"; the stall is the biggest spike of the run, at least the timeout long
#[test]
fn latency_counts_a_stall_past_the_timeout_as_a_spike() {
    let Some(mut srv) = RedisServer::start(&[]) else {
        return;
    };
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_statectl"))
        .args(["latency", "--redis", &srv.url(), "--timeout", "500ms"])
        .args(["--duration", "5s", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    crate::support::topology::until("latency's first PINGs", Duration::from_secs(10), || {
        srv.calls("ping") > 3
    });
    srv.freeze();
    // the stall itself: past the timeout, then the server is back before the run ends
    std::thread::sleep(Duration::from_millis(1500));
    srv.thaw();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{:?}", out.status);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["spikes"].as_u64().unwrap() >= 1, "{v}");
    let max = v["summary"]["max"].as_f64().unwrap();
    assert!(max >= 500.0, "max {max} ms: {v}");
    let spiky: u64 = v["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["spikes"].as_u64().unwrap())
        .sum();
    assert_eq!(spiky, v["spikes"].as_u64().unwrap(), "{v}");
}

#[test]
fn bench_over_tls() {
    let Some((_srv, tls_port, _certs)) = RedisServer::start_tls(&[]) else {
        return;
    };
    let url = format!("rediss://127.0.0.1:{tls_port}/#insecure");
    let r = run(
        &[
            "bench", "redis", "--redis", &url, "-c", "4", "-n", "2000", "-P", "4", "--format",
            "json",
        ],
        &[],
    );
    assert!(r.code == 0 || r.code == 4, "{}{}", r.stdout, r.stderr);
    let b = report(&r);
    assert_eq!((b.requests, b.errors), (2000, 0));
    // issue 29 #1: the capacity search over TLS
    let r = run(
        &[
            "bench",
            "redis",
            "--redis",
            &url,
            "-c",
            "4",
            "--slo",
            "p99<2s",
            "--start-rate",
            "100",
            "--max-rate",
            "400",
            "--step-duration",
            "500ms",
            "--warmup",
            "0s",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["slo"]["max_rate"], 400, "{v}");
    assert!(
        v["slo"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["errors"] == 0),
        "{v}"
    );
    // without #insecure the self-signed certificate is refused
    let r = run(
        &[
            "bench",
            "redis",
            "--redis",
            &format!("rediss://127.0.0.1:{tls_port}"),
            "-n",
            "10",
        ],
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains(&tls_port.to_string()), "{}", r.stderr);
}

#[test]
fn latency_stops_on_ctrl_c_with_a_summary() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_statectl"))
        .args(["latency", "--redis", &srv.url(), "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{:?}", out.status);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["count"].as_u64().unwrap() > 10, "{v}");
}

// issue 19: under --rate, tokio's millisecond timer made each send up to ~1 ms late, and the
// coordinated-omission correction charged that lateness to the server (p50 1.1 ms at --rate
// 1000 against 0.1 ms closed loop)
#[test]
fn open_loop_pacing_charges_the_server_only_its_own_time() {
    let Some(mut srv) = RedisServer::start(&[]) else {
        return;
    };
    let url = srv.url();
    let bench = |extra: &[&str]| {
        let mut args = vec![
            "bench", "redis", "--redis", &url, "-c", "10", "--format", "json",
        ];
        args.extend_from_slice(extra);
        run(&args, &[])
    };
    let closed = report(&bench(&["--duration", "2s"]));
    let open = report(&bench(&["--duration", "2s", "--rate", "1000"]));
    let service = open
        .service_time_ms
        .as_ref()
        .expect("service time under --rate");
    let lag = open.schedule_lag_ms.as_ref().unwrap();
    eprintln!(
        "closed p50 {} ms; --rate 1000: response p50 {} ms, service p50 {} ms, lag p50 {} ms",
        closed.latency_ms.p50, open.latency_ms.p50, service.p50, lag.p50
    );
    // Loose on purpose: the suite shares two cores with other tests' servers, and the precise
    // figures (lag p50 1 µs in release) belong to benches/rate.sh. The defect was a whole
    // millisecond of lateness in every send, which these bounds still catch.
    assert!(
        service.p50 <= closed.latency_ms.p50 * 2.0 + 0.5,
        "service p50 {} ms against {} ms closed loop",
        service.p50,
        closed.latency_ms.p50
    );
    assert!(
        open.latency_ms.p50 < closed.latency_ms.p50 + 0.5,
        "response p50 {} ms at --rate 1000 against {} ms closed loop",
        open.latency_ms.p50,
        closed.latency_ms.p50
    );
    assert!(lag.p50 < 0.5, "schedule lag p50 {} ms", lag.p50);
    // a client that cannot keep its schedule is named as the bottleneck
    let behind = report(&bench(&["--duration", "1s", "--rate", "1000000"]));
    assert!(
        behind
            .client_behind
            .as_deref()
            .is_some_and(|w| w.contains("the client, not the server, is the bottleneck")),
        "{:?}",
        behind.schedule_lag_ms
    );
    // a server stalled for 500 ms still shows in the response time, not in the service time
    let pid = srv.pid();
    let port = srv.port;
    let info = move |field: &str| {
        let info = std::process::Command::new("redis-cli")
            .args(["-p", &port.to_string(), "INFO", "everything"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&info.stdout)
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let stall = std::thread::spawn(move || {
        // once the measured phase is under way: its 10 connections open (beside redis-cli's),
        // then half a second of its requests done
        let limit = std::time::Duration::from_secs(10);
        crate::support::topology::until("the bench connects", limit, || {
            info("connected_clients") > 10
        });
        let at = info("total_commands_processed");
        crate::support::topology::until("the bench sends", limit, || {
            info("total_commands_processed") > at + 500
        });
        crate::support::signal_all(&[pid], "STOP");
        std::thread::sleep(std::time::Duration::from_millis(500)); // the fault's length
        crate::support::signal_all(&[pid], "CONT");
    });
    let stalled = report(&bench(&["--duration", "3s", "--rate", "1000"]));
    stall.join().unwrap();
    srv.thaw();
    let l = &stalled.latency_ms;
    assert!(
        (450.0..1500.0).contains(&l.max),
        "response max {} ms",
        l.max
    );
    assert!(l.p90 > 10.0, "response p90 {} ms", l.p90);
    let s = stalled.service_time_ms.as_ref().unwrap();
    assert!(
        s.p90 < l.p90,
        "service p90 {} ms, response p90 {} ms",
        s.p90,
        l.p90
    );
}

// issue 26 #38: a cluster that went down before the cleanup printed every failed UNLINK of the
// pipeline, `(Index N, error: ClusterDown …)`, hundreds of KB; one line per kind, counted
#[test]
fn a_cleanup_that_fails_says_so_in_one_line_per_error_kind() {
    let Some(node) =
        RedisServer::start_cluster_node(&["cluster-enabled yes", "cluster-config-file nodes.conf"])
    else {
        return;
    };
    node.cli(None, &["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
    crate::support::topology::until("a one-node cluster", Duration::from_secs(10), || {
        node.cli(None, &["CLUSTER", "INFO"])
            .contains("cluster_state:ok")
    });
    let url = node.url();
    let bench = std::thread::spawn(move || {
        run(
            &[
                "bench",
                "redis",
                "--redis",
                &url,
                "--cluster",
                "-c",
                "2",
                "--workload",
                "set",
                "--keyspace",
                "20000",
                "--duration",
                "4s",
                "--format",
                "json",
            ],
            &[],
        )
    });
    // once the run has written keys, the node gives up a slot: the cluster is down, every
    // command with a key (the cleanup's UNLINKs too) gets CLUSTERDOWN
    crate::support::topology::until("bench keys written", Duration::from_secs(20), || {
        node.cli(None, &["DBSIZE"]).parse::<u64>().unwrap_or(0) > 2000
    });
    node.cli(None, &["CLUSTER", "DELSLOTS", "16383"]);
    let r = bench.join().unwrap();
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("could not delete"))
        .unwrap_or_else(|| panic!("no cleanup error: {}", r.stderr));
    assert!(
        r.stderr.len() < 2000 && !r.stderr.contains("Index"),
        "{} bytes on stderr: {}",
        r.stderr.len(),
        &r.stderr[..r.stderr.len().min(600)]
    );
    assert!(line.contains("CLUSTERDOWN") && line.contains('×'), "{line}");
}

/// `bench redis --slo` against `url` with the test's step shape; the JSON report.
fn slo_run(url: &str, extra: &[&str]) -> (crate::support::Run, serde_json::Value) {
    let mut args = vec![
        "bench",
        "redis",
        "--redis",
        url,
        "-c",
        "8",
        "--keyspace",
        "100",
        "--warmup",
        "500ms",
        "--start-rate",
        "250",
    ];
    args.extend_from_slice(extra);
    let r = run(&args, &[]);
    let v = if extra.windows(2).any(|w| w == ["--format", "json"]) {
        serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr))
    } else {
        serde_json::Value::Null
    };
    (r, v)
}

// issue 29 #1: the highest rate that meets the objective, found on a server whose capacity the
// test sets (1000 requests per second through a one-slot-per-millisecond queue), three times
// alike. The objective is loose (p99 < 50 ms) so that a busy machine's stalls do not fail the
// rates below the capacity, while every rate above it fails by far: past capacity the queue
// (and the response time, counted from the scheduled send) grows by a second per second.
#[test]
fn bench_slo_finds_a_known_capacity_three_times_alike() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    const CAPACITY: f64 = 1000.0;
    let throttle = crate::support::throttle::Throttle::start(srv.port, CAPACITY as u64);
    let mut found = Vec::new();
    for _ in 0..3 {
        let (r, v) = slo_run(
            &throttle.url(),
            &[
                "--slo",
                "p99<50ms",
                "--step-duration",
                "2s",
                "--format",
                "json",
            ],
        );
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let slo = &v["slo"];
        let max = slo["max_rate"].as_f64().unwrap();
        let fail = slo["first_failing_rate"].as_f64().unwrap();
        eprintln!(
            "capacity {CAPACITY}: max_rate {max}, first_failing_rate {fail}, {} steps in {:.1} s",
            slo["steps"].as_array().unwrap().len(),
            slo["search_s"].as_f64().unwrap()
        );
        assert_eq!(slo["stopped"]["reason"], "resolved", "{slo}");
        // within the resolution of the known limit (5%), twice over for a busy machine
        assert!(
            (CAPACITY * 0.88..=CAPACITY * 1.02).contains(&max),
            "max_rate {max} against a capacity of {CAPACITY}: {slo}"
        );
        assert!(fail > max && fail <= max * 1.05 + 1.0, "{slo}");
        assert!(
            slo["broken_by"].as_str().unwrap().starts_with("p99 "),
            "{slo}"
        );
        found.push(max);
    }
    let (lo, hi) = found
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), m| (lo.min(*m), hi.max(*m)));
    assert!(
        hi <= lo * 1.10,
        "three searches disagree by more than 10%: {found:?}"
    );
}

// issue 29 #1: --target-rate gates (exit 3 when the rate misses), every format renders, the
// interval log is HdrHistogram's, and bad objectives are refused naming the flag.
#[test]
fn bench_slo_target_rate_gates_and_every_format_renders() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let throttle = crate::support::throttle::Throttle::start(srv.port, 1000);
    let url = throttle.url();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("steps.hlog");
    let log_arg = log.display().to_string();
    let quick = [
        "--step-duration",
        "1s",
        "--resolution",
        "50%",
        "--slo",
        "p99<50ms",
    ];
    let mut args = quick.to_vec();
    args.extend([
        "--target-rate",
        "500",
        "--format",
        "json",
        "--hdr-log",
        &log_arg,
    ]);
    let (r, v) = slo_run(&url, &args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(v["slo"]["target_met"], true, "{v}");
    assert_eq!(
        v["slo"]["steps"][0]["rate"], 500,
        "the target is measured first: {v}"
    );
    let hlog = std::fs::read_to_string(&log).unwrap();
    assert!(
        hlog.contains("#[StartTime: ") && hlog.contains("Tag=rate_500,") && hlog.contains(",HISTF"),
        "{hlog}"
    );
    // a rate above the capacity misses: exit 3, a JUnit failure naming the percentile
    let mut args = quick.to_vec();
    args.extend(["--target-rate", "2000", "--format", "junit"]);
    let (r, _) = slo_run(&url, &args);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("<failure message=\"2000 rps misses p99&lt;50ms: p99 ")
            && r.stdout.contains("highest rate meeting p99&lt;50ms"),
        "{}",
        r.stdout
    );
    let mut args = quick.to_vec();
    args.extend(["--format", "prometheus"]);
    let (r, _) = slo_run(&url, &args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("statectl_slo_max_rate{kind=\"redis\"")
            && r.stdout.contains("quantile=\"0.99\"")
            && r.stdout.contains("statectl_slo_search_seconds"),
        "{}",
        r.stdout
    );
    // the table: every step, the chart, the answer
    let (r, _) = slo_run(&url, &quick);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("latency against rate")
            && r.stdout.contains("highest rate meeting p99<50ms: ")
            && r.stdout.contains("search: "),
        "{}",
        r.stdout
    );
    // bad input: one line naming the flag, exit 2, nothing run
    for (bad, says) in [
        (
            vec!["--slo", "p99"],
            "--slo \"p99\": a percentile and a bound",
        ),
        (vec!["--slo", "p99<5ms", "--rate", "100"], "--rate"),
        (vec!["--target-rate", "100"], "--slo"),
        (
            vec!["--slo", "p99<5ms", "--resolution", "200%"],
            "--resolution",
        ),
    ] {
        let mut args = vec!["bench", "redis", "--redis", &url];
        args.extend(bad.iter());
        let r = run(&args, &[]);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{bad:?}: {}", r.stderr);
        assert!(!r.stderr.contains("step 1"), "{}", r.stderr);
    }
}
