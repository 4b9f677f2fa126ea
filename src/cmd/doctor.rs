//! `statectl doctor` and `statectl preflight`: resolve targets, probe them all concurrently,
//! run the selected checks, render the report.

use std::io::{IsTerminal, Write};

use std::time::{Instant, SystemTime};

use crate::areas::{self, AreaEntry};
use crate::cancel::CancellationToken;
use crate::cli::{CheckArgs, OutputArgs};
use crate::config::{Thresholds, Timing};
use crate::doctor::{self, Check, Tag};
use crate::exit::Exit;
use crate::model::Report;
use crate::probe::kernel::HostRoot;
use crate::probe::ProbeContext;
use crate::render::{self, Style};
use crate::targets::Targets;

/// Everything a run needs, resolved and validated before any probe starts.
pub struct Plan {
    /// The selected checks.
    pub checks: Vec<Check>,
    /// The areas whose probes run.
    pub areas: Vec<&'static AreaEntry>,
    /// Thresholds.
    pub thresholds: Thresholds,
    /// What the probes get: targets, timing, host root.
    pub probe: ProbeContext,
}

/// Resolves flags, environment and config file into a [`Plan`]; bad input is a UsageError.
pub fn plan(
    args: &CheckArgs,
    tag: Tag,
    root: &HostRoot,
    cancel: &CancellationToken,
) -> anyhow::Result<Plan> {
    let mut checks = doctor::select(&areas::matrix(), tag, &args.only, &args.skip)?;
    // preflight needs no server running: it asks a server only when one is named (--redis,
    // --postgres) or a check of it is asked for by --only; the installed versions are its own
    let named = !args.targets.redis.is_empty() || !args.targets.postgres.is_empty();
    if tag == Tag::Preflight && !named && args.only.is_empty() {
        checks.retain(|c| !areas::entry(c.area).asks_a_server);
    }
    let files = args.out.iter().map(|p| ("--out", p));
    for (flag, out) in files.chain(args.report.iter().map(|(_, p)| ("--report", p))) {
        // the report is written through a symbolic link; one to nowhere is refused up front
        let file = crate::atomic::target(out)
            .map_err(|e| crate::exit::UsageError(format!("{flag} {}: {e}", out.display())))?;
        let dir = crate::atomic::parent(&file);
        if !dir.is_dir() {
            return Err(crate::exit::UsageError(format!(
                "{flag} {}: the directory {} does not exist",
                out.display(),
                dir.display()
            ))
            .into());
        }
    }
    let mut thresholds = crate::input::thresholds(args.config.as_deref())?;
    if let Some(rpo) = args.rpo {
        thresholds.replication.rpo = Some(rpo);
    }
    let vantage = match &args.from {
        Some(from) => Some(
            crate::probe::exposure::Vantage::parse(from, &args.ssh_option)
                .map_err(crate::exit::UsageError)?,
        ),
        None if !args.ssh_option.is_empty() => {
            return Err(
                crate::exit::UsageError("--ssh-option: only with --from ssh:HOST".into()).into(),
            )
        }
        None => None,
    };
    // parsed (bad input is refused) but used only when an exposure check is selected: the look
    // from outside costs connections and time that no other check reads
    let vantage = vantage.filter(|_| checks.iter().any(|c| c.id.ends_with(".exposure")));
    let areas = areas::needed(&checks);
    let targets = Targets::resolve(&args.targets, &crate::areas::inputs(&areas), root)?;
    let full = areas::full(&checks, &areas);
    Ok(Plan {
        probe: ProbeContext {
            targets,
            timing: Timing {
                timeout: args.targets.timeout,
                sample: args.targets.sample,
            },
            ttl_sample_keys: thresholds.redis.ttl_sample_keys,
            full,
            root: root.clone(),
            cancel: cancel.clone(),
            concurrency: args.targets.concurrency.into(),
            vantage,
        },
        checks,
        areas,
        thresholds,
    })
}

/// Expands Sentinel deployments and Cluster seeds into their nodes when a Redis, Sentinel or
/// Cluster check runs.
async fn discover(plan: &mut Plan, spinner: Option<&indicatif::ProgressBar>) {
    let wanted = plan.areas.iter().any(|a| a.discovers_nodes);
    if !wanted {
        return;
    }
    if let Some(s) = spinner {
        s.set_message("discovering Sentinel and Cluster topologies…");
    }
    let t = &mut plan.probe.targets;
    let named = t.redis.clone();
    let timeout = plan.probe.timing.timeout;
    let mut sentinels = t.sentinels.clone();
    let n = plan.probe.concurrency;
    let work = crate::probe::topology::discover(named, &mut sentinels, timeout, n);
    // Ctrl-C during discovery: probe what was named, as named (the probes end at once too)
    if let Some((redis, clusters, failures)) =
        crate::cancel::with_grace(&plan.probe.cancel, work).await
    {
        t.redis = redis;
        t.clusters = clusters;
        t.sentinels = sentinels;
        t.redis_failures = failures;
    }
}

/// `statectl doctor` / `statectl preflight`.
pub async fn run(
    args: &CheckArgs,
    tag: Tag,
    out: &OutputArgs,
    root: &HostRoot,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    // a file gets no colour codes, whatever stdout is
    let color = if args.out.is_some() {
        crate::cli::ColorChoice::Never
    } else {
        out.color
    };
    let style = Style::resolve(color, out.quiet, out.verbose);
    let stdout = &mut std::io::stdout().lock();
    if args.list {
        let checks = doctor::select(&areas::matrix(), tag, &args.only, &args.skip)?;
        // the docs show the thresholds in force: the defaults, or statectl.toml's
        let thresholds = crate::input::thresholds(args.config.as_deref())?;
        render::checks::list(stdout, &checks, &thresholds, out.format, style)?;
        return Ok(Exit::Ok);
    }
    let mut plan = plan(args, tag, root, cancel)?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let spinner = (!out.quiet && std::io::stderr().is_terminal()).then(|| {
        let s = indicatif::ProgressBar::new_spinner();
        s.enable_steady_tick(std::time::Duration::from_millis(100));
        s
    });
    discover(&mut plan, spinner.as_ref()).await;
    if let Some(s) = &spinner {
        s.set_message(format!(
            "probing {} target(s) in {} area(s)…",
            plan.probe.targets.count(),
            plan.areas.len()
        ));
    }
    let obs = areas::observe(&plan.checks, &plan.areas, &plan.probe).await;
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let findings = areas::evaluate(&plan.checks, &obs, &plan.thresholds);
    let mut report = Report::new(started, clock.elapsed().as_millis() as u64, findings);
    report.interrupted = cancel.is_cancelled();
    for (format, path) in &args.report {
        let mut buf = Vec::new();
        let plain = Style::resolve(crate::cli::ColorChoice::Never, false, out.verbose);
        render::report(&mut buf, *format, plain, &report)?;
        crate::atomic::write(path, &buf, 0o644)
            .map_err(|e| anyhow::anyhow!("--report {}: {e}", path.display()))?;
    }
    match &args.out {
        Some(path) => {
            let mut buf = Vec::new();
            render::report(&mut buf, out.format, style, &report)?;
            crate::atomic::write(path, &buf, 0o644)
                .map_err(|e| anyhow::anyhow!("--out {}: {e}", path.display()))?;
        }
        None => {
            render::report(stdout, out.format, style, &report)?;
            stdout.flush()?;
        }
    }
    let exit = Exit::from_report(&report.findings, args.strict);
    Ok(if report.interrupted {
        exit.merge(Exit::Interrupted)
    } else {
        exit
    })
}
