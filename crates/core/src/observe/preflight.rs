//! What a fresh node's software looks like: the OpenSSL that the state servers and clients use.

use serde::{Deserialize, Serialize};

/// The host's software, as `preflight` sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreflightObservation {
    /// `openssl version`'s line, or why it could not be run.
    pub openssl_cli: Result<String, String>,
    /// For each state server binary found (redis-server, postgres): the libssl it links to
    /// (`libssl.so.3`), or why that is not known.
    pub linked: Vec<LinkedSsl>,
    /// What this node is for (`--role`): redis, postgres, lb, app. Empty: judge what is installed.
    #[serde(default)]
    pub roles: Vec<String>,
    /// `redis-server --version`, or why it could not be run (not installed).
    #[serde(default = "not_probed")]
    pub redis_server: Result<String, String>,
    /// `postgres --version` (PATH or Debian's /usr/lib/postgresql/*/bin), else `pg_config
    /// --version`, or why neither could be run.
    #[serde(default = "not_probed")]
    pub postgres: Result<String, String>,
    /// `nginx -v`, or why it could not be run.
    #[serde(default = "not_probed")]
    pub nginx: Result<String, String>,
    /// `haproxy -v`, or why it could not be run.
    #[serde(default = "not_probed")]
    pub haproxy: Result<String, String>,
    /// The effective user id.
    #[serde(default)]
    pub euid: Option<u32>,
    /// CapEff from /proc/self/status.
    #[serde(default)]
    pub cap_eff: Option<u64>,
    /// What listens on the state ports (6379, 5432, 26379), from /proc/net/tcp{,6} and the
    /// sockets in /proc/*/fd.
    #[serde(default)]
    pub listeners: Vec<Listener>,
    /// vm.overcommit_memory, or why it could not be read.
    #[serde(default = "not_probed")]
    pub overcommit_memory: Result<String, String>,
    /// The machine, from /proc and /sys.
    #[serde(default)]
    pub hardware: Hardware,
}

/// What the node is made of.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hardware {
    /// MemTotal, kB.
    pub mem_total_kb: Option<u64>,
    /// Block devices (no loop, ram, zram or device-mapper): name and whether rotational.
    pub disks: Vec<(String, bool)>,
    /// EDAC memory controllers: (name, corrected errors, uncorrected errors); None when EDAC
    /// is absent (no ECC reporting on this machine).
    pub edac: Option<Vec<(String, u64, u64)>>,
    /// The default route's interfaces and their speed in Mb/s (None when the driver does not
    /// say, as for virtual NICs).
    pub nics: Vec<(String, Option<u64>)>,
}

impl PreflightObservation {
    /// An observation where nothing could be looked at, for `why`.
    pub fn unknown(why: String) -> Self {
        PreflightObservation {
            openssl_cli: Err(why.clone()),
            linked: Vec::new(),
            roles: Vec::new(),
            redis_server: Err(why.clone()),
            postgres: Err(why.clone()),
            nginx: Err(why.clone()),
            haproxy: Err(why),
            euid: None,
            cap_eff: None,
            listeners: Vec::new(),
            overcommit_memory: Err("not probed".into()),
            hardware: Hardware::default(),
        }
    }
}

fn not_probed() -> Result<String, String> {
    Err("not probed".into())
}

/// A listening socket on a state port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    /// The port.
    pub port: u16,
    /// The owning process's pid, when its fds could be read.
    pub pid: Option<u32>,
    /// Its name (/proc/PID/comm).
    pub process: Option<String>,
}

/// The version in `redis-server --version` (`Redis server v=7.0.15 sha=…`; Valkey's `Valkey
/// server v=8.0.1`), as numbers.
pub fn redis_version(text: &str) -> Option<Vec<u64>> {
    let v = text.split_whitespace().find_map(|w| w.strip_prefix("v="))?;
    numbers(v)
}

/// The version in `postgres --version` (`postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`)
/// or `pg_config --version` (`PostgreSQL 15.18`); a beta (`17beta1`) counts as its major.
pub fn postgres_version(text: &str) -> Option<Vec<u64>> {
    let rest = text.split_once("PostgreSQL")?.1;
    let rest = rest.trim_start_matches(')').trim_start();
    numbers(rest.split_whitespace().next()?)
}

/// The leading dotted numbers of `v` (`7.0.15`, `17beta1` → 17, `6.1.0-26-amd64` → 6.1.0).
pub fn numbers(v: &str) -> Option<Vec<u64>> {
    let head: String = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let n: Vec<u64> = head
        .split('.')
        .filter(|p| !p.is_empty())
        .map_while(|p| p.parse().ok())
        .collect();
    (!n.is_empty()).then_some(n)
}

/// Dotted versions compared as numbers: `1.22.1` is below `1.24`, `7.0.15` is not below `7.0`.
pub fn version_below(have: &str, want: &str) -> bool {
    numbers(have).unwrap_or_default() < numbers(want).unwrap_or_default()
}

/// Listening sockets on `ports` in /proc/net/tcp text: (port, socket inode).
pub fn listening(proc_net_tcp: &str, ports: &[u16]) -> Vec<(u16, u64)> {
    listening_sockets(proc_net_tcp)
        .into_iter()
        .filter(|(_, port, _)| ports.contains(port))
        .map(|(_, port, inode)| (port, inode))
        .collect()
}

/// Every listening socket of /proc/net/tcp or tcp6: (address, port, inode), the address as
/// `127.0.0.1` or `::1`.
pub fn listening_sockets(proc_net_tcp: &str) -> Vec<(String, u16, u64)> {
    super::kernel::tcp_sockets(proc_net_tcp)
        .into_iter()
        .filter(|s| s.listening)
        .map(|s| (s.local.ip().to_string(), s.local.port(), s.inode))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_real_world_banners() {
        for (text, want) in [
            ("Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=c4e7f6bf175a885b", vec![7, 0, 15]),
            ("Redis server v=6.2.14 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ab1a0b9e2e3d1d4b", vec![6, 2, 14]),
            ("Redis server v=8.0.2 sha=00000000:1 malloc=jemalloc-5.3.0 bits=64 build=1fe2b6b0c6b2e0a7", vec![8, 0, 2]),
            ("Redis server v=7.2.4 sha=a3c1fd1d:1 malloc=libc bits=64 build=5f1d1c62b4e5f0e2", vec![7, 2, 4]),
            ("Valkey server v=8.0.1 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=0", vec![8, 0, 1]),
        ] {
            assert_eq!(redis_version(text), Some(want), "{text}");
        }
        for (text, want) in [
            (
                "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)",
                vec![15, 18],
            ),
            ("postgres (PostgreSQL) 15.6", vec![15, 6]),
            (
                "postgres (PostgreSQL) 13.14 (Ubuntu 13.14-0ubuntu0.21.04.1)",
                vec![13, 14],
            ),
            ("PostgreSQL 16.2", vec![16, 2]),
            ("postgres (PostgreSQL) 17beta1", vec![17]),
        ] {
            assert_eq!(postgres_version(text), Some(want), "{text}");
        }
        assert_eq!(redis_version("redis-cli 7.0.15"), None);
        assert_eq!(numbers("6.1.0-26-amd64"), Some(vec![6, 1, 0]));
        assert_eq!(numbers("4.18.0-513.el8.x86_64"), Some(vec![4, 18, 0]));
    }

    #[test]
    fn listening_addresses_read_in_host_order() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:18EC 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 777 1 0000000000000000 100 0 0 10 0
   1: 0100007F:18EB 0100007F:9C40 01 00000000:00000000 00:00000000 00000000   105        0 778 1 0000000000000000 100 0 0 10 0
";
        assert_eq!(
            listening_sockets(tcp),
            [("127.0.0.1".to_string(), 6380, 777)]
        );
        let tcp6 = "  sl  local_address remote_address st
   0: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 999 1
";
        assert_eq!(listening_sockets(tcp6), [("::1".to_string(), 5432, 999)]);
    }

    #[test]
    fn listeners_come_from_proc_net_tcp() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 31337 1 0000000000000000 100 0 0 10 0\n\
   1: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 4242 1 0000000000000000 100 0 0 10 0\n\
   2: 0100007F:18EB 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000   108        0 999 1 0000000000000000 100 0 0 10 0\n\
   3: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0000000000000000 100 0 0 10 0\n";
        assert_eq!(
            listening(tcp, &[6379, 5432, 26379]),
            vec![(6379, 31337), (5432, 4242)]
        );
    }
}

/// The libssl one binary links to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedSsl {
    /// The binary's path.
    pub binary: String,
    /// The libssl soname (`libssl.so.3`), or why it is not known (not linked, ldd failed).
    pub libssl: Result<String, String>,
}
