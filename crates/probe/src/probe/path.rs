//! Traces the path to a host with trippy-core (the library behind trippy): ICMP echo, or TCP
//! SYN to the state port so that firewalls passing only Redis traffic still give a path.
//! Raw sockets need root or CAP_NET_RAW.

use std::net::IpAddr;
use std::time::Duration;

use trippy_core::{Builder, Port, PortDirection, PrivilegeMode, Protocol};

use crate::cancel::CancellationToken;

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

/// Runs the trace (blocking: call from a blocking thread); a cancel ends it with the rounds
/// done so far.
pub fn trace(spec: &TraceSpec, cancel: &CancellationToken) -> Result<PathReport, String> {
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
    let (tracer, running) = b
        .build()
        .and_then(|t| t.spawn())
        .map_err(|e| privileges(e.to_string()))?;
    // the tracer runs on its own thread; a cancel leaves it behind and reads what it has
    while !running.is_finished() && !cancel.is_cancelled() {
        std::thread::sleep(Duration::from_millis(20));
    }
    if running.is_finished() {
        match running.join() {
            Ok(r) => r.map_err(|e| privileges(e.to_string()))?,
            Err(_) => return Err("the tracer's thread panicked".into()),
        }
    }
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

/// The path area's probe: with `doctor --path`, each Redis and PostgreSQL target is traced
/// with TCP SYN to its own port, 10 rounds over the sample window; without it, nothing.
pub fn observe_area(
    cx: &super::ProbeContext,
) -> futures::future::BoxFuture<'_, crate::observe::Observed> {
    use crate::observe::path::PathObservation;
    Box::pin(async move {
        let mut wanted: Vec<(String, String, u16)> = Vec::new();
        if cx.targets.path {
            for t in &cx.targets.redis {
                wanted.push((t.label.clone(), t.host.clone(), t.port));
            }
            for t in &cx.targets.postgres {
                let (host, port) = t.host_port_pair();
                wanted.push((t.label.clone(), host, port));
            }
        }
        // a round every 100 ms over the sample window, at least 10
        let interval = Duration::from_millis(100);
        let rounds = ((cx.timing.sample.as_millis() / interval.as_millis()) as usize).max(10);
        let timeout = cx.timing.timeout;
        let seen = cx
            .each(wanted.into_iter().map(|(label, host, port)| async move {
                let cancel = cx.cancel.clone();
                let report = tokio::task::spawn_blocking(move || {
                    if host.starts_with('/') {
                        return Err("a Unix socket: no network path".to_string());
                    }
                    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
                        .map_err(|e| format!("{host}: {e}"))?
                        .next()
                        .ok_or_else(|| format!("{host}: no address"))?
                        .ip();
                    trace(
                        &TraceSpec {
                            target: host.clone(),
                            addr,
                            tcp_port: Some(port),
                            rounds,
                            interval,
                            timeout,
                            max_ttl: 30,
                        },
                        &cancel,
                    )
                })
                .await
                .unwrap_or_else(|e| Err(format!("the tracer failed: {e}")));
                PathObservation {
                    target: label,
                    report,
                }
            }))
            .await;
        crate::observe::Observed::Path(seen)
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
