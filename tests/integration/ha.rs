//! Issue 14: Redis HA. A real Sentinel deployment (1 master, 2 replicas, 3 sentinels) and a real
//! Cluster (3 masters, 3 replicas) on loopback; faults made for real (killed sentinels, a replica
//! promoted by hand, a master frozen past down-after-milliseconds, deleted slots, an open slot,
//! a killed replica). Waits poll real events with a deadline.

use std::time::Duration;

use crate::support::topology::{until, Cluster, SentinelSet, MASTER};
use crate::support::{doctor_json, evidence, RedisServer, Run};

fn doctor(url: &str, only: &str) -> Run {
    doctor_json(only, &["--redis", url, "--sample", "200ms"], &[])
}

/// Every finding of `id`.
fn all(r: &Run, id: &str) -> Vec<serde_json::Value> {
    r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id)
        .cloned()
        .collect()
}

fn status(r: &Run, id: &str) -> String {
    r.finding(id)["status"].as_str().unwrap().to_string()
}

fn expect(r: &Run, id: &str, want: &str) -> serde_json::Value {
    let f = r.finding(id);
    assert_eq!(f["status"], want, "{id}: {f}\n{}", r.stderr);
    f
}

#[test]
fn sentinel_healthy_then_split_brain_by_hand_then_lost_quorum() {
    let Some(mut set) = SentinelSet::start([1000, 1000, 1000]) else {
        return;
    };
    // a majority acknowledgement, as redis.min_replicas asks
    for n in std::iter::once(&set.master).chain(&set.replicas) {
        n.cli(None, &["CONFIG", "SET", "min-replicas-to-write", "1"]);
    }
    let url = set.url();
    let only = "sentinel.*,redis.split_brain,redis.min_replicas,redis.reachable";
    let r = doctor(&url, only);
    for f in r.json()["findings"].as_array().unwrap() {
        assert_eq!(f["status"], "pass", "{f}");
    }
    // the master and both replicas found from the sentinels, each named with its role
    let reach = all(&r, "redis.reachable");
    assert_eq!(reach.len(), 3, "{}", r.stdout);
    let master_label = format!("redis://127.0.0.1:{} ({url}: master)", set.master.port);
    assert!(
        reach.iter().any(|f| f["target"] == master_label.as_str()),
        "{}",
        r.stdout
    );
    assert_eq!(
        reach
            .iter()
            .filter(|f| f["target"].as_str().unwrap().ends_with(": replica)"))
            .count(),
        2
    );
    let count = r.finding("sentinel.count");
    assert_eq!(evidence(&count, "answering"), Some("3"), "{count}");

    // a replica promoted by hand: two masters in one deployment
    set.replicas[0].cli(None, &["REPLICAOF", "NO", "ONE"]);
    let r = doctor(&url, "redis.split_brain");
    let f = expect(&r, "redis.split_brain", "fail");
    let summary = f["summary"].as_str().unwrap();
    for port in [set.master.port, set.replicas[0].port] {
        assert!(summary.contains(&format!("127.0.0.1:{port}")), "{summary}");
    }
    assert!(summary.contains("master_repl_offset"), "{summary}");
    set.replicas[0].cli(
        None,
        &["REPLICAOF", "127.0.0.1", &set.master.port.to_string()],
    );

    // two of three sentinels gone: fewer answer than the quorum (2), at once
    set.sentinels[1].kill();
    set.sentinels[2].kill();
    let r = doctor(&url, "sentinel.quorum,sentinel.count");
    let q = expect(&r, "sentinel.quorum", "fail");
    assert!(
        q["summary"].as_str().unwrap().contains("below the quorum"),
        "{q}"
    );
    let c = r.finding("sentinel.count");
    assert!(evidence(&c, "not answering").is_some(), "{c}");
    // and once the survivor has flagged them down, CKQUORUM itself says so
    until(
        "CKQUORUM failing on the last sentinel",
        Duration::from_secs(20),
        || {
            set.sentinels[0]
                .cli(None, &["SENTINEL", "CKQUORUM", MASTER])
                .contains("NOQUORUM")
        },
    );
    let r = doctor(&url, "sentinel.quorum");
    let q = expect(&r, "sentinel.quorum", "fail");
    assert!(
        evidence(&q, "ckquorum").unwrap().contains("NOQUORUM"),
        "{q}"
    );
}

#[test]
fn a_real_failover_shows_split_brain_until_the_sentinels_reconfigure() {
    let Some(mut set) = SentinelSet::start([1000, 1000, 1000]) else {
        return;
    };
    let url = set.url();
    let old = format!("127.0.0.1:{}", set.master.port);
    set.master.freeze();
    until(
        "the sentinels promoting a replica",
        Duration::from_secs(40),
        || set.master_addr(0) != old && set.master_addr(1) != old,
    );
    set.master.thaw();
    // the old master says role:master until a sentinel reconfigures it
    let mut saw_split = false;
    until(
        "doctor passing again after the failover",
        Duration::from_secs(40),
        || {
            let r = doctor(&url, "redis.split_brain,sentinel.masters_agree");
            let split = status(&r, "redis.split_brain");
            if split == "fail" {
                let s = r.finding("redis.split_brain")["summary"].to_string();
                assert!(s.contains(&old), "{s}");
                saw_split = true;
            }
            split == "pass" && status(&r, "sentinel.masters_agree") == "pass"
        },
    );
    assert!(
        saw_split,
        "the window in which the old master still said master was never seen"
    );
}

#[test]
fn sentinels_that_disagree_on_down_after_warn() {
    let Some(set) = SentinelSet::start([1000, 1000, 3000]) else {
        return;
    };
    let r = doctor(&set.url(), "sentinel.config");
    let f = expect(&r, "sentinel.config", "warn");
    let s = f["summary"].as_str().unwrap();
    assert!(
        s.contains("down-after-milliseconds") && s.contains("3000"),
        "{s}"
    );
}

const SENTINEL_CHECKS: [&str; 5] = [
    "sentinel.count",
    "sentinel.quorum",
    "sentinel.masters_agree",
    "sentinel.replicas",
    "sentinel.config",
];

// issue 26, items 20 and 21: a master name no sentinel monitors was "fewer than 3 sentinels"
// (add sentinels) with masters_agree and config passing; a password the sentinels refuse was
// "no sentinel answers" (start the sentinels)
#[test]
fn a_wrong_master_name_or_sentinel_password_is_named_as_such() {
    let Some(master) = RedisServer::start(&[]) else {
        return;
    };
    let sentinel = RedisServer::start_sentinel(&[
        &format!("sentinel monitor {MASTER} 127.0.0.1 {} 1", master.port),
        "requirepass sentinel-pw-26",
    ])
    .unwrap();
    let at = |name: &str| format!("redis+sentinel://127.0.0.1:{}/{name}", sentinel.port);
    let with_password = |url: &str, pw: &str| {
        doctor_json(
            "sentinel.*",
            &[
                "--redis",
                url,
                "--sentinel-password",
                pw,
                "--sample",
                "200ms",
            ],
            &[],
        )
    };
    let r = with_password(&at("nosuch"), "sentinel-pw-26");
    for id in SENTINEL_CHECKS {
        let f = expect(&r, id, "fail");
        let summary = f["summary"].as_str().unwrap();
        assert!(
            summary.contains("no sentinel knows a master named nosuch") && summary.contains(MASTER),
            "{id}: {f}"
        );
        let fix = f["remediation"].as_str().unwrap();
        assert!(fix.contains("SENTINEL MONITOR nosuch"), "{id}: {fix}");
        assert!(!fix.contains("Run at least"), "{id}: {fix}");
    }

    let r = with_password(&at(MASTER), "not-the-sentinel-pw");
    assert!(!r.stdout.contains("not-the-sentinel-pw"), "{}", r.stdout);
    for id in SENTINEL_CHECKS {
        let f = expect(&r, id, "fail");
        let summary = f["summary"].as_str().unwrap();
        assert!(summary.contains("authentication failed"), "{id}: {f}");
        assert_eq!(evidence(&f, "failure"), Some("auth"), "{id}: {f}");
        let fix = f["remediation"].as_str().unwrap();
        assert!(
            fix.contains("--sentinel-password") && !fix.contains("Start the sentinels"),
            "{id}: {fix}"
        );
    }
}

#[test]
fn a_cluster_is_found_from_one_seed_and_its_faults_are_named() {
    let Some(mut c) = Cluster::start() else {
        return;
    };
    let seed = c.seed();
    let r = doctor(
        &seed,
        "cluster.state,cluster.slots,cluster.open_slots,cluster.config_agreement,cluster.replicas,cluster.nodes,redis.reachable",
    );
    let reach = all(&r, "redis.reachable");
    assert_eq!(reach.len(), 6, "all six nodes from one seed: {}", r.stdout);
    for f in r.json()["findings"].as_array().unwrap() {
        assert_eq!(f["status"], "pass", "{f}");
    }
    assert!(reach.iter().all(|f| f["target"]
        .as_str()
        .unwrap()
        .contains(&format!("(cluster:127.0.0.1:{}", c.nodes[0].port))));

    // a slot migrating from node 0 to node 1
    let (src, dst) = (c.id(0), c.id(1));
    let owner_of_100 = (0..3)
        .find(|i| {
            c.cli(*i, &["CLUSTER", "NODES"])
                .lines()
                .any(|l| l.contains("myself") && l.contains(" 0-"))
        })
        .unwrap();
    assert_eq!(
        owner_of_100, 0,
        "redis-cli gives the first master slots 0-5460"
    );
    c.cli(1, &["CLUSTER", "SETSLOT", "100", "IMPORTING", &src]);
    c.cli(0, &["CLUSTER", "SETSLOT", "100", "MIGRATING", &dst]);
    let r = doctor(&seed, "cluster.open_slots");
    let f = expect(&r, "cluster.open_slots", "warn");
    let s = f["summary"].as_str().unwrap();
    assert!(
        s.contains("slot 100 migrating from") && s.contains(&c.addrs[1]),
        "{s}"
    );
    c.cli(0, &["CLUSTER", "SETSLOT", "100", "STABLE"]);
    c.cli(1, &["CLUSTER", "SETSLOT", "100", "STABLE"]);

    // issue 26 #18: the owner of slot 6000 (node 1) forgets it; the seed still maps it there,
    // yet clients get CLUSTERDOWN, from node 1 for every slot it holds
    c.cli(1, &["CLUSTER", "DELSLOTS", "6000"]);
    until(
        "node 1 says cluster_state fail",
        Duration::from_secs(10),
        || {
            c.cli(1, &["CLUSTER", "INFO"])
                .contains("cluster_state:fail")
        },
    );
    let down = c.cli(0, &["-c", "SET", "{aFg}x", "1"]);
    assert!(down.contains("CLUSTERDOWN"), "slot 6000 is served: {down}");
    let r = doctor(&seed, "cluster.slots");
    let f = expect(&r, "cluster.slots", "fail");
    assert_eq!(evidence(&f, "not_claimed_by_owner"), Some("6000"), "{f}");
    assert_eq!(
        evidence(&f, "owner_cluster_state_not_ok"),
        Some("5461-5999, 6001-10922"),
        "{f}"
    );
    c.cli(1, &["CLUSTER", "ADDSLOTS", "6000"]);
    c.wait_ok();

    // a replica killed: once the others flag it, its master has none
    c.nodes[5].kill();
    until("cluster.replicas warning", Duration::from_secs(20), || {
        let r = doctor(&seed, "cluster.replicas");
        status(&r, "cluster.replicas") == "warn"
    });

    // a gap: slots 0-99 and 5461 unassigned on every live node. The owners give theirs up
    // first; a ping an owner sent before that can still hand a slot back to a node that had
    // deleted it (a node takes unassigned slots a peer claims), so delete until none has
    let mut last = serde_json::Value::Null;
    until(
        "slots 0-99 and 5461 held by no node",
        Duration::from_secs(20),
        || {
            c.cli(0, &["CLUSTER", "DELSLOTSRANGE", "0", "99"]);
            c.cli(1, &["CLUSTER", "DELSLOTS", "5461"]);
            for i in 0..5 {
                c.cli(i, &["CLUSTER", "DELSLOTSRANGE", "0", "99"]);
                c.cli(i, &["CLUSTER", "DELSLOTS", "5461"]);
            }
            last = doctor(&seed, "cluster.slots").finding("cluster.slots");
            evidence(&last, "uncovered") == Some("0-99, 5461")
        },
    );
    assert_eq!(last["status"], "fail", "{last}");
}

#[test]
fn bench_routes_by_slot_counts_exactly_and_follows_moved() {
    let Some(c) = Cluster::start() else {
        return;
    };
    let seed = c.seed();
    let bench = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "bench",
            "redis",
            "--redis",
            seed.as_str(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let r = crate::support::run(&args, &[]);
        assert!(r.code == 0 || r.code == 4, "{}{}", r.stdout, r.stderr);
        serde_json::from_str(&r.stdout).unwrap()
    };
    // SETs spread over every master, counted exactly, keys left for a look
    let v = bench(&[
        "-c",
        "6",
        "-n",
        "3001",
        "--workload",
        "set",
        "--keyspace",
        "3000",
        "--keep-keys",
    ]);
    assert_eq!(
        (v["requests"].as_u64(), v["errors"].as_u64()),
        (Some(3001), Some(0)),
        "{v}"
    );
    let masters = v["cluster"]["masters"].as_array().unwrap();
    assert_eq!(masters.len(), 3, "{v}");
    assert_eq!(
        masters
            .iter()
            .map(|m| m["requests"].as_u64().unwrap())
            .sum::<u64>(),
        3001
    );
    for i in 0..3 {
        let keys: u64 = c.cli(i, &["DBSIZE"]).parse().unwrap();
        assert!(keys > 500, "master {i} holds {keys} keys");
    }
    assert_eq!(v["cluster"]["moved"], 0, "{v}");
    // the doctor's balance check now has keys to judge
    let r = doctor(&seed, "cluster.balance");
    expect(&r, "cluster.balance", "pass");
    for i in 0..3 {
        c.cli(i, &["FLUSHALL"]);
    }
    let v = bench(&[
        "-c",
        "3",
        "-n",
        "30",
        "--workload",
        "get",
        "--keyspace",
        "3000",
    ]);
    assert_eq!(v["errors"], 0, "{v}");
    for i in 0..3 {
        assert_eq!(
            c.cli(i, &["DBSIZE"]),
            "0",
            "a cluster run deletes its keys from every master"
        );
    }

    // issue 29 #1: the capacity search on a Cluster, with each master's figures per step
    let v = bench(&[
        "-c",
        "6",
        "--workload",
        "get",
        "--keyspace",
        "300",
        "--slo",
        "p99<2s",
        "--start-rate",
        "100",
        "--max-rate",
        "200",
        "--step-duration",
        "500ms",
        "--warmup",
        "0s",
    ]);
    assert_eq!(v["slo"]["max_rate"], 200, "{v}");
    for step in v["slo"]["steps"].as_array().unwrap() {
        let masters = step["masters"].as_array().unwrap();
        assert_eq!(masters.len(), 3, "{step}");
        // the masters' requests are the step's, split
        let sum: u64 = masters
            .iter()
            .map(|m| m["requests"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, step["requests"].as_u64().unwrap(), "{step}");
    }

    // a slot handed to another master mid-run: MOVED followed, the count still exact
    c.cli(0, &["CONFIG", "RESETSTAT"]);
    let seed2 = seed.clone();
    let run = std::thread::spawn(move || {
        let args = [
            "bench",
            "redis",
            "--redis",
            seed2.as_str(),
            "-c",
            "6",
            "-n",
            "200000",
            "--workload",
            "get",
            "--keyspace",
            "3000",
            "--format",
            "json",
        ];
        crate::support::run(&args, &[])
    });
    until("the bench under way", Duration::from_secs(20), || {
        c.cli(0, &["INFO", "commandstats"]).contains("cmdstat_get:")
    });
    // the slot of a key the bench reads ({N} tags) goes from master 0 to master 1, on every
    // node (master 0 holds slots 0-5460)
    let slot = (0..3000u64)
        .map(|n| statectl::bench::cluster::slot(n.to_string().as_bytes()))
        .find(|s| *s <= 5460)
        .unwrap()
        .to_string();
    let target = c.id(1);
    for i in 0..6 {
        c.cli(i, &["CLUSTER", "SETSLOT", &slot, "NODE", &target]);
    }
    let r = run.join().unwrap();
    assert!(r.code == 0 || r.code == 4, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (v["requests"].as_u64(), v["errors"].as_u64()),
        (Some(200000), Some(0)),
        "{v}"
    );
    assert!(
        v["cluster"]["moved"].as_u64().unwrap() >= 1,
        "{}",
        v["cluster"]
    );
}
