//! Pure statistics for benchmarks and latency sampling: HDR histograms kept per task and merged,
//! and the report they summarise into.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

pub use crate::config::LATENCY_TARGET_MS;
/// The brief's throughput threshold per node.
pub const RPS_TARGET: f64 = 50_000.0;
/// Longest latency a histogram holds (60 s); longer values are clamped to it.
const MAX_US: u64 = 60_000_000;

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_US, 3).expect("static bounds are valid")
}

/// Nearest-rank quantiles `qs` of `values`, read from a µs HDR histogram (3 significant figures):
/// the one way latencies are summarised here (bench, latency, capture and doctor's checks).
/// A quantile is never above the largest value seen (the histogram's bucket may reach past it).
/// Empty when `values` is.
pub fn quantiles(values: impl IntoIterator<Item = Duration>, qs: &[f64]) -> Vec<Duration> {
    let mut h = new_histogram();
    let mut max = Duration::ZERO;
    for v in values {
        max = max.max(v);
        h.saturating_record((v.as_micros() as u64).clamp(1, MAX_US));
    }
    if h.is_empty() {
        return Vec::new();
    }
    qs.iter()
        .map(|q| Duration::from_micros(h.value_at_quantile(*q)).min(max))
        .collect()
}

/// What one task saw: latencies, errors by kind, and schedule lag under `--rate`.
#[derive(Debug, Clone)]
pub struct Recorder {
    /// Latency of every successful reply, µs.
    pub latency: Histogram<u64>,
    /// How late each send was against its schedule, µs (open-loop runs only).
    pub lag: Histogram<u64>,
    /// Service time, from the actual send to the reply, µs (open-loop runs only; `latency` is
    /// then the response time, from the scheduled send).
    pub service: Histogram<u64>,
    /// Errors by kind (`ERR`, `WRONGTYPE`, `connection reset` …).
    pub errors: BTreeMap<String, u64>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            latency: new_histogram(),
            lag: new_histogram(),
            service: new_histogram(),
            errors: BTreeMap::new(),
        }
    }
}

impl Recorder {
    /// Records one successful reply.
    pub fn ok(&mut self, latency: Duration) {
        let us = (latency.as_micros() as u64).clamp(1, MAX_US);
        self.latency.record(us).expect("clamped into range");
    }

    /// Records `n` failures of one kind.
    pub fn error(&mut self, kind: &str, n: u64) {
        *self.errors.entry(kind.to_string()).or_default() += n;
    }

    /// Records a reply's service time, from the actual send (open-loop runs).
    pub fn served(&mut self, d: Duration) {
        let us = (d.as_micros() as u64).clamp(1, MAX_US);
        self.service.record(us).expect("clamped into range");
    }

    /// Records how late a send was.
    pub fn lag(&mut self, lag: Duration) {
        let us = (lag.as_micros() as u64).clamp(1, MAX_US);
        self.lag.record(us).expect("clamped into range");
    }

    /// Adds another task's recorder into this one.
    pub fn merge(&mut self, other: &Recorder) {
        self.latency.add(&other.latency).expect("same bounds");
        self.lag.add(&other.lag).expect("same bounds");
        self.service.add(&other.service).expect("same bounds");
        for (k, v) in &other.errors {
            *self.errors.entry(k.clone()).or_default() += v;
        }
    }

    /// Successful replies recorded.
    pub fn count(&self) -> u64 {
        self.latency.len()
    }

    /// Failures recorded.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// Percentiles in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Fastest.
    pub min: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Slowest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Percentiles {
    /// Summarises a µs histogram in ms.
    pub fn of(h: &Histogram<u64>) -> Percentiles {
        let ms = |us: u64| us as f64 / 1000.0;
        Percentiles {
            min: ms(h.min()),
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
            mean: h.mean() / 1000.0,
        }
    }
}

/// One histogram bucket for machines: how many replies took at most `le_us`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Upper bound, µs.
    pub le_us: u64,
    /// Replies in this bucket.
    pub count: u64,
}

/// Whether the run met the brief's targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// p99 target, ms.
    pub latency_target_ms: f64,
    /// Whether p99 met it.
    pub latency_ok: bool,
    /// Throughput threshold, requests per second.
    pub rps_target: f64,
    /// Whether the run reached it.
    pub rps_ok: bool,
}

/// The result of one benchmark run, as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// `redis` or `postgres`.
    pub kind: String,
    /// The server (no password).
    pub target: String,
    /// Workload name.
    pub workload: String,
    /// Connections.
    pub connections: usize,
    /// Requests in flight per connection.
    pub pipeline: usize,
    /// Open-loop rate asked for, if any.
    pub rate: Option<u64>,
    /// Wall time of the measured phase, ms.
    pub duration_ms: u64,
    /// Successful requests (one latency sample each).
    pub requests: u64,
    /// Failed requests.
    pub errors: u64,
    /// Failures by kind.
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Successful requests per second.
    pub rps: f64,
    /// Latency percentiles, ms (coordinated-omission corrected under --rate).
    pub latency_ms: Percentiles,
    /// How late sends were against the schedule, ms (open-loop runs only).
    pub schedule_lag_ms: Option<Percentiles>,
    /// Service time, ms: from the actual send to the reply (open-loop runs only; `latency_ms`
    /// is then the response time, from the scheduled send, corrected for coordinated omission).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_time_ms: Option<Percentiles>,
    /// Set when the schedule lag's median is above a tenth of the service time's: the client,
    /// not the server, set the response time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_behind: Option<String>,
    /// Client CPU (user + system) as a percentage of one core.
    pub client_cpu_percent: f64,
    /// Runtime threads the client used.
    pub client_threads: usize,
    /// Whether the client itself was the bottleneck (CPU near its thread count).
    pub client_saturated: bool,
    /// Whether the run ended early (a server that died, a timeout).
    pub partial: bool,
    /// On a Redis Cluster: figures per master and the redirections followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterReport>,
    /// The brief's targets.
    pub verdict: Verdict,
    /// Latency histogram buckets (log-scaled, µs).
    pub buckets: Vec<Bucket>,
}

/// Parameters that describe a run, for the report.
#[derive(Debug, Clone)]
pub struct RunShape {
    /// `redis` or `postgres`.
    pub kind: &'static str,
    /// Server label.
    pub target: String,
    /// Workload name.
    pub workload: String,
    /// Connections.
    pub connections: usize,
    /// In flight per connection.
    pub pipeline: usize,
    /// Open-loop rate.
    pub rate: Option<u64>,
    /// Runtime threads.
    pub threads: usize,
}

/// A cluster run's figures per master.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterReport {
    /// One per master, in slot order.
    pub masters: Vec<NodeReport>,
    /// MOVED replies followed (the slot map is updated on each).
    pub moved: u64,
    /// ASK replies followed.
    pub asked: u64,
}

/// One master's share of a run (the connections homed on it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeReport {
    /// host:port.
    pub node: String,
    /// Replies.
    pub requests: u64,
    /// Errors.
    pub errors: u64,
    /// Replies per second.
    pub rps: f64,
    /// Latency percentiles.
    pub latency_ms: Percentiles,
}

/// Summarises a merged recorder.
pub fn summarize(
    shape: &RunShape,
    r: &Recorder,
    wall: Duration,
    cpu: Duration,
    partial: bool,
) -> BenchReport {
    let secs = wall.as_secs_f64().max(1e-9);
    let rps = r.count() as f64 / secs;
    let latency = if r.count() == 0 {
        Percentiles {
            min: 0.0,
            p50: 0.0,
            p90: 0.0,
            p99: 0.0,
            p999: 0.0,
            max: 0.0,
            mean: 0.0,
        }
    } else {
        Percentiles::of(&r.latency)
    };
    let cpu_percent = cpu.as_secs_f64() / secs * 100.0;
    let buckets = if r.count() == 0 {
        Vec::new()
    } else {
        r.latency
            .iter_log(1, 2.0)
            .filter(|v| v.count_since_last_iteration() > 0)
            .map(|v| Bucket {
                le_us: v.value_iterated_to(),
                count: v.count_since_last_iteration(),
            })
            .collect()
    };
    BenchReport {
        kind: shape.kind.to_string(),
        target: shape.target.clone(),
        workload: shape.workload.clone(),
        connections: shape.connections,
        pipeline: shape.pipeline,
        rate: shape.rate,
        duration_ms: wall.as_millis() as u64,
        requests: r.count(),
        errors: r.error_count(),
        errors_by_kind: r.errors.clone(),
        rps,
        verdict: Verdict {
            latency_target_ms: LATENCY_TARGET_MS,
            latency_ok: r.count() > 0 && latency.p99 < LATENCY_TARGET_MS,
            rps_target: RPS_TARGET,
            rps_ok: rps >= RPS_TARGET,
        },
        latency_ms: latency,
        schedule_lag_ms: (shape.rate.is_some() && !r.lag.is_empty())
            .then(|| Percentiles::of(&r.lag)),
        service_time_ms: (shape.rate.is_some() && !r.service.is_empty())
            .then(|| Percentiles::of(&r.service)),
        client_behind: client_behind(shape, r),
        client_cpu_percent: cpu_percent,
        client_threads: shape.threads,
        client_saturated: cpu_percent >= 90.0 * shape.threads as f64,
        partial,
        buckets,
        cluster: None,
    }
}

/// The warning for an open-loop run whose sends left late: the schedule lag's median above a
/// tenth of the service time's.
fn client_behind(shape: &RunShape, r: &Recorder) -> Option<String> {
    if shape.rate.is_none() || r.lag.is_empty() || r.service.is_empty() {
        return None;
    }
    let lag = r.lag.value_at_quantile(0.5) as f64 / 1000.0;
    let service = r.service.value_at_quantile(0.5) as f64 / 1000.0;
    (lag > service * 0.1).then(|| {
        format!(
            "sends left {lag:.3} ms late at the median, more than a tenth of the {service:.3} ms service time: the client, not the server, is the bottleneck (fewer connections or more --threads)"
        )
    })
}

/// The request count when neither -n nor --duration is given (redis-benchmark's).
pub const DEFAULT_REQUESTS: u64 = 100_000;

/// -n, or redis-benchmark's 100000 when neither -n nor --duration is given.
pub fn request_budget(requests: Option<u64>, duration: Option<Duration>) -> Option<u64> {
    requests.or(duration.is_none().then_some(DEFAULT_REQUESTS))
}

/// Errors or a partial run fail; a missed latency or throughput target warns.
pub fn exit(r: &BenchReport) -> crate::exit::Exit {
    use crate::exit::Exit;
    if r.errors > 0 || r.partial {
        Exit::Fail
    } else if !(r.verdict.latency_ok && r.verdict.rps_ok) {
        Exit::Warn
    } else {
        Exit::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue 27 #6: one percentile method (this HDR histogram) for doctor's checks too
    #[test]
    fn quantiles_are_nearest_rank_within_the_histograms_resolution_and_never_above_the_max() {
        let ms = |v: u64| Duration::from_millis(v);
        let values: Vec<Duration> = (1..=10).map(ms).collect();
        let q = quantiles(values.iter().copied(), &[0.5, 0.9, 0.99]);
        // nearest rank: the 5th, 9th and 10th of ten
        for (got, want) in q.iter().zip([ms(5), ms(9), ms(10)]) {
            let err = got.as_secs_f64() / want.as_secs_f64() - 1.0;
            assert!((0.0..0.001).contains(&err), "{got:?} for {want:?}");
        }
        // 10 ms lies in a bucket that reaches past it: clamped to the largest value seen
        assert_eq!(q[2], ms(10));
        assert!(quantiles(std::iter::empty(), &[0.5]).is_empty());
        // below the histogram's lowest value, and above its highest: clamped, not lost
        let q = quantiles([Duration::ZERO, Duration::from_secs(3600)], &[0.5, 1.0]);
        assert_eq!(q[0], Duration::from_micros(1));
        assert_eq!(q.len(), 2);
    }

    fn shape() -> RunShape {
        RunShape {
            kind: "redis",
            target: "t".into(),
            workload: "get".into(),
            connections: 2,
            pipeline: 1,
            rate: None,
            threads: 1,
        }
    }

    #[test]
    fn merged_counts_are_exact_and_percentiles_ordered() {
        let mut a = Recorder::default();
        let mut b = Recorder::default();
        for i in 0..1000u64 {
            a.ok(Duration::from_micros(100 + i));
            b.ok(Duration::from_micros(2000 + i));
        }
        b.error("ERR", 3);
        a.merge(&b);
        assert_eq!(a.count(), 2000);
        assert_eq!(a.error_count(), 3);
        let r = summarize(
            &shape(),
            &a,
            Duration::from_secs(1),
            Duration::from_millis(500),
            false,
        );
        assert_eq!(r.requests, 2000);
        assert_eq!(r.rps, 2000.0);
        let l = &r.latency_ms;
        assert!(
            l.min <= l.p50
                && l.p50 <= l.p90
                && l.p90 <= l.p99
                && l.p99 <= l.p999
                && l.p999 <= l.max
        );
        assert!((l.p50 - 1.1).abs() < 0.01, "{l:?}");
        assert!(r.verdict.latency_ok && !r.verdict.rps_ok);
        assert_eq!(r.buckets.iter().map(|b| b.count).sum::<u64>(), 2000);
        assert!((r.client_cpu_percent - 50.0).abs() < 0.01 && !r.client_saturated);
    }

    #[test]
    fn an_empty_run_is_not_a_pass() {
        let r = summarize(
            &shape(),
            &Recorder::default(),
            Duration::from_secs(1),
            Duration::ZERO,
            true,
        );
        assert!(!r.verdict.latency_ok && r.partial && r.buckets.is_empty());
    }

    #[test]
    fn budget_defaults_only_without_duration_and_exit_policy() {
        assert_eq!(request_budget(None, None), Some(DEFAULT_REQUESTS));
        assert_eq!(request_budget(Some(5), None), Some(5));
        assert_eq!(request_budget(None, Some(Duration::from_secs(1))), None);
        let mut rec = Recorder::default();
        rec.ok(Duration::from_micros(100));
        let mut r = summarize(
            &shape(),
            &rec,
            Duration::from_secs(1),
            Duration::ZERO,
            false,
        );
        r.verdict.rps_ok = true;
        r.verdict.latency_ok = true;
        assert_eq!(exit(&r), crate::exit::Exit::Ok);
        r.verdict.rps_ok = false;
        assert_eq!(exit(&r), crate::exit::Exit::Warn);
        r.partial = true;
        assert_eq!(exit(&r), crate::exit::Exit::Fail);
        r.partial = false;
        r.errors = 1;
        assert_eq!(exit(&r), crate::exit::Exit::Fail);
    }
}
