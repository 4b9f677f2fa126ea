//! Looks at this host when a local Redis or PostgreSQL refuses connections: which unit files
//! exist, what systemd says of the first, and whether the server listens elsewhere. Read below
//! the host root; systemctl is asked only on this host with systemd as PID 1.

use std::path::Path;

use super::kernel::HostRoot;
use crate::observe::service::{Elsewhere, ListenerRole, ServiceState, UnitState};

/// Where unit files live, the administrator's first.
const UNIT_DIRS: &[&str] = &[
    "etc/systemd/system",
    "lib/systemd/system",
    "usr/lib/systemd/system",
];

/// Which server refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// redis-server.
    Redis,
    /// PostgreSQL.
    Postgres,
}

fn unit_exists(root: &HostRoot, unit: &str) -> bool {
    // an instance (postgresql@15-main.service) exists when its template does
    let file = match unit.split_once('@') {
        Some((base, rest)) => format!(
            "{base}@.{}",
            rest.rsplit_once('.').map_or("service", |x| x.1)
        ),
        None => unit.to_string(),
    };
    UNIT_DIRS.iter().any(|d| {
        root.path(&format!("{d}/{unit}")).exists() || root.path(&format!("{d}/{file}")).exists()
    })
}

/// The units that would run this server, in preference order, that exist here.
fn units(root: &HostRoot, server: Server) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    match server {
        Server::Redis => {
            // Debian's instances: /etc/redis/redis-NAME.conf runs as redis-server@NAME, and
            // Valkey's packages do the same under /etc/valkey
            for fork in ["redis", "valkey"] {
                wanted.push(format!("{fork}-server.service"));
                if let Ok(rd) = std::fs::read_dir(root.path(&format!("etc/{fork}"))) {
                    let mut names: Vec<String> = rd
                        .flatten()
                        .filter_map(|e| {
                            let n = e.file_name().to_str()?.to_string();
                            let prefix = format!("{fork}-");
                            Some(n.strip_prefix(&prefix)?.strip_suffix(".conf")?.to_string())
                        })
                        .collect();
                    names.sort();
                    wanted.extend(
                        names
                            .into_iter()
                            .map(|n| format!("{fork}-server@{n}.service")),
                    );
                }
                wanted.push(format!("{fork}.service"));
            }
        }
        Server::Postgres => {
            // Debian's clusters: /etc/postgresql/VERSION/NAME runs as postgresql@VERSION-NAME,
            // the newest version first
            let mut clusters: Vec<(u32, String)> = Vec::new();
            if let Ok(versions) = std::fs::read_dir(root.path("etc/postgresql")) {
                for v in versions.flatten() {
                    let Some(ver) = v.file_name().to_str().and_then(|s| s.parse::<u32>().ok())
                    else {
                        continue;
                    };
                    for c in std::fs::read_dir(v.path()).into_iter().flatten().flatten() {
                        if let Some(name) = c.file_name().to_str() {
                            clusters.push((ver, format!("postgresql@{ver}-{name}.service")));
                        }
                    }
                }
            }
            clusters.sort_by(|a, b| b.cmp(a));
            wanted.extend(clusters.into_iter().map(|(_, u)| u));
            wanted.push("postgresql.service".into());
        }
    }
    wanted
        .into_iter()
        .filter(|u| unit_exists(root, u))
        .collect()
}

/// Parses `systemctl show -p ActiveState,SubState,Result`.
pub fn parse_show(unit: &str, text: &str) -> Option<UnitState> {
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
            .map(str::to_string)
    };
    Some(UnitState {
        unit: unit.into(),
        active: get("ActiveState")?,
        sub: get("SubState")?,
        result: get("Result").unwrap_or_else(|| "success".into()),
    })
}

/// The server's processes listening anywhere (address:port), from /proc/net/tcp{,6} below the
/// root and the fd links of every process, each with what it is (cluster bus, sentinel …).
fn elsewhere(root: &HostRoot, server: Server) -> Vec<Elsewhere> {
    let mut socks = Vec::new();
    for f in ["proc/net/tcp", "proc/net/tcp6"] {
        if let Ok(t) = std::fs::read_to_string(root.path(f)) {
            socks.extend(crate::observe::preflight::listening_sockets(&t));
        }
    }
    if socks.is_empty() {
        return Vec::new();
    }
    let owners = super::kernel::socket_owners(root);
    let ours: Vec<(String, u16, u32, String)> = socks
        .into_iter()
        .filter_map(|(addr, port, inode)| {
            let pid = *owners.get(&inode)?;
            let comm = std::fs::read_to_string(root.path(&format!("proc/{pid}/comm"))).ok()?;
            let comm = comm.trim().to_string();
            let ours = match server {
                Server::Redis => crate::observe::redis::is_server_process(&comm),
                Server::Postgres => comm == "postgres" || comm == "postmaster",
            };
            ours.then_some((addr, port, pid, comm))
        })
        .collect();
    ours.iter()
        .map(|(addr, port, pid, comm)| {
            let role = match server {
                Server::Postgres => ListenerRole::Server,
                Server::Redis => {
                    // Redis writes its title (`redis-server *:7000 [cluster]`) over its argv
                    let title = std::fs::read(root.path(&format!("proc/{pid}/cmdline")))
                        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
                        .unwrap_or_default();
                    let ports: Vec<u16> =
                        ours.iter().filter(|o| o.2 == *pid).map(|o| o.1).collect();
                    ListenerRole::of_redis(comm, &title, *port, &ports)
                }
            };
            let addr = if addr.contains(':') {
                format!("[{addr}]:{port}")
            } else {
                format!("{addr}:{port}")
            };
            Elsewhere {
                process: comm.clone(),
                pid: *pid,
                addr,
                role,
            }
        })
        .collect()
}

/// The facts for each refused local target (`Some(port)`), looked at once for all of them:
/// 200 refused targets read /proc once, not 200 times.
pub async fn look_each(
    root: &HostRoot,
    server: Server,
    ports: Vec<Option<u16>>,
) -> Vec<Option<ServiceState>> {
    let Some(first) = ports.iter().flatten().next().copied() else {
        return ports.iter().map(|_| None).collect();
    };
    let root = root.clone();
    let Ok(once) = tokio::task::spawn_blocking(move || look(&root, server, first)).await else {
        return ports.iter().map(|_| None).collect();
    };
    ports
        .into_iter()
        .map(|p| {
            p.map(|port| ServiceState {
                port,
                ..once.clone()
            })
        })
        .collect()
}

/// The facts of a refused local target on `port`.
pub fn look(root: &HostRoot, server: Server, port: u16) -> ServiceState {
    let units = units(root, server);
    let systemd_absent = if !root.is_default() {
        Some("--host-root is given (that host's systemd is not asked from here)".to_string())
    } else if !Path::new("/run/systemd/system").is_dir() {
        Some(
            "systemd is not running here (no /run/systemd/system: PID 1 is something else)"
                .to_string(),
        )
    } else {
        None
    };
    let mut state = None;
    let mut absent = systemd_absent;
    if absent.is_none() {
        if let Some(u) = units.first() {
            match super::command(
                "systemctl",
                &["show", "-p", "ActiveState,SubState,Result", u],
            ) {
                Ok((out, _)) => state = parse_show(u, &out),
                Err(e) => absent = Some(format!("systemctl could not be asked ({e})")),
            }
        }
    }
    ServiceState {
        service: match server {
            Server::Redis => "redis-server".into(),
            Server::Postgres => "PostgreSQL".into(),
        },
        port,
        units,
        searched: UNIT_DIRS.iter().map(|d| format!("/{d}")).collect(),
        systemd_absent: absent,
        state,
        elsewhere: elsewhere(root, server),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systemctl_show_parses() {
        let s = parse_show(
            "redis-server.service",
            "ActiveState=failed\nSubState=failed\nResult=exit-code\n",
        )
        .unwrap();
        assert_eq!(
            (s.active.as_str(), s.sub.as_str(), s.result.as_str()),
            ("failed", "failed", "exit-code")
        );
        assert!(parse_show("x", "garbage").is_none());
    }

    #[test]
    fn units_are_found_below_the_root_with_debian_instances() {
        let d = tempfile::tempdir().unwrap();
        let w = |rel: &str| {
            let p = d.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        };
        w("lib/systemd/system/postgresql@.service");
        w("lib/systemd/system/postgresql.service");
        w("etc/postgresql/13/main/postgresql.conf");
        w("etc/postgresql/15/main/postgresql.conf");
        w("lib/systemd/system/redis-server@.service");
        w("etc/redis/redis-cache.conf");
        let root = HostRoot::new(Some(d.path()));
        assert_eq!(
            units(&root, Server::Postgres),
            [
                "postgresql@15-main.service",
                "postgresql@13-main.service",
                "postgresql.service"
            ]
        );
        assert_eq!(units(&root, Server::Redis), ["redis-server@cache.service"]);
        // Valkey's packages: valkey-server.service, and instances as Redis's
        w("lib/systemd/system/valkey-server.service");
        w("lib/systemd/system/valkey-server@.service");
        w("etc/valkey/valkey-sessions.conf");
        assert_eq!(
            units(&root, Server::Redis),
            [
                "redis-server@cache.service",
                "valkey-server.service",
                "valkey-server@sessions.service"
            ]
        );
        let s = look(&root, Server::Redis, 6379);
        assert!(s.systemd_absent.as_deref().unwrap().contains("--host-root"));
        assert!(s
            .remediation()
            .contains("redis-server@cache.service exists but --host-root"));
    }
}
