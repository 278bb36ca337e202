//! The embedded reference server: an in-process model of kube-apiserver v1.20.2.
//!
//! Serves the resources of the kind table that have a strategy (`strategy`) through one generic
//! registry (`api/registry.rs`), with discovery, the OpenAPI document, Table output, selectors,
//! watches and server-side apply, on loopback, with the real server's defaulting, validation,
//! optimistic concurrency, patch types and `Status` errors. It has no dependency on the rest of
//! apiconform.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let server = apiconform::server::ReferenceServer::start().await?;
//! println!("serving on {}", server.url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod api;
pub mod discovery;
pub(crate) mod go_value;
pub mod managed;
pub mod patch;
pub mod pod;
mod rbac;
pub mod schema;
pub mod selector;
pub mod status;
mod store;
pub mod strategy;
pub mod table;
pub mod token;

use axum::serve::ListenerExt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use api::MAX_BODY_BYTES;

/// The reference server as an axum [`axum::Router`] with fresh, empty state, for embedding it in
/// another server or driving it without sockets.
pub fn router() -> axum::Router {
    api::router(Arc::new(api::App::default()))
}

/// A running reference server. Dropping it without [`ReferenceServer::shutdown`] stops it too.
pub struct ReferenceServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ReferenceServer {
    /// Starts a server on an ephemeral loopback port (127.0.0.1:0).
    pub async fn start() -> io::Result<Self> {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a server on `addr`.
    pub async fn bind(addr: SocketAddr) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Self::serve(listener)
    }

    /// Serves on an already bound listener.
    pub fn serve(listener: TcpListener) -> io::Result<Self> {
        let addr = listener.local_addr()?;
        let app = router();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            // Errors here are per-connection accept failures, which axum already logs and survives.
            // Small JSON responses must not wait for Nagle's algorithm.
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await;
        });
        Ok(ReferenceServer {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A reference server running on its own thread and Tokio runtime, for synchronous callers (test
/// harnesses, CLI commands that are not async). Stops when dropped.
pub struct BackgroundServer {
    url: String,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundServer {
    /// Starts a server on an ephemeral loopback port on a new thread.
    pub fn start() -> io::Result<Self> {
        let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
        let thread = std::thread::Builder::new()
            .name("apiconform-reference-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let server = TcpListener::from_std(listener).and_then(ReferenceServer::serve);
                    match server {
                        Ok(server) => {
                            let _ = ready_tx.send(Ok(()));
                            let _ = tokio::task::spawn_blocking(move || stopped.recv()).await;
                            server.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })?;
        ready_rx
            .recv()
            .map_err(|_| io::Error::other("reference server thread ended before it started"))??;
        Ok(BackgroundServer {
            url,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
