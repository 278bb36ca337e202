//! One case's steps on a run: its object, its setup steps and captures, the request under test,
//! what the checks need read around it, the verdict and the snapshot, and the deletion of what it
//! created.

use super::answer::{Exchange, scrub_text, snippet};
use super::run::{Owned, Run};
use super::template::{Vars, expand, expand_bytes, expand_json, has_template};
use crate::cases::{Case, Check, Request};
use crate::results::{Answer, CaseError, CaseResult, Cell, ErrorKind};
use crate::verify::snapshot::{self, Written};
use crate::verify::{self, Observation, Verdict};
use serde_json::{Value, json};
use std::time::Instant;

/// What a case's request under test gave: the verdict of layers 1–3 and the answer.
struct Answered {
    verdict: Verdict,
    status: u16,
    json: Option<Value>,
    body: Vec<u8>,
}

impl Run {
    /// Runs one case: setup, the request, what the checks need read around it, the verdict (and
    /// snapshot), teardown.
    pub async fn run_case(&self, case: &Case) -> CaseResult {
        let started = Instant::now();
        if let Some(reason) = case
            .unconfined
            .as_deref()
            .filter(|_| !self.allow_unconfined)
        {
            let mut result = CaseResult::new(&case.id, Cell::Skipped);
            result.error = Some(CaseError::new(
                ErrorKind::Case,
                format!(
                    "skipped: it cannot be confined to the run's own objects ({reason}); \
                     --allow-unconfined runs it"
                ),
            ));
            return result;
        }
        let mut vars = Vars::new();
        vars.insert("namespace".to_string(), self.namespace.clone());
        vars.insert("run".to_string(), self.token.clone());
        vars.insert("name".to_string(), object_name(&case.id, None, None));
        let mut made = Vec::new();
        let mut result = CaseResult::new(&case.id, Cell::Passed);
        match self.exercise(case, &mut made, &mut vars).await {
            Ok(answered) => self.judge(case, answered, &mut result),
            Err(e) => {
                result.cell = if e.kind == ErrorKind::NotServed {
                    Cell::NotServed
                } else {
                    Cell::Error
                };
                result.error = Some(CaseError {
                    kind: e.kind,
                    message: scrub_text(e.message, &self.secrets),
                });
            }
        }
        // What the case created goes, newest first.
        let mut problems = Vec::new();
        for owned in made.iter().rev() {
            problems.extend(self.delete_owned(owned).await);
        }
        if !problems.is_empty() {
            result.cleanup = Some(problems.join("; "));
        }
        let elapsed = started.elapsed();
        result.duration_ms = elapsed.as_millis() as u64;
        result.duration_us = elapsed.as_micros() as u64;
        result
    }

    /// The verdict and snapshot of an answer, into `result`.
    fn judge(&self, case: &Case, a: Answered, result: &mut CaseResult) {
        let Answered {
            mut verdict,
            status,
            json,
            body,
        } = a;
        let unserved = status == 404 && case.expect.status != 404 && not_served(json.as_ref());
        let normalized = snapshot::Content::of_parsed(
            status,
            json,
            &body,
            &self.namespace,
            &case.expect.snapshot.redact,
        );
        // A documented endpoint the target does not serve: no answer of the endpoint to keep as a
        // snapshot, and no document field to report as drift.
        if unserved {
            verdict.drift.clear();
        }
        if let Some(snaps) = self.snapshots.as_ref().filter(|_| !unserved) {
            let meta = snapshot::Meta {
                id: &case.id,
                source: &case.file,
                title: &case.title,
                request: &format!("{} {}", case.request.method, case.request.path),
            };
            let checked = snaps.check(&meta, &normalized, verdict.mismatches.is_empty());
            verdict.mismatches.extend(checked.mismatches);
            match checked.written {
                Some(Written::Pending(p)) => {
                    result.pending_snapshot = Some(p.display().to_string())
                }
                Some(Written::Accepted(p)) => {
                    result.accepted_snapshot = Some(p.display().to_string())
                }
                None => {}
            }
            if let Some(problem) = checked.problem {
                result.error = Some(CaseError::new(ErrorKind::SnapshotIo, problem));
            }
        }
        result.status = Some(status);
        let expected = case.expect.status;
        let unsupported = (200..300).contains(&expected) && matches!(status, 405 | 415 | 501);
        result.cell = if result.error.is_some() {
            Cell::Error
        } else if verdict.mismatches.is_empty() {
            Cell::Passed
        } else if unserved {
            Cell::NotServed
        } else if unsupported {
            Cell::Unsupported
        } else {
            Cell::Failed
        };
        result.mismatches = verdict.mismatches;
        result.drift = verdict.drift;
        result.answer = Some(answer_of(normalized));
    }

    /// Creates a case's fixtures in order (each recorded in `made` and with the run before it is
    /// created), binding their names; the URL of the first, "the object" the checks read.
    async fn create_fixtures(
        &self,
        case: &Case,
        made: &mut Vec<Owned>,
        vars: &mut Vars,
    ) -> Result<Option<String>, CaseError> {
        let mut object_url = None;
        for (i, fixture) in case.fixtures.iter().enumerate() {
            let mut v: Value = match &fixture.body {
                crate::cases::Body::Json(v) => v.clone(),
                other => serde_json::from_slice(&other.bytes(&case.file).map_err(case_error)?)
                    .map_err(|e| {
                        CaseError::new(
                            ErrorKind::Case,
                            format!("fixtures[{i}]: the body is not JSON: {e}"),
                        )
                    })?,
            };
            let resource = fixture
                .resource(Some(&v))
                .map_err(|e| CaseError::new(ErrorKind::Case, format!("fixtures[{i}]: {e}")))?;
            let var = fixture.var(i);
            let name = object_name(
                &case.id,
                (i > 0).then_some(var.as_str()),
                (!resource.namespaced).then_some(self.token.as_str()),
            );
            if has_template(&v) {
                expand_json(&mut v, vars);
            }
            prepare_object(&mut v, &name);
            let api_version = fixture.api_version_of(Some(&v), resource);
            if let Some(m) = v.as_object_mut() {
                m.entry("apiVersion")
                    .or_insert_with(|| api_version.clone().into());
                m.entry("kind").or_insert_with(|| resource.kind.into());
            }
            let namespace = resource.namespaced.then_some(self.namespace.as_str());
            // The collection at the fixture's own apiVersion (a retired one is not served: 404).
            let collection = collection_at(resource, &api_version, namespace);
            let owned = Owned {
                path: format!("{collection}/{name}"),
                label: format!("{} {name}", resource.singular),
            };
            let what = if case.fixtures.len() == 1 && resource.kind == "Pod" {
                "setup: creating the pod".to_string()
            } else {
                format!("setup: creating fixtures[{i}] ({} {name})", resource.kind)
            };
            self.own(owned.clone());
            made.push(owned.clone());
            let resp = self
                .client
                .post(format!("{}{collection}", self.base))
                .json(&v)
                .send()
                .await
                .map_err(|e| self.fault(&e).context(&what))?;
            let status = resp.status();
            let body = self.read(resp).await.map_err(|e| {
                e.context(format!("{what}: HTTP {status}, then reading the answer"))
            })?;
            if status.as_u16() == 404
                && not_served(serde_json::from_slice::<Value>(&body).ok().as_ref())
            {
                return Err(CaseError::new(
                    ErrorKind::NotServed,
                    format!(
                        "{what}: the target does not serve {collection} (HTTP 404 for the whole resource)"
                    ),
                ));
            }
            if status.as_u16() != 201 {
                return Err(CaseError::new(
                    ErrorKind::Fixture,
                    format!("{what}: HTTP {status}: {}", snippet(&body, 300)),
                ));
            }
            if i == 0 {
                object_url = Some(format!("{}{}", self.base, owned.path));
            }
            vars.insert(var, name);
        }
        Ok(object_url)
    }

    async fn exercise(
        &self,
        case: &Case,
        made: &mut Vec<Owned>,
        vars: &mut Vars,
    ) -> Result<Answered, CaseError> {
        let object_url = self.create_fixtures(case, made, vars).await?;
        for (i, step) in case.setup.iter().enumerate() {
            let what = format!("setup step {}", i + 1);
            let answer = self
                .send(&step.request, case, vars)
                .await
                .map_err(|e| match e.kind {
                    ErrorKind::Case => e,
                    _ => e.context(&what),
                })?;
            if !(200..300).contains(&answer.status) {
                return Err(CaseError::new(
                    ErrorKind::Setup,
                    format!(
                        "{what}: HTTP {}: {}",
                        answer.status,
                        snippet(&answer.body, 300)
                    ),
                ));
            }
            let json: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
            for (var, pointer) in &step.capture {
                let value = json.pointer(pointer).ok_or_else(|| {
                    CaseError::new(
                        ErrorKind::Setup,
                        format!("{what}: capture {var}: no {pointer} in the answer"),
                    )
                })?;
                let text = value
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| value.to_string());
                vars.insert(var.clone(), text);
            }
        }
        // The object as it was, for the checks that compare with it.
        let before = match &object_url {
            Some(url) if case.expect.checks.iter().any(|c| *c != Check::Indented) => {
                self.get_json(url).await
            }
            _ => None,
        };
        let answer = self.send(&case.request, case, vars).await?;
        if let Some(created) = self.created_by(&case.request, vars, &answer) {
            self.own(created.clone());
            made.push(created);
        }
        let after = match &object_url {
            Some(url) if case.expect.checks.contains(&Check::UnchangedOnFailure) => {
                self.get_json(url).await
            }
            _ => None,
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
        Ok(Answered {
            verdict: verify::verdict(expect, &obs),
            status: obs.status,
            json: obs.json,
            body: obs.body,
        })
    }

    /// The object a request created (a POST answered 201 with the object), to delete it later.
    fn created_by(&self, req: &Request, vars: &Vars, answer: &Exchange) -> Option<Owned> {
        if req.method != "POST" || answer.status != 201 {
            return None;
        }
        let path = expand(&req.path, vars);
        let parsed = crate::kinds::parse_path(&path)?;
        let resource = parsed.resource?;
        if parsed.name.is_some() || parsed.subresource.is_some() {
            return None;
        }
        let json: Value = serde_json::from_slice(&answer.body).ok()?;
        let name = json.pointer("/metadata/name")?.as_str()?;
        let namespace = if resource.namespaced {
            Some(parsed.namespace?)
        } else {
            None
        };
        Some(Owned {
            path: resource.object_path(namespace, name),
            label: format!("{} {name}", resource.singular),
        })
    }

    async fn get_json(&self, url: &str) -> Option<Value> {
        let resp = self.client.get(url).send().await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        serde_json::from_slice(&self.read(resp).await.ok()?).ok()
    }

    /// Sends a (templated) request: the body as sent, and the answer.
    async fn send(&self, req: &Request, case: &Case, vars: &Vars) -> Result<Exchange, CaseError> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|_| {
            CaseError::new(
                ErrorKind::Case,
                format!("{:?} is not an HTTP method", req.method),
            )
        })?;
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
            Some(body) => expand_bytes(&body.bytes(&case.file).map_err(case_error)?, vars),
            None => Vec::new(),
        };
        if req.body.is_some() {
            builder = builder.body(sent.clone());
        }
        let request = format!("{} {}", req.method, req.path);
        let resp = builder
            .send()
            .await
            .map_err(|e| self.fault(&e).context(&request))?;
        let status = resp.status().as_u16();
        let content_type = resp.headers().get(reqwest::header::CONTENT_TYPE).map(|v| {
            scrub_text(
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                &self.secrets,
            )
        });
        let body = self
            .read(resp)
            .await
            .map_err(|e| e.context(format!("reading the answer to {request} (HTTP {status})")))?;
        Ok(Exchange {
            sent,
            status,
            body,
            content_type,
        })
    }
}

/// Whether a 404 answer says that the endpoint is not served at all (the group, version or
/// resource), not that an object is missing: kube-apiserver's `Status` then has no `details.name`
/// and no `details.kind`; an answer that is not a `Status` (a vendor's HTML page) counts too.
fn not_served(answer: Option<&Value>) -> bool {
    match answer {
        Some(v) if v.get("kind").and_then(Value::as_str) == Some("Status") => {
            let details = v.get("details");
            let has = |k: &str| {
                details
                    .and_then(|d| d.get(k))
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
            };
            !has("name") && !has("kind")
        }
        _ => true,
    }
}

/// The collection path of `resource` in `api_version` (which may be another version than the
/// table's, such as a retired one).
fn collection_at(
    resource: &crate::kinds::Resource,
    api_version: &str,
    namespace: Option<&str>,
) -> String {
    let (group, version) = crate::kinds::split_api_version(api_version);
    let base = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    match namespace {
        Some(ns) => format!("{base}/namespaces/{ns}/{}", resource.plural),
        None => format!("{base}/{}", resource.plural),
    }
}

/// A problem with the case file itself (an unreadable body file).
fn case_error(message: String) -> CaseError {
    CaseError::new(ErrorKind::Case, message)
}

/// `{"status": …, "body": …}`, built by moving the body (`json!` would copy it).
fn answer_of(c: snapshot::Content) -> Answer {
    let mut answer = serde_json::Map::new();
    answer.insert("status".into(), c.status.into());
    answer.insert(
        "body".into(),
        match c.body {
            snapshot::Body::Json(v) => v,
            snapshot::Body::Text(t) => Value::String(t),
        },
    );
    Answer::new(&Value::Object(answer))
}

/// A DNS-1123 object name for a case id (ids are already `[a-z0-9-]`), at most 63 characters:
/// the id, then `-<var>` for a fixture after the first (its variable, lower-cased, `_` as `-`),
/// then `-<run token>` for a cluster-scoped object, unique to the run.
fn object_name(id: &str, var: Option<&str>, run_token: Option<&str>) -> String {
    let suffix: String = [
        var.map(|v| v.to_ascii_lowercase().replace('_', "-")),
        run_token.map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .map(|s| format!("-{s}"))
    .collect();
    let room = 63usize.saturating_sub(suffix.len()).min(60);
    let mut name: String = id.chars().take(room).collect();
    while name.ends_with('-') {
        name.pop();
    }
    if name.is_empty() {
        name = "case".into();
    }
    name + &suffix
}

/// The case's object made creatable: the run's name, no server-set metadata, no status.
fn prepare_object(object: &mut Value, name: &str) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in crate::kinds::fields::SERVER_METADATA.iter().map(|f| f.name) {
            meta.remove(k);
        }
        meta.remove("namespace");
        meta.insert("name".into(), json!(name));
    } else if let Some(m) = object.as_object_mut() {
        m.insert("metadata".into(), json!({"name": name}));
    }
    if let Some(m) = object.as_object_mut() {
        m.remove("status");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_are_valid() {
        assert_eq!(object_name("a-b", None, None), "a-b");
        assert_eq!(object_name(&"x".repeat(80), None, None).len(), 60);
        assert_eq!(object_name("---", None, None), "case");
        assert_eq!(object_name("a-b", Some("my_role"), None), "a-b-my-role");
        let long = object_name(&"x".repeat(80), Some("role"), Some("0123456789"));
        assert_eq!(long.len(), 63);
        assert!(long.ends_with("-role-0123456789"), "{long}");
    }
}
