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

/// A pg_hba rule's address as pg_hba.conf means it. pg_hba_file_rules gives the address and the
/// netmask apart (10.0.0.0/8 is `10.0.0.0` and `255.0.0.0`): they are joined back as
/// `NETWORK/PREFIX`, the address masked (`127.0.0.1` with `0.0.0.0` is `0.0.0.0/0`); a mask that
/// is no prefix stays `ADDRESS MASK`; a name (all, samehost, a host name) is kept as written.
pub(super) fn network(address: &str, netmask: &str) -> String {
    use std::net::IpAddr;
    let (Ok(addr), Ok(mask)) = (address.parse::<IpAddr>(), netmask.parse::<IpAddr>()) else {
        return address.to_string();
    };
    let bits = |ip: IpAddr| match ip {
        IpAddr::V4(v) => (u128::from(u32::from(v)) << 96, 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    };
    let ((a, width), (m, mask_width)) = (bits(addr), bits(mask));
    let prefix = m.leading_ones();
    if width != mask_width || m.checked_shl(prefix).unwrap_or(0) != 0 {
        return format!("{address} {netmask}");
    }
    let net = a & m;
    let shown = match addr {
        IpAddr::V4(_) => IpAddr::from(std::net::Ipv4Addr::from((net >> 96) as u32)),
        IpAddr::V6(_) => IpAddr::from(std::net::Ipv6Addr::from(net)),
    };
    format!("{shown}/{prefix}")
}

/// Whether a rule's network (as [`network`] gives it) holds only this host: localhost,
/// samehost, or loopback addresses alone (127.0.0.0/8 or narrower, ::1/128).
pub(super) fn local_address(net: &str) -> bool {
    if matches!(net, "localhost" | "samehost") {
        return true;
    }
    let (addr, prefix) = match net.split_once('/') {
        Some((a, p)) => (a, p.parse::<u32>().ok()),
        None => (net, None),
    };
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback() && prefix.is_none_or(|p| p >= 8),
        Ok(std::net::IpAddr::V6(ip)) => ip.is_loopback() && prefix.is_none_or(|p| p == 128),
        Err(_) => false,
    }
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
                .map(|r| (r, network(&r.address, &r.netmask)))
                .filter(|(_, net)| !local_address(net))
                .collect();
            for (r, net) in &remote {
                v = v.with("pg_hba", format!("line {}: {} {net} trust", r.line, r.kind));
            }
            if let Some((r, net)) = remote.first() {
                v.escalate(
                    Status::Fail,
                    format!("pg_hba.conf line {} trusts {net} without a password", r.line),
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
