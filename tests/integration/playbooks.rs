//! The Ansible playbooks, run with a real ansible-playbook against localhost.

use std::path::Path;
use std::process::Command;

use crate::support::{require, RedisServer};

pub(crate) struct Play {
    pub(crate) code: i32,
    pub(crate) out: String,
}

impl Play {
    /// The sum of `changed=N` over every host's PLAY RECAP line.
    pub(crate) fn changed_total(&self) -> u32 {
        let recap = self
            .out
            .rsplit("PLAY RECAP")
            .next()
            .unwrap_or_else(|| panic!("no PLAY RECAP in:\n{}", self.out));
        recap
            .lines()
            .filter_map(|l| l.split("changed=").nth(1))
            .filter_map(|r| r.split_whitespace().next()?.parse::<u32>().ok())
            .sum()
    }

    /// The `changed=N` count from the PLAY RECAP.
    fn changed(&self) -> u32 {
        self.out
            .lines()
            .find(|l| l.contains("ok=") && l.contains("changed="))
            .and_then(|l| l.split("changed=").nth(1))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no PLAY RECAP in:\n{}", self.out))
    }
}

fn playbook(name: &str, vars: serde_json::Value, check: bool, tmp: &Path) -> Option<Play> {
    let found = Command::new("ansible-playbook")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !require(found, "ansible-playbook (pip install ansible-core)") {
        return None;
    }
    let book = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("playbooks")
        .join(name);
    // the python that runs ansible runs its modules too (interpreter discovery trips over pyenv shims)
    let python = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let python = String::from_utf8_lossy(&python.stdout).trim().to_string();
    let mut c = Command::new("ansible-playbook");
    // -v prints each task's result, argv included: what a secret must never reach
    c.args(["-v", "-i", "localhost,", "-c", "local"])
        .arg(&book)
        .arg("-e")
        .arg(vars.to_string());
    if check {
        c.arg("--check");
    }
    let out = c
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_PYTHON_INTERPRETER", &python)
        .env("ANSIBLE_LOCALHOST_WARNING", "False")
        .env("ANSIBLE_LOCAL_TEMP", tmp.join("ansible-local"))
        .env("ANSIBLE_REMOTE_TEMP", tmp.join("ansible-remote"))
        .output()
        .unwrap();
    Some(Play {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr),
    })
}

#[test]
fn doctor_playbook_collects_json_reports_and_fails_only_when_statectl_cannot_run() {
    let Some(srv) = RedisServer::start(&[]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let vars = serde_json::json!({
        "statectl_bin": env!("CARGO_BIN_EXE_statectl"),
        "report_dir": reports,
        "doctor_args": ["--only", "redis.*", "--redis", srv.url()],
    });
    let Some(p) = playbook("doctor.yml", vars.clone(), false, dir.path()) else {
        return;
    };
    assert_eq!(p.code, 0, "findings are data unless asked: {}", p.out);
    let fleet: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("fleet.json")).unwrap())
            .unwrap();
    let host = &fleet["localhost"];
    assert_eq!(host["exit_code"], 3, "{host}");
    assert!(host["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "redis.maxmemory" && f["status"] == "fail"));
    let table = std::fs::read_to_string(reports.join("fleet.txt")).unwrap();
    let row = table
        .lines()
        .find(|l| l.starts_with("localhost"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("redis.maxmemory"), "{table}");
    assert!(
        p.out.contains("redis.maxmemory"),
        "the table is printed: {}",
        p.out
    );
    use std::os::unix::fs::PermissionsExt;
    for f in ["fleet.json", "fleet.txt"] {
        let mode = std::fs::metadata(reports.join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    // asked to, the play fails on findings and names the host and the check
    let mut strict = vars.clone();
    strict["fail_on_findings"] = true.into();
    let p = playbook("doctor.yml", strict, false, dir.path()).unwrap();
    assert_ne!(p.code, 0, "{}", p.out);
    assert!(
        p.out.contains("localhost:") && p.out.contains("redis.maxmemory"),
        "{}",
        p.out
    );

    let bad = serde_json::json!({
        "statectl_bin": env!("CARGO_BIN_EXE_statectl"),
        "report_dir": reports,
        "doctor_args": ["--only", "redis.nosuch"],
    });
    let p = playbook("doctor.yml", bad, false, dir.path()).unwrap();
    assert_ne!(p.code, 0, "a usage error is a failed task: {}", p.out);
    // in words, naming the subcommand (issue 26 #41: it said "statectl doctor --format exited 2")
    assert!(
        p.out.contains(
            "statectl doctor refused its arguments (exit 2): statectl: --only redis.nosuch"
        ),
        "{}",
        p.out
    );
}

#[test]
fn tune_playbook_checks_applies_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(
        &conf,
        "# test node\nbind 127.0.0.1 -::1\nport 6379\nmaxmemory-policy noeviction\n",
    )
    .unwrap();
    // kernel keys go to a fake root: a test never writes this machine's vm.* values
    let root = dir.path().join("root");
    for (k, v) in [
        ("proc/sys/net/core/somaxconn", "128"),
        ("proc/sys/net/ipv4/tcp_max_syn_backlog", "128"),
        ("proc/sys/net/ipv4/tcp_slow_start_after_idle", "1"),
        ("proc/sys/net/ipv4/tcp_syncookies", "1"),
        ("proc/sys/vm/overcommit_memory", "0"),
    ] {
        let p = root.join(k);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, format!("{v}\n")).unwrap();
    }
    let vars = serde_json::json!({
        "statectl_bin": env!("CARGO_BIN_EXE_statectl"),
        "redis_conf": conf,
        "statectl_env": {"STATECTL_HOST_ROOT": root},
    });
    let Some(p) = playbook("tune.yml", vars.clone(), true, dir.path()) else {
        return;
    };
    assert_eq!(p.code, 0, "{}", p.out);
    assert_eq!(
        p.changed(),
        2,
        "check mode reports what would change: {}",
        p.out
    );
    assert!(
        std::fs::read_to_string(&conf)
            .unwrap()
            .contains("noeviction"),
        "check mode writes nothing"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("proc/sys/vm/overcommit_memory")).unwrap(),
        "0\n"
    );

    let p = playbook("tune.yml", vars.clone(), false, dir.path()).unwrap();
    assert_eq!(p.code, 0, "{}", p.out);
    assert_eq!(p.changed(), 2, "{}", p.out);
    assert!(std::fs::read_to_string(&conf)
        .unwrap()
        .contains("maxmemory-policy allkeys-lru"));
    assert_eq!(
        std::fs::read_to_string(root.join("proc/sys/vm/overcommit_memory")).unwrap(),
        "1\n"
    );
    // issue 26, item 11: the kernel task raised somaxconn first, so the profile's tcp-backlog is
    // 511, Redis's own default: the line is written, and nothing needs a restart
    assert!(std::fs::read_to_string(&conf)
        .unwrap()
        .contains("\ntcp-backlog 511\n"));
    assert!(
        !p.out.contains("restart redis-server to apply"),
        "{}",
        p.out
    );

    let p = playbook("tune.yml", vars, false, dir.path()).unwrap();
    assert_eq!(p.code, 0, "{}", p.out);
    assert_eq!(p.changed(), 0, "a second run changes nothing: {}", p.out);
}

#[test]
fn every_playbook_parses_and_lints_and_the_module_documents_itself() {
    let found = Command::new("ansible-playbook")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !require(found, "ansible-playbook (pip install ansible-core)") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let books = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let all = ["doctor.yml", "preflight.yml", "tune.yml", "provision.yml"];
    for book in all {
        let out = Command::new("ansible-playbook")
            .args(["-i", "localhost,", "--syntax-check"])
            .arg(books.join(book))
            .env("ANSIBLE_LOCAL_TEMP", dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{book}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // ansible-doc renders DOCUMENTATION, EXAMPLES and RETURN
    let doc = Command::new("ansible-doc")
        .arg("-M")
        .arg(books.join("library"))
        .arg("statectl")
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_LOCAL_TEMP", dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&doc.stdout);
    assert!(
        doc.status.success(),
        "{}",
        String::from_utf8_lossy(&doc.stderr)
    );
    for part in [
        "fail_on",
        "check_mode",
        "EXAMPLES",
        "RETURN VALUES",
        "restart_required",
    ] {
        assert!(text.contains(part), "ansible-doc lacks {part}: {text}");
    }
    let lint = Command::new("ansible-lint").arg("--version").output();
    if require(
        lint.is_ok_and(|o| o.status.success()),
        "ansible-lint (pip install ansible-lint)",
    ) {
        let out = Command::new("ansible-lint")
            .args(["--offline", "--nocolor", "--profile", "production"])
            .args(all)
            .current_dir(&books)
            .env("ANSIBLE_LOCAL_TEMP", dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// issue 12, defect 5: the tune task logged a secret passed in redis_args
#[test]
fn a_secret_in_redis_args_never_reaches_the_ansible_output() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(
        &conf,
        "bind 127.0.0.1
port 6379
",
    )
    .unwrap();
    let vars = serde_json::json!({
        "statectl_bin": env!("CARGO_BIN_EXE_statectl"),
        "redis_conf": conf,
        "tune_kernel": false,
        "redis_args": ["--set", "requirepass=ansible-Zq7-secret"],
    });
    let Some(p) = playbook("tune.yml", vars, false, dir.path()) else {
        return;
    };
    assert_eq!(p.code, 0, "{}", p.out);
    assert!(!p.out.contains("ansible-Zq7-secret"), "{}", p.out);
    assert!(std::fs::read_to_string(&conf)
        .unwrap()
        .contains("requirepass ansible-Zq7-secret"));
}

/// The Ansible module run once as Ansible runs it (its arguments in a JSON file), with the python
/// that runs ansible-playbook; the result it prints (invocation.module_args included), or None
/// without Ansible.
pub(crate) fn module_result(params: serde_json::Value, check: bool, tmp: &Path) -> Option<String> {
    let found = Command::new("python3")
        .args(["-c", "import ansible.module_utils.basic"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !require(found, "ansible-core for python3 (pip install ansible-core)") {
        return None;
    }
    let file = tmp.join("module-args.json");
    let mut args = params;
    args["_ansible_check_mode"] = check.into();
    args["_ansible_tmpdir"] = tmp.to_str().unwrap().into();
    std::fs::write(
        &file,
        serde_json::json!({ "ANSIBLE_MODULE_ARGS": args }).to_string(),
    )
    .unwrap();
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/library/statectl.py");
    let out = Command::new("python3")
        .arg(module)
        .arg(&file)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    // the result is one JSON document whatever the task's outcome
    assert!(text.contains("\"invocation\""), "{text}");
    Some(text)
}

// issue 26 item 2: the module found secrets by pattern and missed `--sentinel-password=S`,
// `--set=requirepass=S`, `password = S` and the second word of `password='two words'`. Each
// form alone, so no other secret's mask can hide it.
#[test]
fn the_module_masks_every_secret_its_arguments_carry() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "bind 127.0.0.1\nport 6379\n").unwrap();
    let conf = conf.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_statectl");
    // every area named has a target here (none falls back to the system's 6379 or 5432)
    let doctor = |args: &[&str]| {
        let only = if args.contains(&"--redis") || args.iter().any(|a| a.starts_with("--redis=")) {
            "redis.reachable"
        } else if args.iter().any(|a| a.starts_with("--postgres")) {
            "postgres.reachable"
        } else {
            "http.*"
        };
        let mut a = vec!["--only", only, "--timeout", "1s"];
        a.extend_from_slice(args);
        serde_json::json!({"command": "doctor", "binary": bin, "args": a, "fail_on": "none"})
    };
    let tune = |area: &str, args: &[&str]| serde_json::json!({"command": "tune", "area": area, "binary": bin, "args": args});
    let dead = format!("127.0.0.1:{}", crate::support::free_port());
    let cases = [
        (
            "Zq7eq",
            doctor(&[
                "--redis",
                &format!("redis+sentinel://{dead}/m"),
                "--sentinel-password=Zq7eq",
            ]),
        ),
        (
            "Zq7two",
            doctor(&[
                "--redis",
                &format!("redis+sentinel://{dead}/m"),
                "--sentinel-password",
                "Zq7two",
            ]),
        ),
        (
            "Zq7set",
            tune("redis", &["--config", conf, "--set=requirepass=Zq7set"]),
        ),
        (
            "Zq7acl",
            tune(
                "redis",
                &["--config", conf, "--set", "user=app on >Zq7acl ~* +@all"],
            ),
        ),
        (
            "Zq7sp",
            doctor(&[
                "--postgres",
                "host=127.0.0.1 port=1 password = Zq7sp user=u",
            ]),
        ),
        (
            "two Zq7w",
            doctor(&[
                "--postgres",
                "host=127.0.0.1 port=1 password='two Zq7w' user=u",
            ]),
        ),
        (
            "Zq7w2",
            doctor(&["--postgres=host=127.0.0.1 port=1 password='it\\'s Zq7w2' user=u"]),
        ),
        (
            "Zq7ssl",
            doctor(&["--postgres", "host=127.0.0.1 port=1 sslpassword=Zq7ssl"]),
        ),
        (
            "Zq7lone",
            doctor(&["--redis", &format!("redis://Zq7lone@{dead}")]),
        ),
        ("Zq7url", doctor(&["--redis=redis://u:Zq7url@127.0.0.1:1"])),
        (
            "Zq7pgu",
            doctor(&["--postgres", &format!("postgresql://u:Zq7pgu@{dead}/d")]),
        ),
        (
            "Zq7tok",
            doctor(&["--api", &format!("http://{dead}/?access_token=Zq7tok")]),
        ),
        (
            "Zq7res",
            doctor(&[
                "--api",
                &format!("http://{dead}/"),
                "--resource=/r?sig=Zq7res",
            ]),
        ),
        (
            "Zq7pass",
            tune(
                "postgres",
                &[
                    "--postgres",
                    "host=127.0.0.1 port=1",
                    "--set",
                    "ssl_passphrase_command=echo Zq7pass",
                ],
            ),
        ),
        (
            "Zq7ci",
            tune(
                "postgres",
                &[
                    "--postgres",
                    "host=127.0.0.1 port=1",
                    "--set=primary_conninfo=host=up password=Zq7ci",
                ],
            ),
        ),
    ];
    for (secret, params) in cases {
        let Some(out) = module_result(params.clone(), true, dir.path()) else {
            return;
        };
        let word = secret.split(' ').next_back().unwrap();
        assert!(
            !out.contains(word),
            "{secret} in the module's result for {params}:\n{out}"
        );
    }
}
