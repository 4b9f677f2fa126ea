//! One cancellation for the whole process: the first Ctrl-C (SIGINT) or SIGTERM cancels the
//! token that `lib.rs` hands every subcommand, and every loop and wait selects on it; a second
//! signal ends the process at once, as users expect when a first Ctrl-C seems ignored.

use std::time::Duration;

pub use tokio_util::sync::CancellationToken;

/// How long work already in flight (an INFO at the end of a window, a reply being read) may take
/// to finish after a cancel before it is dropped: the whole run ends within 1 s of Ctrl-C.
pub const GRACE: Duration = Duration::from_millis(500);

/// Cancels `token` on the first SIGINT or SIGTERM and exits with 130 on the second. Must be
/// called inside the runtime that runs the work; the handlers are installed before it returns,
/// so a signal that arrives at once is never missed.
pub fn on_signal(token: &CancellationToken) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let token = token.clone();
    tokio::spawn(async move {
        for _ in 0..2 {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            if token.is_cancelled() {
                std::process::exit(130);
            }
            token.cancel();
        }
    });
    Ok(())
}

/// Runs `work`; after a cancel it gets [`GRACE`] to finish, then `None`.
pub async fn with_grace<T>(
    token: &CancellationToken,
    work: impl std::future::Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        r = work => Some(r),
        _ = async {
            token.cancelled().await;
            tokio::time::sleep(GRACE).await;
        } => None,
    }
}

/// Sleeps for `d`, or less when cancelled; returns whether the full time passed.
pub async fn sleep(token: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => true,
        _ = token.cancelled() => false,
    }
}
