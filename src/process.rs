//! The process's lifecycle, owned by one object: the runtime that times network round trips,
//! the one cancellation token every subcommand selects on, and the signal handler that cancels
//! it (installed once, here). After Ctrl-C every subcommand has printed what it has, and the
//! exit code is 130 whatever it found.
//!
//! Blocking reads (/proc, /sys, /dev/kmsg, log files) do not run on this runtime: probes hand
//! them to the blocking pool (`probe::off_runtime`). Load generators (`bench`, `path`'s rounds)
//! build their own worker threads, sized by their flags, and take the same token.

use crate::cancel::{self, CancellationToken};
use crate::exit::Exit;

/// The runtime, the cancellation and the signal handler of one run.
pub struct Process {
    runtime: tokio::runtime::Runtime,
    cancel: CancellationToken,
}

impl Process {
    /// Builds the runtime and the token; with `signals`, installs the handler (a second
    /// `Process` with signals in the same process is an error, never a second handler).
    /// Subcommands that only write files (completions, man pages) pass false and keep the
    /// default: Ctrl-C ends them.
    pub fn start(signals: bool) -> std::io::Result<Process> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let cancel = CancellationToken::new();
        if signals {
            cancel::install(&cancel)?;
        }
        Ok(Process { runtime, cancel })
    }

    /// The token Ctrl-C cancels.
    pub fn cancel(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Runs `work` on the process's runtime.
    pub fn block_on<F: std::future::Future>(&self, work: F) -> F::Output {
        self.runtime.block_on(work)
    }

    /// The run's exit: 130 after Ctrl-C (the subcommand has printed what it had), else its own.
    pub fn finish(&self, exit: anyhow::Result<Exit>) -> anyhow::Result<Exit> {
        match exit {
            Ok(_) if cancel::interrupted() => Ok(Exit::Interrupted),
            other => other,
        }
    }
}
