//! The network path to each state server (`doctor --path`): `path.loss`, `path.latency`,
//! `path.loops`, judged on the final hop as mtr's documentation advises: loss at an
//! intermediate hop that does not carry through to the end is shown, not judged.

use super::{Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::path::PathReport;

const DOCTOR: &[Tag] = &[Tag::Doctor];

/// The path checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "path.loss",
        area: Area::Path,
        tags: DOCTOR,
        doc: "with --path: loss at the final hop above {path.loss_fail_ratio:%} fails, and a target that never answers fails; intermediate loss is evidence only; no raw sockets: skip",
        full: false,
        eval: Eval::Path(loss),
    },
    Check {
        id: "path.latency",
        area: Area::Path,
        tags: DOCTOR,
        doc: "with --path: the final hop's worst round trip above {path.worst_fail_ms} ms fails (switch congestion or a routing loop); its average above {path.avg_warn_ms} ms warns",
        full: false,
        eval: Eval::Path(latency),
    },
    Check {
        id: "path.loops",
        area: Area::Path,
        tags: DOCTOR,
        doc: "with --path: the same address at hops that are not adjacent is a routing loop: fail",
        full: false,
        eval: Eval::Path(loops),
    },
];

fn hops_text(r: &PathReport) -> String {
    r.hops
        .iter()
        .map(|h| {
            format!(
                "{}:{} {:.0}%",
                h.ttl,
                if h.addrs.is_empty() {
                    "???".into()
                } else {
                    h.addrs.join("/")
                },
                h.loss_pct
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `path.loss`.
pub fn loss(r: &PathReport, t: &Ctx) -> Verdict {
    let v = |v: Verdict| v.with("hops", hops_text(r)).with("rounds", r.rounds);
    let Some(last) = r.final_hop() else {
        return v(Verdict::new(
            Status::Fail,
            format!("{} never answered in {} hop(s)", r.addr, r.hops.len()),
        ))
        .fix("Probes die on the way: check routes (`ip route get ADDR`) and firewalls between here and the server; the last hop that answers is where to look");
    };
    let limit = t.path.loss_fail_ratio * 100.0;
    let out = v(Verdict::pass(format!(
        "{:.1}% loss to {} over {} hop(s)",
        last.loss_pct,
        r.addr,
        r.hops.len()
    )))
    .with("final_loss_pct", format!("{:.1}", last.loss_pct));
    if last.loss_pct > limit {
        return Verdict::new(
            Status::Fail,
            format!("{:.1}% of probes to {} were lost (above {limit}%)", last.loss_pct, r.addr),
        )
        .with("hops", hops_text(r))
        .with("final_loss_pct", format!("{:.1}", last.loss_pct))
        .fix("Loss at the final hop reaches the application as retransmits and latency spikes: find the first hop where loss starts and carries through to the end (NIC errors: statectl nic; a congested switch; a firewall rate limit)");
    }
    out
}

/// `path.latency`.
pub fn latency(r: &PathReport, t: &Ctx) -> Verdict {
    let Some(last) = r.final_hop() else {
        return Verdict::skip(format!("{} never answered (see path.loss)", r.addr));
    };
    let worst = last.worst_ms.unwrap_or(0.0);
    let mut v = Verdict::pass(format!(
        "avg {:.2} ms, worst {:.2} ms to {}",
        last.avg_ms, worst, r.addr
    ))
    .with("avg_ms", format!("{:.3}", last.avg_ms))
    .with("worst_ms", format!("{worst:.3}"))
    .with("stdev_ms", format!("{:.3}", last.stdev_ms));
    if worst > t.path.worst_fail_ms {
        v.escalate(
            Status::Fail,
            format!("a round trip to {} took {worst:.0} ms (above {} ms)", r.addr, t.path.worst_fail_ms),
            "Latency spikes on the path: investigate switch congestion or a routing loop (path.loops); compare the hops' worst times to find where it starts",
        );
    } else if last.avg_ms > t.path.avg_warn_ms {
        v.escalate(
            Status::Warn,
            format!("average round trip to {} is {:.2} ms (above {} ms)", r.addr, last.avg_ms, t.path.avg_warn_ms),
            "The state node is far for a session cache: place it in the same zone as the API nodes, or check the hops for the added time",
        );
    }
    v
}

/// `path.loops`.
pub fn loops(r: &PathReport, _t: &Ctx) -> Verdict {
    let found = r.loops();
    if found.is_empty() {
        return Verdict::pass(format!("no address repeats over {} hop(s)", r.hops.len()))
            .with("hops", hops_text(r));
    }
    let what: Vec<String> = found
        .iter()
        .map(|(a, x, y)| format!("{a} at hops {x} and {y}"))
        .collect();
    Verdict::new(Status::Fail, format!("routing loop: {}", what.join("; ")))
        .with("hops", hops_text(r))
        .fix("Two routers send the traffic back and forth: fix the static or learned routes at the repeating hops (`ip route get ADDR` on each)")
}

/// The path area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    for o in &obs.path {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Path(f) = c.eval {
                let v = match &o.report {
                    Ok(r) => f(r, t),
                    Err(why) => crate::model::Verdict::skip(format!("not traced: {why}")),
                };
                out.push(crate::model::Finding::new(c.id, &o.target, v));
            }
        }
    }
}
