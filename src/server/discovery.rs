//! The discovery documents (`/api`, `/api/v1`, `/apis`) and `/version`, as kube-apiserver v1.20.2
//! serves them, for what the reference server models: the recorded documents of the real server
//! (`src/kinds/discovery-v1.20.2/`), with only the resources and subresources served here.

use super::strategy;
use serde_json::{Value, json};
use std::io::Read;
use std::sync::LazyLock;

/// The real server's OpenAPI document (`GET /openapi/v2`), recorded from it in both forms it
/// serves (`tools/record_openapi.sh`), gzip-compressed in the repository.
static OPENAPI_JSON: LazyLock<Vec<u8>> =
    LazyLock::new(|| gunzip(include_bytes!("openapi-v1.20.2.json.gz")));
static OPENAPI_PROTOBUF: LazyLock<Vec<u8>> =
    LazyLock::new(|| gunzip(include_bytes!("openapi-v1.20.2.pb.gz")));

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    // The files are generated and checked in: a broken one is a build defect, and the test below
    // reads both.
    let _ = flate2::read::GzDecoder::new(data).read_to_end(&mut out);
    out
}

/// `GET /openapi/v2`: the protobuf form when the client asks for it (kubectl does), else JSON;
/// with the real server's content types. The body and its content type.
pub fn openapi(accept: &str) -> (&'static [u8], &'static str) {
    if accept.contains("protobuf") {
        (OPENAPI_PROTOBUF.as_slice(), "application/octet-stream")
    } else {
        (OPENAPI_JSON.as_slice(), "text/plain; charset=utf-8")
    }
}

/// The version the real server of the live tests reports (`GET /version`), as this build of
/// kube-apiserver v1.20.2 (Debian's source package) answers it.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "20",
        "gitVersion": "v1.20.2",
        "gitCommit": "faecb196815e248d3ecfb03c680a4507229c2a56",
        "gitTreeState": "archive",
        "buildDate": "2026-12-02T19:46:33Z",
        "goVersion": "go1.19.8",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// Whether the reference server serves a resource of core/v1 (`pods`) or a subresource of it
/// (`pods/status`) as the discovery document names it.
pub fn serves_core(name: &str) -> bool {
    serves("", "v1", name)
}

/// Whether the reference server serves a resource of a group-version (`deployments`) or a
/// subresource of it (`deployments/scale`) as the discovery document names it.
pub fn serves(group: &str, version: &str, name: &str) -> bool {
    let (plural, sub) = match name.split_once('/') {
        Some((p, s)) => (p, Some(s)),
        None => (name, None),
    };
    let Some(r) = crate::kinds::find(group, version, plural) else {
        return false;
    };
    if super::schema::type_for(group, version, r.kind).is_none()
        && !matches!(r.kind, "ComponentStatus" | "Binding")
    {
        return false;
    }
    let strategy = strategy::for_kind(group, r.kind);
    let core = group.is_empty();
    let kind_served = (core
        && matches!(r.kind, "Pod" | "Namespace" | "ComponentStatus" | "Binding"))
        || strategy.is_some()
        // Served by handlers of their own (`api/access_review.rs`, `api/token_review.rs`).
        || matches!(
            (group, r.kind),
            (
                "authorization.k8s.io",
                "SelfSubjectAccessReview"
                    | "SubjectAccessReview"
                    | "LocalSubjectAccessReview"
                    | "SelfSubjectRulesReview"
            ) | ("authentication.k8s.io", "TokenReview")
        );
    kind_served
        && match sub {
            None => true,
            Some(sub @ ("status" | "approval")) => r.has_subresource(sub),
            Some("finalize") => core && r.kind == "Namespace",
            Some("binding" | "eviction" | "log" | "exec" | "attach" | "portforward") => {
                core && r.kind == "Pod"
            }
            Some("proxy") => core && matches!(r.kind, "Pod" | "Service" | "Node"),
            Some("token") => {
                core && r.kind == "ServiceAccount"
                    && super::schema::type_for("authentication.k8s.io", "v1", "TokenRequest")
                        .is_some()
            }
            Some("scale") => {
                r.has_subresource("scale")
                    && strategy.is_some_and(|s| s.scale_selector(&Value::Null).is_some())
            }
            Some(_) => false,
        }
}

/// The group versions the reference server serves a resource of (core's `v1` first), in the
/// order of the resource-kind table.
pub fn served_group_versions() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::kinds::GROUP_VERSIONS
        .iter()
        .filter(|gv| {
            gv.resources()
                .any(|r| serves(gv.group, gv.version, r.plural))
        })
        .map(|gv| (gv.group, gv.version))
}

/// The recorded discovery document of `path` with only the resources `group`/`version` serves
/// here; `None` if none is served.
fn resource_list(path: &str, group: &str, version: &str) -> Option<Value> {
    let recorded = crate::kinds::discovery_document(path)?;
    let mut doc: Value = serde_json::from_slice(recorded).ok()?;
    let list = doc.get_mut("resources").and_then(Value::as_array_mut)?;
    list.retain(|r| {
        r.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| serves(group, version, n))
    });
    (!list.is_empty()).then_some(doc)
}

/// A recorded `APIGroup` with only the versions served here (the preferred one, if it is served,
/// else the first served); `None` if none is.
fn served_group(mut group: Value) -> Option<Value> {
    let name = group.get("name").and_then(Value::as_str)?.to_string();
    let versions = group.get_mut("versions").and_then(Value::as_array_mut)?;
    versions.retain(|v| {
        v.get("version")
            .and_then(Value::as_str)
            .is_some_and(|version| {
                crate::kinds::group_version(&name, version)
                    .is_some_and(|gv| gv.resources().any(|r| serves(&name, version, r.plural)))
            })
    });
    let first = versions.first()?.clone();
    let preferred_served = group.get("preferredVersion").is_some_and(|p| {
        group["versions"]
            .as_array()
            .is_some_and(|vs| vs.contains(p))
    });
    if !preferred_served {
        group["preferredVersion"] = first;
    }
    Some(group)
}

/// The discovery document of `path`, if it is one; `host` is the address the client used (the
/// real server names its advertised address in `/api`).
pub fn document(path: &str, host: &str) -> Option<Value> {
    let path = path.trim_end_matches('/');
    match path {
        "/api" => Some(json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]
        })),
        "/api/v1" => resource_list(path, "", "v1"),
        "/apis" => {
            let recorded = crate::kinds::discovery_document("/apis")?;
            let mut doc: Value = serde_json::from_slice(recorded).ok()?;
            let groups = doc.get_mut("groups").and_then(Value::as_array_mut)?;
            let served: Vec<Value> = groups.drain(..).filter_map(served_group).collect();
            *groups = served;
            Some(doc)
        }
        _ => {
            let rest = path.strip_prefix("/apis/")?;
            match rest.split_once('/') {
                None => {
                    let recorded = crate::kinds::discovery_document(path)?;
                    served_group(serde_json::from_slice(recorded).ok()?)
                }
                Some((group, version)) if !version.contains('/') => {
                    resource_list(path, group, version)
                }
                Some(_) => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_is_the_real_one() {
        let (json, ct) = openapi("application/json");
        assert_eq!(ct, "text/plain; charset=utf-8");
        let doc: Value = serde_json::from_slice(json).expect("JSON");
        assert_eq!(doc["info"]["version"], "v1.20.2");
        assert!(doc["definitions"].get("io.k8s.api.core.v1.Pod").is_some());
        let (pb, ct) = openapi("application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        assert_eq!(ct, "application/octet-stream");
        assert!(pb.len() > 1_000_000);
    }

    #[test]
    fn the_core_document_lists_what_is_served() {
        let doc = document("/api/v1", "127.0.0.1:1").unwrap();
        let names: Vec<&str> = doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        for served in [
            "pods",
            "pods/status",
            "namespaces/finalize",
            "configmaps",
            "services/status",
            "serviceaccounts/token",
        ] {
            assert!(names.contains(&served), "{served} in {names:?}");
        }
        assert_eq!(doc["groupVersion"], "v1");
        // Every core/v1 resource and subresource of v1.20.2 is modelled.
        let recorded: Value =
            serde_json::from_slice(crate::kinds::discovery_document("/api/v1").unwrap()).unwrap();
        assert_eq!(doc, recorded);
    }

    #[test]
    fn named_groups_list_only_what_is_served() {
        let apps = document("/apis/apps/v1", "h").expect("apps/v1 is served");
        let names: Vec<&str> = apps["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        for served in ["deployments", "deployments/scale", "statefulsets/status"] {
            assert!(names.contains(&served), "{served} in {names:?}");
        }
        let groups = document("/apis", "h").unwrap();
        let names: Vec<&str> = groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["name"].as_str())
            .collect();
        assert!(names.contains(&"apps"), "{names:?}");
        // A group nothing of which is modelled is not listed, nor its documents served.
        assert!(!names.contains(&"apiextensions.k8s.io"), "{names:?}");
        assert!(document("/apis/apiextensions.k8s.io/v1", "h").is_none());
        assert!(names.contains(&"certificates.k8s.io"), "{names:?}");
    }
}
