//! A PostgreSQL primary and its replica (a physical standby or a logical subscriber): LSNs,
//! the catalog, the subscription, and each table chunk's row count, hash sum and rows, each
//! query bounded by --timeout.

use std::time::Duration;

use tokio_postgres::{Client, Row, Statement};

use super::{pg_error, within};

/// One side of the comparison: its connection, the flag that named it, the bound on each query.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub c: &'a Client,
    pub flag: &'static str,
    pub timeout: Duration,
}

impl Side<'_> {
    /// A query bounded by --timeout; errors name the side and what it was doing.
    pub async fn run<T>(
        &self,
        what: &str,
        f: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> anyhow::Result<T> {
        within(self.timeout, self.flag, what, f)
            .await?
            .map_err(|e| anyhow::anyhow!("{}: {} while {what}", self.flag, pg_error(&e)))
    }

    /// Opens a chunk's snapshot.
    pub async fn begin(&self) -> anyhow::Result<()> {
        let sql = format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = {}",
            self.timeout.as_millis()
        );
        self.run("opening a read-only snapshot", self.c.batch_execute(&sql))
            .await
    }

    pub async fn commit(&self) -> anyhow::Result<()> {
        self.run("closing the snapshot", self.c.batch_execute("COMMIT"))
            .await
    }

    pub async fn prepare(&self, sql: &str) -> anyhow::Result<Statement> {
        self.run("preparing the chunk statements", self.c.prepare(sql))
            .await
    }

    /// A chunk's row count and sum of row hashes.
    pub async fn sum(
        &self,
        st: &Statement,
        lo: &Option<Vec<String>>,
        hi: &Option<Vec<String>>,
    ) -> anyhow::Result<Row> {
        self.run("summing a chunk", self.c.query_one(st, &[lo, hi]))
            .await
    }

    /// A chunk's rows: key → row hash.
    pub async fn rows(
        &self,
        st: &Statement,
        lo: &Option<Vec<String>>,
        hi: &Option<Vec<String>>,
    ) -> anyhow::Result<std::collections::BTreeMap<String, i64>> {
        let rows = self
            .run("reading a chunk's rows", self.c.query(st, &[lo, hi]))
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
    /// The primary's current WAL position.
    pub async fn current_lsn(&self) -> anyhow::Result<String> {
        let row = self
            .run(
                "reading the current LSN",
                self.c.query_one("SELECT pg_current_wal_lsn()::text", &[]),
            )
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Whether this standby has replayed up to `lsn` (unbounded: the caller bounds the wait).
    pub async fn replayed(&self, lsn: &str) -> Result<bool, tokio_postgres::Error> {
        self.c
            .query_one(
                "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::text::pg_lsn, false)",
                &[&lsn],
            )
            .await?
            .try_get(0)
    }

    /// Whether the logical slots on this publisher (`slots`, or every one when empty) have
    /// confirmed `lsn` (unbounded: the caller bounds the wait).
    pub async fn slots_confirmed(
        &self,
        lsn: &str,
        slots: &[String],
    ) -> Result<bool, tokio_postgres::Error> {
        self.c
            .query_one(
                "SELECT coalesce(bool_and(confirmed_flush_lsn >= $1::text::pg_lsn), false) \
                 FROM pg_replication_slots WHERE slot_type = 'logical' \
                   AND (cardinality($2::text[]) = 0 OR slot_name = ANY($2::text[]))",
                &[&lsn, &slots],
            )
            .await?
            .try_get(0)
    }

    /// Client backends running a query now, this one left out (--max-load).
    pub async fn active_backends(&self) -> anyhow::Result<i64> {
        let row = self
            .run(
                "counting active backends (--max-load)",
                self.c.query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' \
                     AND state = 'active' AND pid <> pg_backend_pid()",
                    &[],
                ),
            )
            .await?;
        Ok(row.try_get(0)?)
    }

    /// The key `offset` rows past `lo` (the chunk's upper bound), None past the last row.
    pub async fn upper_bound(
        &self,
        st: &Statement,
        lo: &Option<Vec<String>>,
        offset: i64,
    ) -> anyhow::Result<Option<Vec<String>>> {
        Ok(self
            .run(
                "finding the chunk's upper bound",
                self.c.query_opt(st, &[lo, &offset]),
            )
            .await?
            .map(|row| row.try_get(0))
            .transpose()?)
    }
}

/// A table to compare, as the primary's catalog describes it.
pub struct TableMeta {
    pub quoted: String,
    pub plain: String,
    /// (quoted column, type) of the primary key, in key order; empty without one.
    pub key: Vec<(String, String)>,
    /// pg_class.reltuples: the planner's row estimate, for progress.
    pub estimate: f64,
}

/// The tables on the primary with their primary keys, in name order.
pub async fn catalog(p: Side<'_>) -> anyhow::Result<Vec<TableMeta>> {
    let rows = p
        .run(
            "reading the catalog",
            p.c.query(
                "SELECT format('%I.%I', n.nspname, c.relname), n.nspname || '.' || c.relname, \
                   coalesce((SELECT array_agg(format('%I', a.attname) ORDER BY k.ord) FROM pg_index i \
                      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) \
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
                    WHERE i.indrelid = c.oid AND i.indisprimary), '{}'), \
                   coalesce((SELECT array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.ord) FROM pg_index i \
                      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) \
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
                    WHERE i.indrelid = c.oid AND i.indisprimary), '{}'), \
                   c.reltuples::float8 \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
                   AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 2",
                &[],
            ),
        )
        .await?;
    rows.iter()
        .map(|row| {
            let cols: Vec<String> = row.try_get(2)?;
            let types: Vec<String> = row.try_get(3)?;
            Ok(TableMeta {
                quoted: row.try_get(0)?,
                plain: row.try_get(1)?,
                key: cols.into_iter().zip(types).collect(),
                estimate: row.try_get(4)?,
            })
        })
        .collect()
}

/// For a logical subscriber: its publications' tables on the publisher and its slots' names.
pub async fn subscription(p: Side<'_>, r: Side<'_>) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let row = r
        .run(
            "reading the subscription",
            r.c.query_one(
                "SELECT coalesce(array_agg(DISTINCT pub), '{}'), \
                   coalesce(array_agg(DISTINCT s.subslotname::text) FILTER (WHERE s.subslotname IS NOT NULL), '{}') \
                 FROM pg_subscription s CROSS JOIN LATERAL unnest(s.subpublications) pub \
                 WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
                &[],
            ),
        )
        .await?;
    let (pubs, slots): (Vec<String>, Vec<String>) = (row.try_get(0)?, row.try_get(1)?);
    if pubs.is_empty() {
        return Ok((Vec::new(), slots));
    }
    let tables = p
        .run(
            "reading the publications' tables",
            p.c.query(
                "SELECT DISTINCT schemaname || '.' || tablename FROM pg_publication_tables \
                 WHERE pubname = ANY($1::text[]) ORDER BY 1",
                &[&pubs],
            ),
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<String>, _>>()?;
    Ok((tables, slots))
}
