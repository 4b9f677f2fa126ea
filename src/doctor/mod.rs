//! The check matrix: pure functions from observations to findings. No I/O, no async.
//! `doctor` and `preflight` pick from the same matrix by tag; `--list` and the man page read
//! the same docs.

pub mod kernel;
pub mod nic;
pub mod postgres;
pub mod redis;

use crate::config::Thresholds;
use crate::exit::UsageError;
use crate::model::{Finding, Verdict};
use crate::probe::kernel::KernelObservation;
use crate::probe::nic::NicObservation;
use crate::probe::postgres::{PostgresObservation, PostgresSnapshot};
use crate::probe::redis::{RedisObservation, RedisSnapshot};
use crate::probe::ProbeError;

/// The part of the stack a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Redis servers (`--redis`).
    Redis,
    /// PostgreSQL servers (`--postgres`).
    Postgres,
    /// The local kernel.
    Kernel,
    /// The local NICs (`--iface`).
    Nic,
}

impl Area {
    /// The area's name as `--list` shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Redis => "redis",
            Area::Postgres => "postgres",
            Area::Kernel => "kernel",
            Area::Nic => "nic",
        }
    }
}

/// Which subcommands run a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// `statectl doctor`.
    Doctor,
    /// `statectl preflight`.
    Preflight,
}

/// How a check turns observations into a verdict.
#[derive(Clone, Copy)]
pub enum Eval {
    /// Judges whether a Redis target could be reached at all.
    RedisReach(fn(&Result<RedisSnapshot, ProbeError>) -> Verdict),
    /// Judges a reachable Redis target.
    Redis(fn(&RedisSnapshot, &Thresholds) -> Verdict),
    /// Judges whether a PostgreSQL target could be reached at all.
    PostgresReach(fn(&Result<PostgresSnapshot, ProbeError>) -> Verdict),
    /// Judges a reachable PostgreSQL target.
    Postgres(fn(&PostgresSnapshot, &Thresholds) -> Verdict),
    /// Judges the local kernel.
    Kernel(fn(&KernelObservation, &Thresholds) -> Verdict),
    /// Judges one NIC.
    Nic(fn(&NicObservation, &Thresholds) -> Verdict),
}

/// One check: a stable id, where it looks, who runs it, what it means, and how it judges.
#[derive(Clone, Copy)]
pub struct Check {
    /// Stable dotted id, part of the interface (`redis.maxclients`).
    pub id: &'static str,
    /// The part of the stack it looks at.
    pub area: Area,
    /// Which subcommands run it.
    pub tags: &'static [Tag],
    /// One line: what it checks and when it fails.
    pub doc: &'static str,
    /// Whether the check needs the full probe (the sample window, CONFIG, ACLs …) rather than
    /// only connect + INFO; lets `--only redis.reachable` finish without waiting for a window.
    pub full: bool,
    /// The pure function.
    pub eval: Eval,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

impl Check {
    /// Whether the check runs under `tag`.
    pub fn has(&self, tag: Tag) -> bool {
        self.tags.contains(&tag)
    }
}

/// Every check, in the order reports list them.
pub fn matrix() -> Vec<Check> {
    let mut all = Vec::new();
    all.extend_from_slice(redis::CHECKS);
    all.extend_from_slice(postgres::CHECKS);
    all.extend_from_slice(kernel::CHECKS);
    all.extend_from_slice(nic::CHECKS);
    all
}

/// What the probes saw, for every target.
#[derive(Debug, Default)]
pub struct Observations {
    /// One per `--redis` target, in order.
    pub redis: Vec<RedisObservation>,
    /// One per `--postgres` target, in order.
    pub postgres: Vec<PostgresObservation>,
    /// The local kernel, when any kernel check is selected.
    pub kernel: Option<KernelObservation>,
    /// One per `--iface`, in order.
    pub nic: Vec<NicObservation>,
}

/// The target label kernel findings carry.
pub const KERNEL_TARGET: &str = "kernel";

/// Picks the checks with `tag`, keeping those matching `only` (all when empty) and dropping
/// those matching `skip`. Every pattern must match at least one check.
pub fn select(tag: Tag, only: &[String], skip: &[String]) -> Result<Vec<Check>, UsageError> {
    let all = matrix();
    let compile = |flag: &str, pats: &[String]| -> Result<Vec<glob::Pattern>, UsageError> {
        pats.iter()
            .filter(|p| !p.is_empty())
            .map(|p| {
                let pat = glob::Pattern::new(p)
                    .map_err(|e| UsageError(format!("{flag} {p}: not a valid glob: {e}")))?;
                if !all.iter().any(|c| pat.matches(c.id)) {
                    return Err(UsageError(format!(
                        "{flag} {p}: no check has this id (see `statectl doctor --list`)"
                    )));
                }
                Ok(pat)
            })
            .collect()
    };
    let only = compile("--only", only)?;
    let skip = compile("--skip", skip)?;
    Ok(all
        .into_iter()
        .filter(|c| c.has(tag))
        .filter(|c| only.is_empty() || only.iter().any(|p| p.matches(c.id)))
        .filter(|c| !skip.iter().any(|p| p.matches(c.id)))
        .collect())
}

/// Whether any selected check looks at `area`.
pub fn needs(checks: &[Check], area: Area) -> bool {
    checks.iter().any(|c| c.area == area)
}

/// Whether any selected check in `area` needs the full probe.
pub fn needs_full(checks: &[Check], area: Area) -> bool {
    checks.iter().any(|c| c.area == area && c.full)
}

fn unreachable_skip(check: &str) -> Verdict {
    Verdict::skip(format!(
        "not checked: the target is unreachable (see {check})"
    ))
}

/// Applies the selected checks to the observations, target by target.
pub fn evaluate(checks: &[Check], obs: &Observations, t: &Thresholds) -> Vec<Finding> {
    let mut out = Vec::new();
    for o in &obs.redis {
        for c in checks {
            let v = match c.eval {
                Eval::RedisReach(f) => f(&o.result),
                Eval::Redis(f) => match &o.result {
                    Ok(s) => f(s, t),
                    Err(_) => unreachable_skip("redis.reachable"),
                },
                _ => continue,
            };
            out.push(Finding::new(c.id, &o.target, v));
        }
    }
    for o in &obs.postgres {
        for c in checks {
            let v = match c.eval {
                Eval::PostgresReach(f) => f(&o.result),
                Eval::Postgres(f) => match &o.result {
                    Ok(s) => f(s, t),
                    Err(_) => unreachable_skip("postgres.reachable"),
                },
                _ => continue,
            };
            out.push(Finding::new(c.id, &o.target, v));
        }
    }
    if let Some(k) = &obs.kernel {
        for c in checks {
            if let Eval::Kernel(f) = c.eval {
                out.push(Finding::new(c.id, KERNEL_TARGET, f(k, t)));
            }
        }
    }
    for n in &obs.nic {
        let target = format!("nic:{}", n.iface);
        for c in checks {
            if let Eval::Nic(f) = c.eval {
                out.push(Finding::new(c.id, &target, f(n, t)));
            }
        }
    }
    out
}

/// The failing verdict for a target that could not be reached, with the remediation for
/// each kind of failure. `verify` is the command that shows it fixed.
pub(crate) fn unreachable_verdict(e: &ProbeError, service: &str, verify: &str) -> Verdict {
    let addr = match e {
        ProbeError::Refused { addr }
        | ProbeError::Timeout { addr, .. }
        | ProbeError::Auth { addr, .. }
        | ProbeError::Resolve { addr, .. }
        | ProbeError::Protocol { addr, .. }
        | ProbeError::Other { addr, .. } => addr.as_str(),
    };
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, ""));
    let host = host.trim_matches(|c| c == '[' || c == ']');
    let verify = &verify.replace("HOST", host).replace("PORT", port);
    let (summary, fix) = match e {
        ProbeError::Refused { addr } => (
            format!("connection refused at {addr}"),
            format!("Start {service} or fix its bind/port settings and any firewall; verify with `{verify}`"),
        ),
        ProbeError::Timeout { addr, timeout, stage } => (
            format!(
                "no answer from {addr} within {} while {stage}",
                humantime::format_duration(*timeout)
            ),
            format!(
                "The port accepts connections but {service} does not answer: the process may be stopped, \
                 blocked by a long command, swapping, or a firewall drops packets; verify with `{verify}`"
            ),
        ),
        ProbeError::Auth { addr, detail } => (
            format!("authentication failed at {addr}: {detail}"),
            format!("Supply the right credentials for {service}; the password itself is never printed"),
        ),
        ProbeError::Resolve { addr, detail } => (
            format!("cannot resolve {addr}: {detail}"),
            "Fix the host name or DNS (/etc/hosts, resolv.conf)".to_string(),
        ),
        ProbeError::Protocol { addr, expected, detail } => (
            format!("{addr} answered, but not as {expected}: {detail}"),
            format!("Point the target at {service}'s port; something else listens at {addr}"),
        ),
        ProbeError::Other { addr, detail } => (
            format!("{addr}: {detail}"),
            format!("Check that {service} is running and reachable; verify with `{verify}`"),
        ),
    };
    let kind = match e {
        ProbeError::Refused { .. } => "refused",
        ProbeError::Timeout { .. } => "timeout",
        ProbeError::Auth { .. } => "auth",
        ProbeError::Resolve { .. } => "resolve",
        ProbeError::Protocol { .. } => "protocol",
        ProbeError::Other { .. } => "other",
    };
    Verdict::new(crate::model::Status::Fail, summary)
        .with("failure", kind)
        .fix(fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_dotted_and_documented() {
        let all = matrix();
        let mut seen = HashSet::new();
        for c in &all {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(
                c.id.starts_with(c.area.as_str()) && c.id.contains('.'),
                "{}",
                c.id
            );
            assert!(!c.doc.is_empty() && !c.doc.contains('\n'), "{}", c.id);
            assert!(!c.tags.is_empty(), "{}", c.id);
        }
    }

    #[test]
    fn only_and_skip_take_globs_and_reject_unknown_ids() {
        let ids = |v: Vec<Check>| v.iter().map(|c| c.id).collect::<Vec<_>>();
        let redis = ids(select(Tag::Doctor, &["redis.*".into()], &[]).unwrap());
        assert!(redis.contains(&"redis.reachable"));
        assert!(redis.iter().all(|i| i.starts_with("redis.")));
        let no_kernel = ids(select(Tag::Doctor, &[], &["kernel.*".into()]).unwrap());
        assert!(!no_kernel.iter().any(|i| i.starts_with("kernel.")));
        let e = select(Tag::Doctor, &["redis.nosuch".into()], &[]).unwrap_err();
        assert!(
            e.0.contains("redis.nosuch") && e.0.contains("--only"),
            "{}",
            e.0
        );
        assert!(select(Tag::Doctor, &[], &["[".into()]).is_err());
    }

    #[test]
    fn an_unreachable_target_gives_one_failure_and_skips_not_errors() {
        let obs = Observations {
            redis: vec![RedisObservation {
                target: "redis://h:1".into(),
                addr: "h:1".into(),
                result: Err(ProbeError::Refused { addr: "h:1".into() }),
            }],
            ..Default::default()
        };
        let checks = select(Tag::Doctor, &["redis.*".into()], &[]).unwrap();
        let f = evaluate(&checks, &obs, &Thresholds::default());
        assert_eq!(f.len(), checks.len());
        let fails: Vec<_> = f
            .iter()
            .filter(|f| f.status == crate::model::Status::Fail)
            .collect();
        assert_eq!(fails.len(), 1);
        assert_eq!(fails[0].id, "redis.reachable");
        assert!(f
            .iter()
            .filter(|f| f.id != "redis.reachable")
            .all(|f| f.status == crate::model::Status::Skip && f.summary.contains("unreachable")));
    }
}
