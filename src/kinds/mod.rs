//! The resource-kind table: what kube-apiserver v1.20.2 serves, generated from its discovery —
//! and beside it the rest of the Kubernetes API knowledge the stages share: the server-assigned
//! [`fields`] and the [`patch`] types.
//!
//! All knowledge of Kubernetes resources (group, version, kind, plural, scope, subresources,
//! verbs, list kind, preferred version) lives in [`RESOURCES`] and [`GROUP_VERSIONS`], which
//! `tools/gen_kinds.py` generates into `table.rs` from a real server (see `tools/README.md`);
//! nothing here hard-codes a kind. Next to it, `discovery-v1.20.2/` holds the discovery
//! documents byte for byte as that server sent them ([`discovery_document`]).
//!
//! The table has one [`Resource`] per top-level resource of every served group-version; the
//! subresources discovery lists as separate entries (`pods/status`) are folded into their
//! parent ([`Resource::subresources`]). Group-versions that v1.20.2 no longer serves (such as
//! `apps/v1beta1` or `extensions/v1beta1` deployments) are not in it: [`by_group_plural`],
//! [`by_plural_any_version`] and [`closest`] find the same resource in a served version, to
//! infer its kind and scope.
//!
//! [`parse_path`] splits a request path (`/api/v1/namespaces/{namespace}/pods/{name}/status`)
//! into an [`ApiPath`]: group, version, namespace, plural, name, subresource, and the table's
//! entry for the resource.

pub mod fields;
pub mod lifecycle;
pub mod patch;
#[rustfmt::skip]
mod table;

pub use patch::PatchType;

#[cfg(test)]
mod tests;

pub use table::{DISCOVERY_DOCUMENTS, GROUP_VERSIONS, RESOURCES, SERVER_VERSION};

/// A served group-version. The core group is `""` (served under `/api`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupVersion {
    pub group: &'static str,
    pub version: &'static str,
    /// The server's preferred version of the group (`preferredVersion` in `/apis`).
    pub preferred: bool,
}

impl GroupVersion {
    /// `"v1"` for the core group, else `"<group>/<version>"`.
    pub fn api_version(&self) -> String {
        join_api_version(self.group, self.version)
    }

    /// The discovery path of the group-version: `/api/v1` or `/apis/apps/v1`.
    pub fn base_path(&self) -> String {
        base_path(self.group, self.version)
    }

    /// The group-version's top-level resources, in discovery order.
    pub fn resources(&self) -> impl Iterator<Item = &'static Resource> + use<> {
        let (group, version) = (self.group, self.version);
        RESOURCES
            .iter()
            .filter(move |r| r.group == group && r.version == version)
    }
}

/// A subresource (`status`, `scale`, `log`...) of a [`Resource`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Subresource {
    /// The part after the slash in discovery: `status` for `pods/status`.
    pub name: &'static str,
    /// The group and version of the subresource's kind: discovery's own when it gives them
    /// (`autoscaling`/`v1` for `deployments/scale`, `policy`/`v1beta1` for `pods/eviction`),
    /// else the parent's.
    pub group: &'static str,
    pub version: &'static str,
    /// The kind sent and received: `Scale`, `Eviction`, `Pod` for `pods/status` and `pods/log`.
    pub kind: &'static str,
    pub verbs: &'static [&'static str],
}

impl Subresource {
    /// The `apiVersion` of [`Subresource::kind`]: `"autoscaling/v1"` for `deployments/scale`.
    pub fn api_version(&self) -> String {
        join_api_version(self.group, self.version)
    }

    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.contains(&verb)
    }
}

/// A top-level resource of a served group-version.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Resource {
    /// `""` for the core group.
    pub group: &'static str,
    pub version: &'static str,
    /// `"v1"` or `"apps/v1"`: the `apiVersion` of the resource's objects.
    pub api_version: &'static str,
    pub kind: &'static str,
    /// The path segment: `pods`.
    pub plural: &'static str,
    /// v1.20 discovery sends `singularName: ""`; the generator then uses the kind lower-cased
    /// (as kubectl does).
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    /// Namespaced (`/namespaces/{namespace}/<plural>`) or cluster-scoped.
    pub namespaced: bool,
    /// The kind of a list answer. Discovery does not give it; in v1.20 it is always
    /// `<Kind>List` (the generator's `--check-lists` compares it with real list answers). Set also
    /// for resources without the `list` verb (`bindings`, `tokenreviews`), which have no lists.
    pub list_kind: &'static str,
    pub verbs: &'static [&'static str],
    pub subresources: &'static [Subresource],
    /// Whether [`Resource::version`] is the group's preferred version.
    pub preferred: bool,
    pub storage_version_hash: Option<&'static str>,
}

impl Resource {
    /// `"v1"` or `"apps/v1"`.
    pub fn api_version(&self) -> &'static str {
        self.api_version
    }

    /// The discovery path of the resource's group-version: `/api/v1` or `/apis/apps/v1`.
    pub fn base_path(&self) -> String {
        base_path(self.group, self.version)
    }

    /// The collection: `/api/v1/namespaces/<ns>/pods`, or with `None` for a namespaced resource
    /// the list across all namespaces (`/api/v1/pods`). A cluster-scoped resource ignores
    /// `namespace`.
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        match namespace {
            Some(ns) if self.namespaced => {
                format!("{}/namespaces/{ns}/{}", self.base_path(), self.plural)
            }
            _ => format!("{}/{}", self.base_path(), self.plural),
        }
    }

    /// One object: `/api/v1/namespaces/<ns>/pods/<name>`, `/api/v1/nodes/<name>`. A namespaced
    /// resource needs `Some(namespace)` for a path the server serves; a cluster-scoped one
    /// ignores it.
    pub fn object_path(&self, namespace: Option<&str>, name: &str) -> String {
        format!("{}/{name}", self.collection_path(namespace))
    }

    /// A subresource of one object: `/api/v1/namespaces/<ns>/pods/<name>/status`. Does not check
    /// that the subresource exists ([`Resource::has_subresource`]).
    pub fn subresource_path(
        &self,
        namespace: Option<&str>,
        name: &str,
        subresource: &str,
    ) -> String {
        format!("{}/{subresource}", self.object_path(namespace, name))
    }

    pub fn subresource(&self, name: &str) -> Option<&'static Subresource> {
        self.subresources.iter().find(|s| s.name == name)
    }

    pub fn has_subresource(&self, name: &str) -> bool {
        self.subresource(name).is_some()
    }

    /// Whether discovery lists `verb` for the resource itself (`create`, `delete`,
    /// `deletecollection`, `get`, `list`, `patch`, `update`, `watch`).
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.contains(&verb)
    }

    /// How the server's messages name the resource: `pods`, `deployments.apps`.
    pub fn qualified_plural(&self) -> String {
        qualify(self.plural, self.group)
    }

    /// How the server's messages name the kind: `Pod`, `Deployment.apps`.
    pub fn qualified_kind(&self) -> String {
        qualify(self.kind, self.group)
    }

    /// The resource's group-version entry.
    pub fn group_version(&self) -> &'static GroupVersion {
        group_version(self.group, self.version)
            .expect("every resource's group-version is in GROUP_VERSIONS")
    }
}

fn qualify(name: &str, group: &str) -> String {
    if group.is_empty() {
        name.to_string()
    } else {
        format!("{name}.{group}")
    }
}

/// `("apps", "v1")` → `"apps/v1"`, `("", "v1")` → `"v1"`.
pub fn join_api_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// `"apps/v1"` → `("apps", "v1")`, `"v1"` → `("", "v1")`.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

fn base_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    }
}

/// The served group-version, if any.
pub fn group_version(group: &str, version: &str) -> Option<&'static GroupVersion> {
    GROUP_VERSIONS
        .iter()
        .find(|gv| gv.group == group && gv.version == version)
}

/// Whether the server serves the group-version.
pub fn is_served(group: &str, version: &str) -> bool {
    group_version(group, version).is_some()
}

/// The group's preferred version (`"v1"` for the core group).
pub fn preferred_version(group: &str) -> Option<&'static str> {
    GROUP_VERSIONS
        .iter()
        .find(|gv| gv.group == group && gv.preferred)
        .map(|gv| gv.version)
}

/// Where kube-apiserver v1.20.2 stores the objects of `plural` in etcd, below `/registry/`: the
/// resource's name but for the prefixes compiled in (`SpecialDefaultResourcePrefixes`). Error
/// messages of the storage layer quote the key.
pub fn storage_prefix(group: &str, plural: &'static str) -> &'static str {
    match (group, plural) {
        ("", "replicationcontrollers") => "controllers",
        ("", "endpoints") => "services/endpoints",
        ("", "nodes") => "minions",
        ("", "services") => "services/specs",
        ("extensions" | "networking.k8s.io", "ingresses") => "ingress",
        ("extensions" | "policy", "podsecuritypolicies") => "podsecuritypolicy",
        _ => plural,
    }
}

/// The resource `plural` of a served group-version.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The resource of `kind` in a served `apiVersion` (`"v1"`, `"apps/v1"`). Kinds are unique within
/// a group-version (the generator checks it).
pub fn by_kind(api_version: &str, kind: &str) -> Option<&'static Resource> {
    let (group, version) = split_api_version(api_version);
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.kind == kind)
}

/// Served resources in `group` (any version) matching `matches`, preferred version first, then in
/// table order (the server's version order).
fn preferred_first(group: &str, matches: impl Fn(&Resource) -> bool) -> Option<&'static Resource> {
    let mut candidates = RESOURCES.iter().filter(|r| r.group == group && matches(r));
    let first = candidates.next()?;
    if first.preferred {
        Some(first)
    } else {
        candidates.find(|r| r.preferred).or(Some(first))
    }
}

/// The resource `plural` of `group` in any served version, the preferred version first: for
/// `("batch", "cronjobs")` the `batch/v1beta1` entry. Infers kind and scope for a retired version
/// of a group that still serves the resource (`autoscaling/v2beta1` → ...); `None` if no served
/// version of the group has it (`extensions` deployments: see [`by_plural_any_version`]).
pub fn by_group_plural(group: &str, plural: &str) -> Option<&'static Resource> {
    preferred_first(group, |r| r.plural == plural)
}

/// The resource of `kind` in `group`, any served version, the preferred version first.
pub fn by_group_kind(group: &str, kind: &str) -> Option<&'static Resource> {
    preferred_first(group, |r| r.kind == kind)
}

/// Every served resource named `plural`, in any group and version, in table order (core first,
/// then the server's group order; within a group the preferred version first). `deployments`
/// gives `apps/v1`; `events` gives core `v1`, then `events.k8s.io/v1` and `v1beta1`.
pub fn by_plural_any_version(plural: &str) -> impl Iterator<Item = &'static Resource> + use<'_> {
    RESOURCES.iter().filter(move |r| r.plural == plural)
}

/// The best table entry for a resource that may not be served: the exact match, else the same
/// group's in another version ([`by_group_plural`]), else the first of
/// [`by_plural_any_version`] (so `apps/v1beta1` and `extensions/v1beta1` deployments both give
/// `apps/v1` deployments). Kind and scope of such a match are an inference: same plural, other
/// group.
pub fn closest(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    find(group, version, plural)
        .or_else(|| by_group_plural(group, plural))
        .or_else(|| by_plural_any_version(plural).next())
}

/// The discovery document (or `/version`) the real server sent for `path` (`/api`, `/api/v1`,
/// `/apis`, `/apis/apps`, `/apis/apps/v1`, `/version`), byte for byte: compact JSON ending in a
/// newline (kube-apiserver pretty-prints, without the newline, only for User-Agents starting with
/// `curl` or `Wget`). Note that `/api` names the real server's address
/// (`serverAddressByClientCIDRs`).
pub fn discovery_document(path: &str) -> Option<&'static [u8]> {
    DISCOVERY_DOCUMENTS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, body)| *body)
}

/// The two roots of the API: `/api` (the core group) and `/apis` (named groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Root {
    Api,
    Apis,
}

/// A request path split into its parts; see [`parse_path`]. Strings borrow from the path, with
/// placeholders (`{name}`) or real values as given (not percent-decoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiPath<'a> {
    pub root: Root,
    /// `""` for the core group (`/api/...`) and for the `/apis` root itself.
    pub group: &'a str,
    /// `None` for `/api`, `/apis` and `/apis/<group>`.
    pub version: Option<&'a str>,
    /// The deprecated watch prefix: `/api/v1/watch/namespaces/{namespace}/pods`.
    pub watch: bool,
    pub namespace: Option<&'a str>,
    /// The resource's path segment; `None` for discovery paths.
    pub plural: Option<&'a str>,
    pub name: Option<&'a str>,
    pub subresource: Option<&'a str>,
    /// What follows a `proxy` subresource (without the leading slash; may be empty):
    /// `api/x` for `/api/v1/nodes/n1/proxy/api/x`.
    pub proxy_path: Option<&'a str>,
    /// The table's entry for (group, version, plural), if the group-version serves the plural.
    /// Set whatever the scope or subresource: [`ApiPath::is_served`] checks those.
    pub resource: Option<&'static Resource>,
}

impl<'a> ApiPath<'a> {
    /// `/api`, `/api/v1`, `/apis`, `/apis/apps`, `/apis/apps/v1`.
    pub fn is_discovery(&self) -> bool {
        self.plural.is_none()
    }

    /// A collection (list, create, deletecollection): a plural without a name.
    pub fn is_collection(&self) -> bool {
        self.plural.is_some() && self.name.is_none()
    }

    /// `"v1"` or `"apps/v1"`; `None` without a version.
    pub fn api_version(&self) -> Option<String> {
        self.version.map(|v| join_api_version(self.group, v))
    }

    /// The table's entry for the subresource, if the resource has it.
    pub fn subresource_info(&self) -> Option<&'static Subresource> {
        self.resource?.subresource(self.subresource?)
    }

    /// Whether the real server serves the path: a discovery path of a served group(-version), or
    /// a resource of the table addressed with its scope (a namespace for one object of a
    /// namespaced resource, none for a cluster-scoped one; a namespaced collection may omit it,
    /// listing all namespaces), with the `watch` verb after a `watch/` prefix and, if any, one of
    /// its subresources. Verbs of the request are not considered.
    pub fn is_served(&self) -> bool {
        let Some(version) = self.version else {
            return self.group.is_empty() || GROUP_VERSIONS.iter().any(|gv| gv.group == self.group);
        };
        let Some(resource) = self.resource else {
            return self.plural.is_none() && is_served(self.group, version);
        };
        let scope_ok = match (resource.namespaced, self.namespace.is_some()) {
            (true, true) => true,
            (true, false) => self.name.is_none(),
            (false, has_namespace) => !has_namespace,
        };
        scope_ok
            && (!self.watch || resource.has_verb("watch"))
            && self.subresource.is_none_or(|s| resource.has_subresource(s))
    }

    /// A short label for the endpoint, to group by in reports: `pods`, `pods/status`,
    /// `deployments/scale`, `namespaces/finalize`; for discovery paths the path itself
    /// (`/api`, `/apis/apps/v1`). Neither group, version, scope nor watch prefix is part of it.
    pub fn endpoint(&self) -> String {
        match (self.plural, self.subresource) {
            (Some(plural), Some(sub)) => format!("{plural}/{sub}"),
            (Some(plural), None) => plural.to_string(),
            (None, _) => self.template(),
        }
    }

    /// The path with placeholders instead of values, in the form of Kubernetes' OpenAPI:
    /// `/api/v1/namespaces/{namespace}/pods/{name}/status`, `/api/v1/namespaces/{name}`,
    /// `/api/v1/nodes/{name}/proxy/{path}`. Without a query string.
    pub fn template(&self) -> String {
        let mut out = String::from(match self.root {
            Root::Api => "/api",
            Root::Apis => "/apis",
        });
        if self.root == Root::Apis && (!self.group.is_empty() || self.version.is_some()) {
            out.push('/');
            out.push_str(self.group);
        }
        let Some(version) = self.version else {
            return out;
        };
        out.push('/');
        out.push_str(version);
        let Some(plural) = self.plural else {
            return out;
        };
        if self.watch {
            out.push_str("/watch");
        }
        if self.namespace.is_some() {
            out.push_str("/namespaces/{namespace}");
        }
        out.push('/');
        out.push_str(plural);
        if self.name.is_some() {
            out.push_str("/{name}");
        }
        if let Some(sub) = self.subresource {
            out.push('/');
            out.push_str(sub);
        }
        if self.proxy_path.is_some() {
            out.push_str("/{path}");
        }
        out
    }
}

/// Splits a request path into an [`ApiPath`]; the query string and fragment are ignored.
///
/// Recognised shapes, under `/api/<version>` (core) or `/apis/<group>/<version>`:
/// `<plural>`, `<plural>/<name>`, `<plural>/<name>/<subresource>` (cluster-scoped, or a
/// namespaced collection across namespaces), the same after `namespaces/<namespace>/`, and
/// after a `watch/` prefix. `proxy` subresources may be followed by any path
/// ([`ApiPath::proxy_path`]). The discovery paths `/api`, `/api/<version>`, `/apis`,
/// `/apis/<group>`, `/apis/<group>/<version>` give an `ApiPath` without a plural.
///
/// `namespaces/<x>` is the Namespace object `<x>` (a cluster-scoped resource), and
/// `namespaces/<x>/<s>` its subresource when the group-version's `namespaces` resource has a
/// subresource `<s>` (core `status`, `finalize`); otherwise `namespaces/<x>/<plural>...` is a
/// resource in namespace `<x>`.
///
/// Parsing is syntactic: a path of an unknown group, version or resource
/// (`/apis/unknown.group/v1/things`, `/apis/apps/v1beta1/deployments`) gives `Some`, with
/// [`ApiPath::resource`] `None` and [`ApiPath::is_served`] false. `None` means the path is not
/// an API path of this shape: another root (`/version`, `/healthz`, `/openapi/v2`), an empty
/// segment (`//`, a trailing slash, except inside a proxy path), a version not of the form
/// `v<N>[alpha<N>|beta<N>]`, a group that is not lower-case DNS-like, extra segments after a
/// subresource other than `proxy`, or a `watch/` prefix without a resource or with a
/// subresource.
pub fn parse_path(path: &str) -> Option<ApiPath<'_>> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    // Every segment after the leading slash, with the offset where it starts in `path`.
    let mut segments = Vec::with_capacity(10);
    let mut start = 1;
    for segment in path.strip_prefix('/')?.split('/') {
        segments.push((start, segment));
        start += segment.len() + 1;
    }
    let text = |i: usize| segments.get(i).map(|&(_, s)| s);
    let (root, group, mut i) = match text(0)? {
        "api" => (Root::Api, "", 1),
        "apis" => match text(1) {
            None => (Root::Apis, "", 1),
            Some(group) if is_group(group) => (Root::Apis, group, 2),
            Some(_) => return None,
        },
        _ => return None,
    };
    let mut parsed = ApiPath {
        root,
        group,
        version: None,
        watch: false,
        namespace: None,
        plural: None,
        name: None,
        subresource: None,
        proxy_path: None,
        resource: None,
    };
    let Some(version) = text(i) else {
        return Some(parsed);
    };
    if !is_version(version) {
        return None;
    }
    parsed.version = Some(version);
    i += 1;
    if text(i) == Some("watch") {
        parsed.watch = true;
        i += 1;
    }
    let left = segments.len() - i;
    if text(i) == Some("namespaces") && left >= 3 {
        let namespace_subresource = left == 3
            && text(i + 2).is_some_and(|s| {
                find(group, version, "namespaces").is_some_and(|ns| ns.has_subresource(s))
            });
        if !namespace_subresource {
            parsed.namespace = text(i + 1);
            i += 2;
        }
    }
    parsed.plural = text(i);
    parsed.name = text(i + 1);
    parsed.subresource = text(i + 2);
    if let Some(&(start, _)) = segments.get(i + 3) {
        if parsed.subresource != Some("proxy") {
            return None;
        }
        parsed.proxy_path = Some(&path[start..]);
    }
    let structural = &segments[..segments.len().min(i + 3)];
    if structural.iter().any(|(_, s)| s.is_empty()) {
        return None;
    }
    if parsed.watch && (parsed.plural.is_none() || parsed.subresource.is_some()) {
        return None;
    }
    if let Some(plural) = parsed.plural {
        parsed.resource = find(group, version, plural);
    }
    Some(parsed)
}

/// `v1`, `v1beta1`, `v2alpha3`: Kubernetes' API version form.
fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || rest.starts_with('0') {
        return false;
    }
    let suffix = &rest[digits..];
    if suffix.is_empty() {
        return true;
    }
    let Some(n) = suffix
        .strip_prefix("alpha")
        .or_else(|| suffix.strip_prefix("beta"))
    else {
        return false;
    };
    !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit())
}

/// A lower-case DNS-like group name: `apps`, `rbac.authorization.k8s.io`.
fn is_group(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !s.starts_with(['-', '.'])
        && !s.ends_with(['-', '.'])
}

/// Kinds v1.20.2 still registers in its scheme for group-versions it no longer serves (the
/// `addKnownTypes` of `k8s.io/api/{apps/v1beta1,apps/v1beta2,extensions/v1beta1}`): a body of one
/// of them decodes, and is then refused for its version or its kind, not as unknown.
const REGISTERED_UNSERVED: &[(&str, &str, &[&str])] = &[
    (
        "apps",
        "v1beta1",
        &[
            "Deployment",
            "DeploymentRollback",
            "Scale",
            "StatefulSet",
            "ControllerRevision",
        ],
    ),
    (
        "apps",
        "v1beta2",
        &[
            "Deployment",
            "Scale",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ControllerRevision",
        ],
    ),
    (
        "extensions",
        "v1beta1",
        &[
            "Deployment",
            "DeploymentRollback",
            "Scale",
            "DaemonSet",
            "Ingress",
            "ReplicaSet",
            "PodSecurityPolicy",
            "NetworkPolicy",
        ],
    ),
];

/// Whether `kind` of a group-version the server no longer serves is still in its scheme.
pub fn registered_unserved(group: &str, version: &str, kind: &str) -> bool {
    REGISTERED_UNSERVED
        .iter()
        .any(|(g, v, kinds)| *g == group && *v == version && kinds.contains(&kind))
}
