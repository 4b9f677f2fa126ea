//! What the nodes of one Redis Cluster say about it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ProbeError;

/// A Redis Cluster, as each of its nodes sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterObservation {
    /// The cluster's label (`cluster:SEED`).
    pub target: String,
    /// Each node discovered from the seed, the seed first.
    pub nodes: Vec<ClusterNodeView>,
}

/// One node's view, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterNodeView {
    /// host:port.
    pub addr: String,
    /// What it said.
    pub result: Result<ClusterNodeSnapshot, ProbeError>,
}

/// What one node said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterNodeSnapshot {
    /// CLUSTER INFO as key → value.
    pub info: BTreeMap<String, String>,
    /// CLUSTER NODES, parsed.
    pub nodes: Vec<ClusterNode>,
    /// DBSIZE.
    pub dbsize: Result<u64, String>,
}

/// One line of CLUSTER NODES.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterNode {
    /// Node id.
    pub id: String,
    /// ip:port (the cluster bus port dropped).
    pub addr: String,
    /// Flags: myself, master, slave, fail?, fail, handshake, noaddr, nofailover …
    pub flags: Vec<String>,
    /// The master's id for a replica.
    pub master_id: Option<String>,
    /// configEpoch.
    pub config_epoch: u64,
    /// connected or disconnected.
    pub link: String,
    /// Slot ranges served, inclusive.
    pub slots: Vec<(u16, u16)>,
    /// Slots this node is migrating: (slot, destination id). Only in the node's own line.
    #[serde(default)]
    pub migrating: Vec<(u16, String)>,
    /// Slots this node is importing: (slot, source id). Only in the node's own line.
    #[serde(default)]
    pub importing: Vec<(u16, String)>,
}

impl ClusterNode {
    /// Whether it has `flag`.
    pub fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// The host part of its address.
    pub fn host(&self) -> &str {
        self.addr
            .rsplit_once(':')
            .map_or(self.addr.as_str(), |(h, _)| h)
    }
}

/// Every slot of a Redis Cluster.
pub const SLOTS: usize = 16384;

/// Parses CLUSTER NODES text; lines that do not parse are left out.
pub fn parse_nodes(text: &str) -> Vec<ClusterNode> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<ClusterNode> {
    let mut f = line.split_whitespace();
    let id = f.next()?.to_string();
    let addr_field = f.next()?;
    // ip:port@cport[,hostname]
    let addr = addr_field.split(',').next()?.split('@').next()?.to_string();
    let flags = f.next()?.split(',').map(str::to_string).collect();
    let master_id = match f.next()? {
        "-" => None,
        m => Some(m.to_string()),
    };
    let _ping = f.next()?;
    let _pong = f.next()?;
    let config_epoch = f.next()?.parse().ok()?;
    let link = f.next()?.to_string();
    let (mut slots, mut migrating, mut importing) = (Vec::new(), Vec::new(), Vec::new());
    for s in f {
        if let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            if let Some((slot, to)) = inner.split_once("->-") {
                migrating.push((slot.parse().ok()?, to.to_string()));
            } else if let Some((slot, from)) = inner.split_once("-<-") {
                importing.push((slot.parse().ok()?, from.to_string()));
            }
            continue;
        }
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let (a, b): (u16, u16) = (a.parse().ok()?, b.parse().ok()?);
        if a > b || usize::from(b) >= SLOTS {
            return None;
        }
        slots.push((a, b));
    }
    Some(ClusterNode {
        id,
        addr,
        flags,
        master_id,
        config_epoch,
        link,
        slots,
        migrating,
        importing,
    })
}

/// Slot ranges as people write them: `0-99, 5461`.
pub fn ranges_text(slots: &[u16]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < slots.len() {
        let start = slots[i];
        let mut end = start;
        while i + 1 < slots.len() && slots[i + 1] == end + 1 {
            i += 1;
            end = slots[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_nodes_lines_parse_with_ranges_and_open_slots() {
        let text = "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host1 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected\n\
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922\n\
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [93->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1] [77-<-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f]\n\
garbage line\n";
        let n = parse_nodes(text);
        assert_eq!(n.len(), 3);
        assert_eq!(n[0].addr, "127.0.0.1:30004");
        assert_eq!(
            n[0].master_id.as_deref(),
            Some("e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca")
        );
        assert_eq!(n[1].slots, vec![(5461, 10922)]);
        assert!(n[2].has("myself") && n[2].has("master"));
        assert_eq!(
            n[2].migrating,
            vec![(93, "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1".into())]
        );
        assert_eq!(n[2].importing.len(), 1);
        assert_eq!(n[2].config_epoch, 1);
        assert_eq!(
            ranges_text(&[0, 1, 2, 5461, 7000, 7001]),
            "0-2, 5461, 7000-7001"
        );
    }
}
