//! PostgreSQL checks: TLS (the live handshake, the settings, the certificate files) and access
//! (password encryption, pg_hba trust).

use super::*;

/// `postgres.tls`.
pub fn tls(look: Option<&crate::observe::TlsLook>, addr: &str, t: &Ctx) -> Verdict {
    crate::doctor::tls::live(look, addr, crate::doctor::tls::POSTGRES, t)
}

/// `postgres.tls_files`.
pub fn tls_files(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    match detail(s) {
        Ok(d) => match hidden_settings(d, crate::observe::postgres::CERT_FILE_SETTINGS) {
            Some(skip) => skip,
            None => crate::doctor::tls::files(d.cert_files.as_ref(), t),
        },
        Err(skip) => skip,
    }
}

/// A skip naming the settings pg_settings hides from this role (superuser-only ones: the
/// ssl_* files and versions, data_directory) and the grant that shows them; None when all are
/// readable. A hidden setting is never judged as if it were unset.
pub(super) fn hidden_settings(d: &PostgresDetail, names: &[&str]) -> Option<Verdict> {
    let hidden: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !d.settings.contains_key(*n))
        .collect();
    if hidden.is_empty() {
        return None;
    }
    Some(
        Verdict::skip(format!(
            "role {} cannot read {}: pg_settings shows them only to superusers and members of pg_read_all_settings",
            d.role,
            hidden.join(", ")
        ))
        .with("role", &d.role)
        .fix(format!(
            "GRANT pg_read_all_settings TO {}; (or run as a superuser), then rerun",
            d.role
        )),
    )
}

/// `postgres.tls_config`.
pub fn tls_config(s: &PostgresSnapshot, _t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    if let Some(skip) = hidden_settings(d, &["ssl", "ssl_min_protocol_version"]) {
        return skip;
    }
    let ssl = setting(d, "ssl");
    let min = setting(d, "ssl_min_protocol_version");
    let mut v = Verdict::pass("ssl on, TLS 1.3 minimum, no remote client in clear text")
        .with("ssl", ssl)
        .with("ssl_min_protocol_version", min)
        .with(
            "ssl_max_protocol_version",
            match setting(d, "ssl_max_protocol_version") {
                "" => "(none)",
                m => m,
            },
        );
    if ssl != "on" {
        v.escalate(
            Status::Warn,
            "ssl is off: credentials and state cross the network in clear text".into(),
            "Set ssl = on with ssl_cert_file/ssl_key_file and ssl_min_protocol_version = 'TLSv1.3' (reload), and require hostssl in pg_hba.conf; verify with `statectl doctor --only postgres.tls`",
        );
        return v;
    }
    if min != "TLSv1.3" {
        v.escalate(
            Status::Warn,
            format!("ssl_min_protocol_version is {}: the brief requires TLS 1.3", if min.is_empty() { "unset" } else { min }),
            "ALTER SYSTEM SET ssl_min_protocol_version = 'TLSv1.3'; SELECT pg_reload_conf(); check clients first with `statectl doctor --only postgres.tls`",
        );
    }
    match &d.plain_clients {
        Ok(clients) if !clients.is_empty() => {
            for c in clients.iter().take(10) {
                v = v.with(
                    "plain_client",
                    format!("{} as {} ({} backend(s))", c.addr, c.user, c.count),
                );
            }
            let first = &clients[0];
            v.escalate(
                Status::Warn,
                format!(
                    "{} remote client(s) without TLS, e.g. {} as {}",
                    clients.iter().map(|c| c.count).sum::<i64>(),
                    first.addr,
                    first.user
                ),
                "Make those clients use sslmode=verify-full, then allow only hostssl for remote hosts in pg_hba.conf (reload); list them with `SELECT client_addr, usename FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE NOT ssl`",
            );
        }
        Ok(_) => {}
        Err(e) => v = v.with("pg_stat_ssl", format!("unreadable: {e}")),
    }
    v
}

pub(super) fn local_address(addr: &str) -> bool {
    matches!(addr, "localhost" | "samehost")
        || addr
            .split('/')
            .next()
            .and_then(|a| a.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback())
}

/// `postgres.security`.
pub fn security(s: &PostgresSnapshot, _t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let enc = setting(d, "password_encryption");
    let mut v = Verdict::pass("scram-sha-256 passwords, no trust for remote hosts")
        .with("password_encryption", enc)
        .with("tls", "see postgres.tls and postgres.tls_config");
    if enc != "scram-sha-256" {
        v.escalate(
            Status::Warn,
            format!("password_encryption is {enc}"),
            "ALTER SYSTEM SET password_encryption = 'scram-sha-256', reload, then reset each role's password",
        );
    }
    match &d.hba_trust {
        Ok(rules) => {
            let remote: Vec<_> = rules
                .iter()
                .filter(|r| !local_address(&r.address))
                .collect();
            for r in &remote {
                v = v.with(
                    "pg_hba",
                    format!("line {}: {} {} trust", r.line, r.kind, r.address),
                );
            }
            if let Some(r) = remote.first() {
                v.escalate(
                    Status::Fail,
                    format!("pg_hba.conf line {} trusts {} without a password", r.line, r.address),
                    "Replace trust with scram-sha-256 (and hostssl) for every non-local line in pg_hba.conf, then SELECT pg_reload_conf()",
                );
            }
        }
        Err(e) => {
            let why = format!(
                "cannot read pg_hba_file_rules as {} (needs superuser): {e}",
                d.role
            );
            v = v.with("pg_hba", format!("unreadable: {e}"));
            if v.status == Status::Pass {
                return Verdict::skip(why)
                    .with("password_encryption", enc)
                    .with("pg_hba", format!("unreadable: {e}"));
            }
        }
    }
    v
}
