//! `statectl tune` reports as tables: the plan, the diff, and what was applied.

use std::io::Write;

use super::{escape, Style};
use crate::tune::{kernel as plan_kernel, postgres as plan_pg, redis as plan_redis};

/// `tune postgres` as a table.
pub fn postgres(w: &mut dyn Write, style: Style, r: &plan_pg::Report) -> anyhow::Result<()> {
    let mut t = super::table::new_table(
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
            &escape(&i.before),
            &escape(&i.after),
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
    } else if let Some(why) = &r.failed {
        writeln!(w, "PARTLY APPLIED: {}", escape(why))?;
        writeln!(w, "ran and reloaded ({} of {n}):", r.ran.len())?;
        for s in &r.ran {
            writeln!(w, "  {s};")?;
        }
        writeln!(w, "not run: {}", n - r.ran.len())?;
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

/// `tune redis` as a table.
pub fn redis(w: &mut dyn Write, style: Style, r: &plan_redis::Report) -> anyhow::Result<()> {
    let mut t = super::table::new_table(
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
            &escape(i.before.as_deref().unwrap_or("(absent)")),
            &escape(&i.after),
            action,
            if i.live {
                "live (CONFIG SET)"
            } else {
                "restart"
            },
        ]);
    }
    writeln!(w, "{}\n{t}", r.config)?;
    if let Some(v) = &r.redis_version {
        writeln!(w, "checked against Redis {v}")?;
    }
    for warning in &r.warnings {
        writeln!(w, "warning: {}", escape(warning))?;
    }
    if let Some(root) = &r.host_root {
        writeln!(w, "host root: {root} (read and written below it)")?;
    }
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
        writeln!(
            w,
            "live: {} {} -> {} ({state})",
            l.name,
            escape(&l.before),
            escape(&l.after)
        )?;
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

/// `tune kernel` as a table.
pub fn kernel(w: &mut dyn Write, style: Style, r: &plan_kernel::Report) -> anyhow::Result<()> {
    if let Some(root) = &r.host_root {
        writeln!(
            w,
            "host root: {root} (live values and files are read and written below it)"
        )?;
    }
    let mut t = super::table::new_table(style, &["KEY", "CURRENT", "DESIRED", "ACTION"]);
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
    } else if let Some(why) = &r.failed {
        writeln!(w, "NOT APPLIED: {}", escape(why))?;
        if !r.rolled_back.is_empty() {
            writeln!(w, "put back as they were: {}", r.rolled_back.join(", "))?;
        }
        if !r.left_applied.is_empty() {
            writeln!(
                w,
                "could not be put back (hold the new value): {}",
                r.left_applied.join(", ")
            )?;
        }
        writeln!(w, "nothing persisted in {}", r.persist)?;
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
