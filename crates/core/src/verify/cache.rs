//! Comparing cached values with the database rows they were made from: the map from a key
//! pattern to a query, and the verdict for one key (the reading is `probe::replica::cache`'s).

use serde::{Deserialize, Serialize};

/// `PATTERN=SQL`: a key pattern with one `{name}` placeholder, and a query taking it as `$1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheMap {
    /// What comes before the placeholder.
    pub prefix: String,
    /// What comes after it.
    pub suffix: String,
    /// The query; its first column is the value the cache should hold.
    pub sql: String,
}

impl CacheMap {
    /// Parses `session:{id}=SELECT payload FROM sessions WHERE id = $1`; the error says what is
    /// wrong with it.
    pub fn parse(text: &str) -> Result<CacheMap, String> {
        let (pattern, sql) = text.split_once('=').ok_or(
            "expected PATTERN=SQL, e.g. 'session:{id}=SELECT payload FROM sessions WHERE id = $1'",
        )?;
        let open = pattern
            .find('{')
            .ok_or("the pattern has no {placeholder}")?;
        let close = pattern[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or("the pattern's { is not closed")?;
        if close == open + 1 {
            return Err("the placeholder needs a name: {id}".into());
        }
        let (prefix, suffix) = (&pattern[..open], &pattern[close + 1..]);
        if suffix.contains('{')
            || prefix.contains(['*', '?', '['])
            || suffix.contains(['*', '?', '['])
        {
            return Err("the pattern takes one {placeholder} and no SCAN wildcards".into());
        }
        if !sql.contains("$1") {
            return Err("the query must take the placeholder as $1".into());
        }
        Ok(CacheMap {
            prefix: prefix.to_string(),
            suffix: suffix.to_string(),
            sql: sql.trim().to_string(),
        })
    }

    /// The SCAN MATCH pattern for the keys it maps (glob characters in the fixed parts escaped).
    pub fn scan_pattern(&self) -> String {
        let esc = |s: &str| {
            s.chars()
                .flat_map(|c| match c {
                    '*' | '?' | '[' | ']' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect::<String>()
        };
        format!("{}*{}", esc(&self.prefix), esc(&self.suffix))
    }

    /// The placeholder's value in `key`, when the key fits the pattern.
    pub fn id<'a>(&self, key: &'a str) -> Option<&'a str> {
        key.strip_prefix(&self.prefix)?
            .strip_suffix(&self.suffix)
            .filter(|id| !id.is_empty())
    }
}

/// How cached and stored values are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// Byte for byte.
    Bytes,
    /// As JSON documents (key order and spacing do not matter).
    Json,
}

/// Whether a cached value matches the stored one.
pub fn same(cached: &[u8], stored: &[u8], how: Compare) -> bool {
    match how {
        Compare::Bytes => cached == stored,
        Compare::Json => {
            match (
                serde_json::from_slice::<serde_json::Value>(cached),
                serde_json::from_slice::<serde_json::Value>(stored),
            ) {
                (Ok(a), Ok(b)) => a == b,
                _ => cached == stored,
            }
        }
    }
}

/// The version a cached JSON object carries in `field`, as text: a string as it is, a number or
/// a boolean as JSON writes it. None when the value is not a JSON object with that field.
pub fn cached_version(cached: &[u8], field: &str) -> Option<String> {
    match serde_json::from_slice::<serde_json::Value>(cached)
        .ok()?
        .get(field)?
    {
        serde_json::Value::String(s) => Some(s.clone()),
        v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => Some(v.to_string()),
        _ => None,
    }
}

/// What `verify cache` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheVerifyReport {
    /// The Redis target's label.
    pub redis: String,
    /// The PostgreSQL target's label.
    pub postgres: String,
    /// The key pattern mapped.
    pub pattern: String,
    /// How values were compared.
    pub compare: Compare,
    /// Keys compared.
    pub compared: u64,
    /// Cache and database disagree.
    pub stale: Vec<String>,
    /// In the cache, no row in the database.
    pub orphaned: Vec<String>,
    /// Cached without an expiry: nothing will ever correct a stale value.
    pub without_ttl: Vec<String>,
    /// Keys that are not strings (not compared).
    pub not_strings: Vec<String>,
    /// With --version-column: the column compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_column: Option<String>,
    /// With --version-column: cached values that are not JSON objects carrying that field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unversioned: Vec<String>,
}

/// What the cache holds under one key, as TYPE, PTTL and GET read it.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedKey {
    /// TYPE's answer.
    pub kind: String,
    /// PTTL's answer: -1 without an expiry.
    pub pttl: i64,
    /// The value, when the key holds a string.
    pub value: Option<Vec<u8>>,
}

/// What the database holds for a key's id.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    /// No row (or an id the query's `$1` cannot take).
    Missing,
    /// The row's value column, or its version column with `--version-column`.
    Row(Vec<u8>),
}

/// The outcome for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyVerdict {
    /// Cache and database agree.
    Same,
    /// They disagree.
    Stale,
    /// In the cache, not in the database.
    Orphaned,
    /// Not a string: not compared.
    NotString,
    /// With `--version-column`: the cached value carries no version to compare.
    Unversioned,
}

/// Judges one key: `stored` is None when the database was not asked (the key is not a string).
pub fn judge(
    cached: &CachedKey,
    stored: Option<&Stored>,
    version_column: Option<&str>,
    how: Compare,
) -> KeyVerdict {
    let (Some(value), Some(stored)) = (&cached.value, stored) else {
        return KeyVerdict::NotString;
    };
    let Stored::Row(stored) = stored else {
        return KeyVerdict::Orphaned;
    };
    match version_column {
        Some(col) => match cached_version(value, col) {
            None => KeyVerdict::Unversioned,
            Some(v) if v.as_bytes() != stored.as_slice() => KeyVerdict::Stale,
            Some(_) => KeyVerdict::Same,
        },
        None if same(value, stored, how) => KeyVerdict::Same,
        None => KeyVerdict::Stale,
    }
}

impl CacheVerifyReport {
    /// An empty report for these targets.
    pub fn new(
        redis: &str,
        postgres: &str,
        pattern: String,
        compare: Compare,
        version_column: Option<String>,
    ) -> Self {
        CacheVerifyReport {
            redis: redis.to_string(),
            postgres: postgres.to_string(),
            pattern,
            compare,
            compared: 0,
            stale: Vec::new(),
            orphaned: Vec::new(),
            without_ttl: Vec::new(),
            not_strings: Vec::new(),
            version_column,
            unversioned: Vec::new(),
        }
    }

    /// Counts one key under `label`: its verdict, and whether it has no expiry.
    pub fn record(&mut self, label: String, cached: &CachedKey, verdict: KeyVerdict) {
        self.compared += 1;
        if cached.pttl == -1 {
            self.without_ttl.push(label.clone());
        }
        match verdict {
            KeyVerdict::Same => {}
            KeyVerdict::Stale => self.stale.push(label),
            KeyVerdict::Orphaned => self.orphaned.push(label),
            KeyVerdict::NotString => self.not_strings.push(label),
            KeyVerdict::Unversioned => self.unversioned.push(label),
        }
    }

    /// Whether the cache agrees with the database.
    pub fn consistent(&self) -> bool {
        self.stale.is_empty()
            && self.orphaned.is_empty()
            && self.without_ttl.is_empty()
            && self.unversioned.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_parse_and_extract_ids() {
        let m = CacheMap::parse("session:{id}=SELECT payload FROM sessions WHERE id = $1").unwrap();
        assert_eq!(m.scan_pattern(), "session:*");
        assert_eq!(m.id("session:42"), Some("42"));
        assert_eq!(m.id("session:"), None);
        assert_eq!(m.id("user:42"), None);
        let m = CacheMap::parse("u:{id}:profile=SELECT p FROM u WHERE id = $1").unwrap();
        assert_eq!(m.id("u:7:profile"), Some("7"));
        assert_eq!(m.scan_pattern(), "u:*:profile");
        for (bad, why) in [
            ("session:{id}", "PATTERN=SQL"),
            ("session:id=SELECT 1 WHERE $1", "placeholder"),
            ("s:{}=SELECT $1", "needs a name"),
            ("s:{id}=SELECT 1", "$1"),
            ("s:*:{id}=SELECT $1", "wildcards"),
        ] {
            assert!(CacheMap::parse(bad).unwrap_err().contains(why), "{bad}");
        }
        assert!(same(
            br#"{"a":1,"b":2}"#,
            br#"{ "b": 2, "a": 1 }"#,
            Compare::Json
        ));
        assert!(!same(br#"{"a":1}"#, br#"{"a":2}"#, Compare::Json));
        assert!(!same(b"x", b"y", Compare::Bytes));
    }

    #[test]
    fn each_key_is_judged_once_and_counted_where_it_belongs() {
        let key = |pttl: i64, v: Option<&str>| CachedKey {
            kind: if v.is_some() { "string" } else { "hash" }.into(),
            pttl,
            value: v.map(|s| s.as_bytes().to_vec()),
        };
        let row = |s: &str| Stored::Row(s.as_bytes().to_vec());
        let j =
            |c: &CachedKey, s: Option<&Stored>, col: Option<&str>| judge(c, s, col, Compare::Json);
        let fresh = key(1000, Some(r#"{"a":1,"version":3}"#));
        assert_eq!(
            j(&fresh, Some(&row(r#"{ "version":3, "a":1 }"#)), None),
            KeyVerdict::Same
        );
        assert_eq!(j(&fresh, Some(&row(r#"{"a":2}"#)), None), KeyVerdict::Stale);
        assert_eq!(
            j(&fresh, Some(&Stored::Missing), None),
            KeyVerdict::Orphaned
        );
        assert_eq!(
            j(&fresh, Some(&row("3")), Some("version")),
            KeyVerdict::Same
        );
        assert_eq!(
            j(&fresh, Some(&row("4")), Some("version")),
            KeyVerdict::Stale
        );
        assert_eq!(
            j(&fresh, Some(&row("3")), Some("rev")),
            KeyVerdict::Unversioned
        );
        assert_eq!(j(&key(5, None), None, None), KeyVerdict::NotString);
        let mut r = CacheVerifyReport::new("r", "p", "s:*".into(), Compare::Json, None);
        r.record("a".into(), &fresh, KeyVerdict::Same);
        assert!(r.consistent());
        // no expiry is counted whatever else the key is
        r.record("b".into(), &key(-1, None), KeyVerdict::NotString);
        r.record("c".into(), &fresh, KeyVerdict::Stale);
        r.record("d".into(), &fresh, KeyVerdict::Orphaned);
        assert_eq!(r.compared, 4);
        assert_eq!(
            (r.without_ttl.clone(), r.not_strings.clone()),
            (vec!["b".to_string()], vec!["b".to_string()])
        );
        assert_eq!(
            (r.stale.clone(), r.orphaned.clone()),
            (vec!["c".to_string()], vec!["d".to_string()])
        );
        assert!(!r.consistent());
    }

    #[test]
    fn versions_come_out_of_cached_json_objects() {
        let v = |s: &str| cached_version(s.as_bytes(), "version");
        assert_eq!(v(r#"{"version": 7, "user": "a"}"#).as_deref(), Some("7"));
        assert_eq!(
            v(r#"{"version": "2024-05-01T10:00:00Z"}"#).as_deref(),
            Some("2024-05-01T10:00:00Z")
        );
        assert_eq!(v(r#"{"version": true}"#).as_deref(), Some("true"));
        assert_eq!(v(r#"{"version": null}"#), None);
        assert_eq!(v(r#"{"rev": 7}"#), None);
        assert_eq!(v("[7]"), None);
        assert_eq!(v("not json"), None);
    }
}
