//! Issue 16: the API edge against real nginx and HAProxy configurations, JWKS served over HTTPS
//! by two fake nodes with keys made by openssl, and resource servers with and without
//! optimistic concurrency.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;

use crate::support::http::{HttpServer, Resp};
use crate::support::pki::Pki;
use crate::support::{doctor_json, require, run};

pub(crate) fn on_path(name: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The finding `id` for `target` (or the only one with that id).
pub(crate) fn finding(v: &serde_json::Value, id: &str, target: Option<&str>) -> serde_json::Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id && target.is_none_or(|t| f["target"].as_str().unwrap().contains(t)))
        .unwrap_or_else(|| panic!("no {id} in {v}"))
        .clone()
}

pub(crate) fn status_summary(f: &serde_json::Value) -> (String, String) {
    (
        f["status"].as_str().unwrap().to_string(),
        f["summary"].as_str().unwrap().to_string(),
    )
}

/// An RSA key made by openssl (PKCS#1 PEM) and its public JWK with `kid`.
pub(crate) fn rsa_key(dir: &std::path::Path, bits: u32, kid: &str) -> (std::path::PathBuf, String) {
    let pem = dir.join(format!("{kid}.pem"));
    let ok = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&pem)
        .arg(bits.to_string())
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = std::process::Command::new("openssl")
        .args(["rsa", "-noout", "-modulus", "-in"])
        .arg(&pem)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let hex = text.trim().trim_start_matches("Modulus=");
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let jwk =
        format!(r#"{{"kty":"RSA","kid":"{kid}","use":"sig","alg":"RS256","n":"{n}","e":"AQAB"}}"#);
    (pem, jwk)
}

pub(crate) fn jwks(keys: &[&str]) -> String {
    format!(r#"{{"keys":[{}]}}"#, keys.join(","))
}

#[test]
fn jwks_of_two_https_nodes_agree_drift_and_weak_keys_fail() {
    if !require(on_path("openssl"), "openssl") {
        return;
    }
    let pki = Pki::new();
    let leaf = pki.server("node", &["localhost", "127.0.0.1"], 90);
    let dir = tempfile::tempdir().unwrap();
    let (k1_pem, k1) = rsa_key(dir.path(), 2048, "k1");
    let (_, k2) = rsa_key(dir.path(), 2048, "k2");
    let (_, weak) = rsa_key(dir.path(), 1024, "old");
    let served = [
        Arc::new(Mutex::new(jwks(&[&k1]))),
        Arc::new(Mutex::new(jwks(&[&k1]))),
    ];
    let nodes: Vec<HttpServer> = served
        .iter()
        .map(|s| {
            let s = s.clone();
            HttpServer::start_tls(&leaf, move |_| Resp::json(&s.lock().unwrap()))
        })
        .collect();
    let urls: Vec<String> = nodes
        .iter()
        .map(|n| format!("{}/jwks.json", n.url(true)))
        .collect();
    let ca = pki.ca().display().to_string();
    let key = k1_pem.display().to_string();
    let doctor = || {
        let r = doctor_json(
            "jwt.*",
            &[
                "--jwks",
                &urls[0],
                "--jwks",
                &urls[1],
                "--http-ca",
                &ca,
                "--jwt-private-key",
                &key,
            ],
            &[],
        );
        (r.code, r.json())
    };
    let (code, v) = doctor();
    assert_eq!(code, 0, "{v}");
    for id in [
        "jwt.key_drift",
        "jwt.key_match",
        "jwt.algorithm",
        "jwt.rotation",
    ] {
        assert_eq!(finding(&v, id, None)["status"], "pass", "{id}: {v}");
    }
    assert!(
        !v.to_string().contains("PRIVATE KEY"),
        "the key never shows"
    );

    // the public half as a PEM file (openssl rsa -pubout) is matched by thumbprint; a token
    // the API issued is verified and summarised, never shown
    let public = dir.path().join("k1.pub.pem");
    let out = std::process::Command::new("openssl")
        .args(["rsa", "-pubout", "-in"])
        .arg(&k1_pem)
        .arg("-out")
        .arg(&public)
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = |kid: &str, pem: &std::path::Path, lifetime: i64| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        h.kid = Some(kid.into());
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(&std::fs::read(pem).unwrap()).unwrap();
        let claims = serde_json::json!({"sub": "user-7", "iat": now, "exp": now + lifetime});
        let t = jsonwebtoken::encode(&h, &claims, &key).unwrap();
        let f = dir.path().join(format!("{kid}-{lifetime}.jwt"));
        std::fs::write(&f, &t).unwrap();
        (f.display().to_string(), t)
    };
    let sample = |file: &str| {
        doctor_json(
            "jwt.key_match,jwt.sample_token",
            &[
                "--jwks",
                &urls[0],
                "--jwks",
                &urls[1],
                "--http-ca",
                &ca,
                "--jwt-public-key",
                public.to_str().unwrap(),
                "--jwt-sample-file",
                file,
            ],
            &[],
        )
    };
    let (short, short_token) = token("k1", &k1_pem, 900);
    let r = sample(&short);
    let v = r.json();
    assert_eq!(finding(&v, "jwt.key_match", None)["status"], "pass", "{v}");
    let (s, summary) = status_summary(&finding(&v, "jwt.sample_token", None));
    assert!(s == "pass" && summary.contains("kid k1"), "{summary}");
    let signature = short_token.rsplit('.').next().unwrap();
    assert!(
        !r.stdout.contains(signature) && !r.stdout.contains("user-7"),
        "never the token: {v}"
    );
    let (long, _) = token("k1", &k1_pem, 86400);
    let f = finding(&sample(&long).json(), "jwt.sample_token", None);
    assert_eq!(
        (
            f["status"].as_str(),
            crate::support::evidence(&f, "lifetime_s")
        ),
        (Some("warn"), Some("86400")),
        "{f}"
    );

    // node 2 rotated to k2 alone: drift names what each node lacks; the signing key is not there
    *served[1].lock().unwrap() = jwks(&[&k2]);
    let (code, v) = doctor();
    assert_eq!(code, 3, "{v}");
    let (s, summary) = status_summary(&finding(&v, "jwt.key_drift", None));
    assert_eq!(s, "fail", "{v}");
    assert!(
        summary.contains(&format!("{} lacks k1 ", urls[1]))
            && summary.contains(&format!("{} lacks k2 ", urls[0])),
        "{summary}"
    );
    let (s, summary) = status_summary(&finding(&v, "jwt.key_match", None));
    assert!(s == "fail" && summary.ends_with(&urls[1]), "{summary}");
    // a token signed with k2 does not verify where only k1 is published: Token Signature
    // Invalid, as the brief's matrix says
    *served[1].lock().unwrap() = jwks(&[&k1]);
    let (k2_token, _) = token("k2", &dir.path().join("k2.pem"), 900);
    let (s, summary) = status_summary(&finding(
        &sample(&k2_token).json(),
        "jwt.sample_token",
        None,
    ));
    assert!(
        s == "fail" && summary.contains("no published key verifies it (kid k2)"),
        "{summary}"
    );

    // a 1024-bit RSA key, then an HMAC secret, published beside k1
    *served[1].lock().unwrap() = jwks(&[&k1, &weak]);
    let (_, v) = doctor();
    let (s, summary) = status_summary(&finding(&v, "jwt.algorithm", None));
    assert!(s == "fail" && summary.contains("1024-bit"), "{summary}");
    let hs = r#"{"kty":"oct","kid":"h1","alg":"HS256","k":"c2VjcmV0LXNpZ25pbmcta2V5"}"#;
    *served[1].lock().unwrap() = jwks(&[&k1, hs]);
    let (_, v) = doctor();
    let (s, summary) = status_summary(&finding(&v, "jwt.algorithm", None));
    assert!(
        s == "fail" && summary.contains("shared secret"),
        "{summary}"
    );
    assert!(
        !v.to_string().contains("c2VjcmV0"),
        "a secret never shows: {v}"
    );

    // the API itself over TLS: TLS 1.3 with a verified certificate, but only http/1.1 by ALPN
    let r = doctor_json(
        "http.tls",
        &["--api", &nodes[0].url(true), "--http-ca", &ca],
        &[],
    );
    let f = finding(&r.json(), "http.tls", None);
    let (s, summary) = status_summary(&f);
    assert!(
        s == "warn" && summary.contains("TLSv1.3") && summary.contains("HTTP/2 is not offered"),
        "{f}"
    );
    // and without the CA: the certificate does not verify
    let r = doctor_json("http.tls", &["--api", &nodes[0].url(true)], &[]);
    assert_eq!(
        finding(&r.json(), "http.tls", None)["status"],
        "fail",
        "{}",
        r.stdout
    );

    // without the CA the nodes' certificates do not verify: an error, not a pass
    let r = doctor_json(
        "jwt.key_drift",
        &["--jwks", &urls[0], "--jwks", &urls[1]],
        &[],
    );
    let (s, summary) = status_summary(&finding(&r.json(), "jwt.key_drift", None));
    assert!(
        s == "error" && summary.contains("could not be read"),
        "{summary}"
    );
}

/// A resource server: GET /r gives ETag "v7" and honours If-None-Match; PATCH /r checks If-Match
/// (or, `careless`, ignores it). Counts the writes it applied.
fn resource_server(careless: bool) -> (HttpServer, Arc<AtomicU64>) {
    let writes = Arc::new(AtomicU64::new(0));
    let w = writes.clone();
    let server = HttpServer::start(move |req| {
        let etag = "\"v7\"".to_string();
        match req.method.as_str() {
            "GET" if req.header("if-none-match") == Some(&etag) => {
                Resp(304, vec![("ETag".into(), etag)], vec![])
            }
            "GET" => Resp(200, vec![("ETag".into(), etag)], b"{\"state\":1}".to_vec()),
            "PATCH" if !careless && req.header("if-match") != Some(&etag) => {
                Resp(412, vec![], vec![])
            }
            "PATCH" => {
                w.fetch_add(1, Ordering::SeqCst);
                Resp(200, vec![], b"{}".to_vec())
            }
            _ => Resp(405, vec![], vec![]),
        }
    });
    (server, writes)
}

#[test]
fn conditional_requests_and_a_stale_if_match_on_two_nodes() {
    let (good, good_writes) = resource_server(false);
    let (careless, careless_writes) = resource_server(true);
    let (a, b) = (good.url(false), careless.url(false));
    let r = doctor_json(
        "http.*",
        &[
            "--api",
            &a,
            "--api",
            &b,
            "--resource",
            "/r",
            "--write-probe",
            "/r",
            "--sample",
            "1s",
        ],
        &[],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(
        finding(&v, "http.conditional", Some(&a))["status"],
        "pass",
        "{v}"
    );
    assert_eq!(
        finding(&v, "http.precondition", Some(&a))["status"],
        "pass",
        "{v}"
    );
    let (s, summary) = status_summary(&finding(&v, "http.precondition", Some(&b)));
    assert!(
        s == "fail" && summary.starts_with("A WRITE WAS APPLIED"),
        "{summary}"
    );
    assert_eq!(
        (
            good_writes.load(Ordering::SeqCst),
            careless_writes.load(Ordering::SeqCst)
        ),
        (0, 1)
    );
    let lat = finding(&v, "http.latency", Some(&a));
    assert_ne!(lat["status"], "error", "{lat}");
    let requests: u64 = crate::support::evidence(&lat, "requests")
        .unwrap()
        .parse()
        .unwrap();
    assert!(requests > 10, "{lat}");

    // without --write-probe nothing is written
    let r = doctor_json("http.precondition", &["--api", &b], &[]);
    assert_eq!(
        finding(&r.json(), "http.precondition", None)["status"],
        "skip"
    );
    assert_eq!(careless_writes.load(Ordering::SeqCst), 1);
    // a bad URL is a usage error naming it
    let r = run(&["doctor", "--only", "http.*", "--api", "ftp://x"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--api ftp://x"), "{}", r.stderr);
}

fn nginx_conf(dir: &std::path::Path, http_extra: &str, upstream_extra: &str) -> String {
    nginx_conf_for(
        dir,
        http_extra,
        upstream_extra,
        [9, 10],
        crate::support::free_port(),
    )
}

fn nginx_conf_for(
    dir: &std::path::Path,
    http_extra: &str,
    upstream_extra: &str,
    backends: [u16; 2],
    listen: u16,
) -> String {
    let d = dir.display();
    let conf = format!(
        "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n    access_log off;\n    {http_extra}\n    upstream api {{\n        {upstream_extra}\n        server 127.0.0.1:{} max_fails=3;\n        server 127.0.0.1:{} max_fails=3;\n        keepalive 8;\n    }}\n    server {{\n        listen 127.0.0.1:{};\n        location / {{\n            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n            proxy_pass http://api;\n        }}\n    }}\n}}\n",
        backends[0],
        backends[1],
        listen
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    path.display().to_string()
}

#[test]
fn nginx_configs_are_judged_from_nginx_t() {
    if !require(on_path("nginx"), "nginx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lb = |conf: &str| {
        let r = doctor_json(
            "lb.*",
            &["--lb-config", conf, "--session-header", "X_Session_Id"],
            &[],
        );
        r.json()
    };
    let conf = nginx_conf(dir.path(), "", "");
    let v = lb(&conf);
    // Debian 12 ships nginx 1.22: below the brief's 1.24
    let (s, summary) = status_summary(&finding(&v, "lb.version", None));
    assert!(s == "fail" && summary.contains("below 1.24"), "{summary}");
    let (s, summary) = status_summary(&finding(&v, "lb.session_header", None));
    assert!(
        s == "fail" && summary.contains("underscores_in_headers"),
        "{summary}"
    );
    assert_eq!(
        finding(&v, "lb.session_pinning", None)["status"],
        "pass",
        "{v}"
    );
    assert_eq!(
        finding(&v, "lb.upstream_keepalive", None)["status"],
        "pass",
        "{v}"
    );
    assert_eq!(
        finding(&v, "lb.health_checks", None)["status"],
        "pass",
        "{v}"
    );

    let conf = nginx_conf(dir.path(), "underscores_in_headers on;", "ip_hash;");
    let v = lb(&conf);
    assert_eq!(
        finding(&v, "lb.session_header", None)["status"],
        "pass",
        "{v}"
    );
    let (s, summary) = status_summary(&finding(&v, "lb.session_pinning", None));
    // the line nginx -T shows for ip_hash: the 8th of the file
    assert!(
        s == "warn" && summary.contains(&format!("{conf}:8")),
        "{summary}"
    );
}

// issue 26 #23: a configuration nginx refuses to load got PASS rows (an unknown directive) or
// SKIP (a syntax error). It fails, quoting nginx, on lb.config_valid and on every row read
// from it.
#[test]
fn a_configuration_nginx_rejects_fails_with_nginx_s_message() {
    if !require(on_path("nginx"), "nginx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lb = |conf: &str| {
        doctor_json(
            "lb.*",
            &["--lb-config", conf, "--session-header", "X-Session-Id"],
            &[],
        )
        .json()
    };
    let good = nginx_conf(dir.path(), "", "");
    let v = lb(&good);
    let (s, summary) = status_summary(&finding(&v, "lb.config_valid", None));
    assert!(s == "pass" && summary.contains("nginx -t"), "{summary}");
    let from_config = [
        "lb.session_header",
        "lb.session_pinning",
        "lb.upstream_keepalive",
        "lb.health_checks",
    ];
    for (extra, says) in [
        (
            "frobnicate_headers on;",
            "unknown directive \"frobnicate_headers\"",
        ),
        (
            "underscores_in_headers on",
            "directive \"underscores_in_headers\" is not terminated by \";\"",
        ),
    ] {
        let bad = nginx_conf(dir.path(), extra, "");
        let v = lb(&bad);
        let (s, summary) = status_summary(&finding(&v, "lb.config_valid", None));
        assert!(s == "fail" && summary.contains(says), "{summary}");
        for id in from_config {
            let (s, summary) = status_summary(&finding(&v, id, None));
            assert!(s == "fail" && summary.contains(says), "{id}: {summary}");
        }
        let r = run(
            &["doctor", "--only", "lb.*", "--lb-config", &bad],
            &[("NO_COLOR", "1")],
        );
        assert_ne!(r.code, 0, "{}", r.stdout);
    }
}

/// Asserts that HAProxy itself accepts the configuration at `cfg` (`haproxy -c -f`).
fn haproxy_accepts(cfg: &str) {
    let check = std::process::Command::new("haproxy")
        .args(["-c", "-f", cfg])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{cfg}: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn haproxy_configs_are_judged_with_their_lines() {
    if !require(on_path("haproxy"), "haproxy") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("haproxy.cfg");
    std::fs::write(
        &cfg,
        format!(
            "global\n    maxconn 100\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind 127.0.0.1:{}\n    default_backend api\nbackend api\n    cookie SRV insert indirect nocache\n    http-request del-header X-Session-Id\n    server a 127.0.0.1:9 check cookie a\n    server b 127.0.0.1:10 check cookie b\n",
            crate::support::free_port()
        ),
    )
    .unwrap();
    let cfg = cfg.display().to_string();
    // a configuration HAProxy itself accepts
    haproxy_accepts(&cfg);
    let r = doctor_json(
        "lb.*",
        &["--lb-config", &cfg, "--session-header", "X-Session-Id"],
        &[],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let (s, summary) = status_summary(&finding(&v, "lb.session_pinning", None));
    assert!(
        s == "warn" && summary.contains(&format!("{cfg}:12")),
        "{summary}"
    );
    let (s, summary) = status_summary(&finding(&v, "lb.session_header", None));
    assert!(
        s == "fail" && summary.contains(&format!("{cfg}:13")),
        "{summary}"
    );
    let (s, summary) = status_summary(&finding(&v, "lb.version", None));
    assert!(s == "fail" && summary.contains("below 2.8"), "{summary}");
    assert_eq!(
        finding(&v, "lb.health_checks", None)["status"],
        "pass",
        "{v}"
    );
    assert_eq!(
        finding(&v, "lb.config_valid", None)["status"],
        "pass",
        "{v}"
    );
    // a keyword HAProxy does not know: it refuses the file, in its words
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, text.replace("maxconn 100", "frobnicate 100")).unwrap();
    let v = doctor_json("lb.*", &["--lb-config", &cfg], &[]).json();
    let (s, summary) = status_summary(&finding(&v, "lb.config_valid", None));
    assert!(
        s == "fail" && summary.contains("unknown keyword 'frobnicate'"),
        "{summary}"
    );
}

/// Issue 28 (9): a stick-table that only counts (an API rate limit: `http-request track-sc0 src
/// table st_src_global` in the frontend, the table in a backend without servers) is rate
/// limiting, not sticky sessions; a stick-table used by `stick on src` in the backend that has
/// the servers is. The shape is the common per-source rate limit of HAProxy's own blog posts
/// and many API gateways' haproxy.cfg, written here, not copied.
#[test]
fn haproxy_rate_limit_tables_are_not_sticky_sessions() {
    if !require(on_path("haproxy"), "haproxy") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("haproxy.cfg");
    let rate_limited = format!(
        "global\n    log stdout format raw local0\n    maxconn 2048\n\n\
defaults\n    log global\n    mode http\n    option httplog\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\n\
frontend fe_api\n    bind 127.0.0.1:{}\n    http-request track-sc0 src table st_src_global\n\
    http-request deny deny_status 429 if {{ sc_http_req_rate(0,st_src_global) gt 100 }}\n    default_backend be_api\n\n\
backend st_src_global\n    stick-table type ip size 1m expire 10s store http_req_rate(10s),conn_rate(10s),gpc0\n\n\
backend be_api\n    balance roundrobin\n    server api1 10.0.1.11:8080 check\n    server api2 10.0.1.12:8080 check\n",
        crate::support::free_port()
    );
    std::fs::write(&cfg, &rate_limited).unwrap();
    let cfg = cfg.display().to_string();
    haproxy_accepts(&cfg);
    let v = doctor_json("lb.session_pinning", &["--lb-config", &cfg], &[]).json();
    let (s, summary) = status_summary(&finding(&v, "lb.session_pinning", None));
    assert_eq!(s, "pass", "{summary}");
    assert!(
        summary.contains("rate limiting") && summary.contains(&format!("{cfg}:20")),
        "{summary}"
    );
    // persistence: the backend with the servers sticks clients by source address
    std::fs::write(
        &cfg,
        rate_limited.replace(
            "\nbackend be_api\n",
            "\nbackend be_api\n    stick-table type ip size 200k expire 30m\n    stick on src\n",
        ),
    )
    .unwrap();
    haproxy_accepts(&cfg);
    let v = doctor_json("lb.session_pinning", &["--lb-config", &cfg], &[]).json();
    let (s, summary) = status_summary(&finding(&v, "lb.session_pinning", None));
    assert_eq!(s, "warn", "{summary}");
    assert!(
        summary.contains(&format!("`stick on src` ({cfg}:24)")),
        "{summary}"
    );
}

/// Issue 28 (11): HAProxy in tcp mode in front of PostgreSQL (Patroni) and Redis. HTTP
/// connection reuse does not apply there (skip, not pass); what matters is whether the health
/// check asks each server its role. The shapes follow what Patroni's documentation and
/// Sentinel-less Redis HA setups ship (`listen` with `option httpchk OPTIONS /primary` and
/// `check port 8008`; `option tcp-check` with `info replication` and `role:master`), written
/// here, not copied; the connect-only variant is the one that sends writes to a replica.
#[test]
fn haproxy_tcp_backends_are_judged_by_their_role_checks() {
    if !require(on_path("haproxy"), "haproxy") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("haproxy.cfg");
    let cfg_s = cfg.display().to_string();
    let role_aware = "global\n\
    log stdout format raw local0\n\
    maxconn 1000\n\
\n\
defaults\n\
    log global\n\
    mode tcp\n\
    retries 2\n\
    timeout client 30m\n\
    timeout connect 4s\n\
    timeout server 30m\n\
    timeout check 5s\n\
\n\
listen postgres_primary\n\
    bind 127.0.0.1:15000\n\
    option httpchk OPTIONS /primary\n\
    http-check expect status 200\n\
    default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions\n\
    server pg1 10.0.2.11:5432 maxconn 100 check port 8008\n\
    server pg2 10.0.2.12:5432 maxconn 100 check port 8008\n\
\n\
listen postgres_replicas\n\
    bind 127.0.0.1:15001\n\
    balance roundrobin\n\
    option httpchk GET /replica\n\
    http-check expect status 200\n\
    default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions\n\
    server pg1 10.0.2.11:5432 maxconn 100 check port 8008\n\
    server pg2 10.0.2.12:5432 maxconn 100 check port 8008\n\
\n\
frontend fe_redis\n\
    bind 127.0.0.1:16379\n\
    default_backend be_redis\n\
\n\
backend be_redis\n\
    balance first\n\
    option tcp-check\n\
    tcp-check connect\n\
    tcp-check send PING\\r\\n\n\
    tcp-check expect string +PONG\n\
    tcp-check send info\\ replication\\r\\n\n\
    tcp-check expect string role:master\n\
    tcp-check send QUIT\\r\\n\n\
    tcp-check expect string +OK\n\
    server redis1 10.0.3.11:6379 check inter 1s\n\
    server redis2 10.0.3.12:6379 check inter 1s\n\
";
    std::fs::write(&cfg, role_aware).unwrap();
    haproxy_accepts(&cfg_s);
    let v = doctor_json("lb.*", &["--lb-config", &cfg_s], &[]).json();
    let (s, summary) = status_summary(&finding(&v, "lb.upstream_keepalive", None));
    assert!(
        s == "skip" && summary.contains("not applicable") && summary.contains("tcp mode"),
        "{s}: {summary}"
    );
    let (s, summary) = status_summary(&finding(&v, "lb.role_checks", None));
    assert_eq!(s, "pass", "{summary}");
    let evidence = finding(&v, "lb.role_checks", None)["evidence"].to_string();
    for said in [
        "listen postgres_primary",
        "/primary on port 8008",
        "listen postgres_replicas",
        "role:master",
    ] {
        assert!(evidence.contains(said), "{said}: {evidence}");
    }
    // only a connect check (PostgreSQL) and PING (redis-check): writes would go to a replica
    let connect_only = "global\n\
    log /dev/log local0\n\
    maxconn 1000\n\
\n\
defaults\n\
    log global\n\
    mode tcp\n\
    option tcplog\n\
    timeout client 30m\n\
    timeout connect 4s\n\
    timeout server 30m\n\
\n\
listen postgres\n\
    bind 127.0.0.1:15432\n\
    balance roundrobin\n\
    server pg1 10.0.2.11:5432 check\n\
    server pg2 10.0.2.12:5432 check\n\
\n\
backend be_redis\n\
    balance first\n\
    option redis-check\n\
    server redis1 10.0.3.11:6379 check\n\
    server redis2 10.0.3.12:6379 check\n\
\n\
frontend fe_redis\n\
    bind 127.0.0.1:16379\n\
    default_backend be_redis\n\
";
    std::fs::write(&cfg, connect_only).unwrap();
    haproxy_accepts(&cfg_s);
    let v = doctor_json("lb.role_checks", &["--lb-config", &cfg_s], &[]).json();
    let f = finding(&v, "lb.role_checks", None);
    let (s, summary) = status_summary(&f);
    assert!(
        s == "fail"
            && summary.starts_with("listen postgres balances PostgreSQL over 2 servers")
            && summary.contains("writes to a node that is now a replica"),
        "{s}: {summary}"
    );
    assert!(
        f["evidence"].to_string().contains("option redis-check"),
        "{f}"
    );
}

/// Issue 28 (12): where HAProxy's `log` lines send its logs. `log stdout` (the official Docker
/// image's usual `log stdout format raw local0`) and `log stderr` go to the container's log or
/// the journal, not to a syslog daemon; `/dev/log` and `127.0.0.1:514` are syslog.
#[test]
fn haproxy_log_targets_are_named_as_they_are() {
    if !require(on_path("haproxy"), "haproxy") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("haproxy.cfg");
    let cfg_s = cfg.display().to_string();
    for (log, says) in [
        (
            "log stdout format raw local0",
            "to stdout (log stdout format raw local0",
        ),
        ("log stderr format iso local7 info", "to stderr"),
        ("log /dev/log local0", "to syslog at /dev/log"),
        (
            "log 127.0.0.1:514 local0 notice",
            "to syslog at 127.0.0.1:514",
        ),
    ] {
        std::fs::write(
            &cfg,
            format!(
                "global\n    {log}\n    maxconn 256\n\n\
defaults\n    log global\n    mode http\n    option httplog\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\n\
frontend fe_api\n    bind 127.0.0.1:{}\n    default_backend be_api\n\n\
backend be_api\n    server api1 10.0.1.11:8080 check\n",
                crate::support::free_port()
            ),
        )
        .unwrap();
        haproxy_accepts(&cfg_s);
        let v = doctor_json("lb.error_log", &["--lb-config", &cfg_s], &[]).json();
        let (s, summary) = status_summary(&finding(&v, "lb.error_log", None));
        assert!(s == "skip" && summary.contains(says), "{log}: {summary}");
        let container = summary.contains("container's log or the journal");
        assert_eq!(container, log.contains("std"), "{log}: {summary}");
        assert_eq!(
            summary.contains("not to a syslog daemon"),
            container,
            "{log}: {summary}"
        );
    }
}

/// `n` GET requests one after the other on one client connection to 127.0.0.1:`port`; panics
/// unless each gets a 200.
fn gets_on_one_connection(port: u16, n: usize) {
    use std::io::{BufRead, BufReader, Read, Write};
    let conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut r = BufReader::new(conn);
    for i in 0..n {
        write!(
            r.get_mut(),
            "GET /r{i} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
        )
        .unwrap();
        let mut status = String::new();
        r.read_line(&mut status).unwrap();
        assert!(status.contains(" 200 "), "request {i}: {status:?}");
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            r.read_line(&mut h).unwrap();
            let h = h.trim_end().to_ascii_lowercase();
            if h.is_empty() {
                break;
            }
            if let Some(v) = h.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
    }
}

/// Issue 28 (10): `option http-server-close` (or `httpclose`) in defaults, a backend or the
/// frontend that routes to it closes the server connection after each response. Each
/// configuration is judged by statectl and then run: three requests on one client connection
/// reach the server on one connection unless statectl says each request opens a new one.
/// The shape (a `defaults` with `option http-server-close`, as many distribution and
/// tutorial haproxy.cfg files carry from HAProxy 1.x days) is written here, not copied.
#[test]
fn haproxy_server_close_is_judged_as_haproxy_runs_it() {
    if !require(on_path("haproxy"), "haproxy") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let api = HttpServer::start(|_| Resp::json("{}"));
    // (defaults, frontend, backend) additions, statectl's verdict, and the server connections
    // HAProxy opens for three requests on one client connection
    let cases: [(&str, &str, &str, &str, u64); 6] = [
        ("", "", "", "pass", 1),
        ("    option http-server-close\n", "", "", "warn", 3),
        ("", "", "    option httpclose\n", "warn", 3),
        // the backend undoes it, the frontend still inherits it: HAProxy closes
        (
            "    option http-server-close\n",
            "",
            "    no option http-server-close\n",
            "warn",
            3,
        ),
        (
            "    option http-server-close\n",
            "    no option http-server-close\n",
            "    no option http-server-close\n",
            "pass",
            1,
        ),
        // no pooling across client connections, but one client's requests share one
        ("", "", "    http-reuse never\n", "warn", 1),
    ];
    for (defaults, frontend, backend, status, opened_for_3) in cases {
        let port = crate::support::free_port();
        let cfg = dir.path().join("haproxy.cfg");
        std::fs::write(
            &cfg,
            format!(
                "global\n    maxconn 256\n    log stdout format raw local0\n\n\
defaults\n    mode http\n    log global\n    option httplog\n    timeout connect 2s\n    timeout client 10s\n    timeout server 10s\n{defaults}\n\
frontend fe_api\n    bind 127.0.0.1:{port}\n{frontend}    default_backend be_api\n\n\
backend be_api\n    balance roundrobin\n{backend}    server api1 127.0.0.1:{}\n",
                api.port
            ),
        )
        .unwrap();
        let cfg = cfg.display().to_string();
        haproxy_accepts(&cfg);
        let v = doctor_json("lb.upstream_keepalive", &["--lb-config", &cfg], &[]).json();
        let (s, summary) = status_summary(&finding(&v, "lb.upstream_keepalive", None));
        let case = format!("defaults {defaults:?} frontend {frontend:?} backend {backend:?}");
        assert_eq!(s, status, "{case}: {summary}");
        if status == "warn" {
            assert!(
                summary.contains("backend be_api") && summary.contains(&format!("{cfg}:")),
                "{case}: {summary}"
            );
            // a new server connection per request is said only where HAProxy does that
            assert_eq!(
                summary.contains("every request opens a new one"),
                opened_for_3 == 3,
                "{case}: {summary}"
            );
        }
        // what HAProxy does with the same file (no `check` on the server: only requests connect)
        let _lb = Balancer::haproxy(&cfg, port);
        let before = api.connections();
        gets_on_one_connection(port, 3);
        let opened = api.connections() - before;
        assert_eq!(
            opened, opened_for_3,
            "{case}: server connections for 3 requests"
        );
    }
}

/// A balancer (nginx, HAProxy) running a configuration in the foreground; stopped on drop.
struct Balancer(std::process::Child);

impl Balancer {
    /// nginx with `conf`, listening on `port`.
    fn nginx(conf: &str, port: u16) -> Balancer {
        Self::start("nginx", &["-c", conf, "-g", "daemon off;"], port)
    }

    /// HAProxy with `cfg` (`-db`: in the foreground), listening on `port`.
    fn haproxy(cfg: &str, port: u16) -> Balancer {
        Self::start("haproxy", &["-db", "-f", cfg], port)
    }

    fn start(program: &str, args: &[&str], port: u16) -> Balancer {
        let child = std::process::Command::new(program)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        crate::support::topology::until(
            &format!("{program} listening"),
            std::time::Duration::from_secs(10),
            || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
        );
        Balancer(child)
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        // TERM: nginx's master stops its workers and exits; a KILL would leave them running
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `doctor --only lb.*` with the live probe through an nginx that balances over `backends`
/// (round robin unless `upstream_extra` says otherwise), with `args` added.
fn live_through_nginx(
    dir: &std::path::Path,
    backends: [u16; 2],
    http_extra: &str,
    upstream_extra: &str,
    args: &[&str],
) -> serde_json::Value {
    let port = crate::support::free_port();
    let conf = nginx_conf_for(dir, http_extra, upstream_extra, backends, port);
    let _nginx = Balancer::nginx(&conf, port);
    let lb_url = format!("http://127.0.0.1:{port}");
    let mut all = vec![
        "--lb-config",
        &conf,
        "--lb-url",
        &lb_url,
        "--echo-path",
        "/echo",
        "--session-header",
        "X_Session_Id",
        "--session-cookie",
        "sid",
    ];
    all.extend_from_slice(args);
    doctor_json("lb.*", &all, &[]).json()
}

#[test]
fn a_live_session_header_through_nginx_arrives_or_is_dropped() {
    if !require(on_path("nginx"), "nginx") {
        return;
    }
    // two backends echoing the request headers, each saying who it is in the body
    let echo = |name: &'static str| {
        HttpServer::start(move |req| {
            let mut body = format!("backend: {name}\n");
            for (k, v) in &req.headers {
                body.push_str(&format!("{k}: {v}\n"));
            }
            Resp(200, vec![], body.into_bytes())
        })
    };
    let (b1, b2) = (echo("b1"), echo("b2"));
    let dir = tempfile::tempdir().unwrap();
    let live = |http_extra: &str, upstream_extra: &str| {
        live_through_nginx(
            dir.path(),
            [b1.port, b2.port],
            http_extra,
            upstream_extra,
            &["--lb-backend-header", "backend"],
        )
    };
    // the default: nginx drops a header with an underscore
    let v = live("", "");
    let (s, summary) = status_summary(&finding(&v, "lb.live_header", None));
    assert!(
        s == "fail" && summary.contains("arrived in 0 of 8"),
        "{summary}"
    );
    assert!(
        !v.to_string().contains("statectl-"),
        "the probe's values are not reported: {v}"
    );
    // underscores allowed: both arrive, and round robin reaches both backends, named in the
    // echo's `backend` field
    let v = live("underscores_in_headers on;", "");
    let f = finding(&v, "lb.live_header", None);
    assert_eq!(f["status"], "pass", "{f}");
    assert_eq!(
        crate::support::evidence(&f, "backends"),
        Some("b1, b2"),
        "{f}"
    );
    // ip_hash: one backend answers everything
    let v = live("underscores_in_headers on;", "ip_hash;");
    let (s, summary) = status_summary(&finding(&v, "lb.live_header", None));
    assert!(s == "warn" && summary.contains("by b"), "{summary}");
    assert_eq!(
        finding(&v, "lb.session_pinning", None)["status"],
        "warn",
        "{v}"
    );
}

// issue 26 #30: with several upstream servers, every echo alike warned "may pin"; identical
// backends echo alike while nginx round-robins over them. Pinning is told from which backend
// answered (an upstream header the balancer adds), and without one the check says it cannot tell.
#[test]
fn pinning_is_told_from_the_backend_that_answered_not_from_alike_echoes() {
    if !require(on_path("nginx"), "nginx") {
        return;
    }
    // two identical backends: the same echo of the request headers, nothing about themselves
    let echo = || {
        HttpServer::start(|req| {
            let body: String = req
                .headers
                .iter()
                .map(|(k, v)| format!("{k}: {v}\n"))
                .collect();
            Resp(200, vec![], body.into_bytes())
        })
    };
    let (b1, b2) = (echo(), echo());
    let (a1, a2) = (
        format!("127.0.0.1:{}", b1.port),
        format!("127.0.0.1:{}", b2.port),
    );
    let dir = tempfile::tempdir().unwrap();
    let marked = "underscores_in_headers on; add_header X-Upstream-Addr $upstream_addr always;";
    let live = |http_extra: &str, upstream_extra: &str| {
        let v = live_through_nginx(
            dir.path(),
            [b1.port, b2.port],
            http_extra,
            upstream_extra,
            &[],
        );
        finding(&v, "lb.live_header", None)
    };
    // (a) round robin with the upstream's address in a header: spread over both, not pinned
    let f = live(marked, "");
    let (s, summary) = status_summary(&f);
    assert_eq!(s, "pass", "{f}");
    assert!(summary.contains("2 backends"), "{summary}");
    let seen = crate::support::evidence(&f, "backends").unwrap_or_default();
    assert!(seen.contains(&a1) && seen.contains(&a2), "{f}");
    // (b) ip_hash: every answer from one of them, named
    let f = live(marked, "ip_hash;");
    let (s, summary) = status_summary(&f);
    assert_eq!(s, "warn", "{f}");
    assert!(
        summary.contains("pins") && (summary.contains(&a1) != summary.contains(&a2)),
        "{summary}"
    );
    // (c) round robin with no marker: alike echoes say nothing about pinning
    let f = live("underscores_in_headers on;", "");
    let (s, summary) = status_summary(&f);
    assert_eq!(s, "pass", "{f}");
    assert!(
        summary.contains("cannot tell") && !summary.contains("may pin"),
        "{summary}"
    );
    let fix = f["remediation"].as_str().unwrap();
    assert!(
        fix.contains("add_header X-Upstream-Addr $upstream_addr always;")
            && fix.contains("http-response set-header X-Upstream-Addr %s"),
        "{fix}"
    );
    // the same with ip_hash: still cannot tell, never a warning from alike echoes
    let f = live("underscores_in_headers on;", "ip_hash;");
    assert_eq!(status_summary(&f).0, "pass", "{f}");
    // a name that cannot be a header is a usage error naming it
    let r = run(
        &[
            "doctor",
            "--only",
            "lb.*",
            "--lb-url",
            "http://127.0.0.1:9",
            "--echo-path",
            "/echo",
            "--lb-backend-header",
            "X-Up:stream",
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--lb-backend-header X-Up:stream"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_error_log_counts_refused_upstreams_from_a_real_nginx() {
    if !require(on_path("nginx"), "nginx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = crate::support::free_port();
    // both upstreams are ports nothing listens on: every request is a 502
    let dead = [crate::support::free_port(), crate::support::free_port()];
    let conf = nginx_conf_for(dir.path(), "", "", dead, port);
    let _nginx = Balancer::nginx(&conf, port);
    for i in 0..3 {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET /s?token=secret-{i} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 502"), "{answer}");
    }
    let log = dir.path().join("error.log");
    crate::support::topology::until(
        "nginx logging the refusals",
        std::time::Duration::from_secs(10),
        || std::fs::read_to_string(&log).is_ok_and(|t| t.contains("Connection refused")),
    );
    let v = doctor_json(
        "lb.error_log",
        &["--lb-config", &conf, "--since", "10m"],
        &[],
    )
    .json();
    let f = finding(&v, "lb.error_log", None);
    assert!(f["status"] == "warn" || f["status"] == "fail", "{f}");
    let refused =
        crate::support::evidence(&f, "connection_refused").unwrap_or_else(|| panic!("{f}"));
    let n: u64 = refused.split_whitespace().next().unwrap().parse().unwrap();
    assert!(n >= 3, "{f}");
    assert!(
        refused.contains("connect() failed (111: Connection refused)"),
        "{f}"
    );
    assert!(
        !f.to_string().contains("secret-") && !f.to_string().contains("client:"),
        "redacted: {f}"
    );
    // an unreadable log is a skip with the reason, never a pass (a directory: nginx -T, which
    // creates a missing log, cannot either)
    std::fs::remove_file(&log).unwrap();
    std::fs::create_dir(&log).unwrap();
    let v = doctor_json("lb.error_log", &["--lb-config", &conf], &[]).json();
    let (s, summary) = status_summary(&finding(&v, "lb.error_log", None));
    assert!(s == "skip" && summary.contains("error.log"), "{summary}");
}

// issue 28 #8: a server block's own error_log holds that site's upstream errors (as many
// applications ship their vhost); only the main error_log was read, so they passed.
#[test]
fn a_server_blocks_own_error_log_is_read() {
    if !require(on_path("nginx"), "nginx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let port = crate::support::free_port();
    let dead = [crate::support::free_port(), crate::support::free_port()];
    let conf = nginx_conf_for(dir.path(), "", "", dead, port);
    let site = format!("listen 127.0.0.1:{port};\n        error_log {d}/api.error.log;");
    let text = std::fs::read_to_string(&conf)
        .unwrap()
        .replace(&format!("listen 127.0.0.1:{port};"), &site);
    std::fs::write(&conf, text).unwrap();
    let _nginx = Balancer::nginx(&conf, port);
    for _ in 0..3 {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET / HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 502"), "{answer}");
    }
    let log = dir.path().join("api.error.log");
    crate::support::topology::until(
        "nginx logging the refusals in the site's log",
        std::time::Duration::from_secs(10),
        || std::fs::read_to_string(&log).is_ok_and(|t| t.contains("Connection refused")),
    );
    let main = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
    assert!(!main.contains("Connection refused"), "{main}");
    let v = doctor_json(
        "lb.error_log",
        &["--lb-config", &conf, "--since", "10m"],
        &[],
    )
    .json();
    let f = finding(&v, "lb.error_log", None);
    let (s, summary) = status_summary(&f);
    assert!(
        s == "warn" && summary.contains("refused") && summary.contains("api.error.log"),
        "{s} {summary}"
    );
    let refused = crate::support::evidence(&f, "connection_refused").unwrap();
    assert!(
        refused.contains(&format!("in {d}/api.error.log")),
        "{refused}"
    );
    // both logs are named, each with the line that names it
    let text = f.to_string();
    assert!(
        text.contains(&format!("{d}/error.log")) && text.contains(&format!("{conf}:2")),
        "{f}"
    );
}

/// A fake API node that answers every request with 200 and then `body` forever: bytes at full
/// speed (`pause` zero) or one byte per `pause` (a slowloris). Stops when the test ends.
fn endless_peer(pause: std::time::Duration) -> u16 {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { continue };
            std::thread::spawn(move || {
                let mut req = [0u8; 4096];
                let _ = c.read(&mut req);
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
                if c.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = if pause.is_zero() {
                    vec![b' '; 64 << 10]
                } else {
                    vec![b' ']
                };
                while c.write_all(&chunk).is_ok() {
                    std::thread::sleep(pause);
                }
            });
        }
    });
    port
}

/// Issue 26 #13: a JWKS, --resource or echo body that never ends was read whole (2.3 GB RSS
/// from a 10 GB stream). Each is read up to a cap, the rest counted, and the run ends within
/// --timeout with a finding naming the cap.
#[test]
fn endless_http_bodies_stop_at_the_cap_within_the_timeout() {
    use std::time::Duration;
    let port = endless_peer(Duration::ZERO);
    let url = format!("http://127.0.0.1:{port}");
    for (id, args) in [
        ("jwt.key_drift", vec!["--jwks", url.as_str()]),
        (
            "http.latency",
            vec!["--api", url.as_str(), "--resource", "/r"],
        ),
        (
            "lb.live_header",
            vec!["--lb-url", url.as_str(), "--echo-path", "/echo"],
        ),
    ] {
        let mut all = vec![
            "doctor",
            "--format",
            "json",
            "--timeout",
            "1s",
            "--sample",
            "1s",
        ];
        all.extend(["--only", id]);
        all.extend(args);
        let b = crate::support::run_bounded(&all, Duration::from_secs(30));
        eprintln!("{id}: {:?}, peak RSS {} KiB", b.took, b.peak_rss_kib);
        assert!(
            b.peak_rss_kib < 200 << 10,
            "{id}: {} KiB RSS after {:?}",
            b.peak_rss_kib,
            b.took
        );
        // 1 s timeout (+ 1 s sample for latency) and start-up, with a margin for a busy machine
        assert!(b.took < Duration::from_secs(15), "{id}: {:?}", b.took);
        let f = finding(&b.run.json(), id, None);
        let (status, summary) = status_summary(&f);
        assert_eq!(status, "error", "{f}");
        assert!(
            summary.contains("larger than statectl reads (1.0 MiB at most"),
            "{f}"
        );
    }
}

/// Issue 26 #16: a slowloris JWKS and a refused API said only "error sending request for url":
/// the finding says what happened (timed out while reading the body; connection refused).
#[test]
fn http_failures_say_their_cause() {
    use std::time::Duration;
    let slow = endless_peer(Duration::from_millis(100));
    let r = doctor_json(
        "jwt.key_drift",
        &[
            "--timeout",
            "1s",
            "--jwks",
            &format!("http://127.0.0.1:{slow}/jwks"),
        ],
        &[],
    );
    let (_, summary) = status_summary(&r.finding("jwt.key_drift"));
    assert!(
        summary.contains("timed out after 1 s while reading the body"),
        "{summary}"
    );
    let closed = crate::support::free_port();
    let r = doctor_json(
        "http.latency",
        &[
            "--timeout",
            "1s",
            "--api",
            &format!("http://127.0.0.1:{closed}"),
        ],
        &[],
    );
    let (_, summary) = status_summary(&r.finding("http.latency"));
    assert!(
        summary.contains("connecting: ") && summary.contains("Connection refused"),
        "{summary}"
    );
    assert!(!summary.contains("error sending request"), "{summary}");
}

/// Issue 26 #39: an https:// API at a plain port was told "TLS was asked for (rediss://) … use
/// redis://": the message names the scheme the user gave.
#[test]
fn https_at_a_plain_port_names_https() {
    // a plain HTTP server answers a ClientHello as nginx does: 400, then close
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut c in l.incoming().flatten() {
            let _ = c.read(&mut [0u8; 4096]);
            let _ = c.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        }
    });
    let url = format!("https://127.0.0.1:{port}");
    let r = doctor_json("http.tls", &["--timeout", "2s", "--api", &url], &[]);
    let f = r.finding("http.tls");
    let (_, summary) = status_summary(&f);
    let fix = f["remediation"].as_str().unwrap_or_default();
    assert!(summary.contains("TLS was asked for (https://)"), "{f}");
    assert!(fix.starts_with("Use http://127.0.0.1:"), "{f}");
    assert!(!format!("{summary}{fix}").contains("redis"), "{f}");
}

/// Issue 26 #41: an HS256 sample token was said to verify "under no published key", and an
/// `alg: none` token failed with serde's "unknown variant": each is named for what it is.
#[test]
fn symmetric_and_unsigned_sample_tokens_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (_, k1) = rsa_key(dir.path(), 2048, "k1");
    let body = jwks(&[&k1]);
    let node = HttpServer::start(move |_| Resp::json(&body));
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &serde_json::json!({"sub": "user-7"}),
        &jsonwebtoken::EncodingKey::from_secret(b"shared"),
    )
    .unwrap();
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(r#"{"sub":"user-7"}"#)
    );
    for (name, token, want) in [
        ("hs256", hs, "signed with HS256, a shared secret"),
        ("none", none, "unsigned (alg none)"),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, &token).unwrap();
        let r = doctor_json(
            "jwt.sample_token",
            &[
                "--jwks",
                &node.url(false),
                "--jwt-sample-file",
                file.to_str().unwrap(),
            ],
            &[],
        );
        let f = r.finding("jwt.sample_token");
        let (s, summary) = status_summary(&f);
        assert_eq!(s, "fail", "{name}: {f}");
        assert!(summary.contains(want), "{name}: {f}");
        for wrong in ["no published key", "unknown variant", "not a JWT"] {
            assert!(!summary.contains(wrong), "{name}: {f}");
        }
    }
}

// issue 28 #1: `--lb-config nginx.conf` (relative) was handed to `nginx -T -c` as is; nginx
// resolved it against its own prefix, the dump failed, and every row was judged from a file
// nginx never loaded. Shape: a Debian-style nginx.conf whose http block includes conf.d/*.conf
// (here by absolute path) holding the application's upstream.
#[test]
fn a_relative_lb_config_is_dumped_by_nginx() {
    if !require(on_path("nginx"), "nginx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    std::fs::write(
        dir.path().join("conf.d/app.conf"),
        format!(
            "upstream app {{\n    server 127.0.0.1:9 max_fails=0;\n    server 127.0.0.1:10;\n}}\nserver {{\n    listen 127.0.0.1:{};\n    location / {{\n        proxy_pass http://app;\n    }}\n}}\n",
            crate::support::free_port()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        format!("pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n    access_log off;\n    include {d}/conf.d/*.conf;\n}}\n"),
    )
    .unwrap();
    let out = crate::support::statectl()
        .current_dir(dir.path())
        .args([
            "doctor",
            "--format",
            "json",
            "--only",
            "lb.*",
            "--lb-config",
            "nginx.conf",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let (s, summary) = status_summary(&finding(&v, "lb.config_valid", None));
    assert_eq!(s, "pass", "{summary}");
    // the included server with max_fails=0 is seen: the dump was read
    let (s, summary) = status_summary(&finding(&v, "lb.health_checks", None));
    assert!(s == "warn" && summary.contains("app.conf:2"), "{summary}");
}

// issue 28 #2 (in part): when `nginx -T` cannot load the file (here a certificate that exists
// only on the balancer), the file was read alone and nothing said so. Every lb.* finding now
// says how the configuration was read and why nginx -T failed. Shape: a TLS server block as
// Debian's snippets/ and certbot write it, with the application in conf.d/*.conf.
#[test]
fn every_lb_finding_says_how_the_configuration_was_read() {
    if !require(on_path("nginx"), "nginx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    std::fs::create_dir_all(dir.path().join("conf.d")).unwrap();
    std::fs::create_dir_all(dir.path().join("snippets")).unwrap();
    // relative to the main file's directory, as nginx resolves it; a pool whose servers turn
    // passive checks off, and a snippet that drops the session header in the app's location
    std::fs::write(
        dir.path().join("conf.d/api.conf"),
        "upstream api {\n    server 127.0.0.1:9 max_fails=0;\n    server 127.0.0.1:10 max_fails=0;\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("snippets/session.conf"),
        "proxy_set_header X-Session-Id \"\";\n",
    )
    .unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!("pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n    include conf.d/*.conf;\n    server {{\n        listen 127.0.0.1:{} ssl;\n        ssl_certificate /etc/letsencrypt/live/api.example.com/fullchain.pem;\n        ssl_certificate_key /etc/letsencrypt/live/api.example.com/privkey.pem;\n        location / {{\n            include snippets/session.conf;\n            include snippets/absent.conf;\n            proxy_pass http://api;\n        }}\n    }}\n}}\n", crate::support::free_port()),
    )
    .unwrap();
    let conf = conf.display().to_string();
    let v = doctor_json(
        "lb.*",
        &["--lb-config", &conf, "--session-header", "X-Session-Id"],
        &[],
    )
    .json();
    for f in v["findings"].as_array().unwrap() {
        let read =
            crate::support::evidence(f, "configuration read").unwrap_or_else(|| panic!("{f}"));
        // nginx -T refused it (an include that is not there; next, a certificate only the
        // balancer has): statectl read the file and its includes, and says which include it
        // could not follow and why nginx -T failed
        assert!(
            read.contains("read by statectl with its includes (3 files)")
                && read.contains("as nginx -T failed: ")
                && read.contains("open()")
                && read.contains("include snippets/absent.conf")
                && read.contains(&format!("{d}/snippets/absent.conf not found")),
            "{read}"
        );
    }
    // what this machine lacks (the include, the certificate) is not called a broken
    // configuration: the test is skipped, saying so, and the rows are judged from the files
    let (s, summary) = status_summary(&finding(&v, "lb.config_valid", None));
    assert!(
        s == "skip" && summary.contains("cannot load what the balancer may have"),
        "{s} {summary}"
    );
    // before: includes not followed, so these were skip ("no upstream servers") and pass
    let (s, summary) = status_summary(&finding(&v, "lb.health_checks", None));
    assert!(
        s == "warn" && summary.contains("max_fails=0") && summary.contains("conf.d/api.conf:2"),
        "{s} {summary}"
    );
    let (s, summary) = status_summary(&finding(&v, "lb.session_header", None));
    assert!(
        s == "fail"
            && summary.contains("snippets/session.conf:1")
            && summary.contains("location /"),
        "{s} {summary}"
    );
}

/// Debian's nginx loads stream {} from a module of its own.
const STREAM_MODULE: &str = "/usr/lib/nginx/modules/ngx_stream_module.so";

// issue 28 #2: nginx -T lists each included file on its own; an included file's directives
// belong to the blocks around its include. A stream {} upstream in an included file was judged
// by HTTP rules, and a snippet included in one location was judged in no location.
#[test]
fn included_files_are_judged_in_the_blocks_that_include_them() {
    if !require(on_path("nginx"), "nginx")
        || !require(
            std::path::Path::new(STREAM_MODULE).exists(),
            "nginx's stream module (libnginx-mod-stream)",
        )
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    std::fs::create_dir_all(dir.path().join("stream.d")).unwrap();
    std::fs::create_dir_all(dir.path().join("snippets")).unwrap();
    std::fs::write(
        dir.path().join("stream.d/redis.conf"),
        "upstream redis {\n    server 127.0.0.1:9;\n    server 127.0.0.1:10;\n}\nserver {\n    listen 127.0.0.1:{P};\n    proxy_pass redis;\n}\n"
            .replace("{P}", &crate::support::free_port().to_string()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("snippets/idp.conf"),
        "proxy_pass_request_headers off;\nproxy_set_header Authorization $http_authorization;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("snippets/session.conf"),
        "proxy_set_header X-Session-Id \"\";\n",
    )
    .unwrap();
    let run = |name: &str, http: &str| {
        let conf = dir.path().join(name);
        std::fs::write(
            &conf,
            format!("load_module {STREAM_MODULE};\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nstream {{\n    include {d}/stream.d/*.conf;\n}}\nhttp {{\n    {http}\n    server {{\n        listen 127.0.0.1:{};\n        location = /introspect {{\n            internal;\n            include snippets/idp.conf;\n            proxy_pass http://127.0.0.1:9/introspect;\n        }}\n    }}\n}}\n", crate::support::free_port()),
        )
        .unwrap();
        let conf = conf.display().to_string();
        let v = doctor_json(
            "lb.*",
            &["--lb-config", &conf, "--session-header", "X-Session-Id"],
            &[],
        )
        .json();
        let valid = finding(&v, "lb.config_valid", None);
        let read = crate::support::evidence(&valid, "configuration read").unwrap();
        assert!(read.contains("includes followed"), "{read}");
        v
    };
    // the only upstream is TCP: HTTP keepalive rules do not apply (before: judged by them)
    let v = run("stream.conf", "");
    let (s, summary) = status_summary(&finding(&v, "lb.upstream_keepalive", None));
    assert!(s == "skip" && summary.contains("stream"), "{s} {summary}");
    // the snippet that drops the session header sits in the app's location and is judged there
    // (before: an included file was in no location, so it passed); the identity provider's
    // snippet is not the app's
    let app = "upstream app {\n        server 127.0.0.1:11;\n        keepalive 8;\n    }\n    server {\n        listen 127.0.0.1:PORT;\n        location / {\n            include snippets/session.conf;\n            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n            proxy_pass http://app;\n        }\n    }"
        .replace("PORT", &crate::support::free_port().to_string());
    let v = run("app.conf", &app);
    let (s, summary) = status_summary(&finding(&v, "lb.session_header", None));
    assert!(
        s == "fail"
            && summary.contains("snippets/session.conf:1")
            && summary.contains("location /")
            && !summary.contains("idp.conf"),
        "{s} {summary}"
    );
}

// issue 28 #4: an OpenResty configuration (its checker in init_worker_by_lua_block) is refused
// by stock nginx; statectl reads it itself and counts the checker as an active health check
// (before: "unknown directive" failed every row). Shape: lua-resty-upstream-healthcheck's README.
#[test]
fn an_openresty_checker_is_an_active_health_check() {
    if !require(on_path("nginx"), "nginx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!("pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n    lua_shared_dict healthcheck 1m;\n    init_worker_by_lua_block {{\n        local hc = require \"resty.upstream.healthcheck\"\n        local ok, err = hc.spawn_checker{{\n            shm = \"healthcheck\", upstream = \"api\", type = \"http\",\n            http_req = \"GET /health HTTP/1.0\\r\\nHost: api\\r\\n\\r\\n\",\n            interval = 2000, timeout = 1000, fall = 3, rise = 2,\n        }}\n    }}\n    upstream api {{\n        server 127.0.0.1:9 max_fails=0;\n        server 127.0.0.1:10 max_fails=0;\n        keepalive 8;\n    }}\n    server {{\n        listen 127.0.0.1:{};\n        location / {{\n            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n            proxy_pass http://api;\n        }}\n    }}\n}}\n", crate::support::free_port()),
    )
    .unwrap();
    let conf = conf.display().to_string();
    let v = doctor_json("lb.*", &["--lb-config", &conf], &[]).json();
    let (s, summary) = status_summary(&finding(&v, "lb.config_valid", None));
    assert!(
        s == "skip" && summary.contains("lua_shared_dict"),
        "{s} {summary}"
    );
    let f = finding(&v, "lb.health_checks", None);
    let (s, summary) = status_summary(&f);
    assert!(
        s == "pass" && summary.contains("api with an active check"),
        "{s} {summary}"
    );
    let how = crate::support::evidence(&f, "upstream api: active check").unwrap();
    assert!(
        how.contains(&format!("{conf}:6")) && how.contains("OpenResty"),
        "{how}"
    );
    assert_eq!(
        finding(&v, "lb.upstream_keepalive", None)["status"],
        "pass",
        "{v}"
    );
}
