//! Results: what a run or a comparison found, per target and case, as one serializable set — the one
//! result model that the runner produces and the terminal and every file report read. The JSON form
//! of [`ResultSet`] is stable and documented (`docs/results-schema.md`): `schema_version` changes
//! when a field changes meaning or disappears; new fields may be added.
//!
//! A failed expectation is data ([`Mismatch`], with a JSON Pointer), never an error; a case that
//! could not be judged carries a typed [`CaseError`]. [`baseline`] accepts known deviations;
//! [`Exit`] derives the process's exit code from a set, in one place.

pub mod baseline;
pub mod coverage;
mod exit;
mod operation;

pub use coverage::Coverage;
pub use exit::Exit;

use crate::cases::Case;
use crate::verify::{Drift, Layer, Mismatch, diff_exact_at};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of the JSON schema of [`ResultSet`] (2: a case's `error` is `{kind, message}`).
pub const SCHEMA_VERSION: u32 = 2;

/// Everything one invocation found: the cases, and per target the outcome of each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultSet {
    pub schema_version: u32,
    /// `apiconform <version>`.
    pub tool: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_ms: u64,
    /// The name of the reference target, whose answers the others are diffed against (if any).
    pub reference: Option<String>,
    pub cases: Vec<CaseInfo>,
    pub targets: Vec<TargetResults>,
}

/// A case as the reports show it. The operation fields (`group` … `retired`) are derived from the
/// request's method and path through the resource-kind table ([`crate::kinds`]), not from tags;
/// files written before they existed read with them empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseInfo {
    pub id: String,
    pub title: String,
    pub tags: Vec<String>,
    /// The document and line the case comes from.
    pub document: Option<String>,
    /// The line of the request example (or of the only example).
    pub line: Option<u32>,
    /// The line of the response example, where the document has one apart from the request.
    #[serde(default)]
    pub response_line: Option<u32>,
    /// `PUT pods/{name}/status`, `PATCH deployments/{name}`, `GET /apis/apps/v1`, … (method and
    /// path after group, version and namespace; the whole path for discovery and other paths).
    pub endpoint: String,
    /// The request's content type (the patch type of a PATCH).
    pub content_type: Option<String>,
    /// The request's API group: `""` for the core group; absent for a path that is not an API
    /// path (`/version`, `/healthz`).
    #[serde(default)]
    pub group: Option<String>,
    /// The API version: `v1`, `v1beta1`; absent for `/api`, `/apis`, `/apis/<group>`.
    #[serde(default)]
    pub version: Option<String>,
    /// The kind of the resource (of the parent for a subresource: `Deployment` for
    /// `deployments/{name}/scale`); absent for discovery and other paths.
    #[serde(default)]
    pub kind: Option<String>,
    /// The resource and subresource: `pods`, `pods/status`, `deployments/scale`.
    #[serde(default)]
    pub resource: Option<String>,
    /// The operation: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
    /// `deletecollection`, on a subresource followed by its name (`update status`, `get scale`,
    /// `create eviction`); `discovery` for discovery documents; else the method in lower case.
    #[serde(default)]
    pub verb: Option<String>,
    /// The path with placeholders: `/apis/apps/v1/namespaces/{namespace}/deployments/{name}`.
    #[serde(default)]
    pub path: Option<String>,
    /// A retired endpoint: Kubernetes v1.20 does not serve the resource in this group-version
    /// (`apps/v1beta1` or `extensions/v1beta1` deployments), nor a discovery path's version;
    /// `kind` is that of the same resource in a served version.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// One target's results. Credentials never appear here: a target is its name and URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResults {
    pub name: String,
    pub url: String,
    /// The run's namespace on the target.
    pub namespace: Option<String>,
    /// Why the target could not be run at all (no cases ran).
    pub error: Option<String>,
    /// Problems cleaning up (the namespace, a case's pod).
    pub cleanup: Vec<String>,
    pub duration_ms: u64,
    pub counts: Counts,
    pub cases: Vec<CaseResult>,
}

/// How a case ended on a target: one cell of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    Passed,
    Failed,
    /// No answer to judge (setup failed, connection refused, timeout, …).
    Error,
    /// The target refused the request's method or content type (405, 415, 501) where success was
    /// expected: e.g. a patch type it does not support.
    Unsupported,
    /// Failed, but every mismatch is an accepted deviation in the baseline.
    Accepted,
    /// The target does not serve the documented endpoint at all: a 404 for the whole group,
    /// version or resource (not for a missing object), to the request or to creating a fixture.
    /// A result about the target, not a failure: e.g. a retired API version.
    NotServed,
    /// Not run: the case cannot be confined to the run's own objects (it would touch objects the
    /// run did not create) and was not allowed (`--allow-unconfined`).
    Skipped,
}

impl Cell {
    /// Whether this cell fails a CI gate.
    pub fn gates(self) -> bool {
        matches!(self, Cell::Failed | Cell::Error | Cell::Unsupported)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub unsupported: usize,
    pub accepted: usize,
    #[serde(default)]
    pub not_served: usize,
    #[serde(default)]
    pub skipped: usize,
    /// Documented fields the target does not return (not failures).
    pub drift: usize,
}

/// One case on one target: how it went ([`Cell`]) and everything the reports show of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub cell: Cell,
    pub duration_ms: u64,
    /// The same duration in microseconds (for the benchmarks' percentiles).
    #[serde(default)]
    pub duration_us: u64,
    /// The HTTP status of the answer to the request under test.
    pub status: Option<u16>,
    /// Failed expectations (all layers), including those a baseline accepts.
    pub mismatches: Vec<Mismatch>,
    pub drift: Vec<Drift>,
    /// How the normalized answer differs from the reference target's answer.
    pub vs_reference: Vec<Mismatch>,
    /// Why the case could not be judged (cell `error`).
    pub error: Option<CaseError>,
    /// The baseline reasons that accepted this case's mismatches.
    pub accepted: Vec<String>,
    /// A snapshot file written for review.
    pub pending_snapshot: Option<String>,
    /// A snapshot file accepted by this run (`INSTA_UPDATE=always`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_snapshot: Option<String>,
    /// A problem deleting what the case created (reported, not a failure of the target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<String>,
    /// The normalized answer (`{"status": …, "body": …}`), as in its snapshot.
    pub answer: Option<Answer>,
}

/// A normalized answer, `{"status": …, "body": …}`, kept as its compact JSON text: a parsed pod is
/// ten times the size of its text, and a result set holds one answer per case and target. It is
/// written to and read from JSON as the object itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer(Box<str>);

impl Answer {
    pub fn new(v: &Value) -> Answer {
        Answer(
            serde_json::to_string(v)
                .unwrap_or_default()
                .into_boxed_str(),
        )
    }

    /// The answer as JSON.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// The compact JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Value> for Answer {
    fn from(v: Value) -> Answer {
        Answer::new(&v)
    }
}

impl Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Answer, D::Error> {
        Value::deserialize(d).map(Answer::from)
    }
}

/// Why a case could not be judged: no answer, or none that the checks could read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct CaseError {
    pub kind: ErrorKind,
    /// What happened, in words, naming the step, request and fault (credentials scrubbed).
    pub message: String,
}

/// The kinds of [`CaseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The case itself cannot be carried out (not an HTTP method, an unreadable body file, a body
    /// that should be JSON and is not).
    Case,
    /// Creating an object the case needs failed.
    Fixture,
    /// A setup step failed or did not answer as the case needs (status, capture).
    Setup,
    /// The request could not be sent or its answer not received: connection refused or reset, TLS,
    /// a broken answer body.
    Transport,
    /// No complete answer within the per-request timeout.
    Timeout,
    /// The answer is larger than the limit.
    TooLarge,
    /// The snapshot file could not be read or written.
    SnapshotIo,
    /// The target does not serve the endpoint a fixture is created at (cell `not_served`).
    NotServed,
}

impl CaseError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CaseError {
        CaseError {
            kind,
            message: message.into(),
        }
    }

    /// The same error, its message prefixed with what was being done (`setup step 1: …`).
    pub fn context(self, what: impl std::fmt::Display) -> CaseError {
        CaseError {
            kind: self.kind,
            message: format!("{what}: {}", self.message),
        }
    }
}

impl CaseResult {
    /// A case result with this cell and nothing else recorded.
    pub fn new(id: &str, cell: Cell) -> CaseResult {
        CaseResult {
            id: id.to_string(),
            cell,
            duration_ms: 0,
            duration_us: 0,
            status: None,
            mismatches: vec![],
            drift: vec![],
            vs_reference: vec![],
            error: None,
            accepted: vec![],
            pending_snapshot: None,
            accepted_snapshot: None,
            cleanup: None,
            answer: None,
        }
    }
}

impl TargetResults {
    /// A target's results with these cases (counted).
    pub fn new(name: &str, url: &str, cases: Vec<CaseResult>) -> TargetResults {
        TargetResults {
            name: name.to_string(),
            url: url.to_string(),
            namespace: None,
            error: None,
            cleanup: vec![],
            duration_ms: 0,
            counts: Counts::of(&cases),
            cases,
        }
    }
}

impl CaseInfo {
    pub fn of(case: &Case) -> CaseInfo {
        let watch = case
            .request
            .query
            .get("watch")
            .is_some_and(|v| v == "true" || v == "1");
        let mut info = CaseInfo::new(
            &case.id,
            &case.title,
            &case.request.method,
            &case.request.path,
            watch,
        );
        info.tags = case.tags.clone();
        if info.kind.is_none() && info.resource.is_some() {
            info.kind = operation::tag_kind(&info.tags);
        }
        info.document = case.provenance.as_ref().map(|p| p.document.clone());
        info.line = case.provenance.as_ref().and_then(|p| p.line);
        info.response_line = case.provenance.as_ref().and_then(|p| p.response_line);
        info.content_type = case.request.content_type.clone();
        info
    }

    /// A case of this request (`watch`: the query asks for a watch), its operation fields
    /// derived from `method` and `path`; no tags, document or content type.
    pub fn new(id: &str, title: &str, method: &str, path: &str, watch: bool) -> CaseInfo {
        let op = operation::classify(method, path, watch);
        CaseInfo {
            id: id.to_string(),
            title: title.to_string(),
            endpoint: op.endpoint,
            group: op.group,
            version: op.version,
            kind: op.kind,
            resource: op.resource,
            verb: Some(op.verb),
            path: Some(op.path),
            retired: op.retired,
            ..CaseInfo::default()
        }
    }

    /// `v1`, `apps/v1`; `None` without a group or version.
    pub fn api_version(&self) -> Option<String> {
        Some(crate::kinds::join_api_version(
            self.group.as_deref()?,
            self.version.as_deref()?,
        ))
    }
}

impl Counts {
    pub fn of(cases: &[CaseResult]) -> Counts {
        let mut c = Counts::default();
        for r in cases {
            c.drift += r.drift.len();
            match r.cell {
                Cell::Passed => c.passed += 1,
                Cell::Failed => c.failed += 1,
                Cell::Error => c.errors += 1,
                Cell::Unsupported => c.unsupported += 1,
                Cell::Accepted => c.accepted += 1,
                Cell::NotServed => c.not_served += 1,
                Cell::Skipped => c.skipped += 1,
            }
        }
        c
    }
}

impl ResultSet {
    /// Diffs every target's normalized answers with the reference target's (by case id), filling
    /// `vs_reference`.
    pub fn diff_against_reference(&mut self) {
        let Some(reference) = &self.reference else {
            return;
        };
        let Some(ref_run) = self.targets.iter().find(|t| &t.name == reference).cloned() else {
            return;
        };
        let by_id: std::collections::HashMap<&str, &CaseResult> =
            ref_run.cases.iter().map(|c| (c.id.as_str(), c)).collect();
        for t in self.targets.iter_mut().filter(|t| &t.name != reference) {
            for case in &mut t.cases {
                let Some(ref_case) = by_id.get(case.id.as_str()) else {
                    continue;
                };
                case.vs_reference.clear();
                match (
                    ref_case.answer.as_ref().map(Answer::value),
                    case.answer.as_ref().map(Answer::value),
                ) {
                    (Some(e), Some(a)) => {
                        if e["status"] != a["status"] {
                            case.vs_reference.push(Mismatch {
                                layer: Layer::Reference,
                                check: "reference_status".into(),
                                path: String::new(),
                                expected: Some(e["status"].clone()),
                                actual: Some(a["status"].clone()),
                            });
                        }
                        diff_exact_at(
                            Layer::Reference,
                            &e["body"],
                            &a["body"],
                            &mut String::new(),
                            "reference",
                            &mut case.vs_reference,
                        )
                    }
                    (None, None) => {}
                    (e, a) => case.vs_reference.push(Mismatch {
                        layer: Layer::Reference,
                        check: "reference".into(),
                        path: String::new(),
                        expected: e,
                        actual: a,
                    }),
                }
            }
        }
    }

    /// Whether any cell fails the gate (after baselines).
    pub fn gate_failed(&self) -> bool {
        self.targets
            .iter()
            .any(|t| t.error.is_some() || t.cases.iter().any(|c| c.cell.gates()))
    }

    /// Whether no target could start (each has an `error` and no case ran): nothing was judged.
    pub fn none_started(&self) -> bool {
        !self.targets.is_empty()
            && self
                .targets
                .iter()
                .all(|t| t.error.is_some() && t.cases.is_empty())
    }

    pub fn case(&self, id: &str) -> Option<&CaseInfo> {
        self.cases.iter().find(|c| c.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(name: &str, answer: Value) -> TargetResults {
        let mut case = CaseResult::new("a", Cell::Passed);
        case.status = Some(200);
        case.answer = Some(json!({"status": 200, "body": answer}).into());
        TargetResults::new(name, "http://x", vec![case])
    }

    #[test]
    fn targets_are_diffed_against_the_reference_by_json_pointer() {
        let mut set = ResultSet {
            schema_version: SCHEMA_VERSION,
            tool: "t".into(),
            started_at: "2026-11-22T00:00:00Z".into(),
            duration_ms: 0,
            reference: Some("ref".into()),
            cases: vec![],
            targets: vec![
                run("ref", json!({"status": {"qosClass": "BestEffort"}})),
                run(
                    "v135",
                    json!({"status": {"qosClass": "BestEffort"}, "metadata": {"generation": 1}}),
                ),
            ],
        };
        set.diff_against_reference();
        let diffs = &set.targets[1].cases[0].vs_reference;
        assert_eq!(diffs.len(), 1);
        assert_eq!(diffs[0].path, "/metadata");
        assert_eq!(diffs[0].actual, Some(json!({"generation": 1})));
        assert!(set.targets[0].cases[0].vs_reference.is_empty());
        // The JSON form reads back identically.
        let text = serde_json::to_string(&set).unwrap();
        assert_eq!(serde_json::from_str::<ResultSet>(&text).unwrap(), set);
    }

    #[test]
    fn unsupported_is_its_own_cell_and_gates() {
        assert!(Cell::Unsupported.gates() && Cell::Failed.gates() && Cell::Error.gates());
        assert!(!Cell::Accepted.gates() && !Cell::Passed.gates());
    }
}
