//! Discovery: before the probes run, a Sentinel URL becomes its master, replicas and every
//! sentinel (SENTINEL MASTER, REPLICAS, SENTINELS asked of the first sentinel that answers), and a
//! plain Redis target that says `cluster_enabled:1` becomes every node of its cluster (CLUSTER
//! NODES). Discovered data nodes are probed as standalone servers are, their labels naming their
//! deployment and role.

use std::collections::BTreeMap;
use std::time::Duration;

use super::redis::RedisSession;
use super::sentinel::Asked;
use crate::observe::cluster::parse_nodes;
use crate::targets::{ClusterTarget, Member, RedisTarget, SentinelTarget};

/// A flat RESP array of field, value pairs (SENTINEL MASTER) as a map.
pub fn fields(v: &redis::Value) -> BTreeMap<String, String> {
    let redis::Value::Array(items) = v else {
        return BTreeMap::new();
    };
    items
        .chunks(2)
        .filter_map(|kv| match kv {
            [k, v] => Some((text(k)?, text(v)?)),
            _ => None,
        })
        .collect()
}

/// A list of such maps (SENTINEL REPLICAS, SENTINEL SENTINELS).
pub fn field_list(v: &redis::Value) -> Vec<BTreeMap<String, String>> {
    match v {
        redis::Value::Array(items) => items.iter().map(fields).collect(),
        _ => Vec::new(),
    }
}

fn text(v: &redis::Value) -> Option<String> {
    match v {
        redis::Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        redis::Value::SimpleString(s) => Some(s.clone()),
        redis::Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

use crate::observe::sentinel_addr as addr_of;

/// Expands Sentinel deployments (adding the sentinels they know and returning their data nodes)
/// and Redis Cluster seeds (returning every node). `redis` keeps its order; a cluster seed is
/// replaced by its nodes, a Sentinel deployment's nodes follow.
/// A target named that could not be asked (its probe reports this error instead of waiting for
/// the same failure twice), by label.
pub type Failures = Vec<(String, crate::observe::ProbeError)>;

pub async fn discover(
    redis: Vec<RedisTarget>,
    sentinels: &mut [SentinelTarget],
    timeout: Duration,
    concurrency: usize,
) -> (Vec<RedisTarget>, Vec<ClusterTarget>, Failures) {
    use futures::StreamExt;
    // at most `concurrency` deployments or seeds asked at once, as the probes do (--concurrency)
    let n = concurrency.max(1);
    let found: Vec<_> = futures::stream::iter(sentinels.iter().map(|s| sentinel(s, timeout)))
        .buffered(n)
        .collect()
        .await;
    let mut data = Vec::new();
    for (s, (nodes, more, asked)) in sentinels.iter_mut().zip(found) {
        s.asked = asked;
        for extra in more {
            if !s
                .sentinels
                .iter()
                .any(|k| k.host_port() == extra.host_port())
            {
                s.sentinels.push(extra);
            }
        }
        data.extend(nodes);
    }
    let seeds: Vec<_> = futures::stream::iter(redis.iter().map(|t| cluster(t, timeout)))
        .buffered(n)
        .collect()
        .await;
    let mut out = Vec::new();
    let mut clusters: Vec<ClusterTarget> = Vec::new();
    let mut failures = Failures::new();
    for (t, c) in redis.into_iter().zip(seeds) {
        let c = match c {
            Ok(c) => c,
            Err(e) => {
                failures.push((t.label.clone(), e));
                None
            }
        };
        match c {
            // a seed of a cluster already found (two seeds of one cluster) adds nothing
            Some(c)
                if clusters
                    .iter()
                    .any(|k| k.nodes.iter().any(|n| n.host_port() == t.host_port())) =>
            {
                drop(c);
            }
            Some(c) => {
                out.extend(c.nodes.iter().cloned());
                clusters.push(c);
            }
            None => out.push(t),
        }
    }
    out.extend(data);
    (out, clusters, failures)
}

/// Asks every sentinel named at once (the probe awaits the same answers later), and takes the
/// data nodes and the sentinels not yet named from the first that answers: one that does not
/// answer costs the run no time of its own.
async fn sentinel(s: &SentinelTarget, timeout: Duration) -> Discovered {
    use futures::StreamExt;
    let asked: Vec<(String, Asked)> = s
        .sentinels
        .iter()
        .map(|st| (st.host_port(), Asked::start(st, &s.master, timeout)))
        .collect();
    let mut answers: futures::stream::FuturesUnordered<_> = asked
        .iter()
        .zip(&s.sentinels)
        .map(|((_, a), st)| {
            let a = a.clone();
            async move { (st, a.answer().await) }
        })
        .collect();
    let member = |role: &str| Member {
        deployment: s.label.clone(),
        role: role.to_string(),
    };
    let (mut nodes, mut sentinels) = (Vec::new(), Vec::new());
    while let Some((st, view)) = answers.next().await {
        let Ok(snap) = view.result else { continue };
        let Ok(master) = &snap.master else { continue };
        if let Some((h, p)) = addr_of(master) {
            nodes.push(s.data.at(&h, p, member("master")));
        }
        for m in snap.replicas.iter().flatten() {
            if let Some((h, p)) = addr_of(m) {
                nodes.push(s.data.at(&h, p, member("replica")));
            }
        }
        for m in snap.sentinels.iter().flatten() {
            if let Some((h, p)) = addr_of(m) {
                sentinels.push(st.at(&h, p, member("sentinel")));
            }
        }
        break;
    }
    drop(answers);
    (nodes, sentinels, asked)
}

/// What discovery takes from a Sentinel deployment: its data nodes, the sentinels not yet
/// named, and the answers being read from those named.
type Discovered = (Vec<RedisTarget>, Vec<RedisTarget>, Vec<(String, Asked)>);

/// The nodes of the cluster `seed` belongs to, None for a standalone server (or one whose
/// INFO is refused: its probe says so), or why the seed could not be reached.
async fn cluster(
    seed: &RedisTarget,
    timeout: Duration,
) -> Result<Option<ClusterTarget>, crate::observe::ProbeError> {
    let Some((mut session, rtt)) = RedisSession::connect_quick(seed, timeout).await? else {
        return Ok(None);
    };
    let info = redis::cmd("INFO").arg("cluster").clone();
    let info = session
        .cmd::<String>(&info, "waiting for INFO cluster")
        .await;
    let Ok(info) = info else {
        // INFO refused or timed out: the probe connects afresh and says why
        return Ok(None);
    };
    if !info.lines().any(|l| l.trim_end() == "cluster_enabled:1") {
        // a standalone server is probed as named, over this connection: a server near
        // maxclients sees one connection from the run
        seed.kept.keep(session, rtt);
        return Ok(None);
    }
    let nodes_cmd = redis::cmd("CLUSTER").arg("NODES").clone();
    let Ok(text) = session
        .cmd::<String>(&nodes_cmd, "waiting for CLUSTER NODES")
        .await
    else {
        return Ok(None);
    };
    let label = format!("cluster:{}", seed.host_port());
    let mut nodes = Vec::new();
    let mut listed = parse_nodes(&text);
    // the seed first, then the others in CLUSTER NODES order
    listed.sort_by_key(|n| !n.has("myself"));
    for n in listed
        .iter()
        .filter(|n| !n.has("handshake") && !n.has("noaddr"))
    {
        let (host, port) = match n.addr.rsplit_once(':') {
            Some((h, p)) => (h.trim_matches(|c| c == '[' || c == ']'), p.parse().ok()),
            None => continue,
        };
        let Some(port) = port else { continue };
        // a node that reports its address as empty means "the address you reached me at"
        let host = if host.is_empty() {
            seed.host.as_str()
        } else {
            host
        };
        let role = if n.has("master") { "master" } else { "replica" };
        nodes.push(seed.at(
            host,
            port,
            Member {
                deployment: label.clone(),
                role: role.to_string(),
            },
        ));
    }
    Ok(Some(ClusterTarget { label, nodes }))
}
