//! `statectl path HOST`: mtr's report, traced with trippy-core.

use std::io::Write;
use std::net::ToSocketAddrs;

use crate::cli::{Format, OutputArgs, PathArgs, PathProtocol};
use crate::exit::{Exit, UsageError};
use crate::probe::path::{trace, TraceSpec};
use crate::render::{self, Style};

/// `statectl path`.
pub fn run(
    args: &PathArgs,
    out: &OutputArgs,
    cancel: &crate::cancel::CancellationToken,
) -> anyhow::Result<Exit> {
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError("--format: path prints table or json".into()).into());
    }
    let addr = (args.host.as_str(), 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            UsageError(format!(
                "{}: not an address, and the name does not resolve",
                args.host
            ))
        })?
        .ip();
    let spec = TraceSpec {
        target: args.host.clone(),
        addr,
        tcp_port: (args.protocol == PathProtocol::Tcp).then_some(args.port),
        rounds: match args.duration {
            Some(d) => (d.as_millis() / args.interval.as_millis().max(1)).max(1) as usize,
            None => args.count as usize,
        },
        interval: args.interval,
        timeout: args.timeout,
        max_ttl: args.max_ttl,
    };
    if !out.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!(
            "tracing {} ({addr}) for {} round(s)…",
            args.host, spec.rounds
        );
    }
    let report = match trace(&spec, cancel) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("statectl: path {}: {e}", args.host);
            return Ok(Exit::Error);
        }
    };
    let stdout = &mut std::io::stdout().lock();
    match out.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *stdout, &report)?;
            writeln!(stdout)?;
        }
        _ => render::path::table(
            stdout,
            Style::resolve(out.color, out.quiet, out.verbose),
            &report,
        )?,
    }
    stdout.flush()?;
    Ok(Exit::Ok)
}
