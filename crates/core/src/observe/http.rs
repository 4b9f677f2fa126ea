//! What the API nodes answered: conditional requests, a stale If-Match write, and latency.

use serde::{Deserialize, Serialize};

/// One exchange's outcome: the status, or why there was none.
pub type Answer = Result<u16, String>;

/// One API node (`--api URL`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpObservation {
    /// The node's URL.
    pub target: String,
    /// host:port.
    #[serde(default)]
    pub addr: String,
    /// The TLS handshake with an https:// node (none for http://).
    #[serde(default)]
    pub tls: Option<crate::observe::tls::TlsLook>,
    /// With `--resource PATH`: the GET, its ETag, and the answer to If-None-Match with it.
    pub conditional: Option<Conditional>,
    /// With `--write-probe PATH`: the answer to a PATCH with a stale If-Match.
    pub precondition: Option<Answer>,
    /// Request latencies over the sample window, in milliseconds (GET of the resource, or /).
    pub latency_ms: Vec<f64>,
    /// Why latency could not be sampled, if it could not.
    pub latency_error: Option<String>,
}

/// The conditional GET pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conditional {
    /// The path.
    pub path: String,
    /// The plain GET's status.
    pub get: Answer,
    /// Its ETag header.
    pub etag: Option<String>,
    /// The status of a GET with If-None-Match: ETAG.
    pub if_none_match: Option<Answer>,
}
