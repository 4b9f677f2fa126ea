//! JUnit XML: one test suite per target, one test case per finding.

use std::io::Write;

use quick_junit::{
    NonSuccessKind, Property, Report as JReport, TestCase, TestCaseStatus, TestSuite,
};

use crate::model::{Finding, Report, Status};

fn details(f: &Finding) -> String {
    let mut s = format!("{}: {}\n", f.status.as_str().to_uppercase(), f.summary);
    for e in &f.evidence {
        s += &format!("  {} = {}\n", e.key, e.value);
    }
    if !f.remediation.is_empty() {
        s += &format!("remediation: {}\n", f.remediation);
    }
    s
}

/// fail → failure, error → error, skip → skipped; a warning passes but carries a
/// `statectl.status=warn` property and a `WARN:` line in system-out, so CI viewers show it.
pub fn report(w: &mut dyn Write, r: &Report) -> anyhow::Result<()> {
    let mut report = JReport::new("statectl");
    let mut targets: Vec<&str> = Vec::new();
    for f in &r.findings {
        if !targets.contains(&f.target.as_str()) {
            targets.push(&f.target);
        }
    }
    for target in targets {
        let mut suite = TestSuite::new(target);
        for f in r.findings.iter().filter(|f| f.target == target) {
            let status = match f.status {
                Status::Pass | Status::Warn => TestCaseStatus::success(),
                Status::Skip => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(f.summary.as_str());
                    s
                }
                Status::Fail | Status::Error => {
                    let kind = if f.status == Status::Fail {
                        NonSuccessKind::Failure
                    } else {
                        NonSuccessKind::Error
                    };
                    let mut s = TestCaseStatus::non_success(kind);
                    s.set_message(f.summary.as_str());
                    s.set_type(f.status.as_str());
                    s.set_description(details(f));
                    s
                }
            };
            let mut case = TestCase::new(f.id.as_str(), status);
            case.set_classname(target);
            case.add_property(Property::new("statectl.status", f.status.as_str()));
            case.set_system_out(details(f));
            suite.add_test_case(case);
        }
        let warns = r
            .findings
            .iter()
            .filter(|f| f.target == target && f.status == Status::Warn)
            .count();
        suite.add_property(Property::new("statectl.warnings", warns.to_string()));
        report.add_test_suite(suite);
    }
    report.serialize(&mut *w)?;
    writeln!(w)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::model::{Finding, Report, Status, Verdict};

    #[test]
    fn statuses_map_to_junit_elements() {
        let f =
            |id: &str, s| Finding::new(id, "redis://h:1", Verdict::new(s, format!("{id} summary")));
        let r = Report::new(
            std::time::UNIX_EPOCH,
            3,
            vec![
                f("a.pass", Status::Pass),
                f("a.warn", Status::Warn),
                f("a.fail", Status::Fail),
                f("a.skip", Status::Skip),
                f("a.error", Status::Error),
            ],
        );
        let mut out = Vec::new();
        super::report(&mut out, &r).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(
            xml.contains(r#"<testsuite name="redis://h:1" tests="5""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"failures="1""#)
                && xml.contains(r#"errors="1""#)
                && xml.contains(r#"skipped="1""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<failure message="a.fail summary" type="fail">"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<skipped message="a.skip summary"/>"#),
            "{xml}"
        );
        assert!(xml.contains("WARN: a.warn summary"), "{xml}");
        assert!(
            xml.contains(r#"<property name="statectl.status" value="warn"/>"#),
            "{xml}"
        );
    }
}
