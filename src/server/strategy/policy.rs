//! The strategies of policy/v1beta1, autoscaling/v1, storage.k8s.io/v1 and scheduling.k8s.io/v1
//! kinds (`pkg/registry/{policy,autoscaling,storage,scheduling}`): pod disruption budgets, pod
//! security policies, horizontal pod autoscalers, storage classes and priority classes.

use super::apps::{nonnegative, over_100_percent, set_default, validate_intstr};
use super::label_selector::LabelSelector;
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

/// `ValidateImmutableField` of a top-level field.
fn immutable(new: &Value, old: &Value, field: &str, errs: &mut Vec<Cause>) {
    let v = new.get(field).cloned().unwrap_or(Value::Null);
    if old.get(field).unwrap_or(&Value::Null) != &v {
        errs.push(Cause::invalid(field, &v, "field is immutable"));
    }
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
            // kube-apiserver quotes the internal spec (Go's `%#v`, pointers by address).
            let spec = obj.get("spec").unwrap_or(&Value::Null);
            let shown = crate::server::go_value::go_value("policy.PodDisruptionBudgetSpec", spec)
                .unwrap_or_else(|| "policy.PodDisruptionBudgetSpec{…}".into());
            errs.push(Cause::invalid_shown(
                "spec",
                &shown,
                "minAvailable and maxUnavailable cannot be both set",
            ));
        }
        for k in ["minAvailable", "maxUnavailable"] {
            let v = obj.pointer(&format!("/spec/{k}")).filter(|v| !v.is_null());
            if v.is_some() {
                let field = format!("spec.{k}");
                validate_intstr(v, &field, &mut errs);
                over_100_percent(v, &field, &mut errs);
            }
        }
        errs.extend(
            LabelSelector::from_value(obj.pointer("/spec/selector").filter(|s| !s.is_null()))
                .validate("spec.selector"),
        );
        errs
    }
    fn name_rule(&self) -> fn(&str) -> Option<String> {
        super::rbac::path_segment_name
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
        let volumes = obj.pointer("/spec/volumes").and_then(Value::as_array);
        for v in volumes.into_iter().flatten() {
            let v = v.as_str().unwrap_or("");
            if !VOLUME_TYPES.contains(&v) {
                errs.push(Cause::not_supported(
                    "spec.volumes",
                    &json!(v),
                    VOLUME_TYPES,
                ));
            }
        }
        errs
    }
}

/// The volume types a pod security policy may allow (`GetAllFSTypesAsSet` and `*`), sorted.
const VOLUME_TYPES: &[&str] = &[
    "*",
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephFS",
    "cinder",
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "hostPath",
    "iscsi",
    "nfs",
    "persistentVolumeClaim",
    "photonPersistentDisk",
    "portworxVolume",
    "projected",
    "quobyte",
    "rbd",
    "scaleIO",
    "secret",
    "storageos",
    "vsphereVolume",
];

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
        current_metrics_round_trip(obj);
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

/// The annotation autoscaling/v1 keeps the current metrics of the internal (v2) status in.
const CURRENT_METRICS: &str = "autoscaling.alpha.kubernetes.io/current-metrics";

/// The round trip of an autoscaling/v1 object through the internal type: its current metrics
/// come from the annotation if it holds a valid list, else from
/// `status.currentCPUUtilizationPercentage`; on the way out the annotation holds them all (with
/// the CPU's raw value, `"0"` when unknown) and the status their CPU utilization.
fn current_metrics_round_trip(obj: &mut Value) {
    let from_annotation = obj
        .pointer(&format!(
            "/metadata/annotations/{}",
            CURRENT_METRICS.replace('/', "~1")
        ))
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str::<Vec<Value>>(s).ok());
    let metrics = from_annotation.or_else(|| {
        let cpu = obj
            .pointer("/status/currentCPUUtilizationPercentage")?
            .as_i64()?;
        Some(vec![json!({"type": "Resource", "resource": {
            "name": "cpu", "currentAverageUtilization": cpu, "currentAverageValue": "0"}})])
    });
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
        a.shift_remove(CURRENT_METRICS);
    }
    let Some(metrics) = metrics.filter(|m| !m.is_empty()) else {
        return;
    };
    let annotations = crate::server::pod::obj_entry(meta, "annotations");
    annotations.insert(
        CURRENT_METRICS.into(),
        json!(serde_json::to_string(&metrics).unwrap_or_default()),
    );
    let cpu = metrics.iter().find_map(|m| {
        (m.get("type")? == "Resource" && m.pointer("/resource/name")? == "cpu")
            .then(|| m.pointer("/resource/currentAverageUtilization").cloned())
            .flatten()
    });
    if let Some(cpu) = cpu
        && let Some(status) = obj.get_mut("status").and_then(Value::as_object_mut)
    {
        status.insert("currentCPUUtilizationPercentage".into(), cpu);
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
        let policy = text(obj, "/reclaimPolicy");
        if !policy.is_empty() && !matches!(policy, "Delete" | "Retain") {
            errs.push(Cause::not_supported(
                "reclaimPolicy",
                &json!(policy),
                &["Delete", "Retain"],
            ));
        }
        let mode = text(obj, "/volumeBindingMode");
        if !matches!(mode, "Immediate" | "WaitForFirstConsumer") {
            errs.push(Cause::not_supported(
                "volumeBindingMode",
                &json!(mode),
                &["Immediate", "WaitForFirstConsumer"],
            ));
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
        if new.get("reclaimPolicy") != old.get("reclaimPolicy") {
            errs.push(Cause::forbidden(
                "reclaimPolicy",
                "updates to reclaimPolicy are forbidden.",
            ));
        }
        immutable(new, old, "volumeBindingMode", &mut errs);
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
        } else if obj
            .get("value")
            .and_then(Value::as_i64)
            .is_some_and(|v| v > 1_000_000_000)
        {
            errs.push(Cause::forbidden(
                "value",
                "maximum allowed value of a user defined priority is 1000000000",
            ));
        }
        let policy = obj.get("preemptionPolicy").and_then(Value::as_str);
        match policy {
            None | Some("PreemptLowerPriority" | "Never") => {}
            Some("") => errs.push(Cause::required("preemptionPolicy")),
            Some(p) => errs.push(Cause::not_supported(
                "preemptionPolicy",
                &json!(p),
                &["PreemptLowerPriority", "Never"],
            )),
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
        immutable(new, old, "preemptionPolicy", &mut errs);
        errs
    }
}
