//! Redis checks: round trips, latency events and the slow log over the window.

use super::*;

const LATENCY_FIX: &str = "Find what blocks the event loop: `redis-cli SLOWLOG GET 10` and `LATENCY DOCTOR`; replace KEYS/large DEL/FLUSHALL with SCAN/UNLINK/ASYNC, check fork time (latest_fork_usec), THP and swapping; enable `latency-monitor-threshold 100`";

/// `redis.latency`.
pub fn latency(s: &RedisSnapshot, t: &Ctx) -> Verdict {
    let warn_ms = t.redis.latency_p99_warn_ms;
    let fail_ms = t.redis.latency_spike_fail_ms;
    let mut sorted = s.pings.clone();
    sorted.sort();
    if sorted.is_empty() && s.ping_timeouts == 0 {
        return Verdict::skip("no PING round trips were measured in the window");
    }
    let (p50, p99) = match crate::stats::quantiles(sorted.iter().copied(), &[0.5, 0.99])[..] {
        [p50, p99] => (p50, p99),
        _ => Default::default(),
    };
    let max = sorted.last().copied().unwrap_or_default();
    let as_ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let mut v = Verdict::pass(format!(
        "PING p50 {} ms, p99 {} ms, max {} ms over {} round trips",
        ms(p50),
        ms(p99),
        ms(max),
        sorted.len()
    ))
    .with("pings", sorted.len())
    .with("p50_ms", ms(p50))
    .with("p99_ms", ms(p99))
    .with("max_ms", ms(max))
    .with("window_ms", s.window.as_millis());
    if as_ms(max) > fail_ms {
        v.escalate(
            Status::Fail,
            format!("a PING took {} ms (spike above {fail_ms} ms)", ms(max)),
            LATENCY_FIX,
        );
    } else if as_ms(p99) > warn_ms {
        v.escalate(
            Status::Warn,
            format!("PING p99 {} ms is above the {warn_ms} ms target", ms(p99)),
            LATENCY_FIX,
        );
    }
    if s.ping_timeouts > 0 {
        v = v.with("ping_timeouts", s.ping_timeouts);
        v.escalate(
            Status::Fail,
            format!("{} PINGs got no answer within the timeout", s.ping_timeouts),
            LATENCY_FIX,
        );
    }
    let judge = |v: &mut Verdict, what: String, took_ms: f64| {
        let status = if took_ms > fail_ms {
            Status::Fail
        } else if took_ms > warn_ms {
            Status::Warn
        } else {
            return;
        };
        v.escalate(
            status,
            format!("{what} took {took_ms:.1} ms in the window"),
            LATENCY_FIX,
        );
    };
    match &s.slowlog {
        Ok(entries) => {
            for e in entries {
                let took = e.micros as f64 / 1000.0;
                v = v.with("slowlog", format!("{} {took:.1} ms", e.command));
                judge(&mut v, format!("{} (SLOWLOG)", e.command), took);
            }
        }
        Err(e) => v = v.with("slowlog", format!("unreadable: {e}")),
    }
    match &s.latency_events {
        Ok(events) => {
            // The clock reads whole seconds; an event stamped in the same second counts.
            for e in events.iter().filter(|e| e.unix + 1 >= s.window_start_unix) {
                v = v.with("latency_event", format!("{} {} ms", e.name, e.latest_ms));
                judge(
                    &mut v,
                    format!("latency event '{}'", e.name),
                    e.latest_ms as f64,
                );
            }
        }
        Err(e) => v = v.with("latency_events", format!("unreadable: {e}")),
    }
    if let Ok(c) = &s.config {
        if c.get("latency-monitor-threshold").map(String::as_str) == Some("0") {
            v = v.with("latency_monitor", "off (latency-monitor-threshold 0)");
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::redis::{LatencyEvent, SlowlogEntry};
    use std::time::Duration;
    #[test]
    fn latency_bounds_for_pings_slowlog_and_events() {
        let t = Thresholds::default();
        let t = Ctx {
            thresholds: &t,
            obs: &HOST,
        };
        let mut s = snapshot(&[]);
        s.pings = vec![Duration::from_millis(6); 100];
        assert_eq!(latency(&s, &t).status, Status::Warn);
        s.pings.push(Duration::from_millis(600));
        assert_eq!(latency(&s, &t).status, Status::Fail);

        let mut s = snapshot(&[]);
        s.slowlog = Ok(vec![SlowlogEntry {
            id: 1,
            unix: 1_700_000_000,
            micros: 20_000,
            command: "KEYS".into(),
        }]);
        let v = latency(&s, &t);
        assert_eq!(v.status, Status::Warn);
        assert_eq!(ev(&v, "slowlog"), "KEYS 20.0 ms");

        let mut s = snapshot(&[]);
        let event = |unix| LatencyEvent {
            name: "command".into(),
            unix,
            latest_ms: 601,
            max_ms: 601,
        };
        s.latency_events = Ok(vec![event(1_600_000_000)]);
        assert_eq!(
            latency(&s, &t).status,
            Status::Pass,
            "an old event is not in the window"
        );
        s.latency_events = Ok(vec![event(1_700_000_001)]);
        let v = latency(&s, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("command"));
    }
}
