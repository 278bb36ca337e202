//! `apiconform compare`: the same cases against several targets at once, one result set.

use super::CliError;
use super::args::{AuthArgs, OutputArgs, REFERENCE, SuiteArgs, url_name};
use super::session::{Watch, conclude};
use crate::report::{progress::Progress, terminal};
use crate::results::{Cell, Exit};
use crate::runner::session::{self, Event, NamedTarget};
use crate::server::ReferenceServer;
use crate::target::Target;
use crate::verify::snapshot::Update;
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;

/// Run the same cases against several targets and write one comparison report.
///
/// Every target runs at once, each in its own namespace; the embedded reference server is always
/// included, as `reference`. Writes into --out: results.json, JUnit per target, a Markdown summary,
/// an HTML matrix and the drift per target. Every target's answers are also diffed against the
/// reference target's. Exit codes as for `run`.
#[derive(Args)]
pub struct CompareArgs {
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
}

pub async fn compare(mut a: CompareArgs) -> Result<Exit, CliError> {
    a.auth.check()?;
    let cases = a.suite.load(a.filter.as_deref())?;
    // Several targets share the snapshots: they are read, never written.
    let opts = a.suite.options(Some(Update::No))?;
    let baseline = a.output.load_baseline()?;
    a.output
        .out
        .get_or_insert_with(|| PathBuf::from("apiconform-report"));
    let server = ReferenceServer::start()
        .await
        .map_err(|e| CliError(format!("cannot start the embedded reference server: {e}")))?;
    let mut named = vec![NamedTarget {
        name: REFERENCE.into(),
        target: Target::new(server.url()),
    }];
    for spec in &a.targets {
        if spec == REFERENCE {
            continue;
        }
        let target = a.auth.target(spec)?;
        let name = target.name.clone().unwrap_or_else(|| url_name(spec));
        if named.iter().any(|n| n.name == name) {
            return Err(CliError(format!("the target {name} is given twice")));
        }
        named.push(NamedTarget { name, target });
    }
    if !named.iter().any(|n| n.name == a.reference) {
        return Err(CliError(format!(
            "--reference {}: no such target (targets: {})",
            a.reference,
            named
                .iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    println!(
        "running {} cases against {} targets: {}",
        cases.len(),
        named.len(),
        named
            .iter()
            .map(|n| format!("{} ({})", n.name, n.target.shown_url()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let progress = Progress::new((cases.len() * named.len()) as u64);
    let watch = Arc::new(Watch::default());
    let on_event = |e: Event| match e {
        Event::Result {
            target,
            case,
            result,
        } => {
            let failed = result.cell != Cell::Passed;
            if failed {
                progress.line(&format!(
                    "{target}: {}",
                    terminal::case(result, &case.title)
                ));
            }
            progress.inc(failed);
        }
        e => watch.event(&e, &progress),
    };
    let finished = session::run_with_events(
        &cases,
        &named,
        Some(&a.reference),
        &opts,
        &on_event,
        watch.stop(),
    )
    .await;
    progress.finish();
    server.shutdown().await;
    conclude(finished, &a.output, baseline, false)
}
