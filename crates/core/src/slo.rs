//! Capacity at a latency objective: `bench --slo 'p99<5ms'` runs open-loop steps at fixed
//! rates and searches for the highest rate whose response times (coordinated omission
//! corrected) meet every bound. Pure: the objective, the judgement of one step, the search's
//! next rate and the report; the load itself is the bench runner's.

use std::time::Duration;

use serde::Serialize;

use crate::stats::Recorder;

/// One bound of an objective: a percentile of the response time below a limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bound {
    /// As written: `p99`, `p999`, `p99.9`.
    pub name: String,
    /// The quantile, 0 < q < 1 (`p99` → 0.99, `p999` → 0.999).
    pub quantile: f64,
    /// The limit, milliseconds.
    pub limit_ms: f64,
}

/// A latency objective: every bound must hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slo {
    /// The bounds, as given.
    pub bounds: Vec<Bound>,
}

impl Slo {
    /// The manual's objective: p99 below 5 ms.
    pub fn manual() -> Slo {
        Slo {
            bounds: vec![Bound {
                name: "p99".into(),
                quantile: 0.99,
                limit_ms: crate::config::LATENCY_TARGET_MS,
            }],
        }
    }

    /// Parses `p99<5ms`, `p99<5ms,p999<20ms`, `p50<500us`, `p99.9<1s`; the error names the part
    /// that is wrong.
    pub fn parse(text: &str) -> Result<Slo, String> {
        let mut bounds = Vec::new();
        for part in text.split(',').map(str::trim) {
            let bad = |why: &str| format!("{part:?}: {why} (e.g. p99<5ms or p99<5ms,p999<20ms)");
            let (name, limit) = part
                .split_once('<')
                .ok_or_else(|| bad("a percentile and a bound, with <"))?;
            let name = name.trim();
            let digits = name
                .strip_prefix('p')
                .filter(|d| !d.is_empty())
                .ok_or_else(|| bad("the percentile is pNN (p50, p99, p999, p99.9)"))?;
            // p99 → 99, p999 → 99.9, p9999 → 99.99, p5 → 5, p99.9 → 99.9 (percent)
            let quantile = if digits.contains('.') {
                digits.parse::<f64>().map(|p| p / 100.0)
            } else {
                format!("0.{digits:0>2}").parse::<f64>()
            }
            .map_err(|_| bad("the percentile is pNN (p50, p99, p999, p99.9)"))?;
            if digits.starts_with("100") || !(quantile > 0.0 && quantile < 1.0) {
                return Err(bad("the percentile must be above p0 and below p100"));
            }
            let limit = humantime::parse_duration(limit.trim().trim_start_matches('='))
                .map_err(|e| bad(&format!("the bound is a duration: {e}")))?;
            if limit.is_zero() {
                return Err(bad("the bound must be above zero"));
            }
            bounds.push(Bound {
                name: name.to_string(),
                quantile,
                limit_ms: limit.as_secs_f64() * 1e3,
            });
        }
        Ok(Slo { bounds })
    }

    /// `p99<5ms,p999<20ms`.
    pub fn label(&self) -> String {
        self.bounds
            .iter()
            .map(|b| format!("{}<{}ms", b.name, trim(b.limit_ms)))
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn trim(ms: f64) -> String {
    let s = format!("{ms:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One step of the search: the load offered, what came back, and whether it met the objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The rate offered, requests per second.
    pub rate: u64,
    /// The rate achieved (requests answered per second of the measured window).
    pub achieved_rps: f64,
    /// Requests answered in the measured window.
    pub requests: u64,
    /// Errors in the measured window.
    pub errors: u64,
    /// Response-time percentiles, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// 99.9th percentile, milliseconds.
    pub p999_ms: f64,
    /// Each bound's observed value, milliseconds, in the objective's order.
    pub observed_ms: Vec<f64>,
    /// Whether every bound held and nothing failed.
    pub pass: bool,
    /// What broke it: `p99 7.2 ms > 5 ms`, or the errors.
    pub broken_by: Option<String>,
    /// The client's CPU, percent of one core.
    pub client_cpu_percent: f64,
    /// Whether the client used all its threads' CPU (then a failure may be the client's).
    pub client_saturated: bool,
    /// On a Redis Cluster: each master's share of the step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub masters: Vec<NodeStep>,
}

/// One master's part of a step on a Redis Cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeStep {
    /// `host:port`.
    pub node: String,
    /// Requests it answered in the step.
    pub requests: u64,
    /// Its response-time p99, milliseconds.
    pub p99_ms: f64,
    /// Each bound's observed value on it, milliseconds.
    pub observed_ms: Vec<f64>,
}

/// Each master's part of a step, from its own recorder.
pub fn per_node(slo: &Slo, nodes: &[(String, Recorder)]) -> Vec<NodeStep> {
    nodes
        .iter()
        .map(|(node, r)| {
            let ms = |q: f64| {
                if r.count() == 0 {
                    0.0
                } else {
                    r.latency.value_at_quantile(q) as f64 / 1000.0
                }
            };
            NodeStep {
                node: node.clone(),
                requests: r.count(),
                p99_ms: ms(0.99),
                observed_ms: slo.bounds.iter().map(|b| ms(b.quantile)).collect(),
            }
        })
        .collect()
}

/// Judges one measured step against the objective.
pub fn judge(
    slo: &Slo,
    rate: u64,
    rec: &Recorder,
    window: Duration,
    cpu_percent: f64,
    saturated: bool,
) -> Step {
    let ms = |q: f64| {
        if rec.count() == 0 {
            0.0
        } else {
            rec.latency.value_at_quantile(q) as f64 / 1000.0
        }
    };
    let observed: Vec<f64> = slo.bounds.iter().map(|b| ms(b.quantile)).collect();
    let over = slo
        .bounds
        .iter()
        .zip(&observed)
        .find(|(b, v)| **v >= b.limit_ms)
        .map(|(b, v)| format!("{} {v:.3} ms ≥ {} ms", b.name, trim(b.limit_ms)));
    let errors = rec.error_count();
    let broken_by = if rec.count() == 0 {
        Some("no answers".to_string())
    } else if errors > 0 {
        let kinds: Vec<String> = rec.errors.iter().map(|(k, n)| format!("{n} {k}")).collect();
        Some(format!("{errors} errors ({})", kinds.join(", ")))
    } else {
        over
    };
    Step {
        rate,
        achieved_rps: rec.count() as f64 / window.as_secs_f64().max(1e-9),
        requests: rec.count(),
        errors,
        p50_ms: ms(0.5),
        p99_ms: ms(0.99),
        p999_ms: ms(0.999),
        observed_ms: observed,
        pass: broken_by.is_none(),
        broken_by,
        client_cpu_percent: cpu_percent,
        client_saturated: saturated,
        masters: Vec::new(),
    }
}

/// The lowest rate the search tries.
pub const MIN_RATE: u64 = 10;

/// Why the search stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "detail")]
pub enum Stop {
    /// The highest passing and the lowest failing rate are within the resolution.
    Resolved,
    /// Every rate up to `--max-rate` met the objective.
    MaxRate,
    /// The client ran out of CPU at a failing step: the server's limit is not known.
    ClientLimit(String),
    /// Even the lowest rate tried failed.
    NothingPasses,
    /// Ctrl-C.
    Interrupted,
}

/// The search: an exponential ramp from the start rate until a step fails (or halving until one
/// passes), then bisection until the gap is within the resolution.
#[derive(Debug, Clone)]
pub struct Search {
    /// The first rate.
    pub start: u64,
    /// The highest rate offered.
    pub max_rate: u64,
    /// The gap at which to stop, as a fraction of the passing rate (0.05).
    pub resolution: f64,
    /// The steps so far, in the order run.
    pub steps: Vec<Step>,
    /// Set when it stopped.
    pub stop: Option<Stop>,
}

impl Search {
    /// A new search.
    pub fn new(start: u64, max_rate: u64, resolution: f64) -> Search {
        Search {
            start: start.clamp(MIN_RATE, max_rate.max(MIN_RATE)),
            max_rate: max_rate.max(MIN_RATE),
            resolution,
            steps: Vec::new(),
            stop: None,
        }
    }

    /// Each rate's verdict: its latest step (a miss is run again once: see [`Search::next`]).
    fn latest(&self) -> impl Iterator<Item = &Step> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(i, s)| !self.steps[i + 1..].iter().any(|t| t.rate == s.rate))
            .map(|(_, s)| s)
    }

    /// The highest rate that met the objective below the first that did not (a passing rate
    /// above a failing one is noise the report shows, not the answer).
    pub fn best(&self) -> Option<&Step> {
        let fail = self.first_failing().map_or(u64::MAX, |s| s.rate);
        self.latest()
            .filter(|s| s.pass && s.rate < fail)
            .max_by_key(|s| s.rate)
    }

    /// The lowest rate that did not.
    pub fn first_failing(&self) -> Option<&Step> {
        self.latest().filter(|s| !s.pass).min_by_key(|s| s.rate)
    }

    /// A rate whose only step missed: it is run again before the miss counts, so one stall of
    /// a busy machine does not become the answer.
    fn unconfirmed(&self) -> Option<u64> {
        let last = self.steps.last()?;
        (!last.pass && self.steps.iter().filter(|s| s.rate == last.rate).count() == 1)
            .then_some(last.rate)
    }

    /// Records a step and decides whether to stop.
    pub fn record(&mut self, step: Step) {
        let client = (!step.pass && step.client_saturated).then(|| {
            format!(
                "the client used {:.0}% CPU at {} rps and could not tell the server's limit: add --threads (or run the bench from another machine)",
                step.client_cpu_percent, step.rate
            )
        });
        self.steps.push(step);
        if let Some(c) = client {
            self.stop = Some(Stop::ClientLimit(c));
            return;
        }
        if self.unconfirmed().is_some() {
            return;
        }
        match (
            self.best().map(|s| s.rate),
            self.first_failing().map(|s| s.rate),
        ) {
            (Some(p), None) if p >= self.max_rate => self.stop = Some(Stop::MaxRate),
            (None, Some(f)) if f <= MIN_RATE => self.stop = Some(Stop::NothingPasses),
            (Some(p), Some(f)) if (f - p) as f64 <= p as f64 * self.resolution || f - p <= 1 => {
                self.stop = Some(Stop::Resolved)
            }
            _ => {}
        }
    }

    /// The next rate to offer, None once stopped.
    pub fn next(&self) -> Option<u64> {
        if self.stop.is_some() {
            return None;
        }
        if let Some(again) = self.unconfirmed() {
            return Some(again);
        }
        let (pass, fail) = (
            self.best().map(|s| s.rate),
            self.first_failing().map(|s| s.rate),
        );
        Some(match (pass, fail) {
            (None, None) => self.start,
            (Some(p), None) => (p.saturating_mul(2)).min(self.max_rate),
            (None, Some(f)) => (f / 2).max(MIN_RATE),
            (Some(p), Some(f)) => p + (f - p) / 2,
        })
    }
}

/// The answer of a search, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloAnswer {
    /// The objective, `p99<5ms`.
    pub objective: String,
    /// Its bounds.
    pub bounds: Vec<Bound>,
    /// The highest rate that met it, requests per second.
    pub max_rate: Option<u64>,
    /// The lowest rate that did not.
    pub first_failing_rate: Option<u64>,
    /// What broke the first failing rate.
    pub broken_by: Option<String>,
    /// Why the search stopped.
    pub stopped: Stop,
    /// The resolution asked for, as a fraction.
    pub resolution: f64,
    /// Each step's length, seconds (warm-up excluded).
    pub step_s: f64,
    /// The warm-up before each step, seconds.
    pub warmup_s: f64,
    /// `--target-rate`, when given.
    pub target_rate: Option<u64>,
    /// Whether the target rate met the objective (measured at that rate).
    pub target_met: Option<bool>,
    /// Every step, in the order run.
    pub steps: Vec<Step>,
    /// How long the search took, seconds.
    pub search_s: f64,
}

/// The answer from a finished search.
pub fn answer(
    slo: &Slo,
    s: &Search,
    step: Duration,
    warmup: Duration,
    target_rate: Option<u64>,
    took: Duration,
) -> SloAnswer {
    let first = s.first_failing();
    SloAnswer {
        objective: slo.label(),
        bounds: slo.bounds.clone(),
        max_rate: s.best().map(|x| x.rate),
        first_failing_rate: first.map(|x| x.rate),
        broken_by: first.and_then(|x| x.broken_by.clone()),
        stopped: s.stop.clone().unwrap_or(Stop::Interrupted),
        resolution: s.resolution,
        step_s: step.as_secs_f64(),
        warmup_s: warmup.as_secs_f64(),
        target_rate,
        target_met: target_rate.and_then(|t| s.steps.iter().find(|x| x.rate == t).map(|x| x.pass)),
        steps: s.steps.clone(),
        search_s: took.as_secs_f64(),
    }
}

/// A capacity search's report: the run's shape and the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloReport {
    /// `redis` or `postgres`.
    pub kind: String,
    /// The server, secrets masked.
    pub target: String,
    /// The workload.
    pub workload: String,
    /// Connections.
    pub connections: usize,
    /// Client threads.
    pub threads: usize,
    /// The answer.
    pub slo: SloAnswer,
}

impl SloReport {
    /// The report of a search.
    pub fn new(
        kind: &str,
        target: &str,
        workload: &str,
        connections: usize,
        threads: usize,
        slo: SloAnswer,
    ) -> SloReport {
        SloReport {
            kind: kind.into(),
            target: target.into(),
            workload: workload.into(),
            connections,
            threads,
            slo,
        }
    }
}

/// Exit: the target rate missed, or no rate met the objective → fail; the client was the limit
/// or the search was cut short → warn; else ok.
pub fn exit(a: &SloAnswer) -> crate::exit::Exit {
    use crate::exit::Exit;
    // a target not met, or not measured (cut short), fails like no rate meeting the objective
    let target_missed = a.target_rate.is_some() && a.target_met != Some(true);
    if target_missed || a.max_rate.is_none() {
        Exit::Fail
    } else if !matches!(a.stopped, Stop::Resolved | Stop::MaxRate) {
        Exit::Warn
    } else {
        Exit::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objectives_parse_and_bad_ones_name_their_part() {
        let s = Slo::parse("p99<5ms, p999<20ms,p99.99<1s,p50<500us").unwrap();
        let q: Vec<(f64, f64)> = s.bounds.iter().map(|b| (b.quantile, b.limit_ms)).collect();
        assert_eq!(q[0], (0.99, 5.0));
        assert_eq!(q[1], (0.999, 20.0));
        assert!((q[2].0 - 0.9999).abs() < 1e-12 && q[2].1 == 1000.0);
        assert_eq!(q[3], (0.5, 0.5));
        assert_eq!(s.label(), "p99<5ms,p999<20ms,p99.99<1000ms,p50<0.5ms");
        for (bad, says) in [
            ("p99", "\"p99\": a percentile and a bound"),
            ("99<5ms", "pNN"),
            ("p99<fast", "duration"),
            ("p100<5ms", "below p100"),
            ("p99<5ms,x<1s", "\"x<1s\""),
            ("p99<0ms", "above zero"),
        ] {
            let e = Slo::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        assert_eq!(Slo::manual().label(), "p99<5ms");
    }

    fn step(rate: u64, pass: bool) -> Step {
        Step {
            rate,
            achieved_rps: rate as f64,
            requests: rate,
            errors: 0,
            p50_ms: 1.0,
            p99_ms: 1.0,
            p999_ms: 1.0,
            observed_ms: vec![1.0],
            pass,
            broken_by: (!pass).then(|| "p99 9 ms ≥ 5 ms".into()),
            client_cpu_percent: 10.0,
            client_saturated: false,
            masters: Vec::new(),
        }
    }

    /// Runs a search against a server whose capacity is `limit`.
    fn search(start: u64, limit: u64) -> Search {
        let mut s = Search::new(start, 1_000_000, 0.05);
        while let Some(r) = s.next() {
            s.record(step(r, r <= limit));
            assert!(s.steps.len() < 40, "{:?}", s.steps);
        }
        s
    }

    #[test]
    fn the_search_ramps_then_bisects_to_the_resolution() {
        for (start, limit) in [
            (1000, 50_000),
            (1000, 1000),
            (250, 1000),
            (100_000, 7_000),
            (1000, 1),
        ] {
            let s = search(start, limit);
            match s.stop {
                Some(Stop::Resolved) => {
                    let (p, f) = (s.best().unwrap().rate, s.first_failing().unwrap().rate);
                    assert!(p <= limit && f > limit, "{start} {limit}: {p} {f}");
                    assert!((f - p) as f64 <= p as f64 * 0.05, "{p} {f}");
                }
                Some(Stop::NothingPasses) => assert!(limit < MIN_RATE),
                ref o => panic!("{o:?}"),
            }
        }
        let s = search(1000, u64::MAX);
        assert_eq!(s.stop, Some(Stop::MaxRate));
        assert_eq!(s.best().unwrap().rate, 1_000_000);
    }

    #[test]
    fn a_miss_is_run_again_once_so_one_stall_does_not_become_the_answer() {
        // a capacity of 1000, and a stall that spoils the first step (250, which passes)
        let mut s = Search::new(250, 1_000_000, 0.05);
        let mut stalled = false;
        while let Some(r) = s.next() {
            let pass = r <= 1000 && (stalled || r != 250);
            stalled = true;
            s.record(step(r, pass));
        }
        assert_eq!(s.stop, Some(Stop::Resolved));
        assert_eq!(s.steps[0].rate, 250);
        assert_eq!((s.steps[1].rate, s.steps[1].pass), (250, true));
        let (p, f) = (s.best().unwrap().rate, s.first_failing().unwrap().rate);
        assert!(
            p <= 1000 && f > 1000 && (f - p) as f64 <= p as f64 * 0.05,
            "{p} {f}"
        );
        // every miss that counts was seen twice
        for x in s.steps.iter().filter(|x| !x.pass && x.rate != 250) {
            assert_eq!(
                s.steps.iter().filter(|y| y.rate == x.rate).count(),
                2,
                "{}",
                x.rate
            );
        }
    }

    #[test]
    fn a_failing_step_with_a_saturated_client_stops_as_the_clients_limit() {
        let mut s = Search::new(1000, 1_000_000, 0.05);
        s.record(step(1000, true));
        let mut st = step(2000, false);
        st.client_saturated = true;
        st.client_cpu_percent = 99.0;
        s.record(st);
        assert!(matches!(&s.stop, Some(Stop::ClientLimit(m)) if m.contains("--threads")));
        assert_eq!(s.next(), None);
        let a = answer(
            &Slo::manual(),
            &s,
            Duration::from_secs(5),
            Duration::from_secs(1),
            None,
            Duration::from_secs(12),
        );
        assert_eq!(crate::slo::exit(&a), crate::exit::Exit::Warn);
    }

    #[test]
    fn a_step_is_judged_by_every_bound_and_by_errors() {
        let slo = Slo::parse("p99<5ms,p999<20ms").unwrap();
        let mut rec = Recorder::default();
        for i in 0..1000u64 {
            // 0.2% at 30 ms: p99 holds, p999 does not
            rec.ok(Duration::from_micros(if i >= 998 { 30_000 } else { 1_000 }));
        }
        let s = judge(&slo, 1000, &rec, Duration::from_secs(1), 5.0, false);
        assert!(!s.pass);
        assert!(
            s.broken_by.as_deref().unwrap().starts_with("p999 30."),
            "{:?}",
            s.broken_by
        );
        assert_eq!(s.observed_ms.len(), 2);
        let mut ok = Recorder::default();
        ok.ok(Duration::from_micros(900));
        ok.error("timeout", 1);
        let s = judge(&slo, 10, &ok, Duration::from_secs(1), 5.0, false);
        assert_eq!(s.broken_by.as_deref(), Some("1 errors (1 timeout)"));
        let s = judge(
            &slo,
            10,
            &Recorder::default(),
            Duration::from_secs(1),
            5.0,
            false,
        );
        assert_eq!(s.broken_by.as_deref(), Some("no answers"));
    }

    #[test]
    fn a_missed_target_fails_and_a_met_one_passes() {
        let mut s = Search::new(50_000, 1_000_000, 0.05);
        s.record(step(50_000, false));
        s.record(step(25_000, true));
        let a = answer(
            &Slo::manual(),
            &s,
            Duration::from_secs(5),
            Duration::from_secs(1),
            Some(50_000),
            Duration::ZERO,
        );
        assert_eq!(a.target_met, Some(false));
        assert_eq!(exit(&a), crate::exit::Exit::Fail);
    }
}
