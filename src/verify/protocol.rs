//! Layer 1, protocol: the status code, the content type, the kind, and an error's `Status`.

use super::{Layer, Mismatch, Observation, mismatch};
use crate::cases::Expect;
use serde_json::Value;

pub(super) fn check(expect: &Expect, obs: &Observation, out: &mut Vec<Mismatch>) {
    use Layer::Protocol as P;
    if obs.status != expect.status {
        out.push(mismatch(
            P,
            "status",
            "",
            Some(expect.status.into()),
            Some(obs.status.into()),
        ));
    }
    let ct = obs.content_type.as_deref().unwrap_or("");
    if !ct.starts_with("application/json") {
        out.push(mismatch(
            P,
            "content_type",
            "",
            Some("application/json".into()),
            Some(ct.into()),
        ));
    }
    let Some(json) = &obs.json else {
        out.push(mismatch(
            P,
            "json",
            "",
            Some("a JSON body".into()),
            Some(Value::String(
                String::from_utf8_lossy(&obs.body)
                    .chars()
                    .take(200)
                    .collect(),
            )),
        ));
        return;
    };
    let field = |k: &str| json.get(k).cloned();
    let answer_kind = field("kind");
    let answer_kind = answer_kind.as_ref().and_then(Value::as_str);
    if let Some(kind) = &expect.kind
        && answer_kind != Some(kind.as_str())
        && !answer_kind.is_some_and(|k| expect.alternative_kinds.iter().any(|a| a == k))
    {
        out.push(mismatch(
            P,
            "kind",
            "/kind",
            Some(kind.as_str().into()),
            field("kind"),
        ));
    }
    if expect.status >= 400 || expect.reason.is_some() {
        // An error is a Status object whose code is the HTTP status.
        if field("kind").as_ref().and_then(Value::as_str) != Some("Status") {
            out.push(mismatch(
                P,
                "kind",
                "/kind",
                Some("Status".into()),
                field("kind"),
            ));
        }
        if field("code").and_then(|c| c.as_u64()) != Some(u64::from(obs.status)) {
            out.push(mismatch(
                P,
                "code",
                "/code",
                Some(obs.status.into()),
                field("code"),
            ));
        }
        if let Some(reason) = &expect.reason {
            let actual = field("reason");
            let actual_str = actual.as_ref().and_then(Value::as_str).unwrap_or("");
            if actual_str != reason {
                out.push(mismatch(
                    P,
                    "reason",
                    "/reason",
                    Some(reason.as_str().into()),
                    actual,
                ));
            }
        }
    }
}
