//! Generated cases for the harness benchmark: real [`Case`]s, each with its pod, its setup and its
//! expectations in every layer the case format has, in the kinds of the documents' cases — PUT of
//! pods/status, the three PATCH types, and errors (a failing JSON Patch `test`, a stale
//! resourceVersion, a missing pod, an unsupported media type).
//!
//! They are built in memory (no YAML parsing, which a real run does once per case file before the
//! timed part), with inline JSON bodies. Every case passes against the reference server.

use crate::cases::{Body, Case, Check, Expect, Fixture, Request, Step};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The kinds of generated case, in the order they are dealt out.
pub const KINDS: [&str; 8] = [
    "put-status",
    "json-patch",
    "merge-patch",
    "strategic",
    "json-patch-test-fails",
    "put-status-stale",
    "missing-pod",
    "unsupported-media-type",
];

/// `n` cases, the kinds of [`KINDS`] in turn; ids `bench-<kind>-<index>`, sorted as a loaded case
/// directory would be.
pub fn cases(n: usize) -> Vec<Case> {
    let mut out: Vec<Case> = (0..n).map(case).collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The `i`-th generated case.
pub fn case(i: usize) -> Case {
    let kind = KINDS[i % KINDS.len()];
    let pod_path = "/api/v1/namespaces/{namespace}/pods/{name}";
    let image = format!("nginx:1.{}", i % 20);
    let (title, pod, setup, request, expect): (String, bool, Vec<Step>, Request, Expect) =
        match kind {
            "put-status" => (
                "PUT pods/{name}/status with the current resourceVersion".into(),
                true,
                vec![Step {
                    request: request("GET", pod_path, None, None),
                    capture: [("rv".to_string(), "/metadata/resourceVersion".to_string())].into(),
                }],
                request(
                    "PUT",
                    "/api/v1/namespaces/{namespace}/pods/{name}/status",
                    Some("application/json"),
                    Some(json!({
                        "kind": "Pod",
                        "apiVersion": "v1",
                        "metadata": {
                            "name": "{name}",
                            "namespace": "{namespace}",
                            "resourceVersion": "{{rv}}",
                            "labels": {"name": "brace", "bench": i.to_string()}
                        },
                        "status": {
                            "phase": "Running",
                            "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null,
                                            "lastTransitionTime": "2016-08-08T07:41:29Z"}],
                            "hostIP": "127.0.0.1",
                            "podIP": pod_ip(i),
                            "startTime": "2016-08-08T07:41:29Z"
                        }
                    })),
                ),
                Expect {
                    kind: Some("Pod".into()),
                    checks: vec![
                        Check::SpecUnchanged,
                        Check::ResourceVersionChanged,
                        Check::IdentityPreserved,
                    ],
                    include: Some(json!({
                        "kind": "Pod",
                        "metadata": {"name": "{name}", "namespace": "{namespace}"},
                        "status": {"phase": "Running", "podIP": pod_ip(i),
                                   "podIPs": [{"ip": pod_ip(i)}]}
                    })),
                    ..Expect::status(200)
                },
            ),
            "json-patch" => (
                "PATCH with a JSON Patch adding a label and replacing the image".into(),
                true,
                vec![],
                request(
                    "PATCH",
                    pod_path,
                    Some("application/json-patch+json"),
                    Some(json!([
                        {"op": "add", "path": "/metadata/labels/patched", "value": format!("json-{i}")},
                        {"op": "replace", "path": "/spec/containers/0/image", "value": image},
                        {"op": "add", "path": "/spec/activeDeadlineSeconds", "value": 600 + i % 100}
                    ])),
                ),
                Expect {
                    kind: Some("Pod".into()),
                    checks: vec![
                        Check::JsonPatchApplied,
                        Check::ResourceVersionChanged,
                        Check::IdentityPreserved,
                    ],
                    include: Some(json!({"spec": {"containers": [{"image": image}]}})),
                    ..Expect::status(200)
                },
            ),
            "merge-patch" => (
                "PATCH with a merge patch adding and deleting labels".into(),
                true,
                vec![],
                request(
                    "PATCH",
                    pod_path,
                    Some("application/merge-patch+json"),
                    Some(
                        json!({"metadata": {"labels": {"name": null, "patched": format!("merge-{i}")},
                                             "annotations": {"bench": i.to_string()}}}),
                    ),
                ),
                Expect {
                    kind: Some("Pod".into()),
                    checks: vec![
                        Check::MergePatchApplied,
                        Check::ResourceVersionChanged,
                        Check::IdentityPreserved,
                    ],
                    include: Some(
                        json!({"metadata": {"labels": {"patched": format!("merge-{i}")}}}),
                    ),
                    ..Expect::status(200)
                },
            ),
            "strategic" => (
                "PATCH with a strategic merge patch: containers merge by name".into(),
                true,
                vec![],
                request(
                    "PATCH",
                    pod_path,
                    Some("application/strategic-merge-patch+json"),
                    Some(
                        json!({"spec": {"containers": [{"name": "hello-world", "image": image}]}}),
                    ),
                ),
                Expect {
                    kind: Some("Pod".into()),
                    checks: vec![Check::ResourceVersionChanged, Check::IdentityPreserved],
                    include: Some(json!({"spec": {"containers": [{
                        "name": "hello-world", "image": image,
                        "env": [{"name": "cy", "value": "cy"}]
                    }]}})),
                    ..Expect::status(200)
                },
            ),
            "json-patch-test-fails" => (
                "PATCH whose JSON Patch test operation fails".into(),
                true,
                vec![],
                request(
                    "PATCH",
                    pod_path,
                    Some("application/json-patch+json"),
                    Some(json!([
                        {"op": "test", "path": "/spec/containers/0/image", "value": "not-the-image"},
                        {"op": "replace", "path": "/spec/containers/0/image", "value": image}
                    ])),
                ),
                Expect {
                    reason: Some("Invalid".into()),
                    checks: vec![Check::UnchangedOnFailure],
                    ..Expect::status(422)
                },
            ),
            "put-status-stale" => (
                "PUT status with a stale resourceVersion is a conflict".into(),
                true,
                vec![],
                request(
                    "PUT",
                    "/api/v1/namespaces/{namespace}/pods/{name}/status",
                    Some("application/json"),
                    Some(json!({
                        "apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": "{name}", "labels": {"name": "brace"}, "resourceVersion": "1"},
                        "status": {"phase": "Running"}
                    })),
                ),
                Expect {
                    reason: Some("Conflict".into()),
                    checks: vec![Check::UnchangedOnFailure],
                    include: Some(json!({"details": {"name": "{name}", "kind": "pods"}})),
                    ..Expect::status(409)
                },
            ),
            "missing-pod" => (
                "PATCH of a pod that does not exist".into(),
                false,
                vec![],
                request(
                    "PATCH",
                    pod_path,
                    Some("application/merge-patch+json"),
                    Some(json!({"metadata": {"labels": {"a": i.to_string()}}})),
                ),
                Expect {
                    reason: Some("NotFound".into()),
                    include: Some(json!({"details": {"name": "{name}", "kind": "pods"}})),
                    ..Expect::status(404)
                },
            ),
            _ => (
                "PATCH with Content-Type text/plain is unsupported".into(),
                true,
                vec![],
                request(
                    "PATCH",
                    pod_path,
                    Some("text/plain"),
                    Some(json!({"metadata": {"labels": {"x": i.to_string()}}})),
                ),
                Expect {
                    reason: Some("UnsupportedMediaType".into()),
                    checks: vec![Check::UnchangedOnFailure],
                    ..Expect::status(415)
                },
            ),
        };
    Case {
        unconfined: None,
        id: format!("bench-{kind}-{i:05}"),
        title,
        tags: vec!["bench".into(), kind.into()],
        provenance: None,
        fixtures: pod
            .then(|| Fixture {
                kind: Some("Pod".into()),
                api_version: Some("v1".into()),
                var: None,
                body: Body::Json(pod_json(i)),
            })
            .into_iter()
            .collect(),
        setup,
        request,
        expect,
        file: PathBuf::from(format!("generated/bench-{i:05}.yaml")),
    }
}

/// The case's pod: the documents' hello-world pod, labelled with the case's index.
fn pod_json(i: usize) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "hello-world", "labels": {"name": "brace", "bench": i.to_string()}},
        "spec": {
            "volumes": [{"name": "test", "emptyDir": {}}],
            "containers": [{
                "name": "hello-world",
                "image": "beego:v1",
                "env": [{"name": "cy", "value": "cy"}],
                "volumeMounts": [{"name": "test", "mountPath": "/tmp/foo"}]
            }]
        }
    })
}

fn pod_ip(i: usize) -> String {
    format!("172.16.{}.{}", (i / 250) % 250, i % 250 + 1)
}

fn request(method: &str, path: &str, content_type: Option<&str>, body: Option<Value>) -> Request {
    Request {
        method: method.into(),
        path: path.into(),
        query: BTreeMap::new(),
        headers: BTreeMap::new(),
        content_type: content_type.map(str::to_string),
        body: body.map(Body::Json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_dealt_and_ids_are_unique() {
        let cases = cases(40);
        let ids: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), 40);
        for kind in KINDS {
            assert_eq!(
                cases.iter().filter(|c| c.tags[1] == kind).count(),
                5,
                "{kind}"
            );
        }
    }
}
