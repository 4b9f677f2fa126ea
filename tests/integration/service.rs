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
