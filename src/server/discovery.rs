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
    let (plural, sub) = match name.split_once('/') {
        Some((p, s)) => (p, Some(s)),
        None => (name, None),
    };
    let Some(r) = crate::kinds::find("", "v1", plural) else {
        return false;
    };
    let kind_served = matches!(r.kind, "Pod" | "Namespace" | "ComponentStatus" | "Binding")
        || strategy::for_kind("", r.kind).is_some();
    kind_served
        && match sub {
            None => true,
            Some("status") => r.has_subresource("status"),
            Some("finalize") => r.kind == "Namespace",
            Some("binding" | "eviction" | "log" | "exec" | "attach" | "portforward") => {
                r.kind == "Pod"
            }
            Some("proxy") => matches!(r.kind, "Pod" | "Service" | "Node"),
            Some("scale") => strategy::for_kind("", r.kind)
                .is_some_and(|s| s.scale_selector(&Value::Null).is_some()),
            Some(_) => false,
        }
}

/// The discovery document of `path`, if it is one; `host` is the address the client used (the
/// real server names its advertised address in `/api`).
pub fn document(path: &str, host: &str) -> Option<Value> {
    match path.trim_end_matches('/') {
        "/api" => Some(json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]
        })),
        "/api/v1" => {
            let recorded = crate::kinds::discovery_document("/api/v1")?;
            let mut doc: Value = serde_json::from_slice(recorded).ok()?;
            if let Some(list) = doc.get_mut("resources").and_then(Value::as_array_mut) {
                list.retain(|r| {
                    r.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(serves_core)
                });
            }
            Some(doc)
        }
        // No named group is served yet.
        "/apis" => Some(json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []})),
        _ => None,
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
        ] {
            assert!(names.contains(&served), "{served} in {names:?}");
        }
        assert!(!names.contains(&"serviceaccounts/token"));
        assert_eq!(doc["groupVersion"], "v1");
        assert!(document("/apis/apps/v1", "h").is_none());
    }
}
