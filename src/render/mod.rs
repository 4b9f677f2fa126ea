//! Output for people and machines. Renderers take a writer and model types, nothing else.

pub mod bench;
pub mod capture;
pub mod checks;
pub mod json;
pub mod junit;
pub mod latency;
pub mod logs;
pub mod nic;
pub mod path;
pub mod prometheus;
pub mod table;
pub mod tune;
pub mod verify;

use std::io::{IsTerminal, Write};

use crate::cli::{ColorChoice, Format};
use crate::model::Report;

pub use crate::text::escape;

/// How tables should look.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Colour the status column.
    pub color: bool,
    /// Show only warn/fail/error rows.
    pub quiet: bool,
    /// Show evidence for passing rows too.
    pub verbose: bool,
}

impl Style {
    /// Resolves `--color` against the terminal and NO_COLOR (any non-empty value disables).
    pub fn resolve(choice: ColorChoice, quiet: bool, verbose: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Style {
            color,
            quiet,
            verbose,
        }
    }
}

/// Writes a doctor/preflight report in the chosen format.
pub fn report(w: &mut dyn Write, format: Format, style: Style, r: &Report) -> anyhow::Result<()> {
    match format {
        Format::Table => table::report(w, style, r)?,
        Format::Json => json::write(w, r)?,
        Format::Junit => junit::report(w, r)?,
        Format::Prometheus => prometheus::report(w, r)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_shows_control_characters_and_keeps_the_rest() {
        assert_eq!(
            escape("-ERR \x1b]0;pwned\x07\x1b[2J"),
            "-ERR \\x1b]0;pwned\\x07\\x1b[2J"
        );
        assert_eq!(escape("a\nb\tc\r"), "a\nb\\x09c\\x0d");
        assert_eq!(escape("\u{9b}31m"), "\\x9b31m", "C1 CSI too");
        assert_eq!(escape("ünïcode ok"), "ünïcode ok");
        assert!(matches!(escape("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
