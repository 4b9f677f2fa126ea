//! Each API node (`--api`): a conditional GET pair on `--resource`, a PATCH with a stale If-Match
//! on `--write-probe` (opt-in: it is a write), and GET latency over the sample window.

use std::time::{Duration, Instant};

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

/// At most this much of a response body is kept (a JWKS document, the echo path's answer): past
/// it the rest is counted, not kept, until the body ends or `--timeout` ends the request.
pub const BODY_CAP: usize = 1 << 20;

/// A response body read under [`BODY_CAP`].
#[derive(Debug, Default)]
pub struct Body {
    /// The first bytes, at most the cap.
    pub kept: Vec<u8>,
    /// Every byte that arrived, kept or not.
    pub len: u64,
    /// Why the body did not arrive whole, in words ([`cause`]).
    pub error: Option<String>,
}

impl Body {
    /// The whole body when it arrived whole and within the cap; else why not, naming the cap.
    pub fn whole(self) -> Result<Vec<u8>, String> {
        let over = self.len > BODY_CAP as u64;
        match (over, self.error) {
            (false, None) => Ok(self.kept),
            (true, e) => Err(format!(
                "the body is larger than statectl reads ({} at most; {} arrived{})",
                crate::doctor::redis::human_bytes(BODY_CAP as f64),
                crate::doctor::redis::human_bytes(self.len as f64),
                e.map(|e| format!(" before {e}")).unwrap_or_default()
            )),
            (false, Some(e)) => Err(e),
        }
    }
}

/// Reads `resp`'s body, keeping at most [`BODY_CAP`] bytes; the client's timeout bounds it.
pub async fn read_body(mut resp: reqwest::Response, timeout: Duration) -> Body {
    let mut b = Body::default();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                b.len += c.len() as u64;
                let room = BODY_CAP.saturating_sub(b.kept.len());
                b.kept.extend_from_slice(&c[..room.min(c.len())]);
            }
            Ok(None) => break,
            Err(e) => {
                b.error = Some(cause(&e, timeout));
                break;
            }
        }
    }
    b
}

/// A request's failure in words: the step it failed at and every cause below it (refused, reset,
/// a TLS alert …), or how long it waited; never the URL, which the finding names already (without
/// its query's secrets). Escaped: the causes may quote the server.
pub fn cause(e: &reqwest::Error, timeout: Duration) -> String {
    let step = if e.is_connect() {
        "connecting"
    } else if e.is_body() || e.is_decode() {
        "reading the body"
    } else if e.is_redirect() {
        "following a redirect"
    } else {
        "waiting for the response"
    };
    let words = if e.is_timeout() {
        format!("timed out after {} while {step}", seconds(timeout))
    } else {
        // reqwest's own line names the URL and says only "error sending request": the causes
        // below it say what happened
        let mut causes: Vec<String> = Vec::new();
        let mut next = std::error::Error::source(e);
        while let Some(c) = next {
            let text = c.to_string();
            // hyper's "client error (Connect)" only repeats the step
            let noise = text.starts_with("client error (");
            if !noise && !text.is_empty() && !causes.iter().any(|k| k.contains(&text)) {
                causes.push(text);
            }
            next = c.source();
        }
        if causes.is_empty() {
            let top = e.to_string();
            causes.push(top.split(" for url (").next().unwrap_or(&top).to_string());
        }
        format!("{step}: {}", causes.join(": "))
    };
    crate::text::escape(&words).into_owned()
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s} s")
    } else {
        format!("{s:.1} s")
    }
}

fn status(r: Result<reqwest::Response, reqwest::Error>, timeout: Duration) -> Answer {
    r.map(|r| r.status().as_u16())
        .map_err(|e| cause(&e, timeout))
}

async fn observe(
    client: Result<reqwest::Client, String>,
    base: reqwest::Url,
    e: &crate::targets::edge::EdgeTargets,
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
            super::tls::handshake(
                &host,
                port,
                t,
                super::tls::Preamble::Http { host: host.clone() },
                cx.timing.timeout,
            )
            .await,
        ),
        _ => None,
    };
    let mut o = HttpObservation {
        target: crate::targets::redact_url(base.as_str()),
        addr: crate::targets::host_port(&host, port),
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
                cx.timing.timeout,
            )),
            None => None,
        };
        o.conditional = Some(Conditional {
            path: crate::targets::redact_url(p),
            get: status(first, cx.timing.timeout),
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
            cx.timing.timeout,
        ));
    }
    if let Some(window) = sample {
        let url = at(e.resource.as_deref().unwrap_or("/"));
        let start = Instant::now();
        while start.elapsed() < window && !cx.cancel.is_cancelled() {
            let t = Instant::now();
            match client.get(url.clone()).send().await {
                Ok(r) => {
                    // the body is part of the retrieval; one that does not arrive whole is an
                    // error, not a fast sample
                    if let Err(err) = read_body(r, cx.timing.timeout).await.whole() {
                        o.latency_error = Some(err);
                        break;
                    }
                    o.latency_ms.push(t.elapsed().as_secs_f64() * 1e3);
                }
                Err(err) => {
                    o.latency_error = Some(cause(&err, cx.timing.timeout));
                    break;
                }
            }
        }
    }
    o
}
