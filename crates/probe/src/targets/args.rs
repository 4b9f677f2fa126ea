//! Flags that name what to look at and how: Redis TLS files, logs, the API edge, the targets and
//! the check selection shared by doctor and preflight.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::config::parse_duration;

/// TLS files for rediss:// targets, as redis-cli's --cacert, --cert and --key. A URL may carry
/// its own: rediss://host:port?cacert=FILE&cert=FILE&key=FILE.
#[derive(Debug, Clone, Default, Args)]
pub struct RedisTlsArgs {
    /// Trust only the CAs in this PEM file for rediss:// (default: the system CA store,
    /// SSL_CERT_FILE and SSL_CERT_DIR honoured).
    #[arg(long, value_name = "FILE", visible_alias = "cacert")]
    pub tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for servers with tls-auth-clients yes.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

impl RedisTlsArgs {
    /// Whether any file is named.
    pub fn any(&self) -> bool {
        self.tls_ca.is_some() || self.tls_cert.is_some() || self.tls_key.is_some()
    }
}

/// Where the log.* checks read, when not where the servers say.
#[derive(Debug, Clone, Default, Args)]
pub struct LogArgs {
    /// The Redis log to read for log.redis, instead of the local server's CONFIG GET logfile
    /// (a copy fetched from a remote node, say).
    #[arg(long, value_name = "FILE")]
    pub redis_log: Option<PathBuf>,
    /// The PostgreSQL log to read for log.postgres, instead of pg_current_logfile().
    #[arg(long, value_name = "FILE")]
    pub postgres_log: Option<PathBuf>,
    /// The kernel's messages for log.kernel, instead of /var/log/kern.log, syslog or messages.
    #[arg(long, value_name = "FILE")]
    pub syslog: Option<PathBuf>,
}

/// The API edge: nodes, their JWKS, the load balancer's configuration.
#[derive(Debug, Clone, Default, Args)]
pub struct EdgeArgs {
    /// An API node, or the load balancer's address: http(s)://host[:port]. Repeatable.
    #[arg(long = "api", value_name = "URL")]
    pub api: Vec<String>,
    /// A node's JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node:
    /// the sets must agree.
    #[arg(long = "jwks", value_name = "URL")]
    pub jwks: Vec<String>,
    /// The PEM private key a node signs JWTs with: its public half must be published. Only a
    /// test token is signed with it; the key never leaves this process.
    #[arg(long, value_name = "FILE")]
    pub jwt_private_key: Option<PathBuf>,
    /// A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in
    /// every JWKS (matched by RFC 7638 thumbprint).
    #[arg(long, value_name = "FILE")]
    pub jwt_public_key: Option<PathBuf>,
    /// A file holding one JWT issued by the API: only verified against the published keys and
    /// summarised (alg, kid, lifetime); the token itself is never shown.
    #[arg(long, value_name = "FILE")]
    pub jwt_sample_file: Option<PathBuf>,
    /// The load balancer's configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`,
    /// else /etc/haproxy/haproxy.cfg.
    #[arg(long, value_name = "FILE")]
    pub lb_config: Option<PathBuf>,
    /// The request header that carries the session.
    #[arg(long, value_name = "NAME", default_value = "Authorization")]
    pub session_header: String,
    /// The cookie that carries the session, if one does.
    #[arg(long, value_name = "NAME")]
    pub session_cookie: Option<String>,
    /// The load balancer's own address, for lb.live_header (with --echo-path).
    #[arg(long, value_name = "URL", requires = "echo_path")]
    pub lb_url: Option<String>,
    /// A path behind the balancer whose backend echoes the request's headers in its body:
    /// lb.live_header sends a unique session header and cookie there and looks for them.
    #[arg(long, value_name = "PATH", requires = "lb_url")]
    pub echo_path: Option<String>,
    /// The response header, or field of the echo body, in which the backend that answered
    /// names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr,
    /// X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server.
    #[arg(long, value_name = "NAME", requires = "echo_path")]
    pub lb_backend_header: Option<String>,
    /// How far back the logs are read: lb.error_log and the log.* checks.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub since: Duration,
    /// A resource path on each --api node for http.conditional and http.latency (GET only).
    #[arg(long, value_name = "PATH")]
    pub resource: Option<String>,
    /// Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale
    /// If-Match; the API must refuse it with 412 (http.precondition).
    #[arg(long, value_name = "PATH")]
    pub write_probe: Option<String>,
    /// Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system
    /// store).
    #[arg(long, value_name = "FILE")]
    pub http_ca: Option<PathBuf>,
    /// Client certificate (PEM) for API nodes that authenticate clients.
    #[arg(long, value_name = "FILE", requires = "http_key")]
    pub http_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "http_cert")]
    pub http_key: Option<PathBuf>,
}

/// Which hosts to probe and how long to wait for them.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS;
    /// a Cluster node (every node is found from it); or a Sentinel deployment:
    /// redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The
    /// password may also come from REDISCLI_AUTH or --redis-password-file.
    #[arg(long = "redis", value_name = "URL")]
    pub redis: Vec<String>,

    /// Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH.
    #[arg(long, value_name = "FILE")]
    pub redis_password_file: Option<PathBuf>,

    #[command(flatten)]
    pub redis_tls: RedisTlsArgs,

    /// An API service's Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw.
    /// Repeatable. redis.acl then fails when that user may run admin commands, or, for ro,
    /// any write command.
    #[arg(long = "redis-service", value_name = "NAME=ro|rw")]
    pub redis_services: Vec<String>,

    /// The sentinels' password for redis+sentinel:// targets, when it differs from the data
    /// nodes' (the URL's). Prefer the environment variable: a flag shows in `ps`.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "STATECTL_SENTINEL_PASSWORD",
        hide_env_values = true
    )]
    pub sentinel_password: Option<String>,

    /// A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value
    /// pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE,
    /// PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does.
    #[arg(long = "postgres", value_name = "CONN")]
    pub postgres: Vec<String>,

    /// A network interface to check. Repeatable. Default: the interfaces of the default routes.
    #[arg(long = "iface", value_name = "NAME")]
    pub iface: Vec<String>,
    #[command(flatten)]
    pub edge: EdgeArgs,
    #[command(flatten)]
    pub logs: LogArgs,
    /// Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a
    /// round every 100 ms over --sample, at least 10) for the path.* checks. Off by default:
    /// it sends probes, and needs root or CAP_NET_RAW.
    #[arg(long)]
    pub path: bool,
    /// What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers
    /// preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for
    /// lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails.
    #[arg(long = "role", value_enum)]
    pub roles: Vec<Role>,

    /// How long any one probe may take (connect, command, reply), e.g. 2s or 500ms.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// The window over which counters are read twice and judged by their change.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub sample: Duration,

    /// How many targets are probed at once (each holds one or two sockets while it is).
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
}

/// What a node is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// A Redis (cache/session) node.
    Redis,
    /// A PostgreSQL node.
    Postgres,
    /// A load balancer.
    Lb,
    /// An API node.
    App,
}

impl Role {
    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Redis => "redis",
            Role::Postgres => "postgres",
            Role::Lb => "lb",
            Role::App => "app",
        }
    }
}
