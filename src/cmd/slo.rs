//! `bench … --slo`: the capacity search. Each step is an open-loop run at one rate (a warm-up
//! run first, not measured); the pure search in statectl_core::slo picks the next rate.

use std::future::Future;
use std::time::{Duration, Instant};

use statectl_core::slo::{self, Search, Slo, SloAnswer, Stop};

use crate::bench::stats::Recorder;
use crate::cancel::CancellationToken;
use crate::cli::{OutputArgs, SloArgs};
use crate::exit::UsageError;

/// What one run gives: (recorder, wall time, client CPU, cut short).
pub type RunResult = anyhow::Result<(Recorder, Duration, Duration, bool)>;

/// A step's run and, on a Redis Cluster, each master's recorder.
pub type StepResult = anyhow::Result<(
    (Recorder, Duration, Duration, bool),
    Vec<(String, Recorder)>,
)>;

/// One measured step for --hdr-log: (rate, its recorder, when it started in the search, length).
pub type StepHistogram = (u64, Recorder, Duration, Duration);

/// The objective of `--slo`, checked before anything connects.
pub fn objective(a: &SloArgs) -> Result<Option<Slo>, UsageError> {
    let Some(text) = &a.slo else {
        return Ok(None);
    };
    let slo = Slo::parse(text).map_err(|e| UsageError(format!("--slo {e}")))?;
    if a.step_duration < Duration::from_millis(100) {
        return Err(UsageError(format!(
            "--step-duration {}: at least 100ms, so a step holds enough requests to judge",
            humantime::format_duration(a.step_duration)
        )));
    }
    if a.start_rate == 0 || a.max_rate < a.start_rate.max(slo::MIN_RATE) {
        return Err(UsageError(format!(
            "--start-rate {} / --max-rate {}: the start must be at least 1 and the maximum at least the start and {}",
            a.start_rate,
            a.max_rate,
            slo::MIN_RATE
        )));
    }
    if a.target_rate
        .is_some_and(|t| t < slo::MIN_RATE || t > a.max_rate)
    {
        return Err(UsageError(format!(
            "--target-rate {}: between {} and --max-rate {}",
            a.target_rate.unwrap_or(0),
            slo::MIN_RATE,
            a.max_rate
        )));
    }
    Ok(Some(slo))
}

/// Runs the search: `run(rate, duration)` loads the server at `rate` for `duration`.
pub async fn search<F, Fut>(
    a: &SloArgs,
    slo: &Slo,
    out: &OutputArgs,
    threads: usize,
    cancel: &CancellationToken,
    mut run: F,
) -> anyhow::Result<(SloAnswer, Vec<StepHistogram>)>
where
    F: FnMut(u64, Duration) -> Fut,
    Fut: Future<Output = StepResult>,
{
    let began = Instant::now();
    let start = a.target_rate.unwrap_or(a.start_rate);
    let mut s = Search::new(start, a.max_rate, a.resolution);
    let mut histograms = Vec::new();
    while let Some(rate) = s.next() {
        if !a.warmup.is_zero() {
            let ((_, _, _, cut), _) = run(rate, a.warmup).await?;
            if cut && cancel.is_cancelled() {
                break;
            }
        }
        let at = began.elapsed();
        let ((rec, wall, cpu, cut), nodes) = run(rate, a.step_duration).await?;
        if cut && cancel.is_cancelled() {
            break;
        }
        let cpu_percent = cpu.as_secs_f64() / wall.as_secs_f64().max(1e-9) * 100.0;
        let saturated = cpu_percent >= 90.0 * threads.max(1) as f64;
        let mut step = slo::judge(slo, rate, &rec, wall, cpu_percent, saturated);
        step.masters = slo::per_node(slo, &nodes);
        if !out.quiet {
            eprintln!(
                "statectl: step {} at {rate} rps: {:.0} rps answered, p50 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms: {}",
                s.steps.len() + 1,
                step.achieved_rps,
                step.p50_ms,
                step.p99_ms,
                step.p999_ms,
                match &step.broken_by {
                    None => "meets the objective".to_string(),
                    Some(b) => format!("misses it ({b})"),
                }
            );
        }
        histograms.push((rate, rec, at, wall));
        s.record(step);
    }
    if s.stop.is_none() {
        s.stop = Some(Stop::Interrupted);
    }
    let answer = slo::answer(
        slo,
        &s,
        a.step_duration,
        a.warmup,
        a.target_rate,
        began.elapsed(),
    );
    Ok((answer, histograms))
}

/// HdrHistogram's interval log of the steps (values in microseconds), one histogram per step
/// tagged with its rate.
pub fn hdr_log(steps: &[StepHistogram]) -> anyhow::Result<Vec<u8>> {
    use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};
    use hdrhistogram::serialization::V2DeflateSerializer;
    let mut buf = Vec::new();
    let mut ser = V2DeflateSerializer::new();
    let now = std::time::SystemTime::now();
    let mut w = IntervalLogWriterBuilder::new()
        .add_comment("statectl bench --slo: one histogram per step, tagged rate_N (requests per second offered)")
        .add_comment("values in microseconds: HistogramLogProcessor -outputValueUnitRatio 1000 shows milliseconds")
        .with_start_time(now)
        .with_max_value_divisor(1000.0)
        .begin_log_with(&mut buf, &mut ser)?;
    for (rate, rec, at, wall) in steps {
        let tag = format!("rate_{rate}");
        w.write_histogram(&rec.latency, *at, *wall, Tag::new(&tag))
            .map_err(|e| anyhow::anyhow!("--hdr-log: {e:?}"))?;
    }
    drop(w);
    Ok(buf)
}
