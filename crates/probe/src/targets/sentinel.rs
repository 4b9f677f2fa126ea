//! `redis+sentinel://` targets: a Sentinel deployment named by one or more sentinels and the
//! master's service name. The convention is redis-rs's and Lettuce's, in this spelling:
//!
//! `redis+sentinel://[user:password@]host[:26379][,host2[:port]…]/MASTERNAME[/db]`
//! (`rediss+sentinel://` for TLS, with rediss://'s `?cacert=&cert=&key=`).
//!
//! The URL's user and password are the data nodes'. Sentinels take `--sentinel-password` when
//! given (their auth often differs), else the same password.

use super::{redact_url, RedisAuthSources, RedisTarget};
use crate::exit::UsageError;

/// Sentinel's default port.
pub const SENTINEL_PORT: u16 = 26379;

/// A Sentinel deployment to discover.
#[derive(Debug, Clone)]
pub struct SentinelTarget {
    /// `redis+sentinel://user@h1:26379,h2:26379/mymaster`, never with a password.
    pub label: String,
    /// The master's service name.
    pub master: String,
    /// One target per sentinel named, with the sentinels' credentials.
    pub sentinels: Vec<RedisTarget>,
    /// The data nodes' credentials, TLS and database, at the first sentinel's address: discovered
    /// nodes are reached with [`RedisTarget::at`].
    pub data: RedisTarget,
    /// The answers discovery is reading from the sentinels named, by host:port: the probe
    /// awaits these rather than asking again.
    pub asked: Vec<(String, crate::probe::sentinel::Asked)>,
}

impl SentinelTarget {
    /// Whether `input` names a Sentinel deployment.
    pub fn is_sentinel_url(input: &str) -> bool {
        let lower = input.trim_start().to_ascii_lowercase();
        lower.starts_with("redis+sentinel://") || lower.starts_with("rediss+sentinel://")
    }

    /// Parses a `redis+sentinel://` URL; errors name the input without its password.
    pub fn parse(
        input: &str,
        auth: &RedisAuthSources,
        sentinel_password: Option<&str>,
    ) -> Result<SentinelTarget, UsageError> {
        let bad = |why: &str| UsageError(format!("--redis {}: {why}", redact_url(input)));
        let (scheme, rest) = input
            .trim()
            .split_once("://")
            .ok_or_else(|| bad("not a URL"))?;
        let data_scheme = if scheme.eq_ignore_ascii_case("rediss+sentinel") {
            "rediss"
        } else {
            "redis"
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, format!("?{q}")),
            None => (rest, String::new()),
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hosts) = match authority.rfind('@') {
            Some(at) => (&authority[..at + 1], &authority[at + 1..]),
            None => ("", authority),
        };
        let mut parts = path.split('/').filter(|p| !p.is_empty());
        let master = parts
            .next()
            .ok_or_else(|| bad("no master name (…/MASTERNAME)"))?
            .to_string();
        let db = parts.next().map(|d| format!("/{d}")).unwrap_or_default();
        if parts.next().is_some() {
            return Err(bad("the path is /MASTERNAME[/db]"));
        }
        let hosts: Vec<&str> = hosts.split(',').filter(|h| !h.is_empty()).collect();
        if hosts.is_empty() {
            return Err(bad("no sentinel host"));
        }
        let with_port = |h: &str| {
            let has_port = match h.rfind(']') {
                Some(close) => h[close..].contains(':'),
                None => h.contains(':'),
            };
            if has_port {
                h.to_string()
            } else {
                format!("{h}:{SENTINEL_PORT}")
            }
        };
        let sentinel_userinfo = match sentinel_password {
            Some(p) => format!(
                ":{}@",
                percent_encoding::utf8_percent_encode(p, percent_encoding::NON_ALPHANUMERIC)
            ),
            None => userinfo.to_string(),
        };
        let named = |u: String| {
            // errors from the one-host URLs would show a URL the user never typed: name theirs
            RedisTarget::parse(&u, auth).map_err(|e| {
                let why = e.0.split_once(": ").map_or(e.0.as_str(), |(_, w)| w);
                bad(why)
            })
        };
        let sentinels = hosts
            .iter()
            .map(|h| {
                named(format!(
                    "{data_scheme}://{sentinel_userinfo}{}{query}",
                    with_port(h)
                ))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let data = named(format!(
            "{data_scheme}://{userinfo}{}{db}{query}",
            with_port(hosts[0])
        ))?;
        let user = super::label_user(data.info.redis_settings().username());
        let label = format!(
            "{scheme}://{user}{}/{master}{db}",
            sentinels
                .iter()
                .map(RedisTarget::host_port)
                .collect::<Vec<_>>()
                .join(",")
        );
        Ok(SentinelTarget {
            label,
            master,
            sentinels,
            data,
            asked: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_urls_name_hosts_master_and_credentials() {
        let t = SentinelTarget::parse(
            "redis+sentinel://app:s3cret@10.0.0.1,10.0.0.2:26380,[::1]/mymaster/2",
            &Default::default(),
            None,
        )
        .unwrap();
        assert_eq!(t.master, "mymaster");
        assert_eq!(
            t.label,
            "redis+sentinel://app@10.0.0.1:26379,10.0.0.2:26380,[::1]:26379/mymaster/2"
        );
        let addrs: Vec<_> = t.sentinels.iter().map(RedisTarget::host_port).collect();
        assert_eq!(addrs, ["10.0.0.1:26379", "10.0.0.2:26380", "[::1]:26379"]);
        assert_eq!(t.data.info.redis_settings().db(), 2);
        assert_eq!(t.data.info.redis_settings().password(), Some("s3cret"));
        assert_eq!(
            t.sentinels[0].info.redis_settings().password(),
            Some("s3cret")
        );
        let t = SentinelTarget::parse(
            "redis+sentinel://:data-pw@h/m",
            &Default::default(),
            Some("sentinel pw"),
        )
        .unwrap();
        assert_eq!(
            t.sentinels[0].info.redis_settings().password(),
            Some("sentinel pw")
        );
        assert_eq!(t.data.info.redis_settings().password(), Some("data-pw"));
        assert!(!format!("{t:?}").contains("pw"));
        for (bad, want) in [
            ("redis+sentinel://:hunter2@h1", "no master name"),
            ("redis+sentinel://:hunter2@/m", "no sentinel host"),
            ("redis+sentinel://:hunter2@h:notaport/m", "--redis"),
        ] {
            let e = SentinelTarget::parse(bad, &Default::default(), None)
                .unwrap_err()
                .0;
            assert!(e.contains(want), "{bad}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }
}
