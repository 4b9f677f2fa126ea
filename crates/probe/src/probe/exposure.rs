//! `doctor --from`: a server seen from another vantage point. A network namespace on this host
//! (`netns:NAME`): a dedicated thread enters it (setns), connects, hands the socket to tokio and
//! ends, so its namespace change dies with it. A host over SSH (`ssh:[USER@]HOST[:PORT]`):
//! `ssh -W ADDR:PORT` is the byte stream, so the TCP connection is made from HOST (and
//! ~/.ssh/config applies). Over that stream Redis gets a PING (then a TLS handshake when plain
//! gets no answer), PostgreSQL an SSLRequest and a StartupMessage with the target's user and
//! database, never a password. What was seen is data (`observe::exposure`); the core judges.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::observe::exposure::{Answer, Attempt, ExposureLook, Reach};

/// Most addresses tried from a vantage point for one server.
pub const MAX_ADDRESSES: usize = 16;
/// Most attempts in flight at once (an sshd drops unauthenticated connections beyond
/// MaxStartups).
const IN_FLIGHT: usize = 4;
/// Most bytes of one answer read.
const ANSWER_CAP: usize = 8192;

/// Where the exposure check looks from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vantage {
    /// A named network namespace on this host (/run/netns/NAME).
    Netns(String),
    /// A host reached with ssh.
    Ssh {
        /// `-l USER`.
        user: Option<String>,
        /// The host (or a Host alias of ~/.ssh/config).
        host: String,
        /// `-p PORT`.
        port: Option<u16>,
        /// `-o KEY=VALUE`, from `--ssh-option`.
        options: Vec<String>,
    },
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.len() <= 255
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-:%[]".contains(c))
}

impl Vantage {
    /// Parses `--from`: `netns:NAME` or a bare NAME when /run/netns/NAME exists,
    /// `ssh:[USER@]HOST[:PORT]`; `--ssh-option KEY=VALUE` given for ssh only.
    pub fn parse(from: &str, ssh_options: &[String]) -> Result<Vantage, String> {
        Vantage::parse_in(from, ssh_options, std::path::Path::new("/run/netns"))
    }

    /// [`Vantage::parse`] with the namespaces' directory named (a seam for tests).
    pub fn parse_in(
        from: &str,
        ssh_options: &[String],
        netns_dir: &std::path::Path,
    ) -> Result<Vantage, String> {
        let bad = |why: &str| format!("--from {}: {why}", statectl_core::text::escape(from));
        let v = if let Some(name) = from.strip_prefix("netns:") {
            if name.is_empty()
                || name == "."
                || name == ".."
                || !is_name(name)
                || name.contains(':')
            {
                return Err(bad(
                    "not a network namespace name (netns:NAME, as `ip netns list` shows)",
                ));
            }
            if !netns_dir.join(name).exists() {
                return Err(bad(&format!(
                    "no such network namespace (no {}; `ip netns list` names them)",
                    netns_dir.join(name).display()
                )));
            }
            Vantage::Netns(name.to_string())
        } else if let Some(rest) = from.strip_prefix("ssh:") {
            let (user, hostport) = match rest.rsplit_once('@') {
                Some((u, h)) => (Some(u), h),
                None => (None, rest),
            };
            if user.is_some_and(|u| {
                u.is_empty()
                    || u.starts_with('-')
                    || !u
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            }) {
                return Err(bad("not a user name before @ (ssh:[USER@]HOST[:PORT])"));
            }
            let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
                let (h, tail) = inner
                    .split_once(']')
                    .ok_or_else(|| bad("an unclosed [ (ssh:[USER@]HOST[:PORT])"))?;
                // after the ] only :PORT
                let port = match tail {
                    "" => None,
                    t => Some(t.strip_prefix(':').ok_or_else(|| {
                        bad("text after ] that is not :PORT (ssh:[USER@]HOST[:PORT])")
                    })?),
                };
                (h, port)
            } else {
                match hostport.split_once(':') {
                    Some((h, p)) => (h, Some(p)),
                    None => (hostport, None),
                }
            };
            if !is_name(host) || host.contains(['[', ']', '%']) && !host.contains(':') {
                return Err(bad("not a host (ssh:[USER@]HOST[:PORT])"));
            }
            let port =
                match port {
                    None => None,
                    Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                        bad("not a port after the host (ssh:[USER@]HOST[:PORT])")
                    })?),
                };
            Vantage::Ssh {
                user: user.map(str::to_string),
                host: host.to_string(),
                port,
                options: Vec::new(),
            }
        } else if is_name(from)
            && !from.contains(':')
            && !from.starts_with('.')
            && netns_dir.join(from).exists()
        {
            Vantage::Netns(from.to_string())
        } else {
            return Err(bad(
                "not a vantage point: netns:NAME, ssh:[USER@]HOST[:PORT], or the NAME of a namespace in /run/netns",
            ));
        };
        match v {
            Vantage::Ssh {
                user, host, port, ..
            } => {
                let mut options = Vec::new();
                for o in ssh_options {
                    let ok = o.split_once('=').is_some_and(|(k, v)| {
                        !k.is_empty()
                            && k.chars().all(|c| c.is_ascii_alphanumeric())
                            && !v.is_empty()
                            && !v.contains(['\n', '\r'])
                    });
                    if !ok {
                        return Err(format!(
                            "--ssh-option {}: not KEY=VALUE (an ssh_config option, e.g. IdentityFile=~/.ssh/id_ed25519)",
                            statectl_core::text::escape(o)
                        ));
                    }
                    options.push(o.clone());
                }
                Ok(Vantage::Ssh {
                    user,
                    host,
                    port,
                    options,
                })
            }
            netns if ssh_options.is_empty() => Ok(netns),
            _ => Err("--ssh-option: only with --from ssh:HOST".into()),
        }
    }

    /// How the report names it: `netns:NAME`, `ssh:USER@HOST:PORT`.
    pub fn label(&self) -> String {
        match self {
            Vantage::Netns(n) => format!("netns:{n}"),
            Vantage::Ssh {
                user, host, port, ..
            } => {
                let mut s = String::from("ssh:");
                if let Some(u) = user {
                    s += u;
                    s.push('@');
                }
                if host.contains(':') {
                    s += &format!("[{host}]");
                } else {
                    s += host;
                }
                if let Some(p) = port {
                    s += &format!(":{p}");
                }
                s
            }
        }
    }
}

/// A byte stream to the server, from the vantage point.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Why a stream could not be had, or ended without an answer.
enum Closed {
    /// The vantage point said so (refused, unreachable, timed out).
    Reach(Reach),
    /// The vantage point itself could not be used.
    Broken(String),
}

/// One connection from the vantage point; for ssh, the process whose log says why it ended.
struct Conn {
    io: Box<dyn Io>,
    ssh: Option<SshProc>,
}

impl Conn {
    /// Why the stream ended without an answer, or gave none in time: for ssh, what its log
    /// said (see [`SshLog::verdict`]), after waiting up to `wait` for ssh to end; a direct
    /// connection was made, so None (the server took it).
    async fn why_closed(self, wait: Duration) -> Option<Closed> {
        let Conn { io, ssh } = self;
        let mut ssh = ssh?;
        drop(io);
        let ended = ssh.settle(wait).await;
        let log = ssh.log();
        log.verdict(ended, ssh.started.elapsed())
    }
}

/// What ssh's log (LogLevel=DEBUG2, on its stderr) said so far. Only known lines count: a
/// banner, a warning or any other line is ignored, and nothing of it is ever printed but a
/// known failure's own line, escaped.
#[derive(Debug, Default, Clone, PartialEq)]
struct SshLog {
    /// "Authenticated to HOST" (VERBOSE): ssh logged in.
    authenticated: bool,
    /// "channel N: open confirm" (DEBUG2): the host connected to the target.
    confirmed: bool,
    /// "channel N: open failed: …": the host could not connect to the target.
    open_failed: Option<String>,
    /// ssh's own failure before it logged in (a known message), escaped and bounded.
    failure: Option<String>,
}

/// The messages of ssh failing to reach or log in to its host (OpenSSH's own words).
const SSH_FAILURES: &[&str] = &[
    "Could not resolve hostname",
    "connect to host ",
    "Host key verification failed",
    "kex_exchange_identification",
    "banner exchange",
    "ssh_exchange_identification",
    "Connection closed by ",
    "Connection reset by ",
    "Connection timed out during banner exchange",
    "Unable to negotiate with ",
    "Too many authentication failures",
    "Bad owner or permissions on ",
    "Bad configuration option",
    "command-line line ",
    "Could not create directory",
    "No route to host",
    "Network is unreachable",
];

impl SshLog {
    /// Reads one line of ssh's stderr.
    fn read(&mut self, line: &str) {
        let l = line.trim();
        if let Some(d) = l.strip_prefix("debug2: ") {
            if d.starts_with("channel ") && d.contains(": open confirm") {
                self.confirmed = true;
            }
            return;
        }
        if l.starts_with("debug") {
            return;
        }
        if l.starts_with("Authenticated to ") && l.contains(") using \"") {
            self.authenticated = true;
            return;
        }
        if l.starts_with("channel ") && l.contains(": open failed") {
            self.open_failed.get_or_insert_with(|| l.to_string());
            return;
        }
        // a failure of ssh itself comes before the login; after it, a line like these is a
        // banner's or the remote's
        if self.authenticated || self.failure.is_some() {
            return;
        }
        let l = l.strip_prefix("ssh: ").unwrap_or(l);
        let known = l.contains(": Permission denied (")
            || l.starts_with("Permission denied")
            || SSH_FAILURES.iter().any(|m| l.starts_with(m))
            || (l.starts_with("connect to host ") && l.contains(" port "));
        if known {
            let short: String = l.chars().take(300).collect();
            self.failure = Some(statectl_core::text::escape(&short).into_owned());
        }
    }

    /// Why the stream gave no answer: `ended` is ssh's exit (Some(success)), or None when it
    /// was still running when the time ran out (then it was killed); `after` how long it had.
    /// None: the host connected to the target (the server took the connection and said
    /// nothing, as from a namespace).
    fn verdict(&self, ended: Option<bool>, after: Duration) -> Option<Closed> {
        if let Some(l) = &self.open_failed {
            return Some(open_failed(l));
        }
        if self.confirmed {
            return None;
        }
        if !self.authenticated {
            if let Some(f) = &self.failure {
                return Some(Closed::Broken(format!("ssh: {f}")));
            }
            return Some(Closed::Broken(match ended {
                None => format!(
                    "ssh did not log in within {:.1} s (stuck connecting, in key exchange or authentication)",
                    after.as_secs_f64()
                ),
                Some(_) => "ssh ended without logging in, and said nothing known why".into(),
            }));
        }
        match ended {
            // logged in, the host still connecting to the target when the time ran out:
            // filtered on the way
            None => Some(Closed::Reach(Reach::TimedOut)),
            Some(true) => None,
            Some(false) => Some(Closed::Broken(
                "ssh ended after logging in without opening the forwarded channel".into(),
            )),
        }
    }
}

/// ssh's "channel N: open failed: …" line: the target refused, did not answer, or was not
/// reached; or the host forbids forwarding.
fn open_failed(l: &str) -> Closed {
    let why = l.rsplit(": ").next().unwrap_or(l);
    let lower = l.to_ascii_lowercase();
    if lower.contains("connection refused") {
        Closed::Reach(Reach::Refused)
    } else if lower.contains("timed out") {
        Closed::Reach(Reach::TimedOut)
    } else if lower.contains("administratively prohibited") {
        Closed::Broken(format!(
            "the host does not allow forwarding (AllowTcpForwarding): {}",
            statectl_core::text::escape(l)
        ))
    } else {
        Closed::Reach(Reach::Unreachable {
            detail: statectl_core::text::escape(why).into_owned(),
        })
    }
}

/// ssh (and its ProxyCommand, if any) in a process group of its own, its stderr read line by
/// line into an [`SshLog`]; the whole group is killed when the time runs out and on drop
/// (Ctrl-C included), so no ProxyCommand outlives the look.
struct SshProc {
    child: tokio::process::Child,
    pgid: Option<i32>,
    log: Arc<std::sync::Mutex<SshLog>>,
    reader: Option<tokio::task::JoinHandle<()>>,
    started: std::time::Instant,
}

/// Most bytes of ssh's log read (DEBUG2 for one forwarded channel is a few kB).
const SSH_LOG_CAP: usize = 1 << 20;

impl SshProc {
    fn log(&self) -> SshLog {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn kill(&mut self) {
        if let Some(g) = self.pgid {
            // SAFETY: a signal to the process group ssh was started in (its own, ssh leads it)
            unsafe {
                libc::kill(-g, libc::SIGKILL);
            }
        }
        let _ = self.child.start_kill();
    }

    /// Waits up to `wait` for ssh to end or its log to say how the channel went; Some(exit
    /// success) when it ended, None when it was still running (then the group is killed).
    async fn settle(&mut self, wait: Duration) -> Option<bool> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                // anything ssh started goes with it (its group outlives it only through them);
                // then the group id is never signalled again, as the pid may be reused
                self.kill();
                self.pgid = None;
                // the rest of the log: the pipe ends with ssh and its group
                if let Some(r) = self.reader.take() {
                    let _ = tokio::time::timeout(Duration::from_millis(500), r).await;
                }
                return Some(st.success());
            }
            let l = self.log();
            if l.confirmed || l.open_failed.is_some() || tokio::time::Instant::now() >= deadline {
                self.kill();
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SshProc {
    fn drop(&mut self) {
        self.kill();
        if let Some(r) = self.reader.take() {
            r.abort();
        }
    }
}

/// Connects to `addr` from inside the namespace `name`: a thread of its own enters it, makes
/// the socket and connects (bounded by `timeout`), then ends; the socket stays in the namespace
/// it was made in.
async fn netns_connect(name: &str, addr: SocketAddr, timeout: Duration) -> Result<Conn, Closed> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let name = name.to_string();
    std::thread::Builder::new()
        .name("statectl-netns".into())
        .spawn(move || {
            let _ = tx.send(connect_in(&name, addr, timeout));
        })
        .map_err(|e| Closed::Broken(format!("cannot start a thread: {e}")))?;
    let std = rx
        .await
        .map_err(|_| Closed::Broken("the namespace thread ended without a result".into()))??;
    let tcp = tokio::net::TcpStream::from_std(std)
        .map_err(|e| Closed::Broken(format!("cannot hand the socket over: {e}")))?;
    Ok(Conn {
        io: Box::new(tcp),
        ssh: None,
    })
}

/// The namespace thread's work (blocking).
fn connect_in(
    name: &str,
    addr: SocketAddr,
    timeout: Duration,
) -> Result<std::net::TcpStream, Closed> {
    use std::os::fd::AsRawFd;
    let path = std::path::Path::new("/run/netns").join(name);
    let ns = std::fs::File::open(&path).map_err(|e| {
        Closed::Broken(format!(
            "no network namespace {name} ({}: {e})",
            path.display()
        ))
    })?;
    // SAFETY: setns on a descriptor we own; it changes only this thread's network namespace,
    // and the thread ends after this function
    if unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(Closed::Broken(format!(
            "cannot enter the network namespace {name}: {e} (needs CAP_SYS_ADMIN)"
        )));
    }
    let sock = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )
    .map_err(|e| Closed::Broken(format!("cannot make a socket in {name}: {e}")))?;
    match sock.connect_timeout(&addr.into(), timeout) {
        Ok(()) => {}
        Err(e) => return Err(Closed::Reach(connect_error(&e))),
    }
    let _ = sock.set_tcp_nodelay(true);
    sock.set_nonblocking(true)
        .map_err(|e| Closed::Broken(format!("cannot hand the socket over: {e}")))?;
    Ok(sock.into())
}

fn connect_error(e: &std::io::Error) -> Reach {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => Reach::Refused,
        K::TimedOut | K::WouldBlock => Reach::TimedOut,
        _ => Reach::Unreachable {
            detail: e.to_string(),
        },
    }
}

/// `ssh -W ADDR:PORT -o BatchMode=yes -o LogLevel=DEBUG2 -o ConnectTimeout=N [options] HOST`:
/// its stdin and stdout are the stream, its stderr the log that says how far it got.
fn ssh_connect(v: &Vantage, addr: &str, timeout: Duration) -> Result<Conn, Closed> {
    let Vantage::Ssh {
        user,
        host,
        port,
        options,
    } = v
    else {
        unreachable!("ssh_connect is for ssh vantage points")
    };
    let mut c = tokio::process::Command::new("ssh");
    c.arg("-W").arg(addr);
    c.args(["-o", "BatchMode=yes"]);
    // the first value of an option wins, whatever ~/.ssh/config or --ssh-option set: ssh must
    // log its login ("Authenticated to", VERBOSE), the channel's open confirmation
    // ("open confirm", DEBUG2) and why a channel failed ("open failed", INFO)
    c.args(["-o", "LogLevel=DEBUG2"]);
    c.arg("-o")
        .arg(format!("ConnectTimeout={}", timeout.as_secs().max(1)));
    for o in options {
        c.arg("-o").arg(o);
    }
    if let Some(u) = user {
        c.arg("-l").arg(u);
    }
    if let Some(p) = port {
        c.arg("-p").arg(p.to_string());
    }
    // `--` so a host can never be read as an option
    c.arg("--").arg(host);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        // a group of its own: a ProxyCommand is killed with it
        .process_group(0)
        .kill_on_drop(true);
    let mut child = c
        .spawn()
        .map_err(|e| Closed::Broken(format!("cannot run ssh: {e} (apt install openssh-client)")))?;
    let pgid = child.id().and_then(|p| i32::try_from(p).ok());
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(Closed::Broken("ssh's pipes were not made".into()));
    };
    let log = Arc::new(std::sync::Mutex::new(SshLog::default()));
    let reader = tokio::spawn({
        let log = log.clone();
        async move {
            use tokio::io::AsyncBufReadExt;
            let mut r = tokio::io::BufReader::new(stderr).take(SSH_LOG_CAP as u64);
            let mut line = Vec::new();
            loop {
                line.clear();
                match r.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if let Ok(mut l) = log.lock() {
                            l.read(&String::from_utf8_lossy(&line));
                        }
                    }
                }
            }
        }
    });
    Ok(Conn {
        io: Box::new(tokio::io::join(stdout, stdin)),
        ssh: Some(SshProc {
            child,
            pgid,
            log,
            reader: Some(reader),
            started: std::time::Instant::now(),
        }),
    })
}

async fn open(v: &Vantage, ip: IpAddr, port: u16, timeout: Duration) -> Result<Conn, Closed> {
    match v {
        Vantage::Netns(n) => netns_connect(n, SocketAddr::new(ip, port), timeout).await,
        Vantage::Ssh { .. } => ssh_connect(
            v,
            &crate::targets::host_port(&ip.to_string(), port),
            timeout,
        ),
    }
}

/// Reads up to `n` bytes or the first line, whichever ends first, within `timeout`; Ok(empty)
/// on a close, Err on no answer in time.
async fn read_some(
    io: &mut (impl AsyncRead + Unpin + ?Sized),
    timeout: Duration,
    line: bool,
) -> Result<Vec<u8>, ()> {
    let mut got = Vec::new();
    let work = async {
        let mut buf = [0u8; 512];
        loop {
            match io.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if !line || got.contains(&b'\n') || got.len() >= ANSWER_CAP {
                        break;
                    }
                }
            }
        }
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(()) => Ok(got),
        Err(_) if !got.is_empty() => Ok(got),
        Err(_) => Err(()),
    }
}

/// Records whether the server asked for a client certificate; presents none.
#[derive(Debug, Default)]
struct Asked(AtomicBool);

impl rustls::client::ResolvesClientCert for Asked {
    fn resolve(
        &self,
        _issuers: &[&[u8]],
        _schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        self.0.store(true, Ordering::Relaxed);
        None
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// A TLS handshake over `io` that verifies nothing (only whether the port speaks TLS);
/// `Ok((stream, client certificate asked))`, or Err(asked) when it failed.
async fn tls_over(
    io: Box<dyn Io>,
    ip: IpAddr,
    timeout: Duration,
) -> Result<(Box<dyn Io>, bool), (bool, bool)> {
    let asked = Arc::new(Asked::default());
    let mut config = (*crate::tls::insecure().config()).clone();
    config.client_auth_cert_resolver = asked.clone();
    let name = crate::tls::server_name(&ip.to_string());
    let hs = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, io);
    match tokio::time::timeout(timeout, hs).await {
        Ok(Ok(s)) => Ok((Box::new(s), asked.0.load(Ordering::Relaxed))),
        // an alert from the server is TLS spoken
        Ok(Err(e)) => Err((
            asked.0.load(Ordering::Relaxed),
            matches!(
                crate::tls::rustls_error(&e),
                Some(rustls::Error::AlertReceived(_))
            ),
        )),
        Err(_) => Err((asked.0.load(Ordering::Relaxed), false)),
    }
}

/// The server's words, escaped and bounded.
fn words(b: &[u8]) -> String {
    let t = String::from_utf8_lossy(&b[..b.len().min(200)]);
    statectl_core::text::escape(t.trim_end()).into_owned()
}

/// Which server is being looked at, and what to ask it.
#[derive(Debug, Clone)]
pub enum Dialogue {
    /// PING, then TLS.
    Redis,
    /// SSLRequest, StartupMessage.
    Postgres {
        /// The target's user.
        user: String,
        /// The target's database.
        dbname: String,
    },
}

type Outcome = Result<Reach, String>;

fn closed(c: Closed) -> Outcome {
    match c {
        Closed::Reach(r) => Ok(r),
        Closed::Broken(b) => Err(b),
    }
}

fn open_answer(answer: Answer) -> Outcome {
    Ok(Reach::Open { answer })
}

/// How long to wait for ssh to say why after the stream gave nothing: a closed stream means ssh
/// is ending and about to say why; silence until the timeout means its log already has what
/// it will say.
fn settle_wait<T>(got: &Result<T, ()>) -> Duration {
    match got {
        Ok(_) => Duration::from_secs(2),
        Err(()) => Duration::from_millis(300),
    }
}

/// What is left of `timeout` before the look's `deadline` (at least a little).
fn within(timeout: Duration, deadline: tokio::time::Instant) -> Duration {
    timeout
        .min(deadline.saturating_duration_since(tokio::time::Instant::now()))
        .max(Duration::from_millis(50))
}

async fn redis_at(
    v: &Vantage,
    ip: IpAddr,
    port: u16,
    timeout: Duration,
    deadline: tokio::time::Instant,
) -> Outcome {
    let mut c = match open(v, ip, port, timeout).await {
        Ok(c) => c,
        Err(e) => return closed(e),
    };
    let _ = c.io.write_all(b"PING\r\n").await;
    let _ = c.io.flush().await;
    let got = read_some(&mut c.io, timeout, true).await;
    match got {
        Ok(line) if !line.is_empty() => {
            let text = String::from_utf8_lossy(&line);
            return open_answer(if text.starts_with("+PONG") {
                Answer::RedisPong
            } else if text.starts_with("-NOAUTH") {
                Answer::RedisNoauth
            } else if text.starts_with("-DENIED") {
                Answer::RedisDenied
            } else {
                Answer::Other {
                    detail: words(&line),
                }
            });
        }
        // closed, or no answer in time: ssh may say it never connected
        got => {
            if let Some(why) = c.why_closed(settle_wait(&got)).await {
                return closed(why);
            }
        }
    }
    // the port took the connection and gave no plain answer: a TLS port? (bounded by what is
    // left of the look: the port is open whatever this says)
    let c = match open(v, ip, port, timeout).await {
        Ok(c) => c,
        Err(_) => return open_answer(Answer::Silent),
    };
    match tls_over(c.io, ip, within(timeout, deadline)).await {
        Ok((_, asked)) => open_answer(Answer::Tls { client_cert: asked }),
        Err((asked, alert)) if asked || alert => open_answer(Answer::Tls { client_cert: asked }),
        Err(_) => open_answer(Answer::Silent),
    }
}

/// A StartupMessage (protocol 3.0) naming the user and database; no password.
fn startup(user: &str, dbname: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&196608u32.to_be_bytes());
    for (k, v) in [
        ("user", user),
        ("database", dbname),
        ("application_name", "statectl-exposure"),
    ] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut m = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    m.extend(body);
    m
}

/// Reads one backend message: its type and body (bounded).
async fn message(
    io: &mut (impl AsyncRead + Unpin + ?Sized),
    timeout: Duration,
) -> Option<(u8, Vec<u8>)> {
    let work = async {
        let mut head = [0u8; 5];
        io.read_exact(&mut head).await.ok()?;
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let len = len.checked_sub(4)?.min(ANSWER_CAP);
        let mut body = vec![0u8; len];
        io.read_exact(&mut body).await.ok()?;
        Some((head[0], body))
    };
    tokio::time::timeout(timeout, work).await.ok().flatten()
}

/// What the startup's first answer says.
fn pg_answer(kind: u8, body: &[u8], tls: bool) -> Answer {
    match kind {
        b'R' if body.len() >= 4 => {
            let code = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
            let method = match code {
                0 => return Answer::PgTrust { tls },
                3 => "cleartext".to_string(),
                5 => "md5".to_string(),
                7 => "GSSAPI".to_string(),
                9 => "SSPI".to_string(),
                10 => {
                    let mechs: Vec<String> = body[4..]
                        .split(|b| *b == 0)
                        .filter(|m| !m.is_empty())
                        .map(words)
                        .collect();
                    format!("SASL {}", mechs.join(" "))
                }
                n => format!("authentication request {n}"),
            };
            Answer::PgPassword { method, tls }
        }
        b'E' => {
            let mut code = String::new();
            let mut msg = String::new();
            for f in body.split(|b| *b == 0).filter(|f| !f.is_empty()) {
                match f[0] {
                    b'C' => code = words(&f[1..]),
                    b'M' => msg = words(&f[1..]),
                    _ => {}
                }
            }
            if code == "28000" && msg.contains("pg_hba.conf") {
                Answer::PgHbaRejects { tls }
            } else {
                Answer::Other {
                    detail: format!("ERROR {code}: {msg}"),
                }
            }
        }
        k => Answer::Other {
            detail: format!("a {} message", words(&[k])),
        },
    }
}

async fn postgres_at(
    v: &Vantage,
    ip: IpAddr,
    port: u16,
    (timeout, deadline): (Duration, tokio::time::Instant),
    user: &str,
    dbname: &str,
) -> Outcome {
    let mut c = match open(v, ip, port, timeout).await {
        Ok(c) => c,
        Err(e) => return closed(e),
    };
    let mut ssl = 8u32.to_be_bytes().to_vec();
    ssl.extend_from_slice(&80877103u32.to_be_bytes());
    let _ = c.io.write_all(&ssl).await;
    let _ = c.io.flush().await;
    let mut one = [0u8; 1];
    let first = tokio::time::timeout(timeout, c.io.read(&mut one)).await;
    let (mut io, tls): (Box<dyn Io>, bool) = match first {
        Ok(Ok(1)) if one[0] == b'S' => match tls_over(c.io, ip, timeout).await {
            Ok((s, _)) => (s, true),
            Err((asked, _)) => return open_answer(Answer::Tls { client_cert: asked }),
        },
        Ok(Ok(1)) if one[0] == b'N' => (c.io, false),
        Ok(Ok(1)) => {
            return open_answer(Answer::Other {
                detail: format!("answers SSLRequest with {}", words(&one)),
            })
        }
        other => {
            let wait = settle_wait(&match other {
                Err(_) => Err(()),
                Ok(_) => Ok(()),
            });
            return match c.why_closed(wait).await {
                Some(why) => closed(why),
                None => open_answer(Answer::Silent),
            };
        }
    };
    let _ = io.write_all(&startup(user, dbname)).await;
    let _ = io.flush().await;
    let Some((kind, body)) = message(&mut io, within(timeout, deadline)).await else {
        return open_answer(Answer::Silent);
    };
    let answer = pg_answer(kind, &body, tls);
    if matches!(answer, Answer::PgTrust { .. }) {
        // logged in: say goodbye at once
        let _ = io.write_all(&[b'X', 0, 0, 0, 4]).await;
    }
    open_answer(answer)
}

/// This namespace's own addresses (every interface's, loopback too).
fn own_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills a list we free with freeifaddrs; each sockaddr is read by its
    // family's own type
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return out;
        }
        let mut p = head;
        while !p.is_null() {
            let a = (*p).ifa_addr;
            if !a.is_null() {
                match (*a).sa_family as i32 {
                    libc::AF_INET => {
                        let s = &*(a as *const libc::sockaddr_in);
                        out.push(IpAddr::from(u32::from_be(s.sin_addr.s_addr).to_be_bytes()));
                    }
                    libc::AF_INET6 => {
                        let s = &*(a as *const libc::sockaddr_in6);
                        out.push(IpAddr::from(s.sin6_addr.s6_addr));
                    }
                    _ => {}
                }
            }
            p = (*p).ifa_next;
        }
        libc::freeifaddrs(head);
    }
    out
}

/// An IPv6 link-local address needs its interface to be reached; not tried.
fn link_local(ip: &IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80)
}

/// The addresses to try: the target's own (resolved here), and when the server is on this host,
/// every non-loopback address of this host on its port (`on_this_host`: known to be, as a Unix
/// socket is); at most [`MAX_ADDRESSES`]. Returns (tried, local, cut, not tried).
pub fn addresses(
    resolved: &[IpAddr],
    own: &[IpAddr],
    port: u16,
    on_this_host: bool,
) -> (Vec<IpAddr>, bool, usize, Vec<String>) {
    let local = on_this_host
        || resolved
            .iter()
            .any(|ip| ip.is_loopback() || ip.is_unspecified() || own.contains(ip));
    let mut all: Vec<IpAddr> = Vec::new();
    let mut not_tried = Vec::new();
    for ip in resolved {
        if ip.is_loopback() || ip.is_unspecified() {
            not_tried.push(format!(
                "{} (loopback: the vantage point's own)",
                crate::targets::host_port(&ip.to_string(), port)
            ));
        } else if !all.contains(ip) {
            all.push(*ip);
        }
    }
    if local {
        for ip in own {
            if !ip.is_loopback() && !link_local(ip) && !all.contains(ip) {
                all.push(*ip);
            }
        }
    }
    let cut = all.len().saturating_sub(MAX_ADDRESSES);
    all.truncate(MAX_ADDRESSES);
    (all, local, cut, not_tried)
}

/// Looks at the server `host:port` from `vantage`.
pub async fn look(
    vantage: &Vantage,
    host: &str,
    port: u16,
    dialogue: &Dialogue,
    timeout: Duration,
) -> ExposureLook {
    let label = vantage.label();
    let resolved: Vec<IpAddr> = match host.trim_matches(['[', ']']).parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => {
            match tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await {
                Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
                Ok(Err(e)) => {
                    return ExposureLook {
                        vantage: label,
                        result: Err(format!(
                            "cannot resolve {}: {e}",
                            statectl_core::text::escape(host)
                        )),
                        local: false,
                        cut: 0,
                        not_tried: Vec::new(),
                        interrupted: false,
                    }
                }
                Err(_) => Vec::new(),
            }
        }
    };
    from_addresses(vantage, &resolved, false, None, port, dialogue, timeout).await
}

/// Looks from `vantage` at a server on this host reached by a Unix socket (PostgreSQL's
/// `host=/dir`): every address of this host on the socket's port, as for loopback.
pub async fn look_local(
    vantage: &Vantage,
    socket: &str,
    port: u16,
    dialogue: &Dialogue,
    timeout: Duration,
) -> ExposureLook {
    let note = format!(
        "{} (a Unix socket: this host's addresses tried on its port instead)",
        statectl_core::text::escape(socket)
    );
    from_addresses(vantage, &[], true, Some(note), port, dialogue, timeout).await
}

/// The addresses to try (the resolved ones, and this host's own when the server is local)
/// and the look at them; `note` is said among the addresses not tried.
async fn from_addresses(
    vantage: &Vantage,
    resolved: &[IpAddr],
    local: bool,
    note: Option<String>,
    port: u16,
    dialogue: &Dialogue,
    timeout: Duration,
) -> ExposureLook {
    let own = tokio::task::spawn_blocking(own_addresses)
        .await
        .unwrap_or_default();
    let (tried, local, cut, mut not_tried) = addresses(resolved, &own, port, local);
    not_tried.extend(note);
    look_at(
        vantage,
        tried,
        port,
        dialogue,
        timeout,
        (local, cut, not_tried),
    )
    .await
}

/// The bound on the whole look at one server: two rounds of `--timeout` (an answer, then a TLS
/// handshake or a startup), and for ssh time for its logins.
pub fn bound(vantage: &Vantage, timeout: Duration) -> Duration {
    timeout * 2
        + match vantage {
            Vantage::Netns(_) => Duration::from_secs(1),
            Vantage::Ssh { .. } => timeout.max(Duration::from_secs(2)),
        }
}

async fn look_at(
    vantage: &Vantage,
    tried: Vec<IpAddr>,
    port: u16,
    dialogue: &Dialogue,
    timeout: Duration,
    (local, cut, not_tried): (bool, usize, Vec<String>),
) -> ExposureLook {
    use futures::StreamExt;
    let deadline = tokio::time::Instant::now() + bound(vantage, timeout);
    let mut running = futures::stream::iter(tried.iter().copied())
        .map(|ip| async move {
            let o = match dialogue {
                Dialogue::Redis => redis_at(vantage, ip, port, timeout, deadline).await,
                Dialogue::Postgres { user, dbname } => {
                    postgres_at(vantage, ip, port, (timeout, deadline), user, dbname).await
                }
            };
            (ip, o)
        })
        .buffer_unordered(IN_FLIGHT);
    let mut outcomes: Vec<(IpAddr, Outcome)> = Vec::new();
    // what has not finished by the deadline is dropped (an ssh with its group killed)
    while let Ok(Some(o)) = tokio::time::timeout_at(deadline, running.next()).await {
        outcomes.push(o);
    }
    drop(running);
    let mut attempts = Vec::new();
    let mut broken = None;
    for ip in tried {
        let addr = crate::targets::host_port(&ip.to_string(), port);
        match outcomes.iter().position(|(i, _)| *i == ip) {
            None => attempts.push(Attempt {
                addr,
                reach: Reach::Unfinished,
            }),
            Some(k) => match outcomes.swap_remove(k).1 {
                Ok(reach) => attempts.push(Attempt { addr, reach }),
                Err(e) => broken = broken.or(Some(e)),
            },
        }
    }
    ExposureLook {
        vantage: vantage.label(),
        result: match broken {
            Some(e) => Err(e),
            None => Ok(attempts),
        },
        local,
        cut,
        not_tried,
        interrupted: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vantage_points_parse_and_bad_ones_are_named() {
        let run = tempfile::tempdir().unwrap();
        std::fs::write(run.path().join("dmz"), "").unwrap();
        assert_eq!(
            Vantage::parse_in("netns:dmz", &[], run.path()).unwrap(),
            Vantage::Netns("dmz".into())
        );
        assert_eq!(
            Vantage::parse_in("dmz", &[], run.path()).unwrap(),
            Vantage::Netns("dmz".into())
        );
        // a namespace that does not exist is refused at parse time, as a bare NAME is
        let e = Vantage::parse_in("netns:typo", &[], run.path()).unwrap_err();
        assert!(
            e.starts_with("--from netns:typo: no such network namespace"),
            "{e}"
        );
        // after ] only :PORT
        for bad in ["ssh:[h]x", "ssh:[fd00::1]22", "ssh:[h]:", "ssh:[h]:x"] {
            let e = Vantage::parse(bad, &[]).unwrap_err();
            assert!(e.starts_with(&format!("--from {bad}: ")), "{e}");
        }
        assert_eq!(
            Vantage::parse("ssh:[h]", &[]).unwrap(),
            Vantage::Ssh {
                user: None,
                host: "h".into(),
                port: None,
                options: Vec::new()
            }
        );
        let v = Vantage::parse("ssh:ops@bastion:2222", &["IdentityFile=/k".into()]).unwrap();
        assert_eq!(v.label(), "ssh:ops@bastion:2222");
        assert_eq!(
            Vantage::parse("ssh:[fd00::1]:22", &[]).unwrap().label(),
            "ssh:[fd00::1]:22"
        );
        for bad in [
            "ssh:-oProxyCommand=x",
            "ssh:",
            "ssh:h:0",
            "ssh:h:x",
            "netns:",
            "netns:../x",
            "nowhere-such-namespace-\x1b",
            "ftp:h",
        ] {
            let e = Vantage::parse(bad, &[]).unwrap_err();
            assert!(e.starts_with("--from "), "{e}");
            assert!(!e.contains('\n') && !e.contains('\x1b'), "{e}");
        }
        assert!(Vantage::parse("ssh:h", &["-oProxyCommand".into()]).is_err());
        assert!(Vantage::parse("netns:x", &["A=b".into()]).is_err());
    }

    #[test]
    fn a_local_server_is_tried_at_every_address_of_this_host_bounded() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let own: Vec<IpAddr> = std::iter::once(ip("127.0.0.1"))
            .chain((1..=20).map(|i| ip(&format!("10.0.0.{i}"))))
            .chain([ip("fe80::1")])
            .collect();
        let (tried, local, cut, not) = addresses(&[ip("127.0.0.1")], &own, 6379, false);
        assert!(local);
        assert_eq!(tried.len(), MAX_ADDRESSES);
        assert_eq!(cut, 4);
        assert!(not[0].contains("loopback"), "{not:?}");
        let (tried, local, _, _) = addresses(&[ip("192.0.2.7")], &own, 6379, false);
        assert!(!local);
        assert_eq!(tried, vec![ip("192.0.2.7")]);
    }

    fn log_of(text: &str) -> SshLog {
        let mut l = SshLog::default();
        for line in text.lines() {
            l.read(line);
        }
        l
    }

    const T: Duration = Duration::from_secs(3);

    #[test]
    fn ssh_says_whether_the_target_refused_or_ssh_failed() {
        let refused = "Authenticated to 10.9.9.9 ([10.9.9.9]:22) using \"publickey\".\r\nchannel 0: open failed: connect failed: Connection refused\r\nstdio forwarding failed\n";
        assert!(matches!(
            log_of(refused).verdict(Some(false), T),
            Some(Closed::Reach(Reach::Refused))
        ));
        assert!(matches!(
            log_of("channel 0: open failed: connect failed: No route to host\n")
                .verdict(Some(false), T),
            Some(Closed::Reach(Reach::Unreachable { .. }))
        ));
        match log_of("root@10.9.9.9: Permission denied (publickey).\n").verdict(Some(false), T) {
            Some(Closed::Broken(b)) => assert!(b.contains("Permission denied"), "{b}"),
            _ => panic!("not broken"),
        }
        match log_of("ssh: connect to host 10.9.9.9 port 22: Connection timed out\n")
            .verdict(Some(false), T)
        {
            Some(Closed::Broken(b)) => assert!(b.contains("Connection timed out"), "{b}"),
            _ => panic!("not broken"),
        }
    }

    #[test]
    fn ssh_logged_in_and_confirmed_then_silence_is_the_server_silent() {
        // the DEBUG2 log of a login and a forwarded channel that the host connected
        let log = "debug1: Connecting to 10.61.2.2 [10.61.2.2] port 22.\n\
            debug1: Authentication succeeded (publickey).\n\
            Authenticated to 10.61.2.2 ([10.61.2.2]:22) using \"publickey\".\n\
            debug1: channel_connect_stdio_fwd: 10.61.2.1:6379\n\
            debug2: channel 0: open confirm rwindow 2097152 rmax 32768\n";
        let l = log_of(log);
        assert!(l.authenticated && l.confirmed, "{l:?}");
        // killed at the timeout, or ended: the server took the connection (None: Silent)
        assert!(l.verdict(None, T).is_none());
        assert!(l.verdict(Some(true), T).is_none());
    }

    #[test]
    fn ssh_logged_in_without_a_confirmation_is_filtered_and_never_logged_in_is_broken() {
        let l = log_of("Authenticated to h ([10.0.0.1]:22) using \"publickey\".\n");
        assert!(matches!(
            l.verdict(None, T),
            Some(Closed::Reach(Reach::TimedOut))
        ));
        // stuck in key exchange (a ProxyCommand that only says its version): no login in time
        let l = log_of(
            "debug1: Remote protocol version 2.0, remote software version OpenSSH_9.2\n\
             debug1: SSH2_MSG_KEXINIT sent\n",
        );
        match l.verdict(None, T) {
            Some(Closed::Broken(b)) => {
                assert!(b.contains("ssh did not log in within 3.0 s"), "{b}")
            }
            other => panic!("not broken: {}", other.is_some()),
        }
        // ended on its own without a known reason: still broken, never a pass
        assert!(matches!(l.verdict(Some(false), T), Some(Closed::Broken(_))));
    }

    #[test]
    fn stray_ssh_lines_are_ignored_and_never_taken_for_a_failure() {
        // a banner (with an escape sequence and words of a failure after the login), the
        // post-quantum notice of OpenSSH 10, known-hosts warnings
        let log = "Warning: Permanently added '10.61.2.2' (ED25519) to the list of known hosts.\n\
            ** WARNING: connection is not using a post-quantum key exchange algorithm.\n\
            ** This session may be vulnerable to \"store now, decrypt later\" attacks.\n\
            \x1b[2J\x1b]0;owned\x07Authorised use only\n\
            Authenticated to 10.61.2.2 ([10.61.2.2]:22) using \"publickey\".\n\
            Connection closed by 10.61.2.2 port 22 (banner text after the login)\n";
        let l = log_of(log);
        assert_eq!(l.failure, None, "{l:?}");
        assert!(matches!(
            l.verdict(None, T),
            Some(Closed::Reach(Reach::TimedOut))
        ));
        // a known failure is escaped
        let l = log_of("ssh: Could not resolve hostname x\x1b[2J: Name or service not known\n");
        match l.verdict(Some(false), T) {
            Some(Closed::Broken(b)) => {
                assert!(b.contains("Could not resolve hostname"), "{b}");
                assert!(!b.contains('\x1b'), "{b}");
            }
            _ => panic!("not broken"),
        }
        assert!(
            log_of("Warning: Permanently added 'x' (ED25519) to the list of known hosts.\n")
                .failure
                .is_none()
        );
    }

    #[test]
    fn postgres_answers_are_read() {
        let mut sasl = 10u32.to_be_bytes().to_vec();
        sasl.extend_from_slice(b"SCRAM-SHA-256\0\0");
        assert_eq!(
            pg_answer(b'R', &sasl, true),
            Answer::PgPassword {
                method: "SASL SCRAM-SHA-256".into(),
                tls: true
            }
        );
        assert_eq!(
            pg_answer(b'R', &0u32.to_be_bytes(), false),
            Answer::PgTrust { tls: false }
        );
        let e = b"SFATAL\0C28000\0Mno pg_hba.conf entry for host \"10.1.1.2\"\0\0";
        assert_eq!(
            pg_answer(b'E', e, false),
            Answer::PgHbaRejects { tls: false }
        );
        let s = startup("app", "db");
        assert_eq!(
            u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize,
            s.len()
        );
    }
}
