//! `metadata.managedFields`: which manager (derived from the User-Agent) last set which fields.
//!
//! A model of kube-apiserver's field manager for `Update` operations: every write gives the writing
//! manager the fields it changed and takes them from the others. The `fieldsV1` encoding (`f:` for
//! fields, `k:{...}` for list items with a key, `.` for an owned item) follows the real one; the exact
//! sets can differ from the real server's in corner cases, which is why comparisons normalise them.
//! The cost is proportional to what a write changes, not to the size of the object.

use serde_json::{Map, Value, json};

/// The manager name for a request: the `fieldManager` query parameter, else the User-Agent up to `/`.
pub fn manager_name(field_manager: Option<&str>, user_agent: &str) -> String {
    match field_manager {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => user_agent.split('/').next().unwrap_or("").to_string(),
    }
}

/// One changed field: its `fieldsV1` path, and whether it is still set (else it was removed).
struct Change {
    path: Vec<String>,
    set: bool,
}

/// Updates `new`'s `metadata.managedFields` for a write by `manager` at `time`, given the previous
/// object `old` (None on create). On update, `new` must carry `old`'s `managedFields` (as a real
/// `Update` ignores the ones a client sends); on create, any in `new` are dropped.
pub fn record_update(new: &mut Value, old: Option<&Value>, manager: &str, time: &str) {
    let empty = Value::Object(Map::new());
    let before = old.unwrap_or(&empty);
    let mut changes = Vec::new();
    let mut at = Vec::new();
    for top in ["spec", "status"] {
        at.push(format!("f:{top}"));
        diff(before.get(top), new.get(top), &mut at, &mut changes);
        at.pop();
    }
    for meta in ["labels", "annotations"] {
        at.push("f:metadata".to_string());
        at.push(format!("f:{meta}"));
        let (b, n) = (
            before.get("metadata").and_then(|m| m.get(meta)),
            new.get("metadata").and_then(|m| m.get(meta)),
        );
        if b.is_none() && n.is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty())) {
            at.push(".".into());
            changes.push(Change {
                path: at.clone(),
                set: true,
            });
            at.pop();
        }
        diff(b, n, &mut at, &mut changes);
        at.truncate(0);
    }
    // The entries so far are the ones `new` carries (the caller put the old object's there).
    let mut entries: Vec<Value> = match new
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove("managedFields"))
    {
        Some(Value::Array(a)) if old.is_some() => a,
        _ => Vec::new(),
    };
    if !changes.is_empty() {
        for e in entries.iter_mut() {
            if let Some(fields) = e.get_mut("fieldsV1") {
                for c in &changes {
                    remove_path(fields, &c.path);
                }
            }
        }
        let pos = entries
            .iter()
            .position(|e| e.get("manager").and_then(Value::as_str) == Some(manager));
        let mut entry = match pos {
            Some(p) => entries.remove(p),
            None => {
                let mut e = json!({"manager": manager, "operation": "Update", "apiVersion": "v1",
                                   "time": time, "fieldsType": "FieldsV1", "fieldsV1": {}});
                // `manager` is omitempty: a request without User-Agent has an entry without it.
                if manager.is_empty()
                    && let Some(m) = e.as_object_mut()
                {
                    m.remove("manager");
                }
                e
            }
        };
        entry["time"] = json!(time);
        for c in changes.iter().filter(|c| c.set) {
            insert_path(&mut entry["fieldsV1"], &c.path);
        }
        // The real field manager keeps entries in the order they were first made.
        match pos {
            Some(p) => entries.insert(p, entry),
            None => entries.push(entry),
        }
        entries.retain(|e| {
            e.get("fieldsV1")
                .is_some_and(|f| f.as_object().is_some_and(|m| !m.is_empty()))
        });
    }
    if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        if entries.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert("managedFields".into(), Value::Array(entries));
        }
    }
}

/// Appends the leaf paths that differ between `old` and `new` (below the path `at`).
fn diff(old: Option<&Value>, new: Option<&Value>, at: &mut Vec<String>, out: &mut Vec<Change>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Some(Value::Object(o)), Some(Value::Object(n))) if !n.is_empty() || !o.is_empty() => {
            for (k, nv) in n {
                at.push(format!("f:{k}"));
                diff(o.get(k), Some(nv), at, out);
                at.pop();
            }
            for (k, ov) in o.iter().filter(|(k, _)| !n.contains_key(*k)) {
                at.push(format!("f:{k}"));
                diff(Some(ov), None, at, out);
                at.pop();
            }
        }
        (Some(Value::Array(o)), Some(Value::Array(n))) if keyed(o) && keyed(n) => {
            for item in n {
                let key = item_key(item).unwrap_or_default();
                let before = o
                    .iter()
                    .find(|i| item_key(i).as_deref() == Some(key.as_str()));
                at.push(key);
                if before.is_none() {
                    at.push(".".into());
                    out.push(Change {
                        path: at.clone(),
                        set: true,
                    });
                    at.pop();
                }
                diff(before, Some(item), at, out);
                at.pop();
            }
            for item in o {
                let key = item_key(item).unwrap_or_default();
                if !n
                    .iter()
                    .any(|i| item_key(i).as_deref() == Some(key.as_str()))
                {
                    at.push(key);
                    out.push(Change {
                        path: at.clone(),
                        set: false,
                    });
                    at.pop();
                }
            }
        }
        (None, Some(Value::Object(n))) if !n.is_empty() => {
            diff(Some(&Value::Object(Map::new())), new, at, out);
        }
        (None, Some(Value::Array(n))) if keyed(n) && !n.is_empty() => {
            diff(Some(&Value::Array(Vec::new())), new, at, out);
        }
        (_, None) => out.push(Change {
            path: at.clone(),
            set: false,
        }),
        _ => out.push(Change {
            path: at.clone(),
            set: true,
        }),
    }
}

fn keyed(items: &[Value]) -> bool {
    items.iter().all(|i| item_key(i).is_some())
}

/// `k:{"name":"x"}` for list items that have one of the usual merge keys.
fn item_key(item: &Value) -> Option<String> {
    for key in [
        "name",
        "type",
        "ip",
        "containerPort",
        "mountPath",
        "devicePath",
        "uid",
    ] {
        if let Some(k) = item.get(key) {
            let mut m = Map::new();
            m.insert(key.to_string(), k.clone());
            return Some(format!("k:{}", Value::Object(m)));
        }
    }
    None
}

fn insert_path(fields: &mut Value, path: &[String]) {
    let mut cur = fields;
    for el in path {
        if !cur.is_object() {
            *cur = json!({});
        }
        let Value::Object(m) = cur else { return };
        cur = m.entry(el.clone()).or_insert_with(|| json!({}));
    }
}

/// Removes `path` and everything below it; parents left empty are removed too.
fn remove_path(fields: &mut Value, path: &[String]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let Some(m) = fields.as_object_mut() else {
        return false;
    };
    if rest.is_empty() {
        m.remove(first);
    } else if let Some(child) = m.get_mut(first) {
        remove_path(child, rest);
        if child.as_object().is_some_and(|c| c.is_empty()) {
            m.remove(first);
        }
    }
    m.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manager_from_user_agent() {
        assert_eq!(manager_name(None, "curl/7.88.1"), "curl");
        assert_eq!(manager_name(Some("me"), "curl/7.88.1"), "me");
    }

    #[test]
    fn writes_move_fields_between_managers() {
        let mut created = json!({"metadata": {"name": "p", "labels": {"a": "1"}},
                                 "spec": {"containers": [{"name": "c", "image": "x"}]}});
        record_update(&mut created, None, "kubectl", "T1");
        let fields = &created["metadata"]["managedFields"][0]["fieldsV1"];
        let container = &fields["f:spec"]["f:containers"]["k:{\"name\":\"c\"}"];
        assert_eq!(container["f:image"], json!({}));
        assert_eq!(container["."], json!({}));
        assert_eq!(fields["f:metadata"]["f:labels"]["f:a"], json!({}));

        let mut updated = created.clone();
        updated["spec"]["containers"][0]["image"] = json!("y");
        // The caller hands over the old entries in the new object.
        record_update(&mut updated, Some(&created), "curl", "T2");
        let mf = updated["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(mf.len(), 2);
        assert!(
            mf[0]["fieldsV1"]["f:spec"]["f:containers"]["k:{\"name\":\"c\"}"]
                .get("f:image")
                .is_none()
        );
        assert_eq!(mf[0]["time"], "T1");
        assert_eq!(mf[1]["manager"], "curl");
        assert_eq!(mf[1]["time"], "T2");
        assert_eq!(
            mf[1]["fieldsV1"]["f:spec"]["f:containers"]["k:{\"name\":\"c\"}"]["f:image"],
            json!({})
        );
    }

    #[test]
    fn removed_fields_leave_every_manager() {
        let mut created = json!({"metadata": {"name": "p", "labels": {"a": "1"}}, "spec": {}});
        record_update(&mut created, None, "m", "T1");
        let mut updated = created.clone();
        updated["metadata"]["labels"] = json!({});
        record_update(&mut updated, Some(&created), "m", "T2");
        let fields = &updated["metadata"]["managedFields"][0]["fieldsV1"];
        assert!(
            fields["f:metadata"]["f:labels"].get("f:a").is_none(),
            "{updated}"
        );
    }
}
