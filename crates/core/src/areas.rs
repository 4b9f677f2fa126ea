//! The registry of areas: for each, the checks it owns and their evaluation (`doctor/`), the
//! other areas whose observations its checks read, and how the orchestration treats it.
//! `doctor` and `preflight` ask this list which probes the selected checks need and run those
//! (the probe of each area is `statectl::probe::of`, an exhaustive match). A new area is its
//! observation and check modules here, a line in `observe`'s `areas!` table, an entry in this
//! list, and in the `statectl` crate its probe, its arm in `probe::of` and its targets
//! (ARCHITECTURE.md, "Adding an area").
//!
//! A check sees only its own subject and the areas it declares reading here ([`evaluate`]), so
//! its verdict cannot depend on which other checks `--only` selected.

use crate::config::Thresholds;
use crate::doctor::{self, Area, Check};
use crate::model::Finding;
use crate::observe::Observations;

/// Another area's observation that some checks of an area read.
pub struct Read {
    /// The area read.
    pub area: Area,
    /// The checks that read it, as id globs.
    pub by: &'static [&'static str],
    /// Whether they need its full observation (CONFIG, the process on this host …); taken
    /// without a sample window when no check of that area is selected itself.
    pub full: bool,
}

impl Read {
    /// Whether `check` is one of its readers.
    pub fn read_by(&self, check: &Check) -> bool {
        self.by
            .iter()
            .any(|p| glob::Pattern::new(p).is_ok_and(|p| p.matches(check.id)))
    }
}

/// A kind of target the user names (flags, environment, defaults), shared by the areas that read
/// it: the Redis URLs serve the redis, sentinel, cluster, log and path areas alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inputs {
    /// `--redis` URLs (Sentinel URLs among them), or the local default.
    RedisServers,
    /// `--postgres` connection strings, or libpq's defaults.
    PostgresServers,
    /// The API edge: `--lb-url`, `--jwks`, `--api` and their files.
    Edge,
    /// `--iface`, or the default route's interfaces.
    Interfaces,
    /// `--redis-log`, `--postgres-log`, `--syslog` and `--since`.
    LogFiles,
}

/// The inputs the entries `areas` read.
pub fn inputs(areas: &[&AreaEntry]) -> Vec<Inputs> {
    let mut out: Vec<Inputs> = Vec::new();
    for i in areas.iter().flat_map(|a| a.inputs.iter()) {
        if !out.contains(i) {
            out.push(*i);
        }
    }
    out
}

/// One area of the stack.
pub struct AreaEntry {
    /// Which area.
    pub area: Area,
    /// The checks it owns, in report order.
    pub checks: &'static [Check],
    /// What the user names for it: the kinds of target its probe reads (resolved once for
    /// every area that needs them, so an area of an existing kind adds nothing to targets).
    pub inputs: &'static [Inputs],
    /// Other areas' observations its checks read (the host's RAM and kernel settings for
    /// Redis); their probes run whenever a reader is selected.
    pub reads: &'static [Read],
    /// Its checks ask a running server (`preflight` leaves them out unless a server is named,
    /// so a fresh node needs none running).
    pub asks_a_server: bool,
    /// Its targets may be Sentinel deployments or Cluster seeds, expanded into their nodes
    /// before the probes run.
    pub discovers_nodes: bool,
    /// Applies its checks to its observations.
    pub evaluate: doctor::Evaluator,
}

/// Every area, in the order reports list them.
pub static AREAS: &[AreaEntry] = &[
    AreaEntry {
        area: Area::Redis,
        inputs: &[Inputs::RedisServers],
        checks: doctor::redis::CHECKS,
        reads: &[Read {
            area: Area::Kernel,
            by: &["redis.maxmemory", "redis.tcp_backlog", "redis.host"],
            full: false,
        }],
        asks_a_server: true,
        evaluate: doctor::redis::evaluate,
        discovers_nodes: true,
    },
    AreaEntry {
        area: Area::Postgres,
        inputs: &[Inputs::PostgresServers],
        checks: doctor::postgres::CHECKS,
        reads: &[],
        asks_a_server: true,
        evaluate: doctor::postgres::evaluate,
        discovers_nodes: false,
    },
    AreaEntry {
        area: Area::Kernel,
        inputs: &[],
        checks: doctor::kernel::CHECKS,
        // the local Redis servers' tcp-backlog, from CONFIG
        reads: &[Read {
            area: Area::Redis,
            by: &["kernel.somaxconn"],
            full: true,
        }],
        asks_a_server: false,
        evaluate: doctor::kernel::evaluate,
        discovers_nodes: false,
    },
    AreaEntry {
        area: Area::Nic,
        inputs: &[Inputs::Interfaces],
        checks: doctor::nic::CHECKS,
        reads: &[],
        asks_a_server: false,
        evaluate: doctor::nic::evaluate,
        discovers_nodes: false,
    },
    AreaEntry {
        area: Area::Sentinel,
        inputs: &[Inputs::RedisServers],
        checks: doctor::sentinel::CHECKS,
        reads: &[],
        asks_a_server: false,
        evaluate: doctor::sentinel::evaluate,
        discovers_nodes: true,
    },
    AreaEntry {
        area: Area::Cluster,
        inputs: &[Inputs::RedisServers],
        checks: doctor::cluster::CHECKS,
        // a cluster is found from Redis targets: the Redis probe tells which cannot be reached
        reads: &[Read {
            area: Area::Redis,
            by: &["cluster.*"],
            full: false,
        }],
        asks_a_server: false,
        evaluate: doctor::cluster::evaluate,
        discovers_nodes: true,
    },
    AreaEntry {
        area: Area::Lb,
        inputs: &[Inputs::Edge],
        checks: doctor::lb::CHECKS,
        reads: &[],
        asks_a_server: false,
        evaluate: doctor::lb::evaluate,
        discovers_nodes: false,
    },
    AreaEntry {
        area: Area::Jwt,
        inputs: &[Inputs::Edge],
        checks: doctor::jwt::CHECKS,
        reads: &[],
        asks_a_server: false,
        evaluate: doctor::jwt::evaluate,
        discovers_nodes: false,
    },
    AreaEntry {
        area: Area::Http,
        inputs: &[Inputs::Edge],
        checks: doctor::http::CHECKS,
        reads: &[],
        asks_a_server: false,
        evaluate: doctor::http::evaluate,
        discovers_nodes: false,
    },
    AreaEntry {
        area: Area::Log,
        inputs: &[
            Inputs::RedisServers,
            Inputs::PostgresServers,
            Inputs::LogFiles,
        ],
        checks: doctor::log::CHECKS,
        reads: &[],
        asks_a_server: false,
        evaluate: doctor::log::evaluate,
        discovers_nodes: false,
    },
    AreaEntry {
        area: Area::Path,
        inputs: &[Inputs::RedisServers, Inputs::PostgresServers],
        checks: doctor::path::CHECKS,
        reads: &[],
        asks_a_server: false,
        evaluate: doctor::path::evaluate,
        discovers_nodes: false,
    },
    AreaEntry {
        area: Area::Preflight,
        inputs: &[],
        checks: doctor::preflight::CHECKS,
        reads: &[],
        asks_a_server: false,
        evaluate: doctor::preflight::evaluate,
        discovers_nodes: false,
    },
];

/// The entry of `area`.
pub fn entry(area: Area) -> &'static AreaEntry {
    AREAS
        .iter()
        .find(|e| e.area == area)
        .expect("every area has an entry (areas::tests)")
}

/// Every check of every area, in report order.
pub fn matrix() -> Vec<Check> {
    AREAS
        .iter()
        .flat_map(|a| a.checks.iter().copied())
        .collect()
}

/// The reads of the selected checks.
fn reads(checks: &[Check]) -> impl Iterator<Item = &'static Read> + '_ {
    AREAS
        .iter()
        .flat_map(|a| a.reads.iter())
        .filter(|r| checks.iter().any(|c| r.read_by(c)))
}

/// The areas `check` reads besides its own.
pub fn reads_of(check: &Check) -> Vec<Area> {
    AREAS
        .iter()
        .filter(|a| a.area == check.area)
        .flat_map(|a| a.reads.iter())
        .filter(|r| r.read_by(check))
        .map(|r| r.area)
        .collect()
}

/// The areas whose probes must run for `checks`: the areas of the checks, plus what they read.
pub fn needed(checks: &[Check]) -> Vec<&'static AreaEntry> {
    AREAS
        .iter()
        .filter(|a| doctor::needs(checks, a.area) || reads(checks).any(|r| r.area == a.area))
        .collect()
}

/// The areas of `areas` whose probes must be full: a selected check of theirs is, or a selected
/// check reads their full observation.
pub fn full(checks: &[Check], areas: &[&'static AreaEntry]) -> Vec<Area> {
    areas
        .iter()
        .map(|e| e.area)
        .filter(|a| doctor::needs_full(checks, *a) || reads(checks).any(|r| r.area == *a && r.full))
        .collect()
}

/// Applies the selected checks to the observations; each check sees only its own subject and
/// the areas it declares reading.
pub fn evaluate(checks: &[Check], obs: &Observations, thresholds: &Thresholds) -> Vec<Finding> {
    let evaluators: Vec<doctor::Evaluator> = AREAS.iter().map(|a| a.evaluate).collect();
    doctor::evaluate(checks, obs, thresholds, reads_of, &evaluators)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::doctor::{select, Tag};
    use crate::observe::{ProbeError, RedisObservation};
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_dotted_documented_and_owned_by_their_area() {
        let mut seen = HashSet::new();
        for a in AREAS {
            for c in a.checks {
                assert!(seen.insert(c.id), "duplicate id {}", c.id);
                assert_eq!(c.area, a.area, "{} is listed under {:?}", c.id, a.area);
                assert!(
                    c.id.starts_with(c.area.as_str()) && c.id.contains('.'),
                    "{}",
                    c.id
                );
                assert!(!c.doc.is_empty() && !c.doc.contains('\n'), "{}", c.id);
                assert!(!c.tags.is_empty(), "{}", c.id);
            }
        }
    }

    #[test]
    fn every_area_has_one_entry_and_the_orchestration_reads_its_properties() {
        // every area of the table has one entry, and it owns checks
        for a in Area::ALL {
            assert_eq!(AREAS.iter().filter(|e| e.area == *a).count(), 1, "{a:?}");
            assert!(!entry(*a).checks.is_empty(), "{a:?}");
        }
        assert_eq!(AREAS.len(), Area::ALL.len());
        // preflight leaves out what asks a server; discovery runs for what may hold topologies
        let servers: Vec<Area> = AREAS
            .iter()
            .filter(|e| e.asks_a_server)
            .map(|e| e.area)
            .collect();
        assert_eq!(servers, vec![Area::Redis, Area::Postgres]);
        let discover: Vec<Area> = AREAS
            .iter()
            .filter(|e| e.discovers_nodes)
            .map(|e| e.area)
            .collect();
        assert_eq!(discover, vec![Area::Redis, Area::Sentinel, Area::Cluster]);
    }

    #[test]
    fn only_and_skip_take_globs_and_reject_unknown_ids() {
        let all = matrix();
        let ids = |v: Vec<Check>| v.iter().map(|c| c.id).collect::<Vec<_>>();
        let redis = ids(select(&all, Tag::Doctor, &["redis.*".into()], &[]).unwrap());
        assert!(redis.contains(&"redis.reachable"));
        assert!(redis.iter().all(|i| i.starts_with("redis.")));
        let no_kernel = ids(select(&all, Tag::Doctor, &[], &["kernel.*".into()]).unwrap());
        assert!(!no_kernel.iter().any(|i| i.starts_with("kernel.")));
        let e = select(&all, Tag::Doctor, &["redis.nosuch".into()], &[]).unwrap_err();
        assert!(
            e.0.contains("redis.nosuch") && e.0.contains("--only"),
            "{}",
            e.0
        );
        assert!(select(&all, Tag::Doctor, &[], &["[".into()]).is_err());
    }

    #[test]
    fn needed_areas_follow_the_selected_checks_and_what_they_read() {
        let all = matrix();
        let areas = |only: &str| {
            let checks = select(&all, Tag::Doctor, &[only.to_string()], &[]).unwrap();
            needed(&checks).iter().map(|a| a.area).collect::<Vec<_>>()
        };
        // the full Redis checks read the host's facts from the kernel area
        assert_eq!(areas("redis.*"), vec![Area::Redis, Area::Kernel]);
        // reachability alone needs no host facts
        assert_eq!(areas("redis.reachable"), vec![Area::Redis]);
        assert_eq!(areas("postgres.*"), vec![Area::Postgres]);
        assert_eq!(areas("kernel.version"), vec![Area::Kernel]);
        // the local Redis servers' tcp-backlog, whatever else is selected
        assert_eq!(areas("kernel.somaxconn"), vec![Area::Redis, Area::Kernel]);
        // a cluster's seeds are reached by the Redis probe
        assert_eq!(areas("cluster.slots"), vec![Area::Redis, Area::Cluster]);
        assert_eq!(areas("nic.*"), vec![Area::Nic]);
    }

    // issue 27 #1: targets are resolved for the kinds of input the selected areas declare, so
    // the resolution names no area
    #[test]
    fn the_inputs_resolved_are_those_the_selected_areas_declare() {
        let all = matrix();
        let inputs_for = |only: &str| {
            let checks = select(&all, Tag::Doctor, &[only.to_string()], &[]).unwrap();
            inputs(&needed(&checks))
        };
        assert_eq!(inputs_for("redis.*"), vec![Inputs::RedisServers]);
        assert_eq!(inputs_for("kernel.version"), Vec::<Inputs>::new());
        assert_eq!(inputs_for("lb.*"), vec![Inputs::Edge]);
        assert_eq!(
            inputs_for("log.*"),
            vec![
                Inputs::RedisServers,
                Inputs::PostgresServers,
                Inputs::LogFiles
            ]
        );
        // kernel.somaxconn reads the Redis servers' tcp-backlog: their URLs are resolved too
        assert_eq!(inputs_for("kernel.somaxconn"), vec![Inputs::RedisServers]);
        // an area that asks a server names one
        for e in AREAS.iter().filter(|e| e.asks_a_server) {
            assert!(!e.inputs.is_empty(), "{:?}", e.area);
        }
    }

    #[test]
    fn every_read_names_checks_of_its_own_area_and_another_area() {
        for a in AREAS {
            for r in a.reads {
                assert_ne!(r.area, a.area);
                for p in r.by {
                    assert!(
                        a.checks
                            .iter()
                            .any(|c| glob::Pattern::new(p).unwrap().matches(c.id)),
                        "{p} names no check of {:?}",
                        a.area
                    );
                }
            }
        }
    }

    // issue 26 #36: a check sees only the areas it declares reading
    #[test]
    fn a_check_sees_only_the_observations_it_declares() {
        let mut snap = crate::doctor::redis::tests::snapshot(&[]);
        snap.config
            .as_mut()
            .unwrap()
            .insert("tcp-backlog".into(), "65535".into());
        let mut kernel = crate::doctor::kernel::tests::obs();
        kernel
            .sysctls
            .insert("net.core.somaxconn".into(), "8192".into());
        let obs = Observations {
            redis: vec![RedisObservation {
                target: "redis://127.0.0.1:6379".into(),
                addr: "127.0.0.1:6379".into(),
                result: Ok(snap),
                tls: None,
                exposure: None,
                service: None,
                member: None,
            }],
            kernel: Some(kernel),
            ..Default::default()
        };
        let checks = select(&matrix(), Tag::Doctor, &["kernel.somaxconn".into()], &[]).unwrap();
        let t = Thresholds::default();
        let declared = evaluate(&checks, &obs, &t);
        assert_eq!(
            declared[0].status,
            crate::model::Status::Warn,
            "{declared:?}"
        );
        // the same check, had it declared nothing, would not see the Redis server
        let all: Vec<doctor::Evaluator> = AREAS.iter().map(|a| a.evaluate).collect();
        let undeclared = crate::doctor::evaluate(&checks, &obs, &t, |_| Vec::new(), &all);
        assert_eq!(undeclared[0].status, crate::model::Status::Pass);
    }

    #[test]
    fn an_unreachable_target_gives_one_failure_and_skips_not_errors() {
        let obs = Observations {
            redis: vec![RedisObservation {
                target: "redis://h:1".into(),
                addr: "h:1".into(),
                result: Err(ProbeError::Refused { addr: "h:1".into() }),
                tls: None,
                exposure: None,
                service: None,
                member: None,
            }],
            ..Default::default()
        };
        let checks = select(&matrix(), Tag::Doctor, &["redis.*".into()], &[]).unwrap();
        let f = evaluate(&checks, &obs, &Thresholds::default());
        assert_eq!(f.len(), checks.len());
        let fails: Vec<_> = f
            .iter()
            .filter(|f| f.status == crate::model::Status::Fail)
            .collect();
        assert_eq!(fails.len(), 1);
        assert_eq!(fails[0].id, "redis.reachable");
        assert!(f
            .iter()
            // the TLS look is its own probe: without one it skips for that reason
            .filter(|f| ![
                "redis.reachable",
                "redis.tls",
                "redis.exposure",
                "redis.split_brain"
            ]
            .contains(&f.id.as_str()))
            .all(|f| f.status == crate::model::Status::Skip && f.summary.contains("unreachable")));
    }

    #[test]
    fn docs_take_every_threshold_from_thresholds() {
        let t = Thresholds::default();
        // every default threshold value, as a doc would print it
        let json = serde_json::to_value(&t).unwrap();
        let mut values = Vec::new();
        for (section, keys) in json.as_object().unwrap() {
            for key in keys.as_object().unwrap().keys() {
                values.push(t.shown(&format!("{section}.{key}"), "").unwrap());
            }
        }
        assert!(values.contains(&"5".to_string()) && values.contains(&"0.8".to_string()));
        for c in matrix() {
            let filled = t.fill(c.doc);
            assert!(
                !filled.contains('{'),
                "{}: unresolved placeholder in {filled}",
                c.id
            );
            // the doc's own text (placeholders removed) names no threshold value
            let mut raw = String::new();
            let mut depth = 0;
            for ch in c.doc.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ if depth == 0 => raw.push(ch),
                    _ => {}
                }
            }
            // digits inside a name (x5c, X25519, secp256k1) are no threshold
            for word in raw.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.')) {
                let word = word.trim_matches('.');
                if word.chars().any(|ch| ch.is_ascii_alphabetic()) {
                    continue;
                }
                assert!(
                    word.is_empty() || !values.iter().any(|v| v == word),
                    "{}: the doc hard-codes {word}; use a {{section.key}} placeholder",
                    c.id
                );
            }
        }
        // and a changed threshold reaches the doc
        let custom = Thresholds::parse("[redis]\nclients_warn_ratio = 0.61\n").unwrap();
        let doc = matrix()
            .iter()
            .find(|c| c.id == "redis.maxclients")
            .unwrap()
            .doc;
        assert!(custom.fill(doc).contains("above 0.61 warns"));
    }
}
