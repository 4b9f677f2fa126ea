//! PostgreSQL checks: logical and physical replication, wraparound, checkpoints and durability.

use super::*;
use crate::observe::postgres::{WalConsumer, WalRisk};

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

const RPO_FIX: &str = "Find why the consumer falls behind: the standby's or subscriber's disk I/O, CPU and the network to it, a long query on a standby holding replay (hot_standby_feedback, max_standby_streaming_delay); for writes that must not be lost with this site, make the commit wait for the standby: ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (NAME)'; ALTER SYSTEM SET synchronous_commit = remote_apply; SELECT pg_reload_conf(); verify with `SELECT application_name, flush_lsn, flush_lag, sync_state FROM pg_stat_replication`";

const RPO_DISCONNECTED_FIX: &str = "Reconnect the standby or subscriber that owns the slot (check its logs, primary_conninfo or the subscription's connection, ALTER SUBSCRIPTION NAME ENABLE); until it returns, everything since its slot's position lives only on this server. Cap what an abandoned slot may pin with ALTER SYSTEM SET max_slot_wal_keep_size = '10GB'; SELECT pg_reload_conf(); verify with `SELECT slot_name, active, confirmed_flush_lsn, restart_lsn FROM pg_replication_slots`";

/// How one consumer of the WAL is named in postgres.rpo's findings: the standby's
/// application_name, the subscription, or the slot, and the address it connects from.
fn consumer_label(c: &WalConsumer) -> String {
    let connected = !matches!(c.state.as_str(), "disconnected" | "in use");
    let mut label = match (&c.slot, connected) {
        (Some(slot), false) => format!("{} slot {slot} ({})", c.kind, c.state),
        _ => {
            let name = if c.name.is_empty() {
                "(no application_name)"
            } else {
                &c.name
            };
            match (c.kind.as_str(), &c.slot) {
                ("logical", Some(slot)) if slot != name => {
                    format!("subscription {name} (slot {slot})")
                }
                ("logical", _) => format!("subscription {name}"),
                (_, Some(slot)) => format!("standby {name} (slot {slot})"),
                (_, None) => format!("standby {name}"),
            }
        }
    };
    if let Some(addr) = &c.client_addr {
        label += &format!(" from {addr}");
    }
    label
}

/// The WAL the primary writes per second over the window; None when it wrote none (or the
/// window's start was not read).
pub fn wal_rate(w: &WalRisk) -> Option<f64> {
    match w.wal_bytes {
        Some(b) if b > 0 && w.wal_window_s > 0.0 => Some(b as f64 / w.wal_window_s),
        _ => None,
    }
}

/// The seconds of writes a consumer would lose with the primary's site: 0 when it holds
/// everything durably; else the larger of its flush_lag and its bytes at risk at the window's
/// WAL rate; with no WAL written in the window, at least the time since its last reply (or
/// since its slot went inactive). None when that cannot be known.
pub fn seconds_at_risk(c: &WalConsumer, rate: Option<f64>) -> Option<f64> {
    let bytes = c.bytes_at_risk?;
    if bytes <= 0 {
        return Some(0.0);
    }
    let mut known = vec![c.flush_lag_s];
    match rate {
        Some(r) => known.push(Some(bytes as f64 / r)),
        None => known.extend([c.since_reply_s, c.inactive_s]),
    }
    known.into_iter().flatten().reduce(f64::max)
}

/// `postgres.rpo`.
pub fn rpo(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let w = match &d.wal_risk {
        Ok(w) => w,
        Err(e) => return Verdict::skip(format!("cannot read the WAL positions: {e}")),
    };
    if w.in_recovery {
        return Verdict::skip(
            "this server is a standby: the writes it lacks are judged on its primary (doctor --postgres the primary with --rpo)",
        );
    }
    if let Err(skip) = monitor_or_skip(d, "the replication positions") {
        return skip;
    }
    let rate = wal_rate(w);
    let rate_text = match rate {
        Some(r) => format!("{r:.0} B/s over {:.1} s", w.wal_window_s),
        None => format!("no WAL written in the {:.1} s window", w.wal_window_s),
    };
    let mut v = Verdict::pass("")
        .with("wal_rate", &rate_text)
        .with("current_lsn", &w.current_lsn);
    let judged: Vec<(String, &WalConsumer, Option<f64>)> = w
        .consumers
        .iter()
        .map(|c| (consumer_label(c), c, seconds_at_risk(c, rate)))
        .collect();
    for (label, c, secs) in &judged {
        let secs = secs.map_or("unknown".to_string(), |s| format!("{s:.2} s"));
        let bytes = c.bytes_at_risk.map_or("position unknown".to_string(), |b| {
            format!("{} B", b.max(0))
        });
        let inactive = c
            .inactive_s
            .map_or(String::new(), |i| format!(", inactive {i:.0} s"));
        let lag = c
            .flush_lag_s
            .map_or(String::new(), |l| format!(", flush_lag {l:.2} s"));
        let flushed = c
            .flush_lsn
            .as_deref()
            .map_or(String::new(), |l| format!(", flush_lsn {l}"));
        v = v.with(
            label,
            format!(
                "{secs} ({bytes}) at risk; {}{inactive}{flushed}{lag}",
                c.state
            ),
        );
    }
    if judged.is_empty() {
        let none =
            "no standby or subscriber: no walsender in pg_stat_replication and no replication slot";
        match t.replication.rpo {
            None => {
                v.status = Status::Skip;
                v.summary = none.into();
            }
            // with an objective declared, no copy is the worst case, not an absence of input
            Some(objective) => v.escalate(
                Status::Fail,
                format!("{none}: with an RPO of {objective} s, losing this site loses every write since the last backup"),
                "Add a standby in the second site (pg_basebackup -R -D … -h THIS_HOST, or a logical subscriber for chosen tables) and check it here with --rpo; if this server is meant to stand alone, leave it out of the --rpo run",
            ),
        }
        return v;
    }
    let worst = judged
        .iter()
        .filter_map(|(_, c, s)| Some((c.bytes_at_risk?, (*s)?)))
        .fold((0i64, 0.0f64), |(b, s), (b2, s2)| (b.max(b2), s.max(s2)));
    let Some(objective) = t.replication.rpo else {
        v.status = Status::Skip;
        v.summary = format!(
            "no recovery point objective declared (--rpo or [replication] rpo): {} standby/subscriber(s), at most {:.2} s ({} B) at risk",
            judged.len(),
            worst.1,
            worst.0
        );
        return v;
    };
    v = v.with("rpo", format!("{objective} s"));
    v.summary = format!(
        "{} standby/subscriber(s) within the RPO of {objective} s: at most {:.2} s ({} B) at risk",
        judged.len(),
        worst.1,
        worst.0
    );
    let mut over = Vec::new();
    let mut disconnected = false;
    for (label, c, secs) in &judged {
        match (c.bytes_at_risk, secs) {
            (Some(b), Some(s)) if *s > objective => {
                over.push(format!("{label}: {s:.2} s ({} B) at risk", b.max(0)));
                disconnected |= c.state == "disconnected";
            }
            // no WAL in the window: the time since its last reply (or its slot went
            // inactive) is a lower bound on the age of what it lacks: it can prove a failure,
            // never a pass
            (Some(b), Some(s)) if b > 0 && rate.is_none() && c.flush_lag_s.is_none_or(|l| l < *s) => v.escalate(
                Status::Warn,
                format!("{label} lacks {b} B, at least {s:.2} s old (no WAL written in the window to date them): cannot tell whether within the RPO of {objective} s"),
                if c.state == "disconnected" { RPO_DISCONNECTED_FIX } else { RPO_FIX },
            ),
            (None, _) => {
                over.push(format!(
                    "{label}: its position is unknown (the slot lost its WAL?), everything since it is at risk"
                ));
                disconnected = true;
            }
            (Some(b), None) => v.escalate(
                Status::Warn,
                format!("{label} lacks {b} B for an unknown time (no WAL written in the window, and no reply time or inactive_since to date it): cannot judge it against the RPO of {objective} s"),
                if c.state == "disconnected" { RPO_DISCONNECTED_FIX } else { RPO_FIX },
            ),
            _ => {}
        }
    }
    if !over.is_empty() {
        v.escalate(
            Status::Fail,
            format!("over the RPO of {objective} s: {}", over.join("; ")),
            if disconnected {
                RPO_DISCONNECTED_FIX
            } else {
                RPO_FIX
            },
        );
    }
    v
}

#[cfg(test)]
mod rpo_tests {
    use super::*;
    use crate::config::Thresholds;

    fn standby(bytes: i64, flush_lag: Option<f64>) -> WalConsumer {
        WalConsumer {
            name: "s1".into(),
            client_addr: Some("10.0.0.2".into()),
            state: "streaming".into(),
            kind: "physical".into(),
            flush_lsn: Some("0/3000000".into()),
            flush_lag_s: flush_lag,
            since_reply_s: Some(0.4),
            bytes_at_risk: Some(bytes),
            ..Default::default()
        }
    }

    fn judge(consumers: Vec<WalConsumer>, wal_bytes: i64, rpo: Option<f64>) -> Verdict {
        let mut s = super::super::tests::snap(&[]);
        s.detail.as_mut().unwrap().wal_risk = Ok(WalRisk {
            in_recovery: false,
            current_lsn: "0/4000000".into(),
            wal_bytes: Some(wal_bytes),
            wal_window_s: 2.0,
            consumers,
        });
        let mut t = Thresholds::default();
        t.replication.rpo = rpo;
        rpo_check(&s, &Ctx::of(&t))
    }

    use super::rpo as rpo_check;

    #[test]
    fn seconds_at_risk_are_the_larger_of_flush_lag_and_bytes_at_the_wal_rate() {
        // 2 MB behind at 1 MB/s: 2 s, though flush_lag (frozen while the standby is silent)
        // says 0.1
        assert_eq!(
            seconds_at_risk(&standby(2_000_000, Some(0.1)), Some(1e6)),
            Some(2.0)
        );
        assert_eq!(
            seconds_at_risk(&standby(1000, Some(3.0)), Some(1e6)),
            Some(3.0)
        );
        // caught up: nothing at risk whatever the stale lag
        assert_eq!(
            seconds_at_risk(&standby(0, Some(3.0)), Some(1e6)),
            Some(0.0)
        );
        // no WAL written in the window: at least the time since its last reply
        assert_eq!(seconds_at_risk(&standby(10, None), None), Some(0.4));
        let mut gone = standby(10, None);
        gone.since_reply_s = None;
        assert_eq!(seconds_at_risk(&gone, None), None);
        gone.bytes_at_risk = None;
        assert_eq!(seconds_at_risk(&gone, Some(1e6)), None);
    }

    #[test]
    fn over_the_rpo_fails_naming_the_standby_and_within_passes_with_each_figure() {
        // 2 MB written in 2 s: 1 MB/s
        let v = judge(vec![standby(1_500_000, None)], 2_000_000, Some(1.0));
        assert_eq!(v.status, Status::Fail, "{v:?}");
        assert!(
            v.summary
                .contains("standby s1 from 10.0.0.2: 1.50 s (1500000 B) at risk"),
            "{}",
            v.summary
        );
        assert!(v.remediation.contains("synchronous_commit = remote_apply"));
        let v = judge(vec![standby(1_000_000, None)], 2_000_000, Some(1.0));
        assert_eq!(v.status, Status::Pass, "{v:?}");
        assert!(v
            .evidence
            .iter()
            .any(|e| e.key == "standby s1 from 10.0.0.2" && e.value.starts_with("1.00 s")));
    }

    #[test]
    fn a_lower_bound_proves_a_failure_never_a_pass() {
        // no WAL in the window: 0.4 s since its last reply bounds the age of its 50 MB from
        // below only: a warning at an RPO of 5 s, not a pass
        let v = judge(vec![standby(50_000_000, None)], 0, Some(5.0));
        assert_eq!(v.status, Status::Warn, "{v:?}");
        assert!(
            v.summary.contains("lacks 50000000 B, at least 0.40 s old")
                && v.summary.contains("cannot tell"),
            "{}",
            v.summary
        );
        // the same bound over the objective proves it
        let v = judge(vec![standby(50_000_000, None)], 0, Some(0.2));
        assert_eq!(v.status, Status::Fail, "{v:?}");
        // nothing lacking: a pass whatever the rate
        let v = judge(vec![standby(0, None)], 0, Some(5.0));
        assert_eq!(v.status, Status::Pass, "{v:?}");
    }

    #[test]
    fn without_an_rpo_or_consumers_it_skips_with_the_figures() {
        let v = judge(vec![standby(1_500_000, None)], 2_000_000, None);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("no recovery point objective declared"));
        assert!(
            v.summary.contains("1.50 s (1500000 B) at risk"),
            "{}",
            v.summary
        );
        assert!(v.evidence.iter().any(|e| e.key == "wal_rate"));
        let v = judge(Vec::new(), 2_000_000, None);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.starts_with("no standby or subscriber"));
        // with an objective declared, no copy at all is the worst case: a failure
        let v = judge(Vec::new(), 2_000_000, Some(1.0));
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary.starts_with("no standby or subscriber")
                && v.summary.contains("every write since the last backup"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn a_disconnected_slot_is_judged_from_its_position() {
        let slot = WalConsumer {
            state: "disconnected".into(),
            kind: "logical".into(),
            slot: Some("sub".into()),
            bytes_at_risk: Some(4_000_000),
            ..Default::default()
        };
        let v = judge(vec![slot], 2_000_000, Some(1.0));
        assert_eq!(v.status, Status::Fail, "{v:?}");
        assert!(
            v.summary
                .contains("logical slot sub (disconnected): 4.00 s"),
            "{}",
            v.summary
        );
        assert!(v.remediation.contains("max_slot_wal_keep_size"));
    }
}
