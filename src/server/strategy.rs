//! Per-kind strategies of the generic registry (kube-apiserver's `registry/<group>/<kind>/strategy.go`
//! with the kind's `SetDefaults_*` and validation): what the registry does differently for each kind.
//! The registry itself (`api/registry.rs`) is the same for all of them.

use super::pod::{dns1123_subdomain, validate_object_meta};
use super::status::Cause;
use serde_json::{Value, json};

/// What a kind's registry does beyond the generic flow.
pub trait Strategy: Sync {
    /// `SetDefaults_*`: applied to the object as decoded (before the field manager sees it).
    fn default(&self, _obj: &mut Value) {}
    /// Validation of a new object (`ValidateX`), after the metadata's.
    fn validate(&self, _obj: &Value) -> Vec<Cause> {
        Vec::new()
    }
    /// Validation of an update (`ValidateXUpdate`): immutable fields.
    fn validate_update(&self, _new: &Value, _old: &Value) -> Vec<Cause> {
        Vec::new()
    }
    /// Whether a delete answers the deleted object (`ReturnDeletedObject`) rather than a `Status`.
    fn returns_deleted_object(&self) -> bool {
        false
    }
}

/// The strategy of a core/v1 kind the registry serves, if it serves it.
pub fn for_kind(group: &str, kind: &str) -> Option<&'static dyn Strategy> {
    if !group.is_empty() {
        return None;
    }
    Some(match kind {
        "ConfigMap" => &ConfigMap,
        "Secret" => &Secret,
        "ServiceAccount" => &Plain,
        "Endpoints" => &Endpoints,
        _ => return None,
    })
}

/// A kind without defaults or rules of its own (ServiceAccount).
struct Plain;
impl Strategy for Plain {}

/// `IsConfigMapKey`: the keys of a ConfigMap's or Secret's data.
fn config_key(k: &str) -> Option<String> {
    if k.len() > 253 {
        return Some("must be no more than 253 characters".into());
    }
    if !k.is_empty()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    {
        None
    } else {
        Some(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  \
             or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
                .into(),
        )
    }
}

fn validate_keys(obj: &Value, fields: &[&str], errs: &mut Vec<Cause>) {
    for field in fields {
        for k in obj
            .get(*field)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
        {
            if let Some(why) = config_key(k) {
                errs.push(Cause::invalid(format!("{field}[{k}]"), &json!(k), &why));
            }
        }
    }
}

/// An object marked `immutable: true` keeps its data (ConfigMap and Secret).
fn validate_immutable(new: &Value, old: &Value, fields: &[&str], errs: &mut Vec<Cause>) {
    if old.get("immutable").and_then(Value::as_bool) != Some(true) {
        return;
    }
    if new.get("immutable").and_then(Value::as_bool) != Some(true) {
        errs.push(Cause::forbidden(
            "immutable",
            "field is immutable when `immutable` is set",
        ));
    }
    for field in fields {
        if new.get(*field) != old.get(*field) {
            errs.push(Cause::forbidden(
                *field,
                "field is immutable when `immutable` is set",
            ));
        }
    }
}

struct ConfigMap;
impl Strategy for ConfigMap {
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        validate_keys(obj, &["data", "binaryData"], &mut errs);
        if let (Some(d), Some(b)) = (
            obj.get("data").and_then(Value::as_object),
            obj.get("binaryData").and_then(Value::as_object),
        ) {
            for k in d.keys().filter(|k| b.contains_key(*k)) {
                errs.push(Cause::invalid(
                    format!("data[{k}]"),
                    &json!(k),
                    "duplicate of key present in binaryData",
                ));
            }
        }
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        validate_immutable(new, old, &["data", "binaryData"], &mut errs);
        errs
    }
}

struct Secret;
impl Strategy for Secret {
    /// `SetDefaults_Secret` (type Opaque) and the conversion of `stringData` into `data`.
    fn default(&self, obj: &mut Value) {
        use base64::Engine;
        let Some(m) = obj.as_object_mut() else { return };
        if let Some(Value::Object(sd)) = m.shift_remove("stringData") {
            let data = m.entry("data").or_insert_with(|| json!({}));
            if !data.is_object() {
                *data = json!({});
            }
            for (k, v) in sd {
                let text = v.as_str().unwrap_or_default();
                data[&k] = json!(base64::engine::general_purpose::STANDARD.encode(text));
            }
            if let Some(d) = data.as_object_mut() {
                d.sort_keys();
            }
        }
        if m.get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            m.insert("type".into(), json!("Opaque"));
        }
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        validate_keys(obj, &["data"], &mut errs);
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        if new.get("type") != old.get("type") {
            errs.push(Cause::invalid(
                "type",
                new.get("type").unwrap_or(&Value::Null),
                "field is immutable",
            ));
        }
        validate_immutable(new, old, &["data"], &mut errs);
        errs
    }
}

struct Endpoints;
impl Strategy for Endpoints {
    /// `SetDefaults_EndpointPort`: protocol TCP.
    fn default(&self, obj: &mut Value) {
        for subset in obj
            .get_mut("subsets")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            for port in subset
                .get_mut("ports")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(p) = port.as_object_mut()
                    && p.get("protocol")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .is_empty()
                {
                    p.insert("protocol".into(), json!("TCP"));
                }
            }
        }
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        for (i, subset) in obj
            .get("subsets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            for list in ["addresses", "notReadyAddresses"] {
                for (j, a) in subset
                    .get(list)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let ip = a.get("ip").and_then(Value::as_str).unwrap_or("");
                    if ip.parse::<std::net::IpAddr>().is_err() {
                        errs.push(Cause::invalid(
                            format!("subsets[{i}].{list}[{j}].ip"),
                            &json!(ip),
                            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                        ));
                    }
                }
            }
            let ports = subset
                .get("ports")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (j, p) in ports.iter().enumerate() {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                if ports.len() > 1 && name.is_empty() {
                    errs.push(Cause::required(format!("subsets[{i}].ports[{j}].name")));
                } else if !name.is_empty()
                    && let Some(why) = super::pod::dns1123_label(name)
                {
                    errs.push(Cause::invalid(
                        format!("subsets[{i}].ports[{j}].name"),
                        &json!(name),
                        &why,
                    ));
                }
                let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
                if !(1..=65535).contains(&port) {
                    errs.push(Cause::invalid(
                        format!("subsets[{i}].ports[{j}].port"),
                        &json!(port),
                        "must be between 1 and 65535, inclusive",
                    ));
                }
            }
        }
        errs
    }
}

/// The metadata rules every kind shares (`ValidateObjectMeta` with a DNS-1123 subdomain name).
pub fn validate_meta(obj: &Value) -> Vec<Cause> {
    let mut errs = Vec::new();
    validate_object_meta(obj, dns1123_subdomain, &mut errs);
    errs
}
