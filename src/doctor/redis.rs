//! Redis checks.

use super::{unreachable_verdict, Area, Check, Eval, Tag};
use crate::config::{parse_major_minor, Thresholds};
use crate::model::{Status, Verdict};
use crate::probe::redis::RedisSnapshot;
use crate::probe::ProbeError;

const BOTH: &[Tag] = &[Tag::Doctor, Tag::Preflight];

/// The Redis checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "redis.reachable",
        area: Area::Redis,
        tags: BOTH,
        doc: "TCP connect, AUTH and PING within --timeout; fails on refused, timeout, wrong password or a non-Redis peer",
        eval: Eval::RedisReach(reachable),
    },
    Check {
        id: "redis.version",
        area: Area::Redis,
        tags: BOTH,
        doc: "redis_version is at least 7.0 (configurable: redis.min_version)",
        eval: Eval::Redis(version),
    },
];

fn ms(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// `redis.reachable`.
pub fn reachable(r: &Result<RedisSnapshot, ProbeError>) -> Verdict {
    match r {
        Ok(s) => {
            let mut v = Verdict::pass(format!("PONG in {} ms", ms(s.first_ping)))
                .with("ping_ms", ms(s.first_ping));
            if let Ok(info) = &s.info {
                if let Some(ver) = info.get("redis_version") {
                    v = v.with("redis_version", ver);
                }
            }
            v
        }
        Err(e) => unreachable_verdict(e, "redis-server", "redis-cli -h HOST -p PORT PING"),
    }
}

/// `redis.version`.
pub fn version(s: &RedisSnapshot, t: &Thresholds) -> Verdict {
    let info = match &s.info {
        Ok(i) => i,
        Err(e) => return Verdict::skip(format!("INFO is not readable: {e}")),
    };
    let Some(ver) = info.get("redis_version") else {
        return Verdict::skip("INFO has no redis_version field");
    };
    let want = parse_major_minor(&t.redis.min_version).unwrap_or((7, 0));
    let have = parse_major_minor(ver);
    let v = Verdict::pass(format!("Redis {ver}"))
        .with("redis_version", ver)
        .with("minimum", &t.redis.min_version);
    match have {
        Some(h) if h >= want => v,
        Some(_) => {
            let mut v = v;
            v.escalate(
                Status::Fail,
                format!("Redis {ver} is older than {}", t.redis.min_version),
                "Upgrade to Redis 7 (ACLs v2, functions, multi-part AOF); verify with `redis-cli INFO server`",
            );
            v
        }
        None => Verdict::new(Status::Error, format!("cannot parse redis_version {ver:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::time::Duration;

    pub(crate) fn snapshot(info: &[(&str, &str)]) -> RedisSnapshot {
        RedisSnapshot {
            first_ping: Duration::from_micros(250),
            info: Ok(info
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()),
        }
    }

    #[test]
    fn reachable_passes_with_rtt_and_fails_naming_the_address() {
        let v = reachable(&Ok(snapshot(&[("redis_version", "7.0.15")])));
        assert_eq!(v.status, Status::Pass);
        assert!(v
            .evidence
            .iter()
            .any(|e| e.key == "redis_version" && e.value == "7.0.15"));
        let v = reachable(&Err(ProbeError::Refused {
            addr: "127.0.0.1:1".into(),
        }));
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("127.0.0.1:1") && !v.remediation.is_empty());
    }

    #[test]
    fn version_fails_below_seven_and_skips_without_info() {
        let t = Thresholds::default();
        assert_eq!(
            version(&snapshot(&[("redis_version", "7.2.4")]), &t).status,
            Status::Pass
        );
        assert_eq!(
            version(&snapshot(&[("redis_version", "6.2.14")]), &t).status,
            Status::Fail
        );
        let mut s = snapshot(&[]);
        s.info = Err("NOPERM".into());
        let v = version(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("NOPERM"));
    }
}
