//! A Redis primary and its replica: offsets, SCAN, and each key's type, TTL and value digest.

use std::time::Duration;

use crate::cancel::CancellationToken;
use crate::probe::redis::RedisSession;
use crate::verify::redis::KeyView;

/// How values are digested.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    /// DEBUG DIGEST-VALUE (computed on the server).
    Debug,
    /// DUMP, hashed here with SHA-256 (when DEBUG is disabled).
    Dump,
}

impl Digest {
    /// How the report names it.
    pub fn name(self) -> &'static str {
        match self {
            Digest::Debug => "DEBUG DIGEST-VALUE",
            Digest::Dump => "DUMP + SHA-256",
        }
    }
}

/// The primary's master_repl_offset.
pub async fn primary_offset(p: &mut RedisSession) -> anyhow::Result<i64> {
    p.info()
        .await?
        .get("master_repl_offset")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("--primary: INFO has no master_repl_offset"))
}

/// How far the replica has read, bounded by `limit`: Ok(None) when it did not answer in time.
pub async fn replica_offset(r: &mut RedisSession, limit: Duration) -> anyhow::Result<Option<i64>> {
    let info = match tokio::time::timeout(limit, r.info()).await {
        Err(_) | Ok(Err(crate::probe::ProbeError::Timeout { .. })) => return Ok(None),
        Ok(Err(e)) => return Err(anyhow::anyhow!("--replica: {e}")),
        Ok(Ok(i)) => i,
    };
    if info.get("role").map(String::as_str) != Some("slave") {
        anyhow::bail!(
            "--replica: the server is not a replica (role:{})",
            info.get("role").map_or("?", |r| r)
        );
    }
    let num = |k: &str| info.get(k).and_then(|v| v.parse::<i64>().ok());
    Ok(Some(
        num("slave_repl_offset")
            .or(num("master_repl_offset"))
            .unwrap_or(0),
    ))
}

/// DEBUG DIGEST-VALUE when both sides allow it, else DUMP.
pub async fn digest_method(p: &mut RedisSession, r: &mut RedisSession) -> Digest {
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
pub async fn scan(
    s: &mut RedisSession,
    pattern: &str,
    limit: Option<u64>,
    cancel: &CancellationToken,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let limit = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let keys = s
        .scan_keys(Some(pattern), 1000, limit, Some(cancel))
        .await?;
    Ok(keys)
}

/// TYPE, PTTL and the value's digest of each key, in one pipeline.
pub async fn views(
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
    Ok(values.chunks(3).map(|v| view(v, digest)).collect())
}

/// One key's three replies (TYPE, PTTL, digest or DUMP) as a view.
fn view(v: &[redis::Value], digest: Digest) -> KeyView {
    let kind = match v.first() {
        Some(redis::Value::SimpleString(s)) => s.clone(),
        Some(redis::Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => "?".into(),
    };
    let pttl_ms = match v.get(1) {
        Some(redis::Value::Int(i)) => *i,
        _ => -2,
    };
    let value = match v.get(2) {
        Some(redis::Value::BulkString(b)) => Some(hex_digest(b, digest)),
        Some(redis::Value::SimpleString(s)) => Some(s.clone()),
        Some(redis::Value::Array(items)) => items.first().and_then(|i| match i {
            redis::Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
            redis::Value::SimpleString(s) => Some(s.clone()),
            _ => None,
        }),
        _ => None,
    };
    KeyView {
        digest: if kind == "none" { None } else { value },
        kind,
        pttl_ms,
    }
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
