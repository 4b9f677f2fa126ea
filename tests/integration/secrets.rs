//! The planting test: one unique secret given through every input path (URL, REDISCLI_AUTH,
//! --redis-password-file, PGPASSWORD, ~/.pgpass, a malformed URL, a requirepass the server
//! holds), then doctor, preflight, tune, bench and latency in every format, with -v, against
//! live and failing targets. Every byte of stdout and stderr is searched: zero hits.

use crate::support::http::{HttpServer, Resp};
use crate::support::{free_port, run, PgCluster, RedisServer, PG_PASSWORD};

/// Part of every planted secret; nothing else statectl prints contains it.
const MARK: &str = "PLANTxQz";

/// (what, arguments, environment) of one way to give a credential.
type Source<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, &'a str)>);

fn assert_clean(what: &str, r: &crate::support::Run) {
    for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        assert!(
            !text.contains(MARK) && !text.contains(PG_PASSWORD),
            "{what}: a secret in {name}:\n{text}"
        );
    }
}

/// `doctor -v ARGS` in every format, each output searched; how many runs.
fn doctor_every_format(what: &str, args: &[&str], env: &[(&str, &str)]) -> usize {
    let formats = ["table", "json", "junit", "prometheus"];
    for format in formats {
        let mut a = vec!["doctor", "-v", "--format", format];
        a.extend_from_slice(args);
        let r = run(&a, env);
        // a run that printed nothing would pass any search: a report, or a usage error (a
        // malformed target) that says what is wrong
        assert!(
            !r.stdout.is_empty() || (r.code == 2 && !r.stderr.is_empty()),
            "doctor {format} {what}: no output\n{}",
            r.stderr
        );
        assert_clean(&format!("doctor {format} {what}"), &r);
    }
    formats.len()
}

#[test]
fn a_planted_secret_never_appears_in_any_output() {
    let good = format!("{MARK}-redis-pw");
    let Some(srv) = RedisServer::start(&[&format!("requirepass {good}")]) else {
        return;
    };
    let Some(pg) = PgCluster::start(&[]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pwfile = dir.path().join("pw");
    std::fs::write(&pwfile, format!("{good}\n")).unwrap();
    // ~/.pgpass, 0600, for a HOME of our own
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let pgpass = home.join(".pgpass");
    std::fs::write(&pgpass, format!("*:*:*:postgres:{PG_PASSWORD}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(
        &conf,
        format!("bind 127.0.0.1\nrequirepass {MARK}-in-conf\n"),
    )
    .unwrap();

    let port = srv.port;
    let url_pw = format!("redis://:{good}@127.0.0.1:{port}");
    let plain = format!("redis://127.0.0.1:{port}");
    let wrong = format!("redis://:{MARK}-wrong@127.0.0.1:{port}");
    let refused = format!("redis://:{MARK}-refused@127.0.0.1:{}", free_port());
    let malformed = format!("redis://u:{MARK}/mal@h:1");
    let pg_plain = format!("postgresql://postgres@127.0.0.1:{}/postgres", pg.port);
    let pg_url = format!(
        "postgresql://postgres:{PG_PASSWORD}@127.0.0.1:{}/postgres",
        pg.port
    );
    let pg_kv_bad = format!("host=127.0.0.1 password='{MARK} kv' bogus");
    let pw_file = pwfile.to_str().unwrap();
    let home_s = home.to_str().unwrap();

    // (what, redis args, environment)
    let redis_sources: Vec<Source> = vec![
        ("url", vec!["--redis", &url_pw], vec![]),
        (
            "REDISCLI_AUTH",
            vec!["--redis", &plain],
            vec![("REDISCLI_AUTH", &good)],
        ),
        (
            "password file",
            vec!["--redis", &plain, "--redis-password-file", pw_file],
            vec![],
        ),
        ("wrong password", vec!["--redis", &wrong], vec![]),
        ("refused", vec!["--redis", &refused], vec![]),
    ];
    let mut runs = 0;
    for (what, args, env) in &redis_sources {
        for sub in ["doctor", "preflight"] {
            for format in ["table", "json", "junit", "prometheus"] {
                let mut a = vec![
                    sub,
                    "-v",
                    "--format",
                    format,
                    "--sample",
                    "200ms",
                    "--timeout",
                    "1s",
                ];
                a.extend(args.iter().copied());
                a.extend(["--postgres", &pg_plain]);
                let mut e = env.clone();
                e.push(("PGPASSWORD", PG_PASSWORD));
                let r = run(&a, &e);
                assert_clean(&format!("{sub} {format} via {what}"), &r);
                runs += 1;
            }
        }
        for format in ["table", "json"] {
            let mut a = vec![
                "bench",
                "redis",
                "-n",
                "200",
                "--format",
                format,
                "--timeout",
                "1s",
            ];
            a.extend(args.iter().copied());
            let r = run(&a, env);
            assert_clean(&format!("bench redis {format} via {what}"), &r);
            let mut a = vec![
                "latency",
                "--duration",
                "300ms",
                "--format",
                format,
                "--timeout",
                "1s",
            ];
            a.extend(args.iter().copied());
            let r = run(&a, env);
            assert_clean(&format!("latency {format} via {what}"), &r);
            let url = args[1];
            let mut a = vec![
                "tune",
                "redis",
                "--config",
                conf.to_str().unwrap(),
                "--live",
                url,
                "--format",
                format,
            ];
            if args.len() > 2 {
                a.extend(&args[2..]);
            }
            let r = run(&a, env);
            assert_clean(&format!("tune redis {format} via {what}"), &r);
            runs += 3;
        }
    }
    // PostgreSQL: the URL, PGPASSWORD, ~/.pgpass; a malformed key=value string; and Redis's
    // malformed URL
    let pg_sources: Vec<Source> = vec![
        ("pg url", vec![&pg_url], vec![]),
        (
            "PGPASSWORD",
            vec![&pg_plain],
            vec![("PGPASSWORD", PG_PASSWORD)],
        ),
        ("pgpass", vec![&pg_plain], vec![("HOME", home_s)]),
        ("malformed kv", vec![&pg_kv_bad], vec![]),
    ];
    for (what, conn, env) in &pg_sources {
        let conn = conn[0];
        let a = [
            "--only",
            "postgres.*",
            "--postgres",
            conn,
            "--sample",
            "200ms",
        ];
        runs += doctor_every_format(&format!("via {what}"), &a, env);
        for format in ["table", "json"] {
            let a = ["tune", "postgres", "--postgres", conn, "--format", format];
            assert_clean(&format!("tune postgres {format} via {what}"), &run(&a, env));
            let a = [
                "bench",
                "postgres",
                "--postgres",
                conn,
                "-n",
                "100",
                "--format",
                format,
            ];
            assert_clean(
                &format!("bench postgres {format} via {what}"),
                &run(&a, env),
            );
            let a = [
                "latency",
                "--postgres",
                conn,
                "--duration",
                "300ms",
                "--format",
                format,
            ];
            assert_clean(
                &format!("latency postgres {format} via {what}"),
                &run(&a, env),
            );
            runs += 3;
        }
    }
    for sub in [
        vec!["doctor", "--redis", &malformed],
        vec!["bench", "redis", "--redis", &malformed],
        vec!["latency", "--redis", &malformed],
    ] {
        let r = run(&sub, &[]);
        assert_eq!(r.code, 2, "{sub:?}");
        assert_clean(&format!("{sub:?}"), &r);
        runs += 1;
    }
    // the server's own requirepass (read with CONFIG GET) and the config file's
    let r = run(
        &[
            "doctor", "-v", "--only", "redis.*", "--redis", &url_pw, "--format", "json",
            "--sample", "200ms",
        ],
        &[],
    );
    assert!(r.stdout.contains("redis.security"), "{}", r.stdout);
    assert_clean("doctor reading requirepass", &r);
    eprintln!("{runs} runs, no secret in any output");
}

// issue 26 item 5: credentials in a URL's query (`access_token=`, `sig=`, `X-Amz-Signature=` …)
// showed in labels, findings, Prometheus labels and the errors reqwest wrote with the URL in them
#[test]
fn query_string_credentials_never_appear_in_any_output() {
    let server = HttpServer::start(|req| {
        if req.path.starts_with("/jwks") {
            Resp::json(r#"{"keys":[]}"#)
        } else {
            Resp(200, vec![("ETag".into(), "\"v1\"".into())], b"{}".to_vec())
        }
    });
    let base = server.url(false);
    let api = format!("{base}/?access_token={MARK}-at&region=eu");
    let jwks = format!("{base}/jwks?sig={MARK}-sig&X-Amz-Signature={MARK}-amz&key={MARK}-key");
    let resource = format!("/r?token={MARK}-tok&password={MARK}-pw");
    // a refused port: reqwest's error names the whole URL
    let dead = format!("http://127.0.0.1:{}/?token={MARK}-dead", free_port());
    let lb = format!("{base}/?access_token={MARK}-lb");
    let mut runs = 0;
    let a = [
        "--only",
        "http.*,jwt.*,lb.*",
        "--sample",
        "200ms",
        "--timeout",
        "1s",
        "--api",
        &api,
        "--api",
        &dead,
        "--jwks",
        &jwks,
        "--jwks",
        &dead,
        "--resource",
        &resource,
        "--lb-url",
        &lb,
        "--echo-path",
        "/echo?sig=PLANTxQz-echo",
    ];
    runs += doctor_every_format("with query credentials", &a, &[]);
    // usage errors that echo the URL they reject
    for bad in [
        format!("http://127.0.0.1:99999/?access_token={MARK}-port"),
        format!("ftp://h/?token={MARK}-scheme"),
    ] {
        let r = run(&["doctor", "--api", &bad], &[]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_clean(&format!("--api {bad}"), &r);
        runs += 1;
    }
    eprintln!("{runs} runs, no query credential in any output");
}

/// Each secret-bearing input of issue 26 at once, each with a secret of its own: the lone
/// userinfo, the sentinels' password in its three spellings, a spaced and quoted conninfo
/// password, `sslpassword` (refused, unsupported), the URL typos, query credentials, `tune --set` secrets, and the
/// Ansible module given all of them. Every format with -v, `--out` and `--report` files, usage
/// errors: zero hits.
#[test]
fn every_secret_bearing_input_at_once_leaves_no_trace() {
    let pw = format!("{MARK}-lone");
    let Some(srv) = RedisServer::start(&[&format!("requirepass {pw}")]) else {
        return;
    };
    let sentinel_pw = format!("{MARK}-sentinel");
    let Some(sentinel) = RedisServer::start_sentinel(&[
        &format!("sentinel monitor mymaster 127.0.0.1 {} 1", srv.port),
        &format!("sentinel auth-pass mymaster {pw}"),
        &format!("requirepass {sentinel_pw}"),
    ]) else {
        return;
    };
    let Some(pg) = PgCluster::start(&[]) else {
        return;
    };
    let http = HttpServer::start(|_| Resp::json(r#"{"keys":[]}"#));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.out");
    let junit = dir.path().join("report.xml");
    let prom = dir.path().join("report.prom");
    let lone = format!("redis://{pw}@127.0.0.1:{}", srv.port);
    let via_sentinel = format!(
        "redis+sentinel://:{pw}@127.0.0.1:{}/mymaster",
        sentinel.port
    );
    let sentinel_flag = format!("--sentinel-password={sentinel_pw}");
    let pg_spaced = format!(
        "host=127.0.0.1 port={} user=postgres dbname=postgres password = '{PG_PASSWORD}'",
        pg.port
    );
    let api = format!("{}/?access_token={MARK}-at", http.url(false));
    let jwks = format!("{}/jwks?X-Amz-Signature={MARK}-amz", http.url(false));
    let resource = format!("/r?sig={MARK}-sig");
    let (out_s, junit_r, prom_r) = (
        out.to_str().unwrap().to_string(),
        format!("junit:{}", junit.display()),
        format!("prometheus:{}", prom.display()),
    );
    let args: Vec<&str> = vec![
        "-v",
        "--sample",
        "300ms",
        "--timeout",
        "2s",
        "--redis",
        &lone,
        "--redis",
        &via_sentinel,
        &sentinel_flag,
        "--postgres",
        &pg_spaced,
        "--api",
        &api,
        "--jwks",
        &jwks,
        "--resource",
        &resource,
        "--out",
        &out_s,
        "--report",
        &junit_r,
        "--report",
        &prom_r,
    ];
    let mut runs = 0;
    for format in ["table", "json", "junit", "prometheus"] {
        let mut a = vec!["doctor", "--format", format];
        a.extend(&args);
        let r = run(&a, &[]);
        assert_clean(&format!("doctor {format}, every input"), &r);
        for file in [&out, &junit, &prom] {
            let text = std::fs::read_to_string(file)
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", file.display(), r.stderr));
            // a report that holds nothing would pass any search
            assert!(
                text.contains("redis.reachable"),
                "{}: {text}",
                file.display()
            );
            assert!(
                !text.contains(MARK) && !text.contains(PG_PASSWORD),
                "doctor {format}: a secret in {}:\n{text}",
                file.display()
            );
        }
        runs += 1;
    }
    // the sentinels' password from the environment and as a separate word: the sentinel
    // answers (so the password did reach it)
    for (a, env) in [
        (
            vec![
                "--redis",
                &via_sentinel,
                "--sentinel-password",
                &sentinel_pw,
            ],
            vec![],
        ),
        (
            vec!["--redis", &via_sentinel],
            vec![("STATECTL_SENTINEL_PASSWORD", sentinel_pw.as_str())],
        ),
    ] {
        let mut all = vec!["--only", "sentinel.*", "--sample", "300ms"];
        all.extend(a);
        let r = crate::support::doctor_json("sentinel.*", &all[2..], &env);
        let f = r.finding("sentinel.count");
        assert_eq!(crate::support::evidence(&f, "answering"), Some("1"), "{f}");
        assert_clean("sentinel password", &r);
        runs += 1;
    }
    // usage errors that quote what they refuse
    for bad in [
        vec![
            "doctor",
            "--redis",
            &format!("redis:{MARK}-typo1@127.0.0.1:1"),
        ],
        vec![
            "doctor",
            "--redis",
            &format!("redis:/:{MARK}-typo2@127.0.0.1:1"),
        ],
        vec![
            "doctor",
            "--postgres",
            &format!("host=127.0.0.1 sslpassword={MARK}-usage bogus"),
        ],
        vec![
            "doctor",
            "--postgres",
            &format!("host=h passwrd={MARK}-misspelt"),
        ],
        vec![
            "tune",
            "redis",
            "--config",
            "/nonexistent/redis.conf",
            &format!("--set=requirepass={MARK}-set"),
        ],
        vec!["tune", "redis", "--set", &format!("{MARK}-noname")],
        // a space where "=" belongs: clap finds a stray word
        vec![
            "tune",
            "redis",
            "--set",
            "requirepass",
            &format!("{MARK}-stray"),
        ],
    ] {
        let r = run(&bad, &[]);
        assert_ne!(r.code, 0, "{bad:?}: {}{}", r.stdout, r.stderr);
        assert!(!r.stderr.is_empty(), "{bad:?}: no message");
        assert_clean(&format!("{bad:?}"), &r);
        runs += 1;
    }
    // tune redis writes a secret it was given, and prints none of it
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "bind 127.0.0.1\n").unwrap();
    for format in ["table", "json"] {
        let r = run(
            &[
                "tune",
                "redis",
                "--config",
                conf.to_str().unwrap(),
                "--set",
                &format!("requirepass={MARK}-tune"),
                "--set",
                &format!("masterauth={MARK}-auth"),
                "--format",
                format,
            ],
            &[],
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert_clean(&format!("tune redis {format}"), &r);
        runs += 1;
    }
    // the Ansible module given every input at once: its whole result (invocation included)
    let mut module_args: Vec<&str> = vec!["--only", "redis.reachable,postgres.reachable"];
    module_args.extend(&args[1..]);
    let params = serde_json::json!({
        "command": "doctor",
        "binary": env!("CARGO_BIN_EXE_statectl"),
        "args": module_args,
        "fail_on": "none",
    });
    if let Some(text) = crate::playbooks::module_result(params, false, dir.path()) {
        assert!(text.contains("redis.reachable"), "{text}");
        assert!(
            !text.contains(MARK) && !text.contains(PG_PASSWORD),
            "a secret in the Ansible result:\n{text}"
        );
        runs += 1;
    }
    eprintln!("{runs} runs, no secret in any output, file or the Ansible result");
}
