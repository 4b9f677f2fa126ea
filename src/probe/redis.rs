//! Redis: connect, PING, and read INFO. Every command is bounded by the timeout.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;

use super::{bounded, io_kind, ProbeError};
use crate::target::RedisTarget;

/// An open, authenticated connection plus the address for messages.
pub struct RedisSession {
    conn: MultiplexedConnection,
    addr: String,
    timeout: Duration,
}

/// What one Redis probe saw of a reachable server.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisSnapshot {
    /// Round trip of the first PING.
    pub first_ping: Duration,
    /// INFO, all sections, as key → value; or why INFO could not be read (e.g. an ACL denies it).
    pub info: Result<BTreeMap<String, String>, String>,
}

/// The observation of one Redis target: its label and either a snapshot or why there is none.
#[derive(Debug, Clone)]
pub struct RedisObservation {
    /// The target's label (no password).
    pub target: String,
    /// host:port.
    pub addr: String,
    /// The snapshot, or the reason the server could not be reached.
    pub result: Result<RedisSnapshot, ProbeError>,
}

/// Maps a redis crate error to a [`ProbeError`], never including credentials.
fn classify(
    addr: &str,
    timeout: Duration,
    stage: &'static str,
    e: redis::RedisError,
) -> ProbeError {
    let addr = addr.to_string();
    let code = e.code().unwrap_or("").to_string();
    let text = e.to_string();
    if e.is_connection_refusal() || io_kind(&e) == Some(std::io::ErrorKind::ConnectionRefused) {
        return ProbeError::Refused { addr };
    }
    if e.is_timeout() {
        return ProbeError::Timeout {
            addr,
            timeout,
            stage,
        };
    }
    if e.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(code.as_str(), "WRONGPASS" | "NOAUTH")
        || text.contains("without any password configured")
    {
        let detail = match code.as_str() {
            "NOAUTH" => "the server requires a password and none was given (URL, REDISCLI_AUTH or --redis-password-file)".to_string(),
            "WRONGPASS" => "wrong user name or password (WRONGPASS)".to_string(),
            _ if text.contains("without any password configured") => {
                "a password was given but the server has none configured".to_string()
            }
            _ => e.detail().unwrap_or("rejected").to_string(),
        };
        return ProbeError::Auth { addr, detail };
    }
    if text.contains("failed to lookup address") || text.contains("Name or service not known") {
        return ProbeError::Resolve {
            addr,
            detail: e.detail().unwrap_or(&text).to_string(),
        };
    }
    if e.kind() == redis::ErrorKind::Parse || e.kind() == redis::ErrorKind::UnexpectedReturnType {
        return ProbeError::Protocol {
            addr,
            expected: "a Redis server",
            detail: text,
        };
    }
    if e.is_connection_dropped() || e.is_io_error() {
        return ProbeError::Other {
            addr,
            detail: format!("connection lost while {stage}: {text}"),
        };
    }
    ProbeError::Other { addr, detail: text }
}

impl RedisSession {
    /// Connects and authenticates; the whole handshake and a first PING share one timeout.
    pub async fn connect(
        target: &RedisTarget,
        timeout: Duration,
    ) -> Result<(Self, Duration), ProbeError> {
        let addr = target.host_port();
        let client = redis::Client::open(target.info.clone()).map_err(|e| ProbeError::Other {
            addr: addr.clone(),
            detail: e.to_string(),
        })?;
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout));
        let a = addr.clone();
        bounded(&addr, timeout, "connecting and sending PING", async move {
            let conn = client
                .get_multiplexed_async_connection_with_config(&config)
                .await
                .map_err(|e| classify(&a, timeout, "connecting", e))?;
            let mut session = RedisSession {
                conn,
                addr: a,
                timeout,
            };
            let start = Instant::now();
            let pong: String = session.cmd(&redis::cmd("PING"), "waiting for PING").await?;
            let rtt = start.elapsed();
            if pong != "PONG" {
                return Err(ProbeError::Protocol {
                    addr: session.addr.clone(),
                    expected: "a Redis server",
                    detail: format!(
                        "PING answered {:?}",
                        pong.chars().take(40).collect::<String>()
                    ),
                });
            }
            Ok((session, rtt))
        })
        .await
    }

    /// Runs one command under the timeout.
    pub async fn cmd<T: redis::FromRedisValue>(
        &mut self,
        cmd: &redis::Cmd,
        stage: &'static str,
    ) -> Result<T, ProbeError> {
        let (addr, timeout) = (self.addr.clone(), self.timeout);
        let conn = &mut self.conn;
        bounded(&addr, timeout, stage, async {
            cmd.query_async(conn)
                .await
                .map_err(|e| classify(&addr, timeout, stage, e))
        })
        .await
    }

    /// INFO with every section, parsed into key → value.
    pub async fn info(&mut self) -> Result<BTreeMap<String, String>, ProbeError> {
        let text: String = self
            .cmd(redis::cmd("INFO").arg("everything"), "waiting for INFO")
            .await?;
        Ok(parse_info(&text))
    }
}

/// Parses INFO output: `key:value` lines, sections and comments skipped.
pub fn parse_info(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.trim_end_matches('\r').split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Probes one target: connect, PING, INFO.
pub async fn observe(target: &RedisTarget, timeout: Duration) -> RedisObservation {
    let result = async {
        let (mut session, first_ping) = RedisSession::connect(target, timeout).await?;
        let info = session.info().await.map_err(|e| e.to_string());
        Ok(RedisSnapshot { first_ping, info })
    }
    .await;
    RedisObservation {
        target: target.label.clone(),
        addr: target.host_port(),
        result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_parses_sections_and_crlf() {
        let m = parse_info("# Server\r\nredis_version:7.0.15\r\nos:Linux 6.1 x86_64\r\n\r\n# Clients\r\nconnected_clients:3\r\n");
        assert_eq!(m["redis_version"], "7.0.15");
        assert_eq!(m["connected_clients"], "3");
        assert_eq!(m.len(), 3);
    }
}
