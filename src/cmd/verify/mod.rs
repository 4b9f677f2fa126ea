//! `statectl verify redis`: wait for the replica to reach the primary's replication offset, SCAN
//! the primary (a sample, or every key), and compare each key on both sides by type, value digest
//! and TTL; keys that differ are looked at once more, and a key whose primary value changed in
//! between is "changed during verification", not drift. Read-only on both sides.

use std::collections::BTreeSet;
use std::io::Write;
use std::time::{Duration, Instant};

use crate::cancel::CancellationToken;
use crate::capture::analysis::KeyNames;
use crate::cli::{Format, OutputArgs, VerifyRedisArgs};
use crate::exit::{Exit, UsageError};
use crate::probe::redis::RedisSession;
use crate::probe::replica::redis::{
    digest_method, primary_offset, replica_offset, scan, views, Digest,
};
use crate::targets::{RedisAuthSources, RedisTarget};
mod cache;
mod postgres;
pub use cache::cache;
pub use postgres::postgres;

use crate::verify::redis::{
    compare, DifferingKey, KeyView, RedisVerifyReport, BATCH, TTL_TOLERANCE_MS,
};

/// Refuses the formats `command` cannot print, saying where they are printed.
fn table_or_json(out: &OutputArgs, command: &str) -> Result<(), UsageError> {
    if matches!(out.format, Format::Table | Format::Json) {
        return Ok(());
    }
    let name = clap::ValueEnum::to_possible_value(&out.format)
        .map_or_else(String::new, |v| v.get_name().to_string());
    Err(UsageError(format!(
        "--format {name}: {command} prints table or json (junit and prometheus: doctor, preflight and verify postgres)"
    )))
}

/// `statectl verify redis`.
pub async fn redis(
    a: &VerifyRedisArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    table_or_json(out, "verify redis")?;
    let auth = RedisAuthSources::from_env(None, &a.redis_tls);
    let primary = RedisTarget::parse(&a.primary, &auth)
        .map_err(|e| UsageError(e.0.replacen("--redis", "--primary", 1)))?;
    let replica = RedisTarget::parse(&a.replica, &auth)
        .map_err(|e| UsageError(e.0.replacen("--redis", "--replica", 1)))?;
    let names = key_names(a.redact_keys)?;
    let mut report = RedisVerifyReport {
        primary: primary.label.clone(),
        replica: replica.label.clone(),
        digest: String::new(),
        full: a.full,
        compared: 0,
        lag_bytes_at_start: 0,
        waited_ms: 0,
        caught_up: false,
        differing: Vec::new(),
        changed_during: Vec::new(),
        more: 0,
        lag_reason: None,
    };
    // both at once; Ctrl-C while one does not answer still prints the report
    let connect = |t: &RedisTarget, flag: &'static str| {
        let t = t.clone();
        async move {
            tokio::select! {
                r = RedisSession::connect(&t, a.timeout) => r
                    .map(|(s, _)| Some(s))
                    .map_err(|e| anyhow::anyhow!("{flag} {}: {e}", t.label)),
                _ = cancel.cancelled() => Ok(None),
            }
        }
    };
    let (p, r) = tokio::join!(
        connect(&primary, "--primary"),
        connect(&replica, "--replica")
    );
    let (Some(mut p), Some(mut r)) = (p?, r?) else {
        report.lag_reason = Some("interrupted while connecting".into());
        return finish(out, &report, crate::render::verify::redis, false, cancel);
    };
    let (lag, waited, behind) = catch_up(&mut p, &mut r, a.max_lag, cancel).await?;
    (
        report.lag_bytes_at_start,
        report.waited_ms,
        report.caught_up,
    ) = (lag, waited.as_millis() as u64, behind.is_none());
    report.lag_reason = behind;
    if report.caught_up {
        let digest = digest_method(&mut p, &mut r).await;
        report.digest = digest.name().into();
        let suspects = first_look(&mut p, &mut r, a, digest, &mut report, cancel).await?;
        // a second look, once the replica has caught up again: drift stays, in-flight writes go
        if !suspects.is_empty() {
            second_look(
                (&mut p, &mut r),
                a,
                digest,
                suspects,
                &names,
                &mut report,
                cancel,
            )
            .await?;
        }
    }
    let consistent = report.consistent();
    finish(
        out,
        &report,
        crate::render::verify::redis,
        consistent,
        cancel,
    )
}

/// Keys that differ on a first look at every key (or the sample), with the primary's view.
async fn first_look(
    p: &mut RedisSession,
    r: &mut RedisSession,
    a: &VerifyRedisArgs,
    digest: Digest,
    report: &mut RedisVerifyReport,
    cancel: &CancellationToken,
) -> anyhow::Result<Vec<(Vec<u8>, KeyView)>> {
    let mut keys = scan(p, &a.pattern, (!a.full).then_some(a.sample), cancel).await?;
    if a.full {
        // keys only the replica holds
        let known: BTreeSet<Vec<u8>> = keys.iter().cloned().collect();
        let theirs = scan(r, &a.pattern, None, cancel).await?;
        keys.extend(theirs.into_iter().filter(|k| !known.contains(k)));
    }
    let mut suspects = Vec::new();
    for chunk in keys.chunks(BATCH) {
        if cancel.is_cancelled() {
            break;
        }
        let (pv, rv) = (
            views(p, chunk, digest).await?,
            views(r, chunk, digest).await?,
        );
        report.compared += chunk.len() as u64;
        for ((k, a), b) in chunk.iter().zip(&pv).zip(&rv) {
            if compare(a, b, TTL_TOLERANCE_MS).is_some() {
                suspects.push((k.clone(), a.clone()));
            }
        }
    }
    Ok(suspects)
}

/// Looks again at the suspects once the replica has caught up again: a key whose primary value
/// changed in between is "changed during verification"; one that still differs is drift.
async fn second_look(
    (p, r): (&mut RedisSession, &mut RedisSession),
    a: &VerifyRedisArgs,
    digest: Digest,
    mut suspects: Vec<(Vec<u8>, KeyView)>,
    names: &KeyNames,
    report: &mut RedisVerifyReport,
    cancel: &CancellationToken,
) -> anyhow::Result<()> {
    if let (_, _, Some(why)) = catch_up(p, r, a.max_lag, cancel).await? {
        // differences that cannot be confirmed are not called drift
        report.caught_up = false;
        report.lag_reason = Some(format!("before the second look: {why}"));
        suspects.clear();
    }
    for chunk in suspects.chunks(BATCH) {
        let ks: Vec<Vec<u8>> = chunk.iter().map(|(k, _)| k.clone()).collect();
        let (pv, rv) = (views(p, &ks, digest).await?, views(r, &ks, digest).await?);
        for (((k, before), now), theirs) in chunk.iter().zip(&pv).zip(&rv) {
            let Some(d) = compare(now, theirs, TTL_TOLERANCE_MS) else {
                continue;
            };
            if before != now && (before.digest != now.digest || before.kind != now.kind) {
                report.changed_during.push(names.label(k));
            } else if report.differing.len() < a.limit {
                report.differing.push(DifferingKey {
                    key: names.label(k),
                    difference: d,
                });
            } else {
                report.more += 1;
            }
        }
    }
    Ok(())
}

/// Prints the report (JSON or text) and picks the exit code: 3 when the copies differ.
fn finish<R: serde::Serialize>(
    out: &OutputArgs,
    report: &R,
    text: fn(&mut dyn Write, &R) -> std::io::Result<()>,
    consistent: bool,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    let stdout = &mut std::io::stdout().lock();
    match out.format {
        Format::Json => crate::render::json::write(stdout, report)?,
        _ => text(stdout, report)?,
    }
    stdout.flush()?;
    Ok(if cancel.is_cancelled() {
        Exit::Interrupted
    } else if consistent {
        Exit::Ok
    } else {
        Exit::Fail
    })
}

/// Key names as given, or keyed hashes (HMAC-SHA256 with a random key per run).
fn key_names(redact: bool) -> anyhow::Result<KeyNames> {
    if !redact {
        return Ok(KeyNames::Plain);
    }
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness for key hashing: {e}"))?;
    Ok(KeyNames::Hmac(key))
}

/// Waits until the replica has read up to the primary's offset, within `max_lag`: (bytes behind
/// at the start, time waited, why it did not catch up: None when it did).
async fn catch_up(
    p: &mut RedisSession,
    r: &mut RedisSession,
    max_lag: Duration,
    cancel: &CancellationToken,
) -> anyhow::Result<(i64, Duration, Option<String>)> {
    let start = Instant::now();
    let target = primary_offset(p).await?;
    let mut behind = None;
    loop {
        let left = max_lag.saturating_sub(start.elapsed());
        let asked = tokio::select! {
            o = replica_offset(r, left.max(Duration::from_secs(1))) => o?,
            _ = cancel.cancelled() => {
                return Ok((behind.unwrap_or(0), start.elapsed(), Some("interrupted".into())));
            }
        };
        let Some(have) = asked else {
            return Ok((
                behind.unwrap_or(0),
                start.elapsed(),
                Some("the replica did not answer INFO within --max-lag".into()),
            ));
        };
        let lag = *behind.get_or_insert(target - have);
        if have >= target {
            return Ok((lag, start.elapsed(), None));
        }
        if start.elapsed() >= max_lag {
            return Ok((
                lag,
                start.elapsed(),
                Some(format!("still {} bytes behind", target - have)),
            ));
        }
        if !crate::cancel::sleep(cancel, Duration::from_millis(50)).await {
            return Ok((lag, start.elapsed(), Some("interrupted".into())));
        }
    }
}
