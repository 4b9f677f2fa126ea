//! PostgreSQL targets: libpq connection strings and URIs with the PG* variables, sslmode and
//! the client TLS files, as libpq reads them.

use super::*;

/// A PostgreSQL server to probe.
#[derive(Clone)]
pub struct PostgresTarget {
    /// `postgresql://user@host:port/db`, never with a password.
    pub label: String,
    /// Where to connect, for messages: `host:port` or the socket path.
    pub addr: String,
    /// Connection settings for tokio-postgres, password included (sslmode aside).
    pub config: tokio_postgres::Config,
    /// libpq's sslmode.
    pub sslmode: SslMode,
    /// The TLS client for every sslmode but disable (None for a Unix socket).
    pub tls: Option<crate::tls::TlsClient>,
    /// What to say when the server asks for a password and none was found: where one was looked
    /// for (the password file by its real name, PGPASSFILE's or ~/.pgpass).
    pub no_password: String,
}

/// libpq's sslmode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain text only.
    Disable,
    /// Plain text first; TLS if the server insists.
    Allow,
    /// TLS if the server offers it (libpq's default).
    Prefer,
    /// TLS or nothing; the certificate is verified only when a root certificate file exists.
    Require,
    /// TLS, the chain verified against the root certificate.
    VerifyCa,
    /// TLS, the chain and the host name verified.
    VerifyFull,
}

impl SslMode {
    /// libpq's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

/// The TLS keys of a connection string, which statectl handles itself (tokio-postgres knows
/// only three sslmodes and none of the files).
#[derive(Debug, Default)]
pub(super) struct SslKeys {
    mode: Option<String>,
    rootcert: Option<String>,
    cert: Option<String>,
    key: Option<String>,
}

/// libpq keys statectl does not support: named in the error rather than silently ignored.
pub(super) const UNSUPPORTED_SSL_KEYS: &[&str] =
    &["sslpassword", "sslcrl", "sslcrldir", "sslcertmode"];

impl SslKeys {
    /// Takes `key` if it is one of ours; Err names a key statectl cannot honour.
    fn take(&mut self, key: &str, value: String) -> Result<bool, String> {
        let slot = match key {
            "sslmode" => &mut self.mode,
            "sslrootcert" => &mut self.rootcert,
            "sslcert" => &mut self.cert,
            "sslkey" => &mut self.key,
            // libpq ignores sslcompression since OpenSSL dropped it; SNI is always sent
            "sslcompression" | "sslsni" => return Ok(true),
            k if UNSUPPORTED_SSL_KEYS.contains(&k) => {
                return Err(format!("{k}: not supported by statectl"))
            }
            _ => return Ok(false),
        };
        *slot = Some(value);
        Ok(true)
    }

    /// Splits the TLS keys out of a URL's query or a key=value string; returns the rest.
    fn split(input: &str) -> Result<(String, SslKeys), String> {
        let mut keys = SslKeys::default();
        let trimmed = input.trim_start();
        if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
            let Some((base, query)) = input.split_once('?') else {
                return Ok((input.to_string(), keys));
            };
            let mut rest = Vec::new();
            for pair in query.split('&') {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                if !keys.take(k, percent_decode(v))? {
                    rest.push(pair);
                }
            }
            let rest = if rest.is_empty() {
                base.to_string()
            } else {
                format!("{base}?{}", rest.join("&"))
            };
            return Ok((rest, keys));
        }
        let Some(pairs) = conninfo_pairs(input) else {
            // tokio-postgres says what is wrong with it
            return Ok((input.to_string(), keys));
        };
        let mut rest = Vec::new();
        for (k, raw) in pairs {
            if !keys.take(&k, unquote(&raw))? {
                rest.push(format!("{k}={raw}"));
            }
        }
        Ok((rest.join(" "), keys))
    }
}

/// A key=value value as libpq reads it: quotes removed, backslash escapes undone.
pub(super) fn unquote(raw: &str) -> String {
    let inner = raw
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .unwrap_or(raw);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

impl std::fmt::Debug for PostgresTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// The PG* environment and files psql consults, captured once so tests can supply their own.
#[derive(Debug, Default, Clone)]
pub struct PgEnv {
    /// PGHOST.
    pub host: Option<String>,
    /// PGPORT.
    pub port: Option<String>,
    /// PGUSER.
    pub user: Option<String>,
    /// PGDATABASE.
    pub dbname: Option<String>,
    /// PGPASSWORD.
    pub password: Option<String>,
    /// PGPASSFILE, or ~/.pgpass.
    pub passfile: Option<PathBuf>,
    /// The OS user name, libpq's and psql's default role (from the password database, as
    /// libpq does, not from $USER).
    pub os_user: Option<String>,
    /// PGSSLMODE.
    pub sslmode: Option<String>,
    /// PGSSLROOTCERT.
    pub sslrootcert: Option<String>,
    /// PGSSLCERT.
    pub sslcert: Option<String>,
    /// PGSSLKEY.
    pub sslkey: Option<String>,
    /// ~/.postgresql, where libpq looks for root.crt, postgresql.crt and postgresql.key.
    pub pg_dir: Option<PathBuf>,
}

impl PgEnv {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
        PgEnv {
            host: var("PGHOST"),
            port: var("PGPORT"),
            user: var("PGUSER"),
            dbname: var("PGDATABASE"),
            password: var("PGPASSWORD"),
            passfile: var("PGPASSFILE")
                .map(PathBuf::from)
                .or_else(|| var("HOME").map(|h| Path::new(&h).join(".pgpass"))),
            os_user: whoami::username()
                .ok()
                .or_else(|| var("USER"))
                .or_else(|| var("LOGNAME")),
            sslmode: var("PGSSLMODE"),
            sslrootcert: var("PGSSLROOTCERT"),
            sslcert: var("PGSSLCERT"),
            sslkey: var("PGSSLKEY"),
            pg_dir: var("HOME").map(|h| Path::new(&h).join(".postgresql")),
        }
    }
}

impl PostgresTarget {
    /// Parses a URL or key=value string, filling gaps from the PG* environment and ~/.pgpass.
    pub fn parse(input: &str, env: &PgEnv) -> Result<PostgresTarget, UsageError> {
        let bad = |why: String| UsageError(format!("--postgres {}: {why}", redact_conn(input)));
        let (rest, ssl) = SslKeys::split(input).map_err(&bad)?;
        let mut config = if rest.trim().is_empty() {
            tokio_postgres::Config::new()
        } else {
            // tokio-postgres's messages (and their causes: "unknown option `x`") name keys,
            // never values, so they are safe to show.
            tokio_postgres::Config::from_str(&rest).map_err(|e| {
                use std::error::Error;
                match e.source() {
                    Some(cause) => bad(format!("{e}: {cause}")),
                    None => bad(e.to_string()),
                }
            })?
        };
        if config.get_hosts().is_empty() {
            match &env.host {
                Some(h) if h.starts_with('/') => {
                    config.host_path(h);
                }
                Some(h) => {
                    config.host(h);
                }
                None => {
                    config.host("localhost");
                }
            }
        }
        if config.get_ports().is_empty() {
            if let Some(p) = &env.port {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| bad(format!("PGPORT {p:?} is not a port number")))?;
                config.port(port);
            }
        }
        if config.get_user().is_none() {
            let user = env
                .user
                .clone()
                .or_else(|| env.os_user.clone())
                .unwrap_or_else(|| "postgres".to_string());
            config.user(&user);
        }
        if config.get_dbname().is_none() {
            if let Some(db) = &env.dbname {
                config.dbname(db);
            }
        }
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or("postgres").to_string();
        let dbname = config
            .get_dbname()
            .map(str::to_string)
            .unwrap_or_else(|| user.clone());
        if config.get_password().is_none() {
            if let Some(p) = &env.password {
                config.password(p);
            } else if let Some(f) = env.passfile.as_deref() {
                match pgpass_lookup(f, &host, port, &dbname, &user) {
                    Ok(Some(p)) => {
                        config.password(p);
                    }
                    Ok(None) => {}
                    // libpq goes on without the file, and says so
                    Err(warning) => warn_once(&warning),
                }
            }
        }
        let no_password = format!(
            "the server asks for a password and none was given (URL, PGPASSWORD or the password file {})",
            env.passfile.as_deref().map_or_else(
                || "~/.pgpass".to_string(),
                |f| format!("\"{}\"", f.display())
            )
        );
        let addr = if host.starts_with('/') {
            format!("{host}/.s.PGSQL.{port}")
        } else {
            host_port(&host, port)
        };
        let (sslmode, tls) = pg_tls(ssl, env, host.starts_with('/')).map_err(&bad)?;
        config.ssl_mode(match sslmode {
            _ if tls.is_none() => tokio_postgres::config::SslMode::Disable,
            SslMode::Disable | SslMode::Allow => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        Ok(PostgresTarget {
            label: format!("postgresql://{user}@{}/{dbname}", host_port(&host, port)),
            addr,
            config,
            sslmode,
            tls,
            no_password,
        })
    }
}

impl PostgresTarget {
    /// The first host and port (a socket directory for Unix sockets).
    pub fn host_port_pair(&self) -> (String, u16) {
        let host = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        (
            host,
            self.config.get_ports().first().copied().unwrap_or(5432),
        )
    }

    /// Whether the server is on this machine (loopback or a Unix socket).
    pub fn is_local(&self) -> bool {
        let (host, _) = self.host_port_pair();
        host.starts_with('/') || is_loopback_host(&host)
    }
}

/// libpq's TLS settings: sslmode from the string, PGSSLMODE or `prefer`; the root certificate
/// from sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt (`system`: the system store); the
/// client certificate likewise, its key refused when others can read it.
pub(super) fn pg_tls(
    keys: SslKeys,
    env: &PgEnv,
    unix_socket: bool,
) -> Result<(SslMode, Option<crate::tls::TlsClient>), String> {
    let mode_text = keys
        .mode
        .or_else(|| env.sslmode.clone())
        .unwrap_or_else(|| "prefer".into());
    let mode = SslMode::parse(&mode_text).ok_or_else(|| {
        format!(
            "invalid sslmode value: {mode_text:?} (disable, allow, prefer, require, verify-ca or verify-full)"
        )
    })?;
    // libpq uses no TLS over a Unix socket whatever the mode
    if mode == SslMode::Disable || unix_socket {
        return Ok((mode, None));
    }
    let default = |name: &str| env.pg_dir.as_ref().map(|d| d.join(name));
    let root_path = keys
        .rootcert
        .or_else(|| env.sslrootcert.clone())
        .map(PathBuf::from)
        .or_else(|| default("root.crt"))
        .unwrap_or_else(|| PathBuf::from("~/.postgresql/root.crt"));
    let root = if root_path.as_os_str() == "system" {
        Some(crate::tls::Roots::System)
    } else {
        root_path
            .exists()
            .then(|| crate::tls::Roots::File(root_path.clone()))
    };
    let verify = match (mode, &root) {
        (SslMode::VerifyFull, _) => crate::tls::Verify::Full,
        (SslMode::VerifyCa, _) => crate::tls::Verify::Chain,
        // libpq: with a root certificate present, require (and prefer) verify the chain
        (_, Some(_)) => crate::tls::Verify::Chain,
        (_, None) => crate::tls::Verify::None,
    };
    let roots = match root {
        Some(r) => r,
        None if verify == crate::tls::Verify::None => crate::tls::Roots::System,
        None => {
            return Err(format!(
                "root certificate file \"{}\" does not exist; either provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification",
                root_path.display()
            ))
        }
    };
    let cert = keys
        .cert
        .or_else(|| env.sslcert.clone())
        .map(PathBuf::from)
        .or_else(|| default("postgresql.crt").filter(|p| p.exists()));
    let key = match &cert {
        None => None,
        Some(_) => Some(
            keys.key
                .or_else(|| env.sslkey.clone())
                .map(PathBuf::from)
                .or_else(|| default("postgresql.key"))
                .unwrap_or_else(|| PathBuf::from("postgresql.key")),
        ),
    };
    if let (Some(c), Some(k)) = (&cert, &key) {
        if !k.exists() {
            return Err(format!(
                "certificate present, but not private key file \"{}\" (sslcert {})",
                k.display(),
                c.display()
            ));
        }
        key_permissions(k)?;
    }
    let client = crate::tls::TlsClient::new(crate::tls::TlsOptions {
        verify,
        roots,
        cert,
        key,
        names: crate::tls::PG_NAMES,
    })?;
    Ok((mode, Some(client)))
}

/// libpq refuses a private key others may read.
pub(super) fn key_permissions(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).map_err(|e| format!("sslkey {}: {e}", path.display()))?;
        let (mode, root_owned) = (m.mode() & 0o777, m.uid() == 0);
        let allowed = if root_owned { 0o640 } else { 0o600 };
        if mode & !allowed != 0 {
            return Err(format!(
                "private key file \"{}\" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root",
                path.display()
            ));
        }
    }
    Ok(())
}
