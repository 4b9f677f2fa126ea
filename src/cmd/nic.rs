//! `statectl nic`: link facts and the error, drop and CRC counters that matter, with their
//! lifetime value and change over the window; the readable half of `ethtool -S` + `ip -s link`.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::cli::{Format, NicArgs, OutputArgs};
use crate::exit::{Exit, UsageError};
use crate::observe::nic::{LinkFacts, NicObservation};
use crate::probe::kernel::{default_route_interfaces, KernelRoot};
use crate::probe::nic;
use crate::render::{self, Style};

/// Kernel counters always shown.
const KERNEL_COUNTERS: &[&str] = &[
    "rx_packets",
    "tx_packets",
    "rx_bytes",
    "tx_bytes",
    "rx_errors",
    "tx_errors",
    "rx_dropped",
    "tx_dropped",
    "rx_crc_errors",
    "rx_frame_errors",
    "rx_missed_errors",
    "rx_fifo_errors",
    "rx_over_errors",
    "rx_length_errors",
    "tx_carrier_errors",
    "tx_fifo_errors",
    "collisions",
    "carrier_changes",
];

/// Driver counters shown when their name says they count trouble.
const DRIVER_TROUBLE: &[&str] = &[
    "err",
    "drop",
    "crc",
    "fcs",
    "miss",
    "fifo",
    "discard",
    "timeout",
    "collision",
    "abort",
];

/// One counter row.
#[derive(Debug, Serialize)]
pub struct CounterRow {
    /// Counter name.
    pub name: String,
    /// "kernel" (sysfs) or "driver" (ETHTOOL_GSTATS).
    pub source: &'static str,
    /// Value at the end of the window.
    pub total: u64,
    /// Change over the window.
    pub delta: u64,
}

/// One interface, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct NicReport {
    /// Interface name.
    pub iface: String,
    /// operstate.
    pub operstate: String,
    /// carrier.
    pub carrier: Option<bool>,
    /// MTU.
    pub mtu: Option<u64>,
    /// Link facts, when readable.
    pub link: Option<LinkFacts>,
    /// Why link facts or driver counters could not be read.
    pub notes: Vec<String>,
    /// The window, ms.
    pub window_ms: u64,
    /// The counters.
    pub counters: Vec<CounterRow>,
}

fn report(o: &NicObservation) -> NicReport {
    let mut counters = Vec::new();
    let mut notes = Vec::new();
    match &o.stats {
        Ok((a, b)) => {
            for k in KERNEL_COUNTERS {
                if let Some(end) = b.get(*k) {
                    counters.push(CounterRow {
                        name: k.to_string(),
                        source: "kernel",
                        total: *end,
                        delta: end.saturating_sub(a.get(*k).copied().unwrap_or(*end)),
                    });
                }
            }
        }
        Err(e) => notes.push(format!("kernel counters: {e}")),
    }
    match &o.driver {
        Ok((a, b)) => {
            for (k, end) in b {
                let l = k.to_ascii_lowercase();
                if DRIVER_TROUBLE.iter().any(|t| l.contains(t)) {
                    counters.push(CounterRow {
                        name: k.clone(),
                        source: "driver",
                        total: *end,
                        delta: end.saturating_sub(a.get(k).copied().unwrap_or(*end)),
                    });
                }
            }
        }
        Err(e) => notes.push(format!("driver counters: {e}")),
    }
    if let Err(e) = &o.link {
        notes.push(format!("link facts: {e}"));
    }
    NicReport {
        iface: o.iface.clone(),
        operstate: o.operstate.clone(),
        carrier: o.carrier,
        mtu: o.mtu,
        link: o.link.clone().ok(),
        notes,
        window_ms: o.window.as_millis() as u64,
        counters,
    }
}

fn print(w: &mut dyn Write, style: Style, r: &NicReport) -> std::io::Result<()> {
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
    let mut t = render::table::new_table(
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
            c.name.clone(),
            c.source.to_string(),
            c.total.to_string(),
            c.delta.to_string(),
        ]);
    }
    writeln!(w, "{t}")?;
    for n in &r.notes {
        writeln!(w, "note: {n}")?;
    }
    writeln!(w)
}

/// `statectl nic`.
pub async fn run(a: &NicArgs, out: &OutputArgs) -> anyhow::Result<Exit> {
    let root = KernelRoot::from_env();
    let ifaces = if a.ifaces.is_empty() {
        default_route_interfaces(&root)
    } else {
        a.ifaces.clone()
    };
    for i in &ifaces {
        if !nic::exists(&root, i) {
            return Err(UsageError(format!("{i}: no such network interface")).into());
        }
    }
    if ifaces.is_empty() {
        return Err(UsageError("no interface named and no default route to pick one from; name one: statectl nic IFACE".into()).into());
    }
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError("--format: nic prints table or json".into()).into());
    }
    let style = Style::resolve(out.color, out.quiet, out.verbose);
    let timeout = std::time::Duration::from_secs(2);
    // One Ctrl-C listener for the whole watch, raced against every window, so an interrupt
    // during a window ends the watch instead of being missed.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let windows = futures::future::join_all(
            ifaces
                .iter()
                .map(|i| nic::observe(&root, i, a.sample, timeout)),
        );
        let obs = if a.watch {
            tokio::select! {
                _ = &mut ctrl_c => return Ok(Exit::Ok),
                obs = windows => obs,
            }
        } else {
            windows.await
        };
        let reports: Vec<NicReport> = obs.iter().map(report).collect();
        let stdout = &mut std::io::stdout().lock();
        match out.format {
            Format::Json if a.watch => {
                // one document per refresh, one per line
                serde_json::to_writer(&mut *stdout, &reports)?;
                writeln!(stdout)?;
            }
            Format::Json => render::json::write(stdout, &reports)?,
            _ => {
                if a.watch && std::io::stdout().is_terminal() {
                    write!(stdout, "\x1b[2J\x1b[H")?;
                }
                for r in &reports {
                    print(stdout, style, r)?;
                }
            }
        }
        stdout.flush()?;
        if !a.watch {
            return Ok(Exit::Ok);
        }
    }
}
