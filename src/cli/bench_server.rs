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
/// GET and PATCH (JSON Patch) of a pod, a config map, a service and a Deployment at --connections
/// concurrent connections, on the embedded reference server and, with --against, on another server
/// in the same run, in --rounds turns; prints the median round and the ratios.
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
    /// Rounds per target, taken in turns (reference, other, reference, …): the median round of
    /// each operation is shown, with the range of the rounds' ratios.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
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
    if !(1..=20).contains(&a.rounds) {
        return Err(CliError("--rounds must be between 1 and 20".into()));
    }
    let server = ReferenceServer::start()
        .await
        .map_err(|e| CliError(format!("cannot start the reference server: {e}")))?;
    let reference = Target::new(server.url());
    let other = a
        .against
        .as_deref()
        .map(|url| a.auth.target(url))
        .transpose()?;
    // In turns, so that a change of the machine's load between them affects both alike.
    let mut stats = vec![Vec::new(); if other.is_some() { 2 } else { 1 }];
    for _ in 0..a.rounds {
        stats[0].push(bench::bench_target("reference", &reference, &cfg).await?);
        if let Some(target) = &other {
            stats[1].push(bench::bench_target("kube-apiserver", target, &cfg).await?);
        }
    }
    server.shutdown().await;
    print!("{}", bench::render(&stats, &cfg));
    Ok(Exit::Passed)
}
