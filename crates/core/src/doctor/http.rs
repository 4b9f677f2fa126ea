//! `http.*`: what each API node answers: conditional GETs, a write with a stale If-Match, and
//! latency against the state-retrieval target.

use super::{Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::http::HttpObservation;

/// The HTTP checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "http.tls",
        area: Area::Http,
        tags: &[Tag::Doctor],
        doc: "a live handshake with an https:// node: TLS 1.3 pass, 1.2 warn, lower fail; a certificate that does not verify fail; expiring within {tls.expiry_warn_days} days warn, {tls.expiry_fail_days} fail; ALPN settling on http/1.1 or nothing warns; plain http: skip",
        full: false,
        eval: Eval::Http(tls),
    },
    Check {
        id: "http.conditional",
        area: Area::Http,
        tags: &[Tag::Doctor],
        doc: "GET --resource PATH: no ETag warns; If-None-Match with the ETag must give 304, anything else fails; without --resource: skip",
        full: false,
        eval: Eval::Http(conditional),
    },
    Check {
        id: "http.precondition",
        area: Area::Http,
        tags: &[Tag::Doctor],
        doc: "opt-in (--write-probe PATH): a PATCH with an empty JSON object and a stale If-Match must give 412 (or 409); a success status means a write with a stale version was applied (lost update): fail",
        full: false,
        eval: Eval::Http(precondition),
    },
    Check {
        id: "http.latency",
        area: Area::Http,
        tags: &[Tag::Doctor],
        doc: "GET latency over the sample window: p99 above {http.latency_target_ms} ms warns, p50 above it fails",
        full: true,
        eval: Eval::Http(latency),
    },
];

/// The API, for TLS messages and remediations.
pub const API: super::tls::Service = super::tls::Service {
    name: "the API server",
    verify: "curl -sv --http2 https://HOST:PORT/ -o /dev/null",
    versions: "ssl_protocols TLSv1.3; in nginx (or the API server's TLS settings)",
    reachable: "http.tls",
    trust: "Give --http-ca CA_FILE (or install the CA in the system store)",
};

fn tls(o: &HttpObservation, t: &Ctx) -> Verdict {
    use crate::observe::tls::TlsLook;
    let look = match &o.tls {
        None => return Verdict::skip("http:// node: no TLS"),
        Some(l) => l,
    };
    if let TlsLook::Failed { error } = look {
        if !matches!(
            error,
            crate::observe::ProbeError::Tls { .. } | crate::observe::ProbeError::TlsToPlain { .. }
        ) {
            return super::unreachable_verdict(error, API.name, API.verify);
        }
    }
    let mut v = super::tls::live(Some(look), &o.addr, API, t);
    if let TlsLook::Done(f) = look {
        if f.alpn.as_deref() != Some("h2") {
            v.escalate(
                Status::Warn,
                format!(
                    "{}; ALPN agreed {}: HTTP/2 is not offered",
                    f.version,
                    f.alpn.as_deref().unwrap_or("nothing")
                ),
                "Offer HTTP/2: `listen 443 ssl http2;` (nginx 1.24: `http2 on;`) or `alpn h2,http/1.1` on the HAProxy bind line",
            );
        }
    }
    v
}

fn conditional(o: &HttpObservation, _: &Ctx) -> Verdict {
    let Some(c) = &o.conditional else {
        return Verdict::skip("no --resource PATH given");
    };
    let get = match &c.get {
        Ok(s) if (200..300).contains(s) => *s,
        Ok(s) => {
            return Verdict::new(Status::Fail, format!("GET {} answered {s}", c.path))
                .with("status", s)
        }
        Err(e) => return Verdict::new(Status::Error, format!("GET {}: {e}", c.path)),
    };
    let Some(etag) = &c.etag else {
        return Verdict::new(Status::Warn, format!("GET {} ({get}) carries no ETag: clients cannot revalidate or send If-Match", c.path))
            .fix("Return an ETag (a version or a hash of the state) with every resource, so clients can send If-None-Match to revalidate and If-Match to update without lost writes");
    };
    let weak = etag.starts_with("W/");
    match &c.if_none_match {
        Some(Ok(304)) => Verdict::pass(format!("GET {} gives a {} ETag and honours If-None-Match (304)", c.path, if weak { "weak" } else { "strong" })),
        Some(Ok(s)) => Verdict::new(Status::Fail, format!("If-None-Match with the current ETag answered {s}, not 304: the ETag is not honoured")).fix("Compare If-None-Match with the resource's current ETag (weak comparison) and answer 304 Not Modified when one matches"),
        Some(Err(e)) => Verdict::new(Status::Error, format!("GET {} with If-None-Match: {e}", c.path)),
        None => Verdict::skip("the conditional GET was not sent"),
    }
    .with("weak", weak)
}

fn precondition(o: &HttpObservation, _: &Ctx) -> Verdict {
    let Some(a) = &o.precondition else {
        return Verdict::skip(
            "opt-in: give --write-probe PATH (sends a PATCH {} with a stale If-Match)",
        );
    };
    match a {
        Ok(412) => Verdict::pass("a PATCH with a stale If-Match was refused with 412 Precondition Failed"),
        Ok(409) => Verdict::pass("a PATCH with a stale If-Match was refused with 409 Conflict"),
        Ok(s) if (200..300).contains(s) => Verdict::new(
            Status::Fail,
            format!("A WRITE WAS APPLIED: a PATCH {{}} with a stale If-Match answered {s}; the API ignores If-Match, so concurrent updates overwrite each other (lost update)"),
        )
        .fix("Check If-Match against the resource's current ETag before writing and answer 412 Precondition Failed on a mismatch (optimistic concurrency); also look at the resource this probe wrote to"),
        Ok(s) => Verdict::new(Status::Fail, format!("a PATCH with a stale If-Match answered {s}, not 412"))
            .fix("Answer 412 Precondition Failed when If-Match does not match the current ETag; check that --write-probe names a resource that takes PATCH"),
        Err(e) => Verdict::new(Status::Error, format!("the PATCH with a stale If-Match failed: {e}")),
    }
    .with("status", a.as_ref().map_or_else(|e| e.clone(), |s| s.to_string()))
}

fn latency(o: &HttpObservation, t: &Ctx) -> Verdict {
    if let Some(e) = &o.latency_error {
        return Verdict::new(Status::Error, format!("no latency sample: {e}"));
    }
    let mut ms = o.latency_ms.clone();
    if ms.is_empty() {
        return Verdict::skip("no request completed in the sample window");
    }
    ms.sort_by(f64::total_cmp);
    let q = crate::stats::quantiles(
        ms.iter()
            .map(|m| std::time::Duration::from_secs_f64(m.max(0.0) / 1000.0)),
        &[0.5, 0.99],
    );
    let as_ms = |d: &std::time::Duration| d.as_secs_f64() * 1000.0;
    let (p50, p99, max) = (as_ms(&q[0]), as_ms(&q[1]), ms[ms.len() - 1]);
    let target = t.http.latency_target_ms;
    let summary = format!(
        "p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms over {} requests (target {target} ms)",
        ms.len()
    );
    let v = if p50 > target {
        Verdict::new(Status::Fail, summary)
    } else if p99 > target {
        Verdict::new(Status::Warn, summary)
    } else {
        Verdict::pass(summary)
    };
    let v = if v.status == Status::Pass {
        v
    } else {
        v.fix("Find where the time goes: the state store (statectl latency --redis …, redis.latency), the network path (mtr), or the API itself; keep state retrieval under the target with pooling and pipelining")
    };
    v.with("p50_ms", format!("{p50:.3}"))
        .with("p99_ms", format!("{p99:.3}"))
        .with("max_ms", format!("{max:.3}"))
        .with("requests", ms.len())
}

/// The http area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    for o in &obs.http {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Http(f) = c.eval {
                out.push(crate::model::Finding::new(c.id, &o.target, f(o, t)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::http::Conditional;

    fn obs() -> HttpObservation {
        HttpObservation {
            target: "http://node1".into(),
            addr: "node1:80".into(),
            tls: None,
            conditional: None,
            precondition: None,
            latency_ms: vec![],
            latency_error: None,
        }
    }

    fn run(f: fn(&HttpObservation, &Ctx) -> Verdict, o: &HttpObservation) -> Verdict {
        f(o, &Ctx::of(&Thresholds::default()))
    }

    #[test]
    fn conditional_requests_need_an_honoured_etag() {
        let c = |etag: Option<&str>, inm: Option<u16>| HttpObservation {
            conditional: Some(Conditional {
                path: "/r".into(),
                get: Ok(200),
                etag: etag.map(String::from),
                if_none_match: inm.map(Ok),
            }),
            ..obs()
        };
        assert_eq!(run(conditional, &obs()).status, Status::Skip);
        assert_eq!(
            run(conditional, &c(Some("\"v1\""), Some(304))).status,
            Status::Pass
        );
        assert_eq!(
            run(conditional, &c(Some("W/\"v1\""), Some(200))).status,
            Status::Fail
        );
        assert_eq!(run(conditional, &c(None, None)).status, Status::Warn);
    }

    #[test]
    fn a_stale_write_that_lands_fails_loudly() {
        let p = |a| HttpObservation {
            precondition: Some(a),
            ..obs()
        };
        assert_eq!(run(precondition, &obs()).status, Status::Skip);
        assert_eq!(run(precondition, &p(Ok(412))).status, Status::Pass);
        assert_eq!(run(precondition, &p(Ok(409))).status, Status::Pass);
        let v = run(precondition, &p(Ok(200)));
        assert!(
            v.status == Status::Fail && v.summary.starts_with("A WRITE WAS APPLIED"),
            "{}",
            v.summary
        );
        assert_eq!(run(precondition, &p(Ok(405))).status, Status::Fail);
    }

    #[test]
    fn latency_against_the_target() {
        let l = |ms: Vec<f64>| HttpObservation {
            latency_ms: ms,
            ..obs()
        };
        assert_eq!(run(latency, &l(vec![1.0; 100])).status, Status::Pass);
        let mut tail = vec![1.0; 98];
        tail.extend([40.0, 50.0]);
        assert_eq!(run(latency, &l(tail)).status, Status::Warn);
        assert_eq!(run(latency, &l(vec![9.0; 10])).status, Status::Fail);
        assert_eq!(run(latency, &l(vec![])).status, Status::Skip);
    }
}
