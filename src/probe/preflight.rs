//! The host's software for `preflight.openssl`: `openssl version`, and the libssl that
//! redis-server and postgres link to (ldd).

use std::path::{Path, PathBuf};

use futures::future::BoxFuture;

use super::ProbeContext;
use crate::observe::preflight::{LinkedSsl, PreflightObservation};
use crate::observe::Observed;

/// The preflight area's probe.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let root = cx.root.clone();
        let o = tokio::task::spawn_blocking(move || observe(&root))
            .await
            .unwrap_or_else(|e| PreflightObservation {
                openssl_cli: Err(format!("the probe failed: {e}")),
                linked: Vec::new(),
            });
        Observed::Preflight(Box::new(o))
    })
}

/// Runs the probes; under `--host-root` no host binary is run (they are another machine's).
pub fn observe(root: &super::kernel::HostRoot) -> PreflightObservation {
    if !root.is_default() {
        let why = "--host-root is given: the host's binaries are not run from here".to_string();
        return PreflightObservation {
            openssl_cli: Err(why),
            linked: Vec::new(),
        };
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
    PreflightObservation {
        openssl_cli,
        linked,
    }
}

/// The soname of libssl in ldd's output.
pub fn libssl_soname(ldd: &str) -> Result<String, String> {
    ldd.lines()
        .filter_map(|l| l.split_whitespace().next())
        .find(|name| name.starts_with("libssl.so"))
        .map(str::to_string)
        .ok_or_else(|| "not linked to libssl".to_string())
}

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{program} exited with {}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// redis-server on PATH, and the newest PostgreSQL server binary (PATH or Debian's layout).
fn server_binaries() -> Vec<PathBuf> {
    let on_path = |name: &str| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    };
    let mut out: Vec<PathBuf> = on_path("redis-server").into_iter().collect();
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
