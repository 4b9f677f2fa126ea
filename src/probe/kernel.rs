//! The local kernel: release, sysctls and counters, read from a root that tests can replace.

use std::path::{Path, PathBuf};

/// Where /proc and /sys are read from; tests point it at a fake tree.
#[derive(Debug, Clone)]
pub struct KernelRoot {
    /// Normally `/`.
    pub root: PathBuf,
}

impl Default for KernelRoot {
    fn default() -> Self {
        KernelRoot {
            root: PathBuf::from("/"),
        }
    }
}

impl KernelRoot {
    /// A path below the root, e.g. `proc/sys/kernel/osrelease`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// Reads a sysctl by its dotted name (`kernel.osrelease`), trimmed.
    pub fn sysctl(&self, key: &str) -> Result<String, String> {
        let rel = format!("proc/sys/{}", key.replace('.', "/"));
        read_trimmed(&self.path(&rel))
    }
}

fn read_trimmed(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p)
        .map(|s| s.trim().to_string())
        .map_err(|e| format!("{}: {e}", p.display()))
}

/// What the kernel probe saw.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelObservation {
    /// kernel.osrelease, or why it could not be read.
    pub release: Result<String, String>,
}

/// Reads the kernel facts the checks need.
pub fn observe(root: &KernelRoot) -> KernelObservation {
    KernelObservation {
        release: root.sysctl("kernel.osrelease"),
    }
}

/// The interfaces that carry a default route (IPv4 and IPv6), from /proc/net.
pub fn default_route_interfaces(root: &KernelRoot) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(text) = std::fs::read_to_string(root.path("proc/net/route")) {
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // Iface Destination Gateway Flags ... Mask
            if f.len() > 7 && f[1] == "00000000" && f[7] == "00000000" {
                out.push(f[0].to_string());
            }
        }
    }
    if let Ok(text) = std::fs::read_to_string(root.path("proc/net/ipv6_route")) {
        for line in text.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() == 10
                && f[0] == "00000000000000000000000000000000"
                && f[1] == "00"
                && f[9] != "lo"
            {
                out.push(f[9].to_string());
            }
        }
    }
    out.dedup();
    let mut seen = std::collections::HashSet::new();
    out.retain(|i| seen.insert(i.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_root_is_read_and_default_routes_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = KernelRoot {
            root: dir.path().to_path_buf(),
        };
        std::fs::create_dir_all(dir.path().join("proc/sys/kernel")).unwrap();
        std::fs::create_dir_all(dir.path().join("proc/net")).unwrap();
        std::fs::write(
            dir.path().join("proc/sys/kernel/osrelease"),
            "6.1.0-18-amd64\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("proc/net/route"),
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
             eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
             eth1\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n",
        )
        .unwrap();
        assert_eq!(observe(&root).release.unwrap(), "6.1.0-18-amd64");
        assert_eq!(default_route_interfaces(&root), vec!["eth0".to_string()]);
        let missing = KernelRoot {
            root: dir.path().join("nope"),
        };
        assert!(observe(&missing).release.unwrap_err().contains("osrelease"));
    }
}
