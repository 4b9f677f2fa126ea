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
use crate::target::{RedisAuthSources, RedisTarget};
use crate::verify::redis::{
    compare, DifferingKey, KeyView, RedisVerifyReport, BATCH, TTL_TOLERANCE_MS,
};

/// How values are digested.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Digest {
    /// DEBUG DIGEST-VALUE (computed on the server).
    Debug,
    /// DUMP, hashed here with SHA-256 (when DEBUG is disabled).
    Dump,
}

/// `statectl verify redis`.
pub async fn redis(
    a: &VerifyRedisArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError("--format: verify prints table or json".into()).into());
    }
    let auth = RedisAuthSources::from_env(None, &a.redis_tls);
    let primary = RedisTarget::parse(&a.primary, &auth)
        .map_err(|e| UsageError(e.0.replacen("--redis", "--primary", 1)))?;
    let replica = RedisTarget::parse(&a.replica, &auth)
        .map_err(|e| UsageError(e.0.replacen("--redis", "--replica", 1)))?;
    crate::cancel::on_signal(cancel)?;
    let connect = |t: &RedisTarget, flag: &'static str| {
        let t = t.clone();
        async move {
            RedisSession::connect(&t, a.timeout)
                .await
                .map(|(s, _)| s)
                .map_err(|e| anyhow::anyhow!("{flag} {}: {e}", t.label))
        }
    };
    let mut p = connect(&primary, "--primary").await?;
    let mut r = connect(&replica, "--replica").await?;
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
    };
    let (lag, waited, caught_up) = catch_up(&mut p, &mut r, a.max_lag, cancel).await?;
    (
        report.lag_bytes_at_start,
        report.waited_ms,
        report.caught_up,
    ) = (lag, waited.as_millis() as u64, caught_up);
    if caught_up {
        let digest = digest_method(&mut p, &mut r).await;
        report.digest = match digest {
            Digest::Debug => "DEBUG DIGEST-VALUE",
            Digest::Dump => "DUMP + SHA-256",
        }
        .into();
        let mut keys = scan(&mut p, &a.pattern, (!a.full).then_some(a.sample), cancel).await?;
        if a.full {
            // keys only the replica holds
            let known: BTreeSet<Vec<u8>> = keys.iter().cloned().collect();
            let theirs = scan(&mut r, &a.pattern, None, cancel).await?;
            keys.extend(theirs.into_iter().filter(|k| !known.contains(k)));
        }
        let mut suspects = Vec::new();
        for chunk in keys.chunks(BATCH) {
            if cancel.is_cancelled() {
                break;
            }
            let (pv, rv) = (
                views(&mut p, chunk, digest).await?,
                views(&mut r, chunk, digest).await?,
            );
            report.compared += chunk.len() as u64;
            for ((k, a), b) in chunk.iter().zip(&pv).zip(&rv) {
                if compare(a, b, TTL_TOLERANCE_MS).is_some() {
                    suspects.push((k.clone(), a.clone()));
                }
            }
        }
        // a second look, once the replica has caught up again: drift stays, in-flight writes go
        if !suspects.is_empty() {
            catch_up(&mut p, &mut r, a.max_lag, cancel).await?;
            for chunk in suspects.chunks(BATCH) {
                let ks: Vec<Vec<u8>> = chunk.iter().map(|(k, _)| k.clone()).collect();
                let (pv, rv) = (
                    views(&mut p, &ks, digest).await?,
                    views(&mut r, &ks, digest).await?,
                );
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

/// The replication offsets: the primary's master_repl_offset and how far the replica has read.
async fn offsets(p: &mut RedisSession, r: &mut RedisSession) -> anyhow::Result<(i64, i64)> {
    let num = |m: &std::collections::BTreeMap<String, String>, k: &str| -> Option<i64> {
        m.get(k)?.parse().ok()
    };
    let pi = p.info().await?;
    let ri = r.info().await?;
    let po = num(&pi, "master_repl_offset")
        .ok_or_else(|| anyhow::anyhow!("--primary: INFO has no master_repl_offset"))?;
    if ri.get("role").map(String::as_str) != Some("slave") {
        anyhow::bail!(
            "--replica: the server is not a replica (role:{})",
            ri.get("role").map_or("?", |r| r)
        );
    }
    let ro = num(&ri, "slave_repl_offset")
        .or(num(&ri, "master_repl_offset"))
        .unwrap_or(0);
    Ok((po, ro))
}

/// Waits until the replica has read up to the primary's offset, within `max_lag`: (bytes behind
/// at the start, time waited, whether it caught up).
async fn catch_up(
    p: &mut RedisSession,
    r: &mut RedisSession,
    max_lag: Duration,
    cancel: &CancellationToken,
) -> anyhow::Result<(i64, Duration, bool)> {
    let start = Instant::now();
    let (target, mut have) = offsets(p, r).await?;
    let behind = target - have;
    while have < target {
        if start.elapsed() >= max_lag
            || !crate::cancel::sleep(cancel, Duration::from_millis(50)).await
        {
            return Ok((behind, start.elapsed(), false));
        }
        have = offsets(p, r).await?.1;
    }
    Ok((behind, start.elapsed(), true))
}

/// DEBUG DIGEST-VALUE when both sides allow it, else DUMP.
async fn digest_method(p: &mut RedisSession, r: &mut RedisSession) -> Digest {
    let mut probe = redis::cmd("DEBUG");
    probe.arg("DIGEST-VALUE").arg("statectl:verify:probe");
    let ok_p = p
        .cmd::<redis::Value>(&probe, "waiting for DEBUG DIGEST-VALUE")
        .await
        .is_ok();
    let ok_r = r
        .cmd::<redis::Value>(&probe, "waiting for DEBUG DIGEST-VALUE")
        .await
        .is_ok();
    if ok_p && ok_r {
        Digest::Debug
    } else {
        Digest::Dump
    }
}

/// SCAN with MATCH until `limit` keys (or all of them).
async fn scan(
    s: &mut RedisSession,
    pattern: &str,
    limit: Option<u64>,
    cancel: &CancellationToken,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut cursor = 0u64;
    let mut keys = Vec::new();
    loop {
        let mut c = redis::cmd("SCAN");
        c.arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000);
        let (next, page): (u64, Vec<Vec<u8>>) = s.cmd(&c, "waiting for SCAN").await?;
        keys.extend(page);
        cursor = next;
        if cursor == 0 || cancel.is_cancelled() || limit.is_some_and(|l| keys.len() as u64 >= l) {
            break;
        }
    }
    if let Some(l) = limit {
        keys.truncate(l as usize);
    }
    Ok(keys)
}

/// TYPE, PTTL and the value's digest of each key, in one pipeline.
async fn views(
    s: &mut RedisSession,
    keys: &[Vec<u8>],
    digest: Digest,
) -> anyhow::Result<Vec<KeyView>> {
    let mut pipe = redis::pipe();
    for k in keys {
        pipe.cmd("TYPE").arg(k).cmd("PTTL").arg(k);
        match digest {
            Digest::Debug => pipe.cmd("DEBUG").arg("DIGEST-VALUE").arg(k),
            Digest::Dump => pipe.cmd("DUMP").arg(k),
        };
    }
    let values: Vec<redis::Value> = s.query_pipe(&pipe, "waiting for TYPE/PTTL/digests").await?;
    Ok(values
        .chunks(3)
        .map(|v| {
            let kind = match &v[0] {
                redis::Value::SimpleString(s) => s.clone(),
                redis::Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
                _ => "?".into(),
            };
            let pttl_ms = match &v[1] {
                redis::Value::Int(i) => *i,
                _ => -2,
            };
            let digest = match &v[2] {
                redis::Value::Nil => None,
                redis::Value::BulkString(b) => Some(hex_digest(b, digest)),
                redis::Value::SimpleString(s) => Some(s.clone()),
                redis::Value::Array(items) => items.first().and_then(|i| match i {
                    redis::Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
                    redis::Value::SimpleString(s) => Some(s.clone()),
                    _ => None,
                }),
                _ => None,
            };
            KeyView {
                digest: if kind == "none" { None } else { digest },
                kind,
                pttl_ms,
            }
        })
        .collect())
}

/// A DEBUG DIGEST-VALUE reply as is; a DUMP payload hashed (the value itself is not kept).
fn hex_digest(b: &[u8], digest: Digest) -> String {
    match digest {
        Digest::Debug => String::from_utf8_lossy(b).into_owned(),
        Digest::Dump => {
            use sha2::Digest as _;
            sha2::Sha256::digest(b)
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect()
        }
    }
}

/// `statectl verify cache`.
pub async fn cache(
    a: &crate::cli::VerifyCacheArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    use crate::verify::cache::{same, CacheMap, CacheVerifyReport};
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError("--format: verify prints table or json".into()).into());
    }
    let map = CacheMap::parse(&a.map).map_err(|e| UsageError(format!("--map: {e}")))?;
    let redis_t = RedisTarget::parse(&a.redis, &RedisAuthSources::from_env(None, &a.redis_tls))?;
    let pg_t = crate::target::PostgresTarget::parse(
        a.postgres.as_deref().unwrap_or(""),
        &crate::target::PgEnv::from_env(),
    )?;
    crate::cancel::on_signal(cancel)?;
    let (mut r, _) = RedisSession::connect(&redis_t, a.timeout)
        .await
        .map_err(|e| anyhow::anyhow!("--redis {}: {e}", redis_t.label))?;
    let pg = crate::probe::postgres::PostgresSession::connect(&pg_t, a.timeout)
        .await
        .map_err(|e| anyhow::anyhow!("--postgres {}: {e}", pg_t.label))?;
    let t = a.timeout;
    // read-only on the database side, as on the cache side
    within(
        t,
        "starting a read-only transaction",
        pg.client.batch_execute("BEGIN READ ONLY"),
    )
    .await??;
    let stmt = within(t, "preparing the --map query", pg.client.prepare(&map.sql))
        .await?
        .map_err(|e| {
            UsageError(format!(
                "--map: the query does not prepare: {}",
                pg_error(&e)
            ))
        })?;
    let param = stmt.params().first().cloned();
    let names = key_names(a.redact_keys)?;
    let keys = scan(&mut r, &map.scan_pattern(), Some(a.sample), cancel).await?;
    let mut report = CacheVerifyReport {
        redis: redis_t.label.clone(),
        postgres: pg_t.label.clone(),
        pattern: map.scan_pattern(),
        compare: a.compare,
        compared: 0,
        stale: Vec::new(),
        orphaned: Vec::new(),
        without_ttl: Vec::new(),
        not_strings: Vec::new(),
    };
    for k in keys {
        if cancel.is_cancelled() {
            break;
        }
        let key = String::from_utf8_lossy(&k).into_owned();
        let Some(id) = map.id(&key) else { continue };
        let mut pipe = redis::pipe();
        pipe.cmd("TYPE")
            .arg(&k)
            .cmd("PTTL")
            .arg(&k)
            .cmd("GET")
            .arg(&k);
        // GET of a non-string is an error reply: read the three as values
        let (kind, pttl, value): (String, i64, redis::Value) = match r
            .query_pipe::<Vec<redis::Value>>(&pipe, "waiting for TYPE/PTTL/GET")
            .await
        {
            Ok(v) if v.len() == 3 => (
                redis::from_redis_value(v[0].clone()).unwrap_or_default(),
                redis::from_redis_value(v[1].clone()).unwrap_or(-2),
                v[2].clone(),
            ),
            Ok(_) => continue,
            Err(e) => return Err(anyhow::anyhow!("--redis {}: {e}", redis_t.label)),
        };
        if kind == "none" {
            continue; // expired between SCAN and now
        }
        report.compared += 1;
        let label = names.label(&k);
        if pttl == -1 {
            report.without_ttl.push(label.clone());
        }
        let cached = match value {
            redis::Value::BulkString(b) => b,
            _ => {
                report.not_strings.push(label);
                continue;
            }
        };
        let row = {
            use tokio_postgres::types::{ToSql, Type};
            let (i8v, i4v, i2v): (i64, i32, i16);
            let arg: &(dyn ToSql + Sync) = match &param {
                Some(t) if [Type::INT2, Type::INT4, Type::INT8].contains(t) => {
                    // an id that is not a number of the column's size has no row
                    let Ok(n) = id.parse::<i64>() else {
                        report.orphaned.push(label);
                        continue;
                    };
                    match *t {
                        Type::INT8 => {
                            i8v = n;
                            &i8v
                        }
                        Type::INT4 => match i32::try_from(n) {
                            Ok(v) => {
                                i4v = v;
                                &i4v
                            }
                            Err(_) => {
                                report.orphaned.push(label);
                                continue;
                            }
                        },
                        _ => match i16::try_from(n) {
                            Ok(v) => {
                                i2v = v;
                                &i2v
                            }
                            Err(_) => {
                                report.orphaned.push(label);
                                continue;
                            }
                        },
                    }
                }
                Some(t) if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(t) => &id,
                Some(t) => {
                    return Err(UsageError(format!(
                        "--map: $1 is {t}; compare it as text (WHERE id::text = $1) or as bigint ($1::bigint)"
                    ))
                    .into())
                }
                None => return Err(UsageError("--map: the query takes no $1".into()).into()),
            };
            within(
                t,
                "running the --map query",
                pg.client.query_opt(&stmt, &[arg]),
            )
            .await?
            .map_err(|e| anyhow::anyhow!("--postgres: {}", pg_error(&e)))?
        };
        let Some(row) = row else {
            report.orphaned.push(label);
            continue;
        };
        let stored: Vec<u8> = match row.columns().first().map(|c| c.type_().clone()) {
            Some(tokio_postgres::types::Type::BYTEA) => {
                row.try_get::<_, Option<Vec<u8>>>(0)?.unwrap_or_default()
            }
            Some(t)
                if [
                    tokio_postgres::types::Type::TEXT,
                    tokio_postgres::types::Type::VARCHAR,
                    tokio_postgres::types::Type::BPCHAR,
                    tokio_postgres::types::Type::NAME,
                ]
                .contains(&t) =>
            {
                row.try_get::<_, Option<String>>(0)?
                    .unwrap_or_default()
                    .into_bytes()
            }
            Some(t) => {
                return Err(UsageError(format!(
                    "--map: the query's first column is {t}; select it as text (col::text) or bytea"
                ))
                .into())
            }
            None => return Err(UsageError("--map: the query returns no column".into()).into()),
        };
        if !same(&cached, &stored, a.compare) {
            report.stale.push(label);
        }
    }
    let _ = pg.client.batch_execute("COMMIT").await;
    let consistent = report.consistent();
    finish(
        out,
        &report,
        crate::render::verify::cache,
        consistent,
        cancel,
    )
}

/// `f` bounded by `t`; the error names what was being waited for.
async fn within<T>(
    t: Duration,
    what: &str,
    f: impl std::future::Future<Output = T>,
) -> anyhow::Result<T> {
    tokio::time::timeout(t, f)
        .await
        .map_err(|_| anyhow::anyhow!("--postgres: no answer within {t:?} while {what}"))
}

/// A PostgreSQL error with the server's message (never the query's parameters).
fn pg_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// `statectl verify postgres`.
pub async fn postgres(
    a: &crate::cli::VerifyPostgresArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    use crate::verify::postgres::{drill, PostgresVerifyReport, TableResult};
    use std::collections::BTreeMap;
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError("--format: verify prints table or json".into()).into());
    }
    if a.chunk_rows == 0 {
        return Err(UsageError("--chunk-rows must be at least 1".into()).into());
    }
    let env = crate::target::PgEnv::from_env();
    let parse = |conn: &str, flag: &str| {
        crate::target::PostgresTarget::parse(conn, &env)
            .map_err(|e| UsageError(e.0.replacen("--postgres", flag, 1)))
    };
    let (pt, rt) = (
        parse(&a.primary, "--primary")?,
        parse(&a.replica, "--replica")?,
    );
    crate::cancel::on_signal(cancel)?;
    let connect = |t: crate::target::PostgresTarget, flag: &'static str| async move {
        crate::probe::postgres::PostgresSession::connect(&t, a.timeout)
            .await
            .map_err(|e| anyhow::anyhow!("{flag} {}: {e}", t.label))
    };
    let ps = connect(pt.clone(), "--primary").await?;
    let rs = connect(rt.clone(), "--replica").await?;
    let (p, r) = (&ps.client, &rs.client);
    let t = a.timeout;
    let q = |e: tokio_postgres::Error| anyhow::anyhow!("{}", pg_error(&e));
    let physical: bool = r
        .query_one("SELECT pg_is_in_recovery()", &[])
        .await
        .map_err(q)?
        .try_get(0)?;
    let lsn: String = p
        .query_one("SELECT pg_current_wal_lsn()::text", &[])
        .await
        .map_err(q)?
        .try_get(0)?;
    let start = Instant::now();
    let caught_up = loop {
        let reached: bool = if physical {
            r.query_one(
                "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::text::pg_lsn, false)",
                &[&lsn],
            )
            .await
            .map_err(q)?
            .try_get(0)?
        } else {
            // a logical subscriber: every logical slot on the publisher has confirmed the LSN
            p.query_one(
                "SELECT coalesce(bool_and(confirmed_flush_lsn >= $1::text::pg_lsn), false) \
                 FROM pg_replication_slots WHERE slot_type = 'logical'",
                &[&lsn],
            )
            .await
            .map_err(q)?
            .try_get(0)?
        };
        if reached {
            break true;
        }
        if start.elapsed() >= a.max_lag
            || !crate::cancel::sleep(cancel, Duration::from_millis(50)).await
        {
            break false;
        }
    };
    let mut report = PostgresVerifyReport {
        primary: pt.label.clone(),
        replica: rt.label.clone(),
        replication: if physical { "physical" } else { "logical" }.into(),
        caught_up,
        waited_ms: start.elapsed().as_millis() as u64,
        tables: Vec::new(),
    };
    if caught_up {
        let rows = p
            .query(
                "SELECT format('%I.%I', n.nspname, c.relname), n.nspname || '.' || c.relname, \
                   (SELECT array_agg(format('%I', a.attname) ORDER BY k.ord) FROM pg_index i \
                      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) \
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
                    WHERE i.indrelid = c.oid AND i.indisprimary), \
                   (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_index i \
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] \
                    WHERE i.indrelid = c.oid AND i.indisprimary) \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
                   AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 2",
                &[],
            )
            .await
            .map_err(q)?;
        let known: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<_, String>(1))
            .collect::<Result<_, _>>()?;
        if let Some(bad) = a.tables.iter().find(|t| !known.contains(t)) {
            return Err(UsageError(format!("--table {bad}: no such table on the primary")).into());
        }
        for row in rows {
            let (quoted, plain): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            if !a.tables.is_empty() && !a.tables.contains(&plain) {
                continue;
            }
            let pk: Option<Vec<String>> = row.try_get(2)?;
            let ty: Option<String> = row.try_get(3)?;
            let mut result = TableResult {
                table: plain.clone(),
                skipped: None,
                chunks: 0,
                rows: 0,
                differing: Vec::new(),
                more: 0,
            };
            let (pk, ty) = match (pk, ty) {
                (Some(k), Some(ty)) if k.len() == 1 => (k[0].clone(), ty),
                (Some(k), _) => {
                    result.skipped = Some(format!(
                        "a composite primary key ({}): not compared yet",
                        k.join(", ")
                    ));
                    report.tables.push(result);
                    continue;
                }
                _ => {
                    result.skipped = Some(
                        "no primary key: not compared (a full scan of both sides is not done silently)"
                            .into(),
                    );
                    report.tables.push(result);
                    continue;
                }
            };
            // both sides in one snapshot each, read-only, each statement bounded
            let begin = format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = {}",
                t.as_millis()
            );
            for c in [p, r] {
                c.batch_execute(&begin).await.map_err(q)?;
            }
            let range = format!(
                "($1::text IS NULL OR t.{pk} > $1::text::{ty}) AND ($2::text IS NULL OR t.{pk} <= $2::text::{ty})"
            );
            // ORDER BY t.pk: a bare name would sort by the text output column of that name
            let next_hi = format!(
                "SELECT t.{pk}::text FROM {quoted} t WHERE ($1::text IS NULL OR t.{pk} > $1::text::{ty}) \
                 ORDER BY t.{pk} OFFSET $2::int8 LIMIT 1"
            );
            let mut size = a.chunk_rows;
            let sum = format!(
                "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0)::text FROM {quoted} t WHERE {range}"
            );
            let rows_of = format!(
                "SELECT t.{pk}::text, hashtextextended(t::text, 0) FROM {quoted} t WHERE {range}"
            );
            let mut lo: Option<String> = None;
            loop {
                if cancel.is_cancelled() {
                    break;
                }
                let chunk_clock = Instant::now();
                let offset = size as i64 - 1;
                let hi: Option<String> = p
                    .query_opt(&next_hi, &[&lo, &offset])
                    .await
                    .map_err(q)?
                    .map(|row| row.try_get(0))
                    .transpose()?;
                let (a_sum, b_sum) = (
                    p.query_one(&sum, &[&lo, &hi]).await.map_err(q)?,
                    r.query_one(&sum, &[&lo, &hi]).await.map_err(q)?,
                );
                result.chunks += 1;
                let (a_rows, b_rows): (i64, i64) = (a_sum.try_get(0)?, b_sum.try_get(0)?);
                let (a_hash, b_hash): (String, String) = (a_sum.try_get(1)?, b_sum.try_get(1)?);
                result.rows += a_rows;
                let same = a_rows == b_rows && a_hash == b_hash;
                if !same {
                    let side = |rows: Vec<tokio_postgres::Row>| {
                        rows.iter()
                            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                            .collect::<Result<BTreeMap<String, i64>, tokio_postgres::Error>>()
                    };
                    let pa = side(p.query(&rows_of, &[&lo, &hi]).await.map_err(q)?)?;
                    let rb = side(r.query(&rows_of, &[&lo, &hi]).await.map_err(q)?)?;
                    for d in drill(&pa, &rb) {
                        if result.differing.len() < a.limit {
                            result.differing.push(d);
                        } else {
                            result.more += 1;
                        }
                    }
                }
                if let Some(target) = a.chunk_time {
                    size = crate::verify::postgres::next_chunk_size(
                        size,
                        chunk_clock.elapsed(),
                        target,
                    );
                }
                match hi {
                    Some(h) => lo = Some(h),
                    None => break,
                }
            }
            for c in [p, r] {
                let _ = c.batch_execute("COMMIT").await;
            }
            report.tables.push(result);
        }
    }
    let consistent = report.consistent();
    finish(
        out,
        &report,
        crate::render::verify::postgres,
        consistent,
        cancel,
    )
}
