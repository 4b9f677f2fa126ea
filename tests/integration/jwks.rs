//! Issue 28: what a JWKS really holds. Keys are made in the test (openssl, rcgen) and served
//! by fake API nodes on loopback; the sets are shaped like the ones identity providers publish
//! (Google's and Microsoft's RSA sets with x5c, Auth0's and Keycloak's mixed RSA/EC/`enc` sets)
//! and like RFC 7517 appendix A and RFC 8037 appendix A, with keys of our own.

use base64::Engine;

use crate::edge::{finding, jwks, on_path, rsa_key, status_summary};
use crate::support::http::{HttpServer, Resp};
use crate::support::{doctor_json, require};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// openssl with `args`, its stdout; a failure panics with its stderr.
fn openssl(args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new("openssl")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A private key made by `openssl genpkey ARGS` in `dir`.
fn genpkey(dir: &std::path::Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let pem = dir.join(format!("{name}.pem"));
    let mut all = vec!["genpkey"];
    all.extend_from_slice(args);
    all.extend(["-out", pem.to_str().unwrap()]);
    openssl(&all);
    pem
}

/// The named big numbers and byte strings `openssl pkey -text -noout` prints for a private key
/// (`modulus`, `privateExponent`, `prime1` … for RSA; `priv`, `pub` for EC and OKP keys), the
/// leading zero of a positive number dropped.
fn openssl_fields(pem: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let out = openssl(&["pkey", "-text", "-noout", "-in", pem.to_str().unwrap()]);
    let mut fields: Vec<(String, Vec<u8>)> = Vec::new();
    for line in String::from_utf8_lossy(&out).lines() {
        if let Some(hex) = line.strip_prefix("    ") {
            if let Some((_, bytes)) = fields.last_mut() {
                bytes.extend(
                    hex.trim()
                        .split(':')
                        .filter(|h| !h.is_empty())
                        .map(|h| u8::from_str_radix(h, 16).unwrap()),
                );
            }
        } else if let Some(name) = line.strip_suffix(':') {
            fields.push((name.trim().to_string(), Vec::new()));
        }
    }
    for (name, bytes) in &mut fields {
        if !matches!(name.as_str(), "priv" | "pub") && bytes.len() > 1 && bytes[0] == 0 {
            bytes.remove(0);
        }
    }
    fields
}

fn field<'a>(fields: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &fields
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in {fields:?}"))
        .1
}

/// An RSA key as a full private JWK (RFC 7517 appendix A.2's shape): what a careless export
/// of the signing key publishes.
fn rsa_private_jwk(pem: &std::path::Path, kid: Option<&str>) -> serde_json::Value {
    let f = openssl_fields(pem);
    let mut jwk = serde_json::json!({
        "kty": "RSA", "alg": "RS256", "use": "sig",
        "n": b64(field(&f, "modulus")), "e": "AQAB",
        "d": b64(field(&f, "privateExponent")),
        "p": b64(field(&f, "prime1")), "q": b64(field(&f, "prime2")),
        "dp": b64(field(&f, "exponent1")), "dq": b64(field(&f, "exponent2")),
        "qi": b64(field(&f, "coefficient")),
    });
    if let Some(k) = kid {
        jwk["kid"] = k.into();
    }
    jwk
}

/// Issue 28 #13: a JWKS that published the signing key's private members (d, p, q, dp, dq, qi),
/// or a shared secret's k, passed: anyone who reads it can sign tokens. The finding names the
/// node, the key (index and kid) and the members, never their values.
#[test]
fn private_key_members_in_a_jwks_fail_without_their_values() {
    if !require(on_path("openssl"), "openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = rsa_key(dir.path(), 2048, "pub1");
    let (leaked_pem, _) = rsa_key(dir.path(), 2048, "leaked");
    let leaked = rsa_private_jwk(&leaked_pem, Some("2026-06"));
    // an EC key exported with its private scalar d, and no kid
    let ec_pem = genpkey(
        dir.path(),
        "ec",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let ec = openssl_fields(&ec_pem);
    let point = field(&ec, "pub");
    let ec_jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "use": "sig",
        "x": b64(&point[1..33]), "y": b64(&point[33..65]), "d": b64(field(&ec, "priv")),
    });
    let secret = serde_json::json!({"kty": "oct", "kid": "hmac", "k": "c2VjcmV0LXNpZ25pbmcta2V5"});
    let body = jwks(&[
        &public,
        &leaked.to_string(),
        &ec_jwk.to_string(),
        &secret.to_string(),
    ]);
    let node = HttpServer::start(move |_| Resp::json(&body));
    let url = format!("{}/jwks.json", node.url(false));
    let r = doctor_json("jwt.private_members", &["--jwks", &url], &[]);
    let f = finding(&r.json(), "jwt.private_members", None);
    let (s, summary) = status_summary(&f);
    assert_eq!(s, "fail", "{f}");
    for want in [
        "keys[1] (kid 2026-06): d, p, q, dp, dq, qi",
        "keys[2] (no kid): d",
        "keys[3] (kid hmac): k",
    ] {
        assert!(summary.contains(want), "{want}: {f}");
    }
    assert!(!summary.contains("keys[0]"), "the public key is fine: {f}");
    for m in ["d", "p", "q", "dp", "dq", "qi"] {
        let value = leaked[m].as_str().unwrap();
        assert!(!r.stdout.contains(value), "the value of {m} shows: {f}");
    }
    assert!(!r.stdout.contains(ec_jwk["d"].as_str().unwrap()));
    assert!(!r.stdout.contains("c2VjcmV0"));

    // the public halves alone pass
    let body = jwks(&[&public]);
    let node = HttpServer::start(move |_| Resp::json(&body));
    let r = doctor_json(
        "jwt.private_members",
        &["--jwks", &format!("{}/jwks.json", node.url(false))],
        &[],
    );
    assert_eq!(
        r.finding("jwt.private_members")["status"],
        "pass",
        "{}",
        r.stdout
    );
}

/// Issue 28 #14: an https JWKS whose certificate did not verify said only "error sending
/// request": the finding names the TLS failure (unknown issuer, expired, name mismatch) and
/// gives that kind's remediation, as the Redis and PostgreSQL TLS findings do: --http-ca for
/// an issuer it does not trust, renewal for an expired certificate, the name for a mismatch. Certificates are
/// made by rcgen with their dates set on them (the clock is never changed).
#[test]
fn jwks_certificate_failures_say_their_kind_and_name_http_ca() {
    let pki = crate::support::pki::Pki::new();
    let ca = pki.ca().display().to_string();
    let body = jwks(&[
        r#"{"kty":"EC","crv":"P-256","kid":"e1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#,
    ]);
    // (certificate, trust the CA?, what the summary says, the kind, what the remediation says)
    let cases = [
        (
            pki.server("good", &["localhost"], 90),
            false,
            "unknown issuer",
            "tls_unknown_issuer",
            "--http-ca FILE",
        ),
        (
            pki.server("old", &["localhost"], -3),
            true,
            "the certificate expired",
            "tls_expired",
            "Renew the server's certificate",
        ),
        (
            pki.server("other", &["api.example.test"], 90),
            true,
            "not valid for name \"localhost\" (it names api.example.test)",
            "tls_name_mismatch",
            "reissue it with localhost in its subjectAltName",
        ),
        (
            pki.untrusted("self", &["localhost"]),
            true,
            "unknown issuer",
            "tls_unknown_issuer",
            "--http-ca FILE",
        ),
    ];
    for (pair, trust, want, kind, remedy) in cases {
        let body = body.clone();
        let node = HttpServer::start_tls(&pair, move |_| Resp::json(&body));
        let url = format!("{}/jwks.json", node.url(true));
        let mut args = vec!["--jwks", url.as_str()];
        if trust {
            args.extend(["--http-ca", ca.as_str()]);
        }
        let r = doctor_json("jwt.key_drift", &args, &[]);
        let f = r.finding("jwt.key_drift");
        let (s, summary) = status_summary(&f);
        let fix = f["remediation"].as_str().unwrap_or_default();
        assert_eq!(s, "error", "{want}: {f}");
        assert!(summary.contains(want), "{want}: {f}");
        assert!(!summary.contains("error sending request"), "{want}: {f}");
        assert!(fix.contains(remedy), "{want}: {f}");
        assert_eq!(
            crate::support::evidence(&f, "failure"),
            Some(kind),
            "{want}: {f}"
        );
    }
}

/// Issue 28 #15: jwt.key_drift listed the union of kids without saying which node publishes
/// which, and called the same key (one RFC 7638 thumbprint) published without a kid on one node
/// and with one on the other a drift. Keys are matched by thumbprint first, kid second, and each
/// node's missing keys are named on it.
#[test]
fn key_drift_matches_by_thumbprint_and_names_each_node_s_missing_keys() {
    if !require(on_path("openssl"), "openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, k1) = rsa_key(dir.path(), 2048, "k1");
    let (_, k2) = rsa_key(dir.path(), 2048, "k2");
    let (_, k3) = rsa_key(dir.path(), 2048, "k3");
    // node 1 publishes k1 with no kid (as a single-key set often does), node 2 with its kid
    let mut bare: serde_json::Value = serde_json::from_str(&k1).unwrap();
    bare.as_object_mut().unwrap().remove("kid");
    let serve = |keys: &[&str]| {
        let body = jwks(keys);
        HttpServer::start(move |_| Resp::json(&body))
    };
    let drift = |nodes: &[&HttpServer]| {
        let urls: Vec<String> = nodes
            .iter()
            .map(|n| format!("{}/jwks.json", n.url(false)))
            .collect();
        let mut args = Vec::new();
        for u in &urls {
            args.extend(["--jwks", u.as_str()]);
        }
        let r = doctor_json("jwt.key_drift", &args, &[]);
        (urls, r.finding("jwt.key_drift"))
    };
    let (a, b) = (serve(&[&bare.to_string()]), serve(&[&k1]));
    let (_, f) = drift(&[&a, &b]);
    let (s, summary) = status_summary(&f);
    assert_ne!(s, "fail", "one key, with and without its kid: {f}");
    assert!(summary.contains("without a kid"), "{f}");

    // node 2 adds k2 (a rotation half done), node 3 publishes k1 and k3: each node's gaps
    let (a, b, c) = (serve(&[&k1]), serve(&[&k1, &k2]), serve(&[&k1, &k3]));
    let (urls, f) = drift(&[&a, &b, &c]);
    let (s, summary) = status_summary(&f);
    assert_eq!(s, "fail", "{f}");
    // (node, the keys it lacks, the keys it has that another lacks)
    for (url, lacks, extra) in [
        (&urls[0], vec!["k2 (", "k3 ("], vec![]),
        (&urls[1], vec!["k3 ("], vec!["k2 ("]),
        (&urls[2], vec!["k2 ("], vec!["k3 ("]),
    ] {
        let said = crate::support::evidence(&f, url).unwrap_or_else(|| panic!("{url}: {f}"));
        let (missing, more) = said
            .split_once("has what another node lacks")
            .unwrap_or((said, ""));
        assert!(missing.starts_with("lacks "), "{url}: {f}");
        for k in &lacks {
            assert!(missing.contains(k), "{url} lacks {k}: {f}");
        }
        for k in &extra {
            assert!(more.contains(k), "{url} has {k}: {f}");
        }
        assert!(!said.contains("k1 ("), "every node has k1: {f}");
        assert!(summary.contains(&format!("{url} lacks ")), "{url}: {f}");
    }
}

/// Issue 28 #16: a sample token that expired fifteen years ago passed jwt.sample_token with
/// lifetime_s=unknown. An expired token, and one whose nbf or iat lies in the future, is named
/// with its dates (the token is signed here with those claims; the clock is never changed).
#[test]
fn expired_and_future_sample_tokens_are_named_with_their_dates() {
    if !require(on_path("openssl"), "openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (pem, k1) = rsa_key(dir.path(), 2048, "k1");
    let body = jwks(&[&k1]);
    let node = HttpServer::start(move |_| Resp::json(&body));
    let url = format!("{}/jwks.json", node.url(false));
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(&std::fs::read(&pem).unwrap()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let fifteen_years = 15 * 365 * 86400;
    let day = 86400;
    // (name, claims, status, what the summary says)
    let cases = [
        (
            "expired",
            serde_json::json!({"sub": "user-7", "exp": now - fifteen_years}),
            "warn",
            "expired at ",
        ),
        (
            "not yet valid",
            serde_json::json!({"sub": "user-7", "nbf": now + day, "exp": now + 2 * day}),
            "fail",
            "not valid before ",
        ),
        (
            "issued in the future",
            serde_json::json!({"sub": "user-7", "iat": now + day, "exp": now + day + 900}),
            "fail",
            "issued at ",
        ),
    ];
    for (name, claims, want_status, want) in cases {
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        h.kid = Some("k1".into());
        let token = jsonwebtoken::encode(&h, &claims, &key).unwrap();
        let file = dir.path().join(format!("{name}.jwt"));
        std::fs::write(&file, &token).unwrap();
        let r = doctor_json(
            "jwt.sample_token",
            &["--jwks", &url, "--jwt-sample-file", file.to_str().unwrap()],
            &[],
        );
        let f = r.finding("jwt.sample_token");
        let (s, summary) = status_summary(&f);
        assert_eq!(s, want_status, "{name}: {f}");
        assert!(summary.contains(want), "{name}: {f}");
        // the date, as RFC 3339 UTC (the year is enough to know it is the token's)
        let at = claims
            .get("nbf")
            .or(claims.get("iat"))
            .filter(|_| name != "expired")
            .or(claims.get("exp"))
            .unwrap()
            .as_i64()
            .unwrap();
        let year = 1970 + at / (365 * 86400 + 86400 / 4);
        assert!(summary.contains(&year.to_string()), "{name} {year}: {f}");
        assert!(!r.stdout.contains("user-7"), "never a claim's value: {f}");
    }
}
