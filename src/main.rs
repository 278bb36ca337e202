//! The `apiconform` command line. Parsing and printing only; the work is in the library.

use apiconform::baseline::Baseline;
use apiconform::bench::{self, BenchConfig};
use apiconform::cases;
use apiconform::report::progress::Progress;
use apiconform::report::terminal;
use apiconform::results::ResultSet;
use apiconform::run::{CaseResult, Outcome};
use apiconform::server::ReferenceServer;
use apiconform::session;
use apiconform::snapshot::{Snapshots, Update};
use apiconform::target::Target;
use apiconform::targets;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
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
    /// print one line per case, the diff of each failure and a summary. Exit code 0: all passed (or
    /// accepted by the baseline); 1: some failed; 2: usage, configuration or infrastructure error;
    /// 130: interrupted (the run's namespace is deleted first).
    Run {
        /// The endpoint to test: a URL (e.g. https://127.0.0.1:6443) or the name of a target in the
        /// targets file. Without it, an embedded reference server is started for the run.
        #[arg(long, value_name = "URL|NAME")]
        target: Option<String>,
        /// Run only the cases whose id contains this text.
        filter: Option<String>,
        #[command(flatten)]
        auth: AuthArgs,
        #[command(flatten)]
        suite: SuiteArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Run the same cases against several targets at once, each in its own namespace, and write one
    /// result set: JSON, JUnit per target, a Markdown summary and an HTML matrix (see --out). Every
    /// target's answers are also diffed against the reference target's. Exit codes as for `run`.
    Compare {
        /// The targets: names in the targets file, or URLs (authenticated with the flags below).
        /// The embedded reference server is always included, as `reference`.
        #[arg(required = true, value_name = "TARGET")]
        targets: Vec<String>,
        /// The target whose answers the others are diffed against.
        #[arg(long, default_value = REFERENCE, value_name = "NAME")]
        reference: String,
        /// Run only the cases whose id contains this text.
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        #[command(flatten)]
        auth: AuthArgs,
        #[command(flatten)]
        suite: SuiteArgs,
        #[command(flatten)]
        output: OutputArgs,
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

/// The name of the embedded reference server in results.
const REFERENCE: &str = "reference";

/// Which cases, and how they run.
#[derive(Args)]
struct SuiteArgs {
    /// Directory of case files (*.yaml).
    #[arg(long, default_value = "cases", value_name = "DIR")]
    cases: PathBuf,
    /// Directory of the accepted snapshots (`<case id>.snap`). With `run`, a new or differing answer
    /// fails its case and is written beside it as `<case id>.snap.new` for `cargo insta review`
    /// (INSTA_UPDATE=no writes nothing; INSTA_UPDATE=always accepts answers that pass layers 1-3);
    /// `compare` only reads them.
    #[arg(long, default_value = "snapshots", value_name = "DIR")]
    snapshots: PathBuf,
    /// Skip the snapshot layer (check layers 1-3 only).
    #[arg(long)]
    no_snapshots: bool,
    /// Cases run at the same time (per target).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
}

/// Reports and the CI gate.
#[derive(Args)]
struct OutputArgs {
    /// Write the reports into this directory: results.json, junit-<target>.xml, summary.md,
    /// report.html (`compare` default: apiconform-report).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Accepted deviations (TOML): failures covered there do not fail the exit code; expired
    /// entries do.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write the baseline file (--baseline, default baseline.toml) so that it accepts exactly what
    /// fails now: keeps the entries still needed, drops expired and unneeded ones, adds new ones.
    #[arg(long)]
    update_baseline: bool,
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
    /// The targets file in which target names are looked up (default: targets.toml). Named targets
    /// carry their own authentication; the flags above apply to targets given as URLs.
    #[arg(long, value_name = "FILE", env = "APICONFORM_TARGETS_FILE")]
    targets_file: Option<PathBuf>,
}

impl AuthArgs {
    /// The target a spec names: a URL (authenticated with these flags) or the name of a target in
    /// the targets file (authenticated as the file says).
    fn target(&self, spec: &str) -> Result<Target, String> {
        if !spec.contains("://") {
            return targets::resolve(spec, self.targets_file.as_deref()).map_err(|e| e.to_string());
        }
        let url = spec;
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
                filter,
                auth,
                suite,
                output,
            } => run(target, filter, auth, suite, output).await,
            Command::Compare {
                targets,
                reference,
                filter,
                auth,
                suite,
                output,
            } => compare(targets, reference, filter, auth, suite, output).await,
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

impl SuiteArgs {
    fn load(&self, filter: Option<&str>) -> Result<Vec<cases::Case>, String> {
        if !(self.timeout > 0.0 && self.timeout <= 3600.0) {
            return Err("--timeout must be between 0 and 3600 seconds".into());
        }
        let mut cases = cases::load_dir(&self.cases).map_err(|e| e.to_string())?;
        if let Some(f) = filter {
            cases.retain(|c| c.id.contains(f));
            if cases.is_empty() {
                return Err(format!("no case id contains {f:?}"));
            }
        }
        Ok(cases)
    }

    fn options(&self, update: Option<Update>) -> Result<session::Options, String> {
        let snapshots = if self.no_snapshots {
            None
        } else {
            Some(Snapshots {
                dir: self.snapshots.clone(),
                update: match update {
                    Some(u) => u,
                    None => Update::from_env().map_err(|e| e.to_string())?,
                },
            })
        };
        Ok(session::Options {
            timeout: Duration::from_secs_f64(self.timeout),
            concurrency: self.concurrency,
            snapshots,
        })
    }
}

async fn run(
    target: Option<String>,
    filter: Option<String>,
    auth: AuthArgs,
    suite: SuiteArgs,
    output: OutputArgs,
) -> Result<ExitCode, String> {
    let cases = suite.load(filter.as_deref())?;
    let opts = suite.options(None)?;
    let baseline = output.load_baseline()?;
    let mut server = None;
    let named = match target {
        Some(spec) => {
            let target = auth.target(&spec)?;
            session::Named {
                name: target.name.clone().unwrap_or_else(|| url_name(&spec)),
                target,
            }
        }
        None => {
            let s = ReferenceServer::start()
                .await
                .map_err(|e| format!("cannot start the embedded reference server: {e}"))?;
            let t = Target::new(s.url());
            server = Some(s);
            session::Named {
                name: REFERENCE.into(),
                target: t,
            }
        }
    };
    let label = if server.is_some() {
        format!("the embedded reference server ({})", named.target.url)
    } else {
        named.target.url.clone()
    };
    println!("running {} cases against {label}", cases.len());
    let progress = Progress::new(cases.len() as u64);
    let on_result = |_: &str, r: &CaseResult| {
        progress.line(&terminal::case(r));
        progress.inc(!matches!(r.outcome, Outcome::Passed));
    };
    let outcome = session::run(
        &cases,
        std::slice::from_ref(&named),
        None,
        &opts,
        &on_result,
        stop_signal(),
    )
    .await;
    progress.finish();
    if let Some(s) = server {
        s.shutdown().await;
    }
    conclude(outcome, &output, baseline, true)
}

async fn compare(
    targets: Vec<String>,
    reference: String,
    filter: Option<String>,
    auth: AuthArgs,
    suite: SuiteArgs,
    mut output: OutputArgs,
) -> Result<ExitCode, String> {
    let cases = suite.load(filter.as_deref())?;
    // Several targets share the snapshots: they are read, never written.
    let opts = suite.options(Some(Update::No))?;
    let baseline = output.load_baseline()?;
    output
        .out
        .get_or_insert_with(|| PathBuf::from("apiconform-report"));
    let server = ReferenceServer::start()
        .await
        .map_err(|e| format!("cannot start the embedded reference server: {e}"))?;
    let mut named = vec![session::Named {
        name: REFERENCE.into(),
        target: Target::new(server.url()),
    }];
    for spec in &targets {
        if spec == REFERENCE {
            continue;
        }
        let target = auth.target(spec)?;
        let name = target.name.clone().unwrap_or_else(|| url_name(spec));
        if named.iter().any(|n| n.name == name) {
            return Err(format!("the target {name} is given twice"));
        }
        named.push(session::Named { name, target });
    }
    if !named.iter().any(|n| n.name == reference) {
        return Err(format!(
            "--reference {reference}: no such target (targets: {})",
            named
                .iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    println!(
        "running {} cases against {} targets: {}",
        cases.len(),
        named.len(),
        named
            .iter()
            .map(|n| format!("{} ({})", n.name, n.target.base_url()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let progress = Progress::new((cases.len() * named.len()) as u64);
    let on_result = |target: &str, r: &CaseResult| {
        let failed = !matches!(r.outcome, Outcome::Passed);
        if failed {
            progress.line(&format!("{target}: {}", terminal::case(r)));
        }
        progress.inc(failed);
    };
    let outcome = session::run(
        &cases,
        &named,
        Some(&reference),
        &opts,
        &on_result,
        stop_signal(),
    )
    .await;
    progress.finish();
    server.shutdown().await;
    conclude(outcome, &output, baseline, false)
}

/// The name of a target given as a URL: its host and port.
fn url_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_string()
}

/// Resolves on Ctrl-C or SIGTERM (never, if the handlers cannot be installed).
async fn stop_signal() {
    if apiconform::run::interrupted().await.is_err() {
        std::future::pending::<()>().await;
    }
}

impl OutputArgs {
    fn baseline_path(&self) -> PathBuf {
        self.baseline
            .clone()
            .unwrap_or_else(|| PathBuf::from("baseline.toml"))
    }

    fn load_baseline(&self) -> Result<Option<Baseline>, String> {
        let path = self.baseline_path();
        match &self.baseline {
            Some(_) => Baseline::load(&path).map(Some).map_err(|e| e.to_string()),
            // --update-baseline without --baseline: start from baseline.toml if it exists.
            None if self.update_baseline && path.exists() => {
                Baseline::load(&path).map(Some).map_err(|e| e.to_string())
            }
            None => Ok(None),
        }
    }
}

/// After a session: the baseline, the summary, the reports, the exit code.
/// `listed`: every case's line (with its drift) was printed, not only the failures.
fn conclude(
    outcome: session::Outcome,
    output: &OutputArgs,
    baseline: Option<Baseline>,
    listed: bool,
) -> Result<ExitCode, String> {
    let mut set = outcome.results;
    let today = apiconform::baseline::today();
    let baseline = if output.update_baseline {
        // Accept what fails now: the run is judged against the updated baseline.
        let path = output.baseline_path();
        let updated = baseline.unwrap_or_default().updated(&set, &today);
        updated.save(&path).map_err(|e| e.to_string())?;
        println!(
            "baseline {} now accepts {} deviations: review it, and give each new entry a real reason",
            path.display(),
            updated.accept.len()
        );
        Some(updated)
    } else {
        baseline
    };
    let applied = baseline
        .as_ref()
        .map(|b| b.apply(&mut set, &today))
        .unwrap_or_default();
    print!("{}", terminal::summary(&set, &applied, listed));
    for t in &set.targets {
        for c in &t.cleanup {
            eprintln!("warning: cleanup on {}: {c}", t.name);
        }
    }
    if let Some(dir) = &output.out {
        let written = write_reports(&set, dir)?;
        println!("reports: {}", written.join(", "));
    }
    if outcome.interrupted {
        eprintln!(
            "interrupted: the namespaces were deleted; the results above are those of the cases that finished"
        );
        return Ok(ExitCode::from(130));
    }
    if set.targets.iter().any(|t| t.error.is_some())
        && set.targets.iter().all(|t| t.cases.is_empty())
    {
        return Err(set
            .targets
            .iter()
            .filter_map(|t| t.error.clone())
            .collect::<Vec<_>>()
            .join("\n"));
    }
    Ok(if set.gate_failed() || !applied.expired.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes the reports of a result set into `dir`; returns the files written.
fn write_reports(set: &ResultSet, dir: &Path) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join("results.json");
    let text = serde_json::to_string_pretty(set).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(vec![path.display().to_string()])
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
