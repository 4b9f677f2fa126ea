//! The check matrix: pure functions from observations to findings. No I/O, no async.
//! `doctor` and `preflight` pick from the same matrix by tag; `--list` and the man page read
//! the same docs.

pub mod cluster;
pub mod exposure;
pub mod http;
pub mod jwt;
pub mod kernel;
pub mod lb;
pub mod log;
pub mod nic;
pub mod path;
pub mod postgres;
pub mod preflight;
pub mod redis;
pub mod sentinel;
pub mod tls;

use crate::config::Thresholds;
use crate::exit::UsageError;
use crate::model::{Finding, Verdict};
use crate::observe::cluster::ClusterObservation;
use crate::observe::http::HttpObservation;
use crate::observe::jwt::JwtObservation;
use crate::observe::kernel::KernelObservation;
use crate::observe::lb::LbObservation;
use crate::observe::nic::NicObservation;
use crate::observe::postgres::PostgresSnapshot;
use crate::observe::preflight::PreflightObservation;
use crate::observe::redis::RedisObservation;
use crate::observe::redis::RedisSnapshot;
use crate::observe::sentinel::SentinelObservation;
use crate::observe::service::{ListenerRole, ServiceState, MAX_ALTERNATIVES};
use crate::observe::{Observations, ProbeError, TlsLook, TlsReason};

pub use crate::observe::Area;

/// Which logs a `log.*` check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// Each local Redis target's log.
    Redis,
    /// Each local PostgreSQL target's log.
    Postgres,
    /// The kernel's messages.
    Kernel,
}

/// Which subcommands run a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// `statectl doctor`.
    Doctor,
    /// `statectl preflight`.
    Preflight,
}

/// How a check turns observations into a verdict.
#[derive(Clone, Copy)]
pub enum Eval {
    /// Judges whether a Redis target could be reached at all.
    RedisReach(fn(&Result<RedisSnapshot, ProbeError>, Option<&ServiceState>) -> Verdict),
    /// Judges a reachable Redis target.
    Redis(fn(&RedisSnapshot, &Ctx) -> Verdict),
    /// Judges whether a PostgreSQL target could be reached at all.
    PostgresReach(fn(&Result<PostgresSnapshot, ProbeError>, Option<&ServiceState>) -> Verdict),
    /// Judges a reachable PostgreSQL target.
    Postgres(fn(&PostgresSnapshot, &Ctx) -> Verdict),
    /// Judges the live TLS handshake with a Redis or PostgreSQL target (made whether or not
    /// the target could otherwise be reached), given its address.
    Tls(fn(Option<&TlsLook>, &str, &Ctx) -> Verdict),
    /// Judges a Redis or PostgreSQL target seen from `--from`'s vantage point (looked at
    /// whether or not the target could be reached from here); None without a vantage point.
    Exposure(fn(Option<&crate::observe::exposure::ExposureLook>, &Ctx) -> Verdict),
    /// Judges the local kernel.
    Kernel(fn(&KernelObservation, &Ctx) -> Verdict),
    /// Judges a Sentinel deployment.
    Sentinel(fn(&SentinelObservation, &Ctx) -> Verdict),
    /// Judges a Redis Cluster.
    Cluster(fn(&ClusterObservation, &Ctx) -> Verdict),
    /// Judges the data nodes of one deployment together (split brain), given its label.
    RedisGroup(fn(&str, &[&RedisObservation], &Ctx) -> Verdict),
    /// Judges the host's software.
    Preflight(fn(&PreflightObservation, &Ctx) -> Verdict),
    /// Judges the path to one server.
    Path(fn(&crate::observe::path::PathReport, &Ctx) -> Verdict),
    /// Judges one log of a kind.
    Log(LogKind, fn(&crate::observe::log::LogScan, &Ctx) -> Verdict),
    /// Judges one NIC.
    Nic(fn(&NicObservation, &Ctx) -> Verdict),
    /// Judges the load balancer's configuration.
    Lb(fn(&LbObservation, &Ctx) -> Verdict),
    /// Judges the JWKS of the API nodes together.
    Jwt(fn(&JwtObservation, &Ctx) -> Verdict),
    /// Judges one API node.
    Http(fn(&HttpObservation, &Ctx) -> Verdict),
}

/// One check: a stable id, where it looks, who runs it, what it means, and how it judges.
#[derive(Clone, Copy)]
pub struct Check {
    /// Stable dotted id, part of the interface (`redis.maxclients`).
    pub id: &'static str,
    /// The part of the stack it looks at.
    pub area: Area,
    /// Which subcommands run it.
    pub tags: &'static [Tag],
    /// One line: what it checks and when it fails.
    pub doc: &'static str,
    /// Whether the check needs the full probe (the sample window, CONFIG, ACLs …) rather than
    /// only connect + INFO; lets `--only redis.reachable` finish without waiting for a window.
    pub full: bool,
    /// The pure function.
    pub eval: Eval,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

impl Check {
    /// Whether the check runs under `tag`.
    pub fn has(&self, tag: Tag) -> bool {
        self.tags.contains(&tag)
    }
}

/// What a check may read besides its own subject: the thresholds in force and everything the
/// run observed, so facts one area needs from another (the host's RAM for `redis.maxmemory`, local
/// Redis servers' tcp-backlog for `kernel.somaxconn`) are plain reads of observations.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The thresholds in force.
    pub thresholds: &'a Thresholds,
    /// Every observation of the run.
    pub obs: &'a Observations,
}

impl std::ops::Deref for Ctx<'_> {
    type Target = Thresholds;
    fn deref(&self) -> &Thresholds {
        self.thresholds
    }
}

static NOTHING_OBSERVED: Observations = Observations::EMPTY;

impl<'a> Ctx<'a> {
    /// A context with the given thresholds and no other observations.
    pub fn of(thresholds: &'a Thresholds) -> Self {
        Ctx {
            thresholds,
            obs: &NOTHING_OBSERVED,
        }
    }
}

/// The target label kernel findings carry.
pub const KERNEL_TARGET: &str = "kernel";
/// The target name of the host's software checks.
pub const HOST_TARGET: &str = "host";

/// Picks the checks with `tag`, keeping those matching `only` (all when empty) and dropping
/// those matching `skip`. Every pattern must match at least one check.
pub fn select(
    all: &[Check],
    tag: Tag,
    only: &[String],
    skip: &[String],
) -> Result<Vec<Check>, UsageError> {
    let compile = |flag: &str, pats: &[String]| -> Result<Vec<glob::Pattern>, UsageError> {
        pats.iter()
            .filter(|p| !p.is_empty())
            .map(|p| {
                let pat = glob::Pattern::new(p)
                    .map_err(|e| UsageError(format!("{flag} {p}: not a valid glob: {e}")))?;
                if !all.iter().any(|c| pat.matches(c.id)) {
                    return Err(UsageError(format!(
                        "{flag} {p}: no check has this id (see `statectl doctor --list`)"
                    )));
                }
                Ok(pat)
            })
            .collect()
    };
    let only = compile("--only", only)?;
    let skip = compile("--skip", skip)?;
    Ok(all
        .iter()
        .copied()
        .filter(|c| c.has(tag))
        .filter(|c| only.is_empty() || only.iter().any(|p| p.matches(c.id)))
        .filter(|c| !skip.iter().any(|p| p.matches(c.id)))
        .collect())
}

/// Whether any selected check looks at `area`.
pub fn needs(checks: &[Check], area: Area) -> bool {
    checks.iter().any(|c| c.area == area)
}

/// Whether any selected check in `area` needs the full probe.
pub fn needs_full(checks: &[Check], area: Area) -> bool {
    checks.iter().any(|c| c.area == area && c.full)
}

pub fn unreachable_skip(check: &str) -> Verdict {
    Verdict::skip(format!(
        "not checked: the target is unreachable (see {check})"
    ))
}

/// The reachability check of a server area (`redis.reachable`), reported for an unreachable
/// target even when `--only` left it out: a target that cannot be reached is a failure
/// whatever the selection. `own` is the area's list of checks.
fn reach_check(checks: &[Check], own: &[Check]) -> Option<Check> {
    let reach = |c: &Check| matches!(c.eval, Eval::RedisReach(_) | Eval::PostgresReach(_));
    let area = own.first()?.area;
    if checks.iter().any(|c| c.area == area && reach(c)) {
        return None;
    }
    own.iter().copied().find(reach)
}

/// One server target (Redis or PostgreSQL) as the per-target evaluation sees it.
pub struct ServerTarget<'a, S> {
    /// Its label.
    pub target: &'a str,
    /// host:port, for the TLS check.
    pub addr: &'a str,
    /// The snapshot, or why the target could not be reached.
    pub result: &'a Result<S, ProbeError>,
    /// The local service behind a refused address.
    pub service: Option<&'a ServiceState>,
    /// The live TLS handshake.
    pub tls: Option<&'a TlsLook>,
    /// The look from `--from`'s vantage point.
    pub exposure: Option<&'a crate::observe::exposure::ExposureLook>,
}

/// A server area's evaluation, target by target: an unreachable target first gets its area's
/// reachability failure (`reach`, when `--only` left that check out), then every selected check
/// of the area. `judge` applies the area's own shapes (reachability, snapshot); the live TLS
/// shape is shared.
pub fn each_server<'a, S: 'a>(
    area: Area,
    checks: &[Check],
    ctx: &[Ctx<'_>],
    targets: impl IntoIterator<Item = ServerTarget<'a, S>>,
    reach: Option<Check>,
    judge: impl Fn(&Eval, &ServerTarget<'a, S>, &Ctx) -> Option<Verdict>,
    out: &mut Vec<Finding>,
) {
    for o in targets {
        if let (Some(c), Err(_), Some(t)) = (reach, o.result, ctx.first()) {
            if let Some(v) = judge(&c.eval, &o, t) {
                out.push(Finding::new(c.id, o.target, v));
            }
        }
        for (c, t) in checks.iter().zip(ctx) {
            let v = match c.eval {
                Eval::Tls(f) if c.area == area => Some(f(o.tls, o.addr, t)),
                Eval::Tls(_) => None,
                Eval::Exposure(f) if c.area == area => Some(f(o.exposure, t)),
                Eval::Exposure(_) => None,
                ref e => judge(e, &o, t),
            };
            if let Some(v) = v {
                out.push(Finding::new(c.id, o.target, v));
            }
        }
    }
}

/// An area's evaluation: the selected `checks` (each with its context in `ctx`, same order)
/// applied to the area's share of `obs`, findings appended to `out`.
pub type Evaluator = fn(&[Check], &Observations, &[Ctx<'_>], &mut Vec<Finding>);

/// Applies the selected checks to the observations, area by area (`areas`, the registry's
/// evaluators in its order), target by target. A check's context holds
/// only the observations of the areas `reads` says it reads (the registry's declaration), so its
/// verdict cannot depend on which other checks ran.
pub fn evaluate(
    checks: &[Check],
    obs: &Observations,
    thresholds: &Thresholds,
    reads: fn(&Check) -> Vec<Area>,
    areas: &[Evaluator],
) -> Vec<Finding> {
    let views: Vec<Observations> = checks.iter().map(|c| obs.only(&reads(c))).collect();
    let ctx: Vec<Ctx> = views.iter().map(|obs| Ctx { thresholds, obs }).collect();
    let mut out = Vec::new();
    for area in areas {
        area(checks, obs, &ctx, &mut out);
    }
    out
}

/// The failure kind of a probe error, as evidence and in tests.
pub fn failure_kind(e: &ProbeError) -> &'static str {
    match e {
        ProbeError::Refused { .. } => "refused",
        ProbeError::ConnectTimeout { .. } => "connect_timeout",
        ProbeError::Timeout { .. } => "timeout",
        ProbeError::TlsToPlain { .. } => "tls_to_plain",
        ProbeError::PlainToTls { .. } => "plain_to_tls",
        ProbeError::Tls { reason, .. } => match reason {
            TlsReason::UnknownIssuer => "tls_unknown_issuer",
            TlsReason::NameMismatch => "tls_name_mismatch",
            TlsReason::Expired | TlsReason::NotYetValid => "tls_expired",
            TlsReason::ProtocolVersion => "tls_protocol_version",
            TlsReason::ClientCertRequired | TlsReason::ClientCertRejected => "tls_client_cert",
            TlsReason::TlsRequired => "tls_required",
            TlsReason::NotOffered => "tls_not_offered",
            TlsReason::Other => "tls",
        },
        ProbeError::Auth { .. } => "auth",
        ProbeError::Resolve { .. } => "resolve",
        ProbeError::Protocol { .. } => "protocol",
        ProbeError::Interrupted { .. } => "interrupted",
        ProbeError::Full { .. } => "maxclients",
        ProbeError::Other { .. } => "other",
    }
}

/// The remediation for a failed TLS handshake, naming the options of `service`'s client.
pub fn tls_fix(reason: TlsReason, service: &str, host: &str, addr: &str) -> String {
    let pg = service == tls::POSTGRES.name;
    let api = service == http::API.name;
    // the client's options, where the server sets its protocol versions and client auth
    let (ca, cert, key, versions, client_auth) = if pg {
        (
            "sslrootcert=FILE (or PGSSLROOTCERT, ~/.postgresql/root.crt)",
            "sslcert",
            "sslkey",
            "ssl_min_protocol_version = 'TLSv1.3', ssl_max_protocol_version unset",
            "clientcert in pg_hba.conf",
        )
    } else if api {
        (
            "--http-ca FILE",
            "--http-cert",
            "--http-key",
            "ssl_protocols TLSv1.3; in nginx, or the API server's TLS settings",
            "ssl_verify_client on in nginx",
        )
    } else {
        (
            "--tls-ca FILE (or ?cacert=FILE in the URL)",
            "--tls-cert",
            "--tls-key",
            "tls-protocols \"TLSv1.3\"",
            "tls-auth-clients yes",
        )
    };
    let check = format!(
        "`openssl s_client -connect {addr} -servername {host}{}`",
        if pg { " -starttls postgres" } else { "" }
    );
    match reason {
        TlsReason::UnknownIssuer => format!(
            "Trust the CA that signed the server's certificate: {ca}, or install it in the system store (update-ca-certificates); check the chain with {check}"
        ),
        TlsReason::NameMismatch => format!(
            "Connect by a name the certificate lists, or reissue it with {host} in its subjectAltName; {}check with {check}",
            if pg { "sslmode=verify-ca skips only the name check; " } else { "" }
        ),
        TlsReason::Expired | TlsReason::NotYetValid => format!(
            "Renew the server's certificate (and check this machine's clock); see its dates with {check} | openssl x509 -noout -dates"
        ),
        TlsReason::ProtocolVersion => format!(
            "Allow TLS 1.3 on the server ({versions}); check with {check} -tls1_3"
        ),
        TlsReason::ClientCertRequired | TlsReason::ClientCertRejected => format!(
            "The server authenticates clients ({client_auth}): give {cert} FILE and {key} FILE, a certificate signed by the CA the server trusts"
        ),
        TlsReason::TlsRequired => format!(
            "The server takes this client only over TLS (hostssl in pg_hba.conf): connect with sslmode=verify-full and sslrootcert=FILE (or sslmode=require); verify with `psql \"host={host} sslmode=verify-full\" -c 'select 1'`"
        ),
        TlsReason::NotOffered => format!(
            "The server does not offer TLS: set ssl = on with ssl_cert_file and ssl_key_file in postgresql.conf and reload, or lower sslmode; check with {check}"
        ),
        TlsReason::Other => format!(
            "Check that {addr} speaks TLS and shares a protocol version and cipher suite with this client (TLS 1.2 or 1.3); check with {check}"
        ),
    }
}

/// A refused local target's verdict with what is true on this host: the unit that exists and
/// its state, or the server listening elsewhere, as evidence and remediation.
pub fn with_service(mut v: Verdict, s: Option<&ServiceState>) -> Verdict {
    let Some(s) = s else {
        return v;
    };
    if let Some(u) = s.units.first() {
        v = v.with("unit", u);
    }
    if let Some(st) = &s.state {
        v = v.with(
            "unit_state",
            format!("{} ({}), result {}", st.active, st.sub, st.result),
        );
    }
    if let Some(why) = &s.systemd_absent {
        v = v.with("systemd", why);
    }
    // only what a client could have meant, each said what it is; the rest counted
    let all = s.alternatives();
    for a in all.iter().take(MAX_ALTERNATIVES) {
        v = v.with("listening_elsewhere", a.to_string());
    }
    if let Some(rest) = all.get(MAX_ALTERNATIVES..).filter(|r| !r.is_empty()) {
        let count = |r: ListenerRole| rest.iter().filter(|a| a.role == r).count();
        let kinds: Vec<String> = [
            (ListenerRole::Server, s.service.as_str()),
            (ListenerRole::ClusterNode, "cluster node(s)"),
            (ListenerRole::Sentinel, "sentinel(s)"),
        ]
        .into_iter()
        .filter(|(r, _)| count(*r) > 0)
        .map(|(r, what)| format!("{} {what}", count(r)))
        .collect();
        v = v.with(
            "listening_elsewhere",
            format!(
                "… and {} more: {} (`ss -ltnp` lists them)",
                rest.len(),
                kinds.join(", ")
            ),
        );
    }
    // the general advice's last step still applies: how to see it fixed
    let verify = v
        .remediation
        .find("verify with")
        .map(|i| format!("; then {}", &v.remediation[i..]))
        .unwrap_or_default();
    let fix = format!(
        "Nothing listens on port {}: {}{verify}",
        s.port,
        s.remediation()
    );
    v.fix(fix)
}

/// The failing verdict for a target that could not be reached, with the remediation that fits
/// each kind of failure. `verify` is the command that shows it fixed (HOST and PORT filled in).
pub fn unreachable_verdict(e: &ProbeError, service: &str, verify: &str) -> Verdict {
    let addr = e.addr();
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, ""));
    let host = host.trim_matches(|c| c == '[' || c == ']');
    let verify = &verify.replace("HOST", host).replace("PORT", port);
    let (summary, fix) = match e {
        ProbeError::Refused { addr } => (
            format!("connection refused at {addr}"),
            format!("Nothing listens there: start {service} (systemctl start …) or fix its bind/port settings, or a firewall REJECT rule; verify with `{verify}`"),
        ),
        ProbeError::ConnectTimeout { addr, timeout } => (
            format!(
                "no TCP handshake with {addr} within {}",
                humantime::format_duration(*timeout)
            ),
            format!(
                "Packets to {host} go nowhere: a blackholed or missing route, or a firewall dropping SYNs; check `ip route get {host}`, security groups and `nft list ruleset`, then verify with `{verify}`"
            ),
        ),
        ProbeError::Timeout { addr, timeout, stage } => (
            format!(
                "no answer from {addr} within {} while {stage}",
                humantime::format_duration(*timeout)
            ),
            format!(
                "The port accepts connections but {service} does not answer: the process may be stopped (SIGSTOP, a debugger), \
                 blocked by a long command, or swapping; look for state T or a busy CPU with `ps -eo pid,stat,pcpu,comm`; verify with `{verify}`"
            ),
        ),
        ProbeError::TlsToPlain { addr } if service == http::API.name => (
            format!("{addr} speaks plain text, but TLS was asked for (https://)"),
            format!("Use http://{addr} for this port, or point https:// at the port that serves TLS; verify with `{verify}`"),
        ),
        ProbeError::TlsToPlain { addr } if service == tls::POSTGRES.name => (
            format!("{addr} speaks plain text, but TLS was asked for (sslmode)"),
            format!("Use sslmode=disable (or prefer) for this server, or enable ssl = on in its postgresql.conf; verify with `{verify}`"),
        ),
        ProbeError::TlsToPlain { addr } => (
            format!("{addr} speaks plain text, but TLS was asked for (rediss://)"),
            format!("Use redis://{addr} for this port, or point rediss:// at the server's tls-port; verify with `{verify}`"),
        ),
        ProbeError::PlainToTls { addr } if service == http::API.name => (
            format!("{addr} speaks TLS, but plain text was sent (http://)"),
            format!("Use https://{addr} (with --http-ca naming the CA that signed its certificate); verify with `{verify}`"),
        ),
        ProbeError::PlainToTls { addr } => (
            format!("{addr} speaks TLS, but plain text was sent (redis://)"),
            format!("Use rediss://{addr} (with the CA that signed its certificate); verify with `redis-cli --tls -h {host} -p {port} PING`"),
        ),
        ProbeError::Tls {
            addr,
            reason,
            detail,
        } => (
            match reason {
                // no handshake was tried: the server wanted one
                TlsReason::TlsRequired => format!("{addr} takes this client only over TLS: {detail}"),
                _ => format!("TLS handshake with {addr} failed: {detail}"),
            },
            tls_fix(*reason, service, host, addr),
        ),
        ProbeError::Auth { addr, detail } => (
            format!("authentication failed at {addr}: {detail}"),
            format!("Supply the right credentials for {service} (URL, environment or password file); the password itself is never printed"),
        ),
        ProbeError::Resolve { addr, detail } => (
            format!("cannot resolve {addr}: {detail}"),
            "Fix the host name or DNS (/etc/hosts, resolv.conf)".to_string(),
        ),
        ProbeError::Protocol { addr, detail, .. } => (
            format!("{addr}: {detail}"),
            format!("Point the target at {service}'s port; something else listens at {addr} (`ss -ltnp 'sport = :{port}'` names it)"),
        ),
        ProbeError::Interrupted { addr } => {
            return Verdict::new(
                crate::model::Status::Error,
                format!("{addr}: interrupted (Ctrl-C) before the probe finished"),
            )
            .with("failure", "interrupted")
            .fix(format!("Run again and let it finish; verify with `{verify}`"));
        }
        ProbeError::Full { addr, detail } => (
            format!("{addr} refused a new connection: {detail} (every client slot, maxclients, is taken)"),
            format!(
                "Find who holds the connections (`ss -tn state established '( sport = :{port} )'` on the server, grouped by peer; CLIENT LIST from a connection you already hold) and fix the leak or the pool sizes; \
                 or raise maxclients (CONFIG SET maxclients N, and the open-files limit: LimitNOFILE); verify with `{verify}`"
            ),
        ),
        ProbeError::Other { addr, detail } => (
            format!("{addr}: {detail}"),
            format!("Check that {service} is running and reachable; verify with `{verify}`"),
        ),
    };
    let mut v = Verdict::new(crate::model::Status::Fail, summary)
        .with("failure", failure_kind(e))
        .fix(fix);
    if let ProbeError::Protocol {
        first_bytes: Some(b),
        ..
    } = e
    {
        v = v.with("first_bytes", b);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    // issue 12, defect 29: one remediation fitted every failure
    #[test]
    fn each_failure_kind_gets_its_own_remediation() {
        let a = || "10.0.0.5:6379".to_string();
        let t = Duration::from_secs(2);
        let table = [
            (
                ProbeError::Refused { addr: a() },
                "refused",
                "Nothing listens",
            ),
            (
                ProbeError::ConnectTimeout {
                    addr: a(),
                    timeout: t,
                },
                "connect_timeout",
                "ip route get 10.0.0.5",
            ),
            (
                ProbeError::Timeout {
                    addr: a(),
                    timeout: t,
                    stage: "waiting for PING".into(),
                },
                "timeout",
                "accepts connections",
            ),
            (
                ProbeError::TlsToPlain { addr: a() },
                "tls_to_plain",
                "Use redis://",
            ),
            (
                ProbeError::PlainToTls { addr: a() },
                "plain_to_tls",
                "Use rediss://",
            ),
            (
                ProbeError::Tls {
                    addr: a(),
                    reason: TlsReason::UnknownIssuer,
                    detail: "unknown issuer".into(),
                },
                "tls_unknown_issuer",
                "--tls-ca FILE",
            ),
            (
                ProbeError::Tls {
                    addr: a(),
                    reason: TlsReason::ClientCertRequired,
                    detail: "the server requires a client certificate".into(),
                },
                "tls_client_cert",
                "--tls-cert FILE and --tls-key FILE",
            ),
            (
                ProbeError::Tls {
                    addr: a(),
                    reason: TlsReason::ProtocolVersion,
                    detail: "no version in common".into(),
                },
                "tls_protocol_version",
                "Allow TLS 1.3",
            ),
            (
                ProbeError::Auth {
                    addr: a(),
                    detail: "wrong password".into(),
                },
                "auth",
                "credentials",
            ),
            (
                ProbeError::Protocol {
                    addr: a(),
                    expected: "a Redis server".into(),
                    detail: "x".into(),
                    first_bytes: Some("HTTP/1.1".into()),
                },
                "protocol",
                "something else listens",
            ),
        ];
        let mut seen = std::collections::HashSet::new();
        for (e, kind, fix) in table {
            let v = unreachable_verdict(&e, "redis-server", "redis-cli -h HOST -p PORT PING");
            assert_eq!(failure_kind(&e), kind);
            assert!(
                v.evidence
                    .iter()
                    .any(|x| x.key == "failure" && x.value == kind),
                "{v:?}"
            );
            assert!(v.remediation.contains(fix), "{kind}: {}", v.remediation);
            assert!(
                seen.insert(v.remediation.clone()),
                "{kind} shares its remediation"
            );
        }
    }
}
