//! Benchmarks: load generators (tokio) and pure statistics (HDR histograms).

pub mod cluster;
pub use statectl_core::latency;
pub mod pace;
pub mod postgres;
pub mod redis;
pub use statectl_core::stats;

/// User + system CPU time of this process so far.
pub fn process_cpu() -> std::time::Duration {
    // SAFETY: getrusage fills the struct we own; RUSAGE_SELF is always valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| std::time::Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}
