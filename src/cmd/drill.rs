//! `statectl drill store-outage`: steady requests to the API, the store cut off for `--for`,
//! then restored; what the API answered is judged in statectl_core::drill.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use statectl_core::drill::{self, HealthRun, OutageRun, Outcome, Sample};

use crate::cancel::CancellationToken;
use crate::cli::{OutageMode, OutputArgs, StoreOutageArgs};
use crate::exit::{Exit, UsageError};
use crate::model::Report;
use crate::render::{self, Style};

use statectl_core::drill::{NFT_TABLE as TABLE, WATCHDOG_MARGIN};

/// An injected fault, and how to remove it.
enum Fault {
    /// nftables set elements (address . port) that expire by themselves.
    Nft {
        elements: Vec<(&'static str, String)>,
    },
    /// A stopped process and the detached watchdog that will continue it.
    Freeze {
        pid: u32,
        watchdog: std::process::Child,
    },
}

/// The store's address: its host's addresses and its port.
struct Store {
    label: String,
    host: String,
    port: u16,
    redis: bool,
}

fn store(url: &str) -> Result<Store, UsageError> {
    let bad = |why: &str| {
        UsageError(format!(
            "--store {}: {why}",
            statectl_core::redact::redact_url(url)
        ))
    };
    let u = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    let (redis, default_port) = match u.scheme() {
        "redis" | "rediss" => (true, 6379),
        "postgresql" | "postgres" => (false, 5432),
        s => {
            return Err(bad(&format!(
                "scheme {s}: redis://, rediss://, postgresql:// or postgres://"
            )))
        }
    };
    let host = u
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("no host"))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    Ok(Store {
        label: statectl_core::redact::redact_url(url),
        host,
        port: u.port().unwrap_or(default_port),
        redis,
    })
}

/// Runs `nft -f -` with `script`; the error is nft's.
fn nft(script: &str) -> Result<(), String> {
    let mut child = Command::new("nft")
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("nft: {e} (install nftables)"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(script.as_bytes())
        .map_err(|e| format!("nft: {e}"))?;
    let out = child.wait_with_output().map_err(|e| format!("nft: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "nft: {}",
            String::from_utf8_lossy(&out.stderr)
                .trim()
                .replace('\n', "; ")
        ))
    }
}

/// The table, its sets (address . port, with timeouts) and the output rules that cut the
/// elements off: rejected with TCP resets, or dropped.
fn nft_table(mode: OutageMode) -> String {
    let verdict = match mode {
        OutageMode::Reject => "reject with tcp reset",
        _ => "drop",
    };
    // the table is made anew: one left by a killed drill (empty sets, its own verdict) must
    // not add its rule ahead of this one
    format!(
        "add table inet {TABLE}\ndelete table inet {TABLE}\ntable inet {TABLE} {{\n  set v4 {{ type ipv4_addr . inet_service; flags timeout; }}\n  set v6 {{ type ipv6_addr . inet_service; flags timeout; }}\n  chain out {{\n    type filter hook output priority 0; policy accept;\n    ip daddr . tcp dport @v4 {verdict}\n    ip6 daddr . tcp dport @v6 {verdict}\n  }}\n}}\n"
    )
}

/// The store's process id, from its own INFO, when it is a Redis on this host.
async fn redis_pid(url: &str, timeout: Duration) -> Result<u32, String> {
    let target = crate::targets::RedisTarget::parse(
        url,
        &crate::targets::RedisAuthSources::from_env(None, &Default::default()),
    )
    .map_err(|e| e.to_string())?;
    local_pid(&target, timeout).await.map(|(pid, _)| pid)
}

fn signal(pid: u32, sig: libc::c_int) -> Result<(), String> {
    // SAFETY: kill takes no pointers.
    if unsafe { libc::kill(pid as libc::pid_t, sig) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error().to_string())
    }
}

impl Fault {
    /// SIGSTOP of `pid`, with a detached watchdog that continues it `lasting` + the margin later.
    fn freeze(pid: u32, lasting: Duration) -> Result<Fault, String> {
        let expire = lasting + WATCHDOG_MARGIN;
        // detached (its own session), so it outlives statectl killed with SIGKILL
        let watchdog = {
            use std::os::unix::process::CommandExt;
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!(
                    "sleep {:.3}; kill -CONT {pid}",
                    expire.as_secs_f64()
                ))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            // SAFETY: setsid is async-signal-safe and touches no memory of ours.
            unsafe {
                c.pre_exec(|| {
                    libc::setsid();
                    Ok(())
                });
            }
            c.spawn().map_err(|e| format!("the watchdog: {e}"))?
        };
        signal(pid, libc::SIGSTOP).map_err(|e| format!("SIGSTOP {pid}: {e}"))?;
        Ok(Fault::Freeze { pid, watchdog })
    }

    async fn inject(
        mode: OutageMode,
        s: &Store,
        url: &str,
        lasting: Duration,
        timeout: Duration,
    ) -> Result<Fault, String> {
        let expire = lasting + WATCHDOG_MARGIN;
        match mode {
            OutageMode::Freeze => Fault::freeze(redis_pid(url, timeout).await?, lasting),
            _ => {
                let addrs: Vec<IpAddr> = tokio::net::lookup_host((s.host.as_str(), s.port))
                    .await
                    .map_err(|e| format!("{}: {e}", s.host))?
                    .map(|a| a.ip())
                    .collect();
                if addrs.is_empty() {
                    return Err(format!("{}: no address", s.host));
                }
                nft(&nft_table(mode))?;
                let elements: Vec<(&'static str, String)> = addrs
                    .iter()
                    .map(|a| {
                        let set = if a.is_ipv4() { "v4" } else { "v6" };
                        (set, format!("{a} . {}", s.port))
                    })
                    .collect();
                let add: String = elements
                    .iter()
                    .map(|(set, e)| {
                        format!(
                            "add element inet {TABLE} {set} {{ {e} timeout {}ms }}\n",
                            expire.as_millis()
                        )
                    })
                    .collect();
                nft(&add)?;
                Ok(Fault::Nft { elements })
            }
        }
    }

    /// What removes the fault if statectl dies first.
    fn watchdog(&self, lasting: Duration) -> String {
        let after = humantime::format_duration(lasting + WATCHDOG_MARGIN);
        match self {
            Fault::Nft { .. } => format!("the nftables set elements expire by themselves {after} after the fault (table inet {TABLE}, left empty)"),
            Fault::Freeze { pid, watchdog } => format!("a detached process ({}) sends SIGCONT to {pid} {after} after the fault", watchdog.id()),
        }
    }

    fn restore(self) -> Result<String, String> {
        match self {
            Fault::Nft { elements } => {
                let del: String = elements
                    .iter()
                    .map(|(set, e)| format!("delete element inet {TABLE} {set} {{ {e} }}\n"))
                    .collect();
                // the element may have expired already: then the table is all there is
                let deleted = nft(&del);
                let dropped = nft(&format!("delete table inet {TABLE}\n"));
                match (deleted, dropped) {
                    (_, Ok(())) => Ok(format!("nftables table inet {TABLE} deleted")),
                    (Ok(()), Err(e)) => Ok(format!(
                        "the nftables elements deleted; the empty table inet {TABLE} stays ({e})"
                    )),
                    (Err(e), Err(_)) => Err(format!(
                        "{e}; remove it with `nft delete table inet {TABLE}` (its elements expire by themselves)"
                    )),
                }
            }
            Fault::Freeze { pid, mut watchdog } => {
                let r = signal(pid, libc::SIGCONT)
                    .map(|()| format!("SIGCONT sent to {pid}"))
                    .map_err(|e| format!("SIGCONT {pid}: {e}; run `kill -CONT {pid}`"));
                let _ = watchdog.kill();
                let _ = watchdog.wait();
                r
            }
        }
    }
}

/// The mode as the flag spells it.
fn mode_name(m: OutageMode) -> &'static str {
    match m {
        OutageMode::Reject => "reject",
        OutageMode::Blackhole => "blackhole",
        OutageMode::Freeze => "freeze",
    }
}

/// Asks at the terminal, or refuses without --yes: `what` says what the drill does ("drill
/// store-outage cuts … off for 10s").
fn confirm(yes: bool, what: &str) -> Result<(), UsageError> {
    if yes {
        return Ok(());
    }
    let refuse = || UsageError(format!("{what}: give --yes to run it (on staging)"));
    if !std::io::stdin().is_terminal() {
        return Err(refuse());
    }
    eprint!("statectl: {what}. Go on? [y/N] ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|_| refuse())?;
    if matches!(line.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(refuse())
    }
}

fn client(a: &StoreOutageArgs) -> Result<reqwest::Client, UsageError> {
    let mut b = reqwest::Client::builder()
        .timeout(a.request_timeout)
        .connect_timeout(a.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("statectl-drill/", env!("CARGO_PKG_VERSION")));
    // one client for the API and every health endpoint: TLS roots when any of them is https
    if std::iter::once(&a.api)
        .chain(&a.health_url)
        .any(|u| u.starts_with("https:"))
    {
        let tls = crate::tls::TlsClient::new(crate::tls::TlsOptions {
            verify: crate::tls::Verify::Full,
            roots: match &a.http_ca {
                Some(p) => crate::tls::Roots::File(p.clone()),
                None => crate::tls::Roots::System,
            },
            cert: None,
            key: None,
            names: crate::tls::HTTP_NAMES,
        })
        .map_err(UsageError)?;
        let mut cfg = (*tls.config()).clone();
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        b = b.use_preconfigured_tls(cfg);
    }
    b.build().map_err(|e| UsageError(format!("--api: {e}")))
}

/// One request's outcome.
async fn request(c: &reqwest::Client, url: &str, timeout: Duration) -> Outcome {
    match c.get(url).send().await {
        Ok(r) => {
            let code = r.status().as_u16();
            // the body is read so the connection is reused: at most the probes' cap is kept,
            // the timeout bounds an endless one
            let _ = crate::probe::http::read_body(r, timeout).await;
            match code {
                200..=299 => Outcome::Ok(code),
                503 => Outcome::Unavailable,
                500..=599 => Outcome::ServerError(code),
                _ => Outcome::Other(code),
            }
        }
        Err(e) if e.is_timeout() => Outcome::Hung,
        Err(e) => Outcome::Failed(crate::probe::http::cause(&e, timeout)),
    }
}

/// Sends a request to `url` every `every` until `stop`, each on its own task so a hung one
/// blocks nothing; each outcome goes to `tx` tagged `idx`. Ends when the last in flight has.
fn sender(
    http: &reqwest::Client,
    url: String,
    every: Duration,
    timeout: Duration,
    stop: &CancellationToken,
    tx: &tokio::sync::mpsc::UnboundedSender<(usize, Instant, Duration, Outcome)>,
    idx: usize,
) -> tokio::task::JoinHandle<()> {
    let (http, stop, tx) = (http.clone(), stop.clone(), tx.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut inflight = Vec::new();
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.cancelled() => break,
            }
            let (http, url, tx) = (http.clone(), url.clone(), tx.clone());
            inflight.push(tokio::spawn(async move {
                let sent = Instant::now();
                let o = request(&http, &url, timeout).await;
                let _ = tx.send((idx, sent, sent.elapsed(), o));
            }));
        }
        for t in inflight {
            let _ = t.await;
        }
    })
}

/// One store-outage drill at a time in this network namespace: its nftables table is the
/// namespace's (each drill makes it anew, which would delete a running drill's fault and end
/// its outage early while it still measures one). The lock is a file in /run (else the temp
/// directory) named by the namespace's inode, held with flock until the drill ends; the
/// kernel releases it if statectl dies (its fault's watchdog still removes the fault).
fn one_drill_per_namespace() -> anyhow::Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let ns = std::fs::metadata("/proc/self/ns/net")
        .map(|m| m.ino())
        .unwrap_or(0);
    let dir = if std::path::Path::new("/run").is_dir() {
        std::path::PathBuf::from("/run")
    } else {
        std::env::temp_dir()
    };
    let path = dir.join(format!("statectl-drill-net{ns}.lock"));
    let f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&path)
        .map_err(|e| {
            anyhow::anyhow!("drill store-outage: the drill lock {}: {e}", path.display())
        })?;
    // SAFETY: flock on a descriptor this function owns.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
            return Err(anyhow::anyhow!(
                "drill store-outage: another drill is running in this network namespace (it holds {}); one fault at a time: wait for it to end",
                path.display()
            ));
        }
        return Err(anyhow::anyhow!(
            "drill store-outage: the drill lock {}: {e}",
            path.display()
        ));
    }
    Ok(f)
}

/// `statectl drill store-outage`.
pub async fn store_outage(
    a: &StoreOutageArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    let s = store(&a.store)?;
    let api = url::Url::parse(&a.api)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            UsageError(format!(
                "--api {}: an http:// or https:// URL",
                statectl_core::redact::redact_url(&a.api)
            ))
        })?;
    if a.rate == 0 || a.rate > 10_000 {
        return Err(UsageError(format!(
            "--rate {}: between 1 and 10000 requests per second",
            a.rate
        ))
        .into());
    }
    if a.mode == OutageMode::Freeze && !s.redis {
        return Err(UsageError(
            "--mode freeze: a Redis store only (its INFO names its process); cut PostgreSQL off with --mode reject or blackhole".into(),
        )
        .into());
    }
    let mut health = Vec::new();
    for h in &a.health_url {
        health.push(
            url::Url::parse(h)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    UsageError(format!(
                        "--health-url {}: an http:// or https:// URL",
                        statectl_core::redact::redact_url(h)
                    ))
                })?,
        );
    }
    let http = client(a)?;
    confirm(
        a.yes,
        &format!(
            "drill store-outage cuts {} off from this host for {} ({})",
            s.label,
            humantime::format_duration(a.duration),
            mode_name(a.mode)
        ),
    )?;
    let _one_at_a_time = one_drill_per_namespace()?;
    let api_label = statectl_core::redact::redact_url(api.as_str());
    let started = SystemTime::now();
    let clock = Instant::now();
    let every = Duration::from_secs_f64(1.0 / a.rate as f64);
    // samples tagged by the URL they came from: 0 the API, 1.. each --health-url
    let (tx, mut rx) =
        tokio::sync::mpsc::unbounded_channel::<(usize, Instant, Duration, Outcome)>();
    let stop_sending = CancellationToken::new();
    let urls: Vec<String> = std::iter::once(api.to_string())
        .chain(health.iter().map(|u| u.to_string()))
        .collect();
    let senders: Vec<_> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| {
            sender(
                &http,
                url.clone(),
                every,
                a.request_timeout,
                &stop_sending,
                &tx,
                i,
            )
        })
        .collect();
    let sender = futures::future::join_all(senders);
    drop(tx);
    let quiet = out.quiet;
    let say = |m: String| {
        if !quiet {
            eprintln!("statectl: {m}");
        }
    };
    say(format!(
        "requests to {api_label} at {}/s; the fault in {}",
        a.rate,
        humantime::format_duration(a.before)
    ));
    crate::cancel::sleep(cancel, a.before).await;
    let mut fault_at = Instant::now();
    let mut restore = Err("the fault was never injected".to_string());
    let mut watchdog = "none: no fault injected".to_string();
    let mut restored_at = fault_at;
    if !cancel.is_cancelled() {
        let fault = Fault::inject(a.mode, &s, &a.store, a.duration, a.request_timeout).await;
        fault_at = Instant::now();
        match fault {
            Err(e) => {
                stop_sending.cancel();
                let _ = sender.await;
                return Err(anyhow::anyhow!(
                    "drill store-outage: could not cut {} off: {e}",
                    s.label
                ));
            }
            Ok(f) => {
                watchdog = f.watchdog(a.duration);
                say(format!(
                    "{} cut off ({}) for {}",
                    s.label,
                    mode_name(a.mode),
                    humantime::format_duration(a.duration)
                ));
                crate::cancel::sleep(cancel, a.duration).await;
                restore = tokio::task::spawn_blocking(move || f.restore()).await?;
                restored_at = Instant::now();
                say(match &restore {
                    Ok(how) => format!("restored: {how}"),
                    Err(e) => format!("NOT restored: {e}"),
                });
            }
        }
    }
    // after the restore: until the first 2xx, or the recovery deadline
    // (the API and every health endpoint)
    let mut samples: Vec<(usize, Instant, Duration, Outcome)> = Vec::new();
    let deadline = restored_at + a.recovery_deadline;
    let mut recovered = vec![false; urls.len()];
    while !cancel.is_cancelled() {
        let now = Instant::now();
        if now >= deadline || recovered.iter().all(|r| *r) {
            break;
        }
        tokio::select! {
            got = rx.recv() => match got {
                Some(x) => {
                    recovered[x.0] |= x.1 >= restored_at && matches!(x.3, Outcome::Ok(_));
                    samples.push(x);
                }
                None => break,
            },
            _ = tokio::time::sleep_until((deadline).into()) => break,
            _ = cancel.cancelled() => break,
        }
    }
    stop_sending.cancel();
    // what is still in flight ends within the request timeout
    let _ = tokio::time::timeout(a.request_timeout + Duration::from_secs(1), sender).await;
    while let Ok(x) = rx.try_recv() {
        samples.push(x);
    }
    let ms = |t: Instant| {
        if t >= fault_at {
            t.duration_since(fault_at).as_secs_f64() * 1e3
        } else {
            -(fault_at.duration_since(t).as_secs_f64() * 1e3)
        }
    };
    samples.sort_by_key(|x| x.1);
    let of = |i: usize| -> Vec<Sample> {
        samples
            .iter()
            .filter(|x| x.0 == i)
            .map(|(_, t, took, outcome)| Sample {
                sent_ms: ms(*t),
                took_ms: took.as_secs_f64() * 1e3,
                outcome: outcome.clone(),
            })
            .collect()
    };
    let run = OutageRun {
        api: api_label,
        store: s.label.clone(),
        mode: mode_name(a.mode).into(),
        restored_ms: ms(restored_at),
        restore,
        watchdog,
        samples: of(0),
        health: health
            .iter()
            .enumerate()
            .map(|(i, u)| HealthRun {
                url: statectl_core::redact::redact_url(u.as_str()),
                samples: of(i + 1),
            })
            .collect(),
        health_deadline_ms: a.health_deadline.as_secs_f64() * 1e3,
        breaker_deadline_ms: a.breaker_deadline.as_secs_f64() * 1e3,
        recovery_deadline_ms: a.recovery_deadline.as_secs_f64() * 1e3,
        request_timeout_ms: a.request_timeout.as_secs_f64() * 1e3,
        interrupted: cancel.is_cancelled(),
    };
    let mut report = Report::new(
        started,
        clock.elapsed().as_millis() as u64,
        drill::findings(&run),
    );
    report.interrupted = run.interrupted;
    let stdout = &mut std::io::stdout().lock();
    render::report(
        stdout,
        out.format,
        Style::resolve(out.color, out.quiet, out.verbose),
        &report,
    )?;
    stdout.flush()?;
    Ok(Exit::from_report(&report.findings, false))
}

// ---- drill failover ---------------------------------------------------------------------------

use crate::cli::{FailoverArgs, FailoverMode};
use crate::probe::redis::RedisSession;
use crate::targets::{Member, RedisTarget, SentinelTarget};

/// The deployment a failover drill runs against: a Sentinel deployment, or one slot of a Redis
/// Cluster (the drill's keys all hash to it).
#[derive(Clone)]
enum Topology {
    Sentinel(SentinelTarget),
    Cluster {
        seed: RedisTarget,
        /// Every node's address, as CLUSTER SLOTS/NODES name them.
        nodes: Vec<String>,
        /// The slot the drill writes to, owned by the master it fails.
        slot: u16,
        /// The hash tag that puts a key in `slot`.
        tag: String,
    },
}

impl Topology {
    fn label(&self) -> String {
        match self {
            Topology::Sentinel(st) => st.label.clone(),
            Topology::Cluster { seed, slot, .. } => format!("cluster {} (slot {slot})", seed.label),
        }
    }

    fn node(&self, addr: &str, role: &str) -> RedisTarget {
        let (host, port) = addr.rsplit_once(':').unwrap_or((addr, "6379"));
        let member = Member {
            deployment: self.label(),
            role: role.into(),
        };
        let host = host.trim_matches(|c| c == '[' || c == ']');
        let port = port.parse().unwrap_or(6379);
        match self {
            Topology::Sentinel(st) => st.data.at(host, port, member),
            Topology::Cluster { seed, .. } => seed.at(host, port, member),
        }
    }

    /// The master a majority agrees on: of the sentinels named, or of the cluster's nodes (the
    /// owner of the drill's slot in each node's CLUSTER SLOTS); and what each said.
    async fn agreed_master(&self, timeout: Duration) -> (Option<String>, Vec<String>) {
        let said: Vec<String> = match self {
            Topology::Sentinel(st) => {
                let asks = st.sentinels.iter().map(|s| async move {
                    let (mut c, _) = RedisSession::connect(s, timeout).await.ok()?;
                    let v: Vec<String> = c
                        .cmd(
                            redis::cmd("SENTINEL")
                                .arg("GET-MASTER-ADDR-BY-NAME")
                                .arg(&st.master),
                            "waiting for SENTINEL GET-MASTER-ADDR-BY-NAME",
                        )
                        .await
                        .ok()?;
                    (v.len() == 2).then(|| format!("{}:{}", v[0], v[1]))
                });
                futures::future::join_all(asks)
                    .await
                    .into_iter()
                    .flatten()
                    .collect()
            }
            Topology::Cluster { nodes, slot, .. } => {
                let asks = nodes.iter().map(|n| async move {
                    let (mut c, _) = RedisSession::connect(&self.node(n, "node"), timeout)
                        .await
                        .ok()?;
                    let v: redis::Value = c
                        .cmd(
                            redis::cmd("CLUSTER").arg("SLOTS"),
                            "waiting for CLUSTER SLOTS",
                        )
                        .await
                        .ok()?;
                    let host = n.rsplit_once(':').map_or(n.as_str(), |(h, _)| h);
                    crate::bench::cluster::parse_slots(&v, host)
                        .into_iter()
                        .find(|(a, b, _)| (*a..=*b).contains(slot))
                        .map(|(_, _, owner)| owner)
                });
                futures::future::join_all(asks)
                    .await
                    .into_iter()
                    .flatten()
                    .collect()
            }
        };
        let asked = match self {
            Topology::Sentinel(st) => st.sentinels.len(),
            Topology::Cluster { nodes, .. } => nodes.len(),
        };
        let majority = asked / 2 + 1;
        let agreed = said
            .iter()
            .find(|a| said.iter().filter(|b| b == a).count() >= majority)
            .cloned();
        (agreed, said)
    }

    /// The key of write `n`: in the drill's slot on a cluster.
    fn key(&self, prefix: &str, n: u64) -> String {
        match self {
            Topology::Sentinel(_) => format!("{prefix}{n}"),
            Topology::Cluster { tag, .. } => format!("{prefix}{{{tag}}}:{n}"),
        }
    }
}

/// A cluster's topology for the drill: its nodes, and a slot of the master to fail (`--node`,
/// else the seed when it is a master, else the first master).
async fn cluster_topology(
    seed: RedisTarget,
    chosen: Option<&str>,
    timeout: Duration,
) -> anyhow::Result<(Topology, String)> {
    let (mut s, _) = RedisSession::connect(&seed, timeout)
        .await
        .map_err(|e| anyhow::anyhow!("--redis {}: {e}", seed.label))?;
    let text: String = s
        .cmd(
            redis::cmd("CLUSTER").arg("NODES"),
            "waiting for CLUSTER NODES",
        )
        .await
        .map_err(|e| anyhow::anyhow!("--redis {}: {e}", seed.label))?;
    let mut nodes = Vec::new();
    let mut masters: Vec<(String, Vec<(u16, u16)>)> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 8 || f[2].contains("fail") || f[2].contains("noaddr") {
            continue;
        }
        let addr = f[1].split('@').next().unwrap_or("").to_string();
        let addr = if addr.starts_with(':') {
            format!("{}{addr}", seed.host)
        } else {
            addr
        };
        nodes.push(addr.clone());
        if f[2].contains("master") {
            let ranges = f[8..]
                .iter()
                .filter(|r| !r.starts_with('['))
                .filter_map(|r| {
                    let (a, b) = r.split_once('-').unwrap_or((r, r));
                    Some((a.parse().ok()?, b.parse().ok()?))
                })
                .collect::<Vec<_>>();
            if !ranges.is_empty() {
                masters.push((addr, ranges));
            }
        }
    }
    let seed_addr = seed.host_port();
    let (master, ranges) = match chosen {
        Some(c) => masters.iter().find(|(a, _)| a == c).ok_or_else(|| {
            UsageError(format!(
                "--node {c}: not a master with slots in {} (masters: {})",
                seed.label,
                masters
                    .iter()
                    .map(|m| m.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
        None => masters
            .iter()
            .find(|(a, _)| *a == seed_addr)
            .or(masters.first())
            .ok_or_else(|| anyhow::anyhow!("{}: no master with slots", seed.label))?,
    };
    // a hash tag whose slot the master serves
    let (tag, slot) = (0u32..)
        .map(|i| {
            let t = format!("drill{i}");
            let slot = crate::bench::cluster::slot(format!("{{{t}}}").as_bytes());
            (t, slot)
        })
        .find(|(_, s)| ranges.iter().any(|(a, b)| (*a..=*b).contains(s)))
        .expect("every master serves some slot");
    Ok((
        Topology::Cluster {
            seed,
            nodes,
            slot,
            tag,
        },
        master.clone(),
    ))
}

/// A process id of a Redis on this host, from its INFO, and how many replicas it has online.
async fn local_pid(t: &RedisTarget, timeout: Duration) -> Result<(u32, usize), String> {
    let (mut s, _) = RedisSession::connect(t, timeout)
        .await
        .map_err(|e| e.to_string())?;
    let info = s.info().await.map_err(|e| e.to_string())?;
    let pid: u32 = info
        .get("process_id")
        .and_then(|p| p.parse().ok())
        .ok_or("its INFO names no process_id")?;
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    if !statectl_core::observe::redis::is_server_process(comm.trim()) {
        return Err(format!(
            "its process {pid} is not a redis-server or valkey-server on this host: freezing works on a server of this host only; run the drill there"
        ));
    }
    let online = info
        .iter()
        .filter(|(k, v)| {
            k.starts_with("slave")
                && k[5..].chars().all(|c| c.is_ascii_digit())
                && v.contains("state=online")
        })
        .count();
    Ok((pid, online))
}

/// One write: (sequence, sent, answered, acknowledged).
type WriteOutcome = (u64, Instant, Instant, bool);

/// The writer: `SET PREFIX:N 1 EX 3600` at `rate`, as a Sentinel client does it: through the
/// master the sentinels agree on, its role checked on connecting (ROLE), the sentinels asked
/// again after a failure and every second (as a client told of +switch-master would move).
async fn writer(
    st: Topology,
    prefix: String,
    rate: u64,
    timeout: Duration,
    stop: CancellationToken,
) -> Vec<WriteOutcome> {
    let mut out = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut conn: Option<(String, RedisSession)> = None;
    let mut asked = Instant::now();
    let mut seq = 0u64;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.cancelled() => break,
        }
        seq += 1;
        let at = Instant::now();
        if conn.is_some() && asked.elapsed() >= Duration::from_secs(1) {
            asked = Instant::now();
            let (m, _) = st.agreed_master(timeout).await;
            if m.is_some_and(|m| conn.as_ref().is_some_and(|(c, _)| *c != m)) {
                conn = None;
            }
        }
        if conn.is_none() {
            asked = Instant::now();
            if let (Some(m), _) = st.agreed_master(timeout).await {
                if let Ok((mut s, _)) = RedisSession::connect(&st.node(&m, "master"), timeout).await
                {
                    let role: Result<redis::Value, _> =
                        s.cmd(&redis::cmd("ROLE"), "waiting for ROLE").await;
                    let master = matches!(&role, Ok(redis::Value::Array(v)) if matches!(v.first(), Some(redis::Value::BulkString(r)) if r == b"master"));
                    if master {
                        conn = Some((m, s));
                    }
                }
            }
        }
        let ok = match conn.as_mut() {
            Some((_, c)) => c
                .cmd::<()>(
                    redis::cmd("SET")
                        .arg(st.key(&prefix, seq))
                        .arg(1)
                        .arg("EX")
                        .arg(3600),
                    "waiting for SET",
                )
                .await
                .is_ok(),
            None => false,
        };
        if !ok {
            conn = None;
        }
        out.push((seq, at, Instant::now(), ok));
    }
    out
}

/// Whether `addr` answers as a replica of `master`.
async fn is_replica_of(
    st: &Topology,
    addr: &str,
    master: &str,
    timeout: Duration,
) -> Result<(), String> {
    let (mut s, _) = RedisSession::connect(&st.node(addr, "replica"), timeout)
        .await
        .map_err(|e| e.to_string())?;
    let info = s.info().await.map_err(|e| e.to_string())?;
    let role = info.get("role").cloned().unwrap_or_default();
    let of = format!(
        "{}:{}",
        info.get("master_host").cloned().unwrap_or_default(),
        info.get("master_port").cloned().unwrap_or_default()
    );
    if role == "slave" && of == master {
        Ok(())
    } else if role == "slave" {
        Err(format!("it is a replica of {of}"))
    } else {
        Err(format!("it answers as role:{role}"))
    }
}

/// Counts the acknowledged writes the new master does not hold, then deletes every key written.
async fn count_lost(
    st: &Topology,
    master: &str,
    prefix: &str,
    writes: &[WriteOutcome],
    timeout: Duration,
) -> Result<u64, String> {
    let (mut s, _) = RedisSession::connect(&st.node(master, "master"), timeout)
        .await
        .map_err(|e| e.to_string())?;
    let acked: Vec<u64> = writes.iter().filter(|w| w.3).map(|w| w.0).collect();
    let mut held = 0u64;
    for chunk in acked.chunks(500) {
        let mut c = redis::cmd("EXISTS");
        for n in chunk {
            c.arg(st.key(prefix, *n));
        }
        let n: u64 = s
            .cmd(&c, "waiting for EXISTS")
            .await
            .map_err(|e| e.to_string())?;
        held += n;
    }
    for chunk in writes.chunks(500) {
        let mut c = redis::cmd("UNLINK");
        for w in chunk {
            c.arg(st.key(prefix, w.0));
        }
        let _: Result<u64, _> = s.cmd(&c, "waiting for UNLINK").await;
    }
    Ok(acked.len() as u64 - held)
}

/// `statectl drill failover`.
pub async fn failover(
    a: &FailoverArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    if a.rate == 0 || a.rate > 10_000 {
        return Err(UsageError(format!(
            "--rate {}: between 1 and 10000 writes per second",
            a.rate
        ))
        .into());
    }
    let auth = crate::targets::RedisAuthSources::from_env(None, &Default::default());
    let (st, old) = if SentinelTarget::is_sentinel_url(&a.redis) {
        if a.cluster || a.node.is_some() {
            return Err(UsageError("--cluster and --node: a Redis Cluster seed (redis://), not a redis+sentinel:// URL".into()).into());
        }
        let st = Topology::Sentinel(SentinelTarget::parse(
            &a.redis,
            &auth,
            a.sentinel_password.as_deref(),
        )?);
        let (old, said) = st.agreed_master(a.timeout).await;
        let old = old.ok_or_else(|| {
            anyhow::anyhow!(
                "{}: the sentinels named do not agree on a master ({})",
                st.label(),
                if said.is_empty() {
                    "none answered".to_string()
                } else {
                    said.join(", ")
                }
            )
        })?;
        (st, old)
    } else if a.cluster {
        let seed = RedisTarget::parse(&a.redis, &auth)?;
        cluster_topology(seed, a.node.as_deref(), a.timeout).await?
    } else {
        return Err(UsageError(format!(
            "--redis {}: a redis+sentinel://host[:26379][,host2…]/MASTERNAME URL, or a Cluster node with --cluster",
            statectl_core::redact::redact_url(&a.redis)
        ))
        .into());
    };
    let (pid, online) = local_pid(&st.node(&old, "master"), a.timeout)
        .await
        .map_err(|e| anyhow::anyhow!("{}: the master {old}: {e}", st.label()))?;
    // without a replica in sync nothing can take over: the drill would only be an outage
    if online == 0 {
        return Err(anyhow::anyhow!(
            "{}: the master {old} has no replica online (INFO replication): nothing would take over, so the drill would only cause an outage; wait for its replicas to sync",
            st.label()
        ));
    }
    confirm(
        a.yes,
        &format!(
            "drill failover {} the master {old} of {} for up to {}",
            match a.mode {
                FailoverMode::Freeze => "freezes",
                FailoverMode::Kill => "kills",
            },
            st.label(),
            humantime::format_duration(a.duration)
        ),
    )?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let say = |m: String| {
        if !out.quiet {
            eprintln!("statectl: {m}");
        }
    };
    let mut id = [0u8; 6];
    getrandom::fill(&mut id).map_err(|e| anyhow::anyhow!("random: {e}"))?;
    let prefix = format!(
        "statectl:drill:{}:",
        id.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let stop = CancellationToken::new();
    let writes = tokio::spawn(writer(
        st.clone(),
        prefix.clone(),
        a.rate,
        a.timeout,
        stop.clone(),
    ));
    say(format!(
        "writing through {} at {}/s; the master {old} (pid {pid}) fails in 1s",
        st.label(),
        a.rate
    ));
    crate::cancel::sleep(cancel, Duration::from_secs(1)).await;
    let fault_at = Instant::now();
    let ms = |t: Instant| t.saturating_duration_since(fault_at).as_secs_f64() * 1e3;
    let mut watchdog_child = None;
    let watchdog;
    if cancel.is_cancelled() {
        watchdog = "none: no fault injected".to_string();
    } else {
        match a.mode {
            FailoverMode::Freeze => match Fault::freeze(pid, a.duration) {
                Ok(f) => {
                    watchdog = f.watchdog(a.duration);
                    watchdog_child = Some(f);
                }
                Err(e) => {
                    stop.cancel();
                    let _ = writes.await;
                    return Err(anyhow::anyhow!("could not freeze {old}: {e}"));
                }
            },
            FailoverMode::Kill => {
                signal(pid, libc::SIGKILL).map_err(|e| anyhow::anyhow!("SIGKILL {pid}: {e}"))?;
                watchdog =
                    "none needed: a killed process is restarted by its service manager".into();
            }
        }
        say(format!(
            "master {old} {}",
            if a.mode == FailoverMode::Kill {
                "killed"
            } else {
                "frozen"
            }
        ));
    }
    // the failover: a majority of the sentinels named agree on another master
    let mut new_master = None;
    let freeze_ends = fault_at + a.duration;
    while !cancel.is_cancelled() && fault_at.elapsed() < a.failover_deadline.max(a.duration) {
        let (agreed, said) = st.agreed_master(a.timeout).await;
        tracing::debug!(?agreed, ?said, "drill: who is the master");
        if let Some(m) = agreed {
            if m != old {
                new_master = Some((m, ms(Instant::now())));
                break;
            }
        }
        if watchdog_child.is_some() && Instant::now() >= freeze_ends {
            break;
        }
        crate::cancel::sleep(cancel, Duration::from_millis(100)).await;
    }
    if let Some((m, t)) = &new_master {
        say(format!(
            "the sentinels agreed on {m} after {:.2} s",
            t / 1e3
        ));
    }
    let restore = match watchdog_child.take() {
        Some(f) => tokio::task::spawn_blocking(move || f.restore()).await?,
        None if a.mode == FailoverMode::Kill => {
            Ok(format!("nothing to restore: {old} was killed (pid {pid})"))
        }
        None => Err("the fault was never injected".into()),
    };
    // the old master's return as a replica of the new one
    let rejoined = match &new_master {
        None => Err("there was no failover".to_string()),
        Some((m, _)) => loop {
            let last = match is_replica_of(&st, &old, m, a.timeout).await {
                Ok(()) => break Ok(ms(Instant::now())),
                Err(e) => e,
            };
            if cancel.is_cancelled() || fault_at.elapsed() >= a.rejoin_deadline {
                break Err(last);
            }
            crate::cancel::sleep(cancel, Duration::from_millis(200)).await;
        },
    };
    // a last second of writes on the new master, then the count
    crate::cancel::sleep(cancel, Duration::from_secs(1)).await;
    stop.cancel();
    let writes = writes.await.unwrap_or_default();
    let failed: Vec<&WriteOutcome> = writes.iter().filter(|w| !w.3).collect();
    let window_end = failed
        .last()
        .and_then(|last| writes.iter().find(|w| w.3 && w.0 > last.0).map(|w| ms(w.2)));
    let (lost, lost_error) = match &new_master {
        Some((m, _)) => match count_lost(&st, m, &prefix, &writes, a.timeout).await {
            Ok(n) => (Some(n), None),
            Err(e) => (None, Some(e)),
        },
        None => (None, Some("no new master".to_string())),
    };
    let run = drill::FailoverRun {
        deployment: st.label(),
        mode: format!("{:?}", a.mode).to_lowercase(),
        old_master: old,
        new_master,
        acknowledged: writes.iter().filter(|w| w.3).count() as u64,
        lost,
        lost_error,
        failed: failed.len() as u64,
        window_start_ms: failed.first().map(|w| ms(w.1)),
        window_end_ms: window_end,
        rejoined,
        restore,
        watchdog,
        failover_deadline_ms: a.failover_deadline.as_secs_f64() * 1e3,
        rejoin_deadline_ms: a.rejoin_deadline.as_secs_f64() * 1e3,
    };
    let mut report = Report::new(
        started,
        clock.elapsed().as_millis() as u64,
        drill::failover_findings(&run),
    );
    report.interrupted = cancel.is_cancelled();
    let stdout = &mut std::io::stdout().lock();
    render::report(
        stdout,
        out.format,
        Style::resolve(out.color, out.quiet, out.verbose),
        &report,
    )?;
    stdout.flush()?;
    Ok(Exit::from_report(&report.findings, false))
}
