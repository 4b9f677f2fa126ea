//! `statectl tune …`: read the current state, plan with the pure planners in `tune/`, print the
//! plan (dry run) or apply it and read the result back.

use std::io::Write;

use serde::Serialize;

use crate::cli::{Format, OutputArgs, TuneKernelArgs, TunePostgresArgs, TuneRedisArgs};
use crate::exit::{Exit, UsageError};
use crate::probe::postgres::{reason, PostgresSession};
use crate::render::{self, Style};
use crate::target::{PgEnv, PostgresTarget};
use crate::tune::{self, kernel as plan_kernel, postgres as plan_pg, redis as plan_redis};

/// What `tune postgres` did, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct PostgresTuneReport {
    /// The server (no password).
    pub target: String,
    /// False for a dry run.
    pub applied: bool,
    /// Whether this run changed anything (a dry run never does).
    pub changed: bool,
    /// Whether a restart is needed for a value to take effect.
    pub restart_required: bool,
    /// Every planned setting with before and after.
    pub items: Vec<plan_pg::Item>,
    /// The statements run (or that --apply would run).
    pub statements: Vec<String>,
    /// Parameters pg_settings marks pending_restart after the apply.
    pub pending_restart: Vec<String>,
    /// Errors pg_file_settings reports after the apply.
    pub errors: Vec<String>,
}

/// Tune reports print as a table or one JSON document; anything else is refused up front,
/// before any change is made.
fn check_format(out: &OutputArgs) -> Result<(), UsageError> {
    match out.format {
        Format::Table | Format::Json => Ok(()),
        other => Err(UsageError(
            format!("--format {other:?}: tune prints table or json").to_lowercase(),
        )),
    }
}

/// Prints a tune report in the chosen format.
fn emit<T: Serialize>(
    out: &OutputArgs,
    report: &T,
    table: fn(&mut dyn Write, Style, &T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let stdout = &mut std::io::stdout().lock();
    match out.format {
        Format::Json => render::json::write(stdout, report),
        _ => table(
            stdout,
            Style::resolve(out.color, out.quiet, out.verbose),
            report,
        ),
    }
}

/// `statectl tune postgres`.
pub async fn postgres(a: &TunePostgresArgs, out: &OutputArgs) -> anyhow::Result<Exit> {
    check_format(out)?;
    let target = PostgresTarget::parse(a.postgres.as_deref().unwrap_or(""), &PgEnv::from_env())?;
    let mut sets = Vec::new();
    for s in &a.set {
        sets.push(tune::parse_assignment("--set", s)?);
    }
    let fail = |e: crate::probe::ProbeError| anyhow::anyhow!("{}: {}", target.label, e);
    let session = PostgresSession::connect(&target, a.timeout)
        .await
        .map_err(fail)?;
    let settings = session
        .settings()
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", target.label))?;
    let (pending, _) = session
        .file_settings()
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e} (tune postgres needs a superuser)", target.label))?;
    let mut desired = plan_pg::profile(&a.profile, &settings)?;
    desired.extend(sets);
    let items = plan_pg::plan(&settings, &pending, &desired)?;
    let statements: Vec<String> = items
        .iter()
        .filter(|i| i.changes())
        .map(plan_pg::alter_system)
        .collect();
    let mut report = PostgresTuneReport {
        target: target.label.clone(),
        applied: a.apply,
        changed: false,
        restart_required: items.iter().any(|i| {
            matches!(
                i.action,
                plan_pg::Action::Restart | plan_pg::Action::PendingRestart
            )
        }),
        items,
        statements,
        pending_restart: Vec::new(),
        errors: Vec::new(),
    };
    if a.apply && !report.statements.is_empty() {
        for st in &report.statements {
            session
                .execute(st, "running ALTER SYSTEM")
                .await
                .map_err(|e| anyhow::anyhow!("{}: {st}: {}", target.label, reason(e)))?;
        }
        session
            .execute("SELECT pg_reload_conf()", "reloading the configuration")
            .await
            .map_err(fail)?;
        report.changed = true;
        // The reload is asynchronous: give the postmaster a moment before reading back.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let after = session
            .settings()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", target.label))?;
        report.pending_restart = report
            .items
            .iter()
            .filter(|i| after.get(&i.name).is_some_and(|s| s.pending_restart))
            .map(|i| i.name.clone())
            .collect();
        report.errors = session
            .file_settings()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", target.label))?
            .1;
    }
    emit(out, &report, print_postgres)?;
    Ok(if report.errors.is_empty() {
        Exit::Ok
    } else {
        Exit::Fail
    })
}

fn print_postgres(w: &mut dyn Write, style: Style, r: &PostgresTuneReport) -> anyhow::Result<()> {
    let mut t = render::table::new_table(
        style,
        &["PARAMETER", "CURRENT", "DESIRED", "CONTEXT", "ACTION"],
    );
    for i in &r.items {
        let action = match i.action {
            plan_pg::Action::Unchanged => "unchanged",
            plan_pg::Action::Reload => "change (reload)",
            plan_pg::Action::Restart => "change (restart)",
            plan_pg::Action::PendingRestart => "pending restart",
        };
        t.add_row(vec![
            i.name.as_str(),
            &i.before,
            &i.after,
            &i.context,
            action,
        ]);
    }
    writeln!(w, "{}\n{t}", r.target)?;
    let n = r.statements.len();
    if n == 0 {
        writeln!(w, "nothing to change")?;
    } else if !r.applied {
        writeln!(w, "dry run: {n} change(s) planned; --apply runs:")?;
        for s in &r.statements {
            writeln!(w, "  {s};")?;
        }
        writeln!(w, "  SELECT pg_reload_conf();")?;
    } else {
        writeln!(w, "applied {n} change(s) and reloaded")?;
    }
    if !r.pending_restart.is_empty() || (r.restart_required && n == 0) {
        let names: Vec<&str> = if r.pending_restart.is_empty() {
            r.items
                .iter()
                .filter(|i| i.action == plan_pg::Action::PendingRestart)
                .map(|i| i.name.as_str())
                .collect()
        } else {
            r.pending_restart.iter().map(String::as_str).collect()
        };
        writeln!(w, "restart PostgreSQL to apply: {}", names.join(", "))?;
    }
    for e in &r.errors {
        writeln!(w, "error in configuration files: {e}")?;
    }
    Ok(())
}

/// One live reconfiguration of a running server.
#[derive(Debug, Serialize)]
pub struct LiveChange {
    /// Directive.
    pub name: String,
    /// CONFIG GET before.
    pub before: String,
    /// CONFIG GET after CONFIG SET (the read-back).
    pub after: String,
    /// Whether the read-back matches the desired value.
    pub ok: bool,
}

/// What `tune redis` did, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct RedisTuneReport {
    /// The file planned against.
    pub config: String,
    /// False for a dry run.
    pub applied: bool,
    /// Whether this run changed the file or the live server.
    pub changed: bool,
    /// Directives whose new value needs a restart to take effect.
    pub restart_required: Vec<String>,
    /// Every planned directive (secret values shown as ***).
    pub items: Vec<plan_redis::Item>,
    /// Unified diff of the file (secrets masked); empty when nothing changes.
    pub diff: String,
    /// Where the previous file was saved, when the file was written.
    pub backup: Option<String>,
    /// CONFIG SET changes made with --live.
    pub live: Vec<LiveChange>,
    /// A safety refusal overridden by --force.
    pub forced: Option<String>,
}

/// `statectl tune redis`.
pub async fn redis(a: &TuneRedisArgs, out: &OutputArgs) -> anyhow::Result<Exit> {
    check_format(out)?;
    let path = a.config.display().to_string();
    let old = std::fs::read_to_string(&a.config)
        .map_err(|e| UsageError(format!("--config {path}: {e}")))?;
    let conf = plan_redis::ConfFile::parse(&old)
        .map_err(|e| UsageError(format!("{path}:{}: {}", e.line, e.message)))?;
    if a.profile != "session-cache" {
        return Err(UsageError(format!(
            "--profile {}: unknown profile (known: session-cache)",
            a.profile
        ))
        .into());
    }
    let persistence = conf.effective("appendonly").is_some_and(|v| v == "yes")
        || conf
            .effective("save")
            .is_some_and(|v| !v.is_empty() && v != "\"\"");
    let maxmemory = match a.maxmemory.as_deref() {
        None => "2gb".to_string(),
        Some("auto") => {
            let ram =
                crate::probe::kernel::mem_total(&crate::probe::kernel::KernelRoot::from_env())
                    .ok()
                    .ok_or_else(|| {
                        anyhow::anyhow!("--maxmemory auto: cannot read MemTotal from /proc/meminfo")
                    })?;
            // Leave room for the fork's copy-on-write when RDB/AOF is on.
            let share = if persistence { 0.5 } else { 0.8 };
            format!("{}mb", (ram as f64 * share / 1048576.0) as u64)
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
    let somaxconn = crate::probe::kernel::KernelRoot::from_env()
        .sysctl("net.core.somaxconn")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    // 511 (Redis's default) unless the kernel would silently cap it lower.
    let backlog = somaxconn.map_or(511, |s| s.min(511));
    let mut desired = plan_redis::session_cache(&maxmemory, backlog);
    for s in &a.set {
        desired.push(tune::parse_assignment("--set", s)?);
    }
    let plan = plan_redis::plan(&conf, &desired)?;
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
    let mut report = RedisTuneReport {
        config: path.clone(),
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
    };
    report.restart_required = plan
        .items
        .iter()
        .filter(|i| !i.live && i.action != plan_redis::Action::Unchanged)
        .map(|i| i.name.clone())
        .collect();
    if a.apply && plan.changes() {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&a.config)?.permissions().mode() & 0o7777;
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace([':', '-'], "");
        let name = a
            .config
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("redis.conf");
        let dir = match &a.backup_dir {
            Some(d) => d.clone(),
            None => a
                .config
                .parent()
                .map(|p| p.to_path_buf())
                .unwrap_or_default(),
        };
        let backup = dir.join(format!("{name}.statectl-{stamp}.bak"));
        crate::atomic::write(&backup, old.as_bytes(), mode)
            .map_err(|e| anyhow::anyhow!("backup {}: {e}", backup.display()))?;
        crate::atomic::write(&a.config, plan.text.as_bytes(), 0o640)
            .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
        report.backup = Some(backup.display().to_string());
        report.changed = true;
    }
    if let Some(url) = &a.live {
        let target = crate::target::RedisTarget::parse(
            url,
            &crate::target::RedisAuthSources::from_env(None),
        )?;
        let (mut session, _) =
            crate::probe::redis::RedisSession::connect(&target, std::time::Duration::from_secs(5))
                .await
                .map_err(|e| anyhow::anyhow!("--live {}: {e}", target.label))?;
        for i in &plan.items {
            let get = |n: &str| {
                let mut c = redis::cmd("CONFIG");
                c.arg("GET").arg(n);
                c
            };
            let pair: Vec<String> = session
                .cmd(&get(&i.name), "waiting for CONFIG GET")
                .await
                .map_err(|e| {
                    anyhow::anyhow!("--live {}: CONFIG GET {}: {e}", target.label, i.name)
                })?;
            let running = pair.get(1).cloned().unwrap_or_default();
            if plan_redis::same_value(&i.name, &running, &i.after) {
                continue;
            }
            if !i.live {
                if !report.restart_required.contains(&i.name) {
                    report.restart_required.push(i.name.clone());
                }
                continue;
            }
            if !a.apply {
                report.live.push(LiveChange {
                    name: i.name.clone(),
                    before: plan_redis::shown(&i.name, &running),
                    after: plan_redis::shown(&i.name, &i.after),
                    ok: false,
                });
                continue;
            }
            let mut set = redis::cmd("CONFIG");
            set.arg("SET").arg(&i.name).arg(&i.after);
            session
                .cmd::<()>(&set, "waiting for CONFIG SET")
                .await
                .map_err(|e| {
                    anyhow::anyhow!("--live {}: CONFIG SET {}: {e}", target.label, i.name)
                })?;
            let back: Vec<String> = session
                .cmd(&get(&i.name), "waiting for CONFIG GET")
                .await
                .map_err(|e| {
                    anyhow::anyhow!("--live {}: CONFIG GET {}: {e}", target.label, i.name)
                })?;
            let after = back.get(1).cloned().unwrap_or_default();
            report.live.push(LiveChange {
                name: i.name.clone(),
                before: plan_redis::shown(&i.name, &running),
                ok: plan_redis::same_value(&i.name, &after, &i.after),
                after: plan_redis::shown(&i.name, &after),
            });
            report.changed = true;
        }
    }
    emit(out, &report, print_redis)?;
    Ok(if report.live.iter().any(|l| a.apply && !l.ok) {
        Exit::Fail
    } else {
        Exit::Ok
    })
}

fn print_redis(w: &mut dyn Write, style: Style, r: &RedisTuneReport) -> anyhow::Result<()> {
    let mut t = render::table::new_table(
        style,
        &["DIRECTIVE", "CURRENT", "DESIRED", "ACTION", "APPLIES"],
    );
    for i in &r.items {
        let action = match i.action {
            plan_redis::Action::Unchanged => "unchanged",
            plan_redis::Action::Change => "change",
            plan_redis::Action::Add => "add",
        };
        t.add_row(vec![
            i.name.as_str(),
            i.before.as_deref().unwrap_or("(absent)"),
            &i.after,
            action,
            if i.live {
                "live (CONFIG SET)"
            } else {
                "restart"
            },
        ]);
    }
    writeln!(w, "{}\n{t}", r.config)?;
    if r.diff.is_empty() {
        writeln!(w, "nothing to change: {} already matches", r.config)?;
    } else {
        write!(w, "{}", r.diff)?;
        match &r.backup {
            Some(b) => writeln!(w, "applied; the previous file is saved as {b}")?,
            None => writeln!(w, "dry run: nothing written; rerun with --apply")?,
        }
    }
    for l in &r.live {
        let state = if !r.applied {
            "would CONFIG SET"
        } else if l.ok {
            "CONFIG SET ok"
        } else {
            "CONFIG SET did not take"
        };
        writeln!(w, "live: {} {} -> {} ({state})", l.name, l.before, l.after)?;
    }
    if !r.restart_required.is_empty() {
        writeln!(
            w,
            "restart redis-server to apply: {}",
            r.restart_required.join(", ")
        )?;
    }
    Ok(())
}

/// What `tune kernel` did, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct KernelTuneReport {
    /// False for a dry run.
    pub applied: bool,
    /// Whether this run changed a live value or the persisted file.
    pub changed: bool,
    /// Every planned key.
    pub items: Vec<plan_kernel::Item>,
    /// The drop-in file the plan persists to.
    pub persist: String,
    /// Unified diff of that file; empty when it already holds the plan.
    pub diff: String,
    /// Later files that override a planned value at boot.
    pub warnings: Vec<String>,
}

/// Files `sysctl --system` reads after `ours`, each with the keys it sets.
fn later_sysctl_files(
    root: &crate::probe::kernel::KernelRoot,
    ours: &std::path::Path,
) -> Vec<(String, Vec<(String, String)>)> {
    let our_name = ours
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut by_name: std::collections::BTreeMap<String, std::path::PathBuf> = Default::default();
    // Earlier directories win for the same file name (systemd-sysctl's precedence).
    for dir in [
        "usr/lib/sysctl.d",
        "lib/sysctl.d",
        "usr/local/lib/sysctl.d",
        "run/sysctl.d",
        "etc/sysctl.d",
    ] {
        if let Ok(entries) = std::fs::read_dir(root.path(dir)) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".conf") {
                    by_name.insert(name, e.path());
                }
            }
        }
    }
    let mut files: Vec<std::path::PathBuf> = by_name
        .into_iter()
        .filter(|(name, p)| *name > our_name && p.as_path() != ours)
        .map(|(_, p)| p)
        .collect();
    // procps `sysctl --system` reads /etc/sysctl.conf last
    files.push(root.path("etc/sysctl.conf"));
    files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let keys = text.lines().filter_map(plan_kernel::parse_line).collect();
            Some((p.display().to_string(), keys))
        })
        .collect()
}

/// `statectl tune kernel`.
pub fn kernel(a: &TuneKernelArgs, out: &OutputArgs) -> anyhow::Result<Exit> {
    check_format(out)?;
    let root = crate::probe::kernel::KernelRoot::from_env();
    let mut desired = match (&a.profile, a.set.is_empty()) {
        (Some(p), _) => plan_kernel::profile(p)?,
        (None, true) => plan_kernel::profile("session-cache")?,
        (None, false) => Vec::new(),
    };
    for s in &a.set {
        desired.push(tune::parse_assignment("--set", s)?);
    }
    let current: std::collections::BTreeMap<String, String> = desired
        .iter()
        .filter_map(|(k, _)| root.sysctl(k).ok().map(|v| (k.clone(), v)))
        .collect();
    let items = plan_kernel::plan(&current, &desired, a.force)?;
    let persist = a
        .persist
        .clone()
        .unwrap_or_else(|| root.path(plan_kernel::DEFAULT_PERSIST));
    let old = match std::fs::read_to_string(&persist) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(UsageError(format!("--persist {}: {e}", persist.display())).into()),
    };
    let new = plan_kernel::persisted(&old, &items);
    let path = persist.display().to_string();
    let diff = if new == old {
        String::new()
    } else {
        similar::TextDiff::from_lines(&old, &new)
            .unified_diff()
            .context_radius(2)
            .header(&path, &format!("{path} (planned)"))
            .to_string()
    };
    let mut warnings = Vec::new();
    for (file, keys) in later_sysctl_files(&root, &persist) {
        for i in items.iter().filter(|i| {
            matches!(
                i.action,
                plan_kernel::Action::Set | plan_kernel::Action::Unchanged
            )
        }) {
            if let Some((_, v)) = keys.iter().rev().find(|(k, _)| *k == i.key) {
                if *v != i.after {
                    warnings.push(format!(
                        "{file} sets {} = {v}, which overrides {} at boot",
                        i.key, i.after
                    ));
                }
            }
        }
    }
    let mut report = KernelTuneReport {
        applied: a.apply,
        changed: false,
        items,
        persist: path.clone(),
        diff,
        warnings,
    };
    if a.apply {
        for i in report
            .items
            .iter()
            .filter(|i| i.action == plan_kernel::Action::Set)
        {
            write_sysctl(&root, &i.key, &i.after)
                .map_err(|e| anyhow::anyhow!("setting {} = {}: {e}", i.key, i.after))?;
            report.changed = true;
        }
        if new != old {
            if let Some(dir) = persist.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
            }
            crate::atomic::write(&persist, new.as_bytes(), 0o644)
                .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
            report.changed = true;
        }
    }
    emit(out, &report, print_kernel)?;
    Ok(Exit::Ok)
}

/// Writes one live sysctl: through the sysctl crate on the real machine, as a file under a fake
/// root in tests.
fn write_sysctl(
    root: &crate::probe::kernel::KernelRoot,
    key: &str,
    value: &str,
) -> Result<(), String> {
    if root.is_real() {
        use sysctl::Sysctl;
        let ctl = sysctl::Ctl::new(key).map_err(|e| e.to_string())?;
        ctl.set_value_string(value).map_err(|e| e.to_string())?;
        return Ok(());
    }
    std::fs::write(root.sysctl_path(key), format!("{value}\n")).map_err(|e| e.to_string())
}

fn print_kernel(w: &mut dyn Write, style: Style, r: &KernelTuneReport) -> anyhow::Result<()> {
    let mut t = render::table::new_table(style, &["KEY", "CURRENT", "DESIRED", "ACTION"]);
    for i in &r.items {
        let action = match i.action {
            plan_kernel::Action::Set if r.applied => "set",
            plan_kernel::Action::Set => "set (on --apply)",
            plan_kernel::Action::Unchanged => "unchanged",
            plan_kernel::Action::KeepHigher => "keep (higher; --force lowers)",
            plan_kernel::Action::NotApplicable => "not applicable here",
        };
        t.add_row(vec![
            i.key.as_str(),
            i.before.as_deref().unwrap_or("(absent)"),
            &i.after,
            action,
        ]);
    }
    writeln!(w, "{t}")?;
    write!(w, "{}", r.diff)?;
    let pending = r.items.iter().any(|i| i.action == plan_kernel::Action::Set);
    if !pending && r.diff.is_empty() {
        writeln!(
            w,
            "nothing to change: live values and {} already match",
            r.persist
        )?;
    } else if r.applied {
        writeln!(w, "applied; persisted in {}", r.persist)?;
    } else {
        writeln!(w, "dry run: nothing written; rerun with --apply")?;
    }
    for warning in &r.warnings {
        writeln!(w, "warning: {warning}")?;
    }
    Ok(())
}
