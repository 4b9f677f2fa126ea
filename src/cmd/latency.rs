//! `statectl latency`: PING (or SELECT 1) at an interval, a row of percentiles per window with
//! spikes flagged, and an HDR summary at the end; redis-cli --latency-history done right.
//! Ctrl-C ends the run with the summary.

use std::io::Write;
use std::time::Instant;

use crate::bench::latency::{self, LatencyReport};
use crate::bench::stats::{Percentiles, Recorder};
use crate::cancel::CancellationToken;
use crate::cli::{Format, LatencyArgs, OutputArgs};
use crate::config::LATENCY_SPIKE_MS;
use crate::exit::{Exit, UsageError};
use crate::probe::ping::{Missed, Pinger};
use crate::render;
use crate::targets::{PgEnv, PostgresTarget, RedisAuthSources, RedisTarget, DEFAULT_REDIS};

/// `statectl latency`.
pub async fn run(
    a: &LatencyArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError("--format: latency prints table or json".into()).into());
    }
    let mut pinger = match &a.postgres {
        Some(c) => Pinger::Postgres(PostgresTarget::parse(c, &PgEnv::from_env())?, None),
        None => Pinger::Redis(
            RedisTarget::parse(
                a.redis.as_deref().unwrap_or(DEFAULT_REDIS),
                &RedisAuthSources::from_env(None, &a.redis_tls),
            )?,
            None,
        ),
    };
    let (target, probe) = pinger.describe();
    let table = out.format == Format::Table;
    let stdout = &mut std::io::stdout();
    if table {
        render::latency::header(stdout, probe, &target, a.interval.as_millis())?;
    }
    let start = Instant::now();
    let mut total = Recorder::default();
    let mut win = Recorder::default();
    let mut windows = Vec::new();
    let (mut spikes, mut win_spikes) = (0, 0);
    let mut next_window = start + a.window;
    let mut tick = tokio::time::interval(a.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let done = cancel.is_cancelled() || a.duration.is_some_and(|d| start.elapsed() >= d);
        if Instant::now() >= next_window || done {
            let w = latency::window(start.elapsed(), &win, win_spikes);
            if table {
                render::latency::row(stdout, &w, LATENCY_SPIKE_MS)?;
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
            _ = cancel.cancelled() => continue,
            _ = tick.tick() => {}
        }
        // A probe cut short by Ctrl-C is not an error: the run just ends.
        let once = tokio::select! {
            r = pinger.once(a.timeout) => r,
            _ = cancel.cancelled() => continue,
        };
        match once {
            // a stall past the timeout is a round trip of at least that long: the biggest spike
            Ok(rtt) | Err(Missed::Stalled(rtt)) => {
                if latency::is_spike(rtt) {
                    win_spikes += 1;
                    spikes += 1;
                }
                win.ok(rtt);
            }
            Err(Missed::Failed(e)) => win.error(&e, 1),
        }
    }
    let report = LatencyReport {
        target,
        probe: probe.to_string(),
        interval_ms: a.interval.as_millis() as u64,
        spike_ms: LATENCY_SPIKE_MS,
        summary: (total.count() > 0).then(|| Percentiles::of(&total.latency)),
        count: total.count(),
        spikes,
        errors: total.error_count(),
        windows,
    };
    if table {
        render::latency::summary(stdout, &report)?;
    } else {
        render::json::write(stdout, &report)?;
    }
    Ok(latency::exit(&report))
}
