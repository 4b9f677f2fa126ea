//! PostgreSQL checks.

use super::{unreachable_verdict, Area, Check, Eval, Tag};
use crate::config::Thresholds;
use crate::model::{Status, Verdict};
use crate::probe::postgres::PostgresSnapshot;
use crate::probe::ProbeError;

const BOTH: &[Tag] = &[Tag::Doctor, Tag::Preflight];

/// The PostgreSQL checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "postgres.reachable",
        area: Area::Postgres,
        tags: BOTH,
        doc: "TCP connect, authentication and a first query within --timeout; fails on refused, timeout or wrong password",
        full: false,
        eval: Eval::PostgresReach(reachable),
    },
    Check {
        id: "postgres.version",
        area: Area::Postgres,
        tags: BOTH,
        doc: "server_version_num is at least 150000 (PostgreSQL 15; configurable: postgres.min_version_num)",
        full: false,
        eval: Eval::Postgres(version),
    },
];

/// `postgres.reachable`.
pub fn reachable(r: &Result<PostgresSnapshot, ProbeError>) -> Verdict {
    match r {
        Ok(s) => {
            let ms = format!("{:.3}", s.connect_time.as_secs_f64() * 1000.0);
            Verdict::pass(format!("connected and answered in {ms} ms"))
                .with("connect_ms", ms)
                .with("server_version", &s.server_version)
        }
        Err(e) => unreachable_verdict(e, "PostgreSQL", "pg_isready -h HOST -p PORT"),
    }
}

/// `postgres.version`.
pub fn version(s: &PostgresSnapshot, t: &Thresholds) -> Verdict {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_threshold() {
        let t = Thresholds::default();
        let s = |n| PostgresSnapshot {
            server_version_num: n,
            server_version: "x".into(),
            ..Default::default()
        };
        assert_eq!(version(&s(150018), &t).status, Status::Pass);
        assert_eq!(version(&s(140011), &t).status, Status::Fail);
    }

    #[test]
    fn auth_failure_is_a_fail_without_secrets() {
        let v = reachable(&Err(ProbeError::Auth {
            addr: "h:5432".into(),
            detail: "password authentication failed for user \"app\" (28P01)".into(),
        }));
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("authentication failed"));
    }
}
