//! The TLS side of the Redis and PostgreSQL probes: the live handshake with a target, and the
//! certificate files a local server names.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::observe::tls::{CertFile, CertFileFacts, TlsFacts, TlsLook};
use crate::observe::{ProbeError, TlsFailure, TlsReason};
use crate::tls::cert::cert_facts;
use crate::tls::{describe, provider, read_certs, read_key, rustls_error, server_name, TlsClient};

/// One certificate file to read: the directive naming it, its path, and the key file that goes
/// with it (for server and client certificates; none for a CA file).
pub struct Named {
    /// tls-cert-file, ssl_cert_file …
    pub directive: &'static str,
    /// As configured.
    pub path: String,
    /// The matching key file, as configured.
    pub key: Option<String>,
}

/// Reads each named file, resolving relative paths against `base` (the server's working or data
/// directory) and every path below `root`.
pub fn read_files(
    named: Vec<Named>,
    base: Option<&Path>,
    root: &super::kernel::HostRoot,
) -> Vec<CertFile> {
    let resolve = |p: &str| -> PathBuf {
        let p = Path::new(p);
        let abs = match base {
            Some(b) if p.is_relative() => b.join(p),
            _ => p.to_path_buf(),
        };
        root.path(&abs.to_string_lossy())
    };
    named
        .into_iter()
        .filter(|n| !n.path.is_empty())
        .map(|n| {
            let cert = resolve(&n.path);
            let key = n.key.as_deref().filter(|k| !k.is_empty()).map(resolve);
            CertFile {
                directive: n.directive.to_string(),
                path: cert.display().to_string(),
                result: read_cert_file(&cert, key.as_deref()),
            }
        })
        .collect()
}

/// The protocol around the handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preamble {
    /// Redis: TLS from the first byte; then a PING.
    Redis,
    /// PostgreSQL's SSLRequest, answered by one byte: S (go on) or N (no TLS here); then a
    /// StartupMessage for this user and database.
    Postgres {
        /// The role.
        user: String,
        /// The database.
        dbname: String,
    },
    /// HTTPS: TLS from the first byte, offering h2 and http/1.1 by ALPN; then the HTTP/2
    /// preface or a HEAD request, as agreed.
    Http {
        /// The Host header.
        host: String,
    },
}

impl Preamble {
    /// The first message after the handshake: any answer to it shows the server accepted the
    /// session. A TLS 1.3 server that refuses the client's certificate says so in an alert that
    /// only a read after the handshake sees.
    fn first_message(&self, alpn: Option<&str>) -> Vec<u8> {
        match self {
            Preamble::Redis => b"PING\r\n".to_vec(),
            // the client preface and an empty SETTINGS frame: the server answers with its own
            Preamble::Http { .. } if alpn == Some("h2") => {
                let mut m = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
                m.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
                m
            }
            Preamble::Http { host } => {
                format!("HEAD / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes()
            }
            Preamble::Postgres { user, dbname } => {
                let mut body = 196_608u32.to_be_bytes().to_vec(); // protocol 3.0
                for (k, v) in [("user", user), ("database", dbname)] {
                    body.extend_from_slice(k.as_bytes());
                    body.push(0);
                    body.extend_from_slice(v.as_bytes());
                    body.push(0);
                }
                body.push(0);
                let mut msg = ((body.len() + 4) as u32).to_be_bytes().to_vec();
                msg.extend_from_slice(&body);
                msg
            }
        }
    }
}

/// PostgreSQL's SSLRequest: length 8, then the code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// Connects to `host:port`, says the preamble, and shakes hands with `client`'s trust and
/// certificate, keeping the certificate's verdict instead of aborting on it. The whole look is
/// bounded by `timeout`.
pub async fn handshake(
    host: &str,
    port: u16,
    client: &TlsClient,
    preamble: Preamble,
    timeout: Duration,
) -> TlsLook {
    let addr = crate::targets::host_port(host, port);
    let start = Instant::now();
    let failed = |error| TlsLook::Failed { error };
    let look = async {
        let mut tcp = match TcpStream::connect((host, port)).await {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return failed(ProbeError::Refused { addr: addr.clone() })
            }
            Err(e) => {
                return failed(ProbeError::Other {
                    addr: addr.clone(),
                    detail: e.to_string(),
                })
            }
        };
        if matches!(preamble, Preamble::Postgres { .. }) {
            let mut answer = [0u8; 1];
            let said = async {
                tcp.write_all(&SSL_REQUEST).await?;
                tcp.read_exact(&mut answer).await
            };
            if let Err(e) = said.await {
                return failed(ProbeError::Protocol {
                    addr: addr.clone(),
                    expected: "a PostgreSQL server".into(),
                    detail: format!("no answer to the SSLRequest: {e}"),
                    first_bytes: None,
                });
            }
            match answer[0] {
                b'S' => {}
                b'N' => {
                    return TlsLook::Plain {
                        reason: "the server does not offer TLS (it answered the SSLRequest with N: ssl = off)".into(),
                    }
                }
                other => {
                    return failed(ProbeError::Protocol {
                        addr: addr.clone(),
                        expected: "a PostgreSQL server".into(),
                        detail: "the answer to the SSLRequest is neither S nor N".into(),
                        first_bytes: Some(format!("{:?}", other as char).trim_matches('\'').into()),
                    })
                }
            }
        }
        let (mut config, recorder) = client.recording();
        if matches!(preamble, Preamble::Http { .. }) {
            let mut offer = (*config).clone();
            offer.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            config = std::sync::Arc::new(offer);
        }
        let hello = tokio_rustls::TlsConnector::from(config).connect(server_name(host), tcp);
        let tls = match hello.await {
            Ok(t) => t,
            Err(e) => {
                let error = match rustls_error(&e) {
                    Some(rustls::Error::InvalidMessage(_)) => {
                        ProbeError::TlsToPlain { addr: addr.clone() }
                    }
                    Some(r) => {
                        let (reason, detail) = describe(r);
                        ProbeError::Tls {
                            addr: addr.clone(),
                            reason,
                            detail,
                        }
                    }
                    None if e.kind() == std::io::ErrorKind::UnexpectedEof => ProbeError::Tls {
                        addr: addr.clone(),
                        reason: TlsReason::Other,
                        detail: "the peer closed the connection during the TLS handshake".into(),
                    },
                    None => ProbeError::Other {
                        addr: addr.clone(),
                        detail: format!("TLS handshake: {e}"),
                    },
                };
                return failed(error);
            }
        };
        let handshake = start.elapsed();
        let conn = tls.get_ref().1;
        let version = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
            Some(v) => format!("{v:?}"),
            None => "unknown".into(),
        };
        let cipher = conn
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()))
            .unwrap_or_else(|| "unknown".into());
        let alpn = conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned());
        let leaf = conn
            .peer_certificates()
            .and_then(|c| c.first())
            .and_then(|der| cert_facts(der).ok());
        let verified = match recorder.verdict() {
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => {
                let (reason, detail) = describe(&e);
                Err(TlsFailure { reason, detail })
            }
            None => Err(TlsFailure {
                reason: TlsReason::Other,
                detail: "the server's certificate was never verified".into(),
            }),
        };
        let mut tls = tls;
        let mut answer = [0u8; 512];
        let answered = async {
            tls.write_all(&preamble.first_message(alpn.as_deref()))
                .await?;
            tls.read(&mut answer).await
        };
        match answered.await {
            Err(e) => {
                if let Some(r) = rustls_error(&e) {
                    let (reason, detail) = describe(r);
                    return failed(ProbeError::Tls {
                        addr: addr.clone(),
                        reason,
                        detail,
                    });
                }
            }
            // PostgreSQL enforces pg_hba's clientcert after the handshake, in an ErrorResponse
            Ok(n) if answer[0] == b'E' && contains(&answer[..n], b"client certificate") => {
                return failed(ProbeError::Tls {
                    addr: addr.clone(),
                    reason: TlsReason::ClientCertRequired,
                    detail:
                        "the server requires a valid client certificate (clientcert in pg_hba.conf)"
                            .into(),
                });
            }
            Ok(_) => {}
        }
        let _ = tokio::time::timeout(Duration::from_millis(200), tls.shutdown()).await;
        TlsLook::Done(TlsFacts {
            version,
            cipher,
            alpn,
            handshake,
            trust: client.trust(),
            client_cert: client.has_client_cert(),
            verified,
            leaf,
            checked_unix: unix_now(),
        })
    };
    match tokio::time::timeout(timeout, look).await {
        Ok(l) => l,
        Err(_) => TlsLook::Failed {
            error: ProbeError::Timeout {
                addr,
                timeout,
                stage: "the TLS handshake".into(),
            },
        },
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Reads a certificate file a server names and, when `key` is given, whether that key matches it.
pub fn read_cert_file(cert: &Path, key: Option<&Path>) -> Result<CertFileFacts, String> {
    let chain = read_certs(cert, "certificate")?;
    let facts = cert_facts(&chain[0])?;
    let key_match = key.map(|k| {
        let der = read_key(k, "key")?;
        let signing = provider()
            .key_provider
            .load_private_key(der)
            .map_err(|_| format!("key {}: unsupported key type", k.display()))?;
        Ok(rustls::sign::CertifiedKey::new(chain.clone(), signing)
            .keys_match()
            .is_ok())
    });
    Ok(CertFileFacts {
        cert: facts,
        key_match,
        checked_unix: unix_now(),
    })
}

/// Now, as Unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
