//! Issue 17: the Debian package. `cargo deb` builds it from Cargo.toml's
//! `[package.metadata.deb]`; dpkg installs it into a temporary root (never this machine's /usr),
//! and the installed files are checked the way an operator would use them.

use std::path::Path;
use std::process::Command;

use crate::support::require;

fn ok(c: &mut Command) -> std::process::Output {
    let out = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        out.status.success(),
        "{c:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn found(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_deb_installs_its_binary_man_pages_completions_and_disabled_doctor_timer() {
    if !require(
        found("cargo-deb", "--version"),
        "cargo-deb (cargo install cargo-deb)",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    // cargo-deb packages target/release/statectl; the test's own build stands in for it, so the
    // suite never runs a second (release) build
    let release = t.join("target/release");
    std::fs::create_dir_all(&release).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_statectl"), release.join("statectl")).unwrap();
    let deb = t.join("statectl.deb");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    ok(Command::new("cargo")
        .args(["deb", "--no-build", "--no-strip", "--fast", "-Z", "gz"])
        // the gzip program: cargo-deb's own deflate takes minutes on a debug binary
        .arg("--compress-system")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("-o")
        .arg(&deb)
        .env("CARGO_TARGET_DIR", t.join("target")));

    let info = ok(Command::new("dpkg-deb").arg("-f").arg(&deb).arg("Depends"));
    let depends = String::from_utf8_lossy(&info.stdout);
    for lib in ["libc6", "libpcap0.8"] {
        assert!(depends.contains(lib), "Depends: {depends}");
    }

    // a dpkg database of its own: `dpkg --root` installs below it and runs no maintainer
    // script on this machine (the package has none for install: the units ship disabled)
    let root = t.join("root");
    for d in ["var/lib/dpkg/info", "var/lib/dpkg/updates"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    for f in ["var/lib/dpkg/status", "var/lib/dpkg/available"] {
        std::fs::write(root.join(f), "").unwrap();
    }
    // the root has no libc6 or libpcap0.8 packages to satisfy Depends: this machine's are used
    ok(Command::new("dpkg")
        .arg(format!("--root={}", root.display()))
        .args(["--force-depends", "--log=/dev/null", "-i"])
        .arg(&deb));
    let status = std::fs::read_to_string(root.join("var/lib/dpkg/status")).unwrap();
    assert!(
        status.contains("Package: statectl\nStatus: install ok installed"),
        "{status}"
    );

    for f in [
        "usr/bin/statectl",
        "usr/share/man/man1/statectl.1.gz",
        "usr/share/man/man1/statectl-doctor.1.gz",
        "usr/share/man/man1/statectl-preflight.1.gz",
        "usr/share/bash-completion/completions/statectl",
        "usr/share/zsh/vendor-completions/_statectl",
        "usr/share/fish/vendor_completions.d/statectl.fish",
        "lib/systemd/system/statectl-doctor.service",
        "lib/systemd/system/statectl-doctor.timer",
        "etc/default/statectl",
        "usr/share/doc/statectl/copyright",
    ] {
        assert!(root.join(f).is_file(), "{f} is not installed");
    }
    // every generated man page is in the package, and no uncompressed one
    let shipped = std::fs::read_dir(root.join("usr/share/man/man1")).unwrap();
    let shipped: Vec<String> = shipped
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let generated = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("man")).unwrap();
    for page in generated {
        let page = page.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            shipped.contains(&format!("{page}.gz")),
            "{page}: {shipped:?}"
        );
    }
    assert!(shipped.iter().all(|p| p.ends_with(".1.gz")), "{shipped:?}");

    let bin = root.join("usr/bin/statectl");
    let v = ok(Command::new(&bin).arg("--version"));
    assert_eq!(
        String::from_utf8_lossy(&v.stdout).trim(),
        format!("statectl {}", env!("CARGO_PKG_VERSION"))
    );

    if require(found("man", "--version"), "man (apt install man-db)") {
        let page = ok(Command::new("man")
            .arg("-l")
            .arg(root.join("usr/share/man/man1/statectl-doctor.1.gz"))
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80"));
        let text = String::from_utf8_lossy(&page.stdout);
        assert!(
            text.contains("NAME") && text.contains("statectl-doctor"),
            "{text}"
        );
    }

    // the units: systemd's own verifier, reading them below the root. The root gets what the
    // units name from outside the package: systemd's targets and mkdir.
    if found("systemd-analyze", "--version") {
        let units = root.join("usr/lib/systemd/system");
        std::fs::create_dir_all(&units).unwrap();
        for e in std::fs::read_dir("/usr/lib/systemd/system").unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "target") {
                std::fs::copy(&p, units.join(p.file_name().unwrap())).unwrap();
            }
        }
        std::fs::create_dir_all(root.join("usr/bin")).unwrap();
        std::fs::copy("/usr/bin/mkdir", root.join("usr/bin/mkdir")).unwrap();
        ok(Command::new("systemd-analyze")
            .arg("verify")
            .arg(format!("--root={}", root.display()))
            .arg("--man=no")
            .arg(root.join("lib/systemd/system/statectl-doctor.service"))
            .arg(root.join("lib/systemd/system/statectl-doctor.timer")));
    } else {
        eprintln!("systemd-analyze is not installed: the units were not verified");
    }

    // ... and shipped disabled: nothing under /etc/systemd links them
    assert!(!root.join("etc/systemd").exists());
    let timer =
        std::fs::read_to_string(root.join("lib/systemd/system/statectl-doctor.timer")).unwrap();
    assert!(timer.contains("OnCalendar=*:0/5"), "{timer}");

    // the service's command line, as systemd would expand it, writes the textfile atomically
    let unit =
        std::fs::read_to_string(root.join("lib/systemd/system/statectl-doctor.service")).unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap();
    let textfile = t.join("textfile_collector");
    std::fs::create_dir(&textfile).unwrap();
    let exec = exec
        .replace("${STATECTL_TEXTFILE_DIR}", textfile.to_str().unwrap())
        .replace("$STATECTL_DOCTOR_ARGS", "--only kernel.version");
    let mut words = exec.split_whitespace();
    assert_eq!(words.next(), Some("/usr/bin/statectl"));
    let run = Command::new(&bin).args(words).output().unwrap();
    let code = run.status.code().unwrap();
    let allowed = unit
        .lines()
        .find_map(|l| l.strip_prefix("SuccessExitStatus="))
        .unwrap();
    assert!(
        code == 0 || allowed.split_whitespace().any(|c| c == code.to_string()),
        "exit {code}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let prom = std::fs::read_to_string(textfile.join("statectl.prom")).unwrap();
    assert!(
        prom.contains("statectl_check_status{id=\"kernel.version\""),
        "{prom}"
    );
    let left: Vec<_> = std::fs::read_dir(&textfile).unwrap().collect();
    assert_eq!(left.len(), 1, "only statectl.prom, no temp file: {left:?}");
}
