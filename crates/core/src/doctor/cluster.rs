//! Redis Cluster checks: what `redis-cli --cluster check` verifies, as findings, one per cluster.

use std::collections::{BTreeMap, BTreeSet};

use super::{Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::cluster::{
    ranges_text, ClusterNode, ClusterNodeSnapshot, ClusterObservation, SLOTS,
};

const DOCTOR: &[Tag] = &[Tag::Doctor];

/// The Cluster checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "cluster.state",
        area: Area::Cluster,
        tags: DOCTOR,
        doc: "cluster_state other than ok on any node fails, naming the nodes; a node that does not answer fails",
        full: false,
        eval: Eval::Cluster(state),
    },
    Check {
        id: "cluster.slots",
        area: Area::Cluster,
        tags: DOCTOR,
        doc: "any of the 16384 slots not served fails, listing the ranges (0-99, 5461) and why: no master holds it, its master is flagged fail or does not answer, does not claim it itself, or says cluster_state is not ok",
        full: false,
        eval: Eval::Cluster(slots),
    },
    Check {
        id: "cluster.open_slots",
        area: Area::Cluster,
        tags: DOCTOR,
        doc: "slots migrating or importing warn, naming slot, source and target (redis-cli --cluster fix closes them)",
        full: false,
        eval: Eval::Cluster(open_slots),
    },
    Check {
        id: "cluster.config_agreement",
        area: Area::Cluster,
        tags: DOCTOR,
        doc: "nodes disagreeing about who serves a slot fail; about a node's config epoch warn",
        full: false,
        eval: Eval::Cluster(config_agreement),
    },
    Check {
        id: "cluster.replicas",
        area: Area::Cluster,
        tags: DOCTOR,
        doc: "a master with slots and no healthy replica warns; a master whose replicas are all on its own host warns",
        full: false,
        eval: Eval::Cluster(replicas),
    },
    Check {
        id: "cluster.nodes",
        area: Area::Cluster,
        tags: DOCTOR,
        doc: "a node flagged fail fails; fail? (pfail), handshake or a disconnected link warns",
        full: false,
        eval: Eval::Cluster(nodes),
    },
    Check {
        id: "cluster.balance",
        area: Area::Cluster,
        tags: DOCTOR,
        doc: "keys per master (DBSIZE) more than {cluster.balance_ratio}x apart warns, once the cluster holds {cluster.balance_min_keys} keys",
        full: false,
        eval: Eval::Cluster(balance),
    },
];

/// The nodes that answered.
fn views(o: &ClusterObservation) -> Vec<(&str, &ClusterNodeSnapshot)> {
    o.nodes
        .iter()
        .filter_map(|v| v.result.as_ref().ok().map(|s| (v.addr.as_str(), s)))
        .collect()
}

/// The reference view: the first node that answered (the seed when it did).
fn reference(o: &ClusterObservation) -> Result<(&str, &ClusterNodeSnapshot), Verdict> {
    views(o).into_iter().next().ok_or_else(|| {
        Verdict::new(Status::Fail, "no node of the cluster answers")
            .fix("Start the cluster's nodes; verify with `redis-cli -c -p PORT CLUSTER INFO`")
    })
}

fn name(n: &ClusterNode) -> String {
    format!("{} ({})", n.addr, &n.id[..n.id.len().min(8)])
}

/// `cluster.state`.
pub fn state(o: &ClusterObservation, _t: &Ctx) -> Verdict {
    if let Err(v) = reference(o) {
        return v;
    }
    let mut v = Verdict::pass(format!("cluster_state ok on {} nodes", views(o).len()));
    let bad: Vec<String> = views(o)
        .iter()
        .filter(|(_, s)| s.info.get("cluster_state").map(String::as_str) != Some("ok"))
        .map(|(a, s)| format!("{a}: {}", s.info.get("cluster_state").map_or("?", |x| x)))
        .collect();
    let silent: Vec<String> = o
        .nodes
        .iter()
        .filter_map(|n| n.result.as_ref().err().map(|e| format!("{}: {e}", n.addr)))
        .collect();
    if !silent.is_empty() {
        v = v.with("not answering", silent.join("; "));
        v.escalate(
            Status::Fail,
            format!(
                "{} node(s) do not answer: {}",
                silent.len(),
                silent.join("; ")
            ),
            "Start or reach the silent nodes; see cluster.nodes for how the others flag them",
        );
    }
    if !bad.is_empty() {
        v.escalate(
            Status::Fail,
            format!("cluster_state is not ok on {}", bad.join(", ")),
            "The cluster refuses queries: cover every slot (see cluster.slots) and bring failed masters back or fail them over; verify with `redis-cli --cluster check HOST:PORT`",
        );
    }
    v
}

/// Why one slot is not served, in the order its remediation is needed.
#[derive(Clone, Copy, PartialEq)]
enum Unserved {
    /// No master holds it in the reference view.
    Uncovered,
    /// Its master is flagged fail.
    OnFailed,
    /// Its master did not answer this run.
    OwnerSilent,
    /// Its master's own CLUSTER NODES does not list it (CLUSTER DELSLOTS on the owner).
    NotClaimed,
    /// Its master says cluster_state is not ok, so it answers CLUSTERDOWN.
    OwnerDown,
}

impl Unserved {
    const ALL: [Unserved; 5] = [
        Unserved::Uncovered,
        Unserved::OnFailed,
        Unserved::OwnerSilent,
        Unserved::NotClaimed,
        Unserved::OwnerDown,
    ];

    /// The evidence key listing the slots.
    fn key(self) -> &'static str {
        match self {
            Unserved::Uncovered => "uncovered",
            Unserved::OnFailed => "slots_on_failed_masters",
            Unserved::OwnerSilent => "owner_not_answering",
            Unserved::NotClaimed => "not_claimed_by_owner",
            Unserved::OwnerDown => "owner_cluster_state_not_ok",
        }
    }

    fn fix(self) -> &'static str {
        match self {
            Unserved::Uncovered => "Assign them (CLUSTER ADDSLOTSRANGE on a master, or `redis-cli --cluster fix HOST:PORT`); keys in those slots cannot be read or written until then",
            Unserved::OnFailed => "Fail the master over to a replica (CLUSTER FAILOVER on the replica) or bring it back; verify with `redis-cli --cluster check HOST:PORT`",
            Unserved::OwnerSilent => "Start or reach the master that holds them (see cluster.state); until it answers, clients cannot use those slots",
            Unserved::NotClaimed => "The master the cluster sends these slots to no longer claims them (CLUSTER DELSLOTS on it): CLUSTER ADDSLOTS them back on that master, or `redis-cli --cluster fix HOST:PORT`; clients get CLUSTERDOWN until then",
            Unserved::OwnerDown => "Their master answers CLUSTERDOWN because its own view of the cluster is not ok: see cluster.state and what that node's CLUSTER NODES lacks; verify with `redis-cli --cluster check HOST:PORT`",
        }
    }
}

/// `cluster.slots`: a slot is served only when the master the cluster maps it to (as the
/// reference node sees it) is not flagged fail, claims the slot in its own CLUSTER NODES and
/// says cluster_state ok; anything else gives CLUSTERDOWN (or no answer) to clients.
pub fn slots(o: &ClusterObservation, _t: &Ctx) -> Verdict {
    let (addr, s) = match reference(o) {
        Ok(r) => r,
        Err(v) => return v,
    };
    // each master's own view, by node id: what it claims and whether it says ok
    let own: BTreeMap<&str, (&ClusterNode, bool)> = views(o)
        .into_iter()
        .filter_map(|(_, v)| {
            let me = v.nodes.iter().find(|n| n.has("myself"))?;
            let ok = v.info.get("cluster_state").map(String::as_str) == Some("ok");
            Some((me.id.as_str(), (me, ok)))
        })
        .collect();
    let mut why: Vec<Option<Unserved>> = vec![Some(Unserved::Uncovered); SLOTS];
    // the masters behind each kind, to name them
    let mut whose: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for n in s.nodes.iter().filter(|n| n.has("master")) {
        for &(a, b) in &n.slots {
            for slot in a..=b {
                let w = if n.has("fail") {
                    Some(Unserved::OnFailed)
                } else {
                    match own.get(n.id.as_str()) {
                        None => Some(Unserved::OwnerSilent),
                        Some((me, _))
                            if !me.slots.iter().any(|&(x, y)| (x..=y).contains(&slot)) =>
                        {
                            Some(Unserved::NotClaimed)
                        }
                        Some((_, false)) => Some(Unserved::OwnerDown),
                        Some((_, true)) => None,
                    }
                };
                if let Some(k) = w {
                    whose.entry(k.key()).or_default().insert(name(n));
                }
                why[usize::from(slot)] = w;
            }
        }
    }
    let mut v = Verdict::pass(format!(
        "all {SLOTS} slots served: each master claims its slots and says cluster_state ok (slot map as {addr} sees it)"
    ))
    .with("seen_from", addr);
    let unserved = why.iter().filter(|w| w.is_some()).count();
    let mut parts = Vec::new();
    let mut fix = None;
    for kind in Unserved::ALL {
        let list: Vec<u16> = (0..SLOTS as u16)
            .filter(|s| why[usize::from(*s)] == Some(kind))
            .collect();
        if list.is_empty() {
            continue;
        }
        let ranges = ranges_text(&list);
        let who = whose
            .get(kind.key())
            .map(|w| w.iter().cloned().collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        parts.push(match kind {
            Unserved::Uncovered => format!("{ranges} held by no master"),
            Unserved::OnFailed => format!("{ranges} on {who}, flagged fail"),
            Unserved::OwnerSilent => format!("{ranges} on {who}, which does not answer"),
            Unserved::NotClaimed => {
                format!("{ranges} mapped to {who}, which does not claim them itself")
            }
            Unserved::OwnerDown => format!("{ranges} on {who}, whose cluster_state is not ok"),
        });
        v = v.with(kind.key(), ranges);
        fix.get_or_insert(kind.fix());
    }
    if let Some(fix) = fix {
        v.escalate(
            Status::Fail,
            format!("{unserved} slot(s) not served: {}", parts.join("; ")),
            fix,
        );
    }
    v
}

/// `cluster.open_slots`.
pub fn open_slots(o: &ClusterObservation, _t: &Ctx) -> Verdict {
    if let Err(v) = reference(o) {
        return v;
    }
    let mut open = Vec::new();
    let ids: BTreeMap<&str, &str> = views(o)
        .iter()
        .flat_map(|(_, s)| s.nodes.iter())
        .map(|n| (n.id.as_str(), n.addr.as_str()))
        .collect();
    let who = |id: &str| {
        ids.get(id)
            .map_or_else(|| id.to_string(), |a| a.to_string())
    };
    for (addr, s) in views(o) {
        for me in s.nodes.iter().filter(|n| n.has("myself")) {
            for (slot, to) in &me.migrating {
                open.push(format!("slot {slot} migrating from {addr} to {}", who(to)));
            }
            for (slot, from) in &me.importing {
                open.push(format!(
                    "slot {slot} importing into {addr} from {}",
                    who(from)
                ));
            }
        }
    }
    if open.is_empty() {
        return Verdict::pass("no slot is migrating or importing");
    }
    let mut v = Verdict::new(Status::Warn, format!("open slots: {}", open.join("; ")));
    for o in &open {
        v = v.with("open", o);
    }
    v.fix("Finish the move (MIGRATE the remaining keys, then CLUSTER SETSLOT SLOT NODE ID on both nodes) or close it with `redis-cli --cluster fix HOST:PORT`")
}

/// Slot → owner id, as one node sees it.
fn owners(s: &ClusterNodeSnapshot) -> Vec<Option<&str>> {
    let mut m = vec![None; SLOTS];
    for n in s.nodes.iter().filter(|n| n.has("master")) {
        for &(a, b) in &n.slots {
            m[usize::from(a)..=usize::from(b)].fill(Some(n.id.as_str()));
        }
    }
    m
}

/// `cluster.config_agreement`.
pub fn config_agreement(o: &ClusterObservation, _t: &Ctx) -> Verdict {
    let (ref_addr, r) = match reference(o) {
        Ok(r) => r,
        Err(v) => return v,
    };
    let base = owners(r);
    let mut v = Verdict::pass(format!(
        "{} nodes agree on the slot map and config epochs",
        views(o).len()
    ));
    let mut disagree = Vec::new();
    let mut epochs: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for (addr, s) in views(o) {
        // a replica's line shows its master's epoch once its master is known: masters only
        for n in s
            .nodes
            .iter()
            .filter(|n| n.has("master") && !n.slots.is_empty())
        {
            epochs
                .entry(n.id.as_str())
                .or_default()
                .insert(n.config_epoch);
        }
        let mine = owners(s);
        let differ: Vec<u16> = (0..SLOTS as u16)
            .filter(|slot| base[usize::from(*slot)] != mine[usize::from(*slot)])
            .collect();
        if !differ.is_empty() {
            disagree.push(format!(
                "{addr} differs from {ref_addr} on slots {}",
                ranges_text(&differ)
            ));
        }
    }
    let epoch_split: Vec<String> = epochs
        .iter()
        .filter(|(_, e)| e.len() > 1)
        .map(|(id, e)| format!("{}: {:?}", &id[..id.len().min(8)], e))
        .collect();
    if !epoch_split.is_empty() {
        v = v.with("config_epochs", epoch_split.join("; "));
        v.escalate(
            Status::Warn,
            format!("nodes disagree on config epochs: {}", epoch_split.join("; ")),
            "Usually transient after a failover; if it stays, check the cluster bus (port + 10000) between the nodes",
        );
    }
    if !disagree.is_empty() {
        for d in &disagree {
            v = v.with("disagreement", d);
        }
        v.escalate(
            Status::Fail,
            format!("nodes disagree about slot ownership: {}", disagree.join("; ")),
            "Check the cluster bus (port + 10000) between the nodes; then `redis-cli --cluster fix HOST:PORT`",
        );
    }
    v
}

/// `cluster.replicas`.
pub fn replicas(o: &ClusterObservation, _t: &Ctx) -> Verdict {
    let (_, r) = match reference(o) {
        Ok(r) => r,
        Err(v) => return v,
    };
    let mut v = Verdict::pass("every master with slots has a healthy replica on another host");
    for m in r
        .nodes
        .iter()
        .filter(|n| n.has("master") && !n.slots.is_empty())
    {
        let reps: Vec<&ClusterNode> = r
            .nodes
            .iter()
            .filter(|n| {
                n.master_id.as_deref() == Some(m.id.as_str()) && !n.has("fail") && !n.has("fail?")
            })
            .collect();
        v = v.with(
            name(m),
            if reps.is_empty() {
                "no replica".to_string()
            } else {
                reps.iter()
                    .map(|r| r.addr.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        );
        if reps.is_empty() {
            v.escalate(
                Status::Warn,
                format!("master {} has no healthy replica: losing it loses its slots", name(m)),
                "Add a replica (redis-cli --cluster add-node NEW:PORT HOST:PORT --cluster-slave --cluster-master-id ID) on another host",
            );
        } else if reps.iter().all(|r| r.host() == m.host()) {
            v.escalate(
                Status::Warn,
                format!("every replica of {} is on its own host {}", name(m), m.host()),
                "Move a replica to another host (or availability zone): one machine failing would take the master and its replicas",
            );
        }
    }
    v
}

/// `cluster.nodes`.
pub fn nodes(o: &ClusterObservation, _t: &Ctx) -> Verdict {
    let (addr, r) = match reference(o) {
        Ok(r) => r,
        Err(v) => return v,
    };
    let mut v = Verdict::pass(format!(
        "{} nodes, none flagged (as {addr} sees it)",
        r.nodes.len()
    ));
    for n in &r.nodes {
        let flagged: Vec<&str> = ["fail", "fail?", "handshake", "noaddr"]
            .into_iter()
            .filter(|f| n.has(f))
            .collect();
        let disconnected = n.link != "connected" && !n.has("myself");
        if flagged.is_empty() && !disconnected {
            continue;
        }
        let what = format!(
            "{} is {}{}",
            name(n),
            flagged.join(","),
            if disconnected {
                " (link disconnected)"
            } else {
                ""
            }
        );
        v = v.with("flagged", &what);
        let status = if n.has("fail") {
            Status::Fail
        } else {
            Status::Warn
        };
        v.escalate(
            status,
            what,
            "Bring the node back (or CLUSTER FORGET it on every node once it is gone for good); check the cluster bus port (port + 10000)",
        );
    }
    v
}

/// `cluster.balance`.
pub fn balance(o: &ClusterObservation, t: &Ctx) -> Verdict {
    if let Err(v) = reference(o) {
        return v;
    }
    let masters: Vec<(&str, u64)> = views(o)
        .iter()
        .filter(|(_, s)| {
            s.nodes
                .iter()
                .any(|n| n.has("myself") && n.has("master") && !n.slots.is_empty())
        })
        .filter_map(|(a, s)| Some((*a, *s.dbsize.as_ref().ok()?)))
        .collect();
    if masters.len() < 2 {
        return Verdict::skip("fewer than two masters with slots answered DBSIZE");
    }
    let total: u64 = masters.iter().map(|m| m.1).sum();
    let (min, max) = (
        masters.iter().map(|m| m.1).min().unwrap_or(0),
        masters.iter().map(|m| m.1).max().unwrap_or(0),
    );
    let mut v = Verdict::pass(format!("keys per master {min}..{max}"));
    for (a, n) in &masters {
        v = v.with(*a, n);
    }
    if total < t.cluster.balance_min_keys {
        return Verdict::skip(format!(
            "{total} keys in all ({min}..{max} per master): below {} keys the balance is not judged",
            t.cluster.balance_min_keys
        ));
    }
    if max as f64 > t.cluster.balance_ratio * (min.max(1)) as f64 {
        v.escalate(
            Status::Warn,
            format!("keys per master are {min}..{max}: more than {}x apart", t.cluster.balance_ratio),
            "Rebalance slots (`redis-cli --cluster rebalance HOST:PORT`), and look for hot hash tags that pin many keys to one slot",
        );
    }
    v
}

/// The cluster area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    for o in &obs.cluster {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Cluster(f) = c.eval {
                out.push(crate::model::Finding::new(c.id, &o.target, f(o, t)));
            }
        }
    }
}
