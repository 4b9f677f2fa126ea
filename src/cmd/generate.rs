//! `statectl completions` and `statectl man`: generated from the clap definition and the check
//! matrix, so they cannot drift from the code.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, Shell};
use crate::doctor;

/// The file name each shell's completion script is checked in under `completions/`.
pub fn completion_file(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "statectl.bash",
        Shell::Zsh => "_statectl",
        Shell::Fish => "statectl.fish",
        Shell::Elvish => "statectl.elv",
        Shell::Powershell => "_statectl.ps1",
    }
}

/// Writes the completion script for `shell`.
pub fn completions(w: &mut dyn Write, shell: Shell) {
    use clap_complete::Shell as S;
    let s = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Elvish => S::Elvish,
        Shell::Powershell => S::PowerShell,
    };
    clap_complete::generate(s, &mut Cli::command(), "statectl", w);
}

/// `statectl completions SHELL [--out DIR]`.
pub fn run_completions(a: &CompletionsArgs) -> anyhow::Result<()> {
    match &a.out {
        None => completions(&mut std::io::stdout().lock(), a.shell),
        Some(dir) => {
            let mut buf = Vec::new();
            completions(&mut buf, a.shell);
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("--out {}: {e}", dir.display()))?;
            let p = dir.join(completion_file(a.shell));
            crate::atomic::write(&p, &buf, 0o644)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
        }
    }
    Ok(())
}

fn roff_escape(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

fn exit_status_section() -> String {
    let mut s = String::from(".SH \"EXIT STATUS\"\n");
    for (code, what) in [
        ("0", "Nothing failed or warned."),
        (
            "1",
            "statectl itself could not run (I/O error, runtime failure).",
        ),
        (
            "2",
            "Usage error: a bad flag, URL, check id, shell or config file.",
        ),
        ("3", "At least one check failed (or its probe errored)."),
        ("4", "Warnings, but no failure."),
    ] {
        s += &format!(".TP\n\\fB{code}\\fR\n{}\n", roff_escape(what));
    }
    s
}

fn checks_section() -> String {
    let mut s = format!(
        ".SH CHECKS\n{}\n",
        roff_escape("The thresholds shown are the defaults; statectl.toml may change them (statectl doctor --list --config FILE shows the values in force).")
    );
    let defaults = crate::config::Thresholds::default();
    for c in crate::areas::matrix() {
        let tags: Vec<&str> = c
            .tags
            .iter()
            .map(|t| match t {
                doctor::Tag::Doctor => "doctor",
                doctor::Tag::Preflight => "preflight",
            })
            .collect();
        s += &format!(
            ".TP\n\\fB{}\\fR ({})\n{}\n",
            roff_escape(c.id),
            tags.join(", "),
            roff_escape(&defaults.fill(c.doc))
        );
    }
    s
}

fn render(cmd: &clap::Command, extra: &[String]) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone()).date("");
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut buf)?;
    }
    for e in extra {
        buf.extend_from_slice(e.as_bytes());
    }
    man.render_version_section(&mut buf)?;
    Ok(buf)
}

/// Every man page as (file name, contents): statectl.1 and one per subcommand.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut root = Cli::command();
    root.build();
    let mut pages = vec![(
        "statectl.1".to_string(),
        render(&root, &[exit_status_section()])?,
    )];
    fn walk(
        cmd: &clap::Command,
        prefix: &str,
        pages: &mut Vec<(String, Vec<u8>)>,
    ) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("{prefix}-{}", sub.get_name());
            let page = sub
                .clone()
                .name(name.clone())
                .display_name(name.clone())
                .bin_name(name.clone())
                .version(env!("CARGO_PKG_VERSION"));
            let mut extra = vec![exit_status_section()];
            if matches!(sub.get_name(), "doctor" | "preflight") {
                extra.insert(0, checks_section());
            }
            pages.push((format!("{name}.1"), render(&page, &extra)?));
            walk(sub, &name, pages)?;
        }
        Ok(())
    }
    walk(&root, "statectl", &mut pages)?;
    Ok(pages)
}

/// Writes every man page into `dir`, each atomically.
pub fn write_man(dir: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("--out {}: {e}", dir.display()))?;
    let pages = man_pages()?;
    for (name, bytes) in &pages {
        let p = dir.join(name);
        crate::atomic::write(&p, bytes, 0o644)
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    }
    Ok(pages.len())
}
