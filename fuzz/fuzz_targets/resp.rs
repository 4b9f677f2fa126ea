//! cargo fuzz run resp: statectl::untrusted::resp on whatever libFuzzer makes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    statectl::untrusted::resp(data);
});
