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
    let table = "CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric)";
    publisher.psql(table);
    subscriber.psql(table);
    publisher.psql("CREATE TABLE audit (at timestamptz, note text)"); // no primary key
    publisher.psql(
        "INSERT INTO accounts SELECT g, 'owner-' || g, g * 10 FROM generate_series(1, 2500) g",
    );
    publisher.psql("CREATE PUBLICATION pub FOR TABLE accounts");
    subscriber.psql(&format!(
        "CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port={} user=postgres password={PG_PASSWORD} dbname=postgres' PUBLICATION pub",
        publisher.port
    ));
    until(
        "the subscriber copying the table",
        Duration::from_secs(30),
        || subscriber.psql("SELECT count(*) FROM accounts").trim() == "2500",
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
}

#[test]
fn verify_postgres_passes_on_a_standby_and_reports_a_stalled_one_as_lag() {
    use crate::support::{PgCluster, PG_PASSWORD};
    let Some(primary) = PgCluster::start(&[]) else {
        return;
    };
    primary.psql("CREATE TABLE events (id bigint PRIMARY KEY, body text)");
    primary.psql("INSERT INTO events SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
    let replica = primary.start_replica().unwrap();
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
    assert!(
        took < Duration::from_secs(10),
        "took {took:?} with --max-lag 1s"
    );
}
