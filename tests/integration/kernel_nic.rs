//! Kernel and NIC checks, `statectl nic` and `tune kernel`: net.* keys only inside network
//! namespaces the test makes, vm.* only in a fake root, NICs as veth pairs or fixtures.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::support::{doctor_json, evidence, require, run, Run};

pub(crate) fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

pub(crate) fn can_make_namespaces() -> bool {
    require(
        is_root()
            && Command::new("ip").arg("-V").output().is_ok()
            && Command::new("unshare").arg("--version").output().is_ok(),
        "root with iproute2 and unshare (network namespaces)",
    )
}

/// Two named network namespaces joined by a veth pair (va in the first, vb in the second),
/// deleted on drop.
pub(crate) struct VethPair {
    pub(crate) a: String,
    pub(crate) b: String,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

pub(crate) fn sh(cmd: &str) {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl VethPair {
    pub(crate) fn new() -> VethPair {
        let n = format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let (a, b) = (format!("stl-a-{n}"), format!("stl-b-{n}"));
        sh(&format!("ip netns add {a} && ip netns add {b}"));
        let p = VethPair { a, b };
        sh(&format!(
            "ip -n {a} link add va type veth peer name vb netns {b} && \
             ip -n {a} addr add 10.231.0.1/24 dev va && ip -n {b} addr add 10.231.0.2/24 dev vb && \
             ip -n {a} link set va up && ip -n {b} link set vb up && ip -n {a} link set lo up",
            a = p.a,
            b = p.b
        ));
        p
    }

    /// Runs statectl in the first namespace.
    pub(crate) fn statectl(&self, args: &[&str]) -> Run {
        let mut full = vec![
            "netns",
            "exec",
            self.a.as_str(),
            env!("CARGO_BIN_EXE_statectl"),
        ];
        full.extend_from_slice(args);
        let out = Command::new("ip")
            .args(&full)
            .env_remove("STATECTL_HOST_ROOT")
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Drop for VethPair {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.a]).status();
        let _ = Command::new("ip").args(["netns", "del", &self.b]).status();
    }
}

#[test]
fn nic_counters_on_a_veth_pair_move_with_traffic() {
    if !can_make_namespaces() {
        return;
    }
    let pair = VethPair::new();
    // 40 UDP datagrams from the first namespace to the second, during the window
    let ns = pair.a.clone();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        sh(&format!(
            "ip netns exec {ns} bash -c 'for i in $(seq 40); do echo x > /dev/udp/10.231.0.2/9; sleep 0.01; done'"
        ));
    });
    let r = pair.statectl(&["nic", "va", "--sample", "1500ms", "--format", "json"]);
    sender.join().unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let nic = &v[0];
    assert_eq!(nic["iface"], "va");
    assert_eq!(nic["operstate"], "up");
    let counter = |name: &str| {
        nic["counters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    let tx = counter("tx_packets");
    assert!(tx["delta"].as_u64().unwrap() >= 40, "{tx}");
    assert!(tx["total"].as_u64().unwrap() >= tx["delta"].as_u64().unwrap());
    assert_eq!(counter("rx_crc_errors")["delta"], 0);
    // veth answers ethtool's link-mode query with 10000 Mb/s full duplex
    assert_eq!(nic["link"]["source"], "ethtool netlink", "{nic}");
    assert_eq!(nic["link"]["speed_mbps"], 10000, "{nic}");

    let r = pair.statectl(&[
        "doctor", "--format", "json", "--only", "nic.*", "--iface", "va",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for f in v["findings"].as_array().unwrap() {
        assert_eq!(f["target"], "nic:va");
        assert_eq!(f["status"], "pass", "{f}");
    }
    // a downed link fails
    sh(&format!("ip -n {} link set vb down", pair.b));
    let r = pair.statectl(&[
        "doctor", "--format", "json", "--only", "nic.link", "--iface", "va",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["findings"][0]["status"], "fail", "{}", r.stdout);
}

fn fixture_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nic-1g-crc");
    sh(&format!(
        "cp -a {}/. {}",
        src.display(),
        dir.path().display()
    ));
    dir
}

#[test]
fn a_1g_link_with_rising_crc_errors_fails_and_warns() {
    let root = fixture_root();
    let stats = root.path().join("sys/class/net/eth0/statistics");
    let bump = stats.clone();
    // the second read sees 5 more CRC errors (and 1000 more packets)
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        std::fs::write(bump.join("rx_crc_errors"), "1747\n").unwrap();
        std::fs::write(bump.join("rx_errors"), "1747\n").unwrap();
        std::fs::write(bump.join("rx_packets"), "48212937\n").unwrap();
    });
    let r = doctor_json(
        "nic.*",
        &["--iface", "eth0", "--sample", "1s"],
        &[("STATECTL_HOST_ROOT", root.path().to_str().unwrap())],
    );
    t.join().unwrap();
    let crc = r.finding("nic.crc_errors");
    assert_eq!(crc["status"], "fail", "{crc}");
    assert_eq!(evidence(&crc, "rx_crc_errors_delta"), Some("5"));
    assert_eq!(evidence(&crc, "rx_crc_errors_total"), Some("1747"));
    let link = r.finding("nic.link");
    assert_eq!(link["status"], "warn", "{link}");
    assert_eq!(evidence(&link, "speed_mbps"), Some("1000"));
    assert_eq!(
        r.finding("nic.errors")["status"],
        "pass",
        "5 of 1000 is 0.5%"
    );

    // with no change between the reads: the lifetime count alone warns
    let r = doctor_json(
        "nic.crc_errors",
        &["--iface", "eth0", "--sample", "200ms"],
        &[("STATECTL_HOST_ROOT", root.path().to_str().unwrap())],
    );
    assert_eq!(r.finding("nic.crc_errors")["status"], "warn");

    let r = run(
        &["nic", "eth0", "--sample", "100ms", "--color", "never"],
        &[("STATECTL_HOST_ROOT", root.path().to_str().unwrap())],
    );
    assert!(
        r.stdout
            .contains("eth0: up, carrier on, mtu 1500, 1000 Mb/s full"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("rx_crc_errors"));
}

#[test]
fn unknown_interfaces_are_usage_errors() {
    for args in [
        vec!["nic", "nosuch0"],
        vec!["doctor", "--only", "nic.*", "--iface", "nosuch0"],
    ] {
        let r = run(&args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1);
        assert!(r.stderr.contains("nosuch0"));
    }
}

fn fake_kernel_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
    w("proc/sys/vm/overcommit_memory", "0\n");
    w("proc/sys/net/core/somaxconn", "65535\n");
    w("proc/sys/net/ipv4/tcp_max_syn_backlog", "128\n");
    w("proc/sys/net/ipv4/tcp_slow_start_after_idle", "1\n");
    w("proc/sys/net/ipv4/tcp_syncookies", "1\n");
    w("proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
    w("proc/sys/net/ipv4/ip_local_reserved_ports", "\n");
    w(
        "proc/net/snmp",
        "Tcp: RetransSegs OutSegs\nTcp: 100 100000\n",
    );
    w(
        "proc/net/netstat",
        "TcpExt: ListenOverflows ListenDrops TCPSynRetrans\nTcpExt: 7 7 0\n",
    );
    w(
        "etc/sysctl.d/99-sysctl.conf",
        "# Debian links this to /etc/sysctl.conf\nvm.overcommit_memory = 0\n",
    );
    dir
}

#[test]
fn tune_kernel_in_a_fake_root_never_lowers_and_warns_about_overrides() {
    let root = fake_kernel_root();
    let env = [("STATECTL_HOST_ROOT", root.path().to_str().unwrap())];
    let read = |rel: &str| {
        std::fs::read_to_string(root.path().join(rel))
            .unwrap()
            .trim()
            .to_string()
    };
    let r = run(&["tune", "kernel", "--format", "json"], &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let action = |v: &serde_json::Value, k: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == k)
            .unwrap()["action"]
            .clone()
    };
    assert_eq!(action(&v, "net.core.somaxconn"), "keep_higher");
    assert_eq!(action(&v, "vm.overcommit_memory"), "set");
    assert!(
        v["warnings"].as_array().unwrap().iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("99-sysctl.conf sets vm.overcommit_memory = 0")),
        "{v}"
    );
    assert_eq!(read("proc/sys/vm/overcommit_memory"), "0", "dry run");
    assert!(!root.path().join("etc/sysctl.d/60-statectl.conf").exists());

    let r = run(&["tune", "kernel", "--apply", "--format", "json"], &env);
    assert_eq!(r.json()["changed"], true);
    assert_eq!(read("proc/sys/vm/overcommit_memory"), "1");
    assert_eq!(read("proc/sys/net/ipv4/tcp_max_syn_backlog"), "8192");
    assert_eq!(
        read("proc/sys/net/core/somaxconn"),
        "65535",
        "never lowered"
    );
    let persisted = read("etc/sysctl.d/60-statectl.conf");
    assert!(
        persisted.contains("vm.overcommit_memory = 1") && !persisted.contains("somaxconn"),
        "{persisted}"
    );

    let r = run(&["tune", "kernel", "--apply"], &env);
    assert!(r.stdout.contains("nothing to change"), "{}", r.stdout);
    let r = run(&["tune", "kernel", "--apply", "--format", "json"], &env);
    assert_eq!(r.json()["changed"], false);

    let r = run(
        &[
            "tune",
            "kernel",
            "--set",
            "net.core.somaxconn=4096",
            "--apply",
            "--force",
        ],
        &env,
    );
    assert_eq!(r.code, 0);
    assert_eq!(read("proc/sys/net/core/somaxconn"), "4096");
}

// issue 26, item 7: --persist onto a symlink replaced the link with a regular file, and the
// file it named (the one sysctl --system reads) kept the old values
#[test]
fn tune_kernel_persists_through_a_symlink() {
    let root = fake_kernel_root();
    let env = [("STATECTL_HOST_ROOT", root.path().to_str().unwrap())];
    let real = root.path().join("srv/sysctl/60-statectl.conf");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, "# kept in /srv\n").unwrap();
    let link = root.path().join("etc/sysctl.d/60-statectl.conf");
    std::os::unix::fs::symlink("../../srv/sysctl/60-statectl.conf", &link).unwrap();
    let r = run(&["tune", "kernel", "--apply", "--format", "json"], &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["changed"], true);
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(
        text.starts_with("# kept in /srv\n") && text.contains("vm.overcommit_memory = 1"),
        "{text}"
    );
    let r = run(&["tune", "kernel", "--apply", "--format", "json"], &env);
    assert_eq!(r.json()["changed"], false, "{}", r.stdout);
    // a link to nowhere is refused before any value is set
    std::fs::write(root.path().join("proc/sys/vm/overcommit_memory"), "0\n").unwrap();
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("../../srv/nowhere/60.conf", &link).unwrap();
    let r = run(&["tune", "kernel", "--apply"], &env);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("60-statectl.conf") && r.stderr.contains("does not exist"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(root.path().join("proc/sys/vm/overcommit_memory")).unwrap(),
        "0\n",
        "nothing set"
    );
}

#[test]
fn tune_kernel_bad_input_writes_nothing() {
    let root = fake_kernel_root();
    let env = [("STATECTL_HOST_ROOT", root.path().to_str().unwrap())];
    for (set, needle) in [
        ("net.core.nosuchkey=1", "unknown sysctl key"),
        ("net.core.somaxconn=lots", "expected a number"),
        ("garbage", "NAME=VALUE"),
    ] {
        let r = run(&["tune", "kernel", "--set", set, "--apply"], &env);
        assert_eq!(r.code, 2, "{set}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1);
        assert!(r.stderr.contains(needle), "{}", r.stderr);
    }
    assert!(!root.path().join("etc/sysctl.d/60-statectl.conf").exists());
    assert_eq!(
        std::fs::read_to_string(root.path().join("proc/sys/net/core/somaxconn")).unwrap(),
        "65535\n"
    );
}

#[test]
fn kernel_counters_are_judged_by_their_change() {
    let root = fake_kernel_root();
    let netstat = root.path().join("proc/net/netstat");
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(
            netstat,
            "TcpExt: ListenOverflows ListenDrops TCPSynRetrans\nTcpExt: 19 19 2\n",
        )
        .unwrap();
    });
    let r = doctor_json(
        "kernel.*",
        &["--sample", "1s"],
        &[("STATECTL_HOST_ROOT", root.path().to_str().unwrap())],
    );
    t.join().unwrap();
    let f = r.finding("kernel.listen_overflows");
    assert_eq!(f["status"], "fail", "{f}");
    assert_eq!(evidence(&f, "ListenOverflows_delta"), Some("12"));
    assert_eq!(evidence(&f, "ListenOverflows_total"), Some("19"));
    assert_eq!(r.finding("kernel.retransmits")["status"], "pass");
    assert_eq!(r.finding("kernel.syn_backlog")["status"], "warn");
    assert_eq!(r.finding("kernel.conntrack")["status"], "skip");
    assert_eq!(r.finding("kernel.version")["status"], "pass");
    assert_eq!(
        r.finding("kernel.oom")["status"],
        "skip",
        "no /dev/kmsg in the fake root"
    );
}

#[test]
fn tune_kernel_writes_net_keys_only_inside_a_new_namespace() {
    if !can_make_namespaces() {
        return;
    }
    let host_somaxconn = std::fs::read_to_string("/proc/sys/net/core/somaxconn").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let bin = env!("CARGO_BIN_EXE_statectl");
    let script = format!(
        "set -e; \
         {bin} tune kernel --set net.core.somaxconn=8191 --set net.core.netdev_max_backlog=5000 --apply --persist {d}/60.conf --format json > {d}/first.json; \
         cat /proc/sys/net/core/somaxconn > {d}/live; \
         {bin} tune kernel --set net.core.somaxconn=8191 --apply --persist {d}/60.conf --format json > {d}/second.json"
    );
    let out = Command::new("unshare")
        .args(["-n", "sh", "-c", &script])
        .env_remove("STATECTL_HOST_ROOT")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("first.json")).unwrap())
            .unwrap();
    assert_eq!(first["changed"], true);
    let items = first["items"].as_array().unwrap();
    assert_eq!(items[0]["action"], "set");
    assert_eq!(
        items[1]["action"], "not_applicable",
        "netdev_max_backlog does not exist in a child namespace"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("live"))
            .unwrap()
            .trim(),
        "8191"
    );
    assert!(std::fs::read_to_string(dir.path().join("60.conf"))
        .unwrap()
        .contains("net.core.somaxconn = 8191"));
    let second: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("second.json")).unwrap())
            .unwrap();
    assert_eq!(second["changed"], false, "{second}");
    assert_eq!(
        std::fs::read_to_string("/proc/sys/net/core/somaxconn").unwrap(),
        host_somaxconn,
        "the host's value is untouched"
    );
}

#[test]
fn nic_watch_refreshes_until_interrupted() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_statectl"))
        .args([
            "nic", "lo", "--watch", "--sample", "200ms", "--format", "json",
        ])
        .env_remove("STATECTL_HOST_ROOT")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    for _ in 0..3 {
        // one JSON document per refresh, one per line
        let line = lines.next().unwrap().unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v[0]["iface"], "lo");
        assert!(v[0]["window_ms"].as_u64().unwrap() >= 200);
    }
    assert!(Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "Ctrl-C ends the watch cleanly: {status:?}"
    );
}

#[test]
fn host_root_flag_reads_and_writes_below_it_and_says_so() {
    // node_exporter's --path.rootfs habit: the flag form, no environment
    let root = fake_kernel_root();
    let dir = root.path().to_str().unwrap();
    let r = run(
        &[
            "--host-root",
            dir,
            "tune",
            "kernel",
            "--apply",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["host_root"], dir, "{v}");
    assert_eq!(
        std::fs::read_to_string(root.path().join("proc/sys/vm/overcommit_memory"))
            .unwrap()
            .trim(),
        "1",
        "the live value below the host root"
    );
    assert!(root.path().join("etc/sysctl.d/60-statectl.conf").exists());
    let r = run(&["tune", "kernel", "--host-root", dir], &[]);
    assert!(
        r.stdout.contains(&format!("host root: {dir}")),
        "{}",
        r.stdout
    );
    // tune redis defaults to /etc/redis/redis.conf below the host root
    std::fs::create_dir_all(root.path().join("etc/redis")).unwrap();
    std::fs::write(
        root.path().join("etc/redis/redis.conf"),
        "bind 127.0.0.1\nrequirepass x\n",
    )
    .unwrap();
    let r = run(
        &["--host-root", dir, "tune", "redis", "--format", "json"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(
        v["config"],
        root.path().join("etc/redis/redis.conf").to_str().unwrap()
    );
    assert_eq!(v["host_root"], dir);
}

// issue 12, defect 18: tune kernel applied item by item; when a later key failed, the earlier
// ones stayed changed and the run said nothing about it. Now: put back, persist nothing, say
// so in the table and the JSON, exit 3.
#[test]
fn a_failed_key_rolls_back_the_keys_set_before_it() {
    if !can_make_namespaces() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, v: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, v).unwrap();
    };
    w("proc/sys/net/core/somaxconn", "128\n");
    w("proc/sys/net/ipv4/tcp_max_syn_backlog", "128\n");
    let root = dir.path().display().to_string();
    // in a private mount namespace the second key's file is a read-only bind mount: its write
    // fails with EROFS even for root, while the first key writes fine
    let script = format!(
        "mount --bind {root}/proc/sys/net/ipv4/tcp_max_syn_backlog {root}/proc/sys/net/ipv4/tcp_max_syn_backlog && \
         mount -o remount,bind,ro {root}/proc/sys/net/ipv4/tcp_max_syn_backlog && \
         exec {bin} --host-root {root} tune kernel --set net.core.somaxconn=4096 \
              --set net.ipv4.tcp_max_syn_backlog=8192 --apply --format json",
        bin = env!("CARGO_BIN_EXE_statectl")
    );
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        v["failed"]
            .as_str()
            .unwrap()
            .contains("tcp_max_syn_backlog"),
        "{v}"
    );
    assert_eq!(
        v["rolled_back"],
        serde_json::json!(["net.core.somaxconn"]),
        "{v}"
    );
    assert_eq!(v["changed"], false);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("proc/sys/net/core/somaxconn"))
            .unwrap()
            .trim(),
        "128",
        "put back"
    );
    assert!(
        !dir.path().join("etc/sysctl.d/60-statectl.conf").exists(),
        "nothing persisted"
    );
}

// issue 12, defect 11: under `unshare -n` with /sys not remounted, a veth of the namespace was
// "no such interface", and `lo` read the host's counters. Now this namespace's links come from
// rtnetlink, as `ip -s link` reads them.
#[test]
fn nic_reads_this_network_namespace_even_when_sys_is_the_hosts() {
    if !can_make_namespaces() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_statectl");
    let out = Command::new("unshare")
        .args([
            "-n",
            "sh",
            "-c",
            &format!(
                "ip link add vA type veth peer name vB && ip link set vA up && ip link set vB up && \
                 {bin} nic vA --sample 100ms --format json && echo && {bin} nic lo --sample 100ms --format json"
            ),
        ])
        .env_remove("STATECTL_HOST_ROOT")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&stdout)
        .into_iter()
        .map(|d| d.unwrap())
        .collect();
    assert_eq!(docs[0][0]["iface"], "vA");
    assert_eq!(docs[0][0]["operstate"], "up");
    // a fresh namespace's loopback is down and has carried nothing, unlike the host's
    let lo = &docs[1][0];
    assert_eq!(lo["operstate"], "down", "{lo}");
    let rx = lo["counters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "rx_packets")
        .unwrap();
    assert_eq!(rx["total"], 0, "{lo}");
}

// issue 18: retransmissions on real traffic. A namespace whose nftables drops 3 in 10 TCP
// segments to its Redis port makes the client's kernel retransmit: kernel.retransmits (read in
// the client's namespace) and capture's retransmission count both see it.
#[test]
fn dropped_segments_move_kernel_retransmits_and_the_capture_count() {
    if !can_make_namespaces() {
        return;
    }
    let found = Command::new("redis-benchmark")
        .arg("--version")
        .output()
        .is_ok();
    if !require(found, "redis-benchmark (apt install redis-tools)") {
        return;
    }
    let p = VethPair::new();
    let mut server = Command::new("ip")
        .args([
            "netns",
            "exec",
            &p.b,
            "redis-server",
            "--bind",
            "10.231.0.2",
        ])
        .args([
            "--port",
            "6379",
            "--protected-mode",
            "no",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !Command::new("ip")
        .args([
            "netns",
            "exec",
            &p.a,
            "redis-cli",
            "-h",
            "10.231.0.2",
            "ping",
        ])
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"PONG"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "redis-server in the namespace did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    sh(&format!(
        "ip netns exec {b} nft 'add table inet stl; add chain inet stl in {{ type filter hook input priority 0; }}; add rule inet stl in tcp dport 6379 numgen random mod 10 < 3 drop'",
        b = p.b
    ));
    let a = p.a.clone();
    let mut cap = crate::capture::start(
        "ip",
        &[
            "netns",
            "exec",
            &a,
            env!("CARGO_BIN_EXE_statectl"),
            "capture",
            "-i",
            "va",
            "-p",
            "6379",
            "--format",
            "json",
        ],
        "capturing on",
    );
    // traffic for the whole window, light on the CPU: two clients, each waiting out its
    // retransmissions; stopped once the doctor has looked
    let mut load = Command::new("ip")
        .args([
            "netns",
            "exec",
            &a,
            "redis-benchmark",
            "-h",
            "10.231.0.2",
            "-p",
            "6379",
        ])
        .args(["-n", "1000000", "-c", "2", "-t", "set", "-q"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // data must flow before the window opens: with 3 in 10 segments dropped, both clients'
    // SYNs can be lost and retried (1 s, then 3 s) past a 2 s window, leaving the capture no
    // data segment to see retransmitted (CI saw exactly that)
    let sets = || {
        let out = Command::new("ip")
            .args(["netns", "exec", &p.a, "redis-cli", "-h", "10.231.0.2"])
            .args(["info", "commandstats"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("cmdstat_set:calls="))
            .and_then(|v| v.split(',').next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // a failed assertion must not leave the server, the capture and the load running (they
    // hold the harness's output open)
    let _reap = Reap(vec![server.id(), cap.id(), load.id()]);
    crate::support::topology::until(
        "SETs flowing through the drops",
        Duration::from_secs(30),
        || sets() >= 200,
    );
    let r = p.statectl(&[
        "doctor",
        "--only",
        "kernel.retransmits",
        "--sample",
        "2s",
        "--format",
        "json",
    ]);
    let _ = load.kill();
    let _ = load.wait();
    let _ = Command::new("kill")
        .args(["-INT", &cap.id().to_string()])
        .status();
    let mut out = String::new();
    use std::io::Read;
    cap.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let _ = cap.wait();
    let _ = server.kill();
    let _ = server.wait();

    let f = r.finding("kernel.retransmits");
    let retrans: u64 = evidence(&f, "RetransSegs_delta")
        .unwrap_or("0")
        .parse()
        .unwrap();
    assert!(retrans > 0, "{f}");
    assert_ne!(f["status"], "pass", "30% of segments dropped: {f}");
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let seen = report["retransmitted_segments"].as_u64().unwrap();
    assert!(seen > 0, "{report}");
    eprintln!(
        "retransmits: kernel.retransmits {} with RetransSegs +{retrans}; capture counted {seen}",
        f["status"]
    );
}

/// Kills the given processes when a test fails before it reaps them itself.
struct Reap(Vec<u32>);

impl Drop for Reap {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for pid in &self.0 {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
    }
}
