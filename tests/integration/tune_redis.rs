//! `tune redis` on real files (Debian's redis.conf), real servers, and bad input.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{require, run, RedisServer};

fn debian_conf(dir: &Path) -> Option<PathBuf> {
    let src = Path::new("/etc/redis/redis.conf");
    if !require(
        src.is_file(),
        "Debian's /etc/redis/redis.conf (package redis-server)",
    ) {
        return None;
    }
    let dst = dir.join("redis.conf");
    std::fs::copy(src, &dst).unwrap();
    Some(dst)
}

fn hash(p: &Path) -> Vec<u8> {
    // the bytes themselves: "byte-for-byte unchanged" compared exactly
    std::fs::read(p).unwrap()
}

/// `statectl tune redis --config CONF ARGS…`.
fn tune(conf: &str, args: &[&str], env: &[(&str, &str)]) -> crate::support::Run {
    let mut all = vec!["tune", "redis", "--config", conf];
    all.extend_from_slice(args);
    run(&all, env)
}

/// The planned item named `name` in a JSON report.
fn item<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no item {name} in {v}"))
}

fn backups(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".statectl-")
        })
        .count()
}

#[test]
fn debian_conf_diff_touches_only_planned_lines_and_redis_starts_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let Some(conf) = debian_conf(dir.path()) else {
        return;
    };
    std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o640)).unwrap();
    let old = std::fs::read_to_string(&conf).unwrap();
    assert!(old.lines().count() > 2000);

    let r = tune(conf.to_str().unwrap(), &["--format", "json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&conf).unwrap(),
        old,
        "dry run writes nothing"
    );
    assert!(r.json()["diff"]
        .as_str()
        .unwrap()
        .contains("+maxmemory 2gb"));

    let r = tune(
        conf.to_str().unwrap(),
        &["--apply", "--format", "json"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["changed"], true);
    let backup = v["backup"].as_str().unwrap();
    assert_eq!(
        std::fs::read_to_string(backup).unwrap(),
        old,
        "backup holds the old file"
    );
    let new = std::fs::read_to_string(&conf).unwrap();
    assert_eq!(
        std::fs::metadata(&conf).unwrap().permissions().mode() & 0o777,
        0o640,
        "mode kept"
    );

    // Every removed line and every added line is a planned directive (or the block marker).
    let planned = [
        "maxmemory",
        "maxmemory-policy",
        "tcp-keepalive",
        "tcp-backlog",
        "protected-mode",
        "latency-monitor-threshold",
    ];
    let diff = similar::TextDiff::from_lines(&old, &new);
    for change in diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
    {
        let line = change.value().trim();
        let name = line.split_whitespace().next().unwrap_or("");
        assert!(
            line.is_empty() || line == "# Added by statectl tune redis" || planned.contains(&name),
            "unplanned change: {change:?}"
        );
    }
    let comments = |t: &str| {
        t.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
    };
    assert_eq!(
        comments(&new),
        comments(&old) + 1,
        "every comment survives (plus the marker)"
    );

    // a second apply is a no-op: same bytes, no new backup
    let before = hash(&conf);
    let n = backups(dir.path());
    let r = tune(conf.to_str().unwrap(), &["--apply"], &[]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("nothing to change"), "{}", r.stdout);
    assert_eq!(hash(&conf), before);
    assert_eq!(backups(dir.path()), n);

    // redis-server starts on the result and runs with the values
    let Some(srv) = RedisServer::start_file(&conf) else {
        panic!("redis-server refused the tuned Debian file")
    };
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "maxmemory"]),
        "maxmemory\n2147483648"
    );
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "maxmemory-policy"]),
        "maxmemory-policy\nallkeys-lru"
    );
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "latency-monitor-threshold"]),
        "latency-monitor-threshold\n100"
    );
}

#[test]
fn malformed_input_is_one_line_with_the_line_number_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    for (text, needle) in [
        (
            "port 6379\n# fine\nrequirepass \"open-quote-secret\n",
            ":3: unbalanced quotes",
        ),
        (
            "port 6379\nmaxmemory-policy fastest\n",
            ":2: maxmemory-policy \"fastest\"",
        ),
    ] {
        std::fs::write(&conf, text).unwrap();
        let r = tune(conf.to_str().unwrap(), &["--apply"], &[]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(r.stderr.contains(needle), "{}", r.stderr);
        assert!(!r.stderr.contains("open-quote-secret"));
        assert_eq!(std::fs::read_to_string(&conf).unwrap(), text);
        assert_eq!(backups(dir.path()), 0);
    }
    std::fs::write(&conf, "port 6379\n").unwrap();
    for (set, needle) in [
        ("maxmemory-policy=fastest", "allkeys-lru"),
        ("no-such-thing=1", "no-such-thing"),
        ("maxmemory=lots", "size"),
    ] {
        let r = tune(
            conf.to_str().unwrap(),
            &["--apply", "--set", set, "--set", "bind=127.0.0.1"],
            &[],
        );
        assert_eq!(r.code, 2, "{set}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{}", r.stderr);
    }
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), "port 6379\n");
    let r = run(
        &["tune", "redis", "--config", "/nonexistent/redis.conf"],
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("/nonexistent/redis.conf") && r.stderr.lines().count() == 1,
        "{}",
        r.stderr
    );
}

#[test]
fn exposing_a_passwordless_server_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "bind 0.0.0.0\nport 6379\n").unwrap();
    let r = tune(conf.to_str().unwrap(), &["--apply"], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("refusing") && r.stderr.contains("0.0.0.0"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&conf).unwrap(),
        "bind 0.0.0.0\nport 6379\n"
    );
    let r = tune(conf.to_str().unwrap(), &["--apply", "--force"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning"));
    assert!(std::fs::read_to_string(&conf)
        .unwrap()
        .contains("maxmemory 2gb"));
    // with a password it is fine, and the password never shows
    std::fs::write(&conf, "bind 0.0.0.0\nport 6379\n").unwrap();
    let r = tune(
        conf.to_str().unwrap(),
        &["--set", "requirepass=Sup3r-Secret"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("Sup3r-Secret") && !r.stderr.contains("Sup3r-Secret"));
}

#[test]
fn a_kill_before_the_rename_leaves_the_old_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    let text = "# keep me\nport 6379\nbind 127.0.0.1\n".repeat(200);
    std::fs::write(&conf, &text).unwrap();
    let r = tune(
        conf.to_str().unwrap(),
        &["--apply", "--backup-dir", dir.path().to_str().unwrap()],
        &[("STATECTL_FAILPOINT", "atomic-write-before-rename")],
    );
    assert_ne!(r.code, 0, "the failpoint aborts the process");
    assert_eq!(
        std::fs::read_to_string(&conf).unwrap(),
        text,
        "old file intact, never truncated"
    );
    // a normal run afterwards works
    let r = tune(conf.to_str().unwrap(), &["--apply"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn live_mode_sets_and_reads_back_and_reports_restart_items() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let conf = srv.dir.path().join("redis.conf");
    let srv_url = srv.url();
    let args = |apply: bool| {
        let mut a = vec![
            "tune",
            "redis",
            "--config",
            conf.to_str().unwrap(),
            "--live",
            &srv_url,
            "--set",
            "tcp-backlog=500",
            "--format",
            "json",
        ];
        if apply {
            a.push("--apply");
        }
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run_s = |a: Vec<String>| run(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let dry = run_s(args(false)).json();
    assert!(
        dry["live"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "maxmemory"),
        "{dry}"
    );
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "maxmemory"]),
        "maxmemory\n0",
        "dry run touches nothing"
    );

    let v = run_s(args(true)).json();
    assert_eq!(v["changed"], true);
    let live = v["live"].as_array().unwrap();
    assert!(live.iter().all(|l| l["ok"] == true), "{v}");
    assert!(live
        .iter()
        .any(|l| l["name"] == "maxmemory-policy" && l["after"] == "allkeys-lru"));
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "maxmemory"]),
        "maxmemory\n2147483648"
    );
    assert!(
        v["restart_required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "tcp-backlog"),
        "{v}"
    );

    let again = run_s(args(true)).json();
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(again["live"].as_array().unwrap().len(), 0);
}

// issue 12, defect 5: a secret passed with --set showed in `ps`, and a quoting error echoed it
#[test]
fn secrets_come_from_a_file_or_stdin_and_never_reach_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "bind 127.0.0.1\nport 6379\n").unwrap();
    let c = conf.to_str().unwrap();
    let secret = "planted-Zq7-secret";
    let file = dir.path().join("pw");
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    let r = tune(
        c,
        &[
            "--set",
            &format!("requirepass=@{}", file.display()),
            "--apply",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains(secret) && !r.stderr.contains(secret));
    assert!(
        std::fs::read_to_string(&conf)
            .unwrap()
            .contains(&format!("requirepass {secret}")),
        "the file's first line is the value"
    );
    // from stdin
    let mut child = crate::support::statectl()
        .args([
            "tune",
            "redis",
            "--config",
            c,
            "--set",
            "masterauth=-",
            "--format",
            "json",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"stdin-Zq7-secret\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\"masterauth\"") && !text.contains("stdin-Zq7"),
        "{text}"
    );
    // a malformed secret: one line, exit 2, the value never echoed
    for bad in ["requirepass=\"unterminated-Zq7", "requirepass=\"ab-Zq7\"x"] {
        let r = tune(c, &["--set", bad], &[]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("requirepass") && !r.stderr.contains("Zq7"),
            "{}",
            r.stderr
        );
    }
    let r = tune(c, &["--set", "requirepass=@/nonexistent/pw"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/pw"), "{}", r.stderr);
    // a new password that differs from the old only in case is a change, applied (before: the
    // values were compared lowercased, nothing was planned, and the old password stayed)
    let upper = secret.to_ascii_uppercase();
    std::fs::write(&file, format!("{upper}\n")).unwrap();
    let r = tune(
        c,
        &[
            "--set",
            &format!("requirepass=@{}", file.display()),
            "--apply",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["changed"], true, "{}", r.stdout);
    assert!(!r.stdout.contains(&upper) && !r.stderr.contains(&upper));
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(
        text.contains(&format!("requirepass {upper}")) && !text.contains(secret),
        "the new password replaced the old"
    );
}

// issue 19: directives of newer Redis releases were refused as "not a Redis 7 directive"
#[test]
fn upstream_7_2_and_7_4_files_plan_apply_and_stay_identical_for_their_own_release() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/redis-conf");
    for (file, version, extra) in [
        (
            "redis-7.2.6.conf",
            "7.2",
            &["--set", "locale-collate=C"][..],
        ),
        (
            "redis-7.4.1.conf",
            "7.4",
            &[
                "--set",
                "max-new-connections-per-cycle=20",
                "--set",
                "hide-user-data-from-log=yes",
            ],
        ),
    ] {
        let conf = dir.path().join(file);
        std::fs::copy(fixtures.join(file), &conf).unwrap();
        let c = conf.to_str().unwrap();
        let mut args = vec![
            "--redis-version",
            version,
            "--force",
            "--apply",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let first = tune(c, &args, &[]);
        assert_eq!(first.code, 0, "{file}: {}{}", first.stdout, first.stderr);
        let v = first.json();
        assert_eq!(v["changed"], true, "{file}");
        assert!(v["redis_version"].as_str().unwrap().starts_with(version));
        let after = hash(&conf);
        let text = String::from_utf8(after.clone()).unwrap();
        for pair in extra.iter().filter(|a| a.contains('=')) {
            let (k, val) = pair.split_once('=').unwrap();
            assert!(text.contains(&format!("\n{k} {val}\n")), "{file}: {k}");
        }
        let second = tune(c, &args, &[]);
        assert_eq!(second.code, 0, "{}", second.stderr);
        assert_eq!(
            second.json()["changed"],
            false,
            "{file}: a second apply changes nothing"
        );
        assert_eq!(
            hash(&conf),
            after,
            "{file}: byte-identical on the second apply"
        );
    }
    // the same 7.4 directive for a 7.2 server: refused, naming it and the version, file untouched
    let conf = dir.path().join("redis-7.2.6.conf");
    let before = hash(&conf);
    let r = tune(
        conf.to_str().unwrap(),
        &[
            "--redis-version",
            "7.2",
            "--force",
            "--apply",
            "--set",
            "max-new-connections-per-cycle=20",
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--set max-new-connections-per-cycle: a directive of Redis 7.4 and later; the Redis here is 7.2 (--redis-version)"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1);
    assert_eq!(hash(&conf), before);
    // a directive statectl does not know, for a release newer than it knows: kept, with a warning
    let r = tune(
        conf.to_str().unwrap(),
        &[
            "--redis-version",
            "8.2",
            "--force",
            "--set",
            "brand-new-directive=5",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("brand-new-directive is not a directive statectl knows"),
        "{}",
        r.stderr
    );
    assert!(r.json()["diff"]
        .as_str()
        .unwrap()
        .contains("+brand-new-directive 5"));
    let bad = tune(conf.to_str().unwrap(), &["--redis-version", "seven"], &[]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("--redis-version seven"),
        "{}",
        bad.stderr
    );
}

// the --live server's INFO decides the version, and CONFIG SET's answer is the last word
#[test]
fn the_live_servers_version_and_config_set_judge_directives() {
    let Some(redis) = RedisServer::start(&[]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "port 6379\nrequirepass secret-one\n").unwrap();
    let info = redis.cli(None, &["INFO", "server"]);
    let version = info
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .unwrap()
        .trim()
        .to_string();
    let live = redis.url();
    let r = tune(
        conf.to_str().unwrap(),
        &["--live", &live, "--set", "max-new-connections-per-cycle=20"],
        &[],
    );
    let mm: Vec<u64> = version
        .split('.')
        .take(2)
        .map(|n| n.parse().unwrap())
        .collect();
    if mm < vec![7, 4] {
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("the Redis here is {version} (INFO of")),
            "{}",
            r.stderr
        );
        // issue 26, item 42: and it says how to name the file's own release instead
        assert!(r.stderr.contains("--redis-version 7.4"), "{}", r.stderr);
    } else {
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    // unknown to statectl and to this server (with --redis-version beyond what statectl
    // knows): kept in the plan, then refused by CONFIG SET, and reported as refused
    let r = tune(
        conf.to_str().unwrap(),
        &[
            "--live",
            &live,
            "--redis-version",
            "9.0",
            "--set",
            "brand-new-directive=5",
            "--apply",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let refused = v["live"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "brand-new-directive")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(refused["ok"], false);
    assert!(
        refused["after"]
            .as_str()
            .unwrap()
            .starts_with("refused: CONFIG SET brand-new-directive"),
        "{refused}"
    );
}

// issue 26, item 7: --apply onto a symlinked redis.conf replaced the link with a regular file,
// left the real file unchanged and said "applied"; a rerun then read the new link-less file
#[test]
fn apply_through_a_symlink_edits_the_file_it_names_and_keeps_the_link() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("real");
    let link_dir = dir.path().join("etc");
    std::fs::create_dir_all(&real_dir).unwrap();
    std::fs::create_dir_all(&link_dir).unwrap();
    let real = real_dir.join("redis.conf");
    std::fs::write(&real, "bind 127.0.0.1\nport 6379\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let _ = std::os::unix::fs::chown(&real, Some(65534), Some(65534));
    let owner = std::fs::metadata(&real).unwrap().uid();
    // a relative link, through a second link: the chain is followed to its end
    let hop = link_dir.join("hop.conf");
    std::os::unix::fs::symlink("../real/redis.conf", &hop).unwrap();
    let link = link_dir.join("redis.conf");
    std::os::unix::fs::symlink("hop.conf", &link).unwrap();
    let l = link.to_str().unwrap();

    let r = tune(l, &["--apply", "--format", "json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["changed"], true);
    for p in [&link, &hop] {
        assert!(
            std::fs::symlink_metadata(p).unwrap().is_symlink(),
            "{} is still a link",
            p.display()
        );
    }
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(
        text.contains("maxmemory 2gb"),
        "the real file changed: {text}"
    );
    let m = std::fs::metadata(&real).unwrap();
    assert_eq!(m.mode() & 0o777, 0o640, "mode kept");
    assert_eq!(m.uid(), owner, "owner kept");
    let strays: Vec<_> = std::fs::read_dir(&real_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "redis.conf")
        .collect();
    assert!(strays.is_empty(), "no temp file left: {strays:?}");
    // the rerun reads the same file through the link and tells the truth
    let again = tune(l, &["--apply", "--format", "json"], &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["changed"], false, "{}", again.stdout);
}

// issue 26, item 10: ENOSPC while writing the backup left a 0-byte .bak, and the message did not
// say the disk was full. A real full disk: a small tmpfs this test mounts and fills.
#[test]
fn a_full_disk_leaves_no_partial_backup_and_says_the_disk_is_full() {
    if !require(
        crate::support::is_root(),
        "root (to mount a small tmpfs that fills up)",
    ) {
        return;
    }
    struct Mount(PathBuf);
    impl Drop for Mount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "statectl-test"])
        .arg(&mnt)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mount -t tmpfs");
    let _mount = Mount(mnt.clone());
    let conf = mnt.join("redis.conf");
    let text = "# keep me\nbind 127.0.0.1\nport 6379\n".repeat(300);
    std::fs::write(&conf, &text).unwrap();
    // fill every page that is left
    {
        use std::io::Write;
        let mut filler = std::fs::File::create(mnt.join("filler")).unwrap();
        let page = vec![b'x'; 4096];
        while filler.write_all(&page).is_ok() {}
        while filler.write_all(b"x").is_ok() {}
    }
    let r = tune(conf.to_str().unwrap(), &["--apply"], &[]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    let left: Vec<_> = std::fs::read_dir(&mnt)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "redis.conf" && n != "filler")
        .collect();
    assert!(left.is_empty(), "no partial backup or temp file: {left:?}");
    assert!(r.stderr.contains("the disk is full"), "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), text);
}

// issue 26, item 11: adding a restart-only directive at Redis's own default (tcp-backlog 511)
// was reported as needing a restart, so the provision playbook restarted Redis for nothing
#[test]
fn adding_a_directive_at_redis_default_needs_no_restart() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "bind 127.0.0.1\nport 6379\n").unwrap();
    let c = conf.to_str().unwrap();
    let r = tune(
        c,
        &["--set", "tcp-backlog=511", "--apply", "--format", "json"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["changed"], true, "{v}");
    assert_eq!(v["restart_required"], serde_json::json!([]), "{v}");
    // a value that differs from the default does need one
    let r = tune(
        c,
        &[
            "--set",
            "tcp-backlog=256",
            "--set",
            "databases=16",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json()["restart_required"],
        serde_json::json!(["tcp-backlog"]),
        "{}",
        r.stdout
    );
}

// issue 26, item 9: `maxmemory 1gb` then `include extra.conf` (maxmemory 1mb): tune said
// "applied" while Redis, which applies directives in file order, used the include's 1mb
#[test]
fn a_directive_an_include_overrides_is_refused_naming_the_include() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    let extra_dir = dir.path().join("conf.d");
    std::fs::create_dir(&extra_dir).unwrap();
    let extra = extra_dir.join("extra.conf");
    std::fs::write(&extra, "maxmemory 1mb\n").unwrap();
    let text = format!(
        "bind 127.0.0.1\nport 6379\nmaxmemory 1gb\ninclude {}/*.conf\n",
        extra_dir.display()
    );
    std::fs::write(&conf, &text).unwrap();
    let c = conf.to_str().unwrap();
    let r = tune(c, &["--apply", "--set", "maxmemory=2gb"], &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!("{}:1", extra.display())) && r.stderr.contains("maxmemory"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&conf).unwrap(),
        text,
        "nothing written"
    );
    assert_eq!(backups(dir.path()), 0);

    // the include already sets what is asked: nothing to change for it, and it says so
    let r = tune(c, &["--set", "maxmemory=1mb", "--format", "json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(item(&v, "maxmemory")["action"], "unchanged", "{v}");

    // an include that cannot be read is an error naming it: what it sets is unknown
    let unreadable = dir.path().join("unreadable.conf");
    std::fs::write(&unreadable, "port 6379\ninclude /nonexistent/extra.conf\n").unwrap();
    let r = tune(unreadable.to_str().unwrap(), &["--apply"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("/nonexistent/extra.conf"), "{}", r.stderr);

    // an include before the file's own line does not override it; one that is the only setter
    // is overridden by the line tune appends at the end: both apply, and Redis agrees
    let text = format!(
        "include {}\nbind 127.0.0.1\nport 6379\nmaxmemory 1gb\n",
        extra.display()
    );
    std::fs::write(&conf, &text).unwrap();
    std::fs::write(&extra, "maxmemory 1mb\nmaxmemory-policy noeviction\n").unwrap();
    let r = tune(c, &["--apply", "--format", "json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(item(&v, "maxmemory-policy")["before"], "noeviction", "{v}");
    let Some(srv) = RedisServer::start_file(&conf) else {
        return;
    };
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "maxmemory"]),
        "maxmemory\n2147483648"
    );
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "maxmemory-policy"]),
        "maxmemory-policy\nallkeys-lru"
    );
}

// issue 26, item 8: two --apply at once both said "applied" and one run's edits were lost.
// The first run stops itself (failpoint) after reading the file; the second must wait for it,
// then re-read and keep the first run's edits.
#[test]
fn two_applies_at_once_keep_both_edits() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "bind 127.0.0.1\nport 6379\n").unwrap();
    let c = conf.to_str().unwrap();
    let spawn = |set: &str, failpoint: bool| {
        let mut cmd = crate::support::statectl();
        cmd.args([
            "tune",
            "redis",
            "--config",
            c,
            "--redis-version",
            "7.0",
            "--set",
            set,
            "--apply",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        if failpoint {
            cmd.env("STATECTL_FAILPOINT", "tune-redis-after-read");
        }
        cmd.spawn().unwrap()
    };
    let first = spawn("hz=20", true);
    // a failed assertion must not leave the first run stopped for ever
    struct Reap(u32);
    impl Drop for Reap {
        fn drop(&mut self) {
            crate::support::signal_all(&[self.0], "KILL");
        }
    }
    let reap = Reap(first.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let state = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(") ").map(|(_, r)| r.chars().next()))
            .flatten()
    };
    while state(first.id()) != Some('T') {
        assert!(
            std::time::Instant::now() < deadline,
            "the first run never reached the failpoint"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut second = spawn("timeout=30", false);
    // the second run says it waits (or, without a lock, finishes): read its stderr until then
    let stderr = second.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let waited = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains("waiting") => break line,
            Ok(_) => continue,
            Err(e) => panic!("the second run ended or hung without waiting for the first: {e:?}"),
        }
    };
    assert!(waited.contains(c), "{waited}");
    crate::support::signal_all(&[first.id()], "CONT");
    let a = first.wait_with_output().unwrap();
    let b = second.wait_with_output().unwrap();
    std::mem::forget(reap);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(b.status.success());
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(
        text.contains("\nhz 20\n") && text.contains("\ntimeout 30\n"),
        "both runs' edits are in the file: {text}"
    );
    let plan_b: serde_json::Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_eq!(plan_b["changed"], true, "{plan_b}");
}

// issue 28, item 22: `cd /etc/redis && statectl tune redis --config redis.conf --apply` failed
// with "backup in : No such file or directory": a bare name's parent is the empty path
#[test]
fn a_bare_file_name_from_its_own_directory_applies_with_a_backup_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    let text = "bind 127.0.0.1\nport 6379\n";
    std::fs::write(&conf, text).unwrap();
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    // `cd DIR && statectl tune redis --config redis.conf --apply ARGS…`
    let here = |args: &[&str]| {
        let mut all = vec!["tune", "redis", "--config", "redis.conf", "--apply"];
        all.extend_from_slice(args);
        crate::support::run_in(Some(dir.path()), &all, &[])
    };
    // a failure leaves nothing half-done: the file as it was, no backup, no temp file
    // a missing --backup-dir is a usage error (exit 2, naming it), as is a file given for one
    let r = here(&["--backup-dir", "no-such-dir"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("--backup-dir no-such-dir: no such directory"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    let r = here(&["--backup-dir", "redis.conf"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("--backup-dir redis.conf: not a directory"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), text);
    assert_eq!(files(), vec!["redis.conf"]);

    let r = here(&["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["changed"], true, "{v}");
    let backup = dir.path().join(v["backup"].as_str().unwrap());
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), text);
    assert!(std::fs::read_to_string(&conf)
        .unwrap()
        .contains("\nmaxmemory 2gb\n"));
    assert_eq!(files().len(), 2, "the file and its backup: {:?}", files());
}

// issue 28, item 18: `--redis-version 6.2` planned and applied 7.0-only directives
// (enable-debug-command, latency-tracking …): Redis 6.2 refuses to start on an unknown one
#[test]
fn a_redis_older_than_7_0_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    let text = "bind 127.0.0.1\nport 6379\n";
    std::fs::write(&conf, text).unwrap();
    for set in [&["--set", "enable-debug-command=local"][..], &[]] {
        let mut args = vec!["--redis-version", "6.2", "--apply"];
        args.extend_from_slice(set);
        let r = tune(conf.to_str().unwrap(), &args, &[]);
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("Redis 6.2 (--redis-version)")
                && r.stderr.contains("Redis 7.0 and later"),
            "{}",
            r.stderr
        );
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
        assert_eq!(std::fs::read_to_string(&conf).unwrap(), text);
        assert_eq!(backups(dir.path()), 0);
    }
}

// issue 28, item 21: `--set 'client-output-buffer-limit=pubsub 64mb 16mb 90'` deleted the normal
// and replica lines, a second tune of another class reverted the first, and one --set of
// rename-command, user, loadmodule or include dropped every other line of it. Debian's file is
// upstream 7.0's (its three client-output-buffer-limit lines); the lines appended are the ones
// its own comments describe (renames, ACL users, an include, save rules).
#[test]
fn keyed_directives_keep_their_other_entries_and_redis_starts_on_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let Some(conf) = debian_conf(dir.path()) else {
        return;
    };
    let d = dir.path().display();
    std::fs::write(dir.path().join("local.conf"), "hz 15\n").unwrap();
    std::fs::write(dir.path().join("more.conf"), "slowlog-max-len 256\n").unwrap();
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text += &format!(
        "rename-command FLUSHALL \"\"\nrename-command KEYS \"\"\nuser alice on >alice-pw ~app:* +@read\nuser bob on >bob-pw ~* +@all\ninclude {d}/local.conf\nsave 3600 1\nsave 300 100\n"
    );
    std::fs::write(&conf, &text).unwrap();
    let c = conf.to_str().unwrap();
    let keyed = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| {
                let n = l.split_whitespace().next().unwrap_or("");
                [
                    "client-output-buffer-limit",
                    "rename-command",
                    "user",
                    "include",
                    "save",
                ]
                .contains(&n)
            })
            .map(String::from)
            .collect()
    };
    let more = format!("include={d}/more.conf");
    let r = tune(
        c,
        &[
            "--redis-version",
            "7.0",
            "--apply",
            "--format",
            "json",
            "--set",
            "client-output-buffer-limit=pubsub 64mb 16mb 90",
            "--set",
            "rename-command=DEBUG \"\"",
            "--set",
            "user=alice on >alice-pw2 ~app:* +@read +@write",
            "--set",
            &more,
            "--set",
            "save=900 1",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expect = |replica: &str| {
        vec![
            "client-output-buffer-limit normal 0 0 0".to_string(),
            format!("client-output-buffer-limit {replica}"),
            "client-output-buffer-limit pubsub 64mb 16mb 90".into(),
            "rename-command FLUSHALL \"\"".into(),
            "rename-command KEYS \"\"".into(),
            "user alice on >alice-pw2 ~app:* +@read +@write".into(),
            "user bob on >bob-pw ~* +@all".into(),
            format!("include {d}/local.conf"),
            "save 900 1".into(),
            "rename-command DEBUG \"\"".into(),
            format!("include {d}/more.conf"),
        ]
    };
    assert_eq!(
        keyed(&std::fs::read_to_string(&conf).unwrap()),
        expect("replica 256mb 64mb 60")
    );
    // another class, in a second run: the first run's pubsub limits stay
    let r = tune(
        c,
        &[
            "--redis-version",
            "7.0",
            "--apply",
            "--set",
            "client-output-buffer-limit=slave 512mb 128mb 120",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::read_to_string(&conf).unwrap();
    assert_eq!(keyed(&after), expect("slave 512mb 128mb 120"));

    let Some(srv) = RedisServer::start_file(&conf) else {
        panic!("redis-server refused the tuned file")
    };
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "client-output-buffer-limit"]),
        "client-output-buffer-limit\nnormal 0 0 0 slave 536870912 134217728 120 pubsub 67108864 16777216 90"
    );
    // (the harness gives `--save ""` on the command line, so the file's save rules are judged
    // by the lines above, not by the running server)
    assert_eq!(srv.cli(None, &["CONFIG", "GET", "hz"]), "hz\n15");
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "slowlog-max-len"]),
        "slowlog-max-len\n256"
    );
    for gone in ["FLUSHALL", "KEYS", "DEBUG"] {
        let said = srv.cli(None, &[gone, "x"]);
        assert!(said.contains("unknown command"), "{gone}: {said}");
    }
    let acl = srv.cli(None, &["ACL", "LIST"]);
    assert!(
        acl.contains("user alice on") && acl.contains("user bob on"),
        "{acl}"
    );
    assert_eq!(
        srv.cli(None, &["AUTH", "alice", "alice-pw2"]),
        "OK",
        "alice's new password"
    );

    // --live: CONFIG SET of one class leaves the others, and its read-back is judged by that class
    let live_conf = srv.dir.path().join("live.conf");
    std::fs::write(&live_conf, "bind 127.0.0.1\nport 6379\n").unwrap();
    let url = srv.url();
    let r = tune(
        live_conf.to_str().unwrap(),
        &[
            "--live",
            &url,
            "--apply",
            "--format",
            "json",
            "--set",
            "client-output-buffer-limit=pubsub 32mb 8mb 60",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let set = v["live"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "client-output-buffer-limit")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(set["ok"], true, "{set}");
    assert_eq!(
        srv.cli(None, &["CONFIG", "GET", "client-output-buffer-limit"]),
        "client-output-buffer-limit\nnormal 0 0 0 slave 536870912 134217728 120 pubsub 33554432 8388608 60"
    );
}

// issue 28, item 23: `tune redis --config sentinel.conf` was refused with a message about `bind`
// (the exposure check), as if it were a server's redis.conf. The file here is the one a real
// Sentinel rewrote at start-up (sentinel myid, known-replica … as Sentinel writes them).
#[test]
fn a_sentinel_config_is_named_as_such_and_left_alone() {
    let Some(master) = RedisServer::start(&[]) else {
        return;
    };
    let Some(sentinel) = RedisServer::start_sentinel(&[&format!(
        "sentinel monitor mymaster 127.0.0.1 {} 2",
        master.port
    )]) else {
        return;
    };
    let written = sentinel.dir.path().join("redis.conf");
    crate::support::topology::until(
        "sentinel rewriting its config",
        std::time::Duration::from_secs(10),
        || std::fs::read_to_string(&written).is_ok_and(|t| t.contains("sentinel myid")),
    );
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("sentinel.conf");
    std::fs::copy(&written, &conf).unwrap();
    let before = hash(&conf);
    let c = conf.to_str().unwrap();
    for args in [&["--apply"][..], &["--apply", "--force"], &[]] {
        let r = tune(c, args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.contains(c) && r.stderr.contains("Sentinel") && !r.stderr.contains("bind"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
    assert_eq!(hash(&conf), before, "nothing written");
    assert_eq!(backups(dir.path()), 0);
}
