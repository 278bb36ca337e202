//! The `apiconform` command line: parsing, dispatch and printing, one file per command. The work is
//! in the library; errors print here.

mod args;
mod bench;
mod bench_server;
mod compare;
mod import;
mod run;
mod schema;
mod serve;
mod session;

use crate::results::Exit;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "apiconform",
    version,
    about = "Conformance tests for Kubernetes-style API endpoints",
    long_about = "Conformance tests for Kubernetes-style API endpoints: data-driven cases (cases/), run \
                  against any target URL or the embedded reference server, checked against their \
                  expectations and snapshots (snapshots/).\n\nExit codes: 0 all passed (or accepted \
                  by the baseline); 1 some failed; 2 usage, configuration or infrastructure error; \
                  130 interrupted (after the cleanup).",
    after_help = "Details: apiconform <COMMAND> --help"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(run::RunArgs),
    Compare(compare::CompareArgs),
    Import(import::ImportArgs),
    Schema(schema::SchemaArgs),
    Serve(serve::ServeArgs),
    BenchServer(bench_server::BenchServerArgs),
    Bench(bench::BenchArgs),
}

/// A command that could not do its work: printed as `error: …`, exit code 2.
#[derive(Debug)]
pub struct CliError(String);

impl CliError {
    /// The exit code this error ends the process with.
    pub fn process_exit_code(&self) -> Exit {
        Exit::Error
    }
}

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Parses the command line, runs the command, prints its error; the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Error.into();
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run(a) => run::run(a).await,
            Command::Compare(a) => compare::compare(a).await,
            Command::Import(a) => Ok(import::import(a)),
            Command::Schema(a) => schema::schema(a),
            Command::Serve(a) => serve::serve(a).await,
            Command::BenchServer(a) => bench_server::bench_server(a).await,
            Command::Bench(a) => bench::bench(a).await,
        }
    });
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("error: {}", e.0);
            e.process_exit_code().into()
        }
    }
}
