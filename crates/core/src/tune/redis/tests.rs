use super::*;
use proptest::prelude::*;

fn conf(text: &str) -> ConfFile {
    ConfFile::parse(text).unwrap()
}

fn set(kv: &[(&str, &str)]) -> Vec<(String, String)> {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn tokenises_like_sdssplitargs() {
    assert_eq!(
        tokenize("save 3600 1 300 100").unwrap(),
        vec!["save", "3600", "1", "300", "100"]
    );
    assert_eq!(
        tokenize(r#"requirepass "a b\"c\x41""#).unwrap(),
        vec!["requirepass", "a b\"cA"]
    );
    assert_eq!(
        tokenize(r"rename-command CONFIG ''").unwrap(),
        vec!["rename-command", "CONFIG", ""]
    );
    assert_eq!(tokenize(r"x 'it\'s'").unwrap(), vec!["x", "it's"]);
    assert!(tokenize(r#"requirepass "open"#).is_err());
    assert!(tokenize(r#"x "a"b"#).is_err());
    assert!(tokenize("x 'open").is_err());
}

#[test]
fn quoting_round_trips() {
    for v in [
        "plain",
        "two words",
        "",
        "quo\"te",
        "back\\slash",
        "tab\there",
        "it's",
    ] {
        assert_eq!(tokenize(&quote(v)).unwrap(), vec![v.to_string()], "{v:?}");
    }
}

#[test]
fn sizes_compare_as_bytes() {
    assert_eq!(memtoll("2gb"), Some(2147483648));
    assert_eq!(memtoll("2G"), Some(2_000_000_000));
    assert_eq!(memtoll("100mb"), Some(104857600));
    assert_eq!(memtoll("2 parsecs"), None);
    assert!(same_value("maxmemory", "2gb", "2147483648"));
    assert!(!same_value("maxmemory", "2g", "2147483648"));
    assert!(same_value("protected-mode", "YES", "yes"));
}

#[test]
fn only_yes_no_and_enumerations_compare_without_case() {
    assert!(same_value("appendfsync", "EverySec", "everysec"));
    assert!(same_value("maxmemory-policy", "ALLKEYS-LRU", "allkeys-lru"));
    // a changed password, path or flag set is a change (before: all compared lowercased, so a
    // new password differing only in case was planned as nothing to do)
    assert!(!same_value("requirepass", "Secret-Zq7", "secret-zq7"));
    assert!(!same_value("masterauth", "Secret", "secret"));
    assert!(!same_value("dir", "/Data/redis", "/data/redis"));
    assert!(!same_value("notify-keyspace-events", "Ex", "ex"));
    assert!(same_value("requirepass", "\"Secret\"", "Secret"));
}

#[test]
fn replaces_first_in_place_drops_duplicates_appends_new_keeps_the_rest() {
    let old = "# top comment\nmaxmemory 1gb\n\ninclude /etc/redis/extra.conf\nunknown-future-directive 1\nmaxmemory 3gb\n# tail\n";
    let p = plan(
        &conf(old),
        &set(&[("maxmemory", "2gb"), ("tcp-keepalive", "300")]),
        V70,
        &[],
    )
    .unwrap();
    assert_eq!(
        p.text,
        "# top comment\nmaxmemory 2gb\n\ninclude /etc/redis/extra.conf\nunknown-future-directive 1\n# tail\n\n# Added by statectl tune redis\ntcp-keepalive 300\n"
    );
    // the value in force was the last occurrence
    assert_eq!(p.items[0].before.as_deref(), Some("3gb"));
    assert_eq!(
        (p.items[0].action, p.items[1].action),
        (Action::Change, Action::Add)
    );
    // planning again on the result changes nothing
    let again = plan(
        &conf(&p.text),
        &set(&[("maxmemory", "2147483648"), ("tcp-keepalive", "300")]),
        V70,
        &[],
    )
    .unwrap();
    assert!(!again.changes());
    assert_eq!(again.text, p.text);
}

#[test]
fn a_later_set_replaces_the_profile_value() {
    let p = plan(
        &conf("port 1\n"),
        &set(&[("tcp-backlog", "511"), ("tcp-backlog", "500")]),
        V70,
        &[],
    )
    .unwrap();
    assert_eq!(p.items.len(), 1);
    assert!(
        p.text.ends_with("tcp-backlog 500\n") && !p.text.contains("511"),
        "{}",
        p.text
    );
    let again = plan(
        &conf(&p.text),
        &set(&[("tcp-backlog", "511"), ("tcp-backlog", "500")]),
        V70,
        &[],
    )
    .unwrap();
    assert!(!again.changes());
}

#[test]
fn multi_value_directives_are_lists() {
    let old = "bind 127.0.0.1\nsave 3600 1\nsave 300 100\n";
    let p = plan(&conf(old), &set(&[("save", "3600 1 300 100")]), V70, &[]).unwrap();
    assert!(!p.changes(), "two save lines equal one list");
    let p = plan(
        &conf(old),
        &set(&[("save", "900 1"), ("bind", "127.0.0.1 -::1")]),
        V70,
        &[],
    )
    .unwrap();
    assert_eq!(p.text, "bind 127.0.0.1 -::1\nsave 900 1\n");
}

#[test]
fn bad_values_and_lines_are_refused_with_line_numbers() {
    let e = ConfFile::parse("port 6379\nmaxmemory-policy fastest\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("allkeys-lru"), "{}", e.message);
    let e = ConfFile::parse("# ok\n\nrequirepass \"unterminated\n").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (3, "unbalanced quotes"));
    assert!(!e.message.contains("unterminated"));
    let c = conf("port 1\n");
    assert!(plan(&c, &set(&[("maxmemory-policy", "fastest")]), V70, &[]).is_err());
    assert!(plan(&c, &set(&[("maxmemory", "lots")]), V70, &[]).is_err());
    assert!(plan(&c, &set(&[("no-such-directive", "1")]), V70, &[])
        .unwrap_err()
        .0
        .contains("no-such-directive"));
}

/// Redis 7.0.15, as `redis-server --version` says.
const V70: Option<(&[u64], &str)> = Some((&[7, 0, 15], "redis-server --version"));

#[test]
fn newer_directives_are_judged_by_the_version_that_reads_the_file() {
    let c = conf("port 1\n");
    let v = |v: &'static [u64]| Some((v, "--redis-version"));
    let one = |name: &str| set(&[(name, "20")]);
    // a 7.4 directive: refused for 7.0 and 7.2, planned for 7.4 and 8.0
    let e = plan(&c, &one("max-new-connections-per-cycle"), v(&[7, 2]), &[]).unwrap_err();
    assert!(
        e.0.contains("a directive of Redis 7.4 and later; the Redis here is 7.2 (--redis-version)"),
        "{}",
        e.0
    );
    for ok in [&[7u64, 4][..], &[7, 4, 1], &[8, 0, 2]] {
        let p = plan(&c, &one("max-new-connections-per-cycle"), v(ok), &[]).unwrap();
        assert!(p.text.contains("max-new-connections-per-cycle 20") && p.warnings.is_empty());
    }
    // unknown to statectl: refused for a release it knows whole, kept with a warning beyond
    assert!(plan(&c, &one("no-such-directive"), v(&[7, 4]), &[]).is_err());
    let p = plan(&c, &one("io-threads-new-thing"), v(&[8, 2]), &[]).unwrap();
    assert!(p.text.contains("io-threads-new-thing 20"));
    assert!(
        p.warnings[0].contains("kept for Redis 8.2 (--redis-version) to judge"),
        "{:?}",
        p.warnings
    );
    let p = plan(&c, &one("io-threads-new-thing"), None, &[]).unwrap();
    assert!(p.warnings[0].contains("the Redis version is unknown"));
}

#[test]
fn exposure_needs_a_password_or_acl() {
    assert!(exposure(&conf("bind 0.0.0.0\n")).is_some());
    assert!(
        exposure(&conf("port 1\n")).is_some(),
        "no bind means all interfaces"
    );
    assert!(exposure(&conf("bind 127.0.0.1 -::1\n")).is_none());
    assert!(exposure(&conf("bind 10.0.0.5\nrequirepass s3cret\n")).is_none());
    assert!(exposure(&conf("bind 10.0.0.5\naclfile /etc/redis/users.acl\n")).is_none());
    assert!(exposure(&conf("bind 10.0.0.5\nuser default on >pw ~* +@all\n")).is_none());
}

#[test]
fn secrets_are_masked_in_diffs() {
    let old = "requirepass oldsecret\nport 1\n";
    let p = plan(&conf(old), &set(&[("requirepass", "newsecret")]), V70, &[]).unwrap();
    let d = diff("redis.conf", old, &p.text);
    assert!(!d.contains("oldsecret") && !d.contains("newsecret"), "{d}");
    assert!(
        d.contains("-requirepass ***") && d.contains("+requirepass ***"),
        "{d}"
    );
    assert_eq!(shown("requirepass", "x"), "***");
}

#[test]
fn session_cache_profile_has_the_briefs_values() {
    let p = session_cache("2gb", 511);
    assert_eq!(p.len(), 6);
    assert!(p.contains(&("maxmemory-policy".into(), "allkeys-lru".into())));
    let planned = plan(&conf("port 6379\n"), &p, V70, &[]).unwrap();
    assert_eq!(
        planned
            .items
            .iter()
            .filter(|i| !i.live)
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>(),
        vec!["tcp-backlog"]
    );
}

/// A generated config line: comment, blank, include, unknown directive, or a known one.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        "# [a-zA-Z0-9 .,'\"-]{0,30}".prop_map(|s| s),
        Just(String::new()),
        "include /etc/redis/[a-z]{1,8}\\.conf",
        "unknown-[a-z]{1,6} [a-z0-9]{1,5}",
        (1u64..5000).prop_map(|n| format!("maxmemory {n}mb")),
        prop_oneof![
            Just("allkeys-lru"),
            Just("noeviction"),
            Just("volatile-ttl")
        ]
        .prop_map(|p| format!("maxmemory-policy {p}")),
        (0u32..1000).prop_map(|n| format!("tcp-keepalive {n}")),
        "save [0-9]{1,4} [0-9]{1,3}",
        "requirepass \"[a-z ]{1,10}\"",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn planning_is_idempotent_and_preserves_everything_else(lines in prop::collection::vec(line(), 0..40)) {
        let text = lines.join("\n") + "\n";
        let c = ConfFile::parse(&text).unwrap();
        let want = set(&[("maxmemory", "2gb"), ("maxmemory-policy", "allkeys-lru"), ("tcp-keepalive", "300"), ("save", "900 1")]);
        let p = plan(&c, &want, V70, &[]).unwrap();
        let after = ConfFile::parse(&p.text).unwrap();
        // the desired values are in force
        for (k, v) in &want {
            prop_assert!(same_value(k, &after.effective(k).unwrap(), v), "{k}");
        }
        // every line that is not a planned directive survives, in order
        let planned: Vec<&str> = want.iter().map(|(k, _)| k.as_str()).collect();
        let keep = |c: &ConfFile| c.lines.iter()
            .filter(|l| !l.directive.as_ref().is_some_and(|(n, _)| planned.contains(&n.as_str())))
            .filter(|l| l.raw != MARKER)
            .map(|l| l.raw.clone())
            .collect::<Vec<_>>();
        let before_kept = keep(&c);
        let mut after_kept = keep(&after);
        // the appended block may add one blank separator line at the end
        if after_kept.len() == before_kept.len() + 1 && after_kept.last().is_some_and(|l| l.is_empty()) {
            after_kept.pop();
        }
        prop_assert_eq!(before_kept, after_kept);
        // a second plan changes nothing
        let again = plan(&after, &want, V70, &[]).unwrap();
        prop_assert!(!again.changes());
        prop_assert_eq!(again.text, p.text);
    }
}

#[test]
fn persistence_is_save_rules_or_appendonly() {
    assert!(persistence_on(&conf("save 3600 1\n")));
    assert!(persistence_on(&conf("save \"\"\nappendonly yes\n")));
    assert!(!persistence_on(&conf("save \"\"\nappendonly no\n")));
    assert!(!persistence_on(&conf("save ''\n")));
    // Redis 7 defaults to RDB snapshots when no save line is given, but a file without one is
    // planned as written: only what the file says counts.
    assert!(!persistence_on(&conf("port 6379\n")));
}

#[test]
fn maxmemory_takes_80_percent_or_50_with_persistence() {
    let gib = 1u64 << 30;
    assert_eq!(maxmemory_for(10 * gib, false), 8 * gib);
    assert_eq!(maxmemory_for(10 * gib, true), 5 * gib);
    assert_eq!(maxmemory_share(false), 0.8);
}

#[test]
fn backlog_is_511_unless_somaxconn_caps_it() {
    assert_eq!(backlog_for(None), 511);
    assert_eq!(backlog_for(Some(4096)), 511);
    assert_eq!(backlog_for(Some(128)), 128);
}

#[test]
fn live_plan_sets_runtime_directives_and_defers_the_rest() {
    let p = plan(
        &conf("maxmemory 1gb\ntcp-backlog 128\n"),
        &set(&[
            ("maxmemory", "2gb"),
            ("tcp-backlog", "511"),
            ("maxmemory-policy", "allkeys-lru"),
        ]),
        V70,
        &[],
    )
    .unwrap();
    let running: std::collections::BTreeMap<String, String> = [
        ("maxmemory", "1073741824"),
        ("tcp-backlog", "128"),
        // already live: 2gb in bytes would be equal, so only the policy is the same here
        ("maxmemory-policy", "allkeys-lru"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (to_set, restart) = live_plan(&p.items, &running);
    assert_eq!(to_set, vec![("maxmemory".to_string(), "2gb".to_string())]);
    assert_eq!(restart, vec!["tcp-backlog".to_string()]);
}

// issue 26, item 42: refusing a newer directive because the local redis-server is older must say
// how to name the file's own release
#[test]
fn refusing_a_newer_directive_names_the_flag_for_the_files_release() {
    let e = judge(
        "hide-user-data-from-log",
        Some((&[7, 0, 15], "redis-server --version")),
    )
    .unwrap_err();
    assert!(
        e.contains("the Redis here is 7.0.15 (redis-server --version)")
            && e.contains("--redis-version 7.4"),
        "{e}"
    );
}

// issue 26, item 11: a restart-only directive added at Redis's own default changes nothing that
// a restart would pick up
#[test]
fn a_directive_added_at_its_default_needs_no_restart() {
    let c = conf("port 6379\n");
    let p = plan(
        &c,
        &set(&[("tcp-backlog", "511"), ("databases", "16")]),
        None,
        &[],
    )
    .unwrap();
    assert!(p.changes());
    assert!(p.restart_required().is_empty(), "{:?}", p.items);
    let p = plan(&c, &set(&[("tcp-backlog", "1024")]), None, &[]).unwrap();
    assert_eq!(p.restart_required(), vec!["tcp-backlog".to_string()]);
    // changing a value away from the default in the file does need one
    let c = conf("tcp-backlog 1024\n");
    let p = plan(&c, &set(&[("tcp-backlog", "511")]), None, &[]).unwrap();
    assert_eq!(p.restart_required(), vec!["tcp-backlog".to_string()]);
}

// issue 26, item 9: Redis applies directives in file order with includes read at their line, so
// an include after the file's own line wins
#[test]
fn includes_decide_the_value_in_force() {
    let c = conf("maxmemory 1gb\ninclude /etc/redis/extra.conf\nport 6379\n");
    let extra = |name: &str, value: &str| Included {
        at: 1,
        file: "/etc/redis/extra.conf".into(),
        line: 3,
        name: name.into(),
        value: value.into(),
    };
    let e = plan(
        &c,
        &set(&[("maxmemory", "2gb")]),
        None,
        &[extra("maxmemory", "1mb")],
    )
    .unwrap_err()
    .0;
    assert!(
        e.contains("/etc/redis/extra.conf:3") && e.contains("maxmemory"),
        "{e}"
    );
    let p = plan(
        &c,
        &set(&[("maxmemory", "1mb")]),
        None,
        &[extra("maxmemory", "1mb")],
    )
    .unwrap();
    assert_eq!(p.items[0].action, Action::Unchanged);
    assert_eq!(p.items[0].before.as_deref(), Some("1mb"));
    // only the include sets it: the appended line comes last and wins
    let p = plan(&c, &set(&[("hz", "20")]), None, &[extra("hz", "50")]).unwrap();
    assert_eq!(p.items[0].action, Action::Add);
    assert_eq!(p.items[0].before.as_deref(), Some("50"));
    // an include before the file's own line is overridden by that line
    let c = conf("include /etc/redis/extra.conf\nmaxmemory 1gb\n");
    let early = Included {
        at: 0,
        ..extra("maxmemory", "1mb")
    };
    let p = plan(&c, &set(&[("maxmemory", "2gb")]), None, &[early]).unwrap();
    assert_eq!(p.items[0].action, Action::Change);
    assert_eq!(p.items[0].before.as_deref(), Some("1gb"));
}

// issue 28, item 18: `--redis-version 6.2` planned 7.0's directives (enable-debug-command,
// latency-tracking, shutdown-on-sigterm, cluster-port …), which Redis 6.2 refuses at start-up
#[test]
fn a_redis_older_than_7_0_is_refused_naming_its_version() {
    let c = conf("port 6379\n");
    for (v, from, shows) in [
        (&[6u64, 2][..], "--redis-version", "6.2"),
        (&[6, 2, 14], "INFO of redis://127.0.0.1:7000", "6.2.14"),
        (&[5], "redis-server --version", "5"),
    ] {
        for want in [
            set(&[("enable-debug-command", "local")]),
            set(&[("maxmemory", "1gb")]),
        ] {
            let e = plan(&c, &want, Some((v, from)), &[]).unwrap_err().0;
            assert!(
                e.contains(&format!("Redis {shows} ({from})")) && e.contains("Redis 7.0 and later"),
                "{e}"
            );
            assert_eq!(e.lines().count(), 1, "{e}");
        }
    }
    // 7.0 itself, and an unknown version, are planned
    for v in [V70, Some((&[7u64][..], "--redis-version")), None] {
        assert!(plan(&c, &set(&[("latency-tracking", "yes")]), v, &[]).is_ok());
    }
}

// issue 28, item 21: `--set 'client-output-buffer-limit=pubsub 64mb 16mb 90'` replaced the normal
// line and dropped the replica and pubsub lines, and a second tune of another class reverted the
// first; rename-command, user, loadmodule and include lines were one list, so one --set of them
// dropped all the others. Redis keys each of these by its first argument.
#[test]
fn directives_keyed_by_their_first_argument_are_edited_entry_by_entry() {
    // upstream redis.conf's three client-output-buffer-limit lines (7.0.15, as Debian ships it),
    // and the lines operators add (redis.conf's own examples for renames, ACL users, modules,
    // includes and save rules)
    let old = "\
client-output-buffer-limit normal 0 0 0
client-output-buffer-limit replica 256mb 64mb 60
client-output-buffer-limit pubsub 32mb 8mb 60
rename-command FLUSHALL \"\"
rename-command KEYS \"\"
user alice on >alice-pw ~app:* +@read
user bob on >bob-pw ~* +@all
loadmodule /usr/lib/redis/modules/redisbloom.so
loadmodule /usr/lib/redis/modules/rejson.so
include /etc/redis/a.conf
include /etc/redis/b.conf
save 3600 1
save 300 100
";
    let want = set(&[
        ("client-output-buffer-limit", "pubsub 64mb 16mb 90"),
        ("rename-command", "keys \"\""),
        ("rename-command", "DEBUG \"\""),
        ("user", "alice on >alice-pw2 ~app:* +@read +@write"),
        (
            "loadmodule",
            "/usr/lib/redis/modules/rejson.so MAX_DEPTH 64",
        ),
        ("include", "/etc/redis/a.conf"),
        ("include", "/etc/redis/c.conf"),
        ("save", "900 1"),
    ]);
    let p = plan(&conf(old), &want, V70, &[]).unwrap();
    assert_eq!(
        p.text,
        "\
client-output-buffer-limit normal 0 0 0
client-output-buffer-limit replica 256mb 64mb 60
client-output-buffer-limit pubsub 64mb 16mb 90
rename-command FLUSHALL \"\"
rename-command KEYS \"\"
user alice on >alice-pw2 ~app:* +@read +@write
user bob on >bob-pw ~* +@all
loadmodule /usr/lib/redis/modules/redisbloom.so
loadmodule /usr/lib/redis/modules/rejson.so MAX_DEPTH 64
include /etc/redis/a.conf
include /etc/redis/b.conf
save 900 1

# Added by statectl tune redis
rename-command DEBUG \"\"
include /etc/redis/c.conf
"
    );
    let actions: Vec<_> = p
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.before.as_deref(), i.action))
        .collect();
    assert_eq!(
        actions,
        vec![
            (
                "client-output-buffer-limit",
                Some("pubsub 32mb 8mb 60"),
                Action::Change
            ),
            ("rename-command", Some("KEYS \"\""), Action::Unchanged),
            ("rename-command", None, Action::Add),
            (
                "user",
                Some("alice on >alice-pw ~app:* +@read"),
                Action::Change
            ),
            (
                "loadmodule",
                Some("/usr/lib/redis/modules/rejson.so"),
                Action::Change
            ),
            ("include", Some("/etc/redis/a.conf"), Action::Unchanged),
            ("include", None, Action::Add),
            ("save", Some("3600 1 300 100"), Action::Change),
        ]
    );
    assert_eq!(
        p.restart_required(),
        vec!["rename-command", "user", "loadmodule", "include"]
    );
    // the same plan again changes nothing; another class keeps the first one's edit
    assert!(!plan(&conf(&p.text), &want, V70, &[]).unwrap().changes());
    let q = plan(
        &conf(&p.text),
        &set(&[("client-output-buffer-limit", "slave 512mb 128mb 120")]),
        V70,
        &[],
    )
    .unwrap();
    assert!(
        q.text.contains(
            "client-output-buffer-limit normal 0 0 0\nclient-output-buffer-limit slave 512mb 128mb 120\nclient-output-buffer-limit pubsub 64mb 16mb 90\n"
        ),
        "{}",
        q.text
    );
    // slave is the replica class; limits compare as bytes
    let same = set(&[(
        "client-output-buffer-limit",
        "replica 536870912 134217728 120 normal 0 0 0",
    )]);
    assert!(!plan(&conf(&q.text), &same, V70, &[]).unwrap().changes());
    // several classes on one line: only the asked class changes, in its place
    let p = plan(
        &conf("client-output-buffer-limit normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60\nclient-output-buffer-limit pubsub 1mb 1mb 1\n"),
        &set(&[("client-output-buffer-limit", "pubsub 64mb 16mb 90")]),
        V70,
        &[],
    )
    .unwrap();
    assert_eq!(
        p.text,
        "client-output-buffer-limit normal 0 0 0 replica 256mb 64mb 60 pubsub 64mb 16mb 90\n"
    );
    assert_eq!(p.items[0].before.as_deref(), Some("pubsub 1mb 1mb 1"));
    // CONFIG GET's answer holds every class: the asked one is compared (--live's read-back)
    let running = "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 90";
    assert!(same_value(
        "client-output-buffer-limit",
        running,
        "pubsub 64mb 16mb 90"
    ));
    assert!(!same_value(
        "client-output-buffer-limit",
        running,
        "replica 512mb 128mb 120"
    ));
    // user passwords and paths keep their case
    assert!(!same_value("user", "alice on >PW", "alice on >pw"));
    // a bad class or a limit that is not a size is refused before anything is planned
    for bad in [
        "master 1mb 1mb 1",
        "pubsub 64mb 16mb",
        "pubsub lots 16mb 90",
    ] {
        let e = plan(
            &conf("port 1\n"),
            &set(&[("client-output-buffer-limit", bad)]),
            V70,
            &[],
        )
        .unwrap_err();
        assert!(e.0.contains("client-output-buffer-limit"), "{}", e.0);
    }
}

// issue 28, item 21: how the lines of save and bind add up, as Redis 7.0's config.c reads them
#[test]
fn save_lines_add_up_after_a_reset_and_the_last_bind_wins() {
    assert_eq!(
        conf("save 3600 1\nsave \"\"\nsave 900 1\n")
            .effective("save")
            .as_deref(),
        Some("900 1")
    );
    assert_eq!(
        conf("save 3600 1\nsave \"\"\n")
            .effective("save")
            .as_deref(),
        Some("\"\"")
    );
    assert!(!persistence_on(&conf("save 3600 1\nsave \"\"\n")));
    assert_eq!(
        conf("bind 0.0.0.0\nbind 127.0.0.1 -::1\n")
            .effective("bind")
            .as_deref(),
        Some("127.0.0.1 -::1")
    );
    assert!(exposure(&conf("bind 0.0.0.0\nbind 127.0.0.1 -::1\n")).is_none());
}

// issue 28, item 23: a Sentinel file was planned as a server's redis.conf
#[test]
fn a_sentinel_file_is_recognised_by_its_sentinel_lines() {
    // upstream sentinel.conf's directives, as Sentinel rewrites them
    let text = "port 26379\ndaemonize no\nsentinel myid 3f4c1d2e\nSENTINEL monitor mymaster 127.0.0.1 6379 2\nsentinel down-after-milliseconds mymaster 30000\n";
    assert_eq!(sentinel_line(&conf(text)), Some(4));
    assert_eq!(
        sentinel_line(&conf("port 26379\nsentinel myid 3f4c1d2e\n")),
        Some(2)
    );
    assert_eq!(
        sentinel_line(&conf(
            "# sentinel monitor mymaster 127.0.0.1 6379 2\nport 6379\n"
        )),
        None
    );
}
