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
    /// Its `use` (`sig`, `enc`), if it says.
    #[serde(default, rename = "use")]
    pub key_use: Option<String>,
    /// Why statectl cannot verify a token with it, when it cannot (an encryption key such as
    /// X25519 `use: enc`; secp256k1 or P-521, which its JWT library cannot verify): such a key
    /// is named as skipped with this reason, never counted as a verifying key.
    #[serde(default)]
    pub unverifiable: Option<String>,
    /// Its `x5c` chain's leaf, when it has one.
    #[serde(default)]
    pub x5c: Option<X5cLeaf>,
}

/// The leaf certificate of a key's `x5c` chain (RFC 7517 section 4.7), against the JWK itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct X5cLeaf {
    /// How many certificates the chain holds.
    pub certs: usize,
    /// The leaf's subject, dates and key, or why it could not be read.
    pub leaf: Result<crate::observe::tls::CertFacts, String>,
    /// Whether the leaf holds the JWK's own public key (n/e, or crv with x/y), or why that
    /// could not be told.
    pub same_key: Result<bool, String>,
    /// When it was read (seconds since the epoch): the time its dates are judged against.
    pub checked_unix: i64,
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
    /// Why statectl cannot sign a test token with the key although it is one (a P-521 or
    /// secp256k1 key, an X25519 key-agreement key): the match is then skipped with this reason.
    #[serde(default)]
    pub unsupported: Option<String>,
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
    /// Why statectl cannot check its signature at all (an algorithm such as ES512 or ES256K
    /// its JWT library cannot verify, or a key it names that statectl cannot use): the check
    /// is then skipped with this reason, neither passed nor failed.
    #[serde(default)]
    pub unverifiable: Option<String>,
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
