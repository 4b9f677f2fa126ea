//! `statectl tune …`: read the current state, plan with the pure planners in `tune/`, print the
//! plan (dry run) or apply it and read the result back.

use std::io::Write;

use serde::Serialize;

use crate::cli::{Format, OutputArgs, TunePostgresArgs};
use crate::exit::{Exit, UsageError};
use crate::probe::postgres::{reason, PostgresSession};
use crate::render::{self, Style};
use crate::target::{PgEnv, PostgresTarget};
use crate::tune::{self, postgres as plan_pg};

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

/// `statectl tune postgres`.
pub async fn postgres(a: &TunePostgresArgs, out: &OutputArgs) -> anyhow::Result<Exit> {
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
    let style = Style::resolve(out.color, out.quiet, out.verbose);
    let stdout = &mut std::io::stdout().lock();
    if out.format == Format::Json {
        render::json::write(stdout, &report)?;
    } else if out.format == Format::Table {
        print_postgres(stdout, style, &report)?;
    } else {
        return Err(UsageError(
            format!(
                "--format {:?} is not available for tune; use table or json",
                out.format
            )
            .to_lowercase(),
        )
        .into());
    }
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
