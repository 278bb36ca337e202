//! Interrupts: Ctrl-C (SIGINT) and SIGTERM, the one place they are listened to. A first signal asks
//! a session to stop and clean up; a second one, during that cleanup, exits at once.

/// Ctrl-C (SIGINT) and SIGTERM, one after the other; the handlers stay installed in between.
pub struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers (from then on the signals no longer end the process by themselves).
    pub fn new() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                int: signal(SignalKind::interrupt())?,
                term: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next SIGINT or SIGTERM.
    pub async fn next(&mut self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => Ok(()),
                _ = self.term.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await
    }
}

/// Resolves on the first Ctrl-C or SIGTERM.
pub async fn interrupted() -> std::io::Result<()> {
    Signals::new()?.next().await
}

/// A stop for a session: resolves on the first Ctrl-C or SIGTERM (never, if the handlers cannot be
/// installed). A second signal after it calls `on_second` (which may name what remains), then exits
/// at once with [`crate::results::Exit::Interrupted`]'s code.
pub fn stop_on_signals(
    on_second: impl FnOnce() + Send + 'static,
) -> impl std::future::Future<Output = ()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let Ok(mut signals) = Signals::new() else {
            return;
        };
        if signals.next().await.is_err() {
            return;
        }
        let _ = tx.send(());
        if signals.next().await.is_err() {
            return;
        }
        on_second();
        std::process::exit(crate::results::Exit::Interrupted.code().into());
    });
    async move {
        // An error: the handlers could not be installed, and no signal will stop the session.
        if rx.await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
