//! The capture report for people.

use std::io::Write;

use super::{escape, Style};
use crate::capture::analysis::CaptureReport;

/// Prints the traffic summary, per-command latency, errors, top keys and the slowest requests.
pub fn report(w: &mut dyn Write, style: Style, r: &CaptureReport) -> std::io::Result<()> {
    let on = match r.port {
        Some(p) => format!("on tcp port {p}"),
        None => "in flows that speak RESP".to_string(),
    };
    writeln!(
        w,
        "{}: {} packets, {} {on} ({} bytes), {} connections",
        escape(&r.source),
        r.packets,
        r.tcp_packets,
        r.bytes,
        r.connections
    )?;
    if !r.ports_seen.is_empty() {
        let mut t = super::table::new_table(style, &["TCP PORT SEEN", "PACKETS", "FLOWS", "RESP"]);
        for p in &r.ports_seen {
            t.add_row(vec![
                p.port.to_string(),
                p.packets.to_string(),
                p.flows.to_string(),
                if p.resp_flows > 0 {
                    format!("yes, {} flows", p.resp_flows)
                } else {
                    "no".into()
                },
            ]);
        }
        writeln!(w, "{t}")?;
        if let (Some(port), 0) = (r.port, r.tcp_packets) {
            let resp: Vec<String> = r
                .ports_seen
                .iter()
                .filter(|p| p.resp_flows > 0)
                .map(|p| p.port.to_string())
                .collect();
            let hint = match resp.first() {
                Some(first) => format!(
                    "RESP is on port {}: rerun with -p {first}, or -p auto",
                    resp.join(", ")
                ),
                None => {
                    "no flow seen speaks RESP from its start; try -p with one of these ports".into()
                }
            };
            writeln!(w, "no packet to or from tcp port {port}. {hint}")?;
        }
    }
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
    if r.cut_packets > 0 {
        writeln!(
            w,
            "cut by the capture's snapshot length: {} packets, {} bytes not kept (requests and replies decoded as far as kept)",
            r.cut_packets, r.cut_bytes
        )?;
    }
    writeln!(
        w,
        "RESP: {} requests paired with replies, {} replies without a request, {} requests unanswered, {} stretches of non-RESP bytes skipped ({} bytes)",
        r.requests, r.unmatched_replies, r.unanswered_requests, r.protocol_errors, r.skipped_bytes
    )?;
    let mut apart = Vec::new();
    for (n, what) in [
        (
            r.no_reply_expected,
            "requests that get no reply by design (CLIENT REPLY OFF/SKIP, after QUIT)",
        ),
        (
            r.queued_commands,
            "commands queued in MULTI (EXEC carries their latency)",
        ),
        (r.pushes, "pushes and Pub/Sub messages (answer no request)"),
        (r.monitor_lines, "MONITOR stream lines"),
    ] {
        if n > 0 {
            apart.push(format!("{n} {what}"));
        }
    }
    if !apart.is_empty() {
        writeln!(w, "not paired: {}", apart.join(", "))?;
    }
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
    if !r.blocking.is_empty() {
        let mut t = super::table::new_table(
            style,
            &[
                "BLOCKING (waits by design)",
                "COUNT",
                "p50 wait ms",
                "max wait ms",
            ],
        );
        for b in &r.blocking {
            t.add_row(vec![
                escape(&b.command).into_owned(),
                b.count.to_string(),
                format!("{:.3}", b.p50_wait_ms),
                format!("{:.3}", b.max_wait_ms),
            ]);
        }
        writeln!(w, "{t}")?;
    }
    for (word, n) in &r.errors {
        writeln!(w, "error replies -{}: {n}", escape(word))?;
    }
    if !r.top_keys.is_empty() {
        let mut t = super::table::new_table(style, &["TOP KEY", "USES"]);
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
