//! `tune redis`: edit redis.conf the way CONFIG REWRITE does. Lines are tokenised as Redis
//! does (sdssplitargs: quotes and escapes); the first occurrence of a directive is replaced in
//! place and its later duplicates dropped; comments, blank lines, unknown directives and
//! `include` lines stay byte for byte; new directives go into a marked block at the end.

use serde::Serialize;

use crate::exit::UsageError;

/// How deep includes may nest before the file is taken for a loop.
pub const INCLUDE_DEPTH: usize = 16;

/// The header of the block new directives are appended under.
pub const MARKER: &str = "# Added by statectl tune redis";

/// Directives that take several lines or several values and are planned as one list.
pub const MULTI: &[&str] = &[
    "save",
    "bind",
    "rename-command",
    "user",
    "include",
    "loadmodule",
];

/// Directives CONFIG SET refuses at runtime: changing them needs a restart.
pub const RESTART_ONLY: &[&str] = &[
    "aclfile",
    "always-show-logo",
    "bind-source-addr",
    "cluster-config-file",
    "cluster-enabled",
    "cluster-port",
    "daemonize",
    "databases",
    "disable-thp",
    "enable-debug-command",
    "enable-module-command",
    "enable-protected-configs",
    "include",
    "io-threads",
    "io-threads-do-reads",
    "loadmodule",
    "logfile",
    "pidfile",
    "rename-command",
    "set-proc-title",
    "supervised",
    "syslog-enabled",
    "syslog-facility",
    "syslog-ident",
    "tcp-backlog",
    "unixsocket",
    "unixsocketperm",
    "user",
];

/// Redis's own values of the restart-only directives (`src/config.c` of 7.0.15), as a file
/// without the directive gets them: adding one at its default changes nothing a restart would
/// pick up.
const RESTART_ONLY_DEFAULTS: &[(&str, &str)] = &[
    ("always-show-logo", "no"),
    ("cluster-config-file", "nodes.conf"),
    ("cluster-enabled", "no"),
    ("cluster-port", "0"),
    ("daemonize", "no"),
    ("databases", "16"),
    ("disable-thp", "yes"),
    ("enable-debug-command", "no"),
    ("enable-module-command", "no"),
    ("enable-protected-configs", "no"),
    ("io-threads", "1"),
    ("io-threads-do-reads", "no"),
    ("set-proc-title", "yes"),
    ("supervised", "no"),
    ("syslog-enabled", "no"),
    ("syslog-facility", "local0"),
    ("syslog-ident", "redis"),
    ("tcp-backlog", "511"),
    ("unixsocketperm", "0"),
];

/// Every directive Redis 7.0 knows (CONFIG GET * of 7.0.15, plus the file-only ones).
pub const KNOWN: &[&str] = &[
    "acl-pubsub-default",
    "aclfile",
    "acllog-max-len",
    "active-defrag-cycle-max",
    "active-defrag-cycle-min",
    "active-defrag-ignore-bytes",
    "active-defrag-max-scan-fields",
    "active-defrag-threshold-lower",
    "active-defrag-threshold-upper",
    "active-expire-effort",
    "activedefrag",
    "activerehashing",
    "always-show-logo",
    "aof-disable-auto-gc",
    "aof-load-truncated",
    "aof-rewrite-incremental-fsync",
    "aof-timestamp-enabled",
    "aof-use-rdb-preamble",
    "aof_rewrite_cpulist",
    "appenddirname",
    "appendfilename",
    "appendfsync",
    "appendonly",
    "auto-aof-rewrite-min-size",
    "auto-aof-rewrite-percentage",
    "bgsave_cpulist",
    "bind",
    "bind-source-addr",
    "bio_cpulist",
    "busy-reply-threshold",
    "client-output-buffer-limit",
    "client-query-buffer-limit",
    "cluster-allow-pubsubshard-when-down",
    "cluster-allow-reads-when-down",
    "cluster-allow-replica-migration",
    "cluster-announce-bus-port",
    "cluster-announce-hostname",
    "cluster-announce-ip",
    "cluster-announce-port",
    "cluster-announce-tls-port",
    "cluster-config-file",
    "cluster-enabled",
    "cluster-link-sendbuf-limit",
    "cluster-migration-barrier",
    "cluster-node-timeout",
    "cluster-port",
    "cluster-preferred-endpoint-type",
    "cluster-replica-no-failover",
    "cluster-replica-validity-factor",
    "cluster-require-full-coverage",
    "cluster-slave-no-failover",
    "cluster-slave-validity-factor",
    "crash-log-enabled",
    "crash-memcheck-enabled",
    "daemonize",
    "databases",
    "dbfilename",
    "dir",
    "disable-thp",
    "dynamic-hz",
    "enable-debug-command",
    "enable-module-command",
    "enable-protected-configs",
    "hash-max-listpack-entries",
    "hash-max-listpack-value",
    "hash-max-ziplist-entries",
    "hash-max-ziplist-value",
    "hll-sparse-max-bytes",
    "hz",
    "ignore-warnings",
    "include",
    "io-threads",
    "io-threads-do-reads",
    "jemalloc-bg-thread",
    "latency-monitor-threshold",
    "latency-tracking",
    "latency-tracking-info-percentiles",
    "lazyfree-lazy-eviction",
    "lazyfree-lazy-expire",
    "lazyfree-lazy-server-del",
    "lazyfree-lazy-user-del",
    "lazyfree-lazy-user-flush",
    "lfu-decay-time",
    "lfu-log-factor",
    "list-compress-depth",
    "list-max-listpack-size",
    "list-max-ziplist-size",
    "loadmodule",
    "logfile",
    "loglevel",
    "lua-time-limit",
    "masterauth",
    "masteruser",
    "maxclients",
    "maxmemory",
    "maxmemory-clients",
    "maxmemory-eviction-tenacity",
    "maxmemory-policy",
    "maxmemory-samples",
    "min-replicas-max-lag",
    "min-replicas-to-write",
    "min-slaves-max-lag",
    "min-slaves-to-write",
    "no-appendfsync-on-rewrite",
    "notify-keyspace-events",
    "oom-score-adj",
    "oom-score-adj-values",
    "pidfile",
    "port",
    "proc-title-template",
    "propagation-error-behavior",
    "protected-mode",
    "proto-max-bulk-len",
    "rdb-del-sync-files",
    "rdb-save-incremental-fsync",
    "rdbchecksum",
    "rdbcompression",
    "rename-command",
    "repl-backlog-size",
    "repl-backlog-ttl",
    "repl-disable-tcp-nodelay",
    "repl-diskless-load",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "repl-diskless-sync-max-replicas",
    "repl-ping-replica-period",
    "repl-ping-slave-period",
    "repl-timeout",
    "replica-announce-ip",
    "replica-announce-port",
    "replica-announced",
    "replica-ignore-disk-write-errors",
    "replica-ignore-maxmemory",
    "replica-lazy-flush",
    "replica-priority",
    "replica-read-only",
    "replica-serve-stale-data",
    "replicaof",
    "requirepass",
    "sanitize-dump-payload",
    "save",
    "server_cpulist",
    "set-max-intset-entries",
    "set-proc-title",
    "shutdown-on-sigint",
    "shutdown-on-sigterm",
    "shutdown-timeout",
    "slave-announce-ip",
    "slave-announce-port",
    "slave-ignore-maxmemory",
    "slave-lazy-flush",
    "slave-priority",
    "slave-read-only",
    "slave-serve-stale-data",
    "slaveof",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "socket-mark-id",
    "stop-writes-on-bgsave-error",
    "stream-node-max-bytes",
    "stream-node-max-entries",
    "supervised",
    "syslog-enabled",
    "syslog-facility",
    "syslog-ident",
    "tcp-backlog",
    "tcp-keepalive",
    "timeout",
    "tls-auth-clients",
    "tls-ca-cert-dir",
    "tls-ca-cert-file",
    "tls-cert-file",
    "tls-ciphers",
    "tls-ciphersuites",
    "tls-client-cert-file",
    "tls-client-key-file",
    "tls-client-key-file-pass",
    "tls-cluster",
    "tls-dh-params-file",
    "tls-key-file",
    "tls-key-file-pass",
    "tls-port",
    "tls-prefer-server-ciphers",
    "tls-protocols",
    "tls-replication",
    "tls-session-cache-size",
    "tls-session-cache-timeout",
    "tls-session-caching",
    "tracking-table-max-keys",
    "unixsocket",
    "unixsocketperm",
    "user",
    "zset-max-listpack-entries",
    "zset-max-listpack-value",
    "zset-max-ziplist-entries",
    "zset-max-ziplist-value",
];

/// Directives added after 7.0, with the release that added them (`src/config.c` of 7.2.6 and
/// 7.4.1 against 7.0.15).
pub const ADDED: &[(&str, [u64; 2])] = &[
    ("client-default-resp", [7, 2]),
    ("cluster-announce-human-nodename", [7, 2]),
    ("cluster-ping-interval", [7, 2]),
    ("locale-collate", [7, 2]),
    ("req-res-logfile", [7, 2]),
    ("set-max-listpack-entries", [7, 2]),
    ("set-max-listpack-value", [7, 2]),
    ("hide-user-data-from-log", [7, 4]),
    ("max-new-connections-per-cycle", [7, 4]),
    ("max-new-tls-connections-per-cycle", [7, 4]),
];

/// The newest release whose whole directive list is known here.
pub const KNOWN_THROUGH: [u64; 2] = [7, 4];

fn dotted(v: &[u64]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

/// Whether `--set NAME` suits the Redis that will read the file (`version`, with where it was
/// learnt, when known): Ok(None) when it is one of that release's directives, Ok(Some(warning))
/// when it is unknown here but may be a newer release's (kept: Redis judges), Err when that
/// release has no such directive.
pub fn judge(name: &str, version: Option<(&[u64], &str)>) -> Result<Option<String>, String> {
    if KNOWN.contains(&name) {
        return Ok(None);
    }
    let major_minor = |v: &[u64]| {
        [
            v.first().copied().unwrap_or(0),
            v.get(1).copied().unwrap_or(0),
        ]
    };
    if let Some((_, added)) = ADDED.iter().find(|(n, _)| *n == name) {
        return match version {
            Some((v, from)) if major_minor(v) < *added => Err(format!(
                "a directive of Redis {} and later; the Redis here is {} ({from}){}",
                dotted(added),
                dotted(v),
                if from == "--redis-version" {
                    String::new()
                } else {
                    format!(
                        "; if the file is for a newer Redis, name its release: --redis-version {}",
                        dotted(added)
                    )
                }
            )),
            _ => Ok(None),
        };
    }
    match version {
        Some((v, from)) if major_minor(v) <= KNOWN_THROUGH => Err(format!(
            "not a directive of Redis {} ({from})",
            dotted(v)
        )),
        Some((v, from)) => Ok(Some(format!(
            "{name} is not a directive statectl knows (it knows Redis through {}); kept for Redis {} ({from}) to judge",
            dotted(&KNOWN_THROUGH),
            dotted(v)
        ))),
        None => Ok(Some(format!(
            "{name} is not a directive statectl knows (it knows Redis through {}), and the Redis version is unknown (no redis-server here, no --live, no --redis-version); kept for Redis to judge",
            dotted(&KNOWN_THROUGH)
        ))),
    }
}

/// The value grammar of directives whose values we check before writing.
enum Kind {
    Bool,
    Size,
    Int,
    Enum(&'static [&'static str]),
}

fn kind(name: &str) -> Option<Kind> {
    Some(match name {
        "protected-mode"
        | "appendonly"
        | "activedefrag"
        | "daemonize"
        | "lazyfree-lazy-eviction"
        | "lazyfree-lazy-expire"
        | "lazyfree-lazy-server-del"
        | "replica-read-only"
        | "replica-serve-stale-data"
        | "stop-writes-on-bgsave-error"
        | "rdbcompression"
        | "rdbchecksum"
        | "dynamic-hz"
        | "activerehashing"
        | "tls-replication"
        | "tls-cluster"
        | "cluster-enabled"
        | "jemalloc-bg-thread"
        | "disable-thp"
        | "aof-use-rdb-preamble"
        | "no-appendfsync-on-rewrite"
        | "io-threads-do-reads"
        | "lazyfree-lazy-user-del"
        | "lazyfree-lazy-user-flush"
        | "set-proc-title"
        | "always-show-logo" => Kind::Bool,
        "maxmemory"
        | "client-query-buffer-limit"
        | "proto-max-bulk-len"
        | "repl-backlog-size"
        | "auto-aof-rewrite-min-size"
        | "active-defrag-ignore-bytes"
        | "maxmemory-clients" => Kind::Size,
        "tcp-keepalive"
        | "tcp-backlog"
        | "latency-monitor-threshold"
        | "maxclients"
        | "timeout"
        | "databases"
        | "hz"
        | "min-replicas-to-write"
        | "min-replicas-max-lag"
        | "slowlog-log-slower-than"
        | "slowlog-max-len"
        | "port"
        | "tls-port"
        | "io-threads"
        | "maxmemory-samples"
        | "repl-timeout"
        | "lua-time-limit"
        | "busy-reply-threshold" => Kind::Int,
        "maxmemory-policy" => Kind::Enum(&[
            "volatile-lru",
            "allkeys-lru",
            "volatile-lfu",
            "allkeys-lfu",
            "volatile-random",
            "allkeys-random",
            "volatile-ttl",
            "noeviction",
        ]),
        "appendfsync" => Kind::Enum(&["always", "everysec", "no"]),
        "loglevel" => Kind::Enum(&["debug", "verbose", "notice", "warning", "nothing"]),
        "supervised" => Kind::Enum(&["no", "upstart", "systemd", "auto"]),
        "repl-diskless-load" => Kind::Enum(&["disabled", "on-empty-db", "swapdb"]),
        "enable-debug-command" | "enable-module-command" | "enable-protected-configs" => {
            Kind::Enum(&["yes", "no", "local"])
        }
        _ => return None,
    })
}

/// Parses a Redis size: `2gb` = 2·1024³, `2g` = 2·1000³, plain bytes otherwise (memtoll).
pub fn memtoll(s: &str) -> Option<u64> {
    let l = s.trim().to_ascii_lowercase();
    let split = l.find(|c: char| !c.is_ascii_digit()).unwrap_or(l.len());
    let (num, unit) = l.split_at(split);
    let n: u64 = num.parse().ok()?;
    let m: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(m)
}

/// Checks a directive's value against Redis 7's grammar; the message names what is allowed.
pub fn validate(name: &str, args: &[String]) -> Result<(), String> {
    let Some(k) = kind(name) else { return Ok(()) };
    let [v] = args else {
        return Err(format!("{name} takes one value, got {}", args.len()));
    };
    let ok = match k {
        Kind::Bool => matches!(v.to_ascii_lowercase().as_str(), "yes" | "no"),
        Kind::Size => memtoll(v).is_some(),
        Kind::Int => v.parse::<i64>().is_ok(),
        Kind::Enum(values) => values.contains(&v.to_ascii_lowercase().as_str()),
    };
    if ok {
        return Ok(());
    }
    Err(match k {
        Kind::Bool => format!("{name} {v:?}: expected yes or no"),
        Kind::Size => format!("{name} {v:?}: expected a size such as 2gb or 2147483648"),
        Kind::Int => format!("{name} {v:?}: expected an integer"),
        Kind::Enum(values) => format!("{name} {v:?}: expected one of {}", values.join(", ")),
    })
}

/// Splits a line into arguments as Redis's sdssplitargs does. Errors on unbalanced quotes.
pub fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else {
            return Ok(out);
        };
        let mut cur = String::new();
        match first {
            '"' => {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err("unbalanced quotes".into()),
                        Some('\\') => match chars.next() {
                            Some('x') => {
                                let h: String = chars.by_ref().take(2).collect();
                                match u8::from_str_radix(&h, 16) {
                                    Ok(b) if h.len() == 2 => cur.push(b as char),
                                    _ => {
                                        cur.push('x');
                                        cur.push_str(&h);
                                    }
                                }
                            }
                            Some('n') => cur.push('\n'),
                            Some('r') => cur.push('\r'),
                            Some('t') => cur.push('\t'),
                            Some('b') => cur.push('\u{8}'),
                            Some('a') => cur.push('\u{7}'),
                            Some(c) => cur.push(c),
                            None => return Err("unbalanced quotes".into()),
                        },
                        Some('"') => {
                            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                                return Err("a closing quote must be followed by a space".into());
                            }
                            break;
                        }
                        Some(c) => cur.push(c),
                    }
                }
            }
            '\'' => {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err("unbalanced quotes".into()),
                        Some('\\') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            cur.push('\'');
                        }
                        Some('\'') => {
                            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                                return Err("a closing quote must be followed by a space".into());
                            }
                            break;
                        }
                        Some(c) => cur.push(c),
                    }
                }
            }
            _ => {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    cur.push(c);
                    chars.next();
                }
            }
        }
        out.push(cur);
    }
}

/// Quotes an argument for redis.conf when it needs it.
pub fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\'' && c != '\\');
    if plain {
        return arg.to_string();
    }
    let mut s = String::from("\"");
    for c in arg.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                s.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// One line of a parsed file: its exact text and, for a directive, its name and arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The line as it was, without its newline.
    pub raw: String,
    /// Lower-cased directive name and its arguments; None for comments and blank lines.
    pub directive: Option<(String, Vec<String>)>,
}

/// A parsed redis.conf.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfFile {
    /// Every line in order.
    pub lines: Vec<Line>,
    /// Whether the text ended with a newline.
    pub trailing_newline: bool,
}

/// A parse or validation error, with its 1-based line number.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl ConfFile {
    /// Parses text; every directive line must tokenise and known values must be legal.
    pub fn parse(text: &str) -> Result<ConfFile, ConfError> {
        let mut lines = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let err = |message: String| ConfError {
                line: i + 1,
                message,
            };
            let trimmed = raw.trim();
            let directive = if trimmed.is_empty() || trimmed.starts_with('#') {
                None
            } else {
                let mut args = tokenize(trimmed).map_err(err)?;
                if args.is_empty() {
                    None
                } else {
                    let name = args.remove(0).to_ascii_lowercase();
                    validate(&name, &args).map_err(err)?;
                    Some((name, args))
                }
            };
            lines.push(Line {
                raw: raw.to_string(),
                directive,
            });
        }
        Ok(ConfFile {
            lines,
            trailing_newline: text.is_empty() || text.ends_with('\n'),
        })
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut s = self
            .lines
            .iter()
            .map(|l| l.raw.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        if self.trailing_newline && !self.lines.is_empty() {
            s.push('\n');
        }
        s
    }

    /// The value in force: the last occurrence of a single-value directive, or all arguments of
    /// every occurrence of a multi-value one, joined by spaces.
    pub fn effective(&self, name: &str) -> Option<String> {
        in_force(self, &[], name)
    }
}

/// Whether two values of `name` mean the same to Redis (sizes by bytes, words by case).
pub fn same_value(name: &str, a: &str, b: &str) -> bool {
    if matches!(kind(name), Some(Kind::Size)) {
        if let (Some(x), Some(y)) = (memtoll(a), memtoll(b)) {
            return x == y;
        }
    }
    let norm = |s: &str| {
        tokenize(s)
            .unwrap_or_else(|_| vec![s.to_string()])
            .iter()
            .map(|t| t.to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    norm(a) == norm(b)
}

/// What a plan does to one directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Already the desired value.
    Unchanged,
    /// Replaced in place.
    Change,
    /// Appended in the statectl block.
    Add,
}

/// One planned directive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Directive name.
    pub name: String,
    /// The value in force before (None when absent).
    pub before: Option<String>,
    /// The desired value.
    pub after: String,
    /// What the plan does.
    pub action: Action,
    /// Whether CONFIG SET can apply it at runtime (else a restart is needed).
    pub live: bool,
}

/// A plan: the items and the file text after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Every desired directive.
    pub items: Vec<Item>,
    /// Directives kept although statectl does not know them.
    pub warnings: Vec<String>,
    /// The new file text (equal to the old when nothing changes).
    pub text: String,
}

impl Plan {
    /// Whether applying would change the file.
    pub fn changes(&self) -> bool {
        self.items.iter().any(|i| i.action != Action::Unchanged)
    }

    /// The restart-only directives whose value in force changes: a line added at Redis's own
    /// default (tcp-backlog 511) is written, but a restart would find nothing new.
    pub fn restart_required(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| !i.live && i.action != Action::Unchanged)
            .filter(|i| {
                let default = RESTART_ONLY_DEFAULTS
                    .iter()
                    .find(|(n, _)| *n == i.name)
                    .map(|(_, v)| *v);
                match i.before.as_deref().or(default) {
                    Some(now) => !same_value(&i.name, now, &i.after),
                    None => true,
                }
            })
            .map(|i| i.name.clone())
            .collect()
    }
}

/// One directive of a file that an `include` line of the planned file brings in (directly or
/// through nested includes): Redis reads it at that line, so it overrides what comes before.
#[derive(Debug, Clone, PartialEq)]
pub struct Included {
    /// The 0-based index, in the planned file, of the `include` line that brings it in.
    pub at: usize,
    /// The included file.
    pub file: String,
    /// Its 1-based line in that file.
    pub line: usize,
    /// Lower-cased directive name.
    pub name: String,
    /// Its arguments, quoted as in a file.
    pub value: String,
}

/// The value Redis ends with for `name`: the file's lines and the included directives in the
/// order Redis reads them, the last one winning (every one joined, for a multi-value directive).
fn in_force(conf: &ConfFile, included: &[Included], name: &str) -> Option<String> {
    let mut seen: Vec<String> = Vec::new();
    for (i, l) in conf.lines.iter().enumerate() {
        if let Some((n, a)) = &l.directive {
            if n == name {
                seen.push(a.iter().map(|x| quote(x)).collect::<Vec<_>>().join(" "));
            }
        }
        seen.extend(
            included
                .iter()
                .filter(|d| d.at == i && d.name == name)
                .map(|d| d.value.clone()),
        );
    }
    if MULTI.contains(&name) {
        (!seen.is_empty()).then(|| seen.join(" "))
    } else {
        seen.pop()
    }
}

/// Plans `desired` (name, value) against a parsed file and the directives its includes bring
/// in. `version` is the Redis that will read the file, and where that was learnt. A directive
/// that an include sets again after the file's own line is refused, naming the include: an edit
/// of this file would not be the value Redis uses.
pub fn plan(
    conf: &ConfFile,
    desired: &[(String, String)],
    version: Option<(&[u64], &str)>,
    included: &[Included],
) -> Result<Plan, UsageError> {
    let mut warnings = Vec::new();
    let mut lines = conf.lines.clone();
    let mut items: Vec<Item> = Vec::new();
    let mut appended: Vec<String> = Vec::new();
    // A later --set replaces a profile value of the same name: plan each directive once.
    let mut merged: Vec<(String, String)> = Vec::new();
    for (name, value) in desired {
        let name = name.to_ascii_lowercase();
        match merged.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value.clone(),
            None => merged.push((name, value.clone())),
        }
    }
    for (name, value) in &merged {
        let name = name.clone();
        if let Some(w) =
            judge(&name, version).map_err(|e| UsageError(format!("--set {name}: {e}")))?
        {
            warnings.push(w);
        }
        // a secret's value never reaches a message, not even a malformed one
        let said = shown(&name, value);
        let args = tokenize(value).map_err(|e| UsageError(format!("--set {name}={said}: {e}")))?;
        if !MULTI.contains(&name.as_str()) {
            validate(&name, &args).map_err(|e| UsageError(format!("--set {name}={said}: {e}")))?;
        }
        let current = in_force(conf, included, &name);
        // the file's own first line is where an edit lands; an include after it wins over it
        let own = conf
            .lines
            .iter()
            .position(|l| l.directive.as_ref().is_some_and(|(n, _)| *n == name));
        let overridden = own.and_then(|f| {
            included
                .iter()
                .rev()
                .find(|d| d.name == name && d.at > f)
                .map(|d| (f, d))
        });
        let new_line = std::iter::once(name.clone())
            .chain(args.iter().map(|a| quote(a)))
            .collect::<Vec<_>>()
            .join(" ");
        let unchanged = current
            .as_ref()
            .is_some_and(|c| same_value(&name, c, value));
        if let (false, Some((f, d))) = (unchanged, overridden) {
            return Err(UsageError(format!(
                "--set {name}: {}:{} sets {name} again after this file's line {} (its include is line {}), and Redis uses the last one; change or remove it there",
                d.file,
                d.line,
                f + 1,
                d.at + 1
            )));
        }
        let action = match own {
            _ if unchanged => Action::Unchanged,
            Some(_) => {
                let mut first = true;
                lines.retain_mut(|l| {
                    if l.directive.as_ref().is_some_and(|(n, _)| *n == name) {
                        if first {
                            first = false;
                            l.raw = new_line.clone();
                            l.directive = Some((name.clone(), args.clone()));
                            return true;
                        }
                        return false;
                    }
                    true
                });
                Action::Change
            }
            // absent from the file (perhaps set by an include): the appended line comes last
            None => {
                appended.push(new_line.clone());
                Action::Add
            }
        };
        items.push(Item {
            name: name.clone(),
            before: current,
            after: value.clone(),
            action,
            live: !RESTART_ONLY.contains(&name.as_str()),
        });
    }
    if !appended.is_empty() {
        if !lines.iter().any(|l| l.raw == MARKER) {
            if lines.last().is_some_and(|l| !l.raw.trim().is_empty()) {
                lines.push(Line {
                    raw: String::new(),
                    directive: None,
                });
            }
            lines.push(Line {
                raw: MARKER.to_string(),
                directive: None,
            });
        }
        for a in appended {
            let directive = ConfFile::parse(&a)
                .ok()
                .and_then(|c| c.lines[0].directive.clone());
            lines.push(Line { raw: a, directive });
        }
    }
    let text = ConfFile {
        lines,
        trailing_newline: conf.trailing_newline || !conf.lines.is_empty(),
    }
    .render();
    // The result must parse and validate as a whole before anyone writes it.
    ConfFile::parse(&text)
        .map_err(|e| UsageError(format!("planned file line {}: {}", e.line, e.message)))?;
    Ok(Plan {
        items,
        warnings,
        text,
    })
}

/// Whether a config persists to disk (RDB `save` rules or `appendonly yes`): then BGSAVE and
/// BGREWRITEAOF fork, and copy-on-write needs memory beside maxmemory.
pub fn persistence_on(conf: &ConfFile) -> bool {
    conf.effective("appendonly").is_some_and(|v| v == "yes")
        || conf
            .effective("save")
            .is_some_and(|v| !v.is_empty() && v != "\"\"")
}

/// The share of RAM maxmemory may take: 80%, or 50% when RDB/AOF forks need room for
/// copy-on-write. `doctor` (redis.maxmemory) and `tune redis --maxmemory auto` both use it.
pub fn maxmemory_share(persistence: bool) -> f64 {
    if persistence {
        0.5
    } else {
        0.8
    }
}

/// maxmemory in bytes for a host with `ram` bytes.
pub fn maxmemory_for(ram: u64, persistence: bool) -> u64 {
    (ram as f64 * maxmemory_share(persistence)) as u64
}

/// Redis's own default tcp-backlog.
pub const REDIS_DEFAULT_BACKLOG: u64 = 511;

/// tcp-backlog for the profile: Redis's 511, or less when net.core.somaxconn would silently cap
/// it (unknown somaxconn keeps 511).
pub fn backlog_for(somaxconn: Option<u64>) -> u64 {
    somaxconn.map_or(REDIS_DEFAULT_BACKLOG, |s| s.min(REDIS_DEFAULT_BACKLOG))
}

/// One live reconfiguration of a running server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveChange {
    /// Directive.
    pub name: String,
    /// CONFIG GET before (secrets masked).
    pub before: String,
    /// CONFIG GET after CONFIG SET (the read-back; secrets masked), or the value a dry run would set.
    pub after: String,
    /// Whether the read-back matches the desired value (false for a dry run).
    pub ok: bool,
}

/// What `--live` does to a running server, given its CONFIG GET values: the directives to
/// CONFIG SET (name, value), and those that differ but only apply on restart.
pub fn live_plan(
    items: &[Item],
    running: &std::collections::BTreeMap<String, String>,
) -> (Vec<(String, String)>, Vec<String>) {
    let (mut set, mut restart) = (Vec::new(), Vec::new());
    for i in items {
        let now = running.get(&i.name).map(String::as_str).unwrap_or("");
        if same_value(&i.name, now, &i.after) {
            continue;
        }
        if i.live {
            set.push((i.name.clone(), i.after.clone()));
        } else {
            restart.push(i.name.clone());
        }
    }
    (set, restart)
}

/// The `session-cache` profile: the brief's settings. `maxmemory` and `tcp_backlog` are
/// resolved by the caller (2gb or `--maxmemory`; 511 unless somaxconn is lower).
pub fn session_cache(maxmemory: &str, tcp_backlog: u64) -> Vec<(String, String)> {
    [
        ("maxmemory", maxmemory.to_string()),
        ("maxmemory-policy", "allkeys-lru".into()),
        ("tcp-keepalive", "300".into()),
        ("tcp-backlog", tcp_backlog.to_string()),
        ("protected-mode", "yes".into()),
        ("latency-monitor-threshold", "100".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Why a planned file would expose a passwordless server, if it would.
pub fn exposure(conf: &ConfFile) -> Option<String> {
    let bind = conf.effective("bind").unwrap_or_else(|| "* -::*".into());
    let open: Vec<String> = tokenize(&bind)
        .unwrap_or_default()
        .into_iter()
        .filter(|w| {
            let w = w.trim_start_matches('-');
            match w.parse::<std::net::IpAddr>() {
                Ok(ip) => !ip.is_loopback(),
                Err(_) => w != "localhost",
            }
        })
        .collect();
    if open.is_empty() {
        return None;
    }
    let has_pass = conf
        .effective("requirepass")
        .is_some_and(|p| !p.is_empty() && p != "\"\"");
    let acl = conf.effective("aclfile").is_some();
    let default_user_pw = conf
        .lines
        .iter()
        .filter_map(|l| l.directive.as_ref())
        .any(|(n, a)| {
            n == "user"
                && a.first().map(String::as_str) == Some("default")
                && a.iter().any(|r| r.starts_with('>') || r.starts_with('#'))
        });
    if has_pass || acl || default_user_pw {
        return None;
    }
    Some(format!(
        "the plan binds {} while the default user has no password and no aclfile is set",
        open.join(" ")
    ))
}

/// Directives whose values are secrets: never shown in plans, diffs or errors.
pub use crate::observe::redis::SECRET_DIRECTIVES as SECRET;

/// A value fit to show: secrets become `***`.
pub fn shown(name: &str, value: &str) -> String {
    if SECRET.contains(&name) {
        "***".into()
    } else {
        value.to_string()
    }
}

/// A unified diff of the file before and after, with secret values masked.
pub fn diff(path: &str, old: &str, new: &str) -> String {
    let text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(path, &format!("{path} (planned)"))
        .to_string();
    text.lines()
        .map(|l| {
            let (mark, body) = l.split_at(l.len().min(1));
            let name = body
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if !l.starts_with("---") && !l.starts_with("+++") && SECRET.contains(&name.as_str()) {
                format!("{mark}{name} ***\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

/// What `tune redis` did, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The file planned against.
    pub config: String,
    /// `--host-root`, when given: every file and live value was read and written below it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_root: Option<String>,
    /// False for a dry run.
    pub applied: bool,
    /// Whether this run changed the file or the live server.
    pub changed: bool,
    /// Directives whose new value needs a restart to take effect.
    pub restart_required: Vec<String>,
    /// Every planned directive (secret values shown as ***).
    pub items: Vec<Item>,
    /// Unified diff of the file (secrets masked); empty when nothing changes.
    pub diff: String,
    /// Where the previous file was saved, when the file was written.
    pub backup: Option<String>,
    /// CONFIG SET changes made with --live.
    pub live: Vec<LiveChange>,
    /// A safety refusal overridden by --force.
    pub forced: Option<String>,
    /// The Redis the plan was checked against, and where that was learnt.
    pub redis_version: Option<String>,
    /// Directives kept although statectl does not know them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests;
