//! `redis.exposure`: the server seen from `doctor --from`'s vantage point.

use crate::doctor::exposure::{judge, Words};
use crate::doctor::Ctx;
use crate::model::Verdict;
use crate::observe::exposure::{Answer, ExposureLook};
use crate::text::escape;

fn meaning(a: &Answer) -> String {
    match a {
        Answer::RedisPong => {
            "answers with no password (anyone there can read/write state, FLUSHALL, CONFIG SET)"
                .into()
        }
        Answer::RedisNoauth => {
            "asks for AUTH (anyone there may guess the password; it is hit by every scan)".into()
        }
        Answer::RedisDenied => {
            "protected mode refuses (DENIED): the port is open, one CONFIG change from exposed"
                .into()
        }
        Answer::Tls { client_cert: true } => {
            "TLS required, a client certificate asked (the port is still open to anyone there)"
                .into()
        }
        Answer::Tls { client_cert: false } => {
            "TLS required, no client certificate asked (anyone there gets to AUTH over TLS)".into()
        }
        Answer::Other { detail } => format!("answers PING with {}", escape(detail)),
        Answer::Silent => {
            "takes the connection but answers neither PING nor a TLS handshake".into()
        }
        // PostgreSQL's answers never come from a Redis port; named plainly if they do
        other => format!("{other:?}"),
    }
}

const WORDS: Words = Words {
    name: "Redis",
    meaning,
    fix: "Bind Redis to the internal management address only (`bind 10.x.x.x` in redis.conf, then restart; `CONFIG GET bind` to verify), firewall the port from every other network (nft/iptables, security groups), keep protected-mode yes and a password (ACL SETUSER default on >PASSWORD); verify with `statectl doctor --only redis.exposure --from VANTAGE`",
};

/// `redis.exposure`.
pub fn exposure(look: Option<&ExposureLook>, _t: &Ctx) -> Verdict {
    judge(look, &WORDS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::doctor::exposure::tests::look;
    use crate::model::Status;
    use crate::observe::exposure::Reach;

    #[test]
    fn says_what_an_outsider_can_do_for_each_answer() {
        let t = Thresholds::default();
        let t = Ctx::of(&t);
        let at = |answer| look(vec![("10.0.2.1:6379", Reach::Open { answer })]);
        let v = exposure(Some(&at(Answer::RedisPong)), &t);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary.contains("answers with no password"),
            "{}",
            v.summary
        );
        assert!(v.remediation.contains("bind 10.x.x.x"));
        let v = exposure(Some(&at(Answer::RedisNoauth)), &t);
        assert!(v.summary.contains("asks for AUTH"), "{}", v.summary);
        let v = exposure(Some(&at(Answer::RedisDenied)), &t);
        assert!(
            v.summary.contains("protected mode refuses"),
            "{}",
            v.summary
        );
        let v = exposure(Some(&at(Answer::Tls { client_cert: true })), &t);
        assert!(v
            .summary
            .contains("TLS required, a client certificate asked"));
        let v = exposure(
            Some(&at(Answer::Other {
                detail: "-ERR \x1b]0;x".into(),
            })),
            &t,
        );
        assert!(v.summary.contains("\\x1b]0;x"), "{}", v.summary);
    }
}
