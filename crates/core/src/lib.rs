//! statectl's pure core: what the probes saw (observations), the check matrix that judges it,
//! the planners of `tune`, the decisions of `verify`, capture analysis, statistics and the
//! parsers of untrusted input. Nothing here opens a socket or a file, reads the environment or
//! the clock of a runtime: the probes and the CLI (the `statectl` crate) do, and hand this crate
//! plain data. The compiler holds that: this crate has no runtime or I/O dependency, and
//! clippy.toml forbids std's file, socket, process and environment calls.

/// The registry of areas: each area's checks, evaluation and cross-area reads.
pub mod areas;
/// Capture analysis: link-layer decoding, TCP reassembly, RESP pairing and statistics.
pub mod capture;
/// X.509 certificates parsed into the facts the TLS checks judge.
pub mod cert;
/// Thresholds and timing, parsed and validated.
pub mod config;
/// The check matrix: pure functions from observations to findings.
pub mod doctor;
/// What a failure drill measured, as findings.
pub mod drill;
/// Exit codes.
pub mod exit;
/// The pure rules of `statectl latency`: windows, spikes and the exit code.
pub mod latency;
/// Findings, statuses and reports.
pub mod model;
/// What the probes saw: observation types, pure data.
pub mod observe;
/// What a printed target may show: secrets masked.
pub mod redact;
/// RESP framing shared by bench and capture.
pub mod resp;
/// Capacity at a latency objective: the search of `bench --slo`.
pub mod slo;
/// SQL text with its literals masked.
pub mod sql;
/// HDR statistics for bench, latency and the latency checks.
pub mod stats;
/// Text from outside made safe to print (shared by checks and renderers).
pub mod text;
/// Pure planners for `tune`.
pub mod tune;
/// Fuzz and proptest entry points for every parser of untrusted input here (feature `fuzzing`).
#[cfg(feature = "fuzzing")]
pub mod untrusted;
/// `verify`: the decisions on what two sides hold.
pub mod verify;
