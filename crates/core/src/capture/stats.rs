//! The statistics a capture keeps while pairing: per-command latency histograms and counts,
//! blocking commands' waits, error words, key counts and the slowest requests, each bounded by
//! a cap past which names count as "(other)". Pairing (`analysis`) says what happened; this
//! module only counts it and turns the counts into the report's rows.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use rustc_hash::FxHashMap as HashMap;

use super::report::{CommandRow, KeyCount, KeyNames, SlowRequest, WaitRow};

/// Distinct keys counted; later new keys go to "(other keys)".
const MAX_KEYS: usize = 100_000;
/// Distinct command names with their own row (and histogram); later ones count as "(other)".
/// Redis 7 has about 240 commands: more names than this is noise or an attack on the wire.
const MAX_COMMAND_NAMES: usize = 512;
/// Distinct error words kept; later ones count as "(other)".
const MAX_ERROR_WORDS: usize = 256;
/// The row that names beyond the caps count under.
const OTHER: &str = "(other)";

/// Which of a command's arguments are key names. Only those are read: values, AUTH's password,
/// EVAL's script and CONFIG's values stay out of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyArgs {
    /// None (the command is not in `KEYED`).
    None,
    /// The first argument.
    First,
    /// Every argument (MGET, DEL, UNLINK, EXISTS, TOUCH, WATCH).
    All,
    /// Every other argument from the first (MSET, MSETNX: key, value, key, value …).
    Pairs,
}

/// The key arguments of `command` (its name in capitals).
pub(super) fn key_args(command: &str) -> KeyArgs {
    match command {
        "MGET" | "DEL" | "UNLINK" | "EXISTS" | "TOUCH" | "WATCH" => KeyArgs::All,
        "MSET" | "MSETNX" => KeyArgs::Pairs,
        _ if KEYED.contains(&command) => KeyArgs::First,
        _ => KeyArgs::None,
    }
}

/// Commands whose first argument is a key (multi-key ones: `key_args`).
const KEYED: &[&str] = &[
    "GET",
    "SET",
    "SETEX",
    "PSETEX",
    "SETNX",
    "GETSET",
    "GETDEL",
    "GETEX",
    "EXPIRE",
    "PEXPIRE",
    "EXPIREAT",
    "PEXPIREAT",
    "TTL",
    "PTTL",
    "PERSIST",
    "TYPE",
    "INCR",
    "INCRBY",
    "DECR",
    "DECRBY",
    "INCRBYFLOAT",
    "APPEND",
    "STRLEN",
    "GETRANGE",
    "SETRANGE",
    "HGET",
    "HSET",
    "HSETNX",
    "HMSET",
    "HMGET",
    "HGETALL",
    "HDEL",
    "HEXISTS",
    "HINCRBY",
    "HKEYS",
    "HVALS",
    "HLEN",
    "LPUSH",
    "RPUSH",
    "LPOP",
    "RPOP",
    "LRANGE",
    "LLEN",
    "LINDEX",
    "LREM",
    "LTRIM",
    "LSET",
    "SADD",
    "SREM",
    "SMEMBERS",
    "SISMEMBER",
    "SCARD",
    "SPOP",
    "ZADD",
    "ZREM",
    "ZRANGE",
    "ZSCORE",
    "ZCARD",
    "ZINCRBY",
    "ZRANK",
    "ZREVRANGE",
    "ZRANGEBYSCORE",
    "ZREVRANK",
    "XADD",
    "XRANGE",
    "XREVRANGE",
    "XLEN",
    "XTRIM",
    "DUMP",
    "RESTORE",
    "RENAME",
    "OBJECT",
];

/// Per-command latency and counts.
struct CommandStats {
    latency: Histogram<u64>,
    count: u64,
    errors: u64,
}

/// The longest latency recorded, µs (a minute); longer ones count as this.
const MAX_RECORDED_US: u64 = 60_000_000;
/// The longest blocking wait recorded, µs (an hour).
const MAX_WAIT_US: u64 = 3_600_000_000;

impl CommandStats {
    fn new(max_us: u64) -> Self {
        CommandStats {
            latency: Histogram::new_with_bounds(1, max_us, 3).expect("static bounds"),
            count: 0,
            errors: 0,
        }
    }
}

/// What the capture counted, by command name, error word and key.
pub(super) struct Tally {
    keys_shown: KeyNames,
    /// Which caps were reached (command names, error words, keys).
    caps: BTreeMap<&'static str, u64>,
    pub(super) names: Vec<String>,
    name_ids: HashMap<Vec<u8>, u16>,
    stats: Vec<CommandStats>,
    keys: Vec<Vec<u8>>,
    key_ids: HashMap<Vec<u8>, u32>,
    key_counts: Vec<u64>,
    other_keys: u64,
    errors: BTreeMap<String, u64>,
    slowest: Vec<(Duration, u16, Option<u32>)>,
    /// Blocking commands' waits, by command id.
    waits: BTreeMap<u16, CommandStats>,
    /// Requests paired and timed.
    pub(super) requests: u64,
}

/// The report's rows that come from the tally.
pub(super) struct Rows {
    pub commands: Vec<CommandRow>,
    pub blocking: Vec<WaitRow>,
    pub errors: BTreeMap<String, u64>,
    pub top_keys: Vec<KeyCount>,
    pub slowest: Vec<SlowRequest>,
    pub caps: Vec<String>,
}

impl Tally {
    pub(super) fn new(keys_shown: KeyNames) -> Self {
        Tally {
            keys_shown,
            caps: BTreeMap::new(),
            names: Vec::new(),
            name_ids: HashMap::default(),
            stats: Vec::new(),
            keys: Vec::new(),
            key_ids: HashMap::default(),
            key_counts: Vec::new(),
            other_keys: 0,
            errors: BTreeMap::new(),
            slowest: Vec::new(),
            waits: BTreeMap::new(),
            requests: 0,
        }
    }

    /// The row of a command name (any case), or the cap's "(other)" row.
    pub(super) fn command_id(&mut self, name: &[u8]) -> u16 {
        // Redis reads command names in any case: `get`, `Get` and `GET` are one command, one row
        let upper: std::borrow::Cow<[u8]> = if name.iter().any(u8::is_ascii_lowercase) {
            name.to_ascii_uppercase().into()
        } else {
            name.into()
        };
        let name = &*upper;
        if let Some(id) = self.name_ids.get(name) {
            return *id;
        }
        if self.names.len() >= MAX_COMMAND_NAMES - 1 {
            *self.caps.entry("command names").or_default() += 1;
            if let Some(id) = self.name_ids.get(OTHER.as_bytes()) {
                return *id;
            }
        }
        let id = self.names.len() as u16;
        let name = if self.names.len() >= MAX_COMMAND_NAMES - 1 {
            OTHER.as_bytes()
        } else {
            name
        };
        let upper = if name == OTHER.as_bytes() {
            OTHER.to_string()
        } else {
            String::from_utf8_lossy(name).to_ascii_uppercase()
        };
        self.names.push(upper);
        self.stats.push(CommandStats::new(MAX_RECORDED_US));
        self.name_ids.insert(name.to_vec(), id);
        id
    }

    /// Counts one use of `key`; its id, or None past the cap.
    pub(super) fn key_id(&mut self, key: &[u8]) -> Option<u32> {
        if let Some(id) = self.key_ids.get(key) {
            self.key_counts[*id as usize] += 1;
            return Some(*id);
        }
        if self.keys.len() >= MAX_KEYS {
            self.other_keys += 1;
            return None;
        }
        let id = self.keys.len() as u32;
        self.keys.push(key.to_vec());
        self.key_counts.push(1);
        self.key_ids.insert(key.to_vec(), id);
        Some(id)
    }

    /// Counts an error reply by its first word.
    pub(super) fn count_error(&mut self, word: String) {
        let word = if self.errors.len() >= MAX_ERROR_WORDS && !self.errors.contains_key(&word) {
            *self.caps.entry("error words").or_default() += 1;
            OTHER.to_string()
        } else {
            word
        };
        *self.errors.entry(word).or_default() += 1;
    }

    /// A paired request's latency.
    pub(super) fn record(
        &mut self,
        command: u16,
        k: Option<u32>,
        latency: Duration,
        error: Option<String>,
    ) {
        let us = (latency.as_micros() as u64).clamp(1, MAX_RECORDED_US);
        let s = &mut self.stats[command as usize];
        s.latency.record(us).expect("clamped");
        s.count += 1;
        self.requests += 1;
        if let Some(word) = error {
            s.errors += 1;
            self.count_error(word);
        }
        if self.slowest.len() < 10 || latency > self.slowest.last().map(|s| s.0).unwrap_or_default()
        {
            self.slowest.push((latency, command, k));
            self.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
            self.slowest.truncate(10);
        }
    }

    pub(super) fn key_label(&self, id: u32) -> String {
        self.keys_shown.label(&self.keys[id as usize])
    }

    /// A blocking command's wait (BLPOP, XREAD BLOCK …): kept apart from latency.
    pub(super) fn wait(&mut self, command: u16, latency: Duration, error: Option<String>) {
        let us = (latency.as_micros() as u64).clamp(1, MAX_WAIT_US);
        let w = self
            .waits
            .entry(command)
            .or_insert_with(|| CommandStats::new(MAX_WAIT_US));
        w.latency.record(us).expect("clamped");
        w.count += 1;
        if error.is_some() {
            w.errors += 1;
        }
        if let Some(word) = error {
            self.count_error(word);
        }
    }

    /// The rows of the report.
    pub(super) fn rows(&self) -> Rows {
        let ms = |us: u64| us as f64 / 1000.0;
        let mut commands: Vec<CommandRow> = self
            .stats
            .iter()
            .enumerate()
            .filter(|(_, s)| s.count > 0)
            .map(|(i, s)| CommandRow {
                command: self.names[i].clone(),
                count: s.count,
                errors: s.errors,
                p50_ms: ms(s.latency.value_at_quantile(0.5)),
                p99_ms: ms(s.latency.value_at_quantile(0.99)),
                max_ms: ms(s.latency.max()),
            })
            .collect();
        commands.sort_by(|a, b| b.count.cmp(&a.count).then(a.command.cmp(&b.command)));
        let mut top: Vec<(u32, u64)> = self
            .key_counts
            .iter()
            .enumerate()
            .map(|(i, c)| (i as u32, *c))
            .collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut top_keys: Vec<KeyCount> = top
            .iter()
            .take(10)
            .map(|(id, c)| KeyCount {
                key: self.key_label(*id),
                count: *c,
            })
            .collect();
        if self.other_keys > 0 {
            top_keys.push(KeyCount {
                key: "(other keys, not counted one by one)".into(),
                count: self.other_keys,
            });
        }
        Rows {
            commands,
            blocking: self
                .waits
                .iter()
                .map(|(c, w)| WaitRow {
                    command: self.names[*c as usize].clone(),
                    count: w.count,
                    p50_wait_ms: ms(w.latency.value_at_quantile(0.5)),
                    max_wait_ms: ms(w.latency.max()),
                })
                .collect(),
            errors: self.errors.clone(),
            top_keys,
            slowest: self
                .slowest
                .iter()
                .map(|(l, c, k)| SlowRequest {
                    command: self.names[*c as usize].clone(),
                    key: k.map(|k| self.key_label(k)),
                    latency_ms: l.as_secs_f64() * 1000.0,
                })
                .collect(),
            caps: self
                .caps
                .iter()
                .map(|(what, n)| format!("more distinct {what} than the report keeps: {n} counted as {OTHER}"))
                .chain((self.other_keys > 0).then(|| {
                    format!("more distinct keys than the report keeps: {} key uses counted under no key", self.other_keys)
                }))
                .collect(),
        }
    }
}
