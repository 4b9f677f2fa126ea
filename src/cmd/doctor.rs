//! `statectl doctor` and `statectl preflight`: resolve targets, probe them all concurrently,
//! run the selected checks, render the report.

use std::io::{IsTerminal, Write};
use std::time::{Instant, SystemTime};

use crate::cli::{CheckArgs, Format, OutputArgs};
use crate::config::{Thresholds, Timing};
use crate::doctor::{self, Area, Check, Observations, Tag};
use crate::exit::Exit;
use crate::model::Report;
use crate::probe;
use crate::render::{self, Style};
use crate::target::{PgEnv, PostgresTarget, RedisAuthSources, RedisTarget, DEFAULT_REDIS};

/// Everything a run needs, resolved and validated before any probe starts.
pub struct Plan {
    /// The selected checks.
    pub checks: Vec<Check>,
    /// Redis targets.
    pub redis: Vec<RedisTarget>,
    /// PostgreSQL targets.
    pub postgres: Vec<PostgresTarget>,
    /// Thresholds.
    pub thresholds: Thresholds,
    /// Timeout and sample window.
    pub timing: Timing,
    /// Interfaces for the NIC checks.
    pub ifaces: Vec<String>,
}

/// Resolves flags, environment and config file into a [`Plan`]; bad input is a UsageError.
pub fn plan(args: &CheckArgs, tag: Tag) -> anyhow::Result<Plan> {
    let checks = doctor::select(tag, &args.only, &args.skip)?;
    let thresholds = Thresholds::load(args.config.as_deref())?;
    let t = &args.targets;
    // With no target named at all, check the local defaults; naming any target replaces them.
    let defaults = t.redis.is_empty() && t.postgres.is_empty();
    let redis_urls: Vec<String> = if defaults {
        vec![DEFAULT_REDIS.to_string()]
    } else {
        t.redis.clone()
    };
    let auth = RedisAuthSources::from_env(t.redis_password_file.clone());
    let redis = if doctor::needs(&checks, Area::Redis) {
        redis_urls
            .iter()
            .map(|u| RedisTarget::parse(u, &auth))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let pg_conns: Vec<String> = if defaults {
        vec![String::new()]
    } else {
        t.postgres.clone()
    };
    let env = PgEnv::from_env();
    let postgres = if doctor::needs(&checks, Area::Postgres) {
        pg_conns
            .iter()
            .map(|c| PostgresTarget::parse(c, &env))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let root = probe::kernel::KernelRoot::from_env();
    let ifaces = if !doctor::needs(&checks, Area::Nic) {
        Vec::new()
    } else if t.iface.is_empty() {
        probe::kernel::default_route_interfaces(&root)
    } else {
        for i in &t.iface {
            if !probe::nic::exists(&root, i) {
                return Err(crate::exit::UsageError(format!(
                    "--iface {i}: no such network interface"
                ))
                .into());
            }
        }
        t.iface.clone()
    };
    Ok(Plan {
        ifaces,
        checks,
        redis,
        postgres,
        thresholds,
        timing: Timing {
            timeout: t.timeout,
            sample: t.sample,
        },
    })
}

/// Runs every probe the plan needs, concurrently; one target's failure never stops another.
pub async fn observe(plan: &Plan) -> Observations {
    let timeout = plan.timing.timeout;
    let root = probe::kernel::KernelRoot::from_env();
    let redis_probe = probe::redis::RedisProbe {
        timeout,
        sample: plan.timing.sample,
        ttl_sample_keys: plan.thresholds.redis.ttl_sample_keys,
        full: doctor::needs_full(&plan.checks, Area::Redis),
        root: root.clone(),
    };
    let pg_window = doctor::needs_full(&plan.checks, Area::Postgres).then_some(plan.timing.sample);
    let redis = futures::future::join_all(
        plan.redis
            .iter()
            .map(|t| probe::redis::observe(t, &redis_probe)),
    );
    let postgres = futures::future::join_all(
        plan.postgres
            .iter()
            .map(|t| probe::postgres::observe(t, timeout, pg_window)),
    );
    let kernel_window =
        doctor::needs_full(&plan.checks, Area::Kernel).then_some(plan.timing.sample);
    let kernel = async {
        if doctor::needs(&plan.checks, Area::Kernel) {
            Some(probe::kernel::observe(&root, kernel_window).await)
        } else {
            None
        }
    };
    let nic = futures::future::join_all(
        plan.ifaces
            .iter()
            .map(|i| probe::nic::observe(&root, i, plan.timing.sample, timeout)),
    );
    // every probe, every window, at once
    let (redis, postgres, mut kernel, nic) = tokio::join!(redis, postgres, kernel, nic);
    if let Some(k) = kernel.as_mut() {
        // kernel.somaxconn compares against local Redis servers' tcp-backlog
        for r in &redis {
            if let Ok(snap) = &r.result {
                if snap.local.is_some() {
                    if let Some(b) = snap
                        .config
                        .as_ref()
                        .ok()
                        .and_then(|c| c.get("tcp-backlog"))
                        .and_then(|b| b.parse().ok())
                    {
                        k.redis_backlogs.push((r.target.clone(), b));
                    }
                }
            }
        }
    }
    Observations {
        redis,
        postgres,
        nic,
        kernel,
    }
}

fn list(w: &mut dyn Write, checks: &[Check], format: Format, style: Style) -> anyhow::Result<()> {
    if format == Format::Json {
        let items: Vec<_> = checks
            .iter()
            .map(|c| serde_json::json!({"id": c.id, "area": c.area.as_str(), "doc": c.doc}))
            .collect();
        return render::json::write(w, &items);
    }
    let mut t = render::table::new_table(style, &["CHECK", "AREA", "WHAT IT CHECKS"]);
    for c in checks {
        t.add_row(vec![c.id, c.area.as_str(), c.doc]);
    }
    writeln!(w, "{t}")?;
    Ok(())
}

/// `statectl doctor` / `statectl preflight`.
pub async fn run(args: &CheckArgs, tag: Tag, out: &OutputArgs) -> anyhow::Result<Exit> {
    let style = Style::resolve(out.color, out.quiet, out.verbose);
    let stdout = &mut std::io::stdout().lock();
    if args.list {
        let checks = doctor::select(tag, &args.only, &args.skip)?;
        list(stdout, &checks, out.format, style)?;
        return Ok(Exit::Ok);
    }
    let plan = plan(args, tag)?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let spinner = (!out.quiet && std::io::stderr().is_terminal()).then(|| {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message(format!(
            "probing {} redis, {} postgres target(s)…",
            plan.redis.len(),
            plan.postgres.len()
        ));
        s.enable_steady_tick(std::time::Duration::from_millis(100));
        s
    });
    let obs = observe(&plan).await;
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let findings = doctor::evaluate(&plan.checks, &obs, &plan.thresholds);
    let report = Report::new(started, clock.elapsed().as_millis() as u64, findings);
    render::report(stdout, out.format, style, &report)?;
    stdout.flush()?;
    Ok(Exit::from_findings(&report.findings))
}
