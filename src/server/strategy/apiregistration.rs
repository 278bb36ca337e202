//! The strategy of apiregistration.k8s.io v1 and v1beta1 APIServices (kube-aggregator's
//! `pkg/registry/apiservice` and `pkg/apis/apiregistration/validation`): named
//! `<version>.<group>`, priorities in range, a local one (without a service) available at once;
//! the status subresource changes the status only.

use super::rbac::path_segment_name;
use super::{Strategy, keep_meta};
use crate::server::pod::dns1123_subdomain;
use crate::server::status::Cause;
use crate::server::store::Store;
use serde_json::{Value, json};

pub(super) struct ApiService;

/// The condition of a local APIService (`NewLocalAvailableAPIServiceCondition`) at `time`.
pub(crate) fn local_available(time: &str) -> Value {
    json!({"type": "Available", "status": "True", "lastTransitionTime": time, "reason": "Local",
           "message": "Local APIServices are always available"})
}

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `IsDNS1035Label`, every message.
fn dns1035_label(s: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters");
    }
    let b = s.as_bytes();
    let ok = !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[b.len() - 1] != b'-';
    if !ok {
        errs.push(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        );
    }
    errs
}

impl Strategy for ApiService {
    fn default(&self, obj: &mut Value) {
        if let Some(svc) = obj
            .pointer_mut("/spec/service")
            .and_then(Value::as_object_mut)
            && svc.get("port").is_none_or(Value::is_null)
        {
            svc.insert("port".into(), json!(443));
        }
    }
    fn name_rule(&self) -> fn(&str) -> Option<String> {
        path_segment_name
    }
    fn allows_unconditional_update(&self) -> bool {
        false
    }
    fn tracks_managed_fields(&self) -> bool {
        false
    }
    fn prepare_create(&self, obj: &mut Value) {
        let local = obj.pointer("/spec/service").is_none_or(Value::is_null);
        obj["status"] = if local {
            let now = super::now();
            json!({"conditions": [local_available(&now)]})
        } else {
            json!({})
        };
    }
    fn prepare_status_update(&self, new: &mut Value, old: &Value) {
        for field in ["labels", "annotations", "finalizers", "ownerReferences"] {
            keep_meta(new, old, field);
        }
    }
    /// The availability controller: a local APIService is available; one whose service does not
    /// exist is not (`ServiceNotFound`). Whether a service that exists has endpoints is not
    /// modelled. The condition keeps its transition time while its status stays.
    fn controller_status(&self, obj: &Value, store: &Store) -> Option<Value> {
        let now = super::now();
        let mut wanted = match obj.pointer("/spec/service").filter(|s| s.is_object()) {
            None => local_available(&now),
            Some(svc) => {
                let (ns, name) = (text(svc, "/namespace"), text(svc, "/name"));
                let key = ("services", ns.to_string(), name.to_string());
                if store.objects.contains_key(&key) {
                    return None;
                }
                json!({"type": "Available", "status": "False", "lastTransitionTime": now,
                       "reason": "ServiceNotFound",
                       "message": format!("service/{name} in {ns:?} is not present")})
            }
        };
        let mut conditions: Vec<Value> = obj
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let at = conditions
            .iter()
            .position(|c| text(c, "/type") == "Available");
        if let Some(old) = at.map(|i| &conditions[i]) {
            let same = |k: &str| old.get(k) == wanted.get(k);
            if same("status") && same("reason") && same("message") {
                return None;
            }
            if same("status")
                && let Some(t) = old.get("lastTransitionTime").filter(|t| !t.is_null())
            {
                wanted["lastTransitionTime"] = t.clone();
            }
        }
        match at {
            Some(i) => conditions[i] = wanted,
            None => conditions.push(wanted),
        }
        let mut status = obj.get("status").cloned().unwrap_or(json!({}));
        status["conditions"] = Value::Array(conditions);
        Some(status)
    }
    /// `ValidateAPIService` (the name's path-segment rule is the metadata's).
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let (group, version) = (text(obj, "/spec/group"), text(obj, "/spec/version"));
        let name = text(obj, "/metadata/name");
        let required = format!("{version}.{group}");
        if !name.is_empty() && path_segment_name(name).is_none() && name != required {
            errs.push(Cause::invalid(
                "metadata.name",
                &json!(name),
                &format!("must be `spec.version+\".\"+spec.group`: {required:?}"),
            ));
        }
        if group.is_empty() && version != "v1" {
            errs.push(Cause::required_because(
                "spec.group",
                "only v1 may have an empty group and it better be legacy kube",
            ));
        }
        if !group.is_empty()
            && let Some(why) = dns1123_subdomain(group)
        {
            errs.push(Cause::invalid("spec.group", &json!(group), &why));
        }
        for why in dns1035_label(version) {
            errs.push(Cause::invalid("spec.version", &json!(version), why));
        }
        let int = |p: &str| obj.pointer(p).and_then(Value::as_i64).unwrap_or(0);
        let group_min = int("/spec/groupPriorityMinimum");
        if group_min <= 0 || group_min > 20000 {
            errs.push(Cause::invalid(
                "spec.groupPriorityMinimum",
                &json!(group_min),
                "must be positive and less than 20000",
            ));
        }
        let version_priority = int("/spec/versionPriority");
        if version_priority <= 0 || version_priority > 1000 {
            errs.push(Cause::invalid(
                "spec.versionPriority",
                &json!(version_priority),
                "must be positive and less than 1000",
            ));
        }
        let ca_bundle = text(obj, "/spec/caBundle");
        let ca_len = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(ca_bundle)
                .map_or(0, |b| b.len())
        };
        let insecure = obj.pointer("/spec/insecureSkipTLSVerify") == Some(&json!(true));
        let Some(svc) = obj.pointer("/spec/service").filter(|s| !s.is_null()) else {
            if ca_len != 0 {
                errs.push(Cause::invalid(
                    "spec.caBundle",
                    &json!(format!("{ca_len} bytes")),
                    "local APIServices may not have a caBundle",
                ));
            }
            if insecure {
                errs.push(Cause::invalid(
                    "spec.insecureSkipTLSVerify",
                    &json!(true),
                    "local APIServices may not have insecureSkipTLSVerify",
                ));
            }
            return errs;
        };
        if text(svc, "/namespace").is_empty() {
            errs.push(Cause::required("spec.service.namespace"));
        }
        if text(svc, "/name").is_empty() {
            errs.push(Cause::required("spec.service.name"));
        }
        let port = svc.get("port").and_then(Value::as_i64).unwrap_or(0);
        if !(1..=65535).contains(&port) {
            errs.push(Cause::invalid(
                "spec.service.port",
                &json!(port),
                "port is not valid: must be between 1 and 65535, inclusive",
            ));
        }
        if insecure && ca_len > 0 {
            errs.push(Cause::invalid(
                "spec.insecureSkipTLSVerify",
                &json!(true),
                "may not be true if caBundle is present",
            ));
        }
        errs
    }
    /// `ValidateAPIServiceStatusUpdate`: each condition's status one of the three.
    fn validate_status(&self, new: &Value, _old: &Value) -> Vec<Cause> {
        let conditions = new.pointer("/status/conditions").and_then(Value::as_array);
        conditions
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, c)| {
                let status = text(c, "/status");
                (!matches!(status, "True" | "False" | "Unknown")).then(|| {
                    Cause::not_supported(
                        format!("status.conditions[{i}].status"),
                        &json!(status),
                        &["True", "False", "Unknown"],
                    )
                })
            })
            .collect()
    }
}
