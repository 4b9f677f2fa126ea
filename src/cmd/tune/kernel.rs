//! `statectl tune kernel`: plan sysctls (raise only, unless --force); --apply sets them live and
//! persists them in a sysctl.d drop-in.

use super::{check_format, emit};
use crate::cli::{OutputArgs, TuneKernelArgs};
use crate::exit::{Exit, UsageError};
use crate::probe::kernel::HostRoot;
use crate::probe::sysctl;
use crate::render;
use crate::tune::{self, kernel as plan_kernel};

/// `statectl tune kernel`.
pub fn kernel(a: &TuneKernelArgs, out: &OutputArgs, root: &HostRoot) -> anyhow::Result<Exit> {
    check_format(out)?;
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
    // a link to nowhere (or a loop) is refused before any value is set
    crate::atomic::target(&persist)
        .map_err(|e| UsageError(format!("--persist {}: {e}", persist.display())))?;
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
    let warnings = plan_kernel::overrides(&items, &sysctl::later_files(root, &persist));
    let mut report = plan_kernel::Report {
        host_root: root.shown(),
        applied: a.apply,
        changed: false,
        items,
        persist: path.clone(),
        diff,
        warnings,
        failed: None,
        rolled_back: Vec::new(),
        left_applied: Vec::new(),
    };
    if a.apply {
        let mut done: Vec<(String, String)> = Vec::new();
        for i in report
            .items
            .iter()
            .filter(|i| i.action == plan_kernel::Action::Set)
        {
            match sysctl::write(root, &i.key, &i.after) {
                Ok(()) => done.push((i.key.clone(), i.before.clone().unwrap_or_default())),
                Err(e) => {
                    report.failed = Some(format!("setting {} = {}: {e}", i.key, i.after));
                    break;
                }
            }
        }
        if report.failed.is_some() {
            // all or nothing: put back what this run set, newest first, and persist nothing
            for (key, before) in done.into_iter().rev() {
                match sysctl::write(root, &key, &before) {
                    Ok(()) => report.rolled_back.push(key),
                    Err(_) => report.left_applied.push(key),
                }
            }
            report.changed = !report.left_applied.is_empty();
            emit(out, &report, render::tune::kernel)?;
            return Ok(Exit::Fail);
        }
        report.changed |= !done.is_empty();
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
    emit(out, &report, render::tune::kernel)?;
    Ok(Exit::Ok)
}
