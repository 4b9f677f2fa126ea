//! The exposure checks' shared judgement (`redis.exposure`, `postgres.exposure`): did the
//! server complete the TCP handshake from `doctor --from`'s vantage point, and what could an
//! outsider there do with it. Each server's words (what its answers mean, how to bind it to the
//! internal address) are its own module's.

use crate::model::{Status, Verdict};
use crate::observe::exposure::{Answer, Attempt, ExposureLook, Reach};
use crate::text::escape;

/// Why the check is skipped without `--from`.
pub const NO_VANTAGE: &str = "no vantage point: --from NETNS|ssh:HOST";

/// A server's words for the verdict.
pub struct Words {
    /// "Redis", "PostgreSQL".
    pub name: &'static str,
    /// What an outsider can do, given the answer the server gave.
    pub meaning: fn(&Answer) -> String,
    /// How to close it.
    pub fix: &'static str,
}

fn reach_text(r: &Reach) -> String {
    match r {
        Reach::Refused => "refused".into(),
        Reach::Unreachable { detail } => format!("unreachable ({})", escape(detail)),
        Reach::TimedOut => "timed out".into(),
        Reach::Unfinished => "not answered in time (the look's bound)".into(),
        Reach::Open { .. } => "open".into(),
    }
}

/// Whether the answer still lets an outsider log in or use the server without anything more
/// than a password (or nothing at all): the worst first in the summary.
fn rank(a: &Answer) -> u8 {
    match a {
        Answer::RedisPong | Answer::PgTrust { .. } => 0,
        Answer::PgPassword { .. } | Answer::RedisNoauth => 1,
        Answer::Tls { .. } | Answer::Other { .. } | Answer::Silent => 2,
        Answer::RedisDenied | Answer::PgHbaRejects { .. } => 3,
    }
}

/// The verdict for one server's look from the vantage point.
pub fn judge(look: Option<&ExposureLook>, words: &Words) -> Verdict {
    let Some(look) = look else {
        return Verdict::skip(NO_VANTAGE);
    };
    let vantage = escape(&look.vantage).into_owned();
    if look.interrupted {
        return Verdict::new(
            Status::Error,
            format!("interrupted (Ctrl-C) before the look from {vantage} finished"),
        )
        .with("vantage", &vantage)
        .with("failure", "interrupted")
        .fix("Run again and let it finish");
    }
    let attempts: &Vec<Attempt> = match &look.result {
        Ok(a) => a,
        Err(e) => {
            return Verdict::new(
                Status::Error,
                format!(
                    "the vantage point {vantage} could not be used: {}",
                    escape(e)
                ),
            )
            .with("vantage", &vantage)
            .fix("Check the vantage point: `ip netns list` for a namespace; `ssh -o BatchMode=yes HOST true` (key, known_hosts, ~/.ssh/config) for a host; then run again");
        }
    };
    if attempts.is_empty() {
        return Verdict::skip(format!(
            "no address to try from {vantage}{}",
            if look.not_tried.is_empty() {
                String::new()
            } else {
                format!(" ({})", escape(&look.not_tried.join(", ")))
            }
        ))
        .with("vantage", &vantage);
    }
    let mut v = Verdict::pass("").with("vantage", &vantage);
    for a in attempts {
        let said = match &a.reach {
            Reach::Open { answer } => format!("open: {}", (words.meaning)(answer)),
            r => reach_text(r),
        };
        v = v.with(format!("from {vantage} to {}", escape(&a.addr)), said);
    }
    if look.local {
        v = v.with(
            "addresses",
            "the server is on this host: every address of this host was tried on its port",
        );
    }
    if !look.not_tried.is_empty() {
        v = v.with("not_tried", escape(&look.not_tried.join(", ")));
    }
    if look.cut > 0 {
        v = v.with(
            "cut",
            format!("{} more address(es) of this host not tried", look.cut),
        );
    }
    let mut open: Vec<(&str, &Answer)> = attempts
        .iter()
        .filter_map(|a| match &a.reach {
            Reach::Open { answer } => Some((a.addr.as_str(), answer)),
            _ => None,
        })
        .collect();
    open.sort_by_key(|(_, a)| rank(a));
    let tried: Vec<String> = attempts
        .iter()
        .map(|a| format!("{} {}", escape(&a.addr), reach_text(&a.reach)))
        .collect();
    let unfinished: Vec<String> = attempts
        .iter()
        .filter(|a| a.reach == Reach::Unfinished)
        .map(|a| escape(&a.addr).into_owned())
        .collect();
    if !unfinished.is_empty() {
        v = v.with(
            "unfinished",
            format!(
                "{} not answered within the bound on the look (two rounds of --timeout and a margin)",
                unfinished.join(", ")
            ),
        );
    }
    match open.first() {
        // nothing answered at any address: nothing known, never a pass
        None if unfinished.len() == attempts.len() => {
            v.status = Status::Error;
            v.summary = format!(
                "no address answered from {vantage} within the bound on the look: {}",
                tried.join(", ")
            );
            v.fix("Run again with a longer --timeout, or look at one address (--redis/--postgres naming it)")
        }
        None => {
            v.summary = format!(
                "not reachable from {vantage}: {}{}",
                tried.join(", "),
                if look.cut > 0 {
                    format!(" ({} more address(es) not tried)", look.cut)
                } else {
                    String::new()
                }
            );
            v
        }
        Some((_, answer)) => {
            let at: Vec<String> = open.iter().map(|(a, _)| escape(a).into_owned()).collect();
            v.status = Status::Fail;
            v.summary = format!(
                "{} completes the TCP handshake from {vantage} at {}: {}",
                words.name,
                at.join(", "),
                (words.meaning)(answer)
            );
            v.fix(words.fix)
        }
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A look with the given attempts.
    pub fn look(attempts: Vec<(&str, Reach)>) -> ExposureLook {
        ExposureLook {
            vantage: "netns:out".into(),
            result: Ok(attempts
                .into_iter()
                .map(|(a, reach)| Attempt {
                    addr: a.into(),
                    reach,
                })
                .collect()),
            local: true,
            cut: 0,
            not_tried: Vec::new(),
            interrupted: false,
        }
    }

    fn words() -> Words {
        Words {
            name: "S",
            meaning: |a| format!("{a:?}"),
            fix: "bind it inside",
        }
    }

    #[test]
    fn refused_everywhere_passes_naming_the_vantage_and_the_addresses() {
        let l = look(vec![
            ("10.0.0.1:1", Reach::Refused),
            (
                "10.0.1.1:1",
                Reach::Unreachable {
                    detail: "no route".into(),
                },
            ),
            ("10.0.2.1:1", Reach::TimedOut),
        ]);
        let v = judge(Some(&l), &words());
        assert_eq!(v.status, Status::Pass, "{v:?}");
        assert!(v.summary.contains("netns:out"), "{}", v.summary);
        assert!(v.summary.contains("10.0.0.1:1 refused"), "{}", v.summary);
        assert!(v.summary.contains("10.0.2.1:1 timed out"), "{}", v.summary);
    }

    #[test]
    fn one_open_address_fails_naming_it_and_the_worst_answer_first() {
        let l = look(vec![
            ("10.0.0.1:1", Reach::Refused),
            (
                "10.0.1.1:1",
                Reach::Open {
                    answer: Answer::RedisDenied,
                },
            ),
            (
                "10.0.2.1:1",
                Reach::Open {
                    answer: Answer::RedisPong,
                },
            ),
        ]);
        let v = judge(Some(&l), &words());
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary.contains("10.0.2.1:1, 10.0.1.1:1: RedisPong"),
            "{}",
            v.summary
        );
        assert_eq!(v.remediation, "bind it inside");
    }

    #[test]
    fn no_vantage_skips_and_a_broken_vantage_is_an_error_never_a_pass() {
        assert_eq!(judge(None, &words()).status, Status::Skip);
        assert_eq!(judge(None, &words()).summary, NO_VANTAGE);
        let mut l = look(vec![]);
        l.result = Err("ssh: Could not resolve hostname nowhere\x1b[2J".into());
        let v = judge(Some(&l), &words());
        assert_eq!(v.status, Status::Error);
        assert!(v.summary.contains("\\x1b[2J"), "{}", v.summary);
        let v = judge(Some(&look(vec![])), &words());
        assert_eq!(v.status, Status::Skip);
    }

    #[test]
    fn unfinished_addresses_are_never_refused_and_alone_are_an_error() {
        // every address unfinished: nothing known, an error, never a pass
        let l = look(vec![
            ("10.0.0.1:1", Reach::Unfinished),
            ("10.0.0.2:1", Reach::Unfinished),
        ]);
        let v = judge(Some(&l), &words());
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(
            v.summary.contains("10.0.0.1:1 not answered in time"),
            "{}",
            v.summary
        );
        // refused at one, unfinished at another: like a timeout, with the note
        let l = look(vec![
            ("10.0.0.1:1", Reach::Refused),
            ("10.0.0.2:1", Reach::Unfinished),
        ]);
        let v = judge(Some(&l), &words());
        assert_eq!(v.status, Status::Pass, "{v:?}");
        assert!(
            v.summary.contains("10.0.0.2:1 not answered in time"),
            "{}",
            v.summary
        );
        assert!(
            v.evidence.iter().any(|e| e.key == "unfinished"),
            "{:?}",
            v.evidence
        );
        // open at one, unfinished at the rest: a fail
        let l = look(vec![
            (
                "10.0.0.1:1",
                Reach::Open {
                    answer: Answer::Silent,
                },
            ),
            ("10.0.0.2:1", Reach::Unfinished),
        ]);
        assert_eq!(judge(Some(&l), &words()).status, Status::Fail);
    }

    #[test]
    fn an_interrupted_look_says_interrupted_not_no_vantage() {
        let v = judge(Some(&ExposureLook::interrupted("ssh:h".into())), &words());
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.summary.contains("interrupted"), "{}", v.summary);
        assert!(v.summary.contains("ssh:h"), "{}", v.summary);
        assert_ne!(v.summary, NO_VANTAGE);
    }

    #[test]
    fn a_cut_list_says_so() {
        let mut l = look(vec![("10.0.0.1:1", Reach::Refused)]);
        l.cut = 3;
        let v = judge(Some(&l), &words());
        assert!(
            v.summary.contains("3 more address(es) not tried"),
            "{}",
            v.summary
        );
    }
}
