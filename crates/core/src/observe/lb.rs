//! The load balancer in front of the API: its configuration as directives with the file and line
//! they come from (nginx's `nginx -T` dump, or an haproxy.cfg), and its version. Parsing is pure.

use serde::{Deserialize, Serialize};

/// Which load balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LbKind {
    /// nginx.
    Nginx,
    /// HAProxy.
    Haproxy,
}

impl LbKind {
    /// The product's name.
    pub fn as_str(self) -> &'static str {
        match self {
            LbKind::Nginx => "nginx",
            LbKind::Haproxy => "haproxy",
        }
    }
}

/// One directive: where it is, the blocks (nginx) or section (HAProxy) around it, its name and
/// arguments (quotes removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    /// The file it is in.
    pub file: String,
    /// Its line, from 1.
    pub line: usize,
    /// The enclosing blocks, outermost first: `["http", "upstream api"]`, or the HAProxy
    /// section: `["backend api"]`.
    pub context: Vec<String>,
    /// The directive's name (`proxy_set_header`, `server`, `http-request`).
    pub name: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// nginx: the ordinal of each enclosing block, parallel to `context`, so two blocks with the
    /// same head (two `server` blocks) are told apart; empty when not known (HAProxy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<u32>,
}

impl Directive {
    /// `file:line`, as findings cite it.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// Whether it is an upstream server: `server` in an nginx upstream block or an HAProxy
    /// backend/listen section.
    pub fn is_upstream_server(&self) -> bool {
        self.name == "server"
            && (self.within("upstream") || self.within("backend") || self.within("listen"))
    }

    /// Whether it sits in a block whose head starts with `head` (`upstream`, `server`, `http`,
    /// `backend`).
    pub fn within(&self, head: &str) -> bool {
        self.context
            .iter()
            .any(|c| c == head || c.starts_with(&format!("{head} ")))
    }
}

/// The load balancer as observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LbObservation {
    /// The config file, or `nginx -T`.
    pub target: String,
    /// Which product.
    pub kind: LbKind,
    /// Its version (`1.22.1`, `2.6.12`), when the binary could be asked.
    pub version: Option<String>,
    /// The directives, or why the configuration could not be read.
    pub config: Result<Vec<Directive>, String>,
    /// The header that carries the session (`--session-header`).
    pub session_header: String,
    /// The cookie that carries it, if one does (`--session-cookie`).
    pub session_cookie: Option<String>,
    /// With `--lb-url` and `--echo-path`: requests sent through the balancer.
    #[serde(default)]
    pub live: Option<LiveHeader>,
    /// The tail of the main error log the configuration names (nginx).
    #[serde(default)]
    pub error_log: Option<ErrorLogScan>,
    /// The tails of the other error logs it names: a server block's own (nginx).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub site_error_logs: Vec<ErrorLogScan>,
    /// Whether the balancer itself accepts the configuration (`nginx -t`, `haproxy -c`); None
    /// when no configuration was read.
    #[serde(default)]
    pub test: Option<ConfigTest>,
    /// How the configuration was read (nginx: through `nginx -T`, or the file alone and why),
    /// shown in every lb.* finding's evidence; None when not said.
    #[serde(default)]
    pub read: Option<String>,
}

/// What the balancer's own configuration test said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "message")]
pub enum ConfigTest {
    /// It accepts the configuration.
    Accepted,
    /// It refuses it: its own messages, unescaped (a restart or reload would fail).
    Rejected(String),
    /// It could not be asked, or could not test as this user: why.
    Untested(String),
}

/// Directives of modules a stock nginx does not have (NGINX Plus, OpenResty, common third-party
/// modules): a copy of a balancer's configuration that uses them is refused here, not there.
const MODULE_DIRECTIVES: &[&str] = &[
    "health_check",
    "zone_sync",
    "sticky",
    "auth_jwt",
    "auth_jwt_key_file",
    "api",
    "status_zone",
    "ntlm",
    "lua_shared_dict",
    "lua_package_path",
    "lua_package_cpath",
    "lua_code_cache",
    "more_set_headers",
    "more_clear_headers",
    "more_set_input_headers",
    "check",
    "check_http_send",
    "check_http_expect_alive",
    "vhost_traffic_status_zone",
    "brotli",
    "geoip2",
    "js_import",
    "js_content",
    "js_set",
    "modsecurity",
    "pagespeed",
];

/// Whether a refusal names something outside the configuration text that the machine running
/// the test may lack and the balancer may have: a missing file (a certificate, an include), a
/// host this machine cannot resolve, a module's directive or its shared object.
fn elsewhere(message: &str) -> bool {
    let unknown = message
        .strip_prefix("unknown directive \"")
        .and_then(|r| r.split('"').next());
    unknown.is_some_and(|d| {
        MODULE_DIRECTIVES.contains(&d) || d.contains("_by_lua") || d.starts_with("lua_")
    }) || message.contains("(2: No such file or directory)")
        || message.contains("host not found in")
        || message.starts_with("dlopen()")
        || (message.starts_with("cannot load certificate") && message.contains("No such file"))
}

/// The longest refusal kept, in characters.
const REFUSAL_CHARS: usize = 600;

/// What a failed `nginx -t` (or `haproxy -c`) wrote to stderr, as a verdict on the
/// configuration: nginx's `[emerg]`/`[alert]`/`[crit]` messages (HAProxy's `[ALERT]`) without
/// times and process ids. Complaints that are only a permission denied (a pid or log file this
/// user cannot open) say nothing of the configuration: untested.
pub fn refusal(program: &str, stderr: &str) -> ConfigTest {
    let mut said: Vec<&str> = Vec::new();
    for line in stderr.lines() {
        let Some(at) = ["[emerg]", "[alert]", "[crit]", "[ALERT]"]
            .iter()
            .find_map(|t| line.find(t).map(|i| i + t.len()))
        else {
            continue;
        };
        let m = line[at..].trim_start();
        // nginx: "6866#6866: message"; HAProxy: "(1234) : config : message"
        let m = match m.split_once(": ") {
            Some((ids, rest)) if ids.contains('#') || ids.trim_end().ends_with(')') => rest,
            _ => m,
        };
        said.push(m.trim());
    }
    let denied = |m: &&str| m.contains("(13: Permission denied)");
    let (about_config, denials): (Vec<&str>, Vec<&str>) = said.iter().partition(|m| !denied(m));
    let text = |v: &[&str]| v.join("; ").chars().take(REFUSAL_CHARS).collect::<String>();
    if !about_config.is_empty() && about_config.iter().all(|m| elsewhere(m)) {
        ConfigTest::Untested(format!(
            "{program} here cannot load what the balancer may have (a file, a host or a module it names): {}",
            text(&about_config)
        ))
    } else if !about_config.is_empty() {
        ConfigTest::Rejected(text(&about_config))
    } else if !denials.is_empty() {
        ConfigTest::Untested(format!(
            "{program} could not test the configuration as this user: {}",
            text(&denials)
        ))
    } else {
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
        ConfigTest::Rejected(text(&[
            last.unwrap_or("it exited with an error and said nothing")
        ]))
    }
}

/// What the error log's recent tail holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorLogScan {
    /// The file read.
    pub path: String,
    /// Seconds back from now that were read (--since).
    pub since_s: u64,
    /// Per signature: how many lines, and the first one (redacted).
    pub counts: Vec<SignatureCount>,
    /// Why it could not be read, if it could not.
    pub error: Option<String>,
    /// The `error_log` line that names it (`FILE:LINE`), when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named_at: Option<String>,
}

/// The most error logs read.
pub const ERROR_LOGS: usize = 8;

/// A file an nginx `error_log` names, resolved as nginx resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLogTarget {
    /// The absolute path, or None when it cannot be resolved here (`why`).
    pub path: Result<String, String>,
    /// The line that names it, if one does.
    pub named_at: Option<String>,
}

/// The error-log files nginx writes: the main context's `error_log` (else `default`), then every
/// other `error_log` (a server or location block's own) that names a file, each once, at most
/// [`ERROR_LOGS`]. A relative path is under nginx's `prefix` (`nginx -V`'s --prefix); stderr,
/// syslog:, memory: and /dev/null are not files: their target says where the lines go.
pub fn error_log_targets(
    d: &[Directive],
    prefix: Option<&str>,
    default: &str,
) -> Vec<ErrorLogTarget> {
    let logs: Vec<&Directive> = d.iter().filter(|x| x.name == "error_log").collect();
    let main = logs.iter().rev().find(|x| x.context.is_empty());
    let mut out: Vec<ErrorLogTarget> = Vec::new();
    let resolve = |arg: &str| -> Option<Result<String, String>> {
        let sink = match arg {
            "stderr" => Some("to stderr (the journal or the container's log)"),
            "/dev/null" => Some("nowhere (/dev/null)"),
            a if a.starts_with("syslog:") => Some("to syslog"),
            a if a.starts_with("memory:") => Some("to a memory buffer (debugging)"),
            _ => None,
        };
        if let Some(sink) = sink {
            return Some(Err(format!(
                "error_log {arg}: nginx logs {sink}, not to a file read here"
            )));
        }
        Some(if arg.starts_with('/') {
            Ok(arg.to_string())
        } else {
            match prefix {
                Some(p) => Ok(format!("{}/{arg}", p.trim_end_matches('/'))),
                None => Err(format!(
                    "{arg} is relative to nginx's prefix, which is not known here (nginx -V)"
                )),
            }
        })
    };
    let main_target = match main {
        Some(x) => resolve(x.args.first().map_or("", String::as_str)).map(|p| ErrorLogTarget {
            path: p,
            named_at: Some(x.at()),
        }),
        None => Some(ErrorLogTarget {
            path: Ok(default.to_string()),
            named_at: None,
        }),
    };
    out.extend(main_target);
    for x in logs.iter().filter(|x| !x.context.is_empty()) {
        let Some(path) = resolve(x.args.first().map_or("", String::as_str)) else {
            continue;
        };
        if out.len() >= ERROR_LOGS || out.iter().any(|t| t.path == path) {
            continue;
        }
        out.push(ErrorLogTarget {
            path,
            named_at: Some(x.at()),
        });
    }
    out
}

/// One signature's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureCount {
    /// `jwt_failures`, `upstream_timed_out`, `no_live_upstreams`, `connection_refused`.
    pub signature: String,
    /// Lines in the window.
    pub count: u64,
    /// The first of them, cut before the client, request and host parts.
    pub first: String,
}

/// The error-log signatures lb.error_log counts, in report order: (name, what a line holds).
pub const ERROR_LOG_SIGNATURES: &[(&str, &[&str])] = &[
    ("jwt_failures", &["jwt", "signature", "invalid token"]),
    ("no_live_upstreams", &["no live upstreams"]),
    ("upstream_timed_out", &["upstream timed out"]),
    (
        "connection_refused",
        &["connect() failed (111: connection refused)"],
    ),
];

/// An nginx error-log line's time (`2026/11/28 23:15:01`, local time) as seconds since the epoch,
/// given the local offset from UTC in seconds.
pub fn nginx_log_time(line: &str, utc_offset_s: i64) -> Option<i64> {
    super::log::LogFormat::Nginx.time(line, utc_offset_s, 0)
}

/// The part of an error-log line safe to show: the time, the level and the message, without the
/// process ids and without what follows `, client:` (addresses, the request line with its query,
/// the host, the upstream).
pub fn redact_error_line(line: &str) -> String {
    let cut = line.find(", client:").map_or(line, |i| &line[..i]);
    // "2026/11/28 23:15:01 [error] 123#123: *5 message" → time, level, message
    let mut out = String::new();
    let mut rest = cut;
    if let Some(i) = rest.find("] ") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        if let Some((pids, msg)) = rest.split_once(": ") {
            if pids.contains('#') {
                rest = msg;
            }
        }
        if let Some(msg) = rest.strip_prefix('*') {
            rest = msg.split_once(' ').map_or(msg, |(_, m)| m);
        }
    }
    out.push_str(rest);
    out.chars().take(300).collect()
}

/// Counts the signatures in the lines of `tail` whose time is at or after `since` (seconds since
/// the epoch); lines without a time count when `since` is None.
pub fn scan_error_log(tail: &str, since: Option<i64>, utc_offset_s: i64) -> Vec<SignatureCount> {
    let mut counts: Vec<SignatureCount> = Vec::new();
    for line in tail.lines() {
        if let Some(since) = since {
            match nginx_log_time(line, utc_offset_s) {
                Some(t) if t >= since => {}
                _ => continue,
            }
        }
        let lower = line.to_ascii_lowercase();
        for (name, needles) in ERROR_LOG_SIGNATURES {
            if needles.iter().any(|n| lower.contains(n)) {
                match counts.iter_mut().find(|c| c.signature == *name) {
                    Some(c) => c.count += 1,
                    None => counts.push(SignatureCount {
                        signature: name.to_string(),
                        count: 1,
                        first: redact_error_line(line),
                    }),
                }
                break;
            }
        }
    }
    counts
}

/// Requests carrying a unique session header and cookie, sent through the balancer to a path
/// whose backend echoes the request headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveHeader {
    /// The URL asked.
    pub url: String,
    /// The cookie's name.
    pub cookie: String,
    /// One per request.
    pub answers: Vec<LiveAnswer>,
    /// Why no request got an answer, if none did.
    pub error: Option<String>,
    /// Where a backend's name was looked for: response headers, and with --lb-backend-header
    /// also that field of the echo body.
    #[serde(default)]
    pub markers: Vec<String>,
}

/// What one request through the balancer came back with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveAnswer {
    /// The HTTP status.
    pub status: u16,
    /// Whether the echo holds the session header with its value unchanged.
    pub header_arrived: bool,
    /// Whether it holds the cookie unchanged.
    pub cookie_arrived: bool,
    /// Which backend answered, when the answer says (see [`backend_mark`]).
    #[serde(default)]
    pub backend: Option<BackendMark>,
}

/// A backend naming itself in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendMark {
    /// Where: `header X-Upstream-Addr`, `body field backend`.
    pub from: String,
    /// The backend, as the answer names it (unescaped, capped).
    pub name: String,
}

/// Response headers that commonly name the backend that answered, looked for when
/// --lb-backend-header names none: nginx `add_header X-Upstream-Addr $upstream_addr`, HAProxy
/// `http-response set-header X-Server %s`, caches' X-Served-By. Not Server (the balancer's own
/// product name, alike for every backend) nor Server-Timing (durations differ per request, so
/// one backend would look like many).
pub const BACKEND_HEADERS: &[&str] = &[
    "X-Upstream-Addr",
    "X-Upstream",
    "X-Served-By",
    "X-Backend-Server",
    "X-Backend",
    "X-Server",
];

/// The longest backend name kept, in characters.
const BACKEND_CHARS: usize = 120;

/// Which backend answered: the first of `headers` (response headers, name and value) named in
/// `names`, else, for a name the user gave (`field`), a `NAME: value` line of the echo body or a
/// top-level field of a JSON echo. nginx lists every server a request tried
/// (`10.0.0.1:80, 10.0.0.2:80`, ` : ` after an internal redirect): the last one answered.
pub fn backend_mark(
    headers: &[(String, String)],
    body: &str,
    names: &[&str],
    field: Option<&str>,
) -> Option<BackendMark> {
    let last = |v: &str| {
        let v = v.rsplit(',').next().unwrap_or(v);
        let v = v.rsplit(" : ").next().unwrap_or(v).trim();
        (!v.is_empty()).then(|| v.chars().take(BACKEND_CHARS).collect::<String>())
    };
    let from_header = names.iter().find_map(|n| {
        let (k, v) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n))?;
        Some(BackendMark {
            from: format!("header {k}"),
            name: last(v)?,
        })
    });
    from_header.or_else(|| {
        let f = field?;
        let from_line = body.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(f).then(|| last(v)).flatten()
        });
        let from_json = || {
            let doc: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(body).ok()?;
            let (_, v) = doc.iter().find(|(k, _)| k.eq_ignore_ascii_case(f))?;
            match v {
                serde_json::Value::String(s) => last(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        Some(BackendMark {
            from: format!("body field {f}"),
            name: from_line.or_else(from_json)?,
        })
    })
}

/// Whether `text` is an HAProxy configuration rather than nginx's: HAProxy's sections start
/// at the beginning of a line with a keyword and no braces.
pub fn looks_like_haproxy(text: &str) -> bool {
    text.lines().any(|l| {
        let w = l.split_whitespace().next().unwrap_or("");
        !l.starts_with(char::is_whitespace)
            && ["frontend", "backend", "listen", "defaults"].contains(&w)
            && !l.contains('{')
    })
}

/// The version in `nginx -v` (`nginx version: nginx/1.22.1`) or `haproxy -v` (`HAProxy
/// version 2.6.12-1+deb12u4 2026/10/17 …`) output.
pub fn parse_version(text: &str) -> Option<String> {
    let rest = text
        .split_once("nginx/")
        .map(|(_, r)| r)
        .or_else(|| text.split_once("HAProxy version ").map(|(_, r)| r))?;
    let v: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    (!v.is_empty()).then_some(v)
}

/// The files an `include` names, in nginx's order (glob(3)'s: sorted), each with its text or
/// why it could not be read.
pub type Included = Vec<(String, Result<String, String>)>;

/// The most nested includes followed (nginx itself stops at none; a file that includes itself
/// would loop).
const INCLUDE_DEPTH: usize = 16;
/// The most files read through includes.
pub const INCLUDE_FILES: usize = 512;

/// The absolute pattern an `include` argument names: nginx resolves a relative one against the
/// directory of the main configuration file (its conf prefix), not of the including file.
pub fn include_pattern(main_file: &str, arg: &str) -> String {
    if arg.starts_with('/') {
        return arg.to_string();
    }
    match main_file.rsplit_once('/') {
        Some((dir, _)) if !dir.is_empty() => format!("{dir}/{arg}"),
        Some(_) => format!("/{arg}"),
        None => arg.to_string(),
    }
}

/// How glob(3), which nginx uses, matches: `*` crosses no `/` and matches no leading dot.
pub const GLOB_OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: true,
};

/// Whether an include argument is a glob (nginx: `*`, `?` or `[`), which may match nothing.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// An nginx configuration as nginx reads it: the main file with every `include` expanded in
/// place, so an included file's directives sit in the blocks around the include.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxConfig {
    /// The directives, in order (the `include` lines kept).
    pub directives: Vec<Directive>,
    /// What could not be followed: `FILE:LINE include ARG: why`.
    pub unfollowed: Vec<String>,
    /// How many files were read, the main one included.
    pub files: usize,
}

/// Parses the main file `text` and, through `open`, every file its includes name (`open` gets
/// the absolute pattern, see [`include_pattern`], and returns the matching files in order).
pub fn parse_nginx_tree(
    file: &str,
    text: &str,
    open: &mut dyn FnMut(&str) -> Included,
) -> Result<NginxConfig, String> {
    let mut p = NginxParse {
        main: file.to_string(),
        out: NginxConfig {
            directives: Vec::new(),
            unfollowed: Vec::new(),
            files: 1,
        },
        stack: Vec::new(),
        blocks: Vec::new(),
        next_block: 0,
        open,
    };
    p.file(file, text, 0)?;
    Ok(p.out)
}

struct NginxParse<'o> {
    main: String,
    out: NginxConfig,
    stack: Vec<String>,
    blocks: Vec<u32>,
    next_block: u32,
    open: &'o mut dyn FnMut(&str) -> Included,
}

impl NginxParse<'_> {
    fn file(&mut self, path: &str, body: &str, depth: usize) -> Result<(), String> {
        let entry = self.stack.len();
        let mut words: Vec<String> = Vec::new();
        let mut start = 0usize;
        let tokens = nginx_tokens(body).map_err(|e| format!("{path}: {e}"))?;
        for (word, line) in tokens {
            if words.is_empty() {
                start = line;
            }
            match word.as_str() {
                "{" => {
                    self.stack.push(words.join(" "));
                    self.blocks.push(self.next_block);
                    self.next_block += 1;
                    words.clear();
                }
                "}" => {
                    if self.stack.len() == entry {
                        return Err(format!("{path}:{line}: unexpected \"}}\""));
                    }
                    self.stack.pop();
                    self.blocks.pop();
                    words.clear();
                }
                ";" => {
                    if let Some((name, args)) = words.split_first() {
                        let d = Directive {
                            file: path.to_string(),
                            line: start,
                            context: self.stack.clone(),
                            name: name.clone(),
                            args: args.to_vec(),
                            blocks: self.blocks.clone(),
                        };
                        let include = (d.name == "include").then(|| d.args.first().cloned());
                        self.out.directives.push(d);
                        if let Some(arg) = include.flatten() {
                            self.include(path, start, &arg, depth)?;
                        }
                    }
                    words.clear();
                }
                _ => words.push(word),
            }
        }
        if self.stack.len() != entry {
            return Err(format!("{path}: unexpected end of file, expecting \"}}\""));
        }
        Ok(())
    }

    fn include(&mut self, path: &str, line: usize, arg: &str, depth: usize) -> Result<(), String> {
        let not = |why: &str| format!("{path}:{line} include {arg}: {why}");
        if depth >= INCLUDE_DEPTH {
            self.out
                .unfollowed
                .push(not(&format!("more than {INCLUDE_DEPTH} nested includes")));
            return Ok(());
        }
        let pattern = include_pattern(&self.main, arg);
        let found = (self.open)(&pattern);
        if found.is_empty() && !is_glob(&pattern) {
            self.out
                .unfollowed
                .push(not(&format!("{pattern} not found")));
        }
        for (f, text) in found {
            if self.out.files >= INCLUDE_FILES {
                self.out
                    .unfollowed
                    .push(not(&format!("more than {INCLUDE_FILES} files")));
                return Ok(());
            }
            match text {
                Ok(t) => {
                    self.out.files += 1;
                    self.file(&f, &t, depth + 1)?;
                }
                Err(e) => self.out.unfollowed.push(not(&format!("{f}: {e}"))),
            }
        }
        Ok(())
    }
}

/// Splits nginx configuration text into directives. `nginx -T` output is read as the files it
/// concatenates (`# configuration file PATH:` lines): the first is the main file, and each
/// `include` is expanded in place from the dumped files it matches. Plain text is attributed to
/// `file` and its includes are not followed.
pub fn parse_nginx(text: &str, file: &str) -> Result<Vec<Directive>, String> {
    let mut parts: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(p) = line
            .strip_prefix("# configuration file ")
            .and_then(|l| l.trim_end().strip_suffix(':'))
        {
            parts.push((p.to_string(), String::new()));
        } else if let Some(last) = parts.last_mut() {
            last.1.push_str(line);
        } else if !line.starts_with("nginx: ") {
            parts.push((file.to_string(), line.to_string()));
        }
    }
    let Some(((main, body), dumped)) = parts.split_first() else {
        return Ok(Vec::new());
    };
    let mut open = |pattern: &str| -> Included {
        let glob = glob::Pattern::new(pattern).ok();
        let mut hits: Included = dumped
            .iter()
            .filter(|(p, _)| {
                glob.as_ref()
                    .map_or(p == pattern, |g| g.matches_with(p, GLOB_OPTIONS))
            })
            .map(|(p, b)| (p.clone(), Ok(b.clone())))
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0));
        hits.dedup_by(|a, b| a.0 == b.0);
        hits
    };
    parse_nginx_tree(main, body, &mut open).map(|c| c.directives)
}

/// nginx's tokens with their lines: words (quotes removed), `{`, `}` and `;`; comments dropped.
fn nginx_tokens(text: &str) -> Result<Vec<(String, usize)>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            '{' | '}' | ';' => out.push((c.to_string(), line)),
            '"' | '\'' => {
                let (quote, at) = (c, line);
                let mut w = String::new();
                loop {
                    match chars.next() {
                        None => return Err(format!("line {at}: unterminated quote")),
                        Some('\\') => w.extend(chars.next()),
                        Some(x) if x == quote => break,
                        Some(x) => {
                            if x == '\n' {
                                line += 1;
                            }
                            w.push(x)
                        }
                    }
                }
                out.push((w, at));
            }
            c => {
                let mut w = c.to_string();
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || matches!(n, '{' | '}' | ';') {
                        break;
                    }
                    w.push(n);
                    chars.next();
                }
                let lua = w.ends_with("_by_lua_block");
                out.push((w, line));
                if lua {
                    // OpenResty's *_by_lua_block holds Lua, not nginx syntax: its body is one
                    // argument, read up to the brace that closes it
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        if chars.next() == Some('\n') {
                            line += 1;
                        }
                    }
                    if chars.peek() == Some(&'{') {
                        chars.next();
                        let at = line;
                        let body = lua_block(&mut chars, &mut line)
                            .ok_or_else(|| format!("line {at}: unterminated Lua block"))?;
                        out.push((body, at));
                        out.push((";".into(), line));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A Lua block's text up to its closing brace (consumed), skipping braces in Lua strings, long
/// brackets and comments; None when the text ends first.
fn lua_block(chars: &mut std::iter::Peekable<std::str::Chars>, line: &mut usize) -> Option<String> {
    let mut body = String::new();
    let mut depth = 0usize;
    let mut next = |chars: &mut std::iter::Peekable<std::str::Chars>, body: &mut String| {
        let c = chars.next()?;
        if c == '\n' {
            *line += 1;
        }
        body.push(c);
        Some(c)
    };
    // a long bracket's closing `]=*]` after its opening `[=*[` (the first `[` already read)
    let long = |chars: &mut std::iter::Peekable<std::str::Chars>,
                body: &mut String,
                next: &mut dyn FnMut(
        &mut std::iter::Peekable<std::str::Chars>,
        &mut String,
    ) -> Option<char>|
     -> Option<bool> {
        let mut level = 0;
        while chars.peek() == Some(&'=') {
            next(chars, body)?;
            level += 1;
        }
        if chars.peek() != Some(&'[') {
            return Some(false);
        }
        next(chars, body)?;
        let close = format!("]{}]", "=".repeat(level));
        while !body.ends_with(&close) {
            next(chars, body)?;
        }
        Some(true)
    };
    loop {
        match chars.peek()? {
            '}' if depth == 0 => {
                chars.next();
                return Some(body);
            }
            _ => {}
        }
        match next(chars, &mut body)? {
            '{' => depth += 1,
            '}' => depth -= 1,
            q @ ('"' | '\'') => loop {
                match next(chars, &mut body)? {
                    '\\' => {
                        next(chars, &mut body)?;
                    }
                    x if x == q || x == '\n' => break,
                    _ => {}
                }
            },
            '[' => {
                long(chars, &mut body, &mut next)?;
            }
            '-' if chars.peek() == Some(&'-') => {
                next(chars, &mut body)?;
                let bracket = chars.peek() == Some(&'[');
                if bracket {
                    next(chars, &mut body)?;
                }
                if !(bracket && long(chars, &mut body, &mut next)?) {
                    while chars.peek().is_some_and(|c| *c != '\n') {
                        next(chars, &mut body)?;
                    }
                }
            }
            _ => {}
        }
    }
}

/// Splits an HAProxy configuration into directives, each under its section (`backend api`).
pub fn parse_haproxy(text: &str, file: &str) -> Vec<Directive> {
    const SECTIONS: &[&str] = &[
        "global",
        "defaults",
        "frontend",
        "backend",
        "listen",
        "resolvers",
        "peers",
        "userlist",
        "program",
        "http-errors",
        "ring",
        "mailers",
        "cache",
    ];
    let mut out = Vec::new();
    let mut section: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let words = haproxy_words(raw);
        let Some((name, args)) = words.split_first() else {
            continue;
        };
        if SECTIONS.contains(&name.as_str()) {
            section = vec![words.join(" ")];
            continue;
        }
        out.push(Directive {
            file: file.to_string(),
            line: i + 1,
            context: section.clone(),
            name: name.clone(),
            args: args.to_vec(),
            blocks: Vec::new(),
        });
    }
    out
}

/// One line of an HAProxy configuration as HAProxy splits it (its manual, "Quoting and
/// escaping"): words part at blanks; `#` starts a comment outside quotes; a backslash escapes
/// the next character (`\ `, `\#`, `\\`, `\'`, `\"`; `\r`, `\n`, `\t` and `\xNN` are those
/// bytes) outside single quotes; double quotes group a word and keep escapes; single quotes
/// group a word and keep everything as written. `"a b"` is one word `a b`; `"x # y"` is no
/// comment. `${VAR}` is kept as written (the environment is the balancer's, not this host's).
pub fn haproxy_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    // a word was started (an empty "" is a word)
    let mut started = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), c) => word.push(c),
            (_, '\\') => {
                started = true;
                match chars.next() {
                    Some('r') => word.push('\r'),
                    Some('n') => word.push('\n'),
                    Some('t') => word.push('\t'),
                    Some('x') => {
                        let hex: String = chars.clone().take(2).collect();
                        match u8::from_str_radix(&hex, 16) {
                            Ok(b) if hex.len() == 2 => {
                                word.push(char::from(b));
                                chars.nth(1);
                            }
                            _ => word.push('x'),
                        }
                    }
                    Some(other) => word.push(other),
                    None => word.push('\\'),
                }
            }
            (Some('"'), '"') => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (None, '#') => break,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// An HAProxy proxy (a `frontend`, `backend` or `listen` section) with the `defaults` section it
/// inherits from: the one it names with `from NAME`, else the last one before it.
#[derive(Debug, Clone)]
pub struct HaproxyProxy<'a> {
    /// `frontend`, `backend` or `listen`.
    pub kind: &'a str,
    /// Its name.
    pub name: &'a str,
    /// The inherited defaults' directives, in file order, then its own.
    pub lines: Vec<&'a Directive>,
    /// How many of `lines` are inherited (the first ones).
    pub inherited: usize,
}

/// The options that set HAProxy's HTTP connection mode; one replaces another.
const HTTP_CONNECTION_MODES: &[&str] = &[
    "http-keep-alive",
    "http-server-close",
    "httpclose",
    "forceclose",
];

/// The options that choose how HAProxy health-checks servers.
const CHECK_OPTIONS: &[&str] = &[
    "httpchk",
    "tcp-check",
    "redis-check",
    "pgsql-check",
    "mysql-check",
    "ssl-hello-chk",
    "smtpchk",
    "ldap-check",
    "spop-check",
    "external-check",
];

impl<'a> HaproxyProxy<'a> {
    /// `backend api`, as findings name it.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }

    /// Its own directives, without the inherited ones.
    pub fn own(&self) -> &[&'a Directive] {
        &self.lines[self.inherited..]
    }

    /// Whether `x` is inherited from a defaults section.
    pub fn inherits(&self, x: &Directive) -> bool {
        self.lines[..self.inherited]
            .iter()
            .any(|d| std::ptr::eq(*d, x))
    }

    /// The last `name` directive that applies, its own or inherited.
    pub fn last(&self, name: &str) -> Option<&'a Directive> {
        self.lines.iter().rev().copied().find(|x| x.name == name)
    }

    /// Its mode (`http`, `tcp`): the last `mode` line, its own or inherited; HAProxy's default
    /// is tcp.
    pub fn mode(&self) -> &'a str {
        self.last("mode")
            .and_then(|x| x.args.first())
            .map_or("tcp", String::as_str)
    }

    /// Whether it has servers of its own (`server`, `server-template`).
    pub fn has_servers(&self) -> bool {
        self.own()
            .iter()
            .any(|x| x.name == "server" || x.name == "server-template")
    }

    /// The `option http-server-close` / `option httpclose` (or the older `forceclose`) in
    /// force, if one is: the last of the connection-mode options, not undone by a later
    /// `no option …` (a `no option` only undoes the option it names, and only while that one is
    /// in force, as HAProxy does).
    pub fn closing_option(&self) -> Option<&'a Directive> {
        let mut mode: Option<(&str, &'a Directive)> = None;
        for x in &self.lines {
            let (undo, args) = match (x.name.as_str(), x.args.split_first()) {
                ("option", _) => (false, &x.args[..]),
                ("no" | "default", Some((o, rest))) if o == "option" => (true, rest),
                _ => continue,
            };
            let Some(o) = args
                .first()
                .filter(|o| HTTP_CONNECTION_MODES.contains(&o.as_str()))
            else {
                continue;
            };
            if !undo {
                mode = Some((o.as_str(), *x));
            } else if mode.is_some_and(|(m, _)| m == o) {
                mode = None;
            }
        }
        mode.filter(|(m, _)| *m != "http-keep-alive")
            .map(|(_, x)| x)
    }

    /// Its servers' lines (`server`, `server-template`).
    pub fn servers(&self) -> Vec<&'a Directive> {
        self.own()
            .iter()
            .copied()
            .filter(|x| x.name == "server" || x.name == "server-template")
            .collect()
    }

    /// The health check type in force: the last of `option httpchk`, `tcp-check`,
    /// `redis-check`, `pgsql-check` … (one replaces another); None: a plain `check` connects.
    pub fn check_option(&self) -> Option<&'a Directive> {
        self.lines.iter().rev().copied().find(|x| {
            x.name == "option"
                && x.args
                    .first()
                    .is_some_and(|a| CHECK_OPTIONS.contains(&a.as_str()))
        })
    }

    /// The backends it sends requests to by name (`default_backend`, `use_backend`); a name
    /// built at run time (`%[…]`) is not among them.
    pub fn routes(&self) -> Vec<&'a str> {
        self.lines
            .iter()
            .filter(|x| x.name == "default_backend" || x.name == "use_backend")
            .filter_map(|x| x.args.first())
            .filter(|b| !b.contains("%["))
            .map(String::as_str)
            .collect()
    }
}

/// The proxies of an HAProxy configuration, in file order, each with what it inherits.
pub fn haproxy_proxies(d: &[Directive]) -> Vec<HaproxyProxy<'_>> {
    let mut out: Vec<HaproxyProxy> = Vec::new();
    // (name, its directives) of each defaults section seen so far
    let mut defaults: Vec<(&str, Vec<&Directive>)> = Vec::new();
    let mut i = 0;
    while i < d.len() {
        let head = d[i].context.first().map_or("", String::as_str);
        let end = d[i..]
            .iter()
            .position(|x| x.context.first().map_or("", String::as_str) != head)
            .map_or(d.len(), |n| i + n);
        let words: Vec<&str> = head.split_whitespace().collect();
        let section: Vec<&Directive> = d[i..end].iter().collect();
        match words.as_slice() {
            ["defaults", rest @ ..] => {
                defaults.push((rest.first().copied().unwrap_or(""), section));
            }
            [kind @ ("frontend" | "backend" | "listen"), name, rest @ ..] => {
                let from = match rest {
                    ["from", parent, ..] => defaults.iter().rev().find(|(n, _)| n == parent),
                    _ => defaults.last(),
                };
                let mut lines: Vec<&Directive> = from.map_or_else(Vec::new, |(_, l)| l.clone());
                let inherited = lines.len();
                lines.extend(section);
                out.push(HaproxyProxy {
                    kind,
                    name,
                    lines,
                    inherited,
                });
            }
            _ => {}
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_dumps_split_into_files_blocks_and_lines() {
        let dump = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n\
# configuration file /etc/nginx/nginx.conf:\n\
http {\n  underscores_in_headers on; # comment\n  include /etc/nginx/conf.d/*.conf;\n}\n\
# configuration file /etc/nginx/conf.d/api.conf:\n\
upstream api {\n  ip_hash;\n  server 10.0.0.1:8080 max_fails=3;\n}\n\
server {\n  location / { proxy_set_header \"X-Session-Id\" ''; }\n}\n";
        let d = parse_nginx(dump, "-").unwrap();
        let names: Vec<(&str, &str, usize)> = d
            .iter()
            .map(|d| (d.name.as_str(), d.file.as_str(), d.line))
            .collect();
        assert_eq!(
            names,
            [
                ("underscores_in_headers", "/etc/nginx/nginx.conf", 2),
                ("include", "/etc/nginx/nginx.conf", 3),
                ("ip_hash", "/etc/nginx/conf.d/api.conf", 2),
                ("server", "/etc/nginx/conf.d/api.conf", 3),
                ("proxy_set_header", "/etc/nginx/conf.d/api.conf", 6),
            ]
        );
        // an included file's directives sit in the blocks around the include
        assert_eq!(d[2].context, ["http", "upstream api"]);
        assert!(d[2].within("upstream"));
        assert_eq!(d[4].args, ["X-Session-Id", ""]);
        assert_eq!(d[4].context, ["http", "server", "location /"]);
        assert!(parse_nginx("http {", "f")
            .unwrap_err()
            .contains("expecting"));
        assert!(parse_nginx("}", "f").unwrap_err().contains("f:1"));
    }

    fn files<'a>(list: &'a [(&'a str, &'a str)]) -> impl FnMut(&str) -> Included + 'a {
        move |pattern: &str| {
            let g = glob::Pattern::new(pattern).unwrap();
            list.iter()
                .filter(|(p, _)| g.matches_with(p, GLOB_OPTIONS))
                .map(|(p, t)| (p.to_string(), Ok(t.to_string())))
                .collect()
        }
    }

    #[test]
    fn includes_are_expanded_in_place_relative_to_the_main_files_directory() {
        let main = "http {\n  server {\n    location /api {\n      include snippets/*.conf;\n      proxy_pass http://app;\n    }\n  }\n  server { include missing.conf; include none/*.conf; }\n}\nstream { include /etc/nginx/stream.d/*.conf; }\n";
        let fs = [
            (
                "/etc/nginx/snippets/a.conf",
                "proxy_set_header X-Session-Id \"\";\n",
            ),
            (
                "/etc/nginx/snippets/sub/b.conf",
                "proxy_set_header Host $host;\n",
            ),
            (
                "/etc/nginx/snippets/.hidden.conf",
                "proxy_set_header X-Hidden 1;\n",
            ),
            (
                "/etc/nginx/stream.d/redis.conf",
                "upstream redis { server 10.0.0.1:6380; server 10.0.0.2:6380; }\n",
            ),
        ];
        let c = parse_nginx_tree("/etc/nginx/nginx.conf", main, &mut files(&fs)).unwrap();
        let d = &c.directives;
        let psh: Vec<&Directive> = d.iter().filter(|x| x.name == "proxy_set_header").collect();
        // `*` crosses no `/` and matches no leading dot, as glob(3)
        assert_eq!(psh.len(), 1, "{psh:?}");
        assert_eq!(psh[0].context, ["http", "server", "location /api"]);
        assert_eq!(psh[0].at(), "/etc/nginx/snippets/a.conf:1");
        let redis: Vec<&Directive> = d.iter().filter(|x| x.is_upstream_server()).collect();
        assert!(redis.iter().all(|x| x.within("stream")), "{redis:?}");
        // a named file that is not there is said; a glob matching nothing is not
        assert_eq!(
            c.unfollowed,
            ["/etc/nginx/nginx.conf:8 include missing.conf: /etc/nginx/missing.conf not found"]
        );
        assert_eq!(c.files, 3);
        // two blocks with the same head are told apart
        let servers: Vec<&Directive> = d
            .iter()
            .filter(|x| x.name == "include" && x.within("server"))
            .collect();
        assert_ne!(servers[0].blocks[..2], servers[1].blocks[..2]);
        assert_eq!(servers[0].context[..2], servers[1].context[..2]);
    }

    #[test]
    fn a_file_that_includes_itself_stops_at_the_depth_bound() {
        let fs = [("/etc/nginx/loop.conf", "include loop.conf;\n")];
        let c = parse_nginx_tree(
            "/etc/nginx/loop.conf",
            "include loop.conf;",
            &mut files(&fs),
        )
        .unwrap();
        assert_eq!(c.files, INCLUDE_DEPTH + 1);
        assert!(
            c.unfollowed[0].contains("more than 16 nested includes"),
            "{:?}",
            c.unfollowed
        );
        // an included file must close what it opens
        let fs = [("/x/open.conf", "server {\n")];
        let e = parse_nginx_tree("/x/n.conf", "http { include open.conf; }", &mut files(&fs))
            .unwrap_err();
        assert!(e.contains("/x/open.conf"), "{e}");
    }

    #[test]
    fn lua_blocks_are_one_argument_whatever_their_braces_strings_and_comments() {
        let conf = "http {\n  init_worker_by_lua_block {\n    local hc = require \"resty.upstream.healthcheck\"\n    -- a comment with } and {\n    local ok, err = hc.spawn_checker{ shm = \"hc\", upstream = \"app\", type = \"http\",\n      http_req = \"GET /health HTTP/1.0\\r\\nHost: app\\r\\n\\r\\n\", valid_statuses = {200, 302} }\n    local s = '}' .. [[ } ]] .. #t --[[ } ]]\n  }\n  upstream app { server 10.0.0.1:80; server 10.0.0.2:80; }\n}\n";
        let d = parse_nginx(conf, "/etc/nginx/nginx.conf").unwrap();
        let lua = d
            .iter()
            .find(|x| x.name == "init_worker_by_lua_block")
            .unwrap();
        assert_eq!(
            (lua.line, lua.context.clone()),
            (2, vec!["http".to_string()])
        );
        assert!(lua.args[0].contains("spawn_checker{ shm"), "{:?}", lua.args);
        let up = d.iter().filter(|x| x.is_upstream_server()).count();
        assert_eq!(up, 2);
        assert_eq!(d.iter().find(|x| x.name == "server").unwrap().line, 9);
        assert!(parse_nginx("content_by_lua_block { x = '}'", "f")
            .unwrap_err()
            .contains("Lua"));
    }

    #[test]
    fn every_error_log_is_resolved_as_nginx_resolves_it() {
        let conf = "error_log logs/error.log warn;\nhttp {\n  server { error_log /var/log/nginx/app.error.log; }\n  server { error_log syslog:server=unix:/dev/log; }\n  server { error_log logs/error.log; }\n}\n";
        let d = parse_nginx(conf, "/etc/nginx/nginx.conf").unwrap();
        let t = error_log_targets(&d, Some("/usr/share/nginx/"), "/var/log/nginx/error.log");
        let paths: Vec<Result<String, String>> = t.iter().map(|t| t.path.clone()).collect();
        assert_eq!(paths[0], Ok("/usr/share/nginx/logs/error.log".into()));
        assert_eq!(paths[1], Ok("/var/log/nginx/app.error.log".into()));
        assert!(
            paths[2].as_ref().is_err_and(|e| e.contains("to syslog")),
            "{paths:?}"
        );
        // each file once
        assert_eq!(paths.len(), 3, "{paths:?}");
        assert_eq!(t[1].named_at.as_deref(), Some("/etc/nginx/nginx.conf:3"));
        // no prefix known: said, not guessed
        let t = error_log_targets(&d, None, "/var/log/nginx/error.log");
        assert!(
            t[0].path.as_ref().is_err_and(|e| e.contains("prefix")),
            "{t:?}"
        );
        // no main error_log: the default; stderr: said where it goes
        let d = parse_nginx("error_log stderr;\nhttp { }\n", "n").unwrap();
        let t = error_log_targets(&d, None, "/var/log/nginx/error.log");
        assert!(
            t[0].path.as_ref().is_err_and(|e| e.contains("stderr")),
            "{t:?}"
        );
        let d = parse_nginx("http { }\n", "n").unwrap();
        let t = error_log_targets(&d, None, "/var/log/nginx/error.log");
        assert_eq!(t[0].path, Ok("/var/log/nginx/error.log".into()));
    }

    #[test]
    fn haproxy_lines_split_as_haproxy_splits_them() {
        let w = |l: &str| haproxy_words(l);
        // before: split at every blank and cut at every '#', quotes kept as text
        assert_eq!(
            w(r#"http-request set-header X-Note "keep # this" # a comment"#),
            ["http-request", "set-header", "X-Note", "keep # this"]
        );
        assert_eq!(
            w(r#"acl api hdr(host) -m str 'a b\c' "d\"e" f\ g"#),
            [
                "acl",
                "api",
                "hdr(host)",
                "-m",
                "str",
                r"a b\c",
                "d\"e",
                "f g"
            ]
        );
        assert_eq!(
            w(r"errorfile 503 /etc/haproxy/errors/503\#1.http"),
            ["errorfile", "503", "/etc/haproxy/errors/503#1.http"]
        );
        assert_eq!(w(r#"x "" y"#), ["x", "", "y"]);
        assert_eq!(w(r"a\x41\tb"), ["aA\tb"]);
        assert_eq!(w("   # only a comment"), Vec::<String>::new());
        assert_eq!(
            w("balance hdr(${SESSION_HEADER})"),
            ["balance", "hdr(${SESSION_HEADER})"]
        );
        // a section line keeps its words
        let d = parse_haproxy(
            "backend api\n  http-request set-header X-Id \"a # b\"\n",
            "h.cfg",
        );
        assert_eq!(d[0].args, ["set-header", "X-Id", "a # b"]);
    }

    #[test]
    fn haproxy_configs_split_into_sections() {
        let cfg = "global\n  daemon\n\nbackend api\n  balance roundrobin\n  cookie SRV insert indirect # sticky\n  server a 10.0.0.1:80 check\n";
        assert!(looks_like_haproxy(cfg));
        assert!(!looks_like_haproxy("http {\n}\n"));
        let d = parse_haproxy(cfg, "/etc/haproxy/haproxy.cfg");
        assert_eq!(d[2].name, "cookie");
        assert_eq!(d[2].args, ["SRV", "insert", "indirect"]);
        assert_eq!(
            (d[2].line, d[2].context.clone()),
            (6, vec!["backend api".to_string()])
        );
    }

    #[test]
    fn error_logs_are_counted_by_signature_within_the_window_and_redacted() {
        let log = "2026/11/28 22:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.2.3, server: , request: \"GET /s?token=abc HTTP/1.1\", upstream: \"http://127.0.0.1:9/s\"\n\
2026/11/28 23:00:00 [error] 7#7: *2 connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.2.3, server: , request: \"GET /s?token=abc HTTP/1.1\"\n\
2026/11/28 23:00:01 [error] 7#7: *3 no live upstreams while connecting to upstream, client: 10.1.2.3\n\
2026/11/28 23:00:02 [error] 7#7: *4 auth_jwt: JWT signature verification failed, client: 10.1.2.3\n\
2026/11/28 23:00:03 [notice] 7#7: signal process started\n";
        let since = nginx_log_time("2026/11/28 22:30:00", 0);
        let c = scan_error_log(log, since, 0);
        let got: Vec<(&str, u64)> = c.iter().map(|c| (c.signature.as_str(), c.count)).collect();
        assert_eq!(
            got,
            [
                ("connection_refused", 1),
                ("no_live_upstreams", 1),
                ("jwt_failures", 1)
            ]
        );
        assert_eq!(
            c[0].first,
            "2026/11/28 23:00:00 [error] connect() failed (111: Connection refused) while connecting to upstream"
        );
        assert!(!c
            .iter()
            .any(|c| c.first.contains("token=") || c.first.contains("10.1.2.3")));
        // the whole tail without a window; a local offset moves the window
        assert_eq!(scan_error_log(log, None, 0)[0].count, 2);
        assert_eq!(
            nginx_log_time("2026/11/28 23:00:00 x", 3600),
            nginx_log_time("2026/11/28 22:00:00", 0)
        );
    }

    #[test]
    fn refusals_are_nginx_s_own_words_and_permission_is_not_the_config() {
        let unknown = "2026/12/05 09:09:01 [emerg] 6866#6866: unknown directive \"frobnicate\" in /t/n.conf:5\nnginx: configuration file /t/n.conf test failed\n";
        assert_eq!(
            refusal("nginx", unknown),
            ConfigTest::Rejected("unknown directive \"frobnicate\" in /t/n.conf:5".into())
        );
        // no error log yet: nginx writes to stderr with its own prefix
        let early = "nginx: [alert] could not open error log file: open() \"/var/log/nginx/error.log\" failed (13: Permission denied)\nnginx: [emerg] directive \"x\" is not terminated by \";\" in /t/n.conf:6\n";
        assert_eq!(
            refusal("nginx", early),
            ConfigTest::Rejected(
                "directive \"x\" is not terminated by \";\" in /t/n.conf:6".into()
            )
        );
        let denied = "2026/12/05 09:09:01 [emerg] 6871#6871: open() \"/run/nginx.pid\" failed (13: Permission denied)\nnginx: configuration file /t/n.conf test failed\n";
        assert!(
            matches!(refusal("nginx", denied), ConfigTest::Untested(w) if w.contains("as this user"))
        );
        // what a copy of the balancer's configuration lacks here is not the configuration's fault
        for elsewhere in [
            "nginx: [emerg] cannot load certificate \"/etc/letsencrypt/live/a/fullchain.pem\": BIO_new_file() failed (SSL: error:80000002:system library::No such file or directory:calling fopen(/etc/letsencrypt/live/a/fullchain.pem, r) error:10000080:BIO routines::no such file)",
            "nginx: [emerg] open() \"/etc/nginx/snippets/ssl.conf\" failed (2: No such file or directory) in /t/n.conf:9",
            "nginx: [emerg] host not found in upstream \"app.internal:8080\" in /t/n.conf:12",
            "nginx: [emerg] unknown directive \"health_check\" in /t/n.conf:20",
            "nginx: [emerg] unknown directive \"init_worker_by_lua_block\" in /t/n.conf:3",
        ] {
            assert!(
                matches!(refusal("nginx", elsewhere), ConfigTest::Untested(w) if w.contains("cannot load what the balancer may have")),
                "{elsewhere}"
            );
        }
        let haproxy = "[NOTICE]   (1) : haproxy version is 2.6.12\n[ALERT]    (1) : config : parsing [/t/h.cfg:3] : unknown keyword 'frob' in 'global' section\n";
        assert_eq!(
            refusal("haproxy", haproxy),
            ConfigTest::Rejected(
                "config : parsing [/t/h.cfg:3] : unknown keyword 'frob' in 'global' section".into()
            )
        );
    }

    #[test]
    fn the_backend_is_named_by_a_header_or_the_field_the_user_gives() {
        let h = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        let mark = |headers: &[(String, String)], body: &str, field: Option<&str>| {
            let names: Vec<&str> = field.map_or(BACKEND_HEADERS.to_vec(), |f| vec![f]);
            backend_mark(headers, body, &names, field).map(|b| (b.from, b.name))
        };
        // nginx's $upstream_addr after a failover: the last server tried answered
        assert_eq!(
            mark(&h("x-upstream-addr", "10.0.0.1:80, 10.0.0.2:80"), "", None),
            Some(("header x-upstream-addr".into(), "10.0.0.2:80".into()))
        );
        assert_eq!(
            mark(&h("x-served-by", "a : web2"), "", None).map(|m| m.1),
            Some("web2".into())
        );
        // neither Server nor a body line counts without a name from the user
        assert_eq!(mark(&h("server", "nginx"), "backend: b1\n", None), None);
        // a named field: the header first, then an echoed line, then a JSON field
        assert_eq!(
            mark(&h("backend", "h1"), "backend: b1\n", Some("Backend")).map(|m| m.1),
            Some("h1".into())
        );
        assert_eq!(
            mark(&[], "x-a: 1\nBackend: b1\n", Some("backend")),
            Some(("body field backend".into(), "b1".into()))
        );
        assert_eq!(
            mark(&[], r#"{"headers": {"a": "b"}, "node": 3}"#, Some("node")).map(|m| m.1),
            Some("3".into())
        );
        assert_eq!(mark(&[], r#"{"node": ""}"#, Some("node")), None);
        let long = "x".repeat(500);
        assert_eq!(
            mark(&h("x-server", &long), "", None).map(|m| m.1.len()),
            Some(BACKEND_CHARS)
        );
    }

    #[test]
    fn versions_come_from_either_banner() {
        assert_eq!(
            parse_version("nginx version: nginx/1.22.1\n").as_deref(),
            Some("1.22.1")
        );
        assert_eq!(
            parse_version("HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/")
                .as_deref(),
            Some("2.6.12")
        );
        assert_eq!(parse_version("nginx version: openresty/1.21.4.3"), None);
    }
}
