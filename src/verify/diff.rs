//! Exact comparison of two JSON values, one mismatch per differing leaf, by JSON Pointer.

use super::{Layer, Mismatch, mismatch};
use serde_json::Value;
use std::fmt::Write as _;

/// Exact comparison, reporting each differing leaf by its JSON Pointer.
pub fn diff_exact(
    expected: &Value,
    actual: &Value,
    at: &mut String,
    check: &str,
    out: &mut Vec<Mismatch>,
) {
    diff_exact_at(Layer::Semantics, expected, actual, at, check, out)
}

/// [`diff_exact`] with mismatches of the given layer.
pub fn diff_exact_at(
    layer: Layer,
    expected: &Value,
    actual: &Value,
    at: &mut String,
    check: &str,
    out: &mut Vec<Mismatch>,
) {
    // Equal values (the common case) need no walk and no paths.
    if expected == actual {
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let len = at.len();
                crate::json_pointer::push(at, k);
                match a.get(k) {
                    Some(av) => diff_exact_at(layer, ev, av, at, check, out),
                    None => out.push(mismatch(layer, check, at, Some(ev.clone()), None)),
                }
                at.truncate(len);
            }
            for (k, av) in a.iter().filter(|(k, _)| !e.contains_key(*k)) {
                let len = at.len();
                crate::json_pointer::push(at, k);
                out.push(mismatch(layer, check, at, None, Some(av.clone())));
                at.truncate(len);
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                let len = at.len();
                let _ = write!(at, "/{i}");
                diff_exact_at(layer, ev, av, at, check, out);
                at.truncate(len);
            }
        }
        _ if expected == actual => {}
        _ => out.push(mismatch(
            layer,
            check,
            at,
            Some(expected.clone()),
            Some(actual.clone()),
        )),
    }
}

/// [`diff_exact_at`] leaving out the values at the JSON Pointers `skip`, on both sides.
pub(super) fn diff_skipping(
    layer: Layer,
    expected: &Value,
    actual: &Value,
    at: &mut String,
    check: &str,
    out: &mut Vec<Mismatch>,
    skip: &[&str],
) {
    if !skip.iter().any(|p| p.starts_with(at.as_str())) {
        return diff_exact_at(layer, expected, actual, at, check, out);
    }
    let (Value::Object(e), Value::Object(a)) = (expected, actual) else {
        return diff_exact_at(layer, expected, actual, at, check, out);
    };
    for (k, ev) in e {
        let len = at.len();
        crate::json_pointer::push(at, k);
        if !skip.contains(&at.as_str()) {
            match a.get(k) {
                Some(av) => diff_skipping(layer, ev, av, at, check, out, skip),
                None => out.push(mismatch(layer, check, at, Some(ev.clone()), None)),
            }
        }
        at.truncate(len);
    }
    for (k, av) in a.iter().filter(|(k, _)| !e.contains_key(*k)) {
        let len = at.len();
        crate::json_pointer::push(at, k);
        if !skip.contains(&at.as_str()) {
            out.push(mismatch(layer, check, at, None, Some(av.clone())));
        }
        at.truncate(len);
    }
}
