//! What this release of Redis knows: the directives of each release (7.0 to 7.4; an older Redis
//! is refused, see [`KNOWN_FROM`]), which take several lines, which need a restart and their
//! defaults, and how each directive's value is validated.

/// How the lines of a directive combine as Redis reads them (`src/config.c` of 7.0.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One value, the last line's (bind's addresses are one value too).
    Single,
    /// Rules every line adds to (`save`; a `save ""` line empties the list first): a `--set` is
    /// the whole new list.
    List,
    /// Entries keyed by their first argument, each line setting the entries it names: a
    /// `--set` replaces or adds its entries, and every other entry stays, in its place.
    Keyed(Keyed),
}

/// How a keyed directive's entries are cut and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyed {
    /// Arguments per entry, several entries to a line (client-output-buffer-limit's class and
    /// three limits); 0 when the whole line is one entry.
    pub width: usize,
    /// Whether Redis compares the key (and the rest) without case: command names and client
    /// classes; user names, module paths and include paths keep their case.
    pub fold: bool,
}

/// The shape of `name` (lower-cased).
pub fn shape(name: &str) -> Shape {
    match name {
        "save" => Shape::List,
        // by class: normal, replica (or slave, the same class), pubsub
        "client-output-buffer-limit" => Shape::Keyed(Keyed {
            width: 4,
            fold: true,
        }),
        // by the command renamed
        "rename-command" => Shape::Keyed(Keyed {
            width: 0,
            fold: true,
        }),
        // by user name, module path and included path (Redis reads includes in file order)
        "user" | "loadmodule" | "include" => Shape::Keyed(Keyed {
            width: 0,
            fold: false,
        }),
        _ => Shape::Single,
    }
}

/// The entries of a keyed directive's arguments (one line or one `--set` value), in order;
/// arguments that do not cut into whole entries (refused by [`validate`]) give none.
pub fn entries(k: Keyed, args: &[String]) -> Vec<Vec<String>> {
    match k.width {
        0 if args.is_empty() => Vec::new(),
        0 => vec![args.to_vec()],
        w if args.len().is_multiple_of(w) => args.chunks(w).map(<[String]>::to_vec).collect(),
        _ => Vec::new(),
    }
}

/// The key of an entry, as Redis tells entries apart: without case where Redis ignores it, and
/// `slave` as `replica` (one class under two names).
pub fn entry_key(name: &str, k: Keyed, entry: &[String]) -> String {
    let key = entry.first().map(String::as_str).unwrap_or("");
    if !k.fold {
        return key.to_string();
    }
    let key = key.to_ascii_lowercase();
    if name == "client-output-buffer-limit" && key == "slave" {
        return "replica".into();
    }
    key
}

/// Whether two entries of `name` with one key mean the same to Redis: limits compare as bytes,
/// words without case where Redis ignores it, anything else (passwords, paths) exactly.
pub fn same_entry(name: &str, k: Keyed, a: &[String], b: &[String]) -> bool {
    if a.len() != b.len() || entry_key(name, k, a) != entry_key(name, k, b) {
        return false;
    }
    a.iter().zip(b).skip(1).all(|(x, y)| {
        if name == "client-output-buffer-limit" {
            return memtoll(x).is_some_and(|x| memtoll(y) == Some(x));
        }
        if k.fold {
            x.eq_ignore_ascii_case(y)
        } else {
            x == y
        }
    })
}

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
pub(super) const RESTART_ONLY_DEFAULTS: &[(&str, &str)] = &[
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

/// The oldest release statectl plans a file for. [`KNOWN`] is 7.0's list and the grammar,
/// restart-only list and defaults here are 7.0's: for an older Redis, which refuses to start on
/// a directive it does not know, a plan could hold 7.0's additions (enable-debug-command,
/// latency-tracking, shutdown-on-sigterm, cluster-port …) and would be checked against the
/// wrong grammar.
pub const KNOWN_FROM: [u64; 2] = [7, 0];

/// The major and minor of a version (a missing part is 0).
fn major_minor(v: &[u64]) -> [u64; 2] {
    [
        v.first().copied().unwrap_or(0),
        v.get(1).copied().unwrap_or(0),
    ]
}

/// When the version was learnt from a server (not `--redis-version`), how to name the file's own
/// release instead: the server here may not be the one that will read the file.
fn name_the_release(from: &str, release: &[u64]) -> String {
    if from == "--redis-version" {
        return String::new();
    }
    format!(
        "; if the file is for a newer Redis, name its release: --redis-version {}",
        dotted(release)
    )
}

/// Err, saying so, when the Redis that will read the file (`version`, with where that was
/// learnt) is older than [`KNOWN_FROM`]; an unknown version passes (each directive is judged).
pub fn supported(version: Option<(&[u64], &str)>) -> Result<(), String> {
    match version {
        Some((v, from)) if major_minor(v) < KNOWN_FROM => Err(format!(
            "Redis {} ({from}): statectl plans redis.conf for Redis {} and later only (an older Redis refuses to start on a directive {} added, such as enable-debug-command){}",
            dotted(v),
            dotted(&KNOWN_FROM),
            dotted(&KNOWN_FROM),
            name_the_release(from, &KNOWN_FROM),
        )),
        _ => Ok(()),
    }
}

pub(super) fn dotted(v: &[u64]) -> String {
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
    if let Some((_, added)) = ADDED.iter().find(|(n, _)| *n == name) {
        return match version {
            Some((v, from)) if major_minor(v) < *added => Err(format!(
                "a directive of Redis {} and later; the Redis here is {} ({from}){}",
                dotted(added),
                dotted(v),
                name_the_release(from, added)
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
pub(super) enum Kind {
    Bool,
    Size,
    Int,
    Enum(&'static [&'static str]),
}

pub(super) fn kind(name: &str) -> Option<Kind> {
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

/// Checks the arguments of a keyed directive: their number, and client-output-buffer-limit's
/// classes and limits. A value is never echoed: `user` lines hold passwords.
fn validate_keyed(name: &str, args: &[String]) -> Result<(), String> {
    let count = |want: usize| {
        if args.len() == want {
            Ok(())
        } else {
            Err(format!(
                "{name} takes {want} argument{}, got {}",
                if want == 1 { "" } else { "s" },
                args.len()
            ))
        }
    };
    match name {
        "rename-command" => count(2),
        "include" => count(1),
        "client-output-buffer-limit" => {
            let usage = || {
                format!("{name} takes <class> <hard limit> <soft limit> <soft seconds>, for one or more classes (normal, replica, pubsub)")
            };
            if args.is_empty() || !args.len().is_multiple_of(4) {
                return Err(usage());
            }
            for g in args.chunks(4) {
                let class = g[0].to_ascii_lowercase();
                if !matches!(class.as_str(), "normal" | "replica" | "slave" | "pubsub") {
                    return Err(format!(
                        "{name}: class {:?}: expected normal, replica or pubsub",
                        g[0]
                    ));
                }
                if g[1..3].iter().any(|v| memtoll(v).is_none()) || g[3].parse::<u64>().is_err() {
                    return Err(usage());
                }
            }
            Ok(())
        }
        _ if args.is_empty() => Err(format!("{name} takes at least one argument")),
        _ => Ok(()),
    }
}

/// Checks a directive's value against Redis 7's grammar; the message names what is allowed.
pub fn validate(name: &str, args: &[String]) -> Result<(), String> {
    if matches!(shape(name), Shape::Keyed(_)) {
        return validate_keyed(name, args);
    }
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
