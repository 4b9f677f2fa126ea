//! `redis.reachable` against real servers: up, refused, wrong password, frozen, not Redis.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::support::{doctor_json, evidence, free_port, run, RedisServer};

#[test]
fn a_running_server_passes_and_exit_is_zero() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let r = doctor_json(
        "redis.reachable,redis.version",
        &["--redis", &srv.url()],
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let f = r.finding("redis.reachable");
    assert_eq!(f["status"], "pass");
    assert_eq!(f["target"], srv.url());
    assert!(evidence(&f, "redis_version").unwrap().starts_with('7'));
    assert_eq!(r.finding("redis.version")["status"], "pass");
}

#[test]
fn refused_fails_naming_host_and_port() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let r = doctor_json("redis.*", &["--redis", &url], &[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    let f = r.finding("redis.reachable");
    assert_eq!(f["status"], "fail");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{port}")),
        "{f}"
    );
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains(&format!("-p {port}")),
        "{f}"
    );
    assert_eq!(evidence(&f, "failure"), Some("refused"));
    // the other redis checks are skipped, not a cascade of failures
    assert_eq!(r.finding("redis.version")["status"], "skip");
}

#[test]
fn wrong_password_fails_and_is_never_printed() {
    let Some(srv) = RedisServer::start(&["requirepass right-password-123"]) else {
        return;
    };
    let secret = "Wr0ng-Secret-Value";
    let url = format!("redis://:{secret}@127.0.0.1:{}", srv.port);
    for format in ["json", "table", "junit", "prometheus"] {
        let r = run(
            &[
                "doctor",
                "--format",
                format,
                "--only",
                "redis.reachable",
                "--redis",
                &url,
            ],
            &[],
        );
        assert_eq!(r.code, 3, "{format}: {}{}", r.stdout, r.stderr);
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "{format} leaked the password"
        );
        if format == "json" {
            let f = r.finding("redis.reachable");
            assert_eq!(f["status"], "fail");
            assert_eq!(evidence(&f, "failure"), Some("auth"));
            assert!(
                f["summary"]
                    .as_str()
                    .unwrap()
                    .contains("authentication failed"),
                "{f}"
            );
        }
    }
    // no password at all: NOAUTH is also an auth failure
    let r = doctor_json("redis.reachable", &["--redis", &srv.url()], &[]);
    assert_eq!(
        evidence(&r.finding("redis.reachable"), "failure"),
        Some("auth")
    );
}

#[test]
fn password_from_rediscli_auth_or_file_is_used() {
    let Some(srv) = RedisServer::start(&["requirepass right-password-123"]) else {
        return;
    };
    let r = doctor_json(
        "redis.reachable",
        &["--redis", &srv.url()],
        &[("REDISCLI_AUTH", "right-password-123")],
    );
    assert_eq!(
        r.finding("redis.reachable")["status"],
        "pass",
        "{}",
        r.stdout
    );
    let pwfile = srv.dir.path().join("pw");
    std::fs::write(&pwfile, "right-password-123\n").unwrap();
    let r = doctor_json(
        "redis.reachable",
        &[
            "--redis",
            &srv.url(),
            "--redis-password-file",
            pwfile.to_str().unwrap(),
        ],
        &[("REDISCLI_AUTH", "not-this-one")],
    );
    assert_eq!(
        r.finding("redis.reachable")["status"],
        "pass",
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("right-password-123"));
}

#[test]
fn a_stopped_server_times_out_within_the_timeout() {
    let Some(mut srv) = RedisServer::start(&[]) else {
        return;
    };
    srv.freeze();
    let start = Instant::now();
    let r = doctor_json(
        "redis.reachable",
        &["--timeout", "700ms", "--redis", &srv.url()],
        &[],
    );
    let took = start.elapsed();
    assert_eq!(r.code, 3);
    let f = r.finding("redis.reachable");
    assert_eq!(evidence(&f, "failure"), Some("timeout"), "{f}");
    assert!(f["summary"].as_str().unwrap().contains("700ms"), "{f}");
    // the timeout plus process start-up, never a hang
    crate::support::on_time("a stopped server", took, Duration::from_millis(700));
    assert!(took >= Duration::from_millis(650), "took {took:?}");
}

#[test]
fn garbage_on_the_port_is_a_protocol_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    let r = doctor_json(
        "redis.reachable",
        &["--redis", &format!("redis://127.0.0.1:{port}")],
        &[],
    );
    t.join().unwrap();
    let f = r.finding("redis.reachable");
    assert_eq!(f["status"], "fail");
    assert!(
        matches!(evidence(&f, "failure"), Some("protocol") | Some("other")),
        "{f}"
    );
}

#[test]
fn one_dead_target_does_not_stop_the_others() {
    let Some(a) = RedisServer::start(&[]) else {
        return;
    };
    let Some(mut frozen) = RedisServer::start(&[]) else {
        return;
    };
    frozen.freeze();
    let dead = format!("redis://127.0.0.1:{}", free_port());
    let start = Instant::now();
    let r = doctor_json(
        "redis.reachable",
        &[
            "--timeout",
            "1s",
            "--redis",
            &a.url(),
            "--redis",
            &dead,
            "--redis",
            &frozen.url(),
        ],
        &[],
    );
    let took = start.elapsed();
    let v = r.json();
    let by_target = |t: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["target"] == t)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(by_target(&a.url()), "pass");
    assert_eq!(by_target(&dead), "fail");
    assert_eq!(by_target(&frozen.url()), "fail");
    // probes run concurrently: one timeout, not the sum of them
    crate::support::on_time("three targets, one frozen", took, Duration::from_secs(1));
}

// issue 12, defect 25: REDISCLI_AUTH set globally failed a server that has no password;
// redis-cli warns and goes on
#[test]
fn a_password_for_a_passwordless_server_is_a_note_not_a_failure() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let r = doctor_json(
        "redis.reachable,redis.version",
        &["--redis", &srv.url()],
        &[("REDISCLI_AUTH", "global-Zq7-pw")],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let f = r.finding("redis.reachable");
    assert_eq!(f["status"], "pass", "{f}");
    let note = evidence(&f, "auth").unwrap_or_else(|| panic!("no auth note: {f}"));
    assert!(note.contains("none configured"), "{note}");
    assert_eq!(r.finding("redis.version")["status"], "pass");
    assert!(!r.stdout.contains("global-Zq7-pw"));
}

// issue 12, defect 23: a server's error text went raw into tables: this one sets the terminal's
// title and clears the screen
#[test]
fn control_characters_from_a_server_never_reach_the_terminal() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // answer every connection (doctor looks at a failing peer a second time) for the test's life
    // it answers the first command like a server would (after reading it, keeping the
    // connection open), so the client always reads the reply rather than racing a close
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            std::thread::spawn(move || {
                use std::io::Read;
                let mut buf = [0u8; 512];
                if matches!(s.read(&mut buf), Ok(n) if n > 0) {
                    let _ = s.write_all(b"-ERR \x1b]0;pwned\x07\x1b[2J\r\n");
                    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
                }
            });
        }
    });
    let url = format!("redis://127.0.0.1:{port}");
    let r = run(
        &[
            "doctor",
            "--only",
            "redis.reachable",
            "--redis",
            &url,
            "--color",
            "never",
            "--timeout",
            "1s",
        ],
        &[],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{name} holds a raw control character: {text:?}"
        );
    }
    assert!(
        r.stdout.contains("\\x1b") || r.stdout.contains("\\u{1b}"),
        "shown escaped: {}",
        r.stdout
    );
}

// issue 12, defect 32: -v promised probe steps on stderr and printed none
#[test]
fn verbose_logs_each_probe_step_with_its_timing() {
    let Some(srv) = RedisServer::start(&["requirepass step-Zq7-pw"]) else {
        return;
    };
    let url = srv.url().replace("redis://", "redis://:step-Zq7-pw@");
    let r = run(
        &[
            "doctor", "-v", "--only", "redis.*", "--redis", &url, "--sample", "200ms", "--format",
            "json",
        ],
        &[],
    );
    assert!(r.code == 0 || r.code == 4 || r.code == 3, "{}", r.stderr);
    for step in [
        "redis: connecting",
        "redis: connected",
        "redis: waiting for INFO",
        "redis: waiting for CONFIG GET",
    ] {
        assert!(r.stderr.contains(step), "no {step:?} in:\n{}", r.stderr);
    }
    assert!(r.stderr.contains(" us="), "timings: {}", r.stderr);
    assert!(!r.stderr.contains("Zq7") && !r.stdout.contains("Zq7"));
    // without -v, stderr stays quiet
    let r = run(
        &[
            "doctor",
            "--only",
            "redis.reachable",
            "--redis",
            &url,
            "--format",
            "json",
        ],
        &[],
    );
    assert!(!r.stderr.contains("redis: connecting"), "{}", r.stderr);
}

// issue 26 #19: `--only 'cluster.*'` printed "0 checks" (exit 0, even --strict) and
// `--only redis.version` a SKIP (exit 0) for a target that cannot be reached
#[test]
fn an_unreachable_target_fails_whatever_the_selection() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let conn = format!("host=127.0.0.1 port={port} user=postgres");
    for (only, flag, target, reach) in [
        ("cluster.*", "--redis", url.as_str(), "redis.reachable"),
        ("redis.version", "--redis", url.as_str(), "redis.reachable"),
        (
            "postgres.version",
            "--postgres",
            conn.as_str(),
            "postgres.reachable",
        ),
    ] {
        for strict in [false, true] {
            let mut args = vec![flag, target];
            if strict {
                args.push("--strict");
            }
            let r = doctor_json(only, &args, &[("PGPASSWORD", "x")]);
            assert_eq!(r.code, 3, "--only {only}: {}{}", r.stdout, r.stderr);
            let f = r.finding(reach);
            assert_eq!(f["status"], "fail", "--only {only}: {f}");
            assert!(
                f["summary"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("connection refused at 127.0.0.1:{port}")),
                "--only {only}: {f}"
            );
        }
    }
}
