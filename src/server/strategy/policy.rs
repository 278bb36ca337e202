//! The strategies of policy/v1beta1, autoscaling/v1, storage.k8s.io/v1 and scheduling.k8s.io/v1
//! kinds (`pkg/registry/{policy,autoscaling,storage,scheduling}`): pod disruption budgets, pod
//! security policies, horizontal pod autoscalers, storage classes and priority classes.

use super::apps::{nonnegative, set_default};
use super::{Strategy, reset_status, spec_of, status_nonnegative};
use crate::server::status::Cause;
use serde_json::{Value, json};

pub(super) fn for_kind(group: &str, kind: &str) -> Option<&'static dyn Strategy> {
    Some(match (group, kind) {
        ("policy", "PodDisruptionBudget") => &DisruptionBudget,
        ("policy", "PodSecurityPolicy") => &SecurityPolicy,
        ("autoscaling", "HorizontalPodAutoscaler") => &Autoscaler,
        ("storage.k8s.io", "StorageClass") => &StorageClass,
        ("scheduling.k8s.io", "PriorityClass") => &PriorityClass,
        _ => return None,
    })
}

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// A PodDisruptionBudget: created without status, generation 1 and one more per spec change;
/// `minAvailable` or `maxUnavailable`, not both.
struct DisruptionBudget;
impl Strategy for DisruptionBudget {
    fn allows_unconditional_update(&self) -> bool {
        false
    }
    fn validate_status(&self, _new: &Value, _old: &Value) -> Vec<Cause> {
        Vec::new()
    }
    fn prepare_create(&self, obj: &mut Value) {
        obj["status"] = json!({"disruptionsAllowed": 0, "currentHealthy": 0,
                               "desiredHealthy": 0, "expectedPods": 0});
        obj["metadata"]["generation"] = json!(1);
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let set = |k: &str| {
            obj.pointer(&format!("/spec/{k}"))
                .is_some_and(|v| !v.is_null())
        };
        let mut errs = Vec::new();
        if set("minAvailable") && set("maxUnavailable") {
            // kube-apiserver quotes the spec with its pointers' addresses.
            errs.push(Cause {
                reason: "FieldValueInvalid",
                message: "Invalid value: policy.PodDisruptionBudgetSpec{…}: minAvailable and maxUnavailable cannot be both set".into(),
                field: "spec".into(),
            });
        }
        errs
    }
}

/// A PodSecurityPolicy: privilege escalation allowed by default; each strategy names a rule;
/// kube-apiserver v1.20 names its kind `PodSecurityPolicy.extensions`; a delete answers the
/// deleted object.
struct SecurityPolicy;
impl Strategy for SecurityPolicy {
    fn default(&self, obj: &mut Value) {
        if let Some(spec) = spec_of(obj) {
            set_default(spec, "allowPrivilegeEscalation", json!(true));
        }
    }
    fn invalid_kind(&self) -> Option<&'static str> {
        Some("PodSecurityPolicy.extensions")
    }
    fn returns_deleted_object(&self) -> bool {
        true
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        for (field, allowed) in [
            (
                "runAsUser",
                &["MustRunAs", "MustRunAsNonRoot", "RunAsAny"][..],
            ),
            ("seLinux", &["MustRunAs", "RunAsAny"][..]),
            (
                "supplementalGroups",
                &["MayRunAs", "MustRunAs", "RunAsAny"][..],
            ),
            ("fsGroup", &["MayRunAs", "MustRunAs", "RunAsAny"][..]),
        ] {
            let rule = text(obj, &format!("/spec/{field}/rule"));
            if !allowed.contains(&rule) {
                errs.push(Cause::not_supported(
                    format!("spec.{field}.rule"),
                    &json!(rule),
                    allowed,
                ));
            }
        }
        errs
    }
}

/// A HorizontalPodAutoscaler (autoscaling/v1): one replica at least and 80% CPU by default;
/// created without status.
struct Autoscaler;
impl Strategy for Autoscaler {
    fn validate_status(&self, new: &Value, _old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        status_nonnegative(new, &["currentReplicas", "desiredReplicas"], &mut errs);
        errs
    }
    fn default(&self, obj: &mut Value) {
        if let Some(spec) = spec_of(obj) {
            set_default(spec, "minReplicas", json!(1));
            set_default(spec, "targetCPUUtilizationPercentage", json!(80));
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        reset_status(obj);
        obj["status"] = json!({"currentReplicas": 0, "desiredReplicas": 0});
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let int = |p: &str| obj.pointer(p).and_then(Value::as_i64);
        let min = int("/spec/minReplicas").unwrap_or(1);
        if min < 1 {
            errs.push(Cause::invalid(
                "spec.minReplicas",
                &json!(min),
                "must be greater than 0",
            ));
        }
        let max = int("/spec/maxReplicas").unwrap_or(0);
        if max < 1 {
            errs.push(Cause::invalid(
                "spec.maxReplicas",
                &json!(max),
                "must be greater than 0",
            ));
        }
        if max < min {
            errs.push(Cause::invalid(
                "spec.maxReplicas",
                &json!(max),
                "must be greater than or equal to `minReplicas`",
            ));
        }
        for k in ["kind", "name"] {
            if text(obj, &format!("/spec/scaleTargetRef/{k}")).is_empty() {
                errs.push(Cause::required(format!("spec.scaleTargetRef.{k}")));
            }
        }
        nonnegative(
            obj,
            "/spec/targetCPUUtilizationPercentage",
            "spec.targetCPUUtilizationPercentage",
            &mut errs,
        );
        errs
    }
}

/// A StorageClass: reclaim policy Delete and immediate binding by default; its provisioner is
/// required; provisioner and parameters never change; a delete answers the deleted object.
struct StorageClass;
impl Strategy for StorageClass {
    fn default(&self, obj: &mut Value) {
        if let Some(m) = obj.as_object_mut() {
            set_default(m, "reclaimPolicy", json!("Delete"));
            set_default(m, "volumeBindingMode", json!("Immediate"));
        }
    }
    fn returns_deleted_object(&self) -> bool {
        true
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        if text(obj, "/provisioner").is_empty() {
            errs.push(Cause::required("provisioner"));
        }
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        if new.get("parameters") != old.get("parameters") {
            errs.push(Cause::forbidden(
                "parameters",
                "updates to parameters are forbidden.",
            ));
        }
        if new.get("provisioner") != old.get("provisioner") {
            errs.push(Cause::forbidden(
                "provisioner",
                "updates to provisioner are forbidden.",
            ));
        }
        errs
    }
}

/// A PriorityClass: preempts lower priorities by default; `system-` names are reserved; its
/// value never changes.
struct PriorityClass;
impl Strategy for PriorityClass {
    fn default(&self, obj: &mut Value) {
        if let Some(m) = obj.as_object_mut() {
            set_default(m, "preemptionPolicy", json!("PreemptLowerPriority"));
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        obj["metadata"]["generation"] = json!(1);
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let name = text(obj, "/metadata/name");
        if name.starts_with("system-")
            && !matches!(name, "system-node-critical" | "system-cluster-critical")
        {
            errs.push(Cause::forbidden(
                "metadata.name",
                format!("priority class names with 'system-' prefix are reserved for system use only. error: {name} is not a known system priority class"),
            ));
        }
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        if new.get("value") != old.get("value") {
            errs.push(Cause::forbidden(
                "Value",
                "may not be changed in an update.",
            ));
        }
        errs
    }
}
