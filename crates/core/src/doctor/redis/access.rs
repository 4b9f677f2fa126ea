//! Redis checks: who may do what (ACL users against least privilege for the API's services)
//! and how clients connect (a connection per request instead of a pool).

use super::security::exposed_bind;
use super::*;
use crate::observe::redis::{Access, AclUser};

/// What the user this run connects as needs for `redis.acl`.
fn grant(user: &str) -> String {
    format!(
        "Let the monitoring user read the ACLs: `ACL SETUSER {user} +acl|list +acl|dryrun +client|list +client|info`, then run again"
    )
}

/// Admin powers an ACL user holds: every command, or what ACL DRYRUN let it run of FLUSHALL,
/// CONFIG, DEBUG and KEYS, or a category rule that grants @dangerous or @admin outright.
fn powers(u: &AclUser) -> Vec<String> {
    if u.all_commands {
        return vec!["every command (+@all)".into()];
    }
    let mut p = u.dangerous_allowed.clone();
    for cat in ["+@dangerous", "+@admin"] {
        if u.rules.split_whitespace().any(|r| r == cat) {
            p.push(cat.into());
        }
    }
    p
}

/// The ACL SETUSER line that narrows `u` to what a service of `access` needs; it names no
/// password. A user holding every key gets a placeholder prefix to fill in.
fn narrow(u: &AclUser, access: Option<Access>) -> String {
    let cmds = match access {
        Some(Access::ReadOnly) => "-@all +@read -@dangerous",
        _ => "-@all +@read +@write -@dangerous",
    };
    let keys = if u.all_keys() || u.key_patterns().is_empty() {
        " resetkeys ~PREFIX:*".to_string()
    } else {
        format!(" resetkeys {}", u.key_patterns().join(" "))
    };
    format!("ACL SETUSER {} {cmds}{keys}", u.name)
}

/// One problem `redis.acl` found: its status, the line for the summary, what to run.
struct Issue {
    status: Status,
    text: String,
    fix: String,
}

/// `redis.acl`.
pub fn acl(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let users = match &s.acl {
        Ok(u) => u,
        Err(e) if e.contains("NOPERM") || e.contains("no permissions") => {
            return Verdict::skip(format!(
                "the ACLs are not readable by {}: {e}",
                s.connected_as
            ))
            .fix(grant(&s.connected_as));
        }
        Err(e) => return Verdict::skip(format!("ACL LIST is not readable: {e}")),
    };
    let enabled: Vec<&AclUser> = users.iter().filter(|u| u.enabled).collect();
    let mut issues: Vec<Issue> = Vec::new();
    let mut v = Verdict::pass("")
        .with("users", users.len())
        .with("enabled_users", enabled.len())
        .with("connected_as", &s.connected_as);

    // users without a password: anyone who reaches the port is them (the default user needs
    // not even a name). Loopback only is a warning: every local process still is.
    let bind = config(s).ok().and_then(|c| c.get("bind").cloned());
    let exposed: Option<Vec<&str>> = bind.as_deref().map(|b| {
        // no bind line at all listens everywhere
        if b.trim().is_empty() {
            vec!["*"]
        } else {
            b.split_whitespace().filter(|w| exposed_bind(w)).collect()
        }
    });
    for u in enabled.iter().filter(|u| u.nopass) {
        let (who, fix) = if u.name == "default" {
            (
                "the default user needs no password".to_string(),
                "ACL SETUSER default off and give each service its own user (or ACL SETUSER default on >PASSWORD)".to_string(),
            )
        } else {
            (
                format!("user {} accepts any password (nopass)", u.name),
                format!(
                    "ACL SETUSER {} resetpass >PASSWORD (a secret of its own)",
                    u.name
                ),
            )
        };
        let (status, text) = match &exposed {
            Some(e) if e.is_empty() => (
                Status::Warn,
                format!("{who} (loopback only: every local process owns the data)"),
            ),
            Some(e) => (
                Status::Fail,
                format!("{who} while listening on {}", e.join(" ")),
            ),
            None => (
                Status::Fail,
                format!("{who} and the bind address is unknown (CONFIG GET denied)"),
            ),
        };
        v = v.with(format!("nopass {}", u.name), &u.rules);
        issues.push(Issue { status, text, fix });
    }

    // admin powers: fine for the operator this run connects as, not for a service
    for u in &enabled {
        let p = powers(u);
        if p.is_empty() {
            continue;
        }
        let declared = s.services.get(&u.name).copied();
        v = v.with(
            format!("user {}", u.name),
            format!("may run {}", p.join(", ")),
        );
        let (status, why) = match declared {
            Some(a) => (
                Status::Fail,
                format!("declared service {} ({})", u.name, a.as_str()),
            ),
            None if u.name == s.connected_as => continue,
            None => (Status::Warn, format!("user {}", u.name)),
        };
        issues.push(Issue {
            status,
            text: format!("{why} may run {}", p.join(", ")),
            fix: narrow(u, declared),
        });
    }

    // what the declarations say against what the ACLs allow
    for (name, access) in &s.services {
        let Some(u) = enabled.iter().find(|u| &u.name == name) else {
            issues.push(Issue {
                status: Status::Warn,
                text: format!(
                    "declared service {name} has no enabled ACL user: it connects as another one (default?)"
                ),
                fix: format!("ACL SETUSER {name} on >PASSWORD -@all +@read{} -@dangerous ~PREFIX:*, and point the service at it", if *access == Access::ReadWrite { " +@write" } else { "" }),
            });
            continue;
        };
        if *access != Access::ReadOnly {
            continue;
        }
        match &u.writes {
            Some(w) if !w.is_empty() => {
                let keys = if u.all_keys() {
                    "every key (~*)".to_string()
                } else {
                    format!("keys {}", u.key_patterns().join(" "))
                };
                v = v.with(format!("writes {name}"), w.join(", "));
                issues.push(Issue {
                    status: Status::Fail,
                    text: format!(
                        "declared read-only service {name} may write {keys} ({})",
                        w.join(", ")
                    ),
                    fix: narrow(u, Some(Access::ReadOnly)),
                });
            }
            Some(_) => {}
            None => v = v.with(format!("writes {name}"), "not asked (ACL DRYRUN)"),
        }
    }

    // one password for several users: one leak opens them all, and none rotates alone
    let mut shared: Vec<Vec<&str>> = Vec::new();
    let mut ids: Vec<u32> = enabled.iter().flat_map(|u| u.passwords.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let names: Vec<&str> = enabled
            .iter()
            .filter(|u| u.passwords.contains(&id))
            .map(|u| u.name.as_str())
            .collect();
        if names.len() > 1 && !shared.contains(&names) {
            shared.push(names);
        }
    }
    for names in &shared {
        issues.push(Issue {
            status: Status::Warn,
            text: format!("users {} share a password", names.join(", ")),
            fix: format!(
                "Give each user its own secret: ACL SETUSER NAME resetpass >NEW_PASSWORD for all but one of {}",
                names.join(", ")
            ),
        });
    }

    // users nobody connected as during the window
    match &s.clients {
        Ok(c) => {
            let unseen: Vec<&str> = enabled
                .iter()
                .filter(|u| u.name != s.connected_as && !c.users.contains(&u.name))
                .map(|u| u.name.as_str())
                .collect();
            let secs = s.window.as_secs_f64();
            v = v.with("client_list_reads", c.samples);
            if !unseen.is_empty() {
                v = v.with("not_seen_connected", unseen.join(", "));
                if secs >= t.redis.acl_unused_min_window_s {
                    issues.push(Issue {
                        status: Status::Warn,
                        text: format!(
                            "{} not connected in any of {} CLIENT LIST reads over {secs:.0} s (a client that connects between reads is missed)",
                            match unseen.as_slice() {
                                [one] => format!("user {one} was"),
                                many => format!("users {} were", many.join(", ")),
                            },
                            c.samples
                        ),
                        fix: format!(
                            "If nothing uses them, ACL SETUSER NAME off for each of {} (ACL LOG shows failed logins); a longer --sample sees more",
                            unseen.join(", ")
                        ),
                    });
                } else {
                    v = v.with(
                        "unused",
                        format!(
                            "not judged: a {secs:.1} s window is below redis.acl_unused_min_window_s ({} s)",
                            t.redis.acl_unused_min_window_s
                        ),
                    );
                }
            }
        }
        Err(e) => v = v.with("unused", format!("not judged: CLIENT LIST: {e}")),
    }

    let Some(worst) = issues.iter().map(|i| i.status).max() else {
        v.summary = format!(
            "{} enabled user(s): no service holds admin powers, no shared passwords",
            enabled.len()
        );
        return v;
    };
    let texts: Vec<&str> = issues
        .iter()
        .filter(|i| i.status == worst)
        .map(|i| i.text.as_str())
        .collect();
    let mut fixes: Vec<&str> = Vec::new();
    for i in &issues {
        if !fixes.contains(&i.fix.as_str()) {
            fixes.push(&i.fix);
        }
    }
    v.status = worst;
    v.summary = texts.join("; ");
    v.remediation = format!(
        "{}; verify with `redis-cli ACL LIST` and `ACL DRYRUN USER COMMAND`",
        fixes.join("; ")
    );
    v
}

/// `redis.connection_churn`.
pub fn connection_churn(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let (_, b) = match window(s) {
        Ok(x) => x,
        Err(v) => return v,
    };
    let a = match &s.stats_start {
        Ok(a) => a,
        Err(e) => {
            return Verdict::skip(format!(
                "the counters were not read at the start of the window: {e}"
            ))
        }
    };
    let secs = s.window.as_secs_f64();
    let counters = (
        num(a, "total_connections_received"),
        num(b, "total_connections_received"),
        num(a, "total_commands_processed"),
        num(b, "total_commands_processed"),
    );
    let (Some(c0), Some(c1), Some(k0), Some(k1)) = counters else {
        return Verdict::skip(
            "INFO stats lacks total_connections_received or total_commands_processed",
        );
    };
    if secs <= 0.0 {
        return Verdict::skip("no window to measure over");
    }
    let conns = (c1 - c0).max(0.0);
    // this run's own commands in the window: its PINGs, CLIENT LIST reads and the INFO stats
    // that opened it
    let samples = s.clients.as_ref().map_or(0, |c| c.samples);
    let own = s.pings.len() as f64 + f64::from(s.ping_timeouts) + f64::from(samples) + 1.0;
    let commands = (k1 - k0 - own).max(0.0);
    let rate = conns / secs;
    let per_conn = (conns > 0.0).then(|| commands / conns);
    let mut v = Verdict::pass(format!(
        "{rate:.1} new connections/s{}",
        per_conn.map_or(String::new(), |p| format!(", {p:.1} commands each"))
    ))
    .with("new_connections", conns)
    .with("window_s", format!("{secs:.3}"))
    .with("connections_per_s", format!("{rate:.1}"))
    .with("commands", commands)
    .with(
        "commands_per_connection",
        per_conn.map_or("no new connection".into(), |p| format!("{p:.1}")),
    );
    let young = match &s.clients {
        Ok(c) if c.young.is_empty() => String::new(),
        Ok(c) => {
            let top: Vec<String> = c
                .young
                .iter()
                .map(|y| format!("{} ({})", y.addr, y.connections))
                .collect();
            v = v.with("young_connections_from", top.join(", "));
            format!("; connections 0-1 s old from {}", top.join(", "))
        }
        Err(e) => {
            v = v.with(
                "young_connections_from",
                format!("unknown: CLIENT LIST: {e}"),
            );
            String::new()
        }
    };
    let fix = "Clients connect per request: use a pool (one long-lived connection, or a small pool, per process: redis-py ConnectionPool, go-redis PoolSize, Lettuce/ioredis share one connection); verify with `redis-cli INFO stats` (total_connections_received should stay flat) and `CLIENT LIST` (ages in minutes, not 0-1 s)";
    let r = &t.redis;
    if rate > r.churn_fail_per_s {
        v.escalate(
            Status::Fail,
            format!(
                "{rate:.0} new connections/s (above {}): clients connect per request, use a pool{young}",
                r.churn_fail_per_s
            ),
            fix,
        );
    } else if rate > r.churn_warn_per_s {
        v.escalate(
            Status::Warn,
            format!(
                "{rate:.0} new connections/s (above {}): clients connect per request, use a pool{young}",
                r.churn_warn_per_s
            ),
            fix,
        );
    }
    if let Some(p) =
        per_conn.filter(|p| rate >= r.churn_min_per_s && *p < r.commands_per_connection_warn)
    {
        v.escalate(
            Status::Warn,
            format!(
                "{p:.1} commands per new connection at {rate:.0} new connections/s: clients connect per request, use a pool{young}"
            ),
            fix,
        );
    }
    v
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::redis::{ClientSample, YoungClients};

    fn user(name: &str, rules: &str, passwords: &[u32]) -> AclUser {
        let mut u = crate::observe::redis::parse_acl_line(&format!("user {name} {rules}")).unwrap();
        u.passwords = passwords.to_vec();
        u
    }

    fn judged(f: &dyn Fn(&mut RedisSnapshot)) -> Verdict {
        let th = Thresholds::default();
        let t = Ctx {
            thresholds: &th,
            obs: &HOST,
        };
        let mut s = snapshot(&[]);
        s.clients = Ok(ClientSample {
            samples: 5,
            users: vec!["app".into()],
            young: Vec::new(),
        });
        f(&mut s);
        acl(&s, &t)
    }

    #[test]
    fn acl_judges_nopass_powers_declarations_shared_passwords_and_unused_users() {
        assert_eq!(judged(&|_| {}).status, Status::Pass);
        // default nopass: warn on loopback, fail on a public bind or an unknown one
        let nopass = |s: &mut RedisSnapshot| s.acl.as_mut().unwrap()[0].nopass = true;
        assert_eq!(judged(&nopass).status, Status::Warn);
        let v = judged(&|s| {
            nopass(s);
            s.config
                .as_mut()
                .unwrap()
                .insert("bind".into(), "* -::*".into());
        });
        assert_eq!(v.status, Status::Fail, "{v:?}");
        assert!(v.summary.contains("listening on *"), "{}", v.summary);
        let v = judged(&|s| {
            nopass(s);
            s.config = Err("NOPERM".into());
        });
        assert_eq!(v.status, Status::Fail);
        // so does any other user with nopass
        let v = judged(&|s| {
            s.acl
                .as_mut()
                .unwrap()
                .push(user("app", "on nopass ~s:* -@all +get", &[]))
        });
        assert_eq!(v.status, Status::Warn);
        assert!(
            v.summary.contains("user app accepts any password"),
            "{}",
            v.summary
        );
        // another user with +@all warns; declared a service, it fails with the narrowing line
        let admin = |s: &mut RedisSnapshot| {
            s.acl
                .as_mut()
                .unwrap()
                .push(user("app", "on ~* &* +@all", &[1]))
        };
        let v = judged(&admin);
        assert_eq!(v.status, Status::Warn, "{v:?}");
        assert!(v.summary.contains("user app may run every command"));
        let v = judged(&|s| {
            admin(s);
            s.services.insert("app".into(), Access::ReadWrite);
        });
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.remediation
                .contains("ACL SETUSER app -@all +@read +@write -@dangerous resetkeys ~PREFIX:*"),
            "{}",
            v.remediation
        );
        // +@all -@dangerous is not every command; DRYRUN's answers decide
        let u = user("app", "on ~session:* +@all -@dangerous", &[]);
        assert!(!u.all_commands && powers(&u).is_empty());
        assert_eq!(u.key_patterns(), vec!["~session:*"]);
        // a read-only service that may write
        let v = judged(&|s| {
            let mut u = user("reader", "on ~* +@read +@write", &[2]);
            u.writes = Some(vec!["SET".into(), "DEL".into()]);
            s.acl.as_mut().unwrap().push(u);
            s.clients.as_mut().unwrap().users.push("reader".into());
            s.services.insert("reader".into(), Access::ReadOnly);
        });
        assert_eq!(v.status, Status::Fail);
        assert!(v
            .summary
            .contains("reader may write every key (~*) (SET, DEL)"));
        assert!(v
            .remediation
            .contains("ACL SETUSER reader -@all +@read -@dangerous resetkeys ~PREFIX:*"));
        // a declared service with no user
        let v = judged(&|s| {
            s.services.insert("ghost".into(), Access::ReadOnly);
        });
        assert_eq!(v.status, Status::Warn);
        // two users, one password: named, never the hash
        let v = judged(&|s| {
            let acl = s.acl.as_mut().unwrap();
            acl[0].passwords = vec![7];
            acl.push(user("app", "on ~s:* -@all +get", &[7]));
        });
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("users default, app share a password"));
        // unused: listed on a short window, judged on a long one
        let idle = |s: &mut RedisSnapshot| {
            s.acl
                .as_mut()
                .unwrap()
                .push(user("batch", "on ~b:* -@all +get", &[3]))
        };
        let v = judged(&idle);
        assert_eq!(v.status, Status::Pass);
        assert_eq!(ev(&v, "not_seen_connected"), "batch");
        let v = judged(&|s| {
            idle(s);
            s.window = std::time::Duration::from_secs(60);
        });
        assert_eq!(v.status, Status::Warn);
        assert!(
            v.summary.contains("user batch was not connected"),
            "{}",
            v.summary
        );
        // ACL LIST refused: skip, naming the permission to grant
        let v = judged(&|s| {
            s.acl = Err("NOPERM this user has no permissions to run the 'acl|list' command".into());
            s.connected_as = "monitor".into();
        });
        assert_eq!(v.status, Status::Skip);
        assert!(v.remediation.contains("ACL SETUSER monitor +acl|list"));
    }

    #[test]
    fn churn_judges_the_rate_and_commands_per_connection() {
        let th = Thresholds::default();
        let t = Ctx {
            thresholds: &th,
            obs: &HOST,
        };
        // the snapshot's window is 1 s with 100 PINGs and 5 CLIENT LIST reads of its own
        let with = |conns: u64, cmds: u64| {
            let mut s = snapshot(&[
                ("total_connections_received", "1000"),
                ("total_commands_processed", "50000"),
            ]);
            s.stats_start = s.info.clone();
            s.clients = Ok(ClientSample {
                samples: 5,
                users: Vec::new(),
                young: vec![YoungClients {
                    addr: "10.0.0.7".into(),
                    connections: 12,
                }],
            });
            end(
                &mut s,
                &[
                    ("total_connections_received", &(1000 + conns).to_string()),
                    (
                        "total_commands_processed",
                        &(50000 + 106 + cmds).to_string(),
                    ),
                ],
            );
            connection_churn(&s, &t)
        };
        assert_eq!(with(0, 0).status, Status::Pass);
        assert_eq!(with(100, 100_000).status, Status::Pass);
        assert_eq!(with(101, 100_000).status, Status::Warn);
        assert_eq!(with(1000, 1_000_000).status, Status::Warn);
        let v = with(1001, 1_000_000);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("from 10.0.0.7 (12)") && v.summary.contains("use a pool"));
        // one connection per few commands
        assert_eq!(with(10, 100).status, Status::Pass);
        let v = with(10, 99);
        assert_eq!(v.status, Status::Warn, "{v:?}");
        assert_eq!(ev(&v, "commands_per_connection"), "9.9");
        // below churn_min_per_s the ratio is not judged
        assert_eq!(with(9, 9).status, Status::Pass);
        let mut s = snapshot(&[]);
        s.stats_start = Err("not collected".into());
        assert_eq!(connection_churn(&s, &t).status, Status::Skip);
    }
}
