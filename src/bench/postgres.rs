//! The PostgreSQL load generator: a session-state table in its own schema, prepared reads and
//! upserts by session id, several queries in flight per connection (tokio-postgres pipelines
//! them on one socket).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::stats::Recorder;

/// The schema a run creates and drops.
pub const SCHEMA: &str = "statectl_bench";

/// How a PostgreSQL run is shaped.
#[derive(Debug, Clone)]
pub struct PgLoad {
    /// Connections.
    pub connections: usize,
    /// Total queries over all connections.
    pub requests: Option<u64>,
    /// Or: run until this long has passed.
    pub duration: Option<Duration>,
    /// Queries in flight per connection.
    pub depth: usize,
    /// Sessions in the table.
    pub keyspace: u64,
    /// Share of reads (the rest are upserts).
    pub read_ratio: f64,
    /// Open-loop rate over all connections.
    pub rate: Option<u64>,
    /// Cancelled by Ctrl-C: every lane stops at once and the run is partial.
    pub cancel: crate::cancel::CancellationToken,
    /// A query that outlives this is an error, and its run is partial.
    pub timeout: Duration,
}

/// Refuses an existing schema, then creates and fills the session table.
pub async fn prepare(client: &tokio_postgres::Client, keyspace: u64) -> anyhow::Result<()> {
    let exists = client
        .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&SCHEMA])
        .await?;
    if exists.is_some() {
        anyhow::bail!(
            "schema {SCHEMA} already exists and this run did not create it; drop it (DROP SCHEMA {SCHEMA} CASCADE) or bench another database"
        );
    }
    client
        .batch_execute(&format!(
            "CREATE SCHEMA {SCHEMA};
             CREATE TABLE {SCHEMA}.sessions (
                 id bigint PRIMARY KEY,
                 token text NOT NULL,
                 data text NOT NULL,
                 expires_at timestamptz NOT NULL);
             INSERT INTO {SCHEMA}.sessions
                 SELECT g, md5(g::text), repeat('x', 64), now() + interval '30 minutes'
                 FROM generate_series(1, {keyspace}) g;
             ANALYZE {SCHEMA}.sessions;"
        ))
        .await?;
    Ok(())
}

/// Drops the schema.
pub async fn cleanup(client: &tokio_postgres::Client) -> anyhow::Result<()> {
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        .await?;
    Ok(())
}

fn error_kind(e: &tokio_postgres::Error) -> String {
    match e.code() {
        Some(c) => format!("SQLSTATE {}", c.code()),
        None if e.is_closed() => "connection closed".into(),
        None => "connection error".into(),
    }
}

/// Drives one connection with `depth` queries in flight until the shared budget, the deadline
/// or an error ends it.
pub async fn drive(
    client: Arc<tokio_postgres::Client>,
    index: usize,
    load: Arc<PgLoad>,
    budget: Arc<AtomicU64>,
    start: Instant,
) -> (Recorder, bool) {
    let statements = async {
        let read = client
            .prepare(&format!(
                "SELECT token, data FROM {SCHEMA}.sessions WHERE id = $1"
            ))
            .await?;
        let upsert = client
            .prepare(&format!(
                "INSERT INTO {SCHEMA}.sessions (id, token, data, expires_at) VALUES ($1, $2, $3, now() + interval '30 minutes') \
                 ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, data = EXCLUDED.data, expires_at = EXCLUDED.expires_at"
            ))
            .await?;
        Ok::<_, tokio_postgres::Error>((read, upsert))
    };
    let (read, upsert) = match statements.await {
        Ok(s) => s,
        Err(e) => {
            let mut r = Recorder::default();
            r.error(&error_kind(&e), 1);
            return (r, true);
        }
    };
    let deadline = load.duration.map(|d| start + d);
    let total = load.requests;
    let lanes = (0..load.depth).map(|lane| {
        let (client, read, upsert, load, budget) = (
            client.clone(),
            read.clone(),
            upsert.clone(),
            load.clone(),
            budget.clone(),
        );
        async move {
            let mut rec = Recorder::default();
            let mut rng = 0x9E37_79B9_7F4A_7C15u64
                ^ ((index * 64 + lane) as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407);
            let lanes_total = (load.connections * load.depth) as f64;
            let interval = load
                .rate
                .map(|r| Duration::from_secs_f64(lanes_total / r.max(1) as f64));
            let mut pacer = match super::pace::Pacer::for_schedule(interval) {
                Ok(p) => p,
                Err(e) => {
                    rec.error(&e, 1);
                    return (rec, true);
                }
            };
            let mut n = 0u64;
            loop {
                if total.is_some_and(|t| budget.fetch_add(1, Ordering::Relaxed) >= t) {
                    return (rec, false);
                }
                let now = Instant::now();
                if deadline.is_some_and(|d| now >= d) {
                    return (rec, false);
                }
                if load.cancel.is_cancelled() {
                    return (rec, true);
                }
                let t0 = match interval {
                    Some(iv) => {
                        // every lane of every connection has its own offset in the interval, so
                        // the sends are spread evenly (not `connections` at once)
                        let slot = (index * load.depth + lane) as f64 / lanes_total;
                        let due = start + iv.mul_f64(n as f64 + slot);
                        // a send due after the deadline is not sent (nor waited for)
                        if deadline.is_some_and(|d| due >= d) {
                            return (rec, false);
                        }
                        let pacer = pacer.as_mut().expect("made for --rate");
                        if due > now && !pacer.until(due, &load.cancel).await {
                            return (rec, true);
                        }
                        rec.lag(Instant::now().saturating_duration_since(due));
                        due
                    }
                    None => now,
                };
                n += 1;
                rng ^= rng >> 12;
                rng ^= rng << 25;
                rng ^= rng >> 27;
                let r = rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
                let id = (r % load.keyspace.max(1)) as i64 + 1;
                let sent_at = Instant::now();
                let query = async {
                    if ((r >> 40) % 10_000) as f64 / 10_000.0 < load.read_ratio {
                        client.query_opt(&read, &[&id]).await.map(|_| ())
                    } else {
                        client
                            .execute(&upsert, &[&id, &format!("t{r:x}"), &"y".repeat(64)])
                            .await
                            .map(|_| ())
                    }
                };
                // A query still in flight at Ctrl-C is neither a latency nor an error; one that
                // outlives --timeout is an error, and the lane (its connection stuck) stops.
                let result = tokio::select! {
                    r = tokio::time::timeout(load.timeout, query) => match r {
                        Ok(r) => r,
                        Err(_) => {
                            rec.error("timeout", 1);
                            return (rec, true);
                        }
                    },
                    _ = load.cancel.cancelled() => return (rec, true),
                };
                match result {
                    Ok(()) => {
                        rec.ok(t0.elapsed());
                        if interval.is_some() {
                            rec.served(sent_at.elapsed());
                        }
                    }
                    Err(e) => {
                        let closed = e.is_closed() || e.code().is_none();
                        rec.error(&error_kind(&e), 1);
                        if closed {
                            return (rec, true);
                        }
                    }
                }
            }
        }
    });
    let results = futures::future::join_all(lanes).await;
    let mut rec = Recorder::default();
    let mut partial = false;
    for (r, p) in results {
        rec.merge(&r);
        partial |= p;
    }
    (rec, partial)
}
