//! Pure planners: current values + desired values → a plan with before/after per item.
//! Probes apply plans; nothing here does I/O.

pub mod kernel;
pub mod postgres;
pub mod redis;

/// How long an apply waits for another statectl run editing files in the same directory.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Parses `name=value` from `--set`.
pub fn parse_assignment(flag: &str, s: &str) -> Result<(String, String), crate::exit::UsageError> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        // a value without its name, or a word without "=", may be a secret: never repeated
        _ => Err(crate::exit::UsageError(format!(
            "{flag} {}: expected NAME=VALUE",
            if s.contains('=') {
                "=***"
            } else {
                "*** (a word without \"=\", not repeated: it may be a secret)"
            }
        ))),
    }
}
