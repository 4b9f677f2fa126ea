//! What a fresh node's software looks like: the OpenSSL that the state servers and clients use.

use serde::{Deserialize, Serialize};

/// The host's software, as `preflight` sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreflightObservation {
    /// `openssl version`'s line, or why it could not be run.
    pub openssl_cli: Result<String, String>,
    /// For each state server binary found (redis-server, postgres): the libssl it links to
    /// (`libssl.so.3`), or why that is not known.
    pub linked: Vec<LinkedSsl>,
}

/// The libssl one binary links to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedSsl {
    /// The binary's path.
    pub binary: String,
    /// The libssl soname (`libssl.so.3`), or why it is not known (not linked, ldd failed).
    pub libssl: Result<String, String>,
}
