//! `statectl latency`: PING (or SELECT 1) at an interval, a row of percentiles per window with
//! spikes flagged, and an HDR summary at the end; redis-cli --latency-history done right.

use std::io::Write;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::bench::stats::{Percentiles, Recorder, LATENCY_TARGET_MS};
use crate::cli::{Format, LatencyArgs, OutputArgs};
use crate::exit::{Exit, UsageError};
use crate::probe::postgres::PostgresSession;
use crate::probe::redis::RedisSession;
use crate::target::{PgEnv, PostgresTarget, RedisAuthSources, RedisTarget, DEFAULT_REDIS};

/// A round trip above this is a spike (the brief's "latency spikes > 500ms").
const SPIKE_MS: f64 = 500.0;
/// Bound on one probe; a longer wait counts as an error.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// One window's row.
#[derive(Debug, Serialize)]
pub struct Window {
    /// Offset of the window's end from the start, ms.
    pub at_ms: u64,
    /// Successful probes.
    pub count: u64,
    /// Percentiles, ms (absent when no probe succeeded).
    pub latency_ms: Option<Percentiles>,
    /// Probes slower than 500 ms.
    pub spikes: u64,
    /// Failed probes.
    pub errors: u64,
}

/// The whole run, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct LatencyReport {
    /// The server (no password).
    pub target: String,
    /// What was sent.
    pub probe: String,
    /// Interval between probes, ms.
    pub interval_ms: u64,
    /// Every window.
    pub windows: Vec<Window>,
    /// Over the whole run.
    pub summary: Option<Percentiles>,
    /// Successful probes.
    pub count: u64,
    /// Probes slower than 500 ms.
    pub spikes: u64,
    /// Failed probes.
    pub errors: u64,
}

enum Conn {
    Redis(RedisTarget, Option<RedisSession>),
    Postgres(PostgresTarget, Option<PostgresSession>),
}

impl Conn {
    /// One probe; reconnects after a failure. Returns the round trip.
    async fn probe(&mut self) -> Result<Duration, String> {
        match self {
            Conn::Redis(t, s) => {
                if s.is_none() {
                    *s = Some(
                        RedisSession::connect(t, PROBE_TIMEOUT)
                            .await
                            .map_err(|e| e.to_string())?
                            .0,
                    );
                }
                let start = Instant::now();
                let r: Result<String, _> = s
                    .as_mut()
                    .unwrap()
                    .cmd(&redis::cmd("PING"), "waiting for PING")
                    .await;
                match r {
                    Ok(_) => Ok(start.elapsed()),
                    Err(e) => {
                        *s = None;
                        Err(e.to_string())
                    }
                }
            }
            Conn::Postgres(t, s) => {
                if s.is_none() {
                    *s = Some(
                        PostgresSession::connect(t, PROBE_TIMEOUT)
                            .await
                            .map_err(|e| e.to_string())?,
                    );
                }
                let start = Instant::now();
                let r = tokio::time::timeout(
                    PROBE_TIMEOUT,
                    s.as_ref().unwrap().client.simple_query("SELECT 1"),
                )
                .await;
                match r {
                    Ok(Ok(_)) => Ok(start.elapsed()),
                    Ok(Err(e)) => {
                        *s = None;
                        Err(e.to_string())
                    }
                    Err(_) => {
                        *s = None;
                        Err("timeout".into())
                    }
                }
            }
        }
    }
}

fn row(w: &mut dyn Write, win: &Window) -> std::io::Result<()> {
    let cell = |f: fn(&Percentiles) -> f64| {
        win.latency_ms
            .as_ref()
            .map_or("-".to_string(), |p| format!("{:.3}", f(p)))
    };
    writeln!(
        w,
        "{:>9.1} {:>7} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7}{}",
        win.at_ms as f64 / 1000.0,
        win.count,
        cell(|p| p.min),
        cell(|p| p.p50),
        cell(|p| p.p99),
        cell(|p| p.max),
        win.spikes,
        win.errors,
        if win.spikes > 0 {
            "  << spike > 500 ms"
        } else {
            ""
        }
    )
}

/// `statectl latency`.
pub async fn run(a: &LatencyArgs, out: &OutputArgs) -> anyhow::Result<Exit> {
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError("--format: latency prints table or json".into()).into());
    }
    let mut conn = match &a.postgres {
        Some(c) => Conn::Postgres(PostgresTarget::parse(c, &PgEnv::from_env())?, None),
        None => Conn::Redis(
            RedisTarget::parse(
                a.redis.as_deref().unwrap_or(DEFAULT_REDIS),
                &RedisAuthSources::from_env(None),
            )?,
            None,
        ),
    };
    let (target, probe) = match &conn {
        Conn::Redis(t, _) => (t.label.clone(), "PING"),
        Conn::Postgres(t, _) => (t.label.clone(), "SELECT 1"),
    };
    let table = out.format == Format::Table;
    let stdout = &mut std::io::stdout();
    if table {
        writeln!(
            stdout,
            "{probe} {target} every {} ms",
            a.interval.as_millis()
        )?;
        writeln!(
            stdout,
            "{:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7}",
            "time (s)", "probes", "min ms", "p50 ms", "p99 ms", "max ms", "spikes", "errors"
        )?;
    }
    let start = Instant::now();
    let mut total = Recorder::default();
    let mut win = Recorder::default();
    let mut windows = Vec::new();
    let (mut spikes, mut win_spikes) = (0, 0);
    let mut next_window = start + a.window;
    let mut tick = tokio::time::interval(a.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Listen for Ctrl-C from the start (a spawned task polls at once), so even an early
    // interrupt ends with the summary.
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop_tx.send(true);
        }
    });
    tokio::task::yield_now().await;
    loop {
        let done = a.duration.is_some_and(|d| start.elapsed() >= d);
        if Instant::now() >= next_window || done {
            let w = Window {
                at_ms: start.elapsed().as_millis() as u64,
                count: win.count(),
                latency_ms: (win.count() > 0).then(|| Percentiles::of(&win.latency)),
                spikes: win_spikes,
                errors: win.error_count(),
            };
            if table {
                row(stdout, &w)?;
                stdout.flush()?;
            }
            total.merge(&win);
            windows.push(w);
            win = Recorder::default();
            win_spikes = 0;
            next_window += a.window;
        }
        if done {
            break;
        }
        tokio::select! {
            _ = stop_rx.changed() => break,
            _ = tick.tick() => {}
        }
        match conn.probe().await {
            Ok(rtt) => {
                if rtt.as_secs_f64() * 1000.0 > SPIKE_MS {
                    win_spikes += 1;
                    spikes += 1;
                }
                win.ok(rtt);
            }
            Err(e) => win.error(&e, 1),
        }
    }
    total.merge(&win);
    let report = LatencyReport {
        target,
        probe: probe.to_string(),
        interval_ms: a.interval.as_millis() as u64,
        summary: (total.count() > 0).then(|| Percentiles::of(&total.latency)),
        count: total.count(),
        spikes,
        errors: total.error_count(),
        windows,
    };
    if table {
        match &report.summary {
            Some(p) => writeln!(
                stdout,
                "summary: {} probes, min {:.3} p50 {:.3} p90 {:.3} p99 {:.3} p99.9 {:.3} max {:.3} ms; {} spikes, {} errors",
                report.count, p.min, p.p50, p.p90, p.p99, p.p999, p.max, report.spikes, report.errors
            )?,
            None => writeln!(stdout, "summary: no probe succeeded; {} errors", report.errors)?,
        }
    } else {
        crate::render::json::write(stdout, &report)?;
    }
    Ok(if report.errors > 0 || report.spikes > 0 {
        Exit::Fail
    } else if report
        .summary
        .as_ref()
        .is_some_and(|p| p.p99 > LATENCY_TARGET_MS)
    {
        Exit::Warn
    } else {
        Exit::Ok
    })
}
