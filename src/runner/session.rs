//! A session: the cases against one or more targets — concurrently, each in its own namespace with its
//! own client — gathered into one [`ResultSet`], diffed against a reference target. An interrupt
//! (Ctrl-C, SIGTERM) stops the cases, deletes every target's namespace and still returns the results
//! of the cases that finished.

use super::run::{Run, RunConfig};
use crate::cases::Case;
use crate::results::{CaseInfo, CaseResult, Counts, ResultSet, SCHEMA_VERSION, TargetResults};
use crate::target::{Target, without_userinfo};
use crate::verify::snapshot::Snapshots;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How each target is run.
#[derive(Debug, Clone)]
pub struct Options {
    pub timeout: Duration,
    /// Cases at the same time, per target.
    pub concurrency: usize,
    pub snapshots: Option<Snapshots>,
    /// Run the cases that cannot be confined to the run's own objects.
    pub allow_unconfined: bool,
}

/// A target with the name reports use for it.
#[derive(Debug, Clone)]
pub struct NamedTarget {
    pub name: String,
    pub target: Target,
}

/// What a session found, and how it ended.
#[derive(Debug)]
pub struct Finished {
    pub results: ResultSet,
    /// Interrupted by a signal: `results` holds the cases that finished.
    pub interrupted: bool,
}

/// What happens during a session, as it happens (see [`run_with_events`]).
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A target's namespace was created: the session works there and deletes it at the end.
    Started { target: &'a str, namespace: &'a str },
    /// A case finished on a target.
    Result {
        target: &'a str,
        case: &'a Case,
        result: &'a CaseResult,
    },
    /// `stop` resolved: the cases in flight are dropped and the namespaces are being deleted.
    Stopping,
    /// A target's namespace was cleaned up (`problem: None`: its pods and itself deleted), or
    /// could not be (why, naming the namespace).
    Cleaned {
        target: &'a str,
        namespace: &'a str,
        problem: Option<&'a str>,
    },
}

/// Runs `cases` against every target at once. `on_result` sees each case result as it is known
/// (target name, result). `stop` ends the session early (e.g. [`crate::signal::interrupted`]); the
/// namespaces are deleted either way.
pub async fn run(
    cases: &[Case],
    targets: &[NamedTarget],
    reference: Option<&str>,
    opts: &Options,
    on_result: &(dyn Fn(&str, &CaseResult) + Sync),
    stop: impl std::future::Future<Output = ()>,
) -> Finished {
    let on_event = |e: Event| {
        if let Event::Result { target, result, .. } = e {
            on_result(target, result);
        }
    };
    run_with_events(cases, targets, reference, opts, &on_event, stop).await
}

/// [`run`], telling `on_event` about every namespace created and cleaned up, every case result,
/// and the moment `stop` resolves. `stop` is watched from the start: if it resolves while the
/// namespaces are being created, no case runs and the namespaces created are deleted.
pub async fn run_with_events(
    cases: &[Case],
    targets: &[NamedTarget],
    reference: Option<&str>,
    opts: &Options,
    on_event: &(dyn Fn(Event) + Sync),
    stop: impl std::future::Future<Output = ()>,
) -> Finished {
    use futures_util::future::{Either, select};
    let mut stop = std::pin::pin!(stop);
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let clock = Instant::now();
    // Start every target (its namespace); a target that cannot start is an error row, not the end.
    let mut runs: Vec<(usize, Run)> = Vec::new();
    let mut failed_start: Vec<(usize, String)> = Vec::new();
    let starts = targets.iter().map(|t| async move {
        Run::start(&RunConfig {
            target: t.target.clone(),
            timeout: opts.timeout,
            concurrency: opts.concurrency,
            snapshots: opts.snapshots.clone(),
            allow_unconfined: opts.allow_unconfined,
        })
        .await
    });
    let starts = std::pin::pin!(futures_util::future::join_all(starts));
    let (started, mut interrupted) = match select(starts, stop.as_mut()).await {
        Either::Left((started, _)) => (started, false),
        // Let the creations finish (bounded by the timeout), so that none is left behind.
        Either::Right(((), starts)) => (starts.await, true),
    };
    for (i, r) in started.into_iter().enumerate() {
        match r {
            Ok(run) => {
                on_event(Event::Started {
                    target: &targets[i].name,
                    namespace: run.namespace(),
                });
                runs.push((i, run));
            }
            Err(e) => failed_start.push((i, e.to_string())),
        }
    }
    // Each result is kept as soon as it is known; its cleanup problem also goes to the target's.
    let done: Mutex<Vec<Vec<CaseResult>>> = Mutex::new(vec![Vec::new(); targets.len()]);
    let case_cleanup: Mutex<Vec<Vec<String>>> = Mutex::new(vec![Vec::new(); targets.len()]);
    let timings: Mutex<Vec<Duration>> = Mutex::new(vec![Duration::ZERO; targets.len()]);
    let work = futures_util::future::join_all(runs.iter().map(|(i, run)| {
        let (i, done, case_cleanup, timings) = (*i, &done, &case_cleanup, &timings);
        async move {
            let t0 = Instant::now();
            // Results arrive in case order.
            let mut next = 0;
            let mut record = |r: CaseResult| {
                let case = &cases[next.min(cases.len() - 1)];
                next += 1;
                on_event(Event::Result {
                    target: &targets[i].name,
                    case,
                    result: &r,
                });
                if let Some(c) = &r.cleanup
                    && let Ok(mut cl) = case_cleanup.lock()
                {
                    cl[i].push(c.clone());
                }
                if let Ok(mut d) = done.lock() {
                    d[i].push(r);
                }
            };
            run.run_each(cases, &mut record).await;
            if let Ok(mut t) = timings.lock() {
                t[i] = t0.elapsed();
            }
        }
    }));
    if interrupted {
        drop(work);
    } else {
        interrupted = tokio::select! {
            _ = work => false,
            _ = stop.as_mut() => true,
        };
    }
    if interrupted {
        on_event(Event::Stopping);
    }
    let mut cleanup: Vec<Vec<String>> = vec![Vec::new(); targets.len()];
    let finishes = runs.iter().map(|(i, run)| async move {
        let r = run.finish().await.map_err(|e| e.to_string());
        on_event(Event::Cleaned {
            target: &targets[*i].name,
            namespace: run.namespace(),
            problem: r.as_ref().err().map(String::as_str),
        });
        (*i, r)
    });
    for (i, r) in futures_util::future::join_all(finishes).await {
        if let Err(e) = r {
            cleanup[i].push(e);
        }
    }
    let mut done = done.into_inner().unwrap_or_default();
    let mut case_cleanup = case_cleanup.into_inner().unwrap_or_default();
    let timings = timings.into_inner().unwrap_or_default();
    let mut set = ResultSet {
        schema_version: SCHEMA_VERSION,
        tool: format!("apiconform {}", env!("CARGO_PKG_VERSION")),
        started_at,
        duration_ms: clock.elapsed().as_millis() as u64,
        reference: reference.map(str::to_string),
        cases: cases.iter().map(CaseInfo::of).collect(),
        targets: Vec::new(),
    };
    for (i, t) in targets.iter().enumerate() {
        let case_runs = std::mem::take(&mut done[i]);
        let mut cleanup = std::mem::take(&mut cleanup[i]);
        cleanup.append(&mut case_cleanup[i]);
        set.targets.push(TargetResults {
            name: t.name.clone(),
            url: without_userinfo(t.target.base_url()),
            namespace: runs
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, r)| r.namespace().to_string()),
            error: failed_start
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, e)| e.clone()),
            cleanup,
            duration_ms: timings.get(i).map_or(0, |d| d.as_millis() as u64),
            counts: Counts::of(&case_runs),
            cases: case_runs,
        });
    }
    set.diff_against_reference();
    Finished {
        results: set,
        interrupted,
    }
}
