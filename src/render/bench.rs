//! The benchmark report for people.

use std::io::Write;

use super::Style;
use crate::bench::stats::{BenchReport, Percentiles};

fn row(p: &Percentiles) -> Vec<String> {
    [p.p50, p.p90, p.p99, p.p999, p.max]
        .iter()
        .map(|v| format!("{v:.3}"))
        .collect()
}

/// Prints the report: throughput, the percentile table, errors and the verdict.
pub fn report(w: &mut dyn Write, style: Style, r: &BenchReport) -> std::io::Result<()> {
    let mode = match r.rate {
        Some(rate) => format!("open loop at {rate} rps"),
        None => "closed loop".into(),
    };
    writeln!(
        w,
        "bench {} {}: workload {}, {} connections, pipeline {}, {mode}",
        r.kind, r.target, r.workload, r.connections, r.pipeline
    )?;
    writeln!(
        w,
        "{} requests in {:.2} s = {:.0} rps; {} errors{}",
        r.requests,
        r.duration_ms as f64 / 1000.0,
        r.rps,
        r.errors,
        if r.partial {
            " (ended early: partial report)"
        } else {
            ""
        }
    )?;
    let mut t = super::table::new_table(
        style,
        &["LATENCY (ms)", "p50", "p90", "p99", "p99.9", "max"],
    );
    let first = if r.rate.is_some() {
        "response (from the scheduled send)"
    } else {
        "per reply"
    };
    let mut cells = vec![first.to_string()];
    cells.extend(row(&r.latency_ms));
    t.add_row(cells);
    if let Some(s) = &r.service_time_ms {
        let mut cells = vec!["service (from the actual send)".to_string()];
        cells.extend(row(s));
        t.add_row(cells);
    }
    if let Some(lag) = &r.schedule_lag_ms {
        let mut cells = vec!["schedule lag".to_string()];
        cells.extend(row(lag));
        t.add_row(cells);
    }
    if let Some(c) = &r.cluster {
        for m in &c.masters {
            let mut cells = vec![format!(
                "{} ({} req, {:.0} rps)",
                super::escape(&m.node),
                m.requests,
                m.rps
            )];
            cells.extend(row(&m.latency_ms));
            t.add_row(cells);
        }
    }
    writeln!(w, "{t}")?;
    if let Some(c) = &r.cluster {
        writeln!(
            w,
            "cluster: {} masters; redirections followed: {} MOVED, {} ASK",
            c.masters.len(),
            c.moved,
            c.asked
        )?;
    }
    for (kind, n) in &r.errors_by_kind {
        writeln!(w, "error {}: {n}", super::escape(kind))?;
    }
    writeln!(
        w,
        "client CPU {:.0}% of one core ({} runtime thread{}){}",
        r.client_cpu_percent,
        r.client_threads,
        if r.client_threads == 1 { "" } else { "s" },
        if r.client_saturated {
            ": the client was saturated, so the server may be faster than measured (try --threads)"
        } else {
            ""
        }
    )?;
    if let Some(why) = &r.client_behind {
        writeln!(w, "warning: {why}")?;
    }
    let v = &r.verdict;
    writeln!(
        w,
        "verdict: p99 {:.3} ms {} the {} ms target; {:.0} rps {} the {:.0} rps threshold",
        r.latency_ms.p99,
        if v.latency_ok { "meets" } else { "misses" },
        v.latency_target_ms,
        r.rps,
        if v.rps_ok { "meets" } else { "misses" },
        v.rps_target
    )
}
