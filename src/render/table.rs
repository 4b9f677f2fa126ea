//! Tables for people: one table per target, a one-line summary at the end.

use std::io::Write;

use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};

use super::{escape, Style};
use crate::model::{Report, Status};

pub fn status_cell(s: Status, color: bool) -> Cell {
    let cell = Cell::new(s.as_str().to_uppercase());
    if !color {
        return cell;
    }
    match s {
        Status::Pass => cell.fg(Color::Green),
        Status::Warn => cell.fg(Color::Yellow).add_attribute(Attribute::Bold),
        Status::Fail | Status::Error => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Status::Skip => cell.fg(Color::DarkGrey),
    }
}

/// The width a terminal table falls back to.
const FALLBACK_WIDTH: u16 = 80;

/// A width to force on a table: on a terminal that reports no width, or one under 40 columns
/// (a serial console, a misconfigured pty), 80; otherwise none (the terminal's own, or no
/// wrapping at all in a pipe). Without it such a terminal gets one character per column.
fn fallback_width(terminal: bool, reported: Option<u16>) -> Option<u16> {
    match reported {
        Some(w) if w < 40 => Some(FALLBACK_WIDTH),
        None if terminal => Some(FALLBACK_WIDTH),
        _ => None,
    }
}

/// A new table with the house style.
pub fn new_table(style: Style, header: &[&str]) -> Table {
    let mut t = Table::new();
    if style.color {
        t.load_style(presets::UTF8_FULL_CONDENSED).enforce_styling();
    } else {
        t.load_style(presets::ASCII_FULL_CONDENSED).force_no_tty();
    }
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = fallback_width(style.color, t.width()) {
        t.set_width(w);
    }
    t.set_header(header.iter().map(|h| {
        let c = Cell::new(h);
        if style.color {
            c.add_attribute(Attribute::Bold)
        } else {
            c
        }
    }));
    t
}

/// Prints findings grouped by target.
pub fn report(w: &mut dyn Write, style: Style, r: &Report) -> std::io::Result<()> {
    let mut targets: Vec<&str> = Vec::new();
    for f in &r.findings {
        if !targets.contains(&f.target.as_str()) {
            targets.push(&f.target);
        }
    }
    for target in targets {
        let rows: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.target == target)
            .filter(|f| {
                !style.quiet || matches!(f.status, Status::Warn | Status::Fail | Status::Error)
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        writeln!(w, "{}", escape(target))?;
        let mut t = new_table(
            style,
            &["STATUS", "CHECK", "FINDING", "EVIDENCE", "REMEDIATION"],
        );
        for f in rows {
            let evidence = if f.status == Status::Pass && !style.verbose {
                String::new()
            } else {
                f.evidence
                    .iter()
                    .map(|e| format!("{}={}", escape(&e.key), escape(&e.value)))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            t.add_row(vec![
                status_cell(f.status, style.color),
                Cell::new(escape(&f.id)),
                Cell::new(escape(&f.summary)),
                Cell::new(evidence),
                Cell::new(escape(&f.remediation)),
            ]);
        }
        writeln!(w, "{t}\n")?;
    }
    let s = &r.summary;
    writeln!(
        w,
        "{} checks: {} pass, {} warn, {} fail, {} skip, {} error ({} ms)",
        r.findings.len(),
        s.pass,
        s.warn,
        s.fail,
        s.skip,
        s.error,
        r.duration_ms
    )?;
    if s.skip > 0 {
        writeln!(
            w,
            "NOT CHECKED: {} of {} checks were skipped (the SKIP rows say why); --strict makes this exit 4",
            s.skip,
            r.findings.len()
        )?;
    }
    if r.interrupted {
        writeln!(
            w,
            "interrupted: sample windows were cut short; unfinished probes are errors"
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Finding, Verdict};

    fn sample() -> Report {
        Report::new(
            std::time::UNIX_EPOCH,
            7,
            vec![
                Finding::new(
                    "redis.reachable",
                    "redis://a:1",
                    Verdict::pass("PONG").with("ping_ms", "0.2"),
                ),
                Finding::new(
                    "redis.reachable",
                    "redis://b:2",
                    Verdict::new(Status::Fail, "connection refused at b:2").fix("start it"),
                ),
                Finding::new("kernel.version", "kernel", Verdict::pass("kernel 6.1")),
            ],
        )
    }

    #[test]
    fn grouped_by_target_without_colour_codes() {
        let mut out = Vec::new();
        let style = Style {
            color: false,
            quiet: false,
            verbose: false,
        };
        report(&mut out, style, &sample()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let a = text.find("redis://a:1\n").unwrap();
        let b = text.find("redis://b:2\n").unwrap();
        let k = text.find("kernel\n").unwrap();
        assert!(a < b && b < k, "{text}");
        assert!(text.contains("FAIL") && text.contains("start it"));
        assert!(!text.contains('\u{1b}'), "escape codes without colour");
        assert!(!text.contains("ping_ms"), "pass evidence only with -v");
        assert!(
            text.ends_with("3 checks: 2 pass, 0 warn, 1 fail, 0 skip, 0 error (7 ms)\n"),
            "{text}"
        );
    }

    #[test]
    fn quiet_hides_passes_and_colour_adds_escapes() {
        let mut out = Vec::new();
        let style = Style {
            color: true,
            quiet: true,
            verbose: false,
        };
        report(&mut out, style, &sample()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("redis://a:1\n") && text.contains("redis://b:2"));
        assert!(text.contains('\u{1b}'));
    }

    // issue 12, defect 33: a zero-width or very narrow terminal collapsed tables
    #[test]
    fn narrow_or_unknown_terminals_get_80_columns() {
        assert_eq!(fallback_width(true, Some(0)), Some(80));
        assert_eq!(fallback_width(true, Some(39)), Some(80));
        assert_eq!(fallback_width(true, None), Some(80));
        assert_eq!(fallback_width(true, Some(120)), None);
        assert_eq!(fallback_width(false, None), None, "a pipe is not wrapped");
        let style = Style {
            color: false,
            quiet: false,
            verbose: false,
        };
        let mut t = new_table(style, &["A", "B"]);
        t.set_width(0);
        // what new_table does when a terminal reports 0 columns
        if let Some(w) = fallback_width(true, t.width()) {
            t.set_width(w);
        }
        t.add_row(vec![
            "redis.reachable",
            "connection refused at 127.0.0.1:6379",
        ]);
        let text = t.to_string();
        assert!(
            text.contains("redis.reachable"),
            "not one character per column:\n{text}"
        );
    }
}
