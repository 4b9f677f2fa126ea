//! The host's software for `preflight.openssl`: `openssl version`, and the libssl that
//! redis-server and postgres link to (ldd).

use std::path::{Path, PathBuf};

use futures::future::BoxFuture;

use super::ProbeContext;
use crate::observe::preflight::{listening, Hardware, Listener};
use crate::observe::preflight::{LinkedSsl, PreflightObservation};
use crate::observe::Observed;

/// The preflight area's probe.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let root = cx.root.clone();
        let roles = cx.targets.roles.clone();
        let o = tokio::task::spawn_blocking(move || {
            let mut o = observe(&root);
            o.roles = roles;
            o
        })
        .await
        .unwrap_or_else(|e| PreflightObservation::unknown(format!("the probe failed: {e}")));
        Observed::Preflight(Box::new(o))
    })
}

/// Runs the probes; under `--host-root` no host binary is run (they are another machine's).
pub fn observe(root: &super::kernel::HostRoot) -> PreflightObservation {
    if !root.is_default() {
        let why = "--host-root is given: the host's binaries are not run from here".to_string();
        let mut o = PreflightObservation::unknown(why);
        o.listeners = listeners(root);
        o.overcommit_memory = root.sysctl("vm.overcommit_memory");
        o.hardware = hardware(root);
        return o;
    }
    let openssl_cli = run("openssl", &["version"]).and_then(|out| {
        out.lines()
            .next()
            .map(str::to_string)
            .ok_or_else(|| "openssl version printed nothing".to_string())
    });
    let linked = server_binaries()
        .into_iter()
        .map(|b| LinkedSsl {
            binary: b.display().to_string(),
            libssl: run("ldd", &[&b.to_string_lossy()]).and_then(|out| libssl_soname(&out)),
        })
        .collect();
    let first_line = |r: Result<String, String>| {
        r.and_then(|t| {
            t.lines()
                .find(|l| !l.trim().is_empty())
                .map(str::to_string)
                .ok_or_else(|| "printed nothing".into())
        })
    };
    let pg_bin = server_binaries()
        .into_iter()
        .find(|b| b.file_name().is_some_and(|n| n == "postgres"));
    let postgres = match pg_bin {
        Some(b) => first_line(run(&b.to_string_lossy(), &["--version"])),
        None => first_line(run("pg_config", &["--version"]))
            .map_err(|_| "postgres is not installed (no postgres binary, no pg_config)".into()),
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let cap_eff = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|h| u64::from_str_radix(h.trim(), 16).ok());
    PreflightObservation {
        openssl_cli,
        linked,
        roles: Vec::new(),
        // a Valkey node has valkey-server (and no redis-server unless its compat links are in)
        redis_server: first_line(
            run("redis-server", &["--version"])
                .or_else(|e| run("valkey-server", &["--version"]).map_err(|_| e)),
        ),
        postgres,
        nginx: both("nginx", &["-v"]),
        haproxy: first_line(run("haproxy", &["-v"])),
        // SAFETY: geteuid has no preconditions and cannot fail
        euid: Some(unsafe { libc::geteuid() }),
        cap_eff,
        listeners: listeners(root),
        overcommit_memory: root.sysctl("vm.overcommit_memory"),
        hardware: hardware(root),
    }
}

/// Memory, disks, EDAC and the default route's NIC speed, from /proc and /sys below `root`.
fn hardware(root: &super::kernel::HostRoot) -> Hardware {
    let read = |rel: &str| std::fs::read_to_string(root.path(rel)).ok();
    let mem_total_kb = read("proc/meminfo").and_then(|m| crate::observe::kernel::mem_total_kb(&m));
    let mut disks: Vec<(String, bool)> = std::fs::read_dir(root.path("sys/block"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if ["loop", "ram", "zram", "dm-", "sr", "fd"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                return None;
            }
            let rot = read(&format!("sys/block/{name}/queue/rotational"))?;
            Some((name, rot.trim() == "1"))
        })
        .collect();
    disks.sort();
    let edac = std::fs::read_dir(root.path("sys/devices/system/edac/mc"))
        .ok()
        .map(|d| {
            let mut mcs: Vec<(String, u64, u64)> = d
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("mc"))
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let n = |f: &str| {
                        read(&format!("sys/devices/system/edac/mc/{name}/{f}"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0)
                    };
                    (name.clone(), n("ce_count"), n("ue_count"))
                })
                .collect();
            mcs.sort();
            mcs
        });
    let nics = super::kernel::default_route_interfaces(root)
        .into_iter()
        .map(|i| {
            let speed = read(&format!("sys/class/net/{i}/speed"))
                .and_then(|s| s.trim().parse::<i64>().ok())
                .filter(|s| *s > 0)
                .map(|s| s as u64);
            (i, speed)
        })
        .collect();
    Hardware {
        mem_total_kb,
        disks,
        edac,
        nics,
    }
}

/// A program's stdout and stderr together (nginx -v prints to stderr).
fn both(program: &str, args: &[&str]) -> Result<String, String> {
    super::command(program, args).map(|(o, e)| format!("{o}{e}").trim().to_string())
}

/// The state ports.
pub const STATE_PORTS: &[u16] = &[6379, 5432, 26379];

/// What listens on the state ports, with the owning process where /proc/*/fd shows it.
fn listeners(root: &super::kernel::HostRoot) -> Vec<Listener> {
    let mut socks = Vec::new();
    for f in ["proc/net/tcp", "proc/net/tcp6"] {
        if let Ok(t) = std::fs::read_to_string(root.path(f)) {
            socks.extend(listening(&t, STATE_PORTS));
        }
    }
    socks.sort();
    socks.dedup_by_key(|s| s.0);
    if socks.is_empty() {
        return Vec::new();
    }
    let owner = super::kernel::socket_owners(root);
    socks
        .into_iter()
        .map(|(port, inode)| {
            let pid = owner.get(&inode).copied();
            let process = pid.and_then(|p| {
                std::fs::read_to_string(root.path(&format!("proc/{p}/comm")))
                    .ok()
                    .map(|c| c.trim().to_string())
            });
            Listener { port, pid, process }
        })
        .collect()
}

/// The soname of libssl in ldd's output.
pub fn libssl_soname(ldd: &str) -> Result<String, String> {
    ldd.lines()
        .filter_map(|l| l.split_whitespace().next())
        .find(|name| name.starts_with("libssl.so"))
        .map(str::to_string)
        .ok_or_else(|| "not linked to libssl".to_string())
}

/// A program's stdout, or why it did not run or failed.
fn run(program: &str, args: &[&str]) -> Result<String, String> {
    super::command(program, args).map(|(out, _)| out)
}

/// redis-server (or valkey-server) on PATH, and the newest PostgreSQL server binary (PATH or
/// Debian's layout).
fn server_binaries() -> Vec<PathBuf> {
    let on_path = |name: &str| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    };
    let mut out: Vec<PathBuf> = on_path("redis-server")
        .or_else(|| on_path("valkey-server"))
        .into_iter()
        .collect();
    let debian = glob::glob("/usr/lib/postgresql/*/bin/postgres")
        .into_iter()
        .flatten()
        .flatten()
        .max_by_key(|p| pg_major(p));
    if let Some(pg) = on_path("postgres").or(debian) {
        out.push(pg);
    }
    out
}

fn pg_major(p: &Path) -> u32 {
    p.components()
        .filter_map(|c| c.as_os_str().to_str()?.parse().ok())
        .next()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_libssl_soname_comes_from_ldd_output() {
        let ldd = "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x00007f)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n";
        assert_eq!(libssl_soname(ldd).unwrap(), "libssl.so.3");
        assert!(libssl_soname("\tlibc.so.6 => /lib/libc.so.6\n").is_err());
    }
}
