//! cargo fuzz run capture: statectl::untrusted::capture on whatever libFuzzer makes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    statectl::untrusted::capture(data);
});
