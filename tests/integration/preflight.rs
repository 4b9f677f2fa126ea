//! Issue 17 (in part): `statectl preflight` on this machine's real binaries, and the state ports
//! read through the host-root seam from a small /proc fixture.

use crate::support::run;

fn finding(v: &serde_json::Value, id: &str) -> serde_json::Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {v}"))
        .clone()
}

fn banner(program: &str, arg: &str) -> Option<String> {
    let out = std::process::Command::new(program).arg(arg).output().ok()?;
    Some(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

#[test]
fn preflight_reads_the_installed_servers_versions() {
    let Some(redis) = banner("redis-server", "--version") else {
        assert!(!crate::support::in_ci(), "redis-server is not installed");
        return;
    };
    let r = run(
        &["preflight", "--only", "preflight.*", "--format", "json"],
        &[],
    );
    assert!(
        r.code == 0 || r.code == 3 || r.code == 4,
        "{}{}",
        r.stdout,
        r.stderr
    );
    let v = r.json();
    // the version preflight read is the one the binary prints
    let f = finding(&v, "preflight.redis");
    let version = crate::support::evidence(&f, "version").unwrap_or_else(|| panic!("{f}"));
    assert!(
        redis.contains(&format!("v={version} ")),
        "{version} in {redis}"
    );
    assert_eq!(f["status"], "pass", "Debian 12's Redis 7.0: {f}");
    let f = finding(&v, "preflight.postgres");
    assert_eq!(f["status"], "pass", "Debian 12's PostgreSQL 15: {f}");
    // Debian 12 ships nginx 1.22 and HAProxy 2.6: below the brief's 1.24 and 2.8
    if let Some(nginx) = banner("nginx", "-v") {
        let f = finding(&v, "preflight.proxy");
        if nginx.contains("nginx/1.22") {
            assert_eq!(f["status"], "fail", "{f}");
            assert!(f["summary"].as_str().unwrap().contains("below 1.24"), "{f}");
        }
    }
    for id in ["preflight.ports", "preflight.privileges"] {
        assert_ne!(finding(&v, id)["status"], "error", "{v}");
    }
    // a postgres node does not need redis-server: with it missing from PATH, skip, not fail
    let r = run(
        &[
            "preflight",
            "--only",
            "preflight.redis",
            "--role",
            "postgres",
            "--format",
            "json",
        ],
        &[("PATH", "/nonexistent")],
    );
    assert_eq!(
        finding(&r.json(), "preflight.redis")["status"],
        "skip",
        "{}",
        r.stdout
    );
    let r = run(
        &["preflight", "--only", "preflight.redis", "--format", "json"],
        &[("PATH", "/nonexistent")],
    );
    assert_eq!(
        finding(&r.json(), "preflight.redis")["status"],
        "fail",
        "{}",
        r.stdout
    );
    let r = run(&["preflight", "--role", "cache"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cache"), "{}", r.stderr);
}

#[test]
fn a_stranger_on_a_state_port_is_named() {
    // a /proc with one process (python3, pid 4242) listening on 6379
    let root = tempfile::tempdir().unwrap();
    let p = root.path();
    std::fs::create_dir_all(p.join("proc/net")).unwrap();
    std::fs::create_dir_all(p.join("proc/4242/fd")).unwrap();
    std::fs::write(
        p.join("proc/net/tcp"),
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 31337 1 0000000000000000 100 0 0 10 0\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("socket:[31337]", p.join("proc/4242/fd/3")).unwrap();
    std::fs::write(p.join("proc/4242/comm"), "python3\n").unwrap();
    let root_arg = p.to_str().unwrap();
    let r = run(
        &[
            "preflight",
            "--only",
            "preflight.ports",
            "--host-root",
            root_arg,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let f = finding(&r.json(), "preflight.ports");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("port 6379 is held by python3 (pid 4242)"),
        "{f}"
    );
    // the same socket owned by redis-server passes
    std::fs::write(p.join("proc/4242/comm"), "redis-server\n").unwrap();
    let r = run(
        &[
            "preflight",
            "--only",
            "preflight.ports",
            "--host-root",
            root_arg,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        finding(&r.json(), "preflight.ports")["status"],
        "pass",
        "{}",
        r.stdout
    );
}
