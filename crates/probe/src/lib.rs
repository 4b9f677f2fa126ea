//! statectl's I/O layer: the probes that observe hosts (Redis, PostgreSQL, the kernel and NICs
//! through the host-root seam, HTTP/JWKS, load balancers, logs, paths), the targets the user
//! named and their credentials, the TLS clients, the files named on the command line, and the
//! one cancellation token. Probes return the core's observations and never decide pass or fail;
//! the CLI (the `statectl` crate) orchestrates and renders.

/// One cancellation token, cancelled by Ctrl-C.
pub mod cancel;
/// Files named on the command line: regular files only, each read up to a size cap.
pub mod input;
/// Live I/O against hosts.
pub mod probe;
/// Targets and their credentials.
pub mod targets;
/// TLS clients: trust, client certificates, verification modes; the stream.
pub mod tls;

// the core, where this crate's modules name it
use statectl_core::{capture, config, doctor, exit, observe, sql, text, tune, verify};
