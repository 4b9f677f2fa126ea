//! The TLS side of the Redis and PostgreSQL probes: the live handshake with a target, and the
//! certificate files a local server names.

use std::path::{Path, PathBuf};

use crate::observe::tls::CertFile;

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
                result: crate::tls::report::read_cert_file(&cert, key.as_deref()),
            }
        })
        .collect()
}
