//! The strategies of rbac.authorization.k8s.io/v1 (`pkg/registry/rbac`, `pkg/apis/rbac/v1/defaults.go`,
//! `pkg/apis/rbac/validation`): roles, cluster roles and their bindings. Aggregation rules are
//! stored as given (no controller fills the rules in); the client is allowed everything, so the
//! escalation checks never refuse.

use super::label_selector::LabelSelector;
use super::{Strategy, go_strings, strings};
use crate::server::pod::dns1123_subdomain;
use crate::server::status::Cause;
use serde_json::{Value, json};

const GROUP: &str = "rbac.authorization.k8s.io";

pub(super) fn for_kind(kind: &str) -> Option<&'static dyn Strategy> {
    Some(match kind {
        "Role" => &Role { namespaced: true },
        "ClusterRole" => &Role { namespaced: false },
        "RoleBinding" => &Binding { namespaced: true },
        "ClusterRoleBinding" => &Binding { namespaced: false },
        _ => return None,
    })
}

/// `ValidateRBACName`: a path segment name.
pub(super) fn path_segment_name(name: &str) -> Option<String> {
    if name == "." || name == ".." {
        return Some(format!("may not be '{name}'"));
    }
    for bad in ["/", "%"] {
        if name.contains(bad) {
            return Some(format!("may not contain '{bad}'"));
        }
    }
    None
}

/// A Role or a ClusterRole: each rule names verbs, and API groups and resources (or, only in a
/// cluster role, non-resource URLs); a cluster role's aggregation rule has valid selectors.
struct Role {
    namespaced: bool,
}
impl Strategy for Role {
    fn name_rule(&self) -> fn(&str) -> Option<String> {
        path_segment_name
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let rules = obj.get("rules").and_then(Value::as_array);
        for (i, rule) in rules.into_iter().flatten().enumerate() {
            let at = format!("rules[{i}]");
            if strings(rule.get("verbs")).is_empty() {
                errs.push(Cause::required_because(
                    format!("{at}.verbs"),
                    "verbs must contain at least one value",
                ));
            }
            let urls = strings(rule.get("nonResourceURLs"));
            if !urls.is_empty() {
                let field = format!("{at}.nonResourceURLs");
                if self.namespaced {
                    errs.push(Cause {
                        reason: "FieldValueInvalid",
                        message: format!(
                            "Invalid value: {}: namespaced rules cannot apply to non-resource URLs",
                            go_strings(&urls)
                        ),
                        field: field.clone(),
                    });
                }
                let resources = ["apiGroups", "resources", "resourceNames"]
                    .iter()
                    .any(|k| !strings(rule.get(*k)).is_empty());
                if resources {
                    errs.push(Cause {
                        reason: "FieldValueInvalid",
                        message: format!(
                            "Invalid value: {}: rules cannot apply to both regular resources and non-resource URLs",
                            go_strings(&urls)
                        ),
                        field,
                    });
                }
                continue;
            }
            if strings(rule.get("apiGroups")).is_empty() {
                errs.push(Cause::required_because(
                    format!("{at}.apiGroups"),
                    "resource rules must supply at least one api group",
                ));
            }
            if strings(rule.get("resources")).is_empty() {
                errs.push(Cause::required_because(
                    format!("{at}.resources"),
                    "resource rules must supply at least one resource",
                ));
            }
        }
        if let Some(rule) = obj.get("aggregationRule").filter(|r| !r.is_null()) {
            let selectors = rule.get("clusterRoleSelectors").and_then(Value::as_array);
            if selectors.is_none_or(|s| s.is_empty()) {
                errs.push(Cause::required_because(
                    "aggregationRule.clusterRoleSelectors",
                    "at least one clusterRoleSelector required if aggregationRule is non-nil",
                ));
            }
            for (i, s) in selectors.into_iter().flatten().enumerate() {
                let at = format!("aggregationRule.clusterRoleSelectors[{i}]");
                let selector = LabelSelector::from_value(Some(s));
                errs.extend(selector.validate(&at));
                if !selector.valid() {
                    errs.push(Cause {
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \"null\": invalid label selector.".into(),
                        field: at,
                    });
                }
            }
        }
        errs
    }
}

/// A RoleBinding or a ClusterRoleBinding: the role reference (defaulted to the RBAC group) names
/// a role of the right kind and never changes; each subject is a service account, a user or a
/// group.
struct Binding {
    namespaced: bool,
}

fn role_ref_repr(obj: &Value) -> String {
    let text = |k: &str| {
        obj.pointer(&format!("/roleRef/{k}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    format!(
        "rbac.RoleRef{{APIGroup:{:?}, Kind:{:?}, Name:{:?}}}",
        text("apiGroup"),
        text("kind"),
        text("name")
    )
}

impl Strategy for Binding {
    fn name_rule(&self) -> fn(&str) -> Option<String> {
        path_segment_name
    }
    fn default(&self, obj: &mut Value) {
        if let Some(r) = obj.get_mut("roleRef").and_then(Value::as_object_mut)
            && r.get("apiGroup")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
        {
            r.insert("apiGroup".into(), json!(GROUP));
        }
        let subjects = obj.get_mut("subjects").and_then(Value::as_array_mut);
        for s in subjects.into_iter().flatten() {
            let Some(s) = s.as_object_mut() else { continue };
            if s.get("apiGroup")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
            {
                match s.get("kind").and_then(Value::as_str) {
                    Some("User" | "Group") => {
                        s.insert("apiGroup".into(), json!(GROUP));
                    }
                    Some("ServiceAccount") => {
                        s.insert("apiGroup".into(), json!(""));
                    }
                    _ => {}
                }
            }
        }
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let text = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("");
        let group = text("/roleRef/apiGroup");
        if group != GROUP {
            errs.push(Cause::not_supported(
                "roleRef.apiGroup",
                &json!(group),
                &[GROUP],
            ));
        }
        let kinds: &[&str] = if self.namespaced {
            &["Role", "ClusterRole"]
        } else {
            &["ClusterRole"]
        };
        let kind = text("/roleRef/kind");
        if !kinds.contains(&kind) {
            errs.push(Cause::not_supported("roleRef.kind", &json!(kind), kinds));
        }
        let name = text("/roleRef/name");
        if name.is_empty() {
            errs.push(Cause::required("roleRef.name"));
        } else if let Some(why) = path_segment_name(name) {
            errs.push(Cause::invalid("roleRef.name", &json!(name), &why));
        }
        let subjects = obj.get("subjects").and_then(Value::as_array);
        for (i, s) in subjects.into_iter().flatten().enumerate() {
            let at = format!("subjects[{i}]");
            let text = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or("");
            let name = text("name");
            if name.is_empty() {
                errs.push(Cause::required(format!("{at}.name")));
            }
            match text("kind") {
                "ServiceAccount" => {
                    if !name.is_empty()
                        && let Some(why) = dns1123_subdomain(name)
                    {
                        errs.push(Cause::invalid(format!("{at}.name"), &json!(name), &why));
                    }
                    if !text("apiGroup").is_empty() {
                        errs.push(Cause::not_supported(
                            format!("{at}.apiGroup"),
                            &json!(text("apiGroup")),
                            &[""],
                        ));
                    }
                    if !self.namespaced && text("namespace").is_empty() {
                        errs.push(Cause::required(format!("{at}.namespace")));
                    }
                }
                "User" | "Group" => {
                    if text("apiGroup") != GROUP {
                        errs.push(Cause::not_supported(
                            format!("{at}.apiGroup"),
                            &json!(text("apiGroup")),
                            &[GROUP],
                        ));
                    }
                }
                other => errs.push(Cause::not_supported(
                    format!("{at}.kind"),
                    &json!(other),
                    &["ServiceAccount", "User", "Group"],
                )),
            }
        }
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        if new.get("roleRef") != old.get("roleRef") {
            errs.push(Cause {
                reason: "FieldValueInvalid",
                message: format!(
                    "Invalid value: {}: cannot change roleRef",
                    role_ref_repr(new)
                ),
                field: "roleRef".into(),
            });
        }
        errs
    }
}
