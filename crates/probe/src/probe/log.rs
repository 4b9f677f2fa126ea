//! The logs area's probe: finds each log the way its server says (CONFIG GET logfile,
//! pg_current_logfile()), else the Debian default, and reads only the tail inside the window:
//! backwards from the end, bounded in bytes, into the rotated `.1` file when the window reaches
//! back past the live file's start.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use futures::future::BoxFuture;

use super::ProbeContext;
use crate::observe::log::{
    self, Hit, LogFormat, LogObservation, LogScan, Signature, KERNEL_SIGNATURES,
    POSTGRES_SIGNATURES, REDIS_SIGNATURES,
};
use crate::observe::Observed;

/// Debian's defaults, used when the server cannot say.
pub const REDIS_DEFAULT_LOG: &str = "/var/log/redis/redis-server.log";
/// The kernel's messages, most specific first.
pub const KERNEL_LOGS: &[&str] = &["/var/log/kern.log", "/var/log/syslog", "/var/log/messages"];

/// Chunk read per step backwards.
const CHUNK: u64 = 1 << 20;
/// At most this much of one log's end is read, rotated file included: never a whole
/// multi-GB log.
pub const BUDGET: u64 = 64 << 20;

/// One file's share of the window, read through the handle opened while walking back: a file
/// renamed afterwards (logrotate) is still the one read.
#[derive(Debug)]
pub struct Part {
    /// The name it was opened under.
    pub path: PathBuf,
    file: std::fs::File,
    /// The first byte in the window.
    pub start: u64,
    /// The end of what was there when it was opened.
    pub end: u64,
    /// True when `start` is mid-line.
    pub skip_first: bool,
}

/// The part of a log inside the window: per file (oldest first) the byte range to read.
#[derive(Debug, Default)]
pub struct Window {
    /// Oldest first.
    pub parts: Vec<Part>,
    /// Bytes looked at while walking back.
    pub probed: u64,
    /// True when `budget` ran out before the window's start was found.
    pub truncated: bool,
}

impl Window {
    /// The files, oldest first.
    pub fn files(&self) -> Vec<String> {
        self.parts
            .iter()
            .map(|p| p.path.display().to_string())
            .collect()
    }

    /// Feeds every line of the window to `line` (lossy UTF-8, NUL padding dropped), reading
    /// forward through a buffer; returns the bytes read.
    pub fn lines(&self, mut line: impl FnMut(&str)) -> std::io::Result<u64> {
        use std::io::BufRead;
        let mut read = 0;
        let mut buf = Vec::with_capacity(4096);
        for part in &self.parts {
            let mut f = &part.file;
            f.seek(SeekFrom::Start(part.start))?;
            let mut r = std::io::BufReader::with_capacity(1 << 20, f.take(part.end - part.start));
            let mut first = part.skip_first;
            loop {
                buf.clear();
                let n = r.read_until(b'\n', &mut buf)?;
                if n == 0 {
                    break;
                }
                read += n as u64;
                if std::mem::take(&mut first) {
                    continue;
                }
                let text = String::from_utf8_lossy(&buf);
                line(text.trim_end_matches(['\n', '\r']).trim_start_matches('\0'));
            }
        }
        Ok(read)
    }
}

/// `PATH.n`, logrotate's name for the n-th older file (`PATH` itself for 0).
fn rotated(path: &Path, n: u32) -> PathBuf {
    if n == 0 {
        return path.to_path_buf();
    }
    let mut p = path.as_os_str().to_owned();
    p.push(format!(".{n}"));
    PathBuf::from(p)
}

/// Walks `path` backwards from its end until the first line older than `since` (lines are in
/// time order), looking at most `budget` bytes. When the live file starts inside the window,
/// its rotated `PATH.1` is walked the same way. A chunk of NUL bytes (the hole that
/// copytruncate leaves behind a writer without O_APPEND) counts as the start of the data.
///
/// A rotation while this runs is followed: logrotate renames `PATH` to `PATH.1` (and `.1` to
/// `.2`) before it creates the new `PATH`, so in between only `PATH.1` holds the window, and a
/// `PATH.1` that is the file just read (renamed meanwhile) means the older one is now `.2`.
pub fn find_window(
    path: &Path,
    since: i64,
    budget: u64,
    time_of: &dyn Fn(&str) -> Option<i64>,
) -> std::io::Result<Window> {
    use std::os::unix::fs::MetadataExt;
    let mut w = Window::default();
    let mut seen: Vec<(u64, u64)> = Vec::new();
    let mut missing = None;
    // the live file and one rotated file, and one more for each name a rotation moved
    let (mut n, mut last) = (0, 1);
    while n <= last {
        let p = rotated(path, n);
        n += 1;
        // a log a server names may be a FIFO: never block on it
        let f = match crate::input::open_regular_io(&p) {
            Ok(f) => f,
            // the live file between logrotate's rename and create: PATH.1 holds it
            Err(e) if n == 1 && e.kind() == std::io::ErrorKind::NotFound => {
                missing = Some(e);
                last += 1;
                continue;
            }
            // the live file must be readable; a missing .1 just means no rotation yet
            Err(e) if w.parts.is_empty() => return Err(missing.unwrap_or(e)),
            Err(_) => break,
        };
        let meta = f.metadata()?;
        if seen.contains(&(meta.dev(), meta.ino())) {
            last += 1;
            continue;
        }
        seen.push((meta.dev(), meta.ino()));
        let len = meta.len();
        let (start, reached) = walk_back(&f, len, since, budget, time_of, &mut w)?;
        w.parts.push(Part {
            path: p,
            file: f,
            start: start.0,
            end: len,
            skip_first: start.1,
        });
        if reached || w.truncated {
            break;
        }
    }
    if w.parts.is_empty() {
        if let Some(e) = missing {
            return Err(e);
        }
    }
    w.parts.reverse();
    Ok(w)
}

/// Walks one file back from `len`: where the window starts in it (byte, mid-line) and whether
/// that start was found (else the whole file is inside the window).
fn walk_back(
    mut f: &std::fs::File,
    len: u64,
    since: i64,
    budget: u64,
    time_of: &dyn Fn(&str) -> Option<i64>,
    w: &mut Window,
) -> std::io::Result<((u64, bool), bool)> {
    let mut pos = len;
    let mut chunk = Vec::new();
    while pos > 0 {
        if w.probed >= budget {
            w.truncated = true;
            return Ok(((pos, true), false));
        }
        let n = CHUNK.min(pos).min(budget - w.probed);
        pos -= n;
        f.seek(SeekFrom::Start(pos))?;
        chunk.resize(n as usize, 0);
        f.read_exact(&mut chunk)?;
        w.probed += n;
        if chunk.iter().all(|b| *b == 0) {
            return Ok(((pos + n, false), true));
        }
        // the chunk's first whole line with a time: older than the window means done
        let text = String::from_utf8_lossy(&chunk);
        let whole = if pos > 0 {
            text.split_once('\n').map_or("", |x| x.1)
        } else {
            &text
        };
        if whole.lines().find_map(time_of).is_some_and(|t| t < since) {
            return Ok(((pos, pos > 0), true));
        }
    }
    Ok(((0, false), false))
}

/// The end of one log, oldest byte first.
#[derive(Debug, Default)]
pub struct Tail {
    /// The text read (lossy UTF-8), oldest first.
    pub text: String,
    /// The files it came from, oldest first.
    pub files: Vec<String>,
    /// Bytes read.
    pub bytes: u64,
    /// True when `budget` ran out before the window's start was found.
    pub truncated: bool,
}

/// The window's text in memory ([`find_window`], then [`Window::lines`]): for the small logs
/// whose parsers take a text (the kernel's, nginx's).
pub fn read_tail(
    path: &Path,
    since: i64,
    budget: u64,
    time_of: &dyn Fn(&str) -> Option<i64>,
) -> std::io::Result<Tail> {
    let w = find_window(path, since, budget, time_of)?;
    let mut text = String::new();
    let bytes = w.lines(|l| {
        text.push_str(l);
        text.push('\n');
    })?;
    Ok(Tail {
        text,
        files: w.files(),
        bytes,
        truncated: w.truncated,
    })
}

/// Reads and scans one log.
#[allow(clippy::too_many_arguments)]
pub fn scan_file(
    target: &str,
    path: &Path,
    found_by: &str,
    format: LogFormat,
    sigs: &[Signature],
    since_s: u64,
    budget: u64,
    now: i64,
) -> LogScan {
    let offset = utc_offset_s();
    let since = now - since_s as i64;
    let time_of = |l: &str| format.time(l, offset, now);
    let source = path.display().to_string();
    let scanned = if format == LogFormat::Syslog {
        // the kernel's log is small; kernel.oom's parser takes its text
        read_tail(path, since, budget, &time_of).map(|t| {
            let lines = t
                .text
                .lines()
                .filter(|l| time_of(l).is_some_and(|x| x >= since))
                .count();
            let hits = oom_victims(&t.text, since, &time_of);
            (t.files, t.bytes, t.truncated, lines as u64, hits)
        })
    } else {
        // the servers' logs can be large: streamed through the scanner, a line at a time
        find_window(path, since, budget, &time_of).and_then(|w| {
            let mut scanner = log::Scanner::new(format, since, offset, now, sigs);
            let bytes = w.lines(|l| scanner.push(l))?;
            let (lines, hits) = scanner.finish();
            Ok((w.files(), bytes, w.truncated, lines, hits))
        })
    };
    match scanned {
        Ok((files, bytes_read, truncated, lines, hits)) => LogScan {
            target: target.into(),
            source,
            found_by: found_by.into(),
            files,
            since_s,
            bytes_read,
            truncated,
            lines,
            hits,
            error: None,
        },
        Err(e) => LogScan::unreadable(target, &source, found_by, since_s, format!("{source}: {e}")),
    }
}

/// log.kernel: the OOM killer's kills of redis-server and postgres inside the window, read with
/// kernel.oom's parser.
fn oom_victims(text: &str, since: i64, time_of: &dyn Fn(&str) -> Option<i64>) -> Vec<Hit> {
    let mut hit: Option<Hit> = None;
    for line in text.lines() {
        let Some(t) = time_of(line).filter(|t| *t >= since) else {
            continue;
        };
        for kill in crate::probe::kernel::parse_oom_kills(line) {
            let ours = ["redis", "valkey", "postgres"];
            if !ours.iter().any(|p| kill.comm.starts_with(p)) {
                continue;
            }
            let h = hit.get_or_insert_with(|| Hit {
                signature: KERNEL_SIGNATURES[0].name.into(),
                count: 0,
                first: Some(t),
                last: Some(t),
                pids: Vec::new(),
                victims: Vec::new(),
                samples: Vec::new(),
            });
            h.count += 1;
            h.last = Some(t);
            h.pids.push(kill.pid);
            if h.samples.len() < log::SAMPLES {
                h.samples.push(log::Sample {
                    time: Some(t),
                    text: log::redact(line),
                });
            }
            if !h.victims.contains(&kill.comm) {
                h.victims.push(kill.comm);
            }
        }
    }
    hit.into_iter().collect()
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A remote server's log is read where it runs: skip, naming the flag that reads a copy.
fn not_here(label: &str, flag: &str, since_s: u64) -> LogScan {
    LogScan::unreadable(
        label,
        "",
        "",
        since_s,
        format!("the server is not on this host: its log is read where it runs ({flag} FILE for a copy)"),
    )
}

/// A Redis server's log: CONFIG GET logfile (relative to `dir`), for a server on this host.
async fn redis_log(t: &crate::targets::RedisTarget, cx: &ProbeContext) -> LogScan {
    let since_s = cx.targets.logs.since.as_secs();
    let (path, found_by) = if let Some(p) = &cx.targets.logs.redis_log {
        (p.clone(), "--redis-log")
    } else {
        if !t.is_local() {
            return not_here(&t.label, "--redis-log", since_s);
        }
        let asked = async {
            let (mut s, _) =
                crate::probe::redis::RedisSession::connect(t, cx.timing.timeout).await?;
            let pid = s
                .info()
                .await
                .ok()
                .and_then(|i| i.get("process_id")?.parse::<u32>().ok());
            Ok::<_, crate::observe::ProbeError>((s.config_values(["logfile", "dir"]).await?, pid))
        };
        match asked.await {
            Ok((c, pid)) => {
                let file = c.get("logfile").cloned().unwrap_or_default();
                if file.is_empty() {
                    // stdout: under systemd, the journal holds this process's lines
                    let select = format!("_PID={}", pid.unwrap_or(0));
                    return tokio::task::spawn_blocking({
                        let label = t.label.clone();
                        move || {
                            journal(
                                &label,
                                &[&select],
                                JournalScan::Signatures(REDIS_SIGNATURES),
                                since_s,
                                "logfile is empty: Redis logs to stdout",
                            )
                        }
                    })
                    .await
                    .unwrap_or_else(|e| {
                        LogScan::unreadable(
                            &t.label,
                            "",
                            "",
                            since_s,
                            format!("the reader failed: {e}"),
                        )
                    });
                }
                let dir = c.get("dir").cloned().unwrap_or_default();
                (
                    cx.root.path(&Path::new(&dir).join(&file).to_string_lossy()),
                    "CONFIG GET logfile",
                )
            }
            Err(e) => (
                cx.root.path(REDIS_DEFAULT_LOG),
                if e.to_string().is_empty() {
                    "Debian default"
                } else {
                    "Debian default (CONFIG GET failed)"
                },
            ),
        }
    };
    read_blocking(
        &t.label,
        path,
        found_by.to_string(),
        LogFormat::Redis,
        REDIS_SIGNATURES,
        since_s,
    )
    .await
}

/// A PostgreSQL server's log: pg_current_logfile() under data_directory, else log_directory's
/// newest file, else Debian's `/var/log/postgresql/postgresql-MAJOR-main.log`.
async fn postgres_log(t: &crate::targets::PostgresTarget, cx: &ProbeContext) -> LogScan {
    let since_s = cx.targets.logs.since.as_secs();
    let (path, found_by) = if let Some(p) = &cx.targets.logs.postgres_log {
        (p.clone(), "--postgres-log".to_string())
    } else {
        if !t.is_local() {
            return not_here(&t.label, "--postgres-log", since_s);
        }
        match crate::probe::postgres::log_location(t, cx.timing.timeout).await {
            Ok((p, how)) => (cx.root.path(&p.to_string_lossy()), how),
            // a server that does not answer may say why in its log: Debian's, newest version
            Err(e) => match debian_postgres_log(&cx.root) {
                Some(p) => (
                    p,
                    format!("Debian default (the server did not answer: {e})"),
                ),
                None => return LogScan::unreadable(&t.label, "", "", since_s, e),
            },
        }
    };
    read_blocking(
        &t.label,
        path,
        found_by,
        LogFormat::Postgres,
        POSTGRES_SIGNATURES,
        since_s,
    )
    .await
}

/// Reads and scans one log on a blocking thread.
async fn read_blocking(
    label: &str,
    path: PathBuf,
    found_by: String,
    format: LogFormat,
    sigs: &'static [Signature],
    since_s: u64,
) -> LogScan {
    let (now, owned) = (now_s(), label.to_string());
    tokio::task::spawn_blocking(move || {
        scan_file(&owned, &path, &found_by, format, sigs, since_s, BUDGET, now)
    })
    .await
    .unwrap_or_else(|e| {
        LogScan::unreadable(label, "", "", since_s, format!("the reader failed: {e}"))
    })
}

/// The newest `/var/log/postgresql/postgresql-MAJOR-main.log` below the root.
fn debian_postgres_log(root: &crate::probe::kernel::HostRoot) -> Option<PathBuf> {
    let pattern = root.path("var/log/postgresql/postgresql-*-main.log");
    let mut found: Vec<(u32, PathBuf)> = glob::glob(&pattern.to_string_lossy())
        .ok()?
        .flatten()
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            let major = name
                .strip_prefix("postgresql-")?
                .split('-')
                .next()?
                .parse()
                .ok()?;
            Some((major, p))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

/// What a journal's lines are scanned for.
enum JournalScan {
    /// The OOM killer's kills (log.kernel), with kernel.oom's parser.
    Kernel,
    /// A server's signatures.
    Signatures(&'static [Signature]),
}

/// Reads the systemd journal (`journalctl SELECT --since`) where no log file exists: the
/// kernel on journald-only hosts, a Redis that logs to stdout under systemd. `missing` says
/// why the journal is asked; an empty window is skip when the journal holds nothing of SELECT
/// at all.
fn journal(
    target: &str,
    select: &[&str],
    scan: JournalScan,
    since_s: u64,
    missing: &str,
) -> LogScan {
    let now = now_s();
    let since = format!("--since=@{}", now - since_s as i64);
    let source = format!("journal:{}", select.join(" "));
    let found_by = format!("journalctl {} ({missing})", select.join(" "));
    let mut args = select.to_vec();
    args.extend(["--no-pager", "-q", "-o", "short-iso", &since]);
    let mut any = select.to_vec();
    any.extend(["-n", "1", "-q", "--no-pager"]);
    match super::command("journalctl", &args) {
        Ok((text, _))
            if text.trim().is_empty()
                && super::command("journalctl", &any).is_ok_and(|(a, _)| a.trim().is_empty()) =>
        {
            LogScan::unreadable(
                target,
                &source,
                &found_by,
                since_s,
                format!(
                    "{missing}, and the journal holds nothing of {} at all",
                    select.join(" ")
                ),
            )
        }
        Ok((text, _)) => {
            let offset = utc_offset_s();
            let since_t = now - since_s as i64;
            let time_of = |l: &str| LogFormat::Syslog.time(l, offset, now);
            let (lines, hits) = match scan {
                JournalScan::Kernel => (
                    text.lines().count() as u64,
                    oom_victims(&text, since_t, &time_of),
                ),
                JournalScan::Signatures(sigs) => {
                    log::scan(LogFormat::Syslog, &text, since_t, offset, now, sigs)
                }
            };
            LogScan {
                target: target.into(),
                source,
                found_by,
                files: Vec::new(),
                since_s,
                bytes_read: text.len() as u64,
                truncated: false,
                lines,
                hits,
                error: None,
            }
        }
        Err(e) => LogScan::unreadable(
            target,
            "",
            "",
            since_s,
            format!("{missing}, and the journal could not be read ({e})"),
        ),
    }
}

/// The kernel's messages: --syslog, else the first of kern.log, syslog, messages that exists.
fn kernel_log(cx: &ProbeContext) -> LogScan {
    let since_s = cx.targets.logs.since.as_secs();
    let (path, found_by) = match &cx.targets.logs.syslog {
        Some(p) => (p.clone(), "--syslog"),
        None => match KERNEL_LOGS
            .iter()
            .map(|p| cx.root.path(p))
            .find(|p| p.exists())
        {
            Some(p) => (p, "the first of /var/log/kern.log, syslog, messages"),
            None if cx.root.is_default() => {
                return journal(
                    "kernel",
                    &["-k"],
                    JournalScan::Kernel,
                    since_s,
                    "no /var/log/kern.log, syslog or messages here",
                )
            }
            None => {
                return LogScan::unreadable(
                    "kernel",
                    "",
                    "",
                    since_s,
                    "no var/log/kern.log, syslog or messages below --host-root".into(),
                )
            }
        },
    };
    scan_file(
        "kernel",
        &path,
        found_by,
        LogFormat::Syslog,
        KERNEL_SIGNATURES,
        since_s,
        BUDGET,
        now_s(),
    )
}

/// The logs area's probe.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let redis = futures::future::join_all(cx.targets.redis.iter().map(|t| redis_log(t, cx)));
        let postgres =
            futures::future::join_all(cx.targets.postgres.iter().map(|t| postgres_log(t, cx)));
        let (redis, postgres) = futures::join!(redis, postgres);
        let kernel = {
            let cx2 = cx.clone();
            tokio::task::spawn_blocking(move || kernel_log(&cx2))
                .await
                .ok()
        };
        Observed::Log(Box::new(LogObservation {
            redis,
            postgres,
            kernel,
        }))
    })
}

/// The local time's offset from UTC, seconds (nginx and syslog write local time).
pub fn utc_offset_s() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as libc::time_t);
    // SAFETY: localtime_r writes only into the tm we pass
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&now, &mut tm).is_null() };
    if ok {
        tm.tm_gmtoff
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn stamp(t: i64) -> String {
        let s = humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(t as u64),
        )
        .to_string();
        // "2026-11-29T01:02:03Z" → nginx "2026/11/29 01:02:03"
        format!("{} {}", s[..10].replace('-', "/"), &s[11..19])
    }

    fn nginx_time(l: &str) -> Option<i64> {
        LogFormat::Nginx.time(l, 0, 0)
    }

    #[test]
    fn the_tail_stops_at_the_window_and_follows_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("error.log");
        let now = 1_796_000_000;
        // .1 holds 3 h ago to 1 h ago; the live file the last hour
        let mut old = std::fs::File::create(dir.path().join("error.log.1")).unwrap();
        for i in 0..7200 {
            writeln!(old, "{} [error] old line {i}", stamp(now - 10_800 + i)).unwrap();
        }
        let mut new = std::fs::File::create(&live).unwrap();
        for i in 0..3600 {
            writeln!(new, "{} [error] new line {i}", stamp(now - 3600 + i)).unwrap();
        }
        // 90 minutes back reaches into the rotated file
        let t = read_tail(&live, now - 5400, 64 << 20, &nginx_time).unwrap();
        assert_eq!(t.files.len(), 2, "{:?}", t.files);
        assert!(t.files[0].ends_with("error.log.1"));
        assert!(!t.truncated);
        assert!(t.text.contains("old line 5400") && t.text.contains("new line 3599"));
        assert!(t.text.find("old line").unwrap() < t.text.find("new line").unwrap());
        // 10 minutes back stays in the live file, and reads less than all of it
        let t = read_tail(&live, now - 600, 64 << 20, &nginx_time).unwrap();
        assert_eq!(t.files.len(), 1);
        assert!(t.bytes <= std::fs::metadata(&live).unwrap().len());
        // a budget smaller than the window says so
        let t = read_tail(&live, now - 5400, 4096, &nginx_time).unwrap();
        assert!(t.truncated && t.bytes == 4096);
    }

    #[test]
    fn a_rotation_while_reading_is_followed_to_the_renamed_file() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("redis.log");
        let now = 1_796_000_000;
        let lines = |path: &Path, from: i64, what: &str| {
            let mut f = std::fs::File::create(path).unwrap();
            for i in 0..60 {
                writeln!(f, "{} [error] {what} {i}", stamp(from + i)).unwrap();
            }
        };
        // between logrotate's rename and create: only PATH.1, which holds the window
        lines(&dir.path().join("redis.log.1"), now - 60, "renamed");
        let t = read_tail(&live, now - 600, 64 << 20, &nginx_time).unwrap();
        assert_eq!(t.files.len(), 1, "{:?}", t.files);
        assert!(t.files[0].ends_with("redis.log.1"));
        assert!(t.text.contains("renamed 0") && t.text.contains("renamed 59"));
        // renamed while it was read: PATH.1 is the file just read, the older one is now .2
        std::fs::rename(
            dir.path().join("redis.log.1"),
            dir.path().join("redis.log.2"),
        )
        .unwrap();
        lines(&live, now - 30, "live");
        std::fs::hard_link(&live, dir.path().join("redis.log.1")).unwrap();
        let t = read_tail(&live, now - 600, 64 << 20, &nginx_time).unwrap();
        assert_eq!(t.files.len(), 2, "{:?}", t.files);
        assert!(t.files[0].ends_with("redis.log.2"), "{:?}", t.files);
        assert_eq!(t.text.matches("live 0").count(), 1, "read once: {}", t.text);
        assert!(t.text.contains("renamed 0"));
    }

    #[test]
    fn a_sparse_hole_ends_the_tail() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("redis.log");
        let f = std::fs::File::create(&p).unwrap();
        f.set_len(64 << 20).unwrap();
        drop(f);
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        writeln!(f, "{} [error] after the hole", stamp(1_796_000_000)).unwrap();
        let t = read_tail(&p, 0, 1 << 30, &nginx_time).unwrap();
        assert!(!t.truncated);
        assert!(t.bytes <= 2 * CHUNK, "{}", t.bytes);
        assert!(t.text.contains("after the hole"));
        assert!(read_tail(&dir.path().join("missing.log"), 0, 1 << 20, &nginx_time).is_err());
    }
}
