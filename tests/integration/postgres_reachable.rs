//! `postgres.reachable` against a real cluster: up, refused, wrong password, not PostgreSQL.

use crate::support::{doctor_json, evidence, free_port, run, PgCluster, RedisServer, PG_PASSWORD};

#[test]
fn up_with_password_from_pgpassword_url_or_pgpass() {
    let Some(pg) = PgCluster::start(&[]) else {
        return;
    };
    let args = [
        "doctor",
        "--format",
        "json",
        "--only",
        "postgres.reachable,postgres.version",
        "--postgres",
        &pg.url(),
    ];
    let r = run(&args, &[("PGPASSWORD", PG_PASSWORD)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let f = r.finding("postgres.reachable");
    assert_eq!(f["status"], "pass");
    assert_eq!(f["target"], pg.url());
    assert_eq!(r.finding("postgres.version")["status"], "pass");
    assert!(
        evidence(&r.finding("postgres.version"), "server_version_num")
            .unwrap()
            .parse::<u32>()
            .unwrap()
            >= 150000
    );

    // key=value form with the PG* variables filling the gaps, password from a pgpass file
    let pgpass = pg.dir.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("127.0.0.1:{}:*:postgres:{PG_PASSWORD}\n", pg.port),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let port = pg.port.to_string();
    let by_pgpass = || {
        doctor_json(
            "postgres.reachable",
            &["--postgres", "host=127.0.0.1 dbname=postgres"],
            &[
                ("PGPORT", &port),
                ("PGUSER", "postgres"),
                ("PGPASSFILE", pgpass.to_str().unwrap()),
            ],
        )
    };
    let r = by_pgpass();
    assert_eq!(
        r.finding("postgres.reachable")["status"],
        "pass",
        "{}",
        r.stdout
    );

    // issue 26 item 40: a pgpass file others can read was ignored silently, and the failure
    // named ~/.pgpass though PGPASSFILE named another file. libpq warns, naming the file.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = by_pgpass();
    let warning = format!(
        "password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
        pgpass.display()
    );
    assert!(r.stderr.contains(&warning), "{}", r.stderr);
    let f = r.finding("postgres.reachable");
    assert_eq!(evidence(&f, "failure"), Some("auth"), "{f}");
    let text = f.to_string();
    assert!(
        text.contains(pgpass.to_str().unwrap()) && !text.contains("~/.pgpass"),
        "{text}"
    );
}

#[test]
fn wrong_password_fails_and_is_never_printed() {
    let Some(pg) = PgCluster::start(&[]) else {
        return;
    };
    let secret = "Not-The-Pg-Secret";
    let url = format!(
        "postgresql://postgres:{secret}@127.0.0.1:{}/postgres",
        pg.port
    );
    for format in ["json", "table", "junit", "prometheus"] {
        let r = run(
            &[
                "doctor",
                "--format",
                format,
                "--only",
                "postgres.reachable",
                "--postgres",
                &url,
            ],
            &[],
        );
        assert_eq!(r.code, 3, "{format}");
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "{format} leaked the password"
        );
    }
    let r = doctor_json("postgres.reachable", &["--postgres", &url], &[]);
    let f = r.finding("postgres.reachable");
    assert_eq!(f["status"], "fail");
    assert_eq!(evidence(&f, "failure"), Some("auth"), "{f}");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("password authentication failed"),
        "{f}"
    );
    // no password anywhere
    let r = doctor_json(
        "postgres.reachable",
        &["--postgres", &pg.url()],
        &[("HOME", "/nonexistent")],
    );
    assert_eq!(
        evidence(&r.finding("postgres.reachable"), "failure"),
        Some("auth")
    );
}

#[test]
fn refused_and_not_postgres() {
    let port = free_port();
    let conn = format!("host=127.0.0.1 port={port} user=postgres");
    let r = doctor_json("postgres.*", &["--postgres", &conn], &[]);
    assert_eq!(r.code, 3);
    let f = r.finding("postgres.reachable");
    assert_eq!(evidence(&f, "failure"), Some("refused"));
    assert!(f["summary"]
        .as_str()
        .unwrap()
        .contains(&format!("127.0.0.1:{port}")));
    assert_eq!(r.finding("postgres.version")["status"], "skip");

    let Some(redis) = RedisServer::start(&[]) else {
        return;
    };
    let conn = format!("host=127.0.0.1 port={} user=postgres", redis.port);
    let r = doctor_json(
        "postgres.reachable",
        &["--timeout", "1s", "--postgres", &conn],
        &[],
    );
    let f = r.finding("postgres.reachable");
    assert_eq!(f["status"], "fail", "{f}");
    assert_ne!(evidence(&f, "failure"), Some("refused"), "{f}");
}

// issue 26 #32: a peer that talks first (a banner) or a Redis port, probed as PostgreSQL, was
// "no answer … (SIGSTOP)": it answered, so it is a protocol failure naming what answered
#[test]
fn a_banner_or_a_redis_port_is_a_protocol_failure_naming_what_answered() {
    use std::io::{Read, Write};
    fn banner(mut s: std::net::TcpStream, text: &[u8]) {
        let _ = s.write_all(text);
        // then silent until the client gives up, as an SSH or SMTP server waits for its peer
        let _ = s.read_to_end(&mut Vec::new());
    }
    let ssh = crate::faults::fake(|s| banner(s, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"));
    let smtp = crate::faults::fake(|s| banner(s, b"220 mail.example ESMTP Postfix\r\n"));
    let Some(redis) = RedisServer::start(&[]) else {
        return;
    };
    for (port, looks) in [(ssh, "SSH"), (smtp, ""), (redis.port, "Redis")] {
        for mode in ["prefer", "disable"] {
            let conn = format!("host=127.0.0.1 port={port} user=postgres sslmode={mode}");
            let r = doctor_json(
                "postgres.reachable",
                &["--timeout", "1s", "--postgres", &conn],
                &[],
            );
            assert_eq!(r.code, 3, "{conn}: {}", r.stderr);
            let f = r.finding("postgres.reachable");
            assert_eq!(evidence(&f, "failure"), Some("protocol"), "{conn}: {f}");
            let summary = f["summary"].as_str().unwrap();
            assert!(
                summary.contains("not as a PostgreSQL server"),
                "{conn}: {f}"
            );
            if !looks.is_empty() {
                assert!(
                    summary.contains(&format!("looks like {looks}")),
                    "{conn}: {f}"
                );
            }
            assert!(!f.to_string().contains("SIGSTOP"), "{conn}: {f}");
        }
    }
}

// issue 12, defect 24: the default role was `postgres` when $USER was unset; libpq and psql use
// the OS user name
#[test]
fn the_default_role_is_the_os_user_as_in_libpq() {
    let me = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let me = String::from_utf8_lossy(&me.stdout).trim().to_string();
    let mut c = crate::support::statectl();
    c.args([
        "doctor",
        "--only",
        "postgres.reachable",
        "--timeout",
        "300ms",
        "--format",
        "json",
    ])
    .args(["--postgres", "host=127.0.0.1 port=1"])
    .env_remove("USER")
    .env_remove("LOGNAME");
    let out = c.output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let target = v["findings"][0]["target"].as_str().unwrap();
    assert!(
        target.starts_with(&format!("postgresql://{me}@")),
        "{target}"
    );
}
