//! `statectl logs`: the log area's probe, shown as a timeline per signature.

use std::io::Write;

use crate::cancel::CancellationToken;
use crate::cli::{Format, LogsArgs, OutputArgs};
use crate::config::{Thresholds, Timing};
use crate::doctor::{Area, Ctx};
use crate::exit::Exit;
use crate::model::Finding;
use crate::observe::Observed;
use crate::probe::kernel::HostRoot;
use crate::probe::ProbeContext;
use crate::render::{self, Style};
use crate::targets::Targets;

/// `statectl logs`.
pub async fn run(
    args: &LogsArgs,
    out: &OutputArgs,
    root: &HostRoot,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(crate::exit::UsageError(
            "--format: logs prints table or json (junit and prometheus are doctor's)".into(),
        )
        .into());
    }
    let targets = Targets::resolve(&args.targets, crate::areas::entry(Area::Log).inputs, root)?;
    let cx = ProbeContext {
        targets,
        timing: Timing {
            timeout: args.targets.timeout,
            sample: args.targets.sample,
        },
        ttl_sample_keys: 0,
        full: Vec::new(),
        root: root.clone(),
        cancel: cancel.clone(),
        concurrency: args.targets.concurrency.into(),
        vantage: None,
    };
    let Observed::Log(obs) = crate::probe::log::observe_area(&cx).await else {
        anyhow::bail!("the log probe returned another area's observation");
    };
    let style = Style::resolve(out.color, out.quiet, out.verbose);
    let stdout = &mut std::io::stdout().lock();
    match out.format {
        Format::Json => render::logs::json(stdout, &obs)?,
        _ => render::logs::table(stdout, style, &obs, args.lines)?,
    }
    stdout.flush()?;
    // the exit code doctor's log.* checks would give
    let thresholds = Thresholds::default();
    let t = Ctx::of(&thresholds);
    let findings: Vec<Finding> = render::logs::scans(&obs)
        .into_iter()
        .map(|s| Finding::new("log", &s.target, crate::doctor::log::judge(s, &t)))
        .collect();
    Ok(Exit::from_findings(&findings))
}
