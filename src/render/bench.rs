//! The benchmark report for people.

use std::io::Write;

use super::Style;
use crate::bench::stats::{BenchReport, Percentiles};

fn row(p: &Percentiles) -> Vec<String> {
    [p.p50, p.p90, p.p99, p.p999, p.max]
        .iter()
        .map(|v| format!("{v:.3}"))
        .collect()
}

/// Prints the report: throughput, the percentile table, errors and the verdict.
pub fn report(w: &mut dyn Write, style: Style, r: &BenchReport) -> std::io::Result<()> {
    let mode = match r.rate {
        Some(rate) => format!("open loop at {rate} rps"),
        None => "closed loop".into(),
    };
    writeln!(
        w,
        "bench {} {}: workload {}, {} connections, pipeline {}, {mode}",
        r.kind, r.target, r.workload, r.connections, r.pipeline
    )?;
    writeln!(
        w,
        "{} requests in {:.2} s = {:.0} rps; {} errors{}",
        r.requests,
        r.duration_ms as f64 / 1000.0,
        r.rps,
        r.errors,
        if r.partial {
            " (ended early: partial report)"
        } else {
            ""
        }
    )?;
    let mut t = super::table::new_table(
        style,
        &["LATENCY (ms)", "p50", "p90", "p99", "p99.9", "max"],
    );
    let first = if r.rate.is_some() {
        "response (from the scheduled send)"
    } else {
        "per reply"
    };
    let mut cells = vec![first.to_string()];
    cells.extend(row(&r.latency_ms));
    t.add_row(cells);
    if let Some(s) = &r.service_time_ms {
        let mut cells = vec!["service (from the actual send)".to_string()];
        cells.extend(row(s));
        t.add_row(cells);
    }
    if let Some(lag) = &r.schedule_lag_ms {
        let mut cells = vec!["schedule lag".to_string()];
        cells.extend(row(lag));
        t.add_row(cells);
    }
    if let Some(c) = &r.cluster {
        for m in &c.masters {
            let mut cells = vec![format!(
                "{} ({} req, {:.0} rps)",
                super::escape(&m.node),
                m.requests,
                m.rps
            )];
            cells.extend(row(&m.latency_ms));
            t.add_row(cells);
        }
    }
    writeln!(w, "{t}")?;
    if let Some(c) = &r.cluster {
        writeln!(
            w,
            "cluster: {} masters; redirections followed: {} MOVED, {} ASK",
            c.masters.len(),
            c.moved,
            c.asked
        )?;
    }
    for (kind, n) in &r.errors_by_kind {
        writeln!(w, "error {}: {n}", super::escape(kind))?;
    }
    writeln!(
        w,
        "client CPU {:.0}% of one core ({} runtime thread{}){}",
        r.client_cpu_percent,
        r.client_threads,
        if r.client_threads == 1 { "" } else { "s" },
        if r.client_saturated {
            ": the client was saturated, so the server may be faster than measured (try --threads)"
        } else {
            ""
        }
    )?;
    if let Some(why) = &r.client_behind {
        writeln!(w, "warning: {why}")?;
    }
    let v = &r.verdict;
    writeln!(
        w,
        "verdict: p99 {:.3} ms {} the {} ms target; {:.0} rps {} the {:.0} rps threshold",
        r.latency_ms.p99,
        if v.latency_ok { "meets" } else { "misses" },
        v.latency_target_ms,
        r.rps,
        if v.rps_ok { "meets" } else { "misses" },
        v.rps_target
    )
}

/// `bench --slo`: the answer, every step, and a chart of p50/p99 against the rate.
pub fn slo(
    w: &mut dyn Write,
    style: Style,
    r: &statectl_core::slo::SloReport,
) -> std::io::Result<()> {
    use statectl_core::slo::Stop;
    let a = &r.slo;
    writeln!(
        w,
        "bench {} {} --slo '{}': workload {}, {} connections, {} thread(s); steps of {} after {} of warm-up, resolution {:.0}%",
        r.kind,
        r.target,
        a.objective,
        r.workload,
        r.connections,
        r.threads,
        secs(a.step_s),
        secs(a.warmup_s),
        a.resolution * 100.0
    )?;
    let mut t = super::table::new_table(
        style,
        &[
            "STEP",
            "RATE",
            "ANSWERED rps",
            "p50 ms",
            "p99 ms",
            "p99.9 ms",
            "ERRORS",
            "SLO",
        ],
    );
    for (i, s) in a.steps.iter().enumerate() {
        t.add_row(vec![
            (i + 1).to_string(),
            s.rate.to_string(),
            format!("{:.0}", s.achieved_rps),
            format!("{:.3}", s.p50_ms),
            format!("{:.3}", s.p99_ms),
            format!("{:.3}", s.p999_ms),
            s.errors.to_string(),
            match &s.broken_by {
                None => "met".into(),
                Some(b) => format!("missed: {}", super::escape(b)),
            },
        ]);
    }
    writeln!(w, "{t}")?;
    // on a Redis Cluster: which master broke the first failing rate
    if let Some(s) = a
        .first_failing_rate
        .and_then(|f| a.steps.iter().find(|s| s.rate == f))
        .filter(|s| !s.masters.is_empty())
    {
        let each: Vec<String> = s
            .masters
            .iter()
            .map(|m| {
                format!(
                    "{} p99 {:.3} ms ({} req)",
                    super::escape(&m.node),
                    m.p99_ms,
                    m.requests
                )
            })
            .collect();
        writeln!(w, "masters at {} rps: {}", s.rate, each.join(", "))?;
    }
    chart(w, a)?;
    match (a.max_rate, a.first_failing_rate) {
        (Some(m), Some(f)) => writeln!(
            w,
            "highest rate meeting {}: {m} rps; first rate missing it: {f} rps ({})",
            a.objective,
            super::escape(a.broken_by.as_deref().unwrap_or("")),
        )?,
        (Some(m), None) => writeln!(
            w,
            "highest rate meeting {}: {m} rps; no rate tried missed it",
            a.objective
        )?,
        (None, Some(f)) => writeln!(
            w,
            "no rate met {}: even {f} rps missed it ({})",
            a.objective,
            super::escape(a.broken_by.as_deref().unwrap_or(""))
        )?,
        (None, None) => writeln!(w, "no step finished")?,
    }
    if let (Some(t), Some(met)) = (a.target_rate, a.target_met) {
        writeln!(
            w,
            "target {t} rps: {}",
            if met {
                "meets the objective"
            } else {
                "MISSES the objective"
            }
        )?;
    }
    let why = match &a.stopped {
        Stop::Resolved => format!(
            "the passing and failing rates are within {:.0}%",
            a.resolution * 100.0
        ),
        Stop::MaxRate => "every rate up to --max-rate met the objective".into(),
        Stop::ClientLimit(m) => m.clone(),
        Stop::NothingPasses => "even the lowest rate missed the objective".into(),
        Stop::Interrupted => "interrupted: partial answer".into(),
    };
    writeln!(
        w,
        "search: {} steps in {:.1} s; stopped: {why}",
        a.steps.len(),
        a.search_s
    )
}

fn secs(s: f64) -> String {
    humantime::format_duration(std::time::Duration::from_millis((s * 1000.0).round() as u64))
        .to_string()
}

/// A terminal chart: one row per rate tried (ascending), p50 (o) and p99 (*) on a log scale of
/// milliseconds, the objective's first bound as |.
fn chart(w: &mut dyn Write, a: &statectl_core::slo::SloAnswer) -> std::io::Result<()> {
    const WIDTH: usize = 48;
    let mut steps: Vec<&statectl_core::slo::Step> = a.steps.iter().collect();
    if steps.is_empty() {
        return Ok(());
    }
    steps.sort_by_key(|s| s.rate);
    let bound = a.bounds.first().map_or(5.0, |b| b.limit_ms);
    let lo = steps
        .iter()
        .map(|s| s.p50_ms)
        .fold(bound, f64::min)
        .max(0.001);
    let hi = steps
        .iter()
        .map(|s| s.p99_ms)
        .fold(bound, f64::max)
        .max(lo * 10.0);
    let col = |v: f64| {
        let x = (v.max(lo).ln() - lo.ln()) / (hi.ln() - lo.ln());
        ((x * (WIDTH - 1) as f64).round() as usize).min(WIDTH - 1)
    };
    writeln!(
        w,
        "latency against rate (o p50, * p99, | {} {} ms; log scale {lo:.3} … {hi:.1} ms):",
        a.bounds.first().map_or("p99", |b| b.name.as_str()),
        trim_ms(bound)
    )?;
    for s in steps {
        let mut line = vec![' '; WIDTH];
        line[col(bound)] = '|';
        line[col(s.p50_ms)] = 'o';
        line[col(s.p99_ms)] = '*';
        writeln!(
            w,
            "  {:>9} rps {} {}",
            s.rate,
            line.into_iter().collect::<String>(),
            if s.pass { "" } else { "missed" }
        )?;
    }
    Ok(())
}

fn trim_ms(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `bench --slo --format junit`: the objective at the target rate (when given) and the search's
/// answer as test cases, every step in system-out.
pub fn slo_junit(w: &mut dyn Write, r: &statectl_core::slo::SloReport) -> anyhow::Result<()> {
    use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};
    let a = &r.slo;
    let steps: String = a
        .steps
        .iter()
        .map(|s| {
            format!(
                "{} rps: p50 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms, {} errors: {}\n",
                s.rate,
                s.p50_ms,
                s.p99_ms,
                s.p999_ms,
                s.errors,
                s.broken_by.as_deref().unwrap_or("met")
            )
        })
        .collect();
    let failed = |message: String| {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
        st.set_message(message);
        st
    };
    let mut suite = TestSuite::new(format!("statectl bench {} --slo {}", r.kind, r.target));
    if let Some(t) = a.target_rate {
        let status = match a.target_met {
            Some(true) => TestCaseStatus::success(),
            Some(false) => failed(format!(
                "{t} rps misses {}: {}",
                a.objective,
                a.steps
                    .iter()
                    .find(|s| s.rate == t)
                    .and_then(|s| s.broken_by.clone())
                    .unwrap_or_default()
            )),
            None => failed(format!(
                "{t} rps was not measured (the search was cut short)"
            )),
        };
        let mut case = TestCase::new(format!("{} at {t} rps", a.objective), status);
        case.set_system_out(steps.clone());
        suite.add_test_case(case);
    }
    let status = match a.max_rate {
        Some(_) => TestCaseStatus::success(),
        None => failed(format!("no rate met {}", a.objective)),
    };
    let mut case = TestCase::new(format!("highest rate meeting {}", a.objective), status);
    case.set_system_out(format!(
        "max_rate {}\nfirst_failing_rate {}\n{steps}",
        a.max_rate.map_or("none".into(), |m| m.to_string()),
        a.first_failing_rate
            .map_or("none".into(), |m| m.to_string())
    ));
    suite.add_test_case(case);
    let mut report = JReport::new("statectl");
    report.add_test_suite(suite);
    report.serialize(&mut *w)?;
    Ok(())
}

/// `bench --slo --format prometheus`: the answer and each step's percentiles as gauges.
pub fn slo_prometheus(w: &mut dyn Write, r: &statectl_core::slo::SloReport) -> std::io::Result<()> {
    let a = &r.slo;
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
    let labels = format!(
        "kind=\"{}\",target=\"{}\",objective=\"{}\"",
        esc(&r.kind),
        esc(&r.target),
        esc(&a.objective)
    );
    writeln!(w, "# HELP statectl_slo_max_rate Highest rate (requests per second) that met the objective; absent when none did.")?;
    writeln!(w, "# TYPE statectl_slo_max_rate gauge")?;
    if let Some(m) = a.max_rate {
        writeln!(w, "statectl_slo_max_rate{{{labels}}} {m}")?;
    }
    writeln!(w, "# HELP statectl_slo_first_failing_rate Lowest rate (requests per second) that missed the objective.")?;
    writeln!(w, "# TYPE statectl_slo_first_failing_rate gauge")?;
    if let Some(f) = a.first_failing_rate {
        writeln!(w, "statectl_slo_first_failing_rate{{{labels}}} {f}")?;
    }
    if let (Some(t), Some(met)) = (a.target_rate, a.target_met) {
        writeln!(
            w,
            "# HELP statectl_slo_target_met 1 when --target-rate met the objective."
        )?;
        writeln!(w, "# TYPE statectl_slo_target_met gauge")?;
        writeln!(
            w,
            "statectl_slo_target_met{{{labels},rate=\"{t}\"}} {}",
            u8::from(met)
        )?;
    }
    writeln!(w, "# HELP statectl_slo_step_latency_seconds Response time at a step of the search, by offered rate and quantile.")?;
    writeln!(w, "# TYPE statectl_slo_step_latency_seconds gauge")?;
    for s in &a.steps {
        for (q, v) in [("0.5", s.p50_ms), ("0.99", s.p99_ms), ("0.999", s.p999_ms)] {
            writeln!(
                w,
                "statectl_slo_step_latency_seconds{{{labels},rate=\"{}\",quantile=\"{q}\"}} {}",
                s.rate,
                v / 1000.0
            )?;
        }
    }
    writeln!(
        w,
        "# HELP statectl_slo_search_seconds How long the search took."
    )?;
    writeln!(w, "# TYPE statectl_slo_search_seconds gauge")?;
    writeln!(
        w,
        "statectl_slo_search_seconds{{{labels}}} {:.3}",
        a.search_s
    )
}
