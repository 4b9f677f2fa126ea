//! `tune redis`: edit redis.conf the way CONFIG REWRITE does. Lines are tokenised as Redis
//! does (sdssplitargs: quotes and escapes); the first occurrence of a directive is replaced in
//! place and its later duplicates dropped; a directive Redis keys by its first argument
//! (client-output-buffer-limit by class, rename-command, user, loadmodule, include) is edited
//! entry by entry, its other entries left in place; comments, blank lines, unknown directives and
//! other `include` lines stay byte for byte; new directives go into a marked block at the end.

use serde::Serialize;

use crate::exit::UsageError;

mod directives;
mod editor;
mod reader;
pub use directives::*;
pub use editor::*;
pub use reader::Reader;

/// How deep includes may nest before the file is taken for a loop.
pub const INCLUDE_DEPTH: usize = 16;

/// The header of the block new directives are appended under.
pub const MARKER: &str = "# Added by statectl tune redis";

/// What a plan does to one directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Already the desired value.
    Unchanged,
    /// Replaced in place.
    Change,
    /// Appended in the statectl block.
    Add,
}

/// One planned directive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Directive name.
    pub name: String,
    /// The value in force before (None when absent).
    pub before: Option<String>,
    /// The desired value.
    pub after: String,
    /// What the plan does.
    pub action: Action,
    /// Whether CONFIG SET can apply it at runtime (else a restart is needed).
    pub live: bool,
}

/// A plan: the items and the file text after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Every desired directive.
    pub items: Vec<Item>,
    /// Directives kept although statectl does not know them.
    pub warnings: Vec<String>,
    /// The new file text (equal to the old when nothing changes).
    pub text: String,
}

impl Plan {
    /// Whether applying would change the file.
    pub fn changes(&self) -> bool {
        self.items.iter().any(|i| i.action != Action::Unchanged)
    }

    /// The restart-only directives whose value in force changes: a line added at Redis's own
    /// default (tcp-backlog 511) is written, but a restart would find nothing new.
    pub fn restart_required(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| !i.live && i.action != Action::Unchanged)
            .filter(|i| {
                let default = RESTART_ONLY_DEFAULTS
                    .iter()
                    .find(|(n, _)| *n == i.name)
                    .map(|(_, v)| *v);
                match i.before.as_deref().or(default) {
                    Some(now) => !same_value(&i.name, now, &i.after),
                    None => true,
                }
            })
            .map(|i| i.name.clone())
            .fold(Vec::new(), |mut names, n| {
                // entries of one keyed directive are one name
                if !names.contains(&n) {
                    names.push(n);
                }
                names
            })
    }
}

/// One directive of a file that an `include` line of the planned file brings in (directly or
/// through nested includes): Redis reads it at that line, so it overrides what comes before.
#[derive(Debug, Clone, PartialEq)]
pub struct Included {
    /// The 0-based index, in the planned file, of the `include` line that brings it in.
    pub at: usize,
    /// The included file.
    pub file: String,
    /// Its 1-based line in that file.
    pub line: usize,
    /// Lower-cased directive name.
    pub name: String,
    /// Its arguments, quoted as in a file.
    pub value: String,
}

/// One occurrence of a directive, in the order Redis reads them.
struct Occurrence<'a> {
    /// The planned file's line (0-based), or None for an included one.
    own: Option<usize>,
    /// The included directive, for one an include brings in.
    from: Option<&'a Included>,
    /// Its arguments.
    args: Vec<String>,
}

/// Every occurrence of `name`: the file's lines, and at each `include` line the directives it
/// brings in, as Redis reads them.
fn occurrences<'a>(conf: &ConfFile, included: &'a [Included], name: &str) -> Vec<Occurrence<'a>> {
    let mut out = Vec::new();
    for (i, l) in conf.lines.iter().enumerate() {
        if let Some((n, a)) = &l.directive {
            if n == name {
                out.push(Occurrence {
                    own: Some(i),
                    from: None,
                    args: a.clone(),
                });
            }
        }
        out.extend(
            included
                .iter()
                .filter(|d| d.at == i && d.name == name)
                .map(|d| Occurrence {
                    own: None,
                    from: Some(d),
                    args: tokenize(&d.value).unwrap_or_default(),
                }),
        );
    }
    out
}

/// Arguments as a line of the file writes them.
fn joined(args: &[String]) -> String {
    args.iter().map(|x| quote(x)).collect::<Vec<_>>().join(" ")
}

/// The line `name args…`.
fn line_of(name: &str, args: &[String]) -> String {
    std::iter::once(name.to_string())
        .chain(args.iter().map(|a| quote(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a line `name args` holds what `key` selects of directive `want`: the directive, or
/// for a keyed one, its entry with that key.
fn holds(want: &str, key: Option<&str>, name: &str, args: &[String]) -> bool {
    name == want
        && match (key, shape(name)) {
            (Some(key), Shape::Keyed(k)) => entries(k, args)
                .iter()
                .any(|e| entry_key(name, k, e) == key),
            _ => true,
        }
}

/// The value Redis ends with for `name` (for a keyed directive with `key`, that entry's): the
/// file's lines and the included directives in the order Redis reads them. The last line wins;
/// `save` lines add up (`save ""` empties the list); keyed entries replace those of their key.
fn in_force(
    conf: &ConfFile,
    included: &[Included],
    name: &str,
    key: Option<&str>,
) -> Option<String> {
    let occ = occurrences(conf, included, name);
    match (shape(name), key) {
        (Shape::Keyed(k), Some(key)) => occ
            .iter()
            .rev()
            .flat_map(|o| entries(k, &o.args).into_iter().rev())
            .find(|e| entry_key(name, k, e) == key)
            .map(|e| joined(&e)),
        (Shape::Keyed(k), None) => {
            let mut all: Vec<(String, Vec<String>)> = Vec::new();
            for e in occ.iter().flat_map(|o| entries(k, &o.args)) {
                let key = entry_key(name, k, &e);
                match all.iter_mut().find(|(have, _)| *have == key) {
                    Some(slot) => slot.1 = e,
                    None => all.push((key, e)),
                }
            }
            (!all.is_empty()).then(|| {
                all.iter()
                    .map(|(_, e)| joined(e))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        }
        (Shape::List, _) => {
            let mut list: Option<Vec<String>> = None;
            for o in occ {
                if o.args == [""] {
                    list = Some(Vec::new());
                } else {
                    list.get_or_insert_with(Vec::new).extend(o.args);
                }
            }
            list.map(|l| if l.is_empty() { quote("") } else { joined(&l) })
        }
        (Shape::Single, _) => occ.last().map(|o| joined(&o.args)),
    }
}

/// One thing the plan sets: a directive's whole value, or one entry of a keyed directive.
struct Want {
    /// Lower-cased directive name.
    name: String,
    /// The entry's key, for a keyed directive.
    key: Option<String>,
    /// Its arguments.
    args: Vec<String>,
    /// The value as asked (a whole value) or as a file writes it (an entry).
    value: String,
}

/// Puts `want` into `lines` in place: the first line holding it gets it, and later lines lose
/// it (a line left with nothing is dropped); a keyed directive's other entries stay where they
/// are. False when no line holds it.
fn edit_in_place(lines: &mut Vec<Line>, want: &Want) -> bool {
    let key = want.key.as_deref();
    let mut placed = false;
    lines.retain_mut(|l| {
        let Some((name, args)) = &l.directive else {
            return true;
        };
        if !holds(&want.name, key, name, args) {
            return true;
        }
        let parts = match (key, shape(name)) {
            (Some(_), Shape::Keyed(k)) => entries(k, args)
                .into_iter()
                .map(|e| (entry_key(name, k, &e) == key.unwrap_or_default(), e))
                .collect(),
            _ => vec![(true, args.clone())],
        };
        let mut kept: Vec<Vec<String>> = Vec::new();
        for (hit, e) in parts {
            match (hit, placed) {
                (false, _) => kept.push(e),
                (true, false) => {
                    placed = true;
                    kept.push(want.args.clone());
                }
                (true, true) => {}
            }
        }
        if kept.is_empty() {
            return false;
        }
        let args = kept.concat();
        l.raw = line_of(&want.name, &args);
        l.directive = Some((want.name.clone(), args));
        true
    });
    placed
}

/// The `--set` and profile values as what the plan sets, each once: a later value replaces an
/// earlier one of the same directive (of the same entry, for a keyed directive). Checks each
/// name against the Redis that will read the file and each value against the grammar.
fn wants(
    desired: &[(String, String)],
    reader: &Reader<'_>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Want>, UsageError> {
    let mut merged: Vec<Want> = Vec::new();
    for (name, value) in desired {
        let name = name.to_ascii_lowercase();
        if let Some(w) = reader
            .judge(&name)
            .map_err(|e| UsageError(format!("--set {name}: {e}")))?
        {
            warnings.push(w);
        }
        // a secret's value never reaches a message, not even a malformed one
        let said = shown(&name, value);
        let bad = |e: String| UsageError(format!("--set {name}={said}: {e}"));
        let args = tokenize(value).map_err(bad)?;
        validate(&name, &args).map_err(bad)?;
        let each = match shape(&name) {
            Shape::Keyed(k) => entries(k, &args)
                .into_iter()
                .map(|e| Want {
                    name: name.clone(),
                    key: Some(entry_key(&name, k, &e)),
                    value: joined(&e),
                    args: e,
                })
                .collect(),
            _ => vec![Want {
                name: name.clone(),
                key: None,
                args,
                value: value.clone(),
            }],
        };
        for w in each {
            match merged
                .iter_mut()
                .find(|m| m.name == w.name && m.key == w.key)
            {
                Some(slot) => *slot = w,
                None => merged.push(w),
            }
        }
    }
    Ok(merged)
}

/// Plans `desired` (name, value) against a parsed file and the directives its includes bring
/// in. `version` is the Redis that will read the file, and where that was learnt. A directive
/// that an include sets again after the file's own line is refused, naming the include: an edit
/// of this file would not be the value Redis uses. A keyed directive (client-output-buffer-limit,
/// rename-command, user, loadmodule, include) is planned entry by entry.
pub fn plan(
    conf: &ConfFile,
    desired: &[(String, String)],
    version: Option<(&[u64], &str)>,
    included: &[Included],
) -> Result<Plan, UsageError> {
    plan_for(conf, desired, &Reader::redis(version), included)
}

/// [`plan`] for the server `reader` describes (Redis or Valkey, and what a live one lists).
pub fn plan_for(
    conf: &ConfFile,
    desired: &[(String, String)],
    reader: &Reader<'_>,
    included: &[Included],
) -> Result<Plan, UsageError> {
    supported(reader.version).map_err(UsageError)?;
    let mut warnings = Vec::new();
    let mut lines = conf.lines.clone();
    let mut items: Vec<Item> = Vec::new();
    let mut appended: Vec<String> = Vec::new();
    for want in wants(desired, reader, &mut warnings)? {
        let (name, key) = (&want.name, want.key.as_deref());
        let current = in_force(conf, included, name, key);
        // the file's own first line is where an edit lands; an include after it wins over it
        let occ = occurrences(conf, included, name);
        let own = occ
            .iter()
            .find(|o| o.own.is_some() && holds(name, key, name, &o.args))
            .and_then(|o| o.own);
        let overridden = own.and_then(|f| {
            occ.iter()
                .rev()
                .filter_map(|o| {
                    o.from
                        .filter(|d| d.at > f && holds(name, key, name, &o.args))
                })
                .next()
                .map(|d| (f, d))
        });
        let unchanged = current
            .as_ref()
            .is_some_and(|c| same_value(name, c, &want.value));
        if let (false, Some((f, d))) = (unchanged, overridden) {
            let what = match key {
                Some(_) => format!("{name} {}", shown(name, &want.args[0])),
                None => name.clone(),
            };
            return Err(UsageError(format!(
                "--set {name}: {}:{} sets {what} again after this file's line {} (its include is line {}), and Redis uses the last one; change or remove it there",
                d.file,
                d.line,
                f + 1,
                d.at + 1
            )));
        }
        let action = if unchanged {
            Action::Unchanged
        } else if edit_in_place(&mut lines, &want) {
            Action::Change
        } else {
            // absent from the file (perhaps set by an include): the appended line comes last
            appended.push(line_of(name, &want.args));
            Action::Add
        };
        items.push(Item {
            name: name.clone(),
            before: current,
            after: want.value.clone(),
            action,
            live: !RESTART_ONLY.contains(&name.as_str()),
        });
    }
    if !appended.is_empty() {
        if !lines.iter().any(|l| l.raw == MARKER) {
            if lines.last().is_some_and(|l| !l.raw.trim().is_empty()) {
                lines.push(Line {
                    raw: String::new(),
                    directive: None,
                });
            }
            lines.push(Line {
                raw: MARKER.to_string(),
                directive: None,
            });
        }
        for a in appended {
            let directive = ConfFile::parse(&a)
                .ok()
                .and_then(|c| c.lines[0].directive.clone());
            lines.push(Line { raw: a, directive });
        }
    }
    let text = ConfFile {
        lines,
        trailing_newline: conf.trailing_newline || !conf.lines.is_empty(),
    }
    .render();
    // The result must parse and validate as a whole before anyone writes it.
    ConfFile::parse(&text)
        .map_err(|e| UsageError(format!("planned file line {}: {}", e.line, e.message)))?;
    Ok(Plan {
        items,
        warnings,
        text,
    })
}

/// The 1-based line that makes `conf` a Sentinel configuration, if it is one: its first
/// `sentinel monitor` line, else its first other `sentinel` directive (a Redis server refuses
/// them all). Sentinel reads that file and rewrites it itself; planning it as a server's
/// redis.conf would write server directives into it.
pub fn sentinel_line(conf: &ConfFile) -> Option<usize> {
    let sentinel = |monitor: bool| {
        conf.lines.iter().position(|l| {
            l.directive.as_ref().is_some_and(|(n, a)| {
                n == "sentinel"
                    && (!monitor || a.first().is_some_and(|w| w.eq_ignore_ascii_case("monitor")))
            })
        })
    };
    sentinel(true).or_else(|| sentinel(false)).map(|i| i + 1)
}

/// Whether a config persists to disk (RDB `save` rules or `appendonly yes`): then BGSAVE and
/// BGREWRITEAOF fork, and copy-on-write needs memory beside maxmemory.
pub fn persistence_on(conf: &ConfFile) -> bool {
    conf.effective("appendonly").is_some_and(|v| v == "yes")
        || conf
            .effective("save")
            .is_some_and(|v| !v.is_empty() && v != "\"\"")
}

/// The share of RAM maxmemory may take: 80%, or 50% when RDB/AOF forks need room for
/// copy-on-write. `doctor` (redis.maxmemory) and `tune redis --maxmemory auto` both use it.
pub fn maxmemory_share(persistence: bool) -> f64 {
    if persistence {
        0.5
    } else {
        0.8
    }
}

/// maxmemory in bytes for a host with `ram` bytes.
pub fn maxmemory_for(ram: u64, persistence: bool) -> u64 {
    (ram as f64 * maxmemory_share(persistence)) as u64
}

/// Redis's own default tcp-backlog.
pub const REDIS_DEFAULT_BACKLOG: u64 = 511;

/// tcp-backlog for the profile: Redis's 511, or less when net.core.somaxconn would silently cap
/// it (unknown somaxconn keeps 511).
pub fn backlog_for(somaxconn: Option<u64>) -> u64 {
    somaxconn.map_or(REDIS_DEFAULT_BACKLOG, |s| s.min(REDIS_DEFAULT_BACKLOG))
}

/// One live reconfiguration of a running server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveChange {
    /// Directive.
    pub name: String,
    /// CONFIG GET before (secrets masked).
    pub before: String,
    /// CONFIG GET after CONFIG SET (the read-back; secrets masked), or the value a dry run would set.
    pub after: String,
    /// Whether the read-back matches the desired value (false for a dry run).
    pub ok: bool,
}

/// What `--live` does to a running server, given its CONFIG GET values: the directives to
/// CONFIG SET (name, value), and those that differ but only apply on restart.
pub fn live_plan(
    items: &[Item],
    running: &std::collections::BTreeMap<String, String>,
) -> (Vec<(String, String)>, Vec<String>) {
    let (mut set, mut restart) = (Vec::new(), Vec::new());
    for i in items {
        let now = running.get(&i.name).map(String::as_str).unwrap_or("");
        if same_value(&i.name, now, &i.after) {
            continue;
        }
        if i.live {
            set.push((i.name.clone(), i.after.clone()));
        } else {
            restart.push(i.name.clone());
        }
    }
    (set, restart)
}

/// The `session-cache` profile: the brief's settings. `maxmemory` and `tcp_backlog` are
/// resolved by the caller (2gb or `--maxmemory`; 511 unless somaxconn is lower).
pub fn session_cache(maxmemory: &str, tcp_backlog: u64) -> Vec<(String, String)> {
    [
        ("maxmemory", maxmemory.to_string()),
        ("maxmemory-policy", "allkeys-lru".into()),
        ("tcp-keepalive", "300".into()),
        ("tcp-backlog", tcp_backlog.to_string()),
        ("protected-mode", "yes".into()),
        ("latency-monitor-threshold", "100".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Why a planned file would expose a passwordless server, if it would.
pub fn exposure(conf: &ConfFile) -> Option<String> {
    let bind = conf.effective("bind").unwrap_or_else(|| "* -::*".into());
    let open: Vec<String> = tokenize(&bind)
        .unwrap_or_default()
        .into_iter()
        .filter(|w| {
            let w = w.trim_start_matches('-');
            match w.parse::<std::net::IpAddr>() {
                Ok(ip) => !ip.is_loopback(),
                Err(_) => w != "localhost",
            }
        })
        .collect();
    if open.is_empty() {
        return None;
    }
    let has_pass = conf
        .effective("requirepass")
        .is_some_and(|p| !p.is_empty() && p != "\"\"");
    let acl = conf.effective("aclfile").is_some();
    let default_user_pw = conf
        .lines
        .iter()
        .filter_map(|l| l.directive.as_ref())
        .any(|(n, a)| {
            n == "user"
                && a.first().map(String::as_str) == Some("default")
                && a.iter().any(|r| r.starts_with('>') || r.starts_with('#'))
        });
    if has_pass || acl || default_user_pw {
        return None;
    }
    Some(format!(
        "the plan binds {} while the default user has no password and no aclfile is set",
        open.join(" ")
    ))
}

/// Directives whose values are secrets: never shown in plans, diffs or errors.
pub use crate::observe::redis::SECRET_DIRECTIVES as SECRET;

/// A value fit to show: secrets become `***`.
pub fn shown(name: &str, value: &str) -> String {
    if SECRET.contains(&name) {
        "***".into()
    } else {
        value.to_string()
    }
}

/// A unified diff of the file before and after, with secret values masked.
pub fn diff(path: &str, old: &str, new: &str) -> String {
    let text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(path, &format!("{path} (planned)"))
        .to_string();
    text.lines()
        .map(|l| {
            let (mark, body) = l.split_at(l.len().min(1));
            let name = body
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if !l.starts_with("---") && !l.starts_with("+++") && SECRET.contains(&name.as_str()) {
                format!("{mark}{name} ***\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

/// What `tune redis` did, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The file planned against.
    pub config: String,
    /// `--host-root`, when given: every file and live value was read and written below it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_root: Option<String>,
    /// False for a dry run.
    pub applied: bool,
    /// Whether this run changed the file or the live server.
    pub changed: bool,
    /// Directives whose new value needs a restart to take effect.
    pub restart_required: Vec<String>,
    /// Every planned directive (secret values shown as ***).
    pub items: Vec<Item>,
    /// Unified diff of the file (secrets masked); empty when nothing changes.
    pub diff: String,
    /// Where the previous file was saved, when the file was written.
    pub backup: Option<String>,
    /// CONFIG SET changes made with --live.
    pub live: Vec<LiveChange>,
    /// A safety refusal overridden by --force.
    pub forced: Option<String>,
    /// The Redis the plan was checked against, and where that was learnt.
    pub redis_version: Option<String>,
    /// Directives kept although statectl does not know them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests;
