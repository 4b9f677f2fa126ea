//! PostgreSQL checks.

use super::{unreachable_verdict, Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::postgres::{PostgresDetail, PostgresSnapshot};
use crate::observe::ProbeError;

const BOTH: &[Tag] = &[Tag::Doctor, Tag::Preflight];
const DOCTOR: &[Tag] = &[Tag::Doctor];

/// The PostgreSQL checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "postgres.reachable",
        area: Area::Postgres,
        tags: BOTH,
        doc: "TCP connect, authentication and a first query within --timeout; fails on refused, timeout, wrong password or a non-PostgreSQL peer",
        full: false,
        eval: Eval::PostgresReach(reachable),
    },
    Check {
        id: "postgres.version",
        area: Area::Postgres,
        tags: BOTH,
        doc: "server_version_num is at least {postgres.min_version_num} (postgres.min_version_num)",
        full: false,
        eval: Eval::Postgres(version),
    },
    Check {
        id: "postgres.logical_replication",
        area: Area::Postgres,
        tags: BOTH,
        doc: "wal_level other than logical fails, as does max_replication_slots or max_wal_senders at 0; a change waiting for a restart is reported",
        full: true,
        eval: Eval::Postgres(logical_replication),
    },
    Check {
        id: "postgres.deadlocks",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "deadlocks in pg_stat_database rising in the window fail; backends blocked now (pg_blocking_pids) fail, naming the pids and the pg_terminate_backend to run",
        full: true,
        eval: Eval::Postgres(deadlocks),
    },
    Check {
        id: "postgres.connections",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "client backends/max_connections above {postgres.connections_warn_ratio} warns, above {postgres.connections_fail_ratio} fails; superuser_reserved_connections 0 warns",
        full: true,
        eval: Eval::Postgres(connections),
    },
    Check {
        id: "postgres.idle_in_transaction",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "a session idle in transaction for more than {postgres.idle_in_transaction_warn_s} s warns",
        full: true,
        eval: Eval::Postgres(idle_in_transaction),
    },
    Check {
        id: "postgres.replication",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "replay_lag above {postgres.replay_lag_warn_s} s or an inactive slot warns; wal_status unreserved or lost fails; max_slot_wal_keep_size -1 with slots warns",
        full: true,
        eval: Eval::Postgres(replication),
    },
    Check {
        id: "postgres.wraparound",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "age(datfrozenxid) above {postgres.xid_age_warn} warns, above {postgres.xid_age_fail} fails",
        full: true,
        eval: Eval::Postgres(wraparound),
    },
    Check {
        id: "postgres.checkpoints",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "requested checkpoints above {postgres.checkpoint_req_warn_ratio:%} of all since the statistics were reset warn (max_wal_size fills before checkpoint_timeout); read from pg_stat_checkpointer on 17 and later, pg_stat_bgwriter before; skip below {postgres.checkpoint_min_count} checkpoints, or naming the version when its view cannot be read",
        full: true,
        eval: Eval::Postgres(checkpoints),
    },
    Check {
        id: "postgres.durability",
        area: Area::Postgres,
        tags: BOTH,
        doc: "fsync off or full_page_writes off fails",
        full: true,
        eval: Eval::Postgres(durability),
    },
    Check {
        id: "postgres.security",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "password_encryption other than scram-sha-256 warns; a trust rule for non-local hosts in pg_hba fails (skip when the role cannot read pg_hba_file_rules); TLS: postgres.tls, postgres.tls_config",
        full: true,
        eval: Eval::Postgres(security),
    },
    Check {
        id: "postgres.tls",
        area: Area::Postgres,
        tags: BOTH,
        doc: "a live SSLRequest and handshake: TLS 1.3 passes, 1.2 warns, lower fails; a certificate that does not verify against the CA in force (sslrootcert, the system store) fails; expiry within {tls.expiry_warn_days} days warns, {tls.expiry_fail_days} fails; skip for sslmode=disable, Unix sockets and servers without ssl",
        full: false,
        eval: Eval::Tls(tls),
    },
    Check {
        id: "postgres.tls_config",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "ssl off, ssl_min_protocol_version below TLSv1.3, or remote clients connected without TLS (pg_stat_ssl, naming client_addr and user) warns; skip, naming GRANT pg_read_all_settings, when pg_settings hides the ssl settings from the role",
        full: true,
        eval: Eval::Postgres(tls_config),
    },
    Check {
        id: "postgres.tls_files",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "for a local server: ssl_cert_file and ssl_ca_file expiring within {tls.expiry_warn_days} days warn, {tls.expiry_fail_days} fail; an ssl_key_file that does not match ssl_cert_file fails; skip, naming GRANT pg_read_all_settings, when pg_settings hides the file settings from the role",
        full: true,
        eval: Eval::Postgres(tls_files),
    },
];

/// `postgres.tls`.
pub fn tls(look: Option<&crate::observe::TlsLook>, addr: &str, t: &Ctx) -> Verdict {
    super::tls::live(look, addr, super::tls::POSTGRES, t)
}

/// `postgres.tls_files`.
pub fn tls_files(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    match detail(s) {
        Ok(d) => match hidden_settings(d, crate::observe::postgres::CERT_FILE_SETTINGS) {
            Some(skip) => skip,
            None => super::tls::files(d.cert_files.as_ref(), t),
        },
        Err(skip) => skip,
    }
}

/// A skip naming the settings pg_settings hides from this role (superuser-only ones: the
/// ssl_* files and versions, data_directory) and the grant that shows them; None when all are
/// readable. A hidden setting is never judged as if it were unset.
fn hidden_settings(d: &PostgresDetail, names: &[&str]) -> Option<Verdict> {
    let hidden: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !d.settings.contains_key(*n))
        .collect();
    if hidden.is_empty() {
        return None;
    }
    Some(
        Verdict::skip(format!(
            "role {} cannot read {}: pg_settings shows them only to superusers and members of pg_read_all_settings",
            d.role,
            hidden.join(", ")
        ))
        .with("role", &d.role)
        .fix(format!(
            "GRANT pg_read_all_settings TO {}; (or run as a superuser), then rerun",
            d.role
        )),
    )
}

/// `postgres.tls_config`.
pub fn tls_config(s: &PostgresSnapshot, _t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    if let Some(skip) = hidden_settings(d, &["ssl", "ssl_min_protocol_version"]) {
        return skip;
    }
    let ssl = setting(d, "ssl");
    let min = setting(d, "ssl_min_protocol_version");
    let mut v = Verdict::pass("ssl on, TLS 1.3 minimum, no remote client in clear text")
        .with("ssl", ssl)
        .with("ssl_min_protocol_version", min)
        .with(
            "ssl_max_protocol_version",
            match setting(d, "ssl_max_protocol_version") {
                "" => "(none)",
                m => m,
            },
        );
    if ssl != "on" {
        v.escalate(
            Status::Warn,
            "ssl is off: credentials and state cross the network in clear text".into(),
            "Set ssl = on with ssl_cert_file/ssl_key_file and ssl_min_protocol_version = 'TLSv1.3' (reload), and require hostssl in pg_hba.conf; verify with `statectl doctor --only postgres.tls`",
        );
        return v;
    }
    if min != "TLSv1.3" {
        v.escalate(
            Status::Warn,
            format!("ssl_min_protocol_version is {}: the brief requires TLS 1.3", if min.is_empty() { "unset" } else { min }),
            "ALTER SYSTEM SET ssl_min_protocol_version = 'TLSv1.3'; SELECT pg_reload_conf(); check clients first with `statectl doctor --only postgres.tls`",
        );
    }
    match &d.plain_clients {
        Ok(clients) if !clients.is_empty() => {
            for c in clients.iter().take(10) {
                v = v.with(
                    "plain_client",
                    format!("{} as {} ({} backend(s))", c.addr, c.user, c.count),
                );
            }
            let first = &clients[0];
            v.escalate(
                Status::Warn,
                format!(
                    "{} remote client(s) without TLS, e.g. {} as {}",
                    clients.iter().map(|c| c.count).sum::<i64>(),
                    first.addr,
                    first.user
                ),
                "Make those clients use sslmode=verify-full, then allow only hostssl for remote hosts in pg_hba.conf (reload); list them with `SELECT client_addr, usename FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE NOT ssl`",
            );
        }
        Ok(_) => {}
        Err(e) => v = v.with("pg_stat_ssl", format!("unreadable: {e}")),
    }
    v
}

fn detail(s: &PostgresSnapshot) -> Result<&PostgresDetail, Verdict> {
    s.detail
        .as_ref()
        .ok_or_else(|| Verdict::skip("the full probe did not run"))
}

/// A skip naming the grant the role lacks, when it may not see other sessions.
fn monitor_or_skip(d: &PostgresDetail, what: &str) -> Result<(), Verdict> {
    if d.can_monitor {
        return Ok(());
    }
    Err(Verdict::skip(format!(
        "role {} lacks pg_monitor, so {what} of other roles' sessions are hidden: GRANT pg_monitor TO {}",
        d.role, d.role
    ))
    .with("role", &d.role))
}

fn setting<'a>(d: &'a PostgresDetail, name: &str) -> &'a str {
    d.settings
        .get(name)
        .map(|s| s.setting.as_str())
        .unwrap_or("")
}

/// A setting with its unit, as `SHOW` would give it (1024MB, 300s).
fn with_unit(d: &PostgresDetail, name: &str) -> String {
    d.settings
        .get(name)
        .map(|s| format!("{}{}", s.setting, s.unit))
        .unwrap_or_default()
}

/// `postgres.reachable`.
pub fn reachable(
    r: &Result<PostgresSnapshot, ProbeError>,
    service: Option<&crate::observe::service::ServiceState>,
) -> Verdict {
    match r {
        Ok(s) => {
            let ms = format!("{:.3}", s.connect_time.as_secs_f64() * 1000.0);
            // reachable as libpq reaches it; whether TLS is sound is postgres.tls's verdict
            let plain = if s.tls_fallback.is_some() {
                ", in plain text: TLS not used"
            } else {
                ""
            };
            let v = Verdict::pass(format!("connected and answered in {ms} ms{plain}"))
                .with("connect_ms", ms)
                .with("server_version", &s.server_version);
            match &s.tls_fallback {
                Some(why) => v.with(
                    "tls",
                    format!("not used, nothing verified: sslmode=prefer fell back to plain text (as libpq does) because {why}"),
                ),
                None => v,
            }
        }
        // 53300 too_many_connections: the server is up, and full
        Err(ProbeError::Other { addr, detail }) if detail.contains("(53300)") => Verdict::new(
            Status::Fail,
            format!("{addr} refuses new connections: {detail}"),
        )
        .with("failure", "too_many_connections")
        .fix("Every non-reserved slot is taken: find who holds them (SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1,2,3), close idle or leaking clients, put a pooler (PgBouncer) in front, or raise max_connections (restart); verify with `psql -c 'SELECT 1'` as the application's role"),
        Err(e) => super::with_service(
            unreachable_verdict(e, "PostgreSQL", "pg_isready -h HOST -p PORT"),
            service,
        ),
    }
}

/// `postgres.version`.
pub fn version(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    let v = Verdict::pass(format!("PostgreSQL {}", s.server_version))
        .with("server_version_num", s.server_version_num)
        .with("minimum", t.postgres.min_version_num);
    if s.server_version_num >= t.postgres.min_version_num {
        return v;
    }
    let mut v = v;
    v.escalate(
        Status::Fail,
        format!(
            "server_version_num {} is below {}",
            s.server_version_num, t.postgres.min_version_num
        ),
        "Upgrade to PostgreSQL 15 or later (pg_upgrade); logical replication of permanent state needs it",
    );
    v
}

const LOGICAL_FIX: &str = "ALTER SYSTEM SET wal_level = logical; raise max_replication_slots and max_wal_senders above the number of subscribers and replicas (statectl tune postgres --apply does both), then restart PostgreSQL; verify with `SHOW wal_level`";

/// `postgres.logical_replication`.
pub fn logical_replication(s: &PostgresSnapshot, _t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let wal_level = setting(d, "wal_level");
    let slots = setting(d, "max_replication_slots");
    let senders = setting(d, "max_wal_senders");
    let pending = d
        .settings
        .get("wal_level")
        .is_some_and(|s| s.pending_restart);
    let mut v = Verdict::pass(format!(
        "wal_level {wal_level}, {slots} slots, {senders} WAL senders"
    ))
    .with("wal_level", wal_level)
    .with("max_replication_slots", slots)
    .with("max_wal_senders", senders)
    .with("pending_restart", pending);
    if wal_level != "logical" {
        let (summary, fix) = if pending {
            (
                format!("wal_level is {wal_level}; a change is waiting for a restart"),
                "Restart PostgreSQL to apply the pending wal_level (pg_ctlcluster 15 main restart); verify with `SHOW wal_level`",
            )
        } else {
            (
                format!("wal_level is {wal_level}: logical replication of permanent state needs logical"),
                LOGICAL_FIX,
            )
        };
        v.escalate(Status::Fail, summary, fix);
    }
    for (name, value) in [
        ("max_replication_slots", slots),
        ("max_wal_senders", senders),
    ] {
        if value == "0" {
            v.escalate(
                Status::Fail,
                format!("{name} is 0: no replication is possible"),
                LOGICAL_FIX,
            );
        }
    }
    v
}

/// `postgres.deadlocks`.
pub fn deadlocks(s: &PostgresSnapshot, _t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    if let Err(skip) = monitor_or_skip(d, "the blocked queries") {
        return skip;
    }
    let mut v = Verdict::pass("no deadlocks in the window and no blocked backends")
        .with("window_ms", d.window.as_millis());
    match &d.deadlocks {
        Ok((a, b)) => {
            v = v.with("deadlocks_delta", b - a).with("deadlocks_total", b);
            if b > a {
                v.escalate(
                    Status::Fail,
                    format!("{} deadlock(s) detected during the window", b - a),
                    "Make transactions take row locks in one order (ORDER BY id FOR UPDATE), keep them short, and retry on SQLSTATE 40P01; the server log names both statements",
                );
            }
        }
        Err(e) => v = v.with("deadlocks", format!("unreadable: {e}")),
    }
    match &d.blocked {
        Ok(blocked) if !blocked.is_empty() => {
            for b in blocked {
                v = v.with(
                    "blocked",
                    format!(
                        "pid {} waits on pid {} for {:.1} s: {}",
                        b.pid, b.blocking_pid, b.wait_s, b.query
                    ),
                );
            }
            // The root of a chain: a blocker that is not itself waiting.
            let waiting: Vec<i32> = blocked.iter().map(|b| b.pid).collect();
            let root = blocked
                .iter()
                .map(|b| b.blocking_pid)
                .find(|p| !waiting.contains(p))
                .unwrap_or(blocked[0].blocking_pid);
            let first = &blocked[0];
            v.escalate(
                Status::Fail,
                format!(
                    "{} backend(s) blocked now; pid {} waits on pid {} for {:.1} s",
                    blocked.len(),
                    first.pid,
                    first.blocking_pid,
                    first.wait_s
                ),
                &format!("SELECT pg_terminate_backend({root}); then find why it held the lock (idle in transaction? a long migration?) and set lock_timeout / idle_in_transaction_session_timeout"),
            );
        }
        Ok(_) => {}
        Err(e) => v = v.with("blocked", format!("unreadable: {e}")),
    }
    // A pass needs both inputs: with either unreadable, "no deadlocks" is not known.
    let unread = [
        ("the deadlock counter", d.deadlocks.as_ref().err()),
        ("the blocked backends", d.blocked.as_ref().err()),
    ];
    if v.status == Status::Pass {
        if let Some((what, Some(e))) = unread.iter().find(|(_, e)| e.is_some()) {
            v.status = Status::Skip;
            v.summary = format!("not checked: {what} could not be read: {e}");
        }
    }
    v
}

/// `postgres.connections`.
pub fn connections(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let backends = match &d.backends {
        Ok(n) => *n as f64,
        Err(e) => return Verdict::skip(format!("cannot count backends: {e}")),
    };
    let max: f64 = setting(d, "max_connections").parse().unwrap_or(0.0);
    if max <= 0.0 {
        return Verdict::skip("pg_settings shows no max_connections");
    }
    let reserved = setting(d, "superuser_reserved_connections");
    let ratio = backends / max;
    let mut v = Verdict::pass(format!(
        "{backends} of {max} connections ({:.1}%)",
        ratio * 100.0
    ))
    .with("backends", backends)
    .with("max_connections", max)
    .with("ratio", format!("{ratio:.3}"))
    .with("superuser_reserved_connections", reserved);
    let fix = "Put a pooler (PgBouncer, transaction mode) in front, fix connection leaks (pg_stat_activity by application_name), or raise max_connections (restart); verify with `SELECT count(*) FROM pg_stat_activity`";
    if ratio > t.postgres.connections_fail_ratio {
        v.escalate(
            Status::Fail,
            format!(
                "{backends} of {max} connections in use: new clients will get 'too many clients'"
            ),
            fix,
        );
    } else if ratio > t.postgres.connections_warn_ratio {
        v.escalate(
            Status::Warn,
            format!("{backends} of {max} connections in use"),
            fix,
        );
    }
    if reserved == "0" {
        v.escalate(
            Status::Warn,
            "superuser_reserved_connections is 0: when clients exhaust the slots no one can log in to fix it".into(),
            "ALTER SYSTEM SET superuser_reserved_connections = 3 and restart",
        );
    }
    v
}

/// `postgres.idle_in_transaction`.
pub fn idle_in_transaction(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    if let Err(skip) = monitor_or_skip(d, "the states") {
        return skip;
    }
    let idle = match &d.idle_in_transaction {
        Ok(i) => i,
        Err(e) => return Verdict::skip(format!("cannot read pg_stat_activity: {e}")),
    };
    let mut v = Verdict::pass(format!("{} session(s) idle in transaction", idle.len()))
        .with("idle_in_transaction", idle.len());
    let limit = t.postgres.idle_in_transaction_warn_s;
    let old: Vec<_> = idle.iter().filter(|(_, s)| *s > limit).collect();
    for (pid, secs) in &old {
        v = v.with(
            "session",
            format!("pid {pid} idle in transaction for {secs:.0} s"),
        );
    }
    if let Some((pid, secs)) = old.first() {
        v.escalate(
            Status::Warn,
            format!("{} session(s) idle in transaction longer than {limit:.0} s (pid {pid}: {secs:.0} s): they hold locks and block vacuum", old.len()),
            &format!("Fix the application path that leaves transactions open; end this one with SELECT pg_terminate_backend({pid}); set idle_in_transaction_session_timeout"),
        );
    }
    v
}

/// `postgres.replication`.
pub fn replication(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    if let Err(skip) = monitor_or_skip(d, "replication details") {
        return skip;
    }
    let (replicas, slots) = match (&d.replicas, &d.slots) {
        (Ok(r), Ok(s)) => (r, s),
        (Err(e), _) | (_, Err(e)) => {
            return Verdict::skip(format!("cannot read replication state: {e}"))
        }
    };
    let keep = setting(d, "max_slot_wal_keep_size");
    let mut v = Verdict::pass(format!(
        "{} replica(s), {} slot(s)",
        replicas.len(),
        slots.len()
    ))
    .with("replicas", replicas.len())
    .with("slots", slots.len())
    .with("max_slot_wal_keep_size", keep);
    for (name, lag) in replicas {
        let lag = lag.unwrap_or(0.0);
        v = v.with(format!("replica {name}"), format!("replay_lag {lag:.1} s"));
        if lag > t.postgres.replay_lag_warn_s {
            v.escalate(
                Status::Warn,
                format!("replica {name} replays {lag:.1} s behind"),
                "Check the replica's I/O and CPU, long queries on it (hot_standby_feedback), and the network; verify with `SELECT application_name, replay_lag FROM pg_stat_replication`",
            );
        }
    }
    for slot in slots {
        v = v.with(
            format!("slot {}", slot.name),
            format!(
                "{} {}",
                if slot.active { "active" } else { "inactive" },
                slot.wal_status
            ),
        );
        if matches!(slot.wal_status.as_str(), "unreserved" | "lost") {
            v.escalate(
                Status::Fail,
                format!("slot {} is {}: its consumer is losing (or lost) the WAL it needs", slot.name, slot.wal_status),
                "Reconnect the consumer now, or drop the slot (SELECT pg_drop_replication_slot(...)) and re-seed the subscriber",
            );
        } else if !slot.active {
            v.escalate(
                Status::Warn,
                format!("slot {} is inactive: it pins WAL until its consumer returns", slot.name),
                "Reconnect the subscriber or drop the slot with SELECT pg_drop_replication_slot('NAME'); set max_slot_wal_keep_size as a cap",
            );
        }
    }
    if !slots.is_empty() && keep == "-1" {
        v.escalate(
            Status::Warn,
            "max_slot_wal_keep_size is -1 while slots exist: an abandoned slot can fill the disk"
                .into(),
            "ALTER SYSTEM SET max_slot_wal_keep_size = '10GB'; SELECT pg_reload_conf();",
        );
    }
    v
}

/// `postgres.wraparound`.
pub fn wraparound(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let ages = match &d.xid_age {
        Ok(a) => a,
        Err(e) => return Verdict::skip(format!("cannot read pg_database: {e}")),
    };
    let Some((db, age)) = ages.iter().max_by_key(|(_, a)| *a) else {
        return Verdict::skip("pg_database returned no rows");
    };
    let mut v = Verdict::pass(format!("oldest unfrozen XID age {age} in {db}"))
        .with("database", db)
        .with("age_datfrozenxid", age);
    let fix = format!("VACUUM (FREEZE, VERBOSE) the oldest tables in {db} now (check autovacuum is on and not blocked by long transactions or stale slots); verify with `SELECT datname, age(datfrozenxid) FROM pg_database`");
    if *age > t.postgres.xid_age_fail {
        v.escalate(
            Status::Fail,
            format!("XID age {age} in {db}: wraparound shutdown is near"),
            &fix,
        );
    } else if *age > t.postgres.xid_age_warn {
        v.escalate(Status::Warn, format!("XID age {age} in {db} is high"), &fix);
    }
    v
}

/// `postgres.checkpoints`.
pub fn checkpoints(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let c = match &d.checkpoints {
        Ok(c) => c,
        Err(e) => return Verdict::skip(format!("cannot read the checkpoint counters: {e}")),
    };
    let total = c.timed + c.requested;
    let evidence = |v: Verdict| {
        v.with("view", &c.view)
            .with("timed", c.timed)
            .with("requested", c.requested)
            .with("max_wal_size", with_unit(d, "max_wal_size"))
            .with("checkpoint_timeout", with_unit(d, "checkpoint_timeout"))
    };
    if total < t.postgres.checkpoint_min_count as i64 {
        return evidence(Verdict::skip(format!(
            "{total} checkpoints since the statistics were reset ({}): too few to judge",
            c.view
        )));
    }
    let share = c.requested as f64 / total as f64;
    let mut v = evidence(Verdict::pass(format!(
        "{} of {total} checkpoints were requested ({:.0}%)",
        c.requested,
        share * 100.0
    )));
    if share > t.postgres.checkpoint_req_warn_ratio {
        let view = &c.view;
        let (timed, req) = if view == "pg_stat_checkpointer" {
            ("num_timed", "num_requested")
        } else {
            ("checkpoints_timed", "checkpoints_req")
        };
        v.escalate(
            Status::Warn,
            format!(
                "{:.0}% of checkpoints were requested, not timed: WAL reaches max_wal_size ({}) before checkpoint_timeout ({}), so checkpoints come often and every first write after one logs a full page",
                share * 100.0,
                with_unit(d, "max_wal_size"),
                with_unit(d, "checkpoint_timeout")
            ),
            &format!("Raise max_wal_size (ALTER SYSTEM SET max_wal_size = '8GB'; SELECT pg_reload_conf(); or statectl tune postgres --set max_wal_size=8GB --apply), then watch the share fall: `SELECT {timed}, {req} FROM {view}`"),
        );
    }
    v
}

/// `postgres.durability`.
pub fn durability(s: &PostgresSnapshot, _t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let fsync = setting(d, "fsync");
    let fpw = setting(d, "full_page_writes");
    let mut v = Verdict::pass("fsync and full_page_writes are on")
        .with("fsync", fsync)
        .with("full_page_writes", fpw);
    for (name, value) in [("fsync", fsync), ("full_page_writes", fpw)] {
        if value == "off" {
            v.escalate(
                Status::Fail,
                format!("{name} is off: a crash can corrupt the permanent state store"),
                &format!("ALTER SYSTEM SET {name} = on; SELECT pg_reload_conf(); verify with `SHOW {name}`"),
            );
        }
    }
    v
}

fn local_address(addr: &str) -> bool {
    matches!(addr, "localhost" | "samehost")
        || addr
            .split('/')
            .next()
            .and_then(|a| a.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback())
}

/// `postgres.security`.
pub fn security(s: &PostgresSnapshot, _t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let enc = setting(d, "password_encryption");
    let mut v = Verdict::pass("scram-sha-256 passwords, no trust for remote hosts")
        .with("password_encryption", enc)
        .with("tls", "see postgres.tls and postgres.tls_config");
    if enc != "scram-sha-256" {
        v.escalate(
            Status::Warn,
            format!("password_encryption is {enc}"),
            "ALTER SYSTEM SET password_encryption = 'scram-sha-256', reload, then reset each role's password",
        );
    }
    match &d.hba_trust {
        Ok(rules) => {
            let remote: Vec<_> = rules
                .iter()
                .filter(|r| !local_address(&r.address))
                .collect();
            for r in &remote {
                v = v.with(
                    "pg_hba",
                    format!("line {}: {} {} trust", r.line, r.kind, r.address),
                );
            }
            if let Some(r) = remote.first() {
                v.escalate(
                    Status::Fail,
                    format!("pg_hba.conf line {} trusts {} without a password", r.line, r.address),
                    "Replace trust with scram-sha-256 (and hostssl) for every non-local line in pg_hba.conf, then SELECT pg_reload_conf()",
                );
            }
        }
        Err(e) => {
            let why = format!(
                "cannot read pg_hba_file_rules as {} (needs superuser): {e}",
                d.role
            );
            v = v.with("pg_hba", format!("unreadable: {e}"));
            if v.status == Status::Pass {
                return Verdict::skip(why)
                    .with("password_encryption", enc)
                    .with("pg_hba", format!("unreadable: {e}"));
            }
        }
    }
    v
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::postgres::{BlockedBackend, Checkpoints, HbaTrust, Setting, Slot};
    use std::time::Duration;

    pub(crate) fn snap(settings: &[(&str, &str)]) -> PostgresSnapshot {
        let mut all: Vec<(&str, &str)> = vec![
            ("wal_level", "logical"),
            ("max_replication_slots", "10"),
            ("max_wal_senders", "10"),
            ("max_connections", "100"),
            ("superuser_reserved_connections", "3"),
            ("max_slot_wal_keep_size", "10240"),
            ("fsync", "on"),
            ("full_page_writes", "on"),
            ("ssl", "on"),
            ("password_encryption", "scram-sha-256"),
            ("data_directory", "/var/lib/postgresql/15/main"),
            ("ssl_cert_file", "server.crt"),
            ("ssl_key_file", "server.key"),
            ("ssl_ca_file", ""),
        ];
        all.retain(|(k, _)| !settings.iter().any(|(s, _)| s == k));
        all.extend_from_slice(&[("ssl", "on"), ("ssl_min_protocol_version", "TLSv1.3")]);
        all.retain(|(k, _)| !settings.iter().any(|(s, _)| s == k));
        all.extend_from_slice(settings);
        PostgresSnapshot {
            connect_time: Duration::from_millis(3),
            server_version_num: 150018,
            server_version: "15.18".into(),
            detail: Some(PostgresDetail {
                role: "postgres".into(),
                superuser: true,
                can_monitor: true,
                settings: all
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            Setting {
                                setting: v.to_string(),
                                ..Default::default()
                            },
                        )
                    })
                    .collect(),
                window: Duration::from_secs(1),
                deadlocks: Ok((4, 4)),
                blocked: Ok(Vec::new()),
                backends: Ok(5),
                idle_in_transaction: Ok(Vec::new()),
                replicas: Ok(Vec::new()),
                slots: Ok(Vec::new()),
                xid_age: Ok(vec![("postgres".into(), 1000)]),
                checkpoints: Ok(Checkpoints {
                    view: "pg_stat_bgwriter".into(),
                    timed: 90,
                    requested: 10,
                }),
                hba_trust: Ok(Vec::new()),
                plain_clients: Ok(Vec::new()),
                cert_files: crate::doctor::tls::tests::healthy_files(),
            }),
            tls_fallback: None,
        }
    }

    fn d(s: &mut PostgresSnapshot) -> &mut PostgresDetail {
        s.detail.as_mut().unwrap()
    }

    #[test]
    fn healthy_snapshot_passes_everything() {
        let s = snap(&[]);
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        for c in CHECKS {
            let v = match c.eval {
                Eval::Postgres(f) => f(&s, &t),
                Eval::PostgresReach(f) => f(&Ok(s.clone()), None),
                Eval::Tls(f) => f(Some(&crate::doctor::tls::tests::healthy_look()), "h:1", &t),
                _ => unreachable!(),
            };
            assert_eq!(v.status, Status::Pass, "{}: {v:?}", c.id);
        }
    }

    #[test]
    fn requested_checkpoints_warn_from_either_view_and_a_missing_view_skips() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[("max_wal_size", "1024")]);
        d(&mut s).checkpoints = Ok(Checkpoints {
            view: "pg_stat_checkpointer".into(),
            timed: 10,
            requested: 40,
        });
        let v = checkpoints(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(v
            .remediation
            .contains("SELECT num_timed, num_requested FROM pg_stat_checkpointer"));
        d(&mut s).checkpoints = Ok(Checkpoints {
            view: "pg_stat_bgwriter".into(),
            timed: 2,
            requested: 1,
        });
        assert_eq!(checkpoints(&s, &t).status, Status::Skip, "too few to judge");
        d(&mut s).checkpoints =
            Err("pg_stat_checkpointer on PostgreSQL 19devel: relation does not exist".into());
        let v = checkpoints(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("PostgreSQL 19devel"), "{}", v.summary);
    }

    #[test]
    fn version_threshold() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[]);
        assert_eq!(version(&s, &t).status, Status::Pass);
        s.server_version_num = 140011;
        assert_eq!(version(&s, &t).status, Status::Fail);
    }

    #[test]
    fn auth_failure_is_a_fail_without_secrets() {
        let v = reachable(
            &Err(ProbeError::Auth {
                addr: "h:5432".into(),
                detail: "password authentication failed for user \"app\" (28P01)".into(),
            }),
            None,
        );
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("authentication failed"));
    }

    // issue 26 #27: a session prefer moved to plain text passes (libpq connects too), and says
    // TLS was not used and why; a session without a fallback says nothing of it.
    #[test]
    fn reachable_says_when_prefer_fell_back_to_plain_text() {
        let mut s = snap(&[]);
        let v = reachable(&Ok(s.clone()), None);
        assert!(!v.evidence.iter().any(|e| e.key == "tls"), "{v:?}");
        s.tls_fallback = Some("the TLS handshake failed: unknown issuer".into());
        let v = reachable(&Ok(s), None);
        assert_eq!(v.status, Status::Pass);
        assert!(v.summary.ends_with("in plain text: TLS not used"), "{v:?}");
        let tls = v.evidence.iter().find(|e| e.key == "tls").unwrap();
        assert!(tls.value.contains("unknown issuer"), "{tls:?}");
    }

    #[test]
    fn wal_level_slots_and_pending_restart() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let v = logical_replication(&snap(&[("wal_level", "replica")]), &t);
        assert_eq!(v.status, Status::Fail);
        let mut s = snap(&[("wal_level", "replica")]);
        d(&mut s)
            .settings
            .get_mut("wal_level")
            .unwrap()
            .pending_restart = true;
        let v = logical_replication(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("waiting for a restart"), "{}", v.summary);
        assert_eq!(
            logical_replication(&snap(&[("max_wal_senders", "0")]), &t).status,
            Status::Fail
        );
    }

    #[test]
    fn deadlock_counter_and_blocked_chain() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[]);
        d(&mut s).deadlocks = Ok((4, 5));
        assert_eq!(deadlocks(&s, &t).status, Status::Fail);
        let mut s = snap(&[]);
        d(&mut s).blocked = Ok(vec![
            BlockedBackend {
                pid: 300,
                blocking_pid: 200,
                wait_s: 2.0,
                query: "UPDATE t SET v = ? WHERE id = ?".into(),
            },
            BlockedBackend {
                pid: 200,
                blocking_pid: 100,
                wait_s: 5.0,
                query: "UPDATE t SET v = ? WHERE id = ?".into(),
            },
        ]);
        let v = deadlocks(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.remediation
                .starts_with("SELECT pg_terminate_backend(100)"),
            "{}",
            v.remediation
        );
        let mut s = snap(&[]);
        d(&mut s).can_monitor = false;
        d(&mut s).role = "app".into();
        let v = deadlocks(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("GRANT pg_monitor TO app"));
    }

    #[test]
    fn connections_and_reserved_slots() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[]);
        d(&mut s).backends = Ok(81);
        assert_eq!(connections(&s, &t).status, Status::Warn);
        d(&mut s).backends = Ok(96);
        assert_eq!(connections(&s, &t).status, Status::Fail);
        assert_eq!(
            connections(&snap(&[("superuser_reserved_connections", "0")]), &t).status,
            Status::Warn
        );
    }

    #[test]
    fn idle_replication_wraparound_durability_security() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[]);
        d(&mut s).idle_in_transaction = Ok(vec![(77, 301.0), (78, 10.0)]);
        let v = idle_in_transaction(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(v.remediation.contains("pg_terminate_backend(77)"));

        let mut s = snap(&[]);
        d(&mut s).replicas = Ok(vec![("standby1".into(), Some(6.0))]);
        assert_eq!(replication(&s, &t).status, Status::Warn);
        let mut s = snap(&[("max_slot_wal_keep_size", "-1")]);
        d(&mut s).slots = Ok(vec![Slot {
            name: "sub".into(),
            active: true,
            wal_status: "reserved".into(),
        }]);
        assert_eq!(replication(&s, &t).status, Status::Warn);
        d(&mut s).slots = Ok(vec![Slot {
            name: "sub".into(),
            active: false,
            wal_status: "lost".into(),
        }]);
        assert_eq!(replication(&s, &t).status, Status::Fail);

        let mut s = snap(&[]);
        d(&mut s).xid_age = Ok(vec![("a".into(), 1_300_000_001), ("b".into(), 5)]);
        assert_eq!(wraparound(&s, &t).status, Status::Warn);
        d(&mut s).xid_age = Ok(vec![("a".into(), 1_400_000_001)]);
        assert_eq!(wraparound(&s, &t).status, Status::Fail);

        assert_eq!(
            durability(&snap(&[("fsync", "off")]), &t).status,
            Status::Fail
        );
        assert_eq!(
            durability(&snap(&[("full_page_writes", "off")]), &t).status,
            Status::Fail
        );

        assert_eq!(security(&snap(&[("ssl", "off")]), &t).status, Status::Pass);
        assert_eq!(
            tls_config(&snap(&[("ssl", "off")]), &t).status,
            Status::Warn
        );
        assert_eq!(
            tls_config(&snap(&[("ssl_min_protocol_version", "TLSv1.2")]), &t).status,
            Status::Warn
        );
        assert_eq!(tls_config(&snap(&[]), &t).status, Status::Pass);
        // hidden from the role (no pg_read_all_settings): a skip naming the grant, not "unset"
        let mut s = snap(&[]);
        d(&mut s).role = "app".into();
        d(&mut s).settings.remove("ssl_min_protocol_version");
        let v = tls_config(&s, &t);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert!(v.remediation.contains("GRANT pg_read_all_settings TO app"));
        assert_eq!(tls_files(&s, &t).status, Status::Pass);
        d(&mut s).settings.remove("data_directory");
        let v = tls_files(&s, &t);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert!(v.summary.contains("data_directory"), "{}", v.summary);
        let mut s = snap(&[]);
        d(&mut s).plain_clients = Ok(vec![crate::observe::postgres::PlainClient {
            addr: "10.1.2.3".into(),
            user: "app".into(),
            count: 2,
        }]);
        let v = tls_config(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("10.1.2.3 as app"), "{}", v.summary);
        assert_eq!(
            security(&snap(&[("password_encryption", "md5")]), &t).status,
            Status::Warn
        );
        let mut s = snap(&[]);
        d(&mut s).hba_trust = Ok(vec![HbaTrust {
            line: 3,
            kind: "host".into(),
            address: "127.0.0.1".into(),
            netmask: "255.255.255.255".into(),
        }]);
        assert_eq!(
            security(&s, &t).status,
            Status::Pass,
            "loopback trust is local"
        );
        d(&mut s).hba_trust = Ok(vec![HbaTrust {
            line: 9,
            kind: "host".into(),
            address: "10.0.0.0".into(),
            netmask: "255.0.0.0".into(),
        }]);
        let v = security(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("line 9"));
        d(&mut s).hba_trust = Err("permission denied for view pg_hba_file_rules".into());
        let v = security(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("permission denied"));
    }
}
