//! `POST /apis/authorization.k8s.io/{v1,v1beta1}/selfsubjectaccessreviews`: may the requester do
//! this? The reference server authenticates nobody and authorizes everything, so it answers as the
//! real server answers a member of `system:masters` (the live tests' user): allowed, with no
//! reason — after `ValidateSelfSubjectAccessReview`, as `registry/authorization/
//! selfsubjectaccessreview/rest.go` does.

use super::{App, Reply, Req, Result, decode_review};
use crate::server::status::{ApiError, Cause};
use axum::http::StatusCode;
use serde_json::{Value, json};

const GROUP: &str = "authorization.k8s.io";
const KIND: &str = "SelfSubjectAccessReview";

pub(super) fn self_subject(_app: &App, req: &Req, version: &'static str) -> Result<Reply> {
    let (ty, mut obj) = decode_review(req, GROUP, version, KIND)?;
    let causes = validate(&obj);
    if !causes.is_empty() {
        // The real handler names the internal object's kind, which is empty.
        return Err(ApiError::invalid_in_group("", GROUP, "", causes));
    }
    obj["status"] = json!({"allowed": true});
    Ok(Reply::Object(StatusCode::CREATED, ty, obj))
}

/// `ValidateSelfSubjectAccessReview`: exactly one of the resource and the non-resource
/// attributes, no metadata but the field manager's.
fn validate(obj: &Value) -> Vec<Cause> {
    let mut errs = Vec::new();
    let spec = |k: &str| obj.pointer(&format!("/spec/{k}")).filter(|v| !v.is_null());
    match (spec("resourceAttributes"), spec("nonResourceAttributes")) {
        (Some(_), Some(n)) => {
            let text = |k: &str| n.get(k).and_then(Value::as_str).unwrap_or("");
            errs.push(Cause::invalid_shown(
                "spec.nonResourceAttributes",
                &format!(
                    "authorization.NonResourceAttributes{{Path:{:?}, Verb:{:?}}}",
                    text("path"),
                    text("verb")
                ),
                "cannot be specified in combination with resourceAttributes",
            ));
        }
        (None, None) => errs.push(Cause::invalid_shown(
            "spec.resourceAttributes",
            "\"null\"",
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )),
        _ => {}
    }
    let meta = obj.get("metadata").and_then(Value::as_object);
    if meta.is_some_and(|m| {
        m.keys()
            .any(|k| k != "managedFields" && k != "creationTimestamp")
    }) {
        // Go prints the whole ObjectMeta (%#v) here, with times and pointers of its own.
        errs.push(Cause::invalid_shown(
            "metadata",
            "v1.ObjectMeta{…}",
            "must be empty",
        ));
    }
    errs
}
