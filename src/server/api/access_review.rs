//! The access reviews of `authorization.k8s.io` v1 and v1beta1, validated as
//! `pkg/apis/authorization/validation` does:
//! - `selfsubjectaccessreviews`: may the requester do this? The reference server authenticates
//!   nobody: the requester is the user it impersonates (kubectl's `--as`), whom RBAC authorizes,
//!   else its admin, a member of `system:masters` (the live tests' user), allowed everything.
//! - `selfsubjectrulesreviews`: what may the requester do in a namespace? The rules RBAC gives it.
//! - `subjectaccessreviews` and (in a namespace) `localsubjectaccessreviews`: may this user do
//!   this? Answered by the real server's authorizers, `system:masters` and RBAC over the roles and
//!   bindings in the store (`server::rbac`).

use super::{App, Reply, Req, Result, decode_review};
use crate::server::rbac::{self, Request, User};
use crate::server::status::{ApiError, Cause};
use axum::http::StatusCode;
use serde_json::{Value, json};

const GROUP: &str = "authorization.k8s.io";
const KIND: &str = "SelfSubjectAccessReview";

pub(super) fn self_subject(app: &App, req: &Req, version: &'static str) -> Result<Reply> {
    let (ty, mut obj) = decode_review(req, GROUP, version, KIND)?;
    let causes = validate(&obj);
    if !causes.is_empty() {
        // The real handler names the internal object's kind, which is empty.
        return Err(ApiError::invalid_in_group("", GROUP, "", causes));
    }
    let (user, groups) = requester(req);
    let who = User {
        name: &user,
        groups: &groups,
    };
    obj["status"] = decide(app, &who, &obj);
    Ok(Reply::Object(StatusCode::CREATED, ty, obj))
}

/// The review's status: whether `who` may do what the review's spec asks, and why.
fn decide(app: &App, who: &User<'_>, obj: &Value) -> Value {
    let text = |v: &Value, p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let store = app.store();
    let (allowed, reason) = match obj.pointer("/spec/resourceAttributes") {
        Some(a) if !a.is_null() => {
            let (namespace, verb, group) =
                (text(a, "/namespace"), text(a, "/verb"), text(a, "/group"));
            let (resource, subresource, name) = (
                text(a, "/resource"),
                text(a, "/subresource"),
                text(a, "/name"),
            );
            let request = Request::Resource {
                namespace: &namespace,
                verb: &verb,
                group: &group,
                resource: &resource,
                subresource: &subresource,
                name: &name,
            };
            rbac::authorize(&store, who, &request)
        }
        _ => {
            let (verb, path) = (
                text(obj, "/spec/nonResourceAttributes/verb"),
                text(obj, "/spec/nonResourceAttributes/path"),
            );
            let request = Request::NonResource {
                verb: &verb,
                path: &path,
            };
            rbac::authorize(&store, who, &request)
        }
    };
    let mut status = serde_json::Map::new();
    status.insert("allowed".into(), json!(allowed));
    if !reason.is_empty() {
        status.insert("reason".into(), json!(reason));
    }
    Value::Object(status)
}

/// Who asks a self review: the user the request impersonates, else the admin.
fn requester(req: &Req) -> (String, Vec<String>) {
    let who = req.requester();
    (who.name.to_string(), who.groups.to_vec())
}

/// A self subject rules review: a new review (the request's spec is not echoed) with the rules of
/// the requester's bindings in the spec's namespace, resource and non-resource ones apart.
pub(super) fn self_rules(app: &App, req: &Req, version: &'static str) -> Result<Reply> {
    let (ty, obj) = decode_review(req, GROUP, version, "SelfSubjectRulesReview")?;
    let namespace = obj
        .pointer("/spec/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    if namespace.is_empty() {
        return Err(ApiError::bad_request("no namespace on request"));
    }
    let (user, groups) = requester(req);
    let who = User {
        name: &user,
        groups: &groups,
    };
    let (rules, errors) = rbac::rules_for(&app.store(), &who, namespace);
    let pick = |fields: &[&str], when: &str| -> Vec<Value> {
        rules
            .iter()
            .filter(|r| {
                r.get(when)
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty())
            })
            .map(|r| {
                let mut out = serde_json::Map::new();
                for f in fields {
                    if let Some(v) = r.get(*f) {
                        out.insert((*f).to_string(), v.clone());
                    }
                }
                Value::Object(out)
            })
            .collect()
    };
    let mut status = json!({
        "resourceRules": pick(&["verbs", "apiGroups", "resources", "resourceNames"], "resources"),
        "nonResourceRules": pick(&["verbs", "nonResourceURLs"], "nonResourceURLs"),
        "incomplete": false,
    });
    if !errors.is_empty() {
        status["evaluationError"] = json!(rbac::aggregate(&errors));
    }
    let api_version = format!("{GROUP}/{version}");
    let review = json!({"kind": "SelfSubjectRulesReview", "apiVersion": api_version,
                        "metadata": {}, "spec": {}, "status": status});
    Ok(Reply::Object(StatusCode::CREATED, ty, review))
}

/// A subject access review (`namespace`: a local one, of that namespace).
pub(super) fn subject(
    app: &App,
    req: &Req,
    version: &'static str,
    namespace: Option<&str>,
) -> Result<Reply> {
    let kind = if namespace.is_some() {
        "LocalSubjectAccessReview"
    } else {
        "SubjectAccessReview"
    };
    let (ty, mut obj) = decode_review(req, GROUP, version, kind)?;
    // v1beta1 names the groups `group`.
    let groups_field = if version == "v1" { "groups" } else { "group" };
    let mut causes = validate_spec(&obj);
    let text = |v: &Value, p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let user = text(&obj, "/spec/user");
    let groups: Vec<String> = obj
        .pointer(&format!("/spec/{groups_field}"))
        .and_then(Value::as_array)
        .map(|g| {
            g.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if user.is_empty() && groups.is_empty() {
        causes.push(Cause::invalid(
            "spec.user",
            &json!(""),
            "at least one of user or group must be specified",
        ));
    }
    // A local review's namespace is its object's, which must be the request's.
    let own_namespace = text(&obj, "/metadata/namespace");
    if namespace.is_some() {
        validate_local(&obj, &own_namespace, &mut causes);
    } else {
        validate_meta(&obj, &[], &mut causes);
    }
    if !causes.is_empty() {
        return Err(ApiError::invalid_in_group("", GROUP, "", causes));
    }
    if let Some(ns) = namespace
        && ns != own_namespace
    {
        return Err(ApiError::bad_request(format!(
            "spec.resourceAttributes.namespace must match namespace: {ns}"
        )));
    }
    let who = User {
        name: &user,
        groups: &groups,
    };
    obj["status"] = decide(app, &who, &obj);
    Ok(Reply::Object(StatusCode::CREATED, ty, obj))
}

/// `ValidateLocalSubjectAccessReview` beyond the spec: no metadata but the namespace (`ns`), the
/// resource attributes in that namespace, no non-resource attributes.
fn validate_local(obj: &Value, ns: &str, errs: &mut Vec<Cause>) {
    validate_meta(obj, &["namespace"], errs);
    if let Some(a) = obj
        .pointer("/spec/resourceAttributes")
        .filter(|a| !a.is_null())
    {
        let given = a.get("namespace").and_then(Value::as_str).unwrap_or("");
        if given != ns {
            errs.push(Cause::invalid(
                "spec.resourceAttributes.namespace",
                &json!(given),
                "must match metadata.namespace",
            ));
        }
    }
    if let Some(n) = obj
        .pointer("/spec/nonResourceAttributes")
        .filter(|n| !n.is_null())
    {
        errs.push(Cause::invalid_shown(
            "spec.nonResourceAttributes",
            &non_resource_shown(n),
            "disallowed on this kind of request",
        ));
    }
}

/// No metadata but the field manager's (and the fields `allowed`): Go prints the whole ObjectMeta
/// (%#v) in the message, with times and pointers of its own.
fn validate_meta(obj: &Value, allowed: &[&str], errs: &mut Vec<Cause>) {
    let meta = obj.get("metadata").and_then(Value::as_object);
    let set = |m: &serde_json::Map<String, Value>| {
        m.keys().any(|k| {
            !matches!(k.as_str(), "managedFields" | "creationTimestamp")
                && !allowed.contains(&k.as_str())
        })
    };
    if meta.is_some_and(set) {
        let why = if allowed.is_empty() {
            "must be empty"
        } else {
            "must be empty except for namespace"
        };
        errs.push(Cause::invalid_shown("metadata", "v1.ObjectMeta{…}", why));
    }
}

/// Go's `%#v` of non-resource attributes.
fn non_resource_shown(n: &Value) -> String {
    let text = |k: &str| n.get(k).and_then(Value::as_str).unwrap_or("");
    format!(
        "authorization.NonResourceAttributes{{Path:{:?}, Verb:{:?}}}",
        text("path"),
        text("verb")
    )
}

/// `ValidateSelfSubjectAccessReview`: exactly one of the resource and the non-resource
/// attributes, no metadata but the field manager's.
fn validate(obj: &Value) -> Vec<Cause> {
    let mut errs = validate_spec(obj);
    validate_meta(obj, &[], &mut errs);
    errs
}

/// `ValidateSubjectAccessReviewSpec`'s attributes: exactly one of the resource and the
/// non-resource ones.
fn validate_spec(obj: &Value) -> Vec<Cause> {
    let mut errs = Vec::new();
    let spec = |k: &str| obj.pointer(&format!("/spec/{k}")).filter(|v| !v.is_null());
    match (spec("resourceAttributes"), spec("nonResourceAttributes")) {
        (Some(_), Some(n)) => errs.push(Cause::invalid_shown(
            "spec.nonResourceAttributes",
            &non_resource_shown(n),
            "cannot be specified in combination with resourceAttributes",
        )),
        (None, None) => errs.push(Cause::invalid_shown(
            "spec.resourceAttributes",
            "\"null\"",
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )),
        _ => {}
    }
    errs
}
