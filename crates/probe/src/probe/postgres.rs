//! PostgreSQL: connect, authenticate and read server facts. Every step is bounded by the timeout.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use super::tls;
use super::{bounded, io_kind, ProbeContext, ProbeError};
use crate::doctor::Area;
use crate::observe::postgres::{
    BlockedBackend, Checkpoints, HbaTrust, LoginRole, PasswordKind, PlainClient, PostgresDetail,
    PostgresObservation, PostgresSnapshot, Setting, Slot, TableOwner, WalConsumer, WalRisk,
};
use crate::observe::{Observed, TlsLook, TlsReason};
pub use crate::sql::mask_literals;
use crate::targets::{PostgresTarget, SslMode};
use std::path::PathBuf;

/// An open connection plus the address for messages.
pub struct PostgresSession {
    /// The client; its connection task runs on the runtime.
    pub client: tokio_postgres::Client,
    addr: String,
    timeout: Duration,
    /// When set, every query ends by then whatever its timeout (one deadline per target).
    pub deadline: Option<Instant>,
    /// Set when sslmode=prefer fell back to plain text after the TLS attempt failed: why, in
    /// words. The session is then neither encrypted nor verified.
    pub tls_fallback: Option<String>,
}

/// The missing-password detail before the target names its password file.
const NO_PASSWORD: &str = "the server asks for a password and none was given";

fn classify(
    addr: &str,
    timeout: Duration,
    stage: &'static str,
    e: tokio_postgres::Error,
) -> ProbeError {
    let addr = addr.to_string();
    if let Some(tls) = crate::tls::probe_error(&addr, &e) {
        return tls;
    }
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        if code == "28000" && db.message().contains("client certificate") {
            return ProbeError::Tls {
                addr,
                reason: TlsReason::ClientCertRequired,
                detail: format!("{} ({code})", db.message()),
            };
        }
        if requires_tls(&e) {
            return ProbeError::Tls {
                addr,
                reason: TlsReason::TlsRequired,
                detail: format!("the server requires TLS: {}", db.message()),
            };
        }
        // 28P01 invalid_password, 28000 invalid_authorization_specification
        if code.starts_with("28") {
            return ProbeError::Auth {
                addr,
                detail: format!("{} ({code})", db.message()),
            };
        }
        return ProbeError::Other {
            addr,
            detail: format!("{} ({code})", db.message()),
        };
    }
    match io_kind(&e) {
        Some(std::io::ErrorKind::ConnectionRefused) => return ProbeError::Refused { addr },
        Some(std::io::ErrorKind::TimedOut) => {
            return ProbeError::Timeout {
                addr,
                timeout,
                stage: stage.into(),
            }
        }
        _ => {}
    }
    // The kind is in Display, the reason in the source chain: join them.
    let mut text = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        text += &format!(": {s}");
        src = s.source();
    }
    if text.contains("server does not support TLS") {
        return ProbeError::Tls {
            addr,
            reason: TlsReason::NotOffered,
            detail: "the server does not offer TLS (ssl = off), and the sslmode requires it".into(),
        };
    }
    if text.contains("timeout") {
        return ProbeError::Timeout {
            addr,
            timeout,
            stage: stage.into(),
        };
    }
    if text.contains("password missing") || text.starts_with("authentication error") {
        return ProbeError::Auth {
            addr,
            detail: NO_PASSWORD.into(),
        };
    }
    if text.contains("failed to lookup address") || text.contains("Name or service not known") {
        return ProbeError::Resolve { addr, detail: text };
    }
    if text.contains("unexpected message")
        || text.contains("invalid message")
        || text.contains("error parsing")
        || text.contains("unexpected EOF")
        || text.contains("connection closed")
    {
        return ProbeError::Protocol {
            addr,
            expected: "a PostgreSQL server".into(),
            detail: text,
            first_bytes: None,
        };
    }
    ProbeError::Other { addr, detail: text }
}

/// Whether the server refused a plain connection because pg_hba.conf has only a hostssl line
/// for this client.
fn requires_tls(e: &tokio_postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|db| db.code().code() == "28000" && db.message().ends_with("no encryption"))
}

/// Why libpq would make its second attempt after `e` (fe-connect.c, sslmode prefer and allow):
/// a failed TLS handshake, or an error the server sent during the authentication exchange (a
/// pg_hba.conf rejection, a wrong password). Errors after authentication (a missing database)
/// are final. tokio-postgres does not say at which step a server error came, so the
/// authentication exchange is told by its SQLSTATE class, 28 (invalid authorization). None:
/// no second attempt.
fn second_attempt_reason(addr: &str, e: &tokio_postgres::Error) -> Option<String> {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        return code
            .starts_with("28")
            .then(|| format!("the server refused the session: {} ({code})", db.message()));
    }
    if let Some(ProbeError::Tls { detail, .. }) = crate::tls::probe_error(addr, e) {
        return Some(format!("the TLS handshake failed: {detail}"));
    }
    // tokio-postgres's kind for every handshake failure, rustls's or the socket's
    if e.to_string() == "error performing TLS handshake" {
        let cause = std::error::Error::source(e).map_or_else(String::new, |s| format!(": {s}"));
        return Some(format!("the TLS handshake failed{cause}"));
    }
    None
}

/// Connects with TLS when the config's sslmode asks for it (or may use it), spawning the
/// connection's driver.
async fn open(
    config: &tokio_postgres::Config,
    tls: Option<&crate::tls::TlsClient>,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let client = match tls {
        Some(t) => {
            let make = tokio_postgres_rustls::MakeRustlsConnect::new((*t.config()).clone());
            let (client, connection) = config.connect(make).await?;
            tokio::spawn(async move {
                // Errors surface on the client's next call; nothing to do here.
                let _ = connection.await;
            });
            client
        }
        None => {
            let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
            tokio::spawn(async move {
                let _ = connection.await;
            });
            client
        }
    };
    Ok(client)
}

/// A connection error made specific by a second look at the peer (probe::peer): a port where
/// something else answered (a banner, a Redis) is a protocol failure naming it, not a silent
/// server. Errors the server itself stated stay as they are.
async fn diagnose(e: ProbeError, target: &PostgresTarget, timeout: Duration) -> ProbeError {
    let looked_at = match &e {
        ProbeError::Timeout { .. } | ProbeError::Protocol { .. } => true,
        ProbeError::Tls { reason, .. } => *reason == TlsReason::Other,
        ProbeError::Other { detail, .. } => detail.starts_with("connection lost"),
        _ => false,
    };
    let Some(tokio_postgres::config::Host::Tcp(host)) = target.config.get_hosts().first() else {
        return e;
    };
    if !looked_at {
        return e;
    }
    let port = target.config.get_ports().first().copied().unwrap_or(5432);
    let budget = (timeout / 2).min(Duration::from_millis(400));
    let mut look = super::peer::look(host, port, budget).await;
    // PostgreSQL negotiates TLS inside its own protocol (SSLRequest): a direct TLS handshake
    // says nothing about the sslmode, only the first bytes do
    look.speaks_tls = false;
    look.refine(e, false, timeout, "a PostgreSQL server")
}

/// libpq's second attempt (fe-connect.c) after the first gave `first`: `allow` (plain text
/// first) retries over TLS when the server refuses the plain session; `prefer` (TLS first, plain
/// when the server offers none) retries in plain text when the TLS attempt fails. Returns the
/// client and, when prefer fell back to plain text, why.
async fn second_attempt(
    target: &PostgresTarget,
    config: &tokio_postgres::Config,
    addr: &str,
    first: Result<tokio_postgres::Client, tokio_postgres::Error>,
) -> (
    Result<tokio_postgres::Client, tokio_postgres::Error>,
    Option<String>,
) {
    let e = match first {
        Err(e) if target.tls.is_some() => e,
        done => return (done, None),
    };
    let Some(why) = second_attempt_reason(addr, &e) else {
        return (Err(e), None);
    };
    let mut again = config.clone();
    match target.sslmode {
        SslMode::Allow => {
            again.ssl_mode(tokio_postgres::config::SslMode::Require);
            (open(&again, target.tls.as_ref()).await, None)
        }
        SslMode::Prefer => {
            again.ssl_mode(tokio_postgres::config::SslMode::Disable);
            match open(&again, None).await {
                Ok(client) => {
                    tracing::debug!(target = %target.label, why = %crate::text::escape(&why), "postgres: sslmode=prefer: TLS not used, connected in plain text");
                    (Ok(client), Some(why))
                }
                // refused for want of TLS: the TLS failure is the cause worth naming
                Err(plain) if requires_tls(&plain) => (Err(e), None),
                Err(plain) => (Err(plain), None),
            }
        }
        _ => (Err(e), None),
    }
}

impl PostgresSession {
    /// Connects and authenticates within the timeout.
    pub async fn connect(target: &PostgresTarget, timeout: Duration) -> Result<Self, ProbeError> {
        let start = Instant::now();
        tracing::debug!(target = %target.label, "postgres: connecting");
        let r = match Self::connect_inner(target, timeout).await {
            Err(e) => Err(diagnose(e, target, timeout).await),
            ok => ok,
        };
        let ms = start.elapsed().as_millis() as u64;
        match &r {
            Ok(_) => tracing::debug!(target = %target.label, ms, "postgres: connected"),
            Err(e) => {
                let failure = crate::doctor::failure_kind(e);
                tracing::debug!(target = %target.label, ms, failure, "postgres: connect failed");
            }
        }
        r
    }

    async fn connect_inner(target: &PostgresTarget, timeout: Duration) -> Result<Self, ProbeError> {
        let addr = target.addr.clone();
        let mut config = target.config.clone();
        config.connect_timeout(timeout);
        config.application_name("statectl");
        let a = addr.clone();
        bounded(
            &addr,
            timeout,
            "connecting and authenticating",
            async move {
                // libpq's one second attempt stays under the same bound as the first
                let first = open(&config, target.tls.as_ref()).await;
                let (client, tls_fallback) = second_attempt(target, &config, &a, first).await;
                let client = client.map_err(|e| match classify(&a, timeout, "connecting", e) {
                    // the target knows where a password was looked for
                    ProbeError::Auth { addr, detail } if detail == NO_PASSWORD => {
                        ProbeError::Auth {
                            addr,
                            detail: target.no_password.clone(),
                        }
                    }
                    other => other,
                })?;
                Ok(PostgresSession {
                    client,
                    addr: a,
                    timeout,
                    deadline: None,
                    tls_fallback,
                })
            },
        )
        .await
    }

    /// Runs a query under the timeout.
    pub async fn query(
        &self,
        sql: &str,
        stage: &'static str,
    ) -> Result<Vec<tokio_postgres::Row>, ProbeError> {
        let (addr, timeout) = (
            self.addr.as_str(),
            super::budget(self.timeout, self.deadline),
        );
        let start = Instant::now();
        let r = bounded(addr, timeout, stage, async {
            self.client
                .query(sql, &[])
                .await
                .map_err(|e| classify(addr, timeout, stage, e))
        })
        .await;
        let (us, ok) = (start.elapsed().as_micros() as u64, r.is_ok());
        tracing::debug!(addr = %addr, us, ok, "postgres: {stage}");
        r
    }
}

/// Where a local server writes its log, and how that was found: pg_current_logfile() (needs
/// superuser or a grant of EXECUTE) under data_directory; else, with the logging collector on,
/// the newest file of log_directory (settings a role with pg_read_all_settings may read); else
/// Debian's `/var/log/postgresql/postgresql-MAJOR-main.log` for the server's major version.
pub async fn log_location(
    target: &PostgresTarget,
    timeout: Duration,
) -> Result<(std::path::PathBuf, String), String> {
    let s = PostgresSession::connect(target, timeout)
        .await
        .map_err(reason)?;
    let sql =
        "SELECT current_setting('server_version_num'), current_setting('data_directory', true), \
               current_setting('log_directory', true), current_setting('logging_collector', true)";
    let rows = s.query(sql, "reading the version").await.map_err(reason)?;
    let row = rows.first().ok_or("no row for the server's version")?;
    let addr = &s.addr;
    let version: String = column(row, 0, "server_version_num", addr).map_err(reason)?;
    let data: Option<String> = row.try_get(1).ok().flatten();
    let current = s
        .query("SELECT pg_current_logfile()", "asking pg_current_logfile()")
        .await;
    let file: Option<String> = current
        .ok()
        .and_then(|r| r.first().and_then(|r| r.try_get(0).ok()).flatten());
    if let (Some(f), Some(d)) = (file, data.as_ref()) {
        return Ok((
            std::path::Path::new(d).join(f),
            "pg_current_logfile()".into(),
        ));
    }
    let dir: Option<String> = row.try_get(2).ok().flatten();
    let collector: Option<String> = row.try_get(3).ok().flatten();
    if let (Some(dir), Some("on")) = (dir, collector.as_deref()) {
        let dir = std::path::Path::new(data.as_deref().unwrap_or("")).join(dir);
        let newest = std::fs::read_dir(&dir).ok().and_then(|rd| {
            rd.flatten()
                .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
                .max()
                .map(|(_, p)| p)
        });
        if let Some(p) = newest {
            return Ok((p, "the newest file of log_directory".into()));
        }
    }
    let major = version.parse::<u32>().map_or(0, |v| v / 10_000);
    Ok((
        format!("/var/log/postgresql/postgresql-{major}-main.log").into(),
        "Debian default (pg_current_logfile() gave nothing: no logging collector, or no grant)"
            .into(),
    ))
}

/// One typed column of a row; a NULL or an unexpected type is a protocol error that names the
/// column, never a panic (a proxy or a PostgreSQL look-alike may answer differently).
fn column<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a tokio_postgres::Row,
    idx: usize,
    name: &str,
    addr: &str,
) -> Result<T, ProbeError> {
    row.try_get(idx).map_err(|e| ProbeError::Protocol {
        addr: addr.to_string(),
        expected: "a PostgreSQL server".into(),
        detail: format!("column {name}: {e}"),
        first_bytes: None,
    })
}

/// Why a query failed, in the server's words (e.g. "permission denied for view …").
pub fn reason(e: ProbeError) -> String {
    match e {
        ProbeError::Other { detail, .. } | ProbeError::Protocol { detail, .. } => detail,
        other => other.to_string(),
    }
}

impl PostgresSession {
    async fn rows<T>(
        &self,
        sql: &str,
        stage: &'static str,
        f: impl Fn(&tokio_postgres::Row) -> Result<T, tokio_postgres::Error>,
    ) -> Result<Vec<T>, String> {
        let rows = self.query(sql, stage).await.map_err(reason)?;
        rows.iter()
            .map(|r| f(r).map_err(|e| format!("{stage}: {e}")))
            .collect()
    }

    /// pg_settings, every row.
    pub async fn settings(&self) -> Result<BTreeMap<String, Setting>, String> {
        let rows = self
            .rows(
                "SELECT name, setting, coalesce(unit, ''), context, pending_restart FROM pg_settings",
                "reading pg_settings",
                |r| {
                    Ok((
                        r.try_get::<_, String>(0)?,
                        Setting {
                            setting: r.try_get(1)?,
                            unit: r.try_get(2)?,
                            context: r.try_get(3)?,
                            pending_restart: r.try_get(4)?,
                        },
                    ))
                },
            )
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The settings PostgreSQL shows only to superusers and pg_read_all_settings members
    /// (GUC_SUPERUSER_ONLY, extensions' included): those pg_settings hides from a role with no
    /// privilege. Read as pg_signal_backend, a role every server has and none may read settings
    /// with, inside a transaction that is rolled back.
    pub async fn superuser_only_settings(
        &self,
    ) -> Result<std::collections::BTreeSet<String>, String> {
        let names = |rows: Vec<tokio_postgres::Row>| {
            rows.iter()
                .filter_map(|r| r.try_get::<_, String>(0).ok())
                .collect::<std::collections::BTreeSet<String>>()
        };
        let stage = "reading pg_settings as a role without privileges";
        let all = names(
            self.query("SELECT name FROM pg_settings", stage)
                .await
                .map_err(reason)?,
        );
        let seen = match self
            .execute("BEGIN; SET LOCAL ROLE pg_signal_backend", stage)
            .await
        {
            Ok(()) => self.query("SELECT name FROM pg_settings", stage).await,
            Err(e) => Err(e),
        };
        self.execute("ROLLBACK", stage).await.map_err(reason)?;
        let seen = names(seen.map_err(reason)?);
        Ok(all.difference(&seen).cloned().collect())
    }

    /// Values written to configuration files that are not in force yet (e.g. ALTER SYSTEM of a
    /// restart-only parameter), and the errors pg_file_settings reports.
    pub async fn file_settings(&self) -> Result<(BTreeMap<String, String>, Vec<String>), String> {
        let rows = self
            .rows(
                "SELECT coalesce(name, ''), coalesce(setting, ''), applied, coalesce(error, ''), \
                 coalesce(sourcefile, '') || ':' || coalesce(sourceline, 0) FROM pg_file_settings ORDER BY seqno",
                "reading pg_file_settings",
                |r| {
                    Ok((
                        r.try_get::<_, String>(0)?,
                        r.try_get::<_, String>(1)?,
                        r.try_get::<_, bool>(2)?,
                        r.try_get::<_, String>(3)?,
                        r.try_get::<_, String>(4)?,
                    ))
                },
            )
            .await?;
        let mut pending = BTreeMap::new();
        let mut errors = Vec::new();
        for (name, setting, applied, error, place) in rows {
            if !error.is_empty() && error != "setting could not be applied" {
                errors.push(format!("{place}: {name}: {error}"));
            }
            if applied {
                pending.remove(&name);
            } else if error.is_empty() || error == "setting could not be applied" {
                pending.insert(name, setting);
            }
        }
        Ok((pending, errors))
    }

    /// pg_reload_conf(), then waits (polling, up to `limit`) until this backend has loaded the
    /// new files (pg_conf_load_time moves), so what is read next is what the server now runs.
    pub async fn reload(&self, limit: Duration) -> Result<(), ProbeError> {
        let loaded = || async {
            let rows = self
                .query(
                    "SELECT pg_conf_load_time()::text",
                    "reading pg_conf_load_time()",
                )
                .await?;
            match rows.first() {
                Some(r) => column::<String>(r, 0, "pg_conf_load_time", &self.addr),
                None => Ok(String::new()),
            }
        };
        let before = loaded().await?;
        self.execute("SELECT pg_reload_conf()", "reloading the configuration")
            .await?;
        let start = Instant::now();
        while loaded().await? == before {
            if start.elapsed() >= limit {
                return Err(ProbeError::Timeout {
                    addr: self.addr.clone(),
                    timeout: limit,
                    stage: "waiting for the reload to take effect".into(),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Runs statements one by one (ALTER SYSTEM cannot run in a transaction block).
    pub async fn execute(&self, sql: &str, stage: &'static str) -> Result<(), ProbeError> {
        let (addr, timeout) = (
            self.addr.as_str(),
            super::budget(self.timeout, self.deadline),
        );
        bounded(addr, timeout, stage, async {
            self.client
                .batch_execute(sql)
                .await
                .map_err(|e| classify(addr, timeout, stage, e))
        })
        .await
    }

    /// sum(sessions) and sum(session_time) (ms) over pg_stat_database; the columns exist from
    /// PostgreSQL 14.
    async fn sessions(&self, version: (i32, &str)) -> Result<(i64, f64), String> {
        if version.0 < 140000 {
            return Err(format!(
                "pg_stat_database.sessions exists from PostgreSQL 14; this server is {}",
                version.1
            ));
        }
        self.rows(
            "SELECT coalesce(sum(sessions), 0)::int8, coalesce(sum(session_time), 0)::float8 FROM pg_stat_database",
            "reading pg_stat_database sessions",
            |r| Ok((r.try_get(0)?, r.try_get(1)?)),
        )
        .await
        .map(|v| v.first().copied().unwrap_or((0, 0.0)))
    }

    /// What least privilege asks of the roles: login roles and their attributes, the kind of
    /// each password (computed in the server: no hash is read), PUBLIC's CREATE on schemas,
    /// login roles owning tables, superusers connected from other hosts.
    async fn privilege(&self) -> Privilege {
        let database = self
            .rows(
                "SELECT current_database()::text",
                "reading current_database()",
                |r| r.try_get(0),
            )
            .await
            .ok()
            .and_then(|mut v| v.pop())
            .unwrap_or_default();
        let login_roles = self
            .rows(
                "SELECT rolname::text, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, \
                   rolvaliduntil IS NULL OR rolvaliduntil = 'infinity', oid = 10 \
                 FROM pg_roles WHERE rolcanlogin ORDER BY 1",
                "reading pg_roles",
                |r| {
                    Ok(LoginRole {
                        name: r.try_get(0)?,
                        superuser: r.try_get(1)?,
                        createrole: r.try_get(2)?,
                        createdb: r.try_get(3)?,
                        bypassrls: r.try_get(4)?,
                        replication: r.try_get(5)?,
                        never_expires: r.try_get(6)?,
                        bootstrap: r.try_get(7)?,
                    })
                },
            )
            .await;
        // only the kind leaves the server, never the hash or a part of it
        let password_kinds = self
            .rows(
                "SELECT rolname::text, CASE WHEN rolpassword IS NULL THEN 'none' \
                   WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram-sha-256' \
                   WHEN rolpassword LIKE 'md5%' THEN 'md5' ELSE 'other' END \
                 FROM pg_authid WHERE rolcanlogin ORDER BY 1",
                "reading pg_authid",
                |r| {
                    let kind = match r.try_get::<_, &str>(1)? {
                        "scram-sha-256" => PasswordKind::ScramSha256,
                        "md5" => PasswordKind::Md5,
                        "none" => PasswordKind::None,
                        _ => PasswordKind::Other,
                    };
                    Ok((r.try_get(0)?, kind))
                },
            )
            .await;
        let public_create = self
            .rows(
                "SELECT nspname::text FROM pg_namespace WHERE has_schema_privilege('public', oid, 'CREATE') \
                   AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
                "reading schema privileges",
                |r| r.try_get(0),
            )
            .await;
        let table_owners = self
            .rows(
                "SELECT o.rolname::text, count(*)::int8, \
                   min(quote_ident(n.nspname) || '.' || quote_ident(c.relname)), \
                   array_agg(DISTINCT quote_ident(n.nspname)::text ORDER BY quote_ident(n.nspname)::text), \
                   EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.usesysid = o.oid AND a.pid <> pg_backend_pid()) \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles o ON o.oid = c.relowner \
                 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' \
                   AND o.rolcanlogin AND NOT o.rolsuper \
                 GROUP BY o.rolname, o.oid ORDER BY 1",
                "reading table owners",
                |r| {
                    Ok(TableOwner {
                        role: r.try_get(0)?,
                        tables: r.try_get(1)?,
                        example: r.try_get(2)?,
                        schemas: r.try_get(3)?,
                        connected: r.try_get(4)?,
                    })
                },
            )
            .await;
        let remote_superusers = self
            .rows(
                "SELECT coalesce(a.usename::text, ''), host(a.client_addr), count(*)::int8 \
                 FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid \
                 WHERE r.rolsuper AND a.client_addr IS NOT NULL \
                   AND NOT (a.client_addr << inet '127.0.0.0/8' OR a.client_addr = inet '::1' \
                            OR a.client_addr << inet '::ffff:127.0.0.0/104') \
                 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
                "reading superusers' sessions",
                |r| {
                    Ok(PlainClient {
                        user: r.try_get(0)?,
                        addr: r.try_get(1)?,
                        count: r.try_get(2)?,
                    })
                },
            )
            .await;
        Privilege {
            database,
            login_roles,
            password_kinds,
            public_create,
            table_owners,
            remote_superusers,
        }
    }

    async fn deadlocks(&self) -> Result<i64, String> {
        self.rows(
            "SELECT coalesce(sum(deadlocks), 0)::int8 FROM pg_stat_database",
            "reading pg_stat_database",
            |r| r.try_get(0),
        )
        .await
        .map(|v| v.first().copied().unwrap_or(0))
    }

    async fn detail(
        &self,
        version: (i32, &str),
        sample: Duration,
        cancel: &crate::cancel::CancellationToken,
    ) -> Result<PostgresDetail, ProbeError> {
        let who = self
            .query(
                "SELECT current_user::text, rolsuper, rolsuper OR pg_has_role(current_user, 'pg_monitor', 'MEMBER') \
                 FROM pg_roles WHERE rolname = current_user",
                "reading the role's rights",
            )
            .await?;
        let (role, superuser, can_monitor) = match who.first() {
            Some(r) => (
                column(r, 0, "current_user", &self.addr)?,
                column::<Option<bool>>(r, 1, "rolsuper", &self.addr)?.unwrap_or(false),
                column::<Option<bool>>(r, 2, "pg_monitor membership", &self.addr)?.unwrap_or(false),
            ),
            None => Default::default(),
        };
        let settings = self.settings().await.map_err(|detail| ProbeError::Other {
            addr: self.addr.clone(),
            detail,
        })?;
        let d0 = self.deadlocks().await;
        let s0 = self.sessions(version).await;
        let wal0 = self.wal_position().await;
        let clock = Instant::now();
        crate::cancel::sleep(cancel, sample).await;
        let window = clock.elapsed();
        let wal_risk = self.wal_risk(version, wal0, clock).await;
        let s1 = self.sessions(version).await;
        let d1 = self.deadlocks().await;
        let deadlocks = d0.and_then(|a| d1.map(|b| (a, b)));
        let mean_session_ms = s1
            .as_ref()
            .ok()
            .and_then(|(n, ms)| (*n > 0).then(|| ms / *n as f64));
        let sessions = s0.and_then(|(a, _)| s1.map(|(b, _)| (a, b)));
        let backend_ages = self
            .rows(
                "SELECT EXTRACT(EPOCH FROM now() - backend_start)::float8 FROM pg_stat_activity \
                 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() \
                   AND backend_start IS NOT NULL ORDER BY 1",
                "reading backend ages",
                |r| r.try_get(0),
            )
            .await;
        let blocked = self
            .rows(
                "SELECT a.pid, b.pid, EXTRACT(EPOCH FROM now() - coalesce( \
                   (SELECT min(l.waitstart) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted), \
                   a.query_start))::float8, coalesce(a.query, '') \
                 FROM pg_stat_activity a CROSS JOIN LATERAL unnest(pg_blocking_pids(a.pid)) AS b(pid) \
                 ORDER BY a.pid, b.pid",
                "reading blocked backends",
                |r| {
                    Ok(BlockedBackend {
                        pid: r.try_get(0)?,
                        blocking_pid: r.try_get(1)?,
                        wait_s: r.try_get::<_, Option<f64>>(2)?.unwrap_or(0.0),
                        query: mask_literals(&r.try_get::<_, String>(3)?, 60),
                    })
                },
            )
            .await;
        let backends = self
            .rows(
                "SELECT count(*)::int8 FROM pg_stat_activity WHERE backend_type = 'client backend'",
                "counting backends",
                |r| r.try_get(0),
            )
            .await
            .map(|v| v.first().copied().unwrap_or(0));
        let idle_in_transaction = self
            .rows(
                "SELECT pid, EXTRACT(EPOCH FROM now() - state_change)::float8 FROM pg_stat_activity \
                 WHERE state LIKE 'idle in transaction%' ORDER BY 2 DESC",
                "reading idle transactions",
                |r| Ok((r.try_get(0)?, r.try_get::<_, Option<f64>>(1)?.unwrap_or(0.0))),
            )
            .await;
        let replicas = self
            .rows(
                "SELECT coalesce(application_name, ''), EXTRACT(EPOCH FROM replay_lag)::float8 FROM pg_stat_replication",
                "reading pg_stat_replication",
                |r| Ok((r.try_get(0)?, r.try_get(1)?)),
            )
            .await;
        let slots = self
            .rows(
                "SELECT slot_name::text, active, coalesce(wal_status, '') FROM pg_replication_slots",
                "reading pg_replication_slots",
                |r| {
                    Ok(Slot {
                        name: r.try_get(0)?,
                        active: r.try_get(1)?,
                        wal_status: r.try_get(2)?,
                    })
                },
            )
            .await;
        let xid_age = self
            .rows(
                "SELECT datname::text, age(datfrozenxid)::int8 FROM pg_database ORDER BY 2 DESC",
                "reading pg_database",
                |r| Ok((r.try_get(0)?, r.try_get(1)?)),
            )
            .await;
        // PostgreSQL 17 moved the checkpoint counters from pg_stat_bgwriter to
        // pg_stat_checkpointer (and renamed them)
        let (view, sql) = if version.0 >= 170000 {
            (
                "pg_stat_checkpointer",
                "SELECT num_timed, num_requested FROM pg_stat_checkpointer",
            )
        } else {
            (
                "pg_stat_bgwriter",
                "SELECT checkpoints_timed, checkpoints_req FROM pg_stat_bgwriter",
            )
        };
        let checkpoints = self
            .rows(sql, "reading the checkpoint counters", |r| {
                Ok(Checkpoints {
                    view: view.to_string(),
                    timed: r.try_get(0)?,
                    requested: r.try_get(1)?,
                })
            })
            .await
            .and_then(|mut v| v.pop().ok_or_else(|| format!("{view} returned no row")))
            .map_err(|e| format!("{view} on PostgreSQL {}: {e}", version.1));
        let hba_trust = self
            .rows(
                "SELECT line_number, type, coalesce(address, ''), coalesce(netmask, '') FROM pg_hba_file_rules \
                 WHERE auth_method = 'trust' AND type <> 'local'",
                "reading pg_hba_file_rules",
                |r| {
                    Ok(HbaTrust {
                        line: r.try_get(0)?,
                        kind: r.try_get(1)?,
                        address: r.try_get(2)?,
                        netmask: r.try_get(3)?,
                    })
                },
            )
            .await;
        let plain_clients = self
            .rows(
                "SELECT host(a.client_addr), coalesce(a.usename::text, ''), count(*)::int8 \
                 FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid \
                 WHERE a.backend_type = 'client backend' AND a.client_addr IS NOT NULL \
                   AND NOT s.ssl AND NOT (a.client_addr << inet '127.0.0.0/8' OR a.client_addr = inet '::1') \
                 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
                "reading pg_stat_ssl",
                |r| {
                    Ok(PlainClient {
                        addr: r.try_get(0)?,
                        user: r.try_get(1)?,
                        count: r.try_get(2)?,
                    })
                },
            )
            .await;
        let privilege = self.privilege().await;
        Ok(PostgresDetail {
            database: privilege.database,
            login_roles: privilege.login_roles,
            password_kinds: privilege.password_kinds,
            public_create: privilege.public_create,
            table_owners: privilege.table_owners,
            remote_superusers: privilege.remote_superusers,
            sessions,
            mean_session_ms,
            backend_ages,
            cores: Err("not looked at".into()),
            role,
            superuser,
            can_monitor,
            settings,
            window,
            deadlocks,
            blocked,
            backends,
            idle_in_transaction,
            replicas,
            slots,
            xid_age,
            checkpoints,
            hba_trust,
            plain_clients,
            cert_files: None,
            wal_risk,
        })
    }

    /// pg_is_in_recovery() and, on a primary, pg_current_wal_lsn() in bytes: the start of
    /// postgres.rpo's window (None on a standby).
    async fn wal_position(&self) -> Result<Option<i64>, String> {
        self.rows(
            "SELECT CASE WHEN pg_is_in_recovery() THEN NULL \
               ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::int8 END",
            "reading pg_current_wal_lsn()",
            |r| r.try_get::<_, Option<i64>>(0),
        )
        .await
        .map(|v| v.into_iter().next().flatten())
    }

    /// The end of postgres.rpo's window: the WAL written since `start` (read at `since`), and
    /// each walsender of pg_stat_replication (standbys and subscribers) and each replication
    /// slot without one, with the WAL each does not hold durably.
    async fn wal_risk(
        &self,
        version: (i32, &str),
        start: Result<Option<i64>, String>,
        since: Instant,
    ) -> Result<WalRisk, String> {
        let end = self
            .rows(
                "SELECT CASE WHEN pg_is_in_recovery() THEN NULL \
                   ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::int8 END, \
                 CASE WHEN pg_is_in_recovery() THEN '' ELSE pg_current_wal_lsn()::text END",
                "reading pg_current_wal_lsn()",
                |r| Ok((r.try_get::<_, Option<i64>>(0)?, r.try_get::<_, String>(1)?)),
            )
            .await?;
        let wal_window_s = since.elapsed().as_secs_f64();
        let Some((Some(end), current_lsn)) = end.into_iter().next() else {
            return Ok(WalRisk {
                in_recovery: true,
                wal_window_s,
                ..Default::default()
            });
        };
        let wal_bytes = match start {
            Ok(Some(a)) => Some(end - a),
            _ => None,
        };
        // inactive_since is PostgreSQL 17's
        let inactive = if version.0 >= 170000 {
            "EXTRACT(EPOCH FROM clock_timestamp() - s.inactive_since)::float8"
        } else {
            "NULL::float8"
        };
        let sql = format!(
            "SELECT coalesce(r.application_name, '')::text, host(r.client_addr), \
               coalesce(r.state::text, CASE WHEN s.active THEN 'in use' ELSE 'disconnected' END), \
               coalesce(s.slot_type::text, 'physical'), s.slot_name::text, \
               r.sent_lsn::text, r.write_lsn::text, r.flush_lsn::text, r.replay_lsn::text, \
               EXTRACT(EPOCH FROM r.write_lag)::float8, EXTRACT(EPOCH FROM r.flush_lag)::float8, \
               EXTRACT(EPOCH FROM r.replay_lag)::float8, \
               EXTRACT(EPOCH FROM clock_timestamp() - r.reply_time)::float8, {inactive}, \
               pg_wal_lsn_diff(pg_current_wal_lsn(), \
                 coalesce(r.flush_lsn, s.confirmed_flush_lsn, s.restart_lsn))::int8 \
             FROM pg_stat_replication r FULL JOIN pg_replication_slots s ON s.active_pid = r.pid \
             WHERE coalesce(r.state::text, '') <> 'backup' \
             ORDER BY 3, 1, 5"
        );
        let consumers = self
            .rows(
                &sql,
                "reading pg_stat_replication and pg_replication_slots",
                |r| {
                    Ok(WalConsumer {
                        name: r.try_get(0)?,
                        client_addr: r.try_get(1)?,
                        state: r.try_get(2)?,
                        kind: r.try_get(3)?,
                        slot: r.try_get(4)?,
                        sent_lsn: r.try_get(5)?,
                        write_lsn: r.try_get(6)?,
                        flush_lsn: r.try_get(7)?,
                        replay_lsn: r.try_get(8)?,
                        write_lag_s: r.try_get(9)?,
                        flush_lag_s: r.try_get(10)?,
                        replay_lag_s: r.try_get(11)?,
                        since_reply_s: r.try_get(12)?,
                        inactive_s: r.try_get(13)?,
                        bytes_at_risk: r.try_get(14)?,
                    })
                },
            )
            .await?;
        Ok(WalRisk {
            in_recovery: false,
            current_lsn,
            wal_bytes,
            wal_window_s,
            consumers,
        })
    }
}

/// The role facts of [`PostgresSession::privilege`].
struct Privilege {
    database: String,
    login_roles: Result<Vec<LoginRole>, String>,
    password_kinds: Result<Vec<(String, PasswordKind)>, String>,
    public_create: Result<Vec<String>, String>,
    table_owners: Result<Vec<TableOwner>, String>,
    remote_superusers: Result<Vec<PlainClient>, String>,
}

/// The CPUs online on this host (under the host root), as the kernel lists them.
fn online_cpus(root: &super::kernel::HostRoot) -> Result<u32, String> {
    let path = root.path("sys/devices/system/cpu/online");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::observe::postgres::cpu_list_count(&text)
        .ok_or_else(|| format!("{}: not a CPU list", path.display()))
}

/// The PostgreSQL area's probe: every `--postgres` target, concurrently.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let window = cx.full(Area::Postgres).then_some(cx.timing.sample);
        let seen = cx.targets.postgres.iter().map(|t| async {
            let work = observe(t, cx.timing.timeout, window, &cx.cancel);
            crate::cancel::with_grace(&cx.cancel, work)
                .await
                .unwrap_or_else(|| PostgresObservation {
                    target: t.label.clone(),
                    addr: t.addr.clone(),
                    result: Err(ProbeError::Interrupted {
                        addr: t.addr.clone(),
                    }),
                    tls: None,
                    exposure: None,
                    service: None,
                })
        });
        let mut seen = cx.each(seen).await;
        if let Some(v) = &cx.vantage {
            let looks = cx.each(cx.targets.postgres.iter().map(|t| async {
                let (host, port) = t.host_port_pair();
                let dialogue = super::exposure::Dialogue::Postgres {
                    user: t.config.get_user().unwrap_or("postgres").to_string(),
                    dbname: t
                        .config
                        .get_dbname()
                        .or(t.config.get_user())
                        .unwrap_or("postgres")
                        .to_string(),
                };
                let timeout = cx.timing.timeout;
                let work = async {
                    if host.starts_with('/') {
                        // a Unix socket: the server is on this host; its TCP port, if it
                        // listens on one, is the socket's
                        super::exposure::look_local(v, &host, port, &dialogue, timeout).await
                    } else {
                        super::exposure::look(v, &host, port, &dialogue, timeout).await
                    }
                };
                crate::cancel::with_grace(&cx.cancel, work)
                    .await
                    .unwrap_or_else(|| {
                        crate::observe::exposure::ExposureLook::interrupted(v.label())
                    })
            }));
            for (o, l) in seen.iter_mut().zip(looks.await) {
                o.exposure = Some(l);
            }
        }
        let ports: Vec<Option<u16>> = seen
            .iter()
            .zip(&cx.targets.postgres)
            .map(|(o, t)| {
                (matches!(o.result, Err(ProbeError::Refused { .. })) && t.is_local())
                    .then(|| t.host_port_pair().1)
            })
            .collect();
        let server = super::service::Server::Postgres;
        let facts = super::service::look_each(&cx.root, server, ports).await;
        for (o, f) in seen.iter_mut().zip(facts) {
            o.service = f;
        }
        // a local server runs on this host's CPUs; a remote one's are not known from here
        let cores = super::off_runtime(&cx.root, online_cpus).await;
        for (o, t) in seen.iter_mut().zip(&cx.targets.postgres) {
            if let Ok(PostgresSnapshot {
                detail: Some(d), ..
            }) = &mut o.result
            {
                d.cores = if t.is_local() {
                    cores.clone()
                } else {
                    Err("the server is on another host".into())
                };
            }
        }
        Observed::Postgres(seen)
    })
}

/// Probes one target: connect, authenticate, read the version; with `sample`, also everything
/// the doctor matrix needs, reading counters at both ends of that window.
pub async fn observe(
    target: &PostgresTarget,
    timeout: Duration,
    sample: Option<Duration>,
    cancel: &crate::cancel::CancellationToken,
) -> PostgresObservation {
    let start = Instant::now();
    let result = async {
        let mut session = PostgresSession::connect(target, timeout).await?;
        session.deadline =
            Some(start + timeout + sample.unwrap_or_default() + super::DEADLINE_SLACK);
        let rows = session
            .query(
                "SELECT current_setting('server_version_num')::int4, current_setting('server_version')",
                "reading the server version",
            )
            .await?;
        let row = rows.first().ok_or_else(|| ProbeError::Protocol {
            addr: target.addr.clone(),
            expected: "a PostgreSQL server".into(),
            detail: "no row for the version query".into(),
            first_bytes: None,
        })?;
        let num: i32 = column(row, 0, "server_version_num", &target.addr)?;
        let version: String = column(row, 1, "server_version", &target.addr)?;
        let connect_time = start.elapsed();
        let detail = match sample {
            Some(window) => {
                let mut d = session.detail((num, &version), window, cancel).await?;
                if target.is_local() {
                    d.cert_files = Some(cert_files(&d.settings));
                }
                Some(d)
            }
            None => None,
        };
        Ok(PostgresSnapshot {
            connect_time,
            server_version_num: num.max(0) as u32,
            server_version: version,
            detail,
            tls_fallback: session.tls_fallback.clone(),
        })
    };
    let look = async {
        let Some(client) = &target.tls else {
            return TlsLook::Plain {
                reason: match target.sslmode {
                    SslMode::Disable => "sslmode=disable: TLS not asked for".into(),
                    _ => "a Unix socket: libpq uses no TLS there".into(),
                },
            };
        };
        let (host, port) = target.host_port_pair();
        let preamble = tls::Preamble::Postgres {
            user: target.config.get_user().unwrap_or("postgres").to_string(),
            dbname: target
                .config
                .get_dbname()
                .or(target.config.get_user())
                .unwrap_or("postgres")
                .to_string(),
        };
        tls::handshake(&host, port, client, preamble, timeout).await
    };
    let (result, tls) = tokio::join!(result, look);
    PostgresObservation {
        target: target.label.clone(),
        addr: target.addr.clone(),
        result,
        tls: Some(tls),
        exposure: None,
        service: None,
    }
}

/// The certificate files pg_settings names (relative to the data directory, as the server
/// reads them).
fn cert_files(settings: &BTreeMap<String, Setting>) -> Vec<crate::observe::tls::CertFile> {
    use super::tls::Named;
    let get = |k: &str| {
        settings
            .get(k)
            .map(|s| s.setting.clone())
            .unwrap_or_default()
    };
    // a setting hidden from this role would be read as "": no guessed path is opened
    // (postgres.tls_files skips, naming the grant)
    let hidden = crate::observe::postgres::CERT_FILE_SETTINGS
        .iter()
        .any(|k| !settings.contains_key(*k));
    if hidden || get("ssl") != "on" {
        return Vec::new();
    }
    let data = settings
        .get("data_directory")
        .map(|s| PathBuf::from(&s.setting));
    let named = vec![
        Named {
            directive: "ssl_cert_file",
            path: get("ssl_cert_file"),
            key: Some(get("ssl_key_file")),
        },
        Named {
            directive: "ssl_ca_file",
            path: get("ssl_ca_file"),
            key: None,
        },
    ];
    super::tls::read_files(named, data.as_deref(), &Default::default())
}

#[cfg(test)]
mod tests {
    use super::mask_literals;

    #[test]
    fn literals_are_masked_and_text_cut() {
        assert_eq!(
            mask_literals("UPDATE sessions SET token = 'abc''def' WHERE id = 42", 60),
            "UPDATE sessions SET token = ? WHERE id = ?"
        );
        assert_eq!(
            mask_literals("select  t1.v2\n from t1", 60),
            "select t1.v2 from t1"
        );
        assert_eq!(mask_literals("SELECT 1.5 + $1", 60), "SELECT ? + $1");
        assert_eq!(mask_literals(&"x".repeat(100), 60).chars().count(), 61);
    }

    // issue 26 item 3: dollar quotes, E'' strings and numbers such as 1.5e3 showed in evidence.
    // Every literal form of PostgreSQL's lexer (scan.l) becomes `?`; identifiers, quoted ones
    // included, and $n parameters stay.
    #[test]
    fn every_postgres_literal_form_is_masked() {
        let m = |sql: &str| mask_literals(sql, 200);
        for (sql, want) in [
            ("SELECT $$Zq7$$", "SELECT ?"),
            ("SELECT $$it's Zq7$$, 1", "SELECT ?, ?"),
            (
                "SELECT $tag$Zq7 $$ $x$ still$tag$ FROM t1",
                "SELECT ? FROM t1",
            ),
            ("SELECT $_t9$Zq7$_t9$", "SELECT ?"),
            (r"SELECT E'Zq7\' still Zq7' AS a", "SELECT ? AS a"),
            (r"SELECT e'Zq7\\', 'x'", "SELECT ?, ?"),
            ("SELECT E'Zq7''s'", "SELECT ?"),
            ("SELECT U&'d\\0061t Zq7' UESCAPE '!'", "SELECT ? UESCAPE ?"),
            ("SELECT u&'Zq7'", "SELECT ?"),
            (
                "SELECT B'0101', b'1', X'7A', x'ff', N'Zq7'",
                "SELECT ?, ?, ?, ?, ?",
            ),
            ("SELECT 'a''Zq7''b' || 'c'", "SELECT ? || ?"),
            (
                "SELECT 1.5e3, .5, 5., 1e-3, 2E+10, 0x1F, 0o17, 0b101, 1_000",
                "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?",
            ),
            ("SELECT 3.14159*2", "SELECT ?*?"),
            (
                "SELECT t1.v2, \"Zq7 col\", \"a\"\"'b\" FROM s1.t2",
                "SELECT t1.v2, \"Zq7 col\", \"a\"\"'b\" FROM s1.t2",
            ),
            (
                "SELECT U&\"d\\0061t\" FROM t",
                "SELECT U&\"d\\0061t\" FROM t",
            ),
            ("SELECT a$1, $1, $23 FROM t", "SELECT a$1, $1, $23 FROM t"),
            ("SELECT x -- it's Zq7\nFROM t", "SELECT x FROM t"),
            ("SELECT /* it's /* nested */ Zq7 */ 1", "SELECT ?"),
            (
                "SELECT date '2020-01-01', interval '1 day'",
                "SELECT date ?, interval ?",
            ),
            ("SELECT 'Zq7 unterminated", "SELECT ?"),
            ("SELECT $q$Zq7 unterminated", "SELECT ?"),
            ("SELECT E'Zq7 unterminated \\'", "SELECT ?"),
        ] {
            assert_eq!(m(sql), want, "{sql}");
            assert!(!m(sql).contains("Zq7") || want.contains("Zq7"), "{sql}");
        }
    }
}
