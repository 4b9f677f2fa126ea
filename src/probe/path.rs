//! Traces the path to a host with trippy-core (the library behind trippy): ICMP echo, or TCP
//! SYN to the state port so that firewalls passing only Redis traffic still give a path.
//! Raw sockets need root or CAP_NET_RAW.

use std::net::IpAddr;
use std::time::Duration;

use trippy_core::{Builder, Port, PortDirection, PrivilegeMode, Protocol};

use crate::observe::path::{PathHop, PathReport};

/// How to trace.
#[derive(Debug, Clone)]
pub struct TraceSpec {
    /// The host as given.
    pub target: String,
    /// Its address.
    pub addr: IpAddr,
    /// TCP SYN to this port, or ICMP when None.
    pub tcp_port: Option<u16>,
    /// Rounds.
    pub rounds: usize,
    /// The shortest round.
    pub interval: Duration,
    /// How long a probe is waited for.
    pub timeout: Duration,
    /// Highest TTL.
    pub max_ttl: u8,
}

/// Runs the trace (blocking: call from a blocking thread).
pub fn trace(spec: &TraceSpec) -> Result<PathReport, String> {
    let mut b = Builder::new(spec.addr)
        .privilege_mode(PrivilegeMode::Privileged)
        .max_rounds(Some(spec.rounds))
        .min_round_duration(spec.interval)
        .max_round_duration(spec.interval.max(spec.timeout))
        .grace_duration(Duration::from_millis(100))
        .read_timeout(Duration::from_millis(10))
        .max_ttl(spec.max_ttl);
    b = match spec.tcp_port {
        Some(p) => b
            .protocol(Protocol::Tcp)
            .port_direction(PortDirection::FixedDest(Port(p))),
        None => b.protocol(Protocol::Icmp),
    };
    let tracer = b.build().map_err(|e| privileges(e.to_string()))?;
    tracer.run().map_err(|e| privileges(e.to_string()))?;
    let state = tracer.snapshot();
    let flow = trippy_core::State::default_flow_id();
    let hops = state.hops_for_flow(flow);
    let target_ttl = hops
        .iter()
        .find(|h| h.addrs().any(|a| *a == spec.addr))
        .map(|h| h.ttl());
    let hops = hops
        .iter()
        .filter(|h| target_ttl.is_none_or(|t| h.ttl() <= t))
        .filter(|h| h.total_sent() > 0)
        .map(|h| PathHop {
            ttl: h.ttl(),
            addrs: h.addrs().map(|a| a.to_string()).collect(),
            sent: h.total_sent(),
            recv: h.total_recv(),
            loss_pct: h.loss_pct(),
            last_ms: h.last_ms(),
            avg_ms: h.avg_ms(),
            best_ms: h.best_ms(),
            worst_ms: h.worst_ms(),
            stdev_ms: h.stddev_ms(),
        })
        .collect();
    Ok(PathReport {
        target: spec.target.clone(),
        addr: spec.addr.to_string(),
        protocol: if spec.tcp_port.is_some() {
            "tcp"
        } else {
            "icmp"
        }
        .into(),
        port: spec.tcp_port,
        rounds: state.round_count(flow),
        hops,
    })
}

/// A raw-socket refusal, with what to do about it.
fn privileges(e: String) -> String {
    if e.contains("ermission") || e.contains("not permitted") {
        format!("{e}: tracing needs raw sockets: run as root, or `sudo setcap cap_net_raw+ep $(command -v statectl)`")
    } else {
        e
    }
}
