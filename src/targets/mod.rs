//! Targets as the user named them, resolved into connection settings with credentials from the
//! usual places (URL, REDISCLI_AUTH, password files, PG* variables, ~/.pgpass). A target's
//! `label` is what reports show: it never holds a password.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::exit::UsageError;

pub mod edge;
pub mod sentinel;
pub use sentinel::SentinelTarget;

/// The Redis target used when none is named.
pub const DEFAULT_REDIS: &str = "redis://127.0.0.1:6379";

/// A Redis server to probe.
#[derive(Clone)]
pub struct RedisTarget {
    /// `redis://host:port[/db]` or `rediss://…`, with the user but never the password.
    pub label: String,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Connection settings for the redis crate, password included.
    pub info: redis::ConnectionInfo,
    /// The TLS client for rediss:// (None for redis://).
    pub tls: Option<crate::tls::TlsClient>,
    /// For a node found by discovery: the deployment it belongs to (a Sentinel URL's label, or
    /// `cluster:SEED`) and its role there, both part of the label.
    pub member: Option<Member>,
    /// The connection discovery opened here, kept for the probe (shared by clones).
    pub kept: crate::probe::redis::Kept,
}

/// A Redis Cluster found from a seed (probe::topology).
#[derive(Debug, Clone)]
pub struct ClusterTarget {
    /// `cluster:SEED`.
    pub label: String,
    /// Every node, the seed first.
    pub nodes: Vec<RedisTarget>,
}

/// Where a discovered node belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The deployment's label.
    pub deployment: String,
    /// "master", "replica", "cluster master" …
    pub role: String,
}

impl std::fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// Where a Redis password may come from, besides the URL.
#[derive(Debug, Default, Clone)]
pub struct RedisAuthSources {
    /// `--redis-password-file`.
    pub password_file: Option<PathBuf>,
    /// REDISCLI_AUTH.
    pub env_password: Option<String>,
    /// `--tls-ca`, `--tls-cert`, `--tls-key`: the CA file and client certificate for every
    /// rediss:// target (a URL's own `cacert`, `cert` and `key` parameters win).
    pub tls: crate::cli::RedisTlsArgs,
}

impl RedisAuthSources {
    /// Reads the sources from the flags and the environment.
    pub fn from_env(password_file: Option<PathBuf>, tls: &crate::cli::RedisTlsArgs) -> Self {
        RedisAuthSources {
            password_file,
            tls: tls.clone(),
            env_password: std::env::var("REDISCLI_AUTH")
                .ok()
                .filter(|s| !s.is_empty()),
        }
    }

    /// The password to use when the URL has none: the file first, then REDISCLI_AUTH.
    fn password(&self) -> Result<Option<String>, UsageError> {
        if let Some(path) = &self.password_file {
            let text =
                crate::input::read_capped_text(path, crate::input::SECRET_CAP).map_err(|e| {
                    UsageError(format!("--redis-password-file {}: {e}", path.display()))
                })?;
            let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
            if first.is_empty() {
                return Err(UsageError(format!(
                    "--redis-password-file {}: the first line is empty",
                    path.display()
                )));
            }
            return Ok(Some(first.to_string()));
        }
        Ok(self.env_password.clone())
    }
}

impl RedisTarget {
    /// Parses a redis:// or rediss:// URL; errors name the input without its password.
    pub fn parse(input: &str, auth: &RedisAuthSources) -> Result<RedisTarget, UsageError> {
        let bad = |why: &str| UsageError(format!("--redis {}: {why}", redact_url(input)));
        let url = url::Url::parse(input).map_err(|e| bad(&e.to_string()))?;
        let tls = match url.scheme() {
            "redis" => false,
            "rediss" => true,
            other => {
                return Err(bad(&format!(
                    "unsupported scheme {other:?} (use redis:// or rediss://)"
                )))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no host"))?
            .trim_matches(|c| c == '[' || c == ']')
            .to_string();
        let port = url.port().unwrap_or(6379);
        let db: i64 = match url.path().trim_start_matches('/') {
            "" => 0,
            d => d
                .parse()
                .map_err(|_| bad(&format!("database {d:?} is not a number")))?,
        };
        let (user, password) = match url.password() {
            Some(p) => (percent_decode(url.username()), Some(percent_decode(p))),
            // redis-cli reads a lone userinfo (`redis://SECRET@host`) as the password
            None if !url.username().is_empty() => {
                (String::new(), Some(percent_decode(url.username())))
            }
            None => (String::new(), auth.password()?),
        };

        // redis-cli's names: --cacert, --cert, --key
        let (mut ca, mut cert, mut key) = (None, None, None);
        for (k, v) in url.query_pairs() {
            let slot = match k.as_ref() {
                "cacert" => &mut ca,
                "cert" => &mut cert,
                "key" => &mut key,
                other => {
                    return Err(bad(&format!(
                        "unknown parameter {other:?} (known: cacert, cert, key)"
                    )))
                }
            };
            if !tls {
                return Err(bad(&format!("{k}= needs rediss:// (TLS)")));
            }
            *slot = Some(PathBuf::from(v.as_ref()));
        }
        let insecure = url.fragment() == Some("insecure");
        let client = if tls {
            let roots = match ca.or_else(|| auth.tls.tls_ca.clone()) {
                Some(f) => crate::tls::Roots::File(f),
                None => crate::tls::Roots::System,
            };
            let options = crate::tls::TlsOptions {
                verify: if insecure {
                    crate::tls::Verify::None
                } else {
                    crate::tls::Verify::Full
                },
                roots,
                cert: cert.or_else(|| auth.tls.tls_cert.clone()),
                key: key.or_else(|| auth.tls.tls_key.clone()),
                names: crate::tls::REDIS_NAMES,
            };
            Some(crate::tls::TlsClient::new(options).map_err(|e| bad(&e))?)
        } else {
            if auth.tls.any() {
                return Err(bad(
                    "--tls-ca, --tls-cert and --tls-key need rediss:// (TLS)",
                ));
            }
            None
        };
        // the redis crate only carries the settings: statectl opens the stream (crate::tls)
        let addr = redis::ConnectionAddr::Tcp(host.clone(), port);
        let mut settings = redis::RedisConnectionInfo::default()
            .set_db(db)
            .set_skip_set_lib_name();
        if !user.is_empty() {
            settings = settings.set_username(&user);
        }
        if let Some(p) = &password {
            settings = settings.set_password(p);
        }
        let info = redis::IntoConnectionInfo::into_connection_info(addr)
            .map_err(|e| bad(&e.to_string()))?
            .set_redis_settings(settings);

        let scheme = if tls { "rediss" } else { "redis" };
        let hostport = host_port(&host, port);
        let userpart = label_user(Some(user.as_str()).filter(|u| !u.is_empty()));
        let dbpart = if db == 0 {
            String::new()
        } else {
            format!("/{db}")
        };
        let label = format!("{scheme}://{userpart}{hostport}{dbpart}");
        if insecure {
            warn_once(&format!(
                "{label}#insecure: the server's certificate is not verified (testing only)"
            ));
        }
        Ok(RedisTarget {
            label,
            host,
            port,
            info,
            tls: client,
            member: None,
            kept: Default::default(),
        })
    }

    /// The same credentials, TLS and database at another address, as a member of a deployment:
    /// how discovered nodes are reached. The label names the node and its role.
    pub fn at(&self, host: &str, port: u16, member: Member) -> RedisTarget {
        let mut t = self.clone();
        let scheme = if self.is_tls() { "rediss" } else { "redis" };
        let s = self.info.redis_settings();
        let user = label_user(s.username());
        let db = if s.db() == 0 {
            String::new()
        } else {
            format!("/{}", s.db())
        };
        t.label = format!(
            "{scheme}://{user}{}{db} ({}: {})",
            host_port(host, port),
            member.deployment,
            member.role
        );
        t.host = host.to_string();
        t.port = port;
        t.info = redis::IntoConnectionInfo::into_connection_info(redis::ConnectionAddr::Tcp(
            host.to_string(),
            port,
        ))
        .expect("a host and port make connection info")
        .set_redis_settings(s.clone());
        t.member = Some(member);
        // another server: the connection kept here is not its
        t.kept = Default::default();
        t
    }

    /// `host:port`, with brackets around IPv6 addresses.
    pub fn host_port(&self) -> String {
        host_port(&self.host, self.port)
    }

    /// Whether the URL asks for TLS (rediss://).
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Opens a TCP connection (Nagle off) and, for rediss://, TLS over it.
    pub async fn open(&self) -> std::io::Result<crate::tls::Stream> {
        let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await?;
        tcp.set_nodelay(true)?;
        match &self.tls {
            None => Ok(crate::tls::Stream::Plain(tcp)),
            Some(c) => c.connect(tcp, &self.host).await,
        }
    }

    /// Whether the server is on this machine (loopback), so local files such as /proc apply.
    pub fn is_local(&self) -> bool {
        is_loopback_host(&self.host)
    }
}

/// The `user@` part of a Redis label: empty without a user, `***@` for a name that does not look
/// like one (an `@` or `:` in it means the URL was split elsewhere than its writer meant, and part
/// of a password may be in it).
pub fn label_user(user: Option<&str>) -> String {
    match user {
        None => String::new(),
        Some(u) if is_plain_user(u) => format!("{u}@"),
        Some(_) => format!("{MASK}@"),
    }
}

/// Whether a URL's user name can be shown: nothing in it a parser splits on.
fn is_plain_user(u: &str) -> bool {
    !u.is_empty()
        && !u.contains(['/', '?', '#', '=', '&', ':', '@', '%'])
        && !u.contains(char::is_whitespace)
}

/// Prints a warning on stderr, once per text for the whole run.
pub fn warn_once(text: &str) {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut seen) = SEEN.lock() else { return };
    if !seen.iter().any(|s| s == text) {
        // bounded: a run with thousands of targets still warns for each, remembering a few
        if seen.len() < 256 {
            seen.push(text.to_string());
        }
        eprintln!("statectl: warning: {text}");
    }
}

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
struct SslKeys {
    mode: Option<String>,
    rootcert: Option<String>,
    cert: Option<String>,
    key: Option<String>,
}

/// libpq keys statectl does not support: named in the error rather than silently ignored.
const UNSUPPORTED_SSL_KEYS: &[&str] = &["sslpassword", "sslcrl", "sslcrldir", "sslcertmode"];

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
fn unquote(raw: &str) -> String {
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
fn pg_tls(
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
fn key_permissions(path: &Path) -> Result<(), String> {
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

/// Looks a password up in a pgpass file, as libpq does. A file libpq ignores (not a plain file,
/// or one others can read) is Err with libpq's own warning; a missing file is Ok(None).
pub fn pgpass_lookup(
    path: &Path,
    host: &str,
    port: u16,
    db: &str,
    user: &str,
) -> Result<Option<String>, String> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Err(format!(
            "password file \"{}\" is not a plain file",
            path.display()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
                path.display()
            ));
        }
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    // libpq matches "localhost" for Unix-socket connections too.
    let host = if host.starts_with('/') {
        "localhost"
    } else {
        host
    };
    let port = port.to_string();
    Ok(text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(split_pgpass_line)
        .find(|f| {
            f.len() == 5
                && [host, port.as_str(), db, user]
                    .iter()
                    .zip(&f[..4])
                    .all(|(want, have)| have == "*" || have == want)
        })
        .map(|mut f| f.swap_remove(4)))
}

/// Splits one pgpass line on unescaped colons, undoing `\:` and `\\`.
fn split_pgpass_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut().unwrap().push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// `host:port`, with brackets around IPv6 addresses.
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Whether a host name or address is on this machine.
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// RFC 3986 percent-decoding of URL userinfo, as redis-rs and libpq do: `+` stays `+`.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// What stands in for a secret in messages.
pub const MASK: &str = "***";

/// A URL with its secrets replaced by `***`, for messages: the userinfo's password, every query
/// and fragment parameter's value (`?access_token=`, `&X-Amz-Signature=`), and any `password=`.
/// Users put `/`, `?`, `#` and `@` in passwords unencoded, and a URL parser then splits the URL
/// elsewhere than they meant (part of the password becomes a path or a query). So whenever an `@`
/// follows the scheme, however many slashes (`redis:SECRET@h`, a typo, is read as redis-cli
/// would), everything up to the *last* `@` is userinfo: a plain user name before its first `:`
/// stays, the rest is masked. A lone userinfo is a user name only in PostgreSQL and HTTP URLs;
/// redis-cli reads it as the password.
pub fn redact_url(input: &str) -> String {
    let scheme = input.split_once(':').map(|(s, _)| s).filter(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    // a path (`--resource /r?token=…`) has no userinfo: an `@` in it is the path's
    if scheme.is_none() && input.starts_with('/') && !input.starts_with("//") {
        return mask_query(input);
    }
    let after_scheme = scheme.map_or(0, |s| s.len() + 1);
    let slashes = input[after_scheme..].len() - input[after_scheme..].trim_start_matches('/').len();
    let (head, rest) = input.split_at(after_scheme + slashes);
    let Some(at) = rest.rfind('@') else {
        return format!("{}{}", mask_password_params(head), mask_query(rest));
    };
    let (userinfo, rest) = rest.split_at(at);
    // a user name shown must look like one: anything else may be part of a secret
    let plain = |u: &str| scheme.is_some() && is_plain_user(u);
    let lone_is_user = scheme.is_some_and(|s| {
        ["postgres", "postgresql", "http", "https"]
            .iter()
            .any(|k| s.eq_ignore_ascii_case(k))
    });
    let shown = match userinfo.split_once(':') {
        Some((user, _)) if plain(user) => format!("{user}:{MASK}"),
        Some(("", _)) if scheme.is_some() => format!(":{MASK}"),
        None if lone_is_user && plain(userinfo) => userinfo.to_string(),
        _ => MASK.to_string(),
    };
    format!("{head}{shown}{}", mask_query(rest))
}

/// The text after a URL's authority with every query and fragment parameter's value masked
/// (`password=` before them too).
fn mask_query(s: &str) -> String {
    let Some(q) = s.find(['?', '#']) else {
        return mask_password_params(s);
    };
    let mut out = mask_password_params(&s[..q]);
    let mut at = q;
    while at < s.len() {
        // one separator (`?`, `&`, `#`, `;`), then a parameter up to the next
        let sep = s[at..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&s[at..at + sep]);
        at += sep;
        let end = s[at..].find(['&', '#', ';']).map_or(s.len(), |e| at + e);
        match s[at..end].split_once('=') {
            Some((k, _)) => {
                out.push_str(k);
                out.push('=');
                out.push_str(MASK);
            }
            // `#insecure` is statectl's one flag; any other bare word may be a token
            None if &s[at..end] == "insecure" => out.push_str("insecure"),
            None if at == end => {}
            None => out.push_str(MASK),
        }
        at = end;
    }
    out
}

/// Masks the value of every `password=` in `s` (to the next `&`, `#` or the end).
fn mask_password_params(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    while let Some(i) = lower[at..].find("password=").map(|i| at + i) {
        let value = i + "password=".len();
        let end = s[value..].find(['&', '#']).map_or(s.len(), |e| value + e);
        out.push_str(&s[at..value]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&s[at..]);
    out
}

/// libpq's connection keys whose values are never secret. Messages show every other key's value
/// as `***`: `password`, `sslpassword`, and a misspelt or unknown key that may hold one.
const PLAIN_CONN_KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
];

/// A connection string (URL or libpq key=value pairs) with its secrets replaced by `***`, for
/// messages. Key=value strings are read with libpq's rules (spaces around `=`, single quotes,
/// backslash escapes); only the values of [`PLAIN_CONN_KEYS`] are shown. Where the string stops
/// parsing, the rest is masked.
pub fn redact_conn(input: &str) -> String {
    // a URL only when it begins with a scheme, as libpq decides; `://` elsewhere is a value
    let scheme = input.trim_start().split_once("://").map(|(s, _)| s);
    if scheme.is_some_and(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    }) {
        return redact_url(input);
    }
    let (pairs, complete) = conninfo_scan(input);
    let mut shown: Vec<String> = pairs
        .into_iter()
        .map(|(k, raw)| {
            if PLAIN_CONN_KEYS.contains(&k.as_str()) {
                format!("{k}={raw}")
            } else {
                format!("{k}={MASK}")
            }
        })
        .collect();
    if !complete {
        shown.push(MASK.to_string());
    }
    shown.join(" ")
}

/// Splits libpq key=value text into (key, value as written), or None where libpq would reject
/// it (a key without `=`, an unterminated quote).
fn conninfo_pairs(input: &str) -> Option<Vec<(String, String)>> {
    match conninfo_scan(input) {
        (pairs, true) => Some(pairs),
        (_, false) => None,
    }
}

/// The pairs of libpq key=value text up to where it stops parsing, and whether it parsed whole.
fn conninfo_scan(input: &str) -> (Vec<(String, String)>, bool) {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return (out, true);
        }
        match conninfo_pair(&mut chars) {
            Some(pair) => out.push(pair),
            None => return (out, false),
        }
    }
}

/// One `key = value` (the value as written, quotes kept), or None where libpq would reject it.
fn conninfo_pair(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<(String, String)> {
    let mut key = String::new();
    while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
        key.push(c);
    }
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
    chars.next_if_eq(&'=')?;
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
    let mut raw = String::new();
    if chars.next_if_eq(&'\'').is_some() {
        raw.push('\'');
        loop {
            match chars.next()? {
                '\\' => {
                    raw.push('\\');
                    raw.push(chars.next()?);
                }
                '\'' => {
                    raw.push('\'');
                    break;
                }
                c => raw.push(c),
            }
        }
    } else {
        while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
            raw.push(c);
            if c == '\\' {
                raw.push(chars.next()?);
            }
        }
    }
    Some((key, raw))
}

/// Every target of a `doctor` or `preflight` run, resolved and validated once: the areas that
/// no selected check needs get none.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// Redis servers: those named, and after discovery every node of their deployments.
    pub redis: Vec<RedisTarget>,
    /// Sentinel deployments (`redis+sentinel://`).
    pub sentinels: Vec<SentinelTarget>,
    /// Redis Clusters, found by discovery.
    pub clusters: Vec<ClusterTarget>,
    /// Named Redis targets discovery could not reach, by label: their probe reports this
    /// instead of waiting for the same failure again.
    pub redis_failures: Vec<(String, crate::observe::ProbeError)>,
    /// PostgreSQL servers.
    pub postgres: Vec<PostgresTarget>,
    /// Network interfaces.
    pub ifaces: Vec<String>,
    /// The API edge.
    pub edge: edge::EdgeTargets,
    /// What this node is for (`--role`).
    pub roles: Vec<String>,
    /// Where and how far back the log.* checks read.
    pub logs: LogTargets,
    /// Whether the paths to the servers are traced (`--path`).
    pub path: bool,
}

/// The log.* checks' inputs.
#[derive(Debug, Clone, Default)]
pub struct LogTargets {
    /// How far back (`--since`).
    pub since: std::time::Duration,
    /// Explicit files; otherwise each server says where its log is.
    pub redis_log: Option<std::path::PathBuf>,
    /// See `redis_log`.
    pub postgres_log: Option<std::path::PathBuf>,
    /// See `redis_log`.
    pub syslog: Option<std::path::PathBuf>,
}

impl Targets {
    /// Resolves flags and environment for the areas `needs` names. With no Redis or PostgreSQL
    /// target named, the local defaults are checked; naming any replaces them. Bad input is a
    /// [`UsageError`] naming it.
    pub fn resolve(
        args: &crate::cli::TargetArgs,
        needs: impl Fn(crate::doctor::Area) -> bool,
        root: &crate::probe::kernel::HostRoot,
    ) -> Result<Targets, UsageError> {
        use crate::doctor::Area;
        let defaults = args.redis.is_empty() && args.postgres.is_empty();
        let mut t = Targets::default();
        // the log and path areas read the logs of, and trace, the Redis and PostgreSQL targets
        let servers = needs(Area::Log) || needs(Area::Path);
        if needs(Area::Redis) || needs(Area::Sentinel) || needs(Area::Cluster) || servers {
            let auth =
                RedisAuthSources::from_env(args.redis_password_file.clone(), &args.redis_tls);
            let urls = if defaults {
                vec![DEFAULT_REDIS.to_string()]
            } else {
                args.redis.clone()
            };
            for u in &urls {
                if SentinelTarget::is_sentinel_url(u) {
                    let pw = args.sentinel_password.as_deref();
                    t.sentinels.push(SentinelTarget::parse(u, &auth, pw)?);
                } else {
                    t.redis.push(RedisTarget::parse(u, &auth)?);
                }
            }
        }
        if needs(Area::Postgres) || servers {
            let env = PgEnv::from_env();
            let conns = if defaults {
                vec![String::new()]
            } else {
                args.postgres.clone()
            };
            t.postgres = conns
                .iter()
                .map(|c| PostgresTarget::parse(c, &env))
                .collect::<Result<_, _>>()?;
        }
        t.roles = args.roles.iter().map(|r| r.as_str().to_string()).collect();
        t.path = args.path;
        if needs(Area::Log) {
            let l = &args.logs;
            for (flag, f) in [
                ("--redis-log", &l.redis_log),
                ("--postgres-log", &l.postgres_log),
                ("--syslog", &l.syslog),
            ] {
                // a log may be large (only its end inside --since is read), but it must be a
                // file: a FIFO or a device would never end; between logrotate's rename and
                // create only FILE.1 holds the window
                let rotated = |f: &std::path::PathBuf| {
                    let mut r = f.clone().into_os_string();
                    r.push(".1");
                    std::path::Path::new(&r).is_file()
                };
                if let Some(f) = f.as_ref().filter(|f| f.exists() || !rotated(f)) {
                    crate::input::not_special(f)
                        .map_err(|e| UsageError(format!("{flag} {}: {e}", f.display())))?;
                }
            }
            t.logs = LogTargets {
                since: args.edge.since,
                redis_log: l.redis_log.clone(),
                postgres_log: l.postgres_log.clone(),
                syslog: l.syslog.clone(),
            };
        }
        if needs(Area::Lb) || needs(Area::Jwt) || needs(Area::Http) {
            t.edge = edge::EdgeTargets::parse(&args.edge, defaults)?;
        }
        if needs(Area::Nic) {
            if args.iface.is_empty() {
                t.ifaces = crate::probe::kernel::default_route_interfaces(root);
            } else {
                if let Some(i) = args
                    .iface
                    .iter()
                    .find(|i| !crate::probe::nic::exists(root, i))
                {
                    return Err(UsageError(format!(
                        "--iface {i}: no such network interface"
                    )));
                }
                t.ifaces = args.iface.clone();
            }
        }
        Ok(t)
    }

    /// How many targets there are, for progress messages.
    pub fn count(&self) -> usize {
        self.redis.len()
            + self
                .sentinels
                .iter()
                .map(|s| s.sentinels.len())
                .sum::<usize>()
            + self.postgres.len()
            + self.ifaces.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_url_password_never_reaches_the_label() {
        let t =
            RedisTarget::parse("redis://app:s3cret@10.0.0.5:6380/2", &Default::default()).unwrap();
        assert_eq!(t.label, "redis://app@10.0.0.5:6380/2");
        assert_eq!(t.info.redis_settings().password(), Some("s3cret"));
        assert_eq!(t.info.redis_settings().username(), Some("app"));
        assert!(!t.is_local());
    }

    #[test]
    fn redis_password_from_env_when_url_has_none() {
        let auth = RedisAuthSources {
            password_file: None,
            env_password: Some("fromenv".into()),
            ..Default::default()
        };
        let t = RedisTarget::parse("redis://127.0.0.1", &auth).unwrap();
        assert_eq!(t.info.redis_settings().password(), Some("fromenv"));
        assert_eq!((t.port, t.is_local()), (6379, true));
    }

    // issue 13: verify-ca and verify-full were "invalid connection string"; an unknown key was
    // not named
    #[test]
    fn sslmodes_parse_as_libpq_and_bad_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let cert = rcgen::generate_simple_self_signed(vec!["db.test".into()]).unwrap();
        std::fs::write(&ca, cert.cert.pem()).unwrap();
        let env = PgEnv {
            pg_dir: Some(dir.path().join("no-such-dir")),
            ..Default::default()
        };
        let ca_arg = ca.display();
        for (conn, mode, verify) in [
            ("host=db", SslMode::Prefer, Some(crate::tls::Verify::None)),
            ("host=db sslmode=disable", SslMode::Disable, None),
            ("host=db sslmode=require", SslMode::Require, Some(crate::tls::Verify::None)),
            (&format!("host=db sslmode=require sslrootcert={ca_arg}"), SslMode::Require, Some(crate::tls::Verify::Chain)),
            (&format!("host=db sslmode=verify-ca sslrootcert='{ca_arg}'"), SslMode::VerifyCa, Some(crate::tls::Verify::Chain)),
            (&format!("postgresql://u@db:5433/app?sslmode=verify-full&sslrootcert={ca_arg}&application_name=x"), SslMode::VerifyFull, Some(crate::tls::Verify::Full)),
            ("host=/run/postgresql sslmode=require", SslMode::Require, None),
        ] {
            let t = PostgresTarget::parse(conn, &env).unwrap_or_else(|e| panic!("{conn}: {e}"));
            assert_eq!(t.sslmode, mode, "{conn}");
            assert_eq!(t.tls.as_ref().map(|c| c.options.verify), verify, "{conn}");
        }
        let env_mode = PgEnv {
            sslmode: Some("verify-full".into()),
            sslrootcert: Some(ca.display().to_string()),
            ..env.clone()
        };
        let t = PostgresTarget::parse("host=db", &env_mode).unwrap();
        assert_eq!(t.sslmode, SslMode::VerifyFull);
        for (conn, want) in [
            (
                "host=db sslmode=verify-al",
                "invalid sslmode value: \"verify-al\"",
            ),
            ("host=db sslmode=verify-full", "root certificate file"),
            (
                "host=db password=hunter2 bogus_key=1",
                "unknown option `bogus_key`",
            ),
            ("host=db sslcrl=/x", "sslcrl: not supported"),
            (
                "host=db sslmode=require sslcert=/nonexistent/c.pem sslkey=/nonexistent/k.pem",
                "private key file \"/nonexistent/k.pem\"",
            ),
        ] {
            let e = PostgresTarget::parse(conn, &env).unwrap_err().0;
            assert!(e.contains(want), "{conn}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }

    // libpq refuses a key others can read, with its own words
    #[test]
    fn a_client_key_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let c = rcgen::generate_simple_self_signed(vec!["client".into()]).unwrap();
        let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
        std::fs::write(&cert, c.cert.pem()).unwrap();
        std::fs::write(&key, c.signing_key.serialize_pem()).unwrap();
        let conn = format!(
            "host=db sslmode=require sslcert={} sslkey={}",
            cert.display(),
            key.display()
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = PostgresTarget::parse(&conn, &PgEnv::default())
            .unwrap_err()
            .0;
        assert!(e.contains("has group or world access"), "{e}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        let t = PostgresTarget::parse(&conn, &PgEnv::default()).unwrap();
        assert!(t.tls.unwrap().has_client_cert());
    }

    #[test]
    fn redis_tls_files_come_from_flags_or_the_url_and_need_rediss() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let c = rcgen::generate_simple_self_signed(vec!["r.test".into()]).unwrap();
        std::fs::write(&ca, c.cert.pem()).unwrap();
        let url = format!("rediss://r.test:6380?cacert={}", ca.display());
        let t = RedisTarget::parse(&url, &Default::default()).unwrap();
        assert_eq!(
            t.tls.unwrap().options.roots,
            crate::tls::Roots::File(ca.clone())
        );
        let flags = RedisAuthSources {
            tls: crate::cli::RedisTlsArgs {
                tls_ca: Some(ca.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        let e = RedisTarget::parse("redis://r.test:6379", &flags)
            .unwrap_err()
            .0;
        assert!(e.contains("need rediss://"), "{e}");
        for (url, want) in [
            (
                "rediss://h:1?cacert=/nonexistent/ca.pem",
                "--tls-ca /nonexistent/ca.pem",
            ),
            ("rediss://h:1?bogus=1", "unknown parameter \"bogus\""),
            ("rediss://h:1?cert=/x.pem", "--tls-cert needs --tls-key"),
        ] {
            let e = RedisTarget::parse(url, &Default::default()).unwrap_err().0;
            assert!(e.contains(want), "{url}: {e}");
        }
    }

    #[test]
    fn password_file_wins_over_env() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "filepw\n").unwrap();
        let auth = RedisAuthSources {
            password_file: Some(f),
            env_password: Some("envpw".into()),
            ..Default::default()
        };
        let t = RedisTarget::parse("redis://[::1]:7000", &auth).unwrap();
        assert_eq!(t.info.redis_settings().password(), Some("filepw"));
        assert_eq!(t.host_port(), "[::1]:7000");
    }

    #[test]
    fn bad_redis_urls_name_the_input_without_password() {
        for bad in [
            "http://x:1",
            "redis://u:topsecret@h:99999",
            "not a url",
            "redis://h/abc",
        ] {
            let e = RedisTarget::parse(bad, &Default::default()).unwrap_err().0;
            assert!(e.starts_with("--redis "), "{e}");
            assert!(!e.contains("topsecret"), "{e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn postgres_env_fills_gaps_and_label_hides_password() {
        let env = PgEnv {
            host: Some("db1".into()),
            port: Some("5433".into()),
            user: Some("app".into()),
            password: Some("pw".into()),
            ..Default::default()
        };
        let t = PostgresTarget::parse("dbname=state", &env).unwrap();
        assert_eq!(t.label, "postgresql://app@db1:5433/state");
        assert_eq!(t.config.get_password(), Some(&b"pw"[..]));
        let t = PostgresTarget::parse("postgresql://u:x@h:1/d", &env).unwrap();
        assert_eq!(t.label, "postgresql://u@h:1/d");
        assert_eq!(t.config.get_password(), Some(&b"x"[..]));
    }

    #[test]
    fn pgpass_is_honoured_with_wildcards_and_escapes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pgpass");
        std::fs::write(&f, "# comment\nother:*:*:*:no\nh:5432:*:app:pa\\:ss\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            pgpass_lookup(&f, "h", 5432, "d", "app").unwrap().as_deref(),
            Some("pa:ss")
        );
        assert_eq!(pgpass_lookup(&f, "h", 5433, "d", "app"), Ok(None));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        // libpq's warning, naming the file
        let e = pgpass_lookup(&f, "h", 5432, "d", "app").unwrap_err();
        assert!(
            e.contains(&format!("\"{}\" has group or world access", f.display())),
            "{e}"
        );
        let e = pgpass_lookup(dir.path(), "h", 5432, "d", "app").unwrap_err();
        assert!(e.contains("is not a plain file"), "{e}");
    }

    #[test]
    fn connection_strings_are_redacted() {
        assert_eq!(
            redact_conn("host=h password=s3 user=u"),
            "host=h password=*** user=u"
        );
        assert_eq!(
            redact_conn("postgresql://u:s3@h/d"),
            "postgresql://u:***@h/d"
        );
        assert_eq!(
            redact_conn("postgresql://h/d?password=s3&x=1"),
            "postgresql://h/d?password=***&x=***"
        );
        assert!(!redact_conn("password = s3 host=h").contains("s3"));
        assert_eq!(redact_url("redis://:pw@h:1"), "redis://:***@h:1");
    }

    #[test]
    fn bad_postgres_strings_are_usage_errors() {
        let e = PostgresTarget::parse("host=h password=hunter2 bogus", &Default::default())
            .unwrap_err()
            .0;
        assert!(e.starts_with("--postgres "), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    // issue 12, defect 1: a password reached stderr when a URL failed to parse
    #[test]
    fn redaction_never_leaks_a_password_that_breaks_parsing() {
        for (input, secret) in [
            ("redis://u:pa/ss@h:1", "pa/ss"),
            ("redis://u:pa?ss@h:1", "pa?ss"),
            ("redis://u:pa#ss@h:1", "pa#ss"),
            ("redis://u:p@ss@h:1/0", "p@ss"),
            ("postgresql://app:s3/cr3t@db:5432/app", "s3/cr3t"),
            (
                "postgresql://app@db/app?password=s3cr3t&sslmode=require",
                "s3cr3t",
            ),
            // found by the proptest twin of the fuzz target: a password with `?` and `@` parses,
            // its tail landing in the query
            ("redis://u:ab?c@dZq7@h:1", "dZq7"),
            ("redis://u:ab#c@dZq7@h:1", "dZq7"),
            ("postgresql://u:x/y@zZq7@db/app", "zZq7"),
            // found by `cargo fuzz run targets` in its first second
            ("host=h password=Zq7secret =://@", "Zq7secret"),
        ] {
            let r = redact_url(input);
            assert!(!r.contains(secret), "{input} -> {r}");
            let r = redact_conn(input);
            assert!(!r.contains(secret), "{input} -> {r}");
        }
        for (input, secret) in [
            ("host=db password='my secret' bogus", "secret"),
            ("host=db password = 'it''s' x", "it"),
            (r"host=db password='a\' b' user=x", " b"),
            ("password=plain host=db", "plain"),
            ("host=db password='unterminated secret", "secret"),
        ] {
            let r = redact_conn(input);
            assert!(!r.contains(secret), "{input} -> {r}");
        }
        // what is not secret stays, so the message still names the input
        assert_eq!(
            redact_conn("host=db password='my secret' user=app"),
            "host=db password=*** user=app"
        );
        assert_eq!(redact_url("redis://u:pa/ss@h:1"), "redis://u:***@h:1");
        assert_eq!(redact_url("redis://u:secret@h:1/2"), "redis://u:***@h:1/2");
    }

    // issue 12, defect 1: the same through the error a bad --redis or --postgres gives
    #[test]
    fn parse_errors_name_the_input_without_its_password() {
        let e =
            RedisTarget::parse("redis://u:pa/ss@h:1", &RedisAuthSources::default()).unwrap_err();
        assert!(!e.0.contains("pa/ss") && e.0.contains("--redis"), "{}", e.0);
        let e = PostgresTarget::parse("host=db password='my secret' bogus", &PgEnv::default())
            .unwrap_err();
        assert!(
            !e.0.contains("secret") && e.0.contains("--postgres"),
            "{}",
            e.0
        );
    }

    // issue 26 item 1: sslpassword (and any key statectl cannot name as harmless) was echoed
    // whole in the usage error
    #[test]
    fn secret_and_unknown_keys_never_reach_a_usage_error() {
        for conn in [
            "host=db sslpassword=Zq7secret",
            "host=db sslpassword = 'Zq7 two words' user=app",
            "host=db passwd=Zq7secret",
            "host=db pass='Zq7secret",
            "postgresql://app@db/app?sslpassword=Zq7secret",
        ] {
            let e = PostgresTarget::parse(conn, &PgEnv::default())
                .unwrap_err()
                .0;
            assert!(e.starts_with("--postgres ") && e.contains("db"), "{e}");
            assert!(!e.contains("Zq7"), "{conn}: {e}");
            assert!(!e.contains("two words"), "{conn}: {e}");
        }
        // the keys stay, so the message still says which one is wrong
        assert_eq!(
            redact_conn("host=db sslpassword='a b' user=app"),
            "host=db sslpassword=*** user=app"
        );
    }

    // issue 26 item 4: `redis://SECRET@host` (redis-cli's password) was the label's user name,
    // and the typos `redis:SECRET@host`, `redis:/:SECRET@host` were echoed whole
    #[test]
    fn a_lone_userinfo_is_the_password_as_redis_cli_reads_it() {
        let t = RedisTarget::parse("redis://Zq7pw@h:6380/1", &Default::default()).unwrap();
        assert_eq!(t.label, "redis://h:6380/1");
        let s = t.info.redis_settings();
        assert_eq!((s.username(), s.password()), (None, Some("Zq7pw")));
        let t = SentinelTarget::parse("redis+sentinel://Zq7pw@h1,h2/m", &Default::default(), None)
            .unwrap();
        assert!(
            !t.label.contains("Zq7") && !t.data.label.contains("Zq7"),
            "{}",
            t.label
        );
        assert_eq!(t.data.info.redis_settings().password(), Some("Zq7pw"));
        for typo in [
            "redis:Zq7pw@h:6379",
            "redis:/:Zq7pw@h",
            "redis:/Zq7pw@h",
            "rediss:Zq7pw@h",
            "Zq7pw@h:6379",
            "redis+sentinel:/Zq7pw@h/m",
        ] {
            let e = RedisTarget::parse(typo, &Default::default()).unwrap_err().0;
            assert!(
                e.starts_with("--redis ") && !e.contains("Zq7"),
                "{typo}: {e}"
            );
        }
        assert_eq!(redact_url("redis:/:Zq7pw@h"), "redis:/:***@h");
        assert_eq!(redact_url("redis://Zq7pw@h:1"), "redis://***@h:1");
        assert_eq!(redact_url("/u/a@b?token=Zq7"), "/u/a@b?token=***");
        assert_eq!(
            redact_url("https://h/x?access_token=Zq7&Zq7bare&sig=Zq7#insecure"),
            "https://h/x?access_token=***&***&sig=***#insecure"
        );
        // a lone userinfo is a user name in PostgreSQL and HTTP URLs
        assert_eq!(redact_url("postgresql://app@db/x"), "postgresql://app@db/x");
    }

    // issue 12, defect 2: `+` and `&` in a password silently broke AUTH
    #[test]
    fn userinfo_is_percent_decoded_as_rfc_3986_says() {
        let t = RedisTarget::parse("redis://u:p%2Bq+r%26s%40@h:1", &RedisAuthSources::default())
            .unwrap();
        let s = t.info.redis_settings();
        assert_eq!(s.password(), Some("p+q+r&s@"));
        assert_eq!(s.username(), Some("u"));
        let t = RedisTarget::parse("redis://:a+b&c@h:1", &RedisAuthSources::default()).unwrap();
        assert_eq!(t.info.redis_settings().password(), Some("a+b&c"));
    }
}
