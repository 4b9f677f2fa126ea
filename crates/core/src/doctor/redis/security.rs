//! Redis checks: exposure, passwords, TLS and what app users may run.

use super::*;
use crate::observe::TlsLook;

/// Whether a `bind` word listens beyond loopback (`*`, `0.0.0.0`, `::`, or a real address).
pub(super) fn exposed_bind(word: &str) -> bool {
    let w = word.trim_start_matches('-');
    match w {
        "*" | "::*" | "0.0.0.0" | "::" => true,
        other => other
            .parse::<std::net::IpAddr>()
            .map(|ip| !ip.is_loopback())
            .unwrap_or(other != "localhost"),
    }
}

/// `redis.security`.
pub fn security(s: &RedisSnapshot, _t: &Ctx) -> Verdict {
    let c = match config(s) {
        Ok(c) => c,
        Err(skip) => return skip,
    };
    let bind = c.get("bind").cloned().unwrap_or_default();
    let protected = c.get("protected-mode").cloned().unwrap_or_default();
    // The default user's password state: from ACL LIST when we may read it, else requirepass,
    // of which the probe keeps only whether it is set (observe::redis::config_from_pairs).
    let default_nopass = match &s.acl {
        Ok(users) => users
            .iter()
            .any(|u| u.name == "default" && u.enabled && u.nopass),
        Err(_) => c.get("requirepass").is_none_or(|p| p.is_empty()),
    };
    let exposed: Vec<&str> = bind
        .split_whitespace()
        .filter(|w| exposed_bind(w))
        .collect();
    let mut v = Verdict::pass("bound to loopback or protected, default user has a password")
        .with(
            "bind",
            if bind.is_empty() {
                "(all interfaces)"
            } else {
                &bind
            },
        )
        .with("protected_mode", &protected)
        .with("default_user_nopass", default_nopass)
        .with("tls", "see redis.tls and redis.tls_config");
    if let Err(e) = &s.acl {
        v = v.with("acl", format!("unreadable: {e}"));
    }
    if !exposed.is_empty() && (default_nopass || protected == "no") {
        v.escalate(
            Status::Fail,
            format!(
                "listening on {} with {}: anyone who can reach the port owns the data",
                exposed.join(" "),
                if default_nopass { "a passwordless default user" } else { "protected-mode no" }
            ),
            "Give the default user a password (ACL SETUSER default on >PASSWORD, or requirepass) or disable it, keep protected-mode yes, and bind only private addresses; verify with `redis-cli ACL LIST` and `CONFIG GET bind`",
        );
    }
    if default_nopass {
        v.escalate(
            Status::Warn,
            "the default user needs no password".into(),
            "ACL SETUSER default on >PASSWORD (or requirepass), or `ACL SETUSER default off` and give each service its own user; verify with `redis-cli ACL LIST`",
        );
    }
    if let Ok(users) = &s.acl {
        for u in users.iter().filter(|u| !u.dangerous_allowed.is_empty()) {
            v = v.with(
                format!("user {}", u.name),
                format!("may run {}", u.dangerous_allowed.join(", ")),
            );
            v.escalate(
                Status::Warn,
                format!("ACL user {} may run {}", u.name, u.dangerous_allowed.join(", ")),
                "Give each service its own minimal user: ACL SETUSER NAME -@dangerous -@admin -keys -flushall; verify with `redis-cli ACL DRYRUN NAME FLUSHALL`",
            );
        }
    }
    v
}

/// `redis.tls`.
pub fn tls(look: Option<&TlsLook>, addr: &str, t: &Ctx) -> Verdict {
    crate::doctor::tls::live(look, addr, crate::doctor::tls::REDIS, t)
}

/// `redis.tls_files`.
pub fn tls_files(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    crate::doctor::tls::files(s.cert_files.as_ref(), t)
}

/// `redis.tls_config`.
pub fn tls_config(s: &RedisSnapshot, _t: &Ctx) -> Verdict {
    let c = match config(s) {
        Ok(c) => c,
        Err(skip) => return skip,
    };
    let get = |k: &str| c.get(k).map(String::as_str).unwrap_or("");
    let port = match get("tls-port") {
        "" => "0",
        p => p,
    };
    // Redis's default when tls-protocols is empty: "TLSv1.2 TLSv1.3"
    let protocols = match get("tls-protocols") {
        "" => "TLSv1.2 TLSv1.3 (default)",
        p => p,
    };
    let mut v =
        Verdict::pass("TLS port on, clients authenticated, replication over TLS, TLS 1.3 only")
            .with("tls_port", port)
            .with("tls_auth_clients", get("tls-auth-clients"))
            .with("tls_replication", get("tls-replication"))
            .with("tls_protocols", protocols);
    if port == "0" {
        v.escalate(
            Status::Warn,
            "no TLS port: session tokens cross the network in clear text".into(),
            "Set tls-port, tls-cert-file, tls-key-file and tls-ca-cert-file (and tls-replication yes, tls-protocols \"TLSv1.3\"), then `port 0`; verify with `redis-cli --tls --cacert CA -p TLS_PORT PING`",
        );
        return v;
    }
    if get("tls-auth-clients") != "yes" {
        v.escalate(
            Status::Warn,
            format!("tls-auth-clients {}: clients are not asked for a certificate", get("tls-auth-clients")),
            "CONFIG SET tls-auth-clients yes (and in redis.conf), with tls-ca-cert-file naming the CA that signs client certificates; clients then need --tls-cert/--tls-key",
        );
    }
    let replicas = s
        .info
        .as_ref()
        .ok()
        .and_then(|i| num(i, "connected_slaves"))
        .unwrap_or(0.0);
    if get("tls-replication") != "yes" && replicas > 0.0 {
        v.escalate(
            Status::Warn,
            format!("tls-replication no with {replicas} replica(s): the replication stream is clear text"),
            "CONFIG SET tls-replication yes on the primary and its replicas (and in redis.conf), replicas pointing at the primary's tls-port",
        );
    }
    let old: Vec<&str> = protocols
        .split_whitespace()
        .filter(|p| ["TLSv1", "TLSv1.1", "TLSv1.2"].contains(p))
        .collect();
    if !old.is_empty() {
        v.escalate(
            Status::Warn,
            format!("tls-protocols allows {}: the brief requires TLS 1.3", old.join(" ")),
            "CONFIG SET tls-protocols TLSv1.3 (and in redis.conf); check clients first with `statectl doctor --only redis.tls`",
        );
    }
    v
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::redis::AclUser;
    #[test]
    fn security_exposure_passwords_tls_and_acl_users() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        let with = |f: &dyn Fn(&mut RedisSnapshot)| {
            let mut s = snapshot(&[]);
            f(&mut s);
            security(&s, &t)
        };
        let nopass = |s: &mut RedisSnapshot| s.acl.as_mut().unwrap()[0].nopass = true;
        let bind_all = |s: &mut RedisSnapshot| {
            s.config
                .as_mut()
                .unwrap()
                .insert("bind".into(), "0.0.0.0".into());
        };
        assert_eq!(with(&|s| nopass(s)).status, Status::Warn);
        assert_eq!(with(&|s| bind_all(s)).status, Status::Pass);
        let v = with(&|s| {
            nopass(s);
            bind_all(s)
        });
        assert_eq!(v.status, Status::Fail);
        let v = with(&|s| {
            bind_all(s);
            s.config
                .as_mut()
                .unwrap()
                .insert("protected-mode".into(), "no".into());
        });
        assert_eq!(v.status, Status::Fail);
        let v = with(&|s| {
            s.config
                .as_mut()
                .unwrap()
                .insert("bind".into(), "10.0.0.5".into());
            nopass(s)
        });
        assert_eq!(v.status, Status::Fail);
        // TLS is no longer security's to judge: redis.tls_config says it
        let no_tls = |s: &mut RedisSnapshot| {
            s.config
                .as_mut()
                .unwrap()
                .insert("tls-port".into(), "0".into());
        };
        assert_eq!(with(&no_tls).status, Status::Pass);
        let cfg = |f: &dyn Fn(&mut RedisSnapshot)| {
            let mut s = snapshot(&[]);
            f(&mut s);
            tls_config(&s, &t)
        };
        let set = |k: &'static str, v: &'static str| {
            move |s: &mut RedisSnapshot| {
                s.config.as_mut().unwrap().insert(k.into(), v.into());
            }
        };
        assert_eq!(cfg(&|_| {}).status, Status::Pass);
        assert_eq!(cfg(&no_tls).status, Status::Warn);
        assert_eq!(cfg(&set("tls-auth-clients", "no")).status, Status::Warn);
        assert_eq!(
            cfg(&set("tls-protocols", "TLSv1.2 TLSv1.3")).status,
            Status::Warn
        );
        let v = cfg(&set("tls-protocols", ""));
        assert!(v.summary.contains("TLSv1.2"), "{}", v.summary);
        assert_eq!(cfg(&set("tls-replication", "no")).status, Status::Pass);
        let v = cfg(&|s| {
            set("tls-replication", "no")(s);
            for i in [s.info.as_mut().unwrap(), s.info_end.as_mut().unwrap()] {
                i.insert("connected_slaves".into(), "2".into());
            }
        });
        assert_eq!(v.status, Status::Warn);
        let v = with(&|s| {
            s.acl.as_mut().unwrap().push(AclUser {
                name: "app".into(),
                enabled: true,
                nopass: false,
                all_commands: false,
                dangerous_allowed: vec!["FLUSHALL".into(), "KEYS".into()],
                ..Default::default()
            })
        });
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("app may run FLUSHALL, KEYS"));
        let v = with(&|s| s.config = Err("ERR unknown command 'CONFIG'".into()));
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("unknown command"));
    }
}
