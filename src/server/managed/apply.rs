//! Server-side apply: `FieldManager.Apply` of kube-apiserver v1.20 over structured-merge-diff
//! v4.0.2's `Updater.Apply`, on the same field sets as the `Update` operations of the parent module.
//!
//! The steps, as the real chain of managers takes them:
//!
//! 1. The applied configuration is checked: its `apiVersion` must be the URL's, it may not carry
//!    `metadata.managedFields`, its `kind` must be the URL's, and it must fit the schema (every
//!    field declared, scalars of the right kind, list items with their keys, no duplicate keys).
//! 2. The live object's entries are decoded; an existing object without any gets a
//!    `before-first-apply` `Update` entry owning all of it first (`skipNonAppliedManager`). The
//!    entries are reconciled with the schema as for an update.
//! 3. The configuration is merged into the live object (`TypedValue.Merge`): scalars and atomic
//!    values are replaced, maps and structs merged key by key, associative lists item by item (live
//!    items in their order, new ones after them in the configuration's order).
//! 4. The applier's set becomes the configuration's field set (`ToFieldSet`); what it applied
//!    before and no longer applies is pruned from the merged object unless another manager owns
//!    it (`prune`, `addBackOwnedItems`, `addBackDanglingItems`).
//! 5. The live and merged objects are compared: the fields of other managers that the apply
//!    changes are conflicts (409 unless forced; forced, they move to the applier), fields it
//!    removes are no longer anybody's.
//! 6. The applier's system fields are stripped (`stripMetaManager`) and its entry's time is set if
//!    the object or any set changed (`managedFieldsUpdater`).

use super::{
    Entry, Fields, ListKind, Pe, Set, Side, TypeRef, atomic_struct, decode_entries, item_pe,
    reconcile_entries, sort_entries, strip_system_fields,
};
use crate::server::schema::{self, Shape};
use crate::server::status::{ApiError, Cause};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::fmt::Write as _;

/// The manager that owns an object's fields written before its first apply.
const BEFORE_FIRST_APPLY: &str = "before-first-apply";

/// The outcome of an apply: the object to write (merged and pruned, not yet defaulted, without
/// managedFields) and its managedFields.
#[derive(Debug)]
pub struct Applied {
    pub object: Value,
    pub managed_fields: Option<Value>,
}

/// What an apply is asked to do.
pub struct ApplyRequest<'a> {
    /// The schema type (`Pod`, `Deployment`, `networking.k8s.io/v1.Ingress`).
    pub type_name: &'a str,
    /// The URL's kind and group/version (`Deployment`, `apps/v1`).
    pub kind: &'a str,
    pub api_version: &'a str,
    /// The stored object; `None` when the apply creates it.
    pub live: Option<&'a Value>,
    /// The applied configuration, as decoded from YAML.
    pub config: &'a Value,
    pub manager: &'a str,
    pub force: bool,
    pub now: &'a str,
}

/// Applies a configuration; the errors are the real server's (400 for a wrong version or
/// managedFields, 500 for a configuration the schema rejects, 409 for conflicts).
pub fn apply(req: &ApplyRequest) -> Result<Applied, ApiError> {
    let Some(ty) = schema::type_named(req.type_name) else {
        return Err(ApiError::internal(format!(
            "no corresponding type for {}",
            req.type_name
        )));
    };
    let root = TypeRef {
        ty,
        list: ListKind::Atomic,
    };
    let config = req.config;
    let patch_version = config
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if patch_version != req.api_version {
        return Err(ApiError::bad_request(format!(
            "Incorrect version specified in apply patch. Specified patch version: {patch_version}, expected: {}",
            req.api_version
        )));
    }
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|v| !v.is_null())
    {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    // The configuration is typed by its own kind first (`ObjectToTyped`), then merged into the
    // live object, which fails for another kind.
    let patch_kind = config.get("kind").and_then(Value::as_str).unwrap_or("");
    let patch_root = if patch_kind == req.kind {
        root
    } else {
        let (group, version) = crate::kinds::split_api_version(req.api_version);
        let ty = schema::type_for(group, version, patch_kind)
            .filter(|_| !patch_kind.is_empty())
            .and_then(schema::type_named)
            .ok_or_else(|| {
                ApiError::internal(format!(
                    "failed to create typed patch object: no corresponding type for {group}/{version}, Kind={patch_kind}"
                ))
            })?;
        TypeRef {
            ty,
            list: ListKind::Atomic,
        }
    };
    let errors = validate(patch_root, config);
    if !errors.is_empty() {
        return Err(ApiError::internal(format!(
            "failed to create typed patch object: {}",
            join_errors(&errors)
        )));
    }
    if patch_kind != req.kind {
        // The real message shows two Go pointers.
        return Err(ApiError::internal(
            "failed to merge config: expected objects of the same type, but got {0xc000000000 {<nil> <nil> <nil>}} and {0xc000000001 {<nil> <nil> <nil>}}",
        ));
    }

    let empty = Value::Object(Map::new());
    let mut live = req.live.unwrap_or(&empty).clone();
    let live_fields = live
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .and_then(|m| m.shift_remove("managedFields"));
    let mut entries = decode_entries(live_fields, false)
        .map_err(|()| ApiError::internal("failed to decode managed fields"))?;
    if entries.is_empty() && req.live.is_some() {
        // `skipNonAppliedManager`: what the object has is owned by a manager of its own first.
        let fields = super::update(
            req.type_name,
            None,
            &mut live.clone(),
            BEFORE_FIRST_APPLY,
            req.now,
        );
        entries = decode_entries(fields, false).unwrap_or_default();
    }
    let former = fingerprint(&mut entries);
    if !reconcile_entries(
        root,
        req.kind,
        req.api_version,
        &mut entries,
        Side::Val(&live),
    ) {
        return Err(ApiError::internal(
            "failed to reconcile managed fields with the schema",
        ));
    }

    let merged = merge(root, Some(&live), Some(config)).unwrap_or_else(|| empty.clone());
    let applied = field_set(root, config);
    let at = entries
        .iter()
        .position(|e| e.is(req.manager, "Apply", req.api_version));
    let last = at.map(|i| entries[i].set().clone());
    let i = match at {
        Some(i) => {
            entries[i].fields = Fields::Parsed(applied);
            entries[i].api_version = req.api_version.to_string();
            i
        }
        None => {
            entries.push(Entry {
                manager: req.manager.to_string(),
                operation: "Apply".to_string(),
                api_version: req.api_version.to_string(),
                time: None,
                fields: Fields::Parsed(applied),
            });
            entries.len() - 1
        }
    };
    let new = match &last {
        Some(last) if !last.is_empty() => prune(root, merged, &mut entries, last),
        _ => merged,
    };

    let mut differ = super::Differ {
        error: false,
        full: false,
    };
    let (mut changed, mut removed) = (Set::default(), Set::default());
    differ.walk(
        root,
        Side::Val(&live),
        Side::Val(&new),
        &mut changed,
        &mut removed,
    );
    if differ.error {
        return Err(ApiError::internal(
            "failed to compare objects: duplicate or missing list keys",
        ));
    }
    // A field the configuration sets to null is modified, not removed, for the comparison of
    // unstructured values (Go's encoding leaves it out).
    let nulled = intersection(&null_paths(root, config), &removed);
    if !nulled.is_empty() {
        removed.subtract(&nulled);
        changed.union(nulled);
    }
    let mut conflicts: Vec<(String, String, Set)> = Vec::new();
    for (j, e) in entries.iter_mut().enumerate() {
        if j == i {
            continue;
        }
        let c = intersection(e.set(), &changed);
        if !c.is_empty() {
            conflicts.push((e.identifier(), shown_manager(e), c));
        }
    }
    if !req.force && !conflicts.is_empty() {
        // `lastAppliedManager`: kubectl may take over the fields its client-side apply set, as
        // long as the object still has them as the last-applied annotation says.
        let allowed = (req.manager == "kubectl")
            .then(|| allowed_by_last_applied(root, req.api_version, &live))
            .flatten();
        let Some(allowed) = allowed else {
            return Err(conflict_error(conflicts));
        };
        let remaining: Vec<(String, String, Set)> = conflicts
            .iter()
            .map(|(id, shown, set)| (id.clone(), shown.clone(), difference(set, &allowed)))
            .filter(|(_, _, set)| !set.is_empty())
            .collect();
        if !remaining.is_empty() {
            return Err(conflict_error(remaining));
        }
    }
    for (j, e) in entries.iter_mut().enumerate() {
        if j == i {
            continue;
        }
        let id = e.identifier();
        let set = e.set();
        if let Some((_, _, c)) = conflicts.iter().find(|(cid, _, _)| *cid == id) {
            set.subtract(c);
        }
        set.subtract(&removed);
    }
    strip_system_fields(entries[i].set());
    let same = changed.is_empty() && removed.is_empty();
    let applier = entries[i].manager.clone();
    entries.retain(|e| !e.is_empty());
    if (!same || fingerprint(&mut entries) != former)
        && let Some(e) = entries
            .iter_mut()
            .find(|e| e.is(&applier, "Apply", req.api_version))
    {
        e.time = Some(req.now.to_string());
    }
    sort_entries(&mut entries);
    let managed_fields = (!entries.is_empty())
        .then(|| Value::Array(entries.into_iter().map(super::Entry::into_value).collect()));
    let mut object = if same { live } else { new };
    if req.manager == "kubectl" {
        sync_last_applied(&mut object, config);
    }
    Ok(Applied {
        object,
        managed_fields,
    })
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The fields of kubectl's last-applied annotation that the live object still has as it says
/// (`allowedConflictsFromLastApplied`); `None` without a usable annotation.
fn allowed_by_last_applied(root: TypeRef, api_version: &str, live: &Value) -> Option<Set> {
    let text = live
        .pointer("/metadata/annotations")?
        .get(LAST_APPLIED)?
        .as_str()
        .filter(|t| !t.is_empty())?;
    let last: Value = serde_json::from_str(text).ok()?;
    if !last.is_object() || last.get("apiVersion").and_then(Value::as_str) != Some(api_version) {
        return None;
    }
    if !validate(root, &last).is_empty() {
        return None;
    }
    let set = field_set(root, &last);
    let mut differ = super::Differ {
        error: false,
        full: false,
    };
    let (mut changed, mut removed) = (Set::default(), Set::default());
    differ.walk(
        root,
        Side::Val(&last),
        Side::Val(live),
        &mut changed,
        &mut removed,
    );
    if differ.error {
        return None;
    }
    let mut set = difference(&set, &changed);
    set.subtract(&removed);
    Some(set)
}

/// `lastAppliedUpdater`: an apply by `kubectl` of an object that has kubectl's client-side
/// last-applied annotation writes the configuration into it (without the annotation itself).
fn sync_last_applied(object: &mut Value, config: &Value) {
    let Some(annotation) = object
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
        .and_then(|a| a.get_mut(LAST_APPLIED))
    else {
        return;
    };
    let mut applied = config.clone();
    if let Some(a) = applied
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        a.shift_remove(LAST_APPLIED);
    }
    let mut text = String::new();
    super::write_json(&applied, &mut text);
    text.push('\n');
    *annotation = Value::String(text);
}

/// The paths the configuration sets to null.
fn null_paths(tr: TypeRef, v: &Value) -> Set {
    let mut set = Set::default();
    match tr.ty.shape() {
        Shape::Struct(s) if !atomic_struct(s) => {
            for (k, child) in v.as_object().into_iter().flatten() {
                let Some(f) = s.field(k) else { continue };
                let mut sub = null_paths(TypeRef::field(f), child);
                sub.member |= child.is_null();
                set.push(Pe::Field(k.clone()), sub);
            }
        }
        Shape::Map(elem) => {
            for (k, child) in v.as_object().into_iter().flatten() {
                let mut sub = null_paths(TypeRef::of(elem), child);
                sub.member |= child.is_null();
                set.push(Pe::Field(k.clone()), sub);
            }
        }
        Shape::List(elem) if tr.list != ListKind::Atomic => {
            for item in v.as_array().into_iter().flatten() {
                if let Some(pe) = any_item_pe(tr.list, elem, item) {
                    let sub = null_paths(TypeRef::of(elem), item);
                    if !sub.is_empty() {
                        set.entry(pe).union(sub);
                    }
                }
            }
        }
        _ => {}
    }
    set.sort();
    set
}

/// The entries as comparable values (identifier and set), to tell whether any set changed.
fn fingerprint(entries: &mut [Entry]) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = entries
        .iter_mut()
        .map(|e| (e.identifier(), e.set().to_fields_v1()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// `printManager`: an updater with its API version, an applier by name.
fn shown_manager(e: &Entry) -> String {
    let mut out = String::new();
    super::write_json_str(&e.manager, &mut out);
    // Go's %q, not JSON: the same for the printable names managers have.
    if e.operation == "Update" {
        let _ = write!(out, " using {}", e.api_version);
    }
    out
}

/// The 409 of `NewConflictError`.
fn conflict_error(mut conflicts: Vec<(String, String, Set)>) -> ApiError {
    conflicts.sort_by(|a, b| a.0.cmp(&b.0));
    let mut causes = Vec::new();
    let mut by_manager: Vec<(String, Vec<String>)> = Vec::new();
    for (_, shown, set) in &conflicts {
        let mut paths = Vec::new();
        set.paths(&mut String::new(), &mut paths);
        for p in &paths {
            causes.push(Cause {
                reason: "FieldManagerConflict",
                message: format!("conflict with {shown}"),
                field: p.clone(),
            });
        }
        by_manager.push((shown.clone(), paths));
    }
    let message = if causes.len() == 1 {
        format!(
            "Apply failed with 1 conflict: {}: {}",
            causes[0].message, causes[0].field
        )
    } else {
        let mut lines = Vec::new();
        for (shown, paths) in &by_manager {
            lines.push(format!("conflicts with {shown}:"));
            lines.extend(paths.iter().map(|p| format!("- {p}")));
        }
        format!(
            "Apply failed with {} conflicts: {}",
            causes.len(),
            lines.join("\n")
        )
    };
    ApiError::apply_conflict(message, causes)
}

impl Set {
    /// `Set.Iterate` as path strings (`.spec.replicas`, `.spec.containers[name="c"].image`): the
    /// members of a node first, then what is below each child.
    fn paths(&self, prefix: &mut String, out: &mut Vec<String>) {
        for (pe, child) in &self.children {
            if child.member {
                out.push(format!("{prefix}{}", pe.to_path_string()));
            }
        }
        for (pe, child) in &self.children {
            if !child.children.is_empty() {
                let len = prefix.len();
                prefix.push_str(&pe.to_path_string());
                child.paths(prefix, out);
                prefix.truncate(len);
            }
        }
    }
}

impl Pe {
    /// `PathElement.String`.
    fn to_path_string(&self) -> String {
        match self {
            Pe::Field(name) => format!(".{name}"),
            Pe::Key(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", value_string(v)))
                    .collect();
                format!("[{}]", parts.join(","))
            }
            Pe::Value(v) => format!("[={}]", value_string(v)),
            Pe::Index(i) => format!("[{i}]"),
        }
    }
}

/// `value.ToString`.
fn value_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(value_string).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", value_string(v)))
            .collect(),
        other => other.to_string(),
    }
}

/// The paths in both sets.
fn intersection(a: &Set, b: &Set) -> Set {
    let mut out = Set {
        member: a.member && b.member,
        children: Vec::new(),
    };
    for (pe, child) in &a.children {
        if let Some(other) = b.get(pe) {
            let c = intersection(child, other);
            if !c.is_empty() {
                out.children.push((pe.clone(), c));
            }
        }
    }
    out
}

/// The paths of `a` that are not in `b` (a copy, [`Set::subtract`] in place).
fn difference(a: &Set, b: &Set) -> Set {
    let mut out = a.clone();
    out.subtract(b);
    out
}

// ---------------------------------------------------------------------------------------------------
// Validation of the configuration

/// The validation errors of the configuration (`path: message`), as structured-merge-diff's
/// `ObjectToTyped` finds them.
fn validate(root: TypeRef, config: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    validate_at(root, config, &mut String::new(), &mut errors);
    errors
}

fn validate_at(tr: TypeRef, v: &Value, path: &mut String, errors: &mut Vec<String>) {
    if v.is_null() {
        return;
    }
    let at = |path: &str, msg: String| {
        if path.is_empty() {
            msg
        } else {
            format!("{path}: {msg}")
        }
    };
    match tr.ty.shape() {
        Shape::Scalar => {
            let bad = match tr.ty.scalar_kind() {
                Some("string") if !v.is_string() => {
                    Some(format!("expected string, got {}", go_value(v)))
                }
                Some("numeric") if !v.is_number() => Some(
                    "expected numeric (int or float), got *value.valueUnstructured".to_string(),
                ),
                Some("boolean") if !v.is_boolean() => {
                    Some(format!("expected boolean, got &{{{}}}", go_v(v)))
                }
                _ if v.is_object() || v.is_array() => {
                    Some(format!("expected string, got {}", go_value(v)))
                }
                _ => None,
            };
            if let Some(msg) = bad {
                errors.push(at(path, msg));
            }
        }
        Shape::Struct(s) => {
            let Value::Object(m) = v else {
                errors.push(at(path, format!("expected map, got &{{{}}}", go_v(v))));
                return;
            };
            for (k, child) in m {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                match s.field(k) {
                    Some(f) => validate_at(TypeRef::field(f), child, path, errors),
                    None => {
                        errors.push(at(path, "field not declared in schema".into()));
                        path.truncate(len);
                        return;
                    }
                }
                path.truncate(len);
            }
        }
        Shape::Map(elem) => {
            let Value::Object(m) = v else {
                errors.push(at(path, format!("expected map, got &{{{}}}", go_v(v))));
                return;
            };
            for (k, child) in m {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                validate_at(TypeRef::of(elem), child, path, errors);
                path.truncate(len);
            }
        }
        Shape::List(elem) => {
            let Value::Array(items) = v else {
                errors.push(at(path, format!("expected list, got &{{{}}}", go_v(v))));
                return;
            };
            let mut seen: Vec<Pe> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let pe = if tr.list == ListKind::Atomic {
                    Pe::Index(i as i64)
                } else {
                    match config_item_pe(tr.list, elem, item) {
                        Ok(pe) => pe,
                        Err(why) => {
                            errors.push(at(path, format!("element {i}: {why}")));
                            return;
                        }
                    }
                };
                if tr.list != ListKind::Atomic {
                    if seen.iter().any(|p| p.cmp(&pe) == Ordering::Equal) {
                        errors.push(at(
                            path,
                            format!("duplicate entries for key {}", pe.to_path_string()),
                        ));
                    }
                    seen.push(pe.clone());
                }
                let len = path.len();
                path.push_str(&pe.to_path_string());
                validate_at(TypeRef::of(elem), item, path, errors);
                path.truncate(len);
            }
        }
    }
}

/// `%#v` of a `*value.valueUnstructured` holding `v`.
fn go_value(v: &Value) -> String {
    format!("&value.valueUnstructured{{Value:{}}}", go_sharp_v(v))
}

/// Go's `%v` of a decoded JSON value (`interface{}`).
fn go_v(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(go_v).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Object(m) => {
            let mut parts: Vec<(&String, String)> = m.iter().map(|(k, v)| (k, go_v(v))).collect();
            parts.sort();
            let parts: Vec<String> = parts.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("map[{}]", parts.join(" "))
        }
        other => other.to_string(),
    }
}

/// Go's `%#v` of a decoded JSON value (`interface{}`).
fn go_sharp_v(v: &Value) -> String {
    match v {
        Value::Null => "interface {}(nil)".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(go_sharp_v).collect();
            format!("[]interface {{}}{{{}}}", parts.join(", "))
        }
        Value::Object(m) => {
            let mut parts: Vec<(&String, String)> =
                m.iter().map(|(k, v)| (k, go_sharp_v(v))).collect();
            parts.sort();
            let parts: Vec<String> = parts
                .into_iter()
                .map(|(k, v)| format!("{k:?}:{v}"))
                .collect();
            format!("map[string]interface {{}}{{{}}}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

fn join_errors(errors: &[String]) -> String {
    if errors.len() == 1 {
        return errors[0].clone();
    }
    let mut lines = vec!["errors:".to_string()];
    lines.extend(errors.iter().map(|e| format!("  {e}")));
    lines.join("\n")
}

/// The path element of an item of an applied list (`listItemToPathElement` on an unstructured
/// value: a key field is there or not, whatever it holds).
fn config_item_pe(kind: ListKind, elem: schema::Type, item: &Value) -> Result<Pe, String> {
    match kind {
        ListKind::Map(keys) => {
            let Value::Object(m) = item else {
                return Err(if item.is_null() {
                    "associative list with keys may not have a null element".into()
                } else {
                    "associative list with keys may not have non-map elements".into()
                });
            };
            let mut fields = Vec::with_capacity(keys.len());
            let item_struct = match elem.shape() {
                Shape::Struct(s) => Some(s),
                _ => None,
            };
            for k in keys.iter().map(|k| &**k) {
                match m.get(k) {
                    Some(v) => fields.push((k.to_string(), v.clone())),
                    None if let Some(default) = item_struct.and_then(|s| key_default(s, k)) => {
                        fields.push((k.to_string(), default));
                    }
                    None => {
                        return Err(format!(
                            "associative list with keys has an element that omits key field {k:?} (and doesn't have default value)"
                        ));
                    }
                }
            }
            fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            Ok(Pe::Key(fields))
        }
        ListKind::Set => match item {
            Value::Object(_) | Value::Array(_) => {
                Err("only scalar values are allowed in sets".into())
            }
            v => Ok(Pe::Value(if v.is_null() { elem.zero() } else { v.clone() })),
        },
        ListKind::Atomic => Err("atomic list".into()),
    }
}

/// The default of a key field the item leaves out, as the schema generated from the Go types
/// has it: the zero value of a field that is not `omitempty`, or the field's `+default`
/// (`ContainerPort.protocol`, `TCP`, the only one in v1.20).
fn key_default(s: schema::Struct, key: &str) -> Option<Value> {
    if s.go_name() == "v1.ContainerPort" && key == "protocol" {
        return Some(Value::String("TCP".into()));
    }
    let f = s.field(key)?;
    (!f.omitted(None)).then(|| f.ty().zero())
}

/// The path element of an item of a live, merged or applied list: as applied, else as Go encodes
/// it (a key left out when zero).
fn any_item_pe(kind: ListKind, elem: schema::Type, item: &Value) -> Option<Pe> {
    config_item_pe(kind, elem, item)
        .ok()
        .or_else(|| item_pe(kind, elem, item))
}

// ---------------------------------------------------------------------------------------------------
// Field sets, merge and removal on untyped values

/// `TypedValue.ToFieldSet` of a value as it is (every key present counts).
fn field_set(tr: TypeRef, v: &Value) -> Set {
    match tr.ty.shape() {
        Shape::Scalar => Set::leaf(),
        Shape::Struct(s) if atomic_struct(s) => Set::leaf(),
        Shape::List(_) if tr.list == ListKind::Atomic => Set::leaf(),
        Shape::Struct(s) => {
            let mut set = Set::default();
            for (k, child) in v.as_object().into_iter().flatten() {
                let Some(f) = s.field(k) else { continue };
                let mut sub = field_set(TypeRef::field(f), child);
                if child.is_null() || child.as_object().is_some_and(Map::is_empty) {
                    sub.member = true;
                }
                set.push(Pe::Field(k.clone()), sub);
            }
            set.sort();
            set
        }
        Shape::Map(elem) => {
            let mut set = Set::default();
            for (k, child) in v.as_object().into_iter().flatten() {
                let mut sub = field_set(TypeRef::of(elem), child);
                sub.member = true;
                set.push(Pe::Field(k.clone()), sub);
            }
            set.sort();
            set
        }
        Shape::List(elem) => {
            let mut set = Set::default();
            for item in v.as_array().into_iter().flatten() {
                let Some(pe) = any_item_pe(tr.list, elem, item) else {
                    continue;
                };
                let mut sub = field_set(TypeRef::of(elem), item);
                sub.member = true;
                set.entry(pe).union(sub);
            }
            set
        }
    }
}

/// `TypedValue.Merge`: `rhs` (the configuration) merged into `lhs` (the live object); `None` is
/// nothing left (Go's nil).
fn merge(tr: TypeRef, lhs: Option<&Value>, rhs: Option<&Value>) -> Option<Value> {
    let keep_rhs = || rhs.or(lhs).cloned();
    match tr.ty.shape() {
        Shape::Scalar => keep_rhs(),
        Shape::Struct(s) if atomic_struct(s) => keep_rhs(),
        Shape::List(_) if tr.list == ListKind::Atomic => keep_rhs(),
        Shape::Struct(s) => merge_map(lhs, rhs, &|k| s.field(k).map(TypeRef::field)),
        Shape::Map(elem) => merge_map(lhs, rhs, &|_| Some(TypeRef::of(elem))),
        Shape::List(elem) => {
            let l = lhs.and_then(Value::as_array);
            let r = rhs.and_then(Value::as_array);
            if l.is_none_or(Vec::is_empty) && r.is_none_or(Vec::is_empty) {
                return keep_rhs();
            }
            let (l, r) = (
                l.map(Vec::as_slice).unwrap_or(&[]),
                r.map(Vec::as_slice).unwrap_or(&[]),
            );
            let right: Vec<(Option<Pe>, &Value)> = r
                .iter()
                .map(|item| (any_item_pe(tr.list, elem, item), item))
                .collect();
            let find = |pe: &Pe| {
                right
                    .iter()
                    .position(|(p, _)| p.as_ref().is_some_and(|p| p.cmp(pe) == Ordering::Equal))
            };
            let mut out = Vec::with_capacity(l.len().max(r.len()));
            let mut used = vec![false; right.len()];
            for item in l {
                let other = any_item_pe(tr.list, elem, item).and_then(|pe| find(&pe));
                if let Some(j) = other {
                    used[j] = true;
                }
                let merged = merge(TypeRef::of(elem), Some(item), other.map(|j| right[j].1));
                out.extend(merged);
            }
            for (j, (_, item)) in right.iter().enumerate() {
                if !used[j] {
                    out.extend(merge(TypeRef::of(elem), None, Some(item)));
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
    }
}

fn merge_map(
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    field_type: &dyn Fn(&str) -> Option<TypeRef>,
) -> Option<Value> {
    let l = lhs.and_then(Value::as_object);
    let r = rhs.and_then(Value::as_object);
    if l.is_none_or(Map::is_empty) && r.is_none_or(Map::is_empty) {
        return rhs.or(lhs).cloned();
    }
    let empty = Map::new();
    let (l, r) = (l.unwrap_or(&empty), r.unwrap_or(&empty));
    let mut out = Map::new();
    for (k, lv) in l {
        let rv = r.get(k);
        let merged = match field_type(k) {
            Some(tr) => merge(tr, Some(lv), rv),
            None => rv.or(Some(lv)).cloned(),
        };
        if let Some(v) = merged {
            out.insert(k.clone(), v);
        }
    }
    for (k, rv) in r.iter().filter(|(k, _)| !l.contains_key(*k)) {
        let merged = match field_type(k) {
            Some(tr) => merge(tr, None, Some(rv)),
            None => Some(rv.clone()),
        };
        if let Some(v) = merged {
            out.insert(k.clone(), v);
        }
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// `TypedValue.RemoveItems`: the value without the paths of `set` (list items, map entries and
/// fields; what a removal leaves empty is gone).
fn remove_items(tr: TypeRef, v: &Value, set: &Set) -> Option<Value> {
    match tr.ty.shape() {
        Shape::Scalar => Some(v.clone()),
        Shape::Struct(s) if atomic_struct(s) => None,
        Shape::List(_) if tr.list == ListKind::Atomic => None,
        Shape::Struct(_) | Shape::Map(_) => {
            let m = v.as_object().filter(|m| !m.is_empty())?;
            let mut out = Map::new();
            for (k, child) in m {
                let pe = Pe::Field(k.clone());
                let sub = set.get(&pe);
                if sub.is_some_and(|s| s.member) {
                    continue;
                }
                let child_tr = match tr.ty.shape() {
                    Shape::Struct(s) => s.field(k).map(TypeRef::field),
                    Shape::Map(elem) => Some(TypeRef::of(elem)),
                    _ => None,
                };
                match (sub.filter(|s| !s.children.is_empty()), child_tr) {
                    (Some(sub), Some(ctr)) => {
                        if let Some(c) = remove_items(ctr, child, sub) {
                            out.insert(k.clone(), c);
                        }
                    }
                    _ => {
                        out.insert(k.clone(), child.clone());
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        Shape::List(elem) => {
            let items = v.as_array().filter(|a| !a.is_empty())?;
            let mut out = Vec::new();
            for item in items {
                let Some(pe) = any_item_pe(tr.list, elem, item) else {
                    out.push(item.clone());
                    continue;
                };
                match set.get(&pe) {
                    Some(sub) if sub.member => {}
                    Some(sub) if !sub.children.is_empty() => {
                        // A list item left empty is Go's nil (a null item).
                        out.push(remove_items(TypeRef::of(elem), item, sub).unwrap_or(Value::Null));
                    }
                    _ => out.push(item.clone()),
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
    }
}

/// Removes from a whole object (the root is never removed).
fn remove_from_object(root: TypeRef, v: &Value, set: &Set) -> Value {
    if set.is_empty() {
        return v.clone();
    }
    remove_items(root, v, set).unwrap_or_else(|| Value::Object(Map::new()))
}

/// `Updater.prune`: what the applier applied last time (`last`) and no longer applies, unless
/// another manager (or its new configuration) owns it.
fn prune(root: TypeRef, merged: Value, entries: &mut [Entry], last: &Set) -> Value {
    let pruned = remove_from_object(root, &merged, last);
    let mut managed = Set::default();
    for e in entries.iter_mut() {
        managed.union(e.set().clone());
    }
    let merged_set = field_set(root, &merged);
    let mut kept = field_set(root, &pruned);
    kept.union(managed);
    let pruned = remove_from_object(root, &merged, &difference(&merged_set, &kept));
    let pruned_set = field_set(root, &pruned);
    let dangling = intersection(&difference(&merged_set, &pruned_set), last);
    remove_from_object(root, &merged, &dangling)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request<'a>(
        live: Option<&'a Value>,
        config: &'a Value,
        manager: &'a str,
        force: bool,
    ) -> ApplyRequest<'a> {
        ApplyRequest {
            type_name: "ConfigMap",
            kind: "ConfigMap",
            api_version: "v1",
            live,
            config,
            manager,
            force,
            now: "2026-01-01T00:00:00Z",
        }
    }

    fn cm(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data})
    }

    /// Applies `config` over `live` and returns the object with its managedFields in it.
    fn applied(live: Option<&Value>, config: &Value, manager: &str, force: bool) -> Value {
        let out = apply(&request(live, config, manager, force)).expect("applied");
        let mut obj = out.object;
        if let Some(f) = out.managed_fields {
            obj["metadata"]["managedFields"] = f;
        }
        obj
    }

    #[test]
    fn a_create_owns_what_it_applied() {
        let obj = applied(None, &cm(json!({"a": "1"})), "m", false);
        assert_eq!(obj["data"], json!({"a": "1"}));
        let mf = &obj["metadata"]["managedFields"];
        assert_eq!(mf[0]["operation"], "Apply");
        assert_eq!(mf[0]["fieldsV1"], json!({"f:data": {"f:a": {}}}));
    }

    #[test]
    fn another_manager_changing_a_field_conflicts_unless_forced() {
        let live = applied(None, &cm(json!({"a": "1", "b": "2"})), "m", false);
        let err = apply(&request(Some(&live), &cm(json!({"a": "9"})), "n", false)).unwrap_err();
        assert_eq!(err.code, 409);
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"m\": .data.a"
        );
        let forced = applied(Some(&live), &cm(json!({"a": "9"})), "n", true);
        assert_eq!(forced["data"], json!({"a": "9", "b": "2"}));
        let mf = forced["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(mf[0]["manager"], "m");
        assert_eq!(mf[0]["fieldsV1"], json!({"f:data": {"f:b": {}}}));
        assert_eq!(mf[1]["manager"], "n");
        assert_eq!(mf[1]["fieldsV1"], json!({"f:data": {"f:a": {}}}));
    }

    #[test]
    fn the_same_value_is_shared_without_conflict() {
        let live = applied(None, &cm(json!({"a": "1"})), "m", false);
        let shared = applied(Some(&live), &cm(json!({"a": "1"})), "n", false);
        let mf = shared["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(mf.len(), 2);
        assert!(
            mf.iter()
                .all(|e| e["fieldsV1"] == json!({"f:data": {"f:a": {}}}))
        );
    }

    #[test]
    fn a_field_no_longer_applied_is_pruned_unless_another_manager_owns_it() {
        let live = applied(None, &cm(json!({"a": "1", "b": "2"})), "m", false);
        let pruned = applied(Some(&live), &cm(json!({"a": "1"})), "m", false);
        assert_eq!(pruned["data"], json!({"a": "1"}));
        let shared = applied(Some(&live), &cm(json!({"b": "2"})), "n", false);
        let kept = applied(Some(&shared), &cm(json!({"a": "1"})), "m", false);
        assert_eq!(kept["data"], json!({"a": "1", "b": "2"}));
    }

    #[test]
    fn an_object_without_managed_fields_is_owned_before_the_first_apply() {
        let live = cm(json!({"a": "1"}));
        let err = apply(&request(Some(&live), &cm(json!({"a": "2"})), "m", false)).unwrap_err();
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"before-first-apply\" using v1: .data.a"
        );
    }

    #[test]
    fn several_conflicts_are_listed_by_manager() {
        let live = applied(None, &cm(json!({"a": "1", "b": "2"})), "m", false);
        let config = cm(json!({"a": "3", "b": "4"}));
        let err = apply(&request(Some(&live), &config, "n", false)).unwrap_err();
        assert_eq!(
            err.message,
            "Apply failed with 2 conflicts: conflicts with \"m\":\n- .data.a\n- .data.b"
        );
    }

    #[test]
    fn the_configuration_is_checked_first() {
        let wrong_version = json!({"apiVersion": "v2", "kind": "ConfigMap"});
        let err = apply(&request(None, &wrong_version, "m", false)).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (
                400,
                "Incorrect version specified in apply patch. Specified patch version: v2, expected: v1"
            )
        );
        let with_fields = json!({"apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": {"managedFields": []}});
        let err = apply(&request(None, &with_fields, "m", false)).unwrap_err();
        assert_eq!(err.message, "metadata.managedFields must be nil");
        let undeclared = json!({"apiVersion": "v1", "kind": "ConfigMap", "foo": 1});
        let err = apply(&request(None, &undeclared, "m", false)).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (
                500,
                "failed to create typed patch object: .foo: field not declared in schema"
            )
        );
        let not_a_string = cm(json!({"a": 1}));
        let err = apply(&request(None, &not_a_string, "m", false)).unwrap_err();
        assert_eq!(
            err.message,
            "failed to create typed patch object: .data.a: expected string, got &value.valueUnstructured{Value:1}"
        );
    }

    #[test]
    fn keyed_lists_merge_by_key_and_atomic_lists_are_replaced() {
        let ty = TypeRef {
            ty: schema::type_named("Pod").unwrap(),
            list: ListKind::Atomic,
        };
        let live = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}],
                                   "imagePullSecrets": [{"name": "s"}]}});
        let config = json!({"spec": {"containers": [{"name": "c", "image": "z"}, {"name": "a", "image": "w"}],
                                     "tolerations": [{"key": "k"}]}});
        let merged = merge(ty, Some(&live), Some(&config)).unwrap();
        assert_eq!(
            merged["spec"]["containers"],
            json!([{"name": "a", "image": "w"}, {"name": "b", "image": "y"}, {"name": "c", "image": "z"}])
        );
        assert_eq!(merged["spec"]["tolerations"], json!([{"key": "k"}]));
        let ports =
            json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}]}});
        let set = field_set(ty, &ports);
        assert_eq!(
            set.to_fields_v1(),
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"a\"}": {".": {}, "f:name": {},
                "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}}}})
        );
    }

    #[test]
    fn paths_are_written_as_structured_merge_diff_writes_them() {
        let pe = Pe::Key(vec![
            ("name".into(), json!("c")),
            ("port".into(), json!(80)),
        ]);
        assert_eq!(pe.to_path_string(), "[name=\"c\",port=80]");
        assert_eq!(Pe::Value(json!("x")).to_path_string(), "[=\"x\"]");
        assert_eq!(
            go_v(&json!({"b": [1, "x"], "a": null})),
            "map[a:<nil> b:[1 x]]"
        );
        assert_eq!(
            go_sharp_v(&json!({"a": [1, "x"]})),
            "map[string]interface {}{\"a\":[]interface {}{1, \"x\"}}"
        );
    }
}
