//! What a live TLS handshake with a state endpoint saw, and what a server's own certificate
//! files hold.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ProbeError;

/// The kind of a TLS failure, so each gets the remediation that fits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsReason {
    /// The chain does not lead to a trusted CA.
    UnknownIssuer,
    /// The certificate does not name the host connected to.
    NameMismatch,
    /// The certificate's notAfter has passed.
    Expired,
    /// The certificate's notBefore has not come yet.
    NotYetValid,
    /// No protocol version in common.
    ProtocolVersion,
    /// The server wants a client certificate and got none.
    ClientCertRequired,
    /// The server refused the client certificate.
    ClientCertRejected,
    /// The server accepts this client only over TLS, and plain text was used (PostgreSQL's
    /// hostssl, sslmode=disable).
    TlsRequired,
    /// TLS was required, and the server does not offer it (PostgreSQL's ssl = off).
    NotOffered,
    /// Anything else.
    Other,
}

impl TlsReason {
    /// A short name for evidence and tests.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsReason::UnknownIssuer => "unknown_issuer",
            TlsReason::NameMismatch => "name_mismatch",
            TlsReason::Expired => "expired",
            TlsReason::NotYetValid => "not_yet_valid",
            TlsReason::ProtocolVersion => "protocol_version",
            TlsReason::ClientCertRequired => "client_cert_required",
            TlsReason::ClientCertRejected => "client_cert_rejected",
            TlsReason::TlsRequired => "tls_required",
            TlsReason::NotOffered => "not_offered",
            TlsReason::Other => "other",
        }
    }
}

/// A verification failure: its kind and rustls's reason in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsFailure {
    /// The kind.
    pub reason: TlsReason,
    /// In plain words.
    pub detail: String,
}

/// What the live handshake with one endpoint saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TlsLook {
    /// The target does not use TLS (redis://, sslmode=disable, a Unix socket, a server
    /// without ssl): nothing to judge.
    Plain {
        /// Why, in plain words.
        reason: String,
    },
    /// No handshake could be made.
    Failed {
        /// Why.
        error: ProbeError,
    },
    /// The handshake completed (the certificate's verdict is in the facts).
    Done(TlsFacts),
}

/// A completed handshake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsFacts {
    /// The negotiated protocol version, e.g. "TLSv1.3".
    pub version: String,
    /// The negotiated cipher suite, e.g. "TLS13_AES_256_GCM_SHA384".
    pub cipher: String,
    /// The ALPN protocol, when one was agreed.
    pub alpn: Option<String>,
    /// How long the TCP connect plus the handshake took.
    #[serde(with = "crate::observe::ms")]
    pub handshake: Duration,
    /// Which CAs were trusted ("the system CA store", "--tls-ca FILE" …).
    pub trust: String,
    /// Whether a client certificate was presented.
    pub client_cert: bool,
    /// The certificate's verdict against the trusted CAs and the host name.
    pub verified: Result<(), TlsFailure>,
    /// The server's leaf certificate.
    pub leaf: Option<CertFacts>,
    /// Unix time of the handshake, by this machine's clock (days left count from it).
    pub checked_unix: i64,
}

/// What a certificate says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertFacts {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Subject alternative names (DNS names and IP addresses).
    pub names: Vec<String>,
    /// notAfter, Unix time.
    pub not_after_unix: i64,
    /// notAfter, as a date (RFC 3339, UTC).
    pub not_after: String,
    /// Public key type and size, e.g. "EC P-256" or "RSA 2048".
    pub key: String,
}

impl CertFacts {
    /// Whole days from `now` to notAfter (negative once expired).
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after_unix - now).div_euclid(86_400)
    }
}

/// A certificate file a server names in its configuration (tls-cert-file, ssl_cert_file …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertFile {
    /// The directive that names it.
    pub directive: String,
    /// The path, as configured (resolved against the data directory for PostgreSQL).
    pub path: String,
    /// What the file holds, or why it could not be read.
    pub result: Result<CertFileFacts, String>,
}

/// A readable certificate file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertFileFacts {
    /// The first certificate in it.
    pub cert: CertFacts,
    /// For a server certificate: whether the key file configured with it matches (an error
    /// says why it could not be told).
    pub key_match: Option<Result<bool, String>>,
    /// Unix time the file was read.
    pub checked_unix: i64,
}
