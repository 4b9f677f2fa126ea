//! Cluster-aware load: keys routed by hash slot (CRC16 XMODEM, hash tags respected), each
//! connection homed on one master with keys that hash there, MOVED and ASK followed, the slot map
//! updated on MOVED, and latency kept per master as well as in total.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use super::stats::Recorder;
use crate::observe::cluster::SLOTS;

/// The hash slot of a key: CRC16 of the key, or of its `{tag}` when it has a non-empty one.
pub fn slot(key: &[u8]) -> u16 {
    let hashed = match key.iter().position(|&b| b == b'{') {
        Some(open) => match key[open + 1..].iter().position(|&b| b == b'}') {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    };
    crc16::State::<crc16::XMODEM>::calculate(hashed) % SLOTS as u16
}

/// A cluster's slot map and the load's plan on it.
#[derive(Debug)]
pub struct Cluster {
    /// The masters, in CLUSTER SLOTS order: connection `i` is homed on `masters[i % len]`.
    pub masters: Vec<String>,
    /// Every node address seen (masters first); the slot map indexes into it.
    pub nodes: RwLock<Vec<String>>,
    /// Slot → index into `nodes`.
    pub owners: RwLock<Vec<u16>>,
    /// For each master, the key numbers (`{N}` tags) whose slot it serves at the start.
    pub keys: Vec<Vec<u64>>,
    /// What each master's connections recorded, merged as they finish.
    pub per_master: Mutex<Vec<Recorder>>,
    /// MOVED replies followed.
    pub moved: std::sync::atomic::AtomicU64,
    /// ASK replies followed.
    pub asked: std::sync::atomic::AtomicU64,
    /// Whether any slot has moved since the start: until one does, every key a connection
    /// draws is its home master's, and no lookup is needed.
    pub changed: std::sync::atomic::AtomicBool,
}

impl Cluster {
    /// Builds the plan from CLUSTER SLOTS ranges (start, end, master address) and a keyspace.
    pub fn new(ranges: &[(u16, u16, String)], keyspace: u64) -> Result<Cluster, String> {
        let mut masters: Vec<String> = Vec::new();
        let mut owners = vec![u16::MAX; SLOTS];
        for (a, b, addr) in ranges {
            let i = match masters.iter().position(|m| m == addr) {
                Some(i) => i,
                None => {
                    masters.push(addr.clone());
                    masters.len() - 1
                }
            };
            owners[usize::from(*a)..=usize::from(*b)].fill(i as u16);
        }
        if masters.is_empty() {
            return Err("CLUSTER SLOTS lists no master".into());
        }
        if let Some(s) = owners.iter().position(|o| *o == u16::MAX) {
            return Err(format!(
                "slot {s} is not served (see `statectl doctor --only cluster.slots`)"
            ));
        }
        let mut keys = vec![Vec::new(); masters.len()];
        let mut buf = itoa::Buffer::new();
        for n in 0..keyspace {
            let owner = owners[usize::from(slot(buf.format(n).as_bytes()))];
            keys[usize::from(owner)].push(n);
        }
        if let Some(i) = keys.iter().position(Vec::is_empty) {
            return Err(format!(
                "no key of the keyspace hashes to {}: raise --keyspace",
                masters[i]
            ));
        }
        Ok(Cluster {
            per_master: Mutex::new(vec![Recorder::default(); masters.len()]),
            nodes: RwLock::new(masters.clone()),
            masters,
            owners: RwLock::new(owners),
            keys,
            moved: Default::default(),
            asked: Default::default(),
            changed: Default::default(),
        })
    }

    /// The address serving `slot` now.
    pub fn owner(&self, slot: u16) -> String {
        let i = self
            .owners
            .read()
            .map(|o| o[usize::from(slot)])
            .unwrap_or(0);
        self.nodes
            .read()
            .ok()
            .and_then(|n| n.get(usize::from(i)).cloned())
            .unwrap_or_default()
    }

    /// Records that `slot` moved to `addr` (a MOVED reply).
    pub fn moved_to(&self, slot: u16, addr: &str) {
        let Ok(mut nodes) = self.nodes.write() else {
            return;
        };
        let i = match nodes.iter().position(|n| n == addr) {
            Some(i) => i,
            None => {
                nodes.push(addr.to_string());
                nodes.len() - 1
            }
        };
        if let Ok(mut o) = self.owners.write() {
            o[usize::from(slot)] = i as u16;
        }
        self.changed
            .store(true, std::sync::atomic::Ordering::Release);
    }
}

/// CLUSTER SLOTS as (start, end, master host:port); a master that reports no address (an
/// empty host) is `host`, the one connected to.
pub fn parse_slots(v: &redis::Value, host: &str) -> Vec<(u16, u16, String)> {
    let redis::Value::Array(rows) = v else {
        return Vec::new();
    };
    let int = |v: &redis::Value| match v {
        redis::Value::Int(i) => u16::try_from(*i).ok(),
        _ => None,
    };
    rows.iter()
        .filter_map(|row| {
            let redis::Value::Array(f) = row else {
                return None;
            };
            let (a, b) = (int(f.first()?)?, int(f.get(1)?)?);
            let redis::Value::Array(master) = f.get(2)? else {
                return None;
            };
            let ip = match master.first()? {
                redis::Value::BulkString(b) if !b.is_empty() => {
                    String::from_utf8_lossy(b).into_owned()
                }
                _ => host.to_string(),
            };
            let port = match master.get(1)? {
                redis::Value::Int(p) => *p,
                _ => return None,
            };
            Some((
                a,
                b,
                crate::targets::host_port(&ip, u16::try_from(port).ok()?),
            ))
        })
        .collect()
}

/// A MOVED or ASK redirection: the slot, the node to ask, and whether it is ASK.
pub fn redirection(error: &[u8]) -> Option<(u16, String, bool)> {
    let text = std::str::from_utf8(error).ok()?;
    let mut f = text.trim_start_matches('-').split_whitespace();
    let ask = match f.next()? {
        "MOVED" => false,
        "ASK" => true,
        _ => return None,
    };
    let slot = f.next()?.parse().ok()?;
    Some((slot, f.next()?.to_string(), ask))
}

/// Connections a task opened to nodes other than its home, by address.
pub type Side = HashMap<String, (crate::tls::Stream, Vec<u8>)>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_redis_including_hash_tags() {
        // values from the Redis Cluster specification and `CLUSTER KEYSLOT`
        assert_eq!(slot(b"123456789"), 12739);
        assert_eq!(slot(b"foo"), 12182);
        assert_eq!(slot(b"{user1000}.following"), slot(b"user1000"));
        assert_eq!(slot(b"foo{}{bar}"), slot(b"foo{}{bar}"));
        assert_ne!(slot(b"foo{}{bar}"), slot(b"bar"));
        assert_eq!(slot(b"foo{{bar}}zap"), slot(b"{bar"));
        assert_eq!(slot(b"statectl:bench:k:{42}"), slot(b"42"));
    }

    #[test]
    fn keys_are_split_by_owner_and_redirections_parse() {
        let ranges = vec![
            (0, 5460, "a:1".to_string()),
            (5461, 10922, "b:1".to_string()),
            (10923, 16383, "c:1".to_string()),
        ];
        let c = Cluster::new(&ranges, 3000).unwrap();
        assert_eq!(c.keys.iter().map(Vec::len).sum::<usize>(), 3000);
        for (i, keys) in c.keys.iter().enumerate() {
            assert!(keys.len() > 700, "{i}: {}", keys.len());
        }
        assert!(Cluster::new(&ranges[..2], 10)
            .unwrap_err()
            .contains("slot 10923"));
        assert_eq!(
            redirection(b"MOVED 3999 127.0.0.1:6381"),
            Some((3999, "127.0.0.1:6381".into(), false))
        );
        assert_eq!(redirection(b"ASK 1 h:2"), Some((1, "h:2".into(), true)));
        assert_eq!(redirection(b"ERR wrong"), None);
        c.moved_to(0, "d:1");
        assert_eq!(c.owner(0), "d:1");
        assert_eq!(c.owner(1), "a:1");
    }
}
