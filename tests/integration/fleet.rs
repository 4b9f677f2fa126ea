//! Issue 17: a real fleet on one machine. Three hosts are network namespaces on a bridge, each
//! with its own address, sshd (a key made here) and redis-server; the controller is a fourth
//! namespace that holds the bridge. The real ansible-playbook drives them over SSH with the
//! playbooks and the statectl module. net.* sysctls are per namespace, so one host can differ.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::kernel_nic::{can_make_namespaces, sh};
use crate::playbooks::Play;
use crate::support::{find_program, require};

const HOSTS: [&str; 3] = ["h1", "h2", "h3"];
/// The nodes' requirepass: Redis 7 refuses other hosts without one (protected mode).
const SECRET: &str = "fleet-Kq3-secret";

struct Fleet {
    tag: String,
    dir: PathBuf,
    sshd: Vec<Child>,
}

impl Fleet {
    fn ns(&self, host: &str) -> String {
        format!("{}{host}", self.tag)
    }

    fn ctl(&self) -> String {
        format!("{}ctl", self.tag)
    }

    fn ip(i: usize) -> String {
        format!("10.88.0.{}", 11 + i)
    }

    fn host_dir(&self, host: &str) -> PathBuf {
        self.dir.join(host)
    }

    /// Runs a command inside a namespace, returning stdout; panics on failure.
    fn exec(&self, ns: &str, argv: &[&str]) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", ns])
            .args(argv)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{ns}: {argv:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn redis_pid(&self, host: &str) -> String {
        std::fs::read_to_string(self.host_dir(host).join("redis.pid"))
            .unwrap()
            .trim()
            .to_string()
    }

    fn somaxconn(&self, host: &str) -> String {
        self.exec(&self.ns(host), &["cat", "/proc/sys/net/core/somaxconn"])
            .trim()
            .to_string()
    }

    fn build(dir: &Path) -> Fleet {
        let tag = format!("stf{}", std::process::id());
        let mut f = Fleet {
            tag,
            dir: dir.to_path_buf(),
            sshd: Vec::new(),
        };
        let ctl = f.ctl();
        sh(&format!(
            "ip netns add {ctl} && ip -n {ctl} link set lo up && \
             ip -n {ctl} link add br0 type bridge && ip -n {ctl} addr add 10.88.0.1/24 dev br0 && \
             ip -n {ctl} link set br0 up"
        ));
        // the controller's key, authorised on every host
        let key = dir.join("id_ed25519");
        sh(&format!(
            "ssh-keygen -q -t ed25519 -N '' -C statectl-fleet -f {k} && cp {k}.pub {d}/authorized_keys && chmod 600 {d}/authorized_keys",
            k = key.display(),
            d = dir.display()
        ));
        std::fs::write(dir.join("secret"), SECRET).unwrap();
        // sshd's privilege-separation directory; the packaged unit makes it at start
        std::fs::create_dir_all("/run/sshd").unwrap();
        for (i, h) in HOSTS.iter().enumerate() {
            let ns = f.ns(h);
            let ip = Fleet::ip(i);
            sh(&format!(
                "ip netns add {ns} && ip -n {ns} link set lo up && \
                 ip -n {ctl} link add v{i} type veth peer name eth0 netns {ns} && \
                 ip -n {ctl} link set v{i} master br0 && ip -n {ctl} link set v{i} up && \
                 ip -n {ns} addr add {ip}/24 dev eth0 && ip -n {ns} link set eth0 up"
            ));
            let hd = f.host_dir(h);
            std::fs::create_dir_all(hd.join("bin")).unwrap();
            sh(&format!(
                "ssh-keygen -q -t ed25519 -N '' -f {}",
                hd.join("hostkey").display()
            ));
            let conf = hd.join("sshd_config");
            std::fs::write(
                &conf,
                format!(
                    "ListenAddress {ip}:22\nHostKey {hk}\nPidFile {d}/sshd.pid\n\
                     AuthorizedKeysFile {auth}\nPermitRootLogin prohibit-password\n\
                     PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
                     StrictModes no\nSubsystem sftp internal-sftp\n",
                    hk = hd.join("hostkey").display(),
                    d = hd.display(),
                    auth = dir.join("authorized_keys").display()
                ),
            )
            .unwrap();
            let sshd = find_program("sshd", &["/usr/sbin/sshd"]).unwrap();
            let child = Command::new("ip")
                .args(["netns", "exec", &ns])
                .arg(sshd)
                .args(["-D", "-e", "-f"])
                .arg(&conf)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(hd.join("sshd.log")).unwrap())
                .spawn()
                .unwrap();
            f.sshd.push(child);
            // its own redis-server, bound inside; tune redis will edit this file
            std::fs::write(
                hd.join("redis.conf"),
                format!(
                    "bind {ip}\nport 6379\ndaemonize yes\npidfile {d}/redis.pid\ndir {d}\n\
                     logfile {d}/redis.log\nsave \"\"\nappendonly no\nmaxmemory-policy noeviction\n\
                     tcp-backlog 128\nrequirepass {SECRET}\n",
                    d = hd.display()
                ),
            )
            .unwrap();
            f.exec(
                &ns,
                &["redis-server", hd.join("redis.conf").to_str().unwrap()],
            );
        }
        // one host differs: a listen backlog of 128
        f.exec(
            &f.ns("h2"),
            &["sysctl", "-q", "-w", "net.core.somaxconn=128"],
        );
        for (i, h) in HOSTS.iter().enumerate() {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let ssh = Command::new("ip")
                    .args(["netns", "exec", &ctl, "ssh"])
                    .args(f.ssh_opts())
                    .arg(format!("root@{}", Fleet::ip(i)))
                    .arg(format!(
                        "REDISCLI_AUTH=$(cat {}) redis-cli -h {} ping",
                        f.dir.join("secret").display(),
                        Fleet::ip(i)
                    ))
                    .output()
                    .unwrap();
                if String::from_utf8_lossy(&ssh.stdout).trim() == "PONG" {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "{h}: no ssh or redis within 30 s: {}\nsshd: {}",
                    String::from_utf8_lossy(&ssh.stderr),
                    std::fs::read_to_string(f.host_dir(h).join("sshd.log")).unwrap_or_default()
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        f
    }

    fn ssh_opts(&self) -> Vec<String> {
        [
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=5",
            "-i",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([self.dir.join("id_ed25519").display().to_string()])
        .collect()
    }

    /// The inventory: three hosts in the redis group, written as JSON (which is YAML).
    fn inventory(&self, statectl: &Path, sha256: &str) -> PathBuf {
        let mut hosts = serde_json::Map::new();
        for (i, h) in HOSTS.iter().enumerate() {
            let ip = Fleet::ip(i);
            let hd = self.host_dir(h);
            let conf = hd.join("redis.conf");
            hosts.insert(
                h.to_string(),
                serde_json::json!({
                    "ansible_host": ip,
                    "redis_host": ip,
                    "redis_conf": conf,
                    "statectl_bin_dir": hd.join("bin"),
                    "statectl_bin": hd.join("bin/statectl"),
                    // per-namespace keys only; the persisted file stays in the host's directory
                    "kernel_args": ["--set", "net.core.somaxconn=4096",
                                    "--set", "net.ipv4.tcp_max_syn_backlog=4096",
                                    "--persist", hd.join("60-statectl.conf")],
                    "redis_restart_command": ["sh", "-c", format!(
                        "REDISCLI_AUTH=$(cat {}) redis-cli -h {ip} shutdown nosave; redis-server {}",
                        self.dir.join("secret").display(), conf.display())],
                    "doctor_args": ["--redis", format!("redis://{ip}:6379"),
                                    "--only", "kernel.somaxconn,redis.reachable,redis.version"],
                    "preflight_args": ["--role", "redis",
                                       "--only", "kernel.somaxconn,preflight.redis,preflight.ports"],
                }),
            );
        }
        let inv = serde_json::json!({
            "all": {
                "vars": {
                    "ansible_user": "root",
                    "ansible_ssh_private_key_file": self.dir.join("id_ed25519"),
                    "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
                    // Debian's python on the nodes, as on a real Debian fleet (it has python3-apt)
                    "ansible_python_interpreter": "/usr/bin/python3",
                    "statectl_become": false,
                    "statectl_src": statectl,
                    "statectl_sha256": sha256,
                    "report_dir": self.dir.join("reports"),
                    // as an operator would: REDISCLI_AUTH, never a flag
                    "statectl_env": {"REDISCLI_AUTH": SECRET},
                },
                "children": {"redis": {"hosts": hosts}},
            }
        });
        let p = self.dir.join("hosts.yml");
        std::fs::write(&p, inv.to_string()).unwrap();
        p
    }

    /// Runs a playbook from the controller namespace.
    fn play(&self, book: &str, extra: &[&str], inventory: &Path) -> Play {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("playbooks")
            .join(book);
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ctl(), "ansible-playbook", "-i"])
            .arg(inventory)
            .arg(&path)
            .args(extra)
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_HOST_KEY_CHECKING", "False")
            .env("ANSIBLE_LOCAL_TEMP", self.dir.join("ansible-local"))
            .env("ANSIBLE_SSH_CONTROL_PATH_DIR", self.dir.join("cp"))
            .env("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3")
            .output()
            .unwrap();
        let out = Play {
            code: out.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        };
        assert!(
            !out.out.contains(SECRET),
            "{book}: the password leaked: {}",
            out.out
        );
        out
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for h in HOSTS {
            if let Ok(pid) = std::fs::read_to_string(self.host_dir(h).join("redis.pid")) {
                let _ = Command::new("kill").arg(pid.trim()).status();
            }
        }
        for c in &mut self.sshd {
            let _ = c.kill();
            let _ = c.wait();
        }
        for h in HOSTS {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.ns(h)])
                .status();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.ctl()])
            .status();
    }
}

fn prerequisites() -> bool {
    let have = |p: &str, a: &str| Command::new(p).arg(a).output().is_ok();
    can_make_namespaces()
        && require(
            find_program("sshd", &["/usr/sbin/sshd"]).is_some() && have("ssh-keygen", "-?"),
            "sshd and ssh-keygen (apt install openssh-server)",
        )
        && require(
            have("ansible-playbook", "--version"),
            "ansible-playbook (pip install ansible-core)",
        )
        && require(have("redis-server", "--version"), "redis-server")
        && require(
            Command::new("/usr/bin/python3")
                .args(["-c", "import apt"])
                .status()
                .is_ok_and(|s| s.success()),
            "Debian's python3 with python3-apt (apt install python3-apt)",
        )
}

#[test]
fn playbooks_provision_doctor_and_preflight_a_fleet_of_three_over_ssh() {
    if !prerequisites() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let fleet = Fleet::build(tmp.path());
    // the binary to install, with its published checksum (stripped: 36 MB, not 230)
    let bin = tmp.path().join("statectl");
    sh(&format!(
        "strip -o {} {}",
        bin.display(),
        env!("CARGO_BIN_EXE_statectl")
    ));
    let sum = Command::new("sha256sum").arg(&bin).output().unwrap();
    let sha = String::from_utf8_lossy(&sum.stdout)[..64].to_string();

    // a wrong checksum stops the play before anything is installed
    let bad = fleet.inventory(&bin, &"0".repeat(64));
    let p = fleet.play("provision.yml", &[], &bad);
    assert_ne!(p.code, 0, "{}", p.out);
    assert!(p.out.contains("is not statectl_sha256"), "{}", p.out);
    assert!(!fleet.host_dir("h1").join("bin/statectl").exists());

    let inv = fleet.inventory(&bin, &sha);
    let pids: Vec<String> = HOSTS.iter().map(|h| fleet.redis_pid(h)).collect();
    let p = fleet.play("provision.yml", &[], &inv);
    assert_eq!(p.code, 0, "{}", p.out);
    for (i, h) in HOSTS.iter().enumerate() {
        assert!(fleet.host_dir(h).join("bin/statectl").exists());
        assert_eq!(fleet.somaxconn(h), "4096", "{h}");
        let conf = std::fs::read_to_string(fleet.host_dir(h).join("redis.conf")).unwrap();
        assert!(conf.contains("maxmemory-policy allkeys-lru"), "{h}: {conf}");
        assert!(conf.contains("tcp-backlog 511"), "{h}: {conf}");
        // tcp-backlog 128 → 511 needs a restart: the handler restarted this host's redis (the
        // profile's 511 in a file without the line would not: Redis's default, issue 26 item 11)
        assert_ne!(fleet.redis_pid(h), pids[i], "{h}: redis was not restarted");
    }
    // serial: three batches of one host, each restarting its redis (and waiting for it) before
    // the next batch starts
    assert_eq!(
        p.out
            .matches("RUNNING HANDLER [Restart redis (command)]")
            .count(),
        3,
        "{}",
        p.out
    );
    assert_eq!(
        p.out.matches("PLAY [Provision state nodes]").count(),
        3,
        "{}",
        p.out
    );

    let pids: Vec<String> = HOSTS.iter().map(|h| fleet.redis_pid(h)).collect();
    let p = fleet.play("provision.yml", &[], &inv);
    assert_eq!(p.code, 0, "{}", p.out);
    assert_eq!(
        p.changed_total(),
        0,
        "a second run changes nothing: {}",
        p.out
    );
    for (i, h) in HOSTS.iter().enumerate() {
        assert_eq!(fleet.redis_pid(h), pids[i], "{h}: restarted without need");
    }

    // drift: h2's backlog falls back to 128, h3's redis.conf gets noeviction back
    fleet.exec(
        &fleet.ns("h2"),
        &["sysctl", "-q", "-w", "net.core.somaxconn=128"],
    );
    let h3conf = fleet.host_dir("h3").join("redis.conf");
    let drifted = std::fs::read_to_string(&h3conf).unwrap().replace(
        "maxmemory-policy allkeys-lru",
        "maxmemory-policy noeviction",
    );
    std::fs::write(&h3conf, &drifted).unwrap();

    // doctor.yml: the three hosts at once; one fleet report names h2 and its failing check
    // (a somaxconn below the minimum warns: fail_level=warn counts it)
    let started = Instant::now();
    let p = fleet.play("doctor.yml", &["-e", "fail_level=warn"], &inv);
    let doctor_yml = started.elapsed();
    assert_eq!(p.code, 0, "{}", p.out);
    let reports = tmp.path().join("reports");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("fleet.json")).unwrap())
            .unwrap();
    for h in HOSTS {
        assert_eq!(report[h]["reached"], true, "{report}");
        assert!(!report[h]["findings"].as_array().unwrap().is_empty());
    }
    let failing = |r: &serde_json::Value, h: &str| -> Vec<String> {
        r[h]["failed_checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(failing(&report, "h2"), ["kernel.somaxconn"], "{report}");
    assert!(failing(&report, "h1").is_empty() && failing(&report, "h3").is_empty());
    let table = std::fs::read_to_string(reports.join("fleet.txt")).unwrap();
    let row = |h: &str| {
        table
            .lines()
            .find(|l| l.starts_with(h))
            .unwrap_or_else(|| panic!("{table}"))
            .to_string()
    };
    assert!(row("h2").contains("kernel.somaxconn"), "{table}");
    assert!(!row("h1").contains("kernel.somaxconn"), "{table}");
    let p = fleet.play(
        "doctor.yml",
        &["-e", "fail_level=warn", "-e", "fail_on_findings=true"],
        &inv,
    );
    assert_ne!(p.code, 0, "{}", p.out);
    assert!(p.out.contains("h2: kernel.somaxconn"), "{}", p.out);
    assert!(!p.out.contains("h1: "), "{}", p.out);

    // the same runs one after another, without Ansible, for the note's comparison
    let started = Instant::now();
    for (i, h) in HOSTS.iter().enumerate() {
        let url = format!("redis://{}:6379", Fleet::ip(i));
        let out = Command::new("ip")
            .args(["netns", "exec", &fleet.ns(h)])
            .arg(&bin)
            .args(["doctor", "--format", "json", "--redis", &url])
            .args(["--only", "kernel.somaxconn,redis.reachable,redis.version"])
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 3 | 4)), "{h}");
    }
    eprintln!(
        "fleet: doctor.yml on 3 hosts {} ms; 3 sequential statectl doctor runs {} ms",
        doctor_yml.as_millis(),
        started.elapsed().as_millis()
    );

    // preflight.yml: the same in JUnit, one file per host
    let p = fleet.play("preflight.yml", &["-e", "fail_level=warn"], &inv);
    assert_eq!(p.code, 0, "{}", p.out);
    for h in HOSTS {
        let xml = std::fs::read_to_string(reports.join(format!("{h}.xml"))).unwrap();
        assert!(xml.contains("name=\"kernel.somaxconn\""), "{h}: {xml}");
        // JUnit has no warning: the testcase passes with statectl.status=warn and a WARN: line
        assert_eq!(xml.contains("WARN: "), h == "h2", "{h}: {xml}");
        assert!(!xml.contains("<failure"), "{h}: {xml}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("fleet.json")).unwrap())
            .unwrap();
    assert_eq!(failing(&report, "h2"), ["kernel.somaxconn"], "{report}");

    // --check --diff: shows h2's sysctl and h3's redis.conf before and after, changes nothing
    let p = fleet.play("provision.yml", &["--check", "--diff"], &inv);
    assert_eq!(p.code, 0, "{}", p.out);
    assert!(p.out.contains("net.core.somaxconn = 128"), "{}", p.out);
    assert!(p.out.contains("net.core.somaxconn = 4096"), "{}", p.out);
    assert!(
        p.out.contains("-maxmemory-policy noeviction")
            && p.out.contains("+maxmemory-policy allkeys-lru"),
        "{}",
        p.out
    );
    assert!(p.changed_total() >= 2, "{}", p.out);
    assert_eq!(fleet.somaxconn("h2"), "128");
    assert_eq!(std::fs::read_to_string(&h3conf).unwrap(), drifted);

    // and a real run converges the drift again
    let p = fleet.play("provision.yml", &[], &inv);
    assert_eq!(p.code, 0, "{}", p.out);
    assert_eq!(fleet.somaxconn("h2"), "4096");
    assert!(std::fs::read_to_string(&h3conf)
        .unwrap()
        .contains("maxmemory-policy allkeys-lru"));
}
