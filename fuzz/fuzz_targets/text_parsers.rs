//! cargo fuzz run text_parsers: statectl::untrusted::text_parsers on whatever libFuzzer makes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    statectl::untrusted::text_parsers(data);
});
