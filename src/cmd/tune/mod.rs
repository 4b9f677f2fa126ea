//! `statectl tune …`: read the current state, plan with the pure planners in `tune/`, print the
//! plan (dry run) or apply it through `probe/` and read the result back. One file per target.

mod kernel;
mod postgres;
mod redis;

pub use kernel::kernel;
pub use postgres::postgres;
pub use redis::redis;

use serde::Serialize;

use crate::cancel::CancellationToken;
use crate::cli::{Format, OutputArgs};
use crate::exit::{Exit, UsageError};
use crate::render::{self, Style};

/// Tune reports print as a table or one JSON document; anything else is refused up front,
/// before any change is made.
fn check_format(out: &OutputArgs) -> Result<(), UsageError> {
    match out.format {
        Format::Table | Format::Json => Ok(()),
        other => Err(UsageError(
            format!("--format {other:?}: tune prints table or json").to_lowercase(),
        )),
    }
}

/// Prints a tune report in the chosen format.
fn emit<T: Serialize>(
    out: &OutputArgs,
    report: &T,
    table: fn(&mut dyn std::io::Write, Style, &T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let stdout = &mut std::io::stdout().lock();
    match out.format {
        Format::Json => render::json::write(stdout, report),
        _ => table(
            stdout,
            Style::resolve(out.color, out.quiet, out.verbose),
            report,
        ),
    }
}

/// Runs a tune subcommand; after Ctrl-C it says the plan may be partly applied.
pub async fn interruptible(
    cancel: &CancellationToken,
    work: impl std::future::Future<Output = anyhow::Result<Exit>>,
) -> anyhow::Result<Exit> {
    crate::cancel::interruptible(
        cancel,
        "the plan may be partly applied: run the same command again to see what is left",
        work,
    )
    .await
}
