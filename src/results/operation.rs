//! What operation a case's request is: group, version, kind, verb and endpoint, from its method and
//! path through the resource-kind table ([`crate::kinds`]).

use crate::kinds::{self, ApiPath};

/// The operation fields of a [`super::CaseInfo`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Operation {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub resource: Option<String>,
    pub verb: String,
    pub endpoint: String,
    pub path: String,
    pub retired: bool,
}

/// The operation of `method path` (`watch`: the query asks for a watch).
pub(crate) fn classify(method: &str, path: &str, watch: bool) -> Operation {
    let bare = path.split(['?', '#']).next().unwrap_or_default();
    let watch = watch
        || path
            .split_once('?')
            .is_some_and(|(_, q)| q.split('&').any(|kv| kv == "watch=true" || kv == "watch=1"));
    let method_lower = method.to_ascii_lowercase();
    let Some(p) = kinds::parse_path(path) else {
        // Not an API path: `/version`, `/openapi/v2`, `/healthz`.
        let discovery =
            method_lower == "get" && (bare == "/version" || bare.starts_with("/openapi"));
        return Operation {
            group: None,
            version: None,
            kind: None,
            resource: None,
            verb: if discovery {
                "discovery".into()
            } else {
                method_lower
            },
            endpoint: format!("{method} {bare}"),
            path: bare.to_string(),
            retired: false,
        };
    };
    let template = p.template();
    let Some(plural) = p.plural else {
        let retired = p.version.is_some_and(|v| !kinds::is_served(p.group, v));
        return Operation {
            group: Some(p.group.to_string()),
            version: p.version.map(str::to_string),
            kind: None,
            resource: None,
            verb: if method_lower == "get" {
                "discovery".into()
            } else {
                method_lower
            },
            endpoint: format!("{method} {template}"),
            path: template,
            retired,
        };
    };
    let version = p.version.unwrap_or_default();
    let resource = p
        .resource
        .or_else(|| kinds::closest(p.group, version, plural));
    Operation {
        group: Some(p.group.to_string()),
        version: p.version.map(str::to_string),
        kind: resource.map(|r| r.kind.to_string()),
        resource: Some(p.endpoint()),
        verb: verb(&method_lower, &p, watch),
        endpoint: format!("{method} {}", resource_endpoint(&p)),
        path: template,
        retired: p.resource.is_none() && resource.is_some(),
    }
}

/// The verb of a request to a resource: Kubernetes' verbs (`get`, `list`, `watch`, `create`,
/// `update`, `patch`, `delete`, `deletecollection`), followed by the subresource if any.
fn verb(method: &str, p: &ApiPath, watch: bool) -> String {
    let one = p.name.is_some();
    let base = match method {
        "get" if watch || p.watch => "watch",
        "get" if one => "get",
        "get" => "list",
        "post" => "create",
        "put" => "update",
        "patch" => "patch",
        "delete" if one => "delete",
        "delete" => "deletecollection",
        other => other,
    };
    match p.subresource {
        Some(sub) => format!("{base} {sub}"),
        None => base.to_string(),
    }
}

/// `pods/{name}/status`, `deployments`, `nodes/{name}/proxy/{path}`: the path after group,
/// version and namespace, with placeholders.
fn resource_endpoint(p: &ApiPath) -> String {
    let mut out = p.plural.unwrap_or_default().to_string();
    if p.name.is_some() {
        out.push_str("/{name}");
    }
    if let Some(sub) = p.subresource {
        out.push('/');
        out.push_str(sub);
    }
    if p.proxy_path.is_some() {
        out.push_str("/{path}");
    }
    out
}

/// The kind a `kind:<Kind>` tag names (for a resource the table does not know).
pub(crate) fn tag_kind(tags: &[String]) -> Option<String> {
    tags.iter()
        .find_map(|t| t.strip_prefix("kind:"))
        .filter(|k| !k.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str) -> Operation {
        classify(method, path, false)
    }

    #[test]
    fn pods_keep_their_endpoints() {
        let o = op("PUT", "/api/v1/namespaces/{namespace}/pods/{name}/status");
        assert_eq!(o.endpoint, "PUT pods/{name}/status");
        assert_eq!(o.verb, "update status");
        assert_eq!(o.group.as_deref(), Some(""));
        assert_eq!(o.version.as_deref(), Some("v1"));
        assert_eq!(o.kind.as_deref(), Some("Pod"));
        assert_eq!(o.resource.as_deref(), Some("pods/status"));
        assert!(!o.retired);
        assert_eq!(
            op("PATCH", "/api/v1/namespaces/{namespace}/pods/{name}").endpoint,
            "PATCH pods/{name}"
        );
        // Real names become placeholders.
        assert_eq!(
            op("GET", "/api/v1/namespaces/ns1/pods/web").endpoint,
            "GET pods/{name}"
        );
    }

    #[test]
    fn verbs_come_from_method_and_path_shape() {
        let deploy = "/apis/apps/v1/namespaces/{namespace}/deployments";
        for (method, path, verb) in [
            ("GET", deploy.to_string(), "list"),
            ("POST", deploy.to_string(), "create"),
            ("DELETE", deploy.to_string(), "deletecollection"),
            ("GET", format!("{deploy}/{{name}}"), "get"),
            ("PUT", format!("{deploy}/{{name}}"), "update"),
            ("PATCH", format!("{deploy}/{{name}}"), "patch"),
            ("DELETE", format!("{deploy}/{{name}}"), "delete"),
            ("GET", format!("{deploy}/{{name}}/scale"), "get scale"),
            ("PUT", format!("{deploy}/{{name}}/status"), "update status"),
            ("GET", format!("{deploy}?watch=true"), "watch"),
            ("GET", "/apis/apps/v1/watch/deployments".into(), "watch"),
            ("GET", "/apis/apps/v1".into(), "discovery"),
            ("GET", "/api".into(), "discovery"),
            ("GET", "/version".into(), "discovery"),
            ("GET", "/healthz".into(), "get"),
        ] {
            assert_eq!(op(method, &path).verb, verb, "{method} {path}");
        }
        let scale = op("GET", &format!("{deploy}/{{name}}/scale"));
        assert_eq!(scale.kind.as_deref(), Some("Deployment"));
        assert_eq!(scale.endpoint, "GET deployments/{name}/scale");
        assert_eq!(
            scale.path,
            "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"
        );
        let disc = op("GET", "/apis/apps/v1");
        assert_eq!(disc.endpoint, "GET /apis/apps/v1");
        assert_eq!(disc.kind, None);
        assert_eq!(disc.group.as_deref(), Some("apps"));
        assert_eq!(classify("GET", deploy, true).verb, "watch");
    }

    #[test]
    fn retired_versions_get_the_kind_of_a_served_one() {
        let o = op(
            "GET",
            "/apis/extensions/v1beta1/namespaces/{namespace}/deployments/{name}",
        );
        assert!(o.retired);
        assert_eq!(o.kind.as_deref(), Some("Deployment"));
        assert_eq!(o.group.as_deref(), Some("extensions"));
        assert_eq!(o.version.as_deref(), Some("v1beta1"));
        let o = op(
            "GET",
            "/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}",
        );
        assert_eq!(o.kind.as_deref(), Some("ClusterRole"));
        assert!(!o.retired);
        let o = op("GET", "/apis/unknown.example/v1/things");
        assert_eq!(o.kind, None);
        assert_eq!(o.resource.as_deref(), Some("things"));
        assert_eq!(tag_kind(&["kind:Thing".into()]).as_deref(), Some("Thing"));
    }
}
