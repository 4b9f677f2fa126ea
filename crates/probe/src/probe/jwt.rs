//! The JWKS each API node publishes (`--jwks`), fetched over HTTP(S) and summarised with the
//! jsonwebtoken crate's JWK types; and whether `--jwt-private-key`'s public half is among them,
//! found by signing a short-lived test token with it and verifying that under each published key.

use base64::Engine;
use futures::future::BoxFuture;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use sha2::Digest;

use super::ProbeContext;
use crate::observe::jwt::{JwksNode, JwtObservation, KeyMatch, KeySummary, TokenSummary, X5cLeaf};
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
        key_use: field(v, "use"),
        unverifiable: unverifiable(v, jwk.is_some()),
        x5c: v.get("x5c").map(|chain| x5c(v, chain)),
    };
    (summary, jwk)
}

/// The `alg` values (RFC 7518 section 4) that name key management, not a signature.
const ENCRYPTION_ALGS: &[&str] = &[
    "RSA1_5",
    "RSA-OAEP",
    "ECDH-ES",
    "A128KW",
    "A192KW",
    "A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    "dir",
    "PBES2",
];

/// Why statectl cannot verify a token with this key, when it cannot: an encryption key (its
/// `use` or `alg` says so, or an X25519/X448 key-agreement curve), or one jsonwebtoken 9 and
/// ring cannot verify with (secp256k1, P-521, Ed448, or members the crate does not read).
fn unverifiable(v: &serde_json::Value, readable: bool) -> Option<String> {
    let kty = field(v, "kty").unwrap_or_default();
    let crv = field(v, "crv").unwrap_or_default();
    let alg = field(v, "alg").unwrap_or_default();
    if kty == "oct" {
        // a shared secret: jwt.algorithm fails it whatever it is used for
        return None;
    }
    if field(v, "use").as_deref() == Some("enc") {
        return Some(format!(
            "an encryption key (use enc{}), not a signing key",
            if alg.is_empty() {
                String::new()
            } else {
                format!(", alg {alg}")
            }
        ));
    }
    if ENCRYPTION_ALGS.iter().any(|a| alg.starts_with(a)) {
        return Some(format!("an encryption key (alg {alg}), not a signing key"));
    }
    match (kty.as_str(), crv.as_str(), alg.as_str()) {
        ("OKP", "X25519" | "X448", _) => Some(format!(
            "{crv} is a key-agreement (ECDH) curve: an encryption key, not a signing key"
        )),
        ("EC", "secp256k1", _) | (_, _, "ES256K") => Some(
            "secp256k1 (ES256K): statectl's JWT library (jsonwebtoken 9) cannot verify it".into(),
        ),
        ("EC", "P-521", _) | (_, _, "ES512") => Some(
            "P-521 (ES512): statectl's crypto library (ring) cannot verify P-521 signatures".into(),
        ),
        ("OKP", "Ed448", _) => {
            Some("Ed448: statectl's crypto library (ring) cannot verify it".into())
        }
        _ if !readable => Some(format!(
            "kty {}{}{}: not a key statectl's JWT library reads",
            crate::text::escape(&kty),
            if crv.is_empty() {
                String::new()
            } else {
                format!(" crv {}", crate::text::escape(&crv))
            },
            if alg.is_empty() {
                String::new()
            } else {
                format!(" alg {}", crate::text::escape(&alg))
            },
        )),
        _ => None,
    }
}

/// A key's `x5c` chain (RFC 7517 section 4.7: standard base64 DER, the leaf first): the leaf's
/// facts, and whether it holds the JWK's own public key.
fn x5c(jwk: &serde_json::Value, chain: &serde_json::Value) -> X5cLeaf {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let certs = chain.as_array().map_or(0, Vec::len);
    let der = chain
        .as_array()
        .ok_or_else(|| "x5c is not an array of certificates".to_string())
        .and_then(|a| a.first().ok_or_else(|| "x5c is empty".to_string()))
        .and_then(|c| {
            c.as_str()
                .ok_or_else(|| "x5c[0] is not a string".to_string())
        })
        .and_then(|c| {
            base64::engine::general_purpose::STANDARD
                .decode(c)
                .map_err(|e| format!("x5c[0] is not base64: {e}"))
        });
    let (leaf, same_key) = match der {
        Err(e) => (Err(e.clone()), Err(e)),
        Ok(der) => match statectl_core::cert::cert_facts(&der) {
            Err(e) => (Err(format!("x5c[0]: {e}")), Err(format!("x5c[0]: {e}"))),
            Ok(facts) => {
                let same = X509Certificate::from_der(&der)
                    .map_err(|e| format!("x5c[0]: {e}"))
                    .and_then(|(_, c)| spki_jwk(c.public_key()))
                    .map(|(_, leaf)| public_members(&leaf) == public_members(jwk));
                (Ok(facts), same)
            }
        },
    };
    X5cLeaf {
        certs,
        leaf,
        same_key,
        checked_unix: super::tls::unix_now(),
    }
}

/// A key's kty, crv and public members (n and e, x and y, x), decoded, leading zeros of n and
/// e dropped: two JWKs of one key compare equal however they pad their numbers.
fn public_members(v: &serde_json::Value) -> Vec<(String, Vec<u8>)> {
    let names: &[&str] = match field(v, "kty").as_deref() {
        Some("RSA") => &["n", "e"],
        Some("EC") => &["x", "y"],
        Some("OKP") => &["x"],
        _ => &[],
    };
    let mut out = vec![
        (
            "kty".to_string(),
            field(v, "kty").unwrap_or_default().into_bytes(),
        ),
        (
            "crv".to_string(),
            field(v, "crv").unwrap_or_default().into_bytes(),
        ),
    ];
    for n in names {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(field(v, n).unwrap_or_default().trim_end_matches('='))
            .unwrap_or_default();
        let bytes = if matches!(*n, "n" | "e") {
            bytes.into_iter().skip_while(|b| *b == 0).collect()
        } else {
            bytes
        };
        out.push(((*n).to_string(), bytes));
    }
    out
}

/// A SubjectPublicKeyInfo as a JWK's public members, by its algorithm and curve OIDs: RSA;
/// EC P-256, P-384, P-521 and secp256k1; OKP Ed25519, Ed448, X25519 and X448. With it, the
/// key's kind for a finding ("EC P-521").
fn spki_jwk(
    spki: &x509_parser::x509::SubjectPublicKeyInfo,
) -> Result<(String, serde_json::Value), String> {
    use x509_parser::public_key::PublicKey;
    let enc = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let number = |b: &[u8]| {
        let b: Vec<u8> = b.iter().copied().skip_while(|x| *x == 0).collect();
        enc(&b)
    };
    let point = spki.subject_public_key.data.as_ref();
    let oid = spki.algorithm.algorithm.to_id_string();
    let okp = |crv: &str| {
        Ok((
            format!("OKP {crv}"),
            serde_json::json!({"kty": "OKP", "crv": crv, "x": enc(point)}),
        ))
    };
    match oid.as_str() {
        "1.2.840.113549.1.1.1" => match spki.parsed() {
            Ok(PublicKey::RSA(r)) => Ok((
                "RSA".into(),
                serde_json::json!({"kty": "RSA", "n": number(r.modulus), "e": number(r.exponent)}),
            )),
            _ => Err("an unreadable RSA public key".into()),
        },
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            let (crv, n) = match curve.as_str() {
                "1.2.840.10045.3.1.7" => ("P-256", 32),
                "1.3.132.0.34" => ("P-384", 48),
                "1.3.132.0.35" => ("P-521", 66),
                "1.3.132.0.10" => ("secp256k1", 32),
                other => {
                    return Err(format!(
                        "an EC key on a curve JWK does not name (OID {other})"
                    ))
                }
            };
            if point.len() != 1 + 2 * n || point[0] != 4 {
                return Err(format!("an EC {crv} key whose point is not uncompressed"));
            }
            Ok((
                format!("EC {crv}"),
                serde_json::json!({"kty": "EC", "crv": crv, "x": enc(&point[1..1 + n]), "y": enc(&point[1 + n..])}),
            ))
        }
        "1.3.101.112" => okp("Ed25519"),
        "1.3.101.113" => okp("Ed448"),
        "1.3.101.110" => okp("X25519"),
        "1.3.101.111" => okp("X448"),
        other => Err(format!(
            "not an RSA, EC or OKP public key (algorithm OID {other})"
        )),
    }
}

/// Signs a test token with the private key and tries each node's keys on it (the keys
/// statectl cannot verify with are left out: the check names them as skipped).
fn key_match(file: &str, pem: &[u8], nodes: &[(String, Keys)]) -> KeyMatch {
    use jsonwebtoken::{Algorithm, EncodingKey};
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 60;
    let claims = serde_json::json!({"sub": "statectl key match", "exp": exp});
    // the first algorithm the key both loads as and signs with: an EC key's curve picks ES256
    // or ES384 (ring refuses the other)
    let signed: Vec<(Algorithm, Result<String, String>)> = [
        (Algorithm::RS256, EncodingKey::from_rsa_pem(pem)),
        (Algorithm::ES256, EncodingKey::from_ec_pem(pem)),
        (Algorithm::ES384, EncodingKey::from_ec_pem(pem)),
        (Algorithm::EdDSA, EncodingKey::from_ed_pem(pem)),
    ]
    .into_iter()
    .filter_map(|(alg, k)| k.ok().map(|k| (alg, k)))
    .map(|(alg, k)| {
        let token = jsonwebtoken::encode(&jsonwebtoken::Header::new(alg), &claims, &k)
            .map_err(|e| e.to_string());
        (alg, token)
    })
    .collect();
    let found = signed
        .iter()
        .find_map(|(alg, t)| t.as_ref().ok().map(|t| (*alg, t.clone())));
    let Some((alg, token)) = found else {
        let (alg, matches, unsupported) = match (unsupported_private(pem), signed.first()) {
            (Some((kind, why)), _) => (kind, Ok(Vec::new()), Some(why)),
            (None, Some((alg, Err(e)))) => (
                format!("{alg:?}"),
                Err(format!("cannot sign with it: {e}")),
                None,
            ),
            _ => (
                "?".into(),
                Err("not an RSA, EC or Ed25519 private key in PEM".into()),
                None,
            ),
        };
        return KeyMatch {
            file: file.into(),
            alg,
            matches,
            unsupported,
        };
    };
    let matches = nodes
        .iter()
        .filter_map(|(url, keys)| {
            let keys = keys.as_ref().ok()?;
            let kids = keys
                .iter()
                .filter(|(s, _)| s.unverifiable.is_none())
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
        unsupported: None,
    }
}

/// A private key statectl cannot sign with although it is one, by the curve OID its PKCS#8
/// (or SEC1) DER names: its kind, and why it is skipped.
fn unsupported_private(pem: &[u8]) -> Option<(String, String)> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem).ok()?;
    let has = |oid: &[u8]| block.contents.windows(oid.len()).any(|w| w == oid);
    let by_thumbprint = "give its public half with --jwt-public-key to match it by thumbprint";
    // (the OID's DER, the kind, why)
    let known: [(&[u8], &str, String); 5] = [
        (
            &[6, 5, 0x2b, 0x81, 4, 0, 0x23],
            "EC P-521",
            format!("a P-521 private key: statectl's crypto library (ring) cannot sign or verify P-521 (ES512); {by_thumbprint}"),
        ),
        (
            &[6, 5, 0x2b, 0x81, 4, 0, 0x0a],
            "EC secp256k1",
            format!("a secp256k1 private key: statectl's JWT library (jsonwebtoken 9) cannot sign or verify ES256K; {by_thumbprint}"),
        ),
        (
            &[6, 3, 0x2b, 0x65, 0x6e],
            "OKP X25519",
            format!("an X25519 private key: a key-agreement (encryption) key, not a signing key; {by_thumbprint}"),
        ),
        (
            &[6, 3, 0x2b, 0x65, 0x6f],
            "OKP X448",
            format!("an X448 private key: a key-agreement (encryption) key, not a signing key; {by_thumbprint}"),
        ),
        (
            &[6, 3, 0x2b, 0x65, 0x71],
            "OKP Ed448",
            format!("an Ed448 private key: statectl's crypto library (ring) cannot sign with it; {by_thumbprint}"),
        ),
    ];
    known
        .into_iter()
        .find(|(oid, _, _)| has(oid))
        .map(|(_, kind, why)| (kind.to_string(), why))
}

/// The published keys whose thumbprint is the public key's, per node (x509-parser reads the
/// SubjectPublicKeyInfo; RSA, EC P-256/P-384/P-521/secp256k1 and OKP keys: no signature is
/// made, so a key statectl cannot verify with still matches).
fn public_match(file: &str, pem: &[u8], nodes: &[(String, Keys)]) -> KeyMatch {
    use x509_parser::prelude::FromDer;
    let jwk = (|| -> Result<(String, serde_json::Value), String> {
        let (_, pem) =
            x509_parser::pem::parse_x509_pem(pem).map_err(|e| format!("not PEM: {e}"))?;
        if pem.label != "PUBLIC KEY" {
            return Err(format!("a PEM {} block, not a PUBLIC KEY", pem.label));
        }
        let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&pem.contents)
            .map_err(|e| format!("not a public key: {e}"))?;
        spki_jwk(&spki)
    })();
    match jwk {
        Err(e) => KeyMatch {
            file: file.into(),
            alg: "?".into(),
            matches: Err(e),
            unsupported: None,
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
                unsupported: None,
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
            // a JWS algorithm (RFC 7518, RFC 8812) the libraries lack: not a bad token
            let unverifiable = match alg.as_str() {
                "ES512" => Some("statectl cannot verify ES512 (P-521) signatures: its crypto library (ring) lacks P-521".to_string()),
                "ES256K" => Some("statectl cannot verify ES256K (secp256k1) signatures: its JWT library (jsonwebtoken 9) lacks them".to_string()),
                _ => None,
            };
            return TokenSummary {
                file: file.into(),
                alg: crate::text::escape(&alg).into_owned(),
                kid: text("kid").map(|k| crate::text::escape(&k).into_owned()),
                verified: Err(crate::text::escape(&why).into_owned()),
                unverifiable,
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
    // the keys its kid names that statectl cannot verify with, and whether it names another
    let (mut skipped, mut usable) = (None, false);
    for (s, jwk) in keys {
        if header.kid.is_some() && s.kid != header.kid {
            continue;
        }
        if let Some(why) = &s.unverifiable {
            skipped.get_or_insert_with(|| {
                format!(
                    "the key it names ({}) is one statectl cannot verify with: {why}",
                    s.name()
                )
            });
            continue;
        }
        usable = true;
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
    let unverifiable = skipped.filter(|_| verified.is_err() && !usable && header.kid.is_some());
    TokenSummary {
        file: file.into(),
        alg: format!("{:?}", header.alg),
        kid: header.kid,
        verified,
        unverifiable,
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

    /// Issue 28 #17: every key type seen in real sets is summarised without error; the ones
    /// jsonwebtoken and ring cannot verify with say why (RFC 8037 appendix A's Ed25519 and
    /// X25519 keys, an RFC 7520-shaped P-521 key, a secp256k1 key, an RSA key without kid).
    #[test]
    fn every_key_type_is_summarised_and_the_unverifiable_say_why() {
        let ed = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        // RFC 8037 appendix A.3: the thumbprint of A.2's key
        assert_eq!(
            thumbprint(&ed),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        let xy = "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt";
        let cases = [
            (ed.clone(), None),
            (
                serde_json::json!({"kty": "OKP", "crv": "X25519", "use": "enc", "kid": "x", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}),
                Some("an encryption key (use enc)"),
            ),
            (
                serde_json::json!({"kty": "OKP", "crv": "X25519", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}),
                Some("X25519 is a key-agreement (ECDH) curve"),
            ),
            (
                serde_json::json!({"kty": "EC", "crv": "P-521", "kid": "bilbo", "use": "sig", "x": xy, "y": xy}),
                Some("P-521 (ES512)"),
            ),
            (
                serde_json::json!({"kty": "EC", "crv": "secp256k1", "alg": "ES256K", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}),
                Some("secp256k1 (ES256K)"),
            ),
            (
                serde_json::json!({"kty": "EC", "crv": "P-384", "alg": "ES384", "x": xy, "y": xy}),
                None,
            ),
            (
                serde_json::json!({"kty": "RSA", "alg": "RSA-OAEP-256", "n": "AQAB", "e": "AQAB"}),
                Some("an encryption key (alg RSA-OAEP-256)"),
            ),
            (
                serde_json::json!({"kty": "RSA", "use": "sig", "n": "AQAB", "e": "AQAB"}),
                None,
            ),
        ];
        for (v, why) in cases {
            let (s, _) = summarise(&v);
            assert_eq!(s.thumbprint, thumbprint(&v), "{v}");
            assert_eq!(s.key_use, field(&v, "use"), "{v}");
            assert_eq!(s.curve, field(&v, "crv"), "{v}");
            match (why, &s.unverifiable) {
                (None, None) => {}
                (Some(w), Some(got)) => assert!(got.starts_with(w), "{v}: {got}"),
                _ => panic!("{v}: {:?}", s.unverifiable),
            }
        }
    }

    /// Issue 28 #17: --jwt-public-key's curve comes from the SubjectPublicKeyInfo's OIDs, not
    /// the point's length (a secp256k1 point is as long as a P-256 one), and OKP keys are read.
    #[test]
    fn public_keys_of_each_curve_become_their_jwk() {
        for (alg, kind, crv) in [
            (&rcgen::PKCS_ECDSA_P256_SHA256, "EC P-256", "P-256"),
            (&rcgen::PKCS_ECDSA_P384_SHA384, "EC P-384", "P-384"),
            (&rcgen::PKCS_ED25519, "OKP Ed25519", "Ed25519"),
        ] {
            use x509_parser::prelude::FromDer;
            let kp = rcgen::KeyPair::generate_for(alg).unwrap();
            let der = rcgen::PublicKeyData::subject_public_key_info(&kp);
            let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&der).unwrap();
            let (k, jwk) = spki_jwk(&spki).unwrap();
            assert_eq!((k.as_str(), jwk["crv"].as_str()), (kind, Some(crv)));
            let raw = kp.public_key_raw();
            let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(jwk["x"].as_str().unwrap())
                .unwrap();
            if crv == "Ed25519" {
                assert_eq!(x, raw);
            } else {
                assert_eq!(x, raw[1..1 + (raw.len() - 1) / 2]);
            }
        }
    }

    /// Issue 28 #17: an x5c leaf is read and compared with its JWK; a chain that is not one is
    /// said, never an error of the whole set.
    #[test]
    fn x5c_leaves_are_compared_with_their_jwk() {
        let kp = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["signer.test".to_string()])
            .unwrap()
            .self_signed(&kp)
            .unwrap();
        let chain =
            serde_json::json!([base64::engine::general_purpose::STANDARD.encode(cert.der())]);
        let raw = kp.public_key_raw();
        let enc = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let jwk = serde_json::json!({"kty": "EC", "crv": "P-256", "x": enc(&raw[1..33]), "y": enc(&raw[33..])});
        let leaf = x5c(&jwk, &chain);
        assert_eq!(
            (leaf.certs, leaf.same_key.clone()),
            (1, Ok(true)),
            "{leaf:?}"
        );
        assert!(
            leaf.leaf.as_ref().is_ok_and(|l| l.key == "EC P-256"),
            "{leaf:?}"
        );
        let other = rcgen::KeyPair::generate()
            .unwrap()
            .public_key_raw()
            .to_vec();
        let wrong = serde_json::json!({"kty": "EC", "crv": "P-256", "x": enc(&other[1..33]), "y": enc(&other[33..])});
        assert_eq!(x5c(&wrong, &chain).same_key, Ok(false));
        for bad in [
            serde_json::json!("MIIB"),
            serde_json::json!([]),
            serde_json::json!(["!!"]),
            serde_json::json!(["AAAA"]),
        ] {
            let leaf = x5c(&jwk, &bad);
            assert!(
                leaf.leaf.is_err() && leaf.same_key.is_err(),
                "{bad}: {leaf:?}"
            );
        }
    }
}
