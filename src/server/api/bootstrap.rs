//! What a new kube-apiserver v1.20.2 makes of itself before its first request (its bootstrap
//! controllers and post-start hooks): the system namespaces, the `kubernetes` Service of the
//! `default` namespace at the first address of the service range, and the system priority
//! classes, and the RBAC bootstrap policy (its cluster roles and bindings, the roles and bindings of
//! `kube-system` and `kube-public`, as recorded from the real server by
//! `tools/record_bootstrap.py`), each written by the manager `kube-apiserver`; and the local
//! APIService the aggregator registers for each group version served (written without a manager). The reference server
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

/// The group and version priorities the aggregator gives the APIServices it registers for the
/// group versions the server itself serves (`apiVersionPriorities` of kube-apiserver's
/// `aggregator.go`).
const API_VERSION_PRIORITIES: &[(&str, &str, i64, i64)] = &[
    ("", "v1", 18000, 1),
    ("apps", "v1", 17800, 15),
    ("events.k8s.io", "v1", 17750, 15),
    ("events.k8s.io", "v1beta1", 17750, 5),
    ("authentication.k8s.io", "v1", 17700, 15),
    ("authentication.k8s.io", "v1beta1", 17700, 9),
    ("authorization.k8s.io", "v1", 17600, 15),
    ("authorization.k8s.io", "v1beta1", 17600, 9),
    ("autoscaling", "v1", 17500, 15),
    ("autoscaling", "v2beta1", 17500, 9),
    ("autoscaling", "v2beta2", 17500, 1),
    ("batch", "v1", 17400, 15),
    ("batch", "v1beta1", 17400, 9),
    ("batch", "v2alpha1", 17400, 9),
    ("certificates.k8s.io", "v1", 17300, 15),
    ("certificates.k8s.io", "v1beta1", 17300, 9),
    ("networking.k8s.io", "v1", 17200, 15),
    ("networking.k8s.io", "v1beta1", 17200, 9),
    ("extensions", "v1beta1", 17150, 1),
    ("policy", "v1beta1", 17100, 9),
    ("rbac.authorization.k8s.io", "v1", 17000, 15),
    ("rbac.authorization.k8s.io", "v1beta1", 17000, 12),
    ("rbac.authorization.k8s.io", "v1alpha1", 17000, 9),
    ("storage.k8s.io", "v1", 16800, 15),
    ("storage.k8s.io", "v1beta1", 16800, 9),
    ("storage.k8s.io", "v1alpha1", 16800, 1),
    ("apiextensions.k8s.io", "v1", 16700, 15),
    ("apiextensions.k8s.io", "v1beta1", 16700, 9),
    ("admissionregistration.k8s.io", "v1", 16700, 15),
    ("admissionregistration.k8s.io", "v1beta1", 16700, 12),
    ("scheduling.k8s.io", "v1", 16600, 15),
    ("scheduling.k8s.io", "v1beta1", 16600, 12),
    ("scheduling.k8s.io", "v1alpha1", 16600, 9),
    ("coordination.k8s.io", "v1", 16500, 15),
    ("coordination.k8s.io", "v1beta1", 16500, 9),
    ("node.k8s.io", "v1", 16300, 15),
    ("node.k8s.io", "v1alpha1", 16300, 1),
    ("node.k8s.io", "v1beta1", 16300, 9),
    ("discovery.k8s.io", "v1beta1", 16200, 12),
    ("discovery.k8s.io", "v1alpha1", 16200, 9),
    ("flowcontrol.apiserver.k8s.io", "v1beta1", 16100, 12),
    ("flowcontrol.apiserver.k8s.io", "v1alpha1", 16100, 9),
    ("internal.apiserver.k8s.io", "v1alpha1", 16000, 9),
];

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
        if let Some(Value::Array(conditions)) = obj.pointer_mut("/status/conditions") {
            for c in conditions.iter_mut().filter_map(Value::as_object_mut) {
                c.insert("lastTransitionTime".into(), json!(now));
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
    // The local APIServices, by name (their order of writing is the aggregator's goroutines').
    let mut local: Vec<(String, &str, &str, i64, i64)> =
        crate::server::discovery::served_group_versions()
            .filter_map(|(group, version)| {
                let &(_, _, g, v) = API_VERSION_PRIORITIES
                    .iter()
                    .find(|p| p.0 == group && p.1 == version)?;
                Some((format!("{version}.{group}"), group, version, g, v))
            })
            .collect();
    local.sort();
    let api_service = schema::type_for("apiregistration.k8s.io", "v1", "APIService");
    for (name, group, version, g, v) in local.into_iter().filter(|_| api_service.is_some()) {
        let mut spec = json!({"group": group, "version": version,
                              "groupPriorityMinimum": g, "versionPriority": v});
        if group.is_empty() {
            spec.as_object_mut().map(|m| m.shift_remove("group"));
        }
        let obj = json!({
            "kind": "APIService", "apiVersion": "apiregistration.k8s.io/v1",
            "metadata": {"name": name,
                         "labels": {"kube-aggregator.kubernetes.io/automanaged": "onstart"}},
            "spec": spec,
            "status": {"conditions": [crate::server::strategy::local_available(now)]}
        });
        put("apiservices", "", api_service.unwrap_or("APIService"), obj);
    }
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
