//! Benchmarks: load generators (tokio) and pure statistics (HDR histograms).

pub mod postgres;
pub mod redis;
pub mod stats;
pub mod tls;

use std::sync::atomic::AtomicBool;

/// Set by Ctrl-C: load generators stop at their next batch and the partial report prints.
pub static STOP: AtomicBool = AtomicBool::new(false);
