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

/// Issue 26 #12: a flag naming /dev/zero, a FIFO or a 10 GB file ran forever and grew to GBs of
/// RSS. Each file input is a usage error naming its flag (and, for the big file, the cap).
#[test]
fn file_inputs_refuse_devices_fifos_and_huge_files() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // sparse: 10 GB long, no disk used
    let big = dir.path().join("big");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(10 << 30)
        .unwrap();
    let (fifo, big) = (fifo.to_str().unwrap(), big.to_str().unwrap());
    // (flag, the command line before the file, whether a big file is refused: logs are
    // streamed from their end, so only their kind is checked)
    let cases: &[(&str, &[&str], bool)] = &[
        (
            "--lb-config",
            &["doctor", "--only", "lb.*", "--lb-config"],
            true,
        ),
        (
            "--config",
            &["doctor", "--only", "kernel.somaxconn", "--config"],
            true,
        ),
        ("--config", &["tune", "redis", "--config"], true),
        (
            "--redis-password-file",
            &[
                "doctor",
                "--only",
                "redis.version",
                "--redis",
                "redis://127.0.0.1:1",
                "--redis-password-file",
            ],
            true,
        ),
        (
            "--tls-ca",
            &[
                "doctor",
                "--only",
                "redis.version",
                "--redis",
                "rediss://127.0.0.1:1",
                "--tls-ca",
            ],
            true,
        ),
        (
            "--http-ca",
            &[
                "doctor",
                "--only",
                "jwt.*",
                "--jwks",
                "https://127.0.0.1:1/",
                "--http-ca",
            ],
            true,
        ),
        (
            "--jwt-private-key",
            &["doctor", "--only", "jwt.*", "--jwt-private-key"],
            true,
        ),
        (
            "--jwt-public-key",
            &["doctor", "--only", "jwt.*", "--jwt-public-key"],
            true,
        ),
        (
            "--jwt-sample-file",
            &["doctor", "--only", "jwt.*", "--jwt-sample-file"],
            true,
        ),
        (
            "--redis-log",
            &["doctor", "--only", "log.redis", "--redis-log"],
            false,
        ),
        ("--postgres-log", &["logs", "--postgres-log"], false),
        (
            "--syslog",
            &["doctor", "--only", "log.kernel", "--syslog"],
            false,
        ),
    ];
    for (flag, before, cap) in cases {
        let files: &[&str] = if *cap {
            &["/dev/zero", fifo, big]
        } else {
            &["/dev/zero", fifo]
        };
        for file in files {
            let mut args = before.to_vec();
            args.push(file);
            let b = crate::support::run_bounded(&args, Duration::from_secs(30));
            let line = b.run.stderr.trim();
            assert_eq!(
                b.run.code, 2,
                "{args:?}: exit {} after {:?}, {} KiB RSS; stderr: {line}",
                b.run.code, b.took, b.peak_rss_kib
            );
            assert!(
                line.contains(flag) && line.contains(file),
                "{args:?}: {line}"
            );
            assert_eq!(line.lines().count(), 1, "{args:?}: {line}");
            let why = if *file == "/dev/zero" {
                "character device"
            } else if *file == fifo {
                "FIFO"
            } else {
                "MiB at most"
            };
            assert!(line.contains(why), "{args:?}: {line}");
            assert!(
                b.peak_rss_kib < 200 << 10,
                "{args:?}: {} KiB",
                b.peak_rss_kib
            );
        }
    }
    // the cap is not a wall against real files: a sparse 10 GB log is read from its end
    let b = crate::support::run_bounded(
        &["logs", "--format", "json", "--syslog", big],
        Duration::from_secs(60),
    );
    assert!(b.run.code != 2 && b.run.code != -1, "{}", b.run.stderr);
}
