//! `postgres.rpo` against real clusters: a primary written at a steady rate, its pg_basebackup
//! standby's walreceiver (or a logical subscriber's apply worker) frozen with SIGSTOP for a
//! measured time, judged against `--rpo 1s`, then thawed.

use std::process::Child;
use std::time::{Duration, Instant};

use crate::support::topology::until;
use crate::support::{evidence, run, PgCluster, PG_PASSWORD};

/// The monitoring role's password, planted: it must appear in no output format.
const PLANTED: &str = "rpo-planted-pw-7f3a9c";

/// Thaws a frozen process and ends the writer, whatever way the test ends.
struct Guard {
    frozen: Option<u32>,
    writer: Option<Child>,
}

impl Guard {
    fn thaw(&mut self) {
        if let Some(pid) = self.frozen.take() {
            crate::support::signal_all(&[pid], "CONT");
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.thaw();
        if let Some(mut w) = self.writer.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
    }
}

/// A writer on `pg`: about 100 rows of 1 kB into `table` every 50 ms, committed each time,
/// until killed.
fn writer(pg: &PgCluster, table: &str) -> Child {
    pg.spawn_psql(
        "rpo_writer",
        &format!(
            "DO $$ BEGIN LOOP \
               INSERT INTO {table} (body) SELECT repeat(md5(random()::text), 32) FROM generate_series(1, 100); \
               COMMIT; PERFORM pg_sleep(0.05); END LOOP; END $$"
        ),
    )
}

/// The monitoring role (pg_monitor, the planted password) and its URL.
fn monitor(pg: &PgCluster) -> String {
    pg.psql(&format!(
        "CREATE ROLE rpo_mon LOGIN PASSWORD '{PLANTED}'; GRANT pg_monitor TO rpo_mon"
    ));
    pg.url_as("rpo_mon", PLANTED)
}

fn doctor(url: &str, rpo: Option<&str>, format: &str) -> crate::support::Run {
    let mut args = vec![
        "doctor",
        "--format",
        format,
        "--only",
        "postgres.rpo",
        "--postgres",
        url,
        "--sample",
        "1s",
    ];
    if let Some(rpo) = rpo {
        args.extend(["--rpo", rpo]);
    }
    let r = run(&args, &[]);
    assert!(
        !r.stdout.contains(PLANTED) && !r.stderr.contains(PLANTED),
        "{format}: {}{}",
        r.stdout,
        r.stderr
    );
    r
}

/// The one postgres.rpo finding of a JSON run.
fn finding(url: &str, rpo: Option<&str>) -> serde_json::Value {
    let r = doctor(url, rpo, "json");
    r.finding("postgres.rpo")
}

/// The seconds at risk an evidence value starts with ("2.31 s (…) at risk; …").
fn seconds(value: &str) -> f64 {
    value
        .split_once(" s ")
        .and_then(|(s, _)| s.parse().ok())
        .unwrap_or_else(|| panic!("no seconds in {value:?}"))
}

/// Waits until the primary has written `secs` of WAL past the consumer's flush position,
/// measured from the freeze: a measured stall, not a blind sleep.
fn stall(primary: &PgCluster, app: &str, secs: f64) -> Duration {
    let frozen = Instant::now();
    let sql = format!(
        "SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn), 0)::int8 \
         FROM pg_stat_replication WHERE application_name = '{app}'"
    );
    until(
        "the frozen consumer's bytes at risk to grow",
        Duration::from_secs(60),
        || {
            frozen.elapsed().as_secs_f64() >= secs
                && primary.psql(&sql).parse::<i64>().unwrap_or(0) > 0
        },
    );
    frozen.elapsed()
}

#[test]
fn postgres_rpo_fails_naming_a_frozen_standby_and_passes_once_it_catches_up() {
    let Some(primary) = PgCluster::start(&[]) else {
        return;
    };
    primary.psql("CREATE TABLE w (id bigserial PRIMARY KEY, body text)");
    let standby = primary.start_replica().unwrap();
    let url = monitor(&primary);
    let mut guard = Guard {
        frozen: None,
        writer: Some(writer(&primary, "w")),
    };
    // the standby's walreceiver, streaming
    let mut receiver = 0u32;
    until(
        "the standby's walreceiver streaming",
        Duration::from_secs(30),
        || {
            receiver = standby
                .psql("SELECT pid FROM pg_stat_wal_receiver WHERE status = 'streaming'")
                .parse()
                .unwrap_or(0);
            receiver > 0
        },
    );
    // the walreceiver names itself after cluster_name, else "walreceiver"
    let app = primary.psql("SELECT application_name FROM pg_stat_replication");
    assert!(!app.is_empty(), "no walsender on the primary");

    // streaming: within a 1 s objective
    let mut f = serde_json::Value::Null;
    until(
        "a streaming standby within --rpo 1s",
        Duration::from_secs(60),
        || {
            f = finding(&url, Some("1s"));
            f["status"] == "pass"
        },
    );
    let label = format!("standby {app} from 127.0.0.1");
    let streaming = seconds(evidence(&f, &label).unwrap_or_else(|| panic!("{f}")));
    assert!(streaming <= 1.0, "{f}");

    // without an objective: a skip that still shows the figures
    let f = finding(&url, None);
    assert_eq!(f["status"], "skip", "{f}");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .starts_with("no recovery point objective declared"),
        "{f}"
    );
    assert!(
        evidence(&f, &label).is_some() && evidence(&f, "wal_rate").is_some(),
        "{f}"
    );

    // the walreceiver frozen: the writes since its last flush are at risk
    PgCluster::signal(receiver, "STOP");
    guard.frozen = Some(receiver);
    let stalled = stall(&primary, &app, 3.0);
    let r = doctor(&url, Some("1s"), "json");
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let f = r.finding("postgres.rpo");
    assert_eq!(f["status"], "fail", "{f}");
    let summary = f["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("over the RPO of 1 s: ") && summary.contains(&label),
        "{f}"
    );
    let at_risk = seconds(evidence(&f, &label).unwrap());
    // loose: at least the objective, and not more than the stall and the window allow
    assert!(
        at_risk > 1.0 && at_risk < stalled.as_secs_f64() + 60.0,
        "{at_risk} s at risk after a {stalled:?} freeze: {f}"
    );
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains("synchronous_commit = remote_apply"),
        "{f}"
    );
    eprintln!("frozen {stalled:?}: {at_risk} s at risk; streaming {streaming} s");
    // every format, none with the planted password (doctor() asserts it)
    for format in ["table", "junit", "prometheus"] {
        let r = doctor(&url, Some("1s"), format);
        assert_eq!(r.code, 3, "{format}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("postgres.rpo"), "{format}: {}", r.stdout);
    }

    // thawed, it catches up: within the objective again
    guard.thaw();
    until(
        "the thawed standby within --rpo 1s",
        Duration::from_secs(90),
        || finding(&url, Some("1s"))["status"] == "pass",
    );

    // the standby itself is judged on its primary
    let f = finding(&standby.url_as("postgres", PG_PASSWORD), Some("1s"));
    assert_eq!(f["status"], "skip", "{f}");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("judged on its primary"),
        "{f}"
    );
}

#[test]
fn postgres_rpo_fails_naming_a_frozen_subscription_and_a_role_without_pg_monitor_skips() {
    let Some(publisher) = PgCluster::start(&["wal_level = logical"]) else {
        return;
    };
    let Some(subscriber) = PgCluster::start(&[]) else {
        return;
    };
    for pg in [&publisher, &subscriber] {
        pg.psql("CREATE TABLE w (id bigserial PRIMARY KEY, body text)");
    }
    publisher.psql("CREATE PUBLICATION rpo_pub FOR TABLE w");
    subscriber.psql(&format!(
        "CREATE SUBSCRIPTION rpo_sub CONNECTION 'host=127.0.0.1 port={} user=postgres password={PG_PASSWORD} dbname=postgres' PUBLICATION rpo_pub",
        publisher.port
    ));
    let url = monitor(&publisher);
    let mut guard = Guard {
        frozen: None,
        writer: Some(writer(&publisher, "w")),
    };
    // the apply worker (relid NULL: not a table-sync worker), and rows arriving
    let mut apply = 0u32;
    until("the subscription applying", Duration::from_secs(60), || {
        apply = subscriber
            .psql(
                "SELECT pid FROM pg_stat_subscription WHERE subname = 'rpo_sub' AND relid IS NULL",
            )
            .parse()
            .unwrap_or(0);
        apply > 0 && subscriber.psql("SELECT count(*) > 0 FROM w") == "t"
    });
    let label = "subscription rpo_sub from 127.0.0.1";
    let mut f = serde_json::Value::Null;
    until(
        "an applying subscriber within --rpo 1s",
        Duration::from_secs(60),
        || {
            f = finding(&url, Some("1s"));
            f["status"] == "pass"
        },
    );
    let applying = seconds(evidence(&f, label).unwrap_or_else(|| panic!("{f}")));

    PgCluster::signal(apply, "STOP");
    guard.frozen = Some(apply);
    let stalled = stall(&publisher, "rpo_sub", 3.0);
    let f = finding(&url, Some("1s"));
    assert_eq!(f["status"], "fail", "{f}");
    assert!(f["summary"].as_str().unwrap().contains(label), "{f}");
    let at_risk = seconds(evidence(&f, label).unwrap());
    assert!(at_risk > 1.0, "{f}");
    eprintln!("frozen {stalled:?}: {at_risk} s at risk; applying {applying} s");

    guard.thaw();
    until(
        "the thawed subscriber within --rpo 1s",
        Duration::from_secs(90),
        || finding(&url, Some("1s"))["status"] == "pass",
    );

    // the subscription disabled: its walsender gone, its slot still judged, from the slot's
    // confirmed_flush_lsn
    subscriber.psql("ALTER SUBSCRIPTION rpo_sub DISABLE");
    let slot = "logical slot rpo_sub (disconnected)";
    let mut f = serde_json::Value::Null;
    until(
        "the disconnected slot over --rpo 1s",
        Duration::from_secs(60),
        || {
            f = finding(&url, Some("1s"));
            f["status"] == "fail" && f["summary"].as_str().unwrap().contains(slot)
        },
    );
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains("max_slot_wal_keep_size"),
        "{f}"
    );
    eprintln!("disconnected: {}", evidence(&f, slot).unwrap());

    // without pg_monitor the positions are hidden: a skip naming the grant
    publisher.psql(&format!("CREATE ROLE rpo_app LOGIN PASSWORD '{PLANTED}'"));
    let f = finding(&publisher.url_as("rpo_app", PLANTED), Some("1s"));
    assert_eq!(f["status"], "skip", "{f}");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("GRANT pg_monitor TO rpo_app"),
        "{f}"
    );
}
