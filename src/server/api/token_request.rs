//! `POST …/serviceaccounts/{name}/token`: a `TokenRequest` answered with a signed token, as
//! kube-apiserver v1.20.2's `TokenREST` (`registry/core/serviceaccount/storage/token.go`) answers it.

use super::{App, BodyKind, Reply, Req, Result, decode_as, meta_str, set_managed_fields};
use crate::server::managed;
use crate::server::schema;
use crate::server::status::{ApiError, Cause};
use crate::server::token::{self, Claims, Ref};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const GROUP: &str = "authentication.k8s.io";

/// The lifetime of a token that names none (`SetDefaults_TokenRequestSpec`).
const DEFAULT_EXPIRATION_SECONDS: i64 = 3600;
/// A pod-bound token asking for exactly this lifetime gets a year, with a warning time at it
/// (`--service-account-extend-token-expiration`, on by default).
const WARN_ONLY_EXPIRATION_SECONDS: i64 = 3607;
const EXTENDED_EXPIRATION_SECONDS: i64 = 365 * 24 * 3600;

pub(super) fn create(app: &App, req: &Req, ns: &str, name: &str) -> Result<Reply> {
    if req.method != Method::POST {
        return Err(ApiError::method_not_allowed());
    }
    let ty = schema::type_for(GROUP, "v1", "TokenRequest").ok_or_else(ApiError::no_route)?;
    let mut obj = decode_as(
        req,
        BodyKind {
            group: GROUP,
            version: "v1",
            kind: "TokenRequest",
            ty,
        },
    )?;
    if obj.pointer("/spec/expirationSeconds").is_none() {
        obj["spec"]["expirationSeconds"] = json!(DEFAULT_EXPIRATION_SECONDS);
    }
    let issued = SystemTime::now();
    let issued_at = issued
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let stamp = |t: SystemTime| humantime::format_rfc3339_seconds(t).to_string();
    let fields = managed::update(ty, None, &mut obj, &req.manager, &stamp(issued));
    set_managed_fields(&mut obj, fields);
    let expiration = obj["spec"]["expirationSeconds"].as_i64().unwrap_or(0);
    let why = if expiration < 600 {
        Some("may not specify a duration less than 10 minutes")
    } else if expiration > 1 << 32 {
        Some("may not specify a duration larger than 2^32 seconds")
    } else {
        None
    };
    if let Some(why) = why {
        let cause = Cause::invalid("spec.expirationSeconds", &json!(expiration), why);
        return Err(ApiError::invalid_in_group(
            "TokenRequest",
            GROUP,
            "",
            vec![cause],
        ));
    }
    let store = app.store();
    let object = |plural: &'static str, n: &str| {
        store
            .objects
            .get(&(plural, ns.to_string(), n.to_string()))
            .map(|s| (*s.obj).clone())
    };
    let account = object("serviceaccounts", name)
        .ok_or_else(|| ApiError::not_found("serviceaccounts", name))?;
    let (mut pod, mut secret) = (None, None);
    if let Some(r) = obj
        .pointer("/spec/boundObjectRef")
        .filter(|r| r.is_object())
    {
        let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let (api_version, kind, bound) = (text("apiVersion"), text("kind"), text("name"));
        let (group, version) = crate::kinds::split_api_version(&api_version);
        let found = match (group, kind.as_str()) {
            ("", "Pod") => {
                let p =
                    object("pods", &bound).ok_or_else(|| ApiError::not_found("pods", &bound))?;
                if p.pointer("/spec/serviceAccountName")
                    .and_then(Value::as_str)
                    != Some(name)
                {
                    return Err(ApiError::bad_request(format!(
                        "cannot bind token for serviceaccount {name:?} to pod running with different serviceaccount name."
                    )));
                }
                pod = Some(p.clone());
                p
            }
            ("", "Secret") => {
                let s = object("secrets", &bound)
                    .ok_or_else(|| ApiError::not_found("secrets", &bound))?;
                secret = Some(s.clone());
                s
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "cannot bind token to object of type {group}/{version}, Kind={kind}"
                )));
            }
        };
        let wanted_uid = text("uid");
        if !wanted_uid.is_empty() && wanted_uid != meta_str(&found, "uid") {
            return Err(ApiError::conflict_with(
                &kind,
                &bound,
                format!(
                    "the UID in the bound object reference ({wanted_uid}) does not match the UID in record. The object might have been deleted and then recreated"
                ),
            ));
        }
    }
    drop(store);
    let audiences: Vec<String> = obj
        .pointer("/spec/audiences")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .filter(|a: &Vec<String>| !a.is_empty())
        .unwrap_or_else(|| vec![token::ISSUER.to_string()]);
    obj["spec"]["audiences"] = json!(audiences);
    let (expires_in, warn_after) = if pod.is_some() && expiration == WARN_ONLY_EXPIRATION_SECONDS {
        (EXTENDED_EXPIRATION_SECONDS, Some(issued_at + expiration))
    } else {
        (expiration, None)
    };
    let reference = |o: &Value| {
        (
            meta_str(o, "name").to_string(),
            meta_str(o, "uid").to_string(),
        )
    };
    let (sa_name, sa_uid) = reference(&account);
    let pod_ref = pod.as_ref().map(reference);
    let secret_ref = secret.as_ref().map(reference);
    fn as_ref(r: &(String, String)) -> Ref<'_> {
        Ref {
            name: &r.0,
            uid: &r.1,
        }
    }
    let signed = token::sign(&Claims {
        namespace: ns,
        service_account: Ref {
            name: &sa_name,
            uid: &sa_uid,
        },
        pod: pod_ref.as_ref().map(as_ref),
        secret: secret_ref.as_ref().map(as_ref),
        audiences: &audiences,
        issued_at,
        expires_in,
        warn_after,
    })
    .map_err(ApiError::internal)?;
    let expires = stamp(issued + Duration::from_secs(expiration.unsigned_abs()));
    obj["status"] = json!({"token": signed, "expirationTimestamp": expires});
    Ok(Reply::Object(StatusCode::CREATED, ty, obj))
}
