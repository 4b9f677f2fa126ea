//! `statectl drill store-outage`: what the API answered while its state store was cut off, as
//! findings. Pure: the samples come from the drill runner, which injected the fault and
//! restored it.

use serde::{Deserialize, Serialize};

use crate::model::{Finding, Status, Verdict};

/// What one request to the API gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum Outcome {
    /// A 2xx answer.
    Ok(u16),
    /// 503 Service Unavailable: what a circuit breaker answers.
    Unavailable,
    /// Another 5xx.
    ServerError(u16),
    /// Any other status.
    Other(u16),
    /// No answer within the request timeout.
    Hung,
    /// The connection failed (refused, reset): the API itself is down.
    Failed(String),
}

/// One request: when it was sent and answered, milliseconds from the fault's injection
/// (negative before it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Sent at.
    pub sent_ms: f64,
    /// How long until its answer (the request timeout when hung).
    pub took_ms: f64,
    /// What it gave.
    pub outcome: Outcome,
}

impl Sample {
    fn done_ms(&self) -> f64 {
        self.sent_ms + self.took_ms
    }
}

/// A store-outage drill as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutageRun {
    /// The API, secrets masked.
    pub api: String,
    /// The store, secrets masked.
    pub store: String,
    /// How the store was cut off: `reject`, `blackhole` or `freeze`.
    pub mode: String,
    /// When the fault was removed, ms after its injection.
    pub restored_ms: f64,
    /// How it was removed, or why it may not have been (and what removes it).
    pub restore: Result<String, String>,
    /// What removes the fault if statectl dies before it does.
    pub watchdog: String,
    /// Every request, in order.
    pub samples: Vec<Sample>,
    /// --breaker-deadline, ms.
    pub breaker_deadline_ms: f64,
    /// --recovery-deadline, ms.
    pub recovery_deadline_ms: f64,
    /// --request-timeout, ms.
    pub request_timeout_ms: f64,
    /// Ctrl-C cut the drill short.
    pub interrupted: bool,
}

/// The share of each kind of answer among `s`, as `12 × 503, 3 hung`.
fn tally(s: &[&Sample]) -> String {
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for x in s {
        let k = match &x.outcome {
            Outcome::Ok(c) | Outcome::ServerError(c) | Outcome::Other(c) => c.to_string(),
            Outcome::Unavailable => "503".into(),
            Outcome::Hung => "hung".into(),
            Outcome::Failed(_) => "connection failed".into(),
        };
        match kinds.iter_mut().find(|(n, _)| *n == k) {
            Some((_, c)) => *c += 1,
            None => kinds.push((k, 1)),
        }
    }
    kinds
        .iter()
        .map(|(k, n)| format!("{n} × {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn p99(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = ((v.len() as f64) * 0.99).ceil() as usize;
    v.get(rank.saturating_sub(1)).copied()
}

fn secs(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// The drill's findings: the API before the fault, the breaker opening, failing fast, the
/// recovery, and the fault's removal.
pub fn findings(r: &OutageRun) -> Vec<Finding> {
    let f = |id: &str, v: Verdict| Finding::new(id, &r.api, v);
    let before: Vec<&Sample> = r.samples.iter().filter(|s| s.sent_ms < 0.0).collect();
    let during: Vec<&Sample> = r
        .samples
        .iter()
        .filter(|s| s.sent_ms >= 0.0 && s.sent_ms < r.restored_ms)
        .collect();
    let after: Vec<&Sample> = r
        .samples
        .iter()
        .filter(|s| s.sent_ms >= r.restored_ms)
        .collect();
    let healthy = before
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Ok(_)))
        .count();
    let mut out = Vec::new();
    let baseline = if before.is_empty() {
        Verdict::new(Status::Error, "no request finished before the fault")
    } else if healthy * 10 < before.len() * 9 {
        Verdict::new(
            Status::Error,
            format!(
                "the API was not healthy before the fault ({}): what it did during the outage says nothing of the breaker",
                tally(&before)
            ),
        )
        .fix("Run the drill against an API that answers 2xx on --api's path while the store is up")
    } else {
        Verdict::pass(format!(
            "{healthy} of {} requests answered 2xx before the fault",
            before.len()
        ))
    };
    let unhealthy = baseline.status != Status::Pass;
    out.push(f("drill.baseline", baseline));
    let skip = |why: &str| Verdict::skip(why.to_string());
    let first_503 = during
        .iter()
        .filter(|s| s.outcome == Outcome::Unavailable)
        .map(|s| s.done_ms())
        .min_by(|a, b| a.total_cmp(b));
    let hung = during.iter().filter(|s| s.outcome == Outcome::Hung).count();
    let breaker = if unhealthy {
        skip("the API was not healthy before the fault (drill.baseline)")
    } else if during.is_empty() {
        Verdict::new(Status::Error, "no request was sent during the outage")
    } else {
        match first_503 {
            Some(t) if t <= r.breaker_deadline_ms => Verdict::pass(format!(
                "the API answered 503 {} after the store was cut off (deadline {})",
                secs(t),
                secs(r.breaker_deadline_ms)
            )),
            Some(t) => Verdict::new(
                Status::Fail,
                format!(
                    "the first 503 came {} after the store was cut off, past the {} deadline; during the outage: {}",
                    secs(t),
                    secs(r.breaker_deadline_ms),
                    tally(&during)
                ),
            )
            .fix("Open the circuit sooner: a store call timeout well below the API's own (e.g. 100-300 ms) and a breaker that opens after a few consecutive failures"),
            None => Verdict::new(
                Status::Fail,
                format!(
                    "the API never answered 503 while the store was cut off{}: {}",
                    if hung > 0 {
                        format!(" ({hung} requests hung past {})", secs(r.request_timeout_ms))
                    } else {
                        String::new()
                    },
                    tally(&during)
                ),
            )
            .fix("Put a circuit breaker around the store client: bound each call with a timeout, open after consecutive failures and answer 503 (with Retry-After) at once while open; half-open after a pause to probe the store"),
        }
    };
    let breaker = breaker.with("during the outage", tally(&during));
    out.push(f("drill.breaker_opens", breaker));
    let failing: Vec<f64> = during
        .iter()
        .filter(|s| !matches!(s.outcome, Outcome::Ok(_)))
        .map(|s| s.took_ms)
        .collect();
    let fast = match p99(failing.clone()) {
        _ if unhealthy => skip("the API was not healthy before the fault (drill.baseline)"),
        None => skip("no request failed during the outage (the store was not needed, or the fault did not reach it)"),
        Some(p) if p <= r.breaker_deadline_ms => Verdict::pass(format!(
            "failing answers took {} at p99 ({} of them)",
            secs(p),
            failing.len()
        )),
        Some(p) => Verdict::new(
            Status::Fail,
            format!(
                "failing answers took {} at p99 ({} of them, {hung} hung past {}): the API waits on the store instead of failing fast",
                secs(p),
                failing.len(),
                secs(r.request_timeout_ms)
            ),
        )
        .fix("Bound every store call with a short timeout and answer from an open breaker without calling the store"),
    };
    out.push(f("drill.fails_fast", fast));
    let first_ok = after
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Ok(_)))
        .map(|s| s.done_ms() - r.restored_ms)
        .min_by(|a, b| a.total_cmp(b));
    let recovery = match first_ok {
        _ if unhealthy => skip("the API was not healthy before the fault (drill.baseline)"),
        _ if r.interrupted && after.is_empty() => skip("interrupted before the recovery was measured"),
        Some(t) if t <= r.recovery_deadline_ms => Verdict::pass(format!(
            "the API answered 2xx again {} after the store came back",
            secs(t)
        )),
        Some(t) => Verdict::new(
            Status::Fail,
            format!(
                "the first 2xx came {} after the store came back, past the {} deadline",
                secs(t),
                secs(r.recovery_deadline_ms)
            ),
        )
        .fix("Let the breaker half-open sooner (a probe request after a short pause) and reconnect the store client"),
        None => Verdict::new(
            Status::Fail,
            format!(
                "no 2xx within {} after the store came back: {}",
                secs(r.recovery_deadline_ms),
                tally(&after)
            ),
        )
        .fix("The API does not reconnect to its store: check its client reconnects (and its breaker half-opens) without a restart"),
    };
    out.push(f("drill.recovers", recovery));
    let restored = match &r.restore {
        Ok(how) => Verdict::pass(format!("the fault was removed: {how}")),
        Err(e) => Verdict::new(
            Status::Fail,
            format!("the fault may still be in place: {e}"),
        ),
    }
    .with("watchdog", &r.watchdog);
    out.push(f("drill.restored", restored));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(samples: Vec<Sample>) -> OutageRun {
        OutageRun {
            api: "http://127.0.0.1:8080/session".into(),
            store: "redis://10.0.0.2:6379".into(),
            mode: "blackhole".into(),
            restored_ms: 10_000.0,
            restore: Ok("nft element deleted".into()),
            watchdog: "the nft set element expires by itself".into(),
            samples,
            breaker_deadline_ms: 1000.0,
            recovery_deadline_ms: 5000.0,
            request_timeout_ms: 2000.0,
            interrupted: false,
        }
    }

    fn s(sent_ms: f64, took_ms: f64, outcome: Outcome) -> Sample {
        Sample {
            sent_ms,
            took_ms,
            outcome,
        }
    }

    fn status(f: &[Finding], id: &str) -> (Status, String) {
        let x = f.iter().find(|x| x.id == id).unwrap();
        (x.status, x.summary.clone())
    }

    #[test]
    fn a_breaker_that_opens_fast_and_recovers_passes() {
        let mut v: Vec<Sample> = (0..10)
            .map(|i| s(-1000.0 + i as f64 * 100.0, 2.0, Outcome::Ok(200)))
            .collect();
        v.push(s(0.0, 300.0, Outcome::Unavailable));
        v.extend((1..90).map(|i| s(i as f64 * 100.0, 1.0, Outcome::Unavailable)));
        v.push(s(10_100.0, 5.0, Outcome::Unavailable));
        v.push(s(11_200.0, 3.0, Outcome::Ok(200)));
        let f = findings(&run(v));
        for id in [
            "drill.baseline",
            "drill.breaker_opens",
            "drill.fails_fast",
            "drill.recovers",
            "drill.restored",
        ] {
            assert_eq!(status(&f, id).0, Status::Pass, "{id}: {f:?}");
        }
        assert!(status(&f, "drill.breaker_opens").1.contains("101 ms"));
        assert!(status(&f, "drill.recovers").1.contains("1.20 s"));
    }

    #[test]
    fn hung_requests_and_no_503_fail_naming_what_happened() {
        let mut v: Vec<Sample> = (0..10)
            .map(|i| s(-1000.0 + i as f64 * 100.0, 2.0, Outcome::Ok(200)))
            .collect();
        v.extend((0..20).map(|i| s(i as f64 * 500.0, 2000.0, Outcome::Hung)));
        v.push(s(9_000.0, 40.0, Outcome::ServerError(500)));
        let f = findings(&run(v));
        let (st, sum) = status(&f, "drill.breaker_opens");
        assert_eq!(st, Status::Fail);
        assert!(
            sum.contains("never answered 503")
                && sum.contains("20 requests hung")
                && sum.contains("1 × 500"),
            "{sum}"
        );
        let (st, sum) = status(&f, "drill.fails_fast");
        assert_eq!(st, Status::Fail);
        assert!(sum.contains("2.00 s at p99"), "{sum}");
        // nothing after the restore: no recovery
        assert_eq!(status(&f, "drill.recovers").0, Status::Fail);
    }

    #[test]
    fn an_unhealthy_api_says_so_and_judges_nothing_else() {
        let v: Vec<Sample> = (0..10)
            .map(|i| s(-1000.0 + i as f64 * 100.0, 2.0, Outcome::ServerError(500)))
            .collect();
        let f = findings(&run(v));
        assert_eq!(status(&f, "drill.baseline").0, Status::Error);
        assert_eq!(status(&f, "drill.breaker_opens").0, Status::Skip);
        let mut r = run(Vec::new());
        r.restore = Err(
            "nft: Operation not permitted; remove it with `nft delete table inet statectl_drill`"
                .into(),
        );
        assert_eq!(status(&findings(&r), "drill.restored").0, Status::Fail);
    }
}
