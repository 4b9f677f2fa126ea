//! Redis checks: exposure, passwords, TLS and what app users may run.

use super::*;

/// Whether a `bind` word listens beyond loopback (`*`, `0.0.0.0`, `::`, or a real address).
fn exposed_bind(word: &str) -> bool {
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
    let tls_port = c.get("tls-port").cloned().unwrap_or_else(|| "0".into());
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
    let mut v =
        Verdict::pass("bound to loopback or protected, default user has a password, TLS on")
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
            .with("tls_port", &tls_port);
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
    if tls_port == "0" {
        v.escalate(
            Status::Warn,
            "no TLS port: session tokens cross the network in clear text".into(),
            "Set tls-port, tls-cert-file, tls-key-file and tls-ca-cert-file (and tls-replication yes); verify with `redis-cli --tls -p TLS_PORT PING`",
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
        assert_eq!(
            with(&|s| {
                s.config
                    .as_mut()
                    .unwrap()
                    .insert("tls-port".into(), "0".into());
            })
            .status,
            Status::Warn
        );
        let v = with(&|s| {
            s.acl.as_mut().unwrap().push(AclUser {
                name: "app".into(),
                enabled: true,
                nopass: false,
                all_commands: false,
                dangerous_allowed: vec!["FLUSHALL".into(), "KEYS".into()],
            })
        });
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("app may run FLUSHALL, KEYS"));
        let v = with(&|s| s.config = Err("ERR unknown command 'CONFIG'".into()));
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("unknown command"));
    }
}
