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

/// `postgres.connection_churn`: new sessions per second over the window (pg_stat_database,
/// PostgreSQL 14 and later), and max_connections against a local server's CPUs. The backend
/// ages are evidence, not a verdict: an application restarted a minute ago has young backends
/// too, and only the rate tells a connection per request from that.
pub fn connection_churn(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let p = &t.postgres;
    let secs = d.window.as_secs_f64();
    let mut v = Verdict::pass("").with("window_ms", d.window.as_millis());
    // the other client backends' ages: how many are younger than the window
    let mut young = None;
    match &d.backend_ages {
        Ok(ages) => {
            v = v.with("client_backends", ages.len());
            if !d.can_monitor {
                v = v.with(
                    "backend_ages",
                    format!(
                        "other roles' hidden from {} (GRANT pg_monitor TO {})",
                        d.role, d.role
                    ),
                );
            }
            if let (Some(first), Some(mid)) = (ages.first(), ages.get(ages.len() / 2)) {
                let n = ages.iter().filter(|a| **a < secs).count();
                v = v
                    .with("youngest_backend_s", format!("{first:.3}"))
                    .with("median_backend_age_s", format!("{mid:.3}"))
                    .with("backends_younger_than_window", n);
                young = Some((n, ages.len()));
            }
        }
        Err(e) => v = v.with("backend_ages", format!("unreadable: {e}")),
    }
    if let Some(ms) = d.mean_session_ms {
        v = v.with("mean_session_ms_since_reset", format!("{ms:.0}"));
    }
    let fix = "Reuse connections: a pooler (PgBouncer, pool_mode = transaction) or the driver's pool (HikariCP, pgxpool, psycopg_pool, SQLAlchemy's QueuePool); find who connects with `SELECT usename, application_name, client_addr, backend_start FROM pg_stat_activity ORDER BY backend_start DESC`, or set log_connections = on (reload) to have the log name them";
    let rate = match &d.sessions {
        Ok(_) if secs < 0.2 => Err(format!(
            "the window was {} ms, too short to measure a rate",
            d.window.as_millis()
        )),
        Ok((a, b)) => Ok(((b - a).max(0), (b - a).max(0) as f64 / secs)),
        Err(e) => Err(e.clone()),
    };
    match &rate {
        Ok((n, per_s)) => {
            v = v
                .with("new_sessions", n)
                .with("sessions_per_s", format!("{per_s:.1}"));
            let status = if *per_s > p.sessions_per_s_fail {
                Status::Fail
            } else if *per_s > p.sessions_per_s_warn {
                Status::Warn
            } else {
                Status::Pass
            };
            let ages = match young {
                Some((n, all)) => format!("; {n} of {all} client backends are younger than it"),
                None => String::new(),
            };
            v.escalate(
                status,
                format!(
                    "{n} new session(s) in {secs:.1} s ({per_s:.1}/s, above {}/s): clients connect per request{ages}",
                    if status == Status::Fail { p.sessions_per_s_fail } else { p.sessions_per_s_warn }
                ),
                fix,
            );
        }
        Err(e) => v = v.with("sessions_per_s", format!("unknown: {e}")),
    }
    let max: f64 = setting(d, "max_connections").parse().unwrap_or(0.0);
    let cpus = match &d.cores {
        Ok(c) if max > 0.0 => {
            let per = max / f64::from(*c);
            v = v
                .with("max_connections", max)
                .with("cpus", c)
                .with("max_connections_per_cpu", format!("{per:.2}"));
            if per > p.max_connections_per_core_warn {
                let aim = (f64::from(*c) * p.max_connections_per_core_warn).floor();
                v.escalate(
                    Status::Warn,
                    format!(
                        "max_connections {max} is {per:.2} per CPU ({c} CPUs, above {}): the cores cannot run that many backends at once, and each idle one holds memory",
                        p.max_connections_per_core_warn
                    ),
                    &format!("{fix}; then lower max_connections toward {aim} (restart), keeping the pool at a few connections per CPU"),
                );
            }
            format!("max_connections {max} for {c} CPUs")
        }
        Ok(_) => "max_connections not shown by pg_settings".to_string(),
        Err(e) => {
            v = v.with("cpus", format!("unknown: {e}"));
            format!("max_connections not compared with CPUs ({e})")
        }
    };
    match (&rate, v.status) {
        (Err(e), Status::Pass) => {
            v.status = Status::Skip;
            v.summary = format!("not checked: the session rate is unknown: {e}");
        }
        (Ok((n, per_s)), Status::Pass) => {
            v.summary = format!("{n} new session(s) in {secs:.1} s ({per_s:.1}/s); {cpus}");
        }
        _ => {}
    }
    v
}
