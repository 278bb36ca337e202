//! Per-kind strategies of the generic registry (kube-apiserver's `registry/<group>/<kind>/strategy.go`
//! with the kind's `SetDefaults_*` and validation): what the registry does differently for each kind.
//! The registry itself (`api/registry.rs`) is the same for all of them.

mod apiregistration;
mod apps;
mod batch;
mod certificates;
mod events;
pub(crate) mod label_selector;
pub(crate) use apiregistration::local_available;
pub(crate) use networking::port_name_errors;
mod namespace;
mod networking;
mod pod;
mod policy;
mod rbac;

use super::pod::{dns1123_subdomain, validate_object_meta};
use super::status::Cause;
use serde_json::{Value, json};

/// What a kind's registry does beyond the generic flow.
pub trait Strategy: Sync {
    /// `SetDefaults_*`: applied to the object as decoded (before the field manager sees it).
    fn default(&self, _obj: &mut Value) {}
    /// How a 422 names the kind, when not as its group does (`Ingress.extensions` for every
    /// version of an Ingress).
    fn invalid_kind(&self) -> Option<&'static str> {
        None
    }
    /// The stored object, written in another version of the kind, converted to `api_version`
    /// (kinds served in several versions from one store).
    fn convert(&self, obj: &mut Value, api_version: &str) {
        obj["apiVersion"] = json!(api_version);
    }
    /// The rule the object's name must follow (a DNS-1123 subdomain, for most kinds).
    fn name_rule(&self) -> fn(&str) -> Option<String> {
        dns1123_subdomain
    }
    /// Validation of a new object (`ValidateX`), after the metadata's.
    fn validate(&self, _obj: &Value) -> Vec<Cause> {
        Vec::new()
    }
    /// Validation of a create beyond [`Strategy::validate`] (the rules only a create has).
    fn validate_create(&self, _obj: &Value) -> Vec<Cause> {
        Vec::new()
    }
    /// Validation of an update (`ValidateXUpdate`): immutable fields.
    fn validate_update(&self, _new: &Value, _old: &Value) -> Vec<Cause> {
        Vec::new()
    }
    /// Whether a PUT of an object that does not exist creates it (`AllowCreateOnUpdate`).
    fn allows_create_on_update(&self) -> bool {
        false
    }
    /// Whether a write keeps the managedFields entries of the kind's versions in other groups
    /// (an Ingress of extensions and of networking.k8s.io: yes; a core and an events.k8s.io
    /// Event: no, v1.20 cannot convert their sets and drops them).
    fn keeps_managed_fields_of_other_groups(&self) -> bool {
        true
    }
    /// The status the server's own controllers give the object (as written) at once, if they
    /// change it (an APIService's availability), given the store it is in.
    fn controller_status(
        &self,
        _obj: &Value,
        _store: &crate::server::store::Store,
    ) -> Option<Value> {
        None
    }
    /// Whether writes keep managedFields and a server-side apply is possible (not for an
    /// APIService: kube-apiserver v1.20's aggregator installs no field manager).
    fn tracks_managed_fields(&self) -> bool {
        true
    }
    /// Whether a delete answers the deleted object (`ReturnDeletedObject`) rather than a `Status`.
    fn returns_deleted_object(&self) -> bool {
        false
    }
    /// Whether a delete takes every object of the namespace the object is (a Namespace's, as the
    /// namespace controller would: the reference server does its work at once).
    fn deletes_namespace_contents(&self) -> bool {
        false
    }
    /// Graceful deletion (`CheckGracefulDelete`): the seconds an object is kept, marked for
    /// deletion, before it goes (0: at once), given the period the request asks for; `None` for a
    /// kind without graceful deletion.
    fn grace_period(&self, _obj: &Value, _requested: Option<i64>) -> Option<i64> {
        None
    }
    /// What a delete changes of the object it answers with, beyond its deletion timestamp (a
    /// namespace's phase).
    fn prepare_delete(&self, _obj: &mut Value) {}
    /// Validation of an update of a subresource other than status and scale (`/finalize`:
    /// `ValidateXFinalizeUpdate`; `/approval`), after the metadata's.
    fn validate_subresource(&self, _sub: &str, _new: &Value, _old: &Value) -> Vec<Cause> {
        Vec::new()
    }
    /// `PrepareForUpdate` of a subresource other than status, scale and finalize (a signing
    /// request's `/approval`): what of the stored object it keeps.
    fn prepare_subresource_update(&self, _sub: &str, _new: &mut Value, _old: &Value) {}
    /// What a create records of who makes it, before [`Strategy::prepare_create`] (a signing
    /// request's requester).
    fn record_requester(&self, _obj: &mut Value, _who: &Requester<'_>) {}
    /// The validating admission plugins of a create, after validation: why the create is
    /// forbidden, if it is.
    fn admit_create(&self, _obj: &Value) -> Option<String> {
        None
    }
    /// `PrepareForCreate` and the admission plugins of a create, after the field manager (so that
    /// nobody owns what they set): e.g. a status reset, a finalizer, the generation.
    fn prepare_create(&self, _obj: &mut Value) {}
    /// `PrepareForUpdate` of the object itself beyond keeping its status.
    fn prepare_update(&self, _new: &mut Value, _old: &Value) {}
    /// Whether `metadata.generation` counts the changes of the spec (1 on create, one more per
    /// update of the object that changes it).
    fn tracks_generation(&self) -> bool {
        false
    }
    /// For a kind that tracks its generation: whether an update of the object (as stored) is a
    /// new generation. A change of the spec, by default.
    fn generation_changed(&self, new: &Value, old: &Value) -> bool {
        new.get("spec") != old.get("spec")
    }
    /// What an update of the object itself changes by comparing it, validated and in the
    /// canonical form it is stored in, with the stored object (a daemon set's template
    /// generation).
    fn compare_update(&self, _new: &mut Value, _old: &Value) {}
    /// `PrepareForUpdate` of the status subresource beyond keeping the spec (e.g. the labels).
    fn prepare_status_update(&self, _new: &mut Value, _old: &Value) {}
    /// Validation of an update of the status subresource (`ValidateXStatusUpdate`), after the
    /// metadata's. By default the object's own validation and that of its update.
    fn validate_status(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = self.validate(new);
        errs.extend(self.validate_update(new, old));
        errs
    }
    /// Whether a PUT may leave out the resourceVersion it replaces (`AllowUnconditionalUpdate`);
    /// when not, the generic store refuses it before anything else.
    fn allows_unconditional_update(&self) -> bool {
        true
    }
    /// Whether a delete without a propagation policy orphans the dependents (an `orphan`
    /// finalizer), as for v1 ReplicationControllers.
    fn orphans_by_default(&self) -> bool {
        false
    }
    /// What a create takes from a pool shared by the kind's objects (a Service's cluster IP and
    /// node ports), given the objects that exist; the causes of a refusal.
    fn allocate(&self, _obj: &mut Value, _existing: &[&Value]) -> Vec<Cause> {
        Vec::new()
    }
    /// Whether an update must name the resourceVersion it replaces (a Service's).
    fn requires_resource_version(&self) -> bool {
        false
    }
    /// The label selector of the object's scale subresource as a string (`Some` for a kind with a
    /// scale subresource served here, even for `Value::Null`).
    fn scale_selector(&self, _obj: &Value) -> Option<String> {
        None
    }
    /// Whether updates go through the kind's own REST update (a Service's) rather than the
    /// generic store's GuaranteedUpdate: validated before the storage checks its preconditions,
    /// and a patch that meets a concurrent write answered 409 rather than applied again.
    fn has_own_update_path(&self) -> bool {
        false
    }
}

/// The time of now as objects record it (RFC 3339, in seconds).
fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// Who makes a request, as the authenticator (and impersonation) name it.
pub struct Requester<'a> {
    pub name: &'a str,
    pub uid: &'a str,
    pub groups: &'a [String],
}

/// The strategy of a kind the registry serves (by its group), if it serves it.
pub fn for_kind(group: &str, kind: &str) -> Option<&'static dyn Strategy> {
    match group {
        "" => {}
        "apps" => return apps::for_kind(kind),
        "rbac.authorization.k8s.io" => return rbac::for_kind(kind),
        "networking.k8s.io" | "extensions" => return networking::for_kind(group, kind),
        "batch" => return batch::for_kind(kind),
        "events.k8s.io" if kind == "Event" => return Some(&events::Event),
        "apiregistration.k8s.io" if kind == "APIService" => {
            return Some(&apiregistration::ApiService);
        }
        "certificates.k8s.io" if kind == "CertificateSigningRequest" => {
            return Some(&certificates::SigningRequest);
        }
        "policy" | "autoscaling" | "storage.k8s.io" | "scheduling.k8s.io" => {
            return policy::for_kind(group, kind);
        }
        _ => return None,
    }
    Some(match kind {
        "Namespace" => &namespace::Namespace,
        "Pod" => &pod::Pod,
        "ConfigMap" => &ConfigMap,
        "Secret" => &Secret,
        "ServiceAccount" => &ReturnsDeleted,
        "Event" => &events::Event,
        "Endpoints" => &Endpoints,
        "ResourceQuota" => &ResourceQuota,
        "PersistentVolumeClaim" => &Claim,
        "PersistentVolume" => &Volume,
        "ReplicationController" => &Controller,
        "Node" => &Node,
        "Service" => &Service,
        "LimitRange" => &LimitRange,
        "PodTemplate" => &PodTemplate,
        _ => return None,
    })
}

/// `obj` of `kind` (of `group`/`version`) in the canonical form it is stored in, for comparisons
/// with a stored object (Go compares the decoded internal objects).
pub(super) fn canonical(group: &str, version: &str, kind: &str, obj: &Value) -> Value {
    let Some(ty) = super::schema::type_for(group, version, kind) else {
        return obj.clone();
    };
    let mut out = Vec::new();
    super::schema::encode_into(ty, obj, false, &mut out);
    serde_json::from_slice(&out).unwrap_or_else(|_| obj.clone())
}

/// The counters of a status (`ValidateNonnegativeField` of each, at `status.<name>`).
pub(super) fn status_nonnegative(obj: &Value, names: &[&str], errs: &mut Vec<Cause>) {
    for name in names {
        if let Some(v) = obj
            .pointer(&format!("/status/{name}"))
            .and_then(Value::as_i64)
            .filter(|v| *v < 0)
        {
            errs.push(Cause::invalid(
                format!("status.{name}"),
                &json!(v),
                "must be greater than or equal to 0",
            ));
        }
    }
}

/// The counters of a status that cannot exceed `status.replicas` (absent counts as 0).
pub(super) fn status_not_above_replicas(obj: &Value, names: &[&str], errs: &mut Vec<Cause>) {
    let count = |name: &str| {
        obj.pointer(&format!("/status/{name}"))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    let replicas = count("replicas");
    for name in names {
        let v = count(name);
        if v > replicas {
            errs.push(Cause::invalid(
                format!("status.{name}"),
                &json!(v),
                "cannot be greater than status.replicas",
            ));
        }
    }
}

/// `IsDecremented` of `status.collisionCount`: a count that goes down (or away).
pub(super) fn collision_count_decremented(new: &Value, old: &Value, errs: &mut Vec<Cause>) {
    let (n, o) = (
        new.pointer("/status/collisionCount")
            .and_then(Value::as_i64),
        old.pointer("/status/collisionCount")
            .and_then(Value::as_i64),
    );
    if let Some(o) = o
        && n.is_none_or(|n| n < o)
    {
        errs.push(Cause::invalid(
            "status.collisionCount",
            &json!(n.unwrap_or(0)),
            "cannot be decremented",
        ));
    }
}

/// A kind without rules of its own whose delete answers the deleted object (ServiceAccount).
struct ReturnsDeleted;
impl Strategy for ReturnsDeleted {
    fn returns_deleted_object(&self) -> bool {
        true
    }
}

/// `IsConfigMapKey`: the keys of a ConfigMap's or Secret's data.
pub(crate) fn config_key(k: &str) -> Option<String> {
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
                        // validateEndpointAddress, then validateNonSpecialIP, each says so.
                        let field = format!("subsets[{i}].{list}[{j}].ip");
                        errs.push(Cause::invalid(
                            field.clone(),
                            &json!(ip),
                            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                        ));
                        errs.push(Cause::invalid(
                            field,
                            &json!(ip),
                            "must be a valid IP address",
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

/// The metadata rules every kind shares (`ValidateObjectMeta`), with the kind's name rule.
pub fn validate_meta(obj: &Value, name_rule: fn(&str) -> Option<String>) -> Vec<Cause> {
    let mut errs = Vec::new();
    validate_object_meta(obj, name_rule, &mut errs);
    errs
}

/// The object's spec, made `{}` when absent: a Go struct is always there to be defaulted.
fn spec_of(obj: &mut Value) -> Option<&mut serde_json::Map<String, Value>> {
    let m = obj.as_object_mut()?;
    if m.get("spec").is_none_or(Value::is_null) {
        m.insert("spec".into(), json!({}));
    }
    m.get_mut("spec").and_then(Value::as_object_mut)
}

/// The strings of a JSON array (none for anything else), as a Go `[]string` holds them.
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| s.as_str().unwrap_or("").to_string())
        .collect()
}

/// Go's `%#v` of a non-nil `[]string`: `[]string{"a", "b"}`.
fn go_strings(v: &[String]) -> String {
    let shown: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
    format!("[]string{{{}}}", shown.join(", "))
}

/// `field` of the metadata as it was in `old` (absent if it was).
fn keep_meta(new: &mut Value, old: &Value, field: &str) {
    let kept = old.pointer(&format!("/metadata/{field}")).cloned();
    if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        match kept {
            Some(v) => {
                meta.insert(field.into(), v);
            }
            None => {
                meta.shift_remove(field);
            }
        }
    }
}

/// A status reset as `PrepareForCreate` does (`Status = XStatus{}`).
fn reset_status(obj: &mut Value) {
    if let Some(m) = obj.as_object_mut() {
        m.insert("status".into(), json!({}));
    }
}

fn set_if_empty(m: &mut serde_json::Map<String, Value>, k: &str, v: Value) {
    let empty = match m.get(k) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    };
    if empty {
        m.insert(k.into(), v);
    }
}

/// `status.phase` defaulted (a claim's and a volume's: Pending).
fn default_phase(obj: &mut Value, phase: &str) {
    if let Some(m) = obj.as_object_mut() {
        let status = m.entry("status").or_insert_with(|| json!({}));
        if let Some(st) = status.as_object_mut() {
            set_if_empty(st, "phase", json!(phase));
        }
    }
}

/// A claim or a volume names at least one access mode (the message is each kind's own).
fn require_access_modes(obj: &Value, why: &str, errs: &mut Vec<Cause>) {
    if obj
        .pointer("/spec/accessModes")
        .and_then(Value::as_array)
        .is_none_or(|a| a.is_empty())
    {
        errs.push(Cause::required_because("spec.accessModes", why));
    }
}

/// A finalizer added by an admission plugin on create (StorageObjectInUseProtection).
fn add_finalizer(obj: &mut Value, f: &str) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let list = meta.entry("finalizers").or_insert_with(|| json!([]));
    if let Some(a) = list.as_array_mut()
        && !a.iter().any(|x| x == f)
    {
        a.push(json!(f));
    }
}

struct ResourceQuota;
impl Strategy for ResourceQuota {
    fn returns_deleted_object(&self) -> bool {
        true
    }
    fn prepare_create(&self, obj: &mut Value) {
        reset_status(obj);
    }
}

/// A PersistentVolumeClaim: `volumeMode: Filesystem`, phase Pending, the `pvc-protection`
/// finalizer (StorageObjectInUseProtection).
struct Claim;
impl Strategy for Claim {
    fn returns_deleted_object(&self) -> bool {
        true
    }
    fn default(&self, obj: &mut Value) {
        if let Some(spec) = spec_of(obj) {
            set_if_empty(spec, "volumeMode", json!("Filesystem"));
        }
        default_phase(obj, "Pending");
    }
    fn prepare_create(&self, obj: &mut Value) {
        reset_status(obj);
        add_finalizer(obj, "kubernetes.io/pvc-protection");
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        require_access_modes(obj, "at least 1 access mode is required", &mut errs);
        if obj.pointer("/spec/resources/requests/storage").is_none() {
            errs.push(Cause::required("spec.resources[storage]"));
        }
        errs
    }
}

/// A PersistentVolume: reclaim policy Retain, `volumeMode: Filesystem`, phase Pending, the
/// `pv-protection` finalizer.
struct Volume;
impl Strategy for Volume {
    fn returns_deleted_object(&self) -> bool {
        true
    }
    fn default(&self, obj: &mut Value) {
        if let Some(spec) = spec_of(obj) {
            set_if_empty(spec, "persistentVolumeReclaimPolicy", json!("Retain"));
            set_if_empty(spec, "volumeMode", json!("Filesystem"));
            // SetDefaults_HostPathVolumeSource: the type "" (unset) when absent.
            if let Some(h) = spec.get_mut("hostPath").and_then(Value::as_object_mut)
                && h.get("type").is_none_or(Value::is_null)
            {
                h.insert("type".into(), json!(""));
            }
        }
        default_phase(obj, "Pending");
    }
    fn prepare_create(&self, obj: &mut Value) {
        reset_status(obj);
        add_finalizer(obj, "kubernetes.io/pv-protection");
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        require_access_modes(obj, "must specify at least 1 access mode", &mut errs);
        if obj.pointer("/spec/capacity/storage").is_none() {
            errs.push(Cause::required("spec.capacity"));
        }
        errs
    }
}

/// A ReplicationController: the selector and labels from the pod template's labels, one replica,
/// the template's pod defaults; generation 1, then one more per spec change; its dependents
/// orphaned by default.
struct Controller;
impl Strategy for Controller {
    fn default(&self, obj: &mut Value) {
        let labels = obj.pointer("/spec/template/metadata/labels").cloned();
        if let Some(spec) = spec_of(obj) {
            if let Some(l) = &labels
                && spec
                    .get("selector")
                    .and_then(Value::as_object)
                    .is_none_or(|m| m.is_empty())
            {
                spec.insert("selector".into(), l.clone());
            }
            if spec.get("replicas").is_none_or(Value::is_null) {
                spec.insert("replicas".into(), json!(1));
            }
            if let Some(t) = spec.get_mut("template")
                && t.is_object()
            {
                super::pod::apply_template_defaults(t);
            }
        }
        if let Some(l) = labels
            && let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut)
            && meta
                .get("labels")
                .and_then(Value::as_object)
                .is_none_or(|m| m.is_empty())
        {
            meta.insert("labels".into(), l);
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        obj["status"] = json!({"replicas": 0});
        obj["metadata"]["generation"] = json!(1);
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn orphans_by_default(&self) -> bool {
        true
    }
    /// `labels.SelectorFromSet(rc.Spec.Selector).String()`.
    fn scale_selector(&self, obj: &Value) -> Option<String> {
        let mut parts: Vec<String> = obj
            .pointer("/spec/selector")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
            .collect();
        parts.sort();
        Some(parts.join(","))
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let selector = obj.pointer("/spec/selector").and_then(Value::as_object);
        let labels = obj
            .pointer("/spec/template/metadata/labels")
            .and_then(Value::as_object);
        if let (Some(sel), Some(l)) = (selector, labels)
            && sel.iter().any(|(k, v)| l.get(k) != Some(v))
        {
            // Go's %#v of the labels map.
            let shown: Vec<String> = l.iter().map(|(k, v)| format!("{:?}:{v}", k)).collect();
            errs.push(Cause {
                reason: "FieldValueInvalid",
                message: format!(
                    "Invalid value: map[string]string{{{}}}: `selector` does not match template `labels`",
                    shown.join(", ")
                ),
                field: "spec.template.metadata.labels".into(),
            });
        }
        errs
    }
}

/// A Node: created with its status (a kubelet registers itself), tainted not-ready by the
/// TaintNodesByCondition admission plugin.
struct Node;
impl Strategy for Node {
    fn default(&self, obj: &mut Value) {
        // SetDefaults_NodeStatus: allocatable is the capacity unless given.
        if let Some(st) = obj.get_mut("status").and_then(Value::as_object_mut)
            && st.get("allocatable").is_none_or(Value::is_null)
            && let Some(c) = st.get("capacity").cloned()
        {
            st.insert("allocatable".into(), c);
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        let Some(m) = obj.as_object_mut() else { return };
        let spec = m.entry("spec").or_insert_with(|| json!({}));
        let Some(spec) = spec.as_object_mut() else {
            return;
        };
        let taints = spec.entry("taints").or_insert_with(|| json!([]));
        if let Some(t) = taints.as_array_mut()
            && !t.iter().any(|x| {
                x.get("key").and_then(Value::as_str) == Some("node.kubernetes.io/not-ready")
            })
        {
            t.push(json!({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}));
        }
    }
}

/// The cluster IP range of the real server of the live tests (`--service-cluster-ip-range`).
const SERVICE_NETWORK: [u8; 3] = [10, 0, 0];
/// kube-apiserver's default `--service-node-port-range`.
const NODE_PORTS: std::ops::RangeInclusive<u64> = 30000..=32767;

/// A Service: `SetDefaults_Service`, a cluster IP and node ports allocated on create (the range of
/// the live tests' server; the first address is the `kubernetes` service's), the dual-stack fields
/// dropped (the IPv6DualStack gate is off in v1.20), the cluster IP immutable.
struct Service;
impl Strategy for Service {
    fn default(&self, obj: &mut Value) {
        let Some(spec) = spec_of(obj) else { return };
        set_if_empty(spec, "sessionAffinity", json!("None"));
        match spec.get("sessionAffinity").and_then(Value::as_str) {
            Some("None") => {
                spec.shift_remove("sessionAffinityConfig");
            }
            Some("ClientIP")
                if spec
                    .get("sessionAffinityConfig")
                    .and_then(|c| c.pointer("/clientIP/timeoutSeconds"))
                    .is_none() =>
            {
                spec.insert(
                    "sessionAffinityConfig".into(),
                    json!({"clientIP": {"timeoutSeconds": 10800}}),
                );
            }
            _ => {}
        }
        set_if_empty(spec, "type", json!("ClusterIP"));
        for p in spec
            .get_mut("ports")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            set_if_empty(p, "protocol", json!("TCP"));
            let unset = match p.get("targetPort") {
                None | Some(Value::Null) => true,
                Some(Value::Number(n)) => n.as_i64() == Some(0),
                Some(Value::String(s)) => s.is_empty(),
                _ => false,
            };
            if unset && let Some(port) = p.get("port").cloned() {
                p.insert("targetPort".into(), port);
            }
        }
        let kind = spec.get("type").and_then(Value::as_str).unwrap_or("");
        if matches!(kind, "NodePort" | "LoadBalancer") {
            set_if_empty(spec, "externalTrafficPolicy", json!("Cluster"));
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        obj["status"] = json!({"loadBalancer": {}});
        let Some(spec) = spec_of(obj) else { return };
        // NormalizeClusterIPs, dropServiceDisabledFields.
        if let Some(ip) = spec
            .get("clusterIP")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            && spec
                .get("clusterIPs")
                .and_then(Value::as_array)
                .is_none_or(|a| a.is_empty())
        {
            spec.insert("clusterIPs".into(), json!([ip]));
        }
        for f in [
            "ipFamilies",
            "ipFamilyPolicy",
            "topologyKeys",
            "allocateLoadBalancerNodePorts",
        ] {
            spec.shift_remove(f);
        }
        if let Some(a) = spec.get_mut("clusterIPs").and_then(Value::as_array_mut) {
            a.truncate(1);
        }
    }
    fn allocate(&self, obj: &mut Value, existing: &[&Value]) -> Vec<Cause> {
        let mut errs = Vec::new();
        let Some(spec) = spec_of(obj) else {
            return errs;
        };
        let kind = spec
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if kind != "ExternalName"
            && spec
                .get("clusterIP")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
        {
            let used: Vec<&str> = existing
                .iter()
                .filter_map(|o| o.pointer("/spec/clusterIP").and_then(Value::as_str))
                .collect();
            let [a, b, c] = SERVICE_NETWORK;
            match (2..255u8)
                .map(|d| format!("{a}.{b}.{c}.{d}"))
                .find(|ip| !used.contains(&ip.as_str()))
            {
                Some(ip) => {
                    spec.insert("clusterIP".into(), json!(ip));
                    spec.insert("clusterIPs".into(), json!([ip]));
                }
                None => errs.push(Cause::invalid(
                    "spec.clusterIP",
                    &json!(""),
                    "range is full",
                )),
            }
        }
        if matches!(kind.as_str(), "NodePort" | "LoadBalancer") {
            let mut used: Vec<u64> = existing
                .iter()
                .flat_map(|o| {
                    o.pointer("/spec/ports")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| p.get("nodePort").and_then(Value::as_u64))
                })
                .collect();
            for p in spec
                .get_mut("ports")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object_mut)
            {
                match p
                    .get("nodePort")
                    .and_then(Value::as_u64)
                    .filter(|n| *n != 0)
                {
                    Some(n) => used.push(n),
                    None => {
                        if let Some(n) = NODE_PORTS.clone().find(|n| !used.contains(n)) {
                            used.push(n);
                            p.insert("nodePort".into(), json!(n));
                        }
                    }
                }
            }
        }
        errs
    }
    fn requires_resource_version(&self) -> bool {
        true
    }
    fn has_own_update_path(&self) -> bool {
        true
    }
    fn prepare_update(&self, new: &mut Value, old: &Value) {
        // NormalizeClusterIPs of an update.
        let old_ip = old.pointer("/spec/clusterIP").cloned();
        let old_ips = old.pointer("/spec/clusterIPs").cloned();
        let Some(spec) = spec_of(new) else { return };
        let ips_empty = spec
            .get("clusterIPs")
            .and_then(Value::as_array)
            .is_none_or(|a| a.is_empty());
        if ips_empty
            && old_ips
                .as_ref()
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
            && spec.get("clusterIP") == old_ip.as_ref()
            && let Some(ips) = &old_ips
        {
            spec.insert("clusterIPs".into(), ips.clone());
        }
        for f in [
            "ipFamilies",
            "ipFamilyPolicy",
            "topologyKeys",
            "allocateLoadBalancerNodePorts",
        ] {
            spec.shift_remove(f);
        }
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let kind = obj
            .pointer("/spec/type")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !matches!(
            kind,
            "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"
        ) {
            errs.push(Cause::not_supported(
                "spec.type",
                &json!(kind),
                &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
            ));
        }
        let ports = obj
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let headless = obj.pointer("/spec/clusterIP").and_then(Value::as_str) == Some("None");
        if ports.is_empty() && kind != "ExternalName" && !headless {
            errs.push(Cause::required("spec.ports"));
        }
        for (i, p) in ports.iter().enumerate() {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            if ports.len() > 1 && name.is_empty() {
                errs.push(Cause::required(format!("spec.ports[{i}].name")));
            }
            let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
            if !(1..=65535).contains(&port) {
                errs.push(Cause::invalid(
                    format!("spec.ports[{i}].port"),
                    &json!(port),
                    "must be between 1 and 65535, inclusive",
                ));
            }
            let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("");
            if !matches!(protocol, "TCP" | "UDP" | "SCTP") {
                errs.push(Cause::not_supported(
                    format!("spec.ports[{i}].protocol"),
                    &json!(protocol),
                    &["SCTP", "TCP", "UDP"],
                ));
            }
        }
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let new_ips = new
            .pointer("/spec/clusterIPs")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty());
        let old_ip = old
            .pointer("/spec/clusterIP")
            .and_then(Value::as_str)
            .unwrap_or("");
        if new_ips.is_none() && !old_ip.is_empty() {
            errs.push(Cause {
                reason: "FieldValueInvalid",
                message: "Invalid value: []string(nil): primary clusterIP can not be unset".into(),
                field: "spec.clusterIPs[0]".into(),
            });
        } else if let Some(ips) = new_ips
            && old.pointer("/spec/clusterIPs").and_then(Value::as_array) != Some(ips)
            && !old_ip.is_empty()
        {
            let shown: Vec<String> = ips.iter().map(|ip| format!("{ip}")).collect();
            errs.push(Cause {
                reason: "FieldValueInvalid",
                message: format!(
                    "Invalid value: []string{{{}}}: may not change once set",
                    shown.join(", ")
                ),
                field: "spec.clusterIPs[0]".into(),
            });
        }
        errs
    }
}

/// A LimitRange: `SetDefaults_LimitRangeItem` (a container's default limit from its max, its
/// default request from the default limit, else from the min).
struct LimitRange;
impl Strategy for LimitRange {
    fn default(&self, obj: &mut Value) {
        let Some(spec) = spec_of(obj) else { return };
        for item in spec
            .get_mut("limits")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            if item.get("type").and_then(Value::as_str) != Some("Container") {
                continue;
            }
            let get = |item: &serde_json::Map<String, Value>, k: &str| {
                item.get(k)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default()
            };
            let (max, min) = (get(item, "max"), get(item, "min"));
            let mut default = get(item, "default");
            for (k, v) in &max {
                default.entry(k.clone()).or_insert_with(|| v.clone());
            }
            let mut request = get(item, "defaultRequest");
            for (k, v) in default.iter().chain(min.iter()) {
                request.entry(k.clone()).or_insert_with(|| v.clone());
            }
            if !default.is_empty() {
                default.sort_keys();
                item.insert("default".into(), Value::Object(default));
            }
            if !request.is_empty() {
                request.sort_keys();
                item.insert("defaultRequest".into(), Value::Object(request));
            }
        }
    }
}

/// A PodTemplate: its template's pod defaults; a delete answers the deleted object.
struct PodTemplate;
impl Strategy for PodTemplate {
    fn default(&self, obj: &mut Value) {
        if let Some(t) = obj.get_mut("template")
            && t.is_object()
        {
            super::pod::apply_template_defaults(t);
        }
    }
    fn returns_deleted_object(&self) -> bool {
        true
    }
}
