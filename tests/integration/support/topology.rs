//! Real Redis topologies on loopback: a Sentinel deployment (1 master, 2 replicas, 3
//! sentinels) and a Cluster (3 masters, 3 replicas on 127.0.0.1-3, made with
//! `redis-cli --cluster create`). Readiness is polled with a deadline.

use std::process::Command;
use std::time::{Duration, Instant};

use super::{require, RedisServer};

/// Polls `ready` every 50 ms until it holds or `limit` passes; panics naming `what`.
pub fn until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what}: not within {limit:?}");
}

/// The master's service name the sentinels monitor.
pub const MASTER: &str = "statectl";

/// 1 master, 2 replicas, 3 sentinels.
pub struct SentinelSet {
    /// The master at start.
    pub master: RedisServer,
    /// Its replicas.
    pub replicas: Vec<RedisServer>,
    /// The sentinels.
    pub sentinels: Vec<RedisServer>,
}

impl SentinelSet {
    /// Starts the deployment; `down_after_ms` per sentinel (3 values). None when redis-server is
    /// missing outside CI.
    pub fn start(down_after_ms: [u64; 3]) -> Option<SentinelSet> {
        let master = RedisServer::start(&[])?;
        let replicaof = format!("replicaof 127.0.0.1 {}", master.port);
        let replicas = (0..2)
            .map(|_| RedisServer::start(&[&replicaof]).unwrap())
            .collect();
        let sentinels = down_after_ms
            .iter()
            .map(|ms| {
                RedisServer::start_sentinel(&[
                    &format!("sentinel monitor {MASTER} 127.0.0.1 {} 2", master.port),
                    &format!("sentinel down-after-milliseconds {MASTER} {ms}"),
                    &format!("sentinel failover-timeout {MASTER} 10000"),
                    &format!("sentinel parallel-syncs {MASTER} 1"),
                ])
                .unwrap()
            })
            .collect();
        let set = SentinelSet {
            master,
            replicas,
            sentinels,
        };
        // every sentinel knows the two others and both replicas, their links up (a sentinel
        // refreshes a replica's INFO every 10 s)
        until(
            "sentinels discovering each other",
            Duration::from_secs(40),
            || {
                set.sentinels.iter().all(|s| {
                    let m = s.cli(None, &["SENTINEL", "MASTER", MASTER]);
                    let replicas = s.cli(None, &["SENTINEL", "REPLICAS", MASTER]);
                    field(&m, "num-other-sentinels") == Some("2")
                        && field(&m, "num-slaves") == Some("2")
                        && replicas.matches("master-link-status\nok").count() == 2
                })
            },
        );
        Some(set)
    }

    /// `redis+sentinel://127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3/statectl`.
    pub fn url(&self) -> String {
        let hosts: Vec<String> = self
            .sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect();
        format!("redis+sentinel://{}/{MASTER}", hosts.join(","))
    }

    /// Where a sentinel says the master is (`127.0.0.1:PORT`).
    pub fn master_addr(&self, sentinel: usize) -> String {
        self.sentinels[sentinel]
            .cli(None, &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER])
            .lines()
            .collect::<Vec<_>>()
            .join(":")
    }
}

/// A field of redis-cli's alternating field/value lines (SENTINEL MASTER).
pub fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .chunks(2)
        .find(|kv| kv[0] == name)
        .and_then(|kv| kv.get(1).copied())
}

/// 3 masters and 3 replicas, one of each on 127.0.0.1, 127.0.0.2 and 127.0.0.3.
pub struct Cluster {
    /// The nodes; the first three were made masters.
    pub nodes: Vec<RedisServer>,
    /// The address each announces.
    pub addrs: Vec<String>,
}

impl Cluster {
    /// Starts the nodes and creates the cluster; None when redis-server is missing outside CI.
    pub fn start() -> Option<Cluster> {
        if !require(
            Command::new("redis-cli").arg("-v").output().is_ok(),
            "redis-cli",
        ) {
            return None;
        }
        let mut nodes = Vec::new();
        let mut addrs = Vec::new();
        for i in 0..6 {
            let ip = format!("127.0.0.{}", i % 3 + 1);
            // 127.0.0.1 twice would be two listeners on one address
            let bind = if ip == "127.0.0.1" {
                "bind 127.0.0.1".to_string()
            } else {
                format!("bind 127.0.0.1 {ip}")
            };
            let n = RedisServer::start_cluster_node(&[
                "cluster-enabled yes",
                "cluster-config-file nodes.conf",
                "cluster-node-timeout 2000",
                &bind,
                &format!("cluster-announce-ip {ip}"),
            ])?;
            addrs.push(format!("{ip}:{}", n.port));
            nodes.push(n);
        }
        let out = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "redis-cli --cluster create: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let c = Cluster { nodes, addrs };
        c.wait_ok();
        Some(c)
    }

    /// Waits until every node says cluster_state:ok, knows all six nodes, and all agree on the
    /// masters' config epochs (gossip has converged).
    pub fn wait_ok(&self) {
        until("a converged cluster", Duration::from_secs(30), || {
            let mut epochs = Vec::new();
            for n in &self.nodes {
                let info = n.cli(None, &["CLUSTER", "INFO"]);
                if !(info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:6")) {
                    return false;
                }
                // every view the same: each node's role, master and epoch, and the slots
                let mut masters: Vec<String> = n
                    .cli(None, &["CLUSTER", "NODES"])
                    .lines()
                    .map(|l| {
                        let f: Vec<&str> = l.split_whitespace().collect();
                        let role = if f[2].contains("master") {
                            "master"
                        } else {
                            "slave"
                        };
                        format!("{} {role} {} {} {}", f[0], f[3], f[6], f[8..].join(" "))
                    })
                    .collect();
                masters.sort();
                epochs.push(masters);
            }
            epochs.windows(2).all(|w| w[0] == w[1])
        });
    }

    /// `redis://127.0.0.1:PORT` of the first node.
    pub fn seed(&self) -> String {
        self.nodes[0].url()
    }

    /// Runs redis-cli against node `i`.
    pub fn cli(&self, i: usize, args: &[&str]) -> String {
        self.nodes[i].cli(None, args)
    }

    /// The node id of node `i`.
    pub fn id(&self, i: usize) -> String {
        self.cli(i, &["CLUSTER", "MYID"])
    }
}
