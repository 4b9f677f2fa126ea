//! Timed round trips for `statectl latency`: one small request at a time on a kept connection.

use std::time::{Duration, Instant};

use super::postgres::PostgresSession;
use super::redis::RedisSession;
use crate::target::{PostgresTarget, RedisTarget};

/// A connection that round trips are timed on: PING for Redis, SELECT 1 for PostgreSQL.
pub enum Pinger {
    /// A Redis server and, once connected, its session.
    Redis(RedisTarget, Option<RedisSession>),
    /// A PostgreSQL server and, once connected, its session.
    Postgres(PostgresTarget, Option<PostgresSession>),
}

impl Pinger {
    /// One round trip, bounded by `timeout`; reconnects after a failure.
    pub async fn once(&mut self, timeout: Duration) -> Result<Duration, String> {
        match self {
            Pinger::Redis(t, s) => {
                if s.is_none() {
                    *s = Some(
                        RedisSession::connect(t, timeout)
                            .await
                            .map_err(|e| e.to_string())?
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
                        Err(e.to_string())
                    }
                }
            }
            Pinger::Postgres(t, s) => {
                if s.is_none() {
                    *s = Some(
                        PostgresSession::connect(t, timeout)
                            .await
                            .map_err(|e| e.to_string())?,
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
                        Err(e.to_string())
                    }
                    Err(_) => {
                        *s = None;
                        Err("timeout".into())
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
