//! `apiconform bench`: the harness against a raw HTTP replay and Hurl.

use super::CliError;
use crate::bench::harness as bh;
use crate::results::Exit;
use clap::Args;
use std::path::PathBuf;

/// Measure the harness against a raw HTTP replay and Hurl on generated cases.
///
/// Generated cases (PUT status, each PATCH type, errors) run against the embedded reference server
/// by apiconform, by a raw HTTP replay of the same requests and by Hurl, with the same concurrency;
/// prints cases/s, wall time, p50/p99 per case, peak RSS, the growth from the first size to the last,
/// and the goals met or missed. See BENCHMARKS.md.
#[derive(Args)]
pub struct BenchArgs {
    /// Numbers of generated cases.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    sizes: Vec<usize>,
    /// Cases at the same time (harness --concurrency, raw loop, hurl --jobs).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// The hurl executable (Hurl 8.0.1: `cargo install hurl --version 8.0.1 --locked`).
    #[arg(long, default_value = "hurl", value_name = "PATH")]
    hurl: PathBuf,
    /// Do not measure Hurl.
    #[arg(long)]
    no_hurl: bool,
    /// Also measure the harness with the snapshot layer (snapshots recorded into a temporary
    /// directory by an untimed first run).
    #[arg(long)]
    snapshots: bool,
    /// Measurements per size and tool; the median wall time is reported.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Internal: measure one tool in this process against --url and print its figures as JSON.
    #[arg(long, hide = true, requires = "url")]
    worker: Option<String>,
    #[arg(long, hide = true)]
    url: Option<String>,
}

/// `apiconform bench`, or one of its worker processes (`--worker`: the tool, `--url`: the server).
pub async fn bench(a: BenchArgs) -> Result<Exit, CliError> {
    let cfg = bh::Config {
        sizes: a.sizes,
        concurrency: a.concurrency,
        hurl: (!a.no_hurl).then_some(a.hurl),
        snapshots: a.snapshots,
        repeat: a.repeat,
    };
    if cfg.sizes.is_empty() || cfg.sizes.contains(&0) || cfg.concurrency == 0 {
        return Err(CliError(
            "--sizes and --concurrency must be positive".into(),
        ));
    }
    if let Some((tool, url)) = a.worker.zip(a.url) {
        let stats = bh::worker(&tool, &url, cfg.sizes[0], cfg.concurrency).await?;
        println!("{}", serde_json::to_string(&stats)?);
        return Ok(Exit::Passed);
    }
    println!(
        "apiconform bench: {} generated cases ({}) against the embedded reference server",
        cfg.sizes
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(" and "),
        bh::generate::KINDS.join(", ")
    );
    let report = bh::run(&cfg, &|what| eprintln!("measuring: {what}")).await?;
    print!("\n{}", bh::render(&report));
    Ok(Exit::Passed)
}
