//! What is true on this host when a local Redis or PostgreSQL refuses connections: the unit
//! files that exist, systemd's view of the unit, and the server's process listening somewhere
//! else. The remediation names these facts; it never guesses. Pure: probe/service.rs looks.

use serde::{Deserialize, Serialize};

/// systemd's state of one unit (`systemctl show -p ActiveState,SubState,Result`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitState {
    /// The unit asked about, e.g. `redis-server.service`.
    pub unit: String,
    /// ActiveState: active, inactive, failed, activating …
    pub active: String,
    /// SubState: running, dead, failed, auto-restart …
    pub sub: String,
    /// Result: success, exit-code, signal, core-dump, timeout …
    pub result: String,
}

/// The server's process listening at another address or port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Elsewhere {
    /// /proc/PID/comm.
    pub process: String,
    /// Its pid.
    pub pid: u32,
    /// address:port it listens on.
    pub addr: String,
    /// What the listener is.
    #[serde(default)]
    pub role: ListenerRole,
}

/// What a listener of the server's process is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListenerRole {
    /// The server's own client port.
    #[default]
    Server,
    /// A Redis Cluster node's client port.
    ClusterNode,
    /// A Redis Sentinel.
    Sentinel,
    /// A Redis Cluster node's bus port: nodes talk there, no client can.
    ClusterBus,
}

impl ListenerRole {
    /// The role of `port`, one of `ports` that a Redis process listens on, from its name
    /// (/proc/PID/comm) and the title Redis writes over its argv (`redis-server *:7000
    /// [cluster]`, the default proc-title-template).
    pub fn of_redis(comm: &str, title: &str, port: u16, ports: &[u16]) -> ListenerRole {
        let words: Vec<&str> = title.split_whitespace().collect();
        if comm.starts_with("redis-sentinel")
            || comm.starts_with("valkey-sentinel")
            || words.contains(&"[sentinel]")
            || words.contains(&"--sentinel")
        {
            return ListenerRole::Sentinel;
        }
        // the client port the title names; the bus is that + 10000 unless cluster-port moved it
        let titled = words
            .iter()
            .filter_map(|w| w.rsplit_once(':')?.1.parse::<u16>().ok())
            .find(|p| ports.contains(p));
        let cluster = words.contains(&"[cluster]");
        let bus = match titled {
            Some(t) if cluster => port != t,
            _ => port >= 10000 && ports.contains(&(port - 10000)),
        };
        match (bus, cluster) {
            (true, _) => ListenerRole::ClusterBus,
            (false, true) => ListenerRole::ClusterNode,
            (false, false) if ports.contains(&port.saturating_add(10000)) => {
                ListenerRole::ClusterNode
            }
            _ => ListenerRole::Server,
        }
    }

    fn label(self) -> &'static str {
        match self {
            ListenerRole::Server => "",
            ListenerRole::ClusterNode => " (cluster node)",
            ListenerRole::Sentinel => " (sentinel)",
            ListenerRole::ClusterBus => " (cluster bus)",
        }
    }
}

/// One process listening on one port, at each of its addresses: a place a client that was
/// refused may have meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    /// /proc/PID/comm.
    pub process: String,
    /// Its pid.
    pub pid: u32,
    /// The port.
    pub port: u16,
    /// Every address:port it listens on at that port (IPv4 and IPv6 alike).
    pub addrs: Vec<String>,
    /// What it is.
    pub role: ListenerRole,
}

impl std::fmt::Display for Alternative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} pid {} on {}{}",
            self.process,
            self.pid,
            self.addrs.join(", "),
            self.role.label()
        )
    }
}

/// At most this many alternatives are named; the rest are counted.
pub const MAX_ALTERNATIVES: usize = 5;

fn port_of(addr: &str) -> Option<u16> {
    addr.rsplit_once(':')?.1.parse().ok()
}

/// The service facts of one refused local target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceState {
    /// The server's name: `redis-server`, `PostgreSQL`.
    pub service: String,
    /// The port that refused.
    pub port: u16,
    /// Units that exist (instances resolved: `postgresql@15-main.service`), first preferred.
    pub units: Vec<String>,
    /// Where unit files were looked for.
    pub searched: Vec<String>,
    /// Why systemd could not be asked (not PID 1 here, or systemctl failed); None when it was.
    pub systemd_absent: Option<String>,
    /// The first unit's state, when systemd was asked.
    pub state: Option<UnitState>,
    /// The server listening elsewhere.
    pub elsewhere: Vec<Elsewhere>,
}

impl ServiceState {
    /// Every listener a client could have meant, most plausible first: the same port at
    /// another address, then the data servers, nearest port first, then sentinels; never a cluster bus
    /// port. One per process and port, its addresses together.
    pub fn alternatives(&self) -> Vec<Alternative> {
        let mut out: Vec<Alternative> = Vec::new();
        for e in self
            .elsewhere
            .iter()
            .filter(|e| e.role != ListenerRole::ClusterBus)
        {
            let Some(port) = port_of(&e.addr) else {
                continue;
            };
            match out.iter_mut().find(|a| a.pid == e.pid && a.port == port) {
                Some(a) => a.addrs.push(e.addr.clone()),
                None => out.push(Alternative {
                    process: e.process.clone(),
                    pid: e.pid,
                    port,
                    addrs: vec![e.addr.clone()],
                    role: e.role,
                }),
            }
        }
        // a near port is the likelier slip (7001 for 7000)
        out.sort_by_key(|a| {
            (
                a.port != self.port,
                a.role == ListenerRole::Sentinel,
                a.port.abs_diff(self.port),
                a.pid,
            )
        });
        out
    }

    /// The remediation these facts call for, most specific first.
    pub fn remediation(&self) -> String {
        // the server listening elsewhere is the answer only when it is unambiguous: on this
        // port at another address, or the one data server process there is (not a sentinel)
        let all = self.alternatives();
        let data: Vec<&Alternative> = all
            .iter()
            .filter(|a| a.role != ListenerRole::Sentinel)
            .collect();
        let same_port = data.iter().find(|a| a.port == self.port);
        let one = data
            .iter()
            .all(|a| Some(a.pid) == data.first().map(|f| f.pid));
        if let Some(a) = same_port.or(data.first().filter(|_| one)) {
            return format!(
                "{} (pid {}) is listening on {}, not {}: point the client there, or fix `port`/`bind` and restart it",
                a.process,
                a.pid,
                a.addrs.join(", "),
                self.port
            );
        }
        let Some(unit) = self.units.first() else {
            return format!(
                "No {} unit file in {} and no {} process listening: install it (apt install {}) or start it by hand",
                self.service,
                self.searched.join(", "),
                self.service,
                if self.service == "PostgreSQL" { "postgresql" } else { "redis-server" }
            );
        };
        let name = unit.trim_end_matches(".service");
        if let Some(why) = &self.systemd_absent {
            return format!(
                "{unit} exists but {why}, so systemctl cannot start it: start {} by hand (its unit's ExecStart), or run this on the host",
                self.service
            );
        }
        match &self.state {
            Some(s) if s.active == "failed" || s.result != "success" => format!(
                "{unit} is {} ({}, result {}): see why with `journalctl -u {name} -n 50`, then `systemctl start {name}`",
                s.active, s.sub, s.result
            ),
            Some(s) if s.active == "active" => format!(
                "{unit} is active ({}) yet nothing listens on port {}: its configuration binds another address or port; check `ss -ltnp` and the unit's config",
                s.sub, self.port
            ),
            Some(s) => format!(
                "{unit} is {} ({}): `systemctl start {name}` (and `systemctl enable {name}` to start it at boot)",
                s.active, s.sub
            ),
            None => format!("`systemctl start {name}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ServiceState {
        ServiceState {
            service: "redis-server".into(),
            port: 6379,
            units: vec!["redis-server.service".into()],
            searched: vec!["/etc/systemd/system".into(), "/lib/systemd/system".into()],
            systemd_absent: None,
            state: Some(UnitState {
                unit: "redis-server.service".into(),
                active: "inactive".into(),
                sub: "dead".into(),
                result: "success".into(),
            }),
            elsewhere: Vec::new(),
        }
    }

    fn listener(process: &str, pid: u32, addr: &str, role: ListenerRole) -> Elsewhere {
        Elsewhere {
            process: process.into(),
            pid,
            addr: addr.into(),
            role,
        }
    }

    #[test]
    fn each_fact_gives_its_own_remediation() {
        assert!(base()
            .remediation()
            .contains("`systemctl start redis-server`"));
        let mut s = base();
        s.state.as_mut().unwrap().active = "failed".into();
        s.state.as_mut().unwrap().result = "exit-code".into();
        assert!(s.remediation().contains("journalctl -u redis-server"));
        let mut s = base();
        s.systemd_absent = Some("systemd is not running here".into());
        let r = s.remediation();
        assert!(
            r.contains("systemd is not running here") && !r.contains("systemctl start"),
            "{r}"
        );
        let mut s = base();
        s.elsewhere.push(listener(
            "redis-server",
            42,
            "127.0.0.1:6380",
            ListenerRole::Server,
        ));
        assert!(s
            .remediation()
            .contains("redis-server (pid 42) is listening on 127.0.0.1:6380, not 6379"));
        // two servers on other ports: which one was meant is not known, so neither is named
        let mut s = base();
        s.elsewhere.push(listener(
            "redis-server",
            42,
            "127.0.0.1:6380",
            ListenerRole::Server,
        ));
        s.elsewhere.push(listener(
            "redis-server",
            43,
            "127.0.0.1:6381",
            ListenerRole::Server,
        ));
        assert!(
            s.remediation().contains("`systemctl start redis-server`"),
            "{}",
            s.remediation()
        );
        s.elsewhere.push(listener(
            "redis-server",
            44,
            "10.0.0.5:6379",
            ListenerRole::Server,
        ));
        assert!(s
            .remediation()
            .contains("(pid 44) is listening on 10.0.0.5:6379"));
        let mut s = base();
        s.units.clear();
        assert!(s.remediation().contains("apt install redis-server"));
    }

    // issue 26 #37
    #[test]
    fn listener_roles_come_from_the_title_and_the_bus_pairing() {
        use ListenerRole::*;
        let of = ListenerRole::of_redis;
        assert_eq!(
            of(
                "redis-server",
                "redis-server *:7000 [cluster]",
                7000,
                &[7000, 17000]
            ),
            ClusterNode
        );
        assert_eq!(
            of(
                "redis-server",
                "redis-server *:7000 [cluster]",
                17000,
                &[7000, 17000]
            ),
            ClusterBus
        );
        // cluster-port moved the bus: the title still names the client port
        assert_eq!(
            of(
                "redis-server",
                "redis-server 127.0.0.1:7000 [cluster]",
                7100,
                &[7000, 7100]
            ),
            ClusterBus
        );
        // a title template without the mode: the port + 10000 pairing tells
        assert_eq!(
            of("redis-server", "redis-server", 17000, &[7000, 17000]),
            ClusterBus
        );
        assert_eq!(
            of("redis-server", "redis-server", 7000, &[7000, 17000]),
            ClusterNode
        );
        assert_eq!(
            of(
                "redis-sentinel",
                "redis-sentinel *:26379 [sentinel]",
                26379,
                &[26379]
            ),
            Sentinel
        );
        assert_eq!(
            of(
                "redis-server",
                "redis-server *:26379 [sentinel]",
                26379,
                &[26379]
            ),
            Sentinel
        );
        assert_eq!(
            of(
                "redis-server",
                "/usr/bin/redis-server 127.0.0.1:6380",
                6380,
                &[6380]
            ),
            Server
        );
    }

    #[test]
    fn a_sentinel_alone_is_no_answer_for_a_refused_data_port() {
        let mut s = base();
        s.elsewhere.push(listener(
            "redis-sentinel",
            42,
            "0.0.0.0:26379",
            ListenerRole::Sentinel,
        ));
        assert!(
            s.remediation().contains("`systemctl start redis-server`"),
            "{}",
            s.remediation()
        );
        assert_eq!(
            s.alternatives()[0].to_string(),
            "redis-sentinel pid 42 on 0.0.0.0:26379 (sentinel)"
        );
    }
}
