//! Pods (`registry/core/pod/strategy.go`, with the semantics of `server::pod`): the v1 defaults,
//! the admission plugins of a create and an update (Priority, DefaultTolerationSeconds), the
//! status a create starts with, the updates a pod allows, the status subresource keeping the spec
//! and owners, and graceful deletion of a pod bound to a node.

use super::{Strategy, keep_meta};
use crate::server::pod;
use crate::server::status::Cause;
use serde_json::{Value, json};

pub(super) struct Pod;

impl Strategy for Pod {
    /// `SetDefaults_Pod` and below, and the v1 conversion of `podIP`/`podIPs` (decoding's).
    fn default(&self, obj: &mut Value) {
        pod::apply_defaults(obj);
        pod::convert_pod_ips(obj);
    }
    fn returns_deleted_object(&self) -> bool {
        true
    }
    /// The admission plugins of a create, then the status a new pod has.
    fn prepare_create(&self, obj: &mut Value) {
        pod::admit_create(obj);
        let qos = pod::qos_class(&obj["spec"]);
        obj["status"] = json!({"phase": "Pending", "qosClass": qos});
    }
    /// The Priority admission plugin keeps the priority (and preemption policy) a pod was created
    /// with; DefaultTolerationSeconds adds its tolerations again.
    fn prepare_update(&self, new: &mut Value, old: &Value) {
        for field in ["priority", "preemptionPolicy"] {
            if new["spec"].get(field).is_none()
                && let Some(p) = old["spec"].get(field)
            {
                new["spec"][field] = p.clone();
            }
        }
        pod::default_toleration_seconds(new);
    }
    /// The status subresource keeps the owner references as well as the spec.
    fn prepare_status_update(&self, new: &mut Value, old: &Value) {
        keep_meta(new, old, "ownerReferences");
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        pod::validate_spec(obj)
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        pod::validate_update(new, old)
    }
    fn validate_status(&self, new: &Value, _old: &Value) -> Vec<Cause> {
        pod::validate_status(new)
    }
    /// `CheckGracefulDelete`: a pod bound to a node that has not finished waits for its kubelet
    /// for the requested period (else its own `terminationGracePeriodSeconds`); any other goes at
    /// once.
    fn grace_period(&self, obj: &Value, requested: Option<i64>) -> Option<i64> {
        let phase = obj
            .pointer("/status/phase")
            .and_then(Value::as_str)
            .unwrap_or("");
        let scheduled = !obj
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty();
        Some(if !scheduled || phase == "Failed" || phase == "Succeeded" {
            0
        } else {
            requested.unwrap_or_else(|| {
                obj.pointer("/spec/terminationGracePeriodSeconds")
                    .and_then(Value::as_i64)
                    .unwrap_or(30)
            })
        })
    }
}
