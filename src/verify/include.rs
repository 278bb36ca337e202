//! Layer 3, document inclusion: the fields of the document's example, in the answer.

use super::{Drift, Layer, Verdict, mismatch};
use serde_json::Value;
use std::collections::BTreeMap;

/// Inclusion: every field of `expected` must be in `actual` with the same value (objects may have
/// more fields; arrays are compared element by element and may be longer). Environmental paths are
/// not failures; where the target differs there, it is document drift.
pub(super) fn diff(
    expected: &Value,
    actual: Option<&Value>,
    at: &mut String,
    environmental: &BTreeMap<String, String>,
    v: &mut Verdict,
) {
    if let Some(reason) = environmental.get(at.as_str()) {
        // Drift: a documented field the target never returns, or contradicts. A value the server
        // assigns to each object (a uid, a timestamp) differs by nature: only its absence or another
        // type is drift.
        let per_object = at
            .rsplit('/')
            .next()
            .is_some_and(crate::kinds::fields::is_per_object);
        let drifted = match actual {
            None => true,
            Some(a) if std::mem::discriminant(a) != std::mem::discriminant(expected) => true,
            Some(a) => !per_object && a != expected,
        };
        if drifted {
            v.drift.push(Drift {
                path: at.clone(),
                documented: expected.clone(),
                actual: actual.cloned(),
                reason: reason.clone(),
            });
        }
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Some(Value::Object(a))) => {
            for (k, ev) in e {
                let len = at.len();
                crate::json_pointer::push(at, k);
                diff(ev, a.get(k), at, environmental, v);
                at.truncate(len);
            }
        }
        (Value::Array(e), Some(Value::Array(a))) => {
            for (i, ev) in e.iter().enumerate() {
                let len = at.len();
                crate::json_pointer::push(at, &i.to_string());
                diff(ev, a.get(i), at, environmental, v);
                at.truncate(len);
            }
        }
        (e, Some(a)) if e == a => {}
        (e, a) => v.mismatches.push(mismatch(
            Layer::Document,
            "include",
            at,
            Some(e.clone()),
            a.cloned(),
        )),
    }
}
