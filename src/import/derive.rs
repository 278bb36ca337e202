//! From a page's parts to runnable cases: the setup pod, the request body, the expected status, the
//! documented response as `expect.include`, and the fields only a scheduler, a kubelet, an admission
//! plugin or the API server itself produces as `expect.environmental`.

use super::ImportError;
use super::page::{Example, Page, Uri};
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

use crate::kinds::{self, PatchType, Resource};

/// An object example of another page of the same import (a create page's request body), to
/// create the object a GET, PUT, PATCH or DELETE of the same kind needs.
#[derive(Debug, Clone)]
pub struct ObjectExample {
    pub group: String,
    pub plural: String,
    pub kind: String,
    pub value: Value,
    pub document: String,
    pub line: usize,
}

/// What the derivation of one page needs besides the page.
pub struct Context<'a> {
    /// The page's case id, before the suffixes of its URIs and examples.
    pub base_id: &'a str,
    /// The cases of the first importer (the renamed pages of `docs/`): no structured tags, so that
    /// their files stay as they were.
    pub legacy: bool,
    /// Object examples of the import's create pages.
    pub objects: &'a [ObjectExample],
}

/// Label selector a documented deletecollection is confined with (fixtures get both labels).
pub const RUN_LABEL: &str = "apiconform-run";
/// The annotation a replaced object has before the replace, and not after.
pub const REPLACE_MARK: &str = "apiconform-before-replace";
pub const CASE_LABEL: &str = "apiconform-case";

/// The cases of one page: one per URI and example. `doc` is the document's name as recorded in
/// `provenance`.
pub fn cases(page: &Page, doc: &str, ctx: &Context) -> Result<Vec<Derived>, ImportError> {
    let err = |line: usize, message: String| ImportError::Page {
        file: doc.to_string(),
        line,
        message,
    };
    let suffixes = uri_suffixes(&page.uris);
    let mut out = Vec::new();
    for (i, uri) in page.uris.iter().enumerate() {
        let id = match &suffixes {
            Some(s) => format!("{}-{}", ctx.base_id, s[i]),
            None => ctx.base_id.to_string(),
        };
        out.extend(uri_cases(page, uri, doc, ctx, &id, &err)?);
    }
    Ok(out)
}

/// A version note in short: `Supports 1.9 and 1.9+` → `1.9+`, `Supports only1.7` → `1.7-only`,
/// `Supports 1.15 and 1.15-` → `1.15-`, `Supports only 1.7~1.15` → `1.7~1.15`.
pub fn version_note(note: &str) -> String {
    let n = note.replace(' ', "").to_lowercase();
    let versions: Vec<String> = n
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|v| v.contains('.') && v.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|v| v.trim_matches('.').to_string())
        .collect();
    let Some(last) = versions.last() else {
        return crate::import::slug(note);
    };
    if n.contains('~') && versions.len() >= 2 {
        format!("{}~{last}", versions[0])
    } else if n.ends_with('+') {
        format!("{last}+")
    } else if n.ends_with('-') {
        format!("{last}-")
    } else if n.contains("only") {
        format!("{last}-only")
    } else {
        last.clone()
    }
}

fn note_slug(tag: &str) -> String {
    crate::import::slug(
        &tag.replace('~', "-to-")
            .replace('+', "-plus")
            .trim_end_matches('-')
            .replace('.', "-"),
    ) + if tag.ends_with('-') { "-minus" } else { "" }
}

/// The id suffix of each URI of a page with several: its version note's slug, else its
/// group-version's, else `uriN`.
fn uri_suffixes(uris: &[Uri]) -> Option<Vec<String>> {
    if uris.len() < 2 {
        return None;
    }
    let unique = |v: &Vec<String>| {
        let mut s = v.clone();
        s.sort();
        s.dedup();
        s.len() == v.len() && v.iter().all(|x| !x.is_empty())
    };
    let by_note: Vec<String> = uris
        .iter()
        .map(|u| {
            u.note
                .as_deref()
                .map(|n| note_slug(&version_note(n)))
                .unwrap_or_default()
        })
        .collect();
    if unique(&by_note) {
        return Some(by_note);
    }
    let by_gv: Vec<String> = uris
        .iter()
        .map(|u| match kinds::parse_path(&u.path) {
            Some(p) => crate::import::slug(&format!(
                "{}-{}",
                if p.group.is_empty() { "core" } else { p.group },
                p.version.unwrap_or("")
            )),
            None => String::new(),
        })
        .collect();
    if unique(&by_gv) {
        return Some(by_gv);
    }
    Some((1..=uris.len()).map(|i| format!("uri{i}")).collect())
}

/// `+` for an example or URI of a version and later, `-` for earlier versions.
fn direction(text: &str) -> Option<char> {
    if text.contains('~') {
        Some('-')
    } else if text.contains("以上") || text.contains("及以后") || text.ends_with('+') {
        Some('+')
    } else if text.contains("以下")
        || text.contains("以前")
        || text.contains("之前")
        || text.ends_with('-')
    {
        Some('-')
    } else {
        None
    }
}

/// What an URI does, in the verbs of Kubernetes' discovery.
fn verb_of(method: &str, api: &kinds::ApiPath) -> &'static str {
    if api.is_discovery() {
        return "discovery";
    }
    match (method, api.name.is_some()) {
        ("GET", true) => "get",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "other",
    }
}

#[allow(clippy::too_many_lines)]
fn uri_cases(
    page: &Page,
    uri: &Uri,
    doc: &str,
    ctx: &Context,
    base_id: &str,
    err: &impl Fn(usize, String) -> ImportError,
) -> Result<Vec<Derived>, ImportError> {
    let method = uri.method.as_str();
    check_path(uri, err)?;
    let api = kinds::parse_path(&uri.path).ok_or_else(|| {
        err(
            uri.line,
            format!(
                "expected an API path such as /api/v1/namespaces/{{namespace}}/pods/{{name}} or \
                 /apis/<group>/<version>/…; found {}",
                uri.path
            ),
        )
    })?;
    let verb = verb_of(method, &api);
    let group = api.group;
    let version = api.version.unwrap_or("");
    let uri_api_version = kinds::join_api_version(group, version);
    let resource: Option<&'static Resource> = api
        .plural
        .and_then(|p| api.resource.or_else(|| kinds::closest(group, version, p)));
    let served = api.is_served();
    let subresource = api.subresource;
    let namespaced_literal = api
        .namespace
        .filter(|n| *n != "{namespace}")
        .map(str::to_string);
    let is_pod = resource.is_some_and(|r| r.kind == "Pod" && r.group.is_empty());
    let has_body = matches!(method, "PUT" | "POST" | "PATCH");
    // The kind the object and the answer have, and their apiVersion for this URI.
    let sub_info = subresource.and_then(|s| resource.and_then(|r| r.subresource(s)));
    let object_kind = resource.map(|r| r.kind);
    let answer_kind: Option<String> = match verb {
        "discovery" => None,
        "list" | "deletecollection" => resource.map(|r| r.list_kind.to_string()),
        "delete" => Some("Status".into()),
        _ => match sub_info {
            Some(s) if s.kind != "Status" => Some(s.kind.to_string()),
            _ => object_kind.map(str::to_string),
        },
    };
    let answer_api_version = match sub_info {
        Some(s) if s.group != group || s.kind == "Scale" => s.api_version(),
        _ => uri_api_version.clone(),
    };
    let answer_api_version = if verb == "delete" {
        "v1".to_string()
    } else {
        answer_api_version
    };
    let needs_object = api.name.is_some() && !(method == "POST" && subresource.is_none())
        || verb == "deletecollection";
    let fixture_ok = resource.is_some();

    if has_body && page.requests.is_empty() {
        return Err(err(
            page.uri_line,
            format!(
                "expected a request example for {method}: a JSON code block in the request section (请求消息)"
            ),
        ));
    }
    // The examples of this URI: all, or those whose label names its version range.
    let uri_dir = uri
        .note
        .as_deref()
        .map(version_note)
        .and_then(|n| direction(&n));
    let fits = |e: &&Example| match (uri_dir, e.label.as_deref().and_then(direction)) {
        (Some(u), Some(l)) => u == l,
        _ => true,
    };
    let requests: Vec<&Example> = page.requests.iter().filter(fits).collect();
    let responses: Vec<&Example> = page.responses.iter().filter(fits).collect();
    // A request example must fit the method: a JSON Patch for PATCH only.
    let requests: Vec<&Example> = requests
        .into_iter()
        .filter(|e| method == "PATCH" || !e.value.is_array())
        .collect();
    let pairs = pair_examples(&requests, &responses, err)?;
    let (status, status_line) = success_code(page, method, err)?;
    // A read or a patch succeeds with 200 whatever the table says (e.g. 201 for a rollback PATCH).
    let (status, status_drift) = match verb {
        "get" | "list" | "patch" if !ctx.legacy && status != 200 => (200, Some(status)),
        "create" if !ctx.legacy && subresource.is_none() && status != 201 => (201, Some(status)),
        _ => (status, None),
    };

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
        if page.uris.len() > 1 {
            notes.push(format!(
                "URI {} of the page ({doc}:{}){}",
                uri.path,
                uri.line,
                uri.note
                    .as_deref()
                    .map(|n| format!(", documented as \"{n}\""))
                    .unwrap_or_default()
            ));
        }
        for p in page.params.iter().filter(|p| p.required) {
            if !uri.path.contains(&format!("{{{}}}", p.name)) {
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
        match status_drift {
            Some(documented) => notes.push(format!(
                "expect.status: 200, what a {verb} answers; drift: the status code table says {documented} ({doc}:{status_line})"
            )),
            None => notes.push(format!(
                "expect.status: {status}, the success code of the status code table ({doc}:{status_line})"
            )),
        }
        if !served {
            notes.push(format!(
                "kube-apiserver v1.20.2 does not serve {}{}: against it the case is not_served",
                uri.path,
                match (resource, api.resource) {
                    (Some(r), None) => format!(
                        " (its kind and scope are inferred from {} {})",
                        r.api_version, r.plural
                    ),
                    (None, _) if !api.is_discovery() => {
                        " (the resource is in no served group-version)".to_string()
                    }
                    _ => String::new(),
                }
            ));
        }

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
            Some(content_type(page, method, req, doc, &mut notes))
        } else {
            None
        };
        let mut content_type = content_type;
        if method == "PATCH"
            && req.is_some_and(|r| r.value.is_array())
            && content_type
                .as_deref()
                .is_some_and(|c| !c.contains("json-patch"))
        {
            notes.push(format!(
                "content type: application/json-patch+json, not {}: the example is a JSON Patch (an array)",
                content_type.as_deref().unwrap_or("")
            ));
            content_type = Some("application/json-patch+json".into());
        }
        let patch_kind = if method == "PATCH" {
            content_type.as_deref().map(PatchType::from_document)
        } else {
            None
        };
        let mut query = Map::new();
        let mut dry_run = false;
        let mut background = method == "DELETE" && req.is_none();
        let body = req.map(|r| {
            let mut b = r.value.clone();
            if patch_kind != Some(PatchType::Json) && b.get("kind").and_then(Value::as_str) != Some("DeleteOptions") {
                let removed = strip_server_metadata(&mut b);
                if !removed.is_empty() {
                    notes.push(format!(
                        "request body: left out metadata.{} (set by the server; {} allow unconditional updates)",
                        removed.join(", metadata."),
                        if is_pod { "pods".to_string() } else { format!("{}s", object_kind.unwrap_or("object")) }
                    ));
                }
                if is_pod || ctx.legacy {
                    template_names(&mut b, name.as_deref(), namespace.as_deref(), &Map::new());
                } else {
                    template_object_names(&mut b, verb, resource, &mut notes);
                }
            }
            if (matches!(verb, "create" | "update") || !ctx.legacy && verb == "patch")
                && subresource.is_none()
            {
                repair_body(&mut b, object_kind.unwrap_or(""), &mut notes, "request body");
            }
            if !ctx.legacy && patch_kind != Some(PatchType::Json) && served {
                fit_body_to_uri(&mut b, verb, subresource, sub_info, &uri_api_version, &mut notes);
            }
            if !ctx.legacy && is_pod && method == "PUT" && subresource.is_none() {
                strip_pod_injections(&mut b, &mut notes);
            }
            if !ctx.legacy && method == "PUT" && needs_object && fixture_ok && served
                && let Some(m) = b.get_mut("metadata").and_then(Value::as_object_mut)
            {
                m.insert("resourceVersion".into(), json!("{{resourceVersion}}"));
                notes.push(
                    "request body: metadata.resourceVersion the object's, read just before (as a client that \
                     replaces an object it read does)"
                        .into(),
                );
                if object_kind == Some("Service")
                    && let Some(spec) = b.get_mut("spec").and_then(Value::as_object_mut)
                    && spec.get("clusterIP").and_then(Value::as_str) != Some("None")
                    && spec.get("type").and_then(Value::as_str) != Some("ExternalName")
                {
                    spec.insert("clusterIP".into(), json!("{{clusterIP}}"));
                    notes.push(
                        "request body: spec.clusterIP the one the server allocated, read just before (immutable)"
                            .into(),
                    );
                }
            }
            if method == "DELETE" {
                let policy = b
                    .as_object()
                    .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case("propagationPolicy")))
                    .and_then(|(_, v)| v.as_str());
                let orphan = b.get("orphanDependents").and_then(Value::as_bool) == Some(true);
                let policy = policy.map(str::to_string);
                // kube-apiserver reads a DELETE's options from its body, or from its query when it
                // has none: the options the case adds go where they are read.
                let options = b.as_object_mut();
                if policy.is_none() && !orphan {
                    match options {
                        Some(m) => {
                            m.insert("propagationPolicy".into(), json!("Background"));
                            notes.push(
                                "request body: propagationPolicy Background added (the body's options replace the \
                                 query's): kinds whose default is to orphan their dependents (ReplicationController, \
                                 retired workload versions) would keep an `orphan` finalizer that only the garbage \
                                 collector removes"
                                    .into(),
                            );
                        }
                        None => background = true,
                    }
                } else if matches!(policy.as_deref(), Some("Orphan" | "Foreground")) || orphan {
                    dry_run = true;
                    notes.push(format!(
                        "request: sent with dryRun All: propagationPolicy {} leaves the object with a finalizer \
                         that only the garbage collector (kube-controller-manager) removes; a bare API server \
                         would keep it forever. The answer is then the object being deleted, not the document's Status",
                        policy.as_deref().unwrap_or("Orphan")
                    ));
                    match options {
                        Some(m) => {
                            m.insert("dryRun".into(), json!(["All"]));
                        }
                        None => {
                            query.insert("dryRun".into(), json!("All"));
                        }
                    }
                }
            }
            b
        });
        if background {
            query.insert("propagationPolicy".into(), json!("Background"));
            notes.push(
                "request: sent with propagationPolicy=Background: kinds whose default is to orphan their dependents \
                 (ReplicationController, retired workload versions) would keep an `orphan` finalizer that only the \
                 garbage collector removes"
                    .into(),
            );
        }
        if patch_kind == Some(PatchType::Json) && !body.as_ref().is_some_and(Value::is_array) {
            return Err(err(
                req.map(|r| r.line).unwrap_or(page.uri_line),
                "expected a JSON Patch (a JSON array of operations) for the content type application/json-patch+json".into(),
            ));
        }
        if verb == "deletecollection" {
            query.insert(
                "labelSelector".into(),
                json!(format!("{RUN_LABEL}={{{{run}}}},{CASE_LABEL}={id}")),
            );
            notes.push(format!(
                "request: confined with labelSelector {RUN_LABEL}={{{{run}}}},{CASE_LABEL}={id}, the labels of the \
                 case's fixture: it deletes only what the case created"
            ));
        }

        // The object the request needs.
        let mut fixtures = Vec::new();
        let mut unconfined: Option<String> = None;
        if needs_object && fixture_ok {
            let r = resource.expect("checked");
            let mut obj = if is_pod && ctx.legacy {
                setup_pod(req, resp, &mut notes)
            } else {
                // A replace starts from the object it replaces: the request's own (the immutable
                // fields equal), with a mark the replace takes away.
                let replace = !ctx.legacy && method == "PUT" && subresource.is_none();
                let resp_for_fixture = if replace { &None } else { resp };
                object_fixture(r, &uri_api_version, req, resp_for_fixture, ctx, doc, is_pod, &mut notes).map(
                    |mut o| {
                        if replace
                            && let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut)
                        {
                            let a = m.entry("annotations").or_insert_with(|| json!({}));
                            if let Some(a) = a.as_object_mut() {
                                a.insert(REPLACE_MARK.into(), json!("before"));
                            }
                            notes.push(format!(
                                "fixture: with the annotation {REPLACE_MARK}, which the replace (without it) removes"
                            ));
                        }
                        o
                    },
                )
            }
            .ok_or_else(|| {
                err(
                    req.or(*resp).map(|e| e.line).unwrap_or(page.uri_line),
                    format!(
                        "expected an example of the {} (its spec in the request or the response example, or a \
                         create page of the kind in the same import): the case needs the object to exist before the request",
                        r.kind
                    ),
                )
            })?;
            if let (Some(kind), Some(b)) = (patch_kind, &body)
                && subresource.is_none_or(|s| s == "status")
            {
                undo_patch_in(&mut obj, kind, b, &mut notes, !is_pod);
            }
            if verb == "deletecollection"
                && let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut)
            {
                let labels = m.entry("labels").or_insert_with(|| json!({}));
                if let Some(l) = labels.as_object_mut() {
                    l.insert(RUN_LABEL.into(), json!("{{run}}"));
                    l.insert(CASE_LABEL.into(), json!(id));
                }
            }
            let mut f = Map::new();
            f.insert("kind".into(), json!(r.kind));
            if !is_pod || !ctx.legacy {
                f.insert("apiVersion".into(), json!(uri_api_version));
            }
            f.insert("body".into(), json!({ "json": obj }));
            fixtures.push(Value::Object(f));
        } else if needs_object {
            notes.push(
                "fixture: none (the resource is not in the resource-kind table of kube-apiserver v1.20.2)".into(),
            );
        }
        if let Some(ns) = &namespaced_literal
            && method != "GET"
        {
            unconfined = Some(format!(
                "writes into the namespace {ns} named by the document, which the run did not create"
            ));
        }

        // The expectations.
        let set_by_request = set_pointers(body.as_ref(), patch_kind);
        let (mut include, mut environmental) = match resp {
            Some(r) if !dry_run => {
                let mut inc = r.value.clone();
                let list = verb == "list"
                    || verb == "deletecollection"
                    || inc
                        .get("kind")
                        .and_then(Value::as_str)
                        .is_some_and(|k| k.ends_with("List"));
                if list || api.is_discovery() {
                    let keep: &[&str] = if api.is_discovery() {
                        &["kind", "apiVersion", "groupVersion"]
                    } else {
                        &["kind", "apiVersion"]
                    };
                    inc = Value::Object(
                        inc.as_object()
                            .into_iter()
                            .flatten()
                            .filter(|(k, _)| keep.contains(&k.as_str()))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    );
                    if ctx.legacy || is_pod && verb == "list" {
                        notes.push(
                            "include: kind and apiVersion only (a list holds the run's other pods too)".into(),
                        );
                    } else if api.is_discovery() {
                        notes.push(
                            "include: kind, apiVersion and groupVersion only (the resources served differ from one \
                             server version to the next)"
                                .into(),
                        );
                    } else {
                        notes.push(
                            "include: kind and apiVersion only (a list holds the run's other objects too)".into(),
                        );
                    }
                }
                // Environmental fields keep the documented text (they are not compared by value,
                // and the drift report quotes them).
                let mut env = if is_pod || ctx.legacy {
                    environmental(&inc, &set_by_request)
                } else {
                    Map::new()
                };
                if !is_pod && !ctx.legacy {
                    general_environmental(
                        &mut inc,
                        &mut env,
                        &set_by_request,
                        verb,
                        method,
                        resource,
                        body.as_ref(),
                        group,
                        &mut notes,
                    );
                }
                if !ctx.legacy {
                    if let Some(av) = inc.get("apiVersion").and_then(Value::as_str)
                        && av != answer_api_version
                        && served
                    {
                        env.insert(
                            "/apiVersion".into(),
                            json!(format!(
                                "the document shows an answer of {av}; {} {} answers in {answer_api_version}",
                                method, uri.path
                            )),
                        );
                        notes.push(format!(
                            "drift: the response example is of apiVersion {av}, the URI's answers are {answer_api_version}"
                        ));
                    }
                    if let (Some(k), Some(expected)) = (
                        inc.get("kind").and_then(Value::as_str),
                        answer_kind.as_deref(),
                    ) && k != expected
                    {
                        env.insert(
                            "/kind".into(),
                            json!(format!(
                                "the document shows a {k}; the server answers a {expected}"
                            )),
                        );
                    }
                    if let Some(r) = resource.filter(|r| !r.namespaced)
                        && inc.pointer("/metadata/namespace").is_some()
                    {
                        env.insert(
                            "/metadata/namespace".into(),
                            json!(format!(
                                "a {} is cluster-scoped: it has no namespace",
                                r.kind
                            )),
                        );
                    }
                }
                if is_pod || ctx.legacy {
                    template_names(&mut inc, name.as_deref(), namespace.as_deref(), &env);
                } else {
                    template_object_names(&mut inc, verb, resource, &mut Vec::new());
                    if let Some(m) = inc.get_mut("details").and_then(Value::as_object_mut)
                        && m.contains_key("name")
                    {
                        m.insert("name".into(), json!("{name}"));
                    }
                }
                (Some(inc), env)
            }
            Some(_) => {
                notes.push(
                    "include: none (a dry run answers the object, not the document's Status)"
                        .into(),
                );
                (None, Map::new())
            }
            None => (None, Map::new()),
        };
        // What the request determines is checked; what the document's answer shows beyond it (a
        // default, a value of the document's cluster, a value that contradicts its own request) is
        // compared as drift.
        if !ctx.legacy
            && !dry_run
            && matches!(verb, "create" | "update" | "get" | "patch" | "delete")
            && let Some(inc) = include.as_mut()
            && (verb != "delete" || inc.get("kind").and_then(Value::as_str) == object_kind)
        {
            let fixture = fixtures
                .first()
                .and_then(|f| f.pointer("/body/json"))
                .cloned();
            let determined = match verb {
                "create" | "update" => body.clone().map(|mut b| {
                    if subresource.is_none()
                        && let Some(f) = &fixture
                    {
                        let av = b
                            .get("apiVersion")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string();
                        let k = b
                            .get("kind")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string();
                        for p in crate::kinds::fields::kept_by_update(&av, &k) {
                            crate::json_pointer::set(&mut b, p, f.pointer(p).cloned());
                        }
                    }
                    b
                }),
                "patch" => fixture.map(|mut f| {
                    if let (Some(kind), Some(b)) = (patch_kind, &body) {
                        apply_locally(&mut f, kind, b);
                    }
                    f
                }),
                // A read, or a delete that answers the object: the object as created.
                _ => fixture,
            };
            if let Some(d) = &determined {
                let before = environmental.len();
                reconcile(inc, d, &mut String::new(), &mut environmental);
                if environmental.len() > before {
                    notes.push(format!(
                        "include: {} field(s) of the response example that the request does not determine are \
                         compared as drift (see environmental)",
                        environmental.len() - before
                    ));
                }
            }
        }
        let kind = if ctx.legacy || is_pod && verb != "delete" {
            resp.and_then(|r| r.value.get("kind"))
                .and_then(Value::as_str)
                .filter(|_| (200..300).contains(&status))
                .map(str::to_string)
        } else if dry_run && verb == "deletecollection" {
            resource.map(|r| r.list_kind.to_string())
        } else if dry_run {
            object_kind.map(str::to_string)
        } else if api.is_discovery() {
            resp.and_then(|r| r.value.get("kind"))
                .and_then(Value::as_str)
                .map(str::to_string)
        } else {
            answer_kind.clone()
        };
        if let (Some(k), Some(doc_kind)) = (
            &kind,
            resp.and_then(|r| r.value.get("kind"))
                .and_then(Value::as_str),
        ) && k != doc_kind
            && !dry_run
        {
            notes.push(format!(
                "expect.kind: {k}, what the server answers to {verb} (the document's example is a {doc_kind})"
            ));
        }

        let mut checks = Vec::new();
        let generation = resp.is_some_and(|r| r.value.pointer("/metadata/generation").is_some());
        let object_answer = subresource.is_none_or(|s| s == "status");
        match (method, subresource, patch_kind) {
            ("PUT", Some("status"), _) if resp.is_none_or(|r| r.value.get("spec").is_some()) => {
                checks.push("spec_unchanged")
            }
            ("PATCH", _, Some(PatchType::Json)) if object_answer && !generation => {
                checks.push("json_patch_applied")
            }
            ("PATCH", _, Some(PatchType::Merge)) if object_answer && !generation => {
                checks.push("merge_patch_applied")
            }
            _ => {}
        }
        if matches!(method, "PUT" | "PATCH") && needs_object && fixture_ok {
            checks.push("resource_version_changed");
            if object_answer {
                checks.push("identity_preserved");
            }
        }

        let title = format!(
            "{method} {}: {}{}{}",
            uri.path
                .trim_start_matches("/api/v1/namespaces/{namespace}/"),
            page.title.as_deref().unwrap_or("document example"),
            uri.note
                .as_deref()
                .filter(|_| page.uris.len() > 1)
                .map(|n| format!(" [{}]", version_note(n)))
                .unwrap_or_default(),
            if many {
                format!(" (example {})", i + 1)
            } else {
                String::new()
            }
        );
        let mut tags = vec![kind_tag(method, subresource)];
        if let Some(p) = patch_kind {
            tags.push(p.name().into());
        }
        tags.extend(["document".to_string(), "imported".to_string()]);
        if !ctx.legacy {
            if !api.is_discovery() {
                tags.push(format!(
                    "group:{}",
                    if group.is_empty() { "core" } else { group }
                ));
            }
            if !version.is_empty() {
                tags.push(format!("version:{version}"));
            }
            if let Some(k) = object_kind {
                tags.push(format!("kind:{k}"));
            } else if api.is_discovery() {
                tags.push("kind:discovery".into());
            }
            tags.push(format!("verb:{verb}"));
            if let Some(s) = subresource {
                tags.push(format!("subresource:{s}"));
            }
            if let Some(r) = resource {
                if !r.namespaced {
                    tags.push("scope:cluster".into());
                } else if api.namespace.is_none() {
                    tags.push("scope:all-namespaces".into());
                }
            }
            if let Some(n) = &uri.note {
                tags.push(format!("version-note:{}", version_note(n)));
            }
            if !served {
                tags.push("not-served:v1.20.2".into());
            }
        }

        let mut provenance = Map::new();
        provenance.insert("document".into(), json!(doc));
        if let Some(l) = req.or(*resp).map(|e| e.line) {
            provenance.insert("line".into(), json!(l));
        } else if !ctx.legacy {
            provenance.insert("line".into(), json!(uri.line));
        }
        if let (Some(_), Some(r)) = (req, resp) {
            provenance.insert("response_line".into(), json!(r.line));
        }

        let mut request = Map::new();
        request.insert("method".into(), json!(method));
        request.insert("path".into(), json!(uri.path));
        if !query.is_empty() {
            request.insert("query".into(), Value::Object(query));
        }
        if let Some(ct) = &content_type {
            request.insert("content_type".into(), json!(ct));
        }
        if let Some(b) = body {
            request.insert("body".into(), json!({ "json": b }));
        }

        let mut expect = Map::new();
        let status = if dry_run && status == 202 {
            200
        } else {
            status
        };
        expect.insert("status".into(), json!(status));
        if let Some(k) = kind {
            expect.insert("kind".into(), json!(k));
        }
        if !ctx.legacy
            && verb == "delete"
            && !dry_run
            && let Some(k) = object_kind
        {
            // The object itself while its deletion waits (a grace period, finalizers).
            expect.insert("alternative_kinds".into(), json!([k]));
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
        // What differs from one run to the next in the whole answer, left out of its snapshot.
        let mut redact = Map::new();
        if !ctx.legacy && verb == "list" {
            redact.insert(
                "/items".into(),
                json!("a list holds the run's other objects too, which differ with the order cases run in"),
            );
        }
        if !ctx.legacy && api.is_discovery() {
            for (p, why) in [
                (
                    "/resources",
                    "the resources a server serves differ from one server (and version) to the next: the \
                     coverage of the run reports them per kind",
                ),
                (
                    "/groups",
                    "the groups a server serves differ from one server (and version) to the next: the \
                     coverage of the run reports them per kind",
                ),
                (
                    "/serverAddressByClientCIDRs/*/serverAddress",
                    "the server's own address",
                ),
            ] {
                redact.insert(p.into(), json!(why));
            }
        }
        if !ctx.legacy && object_kind == Some("Service") && !matches!(verb, "list" | "delete") {
            for p in [
                "/spec/clusterIP",
                "/spec/clusterIPs/*",
                "/spec/ports/*/nodePort",
            ] {
                redact.insert(
                    p.into(),
                    json!("allocated by the server: another on every run"),
                );
            }
        }
        if !redact.is_empty() {
            expect.insert("snapshot".into(), json!({ "redact": redact }));
        }

        let mut case = Map::new();
        case.insert("id".into(), json!(id));
        let setup = request
            .get("body")
            .map(|b| b.to_string())
            .filter(|b| b.contains("{{resourceVersion}}"))
            .map(|b| {
                let mut capture = Map::new();
                capture.insert("resourceVersion".into(), json!("/metadata/resourceVersion"));
                if b.contains("{{clusterIP}}") {
                    capture.insert("clusterIP".into(), json!("/spec/clusterIP"));
                }
                let object = uri
                    .path
                    .strip_suffix(&format!("/{}", subresource.unwrap_or("")))
                    .unwrap_or(&uri.path);
                json!([{ "request": { "method": "GET", "path": object }, "capture": capture }])
            });
        case.insert("title".into(), json!(title));
        case.insert("tags".into(), json!(tags));
        case.insert("provenance".into(), Value::Object(provenance));
        if !fixtures.is_empty() {
            case.insert("fixtures".into(), Value::Array(fixtures));
        }
        if let Some(u) = unconfined {
            case.insert("unconfined".into(), json!(u));
        }
        if let Some(steps) = setup {
            case.insert("setup".into(), steps);
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

/// Marks as environmental (drift, not failure) the fields of `inc` that `determined` (the object
/// the request leaves behind, as far as the case knows it) does not have with the same value.
fn reconcile(inc: &Value, determined: &Value, at: &mut String, env: &mut Map<String, Value>) {
    if env.contains_key(at.as_str())
        || matches!(
            at.as_str(),
            "/kind" | "/apiVersion" | "/metadata/name" | "/metadata/namespace"
        )
    {
        return;
    }
    let zero = |v: &Value| match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    };
    let reason = match (inc, determined) {
        (Value::Object(i), Value::Object(d)) if !i.is_empty() => {
            for (k, v) in i {
                let len = at.len();
                crate::json_pointer::push(at, k);
                match d.get(k) {
                    Some(dv) => reconcile(v, dv, at, env),
                    // A more specific reason (server-assigned metadata, a controller's status)
                    // stays.
                    None if env.contains_key(at.as_str()) => {}
                    None => {
                        env.insert(at.clone(), json!(NOT_DETERMINED));
                    }
                }
                at.truncate(len);
            }
            return;
        }
        (Value::Array(i), Value::Array(d)) if i.len() == d.len() && !i.is_empty() => {
            for (n, (v, dv)) in i.iter().zip(d).enumerate() {
                let len = at.len();
                crate::json_pointer::push(at, &n.to_string());
                reconcile(v, dv, at, env);
                at.truncate(len);
            }
            return;
        }
        (i, d) if i == d && !zero(i) => return,
        (i, d) if i == d => "an empty value: the server may leave it out of its answer".to_string(),
        (_, d) => format!(
            "the request sets {}; the document's response example shows another value",
            short(d)
        ),
    };
    env.insert(at.clone(), json!(reason));
}

const NOT_DETERMINED: &str =
    "not set by the request: a default or a value of the document's cluster";

fn short(v: &Value) -> String {
    let t = v.to_string();
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(60).collect::<String>())
    } else {
        t
    }
}

/// A patch applied to an object locally, as far as this crate can: JSON Patch exactly, a merge
/// patch exactly, a strategic merge patch as a merge patch. The object is left as it was when the
/// patch does not apply.
fn apply_locally(obj: &mut Value, kind: PatchType, patch: &Value) {
    match kind {
        PatchType::Json => {
            if let Ok(p) = serde_json::from_value::<json_patch::Patch>(patch.clone()) {
                let mut copy = obj.clone();
                if json_patch::patch(&mut copy, &p).is_ok() {
                    *obj = copy;
                }
            }
        }
        _ => json_patch::merge(obj, patch),
    }
}

/// A request body fitted to its URI: the apiVersion (and for a scale, the kind) the URI's
/// answers have, and the fields whose shape contradicts the schema repaired (the server would
/// refuse to decode them).
fn fit_body_to_uri(
    b: &mut Value,
    verb: &str,
    subresource: Option<&str>,
    sub_info: Option<&'static kinds::Subresource>,
    uri_api_version: &str,
    notes: &mut Vec<String>,
) {
    let (av, kind) = match (subresource, sub_info) {
        (Some("scale"), Some(s)) => (s.api_version(), Some(s.kind.to_string())),
        _ => (uri_api_version.to_string(), None),
    };
    let Some(m) = b.as_object_mut() else { return };
    if let Some(given) = m
        .get("apiVersion")
        .and_then(Value::as_str)
        .map(str::to_string)
        && given != av
    {
        m.insert("apiVersion".into(), json!(av));
        notes.push(format!(
            "request body: apiVersion {given} as {av}, the URI's (drift: the example is of another API version)"
        ));
    }
    if let Some(k) = kind {
        if let Some(given) = m.get("kind").and_then(Value::as_str).map(str::to_string)
            && given != k
        {
            m.insert("kind".into(), json!(k));
            notes.push(format!(
                "request body: kind {given} as {k}, what the URI takes"
            ));
        }
        // A scale's status is the server's to compute (and of another shape in older versions).
        if m.shift_remove("status").is_some() {
            notes.push(
                "request body: status left out (a scale's status is computed by the server)".into(),
            );
        }
    }
    if matches!(verb, "create" | "update")
        && let Some(k) = b.get("kind").and_then(Value::as_str).map(str::to_string)
        && super::schema::knows(&av, &k)
    {
        for done in super::schema::repair_shapes(&av, &k, b) {
            notes.push(format!(
                "request body: {done} (drift: the example does not fit the schema)"
            ));
        }
    }
}

/// A pod's spec without what the server and its admission plugins set (the node, the
/// service-account token's volume and mounts), for a replace that must leave them as they are.
fn strip_pod_injections(b: &mut Value, notes: &mut Vec<String>) {
    let Some(spec) = b.get_mut("spec") else {
        return;
    };
    let mut ptrs = token_pointers(spec, "");
    ptrs.sort_by(|a, b| b.cmp(a));
    for p in &ptrs {
        remove_at(spec, p);
    }
    let node = spec
        .as_object_mut()
        .is_some_and(|s| s.shift_remove("nodeName").is_some());
    if !ptrs.is_empty() || node {
        notes.push(
            "request body: without spec.nodeName and the service-account token volume and mounts (as the \
             object was created: set by the scheduler and the ServiceAccount admission plugin)"
                .into(),
        );
    }
}

/// The only path parameters are `{namespace}` and `{name}` (the runner fills them).
fn check_path(uri: &Uri, err: &impl Fn(usize, String) -> ImportError) -> Result<(), ImportError> {
    let p = &uri.path;
    let mut rest = p.as_str();
    while let Some(i) = rest.find('{') {
        let end = rest[i..]
            .find('}')
            .map(|j| i + j)
            .ok_or_else(|| err(uri.line, format!("expected a closing `}}` in the path {p}")))?;
        let param = &rest[i + 1..end];
        if param != "namespace" && param != "name" {
            return Err(err(
                uri.line,
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
    rq: &[&'a Example],
    responses: &[&'a Example],
    err: &impl Fn(usize, String) -> ImportError,
) -> Result<Vec<Pair<'a>>, ImportError> {
    // Error examples (a `Status` other than Success) show what a failure looks like: not the
    // success a case expects.
    let rs: Vec<&Example> = responses
        .iter()
        .copied()
        .filter(|r| {
            r.value.get("kind").and_then(Value::as_str) != Some("Status")
                || r.value.get("status").and_then(Value::as_str) == Some("Success")
        })
        .collect();
    let rs = &rs;
    Ok(match (rq.len(), rs.len()) {
        (0, 0) => vec![(None, None)],
        (0, _) => rs.iter().map(|r| (None, Some(*r))).collect(),
        (_, 0) => rq.iter().map(|r| (Some(*r), None)).collect(),
        (_, 1) => rq.iter().map(|r| (Some(*r), Some(rs[0]))).collect(),
        (1, _) => rs.iter().map(|r| (Some(rq[0]), Some(*r))).collect(),
        (a, b) if a == b => rq
            .iter()
            .zip(rs.iter())
            .map(|(a, b)| (Some(*a), Some(*b)))
            .collect(),
        // Several of each, paired by the version range their labels name.
        (_, _)
            if rq
                .iter()
                .chain(rs.iter())
                .all(|e| e.label.as_deref().and_then(direction).is_some()) =>
        {
            rq.iter()
                .map(|r| {
                    let d = r.label.as_deref().and_then(direction);
                    let resp = rs
                        .iter()
                        .find(|x| x.label.as_deref().and_then(direction) == d)
                        .unwrap_or(&rs[0]);
                    (Some(*r), Some(*resp))
                })
                .collect()
        }
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

/// The success code of the status-code table: 201 for a POST that lists it, else 200 if listed,
/// else the first 2xx.
fn success_code(
    page: &Page,
    method: &str,
    err: &impl Fn(usize, String) -> ImportError,
) -> Result<(u16, usize), ImportError> {
    let ok: Vec<_> = page
        .status_codes
        .iter()
        .filter(|s| (200..300).contains(&s.code))
        .collect();
    let pick = if method == "POST" {
        ok.iter().find(|s| s.code == 201).or(ok.first())
    } else {
        ok.iter().find(|s| s.code == 200).or(ok.first())
    };
    match pick {
        Some(s) => Ok((s.code, s.line)),
        None if page.status_codes.is_empty() && page.has_uri_section && page.anchor.is_some() => {
            // The page names no status code: the one Kubernetes answers a success with.
            Ok((if method == "POST" { 201 } else { 200 }, page.uri_line))
        }
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

fn content_type(
    page: &Page,
    method: &str,
    req: &Option<&Example>,
    doc: &str,
    notes: &mut Vec<String>,
) -> String {
    if let Some((ct, line)) = req
        .and_then(|r| r.content_type.as_ref())
        .or(page.content_type.as_ref())
    {
        notes.push(format!("content type: {ct} ({doc}:{line})"));
        return ct.clone();
    }
    let ct = match (method, req.map(|r| &r.value)) {
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
#[cfg(test)]
fn undo_patch(pod: &mut Value, kind: PatchType, patch: &Value, notes: &mut Vec<String>) {
    undo_patch_in(pod, kind, patch, notes, false)
}

/// [`undo_patch`]; `safe`: only where any value is valid (labels, annotations, numbers outside
/// lists), as for objects whose strings are validated (enums, IPs, names in lists).
fn undo_patch_in(
    pod: &mut Value,
    kind: PatchType,
    patch: &Value,
    notes: &mut Vec<String>,
    safe: bool,
) {
    let mut done = Vec::new();
    let allowed = |p: &str, v: Option<&Value>| {
        !safe
            || p.starts_with("/metadata/labels/")
            || p.starts_with("/metadata/annotations/")
            || v.is_some_and(Value::is_number) && !p.split('/').any(|t| t.parse::<usize>().is_ok())
    };
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
                if !allowed(path, value) {
                    continue;
                }
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
                if !allowed(&p, value.as_ref()) {
                    continue;
                }
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

/// The object a case's request needs, from the page's own examples (the response's, else the
/// request's, if of the kind) or the create page of the kind in the same import: metadata labels
/// and annotations, and every top-level field but the status; without the fields the kind does
/// not have in the served version (an invented field, or one of a retired version).
#[allow(clippy::too_many_arguments)]
fn object_fixture(
    r: &Resource,
    api_version: &str,
    req: &Option<&Example>,
    resp: &Option<&Example>,
    ctx: &Context,
    doc: &str,
    is_pod: bool,
    notes: &mut Vec<String>,
) -> Option<Value> {
    let of_kind = |v: &Value| {
        v.is_object()
            && match v.get("kind").and_then(Value::as_str) {
                Some(k) => k == r.kind,
                None => v.get("metadata").is_some(),
            }
            && v.as_object().is_some_and(|m| {
                m.keys()
                    .any(|k| !["kind", "apiVersion", "metadata", "status"].contains(&k.as_str()))
                    || r.kind == "Namespace"
                    || r.kind == "ConfigMap"
                    || r.kind == "Secret"
            })
    };
    if is_pod && let Some(mut p) = setup_pod(req, resp, notes) {
        p["apiVersion"] = json!(api_version);
        return Some(p);
    }
    let (source, which): (&Value, String) = if let Some(e) = resp.filter(|e| of_kind(&e.value)) {
        (&e.value, "the response example's".into())
    } else if let Some(e) = req.filter(|e| of_kind(&e.value)) {
        (&e.value, "the request example's".into())
    } else {
        let o = ctx
            .objects
            .iter()
            .filter(|o| o.plural == r.plural && o.kind == r.kind && of_kind(&o.value))
            .min_by_key(|o| (o.group != r.group, o.document != doc))?;
        (
            &o.value,
            format!("the example of {}:{}", o.document, o.line),
        )
    };
    let mut metadata = Map::new();
    if let Some(n) = source.pointer("/metadata/name") {
        metadata.insert("name".into(), n.clone());
    }
    for k in ["labels", "annotations"] {
        if let Some(v) = source.pointer(&format!("/metadata/{k}")) {
            metadata.insert(k.into(), v.clone());
        }
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), json!(api_version));
    obj.insert("kind".into(), json!(r.kind));
    obj.insert("metadata".into(), Value::Object(metadata));
    let mut fields = Vec::new();
    for (k, v) in source.as_object().into_iter().flatten() {
        if !["kind", "apiVersion", "metadata", "status"].contains(&k.as_str()) {
            obj.insert(k.clone(), v.clone());
            fields.push(k.clone());
        }
    }
    let mut obj = Value::Object(obj);
    repair_body(&mut obj, r.kind, notes, "fixture");
    let schema_av = if super::schema::knows(api_version, r.kind) {
        api_version.to_string()
    } else {
        r.api_version.to_string()
    };
    let mut unknown = super::schema::unknown_fields(&schema_av, r.kind, &obj);
    unknown.sort_by(|a, b| b.cmp(a));
    for p in &unknown {
        remove_at(&mut obj, p);
    }
    notes.push(format!(
        "fixture: {which} metadata (labels, annotations){}{}",
        if fields.is_empty() {
            String::new()
        } else {
            format!(" and {}", fields.join(", "))
        },
        if unknown.is_empty() {
            String::new()
        } else {
            unknown.reverse();
            format!(
                ", without {} (not fields of {} {schema_av} in kube-apiserver v1.20.2)",
                unknown.join(", "),
                r.kind
            )
        }
    ));
    // A label selector the served version requires (apps/v1) and older examples leave out: the
    // pod template's labels.
    let selector_type = super::schema::field_type(&schema_av, r.kind, &["spec", "selector"]);
    if selector_type.is_some_and(|t| t.ends_with(".LabelSelector"))
        && obj.pointer("/spec/selector").is_none()
        && let Some(labels) = obj.pointer("/spec/template/metadata/labels").cloned()
        && let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut)
    {
        spec.insert("selector".into(), json!({ "matchLabels": labels }));
        notes.push(
            "fixture: spec.selector set to the pod template's labels (required since apps/v1; the example leaves it out)"
                .into(),
        );
    }
    Some(obj)
}

/// What a server would reject in a documented body, fixed: a Secret's `data` values that are
/// not base64 (`******`) encoded; a Service's addresses and ports the server allocates.
fn repair_body(b: &mut Value, kind: &str, notes: &mut Vec<String>, what: &str) {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut fixed = Vec::new();
    if kind == "Secret"
        && let Some(data) = b.get_mut("data").and_then(Value::as_object_mut)
    {
        for (k, v) in data.iter_mut() {
            if let Some(s) = v.as_str().map(str::to_string)
                && engine.decode(&s).is_err()
            {
                *v = json!(engine.encode(&s));
                fixed.push(format!(
                    "data.{k} base64-encoded (the document shows {s:?}, which is not base64)"
                ));
            }
        }
    }
    if kind == "Service"
        && let Some(spec) = b.get_mut("spec").and_then(Value::as_object_mut)
    {
        // A headless service ("None") keeps it: that is no allocation.
        let headless = spec.get("clusterIP").and_then(Value::as_str) == Some("None");
        for k in ["clusterIP", "clusterIPs", "healthCheckNodePort"] {
            if headless && k != "healthCheckNodePort" {
                continue;
            }
            if spec.shift_remove(k).is_some() {
                fixed.push(format!("spec.{k} left out (allocated by the server)"));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in spec
            .get_mut("ports")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(m) = p.as_object_mut()
                && m.shift_remove("nodePort").is_some()
            {
                fixed.push("spec.ports[].nodePort left out (allocated by the server)".into());
            }
            // A port and protocol twice is refused (Duplicate value): the later one moves up.
            let protocol = p
                .get("protocol")
                .and_then(Value::as_str)
                .unwrap_or("TCP")
                .to_string();
            if let Some(port) = p.get("port").and_then(Value::as_u64) {
                let mut free = port;
                while !seen.insert((free, protocol.clone())) {
                    free += 1;
                }
                if free != port {
                    p["port"] = json!(free);
                    fixed.push(format!(
                        "spec.ports[{i}].port {port} as {free} (the document gives port {port}/{protocol} twice, which a \
                         server refuses: drift)"
                    ));
                }
            }
        }
    }
    fixed.dedup();
    if !fixed.is_empty() {
        notes.push(format!("{what}: {}", fixed.join("; ")));
    }
}

/// `metadata.name` as the case's name: `{name}`, or for a create of a cluster-scoped kind
/// `{name}-{{run}}` (unique to the run); `metadata.namespace` as `{namespace}`.
fn template_object_names(
    v: &mut Value,
    verb: &str,
    resource: Option<&Resource>,
    notes: &mut Vec<String>,
) {
    let cluster = resource.is_some_and(|r| !r.namespaced);
    let name = if verb == "create" && cluster {
        "{name}-{{run}}"
    } else {
        "{name}"
    };
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        let had = m.get("name").and_then(Value::as_str).map(str::to_string);
        if had.is_some() || verb == "create" && !m.contains_key("generateName") {
            m.insert("name".into(), json!(name));
            if verb == "create" {
                notes.push(format!(
                    "request body: metadata.name {} as {name} (unique{}, recorded: the object is deleted after the case)",
                    had.map(|h| format!("{h:?}")).unwrap_or_else(|| "(none)".into()),
                    if cluster { " to the run" } else { " in the run's namespace" }
                ));
            }
        }
        if m.contains_key("namespace") {
            if cluster {
                m.shift_remove("namespace");
            } else {
                m.insert("namespace".into(), json!("{namespace}"));
            }
        }
    } else if let Some(m) = v.as_object_mut()
        && m.get("name").is_some_and(Value::is_string)
        && m.get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("Rollback"))
    {
        m.insert("name".into(), json!("{name}"));
    }
}

/// The environmental pointers of an object's (or a Status's) documented answer, each with its
/// reason: server-assigned metadata, what controllers maintain, fields the served version does
/// not have, metadata the request does not set.
#[allow(clippy::too_many_arguments)]
fn general_environmental(
    inc: &mut Value,
    env: &mut Map<String, Value>,
    set_by_request: &[String],
    verb: &str,
    method: &str,
    resource: Option<&Resource>,
    body: Option<&Value>,
    group: &str,
    notes: &mut Vec<String>,
) {
    let kind = inc
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let what = resource.map(|r| r.kind).unwrap_or("object");
    if let Some(m) = inc.get("metadata").and_then(Value::as_object) {
        for f in SERVER_METADATA {
            if m.contains_key(f.name) {
                env.insert(
                    format!("/metadata/{}", f.name),
                    json!(f.reason.replace("the pod", &format!("the {what}"))),
                );
            }
        }
    }
    if kind == "Status" {
        if inc.get("code").is_some() {
            env.insert(
                "/code".into(),
                json!("kube-apiserver v1.20 sets no code in the Status of a successful delete"),
            );
        }
        if inc.pointer("/details/uid").is_some() {
            env.insert(
                "/details/uid".into(),
                json!(format!(
                    "assigned by the API server when the {what} is created"
                )),
            );
        }
        if let Some(g) = inc.pointer("/details/group").and_then(Value::as_str)
            && g != group
        {
            env.insert(
                "/details/group".into(),
                json!(format!(
                    "the document's answer is from the group {g}; this URI is of {}",
                    if group.is_empty() {
                        "the core group"
                    } else {
                        group
                    }
                )),
            );
        }
        if inc.get("message").is_some() {
            env.insert(
                "/message".into(),
                json!("a text of the document's server version"),
            );
        }
        return;
    }
    if verb == "list" || verb == "deletecollection" {
        return;
    }
    if let Some(st) = inc.get("status").and_then(Value::as_object) {
        for k in st.keys() {
            let p = format!("/status/{}", crate::json_pointer::escape(k));
            if !is_set(&p, set_by_request) {
                env.insert(
                    p,
                    json!(format!(
                        "maintained by the {what}'s controller (kube-controller-manager) or a node's agent; a bare API \
                         server runs none"
                    )),
                );
            }
        }
    }
    if let Some(r) = resource {
        let av = inc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let schema_kind = if kind.is_empty() {
            r.kind.to_string()
        } else {
            kind.clone()
        };
        let schema_av = if super::schema::knows(av, &schema_kind) {
            av.to_string()
        } else if super::schema::knows(r.api_version, &schema_kind) {
            r.api_version.to_string()
        } else {
            String::new()
        };
        let unknown = super::schema::unknown_fields(&schema_av, &schema_kind, inc);
        if !unknown.is_empty() {
            notes.push(format!(
                "drift: the response example shows {} that {schema_kind} {schema_av} does not have (kube-apiserver v1.20.2)",
                unknown.join(", ")
            ));
        }
        for p in unknown {
            env.insert(
                p,
                json!(format!(
                    "not a field of {schema_kind} {schema_av} (kube-apiserver v1.20.2's OpenAPI schema): the server drops it; \
                     the document shows an invented field or one of another API version"
                )),
            );
        }
    }
    if matches!(method, "PUT" | "POST")
        && let Some(b) = body
    {
        for k in ["labels", "annotations"] {
            let keys: Vec<String> = inc
                .pointer(&format!("/metadata/{k}"))
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            for key in keys {
                let p = format!("/metadata/{k}/{}", crate::json_pointer::escape(&key));
                if b.pointer(&p).is_none() && !env.contains_key(&p) {
                    env.insert(
                        p,
                        json!("not in the request: set by a controller or another client on the document's cluster"),
                    );
                }
            }
        }
    }
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
    fn only_what_the_request_determines_is_checked() {
        let inc = json!({"kind": "Service", "metadata": {"name": "{name}", "labels": {"app": "a"}},
            "spec": {"ports": [{"port": 80, "targetPort": 80}], "type": "ClusterIP", "selector": {}}});
        let body = json!({"kind": "Service", "metadata": {"name": "{name}", "labels": {"app": "a"}},
            "spec": {"ports": [{"port": 80, "targetPort": 0}], "selector": {}}});
        let mut env = Map::new();
        reconcile(&inc, &body, &mut String::new(), &mut env);
        let keys: Vec<&str> = env.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["/spec/ports/0/targetPort", "/spec/type", "/spec/selector"]
        );
        assert!(
            env["/spec/ports/0/targetPort"]
                .as_str()
                .unwrap()
                .contains("the request sets 0")
        );
        assert!(
            env["/spec/type"]
                .as_str()
                .unwrap()
                .starts_with("not set by the request")
        );
    }

    #[test]
    fn bodies_are_fitted_to_their_uri() {
        let mut b = json!({"apiVersion": "extensions/v1beta1", "kind": "Ingress",
            "spec": {"tls": {"secretName": "s"}, "rules": [{"host": "h"}]}});
        let mut notes = Vec::new();
        fit_body_to_uri(
            &mut b,
            "create",
            None,
            None,
            "networking.k8s.io/v1beta1",
            &mut notes,
        );
        assert_eq!(b["apiVersion"], "networking.k8s.io/v1beta1");
        assert_eq!(b["spec"]["tls"], json!([{"secretName": "s"}]));
        assert_eq!(b["spec"]["rules"], json!([{"host": "h"}]));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn a_port_given_twice_moves_up() {
        let mut b =
            json!({"spec": {"clusterIP": "10.0.0.9", "ports": [{"port": 8765}, {"port": 8765}]}});
        let mut notes = Vec::new();
        repair_body(&mut b, "Service", &mut notes, "fixture");
        assert_eq!(
            b,
            json!({"spec": {"ports": [{"port": 8765}, {"port": 8766}]}})
        );
        let mut headless = json!({"spec": {"clusterIP": "None"}});
        repair_body(&mut headless, "Service", &mut notes, "fixture");
        assert_eq!(headless["spec"]["clusterIP"], "None");
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
