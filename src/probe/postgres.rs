//! PostgreSQL: connect, authenticate and read server facts. Every step is bounded by the timeout.

use std::time::{Duration, Instant};

use super::{bounded, io_kind, ProbeError};
use crate::target::PostgresTarget;

/// An open connection plus the address for messages.
pub struct PostgresSession {
    /// The client; its connection task runs on the runtime.
    pub client: tokio_postgres::Client,
    addr: String,
    timeout: Duration,
}

/// What one PostgreSQL probe saw of a reachable server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostgresSnapshot {
    /// Time to connect, authenticate and answer the first query.
    pub connect_time: Duration,
    /// server_version_num, e.g. 150018.
    pub server_version_num: u32,
    /// server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)".
    pub server_version: String,
}

/// The observation of one PostgreSQL target.
#[derive(Debug, Clone)]
pub struct PostgresObservation {
    /// The target's label (no password).
    pub target: String,
    /// host:port or socket path.
    pub addr: String,
    /// The snapshot, or the reason the server could not be reached.
    pub result: Result<PostgresSnapshot, ProbeError>,
}

fn classify(
    addr: &str,
    timeout: Duration,
    stage: &'static str,
    e: tokio_postgres::Error,
) -> ProbeError {
    let addr = addr.to_string();
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        // 28P01 invalid_password, 28000 invalid_authorization_specification
        if code.starts_with("28") {
            return ProbeError::Auth {
                addr,
                detail: format!("{} ({code})", db.message()),
            };
        }
        return ProbeError::Other {
            addr,
            detail: format!("{} ({code})", db.message()),
        };
    }
    match io_kind(&e) {
        Some(std::io::ErrorKind::ConnectionRefused) => return ProbeError::Refused { addr },
        Some(std::io::ErrorKind::TimedOut) => {
            return ProbeError::Timeout {
                addr,
                timeout,
                stage,
            }
        }
        _ => {}
    }
    // The kind is in Display, the reason in the source chain: join them.
    let mut text = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        text += &format!(": {s}");
        src = s.source();
    }
    if text.contains("timeout") {
        return ProbeError::Timeout {
            addr,
            timeout,
            stage,
        };
    }
    if text.contains("password missing") || text.starts_with("authentication error") {
        return ProbeError::Auth {
            addr,
            detail:
                "the server asks for a password and none was given (URL, PGPASSWORD or ~/.pgpass)"
                    .into(),
        };
    }
    if text.contains("failed to lookup address") || text.contains("Name or service not known") {
        return ProbeError::Resolve { addr, detail: text };
    }
    if text.contains("unexpected message")
        || text.contains("invalid message")
        || text.contains("error parsing")
        || text.contains("unexpected EOF")
        || text.contains("connection closed")
    {
        return ProbeError::Protocol {
            addr,
            expected: "a PostgreSQL server",
            detail: text,
        };
    }
    ProbeError::Other { addr, detail: text }
}

impl PostgresSession {
    /// Connects and authenticates within the timeout.
    pub async fn connect(target: &PostgresTarget, timeout: Duration) -> Result<Self, ProbeError> {
        let addr = target.addr.clone();
        let mut config = target.config.clone();
        config.connect_timeout(timeout);
        config.application_name("statectl");
        let a = addr.clone();
        bounded(
            &addr,
            timeout,
            "connecting and authenticating",
            async move {
                let (client, connection) = config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(|e| classify(&a, timeout, "connecting", e))?;
                tokio::spawn(async move {
                    // Errors surface on the client's next call; nothing to do here.
                    let _ = connection.await;
                });
                Ok(PostgresSession {
                    client,
                    addr: a,
                    timeout,
                })
            },
        )
        .await
    }

    /// Runs a query under the timeout.
    pub async fn query(
        &self,
        sql: &str,
        stage: &'static str,
    ) -> Result<Vec<tokio_postgres::Row>, ProbeError> {
        let (addr, timeout) = (self.addr.as_str(), self.timeout);
        bounded(addr, timeout, stage, async {
            self.client
                .query(sql, &[])
                .await
                .map_err(|e| classify(addr, timeout, stage, e))
        })
        .await
    }
}

/// Probes one target: connect, authenticate, read the version.
pub async fn observe(target: &PostgresTarget, timeout: Duration) -> PostgresObservation {
    let start = Instant::now();
    let result = async {
        let session = PostgresSession::connect(target, timeout).await?;
        let rows = session
            .query(
                "SELECT current_setting('server_version_num')::int4, current_setting('server_version')",
                "reading the server version",
            )
            .await?;
        let row = rows.first().ok_or_else(|| ProbeError::Protocol {
            addr: target.addr.clone(),
            expected: "a PostgreSQL server",
            detail: "no row for the version query".into(),
        })?;
        let num: i32 = row.get(0);
        Ok(PostgresSnapshot {
            connect_time: start.elapsed(),
            server_version_num: num.max(0) as u32,
            server_version: row.get(1),
        })
    }
    .await;
    PostgresObservation {
        target: target.label.clone(),
        addr: target.addr.clone(),
        result,
    }
}
