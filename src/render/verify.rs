//! `verify` reports as text.

use std::io::Write;

use crate::verify::redis::RedisVerifyReport;

/// A `verify redis` report.
pub fn redis(w: &mut dyn Write, r: &RedisVerifyReport) -> std::io::Result<()> {
    writeln!(
        w,
        "verify redis: primary {} against replica {}",
        super::escape(&r.primary),
        super::escape(&r.replica)
    )?;
    if !r.caught_up {
        writeln!(
            w,
            "FAIL: the replica did not reach the primary's replication offset within {} ms ({} bytes behind at the start; {}): nothing compared",
            r.waited_ms,
            r.lag_bytes_at_start,
            r.lag_reason.as_deref().unwrap_or("behind")
        )?;
        return writeln!(
            w,
            "Remediation: check the replica's link (INFO replication: master_link_status) and its load; raise --max-lag for a replica that is only slow"
        );
    }
    writeln!(
        w,
        "{} keys compared ({}), digests by {}; the replica was {} bytes behind and caught up in {} ms",
        r.compared,
        if r.full { "every key" } else { "a SCAN sample" },
        r.digest,
        r.lag_bytes_at_start,
        r.waited_ms
    )?;
    for d in &r.differing {
        writeln!(
            w,
            "DIFF  {}  {}",
            super::escape(&d.key),
            d.difference.as_str()
        )?;
    }
    if r.more > 0 {
        writeln!(w, "… and {} more differing keys (raise --limit)", r.more)?;
    }
    for k in &r.changed_during {
        writeln!(w, "CHANGED DURING VERIFICATION  {}", super::escape(k))?;
    }
    if r.consistent() {
        writeln!(
            w,
            "PASS: the replica holds the same keys, types, values and TTLs"
        )
    } else {
        writeln!(
            w,
            "FAIL: {} key(s) differ; resynchronise the replica (REPLICAOF NO ONE, then REPLICAOF HOST PORT for a full sync) or find who writes to it (replica-read-only yes)",
            r.differing.len() as u64 + r.more
        )
    }
}

/// A `verify cache` report.
pub fn cache(
    w: &mut dyn Write,
    r: &crate::verify::cache::CacheVerifyReport,
) -> std::io::Result<()> {
    writeln!(
        w,
        "verify cache: {} keys matching {} in {} against {}",
        r.compared,
        super::escape(&r.pattern),
        super::escape(&r.redis),
        super::escape(&r.postgres)
    )?;
    for (what, keys) in [
        ("STALE (cache differs from the row)", &r.stale),
        ("ORPHANED (no row)", &r.orphaned),
        ("WITHOUT TTL (never corrected)", &r.without_ttl),
        ("NOT A STRING (not compared)", &r.not_strings),
    ] {
        for k in keys {
            writeln!(w, "{what}  {}", super::escape(k))?;
        }
    }
    if r.consistent() {
        writeln!(
            w,
            "PASS: every cached value matches its row, and every key expires"
        )
    } else {
        writeln!(
            w,
            "FAIL: {} stale, {} orphaned, {} without TTL; invalidate on write (DEL the key in the same code path that updates the row, or publish a change event) and give every cached key an expiry",
            r.stale.len(),
            r.orphaned.len(),
            r.without_ttl.len()
        )
    }
}

/// A `verify postgres` report: the wait, then one line per table with its differing keys (never
/// values) and, for anything but a pass, the remediation.
pub fn postgres(
    w: &mut dyn Write,
    r: &crate::verify::postgres::PostgresVerifyReport,
) -> std::io::Result<()> {
    use crate::verify::postgres::RowDifference;
    writeln!(
        w,
        "verify postgres: primary {} against {} replica {}",
        super::escape(&r.primary),
        r.replication,
        super::escape(&r.replica)
    )?;
    if r.paused_ms > 0 {
        writeln!(
            w,
            "paused {} ms while the primary was busier than --max-load",
            r.paused_ms
        )?;
    }
    let line = |w: &mut dyn Write, f: &crate::model::Finding| {
        writeln!(
            w,
            "{:<5} {}",
            f.status.as_str().to_uppercase(),
            super::escape(&f.summary)
        )
    };
    let fix = |w: &mut dyn Write, f: &crate::model::Finding| {
        if f.remediation.is_empty() {
            Ok(())
        } else {
            writeln!(w, "      Remediation: {}", super::escape(&f.remediation))
        }
    };
    // the lag finding, then one per table in the tables' order
    let mut findings = r.findings.iter();
    if let Some(lag) = findings.next() {
        line(w, lag)?;
        fix(w, lag)?;
    }
    for (t, f) in r.tables.iter().zip(findings) {
        write!(
            w,
            "{:<5} {}: ",
            f.status.as_str().to_uppercase(),
            super::escape(&t.table)
        )?;
        writeln!(w, "{}", super::escape(&f.summary))?;
        for (k, d) in &t.differing {
            let what = match d {
                RowDifference::Missing => "missing on the replica",
                RowDifference::Extra => "extra on the replica",
                RowDifference::Differs => "differs",
            };
            writeln!(w, "      key {}  {what}", super::escape(k))?;
        }
        if t.more > 0 {
            writeln!(w, "      … and {} more (raise --limit)", t.more)?;
        }
        for k in &t.changed_during {
            writeln!(
                w,
                "      key {}  changed during verification",
                super::escape(k)
            )?;
        }
        fix(w, f)?;
    }
    Ok(())
}
