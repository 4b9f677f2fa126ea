//! The apply side of `tune kernel`: writing live sysctls and reading the sysctl.d files that
//! decide the values at boot, all below the host root.

use std::path::{Path, PathBuf};

use super::kernel::HostRoot;
use crate::tune::kernel::parse_line;

/// Sets one live sysctl by writing its /proc/sys file below the root, which is what sysctl(8)
/// does. Under `--host-root` this is the host's /proc/sys as mounted there.
pub fn write(root: &HostRoot, key: &str, value: &str) -> Result<(), String> {
    let path = root.sysctl_path(key);
    std::fs::write(&path, format!("{value}\n")).map_err(|e| format!("{}: {e}", path.display()))
}

/// The files `sysctl --system` reads after `ours`, each with the keys it sets in order.
pub fn later_files(root: &HostRoot, ours: &Path) -> Vec<(String, Vec<(String, String)>)> {
    let our_name = ours
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut by_name: std::collections::BTreeMap<String, PathBuf> = Default::default();
    // Earlier directories win for the same file name (systemd-sysctl's precedence).
    for dir in [
        "usr/lib/sysctl.d",
        "lib/sysctl.d",
        "usr/local/lib/sysctl.d",
        "run/sysctl.d",
        "etc/sysctl.d",
    ] {
        if let Ok(entries) = std::fs::read_dir(root.path(dir)) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".conf") {
                    by_name.insert(name, e.path());
                }
            }
        }
    }
    let mut files: Vec<PathBuf> = by_name
        .into_iter()
        .filter(|(name, p)| *name > our_name && p.as_path() != ours)
        .map(|(_, p)| p)
        .collect();
    // procps `sysctl --system` reads /etc/sysctl.conf last
    files.push(root.path("etc/sysctl.conf"));
    files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let keys = text.lines().filter_map(parse_line).collect();
            Some((p.display().to_string(), keys))
        })
        .collect()
}
