//! nginx's side of the `lb.*` checks: its upstream blocks, the locations that proxy to them,
//! and what nginx does by default there.

use crate::model::{Status, Verdict};
use crate::observe::lb::Directive;

/// An upstream block: its name and its `server` lines.
pub(super) struct Upstream<'a> {
    pub name: String,
    pub servers: Vec<&'a Directive>,
}

/// The upstream blocks, in order, each with its servers.
pub(super) fn upstreams(d: &[Directive]) -> Vec<Upstream<'_>> {
    let mut out: Vec<(Vec<String>, Upstream)> = Vec::new();
    for x in d.iter().filter(|x| x.is_upstream_server()) {
        let Some(i) = x.context.iter().rposition(|c| c.starts_with("upstream ")) else {
            continue;
        };
        let key = x.context[..=i].to_vec();
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, u)) => u.servers.push(x),
            None => out.push((
                key,
                Upstream {
                    name: x.context[i]["upstream ".len()..].trim().to_string(),
                    servers: vec![x],
                },
            )),
        }
    }
    out.into_iter().map(|(_, u)| u).collect()
}

/// The parameter of a `server` line that turns nginx's passive checks off (`max_fails=0`,
/// `fail_timeout=0`), if one does. Unset, they are max_fails=1 fail_timeout=10s.
fn passive_off(server: &Directive) -> Option<&str> {
    server.args.iter().map(String::as_str).find(|a| {
        let zero = |v: &str| v.trim_end_matches(['s', 'm', 'h', 'd']) == "0" || v == "0ms";
        a.strip_prefix("max_fails=").is_some_and(|v| v == "0")
            || a.strip_prefix("fail_timeout=").is_some_and(zero)
    })
}

/// The upstream a `proxy_pass` target names (`http://api/x` → `api`).
fn proxied_host(target: &str) -> &str {
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    rest.split(['/', ':']).next().unwrap_or("")
}

/// The quoted value of `key = "..."` in Lua text, each occurrence.
fn lua_values<'a>(lua: &'a str, key: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = lua;
    while let Some(i) = rest.find(key) {
        let after = rest[i + key.len()..].trim_start();
        rest = &rest[i + key.len()..];
        let Some(after) = after.strip_prefix('=') else {
            continue;
        };
        let after = after.trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = after[1..].find(q) {
            out.push(&after[1..1 + end]);
        }
    }
    out
}

/// The upstreams with an active health check, each with what checks it: NGINX Plus's
/// `health_check` in a block that proxies to the upstream, the upstream check module's `check`
/// in the upstream block (Tengine), or OpenResty's lua-resty-upstream-healthcheck
/// (`spawn_checker{ upstream = "NAME" }` in a Lua block). Also the `*_by_lua_file` lines whose
/// Lua is not read here (they may start a checker).
fn active_checks(d: &[Directive]) -> (Vec<(String, String)>, Vec<&Directive>) {
    let mut out = Vec::new();
    for x in d {
        match x.name.as_str() {
            "health_check" => {
                let target = d.iter().find(|p| {
                    p.name == "proxy_pass" && p.blocks == x.blocks && p.context == x.context
                });
                if let Some(p) = target {
                    let name = proxied_host(p.args.first().map_or("", String::as_str));
                    out.push((
                        name.to_string(),
                        format!("health_check ({}, NGINX Plus)", x.at()),
                    ));
                }
            }
            "check" if x.context.last().is_some_and(|c| c.starts_with("upstream ")) => {
                let name = x
                    .context
                    .last()
                    .map_or("", |c| c["upstream ".len()..].trim());
                out.push((
                    name.to_string(),
                    format!(
                        "check {} ({}, upstream check module)",
                        x.args.join(" "),
                        x.at()
                    ),
                ));
            }
            n if n.ends_with("_by_lua_block") => {
                let lua = x.args.first().map_or("", String::as_str);
                if lua.contains("spawn_checker") {
                    for name in lua_values(lua, "upstream") {
                        out.push((
                            name.to_string(),
                            format!(
                                "lua-resty-upstream-healthcheck spawn_checker ({}, OpenResty)",
                                x.at()
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    let unread = d
        .iter()
        .filter(|x| x.name == "init_worker_by_lua_file")
        .collect();
    (out, unread)
}

/// lb.health_checks for nginx: an upstream with an active check (NGINX Plus, the upstream check
/// module, OpenResty's checker) is checked; otherwise passive checks are on unless a server turns
/// them off; an upstream of one server ignores them (nginx never marks its only server down).
pub(super) fn health_checks(d: &[Directive]) -> Verdict {
    let (active, unread) = active_checks(d);
    let v = passive_checks(d, &active);
    let v = active.iter().fold(v, |v, (name, how)| {
        v.with(format!("upstream {name}: active check"), how)
    });
    unread.iter().fold(v, |v, x| {
        v.with(
            x.at(),
            format!(
                "init_worker_by_lua_file {}: not read here; it may start an active checker",
                x.args.join(" ")
            ),
        )
    })
}

fn passive_checks(d: &[Directive], active: &[(String, String)]) -> Verdict {
    let ups = upstreams(d);
    let servers: usize = ups.iter().map(|u| u.servers.len()).sum();
    if servers == 0 {
        return Verdict::skip("no upstream servers in the configuration");
    }
    let (pools, single): (Vec<&Upstream>, Vec<&Upstream>) =
        ups.iter().partition(|u| u.servers.len() > 1);
    let single_names = single
        .iter()
        .map(|u| u.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if pools.is_empty() {
        return Verdict::skip(format!(
            "every upstream has one server ({single_names}): nginx ignores max_fails and fail_timeout there and never marks its only server down, so there is no other server to fail over to"
        ));
    }
    let judged: usize = pools.iter().map(|u| u.servers.len()).sum();
    let checked = |u: &&&Upstream| active.iter().any(|(n, _)| *n == u.name);
    let off: Vec<(&Directive, &str)> = pools
        .iter()
        .filter(|u| !checked(u))
        .flat_map(|u| u.servers.iter())
        .filter_map(|s| passive_off(s).map(|p| (*s, p)))
        .collect();
    let v = match off.first() {
        None if pools.iter().any(|u| checked(&u)) => {
            let names: Vec<&str> = pools
                .iter()
                .filter(|u| checked(u))
                .map(|u| u.name.as_str())
                .collect();
            let rest = if names.len() == pools.len() {
                ""
            } else {
                ", the others passively (nginx's default max_fails=1 fail_timeout=10s where unset)"
            };
            Verdict::pass(format!(
                "all {judged} servers of the {} upstream(s) with more than one server are health-checked: {} with an active check{rest}",
                pools.len(),
                names.join(", ")
            ))
        }
        None => Verdict::pass(format!(
            "all {judged} servers of the {} upstream(s) with more than one server have passive health checks (nginx's default max_fails=1 fail_timeout=10s where unset)",
            pools.len()
        )),
        Some((x, p)) => Verdict::new(
            Status::Warn,
            format!(
                "{} of {judged} upstream servers have passive health checks turned off ({p}), e.g. `server {}` ({}): nginx keeps sending requests to them when they fail",
                off.len(),
                x.args.join(" "),
                x.at()
            ),
        )
        .fix("Remove max_fails=0 and fail_timeout=0 from those server lines: nginx's default (max_fails=1 fail_timeout=10s) takes a server out for 10s after a failed request; raise max_fails only if single errors are expected. An active check (NGINX Plus `health_check` in the proxying location, OpenResty's lua-resty-upstream-healthcheck) also takes failed servers out. Have the backend's health endpoint check its state store's latency; verify with `nginx -T | grep -n -e max_fails -e fail_timeout`"),
    };
    let v = v.with("servers", judged);
    let v = if single.is_empty() {
        v
    } else {
        v.with(
            "one-server upstreams (passive checks ignored)",
            single_names,
        )
    };
    off.iter().fold(v, |v, (x, _)| {
        v.with(x.at(), format!("server {}", x.args.join(" ")))
    })
}

/// What a `proxy_set_header Connection VALUE` sends on a request without Upgrade: the value
/// itself, or for a variable set by a `map`, the map's value for an empty source (the `''`
/// entry, else `default`, else empty), with the map's line. None: a variable no map sets.
fn connection_value<'a>(
    d: &'a [Directive],
    value: &'a str,
) -> Option<(&'a str, Option<&'a Directive>)> {
    let Some(var) = value.strip_prefix('$') else {
        return Some((value, None));
    };
    let head = |c: &str| {
        let mut w = c.split_whitespace();
        w.next() == Some("map") && w.nth(1) == Some(value) && var.len() + 1 == value.len()
    };
    let entries: Vec<&Directive> = d
        .iter()
        .filter(|x| x.context.last().is_some_and(|c| head(c)))
        .collect();
    if entries.is_empty() {
        return None;
    }
    let entry = entries
        .iter()
        .rev()
        .find(|x| x.name.is_empty())
        .or_else(|| entries.iter().rev().find(|x| x.name == "default"));
    Some(match entry {
        Some(x) => (x.args.first().map_or("", String::as_str), Some(*x)),
        None => ("", None),
    })
}

/// lb.upstream_keepalive's `Connection` part for nginx: whether every `proxy_set_header
/// Connection` keeps the upstream connection open for ordinary requests (empty, keep-alive, or a
/// map giving one of those when there is no Upgrade header). Ok: it does; Err: what breaks it.
pub(super) fn connection_kept(d: &[Directive]) -> Result<(), String> {
    let set: Vec<&Directive> = d
        .iter()
        .filter(|x| {
            x.name == "proxy_set_header"
                && x.args
                    .first()
                    .is_some_and(|a| a.eq_ignore_ascii_case("Connection"))
        })
        .collect();
    if set.is_empty() {
        return Err(
            "proxy_set_header Connection \"\" (without it nginx sends Connection: close)".into(),
        );
    }
    for x in set {
        let value = x.args.get(1).map_or("", String::as_str);
        match connection_value(d, value) {
            None => {
                return Err(format!(
                    "a Connection header that keeps the connection: {} sets it from {value}, which no map defines ({})",
                    x.name,
                    x.at()
                ))
            }
            Some((v, map)) if v.to_ascii_lowercase().contains("close") => {
                let from = map.map_or(String::new(), |m| {
                    format!(", which the map at {} makes `{v}` for requests without Upgrade", m.at())
                });
                return Err(format!(
                    "a Connection header that keeps the connection: `proxy_set_header Connection {value}` ({}){from}",
                    x.at()
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The names of the upstream blocks in `stream {}` (TCP/UDP): keepalive, proxy_http_version and
/// proxy_set_header do not exist there.
pub(super) fn stream_upstreams(d: &[Directive]) -> Vec<String> {
    upstreams(d)
        .into_iter()
        .filter(|u| u.servers.first().is_some_and(|s| s.within("stream")))
        .map(|u| u.name)
        .collect()
}

/// lb.upstream_keepalive when the only upstreams are TCP ones: a skip that says why.
pub(super) fn stream_keepalive_skip(stream: &[String]) -> Verdict {
    Verdict::skip(format!(
        "the only upstreams are in stream {{}} (TCP: {}): nginx's stream proxy holds one upstream connection per client connection, and keepalive, proxy_http_version and proxy_set_header Connection do not exist there; the clients' own pools (Redis, PostgreSQL) decide the reuse",
        stream.join(", ")
    ))
}

/// A block that proxies (`proxy_pass` in it): its blocks, and whether the target is one of the
/// configuration's HTTP upstream blocks (None: it cannot be told, a variable or no upstream
/// block at all).
pub(super) struct Proxying<'a> {
    pub at: &'a Directive,
    pub to_app: Option<bool>,
}

impl Proxying<'_> {
    /// The innermost location (or the block) it is in, as the configuration writes it.
    pub fn location(&self) -> String {
        self.at
            .context
            .iter()
            .rev()
            .find(|c| c.starts_with("location"))
            .or(self.at.context.last())
            .cloned()
            .unwrap_or_default()
    }
}

/// Every `proxy_pass` in http context, with whether it goes to the application's upstreams.
pub(super) fn proxying(d: &[Directive]) -> Vec<Proxying<'_>> {
    let apps: Vec<String> = upstreams(d)
        .into_iter()
        .filter(|u| !u.servers.first().is_some_and(|s| s.within("stream")))
        .map(|u| u.name)
        .collect();
    d.iter()
        .filter(|x| x.name == "proxy_pass" && !x.within("stream"))
        .map(|x| {
            let host = proxied_host(x.args.first().map_or("", String::as_str));
            let to_app = if host.contains('$') || apps.is_empty() {
                None
            } else {
                Some(apps.iter().any(|a| a == host))
            };
            Proxying { at: x, to_app }
        })
        .collect()
}

/// Whether `x` (an array or flag directive of the proxy module) is what applies in the block of
/// `p`: it sits in that block or one around it, and no block between them sets `x.name` again
/// (nginx inherits such directives only into blocks that set none of their own).
pub(super) fn applies_in(d: &[Directive], x: &Directive, p: &Directive) -> bool {
    // the blocks' ordinals tell two blocks with the same head apart; a configuration recorded
    // without them (the file alone) falls back to the file and the heads
    let inside = |outer: &Directive, inner: &Directive| {
        let len = outer.context.len();
        inner.context.len() >= len
            && if outer.blocks.len() == len && inner.blocks.len() == inner.context.len() {
                inner.blocks[..len] == outer.blocks[..]
            } else {
                outer.file == inner.file && inner.context[..len] == outer.context[..]
            }
    };
    inside(x, p)
        && !d
            .iter()
            .any(|y| y.name == x.name && y.context.len() > x.context.len() && inside(y, p))
}

/// For lb.session_header: the directives to judge, each with the location it reaches. Those
/// that reach a location proxying to the application's upstreams; when whether a location does
/// cannot be told, those reaching it, named; when nothing proxies (the file read alone), all.
pub(super) fn judged_for_app<'a>(
    d: &'a [Directive],
    x: &'a Directive,
    proxies: &[Proxying<'a>],
) -> Option<String> {
    if proxies.is_empty() {
        return Some(String::new());
    }
    let reached: Vec<&Proxying> = proxies
        .iter()
        .filter(|p| p.to_app != Some(false) && applies_in(d, x, p.at))
        .collect();
    let p = reached.first()?;
    let target = p.at.args.first().map_or("", String::as_str);
    Some(match p.to_app {
        Some(_) => format!(", in {} → {target}", p.location()),
        None => format!(
            ", in {} → {target} (whether that is the application cannot be told)",
            p.location()
        ),
    })
}
