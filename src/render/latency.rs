//! `statectl latency` tables: a header, one row per window, a summary line.

use std::io::Write;

use crate::bench::latency::{LatencyReport, Window};
use crate::bench::stats::Percentiles;

/// The header of the live table.
pub fn header(
    w: &mut dyn Write,
    probe: &str,
    target: &str,
    interval_ms: u128,
) -> std::io::Result<()> {
    writeln!(w, "{probe} {target} every {interval_ms} ms")?;
    writeln!(
        w,
        "{:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7}",
        "time (s)", "probes", "min ms", "p50 ms", "p99 ms", "max ms", "spikes", "errors"
    )
}

/// One window's row of the live table.
pub fn row(w: &mut dyn Write, win: &Window, spike_ms: f64) -> std::io::Result<()> {
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
            format!("  << spike > {spike_ms} ms")
        } else {
            String::new()
        }
    )
}

/// The summary line after the last window.
pub fn summary(w: &mut dyn Write, r: &LatencyReport) -> std::io::Result<()> {
    match &r.summary {
        Some(p) => writeln!(
            w,
            "summary: {} probes, min {:.3} p50 {:.3} p90 {:.3} p99 {:.3} p99.9 {:.3} max {:.3} ms; {} spikes, {} errors",
            r.count, p.min, p.p50, p.p90, p.p99, p.p999, p.max, r.spikes, r.errors
        ),
        None => writeln!(w, "summary: no probe succeeded; {} errors", r.errors),
    }
}
