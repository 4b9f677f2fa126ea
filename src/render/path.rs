//! `statectl path` as mtr's report table.

use std::io::Write;

use super::Style;
use crate::observe::path::PathReport;

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

/// HOST, Loss%, Snt, Last, Avg, Best, Wrst, StDev per hop.
pub fn table(w: &mut dyn Write, style: Style, r: &PathReport) -> std::io::Result<()> {
    let how = match r.port {
        Some(p) => format!("tcp/{p}"),
        None => r.protocol.clone(),
    };
    writeln!(
        w,
        "path to {} ({}), {how}, {} round(s)",
        r.target, r.addr, r.rounds
    )?;
    let mut t = super::table::new_table(
        style,
        &[
            "HOP", "HOST", "LOSS%", "SNT", "LAST", "AVG", "BEST", "WRST", "STDEV",
        ],
    );
    for h in &r.hops {
        let host = if h.addrs.is_empty() {
            "???".to_string()
        } else {
            h.addrs.join(" ")
        };
        t.add_row(vec![
            h.ttl.to_string(),
            host,
            format!("{:.1}", h.loss_pct),
            h.sent.to_string(),
            ms(h.last_ms),
            format!("{:.1}", h.avg_ms),
            ms(h.best_ms),
            ms(h.worst_ms),
            format!("{:.1}", h.stdev_ms),
        ]);
    }
    writeln!(w, "{t}")
}
