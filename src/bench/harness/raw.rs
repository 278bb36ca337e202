//! The floor: the generated cases' HTTP requests replayed by a bare reqwest loop, with no checks but
//! the status code and no more parsing than the setup captures need. What the wire and the server
//! cost, with the same client settings ([`Target::client`]) and the same concurrency as the harness.

use super::{Sample, Stats};
use crate::cases::{Case, Check};
use crate::target::Target;
use bytes::Bytes;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One HTTP request of a replayed case, built before the timed part.
pub struct RawRequest {
    pub method: reqwest::Method,
    pub url: String,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    /// The body with `{name}` and `{namespace}` expanded; `{{captures}}` are filled in at replay.
    pub body: Option<Bytes>,
    /// The status the answer must have: `None` for any success (2xx).
    pub status: Option<u16>,
    /// Variable → JSON Pointer into the answer.
    pub capture: BTreeMap<String, String>,
}

/// The requests the runner sends for a case, in its order: create the pod, the setup steps, read the
/// pod before the request (when a check needs it), the request, read it after (for
/// `unchanged_on_failure`), delete the pod. Mirrors [`crate::runner::Run::run_case`].
pub fn plan(case: &Case, base: &str, namespace: &str) -> Result<Vec<RawRequest>, String> {
    let name = case.id.chars().take(60).collect::<String>();
    let name = name.trim_end_matches('-').to_string();
    let mut vars = BTreeMap::new();
    vars.insert("namespace".to_string(), namespace.to_string());
    vars.insert("name".to_string(), name.clone());
    let pod_url = format!("{base}/api/v1/namespaces/{namespace}/pods/{name}");
    let get = |status: Option<u16>| RawRequest {
        method: reqwest::Method::GET,
        url: pod_url.clone(),
        content_type: None,
        headers: vec![],
        body: None,
        status,
        capture: BTreeMap::new(),
    };
    let mut out = Vec::new();
    if let Some(pod) = case.fixtures.first().map(|f| &f.body) {
        let mut v: Value = serde_json::from_slice(&pod.bytes(&case.file)?)
            .map_err(|e| format!("the case's pod is not JSON: {e}"))?;
        if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("name".into(), json!(name));
        }
        out.push(RawRequest {
            method: reqwest::Method::POST,
            url: format!("{base}/api/v1/namespaces/{namespace}/pods"),
            content_type: Some("application/json".into()),
            headers: vec![],
            body: Some(serde_json::to_vec(&v).map_err(|e| e.to_string())?.into()),
            status: Some(201),
            capture: BTreeMap::new(),
        });
    }
    let request = |r: &crate::cases::Request, status: Option<u16>| -> Result<RawRequest, String> {
        let mut url = format!("{base}{}", crate::runner::template::expand(&r.path, &vars));
        if !r.query.is_empty() {
            let mut u = reqwest::Url::parse(&url).map_err(|e| e.to_string())?;
            for (k, v) in &r.query {
                u.query_pairs_mut()
                    .append_pair(k, &crate::runner::template::expand(v, &vars));
            }
            url = u.to_string();
        }
        Ok(RawRequest {
            method: reqwest::Method::from_bytes(r.method.as_bytes()).map_err(|e| e.to_string())?,
            url,
            content_type: r.content_type.clone(),
            headers: r
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), crate::runner::template::expand(v, &vars)))
                .collect(),
            body: match &r.body {
                Some(b) => Some(expand_bytes(&b.bytes(&case.file)?, &vars).into()),
                None => None,
            },
            status,
            capture: BTreeMap::new(),
        })
    };
    for step in &case.setup {
        let mut r = request(&step.request, None)?;
        r.capture = step.capture.clone();
        out.push(r);
    }
    if !case.fixtures.is_empty() && case.expect.checks.iter().any(|c| *c != Check::Indented) {
        out.push(get(Some(200)));
    }
    out.push(request(&case.request, Some(case.expect.status))?);
    if !case.fixtures.is_empty() && case.expect.checks.contains(&Check::UnchangedOnFailure) {
        out.push(get(Some(200)));
    }
    if !case.fixtures.is_empty() {
        let mut delete = get(Some(200));
        delete.method = reqwest::Method::DELETE;
        delete.url.push_str("?gracePeriodSeconds=0");
        out.push(delete);
    }
    Ok(out)
}

/// How many requests [`plan`] makes for a case.
pub fn count(case: &Case) -> usize {
    let pod = usize::from(!case.fixtures.is_empty());
    let before = usize::from(
        !case.fixtures.is_empty() && case.expect.checks.iter().any(|c| *c != Check::Indented),
    );
    let after = usize::from(
        !case.fixtures.is_empty() && case.expect.checks.contains(&Check::UnchangedOnFailure),
    );
    2 * pod + case.setup.len() + before + 1 + after
}

/// Replays the cases' requests against `target`, `concurrency` cases at a time, in a namespace of
/// its own (created and deleted within the timed part, as the harness does).
pub async fn replay(target: &Target, cases: &[Case], concurrency: usize) -> Result<Stats, String> {
    let base = target.base_url();
    let namespace = format!(
        "apiconform-raw-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let plans = cases
        .iter()
        .map(|c| plan(c, base, &namespace))
        .collect::<Result<Vec<_>, _>>()?;
    let requests: usize = plans.iter().map(Vec::len).sum::<usize>() + 3;
    // Timed as the harness is: from building the client (as `Run::start` does) to the deletion.
    let started = Instant::now();
    let client = target
        .client(Duration::from_secs(30))
        .map_err(|e| e.to_string())?;
    let ns_body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
    let created = client
        .post(format!("{base}/api/v1/namespaces"))
        .json(&ns_body)
        .send()
        .await
        .map_err(|e| crate::runner::describe(&e))?;
    if created.status().as_u16() != 201 {
        return Err(format!("creating the namespace: HTTP {}", created.status()));
    }
    // Each case a task of its own, at most `concurrency` at a time, as the harness runs them.
    let mut samples: Vec<Sample> = Vec::with_capacity(plans.len());
    let mut running = tokio::task::JoinSet::new();
    for plan in plans {
        if running.len() >= concurrency.max(1)
            && let Some(Ok(s)) = running.join_next().await
        {
            samples.push(s);
        }
        let client = client.clone();
        running.spawn(async move { run_one(&client, &plan).await });
    }
    while let Some(joined) = running.join_next().await {
        if let Ok(s) = joined {
            samples.push(s);
        }
    }
    // As the harness's finish: list what is left, delete the namespace.
    let ns_url = format!("{base}/api/v1/namespaces/{namespace}");
    let _ = client.get(format!("{ns_url}/pods")).send().await;
    let _ = client.delete(&ns_url).send().await;
    Ok(Stats::of("raw", samples, started.elapsed(), requests))
}

async fn run_one(client: &reqwest::Client, plan: &[RawRequest]) -> Sample {
    let t0 = Instant::now();
    let mut ok = true;
    let mut vars: Vec<(String, String)> = Vec::new();
    for r in plan {
        let mut req = client.request(r.method.clone(), r.url.as_str());
        if let Some(ct) = &r.content_type {
            req = req.header("Content-Type", ct);
        }
        for (k, v) in &r.headers {
            req = req.header(k, v);
        }
        if let Some(body) = &r.body {
            let body = if vars.is_empty() {
                body.clone()
            } else {
                let mut text = String::from_utf8_lossy(body).into_owned();
                for (k, v) in &vars {
                    text = text.replace(&format!("{{{{{k}}}}}"), v);
                }
                Bytes::from(text)
            };
            req = req.body(body);
        }
        let Ok(resp) = req.send().await else {
            ok = false;
            break;
        };
        let status = resp.status().as_u16();
        let Ok(body) = resp.bytes().await else {
            ok = false;
            break;
        };
        ok &= match r.status {
            Some(s) => s == status,
            None => (200..300).contains(&status),
        };
        if !r.capture.is_empty() {
            let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            for (var, pointer) in &r.capture {
                let v = json.pointer(pointer).cloned().unwrap_or(Value::Null);
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                vars.push((var.clone(), text));
            }
        }
    }
    Sample {
        ok,
        duration: t0.elapsed(),
    }
}

fn expand_bytes(b: &[u8], vars: &BTreeMap<String, String>) -> Vec<u8> {
    match std::str::from_utf8(b) {
        Ok(s) => crate::runner::template::expand(s, vars).into_bytes(),
        Err(_) => b.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_the_plan_s_length() {
        for case in super::super::generate::cases(16) {
            let plan = plan(&case, "http://127.0.0.1:1", "ns").unwrap();
            assert_eq!(plan.len(), count(&case), "{}", case.id);
            assert!(plan.iter().all(|r| !r.url.contains('{')), "{}", case.id);
        }
    }
}
