//! Targets as the user named them, resolved into connection settings with credentials from the
//! usual places (URL, REDISCLI_AUTH, password files, PG* variables, ~/.pgpass). A target's
//! `label` is what reports show: it never holds a password.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::exit::UsageError;
pub use statectl_core::areas::Inputs;

pub mod args;
mod conninfo;
mod credentials;
mod redis_url;
pub use conninfo::*;
pub use credentials::*;
pub use redis_url::*;
pub use statectl_core::redact::*;
pub mod edge;
pub mod sentinel;
pub use sentinel::SentinelTarget;

/// Prints a warning on stderr, once per text for the whole run.
pub fn warn_once(text: &str) {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut seen) = SEEN.lock() else { return };
    if !seen.iter().any(|s| s == text) {
        // bounded: a run with thousands of targets still warns for each, remembering a few
        if seen.len() < 256 {
            seen.push(text.to_string());
        }
        eprintln!("statectl: warning: {text}");
    }
}

/// `host:port`, with brackets around IPv6 addresses.
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Whether a host name or address is on this machine.
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// Every target of a `doctor` or `preflight` run, resolved and validated once: the areas that
/// no selected check needs get none.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// Redis servers: those named, and after discovery every node of their deployments.
    pub redis: Vec<RedisTarget>,
    /// Sentinel deployments (`redis+sentinel://`).
    pub sentinels: Vec<SentinelTarget>,
    /// Redis Clusters, found by discovery.
    pub clusters: Vec<ClusterTarget>,
    /// Named Redis targets discovery could not reach, by label: their probe reports this
    /// instead of waiting for the same failure again.
    pub redis_failures: Vec<(String, crate::observe::ProbeError)>,
    /// The services declared with `--redis-service NAME=ro|rw`: ACL user → access.
    pub redis_services: std::collections::BTreeMap<String, statectl_core::observe::redis::Access>,
    /// PostgreSQL servers.
    pub postgres: Vec<PostgresTarget>,
    /// Network interfaces.
    pub ifaces: Vec<String>,
    /// The API edge.
    pub edge: edge::EdgeTargets,
    /// What this node is for (`--role`).
    pub roles: Vec<String>,
    /// Where and how far back the log.* checks read.
    pub logs: LogTargets,
    /// Whether the paths to the servers are traced (`--path`).
    pub path: bool,
}

/// The log.* checks' inputs.
#[derive(Debug, Clone, Default)]
pub struct LogTargets {
    /// How far back (`--since`).
    pub since: std::time::Duration,
    /// Explicit files; otherwise each server says where its log is.
    pub redis_log: Option<std::path::PathBuf>,
    /// See `redis_log`.
    pub postgres_log: Option<std::path::PathBuf>,
    /// See `redis_log`.
    pub syslog: Option<std::path::PathBuf>,
}

impl Targets {
    /// Resolves flags and environment for the `inputs` the selected areas declare (their
    /// `AreaEntry::inputs`); the others stay empty. With no Redis or PostgreSQL target named,
    /// the local defaults are checked; naming any replaces them. Bad input is a [`UsageError`]
    /// naming it.
    pub fn resolve(
        args: &crate::targets::args::TargetArgs,
        inputs: &[Inputs],
        root: &crate::probe::kernel::HostRoot,
    ) -> Result<Targets, UsageError> {
        let needs = |i: Inputs| inputs.contains(&i);
        let defaults = args.redis.is_empty() && args.postgres.is_empty();
        let mut t = Targets::default();
        for v in &args.redis_services {
            use statectl_core::observe::redis::Access;
            let (name, access) = Access::parse_service(v).map_err(UsageError)?;
            match t.redis_services.insert(name.clone(), access) {
                Some(before) if before != access => {
                    return Err(UsageError(format!(
                        "--redis-service {name}: declared both {} and {}",
                        before.as_str(),
                        access.as_str()
                    )))
                }
                _ => {}
            }
        }
        if needs(Inputs::RedisServers) {
            let auth =
                RedisAuthSources::from_env(args.redis_password_file.clone(), &args.redis_tls);
            let urls = if defaults {
                vec![DEFAULT_REDIS.to_string()]
            } else {
                args.redis.clone()
            };
            for u in &urls {
                if SentinelTarget::is_sentinel_url(u) {
                    let pw = args.sentinel_password.as_deref();
                    t.sentinels.push(SentinelTarget::parse(u, &auth, pw)?);
                } else {
                    t.redis.push(RedisTarget::parse(u, &auth)?);
                }
            }
        }
        if needs(Inputs::PostgresServers) {
            let env = PgEnv::from_env();
            let conns = if defaults {
                vec![String::new()]
            } else {
                args.postgres.clone()
            };
            t.postgres = conns
                .iter()
                .map(|c| PostgresTarget::parse(c, &env))
                .collect::<Result<_, _>>()?;
        }
        t.roles = args.roles.iter().map(|r| r.as_str().to_string()).collect();
        t.path = args.path;
        if needs(Inputs::LogFiles) {
            let l = &args.logs;
            for (flag, f) in [
                ("--redis-log", &l.redis_log),
                ("--postgres-log", &l.postgres_log),
                ("--syslog", &l.syslog),
            ] {
                // a log may be large (only its end inside --since is read), but it must be a
                // file: a FIFO or a device would never end; between logrotate's rename and
                // create only FILE.1 holds the window
                let rotated = |f: &std::path::PathBuf| {
                    let mut r = f.clone().into_os_string();
                    r.push(".1");
                    std::path::Path::new(&r).is_file()
                };
                if let Some(f) = f.as_ref().filter(|f| f.exists() || !rotated(f)) {
                    crate::input::not_special(f)
                        .map_err(|e| UsageError(format!("{flag} {}: {e}", f.display())))?;
                }
            }
            t.logs = LogTargets {
                since: args.edge.since,
                redis_log: l.redis_log.clone(),
                postgres_log: l.postgres_log.clone(),
                syslog: l.syslog.clone(),
            };
        }
        if needs(Inputs::Edge) {
            t.edge = edge::EdgeTargets::parse(&args.edge, defaults)?;
        }
        if needs(Inputs::Interfaces) {
            if args.iface.is_empty() {
                t.ifaces = crate::probe::kernel::default_route_interfaces(root);
            } else {
                if let Some(i) = args
                    .iface
                    .iter()
                    .find(|i| !crate::probe::nic::exists(root, i))
                {
                    return Err(UsageError(format!(
                        "--iface {i}: no such network interface"
                    )));
                }
                t.ifaces = args.iface.clone();
            }
        }
        Ok(t)
    }

    /// How many targets there are, for progress messages.
    pub fn count(&self) -> usize {
        self.redis.len()
            + self
                .sentinels
                .iter()
                .map(|s| s.sentinels.len())
                .sum::<usize>()
            + self.postgres.len()
            + self.ifaces.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_url_password_never_reaches_the_label() {
        let t =
            RedisTarget::parse("redis://app:s3cret@10.0.0.5:6380/2", &Default::default()).unwrap();
        assert_eq!(t.label, "redis://app@10.0.0.5:6380/2");
        assert_eq!(t.info.redis_settings().password(), Some("s3cret"));
        assert_eq!(t.info.redis_settings().username(), Some("app"));
        assert!(!t.is_local());
    }

    #[test]
    fn redis_password_from_env_when_url_has_none() {
        let auth = RedisAuthSources {
            password_file: None,
            env_password: Some("fromenv".into()),
            ..Default::default()
        };
        let t = RedisTarget::parse("redis://127.0.0.1", &auth).unwrap();
        assert_eq!(t.info.redis_settings().password(), Some("fromenv"));
        assert_eq!((t.port, t.is_local()), (6379, true));
    }

    // issue 13: verify-ca and verify-full were "invalid connection string"; an unknown key was
    // not named
    #[test]
    fn sslmodes_parse_as_libpq_and_bad_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let cert = rcgen::generate_simple_self_signed(vec!["db.test".into()]).unwrap();
        std::fs::write(&ca, cert.cert.pem()).unwrap();
        let env = PgEnv {
            pg_dir: Some(dir.path().join("no-such-dir")),
            ..Default::default()
        };
        let ca_arg = ca.display();
        for (conn, mode, verify) in [
            ("host=db", SslMode::Prefer, Some(crate::tls::Verify::None)),
            ("host=db sslmode=disable", SslMode::Disable, None),
            ("host=db sslmode=require", SslMode::Require, Some(crate::tls::Verify::None)),
            (&format!("host=db sslmode=require sslrootcert={ca_arg}"), SslMode::Require, Some(crate::tls::Verify::Chain)),
            (&format!("host=db sslmode=verify-ca sslrootcert='{ca_arg}'"), SslMode::VerifyCa, Some(crate::tls::Verify::Chain)),
            (&format!("postgresql://u@db:5433/app?sslmode=verify-full&sslrootcert={ca_arg}&application_name=x"), SslMode::VerifyFull, Some(crate::tls::Verify::Full)),
            ("host=/run/postgresql sslmode=require", SslMode::Require, None),
        ] {
            let t = PostgresTarget::parse(conn, &env).unwrap_or_else(|e| panic!("{conn}: {e}"));
            assert_eq!(t.sslmode, mode, "{conn}");
            assert_eq!(t.tls.as_ref().map(|c| c.options.verify), verify, "{conn}");
        }
        let env_mode = PgEnv {
            sslmode: Some("verify-full".into()),
            sslrootcert: Some(ca.display().to_string()),
            ..env.clone()
        };
        let t = PostgresTarget::parse("host=db", &env_mode).unwrap();
        assert_eq!(t.sslmode, SslMode::VerifyFull);
        for (conn, want) in [
            (
                "host=db sslmode=verify-al",
                "invalid sslmode value: \"verify-al\"",
            ),
            ("host=db sslmode=verify-full", "root certificate file"),
            (
                "host=db password=hunter2 bogus_key=1",
                "unknown option `bogus_key`",
            ),
            ("host=db sslcrl=/x", "sslcrl: not supported"),
            (
                "host=db sslmode=require sslcert=/nonexistent/c.pem sslkey=/nonexistent/k.pem",
                "private key file \"/nonexistent/k.pem\"",
            ),
        ] {
            let e = PostgresTarget::parse(conn, &env).unwrap_err().0;
            assert!(e.contains(want), "{conn}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }

    // libpq refuses a key others can read, with its own words
    #[test]
    fn a_client_key_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let c = rcgen::generate_simple_self_signed(vec!["client".into()]).unwrap();
        let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
        std::fs::write(&cert, c.cert.pem()).unwrap();
        std::fs::write(&key, c.signing_key.serialize_pem()).unwrap();
        let conn = format!(
            "host=db sslmode=require sslcert={} sslkey={}",
            cert.display(),
            key.display()
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = PostgresTarget::parse(&conn, &PgEnv::default())
            .unwrap_err()
            .0;
        assert!(e.contains("has group or world access"), "{e}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        let t = PostgresTarget::parse(&conn, &PgEnv::default()).unwrap();
        assert!(t.tls.unwrap().has_client_cert());
    }

    #[test]
    fn redis_tls_files_come_from_flags_or_the_url_and_need_rediss() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let c = rcgen::generate_simple_self_signed(vec!["r.test".into()]).unwrap();
        std::fs::write(&ca, c.cert.pem()).unwrap();
        let url = format!("rediss://r.test:6380?cacert={}", ca.display());
        let t = RedisTarget::parse(&url, &Default::default()).unwrap();
        assert_eq!(
            t.tls.unwrap().options.roots,
            crate::tls::Roots::File(ca.clone())
        );
        let flags = RedisAuthSources {
            tls: crate::targets::args::RedisTlsArgs {
                tls_ca: Some(ca.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        let e = RedisTarget::parse("redis://r.test:6379", &flags)
            .unwrap_err()
            .0;
        assert!(e.contains("need rediss://"), "{e}");
        for (url, want) in [
            (
                "rediss://h:1?cacert=/nonexistent/ca.pem",
                "--tls-ca /nonexistent/ca.pem",
            ),
            ("rediss://h:1?bogus=1", "unknown parameter \"bogus\""),
            ("rediss://h:1?cert=/x.pem", "--tls-cert needs --tls-key"),
        ] {
            let e = RedisTarget::parse(url, &Default::default()).unwrap_err().0;
            assert!(e.contains(want), "{url}: {e}");
        }
    }

    #[test]
    fn password_file_wins_over_env() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "filepw\n").unwrap();
        let auth = RedisAuthSources {
            password_file: Some(f),
            env_password: Some("envpw".into()),
            ..Default::default()
        };
        let t = RedisTarget::parse("redis://[::1]:7000", &auth).unwrap();
        assert_eq!(t.info.redis_settings().password(), Some("filepw"));
        assert_eq!(t.host_port(), "[::1]:7000");
    }

    #[test]
    fn bad_redis_urls_name_the_input_without_password() {
        for bad in [
            "http://x:1",
            "redis://u:topsecret@h:99999",
            "not a url",
            "redis://h/abc",
        ] {
            let e = RedisTarget::parse(bad, &Default::default()).unwrap_err().0;
            assert!(e.starts_with("--redis "), "{e}");
            assert!(!e.contains("topsecret"), "{e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn postgres_env_fills_gaps_and_label_hides_password() {
        let env = PgEnv {
            host: Some("db1".into()),
            port: Some("5433".into()),
            user: Some("app".into()),
            password: Some("pw".into()),
            ..Default::default()
        };
        let t = PostgresTarget::parse("dbname=state", &env).unwrap();
        assert_eq!(t.label, "postgresql://app@db1:5433/state");
        assert_eq!(t.config.get_password(), Some(&b"pw"[..]));
        let t = PostgresTarget::parse("postgresql://u:x@h:1/d", &env).unwrap();
        assert_eq!(t.label, "postgresql://u@h:1/d");
        assert_eq!(t.config.get_password(), Some(&b"x"[..]));
    }

    #[test]
    fn pgpass_is_honoured_with_wildcards_and_escapes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pgpass");
        std::fs::write(&f, "# comment\nother:*:*:*:no\nh:5432:*:app:pa\\:ss\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            pgpass_lookup(&f, "h", 5432, "d", "app").unwrap().as_deref(),
            Some("pa:ss")
        );
        assert_eq!(pgpass_lookup(&f, "h", 5433, "d", "app"), Ok(None));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        // libpq's warning, naming the file
        let e = pgpass_lookup(&f, "h", 5432, "d", "app").unwrap_err();
        assert!(
            e.contains(&format!("\"{}\" has group or world access", f.display())),
            "{e}"
        );
        let e = pgpass_lookup(dir.path(), "h", 5432, "d", "app").unwrap_err();
        assert!(e.contains("is not a plain file"), "{e}");
    }

    #[test]
    fn connection_strings_are_redacted() {
        assert_eq!(
            redact_conn("host=h password=s3 user=u"),
            "host=h password=*** user=u"
        );
        assert_eq!(
            redact_conn("postgresql://u:s3@h/d"),
            "postgresql://u:***@h/d"
        );
        assert_eq!(
            redact_conn("postgresql://h/d?password=s3&x=1"),
            "postgresql://h/d?password=***&x=***"
        );
        assert!(!redact_conn("password = s3 host=h").contains("s3"));
        assert_eq!(redact_url("redis://:pw@h:1"), "redis://:***@h:1");
    }

    #[test]
    fn bad_postgres_strings_are_usage_errors() {
        let e = PostgresTarget::parse("host=h password=hunter2 bogus", &Default::default())
            .unwrap_err()
            .0;
        assert!(e.starts_with("--postgres "), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    // issue 12, defect 1: a password reached stderr when a URL failed to parse
    #[test]
    fn redaction_never_leaks_a_password_that_breaks_parsing() {
        for (input, secret) in [
            ("redis://u:pa/ss@h:1", "pa/ss"),
            ("redis://u:pa?ss@h:1", "pa?ss"),
            ("redis://u:pa#ss@h:1", "pa#ss"),
            ("redis://u:p@ss@h:1/0", "p@ss"),
            ("postgresql://app:s3/cr3t@db:5432/app", "s3/cr3t"),
            (
                "postgresql://app@db/app?password=s3cr3t&sslmode=require",
                "s3cr3t",
            ),
            // found by the proptest twin of the fuzz target: a password with `?` and `@` parses,
            // its tail landing in the query
            ("redis://u:ab?c@dZq7@h:1", "dZq7"),
            ("redis://u:ab#c@dZq7@h:1", "dZq7"),
            ("postgresql://u:x/y@zZq7@db/app", "zZq7"),
            // found by `cargo fuzz run targets` in its first second
            ("host=h password=Zq7secret =://@", "Zq7secret"),
        ] {
            let r = redact_url(input);
            assert!(!r.contains(secret), "{input} -> {r}");
            let r = redact_conn(input);
            assert!(!r.contains(secret), "{input} -> {r}");
        }
        for (input, secret) in [
            ("host=db password='my secret' bogus", "secret"),
            ("host=db password = 'it''s' x", "it"),
            (r"host=db password='a\' b' user=x", " b"),
            ("password=plain host=db", "plain"),
            ("host=db password='unterminated secret", "secret"),
        ] {
            let r = redact_conn(input);
            assert!(!r.contains(secret), "{input} -> {r}");
        }
        // what is not secret stays, so the message still names the input
        assert_eq!(
            redact_conn("host=db password='my secret' user=app"),
            "host=db password=*** user=app"
        );
        assert_eq!(redact_url("redis://u:pa/ss@h:1"), "redis://u:***@h:1");
        assert_eq!(redact_url("redis://u:secret@h:1/2"), "redis://u:***@h:1/2");
    }

    // issue 12, defect 1: the same through the error a bad --redis or --postgres gives
    #[test]
    fn parse_errors_name_the_input_without_its_password() {
        let e =
            RedisTarget::parse("redis://u:pa/ss@h:1", &RedisAuthSources::default()).unwrap_err();
        assert!(!e.0.contains("pa/ss") && e.0.contains("--redis"), "{}", e.0);
        let e = PostgresTarget::parse("host=db password='my secret' bogus", &PgEnv::default())
            .unwrap_err();
        assert!(
            !e.0.contains("secret") && e.0.contains("--postgres"),
            "{}",
            e.0
        );
    }

    // issue 26 item 1: sslpassword (and any key statectl cannot name as harmless) was echoed
    // whole in the usage error
    #[test]
    fn secret_and_unknown_keys_never_reach_a_usage_error() {
        for conn in [
            "host=db sslpassword=Zq7secret",
            "host=db sslpassword = 'Zq7 two words' user=app",
            "host=db passwd=Zq7secret",
            "host=db pass='Zq7secret",
            "postgresql://app@db/app?sslpassword=Zq7secret",
        ] {
            let e = PostgresTarget::parse(conn, &PgEnv::default())
                .unwrap_err()
                .0;
            assert!(e.starts_with("--postgres ") && e.contains("db"), "{e}");
            assert!(!e.contains("Zq7"), "{conn}: {e}");
            assert!(!e.contains("two words"), "{conn}: {e}");
        }
        // the keys stay, so the message still says which one is wrong
        assert_eq!(
            redact_conn("host=db sslpassword='a b' user=app"),
            "host=db sslpassword=*** user=app"
        );
    }

    // issue 26 item 4: `redis://SECRET@host` (redis-cli's password) was the label's user name,
    // and the typos `redis:SECRET@host`, `redis:/:SECRET@host` were echoed whole
    #[test]
    fn a_lone_userinfo_is_the_password_as_redis_cli_reads_it() {
        let t = RedisTarget::parse("redis://Zq7pw@h:6380/1", &Default::default()).unwrap();
        assert_eq!(t.label, "redis://h:6380/1");
        let s = t.info.redis_settings();
        assert_eq!((s.username(), s.password()), (None, Some("Zq7pw")));
        let t = SentinelTarget::parse("redis+sentinel://Zq7pw@h1,h2/m", &Default::default(), None)
            .unwrap();
        assert!(
            !t.label.contains("Zq7") && !t.data.label.contains("Zq7"),
            "{}",
            t.label
        );
        assert_eq!(t.data.info.redis_settings().password(), Some("Zq7pw"));
        for typo in [
            "redis:Zq7pw@h:6379",
            "redis:/:Zq7pw@h",
            "redis:/Zq7pw@h",
            "rediss:Zq7pw@h",
            "Zq7pw@h:6379",
            "redis+sentinel:/Zq7pw@h/m",
        ] {
            let e = RedisTarget::parse(typo, &Default::default()).unwrap_err().0;
            assert!(
                e.starts_with("--redis ") && !e.contains("Zq7"),
                "{typo}: {e}"
            );
        }
        assert_eq!(redact_url("redis:/:Zq7pw@h"), "redis:/:***@h");
        assert_eq!(redact_url("redis://Zq7pw@h:1"), "redis://***@h:1");
        assert_eq!(redact_url("/u/a@b?token=Zq7"), "/u/a@b?token=***");
        assert_eq!(
            redact_url("https://h/x?access_token=Zq7&Zq7bare&sig=Zq7#insecure"),
            "https://h/x?access_token=***&***&sig=***#insecure"
        );
        // a lone userinfo is a user name in PostgreSQL and HTTP URLs
        assert_eq!(redact_url("postgresql://app@db/x"), "postgresql://app@db/x");
    }

    // issue 12, defect 2: `+` and `&` in a password silently broke AUTH
    #[test]
    fn userinfo_is_percent_decoded_as_rfc_3986_says() {
        let t = RedisTarget::parse("redis://u:p%2Bq+r%26s%40@h:1", &RedisAuthSources::default())
            .unwrap();
        let s = t.info.redis_settings();
        assert_eq!(s.password(), Some("p+q+r&s@"));
        assert_eq!(s.username(), Some("u"));
        let t = RedisTarget::parse("redis://:a+b&c@h:1", &RedisAuthSources::default()).unwrap();
        assert_eq!(t.info.redis_settings().password(), Some("a+b&c"));
    }
}
