//! What a server looked like from another vantage point (`doctor --from`): which of its
//! addresses were tried from there, and what answered at each. Pure data; the probe is
//! `probe::exposure`, the judgement `doctor::exposure`.

use serde::{Deserialize, Serialize};

/// The look from one vantage point at one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExposureLook {
    /// The vantage point as the user named it (`netns:dmz`, `ssh:ops@bastion`).
    pub vantage: String,
    /// Every address tried from there and what happened; or why the vantage point itself
    /// could not be used (no such namespace, ssh could not reach its host).
    pub result: Result<Vec<Attempt>, String>,
    /// Whether the server is on this host (its address is one of this host's own or
    /// loopback), so that every address of this host was tried too.
    #[serde(default)]
    pub local: bool,
    /// Addresses left out by the bound on how many are tried.
    #[serde(default)]
    pub cut: usize,
    /// Addresses not tried, with why (a loopback address names the vantage point's own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_tried: Vec<String>,
    /// Ctrl-C came before the look finished.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

impl ExposureLook {
    /// The look from `vantage` cut short by Ctrl-C.
    pub fn interrupted(vantage: String) -> ExposureLook {
        ExposureLook {
            vantage,
            result: Ok(Vec::new()),
            local: false,
            cut: 0,
            not_tried: Vec::new(),
            interrupted: true,
        }
    }
}

/// One address tried from the vantage point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// host:port as tried.
    pub addr: String,
    /// What happened.
    pub reach: Reach,
}

/// Whether the server took the connection from the vantage point, and what it said then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Reach {
    /// Connection refused: nothing listens there for this address.
    Refused,
    /// No route, network or host unreachable.
    Unreachable {
        /// The system's words.
        detail: String,
    },
    /// No answer to the connection within the timeout (filtered).
    TimedOut,
    /// Not finished within the bound on the whole look (tried too late, or still waiting):
    /// nothing known, never counted as refused.
    Unfinished,
    /// The TCP handshake completed: an outsider there reaches the server.
    Open {
        /// What the server answered.
        answer: Answer,
    },
}

/// What the server answered an outsider who completed the TCP handshake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// Redis answered PING with PONG: no password asked.
    RedisPong,
    /// Redis answered PING with NOAUTH: it asks for AUTH.
    RedisNoauth,
    /// Redis answered PING with DENIED: protected mode refuses this address.
    RedisDenied,
    /// No plain answer, but a TLS handshake completed: TLS is required.
    Tls {
        /// Whether the server asked for a client certificate.
        client_cert: bool,
    },
    /// PostgreSQL's pg_hba.conf has no entry for the address (ErrorResponse 28000).
    PgHbaRejects {
        /// Whether the startup was sent over TLS.
        tls: bool,
    },
    /// PostgreSQL asks for a password (`cleartext`, `md5`, `SCRAM-SHA-256` …).
    PgPassword {
        /// The method named in the AuthenticationRequest.
        method: String,
        /// Whether the startup was sent over TLS.
        tls: bool,
    },
    /// PostgreSQL let the user in with no password (trust).
    PgTrust {
        /// Whether the startup was sent over TLS.
        tls: bool,
    },
    /// Something else: the server's words, escaped.
    Other {
        /// What it said.
        detail: String,
    },
    /// It took the connection and said nothing intelligible (no answer, or closed).
    Silent,
}
