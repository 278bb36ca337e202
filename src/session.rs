//! A session: the cases against one or more targets — concurrently, each in its own namespace with its
//! own client — gathered into one [`ResultSet`], diffed against a reference target. An interrupt
//! (Ctrl-C, SIGTERM) stops the cases, deletes every target's namespace and still returns the results
//! of the cases that finished.

use crate::cases::Case;
use crate::results::{CaseInfo, CaseRun, Counts, ResultSet, SCHEMA_VERSION, TargetRun};
use crate::run::{CaseResult, Run, RunConfig};
use crate::snapshot::Snapshots;
use crate::target::Target;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How each target is run.
#[derive(Debug, Clone)]
pub struct Options {
    pub timeout: Duration,
    /// Cases at the same time, per target.
    pub concurrency: usize,
    pub snapshots: Option<Snapshots>,
}

/// A target with the name reports use for it.
#[derive(Debug, Clone)]
pub struct Named {
    pub name: String,
    pub target: Target,
}

/// How a session ended.
#[derive(Debug)]
pub struct Outcome {
    pub results: ResultSet,
    /// Interrupted by a signal: `results` holds the cases that finished.
    pub interrupted: bool,
}

/// Runs `cases` against every target at once. `on_result` sees each case result as it is known
/// (target name, result). `stop` ends the session early (e.g. [`crate::run::interrupted`]); the
/// namespaces are deleted either way.
pub async fn run(
    cases: &[Case],
    targets: &[Named],
    reference: Option<&str>,
    opts: &Options,
    on_result: &(dyn Fn(&str, &CaseResult) + Sync),
    stop: impl std::future::Future<Output = ()>,
) -> Outcome {
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
        })
        .await
    });
    for (i, r) in futures_util::future::join_all(starts)
        .await
        .into_iter()
        .enumerate()
    {
        match r {
            Ok(run) => runs.push((i, run)),
            Err(e) => failed_start.push((i, e.to_string())),
        }
    }
    // Each result becomes its record as soon as it is known (the result itself is not kept), with
    // its cleanup problem if any.
    let done: Mutex<Vec<Vec<CaseRun>>> = Mutex::new(vec![Vec::new(); targets.len()]);
    let case_cleanup: Mutex<Vec<Vec<String>>> = Mutex::new(vec![Vec::new(); targets.len()]);
    let timings: Mutex<Vec<Duration>> = Mutex::new(vec![Duration::ZERO; targets.len()]);
    let expected: std::collections::HashMap<&str, u16> = cases
        .iter()
        .map(|c| (c.id.as_str(), c.expect.status))
        .collect();
    let work = futures_util::future::join_all(runs.iter().map(|(i, run)| {
        let (i, done, case_cleanup, timings, expected) =
            (*i, &done, &case_cleanup, &timings, &expected);
        async move {
            let t0 = Instant::now();
            let mut record = |mut r: CaseResult| {
                on_result(&targets[i].name, &r);
                if let Some(c) = r.cleanup.take()
                    && let Ok(mut cl) = case_cleanup.lock()
                {
                    cl[i].push(c);
                }
                let status = expected.get(r.id.as_str()).copied().unwrap_or(200);
                if let Ok(mut d) = done.lock() {
                    d[i].push(CaseRun::from_result(r, status));
                }
            };
            run.run_each(cases, &mut record).await;
            if let Ok(mut t) = timings.lock() {
                t[i] = t0.elapsed();
            }
        }
    }));
    let interrupted = tokio::select! {
        _ = work => false,
        _ = stop => true,
    };
    let mut cleanup: Vec<Vec<String>> = vec![Vec::new(); targets.len()];
    let finishes = runs
        .iter()
        .map(|(i, run)| async move { (*i, run.finish().await) });
    for (i, r) in futures_util::future::join_all(finishes).await {
        if let Err(e) = r {
            cleanup[i].push(e.to_string());
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
        set.targets.push(TargetRun {
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
    Outcome {
        results: set,
        interrupted,
    }
}

/// A URL without `user:password@`, which must not reach a report.
fn without_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn userinfo_is_dropped_from_urls() {
        assert_eq!(
            super::without_userinfo("https://admin:s3cret@host:6443/base"),
            "https://host:6443/base"
        );
        assert_eq!(
            super::without_userinfo("http://127.0.0.1:1"),
            "http://127.0.0.1:1"
        );
    }
}
