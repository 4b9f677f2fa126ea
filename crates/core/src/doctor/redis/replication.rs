//! Redis checks: persistence and replication health.

use super::*;
use crate::observe::RedisObservation;

/// `redis.persistence`.
pub fn persistence(s: &RedisSnapshot, _t: &Ctx) -> Verdict {
    let (_, b) = match infos(s) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    let rdb = b
        .get("rdb_last_bgsave_status")
        .map(String::as_str)
        .unwrap_or("ok");
    let aof_on = b.get("aof_enabled").map(String::as_str) == Some("1");
    let aof = b
        .get("aof_last_write_status")
        .map(String::as_str)
        .unwrap_or("ok");
    let mut v = Verdict::pass(format!(
        "last bgsave {rdb}, AOF {}",
        if aof_on { aof } else { "off" }
    ))
    .with("rdb_last_bgsave_status", rdb)
    .with("aof_enabled", aof_on)
    .with("aof_last_write_status", aof);
    if let Some(changes) = b.get("rdb_changes_since_last_save") {
        v = v.with("rdb_changes_since_last_save", changes);
    }
    if rdb != "ok" {
        v.escalate(
            Status::Fail,
            format!("the last RDB save failed (rdb_last_bgsave_status {rdb}): writes may be refused (stop-writes-on-bgsave-error)"),
            "Read the Redis log for the fork/write error (disk full, permissions, vm.overcommit_memory); fix it and run BGSAVE; verify with `redis-cli INFO persistence`",
        );
    }
    if aof != "ok" {
        v.escalate(
            Status::Fail,
            format!("the last AOF write failed (aof_last_write_status {aof})"),
            "Check the disk under `dir` (space, I/O errors) and the Redis log; verify with `redis-cli INFO persistence`",
        );
    }
    v
}

/// `redis.replication`.
pub fn replication(s: &RedisSnapshot, _t: &Ctx) -> Verdict {
    let (_, b) = match infos(s) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    let role = b.get("role").cloned().unwrap_or_default();
    let mut v = Verdict::pass(format!("role {role}")).with("role", &role);
    if role == "slave" {
        let link = b.get("master_link_status").cloned().unwrap_or_default();
        let master = format!(
            "{}:{}",
            b.get("master_host").cloned().unwrap_or_default(),
            b.get("master_port").cloned().unwrap_or_default()
        );
        v = v.with("master", &master).with("master_link_status", &link);
        if let Some(down) = b.get("master_link_down_since_seconds") {
            v = v.with("master_link_down_since_seconds", down);
        }
        v.summary = format!("replica of {master}, link {link}");
        if link != "up" {
            v.escalate(
                Status::Fail,
                format!("replica's link to master {master} is {link}: it serves stale state and may be promoted into a split brain"),
                "Bring the master back or promote exactly one replica (Sentinel/Cluster failover), then REPLICAOF the others to it; verify master_link_status:up in `redis-cli INFO replication`",
            );
        }
        return v;
    }
    let replicas = num(b, "connected_slaves").unwrap_or(0.0);
    v.with("connected_replicas", replicas)
}

/// `redis.min_replicas`.
pub fn min_replicas(s: &RedisSnapshot, _t: &Ctx) -> Verdict {
    let (_, b) = match infos(s) {
        Ok(x) => x,
        Err(skip) => return skip,
    };
    if b.get("role").map(String::as_str) != Some("master") {
        return Verdict::pass("a replica: min-replicas-to-write applies to its master")
            .with("role", b.get("role").map_or("", |r| r));
    }
    let replicas = num(b, "connected_slaves").unwrap_or(0.0) as u64;
    if replicas == 0 {
        return Verdict::pass("a master without replicas: no write acknowledgement to require")
            .with("connected_replicas", 0);
    }
    let min = match config(s) {
        Ok(c) => c
            .get("min-replicas-to-write")
            .cloned()
            .unwrap_or_else(|| "0".into()),
        Err(skip) => return skip,
    };
    // a majority of the master and its replicas, counting the master: 2 replicas -> 1
    let majority = replicas.div_ceil(2);
    let mut v = Verdict::pass(format!(
        "min-replicas-to-write {min} with {replicas} replica(s)"
    ))
    .with("connected_replicas", replicas)
    .with("min_replicas_to_write", &min)
    .with("majority_value", majority);
    if min == "0" {
        v.escalate(
            Status::Warn,
            format!("master with {replicas} replica(s) and min-replicas-to-write 0: a partitioned master keeps taking writes that a failover will discard"),
            &format!("CONFIG SET min-replicas-to-write {majority} and min-replicas-max-lag 10 (a majority of the {} nodes acknowledges each write; also in redis.conf); verify with `redis-cli CONFIG GET min-replicas-*`", replicas + 1),
        );
    }
    v
}

/// `redis.split_brain`.
pub fn split_brain(label: &str, nodes: &[&RedisObservation], _t: &Ctx) -> Verdict {
    let Some((_, role)) = nodes.first().and_then(|n| n.member.as_ref()) else {
        return Verdict::skip(
            "a single server named by URL: split brain is judged across a deployment (name it with redis+sentinel://)",
        );
    };
    if role.starts_with("cluster") || label.starts_with("cluster:") {
        return Verdict::skip(
            "a Redis Cluster has a master per shard: slot ownership is cluster.config_agreement's",
        );
    }
    let mut masters = Vec::new();
    let mut unread = Vec::new();
    for n in nodes {
        let info = match &n.result {
            Ok(s) => s.info_end.as_ref().or(s.info.as_ref()).ok(),
            Err(_) => None,
        };
        match info {
            Some(i) if i.get("role").map(String::as_str) == Some("master") => masters.push((
                n.addr.as_str(),
                i.get("master_repl_offset").map_or("?", |o| o.as_str()),
                i.get("connected_slaves").map_or("?", |o| o.as_str()),
            )),
            Some(_) => {}
            None => unread.push(n.addr.as_str()),
        }
    }
    let list = masters
        .iter()
        .map(|(a, off, reps)| format!("{a} (master_repl_offset {off}, {reps} replicas)"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut v = Verdict::pass(format!("one master among {} nodes: {list}", nodes.len()))
        .with("masters", &list);
    if !unread.is_empty() {
        v = v.with("not read", unread.join(", "));
    }
    match masters.len() {
        0 if unread.len() == nodes.len() => {
            return Verdict::skip("no node of the deployment could be read (see redis.reachable)")
        }
        0 => v.escalate(
            Status::Fail,
            format!("no node of {label} says role:master"),
            "A failover may be in progress or stuck: check `SENTINEL MASTER NAME` and the sentinels (sentinel.quorum)",
        ),
        1 => {}
        n => v.escalate(
            Status::Fail,
            format!("split brain: {n} nodes answer role:master: {list}"),
            "Keep the master the sentinels name (sentinel.masters_agree), make every other one a replica of it (REPLICAOF HOST PORT), and compare offsets to see which writes the demoted side took; set min-replicas-to-write to stop a partitioned master taking writes",
        ),
    }
    v
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::config::Thresholds;

    #[test]
    fn persistence_and_replication() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        assert_eq!(
            persistence(&snapshot(&[("rdb_last_bgsave_status", "err")]), &t).status,
            Status::Fail
        );
        assert_eq!(
            persistence(
                &snapshot(&[("aof_enabled", "1"), ("aof_last_write_status", "err")]),
                &t
            )
            .status,
            Status::Fail
        );
        let v = replication(
            &snapshot(&[
                ("role", "slave"),
                ("master_host", "10.0.0.1"),
                ("master_port", "6379"),
                ("master_link_status", "down"),
            ]),
            &t,
        );
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("10.0.0.1:6379"));
        assert_eq!(
            replication(
                &snapshot(&[("role", "slave"), ("master_link_status", "up")]),
                &t
            )
            .status,
            Status::Pass
        );
        assert_eq!(
            replication(&snapshot(&[("connected_slaves", "2")]), &t).status,
            Status::Pass
        );
        let v = min_replicas(&snapshot(&[("connected_slaves", "2")]), &t);
        assert_eq!(v.status, Status::Warn);
        assert!(
            v.remediation.contains("min-replicas-to-write 1"),
            "{}",
            v.remediation
        );
        let v = min_replicas(&snapshot(&[("connected_slaves", "4")]), &t);
        assert!(
            v.remediation.contains("min-replicas-to-write 2"),
            "{}",
            v.remediation
        );
        assert_eq!(min_replicas(&snapshot(&[]), &t).status, Status::Pass);
    }
}
