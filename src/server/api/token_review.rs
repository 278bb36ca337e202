//! `POST /apis/authentication.k8s.io/{v1,v1beta1}/tokenreviews`: whose is this token? As
//! kube-apiserver v1.20.2's `registry/authentication/tokenreview` answers it with the
//! authenticator of the service-account tokens this server issues (`serviceaccounts/{name}/token`):
//! signature, lifetime and audiences checked, the service account and the pod or secret the token
//! is bound to looked up (`pkg/serviceaccount/claims.go`). The reference server has no other
//! authenticator: any other token is an invalid bearer token.

use super::{App, Reply, Req, Result, decode_review, meta_str};
use crate::server::status::ApiError;
use crate::server::token::{self, Rejected};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

const GROUP: &str = "authentication.k8s.io";
const KIND: &str = "TokenReview";

pub(super) fn create(app: &App, req: &Req, version: &'static str) -> Result<Reply> {
    let (ty, mut obj) = decode_review(req, GROUP, version, KIND)?;
    let token = obj
        .pointer("/spec/token")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if token.is_empty() {
        return Err(ApiError::bad_request(
            "token is required for TokenReview in authentication",
        ));
    }
    let wanted: Vec<String> = obj
        .pointer("/spec/audiences")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .filter(|a: &Vec<String>| !a.is_empty())
        .unwrap_or_else(|| vec![token::ISSUER.to_string()]);
    obj["status"] = match authenticate(app, &token, &wanted) {
        Ok((user, audiences)) => {
            json!({"authenticated": true, "user": user, "audiences": audiences})
        }
        // The union of the real server's authenticators reports this one's error after the
        // token file's.
        Err(Some(why)) => json!({"user": {}, "error": format!("[invalid bearer token, {why}]")}),
        Err(None) => json!({"user": {}, "error": "invalid bearer token"}),
    };
    Ok(Reply::Object(StatusCode::CREATED, ty, obj))
}

/// The user a token of this server authenticates, and the audiences it is valid for among
/// `wanted`; else the authenticator's error (`None`: not a token of this server).
fn authenticate(
    app: &App,
    token: &str,
    wanted: &[String],
) -> std::result::Result<(Value, Vec<String>), Option<String>> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let claims = match token::verify(token, now) {
        Ok(c) => c,
        Err(Rejected::NotOurs) => return Err(None),
        Err(Rejected::Invalid(why)) => return Err(Some(why)),
    };
    let has: Vec<String> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    let audiences: Vec<String> = has.iter().filter(|a| wanted.contains(a)).cloned().collect();
    if audiences.is_empty() {
        return Err(Some(format!(
            "token audiences {} is invalid for the target audiences {}",
            go_quoted(&has),
            go_quoted(wanted)
        )));
    }
    let k8s = &claims["kubernetes.io"];
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let ns = text(k8s, "namespace");
    let store = app.store();
    // The objects the token names must still be those it was issued for (one missing, being
    // deleted or another of the same name: invalidated).
    let invalidated = || Some("Token has been invalidated".to_string());
    let lookup = |plural: &'static str, r: &Value| -> Option<Value> {
        let found = store
            .objects
            .get(&(plural, ns.clone(), text(r, "name")))
            .map(|s| (*s.obj).clone())?;
        meta_str(&found, "deletionTimestamp")
            .is_empty()
            .then_some(found)
    };
    let account_ref = &k8s["serviceaccount"];
    let account = lookup("serviceaccounts", account_ref).ok_or_else(invalidated)?;
    if meta_str(&account, "uid") != text(account_ref, "uid") {
        return Err(invalidated());
    }
    let mut extra = serde_json::Map::new();
    for (plural, kind, field) in [("secrets", "Secret", "secret"), ("pods", "Pod", "pod")] {
        let Some(r) = k8s.get(field).filter(|r| r.is_object()) else {
            continue;
        };
        let bound = lookup(plural, r).ok_or_else(invalidated)?;
        let (uid, claimed) = (meta_str(&bound, "uid"), text(r, "uid"));
        if uid != claimed {
            return Err(Some(format!(
                "{kind} UID ({uid}) does not match claim ({claimed})"
            )));
        }
        if field == "pod" {
            extra.insert(
                "authentication.kubernetes.io/pod-name".into(),
                json!([text(r, "name")]),
            );
            extra.insert("authentication.kubernetes.io/pod-uid".into(), json!([uid]));
        }
    }
    let name = text(account_ref, "name");
    let mut user = json!({
        "username": format!("system:serviceaccount:{ns}:{name}"),
        "uid": meta_str(&account, "uid"),
        "groups": ["system:serviceaccounts", format!("system:serviceaccounts:{ns}"), "system:authenticated"],
    });
    if !extra.is_empty() {
        user["extra"] = Value::Object(extra);
    }
    Ok((user, audiences))
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
fn go_quoted(v: &[String]) -> String {
    let shown: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", shown.join(" "))
}
