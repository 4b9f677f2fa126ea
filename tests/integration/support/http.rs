//! A small HTTP/1.1 server for the API edge's tests: plain or TLS (rustls, with a certificate from
//! the test's PKI), on a free loopback port, answering through a closure; stopped on drop. Fakes
//! of API nodes are made from it: a JWKS node, a resource with ETags, a header echo.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;

/// A request as the handler sees it.
pub struct Req {
    /// GET, PATCH …
    pub method: String,
    /// The path with its query.
    pub path: String,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
}

impl Req {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response: status, headers, body.
pub struct Resp(pub u16, pub Vec<(String, String)>, pub Vec<u8>);

impl Resp {
    /// 200 with a JSON body.
    pub fn json(body: &str) -> Resp {
        Resp(
            200,
            vec![("Content-Type".into(), "application/json".into())],
            body.as_bytes().to_vec(),
        )
    }
}

/// The running server.
pub struct HttpServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicU64>,
}

type Handler = Arc<dyn Fn(&Req) -> Resp + Send + Sync>;

impl HttpServer {
    /// Serves `handler` over plain HTTP.
    pub fn start(handler: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> HttpServer {
        Self::serve(None, Arc::new(handler))
    }

    /// Serves `handler` over TLS with the certificate and key of `pair`.
    pub fn start_tls(
        pair: &super::pki::Pair,
        handler: impl Fn(&Req) -> Resp + Send + Sync + 'static,
    ) -> HttpServer {
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(&pair.cert)
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = rustls::pki_types::PrivateKeyDer::from_pem_file(&pair.key).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        Self::serve(Some(Arc::new(config)), Arc::new(handler))
    }

    fn serve(tls: Option<Arc<rustls::ServerConfig>>, handler: Handler) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let halt = stop.clone();
        let accepted = Arc::new(AtomicU64::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let (tls, handler) = (tls.clone(), handler.clone());
                std::thread::spawn(move || match tls {
                    Some(cfg) => {
                        let Ok(server) = rustls::ServerConnection::new(cfg) else {
                            return;
                        };
                        serve_conn(rustls::StreamOwned::new(server, conn), &*handler)
                    }
                    None => serve_conn(conn, &*handler),
                });
            }
        });
        HttpServer {
            port,
            stop,
            accepted,
        }
    }

    /// How many connections it has accepted so far.
    pub fn connections(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }

    /// `http://127.0.0.1:PORT` (or https://localhost:PORT, which the test PKI names).
    pub fn url(&self, tls: bool) -> String {
        if tls {
            format!("https://localhost:{}", self.port)
        } else {
            format!("http://127.0.0.1:{}", self.port)
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // wake the accept loop so it sees the flag
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Requests on one connection until it closes.
fn serve_conn<S: Read + Write>(stream: S, handler: &dyn Fn(&Req) -> Resp) {
    let mut r = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("/").to_string(),
        );
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let Resp(status, extra, body) = handler(&Req {
            method,
            path,
            headers,
        });
        let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in extra {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        let w = r.get_mut();
        if w.write_all(out.as_bytes()).is_err() || w.write_all(&body).is_err() || w.flush().is_err()
        {
            return;
        }
    }
}
