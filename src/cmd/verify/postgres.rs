//! `statectl verify postgres`: wait until the replica (a physical standby or a logical
//! subscriber) holds the primary's current LSN, then compare each table chunk by chunk, each
//! chunk on each side in its own REPEATABLE READ READ ONLY transaction with a statement_timeout.
//! A chunk that differs is drilled down to rows and looked at again after a fresh LSN wait, so
//! writes still flowing during the run are not called drift. Nothing is written to either side.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use tokio_postgres::{Row, Statement};

use crate::cancel::CancellationToken;
use crate::cli::{Format, OutputArgs, VerifyPostgresArgs};
use crate::exit::{Exit, UsageError};
use crate::probe::replica::pg_error;
use crate::probe::replica::postgres::{catalog, subscription, Side, TableMeta};
use crate::verify::postgres::{
    drill, next_chunk_size, sift, PostgresVerifyReport, Rows, TableResult, TableSql, Unreached,
};
use std::collections::BTreeSet;

/// Everything a table's comparison needs besides the table.
struct Run<'a> {
    p: Side<'a>,
    r: Side<'a>,
    physical: bool,
    /// The subscription's slots on the publisher (logical); empty: every logical slot.
    slots: Vec<String>,
    a: &'a VerifyPostgresArgs,
    cancel: &'a CancellationToken,
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
    paused: Duration,
}

/// Why a wait for the replica ended without it reaching the LSN.
enum Behind {
    /// It answered but had not replayed (or confirmed) that far within --max-lag.
    Lagging,
    /// It did not answer within --max-lag.
    Silent,
    /// Ctrl-C.
    Interrupted,
}

impl Run<'_> {
    /// The primary's current WAL position.
    async fn lsn(&self) -> anyhow::Result<String> {
        self.p.current_lsn().await
    }

    /// Waits until the replica holds everything up to `lsn`, polling within --max-lag.
    async fn reach(&self, lsn: &str) -> anyhow::Result<Result<Duration, Behind>> {
        let start = Instant::now();
        loop {
            let left = self.a.max_lag.saturating_sub(start.elapsed());
            let probe = async {
                if self.physical {
                    self.r.replayed(lsn).await
                } else {
                    // the subscription's slots on the publisher have confirmed the LSN
                    self.p.slots_confirmed(lsn, &self.slots).await
                }
            };
            let side = if self.physical { self.r } else { self.p };
            match tokio::time::timeout(left.max(Duration::from_secs(1)), probe).await {
                Err(_) => return Ok(Err(Behind::Silent)),
                Ok(Err(e)) => {
                    anyhow::bail!(
                        "{}: {} while waiting for the replica",
                        side.flag,
                        pg_error(&e)
                    )
                }
                Ok(Ok(true)) => return Ok(Ok(start.elapsed())),
                Ok(Ok(false)) => {}
            }
            if start.elapsed() >= self.a.max_lag {
                return Ok(Err(Behind::Lagging));
            }
            if !crate::cancel::sleep(self.cancel, Duration::from_millis(50)).await {
                return Ok(Err(Behind::Interrupted));
            }
        }
    }

    /// Pauses while the primary has more active client backends than --max-load.
    async fn throttle(&mut self) -> anyhow::Result<()> {
        let Some(max) = self.a.max_load else {
            return Ok(());
        };
        let start = Instant::now();
        let mut told = false;
        loop {
            let active = self.p.active_backends().await?;
            if active <= max as i64 {
                break;
            }
            if !told && !self.quiet {
                told = true;
                let line = format!(
                    "verify postgres: pausing: {active} active backends on the primary, more than --max-load {max}"
                );
                match &self.bar {
                    Some(b) => b.suspend(|| eprintln!("{line}")),
                    None => eprintln!("{line}"),
                }
            }
            if !crate::cancel::sleep(self.cancel, Duration::from_millis(250)).await {
                break;
            }
        }
        self.paused += start.elapsed();
        Ok(())
    }

    /// Compares one table into `result`; an error stops the run (the caller records it).
    async fn table(&mut self, t: &TableMeta, result: &mut TableResult) -> anyhow::Result<()> {
        let sql = TableSql::new(&t.quoted, &t.key);
        let (p_hi, p_sum, p_rows) = (
            self.p.prepare(&sql.next_hi).await?,
            self.p.prepare(&sql.sum).await?,
            self.p.prepare(&sql.rows).await?,
        );
        let (r_sum, r_rows) = (
            self.r.prepare(&sql.sum).await?,
            self.r.prepare(&sql.rows).await?,
        );
        if let Some(b) = &self.bar {
            b.reset();
            b.set_length(t.estimate.max(0.0) as u64);
            b.set_message(crate::render::escape(&t.plain).into_owned());
        }
        let mut size = self.a.chunk_rows;
        let mut lo: Option<Vec<String>> = None;
        loop {
            if self.cancel.is_cancelled() {
                return Ok(());
            }
            self.throttle().await?;
            let clock = Instant::now();
            let (p, r) = (self.p, self.r);
            let offset = size as i64 - 1;
            p.begin().await?;
            let hi = p.upper_bound(&p_hi, &lo, offset).await?;
            // both sides at once: each in its own snapshot
            let (a_sum, b_sum): (Row, Row) = tokio::try_join!(p.sum(&p_sum, &lo, &hi), async {
                r.begin().await?;
                r.sum(&r_sum, &lo, &hi).await
            })?;
            result.chunks += 1;
            let (a_rows, b_rows): (i64, i64) = (a_sum.try_get(0)?, b_sum.try_get(0)?);
            let (a_hash, b_hash): (String, String) = (a_sum.try_get(1)?, b_sum.try_get(1)?);
            result.rows += a_rows;
            if a_rows != b_rows || a_hash != b_hash {
                let first = tokio::try_join!(p.rows(&p_rows, &lo, &hi), r.rows(&r_rows, &lo, &hi))?;
                tokio::try_join!(p.commit(), r.commit())?;
                self.settle_chunk(first, (&p_rows, &r_rows), (&lo, &hi), result)
                    .await?;
            } else {
                tokio::try_join!(p.commit(), r.commit())?;
            }
            if let Some(b) = &self.bar {
                b.set_position(result.rows.max(0) as u64);
            }
            if let Some(target) = self.a.chunk_time {
                size = next_chunk_size(size, clock.elapsed(), target);
            }
            match hi {
                Some(h) => lo = Some(h),
                None => return Ok(()),
            }
        }
    }

    /// Looks again at the rows of a differing chunk until each suspect is settled: each look
    /// reads the primary, then the replica once it holds the LSN the primary had, then the
    /// primary again (`sift`). At most three looks; rows still moving then are "changed during
    /// verification".
    async fn settle_chunk(
        &mut self,
        first: (Rows, Rows),
        (p_rows, r_rows): (&Statement, &Statement),
        (lo, hi): (&Option<Vec<String>>, &Option<Vec<String>>),
        result: &mut TableResult,
    ) -> anyhow::Result<()> {
        result.rechecked += 1;
        let mut suspects: BTreeSet<String> = drill(&first.0, &first.1)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        for _ in 0..3 {
            if suspects.is_empty() {
                return Ok(());
            }
            let (p, r) = (self.p, self.r);
            p.begin().await?;
            let before = p.rows(p_rows, lo, hi).await?;
            let lsn = self.lsn().await?;
            p.commit().await?;
            match self.reach(&lsn).await? {
                Ok(_) => {}
                Err(Behind::Interrupted) => return Ok(()),
                Err(Behind::Lagging) => anyhow::bail!(
                    "the replica fell more than --max-lag ({:?}) behind while a differing chunk was looked at again",
                    self.a.max_lag
                ),
                Err(Behind::Silent) => anyhow::bail!(
                    "{}: the replica stopped answering (nothing within --max-lag, {:?})",
                    if self.physical { self.r.flag } else { self.p.flag },
                    self.a.max_lag
                ),
            }
            r.begin().await?;
            let replica = r.rows(r_rows, lo, hi).await?;
            r.commit().await?;
            p.begin().await?;
            let after = p.rows(p_rows, lo, hi).await?;
            p.commit().await?;
            let (drift, left) = sift(&suspects, &before, &replica, &after);
            for d in drift {
                if result.differing.len() < self.a.limit {
                    result.differing.push(d);
                } else {
                    result.more += 1;
                }
            }
            suspects = left;
        }
        result.changed_during.extend(suspects);
        Ok(())
    }
}

/// `statectl verify postgres`.
pub async fn postgres(
    a: &VerifyPostgresArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    if a.chunk_rows == 0 {
        return Err(UsageError("--chunk-rows must be at least 1".into()).into());
    }
    let started = std::time::SystemTime::now();
    let env = crate::targets::PgEnv::from_env();
    let parse = |conn: &str, flag: &str| {
        crate::targets::PostgresTarget::parse(conn, &env)
            .map_err(|e| UsageError(e.0.replacen("--postgres", flag, 1)))
    };
    let (pt, rt) = (
        parse(&a.primary, "--primary")?,
        parse(&a.replica, "--replica")?,
    );
    let mut report = PostgresVerifyReport {
        primary: pt.label.clone(),
        replica: rt.label.clone(),
        replication: "unknown".into(),
        caught_up: false,
        waited_ms: 0,
        max_lag_ms: a.max_lag.as_millis() as u64,
        paused_ms: 0,
        tables: Vec::new(),
        findings: Vec::new(),
        unreached: None,
    };
    // both sides at once, each cut short by Ctrl-C; a side that cannot be reached is the
    // report's finding, in the asked format
    let (side, error) = match tokio::join!(
        connect(&pt, a.timeout, cancel),
        connect(&rt, a.timeout, cancel)
    ) {
        (Ok(p), Ok(r)) => return compare(a, out, (p, r), report, started, cancel).await,
        (Err(e), _) => ("--primary", e),
        (_, Err(e)) => ("--replica", e),
    };
    report.unreached = Some(Unreached {
        side: side.into(),
        error,
    });
    finish(out, &mut report, started, cancel)
}

/// Connects to one side; Ctrl-C cuts the wait short.
async fn connect(
    t: &crate::targets::PostgresTarget,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<crate::probe::postgres::PostgresSession, crate::observe::ProbeError> {
    tokio::select! {
        r = crate::probe::postgres::PostgresSession::connect(t, timeout) => r,
        _ = cancel.cancelled() => Err(crate::observe::ProbeError::Interrupted {
            addr: t.addr.clone(),
        }),
    }
}

/// Compares the two connected sides into `report`, then prints it.
async fn compare(
    a: &VerifyPostgresArgs,
    out: &OutputArgs,
    (ps, rs): (
        crate::probe::postgres::PostgresSession,
        crate::probe::postgres::PostgresSession,
    ),
    mut report: PostgresVerifyReport,
    started: std::time::SystemTime,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    let side = |c, flag| Side {
        c,
        flag,
        timeout: a.timeout,
    };
    let (p, r) = (side(&ps.client, "--primary"), side(&rs.client, "--replica"));
    let physical: bool = r
        .run(
            "asking whether it is a standby",
            r.c.query_one("SELECT pg_is_in_recovery()", &[]),
        )
        .await?
        .try_get(0)?;
    let (published, slots) = if physical {
        (Vec::new(), Vec::new())
    } else {
        subscription(p, r).await?
    };
    let bar =
        (!out.quiet && out.format == Format::Table && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new(0);
            if let Ok(s) = indicatif::ProgressStyle::with_template(
                "{msg} {bar:30} {pos}/~{len} rows ({elapsed})",
            ) {
                b.set_style(s);
            }
            b
        });
    let mut run = Run {
        p,
        r,
        physical,
        slots,
        a,
        cancel,
        bar,
        quiet: out.quiet,
        paused: Duration::ZERO,
    };
    let start = Instant::now();
    let first = run.lsn().await?;
    let caught_up = run.reach(&first).await?.is_ok();
    report.replication = if physical { "physical" } else { "logical" }.into();
    report.caught_up = caught_up;
    report.waited_ms = start.elapsed().as_millis() as u64;
    if caught_up {
        let tables = catalog(p).await?;
        if let Some(bad) = a
            .tables
            .iter()
            .find(|t| !tables.iter().any(|m| &m.plain == *t))
        {
            return Err(UsageError(format!("--table {bad}: no such table on the primary")).into());
        }
        let mut stopped: Option<String> = None;
        for t in &tables {
            let wanted = if a.tables.is_empty() {
                physical || published.is_empty() || published.contains(&t.plain)
            } else {
                a.tables.contains(&t.plain)
            };
            if !wanted || cancel.is_cancelled() {
                continue;
            }
            let mut result = TableResult {
                table: t.plain.clone(),
                key: t.key.iter().map(|(c, _)| c.clone()).collect(),
                ..Default::default()
            };
            if t.key.is_empty() {
                result.skipped = Some(
                    "no primary key: not compared (a full scan of both sides is not done silently)"
                        .into(),
                );
            } else if let Some(why) = &stopped {
                result.error = Some(format!("not compared: {why}"));
            } else if let Err(e) = run.table(t, &mut result).await {
                // a side that failed or stopped answering: no later table is compared
                result.error = Some(e.to_string());
                stopped = Some(format!("the run stopped at {}", t.plain));
            }
            report.tables.push(result);
        }
    }
    if let Some(b) = &run.bar {
        b.finish_and_clear();
    }
    report.paused_ms = run.paused.as_millis() as u64;
    finish(out, &mut report, started, cancel)
}

/// Judges `report` and prints it in the asked format; the exit code it calls for.
fn finish(
    out: &OutputArgs,
    report: &mut PostgresVerifyReport,
    started: std::time::SystemTime,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    report.findings = report.judge();
    let report = &*report;
    let stdout = &mut std::io::stdout().lock();
    match out.format {
        Format::Json => crate::render::json::write(stdout, report)?,
        Format::Table => crate::render::verify::postgres(stdout, report)?,
        f => {
            let style = crate::render::Style::resolve(out.color, out.quiet, out.verbose);
            let duration = started.elapsed().map_or(0, |d| d.as_millis() as u64);
            let doc = crate::model::Report::new(started, duration, report.findings.clone());
            crate::render::report(stdout, f, style, &doc)?;
        }
    }
    stdout.flush()?;
    Ok(if cancel.is_cancelled() {
        Exit::Interrupted
    } else {
        Exit::from_findings(&report.findings)
    })
}
