//! What the probes saw: the observation types every area produces, pure data with no I/O.
//! Checks read these; probes fill them; fixtures (tests/fixtures/scenarios) are these types as
//! JSON. Nothing here may name `probe::`, the file system, sockets, the environment or processes
//! (enforced by `tests/integration/layers.rs`).

pub mod kernel;
pub mod nic;
pub mod postgres;
pub mod redis;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use kernel::KernelObservation;
pub use nic::NicObservation;
pub use postgres::PostgresObservation;
pub use redis::RedisObservation;

/// Why a probe could not reach or talk to its target. Each variant names the address.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
        #[serde(with = "ms")]
        timeout: Duration,
        /// What was being waited for.
        stage: String,
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
        expected: String,
        /// What went wrong.
        detail: String,
    },
    /// The run was interrupted (Ctrl-C) before the probe finished.
    #[error("{addr}: interrupted before the probe finished")]
    Interrupted {
        /// host:port
        addr: String,
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

impl ProbeError {
    /// The address the error is about.
    pub fn addr(&self) -> &str {
        match self {
            ProbeError::Refused { addr }
            | ProbeError::Timeout { addr, .. }
            | ProbeError::Auth { addr, .. }
            | ProbeError::Resolve { addr, .. }
            | ProbeError::Protocol { addr, .. }
            | ProbeError::Interrupted { addr }
            | ProbeError::Other { addr, .. } => addr,
        }
    }
}

/// What every probe of one run saw, one field per area. A probe returns an [`Observed`]; the
/// run folds them in with [`Observations::add`].
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Observations {
    /// One per Redis target, in order.
    pub redis: Vec<RedisObservation>,
    /// One per PostgreSQL target, in order.
    pub postgres: Vec<PostgresObservation>,
    /// The local kernel and host, when an area that needs it ran.
    pub kernel: Option<KernelObservation>,
    /// One per interface, in order.
    pub nic: Vec<NicObservation>,
}

/// One area's share of a run's observations, as its probe returns it.
#[derive(Debug, Clone)]
pub enum Observed {
    /// The Redis targets.
    Redis(Vec<RedisObservation>),
    /// The PostgreSQL targets.
    Postgres(Vec<PostgresObservation>),
    /// The local kernel and host.
    Kernel(Box<KernelObservation>),
    /// The interfaces.
    Nic(Vec<NicObservation>),
}

impl Observations {
    /// Folds one area's observations in.
    pub fn add(&mut self, o: Observed) {
        match o {
            Observed::Redis(v) => self.redis.extend(v),
            Observed::Postgres(v) => self.postgres.extend(v),
            Observed::Kernel(k) => self.kernel = Some(*k),
            Observed::Nic(v) => self.nic.extend(v),
        }
    }
}

/// Durations as milliseconds (a float) in JSON, so fixtures read `"window": 1000.0`.
pub mod ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    /// Writes a duration as milliseconds.
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64() * 1000.0)
    }

    /// Reads milliseconds; a negative or non-finite value is an error.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let v = f64::deserialize(d)?;
        Duration::try_from_secs_f64(v / 1000.0).map_err(serde::de::Error::custom)
    }

    /// A list of durations as milliseconds.
    pub mod vec {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};
        use std::time::Duration;

        /// Writes each duration as milliseconds.
        pub fn serialize<S: Serializer>(v: &[Duration], s: S) -> Result<S::Ok, S::Error> {
            let ms: Vec<f64> = v.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
            ms.serialize(s)
        }

        /// Reads a list of milliseconds.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Duration>, D::Error> {
            Vec::<f64>::deserialize(d)?
                .into_iter()
                .map(|v| Duration::try_from_secs_f64(v / 1000.0).map_err(serde::de::Error::custom))
                .collect()
        }
    }
}
