//! What a DER certificate says (subject, names, expiry, key), parsed with x509-parser. The live
//! handshake and the reading of certificate files are the probes' (`probe::tls`).

use std::time::{Duration, UNIX_EPOCH};

use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::observe::tls::CertFacts;

/// What a DER certificate says.
pub fn cert_facts(der: &[u8]) -> Result<CertFacts, String> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| format!("not an X.509 certificate: {e}"))?;
    let not_after_unix = cert.validity().not_after.timestamp();
    let not_after = u64::try_from(not_after_unix)
        .map(|s| humantime::format_rfc3339(UNIX_EPOCH + Duration::from_secs(s)).to_string())
        .unwrap_or_else(|_| format!("{not_after_unix} (Unix time)"));
    let names = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some(d.to_string()),
                GeneralName::IPAddress(b) => ip_text(b),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let spki = cert.public_key();
    let key = match spki.parsed() {
        Ok(PublicKey::RSA(r)) => format!("RSA {}", r.key_size()),
        Ok(PublicKey::EC(p)) => match p.key_size() {
            256 => "EC P-256".into(),
            384 => "EC P-384".into(),
            528 | 521 => "EC P-521".into(),
            n => format!("EC {n}"),
        },
        _ => match spki.algorithm.algorithm.to_id_string().as_str() {
            "1.3.101.112" => "Ed25519".into(),
            "1.3.101.113" => "Ed448".into(),
            other => format!("algorithm {other}"),
        },
    };
    Ok(CertFacts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        names,
        not_after_unix,
        not_after,
        key,
    })
}

fn ip_text(b: &[u8]) -> Option<String> {
    match b.len() {
        4 => Some(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(b).ok()?).to_string()),
        16 => Some(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(b).ok()?).to_string()),
        _ => None,
    }
}
