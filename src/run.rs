//! The runner: cases against a target, each in the run's own namespace, with bounded concurrency and
//! a per-request timeout. It creates the namespace first and deletes it at the end, and only ever
//! touches the objects it created.

use crate::cases::{Case, Check, Request};
use crate::compare::{self, Mismatch, Observation, Verdict};
use crate::snapshot::{self, Snapshots, Written};
use crate::target::{Target, TargetError};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

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

/// How one case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// The target answered, and not as expected.
    Failed(Vec<Mismatch>),
    /// The case could not be carried out (setup failed, no answer, unreadable body file, …).
    Error(String),
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub id: String,
    pub title: String,
    pub outcome: Outcome,
    pub verdict: Verdict,
    pub duration: Duration,
    /// Problems cleaning up after the case (reported, not failures of the target).
    pub cleanup: Option<String>,
    /// The start of the answer's body, shown with protocol failures.
    pub answer: Option<String>,
    /// A snapshot file this case wrote (pending review, or accepted with `INSTA_UPDATE=always`).
    pub snapshot: Option<Written>,
    /// The answer, normalized as for its snapshot (none if there was no answer): what a vendor
    /// comparison diffs against the reference target's answer.
    pub content: Option<snapshot::Content>,
}

/// A run in progress: the client and the run's namespace.
#[derive(Clone)]
pub struct Run {
    client: reqwest::Client,
    /// The target's credentials, blanked out of every answer before anything reads it (a server
    /// that echoes request headers must not carry them into snapshots, reports or the terminal).
    secrets: Vec<String>,
    base: String,
    namespace: String,
    concurrency: usize,
    snapshots: Option<Snapshots>,
    /// The per-request timeout, named in timeout errors.
    timeout: Duration,
}

impl Run {
    /// Connects and creates the run's namespace (`apiconform-<random>`).
    pub async fn start(cfg: &RunConfig) -> Result<Run, RunError> {
        let client = cfg.target.client(cfg.timeout)?;
        let base = cfg.target.base_url().to_string();
        let namespace = format!(
            "apiconform-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        );
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
                let text = match read_answer(r, &secrets, cfg.timeout).await {
                    Ok(body) => snippet(&body, 300),
                    Err(e) => format!("(reading its body: {e})"),
                };
                return Err(fail(format!("HTTP {status}: {text}")));
            }
            Err(e) => return Err(fail(scrub_text(describe_within(&e, cfg.timeout), &secrets))),
        }
        Ok(Run {
            client,
            secrets,
            base,
            namespace,
            concurrency: cfg.concurrency.max(1),
            snapshots: cfg.snapshots.clone(),
            timeout: cfg.timeout,
        })
    }

    /// The run's namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Deletes what the run left in its namespace (pods of cases cut short by an interrupt), then
    /// the namespace. The pods go first and one by one: a bare API server without the namespace
    /// controller would otherwise keep them, with the namespace stuck in `Terminating`.
    pub async fn finish(&self) -> Result<(), RunError> {
        let ns_url = format!("{}/api/v1/namespaces/{}", self.base, self.namespace);
        let mut problems = Vec::new();
        // A failure to list the pods does not stop the namespace's deletion.
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
        self.run_all_with(cases, &|_| {}).await
    }

    /// [`Run::run_all`], calling `on_result` with each result as soon as it is known (in case
    /// order), e.g. to print it or advance a progress bar.
    pub async fn run_all_with(
        &self,
        cases: &[Case],
        on_result: &(dyn Fn(&CaseResult) + Sync),
    ) -> Vec<CaseResult> {
        let mut out = Vec::with_capacity(cases.len());
        self.run_each(cases, &mut |r| {
            on_result(&r);
            out.push(r);
        })
        .await;
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
        let this = std::sync::Arc::new(self.clone());
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

    /// Runs one case: setup, the request, what the checks need read around it, teardown.
    pub async fn run_case(&self, case: &Case) -> CaseResult {
        let started = Instant::now();
        let name = pod_name(&case.id);
        let mut vars = BTreeMap::new();
        vars.insert("namespace".to_string(), self.namespace.clone());
        vars.insert("name".to_string(), name.clone());
        let mut snapshot = None;
        let mut content = None;
        let (outcome, verdict, answer) = match self.exercise(case, &mut vars).await {
            Ok((mut verdict, status, json, body)) => {
                let normalized = snapshot::Content::of_parsed(
                    status,
                    json,
                    &body,
                    &self.namespace,
                    &case.expect.snapshot.redact,
                );
                if let Some(snaps) = &self.snapshots {
                    let meta = snapshot::Meta {
                        id: &case.id,
                        source: &case.file,
                        title: &case.title,
                        request: &format!("{} {}", case.request.method, case.request.path),
                    };
                    let checked = snaps.check(&meta, &normalized, verdict.mismatches.is_empty());
                    verdict.mismatches.extend(checked.mismatches);
                    snapshot = checked.written;
                    if let Some(problem) = checked.problem {
                        verdict.mismatches.push(Mismatch {
                            layer: compare::Layer::Snapshot,
                            check: "snapshot_file".into(),
                            path: String::new(),
                            expected: Some("a readable, writable snapshot file".into()),
                            actual: Some(Value::String(problem)),
                        });
                    }
                }
                content = Some(normalized);
                if verdict.mismatches.is_empty() {
                    (Outcome::Passed, verdict, None)
                } else {
                    let answer = snippet(&body, 400);
                    (
                        Outcome::Failed(verdict.mismatches.clone()),
                        verdict,
                        Some(answer),
                    )
                }
            }
            Err(e) => (
                Outcome::Error(scrub_text(e, &self.secrets)),
                Verdict::default(),
                None,
            ),
        };
        let cleanup = if case.pod.is_some() {
            let url = format!(
                "{}/api/v1/namespaces/{}/pods/{name}?gracePeriodSeconds=0",
                self.base, self.namespace
            );
            match self.client.delete(url).send().await {
                Ok(r) if r.status().is_success() || r.status().as_u16() == 404 => None,
                Ok(r) => Some(format!("deleting pod {name}: HTTP {}", r.status())),
                Err(e) => Some(format!("deleting pod {name}: {}", self.why(&e))),
            }
        } else {
            None
        };
        CaseResult {
            id: case.id.clone(),
            title: case.title.clone(),
            outcome,
            verdict,
            duration: started.elapsed(),
            cleanup,
            answer,
            snapshot,
            content,
        }
    }

    async fn exercise(
        &self,
        case: &Case,
        vars: &mut BTreeMap<String, String>,
    ) -> Result<(Verdict, u16, Option<Value>, Vec<u8>), String> {
        let pod_url = format!(
            "{}/api/v1/namespaces/{}/pods/{}",
            self.base, vars["namespace"], vars["name"]
        );
        if let Some(pod) = &case.pod {
            let mut v: Value = match pod {
                crate::cases::Body::Json(v) => v.clone(),
                other => serde_json::from_slice(&other.bytes(&case.file)?)
                    .map_err(|e| format!("the case's pod is not JSON: {e}"))?,
            };
            prepare_pod(&mut v, &vars["name"]);
            let resp = self
                .client
                .post(format!(
                    "{}/api/v1/namespaces/{}/pods",
                    self.base, vars["namespace"]
                ))
                .json(&v)
                .send()
                .await
                .map_err(|e| format!("setup: creating the pod: {}", self.why(&e)))?;
            let status = resp.status();
            let body = self.read(resp).await.map_err(|e| {
                format!("setup: creating the pod: HTTP {status}, then reading the answer: {e}")
            })?;
            if status.as_u16() != 201 {
                return Err(format!(
                    "setup: creating the pod: HTTP {status}: {}",
                    snippet(&body, 300)
                ));
            }
        }
        for (i, step) in case.setup.iter().enumerate() {
            let answer = self.send(&step.request, case, vars).await?;
            if !(200..300).contains(&answer.status) {
                return Err(format!(
                    "setup step {}: HTTP {}: {}",
                    i + 1,
                    answer.status,
                    snippet(&answer.body, 300)
                ));
            }
            let json: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
            for (var, pointer) in &step.capture {
                let value = json.pointer(pointer).ok_or_else(|| {
                    format!(
                        "setup step {}: capture {var}: no {pointer} in the answer",
                        i + 1
                    )
                })?;
                let text = value
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| value.to_string());
                vars.insert(var.clone(), text);
            }
        }
        // The pod as it was, for the checks that compare with it.
        let before =
            if case.pod.is_some() && case.expect.checks.iter().any(|c| *c != Check::Indented) {
                self.get_json(&pod_url).await
            } else {
                None
            };
        let answer = self.send(&case.request, case, vars).await?;
        let after = if case.expect.checks.contains(&Check::UnchangedOnFailure) && case.pod.is_some()
        {
            self.get_json(&pod_url).await
        } else {
            None
        };
        let obs = Observation {
            status: answer.status,
            content_type: answer.content_type,
            json: serde_json::from_slice(&answer.body).ok(),
            body: answer.body,
            before,
            after,
            request_body: answer.sent,
        };
        // The expectations with the variables filled in (a copy only when there are some).
        let expanded;
        let expect = match &case.expect.include {
            Some(include) if has_template(include) => {
                let mut e = case.expect.clone();
                if let Some(include) = &mut e.include {
                    expand_json(include, vars);
                }
                expanded = e;
                &expanded
            }
            _ => &case.expect,
        };
        Ok((
            compare::compare(expect, &obs),
            obs.status,
            obs.json,
            obs.body,
        ))
    }

    async fn get_json(&self, url: &str) -> Option<Value> {
        let resp = self.client.get(url).send().await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        serde_json::from_slice(&self.read(resp).await.ok()?).ok()
    }

    /// Sends a (templated) request: the body as sent, and the answer.
    async fn send(
        &self,
        req: &Request,
        case: &Case,
        vars: &BTreeMap<String, String>,
    ) -> Result<Exchange, String> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| format!("{:?} is not an HTTP method", req.method))?;
        let url = format!("{}{}", self.base, expand(&req.path, vars));
        let mut builder = self.client.request(method, url);
        let query: Vec<(String, String)> = req
            .query
            .iter()
            .map(|(k, v)| (k.clone(), expand(v, vars)))
            .collect();
        if !query.is_empty() {
            builder = builder.query(&query);
        }
        for (k, v) in &req.headers {
            builder = builder.header(k, expand(v, vars));
        }
        if let Some(ct) = &req.content_type {
            builder = builder.header("Content-Type", ct);
        }
        let sent = match &req.body {
            Some(body) => expand_bytes(&body.bytes(&case.file)?, vars),
            None => Vec::new(),
        };
        if req.body.is_some() {
            builder = builder.body(sent.clone());
        }
        let resp = builder
            .send()
            .await
            .map_err(|e| format!("{} {}: {}", req.method, req.path, self.why(&e)))?;
        let status = resp.status().as_u16();
        let content_type = resp.headers().get(reqwest::header::CONTENT_TYPE).map(|v| {
            scrub_text(
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                &self.secrets,
            )
        });
        let body = self.read(resp).await.map_err(|e| {
            format!(
                "reading the answer to {} {} (HTTP {status}): {e}",
                req.method, req.path
            )
        })?;
        Ok(Exchange {
            sent,
            status,
            body,
            content_type,
        })
    }

    /// An answer's body, at most [`MAX_ANSWER_BYTES`], with the secrets blanked out.
    async fn read(&self, resp: reqwest::Response) -> Result<Vec<u8>, String> {
        read_answer(resp, &self.secrets, self.timeout).await
    }

    /// A transport error in words, naming the timeout when it struck.
    fn why(&self, e: &reqwest::Error) -> String {
        scrub_text(describe_within(e, self.timeout), &self.secrets)
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM: the moment to delete the run's namespace and stop.
pub async fn interrupted() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

/// A request's body as sent, and the answer.
struct Exchange {
    sent: Vec<u8>,
    status: u16,
    body: Vec<u8>,
    content_type: Option<String>,
}

/// `body` with every occurrence of a secret replaced by `[secret]`.
fn scrub(mut body: Vec<u8>, secrets: &[String]) -> Vec<u8> {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let needle = secret.as_bytes();
        let mut out = Vec::with_capacity(body.len());
        let mut i = 0;
        while i < body.len() {
            if body[i..].starts_with(needle) {
                out.extend_from_slice(b"[secret]");
                i += needle.len();
            } else {
                out.push(body[i]);
                i += 1;
            }
        }
        body = out;
    }
    body
}

/// The start of a body, for messages.
fn snippet(body: &[u8], chars: usize) -> String {
    String::from_utf8_lossy(body).chars().take(chars).collect()
}

/// A DNS-1123 pod name for a case id (ids are already `[a-z0-9-]`).
fn pod_name(id: &str) -> String {
    let mut name: String = id.chars().take(60).collect();
    while name.ends_with('-') {
        name.pop();
    }
    if name.is_empty() { "case".into() } else { name }
}

/// The case's pod made creatable: the run's name, no server-set metadata, no status.
fn prepare_pod(pod: &mut Value, name: &str) {
    if let Some(meta) = pod.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "namespace",
            "uid",
            "resourceVersion",
            "selfLink",
            "creationTimestamp",
            "managedFields",
            "generation",
        ] {
            meta.remove(k);
        }
        meta.insert("name".into(), json!(name));
    } else if let Some(m) = pod.as_object_mut() {
        m.insert("metadata".into(), json!({"name": name}));
    }
    if let Some(m) = pod.as_object_mut() {
        m.remove("status");
    }
}

/// `{namespace}`, `{name}` and `{{variable}}` replaced by their values.
pub fn expand(s: &str, vars: &BTreeMap<String, String>) -> String {
    if !s.contains('{') {
        return s.to_string();
    }
    let mut out = s.to_string();
    if out.contains("{{") {
        for (k, v) in vars {
            let pattern = format!("{{{{{k}}}}}");
            if out.contains(&pattern) {
                out = out.replace(&pattern, v);
            }
        }
    }
    for k in ["namespace", "name"] {
        if let Some(v) = vars.get(k) {
            let pattern = format!("{{{k}}}");
            if out.contains(&pattern) {
                out = out.replace(&pattern, v);
            }
        }
    }
    out
}

fn expand_bytes(b: &[u8], vars: &BTreeMap<String, String>) -> Vec<u8> {
    match std::str::from_utf8(b) {
        Ok(s) => expand(s, vars).into_bytes(),
        Err(_) => b.to_vec(),
    }
}

/// Whether a string in `v` may hold a `{variable}`.
fn has_template(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('{'),
        Value::Array(a) => a.iter().any(has_template),
        Value::Object(m) => m.values().any(has_template),
        _ => false,
    }
}

fn expand_json(v: &mut Value, vars: &BTreeMap<String, String>) {
    match v {
        Value::String(s) => *s = expand(s, vars),
        Value::Array(a) => a.iter_mut().for_each(|x| expand_json(x, vars)),
        Value::Object(m) => m.values_mut().for_each(|x| expand_json(x, vars)),
        _ => {}
    }
}

/// The most of an answer's body that is read. A Pod API answer in the run's own namespace is a few
/// KiB; a bigger one is a fault of the target, reported as such instead of filling the memory.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// Reads an answer's body, at most [`MAX_ANSWER_BYTES`], with the secrets blanked out.
async fn read_answer(
    mut resp: reqwest::Response,
    secrets: &[String],
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    const MIB: usize = 1024 * 1024;
    if let Some(len) = resp.content_length()
        && len > MAX_ANSWER_BYTES as u64
    {
        return Err(format!(
            "the answer is too large: {len} bytes announced, more than the limit of {} MiB; not read",
            MAX_ANSWER_BYTES / MIB
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| scrub_text(describe_within(&e, timeout), secrets))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(format!(
                "the answer is too large: more than the limit of {} MiB; reading stopped",
                MAX_ANSWER_BYTES / MIB
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(scrub(body, secrets))
}

/// A transport error in words: timeout, refused or reset connection, TLS, … with its causes.
pub fn describe(e: &reqwest::Error) -> String {
    let mut causes = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push_str(": ");
        causes.push_str(&s.to_string());
        source = s.source();
    }
    let lower = causes.to_ascii_lowercase();
    let kind = if e.is_timeout() {
        "timed out"
    } else if lower.contains("certificate") {
        "TLS: the server's certificate was rejected (trust the CA that signed it with --ca-file or \
         ca_file; --insecure accepts any certificate, for test servers only)"
    } else if lower.contains("corrupt message")
        || lower.contains("invalidcontenttype")
        || lower.contains("handshake")
        || lower.contains("peer is incompatible")
        || lower.contains("alert")
    {
        "TLS handshake failed (is the target an https endpoint?)"
    } else if lower.contains("connection refused") {
        "connection refused"
    } else if lower.contains("connection reset") {
        "connection reset"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "broken answer body"
    } else {
        "request failed"
    };
    format!("{kind}{causes}")
}

/// [`describe`], naming the per-request timeout when it struck.
pub fn describe_within(e: &reqwest::Error, timeout: Duration) -> String {
    let text = describe(e);
    if e.is_timeout() {
        text.replacen(
            "timed out",
            &format!(
                "timed out (no complete answer within the per-request timeout of {})",
                humantime::format_duration(timeout)
            ),
            1,
        )
    } else {
        text
    }
}

/// `text` with every occurrence of a secret replaced by `[secret]`.
fn scrub_text(text: String, secrets: &[String]) -> String {
    if secrets
        .iter()
        .all(|s| s.is_empty() || !text.contains(s.as_str()))
    {
        return text;
    }
    String::from_utf8_lossy(&scrub(text.into_bytes(), secrets)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_variables() {
        let mut vars = BTreeMap::new();
        vars.insert("namespace".into(), "ns1".into());
        vars.insert("name".into(), "p".into());
        vars.insert("rv".into(), "42".into());
        assert_eq!(
            expand(
                "/api/v1/namespaces/{namespace}/pods/{name}?rv={{rv}}",
                &vars
            ),
            "/api/v1/namespaces/ns1/pods/p?rv=42"
        );
    }

    #[test]
    fn secrets_are_scrubbed_from_answers() {
        let body = br#"{"echo":"Bearer tok-123","again":"tok-123tok-123"}"#.to_vec();
        let out = scrub(body, &["tok-123".to_string(), String::new()]);
        assert_eq!(
            out,
            br#"{"echo":"Bearer [secret]","again":"[secret][secret]"}"#.to_vec()
        );
    }

    #[test]
    fn pod_names_are_valid() {
        assert_eq!(pod_name("a-b"), "a-b");
        assert_eq!(pod_name(&"x".repeat(80)).len(), 60);
    }
}
