//! The types every layer shares: findings, their status, and the report a run produces.

use serde::{Deserialize, Serialize};

/// The outcome of one check against one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The check saw what it wanted.
    Pass,
    /// The check could not run; the summary says why. Never counted as a pass.
    Skip,
    /// Something to fix before it becomes an outage.
    Warn,
    /// Something is broken or will break.
    Fail,
    /// The probe hit something unexpected and could not judge.
    Error,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Skip,
        Status::Error,
    ];

    /// The lowercase name used in JSON, labels and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Skip => "skip",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One key/value the check saw, kept in the order the check recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What was measured, e.g. `connected_clients`.
    pub key: String,
    /// The value as seen, already rendered.
    pub value: String,
}

/// What a check concluded, before it is attached to an id and a target.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The outcome.
    pub status: Status,
    /// One line a person can act on.
    pub summary: String,
    /// The numbers behind the summary.
    pub evidence: Vec<Evidence>,
    /// What to do about it; empty for a pass.
    pub remediation: String,
}

impl Verdict {
    /// A verdict with the given status and summary and nothing else yet.
    pub fn new(status: Status, summary: impl Into<String>) -> Self {
        Verdict {
            status,
            summary: summary.into(),
            evidence: Vec::new(),
            remediation: String::new(),
        }
    }

    /// A passing verdict.
    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(Status::Pass, summary)
    }

    /// A skip; the summary must say why the check could not run.
    pub fn skip(reason: impl Into<String>) -> Self {
        Self::new(Status::Skip, reason)
    }

    /// Adds one piece of evidence.
    pub fn with(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.evidence.push(Evidence {
            key: key.into(),
            value: value.to_string(),
        });
        self
    }

    /// Sets the remediation text.
    pub fn fix(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = remediation.into();
        self
    }

    /// Raises the status to `status` if that is worse, replacing the summary and remediation.
    pub fn escalate(&mut self, status: Status, summary: String, remediation: &str) {
        if status > self.status {
            self.status = status;
            self.summary = summary;
            self.remediation = remediation.to_string();
        }
    }
}

/// A verdict bound to the check that made it and the target it is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The check's stable dotted id, e.g. `redis.maxclients`.
    pub id: String,
    /// What was checked, e.g. `redis://127.0.0.1:6379` or `kernel` (never with a password).
    pub target: String,
    /// The outcome.
    pub status: Status,
    /// One line a person can act on.
    pub summary: String,
    /// The numbers behind the summary.
    pub evidence: Vec<Evidence>,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
}

impl Finding {
    /// Binds a verdict to a check id and a target.
    pub fn new(id: &str, target: &str, verdict: Verdict) -> Self {
        Finding {
            id: id.to_string(),
            target: target.to_string(),
            status: verdict.status,
            summary: verdict.summary,
            evidence: verdict.evidence,
            remediation: verdict.remediation,
        }
    }
}

/// How many findings ended in each status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Passed checks.
    pub pass: usize,
    /// Warnings.
    pub warn: usize,
    /// Failures.
    pub fail: usize,
    /// Checks that could not run.
    pub skip: usize,
    /// Checks whose probe hit an unexpected error.
    pub error: usize,
}

impl Summary {
    /// Counts the statuses of `findings`.
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary::default();
        for f in findings {
            *s.slot(f.status) += 1;
        }
        s
    }

    fn slot(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Pass => &mut self.pass,
            Status::Warn => &mut self.warn,
            Status::Fail => &mut self.fail,
            Status::Skip => &mut self.skip,
            Status::Error => &mut self.error,
        }
    }

    /// The count for one status.
    pub fn count(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Warn => self.warn,
            Status::Fail => self.fail,
            Status::Skip => self.skip,
            Status::Error => self.error,
        }
    }
}

/// Everything one `doctor` or `preflight` run found: the document `--format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The statectl version that produced the report.
    pub statectl: String,
    /// When the run started, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// Every finding, grouped by target in the order targets were given.
    pub findings: Vec<Finding>,
    /// Counts by status.
    pub summary: Summary,
    /// The run was interrupted (Ctrl-C): sample windows were cut short and unfinished probes
    /// are `error` findings.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

impl Report {
    /// Builds a report and its summary.
    pub fn new(
        started_at: std::time::SystemTime,
        duration_ms: u64,
        findings: Vec<Finding>,
    ) -> Self {
        Report {
            statectl: env!("CARGO_PKG_VERSION").to_string(),
            started_at: humantime::format_rfc3339_seconds(started_at).to_string(),
            duration_ms,
            summary: Summary::of(&findings),
            findings,
            interrupted: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escalate_only_raises() {
        let mut v = Verdict::pass("ok");
        v.escalate(Status::Warn, "w".into(), "fix w");
        v.escalate(Status::Pass, "p".into(), "");
        assert_eq!(v.status, Status::Warn);
        assert_eq!(v.summary, "w");
        v.escalate(Status::Fail, "f".into(), "fix f");
        assert_eq!((v.status, v.remediation.as_str()), (Status::Fail, "fix f"));
    }

    #[test]
    fn summary_counts_each_status() {
        let f = |s| Finding::new("a.b", "t", Verdict::new(s, "x"));
        let s = Summary::of(&[
            f(Status::Pass),
            f(Status::Fail),
            f(Status::Fail),
            f(Status::Skip),
        ]);
        assert_eq!((s.pass, s.fail, s.skip, s.warn, s.error), (1, 2, 1, 0, 0));
    }
}
