//! From a page's parts to runnable cases: the setup pod, the request body, the expected status, the
//! documented response as `expect.include`, and the fields only a scheduler, a kubelet, an admission
//! plugin or the API server itself produces as `expect.environmental`.

use super::ImportError;
use super::page::{Example, Page};
use serde_json::{Map, Value, json};

/// One case derived from a page, as the JSON value of the case file, with the notes that explain
/// how it was derived (written as comments above it).
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub id: String,
    pub case: Value,
    pub notes: Vec<String>,
    pub request_line: Option<usize>,
    pub response_line: Option<usize>,
}

/// Where the service-account token is mounted; the volume mounted there is injected by the
/// ServiceAccount admission plugin.
const SA_MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The value a JSON Patch target had before the patch, where the document does not show it.
pub const PLACEHOLDER: &str = "apiconform-before-patch";

use crate::kinds::fields::SERVER_METADATA;

const KUBELET: &str =
    "reported by the kubelet of the pod's node; no kubelet runs the pod on a bare API server";

/// Fields a scheduler or a kubelet produces: environmental unless the request itself sets them.
const NODE_FIELDS: &[(&str, &str)] = &[
    (
        "/spec/nodeName",
        "set by the scheduler when it binds the pod to a node; a bare API server has no scheduler",
    ),
    (
        "/status/phase",
        "reported by the kubelet; a pod that no kubelet runs stays Pending",
    ),
    (
        "/status/conditions",
        "reported by the scheduler and the kubelet; a bare API server sets none",
    ),
    ("/status/hostIP", KUBELET),
    ("/status/hostIPs", KUBELET),
    ("/status/podIP", KUBELET),
    ("/status/podIPs", KUBELET),
    (
        "/status/startTime",
        "set by the kubelet when it starts the pod",
    ),
    (
        "/status/containerStatuses",
        "reported by the kubelet (container states, restart counts, image IDs)",
    ),
    (
        "/status/initContainerStatuses",
        "reported by the kubelet (container states, restart counts, image IDs)",
    ),
    (
        "/status/ephemeralContainerStatuses",
        "reported by the kubelet (container states, restart counts, image IDs)",
    ),
    (
        "/status/nominatedNodeName",
        "set by the scheduler when it preempts other pods",
    ),
    ("/status/reason", KUBELET),
    ("/status/message", KUBELET),
];

const TOKEN_REASON: &str = "the service-account token, injected by the ServiceAccount admission plugin: not part of the pod as created";

use crate::kinds::PatchType;

/// The cases of one page. `doc` is the document's name as recorded in `provenance`, `base_id` the
/// case id derived from its file name.
pub fn cases(page: &Page, doc: &str, base_id: &str) -> Result<Vec<Derived>, ImportError> {
    let err = |line: usize, message: String| ImportError::Page {
        file: doc.to_string(),
        line,
        message,
    };
    let method = page.method.as_str();
    check_path(page, &err)?;
    let subresource = page.path.rsplit_once("{name}/").map(|(_, s)| s.to_string());
    let has_body = matches!(method, "PUT" | "POST" | "PATCH");
    let needs_pod = page.path.contains("{name}") && method != "POST";

    if has_body && page.requests.is_empty() {
        return Err(err(
            page.uri_line,
            format!(
                "expected a request example for {method}: a JSON code block in the request section (请求消息)"
            ),
        ));
    }
    let pairs = pair_examples(page, &err)?;
    let (status, status_line) = success_code(page, &err)?;

    let mut out = Vec::new();
    let many = pairs.len() > 1;
    for (i, (req, resp)) in pairs.iter().enumerate() {
        let id = if many {
            format!("{base_id}-ex{}", i + 1)
        } else {
            base_id.to_string()
        };
        let mut notes = Vec::new();
        if let Some(p) = &page.purpose {
            notes.push(format!("purpose: {p}"));
        }
        for p in page.params.iter().filter(|p| p.required) {
            if !page.path.contains(&format!("{{{}}}", p.name)) {
                notes.push(format!(
                    "parameter {} is marked required ({doc}:{}) but is not in the path: the case does not send it",
                    p.name, p.line
                ));
            }
        }
        match req {
            Some(r) => notes.push(format!("request example: {doc}:{}", r.line)),
            None => notes.push("request: no body".to_string()),
        }
        match resp {
            Some(r) => notes.push(format!("response example: {doc}:{}", r.line)),
            None => notes.push("response: no example, so no `include`".to_string()),
        }
        notes.push(format!(
            "expect.status: {status}, the success code of the status code table ({doc}:{status_line})"
        ));

        // Names the examples use, to be templated.
        let meta = |e: &Option<&Example>, k: &str| {
            e.and_then(|e| e.value.pointer(&format!("/metadata/{k}")))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let name = meta(req, "name").or_else(|| meta(resp, "name"));
        let namespace = meta(req, "namespace").or_else(|| meta(resp, "namespace"));

        // The request.
        let content_type = if has_body || req.is_some() {
            Some(content_type(page, req, doc, &mut notes))
        } else {
            None
        };
        let patch_kind = if method == "PATCH" {
            content_type.as_deref().map(PatchType::from_document)
        } else {
            None
        };
        let body = req.map(|r| {
            let mut b = r.value.clone();
            if patch_kind != Some(PatchType::Json) {
                let removed = strip_server_metadata(&mut b);
                if !removed.is_empty() {
                    notes.push(format!(
                        "request body: left out metadata.{} (set by the server; pods allow unconditional updates)",
                        removed.join(", metadata.")
                    ));
                }
                template_names(&mut b, name.as_deref(), namespace.as_deref(), &Map::new());
            }
            b
        });
        if patch_kind == Some(PatchType::Json) && !body.as_ref().is_some_and(Value::is_array) {
            return Err(err(
                req.map(|r| r.line).unwrap_or(page.uri_line),
                "expected a JSON Patch (a JSON array of operations) for the content type application/json-patch+json".into(),
            ));
        }

        // The pod the request needs.
        let pod = if needs_pod {
            let mut pod = setup_pod(req, resp, &mut notes).ok_or_else(|| {
                err(
                    req.or(*resp).map(|e| e.line).unwrap_or(page.uri_line),
                    "expected the pod's spec in the request or the response example: the case needs a pod \
                     to exist before the request"
                        .into(),
                )
            })?;
            if let (Some(kind), Some(b)) = (patch_kind, &body) {
                undo_patch(&mut pod, kind, b, &mut notes);
            }
            Some(pod)
        } else {
            None
        };

        // The expectations.
        let set_by_request = set_pointers(body.as_ref(), patch_kind);
        let (include, environmental) = match resp {
            Some(r) => {
                let mut inc = r.value.clone();
                let list = inc
                    .get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.ends_with("List"));
                if list {
                    inc = Value::Object(
                        inc.as_object()
                            .into_iter()
                            .flatten()
                            .filter(|(k, _)| *k == "kind" || *k == "apiVersion")
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    );
                    notes.push(
                        "include: kind and apiVersion only (a list holds the run's other pods too)"
                            .into(),
                    );
                }
                // Environmental fields keep the documented text (they are not compared by value,
                // and the drift report quotes them).
                let env = environmental(&inc, &set_by_request);
                template_names(&mut inc, name.as_deref(), namespace.as_deref(), &env);
                (Some(inc), env)
            }
            None => (None, Map::new()),
        };
        let kind = resp
            .and_then(|r| r.value.get("kind"))
            .and_then(Value::as_str)
            .filter(|_| (200..300).contains(&status));

        let mut checks = Vec::new();
        match (method, subresource.as_deref(), patch_kind) {
            ("PUT", Some("status"), _) => checks.push("spec_unchanged"),
            ("PATCH", _, Some(PatchType::Json)) => checks.push("json_patch_applied"),
            ("PATCH", _, Some(PatchType::Merge)) => checks.push("merge_patch_applied"),
            _ => {}
        }
        if matches!(method, "PUT" | "PATCH") && needs_pod {
            checks.extend(["resource_version_changed", "identity_preserved"]);
        }

        let title = format!(
            "{method} {}: {}{}",
            page.path
                .trim_start_matches("/api/v1/namespaces/{namespace}/"),
            page.title.as_deref().unwrap_or("document example"),
            if many {
                format!(" (example {})", i + 1)
            } else {
                String::new()
            }
        );
        let mut tags = vec![kind_tag(method, subresource.as_deref())];
        if let Some(p) = patch_kind {
            tags.push(p.name().into());
        }
        tags.extend(["document".to_string(), "imported".to_string()]);

        let mut provenance = Map::new();
        provenance.insert("document".into(), json!(doc));
        if let Some(l) = req.or(*resp).map(|e| e.line) {
            provenance.insert("line".into(), json!(l));
        }
        if let (Some(_), Some(r)) = (req, resp) {
            provenance.insert("response_line".into(), json!(r.line));
        }

        let mut request = Map::new();
        request.insert("method".into(), json!(method));
        request.insert("path".into(), json!(page.path));
        if let Some(ct) = &content_type {
            request.insert("content_type".into(), json!(ct));
        }
        if let Some(b) = body {
            request.insert("body".into(), json!({ "json": b }));
        }

        let mut expect = Map::new();
        expect.insert("status".into(), json!(status));
        if let Some(k) = kind {
            expect.insert("kind".into(), json!(k));
        }
        if !checks.is_empty() {
            expect.insert("checks".into(), json!(checks));
        }
        if let Some(inc) = include {
            expect.insert("include".into(), inc);
        }
        if !environmental.is_empty() {
            expect.insert("environmental".into(), Value::Object(environmental));
        }

        let mut case = Map::new();
        case.insert("id".into(), json!(id));
        case.insert("title".into(), json!(title));
        case.insert("tags".into(), json!(tags));
        case.insert("provenance".into(), Value::Object(provenance));
        if let Some(p) = pod {
            case.insert(
                "fixtures".into(),
                json!([{ "kind": "Pod", "body": { "json": p } }]),
            );
        }
        case.insert("request".into(), Value::Object(request));
        case.insert("expect".into(), Value::Object(expect));
        out.push(Derived {
            id,
            case: Value::Object(case),
            notes,
            request_line: req.map(|r| r.line),
            response_line: resp.map(|r| r.line),
        });
    }
    Ok(out)
}

/// The path must be a Pod API path whose only parameters are `{namespace}` and `{name}`.
fn check_path(page: &Page, err: &impl Fn(usize, String) -> ImportError) -> Result<(), ImportError> {
    let p = &page.path;
    if !p.contains("/pods") {
        return Err(err(
            page.uri_line,
            format!(
                "expected a Pod API path such as /api/v1/namespaces/{{namespace}}/pods/{{name}}; found {p}"
            ),
        ));
    }
    let mut rest = p.as_str();
    while let Some(i) = rest.find('{') {
        let end = rest[i..].find('}').map(|j| i + j).ok_or_else(|| {
            err(
                page.uri_line,
                format!("expected a closing `}}` in the path {p}"),
            )
        })?;
        let param = &rest[i + 1..end];
        if param != "namespace" && param != "name" {
            return Err(err(
                page.uri_line,
                format!(
                    "expected only the path parameters {{namespace}} and {{name}} (the runner fills them); found {{{param}}}"
                ),
            ));
        }
        rest = &rest[end + 1..];
    }
    Ok(())
}

type Pair<'a> = (Option<&'a Example>, Option<&'a Example>);

/// Request and response examples, paired: one to one, several requests sharing the only response,
/// responses alone (no request body), or requests alone (no documented response).
fn pair_examples<'a>(
    page: &'a Page,
    err: &impl Fn(usize, String) -> ImportError,
) -> Result<Vec<Pair<'a>>, ImportError> {
    // Error examples (a `Status` object) show what a failure looks like: not the success a case
    // expects.
    let rs: Vec<&Example> = page
        .responses
        .iter()
        .filter(|r| r.value.get("kind").and_then(Value::as_str) != Some("Status"))
        .collect();
    let rq: Vec<&Example> = page.requests.iter().collect();
    let (rq, rs) = (&rq, &rs);
    Ok(match (rq.len(), rs.len()) {
        (0, 0) => vec![(None, None)],
        (0, _) => rs.iter().map(|r| (None, Some(*r))).collect(),
        (_, 0) => rq.iter().map(|r| (Some(*r), None)).collect(),
        (_, 1) => rq.iter().map(|r| (Some(*r), Some(rs[0]))).collect(),
        (a, b) if a == b => rq
            .iter()
            .zip(rs.iter())
            .map(|(a, b)| (Some(*a), Some(*b)))
            .collect(),
        (a, b) => {
            return Err(err(
                rs[0].line,
                format!(
                    "expected one response example, or one per request example; found {a} request and {b} \
                     response examples"
                ),
            ));
        }
    })
}

/// The success code of the status-code table: 201 for a POST that lists it, else the first 2xx.
fn success_code(
    page: &Page,
    err: &impl Fn(usize, String) -> ImportError,
) -> Result<(u16, usize), ImportError> {
    let ok: Vec<_> = page
        .status_codes
        .iter()
        .filter(|s| (200..300).contains(&s.code))
        .collect();
    let pick = if page.method == "POST" {
        ok.iter().find(|s| s.code == 201).or(ok.first())
    } else {
        ok.first()
    };
    match pick {
        Some(s) => Ok((s.code, s.line)),
        None if page.status_codes.is_empty() => Err(err(
            page.status_line.unwrap_or(page.uri_line),
            "expected a status code table (状态码) with the success code, such as 200".into(),
        )),
        None => Err(err(
            page.status_line.unwrap_or(page.uri_line),
            format!(
                "expected a success code (2xx) in the status code table; found {}",
                page.status_codes
                    .iter()
                    .map(|s| s.code.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn content_type(page: &Page, req: &Option<&Example>, doc: &str, notes: &mut Vec<String>) -> String {
    if let Some((ct, line)) = &page.content_type {
        notes.push(format!("content type: {ct} ({doc}:{line})"));
        return ct.clone();
    }
    let ct = match (page.method.as_str(), req.map(|r| &r.value)) {
        ("PATCH", Some(Value::Array(_))) => "application/json-patch+json",
        ("PATCH", _) => "application/merge-patch+json",
        _ => "application/json",
    };
    notes.push(format!(
        "content type: {ct} (the document names none; assumed from the method and the body)"
    ));
    ct.to_string()
}

fn kind_tag(method: &str, subresource: Option<&str>) -> String {
    let m = method.to_lowercase();
    match subresource {
        Some(s) => format!("{m}-{}", s.replace('/', "-")),
        None => m,
    }
}

/// Removes the server-assigned metadata from a body; the names of those removed.
fn strip_server_metadata(v: &mut Value) -> Vec<String> {
    let mut removed = Vec::new();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in SERVER_METADATA.iter().map(|f| f.name) {
            if m.shift_remove(k).is_some() {
                removed.push(k.to_string());
            }
        }
    }
    removed
}

/// `metadata.name`/`namespace` as `{name}`/`{namespace}`, and the pod's API path in other strings
/// with both templated; values under the pointers of `keep` are left as written.
fn template_names(
    v: &mut Value,
    name: Option<&str>,
    namespace: Option<&str>,
    keep: &Map<String, Value>,
) {
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        if let (Some(n), Some(Value::String(s))) = (name, m.get_mut("name"))
            && s == n
        {
            *s = "{name}".into();
        }
        if let (Some(n), Some(Value::String(s))) = (namespace, m.get_mut("namespace"))
            && s == n
        {
            *s = "{namespace}".into();
        }
    }
    if let (Some(name), Some(ns)) = (name, namespace) {
        let from = format!("/namespaces/{ns}/pods/{name}");
        template_strings(
            v,
            &mut String::new(),
            &from,
            "/namespaces/{namespace}/pods/{name}",
            keep,
        );
    }
}

fn template_strings(
    v: &mut Value,
    at: &mut String,
    from: &str,
    to: &str,
    keep: &Map<String, Value>,
) {
    if keep.contains_key(at.as_str()) {
        return;
    }
    let visit = |at: &mut String, token: &str, child: &mut Value| {
        let len = at.len();
        crate::json_pointer::push(at, token);
        template_strings(child, at, from, to, keep);
        at.truncate(len);
    };
    match v {
        Value::String(s) => {
            let ends = s
                .find(from)
                .map(|i| &s[i + from.len()..])
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
            if ends {
                *s = s.replacen(from, to, 1);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                visit(at, &i.to_string(), x);
            }
        }
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                visit(at, k, x);
            }
        }
        _ => {}
    }
}

/// The pod to create first: the response example's metadata (labels, annotations) and spec, else
/// the request example's, without what the scheduler and admission plugins add.
fn setup_pod(
    req: &Option<&Example>,
    resp: &Option<&Example>,
    notes: &mut Vec<String>,
) -> Option<Value> {
    let has_spec = |e: &&Example| e.value.get("spec").is_some_and(Value::is_object);
    let source = resp.filter(has_spec).or(req.filter(has_spec))?;
    let which = if resp.is_some_and(|r| std::ptr::eq(r, source)) {
        "response"
    } else {
        "request"
    };
    let mut metadata = Map::new();
    if let Some(n) = source.value.pointer("/metadata/name") {
        metadata.insert("name".into(), n.clone());
    }
    for k in ["labels", "annotations"] {
        if let Some(v) = source
            .value
            .pointer(&format!("/metadata/{k}"))
            .or_else(|| req.and_then(|r| r.value.pointer(&format!("/metadata/{k}"))))
        {
            metadata.insert(k.into(), v.clone());
        }
    }
    let mut spec = source.value["spec"].clone();
    let mut left_out = Vec::new();
    if let Some(s) = spec.as_object_mut()
        && s.shift_remove("nodeName").is_some()
    {
        left_out.push("spec.nodeName (set by the scheduler)".to_string());
    }
    let tokens = token_pointers(&spec, "");
    if !tokens.is_empty() {
        // Remove from the end so that indices stay valid.
        let mut ptrs = tokens;
        ptrs.sort_by(|a, b| b.cmp(a));
        for p in &ptrs {
            remove_at(&mut spec, p);
        }
        left_out.push(
            "the service-account token volume and mounts (injected by the ServiceAccount admission plugin)"
                .into(),
        );
    }
    notes.push(format!(
        "pod: the {which} example's metadata (labels, annotations) and spec{}",
        if left_out.is_empty() {
            String::new()
        } else {
            format!(", without {}", left_out.join(" and "))
        }
    ));
    Some(json!({
        "apiVersion": source.value.get("apiVersion").cloned().unwrap_or(json!("v1")),
        "kind": "Pod",
        "metadata": metadata,
        "spec": spec,
    }))
}

/// Pointers (under `prefix`) of the service-account token's volume and volume mounts in a spec.
fn token_pointers(spec: &Value, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut volumes = Vec::new();
    for list in ["initContainers", "containers"] {
        for (i, c) in spec
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            for (j, m) in c
                .get("volumeMounts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if m.get("mountPath").and_then(Value::as_str) == Some(SA_MOUNT) {
                    out.push(format!("{prefix}/{list}/{i}/volumeMounts/{j}"));
                    if let Some(n) = m.get("name").and_then(Value::as_str) {
                        volumes.push(n.to_string());
                    }
                }
            }
        }
    }
    for (k, v) in spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if v.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| volumes.iter().any(|x| x == n))
        {
            out.push(format!("{prefix}/volumes/{k}"));
        }
    }
    out
}

/// Removes the value at a JSON Pointer (an object member or an array element).
fn remove_at(v: &mut Value, pointer: &str) -> Option<Value> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let last = unescape(last);
    match v.pointer_mut(parent)? {
        Value::Object(m) => m.shift_remove(&last),
        Value::Array(a) => {
            let i = if last == "-" {
                a.len().checked_sub(1)?
            } else {
                last.parse().ok()?
            };
            (i < a.len()).then(|| a.remove(i))
        }
        _ => None,
    }
}

fn unescape(token: &str) -> String {
    crate::json_pointer::unescape(token).into_owned()
}

/// Turns the pod (the state after the patch, as documented) into a state the patch changes: each
/// operation undone as far as the document allows. Notes what was assumed.
fn undo_patch(pod: &mut Value, kind: PatchType, patch: &Value, notes: &mut Vec<String>) {
    let mut done = Vec::new();
    match kind {
        PatchType::Json => {
            for op in patch.as_array().into_iter().flatten().rev() {
                let (Some(o), Some(path)) = (
                    op.get("op").and_then(Value::as_str),
                    op.get("path").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let value = op.get("value");
                let parent_is_array = path
                    .rsplit_once('/')
                    .and_then(|(p, _)| pod.pointer(p))
                    .is_some_and(Value::is_array);
                match o {
                    "add" if parent_is_array && remove_at(pod, path).is_some() => {
                        done.push(format!("{path} removed (the patch adds it)"));
                    }
                    "add" if parent_is_array => {}
                    "add" | "replace" => {
                        if let Some(d) = set_before(pod, path, value, o == "add") {
                            done.push(d);
                        }
                    }
                    "remove" if !parent_is_array => {
                        if let Some((parent, last)) = path.rsplit_once('/')
                            && let Some(Value::Object(m)) = pod.pointer_mut(parent)
                        {
                            m.insert(unescape(last), json!(PLACEHOLDER));
                            done.push(format!(
                                "{path} set to {PLACEHOLDER:?} (the patch removes it)"
                            ));
                        }
                    }
                    "test" => {
                        if let (Some(v), Some(slot)) = (value, pod.pointer_mut(path)) {
                            *slot = v.clone();
                        }
                    }
                    _ => {}
                }
            }
        }
        PatchType::Merge | PatchType::Strategic => {
            let mut leaves = Vec::new();
            leaf_pointers(patch, &mut String::new(), &mut leaves);
            for p in leaves {
                if p.contains("/$") || p.starts_with("/metadata/name") {
                    continue;
                }
                let value = patch.pointer(&p).cloned();
                match value {
                    Some(Value::Null) => {
                        if let Some((parent, last)) = p.rsplit_once('/')
                            && let Some(Value::Object(m)) = pod.pointer_mut(parent)
                        {
                            m.insert(unescape(last), json!(PLACEHOLDER));
                            done.push(format!("{p} set to {PLACEHOLDER:?} (the patch deletes it)"));
                        }
                    }
                    Some(v) if pod.pointer(&p).is_some() => {
                        if let Some(d) = set_before(pod, &p, Some(&v), false) {
                            done.push(d);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if !done.is_empty() {
        done.reverse();
        notes.push(format!(
            "pod: the patch undone so that it changes something (the document shows the pod after it only): {}",
            done.join("; ")
        ));
    }
}

/// Sets the value before a patch set `value` at `path`: a string becomes the placeholder, a number
/// one more, a boolean its negation; an object or array member the patch adds is removed.
fn set_before(pod: &mut Value, path: &str, value: Option<&Value>, add: bool) -> Option<String> {
    let before = match value? {
        Value::String(_) => json!(PLACEHOLDER),
        Value::Number(n) => match n.as_i64() {
            Some(i) => json!(i + 1),
            None => json!(n.as_f64()? + 1.0),
        },
        Value::Bool(b) => json!(!b),
        _ if add => {
            remove_at(pod, path)?;
            return Some(format!("{path} removed (the patch adds it)"));
        }
        _ => return None,
    };
    let (parent, last) = path.rsplit_once('/')?;
    match pod.pointer_mut(parent)? {
        Value::Object(m) => {
            m.insert(unescape(last), before.clone());
        }
        _ => return None,
    }
    Some(format!(
        "{path} set to {before} (the document does not show the value before the patch)"
    ))
}

fn leaf_pointers(v: &Value, at: &mut String, out: &mut Vec<String>) {
    let mut visit = |at: &mut String, token: &str, child: &Value| {
        let len = at.len();
        crate::json_pointer::push(at, token);
        leaf_pointers(child, at, out);
        at.truncate(len);
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, c) in m {
                visit(at, k, c);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, c) in a.iter().enumerate() {
                visit(at, &i.to_string(), c);
            }
        }
        _ => out.push(at.clone()),
    }
}

/// The JSON Pointers (into the pod) the request writes.
fn set_pointers(body: Option<&Value>, patch: Option<PatchType>) -> Vec<String> {
    let Some(body) = body else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if patch == Some(PatchType::Json) {
        for op in body.as_array().into_iter().flatten() {
            for k in ["path", "from"] {
                if let Some(p) = op.get(k).and_then(Value::as_str) {
                    out.push(p.to_string());
                }
            }
        }
    } else {
        leaf_pointers(body, &mut String::new(), &mut out);
    }
    // The API server derives the plural lists from the singular fields.
    for (one, many) in [
        ("/status/podIP", "/status/podIPs"),
        ("/status/hostIP", "/status/hostIPs"),
    ] {
        if out.iter().any(|p| p == one) {
            out.push(many.to_string());
        }
    }
    out
}

fn is_set(pointer: &str, set: &[String]) -> bool {
    set.iter().any(|s| {
        s == pointer
            || s.strip_prefix(pointer).is_some_and(|r| r.starts_with('/'))
            || pointer
                .strip_prefix(s.as_str())
                .is_some_and(|r| r.starts_with('/'))
    })
}

/// The environmental pointers of an `include`, each with its reason.
fn environmental(include: &Value, set_by_request: &[String]) -> Map<String, Value> {
    let mut env = Map::new();
    if let Some(m) = include.get("metadata").and_then(Value::as_object) {
        for f in SERVER_METADATA {
            let (k, reason) = (f.name, f.reason);
            if m.contains_key(k) {
                env.insert(format!("/metadata/{k}"), json!(reason));
            }
        }
    }
    if let Some(spec) = include.get("spec") {
        for p in token_pointers(spec, "/spec") {
            env.insert(p, json!(TOKEN_REASON));
        }
    }
    for (p, reason) in NODE_FIELDS {
        if include.pointer(p).is_some() && !is_set(p, set_by_request) {
            env.insert((*p).to_string(), json!(reason));
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_pointers_cover_prefixes_and_derived_fields() {
        let body = json!({"status": {"podIP": "1.2.3.4", "conditions": [{"type": "Ready"}]}});
        let set = set_pointers(Some(&body), None);
        assert!(is_set("/status/podIPs", &set));
        assert!(is_set("/status/conditions", &set));
        assert!(!is_set("/status/containerStatuses", &set));
        let patch = json!([{"op": "add", "path": "/spec/containers/0/image", "value": "x"}]);
        let set = set_pointers(Some(&patch), Some(PatchType::Json));
        assert!(is_set("/spec/containers/0/image", &set));
        assert!(!is_set("/spec/nodeName", &set));
    }

    #[test]
    fn json_patch_is_undone() {
        let mut pod = json!({"metadata": {"labels": {"a": "1"}},
            "spec": {"containers": [{"image": "busybox"}], "tolerations": [{"key": "k"}], "activeDeadlineSeconds": 10}});
        let patch = json!([
            {"op": "add", "path": "/spec/containers/0/image", "value": "busybox"},
            {"op": "add", "path": "/spec/tolerations/-", "value": {"key": "k"}},
            {"op": "replace", "path": "/spec/activeDeadlineSeconds", "value": 10},
            {"op": "remove", "path": "/metadata/labels/b"},
        ]);
        let mut notes = Vec::new();
        undo_patch(&mut pod, PatchType::Json, &patch, &mut notes);
        assert_eq!(
            pod,
            json!({"metadata": {"labels": {"a": "1", "b": PLACEHOLDER}},
                "spec": {"containers": [{"image": PLACEHOLDER}], "tolerations": [], "activeDeadlineSeconds": 11}})
        );
        let mut after = pod.clone();
        let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
        json_patch::patch(&mut after, &patch).unwrap();
        assert_eq!(after["spec"]["containers"][0]["image"], "busybox");
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn names_are_templated_where_they_name_the_pod() {
        let mut v = json!({"metadata": {"name": "web", "namespace": "default",
            "selfLink": "/api/v1/namespaces/default/pods/web/status"},
            "spec": {"containers": [{"name": "web"}]}});
        template_names(&mut v, Some("web"), Some("default"), &Map::new());
        assert_eq!(
            v,
            json!({"metadata": {"name": "{name}", "namespace": "{namespace}",
                "selfLink": "/api/v1/namespaces/{namespace}/pods/{name}/status"},
                "spec": {"containers": [{"name": "web"}]}})
        );
    }
}
