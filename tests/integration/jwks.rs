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

/// A key made by openssl for issue 28 #17: its private key (PKCS#8 PEM), its public half
/// (SubjectPublicKeyInfo PEM) and its public JWK (kty, crv, x, y or n, e; no kid, use or alg).
struct Made {
    pem: std::path::PathBuf,
    public_pem: std::path::PathBuf,
    jwk: serde_json::Value,
}

/// `kind`: RSA, P-256, P-384, P-521, secp256k1, Ed25519, Ed448 or X25519.
fn make_key(dir: &std::path::Path, name: &str, kind: &str) -> Made {
    let args: Vec<String> = match kind {
        "RSA" => vec![
            "-algorithm".into(),
            "RSA".into(),
            "-pkeyopt".into(),
            "rsa_keygen_bits:2048".into(),
        ],
        "Ed25519" | "X25519" | "Ed448" => vec!["-algorithm".into(), kind.to_uppercase()],
        curve => vec![
            "-algorithm".into(),
            "EC".into(),
            "-pkeyopt".into(),
            format!("ec_paramgen_curve:{curve}"),
        ],
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let pem = genpkey(dir, name, &args);
    let public_pem = dir.join(format!("{name}.pub.pem"));
    openssl(&[
        "pkey",
        "-pubout",
        "-in",
        pem.to_str().unwrap(),
        "-out",
        public_pem.to_str().unwrap(),
    ]);
    let f = openssl_fields(&pem);
    let jwk = match kind {
        "RSA" => serde_json::json!({"kty": "RSA", "n": b64(field(&f, "modulus")), "e": "AQAB"}),
        "Ed25519" | "X25519" => {
            serde_json::json!({"kty": "OKP", "crv": kind, "x": b64(field(&f, "pub"))})
        }
        curve => {
            let point = field(&f, "pub");
            let n = (point.len() - 1) / 2;
            serde_json::json!({"kty": "EC", "crv": curve, "x": b64(&point[1..1 + n]), "y": b64(&point[1 + n..])})
        }
    };
    Made {
        pem,
        public_pem,
        jwk,
    }
}

/// `jwk` with `members` (kid, use, alg …) set.
fn with(jwk: &serde_json::Value, members: &[(&str, &str)]) -> String {
    let mut j = jwk.clone();
    for (k, v) in members {
        j[*k] = (*v).into();
    }
    j.to_string()
}

/// A compact JWS of `claims` signed by openssl with the EC key `pem` (for the algorithms the
/// jsonwebtoken crate cannot sign: ES512, ES256K): the DER signature turned into r || s.
fn openssl_jws(
    pem: &std::path::Path,
    header: serde_json::Value,
    claims: serde_json::Value,
    digest: &str,
    n: usize,
) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let data = pem.with_extension("input");
    std::fs::write(&data, &input).unwrap();
    let der = openssl(&[
        "dgst",
        digest,
        "-sign",
        pem.to_str().unwrap(),
        data.to_str().unwrap(),
    ]);
    // ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (the length long-form past 127)
    let mut i = if der[1] & 0x80 != 0 {
        2 + (der[1] & 0x7f) as usize
    } else {
        2
    };
    let mut raw = Vec::new();
    for _ in 0..2 {
        assert_eq!(der[i], 2, "{der:?}");
        let len = der[i + 1] as usize;
        let int: Vec<u8> = der[i + 2..i + 2 + len]
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        raw.extend(std::iter::repeat_n(0, n - int.len()));
        raw.extend(int);
        i += 2 + len;
    }
    format!("{input}.{}", b64(&raw))
}

/// The findings of `doctor --only jwt.*` with `args`.
fn jwt_findings(args: &[&str]) -> (crate::support::Run, Vec<serde_json::Value>) {
    let r = doctor_json("jwt.*", args, &[]);
    let all = r.json()["findings"].as_array().unwrap().clone();
    (r, all)
}

/// Issue 28 #17: every key type seen in real sets (RFC 7517 appendix A, RFC 8037, Auth0's and
/// Keycloak's mixed sets): EC P-256/P-384/P-521, OKP Ed25519 and X25519 (`use: enc`),
/// secp256k1, RSA with and without kid, in one JWKS served over HTTP. Each is summarised; the
/// ones statectl cannot verify with are named with the reason, and none makes the set an error.
#[test]
fn every_key_type_of_a_real_set_is_summarised_or_skipped_with_its_reason() {
    if !require(on_path("openssl"), "openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let keys = [
        with(
            &make_key(d, "rsa", "RSA").jwk,
            &[("kid", "rsa-1"), ("use", "sig"), ("alg", "RS256")],
        ),
        with(&make_key(d, "bare", "RSA").jwk, &[("use", "sig")]),
        with(
            &make_key(d, "p256", "P-256").jwk,
            &[("kid", "p256"), ("use", "sig"), ("alg", "ES256")],
        ),
        with(
            &make_key(d, "p384", "P-384").jwk,
            &[("kid", "p384"), ("alg", "ES384")],
        ),
        with(
            &make_key(d, "p521", "P-521").jwk,
            &[("kid", "p521"), ("alg", "ES512")],
        ),
        with(
            &make_key(d, "k1", "secp256k1").jwk,
            &[("kid", "k1"), ("alg", "ES256K")],
        ),
        with(
            &make_key(d, "ed", "Ed25519").jwk,
            &[("kid", "ed"), ("alg", "EdDSA")],
        ),
        with(
            &make_key(d, "x", "X25519").jwk,
            &[("kid", "x25519"), ("use", "enc"), ("alg", "ECDH-ES")],
        ),
    ];
    let body = jwks(&keys.iter().map(String::as_str).collect::<Vec<_>>());
    let node = HttpServer::start(move |_| Resp::json(&body));
    let url = format!("{}/jwks.json", node.url(false));
    let (r, all) = jwt_findings(&["--jwks", &url]);
    for f in &all {
        assert_ne!(f["status"], "error", "no key makes the set an error: {f}");
    }
    let alg = finding(&r.json(), "jwt.algorithm", None);
    assert_eq!(alg["status"], "pass", "{alg}");
    // (the key's name in the evidence, what its entry says)
    for (name, says) in [
        ("rsa-1", vec!["RSA 2048 bits RS256 use sig"]),
        ("(no kid", vec!["RSA 2048 bits use sig"]),
        ("p256", vec!["EC P-256 ES256 use sig"]),
        ("p384", vec!["EC P-384 ES384"]),
        ("p521", vec!["EC P-521 ES512", "skipped", "P-521"]),
        ("k1", vec!["EC secp256k1 ES256K", "skipped", "secp256k1"]),
        ("ed", vec!["OKP Ed25519 EdDSA"]),
        (
            "x25519",
            vec!["OKP X25519 ECDH-ES use enc", "skipped", "encryption key"],
        ),
    ] {
        let entry = alg["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"].as_str().unwrap().starts_with(name))
            .unwrap_or_else(|| panic!("{name} is not summarised: {alg}"));
        let value = entry["value"].as_str().unwrap();
        for s in says {
            assert!(value.contains(s), "{name}: {s}: {alg}");
        }
        if !["p521", "k1", "x25519"].contains(&name) {
            assert!(!value.contains("skipped"), "{name} verifies: {alg}");
        }
    }
}

/// Issue 28 #17: --jwt-private-key and --jwt-public-key of every key type against a JWKS that
/// publishes them all (RSA without kid among them). A key statectl can sign with matches by
/// verification (ES384 too); P-521, secp256k1 and X25519 private keys are skipped with the
/// reason; every public key matches by thumbprint (secp256k1 was taken for P-256).
#[test]
fn key_match_of_every_key_type_verifies_matches_or_skips_with_the_reason() {
    if !require(on_path("openssl"), "openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let made: Vec<(&str, Made)> = [
        ("rsa", "RSA"),
        ("p256", "P-256"),
        ("p384", "P-384"),
        ("p521", "P-521"),
        ("k1", "secp256k1"),
        ("ed", "Ed25519"),
        ("x25519", "X25519"),
    ]
    .into_iter()
    .map(|(name, kind)| (name, make_key(d, name, kind)))
    .collect();
    // the RSA key without a kid (a single-key Google-style set often has none)
    let published: Vec<String> = made
        .iter()
        .map(|(name, m)| match *name {
            "rsa" => with(&m.jwk, &[("use", "sig")]),
            "x25519" => with(&m.jwk, &[("kid", name), ("use", "enc")]),
            _ => with(&m.jwk, &[("kid", name)]),
        })
        .collect();
    let body = jwks(&published.iter().map(String::as_str).collect::<Vec<_>>());
    let node = HttpServer::start(move |_| Resp::json(&body));
    let url = format!("{}/jwks.json", node.url(false));
    for (name, m) in &made {
        // the private key: signed and verified, or skipped with the reason
        let (_, all) =
            jwt_findings(&["--jwks", &url, "--jwt-private-key", m.pem.to_str().unwrap()]);
        let f = all.iter().find(|f| f["id"] == "jwt.key_match").unwrap();
        let (s, summary) = status_summary(f);
        let (want, says) = match *name {
            "rsa" => ("pass", "(no kid, thumbprint "),
            "p521" => ("skip", "P-521"),
            "k1" => ("skip", "secp256k1"),
            "x25519" => ("skip", "X25519"),
            _ => ("pass", *name),
        };
        assert_eq!(s, want, "private {name}: {f}");
        assert!(summary.contains(says), "private {name}: {says}: {f}");
        if want == "pass" {
            // the keys it could not try are named, never counted
            let skipped = crate::support::evidence(f, "skipped").unwrap_or_else(|| panic!("{f}"));
            for k in ["p521", "k1", "x25519"] {
                assert!(skipped.contains(k), "private {name}: {k} skipped: {f}");
            }
        }
        // the public key: matched by thumbprint, whatever its type
        let (_, all) = jwt_findings(&[
            "--jwks",
            &url,
            "--jwt-public-key",
            m.public_pem.to_str().unwrap(),
        ]);
        let f = all.iter().find(|f| f["id"] == "jwt.key_match").unwrap();
        let (s, summary) = status_summary(f);
        assert_eq!(s, "pass", "public {name}: {f}");
        let says = if *name == "rsa" {
            "(no kid, thumbprint "
        } else {
            *name
        };
        assert!(summary.contains(says), "public {name}: {f}");
    }
}

/// Issue 28 #17: sample tokens of every algorithm against a JWKS of every key type. RS256 (its
/// key without kid, the token without kid), ES256, ES384 and EdDSA verify; an ES512 or ES256K
/// token (signed here by openssl: the crate cannot) is a skip that says why, not a
/// "Token Signature Invalid" fail.
#[test]
fn sample_tokens_of_every_algorithm_verify_or_skip_with_the_reason() {
    if !require(on_path("openssl"), "openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rsa = make_key(d, "rsa", "RSA");
    let p256 = make_key(d, "p256", "P-256");
    let p384 = make_key(d, "p384", "P-384");
    let p521 = make_key(d, "p521", "P-521");
    let k1 = make_key(d, "k1", "secp256k1");
    let ed = make_key(d, "ed", "Ed25519");
    let x = make_key(d, "x", "X25519");
    let ed448 = make_key(d, "ed448", "Ed448");
    let published = [
        with(&ed448.jwk, &[("kid", "ed448")]),
        with(&rsa.jwk, &[("use", "sig")]),
        with(&p256.jwk, &[("kid", "p256")]),
        with(&p384.jwk, &[("kid", "p384")]),
        with(&p521.jwk, &[("kid", "p521"), ("alg", "ES512")]),
        with(&k1.jwk, &[("kid", "k1"), ("alg", "ES256K")]),
        with(&ed.jwk, &[("kid", "ed")]),
        with(&x.jwk, &[("kid", "x25519"), ("use", "enc")]),
    ];
    let body = jwks(&published.iter().map(String::as_str).collect::<Vec<_>>());
    let node = HttpServer::start(move |_| Resp::json(&body));
    let url = format!("{}/jwks.json", node.url(false));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = serde_json::json!({"sub": "user-7", "iat": now, "exp": now + 600});
    let sign = |alg: jsonwebtoken::Algorithm, kid: Option<&str>, key: jsonwebtoken::EncodingKey| {
        let mut h = jsonwebtoken::Header::new(alg);
        h.kid = kid.map(String::from);
        jsonwebtoken::encode(&h, &claims, &key).unwrap()
    };
    let read = |m: &Made| std::fs::read(&m.pem).unwrap();
    use jsonwebtoken::{Algorithm, EncodingKey};
    let cases = [
        (
            "RS256 no kid",
            sign(
                Algorithm::RS256,
                None,
                EncodingKey::from_rsa_pem(&read(&rsa)).unwrap(),
            ),
            "pass",
            "(no kid, thumbprint ",
        ),
        (
            "ES256",
            sign(
                Algorithm::ES256,
                Some("p256"),
                EncodingKey::from_ec_pem(&read(&p256)).unwrap(),
            ),
            "pass",
            "p256",
        ),
        (
            "ES384",
            sign(
                Algorithm::ES384,
                Some("p384"),
                EncodingKey::from_ec_pem(&read(&p384)).unwrap(),
            ),
            "pass",
            "p384",
        ),
        (
            "EdDSA",
            sign(
                Algorithm::EdDSA,
                Some("ed"),
                EncodingKey::from_ed_pem(&read(&ed)).unwrap(),
            ),
            "pass",
            "ed",
        ),
        (
            "ES512",
            openssl_jws(
                &p521.pem,
                serde_json::json!({"alg": "ES512", "typ": "JWT", "kid": "p521"}),
                claims.clone(),
                "-sha512",
                66,
            ),
            "skip",
            "ES512",
        ),
        (
            "ES256K",
            openssl_jws(
                &k1.pem,
                serde_json::json!({"alg": "ES256K", "typ": "JWT", "kid": "k1"}),
                claims.clone(),
                "-sha256",
                32,
            ),
            "skip",
            "ES256K",
        ),
    ];
    // an EdDSA token whose kid names an Ed448 key (openssl signs; ring verifies Ed25519 only)
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"EdDSA","typ":"JWT","kid":"ed448"}"#),
        b64(claims.to_string().as_bytes())
    );
    let data = d.join("ed448.input");
    std::fs::write(&data, &input).unwrap();
    let sig = openssl(&[
        "pkeyutl",
        "-sign",
        "-rawin",
        "-inkey",
        ed448.pem.to_str().unwrap(),
        "-in",
        data.to_str().unwrap(),
    ]);
    let ed448_token = format!("{input}.{}", b64(&sig));
    let cases: Vec<(&str, String, &str, &str)> = cases
        .into_iter()
        .chain([("EdDSA Ed448", ed448_token, "skip", "Ed448")])
        .collect();
    for (name, token, want, says) in cases {
        let file = d.join(format!("{}.jwt", name.replace(' ', "-")));
        std::fs::write(&file, &token).unwrap();
        let (r, all) = jwt_findings(&["--jwks", &url, "--jwt-sample-file", file.to_str().unwrap()]);
        let f = all.iter().find(|f| f["id"] == "jwt.sample_token").unwrap();
        let (s, summary) = status_summary(f);
        assert_eq!(s, want, "{name}: {f}");
        assert!(summary.contains(says), "{name}: {says}: {f}");
        if want == "skip" {
            assert!(summary.contains("cannot verify"), "{name}: the reason: {f}");
        }
        assert!(!r.stdout.contains("user-7"), "never a claim's value: {f}");
    }
}

/// A self-signed certificate for the key `pem` (openssl req), DER, standard base64 as x5c
/// holds it.
fn x5c_of(pem: &std::path::Path, cn: &str) -> String {
    let der = openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        pem.to_str().unwrap(),
        "-subj",
        &format!("/CN={cn}"),
        "-days",
        "30",
        "-outform",
        "DER",
    ]);
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// Issue 28 #17: x5c chains (Google's and Microsoft's sets carry one per RSA key). The leaf is
/// read and its public key compared with the JWK's (n/e, x/y): a leaf that holds another key
/// fails jwt.algorithm (a verifier that trusts x5c uses that other key), an expired leaf warns,
/// and a matching, current leaf is named in the evidence.
#[test]
fn x5c_leaves_are_compared_with_their_jwk_and_their_dates_judged() {
    if !require(on_path("openssl"), "openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rsa = make_key(d, "rsa", "RSA");
    let other = make_key(d, "other", "RSA");
    let pki = crate::support::pki::Pki::new();
    let expired = pki.server("old-signer", &["jwks-signer"], -3);
    let expired_ec = openssl_fields(&expired.key);
    let point = field(&expired_ec, "pub");
    let expired_der = openssl(&[
        "x509",
        "-in",
        expired.cert.to_str().unwrap(),
        "-outform",
        "DER",
    ]);
    let good = {
        let mut j = rsa.jwk.clone();
        j["kid"] = "google-1".into();
        j["x5c"] = serde_json::json!([x5c_of(&rsa.pem, "accounts.example.test")]);
        j.to_string()
    };
    let third = make_key(d, "third", "RSA");
    let wrong = {
        let mut j = third.jwk.clone();
        j["kid"] = "wrong-leaf".into();
        j["x5c"] = serde_json::json!([x5c_of(&other.pem, "someone else")]);
        j.to_string()
    };
    let old = serde_json::json!({
        "kty": "EC", "crv": "P-256", "kid": "old-leaf",
        "x": b64(&point[1..33]), "y": b64(&point[33..65]),
        "x5c": [base64::engine::general_purpose::STANDARD.encode(&expired_der)],
    })
    .to_string();
    let serve = |keys: &[&str]| {
        let body = jwks(keys);
        HttpServer::start(move |_| Resp::json(&body))
    };
    let judge = |node: &HttpServer| {
        let url = format!("{}/jwks.json", node.url(false));
        doctor_json("jwt.algorithm", &["--jwks", &url], &[]).finding("jwt.algorithm")
    };
    let node = serve(&[&good]);
    let f = judge(&node);
    assert_eq!(f["status"], "pass", "{f}");
    let e = crate::support::evidence(&f, "google-1").unwrap();
    assert!(
        e.contains("x5c leaf CN=accounts.example.test") && e.contains("holds this key"),
        "{f}"
    );

    let node = serve(&[&good, &wrong]);
    let f = judge(&node);
    let (s, summary) = status_summary(&f);
    assert_eq!(s, "fail", "{f}");
    assert!(
        summary.contains("wrong-leaf") && summary.contains("x5c"),
        "{f}"
    );
    assert!(!summary.contains("google-1"), "{f}");

    let node = serve(&[&good, &old]);
    let f = judge(&node);
    let (s, summary) = status_summary(&f);
    assert_eq!(s, "warn", "{f}");
    assert!(
        summary.contains("old-leaf") && summary.contains("expired"),
        "{f}"
    );
}
