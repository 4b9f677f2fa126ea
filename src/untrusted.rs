//! The fuzz entry points: the pure parsers' are the core crate's ([`statectl_core::untrusted`]);
//! the target flags' parsers, which build TLS clients and read credential files, are here.
//! Compiled only with the `fuzzing` feature: nothing here ships.

pub use statectl_core::untrusted::*;

/// Targets: the secret masking (core), then the parsers of `--redis`, `--postgres` and Sentinel
/// URLs: no panic; a password never reaches a label or an error.
pub fn targets(data: &[u8]) {
    redact(data);
    let s = String::from_utf8_lossy(data);
    let _ = crate::targets::RedisTarget::parse(&s, &Default::default());
    let _ = crate::targets::PostgresTarget::parse(&s, &Default::default());
    let secret = "Zq7secretZq7";
    // the secret must come only from where it is planted
    if s.contains("Zq7") {
        return;
    }
    // redis-cli's lone userinfo and the scheme typos: the label and the error never hold it
    for url in [
        format!("redis://{secret}@{s}"),
        format!("redis:{secret}@{s}"),
        format!("redis:/:{secret}@{s}"),
    ] {
        match crate::targets::RedisTarget::parse(&url, &Default::default()) {
            Ok(t) => assert!(!t.label.contains(secret), "{url:?} -> {}", t.label),
            Err(e) => assert!(!e.0.contains(secret), "{url:?} -> {}", e.0),
        }
    }
    // a Sentinel URL: the error names the input without the password, the label never has it
    let sentinel = format!("redis+sentinel://u:{secret}@{s}");
    match crate::targets::SentinelTarget::parse(&sentinel, &Default::default(), None) {
        Ok(t) => assert!(!t.label.contains(secret), "{sentinel:?} -> {}", t.label),
        Err(e) => assert!(!e.0.contains(secret), "{sentinel:?} -> {}", e.0),
    }
}
