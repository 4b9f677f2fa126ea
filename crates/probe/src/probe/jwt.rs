//! The JWKS each API node publishes (`--jwks`), fetched over HTTP(S) and summarised with the
//! jsonwebtoken crate's JWK types; and whether `--jwt-private-key`'s public half is among them,
//! found by signing a short-lived test token with it and verifying that under each published key.

use base64::Engine;
use futures::future::BoxFuture;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use sha2::Digest;

use super::ProbeContext;
use crate::observe::jwt::{JwksNode, JwtObservation, KeyMatch, KeySummary, TokenSummary};
use crate::observe::{Observed, ProbeError};

/// The jwt area's probe.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let e = &cx.targets.edge;
        if e.jwks.is_empty() {
            return Observed::Jwt(None);
        }
        let client = e.client(cx.timing.timeout);
        let (fetched, tls): (Vec<(String, Keys)>, Vec<Option<ProbeError>>) = cx
            .each(
                e.jwks
                    .iter()
                    .map(|u| fetch(client.clone(), u.clone(), cx.timing.timeout)),
            )
            .await
            .into_iter()
            .unzip();
        let nodes: Vec<JwksNode> = fetched
            .iter()
            .zip(tls)
            .map(|((url, keys), tls)| JwksNode {
                url: url.clone(),
                keys: keys
                    .as_ref()
                    .map(|ks| ks.iter().map(|(s, _)| s.clone()).collect())
                    .map_err(Clone::clone),
                tls,
            })
            .collect();
        let private_key = e
            .private_key
            .as_ref()
            .map(|(file, pem)| key_match(&file.display().to_string(), pem, &fetched));
        let target = match e.jwks.as_slice() {
            [one] => crate::targets::redact_url(one.as_str()),
            _ => "jwks".to_string(),
        };
        let public_key = e
            .public_key
            .as_ref()
            .map(|(file, pem)| public_match(&file.display().to_string(), pem, &fetched));
        let sample = e
            .sample_token
            .as_ref()
            .map(|(file, token)| sample(&file.display().to_string(), token, &fetched));
        Observed::Jwt(Some(Box::new(JwtObservation {
            target,
            nodes,
            private_key,
            public_key,
            sample,
        })))
    })
}

type Keys = Result<Vec<(KeySummary, Option<Jwk>)>, String>;

/// One node's keys, each summarised, with the typed JWK where the crate could read it; and the
/// TLS failure (with its kind) when the handshake is what failed.
async fn fetch(
    client: Result<reqwest::Client, String>,
    url: reqwest::Url,
    timeout: std::time::Duration,
) -> ((String, Keys), Option<ProbeError>) {
    use super::http::{cause, read_body};
    let label = crate::targets::redact_url(url.as_str());
    let addr = format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(443)
    );
    let mut tls = None;
    let keys = async {
        let resp = client?.get(url).send().await.map_err(|e| {
            tls = crate::tls::probe_error(&addr, &e);
            match &tls {
                Some(ProbeError::Tls { addr, detail, .. }) => {
                    format!("TLS handshake with {addr} failed: {detail}")
                }
                _ => cause(&e, timeout),
            }
        })?;
        if !resp.status().is_success() {
            return Err(format!("HTTP {}", resp.status().as_u16()));
        }
        let body = read_body(resp, timeout).await.whole()?;
        let doc: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| format!("not a JWKS document: {e}"))?;
        let keys = doc
            .get("keys")
            .and_then(|k| k.as_array())
            .ok_or("not a JWKS document: no \"keys\" array")?;
        Ok(keys.iter().map(summarise).collect())
    }
    .await;
    ((label, keys), tls)
}

fn field(v: &serde_json::Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(str::to_string)
}

/// RFC 7638: SHA-256 over the required public members in lexicographic order, base64url.
fn thumbprint(v: &serde_json::Value) -> String {
    let kty = field(v, "kty").unwrap_or_default();
    let members: &[&str] = match kty.as_str() {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        "oct" => &["k", "kty"],
        _ => &["kty"],
    };
    let mut canon = serde_json::Map::new();
    for m in members {
        canon.insert(
            (*m).to_string(),
            serde_json::Value::String(field(v, m).unwrap_or_default()),
        );
    }
    let text = serde_json::Value::Object(canon).to_string();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(text.as_bytes()))
}

/// The members that hold a private or secret key (RFC 7518 sections 6.2.2, 6.3.2 and 6.4.1;
/// RFC 8037 section 2 reuses `d`), in the order the RFCs list them.
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A key's summary (never its secret), and the crate's typed JWK when it reads one.
fn summarise(v: &serde_json::Value) -> (KeySummary, Option<Jwk>) {
    let jwk = serde_json::from_value::<Jwk>(v.clone()).ok();
    let bits = match jwk.as_ref().map(|j| &j.algorithm) {
        Some(AlgorithmParameters::RSA(r)) => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(r.n.trim_end_matches('='))
            .ok()
            .and_then(|n| {
                let n: Vec<u8> = n.into_iter().skip_while(|b| *b == 0).collect();
                n.first().map(|b| (n.len() as u32 * 8) - b.leading_zeros())
            }),
        _ => None,
    };
    let summary = KeySummary {
        kid: field(v, "kid"),
        kty: field(v, "kty").unwrap_or_else(|| "?".into()),
        alg: field(v, "alg"),
        bits,
        curve: field(v, "crv"),
        thumbprint: thumbprint(v),
        private_members: PRIVATE_MEMBERS
            .iter()
            .filter(|m| v.get(**m).is_some())
            .map(|m| (*m).to_string())
            .collect(),
    };
    (summary, jwk)
}

/// Signs a test token with the private key and tries each node's keys on it.
fn key_match(file: &str, pem: &[u8], nodes: &[(String, Keys)]) -> KeyMatch {
    use jsonwebtoken::{Algorithm, EncodingKey};
    let signer = [
        (Algorithm::RS256, EncodingKey::from_rsa_pem(pem)),
        (Algorithm::ES256, EncodingKey::from_ec_pem(pem)),
        (Algorithm::EdDSA, EncodingKey::from_ed_pem(pem)),
    ]
    .into_iter()
    .find_map(|(alg, k)| k.ok().map(|k| (alg, k)));
    let Some((alg, key)) = signer else {
        return KeyMatch {
            file: file.into(),
            alg: "?".into(),
            matches: Err("not an RSA, EC or Ed25519 private key in PEM".into()),
        };
    };
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 60;
    let claims = serde_json::json!({"sub": "statectl key match", "exp": exp});
    let token = match jsonwebtoken::encode(&jsonwebtoken::Header::new(alg), &claims, &key) {
        Ok(t) => t,
        Err(e) => {
            return KeyMatch {
                file: file.into(),
                alg: format!("{alg:?}"),
                matches: Err(format!("cannot sign with it: {e}")),
            }
        }
    };
    let matches = nodes
        .iter()
        .filter_map(|(url, keys)| {
            let keys = keys.as_ref().ok()?;
            let kids = keys
                .iter()
                .filter_map(|(s, jwk)| {
                    let dk = jsonwebtoken::DecodingKey::from_jwk(jwk.as_ref()?).ok()?;
                    jsonwebtoken::decode::<serde_json::Value>(
                        &token,
                        &dk,
                        &jsonwebtoken::Validation::new(alg),
                    )
                    .ok()
                    .map(|_| s.name())
                })
                .collect();
            Some((url.clone(), kids))
        })
        .collect();
    KeyMatch {
        file: file.into(),
        alg: format!("{alg:?}"),
        matches: Ok(matches),
    }
}

/// The published keys whose thumbprint is the public key's, per node (x509-parser reads the
/// SubjectPublicKeyInfo; RSA and EC P-256/P-384 keys).
fn public_match(file: &str, pem: &[u8], nodes: &[(String, Keys)]) -> KeyMatch {
    use x509_parser::prelude::FromDer;
    use x509_parser::public_key::PublicKey;
    let b64 = |b: &[u8]| {
        let b: Vec<u8> = b.iter().copied().skip_while(|x| *x == 0).collect();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    };
    let jwk = (|| -> Result<(String, serde_json::Value), String> {
        let (_, pem) =
            x509_parser::pem::parse_x509_pem(pem).map_err(|e| format!("not PEM: {e}"))?;
        if pem.label != "PUBLIC KEY" {
            return Err(format!("a PEM {} block, not a PUBLIC KEY", pem.label));
        }
        let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&pem.contents)
            .map_err(|e| format!("not a public key: {e}"))?;
        match spki
            .parsed()
            .map_err(|e| format!("unreadable public key: {e}"))?
        {
            PublicKey::RSA(r) => Ok((
                "RSA".into(),
                serde_json::json!({"kty": "RSA", "n": b64(r.modulus), "e": b64(r.exponent)}),
            )),
            PublicKey::EC(p) => {
                let d = p.data();
                let (crv, n) = match d.len() {
                    65 => ("P-256", 32),
                    97 => ("P-384", 48),
                    _ => return Err("an EC key on a curve other than P-256/P-384".into()),
                };
                let enc = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
                Ok((
                    format!("EC {crv}"),
                    serde_json::json!({"kty": "EC", "crv": crv, "x": enc(&d[1..1 + n]), "y": enc(&d[1 + n..])}),
                ))
            }
            _ => Err("not an RSA or EC public key".into()),
        }
    })();
    match jwk {
        Err(e) => KeyMatch {
            file: file.into(),
            alg: "?".into(),
            matches: Err(e),
        },
        Ok((kind, jwk)) => {
            let tp = thumbprint(&jwk);
            KeyMatch {
                file: file.into(),
                alg: kind,
                matches: Ok(nodes
                    .iter()
                    .filter_map(|(url, keys)| {
                        let keys = keys.as_ref().ok()?;
                        let kids = keys
                            .iter()
                            .filter(|(s, _)| s.thumbprint == tp)
                            .map(|(s, _)| s.name())
                            .collect();
                        Some((url.clone(), kids))
                    })
                    .collect()),
            }
        }
    }
}

/// A token's header as JSON, when its first part decodes to one.
fn raw_header(token: &str) -> Option<serde_json::Value> {
    let first = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(first.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The sample token's header, lifetime, and the published key that verifies it.
fn sample(file: &str, token: &str, nodes: &[(String, Keys)]) -> TokenSummary {
    let header = match jsonwebtoken::decode_header(token) {
        Ok(h) => h,
        Err(_) => {
            // jsonwebtoken knows only the algorithms it verifies: read the header itself to say
            // which one the token names (alg none, ES512 …)
            let raw = raw_header(token);
            let text = |k: &str| raw.as_ref()?.get(k)?.as_str().map(str::to_string);
            let (alg, why) = match text("alg") {
                Some(a) if a.eq_ignore_ascii_case("none") => {
                    ("none".to_string(), "it is unsigned (alg none)".to_string())
                }
                Some(a) => {
                    let why = format!("alg {a} is not one statectl can verify");
                    (a, why)
                }
                None => (
                    "?".to_string(),
                    "not a JWT: the first part is not a base64url JSON header with an alg".into(),
                ),
            };
            return TokenSummary {
                file: file.into(),
                alg: crate::text::escape(&alg).into_owned(),
                kid: text("kid").map(|k| crate::text::escape(&k).into_owned()),
                verified: Err(crate::text::escape(&why).into_owned()),
                lifetime_s: None,
                exp: None,
                nbf: None,
                iat: None,
                checked_unix: None,
            };
        }
    };
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    // a sample may be old: the signature is what is checked, not the dates
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let keys = nodes.iter().filter_map(|(_, k)| k.as_ref().ok()).flatten();
    let (mut lifetime_s, mut dates) = (None, (None, None, None));
    let mut verified = Err(format!(
        "no published key verifies it (kid {})",
        header.kid.as_deref().unwrap_or("none")
    ));
    for (s, jwk) in keys {
        if header.kid.is_some() && s.kid != header.kid {
            continue;
        }
        let Some(dk) = jwk
            .as_ref()
            .and_then(|j| jsonwebtoken::DecodingKey::from_jwk(j).ok())
        else {
            continue;
        };
        if let Ok(t) = jsonwebtoken::decode::<serde_json::Value>(token, &dk, &validation) {
            let num = |k: &str| t.claims.get(k).and_then(|v| v.as_i64());
            lifetime_s = num("exp").zip(num("iat")).map(|(e, i)| e - i);
            dates = (num("exp"), num("nbf"), num("iat"));
            verified = Ok(s.name());
            break;
        }
    }
    TokenSummary {
        file: file.into(),
        alg: format!("{:?}", header.alg),
        kid: header.kid,
        verified,
        lifetime_s,
        exp: dates.0,
        nbf: dates.1,
        iat: dates.2,
        checked_unix: Some(super::tls::unix_now()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprints_follow_rfc_7638() {
        // RFC 7638 section 3.1's example key and thumbprint
        let v = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            thumbprint(&v),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        let (s, jwk) = summarise(&v);
        assert_eq!(
            (s.bits, s.kid.as_deref(), jwk.is_some()),
            (Some(2048), Some("2011-04-29"), true)
        );
        // alg none is not a JWK the crate reads, but it is still summarised (and judged)
        let (s, jwk) =
            summarise(&serde_json::json!({"kty": "oct", "k": "c2VjcmV0", "alg": "none"}));
        assert_eq!(
            (s.kty.as_str(), s.alg.as_deref(), jwk.is_none()),
            ("oct", Some("none"), true)
        );
    }
}
