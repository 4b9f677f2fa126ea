//! The load balancer's configuration and version: `--lb-config FILE` (dumped through `nginx -T -c`
//! when nginx is installed, so includes are followed), else the local `nginx -T`, else
//! /etc/haproxy/haproxy.cfg.

use std::path::Path;

use futures::future::BoxFuture;

use super::ProbeContext;
use crate::observe::lb::{
    backend_mark, error_log_targets, is_glob, looks_like_haproxy, parse_haproxy, parse_nginx,
    parse_nginx_tree, parse_version, refusal, scan_error_log, ConfigTest, Directive, ErrorLogScan,
    ErrorLogTarget, Included, LbKind, LbObservation, LiveAnswer, LiveHeader, BACKEND_HEADERS,
    GLOB_OPTIONS,
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
        let discover = e.discover_lb;
        let since = e.since;
        let timeout = cx.timing.timeout;
        let seen = tokio::time::timeout(
            timeout.max(std::time::Duration::from_secs(5)),
            tokio::task::spawn_blocking(move || {
                (config.is_some() || discover)
                    .then(|| {
                        let file = config.as_ref().map(|(p, t)| (p.as_path(), t.as_str()));
                        observe(file, header, cookie, since)
                    })
                    .flatten()
            }),
        )
        .await;
        let mut seen = match seen {
            Ok(Ok(o)) => o,
            _ => None,
        };
        if let Some((url, path)) = &e.live {
            let live = live_header(e, url, path, timeout).await;
            // a live probe without a configuration to read still reports
            let o = seen.get_or_insert_with(|| LbObservation {
                target: crate::targets::redact_url(url.as_str()),
                kind: LbKind::Nginx,
                version: None,
                config: Err("no configuration read (--lb-config)".into()),
                session_header: e.session_header.clone(),
                session_cookie: e.session_cookie.clone(),
                live: None,
                error_log: None,
                site_error_logs: Vec::new(),
                test: None,
                read: None,
            });
            o.live = Some(live);
        }
        Observed::Lb(seen.map(Box::new))
    })
}

/// Requests through the balancer to the echo path: how many, at most.
const LIVE_REQUESTS: usize = 8;

/// Sends requests with a unique session header and cookie through the balancer and looks for
/// them in the echoed headers.
async fn live_header(
    e: &crate::targets::edge::EdgeTargets,
    base: &reqwest::Url,
    path: &str,
    timeout: std::time::Duration,
) -> LiveHeader {
    let url = base.join(path).unwrap_or_else(|_| base.clone());
    let cookie = e
        .session_cookie
        .clone()
        .unwrap_or_else(|| "statectl_probe".into());
    let mut live = LiveHeader {
        url: crate::targets::redact_url(url.as_str()),
        cookie: cookie.clone(),
        answers: Vec::new(),
        error: None,
        markers: Vec::new(),
    };
    // a name the user gives is the only one asked for, in the headers and then the echo
    let names: Vec<&str> = match &e.backend_header {
        Some(n) => vec![n.as_str()],
        None => BACKEND_HEADERS.to_vec(),
    };
    live.markers = names.iter().map(|n| format!("header {n}")).collect();
    if let Some(n) = &e.backend_header {
        live.markers.push(format!("body field {n}"));
    }
    let client = match e.client(timeout) {
        Ok(c) => c,
        Err(err) => {
            live.error = Some(err);
            return live;
        }
    };
    let mut nonce = [0u8; 12];
    let _ = getrandom::fill(&mut nonce);
    let value: String = format!(
        "statectl-{}",
        nonce.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let cookie_value = format!("{value}-c");
    for _ in 0..LIVE_REQUESTS {
        let sent = client
            .get(url.clone())
            .header(e.session_header.as_str(), &value)
            .header(reqwest::header::COOKIE, format!("{cookie}={cookie_value}"))
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(err) => {
                live.error = Some(super::http::cause(&err, timeout));
                break;
            }
        };
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = match super::http::read_body(resp, timeout).await.whole() {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(err) => {
                live.error = Some(err);
                break;
            }
        };
        let header_arrived = body.contains(&value)
            && body
                .to_ascii_lowercase()
                .contains(&e.session_header.to_ascii_lowercase());
        let cookie_arrived = body.contains(&cookie_value);
        // the probe's own values are never reported, even if named as the marker
        let backend =
            backend_mark(&headers, &body, &names, e.backend_header.as_deref()).map(|mut b| {
                b.name = b.name.replace(&cookie_value, "…").replace(&value, "…");
                b
            });
        live.answers.push(LiveAnswer {
            status,
            header_arrived,
            cookie_arrived,
            backend,
        });
    }
    live
}

fn version(program: &str) -> Option<String> {
    let (o, e) = super::command(program, &["-v"]).ok()?;
    parse_version(&format!("{o}{e}"))
}

/// Observes the configuration at `file`, or the local one; None when there is none to find.
pub fn observe(
    file: Option<(&Path, &str)>,
    session_header: String,
    session_cookie: Option<String>,
    since: std::time::Duration,
) -> Option<LbObservation> {
    observe_config(file, session_header, session_cookie).map(|mut o| {
        if o.kind == LbKind::Nginx {
            let d = o.config.as_deref().unwrap_or_default();
            let mut scans = error_log_targets(d, nginx_prefix().as_deref(), NGINX_ERROR_LOG)
                .into_iter()
                .map(|t| error_log(t, since));
            o.error_log = scans.next();
            o.site_error_logs = scans.collect();
        }
        o
    })
}

/// nginx's prefix (`nginx -V`'s --prefix=), against which it resolves relative log paths.
fn nginx_prefix() -> Option<String> {
    let (o, e) = super::command("nginx", &["-V"]).ok()?;
    format!("{o}{e}")
        .split_whitespace()
        .find_map(|w| w.strip_prefix("--prefix="))
        .map(str::to_string)
}

/// Where nginx writes errors when the main context names no error_log: Debian's file.
const NGINX_ERROR_LOG: &str = "/var/log/nginx/error.log";

/// Reads the end of an error log and counts the signatures of the last `since`.
fn error_log(t: ErrorLogTarget, since: std::time::Duration) -> ErrorLogScan {
    let mut scan = ErrorLogScan {
        path: t.path.clone().unwrap_or_default(),
        since_s: since.as_secs(),
        counts: Vec::new(),
        error: None,
        named_at: t.named_at,
    };
    let path = match t.path {
        Ok(p) => p,
        Err(why) => {
            scan.error = Some(why);
            return scan;
        }
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let since_t = now - since.as_secs() as i64;
    let offset = super::log::utc_offset_s();
    let time_of = |l: &str| crate::observe::lb::nginx_log_time(l, offset);
    let tail = super::log::read_tail(Path::new(&path), since_t, super::log::BUDGET, &time_of)
        .map(|t| t.text);
    match tail {
        Ok(t) => scan.counts = scan_error_log(&t, Some(since_t), offset),
        Err(e) => scan.error = Some(format!("{path}: {e}")),
    }
    scan
}

/// Runs the balancer's own configuration test: its stdout when it accepts the configuration,
/// and what it said; None when the program cannot be run (not installed).
fn config_test(program: &str, args: &[&str]) -> Option<(Option<String>, ConfigTest)> {
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    Some(if out.status.success() {
        (
            Some(String::from_utf8_lossy(&out.stdout).into_owned()),
            ConfigTest::Accepted,
        )
    } else {
        (
            None,
            refusal(program, &String::from_utf8_lossy(&out.stderr)),
        )
    })
}

const NGINX_CONF: &str = "/etc/nginx/nginx.conf";

/// The most bytes read through includes, all files together (each is also capped).
const INCLUDED_BYTES: u64 = 32 << 20;

/// What an nginx `include` names, read from the filesystem as nginx reads it: glob(3)'s
/// matches in order (directories skipped), a named file whether or not it can be read; nothing
/// for a named file that does not exist. Files past the shared byte budget are not read.
fn open_included(budget: &mut u64, pattern: &str) -> Included {
    let paths: Vec<std::path::PathBuf> = if is_glob(pattern) {
        glob::glob_with(pattern, GLOB_OPTIONS)
            .map(|found| {
                found
                    .filter_map(Result::ok)
                    .filter(|p| !p.is_dir())
                    .take(crate::observe::lb::INCLUDE_FILES)
                    .collect()
            })
            .unwrap_or_default()
    } else {
        match std::fs::symlink_metadata(pattern) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            _ => vec![pattern.into()],
        }
    };
    paths
        .into_iter()
        .map(|p| {
            let cap = crate::input::CONFIG_CAP.min(*budget);
            let text = if cap == 0 {
                Err(format!(
                    "not read: the included files passed {} in all",
                    crate::doctor::redis::human_bytes(INCLUDED_BYTES as f64)
                ))
            } else {
                crate::input::read_capped_text(&p, cap)
            };
            if let Ok(t) = &text {
                *budget -= t.len() as u64;
            }
            (p.display().to_string(), text)
        })
        .collect()
}

/// The main file with its includes followed by statectl (when nginx -T cannot, `why`), and how
/// it was read: how many files, why, and what could not be followed.
fn read_tree(file: &str, text: &str, why: &str) -> (Result<Vec<Directive>, String>, String) {
    let mut budget = INCLUDED_BYTES;
    match parse_nginx_tree(file, text, &mut |p: &str| open_included(&mut budget, p)) {
        Ok(c) => {
            let mut read = format!(
                "read by statectl with its includes ({} file{}), as {why}",
                c.files,
                if c.files == 1 { "" } else { "s" }
            );
            if !c.unfollowed.is_empty() {
                read.push_str(&format!("; not followed: {}", c.unfollowed.join("; ")));
            }
            (Ok(c.directives), read)
        }
        Err(e) => (
            Err(e),
            format!("read by statectl with its includes, as {why}"),
        ),
    }
}

/// The configuration alone.
fn observe_config(
    file: Option<(&Path, &str)>,
    session_header: String,
    session_cookie: Option<String>,
) -> Option<LbObservation> {
    let obs = |target: String, kind, config, test| LbObservation {
        target,
        kind,
        version: version(match kind {
            LbKind::Nginx => "nginx",
            LbKind::Haproxy => "haproxy",
        }),
        config,
        session_header: session_header.clone(),
        session_cookie: session_cookie.clone(),
        live: None,
        error_log: None,
        site_error_logs: Vec::new(),
        test: Some(test),
        read: None,
    };
    let untested = |program: &str| {
        ConfigTest::Untested(format!(
            "{program} is not installed here: the configuration was read, not tested"
        ))
    };
    match file {
        Some((f, text)) => {
            // nginx -c resolves a relative path against its prefix, not the working directory
            let label = std::fs::canonicalize(f)
                .unwrap_or_else(|_| f.to_path_buf())
                .display()
                .to_string();
            if looks_like_haproxy(text) {
                let test = config_test("haproxy", &["-c", "-f", &label])
                    .map_or_else(|| untested("haproxy"), |(_, t)| t);
                return Some(obs(
                    label.clone(),
                    LbKind::Haproxy,
                    Ok(parse_haproxy(text, &label)),
                    test,
                ));
            }
            // nginx -T tests the file and follows its includes; without nginx, or when it
            // rejects the file, statectl follows them itself
            let (config, test, read) = match config_test("nginx", &["-T", "-q", "-c", &label]) {
                Some((Some(dump), t)) => (
                    parse_nginx(&dump, &label),
                    t,
                    format!("nginx -T -c {label} (includes followed)"),
                ),
                Some((None, t)) => {
                    let why = match &t {
                        ConfigTest::Rejected(m) | ConfigTest::Untested(m) => m.clone(),
                        ConfigTest::Accepted => String::new(),
                    };
                    let (config, read) =
                        read_tree(&label, text, &format!("nginx -T failed: {why}"));
                    (config, t, read)
                }
                None => {
                    let (config, read) = read_tree(&label, text, "nginx is not installed here");
                    (config, untested("nginx"), read)
                }
            };
            let mut o = obs(label, LbKind::Nginx, config, test);
            o.read = Some(read);
            Some(o)
        }
        // nothing named: the local balancer, if there is one (none: no lb findings at all)
        None => match config_test("nginx", &["-T", "-q"]) {
            Some((Some(dump), t)) => {
                let mut o = obs(
                    "nginx -T".into(),
                    LbKind::Nginx,
                    parse_nginx(&dump, "nginx.conf"),
                    t,
                );
                o.read = Some("nginx -T (includes followed)".into());
                Some(o)
            }
            // installed and refusing its configuration: read the main file and its includes
            Some((None, t)) if Path::new(NGINX_CONF).exists() => {
                let why = match &t {
                    ConfigTest::Rejected(m) | ConfigTest::Untested(m) => {
                        format!("nginx -T failed: {m}")
                    }
                    ConfigTest::Accepted => String::new(),
                };
                let (config, read) = match crate::input::read_capped_text(
                    Path::new(NGINX_CONF),
                    crate::input::CONFIG_CAP,
                ) {
                    Ok(text) => read_tree(NGINX_CONF, &text, &why),
                    Err(e) => (Err(format!("{NGINX_CONF}: {e}")), why),
                };
                let mut o = obs("nginx -T".into(), LbKind::Nginx, config, t);
                o.read = Some(read);
                Some(o)
            }
            Some((None, _)) | None => {
                crate::input::read_capped_text(Path::new(HAPROXY_CFG), crate::input::CONFIG_CAP)
                    .ok()
                    .map(|text| {
                        let test = config_test("haproxy", &["-c", "-f", HAPROXY_CFG])
                            .map_or_else(|| untested("haproxy"), |(_, t)| t);
                        obs(
                            HAPROXY_CFG.into(),
                            LbKind::Haproxy,
                            Ok(parse_haproxy(&text, HAPROXY_CFG)),
                            test,
                        )
                    })
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // what an include names is read bounded: not a device, not past the budget, a missing
    // named file said, and the files of a glob in glob(3)'s order
    #[test]
    fn includes_are_read_within_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        for (name, text) in [
            ("b.conf", "b;\n"),
            ("a.conf", "a;\n"),
            ("big.conf", &"x;\n".repeat(100)),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let main = format!("include {d}/*.conf;\ninclude /dev/zero;\ninclude {d}/none.conf;\n");
        let (config, read) = read_tree(&format!("{d}/nginx.conf"), &main, "a test");
        let names: Vec<String> = config.unwrap().into_iter().map(|x| x.name).collect();
        assert_eq!(names[..3], ["include", "a", "b"], "{names:?}");
        assert!(
            read.contains("include /dev/zero: /dev/zero: a character device, not a regular file"),
            "{read}"
        );
        assert!(read.contains("none.conf not found"), "{read}");
        let mut budget = 10;
        let got = open_included(&mut budget, &format!("{d}/*.conf"));
        assert_eq!(got.len(), 3);
        assert!(got[0].1.is_ok() && got[1].1.is_ok(), "{got:?}");
        assert!(
            got[2].1.as_ref().is_err_and(|e| e.contains("larger")),
            "{got:?}"
        );
        assert_eq!(budget, 4);
        let mut spent = 0;
        let got = open_included(&mut spent, &format!("{d}/a.conf"));
        assert!(
            got[0].1.as_ref().is_err_and(|e| e.contains("in all")),
            "{got:?}"
        );
    }
}
