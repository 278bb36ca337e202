//! Events: core/v1 `events` and `events.k8s.io` (v1, v1beta1) are one store of the internal
//! `core.Event` (`pkg/registry/core/event`), each version a view of it with its own field names
//! (`pkg/apis/events/v1/conversion.go`), validated as `pkg/apis/core/validation/events.go` does:
//! every version the legacy rules, events.k8s.io/v1 the strict ones too. Errors name the core
//! kind and the internal (core) fields.

use super::Strategy;
use crate::server::pod::{dns1123_subdomain, qualified_name_errors};
use crate::server::status::Cause;
use serde_json::{Map, Value, json};

/// The fields core/v1 and events.k8s.io name differently: (core, events.k8s.io).
const RENAMED: &[(&str, &str)] = &[
    ("reportingComponent", "reportingController"),
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
];

const CORE: &str = "v1";
const STRICT: &str = "events.k8s.io/v1";

fn is_core(obj: &Value) -> bool {
    matches!(
        obj.get("apiVersion").and_then(Value::as_str),
        None | Some("" | CORE)
    )
}

/// The event in the version `to` (`v1`, `events.k8s.io/v1` or `/v1beta1`), from any of them.
pub(super) fn convert_event(obj: &mut Value, to: &str) {
    let from_core = is_core(obj);
    let to_core = to == CORE;
    obj["apiVersion"] = json!(to);
    if from_core == to_core {
        return;
    }
    let Some(m) = obj.as_object_mut() else { return };
    let mut out = Map::new();
    for (k, v) in std::mem::take(m) {
        let renamed = RENAMED.iter().find_map(|(core, events)| {
            if to_core {
                (k == *events).then_some(*core)
            } else {
                (k == *core).then_some(*events)
            }
        });
        out.insert(renamed.map_or(k, str::to_string), v);
    }
    *m = out;
}

fn text<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.get(field).and_then(Value::as_str).unwrap_or("")
}

fn is_set(obj: &Value, field: &str) -> bool {
    obj.get(field).is_some_and(|v| !v.is_null())
}

/// `legacyValidateEvent` of the event in its core form.
fn legacy(e: &Value, errs: &mut Vec<Cause>) {
    let ns = e
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let involved_ns = e
        .pointer("/involvedObject/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mismatch = |errs: &mut Vec<Cause>| {
        errs.push(Cause::invalid(
            "involvedObject.namespace",
            &json!(involved_ns),
            "does not match event.namespace",
        ));
    };
    if !is_set(e, "eventTime") {
        if involved_ns.is_empty() {
            if !ns.is_empty() && ns != "default" {
                mismatch(errs);
            }
        } else if ns != involved_ns {
            mismatch(errs);
        }
    } else {
        if involved_ns.is_empty() && ns != "kube-system" {
            mismatch(errs);
        }
        let controller = text(e, "reportingComponent");
        if controller.is_empty() {
            errs.push(Cause::required("reportingController"));
        }
        for why in qualified_name_errors(controller) {
            errs.push(Cause::invalid(
                "reportingController",
                &json!(controller),
                &why,
            ));
        }
        for (field, limit, required) in [
            ("reportingInstance", 128, true),
            ("action", 128, true),
            ("reason", 128, true),
            ("message", 1024, false),
        ] {
            let v = text(e, field);
            if required && v.is_empty() {
                errs.push(Cause::required(field));
            }
            if v.len() > limit {
                errs.push(Cause::invalid(
                    field,
                    &json!(""),
                    &format!("can have at most {limit} characters"),
                ));
            }
        }
    }
    if let Some(why) = dns1123_subdomain(ns) {
        errs.push(Cause::invalid("namespace", &json!(ns), &why));
    }
}

/// The rules of a create through events.k8s.io/v1 beyond the legacy ones (the event in its core
/// form).
fn strict(e: &Value, errs: &mut Vec<Cause>) {
    series(e, errs);
    if !is_set(e, "eventTime") {
        errs.push(Cause::required("eventTime"));
    }
    let ty = text(e, "type");
    if ty != "Normal" && ty != "Warning" {
        errs.push(Cause::invalid(
            "type",
            &json!(""),
            &format!("has invalid value: {ty}"),
        ));
    }
    for field in ["firstTimestamp", "lastTimestamp"] {
        if is_set(e, field) {
            errs.push(Cause::invalid(field, &json!(""), "needs to be unset"));
        }
    }
    if e.get("count").and_then(Value::as_i64).unwrap_or(0) != 0 {
        errs.push(Cause::invalid("count", &json!(""), "needs to be unset"));
    }
    let source = e.get("source").unwrap_or(&Value::Null);
    if !text(source, "component").is_empty() || !text(source, "host").is_empty() {
        errs.push(Cause::invalid("source", &json!(""), "needs to be unset"));
    }
}

/// `validateV1EventSeries`.
fn series(e: &Value, errs: &mut Vec<Cause>) {
    let Some(s) = e.get("series").filter(|s| !s.is_null()) else {
        return;
    };
    if s.get("count").and_then(Value::as_i64).unwrap_or(0) < 2 {
        errs.push(Cause::invalid(
            "series.count",
            &json!(""),
            "should be at least 2",
        ));
    }
    if !is_set(s, "lastObservedTime") {
        errs.push(Cause::required("series.lastObservedTime"));
    }
}

/// The event as the internal type has it (core field names), and whether it came through
/// events.k8s.io/v1.
fn internal(obj: &Value) -> (Value, bool) {
    let strict = obj.get("apiVersion").and_then(Value::as_str) == Some(STRICT);
    let mut e = obj.clone();
    convert_event(&mut e, CORE);
    (e, strict)
}

pub(super) struct Event;
impl Strategy for Event {
    fn invalid_kind(&self) -> Option<&'static str> {
        // The internal kind, whichever version was asked.
        Some("Event")
    }
    fn convert(&self, obj: &mut Value, to: &str) {
        convert_event(obj, to);
    }
    fn name_rule(&self) -> fn(&str) -> Option<String> {
        // The event strategy checks no name; the generic store's path segment rule does.
        super::rbac::path_segment_name
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let (e, _) = internal(obj);
        let mut errs = Vec::new();
        legacy(&e, &mut errs);
        errs
    }
    fn validate_create(&self, obj: &Value) -> Vec<Cause> {
        let (e, strict_rules) = internal(obj);
        let mut errs = Vec::new();
        if strict_rules {
            strict(&e, &mut errs);
        }
        errs
    }
    fn allows_create_on_update(&self) -> bool {
        true
    }
    fn keeps_managed_fields_of_other_groups(&self) -> bool {
        false
    }
    // No rules of an update beyond the legacy ones: v1.20's ValidateUpdate compares the new event
    // with itself (`oldEvent := obj.(*api.Event)`), so nothing is immutable and the series is
    // never checked again.
}
