//! The `apiconform` command line. Parsing and printing only; the work is in the library.

use apiconform::bench::{self, BenchConfig};
use apiconform::cases;
use apiconform::report::terminal;
use apiconform::run::{Run, RunConfig};
use apiconform::server::ReferenceServer;
use apiconform::target::Target;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "apiconform",
    version,
    about = "Conformance tests for Kubernetes-style API endpoints"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the conformance cases against a target (default: the embedded reference server) and
    /// print one line per case, the diff of each failure and a summary. Exit code 0: all passed;
    /// 1: some failed; 2: usage, configuration or infrastructure error.
    Run {
        /// The endpoint to test (e.g. https://127.0.0.1:6443). Without it, an embedded reference
        /// server is started for the run.
        #[arg(long, value_name = "URL")]
        target: Option<String>,
        #[command(flatten)]
        auth: AuthArgs,
        /// Directory of case files (*.yaml).
        #[arg(long, default_value = "cases", value_name = "DIR")]
        cases: PathBuf,
        /// Run only the cases whose id contains this text.
        filter: Option<String>,
        /// Cases run at the same time.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Per-request timeout in seconds.
        #[arg(long, default_value_t = 30.0)]
        timeout: f64,
    },
    /// Run the embedded reference server (a model of kube-apiserver v1.20.2's Pod API) until Ctrl-C.
    Serve {
        /// Address to listen on (loopback only is recommended: there is no authentication).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Measure GET and PATCH (JSON Patch) requests/s and p99 latency on one pod, on the reference
    /// server and, with --against, on another server in the same run.
    BenchServer {
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
    },
}

/// How to authenticate to a target given on the command line.
#[derive(Args)]
struct AuthArgs {
    /// Bearer token (read from the environment so that it stays out of shell history and `ps`).
    #[arg(
        long = "token-env",
        value_name = "VAR",
        default_value = "APICONFORM_TOKEN"
    )]
    token_env: String,
    /// File holding the bearer token (used if the variable named by --token-env is unset).
    #[arg(long, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// PEM file with the CA certificate(s) to trust.
    #[arg(long, value_name = "PATH")]
    ca_file: Option<PathBuf>,
    /// Accept any server certificate (for self-signed test servers only).
    #[arg(long)]
    insecure: bool,
}

impl AuthArgs {
    fn target(&self, url: &str) -> Result<Target, String> {
        let token = match std::env::var(&self.token_env) {
            Ok(t) if !t.is_empty() => Some(t),
            _ => match &self.token_file {
                Some(p) => Some(
                    std::fs::read_to_string(p)
                        .map_err(|e| format!("cannot read the token file {}: {e}", p.display()))?
                        .trim()
                        .to_string(),
                ),
                None => None,
            },
        };
        Ok(Target {
            url: url.to_string(),
            token,
            ca_file: self.ca_file.clone(),
            insecure: self.insecure,
            ..Target::default()
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { addr } => serve(addr).await.map(|()| ExitCode::SUCCESS),
            Command::Run {
                target,
                auth,
                cases,
                filter,
                concurrency,
                timeout,
            } => run(target, auth, cases, filter, concurrency, timeout).await,
            Command::BenchServer {
                against,
                auth,
                seconds,
                connections,
            } => bench_server(against, auth, seconds, connections)
                .await
                .map(|()| ExitCode::SUCCESS),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(
    target: Option<String>,
    auth: AuthArgs,
    cases_dir: PathBuf,
    filter: Option<String>,
    concurrency: usize,
    timeout: f64,
) -> Result<ExitCode, String> {
    if !(timeout > 0.0 && timeout <= 3600.0) {
        return Err("--timeout must be between 0 and 3600 seconds".into());
    }
    let mut cases = cases::load_dir(&cases_dir).map_err(|e| e.to_string())?;
    if let Some(f) = &filter {
        cases.retain(|c| c.id.contains(f.as_str()));
        if cases.is_empty() {
            return Err(format!("no case id contains {f:?}"));
        }
    }
    let mut server = None;
    let target = match target {
        Some(url) => auth.target(&url)?,
        None => {
            let s = ReferenceServer::start()
                .await
                .map_err(|e| format!("cannot start the embedded reference server: {e}"))?;
            let t = Target::new(s.url());
            server = Some(s);
            t
        }
    };
    let label = if server.is_some() {
        format!("the embedded reference server ({})", target.url)
    } else {
        target.url.clone()
    };
    let cfg = RunConfig {
        target,
        timeout: Duration::from_secs_f64(timeout),
        concurrency,
    };
    let run = Run::start(&cfg).await.map_err(|e| e.to_string())?;
    println!(
        "running {} cases against {label} in namespace {}",
        cases.len(),
        run.namespace()
    );
    let results = tokio::select! {
        results = run.run_all(&cases) => results,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("interrupted: deleting namespace {}", run.namespace());
            if let Err(e) = run.finish().await {
                eprintln!("error: {e}");
            }
            return Ok(ExitCode::from(130));
        }
    };
    for r in &results {
        print!("{}", terminal::case(r));
    }
    let cleanup = run.finish().await;
    if let Some(s) = server {
        s.shutdown().await;
    }
    let summary = terminal::Summary::of(&results);
    if let Some(note) = summary.drift_note() {
        println!("\n{note}");
    }
    println!("\n{}", summary.line());
    cleanup.map_err(|e| e.to_string())?;
    Ok(if summary.failed + summary.errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn serve(addr: SocketAddr) -> Result<(), String> {
    let server = ReferenceServer::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!(
        "apiconform reference server (kube-apiserver v1.20.2 Pod API model) listening on {}",
        server.url()
    );
    println!(
        "try: curl {}/api/v1/namespaces   (Ctrl-C stops)",
        server.url()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    server.shutdown().await;
    Ok(())
}

async fn bench_server(
    against: Option<String>,
    auth: AuthArgs,
    seconds: f64,
    connections: usize,
) -> Result<(), String> {
    if !(seconds > 0.0 && seconds <= 600.0) {
        return Err("--seconds must be between 0 and 600".into());
    }
    let cfg = BenchConfig {
        duration: Duration::from_secs_f64(seconds),
        warmup: Duration::from_millis(500),
        connections,
    };
    let server = ReferenceServer::start()
        .await
        .map_err(|e| format!("cannot start the reference server: {e}"))?;
    let reference = Target::new(server.url());
    let mut stats = vec![
        bench::bench_target("reference", &reference, &cfg)
            .await
            .map_err(|e| e.to_string())?,
    ];
    server.shutdown().await;
    if let Some(url) = against {
        let target = auth.target(&url)?;
        stats.push(
            bench::bench_target("kube-apiserver", &target, &cfg)
                .await
                .map_err(|e| e.to_string())?,
        );
    }
    print!("{}", bench::render(&stats, &cfg));
    Ok(())
}
