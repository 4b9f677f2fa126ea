//! The layering rule (checks never do I/O, probes never decide). The pure layers (observation
//! types, checks, planners, packet analysis, statistics, the parsers of untrusted input) are the
//! crate statectl-core: the compiler holds it to its dependencies (checked here: none that does
//! I/O, however deep), clippy.toml forbids std's file, socket, process, environment and clock
//! calls in it, and the source scan below names what a pure file must not mention. `cmd/` holds
//! no thresholds.

use std::path::{Path, PathBuf};

/// Pure modules: every .rs file under these paths (files or directories).
const PURE: &[&str] = &["crates/core/src"];

/// What a pure module must not name.
const FORBIDDEN: &[&str] = &[
    "probe::",
    "std::fs",
    "tokio::fs",
    "std::net::TcpStream",
    "std::net::UdpSocket",
    "std::net::TcpListener",
    "tokio::net",
    "std::env",
    "std::process",
    "TcpStream",
    "UdpSocket",
    "TcpListener",
    // a check or planner that reaches up into the renderers or the subcommands
    "crate::render",
    "crate::cmd",
];

fn rust_files(root: &Path) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_path_buf()];
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(root).unwrap_or_else(|e| panic!("{}: {e}", root.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Every .rs file of the three crates: the CLI (src/), the probes (crates/probe) and the core.
fn all_sources(base: &Path) -> Vec<PathBuf> {
    ["src", "crates/probe/src", "crates/core/src"]
        .iter()
        .flat_map(|d| rust_files(&base.join(d)))
        .collect()
}

/// The code of a file without its comments, so prose may mention what code may not use.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| {
            // the first `//` outside a string literal ("redis://…" is code) starts a comment
            let comment = l
                .match_indices("//")
                .map(|(i, _)| i)
                .find(|i| l[..*i].matches('"').count() % 2 == 0);
            comment.map_or(l, |i| &l[..i])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// (file, forbidden name) for every violation under `roots`.
fn violations(base: &Path, roots: &[&str], forbidden: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for r in roots {
        for f in rust_files(&base.join(r)) {
            let text = code(&std::fs::read_to_string(&f).unwrap());
            for name in forbidden {
                if text.contains(name) {
                    out.push(format!("{} names {name}", f.display()));
                }
            }
        }
    }
    out
}

#[test]
fn pure_layers_name_no_io() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let v = violations(base, PURE, FORBIDDEN);
    assert!(v.is_empty(), "layering rule broken:\n{}", v.join("\n"));
}

#[test]
fn the_rule_catches_a_violation() {
    // The checker itself must be able to fail: a planted file that reads the environment.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/doctor")).unwrap();
    std::fs::write(
        dir.path().join("src/doctor/bad.rs"),
        "// std::env in a comment is fine\nfn f() -> String { std::env::var(\"X\").unwrap() }\nconst U: &str = \"redis://h\"; // probe:: in a comment\n",
    )
    .unwrap();
    let v = violations(dir.path(), &["src/doctor"], FORBIDDEN);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].ends_with("names std::env"), "{v:?}");
}

#[test]
fn cmd_holds_no_threshold_ratio_or_policy_constant() {
    // Orchestration only: a numeric const or static in cmd/ is a policy that belongs in a pure
    // module (or config::Thresholds), where it has a unit test.
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for f in rust_files(&base.join("src/cmd")) {
        let text = code(&std::fs::read_to_string(&f).unwrap());
        for l in text.lines() {
            let t = l.trim_start();
            let is_item = t.starts_with("const ")
                || t.starts_with("pub const ")
                || t.starts_with("static ")
                || t.starts_with("pub static ");
            if is_item {
                found.push(format!("{}: {t}", f.display()));
            }
        }
        for lit in ["0.5", "0.8", "500.0", "5.0", "511"] {
            if text.contains(lit) {
                found.push(format!("{} holds the literal {lit}", f.display()));
            }
        }
    }
    assert!(found.is_empty(), "policy in cmd/:\n{}", found.join("\n"));
}

#[test]
fn failpoints_are_compiled_only_with_the_test_feature() {
    // No test-only behaviour in the shipped binary: every STATECTL_FAILPOINT read sits under
    // #[cfg(feature = "failpoints")], which only the test suite's dev-dependency turns on.
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut bare = Vec::new();
    for f in all_sources(base) {
        let text = code(&std::fs::read_to_string(&f).unwrap());
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if l.contains("STATECTL_FAILPOINT") {
                let guarded = lines[i.saturating_sub(3)..i]
                    .iter()
                    .any(|p| p.contains("cfg(feature = \"failpoints\")"));
                if !guarded {
                    bare.push(format!("{}:{}", f.display(), i + 1));
                }
            }
        }
    }
    assert!(bare.is_empty(), "unguarded failpoints: {bare:?}");
    let manifest = std::fs::read_to_string(base.join("Cargo.toml")).unwrap();
    assert!(
        !manifest.contains("default = [\"failpoints\"") && manifest.contains("failpoints = []"),
        "the failpoints feature exists and is not a default"
    );
}

// issue 12, defect 9: `Row::get` panics on a NULL or an unexpected type
#[test]
fn postgres_rows_are_read_with_try_get_only() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for f in all_sources(base) {
        let text = code(&std::fs::read_to_string(&f).unwrap());
        if !text.contains("tokio_postgres") && !text.contains("PostgresSession") {
            continue;
        }
        for (i, l) in text.lines().enumerate() {
            // row.get(0), r.get::<_, String>(1): the panicking accessor on a Row
            let t = l.replace(' ', "");
            let on_row = t.match_indices(".get").any(|(at, _)| {
                let rest = &t[at + 4..];
                let ident: String = t[..at]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                (rest.starts_with('(') || rest.starts_with("::<"))
                    && (ident == "wor" || ident == "r")
            });
            if on_row {
                found.push(format!("{}:{}: {}", f.display(), i + 1, l.trim()));
            }
        }
    }
    assert!(found.is_empty(), "use try_get:\n{}", found.join("\n"));
}

/// Where an area may be named outside its own modules, the registry and the targets, and why.
const CROSS_AREA: &[(&str, &str, &str)] = &[(
    "crates/core/src/doctor/redis",
    "Cluster",
    "a cluster's seeds are Redis targets: the Redis reachability gate runs for cluster checks too",
)];

// issue 27 #1: adding an area touches its own modules plus the registry (areas.rs, the areas!
// table, probe::of); its targets are the kinds of input its entry declares; no other file may switch on an area. Counted on the sources: every
// file that names `Area::X` is X's own (doctor/, probe/, observe/, cmd/ under its name), the
// registry, the target resolution, or a listed cross-area read.
#[test]
fn an_area_is_named_only_by_its_own_modules_and_the_registry() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for a in statectl::doctor::Area::ALL {
        let (name, variant) = (a.as_str(), format!("{a:?}"));
        let needle = format!("Area::{variant}");
        for f in all_sources(base) {
            let rel = f.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            let text = code(&std::fs::read_to_string(&f).unwrap());
            let named = text.match_indices(&needle).any(|(i, _)| {
                !text[i + needle.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if !named {
                continue;
            }
            let own = [
                "crates/core/src/doctor/",
                "crates/core/src/observe/",
                "crates/probe/src/probe/",
                "src/cmd/",
            ]
            .iter()
            .any(|d| rel.starts_with(&format!("{d}{name}")));
            // the registry: the areas! table, the entries, and the exhaustive probe match
            let registry = [
                "crates/core/src/areas.rs",
                "crates/core/src/observe/mod.rs",
                "crates/probe/src/probe/mod.rs",
            ]
            .contains(&rel.as_str());
            let listed = CROSS_AREA
                .iter()
                .any(|(p, v, _)| rel.starts_with(p) && *v == variant);
            if !(own || registry || listed) {
                found.push(format!("{rel} names {needle}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "an area switched on outside its own modules:\n{}",
        found.join("\n")
    );
}

/// Crates that do I/O or run a runtime: none may be in the core's dependency tree.
const IO_CRATES: &[&str] = &[
    "tokio",
    "mio",
    "socket2",
    "libc",
    "nix",
    "rustix",
    "tempfile",
    "reqwest",
    "hyper",
    "redis",
    "tokio-postgres",
    "pcap",
    "rtnetlink",
    "ethtool",
    "netlink-sys",
    "trippy-core",
    "futures",
    "clap",
    "indicatif",
    "tracing",
    "rustls",
    "ring",
    "getrandom",
    "whoami",
];

/// The transitive normal dependencies of `package` on this machine's target (`cargo tree`:
/// Cargo.lock alone does not tell dev-dependencies apart).
fn dependency_tree(package: &str) -> std::collections::BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["-f", "{p}", "-p", package])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split(' ').next())
        .filter(|n| !n.is_empty() && *n != package)
        .map(str::to_string)
        .collect()
}

// issue 27 #3: the pure layer is a crate the compiler holds to its dependencies
#[test]
fn the_core_crate_depends_on_nothing_that_does_io() {
    let tree = dependency_tree("statectl-core");
    // the tree is read: the core's own dependencies are in it
    assert!(
        tree.contains("serde") && tree.contains("x509-parser"),
        "{tree:?}"
    );
    let io: Vec<&&str> = IO_CRATES.iter().filter(|c| tree.contains(**c)).collect();
    assert!(io.is_empty(), "statectl-core depends on {io:?}");
    // the probes do I/O but neither render nor drive a terminal, and the core needs no probe
    let probe = dependency_tree("statectl-probe");
    assert!(
        probe.contains("statectl-core") && probe.contains("tokio"),
        "{probe:?}"
    );
    for cli_only in [
        "comfy-table",
        "indicatif",
        "quick-junit",
        "clap_mangen",
        "clap_complete",
    ] {
        assert!(
            !probe.contains(cli_only),
            "statectl-probe depends on {cli_only}"
        );
    }
    assert!(!tree.contains("statectl-probe") && !tree.contains("statectl"));
    // and the check can fail: the statectl crate itself has them
    let cli = dependency_tree("statectl");
    assert!(
        cli.contains("tokio") && cli.contains("statectl-core"),
        "{cli:?}"
    );
    // clippy (tests/ci.sh runs it with -D warnings) forbids std's I/O calls in the core
    let clippy = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/clippy.toml"),
    )
    .unwrap();
    for call in [
        "std::fs::File::open",
        "std::fs::read_to_string",
        "std::net::TcpStream::connect",
        "std::process::Command::new",
        "std::env::var",
        "std::time::SystemTime::now",
    ] {
        assert!(
            clippy.contains(&format!("\"{call}\"")),
            "clippy.toml: {call}"
        );
    }
}
