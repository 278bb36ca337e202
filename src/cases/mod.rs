//! Test cases: the data a conformance run is made of, loaded from YAML files (`cases/**/*.yaml`).
//!
//! The format is documented in `cases/README.md`. Unknown fields are errors, and every error names the
//! file (and the line where the YAML parser knows it).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One case: an example of a document turned into a request and its expectations.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique id, used as the test name (`[a-z0-9-]`).
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the example comes from.
    #[serde(default)]
    pub provenance: Option<Provenance>,
    /// The objects the case needs, of any kind, created in order before the setup steps (each
    /// recorded, so that it is deleted even if the case is cut short) and deleted in reverse order
    /// at the end. The first one is "the object" the checks read before and after the request.
    #[serde(default)]
    pub fixtures: Vec<Fixture>,
    /// Why the case cannot be confined to the run's own objects (it reads or changes objects the
    /// run did not create, such as an existing node): such a case is skipped unless the run allows
    /// it (`--allow-unconfined`).
    #[serde(default)]
    pub unconfined: Option<String>,
    /// Further requests after the fixtures exist, e.g. to capture a resourceVersion.
    #[serde(default)]
    pub setup: Vec<Step>,
    /// The request under test.
    pub request: Request,
    pub expect: Expect,
    /// The file the case was loaded from (set by the loader).
    #[serde(skip)]
    pub file: PathBuf,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub document: String,
    /// Line of the example (the request's, or the response's when the request has no body).
    #[serde(default)]
    pub line: Option<u32>,
    /// Line of the response example that `expect.include` comes from, when the request has its own.
    #[serde(default)]
    pub response_line: Option<u32>,
}

/// An object a case needs. Its name is the run's: `{name}` for the first fixture (or the variable
/// `as` names, `{{var}}`), derived from the case id; a cluster-scoped object's name also carries
/// the run's unique suffix, so that runs never touch each other's objects. Its `metadata.name`,
/// `namespace`, server-assigned metadata and `status` are replaced or dropped before it is created.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// The object's kind (`Pod`, `Deployment`, `ClusterRole`, …); default: the body's `kind`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Its API version (`v1`, `apps/v1`, …); default: the body's `apiVersion`, else the version the
    /// server prefers for the kind.
    #[serde(default, rename = "apiVersion")]
    pub api_version: Option<String>,
    /// The variable its name is bound to (default `name`, for the first fixture only).
    #[serde(default, rename = "as")]
    pub var: Option<String>,
    /// The object (JSON or YAML, or a file relative to the case file).
    pub body: Body,
}

/// A setup step: a request whose answer must be a success, with values captured from it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub request: Request,
    /// Variable name → JSON Pointer into the step's response, usable later as `{{name}}`.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
}

/// An HTTP request. Strings in `path`, `query`, `headers` and `body` may use `{namespace}`, `{name}`
/// and captured `{{variables}}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub body: Option<Body>,
}

/// A request body: JSON (written as YAML or JSON), a raw text (for malformed bodies), or a file
/// relative to the case file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Body {
    Json(Value),
    Text(String),
    File(PathBuf),
}

/// What the answer must be, in the layers of `DESIGN.md` §3.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Layer 1: the HTTP status code.
    pub status: u16,
    /// Layer 1: `kind` of the answer (`Pod`, `PodList`, …) for a success.
    #[serde(default)]
    pub kind: Option<String>,
    /// Layer 1: other kinds the answer may have instead of `kind`: a DELETE answers a `Status`, or
    /// the object itself while its deletion waits (a grace period, finalizers). When the answer is
    /// of another kind than `include`, the include is not compared but reported as drift.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternative_kinds: Vec<String>,
    /// Layer 1: `reason` of the `Status` for an error (`NotFound`, `Conflict`, …); `""` for none.
    #[serde(default)]
    pub reason: Option<String>,
    /// Layer 2: semantic checks computed from the request.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Layer 3: fields the answer must contain with these values (extra fields are fine).
    #[serde(default)]
    pub include: Option<Value>,
    /// JSON Pointers into `include` that a bare API server cannot return (set by a scheduler or a
    /// kubelet, or removed since the document was written), each with the reason. They are left out
    /// of the comparison and reported as document drift when absent or different.
    #[serde(default)]
    pub environmental: BTreeMap<String, String>,
    /// Layer 4: how the whole answer is kept as a snapshot (`snapshots/<id>.snap`).
    #[serde(default)]
    pub snapshot: SnapshotSpec,
}

impl Expect {
    /// Expects this status and nothing else (the other layers empty).
    pub fn status(status: u16) -> Expect {
        Expect {
            status,
            kind: None,
            alternative_kinds: vec![],
            reason: None,
            checks: vec![],
            include: None,
            environmental: BTreeMap::new(),
            snapshot: SnapshotSpec::default(),
        }
    }
}

/// Layer-4 settings of a case.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSpec {
    /// JSON Pointers into the answer (`*` matches any array index or key) whose values are replaced
    /// by `[redacted]` in the snapshot, each with the reason: values that differ between faithful
    /// servers, such as a message that embeds Go's internal diff.
    #[serde(default)]
    pub redact: BTreeMap<String, String>,
}

/// Layer-2 checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The answer equals the request's JSON Patch applied locally to the pod read just before.
    JsonPatchApplied,
    /// The answer equals the request's merge patch (RFC 7386) applied locally to the pod read before.
    MergePatchApplied,
    /// `spec` of the answer equals `spec` of the pod read before (PUT/PATCH of the status).
    SpecUnchanged,
    /// `metadata.resourceVersion` differs from the pod read before.
    ResourceVersionChanged,
    /// `uid`, `name`, `namespace` and `creationTimestamp` are those of the pod read before.
    IdentityPreserved,
    /// After a failed request, the pod read back equals the pod read before.
    UnchangedOnFailure,
    /// The body is indented JSON (`?pretty=true`, curl-like User-Agents).
    Indented,
}

/// Why cases could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}{}: {message}\n  hint: see cases/README.md for the case format", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        line: Option<u64>,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("case id {id:?} is used twice: {first} and {second}")]
    DuplicateId {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("no case files (*.yaml) under {0}")]
    Empty(PathBuf),
    #[error(
        "cannot read the case directory {path}: {source}\n  hint: run from the project root, or name the directory with --cases DIR"
    )]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The JSON Schema of a case file (draft 2020-12), generated from these types: editors that know
/// JSON Schema (e.g. through a `# yaml-language-server: $schema=…` comment) complete and check case
/// files with it. `apiconform schema` prints it.
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Case);
    schema.insert("title".into(), "apiconform case file".into());
    schema.to_value()
}

/// Loads one case file.
pub fn load_file(path: &Path) -> Result<Case, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut case: Case = serde_saphyr::from_str(&text).map_err(|e| LoadError::Parse {
        path: path.to_path_buf(),
        line: e.location().map(|l| l.line()),
        message: e.to_string().trim_start_matches("error: ").to_string(),
    })?;
    case.file = path.to_path_buf();
    let invalid = |message: String| LoadError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    if case.id.is_empty()
        || !case
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(invalid(format!(
            "id {:?} must be non-empty and use only a-z, 0-9 and '-'",
            case.id
        )));
    }
    if !(100..=599).contains(&case.expect.status) {
        return Err(invalid(format!(
            "expect.status {} is not an HTTP status code",
            case.expect.status
        )));
    }
    for step in case.setup.iter().map(|s| &s.request).chain([&case.request]) {
        if reqwest::Method::from_bytes(step.method.as_bytes()).is_err() {
            return Err(invalid(format!("{:?} is not an HTTP method", step.method)));
        }
        if !step.path.starts_with('/') {
            return Err(invalid(format!("path {:?} must start with '/'", step.path)));
        }
    }
    let mut vars = std::collections::BTreeSet::new();
    for (i, f) in case.fixtures.iter().enumerate() {
        let var = match (&f.var, i) {
            (Some(v), _) => v.clone(),
            (None, 0) => "name".to_string(),
            (None, _) => {
                return Err(invalid(format!(
                    "fixtures[{i}] needs `as: <variable>`: only the first fixture's name is {{name}} by default"
                )));
            }
        };
        if var == "namespace"
            || var.is_empty()
            || !var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(invalid(format!(
                "fixtures[{i}].as {var:?} must be a variable name (letters, digits, _), not `namespace`"
            )));
        }
        if !vars.insert(var.clone()) {
            return Err(invalid(format!(
                "fixtures[{i}].as {var:?}: another fixture's name is already bound to it"
            )));
        }
        if let Body::Json(v) = &f.body {
            if !v.is_object() {
                return Err(invalid(format!("fixtures[{i}].body must be a JSON object")));
            }
            if let Err(e) = f.resource(Some(v)) {
                return Err(invalid(format!("fixtures[{i}]: {e}")));
            }
        } else if f.kind.is_none() {
            // A file or text body: the kind must be given when it cannot be read now.
            if let Err(e) = f.resource(None) {
                return Err(invalid(format!("fixtures[{i}]: {e}")));
            }
        }
    }
    for (field, pointers) in [
        ("expect.environmental", &case.expect.environmental),
        ("expect.snapshot.redact", &case.expect.snapshot.redact),
    ] {
        if let Some(pointer) = pointers.keys().find(|p| !p.starts_with('/')) {
            return Err(invalid(format!(
                "{field} key {pointer:?} must be a JSON Pointer (starting with '/')"
            )));
        }
    }
    Ok(case)
}

/// Loads every `*.yaml` case under `dir` (recursively), sorted by id.
pub fn load_dir(dir: &Path) -> Result<Vec<Case>, LoadError> {
    let mut files = Vec::new();
    collect_yaml(dir, &mut files)?;
    if files.is_empty() {
        return Err(LoadError::Empty(dir.to_path_buf()));
    }
    files.sort();
    let mut cases: Vec<Case> = Vec::with_capacity(files.len());
    for file in &files {
        let case = load_file(file)?;
        if let Some(other) = cases.iter().find(|c| c.id == case.id) {
            return Err(LoadError::DuplicateId {
                id: case.id.clone(),
                first: other.file.clone(),
                second: case.file.clone(),
            });
        }
        cases.push(case);
    }
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(cases)
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Dir {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|source| LoadError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

impl Fixture {
    /// The variable this fixture's name is bound to (the first's default is `name`).
    pub fn var(&self, index: usize) -> String {
        self.var.clone().unwrap_or_else(|| {
            if index == 0 {
                "name".into()
            } else {
                format!("fixture{index}")
            }
        })
    }

    /// The fixture's resource in the kind table, from `kind`/`apiVersion` or else the body's.
    pub fn resource(
        &self,
        body: Option<&Value>,
    ) -> Result<&'static crate::kinds::Resource, String> {
        let from_body = |k: &str| body.and_then(|b| b.get(k)).and_then(Value::as_str);
        let kind = self
            .kind
            .as_deref()
            .or_else(|| from_body("kind"))
            .ok_or("no kind: give `kind:` (or a body with `kind`)")?;
        let api_version = self
            .api_version
            .as_deref()
            .or_else(|| from_body("apiVersion"));
        let found = match api_version {
            // A group-version the server no longer serves (`apps/v1beta1`): the kind's scope and
            // plural from a served version; the fixture is still created at its own version's
            // path (see [`Fixture::api_version`]), where such a server answers 404.
            Some(av) => crate::kinds::by_kind(av, kind).or_else(|| {
                let (group, version) = crate::kinds::split_api_version(av);
                let served = crate::kinds::is_served(group, version)
                    && crate::kinds::group_version(group, version)
                        .is_some_and(|gv| gv.resources().any(|r| r.kind == kind));
                (!served).then(|| {
                    crate::kinds::by_group_kind(group, kind).or_else(|| {
                        crate::kinds::RESOURCES
                            .iter()
                            .find(|r| r.kind == kind && r.preferred)
                    })
                })?
            }),
            None => crate::kinds::RESOURCES
                .iter()
                .find(|r| r.kind == kind && r.preferred),
        };
        found.ok_or_else(|| match api_version {
            Some(av) => format!(
                "kind {kind} of apiVersion {av} is not in the resource-kind table (kube-apiserver v1.20.2)"
            ),
            None => format!("kind {kind} is not in the resource-kind table (kube-apiserver v1.20.2)"),
        })
    }
}

impl Fixture {
    /// The `apiVersion` the fixture is created in: `apiVersion:`, else the body's, else the
    /// resource's (the server's preferred version).
    pub fn api_version_of(
        &self,
        body: Option<&Value>,
        resource: &crate::kinds::Resource,
    ) -> String {
        self.api_version
            .clone()
            .or_else(|| {
                body.and_then(|b| b.get("apiVersion"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| resource.api_version().to_string())
    }
}

impl Body {
    /// The body's bytes (a file is read relative to the case file's directory).
    pub fn bytes(&self, case_file: &Path) -> Result<Vec<u8>, String> {
        match self {
            Body::Json(v) => serde_json::to_vec(v).map_err(|e| e.to_string()),
            Body::Text(t) => Ok(t.clone().into_bytes()),
            Body::File(f) => {
                let path = case_file.parent().unwrap_or(Path::new(".")).join(f);
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn tmpdir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("apiconform-cases-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    const GOOD: &str = "id: get-pod\ntitle: GET\nrequest:\n  method: GET\n  path: /api/v1/namespaces/{namespace}/pods/{name}\nexpect:\n  status: 200\n  kind: Pod\n";

    #[test]
    fn loads_a_case() {
        let d = tmpdir();
        let case = load_file(&write(&d, "a.yaml", GOOD)).unwrap();
        assert_eq!(case.id, "get-pod");
        assert_eq!(case.expect.kind.as_deref(), Some("Pod"));
    }

    #[test]
    fn unknown_field_is_an_error_naming_file_and_line() {
        let d = tmpdir();
        let text = GOOD.replace("  status: 200\n", "  status: 200\n  stauts: 201\n");
        let err = load_file(&write(&d, "bad.yaml", &text))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.yaml"), "{err}");
        assert!(err.contains("stauts"), "{err}");
        assert!(err.contains(":8") || err.contains("line 8"), "{err}");
    }

    #[test]
    fn broken_yaml_and_bad_values_are_errors() {
        let d = tmpdir();
        let err = load_file(&write(&d, "b.yaml", "id: [unclosed\n")).unwrap_err();
        assert!(err.to_string().contains("b.yaml"), "{err}");
        let err = load_file(&write(&d, "c.yaml", &GOOD.replace("200", "42"))).unwrap_err();
        assert!(err.to_string().contains("not an HTTP status"), "{err}");
        let err = load_file(&write(
            &d,
            "e.yaml",
            &GOOD.replace("GET\n  path", "G ET\n  path"),
        ))
        .unwrap_err();
        assert!(err.to_string().contains("HTTP method"), "{err}");
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let d = tmpdir();
        write(&d, "a.yaml", GOOD);
        write(&d, "b.yaml", GOOD);
        let err = load_dir(&d).unwrap_err().to_string();
        assert!(err.contains("used twice"), "{err}");
    }
}
