//! Redis: connect, PING, and read INFO. Every command is bounded by the timeout.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;

use futures::future::BoxFuture;

use super::tls;
use super::{bounded, io_kind, ProbeContext, ProbeError};
use crate::doctor::Area;
pub use crate::observe::redis::{parse_acl_line, parse_info};
use crate::observe::redis::{
    Access, AclUser, ClientSample, ClientSampler, LatencyEvent, LocalFacts, RedisObservation,
    RedisSnapshot, SlowlogEntry, TtlSample,
};
use crate::observe::{Observed, TlsLook};
use crate::targets::RedisTarget;

/// An open, authenticated connection plus the address for messages.
pub struct RedisSession {
    conn: MultiplexedConnection,
    addr: String,
    timeout: Duration,
    /// Set when a password was given but the server has none, and the session connected
    /// without it (redis-cli warns and goes on; so do we).
    pub auth_note: Option<String>,
    /// When set, every command ends by then whatever its timeout (one deadline per target).
    pub deadline: Option<Instant>,
}

/// A connection discovery opened to a target, kept for the target's probe: a server with one
/// client slot free then sees one connection from the run, never two at once.
#[derive(Clone, Default)]
pub struct Kept(std::sync::Arc<std::sync::Mutex<Option<(RedisSession, Duration)>>>);

impl Kept {
    /// Keeps `session` (and its first PING's round trip) for the probe.
    pub fn keep(&self, session: RedisSession, rtt: Duration) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((session, rtt));
    }

    /// The kept connection, once.
    pub fn take(&self) -> Option<(RedisSession, Duration)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kept")
    }
}

/// The auth failure of a server that has no password at all.
const NO_PASSWORD_SET: &str = "a password was given but the server has none configured";

/// One PING over a fresh stream before the redis crate takes it, and the first line of the
/// answer. A server that refuses a client (Redis at maxclients) writes its reason and closes
/// at once: our PING then meets a reset, which the crate would report as a bare broken pipe,
/// so the line already sent is read whatever the write did. And a TLS 1.3 server that refuses
/// the client's certificate says so in an alert after the handshake, which only a read sees.
/// Any one-line reply (PONG, or NOAUTH before AUTH) shows the session accepted.
async fn hello(stream: &mut crate::tls::Stream) -> std::io::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let wrote = stream.write_all(b"PING\r\n").await;
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") && line.len() < 512 {
        match stream.read(&mut byte).await {
            Ok(1..) => line.push(byte[0]),
            // nothing said: the write's own failure, if any, is the better reason
            Ok(0) if line.is_empty() => {
                wrote?;
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            Ok(_) => break,
            Err(e) if line.is_empty() => return Err(wrote.err().unwrap_or(e)),
            Err(_) => break,
        }
    }
    Ok(line)
}

/// An error the server sent in place of PONG, naming it; None for PONG and for the errors of a
/// client not yet authenticated (NOAUTH, NOPERM), which AUTH then settles. A full server
/// (maxclients) is told apart; any other error (protected mode's DENIED, LOADING …) is the
/// server's own words.
fn refusal(addr: &str, line: &[u8]) -> Option<ProbeError> {
    let text = String::from_utf8_lossy(line);
    let words = text.trim_end().strip_prefix('-')?;
    if words.starts_with("NOAUTH") || words.starts_with("NOPERM") {
        return None;
    }
    let addr = addr.to_string();
    let detail = words.escape_debug().to_string();
    Some(match words.strip_prefix("ERR ") {
        Some(w) if w.starts_with("max number of clients reached") => ProbeError::Full {
            addr,
            detail: w.escape_debug().to_string(),
        },
        _ => ProbeError::Other {
            addr,
            detail: format!("the server answered PING with an error: {detail}"),
        },
    })
}

/// Maps a failure to open the stream (TCP, then TLS) to a [`ProbeError`].
fn open_error(addr: &str, e: std::io::Error) -> ProbeError {
    let addr = addr.to_string();
    if let Some(tls) = crate::tls::probe_error(&addr, &e) {
        return tls;
    }
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => ProbeError::Refused { addr },
        _ if e.to_string().contains("failed to lookup address") => ProbeError::Resolve {
            addr,
            detail: e.to_string(),
        },
        // the TLS handshake cut short: "connection lost" lets the second look say why
        _ => ProbeError::Other {
            addr,
            detail: format!("connection lost while connecting: {e}"),
        },
    }
}

/// Maps a redis crate error to a [`ProbeError`], never including credentials.
fn classify(
    addr: &str,
    timeout: Duration,
    stage: &'static str,
    e: redis::RedisError,
) -> ProbeError {
    let addr = addr.to_string();
    if let Some(tls) = crate::tls::probe_error(&addr, &e) {
        return tls;
    }
    let code = e.code().unwrap_or("").to_string();
    let text = e.to_string();
    if e.is_connection_refusal() || io_kind(&e) == Some(std::io::ErrorKind::ConnectionRefused) {
        return ProbeError::Refused { addr };
    }
    if e.is_timeout() {
        return ProbeError::Timeout {
            addr,
            timeout,
            stage: stage.into(),
        };
    }
    if e.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(code.as_str(), "WRONGPASS" | "NOAUTH")
        || text.contains("without any password configured")
    {
        let detail = match code.as_str() {
            "NOAUTH" => "the server requires a password and none was given (URL, REDISCLI_AUTH or --redis-password-file)".to_string(),
            "WRONGPASS" => "wrong user name or password (WRONGPASS)".to_string(),
            _ if text.contains("without any password configured") => NO_PASSWORD_SET.to_string(),
            _ => e.detail().unwrap_or("rejected").to_string(),
        };
        return ProbeError::Auth { addr, detail };
    }
    if text.contains("failed to lookup address") || text.contains("Name or service not known") {
        return ProbeError::Resolve {
            addr,
            detail: e.detail().unwrap_or(&text).to_string(),
        };
    }
    if e.kind() == redis::ErrorKind::Parse || e.kind() == redis::ErrorKind::UnexpectedReturnType {
        return ProbeError::Protocol {
            addr,
            expected: "a Redis server".into(),
            detail: text,
            first_bytes: None,
        };
    }
    if e.is_connection_dropped() || e.is_io_error() {
        // "connection lost" is what observe::PeerLook::refine looks for
        return ProbeError::Other {
            addr,
            detail: format!("connection lost while {stage}: {text}"),
        };
    }
    ProbeError::Other { addr, detail: text }
}

impl RedisSession {
    /// Connects and authenticates; the whole handshake and a first PING share one timeout.
    pub async fn connect(
        target: &RedisTarget,
        timeout: Duration,
    ) -> Result<(Self, Duration), ProbeError> {
        let start = Instant::now();
        match Self::connect_logged(target, timeout).await {
            Err(e) => {
                let e = diagnose(e, target, timeout).await;
                let ms = start.elapsed().as_millis() as u64;
                let failure = crate::doctor::failure_kind(&e);
                tracing::debug!(target = %target.label, ms, failure, "redis: connect failed");
                Err(e)
            }
            ok => ok,
        }
    }

    /// Connects without the second look on failure: for discovery, which only wants to know
    /// whether a server is a Cluster node. Ok(None) for a quick failure (the probe looks at it
    /// itself); a failure that took the whole timeout is looked at here and returned, so the
    /// probe need not wait for it again.
    pub async fn connect_quick(
        target: &RedisTarget,
        timeout: Duration,
    ) -> Result<Option<(Self, Duration)>, ProbeError> {
        match Self::connect_logged(target, timeout).await {
            Ok(s) => Ok(Some(s)),
            Err(e @ (ProbeError::Timeout { .. } | ProbeError::ConnectTimeout { .. })) => {
                Err(diagnose(e, target, timeout).await)
            }
            Err(_) => Ok(None),
        }
    }

    /// Connects and authenticates, logging the attempt and its success (-v).
    async fn connect_logged(
        target: &RedisTarget,
        timeout: Duration,
    ) -> Result<(Self, Duration), ProbeError> {
        let start = Instant::now();
        tracing::debug!(target = %target.label, tls = target.is_tls(), "redis: connecting");
        let r = Self::connect_authenticated(target, timeout).await;
        if let Ok((_, rtt)) = &r {
            let (ms, ping_us) = (start.elapsed().as_millis() as u64, rtt.as_micros() as u64);
            tracing::debug!(target = %target.label, ms, ping_us, "redis: connected, PONG");
        }
        r
    }

    async fn connect_authenticated(
        target: &RedisTarget,
        timeout: Duration,
    ) -> Result<(Self, Duration), ProbeError> {
        let first = Self::connect_as(target.info.clone(), target, timeout).await;
        let s = target.info.redis_settings();
        // `AUTH password` to a server whose default user has no password fails ("called without
        // any password configured"), which redis-rs reports without the server's words. With
        // no user name, connecting without the password tells the cases apart: it works only
        // when the default user is nopass, exactly the server that refused. redis-cli warns and
        // goes on there (REDISCLI_AUTH set for every host); so do we.
        let retry = matches!(&first, Err(ProbeError::Auth { .. }))
            && s.username().is_none()
            && s.password().is_some();
        if !retry {
            return first;
        }
        let without = redis::RedisConnectionInfo::default()
            .set_db(s.db())
            .set_skip_set_lib_name();
        let info = target.info.clone().set_redis_settings(without);
        match Self::connect_as(info, target, timeout).await {
            Ok((mut session, rtt)) => {
                session.auth_note = Some(format!(
                    "{NO_PASSWORD_SET} (URL, REDISCLI_AUTH or --redis-password-file): connected without it, as redis-cli does"
                ));
                Ok((session, rtt))
            }
            // the server does want a password: the one given is wrong
            Err(ProbeError::Auth { addr, .. }) => Err(ProbeError::Auth {
                addr,
                detail: "wrong password".into(),
            }),
            Err(_) => first,
        }
    }

    async fn connect_as(
        info: redis::ConnectionInfo,
        target: &RedisTarget,
        timeout: Duration,
    ) -> Result<(Self, Duration), ProbeError> {
        let addr = target.host_port();
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout));
        let a = addr.clone();
        bounded(&addr, timeout, "connecting and sending PING", async move {
            let mut stream = target.open().await.map_err(|e| open_error(&a, e))?;
            let first = hello(&mut stream).await.map_err(|e| open_error(&a, e))?;
            if let Some(refused) = refusal(&a, &first) {
                return Err(refused);
            }
            let (conn, driver) =
                MultiplexedConnection::new_with_config(info.redis_settings(), stream, config)
                    .await
                    .map_err(|e| classify(&a, timeout, "connecting", e))?;
            tokio::spawn(driver);
            let mut session = RedisSession {
                conn,
                addr: a,
                timeout,
                auth_note: None,
                deadline: None,
            };
            let start = Instant::now();
            let pong: String = session.cmd(&redis::cmd("PING"), "waiting for PING").await?;
            let rtt = start.elapsed();
            if pong != "PONG" {
                return Err(ProbeError::Protocol {
                    addr: session.addr.clone(),
                    expected: "a Redis server".into(),
                    detail: format!(
                        "PING answered {:?}",
                        pong.chars().take(40).collect::<String>()
                    ),
                    first_bytes: None,
                });
            }
            Ok((session, rtt))
        })
        .await
    }

    /// Runs one command under the timeout.
    pub async fn cmd<T: redis::FromRedisValue>(
        &mut self,
        cmd: &redis::Cmd,
        stage: &'static str,
    ) -> Result<T, ProbeError> {
        let (addr, timeout) = (
            self.addr.clone(),
            super::budget(self.timeout, self.deadline),
        );
        let conn = &mut self.conn;
        let start = Instant::now();
        let r = bounded(&addr, timeout, stage, async {
            cmd.query_async(conn)
                .await
                .map_err(|e| classify(&addr, timeout, stage, e))
        })
        .await;
        // the stage names the command ("waiting for INFO"); arguments are never logged
        let (us, ok) = (start.elapsed().as_micros() as u64, r.is_ok());
        tracing::debug!(addr = %addr, us, ok, "redis: {stage}");
        r
    }

    /// Up to `limit` keys matching `pattern` (every key when `None`), through redis-rs's SCAN
    /// iterator at COUNT `count` a page (SCAN, never KEYS); each step is bounded by the command
    /// timeout. Stops early when `cancel` fires.
    pub async fn scan_keys(
        &mut self,
        pattern: Option<&str>,
        count: usize,
        limit: usize,
        cancel: Option<&crate::cancel::CancellationToken>,
    ) -> Result<Vec<Vec<u8>>, ProbeError> {
        use redis::AsyncCommands;
        const STAGE: &str = "waiting for SCAN";
        let addr = self.addr.clone();
        let mut opts = redis::ScanOptions::default().with_count(count);
        if let Some(p) = pattern {
            opts = opts.with_pattern(p);
        }
        let mut conn = self.conn.clone();
        let timeout = super::budget(self.timeout, self.deadline);
        let mut pages = bounded(&addr, timeout, STAGE, async {
            conn.scan_options::<Vec<u8>>(opts)
                .await
                .map_err(|e| classify(&addr, timeout, STAGE, e))
        })
        .await?;
        let mut keys = Vec::new();
        while keys.len() < limit && !cancel.is_some_and(|c| c.is_cancelled()) {
            let timeout = super::budget(self.timeout, self.deadline);
            let next = bounded(&addr, timeout, STAGE, async {
                pages
                    .next_item()
                    .await
                    .transpose()
                    .map_err(|e| classify(&addr, timeout, STAGE, e))
            })
            .await?;
            match next {
                Some(k) => keys.push(k),
                None => break,
            }
        }
        Ok(keys)
    }

    /// Runs a pipeline under the timeout.
    pub async fn query_pipe<T: redis::FromRedisValue>(
        &mut self,
        pipe: &redis::Pipeline,
        stage: &'static str,
    ) -> Result<T, ProbeError> {
        let (addr, timeout) = (
            self.addr.clone(),
            super::budget(self.timeout, self.deadline),
        );
        let conn = &mut self.conn;
        bounded(&addr, timeout, stage, async {
            pipe.query_async(conn)
                .await
                .map_err(|e| classify(&addr, timeout, stage, e))
        })
        .await
    }

    /// The underlying connection, for callers that pipeline their own commands.
    pub fn connection(&mut self) -> &mut MultiplexedConnection {
        &mut self.conn
    }

    /// One INFO section, parsed into key → value.
    pub async fn info_section(
        &mut self,
        section: &str,
    ) -> Result<BTreeMap<String, String>, ProbeError> {
        let text: String = self
            .cmd(redis::cmd("INFO").arg(section), "waiting for INFO")
            .await?;
        Ok(parse_info(&text))
    }

    /// INFO with every section, parsed into key → value.
    pub async fn info(&mut self) -> Result<BTreeMap<String, String>, ProbeError> {
        let text: String = self
            .cmd(redis::cmd("INFO").arg("everything"), "waiting for INFO")
            .await?;
        Ok(parse_info(&text))
    }
}

impl RedisSession {
    /// CONFIG GET of each name; a directive the server does not know reads as "".
    pub async fn config_values<'a>(
        &mut self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<BTreeMap<String, String>, ProbeError> {
        let mut out = BTreeMap::new();
        for n in names {
            let pair: Vec<String> = self
                .cmd(
                    redis::cmd("CONFIG").arg("GET").arg(n),
                    "waiting for CONFIG GET",
                )
                .await?;
            out.insert(n.to_string(), pair.get(1).cloned().unwrap_or_default());
        }
        Ok(out)
    }

    /// CONFIG SET one directive, then reads it back. The error names the directive.
    pub async fn config_set(&mut self, name: &str, value: &str) -> Result<String, String> {
        let mut set = redis::cmd("CONFIG");
        set.arg("SET").arg(name).arg(value);
        self.cmd::<()>(&set, "waiting for CONFIG SET")
            .await
            .map_err(|e| format!("CONFIG SET {name}: {e}"))?;
        let back = self
            .config_values([name])
            .await
            .map_err(|e| format!("CONFIG GET {name}: {e}"))?;
        Ok(back.get(name).cloned().unwrap_or_default())
    }
}

/// A connection error made specific by a second look at the peer (probe::peer): a handshake
/// that never completed, TLS on one side only, a refused certificate, or something that is not
/// Redis, with its first bytes.
async fn diagnose(e: ProbeError, target: &RedisTarget, timeout: Duration) -> ProbeError {
    if matches!(
        e,
        ProbeError::Refused { .. }
            | ProbeError::Auth { .. }
            | ProbeError::Resolve { .. }
            | ProbeError::Full { .. }
    ) {
        return e;
    }
    let budget = (timeout / 2).min(Duration::from_millis(400));
    let look = super::peer::look(&target.host, target.port, budget).await;
    look.refine(e, target.is_tls(), timeout, "a Redis server")
}

/// What a Redis probe should collect.
#[derive(Debug, Clone)]
pub struct RedisProbe {
    /// Bound on every wait.
    pub timeout: Duration,
    /// The window between the two counter reads; PINGs are timed throughout it.
    pub sample: Duration,
    /// Most keys the TTL sample looks at.
    pub ttl_sample_keys: u64,
    /// Collect everything (the doctor matrix) or only connect, PING and INFO (reachability).
    pub full: bool,
    /// Where this machine's /proc and /sys are read.
    pub root: crate::probe::kernel::HostRoot,
    /// Ends the sample window early.
    pub cancel: crate::cancel::CancellationToken,
    /// Targets discovery already failed to reach, with why (no second wait for the same).
    pub known_failures: Vec<(String, ProbeError)>,
    /// The services declared with `--redis-service`: ACL user → access.
    pub services: BTreeMap<String, Access>,
}

/// The part of a refusal worth showing: the server's words, not our address prefix.
pub(crate) fn reason(e: ProbeError) -> String {
    match e {
        ProbeError::Other { detail, .. } | ProbeError::Protocol { detail, .. } => detail,
        other => other.to_string(),
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn as_u64(v: &redis::Value) -> u64 {
    match v {
        redis::Value::Int(i) => (*i).max(0) as u64,
        redis::Value::BulkString(b) => String::from_utf8_lossy(b).parse().unwrap_or(0),
        redis::Value::SimpleString(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

fn as_string(v: &redis::Value) -> String {
    match v {
        redis::Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        redis::Value::SimpleString(s) => s.clone(),
        redis::Value::Int(i) => i.to_string(),
        _ => String::new(),
    }
}

/// Parses SLOWLOG GET; keeps only the command name of each entry, never its arguments.
pub fn parse_slowlog(v: &redis::Value) -> Vec<SlowlogEntry> {
    parse_slowlog_except(v, None)
}

/// [`parse_slowlog`] without the entries of the client at `own` (`ip:port`): this run's own
/// commands (CLIENT LIST on a server with many clients) are not the server's slowness.
pub fn parse_slowlog_except(v: &redis::Value, own: Option<&str>) -> Vec<SlowlogEntry> {
    let redis::Value::Array(entries) = v else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| {
            let redis::Value::Array(f) = e else {
                return None;
            };
            if own.is_some_and(|o| f.get(4).map(as_string).as_deref() == Some(o)) {
                return None;
            }
            let command = match f.get(3) {
                Some(redis::Value::Array(args)) => args.first().map(as_string).unwrap_or_default(),
                _ => String::new(),
            };
            Some(SlowlogEntry {
                id: as_u64(f.first()?),
                unix: as_u64(f.get(1)?),
                micros: as_u64(f.get(2)?),
                command: command.to_uppercase(),
            })
        })
        .collect()
}

/// Parses LATENCY LATEST.
pub fn parse_latency_latest(v: &redis::Value) -> Vec<LatencyEvent> {
    let redis::Value::Array(rows) = v else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|r| {
            let redis::Value::Array(f) = r else {
                return None;
            };
            Some(LatencyEvent {
                name: as_string(f.first()?),
                unix: as_u64(f.get(1)?),
                latest_ms: as_u64(f.get(2)?),
                max_ms: as_u64(f.get(3)?),
            })
        })
        .collect()
}

/// The commands `redis.security` asks ACL DRYRUN about, as (label, command line).
const DANGEROUS: &[(&str, &[&str])] = &[
    ("FLUSHALL", &["FLUSHALL"]),
    ("CONFIG", &["CONFIG", "GET", "maxmemory"]),
    ("DEBUG", &["DEBUG", "SLEEP", "0"]),
    ("KEYS", &["KEYS", "*"]),
];

/// The write commands `redis.acl` asks ACL DRYRUN about for a service declared read-only.
/// DRYRUN only checks permissions: nothing runs. The key is any; a reply that only the key is
/// out of bounds still means the command is allowed.
const WRITES: &[&[&str]] = &[
    &["SET", "statectl:dryrun", "v"],
    &["DEL", "statectl:dryrun"],
    &["UNLINK", "statectl:dryrun"],
    &["EXPIRE", "statectl:dryrun", "1"],
    &["INCR", "statectl:dryrun"],
    &["HSET", "statectl:dryrun", "f", "v"],
    &["LPUSH", "statectl:dryrun", "v"],
    &["SADD", "statectl:dryrun", "m"],
    &["ZADD", "statectl:dryrun", "1", "m"],
    &["XADD", "statectl:dryrun", "*", "f", "v"],
];

/// Whether an ACL DRYRUN reply lets the command run: OK, or a refusal of the key or channel
/// alone ("no permissions to access the 'k' key").
fn dryrun_allows(reply: &redis::Value) -> bool {
    if matches!(reply, redis::Value::Okay) {
        return true;
    }
    let text = as_string(reply);
    text.eq_ignore_ascii_case("OK") || (text.contains("to access") && !text.contains("command"))
}

/// Above this many connected clients, CLIENT LIST (O(clients), run on the server's one thread)
/// is read at the window's ends only, not sampled through it.
const CLIENT_LIST_SAMPLED_MAX: u64 = 1000;

/// CLIENT LIST read over the sample window, one read every `every`.
struct ClientReads {
    own: Option<u64>,
    every: Duration,
    next: Instant,
    sampler: ClientSampler,
    error: Option<String>,
}

impl ClientReads {
    fn new(own: Option<u64>, window: Duration, ends_only: bool) -> Self {
        // a handful of reads over a short window, at most ~40 over a long one; with many clients
        // only the window's ends
        let every = if ends_only {
            window
        } else {
            (window / 40).max(Duration::from_millis(200))
        };
        ClientReads {
            own,
            every,
            next: Instant::now(),
            sampler: ClientSampler::default(),
            error: None,
        }
    }

    /// Reads CLIENT LIST when one is due (or `force`); after a refusal, never again.
    async fn read(&mut self, s: &mut RedisSession, force: bool) {
        if self.error.is_some() || (!force && Instant::now() < self.next) {
            return;
        }
        self.next = Instant::now() + self.every;
        match s
            .cmd::<String>(redis::cmd("CLIENT").arg("LIST"), "waiting for CLIENT LIST")
            .await
        {
            Ok(text) => self
                .sampler
                .add(&crate::observe::redis::parse_client_list(&text), self.own),
            Err(e) => self.error = Some(reason(e)),
        }
    }

    fn finish(self) -> Result<ClientSample, String> {
        match self.error {
            Some(e) if self.sampler.samples() == 0 => Err(e),
            _ => Ok(self.sampler.finish()),
        }
    }
}

impl RedisSession {
    /// CONFIG GET * as name → value.
    pub async fn config_all(&mut self) -> Result<BTreeMap<String, String>, ProbeError> {
        let flat: Vec<String> = self
            .cmd(
                redis::cmd("CONFIG").arg("GET").arg("*"),
                "waiting for CONFIG GET",
            )
            .await?;
        Ok(crate::observe::redis::config_from_pairs(flat))
    }

    async fn slowlog(
        &mut self,
        count: u32,
        except: Option<&str>,
    ) -> Result<Vec<SlowlogEntry>, ProbeError> {
        let v: redis::Value = self
            .cmd(
                redis::cmd("SLOWLOG").arg("GET").arg(count),
                "waiting for SLOWLOG GET",
            )
            .await?;
        Ok(parse_slowlog_except(&v, except))
    }

    /// This connection's id and `ip:port` as the server sees it (CLIENT INFO).
    async fn own_client(&mut self) -> Option<(u64, String)> {
        let line: String = self
            .cmd(redis::cmd("CLIENT").arg("INFO"), "waiting for CLIENT INFO")
            .await
            .ok()?;
        let field = |k: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(k)?.strip_prefix('='))
                .map(str::to_string)
        };
        Some((field("id")?.parse().ok()?, field("addr")?))
    }

    async fn acl(
        &mut self,
        services: &BTreeMap<String, Access>,
    ) -> Result<Vec<AclUser>, ProbeError> {
        let lines: Vec<String> = self
            .cmd(redis::cmd("ACL").arg("LIST"), "waiting for ACL LIST")
            .await?;
        let mut users = crate::observe::redis::parse_acl_list(lines.iter().map(String::as_str));
        drop(lines);
        for u in users.iter_mut().filter(|u| u.enabled) {
            if services.get(&u.name) != Some(&Access::ReadOnly) {
                continue;
            }
            let mut writes = Vec::new();
            for argv in WRITES {
                let mut c = redis::cmd("ACL");
                c.arg("DRYRUN").arg(&u.name).arg(*argv);
                let reply: redis::Value = self.cmd(&c, "waiting for ACL DRYRUN").await?;
                if dryrun_allows(&reply) {
                    writes.push(argv[0].to_string());
                }
            }
            u.writes = Some(writes);
        }
        for u in users.iter_mut().filter(|u| u.enabled && !u.all_commands) {
            for (label, argv) in DANGEROUS {
                let mut c = redis::cmd("ACL");
                c.arg("DRYRUN").arg(&u.name).arg(*argv);
                let reply: redis::Value = self.cmd(&c, "waiting for ACL DRYRUN").await?;
                if matches!(&reply, redis::Value::Okay)
                    || as_string(&reply).eq_ignore_ascii_case("OK")
                {
                    u.dangerous_allowed.push(label.to_string());
                }
            }
        }
        Ok(users)
    }

    async fn ttl_sample(&mut self, limit: u64) -> Result<TtlSample, ProbeError> {
        let dbsize: u64 = self
            .cmd(&redis::cmd("DBSIZE"), "waiting for DBSIZE")
            .await?;
        let keys = self.scan_keys(None, 100, limit as usize, None).await?;
        let (mut sampled, mut without_ttl) = (0u64, 0u64);
        if !keys.is_empty() {
            let mut p = redis::pipe();
            for k in &keys {
                p.cmd("PTTL").arg(k);
            }
            let ttls: Vec<i64> = self.query_pipe(&p, "waiting for PTTL").await?;
            for t in ttls {
                // -2: the key vanished between SCAN and PTTL
                if t != -2 {
                    sampled += 1;
                    without_ttl += u64::from(t == -1);
                }
            }
        }
        Ok(TtlSample {
            sampled,
            without_ttl,
            dbsize,
        })
    }

    /// PINGs back to back (10 ms apart) until `window` has passed or the run is cancelled,
    /// with CLIENT LIST read now and then (`clients`).
    async fn ping_window(
        &mut self,
        window: Duration,
        cancel: &crate::cancel::CancellationToken,
        clients: &mut ClientReads,
    ) -> (Vec<Duration>, u32) {
        let start = Instant::now();
        let (mut rtts, mut timeouts) = (Vec::new(), 0);
        while start.elapsed() < window && !cancel.is_cancelled() {
            clients.read(self, false).await;
            let t = Instant::now();
            match self
                .cmd::<String>(&redis::cmd("PING"), "waiting for PING")
                .await
            {
                Ok(_) => rtts.push(t.elapsed()),
                Err(ProbeError::Timeout { .. }) => timeouts += 1,
                Err(_) => break,
            }
            crate::cancel::sleep(cancel, Duration::from_millis(10)).await;
        }
        (rtts, timeouts)
    }
}

/// Probes one target. Reachability is connect + PING; the full probe then reads INFO, CONFIG,
/// ACLs, a TTL sample and SLOWLOG, times PINGs over the sample window, and reads the counters
/// again at its end.
pub async fn observe(target: &RedisTarget, probe: &RedisProbe) -> RedisObservation {
    // discovery keeps only failures that took the whole timeout (already looked at)
    let known = probe
        .known_failures
        .iter()
        .find(|(label, _)| *label == target.label)
        .map(|(_, e)| e.clone());
    let started = Instant::now();
    let connected = match (known, target.kept.take()) {
        (Some(e), _) => Err(e),
        (None, Some(kept)) => Ok(kept),
        (None, None) => RedisSession::connect(target, probe.timeout).await,
    };
    // The TLS look comes after the connect: a server with one client slot free gives it to the
    // probe's session. A connect that failed already waited out what a handshake would (the
    // timeout, a peer that is not TLS): its error is the look's too, one deadline per target.
    // A failed handshake itself is looked at again for its details.
    let failed = match &connected {
        Err(e) if !matches!(e, ProbeError::Tls { .. }) => Some(e.clone()),
        _ => None,
    };
    let result = async {
        let (mut s, first_ping) = connected?;
        // AUTH without a user name is the default user's (so is the retry without a password)
        let connected_as = target
            .info
            .redis_settings()
            .username()
            .filter(|_| s.auth_note.is_none())
            .unwrap_or("default")
            .escape_debug()
            .to_string();
        s.deadline = Some(started + probe.timeout + probe.sample + super::DEADLINE_SLACK);
        let info = s.info().await.map_err(reason);
        if !probe.full {
            return Ok(RedisSnapshot {
                first_ping,
                info_end: info.clone(),
                info,
                window: Duration::ZERO,
                config: Err("not collected".into()),
                pings: Vec::new(),
                ping_timeouts: 0,
                latency_events: Err("not collected".into()),
                slowlog: Err("not collected".into()),
                window_start_unix: unix_now(),
                acl: Err("not collected".into()),
                ttl_sample: Err("not collected".into()),
                local: None,
                auth_note: s.auth_note.clone(),
                cert_files: None,
                connected_as,
                services: BTreeMap::new(),
                clients: Err("not collected".into()),
                stats_start: Err("not collected".into()),
                repl_start: Err("not collected".into()),
            });
        }
        let config = s.config_all().await.map_err(reason);
        let acl = s.acl(&probe.services).await.map_err(reason);
        let ttl_sample = s.ttl_sample(probe.ttl_sample_keys).await.map_err(reason);
        // the newest entry's id, whoever's: the window's entries are those after it
        let slow_before = s.slowlog(1, None).await.map(|v| v.first().map(|e| e.id));
        let own = s.own_client().await;
        // CLIENT LIST costs the server time in proportion to its clients: on a busy one it is
        // read at the window's ends only
        let many = info
            .as_ref()
            .ok()
            .and_then(|i| i.get("connected_clients"))
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| n > CLIENT_LIST_SAMPLED_MAX);
        let mut clients = ClientReads::new(own.as_ref().map(|o| o.0), probe.sample, many);
        // the counters of the window proper: everything above ran before it
        let stats_start = s.info_section("stats").await.map_err(reason);
        // master_repl_offset as the window opens: the write rate redis.rpo divides by
        let repl_start = s.info_section("replication").await.map_err(reason);
        let window_start_unix = unix_now();
        let window_clock = Instant::now();
        let (pings, ping_timeouts) = s
            .ping_window(probe.sample, &probe.cancel, &mut clients)
            .await;
        clients.read(&mut s, true).await;
        let window = window_clock.elapsed();
        let info_end = s.info().await.map_err(reason);
        let latency_events = s
            .cmd::<redis::Value>(
                redis::cmd("LATENCY").arg("LATEST"),
                "waiting for LATENCY LATEST",
            )
            .await
            .map(|v| parse_latency_latest(&v))
            .map_err(reason);
        let slowlog = match slow_before {
            Ok(last) => s
                .slowlog(128, own.as_ref().map(|o| o.1.as_str()))
                .await
                .map(|all| {
                    all.into_iter()
                        .filter(|e| last.is_none_or(|l| e.id > l))
                        .collect()
                })
                .map_err(reason),
            Err(e) => Err(reason(e)),
        };
        let local = local_facts(target, &info, &probe.root);
        let cert_files = match (&local, &config) {
            (Some(l), Ok(c)) => Some(cert_files(l.pid, c, &probe.root)),
            _ => None,
        };
        Ok(RedisSnapshot {
            cert_files,
            first_ping,
            info,
            info_end,
            window,
            config,
            pings,
            ping_timeouts,
            latency_events,
            slowlog,
            window_start_unix,
            acl,
            ttl_sample,
            local,
            auth_note: s.auth_note.clone(),
            connected_as,
            services: probe.services.clone(),
            clients: clients.finish(),
            stats_start,
            repl_start,
        })
    };
    let look = async {
        match (&target.tls, failed) {
            (None, _) => TlsLook::Plain {
                reason: "redis:// target: plain text (name the rediss:// endpoint to check TLS)"
                    .into(),
            },
            (Some(_), Some(error)) => TlsLook::Failed { error },
            (Some(c), None) => {
                let (host, port) = (&target.host, target.port);
                tls::handshake(host, port, c, tls::Preamble::Redis, probe.timeout).await
            }
        }
    };
    let (result, tls) = tokio::join!(result, look);
    RedisObservation {
        target: target.label.clone(),
        addr: target.host_port(),
        result,
        tls: Some(tls),
        exposure: None,
        service: None,
        member: target
            .member
            .as_ref()
            .map(|m| (m.deployment.clone(), m.role.clone())),
    }
}

/// The certificate files a local server's CONFIG names; relative paths are the server's
/// working directory's.
fn cert_files(
    pid: u32,
    config: &BTreeMap<String, String>,
    root: &crate::probe::kernel::HostRoot,
) -> Vec<crate::observe::tls::CertFile> {
    use super::tls::Named;
    let get = |k: &str| config.get(k).cloned().unwrap_or_default();
    let named = vec![
        Named {
            directive: "tls-cert-file",
            path: get("tls-cert-file"),
            key: Some(get("tls-key-file")),
        },
        Named {
            directive: "tls-client-cert-file",
            path: get("tls-client-cert-file"),
            key: Some(get("tls-client-key-file")),
        },
        Named {
            directive: "tls-ca-cert-file",
            path: get("tls-ca-cert-file"),
            key: None,
        },
    ];
    let cwd = std::fs::read_link(root.path(&format!("/proc/{pid}/cwd"))).ok();
    super::tls::read_files(named, cwd.as_deref(), root)
}

/// The Redis area's probe: every `--redis` target, concurrently.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let probe = RedisProbe {
            timeout: cx.timing.timeout,
            sample: cx.timing.sample,
            ttl_sample_keys: cx.ttl_sample_keys,
            full: cx.full(Area::Redis),
            root: cx.root.clone(),
            cancel: cx.cancel.clone(),
            known_failures: cx.targets.redis_failures.clone(),
            services: cx.targets.redis_services.clone(),
        };
        let probe = &probe;
        let seen = cx
            .each(cx.targets.redis.iter().map(|t| async move {
                crate::cancel::with_grace(&cx.cancel, observe(t, probe))
                    .await
                    .unwrap_or_else(|| RedisObservation {
                        target: t.label.clone(),
                        addr: t.host_port(),
                        result: Err(ProbeError::Interrupted {
                            addr: t.host_port(),
                        }),
                        tls: None,
                        exposure: None,
                        service: None,
                        member: t
                            .member
                            .as_ref()
                            .map(|m| (m.deployment.clone(), m.role.clone())),
                    })
            }))
            .await;
        let mut seen = seen;
        if let Some(v) = &cx.vantage {
            let looks = cx.each(cx.targets.redis.iter().map(|t| {
                let work = super::exposure::look(
                    v,
                    &t.host,
                    t.port,
                    &super::exposure::Dialogue::Redis,
                    cx.timing.timeout,
                );
                async {
                    crate::cancel::with_grace(&cx.cancel, work)
                        .await
                        .unwrap_or_else(|| {
                            crate::observe::exposure::ExposureLook::interrupted(v.label())
                        })
                }
            }));
            for (o, l) in seen.iter_mut().zip(looks.await) {
                o.exposure = Some(l);
            }
        }
        let ports: Vec<Option<u16>> = seen
            .iter()
            .zip(&cx.targets.redis)
            .map(|(o, t)| {
                (matches!(o.result, Err(ProbeError::Refused { .. })) && t.is_local())
                    .then_some(t.port)
            })
            .collect();
        let server = super::service::Server::Redis;
        let facts = super::service::look_each(&cx.root, server, ports).await;
        for (o, f) in seen.iter_mut().zip(facts) {
            o.service = f;
        }
        Observed::Redis(seen)
    })
}

/// Reads /proc facts when the server is a Redis or Valkey process on this machine.
fn local_facts(
    target: &RedisTarget,
    info: &Result<BTreeMap<String, String>, String>,
    root: &crate::probe::kernel::HostRoot,
) -> Option<LocalFacts> {
    use crate::probe::kernel;
    if !target.is_local() {
        return None;
    }
    let pid: u32 = info.as_ref().ok()?.get("process_id")?.parse().ok()?;
    // A loopback port may be forwarded into a container; only trust a pid that is redis here.
    let comm = kernel::process_comm(root, pid).ok()?;
    if !crate::observe::redis::is_server_process(&comm) {
        return None;
    }
    Some(LocalFacts {
        pid,
        nofile: kernel::process_nofile(root, pid),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowlog_keeps_the_command_name_only() {
        use redis::Value::{Array, BulkString, Int};
        let v = Array(vec![Array(vec![
            Int(7),
            Int(1_700_000_000),
            Int(600_123),
            Array(vec![
                BulkString(b"debug".to_vec()),
                BulkString(b"sleep".to_vec()),
                BulkString(b"0.6".to_vec()),
            ]),
            BulkString(b"127.0.0.1:5000".to_vec()),
            BulkString(b"".to_vec()),
        ])]);
        let e = parse_slowlog(&v);
        assert_eq!(
            e,
            vec![SlowlogEntry {
                id: 7,
                unix: 1_700_000_000,
                micros: 600_123,
                command: "DEBUG".into()
            }]
        );
        // issue 30: this run's own CLIENT LIST reads are not the server's slowness
        assert_eq!(parse_slowlog_except(&v, Some("127.0.0.1:5000")), vec![]);
        assert_eq!(parse_slowlog_except(&v, Some("127.0.0.1:5001")).len(), 1);
    }

    #[test]
    fn client_list_is_sampled_through_the_window_only_on_a_server_with_few_clients() {
        let w = Duration::from_secs(60);
        assert_eq!(
            ClientReads::new(None, w, false).every,
            Duration::from_millis(1500)
        );
        assert_eq!(
            ClientReads::new(None, Duration::from_secs(1), false).every,
            Duration::from_millis(200)
        );
        // many clients: the window's ends only (the first read, then the forced last)
        assert_eq!(ClientReads::new(None, w, true).every, w);
    }

    #[test]
    fn dryrun_replies_that_refuse_only_the_key_allow_the_command() {
        use redis::Value::{BulkString, Okay};
        assert!(dryrun_allows(&Okay));
        let key = b"This user has no permissions to access the 'foo' key".to_vec();
        assert!(dryrun_allows(&BulkString(key)));
        let cmd = b"This user has no permissions to run the 'set' command".to_vec();
        assert!(!dryrun_allows(&BulkString(cmd)));
    }

    #[test]
    fn latency_latest_and_acl_lines_parse() {
        use redis::Value::{Array, BulkString, Int};
        let v = Array(vec![Array(vec![
            BulkString(b"command".to_vec()),
            Int(1_700_000_000),
            Int(601),
            Int(900),
        ])]);
        assert_eq!(parse_latency_latest(&v)[0].latest_ms, 601);
        let u = parse_acl_line("user default on nopass sanitize-payload ~* &* +@all").unwrap();
        assert!(u.enabled && u.nopass && u.all_commands);
        let u = parse_acl_line("user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:* +get +set").unwrap();
        assert!(u.enabled && !u.nopass && !u.all_commands);
        assert_eq!(u.name, "app");
        assert!(parse_acl_line("garbage").is_none());
    }

    #[test]
    fn info_parses_sections_and_crlf() {
        let m = parse_info("# Server\r\nredis_version:7.0.15\r\nos:Linux 6.1 x86_64\r\n\r\n# Clients\r\nconnected_clients:3\r\n");
        assert_eq!(m["redis_version"], "7.0.15");
        assert_eq!(m["connected_clients"], "3");
        assert_eq!(m.len(), 3);
    }
}
