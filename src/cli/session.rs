//! What `run` and `compare` share after parsing: the interrupt messages (from the session's
//! events), and the end of a session — baseline, summary, reports, exit code.

use super::CliError;
use super::args::OutputArgs;
use crate::report::{self, progress::Progress, terminal};
use crate::results::baseline::{self, Baseline};
use crate::results::{Exit, ResultSet};
use crate::runner::session::{Event, Finished};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The namespaces of a session, as its events tell them, for the messages of an interrupt.
#[derive(Default)]
pub struct Watch {
    /// (target, namespace, cleaned up)
    namespaces: Mutex<Vec<(String, String, bool)>>,
    stopping: AtomicBool,
}

impl Watch {
    /// Notes a session event (other than a result); prints what an interrupt does.
    pub fn event(&self, e: &Event, progress: &Progress) {
        let Ok(mut namespaces) = self.namespaces.lock() else {
            return;
        };
        match *e {
            Event::Started { target, namespace } => {
                namespaces.push((target.to_string(), namespace.to_string(), false));
            }
            Event::Stopping => {
                self.stopping.store(true, Ordering::SeqCst);
                progress.finish();
                for (target, namespace, _) in namespaces.iter() {
                    eprintln!(
                        "interrupted: deleting namespace {namespace} on {target} (interrupt again to exit without waiting)"
                    );
                }
            }
            Event::Cleaned {
                target,
                namespace,
                problem,
            } => {
                for n in namespaces.iter_mut().filter(|n| n.1 == namespace) {
                    n.2 = true;
                }
                if problem.is_none() && self.stopping.load(Ordering::SeqCst) {
                    eprintln!(
                        "interrupted: namespace {namespace} on {target} deleted, with its pods"
                    );
                }
            }
            Event::Result { .. } => {}
        }
    }

    /// The namespaces not cleaned up yet, as `namespace on target`.
    fn remaining(&self) -> Vec<String> {
        self.namespaces
            .lock()
            .map(|n| {
                n.iter()
                    .filter(|n| !n.2)
                    .map(|(t, ns, _)| format!("{ns} on {t}"))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The session's stop: the first Ctrl-C or SIGTERM; a second one exits at once, naming the
    /// namespaces that may remain.
    pub fn stop(self: &Arc<Self>) -> impl std::future::Future<Output = ()> {
        let watch = self.clone();
        crate::signal::stop_on_signals(move || {
            let remaining = watch.remaining();
            if remaining.is_empty() {
                eprintln!("interrupted again: exiting");
            } else {
                eprintln!(
                    "interrupted again: exiting without waiting for the cleanup; these namespaces may remain: {}",
                    remaining.join(", ")
                );
            }
        })
    }
}

/// After a session: the baseline, the summary, the reports, the exit code.
/// `listed`: every case's line (with its drift) was printed, not only the failures.
pub fn conclude(
    finished: Finished,
    output: &OutputArgs,
    baseline: Option<Baseline>,
    listed: bool,
) -> Result<Exit, CliError> {
    let mut set = finished.results;
    let today = baseline::today();
    let baseline = if output.update_baseline {
        // Accept what fails now: the run is judged against the updated baseline.
        let path = output.baseline_path();
        let updated = baseline.unwrap_or_default().updated(&set, &today);
        updated.save(&path)?;
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
    // No target could start: the error returned below says why; a summary would say it twice.
    let none_started = set.none_started();
    if !none_started {
        print!("{}", terminal::summary(&set, &applied, listed));
    }
    for t in &set.targets {
        for c in &t.cleanup {
            eprintln!("warning: cleanup on {}: {c}", t.name);
        }
    }
    if let Some(dir) = &output.out {
        let written = write_reports(&set, dir)?;
        println!("reports: {}", written.join(", "));
    }
    let exit = Exit::of(&set, &applied, finished.interrupted);
    match exit {
        Exit::Interrupted => {
            let finished: usize = set.targets.iter().map(|t| t.cases.len()).sum();
            eprintln!(
                "interrupted: the results above{} are those of the {finished} cases that finished",
                if output.out.is_some() {
                    " and in the reports"
                } else {
                    ""
                }
            );
        }
        Exit::Error => {
            return Err(CliError(
                set.targets
                    .iter()
                    .filter_map(|t| t.error.clone())
                    .collect::<Vec<_>>()
                    .join("\n"),
            ));
        }
        Exit::Passed | Exit::Failed => {}
    }
    Ok(exit)
}

/// Writes the reports of a result set into `dir`; returns the files written. With
/// `GITHUB_STEP_SUMMARY` set, the Markdown summary is also appended there.
fn write_reports(set: &ResultSet, dir: &Path) -> Result<Vec<String>, CliError> {
    let step_summary = std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    let written = report::write_all(set, dir)?;
    if let Some(summary) = step_summary {
        report::append(&summary, &report::markdown::render(set))?;
    }
    Ok(written.iter().map(|p| p.display().to_string()).collect())
}
