//! The conformance suite as `cargo test`: one test per case in `cases/` (libtest-mimic), so name
//! filters, `--exact`, `--list` and `--ignored` work as usual (cases tagged `ignore` are ignored).
//!
//! A case whose endpoint the target does not serve at all (cell `not_served`) or that cannot be
//! confined to the run's own objects (`skipped`) passes: neither is a failure. Skipped cases say
//! why; not-served ones are counted at the end (`APICONFORM_VERBOSE=1` names each).
//!
//! Without a target it runs against the embedded reference server, started in-process. With
//! `APICONFORM_TARGET=<URL>` it runs against that endpoint, authenticated with `APICONFORM_TOKEN`
//! (bearer token), trusting `APICONFORM_CA_FILE`, or accepting any certificate with
//! `APICONFORM_INSECURE=1`. `APICONFORM_TARGET=<name>` takes the named target of the targets file
//! (`targets.toml`, or `APICONFORM_TARGETS_FILE`), with its authentication.
//!
//! Layer 4 compares each answer with its accepted snapshot in `snapshots/`; new or differing answers
//! are written as `snapshots/<id>.snap.new` for `cargo insta review` (`INSTA_UPDATE` as in insta;
//! `APICONFORM_SNAPSHOTS=0` skips the layer). Ctrl-C deletes the run's namespace before exiting.

use apiconform::cases;
use apiconform::report::terminal;
use apiconform::results::Cell;
use apiconform::runner::{Run, RunConfig};
use apiconform::server::BackgroundServer;
use apiconform::target::{self, Target};
use apiconform::verify::snapshot::{Snapshots, Update};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let cases = match cases::load_dir(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.list {
        let trials = cases.iter().map(|c| trial(c, None)).collect();
        return libtest_mimic::run(&args, trials).exit_code();
    }
    let (target, _server) = match std::env::var("APICONFORM_TARGET") {
        Ok(url) if url.contains("://") => {
            let target = Target {
                url,
                token: std::env::var("APICONFORM_TOKEN")
                    .ok()
                    .filter(|t| !t.is_empty()),
                ca_file: std::env::var("APICONFORM_CA_FILE").ok().map(Into::into),
                insecure: std::env::var("APICONFORM_INSECURE").is_ok_and(|v| v == "1"),
                ..Target::default()
            };
            (target, None)
        }
        Ok(name) if !name.is_empty() => {
            let file = std::env::var_os("APICONFORM_TARGETS_FILE").map(std::path::PathBuf::from);
            match target::file::resolve(&name, file.as_deref()) {
                Ok(target) => (target, None),
                Err(e) => {
                    eprintln!("error: APICONFORM_TARGET={name}: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        _ => match BackgroundServer::start() {
            Ok(server) => (Target::new(server.url()), Some(server)),
            Err(e) => {
                eprintln!("error: cannot start the embedded reference server: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => Arc::new(rt),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let snapshots = match std::env::var("APICONFORM_SNAPSHOTS").as_deref() {
        Ok("0") => None,
        _ => match Update::from_env() {
            Ok(update) => Some(Snapshots {
                dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"),
                update,
            }),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let cfg = RunConfig {
        target,
        timeout: Duration::from_secs(30),
        concurrency: 8,
        snapshots,
        allow_unconfined: false,
    };
    let run = match runtime.block_on(Run::start(&cfg)) {
        Ok(run) => Arc::new(run),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Ctrl-C or SIGTERM while the trials run: delete the run's namespace, then stop.
    let on_signal = run.clone();
    runtime.spawn(async move {
        if apiconform::signal::interrupted().await.is_ok() {
            eprintln!(
                "\ninterrupted: deleting namespace {}",
                on_signal.namespace()
            );
            if let Err(e) = on_signal.finish().await {
                eprintln!("error: {e}");
            }
            std::process::exit(130);
        }
    });
    let trials = cases
        .iter()
        .map(|c| trial(c, Some((runtime.clone(), run.clone()))))
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    let unserved = NOT_SERVED.load(std::sync::atomic::Ordering::Relaxed);
    if unserved > 0 {
        eprintln!(
            "{unserved} cases passed as \"not served\": the target does not serve their documented \
             endpoint (APICONFORM_VERBOSE=1 names them)"
        );
    }
    if let Err(e) = runtime.block_on(run.finish()) {
        eprintln!("warning: {e}");
    }
    conclusion.exit_code()
}

/// How many trials passed because the target does not serve their endpoint.
static NOT_SERVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn trial(case: &cases::Case, ctx: Option<(Arc<tokio::runtime::Runtime>, Arc<Run>)>) -> Trial {
    let case = case.clone();
    let id = case.id.clone();
    let ignored = case.tags.iter().any(|t| t == "ignore");
    let kind = case.tags.first().cloned().unwrap_or_default();
    Trial::test(id, move || {
        let Some((rt, run)) = ctx else {
            return Ok(());
        };
        let result = rt.block_on(run.run_case(&case));
        match result.cell {
            Cell::Passed => Ok(()),
            // A result about the target, not a failure of it (README: "not served" and
            // "skipped"): the test passes and says so.
            Cell::NotServed | Cell::Skipped => {
                let why = result.error.as_ref().map_or_else(
                    || "the target does not serve this documented endpoint".to_string(),
                    |e| e.message.clone(),
                );
                if result.cell == Cell::Skipped
                    || std::env::var("APICONFORM_VERBOSE").is_ok_and(|v| v == "1")
                {
                    eprintln!("{}: {:?}: {why}", case.id, result.cell);
                } else {
                    NOT_SERVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(())
            }
            _ => Err(Failed::from(terminal::case(&result, &case.title))),
        }
    })
    .with_kind(kind)
    .with_ignored_flag(ignored)
}
