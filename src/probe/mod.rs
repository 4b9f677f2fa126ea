//! Live I/O against hosts. Probes return typed observations and never decide pass or fail;
//! every wait is bounded by the caller's timeout.

pub mod kernel;
pub mod nic;
pub mod packets;
pub mod postgres;
pub mod redis;

use std::time::Duration;

/// Why a probe could not reach or talk to its target. Each variant names the address.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProbeError {
    /// Nothing listens at the address.
    #[error("connection refused by {addr}")]
    Refused {
        /// host:port
        addr: String,
    },
    /// The address took the connection (or not) but did not answer in time.
    #[error("no answer from {addr} within {} while {stage}", humantime::format_duration(*.timeout))]
    Timeout {
        /// host:port
        addr: String,
        /// The timeout that expired.
        timeout: Duration,
        /// What was being waited for.
        stage: &'static str,
    },
    /// The server rejected the credentials (the password itself is never included).
    #[error("authentication failed at {addr}: {detail}")]
    Auth {
        /// host:port
        addr: String,
        /// The server's reason.
        detail: String,
    },
    /// The host name does not resolve.
    #[error("cannot resolve {addr}: {detail}")]
    Resolve {
        /// host:port
        addr: String,
        /// The resolver's reason.
        detail: String,
    },
    /// Something answered, but not in the expected protocol.
    #[error("{addr} did not answer as {expected}: {detail}")]
    Protocol {
        /// host:port
        addr: String,
        /// "a Redis server" or "a PostgreSQL server".
        expected: &'static str,
        /// What went wrong.
        detail: String,
    },
    /// Any other failure.
    #[error("{addr}: {detail}")]
    Other {
        /// host:port
        addr: String,
        /// What went wrong.
        detail: String,
    },
}

/// Runs `fut` with a timeout, turning expiry into [`ProbeError::Timeout`].
pub async fn bounded<T>(
    addr: &str,
    timeout: Duration,
    stage: &'static str,
    fut: impl std::future::Future<Output = Result<T, ProbeError>>,
) -> Result<T, ProbeError> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(ProbeError::Timeout {
            addr: addr.to_string(),
            timeout,
            stage,
        }),
    }
}

/// Walks an error's source chain looking for an I/O error kind.
pub(crate) fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}
