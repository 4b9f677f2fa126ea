//! `statectl logs`: each log's window, then per signature its count, first and last time, the
//! last matching lines (redacted) and what to do. The matrix as a timeline.

use std::io::Write;

use super::{escape, Style};
use crate::observe::log::{self, LogObservation, LogScan};

/// The scans in the order they are shown: Redis, PostgreSQL, kernel.
pub fn scans(o: &LogObservation) -> Vec<&LogScan> {
    o.redis.iter().chain(&o.postgres).chain(&o.kernel).collect()
}

/// As text for people.
pub fn table(
    w: &mut dyn Write,
    style: Style,
    o: &LogObservation,
    lines: usize,
) -> std::io::Result<()> {
    for s in scans(o) {
        let window = humantime::format_duration(std::time::Duration::from_secs(s.since_s));
        if let Some(why) = &s.error {
            writeln!(w, "{}: not read: {}\n", escape(&s.target), escape(why))?;
            continue;
        }
        writeln!(
            w,
            "{}: {} ({}), last {window}: {} line(s), {} bytes read{}",
            escape(&s.target),
            escape(&s.source),
            escape(&s.found_by),
            s.lines,
            s.bytes_read,
            if s.truncated {
                " (the budget ended before the window's start)"
            } else {
                ""
            }
        )?;
        if s.hits.is_empty() {
            writeln!(w, "  none of the matrix's signatures\n")?;
            continue;
        }
        let mut t =
            super::table::new_table(style, &["STATUS", "SIGNATURE", "COUNT", "FIRST", "LAST"]);
        for h in &s.hits {
            let Some(sig) = crate::doctor::log::meaning(&h.signature) else {
                continue;
            };
            t.add_row(vec![
                super::table::status_cell(sig.status, style.color),
                comfy_table::Cell::new(&h.signature),
                comfy_table::Cell::new(h.count),
                comfy_table::Cell::new(log::utc(h.first)),
                comfy_table::Cell::new(log::utc(h.last)),
            ]);
        }
        writeln!(w, "{t}")?;
        for h in &s.hits {
            let Some(sig) = crate::doctor::log::meaning(&h.signature) else {
                continue;
            };
            writeln!(
                w,
                "  {} (last {} of {}):",
                h.signature,
                h.samples.len().min(lines),
                h.count
            )?;
            let from = h.samples.len().saturating_sub(lines);
            for x in &h.samples[from..] {
                writeln!(w, "    {}  {}", log::utc(x.time), escape(&x.text))?;
            }
            if !h.pids.is_empty() {
                let pids: Vec<String> = h.pids.iter().map(|p| p.to_string()).collect();
                writeln!(w, "    processes: {}", pids.join(", "))?;
            }
            writeln!(w, "    fix: {}", sig.fix)?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// One JSON document: `{"logs": [scan, …]}`, each hit with its samples.
pub fn json(w: &mut dyn Write, o: &LogObservation) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &serde_json::json!({ "logs": scans(o) }))?;
    writeln!(w)?;
    Ok(())
}
