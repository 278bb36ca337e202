//! The RBAC authorizer of kube-apiserver v1.20.2 (`plugin/pkg/auth/authorizer/rbac`), behind the
//! privileged-group authorizer of `system:masters`, over the roles and bindings in the store: what
//! a subject access review asks of it.

use super::store::Store;
use serde_json::Value;
use std::sync::Arc;

/// Who asks (a review's `user` and `groups`).
pub struct User<'a> {
    pub name: &'a str,
    pub groups: &'a [String],
}

/// What is asked: of a resource (`verb` on `group`'s `resource`/`subresource` named `name` in
/// `namespace`) or of a non-resource `path`.
pub enum Request<'a> {
    Resource {
        namespace: &'a str,
        verb: &'a str,
        group: &'a str,
        resource: &'a str,
        subresource: &'a str,
        name: &'a str,
    },
    NonResource {
        verb: &'a str,
        path: &'a str,
    },
}

/// The decision and its reason, as a subject access review's status gives them (`allowed`,
/// `reason`; RBAC has no opinion rather than a denial).
pub fn authorize(store: &Store, user: &User<'_>, request: &Request<'_>) -> (bool, String) {
    if user.groups.iter().any(|g| g == "system:masters") {
        return (true, String::new());
    }
    let namespace = match request {
        Request::Resource { namespace, .. } => *namespace,
        Request::NonResource { .. } => "",
    };
    let mut allowed_by = None;
    let errors = visit(store, user, namespace, |source, rule| {
        if rule_allows(rule, request) {
            allowed_by = Some(source());
            return false;
        }
        true
    });
    if let Some(source) = allowed_by {
        return (true, format!("RBAC: allowed by {source}"));
    }
    let reason = if errors.is_empty() {
        String::new()
    } else {
        format!("RBAC: {}", aggregate(&errors))
    };
    (false, reason)
}

/// Go's aggregate of errors (`utilerrors.NewAggregate`): one error's message, several in brackets.
pub fn aggregate(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// The rules of every binding of `user` (`RulesFor`): the cluster role bindings', then those of
/// the role bindings in `namespace`; and the errors of roles not found.
pub fn rules_for(store: &Store, user: &User<'_>, namespace: &str) -> (Vec<Value>, Vec<String>) {
    let mut rules = Vec::new();
    let errors = visit(store, user, namespace, |_, rule| {
        rules.push(rule.clone());
        true
    });
    (rules, errors)
}

/// `VisitRulesFor`: each rule of each role bound to `user` — by the cluster role bindings, in name
/// order (the real server's cache lists them in map order), then by the role bindings of
/// `namespace` — with a description of its binding, until `visitor` says stop; the errors of
/// roles not found.
fn visit(
    store: &Store,
    user: &User<'_>,
    namespace: &str,
    mut visitor: impl FnMut(&dyn Fn() -> String, &Value) -> bool,
) -> Vec<String> {
    let mut errors: Vec<String> = Vec::new();
    let bindings = |plural: &'static str, ns: &str| -> Vec<Arc<super::store::Stored>> {
        store
            .objects
            .iter()
            .filter(|((res, ons, _), _)| *res == plural && ons == ns)
            .map(|(_, s)| s.clone())
            .collect()
    };
    let mut sources = bindings("clusterrolebindings", "");
    let cluster_count = sources.len();
    if !namespace.is_empty() {
        sources.extend(bindings("rolebindings", namespace));
    }
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    for (i, binding) in sources.iter().enumerate() {
        let binding = &binding.obj;
        let bound_in = if i < cluster_count { "" } else { namespace };
        let Some(subject) = binding
            .get("subjects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|s| applies(user, s, bound_in))
        else {
            continue;
        };
        let role_ref = &binding["roleRef"];
        let (ref_kind, ref_name) = (text(role_ref, "kind"), text(role_ref, "name"));
        let (plural, what, role_ns) = if ref_kind == "ClusterRole" {
            ("clusterroles", "clusterrole", "")
        } else {
            ("roles", "role", bound_in)
        };
        let Some(role) = store
            .objects
            .get(&(plural, role_ns.to_string(), ref_name.clone()))
        else {
            errors.push(format!(
                "{what}.rbac.authorization.k8s.io \"{ref_name}\" not found"
            ));
            continue;
        };
        let source = || {
            let name = text(&binding["metadata"], "name");
            if bound_in.is_empty() {
                format!(
                    "ClusterRoleBinding {name:?} of {ref_kind} {ref_name:?} to {}",
                    describe(subject, "")
                )
            } else {
                format!(
                    "RoleBinding {:?} of {ref_kind} {ref_name:?} to {}",
                    format!("{name}/{bound_in}"),
                    describe(subject, bound_in)
                )
            }
        };
        let rules = role.obj.get("rules").and_then(Value::as_array);
        for rule in rules.into_iter().flatten() {
            if !visitor(&source, rule) {
                return errors;
            }
        }
    }
    errors
}

/// Whether a binding's subject is the user (`appliesToUser`).
fn applies(user: &User<'_>, subject: &Value, namespace: &str) -> bool {
    let text = |k: &str| subject.get(k).and_then(Value::as_str).unwrap_or("");
    match text("kind") {
        "User" => user.name == text("name"),
        "Group" => user.groups.iter().any(|g| g == text("name")),
        "ServiceAccount" => {
            let ns = if text("namespace").is_empty() {
                namespace
            } else {
                text("namespace")
            };
            !ns.is_empty() && user.name == format!("system:serviceaccount:{ns}:{}", text("name"))
        }
        _ => false,
    }
}

/// `describeSubject`.
fn describe(subject: &Value, binding_namespace: &str) -> String {
    let text = |k: &str| subject.get(k).and_then(Value::as_str).unwrap_or("");
    match text("kind") {
        "ServiceAccount" => {
            let ns = if text("namespace").is_empty() {
                binding_namespace
            } else {
                text("namespace")
            };
            format!("ServiceAccount {:?}", format!("{}/{ns}", text("name")))
        }
        kind => format!("{kind} {:?}", text("name")),
    }
}

/// `RuleAllows`: the rule's verbs, API groups, resources (`*/subresource` too) and names, or its
/// non-resource URLs (a trailing `*` a prefix).
fn rule_allows(rule: &Value, request: &Request<'_>) -> bool {
    let list = |k: &str| -> Vec<&str> {
        rule.get(k)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    };
    let has = |k: &str, want: &str, all: &str| list(k).iter().any(|v| *v == all || *v == want);
    match request {
        Request::Resource {
            verb,
            group,
            resource,
            subresource,
            name,
            ..
        } => {
            let combined = if subresource.is_empty() {
                resource.to_string()
            } else {
                format!("{resource}/{subresource}")
            };
            let resource_matches = list("resources").iter().any(|r| {
                *r == "*"
                    || *r == combined
                    || (!subresource.is_empty()
                        && r.len() == subresource.len() + 2
                        && r.starts_with("*/")
                        && r.ends_with(subresource))
            });
            let names = list("resourceNames");
            has("verbs", verb, "*")
                && has("apiGroups", group, "*")
                && resource_matches
                && (names.is_empty() || names.contains(name))
        }
        Request::NonResource { verb, path } => {
            has("verbs", verb, "*")
                && list("nonResourceURLs").iter().any(|u| {
                    *u == "*"
                        || u == path
                        || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
                })
        }
    }
}
