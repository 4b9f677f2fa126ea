//! The capture report for people.

use std::io::Write;

use super::{escape, Style};
use crate::capture::analysis::CaptureReport;

/// Prints the traffic summary, per-command latency, errors, top keys and the slowest requests.
pub fn report(w: &mut dyn Write, style: Style, r: &CaptureReport) -> std::io::Result<()> {
    writeln!(
        w,
        "{}: {} packets, {} on tcp port {} ({} bytes), {} connections",
        r.source, r.packets, r.tcp_packets, r.port, r.bytes, r.connections
    )?;
    writeln!(
        w,
        "TCP: {} data segments, {} retransmitted ({:.3}%), {} out of order, {} gaps{}",
        r.data_segments,
        r.retransmitted_segments,
        r.retransmit_share * 100.0,
        r.out_of_order_segments,
        r.gaps,
        r.kernel_drops
            .map(|d| format!(", {d} dropped by the kernel"))
            .unwrap_or_default()
    )?;
    writeln!(
        w,
        "RESP: {} requests paired with replies, {} replies without a request, {} requests unanswered, {} stretches of non-RESP bytes skipped",
        r.requests, r.unmatched_replies, r.unanswered_requests, r.protocol_errors
    )?;
    let mut t = super::table::new_table(
        style,
        &["COMMAND", "COUNT", "ERRORS", "p50 ms", "p99 ms", "max ms"],
    );
    for c in &r.commands {
        t.add_row(vec![
            escape(&c.command).into_owned(),
            c.count.to_string(),
            c.errors.to_string(),
            format!("{:.3}", c.p50_ms),
            format!("{:.3}", c.p99_ms),
            format!("{:.3}", c.max_ms),
        ]);
    }
    writeln!(w, "{t}")?;
    writeln!(w, "latency is {}", r.latency_note)?;
    for (word, n) in &r.errors {
        writeln!(w, "error replies -{}: {n}", escape(word))?;
    }
    if !r.top_keys.is_empty() {
        let mut t = super::table::new_table(style, &["TOP KEY", "REQUESTS"]);
        for k in &r.top_keys {
            t.add_row(vec![escape(&k.key).into_owned(), k.count.to_string()]);
        }
        writeln!(w, "{t}")?;
    }
    if !r.slowest.is_empty() {
        let mut t = super::table::new_table(style, &["SLOWEST", "KEY", "ms"]);
        for s in &r.slowest {
            t.add_row(vec![
                escape(&s.command).into_owned(),
                escape(s.key.as_deref().unwrap_or_default()).into_owned(),
                format!("{:.3}", s.latency_ms),
            ]);
        }
        writeln!(w, "{t}")?;
    }
    for cap in &r.caps {
        writeln!(w, "cap: {}", escape(cap))?;
    }
    if let Some(why) = &r.stopped_early {
        writeln!(w, "partial report: {}", escape(why))?;
    }
    Ok(())
}
