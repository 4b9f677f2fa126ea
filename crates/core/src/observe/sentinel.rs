//! What the sentinels of one deployment say.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ProbeError;

/// One Sentinel deployment, as every sentinel known for it sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentinelObservation {
    /// The deployment's label (`redis+sentinel://…/mymaster`).
    pub target: String,
    /// The master's service name.
    pub master: String,
    /// Each sentinel named or discovered, in that order.
    pub sentinels: Vec<SentinelView>,
}

/// One sentinel's answer, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentinelView {
    /// host:port.
    pub addr: String,
    /// What it said.
    pub result: Result<SentinelSnapshot, ProbeError>,
}

/// What one sentinel said about the master.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentinelSnapshot {
    /// SENTINEL GET-MASTER-ADDR-BY-NAME: where it says the master is.
    pub master_addr: Option<String>,
    /// SENTINEL MASTER's fields (flags, quorum, num-other-sentinels, down-after-milliseconds …),
    /// or why it could not be read.
    pub master: Result<BTreeMap<String, String>, String>,
    /// SENTINEL CKQUORUM's answer (`OK 3 usable Sentinels…`), or its error text.
    pub ckquorum: Result<String, String>,
    /// SENTINEL REPLICAS: each replica's fields.
    pub replicas: Result<Vec<BTreeMap<String, String>>, String>,
    /// SENTINEL SENTINELS: the other sentinels it knows, each one's fields.
    pub sentinels: Result<Vec<BTreeMap<String, String>>, String>,
    /// SENTINEL MASTERS: the name of every master it monitors.
    #[serde(default = "not_collected")]
    pub monitors: Result<Vec<String>, String>,
}

fn not_collected() -> Result<Vec<String>, String> {
    Err("not collected".into())
}

impl SentinelSnapshot {
    /// A SENTINEL MASTER field.
    pub fn field(&self, k: &str) -> Option<&str> {
        self.master.as_ref().ok()?.get(k).map(String::as_str)
    }

    /// Whether this sentinel said it monitors no master named `name` (None: it did not say).
    pub fn lacks(&self, name: &str) -> Option<bool> {
        let names = self.monitors.as_ref().ok()?;
        Some(!names.iter().any(|n| n == name))
    }
}
