//! `tune postgres`: plan settings against pg_settings, normalising units, and mark each change as
//! reload or restart from pg_settings.context.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::exit::UsageError;
use crate::observe::postgres::Setting;

/// What applying an item means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Already the desired value.
    Unchanged,
    /// ALTER SYSTEM, then pg_reload_conf() applies it.
    Reload,
    /// ALTER SYSTEM, then a server restart applies it.
    Restart,
    /// Already written with ALTER SYSTEM; waits for a restart.
    PendingRestart,
}

/// One planned setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Parameter name.
    pub name: String,
    /// The value in force now, with its unit (a secret's shown as `***`, see [`shown_value`]).
    pub before: String,
    /// The value asked for, as given (a secret's shown as `***`; -1 with what it means).
    pub after: String,
    /// The value asked for, what ALTER SYSTEM sets: never printed.
    #[serde(skip)]
    pub value: String,
    /// The value asked for as statements show it: `value`, a secret's masked.
    #[serde(skip)]
    pub value_shown: String,
    /// pg_settings.context.
    pub context: String,
    /// What applying it means.
    pub action: Action,
}

impl Item {
    /// Whether applying needs an ALTER SYSTEM.
    pub fn changes(&self) -> bool {
        matches!(self.action, Action::Reload | Action::Restart)
    }

    /// `text` with this item's secret value masked: for the server's messages about it.
    pub fn masked(&self, text: &str) -> String {
        if self.value.is_empty() || self.value_shown == self.value {
            text.to_string()
        } else {
            text.replace(&self.value, crate::redact::MASK)
        }
    }
}

/// Settings whose values hold secrets whatever the server says: a passphrase command may carry
/// the passphrase, a conninfo the replication password.
const SECRET_SETTINGS: &[&str] = &["ssl_passphrase_command", "primary_conninfo"];

/// PostgreSQL's superuser-only settings (GUC_SUPERUSER_ONLY in 15 to 18) whose values are file
/// names, library lists or TLS choices, never secrets. Any other superuser-only setting (an
/// extension's key or password) is shown as `***`.
const PLAIN_SUPERUSER_ONLY: &[&str] = &[
    "config_file",
    "data_directory",
    "dynamic_library_path",
    "extension_destdir",
    "external_pid_file",
    "hba_file",
    "ident_file",
    "jit_provider",
    "krb_server_keyfile",
    "log_directory",
    "log_filename",
    "session_preload_libraries",
    "shared_preload_libraries",
    "ssl_ciphers",
    "ssl_dh_params_file",
    "ssl_ecdh_curve",
    "ssl_max_protocol_version",
    "ssl_min_protocol_version",
    "ssl_tls13_ciphers",
    "ssl_groups",
    "unix_socket_directories",
];

/// A setting's value fit to print: PostgreSQL hides superuser-only settings from other roles
/// because some hold secrets; those (`superuser_only`, as the server reports them) and
/// [`SECRET_SETTINGS`] are `***`, except a conninfo, whose password alone is masked, and the
/// superuser-only settings known to hold none.
pub fn shown_value(
    name: &str,
    value: &str,
    superuser_only: &std::collections::BTreeSet<String>,
) -> String {
    if name == "primary_conninfo" {
        return crate::redact::redact_conn(value);
    }
    let secret = SECRET_SETTINGS.contains(&name)
        || (superuser_only.contains(name) && !PLAIN_SUPERUSER_ONLY.contains(&name));
    if secret && !value.is_empty() {
        crate::redact::MASK.to_string()
    } else {
        value.to_string()
    }
}

/// What -1 means for the parameters that take it (PostgreSQL 15 to 18, guc_tables.c and the
/// documentation of each): -1 is no quantity, so it is never shown with the unit.
const MINUS_ONE: &[(&str, &str)] = &[
    ("autovacuum_vacuum_cost_delay", "uses vacuum_cost_delay"),
    ("autovacuum_vacuum_cost_limit", "uses vacuum_cost_limit"),
    ("autovacuum_work_mem", "uses maintenance_work_mem"),
    ("log_autovacuum_min_duration", "disabled"),
    ("log_min_duration_sample", "disabled"),
    ("log_min_duration_statement", "disabled"),
    ("log_parameter_max_length", "unlimited"),
    ("log_parameter_max_length_on_error", "unlimited"),
    ("log_temp_files", "disabled"),
    ("max_slot_wal_keep_size", "unlimited"),
    ("max_standby_archive_delay", "unlimited"),
    ("max_standby_streaming_delay", "unlimited"),
    ("old_snapshot_threshold", "disabled"),
    ("temp_file_limit", "unlimited"),
    ("wal_buffers", "automatic, from shared_buffers"),
];

/// A value of `name` as plans show it: with its unit (`10240MB`, `2 × 8kB`), except -1, which is
/// shown with what it means (`-1 (unlimited)`, `-1 (disabled)`), or bare for a parameter not
/// listed in [`MINUS_ONE`].
fn with_unit(name: &str, value: &str, unit: &str) -> String {
    if value.trim() == "-1" {
        return match MINUS_ONE.iter().find(|(n, _)| *n == name) {
            Some((_, means)) => format!("-1 ({means})"),
            None => "-1".into(),
        };
    }
    match unit {
        "" => value.to_string(),
        u if u.starts_with(|c: char| c.is_ascii_digit()) => format!("{value} × {u}"),
        u => format!("{value}{u}"),
    }
}

/// Desired settings of a named profile, given the settings in force (for "only raise" values).
pub fn profile(
    name: &str,
    current: &BTreeMap<String, Setting>,
) -> Result<Vec<(String, String)>, UsageError> {
    match name {
        "state-store" => {
            // Logical replication of permanent state: enough slots and senders for the
            // subscribers and replicas (never lowered), and a cap on WAL an abandoned slot pins.
            let at_least = |k: &str, n: i64| {
                let have: i64 = current
                    .get(k)
                    .and_then(|s| s.setting.parse().ok())
                    .unwrap_or(0);
                (k.to_string(), have.max(n).to_string())
            };
            Ok(vec![
                ("wal_level".into(), "logical".into()),
                at_least("max_replication_slots", 10),
                at_least("max_wal_senders", 10),
                ("max_slot_wal_keep_size".into(), "10GB".into()),
            ])
        }
        other => Err(UsageError(format!(
            "--profile {other}: unknown profile (known: state-store)"
        ))),
    }
}

fn unit_bytes(unit: &str) -> Option<f64> {
    let (num, suffix) = unit.split_at(
        unit.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(unit.len()),
    );
    let n: f64 = if num.is_empty() {
        1.0
    } else {
        num.parse().ok()?
    };
    let m = match suffix {
        "B" => 1.0,
        "kB" => 1024.0,
        "MB" => 1024.0 * 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        "TB" => 1024.0f64.powi(4),
        _ => return None,
    };
    Some(n * m)
}

fn unit_millis(unit: &str) -> Option<f64> {
    Some(match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    })
}

/// Normalises `value` into `unit` (pg_settings' unit for the parameter) so `10GB` and `10240`
/// (MB) compare equal; booleans and enums compare case-insensitively.
pub fn normalize(value: &str, unit: &str) -> Result<String, String> {
    let v = value.trim().trim_matches('\'');
    if unit.is_empty() {
        let l = v.to_ascii_lowercase();
        return Ok(match l.as_str() {
            "on" | "true" | "yes" | "1" => "on".into(),
            "off" | "false" | "no" | "0" => "off".into(),
            _ => l,
        });
    }
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(v.len());
    let (num, suffix) = (&v[..split], v[split..].trim());
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{value:?} is not a number with a unit"))?;
    if n < 0.0 {
        return Ok(format!("{}", n as i64));
    }
    let scaled = if suffix.is_empty() {
        n
    } else if let (Some(have), Some(base)) = (unit_bytes(suffix), unit_bytes(unit)) {
        n * have / base
    } else if let (Some(have), Some(base)) = (unit_millis(suffix), unit_millis(unit)) {
        n * have / base
    } else {
        return Err(format!(
            "{value:?}: unit {suffix:?} does not fit a parameter measured in {unit}"
        ));
    };
    Ok(format!("{}", scaled.round() as i64))
}

/// Plans `desired` against the settings in force and the values ALTER SYSTEM already wrote
/// (`pending`, from pg_file_settings, waiting for a restart).
pub fn plan(
    current: &BTreeMap<String, Setting>,
    pending: &BTreeMap<String, String>,
    desired: &[(String, String)],
    superuser_only: &std::collections::BTreeSet<String>,
) -> Result<Vec<Item>, UsageError> {
    let mut items: Vec<Item> = Vec::new();
    for (name, value) in desired {
        let Some(cur) = current.get(name) else {
            return Err(UsageError(format!(
                "--set {name}: no such parameter in pg_settings"
            )));
        };
        if cur.context == "internal" {
            return Err(UsageError(format!(
                "--set {name}: a read-only (internal) parameter"
            )));
        }
        let shown = |v: &str| shown_value(name, v, superuser_only);
        let want = normalize(value, &cur.unit).map_err(|e| {
            let e = if shown(value) == *value {
                e
            } else {
                "not a value for this parameter".into()
            };
            UsageError(format!("--set {name}={}: {e}", shown(value)))
        })?;
        let now = normalize(&cur.setting, &cur.unit).unwrap_or_else(|_| cur.setting.clone());
        let written = pending
            .get(name)
            .map(|p| normalize(p, &cur.unit).unwrap_or_else(|_| p.clone()));
        let action = match written {
            Some(w) if w != now && w == want => Action::PendingRestart,
            Some(w) if w != now => change(cur),
            _ if want == now => Action::Unchanged,
            _ => change(cur),
        };
        let item = Item {
            name: name.clone(),
            before: match cur.unit.as_str() {
                "" if shown(&cur.setting) != cur.setting => shown(&cur.setting),
                u => with_unit(name, &cur.setting, u),
            },
            // as asked, but -1 (in any unit) says what it means
            after: match shown(value) {
                v if v == *value && want == "-1" => with_unit(name, &want, &cur.unit),
                v => v,
            },
            value: value.clone(),
            value_shown: shown(value),
            context: cur.context.clone(),
            action,
        };
        // A later --set replaces a profile value of the same name.
        items.retain(|i| i.name != *name);
        items.push(item);
    }
    Ok(items)
}

fn change(s: &Setting) -> Action {
    if s.context == "postmaster" {
        Action::Restart
    } else {
        Action::Reload
    }
}

/// The ALTER SYSTEM statement for an item, with the value as a quoted literal: what runs.
pub fn alter_system(item: &Item) -> String {
    alter_system_text(&item.name, &item.value)
}

/// The ALTER SYSTEM statement as reports show it: a secret value masked.
pub fn alter_system_shown(item: &Item) -> String {
    alter_system_text(&item.name, &item.value_shown)
}

fn alter_system_text(name: &str, value: &str) -> String {
    format!(
        "ALTER SYSTEM SET \"{}\" = '{}'",
        name.replace('"', "\"\""),
        value.replace('\'', "''")
    )
}

/// What `tune postgres` did, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The server (no password).
    pub target: String,
    /// False for a dry run.
    pub applied: bool,
    /// Whether this run changed anything (a dry run never does).
    pub changed: bool,
    /// Whether a restart is needed for a value to take effect.
    pub restart_required: bool,
    /// Every planned setting with before and after.
    pub items: Vec<Item>,
    /// The statements run (or that --apply would run), secret values masked.
    pub statements: Vec<String>,
    /// Parameters pg_settings marks pending_restart after the apply.
    pub pending_restart: Vec<String>,
    /// Errors pg_file_settings reports after the apply.
    pub errors: Vec<String>,
    /// Set when a statement failed: which, and the server's reason. The statements before it
    /// ran (`ran`) and were reloaded; the ones after it did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    /// With `failed`: the statements that did run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ran: Vec<String>,
}

/// Every parameter pg_settings marks pending_restart, whoever changed it: a restart is owed
/// whether this run or an earlier one wrote the value.
pub fn pending_restart(settings: &BTreeMap<String, Setting>) -> Vec<String> {
    settings
        .iter()
        .filter(|(_, s)| s.pending_restart)
        .map(|(n, _)| n.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> BTreeMap<String, Setting> {
        let s = |v: &str, u: &str, c: &str| Setting {
            setting: v.into(),
            unit: u.into(),
            context: c.into(),
            pending_restart: false,
        };
        [
            ("wal_level", s("replica", "", "postmaster")),
            ("max_replication_slots", s("10", "", "postmaster")),
            ("max_wal_senders", s("20", "", "postmaster")),
            ("max_slot_wal_keep_size", s("-1", "MB", "sighup")),
            ("shared_buffers", s("16384", "8kB", "postmaster")),
            ("statement_timeout", s("0", "ms", "user")),
            ("fsync", s("on", "", "sighup")),
            ("server_version_num", s("150018", "", "internal")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    #[test]
    fn units_normalise() {
        assert_eq!(normalize("10GB", "MB").unwrap(), "10240");
        assert_eq!(normalize("128MB", "8kB").unwrap(), "16384");
        assert_eq!(normalize("16384", "8kB").unwrap(), "16384");
        assert_eq!(normalize("5min", "ms").unwrap(), "300000");
        assert_eq!(normalize("-1", "MB").unwrap(), "-1");
        assert_eq!(normalize("TRUE", "").unwrap(), "on");
        assert!(normalize("10 parsecs", "MB").is_err());
        assert!(normalize("5min", "MB").is_err());
    }

    #[test]
    fn profile_plans_restart_and_reload_and_never_lowers() {
        let cur = settings();
        let want = profile("state-store", &cur).unwrap();
        assert!(
            want.contains(&("max_wal_senders".to_string(), "20".to_string())),
            "never lowered"
        );
        let items = plan(&cur, &BTreeMap::new(), &want, &Default::default()).unwrap();
        let action = |n: &str| items.iter().find(|i| i.name == n).unwrap().action;
        assert_eq!(action("wal_level"), Action::Restart);
        assert_eq!(action("max_replication_slots"), Action::Unchanged);
        assert_eq!(action("max_slot_wal_keep_size"), Action::Reload);
        // after ALTER SYSTEM, wal_level waits for a restart and is not changed again
        let pending = BTreeMap::from([
            ("wal_level".to_string(), "logical".to_string()),
            ("max_slot_wal_keep_size".to_string(), "10GB".to_string()),
        ]);
        let mut cur2 = cur.clone();
        cur2.get_mut("max_slot_wal_keep_size").unwrap().setting = "10240".into();
        let items = plan(&cur2, &pending, &want, &Default::default()).unwrap();
        assert!(items.iter().all(|i| !i.changes()), "{items:?}");
        assert_eq!(items[0].action, Action::PendingRestart);
    }

    #[test]
    fn equal_values_in_other_units_do_not_change_and_bad_input_is_refused() {
        let cur = settings();
        let items = plan(
            &cur,
            &BTreeMap::new(),
            &[("shared_buffers".into(), "128MB".into())],
            &Default::default(),
        )
        .unwrap();
        assert_eq!(items[0].action, Action::Unchanged);
        assert!(plan(
            &cur,
            &BTreeMap::new(),
            &[("no_such".into(), "1".into())],
            &Default::default()
        )
        .unwrap_err()
        .0
        .contains("no_such"));
        assert!(plan(
            &cur,
            &BTreeMap::new(),
            &[("server_version_num".into(), "1".into())],
            &Default::default()
        )
        .is_err());
        assert!(plan(
            &cur,
            &BTreeMap::new(),
            &[("statement_timeout".into(), "soon".into())],
            &Default::default()
        )
        .is_err());
        assert!(profile("fast", &cur).is_err());
    }

    // issue 26 item 6: the values of secret-bearing settings were printed
    #[test]
    fn secret_bearing_settings_are_masked_but_set_whole() {
        let hidden: std::collections::BTreeSet<String> = [
            "pg_keyring.password",
            "data_directory",
            "ssl_passphrase_command",
        ]
        .map(String::from)
        .into();
        let shown = |n: &str, v: &str| shown_value(n, v, &hidden);
        assert_eq!(shown("ssl_passphrase_command", "echo Zq7"), "***");
        // known even when the server could not say
        assert_eq!(
            shown_value("ssl_passphrase_command", "echo Zq7", &Default::default()),
            "***"
        );
        assert_eq!(
            shown("primary_conninfo", "host=up password=Zq7"),
            "host=up password=***"
        );
        // an extension's superuser-only setting is masked; a path is not
        assert_eq!(shown("pg_keyring.password", "Zq7"), "***");
        assert_eq!(shown("data_directory", "/var/lib/pg"), "/var/lib/pg");
        assert_eq!(shown("application_name", "x"), "x");
        let mut cur = settings();
        for n in ["ssl_passphrase_command", "pg_keyring.password"] {
            cur.insert(
                n.into(),
                Setting {
                    setting: "old Zq7".into(),
                    context: "sighup".into(),
                    ..Default::default()
                },
            );
        }
        let want = [
            (
                "ssl_passphrase_command".to_string(),
                "echo Zq7new".to_string(),
            ),
            ("pg_keyring.password".to_string(), "Zq7new".to_string()),
        ];
        let items = plan(&cur, &BTreeMap::new(), &want, &hidden).unwrap();
        for i in &items {
            assert_eq!(
                (i.before.as_str(), i.after.as_str()),
                ("***", "***"),
                "{i:?}"
            );
            assert!(!alter_system_shown(i).contains("Zq7"), "{i:?}");
            assert!(alter_system(i).contains("Zq7new"), "{i:?}");
            assert!(!serde_json::to_string(i).unwrap().contains("Zq7"));
            let refusal = format!("bad value \"{}\"", i.value);
            assert_eq!(i.masked(&refusal), "bad value \"***\"");
        }
    }

    #[test]
    fn statements_quote_values() {
        let i = Item {
            name: "application_name".into(),
            before: String::new(),
            after: "o'brien".into(),
            value: "o'brien".into(),
            value_shown: "o'brien".into(),
            context: "user".into(),
            action: Action::Reload,
        };
        assert_eq!(
            alter_system(&i),
            "ALTER SYSTEM SET \"application_name\" = 'o''brien'"
        );
    }
}
