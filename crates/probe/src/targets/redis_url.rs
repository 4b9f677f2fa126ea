//! Redis targets: `redis://` and `rediss://` URLs as redis-cli reads them (a lone userinfo is the
//! password), with their TLS files and cluster membership.

use super::*;

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
