//! Process exit codes: one documented enum, merged across findings.

use crate::model::{Finding, Status};

/// What the process tells its caller. The numbers are part of the interface (README, man page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// 0: nothing failed or warned.
    Ok,
    /// 4: warnings but no failure.
    Warn,
    /// 3: at least one check failed (or its probe errored).
    Fail,
    /// 2: the command line or a config file was wrong.
    Usage,
    /// 1: statectl itself could not run.
    Error,
    /// 130 (128 + SIGINT, as shells report it): interrupted by Ctrl-C; what ran is reported.
    Interrupted,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Error => 1,
            Exit::Usage => 2,
            Exit::Fail => 3,
            Exit::Warn => 4,
            Exit::Interrupted => 130,
        }
    }

    /// The more serious of two outcomes.
    pub fn merge(self, other: Exit) -> Exit {
        self.max(other)
    }

    /// The outcome of a report: by its findings, and with `strict`, at least a warning (4) when
    /// any check was skipped.
    pub fn from_report(findings: &[Finding], strict: bool) -> Exit {
        let e = Exit::from_findings(findings);
        if strict && findings.iter().any(|f| f.status == Status::Skip) {
            e.merge(Exit::Warn)
        } else {
            e
        }
    }

    /// The outcome that a set of findings calls for.
    pub fn from_findings(findings: &[Finding]) -> Exit {
        findings.iter().fold(Exit::Ok, |acc, f| {
            acc.merge(match f.status {
                Status::Pass | Status::Skip => Exit::Ok,
                Status::Warn => Exit::Warn,
                Status::Fail | Status::Error => Exit::Fail,
            })
        })
    }
}

/// An error in what the user asked for (exit 2), as opposed to a failure while running (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Verdict;

    #[test]
    fn fail_outranks_warn_and_codes_match_the_readme() {
        let f = |s| Finding::new("x.y", "t", Verdict::new(s, ""));
        assert_eq!(Exit::from_findings(&[]), Exit::Ok);
        assert_eq!(
            Exit::from_findings(&[f(Status::Pass), f(Status::Skip)]).code(),
            0
        );
        assert_eq!(
            Exit::from_findings(&[f(Status::Warn), f(Status::Pass)]).code(),
            4
        );
        assert_eq!(
            Exit::from_findings(&[f(Status::Warn), f(Status::Fail)]).code(),
            3
        );
        assert_eq!(Exit::from_findings(&[f(Status::Error)]).code(), 3);
        assert_eq!(Exit::Warn.merge(Exit::Error).code(), 1);
    }

    // issue 12, defect 22: a run of skips exited 0
    #[test]
    fn strict_turns_a_skip_into_exit_4() {
        let f = |s| Finding::new("a.b", "t", Verdict::new(s, "x"));
        let skips = [f(Status::Pass), f(Status::Skip)];
        assert_eq!(Exit::from_report(&skips, false), Exit::Ok);
        assert_eq!(Exit::from_report(&skips, true), Exit::Warn);
        assert_eq!(
            Exit::from_report(&[f(Status::Fail), f(Status::Skip)], true),
            Exit::Fail
        );
        assert_eq!(Exit::from_report(&[f(Status::Pass)], true), Exit::Ok);
    }
}
