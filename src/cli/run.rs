//! `apiconform run`: the cases against one target (default: the embedded reference server).

use super::CliError;
use super::args::{AuthArgs, OutputArgs, REFERENCE, SuiteArgs, url_name};
use super::session::{Watch, conclude};
use crate::report::{progress::Progress, terminal};
use crate::results::{Cell, Exit};
use crate::runner::session::{self, Event, NamedTarget};
use crate::server::ReferenceServer;
use crate::target::Target;
use clap::Args;
use std::sync::Arc;

/// Run the cases against one target and print a line per case and a summary.
///
/// Without --target, an embedded reference server (a model of kube-apiserver v1.20.2) is started for
/// the run. Each case runs in the run's own namespace, deleted at the end (also on Ctrl-C). Exit
/// code 0: all passed (or accepted by the baseline); 1: some failed; 2: usage, configuration or
/// infrastructure error; 130: interrupted (the run's namespace is deleted first).
#[derive(Args)]
pub struct RunArgs {
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
}

pub async fn run(a: RunArgs) -> Result<Exit, CliError> {
    a.auth.check()?;
    let cases = a.suite.load(a.filter.as_deref())?;
    let opts = a.suite.options(None)?;
    let baseline = a.output.load_baseline()?;
    let mut server = None;
    let named = match a.target {
        Some(spec) => {
            let target = a.auth.target(&spec)?;
            NamedTarget {
                name: target.name.clone().unwrap_or_else(|| url_name(&spec)),
                target,
            }
        }
        None => {
            let s = ReferenceServer::start().await.map_err(|e| {
                CliError(format!("cannot start the embedded reference server: {e}"))
            })?;
            let t = Target::new(s.url());
            server = Some(s);
            NamedTarget {
                name: REFERENCE.into(),
                target: t,
            }
        }
    };
    let label = if server.is_some() {
        format!("the embedded reference server ({})", named.target.url)
    } else {
        named.target.shown_url()
    };
    println!("running {} cases against {label}", cases.len());
    let progress = Progress::new(cases.len() as u64);
    let watch = Arc::new(Watch::default());
    let on_event = |e: Event| match e {
        Event::Result { case, result, .. } => {
            progress.line(&terminal::case(result, &case.title));
            progress.inc(result.cell != Cell::Passed);
        }
        e => watch.event(&e, &progress),
    };
    let finished = session::run_with_events(
        &cases,
        std::slice::from_ref(&named),
        None,
        &opts,
        &on_event,
        watch.stop(),
    )
    .await;
    progress.finish();
    if let Some(s) = server {
        s.shutdown().await;
    }
    conclude(finished, &a.output, baseline, true)
}
