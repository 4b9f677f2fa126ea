//! `statectl bench redis|postgres`: set up, load, clean up, report.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bench::postgres::{self as pgload, PgLoad};
use crate::bench::redis::{self as rload, RedisLoad};
use crate::bench::stats::{self, BenchReport, Recorder, RunShape};
use crate::cancel::CancellationToken;
use crate::cli::{BenchPostgresArgs, BenchRedisArgs, Format, OutputArgs};
use crate::exit::{Exit, UsageError};
use crate::render::{self, Style};
use crate::targets::{PgEnv, PostgresTarget, RedisAuthSources, RedisTarget};

/// The load generator's runtime: one thread, or `--threads` workers.
fn runtime(threads: usize) -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()?
    })
}

fn check(
    out: &OutputArgs,
    connections: usize,
    depth: usize,
    ratio: f64,
    slo: bool,
) -> Result<(), UsageError> {
    if slo
        && !matches!(
            out.format,
            Format::Table | Format::Json | Format::Junit | Format::Prometheus
        )
    {
        return Err(UsageError(
            "--format: bench --slo prints table, json, junit or prometheus".into(),
        ));
    }
    if !slo && !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError(
            "--format: bench prints table or json (junit and prometheus with --slo)".into(),
        ));
    }
    if connections == 0 || depth == 0 {
        return Err(UsageError(
            "-c and the pipeline depth must be at least 1".into(),
        ));
    }
    if !(0.0..=1.0).contains(&ratio) {
        return Err(UsageError(format!(
            "--read-ratio {ratio}: must be between 0 and 1"
        )));
    }
    Ok(())
}

/// A progress bar on stderr (TTY only) fed from a shared counter until `finished` is set.
fn progress(
    out: &OutputArgs,
    total: Option<u64>,
    duration: Option<Duration>,
    done: Arc<AtomicU64>,
    finished: CancellationToken,
) -> Option<tokio::task::JoinHandle<()>> {
    if out.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match (total, duration) {
        (Some(t), _) => indicatif::ProgressBar::new(t),
        (None, Some(d)) => indicatif::ProgressBar::new(d.as_millis() as u64),
        _ => indicatif::ProgressBar::new_spinner(),
    };
    let by_time = total.is_none();
    let start = Instant::now();
    Some(tokio::spawn(async move {
        while crate::cancel::sleep(&finished, Duration::from_millis(100)).await {
            if by_time {
                bar.set_position(start.elapsed().as_millis() as u64);
            } else {
                bar.set_position(done.load(Ordering::Relaxed));
            }
            bar.set_message(format!("{} requests", done.load(Ordering::Relaxed)));
        }
        bar.finish_and_clear();
    }))
}

/// Starts the connection tasks `spawn` makes at one instant, shows progress, and merges what
/// they recorded: (recorder, wall time, client CPU, whether any ended early).
async fn measure(
    out: &OutputArgs,
    requests: Option<u64>,
    duration: Option<Duration>,
    counter: Arc<AtomicU64>,
    spawn: impl FnOnce(Instant) -> Vec<tokio::task::JoinHandle<(Recorder, bool)>>,
) -> anyhow::Result<(Recorder, Duration, Duration, bool)> {
    let finished = CancellationToken::new();
    let bar = progress(out, requests, duration, counter, finished.clone());
    let cpu0 = crate::bench::process_cpu();
    let start = Instant::now();
    let tasks = spawn(start);
    let mut rec = Recorder::default();
    let mut partial = false;
    for t in tasks {
        let (r, p) = t.await?;
        rec.merge(&r);
        partial |= p;
    }
    let wall = start.elapsed();
    let cpu = crate::bench::process_cpu().saturating_sub(cpu0);
    finished.cancel();
    if let Some(b) = bar {
        let _ = b.await;
    }
    Ok((rec, wall, cpu, partial))
}

/// `--threads N` for Redis: N threads, each a single-threaded runtime with its share of the
/// connections (connection i on thread i % N), no work stealing between them. All connect
/// first; the clock starts when every thread is ready.
async fn threaded(
    out: &OutputArgs,
    load: &Arc<rload::RedisLoad>,
    threads: usize,
    done: Arc<AtomicU64>,
) -> anyhow::Result<(Recorder, Duration, Duration, bool)> {
    use std::sync::{Barrier, OnceLock};
    let threads = threads.min(load.connections).max(1);
    let ready = Arc::new(Barrier::new(threads + 1));
    let start_at = Arc::new(OnceLock::<Instant>::new());
    let go = Arc::new(Barrier::new(threads + 1));
    let quotas = rload::quotas(load.requests, load.connections);
    let mut handles = Vec::new();
    for t in 0..threads {
        let mine: Vec<(usize, Option<u64>)> = (t..load.connections)
            .step_by(threads)
            .map(|i| (i, quotas[i]))
            .collect();
        let (load, done) = (load.clone(), done.clone());
        let (ready, go, start_at) = (ready.clone(), go.clone(), start_at.clone());
        handles.push(std::thread::spawn(
            move || -> anyhow::Result<(Recorder, bool)> {
                let rt = runtime(1)?;
                rt.block_on(async move {
                    let mut streams = Vec::new();
                    let mut failed = None;
                    for (i, _) in &mine {
                        match rload::connect_one(&load, rload::addr_for(&load, *i)).await {
                            Ok(s) => streams.push(s),
                            Err(e) => {
                                failed = Some(e);
                                break;
                            }
                        }
                    }
                    ready.wait();
                    go.wait();
                    if let Some(e) = failed {
                        return Err(e);
                    }
                    let start = *start_at.get().expect("set before the go barrier");
                    let runs = streams.into_iter().zip(mine).map(|(s, (i, q))| {
                        rload::drive(s, i, load.clone(), q, start, done.clone())
                    });
                    let mut rec = Recorder::default();
                    let mut partial = false;
                    for (r, p) in futures::future::join_all(runs).await {
                        rec.merge(&r);
                        partial |= p;
                    }
                    Ok((rec, partial))
                })
            },
        ));
    }
    let wait = |b: Arc<Barrier>| tokio::task::spawn_blocking(move || b.wait());
    wait(ready).await?;
    let finished = CancellationToken::new();
    let bar = progress(out, load.requests, load.duration, done, finished.clone());
    let cpu0 = crate::bench::process_cpu();
    let start = Instant::now();
    let _ = start_at.set(start);
    wait(go).await?;
    let mut rec = Recorder::default();
    let mut partial = false;
    let mut first_error = None;
    for h in handles {
        let joined = tokio::task::spawn_blocking(move || h.join()).await?;
        match joined {
            Ok(Ok((r, p))) => {
                rec.merge(&r);
                partial |= p;
            }
            Ok(Err(e)) => first_error = first_error.or(Some(e)),
            Err(_) => first_error = first_error.or(Some(anyhow::anyhow!("a load thread panicked"))),
        }
    }
    let wall = start.elapsed();
    let cpu = crate::bench::process_cpu().saturating_sub(cpu0);
    finished.cancel();
    if let Some(b) = bar {
        let _ = b.await;
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok((rec, wall, cpu, partial)),
    }
}

/// Cleanup after a run, bounded: by `timeout`, or by the grace period after Ctrl-C, so a server
/// that froze (its locks held) cannot keep the run from ending.
async fn bounded_cleanup<T, E: std::fmt::Display>(
    cancel: &CancellationToken,
    timeout: Duration,
    work: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    let limit = if cancel.is_cancelled() {
        crate::cancel::GRACE
    } else {
        timeout
    };
    match tokio::time::timeout(limit, work).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "no answer within {}",
            humantime::format_duration(limit)
        )),
    }
}

fn finish(out: &OutputArgs, r: &BenchReport) -> anyhow::Result<Exit> {
    let stdout = &mut std::io::stdout().lock();
    match out.format {
        Format::Json => render::json::write(stdout, r)?,
        _ => render::bench::report(stdout, Style::resolve(out.color, out.quiet, out.verbose), r)?,
    }
    Ok(stats::exit(r))
}

/// `statectl bench redis`.
pub fn redis(
    a: &BenchRedisArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    check(
        out,
        a.connections,
        a.pipeline,
        a.read_ratio,
        a.slo.slo.is_some(),
    )?;
    let objective = super::slo::objective(&a.slo)?;
    let target = RedisTarget::parse(&a.redis, &RedisAuthSources::from_env(None, &a.redis_tls))?;
    let settings = target.info.redis_settings();
    let mut load = RedisLoad {
        addr: target.host_port(),
        auth: settings
            .password()
            .map(|p| (settings.username().map(str::to_string), p.to_string())),
        db: settings.db(),
        connections: a.connections,
        requests: stats::request_budget(a.requests, a.duration),
        duration: a.duration,
        pipeline: a.pipeline,
        workload: a.workload,
        keyspace: a.keyspace.max(1),
        value_size: a.value_size,
        ttl: a.ttl,
        rate: a.rate,
        read_ratio: a.read_ratio,
        timeout: a.timeout,
        cancel: cancel.clone(),
        tls: target.tls.clone().map(|c| (target.host.clone(), c)),
        cluster: None,
    };
    // the load runs on its own threads (threaded); this runtime only sets up and watches
    let rt = runtime(1)?;
    let report = rt.block_on(async {
        let (mut session, _) = crate::probe::redis::RedisSession::connect(&target, a.timeout)
            .await
            .map_err(|e| anyhow::anyhow!("--redis {}: {e}", target.label))?;
        load.cluster = cluster_plan(&mut session, &target, a).await?;
        let load = Arc::new(load);
        // one session per master on a cluster (seeding and cleanup go where the keys live)
        let mut sessions = match &load.cluster {
            None => vec![session],
            Some(c) => master_sessions(&target, c, a.timeout).await?,
        };
        for (i, s) in sessions.iter_mut().enumerate() {
            let only = load.cluster.as_ref().map(|c| c.keys[i].as_slice());
            rload::prepare_keys(s.connection(), &load, only)
                .await
                .map_err(|e| anyhow::anyhow!("{}: seeding keys: {e}", target.label))?;
        }
        let result = match &objective {
            None => run_redis(out, &load, a.threads).await.map(Outcome::Single),
            Some(slo) => {
                let step = |rate: u64, d: Duration| {
                    let l = Arc::new(RedisLoad {
                        rate: Some(rate),
                        duration: Some(d),
                        requests: None,
                        ..(*load).clone()
                    });
                    async move {
                        // each master's recorder, for this step alone
                        let take = |c: &crate::bench::cluster::Cluster| {
                            c.per_master
                                .lock()
                                .map(|mut p| {
                                    let fresh = vec![Recorder::default(); p.len()];
                                    std::mem::replace(&mut *p, fresh)
                                })
                                .unwrap_or_default()
                        };
                        if let Some(c) = &l.cluster {
                            take(c);
                        }
                        let r = run_redis(out, &l, a.threads).await?;
                        let nodes = match &l.cluster {
                            Some(c) => c.masters.iter().cloned().zip(take(c)).collect(),
                            None => Vec::new(),
                        };
                        Ok((r, nodes))
                    }
                };
                super::slo::search(&a.slo, slo, out, a.threads, cancel, step)
                    .await
                    .map(Outcome::Slo)
            }
        };
        // Clean up even after a failed run; a dead server cannot be cleaned and says so.
        if !a.keep_keys {
            for s in &mut sessions {
                let done = bounded_cleanup(cancel, a.timeout, rload::cleanup(s.connection()));
                if let Err(e) = done.await {
                    // one line per kind of error (a failed pipeline says each kind once)
                    for line in e.lines() {
                        eprintln!(
                            "statectl: could not delete {}* keys: {line}",
                            rload::NAMESPACE
                        );
                    }
                }
            }
        }
        let shape = RunShape {
            kind: "redis",
            target: target.label.clone(),
            workload: format!("{:?}", a.workload).to_lowercase(),
            connections: a.connections,
            pipeline: a.pipeline,
            rate: a.rate,
            threads: a.threads.max(1),
        };
        let (rec, wall, cpu, partial) = match result? {
            Outcome::Slo(found) => return anyhow::Ok(Done::Slo(shape, found)),
            Outcome::Single(r) => r,
        };
        let mut report = stats::summarize(&shape, &rec, wall, cpu, partial);
        if let Some(c) = &load.cluster {
            report.cluster = Some(cluster_report(c, &shape, wall, cpu));
        }
        anyhow::Ok(Done::Single(report))
    })?;
    done(out, &a.slo, report)
}

/// One run of the Redis load as `load` shapes it, on `threads` threads.
async fn run_redis(
    out: &OutputArgs,
    load: &Arc<RedisLoad>,
    threads: usize,
) -> super::slo::RunResult {
    let done = Arc::new(AtomicU64::new(0));
    if threads > 1 {
        return threaded(out, load, threads, done).await;
    }
    let streams = rload::connect_all(load).await?;
    measure(out, load.requests, load.duration, done.clone(), |start| {
        streams
            .into_iter()
            .zip(rload::quotas(load.requests, load.connections))
            .enumerate()
            .map(|(i, (s, q))| {
                tokio::spawn(rload::drive(s, i, load.clone(), q, start, done.clone()))
            })
            .collect()
    })
    .await
}

/// What the load phase gave: one run, or a capacity search.
enum Outcome {
    Single((Recorder, Duration, Duration, bool)),
    Slo(
        (
            statectl_core::slo::SloAnswer,
            Vec<super::slo::StepHistogram>,
        ),
    ),
}

/// What a bench subcommand reports.
enum Done {
    Single(BenchReport),
    Slo(
        RunShape,
        (
            statectl_core::slo::SloAnswer,
            Vec<super::slo::StepHistogram>,
        ),
    ),
}

/// Prints the report (and writes --hdr-log) and gives the exit.
fn done(out: &OutputArgs, a: &crate::cli::SloArgs, d: Done) -> anyhow::Result<Exit> {
    let (shape, (answer, steps)) = match d {
        Done::Single(r) => return finish(out, &r),
        Done::Slo(shape, found) => (shape, found),
    };
    if let Some(path) = &a.hdr_log {
        let bytes = super::slo::hdr_log(&steps)?;
        crate::atomic::write(path, &bytes, 0o644)
            .map_err(|e| anyhow::anyhow!("--hdr-log {}: {e}", path.display()))?;
    }
    let report = statectl_core::slo::SloReport::new(
        shape.kind,
        &shape.target,
        &shape.workload,
        shape.connections,
        shape.threads,
        answer,
    );
    let stdout = &mut std::io::stdout().lock();
    let style = Style::resolve(out.color, out.quiet, out.verbose);
    match out.format {
        Format::Json => render::json::write(stdout, &report)?,
        Format::Junit => render::bench::slo_junit(stdout, &report)?,
        Format::Prometheus => render::bench::slo_prometheus(stdout, &report)?,
        _ => render::bench::slo(stdout, style, &report)?,
    }
    Ok(statectl_core::slo::exit(&report.slo))
}

/// The slot map and per-master key split when the server is a Cluster node (or --cluster).
async fn cluster_plan(
    session: &mut crate::probe::redis::RedisSession,
    target: &RedisTarget,
    a: &BenchRedisArgs,
) -> anyhow::Result<Option<Arc<crate::bench::cluster::Cluster>>> {
    let info: String = session
        .cmd(
            redis::cmd("INFO").arg("cluster"),
            "waiting for INFO cluster",
        )
        .await
        .map_err(|e| anyhow::anyhow!("--redis {}: {e}", target.label))?;
    let enabled = info.lines().any(|l| l.trim_end() == "cluster_enabled:1");
    if !enabled {
        if a.cluster {
            return Err(UsageError(format!(
                "--cluster: {} is not a Redis Cluster node (cluster_enabled:0)",
                target.label
            ))
            .into());
        }
        return Ok(None);
    }
    let slots: redis::Value = session
        .cmd(
            redis::cmd("CLUSTER").arg("SLOTS"),
            "waiting for CLUSTER SLOTS",
        )
        .await
        .map_err(|e| anyhow::anyhow!("--redis {}: {e}", target.label))?;
    let ranges = crate::bench::cluster::parse_slots(&slots, &target.host);
    let plan = crate::bench::cluster::Cluster::new(&ranges, a.keyspace.max(1))
        .map_err(|e| anyhow::anyhow!("--redis {}: {e}", target.label))?;
    Ok(Some(Arc::new(plan)))
}

/// A session to each master, with the target's credentials and TLS.
async fn master_sessions(
    target: &RedisTarget,
    c: &crate::bench::cluster::Cluster,
    timeout: Duration,
) -> anyhow::Result<Vec<crate::probe::redis::RedisSession>> {
    let mut out = Vec::new();
    for m in &c.masters {
        let (host, port) = m.rsplit_once(':').unwrap_or((m, "6379"));
        let member = crate::targets::Member {
            deployment: format!("cluster:{}", target.host_port()),
            role: "master".into(),
        };
        let t = target.at(
            host.trim_matches(|c| c == '[' || c == ']'),
            port.parse().unwrap_or(6379),
            member,
        );
        let (s, _) = crate::probe::redis::RedisSession::connect(&t, timeout)
            .await
            .map_err(|e| anyhow::anyhow!("{m}: {e}"))?;
        out.push(s);
    }
    Ok(out)
}

/// Per-master figures and redirections of a cluster run.
fn cluster_report(
    c: &crate::bench::cluster::Cluster,
    shape: &stats::RunShape,
    wall: Duration,
    cpu: Duration,
) -> stats::ClusterReport {
    let per = c.per_master.lock().map(|p| p.clone()).unwrap_or_default();
    stats::ClusterReport {
        masters: c
            .masters
            .iter()
            .zip(per.iter())
            .map(|(m, r)| {
                let s = stats::summarize(shape, r, wall, cpu, false);
                stats::NodeReport {
                    node: m.clone(),
                    requests: s.requests,
                    errors: s.errors,
                    rps: s.rps,
                    latency_ms: s.latency_ms,
                }
            })
            .collect(),
        moved: c.moved.load(std::sync::atomic::Ordering::Relaxed),
        asked: c.asked.load(std::sync::atomic::Ordering::Relaxed),
    }
}

/// `statectl bench postgres`.
pub fn postgres(
    a: &BenchPostgresArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    check(
        out,
        a.connections,
        a.depth,
        a.read_ratio,
        a.slo.slo.is_some(),
    )?;
    let objective = super::slo::objective(&a.slo)?;
    let target = PostgresTarget::parse(a.postgres.as_deref().unwrap_or(""), &PgEnv::from_env())?;
    let load = Arc::new(PgLoad {
        connections: a.connections,
        requests: stats::request_budget(a.requests, a.duration),
        duration: a.duration,
        depth: a.depth,
        keyspace: a.keyspace.max(1),
        read_ratio: a.read_ratio,
        rate: a.rate,
        cancel: cancel.clone(),
        timeout: a.timeout,
    });
    let rt = runtime(a.threads)?;
    let report = rt.block_on(async {
        let connect = || crate::probe::postgres::PostgresSession::connect(&target, a.timeout);
        let admin = connect()
            .await
            .map_err(|e| anyhow::anyhow!("--postgres {}: {e}", target.label))?;
        pgload::prepare(&admin.client, load.keyspace)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", target.label))?;
        let result = async {
            let mut clients = Vec::new();
            for _ in 0..load.connections {
                let s = connect()
                    .await
                    .map_err(|e| anyhow::anyhow!("--postgres {}: {e}", target.label))?;
                clients.push(Arc::new(s.client));
            }
            let run = |load: Arc<PgLoad>| {
                let clients = clients.clone();
                async move {
                    let budget = Arc::new(AtomicU64::new(0));
                    measure(out, load.requests, load.duration, budget.clone(), |start| {
                        clients
                            .into_iter()
                            .enumerate()
                            .map(|(i, c)| {
                                tokio::spawn(pgload::drive(
                                    c,
                                    i,
                                    load.clone(),
                                    budget.clone(),
                                    start,
                                ))
                            })
                            .collect()
                    })
                    .await
                }
            };
            match &objective {
                None => run(load.clone()).await.map(Outcome::Single),
                Some(slo) => {
                    let step = |rate: u64, d: Duration| {
                        let r = run(Arc::new(PgLoad {
                            rate: Some(rate),
                            duration: Some(d),
                            requests: None,
                            ..(*load).clone()
                        }));
                        async move { r.await.map(|r| (r, Vec::new())) }
                    };
                    super::slo::search(&a.slo, slo, out, a.threads, cancel, step)
                        .await
                        .map(Outcome::Slo)
                }
            }
        }
        .await;
        if !a.keep {
            let done = bounded_cleanup(cancel, a.timeout, pgload::cleanup(&admin.client));
            if let Err(e) = done.await {
                eprintln!(
                    "statectl: could not drop schema {0}: {e}; drop it with DROP SCHEMA {0} CASCADE",
                    pgload::SCHEMA
                );
            }
        }
        let shape = RunShape {
            kind: "postgres",
            target: target.label.clone(),
            workload: format!("session read/upsert {:.0}% reads", load.read_ratio * 100.0),
            connections: load.connections,
            pipeline: load.depth,
            rate: load.rate,
            threads: a.threads.max(1),
        };
        match result? {
            Outcome::Slo(found) => anyhow::Ok(Done::Slo(shape, found)),
            Outcome::Single((rec, wall, cpu, partial)) => anyhow::Ok(Done::Single(
                stats::summarize(&shape, &rec, wall, cpu, partial),
            )),
        }
    })?;
    done(out, &a.slo, report)
}
