//! Checks of a fresh node's software: `preflight.openssl`.

use super::{Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::preflight::PreflightObservation;

/// The preflight checks, in report order.
pub static CHECKS: &[Check] = &[Check {
    id: "preflight.openssl",
    area: Area::Preflight,
    tags: &[Tag::Preflight, Tag::Doctor],
    doc: "OpenSSL below 3.0 fails (`openssl version`, and the libssl that redis-server and postgres link to); skip when neither can be read",
    full: false,
    eval: Eval::Preflight(openssl),
}];

/// The major.minor of an `openssl version` line ("OpenSSL 3.0.15 3 Sep 2024") or a libssl
/// soname ("libssl.so.3", "libssl.so.1.1").
pub fn openssl_version(text: &str) -> Option<(u32, u32)> {
    let v = match text.strip_prefix("libssl.so.") {
        Some(rest) => rest,
        None => text.split_whitespace().nth(1)?,
    };
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts
        .next()
        .map(|m| m.trim_end_matches(|c: char| c.is_ascii_alphabetic()))
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    Some((major, minor))
}

/// `preflight.openssl`.
pub fn openssl(p: &PreflightObservation, _t: &Ctx) -> Verdict {
    let mut found: Vec<(String, String, (u32, u32))> = Vec::new();
    let mut why = Vec::new();
    match &p.openssl_cli {
        Ok(line) => match openssl_version(line) {
            Some(v) => found.push(("openssl version".into(), line.clone(), v)),
            None => why.push(format!("openssl version: {line:?} is not a version")),
        },
        Err(e) => why.push(e.clone()),
    }
    for l in &p.linked {
        match &l.libssl {
            Ok(so) => match openssl_version(so) {
                Some(v) => found.push((l.binary.clone(), so.clone(), v)),
                None => why.push(format!("{}: {so} has no version", l.binary)),
            },
            Err(e) => why.push(format!("{}: {e}", l.binary)),
        }
    }
    let Some(lowest) = found.iter().min_by_key(|f| f.2) else {
        return Verdict::skip(format!(
            "no OpenSSL found to judge: {}",
            if why.is_empty() {
                "no openssl and no state server binary".to_string()
            } else {
                why.join("; ")
            }
        ));
    };
    let mut v = Verdict::pass(format!(
        "OpenSSL {}.{} or newer everywhere it was found",
        lowest.2 .0, lowest.2 .1
    ));
    for (source, text, _) in &found {
        v = v.with(source, text);
    }
    for w in &why {
        v = v.with("not read", w);
    }
    if lowest.2 < (3, 0) {
        v.escalate(
            Status::Fail,
            format!(
                "{} uses OpenSSL {}.{} ({}): the brief requires OpenSSL 3 (TLS 1.3 and its ciphers, supported releases)",
                lowest.0, lowest.2 .0, lowest.2 .1, lowest.1
            ),
            "Upgrade to a release with OpenSSL 3 (Debian 12, Ubuntu 22.04 or later: apt install openssl libssl3) and rebuild or reinstall redis-server and PostgreSQL against it; verify with `openssl version` and `ldd $(command -v redis-server) | grep libssl`",
        );
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::preflight::LinkedSsl;

    #[test]
    fn versions_from_the_cli_line_and_sonames() {
        assert_eq!(openssl_version("OpenSSL 3.0.15 3 Sep 2024"), Some((3, 0)));
        assert_eq!(openssl_version("OpenSSL 1.1.1w  11 Sep 2023"), Some((1, 1)));
        assert_eq!(openssl_version("libssl.so.3"), Some((3, 0)));
        assert_eq!(openssl_version("libssl.so.1.1"), Some((1, 1)));
        assert_eq!(openssl_version("LibreSSL"), None);
    }

    #[test]
    fn the_oldest_openssl_found_decides() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let mut p = PreflightObservation {
            openssl_cli: Ok("OpenSSL 3.0.15 3 Sep 2024".into()),
            linked: vec![LinkedSsl {
                binary: "/usr/bin/redis-server".into(),
                libssl: Ok("libssl.so.3".into()),
            }],
        };
        assert_eq!(openssl(&p, &t).status, Status::Pass);
        p.linked[0].libssl = Ok("libssl.so.1.1".into());
        let v = openssl(&p, &t);
        assert_eq!(v.status, Status::Fail);
        assert!(v.summary.contains("/usr/bin/redis-server"), "{}", v.summary);
        p.openssl_cli = Err("openssl: No such file or directory (os error 2)".into());
        p.linked.clear();
        let v = openssl(&p, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("No such file"), "{}", v.summary);
    }
}
