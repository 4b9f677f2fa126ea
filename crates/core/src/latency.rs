//! Pure rules of `statectl latency`: what a window row holds, what counts as a spike, and how a
//! run maps to an exit code. The sampling loop lives in `cmd/latency.rs`.

use std::time::Duration;

use serde::Serialize;

use crate::config::{LATENCY_SPIKE_MS, LATENCY_TARGET_MS};
use crate::exit::Exit;
use crate::stats::{Percentiles, Recorder};

/// One window's row.
#[derive(Debug, Serialize)]
pub struct Window {
    /// Offset of the window's end from the start, ms.
    pub at_ms: u64,
    /// Probes timed: answered, or stalled past the timeout (counted as the time waited).
    pub count: u64,
    /// Percentiles, ms (absent when no probe succeeded).
    pub latency_ms: Option<Percentiles>,
    /// Probes slower than the spike bound.
    pub spikes: u64,
    /// Failed probes.
    pub errors: u64,
}

/// The whole run, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct LatencyReport {
    /// The server (no password).
    pub target: String,
    /// What was sent.
    pub probe: String,
    /// Interval between probes, ms.
    pub interval_ms: u64,
    /// A round trip above this was a spike, ms.
    pub spike_ms: f64,
    /// Every window.
    pub windows: Vec<Window>,
    /// Over the whole run.
    pub summary: Option<Percentiles>,
    /// Probes timed: answered, or stalled past the timeout (counted as the time waited).
    pub count: u64,
    /// Probes slower than the spike bound.
    pub spikes: u64,
    /// Failed probes.
    pub errors: u64,
}

/// Whether a round trip is a spike (the brief's "latency spikes > 500ms").
pub fn is_spike(rtt: Duration) -> bool {
    rtt.as_secs_f64() * 1000.0 > LATENCY_SPIKE_MS
}

/// One window's row from what it recorded.
pub fn window(at: Duration, rec: &Recorder, spikes: u64) -> Window {
    Window {
        at_ms: at.as_millis() as u64,
        count: rec.count(),
        latency_ms: (rec.count() > 0).then(|| Percentiles::of(&rec.latency)),
        spikes,
        errors: rec.error_count(),
    }
}

/// Errors or spikes fail; a p99 above the state-retrieval target warns.
pub fn exit(r: &LatencyReport) -> Exit {
    if r.errors > 0 || r.spikes > 0 {
        Exit::Fail
    } else if r
        .summary
        .as_ref()
        .is_some_and(|p| p.p99 > LATENCY_TARGET_MS)
    {
        Exit::Warn
    } else {
        Exit::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(rtts_ms: &[f64], errors: u64) -> LatencyReport {
        let mut rec = Recorder::default();
        for ms in rtts_ms {
            rec.ok(Duration::from_secs_f64(ms / 1000.0));
        }
        let spikes = rtts_ms
            .iter()
            .filter(|ms| is_spike(Duration::from_secs_f64(*ms / 1000.0)))
            .count() as u64;
        LatencyReport {
            target: "t".into(),
            probe: "PING".into(),
            interval_ms: 10,
            spike_ms: LATENCY_SPIKE_MS,
            windows: vec![window(Duration::from_secs(1), &rec, spikes)],
            summary: Some(Percentiles::of(&rec.latency)),
            count: rec.count(),
            spikes,
            errors,
        }
    }

    #[test]
    fn spikes_are_strictly_above_500_ms() {
        assert!(!is_spike(Duration::from_millis(500)));
        assert!(is_spike(Duration::from_micros(500_001)));
    }

    #[test]
    fn exit_policy_errors_and_spikes_fail_slow_p99_warns() {
        assert_eq!(exit(&report(&[0.2; 100], 0)), Exit::Ok);
        assert_eq!(exit(&report(&[0.2; 100], 1)), Exit::Fail);
        assert_eq!(exit(&report(&[0.2, 600.0], 0)), Exit::Fail);
        assert_eq!(exit(&report(&[7.0; 100], 0)), Exit::Warn);
        let r = report(&[0.2, 0.4], 0);
        assert_eq!((r.windows[0].count, r.windows[0].spikes), (2, 0));
    }
}
