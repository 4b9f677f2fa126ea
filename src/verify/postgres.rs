//! Comparing a PostgreSQL table on two servers chunk by chunk: a chunk is a range of the
//! primary key with a row count and an order-independent sum of row hashes; a chunk that differs
//! is drilled down to rows. Only key values are kept, never row values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A chunk's summary on one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkSum {
    /// Rows.
    pub rows: i64,
    /// sum(hashtextextended(row::text, 0)) as text (a numeric: no overflow).
    pub hash: String,
}

/// One row's difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowDifference {
    /// On the primary only.
    Missing,
    /// On the replica only.
    Extra,
    /// On both, with other values.
    Differs,
}

/// The rows of a chunk that differ, from each side's key → row hash.
pub fn drill(
    primary: &BTreeMap<String, i64>,
    replica: &BTreeMap<String, i64>,
) -> Vec<(String, RowDifference)> {
    let mut out = Vec::new();
    for (k, h) in primary {
        match replica.get(k) {
            None => out.push((k.clone(), RowDifference::Missing)),
            Some(r) if r != h => out.push((k.clone(), RowDifference::Differs)),
            Some(_) => {}
        }
    }
    for k in replica.keys().filter(|k| !primary.contains_key(*k)) {
        out.push((k.clone(), RowDifference::Extra));
    }
    out.sort();
    out
}

/// The next chunk's rows when each chunk should take about `target`: scaled by how long the
/// last one took, at most doubled or halved at a step, never below 100 rows.
pub fn next_chunk_size(rows: u64, took: std::time::Duration, target: std::time::Duration) -> u64 {
    let factor = (target.as_secs_f64() / took.as_secs_f64().max(1e-6)).clamp(0.5, 2.0);
    ((rows as f64 * factor) as u64).max(100)
}

/// One table's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableResult {
    /// schema.table.
    pub table: String,
    /// Why it was not compared (no primary key, a composite one …), if it was not.
    pub skipped: Option<String>,
    /// Chunks compared.
    pub chunks: u64,
    /// Rows on the primary.
    pub rows: i64,
    /// Differing rows by primary key (as text), up to the limit.
    pub differing: Vec<(String, RowDifference)>,
    /// Differing rows beyond the limit.
    pub more: u64,
}

/// What `verify postgres` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostgresVerifyReport {
    /// The primary's label.
    pub primary: String,
    /// The replica's label.
    pub replica: String,
    /// "physical" (a standby) or "logical" (a subscriber).
    pub replication: String,
    /// Whether the replica reached the primary's LSN within --max-lag.
    pub caught_up: bool,
    /// Milliseconds waited for it.
    pub waited_ms: u64,
    /// One per table.
    pub tables: Vec<TableResult>,
}

impl PostgresVerifyReport {
    /// Whether both servers hold the same rows in every table compared.
    pub fn consistent(&self) -> bool {
        self.caught_up
            && self
                .tables
                .iter()
                .all(|t| t.differing.is_empty() && t.more == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drill_names_missing_extra_and_differing_keys() {
        let p: BTreeMap<String, i64> = [("1", 10), ("2", 20), ("3", 30)]
            .map(|(k, v)| (k.to_string(), v))
            .into();
        let r: BTreeMap<String, i64> = [("1", 10), ("2", 21), ("4", 40)]
            .map(|(k, v)| (k.to_string(), v))
            .into();
        assert_eq!(
            drill(&p, &r),
            vec![
                ("2".into(), RowDifference::Differs),
                ("3".into(), RowDifference::Missing),
                ("4".into(), RowDifference::Extra),
            ]
        );
        assert!(drill(&p, &p).is_empty());
    }

    #[test]
    fn chunks_grow_and_shrink_towards_the_target_time() {
        use std::time::Duration;
        let ms = Duration::from_millis;
        assert_eq!(next_chunk_size(1000, ms(10), ms(500)), 2000);
        assert_eq!(next_chunk_size(1000, ms(2000), ms(500)), 500);
        assert_eq!(next_chunk_size(1000, ms(400), ms(500)), 1250);
        assert_eq!(next_chunk_size(150, ms(5000), ms(500)), 100);
    }
}
