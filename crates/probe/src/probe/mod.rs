//! Live I/O against hosts. Probes return typed observations and never decide pass or fail;
//! every wait is bounded by the caller's timeout.

pub mod cluster;
pub mod exposure;
pub mod http;
pub mod jwt;
pub mod kernel;
pub mod lb;
pub mod log;
pub mod nic;
pub mod packets;
pub mod path;
pub mod peer;
pub mod ping;
pub mod postgres;
pub mod preflight;
pub mod redis;
pub mod replica;
pub mod sentinel;
pub mod service;
pub mod sysctl;
pub mod tls;
pub mod topology;

use std::time::Duration;

use futures::future::BoxFuture;

use crate::config::Timing;
use crate::doctor::Area;
use crate::targets::Targets;

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
    /// Most targets of one area probed at once.
    pub concurrency: usize,
    /// `doctor --from`: where the exposure checks look at the servers from.
    pub vantage: Option<exposure::Vantage>,
}

impl ProbeContext {
    /// Runs the probes, at most `concurrency` at a time; results in the order given.
    pub fn each<F: std::future::Future>(
        &self,
        probes: impl IntoIterator<Item = F>,
    ) -> impl std::future::Future<Output = Vec<F::Output>> {
        use futures::StreamExt;
        // made here, not inside the future: a closure that maps targets to probes does not
        // have to live across an await (its lifetimes would not be general enough to box)
        let probes: Vec<F> = probes.into_iter().collect();
        let n = self.concurrency.max(1);
        async move {
            // unordered, so a quick failure frees its slot at once; then back in target order
            let mut done: Vec<(usize, F::Output)> = futures::stream::iter(probes)
                .enumerate()
                .map(|(i, f)| async move { (i, f.await) })
                .buffer_unordered(n)
                .collect()
                .await;
            done.sort_by_key(|(i, _)| *i);
            done.into_iter().map(|(_, o)| o).collect()
        }
    }
}

impl ProbeContext {
    /// Whether `area` needs its full probe.
    pub fn full(&self, area: Area) -> bool {
        self.full.contains(&area)
    }
}

/// Runs blocking reads below `root` (/proc, /sys, /dev/kmsg, files) on tokio's blocking pool,
/// off the runtime thread that times network round trips.
pub(crate) async fn off_runtime<T: Send + 'static>(
    root: &kernel::HostRoot,
    read: impl FnOnce(&kernel::HostRoot) -> T + Send + 'static,
) -> T {
    let root = root.clone();
    match tokio::task::spawn_blocking(move || read(&root)).await {
        Ok(v) => v,
        // the read panicked: carry its panic to the caller as if it had run here
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Runs `probe` on a current-thread runtime beside a 5 ms ticker, as the probes run beside the
/// timed round trips: its result, and the longest the ticker waited (a stall of the runtime).
#[cfg(test)]
pub(crate) fn with_worst_stall<T>(probe: impl std::future::Future<Output = T>) -> (T, Duration) {
    use std::time::Instant;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let done = std::cell::Cell::new(false);
        let ticker = async {
            let mut worst = Duration::ZERO;
            let mut last = Instant::now();
            while !done.get() {
                tokio::time::sleep(Duration::from_millis(5)).await;
                worst = worst.max(last.elapsed());
                last = Instant::now();
            }
            worst
        };
        let probe = async {
            // let the ticker start first
            tokio::time::sleep(Duration::from_millis(20)).await;
            let o = probe.await;
            done.set(true);
            o
        };
        tokio::join!(probe, ticker)
    })
}

/// The probe of `area`: observes every target of the area named in the context. The match is
/// exhaustive, so an area without a probe does not compile.
pub fn of(area: Area) -> for<'a> fn(&'a ProbeContext) -> BoxFuture<'a, crate::observe::Observed> {
    match area {
        Area::Redis => redis::observe_area,
        Area::Postgres => postgres::observe_area,
        Area::Kernel => kernel::observe_area,
        Area::Nic => nic::observe_area,
        Area::Sentinel => sentinel::observe_area,
        Area::Cluster => cluster::observe_area,
        Area::Lb => lb::observe_area,
        Area::Jwt => jwt::observe_area,
        Area::Http => http::observe_area,
        Area::Log => log::observe_area,
        Area::Path => path::observe_area,
        Area::Preflight => preflight::observe_area,
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

/// stdout and stderr of a program, or why it did not run or failed.
pub fn command(program: &str, args: &[&str]) -> Result<(String, String), String> {
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    if !out.status.success() {
        let last = e
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        return Err(format!(
            "{program} {} failed: {}",
            args.join(" "),
            crate::text::escape(&last)
        ));
    }
    Ok((o, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_bounds_concurrency_and_keeps_target_order() {
        let cx = ProbeContext {
            targets: Targets::default(),
            timing: Timing {
                timeout: Duration::from_secs(1),
                sample: Duration::from_secs(1),
            },
            ttl_sample_keys: 1,
            full: Vec::new(),
            root: kernel::HostRoot::default(),
            cancel: crate::cancel::CancellationToken::new(),
            concurrency: 2,
            vantage: None,
        };
        let running = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let probes = [30u64, 10, 20, 0, 5].map(|ms| {
            let (running, peak) = (running.clone(), peak.clone());
            async move {
                use std::sync::atomic::Ordering::SeqCst;
                let now = running.fetch_add(1, SeqCst) + 1;
                peak.fetch_max(now, SeqCst);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                running.fetch_sub(1, SeqCst);
                ms
            }
        });
        assert_eq!(cx.each(probes).await, vec![30, 10, 20, 0, 5]);
        assert_eq!(peak.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
