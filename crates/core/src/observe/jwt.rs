//! The JWT signing keys the API nodes publish (their JWKS documents), summarised: never a secret,
//! never a token.

use serde::{Deserialize, Serialize};

/// One published key, as far as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySummary {
    /// Its `kid`, if it has one.
    pub kid: Option<String>,
    /// `RSA`, `EC`, `OKP` or `oct` (a shared secret).
    pub kty: String,
    /// Its `alg`, if it says.
    pub alg: Option<String>,
    /// The RSA modulus's bits.
    pub bits: Option<u32>,
    /// The curve of an EC or OKP key.
    pub curve: Option<String>,
    /// RFC 7638 thumbprint (SHA-256, base64url) of its public members.
    pub thumbprint: String,
    /// The private members it carries (RFC 7518 section 6: `d`, `p`, `q`, `dp`, `dq`, `qi`,
    /// `oth`; an oct key's `k`), by name: never their values.
    #[serde(default)]
    pub private_members: Vec<String>,
}

impl KeySummary {
    /// The kid, or the thumbprint's start for a key without one.
    pub fn name(&self) -> String {
        self.kid.clone().unwrap_or_else(|| {
            format!(
                "(no kid, thumbprint {})",
                &self.thumbprint[..self.thumbprint.len().min(12)]
            )
        })
    }
}

/// One node's JWKS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwksNode {
    /// Its URL.
    pub url: String,
    /// The keys, or why they could not be read.
    pub keys: Result<Vec<KeySummary>, String>,
    /// When they could not be read because the TLS handshake failed: that failure, with its
    /// kind (unknown issuer, expired, name mismatch …), for the remediation that fits it.
    #[serde(default)]
    pub tls: Option<crate::observe::ProbeError>,
}

/// Whether the private signing key's public half is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyMatch {
    /// The key file (`--jwt-private-key`).
    pub file: String,
    /// The algorithm it signs with (RS256, ES256, EdDSA).
    pub alg: String,
    /// For each node: the kids (or thumbprints) of the published keys that verify a token this
    /// key signed; or why the file could not be used.
    pub matches: Result<Vec<(String, Vec<String>)>, String>,
}

/// The JWKS of every node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwtObservation {
    /// The label findings carry (`jwks`, or the one URL).
    pub target: String,
    /// One per `--jwks`, in order.
    pub nodes: Vec<JwksNode>,
    /// With `--jwt-private-key`.
    pub private_key: Option<KeyMatch>,
    /// With `--jwt-public-key`: matched by thumbprint.
    #[serde(default)]
    pub public_key: Option<KeyMatch>,
    /// With `--jwt-sample-file`: the token's header and lifetime, and whether a published key
    /// verifies it. Never the token, its signature or its claims' values.
    #[serde(default)]
    pub sample: Option<TokenSummary>,
}

/// A sample token, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenSummary {
    /// The file it came from.
    pub file: String,
    /// Its header's alg.
    pub alg: String,
    /// Its header's kid.
    pub kid: Option<String>,
    /// The published key (kid or thumbprint) that verifies its signature, or why none does.
    pub verified: Result<String, String>,
    /// exp − iat, seconds, when both are present.
    pub lifetime_s: Option<i64>,
    /// Its exp, nbf and iat claims (seconds since the epoch), when it verifies and has them.
    #[serde(default)]
    pub exp: Option<i64>,
    /// nbf.
    #[serde(default)]
    pub nbf: Option<i64>,
    /// iat.
    #[serde(default)]
    pub iat: Option<i64>,
    /// When the dates were read (seconds since the epoch): the time they are judged against.
    #[serde(default)]
    pub checked_unix: Option<i64>,
}
