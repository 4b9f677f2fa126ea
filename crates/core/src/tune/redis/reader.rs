//! What will read the file a tune writes: Redis or Valkey, which release, and, with `--live`,
//! the parameters the running server lists (CONFIG GET *), which outrank what statectl knows.

use std::collections::BTreeSet;

use super::directives::{dotted, judge};
use crate::observe::redis::Flavor;

/// The server that will read the file.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    /// Redis or Valkey.
    pub flavor: Flavor,
    /// Its release (Valkey's own, not its compatibility `redis_version`) and where that was
    /// learnt.
    pub version: Option<(&'a [u64], &'a str)>,
    /// The parameters the live server lists in CONFIG GET *, and where they were read.
    pub lists: Option<(&'a BTreeSet<String>, &'a str)>,
}

/// The release Valkey forked from: the directives statectl knows of Redis 7.2 are Valkey's too.
const VALKEY_FORKED_FROM: [u64; 2] = [7, 2];

impl Reader<'_> {
    /// A Redis of `version` (or an unknown one), with no live server to ask.
    pub fn redis<'a>(version: Option<(&'a [u64], &'a str)>) -> Reader<'a> {
        Reader {
            flavor: Flavor::Redis,
            version,
            lists: None,
        }
    }

    /// How the reader is named in a report: `Valkey 8.1.1 (INFO of …)`, `7.4 (--redis-version)`.
    pub fn shown(&self) -> Option<String> {
        let (v, from) = self.version?;
        Some(match self.flavor {
            Flavor::Redis => format!("{} ({from})", dotted(v)),
            Flavor::Valkey => format!("Valkey {} ({from})", dotted(v)),
        })
    }

    /// Whether `--set NAME` suits this reader: Ok(None) when it is one of its directives,
    /// Ok(Some(warning)) when it may be (kept: the server judges), Err when it is not. A
    /// parameter the live server lists is always one of its directives.
    pub fn judge(&self, name: &str) -> Result<Option<String>, String> {
        if self.lists.is_some_and(|(l, _)| l.contains(name)) {
            return Ok(None);
        }
        match self.flavor {
            Flavor::Redis => judge(name, self.version),
            Flavor::Valkey => {
                let forked = (&VALKEY_FORKED_FROM[..], "");
                if judge(name, Some(forked)).is_ok_and(|w| w.is_none()) {
                    return Ok(None);
                }
                let release = self.shown().unwrap_or_else(|| "Valkey".to_string());
                match self.lists {
                    Some((_, from)) => Err(format!(
                        "not a directive of {release}: {from} lists no {name}"
                    )),
                    None => Ok(Some(format!(
                        "{name} is not a directive statectl knows of Valkey (it knows the Redis {} Valkey forked from); kept for {release} to judge",
                        dotted(&VALKEY_FORKED_FROM)
                    ))),
                }
            }
        }
    }
}
