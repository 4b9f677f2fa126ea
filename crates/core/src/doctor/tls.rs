//! TLS checks shared by Redis and PostgreSQL: the live handshake (`redis.tls`, `postgres.tls`),
//! and the certificate files a local server names (`*.tls_files`).

use super::{tls_fix, unreachable_verdict, Ctx};
use crate::model::{Status, Verdict};
use crate::observe::tls::{CertFacts, CertFile, TlsFacts, TlsLook};

/// Which service a TLS check is about, for messages and remediations.
#[derive(Clone, Copy)]
pub struct Service {
    /// "redis-server" or "PostgreSQL".
    pub name: &'static str,
    /// The command that shows it reachable (HOST and PORT filled in).
    pub verify: &'static str,
    /// Where the server's protocol versions are set.
    pub versions: &'static str,
    /// The check that owns a target's unreachability.
    pub reachable: &'static str,
    /// How to make statectl verify the certificate when no CA was in force.
    pub trust: &'static str,
}

/// Redis.
pub const REDIS: Service = Service {
    name: "redis-server",
    verify: "redis-cli --tls -h HOST -p PORT PING",
    versions: "tls-protocols \"TLSv1.3\" in redis.conf (CONFIG SET tls-protocols TLSv1.3)",
    reachable: "redis.reachable",
    trust: "Drop #insecure and give --tls-ca CA_FILE (or install the CA in the system store)",
};

/// PostgreSQL.
pub const POSTGRES: Service = Service {
    name: "PostgreSQL",
    verify: "psql \"host=HOST port=PORT sslmode=verify-full\" -c 'SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()'",
    versions: "ssl_min_protocol_version = 'TLSv1.3' in postgresql.conf, then SELECT pg_reload_conf()",
    reachable: "postgres.reachable",
    trust: "Use sslmode=verify-full with sslrootcert=CA_FILE (or ~/.postgresql/root.crt)",
};

/// Judges a live handshake: version, certificate verdict and expiry.
pub fn live(look: Option<&TlsLook>, addr: &str, svc: Service, t: &Ctx) -> Verdict {
    let f = match look {
        None => return Verdict::skip("no TLS handshake was made for this target"),
        Some(TlsLook::Plain { reason }) => return Verdict::skip(format!("no TLS: {reason}")),
        Some(TlsLook::Failed { error }) => {
            use crate::observe::ProbeError as E;
            // a target that cannot be reached at all is the reachable check's one failure
            if !matches!(
                error,
                E::Tls { .. } | E::TlsToPlain { .. } | E::PlainToTls { .. } | E::Protocol { .. }
            ) {
                return super::unreachable_skip(svc.reachable);
            }
            return unreachable_verdict(error, svc.name, svc.verify)
                .with("failure_stage", "TLS handshake");
        }
        Some(TlsLook::Done(f)) => f,
    };
    let unverified = f.trust.starts_with("none");
    let mut v = Verdict::pass(format!("{} with a verified certificate", f.version));
    v = evidence(v, f);
    if unverified {
        v.escalate(
            Status::Warn,
            format!("{}, but the certificate was not verified (no CA in force): a man in the middle would go unnoticed", f.version),
            svc.trust,
        );
    }
    match f.version.as_str() {
        "TLSv1.3" => {}
        "TLSv1.2" => v.escalate(
            Status::Warn,
            "negotiated TLSv1.2: the brief requires TLS 1.3".into(),
            &format!("Allow TLS 1.3 and drop 1.2 on the server: {}", svc.versions),
        ),
        other => v.escalate(
            Status::Fail,
            format!("negotiated {other}: below TLS 1.2"),
            &format!("Allow only TLS 1.3 on the server: {}", svc.versions),
        ),
    }
    if let Err(e) = &f.verified {
        v.escalate(
            Status::Fail,
            format!("the certificate does not verify: {}", e.detail),
            &tls_fix(e.reason, svc.name, host_of(addr), addr),
        );
        v = v.with("verify_failure", e.reason.as_str());
    }
    if let Some(leaf) = &f.leaf {
        expiry(&mut v, leaf, f.checked_unix, "the server's certificate", t);
    }
    v
}

/// The host of `host:port` (brackets of IPv6 removed).
fn host_of(addr: &str) -> &str {
    addr.rsplit_once(':')
        .map_or(addr, |(h, _)| h)
        .trim_matches(|c| c == '[' || c == ']')
}

fn evidence(v: Verdict, f: &TlsFacts) -> Verdict {
    let mut v = v
        .with("protocol", &f.version)
        .with("cipher", &f.cipher)
        .with("alpn", f.alpn.as_deref().unwrap_or("(none)"))
        .with("handshake_ms", super::redis::ms(f.handshake))
        .with("trust", &f.trust)
        .with("client_cert", f.client_cert);
    if let Some(l) = &f.leaf {
        v = v
            .with("subject", &l.subject)
            .with("names", l.names.join(", "))
            .with("key", &l.key)
            .with("not_after", &l.not_after)
            .with("days_left", l.days_left(f.checked_unix));
    }
    v
}

/// Warns or fails on a certificate near or past its notAfter.
fn expiry(v: &mut Verdict, cert: &CertFacts, now: i64, what: &str, t: &Ctx) {
    let days = cert.days_left(now);
    let renew = "Renew the certificate (and its deployment: reload the server); see the dates with `openssl x509 -noout -dates -in FILE`";
    if cert.not_after_unix <= now {
        v.escalate(
            Status::Fail,
            format!("{what} expired on {}", cert.not_after),
            renew,
        );
    } else if days < t.tls.expiry_fail_days {
        v.escalate(
            Status::Fail,
            format!("{what} expires in {days} day(s), on {}", cert.not_after),
            renew,
        );
    } else if days < t.tls.expiry_warn_days {
        v.escalate(
            Status::Warn,
            format!("{what} expires in {days} days, on {}", cert.not_after),
            renew,
        );
    }
}

/// Judges the certificate files a local server names: expiry, and that each key matches.
pub fn files(files: Option<&Vec<CertFile>>, t: &Ctx) -> Verdict {
    let Some(files) = files else {
        return Verdict::skip(
            "not a local server (or its configuration is unreadable): its certificate files are not on this machine",
        );
    };
    if files.is_empty() {
        return Verdict::skip("the server names no certificate files (TLS not configured)");
    }
    let mut v = Verdict::pass(format!(
        "{} certificate file(s) in date, keys match",
        files.len()
    ));
    let mut read = 0;
    for f in files {
        match &f.result {
            Err(e) => v = v.with(&f.directive, format!("unreadable: {e}")),
            Ok(facts) => {
                read += 1;
                let days = facts.cert.days_left(facts.checked_unix);
                v = v.with(
                    &f.directive,
                    format!(
                        "{} ({}, notAfter {}, {days} days left)",
                        f.path, facts.cert.key, facts.cert.not_after
                    ),
                );
                let what = format!("{} {}", f.directive, f.path);
                expiry(&mut v, &facts.cert, facts.checked_unix, &what, t);
                match &facts.key_match {
                    Some(Ok(false)) => v.escalate(
                        Status::Fail,
                        format!("{what}: the key file configured with it does not match"),
                        "Point the key directive at the key this certificate was issued for (compare `openssl x509 -noout -pubkey -in CERT` with `openssl pkey -pubout -in KEY`)",
                    ),
                    Some(Err(e)) => v = v.with(format!("{} key", f.directive), format!("unreadable: {e}")),
                    _ => {}
                }
            }
        }
    }
    if read == 0 {
        let why = files
            .iter()
            .filter_map(|f| f.result.as_ref().err())
            .next()
            .cloned()
            .unwrap_or_default();
        return Verdict::skip(format!("no certificate file could be read: {why}"))
            .with("files", files.len());
    }
    v
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::tls::CertFileFacts;
    use crate::observe::{TlsFailure, TlsReason};
    use std::time::Duration;

    const NOW: i64 = 1_700_000_000;

    fn cert(days: i64) -> CertFacts {
        CertFacts {
            subject: "CN=db.test".into(),
            issuer: "CN=statectl test CA".into(),
            names: vec!["db.test".into()],
            not_after_unix: NOW + days * 86_400 + 60,
            not_after: "2024-01-01T00:00:00Z".into(),
            key: "EC P-256".into(),
        }
    }

    /// A TLS 1.3 handshake with a verified certificate valid for a year.
    pub fn healthy_look() -> TlsLook {
        TlsLook::Done(TlsFacts {
            version: "TLSv1.3".into(),
            cipher: "TLS13_AES_256_GCM_SHA384".into(),
            alpn: None,
            handshake: Duration::from_micros(900),
            trust: "--tls-ca /etc/ssl/ca.pem".into(),
            client_cert: true,
            verified: Ok(()),
            leaf: Some(cert(365)),
            checked_unix: NOW,
        })
    }

    /// One readable, in-date certificate file whose key matches.
    pub fn healthy_files() -> Option<Vec<CertFile>> {
        Some(vec![CertFile {
            directive: "tls-cert-file".into(),
            path: "/etc/redis/tls/server.crt".into(),
            result: Ok(CertFileFacts {
                cert: cert(365),
                key_match: Some(Ok(true)),
                checked_unix: NOW,
            }),
        }])
    }

    fn with(f: impl FnOnce(&mut TlsFacts)) -> TlsLook {
        let TlsLook::Done(mut facts) = healthy_look() else {
            unreachable!()
        };
        f(&mut facts);
        TlsLook::Done(facts)
    }

    // an unverified certificate is fixed by each service's own trust option: the API's is
    // --http-ca (it was told Redis's --tls-ca)
    #[test]
    fn an_unverified_certificate_names_the_services_own_trust_option() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let unverified = with(|f| f.trust = "none (#insecure)".into());
        for (svc, option) in [
            (REDIS, "--tls-ca"),
            (POSTGRES, "sslrootcert"),
            (crate::doctor::http::API, "--http-ca"),
        ] {
            let v = live(Some(&unverified), "api.test:443", svc, &t);
            assert_eq!(v.status, Status::Warn, "{v:?}");
            assert!(
                v.remediation.contains(option),
                "{}: {}",
                svc.name,
                v.remediation
            );
        }
    }

    #[test]
    fn versions_verdicts_and_expiry() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let judge = |l: &TlsLook| live(Some(l), "db.test:5432", POSTGRES, &t);
        let v = judge(&healthy_look());
        assert_eq!(v.status, Status::Pass, "{v:?}");
        for key in [
            "protocol",
            "cipher",
            "alpn",
            "handshake_ms",
            "key",
            "not_after",
            "days_left",
        ] {
            assert!(v.evidence.iter().any(|e| e.key == key), "{key}: {v:?}");
        }
        let v = judge(&with(|f| f.version = "TLSv1.2".into()));
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("requires TLS 1.3"), "{}", v.summary);
        assert_eq!(
            judge(&with(|f| f.version = "TLSv1.1".into())).status,
            Status::Fail
        );
        let v = judge(&with(|f| {
            f.verified = Err(TlsFailure {
                reason: TlsReason::NameMismatch,
                detail: "the certificate is not valid for name \"db.test\"".into(),
            })
        }));
        assert_eq!(v.status, Status::Fail);
        assert!(v.remediation.contains("db.test"), "{}", v.remediation);
        for (days, want) in [
            (29, Status::Warn),
            (6, Status::Fail),
            (-1, Status::Fail),
            (31, Status::Pass),
        ] {
            let v = judge(&with(|f| f.leaf = Some(cert(days))));
            assert_eq!(v.status, want, "{days} days: {v:?}");
        }
        assert_eq!(
            live(
                Some(&TlsLook::Plain {
                    reason: "sslmode=disable".into()
                }),
                "h:1",
                POSTGRES,
                &t
            )
            .status,
            Status::Skip
        );
        assert_eq!(live(None, "h:1", REDIS, &t).status, Status::Skip);
        // refused: redis.reachable's failure, not a second one here
        let refused = TlsLook::Failed {
            error: crate::observe::ProbeError::Refused { addr: "h:1".into() },
        };
        let v = live(Some(&refused), "h:1", REDIS, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("redis.reachable"), "{}", v.summary);
    }

    #[test]
    fn files_expiry_key_mismatch_and_unreadable() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        assert_eq!(files(healthy_files().as_ref(), &t).status, Status::Pass);
        let mut f = healthy_files().unwrap();
        if let Ok(x) = &mut f[0].result {
            x.key_match = Some(Ok(false));
        }
        assert_eq!(files(Some(&f), &t).status, Status::Fail);
        let mut f = healthy_files().unwrap();
        if let Ok(x) = &mut f[0].result {
            x.cert = cert(3);
        }
        assert_eq!(files(Some(&f), &t).status, Status::Fail);
        f[0].result = Err("Permission denied (os error 13)".into());
        let v = files(Some(&f), &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("Permission denied"));
        assert_eq!(files(None, &t).status, Status::Skip);
        assert_eq!(files(Some(&Vec::new()), &t).status, Status::Skip);
    }
}
