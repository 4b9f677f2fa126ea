//! NIC checks: CRC errors (signal attenuation), error and drop ratios, link facts.

use super::{Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::nic::{LinkFacts, NicCounters, NicObservation};

const DOCTOR: &[Tag] = &[Tag::Doctor];

/// The NIC checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "nic.crc_errors",
        area: Area::Nic,
        tags: DOCTOR,
        doc: "rx_crc_errors (sysfs) or the driver's crc/fcs counters rising in the window fail; a non-zero lifetime count warns",
        full: true,
        eval: Eval::Nic(crc_errors),
    },
    Check {
        id: "nic.errors",
        area: Area::Nic,
        tags: DOCTOR,
        doc: "rx or tx errors over packets in the window above {kernel.nic_error_ratio:%} warns",
        full: true,
        eval: Eval::Nic(errors),
    },
    Check {
        id: "nic.drops",
        area: Area::Nic,
        tags: DOCTOR,
        doc: "rx (dropped, missed, fifo) or tx drops over packets in the window above {kernel.nic_error_ratio:%} warns",
        full: true,
        eval: Eval::Nic(drops),
    },
    Check {
        id: "nic.link",
        area: Area::Nic,
        tags: DOCTOR,
        doc: "link down or half duplex fails; speed below {kernel.link_speed_min_mbps} Mb/s or carrier changes in the window warn; unknown speed skips",
        full: true,
        eval: Eval::Nic(link),
    },
];

/// (change over the window, lifetime value) of a counter.
fn delta(pair: &(NicCounters, NicCounters), key: &str) -> (u64, u64) {
    let end = pair.1.get(key).copied().unwrap_or(0);
    let start = pair.0.get(key).copied().unwrap_or(end);
    (end.saturating_sub(start), end)
}

fn stats(n: &NicObservation) -> Result<&(NicCounters, NicCounters), Verdict> {
    n.stats
        .as_ref()
        .map_err(|e| Verdict::skip(format!("cannot read the kernel's counters: {e}")))
}

/// Driver counters whose names say CRC or FCS.
fn driver_crc(n: &NicObservation) -> Vec<(String, u64, u64)> {
    let Ok(pair) = &n.driver else {
        return Vec::new();
    };
    pair.1
        .keys()
        .filter(|k| {
            let l = k.to_ascii_lowercase();
            l.contains("crc") || l.contains("fcs")
        })
        .map(|k| {
            let (d, total) = delta(pair, k);
            (k.clone(), d, total)
        })
        .collect()
}

const CRC_FIX: &str = "CRC errors mean a bad signal: reseat or replace the cable or optic, check the switch port's counters, and compare with the peer; verify the counter stops rising with `statectl nic IFACE --watch`";

/// `nic.crc_errors`.
pub fn crc_errors(n: &NicObservation, _t: &Ctx) -> Verdict {
    let s = match stats(n) {
        Ok(s) => s,
        Err(skip) => return skip,
    };
    let (d, total) = delta(s, "rx_crc_errors");
    let mut v = Verdict::pass("no CRC errors")
        .with("rx_crc_errors_delta", d)
        .with("rx_crc_errors_total", total)
        .with("window_ms", n.window.as_millis());
    let mut rising = d;
    let mut lifetime = total;
    for (name, dd, tt) in driver_crc(n) {
        v = v.with(format!("driver {name}"), format!("{tt} (+{dd})"));
        rising = rising.max(dd);
        lifetime = lifetime.max(tt);
    }
    if let Err(e) = &n.driver {
        v = v.with("driver_counters", format!("unavailable: {e}"));
    }
    if rising > 0 {
        v.escalate(
            Status::Fail,
            format!("CRC errors rising: +{rising} in the window ({lifetime} since boot)"),
            CRC_FIX,
        );
    } else if lifetime > 0 {
        v.escalate(
            Status::Warn,
            format!("{lifetime} CRC errors since boot, none in the window"),
            CRC_FIX,
        );
    }
    v
}

fn ratio(bad: u64, packets: u64) -> f64 {
    if packets == 0 {
        if bad == 0 {
            0.0
        } else {
            1.0
        }
    } else {
        bad as f64 / packets as f64
    }
}

/// `nic.errors`.
pub fn errors(n: &NicObservation, t: &Ctx) -> Verdict {
    let s = match stats(n) {
        Ok(s) => s,
        Err(skip) => return skip,
    };
    let (rx_e, rx_e_total) = delta(s, "rx_errors");
    let (tx_e, tx_e_total) = delta(s, "tx_errors");
    let (rx_p, _) = delta(s, "rx_packets");
    let (tx_p, _) = delta(s, "tx_packets");
    let (rr, tr) = (ratio(rx_e, rx_p), ratio(tx_e, tx_p));
    let mut v = Verdict::pass(format!(
        "rx errors {rx_e}/{rx_p} packets, tx errors {tx_e}/{tx_p} in the window"
    ))
    .with("rx_errors_delta", rx_e)
    .with("tx_errors_delta", tx_e)
    .with("rx_packets_delta", rx_p)
    .with("tx_packets_delta", tx_p)
    .with("rx_errors_total", rx_e_total)
    .with("tx_errors_total", tx_e_total);
    let worst = rr.max(tr);
    if worst > t.kernel.nic_error_ratio {
        v.escalate(
            Status::Warn,
            format!("{:.1}% of packets errored in the window (rx {rx_e}, tx {tx_e})", worst * 100.0),
            "Read the driver counters (statectl nic IFACE) to see which error; check cabling, duplex mismatch and the switch port",
        );
    }
    v
}

/// `nic.drops`.
pub fn drops(n: &NicObservation, t: &Ctx) -> Verdict {
    let s = match stats(n) {
        Ok(s) => s,
        Err(skip) => return skip,
    };
    let rx_d: u64 = ["rx_dropped", "rx_missed_errors", "rx_fifo_errors"]
        .iter()
        .map(|k| delta(s, k).0)
        .sum();
    let (tx_d, _) = delta(s, "tx_dropped");
    let (rx_p, _) = delta(s, "rx_packets");
    let (tx_p, _) = delta(s, "tx_packets");
    let worst = ratio(rx_d, rx_p).max(ratio(tx_d, tx_p));
    let mut v = Verdict::pass(format!(
        "rx drops {rx_d}/{rx_p} packets, tx drops {tx_d}/{tx_p} in the window"
    ))
    .with("rx_drops_delta", rx_d)
    .with("tx_drops_delta", tx_d)
    .with("rx_dropped_total", delta(s, "rx_dropped").1)
    .with("rx_missed_errors_total", delta(s, "rx_missed_errors").1);
    if worst > t.kernel.nic_error_ratio {
        v.escalate(
            Status::Warn,
            format!("{:.1}% of packets dropped in the window (rx {rx_d}, tx {tx_d})", worst * 100.0),
            "Grow the rings (ethtool -G IFACE rx 4096), spread IRQs/RSS over cores, and check net.core.netdev_max_backlog",
        );
    }
    v
}

/// `nic.link`.
pub fn link(n: &NicObservation, t: &Ctx) -> Verdict {
    let mut v = Verdict::pass("link up")
        .with("operstate", &n.operstate)
        .with(
            "carrier",
            n.carrier.map_or("unknown".to_string(), |c| c.to_string()),
        );
    if let Some(m) = n.mtu {
        v = v.with("mtu", m);
    }
    if n.operstate == "down" || n.carrier == Some(false) {
        v.escalate(
            Status::Fail,
            format!("{} is down (operstate {}, carrier {:?})", n.iface, n.operstate, n.carrier),
            "Check the cable/optic and the switch port, then `ip link set IFACE up`; verify with `statectl nic IFACE`",
        );
        return v;
    }
    if let Ok(s) = &n.stats {
        let (changes, total) = delta(s, "carrier_changes");
        v = v
            .with("carrier_changes_delta", changes)
            .with("carrier_changes_total", total);
        if changes > 0 {
            v.escalate(
                Status::Warn,
                format!("the carrier changed {changes} time(s) in the window: the link flaps"),
                "A flapping link: check the cable, optic and switch port logs",
            );
        }
    }
    let facts = match &n.link {
        Ok(f) => f,
        Err(e) => return Verdict::skip(format!("cannot read link facts: {e}")),
    };
    v = v.with("source", &facts.source);
    if let Some(d) = &facts.duplex {
        v = v.with("duplex", d);
        if d == "half" {
            v.escalate(
                Status::Fail,
                format!("{} runs half duplex: collisions and retransmits", n.iface),
                "Fix the autonegotiation mismatch (ethtool -s IFACE autoneg on) on both ends",
            );
        }
    }
    match facts.speed_mbps {
        Some(speed) => {
            v = v.with("speed_mbps", speed);
            v.summary = format!(
                "link up at {speed} Mb/s{}",
                facts
                    .duplex
                    .as_deref()
                    .map(|d| format!(" {d} duplex"))
                    .unwrap_or_default()
            );
            if speed < t.kernel.link_speed_min_mbps {
                v.escalate(
                    Status::Warn,
                    format!("{} links at {speed} Mb/s, below the {} Mb/s the state tier expects", n.iface, t.kernel.link_speed_min_mbps),
                    "Check the negotiated speed against the port and optic (ethtool IFACE); a 10G port at 1G often means a bad cable or forced settings",
                );
            }
        }
        None if v.status == Status::Pass => {
            return Verdict::skip(format!(
                "{} reports no link speed (a virtual NIC?), so speed and duplex cannot be judged",
                n.iface
            ))
            .with("operstate", &n.operstate);
        }
        None => {}
    }
    v
}

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
#[derive(Debug, serde::Serialize)]
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
#[derive(Debug, serde::Serialize)]
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

/// The report `statectl nic` prints: link facts and every counter that counts trouble.
pub fn report(o: &NicObservation) -> NicReport {
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

/// The nic area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    for n in &obs.nic {
        let target = format!("nic:{}", n.iface);
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Nic(f) = c.eval {
                out.push(crate::model::Finding::new(c.id, &target, f(n, t)));
            }
        }
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::nic::LinkFacts;
    use std::time::Duration;

    fn counters(kv: &[(&str, u64)]) -> NicCounters {
        kv.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    pub fn obs(start: &[(&str, u64)], end: &[(&str, u64)]) -> NicObservation {
        NicObservation {
            iface: "eth0".into(),
            operstate: "up".into(),
            carrier: Some(true),
            mtu: Some(1500),
            stats: Ok((counters(start), counters(end))),
            driver: Err("fixture".into()),
            link: Ok(LinkFacts {
                speed_mbps: Some(25000),
                duplex: Some("full".into()),
                autoneg: Some(true),
                source: "sysfs".into(),
            }),
            window: Duration::from_secs(1),
        }
    }

    #[test]
    fn crc_rising_fails_lifetime_warns() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        assert_eq!(
            crc_errors(&obs(&[("rx_crc_errors", 0)], &[("rx_crc_errors", 0)]), &t).status,
            Status::Pass
        );
        let v = crc_errors(&obs(&[("rx_crc_errors", 12)], &[("rx_crc_errors", 12)]), &t);
        assert_eq!(v.status, Status::Warn);
        let v = crc_errors(&obs(&[("rx_crc_errors", 12)], &[("rx_crc_errors", 15)]), &t);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary.contains("+3") && v.summary.contains("15"),
            "{}",
            v.summary
        );
        // driver-specific names count too
        let mut n = obs(&[], &[]);
        n.driver = Ok((
            counters(&[("port.rx_fcs_errors", 1)]),
            counters(&[("port.rx_fcs_errors", 4)]),
        ));
        assert_eq!(crc_errors(&n, &t).status, Status::Fail);
    }

    #[test]
    fn error_and_drop_ratios_use_the_window() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let v = errors(
            &obs(
                &[("rx_errors", 500), ("rx_packets", 0)],
                &[("rx_errors", 500), ("rx_packets", 1000)],
            ),
            &t,
        );
        assert_eq!(v.status, Status::Pass, "old errors alone do not warn");
        let v = errors(
            &obs(
                &[("rx_errors", 0), ("rx_packets", 0)],
                &[("rx_errors", 20), ("rx_packets", 1000)],
            ),
            &t,
        );
        assert_eq!(v.status, Status::Warn);
        let v = drops(
            &obs(
                &[("rx_missed_errors", 0), ("rx_packets", 0)],
                &[("rx_missed_errors", 11), ("rx_packets", 1000)],
            ),
            &t,
        );
        assert_eq!(v.status, Status::Warn);
        let v = drops(
            &obs(
                &[("tx_dropped", 0), ("tx_packets", 0)],
                &[("tx_dropped", 5), ("tx_packets", 1000)],
            ),
            &t,
        );
        assert_eq!(v.status, Status::Pass);
    }

    #[test]
    fn link_states() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        assert_eq!(link(&obs(&[], &[]), &t).status, Status::Pass);
        let mut n = obs(&[], &[]);
        n.link = Ok(LinkFacts {
            speed_mbps: Some(1000),
            duplex: Some("full".into()),
            autoneg: None,
            source: "sysfs".into(),
        });
        assert_eq!(link(&n, &t).status, Status::Warn);
        n.link = Ok(LinkFacts {
            speed_mbps: Some(10000),
            duplex: Some("half".into()),
            autoneg: None,
            source: "sysfs".into(),
        });
        assert_eq!(link(&n, &t).status, Status::Fail);
        n.link = Ok(LinkFacts {
            speed_mbps: None,
            duplex: None,
            autoneg: None,
            source: "sysfs".into(),
        });
        assert_eq!(link(&n, &t).status, Status::Skip);
        n.operstate = "down".into();
        assert_eq!(link(&n, &t).status, Status::Fail);
        let n = obs(&[("carrier_changes", 2)], &[("carrier_changes", 4)]);
        assert_eq!(link(&n, &t).status, Status::Warn);
    }

    #[test]
    fn the_nic_report_keeps_kernel_counters_and_troubled_driver_counters() {
        let mut n = obs(
            &[("rx_crc_errors", 3), ("rx_packets", 10)],
            &[("rx_crc_errors", 7), ("rx_packets", 20)],
        );
        let drv = |kv: &[(&str, u64)]| -> NicCounters {
            kv.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        n.driver = Ok((
            drv(&[("rx_fcs_errors", 1), ("rx_bytes_nic", 5), ("tx_timeout", 0)]),
            drv(&[("rx_fcs_errors", 4), ("rx_bytes_nic", 9), ("tx_timeout", 0)]),
        ));
        let r = report(&n);
        let row = |name: &str| r.counters.iter().find(|c| c.name == name);
        let crc = row("rx_crc_errors").unwrap();
        assert_eq!((crc.source, crc.total, crc.delta), ("kernel", 7, 4));
        assert_eq!(row("rx_fcs_errors").unwrap().delta, 3);
        assert!(
            row("tx_timeout").is_some(),
            "a trouble counter shows even at 0"
        );
        assert!(
            row("rx_bytes_nic").is_none(),
            "a driver counter that is not trouble is left out"
        );
        n.driver = Err("no ioctl".into());
        assert!(report(&n).notes.iter().any(|x| x.contains("no ioctl")));
    }
}
