//! `drill store-outage` against real parts: a redis-server in one network namespace, small
//! HTTP APIs (with and without a circuit breaker) and statectl in another, the store cut off
//! with nftables inside the API's namespace, or frozen with SIGSTOP.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::kernel_nic::{can_make_namespaces, VethPair};
use crate::support::{free_port, Run};

/// An API that reads its state store (a PING per request). `breaker`: each store call is
/// bounded by 200 ms and a failure opens the breaker for 500 ms (503 at once while open);
/// otherwise the call waits up to 30 s and a failure is a 500.
const API: &str = r#"
import socket, sys, time, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
port, rhost, rport, breaker = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "breaker"
state = {"open_until": 0.0}
lock = threading.Lock()
def ping(timeout):
    s = socket.create_connection((rhost, rport), timeout=timeout)
    try:
        s.settimeout(timeout)
        s.sendall(b"PING\r\n")
        if not s.recv(64).startswith(b"+PONG"):
            raise IOError("bad reply")
    finally:
        s.close()
class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def answer(self, code):
        body = b"ok" if code == 200 else b"unavailable"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path.startswith("/health"):
            # a site's health endpoint: the breaker API's checks the store (200 ms bound); the
            # other's is static, the common mistake
            if not breaker:
                return self.answer(200)
            try:
                ping(0.2)
                return self.answer(200)
            except Exception:
                return self.answer(503)
        if breaker:
            with lock:
                is_open = time.monotonic() < state["open_until"]
            if is_open:
                return self.answer(503)
            try:
                ping(0.2)
                return self.answer(200)
            except Exception:
                with lock:
                    state["open_until"] = time.monotonic() + 0.5
                return self.answer(503)
        try:
            ping(30)
            return self.answer(200)
        except Exception:
            return self.answer(500)
srv = ThreadingHTTPServer(("127.0.0.1", port), H)
if len(sys.argv) > 6:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[5], sys.argv[6])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
"#;

/// A process in a namespace, killed on drop.
struct InNs(Child);

impl Drop for InNs {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn in_ns(ns: &str, program: &str, args: &[&str]) -> InNs {
    let mut full = vec!["netns", "exec", ns, program];
    full.extend_from_slice(args);
    InNs(
        Command::new("ip")
            .args(&full)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

fn until(what: &str, within: Duration, mut ready: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    start.elapsed()
}

fn ns_output(ns: &str, cmd: &str) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "bash", "-c", cmd])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The API answers 200 (curl-free: a raw HTTP/1.0 request inside the namespace).
fn api_ok(ns: &str, port: u16) -> bool {
    ns_output(
        ns,
        &format!("exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 2 head -c 12 <&3"),
    )
    .starts_with("HTTP/1.0 200")
}

/// The parts: namespaces, the store in B, an API of each kind in A.
struct Drill {
    net: VethPair,
    redis_port: u16,
    breaker_port: u16,
    plain_port: u16,
    _parts: Vec<InNs>,
}

fn drill() -> Option<Drill> {
    if !can_make_namespaces()
        || !crate::support::require(crate::edge::on_path("redis-server"), "redis-server")
        || !crate::support::require(crate::edge::on_path("python3"), "python3")
        || !crate::support::require(crate::edge::on_path("nft"), "nft (nftables)")
    {
        return None;
    }
    let net = VethPair::new();
    let (redis_port, breaker_port, plain_port) = (free_port(), free_port(), free_port());
    let dir = tempfile::tempdir().unwrap();
    let mut parts = vec![in_ns(
        &net.b,
        "redis-server",
        &[
            "--port",
            &redis_port.to_string(),
            "--bind",
            "10.231.0.2",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            &dir.path().display().to_string(),
            "--protected-mode",
            "no",
        ],
    )];
    for (port, kind) in [(breaker_port, "breaker"), (plain_port, "plain")] {
        parts.push(in_ns(
            &net.a,
            "python3",
            &[
                "-c",
                API,
                &port.to_string(),
                "10.231.0.2",
                &redis_port.to_string(),
                kind,
            ],
        ));
    }
    let d = Drill {
        net,
        redis_port,
        breaker_port,
        plain_port,
        _parts: parts,
    };
    for port in [d.breaker_port, d.plain_port] {
        until("the API answering 200", Duration::from_secs(20), || {
            api_ok(&d.net.a, port)
        });
    }
    std::mem::forget(dir);
    Some(d)
}

impl Drill {
    fn args(&self, api_port: u16, mode: &str, extra: &[&str]) -> Vec<String> {
        self.args_with(
            &format!("http://127.0.0.1:{api_port}/session"),
            &format!("redis://10.231.0.2:{}", self.redis_port),
            mode,
            extra,
        )
    }

    fn args_with(&self, api: &str, store: &str, mode: &str, extra: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = [
            "drill",
            "store-outage",
            "--yes",
            "--format",
            "json",
            "--before",
            "1s",
            "--for",
            "3s",
            "--rate",
            "20",
            "--recovery-deadline",
            "5s",
            "--mode",
            mode,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.push("--api".into());
        v.push(api.into());
        v.push("--store".into());
        v.push(store.into());
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    }

    fn run(&self, api_port: u16, mode: &str, extra: &[&str]) -> (Run, serde_json::Value) {
        let args = self.args(api_port, mode, extra);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = self.net.statectl(&a);
        let v = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
        (r, v)
    }

    fn spawn(&self, api_port: u16, mode: &str) -> Child {
        let args = self.args(api_port, mode, &[]);
        let mut full = vec![
            "netns".to_string(),
            "exec".into(),
            self.net.a.clone(),
            env!("CARGO_BIN_EXE_statectl").into(),
        ];
        full.extend(args);
        Command::new("ip")
            .args(&full)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The drill's nftables elements in the API's namespace.
    fn elements(&self) -> String {
        ns_output(
            &self.net.a,
            "nft list set inet statectl_drill v4 2>/dev/null",
        )
    }
}

fn status(v: &serde_json::Value, id: &str) -> (String, String) {
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("{id}: {v}"));
    (
        f["status"].as_str().unwrap().into(),
        f["summary"].as_str().unwrap().into(),
    )
}

// issue 29 #2: an API with a breaker answers 503 at once and recovers: PASS; one without hangs
// on a blackholed store: FAIL naming the hung requests. The fault is gone afterwards.
#[test]
fn a_breaker_passes_the_store_outage_drill_and_an_api_without_one_fails_naming_hung_requests() {
    let Some(d) = drill() else {
        return;
    };
    // secrets in both URLs (an API token in the query, the store's password) never show
    const MARK: &str = "drill-secret-5f2a";
    let args = d.args_with(
        &format!(
            "http://127.0.0.1:{}/session?access_token={MARK}",
            d.breaker_port
        ),
        &format!("redis://:{MARK}@10.231.0.2:{}", d.redis_port),
        "reject",
        &[],
    );
    let r = d
        .net
        .statectl(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        !r.stdout.contains(MARK) && !r.stderr.contains(MARK),
        "{}
{}",
        r.stdout,
        r.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for id in [
        "drill.baseline",
        "drill.breaker_opens",
        "drill.fails_fast",
        "drill.recovers",
        "drill.restored",
    ] {
        assert_eq!(status(&v, id).0, "pass", "{id}: {v}\n{}", r.stderr);
    }
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!ns_output(&d.net.a, "nft list tables").contains("statectl_drill"));
    let (r, v) = d.run(d.plain_port, "blackhole", &["--request-timeout", "1s"]);
    assert_eq!(r.code, 3, "{v}\n{}", r.stderr);
    let (s, summary) = status(&v, "drill.breaker_opens");
    assert!(
        s == "fail"
            && summary.contains("never answered 503")
            && summary.contains("hung past 1.00 s"),
        "{summary}"
    );
    let (s, summary) = status(&v, "drill.fails_fast");
    assert!(
        s == "fail" && summary.contains("waits on the store"),
        "{summary}"
    );
    // the store is back for the API once the drill ends
    assert_eq!(status(&v, "drill.restored").0, "pass", "{v}");
    assert!(api_ok(&d.net.a, d.plain_port));
    // the store frozen with SIGSTOP (its pid from its own INFO): the breaker still opens, and
    // the server runs again after
    let (r, v) = d.run(d.breaker_port, "freeze", &[]);
    assert_eq!(r.code, 0, "{v}\n{}", r.stderr);
    let (_, restored) = status(&v, "drill.restored");
    assert!(restored.contains("SIGCONT sent to"), "{restored}");
}

// issue 30 #3: a site's health endpoint (what a GSLB asks) must report the site down while its
// store is cut off or frozen, and up again after: one that checks the store passes, a static
// 200 fails saying a GSLB keeps routing users to the site. Both judged in one drill, by URL.
#[test]
fn a_health_endpoint_must_follow_its_store_through_the_drill() {
    let Some(d) = drill() else {
        return;
    };
    const MARK: &str = "health-secret-81c3";
    let checked = format!("http://127.0.0.1:{}/health?token={MARK}", d.breaker_port);
    let fixed = format!("http://127.0.0.1:{}/health", d.plain_port);
    for mode in ["reject", "freeze"] {
        let args = d.args(
            d.breaker_port,
            mode,
            &[
                "--health-url",
                &checked,
                "--health-url",
                &fixed,
                "--health-deadline",
                "2s",
            ],
        );
        let r = d
            .net
            .statectl(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            !r.stdout.contains(MARK) && !r.stderr.contains(MARK),
            "{}",
            r.stdout
        );
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
        let health: Vec<&serde_json::Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["id"] == "drill.health_reflects_store")
            .collect();
        assert_eq!(health.len(), 2, "{mode}: {v}");
        let of = |port: u16| {
            health
                .iter()
                .find(|f| {
                    f["target"]
                        .as_str()
                        .unwrap()
                        .starts_with(&format!("http://127.0.0.1:{port}/health"))
                })
                .unwrap_or_else(|| panic!("{port}: {v}"))
        };
        let good = of(d.breaker_port);
        assert_eq!(good["status"], "pass", "{mode}: {good}\n{}", r.stderr);
        let summary = good["summary"].as_str().unwrap();
        assert!(
            summary.contains("reported the site down") && summary.contains("2xx again"),
            "{summary}"
        );
        let bad = of(d.plain_port);
        eprintln!(
            "{mode}: checking endpoint: {summary}; static endpoint: {}",
            bad["summary"]
        );
        assert_eq!(bad["status"], "fail", "{mode}: {bad}");
        assert!(
            bad["summary"]
                .as_str()
                .unwrap()
                .contains("2xx throughout the outage"),
            "{bad}"
        );
        assert_eq!(r.code, 3, "{mode}: {}", r.stderr);
        // the API's own findings are unchanged by the health endpoints beside it
        assert_eq!(status(&v, "drill.breaker_opens").0, "pass", "{v}");
    }
    // an https health endpoint beside a plain-http API: the one client trusts --http-ca for
    // both (before, only an https --api got TLS roots: every health check failed to connect)
    let pki = crate::support::pki::Pki::new();
    let pair = pki.server("health", &["127.0.0.1"], 30);
    let tls_port = free_port();
    let _tls = in_ns(
        &d.net.a,
        "python3",
        &[
            "-c",
            API,
            &tls_port.to_string(),
            "10.231.0.2",
            &d.redis_port.to_string(),
            "breaker",
            &pair.cert.display().to_string(),
            &pair.key.display().to_string(),
        ],
    );
    let health = format!("https://127.0.0.1:{tls_port}/health");
    let ca = pki.ca().display().to_string();
    let args = d.args(
        d.breaker_port,
        "reject",
        &["--health-url", &health, "--http-ca", &ca],
    );
    let start = Instant::now();
    let (r, v) = loop {
        // the TLS API is up once a drill's baseline sees it 2xx (no curl in the namespace)
        let r = d
            .net
            .statectl(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
        let (st, sum) = status(&v, "drill.health_reflects_store");
        if st != "error"
            || !sum.contains("Connection refused")
            || start.elapsed() > Duration::from_secs(30)
        {
            break (r, v);
        }
    };
    let (st, sum) = status(&v, "drill.health_reflects_store");
    assert_eq!(st, "pass", "{sum}\n{}", r.stderr);
    assert_eq!(r.code, 0, "{v}");
    // a bad health URL is one line, exit 2, nothing cut
    let args = d.args(
        d.breaker_port,
        "reject",
        &["--health-url", "ftp://x/health"],
    );
    let r = d
        .net
        .statectl(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--health-url ftp://x/health") && r.stderr.trim().lines().count() == 1,
        "{}",
        r.stderr
    );
    assert!(!ns_output(&d.net.a, "nft list tables").contains("statectl_drill"));
}

// A second store-outage drill in the same network namespace while one runs is refused in one
// line (exit 1) and leaves the first's fault in place: each drill makes the nftables table
// anew, which deleted the running drill's element and ended its outage early while it still
// measured one. The first drill ends as it would alone.
#[test]
fn a_second_drill_in_the_same_namespace_is_refused_and_the_first_goes_on() {
    let Some(d) = drill() else {
        return;
    };
    let first = d.spawn(d.breaker_port, "blackhole");
    until("the first fault in place", Duration::from_secs(15), || {
        d.elements().contains("10.231.0.2 . ")
    });
    let args = d.args(d.breaker_port, "reject", &[]);
    let r = d
        .net
        .statectl(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("another drill is running in this network namespace")
            && r.stderr.trim().lines().count() == 1,
        "{}",
        r.stderr
    );
    // the first drill's fault is still there, with its own verdict
    assert!(d.elements().contains("10.231.0.2 . "), "{}", d.elements());
    let chain = ns_output(&d.net.a, "nft list chain inet statectl_drill out");
    assert!(
        chain.contains(" drop") && !chain.contains("reject"),
        "{chain}"
    );
    let out = first.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status(&v, "drill.breaker_opens").0, "pass", "{v}");
    // and once it ended, a drill runs again
    let (r, v) = d.run(d.breaker_port, "reject", &[]);
    assert_eq!(r.code, 0, "{v}\n{}", r.stderr);
}

// issue 29 #2: killed with SIGKILL mid-drill, statectl cannot restore; the watchdog does: the
// nftables element expires (and a frozen store is continued) within --for and its margin.
#[test]
fn the_watchdog_restores_the_store_after_statectl_is_killed() {
    let Some(d) = drill() else {
        return;
    };
    let mut child = d.spawn(d.breaker_port, "blackhole");
    until("the fault in place", Duration::from_secs(15), || {
        d.elements().contains("10.231.0.2 . ")
    });
    let killed = Instant::now();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        !api_ok(&d.net.a, d.plain_port) || d.elements().contains("10.231.0.2"),
        "the fault was already gone"
    );
    // --for 3s + the 1 s margin, counted from the injection (before the kill): within 4 s of
    // the kill, with slack for a busy machine
    until("the element expiring", Duration::from_secs(10), || {
        !d.elements().contains("10.231.0.2 . ")
    });
    until(
        "the API answering 200 again",
        Duration::from_secs(10),
        || api_ok(&d.net.a, d.plain_port),
    );
    eprintln!("restored {:?} after SIGKILL", killed.elapsed());
    // the killed drill left its (empty) table with its drop rule: the next drill, in reject
    // mode, makes the table anew, so only its own rule is there
    assert!(ns_output(&d.net.a, "nft list tables").contains("statectl_drill"));
    let mut child = d.spawn(d.breaker_port, "reject");
    until("the next fault in place", Duration::from_secs(15), || {
        d.elements().contains("10.231.0.2 . ")
    });
    let chain = ns_output(&d.net.a, "nft list chain inet statectl_drill out");
    assert!(
        chain.contains("reject with tcp reset") && !chain.contains(" drop"),
        "{chain}"
    );
    child.kill().unwrap();
    let _ = child.wait();
    until("that element expiring", Duration::from_secs(10), || {
        !d.elements().contains("10.231.0.2 . ")
    });
    // a frozen store: the detached watchdog continues it
    let pid = ns_output(
        &d.net.a,
        &format!(
            "timeout 5 redis-cli -h 10.231.0.2 -p {} INFO server | grep process_id | cut -d: -f2",
            d.redis_port
        ),
    )
    .trim()
    .to_string();
    assert!(!pid.is_empty());
    let mut child = d.spawn(d.breaker_port, "freeze");
    let stopped = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| s.split_whitespace().nth(2) == Some("T"))
    };
    until("the store stopped", Duration::from_secs(15), stopped);
    child.kill().unwrap();
    let _ = child.wait();
    until(
        "the watchdog continuing the store",
        Duration::from_secs(10),
        || !stopped(),
    );
}

// Ctrl-C mid-drill: the fault is removed at once, the partial report printed, exit 130.
#[test]
fn drill_restores_at_once_on_ctrl_c_and_reports() {
    let Some(d) = drill() else {
        return;
    };
    let child = d.spawn(d.breaker_port, "reject");
    until("the fault in place", Duration::from_secs(15), || {
        d.elements().contains("10.231.0.2 . ")
    });
    let interrupted = Instant::now();
    // SAFETY: kill takes no pointers.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // well before --for (3 s) would have ended it
    assert!(
        interrupted.elapsed() < Duration::from_millis(2900) || !d.elements().contains("10.231.0.2")
    );
    assert!(!ns_output(&d.net.a, "nft list tables").contains("statectl_drill"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["interrupted"], true, "{v}");
    assert_eq!(status(&v, "drill.restored").0, "pass", "{v}");
}

// issue 29 #2: a real Sentinel deployment (1 master, 2 replicas, 3 sentinels, down-after 1 s):
// the master frozen while a Sentinel-aware client writes; the failover's time, the clients'
// error window, acknowledged writes lost, and the old master's return as a replica. Then with
// min-replicas-to-write 1 / min-replicas-max-lag 1 on every data node: a master cut off from its
// replicas refuses writes, so none acknowledged is lost.
#[test]
fn a_sentinel_failover_drill_measures_the_failover_and_the_old_master_rejoins() {
    let Some(set) = crate::support::topology::SentinelSet::start([1000, 1000, 1000]) else {
        return;
    };
    let drill = |what: &str| {
        let old = set.master_addr(0);
        let r = crate::support::run(
            &[
                "drill",
                "failover",
                "--redis",
                &set.url(),
                "--mode",
                "freeze",
                "--for",
                "20s",
                "--rate",
                "50",
                "--yes",
                "--format",
                "json",
            ],
            &[],
        );
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{what}: {e}: {}\n{}", r.stdout, r.stderr));
        for id in [
            "drill.failover",
            "drill.error_window",
            "drill.old_master_rejoins",
            "drill.restored",
        ] {
            let (s, summary) = status(&v, id);
            eprintln!("{what}: {id}: {s}: {summary}");
            assert_eq!(s, "pass", "{what}: {id}: {summary}\n{v}");
        }
        // the sentinels name another master now, and the drill named both
        let new = set.master_addr(0);
        assert_ne!(new, old);
        let (_, failover) = status(&v, "drill.failover");
        assert!(
            failover.contains(&new) && failover.contains(&old),
            "{failover}"
        );
        // the drill's keys are gone from the new master
        let port: u16 = new.rsplit_once(':').unwrap().1.parse().unwrap();
        let keys = std::process::Command::new("redis-cli")
            .args([
                "-p",
                &port.to_string(),
                "--scan",
                "--pattern",
                "statectl:drill:*",
            ])
            .output()
            .unwrap();
        assert!(
            keys.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&keys.stdout)
        );
        (r, v)
    };
    // without min-replicas: the count is whatever the old master acknowledged after it came
    // back and before it was made a replica (the split-brain window), said either way
    let (r, v) = drill("default");
    let (s, lost) = status(&v, "drill.writes_lost");
    eprintln!("default: drill.writes_lost: {s}: {lost}");
    assert!(
        (s == "pass" && r.code == 0)
            || (s == "fail"
                && lost.contains("acknowledged writes are not on the new master")
                && r.code == 3),
        "{s} {lost} exit {}",
        r.code
    );
    for n in std::iter::once(&set.master).chain(&set.replicas) {
        n.cli(None, &["CONFIG", "SET", "min-replicas-to-write", "1"]);
        n.cli(None, &["CONFIG", "SET", "min-replicas-max-lag", "1"]);
    }
    let (r, v) = drill("min-replicas");
    let (s, lost) = status(&v, "drill.writes_lost");
    assert!(s == "pass" && lost.starts_with("all "), "{s}: {lost}");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

// issue 29 #2: the same drill for a Redis Cluster master and its replica (3 masters, 3
// replicas, cluster-node-timeout 2 s): the replica takes the master's slots, the old master
// rejoins as its replica, the drill's keys (all in one slot of that master) are cleaned.
#[test]
fn a_cluster_failover_drill_promotes_the_replica_and_the_old_master_rejoins() {
    let Some(c) = crate::support::topology::Cluster::start() else {
        return;
    };
    // a replica still in its first sync cannot take over: the drill refuses then (below), so
    // wait for every replica's link first
    crate::support::topology::until("every replica in sync", Duration::from_secs(30), || {
        (0..6).all(|i| {
            let r = c.cli(i, &["INFO", "replication"]);
            r.contains("role:master") || r.contains("master_link_status:up")
        })
    });
    let r = crate::support::run(
        &[
            "drill",
            "failover",
            "--redis",
            &c.seed(),
            "--cluster",
            "--mode",
            "freeze",
            "--for",
            "20s",
            "--rate",
            "50",
            "--yes",
            "--format",
            "json",
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    for id in [
        "drill.failover",
        "drill.error_window",
        "drill.old_master_rejoins",
        "drill.restored",
    ] {
        let (s, summary) = status(&v, id);
        eprintln!("cluster: {id}: {s}: {summary}");
        assert_eq!(s, "pass", "{id}: {summary}\n{v}");
    }
    let (s, lost) = status(&v, "drill.writes_lost");
    eprintln!("cluster: drill.writes_lost: {s}: {lost}");
    assert!(
        s == "pass" || lost.contains("acknowledged writes are not on the new master"),
        "{lost}"
    );
    // the seed (a master at start) is a replica now
    let role = c.cli(0, &["ROLE"]);
    assert!(role.starts_with("slave"), "{role}");
    // a usage error names the flag: --node that is no master
    let r = crate::support::run(
        &[
            "drill",
            "failover",
            "--redis",
            &c.seed(),
            "--cluster",
            "--node",
            "127.0.0.9:1",
            "--yes",
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--node 127.0.0.9:1: not a master"),
        "{}",
        r.stderr
    );
}

// A master with no replica online: nothing would take over, so the drill refuses (exit 1) and
// injects nothing.
#[test]
fn a_failover_drill_refuses_a_master_with_no_replica() {
    let Some(master) = crate::support::RedisServer::start(&[]) else {
        return;
    };
    let Some(sentinel) = crate::support::RedisServer::start_sentinel(&[&format!(
        "sentinel monitor lonely 127.0.0.1 {} 1",
        master.port
    )]) else {
        return;
    };
    let url = format!("redis+sentinel://127.0.0.1:{}/lonely", sentinel.port);
    let r = crate::support::run(&["drill", "failover", "--redis", &url, "--yes"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("has no replica online"), "{}", r.stderr);
    // never frozen
    assert_eq!(master.cli(None, &["PING"]).trim(), "PONG");
    // and without --yes at no terminal, refused before anything
    let r = crate::support::run(&["drill", "failover", "--redis", &url], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

// Ctrl-C mid-failover-drill: the frozen master is continued at once, the partial report printed,
// exit 130.
#[test]
fn failover_drill_continues_the_master_on_ctrl_c() {
    let Some(master) = crate::support::RedisServer::start(&[]) else {
        return;
    };
    let replica =
        crate::support::RedisServer::start(&[&format!("replicaof 127.0.0.1 {}", master.port)])
            .unwrap();
    let sentinel = crate::support::RedisServer::start_sentinel(&[
        &format!("sentinel monitor pair 127.0.0.1 {} 1", master.port),
        "sentinel down-after-milliseconds pair 60000",
    ])
    .unwrap();
    until("the replica in sync", Duration::from_secs(20), || {
        replica
            .cli(None, &["INFO", "replication"])
            .contains("master_link_status:up")
    });
    let pid = master.pid();
    let stopped = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| s.split_whitespace().nth(2) == Some("T"))
    };
    let url = format!("redis+sentinel://127.0.0.1:{}/pair", sentinel.port);
    let child = Command::new(env!("CARGO_BIN_EXE_statectl"))
        .args([
            "drill", "failover", "--redis", &url, "--for", "30s", "--yes", "--format", "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    until("the master frozen", Duration::from_secs(15), stopped);
    // SAFETY: kill takes no pointers.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stopped(), "the master is still stopped");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["interrupted"], true, "{v}");
    assert_eq!(status(&v, "drill.restored").0, "pass", "{v}");
}

// A drill changes a live system: without --yes (and no terminal to ask at) it is refused before
// anything is touched, in one line naming what it would have done; bad URLs name their flag.
#[test]
fn drills_without_yes_or_with_bad_input_are_refused_in_one_line() {
    for (args, says) in [
        (
            vec!["drill", "store-outage", "--api", "http://127.0.0.1:9/x", "--store", "redis://127.0.0.1:9"],
            "drill store-outage cuts redis://127.0.0.1:9 off from this host for 10s (reject): give --yes",
        ),
        (
            vec!["drill", "store-outage", "--api", "ftp://x", "--store", "redis://127.0.0.1:9", "--yes"],
            "--api ftp://x: an http:// or https:// URL",
        ),
        (
            vec!["drill", "store-outage", "--api", "http://x/", "--store", "mysql://:drill-pw@h:1", "--yes"],
            "--store mysql://:***@h:1: scheme mysql",
        ),
        (
            vec!["drill", "store-outage", "--api", "http://x/", "--store", "postgres://h/db", "--mode", "freeze", "--yes"],
            "--mode freeze: a Redis store only",
        ),
        (
            vec!["drill", "failover", "--redis", "redis://127.0.0.1:9", "--yes"],
            "a redis+sentinel://",
        ),
    ] {
        let r = crate::support::run(&args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
        assert!(!r.stderr.contains("drill-pw"), "{}", r.stderr);
    }
}
