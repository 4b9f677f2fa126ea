//! What a printed target may show: passwords, query-string credentials and secret-bearing
//! conninfo keys masked, by parsing the URL or conninfo, never by pattern alone.

/// RFC 3986 percent-decoding of URL userinfo, as redis-rs and libpq do: `+` stays `+`.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// What stands in for a secret in messages.
pub const MASK: &str = "***";

/// A URL with its secrets replaced by `***`, for messages: the userinfo's password, every query
/// and fragment parameter's value (`?access_token=`, `&X-Amz-Signature=`), and any `password=`.
/// Users put `/`, `?`, `#` and `@` in passwords unencoded, and a URL parser then splits the URL
/// elsewhere than they meant (part of the password becomes a path or a query). So whenever an `@`
/// follows the scheme, however many slashes (`redis:SECRET@h`, a typo, is read as redis-cli
/// would), everything up to the *last* `@` is userinfo: a plain user name before its first `:`
/// stays, the rest is masked. A lone userinfo is a user name only in PostgreSQL and HTTP URLs;
/// redis-cli reads it as the password.
pub fn redact_url(input: &str) -> String {
    let scheme = input.split_once(':').map(|(s, _)| s).filter(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    // a path (`--resource /r?token=…`) has no userinfo: an `@` in it is the path's
    if scheme.is_none() && input.starts_with('/') && !input.starts_with("//") {
        return mask_query(input);
    }
    let after_scheme = scheme.map_or(0, |s| s.len() + 1);
    let slashes = input[after_scheme..].len() - input[after_scheme..].trim_start_matches('/').len();
    let (head, rest) = input.split_at(after_scheme + slashes);
    let Some(at) = rest.rfind('@') else {
        return format!("{}{}", mask_password_params(head), mask_query(rest));
    };
    let (userinfo, rest) = rest.split_at(at);
    // a user name shown must look like one: anything else may be part of a secret
    let plain = |u: &str| scheme.is_some() && is_plain_user(u);
    let lone_is_user = scheme.is_some_and(|s| {
        ["postgres", "postgresql", "http", "https"]
            .iter()
            .any(|k| s.eq_ignore_ascii_case(k))
    });
    let shown = match userinfo.split_once(':') {
        Some((user, _)) if plain(user) => format!("{user}:{MASK}"),
        Some(("", _)) if scheme.is_some() => format!(":{MASK}"),
        None if lone_is_user && plain(userinfo) => userinfo.to_string(),
        _ => MASK.to_string(),
    };
    format!("{head}{shown}{}", mask_query(rest))
}

/// The text after a URL's authority with every query and fragment parameter's value masked
/// (`password=` before them too).
pub(super) fn mask_query(s: &str) -> String {
    let Some(q) = s.find(['?', '#']) else {
        return mask_password_params(s);
    };
    let mut out = mask_password_params(&s[..q]);
    let mut at = q;
    while at < s.len() {
        // one separator (`?`, `&`, `#`, `;`), then a parameter up to the next
        let sep = s[at..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&s[at..at + sep]);
        at += sep;
        let end = s[at..].find(['&', '#', ';']).map_or(s.len(), |e| at + e);
        match s[at..end].split_once('=') {
            Some((k, _)) => {
                out.push_str(k);
                out.push('=');
                out.push_str(MASK);
            }
            // `#insecure` is statectl's one flag; any other bare word may be a token
            None if &s[at..end] == "insecure" => out.push_str("insecure"),
            None if at == end => {}
            None => out.push_str(MASK),
        }
        at = end;
    }
    out
}

/// Masks the value of every `password=` in `s` (to the next `&`, `#` or the end).
pub(super) fn mask_password_params(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    while let Some(i) = lower[at..].find("password=").map(|i| at + i) {
        let value = i + "password=".len();
        let end = s[value..].find(['&', '#']).map_or(s.len(), |e| value + e);
        out.push_str(&s[at..value]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&s[at..]);
    out
}

/// libpq's connection keys whose values are never secret. Messages show every other key's value
/// as `***`: `password`, `sslpassword`, and a misspelt or unknown key that may hold one.
pub(super) const PLAIN_CONN_KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
];

/// A connection string (URL or libpq key=value pairs) with its secrets replaced by `***`, for
/// messages. Key=value strings are read with libpq's rules (spaces around `=`, single quotes,
/// backslash escapes); only the values of [`PLAIN_CONN_KEYS`] are shown. Where the string stops
/// parsing, the rest is masked.
pub fn redact_conn(input: &str) -> String {
    // a URL only when it begins with a scheme, as libpq decides; `://` elsewhere is a value
    let scheme = input.trim_start().split_once("://").map(|(s, _)| s);
    if scheme.is_some_and(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    }) {
        return redact_url(input);
    }
    let (pairs, complete) = conninfo_scan(input);
    let mut shown: Vec<String> = pairs
        .into_iter()
        .map(|(k, raw)| {
            if PLAIN_CONN_KEYS.contains(&k.as_str()) {
                format!("{k}={raw}")
            } else {
                format!("{k}={MASK}")
            }
        })
        .collect();
    if !complete {
        shown.push(MASK.to_string());
    }
    shown.join(" ")
}

/// Splits libpq key=value text into (key, value as written), or None where libpq would reject
/// it (a key without `=`, an unterminated quote).
pub fn conninfo_pairs(input: &str) -> Option<Vec<(String, String)>> {
    match conninfo_scan(input) {
        (pairs, true) => Some(pairs),
        (_, false) => None,
    }
}

/// The pairs of libpq key=value text up to where it stops parsing, and whether it parsed whole.
pub(super) fn conninfo_scan(input: &str) -> (Vec<(String, String)>, bool) {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return (out, true);
        }
        match conninfo_pair(&mut chars) {
            Some(pair) => out.push(pair),
            None => return (out, false),
        }
    }
}

/// One `key = value` (the value as written, quotes kept), or None where libpq would reject it.
pub(super) fn conninfo_pair(
    chars: &mut std::iter::Peekable<std::str::Chars>,
) -> Option<(String, String)> {
    let mut key = String::new();
    while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
        key.push(c);
    }
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
    chars.next_if_eq(&'=')?;
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
    let mut raw = String::new();
    if chars.next_if_eq(&'\'').is_some() {
        raw.push('\'');
        loop {
            match chars.next()? {
                '\\' => {
                    raw.push('\\');
                    raw.push(chars.next()?);
                }
                '\'' => {
                    raw.push('\'');
                    break;
                }
                c => raw.push(c),
            }
        }
    } else {
        while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
            raw.push(c);
            if c == '\\' {
                raw.push(chars.next()?);
            }
        }
    }
    Some((key, raw))
}

/// Whether a URL's user name can be shown: nothing in it a parser splits on.
pub fn is_plain_user(u: &str) -> bool {
    !u.is_empty()
        && !u.contains(['/', '?', '#', '=', '&', ':', '@', '%'])
        && !u.contains(char::is_whitespace)
}
