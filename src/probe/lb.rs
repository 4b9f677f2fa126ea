//! The load balancer's configuration and version: `--lb-config FILE` (dumped through `nginx -T -c`
//! when nginx is installed, so includes are followed), else the local `nginx -T`, else
//! /etc/haproxy/haproxy.cfg.

use std::path::Path;

use futures::future::BoxFuture;

use super::ProbeContext;
use crate::observe::lb::{
    looks_like_haproxy, parse_haproxy, parse_nginx, parse_version, LbKind, LbObservation,
};
use crate::observe::Observed;

const HAPROXY_CFG: &str = "/etc/haproxy/haproxy.cfg";

/// The lb area's probe.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let e = &cx.targets.edge;
        let (config, header, cookie) = (
            e.lb_config.clone(),
            e.session_header.clone(),
            e.session_cookie.clone(),
        );
        let timeout = cx.timing.timeout;
        let seen = tokio::time::timeout(
            timeout.max(std::time::Duration::from_secs(5)),
            tokio::task::spawn_blocking(move || observe(config.as_deref(), header, cookie)),
        )
        .await;
        Observed::Lb(match seen {
            Ok(Ok(o)) => o.map(Box::new),
            _ => None,
        })
    })
}

/// stdout and stderr of a program, or why it did not run or failed.
fn run(program: &str, args: &[&str]) -> Result<(String, String), String> {
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    if !out.status.success() {
        let last = e
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        return Err(format!(
            "{program} {} failed: {}",
            args.join(" "),
            crate::render::escape(&last)
        ));
    }
    Ok((o, e))
}

fn version(program: &str) -> Option<String> {
    let (o, e) = run(program, &["-v"]).ok()?;
    parse_version(&format!("{o}{e}"))
}

/// Observes the configuration at `file`, or the local one; None when there is none to find.
pub fn observe(
    file: Option<&Path>,
    session_header: String,
    session_cookie: Option<String>,
) -> Option<LbObservation> {
    let obs = |target: String, kind, config| LbObservation {
        target,
        kind,
        version: version(match kind {
            LbKind::Nginx => "nginx",
            LbKind::Haproxy => "haproxy",
        }),
        config,
        session_header: session_header.clone(),
        session_cookie: session_cookie.clone(),
    };
    match file {
        Some(f) => {
            let label = f.display().to_string();
            let text = match std::fs::read_to_string(f) {
                Ok(t) => t,
                Err(e) => {
                    return Some(obs(
                        label.clone(),
                        LbKind::Nginx,
                        Err(format!("{label}: {e}")),
                    ))
                }
            };
            if looks_like_haproxy(&text) {
                return Some(obs(
                    label.clone(),
                    LbKind::Haproxy,
                    Ok(parse_haproxy(&text, &label)),
                ));
            }
            // nginx -T follows includes; without nginx (or when it rejects the file) the file alone
            let dumped = run("nginx", &["-T", "-q", "-c", &label]).map(|(o, _)| o);
            let config = match dumped {
                Ok(dump) => parse_nginx(&dump, &label),
                Err(_) => parse_nginx(&text, &label),
            };
            Some(obs(label, LbKind::Nginx, config))
        }
        // nothing named: the local balancer, if there is one (none: no lb findings at all)
        None => match run("nginx", &["-T", "-q"]) {
            Ok((dump, _)) => Some(obs(
                "nginx -T".into(),
                LbKind::Nginx,
                parse_nginx(&dump, "nginx.conf"),
            )),
            Err(_) => std::fs::read_to_string(HAPROXY_CFG).ok().map(|text| {
                obs(
                    HAPROXY_CFG.into(),
                    LbKind::Haproxy,
                    Ok(parse_haproxy(&text, HAPROXY_CFG)),
                )
            }),
        },
    }
}
