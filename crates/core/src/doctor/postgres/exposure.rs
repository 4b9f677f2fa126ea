//! `postgres.exposure`: the server seen from `doctor --from`'s vantage point.

use crate::doctor::exposure::{judge, Words};
use crate::doctor::Ctx;
use crate::model::Verdict;
use crate::observe::exposure::{Answer, ExposureLook};
use crate::text::escape;

fn over(tls: bool) -> &'static str {
    if tls {
        " (over TLS)"
    } else {
        ""
    }
}

fn meaning(a: &Answer) -> String {
    match a {
        Answer::PgTrust { tls } => format!(
            "trust: anyone there logs in with no password{}",
            over(*tls)
        ),
        Answer::PgPassword { method, tls } => format!(
            "asks for a password ({}){}: anyone there may try passwords",
            escape(method),
            over(*tls)
        ),
        Answer::PgHbaRejects { tls } => format!(
            "pg_hba rejects this address (no pg_hba.conf entry){}, but the port is open to anyone there",
            over(*tls)
        ),
        Answer::Tls { client_cert } => format!(
            "TLS required{}",
            if *client_cert {
                ", a client certificate asked"
            } else {
                ""
            }
        ),
        Answer::Other { detail } => format!("answers the startup with {}", escape(detail)),
        Answer::Silent => "takes the connection but does not answer as PostgreSQL".into(),
        other => format!("{other:?}"),
    }
}

const WORDS: Words = Words {
    name: "PostgreSQL",
    meaning,
    fix: "Listen on the internal management address only (`listen_addresses = '10.x.x.x'` in postgresql.conf, then restart; `SHOW listen_addresses` to verify), firewall the port from every other network (nft/iptables, security groups), and let pg_hba.conf admit only the application's subnets with scram-sha-256 (never trust); verify with `statectl doctor --only postgres.exposure --from VANTAGE`",
};

/// `postgres.exposure`.
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
        let at = |answer| look(vec![("10.0.2.1:5432", Reach::Open { answer })]);
        let v = exposure(Some(&at(Answer::PgTrust { tls: false })), &t);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary.contains("trust: anyone there logs in"),
            "{}",
            v.summary
        );
        assert!(v.remediation.contains("listen_addresses"));
        let v = exposure(
            Some(&at(Answer::PgPassword {
                method: "SASL SCRAM-SHA-256".into(),
                tls: true,
            })),
            &t,
        );
        assert!(
            v.summary
                .contains("asks for a password (SASL SCRAM-SHA-256) (over TLS)"),
            "{}",
            v.summary
        );
        let v = exposure(Some(&at(Answer::PgHbaRejects { tls: false })), &t);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary.contains("pg_hba rejects this address"),
            "{}",
            v.summary
        );
        let v = exposure(Some(&look(vec![("10.0.2.1:5432", Reach::Refused)])), &t);
        assert_eq!(v.status, Status::Pass);
    }
}
