//! What a new kube-apiserver v1.20.2 makes of itself before its first request (its bootstrap
//! controllers and post-start hooks): the system namespaces, the `kubernetes` Service of the
//! `default` namespace at the first address of the service range, and the system priority
//! classes, and the RBAC bootstrap policy (its cluster roles and bindings, the roles and bindings of
//! `kube-system` and `kube-public`, as recorded from the real server by
//! `tools/record_bootstrap.py`), each written by the manager `kube-apiserver`. The reference server
//! does not authorize by them: they are there to be read, as on the real server.

use super::{finish, now};
use crate::server::schema;
use crate::server::store::Store;
use serde_json::{Value, json};
use std::sync::Arc;

/// The RBAC bootstrap policy as the real server writes it at start (`tools/record_bootstrap.py`).
const RBAC_POLICY: &str = include_str!("../bootstrap-v1.20.2.json");

/// The store's name of an RBAC resource of the recorded policy.
fn rbac_resource(plural: &str) -> Option<&'static str> {
    [
        "clusterroles",
        "clusterrolebindings",
        "roles",
        "rolebindings",
    ]
    .into_iter()
    .find(|r| *r == plural)
}

/// The namespaces, in the order the real server makes them (`default` last).
const NAMESPACES: [&str; 4] = ["kube-system", "kube-public", "kube-node-lease", "default"];

/// The schema type of a core/v1 kind.
fn core(kind: &'static str) -> &'static str {
    schema::type_for("", "v1", kind).unwrap_or(kind)
}

/// Writes the bootstrap objects into a new `store`.
pub(super) fn seed(store: &mut Store) {
    let now = now();
    let managed = |api_version: &str, fields: Value| {
        json!([{"manager": "kube-apiserver", "operation": "Update", "apiVersion": api_version,
                "time": now, "fieldsType": "FieldsV1", "fieldsV1": fields}])
    };
    let put = |store: &mut Store, resource: &'static str, ns: &str, ty: &str, mut obj: Value| {
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        let meta = obj["metadata"].as_object_mut().expect("metadata");
        meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        meta.insert("resourceVersion".into(), json!(store.next_revision()));
        meta.insert("creationTimestamp".into(), json!(now));
        // managedFields last, as ObjectMeta orders it.
        if let Some(m) = meta.shift_remove("managedFields") {
            meta.insert("managedFields".into(), m);
        }
        let stored = finish(ty, obj);
        store
            .objects
            .insert((resource, ns.to_string(), name), Arc::new(stored));
    };
    for class in [
        (
            "system-node-critical",
            2_000_001_000,
            "Used for system critical pods that must not be moved from their current node.",
        ),
        (
            "system-cluster-critical",
            2_000_000_000,
            "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        ),
    ] {
        let (name, value, description) = class;
        let fields = json!({"f:description": {}, "f:preemptionPolicy": {}, "f:value": {}});
        let obj = json!({
            "kind": "PriorityClass", "apiVersion": "scheduling.k8s.io/v1",
            "metadata": {"name": name, "generation": 1,
                         "managedFields": managed("scheduling.k8s.io/v1", fields)},
            "value": value, "description": description, "preemptionPolicy": "PreemptLowerPriority"
        });
        let ty = schema::type_for("scheduling.k8s.io", "v1", "PriorityClass");
        put(
            store,
            "priorityclasses",
            "",
            ty.unwrap_or("PriorityClass"),
            obj,
        );
    }
    for name in NAMESPACES {
        let obj = json!({
            "kind": "Namespace", "apiVersion": "v1",
            "metadata": {"name": name,
                         "managedFields": managed("v1", json!({"f:status": {"f:phase": {}}}))},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}
        });
        put(store, "namespaces", "", core("Namespace"), obj);
    }
    // The RBAC bootstrap policy, in the order the real server writes it.
    let policy: Vec<Value> = serde_json::from_str(RBAC_POLICY).unwrap_or_default();
    for entry in policy {
        let (Some(resource), Some(mut obj)) = (
            entry["resource"].as_str().and_then(rbac_resource),
            entry.get("object").cloned(),
        ) else {
            continue;
        };
        let kind = obj["kind"].as_str().unwrap_or("").to_string();
        let Some(ty) = schema::type_for("rbac.authorization.k8s.io", "v1", &kind) else {
            continue;
        };
        if let Some(Value::Array(entries)) = obj.pointer_mut("/metadata/managedFields") {
            for e in entries.iter_mut().filter_map(Value::as_object_mut) {
                e.insert("time".into(), json!(now));
            }
        }
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string();
        put(store, resource, &ns, ty, obj);
    }
    let fields = json!({
        "f:metadata": {"f:labels": {".": {}, "f:component": {}, "f:provider": {}}},
        "f:spec": {"f:clusterIP": {}, "f:ipFamilyPolicy": {}, "f:ports": {".": {},
            "k:{\"port\":443,\"protocol\":\"TCP\"}": {".": {}, "f:name": {}, "f:port": {},
                                                    "f:protocol": {}, "f:targetPort": {}}},
            "f:sessionAffinity": {}, "f:type": {}}
    });
    let service = json!({
        "kind": "Service", "apiVersion": "v1",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"},
                     "managedFields": managed("v1", fields)},
        "spec": {"ports": [{"name": "https", "protocol": "TCP", "port": 443, "targetPort": 6443}],
                 "clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"], "type": "ClusterIP",
                 "sessionAffinity": "None"},
        "status": {"loadBalancer": {}}
    });
    put(store, "services", "default", core("Service"), service);
}
