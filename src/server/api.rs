//! HTTP handling: routing, request decoding, the pod subresources beyond the generic registry
//! (binding, eviction, the kubelet's), and response encoding; every resource's own flows are the
//! generic registry's (`registry`).

mod access_review;
mod bootstrap;
mod registry;
mod token_request;
mod token_review;
mod watch;

use super::managed;
use super::patch::{self, Failure, PatchType, Stack};
use super::schema;
use super::status::{ApiError, Cause};
use super::store::{EventType, Store, Stored};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::SystemTime;

/// The largest request body the real server accepts (3 MiB); larger ones get 413.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Server state: a new server's holds what the real one makes of itself at start (`bootstrap`).
pub struct App {
    store: Mutex<Store>,
}

impl Default for App {
    fn default() -> App {
        let mut store = Store::default();
        bootstrap::seed(&mut store);
        App {
            store: Mutex::new(store),
        }
    }
}

impl App {
    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock would be a bug; the store itself is always consistent because
        // every write replaces whole objects, so recover the guard rather than fail every later request.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::disable())
        .with_state(app)
}

/// A user the request impersonates, with the groups it names and `system:authenticated`, as the
/// real server's impersonation filter makes them.
#[derive(Clone)]
pub(super) struct Impersonated {
    pub user: String,
    pub groups: Vec<String>,
}

impl Impersonated {
    /// From the request's headers; the real filter's 500 for groups without a user.
    fn from_headers(headers: &HeaderMap, path: &str) -> std::result::Result<Option<Self>, String> {
        let values = |name: &str| -> Vec<String> {
            headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_string)
                .collect()
        };
        let (users, mut groups) = (values("impersonate-user"), values("impersonate-group"));
        let Some(user) = users.into_iter().next() else {
            if groups.is_empty() {
                return Ok(None);
            }
            let shown: Vec<String> = groups
                .iter()
                .map(|g| format!("{{Group  {g}    }}"))
                .collect();
            return Err(format!(
                "Internal Server Error: {path:?}: requested [{}] without impersonating a user\n",
                shown.join(" ")
            ));
        };
        if user != "system:anonymous" && !groups.iter().any(|g| g == "system:authenticated") {
            groups.push("system:authenticated".into());
        }
        Ok(Some(Impersonated { user, groups }))
    }
}

/// What one request asks for, parsed once.
struct Req {
    method: Method,
    pretty: bool,
    dry_run: bool,
    manager: String,
    content_type: Option<String>,
    grace_period: Option<i64>,
    label_selector: Option<String>,
    field_selector: Option<String>,
    /// Who the request acts as (`Impersonate-User`, `Impersonate-Group`: kubectl's `--as`), if not
    /// the admin every other request is.
    impersonated: Option<Impersonated>,
    /// `limit` and `continue` of a list.
    limit: Option<usize>,
    continue_token: Option<String>,
    /// The `propagationPolicy` query parameter (a body's `DeleteOptions` may say it too).
    propagation_policy: Option<String>,
    /// `force` of a server-side apply.
    force: bool,
    body: Bytes,
}

/// The content type of a server-side apply patch.
const APPLY_PATCH: &str = "application/apply-patch+yaml";

/// The user the reference server takes every request without impersonation for, as the real
/// server of the live tests authenticates its token: `admin`, a member of `system:masters`.
const ADMIN: (&str, &str) = ("admin", "admin-uid");
static ADMIN_GROUPS: LazyLock<[String; 2]> =
    LazyLock::new(|| ["system:masters".into(), "system:authenticated".into()]);

impl Req {
    /// Who makes the request: the user it impersonates, else the admin.
    fn requester(&self) -> super::strategy::Requester<'_> {
        match &self.impersonated {
            Some(i) => super::strategy::Requester {
                name: &i.user,
                uid: "",
                groups: &i.groups,
            },
            None => super::strategy::Requester {
                name: ADMIN.0,
                uid: ADMIN.1,
                groups: ADMIN_GROUPS.as_slice(),
            },
        }
    }

    /// Whether this is a server-side apply (a PATCH of `application/apply-patch+yaml`).
    fn is_apply(&self) -> bool {
        self.method == Method::PATCH
            && patch::media_type(self.content_type.as_deref().unwrap_or("")) == APPLY_PATCH
    }
}

/// How the managedFields of a write come about: from the field manager's `Update` of the live
/// and the new object, or already computed by an apply.
enum Tracking {
    Update,
    Applied(Option<Value>),
}

impl Tracking {
    /// The managedFields of `new` (taken out of it), written by `manager`.
    fn fields(
        &self,
        kind: &str,
        live: Option<&Value>,
        new: &mut Value,
        manager: &str,
        now: &str,
    ) -> Option<Value> {
        match self {
            Tracking::Update => managed::update(kind, live, new, manager, now),
            Tracking::Applied(fields) => {
                if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.shift_remove("managedFields");
                }
                fields.clone()
            }
        }
    }
}

/// A successful answer: an object of a schema type, or its compact encoding already made.
enum Reply {
    Object(StatusCode, &'static str, Value),
    Cached(StatusCode, Bytes),
}

type Result<T> = std::result::Result<T, ApiError>;

async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let pretty = is_pretty(&query, &parts.headers);
    let body = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            let e = e.into_inner();
            let err = if e.is::<http_body_util::LengthLimitError>() {
                ApiError::too_large(MAX_BODY_BYTES)
            } else {
                // A body cut short or unreadable: the real server passes the read error on.
                ApiError::internal("unexpected EOF")
            };
            return error_response(&err, pretty);
        }
    };
    let params = parse_query(&query);
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let user_agent = header_str(&parts.headers, header::USER_AGENT).unwrap_or("");
    let options_kind = match parts.method {
        Method::POST => Some("CreateOptions"),
        Method::PUT => Some("UpdateOptions"),
        Method::PATCH => Some("PatchOptions"),
        Method::DELETE => Some("DeleteOptions"),
        _ => None,
    };
    let dry_run = match (param("dryRun"), options_kind) {
        (None, _) | (_, None) => false,
        (Some("All"), _) => true,
        (Some(other), Some(options_kind)) => {
            let cause =
                Cause::not_supported_shown("dryRun", &format!("[]string{{{other:?}}}"), &["All"]);
            return error_response(&ApiError::invalid_option(options_kind, cause), pretty);
        }
    };
    let content_type = header_str(&parts.headers, header::CONTENT_TYPE).map(str::to_string);
    let impersonated = match Impersonated::from_headers(&parts.headers, &path) {
        Ok(i) => i,
        Err(text) => {
            let mut resp = Response::new(Body::from(text));
            *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return resp;
        }
    };
    // As the real parameter decoding reads a boolean: anything but `0` or `false` is true.
    let force = param("force").is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"));
    let req = Req {
        method: parts.method.clone(),
        pretty,
        dry_run,
        manager: managed::manager_name(param("fieldManager"), user_agent),
        content_type,
        force,
        grace_period: param("gracePeriodSeconds").and_then(|g| g.parse().ok()),
        label_selector: param("labelSelector").map(str::to_string),
        field_selector: param("fieldSelector").map(str::to_string),
        limit: param("limit").and_then(|l| l.parse().ok()),
        continue_token: param("continue").map(str::to_string),
        propagation_policy: param("propagationPolicy").map(str::to_string),
        impersonated,
        body,
    };

    if req.method == Method::GET && path == "/openapi/v2" {
        let accept = header_str(&parts.headers, header::ACCEPT).unwrap_or("");
        let (body, content_type) = super::discovery::openapi(accept);
        let mut resp = Response::new(Body::from(Bytes::from_static(body)));
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        return resp;
    }
    if req.method == Method::GET {
        let host = header_str(&parts.headers, header::HOST).unwrap_or("127.0.0.1");
        if let Some(doc) = super::discovery::document(&path, host) {
            return json_response(StatusCode::OK, encode_value(&doc, pretty));
        }
    }
    if req.method == Method::GET
        && matches!(
            path.as_str(),
            "/openid/v1/jwks" | "/.well-known/openid-configuration"
        )
    {
        let host = header_str(&parts.headers, header::HOST).unwrap_or("127.0.0.1");
        return openid(&path, host);
    }
    let core = path == "/api/v1" || path.starts_with("/api/v1/");
    if !core && !path.starts_with("/apis/") {
        if path.starts_with("/api/") || path.starts_with("/apis") {
            return error_response(&ApiError::no_route(), pretty);
        }
        return non_api(&path, pretty);
    }
    // The path as the kind table reads it (a trailing slash aside, as before).
    let trimmed = path.trim_end_matches('/');
    let api = crate::kinds::parse_path(trimmed);
    // The PatchOptions of a patch of an object (a collection takes no PATCH: 405 first).
    if req.method == Method::PATCH
        && api
            .as_ref()
            .is_some_and(|a| a.name.is_some() && a.resource.is_some())
    {
        let media = patch::media_type(req.content_type.as_deref().unwrap_or(""));
        let cause = if media == APPLY_PATCH {
            param("fieldManager")
                .filter(|m| !m.is_empty())
                .is_none()
                .then(|| Cause::required_because("fieldManager", "is required for apply patch"))
        } else if PatchType::from_content_type(media).is_some() && param("force").is_some() {
            Some(Cause::forbidden(
                "force",
                "may not be specified for non-apply patch",
            ))
        } else {
            None
        };
        if let Some(cause) = cause {
            return error_response(&ApiError::invalid_option("PatchOptions", cause), req.pretty);
        }
    }
    // A watch of a resource served here.
    let watching =
        api.as_ref().is_some_and(|a| a.watch) || matches!(param("watch"), Some("true" | "1"));
    // An impersonated user is authorized first, by RBAC (every other request is the admin's).
    if let (Some(who), Some(a)) = (&req.impersonated, &api)
        && let Err(e) = authorize(&app, &req.method, who, a, watching)
    {
        return error_response(&e, pretty);
    }
    if watching
        && req.method == Method::GET
        && let Some(a) = &api
        && let Some(r) = a.resource.filter(|r| {
            (r.group.is_empty() && matches!(r.kind, "Pod" | "Namespace"))
                || super::strategy::for_kind(r.group, r.kind).is_some()
        })
        && a.subresource.is_none()
        && let Some(ty) = schema::type_for(r.group, r.version, r.kind)
    {
        let accept = header_str(&parts.headers, header::ACCEPT).unwrap_or("");
        let namespace = a.namespace.map(percent_decode);
        let (namespace, name) = if r.kind == "Namespace" {
            (None, a.name.map(percent_decode))
        } else {
            (namespace, a.name.map(percent_decode))
        };
        return watch::serve(
            &app,
            &req,
            watch::WatchRequest {
                resource: r.plural,
                kind: r.kind,
                ty,
                api_version: r.api_version,
                namespace,
                name,
                resource_version: param("resourceVersion"),
                timeout: param("timeoutSeconds").and_then(|t| t.parse().ok()),
                table: super::table::wanted(accept),
                include: super::table::Include::from_query(param("includeObject")),
                bookmarks: matches!(param("allowWatchBookmarks"), Some("true" | "1")),
            },
        );
    }
    let result = match &api {
        Some(api) => route(&app, &req, api),
        None => Err(ApiError::no_route()),
    };
    // Table output of a read of a kind the printers know (else the object or list as it is).
    let accept = header_str(&parts.headers, header::ACCEPT).unwrap_or("");
    let result = match (result, &api) {
        (Ok(reply), Some(api)) if req.method == Method::GET && super::table::wanted(accept) => {
            let include = super::table::Include::from_query(param("includeObject"));
            Ok(as_table(reply, api.plural.unwrap_or(""), include))
        }
        (result, _) => result,
    };
    let mut response = match result {
        Ok(Reply::Cached(code, bytes)) => json_response(code, bytes),
        Ok(Reply::Object(code, kind, v)) => {
            json_response(code, Bytes::from(encode_body(kind, &v, req.pretty)))
        }
        Err(e) => error_response(&e, req.pretty),
    };
    // A deprecated kind's every answer carries the deprecation warning (from its handler: not a
    // method the resource has no handler for).
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        && let Some(r) = api.as_ref().and_then(|a| a.resource)
        && let Some(w) = crate::kinds::lifecycle::deprecation_warning(r.group, r.version, r.kind)
        && let Ok(v) = HeaderValue::from_str(&w)
    {
        response.headers_mut().insert(header::WARNING, v);
    }
    response
}

/// A successful read as a Table, when the printers know the resource.
fn as_table(reply: Reply, plural: &str, include: super::table::Include) -> Reply {
    let value = match &reply {
        Reply::Object(_, _, v) => v.clone(),
        Reply::Cached(_, bytes) => match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(_) => return reply,
        },
    };
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"));
    let (objects, rv): (Vec<&Value>, &str) = if is_list {
        (
            value
                .get("items")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            value
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or(""),
        )
    } else {
        (vec![&value], meta_str(&value, "resourceVersion"))
    };
    match super::table::table(plural, &objects, rv, include) {
        Some(t) => Reply::Object(StatusCode::OK, schema::AS_BUILT, t),
        None => reply,
    }
}

/// The service-account issuer's discovery (`/.well-known/openid-configuration`) and keys
/// (`/openid/v1/jwks`), compact and cacheable as the real server sends them.
fn openid(path: &str, host: &str) -> Response {
    let (doc, content_type) = if path == "/openid/v1/jwks" {
        match super::token::jwks() {
            Ok(keys) => (keys, "application/jwk-set+json"),
            Err(e) => return error_response(&ApiError::internal(e), false),
        }
    } else {
        (super::token::openid_configuration(host), "application/json")
    };
    let mut resp = Response::new(Body::from(serde_json::to_vec(&doc).unwrap_or_default()));
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}

/// Paths outside the API: health checks, `/version`, and the real server's 404 listing of paths.
fn non_api(path: &str, pretty: bool) -> Response {
    match path {
        "/healthz" | "/readyz" | "/livez" => text(StatusCode::OK, "ok"),
        "/version" => json_response(
            StatusCode::OK,
            encode_value(&super::discovery::version(), pretty),
        ),
        _ => {
            let paths =
                json!({"paths": ["/api", "/api/v1", "/healthz", "/livez", "/readyz", "/version"]});
            json_response(StatusCode::NOT_FOUND, encode_value(&paths, pretty))
        }
    }
}

/// Routes by the kind table's reading of the path (`kinds::parse_path`): the resource, its
/// namespace, the object's name and the subresource; what the model does not serve is the real
/// server's 404, a verb it does not serve there its 405.
fn route(app: &App, req: &Req, api: &crate::kinds::ApiPath) -> Result<Reply> {
    use Method as M;
    if api.watch {
        return Err(ApiError::no_route());
    }
    let decoded = |s: Option<&str>| s.map(percent_decode);
    let (ns, name) = (decoded(api.namespace), decoded(api.name));
    let (ns, name) = (ns.as_deref(), name.as_deref());
    if let (Some("serviceaccounts"), "", Some(ns), Some(name), Some("token")) =
        (api.plural, api.group, ns, name, api.subresource)
    {
        return token_request::create(app, req, ns, name);
    }
    let review_version = match api.version {
        Some("v1") => Some("v1"),
        Some("v1beta1") => Some("v1beta1"),
        _ => None,
    };
    if let Some(version) = review_version
        && name.is_none()
        && api.subresource.is_none()
    {
        match (api.group, api.plural, ns) {
            ("authorization.k8s.io", Some("localsubjectaccessreviews"), Some(ns)) => {
                return access_review::subject(app, req, version, Some(ns));
            }
            ("authorization.k8s.io", Some("subjectaccessreviews"), None) => {
                return access_review::subject(app, req, version, None);
            }
            ("authorization.k8s.io", Some("selfsubjectaccessreviews"), None) => {
                return access_review::self_subject(app, req, version);
            }
            ("authorization.k8s.io", Some("selfsubjectrulesreviews"), None) => {
                return access_review::self_rules(app, req, version);
            }
            ("authentication.k8s.io", Some("tokenreviews"), None) => {
                return token_review::create(app, req, version);
            }
            _ => {}
        }
    }
    if api.group.is_empty() && api.version == Some("v1") {
        match (api.plural, ns, name, api.subresource, &req.method) {
            (Some("bindings"), Some(ns), None, None, &M::POST) => {
                return bind_pod(app, req, ns, None);
            }
            (Some("bindings"), Some(_), None, None, _) => {
                return Err(ApiError::method_not_allowed());
            }
            (Some("pods"), Some(ns), Some(name), Some("binding"), &M::POST) => {
                return bind_pod(app, req, ns, Some(name));
            }
            (Some("pods"), Some(ns), Some(name), Some("eviction"), &M::POST) => {
                return evict_pod(app, req, ns, name);
            }
            (Some("pods"), Some(_), Some(_), Some("binding" | "eviction"), _) => {
                return Err(ApiError::method_not_allowed());
            }
            (Some("pods"), Some(ns), Some(name), Some(sub), m)
                if matches!(sub, "log" | "exec" | "attach" | "portforward" | "proxy")
                    || sub.starts_with("proxy/") =>
            {
                return connect_pod(app, ns, name, sub, m);
            }
            _ => {}
        }
    }
    if let Some(r) = api.resource
        && let Some(strategy) = super::strategy::for_kind(r.group, r.kind)
    {
        return registry::handle(app, req, r, strategy, ns, name, api.subresource);
    }
    if api.version != Some("v1") || !api.group.is_empty() {
        return Err(ApiError::no_route());
    }
    match (api.plural, ns, name, api.subresource, &req.method) {
        (Some("componentstatuses"), None, None, None, &M::GET) => Ok(Reply::Object(
            StatusCode::OK,
            "ComponentStatusList",
            json!({"kind": "ComponentStatusList", "apiVersion": "v1", "metadata": {},
                   "items": component_statuses().into_iter().map(|c| list_item(&c)).collect::<Vec<_>>()}),
        )),
        (Some("componentstatuses"), None, Some(n), None, &M::GET) => component_statuses()
            .into_iter()
            .find(|c| meta_str(c, "name") == n)
            .map(|c| Reply::Object(StatusCode::OK, "ComponentStatus", c))
            // The real registry's answer for an unknown component: a reason-less 500.
            .ok_or_else(|| ApiError::internal(format!("Component not found: {n}"))),
        (Some("componentstatuses"), None, _, None, _) => Err(ApiError::method_not_allowed()),
        _ => Err(ApiError::no_route()),
    }
}

/// The RBAC authorizer's decision for an impersonated user's resource request, as the real
/// authorization filter answers a refusal (403, naming the verb, the resource and the scope).
fn authorize(
    app: &App,
    method: &Method,
    who: &Impersonated,
    api: &crate::kinds::ApiPath,
    watching: bool,
) -> Result<()> {
    let Some(plural) = api.plural else {
        return Ok(());
    };
    let name = api.name.map(percent_decode).unwrap_or_default();
    let verb = match *method {
        Method::GET | Method::HEAD if watching => "watch",
        Method::GET | Method::HEAD if api.name.is_some() => "get",
        Method::GET | Method::HEAD => "list",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if api.name.is_some() => "delete",
        Method::DELETE => "deletecollection",
        _ => return Ok(()),
    };
    // A namespace's own requests are in that namespace.
    let namespace = match (api.group, plural, api.namespace) {
        ("", "namespaces", None) => name.clone(),
        (_, _, ns) => ns.map(percent_decode).unwrap_or_default(),
    };
    let subresource = api.subresource.unwrap_or("");
    let request = super::rbac::Request::Resource {
        namespace: &namespace,
        verb,
        group: api.group,
        resource: plural,
        subresource,
        name: &name,
    };
    let user = super::rbac::User {
        name: &who.user,
        groups: &who.groups,
    };
    let (allowed, reason) = super::rbac::authorize(&app.store(), &user, &request);
    if allowed {
        return Ok(());
    }
    let shown = if subresource.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}/{subresource}")
    };
    let scope = if namespace.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace {namespace:?}")
    };
    let mut why = format!(
        "User {:?} cannot {verb} resource {shown:?} in API group {:?} {scope}",
        who.user, api.group
    );
    if !reason.is_empty() {
        why = format!("{why}: {reason}");
    }
    let qualified = if api.group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{}", api.group)
    };
    Err(ApiError::forbidden(&qualified, &name, &why))
}

/// The component statuses a bare kube-apiserver v1.20.2 reports (no controller manager or
/// scheduler, a healthy etcd), as the real server of the live tests answers them.
fn component_statuses() -> Vec<Value> {
    let unhealthy = |name: &str, port: u16| {
        json!({"kind": "ComponentStatus", "apiVersion": "v1",
        "metadata": {"name": name, "creationTimestamp": null},
        "conditions": [{"type": "Healthy", "status": "False", "message": format!(
            "Get \"http://127.0.0.1:{port}/healthz\": dial tcp 127.0.0.1:{port}: connect: connection refused"
        )}]})
    };
    vec![
        unhealthy("controller-manager", 10252),
        unhealthy("scheduler", 10251),
        json!({"kind": "ComponentStatus", "apiVersion": "v1",
               "metadata": {"name": "etcd-0", "creationTimestamp": null},
               "conditions": [{"type": "Healthy", "status": "True", "message": "{\"health\":\"true\"}"}]}),
    ]
}

/// The object a server-side apply makes of the live one (`None`: there is none) and the applied
/// configuration, defaulted as decoding defaults it, and its managedFields.
fn applied_object(
    req: &Req,
    type_name: &str,
    kind: &str,
    api_version: &str,
    live: Option<&Value>,
    config: &Value,
) -> Result<(Value, Option<Value>)> {
    let now = now();
    let applied = managed::apply(&managed::ApplyRequest {
        type_name,
        kind,
        api_version,
        live,
        config,
        manager: &req.manager,
        force: req.force,
        now: &now,
    })?;
    // As the field manager converts the merged object back to the typed one.
    let obj = schema::decode(type_name, &applied.object).map_err(|e| {
        ApiError::internal(format!("failed to convert new typed object to object: {e}"))
    })?;
    Ok((obj, applied.managed_fields))
}

/// What an apply that creates the object checks of it first: no uid (there is no object to have
/// it), and no resourceVersion (the create ignores it).
fn apply_creates(obj: &mut Value, resource: &str, name: &str) -> Result<()> {
    let uid = meta_str(obj, "uid");
    if !uid.is_empty() {
        return Err(ApiError::conflict_with(
            resource,
            name,
            format!(
                "uid mismatch: the provided object specified uid {uid}, and no existing object was found"
            ),
        ));
    }
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.shift_remove("resourceVersion");
    }
    Ok(())
}

/// The body of a server-side apply: YAML (or JSON) of an object.
fn decode_apply(req: &Req) -> Result<Value> {
    let text = std::str::from_utf8(&req.body).map_err(|_| {
        ApiError::bad_request(
            "error decoding YAML: error converting YAML to JSON: yaml: invalid leading UTF-8 octet",
        )
    })?;
    // JSON is YAML too, with every key quoted (so no key is read as a boolean).
    if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) {
        return Ok(go_number(Value::Object(m)));
    }
    let value: Value = serde_saphyr::from_str(text).map_err(|e| {
        ApiError::bad_request(format!(
            "error decoding YAML: error converting YAML to JSON: yaml: {}",
            go_yaml_error(&e.to_string())
        ))
    })?;
    match go_number(go_yaml_keys(value)) {
        Value::Null => Ok(Value::Object(Map::new())),
        Value::Object(m) => Ok(Value::Object(m)),
        other => Err(ApiError::bad_request(format!(
            "error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        ))),
    }
}

/// A number as Go's decoding into `interface{}` holds it: a float64, so a whole number written
/// `1.0` is the number `1` (and shows as `1`).
fn go_number(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, go_number(v))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(go_number).collect()),
        other => other,
    }
}

/// Mapping keys as go-yaml v2 (YAML 1.1) reads them and sigs.k8s.io/yaml writes them into JSON:
/// `y`, `yes`, `on` (and `n`, `no`, `off`, in their spellings) are booleans, so `true` and
/// `false`. (A quoted key is not told apart: it is read the same.)
fn go_yaml_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let k = match k.as_str() {
                        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "True"
                        | "TRUE" => "true".into(),
                        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "False"
                        | "FALSE" => "false".into(),
                        _ => k,
                    };
                    (k, go_yaml_keys(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(go_yaml_keys).collect()),
        other => other,
    }
}

/// A YAML syntax error, worded as go-yaml words the common ones.
fn go_yaml_error(saphyr: &str) -> String {
    let first = saphyr.lines().next().unwrap_or("");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let line = first
        .strip_prefix("line ")
        .and_then(|r| r.split(' ').next())
        .unwrap_or("1");
    let what = first.split_once(": ").map_or(first, |(_, w)| w);
    if what.contains("unclosed bracket") {
        format!("line {line}: did not find expected ',' or ']'")
    } else if what.contains("unclosed brace") {
        format!("line {line}: did not find expected ',' or '}}'")
    } else {
        format!("line {line}: {what}")
    }
}

// ---------------------------------------------------------------------------------------------------
// Pods

/// What every create checks of its body first (a namespace other than the request's, a
/// resourceVersion), and the name it creates: the given one, else `generateName` and a suffix.
fn name_to_create(obj: &Value, ns: &str, namespaced: bool) -> Result<String> {
    let body_ns = meta_str(obj, "namespace");
    if namespaced && !body_ns.is_empty() && body_ns != ns {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    if !meta_str(obj, "resourceVersion").is_empty() {
        return Err(ApiError::internal(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    let name = meta_str(obj, "name");
    let generate = meta_str(obj, "generateName");
    Ok(if name.is_empty() && !generate.is_empty() {
        format!("{generate}{}", random_suffix())
    } else {
        name.to_string()
    })
}

/// The object `current` of `type_name` with the request's patch applied, decoded and defaulted
/// (`default`): on the worker's stack, or, for a JSON Patch that nests deeper than it can follow,
/// again on a thread of its own with a large stack.
fn patched_object(
    req: &Req,
    kind: PatchType,
    type_name: &'static str,
    current: &Value,
    ns: &str,
    name: &str,
    default: &(dyn Fn(&mut Value) + Sync),
) -> Result<Value> {
    let on = |stack| patched_on(stack, req, kind, type_name, current, ns, name, default);
    match on(Stack::Small) {
        Err(Failure::NeedsLargeStack) => on_large_stack(|| {
            on(Stack::Large).map_err(|f| match f {
                Failure::Api(e) => e,
                Failure::NeedsLargeStack => ApiError::internal("patch nested too deeply"),
            })
        }),
        Err(Failure::Api(e)) => Err(e),
        Ok(obj) => Ok(obj),
    }
}

/// Runs `f` on a new thread with a stack of [`patch::LARGE_STACK_BYTES`] and waits for it.
fn on_large_stack<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("apiconform-deep-patch".into())
            .stack_size(patch::LARGE_STACK_BYTES)
            .spawn_scoped(scope, f)
            .map_err(|e| ApiError::internal(format!("cannot start a thread: {e}")))?;
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// [`patched_object`] on `stack`. Everything that walks the patched document happens here, on the
/// stack it was applied for; the decoded object is shallow.
#[allow(clippy::too_many_arguments)]
fn patched_on(
    stack: Stack,
    req: &Req,
    kind: PatchType,
    type_name: &'static str,
    current: &Value,
    ns: &str,
    name: &str,
    default: &(dyn Fn(&mut Value) + Sync),
) -> std::result::Result<Value, Failure> {
    let patched = patch::apply(kind, type_name, current, &req.body, stack)?;
    // The real server quotes the patched document (JSON and merge patch) or the patch as a Go map
    // (strategic merge patch) when it cannot decode the result.
    let undecodable = |why: &str| {
        let shown = match kind {
            PatchType::Strategic => {
                patch::go_fmt(&patch::parse_go_json(&req.body).unwrap_or_default())
            }
            _ => patch::sorted_json(&patched),
        };
        ApiError::invalid("", "", vec![Cause::invalid("patch", &json!(shown), why)])
    };
    // Only a JSON Patch applied on a large stack can nest the pod past Go's limit (by one level:
    // evanphx/json-patch fails a patch that nests deeper).
    if stack == Stack::Large
        && let Some(c) = patch::first_too_deep(&patched, patch::GO_MAX_DEPTH)
    {
        return Err(undecodable(&format!(
            "couldn't get version/kind; json parse error: invalid character '{c}' exceeded max depth"
        ))
        .into());
    }
    let mut obj =
        schema::decode_patched(type_name, &patched).map_err(|e| undecodable(&e.to_string()))?;
    default(&mut obj);
    check_name(&obj, ns, name)?;
    if !ns.is_empty() {
        set_meta(&mut obj, "namespace", json!(ns));
    }
    Ok(obj)
}

/// Sets `metadata.managedFields` (its place is last in ObjectMeta), or removes it for `None`.
fn set_managed_fields(obj: &mut Value, fields: Option<Value>) {
    let meta = meta_mut(obj);
    meta.shift_remove("managedFields");
    if let Some(f) = fields {
        meta.insert("managedFields".into(), f);
    }
}

/// The request's `DeleteOptions` (an empty body: none).
fn delete_options(req: &Req) -> Result<Value> {
    if req.body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let v = patch::parse_go_json(&req.body).map_err(ApiError::bad_request)?;
    schema::decode("DeleteOptions", &v).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// The connect subresources of a pod (`log`, `exec`, `attach`, `portforward`, `proxy`), as a bare
/// server without kubelets answers them: the log of a pod not on a node is empty (204); the others
/// need the pod's node (400), a proxy its address.
fn connect_pod(app: &App, ns: &str, name: &str, sub: &str, method: &Method) -> Result<Reply> {
    let allowed: &[Method] = match sub {
        "log" => &[Method::GET],
        "exec" | "attach" | "portforward" => &[Method::GET, Method::POST],
        _ => &[
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::HEAD,
            Method::OPTIONS,
        ],
    };
    if !allowed.contains(method) {
        return Err(ApiError::method_not_allowed());
    }
    let pod = app
        .store()
        .objects
        .get(&("pods", ns.to_string(), name.to_string()))
        .map(|p| (*p.obj).clone())
        .ok_or_else(|| ApiError::not_found("pods", name))?;
    let node = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let ip = pod
        .pointer("/status/podIP")
        .and_then(Value::as_str)
        .unwrap_or("");
    match sub {
        "log" if node.is_empty() => Ok(Reply::Cached(StatusCode::NO_CONTENT, Bytes::new())),
        "exec" | "attach" | "portforward" if node.is_empty() => Err(ApiError::bad_request(
            format!("pod {name} does not have a host assigned"),
        )),
        s if s.starts_with("proxy") && ip.is_empty() => {
            Err(ApiError::bad_request("address not allowed"))
        }
        // Bound to a node: the kubelet it names would have to answer, and none runs here.
        _ => Err(ApiError::service_unavailable(format!(
            "no kubelet answers for node {node:?}: the reference server models the API server only"
        ))),
    }
}

/// The `Status` of a successful create that makes no object (a binding, an eviction).
fn created_status() -> Reply {
    Reply::Object(
        StatusCode::CREATED,
        "Status",
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
    )
}

/// A binding of a pod to a node (`pods/binding`, or `bindings` naming the pod): `spec.nodeName`,
/// the binding's annotations and the `PodScheduled` condition, as the scheduler's bind does it; a
/// pod already bound is a conflict.
fn bind_pod(app: &App, req: &Req, ns: &str, name: Option<&str>) -> Result<Reply> {
    let binding = decode_body(req, "Binding")?;
    let name = name
        .map(str::to_string)
        .unwrap_or_else(|| meta_str(&binding, "name").to_string());
    let node = binding
        .pointer("/target/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if node.is_empty() {
        return Err(ApiError::invalid(
            "Binding",
            &name,
            vec![Cause::required("target.name")],
        ));
    }
    let mut store = app.store();
    let key = ("pods", ns.to_string(), name.clone());
    let current = store
        .objects
        .get(&key)
        .cloned()
        .ok_or_else(|| ApiError::not_found("pods", &name))?;
    let mut pod = (*current.obj).clone();
    let bound = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !bound.is_empty() {
        return Err(ApiError::conflict_with(
            "pods/binding",
            &name,
            format!("pod {name} is already assigned to node \"{bound}\""),
        ));
    }
    if req.dry_run {
        return Ok(created_status());
    }
    pod["spec"]["nodeName"] = json!(node);
    if let Some(a) = binding
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    {
        let meta = meta_mut(&mut pod);
        let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
        if let Some(m) = annotations.as_object_mut() {
            for (k, v) in a {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    let conditions = pod["status"]
        .as_object_mut()
        .map(|st| st.entry("conditions").or_insert_with(|| json!([])));
    if let Some(Value::Array(cs)) = conditions {
        match cs
            .iter_mut()
            .find(|c| c.get("type").and_then(Value::as_str) == Some("PodScheduled"))
        {
            Some(c) if c.get("status").and_then(Value::as_str) == Some("True") => {}
            Some(c) => {
                c["status"] = json!("True");
                c["lastTransitionTime"] = json!(now());
            }
            None => cs.push(
                json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null,
                                   "lastTransitionTime": now()}),
            ),
        }
    }
    set_meta(&mut pod, "resourceVersion", json!(store.next_revision()));
    let stored = finish("Pod", pod);
    let (object, previous) = (stored.obj.clone(), current.obj.clone());
    store.emit(EventType::Modified, "pods", object, Some(previous));
    store.objects.insert(key, Arc::new(stored));
    Ok(created_status())
}

/// An eviction of a pod (no PodDisruptionBudget is modelled: every eviction is allowed): the pod
/// deleted as a DELETE with the eviction's options would.
fn evict_pod(app: &App, req: &Req, ns: &str, name: &str) -> Result<Reply> {
    let raw: Value = patch::parse_go_json(&req.body).map_err(ApiError::bad_request)?;
    let options = raw.get("deleteOptions").cloned().unwrap_or(Value::Null);
    let body = if options.is_null() {
        Bytes::new()
    } else {
        Bytes::from(options.to_string())
    };
    let delete = Req {
        method: Method::DELETE,
        pretty: req.pretty,
        dry_run: req.dry_run,
        manager: req.manager.clone(),
        content_type: None,
        grace_period: None,
        label_selector: None,
        field_selector: None,
        limit: None,
        continue_token: None,
        propagation_policy: None,
        impersonated: req.impersonated.clone(),
        force: false,
        body,
    };
    let pods = crate::kinds::find("", "v1", "pods").ok_or_else(ApiError::no_route)?;
    let strategy = super::strategy::for_kind("", "Pod").ok_or_else(ApiError::no_route)?;
    registry::handle(app, &delete, pods, strategy, Some(ns), Some(name), None)?;
    Ok(created_status())
}

// ---------------------------------------------------------------------------------------------------
// Decoding

const KNOWN_CORE_KINDS: &[&str] = &[
    "Binding",
    "ComponentStatus",
    "ConfigMap",
    "Endpoints",
    "Event",
    "LimitRange",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Pod",
    "PodTemplate",
    "ReplicationController",
    "ResourceQuota",
    "Secret",
    "Service",
    "ServiceAccount",
];

/// The kind a request body must have: its group, version and kind, and its schema type.
#[derive(Clone, Copy)]
struct BodyKind {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    /// The schema type (`Pod`, `networking.k8s.io/v1beta1.Ingress`).
    ty: &'static str,
}

impl BodyKind {
    /// A kind of core/v1, whose schema type is its name.
    fn core(kind: &'static str) -> Self {
        BodyKind {
            group: "",
            version: "v1",
            kind,
            ty: kind,
        }
    }

    /// `v1`, `apps/v1`.
    fn api_version(&self) -> String {
        crate::kinds::join_api_version(self.group, self.version)
    }

    /// The package of the kind's internal type, as conversion errors name it.
    fn internal_package(&self) -> &'static str {
        match self.group {
            "" | "events.k8s.io" => "core",
            "extensions" => "networking",
            g => g.split('.').next().unwrap_or(g),
        }
    }
}

/// Whether the server's scheme knows `kind` in `api_version` (any kind it serves, and the core
/// kinds that are not resources of their own).
fn registered(api_version: &str, kind: &str) -> bool {
    let (group, version) = crate::kinds::split_api_version(api_version);
    (api_version == "v1" && KNOWN_CORE_KINDS.contains(&kind))
        || crate::kinds::registered_unserved(group, version, kind)
        || crate::kinds::group_version(group, version)
            .is_some_and(|gv| gv.resources().any(|r| r.kind == kind))
        // The kinds of subresources (`TokenRequest` of authentication.k8s.io/v1).
        || crate::kinds::RESOURCES.iter().any(|r| {
            r.subresources
                .iter()
                .any(|s| s.group == group && s.version == version && s.kind == kind)
        })
}

/// Decodes a create/update body of core/v1 `kind`.
fn decode_body(req: &Req, kind: &'static str) -> Result<Value> {
    decode_as(req, BodyKind::core(kind))
}

/// Decodes a create/update body as kube-apiserver does: media type, JSON, apiVersion/kind (defaulting
/// to the resource's own), typed decoding, defaulting.
fn decode_as(req: &Req, want: BodyKind) -> Result<Value> {
    let kind = want.kind;
    let ct = req.content_type.as_deref().unwrap_or("");
    let media = patch::media_type(ct);
    if !media.is_empty() && media != "application/json" && media != "*/*" {
        return Err(ApiError::unsupported_body_type());
    }
    let raw: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => {
            return Err(ApiError::bad_request(format!(
                "the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; json parse error: {} ({})",
                patch::go_json_error(&req.body, &e),
                summarize(&req.body)
            )));
        }
    };
    let Value::Object(map) = &raw else {
        return Err(ApiError::bad_request(format!(
            "the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }} ({})",
            json_kind(&raw),
            summarize(&req.body)
        )));
    };
    let api_version = want.api_version();
    let body_kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
    let body_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let gk = if body_kind.is_empty() {
        kind
    } else {
        body_kind
    };
    let gv = if body_version.is_empty() {
        api_version.as_str()
    } else {
        body_version
    };
    let (_, version) = crate::kinds::split_api_version(gv);
    if !registered(gv, gk) {
        return Err(ApiError::bad_request(format!(
            "{gk} in version \"{version}\" cannot be handled as a {kind}: no kind \"{gk}\" is registered for version \"{gv}\" in scheme \"k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30\""
        )));
    }
    if gk != kind {
        return Err(ApiError::bad_request(format!(
            "{gk} in version \"{version}\" cannot be handled as a {kind}: converting ({version}.{gk}) to ({}.{kind}): unknown conversion",
            want.internal_package()
        )));
    }
    if gv != api_version {
        // Decoded into the same internal kind, from a version the endpoint is not.
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({gv}) does not match the expected API version ({api_version})"
        )));
    }
    let mut obj = schema::decode(want.ty, &raw).map_err(|e| {
        ApiError::bad_request(format!(
            "{kind} in version \"{version}\" cannot be handled as a {kind}: {e}"
        ))
    })?;
    obj["kind"] = json!(kind);
    obj["apiVersion"] = json!(api_version);
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    Ok(obj)
}

/// The body of a create-only review (`POST` only; a TokenReview, a SelfSubjectAccessReview) of
/// `kind` in `group`/`version`, decoded, with the managedFields of its create; and its schema type.
fn decode_review(
    req: &Req,
    group: &'static str,
    version: &'static str,
    kind: &'static str,
) -> Result<(&'static str, Value)> {
    if req.method != Method::POST {
        return Err(ApiError::method_not_allowed());
    }
    let ty = schema::type_for(group, version, kind).ok_or_else(ApiError::no_route)?;
    let mut obj = decode_as(
        req,
        BodyKind {
            group,
            version,
            kind,
            ty,
        },
    )?;
    let fields = managed::update(ty, None, &mut obj, &req.manager, &now());
    set_managed_fields(&mut obj, fields);
    Ok((ty, obj))
}

/// `checkName` of the real handlers: the body's name must equal the URL's, its namespace (if set) too.
fn check_name(obj: &Value, ns: &str, name: &str) -> Result<()> {
    let body_name = meta_str(obj, "name");
    if body_name.is_empty() {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({name} based on URL) was undeterminable: name must be provided"
        )));
    }
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let body_ns = meta_str(obj, "namespace");
    if !body_ns.is_empty() && body_ns != ns {
        return Err(ApiError::bad_request(format!(
            "the namespace of the object ({body_ns}) does not match the namespace on the request ({ns})"
        )));
    }
    Ok(())
}

/// The first 30 bytes of a body, as the real server quotes it in decode errors.
fn summarize(body: &[u8]) -> String {
    match body {
        [] => "<empty>".to_string(),
        [0x1f, ..] => "<gzip data>".to_string(),
        b if b.len() > 30 => format!("{} ...", String::from_utf8_lossy(&b[..30])),
        b => String::from_utf8_lossy(b).into_owned(),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "null",
    }
}

// ---------------------------------------------------------------------------------------------------
// Label selectors (`labelSelector=a=b,c!=d,e,!f`)

/// A list's selectors: its labels and, for its kind, its fields.
struct Selector(super::selector::Labels, super::selector::Fields);

fn parse_selector(req: &Req, kind: &str) -> Result<Selector> {
    Ok(Selector(
        super::selector::labels(req.label_selector.as_deref())?,
        super::selector::fields(req.field_selector.as_deref(), kind)?,
    ))
}

impl Selector {
    fn matches(&self, obj: &Value) -> bool {
        self.0.matches(obj) && self.1.matches(obj)
    }

    /// Whether it selects everything.
    fn is_empty(&self) -> bool {
        self.0.is_empty() && self.1.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------------
// Object helpers

fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    match obj.get_mut("metadata") {
        Some(Value::Object(m)) => m,
        _ => unreachable!("metadata was just made an object"),
    }
}

fn set_meta(obj: &mut Value, field: &str, v: Value) {
    meta_mut(obj).insert(field.to_string(), v);
}

/// Sets `metadata.<field>` of `to` to that of `from`, or removes it if `from` has none.
fn copy_meta(to: &mut Value, from: &Value, field: &str) {
    match from.get("metadata").and_then(|m| m.get(field)) {
        Some(v) => set_meta(to, field, v.clone()),
        None => {
            meta_mut(to).remove(field);
        }
    }
}

/// The object as the server stores and returns it: decoded again from its own encoding, so that the
/// JSON value and the bytes agree exactly (field order, omitted empty fields, zero values).
fn finish(kind: &str, obj: Value) -> Stored {
    let compact = encode_body(kind, &obj, false);
    let obj = serde_json::from_slice(&compact).unwrap_or(obj);
    Stored {
        obj: Arc::new(obj),
        compact: Bytes::from(compact),
    }
}

/// A stored object already in canonical form (equal to the decoding of its own encoding): encoded
/// once, without parsing it back.
fn canonical(kind: &str, obj: Value) -> Stored {
    let compact = encode_body(kind, &obj, false);
    debug_assert_eq!(
        serde_json::from_slice::<Value>(&compact).ok().as_ref(),
        Some(&obj),
        "not canonical"
    );
    Stored {
        obj: Arc::new(obj),
        compact: Bytes::from(compact),
    }
}

/// The response body for an object: compact JSON ends with a newline (as Go's encoder writes it),
/// pretty JSON does not.
fn encode_body(kind: &str, v: &Value, pretty: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    schema::encode_into(kind, v, pretty, &mut out);
    if !pretty {
        out.push(b'\n');
    }
    out
}

fn reply_stored(stored: &Stored, kind: &'static str, pretty: bool) -> Reply {
    reply_with(StatusCode::OK, stored, kind, pretty)
}

/// The answer for a stored object: its cached compact bytes, or the object to pretty-print.
fn reply_with(code: StatusCode, stored: &Stored, kind: &'static str, pretty: bool) -> Reply {
    if pretty {
        Reply::Object(code, kind, (*stored.obj).clone())
    } else {
        Reply::Cached(code, stored.compact.clone())
    }
}

fn list_item(obj: &Value) -> Value {
    let mut item = obj.clone();
    if let Some(m) = item.as_object_mut() {
        m.remove("kind");
        m.remove("apiVersion");
    }
    item
}

/// An object's key in a list, relative to the list's etcd prefix: its name in a namespace's list
/// (or of a cluster-scoped kind), `namespace/name` across namespaces.
fn list_key(listed_ns: Option<&str>, ns: &str, name: &str) -> String {
    if listed_ns.is_some() || ns.is_empty() {
        name.to_string()
    } else {
        format!("{ns}/{name}")
    }
}

/// A list's page: `limit` items from the `continue` token's start, with the token of the next page
/// (the real server's: base64url of `{"v","rv","start"}`) and, for an unfiltered list, how many
/// items remain.
fn list_page(
    ty: &'static str,
    kind: &'static str,
    api_version: &'static str,
    revision: &str,
    items: Vec<(String, &Value)>,
    req: &Req,
    unfiltered: bool,
) -> Result<Reply> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut revision = revision.to_string();
    let mut items = items;
    if let Some(token) = req.continue_token.as_deref().filter(|t| !t.is_empty()) {
        let invalid =
            |why: String| ApiError::bad_request(format!("continue key is not valid: {why}"));
        let raw = b64.decode(token).map_err(|e| {
            invalid(format!(
                "illegal base64 data at input byte {}",
                base64_offset(&e)
            ))
        })?;
        let t: Value = serde_json::from_slice(&raw).map_err(|e| invalid(e.to_string()))?;
        let start = t.get("start").and_then(Value::as_str).unwrap_or("");
        if t.get("v").and_then(Value::as_str) != Some("meta.k8s.io/v1") {
            return Err(invalid("server does not recognize this encoded key".into()));
        }
        if let Some(rv) = t.get("rv").and_then(Value::as_i64) {
            revision = rv.to_string();
        }
        items.retain(|(k, _)| k.as_str() >= start);
    }
    let mut metadata = Map::new();
    metadata.insert("resourceVersion".into(), json!(revision));
    if let Some(limit) = req.limit.filter(|l| *l > 0)
        && items.len() > limit
    {
        let rest = items.split_off(limit);
        if let Some((last, _)) = items.last() {
            let token = json!({"v": "meta.k8s.io/v1", "rv": revision.parse::<i64>().unwrap_or(0),
                               "start": format!("{last}\u{0}")});
            metadata.insert(
                "continue".into(),
                json!(b64.encode(serde_json::to_vec(&token).unwrap_or_default())),
            );
        }
        if unfiltered {
            metadata.insert("remainingItemCount".into(), json!(rest.len()));
        }
    }
    let items: Vec<Value> = items.into_iter().map(|(_, v)| list_item(v)).collect();
    let list =
        json!({"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": items});
    Ok(Reply::Object(StatusCode::OK, ty, list))
}

fn base64_offset(e: &base64::DecodeError) -> usize {
    match e {
        base64::DecodeError::InvalidByte(i, _) | base64::DecodeError::InvalidLastSymbol(i, _) => *i,
        _ => 0,
    }
}

fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    bytes[..5]
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// HTTP helpers

/// `?pretty=<bool>` decides; without it, curl, Wget and browsers get indented JSON.
fn is_pretty(query: &str, headers: &HeaderMap) -> bool {
    if query.contains("pretty") {
        for (k, v) in parse_query(query) {
            if k == "pretty" && !v.is_empty() {
                return matches!(v.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True");
            }
        }
    }
    let ua = header_str(headers, header::USER_AGENT).unwrap_or("");
    ua.starts_with("curl") || ua.starts_with("Wget") || ua.starts_with("Mozilla/5.0")
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn encode_value(v: &Value, pretty: bool) -> Bytes {
    let bytes = if pretty {
        serde_json::to_vec_pretty(v)
    } else {
        serde_json::to_vec(v)
    };
    Bytes::from(bytes.unwrap_or_default())
}

fn json_response(code: StatusCode, body: Bytes) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = code;
    let h = resp.headers_mut();
    // No content (an empty log): no content type either.
    if code != StatusCode::NO_CONTENT {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    resp
}

fn error_response(err: &ApiError, pretty: bool) -> Response {
    let code = StatusCode::from_u16(err.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(
        code,
        Bytes::from(encode_body("Status", &err.to_status(), pretty)),
    )
}

fn text(code: StatusCode, body: &'static str) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}
