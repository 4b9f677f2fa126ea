//! Timed round trips for `statectl latency`: one small request at a time on a kept connection.

use std::time::{Duration, Instant};

use super::postgres::PostgresSession;
use super::redis::RedisSession;
use super::ProbeError;
use crate::targets::{PostgresTarget, RedisTarget};

/// Why a round trip has no time.
#[derive(Debug)]
pub enum Missed {
    /// No answer within the timeout: the server stalled at least this long (the wait until
    /// the probe gave up), which is a round trip too, and the longest of all.
    Stalled(Duration),
    /// Any other failure, in words (refused, reset, wrong password …).
    Failed(String),
}

impl Missed {
    /// A connect failure: a timeout is a stall of `waited`.
    fn connecting(e: ProbeError, waited: Duration) -> Missed {
        match e {
            ProbeError::Timeout { .. } => Missed::Stalled(waited),
            e => Missed::Failed(e.to_string()),
        }
    }
}

/// A connection that round trips are timed on: PING for Redis, SELECT 1 for PostgreSQL.
pub enum Pinger {
    /// A Redis server and, once connected, its session.
    Redis(RedisTarget, Option<RedisSession>),
    /// A PostgreSQL server and, once connected, its session.
    Postgres(PostgresTarget, Option<PostgresSession>),
}

impl Pinger {
    /// One round trip, bounded by `timeout`; reconnects after a failure.
    pub async fn once(&mut self, timeout: Duration) -> Result<Duration, Missed> {
        let connecting = Instant::now();
        match self {
            Pinger::Redis(t, s) => {
                if s.is_none() {
                    *s = Some(
                        RedisSession::connect(t, timeout)
                            .await
                            .map_err(|e| Missed::connecting(e, connecting.elapsed()))?
                            .0,
                    );
                }
                let start = Instant::now();
                let r: Result<String, _> = s
                    .as_mut()
                    .unwrap()
                    .cmd(&redis::cmd("PING"), "waiting for PING")
                    .await;
                match r {
                    Ok(_) => Ok(start.elapsed()),
                    Err(e) => {
                        *s = None;
                        Err(Missed::connecting(e, start.elapsed()))
                    }
                }
            }
            Pinger::Postgres(t, s) => {
                if s.is_none() {
                    *s = Some(
                        PostgresSession::connect(t, timeout)
                            .await
                            .map_err(|e| Missed::connecting(e, connecting.elapsed()))?,
                    );
                }
                let start = Instant::now();
                let r = tokio::time::timeout(
                    timeout,
                    s.as_ref().unwrap().client.simple_query("SELECT 1"),
                )
                .await;
                match r {
                    Ok(Ok(_)) => Ok(start.elapsed()),
                    Ok(Err(e)) => {
                        *s = None;
                        Err(Missed::Failed(e.to_string()))
                    }
                    Err(_) => {
                        *s = None;
                        Err(Missed::Stalled(start.elapsed()))
                    }
                }
            }
        }
    }
}

impl Pinger {
    /// The target's label (no password) and what is sent.
    pub fn describe(&self) -> (String, &'static str) {
        match self {
            Pinger::Redis(t, _) => (t.label.clone(), "PING"),
            Pinger::Postgres(t, _) => (t.label.clone(), "SELECT 1"),
        }
    }
}
