//! Checks of a fresh node's software: `preflight.openssl`.

use super::{Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::preflight::PreflightObservation;

/// The preflight checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "preflight.openssl",
        area: Area::Preflight,
        tags: &[Tag::Preflight, Tag::Doctor],
        doc: "OpenSSL below 3.0 fails (`openssl version`, and the libssl that redis-server and postgres link to); skip when neither can be read",
        full: false,
        eval: Eval::Preflight(openssl),
    },
    Check {
        id: "preflight.redis",
        area: Area::Preflight,
        tags: &[Tag::Preflight],
        doc: "redis-server (or valkey-server) --version below {redis.min_version} fails; not installed fails; --role naming other roles only: skip, installed or not",
        full: false,
        eval: Eval::Preflight(redis),
    },
    Check {
        id: "preflight.postgres",
        area: Area::Preflight,
        tags: &[Tag::Preflight],
        doc: "postgres --version (or pg_config) below {postgres.min_version_num} (server_version_num) fails; not installed fails; --role naming other roles only: skip, installed or not",
        full: false,
        eval: Eval::Preflight(postgres),
    },
    Check {
        id: "preflight.proxy",
        area: Area::Preflight,
        tags: &[Tag::Preflight],
        doc: "nginx below {lb.min_nginx} or HAProxy below {lb.min_haproxy} fails when installed; neither installed fails with --role lb, else skips; --role naming other roles only: skip",
        full: false,
        eval: Eval::Preflight(proxy),
    },
    Check {
        id: "preflight.ports",
        area: Area::Preflight,
        tags: &[Tag::Preflight],
        doc: "6379, 26379 or 5432 held by a process other than redis-server/redis-sentinel or postgres fails, naming it (from /proc/net/tcp and /proc/*/fd)",
        full: false,
        eval: Eval::Preflight(ports),
    },
    Check {
        id: "preflight.sysctl",
        area: Area::Preflight,
        tags: &[Tag::Preflight],
        doc: "vm.overcommit_memory is not 1 on a Redis node (--role redis, or redis-server installed without roles): warn (somaxconn and tcp_max_syn_backlog are kernel.somaxconn and kernel.syn_backlog, which preflight runs too)",
        full: false,
        eval: Eval::Preflight(sysctl),
    },
    Check {
        id: "preflight.hardware",
        area: Area::Preflight,
        tags: &[Tag::Preflight],
        doc: "memory below {preflight.min_memory_gib} GiB fails; rotational disks, uncorrected ECC errors (EDAC) or a default-route NIC below {preflight.min_nic_mbps} Mb/s warn; ECC unknown without EDAC",
        full: false,
        eval: Eval::Preflight(hardware),
    },
    Check {
        id: "preflight.privileges",
        area: Area::Preflight,
        tags: &[Tag::Preflight],
        doc: "not root and without CAP_NET_ADMIN, CAP_NET_RAW or CAP_SYS_ADMIN warns, naming the subcommands that will not work",
        full: false,
        eval: Eval::Preflight(privileges),
    },
];

/// Whether the node's roles require `role`: yes when none are given (judge what is expected of
/// a state node), else only when named.
fn wanted(p: &PreflightObservation, role: &str) -> bool {
    p.roles.is_empty() || p.roles.iter().any(|r| r == role)
}

/// A server version check: `found` is the banner or why there is none.
fn server_version(
    p: &PreflightObservation,
    role: &str,
    name: &str,
    found: &Result<String, String>,
    parse: fn(&str) -> Option<Vec<u64>>,
    min: &[u64],
    install: &str,
) -> Verdict {
    let min_text = min.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
    // a node checks what its roles need: another role's server, installed or not, is not judged
    if !wanted(p, role) {
        let what = match found {
            Ok(b) => parse(b).map_or_else(
                || format!("{name} is installed"),
                |v| {
                    let v = v.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
                    format!("{name} {v} is installed")
                },
            ),
            Err(e) => e.clone(),
        };
        return Verdict::skip(format!(
            "not a {role} node (--role {}): {what}, not judged",
            p.roles.join(",")
        ));
    }
    let banner = match found {
        Ok(b) => b,
        Err(e) => {
            return Verdict::new(Status::Fail, format!("{name} is not installed: {e}")).fix(install)
        }
    };
    let Some(v) = parse(banner) else {
        return Verdict::new(
            Status::Error,
            format!("no version in {name}'s banner {banner:?}"),
        );
    };
    let text = v.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
    if v.as_slice() < min {
        Verdict::new(Status::Fail, format!("{name} {text} is below {min_text}"))
            .fix(install)
            .with("version", text)
    } else {
        Verdict::pass(format!("{name} {text}")).with("version", text)
    }
}

fn dotted(s: &str) -> Vec<u64> {
    crate::observe::preflight::numbers(s).unwrap_or_default()
}

fn redis(p: &PreflightObservation, t: &Ctx) -> Verdict {
    // the probe asks valkey-server when there is no redis-server
    let valkey = p
        .redis_server
        .as_ref()
        .is_ok_and(|b| b.starts_with("Valkey"));
    server_version(
        p,
        "redis",
        if valkey { "valkey-server" } else { "redis-server" },
        &p.redis_server,
        crate::observe::preflight::redis_version,
        &dotted(&t.redis.min_version),
        "Install Redis 7 or later (Debian 12: apt install redis-server; packages.redis.io for newer); verify with `redis-server --version`",
    )
}

fn postgres(p: &PreflightObservation, t: &Ctx) -> Verdict {
    let num = t.postgres.min_version_num as u64;
    let min = if num >= 100_000 {
        vec![num / 10_000, num % 10_000]
    } else {
        vec![num / 10_000, (num / 100) % 100, num % 100]
    };
    server_version(
        p,
        "postgres",
        "PostgreSQL",
        &p.postgres,
        crate::observe::preflight::postgres_version,
        &min,
        "Install PostgreSQL 15 or later (Debian 12: apt install postgresql; apt.postgresql.org for newer); verify with `postgres --version`",
    )
}

fn proxy(p: &PreflightObservation, t: &Ctx) -> Verdict {
    let lb = p.roles.iter().any(|r| r == "lb");
    if !p.roles.is_empty() && !lb {
        // a state node may carry a distribution's nginx for something else: not its concern
        let found: Vec<String> = [("nginx", &p.nginx), ("HAProxy", &p.haproxy)]
            .into_iter()
            .filter_map(|(n, r)| {
                let b = r.as_ref().ok()?;
                Some(
                    crate::observe::lb::parse_version(b)
                        .map_or(n.to_string(), |v| format!("{n} {v}")),
                )
            })
            .collect();
        return Verdict::skip(format!(
            "not an lb node (--role {}){}: the balancer's version is lb's need",
            p.roles.join(","),
            if found.is_empty() {
                String::new()
            } else {
                format!("; {} installed, not judged", found.join(", "))
            }
        ));
    }
    let installed: Vec<(&str, &String, &String)> = [
        ("nginx", &p.nginx, &t.lb.min_nginx),
        ("HAProxy", &p.haproxy, &t.lb.min_haproxy),
    ]
    .into_iter()
    .filter_map(|(n, r, m)| r.as_ref().ok().map(|b| (n, b, m)))
    .collect();
    if installed.is_empty() {
        return if lb {
            Verdict::new(
                Status::Fail,
                "neither nginx nor HAProxy is installed on an lb node",
            )
            .fix("Install nginx 1.24+ (nginx.org packages) or HAProxy 2.8+ (haproxy.debian.net)")
        } else {
            Verdict::skip("neither nginx nor HAProxy is installed (give --role lb to require one)")
        };
    }
    let mut v = Verdict::pass("");
    let mut seen = Vec::new();
    for (name, banner, min) in installed {
        match crate::observe::lb::parse_version(banner) {
            Some(ver) if crate::observe::preflight::version_below(&ver, min) => {
                seen.push(format!("{name} {ver}"));
                v.escalate(
                    Status::Fail,
                    format!("{name} {ver} is below {min}"),
                    "Install nginx 1.24+ (nginx.org's packages) or HAProxy 2.8 LTS+ (haproxy.debian.net)",
                );
                v = v.with(name, ver);
            }
            Some(ver) => {
                seen.push(format!("{name} {ver}"));
                v = v.with(name, ver);
            }
            None => {
                v.escalate(Status::Error, format!("no version in {name}'s banner"), "");
            }
        }
    }
    if v.status == Status::Pass {
        v.summary = seen.join(", ");
    }
    v
}

fn ports(p: &PreflightObservation, _t: &Ctx) -> Verdict {
    let expected = |port: u16, proc: &str| match port {
        6379 | 26379 => {
            proc.starts_with("redis-server")
                || proc.starts_with("redis-sentinel")
                || proc.starts_with("valkey")
        }
        5432 => proc == "postgres" || proc.starts_with("postgres"),
        _ => false,
    };
    let mut v = Verdict::pass(if p.listeners.is_empty() {
        "6379, 26379 and 5432 are free".to_string()
    } else {
        "the state ports are held by the expected servers".to_string()
    });
    for l in &p.listeners {
        let who = l.process.as_deref().unwrap_or("?");
        v = v.with(
            l.port.to_string(),
            format!(
                "{who} (pid {})",
                l.pid.map_or("?".into(), |p| p.to_string())
            ),
        );
        match &l.process {
            Some(name) if expected(l.port, name) => {}
            Some(name) => v.escalate(
                Status::Fail,
                format!("port {} is held by {name} (pid {}), not the state server", l.port, l.pid.unwrap_or(0)),
                "Stop or move the process holding the port (ss -ltnp sport = :PORT), or run the state server on another port and say so in its config",
            ),
            None => v.escalate(
                Status::Warn,
                format!("port {} is in use by a process statectl cannot see (run as root to name it)", l.port),
                "Find it with `sudo ss -ltnp sport = :PORT`",
            ),
        }
    }
    v
}

fn sysctl(p: &PreflightObservation, _t: &Ctx) -> Verdict {
    let redis_node = if p.roles.is_empty() {
        p.redis_server.is_ok()
    } else {
        p.roles.iter().any(|r| r == "redis")
    };
    if !redis_node {
        return Verdict::skip("not a Redis node: vm.overcommit_memory is Redis's need");
    }
    match &p.overcommit_memory {
        Err(e) => Verdict::skip(format!("vm.overcommit_memory could not be read: {e}")),
        Ok(v) if v.trim() == "1" => Verdict::pass("vm.overcommit_memory = 1").with("vm.overcommit_memory", v),
        Ok(v) => Verdict::new(
            Status::Warn,
            format!("vm.overcommit_memory = {v} on a Redis node: BGSAVE and AOF rewrites can fail to fork under memory pressure"),
        )
        .fix("statectl tune kernel --apply (or sysctl -w vm.overcommit_memory=1 and a file in /etc/sysctl.d)")
        .with("vm.overcommit_memory", v),
    }
}

fn hardware(p: &PreflightObservation, t: &Ctx) -> Verdict {
    let (min_gib, min_mbps) = (t.preflight.min_memory_gib, t.preflight.min_nic_mbps);
    let h = &p.hardware;
    let Some(mem) = h.mem_total_kb else {
        return Verdict::skip("/proc/meminfo could not be read");
    };
    let gib = mem as f64 / 1048576.0;
    let mut v = Verdict::pass(format!("{gib:.1} GiB of memory"));
    if gib < min_gib {
        v.escalate(
            Status::Fail,
            format!("{gib:.1} GiB of memory: below {min_gib} GiB"),
            "Give the node at least 2 GB (Redis keeps the whole dataset in memory, plus fork copy-on-write headroom)",
        );
    }
    let rotational: Vec<&str> = h
        .disks
        .iter()
        .filter(|d| d.1)
        .map(|d| d.0.as_str())
        .collect();
    if !rotational.is_empty() {
        v.escalate(
            Status::Warn,
            format!(
                "rotational disks: {} (state wants SSD/NVMe for AOF and WAL fsyncs)",
                rotational.join(", ")
            ),
            "Put Redis's AOF/RDB and PostgreSQL's data and WAL on SSD or NVMe",
        );
    }
    if let Some(mcs) = &h.edac {
        let ue: u64 = mcs.iter().map(|m| m.2).sum();
        if ue > 0 {
            v.escalate(
                Status::Warn,
                format!("{ue} uncorrected memory errors reported by EDAC"),
                "Replace the failing DIMM (edac-util -v names it) before state lives here",
            );
        }
    }
    let slow: Vec<String> = h
        .nics
        .iter()
        .filter_map(|(i, s)| {
            s.filter(|s| *s < min_mbps)
                .map(|s| format!("{i} at {s} Mb/s"))
        })
        .collect();
    if !slow.is_empty() {
        v.escalate(
            Status::Warn,
            format!("default-route NIC below {min_mbps} Mb/s: {}", slow.join(", ")),
            "Use a 10 Gb/s or faster NIC for the state network (ethtool IFACE shows the negotiated speed)",
        );
    }
    let nvme: Vec<&str> = h
        .disks
        .iter()
        .filter(|d| d.0.starts_with("nvme"))
        .map(|d| d.0.as_str())
        .collect();
    v.with("memory_gib", format!("{gib:.1}"))
        .with(
            "disks",
            h.disks
                .iter()
                .map(|(n, r)| format!("{n}{}", if *r { " (rotational)" } else { "" }))
                .collect::<Vec<_>>()
                .join(", "),
        )
        .with(
            "nvme",
            if nvme.is_empty() {
                "none".to_string()
            } else {
                nvme.join(", ")
            },
        )
        .with(
            "ecc",
            match &h.edac {
                None => "unknown (no EDAC)".to_string(),
                Some(m) => format!(
                    "{} controller(s), {} corrected, {} uncorrected",
                    m.len(),
                    m.iter().map(|x| x.1).sum::<u64>(),
                    m.iter().map(|x| x.2).sum::<u64>()
                ),
            },
        )
        .with(
            "nics",
            h.nics
                .iter()
                .map(|(i, s)| {
                    format!(
                        "{i}: {}",
                        s.map_or("unknown".into(), |s| format!("{s} Mb/s"))
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        )
}

/// Capability bits (linux/capability.h).
const CAP_NET_ADMIN: u64 = 1 << 12;
const CAP_NET_RAW: u64 = 1 << 13;
const CAP_SYS_ADMIN: u64 = 1 << 21;

fn privileges(p: &PreflightObservation, _t: &Ctx) -> Verdict {
    let Some(euid) = p.euid else {
        return Verdict::skip("the user and capabilities could not be read");
    };
    if euid == 0 {
        return Verdict::pass("running as root: tune, capture and nic work");
    }
    let caps = p.cap_eff.unwrap_or(0);
    let missing: Vec<(&str, &str)> = [
        (
            CAP_NET_ADMIN,
            "CAP_NET_ADMIN",
            "tune kernel --apply (net.* sysctls), nic's ethtool settings",
        ),
        (CAP_NET_RAW, "CAP_NET_RAW", "capture (libpcap)"),
        (
            CAP_SYS_ADMIN,
            "CAP_SYS_ADMIN",
            "tune kernel --apply for vm.* and kernel.*, reading /dev/kmsg",
        ),
    ]
    .into_iter()
    .filter(|(bit, _, _)| caps & bit == 0)
    .map(|(_, name, what)| (name, what))
    .collect();
    if missing.is_empty() {
        return Verdict::pass(format!(
            "uid {euid} with CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN"
        ));
    }
    let v = Verdict::new(
        Status::Warn,
        format!(
            "uid {euid} without {}: these will not work: {}",
            missing.iter().map(|m| m.0).collect::<Vec<_>>().join(", "),
            missing.iter().map(|m| m.1).collect::<Vec<_>>().join("; ")
        ),
    )
    .fix("Run those as root (sudo), or grant the capabilities to the binary: sudo setcap cap_net_admin,cap_net_raw+ep $(command -v statectl)");
    v.with("euid", euid).with("cap_eff", format!("{caps:016x}"))
}

/// The major.minor of an `openssl version` line ("OpenSSL 3.0.15 3 Sep 2024") or a libssl
/// soname ("libssl.so.3", "libssl.so.1.1").
pub fn openssl_version(text: &str) -> Option<(u32, u32)> {
    let v = match text.strip_prefix("libssl.so.") {
        Some(rest) => rest,
        None => text.split_whitespace().nth(1)?,
    };
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts
        .next()
        .map(|m| m.trim_end_matches(|c: char| c.is_ascii_alphabetic()))
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    Some((major, minor))
}

/// `preflight.openssl`.
pub fn openssl(p: &PreflightObservation, _t: &Ctx) -> Verdict {
    let mut found: Vec<(String, String, (u32, u32))> = Vec::new();
    let mut why = Vec::new();
    match &p.openssl_cli {
        Ok(line) => match openssl_version(line) {
            Some(v) => found.push(("openssl version".into(), line.clone(), v)),
            None => why.push(format!("openssl version: {line:?} is not a version")),
        },
        Err(e) => why.push(e.clone()),
    }
    for l in &p.linked {
        match &l.libssl {
            Ok(so) => match openssl_version(so) {
                Some(v) => found.push((l.binary.clone(), so.clone(), v)),
                None => why.push(format!("{}: {so} has no version", l.binary)),
            },
            Err(e) => why.push(format!("{}: {e}", l.binary)),
        }
    }
    let Some(lowest) = found.iter().min_by_key(|f| f.2) else {
        return Verdict::skip(format!(
            "no OpenSSL found to judge: {}",
            if why.is_empty() {
                "no openssl and no state server binary".to_string()
            } else {
                why.join("; ")
            }
        ));
    };
    let mut v = Verdict::pass(format!(
        "OpenSSL {}.{} or newer everywhere it was found",
        lowest.2 .0, lowest.2 .1
    ));
    for (source, text, _) in &found {
        v = v.with(source, text);
    }
    for w in &why {
        v = v.with("not read", w);
    }
    if lowest.2 < (3, 0) {
        v.escalate(
            Status::Fail,
            format!(
                "{} uses OpenSSL {}.{} ({}): the brief requires OpenSSL 3 (TLS 1.3 and its ciphers, supported releases)",
                lowest.0, lowest.2 .0, lowest.2 .1, lowest.1
            ),
            "Upgrade to a release with OpenSSL 3 (Debian 12, Ubuntu 22.04 or later: apt install openssl libssl3) and rebuild or reinstall redis-server and PostgreSQL against it; verify with `openssl version` and `ldd $(command -v redis-server) | grep libssl`",
        );
    }
    v
}

/// The preflight area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    if let Some(p) = &obs.preflight {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Preflight(f) = c.eval {
                out.push(crate::model::Finding::new(
                    c.id,
                    super::HOST_TARGET,
                    f(p, t),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::preflight::LinkedSsl;

    #[test]
    fn versions_from_the_cli_line_and_sonames() {
        assert_eq!(openssl_version("OpenSSL 3.0.15 3 Sep 2024"), Some((3, 0)));
        assert_eq!(openssl_version("OpenSSL 1.1.1w  11 Sep 2023"), Some((1, 1)));
        assert_eq!(openssl_version("libssl.so.3"), Some((3, 0)));
        assert_eq!(openssl_version("libssl.so.1.1"), Some((1, 1)));
        assert_eq!(openssl_version("LibreSSL"), None);
    }

    #[test]
    fn the_oldest_openssl_found_decides() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut p = PreflightObservation {
            openssl_cli: Ok("OpenSSL 3.0.15 3 Sep 2024".into()),
            linked: vec![LinkedSsl {
                binary: "/usr/bin/redis-server".into(),
                libssl: Ok("libssl.so.3".into()),
            }],
            ..PreflightObservation::unknown("not probed".into())
        };
        assert_eq!(openssl(&p, &t).status, Status::Pass);
        p.linked[0].libssl = Ok("libssl.so.1.1".into());
        let v = openssl(&p, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("/usr/bin/redis-server"), "{}", v.summary);
        p.openssl_cli = Err("openssl: No such file or directory (os error 2)".into());
        p.linked.clear();
        let v = openssl(&p, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("No such file"), "{}", v.summary);
    }

    fn node() -> PreflightObservation {
        PreflightObservation {
            redis_server: Ok(
                "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1".into(),
            ),
            postgres: Ok("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)".into()),
            nginx: Ok("nginx version: nginx/1.24.0".into()),
            euid: Some(0),
            ..PreflightObservation::unknown("not installed".into())
        }
    }

    fn run(f: fn(&PreflightObservation, &Ctx) -> Verdict, p: &PreflightObservation) -> Verdict {
        f(p, &Ctx::of(&Thresholds::default()))
    }

    #[test]
    fn server_versions_and_roles() {
        let p = node();
        // a Valkey node: valkey-server 8's banner (the probe asks it when redis-server is absent)
        let valkey = PreflightObservation {
            redis_server: Ok(
                "Valkey server v=8.1.1 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1".into(),
            ),
            ..node()
        };
        let v = run(redis, &valkey);
        assert_eq!(v.status, Status::Pass, "{v:?}");
        assert!(v.summary.contains("valkey-server 8.1.1"), "{}", v.summary);
        for f in [redis, postgres, proxy, privileges, ports] {
            assert_eq!(run(f, &p).status, Status::Pass, "{:?}", run(f, &p));
        }
        let old = PreflightObservation {
            redis_server: Ok("Redis server v=6.2.14 sha=0 malloc=libc bits=64 build=1".into()),
            postgres: Ok("postgres (PostgreSQL) 13.14".into()),
            nginx: Ok("nginx version: nginx/1.22.1".into()),
            ..node()
        };
        assert_eq!(run(redis, &old).summary, "redis-server 6.2.14 is below 7.0");
        assert_eq!(
            run(postgres, &old).summary,
            "PostgreSQL 13.14 is below 15.0"
        );
        assert_eq!(run(proxy, &old).status, Status::Fail);
        // not installed: a failure on a state node, a skip where the role says otherwise
        let bare = PreflightObservation::unknown(
            "redis-server: No such file or directory (os error 2)".into(),
        );
        assert_eq!(run(redis, &bare).status, Status::Fail);
        let pg_node = PreflightObservation {
            roles: vec!["postgres".into()],
            ..bare.clone()
        };
        assert_eq!(run(redis, &pg_node).status, Status::Skip);
        assert_eq!(run(postgres, &pg_node).status, Status::Fail);
        assert_eq!(run(proxy, &bare).status, Status::Skip);
        let lb = PreflightObservation {
            roles: vec!["lb".into()],
            ..bare
        };
        assert_eq!(run(proxy, &lb).status, Status::Fail);
        // old servers of other roles are not judged
        let redis_node = PreflightObservation {
            roles: vec!["redis".into()],
            ..old.clone()
        };
        assert_eq!(run(redis, &redis_node).status, Status::Fail);
        for f in [postgres, proxy] {
            let v = run(f, &redis_node);
            assert_eq!(v.status, Status::Skip, "{}", v.summary);
        }
    }

    #[test]
    fn overcommit_on_redis_nodes_and_hardware() {
        let mut p = node();
        p.overcommit_memory = Ok("1".into());
        assert_eq!(run(sysctl, &p).status, Status::Pass);
        p.overcommit_memory = Ok("0".into());
        assert_eq!(run(sysctl, &p).status, Status::Warn);
        p.roles = vec!["postgres".into()];
        assert_eq!(run(sysctl, &p).status, Status::Skip);
        use crate::observe::preflight::Hardware;
        let h = |mem_gib: u64,
                 disks: Vec<(&str, bool)>,
                 nics: Vec<(&str, Option<u64>)>,
                 ue: Option<u64>| PreflightObservation {
            hardware: Hardware {
                mem_total_kb: Some(mem_gib * 1048576),
                disks: disks.into_iter().map(|(n, r)| (n.to_string(), r)).collect(),
                edac: ue.map(|u| vec![("mc0".to_string(), 3, u)]),
                nics: nics.into_iter().map(|(n, s)| (n.to_string(), s)).collect(),
            },
            ..node()
        };
        let good = h(
            16,
            vec![("nvme0n1", false)],
            vec![("eth0", Some(25_000))],
            Some(0),
        );
        let v = run(hardware, &good);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(v
            .evidence
            .iter()
            .any(|e| e.key == "nvme" && e.value == "nvme0n1"));
        assert_eq!(
            run(hardware, &h(1, vec![], vec![], None)).status,
            Status::Fail
        );
        assert_eq!(
            run(hardware, &h(16, vec![("sda", true)], vec![], None)).status,
            Status::Warn
        );
        let v = run(hardware, &h(16, vec![], vec![("eth0", Some(1000))], None));
        assert!(
            v.status == Status::Warn && v.summary.contains("eth0 at 1000 Mb/s"),
            "{}",
            v.summary
        );
        assert_eq!(
            run(hardware, &h(16, vec![], vec![("veth0", None)], Some(2))).status,
            Status::Warn
        );
        assert_eq!(
            run(hardware, &PreflightObservation::unknown("x".into())).status,
            Status::Skip
        );
    }

    #[test]
    fn ports_held_by_strangers_fail_and_privileges_name_what_breaks() {
        use crate::observe::preflight::Listener;
        let l = |port, process: Option<&str>| Listener {
            port,
            pid: Some(42),
            process: process.map(String::from),
        };
        let mut p = node();
        p.listeners = vec![l(6379, Some("redis-server")), l(5432, Some("postgres"))];
        assert_eq!(run(ports, &p).status, Status::Pass);
        p.listeners.push(l(26379, Some("python3")));
        let v = run(ports, &p);
        assert!(
            v.status == Status::Fail && v.summary.contains("python3 (pid 42)"),
            "{}",
            v.summary
        );
        p.listeners = vec![l(6379, None)];
        assert_eq!(run(ports, &p).status, Status::Warn);
        let user = PreflightObservation {
            euid: Some(1000),
            cap_eff: Some(CAP_NET_RAW),
            ..node()
        };
        let v = run(privileges, &user);
        assert!(
            v.status == Status::Warn
                && v.summary.contains("CAP_NET_ADMIN, CAP_SYS_ADMIN")
                && !v.summary.contains("capture"),
            "{}",
            v.summary
        );
        let capped = PreflightObservation {
            cap_eff: Some(CAP_NET_ADMIN | CAP_NET_RAW | CAP_SYS_ADMIN),
            ..user
        };
        assert_eq!(run(privileges, &capped).status, Status::Pass);
    }
}
