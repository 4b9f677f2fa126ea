//! cargo fuzz run redis_conf: statectl::untrusted::redis_conf on whatever libFuzzer makes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    statectl::untrusted::redis_conf(data);
});
