//! The strategies of apps/v1 (`pkg/registry/apps/*/strategy.go`, `pkg/apis/apps/v1/defaults.go`,
//! `pkg/apis/apps/validation`): deployments, replica sets, stateful sets, daemon sets and
//! controller revisions. No controller acts on them, as on a bare kube-apiserver.

use super::label_selector::{self, LabelSelector};
use super::{
    Strategy, collision_count_decremented, reset_status, set_if_empty, spec_of, status_nonnegative,
    status_not_above_replicas,
};
use crate::server::pod::{self, obj_entry};
use crate::server::status::Cause;
use serde_json::{Map, Value, json};

/// The annotation apps/v1 keeps a daemon set's template generation in (`TemplateGeneration` of
/// the internal type, converted).
const TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

pub(super) fn for_kind(kind: &str) -> Option<&'static dyn Strategy> {
    Some(match kind {
        "Deployment" => &Deployment,
        "ReplicaSet" => &ReplicaSet,
        "StatefulSet" => &StatefulSet,
        "DaemonSet" => &DaemonSet,
        "ControllerRevision" => &ControllerRevision,
        _ => return None,
    })
}

pub(super) fn set_default(m: &mut Map<String, Value>, k: &str, v: Value) {
    if m.get(k).is_none_or(Value::is_null) {
        m.insert(k.into(), v);
    }
}

/// An update strategy: a rolling update when it names no type, with `params` defaulted then.
fn default_rolling_update(strategy: &mut Map<String, Value>, params: &[(&str, Value)]) {
    set_if_empty(strategy, "type", json!("RollingUpdate"));
    if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
        let ru = obj_entry(strategy, "rollingUpdate");
        for (k, v) in params {
            set_default(ru, k, v.clone());
        }
    }
}

/// The pod template's defaults (`SetDefaults_PodSpec` and the rest of the generated defaulters).
pub(super) fn default_template(spec: &mut Map<String, Value>) {
    let t = spec.entry("template").or_insert_with(|| json!({}));
    if t.is_null() {
        *t = json!({});
    }
    pod::apply_template_defaults(t);
}

fn int(obj: &Value, pointer: &str) -> Option<i64> {
    obj.pointer(pointer).and_then(Value::as_i64)
}

/// `ValidateNonnegativeField`.
pub(super) fn nonnegative(obj: &Value, pointer: &str, field: &str, errs: &mut Vec<Cause>) {
    if let Some(v) = int(obj, pointer).filter(|v| *v < 0) {
        errs.push(Cause::invalid(
            field,
            &json!(v),
            "must be greater than or equal to 0",
        ));
    }
}

/// The template's labels do not match the selector (`spec.template.metadata.labels`).
pub(super) fn labels_mismatch(labels: Option<&Value>) -> Cause {
    Cause::invalid_shown(
        "spec.template.metadata.labels",
        &label_selector::go_map(labels),
        "`selector` does not match template `labels`",
    )
}

/// `availableReplicas` of a status cannot exceed its `readyReplicas`.
fn available_not_above_ready(obj: &Value, errs: &mut Vec<Cause>) {
    let available = int(obj, "/status/availableReplicas").unwrap_or(0);
    if available > int(obj, "/status/readyReplicas").unwrap_or(0) {
        errs.push(Cause::invalid(
            "status.availableReplicas",
            &json!(available),
            "cannot be greater than readyReplicas",
        ));
    }
}

/// The selector's checks every controller shares: present (`required`), valid, not empty
/// (`empty selector is invalid for <what>`); the parsed selector (`None` when it is invalid).
fn validate_selector(
    obj: &Value,
    what: &str,
    required: bool,
    errs: &mut Vec<Cause>,
) -> Option<LabelSelector> {
    let raw = obj.pointer("/spec/selector").filter(|s| !s.is_null());
    if raw.is_none() && required {
        errs.push(Cause::required("spec.selector"));
    }
    let selector = LabelSelector::from_value(raw);
    errs.extend(selector.validate("spec.selector"));
    if raw.is_some() && selector.is_empty() {
        errs.push(Cause {
            reason: "FieldValueInvalid",
            message: format!(
                "Invalid value: {}: empty selector is invalid for {what}",
                selector.go_repr()
            ),
            field: "spec.selector".into(),
        });
    }
    Some(selector)
}

/// `` `selector` does not match template `labels` `` unless the selector matches the template's labels
/// (an empty selector is not checked when `skip_empty`, as `ValidatePodTemplateSpecForReplicaSet`).
fn check_match(obj: &Value, selector: &LabelSelector, skip_empty: bool, errs: &mut Vec<Cause>) {
    if !selector.valid() || (skip_empty && selector.is_empty()) {
        return;
    }
    let labels = obj.pointer("/spec/template/metadata/labels");
    if !selector.matches(labels) {
        errs.push(labels_mismatch(labels));
    }
}

/// `ValidatePodTemplateSpec` of `spec.template`: its labels, annotations and pod spec.
fn validate_template(obj: &Value, errs: &mut Vec<Cause>) {
    validate_template_at(obj, "spec.template", errs)
}

/// `ValidatePodTemplateSpec` of the template at `path` (`spec.jobTemplate.spec.template`).
pub(super) fn validate_template_at(obj: &Value, path: &str, errs: &mut Vec<Cause>) {
    let pointer = format!("/{}", path.replace('.', "/"));
    let template = obj.pointer(&pointer).cloned().unwrap_or(json!({}));
    let mut meta = template
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // The template has no name of its own to validate.
    meta.insert("name".into(), json!("template"));
    let as_pod =
        json!({"metadata": meta, "spec": template.get("spec").cloned().unwrap_or(json!({}))});
    for mut c in pod::validate_create(&as_pod) {
        c.field = format!("{path}.{}", c.field);
        errs.push(c);
    }
}

/// What `ValidatePodTemplateSpecForReplicaSet` adds for a controller's pods (and the daemon
/// set's and stateful set's checks alike): restart policy Always, no active deadline.
fn controller_pod_rules(obj: &Value, what: &str, errs: &mut Vec<Cause>) {
    let policy = obj
        .pointer("/spec/template/spec/restartPolicy")
        .and_then(Value::as_str)
        .unwrap_or("");
    if policy != "Always" {
        errs.push(Cause::not_supported(
            "spec.template.spec.restartPolicy",
            &json!(policy),
            &["Always"],
        ));
    }
    if obj
        .pointer("/spec/template/spec/activeDeadlineSeconds")
        .is_some_and(|v| !v.is_null())
    {
        errs.push(Cause::forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            format!("activeDeadlineSeconds in {what} is not Supported"),
        ));
    }
}

/// `ValidateImmutableField` of `spec.selector`.
pub(super) fn selector_immutable(new: &Value, old: &Value, errs: &mut Vec<Cause>) {
    let (n, o) = (new.pointer("/spec/selector"), old.pointer("/spec/selector"));
    if n != o {
        let shown = LabelSelector::from_value(n.filter(|s| !s.is_null())).go_repr();
        errs.push(Cause::invalid_shown(
            "spec.selector",
            &shown,
            "field is immutable",
        ));
    }
}

fn scale_selector(obj: &Value) -> String {
    LabelSelector::from_value(obj.pointer("/spec/selector").filter(|s| !s.is_null())).to_string()
}

/// An int-or-string as Go's `%#v` shows it.
fn intstr_repr(v: &Value) -> String {
    match v {
        Value::String(s) => format!("intstr.IntOrString{{Type:1, IntVal:0, StrVal:{s:?}}}"),
        other => format!(
            "intstr.IntOrString{{Type:0, IntVal:{}, StrVal:\"\"}}",
            other.as_i64().unwrap_or(0)
        ),
    }
}

/// The value of an int-or-string (`getIntOrPercentValue`), and whether it is a valid one.
fn intstr_value(v: &Value) -> (i64, Option<String>) {
    match v {
        Value::String(s) => match s.strip_suffix('%').and_then(|n| n.parse::<i64>().ok()) {
            Some(n) if !s.starts_with('-') && !s.starts_with('+') => (n, None),
            _ => (
                0,
                Some("a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')".into()),
            ),
        },
        other => {
            let n = other.as_i64().unwrap_or(0);
            (n, (n < 0).then(|| "must be greater than or equal to 0".into()))
        }
    }
}

/// `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent` of one field.
pub(super) fn validate_intstr(v: Option<&Value>, field: &str, errs: &mut Vec<Cause>) -> i64 {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return 0;
    };
    let (n, bad) = intstr_value(v);
    if let Some(why) = bad {
        // A percent quotes the int-or-string; a number, as ValidateNonnegativeField, itself.
        let shown = if v.is_string() {
            intstr_repr(v)
        } else {
            n.to_string()
        };
        errs.push(Cause::invalid_shown(field, &shown, &why));
    }
    n
}

pub(super) fn over_100_percent(v: Option<&Value>, field: &str, errs: &mut Vec<Cause>) {
    if let Some(v @ Value::String(_)) = v
        && let (n, None) = intstr_value(v)
        && n > 100
    {
        errs.push(Cause::invalid_shown(
            field,
            &intstr_repr(v),
            "must not be greater than 100%",
        ));
    }
}

// ---------------------------------------------------------------------------------------------------
// Deployments

/// A Deployment: one replica, a rolling update of 25% each way, ten old revisions kept, ten
/// minutes to progress; a new generation for each change of its spec or annotations.
struct Deployment;
impl Strategy for Deployment {
    fn validate_status(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        status_nonnegative(
            new,
            &[
                "observedGeneration",
                "replicas",
                "updatedReplicas",
                "readyReplicas",
                "availableReplicas",
                "unavailableReplicas",
                "collisionCount",
            ],
            &mut errs,
        );
        status_not_above_replicas(
            new,
            &["updatedReplicas", "readyReplicas", "availableReplicas"],
            &mut errs,
        );
        available_not_above_ready(new, &mut errs);
        collision_count_decremented(new, old, &mut errs);
        errs
    }
    fn default(&self, obj: &mut Value) {
        let Some(spec) = spec_of(obj) else { return };
        set_default(spec, "replicas", json!(1));
        default_rolling_update(
            obj_entry(spec, "strategy"),
            &[("maxUnavailable", json!("25%")), ("maxSurge", json!("25%"))],
        );
        set_default(spec, "revisionHistoryLimit", json!(10));
        set_default(spec, "progressDeadlineSeconds", json!(600));
        default_template(spec);
    }
    fn prepare_create(&self, obj: &mut Value) {
        reset_status(obj);
        obj["metadata"]["generation"] = json!(1);
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn generation_changed(&self, new: &Value, old: &Value) -> bool {
        new.get("spec") != old.get("spec")
            || new.pointer("/metadata/annotations") != old.pointer("/metadata/annotations")
    }
    fn prepare_status_update(&self, new: &mut Value, old: &Value) {
        super::keep_meta(new, old, "labels");
    }
    fn scale_selector(&self, obj: &Value) -> Option<String> {
        Some(scale_selector(obj))
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        nonnegative(obj, "/spec/replicas", "spec.replicas", &mut errs);
        if let Some(sel) = validate_selector(obj, "deployment", true, &mut errs) {
            validate_replica_template(obj, &sel, "ReplicaSet", &mut errs);
        }
        validate_deployment_strategy(obj, &mut errs);
        nonnegative(
            obj,
            "/spec/minReadySeconds",
            "spec.minReadySeconds",
            &mut errs,
        );
        nonnegative(
            obj,
            "/spec/revisionHistoryLimit",
            "spec.revisionHistoryLimit",
            &mut errs,
        );
        if let Some(p) = int(obj, "/spec/progressDeadlineSeconds") {
            nonnegative(
                obj,
                "/spec/progressDeadlineSeconds",
                "spec.progressDeadlineSeconds",
                &mut errs,
            );
            if p <= int(obj, "/spec/minReadySeconds").unwrap_or(0) {
                errs.push(Cause::invalid(
                    "spec.progressDeadlineSeconds",
                    &json!(p),
                    "must be greater than minReadySeconds",
                ));
            }
        }
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        selector_immutable(new, old, &mut errs);
        errs
    }
}

/// `ValidatePodTemplateSpecForReplicaSet`: the selector matches, the template is a valid pod
/// template of a controller's pods.
fn validate_replica_template(
    obj: &Value,
    selector: &LabelSelector,
    what: &str,
    errs: &mut Vec<Cause>,
) {
    if !selector.valid() {
        errs.push(Cause::invalid_shown(
            "spec.selector",
            &selector.go_repr(),
            "invalid label selector",
        ));
        return;
    }
    check_match(obj, selector, true, errs);
    validate_template(obj, errs);
    controller_pod_rules(obj, what, errs);
}

fn validate_deployment_strategy(obj: &Value, errs: &mut Vec<Cause>) {
    let strategy = obj.pointer("/spec/strategy").cloned().unwrap_or(json!({}));
    let rolling = strategy.get("rollingUpdate").filter(|r| !r.is_null());
    match strategy.get("type").and_then(Value::as_str).unwrap_or("") {
        "Recreate" => {
            if rolling.is_some() {
                errs.push(Cause::forbidden(
                    "spec.strategy.rollingUpdate",
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => match rolling {
            None => errs.push(Cause::required_because(
                "spec.strategy.rollingUpdate",
                "this should be defaulted and never be nil",
            )),
            Some(r) => {
                let field = "spec.strategy.rollingUpdate";
                let unavailable = r.get("maxUnavailable");
                let u = validate_intstr(unavailable, &format!("{field}.maxUnavailable"), errs);
                let s = validate_intstr(r.get("maxSurge"), &format!("{field}.maxSurge"), errs);
                if u == 0 && s == 0 {
                    errs.push(Cause::invalid_shown(
                        format!("{field}.maxUnavailable"),
                        &intstr_repr(unavailable.unwrap_or(&json!(0))),
                        "may not be 0 when `maxSurge` is 0",
                    ));
                }
                over_100_percent(unavailable, &format!("{field}.maxUnavailable"), errs);
            }
        },
        other => errs.push(Cause {
            reason: "FieldValueNotSupported",
            message: format!(
                "Unsupported value: {}: supported values: \"Recreate\", \"RollingUpdate\"",
                strategy_repr(other, rolling)
            ),
            field: "spec.strategy".into(),
        }),
    }
}

/// A deployment strategy as Go's `%#v` shows the internal type.
fn strategy_repr(kind: &str, rolling: Option<&Value>) -> String {
    let ru = match rolling {
        None => "(*apps.RollingUpdateDeployment)(nil)".to_string(),
        Some(_) => "(*apps.RollingUpdateDeployment)(0x0)".to_string(),
    };
    format!("apps.DeploymentStrategy{{Type:{kind:?}, RollingUpdate:{ru}}}")
}

// ---------------------------------------------------------------------------------------------------
// Replica sets

/// A ReplicaSet: one replica; a new generation for each change of its spec.
struct ReplicaSet;
impl Strategy for ReplicaSet {
    fn validate_status(&self, new: &Value, _old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        status_nonnegative(
            new,
            &[
                "replicas",
                "fullyLabeledReplicas",
                "readyReplicas",
                "availableReplicas",
                "observedGeneration",
            ],
            &mut errs,
        );
        status_not_above_replicas(
            new,
            &["fullyLabeledReplicas", "readyReplicas", "availableReplicas"],
            &mut errs,
        );
        available_not_above_ready(new, &mut errs);
        errs
    }
    fn default(&self, obj: &mut Value) {
        let Some(spec) = spec_of(obj) else { return };
        set_default(spec, "replicas", json!(1));
        default_template(spec);
    }
    fn prepare_create(&self, obj: &mut Value) {
        obj["status"] = json!({"replicas": 0});
        obj["metadata"]["generation"] = json!(1);
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn scale_selector(&self, obj: &Value) -> Option<String> {
        Some(scale_selector(obj))
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        nonnegative(obj, "/spec/replicas", "spec.replicas", &mut errs);
        nonnegative(
            obj,
            "/spec/minReadySeconds",
            "spec.minReadySeconds",
            &mut errs,
        );
        if let Some(sel) = validate_selector(obj, "deployment", true, &mut errs) {
            validate_replica_template(obj, &sel, "ReplicaSet", &mut errs);
        }
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        selector_immutable(new, old, &mut errs);
        errs
    }
}

// ---------------------------------------------------------------------------------------------------
// Stateful sets

/// A StatefulSet: ordered pod management, rolling updates from partition 0, one replica, ten
/// revisions; its claim templates defaulted as claims; only replicas, template and update
/// strategy may change.
struct StatefulSet;
impl Strategy for StatefulSet {
    fn validate_status(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        status_nonnegative(
            new,
            &[
                "replicas",
                "readyReplicas",
                "currentReplicas",
                "updatedReplicas",
                "observedGeneration",
                "collisionCount",
            ],
            &mut errs,
        );
        status_not_above_replicas(
            new,
            &["readyReplicas", "currentReplicas", "updatedReplicas"],
            &mut errs,
        );
        collision_count_decremented(new, old, &mut errs);
        errs
    }
    fn default(&self, obj: &mut Value) {
        let Some(spec) = spec_of(obj) else { return };
        set_if_empty(spec, "podManagementPolicy", json!("OrderedReady"));
        let us = obj_entry(spec, "updateStrategy");
        if us
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            us.insert("type".into(), json!("RollingUpdate"));
            set_default(us, "rollingUpdate", json!({}));
        }
        if us.get("type").and_then(Value::as_str) == Some("RollingUpdate")
            && let Some(ru) = us.get_mut("rollingUpdate").and_then(Value::as_object_mut)
        {
            set_default(ru, "partition", json!(0));
        }
        set_default(spec, "replicas", json!(1));
        set_default(spec, "revisionHistoryLimit", json!(10));
        default_template(spec);
        if let Some(claims) = spec
            .get_mut("volumeClaimTemplates")
            .and_then(Value::as_array_mut)
            && let Some(claim) = super::for_kind("", "PersistentVolumeClaim")
        {
            for c in claims {
                claim.default(c);
                // The conversion to apps/v1 names each template's kind.
                if let Some(m) = c.as_object_mut() {
                    m.insert("kind".into(), json!("PersistentVolumeClaim"));
                    m.insert("apiVersion".into(), json!("v1"));
                }
            }
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        obj["status"] = json!({"replicas": 0});
        obj["metadata"]["generation"] = json!(1);
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn scale_selector(&self, obj: &Value) -> Option<String> {
        Some(scale_selector(obj))
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let spec = obj.get("spec").cloned().unwrap_or(json!({}));
        match spec
            .get("podManagementPolicy")
            .and_then(Value::as_str)
            .unwrap_or("")
        {
            "" => errs.push(Cause::required("spec.podManagementPolicy")),
            "OrderedReady" | "Parallel" => {}
            other => errs.push(Cause::invalid(
                "spec.podManagementPolicy",
                &json!(other),
                "must be 'OrderedReady' or 'Parallel'",
            )),
        }
        let us = spec.get("updateStrategy").cloned().unwrap_or(json!({}));
        match us.get("type").and_then(Value::as_str).unwrap_or("") {
            "" => errs.push(Cause::required("spec.updateStrategy")),
            "OnDelete" => {
                if us.get("rollingUpdate").is_some_and(|r| !r.is_null()) {
                    errs.push(Cause::invalid_shown(
                        "spec.updateStrategy.rollingUpdate",
                        &format!(
                            "apps.RollingUpdateStatefulSetStrategy{{Partition:{}}}",
                            int(&us, "/rollingUpdate/partition").unwrap_or(0)
                        ),
                        "only allowed for updateStrategy 'RollingUpdate'",
                    ));
                }
            }
            "RollingUpdate" => nonnegative(
                &us,
                "/rollingUpdate/partition",
                "spec.updateStrategy.rollingUpdate.partition",
                &mut errs,
            ),
            _ => errs.push(Cause {
                reason: "FieldValueInvalid",
                message: "Invalid value: must be 'RollingUpdate' or 'OnDelete'".into(),
                field: "spec.updateStrategy".into(),
            }),
        }
        nonnegative(obj, "/spec/replicas", "spec.replicas", &mut errs);
        if let Some(sel) = validate_selector(obj, "statefulset", true, &mut errs) {
            if sel.valid() {
                check_match(obj, &sel, true, &mut errs);
            } else {
                errs.push(Cause::invalid_shown("spec.selector", &sel.go_repr(), ""));
            }
        }
        controller_pod_rules(obj, "StatefulSet", &mut errs);
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        // Compared as stored (Go compares the internal objects): the new one in canonical form.
        let strip = |o: &Value| {
            let o = super::canonical("apps", "v1", "StatefulSet", o);
            let mut s = o.get("spec").cloned().unwrap_or(json!({}));
            if let Some(m) = s.as_object_mut() {
                for k in ["replicas", "template", "updateStrategy"] {
                    m.shift_remove(k);
                }
            }
            s
        };
        let mut errs = Vec::new();
        if strip(new) != strip(old) {
            errs.push(Cause::forbidden(
                "spec",
                "updates to statefulset spec for fields other than 'replicas', 'template', and 'updateStrategy' are forbidden",
            ));
        }
        errs
    }
}

// ---------------------------------------------------------------------------------------------------
// Daemon sets

/// A DaemonSet: rolling updates of one pod at a time, ten revisions; its template generation
/// (an annotation in apps/v1) starts at 1 and counts the template's changes.
struct DaemonSet;
impl Strategy for DaemonSet {
    fn validate_status(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        status_nonnegative(
            new,
            &[
                "currentNumberScheduled",
                "numberMisscheduled",
                "desiredNumberScheduled",
                "numberReady",
                "observedGeneration",
                "updatedNumberScheduled",
                "numberAvailable",
                "numberUnavailable",
                "collisionCount",
            ],
            &mut errs,
        );
        collision_count_decremented(new, old, &mut errs);
        errs
    }
    fn default(&self, obj: &mut Value) {
        let Some(spec) = spec_of(obj) else { return };
        default_rolling_update(
            obj_entry(spec, "updateStrategy"),
            &[("maxUnavailable", json!(1))],
        );
        set_default(spec, "revisionHistoryLimit", json!(10));
        default_template(spec);
        // The conversion to apps/v1 always writes the template generation (0 until the strategy
        // sets it), so that the writer owns the annotation.
        if obj.pointer(&annotation_pointer()).is_none() {
            set_template_generation(obj, 0);
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        obj["status"] = json!({
            "currentNumberScheduled": 0, "numberMisscheduled": 0,
            "desiredNumberScheduled": 0, "numberReady": 0
        });
        obj["metadata"]["generation"] = json!(1);
        let g = template_generation(obj).max(1);
        set_template_generation(obj, g);
    }
    /// The template generation is the spec's (the internal type's `spec.templateGeneration`).
    fn prepare_status_update(&self, new: &mut Value, old: &Value) {
        set_template_generation(new, template_generation(old));
    }
    fn prepare_update(&self, new: &mut Value, old: &Value) {
        set_template_generation(new, template_generation(old));
    }
    /// A change of the template (as stored) is a new template generation.
    fn compare_update(&self, new: &mut Value, old: &Value) {
        if new.pointer("/spec/template") != old.pointer("/spec/template") {
            set_template_generation(new, template_generation(old) + 1);
        }
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        if let Some(sel) = validate_selector(obj, "daemonset", false, &mut errs) {
            check_match(obj, &sel, false, &mut errs);
        }
        validate_template(obj, &mut errs);
        controller_pod_rules(obj, "DaemonSet", &mut errs);
        nonnegative(
            obj,
            "/spec/minReadySeconds",
            "spec.minReadySeconds",
            &mut errs,
        );
        let us = obj
            .pointer("/spec/updateStrategy")
            .cloned()
            .unwrap_or(json!({}));
        match us.get("type").and_then(Value::as_str).unwrap_or("") {
            "OnDelete" => {}
            "RollingUpdate" => match us.get("rollingUpdate").filter(|r| !r.is_null()) {
                None => errs.push(Cause::required("spec.updateStrategy.rollingUpdate")),
                Some(r) => {
                    let field = "spec.updateStrategy.rollingUpdate.maxUnavailable";
                    let v = r.get("maxUnavailable");
                    let n = validate_intstr(v, field, &mut errs);
                    if n == 0 {
                        errs.push(Cause::invalid_shown(
                            field,
                            &intstr_repr(v.unwrap_or(&json!(0))),
                            "cannot be 0",
                        ));
                    }
                    over_100_percent(v, field, &mut errs);
                }
            },
            other => errs.push(Cause {
                reason: "FieldValueNotSupported",
                message: format!(
                    "Unsupported value: apps.DaemonSetUpdateStrategy{{Type:{other:?}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}}: supported values: \"RollingUpdate\", \"OnDelete\""
                ),
                field: "spec.updateStrategy".into(),
            }),
        }
        nonnegative(
            obj,
            "/spec/revisionHistoryLimit",
            "spec.revisionHistoryLimit",
            &mut errs,
        );
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        // ValidateDaemonSetUpdate validates the spec once more (each error twice then).
        let mut errs = self.validate(new);
        selector_immutable(new, old, &mut errs);
        errs
    }
}

fn annotation_pointer() -> String {
    format!(
        "/metadata/annotations/{}",
        TEMPLATE_GENERATION.replace('~', "~0").replace('/', "~1")
    )
}

fn template_generation(obj: &Value) -> i64 {
    obj.pointer(&annotation_pointer())
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn set_template_generation(obj: &mut Value, g: i64) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    obj_entry(meta, "annotations").insert(TEMPLATE_GENERATION.into(), json!(g.to_string()));
}

// ---------------------------------------------------------------------------------------------------
// Controller revisions

/// A ControllerRevision: its data is required and immutable, its revision not negative.
struct ControllerRevision;
impl Strategy for ControllerRevision {
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        if obj.get("data").is_none_or(Value::is_null) {
            errs.push(Cause::required_because("data", "data is mandatory"));
        }
        nonnegative(obj, "/revision", "revision", &mut errs);
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        if new.get("data") != old.get("data") {
            errs.push(Cause {
                reason: "FieldValueInvalid",
                message: format!(
                    "Invalid value: runtime.Unknown{{TypeMeta:runtime.TypeMeta{{APIVersion:\"\", Kind:\"\"}}, Raw:[]uint8{{{}}}, ContentEncoding:\"\", ContentType:\"application/json\"}}: field is immutable",
                    new.get("data")
                        .map(|d| serde_json::to_vec(d).unwrap_or_default())
                        .unwrap_or_default()
                        .iter()
                        .map(|b| format!("0x{b:x}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                field: "data".into(),
            });
        }
        errs
    }
}
