//! `apiconform bench-server`: requests/s and latency of the reference server (and another).

use super::CliError;
use super::args::AuthArgs;
use crate::bench::server::{self as bench, BenchConfig};
use crate::results::Exit;
use crate::server::ReferenceServer;
use crate::target::Target;
use clap::Args;
use std::time::Duration;

/// Measure GET and PATCH requests/s and latency on the reference server (and another).
///
/// GET and PATCH (JSON Patch) of a pod, a config map and a service at --connections concurrent
/// connections, on the embedded
/// reference server and, with --against, on another server in the same run; prints the ratios.
#[derive(Args)]
pub struct BenchServerArgs {
    /// Also measure this server (e.g. https://127.0.0.1:6443).
    #[arg(long, value_name = "URL")]
    against: Option<String>,
    #[command(flatten)]
    auth: AuthArgs,
    /// Measured seconds per operation and target.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 4)]
    connections: usize,
}

pub async fn bench_server(a: BenchServerArgs) -> Result<Exit, CliError> {
    a.auth.check()?;
    if !(a.seconds > 0.0 && a.seconds <= 600.0) {
        return Err(CliError("--seconds must be between 0 and 600".into()));
    }
    let cfg = BenchConfig {
        duration: Duration::from_secs_f64(a.seconds),
        warmup: Duration::from_millis(500),
        connections: a.connections,
    };
    let server = ReferenceServer::start()
        .await
        .map_err(|e| CliError(format!("cannot start the reference server: {e}")))?;
    let reference = Target::new(server.url());
    let mut stats = vec![bench::bench_target("reference", &reference, &cfg).await?];
    server.shutdown().await;
    if let Some(url) = a.against {
        let target = a.auth.target(&url)?;
        stats.push(bench::bench_target("kube-apiserver", &target, &cfg).await?);
    }
    print!("{}", bench::render(&stats, &cfg));
    Ok(Exit::Passed)
}
