//! The three PATCH content types kube-apiserver accepts, applied to an object's JSON.
//!
//! JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7386) come from the `json-patch` crate; strategic merge
//! patch is Kubernetes' own format, implemented here for the Pod fields that carry a patch strategy.
//!
//! A JSON Patch gets kube-apiserver's limits: at most 10000 operations (413), at most 3 MiB copied by
//! its `copy` operations (checked before each copy), and at most Go's 10000 levels of nesting
//! (checked before each operation; a document nested deeper than an ordinary thread stack can walk
//! is handled on a large one, see [`Stack`]).

use super::schema;
use super::status::ApiError;
use json_patch::{AddOperation, PatchOperation};
use serde_json::{Map, Value};

pub use crate::kinds::patch::{PatchType, media_type};

/// The most operations kube-apiserver applies from one JSON Patch (`maxJSONPatchOperations`).
pub const MAX_JSON_PATCH_OPERATIONS: usize = 10_000;

/// The most bytes the `copy` operations of one JSON Patch may copy in total: kube-apiserver sets
/// evanphx/json-patch's `AccumulatedCopySizeLimit` to `JSONPatchMaxCopyBytes`, 3 MiB.
pub const MAX_JSON_PATCH_COPY_BYTES: usize = 3 * 1024 * 1024;

/// Go's encoding/json nesting limit (`maxNestingDepth`): a document nested deeper fails to parse
/// ("exceeded max depth"), and evanphx/json-patch cannot marshal a member nested deeper.
pub const GO_MAX_DEPTH: usize = 10_000;

/// Above this size a JSON Patch is first read by a `json.Decoder` into `[]interface{}`, whose
/// errors kube-apiserver prefixes with `error decoding patch: `.
const JSON_PATCH_PRECHECK_BYTES: usize = 1024 * 1024;

/// How deep the document of a JSON Patch may get while it is applied on a thread with an ordinary
/// stack: the recursive walkers of serde_json (clone, drop, serialisation) and of the codec use a
/// few hundred bytes a level. A patch that nests deeper is applied again with [`Stack::Large`].
const SMALL_STACK_DEPTH: usize = 512;

/// The stack a patch is applied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    /// An ordinary thread stack (a tokio worker's 2 MiB): documents nested at most
    /// `SMALL_STACK_DEPTH` levels.
    Small,
    /// A stack large enough for documents nested up to Go's limit ([`LARGE_STACK_BYTES`]).
    Large,
}

/// The stack size a [`Stack::Large`] patch needs, with a wide margin (debug builds included).
pub const LARGE_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Why [`apply`] gave no document.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The answer to send.
    Api(ApiError),
    /// The patch nests the document deeper than a [`Stack::Small`] allows: apply it again (and
    /// handle the result) with [`Stack::Large`].
    NeedsLargeStack,
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

/// Applies `body` (the raw patch) of type `kind` to `doc` and returns the patched document, which
/// nests no deeper than `stack` allows.
pub fn apply(
    kind: PatchType,
    type_name: &str,
    doc: &Value,
    body: &[u8],
    stack: Stack,
) -> Result<Value, Failure> {
    match kind {
        PatchType::Json => apply_json_patch(doc, body, stack),
        PatchType::Merge => {
            // evanphx/json-patch's MergePatch: a patch that is `null`, or neither an object nor an
            // array (a scalar), is errBadJSONPatch, which kube-apiserver sends as a reason-less 500.
            let patch =
                parse_go_json(body).map_err(|_| ApiError::internal("Invalid JSON Patch"))?;
            match patch {
                Value::Object(_) => {
                    let mut out = doc.clone();
                    json_patch::merge(&mut out, &patch);
                    Ok(out)
                }
                // An array replaces the document (which then fails to decode).
                Value::Array(_) => Ok(prune_nulls(patch)),
                _ => Err(ApiError::internal("Invalid JSON Patch").into()),
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
            let patch = match patch {
                Value::Object(patch) => patch,
                // Go unmarshals `null` into a map as a nil map: an empty patch.
                Value::Null => Map::new(),
                other => {
                    return Err(ApiError::bad_request(format!(
                        "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                        go_type_name(&other)
                    ))
                    .into());
                }
            };
            let mut out = doc.clone();
            let ctx = schema::type_named(type_name).and_then(|t| match t.shape() {
                schema::Shape::Struct(s) => Some(s),
                _ => None,
            });
            strategic_merge(&mut out, &patch, ctx)?;
            Ok(out)
        }
    }
}

fn apply_json_patch(doc: &Value, body: &[u8], stack: Stack) -> Result<Value, Failure> {
    if body.len() > JSON_PATCH_PRECHECK_BYTES {
        precheck_large_json_patch(body)?;
    }
    let raw = parse_go_json(body).map_err(ApiError::bad_request)?;
    let items = match raw {
        // Go decodes `null` into a nil jsonpatch.Patch: no operations.
        Value::Null => Vec::new(),
        Value::Array(items) => items,
        other => {
            return Err(ApiError::bad_request(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                go_type_name(&other)
            ))
            .into());
        }
    };
    // A `null` operation decodes (as a nil map); it fails when it is applied.
    if let Some(bad) = items.iter().find(|i| !i.is_object() && !i.is_null()) {
        return Err(ApiError::bad_request(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
            go_type_name(bad)
        ))
        .into());
    }
    if items.len() > MAX_JSON_PATCH_OPERATIONS {
        return Err(ApiError::entity_too_large(format!(
            "The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {}",
            items.len()
        ))
        .into());
    }
    let mut out = doc.clone();
    let mut nesting = Nesting {
        deepest: go_depth(&out),
        limit: match stack {
            Stack::Small => SMALL_STACK_DEPTH,
            Stack::Large => GO_MAX_DEPTH + 1,
        },
        stack,
    };
    let mut copied = 0usize;
    for item in items {
        // Well-formed JSON but not a valid operation (unknown op, missing path, `null`): the real
        // server only finds out when it gets to it, and answers 422.
        let op: PatchOperation =
            serde_json::from_value(item).map_err(|_| ApiError::patch_rejected())?;
        // Nothing is changed before the operation is known to stay within the limits.
        match &op {
            PatchOperation::Add(a) => nesting.place(segments(&a.path), go_depth(&a.value))?,
            PatchOperation::Replace(r) => nesting.place(segments(&r.path), go_depth(&r.value))?,
            PatchOperation::Move(m) => {
                // The moved value is no deeper than the document below `from`; measure it only
                // when that bound is not enough.
                let (to, from) = (segments(&m.path), segments(&m.from));
                let bound = nesting.deepest.saturating_sub(from);
                if to + bound > nesting.limit {
                    let moved = out.pointer(m.from.as_str()).map_or(0, go_depth);
                    nesting.place(to, moved)?;
                }
            }
            PatchOperation::Copy(c) => {
                // evanphx/json-patch counts the bytes of each copied value as Go marshals it, and
                // fails the patch once the total exceeds the limit: measured before copying, so
                // a patch of doubling copies cannot make the server allocate more than the limit.
                let source = out
                    .pointer(c.from.as_str())
                    .ok_or_else(ApiError::patch_rejected)?;
                let (size, depth) = go_size_and_depth(source, MAX_JSON_PATCH_COPY_BYTES - copied)
                    .ok_or_else(ApiError::patch_rejected)?;
                copied += size;
                nesting.place(segments(&c.path), depth)?;
            }
            PatchOperation::Remove(_) | PatchOperation::Test(_) => {}
        }
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

/// kube-apiserver's sanity check of a JSON Patch over 1 MiB: a `json.Decoder` reads its first value
/// into `[]interface{}` (trailing bytes are left to the real decoding).
fn precheck_large_json_patch(body: &[u8]) -> Result<(), ApiError> {
    let prefixed = |why: String| ApiError::bad_request(format!("error decoding patch: {why}"));
    let first = serde_json::Deserializer::from_slice(body)
        .into_iter::<Value>()
        .next();
    match first {
        None => Err(prefixed("EOF".into())),
        Some(Err(e)) if e.is_eof() => Err(prefixed("unexpected EOF".into())),
        Some(Err(e)) => Err(prefixed(go_json_error(body, &e))),
        Some(Ok(Value::Array(_) | Value::Null)) => Ok(()),
        Some(Ok(other)) => Err(prefixed(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            go_type_name(&other)
        ))),
    }
}

/// How deep a JSON Patch has nested the document so far, against the limit of its stack.
///
/// Depths count as Go's JSON scanner does: a scalar is 0, a container one more than its deepest
/// member, so the pod itself is at least 1 and a value placed at a path of `n` segments adds `n`.
struct Nesting {
    /// No part of the document is deeper than this.
    deepest: usize,
    limit: usize,
    stack: Stack,
}

impl Nesting {
    /// Accounts for a value `depth` deep placed at a path of `segments` segments.
    fn place(&mut self, segments: usize, depth: usize) -> Result<(), Failure> {
        let reached = segments + depth;
        if reached > self.limit {
            return Err(match self.stack {
                Stack::Small => Failure::NeedsLargeStack,
                // evanphx/json-patch fails to marshal (or to parse again) a member nested deeper
                // than Go allows: the patch cannot be applied.
                Stack::Large => Failure::Api(ApiError::patch_rejected()),
            });
        }
        self.deepest = self.deepest.max(reached);
        Ok(())
    }
}

/// The number of reference tokens of a JSON pointer (`""` has none, `/a/b` two).
fn segments(pointer: &json_patch::jsonptr::Pointer) -> usize {
    pointer.as_str().bytes().filter(|&b| b == b'/').count()
}

/// The nesting depth of `v` as Go's JSON scanner counts it: 0 for a scalar, 1 for `[]` or `{}`, one
/// more for each level inside. Iterative, so any value is safe to measure.
pub fn go_depth(v: &Value) -> usize {
    let mut deepest = 0;
    let mut todo: Vec<(&Value, usize)> = vec![(v, 1)];
    while let Some((v, depth)) = todo.pop() {
        match v {
            Value::Array(a) => {
                deepest = deepest.max(depth);
                todo.extend(a.iter().map(|x| (x, depth + 1)));
            }
            Value::Object(o) => {
                deepest = deepest.max(depth);
                todo.extend(o.values().map(|x| (x, depth + 1)));
            }
            _ => {}
        }
    }
    deepest
}

/// The opening character of the first container (in the order of [`sorted_json`]) nested deeper
/// than `limit`, where Go's scanner stops with `invalid character '[' exceeded max depth`.
pub fn first_too_deep(v: &Value, limit: usize) -> Option<char> {
    let mut todo: Vec<(&Value, usize)> = vec![(v, 1)];
    while let Some((v, depth)) = todo.pop() {
        match v {
            Value::Array(_) | Value::Object(_) if depth > limit => {
                return Some(if v.is_array() { '[' } else { '{' });
            }
            Value::Array(a) => todo.extend(a.iter().rev().map(|x| (x, depth + 1))),
            Value::Object(o) => {
                let mut keys: Vec<&String> = o.keys().collect();
                keys.sort_unstable_by(|a, b| b.cmp(a));
                todo.extend(keys.into_iter().map(|k| (&o[k], depth + 1)));
            }
            _ => {}
        }
    }
    None
}

/// The length of `v` as Go's `json.Marshal` writes it (compact, `<`, `>`, `&`, U+2028 and U+2029
/// escaped as `\u003c` ...), and its [`go_depth`]; `None` as soon as the length exceeds `budget`,
/// so measuring costs no more than the budget. Iterative.
///
/// evanphx/json-patch measures a copied value as `json.Marshal` compacts its raw text, so a string
/// or number that comes unchanged from the patch itself counts as it was spelled there: an escape
/// Go would not write (`\u00e9`, `\/`) or a number such as `1e3` counts a few bytes more in
/// kube-apiserver than here.
fn go_size_and_depth(v: &Value, budget: usize) -> Option<(usize, usize)> {
    let mut size = 0usize;
    let mut deepest = 0;
    let mut todo: Vec<(&Value, usize)> = vec![(v, 1)];
    while let Some((v, depth)) = todo.pop() {
        size += match v {
            Value::Null | Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(n) => n.to_string().len(),
            Value::String(s) => go_string_len(s),
            Value::Array(a) => {
                deepest = deepest.max(depth);
                todo.extend(a.iter().map(|x| (x, depth + 1)));
                2 + a.len().saturating_sub(1)
            }
            Value::Object(o) => {
                deepest = deepest.max(depth);
                todo.extend(o.values().map(|x| (x, depth + 1)));
                // Braces, commas, and each key with its colon.
                2 + o.len().saturating_sub(1)
                    + o.keys().map(|k| go_string_len(k) + 1).sum::<usize>()
            }
        };
        if size > budget {
            return None;
        }
    }
    Some((size, deepest))
}

/// The length of a JSON string as Go's encoding/json (go1.19) writes it, quotes included.
fn go_string_len(s: &str) -> usize {
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' => 2,
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        })
        .sum::<usize>()
}

/// True if `pointer` names a member that an existing object lacks.
fn missing_member_of_object(doc: &Value, pointer: &str) -> bool {
    let Some((parent, key)) = crate::json_pointer::split_last(pointer) else {
        return false;
    };
    matches!(doc.pointer(parent), Some(Value::Object(m)) if !m.contains_key(key.as_ref()))
}

/// Parses JSON, describing a failure the way Go's encoding/json does.
pub fn parse_go_json(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|e| go_json_error(body, &e))
}

const EOF_MESSAGE: &str = "unexpected end of JSON input";

/// The byte at a 1-based line and column (serde_json's error position).
fn byte_at(body: &[u8], line: usize, column: usize) -> Option<u8> {
    let (mut l, mut c) = (1, 0);
    for b in body {
        if *b == b'\n' {
            l += 1;
            c = 0;
        } else {
            c += 1;
        }
        if l == line && c == column {
            return Some(*b);
        }
    }
    None
}

/// Go's wording for a JSON syntax error.
pub fn go_json_error(body: &[u8], e: &serde_json::Error) -> String {
    if e.is_eof() {
        return EOF_MESSAGE.to_string();
    }
    if e.to_string().starts_with("recursion limit exceeded") {
        // Go names the bracket that goes one level too deep: the one at the error's position.
        let c = byte_at(body, e.line(), e.column())
            .filter(|c| matches!(c, b'{' | b'['))
            .unwrap_or(b'[');
        return format!("invalid character '{}' exceeded max depth", c as char);
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
    super::schema::sorted_keys(v).to_string()
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

/// Where in the object we are: the struct type of the map being merged (`None` where the schema
/// knows no struct, e.g. inside a map of strings), for the patch strategy of the fields below.
type Ctx = Option<schema::Struct>;

/// How a list field is patched.
enum ListStrategy {
    /// Replaced whole (no `patchStrategy` tag).
    Replace,
    /// `patchStrategy:"merge"` on a list of scalars: union.
    MergeScalars,
    /// `patchStrategy:"merge" patchMergeKey:"key"`: elements merged by key.
    MergeByKey(&'static str, Ctx),
}

/// The struct a field of `ctx` holds (through pointers), if any.
fn child_ctx(ctx: Ctx, field: &str) -> Ctx {
    match ctx?.field(field)?.ty().shape() {
        schema::Shape::Struct(s) => Some(s),
        _ => None,
    }
}

/// The patch strategy of a list field, from the `patchStrategy`/`patchMergeKey` tags of the
/// Kubernetes v1.20 Go types (the generated schema).
fn list_strategy(ctx: Ctx, field: &str) -> ListStrategy {
    let Some(f) = ctx.and_then(|c| c.field(field)) else {
        return ListStrategy::Replace;
    };
    if !f.patch_strategy().split(',').any(|s| s == "merge") {
        return ListStrategy::Replace;
    }
    match f.merge_key() {
        Some(key) => {
            let elem = match f.ty().shape() {
                schema::Shape::List(e) => match e.shape() {
                    schema::Shape::Struct(s) => Some(s),
                    _ => None,
                },
                _ => None,
            };
            ListStrategy::MergeByKey(key, elem)
        }
        None => ListStrategy::MergeScalars,
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
mod depth_tests {
    use super::*;

    #[test]
    fn too_deep_json_names_the_bracket_that_goes_too_deep() {
        let objects = format!("{}{}", "{\"a\":".repeat(200), "1");
        let e = serde_json::from_slice::<Value>(objects.as_bytes()).unwrap_err();
        assert_eq!(
            go_json_error(objects.as_bytes(), &e),
            "invalid character '{' exceeded max depth"
        );
        let arrays = "[".repeat(200);
        let e = serde_json::from_slice::<Value>(arrays.as_bytes()).unwrap_err();
        assert_eq!(
            go_json_error(arrays.as_bytes(), &e),
            "invalid character '[' exceeded max depth"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// [`super::apply`] on an ordinary stack, for patches that keep the document shallow.
    fn apply(kind: PatchType, doc: &Value, body: &[u8]) -> Result<Value, ApiError> {
        super::apply(kind, "Pod", doc, body, Stack::Small).map_err(|f| match f {
            Failure::Api(e) => e,
            Failure::NeedsLargeStack => panic!("the patch needs a large stack"),
        })
    }

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
        // Checked with curl against kube-apiserver v1.20.2 (PATCH pods/NAME/status, strategic
        // merge patch; recordings 63 and 63b show the same): the patched condition is merged in
        // place (its other fields kept), the untouched ones survive, a new type goes first.
        let mut pod = pod();
        pod["status"]["conditions"] = json!([
            {"type": "Initialized", "status": "True"},
            {"type": "Ready", "status": "False", "reason": "Probe"},
            {"type": "PodScheduled", "status": "True"}
        ]);
        let patch = |pod: &Value, patch: Value| {
            apply(PatchType::Strategic, pod, patch.to_string().as_bytes()).unwrap()
        };
        let out = patch(
            &pod,
            json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}}),
        );
        assert_eq!(
            out["status"]["conditions"],
            json!([
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "True", "reason": "Probe"},
                {"type": "PodScheduled", "status": "True"}
            ])
        );
        let out = patch(
            &out,
            json!({"status": {"conditions": [
                {"type": "ContainersReady", "status": "True"},
                {"type": "PodScheduled", "status": "False"}
            ]}}),
        );
        assert_eq!(
            out["status"]["conditions"],
            json!([
                {"type": "ContainersReady", "status": "True"},
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "True", "reason": "Probe"},
                {"type": "PodScheduled", "status": "False"}
            ])
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
    fn copied_values_are_measured_as_go_marshals_them() {
        let plain = json!({"a": [1, "x", null, true, false, {}, -2.5], "b": {"c": ""}});
        assert_eq!(
            go_size_and_depth(&plain, usize::MAX),
            Some((plain.to_string().len(), 3))
        );
        // `<`, `>`, `&`, U+2028, U+2029 and control characters other than \n, \r, \t take 6 bytes.
        let escaped = json!("<>&\u{2028}\u{2029}\u{1}\n\"\\é");
        assert_eq!(
            go_size_and_depth(&escaped, usize::MAX),
            Some((2 + 6 * 6 + 2 + 2 + 2 + 2, 0))
        );
        let size = plain.to_string().len();
        assert!(go_size_and_depth(&plain, size).is_some());
        assert_eq!(go_size_and_depth(&plain, size - 1), None);
    }

    #[test]
    fn json_patch_copies_share_one_budget() {
        let value = "a".repeat(MAX_JSON_PATCH_COPY_BYTES / 4 - 2);
        let patch =
            |copies: usize| {
                let mut ops = vec![json!({"op": "add", "path": "/spec/v", "value": value})];
                ops.extend((0..copies).map(
                    |i| json!({"op": "copy", "from": "/spec/v", "path": format!("/spec/c{i}")}),
                ));
                Value::Array(ops).to_string()
            };
        apply(PatchType::Json, &pod(), patch(4).as_bytes()).unwrap();
        let err = apply(PatchType::Json, &pod(), patch(5).as_bytes()).unwrap_err();
        assert_eq!(err, ApiError::patch_rejected());
    }

    #[test]
    fn deep_json_patches_ask_for_a_large_stack_and_stop_at_go_limit() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        // `/spec/x` holds 100 levels, then 100 more are added at its deepest array, ...
        let deepening = |steps: usize| {
            let ops: Vec<String> = (0..steps)
                .map(|i| {
                    let path = if i == 0 {
                        "/spec/x".to_string()
                    } else {
                        format!("/spec/x{}/-", "/0".repeat(100 * i - 1))
                    };
                    format!(r#"{{"op":"add","path":"{path}","value":{}}}"#, nested(100))
                })
                .collect();
            format!("[{}]", ops.join(","))
        };
        let shallow = deepening(5);
        super::apply(
            PatchType::Json,
            "Pod",
            &pod(),
            shallow.as_bytes(),
            Stack::Small,
        )
        .unwrap();
        let deep = deepening(6);
        assert_eq!(
            super::apply(
                PatchType::Json,
                "Pod",
                &pod(),
                deep.as_bytes(),
                Stack::Small
            ),
            Err(Failure::NeedsLargeStack)
        );
        // 602 levels are still within what the test thread's stack can walk.
        let out = super::apply(
            PatchType::Json,
            "Pod",
            &pod(),
            deep.as_bytes(),
            Stack::Large,
        )
        .unwrap();
        assert_eq!(go_depth(&out), 2 + 600);
        assert_eq!(first_too_deep(&out, 602), None);
        assert_eq!(first_too_deep(&out, 601), Some('['));
    }

    #[test]
    fn null_patches() {
        assert_eq!(apply(PatchType::Json, &pod(), b"null").unwrap(), pod());
        assert_eq!(
            apply(PatchType::Strategic, &pod(), b" null ").unwrap(),
            pod()
        );
        let err = apply(PatchType::Merge, &pod(), b"null").unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (500, "Invalid JSON Patch")
        );
        let err = apply(PatchType::Json, &pod(), b"[null]").unwrap_err();
        assert_eq!(err, ApiError::patch_rejected());
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
