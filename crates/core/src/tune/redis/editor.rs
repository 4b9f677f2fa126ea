//! The redis.conf editor: lines tokenised as Redis does (sdssplitargs: quotes and escapes), quoted
//! back the same way, and a file kept byte for byte except the directives it changes.

use super::*;

/// Splits a line into arguments as Redis's sdssplitargs does. Errors on unbalanced quotes.
pub fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else {
            return Ok(out);
        };
        let mut cur = String::new();
        match first {
            '"' => {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err("unbalanced quotes".into()),
                        Some('\\') => match chars.next() {
                            Some('x') => {
                                let h: String = chars.by_ref().take(2).collect();
                                match u8::from_str_radix(&h, 16) {
                                    Ok(b) if h.len() == 2 => cur.push(b as char),
                                    _ => {
                                        cur.push('x');
                                        cur.push_str(&h);
                                    }
                                }
                            }
                            Some('n') => cur.push('\n'),
                            Some('r') => cur.push('\r'),
                            Some('t') => cur.push('\t'),
                            Some('b') => cur.push('\u{8}'),
                            Some('a') => cur.push('\u{7}'),
                            Some(c) => cur.push(c),
                            None => return Err("unbalanced quotes".into()),
                        },
                        Some('"') => {
                            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                                return Err("a closing quote must be followed by a space".into());
                            }
                            break;
                        }
                        Some(c) => cur.push(c),
                    }
                }
            }
            '\'' => {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err("unbalanced quotes".into()),
                        Some('\\') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            cur.push('\'');
                        }
                        Some('\'') => {
                            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                                return Err("a closing quote must be followed by a space".into());
                            }
                            break;
                        }
                        Some(c) => cur.push(c),
                    }
                }
            }
            _ => {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    cur.push(c);
                    chars.next();
                }
            }
        }
        out.push(cur);
    }
}

/// Quotes an argument for redis.conf when it needs it.
pub fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\'' && c != '\\');
    if plain {
        return arg.to_string();
    }
    let mut s = String::from("\"");
    for c in arg.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                s.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// One line of a parsed file: its exact text and, for a directive, its name and arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The line as it was, without its newline.
    pub raw: String,
    /// Lower-cased directive name and its arguments; None for comments and blank lines.
    pub directive: Option<(String, Vec<String>)>,
}

/// A parsed redis.conf.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfFile {
    /// Every line in order.
    pub lines: Vec<Line>,
    /// Whether the text ended with a newline.
    pub trailing_newline: bool,
}

/// A parse or validation error, with its 1-based line number.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl ConfFile {
    /// Parses text; every directive line must tokenise and known values must be legal.
    pub fn parse(text: &str) -> Result<ConfFile, ConfError> {
        let mut lines = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let err = |message: String| ConfError {
                line: i + 1,
                message,
            };
            let trimmed = raw.trim();
            let directive = if trimmed.is_empty() || trimmed.starts_with('#') {
                None
            } else {
                let mut args = tokenize(trimmed).map_err(err)?;
                if args.is_empty() {
                    None
                } else {
                    let name = args.remove(0).to_ascii_lowercase();
                    validate(&name, &args).map_err(err)?;
                    Some((name, args))
                }
            };
            lines.push(Line {
                raw: raw.to_string(),
                directive,
            });
        }
        Ok(ConfFile {
            lines,
            trailing_newline: text.is_empty() || text.ends_with('\n'),
        })
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut s = self
            .lines
            .iter()
            .map(|l| l.raw.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        if self.trailing_newline && !self.lines.is_empty() {
            s.push('\n');
        }
        s
    }

    /// The value in force: the last occurrence of a single-value directive, or all arguments of
    /// every occurrence of a multi-value one, joined by spaces.
    pub fn effective(&self, name: &str) -> Option<String> {
        in_force(self, &[], name, None)
    }
}

/// Whether the value `a` of `name` is, to Redis, the value `b` asks for (sizes by bytes, words by
/// case). For a keyed directive `b` may name some entries only (`pubsub 64mb 16mb 90` against
/// CONFIG GET's three classes): `a` must hold each of them.
pub fn same_value(name: &str, a: &str, b: &str) -> bool {
    if let Shape::Keyed(k) = shape(name) {
        let (Ok(a), Ok(b)) = (tokenize(a), tokenize(b)) else {
            return a == b;
        };
        let (have, want) = (entries(k, &a), entries(k, &b));
        return !want.is_empty()
            && want.iter().all(|w| {
                let key = entry_key(name, k, w);
                have.iter()
                    .rev()
                    .find(|h| entry_key(name, k, h) == key)
                    .is_some_and(|h| same_entry(name, k, h, w))
            });
    }
    if matches!(kind(name), Some(Kind::Size)) {
        if let (Some(x), Some(y)) = (memtoll(a), memtoll(b)) {
            return x == y;
        }
    }
    // Redis reads yes/no and enumerations without regard to case (strcasecmp); every other
    // value (a password, a path, a user, notify-keyspace-events' flags) is case-sensitive:
    // `requirepass Secret` is not `requirepass secret`
    let fold = matches!(kind(name), Some(Kind::Bool | Kind::Enum(_)));
    let norm = |s: &str| {
        tokenize(s)
            .unwrap_or_else(|_| vec![s.to_string()])
            .into_iter()
            .map(|t| if fold { t.to_ascii_lowercase() } else { t })
            .collect::<Vec<_>>()
    };
    norm(a) == norm(b)
}
