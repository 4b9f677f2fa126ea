//! Redis checks: persistence and replication health.

use super::*;
use crate::observe::redis::replica_links;
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

/// How often a replica acknowledges its offset (REPLCONF ACK from its replicationCron, once a
/// second): the acknowledged offset is up to this old, so the data at risk it gives counts up
/// to this much of writes the replica may already hold. The resolution of `redis.rpo`.
pub const REPLICA_ACK_PERIOD_S: f64 = 1.0;

/// The resolution note every `redis.rpo` verdict carries.
const RPO_RESOLUTION: &str = "~1 s: a replica acknowledges its offset once a second, so a healthy replica shows up to ~1 s of writes at risk";

/// What one replica would lose if its master were lost at the end of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct AtRisk {
    /// The replica as its master sees it (`ip:port`).
    pub addr: String,
    /// Its replication state (`online`, `wait_bgsave`, `send_bulk` …).
    pub state: String,
    /// master_repl_offset at the window's end minus the offset it acknowledged.
    pub bytes: u64,
    /// Those bytes in seconds of the master's writes; None when the replica is not online
    /// (it holds nothing it can serve).
    pub seconds: Option<f64>,
    /// The seconds are a lower bound: the master wrote nothing in the window, so they are the
    /// replica's ACK lag.
    pub at_least: bool,
    /// Seconds since its last acknowledgement.
    pub lag: Option<u64>,
}

impl AtRisk {
    /// `127.0.0.1:6380: 45.0 KiB (46080 B), 3.2 s at risk, lag 3 s`.
    fn figures(&self) -> String {
        let lag = self.lag.map_or(String::new(), |l| format!(", lag {l} s"));
        match self.seconds {
            None => format!(
                "{} not online ({}): everything at risk",
                self.addr, self.state
            ),
            Some(s) => format!(
                "{}: {}, {}{} at risk{lag}",
                self.addr,
                bytes(self.bytes),
                if self.at_least { "at least " } else { "" },
                secs(s)
            ),
        }
    }
}

/// `900 B`, `19.5 KiB (20010 B)`: exact, as an edge may be a few bytes.
fn bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else {
        format!("{} ({n} B)", human_bytes(n as f64))
    }
}

/// `3.2 s`, `2.001 s`, `1 s`.
fn secs(s: f64) -> String {
    let t = format!("{s:.3}");
    format!("{} s", t.trim_end_matches('0').trim_end_matches('.'))
}

/// Each replica's data at risk from the master's `end` INFO read and its write rate
/// (bytes/s over the window): bytes = master_repl_offset − its acknowledged offset; seconds =
/// bytes ÷ rate, or, with no writes in the window and bytes behind, at least its ACK lag.
pub fn replicas_at_risk(end: &Info, rate: f64) -> Vec<AtRisk> {
    let master = num(end, "master_repl_offset").unwrap_or(0.0).max(0.0) as u64;
    replica_links(end)
        .into_iter()
        .map(|l| {
            let bytes = master.saturating_sub(l.offset.unwrap_or(0));
            let (seconds, at_least) = if l.state != "online" {
                (None, false)
            } else if bytes == 0 {
                (Some(0.0), false)
            } else if rate > 0.0 {
                (Some(bytes as f64 / rate), false)
            } else {
                (Some(l.lag.unwrap_or(0) as f64), true)
            };
            AtRisk {
                addr: l.addr,
                state: l.state,
                bytes,
                seconds,
                at_least,
                lag: l.lag,
            }
        })
        .collect()
}

/// `redis.rpo`.
pub fn rpo(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let (_, end) = match window(s) {
        Ok(x) => x,
        Err(v) => return v,
    };
    let role = end.get("role").map_or("", |r| r.as_str());
    if role == "slave" {
        let master = format!(
            "{}:{}",
            end.get("master_host").map_or("?", |h| h.as_str()),
            end.get("master_port").map_or("?", |p| p.as_str())
        )
        .escape_debug()
        .to_string();
        return Verdict::skip(format!(
            "a replica: judged on its master {master} (the data at risk is the master's to tell)"
        ))
        .with("role", "slave")
        .with("master", master);
    }
    let links = replica_links(end);
    if links.is_empty() {
        if let Some(objective) = t.replication.rpo {
            // with an objective declared, no copy is the worst case, not an absence of input
            return Verdict::new(
                Status::Fail,
                format!(
                    "no replica: with an RPO of {}, losing this server's site loses everything written since its last RDB/AOF copy left the site",
                    secs(objective)
                ),
            )
            .fix("Add a replica in the second site (`replicaof MASTER_IP PORT` on it, or a Sentinel/Cluster replica) and check it here with --rpo; if this server is meant to stand alone (a cache rebuilt from PostgreSQL), leave it out of the --rpo run")
            .with("role", role.escape_debug())
            .with("rpo", secs(objective));
        }
        return Verdict::skip("no replica: nothing holds this server's data elsewhere")
            .with("role", role.escape_debug())
            .with(
                "connected_replicas",
                num(end, "connected_slaves").unwrap_or(0.0),
            );
    }
    let start = match &s.repl_start {
        Ok(i) => i,
        Err(e) => {
            return Verdict::skip(format!(
                "INFO replication was not read as the window opened: {e}"
            ))
        }
    };
    let (Some(o0), Some(o1)) = (
        num(start, "master_repl_offset"),
        num(end, "master_repl_offset"),
    ) else {
        return Verdict::skip("INFO replication has no master_repl_offset");
    };
    if start.get("master_replid") != end.get("master_replid") || o1 < o0 {
        return Verdict::new(
            Status::Error,
            "the replication history changed during the window (master_replid or a lower offset): a failover or restart; its rate means nothing",
        )
        .fix("Run again once the deployment is settled (see redis.replication and redis.split_brain)");
    }
    let window_s = s.window.as_secs_f64();
    let rate = if window_s > 0.0 {
        (o1 - o0) / window_s
    } else {
        0.0
    };
    let risks = replicas_at_risk(end, rate);
    let mut v = Verdict::pass("")
        .with("write_rate", format!("{}/s", human_bytes(rate)))
        .with("master_repl_offset", o1)
        .with("window_s", format!("{window_s:.3}"));
    for r in &risks {
        v = v.with(format!("replica {}", r.addr), r.figures());
    }
    v = v.with("resolution", RPO_RESOLUTION);
    let list = risks
        .iter()
        .map(AtRisk::figures)
        .collect::<Vec<_>>()
        .join("; ");
    let Some(objective) = t.replication.rpo else {
        v.status = Status::Skip;
        v.summary = format!("no RPO declared: --rpo or [replication] rpo (measured {list})");
        return v;
    };
    v = v.with("rpo", secs(objective));
    v.summary = format!(
        "{} replica(s) within the RPO {}: {list}",
        risks.len(),
        secs(objective)
    );
    let over = risks
        .iter()
        .filter(|r| r.seconds.is_some_and(|x| x > objective))
        .map(AtRisk::figures)
        .collect::<Vec<_>>();
    // the master wrote nothing in the window: a replica's ACK lag is a lower bound on the age
    // of what it lacks; it can prove a failure, never a pass
    let undated = risks
        .iter()
        .filter(|r| r.at_least && r.bytes > 0 && r.seconds.is_some_and(|x| x <= objective))
        .map(AtRisk::figures)
        .collect::<Vec<_>>();
    let not_online = risks
        .iter()
        .filter(|r| r.seconds.is_none())
        .map(|r| format!("{} ({})", r.addr, r.state))
        .collect::<Vec<_>>();
    let mut problems = Vec::new();
    let mut fixes = Vec::new();
    if !not_online.is_empty() {
        problems.push(format!(
            "replica(s) not online, holding nothing they can serve: {}",
            not_online.join(", ")
        ));
        fixes.push("A replica in wait_bgsave or send_bulk is in a full resync: read the master's and the replica's logs (fork time, client-output-buffer-limit replica, repl-timeout) and size repl-backlog-size so a reconnect resyncs partially; until it is online, min-replicas-to-write and WAIT cannot count it");
    }
    if !over.is_empty() {
        problems.push(format!(
            "{} replica(s) over the RPO {}: {} (the master writing {}/s)",
            over.len(),
            secs(objective),
            over.join("; "),
            human_bytes(rate)
        ));
        fixes.push("Look at the replica named: its link (`redis-cli -h IP -p PORT INFO replication`: master_link_status, master_last_io_seconds_ago), its CPU and the network between them; size repl-backlog-size so a reconnect resyncs partially; bound the loss with min-replicas-to-write 1 and min-replicas-max-lag N (the master refuses writes when no replica acknowledged within N s); send WAIT numreplicas timeout after writes that must not be lost");
    }
    if !undated.is_empty() && problems.is_empty() {
        v.status = Status::Warn;
        v.summary = format!(
            "cannot tell whether within the RPO {}: the master wrote nothing in the window, so the age of what these replicas lack is only bounded below: {}",
            secs(objective),
            undated.join("; ")
        );
        v.remediation = "Run again over a window with writes (--sample 10s) to turn the bytes behind into seconds; a replica behind while its master is idle is still catching up: look at its link (`INFO replication` on it: master_link_status, master_last_io_seconds_ago) and the network".into();
    }
    if !problems.is_empty() {
        v.status = Status::Fail;
        v.summary = problems.join("; ");
        v.remediation = fixes.join(". ");
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
    /// A master with two replicas, writing 10 000 bytes/s over a 2 s window; replica 1 is
    /// 35 000 bytes (3.5 s) behind.
    fn master_with_replicas(lines: &[(&str, &str)]) -> RedisSnapshot {
        let mut s = snapshot(&[
            ("connected_slaves", "2"),
            ("master_replid", "abc"),
            ("master_repl_offset", "1000000"),
        ]);
        s.window = std::time::Duration::from_secs(2);
        s.repl_start = Ok(map(&[
            ("role", "master"),
            ("master_replid", "abc"),
            ("master_repl_offset", "1000000"),
        ]));
        end(
            &mut s,
            &[
                ("master_repl_offset", "1020000"),
                (
                    "slave0",
                    "ip=10.0.0.2,port=6380,state=online,offset=1015000,lag=0",
                ),
                (
                    "slave1",
                    "ip=10.0.0.3,port=6380,state=online,offset=985000,lag=3",
                ),
            ],
        );
        end(&mut s, lines);
        s
    }

    fn with_rpo(rpo: Option<f64>) -> Thresholds {
        let mut t = Thresholds::default();
        t.replication.rpo = rpo;
        t
    }

    #[test]
    fn rpo_a_lower_bound_proves_a_failure_never_a_pass() {
        // the master wrote nothing in the window (offset 1 020 000 at both ends): replica 1
        // lacks 35 000 B whose age is only bounded below by its ACK lag (3 s)
        let mut s = master_with_replicas(&[]);
        s.repl_start = Ok(map(&[
            ("role", "master"),
            ("master_replid", "abc"),
            ("master_repl_offset", "1020000"),
        ]));
        let th = with_rpo(Some(10.0));
        let v = rpo(&s, &Ctx::of(&th));
        assert_eq!(v.status, Status::Warn, "{v:?}");
        assert!(
            v.summary
                .contains("cannot tell whether within the RPO 10 s")
                && v.summary
                    .contains("10.0.0.3:6380: 34.2 KiB (35000 B), at least 3 s at risk"),
            "{}",
            v.summary
        );
        // a bound past the objective proves the failure
        let th = with_rpo(Some(2.0));
        assert_eq!(rpo(&s, &Ctx::of(&th)).status, Status::Fail);
    }

    #[test]
    fn rpo_names_the_replica_over_the_objective_with_its_bytes_and_seconds() {
        let s = master_with_replicas(&[]);
        let th = with_rpo(Some(3.0));
        let v = rpo(&s, &Ctx::of(&th));
        assert_eq!(v.status, Status::Fail, "{v:?}");
        assert!(v.summary.contains("10.0.0.3:6380"), "{}", v.summary);
        assert!(!v.summary.contains("10.0.0.2:6380"), "{}", v.summary);
        assert!(
            v.summary.contains("34.2 KiB (35000 B), 3.5 s at risk"),
            "{}",
            v.summary
        );
        assert!(v.summary.contains("RPO 3 s"), "{}", v.summary);
        assert!(v.remediation.contains("min-replicas-max-lag"));
        assert_eq!(ev(&v, "write_rate"), "9.8 KiB/s");
        assert!(ev(&v, "resolution").contains("once a second"));
        assert_eq!(
            ev(&v, "replica 10.0.0.2:6380"),
            "10.0.0.2:6380: 4.9 KiB (5000 B), 0.5 s at risk, lag 0 s"
        );
        // the edge: exactly at the objective passes, both replicas named with their figures
        let th = with_rpo(Some(3.5));
        let v = rpo(&s, &Ctx::of(&th));
        assert_eq!(v.status, Status::Pass, "{v:?}");
        assert!(v.summary.starts_with("2 replica(s) within the RPO 3.5 s"));
        assert!(v.summary.contains("10.0.0.2:6380: 4.9 KiB (5000 B), 0.5 s"));
    }

    #[test]
    fn rpo_skips_with_the_figures_when_no_objective_is_declared() {
        let s = master_with_replicas(&[]);
        let th = with_rpo(None);
        let v = rpo(&s, &Ctx::of(&th));
        assert_eq!(v.status, Status::Skip);
        assert!(
            v.summary
                .starts_with("no RPO declared: --rpo or [replication] rpo (measured "),
            "{}",
            v.summary
        );
        assert!(ev(&v, "replica 10.0.0.3:6380").contains("3.5 s at risk"));
    }

    #[test]
    fn rpo_fails_a_replica_not_online_and_uses_the_lag_when_nothing_was_written() {
        let s = master_with_replicas(&[(
            "slave1",
            "ip=10.0.0.3,port=6380,state=send_bulk,offset=0,lag=0",
        )]);
        let th = with_rpo(Some(60.0));
        let v = rpo(&s, &Ctx::of(&th));
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary.contains("not online") && v.summary.contains("10.0.0.3:6380 (send_bulk)"),
            "{}",
            v.summary
        );
        assert!(v.remediation.contains("full resync"));
        // no writes in the window: the bytes behind are at least the ACK lag old
        let mut s = master_with_replicas(&[]);
        s.repl_start
            .as_mut()
            .unwrap()
            .insert("master_repl_offset".into(), "1020000".into());
        let r = replicas_at_risk(s.info_end.as_ref().unwrap(), 0.0);
        assert_eq!((r[1].seconds, r[1].at_least), (Some(3.0), true));
        let th = with_rpo(Some(2.0));
        let v = rpo(&s, &Ctx::of(&th));
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("at least 3 s at risk"), "{}", v.summary);
        // a replica caught up is 0 s behind whatever the rate
        let r = replicas_at_risk(
            &map(&[
                ("master_repl_offset", "5"),
                ("slave0", "ip=h,port=1,state=online,offset=5,lag=0"),
            ]),
            0.0,
        );
        assert_eq!(r[0].seconds, Some(0.0));
    }

    #[test]
    fn rpo_skips_replicas_masters_without_replicas_and_errs_on_a_new_history() {
        let th = with_rpo(Some(1.0));
        let t = Ctx::of(&th);
        let v = rpo(
            &snapshot(&[
                ("role", "slave"),
                ("master_host", "10.0.0.1"),
                ("master_port", "6379"),
            ]),
            &t,
        );
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("judged on its master 10.0.0.1:6379"));
        // with an objective declared, a master with no replica at all fails: no copy
        let v = rpo(&snapshot(&[]), &t);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary.starts_with("no replica: with an RPO of 1 s"),
            "{}",
            v.summary
        );
        let none = with_rpo(None);
        let v = rpo(&snapshot(&[]), &Ctx::of(&none));
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.starts_with("no replica"));
        let mut s = master_with_replicas(&[("master_replid", "def")]);
        assert_eq!(rpo(&s, &t).status, Status::Error);
        s.repl_start = Err("not collected".into());
        assert_eq!(rpo(&s, &t).status, Status::Skip);
    }
    #[test]
    fn replicas_at_risk_survive_absurd_offsets_and_rates() {
        for (master, line) in [
            (
                "1e400",
                "ip=h,port=1,state=online,offset=18446744073709551615,lag=99999999999999999999",
            ),
            ("-5", "ip=h,port=1,state=online,offset=3,lag=1"),
            (
                "NaN",
                "ip=h\x07,port=65535,state=online\x1b,offset=-1,lag=-1",
            ),
            (
                "18446744073709551615",
                "ip=h,port=1,state=online,offset=0,lag=0",
            ),
        ] {
            let info = map(&[("master_repl_offset", master), ("slave0", line)]);
            for rate in [0.0, f64::MIN_POSITIVE, f64::NAN, f64::INFINITY, 1e300] {
                for r in replicas_at_risk(&info, rate) {
                    let _ = r.figures();
                    assert!(!r.addr.contains('\x07') && !r.state.contains('\x1b'));
                }
            }
        }
    }
}
