//! PostgreSQL checks: logical and physical replication, wraparound, checkpoints and durability.

use super::*;

pub(super) const LOGICAL_FIX: &str = "ALTER SYSTEM SET wal_level = logical; raise max_replication_slots and max_wal_senders above the number of subscribers and replicas (statectl tune postgres --apply does both), then restart PostgreSQL; verify with `SHOW wal_level`";

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
