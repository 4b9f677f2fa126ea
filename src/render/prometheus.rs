//! Prometheus text exposition, for node_exporter's textfile collector.

use std::io::Write;

use crate::model::Report;

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// One `statectl_check_status` series per finding (value 1, status in a label), the counts by
/// status, and the run's duration.
pub fn report(w: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    writeln!(w, "# HELP statectl_check_status Outcome of one statectl check; the status label holds pass, warn, fail, skip or error.")?;
    writeln!(w, "# TYPE statectl_check_status gauge")?;
    for f in &r.findings {
        writeln!(
            w,
            "statectl_check_status{{id=\"{}\",target=\"{}\",status=\"{}\"}} 1",
            escape(&f.id),
            escape(&f.target),
            f.status
        )?;
    }
    writeln!(
        w,
        "# HELP statectl_checks Number of findings by status in the last run."
    )?;
    writeln!(w, "# TYPE statectl_checks gauge")?;
    for s in crate::model::Status::ALL {
        writeln!(
            w,
            "statectl_checks{{status=\"{s}\"}} {}",
            r.summary.count(s)
        )?;
    }
    writeln!(
        w,
        "# HELP statectl_run_duration_seconds Wall time of the statectl run."
    )?;
    writeln!(w, "# TYPE statectl_run_duration_seconds gauge")?;
    writeln!(
        w,
        "statectl_run_duration_seconds {:.3}",
        r.duration_ms as f64 / 1000.0
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::model::{Finding, Report, Status, Verdict};

    #[test]
    fn exposition_parses_line_by_line_and_escapes_labels() {
        let r = Report::new(
            std::time::UNIX_EPOCH,
            1500,
            vec![
                Finding::new(
                    "redis.reachable",
                    "redis://h:1",
                    Verdict::new(Status::Pass, ""),
                ),
                Finding::new(
                    "kernel.version",
                    "we\"ird\\",
                    Verdict::new(Status::Warn, ""),
                ),
            ],
        );
        let mut out = Vec::new();
        super::report(&mut out, &r).unwrap();
        let text = String::from_utf8(out).unwrap();
        let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        // name{labels} value — every sample line has exactly one value after the label set
        for s in &samples {
            let (_, value) = s.rsplit_once(' ').unwrap();
            value.parse::<f64>().unwrap();
        }
        assert!(text.contains(
            r#"statectl_check_status{id="redis.reachable",target="redis://h:1",status="pass"} 1"#
        ));
        assert!(text.contains(r#"target="we\"ird\\",status="warn""#));
        assert!(text.contains("statectl_checks{status=\"warn\"} 1"));
        assert!(text.contains("statectl_run_duration_seconds 1.500"));
        assert_eq!(
            samples
                .iter()
                .filter(|l| l.starts_with("statectl_check_status"))
                .count(),
            2
        );
    }
}
