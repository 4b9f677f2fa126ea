//! Issue 18: the log.* checks on logs that real servers wrote: a redis-server whose background
//! saves fail and whose log is rotated mid-window, a PostgreSQL with a real deadlock and too many
//! clients, a 2 GB sparse log, and logs statectl may not read.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{doctor_json, evidence, run, PgCluster, RedisServer, PG_PASSWORD};

/// Polls until `path` holds `n` lines containing `needle` (a real event, with a deadline).
fn wait_lines(path: &Path, needle: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let have = text.lines().filter(|l| l.contains(needle)).count();
        if have >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{}: {have} of {n} lines with {needle:?} after 20 s:\n{text}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn failed_background_saves_count_exactly_across_a_rotation() {
    // the snapshots go to a directory that is removed under the running server: every BGSAVE
    // fails for real and Redis logs "Background saving error"; tcp-backlog above somaxconn
    // makes it warn about the kernel at start
    let gone = tempfile::tempdir().unwrap();
    let dir_line = format!("dir {}", gone.path().display());
    let Some(srv) = RedisServer::start(&["tcp-backlog 65535", &dir_line]) else {
        return;
    };
    std::fs::remove_dir_all(gone.path()).unwrap();
    let log = srv.dir.path().join("redis.log");
    let url = srv.url();
    let clean = doctor_json("log.redis", &["--redis", &url], &[]);
    let f = clean.finding("log.redis");
    assert_eq!(evidence(&f, "found_by"), Some("CONFIG GET logfile"), "{f}");
    assert_eq!(evidence(&f, "log"), Some(log.to_str().unwrap()), "{f}");
    assert_eq!(evidence(&f, "bgsave_failed.count"), None, "{f}");
    assert_eq!(f["status"], "warn", "the backlog warning at start: {f}");
    assert!(evidence(&f, "kernel_warning.count").is_some(), "{f}");

    cli(srv.port, &["BGSAVE"]);
    wait_lines(&log, "Background saving error", 1);
    // rotate mid-window as logrotate does (rename); Redis opens its log for every line
    std::fs::rename(&log, srv.dir.path().join("redis.log.1")).unwrap();
    for n in 2..=3 {
        cli(srv.port, &["BGSAVE"]);
        wait_lines(&log, "Background saving error", n - 1);
    }
    let r = doctor_json("log.redis", &["--redis", &url], &[]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let f = r.finding("log.redis");
    assert_eq!(f["status"], "fail", "{f}");
    assert_eq!(evidence(&f, "bgsave_failed.count"), Some("3"), "{f}");
    let files = evidence(&f, "files").unwrap();
    assert!(
        files.contains("redis.log.1") && files.ends_with("redis.log"),
        "{f}"
    );
    assert!(
        f["summary"].as_str().unwrap().contains("3 × bgsave_failed"),
        "{f}"
    );

    // `statectl logs`: the same window as a timeline, each line redacted, exit as the check
    let r = run(&["logs", "--redis", &url, "--format", "json"], &[]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let hits = v["logs"][0]["hits"].as_array().unwrap();
    let bg = hits
        .iter()
        .find(|h| h["signature"] == "bgsave_failed")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(bg["count"], 3);
    let samples = bg["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 3);
    assert!(samples.iter().all(|x| x["text"]
        .as_str()
        .unwrap()
        .ends_with("# Background saving error")));
    let r = run(&["logs", "--redis", &url, "--lines", "1"], &[]);
    assert_eq!(r.code, 3);
    assert!(
        r.stdout.contains("bgsave_failed (last 1 of 3)"),
        "{}",
        r.stdout
    );
    let r = run(&["logs", "--redis", &url, "--format", "junit"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--format"), "{}", r.stderr);
}

// issue 26 #34: between logrotate's rename and the server's next line there is no live file,
// only `FILE.1` with the window: `logs` skipped the log (asked the server) or exited 2 (named it)
#[test]
fn logs_in_the_gap_of_a_rotation_read_the_renamed_file() {
    let gone = tempfile::tempdir().unwrap();
    let dir_line = format!("dir {}", gone.path().display());
    let Some(srv) = RedisServer::start(&[&dir_line]) else {
        return;
    };
    std::fs::remove_dir_all(gone.path()).unwrap();
    let log = srv.dir.path().join("redis.log");
    let url = srv.url();
    cli(srv.port, &["BGSAVE"]);
    wait_lines(&log, "Background saving error", 1);
    // logrotate's rename; Redis creates the new file with its next line, and nothing is logged
    std::fs::rename(&log, srv.dir.path().join("redis.log.1")).unwrap();
    assert!(!log.exists());
    let named = log.to_str().unwrap();
    for args in [
        vec!["logs", "--redis", &url, "--format", "json"],
        vec![
            "logs",
            "--redis",
            &url,
            "--redis-log",
            named,
            "--format",
            "json",
        ],
    ] {
        let r = run(&args, &[]);
        assert_eq!(r.code, 3, "{args:?}: {}{}", r.stdout, r.stderr);
        let v = r.json();
        let scan = &v["logs"][0];
        assert!(
            scan["files"][0].as_str().unwrap().ends_with("redis.log.1"),
            "{args:?}: {scan}"
        );
        let bg = scan["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["signature"] == "bgsave_failed")
            .unwrap_or_else(|| panic!("{args:?}: {v}"));
        assert_eq!(bg["count"], 1, "{bg}");
    }
}

#[test]
fn a_real_deadlock_and_too_many_clients_in_the_postgres_log() {
    let Some(pg) = PgCluster::start(&[
        "deadlock_timeout = 100ms",
        "logging_collector = on",
        "log_directory = 'log'",
        "log_filename = 'postgresql.log'",
        "log_line_prefix = '%m [%p] '",
        "max_connections = 4",
        "superuser_reserved_connections = 1",
    ]) else {
        return;
    };
    let log = pg.dir.path().join("data/log/postgresql.log");
    pg.psql("CREATE TABLE t(id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0), (2, 0)");
    let mut a = pg.spawn_psql(
        "a",
        "BEGIN; UPDATE t SET v = 1 WHERE id = 1; SELECT pg_sleep(0.5); UPDATE t SET v = 1 WHERE id = 2; COMMIT;",
    );
    let mut b = pg.spawn_psql(
        "b",
        "BEGIN; UPDATE t SET v = 2 WHERE id = 2; SELECT pg_sleep(0.5); UPDATE t SET v = 2 WHERE id = 1; COMMIT;",
    );
    let _ = a.wait();
    let _ = b.wait();
    wait_lines(&log, "deadlock detected", 1);
    // three application sessions take every slot not reserved for superusers; a fourth is
    // refused (the superuser's own psql and statectl keep the reserved one)
    pg.psql("CREATE ROLE app LOGIN PASSWORD 'app-pw'");
    let app = pg.url_as("app", "app-pw");
    let psql_app = |name: &str, sql: &str| {
        let mut c = Command::new(pg.bindir.join("psql"));
        c.arg(&app)
            .args(["-q", "-c", sql])
            .env("PGAPPNAME", name)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        c
    };
    // each backend's process title says who runs what: watched in /proc, the wait takes no slot
    let active = || pg.processes("postgres: app postgres").len();
    let held: Vec<_> = (0..3)
        .map(|i| {
            psql_app(&format!("hold{i}"), "SELECT pg_sleep(30)")
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while active() < 3 {
        assert!(Instant::now() < deadline, "the 3 sessions did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let fourth = psql_app("fourth", "SELECT 1").output().unwrap();
    let said = String::from_utf8_lossy(&fourth.stderr);
    assert!(
        said.contains("remaining connection slots are reserved"),
        "{said}"
    );
    wait_lines(&log, "remaining connection slots are reserved", 1);
    for mut h in held {
        let _ = h.kill();
        let _ = h.wait();
    }
    // their backends sleep on until told: free the slots
    pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'");
    let url = pg.url();
    // the slots free up as the held sessions end
    let deadline = Instant::now() + Duration::from_secs(20);
    let r = loop {
        let r = doctor_json(
            "log.postgres",
            &["--postgres", &url],
            &[("PGPASSWORD", PG_PASSWORD)],
        );
        if r.stdout.contains("pg_current_logfile()") || Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let f = r.finding("log.postgres");
    assert_eq!(f["status"], "fail", "{f}");
    assert_eq!(
        evidence(&f, "found_by"),
        Some("pg_current_logfile()"),
        "{f}"
    );
    assert_eq!(evidence(&f, "deadlock.count"), Some("1"), "{f}");
    assert_eq!(evidence(&f, "connection_slots.count"), Some("1"), "{f}");
    // the DETAIL lines name both processes; the statements' values never appear
    let pids = evidence(&f, "deadlock.pids").unwrap();
    assert_eq!(pids.split(", ").count(), 2, "{f}");
    assert!(!r.stdout.contains("SET v ="), "{}", r.stdout);
    // a role that may read the settings but not call pg_current_logfile(): log_directory's
    // newest file
    pg.psql("CREATE ROLE watcher LOGIN PASSWORD 'w-pw'; GRANT pg_read_all_settings TO watcher");
    // (the killed sessions' slots may take a moment to free for a non-superuser)
    let watcher = pg.url_as("watcher", "w-pw");
    let deadline = Instant::now() + Duration::from_secs(20);
    let r = loop {
        let r = doctor_json("log.postgres", &["--postgres", &watcher], &[]);
        if r.stdout.contains("log_directory") || Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let f = r.finding("log.postgres");
    assert_eq!(
        evidence(&f, "found_by"),
        Some("the newest file of log_directory"),
        "{f}"
    );
    assert_eq!(evidence(&f, "deadlock.count"), Some("1"), "{f}");
}

#[test]
fn a_two_gigabyte_sparse_log_is_read_from_its_end_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("redis.log");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(2 << 30).unwrap();
    drop(f);
    let now = std::time::SystemTime::now();
    let stamp = humantime::format_rfc3339_seconds(now).to_string();
    // Redis's own format: "pid:role DD Mon YYYY HH:MM:SS.mmm # message"
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months[stamp[5..7].parse::<usize>().unwrap() - 1];
    let line = format!(
        "4242:M {} {month} {} {}.000 # Background saving error\n",
        &stamp[8..10],
        &stamp[..4],
        &stamp[11..19]
    );
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
    for _ in 0..5 {
        f.write_all(line.as_bytes()).unwrap();
    }
    drop(f);
    // no server: the log is named (a copy fetched from a node); TZ makes local time UTC
    let r = run(
        &[
            "doctor",
            "--format",
            "json",
            "--only",
            "log.redis",
            "--redis",
            "redis://127.0.0.1:1",
            "--redis-log",
            p.to_str().unwrap(),
        ],
        &[("TZ", "UTC")],
    );
    let f = r.finding("log.redis");
    assert_eq!(evidence(&f, "bgsave_failed.count"), Some("5"), "{f}");
    let read: u64 = evidence(&f, "bytes_read").unwrap().parse().unwrap();
    assert!(read <= 2 << 20, "read {read} bytes of 2 GiB: {f}");
}

#[test]
fn logs_that_cannot_be_read_skip_with_the_reason() {
    // a server whose log file is gone (nothing has been logged since it was removed)
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    std::fs::remove_file(srv.dir.path().join("redis.log")).unwrap();
    let r = doctor_json("log.redis", &["--redis", &srv.url()], &[]);
    let f = r.finding("log.redis");
    assert_eq!(f["status"], "skip", "{f}");
    assert!(
        f["summary"].as_str().unwrap().contains("No such file"),
        "{f}"
    );
    // a server that logs to stdout: the journal is asked for its pid's lines; a server started
    // by hand has none there
    let Some(srv) = RedisServer::start(&["logfile \"\""]) else {
        return;
    };
    let r = doctor_json("log.redis", &["--redis", &srv.url()], &[]);
    let f = r.finding("log.redis");
    assert_eq!(f["status"], "skip", "{f}");
    let why = f["summary"].as_str().unwrap();
    assert!(
        why.contains("logfile is empty: Redis logs to stdout, and the journal"),
        "{f}"
    );
    // a log only root may read, read by nobody
    let dir = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let secret = dir.path().join("postgresql.log");
    std::fs::write(&secret, "2026-11-29 01:00:00 UTC [1] LOG:  x\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    if !crate::kernel_nic::is_root() {
        return;
    }
    let out = crate::support::statectl_as("nobody")
        .args(["doctor", "--format", "json", "--only", "log.postgres"])
        .args(["--postgres", "host=127.0.0.1 port=1", "--postgres-log"])
        .arg(&secret)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let f = &v["findings"][0];
    assert_eq!(f["status"], "skip", "{f}");
    assert!(
        f["summary"].as_str().unwrap().contains("Permission denied"),
        "{f}"
    );
}
