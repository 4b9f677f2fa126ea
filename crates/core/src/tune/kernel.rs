//! `tune kernel`: plan sysctl values (raise-only unless forced), and the persisted drop-in file.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::exit::UsageError;

/// Where the plan is persisted by default (under the root).
pub const DEFAULT_PERSIST: &str = "etc/sysctl.d/60-statectl.conf";

/// Keys that exist only in the initial network namespace: absent in a container or a child
/// namespace, they are not applicable rather than unknown.
pub const INIT_NETNS_ONLY: &[&str] = &[
    "net.core.netdev_max_backlog",
    "net.core.netdev_budget",
    "net.core.netdev_budget_usecs",
    "net.core.busy_poll",
    "net.core.busy_read",
    "net.core.dev_weight",
    "net.core.dev_weight_rx_bias",
    "net.core.dev_weight_tx_bias",
    "net.core.rps_sock_flow_entries",
    "net.core.flow_limit_table_len",
    "net.core.default_qdisc",
    "net.core.netdev_tstamp_prequeue",
    "net.core.max_skb_frags",
    "net.core.gro_normal_batch",
];

/// Keys the profile only ever raises.
const RAISE_ONLY: &[&str] = &["net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog"];

/// The `session-cache` profile.
pub fn profile(name: &str) -> Result<Vec<(String, String)>, UsageError> {
    match name {
        "session-cache" => Ok([
            ("net.core.somaxconn", "4096"),
            ("net.ipv4.tcp_max_syn_backlog", "8192"),
            ("net.ipv4.tcp_slow_start_after_idle", "0"),
            ("net.ipv4.tcp_syncookies", "1"),
            ("vm.overcommit_memory", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()),
        other => Err(UsageError(format!(
            "--profile {other}: unknown profile (known: session-cache)"
        ))),
    }
}

/// What applying an item means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Write the new value.
    Set,
    /// Already the desired value.
    Unchanged,
    /// The current value is higher and lowering needs --force.
    KeepHigher,
    /// The key does not exist in this namespace or container.
    NotApplicable,
}

/// One planned key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Dotted key.
    pub key: String,
    /// Value in force (None when the key does not exist here).
    pub before: Option<String>,
    /// Desired value.
    pub after: String,
    /// What applying means.
    pub action: Action,
}

/// Whitespace-normalised value (multi-value sysctls come tab-separated).
pub fn norm(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn numeric(v: &str) -> bool {
    let n = norm(v);
    !n.is_empty() && n.split(' ').all(|t| t.parse::<i64>().is_ok())
}

/// Plans `desired` against `current` (key → value; absent keys are missing here).
pub fn plan(
    current: &BTreeMap<String, String>,
    desired: &[(String, String)],
    force: bool,
) -> Result<Vec<Item>, UsageError> {
    let mut items: Vec<Item> = Vec::new();
    for (key, value) in desired {
        let after = norm(value);
        let Some(before) = current.get(key) else {
            if INIT_NETNS_ONLY.contains(&key.as_str()) {
                items.retain(|i| i.key != *key);
                items.push(Item {
                    key: key.clone(),
                    before: None,
                    after,
                    action: Action::NotApplicable,
                });
                continue;
            }
            return Err(UsageError(format!(
                "--set {key}: unknown sysctl key (no /proc/sys entry)"
            )));
        };
        if numeric(before) && !numeric(&after) {
            return Err(UsageError(format!(
                "--set {key}={value}: expected a number like the current {}",
                norm(before)
            )));
        }
        let action = if norm(before) == after {
            Action::Unchanged
        } else if !force
            && numeric(before)
            && before.trim().parse::<i64>().ok() > after.parse::<i64>().ok()
            && (RAISE_ONLY.contains(&key.as_str()) || after.parse::<i64>().is_ok())
        {
            Action::KeepHigher
        } else {
            Action::Set
        };
        items.retain(|i| i.key != *key);
        items.push(Item {
            key: key.clone(),
            before: Some(norm(before)),
            after,
            action,
        });
    }
    Ok(items)
}

/// The persisted drop-in after the plan: existing lines kept, planned keys updated in place or
/// appended. Keys that stay higher or do not apply are not persisted.
pub fn persisted(old: &str, items: &[Item]) -> String {
    let kept: Vec<&Item> = items
        .iter()
        .filter(|i| matches!(i.action, Action::Set | Action::Unchanged))
        .collect();
    // nothing to persist: no new file, and an existing one stays as it is
    if kept.is_empty() {
        return old.to_string();
    }
    let mut lines: Vec<String> = old.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push("# Managed by statectl tune kernel".into());
    }
    for i in kept {
        let line = format!("{} = {}", i.key, i.after);
        match lines
            .iter()
            .position(|l| parse_line(l).is_some_and(|(k, _)| k == i.key))
        {
            Some(at) => lines[at] = line,
            None => lines.push(line),
        }
    }
    lines.join("\n") + "\n"
}

/// `key = value` of a sysctl.conf line; None for comments and blanks.
pub fn parse_line(line: &str) -> Option<(String, String)> {
    let l = line.trim();
    if l.is_empty() || l.starts_with('#') || l.starts_with(';') {
        return None;
    }
    let (k, v) = l.trim_start_matches('-').split_once('=')?;
    Some((k.trim().replace('/', "."), norm(v)))
}

/// Warnings for files `sysctl --system` reads after ours (name order, /etc/sysctl.conf last)
/// that set a planned key to another value: those win at boot. `later` is (file, its keys in
/// order), as the probe found them.
pub fn overrides(items: &[Item], later: &[(String, Vec<(String, String)>)]) -> Vec<String> {
    let mut out = Vec::new();
    for (file, keys) in later {
        let kept = items
            .iter()
            .filter(|i| matches!(i.action, Action::Set | Action::Unchanged));
        for i in kept {
            if let Some((_, v)) = keys.iter().rev().find(|(k, _)| *k == i.key) {
                if *v != i.after {
                    out.push(format!(
                        "{file} sets {} = {v}, which overrides {} at boot",
                        i.key, i.after
                    ));
                }
            }
        }
    }
    out
}

/// What `tune kernel` did, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct Report {
    /// False for a dry run.
    pub applied: bool,
    /// `--host-root`, when given: every file and live value was read and written below it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_root: Option<String>,
    /// Whether this run changed a live value or the persisted file.
    pub changed: bool,
    /// Every planned key.
    pub items: Vec<Item>,
    /// The drop-in file the plan persists to.
    pub persist: String,
    /// Unified diff of that file; empty when it already holds the plan.
    pub diff: String,
    /// Later files that override a planned value at boot.
    pub warnings: Vec<String>,
    /// Set when applying stopped at an item: what failed and why. Items set before it were
    /// put back (`rolled_back`) and nothing was persisted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    /// Keys set by this run, then put back to their value before it after a later key failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rolled_back: Vec<String>,
    /// Keys this run set and could not put back: they hold the new value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_applied: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn raises_never_lowers_without_force() {
        let c = cur(&[
            ("net.core.somaxconn", "65535"),
            ("net.ipv4.tcp_max_syn_backlog", "128"),
            ("net.ipv4.tcp_slow_start_after_idle", "1"),
            ("net.ipv4.tcp_syncookies", "1"),
            ("vm.overcommit_memory", "0"),
        ]);
        let items = plan(&c, &profile("session-cache").unwrap(), false).unwrap();
        let a = |k: &str| items.iter().find(|i| i.key == k).unwrap().action;
        assert_eq!(a("net.core.somaxconn"), Action::KeepHigher);
        assert_eq!(a("net.ipv4.tcp_max_syn_backlog"), Action::Set);
        assert_eq!(a("net.ipv4.tcp_syncookies"), Action::Unchanged);
        assert_eq!(a("vm.overcommit_memory"), Action::Set);
        let forced = plan(&c, &profile("session-cache").unwrap(), true).unwrap();
        assert_eq!(forced[0].action, Action::Set);
    }

    #[test]
    fn missing_keys_and_bad_values() {
        let c = cur(&[
            ("net.ipv4.ip_local_port_range", "32768\t60999"),
            ("net.ipv4.tcp_congestion_control", "cubic"),
        ]);
        let d = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(
            plan(&c, &d("net.core.netdev_max_backlog", "5000"), false).unwrap()[0].action,
            Action::NotApplicable
        );
        assert!(plan(&c, &d("net.core.bogus_key", "1"), false)
            .unwrap_err()
            .0
            .contains("unknown sysctl key"));
        assert!(plan(&c, &d("net.ipv4.ip_local_port_range", "lots"), false)
            .unwrap_err()
            .0
            .contains("expected a number"));
        assert_eq!(
            plan(&c, &d("net.ipv4.ip_local_port_range", "32768 60999"), false).unwrap()[0].action,
            Action::Unchanged,
            "tabs and spaces compare equal"
        );
        assert_eq!(
            plan(&c, &d("net.ipv4.tcp_congestion_control", "bbr"), false).unwrap()[0].action,
            Action::Set,
            "string sysctls take strings"
        );
    }

    #[test]
    fn persisted_file_updates_in_place_and_is_stable() {
        let items = vec![
            Item {
                key: "net.core.somaxconn".into(),
                before: Some("128".into()),
                after: "4096".into(),
                action: Action::Set,
            },
            Item {
                key: "vm.swappiness".into(),
                before: Some("60".into()),
                after: "10".into(),
                action: Action::Set,
            },
            Item {
                key: "net.core.busy_poll".into(),
                before: None,
                after: "50".into(),
                action: Action::NotApplicable,
            },
        ];
        let old = "# mine\nnet.core.somaxconn = 1024\nkernel.pid_max = 4194304\n";
        let new = persisted(old, &items);
        assert_eq!(
            new,
            "# mine\nnet.core.somaxconn = 4096\nkernel.pid_max = 4194304\nvm.swappiness = 10\n"
        );
        assert_eq!(persisted(&new, &items), new);
        assert!(persisted("", &items).starts_with("# Managed by statectl"));
        assert_eq!(
            parse_line(" net/core/somaxconn=10 "),
            Some(("net.core.somaxconn".into(), "10".into()))
        );
    }

    #[test]
    fn later_files_that_set_a_planned_key_differently_warn() {
        let item = |key: &str, after: &str, action| Item {
            key: key.into(),
            before: Some("1".into()),
            after: after.into(),
            action,
        };
        let items = vec![
            item("net.core.somaxconn", "4096", Action::Set),
            item("net.ipv4.tcp_syncookies", "1", Action::Unchanged),
            item("net.ipv4.tcp_max_syn_backlog", "8192", Action::KeepHigher),
        ];
        let later = vec![
            (
                "/etc/sysctl.d/99-local.conf".to_string(),
                vec![
                    ("net.core.somaxconn".to_string(), "128".to_string()),
                    ("net.core.somaxconn".to_string(), "256".to_string()),
                    ("net.ipv4.tcp_max_syn_backlog".to_string(), "1".to_string()),
                ],
            ),
            (
                "/etc/sysctl.conf".to_string(),
                vec![("net.ipv4.tcp_syncookies".to_string(), "1".to_string())],
            ),
        ];
        let w = overrides(&items, &later);
        // the last line of a file wins; a kept-higher key is not ours to warn about; an equal
        // value is no override
        assert_eq!(
            w,
            vec!["/etc/sysctl.d/99-local.conf sets net.core.somaxconn = 256, which overrides 4096 at boot".to_string()]
        );
    }

    // issue 12, defect 16: a keep-only plan wrote an empty managed file and said "persisted"
    #[test]
    fn a_plan_with_nothing_to_persist_leaves_the_file_alone() {
        let keep = vec![Item {
            key: "net.core.somaxconn".into(),
            before: Some("65535".into()),
            after: "4096".into(),
            action: Action::KeepHigher,
        }];
        assert_eq!(persisted("", &keep), "");
        let old = "# Managed by statectl tune kernel\nvm.overcommit_memory = 1\n";
        assert_eq!(persisted(old, &keep), old);
    }
}
