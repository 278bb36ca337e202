//! Comparison: an observation against a case's expectations, layer by layer. A failed expectation is
//! data — a [`Mismatch`] with the JSON Pointer of what differs — never a panic or a bare string.

pub mod snapshot;

use crate::cases::{Check, Expect};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What the target answered, plus what the runner read around the request.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The body as JSON, if it is JSON.
    pub json: Option<Value>,
    /// The case's pod read just before the request (if the case has a pod).
    pub before: Option<Value>,
    /// The case's pod read just after the request (if a check needs it).
    pub after: Option<Value>,
    /// The request body as sent (for the patch checks).
    pub request_body: Vec<u8>,
}

/// The expectation layers of `DESIGN.md` §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Protocol,
    Semantics,
    Document,
    /// Layer 4: the whole normalized answer against the accepted snapshot.
    Snapshot,
    /// Not a layer of the case: how a target's normalized answer differs from the reference
    /// target's answer to the same case (vendor comparison).
    Reference,
}

/// One failed expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mismatch {
    pub layer: Layer,
    /// The check that failed (`status`, `kind`, `json_patch_applied`, `include`, …).
    pub check: String,
    /// JSON Pointer into the answer ("" for the whole answer or for non-body properties).
    pub path: String,
    pub expected: Option<Value>,
    pub actual: Option<Value>,
}

/// A documented field the target does not return as documented, in a field the case marks as
/// environmental: news for the documentation team, not a failure of the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub path: String,
    pub documented: Value,
    pub actual: Option<Value>,
    pub reason: String,
}

/// Everything the comparison found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verdict {
    pub mismatches: Vec<Mismatch>,
    pub drift: Vec<Drift>,
}

/// Compares an observation with the expectations.
pub fn verdict(expect: &Expect, obs: &Observation) -> Verdict {
    let mut v = Verdict::default();
    protocol(expect, obs, &mut v.mismatches);
    for check in &expect.checks {
        semantic(*check, expect, obs, &mut v.mismatches);
    }
    if let Some(include) = &expect.include {
        let actual = obs.json.clone().unwrap_or(Value::Null);
        include_diff(
            include,
            Some(&actual),
            &mut String::new(),
            &expect.environmental,
            &mut v,
        );
    }
    v
}

fn mismatch(
    layer: Layer,
    check: &str,
    path: &str,
    expected: Option<Value>,
    actual: Option<Value>,
) -> Mismatch {
    Mismatch {
        layer,
        check: check.to_string(),
        path: path.to_string(),
        expected,
        actual,
    }
}

fn protocol(expect: &Expect, obs: &Observation, out: &mut Vec<Mismatch>) {
    use Layer::Protocol as P;
    if obs.status != expect.status {
        out.push(mismatch(
            P,
            "status",
            "",
            Some(expect.status.into()),
            Some(obs.status.into()),
        ));
    }
    let ct = obs.content_type.as_deref().unwrap_or("");
    if !ct.starts_with("application/json") {
        out.push(mismatch(
            P,
            "content_type",
            "",
            Some("application/json".into()),
            Some(ct.into()),
        ));
    }
    let Some(json) = &obs.json else {
        out.push(mismatch(
            P,
            "json",
            "",
            Some("a JSON body".into()),
            Some(Value::String(
                String::from_utf8_lossy(&obs.body)
                    .chars()
                    .take(200)
                    .collect(),
            )),
        ));
        return;
    };
    let field = |k: &str| json.get(k).cloned();
    if let Some(kind) = &expect.kind
        && field("kind").as_ref().and_then(Value::as_str) != Some(kind.as_str())
    {
        out.push(mismatch(
            P,
            "kind",
            "/kind",
            Some(kind.as_str().into()),
            field("kind"),
        ));
    }
    if expect.status >= 400 || expect.reason.is_some() {
        // An error is a Status object whose code is the HTTP status.
        if field("kind").as_ref().and_then(Value::as_str) != Some("Status") {
            out.push(mismatch(
                P,
                "kind",
                "/kind",
                Some("Status".into()),
                field("kind"),
            ));
        }
        if field("code").and_then(|c| c.as_u64()) != Some(u64::from(obs.status)) {
            out.push(mismatch(
                P,
                "code",
                "/code",
                Some(obs.status.into()),
                field("code"),
            ));
        }
        if let Some(reason) = &expect.reason {
            let actual = field("reason");
            let actual_str = actual.as_ref().and_then(Value::as_str).unwrap_or("");
            if actual_str != reason {
                out.push(mismatch(
                    P,
                    "reason",
                    "/reason",
                    Some(reason.as_str().into()),
                    actual,
                ));
            }
        }
    }
}

fn semantic(check: Check, expect: &Expect, obs: &Observation, out: &mut Vec<Mismatch>) {
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
                out.push(missing("the pod before the request and a JSON answer"));
                return;
            };
            let mut expected = before.clone();
            let applied = match check {
                Check::JsonPatchApplied => {
                    serde_json::from_slice::<json_patch::Patch>(&obs.request_body)
                        .map_err(|e| e.to_string())
                        .and_then(|p| {
                            json_patch::patch(&mut expected, &p).map_err(|e| e.to_string())
                        })
                }
                _ => serde_json::from_slice::<Value>(&obs.request_body)
                    .map(|p| json_patch::merge(&mut expected, &p))
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
            // The volatile fields are left out on both sides (without copying the answer).
            diff_skipping(
                S,
                &expected,
                actual,
                &mut String::new(),
                &name,
                out,
                crate::kinds::fields::WRITE_VOLATILE,
            );
        }
        Check::SpecUnchanged => {
            let (Some(before), Some(actual)) = (before, actual) else {
                out.push(missing("the pod before the request and a JSON answer"));
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
            if b.is_none() || a.is_none() || a == b {
                out.push(mismatch(
                    S,
                    &name,
                    "/metadata/resourceVersion",
                    Some(Value::String(format!(
                        "a resourceVersion other than {}",
                        b.map(|v| v.to_string()).unwrap_or_else(|| "none".into())
                    ))),
                    a,
                ));
            }
        }
        Check::IdentityPreserved => {
            let (Some(before), Some(actual)) = (before, actual) else {
                out.push(missing("the pod before the request and a JSON answer"));
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
fn diff_skipping(
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

/// Inclusion: every field of `expected` must be in `actual` with the same value (objects may have
/// more fields; arrays are compared element by element and may be longer). Environmental paths are
/// not failures; where the target differs there, it is document drift.
fn include_diff(
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
                include_diff(ev, a.get(k), at, environmental, v);
                at.truncate(len);
            }
        }
        (Value::Array(e), Some(Value::Array(a))) => {
            for (i, ev) in e.iter().enumerate() {
                let len = at.len();
                crate::json_pointer::push(at, &i.to_string());
                include_diff(ev, a.get(i), at, environmental, v);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expect(status: u16) -> Expect {
        Expect {
            status,
            kind: None,
            reason: None,
            checks: vec![],
            include: None,
            environmental: BTreeMap::new(),
            snapshot: Default::default(),
        }
    }

    fn obs(status: u16, body: Value) -> Observation {
        Observation {
            status,
            content_type: Some("application/json".into()),
            body: body.to_string().into_bytes(),
            json: Some(body),
            ..Observation::default()
        }
    }

    #[test]
    fn include_reports_json_pointer_paths() {
        let mut e = expect(200);
        e.include =
            Some(json!({"spec": {"containers": [{"image": "busybox:latest", "name": "a/b"}]}}));
        let o = obs(
            200,
            json!({"spec": {"containers": [{"image": "nginx", "name": "a/b"}]}, "x": 1}),
        );
        let v = verdict(&e, &o);
        assert_eq!(v.mismatches.len(), 1, "{v:?}");
        let m = &v.mismatches[0];
        assert_eq!(m.path, "/spec/containers/0/image");
        assert_eq!(m.expected, Some(json!("busybox:latest")));
        assert_eq!(m.actual, Some(json!("nginx")));
        assert_eq!(m.layer, Layer::Document);
    }

    #[test]
    fn environmental_fields_are_drift_not_failures() {
        let mut e = expect(200);
        e.include =
            Some(json!({"spec": {"nodeName": "127.0.0.1"}, "metadata": {"selfLink": "/x"}}));
        e.environmental
            .insert("/spec/nodeName".into(), "set by the scheduler".into());
        e.environmental
            .insert("/metadata/selfLink".into(), "removed in 1.20".into());
        e.include.as_mut().unwrap()["metadata"]["uid"] = json!("1234");
        e.environmental
            .insert("/metadata/uid".into(), "assigned by the server".into());
        e.include.as_mut().unwrap()["status"] = json!({"phase": "Running"});
        e.environmental
            .insert("/status/phase".into(), "reported by a kubelet".into());
        let v = verdict(
            &e,
            &obs(
                200,
                json!({"spec": {}, "metadata": {"uid": "abcd"}, "status": {"phase": "Pending"}}),
            ),
        );
        assert!(v.mismatches.is_empty(), "{v:?}");
        // Absent and contradicted fields are drift; a per-object value (a uid) that differs is not.
        let mut paths: Vec<&str> = v.drift.iter().map(|d| d.path.as_str()).collect();
        paths.sort();
        assert_eq!(
            paths,
            ["/metadata/selfLink", "/spec/nodeName", "/status/phase"],
            "{v:?}"
        );
    }

    #[test]
    fn protocol_checks_status_kind_reason_and_code() {
        let mut e = expect(404);
        e.reason = Some("NotFound".into());
        let v = verdict(
            &e,
            &obs(
                404,
                json!({"kind": "Status", "code": 404, "reason": "NotFound"}),
            ),
        );
        assert!(v.mismatches.is_empty(), "{v:?}");
        let v = verdict(&e, &obs(200, json!({"kind": "Pod"})));
        let checks: Vec<&str> = v.mismatches.iter().map(|m| m.check.as_str()).collect();
        assert_eq!(checks, ["status", "kind", "code", "reason"]);
    }

    #[test]
    fn json_patch_check_compares_with_local_application() {
        let mut e = expect(200);
        e.checks = vec![Check::JsonPatchApplied, Check::ResourceVersionChanged];
        let before =
            json!({"metadata": {"resourceVersion": "1"}, "spec": {"containers": [{"image": "a"}]}});
        let mut o = obs(
            200,
            json!({"metadata": {"resourceVersion": "2"}, "spec": {"containers": [{"image": "b"}]}}),
        );
        o.before = Some(before.clone());
        o.request_body =
            br#"[{"op":"replace","path":"/spec/containers/0/image","value":"b"}]"#.to_vec();
        assert!(verdict(&e, &o).mismatches.is_empty());
        o.request_body =
            br#"[{"op":"replace","path":"/spec/containers/0/image","value":"c"}]"#.to_vec();
        let v = verdict(&e, &o);
        assert_eq!(v.mismatches[0].path, "/spec/containers/0/image");
        o.json = Some(before);
        let v = verdict(&e, &o);
        assert!(
            v.mismatches
                .iter()
                .any(|m| m.check == "resource_version_changed")
        );
    }

    #[test]
    fn patch_checks_leave_out_the_volatile_fields_only() {
        let mut e = expect(200);
        e.checks = vec![Check::MergePatchApplied];
        let mut o = obs(
            200,
            json!({"metadata": {"resourceVersion": "2", "managedFields": [{"manager": "m"}],
                                "labels": {"a": "b"}}}),
        );
        o.before = Some(json!({"metadata": {"resourceVersion": "1"}}));
        o.request_body = br#"{"metadata": {"labels": {"a": "b"}}}"#.to_vec();
        assert!(verdict(&e, &o).mismatches.is_empty());
        o.request_body = br#"{"metadata": {"labels": {"a": "c"}}}"#.to_vec();
        let v = verdict(&e, &o);
        let paths: Vec<&str> = v.mismatches.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(paths, ["/metadata/labels/a"], "{v:?}");
    }

    #[test]
    fn unchanged_on_failure_finds_changes() {
        let mut e = expect(409);
        e.checks = vec![Check::UnchangedOnFailure];
        let mut o = obs(409, json!({"kind": "Status", "code": 409}));
        o.before = Some(json!({"a": 1}));
        o.after = Some(json!({"a": 2}));
        let v = verdict(&e, &o);
        assert_eq!(v.mismatches.len(), 1);
        assert_eq!(v.mismatches[0].path, "/a");
    }
}
