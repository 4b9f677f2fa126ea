//! PostgreSQL checks, one file per concern: sessions, replication (and durability), security (and
//! TLS). Reachability and version live here with the list of checks and the helpers they share.

use super::{unreachable_verdict, Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::postgres::{PostgresDetail, PostgresSnapshot};
use crate::observe::ProbeError;

mod exposure;
mod replication;
mod roles;
mod security;
mod sessions;
pub use exposure::exposure;
pub use replication::*;
pub use roles::*;
pub use security::*;
pub use sessions::*;

const BOTH: &[Tag] = &[Tag::Doctor, Tag::Preflight];
const DOCTOR: &[Tag] = &[Tag::Doctor];

/// The PostgreSQL checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "postgres.reachable",
        area: Area::Postgres,
        tags: BOTH,
        doc: "TCP connect, authentication and a first query within --timeout; fails on refused, timeout, wrong password or a non-PostgreSQL peer",
        full: false,
        eval: Eval::PostgresReach(reachable),
    },
    Check {
        id: "postgres.version",
        area: Area::Postgres,
        tags: BOTH,
        doc: "server_version_num is at least {postgres.min_version_num} (postgres.min_version_num)",
        full: false,
        eval: Eval::Postgres(version),
    },
    Check {
        id: "postgres.logical_replication",
        area: Area::Postgres,
        tags: BOTH,
        doc: "wal_level other than logical fails, as does max_replication_slots or max_wal_senders at 0; a change waiting for a restart is reported",
        full: true,
        eval: Eval::Postgres(logical_replication),
    },
    Check {
        id: "postgres.deadlocks",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "deadlocks in pg_stat_database rising in the window fail; backends blocked now (pg_blocking_pids) fail, naming the pids and the pg_terminate_backend to run",
        full: true,
        eval: Eval::Postgres(deadlocks),
    },
    Check {
        id: "postgres.connections",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "client backends/max_connections above {postgres.connections_warn_ratio} warns, above {postgres.connections_fail_ratio} fails; superuser_reserved_connections 0 warns",
        full: true,
        eval: Eval::Postgres(connections),
    },
    Check {
        id: "postgres.connection_churn",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "new sessions per second over the window (pg_stat_database.sessions, PostgreSQL 14 and later; skip before) above {postgres.sessions_per_s_warn} warns, above {postgres.sessions_per_s_fail} fails: clients connect per request, use a pooler or the driver's pool; max_connections above {postgres.max_connections_per_core_warn} per CPU of a local server warns (not compared for a remote one); backend ages are evidence",
        full: true,
        eval: Eval::Postgres(connection_churn),
    },
    Check {
        id: "postgres.idle_in_transaction",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "a session idle in transaction for more than {postgres.idle_in_transaction_warn_s} s warns",
        full: true,
        eval: Eval::Postgres(idle_in_transaction),
    },
    Check {
        id: "postgres.replication",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "replay_lag above {postgres.replay_lag_warn_s} s or an inactive slot warns; wal_status unreserved or lost fails; max_slot_wal_keep_size -1 with slots warns",
        full: true,
        eval: Eval::Postgres(replication),
    },
    Check {
        id: "postgres.rpo",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "on a primary, each standby, subscriber and slot without its consumer is judged against the recovery point objective (--rpo, or [replication] rpo in statectl.toml): bytes at risk are pg_current_wal_lsn() − flush_lsn (a disconnected slot: its confirmed_flush_lsn or restart_lsn), seconds at risk the larger of flush_lag and those bytes at the WAL rate of the window (none written: at least the time since its last reply, a lower bound that fails over the RPO and warns under it); over the RPO fails naming it, and so does a primary with no standby, subscriber or slot once an RPO is declared; skip without an RPO (the figures shown), on a standby (judged on its primary) and without pg_monitor",
        full: true,
        eval: Eval::Postgres(rpo),
    },
    Check {
        id: "postgres.wraparound",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "age(datfrozenxid) above {postgres.xid_age_warn} warns, above {postgres.xid_age_fail} fails",
        full: true,
        eval: Eval::Postgres(wraparound),
    },
    Check {
        id: "postgres.checkpoints",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "requested checkpoints above {postgres.checkpoint_req_warn_ratio:%} of all since the statistics were reset warn (max_wal_size fills before checkpoint_timeout); read from pg_stat_checkpointer on 17 and later, pg_stat_bgwriter before; skip below {postgres.checkpoint_min_count} checkpoints, or naming the version when its view cannot be read",
        full: true,
        eval: Eval::Postgres(checkpoints),
    },
    Check {
        id: "postgres.durability",
        area: Area::Postgres,
        tags: BOTH,
        doc: "fsync off or full_page_writes off fails",
        full: true,
        eval: Eval::Postgres(durability),
    },
    Check {
        id: "postgres.security",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "password_encryption other than scram-sha-256 warns; a trust rule for non-local hosts in pg_hba fails (skip when the role cannot read pg_hba_file_rules); TLS: postgres.tls, postgres.tls_config",
        full: true,
        eval: Eval::Postgres(security),
    },
    Check {
        id: "postgres.exposure",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "from --from's vantage point (netns:NAME or ssh:[USER@]HOST), a TCP handshake completed at the target's address or, for a server on this host, at any of this host's addresses on its port (at most 16) fails, saying what an SSLRequest and a StartupMessage with the target's user and database (never a password) got there (no pg_hba.conf entry; a password asked: cleartext, md5 or SASL SCRAM; trust: logged in); refused, unreachable or timed out everywhere passes; a port that takes the connection and answers nothing fails, from a namespace and over ssh alike (a target on a Unix socket is on this host: its port tried at this host's addresses); an address not finished within the bound on the look (two rounds of --timeout and a margin) is never counted as refused, none finished is an error; skip without --from; a vantage point that cannot be used (no such namespace, ssh not logged in within the time) is an error",
        full: false,
        eval: Eval::Exposure(exposure),
    },
    Check {
        id: "postgres.roles",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "least privilege: a superuser session from a non-loopback address fails; login roles with SUPERUSER, CREATEROLE, CREATEDB or BYPASSRLS (statectl's own included; the bootstrap superuser and REPLICATION-only roles expected), login roles owning tables of the database, PUBLIC with CREATE on a schema, md5 or plain-text passwords (pg_authid: skip naming GRANT pg_read_all_data or SELECT on pg_authid when unreadable) and password_encryption md5 warn; passwords without VALID UNTIL are shown, not judged",
        full: true,
        eval: Eval::Postgres(roles),
    },
    Check {
        id: "postgres.tls",
        area: Area::Postgres,
        tags: BOTH,
        doc: "a live SSLRequest and handshake: TLS 1.3 passes, 1.2 warns, lower fails; a certificate that does not verify against the CA in force (sslrootcert, the system store) fails; expiry within {tls.expiry_warn_days} days warns, {tls.expiry_fail_days} fails; skip for sslmode=disable, Unix sockets and servers without ssl",
        full: false,
        eval: Eval::Tls(tls),
    },
    Check {
        id: "postgres.tls_config",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "ssl off, ssl_min_protocol_version below TLSv1.3, or remote clients connected without TLS (pg_stat_ssl, naming client_addr and user) warns; skip, naming GRANT pg_read_all_settings, when pg_settings hides the ssl settings from the role",
        full: true,
        eval: Eval::Postgres(tls_config),
    },
    Check {
        id: "postgres.tls_files",
        area: Area::Postgres,
        tags: DOCTOR,
        doc: "for a local server: ssl_cert_file and ssl_ca_file expiring within {tls.expiry_warn_days} days warn, {tls.expiry_fail_days} fail; an ssl_key_file that does not match ssl_cert_file fails; skip, naming GRANT pg_read_all_settings, when pg_settings hides the file settings from the role",
        full: true,
        eval: Eval::Postgres(tls_files),
    },
];

fn detail(s: &PostgresSnapshot) -> Result<&PostgresDetail, Verdict> {
    s.detail
        .as_ref()
        .ok_or_else(|| Verdict::skip("the full probe did not run"))
}

/// A skip naming the grant the role lacks, when it may not see other sessions.
fn monitor_or_skip(d: &PostgresDetail, what: &str) -> Result<(), Verdict> {
    if d.can_monitor {
        return Ok(());
    }
    Err(Verdict::skip(format!(
        "role {} lacks pg_monitor, so {what} of other roles' sessions are hidden: GRANT pg_monitor TO {}",
        d.role, d.role
    ))
    .with("role", &d.role))
}

fn setting<'a>(d: &'a PostgresDetail, name: &str) -> &'a str {
    d.settings
        .get(name)
        .map(|s| s.setting.as_str())
        .unwrap_or("")
}

/// A setting with its unit, as `SHOW` would give it (1024MB, 300s).
fn with_unit(d: &PostgresDetail, name: &str) -> String {
    d.settings
        .get(name)
        .map(|s| format!("{}{}", s.setting, s.unit))
        .unwrap_or_default()
}

/// `postgres.reachable`.
pub fn reachable(
    r: &Result<PostgresSnapshot, ProbeError>,
    service: Option<&crate::observe::service::ServiceState>,
) -> Verdict {
    match r {
        Ok(s) => {
            let ms = format!("{:.3}", s.connect_time.as_secs_f64() * 1000.0);
            // reachable as libpq reaches it; whether TLS is sound is postgres.tls's verdict
            let plain = if s.tls_fallback.is_some() {
                ", in plain text: TLS not used"
            } else {
                ""
            };
            let v = Verdict::pass(format!("connected and answered in {ms} ms{plain}"))
                .with("connect_ms", ms)
                .with("server_version", &s.server_version);
            match &s.tls_fallback {
                Some(why) => v.with(
                    "tls",
                    format!("not used, nothing verified: sslmode=prefer fell back to plain text (as libpq does) because {why}"),
                ),
                None => v,
            }
        }
        // 53300 too_many_connections: the server is up, and full
        Err(ProbeError::Other { addr, detail }) if detail.contains("(53300)") => Verdict::new(
            Status::Fail,
            format!("{addr} refuses new connections: {detail}"),
        )
        .with("failure", "too_many_connections")
        .fix("Every non-reserved slot is taken: find who holds them (SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1,2,3), close idle or leaking clients, put a pooler (PgBouncer) in front, or raise max_connections (restart); verify with `psql -c 'SELECT 1'` as the application's role"),
        Err(e) => super::with_service(
            unreachable_verdict(e, "PostgreSQL", "pg_isready -h HOST -p PORT"),
            service,
        ),
    }
}

/// `postgres.version`.
pub fn version(s: &PostgresSnapshot, t: &Ctx) -> Verdict {
    let v = Verdict::pass(format!("PostgreSQL {}", s.server_version))
        .with("server_version_num", s.server_version_num)
        .with("minimum", t.postgres.min_version_num);
    if s.server_version_num >= t.postgres.min_version_num {
        return v;
    }
    let mut v = v;
    v.escalate(
        Status::Fail,
        format!(
            "server_version_num {} is below {}",
            s.server_version_num, t.postgres.min_version_num
        ),
        "Upgrade to PostgreSQL 15 or later (pg_upgrade); logical replication of permanent state needs it",
    );
    v
}

/// The postgres area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    // a target that cannot be reached fails whatever the selection
    let reach = super::needs(checks, super::Area::Postgres)
        .then(|| super::reach_check(checks, CHECKS))
        .flatten();
    let targets = obs.postgres.iter().map(|o| super::ServerTarget {
        target: &o.target,
        addr: &o.addr,
        result: &o.result,
        service: o.service.as_ref(),
        tls: o.tls.as_ref(),
        exposure: o.exposure.as_ref(),
    });
    super::each_server(
        super::Area::Postgres,
        checks,
        ctx,
        targets,
        reach,
        |e, o, t| match e {
            super::Eval::PostgresReach(f) => Some(f(o.result, o.service)),
            super::Eval::Postgres(f) => Some(match o.result {
                Ok(s) => f(s, t),
                Err(_) => super::unreachable_skip("postgres.reachable"),
            }),
            _ => None,
        },
        out,
    );
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::postgres::{
        BlockedBackend, Checkpoints, HbaTrust, LoginRole, PasswordKind, PlainClient, Setting, Slot,
        TableOwner, WalConsumer, WalRisk,
    };
    use std::time::Duration;

    pub fn snap(settings: &[(&str, &str)]) -> PostgresSnapshot {
        let mut all: Vec<(&str, &str)> = vec![
            ("wal_level", "logical"),
            ("max_replication_slots", "10"),
            ("max_wal_senders", "10"),
            ("max_connections", "100"),
            ("superuser_reserved_connections", "3"),
            ("max_slot_wal_keep_size", "10240"),
            ("fsync", "on"),
            ("full_page_writes", "on"),
            ("ssl", "on"),
            ("password_encryption", "scram-sha-256"),
            ("data_directory", "/var/lib/postgresql/15/main"),
            ("ssl_cert_file", "server.crt"),
            ("ssl_key_file", "server.key"),
            ("ssl_ca_file", ""),
        ];
        all.retain(|(k, _)| !settings.iter().any(|(s, _)| s == k));
        all.extend_from_slice(&[("ssl", "on"), ("ssl_min_protocol_version", "TLSv1.3")]);
        all.retain(|(k, _)| !settings.iter().any(|(s, _)| s == k));
        all.extend_from_slice(settings);
        PostgresSnapshot {
            connect_time: Duration::from_millis(3),
            server_version_num: 150018,
            server_version: "15.18".into(),
            detail: Some(PostgresDetail {
                role: "statectl".into(),
                superuser: false,
                can_monitor: true,
                settings: all
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            Setting {
                                setting: v.to_string(),
                                ..Default::default()
                            },
                        )
                    })
                    .collect(),
                window: Duration::from_secs(1),
                deadlocks: Ok((4, 4)),
                blocked: Ok(Vec::new()),
                backends: Ok(5),
                idle_in_transaction: Ok(Vec::new()),
                replicas: Ok(Vec::new()),
                slots: Ok(Vec::new()),
                xid_age: Ok(vec![("postgres".into(), 1000)]),
                checkpoints: Ok(Checkpoints {
                    view: "pg_stat_bgwriter".into(),
                    timed: 90,
                    requested: 10,
                }),
                hba_trust: Ok(Vec::new()),
                plain_clients: Ok(Vec::new()),
                cert_files: crate::doctor::tls::tests::healthy_files(),
                database: "postgres".into(),
                login_roles: Ok(vec![
                    LoginRole {
                        name: "postgres".into(),
                        superuser: true,
                        createrole: true,
                        createdb: true,
                        bypassrls: true,
                        replication: true,
                        never_expires: true,
                        bootstrap: true,
                    },
                    LoginRole {
                        name: "statectl".into(),
                        never_expires: true,
                        ..Default::default()
                    },
                    LoginRole {
                        name: "standby".into(),
                        replication: true,
                        never_expires: false,
                        ..Default::default()
                    },
                ]),
                password_kinds: Ok(vec![
                    ("postgres".into(), PasswordKind::None),
                    ("standby".into(), PasswordKind::ScramSha256),
                    ("statectl".into(), PasswordKind::ScramSha256),
                ]),
                public_create: Ok(Vec::new()),
                table_owners: Ok(Vec::new()),
                remote_superusers: Ok(Vec::new()),
                sessions: Ok((1000, 1001)),
                mean_session_ms: Some(3_600_000.0),
                backend_ages: Ok(vec![3600.0, 7200.0]),
                cores: Ok(32),
                // one standby 64 kB (0.06 s at 1 MB/s) behind
                wal_risk: Ok(WalRisk {
                    current_lsn: "0/4000000".into(),
                    wal_bytes: Some(1_000_000),
                    wal_window_s: 1.0,
                    consumers: vec![WalConsumer {
                        name: "standby1".into(),
                        state: "streaming".into(),
                        kind: "physical".into(),
                        bytes_at_risk: Some(65536),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            }),
            tls_fallback: None,
        }
    }

    fn d(s: &mut PostgresSnapshot) -> &mut PostgresDetail {
        s.detail.as_mut().unwrap()
    }

    #[test]
    fn healthy_snapshot_passes_everything() {
        let s = snap(&[]);
        let mut t = Thresholds::default();
        t.replication.rpo = Some(1.0);
        let t = Ctx::of(&t);
        for c in CHECKS {
            let v = match c.eval {
                Eval::Postgres(f) => f(&s, &t),
                Eval::PostgresReach(f) => f(&Ok(s.clone()), None),
                Eval::Tls(f) => f(Some(&crate::doctor::tls::tests::healthy_look()), "h:1", &t),
                Eval::Exposure(f) => f(
                    Some(&crate::doctor::exposure::tests::look(vec![(
                        "10.0.0.1:1",
                        crate::observe::exposure::Reach::Refused,
                    )])),
                    &t,
                ),
                _ => unreachable!(),
            };
            assert_eq!(v.status, Status::Pass, "{}: {v:?}", c.id);
        }
    }

    #[test]
    fn requested_checkpoints_warn_from_either_view_and_a_missing_view_skips() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[("max_wal_size", "1024")]);
        d(&mut s).checkpoints = Ok(Checkpoints {
            view: "pg_stat_checkpointer".into(),
            timed: 10,
            requested: 40,
        });
        let v = checkpoints(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(v
            .remediation
            .contains("SELECT num_timed, num_requested FROM pg_stat_checkpointer"));
        d(&mut s).checkpoints = Ok(Checkpoints {
            view: "pg_stat_bgwriter".into(),
            timed: 2,
            requested: 1,
        });
        assert_eq!(checkpoints(&s, &t).status, Status::Skip, "too few to judge");
        d(&mut s).checkpoints =
            Err("pg_stat_checkpointer on PostgreSQL 19devel: relation does not exist".into());
        let v = checkpoints(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("PostgreSQL 19devel"), "{}", v.summary);
    }

    #[test]
    fn version_threshold() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[]);
        assert_eq!(version(&s, &t).status, Status::Pass);
        s.server_version_num = 140011;
        assert_eq!(version(&s, &t).status, Status::Fail);
    }

    #[test]
    fn auth_failure_is_a_fail_without_secrets() {
        let v = reachable(
            &Err(ProbeError::Auth {
                addr: "h:5432".into(),
                detail: "password authentication failed for user \"app\" (28P01)".into(),
            }),
            None,
        );
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("authentication failed"));
    }

    // issue 26 #27: a session prefer moved to plain text passes (libpq connects too), and says
    // TLS was not used and why; a session without a fallback says nothing of it.
    #[test]
    fn reachable_says_when_prefer_fell_back_to_plain_text() {
        let mut s = snap(&[]);
        let v = reachable(&Ok(s.clone()), None);
        assert!(!v.evidence.iter().any(|e| e.key == "tls"), "{v:?}");
        s.tls_fallback = Some("the TLS handshake failed: unknown issuer".into());
        let v = reachable(&Ok(s), None);
        assert_eq!(v.status, Status::Pass);
        assert!(v.summary.ends_with("in plain text: TLS not used"), "{v:?}");
        let tls = v.evidence.iter().find(|e| e.key == "tls").unwrap();
        assert!(tls.value.contains("unknown issuer"), "{tls:?}");
    }

    #[test]
    fn wal_level_slots_and_pending_restart() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let v = logical_replication(&snap(&[("wal_level", "replica")]), &t);
        assert_eq!(v.status, Status::Fail);
        let mut s = snap(&[("wal_level", "replica")]);
        d(&mut s)
            .settings
            .get_mut("wal_level")
            .unwrap()
            .pending_restart = true;
        let v = logical_replication(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("waiting for a restart"), "{}", v.summary);
        assert_eq!(
            logical_replication(&snap(&[("max_wal_senders", "0")]), &t).status,
            Status::Fail
        );
    }

    #[test]
    fn deadlock_counter_and_blocked_chain() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[]);
        d(&mut s).deadlocks = Ok((4, 5));
        assert_eq!(deadlocks(&s, &t).status, Status::Fail);
        let mut s = snap(&[]);
        d(&mut s).blocked = Ok(vec![
            BlockedBackend {
                pid: 300,
                blocking_pid: 200,
                wait_s: 2.0,
                query: "UPDATE t SET v = ? WHERE id = ?".into(),
            },
            BlockedBackend {
                pid: 200,
                blocking_pid: 100,
                wait_s: 5.0,
                query: "UPDATE t SET v = ? WHERE id = ?".into(),
            },
        ]);
        let v = deadlocks(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.remediation
                .starts_with("SELECT pg_terminate_backend(100)"),
            "{}",
            v.remediation
        );
        let mut s = snap(&[]);
        d(&mut s).can_monitor = false;
        d(&mut s).role = "app".into();
        let v = deadlocks(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("GRANT pg_monitor TO app"));
    }

    #[test]
    fn connections_and_reserved_slots() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[]);
        d(&mut s).backends = Ok(81);
        assert_eq!(connections(&s, &t).status, Status::Warn);
        d(&mut s).backends = Ok(96);
        assert_eq!(connections(&s, &t).status, Status::Fail);
        assert_eq!(
            connections(&snap(&[("superuser_reserved_connections", "0")]), &t).status,
            Status::Warn
        );
    }

    #[test]
    fn idle_replication_wraparound_durability_security() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[]);
        d(&mut s).idle_in_transaction = Ok(vec![(77, 301.0), (78, 10.0)]);
        let v = idle_in_transaction(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(v.remediation.contains("pg_terminate_backend(77)"));

        let mut s = snap(&[]);
        d(&mut s).replicas = Ok(vec![("standby1".into(), Some(6.0))]);
        assert_eq!(replication(&s, &t).status, Status::Warn);
        let mut s = snap(&[("max_slot_wal_keep_size", "-1")]);
        d(&mut s).slots = Ok(vec![Slot {
            name: "sub".into(),
            active: true,
            wal_status: "reserved".into(),
        }]);
        assert_eq!(replication(&s, &t).status, Status::Warn);
        d(&mut s).slots = Ok(vec![Slot {
            name: "sub".into(),
            active: false,
            wal_status: "lost".into(),
        }]);
        assert_eq!(replication(&s, &t).status, Status::Fail);

        let mut s = snap(&[]);
        d(&mut s).xid_age = Ok(vec![("a".into(), 1_300_000_001), ("b".into(), 5)]);
        assert_eq!(wraparound(&s, &t).status, Status::Warn);
        d(&mut s).xid_age = Ok(vec![("a".into(), 1_400_000_001)]);
        assert_eq!(wraparound(&s, &t).status, Status::Fail);

        assert_eq!(
            durability(&snap(&[("fsync", "off")]), &t).status,
            Status::Fail
        );
        assert_eq!(
            durability(&snap(&[("full_page_writes", "off")]), &t).status,
            Status::Fail
        );

        assert_eq!(security(&snap(&[("ssl", "off")]), &t).status, Status::Pass);
        assert_eq!(
            tls_config(&snap(&[("ssl", "off")]), &t).status,
            Status::Warn
        );
        assert_eq!(
            tls_config(&snap(&[("ssl_min_protocol_version", "TLSv1.2")]), &t).status,
            Status::Warn
        );
        assert_eq!(tls_config(&snap(&[]), &t).status, Status::Pass);
        // hidden from the role (no pg_read_all_settings): a skip naming the grant, not "unset"
        let mut s = snap(&[]);
        d(&mut s).role = "app".into();
        d(&mut s).settings.remove("ssl_min_protocol_version");
        let v = tls_config(&s, &t);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert!(v.remediation.contains("GRANT pg_read_all_settings TO app"));
        assert_eq!(tls_files(&s, &t).status, Status::Pass);
        d(&mut s).settings.remove("data_directory");
        let v = tls_files(&s, &t);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert!(v.summary.contains("data_directory"), "{}", v.summary);
        let mut s = snap(&[]);
        d(&mut s).plain_clients = Ok(vec![crate::observe::postgres::PlainClient {
            addr: "10.1.2.3".into(),
            user: "app".into(),
            count: 2,
        }]);
        let v = tls_config(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.contains("10.1.2.3 as app"), "{}", v.summary);
        assert_eq!(
            security(&snap(&[("password_encryption", "md5")]), &t).status,
            Status::Warn
        );
        let mut s = snap(&[]);
        d(&mut s).hba_trust = Ok(vec![HbaTrust {
            line: 3,
            kind: "host".into(),
            address: "127.0.0.1".into(),
            netmask: "255.255.255.255".into(),
        }]);
        assert_eq!(
            security(&s, &t).status,
            Status::Pass,
            "loopback trust is local"
        );
        d(&mut s).hba_trust = Ok(vec![HbaTrust {
            line: 9,
            kind: "host".into(),
            address: "10.0.0.0".into(),
            netmask: "255.0.0.0".into(),
        }]);
        let v = security(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("line 9"));
        d(&mut s).hba_trust = Err("permission denied for view pg_hba_file_rules".into());
        let v = security(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("permission denied"));
    }

    fn finding(v: &Verdict, key: &str) -> Vec<String> {
        v.evidence
            .iter()
            .filter(|e| e.key == key)
            .map(|e| e.value.clone())
            .collect()
    }

    // issue 30: each least-privilege edge on its own, what is expected staying quiet
    #[test]
    fn roles_report_each_excess_and_the_statement_that_narrows_it() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let s = snap(&[]);
        let v = roles(&s, &t);
        assert_eq!(v.status, Status::Pass, "{v:?}");
        assert_eq!(finding(&v, "expected").len(), 2, "{v:?}");
        assert_eq!(
            finding(&v, "password_never_expires"),
            vec!["statectl (info: VALID UNTIL unset)"],
            "a role without password (postgres) is not listed"
        );

        let mut s = snap(&[]);
        if let Ok(r) = &mut d(&mut s).login_roles {
            r.push(LoginRole {
                name: "App-1".into(),
                createdb: true,
                bypassrls: true,
                ..Default::default()
            });
        }
        let v = roles(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(
            v.summary
                .contains("login role App-1 has CREATEDB, BYPASSRLS"),
            "{}",
            v.summary
        );
        assert!(
            v.remediation
                .ends_with("ALTER ROLE \"App-1\" NOCREATEDB NOBYPASSRLS;"),
            "{}",
            v.remediation
        );

        // statectl's own role: the bootstrap superuser is expected unless statectl is it
        let mut s = snap(&[]);
        d(&mut s).role = "postgres".into();
        let v = roles(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert!(
            v.summary.starts_with("statectl connects as postgres"),
            "{}",
            v.summary
        );
        assert!(
            !v.remediation.contains("NOSUPERUSER"),
            "the bootstrap superuser cannot lose it: {}",
            v.remediation
        );

        let mut s = snap(&[("password_encryption", "md5")]);
        d(&mut s).password_kinds = Ok(vec![
            ("app".into(), PasswordKind::Md5),
            ("statectl".into(), PasswordKind::ScramSha256),
        ]);
        d(&mut s).public_create = Ok(vec!["public".into()]);
        d(&mut s).table_owners = Ok(vec![TableOwner {
            role: "app".into(),
            tables: 2,
            example: "public.sessions".into(),
            schemas: vec!["public".into()],
            connected: true,
        }]);
        let v = roles(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert_eq!(finding(&v, "finding").len(), 4, "{v:?}");
        assert!(
            v.summary.ends_with("(and 3 more: see finding)"),
            "{}",
            v.summary
        );
        for fix in [
            "\\password app",
            "ALTER SYSTEM SET password_encryption = 'scram-sha-256'",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
            "CREATE ROLE app_owner NOLOGIN; REASSIGN OWNED BY app TO app_owner;",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app;",
        ] {
            assert!(v.remediation.contains(fix), "{fix}: {}", v.remediation);
        }

        let mut s = snap(&[]);
        d(&mut s).remote_superusers = Ok(vec![PlainClient {
            addr: "10.1.2.3".into(),
            user: "postgres".into(),
            count: 2,
        }]);
        let v = roles(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.remediation.contains("`host all postgres all reject`"),
            "{}",
            v.remediation
        );
    }

    #[test]
    fn roles_skip_naming_the_grant_when_pg_authid_or_client_addresses_are_hidden() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut s = snap(&[]);
        d(&mut s).password_kinds = Err("permission denied for table pg_authid".into());
        let v = roles(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(
            v.summary
                .contains("pg_authid is readable only by superusers"),
            "{}",
            v.summary
        );
        assert!(
            v.remediation
                .starts_with("GRANT pg_read_all_data TO statectl;")
                && v.remediation.contains(
                    "GRANT SELECT (rolname, rolcanlogin, rolpassword) ON pg_authid TO statectl;"
                )
                && v.remediation
                    .contains("pg_monitor and pg_read_all_settings do not give it"),
            "{}",
            v.remediation
        );
        // what can be judged still is
        d(&mut s).public_create = Ok(vec!["public".into()]);
        let v = roles(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert_eq!(finding(&v, "not_checked").len(), 1, "{v:?}");

        let mut s = snap(&[]);
        d(&mut s).can_monitor = false;
        let v = roles(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(
            v.remediation.contains("GRANT pg_monitor TO statectl;"),
            "{}",
            v.remediation
        );
    }

    #[test]
    fn role_names_are_quoted_as_sql_needs() {
        assert_eq!(ident("app"), "app");
        assert_eq!(ident("app_2"), "app_2");
        assert_eq!(ident("App"), "\"App\"");
        assert_eq!(ident("user"), "\"user\"");
        assert_eq!(ident("a\"b; DROP"), "\"a\"\"b; DROP\"");
        assert_eq!(ident("2x"), "\"2x\"");
        assert_eq!(ident(""), "\"\"");
    }

    // issue 30: the session rate over the window, its edges, and max_connections per CPU
    #[test]
    fn churn_judges_the_session_rate_and_max_connections_per_cpu() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let at = |n: i64, window_ms: u64, settings: &[(&str, &str)]| {
            let mut s = snap(settings);
            d(&mut s).sessions = Ok((1000, 1000 + n));
            d(&mut s).window = Duration::from_millis(window_ms);
            connection_churn(&s, &t)
        };
        assert_eq!(at(1, 1000, &[]).status, Status::Pass);
        assert_eq!(at(5, 1000, &[]).status, Status::Pass, "5/s is the edge");
        assert_eq!(at(6, 1000, &[]).status, Status::Warn);
        assert_eq!(
            at(100, 2000, &[]).status,
            Status::Pass.max(Status::Warn),
            "50/s is warn's edge"
        );
        let v = at(101, 2000, &[]);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary
                .starts_with("101 new session(s) in 2.0 s (50.5/s, above 50/s)"),
            "{}",
            v.summary
        );
        assert!(v.remediation.contains("PgBouncer"), "{}", v.remediation);
        assert_eq!(
            at(5, 100, &[]).status,
            Status::Skip,
            "a window cut short measures nothing"
        );

        let mut s = snap(&[]);
        d(&mut s).sessions =
            Err("pg_stat_database.sessions exists from PostgreSQL 14; this server is 13.9".into());
        let v = connection_churn(&s, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("this server is 13.9"), "{}", v.summary);

        // 128 per CPU on 32 is the edge of 4
        assert_eq!(
            at(0, 1000, &[("max_connections", "128")]).status,
            Status::Pass
        );
        let v = at(0, 1000, &[("max_connections", "129")]);
        assert_eq!(v.status, Status::Warn);
        assert!(
            v.remediation.contains("lower max_connections toward 128"),
            "{}",
            v.remediation
        );
        let mut s = snap(&[("max_connections", "5000")]);
        d(&mut s).cores = Err("the server is on another host".into());
        let v = connection_churn(&s, &t);
        assert_eq!(v.status, Status::Pass);
        assert!(
            v.summary.ends_with(
                "max_connections not compared with CPUs (the server is on another host)"
            ),
            "{}",
            v.summary
        );
    }
}
