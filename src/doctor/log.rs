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
    let mut worst: Option<&log::Signature> = None;
    for h in &s.hits {
        let Some(sig) = log::signature(&h.signature) else {
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
