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
