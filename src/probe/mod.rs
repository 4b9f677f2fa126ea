//! Live I/O against hosts. Probes return typed observations and never decide pass or fail;
//! every wait is bounded by the caller's timeout.

pub mod kernel;
pub mod nic;
pub mod packets;
pub mod peer;
pub mod ping;
pub mod postgres;
pub mod redis;
pub mod sysctl;

use std::time::Duration;

use crate::config::Timing;
use crate::doctor::Area;
use crate::target::Targets;

/// What every area's probe gets: the resolved targets, the timing, which areas need their full
/// probe (the sample window, CONFIG, ACLs …) rather than reachability only, and the host root.
#[derive(Debug, Clone)]
pub struct ProbeContext {
    /// Every target, resolved and validated once.
    pub targets: Targets,
    /// Timeout and sample window.
    pub timing: Timing,
    /// Most keys the Redis TTL sample looks at.
    pub ttl_sample_keys: u64,
    /// Areas that need their full probe.
    pub full: Vec<Area>,
    /// Where this machine's /proc, /sys and /etc are read.
    pub root: kernel::HostRoot,
    /// Cancelled by Ctrl-C: sample windows end early and in-flight work gets a short grace.
    pub cancel: crate::cancel::CancellationToken,
}

impl ProbeContext {
    /// Whether `area` needs its full probe.
    pub fn full(&self, area: Area) -> bool {
        self.full.contains(&area)
    }
}

pub use crate::observe::ProbeError;

/// What one target's whole observation may take beyond `--timeout` + `--sample`: every command
/// after the connect shares one deadline, so a server that freezes mid-window costs the run at
/// most this much more, not one timeout per remaining command.
pub const DEADLINE_SLACK: Duration = Duration::from_millis(700);

/// The time a command may take: the timeout, cut to what is left before `deadline`.
pub fn budget(timeout: Duration, deadline: Option<std::time::Instant>) -> Duration {
    match deadline {
        Some(d) => d
            .saturating_duration_since(std::time::Instant::now())
            .min(timeout),
        None => timeout,
    }
}

/// Runs `fut` with a timeout, turning expiry into [`ProbeError::Timeout`].
pub async fn bounded<T>(
    addr: &str,
    timeout: Duration,
    stage: &'static str,
    fut: impl std::future::Future<Output = Result<T, ProbeError>>,
) -> Result<T, ProbeError> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(ProbeError::Timeout {
            addr: addr.to_string(),
            timeout,
            stage: stage.into(),
        }),
    }
}

/// Walks an error's source chain looking for an I/O error kind.
pub(crate) fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}
