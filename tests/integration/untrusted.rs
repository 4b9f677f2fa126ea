//! The fuzz targets' properties (statectl::untrusted), as bounded proptest cases in the normal
//! suite: random bytes, and text shaped like each input (RESP, INFO, redis.conf, URLs and
//! conninfo, /proc files, captures). The fuzz/ crate runs the same entry points unbounded.

use proptest::prelude::*;
use statectl::untrusted;

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..512)
}

/// Text made of the characters each format is built from, so cases reach past the first check.
fn shaped() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(b"$*+-:_#,(!=%~>|\r\n0123456789abcPINGSET \t\"'\\@/?#=:.[]".to_vec()),
        0..256,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn resp_frames_stay_in_bounds(d in prop_oneof![bytes(), shaped()]) {
        untrusted::resp(&d);
    }

    #[test]
    fn text_parsers_never_panic(d in prop_oneof![bytes(), shaped()]) {
        untrusted::text_parsers(&d);
    }

    #[test]
    fn redis_conf_round_trips(d in prop_oneof![bytes(), shaped()]) {
        untrusted::redis_conf(&d);
    }

    #[test]
    fn targets_never_leak_a_password(d in prop_oneof![bytes(), shaped()]) {
        untrusted::targets(&d);
    }

    #[test]
    fn captures_never_panic(d in prop_oneof![bytes(), shaped()]) {
        untrusted::capture(&d);
    }
}
