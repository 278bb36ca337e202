//! `Status` error objects, shaped exactly like kube-apiserver's (`k8s.io/apimachinery/pkg/api/errors`).

use serde_json::{Map, Value, json};

/// A failed API request: becomes a `Status` object with the same code, reason and details as the real
/// server would send.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: u16,
    /// `reason` field; empty for errors that carry none (e.g. an internal error from a merge patch).
    pub reason: &'static str,
    pub message: String,
    /// Boxed: errors travel through every handler's `Result`, so they are kept small.
    pub details: Box<Details>,
}

/// The `details` member of a `Status`: absent, `{}`, or `{name, kind[, causes]}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Details {
    None,
    Empty,
    /// `{name, kind, causes}`, each member left out when empty (Go's `omitempty`).
    Object {
        name: String,
        group: String,
        kind: String,
        causes: Vec<Cause>,
    },
}

/// One entry of `details.causes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cause {
    pub reason: &'static str,
    pub message: String,
    pub field: String,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>, details: Details) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: Box::new(details),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message, Details::None)
    }

    /// `pods "x" not found`; of a named group's resource `deployments.apps "x" not found`.
    /// 403 Forbidden of `resource` (qualified: `deployments.apps`), named or not, for `why`.
    pub fn forbidden(resource: &str, name: &str, why: &str) -> Self {
        let message = if name.is_empty() {
            format!("{resource} is forbidden: {why}")
        } else {
            format!("{resource} \"{name}\" is forbidden: {why}")
        };
        Self::new(403, "Forbidden", message, named(resource, name))
    }

    pub fn not_found(resource: &str, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{resource} \"{name}\" not found"),
            named(resource, name),
        )
    }

    /// The 404 for a path no resource is served at.
    pub fn no_route() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
            Details::Empty,
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            Details::Empty,
        )
    }

    pub fn already_exists(resource: &str, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{resource} \"{name}\" already exists"),
            named(resource, name),
        )
    }

    pub fn conflict(resource: &str, name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; \
                 please apply your changes to the latest version and try again"
            ),
            named(resource, name),
        )
    }

    /// 409 Conflict for a reason of its own (`why`: failed preconditions, a pod already bound).
    pub fn conflict_with(resource: &str, name: &str, why: String) -> Self {
        Self::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {resource} \"{name}\": {why}"),
            named(resource, name),
        )
    }

    /// 415 for a create/update body in a media type the server cannot decode.
    pub fn unsupported_body_type() -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: \
             application/json, application/yaml, application/vnd.kubernetes.protobuf",
            Details::None,
        )
    }

    /// 422 from a JSON Patch that cannot be applied (`details: {}`, generic message).
    pub fn patch_rejected() -> Self {
        Self::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
            Details::Empty,
        )
    }

    /// [`ApiError::invalid`] of a kind of a named group: `Kind.group "name" is invalid: …`.
    pub fn invalid_in_group(kind: &str, group: &str, name: &str, causes: Vec<Cause>) -> Self {
        Self::invalid(&format!("{kind}.{group}"), name, causes)
    }

    /// 422 Invalid with field causes: `Pod "x" is invalid: [cause, cause]`; `kind` may name its
    /// group (`Deployment.apps`), which the details then give apart.
    pub fn invalid(kind: &str, name: &str, causes: Vec<Cause>) -> Self {
        // Go's aggregate error: each distinct text once, in brackets when more than one.
        let mut parts: Vec<String> = Vec::new();
        for t in causes.iter().map(cause_text) {
            if !parts.contains(&t) {
                parts.push(t);
            }
        }
        let joined = if parts.len() == 1 {
            parts.remove(0)
        } else {
            format!("[{}]", parts.join(", "))
        };
        let (bare, group) = kind.split_once('.').unwrap_or((kind, ""));
        Self::new(
            422,
            "Invalid",
            format!("{kind} \"{name}\" is invalid: {joined}"),
            Details::Object {
                name: name.to_string(),
                group: group.to_string(),
                kind: bare.to_string(),
                causes,
            },
        )
    }

    /// 422 for an invalid request option, e.g. `?dryRun=Foo` on a PATCH:
    /// `PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ...`.
    pub fn invalid_option(options_kind: &str, cause: Cause) -> Self {
        Self::new(
            422,
            "Invalid",
            format!(
                "{options_kind}.meta.k8s.io \"\" is invalid: {}",
                cause_text(&cause)
            ),
            Details::Object {
                name: String::new(),
                group: "meta.k8s.io".into(),
                kind: options_kind.to_string(),
                causes: vec![cause],
            },
        )
    }

    /// 409 of an apply with conflicts (`NewApplyConflict`): details with the causes only.
    pub fn apply_conflict(message: String, causes: Vec<Cause>) -> Self {
        Self::new(
            409,
            "Conflict",
            message,
            Details::Object {
                name: String::new(),
                group: String::new(),
                kind: String::new(),
                causes,
            },
        )
    }

    /// 415 for a PATCH whose content type is none of the three patch types.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            "415: Unsupported Media Type",
            Details::Empty,
        )
    }

    /// 413 for a body over `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Self::entity_too_large(format!("limit is {limit}"))
    }

    /// 413 RequestEntityTooLarge without details: `Request entity too large: {why}`.
    pub fn entity_too_large(why: impl std::fmt::Display) -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: {why}"),
            Details::None,
        )
    }

    /// A 500 without a reason, as a failed merge patch gives in v1.20.
    /// 503 `ServiceUnavailable`.
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "ServiceUnavailable", message, Details::None)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "", message, Details::None)
    }

    /// The `Status` object for this error (fields in the real server's order).
    pub fn to_status(&self) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), json!("Status"));
        m.insert("apiVersion".into(), json!("v1"));
        m.insert("metadata".into(), json!({}));
        m.insert("status".into(), json!("Failure"));
        m.insert("message".into(), json!(self.message));
        if !self.reason.is_empty() {
            m.insert("reason".into(), json!(self.reason));
        }
        match &*self.details {
            Details::None => {}
            Details::Empty => {
                m.insert("details".into(), json!({}));
            }
            Details::Object {
                name,
                group,
                kind,
                causes,
            } => {
                let mut d = Map::new();
                if !name.is_empty() {
                    d.insert("name".into(), json!(name));
                }
                if !group.is_empty() {
                    d.insert("group".into(), json!(group));
                }
                if !kind.is_empty() {
                    d.insert("kind".into(), json!(kind));
                }
                if !causes.is_empty() {
                    let cs: Vec<Value> = causes
                        .iter()
                        .map(
                            |c| json!({"reason": c.reason, "message": c.message, "field": c.field}),
                        )
                        .collect();
                    d.insert("causes".into(), Value::Array(cs));
                }
                m.insert("details".into(), Value::Object(d));
            }
        }
        m.insert("code".into(), json!(self.code));
        Value::Object(m)
    }
}

/// The details of an error about one object; `resource` may name its group (`deployments.apps`).
fn named(resource: &str, name: &str) -> Details {
    let (plural, group) = resource.split_once('.').unwrap_or((resource, ""));
    Details::Object {
        name: name.to_string(),
        group: group.to_string(),
        kind: plural.to_string(),
        causes: Vec::new(),
    }
}

fn cause_text(c: &Cause) -> String {
    format!("{}: {}", c.field, c.message)
}

impl Cause {
    /// `field: Required value`.
    pub fn required(field: impl Into<String>) -> Self {
        Cause {
            reason: "FieldValueRequired",
            message: "Required value".into(),
            field: field.into(),
        }
    }

    /// `field: Required value: why`.
    pub fn required_because(field: impl Into<String>, why: &str) -> Self {
        Cause {
            reason: "FieldValueRequired",
            message: format!("Required value: {why}"),
            field: field.into(),
        }
    }

    /// `field: Invalid value: "v": why`.
    pub fn invalid(field: impl Into<String>, value: &Value, why: &str) -> Self {
        let shown = match value {
            Value::String(s) => format!("{s:?}"),
            other => other.to_string(),
        };
        Cause {
            reason: "FieldValueInvalid",
            message: format!("Invalid value: {shown}: {why}"),
            field: field.into(),
        }
    }

    /// `field: Invalid value: <shown>: why`, with the value already rendered (Go's `%#v`).
    pub fn invalid_shown(field: impl Into<String>, shown: &str, why: &str) -> Self {
        Cause {
            reason: "FieldValueInvalid",
            message: format!("Invalid value: {shown}: {why}"),
            field: field.into(),
        }
    }

    /// `field: Forbidden: why`.
    pub fn forbidden(field: impl Into<String>, why: impl Into<String>) -> Self {
        Cause {
            reason: "FieldValueForbidden",
            message: format!("Forbidden: {}", why.into()),
            field: field.into(),
        }
    }

    /// `field: Duplicate value: "v"`.
    pub fn duplicate(field: impl Into<String>, value: &Value) -> Self {
        Cause {
            reason: "FieldValueDuplicate",
            message: format!("Duplicate value: {value}"),
            field: field.into(),
        }
    }

    /// `field: Unsupported value: "v": supported values: "a", "b"`.
    pub fn not_supported(field: impl Into<String>, value: &Value, supported: &[&str]) -> Self {
        Self::not_supported_shown(field, &value.to_string(), supported)
    }

    /// Like [`Cause::not_supported`] with the value already rendered (Go's `%#v`).
    pub fn not_supported_shown(field: impl Into<String>, shown: &str, supported: &[&str]) -> Self {
        let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        Cause {
            reason: "FieldValueNotSupported",
            message: format!(
                "Unsupported value: {shown}: supported values: {}",
                list.join(", ")
            ),
            field: field.into(),
        }
    }
}
