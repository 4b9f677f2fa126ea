//! `lb.*`: the load balancer's configuration, read as directives with their file and line.

use super::{Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::lb::{
    haproxy_proxies, ConfigTest, Directive, ErrorLogScan, HaproxyProxy, LbKind, LbObservation,
};

mod nginx;

/// The load balancer checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "lb.config_valid",
        area: Area::Lb,
        tags: &[Tag::Doctor],
        doc: "the balancer refuses its configuration (nginx -t -c FILE, haproxy -c -f FILE): fail, quoting its message, and so does every row read from that configuration; the balancer not installed, unable to test as this user (permission denied), or refusing only for what this machine lacks and the balancer may have (a certificate or include file, an upstream host it cannot resolve, an NGINX Plus/OpenResty/third-party module's directive): skip, and the rows are judged from the files statectl reads itself, includes followed",
        full: false,
        eval: Eval::Lb(config_valid),
    },
    Check {
        id: "lb.version",
        area: Area::Lb,
        tags: &[Tag::Doctor],
        doc: "nginx below {lb.min_nginx} or HAProxy below {lb.min_haproxy} fails, with the version found; the binary not found: skip",
        full: false,
        eval: Eval::Lb(version),
    },
    Check {
        id: "lb.session_header",
        area: Area::Lb,
        tags: &[Tag::Doctor],
        doc: "the session header is dropped or overwritten (an underscore without underscores_in_headers on, proxy_set_header or http-request del-header/set-header on it, proxy_pass_request_headers off): fail, naming file:line; nginx: only where it reaches a location that proxies to the configuration's upstreams (a location proxying elsewhere, an identity provider or a third party, is not judged; one whose target cannot be told is judged and named)",
        full: false,
        eval: Eval::Lb(session_header),
    },
    Check {
        id: "lb.session_pinning",
        area: Area::Lb,
        tags: &[Tag::Doctor],
        doc: "sticky sessions (nginx ip_hash, hash $cookie_…/$remote_addr, sticky; HAProxy, in a backend with servers, cookie … insert, stick on/match/store-request/store-response, balance source) warn: state still lives on a node; a stick-table only holding counters (rate limiting) is named, not pinning",
        full: false,
        eval: Eval::Lb(session_pinning),
    },
    Check {
        id: "lb.upstream_keepalive",
        area: Area::Lb,
        tags: &[Tag::Doctor],
        doc: "no connection reuse to the upstreams warns (nginx: keepalive N with proxy_http_version 1.1 and a Connection header that is empty for requests without Upgrade: \"\" or a map such as $connection_upgrade whose '' (else default) value is not close; HAProxy: http-reuse never, or option http-server-close/httpclose in defaults, the backend or a frontend routing to it)",
        full: false,
        eval: Eval::Lb(upstream_keepalive),
    },
    Check {
        id: "lb.health_checks",
        area: Area::Lb,
        tags: &[Tag::Doctor],
        doc: "upstream servers without health checks warn (HAProxy server lines without check; nginx: servers of an upstream with more than one server that turn the default passive checks off with max_fails=0 or fail_timeout=0, unless an active check covers the upstream: NGINX Plus health_check in the location that proxies to it, the upstream check module's check, OpenResty's lua-resty-upstream-healthcheck spawn_checker); nginx upstreams of one server only (nginx never marks that server down): skip",
        full: false,
        eval: Eval::Lb(health_checks),
    },
    Check {
        id: "lb.role_checks",
        area: Area::Lb,
        tags: &[Tag::Doctor],
        doc: "HAProxy tcp backends in front of Redis or PostgreSQL with two or more servers must ask each server its role (Redis: option tcp-check with tcp-check expect string role:master; PostgreSQL: option httpchk GET /primary or /replica with check port 8008, Patroni's REST API): a check that only connects (plain check, option redis-check, option pgsql-check) fails, as after a failover writes go to a replica; no such backend, or nginx: skip",
        full: false,
        eval: Eval::Lb(role_checks),
    },
    Check {
        id: "lb.live_header",
        area: Area::Lb,
        tags: &[Tag::Doctor],
        doc: "opt-in (--lb-url URL --echo-path PATH): a unique session header and cookie sent through the balancer must come back in the backend's echo unchanged, else fail; with several upstream servers, every answer naming the same backend (X-Upstream-Addr and the like, or --lb-backend-header) warns (pinned), answers naming no backend pass saying pinning cannot be told",
        full: false,
        eval: Eval::Lb(live_header),
    },
    Check {
        id: "lb.error_log",
        area: Area::Lb,
        tags: &[Tag::Doctor],
        doc: "the nginx error logs' tails (every error_log the configuration names, a server block's own included, at most 8, relative paths under nginx's --prefix; within --since): JWT or signature failures and no live upstreams fail, upstream timeouts and refused connections warn; each count with its file and first line, redacted; none readable: skip (an unreadable one beside readable ones is named); HAProxy: skip, saying where its `log` lines send the logs (stdout/stderr: the container's log or the journal, not syslog; /dev/log or an address: syslog)",
        full: false,
        eval: Eval::Lb(error_log),
    },
];

/// The directives, or the skip that says why there are none; a configuration the balancer
/// refuses is judged by nothing but that refusal (it would not load).
fn directives(o: &LbObservation) -> Result<&[Directive], Verdict> {
    if let Some(ConfigTest::Rejected(m)) = &o.test {
        return Err(refused(o, m).with("see", "lb.config_valid"));
    }
    o.config
        .as_deref()
        .map_err(|e| Verdict::skip(format!("the configuration could not be read: {e}")))
}

/// The failure of a configuration the balancer refuses, in its own (escaped) words.
fn refused(o: &LbObservation, message: &str) -> Verdict {
    let (name, test) = match o.kind {
        LbKind::Nginx => ("nginx", format!("nginx -t -c {}", o.target)),
        LbKind::Haproxy => ("haproxy", format!("haproxy -c -f {}", o.target)),
    };
    Verdict::new(
        Status::Fail,
        format!(
            "{name} refuses {}: {}",
            o.target,
            crate::text::escape(message)
        ),
    )
    .fix(format!("Fix what {name} names (a reload or restart with this file fails, and the running balancer keeps its old configuration); verify with `{test}`"))
}

fn config_valid(o: &LbObservation, _: &Ctx) -> Verdict {
    match &o.test {
        None => Verdict::skip("no configuration read (--lb-config)"),
        Some(ConfigTest::Untested(why)) => Verdict::skip(crate::text::escape(why).into_owned()),
        Some(ConfigTest::Rejected(m)) => refused(o, m),
        Some(ConfigTest::Accepted) => Verdict::pass(match o.kind {
            LbKind::Nginx => format!("nginx -t accepts {}", o.target),
            LbKind::Haproxy => format!("haproxy -c accepts {}", o.target),
        }),
    }
}

use crate::observe::preflight::version_below;

fn version(o: &LbObservation, t: &Ctx) -> Verdict {
    let min = match o.kind {
        LbKind::Nginx => &t.lb.min_nginx,
        LbKind::Haproxy => &t.lb.min_haproxy,
    };
    let Some(v) = &o.version else {
        return Verdict::skip(format!(
            "the {} version could not be read (is the binary on PATH?)",
            o.kind.as_str()
        ));
    };
    let verdict = if version_below(v, min) {
        Verdict::new(
            Status::Fail,
            format!("{} {v} is below {min}", o.kind.as_str()),
        )
        .fix(match o.kind {
            LbKind::Nginx => "Install nginx 1.24 or later (nginx.org's packages, or Debian 13's nginx); verify with `nginx -v`",
            LbKind::Haproxy => "Install HAProxy 2.8 LTS or later (haproxy.debian.net for Debian 12); verify with `haproxy -v`",
        })
    } else {
        Verdict::pass(format!("{} {v}", o.kind.as_str()))
    };
    verdict.with("version", v).with("minimum", min)
}

/// `name` in the `on`/`off` form nginx's flag directives take, where set (the last one wins).
fn flag<'a>(d: &'a [Directive], name: &str) -> Option<&'a Directive> {
    d.iter().rev().find(|x| x.name == name)
}

fn session_header(o: &LbObservation, _: &Ctx) -> Verdict {
    let d = match directives(o) {
        Ok(d) => d,
        Err(v) => return v,
    };
    let h = &o.session_header;
    let mut problems: Vec<(String, String)> = Vec::new();
    match o.kind {
        LbKind::Nginx => {
            if h.contains('_') {
                let underscores = flag(d, "underscores_in_headers");
                let on = underscores.is_some_and(|x| x.args.first().is_some_and(|a| a == "on"));
                let ignore = flag(d, "ignore_invalid_headers");
                let dropped = ignore.is_none_or(|x| x.args.first().is_none_or(|a| a != "off"));
                if !on && dropped {
                    problems.push((
                        underscores.or(ignore).map_or("(default)".into(), Directive::at),
                        format!("nginx drops the header {h}: it contains '_' and underscores_in_headers is off (the default) while ignore_invalid_headers is on"),
                    ));
                }
            }
            let proxies = nginx::proxying(d);
            for x in d {
                let about_h = x.args.first().is_some_and(|a| a.eq_ignore_ascii_case(h));
                let judged = || nginx::judged_for_app(d, x, &proxies);
                if x.name == "proxy_set_header" && about_h {
                    let Some(place) = judged() else { continue };
                    let value = x.args.get(1).map_or("", String::as_str);
                    let passthrough = format!("$http_{}", h.to_ascii_lowercase().replace('-', "_"));
                    if value != passthrough {
                        problems.push((
                            x.at(),
                            if value.is_empty() {
                                format!("proxy_set_header {h} \"\" removes the header{place}")
                            } else {
                                format!("proxy_set_header {h} overwrites the header{place}")
                            },
                        ));
                    }
                }
                if x.name == "proxy_pass_request_headers"
                    && x.args.first().is_some_and(|a| a == "off")
                {
                    let Some(place) = judged() else { continue };
                    problems.push((
                        x.at(),
                        format!(
                            "proxy_pass_request_headers off sends no client header upstream{place}"
                        ),
                    ));
                }
            }
        }
        LbKind::Haproxy => {
            for x in d {
                let verb = x.args.first().map_or("", String::as_str);
                let target = x.args.get(1).is_some_and(|a| a.eq_ignore_ascii_case(h));
                if x.name == "http-request"
                    && target
                    && ["del-header", "set-header"].contains(&verb)
                {
                    problems.push((
                        x.at(),
                        format!(
                            "http-request {verb} {h} {} the header",
                            if verb == "del-header" {
                                "removes"
                            } else {
                                "overwrites"
                            }
                        ),
                    ));
                }
            }
        }
    }
    let v = match problems.first() {
        None => Verdict::pass(format!("nothing in the configuration drops or rewrites {h}")),
        Some((at, what)) => Verdict::new(Status::Fail, format!("{what} ({at})")).fix(match o.kind {
            LbKind::Nginx => "Pass the session header through unchanged: `underscores_in_headers on;` in the http or server block when its name has an underscore (or rename it with hyphens), and drop proxy_set_header lines that set it; verify with `nginx -T | grep -n -e underscores_in_headers -e proxy_set_header`",
            LbKind::Haproxy => "Remove the http-request del-header/set-header rule for the session header; verify with `haproxy -c -f /etc/haproxy/haproxy.cfg` and a request through the balancer",
        }),
    };
    problems.iter().fold(v.with("header", h), |v, (at, what)| {
        v.with(at.clone(), what)
    })
}

fn session_pinning(o: &LbObservation, _: &Ctx) -> Verdict {
    let d = match directives(o) {
        Ok(d) => d,
        Err(v) => return v,
    };
    let (found, counting): (Vec<&Directive>, Vec<&Directive>) = match o.kind {
        LbKind::Nginx => (
            d.iter()
                .filter(|x| {
                    let a0 = x.args.first().map_or("", String::as_str);
                    x.within("upstream")
                        && (x.name == "ip_hash"
                            || x.name == "sticky"
                            || (x.name == "hash"
                                && (a0.starts_with("$cookie_") || a0 == "$remote_addr")))
                })
                .collect(),
            Vec::new(),
        ),
        LbKind::Haproxy => haproxy_persistence(d),
    };
    // tables that only count requests: named on a pass, and beside a warning
    let counted = |v: Verdict| {
        counting.iter().fold(v, |v, x| {
            v.with(
                x.at(),
                format!(
                    "stick-table {}: counters only (rate limiting, not pinning)",
                    x.args.join(" ")
                ),
            )
        })
    };
    match found.first() {
        None => counted(Verdict::pass(match counting.first() {
            None => "no sticky sessions: any node may serve any request".to_string(),
            Some(x) => format!(
                "no sticky sessions: any node may serve any request (the stick-table in {} ({}) only counts requests: rate limiting, not pinning)",
                x.context.join(" "),
                x.at()
            ),
        })),
        Some(x) => counted(found.iter().fold(
            Verdict::new(
                Status::Warn,
                format!(
                    "sticky sessions: `{} {}` ({}) pins clients to one node, so state still lives there",
                    x.name,
                    x.args.join(" "),
                    x.at()
                ),
            )
            .fix("Keep session state in Redis and balance without affinity (round robin or least_conn); remove ip_hash/hash $cookie_…/sticky (nginx) or cookie … insert, stick on/match/store and balance source (HAProxy; stick-tables that only count requests for rate limiting can stay), then check that a failed node loses no sessions"),
            |v, x| v.with(x.at(), format!("{} {}", x.name, x.args.join(" "))),
        )),
    }
}

/// HAProxy's persistence, and the stick-tables that are not: in each backend (or listen) with
/// servers, a `cookie` that inserts, rewrites or prefixes, `balance source`, and the stick rules
/// (`stick on`, `stick match`, `stick store-request`, `stick store-response`), own or inherited,
/// each line once; then the stick-tables no stick rule uses (they only hold counters for
/// `track-sc*` rules, `http_req_rate`, `conn_rate`, `gpc0` …: rate limiting).
fn haproxy_persistence(d: &[Directive]) -> (Vec<&Directive>, Vec<&Directive>) {
    let mut found: Vec<&Directive> = Vec::new();
    // the tables stick rules read or write: `table NAME`, else the proxy's own
    let mut used: Vec<&str> = Vec::new();
    for p in haproxy_proxies(d)
        .iter()
        .filter(|p| p.kind != "frontend" && p.has_servers())
    {
        let arg =
            |x: &Directive, set: &[&str]| x.args.first().is_some_and(|a| set.contains(&a.as_str()));
        let cookie = p.last("cookie").filter(|x| {
            x.args
                .iter()
                .any(|a| a == "insert" || a == "rewrite" || a == "prefix")
        });
        let balance = p.last("balance").filter(|x| arg(x, &["source"]));
        let rules = p.lines.iter().copied().filter(|x| {
            x.name == "stick" && arg(x, &["on", "match", "store-request", "store-response"])
        });
        for x in cookie.into_iter().chain(balance).chain(rules) {
            if x.name == "stick" {
                let table = x.args.iter().position(|a| a == "table");
                used.push(
                    table
                        .and_then(|i| x.args.get(i + 1))
                        .map_or(p.name, String::as_str),
                );
            }
            if !found.iter().any(|f| std::ptr::eq(*f, x)) {
                found.push(x);
            }
        }
    }
    found.sort_by_key(|x| x.line);
    let counting = d
        .iter()
        .filter(|x| x.name == "stick-table")
        .filter(|x| {
            let owner = x.context.first().and_then(|c| c.split_whitespace().nth(1));
            !owner.is_some_and(|o| used.contains(&o))
        })
        .collect();
    (found, counting)
}

fn upstream_keepalive(o: &LbObservation, _: &Ctx) -> Verdict {
    let d = match directives(o) {
        Ok(d) => d,
        Err(v) => return v,
    };
    match o.kind {
        LbKind::Nginx => {
            let upstreams: Vec<&Directive> = d
                .iter()
                .filter(|x| x.is_upstream_server() && !x.within("stream"))
                .collect();
            let stream = nginx::stream_upstreams(d);
            if upstreams.is_empty() && !stream.is_empty() {
                return nginx::stream_keepalive_skip(&stream);
            }
            if upstreams.is_empty() {
                return Verdict::skip(
                    "no upstream block: proxy_pass goes straight to an address, without a pool",
                );
            }
            let keepalive = d
                .iter()
                .find(|x| x.name == "keepalive" && x.within("upstream") && !x.within("stream"));
            let http11 = d.iter().any(|x| {
                x.name == "proxy_http_version" && x.args.first().is_some_and(|a| a == "1.1")
            });
            let connection = nginx::connection_kept(d).err();
            let missing: Vec<&str> = [
                (keepalive.is_none(), "keepalive N in the upstream block"),
                (!http11, "proxy_http_version 1.1"),
            ]
            .into_iter()
            .filter_map(|(m, what)| m.then_some(what))
            .chain(connection.as_deref())
            .collect();
            let v = if missing.is_empty() {
                Verdict::pass(
                    "upstream connections are reused (keepalive, HTTP/1.1, no Connection: close)",
                )
            } else {
                Verdict::new(
                    Status::Warn,
                    format!("upstream connections are not reused: missing {} ({})", missing.join(", "), upstreams[0].at()),
                )
                .fix("In the upstream block add `keepalive 32;`, and where it is proxied `proxy_http_version 1.1;` and `proxy_set_header Connection \"\";` (for WebSockets, `proxy_set_header Connection $connection_upgrade;` with `map $http_upgrade $connection_upgrade { default upgrade; '' ''; }`: an empty value, not `close`, for requests without Upgrade), so each request does not pay a new TCP (and TLS) handshake to the backend")
            };
            if stream.is_empty() {
                v
            } else {
                v.with("stream upstreams (TCP, not judged here)", stream.join(", "))
            }
        }
        LbKind::Haproxy => haproxy_reuse(d),
    }
}

/// `option X (file:line, inherited from defaults)`.
fn cited(p: &HaproxyProxy, x: &Directive) -> String {
    let from = if p.inherits(x) {
        ", inherited from defaults"
    } else {
        ""
    };
    format!("{} {} ({}{from})", x.name, x.args.join(" "), x.at())
}

/// lb.upstream_keepalive for HAProxy, backend by backend (those with servers). A
/// connection-closing option (`option http-server-close`, `option httpclose`) that applies to
/// the backend or to a frontend that sends it requests closes the server connection after each
/// response (HAProxy honours either side: a backend's `no option http-server-close` does not
/// undo its frontend's); `http-reuse never` keeps each server connection to the client
/// connection that opened it (no pooling across clients).
fn haproxy_reuse(d: &[Directive]) -> Verdict {
    let proxies = haproxy_proxies(d);
    let pools: Vec<&HaproxyProxy> = proxies
        .iter()
        .filter(|p| p.kind != "frontend" && p.has_servers())
        .collect();
    if pools.is_empty() {
        return Verdict::skip("no backend with servers in the configuration");
    }
    // a tcp backend (Redis, PostgreSQL …) forwards bytes: HTTP connection reuse does not apply
    let (pools, tcp): (Vec<&HaproxyProxy>, Vec<&HaproxyProxy>) =
        pools.into_iter().partition(|p| p.mode() == "http");
    let not_http = |v: Verdict| {
        tcp.iter().fold(v, |v, p| {
            v.with(
                p.label(),
                format!("mode {}: HTTP connection reuse does not apply", p.mode()),
            )
        })
    };
    if pools.is_empty() {
        return not_http(Verdict::skip(format!(
            "not applicable: every backend with servers is in tcp mode ({}), where HAProxy forwards the connection as it is and there is no HTTP connection reuse to judge",
            tcp.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")
        )));
    }
    // (backend, why) for each backend whose server connections close or are never pooled
    let mut closed: Vec<(String, String)> = Vec::new();
    let mut unpooled: Vec<(String, String)> = Vec::new();
    for p in &pools {
        let own = p.closing_option();
        let mut why: Vec<String> = own.map(|x| cited(p, x)).into_iter().collect();
        for f in proxies
            .iter()
            .filter(|f| f.kind == "frontend" && f.routes().contains(&p.name))
        {
            // a line both inherit from one defaults section is named once
            if let Some(x) = f
                .closing_option()
                .filter(|x| !own.is_some_and(|o| std::ptr::eq(o, *x)))
            {
                why.push(format!("{} in {}", cited(f, x), f.label()));
            }
        }
        if !why.is_empty() {
            closed.push((p.label(), why.join("; ")));
        }
        if let Some(x) = p
            .last("http-reuse")
            .filter(|x| x.args.first().is_some_and(|a| a == "never"))
        {
            unpooled.push((p.label(), cited(p, x)));
        }
    }
    let more = |n: usize| match n {
        0 | 1 => String::new(),
        n => format!(" (and {} more backends)", n - 1),
    };
    let v = if let Some((label, why)) = closed.first() {
        Verdict::new(
            Status::Warn,
            format!(
                "server connections are not reused in {label}: {why} closes the server connection after each response, so every request opens a new one{}",
                more(closed.len())
            ),
        )
    } else if let Some((label, why)) = unpooled.first() {
        Verdict::new(
            Status::Warn,
            format!(
                "server connections are not pooled in {label}: {why}: an idle server connection is never given to another client connection, so each new client opens its own{}",
                more(unpooled.len())
            ),
        )
    } else {
        return not_http(Verdict::pass(format!(
            "server connections are kept alive and reused in {} (no http-server-close, httpclose or http-reuse never applies)",
            pools.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")
        )));
    };
    let v = not_http(v);
    closed
        .iter()
        .chain(&unpooled)
        .fold(v.fix("Remove `option http-server-close`/`option httpclose` from defaults, the frontends and the backends (a backend's `no option http-server-close` does not undo its frontend's), and `http-reuse never`: HAProxy's default, keep-alive with http-reuse safe, keeps server connections open and reuses idle ones; verify with `haproxy -c -f FILE`"), |v, (label, why)| v.with(label.clone(), why))
}

fn health_checks(o: &LbObservation, _: &Ctx) -> Verdict {
    let d = match directives(o) {
        Ok(d) => d,
        Err(v) => return v,
    };
    // nginx's passive checks follow its own defaults (doctor/lb/nginx.rs); HAProxy's need `check`
    if o.kind == LbKind::Nginx {
        return nginx::health_checks(d);
    }
    let unchecked: Vec<&Directive> = d
        .iter()
        .filter(|x| x.is_upstream_server())
        .filter(|x| !x.args.iter().any(|a| a == "check"))
        .collect();
    let servers = d.iter().filter(|x| x.is_upstream_server()).count();
    if servers == 0 {
        return Verdict::skip("no upstream servers in the configuration");
    }
    match unchecked.first() {
        None => Verdict::pass(format!("all {servers} upstream servers are health-checked")).with("servers", servers),
        Some(x) => unchecked.iter().fold(
            Verdict::new(
                Status::Warn,
                format!("{} of {servers} upstream servers have no health check, e.g. `server {}` ({})", unchecked.len(), x.args.join(" "), x.at()),
            )
            .fix("Add `check` to each server line (with `option httpchk GET /health` pointing at an endpoint that checks the state store's latency)"),
            |v, x| v.with(x.at(), format!("server {}", x.args.join(" "))),
        ),
    }
}

/// The state stores a tcp backend may front.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Store {
    Redis,
    Postgres,
}

impl Store {
    fn as_str(self) -> &'static str {
        match self {
            Store::Redis => "Redis",
            Store::Postgres => "PostgreSQL",
        }
    }
}

/// Patroni's REST endpoints that answer 200 only for one role (`/` is the primary's).
const PATRONI_ROLE_PATHS: &[&str] = &[
    "/",
    "/primary",
    "/master",
    "/leader",
    "/read-write",
    "/standby-leader",
    "/replica",
    "/read-only",
    "/sync",
    "/synchronous",
    "/async",
    "/asynchronous",
    "/quorum",
];

/// The server lines' ports (`10.0.0.1:5432` → `5432`).
fn server_ports<'a>(p: &HaproxyProxy<'a>) -> Vec<&'a str> {
    p.servers()
        .iter()
        .filter_map(|x| x.args.get(if x.name == "server-template" { 2 } else { 1 }))
        .filter_map(|a| a.rsplit_once(':').map(|(_, port)| port))
        .collect()
}

/// What a tcp backend fronts, told from its health check, its servers' ports and its name.
fn store_of(p: &HaproxyProxy) -> Option<Store> {
    let check = p
        .check_option()
        .and_then(|x| x.args.first())
        .map(String::as_str);
    let ports = server_ports(p);
    let name = p.name.to_ascii_lowercase();
    let asks = p.lines.iter().filter(|x| x.name == "tcp-check").any(|x| {
        x.args
            .iter()
            .any(|a| a.contains("PONG") || a.contains("role:"))
    });
    if check == Some("redis-check")
        || asks
        || ports.iter().any(|p| ["6379", "6380"].contains(p))
        || name.contains("redis")
    {
        Some(Store::Redis)
    } else if check == Some("pgsql-check")
        || ports.iter().any(|p| ["5432", "5433", "6432"].contains(p))
        || ["postgres", "pgsql", "patroni", "psql"]
            .iter()
            .any(|w| name.contains(w))
        || name.split(['_', '-', '.']).any(|w| w == "pg")
    {
        Some(Store::Postgres)
    } else {
        None
    }
}

/// `port N` on a server line or the last `default-server`: where checks go instead.
fn check_port<'a>(p: &HaproxyProxy<'a>, server: &'a Directive) -> Option<&'a str> {
    let port = |x: &'a Directive| {
        let i = x.args.iter().position(|a| a == "port")?;
        x.args.get(i + 1).map(String::as_str)
    };
    port(server).or_else(|| p.last("default-server").and_then(port))
}

/// Whether the backend's health check asks each server its role: Ok(what asks), or Err(why
/// not).
fn role_probe(p: &HaproxyProxy, store: Store) -> Result<String, String> {
    let servers = p.servers();
    let default_check = p
        .last("default-server")
        .is_some_and(|x| x.args.iter().any(|a| a == "check"));
    if let Some(x) = servers
        .iter()
        .find(|x| !default_check && !x.args.iter().any(|a| a == "check"))
    {
        return Err(format!(
            "`{} {}` ({}) is not health-checked at all",
            x.name,
            x.args.join(" "),
            x.at()
        ));
    }
    let option = p.check_option();
    let kind = option
        .and_then(|x| x.args.first())
        .map_or("", String::as_str);
    let plain = || match option {
        None => "its servers' `check` only opens a TCP connection".to_string(),
        Some(x) => format!(
            "{} only {}",
            cited(p, x),
            match kind {
                "redis-check" => "sends PING",
                "pgsql-check" => "logs in",
                _ => "checks that the server answers",
            }
        ),
    };
    match (store, kind) {
        (Store::Redis, "tcp-check") => p
            .lines
            .iter()
            .find(|x| {
                x.name == "tcp-check"
                    && x.args.iter().any(|a| {
                        a.contains("role:")
                            || a.contains("get-master-addr-by-name")
                            || a.eq_ignore_ascii_case("ROLE\\r\\n")
                    })
            })
            .map(|x| cited(p, x))
            .ok_or_else(|| {
                format!(
                    "{}, whose tcp-check rules never ask the role (`tcp-check send info\\ replication\\r\\n`, `tcp-check expect string role:master`)",
                    plain()
                )
            }),
        (Store::Postgres, "httpchk") => {
            let x = option.unwrap_or(servers[0]);
            let sent = p.last("http-check").filter(|h| h.args.first().is_some_and(|a| a == "send"));
            let uri = match sent {
                Some(h) => h.args.iter().position(|a| a == "uri").and_then(|i| h.args.get(i + 1)),
                None => match x.args.len() {
                    1 => None,
                    2 => x.args.get(1),
                    _ => x.args.get(2),
                },
            }
            .map_or("/", String::as_str);
            let path = uri.split('?').next().unwrap_or(uri);
            let port = servers.first().and_then(|s| check_port(p, s));
            match port {
                None => Err(format!(
                    "{} goes to PostgreSQL's own port, which does not speak HTTP (Patroni's REST API listens elsewhere: `check port 8008`)",
                    cited(p, x)
                )),
                Some(_) if !PATRONI_ROLE_PATHS.contains(&path) => Err(format!(
                    "{} asks {uri}, which answers 200 whatever the role",
                    cited(p, x)
                )),
                Some(port) => Ok(format!("{} ({uri} on port {port})", cited(p, x))),
            }
        }
        _ => Err(plain()),
    }
}

fn role_checks(o: &LbObservation, _: &Ctx) -> Verdict {
    let d = match directives(o) {
        Ok(d) => d,
        Err(v) => return v,
    };
    if o.kind == LbKind::Nginx {
        return Verdict::skip(
            "role checks are read from HAProxy configurations (nginx's stream upstreams are not)",
        );
    }
    let proxies = haproxy_proxies(d);
    let fronting: Vec<(&HaproxyProxy, Store)> = proxies
        .iter()
        .filter(|p| p.kind != "frontend" && p.has_servers() && p.mode() == "tcp")
        .filter_map(|p| store_of(p).map(|s| (p, s)))
        .collect();
    if fronting.is_empty() {
        return Verdict::skip("no tcp backend in front of Redis or PostgreSQL");
    }
    // with one server there is no role to choose between
    let several = |p: &HaproxyProxy| {
        let s = p.servers();
        s.len() > 1 || s.iter().any(|x| x.name == "server-template")
    };
    let judged: Vec<(&HaproxyProxy, Store, Result<String, String>)> = fronting
        .iter()
        .filter(|(p, _)| several(p))
        .map(|(p, s)| (*p, *s, role_probe(p, *s)))
        .collect();
    if judged.is_empty() {
        return Verdict::skip(format!(
            "one server behind each of {}: no role to choose between",
            fronting
                .iter()
                .map(|(p, _)| p.label())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let blind: Vec<&(&HaproxyProxy, Store, Result<String, String>)> =
        judged.iter().filter(|(_, _, r)| r.is_err()).collect();
    let v = match blind.first() {
        None => Verdict::pass(format!(
            "every tcp backend in front of Redis or PostgreSQL asks its servers their role: {}",
            judged
                .iter()
                .map(|(p, _, _)| p.label())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some((p, store, why)) => {
            let why = why.as_ref().err().map_or("", String::as_str);
            let stores: Vec<Store> = blind.iter().map(|(_, s, _)| *s).collect();
            Verdict::new(
                Status::Fail,
                format!(
                    "{} balances {} over {} servers without asking their role: {why}; after a failover HAProxy still sends writes to a node that is now a replica{}",
                    p.label(),
                    store.as_str(),
                    p.servers().len(),
                    match blind.len() {
                        1 => String::new(),
                        2 => " (and 1 more backend)".to_string(),
                        n => format!(" (and {} more backends)", n - 1),
                    }
                ),
            )
            .fix(match (stores.contains(&Store::Redis), stores.contains(&Store::Postgres)) {
                (true, true) => "Redis: `option tcp-check`, `tcp-check send info\\ replication\\r\\n`, `tcp-check expect string role:master` (and `balance first`); PostgreSQL with Patroni: `option httpchk GET /primary`, `http-check expect status 200` and `check port 8008` on each server; verify with `haproxy -c -f FILE` and the stats page (only the primary UP)",
                (true, false) => "Ask each Redis server its role: `option tcp-check`, `tcp-check connect`, `tcp-check send info\\ replication\\r\\n`, `tcp-check expect string role:master` (and `balance first`); verify with `haproxy -c -f FILE` and the stats page (only the master UP)",
                _ => "Ask Patroni's REST API which node is the primary: `option httpchk GET /primary`, `http-check expect status 200`, and `check port 8008` on each server (a read-only pool: GET /replica); verify with `haproxy -c -f FILE` and the stats page (only the primary UP)",
            })
        }
    };
    judged.iter().fold(v, |v, (p, store, r)| {
        v.with(
            p.label(),
            match r {
                Ok(what) => format!("{}: {what}", store.as_str()),
                Err(why) => format!("{}: does not ask the role: {why}", store.as_str()),
            },
        )
    })
}

/// Where an HAProxy `log` target sends lines: `stdout`/`stderr` (also `fd@1`, `fd@2`) to the
/// process's own output, a ring buffer, else a syslog server (a UNIX socket such as /dev/log,
/// or an address such as 127.0.0.1:514).
fn log_sink(target: &str) -> &'static str {
    match target {
        "stdout" | "fd@1" => "stdout",
        "stderr" | "fd@2" => "stderr",
        t if t.starts_with("ring@") => "a ring buffer",
        _ => "syslog",
    }
}

/// lb.error_log for HAProxy: its logs are not read here, but where they go is said, from the
/// `log` lines of the global section and of the proxies (`log global` points at the former).
fn haproxy_logs(o: &LbObservation) -> Verdict {
    let d = match directives(o) {
        Ok(d) => d,
        Err(v) => return v,
    };
    let logs: Vec<&Directive> = d
        .iter()
        .filter(|x| x.name == "log")
        .filter(|x| x.args.first().is_some_and(|a| a != "global"))
        .collect();
    if logs.is_empty() {
        return Verdict::skip(
            "HAProxy's configuration names no log target (no `log` line): it logs nothing to read",
        );
    }
    let said: Vec<String> = logs
        .iter()
        .map(|x| {
            let target = x.args.first().map_or("", String::as_str);
            let line = format!("{} {}, {}", x.name, x.args.join(" "), x.at());
            match log_sink(target) {
                "syslog" => format!("to syslog at {target} ({line})"),
                sink => format!("to {sink} ({line})"),
            }
        })
        .collect();
    let own_output = logs.iter().any(|x| {
        matches!(
            log_sink(x.args.first().map_or("", String::as_str)),
            "stdout" | "stderr"
        )
    });
    let whereto = if own_output {
        ": stdout and stderr go to the container's log or the journal (docker logs, journalctl -u haproxy), not to a syslog daemon"
    } else {
        ""
    };
    logs.iter().fold(
        Verdict::skip(format!(
            "HAProxy logs {}{whereto}; not read here",
            said.join(" and ")
        )),
        |v, x| v.with(x.at(), format!("{} {}", x.name, x.args.join(" "))),
    )
}

fn error_log(o: &LbObservation, _: &Ctx) -> Verdict {
    let Some(main) = &o.error_log else {
        return match o.kind {
            LbKind::Haproxy => haproxy_logs(o),
            LbKind::Nginx => Verdict::skip("no error log read"),
        };
    };
    let all: Vec<&ErrorLogScan> = std::iter::once(main).chain(&o.site_error_logs).collect();
    let (read, unread): (Vec<&ErrorLogScan>, Vec<&ErrorLogScan>) =
        all.iter().partition(|s| s.error.is_none());
    let named = |s: &ErrorLogScan| match &s.named_at {
        Some(at) => format!("{} ({at})", s.path),
        None => s.path.clone(),
    };
    let with_unread = |v: Verdict| {
        unread.iter().fold(v, |v, s| {
            v.with(
                "not read",
                format!(
                    "{}{}",
                    crate::text::escape(s.error.as_deref().unwrap_or("")),
                    s.named_at
                        .as_ref()
                        .map_or(String::new(), |a| format!(" ({a})"))
                ),
            )
        })
    };
    if read.is_empty() {
        let why: Vec<String> = unread
            .iter()
            .map(|s| crate::text::escape(s.error.as_deref().unwrap_or("")).into_owned())
            .collect();
        return Verdict::skip(format!(
            "the error log could not be read: {}",
            why.join("; ")
        ));
    }
    // per signature: the total, and the files that hold it
    let count = |sig: &str| -> (u64, String) {
        let mut total = 0;
        let mut files = Vec::new();
        for s in &read {
            let n = s
                .counts
                .iter()
                .find(|c| c.signature == sig)
                .map_or(0, |c| c.count);
            if n > 0 {
                total += n;
                files.push(s.path.as_str());
            }
        }
        (total, files.join(", "))
    };
    let window = humantime::format_duration(std::time::Duration::from_secs(main.since_s));
    let ((jwt, jwt_in), (dead, dead_in)) = (count("jwt_failures"), count("no_live_upstreams"));
    let ((timeouts, t_in), (refused, r_in)) =
        (count("upstream_timed_out"), count("connection_refused"));
    let paths = read
        .iter()
        .map(|s| s.path.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let v = if jwt > 0 {
        Verdict::new(Status::Fail, format!("{jwt} JWT/signature failures in {jwt_in} in the last {window}"))
            .fix("Token Signature Invalid: synchronize the public keys across nodes (jwt.key_drift), check the signing key is published (jwt.key_match) and the nodes' clocks")
    } else if dead > 0 {
        Verdict::new(Status::Fail, format!("{dead} 'no live upstreams' in {dead_in} in the last {window}: every backend was marked down"))
            .fix("Start or fix the backends (systemctl status …), and check the health checks (lb.health_checks) are not too eager")
    } else if timeouts + refused > 0 {
        let within = if t_in == r_in || t_in.is_empty() {
            r_in
        } else if r_in.is_empty() {
            t_in
        } else {
            format!("{r_in} and {t_in}")
        };
        Verdict::new(
            Status::Warn,
            format!("{refused} refused connections and {timeouts} upstream timeouts in {within} in the last {window}"),
        )
        .fix("Connection refused: start the daemonized backend (systemctl start …); timed out: look at the backend's latency and its state store (http.latency, redis.latency)")
    } else {
        Verdict::pass(format!(
            "no JWT, upstream or connection errors in {paths} in the last {window}"
        ))
    };
    let v = read.iter().fold(v, |v, s| {
        let v = v.with("path", named(s));
        s.counts.iter().fold(v, |v, c| {
            v.with(
                c.signature.clone(),
                format!(
                    "{} in {} (first: {})",
                    c.count,
                    s.path,
                    crate::text::escape(&c.first)
                ),
            )
        })
    });
    with_unread(v)
}

fn live_header(o: &LbObservation, _: &Ctx) -> Verdict {
    let Some(l) = &o.live else {
        return Verdict::skip("opt-in: give --lb-url URL and --echo-path PATH (a backend path that echoes request headers)");
    };
    if l.answers.is_empty() {
        return Verdict::new(
            Status::Error,
            format!(
                "no answer from {}: {}",
                l.url,
                l.error.as_deref().unwrap_or("nothing sent")
            ),
        );
    }
    let n = l.answers.len();
    let header = l.answers.iter().filter(|a| a.header_arrived).count();
    let cookie = l.answers.iter().filter(|a| a.cookie_arrived).count();
    let h = &o.session_header;
    let v = if header < n || cookie < n {
        Verdict::new(
            Status::Fail,
            format!(
                "through {}: the session header {h} arrived in {header} of {n} echoes and the cookie {} in {cookie}: the balancer drops or rewrites them",
                l.url, l.cookie
            ),
        )
        .fix(format!("Pass the session header and cookie through unchanged (see lb.session_header for the directive); verify with `curl -H '{h}: test' {}`", l.url))
    } else {
        let arrived = format!(
            "the session header {h} and cookie {} arrived unchanged in all {n} echoes",
            l.cookie
        );
        pinning(o, l, arrived)
    };
    let v = v
        .with("requests", n)
        .with("header_arrived", header)
        .with("cookie_arrived", cookie);
    let backends = live_backends(l);
    if backends.is_empty() {
        v
    } else {
        v.with(
            "backends",
            backends
                .iter()
                .map(|b| crate::text::escape(b))
                .collect::<Vec<_>>()
                .join(", "),
        )
    }
}

/// The backends the answers named, sorted, each once.
fn live_backends(l: &crate::observe::lb::LiveHeader) -> std::collections::BTreeSet<&str> {
    l.answers
        .iter()
        .filter_map(|a| a.backend.as_ref().map(|b| b.name.as_str()))
        .collect()
}

/// lb.live_header once the header and cookie arrived: whether the balancer pins this client,
/// told only from which backend answered each request. Alike echoes say nothing (identical
/// backends echo alike), so without a backend's name in the answers it cannot tell.
fn pinning(o: &LbObservation, l: &crate::observe::lb::LiveHeader, arrived: String) -> Verdict {
    let n = l.answers.len();
    let backends = live_backends(l);
    let named = l.answers.iter().filter(|a| a.backend.is_some()).count();
    // a configuration not read leaves the pool's size unknown
    let servers = o
        .config
        .as_deref()
        .ok()
        .map(|d| d.iter().filter(|x| x.is_upstream_server()).count());
    let from = l
        .answers
        .iter()
        .find_map(|a| a.backend.as_ref())
        .map_or(String::new(), |b| crate::text::escape(&b.from).into_owned());
    let list = || {
        backends
            .iter()
            .map(|b| crate::text::escape(b))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cannot_tell = |why: String| {
        Verdict::pass(format!("{arrived}; cannot tell whether the balancer pins this client: {why}"))
            .fix("To let lb.live_header see which backend answered, have each answer name it: nginx, in the location that proxies, `add_header X-Upstream-Addr $upstream_addr always;`; HAProxy, in the backend, `http-response set-header X-Upstream-Addr %s` (or give --lb-backend-header NAME for a header or echo-body field the backends already set)")
    };
    match (backends.len(), servers) {
        (0, Some(0 | 1)) => Verdict::pass(format!(
            "{arrived} (one upstream server: nothing to pin)"
        )),
        (0, _) => cannot_tell(format!(
            "no answer named its backend (looked for {})",
            l.markers.join(", ")
        )),
        (2.., _) => Verdict::pass(format!(
            "{arrived}, answered by {} backends ({from}): {}",
            backends.len(),
            list()
        )),
        _ if named < n => cannot_tell(format!(
            "{named} of {n} answers named their backend ({from}), all {}; the others did not say",
            list()
        )),
        (_, Some(s)) if s > 1 => Verdict::new(
            Status::Warn,
            format!(
                "all {n} requests were answered by {} ({from}) although {s} upstream servers are configured: the balancer pins this client",
                list()
            ),
        )
        .fix("Balance without affinity (see lb.session_pinning) so any node serves any request; if the other servers are down, start them (lb.error_log, lb.health_checks)"),
        (_, Some(_)) => Verdict::pass(format!(
            "{arrived}, all answered by {} ({from}), the one upstream server",
            list()
        )),
        (_, None) => cannot_tell(format!(
            "all {n} answers came from {} ({from}), and without the configuration (--lb-config) whether there are other servers is unknown",
            list()
        )),
    }
}

/// The lb area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    if let Some(o) = &obs.lb {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Lb(f) = c.eval {
                let v = match &o.read {
                    Some(r) => f(o, t).with("configuration read", crate::text::escape(r)),
                    None => f(o, t),
                };
                out.push(crate::model::Finding::new(c.id, &o.target, v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::lb::{parse_haproxy, parse_nginx};

    fn nginx(conf: &str, header: &str) -> LbObservation {
        LbObservation {
            target: "nginx.conf".into(),
            kind: LbKind::Nginx,
            version: Some("1.24.0".into()),
            config: parse_nginx(conf, "nginx.conf"),
            session_header: header.into(),
            session_cookie: None,
            live: None,
            error_log: None,
            site_error_logs: Vec::new(),
            test: Some(ConfigTest::Accepted),
            read: None,
        }
    }

    fn haproxy(conf: &str, header: &str) -> LbObservation {
        LbObservation {
            kind: LbKind::Haproxy,
            version: Some("2.8.5".into()),
            config: Ok(parse_haproxy(conf, "haproxy.cfg")),
            ..nginx("", header)
        }
    }

    fn run(f: fn(&LbObservation, &Ctx) -> Verdict, o: &LbObservation) -> Verdict {
        f(o, &Ctx::of(&Thresholds::default()))
    }

    const GOOD: &str = "http { underscores_in_headers on;\nupstream api { keepalive 16; server 127.0.0.1:81 max_fails=3; server 127.0.0.1:82 max_fails=3; }\nserver { location / { proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_pass http://api; } } }";

    #[test]
    fn a_good_nginx_config_passes_everything() {
        let o = nginx(GOOD, "X_Session_Id");
        for f in [
            session_header,
            session_pinning,
            upstream_keepalive,
            health_checks,
            version,
        ] {
            assert_eq!(run(f, &o).status, Status::Pass, "{:?}", run(f, &o));
        }
    }

    #[test]
    fn nginx_drops_underscored_headers_by_default() {
        let o = nginx(
            &GOOD.replace("underscores_in_headers on;", ""),
            "X_Session_Id",
        );
        let v = run(session_header, &o);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("(default)"), "{}", v.summary);
        // with hyphens there is nothing to drop
        assert_eq!(
            run(
                session_header,
                &nginx(
                    &GOOD.replace("underscores_in_headers on;", ""),
                    "X-Session-Id"
                )
            )
            .status,
            Status::Pass
        );
        // ignore_invalid_headers off passes them on
        let off = GOOD.replace("underscores_in_headers on;", "ignore_invalid_headers off;");
        assert_eq!(
            run(session_header, &nginx(&off, "X_Session_Id")).status,
            Status::Pass
        );
        let cleared = GOOD.replace(
            "proxy_pass",
            "proxy_set_header X_Session_Id \"\"; proxy_pass",
        );
        let v = run(session_header, &nginx(&cleared, "X_Session_Id"));
        assert!(
            v.summary.contains("removes") && v.summary.contains("nginx.conf:3"),
            "{}",
            v.summary
        );
        let kept = GOOD.replace(
            "proxy_pass",
            "proxy_set_header X_Session_Id $http_x_session_id; proxy_pass",
        );
        assert_eq!(
            run(session_header, &nginx(&kept, "X_Session_Id")).status,
            Status::Pass
        );
    }

    #[test]
    fn pinning_keepalive_and_health_are_found_in_nginx() {
        let pinned = nginx(&GOOD.replace("keepalive 16;", "ip_hash;"), "Authorization");
        let v = run(session_pinning, &pinned);
        assert_eq!(v.status, Status::Warn);
        assert!(
            v.summary.contains("ip_hash") && v.summary.contains("nginx.conf:2"),
            "{}",
            v.summary
        );
        assert_eq!(run(upstream_keepalive, &pinned).status, Status::Warn);
        let cookie = nginx(
            &GOOD.replace("keepalive 16;", "hash $cookie_sid consistent;"),
            "Authorization",
        );
        assert_eq!(run(session_pinning, &cookie).status, Status::Warn);
        let unchecked = nginx(
            &GOOD.replace(" max_fails=3;", " max_fails=0;"),
            "Authorization",
        );
        let v = run(health_checks, &unchecked);
        assert_eq!(v.status, Status::Warn);
        assert!(v.summary.starts_with("2 of 2"), "{}", v.summary);
        let old = LbObservation {
            version: Some("1.22.1".into()),
            ..pinned
        };
        let v = run(version, &old);
        assert_eq!(
            (v.status, v.summary.as_str()),
            (Status::Fail, "nginx 1.22.1 is below 1.24")
        );
    }

    #[test]
    fn haproxy_rules_are_found_with_their_lines() {
        let cfg = "defaults\n  mode http\nbackend api\n  cookie SRV insert indirect nocache\n  http-request del-header X-Session-Id\n  server a 127.0.0.1:81 check\n  server b 127.0.0.1:82\n";
        let o = haproxy(cfg, "X-Session-Id");
        let v = run(session_header, &o);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("haproxy.cfg:5"), "{}", v.summary);
        assert_eq!(run(session_pinning, &o).status, Status::Warn);
        let v = run(health_checks, &o);
        assert!(
            v.status == Status::Warn && v.summary.contains("haproxy.cfg:7"),
            "{}",
            v.summary
        );
        assert_eq!(run(upstream_keepalive, &o).status, Status::Pass);
        let never = haproxy(&format!("{cfg}  http-reuse never\n"), "X-Session-Id");
        assert_eq!(run(upstream_keepalive, &never).status, Status::Warn);
        let old = LbObservation {
            version: Some("2.6.12".into()),
            ..o
        };
        assert_eq!(run(version, &old).status, Status::Fail);
        let unread = LbObservation {
            config: Err("permission denied".into()),
            ..old
        };
        assert_eq!(run(session_header, &unread).status, Status::Skip);
    }

    /// Issue 28 (10): the connection-closing options, through defaults, frontends and `from`.
    #[test]
    fn haproxy_server_close_is_no_reuse_wherever_it_applies() {
        let cfg = |defaults: &str, frontend: &str, backend: &str| {
            haproxy(
                &format!(
                    "defaults\n  mode http\n{defaults}frontend fe\n  bind :80\n{frontend}  default_backend api\nbackend api\n{backend}  server a 127.0.0.1:81 check\n"
                ),
                "X-Session-Id",
            )
        };
        let sc = "  option http-server-close\n";
        let no = "  no option http-server-close\n";
        let v = run(upstream_keepalive, &cfg(sc, "", ""));
        assert_eq!(v.status, Status::Warn, "{v:?}");
        assert!(
            v.summary.contains(
                "backend api: option http-server-close (haproxy.cfg:3, inherited from defaults)"
            ) && v.summary.contains("every request opens a new one"),
            "{}",
            v.summary
        );
        // the frontend still closes when only the backend undoes it
        let v = run(upstream_keepalive, &cfg(sc, "", no));
        assert!(
            v.status == Status::Warn && v.summary.contains("in frontend fe"),
            "{v:?}"
        );
        assert_eq!(
            run(upstream_keepalive, &cfg(sc, no, no)).status,
            Status::Pass
        );
        // keep-alive replaces it; httpclose closes too
        let ka = "  option http-keep-alive\n";
        assert_eq!(
            run(upstream_keepalive, &cfg(sc, ka, ka)).status,
            Status::Pass
        );
        let v = run(upstream_keepalive, &cfg("", "", "  option httpclose\n"));
        assert!(
            v.summary.contains("option httpclose (haproxy.cfg:7)"),
            "{v:?}"
        );
        // `no option` of another mode undoes nothing
        let other = "  no option httpclose\n";
        assert_eq!(
            run(upstream_keepalive, &cfg(sc, other, other)).status,
            Status::Warn
        );
        // a named defaults section is inherited only through `from`
        let named = haproxy(
            "defaults legacy\n  mode http\n  option httpclose\ndefaults\n  mode http\nbackend api from legacy\n  server a 127.0.0.1:81\nbackend web\n  server b 127.0.0.1:82\n",
            "X-Session-Id",
        );
        let v = run(upstream_keepalive, &named);
        assert!(
            v.status == Status::Warn
                && v.summary.contains("backend api:")
                && !v.evidence.iter().any(|e| e.key == "backend web"),
            "{v:?}"
        );
        // http-reuse never: no pooling, said as such
        let v = run(upstream_keepalive, &cfg("", "", "  http-reuse never\n"));
        assert!(
            v.status == Status::Warn && v.summary.contains("not pooled"),
            "{v:?}"
        );
    }

    /// Issue 28 (9): counting tables are rate limiting; only stick rules where servers are pin.
    #[test]
    fn haproxy_stick_tables_pin_only_through_stick_rules_with_servers() {
        let base = "defaults\n  mode http\nfrontend fe\n  bind :80\n  http-request track-sc0 src table st_src_global\n  default_backend api\nbackend st_src_global\n  stick-table type ip size 1m expire 10s store http_req_rate(10s)\n";
        let o = haproxy(
            &format!("{base}backend api\n  server a 127.0.0.1:81 check\n"),
            "X-Session-Id",
        );
        let v = run(session_pinning, &o);
        assert!(
            v.status == Status::Pass
                && v.summary
                    .contains("backend st_src_global (haproxy.cfg:8) only counts"),
            "{v:?}"
        );
        // a stick rule in a backend with servers, on another backend's table: pinned, and
        // that table is not a counting one
        let o = haproxy(
            &format!("{base}backend api\n  stick match src table st_src_global\n  server a 127.0.0.1:81 check\n"),
            "X-Session-Id",
        );
        let v = run(session_pinning, &o);
        assert!(
            v.status == Status::Warn
                && v.summary
                    .contains("`stick match src table st_src_global` (haproxy.cfg:10)")
                && !v.evidence.iter().any(|e| e.value.contains("rate limiting")),
            "{v:?}"
        );
        // a stick rule where there are no servers pins nothing
        let o = haproxy(
            &format!("{base}  stick on src\nbackend api\n  server a 127.0.0.1:81 check\n"),
            "X-Session-Id",
        );
        assert_eq!(run(session_pinning, &o).status, Status::Pass);
        // a cookie inserted from defaults pins each backend with servers, named once
        let o = haproxy(
            "defaults\n  mode http\n  cookie SRV insert indirect nocache\nbackend a\n  server a 127.0.0.1:81 cookie a\nbackend b\n  server b 127.0.0.1:82 cookie b\n",
            "X-Session-Id",
        );
        let v = run(session_pinning, &o);
        assert!(v.status == Status::Warn && v.evidence.len() == 1, "{v:?}");
    }

    /// Issue 28 (11): role checks in tcp mode, and no HTTP reuse verdict there.
    #[test]
    fn haproxy_tcp_backends_need_a_check_that_asks_the_role() {
        let pg = |check: &str, servers: &str| {
            haproxy(
                &format!("defaults\n  mode tcp\nlisten postgres\n  bind :5000\n{check}  server pg1 10.0.0.1:5432 {servers}\n  server pg2 10.0.0.2:5432 {servers}\n"),
                "X-Session-Id",
            )
        };
        let status = |o: &LbObservation| run(role_checks, o).status;
        let patroni = "  option httpchk\n  http-check expect status 200\n";
        // `option httpchk` alone sends OPTIONS /, Patroni's primary endpoint
        assert_eq!(status(&pg(patroni, "check port 8008")), Status::Pass);
        // HAProxy 2.2+ syntax, and the port on default-server
        let send = "  option httpchk\n  http-check send meth GET uri /read-write\n  default-server check port 8008\n";
        assert_eq!(status(&pg(send, "")), Status::Pass);
        // /health answers 200 on a replica too; no port sends HTTP to PostgreSQL
        let v = run(
            role_checks,
            &pg("  option httpchk GET /health\n", "check port 8008"),
        );
        assert!(
            v.status == Status::Fail && v.summary.contains("asks /health"),
            "{v:?}"
        );
        let v = run(role_checks, &pg(patroni, "check"));
        assert!(
            v.status == Status::Fail && v.summary.contains("own port"),
            "{v:?}"
        );
        let v = run(
            role_checks,
            &pg("  option pgsql-check user haproxy\n", "check"),
        );
        assert!(
            v.status == Status::Fail && v.summary.contains("only logs in"),
            "{v:?}"
        );
        // a tcp-check that never asks the role
        let ping = haproxy(
            "defaults\n  mode tcp\nbackend cache\n  option tcp-check\n  tcp-check send PING\\r\\n\n  tcp-check expect string +PONG\n  server r1 10.0.0.1:6379 check\n  server r2 10.0.0.2:6379 check\n",
            "X-Session-Id",
        );
        let v = run(role_checks, &ping);
        assert!(
            v.status == Status::Fail && v.summary.contains("balances Redis"),
            "{v:?}"
        );
        // one server: nothing to choose; http backends and nginx: skip
        let one = haproxy(
            "defaults\n  mode tcp\nbackend redis\n  server r1 10.0.0.1:6379 check\n",
            "X-Session-Id",
        );
        assert_eq!(status(&one), Status::Skip);
        assert_eq!(run(upstream_keepalive, &one).status, Status::Skip);
        assert_eq!(status(&nginx(GOOD, "X-Session-Id")), Status::Skip);
        let web = haproxy(
            "defaults\n  mode http\nbackend api\n  server a 10.0.0.1:8080 check\n  server b 10.0.0.2:8080 check\n",
            "X-Session-Id",
        );
        assert_eq!(status(&web), Status::Skip);
    }

    /// Issue 28 (12): stdout/stderr are the container's log or the journal, not syslog.
    #[test]
    fn haproxy_log_lines_say_where_the_logs_go() {
        let logs = |global: &str| {
            run(
                error_log,
                &haproxy(
                    &format!("global\n{global}defaults\n  log global\n  mode http\n"),
                    "X-Session-Id",
                ),
            )
        };
        let v = logs("  log fd@1 local0\n  log 10.0.0.5:514 len 8192 local0\n");
        assert!(
            v.status == Status::Skip
                && v.summary
                    .contains("to stdout (log fd@1 local0, haproxy.cfg:2)")
                && v.summary.contains("and to syslog at 10.0.0.5:514")
                && v.summary.contains("not to a syslog daemon"),
            "{v:?}"
        );
        let v = logs("  log ring@buf0 local0\n");
        assert!(
            v.summary.contains("to a ring buffer") && !v.summary.contains("journal"),
            "{v:?}"
        );
        let v = logs("");
        assert!(v.summary.contains("names no log target"), "{v:?}");
    }

    // issue 28 #4: active health checks are health checks. Shapes: NGINX Plus's admin guide
    // ("HTTP Health Checks": health_check in the location that proxies, zone in the upstream),
    // the upstream check module's README (Tengine: check/check_http_send in the upstream) and
    // lua-resty-upstream-healthcheck's README (spawn_checker in init_worker_by_lua_block).
    #[test]
    fn active_health_checks_of_plus_tengine_and_openresty_are_health_checks() {
        let off = "  server 10.0.0.1:3000 max_fails=0;\n  server 10.0.0.2:3000 max_fails=0;";
        let plus = format!("http {{\n upstream backend {{\n zone backend 64k;\n{off}\n }}\n server {{ listen 80; location / {{ proxy_pass http://backend; health_check interval=5s fails=3 passes=2 uri=/health; }} }}\n}}\n");
        let tengine = format!("http {{\n upstream backend {{\n{off}\n  check interval=3000 rise=2 fall=5 timeout=1000 type=http;\n  check_http_send \"HEAD /health HTTP/1.0\\r\\n\\r\\n\";\n }}\n server {{ listen 80; location / {{ proxy_pass http://backend; }} }}\n}}\n");
        let openresty = format!("http {{\n lua_shared_dict healthcheck 1m;\n init_worker_by_lua_block {{\n  local hc = require \"resty.upstream.healthcheck\"\n  local ok, err = hc.spawn_checker{{\n   shm = \"healthcheck\", upstream = \"backend\", type = \"http\",\n   http_req = \"GET /status HTTP/1.0\\r\\nHost: backend\\r\\n\\r\\n\",\n   interval = 2000, timeout = 1000, fall = 3, rise = 2, valid_statuses = {{200, 302}},\n  }}\n  if not ok then ngx.log(ngx.ERR, \"failed to spawn health checker: \", err) return end\n }}\n upstream backend {{\n{off}\n }}\n server {{ listen 80; location / {{ proxy_pass http://backend; }} }}\n}}\n");
        for (name, conf, says) in [
            ("plus", plus, "health_check (nginx.conf:7, NGINX Plus)"),
            ("tengine", tengine, "upstream check module"),
            (
                "openresty",
                openresty,
                "spawn_checker (nginx.conf:3, OpenResty)",
            ),
        ] {
            let v = run(health_checks, &nginx(&conf, "X-Session-Id"));
            assert_eq!(v.status, Status::Pass, "{name}: {v:?}");
            assert!(
                v.summary.contains("backend with an active check"),
                "{name}: {}",
                v.summary
            );
            let ev = v
                .evidence
                .iter()
                .find(|e| e.key == "upstream backend: active check");
            assert!(ev.is_some_and(|e| e.value.contains(says)), "{name}: {v:?}");
        }
        // a checker for another upstream does not check this one; a Lua file is not read
        let other = format!("http {{\n init_worker_by_lua_block {{ hc.spawn_checker{{ upstream = 'static' }} }}\n init_worker_by_lua_file /etc/nginx/lua/hc.lua;\n upstream backend {{\n{off}\n }}\n server {{ listen 80; location / {{ proxy_pass http://backend; }} }}\n}}\n");
        let v = run(health_checks, &nginx(&other, "X-Session-Id"));
        assert_eq!(v.status, Status::Warn, "{v:?}");
        assert!(
            v.evidence
                .iter()
                .any(|e| e.value.contains("hc.lua: not read here")),
            "{v:?}"
        );
    }

    // issue 28 #7: nginx's passive checks are on by default (max_fails=1 fail_timeout=10s);
    // only max_fails=0 or fail_timeout=0 turn them off, and a one-server upstream ignores them.
    // Shape: nginx's own "Using nginx as HTTP load balancer" examples and Mastodon's upstream.
    #[test]
    fn nginx_passive_health_checks_follow_nginx_s_defaults() {
        let conf = |servers: &str| {
            format!("http {{\n upstream backend {{\n{servers}\n keepalive 32;\n }}\n server {{ listen 80; location / {{ proxy_pass http://backend; }} }}\n}}\n")
        };
        let defaults = nginx(
            &conf("  server 10.0.0.1:3000;\n  server 10.0.0.2:3000 weight=2;"),
            "X-Session-Id",
        );
        let v = run(health_checks, &defaults);
        assert_eq!(v.status, Status::Pass, "{v:?}");
        assert!(
            v.summary.contains("max_fails=1 fail_timeout=10s"),
            "{}",
            v.summary
        );
        for off in ["max_fails=0", "fail_timeout=0", "fail_timeout=0s"] {
            let o = nginx(
                &conf(&format!(
                    "  server 10.0.0.1:3000 {off};\n  server 10.0.0.2:3000;"
                )),
                "X-Session-Id",
            );
            let v = run(health_checks, &o);
            assert_eq!(v.status, Status::Warn, "{off}: {v:?}");
            assert!(
                v.summary.starts_with("1 of 2")
                    && v.summary.contains(off)
                    && v.summary.contains("nginx.conf:3"),
                "{}",
                v.summary
            );
            assert!(v.remediation.contains("max_fails=0"), "{}", v.remediation);
        }
        // one server: nginx never marks it down, whatever max_fails says
        let single = nginx(
            &conf("  server 127.0.0.1:3000 max_fails=0;"),
            "X-Session-Id",
        );
        let v = run(health_checks, &single);
        assert_eq!(v.status, Status::Skip, "{v:?}");
        assert!(v.summary.contains("one server"), "{}", v.summary);
    }

    // issue 28 #6: `proxy_set_header Connection $connection_upgrade` keeps upstream keepalive
    // when the map gives "" to requests without Upgrade, and breaks it when it gives `close`.
    // Shape: the WebSocket map of nginx's docs (nginx.org/en/docs/http/websocket.html) as
    // Nextcloud, GitLab and Mastodon reverse proxies ship it.
    #[test]
    fn a_connection_header_from_a_map_is_judged_by_the_map_s_value() {
        let conf = |empty: &str| {
            format!(
                "http {{\nmap $http_upgrade $connection_upgrade {{\n    default upgrade;\n    '' {empty};\n}}\nupstream backend {{\n    server 127.0.0.1:3000 fail_timeout=0;\n    keepalive 32;\n}}\nserver {{\n    listen 443 ssl http2;\n    location / {{\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n        proxy_pass http://backend;\n    }}\n}}\n}}\n"
            )
        };
        let v = run(upstream_keepalive, &nginx(&conf("''"), "X-Session-Id"));
        assert_eq!(v.status, Status::Pass, "{v:?}");
        let v = run(upstream_keepalive, &nginx(&conf("close"), "X-Session-Id"));
        assert_eq!(v.status, Status::Warn, "{v:?}");
        assert!(
            v.summary.contains("$connection_upgrade")
                && v.summary.contains("close")
                && v.summary.contains("nginx.conf:4"),
            "{}",
            v.summary
        );
        // no '' key: requests without Upgrade get the default
        let no_empty = conf("''").replace("    '' '';\n", "");
        assert_eq!(
            run(upstream_keepalive, &nginx(&no_empty, "X")).status,
            Status::Pass
        );
        let default_close = no_empty.replace("default upgrade", "default close");
        assert_eq!(
            run(upstream_keepalive, &nginx(&default_close, "X")).status,
            Status::Warn
        );
        let closed = conf("''").replace(
            "$connection_upgrade;\n        proxy_pass",
            "close;\n        proxy_pass",
        );
        assert_eq!(
            run(upstream_keepalive, &nginx(&closed, "X")).status,
            Status::Warn
        );
    }

    // issue 28 #5: stream {} upstreams (TCP in front of Redis or PostgreSQL) were judged by HTTP
    // rules that do not exist in stream context. Shape: nginx's TCP load balancing guide
    // (docs.nginx.com "TCP and UDP Load Balancing") with Redis and PostgreSQL pools.
    #[test]
    fn stream_upstreams_are_not_judged_by_http_rules() {
        let stream = "stream {\n    upstream redis {\n        server 10.0.0.11:6379 max_fails=2 fail_timeout=5s;\n        server 10.0.0.12:6379 max_fails=2 fail_timeout=5s;\n    }\n    upstream postgres {\n        server 10.0.0.21:5432;\n        server 10.0.0.22:5432 backup;\n    }\n    server {\n        listen 6380;\n        proxy_connect_timeout 1s;\n        proxy_pass redis;\n    }\n    server {\n        listen 5433;\n        proxy_pass postgres;\n    }\n}\n";
        let v = run(upstream_keepalive, &nginx(stream, "X-Session-Id"));
        assert_eq!(v.status, Status::Skip, "{v:?}");
        assert!(
            v.summary.contains("stream")
                && v.summary.contains("redis")
                && v.summary.contains("postgres"),
            "{}",
            v.summary
        );
        // beside an HTTP pool, only the HTTP pool is judged, and cited
        let both = format!("{stream}{}", GOOD.replace("keepalive 16;", ""));
        let v = run(upstream_keepalive, &nginx(&both, "X-Session-Id"));
        assert_eq!(v.status, Status::Warn, "{v:?}");
        assert!(
            v.summary.contains("nginx.conf:21") && !v.summary.contains("nginx.conf:3)"),
            "{}",
            v.summary
        );
        assert_eq!(
            run(upstream_keepalive, &nginx(&format!("{stream}{GOOD}"), "X")).status,
            Status::Pass
        );
    }

    // issue 28 #3: lb.session_header judged every proxy_set_header in the file, also in locations
    // that proxy elsewhere: an auth_request subrequest to the identity provider's introspection
    // endpoint (the shape of nginx's auth_request / OAuth2 introspection examples) and an avatar
    // proxy to a third party (as Mastodon- and GitLab-style configs proxy Gravatar).
    #[test]
    fn only_locations_that_proxy_to_the_application_are_judged() {
        let conf = "http {\nupstream app {\n    server 10.0.0.1:8080;\n    server 10.0.0.2:8080;\n    keepalive 16;\n}\nserver {\n    listen 443 ssl;\n    location / {\n        auth_request /_introspect;\n        proxy_http_version 1.1;\n        proxy_set_header Connection \"\";\n        proxy_pass http://app;\n    }\n    location = /_introspect {\n        internal;\n        proxy_pass_request_headers off;\n        proxy_set_header X-Session-Id \"\";\n        proxy_set_header Authorization \"Basic Y2xpZW50OnNlY3JldA==\";\n        proxy_pass https://idp.example.com/realms/main/protocol/openid-connect/token/introspect;\n    }\n    location /avatar/ {\n        proxy_set_header X-Session-Id \"\";\n        proxy_set_header Cookie \"\";\n        proxy_pass https://secure.gravatar.com/avatar/;\n    }\n}\n}\n";
        let v = run(session_header, &nginx(conf, "X-Session-Id"));
        assert_eq!(v.status, Status::Pass, "{v:?}");
        // the same line where the application is proxied fails, naming the location
        let app = conf.replace(
            "        auth_request /_introspect;\n",
            "        auth_request /_introspect;\n        proxy_set_header X-Session-Id \"\";\n",
        );
        let v = run(session_header, &nginx(&app, "X-Session-Id"));
        assert_eq!(v.status, Status::Fail, "{v:?}");
        assert!(
            v.summary.contains("nginx.conf:11") && v.summary.contains("location /"),
            "{}",
            v.summary
        );
        // set in the server block, it reaches the application's location unless that location
        // sets headers of its own (nginx inherits proxy_set_header only into blocks with none)
        let server = conf.replace(
            "    listen 443 ssl;\n",
            "    listen 443 ssl;\n    proxy_set_header X-Session-Id $cookie_sid;\n",
        );
        let v = run(session_header, &nginx(&server, "X-Session-Id"));
        assert_eq!(v.status, Status::Pass, "{v:?}");
        let inherited = server.replace("        proxy_set_header Connection \"\";\n", "");
        let v = run(session_header, &nginx(&inherited, "X-Session-Id"));
        assert!(
            v.status == Status::Fail && v.summary.contains("nginx.conf:9"),
            "{v:?}"
        );
    }

    /// Two answers through GOOD's two servers, naming `backends` (None: no marker).
    fn live(backends: [Option<&str>; 2]) -> LbObservation {
        use crate::observe::lb::{BackendMark, LiveAnswer, LiveHeader};
        LbObservation {
            live: Some(LiveHeader {
                url: "http://lb/echo".into(),
                cookie: "sid".into(),
                answers: backends
                    .iter()
                    .map(|b| LiveAnswer {
                        status: 200,
                        header_arrived: true,
                        cookie_arrived: true,
                        backend: b.map(|b| BackendMark {
                            from: "header X-Upstream-Addr".into(),
                            name: b.into(),
                        }),
                    })
                    .collect(),
                error: None,
                markers: vec!["header X-Upstream-Addr".into()],
            }),
            ..nginx(GOOD, "X-Session-Id")
        }
    }

    #[test]
    fn pinning_is_told_from_the_backends_named_never_from_alike_answers() {
        let spread = run(
            live_header,
            &live([Some("10.0.0.1:80"), Some("10.0.0.2:80")]),
        );
        assert_eq!(spread.status, Status::Pass);
        assert!(spread.summary.contains("2 backends"), "{}", spread.summary);
        let pinned = run(live_header, &live([Some("10.0.0.1:80"); 2]));
        assert_eq!(pinned.status, Status::Warn);
        assert!(
            pinned
                .summary
                .contains("by 10.0.0.1:80 (header X-Upstream-Addr) although 2"),
            "{}",
            pinned.summary
        );
        // no marker, or one answer unmarked (it may have come from a server without the
        // header): cannot tell, and the remedy names the lines to add
        for o in [live([None, None]), live([Some("10.0.0.1:80"), None])] {
            let v = run(live_header, &o);
            assert_eq!(v.status, Status::Pass, "{v:?}");
            assert!(v.summary.contains("cannot tell"), "{}", v.summary);
            assert!(v.remediation.contains("$upstream_addr always;"), "{v:?}");
        }
        // one server configured: nothing to pin; the configuration unread: the pool is unknown
        let one = LbObservation {
            config: parse_nginx(&GOOD.replace("server 127.0.0.1:82 max_fails=3;", ""), "n"),
            ..live([Some("127.0.0.1:81"); 2])
        };
        assert_eq!(run(live_header, &one).status, Status::Pass);
        let unread = LbObservation {
            config: Err("no configuration read".into()),
            ..live([Some("127.0.0.1:81"); 2])
        };
        let v = run(live_header, &unread);
        assert!(
            v.status == Status::Pass && v.summary.contains("cannot tell"),
            "{v:?}"
        );
        // a server's text is escaped
        let v = run(live_header, &live([Some("a\x1b[31m"), Some("b")]));
        let shown: Vec<&str> = std::iter::once(v.summary.as_str())
            .chain(v.evidence.iter().map(|e| e.value.as_str()))
            .collect();
        assert!(shown.contains(&"a\\x1b[31m, b"), "{shown:?}");
        assert!(!shown.iter().any(|t| t.contains('\x1b')), "{shown:?}");
    }

    #[test]
    fn a_refused_configuration_fails_every_row_read_from_it() {
        let ok = nginx(GOOD, "X-Session-Id");
        assert_eq!(run(config_valid, &ok).status, Status::Pass);
        let refused = LbObservation {
            test: Some(ConfigTest::Rejected(
                "unknown directive \"frobnicate\" in nginx.conf:2\x1b[31m".into(),
            )),
            ..ok
        };
        for f in [
            config_valid,
            session_header,
            session_pinning,
            upstream_keepalive,
            health_checks,
        ] {
            let v = run(f, &refused);
            assert_eq!(v.status, Status::Fail, "{v:?}");
            assert!(
                v.summary
                    .contains("nginx refuses nginx.conf: unknown directive \"frobnicate\"")
                    && !v.summary.contains('\x1b'),
                "{}",
                v.summary
            );
        }
        let untested = LbObservation {
            test: Some(ConfigTest::Untested("nginx is not installed here".into())),
            ..refused
        };
        assert_eq!(run(config_valid, &untested).status, Status::Skip);
        assert_eq!(run(session_header, &untested).status, Status::Pass);
    }
}
