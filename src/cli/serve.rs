//! `apiconform serve`: the embedded reference server, until Ctrl-C.

use super::CliError;
use crate::results::Exit;
use crate::server::ReferenceServer;
use clap::Args;
use std::net::SocketAddr;

/// Run the embedded reference server (a model of kube-apiserver v1.20.2) until Ctrl-C.
///
/// There is no authentication: keep it on loopback.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback only is recommended: there is no authentication).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

pub async fn serve(a: ServeArgs) -> Result<Exit, CliError> {
    let addr = a.addr;
    let server = ReferenceServer::bind(addr)
        .await
        .map_err(|e| CliError(format!("cannot listen on {addr}: {e}")))?;
    println!(
        "apiconform reference server (a model of kube-apiserver v1.20.2, core/v1) listening on {}",
        server.url()
    );
    println!(
        "try: curl {}/api/v1/namespaces   (Ctrl-C stops)",
        server.url()
    );
    crate::signal::interrupted()
        .await
        .map_err(|e| CliError(format!("cannot wait for Ctrl-C: {e}")))?;
    server.shutdown().await;
    Ok(Exit::Passed)
}
