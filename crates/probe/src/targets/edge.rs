//! The API edge's targets: the nodes (`--api`), their JWKS (`--jwks`), the load balancer's
//! configuration and the TLS client for https://, parsed and read once.

use std::path::PathBuf;

use crate::exit::UsageError;

/// The API edge, resolved.
#[derive(Clone, Default)]
pub struct EdgeTargets {
    /// API nodes (or the balancer's address).
    pub api: Vec<reqwest::Url>,
    /// JWKS documents, one per node.
    pub jwks: Vec<reqwest::Url>,
    /// The signing key (file, PEM bytes): a secret, never printed.
    pub private_key: Option<(PathBuf, Vec<u8>)>,
    /// The public key (file, PEM bytes).
    pub public_key: Option<(PathBuf, Vec<u8>)>,
    /// The sample token (file, its text): a secret, never printed.
    pub sample_token: Option<(PathBuf, String)>,
    /// The balancer's configuration file, when given, and its text (read once, capped).
    pub lb_config: Option<(PathBuf, String)>,
    /// Without --lb-config: whether to look for the local balancer (`nginx -T`, then
    /// /etc/haproxy/haproxy.cfg). Only in a run that names no target, as for the local Redis and
    /// PostgreSQL defaults: naming any target replaces the defaults.
    pub discover_lb: bool,
    /// The session header's name.
    pub session_header: String,
    /// The session cookie's name.
    pub session_cookie: Option<String>,
    /// The balancer's address and the echo path behind it (lb.live_header).
    pub live: Option<(reqwest::Url, String)>,
    /// --lb-backend-header: where the answering backend names itself.
    pub backend_header: Option<String>,
    /// How far back the error log is read.
    pub since: std::time::Duration,
    /// --resource.
    pub resource: Option<String>,
    /// --write-probe.
    pub write_probe: Option<String>,
    /// The TLS client for https:// URLs.
    pub tls: Option<crate::tls::TlsClient>,
}

impl std::fmt::Debug for EdgeTargets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeTargets")
            .field("api", &self.api.iter().map(redacted).collect::<Vec<_>>())
            .field("jwks", &self.jwks.iter().map(redacted).collect::<Vec<_>>())
            .field("private_key", &self.private_key.as_ref().map(|(p, _)| p))
            .field("lb_config", &self.lb_config.as_ref().map(|(p, _)| p))
            .finish_non_exhaustive()
    }
}

/// A URL as messages show it.
fn redacted(u: &reqwest::Url) -> String {
    super::redact_url(u.as_str())
}

/// An http(s) URL without credentials, or a usage error naming `flag`.
fn url(flag: &str, text: &str) -> Result<reqwest::Url, UsageError> {
    let shown = || crate::text::escape(&super::redact_url(text)).into_owned();
    let u =
        reqwest::Url::parse(text).map_err(|e| UsageError(format!("{flag} {}: {e}", shown())))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(UsageError(format!(
            "{flag} {}: expected http://HOST[:PORT]/… or https://…",
            shown()
        )));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(UsageError(format!(
            "{flag}: credentials in the URL are not accepted (they would show in reports)"
        )));
    }
    Ok(u)
}

/// A path for --resource/--write-probe: starts with /.
fn path(flag: &str, p: &Option<String>) -> Result<Option<String>, UsageError> {
    match p {
        Some(p) if !p.starts_with('/') => Err(UsageError(format!(
            "{flag} {}: a path starting with /",
            crate::text::escape(&super::redact_url(p))
        ))),
        p => Ok(p.clone()),
    }
}

impl EdgeTargets {
    /// Parses the flags; files are read now, so a bad one is a usage error naming its flag.
    pub fn parse(
        a: &crate::targets::args::EdgeArgs,
        defaults: bool,
    ) -> Result<EdgeTargets, UsageError> {
        let api: Vec<reqwest::Url> = a
            .api
            .iter()
            .map(|u| url("--api", u))
            .collect::<Result<_, _>>()?;
        let jwks: Vec<reqwest::Url> = a
            .jwks
            .iter()
            .map(|u| url("--jwks", u))
            .collect::<Result<_, _>>()?;
        let read =
            |flag: &str, p: &Option<PathBuf>| -> Result<Option<(PathBuf, Vec<u8>)>, UsageError> {
                p.as_ref()
                    .map(|p| {
                        crate::input::read_capped(p, crate::input::SECRET_CAP)
                            .map(|b| (p.clone(), b))
                            .map_err(|e| UsageError(format!("{flag} {}: {e}", p.display())))
                    })
                    .transpose()
            };
        let private_key = read("--jwt-private-key", &a.jwt_private_key)?;
        let public_key = read("--jwt-public-key", &a.jwt_public_key)?;
        let sample_token = match read("--jwt-sample-file", &a.jwt_sample_file)? {
            Some((p, b)) => Some((
                p.clone(),
                String::from_utf8(b)
                    .map_err(|_| {
                        UsageError(format!("--jwt-sample-file {}: not text", p.display()))
                    })?
                    .trim()
                    .to_string(),
            )),
            None => None,
        };
        // read now, once: a bad file is a usage error, and the probe parses these bytes
        let lb_config = a
            .lb_config
            .as_ref()
            .map(|p| {
                crate::input::read_capped_text(p, crate::input::CONFIG_CAP)
                    .map(|text| (p.clone(), text))
                    .map_err(|e| UsageError(format!("--lb-config {}: {e}", p.display())))
            })
            .transpose()?;
        let h = &a.session_header;
        if h.is_empty()
            || !h
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        {
            return Err(UsageError(format!(
                "--session-header {}: a header name (letters, digits, - and _)",
                crate::text::escape(h)
            )));
        }
        let backend_header = a
            .lb_backend_header
            .as_ref()
            .map(|n| {
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                    Err(UsageError(format!(
                        "--lb-backend-header {}: a header or field name",
                        crate::text::escape(n)
                    )))
                } else {
                    Ok(n.clone())
                }
            })
            .transpose()?;
        // the trust store is read only when an https:// URL will need it
        let https = api
            .iter()
            .chain(&jwks)
            .any(|u: &reqwest::Url| u.scheme() == "https")
            || a.lb_url.as_deref().is_some_and(|u| u.starts_with("https:"));
        let tls = (https || a.http_ca.is_some() || a.http_cert.is_some())
            .then(|| {
                crate::tls::TlsClient::new(crate::tls::TlsOptions {
                    verify: crate::tls::Verify::Full,
                    roots: match &a.http_ca {
                        Some(f) => crate::tls::Roots::File(f.clone()),
                        None => crate::tls::Roots::System,
                    },
                    cert: a.http_cert.clone(),
                    key: a.http_key.clone(),
                    names: crate::tls::HTTP_NAMES,
                })
            })
            .transpose()
            .map_err(UsageError)?;
        Ok(EdgeTargets {
            api,
            jwks,
            private_key,
            public_key,
            sample_token,
            lb_config,
            discover_lb: defaults && a.api.is_empty() && a.jwks.is_empty(),
            session_header: h.clone(),
            session_cookie: a.session_cookie.clone(),
            live: match (&a.lb_url, path("--echo-path", &a.echo_path)?) {
                (Some(u), Some(p)) => Some((url("--lb-url", u)?, p)),
                _ => None,
            },
            backend_header,
            since: a.since,
            resource: path("--resource", &a.resource)?,
            write_probe: path("--write-probe", &a.write_probe)?,
            tls,
        })
    }

    /// An HTTP client with this edge's TLS settings and `timeout` on each request.
    pub fn client(&self, timeout: std::time::Duration) -> Result<reqwest::Client, String> {
        let mut b = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("statectl/", env!("CARGO_PKG_VERSION")));
        if let Some(t) = &self.tls {
            let mut cfg = (*t.config()).clone();
            cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
            b = b.use_preconfigured_tls(cfg);
        }
        b.build().map_err(|e| e.to_string())
    }
}
