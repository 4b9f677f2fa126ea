//! PostgreSQL checks: least privilege of the roles (issue 30).
//!
//! What is expected and not reported: the bootstrap superuser (initdb's, oid 10: it cannot lose
//! SUPERUSER) unless statectl connects as it; a login role whose only attribute is REPLICATION (a
//! standby's or pg_basebackup's). A password that never expires (VALID UNTIL unset) is shown,
//! not judged: a service role's password that expires locks the service out on that date, and
//! rotation by policy does not need it.

use super::*;
use crate::observe::postgres::PasswordKind;

/// A role or schema name as SQL needs it: bare when it is lower case letters, digits and
/// underscores (not a word SQL reserves for itself), else double-quoted.
pub(super) fn ident(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "all",
        "user",
        "current_user",
        "session_user",
        "current_role",
        "none",
        "default",
        "select",
        "table",
        "group",
        "order",
        "role",
        "to",
        "from",
        "grant",
        "with",
    ];
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain && !RESERVED.contains(&name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// One finding of the check: its status, its line, the statements that narrow it.
struct Finding {
    status: Status,
    summary: String,
    fix: String,
}

/// `postgres.roles`.
pub fn roles(s: &PostgresSnapshot, _t: &Ctx) -> Verdict {
    let d = match detail(s) {
        Ok(d) => d,
        Err(skip) => return skip,
    };
    let db = if d.database.is_empty() {
        "the connected database".to_string()
    } else {
        format!("database {}", d.database)
    };
    let me = ident(&d.role);
    let mut v = Verdict::pass(format!(
        "login roles hold only what they need, passwords are SCRAM, PUBLIC cannot CREATE in {db}'s schemas, no login role owns tables, no superuser is connected from another host"
    ))
    .with("role", &d.role);
    let mut found: Vec<Finding> = Vec::new();
    // (what could not be read, why, the grant that shows it)
    let mut unread: Vec<(&str, String, String)> = Vec::new();

    match &d.login_roles {
        Ok(roles) => attributes(d, roles, &mut v, &mut found),
        Err(e) => unread.push((
            "the login roles",
            format!("pg_roles could not be read: {e}"),
            String::new(),
        )),
    }

    let kinds = d.password_kinds.as_ref();
    match kinds {
        Ok(kinds) => {
            let md5: Vec<&str> = kinds
                .iter()
                .filter(|(_, k)| *k == PasswordKind::Md5)
                .map(|(r, _)| r.as_str())
                .collect();
            let plain: Vec<&str> = kinds
                .iter()
                .filter(|(_, k)| *k == PasswordKind::Other)
                .map(|(r, _)| r.as_str())
                .collect();
            for r in &md5 {
                v = v.with("md5_password", r);
            }
            for r in &plain {
                v = v.with("plain_text_password", r);
            }
            let again = md5
                .iter()
                .chain(&plain)
                .map(|r| format!("\\password {}", ident(r)))
                .collect::<Vec<_>>()
                .join(", ");
            if !md5.is_empty() || !plain.is_empty() {
                let mut what = Vec::new();
                if !md5.is_empty() {
                    what.push(format!("as md5 hashes: {}", md5.join(", ")));
                }
                if !plain.is_empty() {
                    what.push(format!("in plain text: {}", plain.join(", ")));
                }
                let why = if md5.is_empty() {
                    "whoever reads pg_authid or a backup reads the password"
                } else {
                    "an md5 hash logs in as if it were the password"
                };
                found.push(Finding {
                    status: Status::Warn,
                    summary: format!(
                        "login role passwords stored {} ({why})",
                        what.join("; ")
                    ),
                    fix: format!(
                        "With password_encryption = 'scram-sha-256', set each password again from psql ({again}: psql hashes it before sending it), then write scram-sha-256 for md5 in pg_hba.conf and SELECT pg_reload_conf();"
                    ),
                });
            }
        }
        Err(e) => unread.push((
            "which passwords are md5 hashes",
            format!("pg_authid is readable only by superusers ({e})"),
            format!(
                "GRANT pg_read_all_data TO {me}; (it also reads every table) or, narrower, GRANT SELECT (rolname, rolcanlogin, rolpassword) ON pg_authid TO {me}; pg_monitor and pg_read_all_settings do not give it (statectl reads only each hash's kind, computed in the server)."
            ),
        )),
    }

    // info only: shown, never judged (see the module's doc)
    if let Ok(roles) = &d.login_roles {
        let with_password = |name: &str| match kinds {
            Ok(k) => k
                .iter()
                .any(|(r, kind)| r == name && *kind != PasswordKind::None),
            Err(_) => true,
        };
        let never: Vec<&str> = roles
            .iter()
            .filter(|r| r.never_expires && with_password(&r.name))
            .map(|r| r.name.as_str())
            .collect();
        if !never.is_empty() {
            v = v.with(
                "password_never_expires",
                format!("{} (info: VALID UNTIL unset)", never.join(", ")),
            );
        }
    }

    match setting(d, "password_encryption") {
        enc @ ("md5" | "on") => found.push(Finding {
            status: Status::Warn,
            summary: format!(
                "password_encryption is {enc}: new and changed passwords are stored as md5 hashes"
            ),
            fix: "ALTER SYSTEM SET password_encryption = 'scram-sha-256'; SELECT pg_reload_conf();"
                .into(),
        }),
        "" => {}
        enc => v = v.with("password_encryption", enc),
    }

    match &d.public_create {
        Ok(schemas) if !schemas.is_empty() => {
            let revoke: Vec<String> = schemas
                .iter()
                .map(|s| format!("REVOKE CREATE ON SCHEMA {} FROM PUBLIC;", ident(s)))
                .collect();
            v = v.with("public_create", schemas.join(", "));
            found.push(Finding {
                status: Status::Warn,
                summary: format!(
                    "PUBLIC may CREATE in schema {} of {db}: any role can plant tables and functions there that others' queries resolve to (the default before PostgreSQL 15)",
                    schemas.join(", ")
                ),
                fix: format!(
                    "In {db} (and in every other database and template1): {}",
                    revoke.join(" ")
                ),
            });
        }
        Ok(_) => {}
        Err(e) => unread.push((
            "the schema privileges",
            format!("pg_namespace could not be read: {e}"),
            String::new(),
        )),
    }

    match &d.table_owners {
        Ok(owners) => {
            for o in owners {
                let now = if o.connected { ", connected now" } else { "" };
                v = v.with(
                    "table_owner",
                    format!("{}: {} table(s), e.g. {}{now}", o.role, o.tables, o.example),
                );
            }
            for o in owners {
                let (role, owner) = (ident(&o.role), ident(&format!("{}_owner", o.role)));
                let grants: Vec<String> = o
                    .schemas
                    .iter()
                    .map(|s| {
                        format!(
                            "GRANT USAGE ON SCHEMA {s} TO {role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {role};"
                        )
                    })
                    .collect();
                found.push(Finding {
                    status: Status::Warn,
                    summary: format!(
                        "login role {} owns {} table(s) of {db} (e.g. {}): whoever logs in as it can ALTER and DROP them",
                        o.role, o.tables, o.example
                    ),
                    fix: format!(
                        "In {db}: CREATE ROLE {owner} NOLOGIN; REASSIGN OWNED BY {role} TO {owner}; {} ALTER DEFAULT PRIVILEGES FOR ROLE {owner} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}; run migrations as {owner} (GRANT {owner} TO the migrating role; SET ROLE {owner});",
                        grants.join(" ")
                    ),
                });
            }
        }
        Err(e) => unread.push((
            "the table owners",
            format!("pg_class could not be read: {e}"),
            String::new(),
        )),
    }

    match &d.remote_superusers {
        _ if !d.can_monitor => unread.push((
            "where superusers connect from",
            format!(
                "pg_stat_activity hides other roles' client_addr from {}",
                d.role
            ),
            format!("GRANT pg_monitor TO {me};"),
        )),
        Ok(sessions) => {
            for c in sessions {
                v = v.with(
                    "remote_superuser",
                    format!("{} from {} ({} session(s))", c.user, c.addr, c.count),
                );
            }
            if let Some(first) = sessions.first() {
                let users: std::collections::BTreeSet<&str> =
                    sessions.iter().map(|c| c.user.as_str()).collect();
                let reject: Vec<String> = users
                    .iter()
                    .map(|u| format!("`host all {} all reject`", ident(u)))
                    .collect();
                found.push(Finding {
                    status: Status::Fail,
                    summary: format!(
                        "superuser {} is connected from {} ({} superuser session(s) from other hosts): a superuser's password crosses the network and works from there",
                        first.user,
                        first.addr,
                        sessions.iter().map(|c| c.count).sum::<i64>()
                    ),
                    fix: format!(
                        "Do remote work as a role without SUPERUSER; let superusers in on local (Unix socket) lines only: put {} above the other host lines of pg_hba.conf and SELECT pg_reload_conf();",
                        reject.join(", ")
                    ),
                });
            }
        }
        Err(e) => unread.push((
            "where superusers connect from",
            format!("pg_stat_activity could not be read: {e}"),
            String::new(),
        )),
    }

    for (what, why, _) in &unread {
        v = v.with("not_checked", format!("{what}: {why}"));
    }
    // the worst first; every finding's line in the evidence, every statement in the fix
    found.sort_by_key(|f| std::cmp::Reverse(f.status));
    if let Some(worst) = found.first() {
        for f in &found {
            v = v.with("finding", &f.summary);
        }
        let more = match found.len() {
            1 => String::new(),
            n => format!(" (and {} more: see finding)", n - 1),
        };
        let mut fixes: Vec<&str> = Vec::new();
        for f in &found {
            if !fixes.contains(&f.fix.as_str()) {
                fixes.push(&f.fix);
            }
        }
        v.status = worst.status;
        v.summary = format!("{}{more}", worst.summary);
        v.remediation = fixes.join(" ");
        return v;
    }
    // a pass needs every input: what could not be read is not known to be sound
    if let Some((what, why, grant)) = unread.first() {
        v.status = Status::Skip;
        v.summary = format!("not checked: {what}: {why}");
        let grants: Vec<&str> = unread
            .iter()
            .map(|(_, _, g)| g.as_str())
            .filter(|g| !g.is_empty())
            .collect();
        v.remediation = if grants.is_empty() {
            grant.clone()
        } else {
            format!("{} Then rerun.", grants.join(" "))
        };
    }
    v
}

/// Adds one piece of evidence to a verdict held by reference.
fn note(v: &mut Verdict, key: &str, value: String) {
    v.evidence.push(crate::model::Evidence {
        key: key.into(),
        value,
    });
}

/// The login roles' attributes: SUPERUSER, CREATEROLE, CREATEDB, BYPASSRLS beyond what is
/// expected, and statectl's own role.
fn attributes(
    d: &PostgresDetail,
    roles: &[crate::observe::postgres::LoginRole],
    v: &mut Verdict,
    found: &mut Vec<Finding>,
) {
    for r in roles {
        let attrs: Vec<&str> = [
            (r.superuser, "SUPERUSER"),
            (r.createrole, "CREATEROLE"),
            (r.createdb, "CREATEDB"),
            (r.bypassrls, "BYPASSRLS"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, a)| *a)
        .collect();
        let mine = r.name == d.role;
        let name = ident(&r.name);
        if attrs.is_empty() {
            if r.replication {
                note(
                    v,
                    "expected",
                    format!(
                        "{}: REPLICATION only (a standby's or pg_basebackup's role)",
                        r.name
                    ),
                );
            }
            continue;
        }
        if r.bootstrap && !mine {
            note(
                v,
                "expected",
                format!("{}: the bootstrap superuser (it cannot lose SUPERUSER; keep it to local peer login)", r.name),
            );
            continue;
        }
        note(v, "login_role", format!("{}: {}", r.name, attrs.join(", ")));
        let no: Vec<String> = attrs.iter().map(|a| format!("NO{a}")).collect();
        let narrow = format!("ALTER ROLE {name} {};", no.join(" "));
        if mine {
            let own = if r.bootstrap {
                String::new()
            } else {
                format!(" {narrow}")
            };
            found.push(Finding {
                status: Status::Warn,
                summary: format!(
                    "statectl connects as {}, which has {}: a monitoring role needs only pg_monitor and pg_read_all_settings",
                    r.name,
                    attrs.join(", ")
                ),
                fix: format!(
                    "Monitor as a role of its own: CREATE ROLE statectl LOGIN IN ROLE pg_monitor, pg_read_all_settings; GRANT SELECT (rolname, rolcanlogin, rolpassword) ON pg_authid TO statectl; (for postgres.roles' md5 check) and run statectl as it{own}"
                ),
            });
        } else {
            found.push(Finding {
                status: Status::Warn,
                summary: format!(
                    "login role {} has {}: whoever logs in as it can {}",
                    r.name,
                    attrs.join(", "),
                    if r.superuser {
                        "do anything, including run programs on the server".to_string()
                    } else {
                        attrs
                            .iter()
                            .map(|a| match *a {
                                "CREATEROLE" => "make and alter roles",
                                "CREATEDB" => "make databases",
                                _ => "read past row-level security",
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
                fix: format!(
                    "Give {name} only what it uses (grants on its tables, membership in a NOLOGIN role for administration), then: {narrow}"
                ),
            });
        }
    }
}
