//! What a Redis probe sees.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ProbeError;

/// What one Redis probe saw of a reachable server. Each part that a server may refuse (CONFIG
/// renamed, an ACL denying a command) is a `Result` whose error says why, so the checks that need
/// it can skip with that reason instead of passing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedisSnapshot {
    /// Round trip of the first PING.
    #[serde(with = "crate::observe::ms")]
    pub first_ping: Duration,
    /// INFO, all sections, as key → value, read at the start of the window.
    pub info: Result<BTreeMap<String, String>, String>,
    /// INFO read again at the end of the window (counter deltas come from the two reads).
    pub info_end: Result<BTreeMap<String, String>, String>,
    /// INFO stats read right as the PING window opens (after the other reads), for rates
    /// over exactly `window`.
    #[serde(default = "not_collected")]
    pub stats_start: Result<BTreeMap<String, String>, String>,
    /// The window between the two INFO reads.
    #[serde(with = "crate::observe::ms")]
    pub window: Duration,
    /// CONFIG GET * as name → value.
    pub config: Result<BTreeMap<String, String>, String>,
    /// PING round trips measured during the window.
    #[serde(with = "crate::observe::ms::vec")]
    pub pings: Vec<Duration>,
    /// PINGs that got no answer within the timeout during the window.
    pub ping_timeouts: u32,
    /// LATENCY LATEST at the end of the window.
    pub latency_events: Result<Vec<LatencyEvent>, String>,
    /// SLOWLOG entries logged during the window.
    pub slowlog: Result<Vec<SlowlogEntry>, String>,
    /// Unix time (seconds) at the start of the window, by this machine's clock.
    pub window_start_unix: u64,
    /// ACL LIST rules and, for users that are not admins, the dangerous commands they may run.
    pub acl: Result<Vec<AclUser>, String>,
    /// A bounded SCAN sample of keys and how many have no expiry.
    pub ttl_sample: Result<TtlSample, String>,
    /// Facts read from this machine when the server runs here.
    pub local: Option<LocalFacts>,
    /// A note on authentication, e.g. a password given to a server that has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_note: Option<String>,
    /// The certificate files a local server names (tls-cert-file, tls-ca-cert-file …); None
    /// when not looked at (a remote server, CONFIG unreadable, not the full probe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_files: Option<Vec<super::tls::CertFile>>,
    /// The ACL user this run is connected as (the URL's user name, else `default`).
    #[serde(default = "default_user")]
    pub connected_as: String,
    /// The services declared with `--redis-service NAME=ro|rw`: ACL user name → access.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, Access>,
    /// CLIENT LIST read over the window: which users are connected and where new connections
    /// come from.
    #[serde(default = "not_collected")]
    pub clients: Result<ClientSample, String>,
    /// INFO replication read right as the window opens (beside `stats_start`): the master's
    /// write rate is the change of master_repl_offset from it to `info_end` over `window`.
    #[serde(default = "not_collected")]
    pub repl_start: Result<BTreeMap<String, String>, String>,
}

fn default_user() -> String {
    "default".into()
}

fn not_collected<T>() -> Result<T, String> {
    Err("not collected".into())
}

/// What a service declared with `--redis-service NAME=ro|rw` may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// Reads only (`ro`): any write command its user may run is too much.
    #[serde(rename = "ro")]
    ReadOnly,
    /// Reads and writes (`rw`).
    #[serde(rename = "rw")]
    ReadWrite,
}

impl Access {
    /// Parses one `--redis-service` value, `NAME=ro` or `NAME=rw`; the error is one line
    /// naming the flag and the value.
    pub fn parse_service(value: &str) -> Result<(String, Access), String> {
        let bad = || {
            format!(
                "--redis-service {}: want NAME=ro or NAME=rw (NAME an ACL user)",
                value.escape_debug()
            )
        };
        let (name, access) = value.split_once('=').ok_or_else(bad)?;
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(bad());
        }
        let access = match access {
            "ro" => Access::ReadOnly,
            "rw" => Access::ReadWrite,
            _ => return Err(bad()),
        };
        Ok((name.to_string(), access))
    }

    /// `ro` or `rw`.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::ReadOnly => "ro",
            Access::ReadWrite => "rw",
        }
    }
}

/// CLIENT LIST read several times over the window, reduced to what the checks need: user
/// names and client addresses (never client names, commands or arguments).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientSample {
    /// How many CLIENT LIST reads the window had.
    pub samples: u32,
    /// ACL users with at least one connection in any read (this run's own left out).
    pub users: Vec<String>,
    /// Client addresses (IP, no port) with connections at most 1 s old in some read, by how
    /// many distinct such connections were seen, most first; at most [`YOUNG_ADDRS`].
    pub young: Vec<YoungClients>,
}

/// How many addresses a [`ClientSample`] keeps.
pub const YOUNG_ADDRS: usize = 10;

/// Connections at most 1 s old seen from one address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YoungClients {
    /// The client's IP address (`unix` for a Unix socket).
    pub addr: String,
    /// Distinct connections (CLIENT LIST ids) seen at age 0 or 1 s.
    pub connections: u64,
}

/// One CLIENT LIST line, only the fields the checks use.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientLine {
    /// The connection's id.
    pub id: u64,
    /// The peer's IP address without its port (`unix` for a Unix socket).
    pub addr: String,
    /// Seconds since the connection was accepted.
    pub age: u64,
    /// Its ACL user.
    pub user: String,
}

/// Parses CLIENT LIST text: `id=… addr=… age=… user=…` per line; lines without an id or
/// address are dropped, and so is every other field (name, cmd …).
pub fn parse_client_list(text: &str) -> Vec<ClientLine> {
    text.lines()
        .filter_map(|l| {
            let (mut id, mut addr, mut age, mut user) = (None, None, 0, String::new());
            for (k, v) in l.split_whitespace().filter_map(|w| w.split_once('=')) {
                match k {
                    "id" => id = v.parse().ok(),
                    "addr" => addr = Some(client_ip(v)),
                    "age" => age = v.parse().unwrap_or(0),
                    "user" => user = v.escape_debug().to_string(),
                    _ => {}
                }
            }
            Some(ClientLine {
                id: id?,
                addr: addr?,
                age,
                user,
            })
        })
        .collect()
}

/// `10.0.0.5:51234` → `10.0.0.5`, `[::1]:51234` → `::1`, a Unix socket path → `unix`; what
/// is not an address is shown escaped.
fn client_ip(addr: &str) -> String {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) if addr.starts_with('/') => "unix".into(),
        Err(_) => host.escape_debug().to_string(),
    }
}

/// Builds a [`ClientSample`] from CLIENT LIST reads.
#[derive(Debug, Default)]
pub struct ClientSampler {
    samples: u32,
    users: std::collections::BTreeSet<String>,
    young: BTreeMap<String, std::collections::BTreeSet<u64>>,
}

impl ClientSampler {
    /// Adds one read, leaving out the connection `own` (this run's).
    pub fn add(&mut self, lines: &[ClientLine], own: Option<u64>) {
        self.samples += 1;
        for l in lines.iter().filter(|l| Some(l.id) != own) {
            if !l.user.is_empty() && !self.users.contains(&l.user) {
                self.users.insert(l.user.clone());
            }
            if l.age <= 1 {
                self.young.entry(l.addr.clone()).or_default().insert(l.id);
            }
        }
    }

    /// How many reads were added.
    pub fn samples(&self) -> u32 {
        self.samples
    }

    /// The sample: users by name, the busiest addresses first.
    pub fn finish(self) -> ClientSample {
        let mut young: Vec<YoungClients> = self
            .young
            .into_iter()
            .map(|(addr, ids)| YoungClients {
                addr,
                connections: ids.len() as u64,
            })
            .collect();
        young.sort_by(|a, b| b.connections.cmp(&a.connections).then(a.addr.cmp(&b.addr)));
        young.truncate(YOUNG_ADDRS);
        ClientSample {
            samples: self.samples,
            users: self.users.into_iter().collect(),
            young,
        }
    }
}

/// One LATENCY LATEST row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyEvent {
    /// Event name, e.g. `command` or `fork`.
    pub name: String,
    /// Unix time of the latest spike.
    pub unix: u64,
    /// Latest spike, ms.
    pub latest_ms: u64,
    /// All-time max, ms.
    pub max_ms: u64,
}

/// One SLOWLOG entry: only the command name is kept, never its arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlowlogEntry {
    /// Entry id.
    pub id: u64,
    /// Unix time it was logged.
    pub unix: u64,
    /// Execution time, microseconds.
    pub micros: u64,
    /// The command name, upper-cased.
    pub command: String,
}

/// An ACL user and what the checks need to know about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AclUser {
    /// User name.
    pub name: String,
    /// Whether the user is enabled (`on`).
    pub enabled: bool,
    /// Whether the user needs no password (`nopass`).
    pub nopass: bool,
    /// Whether the user may run every command (`+@all` / `allcommands`).
    pub all_commands: bool,
    /// Dangerous commands (FLUSHALL, CONFIG, DEBUG, KEYS) that ACL DRYRUN allows this user.
    pub dangerous_allowed: Vec<String>,
    /// Its ACL LIST rules with every password hash taken out: flags, key and channel
    /// patterns, command rules, selectors.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rules: String,
    /// One number per password, the same number wherever two users' password hashes are
    /// equal (the hashes themselves are never kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passwords: Vec<u32>,
    /// For a user declared a read-only service: the write commands ACL DRYRUN lets it run, on
    /// any key; None when not asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writes: Option<Vec<String>>,
}

impl AclUser {
    /// Whether its key patterns cover every key (`~*`, `allkeys`, `%RW~*`, `%W~*` after the
    /// last `resetkeys`), outside selectors.
    pub fn all_keys(&self) -> bool {
        let mut all = false;
        for r in top_level(&self.rules) {
            match r {
                "resetkeys" => all = false,
                "~*" | "allkeys" | "%RW~*" | "%WR~*" | "%W~*" => all = true,
                _ => {}
            }
        }
        all
    }

    /// Its key patterns (`~session:*`, `%R~cache:*`), outside selectors.
    pub fn key_patterns(&self) -> Vec<&str> {
        top_level(&self.rules)
            .filter(|r| r.starts_with('~') || (r.starts_with('%') && r.contains('~')))
            .collect()
    }
}

/// The rules of an ACL LIST line outside `(…)` selectors.
fn top_level(rules: &str) -> impl Iterator<Item = &str> {
    outside_selectors(rules.split_whitespace())
}

/// The words outside `(…)` selectors.
fn outside_selectors<'a>(words: impl Iterator<Item = &'a str>) -> impl Iterator<Item = &'a str> {
    let mut depth = 0i32;
    words.filter(move |w| {
        let outside = depth == 0 && !w.starts_with('(');
        depth = (depth + w.matches('(').count() as i32 - w.matches(')').count() as i32).max(0);
        outside
    })
}

/// The result of sampling keys with SCAN.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TtlSample {
    /// Keys looked at.
    pub sampled: u64,
    /// Of those, keys with no expiry (PTTL -1).
    pub without_ttl: u64,
    /// DBSIZE of the selected database.
    pub dbsize: u64,
}

/// Facts read on this machine about a local server's process (the host's own facts are the
/// kernel area's observation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalFacts {
    /// The server's pid (INFO process_id).
    pub pid: u32,
    /// Soft "Max open files" of the process.
    pub nofile: Result<u64, String>,
}

/// The observation of one Redis target: its label and either a snapshot or why there is none.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RedisObservation {
    /// The target's label (no password).
    pub target: String,
    /// host:port.
    pub addr: String,
    /// The snapshot, or the reason the server could not be reached.
    pub result: Result<RedisSnapshot, ProbeError>,
    /// For a node found by discovery: its deployment's label and its role there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<(String, String)>,
    /// The live TLS handshake (`redis.tls`), made whether or not the rest could be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<super::TlsLook>,
    /// The look from `doctor --from`'s vantage point (`redis.exposure`); None without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<super::exposure::ExposureLook>,
    /// When a local server refused: its units, systemd's view and where it listens instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<super::service::ServiceState>,
}

/// Directives whose values are secrets. An observation keeps only whether each is set
/// ([`SECRET_SET`] or empty); plans, diffs and errors show `***`.
pub const SECRET_DIRECTIVES: &[&str] = &[
    "requirepass",
    "masterauth",
    "user",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// What a secret directive's value becomes in an observation when it is set.
pub const SECRET_SET: &str = "(set)";

/// Which server speaks the Redis protocol on a target. Valkey reports `redis_version:7.2.4` for
/// compatibility; its own release is `valkey_version`, with `server_name:valkey`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Redis.
    Redis,
    /// Valkey, the Linux Foundation's fork of Redis 7.2.
    Valkey,
}

impl Flavor {
    /// The flavor INFO names.
    pub fn of(info: &BTreeMap<String, String>) -> Flavor {
        let valkey = info
            .get("server_name")
            .is_some_and(|n| n.eq_ignore_ascii_case("valkey"))
            || info.contains_key("valkey_version");
        if valkey {
            Flavor::Valkey
        } else {
            Flavor::Redis
        }
    }

    /// Its name as its project writes it.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Redis => "Redis",
            Flavor::Valkey => "Valkey",
        }
    }

    /// Its own release, from INFO (Valkey's `valkey_version`, else `redis_version`).
    pub fn version(self, info: &BTreeMap<String, String>) -> Option<&str> {
        match self {
            Flavor::Valkey => info.get("valkey_version").or(info.get("redis_version")),
            Flavor::Redis => info.get("redis_version"),
        }
        .map(String::as_str)
    }

    /// A remediation written for Redis, in this server's words: its CLI, its server and
    /// sentinel binaries and its config file (`redis-cli` → `valkey-cli` …).
    pub fn words(self, text: &str) -> String {
        match self {
            Flavor::Redis => text.to_string(),
            Flavor::Valkey => text
                .replace("redis-cli", "valkey-cli")
                .replace("redis-server", "valkey-server")
                .replace("redis-sentinel", "valkey-sentinel")
                .replace("redis.conf", "valkey.conf"),
        }
    }
}

/// A process name (`/proc/PID/comm`) of a server that speaks the Redis protocol: Redis's or
/// Valkey's server or sentinel.
pub fn is_server_process(comm: &str) -> bool {
    comm.starts_with("redis-server")
        || comm.starts_with("redis-sentinel")
        || comm.starts_with("valkey-server")
        || comm.starts_with("valkey-sentinel")
}

/// CONFIG GET * as name → value, with every secret's value dropped at the boundary: only
/// whether it is set survives, so no snapshot, Debug print or fixture can hold it.
pub fn config_from_pairs(flat: Vec<String>) -> BTreeMap<String, String> {
    let mut it = flat.into_iter();
    let mut out = BTreeMap::new();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        let v = if SECRET_DIRECTIVES.contains(&k.as_str()) && !v.is_empty() {
            SECRET_SET.to_string()
        } else if SECRET_DIRECTIVES.contains(&k.as_str()) {
            String::new()
        } else {
            v
        };
        out.insert(k, v);
    }
    out
}

/// One replica as its master's INFO replication lists it:
/// `slaveN:ip=10.0.0.2,port=6380,state=online,offset=1234,lag=0`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaLink {
    /// `ip:port` (`[ip]:port` for IPv6), as the master sees it (escaped).
    pub addr: String,
    /// `online`, or a step of a full resync (`wait_bgsave`, `send_bulk` …), escaped.
    pub state: String,
    /// The replication offset it last acknowledged (REPLCONF ACK, once a second).
    pub offset: Option<u64>,
    /// Seconds since that acknowledgement.
    pub lag: Option<u64>,
}

/// The `slaveN` lines of an INFO read, in N's order (slave2 before slave10); a line without
/// an ip or port is dropped.
pub fn replica_links(info: &BTreeMap<String, String>) -> Vec<ReplicaLink> {
    let mut links: Vec<(u64, ReplicaLink)> = info
        .iter()
        .filter_map(|(k, v)| {
            let n: u64 = k.strip_prefix("slave")?.parse().ok()?;
            let (mut ip, mut port, mut state, mut offset, mut lag) = (None, None, "", None, None);
            for (f, x) in v.split(',').filter_map(|kv| kv.split_once('=')) {
                match f {
                    "ip" => ip = Some(x),
                    "port" => port = x.parse::<u16>().ok(),
                    "state" => state = x,
                    "offset" => offset = x.parse().ok(),
                    "lag" => lag = x.parse().ok(),
                    _ => {}
                }
            }
            let ip = ip.filter(|i| !i.is_empty())?.escape_debug().to_string();
            let addr = if ip.contains(':') {
                format!("[{ip}]:{}", port?)
            } else {
                format!("{ip}:{}", port?)
            };
            Some((
                n,
                ReplicaLink {
                    addr,
                    state: state.escape_debug().to_string(),
                    offset,
                    lag,
                },
            ))
        })
        .collect();
    links.sort_by_key(|(n, _)| *n);
    links.into_iter().map(|(_, l)| l).collect()
}

/// Parses INFO output: `key:value` lines, sections and comments skipped.
pub fn parse_info(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.trim_end_matches('\r').split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Parses one ACL LIST line (`user app on #hash ~app:* +get`); password hashes are dropped.
pub fn parse_acl_line(line: &str) -> Option<AclUser> {
    parse_acl_list([line]).pop()
}

/// Parses ACL LIST: one user a line. Password hashes (`#…`) are dropped at once, each turned
/// into a number that two users share only when their hashes are equal.
pub fn parse_acl_list<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<AclUser> {
    let mut hashes: Vec<&str> = Vec::new();
    let mut users = Vec::new();
    for line in lines {
        let mut words = line.split_whitespace();
        if words.next() != Some("user") {
            continue;
        }
        let Some(name) = words.next() else { continue };
        let mut passwords = Vec::new();
        let mut rules: Vec<&str> = Vec::new();
        for w in words {
            // `#hash` is a password's SHA-256; `>`/`<` (never listed) would be clear text
            if let Some(h) = w.strip_prefix('#') {
                let n = match hashes.iter().position(|k| *k == h) {
                    Some(n) => n,
                    None => {
                        hashes.push(h);
                        hashes.len() - 1
                    }
                };
                passwords.push(n as u32);
            } else if !w.starts_with(['>', '<', '!']) {
                rules.push(w);
            }
        }
        // the last command rule that grants or takes away everything decides
        let mut all = false;
        for r in outside_selectors(rules.iter().copied()) {
            match r {
                "+@all" | "allcommands" => all = true,
                "-@all" | "nocommands" => all = false,
                _ if all && r.starts_with('-') => all = false,
                _ => {}
            }
        }
        users.push(AclUser {
            name: name.escape_debug().to_string(),
            enabled: rules.contains(&"on"),
            nopass: rules.contains(&"nopass"),
            all_commands: all,
            rules: rules.join(" ").escape_debug().to_string(),
            passwords,
            ..Default::default()
        });
    }
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_links_are_read_in_order_and_escaped() {
        let info = parse_info(
            "# Replication\r\nrole:master\r\nconnected_slaves:3\r\n\
slave10:ip=10.0.0.9,port=7000,state=send_bulk,offset=0,lag=0\r\n\
slave2:ip=::1,port=6381,state=online,offset=120,lag=1\r\n\
slave0:ip=10.0.0.2,port=6380,state=online,offset=100,lag=0\r\n\
slave3:ip=,port=1,state=online\r\n\
slave4:ip=a\x1b[31m,port=2,state=on\x07line,offset=x\r\n\
master_repl_offset:150\r\n",
        );
        let l = replica_links(&info);
        let addrs: Vec<&str> = l.iter().map(|r| r.addr.as_str()).collect();
        assert_eq!(
            addrs,
            [
                "10.0.0.2:6380",
                "[::1]:6381",
                "a\\u{1b}[31m:2",
                "10.0.0.9:7000"
            ]
        );
        assert_eq!((l[0].offset, l[0].lag), (Some(100), Some(0)));
        assert_eq!(l[1].state, "online");
        assert_eq!(l[2].offset, None);
        assert!(!l[2].state.contains('\x07'));
        assert_eq!(l[3].state, "send_bulk");
    }

    // issue 30: equal hashes become one number, and no hash survives the parse
    #[test]
    fn acl_list_keeps_rules_and_password_equality_never_the_hashes() {
        let h1 = "c592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8";
        let h2 = "93915a0a4bf8f634cb1856494dd4304472ad46b9827f541f76b6761c49cc55b0";
        let lines = [
            format!("user app on #{h1} ~session:* resetchannels -@all +@read"),
            "user default on nopass sanitize-payload ~* &* +@all".to_string(),
            format!("user mon on #{h2} #{h1} resetchannels -@all +ping +info"),
            format!("user ro on #{h2} ~* resetchannels +@all -@dangerous (~x* +set)"),
            "garbage".to_string(),
        ];
        let users = parse_acl_list(lines.iter().map(String::as_str));
        assert_eq!(users.len(), 4);
        let (app, def, mon, ro) = (&users[0], &users[1], &users[2], &users[3]);
        assert_eq!(app.passwords, vec![0]);
        assert_eq!(mon.passwords, vec![1, 0]);
        assert_eq!(ro.passwords, vec![1]);
        assert!(def.passwords.is_empty() && def.nopass && def.all_commands && def.all_keys());
        assert!(!ro.all_commands, "+@all -@dangerous is not every command");
        assert!(ro.all_keys());
        assert_eq!(
            ro.key_patterns(),
            vec!["~*"],
            "a selector's keys are its own"
        );
        assert_eq!(app.key_patterns(), vec!["~session:*"]);
        assert!(!app.all_keys());
        let all = format!("{users:?}");
        assert!(!all.contains(h1) && !all.contains(h2), "{all}");
        assert_eq!(app.rules, "on ~session:* resetchannels -@all +@read");
    }

    #[test]
    fn client_list_keeps_ids_addresses_ages_and_users_only() {
        let text = "id=14 addr=127.0.0.1:35434 laddr=127.0.0.1:7391 fd=8 name=secret-name age=0 idle=0 flags=N cmd=client|list user=default\n\
id=15 addr=[::1]:4000 age=7 name= user=app cmd=get\n\
id=16 addr=/tmp/redis.sock:0 age=1 user=app\n\
noise\n";
        let l = parse_client_list(text);
        assert_eq!(l.len(), 3);
        assert_eq!(
            (l[0].id, l[0].addr.as_str(), l[0].age),
            (14, "127.0.0.1", 0)
        );
        assert_eq!(l[1].addr, "::1");
        assert_eq!(l[2].addr, "unix");
        assert!(!format!("{l:?}").contains("secret-name"));
        let mut s = ClientSampler::default();
        s.add(&l, Some(14));
        s.add(&l, None);
        let c = s.finish();
        assert_eq!(c.samples, 2);
        assert_eq!(c.users, vec!["app", "default"]);
        assert_eq!(c.young[0].connections, 1);
        assert_eq!(c.young.len(), 2);
        assert_eq!(
            Access::parse_service("app=ro"),
            Ok(("app".into(), Access::ReadOnly))
        );
        for bad in ["app", "app=", "=ro", "app=rx", "a b=rw"] {
            let e = Access::parse_service(bad).unwrap_err();
            assert!(e.starts_with("--redis-service") && !e.contains('\n'), "{e}");
        }
    }

    // issue 12, defect 3: requirepass and masterauth sat in a Debug-printable snapshot
    #[test]
    fn secret_config_values_are_dropped_keeping_only_whether_they_are_set() {
        let flat = [
            "requirepass",
            "hunter2-planted",
            "masterauth",
            "",
            "maxclients",
            "10000",
        ]
        .map(String::from)
        .to_vec();
        let c = config_from_pairs(flat);
        assert_eq!(c["requirepass"], SECRET_SET);
        assert_eq!(c["masterauth"], "");
        assert_eq!(c["maxclients"], "10000");
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
