//! `statectl tune redis`: plan redis.conf edits (dry run by default); --apply writes atomically
//! with a backup; --live compares (and with --apply, CONFIG SETs) a running server.

use super::{check_format, emit};
use crate::cli::{OutputArgs, TuneRedisArgs};
use crate::exit::{Exit, UsageError};
use crate::probe::kernel::{self, HostRoot};
use crate::probe::redis::RedisSession;
use crate::render;
use crate::targets::{RedisAuthSources, RedisTarget};
use crate::tune::{self, redis as plan_redis};

/// `statectl tune redis`.
pub async fn redis(a: &TuneRedisArgs, out: &OutputArgs, root: &HostRoot) -> anyhow::Result<Exit> {
    check_format(out)?;
    let config = a
        .config
        .clone()
        .unwrap_or_else(|| root.path("etc/redis/redis.conf"));
    let path = config.display().to_string();
    if a.profile != "session-cache" {
        return Err(UsageError(format!(
            "--profile {}: unknown profile (known: session-cache)",
            a.profile
        ))
        .into());
    }
    // a backup directory that is not one is the user's input, refused before anything is read
    if let Some(d) = &a.backup_dir {
        if !d.is_dir() {
            let why = if d.exists() {
                "not a directory"
            } else {
                "no such directory"
            };
            return Err(UsageError(format!("--backup-dir {}: {why}", d.display())).into());
        }
    }
    // one connection to the --live server: its version judges the plan, then it is compared
    let mut server = match &a.live {
        Some(url) => Some(connect_live(url, a).await?),
        None => None,
    };
    let known = redis_version(a, server.as_mut()).await?;
    // an apply reads, plans and writes under the lock, so a second apply at the same time
    // waits and then plans on this one's result instead of overwriting it
    let lock = if a.apply {
        Some(lock(&config, &path).await?)
    } else {
        None
    };
    let old = crate::input::read_capped_text(&config, crate::input::CONFIG_CAP)
        .map_err(|e| UsageError(format!("--config {path}: {e}")))?;
    // Test hook (test-only `failpoints` feature): stop here, after reading the file, so a test
    // can run a second apply while this one holds what it read.
    #[cfg(feature = "failpoints")]
    if std::env::var_os("STATECTL_FAILPOINT").is_some_and(|v| v == "tune-redis-after-read") {
        // SAFETY: raise() only sends a signal to this process.
        unsafe { libc::raise(libc::SIGSTOP) };
    }
    let conf = plan_redis::ConfFile::parse(&old)
        .map_err(|e| UsageError(format!("{path}:{}: {}", e.line, e.message)))?;
    if let Some(line) = plan_redis::sentinel_line(&conf) {
        return Err(UsageError(format!(
            "--config {path}:{line}: a Sentinel configuration (sentinel monitor …), not a Redis server's redis.conf; tune redis leaves it alone (Sentinel rewrites it itself, and SENTINEL SET changes it)"
        ))
        .into());
    }
    let included = includes(&conf, &config, root)?;
    let persistence = plan_redis::persistence_on(&conf);
    let maxmemory = match a.maxmemory.as_deref() {
        None => "2gb".to_string(),
        Some("auto") => {
            let ram = kernel::mem_total(root)
                .map_err(|e| anyhow::anyhow!("--maxmemory auto: cannot read MemTotal: {e}"))?;
            format!("{}mb", plan_redis::maxmemory_for(ram, persistence) >> 20)
        }
        Some(v) => {
            plan_redis::memtoll(v).ok_or_else(|| {
                UsageError(format!(
                    "--maxmemory {v}: expected a size such as 2gb, or auto"
                ))
            })?;
            v.to_string()
        }
    };
    let backlog = plan_redis::backlog_for(root.sysctl_u64("net.core.somaxconn").ok());
    let mut desired = plan_redis::session_cache(&maxmemory, backlog);
    for s in &a.set {
        let (name, value) = tune::parse_assignment("--set", s)?;
        let value = secret_value(&name, value)?;
        desired.push((name, value));
    }
    let plan = plan_redis::plan_for(&conf, &desired, &known.reader(), &included)?;
    for w in &plan.warnings {
        eprintln!("statectl: warning: {}", crate::render::escape(w));
    }
    let mut forced = None;
    let planned_conf = plan_redis::ConfFile::parse(&plan.text)
        .map_err(|e| UsageError(format!("planned {path}:{}: {}", e.line, e.message)))?;
    if let Some(why) = plan_redis::exposure(&planned_conf) {
        if !a.force {
            return Err(UsageError(format!("refusing to plan {path}: {why}; set a password (--set requirepass=…) or an aclfile, or pass --force")).into());
        }
        eprintln!("statectl: warning: {why} (--force)");
        forced = Some(why);
    }
    let mut report = plan_redis::Report {
        config: path.clone(),
        host_root: root.shown(),
        applied: a.apply,
        changed: false,
        restart_required: Vec::new(),
        items: plan
            .items
            .iter()
            .map(|i| plan_redis::Item {
                before: i.before.as_ref().map(|b| plan_redis::shown(&i.name, b)),
                after: plan_redis::shown(&i.name, &i.after),
                ..i.clone()
            })
            .collect(),
        diff: if plan.changes() {
            plan_redis::diff(&path, &old, &plan.text)
        } else {
            String::new()
        },
        backup: None,
        live: Vec::new(),
        forced,
        redis_version: known.reader().shown(),
        warnings: plan.warnings.clone(),
    };
    report.restart_required = plan.restart_required();
    if a.apply && plan.changes() {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace([':', '-'], "");
        let dir = match &a.backup_dir {
            Some(d) => d.clone(),
            None => crate::atomic::parent(&config).to_path_buf(),
        };
        let backup = crate::atomic::backup(&config, &dir, &stamp, old.as_bytes()).map_err(|e| {
            anyhow::anyhow!("backup in {}: {e}; {path} is unchanged", dir.display())
        })?;
        crate::atomic::write(&config, plan.text.as_bytes(), 0o640).map_err(|e| {
            anyhow::anyhow!(
                "{path}: {e}; it is unchanged, and its backup is {}",
                backup.display()
            )
        })?;
        report.backup = Some(backup.display().to_string());
        report.changed = true;
    }
    drop(lock);
    if let Some((target, session)) = server {
        live(&target, session, a, &plan, &mut report).await?;
    }
    emit(out, &report, render::tune::redis)?;
    Ok(if report.live.iter().any(|l| a.apply && !l.ok) {
        Exit::Fail
    } else {
        Exit::Ok
    })
}

/// Takes the lock beside `config`, waiting (and saying so) up to LOCK_WAIT for another run; the
/// wait is async, so Ctrl-C ends it at once.
async fn lock(config: &std::path::Path, path: &str) -> anyhow::Result<crate::atomic::Lock> {
    let said = |e: std::io::Error| {
        let said = format!("--config {path}: {e}");
        // a missing file or directory is the user's input
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow::Error::new(UsageError(said))
        } else {
            anyhow::anyhow!(said)
        }
    };
    if let Some(l) = crate::atomic::Lock::try_acquire(config).map_err(said)? {
        return Ok(l);
    }
    let wait = tune::LOCK_WAIT;
    eprintln!(
        "statectl: waiting for another statectl run that is editing {} (up to {} s)",
        crate::render::escape(path),
        wait.as_secs()
    );
    let deadline = tokio::time::Instant::now() + wait;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if let Some(l) = crate::atomic::Lock::try_acquire(config).map_err(said)? {
            return Ok(l);
        }
    }
    Err(anyhow::anyhow!(
        "--config {path}: another statectl run has been editing it for {} s; try again when it has finished",
        wait.as_secs()
    ))
}

/// Every directive the `include` lines of `conf` bring in, in the order Redis reads them, each
/// tagged with the include line of `conf` that brings it in. Paths are read below --host-root;
/// a relative path is taken from the including file's directory (Redis takes it from its working
/// directory, which a unit file usually sets to the config's); globs are expanded in sorted
/// order, as Redis 7 does. A file that cannot be read is an error: what it sets is unknown.
fn includes(
    conf: &plan_redis::ConfFile,
    path: &std::path::Path,
    root: &HostRoot,
) -> Result<Vec<plan_redis::Included>, UsageError> {
    fn walk(
        conf: &plan_redis::ConfFile,
        path: &std::path::Path,
        root: &HostRoot,
        at: Option<usize>,
        depth: usize,
        out: &mut Vec<plan_redis::Included>,
    ) -> Result<(), UsageError> {
        let here = path.parent().unwrap_or(std::path::Path::new("."));
        for (i, l) in conf.lines.iter().enumerate() {
            let Some((name, args)) = &l.directive else {
                continue;
            };
            let at = at.unwrap_or(i);
            if name != "include" {
                if depth > 0 {
                    out.push(plan_redis::Included {
                        at,
                        file: path.display().to_string(),
                        line: i + 1,
                        name: name.clone(),
                        value: args
                            .iter()
                            .map(|x| plan_redis::quote(x))
                            .collect::<Vec<_>>()
                            .join(" "),
                    });
                }
                continue;
            }
            let said = |why: String| {
                UsageError(format!(
                    "{}:{}: include {}: {why}",
                    path.display(),
                    i + 1,
                    crate::render::escape(args.first().map(String::as_str).unwrap_or(""))
                ))
            };
            if depth >= plan_redis::INCLUDE_DEPTH {
                return Err(said(format!(
                    "includes nest deeper than {} (a loop?)",
                    plan_redis::INCLUDE_DEPTH
                )));
            }
            let [arg] = args.as_slice() else {
                return Err(said("expected one path".into()));
            };
            let full = if arg.starts_with('/') {
                root.path(arg)
            } else {
                here.join(arg)
            };
            let files = if arg.contains(['*', '?', '[']) {
                let pattern = full.to_string_lossy();
                let mut found: Vec<_> = glob::glob(&pattern)
                    .map_err(|e| said(e.to_string()))?
                    .filter_map(Result::ok)
                    .collect();
                found.sort();
                found
            } else {
                vec![full]
            };
            for file in files {
                let text = crate::input::read_capped_text(&file, crate::input::CONFIG_CAP)
                    .map_err(|e| {
                        said(format!(
                        "{}: {e}; what it sets is unknown (Redis itself will not start without it)",
                        file.display()
                    ))
                    })?;
                let inner = plan_redis::ConfFile::parse(&text).map_err(|e| {
                    UsageError(format!("{}:{}: {}", file.display(), e.line, e.message))
                })?;
                walk(&inner, &file, root, Some(at), depth + 1, out)?;
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(conf, path, root, None, 0, &mut out)?;
    Ok(out)
}

/// Connects to the `--live` server.
async fn connect_live(url: &str, a: &TuneRedisArgs) -> anyhow::Result<(RedisTarget, RedisSession)> {
    let target = RedisTarget::parse(url, &RedisAuthSources::from_env(None, &a.redis_tls))?;
    let (session, _) = RedisSession::connect(&target, a.timeout)
        .await
        .map_err(|e| anyhow::anyhow!("--live {}: {e}", target.label))?;
    Ok((target, session))
}

/// What was learnt of the server that will read the file: Redis or Valkey, its release and
/// where that was learnt, and the parameters a live one lists.
struct Known {
    flavor: crate::observe::redis::Flavor,
    version: Option<(Vec<u64>, String)>,
    lists: Option<(std::collections::BTreeSet<String>, String)>,
}

impl Known {
    fn reader(&self) -> plan_redis::Reader<'_> {
        plan_redis::Reader {
            flavor: self.flavor,
            version: self
                .version
                .as_ref()
                .map(|(v, f)| (v.as_slice(), f.as_str())),
            lists: self.lists.as_ref().map(|(l, f)| (l, f.as_str())),
        }
    }
}

/// The server that will read the file: `--redis-version`, else the `--live` server's INFO (and
/// the parameters its CONFIG GET * lists), else the local `redis-server --version` (or
/// `valkey-server --version`); no version when none can tell.
async fn redis_version(
    a: &TuneRedisArgs,
    live: Option<&mut (RedisTarget, RedisSession)>,
) -> anyhow::Result<Known> {
    use crate::observe::redis::Flavor;
    if let Some(v) = &a.redis_version {
        let n = crate::observe::preflight::numbers(v)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                UsageError(format!(
                    "--redis-version {v}: expected a version such as 7.4 or 7.2.5"
                ))
            })?;
        return Ok(Known {
            flavor: Flavor::Redis,
            version: Some((n, "--redis-version".into())),
            lists: None,
        });
    }
    if let Some((target, session)) = live {
        let failed =
            |e: crate::observe::ProbeError| anyhow::anyhow!("--live {}: {e}", target.label);
        let info = session.info().await.map_err(failed)?;
        let flavor = Flavor::of(&info);
        let from = format!("INFO of {}", target.label);
        // a server that refuses CONFIG GET (renamed, or an ACL without it) lists nothing
        let lists = session.config_all().await.ok().map(|c| {
            (
                c.into_keys().collect(),
                format!("CONFIG GET * of {}", target.label),
            )
        });
        return Ok(Known {
            flavor,
            version: flavor
                .version(&info)
                .and_then(crate::observe::preflight::numbers)
                .map(|n| (n, from)),
            lists,
        });
    }
    for binary in ["redis-server", "valkey-server"] {
        let Ok(o) = tokio::process::Command::new(binary)
            .arg("--version")
            .output()
            .await
        else {
            continue;
        };
        let text = String::from_utf8_lossy(&o.stdout);
        // Valkey's binaries (and the redis-server link Valkey installs) say `Valkey server v=…`
        let flavor = if text.starts_with("Valkey") {
            Flavor::Valkey
        } else {
            Flavor::Redis
        };
        if let Some(n) = crate::observe::preflight::redis_version(&text) {
            return Ok(Known {
                flavor,
                version: Some((n, format!("{binary} --version"))),
                lists: None,
            });
        }
    }
    Ok(Known {
        flavor: Flavor::Redis,
        version: None,
        lists: None,
    })
}

/// A secret directive's value from `@FILE` (its first line) or `-` (the first line of stdin),
/// so it never shows in `ps`; other values as given.
fn secret_value(name: &str, value: String) -> Result<String, UsageError> {
    if !plan_redis::SECRET.contains(&name.to_ascii_lowercase().as_str()) {
        return Ok(value);
    }
    let text = if value == "-" {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| UsageError(format!("--set {name}=-: reading stdin: {e}")))?;
        line
    } else if let Some(path) = value.strip_prefix('@') {
        crate::input::read_capped_text(std::path::Path::new(path), crate::input::SECRET_CAP)
            .map_err(|e| UsageError(format!("--set {name}=@{path}: {e}")))?
    } else {
        return Ok(value);
    };
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if first.is_empty() {
        return Err(UsageError(format!(
            "--set {name}={}: the first line is empty",
            if value == "-" { "-" } else { value.as_str() }
        )));
    }
    Ok(first.to_string())
}

/// `--live`: compares the running server with the plan, and with --apply sets what CONFIG SET
/// can set, reading each value back.
async fn live(
    target: &RedisTarget,
    mut session: RedisSession,
    a: &TuneRedisArgs,
    plan: &plan_redis::Plan,
    report: &mut plan_redis::Report,
) -> anyhow::Result<()> {
    let fail = |e: String| anyhow::anyhow!("--live {}: {e}", target.label);
    let running = session
        .config_values(plan.items.iter().map(|i| i.name.as_str()))
        .await
        .map_err(|e| fail(e.to_string()))?;
    let (set, restart) = plan_redis::live_plan(&plan.items, &running);
    for name in restart {
        if !report.restart_required.contains(&name) {
            report.restart_required.push(name);
        }
    }
    for (name, value) in set {
        let before = plan_redis::shown(&name, &running[&name]);
        let (after, ok) = if a.apply {
            // Redis is the final judge of a directive: its refusal is reported, not fatal
            match session.config_set(&name, &value).await {
                Ok(back) => {
                    report.changed = true;
                    (
                        plan_redis::shown(&name, &back),
                        plan_redis::same_value(&name, &back, &value),
                    )
                }
                Err(e) => (format!("refused: {e}"), false),
            }
        } else {
            (plan_redis::shown(&name, &value), false)
        };
        report.live.push(plan_redis::LiveChange {
            name,
            before,
            after,
            ok,
        });
    }
    Ok(())
}
