//! A cache (Redis) and the database it caches (PostgreSQL): each key's type, TTL and value, and
//! what the --map query returns for its id, in a read-only transaction.

use super::{pg_error, within};
use crate::exit::UsageError;
use crate::probe::redis::RedisSession;
use crate::verify::cache::{CachedKey, Stored};

/// TYPE, PTTL and GET of one key in one pipeline; None when the key is gone.
pub async fn read_cached(
    r: &mut RedisSession,
    k: &[u8],
) -> Result<Option<CachedKey>, crate::observe::ProbeError> {
    let mut pipe = redis::pipe();
    pipe.cmd("TYPE").arg(k).cmd("PTTL").arg(k).cmd("GET").arg(k);
    // GET of a non-string is an error reply: read the three as values
    let v = r
        .query_pipe::<Vec<redis::Value>>(&pipe, "waiting for TYPE/PTTL/GET")
        .await?;
    let Ok([kind, pttl, value]) = <[redis::Value; 3]>::try_from(v) else {
        return Ok(None);
    };
    let kind: String = redis::from_redis_value(kind).unwrap_or_default();
    if kind == "none" {
        return Ok(None);
    }
    Ok(Some(CachedKey {
        kind,
        pttl: redis::from_redis_value(pttl).unwrap_or(-2),
        value: match value {
            redis::Value::BulkString(b) => Some(b),
            _ => None,
        },
    }))
}

/// The --map query, prepared inside a read-only transaction, with the type its `$1` takes.
pub struct MapQuery {
    stmt: tokio_postgres::Statement,
    param: tokio_postgres::types::Type,
    /// With --version-column: that column's index in the query's rows.
    version_column: Option<(String, usize)>,
    timeout: std::time::Duration,
}

impl MapQuery {
    pub async fn prepare(
        client: &tokio_postgres::Client,
        sql: &str,
        version_column: Option<&str>,
        t: std::time::Duration,
    ) -> anyhow::Result<MapQuery> {
        use tokio_postgres::types::Type;
        // read-only on the database side, as on the cache side
        within(
            t,
            "--postgres",
            "starting a read-only transaction",
            client.batch_execute("BEGIN READ ONLY"),
        )
        .await??;
        let stmt = within(
            t,
            "--postgres",
            "preparing the --map query",
            client.prepare(sql),
        )
        .await?
        .map_err(|e| {
            UsageError(format!(
                "--map: the query does not prepare: {}",
                pg_error(&e)
            ))
        })?;
        let param = match stmt.params().first() {
            Some(p)
                if [
                    Type::INT2,
                    Type::INT4,
                    Type::INT8,
                    Type::TEXT,
                    Type::VARCHAR,
                    Type::BPCHAR,
                    Type::NAME,
                ]
                .contains(p) =>
            {
                p.clone()
            }
            Some(p) => {
                return Err(UsageError(format!(
                    "--map: $1 is {p}; compare it as text (WHERE id::text = $1) or as bigint ($1::bigint)"
                ))
                .into())
            }
            None => return Err(UsageError("--map: the query takes no $1".into()).into()),
        };
        let version_column = match version_column {
            None => None,
            Some(col) => {
                let i = stmt
                    .columns()
                    .iter()
                    .position(|c| c.name() == col)
                    .ok_or_else(|| {
                        UsageError(format!(
                            "--version-column {col}: the --map query returns no column of that name"
                        ))
                    })?;
                Some((col.to_string(), i))
            }
        };
        Ok(MapQuery {
            stmt,
            param,
            version_column,
            timeout: t,
        })
    }

    /// What the database holds for `id`: the value column (or the version column), or nothing.
    pub async fn lookup(
        &self,
        client: &tokio_postgres::Client,
        id: &str,
    ) -> anyhow::Result<Stored> {
        use tokio_postgres::types::{ToSql, Type};
        let (i8v, i4v, i2v): (i64, i32, i16);
        let arg: &(dyn ToSql + Sync) = if [Type::INT2, Type::INT4, Type::INT8].contains(&self.param)
        {
            // an id that is not a number of the column's size has no row
            let Ok(n) = id.parse::<i64>() else {
                return Ok(Stored::Missing);
            };
            match self.param {
                Type::INT8 => {
                    i8v = n;
                    &i8v
                }
                Type::INT4 => match i32::try_from(n) {
                    Ok(v) => {
                        i4v = v;
                        &i4v
                    }
                    Err(_) => return Ok(Stored::Missing),
                },
                _ => match i16::try_from(n) {
                    Ok(v) => {
                        i2v = v;
                        &i2v
                    }
                    Err(_) => return Ok(Stored::Missing),
                },
            }
        } else {
            &id
        };
        let row = within(
            self.timeout,
            "--postgres",
            "running the --map query",
            client.query_opt(&self.stmt, &[arg]),
        )
        .await?
        .map_err(|e| anyhow::anyhow!("--postgres: {}", pg_error(&e)))?;
        let Some(row) = row else {
            return Ok(Stored::Missing);
        };
        Ok(Stored::Row(match &self.version_column {
            Some((_, i)) => cell_bytes(&row, *i, "--version-column")?,
            None => cell_bytes(&row, 0, "--map")?,
        }))
    }
}

/// Column `i` of a --map query's row as bytes: bytea as it is, text types as UTF-8; other types
/// are a usage error naming `flag` (select them as text).
fn cell_bytes(row: &tokio_postgres::Row, i: usize, flag: &str) -> anyhow::Result<Vec<u8>> {
    use tokio_postgres::types::Type;
    let Some(col) = row.columns().get(i) else {
        return Err(UsageError(format!("{flag}: the query returns no column")).into());
    };
    let ty = col.type_().clone();
    if ty == Type::BYTEA {
        return Ok(row.try_get::<_, Option<Vec<u8>>>(i)?.unwrap_or_default());
    }
    if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(&ty) {
        return Ok(row
            .try_get::<_, Option<String>>(i)?
            .unwrap_or_default()
            .into_bytes());
    }
    Err(UsageError(format!(
        "{flag}: the query's column {} is {ty}; select it as text (col::text) or bytea",
        col.name()
    ))
    .into())
}
