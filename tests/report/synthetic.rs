//! A synthetic result set the size of the vendor's whole reference: ~300 cases over the kinds of
//! core/v1, apps/v1, batch, networking and rbac, retired versions and discovery endpoints, compared
//! across three targets — with every kind of cell, drift and differences from the reference.
//! Deterministic: the same set every time.

use apiconform::results::{
    CaseError, CaseInfo, CaseResult, Cell, ErrorKind, ResultSet, SCHEMA_VERSION, TargetResults,
};
use apiconform::verify::{Drift, Layer, Mismatch};
use serde_json::json;

/// (API base, plural, namespaced, subresources).
const RESOURCES: &[(&str, &str, bool, &[&str])] = &[
    ("/api/v1", "pods", true, &["status"]),
    ("/api/v1", "services", true, &["status"]),
    ("/api/v1", "configmaps", true, &[]),
    ("/api/v1", "secrets", true, &[]),
    ("/api/v1", "serviceaccounts", true, &[]),
    ("/api/v1", "persistentvolumeclaims", true, &["status"]),
    ("/api/v1", "persistentvolumes", false, &[]),
    ("/api/v1", "nodes", false, &["status"]),
    ("/api/v1", "namespaces", false, &["status"]),
    ("/api/v1", "endpoints", true, &[]),
    ("/api/v1", "events", true, &[]),
    ("/api/v1", "resourcequotas", true, &[]),
    ("/apis/apps/v1", "deployments", true, &["status", "scale"]),
    ("/apis/apps/v1", "statefulsets", true, &["status", "scale"]),
    ("/apis/apps/v1", "daemonsets", true, &["status"]),
    ("/apis/apps/v1", "replicasets", true, &["scale"]),
    ("/apis/batch/v1", "jobs", true, &["status"]),
    ("/apis/batch/v1beta1", "cronjobs", true, &[]),
    ("/apis/networking.k8s.io/v1", "ingresses", true, &[]),
    ("/apis/networking.k8s.io/v1", "networkpolicies", true, &[]),
    ("/apis/rbac.authorization.k8s.io/v1", "roles", true, &[]),
    (
        "/apis/rbac.authorization.k8s.io/v1",
        "clusterroles",
        false,
        &[],
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1",
        "rolebindings",
        true,
        &[],
    ),
    // Retired versions: not served by a v1.20 server.
    ("/apis/apps/v1beta1", "deployments", true, &[]),
    ("/apis/extensions/v1beta1", "deployments", true, &[]),
    ("/apis/apps/v1beta2", "daemonsets", true, &[]),
];

const DISCOVERY: &[&str] = &[
    "/api",
    "/api/v1",
    "/apis",
    "/apis/apps",
    "/apis/apps/v1",
    "/apis/batch/v1",
    "/apis/networking.k8s.io/v1",
    "/version",
];

const PATCH_TYPES: [&str; 3] = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
];

/// The (method, path, content type) of every documented operation, in document order.
fn operations() -> Vec<(String, String, Option<&'static str>)> {
    let mut ops = Vec::new();
    for (base, plural, namespaced, subs) in RESOURCES {
        let coll = if *namespaced {
            format!("{base}/namespaces/{{namespace}}/{plural}")
        } else {
            format!("{base}/{plural}")
        };
        let one = format!("{coll}/{{name}}");
        ops.push(("GET".into(), coll.clone(), None));
        ops.push(("POST".into(), coll.clone(), None));
        ops.push(("GET".into(), one.clone(), None));
        ops.push(("PUT".into(), one.clone(), None));
        for ct in PATCH_TYPES {
            ops.push(("PATCH".into(), one.clone(), Some(ct)));
        }
        ops.push(("DELETE".into(), one.clone(), None));
        ops.push(("DELETE".into(), coll.clone(), None));
        for sub in *subs {
            ops.push(("GET".into(), format!("{one}/{sub}"), None));
            ops.push(("PUT".into(), format!("{one}/{sub}"), None));
            ops.push((
                "PATCH".into(),
                format!("{one}/{sub}"),
                Some("application/merge-patch+json"),
            ));
        }
    }
    for d in DISCOVERY {
        ops.push(("GET".into(), (*d).into(), None));
    }
    ops
}

/// A small deterministic hash of a case index and a target index.
fn roll(i: usize, t: usize) -> usize {
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ ((t as u64 + 7) << 17);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    (x % 100) as usize
}

/// A normalized answer of about 1.5 KB, like a real object's.
fn answer(kind: &str, status: u16, i: usize, image: &str) -> serde_json::Value {
    json!({"status": status, "body": {
        "kind": kind,
        "apiVersion": "v1",
        "metadata": {
            "name": format!("obj-{i}"),
            "namespace": "[namespace]",
            "uid": "[uid]",
            "resourceVersion": "[resourceVersion]",
            "creationTimestamp": "[timestamp]",
            "labels": {"app": "web", "tier": "frontend", "case": format!("c{i}")},
            "annotations": {"note": "a documented example, normalized for comparison"},
            "managedFields": [{"manager": "apiconform", "operation": "Update", "apiVersion": "v1",
                "time": "[timestamp]", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}, "f:tier": {}}}}}]
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                "containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}],
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                    "imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log"}],
                "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler"
            }}
        },
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    }})
}

/// The set: `n` cases (the operations above, repeated with variants as needed) on `reference`,
/// `vendor-a` and `vendor-b`.
pub fn set(n: usize) -> ResultSet {
    let ops = operations();
    let mut cases = Vec::with_capacity(n);
    for i in 0..n {
        let (method, path, ct) = &ops[i % ops.len()];
        let round = i / ops.len();
        let short: String = path
            .trim_start_matches('/')
            .replace("namespaces/{namespace}/", "")
            .replace(['{', '}'], "")
            .replace('/', "-");
        let id = if round == 0 {
            format!("{}-{short}-{i}", method.to_lowercase())
        } else {
            format!("{}-{short}-v{round}-{i}", method.to_lowercase())
        };
        let doc = format!("docs/cce_02_{:04}.md", 100 + i / 4);
        let mut info = CaseInfo::new(&id, &format!("{method} {path}"), method, path, false);
        info.tags = vec!["imported".into(), format!("verb:{}", method.to_lowercase())];
        info.document = Some(doc);
        info.line = Some(40 + (i % 4) as u32 * 50);
        info.response_line = Some(60 + (i % 4) as u32 * 50);
        info.content_type = ct.map(Into::into);
        cases.push(info);
    }
    let targets = ["reference", "vendor-a", "vendor-b"]
        .iter()
        .enumerate()
        .map(|(t, name)| {
            let results = cases
                .iter()
                .enumerate()
                .map(|(i, c)| result(i, t, c))
                .collect();
            let mut tr = TargetResults::new(name, &format!("https://{name}.example:6443"), results);
            tr.namespace = Some(format!("apiconform-{name}"));
            tr.duration_ms = 61_000;
            tr
        })
        .collect();
    ResultSet {
        schema_version: SCHEMA_VERSION,
        tool: "apiconform 0.1.0".into(),
        started_at: "2026-12-02T10:00:00Z".into(),
        duration_ms: 190_000,
        reference: Some("reference".into()),
        cases,
        targets,
    }
}

fn result(i: usize, t: usize, c: &CaseInfo) -> CaseResult {
    let kind = c.kind.clone().unwrap_or_else(|| "APIResourceList".into());
    let r = roll(i, t);
    let cell = if c.retired {
        // The reference is a v1.20 server; vendor-a still serves apps/v1beta1.
        if t == 1 && c.version.as_deref() == Some("v1beta1") && r < 60 {
            Cell::Passed
        } else {
            Cell::NotServed
        }
    } else if c.verb.as_deref() == Some("deletecollection") && t == 2 {
        Cell::Skipped
    } else {
        match (t, r) {
            (0, 0..=1) => Cell::Accepted,
            (0, _) => Cell::Passed,
            (1, 0..=6) => Cell::Failed,
            (1, 7..=9) => Cell::Accepted,
            (1, 10..=11) => Cell::Error,
            (1, _) => Cell::Passed,
            (_, 0..=9) => Cell::Failed,
            (_, 10..=13) if c.content_type.as_deref() == Some(PATCH_TYPES[2]) => Cell::Unsupported,
            (_, 14..=16) => Cell::NotServed,
            (_, 17..=18) => Cell::Error,
            (_, 19..=21) => Cell::Accepted,
            _ => Cell::Passed,
        }
    };
    let mut run = CaseResult::new(&c.id, cell);
    run.duration_ms = 20 + (r as u64);
    run.duration_us = run.duration_ms * 1000;
    let image = if cell == Cell::Failed {
        "nginx:1.20"
    } else {
        "nginx:1.21"
    };
    match cell {
        Cell::Passed | Cell::Accepted => {
            run.status = Some(200);
            run.answer = Some(answer(&kind, 200, i, image).into());
        }
        Cell::Failed => {
            run.status = Some(200);
            run.answer = Some(answer(&kind, 200, i, image).into());
            run.mismatches = vec![Mismatch {
                layer: Layer::Document,
                check: "include".into(),
                path: "/spec/template/spec/containers/0/image".into(),
                expected: Some(json!("nginx:1.21")),
                actual: Some(json!(image)),
            }];
        }
        Cell::Unsupported => {
            run.status = Some(415);
            run.answer = Some(
                json!({"status": 415, "body": {"kind": "Status", "reason": "UnsupportedMediaType", "code": 415}})
                    .into(),
            );
        }
        Cell::NotServed => {
            run.status = Some(404);
            run.answer = Some(
                json!({"status": 404, "body": {"kind": "Status", "reason": "NotFound", "code": 404,
                    "message": "the server could not find the requested resource"}})
                .into(),
            );
        }
        Cell::Error => {
            run.error = Some(CaseError::new(
                ErrorKind::Timeout,
                "no answer within 30 s to the request",
            ));
        }
        Cell::Skipped => {
            run.error = Some(CaseError::new(
                ErrorKind::Case,
                "skipped: it cannot be confined to the run's own objects (deletes every object of the kind); --allow-unconfined runs it",
            ));
        }
    }
    if cell == Cell::Accepted {
        run.mismatches = vec![Mismatch {
            layer: Layer::Snapshot,
            check: "snapshot".into(),
            path: "/metadata/labels/tier".into(),
            expected: None,
            actual: Some(json!("gold")),
        }];
        run.accepted = vec!["the vendor adds a tier label (ticket 12)".into()];
    }
    if t == 0 && r.is_multiple_of(7) && cell == Cell::Passed {
        run.drift.push(Drift {
            path: "/status/qosClass".into(),
            documented: json!("BestEffort"),
            actual: None,
            reason: "set by the kubelet".into(),
        });
    }
    if t > 0 && cell == Cell::Failed {
        run.vs_reference.push(Mismatch {
            layer: Layer::Reference,
            check: "reference".into(),
            path: "/spec/template/spec/containers/0/image".into(),
            expected: Some(json!("nginx:1.21")),
            actual: Some(json!(image)),
        });
    }
    run
}
