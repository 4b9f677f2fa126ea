//! Redis checks: persistence and replication health.

use super::*;

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
    v = v.with("connected_replicas", replicas);
    if replicas > 0.0 {
        let min = match config(s) {
            Ok(c) => c
                .get("min-replicas-to-write")
                .cloned()
                .unwrap_or_else(|| "0".into()),
            Err(skip) => return skip,
        };
        v = v.with("min_replicas_to_write", &min);
        if min == "0" {
            v.escalate(
                Status::Warn,
                format!("master with {replicas} replicas and min-replicas-to-write 0: a partitioned master keeps taking writes that a failover will discard"),
                "CONFIG SET min-replicas-to-write 1 and min-replicas-max-lag 10 (and in redis.conf); verify with `redis-cli CONFIG GET min-replicas-*`",
            );
        }
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
            Status::Warn
        );
    }
}
