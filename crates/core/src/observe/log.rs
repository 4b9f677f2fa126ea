//! What the servers' own logs say (the `log.*` checks and `statectl logs`): the troubleshooting
//! matrix's signatures counted in the tail of each log that falls inside the window, with the
//! first and last time each was seen. Pure: the probe (probe/log.rs) finds and reads the files.

use serde::{Deserialize, Serialize};

/// How a log's lines carry their time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// `1234:M 29 Nov 2026 01:02:03.456 # message` (local time).
    Redis,
    /// `2026-11-29 01:02:03.456 UTC [1234] ERROR:  message` (log_line_prefix `%m [%p] `).
    Postgres,
    /// `Nov 29 01:02:03 host kernel: …` (local time) or RFC 3339 with an offset.
    Syslog,
    /// `2026/11/29 01:02:03 [error] …` (local time).
    Nginx,
}

impl LogFormat {
    /// The line's time as seconds since the epoch; `utc_offset_s` is the local offset for logs
    /// that write local time, `now` places a syslog date that has no year.
    pub fn time(self, line: &str, utc_offset_s: i64, now: i64) -> Option<i64> {
        match self {
            LogFormat::Redis => {
                // "1234:M 29 Nov 2026 01:02:03.456 #": day, month, year, time after the role
                let mut w = line.split_whitespace();
                let role = w.next()?;
                role.contains(':').then_some(())?;
                let (d, m, y, t) = (w.next()?, w.next()?, w.next()?, w.next()?);
                Some(civil(y.parse().ok()?, month(m)?, d.parse().ok()?, t)? - utc_offset_s)
            }
            LogFormat::Postgres => {
                let (y, m, d) = ymd(line.get(..10)?)?;
                let time = line.get(11..19)?;
                let rest = line.get(19..)?;
                // fractional seconds, then the zone: UTC, GMT, +01, -0530, or a name (local)
                let rest = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
                let zone = rest.split_whitespace().next().unwrap_or("");
                let t = civil(y, m, d, time)?;
                Some(t - zone_offset(zone).unwrap_or(utc_offset_s))
            }
            LogFormat::Nginx => {
                let (y, m, d) = ymd(line.get(..10)?)?;
                Some(civil(y, m, d, line.get(11..19)?)? - utc_offset_s)
            }
            LogFormat::Syslog => {
                let first = line.split_whitespace().next()?;
                if first.len() >= 19 && first.as_bytes().get(10) == Some(&b'T') {
                    // RFC 3339: 2026-11-29T01:02:03.123456+01:00
                    let (y, m, d) = ymd(first.get(..10)?)?;
                    let base = civil(y, m, d, first.get(11..19)?)?;
                    let zone = first
                        .get(19..)?
                        .trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
                    return Some(base - zone_offset(zone)?);
                }
                let mut w = line.split_whitespace();
                let (m, d, t) = (w.next()?, w.next()?, w.next()?);
                let year = 1970 + now.div_euclid(31_556_952);
                let (mo, day) = (month(m)?, d.parse().ok()?);
                let at = |y: i64| civil(y, mo, day, t).map(|s| s - utc_offset_s);
                // no year in the line: this year's date, or last year's when that is in the future
                match at(year) {
                    Some(s) if s > now + 86_400 => at(year - 1),
                    other => other,
                }
            }
        }
    }
}

#[cfg(test)]
fn rfc3339(s: &str) -> Option<i64> {
    let t = humantime::parse_rfc3339(s).ok()?;
    Some(t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64)
}

/// Seconds since the epoch of a UTC civil time (days from Howard Hinnant's civil algorithm),
/// without building a string: the per-line hot path.
fn civil(y: i64, m: u32, d: u32, hms: &str) -> Option<i64> {
    let b = hms.as_bytes();
    if b.len() < 8
        || b[2] != b':'
        || b[5] != b':'
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let two = |i: usize| -> Option<i64> {
        let (x, y) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
        (x < 10 && y < 10).then(|| (x * 10 + y) as i64)
    };
    let (h, mi, s) = (two(0)?, two(3)?, two(6)?);
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

/// `YYYY-MM-DD` or `YYYY/MM/DD` as numbers.
fn ymd(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || !matches!(b[4], b'-' | b'/') || b[7] != b[4] {
        return None;
    }
    Some((
        s[..4].parse().ok()?,
        s[5..7].parse().ok()?,
        s[8..10].parse().ok()?,
    ))
}

fn month(m: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = m.get(..3)?.to_ascii_lowercase();
    MONTHS.iter().position(|x| *x == m).map(|i| i as u32 + 1)
}

/// A zone's offset from UTC in seconds: `Z`, `UTC`, `GMT`, `+01`, `+0100`, `+01:00`; None for
/// a name such as `CET` (the caller uses the local offset).
fn zone_offset(zone: &str) -> Option<i64> {
    match zone {
        "Z" | "UTC" | "GMT" | "+00" | "+00:00" => return Some(0),
        _ => {}
    }
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i64>().ok()?, 0),
        4 => (
            digits[..2].parse::<i64>().ok()?,
            digits[2..].parse::<i64>().ok()?,
        ),
        _ => return None,
    };
    Some(sign * (h * 3600 + m * 60))
}

/// One of the matrix's log signatures: what to look for. What a match means (its status and
/// fix) is the checks' to say (`doctor::log::meaning`).
#[derive(Debug, Clone, Copy)]
pub struct Signature {
    /// Its name in reports: `max_clients`, `deadlock`, …
    pub name: &'static str,
    /// Lowercase substrings; a line holding any of them matches.
    pub needles: &'static [&'static str],
}

/// log.redis: the matrix's Redis log signatures.
pub static REDIS_SIGNATURES: &[Signature] = &[
    Signature {
        name: "max_clients",
        needles: &["max number of clients reached"],
    },
    Signature {
        name: "oom_command",
        needles: &["oom command not allowed"],
    },
    Signature {
        name: "bgsave_failed",
        needles: &["background saving error", "can't save in background"],
    },
    Signature {
        name: "replication_lost",
        needles: &["master aborted replication", "connection with master lost"],
    },
    Signature {
        name: "kernel_warning",
        // 7.x: "WARNING Memory overcommit must be enabled!"; 6.x: "WARNING overcommit_memory is
        // set to 0!"; "WARNING: The TCP backlog setting of 511 cannot be enforced because
        // /proc/sys/net/core/somaxconn is set to the lower value of 128."; THP
        needles: &[
            "warning memory overcommit",
            "warning overcommit_memory",
            "tcp backlog setting",
            "transparent huge pages",
        ],
    },
];

/// log.postgres: the matrix's PostgreSQL log signatures.
pub static POSTGRES_SIGNATURES: &[Signature] = &[
    Signature {
        name: "deadlock",
        needles: &["deadlock detected"],
    },
    Signature {
        name: "connection_slots",
        needles: &[
            "remaining connection slots are reserved",
            "too many clients already",
            "sorry, too many clients",
        ],
    },
    Signature {
        name: "wal_stream",
        needles: &["could not receive data from wal stream"],
    },
    Signature {
        name: "checkpoints_too_frequent",
        needles: &["checkpoints are occurring too frequently"],
    },
];

/// log.kernel: OOM kills of the state servers.
pub static KERNEL_SIGNATURES: &[Signature] = &[Signature {
    name: "oom_kill",
    needles: &[
        "out of memory: killed process",
        "oom-kill",
        "killed process",
    ],
}];

/// One signature's matches in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The signature's name.
    pub signature: String,
    /// Matching lines.
    pub count: u64,
    /// The first and last matching line's time (seconds since the epoch), when the lines carry
    /// one. Only times: a line's text can carry keys, values and addresses.
    pub first: Option<i64>,
    /// See `first`.
    pub last: Option<i64>,
    /// Process ids named by the matches: the DETAIL lines of a deadlock, the OOM killer's victim.
    pub pids: Vec<u32>,
    /// The processes the OOM killer ended (log.kernel).
    pub victims: Vec<String>,
    /// The last matching lines (at most [`SAMPLES`]), redacted, for `statectl logs`; never in
    /// a finding.
    #[serde(default)]
    pub samples: Vec<Sample>,
}

/// How many matching lines of one signature `statectl logs` keeps (the last ones).
pub const SAMPLES: usize = 50;

/// One matching line, redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Its time, seconds since the epoch, when it carries one.
    pub time: Option<i64>,
    /// The line with quoted text and long tokens masked, at most 300 characters.
    pub text: String,
}

/// A log line safe to show: quoted strings ('…', "…") and runs of 24 or more token
/// characters (keys, hashes, base64) become `…`; at most 300 characters.
pub fn redact(line: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut run = String::new();
    // an absolute path is shown; other long runs of token characters are not
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 24 && !run.starts_with('/') {
            out.push('…');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in line.chars() {
        if let Some(q) = quote {
            if c == q {
                out.push('…');
                out.push(c);
                quote = None;
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-') {
            run.push(c);
            continue;
        }
        flush(&mut run, &mut out);
        if c == '\'' || c == '"' {
            quote = Some(c);
        }
        out.push(c);
    }
    if quote.is_some() {
        out.push('…');
    }
    flush(&mut run, &mut out);
    out.chars().take(300).collect()
}

/// One log's window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogScan {
    /// What was asked for: a server's target label, or `kernel`.
    pub target: String,
    /// The log, as found (a path, or `journal:UNIT`).
    pub source: String,
    /// How it was found: `CONFIG GET logfile`, `pg_current_logfile()`, `Debian default`, …
    pub found_by: String,
    /// The files read, oldest first (a rotated `.1` before the live file).
    pub files: Vec<String>,
    /// Seconds back from now that count.
    pub since_s: u64,
    /// Bytes read from the ends of the files.
    pub bytes_read: u64,
    /// True when the byte budget ran out before the window's start.
    pub truncated: bool,
    /// Lines inside the window.
    pub lines: u64,
    /// What matched, in signature order.
    pub hits: Vec<Hit>,
    /// Why the log could not be read (missing, permissions); the checks skip with it.
    pub error: Option<String>,
}

impl LogScan {
    /// A log that could not be found or read.
    pub fn unreadable(
        target: &str,
        source: &str,
        found_by: &str,
        since_s: u64,
        why: String,
    ) -> Self {
        LogScan {
            target: target.into(),
            source: source.into(),
            found_by: found_by.into(),
            files: Vec::new(),
            since_s,
            bytes_read: 0,
            truncated: false,
            lines: 0,
            hits: Vec::new(),
            error: Some(why),
        }
    }
}

/// The logs area's observation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogObservation {
    /// Redis logs, one per local Redis target.
    pub redis: Vec<LogScan>,
    /// PostgreSQL logs, one per local PostgreSQL target.
    pub postgres: Vec<LogScan>,
    /// The kernel's messages (syslog, kern.log or the journal).
    pub kernel: Option<LogScan>,
}

/// Counts `sigs` in lines fed one at a time, keeping only those whose time is at or after
/// `since`. A line without a time (a continuation) belongs to the line before it. The hot path
/// of `statectl logs` over a large tail: no allocation per line unless it matches.
pub struct Scanner<'s> {
    format: LogFormat,
    since: i64,
    utc_offset_s: i64,
    now: i64,
    sigs: &'s [Signature],
    /// Every needle, ASCII case-insensitive; pattern index → signature index.
    matcher: aho_corasick::AhoCorasick,
    owner: Vec<usize>,
    hits: Vec<Hit>,
    lines: u64,
    inside: bool,
    current: Option<i64>,
    /// The hit whose DETAIL lines may follow (a deadlock).
    detail_of: Option<usize>,
    /// Per hit, its last matching lines, not yet redacted.
    recent: Vec<std::collections::VecDeque<(Option<i64>, String)>>,
}

impl<'s> Scanner<'s> {
    /// A scanner of one log's lines.
    pub fn new(
        format: LogFormat,
        since: i64,
        utc_offset_s: i64,
        now: i64,
        sigs: &'s [Signature],
    ) -> Self {
        let mut needles = Vec::new();
        let mut owner = Vec::new();
        for (i, s) in sigs.iter().enumerate() {
            for n in s.needles {
                needles.push(*n);
                owner.push(i);
            }
        }
        let matcher = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&needles)
            .expect("the needles are fixed strings");
        Scanner {
            format,
            since,
            utc_offset_s,
            now,
            sigs,
            matcher,
            owner,
            hits: Vec::new(),
            lines: 0,
            inside: false,
            current: None,
            detail_of: None,
            recent: Vec::new(),
        }
    }

    /// One line (without its newline).
    pub fn push(&mut self, line: &str) {
        match self.format.time(line, self.utc_offset_s, self.now) {
            Some(t) => {
                self.inside = t >= self.since;
                self.current = Some(t);
            }
            // a continuation line belongs to the record before it (unknown at the start)
            None if self.current.is_none() => return,
            None => {}
        }
        if !self.inside {
            return;
        }
        self.lines += 1;
        if let Some(i) = self.detail_of {
            let detail = line.starts_with('\t') || line.contains("DETAIL:");
            if detail {
                for pid in process_ids(&line.to_ascii_lowercase()) {
                    if !self.hits[i].pids.contains(&pid) {
                        self.hits[i].pids.push(pid);
                    }
                }
                return;
            }
            self.detail_of = None;
        }
        // the first signature in list order that any needle of the line belongs to
        let Some(si) = self
            .matcher
            .find_iter(line)
            .map(|m| self.owner[m.pattern().as_usize()])
            .min()
        else {
            return;
        };
        let sig = &self.sigs[si];
        let current = self.current;
        let i = match self.hits.iter().position(|h| h.signature == sig.name) {
            Some(i) => i,
            None => {
                self.hits.push(Hit {
                    signature: sig.name.into(),
                    count: 0,
                    first: current,
                    last: current,
                    pids: Vec::new(),
                    victims: Vec::new(),
                    samples: Vec::new(),
                });
                self.recent.push(Default::default());
                self.hits.len() - 1
            }
        };
        let h = &mut self.hits[i];
        h.count += 1;
        h.last = current;
        // the last SAMPLES lines, kept raw in a ring and redacted once at the end
        let ring = &mut self.recent[i];
        if ring.len() == SAMPLES {
            ring.pop_front();
        }
        ring.push_back((current, line.to_string()));
        if sig.name == "deadlock" {
            self.detail_of = Some(i);
        }
    }

    /// The lines inside the window, and the hits in signature order.
    pub fn finish(mut self) -> (u64, Vec<Hit>) {
        for (h, ring) in self.hits.iter_mut().zip(self.recent.drain(..)) {
            h.samples = ring
                .into_iter()
                .map(|(time, line)| Sample {
                    time,
                    text: redact(&line),
                })
                .collect();
        }
        let sigs = self.sigs;
        self.hits
            .sort_by_key(|h| sigs.iter().position(|s| s.name == h.signature));
        (self.lines, self.hits)
    }
}

/// [`Scanner`] over a whole text.
pub fn scan(
    format: LogFormat,
    text: &str,
    since: i64,
    utc_offset_s: i64,
    now: i64,
    sigs: &[Signature],
) -> (u64, Vec<Hit>) {
    let mut s = Scanner::new(format, since, utc_offset_s, now, sigs);
    for line in text.lines() {
        s.push(line);
    }
    s.finish()
}

/// The numbers after "process " in a lowercased DETAIL line.
fn process_ids(lower: &str) -> Vec<u32> {
    lower
        .match_indices("process ")
        .filter_map(|(i, m)| {
            let rest = &lower[i + m.len()..];
            let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            n.parse().ok()
        })
        .collect()
}

/// A time in seconds since the epoch as RFC 3339 UTC, or `-`.
pub fn utc(t: Option<i64>) -> String {
    t.and_then(|s| u64::try_from(s).ok())
        .map(|s| {
            humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(s),
            )
            .to_string()
        })
        .unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_000_000; // 2026-11-30

    #[test]
    fn times_parse_from_each_format() {
        let t = |f: LogFormat, l: &str| f.time(l, 0, NOW);
        assert_eq!(
            t(
                LogFormat::Redis,
                "4242:M 29 Nov 2026 01:02:03.456 # Server initialized"
            ),
            rfc3339("2026-11-29T01:02:03Z")
        );
        assert_eq!(
            t(
                LogFormat::Redis,
                "4242:C 01 Dec 2026 00:00:00.000 * oO0OoO0OoO0Oo"
            ),
            rfc3339("2026-12-01T00:00:00Z")
        );
        assert_eq!(t(LogFormat::Redis, "  continuation"), None);
        assert_eq!(
            t(
                LogFormat::Postgres,
                "2026-11-29 01:02:03.456 UTC [77] ERROR:  deadlock detected"
            ),
            rfc3339("2026-11-29T01:02:03Z")
        );
        assert_eq!(
            t(LogFormat::Postgres, "2026-11-29 02:02:03 +01 [77] LOG:  x"),
            rfc3339("2026-11-29T01:02:03Z")
        );
        assert_eq!(
            t(
                LogFormat::Syslog,
                "2026-11-29T02:02:03.123456+01:00 node kernel: Out of memory"
            ),
            rfc3339("2026-11-29T01:02:03Z")
        );
        assert_eq!(
            t(
                LogFormat::Syslog,
                "Nov 29 01:02:03 node kernel: [812.1] Out of memory"
            ),
            rfc3339("2026-11-29T01:02:03Z")
        );
        // December's line read in early January belongs to last year
        let jan = rfc3339("2027-01-02T00:00:00Z").unwrap();
        assert_eq!(
            LogFormat::Syslog.time("Dec 31 23:00:00 node kernel: x", 0, jan),
            rfc3339("2026-12-31T23:00:00Z")
        );
        assert_eq!(
            t(
                LogFormat::Nginx,
                "2026/11/29 01:02:03 [error] 7#7: *1 upstream timed out"
            ),
            rfc3339("2026-11-29T01:02:03Z")
        );
        // local time: a log written at UTC+2 is two hours earlier in UTC
        assert_eq!(
            LogFormat::Nginx.time("2026/11/29 03:02:03 [error] x", 7200, NOW),
            rfc3339("2026-11-29T01:02:03Z")
        );
    }

    #[test]
    fn a_deadlock_counts_once_with_the_processes_of_its_detail_lines() {
        let log = "\
2026-11-29 01:00:00.000 UTC [100] LOG:  checkpoint starting: time
2026-11-29 01:00:05.000 UTC [4321] ERROR:  deadlock detected
2026-11-29 01:00:05.000 UTC [4321] DETAIL:  Process 4321 waits for ShareLock on transaction 745; blocked by process 4320.
\tProcess 4320 waits for ShareLock on transaction 746; blocked by process 4321.
\tProcess 4321: UPDATE accounts SET balance = 1 WHERE id = 2
2026-11-29 01:00:05.000 UTC [4321] HINT:  See server log for query details.
2026-11-29 01:00:09.000 UTC [200] FATAL:  sorry, too many clients already
2026-11-29 01:00:10.000 UTC [201] FATAL:  remaining connection slots are reserved for non-replication superuser connections
";
        let since = rfc3339("2026-11-29T01:00:01Z").unwrap();
        let (lines, hits) = scan(LogFormat::Postgres, log, since, 0, NOW, POSTGRES_SIGNATURES);
        assert_eq!(lines, 7, "the checkpoint line is before the window");
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(hits[0].signature, "deadlock");
        assert_eq!(hits[0].count, 1);
        assert_eq!(hits[0].pids, [4321, 4320]);
        assert_eq!(hits[1].signature, "connection_slots");
        assert_eq!(hits[1].count, 2);
        assert_eq!(hits[1].first, rfc3339("2026-11-29T01:00:09Z"));
        assert_eq!(hits[1].last, rfc3339("2026-11-29T01:00:10Z"));
    }

    #[test]
    fn redaction_masks_quoted_text_and_long_tokens() {
        assert_eq!(
            redact("2026-11-29 01:00:05 UTC [42] FATAL:  password authentication failed for user \"app\""),
            "2026-11-29 01:00:05 UTC [42] FATAL:  password authentication failed for user \"…\""
        );
        assert_eq!(
            redact("token=eyJhbGciOiJSUzI1NiJ9abcdefghijkl rest"),
            "… rest"
        );
        assert_eq!(
            redact("4242:M 29 Nov 2026 # Background saving error"),
            "4242:M 29 Nov 2026 # Background saving error"
        );
        assert_eq!(redact("it's open"), "it'…");
        assert_eq!(
            redact("Failed opening the temp RDB file (in server root dir /tmp/.tmpAbCdEf/gone)"),
            "Failed opening the temp RDB file (in server root dir /tmp/.tmpAbCdEf/gone)"
        );
    }

    #[test]
    fn redis_signatures_count_inside_the_window_only() {
        let log = "\
4242:M 29 Nov 2026 00:00:00.000 # WARNING overcommit_memory is set to 0! Background save may fail under low memory condition.
4242:M 29 Nov 2026 01:00:00.000 # Max number of clients reached
4242:M 29 Nov 2026 01:00:01.000 # Max number of clients reached
4242:M 29 Nov 2026 01:00:02.000 * Background saving started by pid 4300
4242:M 29 Nov 2026 01:00:03.000 # Background saving error
";
        let since = rfc3339("2026-11-29T00:30:00Z").unwrap();
        let (_, hits) = scan(LogFormat::Redis, log, since, 0, NOW, REDIS_SIGNATURES);
        let names: Vec<(&str, u64)> = hits
            .iter()
            .map(|h| (h.signature.as_str(), h.count))
            .collect();
        assert_eq!(names, [("max_clients", 2), ("bgsave_failed", 1)]);
        let (_, all) = scan(LogFormat::Redis, log, 0, 0, NOW, REDIS_SIGNATURES);
        assert_eq!(all.len(), 3, "{all:?}");
        assert_eq!(all[2].signature, "kernel_warning");
    }
}
