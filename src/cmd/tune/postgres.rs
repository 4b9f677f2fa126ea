//! `statectl tune postgres`: plan against pg_settings; --apply runs ALTER SYSTEM and reloads.

use super::{check_format, emit};
use crate::cli::{OutputArgs, TunePostgresArgs};
use crate::exit::Exit;
use crate::probe::postgres::{reason, PostgresSession};
use crate::render;
use crate::targets::{PgEnv, PostgresTarget};
use crate::tune::{self, postgres as plan_pg};

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
    // a server that cannot say which settings it hides still has its known secrets masked
    let superuser_only = session.superuser_only_settings().await.unwrap_or_default();
    let mut desired = plan_pg::profile(&a.profile, &settings)?;
    desired.extend(sets);
    let items = plan_pg::plan(&settings, &pending, &desired, &superuser_only)?;
    let changing: Vec<plan_pg::Item> = items.iter().filter(|i| i.changes()).cloned().collect();
    let statements: Vec<String> = changing.iter().map(plan_pg::alter_system_shown).collect();
    let mut report = plan_pg::Report {
        target: target.label.clone(),
        applied: a.apply,
        changed: false,
        restart_required: items.iter().any(|i| {
            matches!(
                i.action,
                plan_pg::Action::Restart | plan_pg::Action::PendingRestart
            )
        }),
        pending_restart: plan_pg::pending_restart(&settings),
        items,
        statements,
        errors: Vec::new(),
        failed: None,
        ran: Vec::new(),
    };
    if a.apply && !changing.is_empty() {
        for (item, shown) in changing.iter().zip(&report.statements) {
            match session
                .execute(&plan_pg::alter_system(item), "running ALTER SYSTEM")
                .await
            {
                Ok(()) => report.ran.push(shown.clone()),
                Err(e) => {
                    report.failed = Some(format!("{shown}: {}", item.masked(&reason(e))));
                    break;
                }
            }
        }
        if report.failed.is_none() {
            report.ran.clear();
        }
        // what ran is reloaded either way, so the server runs what its files now say
        session.reload(a.timeout).await.map_err(fail)?;
        report.changed = report.failed.is_none() || !report.ran.is_empty();
        let after = session
            .settings()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", target.label))?;
        report.pending_restart = plan_pg::pending_restart(&after);
        report.errors = session
            .file_settings()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", target.label))?
            .1;
    }
    emit(out, &report, render::tune::postgres)?;
    Ok(if report.errors.is_empty() && report.failed.is_none() {
        Exit::Ok
    } else {
        Exit::Fail
    })
}
