//! The network path to a state node, as mtr reports it: per hop the address(es), probes sent
//! and answered, loss and latency. Pure; probe/path.rs traces with trippy-core.

use serde::{Deserialize, Serialize};

/// One hop (TTL) of the path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathHop {
    /// The TTL that reached it.
    pub ttl: u8,
    /// The addresses that answered at this TTL (more than one: ECMP or a change of route).
    pub addrs: Vec<String>,
    /// Probes sent.
    pub sent: usize,
    /// Probes answered.
    pub recv: usize,
    /// Loss, percent.
    pub loss_pct: f64,
    /// Last, average, best and worst round-trip time and its standard deviation, ms.
    pub last_ms: Option<f64>,
    /// See `last_ms`.
    pub avg_ms: f64,
    /// See `last_ms`.
    pub best_ms: Option<f64>,
    /// See `last_ms`.
    pub worst_ms: Option<f64>,
    /// See `last_ms`.
    pub stdev_ms: f64,
}

/// The path to one state server, for the path.* checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathObservation {
    /// The server's target label.
    pub target: String,
    /// The trace, or why it could not run (no raw sockets, a Unix socket target).
    pub report: Result<PathReport, String>,
}

/// A trace to one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathReport {
    /// The host as asked.
    pub target: String,
    /// The address traced.
    pub addr: String,
    /// `icmp` or `tcp`.
    pub protocol: String,
    /// The TCP destination port (tcp only).
    pub port: Option<u16>,
    /// Rounds completed.
    pub rounds: usize,
    /// Hops in TTL order, up to the target's.
    pub hops: Vec<PathHop>,
}

impl PathReport {
    /// The target's own hop: the last one, when it answered from the target's address.
    pub fn final_hop(&self) -> Option<&PathHop> {
        self.hops.last().filter(|h| h.addrs.contains(&self.addr))
    }

    /// Addresses seen at two hops that are not adjacent: a routing loop.
    pub fn loops(&self) -> Vec<(String, u8, u8)> {
        let mut out = Vec::new();
        for (i, a) in self.hops.iter().enumerate() {
            for b in self.hops.iter().skip(i + 2) {
                for addr in &a.addrs {
                    if b.addrs.contains(addr)
                        && !out.iter().any(|(x, _, _): &(String, u8, u8)| x == addr)
                    {
                        out.push((addr.clone(), a.ttl, b.ttl));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(ttl: u8, addr: &str) -> PathHop {
        PathHop {
            ttl,
            addrs: vec![addr.into()],
            sent: 10,
            recv: 10,
            loss_pct: 0.0,
            last_ms: Some(0.1),
            avg_ms: 0.1,
            best_ms: Some(0.1),
            worst_ms: Some(0.1),
            stdev_ms: 0.0,
        }
    }

    #[test]
    fn a_loop_is_an_address_at_non_adjacent_hops() {
        let r = PathReport {
            target: "t".into(),
            addr: "10.0.3.2".into(),
            protocol: "icmp".into(),
            port: None,
            rounds: 1,
            hops: vec![
                hop(1, "10.0.1.2"),
                hop(2, "10.0.2.2"),
                hop(3, "10.0.1.2"),
                hop(4, "10.0.2.2"),
            ],
        };
        assert_eq!(
            r.loops(),
            [
                ("10.0.1.2".to_string(), 1, 3),
                ("10.0.2.2".to_string(), 2, 4)
            ]
        );
        assert!(r.final_hop().is_none(), "the target never answered");
    }
}
