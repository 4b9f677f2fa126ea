//! What the probes saw: the observation types every area produces, pure data with no I/O.
//! Checks read these; probes fill them; fixtures (tests/fixtures/scenarios) are these types as
//! JSON. Nothing here may name `probe::`, the file system, sockets, the environment or processes
//! (enforced by `tests/integration/layers.rs`).

pub mod cluster;
pub mod exposure;
pub mod http;
pub mod jwt;
pub mod kernel;
pub mod lb;
pub mod log;
pub mod nic;
pub mod path;
pub mod postgres;
pub mod preflight;
pub mod redis;
pub mod sentinel;
pub mod service;
pub mod tls;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use kernel::KernelObservation;
pub use nic::NicObservation;
pub use postgres::PostgresObservation;
pub use redis::RedisObservation;
pub use tls::{TlsFailure, TlsLook, TlsReason};

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
        /// What went wrong, in plain words.
        detail: String,
        /// The first bytes the peer sent to a PING, escaped, when a second look saw them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_bytes: Option<String>,
    },
    /// The TCP handshake itself never completed: a blackholed route, or a firewall dropping SYNs.
    #[error("no TCP handshake with {addr} within {}", humantime::format_duration(*.timeout))]
    ConnectTimeout {
        /// host:port
        addr: String,
        /// The timeout that expired.
        #[serde(with = "ms")]
        timeout: Duration,
    },
    /// TLS was expected (rediss://) but the port speaks plain text.
    #[error("{addr} speaks plain text, not TLS")]
    TlsToPlain {
        /// host:port
        addr: String,
    },
    /// Plain text was sent (redis://) but the port speaks TLS.
    #[error("{addr} speaks TLS")]
    PlainToTls {
        /// host:port
        addr: String,
    },
    /// The TLS handshake failed: a refused certificate, no protocol version in common, a client
    /// certificate missing or refused.
    #[error("{addr}: TLS handshake failed: {detail}")]
    Tls {
        /// host:port
        addr: String,
        /// The kind of failure.
        reason: TlsReason,
        /// In plain words.
        detail: String,
    },
    /// The server took the connection only to refuse it in words and close it: Redis at
    /// maxclients ("-ERR max number of clients reached").
    #[error("{addr} refused a new connection: {detail}")]
    Full {
        /// host:port
        addr: String,
        /// The server's words, escaped.
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
            | ProbeError::ConnectTimeout { addr, .. }
            | ProbeError::TlsToPlain { addr }
            | ProbeError::PlainToTls { addr }
            | ProbeError::Tls { addr, .. }
            | ProbeError::Interrupted { addr }
            | ProbeError::Full { addr, .. }
            | ProbeError::Other { addr, .. } => addr,
        }
    }
}

/// What a second, plain look at a peer that could not be talked to saw (probe::peer::look).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeerLook {
    /// The TCP handshake did not complete in time.
    pub tcp_timeout: bool,
    /// A TLS handshake (certificate unchecked) succeeded.
    pub speaks_tls: bool,
    /// The first bytes answered to `PING\r\n` on a plain connection (empty: it closed).
    pub first_bytes: Option<Vec<u8>>,
}

/// What a peer's first bytes look like, for a person.
pub fn looks_like(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"HTTP/") {
        Some("HTTP")
    } else if bytes.starts_with(b"SSH-") {
        Some("SSH")
    } else if matches!(bytes, [0x15 | 0x16, 0x03, ..]) {
        Some("TLS")
    } else if bytes.first() == Some(&b'E') && bytes.len() > 5 && bytes[5] == b'S' {
        // an ErrorResponse ('E', length, then 'S' severity): what PostgreSQL sends a stranger
        Some("PostgreSQL")
    } else if matches!(bytes.first(), Some(b'+' | b'-' | b':' | b'$' | b'*')) {
        Some("Redis")
    } else {
        None
    }
}

impl PeerLook {
    /// The failure kind a connection error stands for, given this look: a handshake that never
    /// completed, TLS on one side only, a refused certificate, or a peer that is not `expected`
    /// (with its first bytes, escaped). Other errors stay as they are.
    pub fn refine(
        &self,
        e: ProbeError,
        tls_expected: bool,
        timeout: Duration,
        service: &str,
    ) -> ProbeError {
        let addr = e.addr().to_string();
        if matches!(
            e,
            ProbeError::Refused { .. }
                | ProbeError::Auth { .. }
                | ProbeError::Resolve { .. }
                | ProbeError::Interrupted { .. }
                | ProbeError::Full { .. }
        ) {
            return e;
        }
        // a handshake that failed for a stated reason (a certificate, a version) keeps it
        if matches!(&e, ProbeError::Tls { reason, .. } if *reason != TlsReason::Other) {
            return e;
        }
        if self.tcp_timeout {
            return ProbeError::ConnectTimeout { addr, timeout };
        }
        let bytes = self.first_bytes.as_deref().unwrap_or_default();
        if tls_expected && !self.speaks_tls && looks_like(bytes) == Some("Redis") {
            return ProbeError::TlsToPlain { addr };
        }
        if !tls_expected && self.speaks_tls {
            return ProbeError::PlainToTls { addr };
        }
        let expected = match &e {
            ProbeError::Protocol { expected, .. } => expected.clone(),
            // only a lost connection: an error the server itself sent stays as it is
            ProbeError::Other { detail, .. } if detail.starts_with("connection lost") => {
                service.to_string()
            }
            ProbeError::Timeout { .. } => service.to_string(),
            // a handshake that met something other than TLS (PostgreSQL's SSLRequest answered
            // by a banner's first byte): what answered says more than "not TLS"
            ProbeError::Tls { .. }
                if self
                    .first_bytes
                    .as_deref()
                    .is_some_and(|b| !b.is_empty() && looks_like(b) != Some("TLS")) =>
            {
                service.to_string()
            }
            _ => return e,
        };
        let Some(bytes) = &self.first_bytes else {
            return e;
        };
        // a Redis server that failed in another way keeps its own error (when Redis was expected)
        if looks_like(bytes) == Some("Redis")
            && service.contains("Redis")
            && !matches!(e, ProbeError::Protocol { .. })
        {
            return e;
        }
        if bytes.is_empty() && matches!(e, ProbeError::Timeout { .. }) {
            return e;
        }
        let shown: String = String::from_utf8_lossy(bytes).escape_debug().collect();
        let detail = match looks_like(bytes) {
            Some(kind) => {
                format!("the peer answered, but not as {expected} (it looks like {kind})")
            }
            None if bytes.is_empty() => {
                format!("the peer closed the connection without answering as {expected}")
            }
            None => format!("the peer answered, but not as {expected}"),
        };
        ProbeError::Protocol {
            addr,
            expected,
            detail,
            first_bytes: (!bytes.is_empty()).then_some(shown),
        }
    }
}

/// How a probe's share folds into the run's observations: lists are appended, a single
/// observation replaces (or, absent, leaves) what was there.
pub trait Fold<P> {
    /// Nothing observed.
    const EMPTY: Self;
    /// Folds `p` in.
    fn fold(&mut self, p: P);
}

impl<T> Fold<Vec<T>> for Vec<T> {
    const EMPTY: Self = Vec::new();
    fn fold(&mut self, p: Vec<T>) {
        self.extend(p);
    }
}

impl<T> Fold<Box<T>> for Option<T> {
    const EMPTY: Self = None;
    fn fold(&mut self, p: Box<T>) {
        *self = Some(*p);
    }
}

impl<T> Fold<Option<Box<T>>> for Option<T> {
    const EMPTY: Self = None;
    fn fold(&mut self, p: Option<Box<T>>) {
        *self = p.map(|b| *b);
    }
}

/// The one table of areas. Each line generates the `Area` variant and its name, the field of
/// [`Observations`] that holds the area's observations, the [`Observed`] variant its probe
/// returns, and their arms in [`Observations::add`] and [`Observations::only`], so these lists
/// cannot disagree. (The registry in `areas.rs` adds each area's checks, probe and reads.)
macro_rules! areas {
    ($( $(#[doc = $doc:literal])* $variant:ident $name:literal $field:ident: $held:ty => $returned:ty; )*) => {
        /// The part of the stack a check looks at.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Area {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Area {
            /// Every area, in the table's order.
            pub const ALL: &'static [Area] = &[$(Area::$variant),*];

            /// The area's name as `--list` shows it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Area::$variant => $name, )*
                }
            }
        }

        /// What every probe of one run saw, one field per area. A probe returns an
        /// [`Observed`]; the run folds them in with [`Observations::add`].
        #[derive(Debug, Default, Clone, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Observations {
            $( $(#[doc = $doc])* pub $field: $held, )*
        }

        /// One area's share of a run's observations, as its probe returns it.
        #[derive(Debug, Clone)]
        pub enum Observed {
            $( $(#[doc = $doc])* $variant($returned), )*
        }

        impl Observations {
            /// Nothing observed.
            pub const EMPTY: Observations = Observations {
                $( $field: <$held as Fold<$returned>>::EMPTY, )*
            };

            /// Folds one area's observations in.
            pub fn add(&mut self, o: Observed) {
                match o {
                    $( Observed::$variant(p) => self.$field.fold(p), )*
                }
            }

            /// Only the observations of `areas`: what a check that declares reading them may
            /// see.
            pub fn only(&self, areas: &[Area]) -> Observations {
                Observations {
                    $( $field: if areas.contains(&Area::$variant) {
                        self.$field.clone()
                    } else {
                        <$held as Fold<$returned>>::EMPTY
                    }, )*
                }
            }
        }
    };
}

areas! {
    /// Redis servers (`--redis`): one observation per target, in order.
    Redis "redis" redis: Vec<RedisObservation> => Vec<RedisObservation>;
    /// PostgreSQL servers (`--postgres`): one per target, in order.
    Postgres "postgres" postgres: Vec<PostgresObservation> => Vec<PostgresObservation>;
    /// The local kernel and host, when an area that needs it ran.
    Kernel "kernel" kernel: Option<KernelObservation> => Box<KernelObservation>;
    /// The local NICs (`--iface`): one per interface, in order.
    Nic "nic" nic: Vec<NicObservation> => Vec<NicObservation>;
    /// The host's software (OpenSSL, servers, ports, hardware), for fresh nodes.
    Preflight "preflight" preflight: Option<preflight::PreflightObservation> => Box<preflight::PreflightObservation>;
    /// Sentinel deployments (`redis+sentinel://`): one per deployment.
    Sentinel "sentinel" sentinel: Vec<sentinel::SentinelObservation> => Vec<sentinel::SentinelObservation>;
    /// Redis Clusters (found from any node): one per cluster.
    Cluster "cluster" cluster: Vec<cluster::ClusterObservation> => Vec<cluster::ClusterObservation>;
    /// The load balancer's configuration (`--lb-config`, or the local nginx/HAProxy); none when
    /// there is nothing to look at.
    Lb "lb" lb: Option<lb::LbObservation> => Option<Box<lb::LbObservation>>;
    /// The API nodes' JWT signing keys (`--jwks`); none without it.
    Jwt "jwt" jwt: Option<jwt::JwtObservation> => Option<Box<jwt::JwtObservation>>;
    /// The API nodes (`--api`): one per node.
    Http "http" http: Vec<http::HttpObservation> => Vec<http::HttpObservation>;
    /// The servers' own logs and the kernel's messages.
    Log "log" log: Option<log::LogObservation> => Box<log::LogObservation>;
    /// The network path to each server (`--path`).
    Path "path" path: Vec<path::PathObservation> => Vec<path::PathObservation>;
}

/// The address fields of a SENTINEL MASTER/REPLICAS/SENTINELS entry.
pub fn sentinel_addr(m: &std::collections::BTreeMap<String, String>) -> Option<(String, u16)> {
    Some((m.get("ip")?.clone(), m.get("port")?.parse().ok()?))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn look(timeout: bool, tls: bool, bytes: Option<&[u8]>) -> PeerLook {
        PeerLook {
            tcp_timeout: timeout,
            speaks_tls: tls,
            first_bytes: bytes.map(<[u8]>::to_vec),
        }
    }

    // issue 12, defects 29 and 30: the second look turns vague errors into failure kinds
    #[test]
    fn a_second_look_names_the_failure() {
        let t = Duration::from_secs(1);
        let timeout = || ProbeError::Timeout {
            addr: "h:1".into(),
            timeout: t,
            stage: "connecting".into(),
        };
        let other = |d: &str| ProbeError::Other {
            addr: "h:1".into(),
            detail: d.into(),
        };
        let redis = "a Redis server";
        let kind = |e: ProbeError| std::mem::discriminant(&e);
        let cases = [
            (
                look(true, false, None),
                timeout(),
                false,
                kind(ProbeError::ConnectTimeout {
                    addr: String::new(),
                    timeout: t,
                }),
            ),
            (
                look(false, false, Some(b"+PONG\r\n")),
                timeout(),
                true,
                kind(ProbeError::TlsToPlain {
                    addr: String::new(),
                }),
            ),
            (
                look(false, true, Some(b"")),
                other("connection reset"),
                false,
                kind(ProbeError::PlainToTls {
                    addr: String::new(),
                }),
            ),
            (
                look(false, true, None),
                ProbeError::Tls {
                    addr: String::new(),
                    reason: TlsReason::UnknownIssuer,
                    detail: "unknown issuer".into(),
                },
                true,
                kind(ProbeError::Tls {
                    addr: String::new(),
                    reason: TlsReason::UnknownIssuer,
                    detail: String::new(),
                }),
            ),
            (
                look(false, false, Some(b"")),
                timeout(),
                false,
                kind(timeout()),
            ),
            (
                look(false, false, Some(b"+PONG\r\n")),
                other("broken pipe"),
                false,
                kind(other("")),
            ),
        ];
        for (l, e, tls, want) in cases {
            let got = l.refine(e.clone(), tls, t, redis);
            assert_eq!(kind(got.clone()), want, "{e:?} with {l:?} gave {got:?}");
        }
        let p = look(false, false, Some(b"HTTP/1.1 400 Bad\x1b")).refine(
            ProbeError::Protocol {
                addr: "h:1".into(),
                expected: redis.into(),
                detail: "Parse error at 1 Unexpected '33'".into(),
                first_bytes: None,
            },
            false,
            t,
            redis,
        );
        let ProbeError::Protocol {
            detail,
            first_bytes,
            ..
        } = p
        else {
            panic!()
        };
        assert_eq!(
            detail,
            "the peer answered, but not as a Redis server (it looks like HTTP)"
        );
        assert_eq!(first_bytes.as_deref(), Some("HTTP/1.1 400 Bad\\u{1b}"));
        for (bytes, like) in [
            (&b"SSH-2.0-OpenSSH"[..], "SSH"),
            (b"\x15\x03\x03\x00\x02", "TLS"),
            (b"E\x00\x00\x00\x5cSFATAL", "PostgreSQL"),
            (b"-ERR x", "Redis"),
        ] {
            assert_eq!(looks_like(bytes), Some(like));
        }
    }
}
