//! `statectl drill store-outage`: what the API answered while its state store was cut off, as
//! findings. Pure: the samples come from the drill runner, which injected the fault and
//! restored it.

use serde::{Deserialize, Serialize};

use crate::model::{Finding, Status, Verdict};

/// The nftables table a drill puts its rules in; deleted when the drill ends.
pub const NFT_TABLE: &str = "statectl_drill";

/// How much longer than `--for` a drill's watchdog waits before it removes the fault itself.
pub const WATCHDOG_MARGIN: std::time::Duration = std::time::Duration::from_secs(1);

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
    /// Each `--health-url` (a site's GSLB health endpoint) and what it answered, asked as often
    /// as the API through the same drill.
    #[serde(default)]
    pub health: Vec<HealthRun>,
    /// --health-deadline, ms: a health endpoint must report the site down within this long
    /// after the store is cut off.
    #[serde(default)]
    pub health_deadline_ms: f64,
}

/// One health endpoint during a drill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthRun {
    /// The endpoint, secrets masked.
    pub url: String,
    /// Every request to it, in order.
    pub samples: Vec<Sample>,
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

/// `: the first failure: CAUSE` when a request failed to connect, else nothing: a tally says
/// how many, this says why.
fn first_cause(s: &[&Sample]) -> String {
    s.iter()
        .find_map(|x| match &x.outcome {
            Outcome::Failed(why) => Some(format!("; the first failure: {why}")),
            _ => None,
        })
        .unwrap_or_default()
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
                "the API was not healthy before the fault ({}{}): what it did during the outage says nothing of the breaker",
                tally(&before),
                first_cause(&before)
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
    for h in &r.health {
        out.push(Finding::new(
            "drill.health_reflects_store",
            &h.url,
            health_verdict(r, h),
        ));
    }
    out
}

/// `drill.health_reflects_store`: a site's health endpoint (what a GSLB or a load balancer
/// asks) reports the site down while its store is cut off (or frozen: slower than any
/// objective), and up again once the store is back. One that stays 2xx keeps users routed to a
/// site that cannot serve them; one that stays down keeps a healthy site out.
fn health_verdict(r: &OutageRun, h: &HealthRun) -> Verdict {
    let before: Vec<&Sample> = h.samples.iter().filter(|s| s.sent_ms < 0.0).collect();
    let during: Vec<&Sample> = h
        .samples
        .iter()
        .filter(|s| s.sent_ms >= 0.0 && s.sent_ms < r.restored_ms)
        .collect();
    let after: Vec<&Sample> = h
        .samples
        .iter()
        .filter(|s| s.sent_ms >= r.restored_ms)
        .collect();
    let up = |s: &&&Sample| matches!(s.outcome, Outcome::Ok(_));
    let healthy = before.iter().filter(up).count();
    if before.is_empty() {
        return Verdict::new(Status::Error, "no health check finished before the fault");
    }
    if healthy * 10 < before.len() * 9 {
        return Verdict::new(
            Status::Error,
            format!(
                "the health endpoint was not 2xx before the fault ({}{}): it cannot tell the outage apart",
                tally(&before),
                first_cause(&before)
            ),
        )
        .fix("Run the drill while the site is healthy: the health endpoint must answer 2xx while the store is up");
    }
    if during.is_empty() {
        return Verdict::new(Status::Error, "no health check was sent during the outage");
    }
    let fix_blind = "Make the health endpoint check the store on each request (a PING or `SELECT 1` bounded by a timeout below the SLO, e.g. 200 ms) and answer 503 when it fails or is slow; a static 200 keeps a GSLB routing users to a site that cannot serve them";
    // the first answer that said "down" by its status; a hang says down only to a checker
    // whose timeout is shorter than the hang
    let first_down = during
        .iter()
        .filter(|s| !matches!(s.outcome, Outcome::Ok(_) | Outcome::Hung))
        .map(|s| s.done_ms())
        .min_by(|a, b| a.total_cmp(b));
    let hung = during.iter().filter(|s| s.outcome == Outcome::Hung).count();
    let mut v = match first_down {
        None if hung > 0 => Verdict::new(
            Status::Warn,
            format!(
                "the health endpoint never answered non-2xx while the store was cut off; {hung} checks hung past {}: a GSLB with a longer timeout sees the site up ({})",
                secs(r.request_timeout_ms),
                tally(&during)
            ),
        )
        .fix(fix_blind),
        None => Verdict::new(
            Status::Fail,
            format!(
                "the health endpoint answered 2xx throughout the outage ({}): a GSLB keeps sending users to this site while its store is gone",
                tally(&during)
            ),
        )
        .fix(fix_blind),
        Some(t) if t > r.health_deadline_ms => Verdict::new(
            Status::Fail,
            format!(
                "the health endpoint first reported the site down {} after the store was cut off, past the {} deadline ({})",
                secs(t),
                secs(r.health_deadline_ms),
                tally(&during)
            ),
        )
        .fix("Shorten what the health endpoint caches and bound its store check by a timeout below the SLO"),
        Some(t) => Verdict::pass(format!(
            "the health endpoint reported the site down {} after the store was cut off (deadline {})",
            secs(t),
            secs(r.health_deadline_ms)
        )),
    };
    v = v.with("during the outage", tally(&during));
    let first_up = after
        .iter()
        .filter(up)
        .map(|s| s.done_ms() - r.restored_ms)
        .min_by(|a, b| a.total_cmp(b));
    match first_up {
        _ if r.interrupted && after.is_empty() => {
            v = v.with("after the restore", "interrupted before it was measured");
        }
        Some(t) if t <= r.recovery_deadline_ms => {
            v.summary = format!("{}; 2xx again {} after the store came back", v.summary, secs(t));
            v = v.with("up again after the restore", secs(t));
        }
        Some(t) => v.escalate(
            Status::Fail,
            format!(
                "the health endpoint answered 2xx again only {} after the store came back, past the {} deadline",
                secs(t),
                secs(r.recovery_deadline_ms)
            ),
            "The health endpoint must follow the store back: check it again on each request instead of latching the failure",
        ),
        None => v.escalate(
            Status::Fail,
            format!(
                "the health endpoint stayed down for {} after the store came back ({}): a GSLB keeps a healthy site out",
                secs(r.recovery_deadline_ms),
                tally(&after)
            ),
            "The health endpoint must follow the store back: check it again on each request instead of latching the failure",
        ),
    }
    v
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
            health: Vec::new(),
            health_deadline_ms: 3000.0,
        }
    }

    fn health(samples: Vec<Sample>) -> Finding {
        let mut r = run(Vec::new());
        r.health.push(HealthRun {
            url: "http://10.0.0.5/health".into(),
            samples,
        });
        findings(&r)
            .into_iter()
            .find(|f| f.id == "drill.health_reflects_store")
            .unwrap()
    }

    fn healthy_before() -> Vec<Sample> {
        (0..10)
            .map(|i| s(-1000.0 + i as f64 * 100.0, 2.0, Outcome::Ok(200)))
            .collect()
    }

    #[test]
    fn a_health_endpoint_that_follows_its_store_passes_and_a_static_one_fails() {
        // down 250 ms after the cut, up 400 ms after the restore (10 s)
        let mut v = healthy_before();
        v.push(s(0.0, 50.0, Outcome::Ok(200)));
        v.extend((1..99).map(|i| s(i as f64 * 100.0 + 50.0, 200.0, Outcome::Unavailable)));
        v.push(s(10_100.0, 300.0, Outcome::Ok(200)));
        let f = health(v);
        assert_eq!(f.status, Status::Pass, "{f:?}");
        assert!(
            f.summary.contains("down 350 ms after")
                && f.summary.contains("400 ms after the store came back"),
            "{}",
            f.summary
        );
        assert_eq!(f.target, "http://10.0.0.5/health");
        // a static 200: fail, saying what a GSLB does with it
        let mut v = healthy_before();
        v.extend((0..100).map(|i| s(i as f64 * 100.0, 1.0, Outcome::Ok(200))));
        let f = health(v);
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.summary.contains("2xx throughout the outage"),
            "{}",
            f.summary
        );
    }

    #[test]
    fn a_late_a_hanging_and_a_latched_health_endpoint_are_each_named() {
        // down only at 3.5 s, past the 3 s deadline
        let mut v = healthy_before();
        v.extend((0..35).map(|i| s(i as f64 * 100.0, 1.0, Outcome::Ok(200))));
        v.push(s(3_400.0, 100.0, Outcome::Unavailable));
        v.push(s(10_200.0, 1.0, Outcome::Ok(200)));
        let f = health(v);
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.summary.contains("3.50 s after") && f.summary.contains("past the 3.00 s"),
            "{}",
            f.summary
        );
        // at exactly the deadline: pass
        let mut v = healthy_before();
        v.push(s(2_900.0, 100.0, Outcome::Unavailable));
        v.push(s(10_200.0, 1.0, Outcome::Ok(200)));
        assert_eq!(health(v).status, Status::Pass);
        // hangs only: a warning (down only to a checker with a shorter timeout)
        let mut v = healthy_before();
        v.extend((0..50).map(|i| s(i as f64 * 200.0, 2000.0, Outcome::Hung)));
        v.push(s(10_200.0, 1.0, Outcome::Ok(200)));
        let f = health(v);
        assert_eq!(f.status, Status::Warn, "{f:?}");
        assert!(f.summary.contains("50 checks hung"), "{}", f.summary);
        // down on time but latched: fail after the restore
        let mut v = healthy_before();
        v.extend((0..150).map(|i| s(i as f64 * 100.0, 1.0, Outcome::Unavailable)));
        let f = health(v);
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.summary.contains("stayed down for 5.00 s"),
            "{}",
            f.summary
        );
        // unhealthy before the fault: an error, not a verdict on the endpoint
        let v: Vec<Sample> = (0..10)
            .map(|i| s(-1000.0 + i as f64 * 100.0, 2.0, Outcome::Unavailable))
            .collect();
        assert_eq!(health(v).status, Status::Error);
        // one it could not reach says why (a TLS failure is not hidden behind a count)
        let v: Vec<Sample> = (0..3)
            .map(|i| {
                s(
                    -1000.0 + i as f64 * 100.0,
                    2.0,
                    Outcome::Failed("invalid peer certificate: UnknownIssuer".into()),
                )
            })
            .collect();
        let f = health(v);
        assert_eq!(f.status, Status::Error);
        assert!(
            f.summary.contains(
                "3 × connection failed; the first failure: invalid peer certificate: UnknownIssuer"
            ),
            "{}",
            f.summary
        );
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

/// A Sentinel failover drill as it ran: times in ms from the fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailoverRun {
    /// The deployment, `redis+sentinel://…/name`, secrets masked.
    pub deployment: String,
    /// `freeze` or `kill`.
    pub mode: String,
    /// The master before the fault (`host:port`).
    pub old_master: String,
    /// The master the sentinels agreed on after it, and when (a majority of those named).
    pub new_master: Option<(String, f64)>,
    /// Writes acknowledged, and how many of those the new master does not hold.
    pub acknowledged: u64,
    /// Acknowledged writes missing on the new master; None when it could not be read.
    pub lost: Option<u64>,
    /// Why the lost writes could not be counted.
    pub lost_error: Option<String>,
    /// Failed writes.
    pub failed: u64,
    /// The clients' error window: from the first failed write's send to the answer of the first
    /// write acknowledged after the last failure (ms from the fault); no end when none was.
    pub window_start_ms: Option<f64>,
    /// Its end.
    pub window_end_ms: Option<f64>,
    /// The old master seen as a replica of the new one, and when; or what it was instead.
    pub rejoined: Result<f64, String>,
    /// How the fault was removed (freeze: SIGCONT), or why it was not.
    pub restore: Result<String, String>,
    /// What removes the fault if statectl dies.
    pub watchdog: String,
    /// --failover-deadline and --rejoin-deadline, ms.
    pub failover_deadline_ms: f64,
    /// --rejoin-deadline, ms.
    pub rejoin_deadline_ms: f64,
}

/// The failover drill's findings: the failover's time, the clients' error window, the
/// acknowledged writes lost, the old master's return as a replica, the fault's removal.
pub fn failover_findings(r: &FailoverRun) -> Vec<Finding> {
    let f = |id: &str, v: Verdict| Finding::new(id, &r.deployment, v);
    let cluster = r.deployment.starts_with("cluster ");
    let who = if cluster {
        "the cluster's nodes"
    } else {
        "the sentinels"
    };
    let failover = match &r.new_master {
        Some((m, t)) if *t <= r.failover_deadline_ms => Verdict::pass(format!(
            "{who} agreed on {m} as the master {} after {} was {} (deadline {})",
            secs(*t),
            r.old_master,
            if r.mode == "kill" { "killed" } else { "frozen" },
            secs(r.failover_deadline_ms)
        )),
        Some((m, t)) => Verdict::new(
            Status::Fail,
            format!(
                "{who} agreed on {m} only {} after the fault, past the {} deadline",
                secs(*t),
                secs(r.failover_deadline_ms)
            ),
        )
        .fix(if cluster {
            "Lower cluster-node-timeout (the time before a master is judged failing) and check its replica stays in sync (cluster-replica-validity-factor)"
        } else {
            "Lower down-after-milliseconds (the time before a master is judged down) and check the quorum is reachable: redis-cli -p 26379 SENTINEL CKQUORUM NAME"
        }),
        None => Verdict::new(
            Status::Fail,
            format!("no failover: {who} still name {} as the master", r.old_master),
        )
        .fix(if cluster {
            "Check the master's replica is in sync and eligible (cluster-replica-no-failover no, its data not older than cluster-replica-validity-factor allows), that a majority of masters reach each other (CLUSTER NODES), and the replica's log (Failover election …)"
        } else {
            "Check the sentinels reach a quorum and can authorize a failover (SENTINEL CKQUORUM NAME), that a replica is eligible (replica-priority > 0, its link up) and the sentinels' logs (+sdown, +odown, -failover-abort-*)"
        }),
    };
    let window = match (r.window_start_ms, r.window_end_ms) {
        (Some(a), Some(b)) => Verdict::pass(format!(
            "{} writes failed; none was acknowledged from {} to {} after the fault: an error window of {}",
            r.failed,
            secs(a),
            secs(b),
            secs(b - a)
        ))
        .with("window_ms", format!("{:.0}", b - a)),
        (Some(a), None) => Verdict::new(
            Status::Fail,
            format!(
                "{} writes failed from {} after the fault and none was acknowledged after: the client never found the new master",
                r.failed,
                secs(a)
            ),
        )
        .fix("Use a Sentinel-aware client (it asks the sentinels for the master after a failure) and check it can reach the new master"),
        _ => Verdict::pass(format!(
            "no write failed ({} acknowledged)",
            r.acknowledged
        )),
    }
    .with("acknowledged", r.acknowledged);
    let lost = match (r.lost, &r.lost_error) {
        (Some(0), _) => Verdict::pass(format!(
            "all {} acknowledged writes are on the new master",
            r.acknowledged
        )),
        (Some(n), _) => Verdict::new(
            Status::Fail,
            format!(
                "{n} of {} acknowledged writes are not on the new master: they were acknowledged by a master that lost them in the failover",
                r.acknowledged
            ),
        )
        .fix("Bound the loss: min-replicas-to-write 1 with min-replicas-max-lag 10 on the master (it stops accepting writes it cannot replicate), and have clients wait on WAIT 1 TIMEOUT for writes that must survive a failover"),
        (None, e) => Verdict::new(
            Status::Error,
            format!(
                "the new master could not be read to count lost writes: {}",
                e.as_deref().unwrap_or("no new master")
            ),
        ),
    };
    let rejoin = match &r.rejoined {
        Ok(t) if *t <= r.rejoin_deadline_ms => Verdict::pass(format!(
            "{} is a replica of the new master {} after the fault",
            r.old_master,
            secs(*t)
        )),
        Ok(t) => Verdict::new(
            Status::Fail,
            format!(
                "{} rejoined as a replica only {} after the fault, past the {} deadline",
                r.old_master,
                secs(*t),
                secs(r.rejoin_deadline_ms)
            ),
        ),
        Err(e) => Verdict::new(
            Status::Fail,
            format!("{} did not rejoin as a replica: {e}", r.old_master),
        )
        .fix(if cluster {
            "Start the old master again (systemctl start redis-server…): it rejoins as a replica of the node that took its slots; if it stays a master, check CLUSTER NODES on it"
        } else {
            "Start the old master again (systemctl start redis-server…): the sentinels make it a replica of the new master; if it stays a master, check the sentinels reach it (SENTINEL REPLICAS NAME)"
        }),
    };
    let restored = match &r.restore {
        Ok(how) => Verdict::pass(how.clone()),
        Err(e) => Verdict::new(Status::Fail, e.clone()),
    }
    .with("watchdog", &r.watchdog);
    vec![
        f("drill.failover", failover),
        f("drill.error_window", window),
        f("drill.writes_lost", lost),
        f("drill.old_master_rejoins", rejoin),
        f("drill.restored", restored),
    ]
}

#[cfg(test)]
mod failover_tests {
    use super::*;

    #[test]
    fn a_failover_within_its_deadline_with_no_loss_passes_and_a_loss_fails() {
        let mut r = FailoverRun {
            deployment: "redis+sentinel://127.0.0.1:26379/m".into(),
            mode: "freeze".into(),
            old_master: "127.0.0.1:7000".into(),
            new_master: Some(("127.0.0.1:7001".into(), 4200.0)),
            acknowledged: 900,
            lost: Some(0),
            lost_error: None,
            failed: 40,
            window_start_ms: Some(100.0),
            window_end_ms: Some(4300.0),
            rejoined: Ok(9000.0),
            restore: Ok("SIGCONT sent to 123".into()),
            watchdog: "a detached process".into(),
            failover_deadline_ms: 30_000.0,
            rejoin_deadline_ms: 30_000.0,
        };
        let f = failover_findings(&r);
        assert!(f.iter().all(|x| x.status == Status::Pass), "{f:?}");
        assert!(
            f[1].summary.contains("4.20 s") && f[0].summary.contains("4.20 s"),
            "{}",
            f[1].summary
        );
        r.lost = Some(3);
        r.new_master = None;
        r.rejoined = Err("it is still a master".into());
        let f = failover_findings(&r);
        let st: Vec<Status> = f.iter().map(|x| x.status).collect();
        assert_eq!(
            st,
            [
                Status::Fail,
                Status::Pass,
                Status::Fail,
                Status::Fail,
                Status::Pass
            ]
        );
        assert!(f[2].remediation.contains("min-replicas-to-write"));
    }
}
