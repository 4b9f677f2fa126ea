//! What a NIC probe sees.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Counter name → value.
pub type NicCounters = BTreeMap<String, u64>;

/// Speed, duplex and autonegotiation of a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkFacts {
    /// Mb/s; None when the driver does not know (virtual NICs, link down).
    pub speed_mbps: Option<u32>,
    /// full, half, or None when unknown.
    pub duplex: Option<String>,
    /// Whether autonegotiation is on, when known.
    pub autoneg: Option<bool>,
    /// Where the facts came from: "ethtool netlink" or "sysfs".
    pub source: String,
}

/// What one NIC probe saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NicObservation {
    /// Interface name.
    pub iface: String,
    /// operstate (up, down, unknown …).
    pub operstate: String,
    /// carrier, when readable.
    pub carrier: Option<bool>,
    /// MTU.
    pub mtu: Option<u64>,
    /// sysfs statistics plus carrier_changes, at the start and the end of the window.
    pub stats: Result<(NicCounters, NicCounters), String>,
    /// The driver's own counters (`ethtool -S`), at the start and the end of the window.
    pub driver: Result<(NicCounters, NicCounters), String>,
    /// Link facts.
    pub link: Result<LinkFacts, String>,
    /// The window between the two reads.
    #[serde(with = "crate::observe::ms")]
    pub window: Duration,
}
