//! The three PATCH content types kube-apiserver accepts, applied to an object's JSON.
//!
//! JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7386) come from the `json-patch` crate; strategic merge
//! patch is Kubernetes' own format, implemented here for the Pod fields that carry a patch strategy.

use super::status::ApiError;
use json_patch::{AddOperation, PatchOperation};
use serde_json::{Map, Value};

/// A PATCH content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
}

impl PatchType {
    /// The patch type for a `Content-Type` header value (parameters such as `; charset=utf-8` ignored).
    pub fn from_content_type(ct: &str) -> Option<Self> {
        match media_type(ct) {
            "application/json-patch+json" => Some(PatchType::Json),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
            _ => None,
        }
    }
}

/// The media type of a `Content-Type` value, without parameters, trimmed and lower-cased is not needed:
/// kube-apiserver compares case-sensitively.
pub fn media_type(ct: &str) -> &str {
    ct.split(';').next().unwrap_or("").trim()
}

/// Applies `body` (the raw patch) of type `kind` to `doc` and returns the patched document.
pub fn apply(kind: PatchType, doc: &Value, body: &[u8]) -> Result<Value, ApiError> {
    match kind {
        PatchType::Json => apply_json_patch(doc, body),
        PatchType::Merge => {
            let patch =
                parse_go_json(body).map_err(|_| ApiError::internal("Invalid JSON Patch"))?;
            match patch {
                Value::Null => Err(ApiError::internal("Invalid JSON Patch")),
                Value::Object(_) => {
                    let mut out = doc.clone();
                    json_patch::merge(&mut out, &patch);
                    Ok(out)
                }
                // Not an object: the patch replaces the document (and then fails to decode).
                other => Ok(prune_nulls(other)),
            }
        }
        PatchType::Strategic => {
            // The real server reads this body with a streaming decoder, whose truncation error differs.
            let patch = parse_go_json(body).map_err(|e| {
                ApiError::bad_request(if e == EOF_MESSAGE {
                    "unexpected EOF".to_string()
                } else {
                    e
                })
            })?;
            let Value::Object(patch) = patch else {
                return Err(ApiError::bad_request(
                    "json: cannot unmarshal array into Go value of type map[string]interface {}",
                ));
            };
            let mut out = doc.clone();
            strategic_merge(&mut out, &patch, Ctx::Pod)?;
            Ok(out)
        }
    }
}

fn apply_json_patch(doc: &Value, body: &[u8]) -> Result<Value, ApiError> {
    let raw = parse_go_json(body).map_err(ApiError::bad_request)?;
    let Value::Array(items) = &raw else {
        return Err(ApiError::bad_request(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            go_type_name(&raw)
        )));
    };
    if let Some(bad) = items.iter().find(|i| !i.is_object()) {
        return Err(ApiError::bad_request(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
            go_type_name(bad)
        )));
    }
    // Well-formed JSON but not a valid operation list (unknown op, missing path): the real server only
    // finds out while applying, and answers 422.
    let patch: json_patch::Patch =
        serde_json::from_value(raw).map_err(|_| ApiError::patch_rejected())?;
    let mut out = doc.clone();
    for op in patch.0 {
        let op = match op {
            // kube-apiserver v1.20 uses evanphx/json-patch v4, whose `replace` of a missing member of an
            // existing object adds it, and whose `test` of a missing member against `null` passes.
            PatchOperation::Replace(r) if missing_member_of_object(&out, r.path.as_str()) => {
                PatchOperation::Add(AddOperation {
                    path: r.path,
                    value: r.value,
                })
            }
            PatchOperation::Test(t)
                if t.value.is_null() && missing_member_of_object(&out, t.path.as_str()) =>
            {
                continue;
            }
            other => other,
        };
        json_patch::patch(&mut out, std::slice::from_ref(&op))
            .map_err(|_| ApiError::patch_rejected())?;
    }
    Ok(out)
}

/// True if `pointer` names a member that an existing object lacks.
fn missing_member_of_object(doc: &Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    matches!(doc.pointer(parent), Some(Value::Object(m)) if !m.contains_key(&key))
}

/// Parses JSON, describing a failure the way Go's encoding/json does.
pub fn parse_go_json(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|e| go_json_error(body, &e))
}

const EOF_MESSAGE: &str = "unexpected end of JSON input";

/// Go's wording for a JSON syntax error.
pub fn go_json_error(body: &[u8], e: &serde_json::Error) -> String {
    if e.is_eof() {
        return EOF_MESSAGE.to_string();
    }
    if e.to_string().starts_with("recursion limit exceeded") {
        return "invalid character '[' exceeded max depth".to_string();
    }
    // serde_json reports 1-based line/column; find the offending byte for Go's message.
    let mut line = 1;
    let mut col = 0;
    for (i, b) in body.iter().enumerate() {
        if *b == b'\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
        if line == e.line() && col == e.column() {
            let c = body[i];
            let shown = if c.is_ascii_graphic() || c == b' ' {
                format!("'{}'", c as char)
            } else {
                format!("'\\x{c:02x}'")
            };
            return format!("invalid character {shown} looking for beginning of value");
        }
    }
    e.to_string()
}

/// Renders a value as Go's `fmt` prints a `map[string]interface{}` (`map[a:1 b:map[c:x]]`).
pub fn go_fmt(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}:{}", go_fmt(&m[*k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(go_fmt).collect();
            format!("[{}]", parts.join(" "))
        }
        other => other.to_string(),
    }
}

/// Compact JSON with object keys sorted, as Go marshals a `map[string]interface{}`.
pub fn sorted_json(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(v).to_string()
}

fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn prune_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, prune_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(prune_nulls).collect()),
        other => other,
    }
}

/// Where in a Pod we are, for the patch strategy of the fields below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Pod,
    ObjectMeta,
    PodSpec,
    Container,
    PodStatus,
    Other,
}

/// How a list field is patched.
enum ListStrategy {
    /// Replaced whole (no `patchStrategy` tag).
    Replace,
    /// `patchStrategy:"merge"` on a list of scalars: union.
    MergeScalars,
    /// `patchStrategy:"merge" patchMergeKey:"key"`: elements merged by key.
    MergeByKey(&'static str, Ctx),
}

fn child_ctx(ctx: Ctx, field: &str) -> Ctx {
    match (ctx, field) {
        (Ctx::Pod, "metadata") => Ctx::ObjectMeta,
        (Ctx::Pod, "spec") => Ctx::PodSpec,
        (Ctx::Pod, "status") => Ctx::PodStatus,
        _ => Ctx::Other,
    }
}

/// The patch strategies of Kubernetes v1.20's `core/v1` and `meta/v1` types that a Pod contains.
fn list_strategy(ctx: Ctx, field: &str) -> ListStrategy {
    use ListStrategy::*;
    match (ctx, field) {
        (Ctx::ObjectMeta, "ownerReferences") => MergeByKey("uid", Ctx::Other),
        (Ctx::ObjectMeta, "finalizers") => MergeScalars,
        (Ctx::PodSpec, "containers" | "initContainers" | "ephemeralContainers") => {
            MergeByKey("name", Ctx::Container)
        }
        (Ctx::PodSpec, "volumes" | "imagePullSecrets") => MergeByKey("name", Ctx::Other),
        (Ctx::PodSpec, "hostAliases") => MergeByKey("ip", Ctx::Other),
        (Ctx::PodSpec, "topologySpreadConstraints") => MergeByKey("topologyKey", Ctx::Other),
        (Ctx::Container, "ports") => MergeByKey("containerPort", Ctx::Other),
        (Ctx::Container, "env") => MergeByKey("name", Ctx::Other),
        (Ctx::Container, "volumeMounts") => MergeByKey("mountPath", Ctx::Other),
        (Ctx::Container, "volumeDevices") => MergeByKey("devicePath", Ctx::Other),
        (Ctx::PodStatus, "conditions") => MergeByKey("type", Ctx::Other),
        (Ctx::PodStatus, "podIPs") => MergeByKey("ip", Ctx::Other),
        _ => Replace,
    }
}

const DIRECTIVE: &str = "$patch";
const SET_ORDER: &str = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE: &str = "$deleteFromPrimitiveList/";
const RETAIN_KEYS: &str = "$retainKeys";

fn smp_error(msg: impl Into<String>) -> ApiError {
    ApiError::bad_request(msg)
}

/// Kubernetes strategic merge patch of one map (`doc` must be an object or is replaced by one).
fn strategic_merge(doc: &mut Value, patch: &Map<String, Value>, ctx: Ctx) -> Result<(), ApiError> {
    match patch.get(DIRECTIVE) {
        Some(Value::String(d)) if d == "replace" => {
            let mut m = patch.clone();
            m.remove(DIRECTIVE);
            *doc = Value::Object(m);
            return Ok(());
        }
        Some(Value::String(d)) if d == "delete" => {
            *doc = Value::Object(Map::new());
            return Ok(());
        }
        Some(other) => {
            return Err(smp_error(format!(
                "Unknown patch type: {}. Supported types are: merge, replace, delete.",
                other.as_str().unwrap_or(&other.to_string())
            )));
        }
        None => {}
    }
    if !doc.is_object() {
        *doc = Value::Object(Map::new());
    }
    let Value::Object(target) = doc else {
        return Ok(());
    };
    if let Some(keys) = patch.get(RETAIN_KEYS) {
        let Value::Array(keys) = keys else {
            return Err(smp_error(
                "invalid patch: retainKeys directive must be a list",
            ));
        };
        let keep: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
        target.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (key, pv) in patch {
        if key == DIRECTIVE || key == RETAIN_KEYS || key.starts_with(SET_ORDER) {
            continue;
        }
        if let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE) {
            let Value::Array(drop) = pv else {
                return Err(smp_error(
                    "invalid patch: deleteFromPrimitiveList directive must be a list",
                ));
            };
            if let Some(Value::Array(list)) = target.get_mut(field) {
                list.retain(|v| !drop.contains(v));
            }
            continue;
        }
        if pv.is_null() {
            target.remove(key);
            continue;
        }
        match pv {
            Value::Object(pm) => {
                let child = target.entry(key.clone()).or_insert(Value::Null);
                if pm.get(DIRECTIVE).and_then(Value::as_str) == Some("delete") {
                    target.remove(key);
                    continue;
                }
                strategic_merge(child, pm, child_ctx(ctx, key))?;
            }
            Value::Array(pl) => {
                let merged = merge_list(target.get(key), pl, list_strategy(ctx, key))?;
                target.insert(key.clone(), merged);
            }
            scalar => {
                target.insert(key.clone(), scalar.clone());
            }
        }
    }
    Ok(())
}

fn merge_list(
    current: Option<&Value>,
    patch: &[Value],
    strategy: ListStrategy,
) -> Result<Value, ApiError> {
    let cur: Vec<Value> = match current {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    match strategy {
        ListStrategy::Replace => Ok(Value::Array(
            patch
                .iter()
                .filter(|v| !is_directive_item(v))
                .cloned()
                .collect(),
        )),
        ListStrategy::MergeScalars => {
            let mut out = cur.clone();
            for v in patch {
                if v.is_object() {
                    if is_replace_item(v) {
                        return Ok(Value::Array(Vec::new()));
                    }
                    return Err(smp_error(
                        "unable to find api field in struct  for the json field",
                    ));
                }
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            let id = |v: &Value| Some(v.clone());
            Ok(Value::Array(enforce_order(out, patch, &cur, id)))
        }
        ListStrategy::MergeByKey(key, ctx) => {
            if patch.iter().any(is_replace_item) {
                return Ok(Value::Array(
                    patch
                        .iter()
                        .filter(|v| !is_directive_item(v))
                        .cloned()
                        .collect(),
                ));
            }
            let mut out = cur.clone();
            let mut patch_order: Vec<&Value> = Vec::new();
            for item in patch {
                let Value::Object(pm) = item else {
                    return Err(smp_error(format!(
                        "merging an object in json but data type is not map, orig: {item}"
                    )));
                };
                let Some(kv) = pm.get(key) else {
                    return Err(smp_error(format!(
                        "map: {item} does not contain declared merge key: {key}"
                    )));
                };
                let pos = out.iter().position(|e| e.get(key) == Some(kv));
                if pm.get(DIRECTIVE).and_then(Value::as_str) == Some("delete") {
                    if let Some(p) = pos {
                        out.remove(p);
                    }
                    continue;
                }
                patch_order.push(item);
                match pos {
                    Some(p) => strategic_merge(&mut out[p], pm, ctx)?,
                    None => {
                        let mut fresh = Value::Object(Map::new());
                        strategic_merge(&mut fresh, pm, ctx)?;
                        out.push(fresh);
                    }
                }
            }
            // The server order is the list after deletions, as in the real implementation.
            let server: Vec<Value> = out
                .iter()
                .filter(|e| cur.iter().any(|c| c.get(key) == e.get(key)))
                .cloned()
                .collect();
            let patch_items: Vec<Value> = patch_order.into_iter().cloned().collect();
            let id = |v: &Value| v.get(key).cloned();
            Ok(Value::Array(enforce_order(out, &patch_items, &server, id)))
        }
    }
}

/// The element order of a merged list, as Kubernetes' `normalizeElementOrder`: the elements named in
/// the patch in patch order, the others in server order, interleaved where the server order relates
/// them (`mergeSortedSlice`).
fn enforce_order(
    merged: Vec<Value>,
    patch: &[Value],
    server: &[Value],
    id: impl Fn(&Value) -> Option<Value>,
) -> Vec<Value> {
    let patch_ids: Vec<Option<Value>> = patch.iter().map(&id).collect();
    let server_ids: Vec<Option<Value>> = server.iter().map(&id).collect();
    let (mut in_patch, server_only): (Vec<Value>, Vec<Value>) =
        merged.into_iter().partition(|v| patch_ids.contains(&id(v)));
    in_patch.sort_by_key(|v| patch_ids.iter().position(|p| *p == id(v)));
    let server_index = |v: &Value| server_ids.iter().position(|s| *s == id(v));
    let mut out = Vec::with_capacity(in_patch.len() + server_only.len());
    let (mut left, mut right) = (
        server_only.into_iter().peekable(),
        in_patch.into_iter().peekable(),
    );
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
            (Some(l), Some(r)) => {
                matches!((server_index(l), server_index(r)), (Some(a), Some(b)) if a < b)
            }
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    out
}

fn is_directive_item(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.len() == 1 && m.contains_key(DIRECTIVE))
}

fn is_replace_item(v: &Value) -> bool {
    v.as_object()
        .and_then(|m| m.get(DIRECTIVE))
        .and_then(Value::as_str)
        == Some("replace")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "metadata": {"name": "p", "labels": {"a": "1", "b": "2"}, "finalizers": ["x"]},
            "spec": {
                "containers": [
                    {"name": "one", "image": "i:1", "env": [{"name": "E", "value": "1"}]},
                    {"name": "two", "image": "i:2"}
                ],
                "tolerations": [{"key": "k", "operator": "Exists"}]
            },
            "status": {"conditions": [{"type": "Ready", "status": "False"}]}
        })
    }

    fn smp(patch: Value) -> Result<Value, ApiError> {
        apply(PatchType::Strategic, &pod(), patch.to_string().as_bytes())
    }

    #[test]
    fn strategic_merges_containers_by_name() {
        let out =
            smp(json!({"spec": {"containers": [{"name": "two", "image": "new:2"}]}})).unwrap();
        assert_eq!(out["spec"]["containers"][0]["image"], "i:1");
        assert_eq!(out["spec"]["containers"][1]["image"], "new:2");
        assert_eq!(out["spec"]["containers"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn strategic_list_order_is_kubernetes_order() {
        // Checked with `kubectl patch --local --type strategic`: patch elements first (in patch
        // order), server-only elements after them, unless the server order relates the two.
        let names = |out: &Value, path: &str| -> Vec<String> {
            out.pointer(path)
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect()
        };
        let out = smp(json!({"spec": {"containers": [{"name": "one", "env": [{"name": "F", "value": "2"}]}]}})).unwrap();
        assert_eq!(names(&out, "/spec/containers/0/env"), ["F", "E"]);
        let out = smp(json!({"spec": {"containers": [{"name": "three", "image": "x"}, {"name": "one", "image": "y"}]}})).unwrap();
        assert_eq!(names(&out, "/spec/containers"), ["three", "one", "two"]);
        let out = smp(json!({"spec": {"containers": [{"name": "two", "image": "y"}]}})).unwrap();
        assert_eq!(names(&out, "/spec/containers"), ["one", "two"]);
        let out = smp(json!({"metadata": {"finalizers": ["y"]}})).unwrap();
        assert_eq!(out["metadata"]["finalizers"], json!(["y", "x"]));
    }

    #[test]
    fn strategic_delete_and_replace_directives() {
        let out =
            smp(json!({"spec": {"containers": [{"name": "one", "$patch": "delete"}]}})).unwrap();
        assert_eq!(
            out["spec"]["containers"],
            json!([{"name": "two", "image": "i:2"}])
        );
        let out = smp(
            json!({"spec": {"containers": [{"name": "z", "image": "z"}, {"$patch": "replace"}]}}),
        )
        .unwrap();
        assert_eq!(
            out["spec"]["containers"],
            json!([{"name": "z", "image": "z"}])
        );
        let out = smp(json!({"metadata": {"labels": {"c": "3", "$patch": "replace"}}})).unwrap();
        assert_eq!(out["metadata"]["labels"], json!({"c": "3"}));
    }

    #[test]
    fn strategic_labels_map_and_null_delete() {
        let out = smp(json!({"metadata": {"labels": {"a": null, "c": "3"}}})).unwrap();
        assert_eq!(out["metadata"]["labels"], json!({"b": "2", "c": "3"}));
    }

    #[test]
    fn strategic_tolerations_replace_and_finalizers_union() {
        let out = smp(
            json!({"spec": {"tolerations": [{"key": "n", "operator": "Exists"}]},
                              "metadata": {"finalizers": ["y", "x"]}}),
        )
        .unwrap();
        assert_eq!(
            out["spec"]["tolerations"],
            json!([{"key": "n", "operator": "Exists"}])
        );
        assert_eq!(out["metadata"]["finalizers"], json!(["y", "x"]));
    }

    #[test]
    fn strategic_conditions_merge_by_type() {
        let out =
            smp(json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}})).unwrap();
        assert_eq!(
            out["status"]["conditions"],
            json!([{"type": "Ready", "status": "True"}])
        );
    }

    #[test]
    fn strategic_missing_merge_key_is_bad_request() {
        let err = smp(json!({"spec": {"containers": [{"image": "x"}]}})).unwrap_err();
        assert_eq!(err.code, 400);
    }

    #[test]
    fn merge_patch_replaces_lists() {
        let out = apply(
            PatchType::Merge,
            &pod(),
            br#"{"spec":{"containers":[{"name":"only"}]},"metadata":{"labels":{"a":null}}}"#,
        )
        .unwrap();
        assert_eq!(out["spec"]["containers"], json!([{"name": "only"}]));
        assert_eq!(out["metadata"]["labels"], json!({"b": "2"}));
    }

    #[test]
    fn malformed_merge_patch_is_internal_error() {
        let err = apply(PatchType::Merge, &pod(), br#"{"metadata":"#).unwrap_err();
        assert_eq!(
            (err.code, err.reason, err.message.as_str()),
            (500, "", "Invalid JSON Patch")
        );
    }

    #[test]
    fn json_patch_errors() {
        let err = apply(PatchType::Json, &pod(), br#"[{"op":"add","path":"#).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (400, "unexpected end of JSON input")
        );
        let err = apply(PatchType::Json, &pod(), br#"{"op":"add"}"#).unwrap_err();
        assert_eq!(err.code, 400);
        let err = apply(
            PatchType::Json,
            &pod(),
            br#"[{"op":"test","path":"/spec/containers/0/image","value":"nope"}]"#,
        )
        .unwrap_err();
        assert_eq!((err.code, err.reason), (422, "Invalid"));
        let err = apply(
            PatchType::Json,
            &pod(),
            br#"[{"op":"frobnicate","path":"/a"}]"#,
        )
        .unwrap_err();
        assert_eq!(err.code, 422);
        let out = apply(
            PatchType::Json,
            &pod(),
            br#"[{"op":"replace","path":"/spec/containers/0/image","value":"x:9"}]"#,
        )
        .unwrap();
        assert_eq!(out["spec"]["containers"][0]["image"], "x:9");
    }

    #[test]
    fn json_patch_quirks_of_kube_apiserver_v1_20() {
        // replace of a missing member of an existing object adds it
        let out = apply(
            PatchType::Json,
            &pod(),
            br#"[{"op":"replace","path":"/metadata/annotations","value":{"a":"b"}}]"#,
        )
        .unwrap();
        assert_eq!(out["metadata"]["annotations"], json!({"a": "b"}));
        // ... but not below a missing parent
        let err = apply(
            PatchType::Json,
            &pod(),
            br#"[{"op":"replace","path":"/metadata/annotations/x","value":"b"}]"#,
        )
        .unwrap_err();
        assert_eq!(err.code, 422);
        // test of a missing member against null passes
        apply(
            PatchType::Json,
            &pod(),
            br#"[{"op":"test","path":"/spec/nothere","value":null}]"#,
        )
        .unwrap();
    }

    #[test]
    fn garbage_json_error_names_character() {
        let err = apply(PatchType::Json, &pod(), b"\x00\x01").unwrap_err();
        assert_eq!(err.code, 400);
        assert!(
            err.message.starts_with("invalid character"),
            "{}",
            err.message
        );
    }
}
