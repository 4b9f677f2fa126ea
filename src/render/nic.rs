//! `statectl nic` as a table: a link line and the counters that count trouble.

use std::io::Write;

use super::Style;
use crate::doctor::nic::NicReport;

/// One interface as a table.
pub fn report(w: &mut dyn Write, style: Style, r: &NicReport) -> std::io::Result<()> {
    let link = match &r.link {
        Some(l) => format!(
            "{} {}, {} ({})",
            l.speed_mbps
                .map_or("speed unknown".to_string(), |s| format!("{s} Mb/s")),
            l.duplex.as_deref().unwrap_or("duplex unknown"),
            match l.autoneg {
                Some(true) => "autoneg on",
                Some(false) => "autoneg off",
                None => "autoneg unknown",
            },
            l.source
        ),
        None => "link facts unavailable".to_string(),
    };
    writeln!(
        w,
        "{}: {}, carrier {}, mtu {}, {link}",
        r.iface,
        r.operstate,
        r.carrier.map_or("unknown".into(), |c| if c {
            "on".to_string()
        } else {
            "off".to_string()
        }),
        r.mtu.map_or("?".into(), |m| m.to_string())
    )?;
    let mut t = super::table::new_table(
        style,
        &[
            "COUNTER",
            "SOURCE",
            "LIFETIME",
            &format!("Δ {} ms", r.window_ms),
        ],
    );
    for c in &r.counters {
        if style.quiet && c.total == 0 {
            continue;
        }
        t.add_row(vec![
            super::escape(&c.name).into_owned(),
            c.source.to_string(),
            c.total.to_string(),
            c.delta.to_string(),
        ]);
    }
    writeln!(w, "{t}")?;
    for n in &r.notes {
        writeln!(w, "note: {}", super::escape(n))?;
    }
    writeln!(w)
}
