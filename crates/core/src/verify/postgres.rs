//! Comparing a PostgreSQL table on two servers chunk by chunk: a chunk is a range of the
//! primary key (one column or several, compared as a row) with a row count and an
//! order-independent sum of row hashes; a chunk that differs is drilled down to rows and looked at
//! again once the replica has caught up, so rows written during the run are not called drift.
//! Only key values are kept, never row values.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{Finding, Status, Verdict};

/// The statements that compare one table, built from its quoted name and its primary key's
/// quoted columns and types. Bounds travel as text arrays (`$1` the exclusive lower bound, `$2`
/// the inclusive upper one; NULL for none) and are cast to the columns' types on the server, so
/// the primary key's index serves every range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSql {
    /// The key of the row `$2` rows past `$1`: the next chunk's upper bound.
    pub next_hi: String,
    /// A chunk's row count and sum of row hashes.
    pub sum: String,
    /// A chunk's rows: key as text, row hash.
    pub rows: String,
}

impl TableSql {
    /// The statements for `table` (already quoted) keyed by `key`: (quoted column, type).
    pub fn new(table: &str, key: &[(String, String)]) -> Self {
        let join = |f: &dyn Fn(usize, &(String, String)) -> String| {
            key.iter()
                .enumerate()
                .map(|(i, c)| f(i, c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let tuple = join(&|_, (c, _)| format!("t.{c}"));
        let bound = |p: u8| join(&|i, (_, ty)| format!("(${p}::text[])[{}]::{ty}", i + 1));
        let after = format!("($1::text[] IS NULL OR ({tuple}) > ({}))", bound(1));
        let upto = format!("($2::text[] IS NULL OR ({tuple}) <= ({}))", bound(2));
        let label = match key {
            [(c, _)] => format!("t.{c}::text"),
            _ => format!("ROW({tuple})::text"),
        };
        let texts = join(&|_, (c, _)| format!("t.{c}::text"));
        TableSql {
            next_hi: format!(
                "SELECT ARRAY[{texts}] FROM {table} t WHERE {after} ORDER BY {tuple} OFFSET $2::int8 LIMIT 1"
            ),
            sum: format!(
                "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0)::text \
                 FROM {table} t WHERE {after} AND {upto}"
            ),
            rows: format!(
                "SELECT {label}, hashtextextended(t::text, 0) FROM {table} t WHERE {after} AND {upto}"
            ),
        }
    }
}

/// A chunk's rows on one side: key → row hash.
pub type Rows = BTreeMap<String, i64>;

/// Sorts the suspects of a differing chunk after one more look: the primary read (`before`),
/// the replica read once it had replayed what `before` saw, and the primary read again
/// (`after`). The replica's snapshot lies between the two primary reads, so a row the primary
/// held unchanged across them must be the same on the replica: if it is not, that is drift. A
/// row the replica holds as either primary read saw it is consistent. A row that changed on the
/// primary in between, and that the replica holds in neither version, is still in flight: it
/// stays a suspect for another look. Returns (drift, suspects left).
pub fn sift(
    suspects: &BTreeSet<String>,
    before: &Rows,
    replica: &Rows,
    after: &Rows,
) -> (Vec<(String, RowDifference)>, BTreeSet<String>) {
    let (mut drift, mut left) = (Vec::new(), BTreeSet::new());
    for k in suspects {
        let (b, r, a) = (before.get(k), replica.get(k), after.get(k));
        if r == a || r == b {
            continue;
        }
        if b != a {
            left.insert(k.clone());
            continue;
        }
        drift.push((
            k.clone(),
            match (a, r) {
                (Some(_), None) => RowDifference::Missing,
                (None, Some(_)) => RowDifference::Extra,
                _ => RowDifference::Differs,
            },
        ));
    }
    (drift, left)
}

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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TableResult {
    /// schema.table.
    pub table: String,
    /// The primary key's columns.
    pub key: Vec<String>,
    /// Why it was not compared (no primary key), if it was not.
    pub skipped: Option<String>,
    /// Why the comparison stopped part-way (a query failed, the replica stopped answering or
    /// fell behind for longer than --max-lag), if it did.
    pub error: Option<String>,
    /// Chunks compared.
    pub chunks: u64,
    /// Rows on the primary.
    pub rows: i64,
    /// Differing rows by primary key (as text), up to the limit.
    pub differing: Vec<(String, RowDifference)>,
    /// Differing rows beyond the limit.
    pub more: u64,
    /// Rows that differed while the primary changed them between looks (not drift).
    pub changed_during: Vec<String>,
    /// Chunks whose sums differed at first and were looked at again row by row.
    pub rechecked: u64,
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
    /// --max-lag in milliseconds.
    pub max_lag_ms: u64,
    /// Milliseconds paused because the primary had more active backends than --max-load.
    pub paused_ms: u64,
    /// One per table.
    pub tables: Vec<TableResult>,
    /// The verdicts, as doctor's findings: `verify.postgres.lag`, then `verify.postgres.table`
    /// per table.
    pub findings: Vec<Finding>,
    /// The side that could not be reached at the start (nothing was compared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreached: Option<Unreached>,
}

/// A side of `verify postgres` that could not be reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unreached {
    /// `--primary` or `--replica`.
    pub side: String,
    /// Why, as doctor's postgres.reachable sees it.
    pub error: crate::observe::ProbeError,
}

impl PostgresVerifyReport {
    /// The findings this report calls for.
    pub fn judge(&self) -> Vec<Finding> {
        if let Some(u) = &self.unreached {
            let mut v = crate::doctor::unreachable_verdict(
                &u.error,
                "PostgreSQL",
                "pg_isready -h HOST -p PORT",
            );
            v.summary = format!("{}: {}: nothing compared", u.side, v.summary);
            let target = if u.side == "--primary" {
                &self.primary
            } else {
                &self.replica
            };
            return vec![Finding::new(
                "verify.postgres.lag",
                target,
                v.with("side", &u.side),
            )];
        }
        let lag = if self.caught_up {
            Verdict::pass(format!(
                "the {} replica reached the primary's LSN in {} ms",
                self.replication, self.waited_ms
            ))
        } else {
            Verdict::new(
                Status::Fail,
                format!(
                    "the {} replica did not reach the primary's LSN within --max-lag ({} ms): nothing compared",
                    self.replication, self.max_lag_ms
                ),
            )
            .fix(if self.replication == "physical" {
                "Check replay on the standby (SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(); pg_stat_wal_receiver) and on the primary (pg_stat_replication), its I/O and long queries on it; raise --max-lag for a standby that is only slow"
            } else {
                "Check the subscription (pg_stat_subscription on the subscriber, pg_replication_slots on the publisher) and the subscriber's log for apply errors; raise --max-lag for a subscriber that is only slow"
            })
        }
        .with("waited_ms", self.waited_ms)
        .with("max_lag_ms", self.max_lag_ms);
        let mut out = vec![Finding::new("verify.postgres.lag", &self.replica, lag)];
        for t in &self.tables {
            let target = format!("{} {}", self.replica, t.table);
            out.push(Finding::new("verify.postgres.table", &target, t.verdict()));
        }
        out
    }
}

impl TableResult {
    /// Pass, skip (no primary key), error (stopped part-way), fail (rows differ) or warn (rows
    /// changed during the run and could not be confirmed either way).
    pub fn verdict(&self) -> Verdict {
        let count = |d: RowDifference| self.differing.iter().filter(|(_, x)| *x == d).count();
        let differing = self.differing.len() as u64 + self.more;
        let v = if let Some(why) = &self.skipped {
            return Verdict::skip(why.clone()).fix(
                "Add a primary key (ALTER TABLE … ADD PRIMARY KEY), which logical replication needs for UPDATE and DELETE too, or compare it by hand",
            );
        } else if differing > 0 {
            Verdict::new(
                Status::Fail,
                format!(
                    "{differing} row(s) differ: {} missing on the replica, {} extra on it, {} with other values",
                    count(RowDifference::Missing),
                    count(RowDifference::Extra),
                    count(RowDifference::Differs)
                ),
            )
            .fix("Find who writes to the replica (a subscriber must not be written to; a standby cannot be), then resynchronise the table: for a subscriber, copy the named rows from the primary or refresh the subscription with copy_data; for a standby, rebuild it with pg_basebackup")
        } else if let Some(e) = &self.error {
            Verdict::new(Status::Error, format!("not compared to the end: {e}")).fix(
                "Check that both servers answer (pg_stat_activity, the server log) and rerun; raise --timeout or --max-lag for a slow replica",
            )
        } else if !self.changed_during.is_empty() {
            Verdict::new(
                Status::Warn,
                format!(
                    "{} row(s) kept changing on the primary while they were compared: not confirmed either way",
                    self.changed_during.len()
                ),
            )
            .fix("Rerun when those rows are quiet, or with --table for this table alone")
        } else {
            Verdict::pass(format!(
                "{} rows in {} chunks match",
                self.rows, self.chunks
            ))
        };
        v.with("rows", self.rows)
            .with("chunks", self.chunks)
            .with("differing", differing)
            .with("changed_during", self.changed_during.len())
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

    fn side(rows: &[(&str, i64)]) -> Rows {
        rows.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn rows_still_being_written_are_not_drift() {
        let suspects: BTreeSet<String> = ["1", "2", "3", "4", "5", "6"].map(String::from).into();
        let before = side(&[("1", 10), ("2", 20), ("3", 30), ("4", 40), ("6", 60)]);
        let replica = side(&[("1", 10), ("2", 21), ("4", 41), ("5", 50), ("6", 61)]);
        let after = side(&[
            ("1", 10),
            ("2", 22),
            ("3", 30),
            ("4", 40),
            ("5", 50),
            ("6", 62),
        ]);
        let (drift, left) = sift(&suspects, &before, &replica, &after);
        assert_eq!(
            drift,
            vec![
                // unchanged on the primary, missing on the replica
                ("3".into(), RowDifference::Missing),
                // unchanged on the primary, another value on the replica
                ("4".into(), RowDifference::Differs),
            ]
        );
        // 1 matches; 5 was inserted in between and the replica has it; 2 and 6 changed on the
        // primary and the replica holds neither version: another look
        assert_eq!(left, ["2", "6"].map(String::from).into());
        // a row only the replica holds, absent on the primary throughout: extra
        let extra: BTreeSet<String> = ["9".to_string()].into();
        let (drift, left) = sift(&extra, &side(&[]), &side(&[("9", 1)]), &side(&[]));
        assert_eq!(
            (drift, left.len()),
            (vec![("9".into(), RowDifference::Extra)], 0)
        );
    }

    #[test]
    fn statements_compare_composite_keys_as_rows() {
        let one = TableSql::new("public.t", &[("id".into(), "bigint".into())]);
        assert!(
            one.next_hi.contains("ORDER BY t.id OFFSET"),
            "{}",
            one.next_hi
        );
        assert!(
            one.sum.contains("(t.id) > (($1::text[])[1]::bigint)"),
            "{}",
            one.sum
        );
        assert!(one.rows.starts_with("SELECT t.id::text,"), "{}", one.rows);
        let two = TableSql::new(
            "public.\"Orders\"",
            &[
                ("tenant".into(), "integer".into()),
                ("\"Id\"".into(), "text".into()),
            ],
        );
        assert!(
            two.sum.contains(
                "(t.tenant, t.\"Id\") <= (($2::text[])[1]::integer, ($2::text[])[2]::text)"
            ),
            "{}",
            two.sum
        );
        assert!(
            two.rows
                .starts_with("SELECT ROW(t.tenant, t.\"Id\")::text,"),
            "{}",
            two.rows
        );
        assert!(two
            .next_hi
            .starts_with("SELECT ARRAY[t.tenant::text, t.\"Id\"::text] FROM public.\"Orders\" t"));
    }

    #[test]
    fn table_verdicts_follow_the_rows() {
        let base = TableResult {
            table: "public.t".into(),
            rows: 10,
            chunks: 1,
            ..Default::default()
        };
        assert_eq!(base.verdict().status, Status::Pass);
        let skip = TableResult {
            skipped: Some("no primary key".into()),
            ..base.clone()
        };
        assert_eq!(skip.verdict().status, Status::Skip);
        let changed = TableResult {
            changed_during: vec!["3".into()],
            ..base.clone()
        };
        assert_eq!(changed.verdict().status, Status::Warn);
        let err = TableResult {
            error: Some("the replica stopped answering".into()),
            ..changed.clone()
        };
        assert_eq!(err.verdict().status, Status::Error);
        let fail = TableResult {
            differing: vec![
                ("1".into(), RowDifference::Missing),
                ("2".into(), RowDifference::Extra),
            ],
            more: 1,
            ..err
        };
        let v = fail.verdict();
        assert_eq!(v.status, Status::Fail);
        assert_eq!(
            v.summary,
            "3 row(s) differ: 1 missing on the replica, 1 extra on it, 0 with other values"
        );
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
