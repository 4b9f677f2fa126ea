//! One cancellation for the whole process: the first Ctrl-C (SIGINT) or SIGTERM cancels the
//! token that `statectl::process::Process` hands every subcommand, and every loop and wait
//! selects on it; a second signal ends the process at once, as users expect when a first Ctrl-C
//! seems ignored. The handler is installed once, by `Process::start`, on a thread of its own: it
//! runs whichever runtime (or none) the subcommand's work uses, and no subcommand installs
//! another.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use tokio_util::sync::CancellationToken;

/// How long work already in flight (an INFO at the end of a window, a reply being read) may take
/// to finish after a cancel before it is dropped: the whole run ends within 1 s of Ctrl-C.
pub const GRACE: Duration = Duration::from_millis(500);

/// Set by the first signal: the run was interrupted, whatever it returns.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Set by [`install`]: a second handler would race the first and exit at once.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Installs the process's one handler: the first SIGINT or SIGTERM cancels `token`, the second
/// exits with 130. The handlers are registered before it returns, so a signal that arrives at
/// once is never missed. A second call is an error.
pub fn install(token: &CancellationToken) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "the signal handler is installed once per process",
        ));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let (mut int, mut term) = {
        let _in = rt.enter();
        (
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        )
    };
    let token = token.clone();
    std::thread::Builder::new()
        .name("statectl-signals".into())
        .spawn(move || {
            rt.block_on(async move {
                loop {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                    if INTERRUPTED.swap(true, Ordering::SeqCst) {
                        std::process::exit(130);
                    }
                    token.cancel();
                }
            })
        })?;
    Ok(())
}

/// Whether a signal interrupted the run: its exit code is then 130 whatever it found.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
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

/// Runs a subcommand's `work`; when a cancel leaves it stuck past [`GRACE`] (a wait that does
/// not select on the token, such as a connect to a frozen server), prints `note` and ends the
/// run as interrupted (exit 130) instead of waiting out its timeout.
pub async fn interruptible<E>(
    token: &CancellationToken,
    note: &str,
    work: impl std::future::Future<Output = Result<crate::exit::Exit, E>>,
) -> Result<crate::exit::Exit, E> {
    match with_grace(token, work).await {
        Some(r) => r,
        None => {
            eprintln!("statectl: interrupted; {note}");
            Ok(crate::exit::Exit::Interrupted)
        }
    }
}
