//! Issue 18: "connection refused" on a local address names what is true on this host: the
//! unit file that exists and systemd's view of it, or the server listening somewhere else.

use crate::support::{doctor_json, free_port};

fn fixture(units: &[&str], listener: Option<(u16, &str)>) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let p = root.path();
    let w = |rel: &str, text: &str| {
        let f = p.join(rel);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, text).unwrap();
    };
    for u in units {
        w(u, "[Service]\nExecStart=/usr/bin/true\n");
    }
    let mut tcp = String::from("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
    if let Some((port, comm)) = listener {
        tcp += &format!("   0: 0100007F:{port:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 31337 1 0000000000000000 100 0 0 10 0\n");
        std::fs::create_dir_all(p.join("proc/4242/fd")).unwrap();
        std::os::unix::fs::symlink("socket:[31337]", p.join("proc/4242/fd/6")).unwrap();
        w("proc/4242/comm", &format!("{comm}\n"));
    }
    w("proc/net/tcp", &tcp);
    root
}

fn remediation(id: &str, target_flag: &str, target: &str, root: &std::path::Path) -> String {
    let r = doctor_json(
        id,
        &[target_flag, target, "--host-root", root.to_str().unwrap()],
        &[("PGPASSWORD", "x")],
    );
    let f = r.finding(id);
    assert_eq!(f["status"], "fail", "{f}");
    f["remediation"].as_str().unwrap().to_string()
}

#[test]
fn a_refused_redis_names_the_unit_or_the_port_it_listens_on() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    // the server runs, on another port: that is the fix, not a start
    let root = fixture(
        &["lib/systemd/system/redis-server.service"],
        Some((6380, "redis-server")),
    );
    let fix = remediation("redis.reachable", "--redis", &url, root.path());
    assert!(
        fix.contains(&format!(
            "redis-server (pid 4242) is listening on 127.0.0.1:6380, not {port}"
        )),
        "{fix}"
    );
    // another program on 6380 is not the server
    let root = fixture(
        &["lib/systemd/system/redis-server.service"],
        Some((6380, "python3")),
    );
    let fix = remediation("redis.reachable", "--redis", &url, root.path());
    assert!(fix.contains("redis-server.service exists"), "{fix}");
    assert!(
        !fix.contains("systemctl start"),
        "that host's systemd cannot be asked from here: {fix}"
    );
    // a Debian instance of the template
    let root = fixture(
        &[
            "lib/systemd/system/redis-server@.service",
            "etc/redis/redis-sessions.conf",
        ],
        None,
    );
    let fix = remediation("redis.reachable", "--redis", &url, root.path());
    assert!(fix.contains("redis-server@sessions.service"), "{fix}");
    // nothing installed
    let root = fixture(&[], None);
    let fix = remediation("redis.reachable", "--redis", &url, root.path());
    assert!(
        fix.contains("No redis-server unit file") && fix.contains("apt install redis-server"),
        "{fix}"
    );
    assert!(
        fix.contains(&format!(
            "verify with `redis-cli -h 127.0.0.1 -p {port} PING`"
        )),
        "{fix}"
    );
}

#[test]
fn a_refused_postgres_names_the_cluster_unit() {
    let port = free_port();
    let conn = format!("host=127.0.0.1 port={port} user=postgres");
    let root = fixture(
        &[
            "lib/systemd/system/postgresql@.service",
            "lib/systemd/system/postgresql.service",
            "etc/postgresql/15/main/postgresql.conf",
        ],
        None,
    );
    let fix = remediation("postgres.reachable", "--postgres", &conn, root.path());
    assert!(
        fix.contains("Nothing listens on port")
            && fix.contains(": postgresql@15-main.service exists"),
        "{fix}"
    );
}

#[test]
fn on_this_host_the_finding_says_what_systemd_can_do() {
    // no --host-root: this machine's units, and systemd as it is here
    let port = free_port();
    let r = doctor_json(
        "redis.reachable",
        &["--redis", &format!("redis://127.0.0.1:{port}")],
        &[],
    );
    let f = r.finding("redis.reachable");
    let fix = f["remediation"].as_str().unwrap();
    let systemd = std::path::Path::new("/run/systemd/system").is_dir();
    let unit = [
        "/etc/systemd/system",
        "/lib/systemd/system",
        "/usr/lib/systemd/system",
    ]
    .iter()
    .any(|d| {
        std::path::Path::new(d)
            .join("redis-server.service")
            .exists()
    });
    // other redis-servers may listen here (tests in parallel, the distribution's): the
    // remediation may name them; the evidence always says what systemd can do
    use crate::support::evidence;
    if unit {
        assert_eq!(evidence(&f, "unit"), Some("redis-server.service"), "{f}");
        if systemd {
            assert!(evidence(&f, "unit_state").is_some(), "{f}");
        } else {
            assert!(
                evidence(&f, "systemd")
                    .unwrap()
                    .contains("systemd is not running here"),
                "{f}"
            );
            assert!(!fix.contains("`systemctl start"), "{fix}");
        }
    }
    assert!(fix.contains("verify with"), "{fix}");
}

/// The `listening_elsewhere` lines of a finding.
fn elsewhere(f: &serde_json::Value) -> Vec<&str> {
    f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["key"] == "listening_elsewhere")
        .map(|e| e["value"].as_str().unwrap())
        .collect()
}

/// A host root whose /proc holds `listeners`: (pid, comm, proc title, port, IPv6 too).
fn host_with(listeners: &[(u32, &str, &str, u16, bool)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let p = root.path();
    let head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    let (mut tcp, mut tcp6) = (head.to_string(), head.to_string());
    for (i, &(pid, comm, title, port, v6)) in listeners.iter().enumerate() {
        let inode = 50000 + 2 * i;
        tcp += &format!("   {i}: 00000000:{port:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 {inode} 1 0000000000000000 100 0 0 10 0\n");
        let fd = p.join(format!("proc/{pid}/fd"));
        std::fs::create_dir_all(&fd).unwrap();
        std::os::unix::fs::symlink(format!("socket:[{inode}]"), fd.join(format!("{inode}")))
            .unwrap();
        if v6 {
            let inode = inode + 1;
            tcp6 += &format!("   {i}: 00000000000000000000000000000000:{port:04X} 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 {inode} 1 0000000000000000 100 0 0 10 0\n");
            std::os::unix::fs::symlink(format!("socket:[{inode}]"), fd.join(format!("{inode}")))
                .unwrap();
        }
        std::fs::write(p.join(format!("proc/{pid}/comm")), format!("{comm}\n")).unwrap();
        // redis writes its title over argv; the rest of the old argv area stays NUL
        std::fs::write(
            p.join(format!("proc/{pid}/cmdline")),
            format!("{title}\0\0\0\0"),
        )
        .unwrap();
    }
    std::fs::create_dir_all(p.join("proc/net")).unwrap();
    std::fs::write(p.join("proc/net/tcp"), tcp).unwrap();
    std::fs::write(p.join("proc/net/tcp6"), tcp6).unwrap();
    root
}

// issue 26 #37: on a host with a Cluster and Sentinels, a refused redis:// listed 30 lines of
// `listening_elsewhere` (cluster bus ports, sentinels, each address twice) under redis-server
#[test]
fn a_refused_redis_names_only_plausible_listeners_and_what_each_is() {
    // the refused port, with six cluster nodes just above it (their buses 10000 higher)
    let port = std::iter::repeat_with(free_port)
        .find(|p| *p < 55000)
        .unwrap();
    let mut listeners = Vec::new();
    for i in 0..6u16 {
        let (pid, port) = (5000 + u32::from(i), port + 1 + i);
        let title: &'static str = Box::leak(format!("redis-server *:{port} [cluster]").into());
        listeners.push((pid, "redis-server", title, port, true));
        listeners.push((pid, "redis-server", title, port + 10000, true));
    }
    for i in 0..3u16 {
        let port = 26379 + i;
        let title: &'static str = Box::leak(format!("redis-server *:{port} [sentinel]").into());
        listeners.push((6000 + u32::from(i), "redis-server", title, port, true));
    }
    let root = host_with(&listeners);
    let r = doctor_json(
        "redis.reachable",
        &[
            "--redis",
            &format!("redis://127.0.0.1:{port}"),
            "--host-root",
            root.path().to_str().unwrap(),
        ],
        &[],
    );
    let f = r.finding("redis.reachable");
    assert_eq!(f["status"], "fail", "{f}");
    let lines = elsewhere(&f);
    assert!(lines.len() <= 6, "{} lines: {lines:#?}", lines.len());
    for l in &lines {
        assert!(
            !(1..7).any(|i| l.contains(&format!(":{}", port + 10000 + i))),
            "a cluster bus port is no alternative: {l}"
        );
    }
    // each node once, both its addresses on one line, said to be a cluster node
    assert!(
        lines.contains(
            &format!(
                "redis-server pid 5000 on 0.0.0.0:{0}, [::]:{0} (cluster node)",
                port + 1
            )
            .as_str()
        ),
        "{lines:#?}"
    );
    let remaining = lines.iter().find(|l| l.contains("more")).unwrap_or(&"");
    assert!(remaining.contains("sentinel"), "{lines:#?}");
}

// issue 26 #37 on this host: a real cluster node's bus port is never offered, its client port
// is named as a cluster node (read from the title Redis writes over its argv)
#[test]
fn a_real_cluster_node_is_named_and_its_bus_port_left_out() {
    let Some(node) = crate::support::RedisServer::start_cluster_node(&[
        "cluster-enabled yes",
        "cluster-config-file nodes.conf",
    ]) else {
        return;
    };
    // a refused port next to the node's, so the node sorts among the first named
    let Some(port) = [node.port + 1, node.port - 1]
        .into_iter()
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
    else {
        return;
    };
    let r = doctor_json(
        "redis.reachable",
        &["--redis", &format!("redis://127.0.0.1:{port}")],
        &[],
    );
    let f = r.finding("redis.reachable");
    assert_eq!(f["status"], "fail", "{f}");
    let lines = elsewhere(&f);
    let bus = format!(":{}", node.port + 10000);
    assert!(!lines.iter().any(|l| l.contains(&bus)), "{lines:#?}");
    let mine = format!(":{} (cluster node)", node.port);
    assert!(lines.iter().any(|l| l.ends_with(&mine)), "{lines:#?}");
}
