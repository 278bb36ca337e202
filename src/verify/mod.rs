//! Verification: an observation against a case's expectations, layer by layer — [`protocol`]
//! (status, content type, kind, the error `Status`), [`semantics`] (the checks a case names),
//! [`include`] (the document's example fields, drift) and [`snapshot`] (the whole normalized answer). A failed expectation is
//! data — a [`Mismatch`] with the JSON Pointer of what differs — never a panic or a bare string.

mod diff;
mod include;
mod protocol;
mod semantics;
pub mod snapshot;

pub use diff::{diff_exact, diff_exact_at};

use crate::cases::Expect;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    protocol::check(expect, obs, &mut v.mismatches);
    for check in &expect.checks {
        semantics::check(*check, expect, obs, &mut v.mismatches);
    }
    if let Some(include) = &expect.include {
        let actual = obs.json.clone().unwrap_or(Value::Null);
        // An answer of one of the other kinds the request may answer: the document's example
        // describes another answer, reported as drift.
        let kind_of = |v: &Value| v.get("kind").and_then(Value::as_str).map(str::to_string);
        let accepted =
            |k: &String| expect.kind.as_ref() == Some(k) || expect.alternative_kinds.contains(k);
        if let (Some(documented), Some(answered)) = (kind_of(include), kind_of(&actual))
            && documented != answered
            && !expect.alternative_kinds.is_empty()
            && accepted(&answered)
        {
            v.drift.push(Drift {
                path: String::new(),
                documented: include.clone(),
                actual: Some(serde_json::json!({ "kind": answered })),
                reason: format!(
                    "the document shows a {documented}; the target answered a {answered}, which this \
                     request may also answer"
                ),
            });
            return v;
        }
        include::diff(
            include,
            Some(&actual),
            &mut String::new(),
            &expect.environmental,
            &mut v,
        );
    }
    v
}

pub(crate) fn mismatch(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Check;
    use serde_json::json;

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
        let mut e = Expect::status(200);
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
        let mut e = Expect::status(200);
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
        let mut e = Expect::status(404);
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
        let mut e = Expect::status(200);
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
        // Changed, but the resourceVersion kept: a mismatch.
        o.json = Some(
            json!({"metadata": {"resourceVersion": "1"}, "spec": {"containers": [{"image": "b"}]}}),
        );
        o.request_body =
            br#"[{"op":"replace","path":"/spec/containers/0/image","value":"b"}]"#.to_vec();
        let rv_mismatch = |v: &Verdict| {
            v.mismatches
                .iter()
                .any(|m| m.check == "resource_version_changed")
        };
        assert!(rv_mismatch(&verdict(&e, &o)));
        // A write that changes nothing keeps the resourceVersion; a new one is a mismatch.
        o.request_body =
            br#"[{"op":"replace","path":"/spec/containers/0/image","value":"a"}]"#.to_vec();
        o.json = Some(before.clone());
        assert!(!rv_mismatch(&verdict(&e, &o)));
        o.json = Some(
            json!({"metadata": {"resourceVersion": "3"}, "spec": {"containers": [{"image": "a"}]}}),
        );
        assert!(rv_mismatch(&verdict(&e, &o)));
    }

    #[test]
    fn a_delete_may_answer_the_object_and_its_status_example_is_drift() {
        let mut e = Expect::status(200);
        e.kind = Some("Status".into());
        e.alternative_kinds = vec!["Pod".into()];
        e.include = Some(json!({"kind": "Status", "status": "Success"}));
        let o = obs(200, json!({"kind": "Pod", "metadata": {"name": "p"}}));
        let v = verdict(&e, &o);
        assert!(v.mismatches.is_empty(), "{:?}", v.mismatches);
        assert_eq!(v.drift.len(), 1);
        assert_eq!(v.drift[0].path, "");
        // Another kind is still a mismatch, and a Status answer is compared with the example.
        let v = verdict(&e, &obs(200, json!({"kind": "Service"})));
        assert!(v.mismatches.iter().any(|m| m.check == "kind"));
        let v = verdict(
            &e,
            &obs(200, json!({"kind": "Status", "status": "Failure"})),
        );
        assert!(v.mismatches.iter().any(|m| m.path == "/status"));
    }

    #[test]
    fn patch_checks_leave_out_the_volatile_fields_only() {
        let mut e = Expect::status(200);
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
        let mut e = Expect::status(409);
        e.checks = vec![Check::UnchangedOnFailure];
        let mut o = obs(409, json!({"kind": "Status", "code": 409}));
        o.before = Some(json!({"a": 1}));
        o.after = Some(json!({"a": 2}));
        let v = verdict(&e, &o);
        assert_eq!(v.mismatches.len(), 1);
        assert_eq!(v.mismatches[0].path, "/a");
    }
}
