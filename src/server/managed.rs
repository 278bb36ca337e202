//! `metadata.managedFields`, computed as kube-apiserver v1.20's field manager does for the writes it
//! records as `Update` operations (create, update, patch); server-side apply (`Apply` operations)
//! is in [`apply`], on the same field sets.
//!
//! The model follows the real chain of managers (`FieldManager.Update` in
//! `k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager`, over structured-merge-diff v4.0.2), step by
//! step:
//!
//! 1. The entries come from the new object if it has any that decode (a client may set them), else
//!    from the live object; a single empty entry (`managedFields: [{}]`) resets them. An update of an
//!    object that has none is not tracked at all; a create always is.
//! 2. Entries of another API version than `v1` are dropped; each entry's set is reconciled with the
//!    schema against the live object (`ReconcileFieldSetWithSchema`): an atomic list or struct owned
//!    with children is owned as a whole, a granular one owned as a whole is owned field by field.
//! 3. The live and the new object are compared as typed values (`TypedValue.Compare`): every leaf
//!    (scalar, atomic list or struct, or an empty map or list on both sides) that was added, changed
//!    or removed, and every map, struct, list or list item that appeared or disappeared. Lists with
//!    merge keys (`x-kubernetes-list-map-keys`, else `patchMergeKey`) are compared item by item,
//!    keyed `k:{...}`; `patchStrategy: merge` lists of scalars are sets, keyed `v:...`; every other
//!    list is atomic.
//! 4. Every manager loses the compared paths (changed fields conflict, removed ones are gone); the
//!    writer gets the added and changed ones, less `apiVersion`, `kind`, `metadata` itself and its
//!    system fields, and its entry's time is set, if that leaves anything.
//! 5. At most ten `Update` entries are kept (the oldest are merged into `ancient-changes`); entries
//!    are sorted by operation, time, manager and API version.
//!
//! The objects compared are the ones the real field manager sees: the new object as decoded and
//! defaulted, before admission plugins and the registry strategy change it (so what they add is owned
//! by nobody), and the live object as stored. Both are read the way Go encodes them (fields left out
//! when empty and `omitempty`, zero values otherwise), so a decoded object and a stored one compare
//! alike. A failure of the real field manager (duplicate or missing list keys) leaves the object
//! without managedFields, here too.
//!
//! The cost is one walk of the two objects that skips equal subtrees, plus the managers' field sets.

use super::schema::{self, FieldInfo, Shape, Struct, Type};
// How a list field is merged and tracked (structured-merge-diff's element relationship), as the
// schema generated from the Go types has it.
use super::schema::ListType as ListKind;
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::fmt::Write as _;

mod apply;
pub use apply::{Applied, ApplyRequest, apply};

/// The manager name for a request: the `fieldManager` query parameter, else the User-Agent up to its
/// first `/` (printable characters only, at most about 128 bytes), else `unknown`.
pub fn manager_name(field_manager: Option<&str>, user_agent: &str) -> String {
    let name = match field_manager {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => {
            let mut out = String::new();
            for c in user_agent.split('/').next().unwrap_or("").chars() {
                if !is_print(c) {
                    continue;
                }
                if out.len() >= 128 {
                    break;
                }
                out.push(c);
            }
            out
        }
    };
    if name.is_empty() {
        "unknown".to_string()
    } else {
        name
    }
}

/// Go's `unicode.IsPrint`, closely enough: no control, format or non-space whitespace characters.
fn is_print(c: char) -> bool {
    c == ' '
        || !(c.is_control()
            || c.is_whitespace()
            || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
}

/// The `metadata.managedFields` of an object written by `manager` at `now`: `kind` is the schema type
/// (`Pod`, `Namespace`), `live` the stored object (`None` on create) and `new` the object as decoded
/// and defaulted, before admission and the strategy, carrying the managedFields the request sent (or
/// the live ones, for a patch); they are taken out of it. `None` means the object has no
/// managedFields.
pub fn update(
    kind: &str,
    live: Option<&Value>,
    new: &mut Value,
    manager: &str,
    now: &str,
) -> Option<Value> {
    update_in(kind, live, new, manager, now, None)
}

/// [`update`] of a kind whose sets in other groups than `group` cannot be converted: those
/// entries are dropped (a core Event written through events.k8s.io, and back).
pub fn update_dropping_other_groups(
    kind: &str,
    live: Option<&Value>,
    new: &mut Value,
    manager: &str,
    now: &str,
    group: &str,
) -> Option<Value> {
    update_in(kind, live, new, manager, now, Some(group))
}

fn update_in(
    kind: &str,
    live: Option<&Value>,
    new: &mut Value,
    manager: &str,
    now: &str,
    only_group: Option<&str>,
) -> Option<Value> {
    let root = TypeRef {
        ty: schema::type_named(kind)?,
        list: ListKind::Atomic,
    };
    // The sets name the version the object was written in (`v1`, `apps/v1`).
    let api_version = new
        .get("apiVersion")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .unwrap_or("v1")
        .to_string();
    let new_fields = new
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .and_then(|m| m.shift_remove("managedFields"));
    let live_fields = live.and_then(|l| l.pointer("/metadata/managedFields"));
    let stored = |fields: Option<Value>| decode_entries(fields, false).ok();
    let (mut entries, from_request) = if is_reset(new_fields.as_ref()) {
        (Vec::new(), false)
    } else if new_fields.is_some() && new_fields.as_ref() == live_fields {
        (stored(new_fields)?, false)
    } else {
        match new_fields.map(|f| decode_entries(Some(f), true)) {
            Some(Ok(e)) if !e.is_empty() => (e, true),
            _ => (stored(live_fields.cloned())?, false),
        }
    };
    if entries.is_empty() && live.is_some() {
        // `skipNonAppliedManager`: an object without managedFields stays without.
        return None;
    }
    let empty = Value::Object(Map::new());
    let live = Side::Val(live.unwrap_or(&empty));
    let kind_name = new
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(group) = only_group {
        entries.retain(|e| crate::kinds::split_api_version(&e.api_version).0 == group);
    }
    if !reconcile_entries(root, &kind_name, &api_version, &mut entries, live) {
        return None;
    }

    let mut differ = Differ {
        error: false,
        // Sets from the request were not checked against the live object when it was written.
        full: from_request,
    };
    let (mut changed, mut removed) = (Set::default(), Set::default());
    differ.walk(root, live, Side::Val(new), &mut changed, &mut removed);
    if differ.error {
        return None;
    }
    // The manager's set and time before this update: its time changes only with its set.
    let former: Option<(Set, Option<String>)> = entries
        .iter_mut()
        .find(|e| e.is(manager, "Update", &api_version))
        .map(|e| (e.set().clone(), e.time.clone()));
    for e in &mut entries {
        if let Fields::Stored(v) = &e.fields
            && !intersects(v, &changed)
            && !intersects(v, &removed)
        {
            continue;
        }
        let set = e.set();
        set.subtract(&changed);
        set.subtract(&removed);
    }
    entries.retain(|e| !e.is_empty());
    strip_system_fields(&mut changed);
    if !changed.is_empty() {
        match entries
            .iter_mut()
            .find(|e| e.is(manager, "Update", &api_version))
        {
            Some(e) => {
                e.set().union(changed);
                if former.as_ref().is_none_or(|(set, _)| set != e.set()) {
                    e.time = Some(now.to_string());
                }
            }
            None => {
                // Every field of its former set changed: the same set keeps its time.
                let time = match former {
                    Some((set, time)) if set == changed => time,
                    _ => Some(now.to_string()),
                };
                entries.push(Entry {
                    manager: manager.to_string(),
                    operation: "Update".to_string(),
                    api_version,
                    time,
                    fields: Fields::Parsed(changed),
                })
            }
        }
    }
    cap_update_managers(&mut entries);
    if entries.is_empty() {
        return None;
    }
    sort_entries(&mut entries);
    Some(Value::Array(
        entries.into_iter().map(Entry::into_value).collect(),
    ))
}

/// Drops the entries of versions the server does not serve and reconciles the others with the
/// schema against the live object; `false` if the real field manager would fail.
fn reconcile_entries(
    root: TypeRef,
    kind_name: &str,
    api_version: &str,
    entries: &mut Vec<Entry>,
    live: Side,
) -> bool {
    // (another served version of the kind keeps its sets: an Ingress of extensions/v1beta1
    // written again in networking.k8s.io/v1beta1).
    entries.retain(|e| {
        e.api_version == api_version || {
            let (g, v) = crate::kinds::split_api_version(&e.api_version);
            crate::kinds::group_version(g, v)
                .is_some_and(|gv| gv.resources().any(|r| r.kind == kind_name))
        }
    });
    let mut reconciler = Reconciler {
        root,
        live,
        error: false,
    };
    for e in entries.iter_mut() {
        if let Fields::Stored(v) = &e.fields
            && !reconciler.stored_needs_visit(root, v, None)
        {
            continue;
        }
        reconciler.visit(root, e.set(), None);
    }
    !reconciler.error
}

/// The order of the encoded entries: by operation, time, manager and API version.
fn sort_entries(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        (&a.operation, a.sort_time(), &a.manager, &a.api_version).cmp(&(
            &b.operation,
            b.sort_time(),
            &b.manager,
            &b.api_version,
        ))
    });
}

// ---------------------------------------------------------------------------------------------------
// Entries

struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: Option<String>,
    fields: Fields,
}

/// An entry's field set: as stored (in canonical form, untouched until something changes it), or
/// parsed.
enum Fields {
    Stored(Value),
    Parsed(Set),
}

impl Entry {
    /// Whether this is the entry of that manager (`BuildManagerIdentifier`: appliers are one manager
    /// whatever the API version they applied).
    fn is(&self, manager: &str, operation: &str, api_version: &str) -> bool {
        self.manager == manager
            && self.operation == operation
            && (operation == "Apply" || self.api_version == api_version)
    }

    fn same_manager(&self, other: &Entry) -> bool {
        self.is(&other.manager, &other.operation, &other.api_version)
    }

    /// `BuildManagerIdentifier` itself, for the order among the oldest entries.
    fn identifier(&self) -> String {
        let mut m = Map::new();
        for (k, v) in [
            ("manager", &self.manager),
            ("operation", &self.operation),
            ("apiVersion", &self.api_version),
        ] {
            let appliers_version = k == "apiVersion" && self.operation == "Apply";
            if !v.is_empty() && !appliers_version {
                m.insert(k.into(), Value::String(v.clone()));
            }
        }
        Value::Object(m).to_string()
    }

    fn set(&mut self) -> &mut Set {
        if let Fields::Stored(v) = &self.fields {
            self.fields = Fields::Parsed(Set::parse_fields_v1(v).unwrap_or_default());
        }
        match &mut self.fields {
            Fields::Parsed(s) => s,
            Fields::Stored(_) => unreachable!("just parsed"),
        }
    }

    fn is_empty(&self) -> bool {
        match &self.fields {
            Fields::Stored(v) => v.as_object().is_none_or(Map::is_empty),
            Fields::Parsed(s) => s.is_empty(),
        }
    }

    /// The time as sortable text: whole-second UTC RFC 3339 (as decoded), none as the Unix epoch.
    fn sort_time(&self) -> &str {
        self.time.as_deref().unwrap_or("1970-01-01T00:00:00Z")
    }

    fn into_value(self) -> Value {
        let mut m = Map::new();
        if !self.manager.is_empty() {
            m.insert("manager".into(), Value::String(self.manager));
        }
        if !self.operation.is_empty() {
            m.insert("operation".into(), Value::String(self.operation));
        }
        if !self.api_version.is_empty() {
            m.insert("apiVersion".into(), Value::String(self.api_version));
        }
        if let Some(t) = self.time {
            m.insert("time".into(), Value::String(t));
        }
        m.insert("fieldsType".into(), Value::String("FieldsV1".into()));
        let fields = match self.fields {
            Fields::Stored(v) => v,
            Fields::Parsed(s) => s.to_fields_v1(),
        };
        m.insert("fieldsV1".into(), fields);
        Value::Object(m)
    }
}

/// `managedFields: [{}]`: the request asks for the entries to be dropped.
fn is_reset(fields: Option<&Value>) -> bool {
    let Some(Value::Array(entries)) = fields else {
        return false;
    };
    let [Value::Object(e)] = entries.as_slice() else {
        return false;
    };
    e.iter().all(|(k, v)| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty() && k != "time",
        _ => false,
    })
}

/// Decodes entries as `DecodeManagedFields` does (entries with the same identifier: the last wins).
/// Sets from a request are parsed (and so checked and put in canonical form); stored ones, which
/// this module wrote, are kept as they are until something changes them.
fn decode_entries(fields: Option<Value>, from_request: bool) -> Result<Vec<Entry>, ()> {
    let items = match fields {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(()),
    };
    let mut out: Vec<Entry> = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(mut m) = item else {
            return Err(());
        };
        let mut take = |k: &str| match m.remove(k) {
            Some(Value::String(s)) => s,
            _ => String::new(),
        };
        let (manager, operation, api_version) =
            (take("manager"), take("operation"), take("apiVersion"));
        let (time, fields_type) = (take("time"), take("fieldsType"));
        if operation != "Apply" && operation != "Update" {
            return Err(());
        }
        if api_version.is_empty() || fields_type != "FieldsV1" {
            return Err(());
        }
        let fields = match m.remove("fieldsV1") {
            None | Some(Value::Null) => Fields::Parsed(Set::default()),
            Some(v) if from_request => Fields::Parsed(Set::parse_fields_v1(&v)?),
            Some(v) => Fields::Stored(v),
        };
        let entry = Entry {
            manager,
            operation,
            api_version,
            time: Some(time).filter(|t| !t.is_empty()),
            fields,
        };
        match out.iter_mut().find(|e| e.same_manager(&entry)) {
            Some(e) => *e = entry,
            None => out.push(entry),
        }
    }
    Ok(out)
}

/// Whether a stored set has any path of `set`.
fn intersects(stored: &Value, set: &Set) -> bool {
    let Value::Object(node) = stored else {
        return false;
    };
    set.children
        .iter()
        .any(|(pe, sub)| match node.get(&pe.to_key()) {
            Some(child @ Value::Object(c)) => {
                (sub.member && (c.is_empty() || c.contains_key(".")))
                    || (!sub.children.is_empty() && intersects(child, sub))
            }
            _ => false,
        })
}

const MAX_UPDATE_MANAGERS: usize = 10;
const ANCIENT_CHANGES: &str = "ancient-changes";

/// `capManagersManager`: beyond ten `Update` entries, the oldest are merged into one
/// `ancient-changes` entry per API version (quirks of the real loop included).
fn cap_update_managers(entries: &mut Vec<Entry>) {
    if entries.iter().filter(|e| e.operation != "Apply").count() <= MAX_UPDATE_MANAGERS {
        return;
    }
    // (time, identifier, manager, operation, API version) of the updaters, oldest first.
    let mut updaters: Vec<(String, String, String, String, String)> = entries
        .iter()
        .filter(|e| e.operation != "Apply")
        .map(|e| {
            let (m, o, v) = (&e.manager, &e.operation, &e.api_version);
            (
                e.sort_time().into(),
                e.identifier(),
                m.clone(),
                o.clone(),
                v.clone(),
            )
        })
        .collect();
    updaters.sort();
    let find =
        |entries: &[Entry], m: &str, o: &str, v: &str| entries.iter().position(|e| e.is(m, o, v));
    let mut first_of_version: Vec<(String, (String, String))> = Vec::new();
    let mut length = updaters.len();
    for (_, _, manager, operation, version) in &updaters {
        if length <= MAX_UPDATE_MANAGERS {
            break;
        }
        let Some(i) = find(entries, manager, operation, version) else {
            continue;
        };
        let time = entries[i].time.clone();
        match first_of_version.iter().find(|(v, _)| v == version) {
            Some((_, (first_manager, first_operation))) => {
                if find(entries, ANCIENT_CHANGES, "Update", version).is_none()
                    && let Some(f) = find(entries, first_manager, first_operation, version)
                {
                    entries[f].manager = ANCIENT_CHANGES.into();
                    entries[f].operation = "Update".into();
                }
                let set = entries[i].set().clone();
                if let Some(b) = find(entries, ANCIENT_CHANGES, "Update", version) {
                    entries[b].set().union(set);
                }
                if let Some(i) = find(entries, manager, operation, version) {
                    entries.remove(i);
                }
                length -= 1;
                if let Some(b) = find(entries, ANCIENT_CHANGES, "Update", version) {
                    entries[b].time = time;
                }
            }
            None => first_of_version.push((version.clone(), (manager.clone(), operation.clone()))),
        }
    }
}

/// The fields the writer is never recorded as owning (`stripMetaManager`).
fn strip_system_fields(set: &mut Set) {
    let top = ["apiVersion", "kind", "metadata"];
    let meta = [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ];
    for (pe, child) in &mut set.children {
        let Pe::Field(name) = pe else { continue };
        if top.contains(&name.as_str()) {
            child.member = false;
        }
        if name == "metadata" {
            for (pe, field) in &mut child.children {
                if matches!(pe, Pe::Field(n) if meta.contains(&n.as_str())) {
                    field.member = false;
                }
            }
            child.children.retain(|(_, c)| !c.is_empty());
        }
    }
    set.children.retain(|(_, c)| !c.is_empty());
}

// ---------------------------------------------------------------------------------------------------
// Path elements and field sets

/// One step of a field path: `f:name`, `k:{"name":"x"}`, `v:"x"` or `i:0`.
#[derive(Debug, Clone, PartialEq)]
enum Pe {
    Field(String),
    /// Key fields, sorted by name.
    Key(Vec<(String, Value)>),
    Value(Value),
    Index(i64),
}

impl Pe {
    /// structured-merge-diff's order: fields, then keys, values, indexes.
    fn cmp(&self, other: &Pe) -> Ordering {
        match (self, other) {
            (Pe::Field(a), Pe::Field(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Pe::Key(a), Pe::Key(b)) => {
                for ((an, av), (bn, bv)) in a.iter().zip(b) {
                    let c = an
                        .as_bytes()
                        .cmp(bn.as_bytes())
                        .then_with(|| value_cmp(av, bv));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Pe::Value(a), Pe::Value(b)) => value_cmp(a, b),
            (Pe::Index(a), Pe::Index(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Pe::Field(_) => 0,
            Pe::Key(_) => 1,
            Pe::Value(_) => 2,
            Pe::Index(_) => 3,
        }
    }

    fn to_key(&self) -> String {
        let mut out = String::new();
        match self {
            Pe::Field(name) => {
                out.push_str("f:");
                out.push_str(name);
            }
            Pe::Key(fields) => {
                out.push_str("k:{");
                for (i, (name, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_str(name, &mut out);
                    out.push(':');
                    write_json(v, &mut out);
                }
                out.push('}');
            }
            Pe::Value(v) => {
                out.push_str("v:");
                write_json(v, &mut out);
            }
            Pe::Index(i) => {
                let _ = write!(out, "i:{i}");
            }
        }
        out
    }

    /// `DeserializePathElement`: `Ok(None)` for an unknown prefix (such keys are dropped).
    fn parse(s: &str) -> Result<Option<Pe>, ()> {
        let Some((prefix, rest)) = s.split_at_checked(2) else {
            return Ok(None);
        };
        match prefix {
            "f:" => Ok(Some(Pe::Field(rest.to_string()))),
            "k:" => match serde_json::from_str::<Value>(rest) {
                Ok(Value::Object(m)) => {
                    let mut fields: Vec<(String, Value)> = m.into_iter().collect();
                    fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                    Ok(Some(Pe::Key(fields)))
                }
                _ => Err(()),
            },
            "v:" => serde_json::from_str::<Value>(rest)
                .map(|v| Some(Pe::Value(v)))
                .map_err(|_| ()),
            "i:" => rest.parse().map(|i| Some(Pe::Index(i))).map_err(|_| ()),
            _ => Ok(None),
        }
    }
}

/// structured-merge-diff's total order of values (`value.Compare`).
fn value_cmp(a: &Value, b: &Value) -> Ordering {
    use Value as V;
    let is_float = |v: &Value| matches!(v, V::Number(n) if n.is_f64());
    let is_int = |v: &Value| matches!(v, V::Number(n) if !n.is_f64());
    let num = |v: &Value| v.as_f64().unwrap_or(0.0);
    if is_float(a) || is_float(b) {
        return match (is_float(a) || is_int(a), is_float(b) || is_int(b)) {
            (true, true) => num(a).total_cmp(&num(b)),
            (true, false) => Ordering::Less,
            _ => Ordering::Greater,
        };
    }
    let class = |v: &Value| match v {
        V::Number(_) => 0,
        V::String(_) => 1,
        V::Bool(_) => 2,
        V::Array(_) => 3,
        V::Object(_) => 4,
        V::Null => 5,
    };
    match (a, b) {
        (V::Number(x), V::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => num(a).total_cmp(&num(b)),
        },
        (V::String(x), V::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Array(x), V::Array(y)) => {
            for (p, q) in x.iter().zip(y) {
                let c = value_cmp(p, q);
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (V::Object(x), V::Object(y)) => {
            let mut xs: Vec<_> = x.iter().collect();
            let mut ys: Vec<_> = y.iter().collect();
            xs.sort_by(|p, q| p.0.cmp(q.0));
            ys.sort_by(|p, q| p.0.cmp(q.0));
            for ((xk, xv), (yk, yv)) in xs.iter().zip(&ys) {
                let c = xk.cmp(yk).then_with(|| value_cmp(xv, yv));
                if c != Ordering::Equal {
                    return c;
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => class(a).cmp(&class(b)),
    }
}

/// Compact JSON as structured-merge-diff writes key and value path elements (json-iterator in its
/// `encoding/json` compatible configuration: `<`, `>` and `&` escaped).
fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => write_json_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_str(k, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A set of field paths, as a tree: each node is in the set (`member`) or not, and has children in
/// path element order.
#[derive(Debug, Clone, Default, PartialEq)]
struct Set {
    member: bool,
    children: Vec<(Pe, Set)>,
}

impl Set {
    fn leaf() -> Set {
        Set {
            member: true,
            children: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        !self.member && self.children.is_empty()
    }

    fn find(&self, pe: &Pe) -> Result<usize, usize> {
        self.children.binary_search_by(|(p, _)| p.cmp(pe))
    }

    fn get(&self, pe: &Pe) -> Option<&Set> {
        self.find(pe).ok().map(|i| &self.children[i].1)
    }

    fn entry(&mut self, pe: Pe) -> &mut Set {
        let i = match self.find(&pe) {
            Ok(i) => i,
            Err(i) => {
                self.children.insert(i, (pe, Set::default()));
                i
            }
        };
        &mut self.children[i].1
    }

    /// Adds a child built in any order; [`Set::sort`] restores the order afterwards.
    fn push(&mut self, pe: Pe, child: Set) {
        if !child.is_empty() {
            self.children.push((pe, child));
        }
    }

    fn sort(&mut self) {
        if self.children.len() > 1 {
            self.children.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }

    fn union(&mut self, other: Set) {
        self.member |= other.member;
        for (pe, child) in other.children {
            match self.find(&pe) {
                Ok(i) => self.children[i].1.union(child),
                Err(i) => self.children.insert(i, (pe, child)),
            }
        }
    }

    /// Removes the paths of `other` (a path, not what is below it); nodes left empty go.
    fn subtract(&mut self, other: &Set) {
        if other.member {
            self.member = false;
        }
        if other.children.is_empty() || self.children.is_empty() {
            return;
        }
        self.children.retain_mut(|(pe, child)| match other.get(pe) {
            Some(o) => {
                child.subtract(o);
                !child.is_empty()
            }
            None => true,
        });
    }

    /// The `fieldsV1` encoding: `{"f:a":{},"f:b":{".":{},"f:c":{}}}`.
    fn to_fields_v1(&self) -> Value {
        let mut m = Map::with_capacity(self.children.len());
        for (pe, child) in &self.children {
            m.insert(pe.to_key(), child.node_value());
        }
        Value::Object(m)
    }

    fn node_value(&self) -> Value {
        let mut m = Map::with_capacity(self.children.len() + 1);
        if self.member && !self.children.is_empty() {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for (pe, child) in &self.children {
            m.insert(pe.to_key(), child.node_value());
        }
        Value::Object(m)
    }

    /// Parses a `fieldsV1` value as structured-merge-diff's `FromJSON` does.
    fn parse_fields_v1(v: &Value) -> Result<Set, ()> {
        Ok(Self::parse_node(v)?.0)
    }

    /// The children of a node and whether the node itself is in the set (an empty object, `null`,
    /// or one with a `"."` key, is).
    fn parse_node(v: &Value) -> Result<(Set, bool), ()> {
        let m = match v {
            Value::Null => return Ok((Set::default(), true)),
            Value::Object(m) => m,
            _ => return Err(()),
        };
        let mut node = Set::default();
        let mut member = false;
        for (k, child) in m {
            if k == "." {
                member = true;
                continue;
            }
            let Some(pe) = Pe::parse(k)? else {
                continue;
            };
            let (grandchildren, child_member) = Self::parse_node(child)?;
            let slot = node.entry(pe);
            slot.member |= child_member;
            if !grandchildren.children.is_empty() {
                slot.children = grandchildren.children;
            }
        }
        if node.children.is_empty() {
            member = true;
        }
        Ok((node, member))
    }
}

// ---------------------------------------------------------------------------------------------------
// Typed values

/// Structs marked `x-kubernetes-map-type: atomic`.
fn atomic_struct(s: Struct) -> bool {
    s.go_name() == "v1.LabelSelector"
}

/// A type, with the list kind of the field it is the type of.
#[derive(Clone, Copy)]
struct TypeRef {
    ty: Type,
    list: ListKind,
}

impl TypeRef {
    fn of(ty: Type) -> TypeRef {
        TypeRef {
            ty,
            list: ListKind::Atomic,
        }
    }

    fn field(f: FieldInfo) -> TypeRef {
        TypeRef {
            ty: f.ty(),
            list: f.list_type(),
        }
    }
}

/// A value as Go encodes it: absent (left out), present with the type's zero value (a field that is
/// not `omitempty` and not in the decoded object), or present.
#[derive(Clone, Copy)]
enum Side<'a> {
    Absent,
    Zero,
    Val(&'a Value),
}

impl<'a> Side<'a> {
    fn is_absent(self) -> bool {
        matches!(self, Side::Absent)
    }

    fn value(self) -> Option<&'a Value> {
        match self {
            Side::Val(v) => Some(v),
            _ => None,
        }
    }

    /// The same value, without looking at the type.
    fn same(self, other: Side) -> bool {
        match (self, other) {
            (Side::Val(a), Side::Val(b)) => std::ptr::eq(a, b) || a == b,
            (Side::Zero, Side::Zero) | (Side::Absent, Side::Absent) => true,
            _ => false,
        }
    }

    /// A struct's fields: `None` if absent or null, `Some(None)` for the zero struct.
    fn as_struct(self) -> Option<Option<&'a Map<String, Value>>> {
        match self {
            Side::Zero => Some(None),
            Side::Val(Value::Object(m)) => Some(Some(m)),
            _ => None,
        }
    }

    /// A map's entries or a list's items; `None` if absent, null or zero (a nil map or slice).
    fn as_map(self) -> Option<&'a Map<String, Value>> {
        match self {
            Side::Val(Value::Object(m)) => Some(m),
            _ => None,
        }
    }

    fn as_list(self) -> Option<&'a [Value]> {
        match self {
            Side::Val(Value::Array(a)) => Some(a),
            _ => None,
        }
    }
}

fn field_side<'a>(f: FieldInfo, fields: Option<Option<&'a Map<String, Value>>>) -> Side<'a> {
    let Some(fields) = fields else {
        return Side::Absent;
    };
    let v = fields.and_then(|m| m.get(f.name()));
    if f.omitted(v) {
        return Side::Absent;
    }
    match v {
        Some(v) => Side::Val(v),
        None => Side::Zero,
    }
}

/// Whether a struct has no field in its encoding.
fn struct_is_empty(s: Struct, fields: Option<Option<&Map<String, Value>>>) -> bool {
    match fields {
        None => true,
        Some(m) => s
            .fields()
            .all(|f| f.omitted(m.and_then(|m| m.get(f.name())))),
    }
}

/// Equality of two present values as encoded (`value.Equals` of the typed values).
fn same_encoded(tr: TypeRef, a: Side, b: Side) -> bool {
    if a.same(b) {
        return true;
    }
    match tr.ty.shape() {
        Shape::Scalar => tr.ty.same_scalar(a.value(), b.value()),
        Shape::Struct(s) => match (a.as_struct(), b.as_struct()) {
            (None, None) => true,
            (Some(x), Some(y)) => {
                s.fields()
                    .all(|f| match (field_side(f, Some(x)), field_side(f, Some(y))) {
                        (Side::Absent, Side::Absent) => true,
                        (Side::Absent, _) | (_, Side::Absent) => false,
                        (p, q) => same_encoded(TypeRef::field(f), p, q),
                    })
            }
            _ => false,
        },
        Shape::Map(elem) => match (a.as_map(), b.as_map()) {
            (None, None) => true,
            (Some(x), Some(y)) => {
                x.len() == y.len()
                    && x.iter().all(|(k, v)| {
                        y.get(k).is_some_and(|w| {
                            same_encoded(TypeRef::of(elem), Side::Val(v), Side::Val(w))
                        })
                    })
            }
            _ => false,
        },
        Shape::List(elem) => match (a.as_list(), b.as_list()) {
            (None, None) => true,
            (Some(x), Some(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|(v, w)| same_encoded(TypeRef::of(elem), Side::Val(v), Side::Val(w)))
            }
            _ => false,
        },
    }
}

/// The path element of a list item (`listItemToPathElement`); `None` if it has no complete key.
fn item_pe(kind: ListKind, elem: Type, item: &Value) -> Option<Pe> {
    match kind {
        ListKind::Map(keys) => {
            let (Shape::Struct(s), Value::Object(m)) = (elem.shape(), item) else {
                return None;
            };
            let mut fields = Vec::with_capacity(keys.len());
            for k in keys.iter().map(|k| &**k) {
                let f = s.field(k)?;
                let v = m.get(k);
                if f.omitted(v) {
                    // The only key field with a default of its own in v1.20.
                    if s.go_name() == "v1.ContainerPort" && k == "protocol" {
                        fields.push((k.to_string(), Value::String("TCP".into())));
                        continue;
                    }
                    return None;
                }
                let v = match v {
                    Some(Value::Null) | None => f.ty().zero(),
                    Some(v) => v.clone(),
                };
                fields.push((k.to_string(), v));
            }
            Some(Pe::Key(fields))
        }
        ListKind::Set => Some(Pe::Value(match item {
            Value::Null => elem.zero(),
            v => v.clone(),
        })),
        ListKind::Atomic => None,
    }
}

/// `TypedValue.Compare` of the live and the new object, as the sets of added or modified paths
/// (`changed`) and of removed ones.
struct Differ {
    /// Duplicate or missing keys: the real field manager fails.
    error: bool,
    /// Walk equal subtrees too (to find duplicate keys in them).
    full: bool,
}

impl Differ {
    fn walk(&mut self, tr: TypeRef, lhs: Side, rhs: Side, changed: &mut Set, removed: &mut Set) {
        if self.error || (!self.full && lhs.same(rhs)) {
            return;
        }
        match tr.ty.shape() {
            Shape::Scalar => self.leaf(tr, lhs, rhs, changed, removed),
            Shape::Struct(s) if atomic_struct(s) => self.leaf(tr, lhs, rhs, changed, removed),
            Shape::Struct(s) => {
                let (l, r) = (lhs.as_struct(), rhs.as_struct());
                if struct_is_empty(s, l) && struct_is_empty(s, r) {
                    return self.leaf(tr, lhs, rhs, changed, removed);
                }
                let meta = s.go_name() == "v1.ObjectMeta";
                for f in s.fields() {
                    if meta && f.name() == "managedFields" {
                        continue;
                    }
                    let (fl, fr) = (field_side(f, l), field_side(f, r));
                    if fl.is_absent() && fr.is_absent() {
                        continue;
                    }
                    let (mut c, mut d) = (Set::default(), Set::default());
                    self.walk(TypeRef::field(f), fl, fr, &mut c, &mut d);
                    if !c.is_empty() {
                        changed.push(Pe::Field(f.name().to_string()), c);
                    }
                    if !d.is_empty() {
                        removed.push(Pe::Field(f.name().to_string()), d);
                    }
                }
                changed.sort();
                removed.sort();
                self.item_hook(lhs, rhs, changed, removed);
            }
            Shape::Map(elem) => {
                let (l, r) = (lhs.as_map(), rhs.as_map());
                if l.is_none_or(Map::is_empty) && r.is_none_or(Map::is_empty) {
                    return self.leaf(tr, lhs, rhs, changed, removed);
                }
                let empty = Map::new();
                let (l, r) = (l.unwrap_or(&empty), r.unwrap_or(&empty));
                for (k, v) in l {
                    let other = r.get(k).map_or(Side::Absent, Side::Val);
                    if !self.full && Side::Val(v).same(other) {
                        continue;
                    }
                    self.child(
                        TypeRef::of(elem),
                        Side::Val(v),
                        other,
                        Pe::Field(k.clone()),
                        changed,
                        removed,
                    );
                }
                for (k, v) in r.iter().filter(|(k, _)| !l.contains_key(*k)) {
                    self.child(
                        TypeRef::of(elem),
                        Side::Absent,
                        Side::Val(v),
                        Pe::Field(k.clone()),
                        changed,
                        removed,
                    );
                }
                changed.sort();
                removed.sort();
                self.item_hook(lhs, rhs, changed, removed);
            }
            Shape::List(_) if tr.list == ListKind::Atomic => {
                self.leaf(tr, lhs, rhs, changed, removed)
            }
            Shape::List(elem) => {
                let (l, r) = (lhs.as_list(), rhs.as_list());
                if l.is_none_or(<[Value]>::is_empty) && r.is_none_or(<[Value]>::is_empty) {
                    return self.leaf(tr, lhs, rhs, changed, removed);
                }
                let (l, r) = (l.unwrap_or(&[]), r.unwrap_or(&[]));
                let mut right: Vec<(Pe, &Value)> = Vec::with_capacity(r.len());
                for item in r {
                    let Some(pe) = item_pe(tr.list, elem, item) else {
                        self.error = true;
                        return;
                    };
                    if right.iter().any(|(p, _)| p.cmp(&pe) == Ordering::Equal) {
                        self.error = true;
                        return;
                    }
                    right.push((pe, item));
                }
                let mut seen: Vec<usize> = Vec::with_capacity(l.len());
                let mut left: Vec<Pe> = Vec::with_capacity(l.len());
                for item in l {
                    let Some(pe) = item_pe(tr.list, elem, item) else {
                        self.error = true;
                        return;
                    };
                    if left.iter().any(|p| p.cmp(&pe) == Ordering::Equal) {
                        self.error = true;
                        return;
                    }
                    let other = right
                        .iter()
                        .position(|(p, _)| p.cmp(&pe) == Ordering::Equal);
                    let rhs_item = other.map_or(Side::Absent, |i| Side::Val(right[i].1));
                    seen.extend(other);
                    left.push(pe.clone());
                    self.child(
                        TypeRef::of(elem),
                        Side::Val(item),
                        rhs_item,
                        pe,
                        changed,
                        removed,
                    );
                }
                for (i, (pe, item)) in right.into_iter().enumerate() {
                    if !seen.contains(&i) {
                        self.child(
                            TypeRef::of(elem),
                            Side::Absent,
                            Side::Val(item),
                            pe,
                            changed,
                            removed,
                        );
                    }
                }
                changed.sort();
                removed.sort();
                self.item_hook(lhs, rhs, changed, removed);
            }
        }
    }

    fn child(
        &mut self,
        tr: TypeRef,
        lhs: Side,
        rhs: Side,
        pe: Pe,
        changed: &mut Set,
        removed: &mut Set,
    ) {
        let (mut c, mut d) = (Set::default(), Set::default());
        self.walk(tr, lhs, rhs, &mut c, &mut d);
        match (c.is_empty(), d.is_empty()) {
            (true, true) => {}
            (false, true) => changed.push(pe, c),
            (true, false) => removed.push(pe, d),
            (false, false) => {
                changed.push(pe.clone(), c);
                removed.push(pe, d);
            }
        }
    }

    /// A leaf (scalar, atomic value, or a map or list empty on both sides).
    fn leaf(&mut self, tr: TypeRef, lhs: Side, rhs: Side, changed: &mut Set, removed: &mut Set) {
        if lhs.is_absent() {
            changed.member = true;
        } else if rhs.is_absent() {
            removed.member = true;
        } else if !same_encoded(tr, lhs, rhs) {
            changed.member = true;
        }
    }

    /// A map, struct or list (item) that appeared or disappeared is a path of its own.
    fn item_hook(&mut self, lhs: Side, rhs: Side, changed: &mut Set, removed: &mut Set) {
        if lhs.is_absent() {
            changed.member = true;
        } else if rhs.is_absent() {
            removed.member = true;
        }
    }
}

/// `ReconcileFieldSetWithSchema` of a manager's set against the live object.
struct Reconciler<'a> {
    root: TypeRef,
    live: Side<'a>,
    error: bool,
}

/// A path as a list linked from a node to the root, on the stack of a walk.
struct PathNode<'p> {
    step: Step<'p>,
    parent: Option<&'p PathNode<'p>>,
}

/// One element of a path: parsed, or as a stored `fieldsV1` key.
#[derive(Clone, Copy)]
enum Step<'p> {
    Pe(&'p Pe),
    Key(&'p str),
}

impl<'a> Reconciler<'a> {
    /// The type of a child of a node of type `tr`, if the schema has it.
    fn child_type(tr: TypeRef, step: Step) -> Option<TypeRef> {
        let is_item = match step {
            Step::Pe(pe) => !matches!(pe, Pe::Field(_)),
            Step::Key(k) => !k.starts_with("f:"),
        };
        match tr.ty.shape() {
            Shape::Struct(s) if !is_item => {
                let f = s.field(step_field(step)?)?;
                Some(TypeRef::field(f))
            }
            Shape::Map(elem) if !is_item => Some(TypeRef::of(elem)),
            Shape::List(elem) if is_item && tr.list != ListKind::Atomic => Some(TypeRef::of(elem)),
            _ => None,
        }
    }

    fn visit(&mut self, tr: TypeRef, node: &mut Set, path: Option<&PathNode>) {
        let owned_whole = node.member && node.children.is_empty();
        match tr.ty.shape() {
            Shape::Scalar => {}
            Shape::Struct(s) if atomic_struct(s) => {
                if !owned_whole && !node.children.is_empty() {
                    *node = Set::leaf();
                }
            }
            Shape::List(_) if tr.list == ListKind::Atomic => {
                if !owned_whole {
                    *node = Set::leaf();
                }
            }
            _ if owned_whole => {
                // Owned as a whole, but granular: owned field by field as the live object has it.
                if let Some((tr, live)) = self.live_at(path) {
                    node.union(self.field_set(tr, live));
                }
            }
            _ => {
                for (pe, child) in node.children.iter_mut() {
                    let step = Step::Pe(pe);
                    if let Some(child_tr) = Self::child_type(tr, step) {
                        let here = PathNode { step, parent: path };
                        self.visit(child_tr, child, Some(&here));
                    }
                }
            }
        }
    }

    /// Whether [`Reconciler::visit`] would change a stored set, without parsing it.
    fn stored_needs_visit(&self, tr: TypeRef, node: &Value, path: Option<&PathNode>) -> bool {
        let Value::Object(m) = node else {
            return false;
        };
        let has_children = m.keys().any(|k| k != ".");
        match tr.ty.shape() {
            Shape::Scalar => false,
            Shape::Struct(s) if atomic_struct(s) => has_children,
            Shape::List(_) if tr.list == ListKind::Atomic => has_children,
            _ if !has_children => self
                .live_at(path)
                .is_some_and(|(tr, live)| has_fields(tr, live)),
            _ => m.iter().any(|(k, child)| {
                let step = Step::Key(k);
                k != "."
                    && Self::child_type(tr, step).is_some_and(|child_tr| {
                        let here = PathNode { step, parent: path };
                        self.stored_needs_visit(child_tr, child, Some(&here))
                    })
            }),
        }
    }

    /// The live value at `path`, and its type.
    fn live_at(&self, path: Option<&PathNode>) -> Option<(TypeRef, Side<'a>)> {
        let mut steps = Vec::new();
        let mut at = path;
        while let Some(node) = at {
            steps.push(node.step);
            at = node.parent;
        }
        let (mut tr, mut side) = (self.root, self.live);
        for &step in steps.iter().rev() {
            (tr, side) = match tr.ty.shape() {
                Shape::Struct(s) => {
                    let f = s.field(step_field(step)?)?;
                    (TypeRef::field(f), field_side(f, side.as_struct()))
                }
                Shape::Map(elem) => (
                    TypeRef::of(elem),
                    Side::Val(side.as_map()?.get(step_field(step)?)?),
                ),
                Shape::List(elem) => {
                    let parsed;
                    let pe = match step {
                        Step::Pe(pe) => pe,
                        Step::Key(k) => {
                            parsed = Pe::parse(k).ok()??;
                            &parsed
                        }
                    };
                    let item = side.as_list()?.iter().find(|item| {
                        item_pe(tr.list, elem, item).is_some_and(|p| p.cmp(pe) == Ordering::Equal)
                    })?;
                    (TypeRef::of(elem), Side::Val(item))
                }
                Shape::Scalar => return None,
            };
            if side.is_absent() {
                return None;
            }
        }
        Some((tr, side))
    }

    /// `buildGranularFieldSet`: the path itself and every field of the live value below it, as
    /// `ToFieldSet` lists them.
    fn field_set(&mut self, tr: TypeRef, side: Side) -> Set {
        let mut set = self.value_field_set(tr, side);
        set.member = true;
        set
    }

    /// `TypedValue.ToFieldSet` below one value: scalars, atomic values, list items and map entries
    /// are paths; struct fields that hold maps or lists only through what is in them.
    fn value_field_set(&mut self, tr: TypeRef, side: Side) -> Set {
        match tr.ty.shape() {
            Shape::Scalar => Set::leaf(),
            Shape::Struct(s) if atomic_struct(s) => Set::leaf(),
            Shape::List(_) if tr.list == ListKind::Atomic => Set::leaf(),
            Shape::Struct(s) => {
                let mut set = Set::default();
                let fields = side.as_struct();
                if fields.is_none() {
                    return set;
                }
                let meta = s.go_name() == "v1.ObjectMeta";
                for f in s.fields() {
                    let v = field_side(f, fields);
                    if v.is_absent() || (meta && f.name() == "managedFields") {
                        continue;
                    }
                    let child = self.value_field_set(TypeRef::field(f), v);
                    set.push(Pe::Field(f.name().to_string()), child);
                }
                set.sort();
                set
            }
            Shape::Map(elem) => {
                let mut set = Set::default();
                for (k, v) in side.as_map().into_iter().flatten() {
                    let child = self.field_set(TypeRef::of(elem), Side::Val(v));
                    set.push(Pe::Field(k.clone()), child);
                }
                set.sort();
                set
            }
            Shape::List(elem) => {
                let mut set = Set::default();
                for item in side.as_list().unwrap_or(&[]) {
                    let Some(pe) = item_pe(tr.list, elem, item) else {
                        self.error = true;
                        return set;
                    };
                    let child = self.field_set(TypeRef::of(elem), Side::Val(item));
                    set.entry(pe).union(child);
                }
                set
            }
        }
    }
}

/// The field name of a step into a struct or map.
fn step_field(step: Step<'_>) -> Option<&str> {
    match step {
        Step::Pe(Pe::Field(name)) => Some(name),
        Step::Key(k) => k.strip_prefix("f:"),
        Step::Pe(_) => None,
    }
}

/// Whether `ToFieldSet` of a value has anything in it.
fn has_fields(tr: TypeRef, side: Side) -> bool {
    match tr.ty.shape() {
        Shape::Scalar => true,
        Shape::Struct(s) if atomic_struct(s) => true,
        Shape::List(_) if tr.list == ListKind::Atomic => true,
        Shape::Struct(s) => {
            let fields = side.as_struct();
            fields.is_some()
                && s.fields().any(|f| {
                    let v = field_side(f, fields);
                    !v.is_absent()
                        && f.name() != "managedFields"
                        && has_fields(TypeRef::field(f), v)
                })
        }
        Shape::Map(_) => side.as_map().is_some_and(|m| !m.is_empty()),
        Shape::List(_) => side.as_list().is_some_and(|l| !l.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(mf: &Value, i: usize) -> &Value {
        &mf[i]["fieldsV1"]
    }

    #[test]
    fn manager_from_user_agent() {
        assert_eq!(manager_name(None, "curl/7.88.1"), "curl");
        assert_eq!(manager_name(Some("me"), "curl/7.88.1"), "me");
        assert_eq!(manager_name(None, ""), "unknown");
        assert_eq!(manager_name(Some(""), "/x"), "unknown");
        assert_eq!(manager_name(None, "a\u{7}b/1"), "ab");
        assert_eq!(manager_name(None, &"x".repeat(200)).len(), 128);
    }

    #[test]
    fn create_owns_what_the_request_set_and_defaulting_added() {
        let new = json!({"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": "p", "labels": {"a": "1"}},
            "spec": {"containers": [{"name": "c", "image": "x", "env": [{"name": "e", "value": "v"}],
                                     "volumeMounts": [{"name": "v", "mountPath": "/m"}],
                                     "ports": [{"containerPort": 80, "protocol": "TCP"}]}],
                     "volumes": [{"name": "v", "emptyDir": {}}], "restartPolicy": "Always"}});
        let mf = update("Pod", None, &mut new.clone(), "curl", "T").unwrap();
        assert_eq!(mf[0]["manager"], "curl");
        assert_eq!(
            fields(&mf, 0),
            &json!({
                "f:metadata": {"f:labels": {".": {}, "f:a": {}}},
                "f:spec": {
                    "f:containers": {"k:{\"name\":\"c\"}": {
                        ".": {},
                        "f:env": {".": {}, "k:{\"name\":\"e\"}": {".": {}, "f:name": {}, "f:value": {}}},
                        "f:image": {}, "f:name": {},
                        "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}":
                            {".": {}, "f:containerPort": {}, "f:protocol": {}}},
                        "f:resources": {},
                        "f:volumeMounts": {".": {}, "k:{\"mountPath\":\"/m\"}":
                            {".": {}, "f:mountPath": {}, "f:name": {}}}}},
                    "f:restartPolicy": {},
                    "f:volumes": {".": {}, "k:{\"name\":\"v\"}": {".": {}, "f:emptyDir": {}, "f:name": {}}}
                }
            })
        );
    }

    #[test]
    fn writes_move_fields_between_managers() {
        let mut live = json!({"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": "p", "labels": {"a": "1"}},
            "spec": {"containers": [{"name": "c", "image": "x", "resources": {}}]}, "status": {}});
        live["metadata"]["managedFields"] =
            update("Pod", None, &mut live.clone(), "kubectl", "T1").unwrap();
        let mut new = live.clone();
        new["spec"]["containers"][0]["image"] = json!("y");
        new["metadata"]["labels"] = json!({});
        let mf = update("Pod", Some(&live), &mut new, "curl", "T2").unwrap();
        let mf = mf.as_array().unwrap();
        assert_eq!(mf.len(), 2);
        assert_eq!(mf[0]["manager"], "kubectl");
        assert_eq!(mf[0]["time"], "T1");
        let kubectl = &mf[0]["fieldsV1"];
        assert!(
            kubectl["f:spec"]["f:containers"]["k:{\"name\":\"c\"}"]
                .get("f:image")
                .is_none()
        );
        // Labels left out of the new object: the map is gone, with its entries.
        assert!(kubectl.get("f:metadata").is_none());
        assert_eq!(mf[1]["manager"], "curl");
        assert_eq!(mf[1]["time"], "T2");
        assert_eq!(
            mf[1]["fieldsV1"],
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"c\"}": {"f:image": {}}}}})
        );
    }

    #[test]
    fn a_manager_keeps_its_time_while_its_set_stays_the_same() {
        let mut live = json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"},
                              "spec": {"containers": [{"name": "c", "image": "x"}]}});
        live["metadata"]["managedFields"] =
            update("Pod", None, &mut live.clone(), "m", "T1").unwrap();
        // A new value of a field it owns: the same set, the same time (as managedFieldsUpdater).
        let mut new = live.clone();
        new["spec"]["containers"][0]["image"] = json!("y");
        let mf = update("Pod", Some(&live), &mut new, "m", "T2").unwrap();
        assert_eq!(mf[0]["time"], "T1", "{mf}");
        // A field it did not own yet: a new set, a new time.
        let mut more = live.clone();
        more["spec"]["containers"][0]["workingDir"] = json!("/w");
        let mf = update("Pod", Some(&live), &mut more, "m", "T3").unwrap();
        assert_eq!(mf[0]["time"], "T3", "{mf}");
    }

    #[test]
    fn an_update_without_changes_changes_nothing() {
        let mut live = json!({"kind": "Pod", "metadata": {"name": "p"},
                              "spec": {"containers": [{"name": "c", "image": "x"}]}});
        live["metadata"]["managedFields"] =
            update("Pod", None, &mut live.clone(), "m", "T1").unwrap();
        let mf = update("Pod", Some(&live), &mut live.clone(), "other", "T2").unwrap();
        assert_eq!(mf, live["metadata"]["managedFields"]);
    }

    #[test]
    fn granular_fields_owned_whole_are_owned_field_by_field() {
        let mut live = json!({"metadata": {"name": "p", "labels": {"a": "1", "b": "2"}},
                              "spec": {"tolerations": [{"key": "k"}]}});
        live["metadata"]["managedFields"] = json!([{"manager": "m", "operation": "Update",
            "apiVersion": "v1", "time": "T0", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:labels": {}}, "f:spec": {"f:tolerations": {"f:x": {}}}}}]);
        let mf = update("Pod", Some(&live), &mut live.clone(), "other", "T1").unwrap();
        assert_eq!(
            fields(&mf, 0),
            &json!({"f:metadata": {"f:labels": {".": {}, "f:a": {}, "f:b": {}}},
                    "f:spec": {"f:tolerations": {}}})
        );
    }

    #[test]
    fn duplicate_keys_leave_no_managed_fields() {
        let new = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c",
            "env": [{"name": "e"}, {"name": "e"}]}]}});
        assert_eq!(update("Pod", None, &mut new.clone(), "m", "T"), None);
    }

    #[test]
    fn a_single_empty_entry_resets() {
        let mut live = json!({"metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {}});
        live["metadata"]["managedFields"] =
            update("Pod", None, &mut live.clone(), "m", "T1").unwrap();
        let mut new = live.clone();
        new["metadata"]["managedFields"] = json!([{}]);
        assert_eq!(update("Pod", Some(&live), &mut new, "m", "T2"), None);
    }

    #[test]
    fn beyond_ten_update_managers_the_oldest_are_merged() {
        let mut live = json!({"metadata": {"name": "p", "labels": {"name": "x"}}, "spec": {}});
        let t = |i: usize| format!("2020-01-01T00:00:{i:02}Z");
        let mf = update("Pod", None, &mut live.clone(), "creator", &t(0));
        live["metadata"]["managedFields"] = mf.unwrap();
        for i in 0..11 {
            let mut new = live.clone();
            new["metadata"]["labels"][format!("l{i}")] = json!("v");
            let mf = update("Pod", Some(&live), &mut new, &format!("m{i:02}"), &t(i + 1));
            live = new;
            live["metadata"]["managedFields"] = mf.unwrap();
        }
        let mf = live["metadata"]["managedFields"].as_array().unwrap();
        let managers: Vec<&str> = mf.iter().map(|e| e["manager"].as_str().unwrap()).collect();
        assert_eq!(
            managers,
            [
                "ancient-changes",
                "m02",
                "m03",
                "m04",
                "m05",
                "m06",
                "m07",
                "m08",
                "m09",
                "m10"
            ]
        );
        assert_eq!(mf[0]["time"], t(2));
        assert_eq!(
            mf[0]["fieldsV1"],
            json!({"f:metadata": {"f:labels": {".": {}, "f:l0": {}, "f:l1": {}, "f:name": {}}}})
        );
    }

    #[test]
    fn keys_are_written_as_go_writes_them() {
        let pe = Pe::Key(vec![("mountPath".into(), json!("/a\"<b>&\u{e9}\n"))]);
        assert_eq!(
            pe.to_key(),
            "k:{\"mountPath\":\"/a\\\"\\u003cb\\u003e\\u0026\u{e9}\\n\"}"
        );
        let parsed = Pe::parse(&pe.to_key()).unwrap().unwrap();
        assert_eq!(parsed.cmp(&pe), Ordering::Equal);
    }

    #[test]
    fn path_element_order() {
        let pes = [
            Pe::Field("a".into()),
            Pe::Field("b".into()),
            Pe::Key(vec![
                ("containerPort".into(), json!(9)),
                ("protocol".into(), json!("TCP")),
            ]),
            Pe::Key(vec![
                ("containerPort".into(), json!(10)),
                ("protocol".into(), json!("TCP")),
            ]),
            Pe::Value(json!("x")),
            Pe::Index(0),
        ];
        let mut sorted = pes.to_vec();
        sorted.reverse();
        sorted.sort_by(|a, b| a.cmp(b));
        let keys: Vec<String> = sorted.iter().map(Pe::to_key).collect();
        assert_eq!(
            keys,
            [
                "f:a",
                "f:b",
                "k:{\"containerPort\":9,\"protocol\":\"TCP\"}",
                "k:{\"containerPort\":10,\"protocol\":\"TCP\"}",
                "v:\"x\"",
                "i:0"
            ]
        );
    }
}
