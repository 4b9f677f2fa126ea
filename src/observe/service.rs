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
    /// The remediation these facts call for, most specific first.
    pub fn remediation(&self) -> String {
        // the server listening elsewhere is the answer only when it is unambiguous: on this
        // port at another address, or the one server process there is
        let same_port = self
            .elsewhere
            .iter()
            .find(|e| e.addr.rsplit(':').next() == Some(self.port.to_string().as_str()));
        let one = self
            .elsewhere
            .iter()
            .all(|e| Some(e.pid) == self.elsewhere.first().map(|f| f.pid));
        if let Some(e) = same_port.or(self.elsewhere.first().filter(|_| one)) {
            return format!(
                "{} (pid {}) is listening on {}, not {}: point the client there, or fix `port`/`bind` and restart it",
                e.process, e.pid, e.addr, self.port
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
        s.elsewhere.push(Elsewhere {
            process: "redis-server".into(),
            pid: 42,
            addr: "127.0.0.1:6380".into(),
        });
        assert!(s
            .remediation()
            .contains("redis-server (pid 42) is listening on 127.0.0.1:6380, not 6379"));
        // two servers on other ports: which one was meant is not known, so neither is named
        let mut s = base();
        s.elsewhere.push(Elsewhere {
            process: "redis-server".into(),
            pid: 42,
            addr: "127.0.0.1:6380".into(),
        });
        s.elsewhere.push(Elsewhere {
            process: "redis-server".into(),
            pid: 43,
            addr: "127.0.0.1:6381".into(),
        });
        assert!(
            s.remediation().contains("`systemctl start redis-server`"),
            "{}",
            s.remediation()
        );
        s.elsewhere.push(Elsewhere {
            process: "redis-server".into(),
            pid: 44,
            addr: "10.0.0.5:6379".into(),
        });
        assert!(s
            .remediation()
            .contains("(pid 44) is listening on 10.0.0.5:6379"));
        let mut s = base();
        s.units.clear();
        assert!(s.remediation().contains("apt install redis-server"));
    }
}
