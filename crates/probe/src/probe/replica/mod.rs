//! The reads `statectl verify` makes of two servers: replication offsets and LSNs, SCAN, the
//! keys' types, TTLs and digests, the tables' chunks, the --map query. What the answers mean
//! (consistent, drift, stale, orphaned) is decided in the core's `verify`; the waiting, the
//! progress and the report are `cmd::verify`'s.

pub mod cache;
pub mod postgres;
pub mod redis;

use std::time::Duration;

/// `f` bounded by `t`; the error names the flag of the server and what was being waited for.
pub async fn within<T>(
    t: Duration,
    flag: &str,
    what: &str,
    f: impl std::future::Future<Output = T>,
) -> anyhow::Result<T> {
    tokio::time::timeout(t, f)
        .await
        .map_err(|_| anyhow::anyhow!("{flag}: no answer within {t:?} while {what}"))
}

/// A PostgreSQL error with the server's message (never the query's parameters).
pub fn pg_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}
