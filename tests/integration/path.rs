//! Issue 18: `statectl path` over a real routed path: three namespaces chained by veth (client,
//! router with ip_forward, server), loss made by nftables on the server.

use std::process::Command;

use crate::kernel_nic::{can_make_namespaces, sh};

struct Chain {
    ns: [String; 3],
}

impl Chain {
    fn new() -> Chain {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let tag = format!("stp{}x{n}", std::process::id());
        let ns = [format!("{tag}c"), format!("{tag}r"), format!("{tag}s")];
        let [c, r, s] = &ns;
        sh(&format!(
            "ip netns add {c} && ip netns add {r} && ip netns add {s} && \
             ip -n {c} link add e0 type veth peer name e0 netns {r} && \
             ip -n {s} link add e0 type veth peer name e1 netns {r} && \
             ip -n {c} addr add 10.77.1.1/24 dev e0 && ip -n {r} addr add 10.77.1.2/24 dev e0 && \
             ip -n {r} addr add 10.77.2.1/24 dev e1 && ip -n {s} addr add 10.77.2.2/24 dev e0 && \
             for n in {c} {r} {s}; do ip -n $n link set lo up; done && \
             ip -n {c} link set e0 up && ip -n {r} link set e0 up && ip -n {r} link set e1 up && ip -n {s} link set e0 up && \
             ip netns exec {r} sysctl -q -w net.ipv4.ip_forward=1 && \
             ip netns exec {r} sysctl -q -w net.ipv4.icmp_ratelimit=0 && \
             ip -n {c} route add default via 10.77.1.2 && ip -n {s} route add default via 10.77.2.1"
        ));
        Chain { ns }
    }

    fn path(&self, args: &[&str]) -> serde_json::Value {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns[0]])
            .arg(env!("CARGO_BIN_EXE_statectl"))
            .args([
                "path",
                "10.77.2.2",
                "--format",
                "json",
                "--interval",
                "100ms",
                "--timeout",
                "500ms",
            ])
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        for n in &self.ns {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
        }
    }
}

#[test]
fn two_hops_without_loss_then_the_loss_nftables_makes() {
    if !can_make_namespaces() {
        return;
    }
    let chain = Chain::new();
    let r = chain.path(&["--protocol", "icmp", "--count", "5"]);
    let hops = r["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 2, "{r}");
    assert_eq!(hops[0]["addrs"][0], "10.77.1.2", "{r}");
    assert_eq!(hops[1]["addrs"][0], "10.77.2.2", "{r}");
    for h in hops {
        assert_eq!(h["loss_pct"], 0.0, "{r}");
        assert_eq!(h["sent"], 5, "{r}");
    }
    // TCP SYN to the Redis port: nothing listens, the RST still answers from the target
    let r = chain.path(&["--count", "3"]);
    assert_eq!(r["protocol"], "tcp");
    assert_eq!(
        r["hops"].as_array().unwrap().last().unwrap()["addrs"][0],
        "10.77.2.2",
        "{r}"
    );

    // the server drops 3 in 10 probes
    sh(&format!(
        "ip netns exec {s} nft 'add table inet stl; add chain inet stl in {{ type filter hook input priority 0; }}; add rule inet stl in icmp type echo-request numgen random mod 10 < 3 drop'",
        s = chain.ns[2]
    ));
    let r = chain.path(&["--protocol", "icmp", "--count", "40"]);
    let hops = r["hops"].as_array().unwrap();
    let last = hops.last().unwrap();
    let loss = last["loss_pct"].as_f64().unwrap();
    assert!(loss > 5.0 && loss < 70.0, "about 30% expected: {r}");
    assert_eq!(
        hops[0]["loss_pct"], 0.0,
        "the router answers every probe: {r}"
    );
    eprintln!("path: final hop loss {loss:.1}% over 40 rounds with 30% dropped");
}

#[test]
fn doctor_path_judges_the_final_hop_and_finds_a_routing_loop() {
    if !can_make_namespaces() {
        return;
    }
    let chain = Chain::new();
    let [c, r, s] = &chain.ns;
    // 10.77.9.0/24: the router sends it to the server, the server (forwarding) back to the router
    sh(&format!(
        "ip netns exec {s} sysctl -q -w net.ipv4.ip_forward=1 && \
         ip netns exec {s} sysctl -q -w net.ipv4.icmp_ratelimit=0 && \
         ip -n {r} route add 10.77.9.0/24 via 10.77.2.2 && ip -n {s} route add 10.77.9.0/24 via 10.77.2.1"
    ));
    let doctor = |url: &str| {
        let out = Command::new("ip")
            .args(["netns", "exec", c])
            .arg(env!("CARGO_BIN_EXE_statectl"))
            .args(["doctor", "--path", "--only", "path.*", "--redis", url])
            .args(["--sample", "1s", "--timeout", "500ms", "--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let by_id = |id: &str| {
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["id"] == id)
                .unwrap_or_else(|| panic!("no {id}: {v}"))
                .clone()
        };
        (
            by_id("path.loss"),
            by_id("path.latency"),
            by_id("path.loops"),
        )
    };
    let (loss, latency, loops) = doctor("redis://10.77.2.2:6379");
    assert_eq!(loss["status"], "pass", "{loss}");
    assert_eq!(latency["status"], "pass", "{latency}");
    assert_eq!(loops["status"], "pass", "{loops}");
    let (loss, _, loops) = doctor("redis://10.77.9.9:6379");
    assert_eq!(loops["status"], "fail", "{loops}");
    let summary = loops["summary"].as_str().unwrap();
    assert!(
        summary.contains("routing loop: 10.77.1.2 at hops 1 and 3"),
        "{loops}"
    );
    assert_eq!(loss["status"], "fail", "the target never answers: {loss}");
    // 3 in 10 SYNs to the server's Redis port dropped: 30 rounds (--sample 3s) lose some
    sh(&format!(
        "ip netns exec {s} nft 'add table inet stl; add chain inet stl in {{ type filter hook input priority 0; }}; add rule inet stl in tcp dport 6379 numgen random mod 10 < 3 drop'"
    ));
    let out = Command::new("ip")
        .args(["netns", "exec", c])
        .arg(env!("CARGO_BIN_EXE_statectl"))
        .args([
            "doctor",
            "--path",
            "--only",
            "path.loss",
            "--redis",
            "redis://10.77.2.2:6379",
        ])
        .args(["--sample", "3s", "--timeout", "500ms", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["status"], "fail", "{f}");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("of probes to 10.77.2.2 were lost"),
        "{f}"
    );
    // without raw sockets: skip, saying how to grant them
    let out = Command::new("ip")
        .args(["netns", "exec", c, "runuser", "-u", "nobody", "--"])
        .arg(crate::support::executable_by_all(std::path::Path::new(
            env!("CARGO_BIN_EXE_statectl"),
        )))
        .args([
            "doctor",
            "--path",
            "--only",
            "path.loss",
            "--redis",
            "redis://10.77.2.2:6379",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let f = &v["findings"][0];
    assert_eq!(f["status"], "skip", "{f}");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("setcap cap_net_raw+ep"),
        "{f}"
    );
    // without --path nothing is traced and no path finding is made
    let out = Command::new("ip")
        .args(["netns", "exec", c])
        .arg(env!("CARGO_BIN_EXE_statectl"))
        .args([
            "doctor",
            "--only",
            "path.*",
            "--redis",
            "redis://10.77.2.2:6379",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v}");
}
