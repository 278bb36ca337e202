//! The generic registry (kube-apiserver's `registry/generic/registry.Store`): create, get, list in a
//! namespace and across namespaces, update, the three patches, delete and delete collection of any
//! kind of the resource-kind table that has a [`Strategy`], over one store keyed by resource,
//! namespace and name, with the one global resourceVersion counter. What differs per kind is the
//! strategy's.

use super::{
    BodyKind, Reply, Req, Result, Tracking, applied_object, apply_creates, canonical, check_name,
    copy_meta, decode_apply, decode_as, delete_options, encode_body, finish, list_key, list_page,
    meta_mut, meta_str, name_to_create, now, parse_selector, patched_object, reply_stored,
    reply_with, set_managed_fields, set_meta,
};
use crate::kinds::Resource;
use crate::server::api::App;
use crate::server::managed;
use crate::server::patch::{self, PatchType};
use crate::server::schema;
use crate::server::status::{ApiError, Cause};
use crate::server::store::{EventType, ObjectKey, Store, Stored};
use crate::server::strategy::{self, Strategy};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

/// How often a patch is applied again when the object changed while it was being computed.
const MAX_PATCH_ATTEMPTS: usize = 64;

/// A request for a resource the registry serves (`ns` and `name` from the path).
pub(super) fn handle(
    app: &App,
    req: &Req,
    r: &'static Resource,
    s: &'static dyn Strategy,
    ns: Option<&str>,
    name: Option<&str>,
    subresource: Option<&str>,
) -> Result<Reply> {
    use Method as M;
    if subresource.is_some_and(|s| s == "proxy" || s.starts_with("proxy/"))
        && matches!(r.kind, "Service" | "Node")
        && let Some(name) = name
    {
        return proxy(app, r, ns.unwrap_or(""), name);
    }
    let served_sub = match subresource {
        None => true,
        Some(sub @ ("status" | "finalize" | "approval")) => r.has_subresource(sub),
        Some("scale") => r.has_subresource("scale") && s.scale_selector(&Value::Null).is_some(),
        Some(_) => false,
    };
    if !served_sub || (r.namespaced && ns.is_none() && name.is_some()) {
        return Err(ApiError::no_route());
    }
    let ns = if r.namespaced { ns } else { Some("") };
    let Some(at) = TARGETS
        .get(&(r.group, r.version, r.plural))
        .filter(|t| std::ptr::eq(t.r, r))
    else {
        return Err(ApiError::no_route());
    };
    debug_assert!(std::ptr::addr_eq(at.s, s), "one strategy per kind");
    if subresource == Some("scale") {
        return match (ns, name, &req.method) {
            (Some(ns), Some(name), &M::GET) => at.get_scale(app, ns, name),
            (Some(ns), Some(name), &M::PUT) => at.put_scale(app, req, ns, name, None),
            (Some(ns), Some(name), &M::PATCH) if req.is_apply() => {
                at.apply_scale(app, req, ns, name)
            }
            (Some(ns), Some(name), &M::PATCH) => {
                let ct = req.content_type.as_deref().unwrap_or("");
                let Some(kind) = PatchType::from_content_type(ct) else {
                    return Err(ApiError::unsupported_media_type());
                };
                at.put_scale(app, req, ns, name, Some(kind))
            }
            (Some(_), Some(_), _) => Err(ApiError::method_not_allowed()),
            _ => Err(ApiError::no_route()),
        };
    }
    if subresource == Some("finalize") && req.method != M::PUT {
        // Its storage only updates.
        return Err(ApiError::method_not_allowed());
    }
    if subresource.is_some() {
        return match (ns, name, &req.method) {
            (Some(ns), Some(name), &M::GET) => at.get(app, req, ns, name),
            (Some(ns), Some(name), &M::PUT) => {
                let mut obj = decode_as(req, at.body_kind())?;
                s.default(&mut obj);
                check_name(&obj, ns, name)?;
                at.write(app, req, ns, name, obj, subresource, Tracking::Update)
            }
            (Some(ns), Some(name), &M::PATCH) => at.patch(app, req, ns, name, subresource),
            (Some(_), Some(_), _) => Err(ApiError::method_not_allowed()),
            _ => Err(ApiError::no_route()),
        };
    }
    match (ns, name, &req.method) {
        (_, None, &M::GET) => at.list(app, req, ns),
        (Some(ns), None, &M::POST) => at.create(app, req, ns),
        (Some(ns), None, &M::DELETE) => at.delete_collection(app, req, ns),
        (_, None, _) => Err(ApiError::method_not_allowed()),
        (Some(ns), Some(name), &M::GET) => at.get(app, req, ns, name),
        (Some(ns), Some(name), &M::PUT) => {
            let mut obj = decode_as(req, at.body_kind())?;
            s.default(&mut obj);
            check_name(&obj, ns, name)?;
            if s.allows_create_on_update() && !app.store().objects.contains_key(&at.key(ns, name)) {
                return at.create(app, req, ns);
            }
            at.write(app, req, ns, name, obj, None, Tracking::Update)
        }
        (Some(ns), Some(name), &M::PATCH) => at.patch(app, req, ns, name, None),
        (Some(ns), Some(name), &M::DELETE) => at.delete(app, req, ns, name),
        (Some(_), Some(_), _) => Err(ApiError::method_not_allowed()),
        (None, Some(_), _) => Err(ApiError::no_route()),
    }
}

/// The proxy subresource of a service or a node, as a bare server answers it: a service without
/// an endpoints object is not found, one without ready addresses has no endpoints available, a node
/// without addresses has none to dial; anything to dial is beyond a server without kubelets.
fn proxy(app: &App, r: &'static Resource, ns: &str, name: &str) -> Result<Reply> {
    let store = app.store();
    let get = |plural: &'static str, n: &str| {
        store
            .objects
            .get(&(plural, ns.to_string(), n.to_string()))
            .map(|s| (*s.obj).clone())
    };
    if r.kind == "Service" {
        // `name`, `name:port` or `scheme:name:port`.
        let parts: Vec<&str> = name.split(':').collect();
        let svc = if parts.len() == 3 { parts[1] } else { parts[0] };
        get("services", svc).ok_or_else(|| ApiError::not_found("services", svc))?;
        let eps = get("endpoints", svc).ok_or_else(|| ApiError::not_found("services", svc))?;
        let ready = eps
            .get("subsets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|s| {
                s.get("addresses")
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty())
            });
        if !ready {
            return Err(ApiError::service_unavailable(format!(
                "no endpoints available for service \"{svc}\""
            )));
        }
    } else {
        let node = store
            .objects
            .get(&("nodes", String::new(), name.to_string()))
            .map(|s| (*s.obj).clone())
            .ok_or_else(|| ApiError::not_found("nodes", name))?;
        let known = node
            .pointer("/status/addresses")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if known.is_empty() {
            return Err(ApiError::internal(
                "no preferred addresses found; known addresses: []",
            ));
        }
    }
    Err(ApiError::service_unavailable(
        "nothing to proxy to: the reference server models the API server only",
    ))
}

/// The targets of every resource the registry serves, made once: (group, version, plural).
static TARGETS: LazyLock<HashMap<(&str, &str, &str), Target>> = LazyLock::new(|| {
    crate::kinds::RESOURCES
        .iter()
        .filter_map(|r| {
            let s = strategy::for_kind(r.group, r.kind)?;
            Some(((r.group, r.version, r.plural), Target::new(r, s)?))
        })
        .collect()
});

/// A resource, its kind's strategy and the schema types of its objects and lists.
struct Target {
    r: &'static Resource,
    s: &'static dyn Strategy,
    ty: &'static str,
    list_ty: &'static str,
    /// How messages name the resource (`deployments.apps`) and the kind (`Deployment.apps`).
    resource: String,
    kind: String,
}

impl Target {
    /// `None` for a resource whose types the schema does not have.
    fn new(r: &'static Resource, s: &'static dyn Strategy) -> Option<Self> {
        Some(Target {
            r,
            s,
            ty: schema::type_for(r.group, r.version, r.kind)?,
            list_ty: schema::type_for(r.group, r.version, r.list_kind)?,
            resource: r.qualified_plural(),
            kind: s
                .invalid_kind()
                .map_or_else(|| r.qualified_kind(), str::to_string),
        })
    }

    /// A stored object as this version of the resource answers it.
    fn view(&self, stored: &Arc<Stored>) -> Arc<Stored> {
        let written_in = stored.obj.get("apiVersion").and_then(Value::as_str);
        if written_in.is_none_or(|v| v == self.r.api_version) {
            return stored.clone();
        }
        let mut obj = (*stored.obj).clone();
        self.s.convert(&mut obj, self.r.api_version);
        Arc::new(finish(self.ty, obj))
    }

    fn body_kind(&self) -> BodyKind {
        BodyKind {
            group: self.r.group,
            version: self.r.version,
            kind: self.r.kind,
            ty: self.ty,
        }
    }

    fn key(&self, ns: &str, name: &str) -> ObjectKey {
        (self.r.plural, ns.to_string(), name.to_string())
    }

    fn not_found(&self, name: &str) -> ApiError {
        ApiError::not_found(&self.resource, name)
    }

    fn current(&self, app: &App, ns: &str, name: &str) -> Result<Arc<Stored>> {
        app.store()
            .objects
            .get(&self.key(ns, name))
            .map(|s| self.view(s))
            .ok_or_else(|| self.not_found(name))
    }

    /// The `autoscaling/v1` Scale of an object (`scaleFromRC` and the like): its identity, the
    /// desired and current replicas and the selector as a string.
    fn scale_of(&self, obj: &Value) -> Value {
        let meta = |k: &str| {
            obj.pointer(&format!("/metadata/{k}"))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let mut m = serde_json::Map::new();
        for k in [
            "name",
            "namespace",
            "uid",
            "resourceVersion",
            "creationTimestamp",
        ] {
            let v = meta(k);
            if !v.is_null() {
                m.insert(k.into(), v);
            }
        }
        let int = |p: &str| obj.pointer(p).and_then(Value::as_i64).unwrap_or(0);
        let mut status = serde_json::Map::new();
        status.insert("replicas".into(), json!(int("/status/replicas")));
        let selector = self.s.scale_selector(obj).unwrap_or_default();
        if !selector.is_empty() {
            status.insert("selector".into(), json!(selector));
        }
        json!({
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": m,
            "spec": {"replicas": int("/spec/replicas")}, "status": status
        })
    }

    fn get_scale(&self, app: &App, ns: &str, name: &str) -> Result<Reply> {
        let current = self.current(app, ns, name)?;
        Ok(Reply::Object(
            StatusCode::OK,
            "Scale",
            self.scale_of(&current.obj),
        ))
    }

    /// A write of the scale (PUT, or a patch of the scale): the object's `spec.replicas`.
    fn put_scale(
        &self,
        app: &App,
        req: &Req,
        ns: &str,
        name: &str,
        patch_kind: Option<PatchType>,
    ) -> Result<Reply> {
        let current = self.current(app, ns, name)?;
        let scale = match patch_kind {
            // As any patch: a deep one on a thread with a large stack.
            Some(kind) => {
                patched_object(req, kind, "Scale", &self.scale_of(&current.obj), ns, name, &|_| {})?
            }
            None => patch::parse_go_json(&req.body).map_err(|e| {
                ApiError::bad_request(format!(
                    "the object provided is unrecognized (must be of type Scale): couldn't get version/kind; json parse error: {e}"
                ))
            })?,
        };
        // The field manager of a scale write sees the Scale, not the object: the object's own
        // managedFields stay as they are (v1.20 does not carry them over to the Scale and back).
        let kept = current.obj.pointer("/metadata/managedFields").cloned();
        self.write_scale(app, req, ns, name, &current, scale, Tracking::Applied(kept))
    }

    /// A server-side apply of the scale: merged into the object's Scale (which has no
    /// managedFields in v1.20, so its fields are `before-first-apply`'s), its replicas written to
    /// the object, whose own managedFields stay as they are.
    fn apply_scale(&self, app: &App, req: &Req, ns: &str, name: &str) -> Result<Reply> {
        let config = decode_apply(req)?;
        let current = self.current(app, ns, name)?;
        let live = self.scale_of(&current.obj);
        let (mut scale, _) = applied_object(
            req,
            "Scale",
            "Scale",
            "autoscaling/v1",
            Some(&live),
            &config,
        )?;
        check_name(&scale, ns, name)?;
        if self.r.namespaced {
            set_meta(&mut scale, "namespace", json!(ns));
        }
        let kept = current.obj.pointer("/metadata/managedFields").cloned();
        self.write_scale(app, req, ns, name, &current, scale, Tracking::Applied(kept))
    }

    /// Writes the replicas of `scale` to the object `current`.
    #[allow(clippy::too_many_arguments)]
    fn write_scale(
        &self,
        app: &App,
        req: &Req,
        ns: &str,
        name: &str,
        current: &Stored,
        scale: Value,
        tracking: Tracking,
    ) -> Result<Reply> {
        let replicas = scale
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        // ValidateScale: the object's metadata (a namespaced name) and the replicas.
        let mut causes = Vec::new();
        if self.r.namespaced && meta_str(&scale, "namespace").is_empty() {
            causes.push(Cause::required("metadata.namespace"));
        }
        if replicas < 0 {
            causes.push(Cause::invalid(
                "spec.replicas",
                &json!(replicas),
                "must be greater than or equal to 0",
            ));
        }
        if !causes.is_empty() {
            return Err(ApiError::invalid_in_group(
                "Scale",
                "autoscaling",
                name,
                causes,
            ));
        }
        let wanted = scale
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !wanted.is_empty() && wanted != current.resource_version() {
            return Err(ApiError::conflict(&self.resource, name));
        }
        let mut obj = (*current.obj).clone();
        obj["spec"]["replicas"] = json!(replicas);
        match self.write(app, req, ns, name, obj, None, tracking)? {
            Reply::Cached(_, bytes) => {
                let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                Ok(Reply::Object(StatusCode::OK, "Scale", self.scale_of(&v)))
            }
            Reply::Object(_, _, v) => Ok(Reply::Object(StatusCode::OK, "Scale", self.scale_of(&v))),
        }
    }

    fn get(&self, app: &App, req: &Req, ns: &str, name: &str) -> Result<Reply> {
        let stored = self.current(app, ns, name)?;
        Ok(reply_stored(&stored, self.ty, req.pretty))
    }

    fn list(&self, app: &App, req: &Req, ns: Option<&str>) -> Result<Reply> {
        let selector = parse_selector(req, self.r.kind)?;
        let store = app.store();
        let viewed: Vec<(String, Arc<Stored>)> = store
            .objects
            .iter()
            .filter(|((res, ons, _), _)| *res == self.r.plural && ns.is_none_or(|ns| ns == ons))
            .filter(|(_, s)| selector.matches(&s.obj))
            .map(|((_, ons, name), s)| (list_key(ns, ons, name), self.view(s)))
            .collect();
        let items: Vec<(String, &Value)> =
            viewed.iter().map(|(k, s)| (k.clone(), &*s.obj)).collect();
        list_page(
            self.list_ty,
            self.r.list_kind,
            self.r.api_version,
            &store.revision(),
            items,
            req,
            selector.is_empty(),
        )
    }

    fn create(&self, app: &App, req: &Req, ns: &str) -> Result<Reply> {
        let mut obj = decode_as(req, self.body_kind())?;
        self.s.default(&mut obj);
        self.create_object(app, req, ns, obj, Tracking::Update)
    }

    /// A create of `obj`, decoded and defaulted.
    fn create_object(
        &self,
        app: &App,
        req: &Req,
        ns: &str,
        mut obj: Value,
        tracking: Tracking,
    ) -> Result<Reply> {
        let kind = self.ty;
        let name = name_to_create(&obj, ns, self.r.namespaced)?;
        let now = now();
        // The field manager sees the object as decoded and defaulted.
        let fields = tracking.fields(kind, None, &mut obj, &req.manager, &now);
        {
            let meta = meta_mut(&mut obj);
            meta.insert("name".into(), json!(name));
            if self.r.namespaced {
                meta.insert("namespace".into(), json!(ns));
            } else {
                meta.remove("namespace");
            }
            meta.remove("deletionTimestamp");
            meta.remove("deletionGracePeriodSeconds");
            meta.remove("selfLink");
            meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
            meta.insert("creationTimestamp".into(), json!(now));
        }
        if self.r.namespaced && !app.store().has_namespace(ns) {
            return Err(ApiError::not_found("namespaces", ns));
        }
        self.s.record_requester(&mut obj, &req.requester());
        self.s.prepare_create(&mut obj);
        // As read back from storage: decoded and defaulted again.
        self.s.default(&mut obj);
        let mut causes = strategy::validate_meta(&obj, self.s.name_rule());
        causes.extend(self.s.validate(&obj));
        causes.extend(self.s.validate_create(&obj));
        if !causes.is_empty() {
            return Err(ApiError::invalid(&self.kind, &name, causes));
        }
        if let Some(why) = self.s.admit_create(&obj) {
            return Err(ApiError::forbidden(&self.resource, &name, &why));
        }
        set_managed_fields(&mut obj, fields.filter(|_| self.s.tracks_managed_fields()));
        let mut store = app.store();
        if self.r.namespaced && !store.has_namespace(ns) {
            return Err(ApiError::not_found("namespaces", ns));
        }
        let key = self.key(ns, &name);
        if store.objects.contains_key(&key) {
            return Err(ApiError::already_exists(&self.resource, &name));
        }
        let existing: Vec<&Value> = store
            .objects
            .iter()
            .filter(|((res, _, _), _)| *res == self.r.plural)
            .map(|(_, s)| &*s.obj)
            .collect();
        let causes = self.s.allocate(&mut obj, &existing);
        if !causes.is_empty() {
            return Err(ApiError::invalid(&self.kind, &name, causes));
        }
        if !req.dry_run {
            set_meta(&mut obj, "resourceVersion", json!(store.next_revision()));
        }
        let stored = finish(kind, obj);
        let reply = reply_with(StatusCode::CREATED, &stored, kind, req.pretty);
        if !req.dry_run {
            store.emit(EventType::Added, self.r.plural, stored.obj.clone(), None);
            store.objects.insert(key.clone(), Arc::new(stored));
            self.settle(&mut store, key);
        }
        Ok(reply)
    }

    /// What the server's own controllers make of a written object at once (an APIService's
    /// availability): their update, written after the reply was made.
    fn settle(&self, store: &mut Store, key: ObjectKey) {
        let Some(current) = store.objects.get(&key).cloned() else {
            return;
        };
        let Some(status) = self.s.controller_status(&current.obj, store) else {
            return;
        };
        let mut obj = (*current.obj).clone();
        obj["status"] = status;
        set_meta(&mut obj, "resourceVersion", json!(store.next_revision()));
        let stored = canonical(self.ty, obj);
        store.emit(
            EventType::Modified,
            self.r.plural,
            stored.obj.clone(),
            Some(current.obj.clone()),
        );
        store.objects.insert(key, Arc::new(stored));
    }

    fn patch(
        &self,
        app: &App,
        req: &Req,
        ns: &str,
        name: &str,
        sub: Option<&str>,
    ) -> Result<Reply> {
        if req.is_apply() {
            return self.apply(app, req, ns, name, sub);
        }
        let ct = req.content_type.as_deref().unwrap_or("");
        let Some(kind) = PatchType::from_content_type(ct) else {
            return Err(ApiError::unsupported_media_type());
        };
        // As the real server's GuaranteedUpdate: a patch that names no resourceVersion is applied
        // again to the newer object when another write came in between.
        for _ in 0..MAX_PATCH_ATTEMPTS {
            let current = self.current(app, ns, name)?;
            let default = |o: &mut Value| self.s.default(o);
            let obj = patched_object(req, kind, self.ty, &current.obj, ns, name, &default)?;
            let unconditional = meta_str(&obj, "resourceVersion") == current.resource_version()
                && !self.s.has_own_update_path();
            match self.write(app, req, ns, name, obj, sub, Tracking::Update) {
                Err(e) if e.code == 409 && unconditional => continue,
                other => return other,
            }
        }
        Err(ApiError::conflict(&self.resource, name))
    }

    /// A server-side apply (`PATCH` of `application/apply-patch+yaml`): the configuration merged
    /// into the object by the field manager, then written as a patch is, or created if there is no
    /// object yet (not through a subresource).
    fn apply(
        &self,
        app: &App,
        req: &Req,
        ns: &str,
        name: &str,
        sub: Option<&str>,
    ) -> Result<Reply> {
        if !self.s.tracks_managed_fields() {
            // The real server panics (and closes the connection without an answer).
            return Err(ApiError::internal(
                "FieldManager must be installed to run apply",
            ));
        }
        let config = decode_apply(req)?;
        for _ in 0..MAX_PATCH_ATTEMPTS {
            let current = app
                .store()
                .objects
                .get(&self.key(ns, name))
                .map(|s| self.view(s));
            if current.is_none() && sub.is_some() {
                return Err(self.not_found(name));
            }
            let live = current.as_ref().map(|c| &*c.obj);
            let (mut obj, fields) =
                applied_object(req, self.ty, self.r.kind, self.r.api_version, live, &config)?;
            self.s.default(&mut obj);
            check_name(&obj, ns, name)?;
            if self.r.namespaced {
                set_meta(&mut obj, "namespace", json!(ns));
            }
            let unconditional = live.is_some_and(|l| {
                meta_str(&obj, "resourceVersion") == meta_str(l, "resourceVersion")
            });
            if live.is_none() {
                apply_creates(&mut obj, &self.resource, name)?;
            }
            let tracking = Tracking::Applied(fields);
            let result = match &current {
                None => self.create_object(app, req, ns, obj, tracking),
                Some(_) => self.write(app, req, ns, name, obj, sub, tracking),
            };
            match result {
                Err(e) if e.code == 409 && e.reason == "AlreadyExists" && current.is_none() => {
                    continue;
                }
                Err(e) if e.code == 409 && e.reason == "Conflict" && unconditional => continue,
                Err(e) if e.code == 404 && current.is_some() && e.reason == "NotFound" => continue,
                other => return other,
            }
        }
        Err(ApiError::conflict(&self.resource, name))
    }

    /// An update (PUT or patch) of the object: preconditions, the field manager, what an update
    /// never changes, validation; a write that changes nothing is not written.
    /// Of the status subresource (`sub`), the spec stays as it was; of the object itself, the status
    /// (for a kind with a status subresource).
    #[allow(clippy::too_many_arguments)]
    fn write(
        &self,
        app: &App,
        req: &Req,
        ns: &str,
        name: &str,
        mut new: Value,
        sub: Option<&str>,
        tracking: Tracking,
    ) -> Result<Reply> {
        let kind = self.ty;
        let mut store = app.store();
        let key = self.key(ns, name);
        let old = store
            .objects
            .get(&key)
            .map(|s| self.view(s))
            .ok_or_else(|| self.not_found(name))?;
        // A PUT's object names its uid as the storage's precondition (`DefaultUpdatedObjectInfo`).
        let (uid, old_uid) = (meta_str(&new, "uid"), meta_str(&old.obj, "uid"));
        if req.method == Method::PUT
            && !uid.is_empty()
            && uid != old_uid
            && !self.s.has_own_update_path()
        {
            let prefix = crate::kinds::storage_prefix(self.r.group, self.r.plural);
            let key = if self.r.namespaced {
                format!("/registry/{prefix}/{ns}/{name}")
            } else {
                format!("/registry/{prefix}/{name}")
            };
            return Err(ApiError::conflict_with(
                &self.resource,
                name,
                format!(
                    "StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: {uid}, UID in object meta: {old_uid}"
                ),
            ));
        }
        let wanted_rv = meta_str(&new, "resourceVersion").to_string();
        if wanted_rv.is_empty()
            && req.method == Method::PUT
            && !self.s.allows_unconditional_update()
        {
            // The generic store's own check, which names the resource (and Go's %#v of 0).
            return Err(ApiError::invalid(
                &self.resource,
                name,
                vec![Cause::invalid_shown(
                    "metadata.resourceVersion",
                    "0x0",
                    "must be specified for an update",
                )],
            ));
        }
        if !wanted_rv.is_empty() && wanted_rv != old.resource_version() {
            return Err(ApiError::conflict(&self.resource, name));
        }
        let old_obj = &old.obj;
        let fields = match tracking {
            Tracking::Update if !self.s.keeps_managed_fields_of_other_groups() => {
                managed::update_dropping_other_groups(
                    kind,
                    Some(old_obj),
                    &mut new,
                    &req.manager,
                    &now(),
                    self.r.group,
                )
            }
            tracking => tracking.fields(kind, Some(old_obj), &mut new, &req.manager, &now()),
        };
        let keep = |new: &mut Value, field: &str| match old_obj.get(field) {
            Some(v) => new[field] = v.clone(),
            None => {
                if let Some(m) = new.as_object_mut() {
                    m.shift_remove(field);
                }
            }
        };
        for field in [
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "resourceVersion",
        ] {
            copy_meta(&mut new, old_obj, field);
        }
        if meta_str(&new, "uid").is_empty() {
            copy_meta(&mut new, old_obj, "uid");
        }
        match sub {
            Some("status") => {
                keep(&mut new, "spec");
                self.s.prepare_status_update(&mut new, old_obj);
            }
            // `/finalize`: the spec's finalizers, nothing of the status.
            Some("finalize") => keep(&mut new, "status"),
            Some(other) => self.s.prepare_subresource_update(other, &mut new, old_obj),
            None => {
                if self.r.has_subresource("status") {
                    keep(&mut new, "status");
                }
                self.s.prepare_update(&mut new, old_obj);
            }
        }
        self.s.default(&mut new);
        {
            let meta = meta_mut(&mut new);
            meta.remove("selfLink");
            meta.remove("managedFields");
            if self.r.namespaced {
                meta.insert("namespace".into(), json!(ns));
            }
        }
        // `ValidateObjectMetaUpdate`, run twice: by the generic update checks and by the kind's
        // (each cause listed twice, its text once in the message).
        let mut meta_update = Vec::new();
        if wanted_rv.is_empty() && req.method == Method::PUT && self.s.requires_resource_version() {
            meta_update.push(Cause::invalid(
                "metadata.resourceVersion",
                &json!(""),
                "must be specified for an update",
            ));
        }
        if meta_str(&new, "uid") != meta_str(old_obj, "uid") {
            meta_update.push(Cause::invalid(
                "metadata.uid",
                &json!(meta_str(&new, "uid")),
                "field is immutable",
            ));
        }
        let mut causes = meta_update.clone();
        causes.extend(meta_update);
        causes.extend(strategy::validate_meta(&new, self.s.name_rule()));
        match sub {
            Some("status") => causes.extend(self.s.validate_status(&new, old_obj)),
            Some(other) => causes.extend(self.s.validate_subresource(other, &new, old_obj)),
            None => {
                causes.extend(self.s.validate(&new));
                causes.extend(self.s.validate_update(&new, old_obj));
            }
        }
        if !causes.is_empty() {
            return Err(ApiError::invalid(&self.kind, name, causes));
        }
        let candidate = encode_body(kind, &new, false);
        let mut new: Value = serde_json::from_slice(&candidate).unwrap_or(new);
        let of_object = sub.is_none();
        if of_object {
            self.s.compare_update(&mut new, old_obj);
        }
        // Any change of the spec (as stored) is a new generation.
        if self.s.tracks_generation() && of_object && self.s.generation_changed(&new, old_obj) {
            let g = old_obj
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            set_meta(&mut new, "generation", json!(g + 1));
        }
        set_managed_fields(&mut new, fields.filter(|_| self.s.tracks_managed_fields()));
        if new == **old_obj {
            return Ok(reply_stored(&old, kind, req.pretty));
        }
        if req.dry_run {
            return Ok(reply_stored(&finish(kind, new), kind, req.pretty));
        }
        set_meta(&mut new, "resourceVersion", json!(store.next_revision()));
        // Canonical already (decoded from its encoding above, then only the managedFields, the
        // generation and the resourceVersion set): encoded once, not parsed back.
        let stored = canonical(kind, new);
        let reply = reply_stored(&stored, kind, req.pretty);
        // Being deleted with no period left (`ShouldDeleteDuringUpdate`: not a pod waiting for
        // its kubelet) and no finalizer left: gone now.
        let gone = !meta_str(&stored.obj, "deletionTimestamp").is_empty()
            && old_obj
                .pointer("/metadata/deletionGracePeriodSeconds")
                .and_then(Value::as_i64)
                == Some(0)
            && stored
                .obj
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .is_none_or(|f| f.is_empty());
        if gone {
            store.objects.remove(&key);
            store.emit(
                EventType::Deleted,
                self.r.plural,
                stored.obj.clone(),
                Some(old.obj.clone()),
            );
        } else {
            store.emit(
                EventType::Modified,
                self.r.plural,
                stored.obj.clone(),
                Some(old.obj.clone()),
            );
            store.objects.insert(key.clone(), Arc::new(stored));
            self.settle(&mut store, key);
        }
        Ok(reply)
    }

    /// A delete: an object with finalizers (its own, or the one `propagationPolicy` asks for) is
    /// marked for deletion and answered; any other is removed, answered with a `Status` (or itself,
    /// for a kind that returns the deleted object).
    fn delete(&self, app: &App, req: &Req, ns: &str, name: &str) -> Result<Reply> {
        let options = delete_options(req)?;
        let mut store = app.store();
        let key = self.key(ns, name);
        let stored = store
            .objects
            .get(&key)
            .map(|s| self.view(s))
            .ok_or_else(|| self.not_found(name))?;
        self.check_preconditions(&options, name, &stored)?;
        let before = stored.clone();
        let mut obj = (*stored.obj).clone();
        // A body's DeleteOptions replace the query's (kube-apiserver reads one or the other).
        let policy = if req.body.is_empty() {
            req.propagation_policy.as_deref()
        } else {
            options.get("propagationPolicy").and_then(Value::as_str)
        };
        if self.s.deletes_namespace_contents() {
            return Ok(self.delete_namespace(&mut store, req, &options, policy, name, obj));
        }
        let orphan = options.get("orphanDependents").and_then(Value::as_bool) == Some(true);
        let orphan_option = options.get("orphanDependents").and_then(Value::as_bool);
        let added = match policy {
            Some("Orphan") => Some("orphan"),
            Some("Foreground") => Some("foregroundDeletion"),
            None if orphan || orphan_option.is_none() && self.s.orphans_by_default() => {
                Some("orphan")
            }
            _ => None,
        };
        let mut finalizers: Vec<Value> = obj
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some(f) = added
            && !finalizers.contains(&json!(f))
        {
            finalizers.push(json!(f));
        }
        let requested = req
            .grace_period
            .or_else(|| options.get("gracePeriodSeconds").and_then(Value::as_i64));
        // BeforeDelete of a graceful kind: marked to go when its period is over; one marked
        // already keeps its mark unless the request asks for a shorter period.
        let mut grace = None;
        if let Some(wanted) = self.s.grace_period(&obj, requested) {
            let marked = meta_str(&obj, "deletionTimestamp");
            let period = obj
                .pointer("/metadata/deletionGracePeriodSeconds")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let at = if marked.is_empty() {
                Some((SystemTime::now(), wanted))
            } else if period == 0 {
                None
            } else {
                match (requested, humantime::parse_rfc3339(marked)) {
                    (Some(shorter), Ok(at)) if shorter < period => {
                        let start = at - Duration::from_secs(period.max(0) as u64);
                        Some((start, shorter))
                    }
                    // Already pending: answered as it is.
                    _ => return Ok(reply_stored(&stored, self.ty, req.pretty)),
                }
            };
            if let Some((start, period)) = at {
                let at = start + Duration::from_secs(period.max(0) as u64);
                let at = humantime::format_rfc3339_seconds(at).to_string();
                set_meta(&mut obj, "deletionTimestamp", json!(at));
                set_meta(&mut obj, "deletionGracePeriodSeconds", json!(period));
                grace = Some(period);
            }
        }
        if finalizers.is_empty() && grace == Some(0) {
            // Graceful with no period left: written marked, then removed (one revision here).
            if req.dry_run {
                return Ok(Reply::Object(StatusCode::OK, self.ty, obj));
            }
            store.remove_as(&key, &mut obj, before.obj.clone());
            return Ok(Reply::Object(StatusCode::OK, self.ty, obj));
        }
        if !finalizers.is_empty() || grace.is_some() {
            // Kept until its finalizers are removed or its period is over: marked, and answered as
            // it now is.
            if !finalizers.is_empty() {
                set_meta(&mut obj, "finalizers", json!(finalizers));
            }
            if meta_str(&obj, "deletionTimestamp").is_empty() {
                set_meta(&mut obj, "deletionTimestamp", json!(now()));
                set_meta(&mut obj, "deletionGracePeriodSeconds", json!(0));
                // BeforeDelete: an object with a generation gets a new one.
                if let Some(g) = obj
                    .pointer("/metadata/generation")
                    .and_then(Value::as_i64)
                    .filter(|g| *g > 0)
                {
                    set_meta(&mut obj, "generation", json!(g + 1));
                }
            }
            if req.dry_run {
                return Ok(Reply::Object(StatusCode::OK, self.ty, obj));
            }
            set_meta(&mut obj, "resourceVersion", json!(store.next_revision()));
            let stored = finish(self.ty, obj);
            let reply = reply_stored(&stored, self.ty, req.pretty);
            store.emit(
                EventType::Modified,
                self.r.plural,
                stored.obj.clone(),
                Some(before.obj.clone()),
            );
            store.objects.insert(key, Arc::new(stored));
            return Ok(reply);
        }
        if !req.dry_run {
            // The answer is the object as it was; the deletion's event has its revision.
            store.remove_as(&key, &mut obj.clone(), before.obj.clone());
        }
        if self.s.returns_deleted_object() {
            return Ok(Reply::Object(StatusCode::OK, self.ty, obj));
        }
        let mut details = serde_json::Map::new();
        details.insert("name".into(), json!(name));
        if !self.r.group.is_empty() {
            details.insert("group".into(), json!(self.r.group));
        }
        details.insert("kind".into(), json!(self.r.plural));
        details.insert("uid".into(), json!(meta_str(&obj, "uid")));
        let status = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": details
        });
        Ok(Reply::Object(StatusCode::OK, "Status", status))
    }

    /// The preconditions of `DeleteOptions` (uid, then resourceVersion) against the stored object,
    /// as `BeforeDelete` words a failure (naming the kind), or a namespace's storage (naming the
    /// resource).
    fn check_preconditions(&self, options: &Value, name: &str, stored: &Stored) -> Result<()> {
        let Some(pre) = options.get("preconditions") else {
            return Ok(());
        };
        let ns_style = self.s.deletes_namespace_contents();
        let named = if ns_style { &self.resource } else { &self.kind };
        let (uid, rv) = (meta_str(&stored.obj, "uid"), stored.resource_version());
        let why = if let Some(want) = pre.get("uid").and_then(Value::as_str)
            && want != uid
        {
            if ns_style {
                format!(
                    "Precondition failed: UID in precondition: {want}, UID in object meta: {uid}"
                )
            } else {
                format!(
                    "the UID in the precondition ({want}) does not match the UID in record ({uid}). The object might have been deleted and then recreated"
                )
            }
        } else if let Some(want) = pre.get("resourceVersion").and_then(Value::as_str)
            && want != rv
        {
            if ns_style {
                format!(
                    "Precondition failed: ResourceVersion in precondition: {want}, ResourceVersion in object meta: {rv}"
                )
            } else {
                format!(
                    "the ResourceVersion in the precondition ({want}) does not match the ResourceVersion in record ({rv}). The object might have been modified"
                )
            }
        } else {
            return Ok(());
        };
        Err(ApiError::conflict_with(named, name, why))
    }

    /// The delete of a namespace (its storage's own): marked for deletion and `Terminating`, the
    /// `orphan` and `foregroundDeletion` finalizers as the options ask, and answered so; then
    /// the namespace controller's work, done at once: its contents and the namespace removed.
    fn delete_namespace(
        &self,
        store: &mut Store,
        req: &Req,
        options: &Value,
        policy: Option<&str>,
        name: &str,
        mut obj: Value,
    ) -> Reply {
        if meta_str(&obj, "deletionTimestamp").is_empty() {
            set_meta(&mut obj, "deletionTimestamp", json!(now()));
        }
        self.s.prepare_delete(&mut obj);
        let mut finalizers = strategy::strings(obj.pointer("/metadata/finalizers"));
        let orphan_option = options.get("orphanDependents").and_then(Value::as_bool);
        let mut changed = false;
        for (f, wanted) in [
            ("orphan", orphan_option.or(policy.map(|p| p == "Orphan"))),
            (
                "foregroundDeletion",
                orphan_option
                    .map(|_| false)
                    .or(policy.map(|p| p == "Foreground")),
            ),
        ] {
            let has = finalizers.iter().any(|x| x == f);
            match wanted {
                Some(true) if !has => finalizers.push(f.to_string()),
                Some(false) if has => finalizers.retain(|x| x != f),
                _ => continue,
            }
            changed = true;
        }
        if changed {
            set_meta(&mut obj, "finalizers", json!(finalizers));
        }
        if !req.dry_run {
            store.delete_namespace(name, &mut obj);
        }
        Reply::Object(StatusCode::OK, self.ty, obj)
    }

    /// A delete collection: each object the label selector matches, deleted as a DELETE of it
    /// would; the answer is the list as it was before.
    fn delete_collection(&self, app: &App, req: &Req, ns: &str) -> Result<Reply> {
        let listed = self.list(app, req, Some(ns))?;
        let selector = parse_selector(req, self.r.kind)?;
        let names: Vec<String> = app
            .store()
            .objects
            .iter()
            .filter(|((res, ons, _), s)| {
                *res == self.r.plural && ons == ns && selector.matches(&s.obj)
            })
            .map(|((_, _, name), _)| name.clone())
            .collect();
        for name in names {
            match self.delete(app, req, ns, &name) {
                Err(e) if e.code == 404 => {}
                other => {
                    other?;
                }
            }
        }
        Ok(listed)
    }
}
