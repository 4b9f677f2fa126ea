//! The servers' own logs: `log.redis`, `log.postgres`, `log.kernel`. Each counts the matrix's
//! signatures inside the window (`--since`) with the first and last time seen; an unreadable log
//! is skip with the reason, never pass.

use super::{Area, Check, Ctx, Eval, LogKind, Tag};
use crate::model::{Status, Verdict};
use crate::observe::log::{self, LogScan};

const DOCTOR: &[Tag] = &[Tag::Doctor];

/// The log checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "log.redis",
        area: Area::Log,
        tags: DOCTOR,
        doc: "the Redis log (CONFIG GET logfile on a local server, or --redis-log) inside --since: max clients reached, OOM command refused, background save failed fail; lost master, kernel warnings at start warn; unreadable: skip",
        full: false,
        eval: Eval::Log(LogKind::Redis, judge),
    },
    Check {
        id: "log.postgres",
        area: Area::Log,
        tags: DOCTOR,
        doc: "the PostgreSQL log (pg_current_logfile(), log_directory, or Debian's default; --postgres-log) inside --since: deadlocks (with the DETAIL lines' processes) and connection slots exhausted fail; a lost WAL stream and too-frequent checkpoints warn; unreadable: skip",
        full: false,
        eval: Eval::Log(LogKind::Postgres, judge),
    },
    Check {
        id: "log.kernel",
        area: Area::Log,
        tags: DOCTOR,
        doc: "the kernel's messages (kern.log, syslog or messages, else journalctl -k; --syslog) inside --since: the OOM killer ending redis-server or postgres fails, read with kernel.oom's parser; unreadable: skip",
        full: false,
        eval: Eval::Log(LogKind::Kernel, judge),
    },
];

/// What a log signature means: how bad a match is, and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meaning {
    /// A match's status.
    pub status: Status,
    /// What to do, or which check's remediation applies.
    pub fix: &'static str,
}

/// Every signature of `observe::log` with its meaning (a test holds the two lists together).
static MEANINGS: &[(&str, Status, &str)] = &[
    ("max_clients", Status::Fail, "raise maxclients (and the process's open-file limit) or find the client that leaks connections: CLIENT LIST"),
    ("oom_command", Status::Fail, "writes were refused at maxmemory: set an eviction policy (statectl tune redis) or add memory"),
    ("bgsave_failed", Status::Fail, "snapshots fail: check disk space and vm.overcommit_memory=1 (statectl tune kernel --apply)"),
    ("replication_lost", Status::Warn, "the replica lost its master: check the network path and repl-timeout (statectl doctor --only 'redis.replication*')"),
    ("kernel_warning", Status::Warn, "Redis warned about a kernel setting at start: see kernel.overcommit, kernel.somaxconn and kernel.thp (statectl tune kernel --apply)"),
    ("deadlock", Status::Fail, "two transactions locked rows in opposite orders: take locks in one order (the DETAIL lines name the processes)"),
    ("connection_slots", Status::Fail, "connections ran out: pool them (pgbouncer) or raise max_connections (statectl doctor --only postgres.connections)"),
    ("wal_stream", Status::Warn, "a standby or subscriber lost its WAL stream: check the path to the primary and wal_sender_timeout"),
    ("checkpoints_too_frequent", Status::Warn, "raise max_wal_size (statectl tune postgres)"),
    ("oom_kill", Status::Fail, "the OOM killer ended a state server: set maxmemory below the RAM left after PostgreSQL's shared_buffers, and vm.overcommit_memory=1"),
];

/// The meaning of the signature named `name`.
pub fn meaning(name: &str) -> Option<Meaning> {
    MEANINGS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, status, fix)| Meaning {
            status: *status,
            fix,
        })
}

/// One log's verdict: the worst signature's status, every signature named with its count.
pub fn judge(s: &LogScan, _t: &Ctx) -> Verdict {
    if let Some(why) = &s.error {
        return Verdict::new(Status::Skip, format!("not read: {why}"));
    }
    let window = humantime::format_duration(std::time::Duration::from_secs(s.since_s));
    let mut v = Verdict::pass(format!(
        "{} line(s) of the last {window} in {}: none of the matrix's signatures",
        s.lines, s.source
    ))
    .with("log", &s.source)
    .with("found_by", &s.found_by)
    .with("files", s.files.join(", "))
    .with("bytes_read", s.bytes_read)
    .with("lines", s.lines);
    let mut parts = Vec::new();
    let mut worst: Option<Meaning> = None;
    for h in &s.hits {
        let Some(sig) = meaning(&h.signature) else {
            continue;
        };
        v = v
            .with(format!("{}.count", h.signature), h.count)
            .with(format!("{}.first", h.signature), log::utc(h.first))
            .with(format!("{}.last", h.signature), log::utc(h.last));
        let mut what = format!("{} × {} (last {})", h.count, h.signature, log::utc(h.last));
        if !h.victims.is_empty() {
            what += &format!(": killed {}", h.victims.join(", "));
        }
        if !h.pids.is_empty() {
            let pids: Vec<String> = h.pids.iter().map(|p| p.to_string()).collect();
            v = v.with(format!("{}.pids", h.signature), pids.join(", "));
            what += &format!(" (processes {})", pids.join(", "));
        }
        parts.push(what);
        if worst.is_none_or(|w| sig.status > w.status) {
            worst = Some(sig);
        }
    }
    if let Some(w) = worst {
        v.escalate(
            w.status,
            format!("{} in the last {window} of {}", parts.join("; "), s.source),
            w.fix,
        );
    }
    if s.truncated {
        v = v.with(
            "truncated",
            "the byte budget ended before the window's start",
        );
    }
    v
}

/// The log area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    if let Some(l) = &obs.log {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Log(kind, f) = c.eval {
                let scans: Vec<&crate::observe::log::LogScan> = match kind {
                    super::LogKind::Redis => l.redis.iter().collect(),
                    super::LogKind::Postgres => l.postgres.iter().collect(),
                    super::LogKind::Kernel => l.kernel.iter().collect(),
                };
                for s in scans {
                    out.push(crate::model::Finding::new(c.id, &s.target, f(s, t)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue 27: severities and fixes are the checks' (here); the probe's list only says what to
    // look for. Every signature has a meaning and every meaning a signature.
    #[test]
    fn every_signature_has_one_meaning_and_every_meaning_a_signature() {
        let names: Vec<&str> = log::REDIS_SIGNATURES
            .iter()
            .chain(log::POSTGRES_SIGNATURES)
            .chain(log::KERNEL_SIGNATURES)
            .map(|s| s.name)
            .collect();
        for n in &names {
            let m = meaning(n).unwrap_or_else(|| panic!("{n} has no meaning"));
            assert!(matches!(m.status, Status::Fail | Status::Warn), "{n}");
            assert!(!m.fix.is_empty(), "{n}");
        }
        for (n, _, _) in MEANINGS {
            assert!(names.contains(n), "{n} is no signature");
            assert_eq!(MEANINGS.iter().filter(|m| m.0 == *n).count(), 1, "{n}");
        }
        assert_eq!(meaning("max_clients").map(|m| m.status), Some(Status::Fail));
        assert_eq!(meaning("wal_stream").map(|m| m.status), Some(Status::Warn));
    }
}
