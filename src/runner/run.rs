//! One target's run: its client, its namespace, and the objects it created, with bounded concurrency
//! and a per-request timeout. It creates the namespace first and deletes what it created and then the
//! namespace at the end, and only ever touches the objects it created.

use super::answer::{self, scrub_text, snippet};
use crate::cases::Case;
use crate::results::{CaseError, CaseResult};
use crate::target::{Target, TargetError};
use crate::verify::snapshot::Snapshots;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a run is made.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub target: Target,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Cases run at the same time.
    pub concurrency: usize,
    /// Layer 4: where the accepted snapshots are, and what to write (none: no snapshot layer).
    pub snapshots: Option<Snapshots>,
    /// Run the cases that cannot be confined to the run's own objects (`Case::unconfined`).
    pub allow_unconfined: bool,
}

/// Infrastructure errors: the run cannot start or finish (not a case failing).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(
        "cannot create the run's namespace {namespace} on {url}: {detail}\n  hint: is the server up at that URL, and do the credentials allow creating namespaces?"
    )]
    Namespace {
        namespace: String,
        url: String,
        detail: String,
    },
    #[error(
        "cannot delete the run's namespace {namespace}: {detail}\n  hint: delete it by hand (kubectl delete namespace {namespace})"
    )]
    Cleanup { namespace: String, detail: String },
    /// The namespace was deleted, but not all of what is in it first (a cluster's namespace
    /// controller deletes the rest; a bare API server keeps it, `Terminating`).
    #[error(
        "the run's namespace {namespace} was deleted, but its pods not one by one first: {detail}"
    )]
    PartialCleanup { namespace: String, detail: String },
}

/// An object the run created (or is creating): deleted when its case ends, or at the end of the
/// run if the case was cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owned {
    /// The object's path, e.g. `/api/v1/namespaces/apiconform-x/pods/web`.
    pub path: String,
    /// `pod web`, for messages.
    pub label: String,
}

/// A run in progress: the client, the run's namespace and what it owns there.
#[derive(Clone)]
pub struct Run {
    pub(crate) client: reqwest::Client,
    /// The target's credentials, blanked out of every answer before anything reads it (a server
    /// that echoes request headers must not carry them into snapshots, reports or the terminal).
    pub(crate) secrets: Vec<String>,
    pub(crate) base: String,
    pub(crate) namespace: String,
    /// The run's unique token: its namespace is `apiconform-<token>`, and cluster-scoped objects it
    /// creates end in `-<token>`.
    pub(crate) token: String,
    concurrency: usize,
    pub(crate) snapshots: Option<Snapshots>,
    pub(crate) allow_unconfined: bool,
    /// The per-request timeout, named in timeout errors.
    pub(crate) timeout: Duration,
    /// The objects created and not deleted yet, in creation order.
    owned: Arc<Mutex<Vec<Owned>>>,
}

impl Run {
    /// Connects and creates the run's namespace (`apiconform-<random>`).
    pub async fn start(cfg: &RunConfig) -> Result<Run, RunError> {
        let client = cfg.target.client(cfg.timeout)?;
        let base = cfg.target.base_url().to_string();
        let token = uuid::Uuid::new_v4().simple().to_string()[..10].to_string();
        let namespace = format!("apiconform-{token}");
        let body =
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
        let resp = client
            .post(format!("{base}/api/v1/namespaces"))
            .json(&body)
            .send()
            .await;
        let fail = |detail: String| RunError::Namespace {
            namespace: namespace.clone(),
            url: cfg.target.shown_url(),
            detail,
        };
        let secrets = cfg.target.secrets();
        match resp {
            Ok(r) if r.status().as_u16() == 201 => {}
            Ok(r) => {
                let status = r.status();
                let text = match answer::read(r, &secrets, cfg.timeout).await {
                    Ok(body) => snippet(&body, 300),
                    Err(e) => format!("(reading its body: {e})"),
                };
                return Err(fail(format!("HTTP {status}: {text}")));
            }
            Err(e) => {
                return Err(fail(scrub_text(
                    answer::describe_within(&e, cfg.timeout),
                    &secrets,
                )));
            }
        }
        Ok(Run {
            client,
            secrets,
            base,
            namespace,
            token,
            concurrency: cfg.concurrency.max(1),
            snapshots: cfg.snapshots.clone(),
            allow_unconfined: cfg.allow_unconfined,
            timeout: cfg.timeout,
            owned: Arc::default(),
        })
    }

    /// The run's namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Notes an object about to be created, so that it is deleted even if its case is cut short.
    pub(crate) fn own(&self, owned: Owned) {
        if let Ok(mut o) = self.owned.lock()
            && !o.contains(&owned)
        {
            o.push(owned);
        }
    }

    /// Deletes an object the run owns (a 404 is fine: it is gone); a problem in words.
    pub(crate) async fn delete_owned(&self, owned: &Owned) -> Option<String> {
        // Background: kinds whose default is to orphan their dependents (core/v1 replication
        // controllers, retired workload versions) would otherwise keep an `orphan` finalizer that
        // only the garbage collector removes, and stay on a bare API server.
        let url = format!(
            "{}{}?gracePeriodSeconds=0&propagationPolicy=Background",
            self.base, owned.path
        );
        let problem = match self.client.delete(url).send().await {
            Ok(r) if r.status().as_u16() == 404 => None,
            Ok(r) if r.status().is_success() => {
                // Still there, held by finalizers that only a controller removes (the PV and PVC
                // protection, an `orphan` left by a client): the run's own object, so its
                // finalizers go, and with them the object (a bare API server runs no controller).
                const FINALIZERS: &[u8] = b"\"finalizers\"";
                let held = match self.read(r).await {
                    // Most answers hold no finalizer: only those are parsed.
                    Ok(body) if !body.windows(FINALIZERS.len()).any(|w| w == FINALIZERS) => false,
                    Ok(body) => serde_json::from_slice::<Value>(&body)
                        .ok()
                        .is_some_and(|v| {
                            v.pointer("/metadata/deletionTimestamp").is_some()
                                && v.pointer("/metadata/finalizers")
                                    .and_then(Value::as_array)
                                    .is_some_and(|f| !f.is_empty())
                        }),
                    Err(_) => false,
                };
                if held {
                    self.release(owned).await
                } else {
                    None
                }
            }
            Ok(r) => Some(format!("deleting {}: HTTP {}", owned.label, r.status())),
            Err(e) => Some(format!("deleting {}: {}", owned.label, self.why(&e))),
        };
        if problem.is_none()
            && let Ok(mut o) = self.owned.lock()
        {
            o.retain(|x| x != owned);
        }
        problem
    }

    /// Removes the finalizers of an object the run owns and has deleted.
    async fn release(&self, owned: &Owned) -> Option<String> {
        let url = format!("{}{}", self.base, owned.path);
        let patch = self
            .client
            .patch(url)
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"metadata":{"finalizers":null}}"#)
            .send()
            .await;
        match patch {
            Ok(r) if r.status().is_success() || r.status().as_u16() == 404 => None,
            Ok(r) => Some(format!(
                "removing the finalizers of {} (deleted): HTTP {}",
                owned.label,
                r.status()
            )),
            Err(e) => Some(format!(
                "removing the finalizers of {} (deleted): {}",
                owned.label,
                self.why(&e)
            )),
        }
    }

    /// Deletes what the run left (objects of cases cut short by an interrupt), newest first, and
    /// the pods still in its namespace, then the namespace. The objects go first and one by one: a
    /// bare API server without the namespace controller would otherwise keep them, with the
    /// namespace stuck in `Terminating`.
    pub async fn finish(&self) -> Result<(), RunError> {
        let ns_url = format!("{}/api/v1/namespaces/{}", self.base, self.namespace);
        let mut problems = Vec::new();
        let left: Vec<Owned> = self
            .owned
            .lock()
            .map(|o| o.iter().rev().cloned().collect())
            .unwrap_or_default();
        for owned in &left {
            if let Some(p) = self.delete_owned(owned).await {
                problems.push(p);
            }
        }
        // Pods the run's requests created without a record (a failure to list them does not stop
        // the namespace's deletion).
        let pods: Value = match self.client.get(format!("{ns_url}/pods")).send().await {
            Ok(r) if r.status().is_success() => match self.read(r).await {
                Ok(body) => serde_json::from_slice(&body).unwrap_or(Value::Null),
                Err(e) => {
                    problems.push(format!("listing its pods: {e}"));
                    Value::Null
                }
            },
            Ok(r) => {
                problems.push(format!("listing its pods: HTTP {}", r.status()));
                Value::Null
            }
            Err(e) => {
                problems.push(format!("listing its pods: {}", self.why(&e)));
                Value::Null
            }
        };
        let names = pods["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.pointer("/metadata/name").and_then(Value::as_str));
        for name in names {
            let url = format!("{ns_url}/pods/{name}?gracePeriodSeconds=0");
            match self.client.delete(url).send().await {
                Ok(r) if r.status().is_success() || r.status().as_u16() == 404 => {}
                Ok(r) => problems.push(format!("pod {name}: HTTP {}", r.status())),
                Err(e) => problems.push(format!("pod {name}: {}", self.why(&e))),
            }
        }
        let namespace = self.namespace.clone();
        match self.client.delete(&ns_url).send().await {
            Ok(r) if r.status().is_success() || r.status().as_u16() == 404 => {
                if problems.is_empty() {
                    Ok(())
                } else {
                    Err(RunError::PartialCleanup {
                        namespace,
                        detail: problems.join("; "),
                    })
                }
            }
            Ok(r) => {
                problems.push(format!("deleting it: HTTP {}", r.status()));
                Err(RunError::Cleanup {
                    namespace,
                    detail: problems.join("; "),
                })
            }
            Err(e) => {
                problems.push(format!("deleting it: {}", self.why(&e)));
                Err(RunError::Cleanup {
                    namespace,
                    detail: problems.join("; "),
                })
            }
        }
    }

    /// Runs all cases, at most [`RunConfig::concurrency`] at a time; results in case order.
    pub async fn run_all(&self, cases: &[Case]) -> Vec<CaseResult> {
        let mut out = Vec::with_capacity(cases.len());
        self.run_each(cases, &mut |r| out.push(r)).await;
        out
    }

    /// Runs all cases, at most [`RunConfig::concurrency`] at a time, handing each result to `take`
    /// as soon as it and the results before it are known (in case order), keeping none. A case
    /// that takes long does not hold the others up: later cases go on running (up to a window of
    /// `8 × concurrency` cases ahead of it) and their results wait for it.
    pub async fn run_each(&self, cases: &[Case], take: &mut (dyn FnMut(CaseResult) + Send)) {
        let window = self.concurrency.saturating_mul(8);
        // Each case is a task of its own, so that checking answers goes on on every worker thread;
        // dropping the set (an interrupted run) aborts the cases still running.
        let this = Arc::new(self.clone());
        let mut running = tokio::task::JoinSet::new();
        // Finished results waiting for an earlier case, by index.
        let mut waiting: BTreeMap<usize, CaseResult> = BTreeMap::new();
        let (mut next_start, mut next_out) = (0, 0);
        loop {
            while running.len() < self.concurrency
                && next_start < cases.len()
                && next_start - next_out < window
            {
                let i = next_start;
                let (run, case) = (this.clone(), cases[i].clone());
                running.spawn(async move { (i, run.run_case(&case).await) });
                next_start += 1;
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let (i, result) = match joined {
                Ok(done) => done,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => break,
            };
            waiting.insert(i, result);
            while let Some(r) = waiting.remove(&next_out) {
                take(r);
                next_out += 1;
            }
        }
    }

    /// An answer's body, at most [`answer::MAX_ANSWER_BYTES`], with the secrets blanked out.
    pub(crate) async fn read(&self, resp: reqwest::Response) -> Result<Vec<u8>, CaseError> {
        answer::read(resp, &self.secrets, self.timeout).await
    }

    /// A transport error in words, naming the timeout when it struck.
    pub(crate) fn why(&self, e: &reqwest::Error) -> String {
        scrub_text(answer::describe_within(e, self.timeout), &self.secrets)
    }

    /// A transport error as a case error.
    pub(crate) fn fault(&self, e: &reqwest::Error) -> CaseError {
        answer::transport(e, self.timeout, &self.secrets)
    }
}
