//! `doctor --list`: every selected check with its doc, thresholds filled from those in force.

use std::io::Write;

use super::Style;
use crate::cli::Format;
use crate::config::Thresholds;
use crate::doctor::Check;

/// Lists `checks` as a table or one JSON document.
pub fn list(
    w: &mut dyn Write,
    checks: &[Check],
    thresholds: &Thresholds,
    format: Format,
    style: Style,
) -> anyhow::Result<()> {
    if format == Format::Json {
        let items: Vec<_> = checks
            .iter()
            .map(|c| serde_json::json!({"id": c.id, "area": c.area.as_str(), "doc": thresholds.fill(c.doc)}))
            .collect();
        return super::json::write(w, &items);
    }
    let mut t = super::table::new_table(style, &["CHECK", "AREA", "WHAT IT CHECKS"]);
    for c in checks {
        t.add_row(vec![
            c.id.to_string(),
            c.area.as_str().to_string(),
            thresholds.fill(c.doc),
        ]);
    }
    writeln!(w, "{t}")?;
    Ok(())
}
