//! Namespaces (`registry/core/namespace/strategy.go`): the phase defaulted and reset, the
//! `kubernetes` finalizer added on create, `spec.finalizers` changed through `/finalize` only, the
//! phase checked against the deletion on a status update; a delete takes the namespace's contents.

use super::{Strategy, default_phase, strings};
use crate::server::pod::{dns1123_label, qualified_name_errors};
use crate::server::status::Cause;
use serde_json::{Value, json};

/// The finalizer of the namespace controller, required on create.
const KUBERNETES: &str = "kubernetes";

pub(super) struct Namespace;

impl Strategy for Namespace {
    fn default(&self, obj: &mut Value) {
        default_phase(obj, "Active");
    }
    fn name_rule(&self) -> fn(&str) -> Option<String> {
        dns1123_label
    }
    fn returns_deleted_object(&self) -> bool {
        true
    }
    fn deletes_namespace_contents(&self) -> bool {
        true
    }
    fn prepare_delete(&self, obj: &mut Value) {
        obj["status"]["phase"] = json!("Terminating");
    }
    /// On create the status is `Active` and the spec has the `kubernetes` finalizer (added to any
    /// the object names).
    fn prepare_create(&self, obj: &mut Value) {
        obj["status"] = json!({"phase": "Active"});
        let mut finalizers = strings(obj.pointer("/spec/finalizers"));
        if !finalizers.iter().any(|f| f == KUBERNETES) {
            finalizers.push(KUBERNETES.into());
        }
        if !obj.get("spec").is_some_and(Value::is_object) {
            obj["spec"] = json!({});
        }
        obj["spec"]["finalizers"] = json!(finalizers);
    }
    /// The finalizers change through `/finalize` only.
    fn prepare_update(&self, new: &mut Value, old: &Value) {
        keep_finalizers(new, old);
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        validate_finalizers(obj, false)
    }
    /// `ValidateNamespaceStatusUpdate`: the phase follows the deletion.
    fn validate_status(&self, new: &Value, _old: &Value) -> Vec<Cause> {
        let phase = new
            .pointer("/status/phase")
            .and_then(Value::as_str)
            .unwrap_or("");
        let deleting = new
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|t| !t.is_null());
        let (want, why) = if deleting {
            (
                "Terminating",
                "may only be 'Terminating' if `deletionTimestamp` is not empty",
            )
        } else {
            (
                "Active",
                "may only be 'Active' if `deletionTimestamp` is empty",
            )
        };
        if phase == want {
            Vec::new()
        } else {
            vec![Cause::invalid("status.Phase", &json!(phase), why)]
        }
    }
    /// `ValidateNamespaceFinalizeUpdate`: the finalizers' names, each at its index.
    fn validate_subresource(&self, _sub: &str, new: &Value, _old: &Value) -> Vec<Cause> {
        validate_finalizers(new, true)
    }
}

fn keep_finalizers(new: &mut Value, old: &Value) {
    match old.pointer("/spec/finalizers") {
        Some(f) => {
            if !new.get("spec").is_some_and(Value::is_object) {
                new["spec"] = json!({});
            }
            new["spec"]["finalizers"] = f.clone();
        }
        None => {
            if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
                spec.shift_remove("finalizers");
            }
        }
    }
}

/// `validateFinalizerName` of each of `spec.finalizers`: a qualified name, and one without a
/// domain must be a standard finalizer. The causes name `spec.finalizers`, or (`indexed`) the
/// finalizer's index in it.
fn validate_finalizers(obj: &Value, indexed: bool) -> Vec<Cause> {
    let mut errs = Vec::new();
    for (i, f) in strings(obj.pointer("/spec/finalizers"))
        .into_iter()
        .enumerate()
    {
        let at = if indexed {
            format!("spec.finalizers[{i}]")
        } else {
            "spec.finalizers".to_string()
        };
        let why = qualified_name_errors(&f);
        if !why.is_empty() {
            for w in why {
                errs.push(Cause::invalid(at.as_str(), &json!(f), &w));
            }
        } else if !f.contains('/') && ![KUBERNETES, "orphan", "foregroundDeletion"].contains(&&*f) {
            errs.push(Cause::invalid(
                at.as_str(),
                &json!(f),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}
