//! cargo fuzz run targets: statectl::untrusted::targets on whatever libFuzzer makes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    statectl::untrusted::targets(data);
});
