//! The whole check matrix, threshold edge by threshold edge, from observation fixtures: each
//! scenario in tests/fixtures/scenarios/*.json changes the healthy base observations (base.json)
//! with JSON Pointer (RFC 6901) `set` and `remove` edits, optionally with statectl.toml
//! thresholds, and states the status each named check must give. The findings of those checks
//! are golden (insta snapshots, one per fixture file). Every registered check needs at least one
//! passing and one non-passing scenario. Real-server tests stay where they are; this makes every
//! edge (0.8 exactly) cheap to cover, as trippy's scenario tests do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use statectl::areas::evaluate;
use statectl::config::Thresholds;
use statectl::doctor::Tag;
use statectl::model::{Finding, Status};
use statectl::observe::Observations;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// What the file covers.
    #[allow(dead_code)]
    about: String,
    scenarios: Vec<Scenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    name: String,
    /// statectl.toml text; the defaults when absent.
    #[serde(default)]
    thresholds: String,
    /// JSON Pointer → value, set (added or replaced) in the base.
    #[serde(default)]
    set: BTreeMap<String, serde_json::Value>,
    /// JSON Pointers removed from the base.
    #[serde(default)]
    remove: Vec<String>,
    /// Check id → the status it must give.
    expect: BTreeMap<String, Status>,
}

fn dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/scenarios"
    ))
}

/// The base with the scenario's edits, as the four areas' observations.
fn observations(base: &serde_json::Value, s: &Scenario) -> Observations {
    let mut v = base.clone();
    let mut ops = Vec::new();
    for (path, value) in &s.set {
        ops.push(serde_json::json!({"op": "add", "path": path, "value": value}));
    }
    for path in &s.remove {
        ops.push(serde_json::json!({"op": "remove", "path": path}));
    }
    let patch: json_patch::Patch = serde_json::from_value(serde_json::Value::Array(ops)).unwrap();
    json_patch::patch(&mut v, &patch).unwrap_or_else(|e| panic!("{}: {e}", s.name));
    let one = |k: &str| match &v[k] {
        serde_json::Value::Null => serde_json::json!([]),
        o => serde_json::json!([o]),
    };
    // `redis_all` (a scenario's whole deployment) replaces the one Redis observation
    let redis = match &v["redis_all"] {
        serde_json::Value::Array(a) => serde_json::json!(a),
        _ => one("redis"),
    };
    let obs = serde_json::json!({
        "redis": redis,
        "postgres": one("postgres"),
        "kernel": v["kernel"],
        "nic": one("nic"),
        "preflight": v["preflight"],
        "sentinel": v["sentinel"],
        "cluster": v["cluster"],
        "lb": v["lb"],
        "jwt": v["jwt"],
        "http": v["http"],
        "log": v["log"],
        "path": v["path"],
    });
    serde_json::from_value(obs).unwrap_or_else(|e| panic!("{}: not observations: {e}", s.name))
}

/// What running every scenario of every fixture file gave.
struct Outcome {
    /// Check id → the statuses its scenarios expect.
    seen: BTreeMap<String, BTreeSet<Status>>,
    /// Scenarios whose findings differ from what they expect.
    failures: Vec<String>,
    /// Fixture file stem → scenario name → the findings of the checks it names.
    golden: Vec<(String, BTreeMap<String, Vec<Finding>>)>,
}

/// The healthy base and every fixture file (by stem), in name order.
fn fixtures() -> (serde_json::Value, Vec<(String, File)>) {
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("base.json")).unwrap()).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json") && p.file_name().unwrap() != "base.json"
        })
        .collect();
    files.sort();
    let files = files
        .into_iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let file: File = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (stem, file)
        })
        .collect();
    (base, files)
}

/// The checks the scenarios judge: doctor's and preflight's.
fn judged() -> Vec<statectl::doctor::Check> {
    statectl::areas::matrix()
        .into_iter()
        .filter(|c| c.has(Tag::Doctor) || c.has(Tag::Preflight))
        .collect()
}

/// Runs every scenario of every fixture file.
fn run_all() -> Outcome {
    let checks = judged();
    let mut seen: BTreeMap<String, BTreeSet<Status>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut all_golden = Vec::new();
    let (base, files) = fixtures();
    for (stem, file) in files {
        let mut golden: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
        for s in &file.scenarios {
            let t = Thresholds::parse(&s.thresholds)
                .unwrap_or_else(|e| panic!("{}: thresholds: {e}", s.name));
            let findings = evaluate(&checks, &observations(&base, s), &t);
            let mut picked = Vec::new();
            for (id, want) in &s.expect {
                let Some(f) = findings.iter().find(|f| &f.id == id) else {
                    failures.push(format!("{stem}/{}: no finding {id}", s.name));
                    continue;
                };
                if f.status != *want {
                    failures.push(format!(
                        "{stem}/{}: {id} gave {} ({}), expected {want}",
                        s.name, f.status, f.summary
                    ));
                }
                seen.entry(id.clone()).or_default().insert(*want);
                picked.push(f.clone());
            }
            assert!(
                golden.insert(s.name.clone(), picked).is_none(),
                "{stem}: two scenarios named {}",
                s.name
            );
        }
        all_golden.push((stem, golden));
    }
    Outcome {
        seen,
        failures,
        golden: all_golden,
    }
}

#[test]
fn every_check_passes_and_fails_as_its_scenarios_say() {
    let Outcome {
        seen,
        failures,
        golden,
    } = run_all();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let mut missing = Vec::new();
    for c in statectl::areas::matrix() {
        let statuses = seen.get(c.id).cloned().unwrap_or_default();
        if !statuses.contains(&Status::Pass) {
            missing.push(format!("{}: no passing scenario", c.id));
        }
        if !statuses.iter().any(|s| *s != Status::Pass) {
            missing.push(format!("{}: no non-passing scenario", c.id));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    for (stem, findings) in golden {
        insta::with_settings!({snapshot_path => "../fixtures/scenarios/golden", prepend_module_to_snapshot => false}, {
            insta::assert_json_snapshot!(stem.as_str(), findings);
        });
    }
}

// issue 27, item 2: a verdict must not depend on the selection. Every check of every scenario is
// evaluated alone, inside its whole area, and inside the whole matrix, on the same observations;
// its findings (status, summary, evidence, remediation) must be the same each time.
#[test]
fn every_check_gives_one_verdict_alone_in_its_area_and_in_the_whole_matrix() {
    let checks = judged();
    let (base, files) = fixtures();
    let mut differ = Vec::new();
    let mut compared = 0;
    for (stem, file) in files {
        for s in &file.scenarios {
            let t = Thresholds::parse(&s.thresholds).unwrap();
            let obs = observations(&base, s);
            let own = |findings: &[Finding], id: &str| -> Vec<serde_json::Value> {
                findings
                    .iter()
                    .filter(|f| f.id == id)
                    .map(|f| serde_json::to_value(f).unwrap())
                    .collect()
            };
            let all = evaluate(&checks, &obs, &t);
            for c in &checks {
                let whole = own(&all, c.id);
                let alone = own(&evaluate(std::slice::from_ref(c), &obs, &t), c.id);
                let area: Vec<_> = checks
                    .iter()
                    .filter(|o| o.area == c.area)
                    .cloned()
                    .collect();
                let in_area = own(&evaluate(&area, &obs, &t), c.id);
                compared += whole.len();
                if alone != whole || in_area != whole {
                    differ.push(format!(
                        "{stem}/{}: {}\n  matrix: {whole:?}\n  alone:  {alone:?}\n  area:   {in_area:?}",
                        s.name, c.id
                    ));
                }
            }
        }
    }
    assert!(compared > 0, "no finding was compared");
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
