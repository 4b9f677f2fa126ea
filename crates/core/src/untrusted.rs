//! One entry point per parser of untrusted input, each checking its invariants, for the fuzz
//! targets (fuzz/) and their bounded proptest twins in the suite. Compiled only with the
//! `fuzzing` feature: nothing here ships.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// RESP framing: any bytes, any offset: no panic; a complete frame ends after it starts and
/// within the buffer.
pub fn resp(data: &[u8]) {
    let mut at = 0;
    while at < data.len() {
        match crate::resp::frame(data, at) {
            Ok(Some((end, _))) => {
                assert!(
                    end > at && end <= data.len(),
                    "frame {at}..{end} of {}",
                    data.len()
                );
                at = end;
            }
            Ok(None) | Err(_) => at += 1,
        }
    }
}

/// INFO text (its slaveN lines too), ACL LIST lines (no password hash kept), CLIENT LIST, --redis-service values,
/// /proc/net/snmp, kernel log lines, sysctl.conf lines, version strings and statectl.toml: no
/// panic on any text.
pub fn text_parsers(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let info = crate::observe::redis::parse_info(&s);
    // slaveN lines: every address and state escaped, any offsets and rates
    for rate in [0.0, 1.0, f64::MIN_POSITIVE] {
        for r in crate::doctor::redis::replicas_at_risk(&info, rate) {
            assert!(!r.addr.contains(char::is_control) && !r.state.contains(char::is_control));
        }
    }
    // ACL LIST: no password hash survives the parse, whatever the text
    for u in crate::observe::redis::parse_acl_list(s.lines()) {
        for w in u.rules.split_whitespace() {
            assert!(
                !w.starts_with(['#', '>', '<']),
                "{w:?} kept in {:?}",
                u.rules
            );
        }
        let _ = (u.all_keys(), u.key_patterns());
    }
    let mut clients = crate::observe::redis::ClientSampler::default();
    clients.add(&crate::observe::redis::parse_client_list(&s), None);
    let _ = clients.finish();
    for line in s.lines() {
        let _ = crate::observe::redis::parse_acl_line(line);
        let _ = crate::observe::redis::Access::parse_service(line);
        let _ = crate::tune::kernel::parse_line(line);
    }
    let _ = crate::observe::kernel::parse_snmp(&s);
    let _ = crate::observe::kernel::parse_oom_kills(&s);
    let _ = crate::observe::kernel::tcp_sockets(&s);
    let _ = crate::observe::kernel::mem_total_kb(&s);
    let _ = crate::observe::postgres::cpu_list_count(&s);
    let _ = crate::config::parse_major_minor(&s);
    let _ = crate::config::Thresholds::parse(&s);
    // a query's text from pg_stat_activity: no panic; a literal of any form after text that
    // cannot open a literal, identifier or comment of its own is masked
    let _ = crate::sql::mask_literals(&s, 60);
    if !s.contains("Zq7") && !s.contains(['\'', '"', '$', '-', '/', '\\']) {
        for sql in [
            format!("{s} '{}'", "Zq7lit"),
            format!("{s} $$Zq7lit$$"),
            format!("{s} E'Zq7lit'"),
            format!("{s} 1.5e3Zq7lit"),
        ] {
            let m = crate::sql::mask_literals(&sql, usize::MAX);
            assert!(!m.contains("Zq7lit"), "{sql:?} -> {m:?}");
        }
    }
}

/// redis.conf: no panic; a line that tokenizes re-quotes to the same words; a file that parses
/// renders to text that parses again.
pub fn redis_conf(data: &[u8]) {
    use crate::tune::redis::{quote, tokenize, ConfFile};
    let s = String::from_utf8_lossy(data);
    for line in s.lines() {
        if let Ok(words) = tokenize(line) {
            let again: Vec<String> = words.iter().map(|w| quote(w)).collect();
            assert_eq!(tokenize(&again.join(" ")).as_ref(), Ok(&words), "{line:?}");
        }
    }
    if let Ok(conf) = ConfFile::parse(&s) {
        assert!(ConfFile::parse(&conf.render()).is_ok());
    }
}

/// Secret masking of target text (URLs and conninfo): no panic; a password put in a URL never
/// survives redaction, whatever surrounds it. (The target parsers themselves, which build TLS
/// clients and read credential files, are the `statectl` crate's `untrusted::targets`.)
pub fn redact(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let _ = crate::redact::redact_url(&s);
    let _ = crate::redact::redact_conn(&s);
    let secret = "Zq7secretZq7";
    // the secret must come only from where it is planted
    if s.contains("Zq7") {
        return;
    }
    for url in [
        format!("redis://u:{secret}@{s}"),
        format!("redis://u:{s}{secret}@h:1"),
        format!("postgresql://u:{secret}@{s}/db"),
        format!("redis://{secret}@{s}"),
        format!("redis:/{s}{secret}@h"),
        format!("https://h/{s}?token={secret}{s}"),
    ] {
        let r = crate::redact::redact_url(&url);
        assert!(!r.contains(secret), "{url:?} -> {r:?}");
        let r = crate::redact::redact_conn(&url);
        assert!(!r.contains(secret), "{url:?} -> {r:?}");
    }
    let kv = format!("host=h password={secret} {s}");
    assert!(!crate::redact::redact_conn(&kv).contains(secret), "{kv:?}");
}

/// Captures: a pcap/pcapng file of any bytes, and any frame under every decoded link type,
/// through the whole analysis: no panic.
pub fn capture(data: &[u8]) {
    use crate::capture::analysis::{Analysis, KeyNames};
    // one port, and every flow that speaks RESP (inline commands held while judged)
    for port in [Some(6379), None] {
        let mut a = Analysis::new(port, KeyNames::Hmac(b"fuzz".to_vec()));
        for lt in [0u32, 1, 12, 101, 113, 228, 276] {
            a.segment(
                Duration::ZERO,
                data.len(),
                crate::capture::decode::decode(lt, data),
            );
        }
        a.finish();
        let _ = a.report("fuzz".into(), None, None);
    }
    struct Sink(Analysis);
    impl crate::capture::file::Sink for Sink {
        fn start(&mut self, _: u32) -> Result<(), String> {
            Ok(())
        }
        fn packet(&mut self, ts: Duration, lt: u32, frame: &[u8], orig_len: u32) {
            self.0.captured(frame.len(), orig_len);
            self.0
                .segment(ts, frame.len(), crate::capture::decode::decode(lt, frame));
        }
    }
    let mut sink = Sink(Analysis::new(6379, KeyNames::Plain));
    let _ = crate::capture::file::read(&"fuzz", data, &mut sink, &AtomicBool::new(false));
}
