//! Comparing a Redis primary with its replica key by key: type, value digest, and TTL within a
//! tolerance. Values are never kept, only digests.

use serde::{Deserialize, Serialize};

/// Keys fetched per pipeline.
pub const BATCH: usize = 200;

/// TTLs read from the two sides count as equal within this many milliseconds: the time between
/// the two reads, plus replication's own delay.
pub const TTL_TOLERANCE_MS: i64 = 2000;

/// What one side holds under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyView {
    /// TYPE: "string", "hash" … or "none" when the key does not exist.
    pub kind: String,
    /// PTTL in ms: -1 without expiry, -2 missing.
    pub pttl_ms: i64,
    /// A digest of the value (DEBUG DIGEST-VALUE, or SHA-256 of DUMP), None when missing.
    pub digest: Option<String>,
}

impl KeyView {
    /// Whether the key exists on this side.
    pub fn exists(&self) -> bool {
        self.kind != "none"
    }
}

/// How a key differs between the sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difference {
    /// On the primary only.
    Missing,
    /// On the replica only.
    Extra,
    /// Of another type.
    Type,
    /// Another value.
    Value,
    /// One side expires and the other does not, or their TTLs differ beyond the tolerance.
    Ttl,
}

impl Difference {
    /// In words.
    pub fn as_str(self) -> &'static str {
        match self {
            Difference::Missing => "missing on the replica",
            Difference::Extra => "only on the replica",
            Difference::Type => "type differs",
            Difference::Value => "value differs",
            Difference::Ttl => "TTL differs",
        }
    }
}

/// The difference between the two views of one key, if any. TTLs count as equal within
/// `ttl_tolerance_ms` (the time between the two reads, plus replication's delay).
pub fn compare(primary: &KeyView, replica: &KeyView, ttl_tolerance_ms: i64) -> Option<Difference> {
    match (primary.exists(), replica.exists()) {
        (false, false) => return None,
        (true, false) => return Some(Difference::Missing),
        (false, true) => return Some(Difference::Extra),
        (true, true) => {}
    }
    if primary.kind != replica.kind {
        return Some(Difference::Type);
    }
    if primary.digest != replica.digest {
        return Some(Difference::Value);
    }
    let (a, b) = (primary.pttl_ms, replica.pttl_ms);
    if (a < 0) != (b < 0) || (a >= 0 && (a - b).abs() > ttl_tolerance_ms) {
        return Some(Difference::Ttl);
    }
    None
}

/// One differing key in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DifferingKey {
    /// The key, or its keyed hash with --redact-keys.
    pub key: String,
    /// How it differs.
    pub difference: Difference,
}

/// What `verify redis` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedisVerifyReport {
    /// The primary's label.
    pub primary: String,
    /// The replica's label.
    pub replica: String,
    /// How the values were digested: "DEBUG DIGEST-VALUE" or "DUMP + SHA-256".
    pub digest: String,
    /// Whether every key was compared (--full) or a sample.
    pub full: bool,
    /// Keys compared.
    pub compared: u64,
    /// How far behind the replica was when the comparison started (bytes of replication
    /// offset), and how long the wait for it took.
    pub lag_bytes_at_start: i64,
    /// Milliseconds waited for the replica to catch up.
    pub waited_ms: u64,
    /// Whether the replica caught up within --max-lag (when it did not, nothing is compared).
    pub caught_up: bool,
    /// Keys that differ (and still differed when checked again with the primary unchanged).
    pub differing: Vec<DifferingKey>,
    /// Keys whose value on the primary changed between the two looks: not drift.
    pub changed_during: Vec<String>,
    /// Differing keys beyond the listing limit.
    pub more: u64,
    /// Why the replica did not catch up (still behind, or not answering), when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_reason: Option<String>,
}

impl RedisVerifyReport {
    /// Whether the two sides hold the same state.
    pub fn consistent(&self) -> bool {
        self.caught_up && self.differing.is_empty() && self.more == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(kind: &str, pttl: i64, d: &str) -> KeyView {
        KeyView {
            kind: kind.into(),
            pttl_ms: pttl,
            digest: (kind != "none").then(|| d.to_string()),
        }
    }

    #[test]
    fn differences_by_presence_type_value_and_ttl() {
        let none = v("none", -2, "");
        assert_eq!(
            compare(&v("string", -1, "a"), &v("string", -1, "a"), 2000),
            None
        );
        assert_eq!(
            compare(&v("string", -1, "a"), &none, 2000),
            Some(Difference::Missing)
        );
        assert_eq!(
            compare(&none, &v("hash", -1, "a"), 2000),
            Some(Difference::Extra)
        );
        assert_eq!(
            compare(&v("string", -1, "a"), &v("hash", -1, "a"), 2000),
            Some(Difference::Type)
        );
        assert_eq!(
            compare(&v("string", -1, "a"), &v("string", -1, "b"), 2000),
            Some(Difference::Value)
        );
        assert_eq!(
            compare(&v("string", 60_000, "a"), &v("string", 59_000, "a"), 2000),
            None
        );
        assert_eq!(
            compare(&v("string", 60_000, "a"), &v("string", 50_000, "a"), 2000),
            Some(Difference::Ttl)
        );
        assert_eq!(
            compare(&v("string", 60_000, "a"), &v("string", -1, "a"), 2000),
            Some(Difference::Ttl)
        );
        assert_eq!(compare(&none, &none, 0), None);
    }
}
