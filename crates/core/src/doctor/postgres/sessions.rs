//! PostgreSQL checks: sessions (deadlocks and blocked backends, connections, idle transactions).

use super::*;

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
