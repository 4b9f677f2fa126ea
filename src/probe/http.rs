//! Each API node (`--api`): a conditional GET pair on `--resource`, a PATCH with a stale If-Match
//! on `--write-probe` (opt-in: it is a write), and GET latency over the sample window.

use std::time::Instant;

use futures::future::BoxFuture;

use super::ProbeContext;
use crate::doctor::Area;
use crate::observe::http::{Answer, Conditional, HttpObservation};
use crate::observe::Observed;

/// The http area's probe.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let e = &cx.targets.edge;
        let client = e.client(cx.timing.timeout);
        let sample = cx.full.contains(&Area::Http).then_some(cx.timing.sample);
        let seen = cx
            .each(
                e.api
                    .iter()
                    .map(|u| observe(client.clone(), u.clone(), e, sample, cx)),
            )
            .await;
        Observed::Http(seen)
    })
}

fn status(r: Result<reqwest::Response, reqwest::Error>) -> Answer {
    r.map(|r| r.status().as_u16()).map_err(request_error)
}

/// A failed request in words, escaped, without the URL reqwest puts in its message: the URL is
/// the finding's target already, printed redacted, and its query may hold a credential.
pub fn request_error(e: reqwest::Error) -> String {
    crate::render::escape(&format!("{:#}", e.without_url())).into_owned()
}

async fn observe(
    client: Result<reqwest::Client, String>,
    base: reqwest::Url,
    e: &crate::target::edge::EdgeTargets,
    sample: Option<std::time::Duration>,
    cx: &ProbeContext,
) -> HttpObservation {
    let host = base
        .host_str()
        .unwrap_or("")
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let port = base.port_or_known_default().unwrap_or(443);
    let tls = match (&e.tls, base.scheme()) {
        (Some(t), "https") => Some(
            crate::tls::report::handshake(
                &host,
                port,
                t,
                crate::tls::report::Preamble::Http { host: host.clone() },
                cx.timing.timeout,
            )
            .await,
        ),
        _ => None,
    };
    let mut o = HttpObservation {
        target: crate::target::redact_url(base.as_str()),
        addr: crate::target::host_port(&host, port),
        tls,
        conditional: None,
        precondition: None,
        latency_ms: Vec::new(),
        latency_error: None,
    };
    let client = match client {
        Ok(c) => c,
        Err(err) => {
            o.latency_error = Some(err);
            return o;
        }
    };
    let at = |p: &str| base.join(p).unwrap_or_else(|_| base.clone());
    if let Some(p) = &e.resource {
        let first = client.get(at(p)).send().await;
        let etag = first.as_ref().ok().and_then(|r| {
            r.headers()
                .get(reqwest::header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        });
        let if_none_match = match &etag {
            Some(tag) => Some(status(
                client
                    .get(at(p))
                    .header(reqwest::header::IF_NONE_MATCH, tag)
                    .send()
                    .await,
            )),
            None => None,
        };
        o.conditional = Some(Conditional {
            path: crate::target::redact_url(p),
            get: status(first),
            etag,
            if_none_match,
        });
    }
    if let Some(p) = &e.write_probe {
        let mut nonce = [0u8; 8];
        let _ = getrandom::fill(&mut nonce);
        let stale: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
        o.precondition = Some(status(
            client
                .patch(at(p))
                .header(
                    reqwest::header::IF_MATCH,
                    format!("\"statectl-stale-{stale}\""),
                )
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body("{}")
                .send()
                .await,
        ));
    }
    if let Some(window) = sample {
        let url = at(e.resource.as_deref().unwrap_or("/"));
        let start = Instant::now();
        while start.elapsed() < window && !cx.cancel.is_cancelled() {
            let t = Instant::now();
            match client.get(url.clone()).send().await {
                Ok(r) => {
                    // the body is part of the retrieval
                    let _ = r.bytes().await;
                    o.latency_ms.push(t.elapsed().as_secs_f64() * 1e3);
                }
                Err(err) => {
                    o.latency_error = Some(request_error(err));
                    break;
                }
            }
        }
    }
    o
}
