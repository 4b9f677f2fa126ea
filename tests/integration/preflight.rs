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

#[test]
fn hardware_and_overcommit_are_read_below_the_host_root() {
    let root = tempfile::tempdir().unwrap();
    let p = root.path();
    let w = |rel: &str, text: &str| {
        let f = p.join(rel);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, text).unwrap();
    };
    w(
        "proc/meminfo",
        "MemTotal:        1015808 kB\nMemFree:          512000 kB\n",
    );
    w("proc/sys/vm/overcommit_memory", "0\n");
    w("sys/block/sda/queue/rotational", "1\n");
    w("sys/block/nvme0n1/queue/rotational", "0\n");
    w("sys/block/loop0/queue/rotational", "0\n");
    w("sys/devices/system/edac/mc/mc0/ce_count", "5\n");
    w("sys/devices/system/edac/mc/mc0/ue_count", "0\n");
    w(
        "proc/net/route",
        "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\neth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
    );
    w("sys/class/net/eth0/speed", "1000\n");
    let r = run(
        &[
            "preflight",
            "--only",
            "preflight.hardware,preflight.sysctl",
            "--role",
            "redis",
            "--host-root",
            p.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let f = finding(&v, "preflight.hardware");
    assert_eq!(f["status"], "fail", "{f}");
    assert!(
        f["summary"].as_str().unwrap().contains("below 2 GiB"),
        "{f}"
    );
    let ev = |k: &str| {
        crate::support::evidence(&f, k)
            .unwrap_or_else(|| panic!("{k}: {f}"))
            .to_string()
    };
    assert_eq!(ev("disks"), "nvme0n1, sda (rotational)");
    assert_eq!(ev("nvme"), "nvme0n1");
    assert_eq!(ev("ecc"), "1 controller(s), 5 corrected, 0 uncorrected");
    assert_eq!(ev("nics"), "eth0: 1000 Mb/s");
    assert_eq!(finding(&v, "preflight.sysctl")["status"], "warn", "{v}");
}

// issue 17: preflight needs no server running. Before, a plain `preflight` on a node with no
// server yet failed redis.reachable and postgres.reachable against the default addresses.
#[test]
fn plain_preflight_asks_no_server_and_also_writes_junit() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("preflight.xml");
    let spec = format!("junit:{}", xml.display());
    let r = run(
        &["preflight", "--format", "json", "--report", &spec],
        &[("REDISCLI_AUTH", ""), ("PGHOST", "")],
    );
    assert!(matches!(r.code, 0 | 3 | 4), "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"preflight.redis"), "{ids:?}");
    assert!(
        !ids.iter()
            .any(|i| i.starts_with("redis.") || i.starts_with("postgres.")),
        "no server was named: {ids:?}"
    );
    // the JUnit file holds the same findings as the JSON on stdout
    let junit = std::fs::read_to_string(&xml).unwrap();
    assert!(
        junit.contains(&format!("tests=\"{}\"", ids.len())),
        "{junit}"
    );
    for id in &ids {
        assert!(junit.contains(&format!("name=\"{id}\"")), "{id}: {junit}");
    }
    // a bad --report names itself and writes nothing
    let r = run(&["preflight", "--report", "xml:out.xml"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("xml:out.xml"), "{}", r.stderr);
}

// issue 26 #31: `preflight --role redis` failed on the installed nginx's version. A role checks
// only what that role needs: old servers of other roles are not judged.
#[test]
fn a_role_judges_only_its_own_servers() {
    use std::os::unix::fs::PermissionsExt;
    let bin = tempfile::tempdir().unwrap();
    for (name, script) in [
        (
            "nginx",
            "#!/bin/sh\necho 'nginx version: nginx/1.18.0' >&2\n",
        ),
        (
            "redis-server",
            "#!/bin/sh\necho 'Redis server v=6.2.0 sha=00000000:0 malloc=libc bits=64 build=1'\n",
        ),
    ] {
        let p = bin.path().join(name);
        std::fs::write(&p, script).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let status = |role: &str, id: &str| {
        let r = run(
            &[
                "preflight",
                "--only",
                id,
                "--role",
                role,
                "--format",
                "json",
            ],
            &[("PATH", &path)],
        );
        let f = finding(&r.json(), id);
        (
            f["status"].as_str().unwrap().to_string(),
            r.code,
            f["summary"].to_string(),
        )
    };
    // the fake servers are old: their own roles fail on them
    assert_eq!(status("lb", "preflight.proxy").0, "fail");
    assert_eq!(status("redis", "preflight.redis").0, "fail");
    // other roles do not judge them
    let (s, code, summary) = status("redis", "preflight.proxy");
    assert_eq!((s.as_str(), code), ("skip", 0), "{summary}");
    assert!(summary.contains("nginx 1.18.0"), "{summary}");
    let (s, code, summary) = status("postgres", "preflight.redis");
    assert_eq!((s.as_str(), code), ("skip", 0), "{summary}");
}
