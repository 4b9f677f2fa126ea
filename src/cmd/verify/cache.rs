//! `statectl verify cache`: walks the cached keys; the reads (SCAN, TYPE/PTTL/GET, the --map
//! query in a read-only transaction) are `probe::replica::cache`'s, what each key's outcome
//! means is decided in `verify::cache`.

use super::{finish, key_names, table_or_json};
use crate::cancel::CancellationToken;
use crate::cli::OutputArgs;
use crate::exit::{Exit, UsageError};
use crate::probe::redis::RedisSession;
use crate::probe::replica::cache::{read_cached, MapQuery};
use crate::probe::replica::redis::scan;
use crate::targets::{RedisAuthSources, RedisTarget};
use crate::verify::cache::{judge, CacheMap, CacheVerifyReport};

/// `statectl verify cache`.
pub async fn cache(
    a: &crate::cli::VerifyCacheArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    table_or_json(out, "verify cache")?;
    let map = CacheMap::parse(&a.map).map_err(|e| UsageError(format!("--map: {e}")))?;
    let redis_t = RedisTarget::parse(&a.redis, &RedisAuthSources::from_env(None, &a.redis_tls))?;
    let pg_t = crate::targets::PostgresTarget::parse(
        a.postgres.as_deref().unwrap_or(""),
        &crate::targets::PgEnv::from_env(),
    )?;
    let (mut r, _) = RedisSession::connect(&redis_t, a.timeout)
        .await
        .map_err(|e| anyhow::anyhow!("--redis {}: {e}", redis_t.label))?;
    let pg = crate::probe::postgres::PostgresSession::connect(&pg_t, a.timeout)
        .await
        .map_err(|e| anyhow::anyhow!("--postgres {}: {e}", pg_t.label))?;
    let query =
        MapQuery::prepare(&pg.client, &map.sql, a.version_column.as_deref(), a.timeout).await?;
    let names = key_names(a.redact_keys)?;
    let keys = scan(&mut r, &map.scan_pattern(), Some(a.sample), cancel).await?;
    let mut report = CacheVerifyReport::new(
        &redis_t.label,
        &pg_t.label,
        map.scan_pattern(),
        a.compare.into(),
        a.version_column.clone(),
    );
    for k in keys {
        if cancel.is_cancelled() {
            break;
        }
        let key = String::from_utf8_lossy(&k).into_owned();
        let Some(id) = map.id(&key) else { continue };
        let cached = read_cached(&mut r, &k)
            .await
            .map_err(|e| anyhow::anyhow!("--redis {}: {e}", redis_t.label))?;
        // expired between SCAN and now
        let Some(cached) = cached else { continue };
        // a value that is not a string is reported without asking the database
        let stored = match &cached.value {
            Some(_) => Some(query.lookup(&pg.client, id).await?),
            None => None,
        };
        let verdict = judge(
            &cached,
            stored.as_ref(),
            a.version_column.as_deref(),
            a.compare.into(),
        );
        report.record(names.label(&k), &cached, verdict);
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
