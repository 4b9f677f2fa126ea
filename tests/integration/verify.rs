//! Issue 15 (in part): `verify redis` against a real master and replica whose copy is made to
//! drift by writes on the (writable) replica.

use std::time::Duration;

use crate::support::topology::until;
use crate::support::{run, RedisServer};

/// A master and a writable replica in sync, holding 20 keys (one with a TTL, one a hash).
fn pair(extra: &[&str]) -> Option<(RedisServer, RedisServer)> {
    let master = RedisServer::start(extra)?;
    let mut cfg = vec![
        format!("replicaof 127.0.0.1 {}", master.port),
        "replica-read-only no".to_string(),
    ];
    cfg.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = cfg.iter().map(String::as_str).collect();
    let replica = RedisServer::start(&refs)?;
    until("the replica in sync", Duration::from_secs(20), || {
        replica
            .cli(None, &["INFO", "replication"])
            .contains("master_link_status:up")
    });
    for i in 0..18 {
        master.cli(None, &["SET", &format!("session:{i}"), &format!("v{i}")]);
    }
    master.cli(None, &["SET", "ttl:1", "x", "EX", "1000"]);
    master.cli(None, &["HSET", "hash:1", "a", "1"]);
    until(
        "the replica holding all 20 keys",
        Duration::from_secs(20),
        || replica.cli(None, &["DBSIZE"]) == "20",
    );
    Some((master, replica))
}

fn verify(m: &RedisServer, r: &RedisServer, extra: &[&str]) -> (i32, serde_json::Value) {
    let (pu, ru) = (m.url(), r.url());
    let mut args = vec![
        "verify",
        "redis",
        "--primary",
        &pu,
        "--replica",
        &ru,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = run(&args, &[]);
    let v = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
    (out.code, v)
}

fn differing(v: &serde_json::Value) -> Vec<(String, String)> {
    let mut d: Vec<(String, String)> = v["differing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["key"].as_str().unwrap().to_string(),
                d["difference"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    d.sort();
    d
}

#[test]
fn verify_redis_names_exactly_the_keys_that_drifted() {
    let Some((m, r)) = pair(&[]) else {
        return;
    };
    let (code, v) = verify(&m, &r, &["--full"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["compared"], 20, "{v}");
    // DEBUG is off by default (enable-debug-command no): DUMP, hashed here
    assert_eq!(v["digest"], "DUMP + SHA-256", "{v}");

    r.cli(None, &["SET", "session:3", "tampered"]);
    r.cli(None, &["HSET", "hash:1", "b", "2"]);
    r.cli(None, &["DEL", "session:7"]);
    r.cli(None, &["SET", "stray", "1"]);
    r.cli(None, &["PERSIST", "ttl:1"]);
    let (code, v) = verify(&m, &r, &["--full"]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(
        differing(&v),
        [
            ("hash:1", "value"),
            ("session:3", "value"),
            ("session:7", "missing"),
            ("stray", "extra"),
            ("ttl:1", "ttl"),
        ]
        .map(|(k, d)| (k.to_string(), d.to_string()))
    );
    assert_eq!(
        v["compared"], 21,
        "20 keys of the primary and the stray one: {v}"
    );
    assert!(
        !v.to_string().contains("tampered"),
        "values are never shown"
    );
    // --redact-keys: the same five, as keyed hashes
    let (_, v) = verify(&m, &r, &["--full", "--redact-keys"]);
    let d = differing(&v);
    assert_eq!(d.len(), 5);
    assert!(
        d.iter()
            .all(|(k, _)| k.starts_with("h:") && !k.contains("session")),
        "{v}"
    );
}

#[test]
fn verify_redis_passes_while_the_primary_is_written() {
    let Some((m, r)) = pair(&[]) else {
        return;
    };
    let found = std::process::Command::new("redis-benchmark")
        .arg("--version")
        .output()
        .is_ok();
    if !crate::support::require(found, "redis-benchmark") {
        return;
    }
    // INCR of 20,000 random counters, without pause, through the whole run
    let mut writer = std::process::Command::new("redis-benchmark")
        .args(["-h", "127.0.0.1", "-p", &m.port.to_string()])
        .args([
            "-t",
            "incr",
            "-r",
            "20000",
            "-n",
            "100000000",
            "-c",
            "4",
            "-q",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    until("counters on the replica", Duration::from_secs(20), || {
        r.cli(None, &["DBSIZE"]).parse::<u64>().unwrap_or(0) > 5000
    });
    let calls = m.calls("incr");
    let (code, v) = verify(&m, &r, &["--full"]);
    let during = m.calls("incr") - calls;
    let _ = writer.kill();
    let _ = writer.wait();
    assert!(
        during > 1000,
        "the primary was written during the run ({during} INCRs)"
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["differing"], serde_json::json!([]), "{v}");
    assert!(v["compared"].as_u64().unwrap() > 5000, "{v}");
}

#[test]
fn verify_redis_uses_debug_digest_where_allowed() {
    let Some((m, r)) = pair(&["enable-debug-command yes"]) else {
        return;
    };
    r.cli(None, &["SET", "session:0", "tampered"]);
    let (code, v) = verify(&m, &r, &[]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["digest"], "DEBUG DIGEST-VALUE", "{v}");
    assert_eq!(
        differing(&v),
        [("session:0".to_string(), "value".to_string())]
    );
}

#[test]
fn verify_cache_names_stale_orphaned_and_ttl_less_keys() {
    let Some(pg) = crate::support::PgCluster::start(&[]) else {
        return;
    };
    let Some(redis) = RedisServer::start(&[]) else {
        return;
    };
    pg.psql("CREATE TABLE sessions (id int PRIMARY KEY, payload text NOT NULL)");
    pg.psql("INSERT INTO sessions SELECT g, 'payload-' || g FROM generate_series(1, 10) g");
    for i in 1..=10 {
        redis.cli(
            None,
            &[
                "SET",
                &format!("session:{i}"),
                &format!("payload-{i}"),
                "EX",
                "900",
            ],
        );
    }
    redis.cli(None, &["SET", "other:1", "not mapped"]);
    let map = "session:{id}=SELECT payload FROM sessions WHERE id = $1";
    let (ru, pu) = (redis.url(), pg.url());
    let args = [
        "verify",
        "cache",
        "--redis",
        &ru,
        "--postgres",
        &pu,
        "--map",
        map,
        "--format",
        "json",
    ];
    let env = [("PGPASSWORD", crate::support::PG_PASSWORD)];
    let r = run(&args, &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["compared"], 10, "{v}");

    // two rows change, one goes, one key loses its TTL
    pg.psql("UPDATE sessions SET payload = 'renewed' WHERE id IN (2, 5)");
    pg.psql("DELETE FROM sessions WHERE id = 7");
    redis.cli(None, &["PERSIST", "session:9"]);
    let r = run(&args, &env);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let sorted = |k: &str| {
        let mut x: Vec<String> = v[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        x.sort();
        x
    };
    assert_eq!(sorted("stale"), ["session:2", "session:5"], "{v}");
    assert_eq!(sorted("orphaned"), ["session:7"], "{v}");
    assert_eq!(sorted("without_ttl"), ["session:9"], "{v}");
    assert!(
        !r.stdout.contains("renewed") && !r.stdout.contains("payload-"),
        "values are never shown"
    );
    // a map that does not fit is a usage error naming it
    let bad = [
        "verify",
        "cache",
        "--redis",
        &ru,
        "--postgres",
        &pu,
        "--map",
        "session:{id}",
    ];
    let r = run(&bad, &env);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--map"), "{}", r.stderr);

    // --version-column: JSON documents cached with the row's version; one bumped in the table,
    // one cached without a version, one current
    pg.psql("CREATE TABLE profiles (id int PRIMARY KEY, version int NOT NULL, name text)");
    pg.psql("INSERT INTO profiles VALUES (1, 3, 'ann'), (2, 8, 'bob'), (3, 1, 'cy')");
    for (k, doc) in [
        ("profile:1", r#"{"version": 3, "name": "ann"}"#),
        ("profile:2", r#"{"version": 7, "name": "bob"}"#),
        ("profile:3", r#"{"name": "cy"}"#),
    ] {
        redis.cli(None, &["SET", k, doc, "EX", "900"]);
    }
    let versioned = |column: &str| {
        let map = format!(
            "profile:{{id}}=SELECT name, version::text AS {column} FROM profiles WHERE id = $1"
        );
        let args = [
            "verify",
            "cache",
            "--redis",
            &ru,
            "--postgres",
            &pu,
            "--map",
            &map,
            "--version-column",
            "version",
            "--format",
            "json",
        ];
        run(&args, &env)
    };
    let r = versioned("version");
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (&v["compared"], &v["stale"], &v["unversioned"]),
        (
            &serde_json::json!(3),
            &serde_json::json!(["profile:2"]),
            &serde_json::json!(["profile:3"])
        ),
        "{v}"
    );
    // a version column the query does not return is a usage error naming the flag
    let r = versioned("rev");
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("--version-column version"),
        "{}",
        r.stderr
    );
}

#[test]
fn verify_postgres_names_the_drifted_rows_of_a_logical_subscriber() {
    use crate::support::{PgCluster, PG_PASSWORD};
    let Some(publisher) = PgCluster::start(&["wal_level = logical"]) else {
        return;
    };
    let Some(subscriber) = PgCluster::start(&[]) else {
        return;
    };
    for table in [
        "CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric)",
        "CREATE TABLE audit (at timestamptz, note text)", // no primary key
        "CREATE TABLE ledger (tenant int, seq int, amount numeric, PRIMARY KEY (tenant, seq))",
    ] {
        publisher.psql(table);
        subscriber.psql(table);
    }
    // not published (and absent on the subscriber): not compared
    publisher.psql("CREATE TABLE notes (id int PRIMARY KEY, body text)");
    publisher.psql(
        "INSERT INTO accounts SELECT g, 'owner-' || g, g * 10 FROM generate_series(1, 2500) g",
    );
    publisher.psql(
        "INSERT INTO ledger SELECT t, s, t * s FROM generate_series(1, 3) t, generate_series(1, 40) s",
    );
    publisher.psql("CREATE PUBLICATION pub FOR TABLE accounts, audit, ledger");
    subscriber.psql(&format!(
        "CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port={} user=postgres password={PG_PASSWORD} dbname=postgres' PUBLICATION pub",
        publisher.port
    ));
    until(
        "the subscriber copying the table",
        Duration::from_secs(30),
        || {
            subscriber.psql(
                "SELECT (SELECT count(*) FROM accounts) || '/' || (SELECT count(*) FROM ledger)",
            ) == "2500/120"
        },
    );
    let (pu, su) = (publisher.url(), subscriber.url());
    let args = [
        "verify",
        "postgres",
        "--primary",
        &pu,
        "--replica",
        &su,
        "--chunk-rows",
        "500",
        "--format",
        "json",
    ];
    let env = [("PGPASSWORD", PG_PASSWORD)];
    let r = run(&args, &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["replication"], "logical", "{v}");
    let tables = v["tables"].as_array().unwrap();
    let names: Vec<&str> = tables
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["public.accounts", "public.audit", "public.ledger"],
        "the publication's tables, not public.notes: {v}"
    );
    let statuses: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("verify.postgres.lag", "pass"),
            ("verify.postgres.table", "pass"),
            ("verify.postgres.table", "skip"),
            ("verify.postgres.table", "pass"),
        ],
        "{v}"
    );
    let accounts = tables
        .iter()
        .find(|t| t["table"] == "public.accounts")
        .unwrap();
    assert_eq!(
        (accounts["rows"].as_i64(), accounts["chunks"].as_u64()),
        (Some(2500), Some(6)),
        "{v} {}",
        r.stderr
    );
    let audit = tables
        .iter()
        .find(|t| t["table"] == "public.audit")
        .unwrap();
    assert!(
        audit["skipped"]
            .as_str()
            .unwrap()
            .contains("no primary key"),
        "{v}"
    );

    // --chunk-time: quick chunks double (500, 1000, then the open rest): 3 chunks, same rows
    let mut timed = args.to_vec();
    timed.extend(["--chunk-time", "10s"]);
    let r = run(&timed, &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let accounts = &v["tables"][0];
    assert_eq!(accounts["table"], "public.accounts", "{v}");
    assert_eq!(
        (accounts["rows"].as_i64(), accounts["chunks"].as_u64()),
        (Some(2500), Some(3)),
        "{v}"
    );

    // drift made on the subscriber: 3 rows changed, 1 deleted, 1 extra
    subscriber.psql("UPDATE accounts SET balance = balance + 1 WHERE id IN (7, 1200, 2499)");
    subscriber.psql("DELETE FROM accounts WHERE id = 1800");
    subscriber.psql("INSERT INTO accounts VALUES (9001, 'stray', 0)");
    subscriber.psql("UPDATE ledger SET amount = -1 WHERE tenant = 2 AND seq = 17");
    let r = run(&args, &env);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let accounts = v["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "public.accounts")
        .unwrap()
        .clone();
    let mut got: Vec<(String, String)> = accounts["differing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d[0].as_str().unwrap().to_string(),
                d[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, String)> = [
        ("1200", "differs"),
        ("1800", "missing"),
        ("2499", "differs"),
        ("7", "differs"),
        ("9001", "extra"),
    ]
    .map(|(k, d)| (k.to_string(), d.to_string()))
    .into();
    assert_eq!(got, want, "{v}");
    assert!(!r.stdout.contains("owner-"), "row values are never shown");
    let ledger = &v["tables"][2];
    assert_eq!(ledger["key"], serde_json::json!(["tenant", "seq"]), "{v}");
    assert_eq!(
        ledger["differing"],
        serde_json::json!([["(2,17)", "differs"]]),
        "{v}"
    );
    let table_findings: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "verify.postgres.table" && f["status"] == "fail")
        .collect();
    assert_eq!(table_findings.len(), 2, "{v}");
    assert!(
        table_findings[0]["summary"].as_str().unwrap().starts_with(
            "5 row(s) differ: 1 missing on the replica, 1 extra on it, 3 with other values"
        ),
        "{v}"
    );

    // the same as text, and as JUnit for a CI job
    let text: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--format" && *a != "json")
        .collect();
    let r = run(&text, &env);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    for want in [
        "FAIL  public.accounts: 5 row(s) differ",
        "key 1800  missing on the replica",
        "key 9001  extra on the replica",
        "key (2,17)  differs",
        "SKIP  public.audit: no primary key",
        "Remediation: Find who writes to the replica",
    ] {
        assert!(r.stdout.contains(want), "{want:?} in\n{}", r.stdout);
    }
    assert!(!r.stdout.contains("owner-"), "row values are never shown");
    let mut junit = text.clone();
    junit.extend(["--format", "junit"]);
    let r = run(&junit, &env);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("<testsuites") && r.stdout.matches("<failure").count() == 2,
        "{}",
        r.stdout
    );
}

/// A primary with `rows` rows in public.events, and its pg_basebackup standby.
fn standby_with_events(
    rows: u32,
) -> Option<(crate::support::PgCluster, crate::support::PgCluster)> {
    let primary = crate::support::PgCluster::start(&[])?;
    primary.psql("CREATE TABLE events (id bigint PRIMARY KEY, body text)");
    primary.psql(&format!(
        "INSERT INTO events SELECT g, md5(g::text) FROM generate_series(1, {rows}) g"
    ));
    let replica = primary.start_replica().unwrap();
    Some((primary, replica))
}

// issue 26 #33: a replica down at the start was one line on stderr and exit 1; it is the
// verify.postgres.lag finding, in the asked format, exit 3
#[test]
fn verify_postgres_with_the_replica_down_reports_it_in_the_asked_format() {
    use crate::support::{free_port, PgCluster, PG_PASSWORD};
    let Some(primary) = PgCluster::start(&[]) else {
        return;
    };
    let down = format!("postgresql://postgres@127.0.0.1:{}/postgres", free_port());
    let pu = primary.url();
    let env = [("PGPASSWORD", PG_PASSWORD)];
    let args = |format: &'static str| {
        vec![
            "verify",
            "postgres",
            "--primary",
            pu.as_str(),
            "--replica",
            down.as_str(),
            "--format",
            format,
        ]
    };
    let r = run(&args("json"), &env);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let f = &v["findings"][0];
    assert_eq!(f["id"], "verify.postgres.lag", "{v}");
    assert_eq!(f["status"], "fail", "{v}");
    let summary = f["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("--replica: connection refused at 127.0.0.1:"),
        "{v}"
    );
    assert_eq!(
        crate::support::evidence(f, "failure"),
        Some("refused"),
        "{v}"
    );
    assert_eq!(v["unreached"]["side"], "--replica", "{v}");
    let r = run(&args("junit"), &env);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("<testsuites") && r.stdout.contains("verify.postgres.lag"),
        "{}",
        r.stdout
    );
    let r = run(&args("table"), &env);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("FAIL  --replica: connection refused"),
        "{}",
        r.stdout
    );
}

#[test]
fn verify_postgres_passes_on_a_standby_and_reports_a_stalled_one_as_lag() {
    use crate::support::{PgCluster, PG_PASSWORD};
    let Some((primary, replica)) = standby_with_events(20000) else {
        return;
    };
    let (pu, ru) = (primary.url(), replica.url());
    let env = [("PGPASSWORD", PG_PASSWORD)];
    let args = [
        "verify",
        "postgres",
        "--primary",
        &pu,
        "--replica",
        &ru,
        "--table",
        "public.events",
        "--chunk-rows",
        "3000",
        "--max-lag",
        "1s",
        "--format",
        "json",
    ];
    // rows written just before: the LSN wait lets the standby replay them first
    primary.psql("INSERT INTO events SELECT g, 'late' FROM generate_series(20001, 20500) g");
    let r = run(&args, &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["replication"], "physical", "{v}");
    assert_eq!(v["tables"][0]["rows"], 20500, "{v}");

    // the standby's WAL receiver stopped: replay stalls, and verify says so within --max-lag
    let receivers = replica.processes("walreceiver");
    assert!(!receivers.is_empty(), "no walreceiver process found");
    for p in &receivers {
        PgCluster::signal(*p, "STOP");
    }
    primary.psql("INSERT INTO events VALUES (99999, 'unreplayed')");
    let started = std::time::Instant::now();
    let r = run(&args, &env);
    let took = started.elapsed();
    for p in &receivers {
        PgCluster::signal(*p, "CONT");
    }
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["caught_up"], false, "{v}");
    assert_eq!(v["findings"][0]["id"], "verify.postgres.lag", "{v}");
    assert_eq!(v["findings"][0]["status"], "fail", "{v}");
    assert!(
        took < Duration::from_secs(10),
        "took {took:?} with --max-lag 1s"
    );

    // the whole standby frozen (SIGSTOP) while verify waits for it: a lag finding, not a hang
    for p in &receivers {
        PgCluster::signal(*p, "STOP");
    }
    primary.psql("INSERT INTO events VALUES (100000, 'unreplayed too')");
    let mut slow = args.to_vec();
    let at = slow.iter().position(|a| *a == "1s").unwrap();
    slow[at] = "4s";
    // the previous run's backend may linger on the standby: wait for this run's own
    let since = replica.psql("SELECT now()");
    let mut child = crate::support::statectl()
        .args(&slow)
        .env("PGPASSWORD", PG_PASSWORD)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // statectl is polling the standby for replay (past connecting and asking whether it is a
    // standby, each bounded by --timeout alone): now freeze every process of it
    replica.wait_backend(
        "statectl",
        &format!("backend_start > '{since}' AND query LIKE '%pg_last_wal_replay_lsn() >=%'"),
    );
    let frozen = replica.all_processes();
    let signal_all = crate::support::signal_all;
    signal_all(&frozen, "STOP");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > Duration::from_secs(20) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    signal_all(&frozen, "CONT");
    signal_all(&receivers, "CONT");
    let Some(status) = status else {
        let _ = child.kill();
        panic!("verify postgres hung on a frozen standby");
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        status.code(),
        Some(3),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            v["caught_up"].as_bool(),
            v["findings"][0]["status"].as_str()
        ),
        (Some(false), Some("fail")),
        "{v}"
    );
}

#[test]
fn verify_postgres_passes_while_the_primary_is_written_and_pauses_for_max_load() {
    use crate::support::PG_PASSWORD;
    let Some((primary, replica)) = standby_with_events(100000) else {
        return;
    };
    let (pu, ru) = (primary.url(), replica.url());
    let env = [("PGPASSWORD", PG_PASSWORD)];
    let args = [
        "verify",
        "postgres",
        "--primary",
        &pu,
        "--replica",
        &ru,
        "--chunk-rows",
        "1000",
        "--format",
        "json",
    ];
    // 50 random rows updated and one inserted past the end per commit, a commit every few ms (not
    // flat out: the suite shares two cores), all through the run: most chunks see a commit
    // between the two sides' snapshots
    let mut writer = primary.spawn_psql(
        "writer",
        "DO $$ BEGIN FOR i IN 1..1000000 LOOP \
           UPDATE events SET body = md5(random()::text) \
             WHERE id IN (SELECT 1 + (random() * 99999)::int FROM generate_series(1, 50)); \
           INSERT INTO events VALUES (100000 + i, 'new'); COMMIT; PERFORM pg_sleep(0.005); \
         END LOOP; END $$",
    );
    primary.wait_backend("writer", "state = 'active'");
    let before: i64 = primary.psql("SELECT count(*) FROM events").parse().unwrap();
    // a chunk must differ for real, however the two cores are shared: once verify compares
    // chunks, the replica's replay is paused (its snapshots then miss the writer's commits),
    // and resumed once verify waits for the replica to reach the primary's LSN
    let r = std::thread::scope(|s| {
        let verify = s.spawn(|| run(&args, &env));
        let verify_runs = |query: &str| {
            replica.psql(&format!(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() \
                   AND query LIKE '%{query}%'"
            )) != "0"
        };
        let mut step = 0;
        let start = std::time::Instant::now();
        while !verify.is_finished() && start.elapsed() < Duration::from_secs(60) {
            if step == 0 && verify_runs("hashtextextended") {
                replica.psql("SELECT pg_wal_replay_pause()");
                step = 1;
            } else if step == 1 && verify_runs("pg_last_wal_replay_lsn() >=") {
                replica.psql("SELECT pg_wal_replay_resume()");
                step = 2;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        replica.psql("SELECT pg_wal_replay_resume()");
        verify.join().unwrap()
    });
    let after: i64 = primary.psql("SELECT count(*) FROM events").parse().unwrap();
    let _ = writer.kill();
    let _ = writer.wait();
    // the server runs the DO block on without its client: end the backend too
    primary.psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'writer'",
    );
    assert!(
        after > before,
        "the writer wrote during the run ({before} → {after})"
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let t = &v["tables"][0];
    assert_eq!(t["table"], "public.events", "{v}");
    assert!(t["rows"].as_i64().unwrap() >= before, "{v}");
    assert_eq!(t["differing"], serde_json::json!([]), "{v}");
    // the writes did land between the two sides' snapshots, and were settled, not reported
    assert!(t["rechecked"].as_u64().unwrap() >= 1, "{v}");
    assert_eq!(t["changed_during"], serde_json::json!([]), "{v}");

    // --max-load 0 with one busy backend on the primary: verify waits for it, then passes
    let mut sleeper = primary.spawn_psql("sleeper", "SELECT pg_sleep(2)");
    primary.wait_backend("sleeper", "state = 'active'");
    let mut loaded = args.to_vec();
    loaded.extend(["--max-load", "0"]);
    let r = run(&loaded, &env);
    let _ = sleeper.wait();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["paused_ms"].as_u64().unwrap() >= 500, "{v}");
    assert!(
        r.stderr
            .contains("pausing: 1 active backends on the primary, more than --max-load 0"),
        "{}",
        r.stderr
    );
}
