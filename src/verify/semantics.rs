//! Layer 2, semantics: the checks a case names (the patch applied locally equals the answer, the
//! spec left alone by a status write, resourceVersion changed, nothing changed after a failure, …).

use super::diff::{diff_exact, diff_skipping};
use super::{Layer, Mismatch, Observation, mismatch};
use crate::cases::{Check, Expect};
use serde_json::Value;

pub(super) fn check(check: Check, expect: &Expect, obs: &Observation, out: &mut Vec<Mismatch>) {
    use Layer::Semantics as S;
    let name = serde_json::to_value(check)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let actual = obs.json.as_ref();
    let before = obs.before.as_ref();
    let missing = |what: &str| mismatch(S, &name, "", Some(what.into()), None);
    match check {
        Check::JsonPatchApplied | Check::MergePatchApplied => {
            let (Some(before), Some(actual)) = (before, actual) else {
                out.push(missing("the object before the request and a JSON answer"));
                return;
            };
            let mut expected = before.clone();
            // What the patch removes explicitly: a `remove` operation, a merge patch's null.
            let mut removed = Vec::new();
            let applied = match check {
                Check::JsonPatchApplied => {
                    serde_json::from_slice::<json_patch::Patch>(&obs.request_body)
                        .map_err(|e| e.to_string())
                        .and_then(|p| {
                            for op in &p.0 {
                                if let json_patch::PatchOperation::Remove(r) = op {
                                    removed.push(r.path.to_string());
                                }
                            }
                            json_patch::patch(&mut expected, &p).map_err(|e| e.to_string())
                        })
                }
                _ => serde_json::from_slice::<Value>(&obs.request_body)
                    .map(|p| {
                        null_pointers(&p, &mut String::new(), &mut removed);
                        json_patch::merge(&mut expected, &p)
                    })
                    .map_err(|e| e.to_string()),
            };
            if let Err(e) = applied {
                out.push(mismatch(
                    S,
                    &name,
                    "",
                    Some(Value::String(format!("a patch that applies locally ({e})"))),
                    None,
                ));
                return;
            }
            // What the kind's strategy keeps on a write of the object stays as it was.
            let av = before
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or("");
            let kind = before.get("kind").and_then(Value::as_str).unwrap_or("");
            for p in crate::kinds::fields::kept_by_update(av, kind) {
                crate::json_pointer::set(&mut expected, p, before.pointer(p).cloned());
            }
            // The volatile fields are left out on both sides (without copying the answer).
            let mut found = Vec::new();
            diff_skipping(
                S,
                &expected,
                actual,
                &mut String::new(),
                &name,
                &mut found,
                crate::kinds::fields::WRITE_VOLATILE,
            );
            // A field the answer has beyond the patched object is the server's default (a list
            // the patch replaces gets its elements defaulted again), unless the patch removed it.
            out.extend(found.into_iter().filter(|m| {
                m.expected.is_some()
                    || removed
                        .iter()
                        .any(|r| m.path == *r || m.path.starts_with(&format!("{r}/")))
            }));
        }
        Check::SpecUnchanged => {
            let (Some(before), Some(actual)) = (before, actual) else {
                out.push(missing("the object before the request and a JSON answer"));
                return;
            };
            diff_exact(
                before.get("spec").unwrap_or(&Value::Null),
                actual.get("spec").unwrap_or(&Value::Null),
                &mut String::from("/spec"),
                &name,
                out,
            );
        }
        Check::ResourceVersionChanged => {
            let rv = |v: Option<&Value>| {
                v.and_then(|v| v.pointer("/metadata/resourceVersion"))
                    .cloned()
            };
            let (b, a) = (rv(before), rv(actual));
            // A write that changes nothing is not written: the resourceVersion stays.
            let kind = |v: &Value| v.get("kind").cloned();
            let changed = match (before, actual) {
                // A scale of the object: its replicas are what it writes.
                (Some(b), Some(a)) if kind(b) != kind(a) => {
                    kind(a).as_ref().and_then(Value::as_str) != Some("Scale")
                        || b.pointer("/spec/replicas")
                            .and_then(Value::as_u64)
                            .unwrap_or(1)
                            != a.pointer("/spec/replicas")
                                .and_then(Value::as_u64)
                                .unwrap_or(1)
                }
                (Some(b), Some(a)) => {
                    let mut found = Vec::new();
                    diff_skipping(
                        S,
                        b,
                        a,
                        &mut String::new(),
                        "",
                        &mut found,
                        crate::kinds::fields::WRITE_VOLATILE,
                    );
                    !found.is_empty()
                }
                _ => true,
            };
            let holds = match (&b, &a) {
                (Some(b), Some(a)) => (a != b) == changed,
                _ => false,
            };
            if !holds {
                let b = b.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
                out.push(mismatch(
                    S,
                    &name,
                    "/metadata/resourceVersion",
                    Some(Value::String(if changed {
                        format!("a resourceVersion other than {b}")
                    } else {
                        format!("{b}, unchanged: the write changed nothing")
                    })),
                    a,
                ));
            }
        }
        Check::IdentityPreserved => {
            let (Some(before), Some(actual)) = (before, actual) else {
                out.push(missing("the object before the request and a JSON answer"));
                return;
            };
            for p in [
                "/metadata/uid",
                "/metadata/name",
                "/metadata/namespace",
                "/metadata/creationTimestamp",
            ] {
                if before.pointer(p) != actual.pointer(p) {
                    out.push(mismatch(
                        S,
                        &name,
                        p,
                        before.pointer(p).cloned(),
                        actual.pointer(p).cloned(),
                    ));
                }
            }
        }
        Check::UnchangedOnFailure => {
            if (200..300).contains(&expect.status) {
                return;
            }
            match (before, obs.after.as_ref()) {
                (Some(b), Some(a)) => diff_exact(b, a, &mut String::new(), &name, out),
                (None, None) => {}
                (b, a) => out.push(mismatch(S, &name, "", b.cloned(), a.cloned())),
            }
        }
        Check::Indented => {
            let indented = obs.body.windows(3).any(|w| w == b"\n  ");
            if !indented {
                out.push(mismatch(
                    S,
                    &name,
                    "",
                    Some("indented JSON".into()),
                    Some("compact JSON".into()),
                ));
            }
        }
    }
}

/// The JSON Pointers of a merge patch's nulls (the fields it removes).
fn null_pointers(patch: &Value, at: &mut String, out: &mut Vec<String>) {
    if let Value::Object(m) = patch {
        for (k, v) in m {
            let len = at.len();
            crate::json_pointer::push(at, k);
            if v.is_null() {
                out.push(at.clone());
            } else {
                null_pointers(v, at, out);
            }
            at.truncate(len);
        }
    }
}
