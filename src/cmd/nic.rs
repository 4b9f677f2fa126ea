//! `statectl nic`: link facts and the error, drop and CRC counters that matter, with their
//! lifetime value and change over the window; the readable half of `ethtool -S` + `ip -s link`.

use std::io::{IsTerminal, Write};

use crate::cancel::CancellationToken;
use crate::cli::{Format, NicArgs, OutputArgs};
use crate::doctor::{self, nic::NicReport};
use crate::exit::{Exit, UsageError};
use crate::probe::kernel::{default_route_interfaces, HostRoot};
use crate::probe::nic;
use crate::render::{self, Style};

/// `statectl nic`.
pub async fn run(
    a: &NicArgs,
    out: &OutputArgs,
    root: &HostRoot,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    let ifaces = if a.ifaces.is_empty() {
        default_route_interfaces(root)
    } else {
        a.ifaces.clone()
    };
    for i in &ifaces {
        if !nic::exists(root, i) {
            return Err(UsageError(format!("{i}: no such network interface")).into());
        }
    }
    if ifaces.is_empty() {
        return Err(UsageError("no interface named and no default route to pick one from; name one: statectl nic IFACE".into()).into());
    }
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError("--format: nic prints table or json".into()).into());
    }
    let style = Style::resolve(out.color, out.quiet, out.verbose);
    loop {
        let windows = ifaces
            .iter()
            .map(|i| nic::observe(root, i, a.sample, a.timeout, cancel));
        let obs = futures::future::join_all(windows).await;
        // Ctrl-C ends a watch at once; a single run still shows its (shortened) window.
        if a.watch && cancel.is_cancelled() {
            return Ok(Exit::Ok);
        }
        let reports: Vec<NicReport> = obs.iter().map(doctor::nic::report).collect();
        let stdout = &mut std::io::stdout().lock();
        match out.format {
            Format::Json if a.watch => {
                // one document per refresh, one per line
                serde_json::to_writer(&mut *stdout, &reports)?;
                writeln!(stdout)?;
            }
            Format::Json => render::json::write(stdout, &reports)?,
            _ => {
                if a.watch && std::io::stdout().is_terminal() {
                    write!(stdout, "\x1b[2J\x1b[H")?;
                }
                for r in &reports {
                    render::nic::report(stdout, style, r)?;
                }
            }
        }
        stdout.flush()?;
        if !a.watch {
            return Ok(Exit::Ok);
        }
    }
}
