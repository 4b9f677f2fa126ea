//! SQL text made safe to show: every literal masked, following PostgreSQL's lexer (scan.l).
//! Queries come from pg_stat_activity and server logs: untrusted input that may carry secrets.

/// Masks every literal in SQL as `?` and keeps at most `max` characters, so evidence never
/// carries the values a query was run with. The literal forms are PostgreSQL's lexer's (scan.l):
/// '…' with '' escapes, E'…' with backslash escapes, U&'…', N'…', B'…' and X'…' bit strings,
/// $$…$$ and $tag$…$tag$, and numbers (42, 1.5e3, .5, 0x1F, 1_000). Identifiers (t1, "quoted
/// ones", U&"…") and $n parameters stay; comments are dropped, as they may hold anything; an
/// unterminated literal masks the rest.
pub fn mask_literals(sql: &str, max: usize) -> String {
    let c: Vec<char> = sql.chars().collect();
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_' || ch == '$';
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        // the previous character makes this one part of an identifier (t1, a$1)
        let in_word = i > 0 && ident(c[i - 1]);
        let next = |k: usize| c.get(i + k).copied();
        match c[i] {
            // a prefixed string: the prefix goes with the literal
            p if !in_word && next(1) == Some('\'') && "eEbBxXnN".contains(p) => {
                i = skip_quoted(&c, i + 1, "eE".contains(p));
                out.push('?');
            }
            'u' | 'U' if !in_word && next(1) == Some('&') && next(2) == Some('\'') => {
                i = skip_quoted(&c, i + 2, false);
                out.push('?');
            }
            '\'' => {
                i = skip_quoted(&c, i, false);
                out.push('?');
            }
            // a quoted identifier, kept whole ("" is a quote inside it)
            '"' => {
                let end = skip_delimited(&c, i, '"');
                out.extend(&c[i..end]);
                i = end;
            }
            '$' if !in_word => match dollar_tag(&c, i) {
                Some(tag) => {
                    let body = i + tag.len();
                    i = find(&c, body, &tag).map_or(c.len(), |e| e + tag.len());
                    out.push('?');
                }
                None => {
                    out.push('$');
                    i += 1;
                }
            },
            d if !in_word
                && (d.is_ascii_digit()
                    || (d == '.' && next(1).is_some_and(|n| n.is_ascii_digit()))) =>
            {
                i = skip_number(&c, i);
                out.push('?');
            }
            '-' if next(1) == Some('-') => {
                i = c[i..]
                    .iter()
                    .position(|&ch| ch == '\n')
                    .map_or(c.len(), |e| i + e);
                push_space(&mut out);
            }
            '/' if next(1) == Some('*') => {
                i = skip_comment(&c, i);
                push_space(&mut out);
            }
            w if w.is_whitespace() => {
                push_space(&mut out);
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    let out = out.trim();
    match out.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &out[..i]),
        None => out.to_string(),
    }
}

/// Past the string whose opening quote is at `open`: '' is a quote inside it, and with
/// `backslash` (E'…') so is \'. The end of the text when it is unterminated.
fn skip_quoted(c: &[char], open: usize, backslash: bool) -> usize {
    let mut i = open + 1;
    while i < c.len() {
        match c[i] {
            '\\' if backslash => i += 2,
            '\'' if c.get(i + 1) == Some(&'\'') => i += 2,
            '\'' => return i + 1,
            _ => i += 1,
        }
    }
    c.len()
}

/// Past the text delimited by `q` from `open`, a doubled `q` being part of it.
fn skip_delimited(c: &[char], open: usize, q: char) -> usize {
    let mut i = open + 1;
    while i < c.len() {
        if c[i] == q {
            if c.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    c.len()
}

/// The dollar-quote delimiter starting at `at` (`$$`, `$tag$`), or None for a parameter
/// (`$1`) or a lone `$`.
fn dollar_tag(c: &[char], at: usize) -> Option<Vec<char>> {
    let first = *c.get(at + 1)?;
    if first == '$' {
        return Some(vec!['$', '$']);
    }
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    let len = c[at + 1..]
        .iter()
        .position(|&ch| !(ch.is_alphanumeric() || ch == '_'))?;
    (c[at + 1 + len] == '$').then(|| c[at..at + len + 2].to_vec())
}

/// Where `needle` next occurs in `c` from `from`.
fn find(c: &[char], from: usize, needle: &[char]) -> Option<usize> {
    c.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Past a numeric literal: digits, a fraction, an exponent, and whatever letters, digits and
/// underscores follow (0x1F, 1_000, PostgreSQL 16's 0o17 and 0b101).
fn skip_number(c: &[char], start: usize) -> usize {
    let mut i = start;
    let digits = |i: &mut usize| {
        while c
            .get(*i)
            .is_some_and(|ch| ch.is_ascii_digit() || *ch == '_')
        {
            *i += 1;
        }
    };
    digits(&mut i);
    if c.get(i) == Some(&'.') && c.get(i + 1) != Some(&'.') {
        i += 1;
        digits(&mut i);
    }
    if c.get(i).is_some_and(|ch| *ch == 'e' || *ch == 'E') {
        let sign = usize::from(c.get(i + 1).is_some_and(|ch| *ch == '+' || *ch == '-'));
        if c.get(i + 1 + sign).is_some_and(|ch| ch.is_ascii_digit()) {
            i += 1 + sign;
            digits(&mut i);
        }
    }
    while c
        .get(i)
        .is_some_and(|ch| ch.is_alphanumeric() || *ch == '_')
    {
        i += 1;
    }
    i
}

/// One space for any run of whitespace and comments.
fn push_space(out: &mut String) {
    if !out.ends_with(' ') {
        out.push(' ');
    }
}

/// Past a /* comment */, which nests in PostgreSQL.
fn skip_comment(c: &[char], open: usize) -> usize {
    let (mut depth, mut i) = (0usize, open);
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    c.len()
}
