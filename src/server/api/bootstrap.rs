//! What a new kube-apiserver v1.20.2 makes of itself before its first request (its bootstrap
//! controllers and post-start hooks): the system namespaces, the `kubernetes` Service of the
//! `default` namespace at the first address of the service range, and the system priority
//! classes, and the RBAC bootstrap policy (its cluster roles and bindings, the roles and bindings of
//! `kube-system` and `kube-public`, as recorded from the real server by
//! `tools/record_bootstrap.py`), each written by the manager `kube-apiserver`. The reference server
//! does not authorize by them: they are there to be read, as on the real server.

use super::{canonical, finish, now};
use crate::server::schema;
use crate::server::store::Store;
use serde_json::{Value, json};
use std::sync::{Arc, LazyLock};

/// Where each server puts its own uid and times (valid values, so that the canonical form of a
/// seed has every field in its place).
const PLACEHOLDER_UID: &str = "00000000-0000-0000-0000-000000000000";
const PLACEHOLDER_TIME: &str = "1970-01-01T00:00:00Z";

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

/// One object a new server holds, made once: where it is stored, its schema type, and the object
/// in canonical form with the placeholders of its uid, resourceVersion and times.
struct Seed {
    resource: &'static str,
    namespace: String,
    name: String,
    ty: &'static str,
    obj: Value,
}

/// The objects of a new server, in the order the real server writes them (their resourceVersions).
static SEEDS: LazyLock<Vec<Seed>> = LazyLock::new(seeds);

/// Writes the bootstrap objects into a new `store`, each with a uid and a resourceVersion of its
/// own and the time of now.
pub(super) fn seed(store: &mut Store) {
    let now = now();
    for seed in SEEDS.iter() {
        let mut obj = seed.obj.clone();
        if let Some(meta) = obj["metadata"].as_object_mut() {
            // In place: the seed's keys are already in their canonical order.
            meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
            meta.insert("resourceVersion".into(), json!(store.next_revision()));
            meta.insert("creationTimestamp".into(), json!(now));
        }
        if let Some(Value::Array(entries)) = obj.pointer_mut("/metadata/managedFields") {
            for e in entries.iter_mut().filter_map(Value::as_object_mut) {
                e.insert("time".into(), json!(now));
            }
        }
        let key = (seed.resource, seed.namespace.clone(), seed.name.clone());
        store.objects.insert(key, Arc::new(canonical(seed.ty, obj)));
    }
}

/// The seeds, made in canonical form (decoded from their own encoding).
fn seeds() -> Vec<Seed> {
    let mut seeds = Vec::new();
    let now = PLACEHOLDER_TIME;
    let managed = |api_version: &str, fields: Value| {
        json!([{"manager": "kube-apiserver", "operation": "Update", "apiVersion": api_version,
                "time": now, "fieldsType": "FieldsV1", "fieldsV1": fields}])
    };
    let mut put = |resource: &'static str, ns: &str, ty: &'static str, mut obj: Value| {
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        let meta = obj["metadata"].as_object_mut().expect("metadata");
        meta.insert("uid".into(), json!(PLACEHOLDER_UID));
        meta.insert("resourceVersion".into(), json!("0"));
        meta.insert("creationTimestamp".into(), json!(now));
        // managedFields last, as ObjectMeta orders it.
        if let Some(m) = meta.shift_remove("managedFields") {
            meta.insert("managedFields".into(), m);
        }
        let obj = (*finish(ty, obj).obj).clone();
        seeds.push(Seed {
            resource,
            namespace: ns.to_string(),
            name,
            ty,
            obj,
        });
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
        put("priorityclasses", "", ty.unwrap_or("PriorityClass"), obj);
    }
    for name in NAMESPACES {
        let obj = json!({
            "kind": "Namespace", "apiVersion": "v1",
            "metadata": {"name": name,
                         "managedFields": managed("v1", json!({"f:status": {"f:phase": {}}}))},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}
        });
        put("namespaces", "", core("Namespace"), obj);
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
        put(resource, &ns, ty, obj);
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
    put("services", "default", core("Service"), service);
    seeds
}
