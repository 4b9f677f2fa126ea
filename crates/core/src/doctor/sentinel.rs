//! Sentinel checks: one finding per deployment, from what every sentinel said.

use std::collections::{BTreeMap, BTreeSet};

use super::{failure_kind, Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::sentinel::{SentinelObservation, SentinelSnapshot};
use crate::observe::ProbeError;

const DOCTOR: &[Tag] = &[Tag::Doctor];

/// The Sentinel checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "sentinel.count",
        area: Area::Sentinel,
        tags: DOCTOR,
        doc: "fewer than {sentinel.min_sentinels} sentinels known for the master fails; a sentinel that does not answer is named",
        full: false,
        eval: Eval::Sentinel(count),
    },
    Check {
        id: "sentinel.quorum",
        area: Area::Sentinel,
        tags: DOCTOR,
        doc: "SENTINEL CKQUORUM other than OK fails with its message; fewer answering sentinels than the quorum fails (before the survivors notice); a quorum that is not a majority of the known sentinels warns",
        full: false,
        eval: Eval::Sentinel(quorum),
    },
    Check {
        id: "sentinel.masters_agree",
        area: Area::Sentinel,
        tags: DOCTOR,
        doc: "sentinels naming different master addresses is split brain: fails, naming who says what",
        full: false,
        eval: Eval::Sentinel(masters_agree),
    },
    Check {
        id: "sentinel.replicas",
        area: Area::Sentinel,
        tags: DOCTOR,
        doc: "no healthy replica (not s_down/o_down/disconnected, master-link-status ok, lag below {sentinel.replica_lag_warn_s} s) warns",
        full: false,
        eval: Eval::Sentinel(replicas),
    },
    Check {
        id: "sentinel.config",
        area: Area::Sentinel,
        tags: DOCTOR,
        doc: "down-after-milliseconds, failover-timeout or parallel-syncs differing between sentinels warns",
        full: false,
        eval: Eval::Sentinel(config),
    },
];

/// The sentinels that answered, with their snapshots.
fn answering(o: &SentinelObservation) -> Vec<(&str, &SentinelSnapshot)> {
    o.sentinels
        .iter()
        .filter_map(|v| v.result.as_ref().ok().map(|s| (v.addr.as_str(), s)))
        .collect()
}

/// Why no check can judge the deployment, when none can: no sentinel answered, or none of those
/// that answered monitors a master by that name. Every check fails the same way, naming why.
fn unusable(o: &SentinelObservation) -> Option<Verdict> {
    none_answer(o).or_else(|| unknown_master(o))
}

/// None of the sentinels answered.
fn none_answer(o: &SentinelObservation) -> Option<Verdict> {
    if !answering(o).is_empty() {
        return None;
    }
    let errors: Vec<(&str, &ProbeError)> = o
        .sentinels
        .iter()
        .filter_map(|v| v.result.as_ref().err().map(|e| (v.addr.as_str(), e)))
        .collect();
    let why: Vec<String> = errors.iter().map(|(a, e)| format!("{a}: {e}")).collect();
    let kinds: BTreeSet<&str> = errors.iter().map(|(_, e)| failure_kind(e)).collect();
    let auth = kinds.len() == 1 && kinds.contains("auth");
    let (summary, fix) = if auth {
        // they answered, only to refuse us: starting them is not the remedy
        (
            format!("authentication failed at every sentinel of {}", o.master),
            format!("Give the sentinels' own password with --sentinel-password (their requirepass or ACL user; without the flag the URL's data-node password is sent to them); verify with `redis-cli -p 26379 --askpass SENTINEL MASTER {}`", o.master),
        )
    } else {
        (
            format!("no sentinel of {} answers", o.master),
            "Start the sentinels (redis-sentinel, or redis-server FILE --sentinel) and check their port and firewall; verify with `redis-cli -p 26379 SENTINEL MASTER NAME`".to_string(),
        )
    };
    let mut v = Verdict::new(Status::Fail, summary).with("sentinels", why.join("; "));
    if let (1, Some(kind)) = (kinds.len(), kinds.first()) {
        v = v.with("failure", *kind);
    }
    Some(v.fix(fix))
}

/// Every answering sentinel says it monitors no master by the name asked (a typo in the URL,
/// or sentinels set up for another deployment): counting them or their quorum means nothing.
fn unknown_master(o: &SentinelObservation) -> Option<Verdict> {
    let answering = answering(o);
    if !answering
        .iter()
        .all(|(_, s)| s.lacks(&o.master) == Some(true))
    {
        return None;
    }
    let mut names: Vec<&str> = answering
        .iter()
        .flat_map(|(_, s)| s.monitors.iter().flatten().map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    let known = if names.is_empty() {
        "they monitor no master at all".to_string()
    } else {
        format!("they monitor {}", names.join(", "))
    };
    let who: Vec<&str> = answering.iter().map(|(a, _)| *a).collect();
    Some(
        Verdict::new(
            Status::Fail,
            format!("no sentinel knows a master named {}: {known}", o.master),
        )
        .with("asked", who.join(", "))
        .with("monitored", names.join(", "))
        .fix(format!(
            "Name a monitored master in the URL (redis+sentinel://HOSTS/NAME), or have every sentinel monitor it: SENTINEL MONITOR {} HOST PORT QUORUM (then SENTINEL SET {} auth-pass … if the master has a password); verify with `redis-cli -p 26379 SENTINEL MASTERS`",
            o.master, o.master
        )),
    )
}

/// host:port of a SENTINEL entry, brackets around IPv6 as in every other address.
fn addr(m: &BTreeMap<String, String>) -> Option<String> {
    let (ip, port) = crate::observe::sentinel_addr(m)?;
    Some(if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    })
}

/// Every sentinel known: those named or discovered, and those any answering one lists.
fn known(o: &SentinelObservation) -> Vec<String> {
    let mut all: Vec<String> = o.sentinels.iter().map(|v| v.addr.clone()).collect();
    for (_, s) in answering(o) {
        for m in s.sentinels.as_ref().into_iter().flatten() {
            if let Some(a) = addr(m) {
                if !all.contains(&a) {
                    all.push(a);
                }
            }
        }
    }
    all
}

/// `sentinel.count`.
pub fn count(o: &SentinelObservation, t: &Ctx) -> Verdict {
    if let Some(v) = unusable(o) {
        return v;
    }
    let known = known(o);
    let down: Vec<&str> = o
        .sentinels
        .iter()
        .filter(|v| v.result.is_err())
        .map(|v| v.addr.as_str())
        .collect();
    let want = t.sentinel.min_sentinels;
    let mut v = Verdict::pass(format!("{} sentinels know {}", known.len(), o.master))
        .with("sentinels", known.join(", "))
        .with("answering", known.len() - down.len());
    if !down.is_empty() {
        v = v.with("not answering", down.join(", "));
    }
    if (known.len() as u64) < want {
        v.escalate(
            Status::Fail,
            format!(
                "only {} sentinel(s) know {}: fewer than {want}, one failure leaves no majority to fail over",
                known.len(),
                o.master
            ),
            &format!("Run at least {want} sentinels on separate hosts (an odd number), each with `sentinel monitor {} HOST PORT QUORUM`; verify with `redis-cli -p 26379 SENTINEL CKQUORUM {}`", o.master, o.master),
        );
    }
    v
}

/// `sentinel.quorum`.
pub fn quorum(o: &SentinelObservation, _t: &Ctx) -> Verdict {
    if let Some(v) = unusable(o) {
        return v;
    }
    let answering = answering(o);
    let known = known(o).len();
    let q: Option<usize> = answering
        .iter()
        .filter_map(|(_, s)| s.field("quorum")?.parse().ok())
        .max();
    let Some(q) = q else {
        return Verdict::skip("no sentinel reported the quorum (SENTINEL MASTER unreadable)");
    };
    let mut v = Verdict::pass(format!(
        "quorum {q} of {known} sentinels, {} answering",
        answering.len()
    ))
    .with("quorum", q)
    .with("known", known)
    .with("answering", answering.len());
    if let Some((addr, s)) = answering.first() {
        match &s.ckquorum {
            Ok(text) => v = v.with("ckquorum", format!("{addr}: {text}")),
            Err(e) => {
                v = v.with("ckquorum", format!("{addr}: {e}"));
                v.escalate(
                    Status::Fail,
                    format!("SENTINEL CKQUORUM on {addr}: {e}"),
                    &format!("Bring back enough sentinels to reach the quorum and a majority, or lower the quorum (SENTINEL SET {} quorum N); verify with `redis-cli -p 26379 SENTINEL CKQUORUM {}`", o.master, o.master),
                );
            }
        }
    }
    if answering.len() < q {
        v.escalate(
            Status::Fail,
            format!(
                "only {} of {known} sentinels answer, below the quorum of {q}: no failover can be agreed",
                answering.len()
            ),
            "Restart the sentinels that do not answer (see sentinel.count) before the master fails",
        );
    }
    if q <= known / 2 {
        v.escalate(
            Status::Warn,
            format!("quorum {q} is not a majority of {known} sentinels: a minority partition can start a failover"),
            &format!(
                "SENTINEL SET {} quorum {} on every sentinel (a majority of {known})",
                o.master,
                known / 2 + 1
            ),
        );
    }
    v
}

/// `sentinel.masters_agree`.
pub fn masters_agree(o: &SentinelObservation, _t: &Ctx) -> Verdict {
    if let Some(v) = unusable(o) {
        return v;
    }
    let mut says: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (addr, s) in answering(o) {
        let m = s
            .master_addr
            .clone()
            .unwrap_or_else(|| "(no master)".into());
        says.entry(m).or_default().push(addr);
    }
    let text = says
        .iter()
        .map(|(m, who)| format!("{} say {m}", who.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    if says.len() > 1 {
        return Verdict::new(
            Status::Fail,
            format!("sentinels disagree on the master of {}: {text}", o.master),
        )
        .with("views", &text)
        .fix("Split brain: find which side took writes (redis.split_brain lists the masters and their offsets), make the others replicas, and restart the sentinels with the minority view; check the network between them");
    }
    Verdict::pass(format!(
        "every answering sentinel names {}",
        says.keys().next().map_or("", |s| s)
    ))
    .with("views", text)
}

/// `sentinel.replicas`.
pub fn replicas(o: &SentinelObservation, t: &Ctx) -> Verdict {
    if let Some(v) = unusable(o) {
        return v;
    }
    let (from, s) = answering(o)[0];
    let list = match &s.replicas {
        Ok(l) => l,
        Err(e) => return Verdict::skip(format!("SENTINEL REPLICAS on {from}: {e}")),
    };
    let lag_limit = t.sentinel.replica_lag_warn_s;
    let mut healthy = 0;
    let mut v = Verdict::pass("");
    for r in list {
        let flags = r.get("flags").map(String::as_str).unwrap_or("");
        let link = r
            .get("master-link-status")
            .map(String::as_str)
            .unwrap_or("");
        let down_ms: f64 = r
            .get("master-link-down-time")
            .and_then(|d| d.parse().ok())
            .unwrap_or(0.0);
        let ok = !["s_down", "o_down", "disconnected"]
            .iter()
            .any(|f| flags.split(',').any(|x| x == *f))
            && link == "ok"
            && down_ms / 1000.0 < lag_limit;
        healthy += usize::from(ok);
        let name = addr(r).unwrap_or_else(|| "?".into());
        v = v.with(name, format!("flags={flags} link={link}"));
    }
    v.summary = format!("{healthy} of {} replicas healthy", list.len());
    if healthy == 0 {
        v.escalate(
            Status::Warn,
            format!("no healthy replica of {}: a failover has nothing to promote", o.master),
            "Start or repair a replica (REPLICAOF MASTER_HOST MASTER_PORT, masterauth), and check its link with `redis-cli INFO replication`",
        );
    }
    v
}

/// `sentinel.config`.
pub fn config(o: &SentinelObservation, _t: &Ctx) -> Verdict {
    if let Some(v) = unusable(o) {
        return v;
    }
    let answering = answering(o);
    let mut v = Verdict::pass(format!(
        "{} sentinels agree on their failover settings",
        answering.len()
    ));
    for key in [
        "down-after-milliseconds",
        "failover-timeout",
        "parallel-syncs",
    ] {
        let mut values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (addr, s) in &answering {
            values
                .entry(s.field(key).unwrap_or("?"))
                .or_default()
                .push(addr);
        }
        let text = values
            .iter()
            .map(|(val, who)| format!("{val} on {}", who.join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        v = v.with(key, &text);
        if values.len() > 1 {
            v.escalate(
                Status::Warn,
                format!("sentinels differ on {key}: {text}"),
                &format!("Set the same value everywhere: SENTINEL SET {} {key} VALUE on each sentinel (it rewrites sentinel.conf)", o.master),
            );
        }
    }
    v
}

/// The sentinel area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    for o in &obs.sentinel {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Sentinel(f) = c.eval {
                out.push(crate::model::Finding::new(c.id, &o.target, f(o, t)));
            }
        }
    }
}
