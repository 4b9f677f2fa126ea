//! JSON output: exactly one document, pretty-printed, newline-terminated.

use std::io::Write;

/// Serialises any model type as one JSON document.
pub fn write<T: serde::Serialize>(w: &mut dyn Write, value: &T) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *w, value)?;
    w.write_all(b"\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::model::{Finding, Report, Status, Verdict};

    #[test]
    fn report_document_has_the_documented_shape() {
        let f = Finding::new(
            "redis.reachable",
            "redis://h:1",
            Verdict::new(Status::Fail, "refused")
                .with("failure", "refused")
                .fix("start it"),
        );
        let r = Report::new(std::time::UNIX_EPOCH, 12, vec![f]);
        let mut out = Vec::new();
        super::write(&mut out, &r).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["statectl"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["started_at"], "1970-01-01T00:00:00Z");
        assert_eq!(v["duration_ms"], 12);
        assert_eq!(v["findings"][0]["status"], "fail");
        assert_eq!(v["findings"][0]["evidence"][0]["key"], "failure");
        assert_eq!(v["findings"][0]["remediation"], "start it");
        for k in ["pass", "warn", "fail", "skip", "error"] {
            assert!(v["summary"][k].is_u64(), "{k}");
        }
        assert_eq!(v["summary"]["fail"], 1);
        let back: Report = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }
}
