//! Layer 2, semantics: the checks a case names (the patch applied locally equals the answer, the
//! spec left alone by a status write, resourceVersion changed, nothing changed after a failure, …).

use super::diff::{diff_exact, diff_skipping};
use super::{Layer, Mismatch, Observation, mismatch};
use crate::cases::{Check, Expect};
use serde_json::Value;

pub(super) fn check(check: Check, expect: &Expect, obs: &Observation, out: &mut Vec<Mismatch>) {
    use Layer::Semantics as S;
    let name = serde_json::to_value(check)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let actual = obs.json.as_ref();
    let before = obs.before.as_ref();
    let missing = |what: &str| mismatch(S, &name, "", Some(what.into()), None);
    match check {
        Check::JsonPatchApplied | Check::MergePatchApplied => {
            let (Some(before), Some(actual)) = (before, actual) else {
                out.push(missing("the pod before the request and a JSON answer"));
                return;
            };
            let mut expected = before.clone();
            let applied = match check {
                Check::JsonPatchApplied => {
                    serde_json::from_slice::<json_patch::Patch>(&obs.request_body)
                        .map_err(|e| e.to_string())
                        .and_then(|p| {
                            json_patch::patch(&mut expected, &p).map_err(|e| e.to_string())
                        })
                }
                _ => serde_json::from_slice::<Value>(&obs.request_body)
                    .map(|p| json_patch::merge(&mut expected, &p))
                    .map_err(|e| e.to_string()),
            };
            if let Err(e) = applied {
                out.push(mismatch(
                    S,
                    &name,
                    "",
                    Some(Value::String(format!("a patch that applies locally ({e})"))),
                    None,
                ));
                return;
            }
            // The volatile fields are left out on both sides (without copying the answer).
            diff_skipping(
                S,
                &expected,
                actual,
                &mut String::new(),
                &name,
                out,
                crate::kinds::fields::WRITE_VOLATILE,
            );
        }
        Check::SpecUnchanged => {
            let (Some(before), Some(actual)) = (before, actual) else {
                out.push(missing("the pod before the request and a JSON answer"));
                return;
            };
            diff_exact(
                before.get("spec").unwrap_or(&Value::Null),
                actual.get("spec").unwrap_or(&Value::Null),
                &mut String::from("/spec"),
                &name,
                out,
            );
        }
        Check::ResourceVersionChanged => {
            let rv = |v: Option<&Value>| {
                v.and_then(|v| v.pointer("/metadata/resourceVersion"))
                    .cloned()
            };
            let (b, a) = (rv(before), rv(actual));
            if b.is_none() || a.is_none() || a == b {
                out.push(mismatch(
                    S,
                    &name,
                    "/metadata/resourceVersion",
                    Some(Value::String(format!(
                        "a resourceVersion other than {}",
                        b.map(|v| v.to_string()).unwrap_or_else(|| "none".into())
                    ))),
                    a,
                ));
            }
        }
        Check::IdentityPreserved => {
            let (Some(before), Some(actual)) = (before, actual) else {
                out.push(missing("the pod before the request and a JSON answer"));
                return;
            };
            for p in [
                "/metadata/uid",
                "/metadata/name",
                "/metadata/namespace",
                "/metadata/creationTimestamp",
            ] {
                if before.pointer(p) != actual.pointer(p) {
                    out.push(mismatch(
                        S,
                        &name,
                        p,
                        before.pointer(p).cloned(),
                        actual.pointer(p).cloned(),
                    ));
                }
            }
        }
        Check::UnchangedOnFailure => {
            if (200..300).contains(&expect.status) {
                return;
            }
            match (before, obs.after.as_ref()) {
                (Some(b), Some(a)) => diff_exact(b, a, &mut String::new(), &name, out),
                (None, None) => {}
                (b, a) => out.push(mismatch(S, &name, "", b.cloned(), a.cloned())),
            }
        }
        Check::Indented => {
            let indented = obs.body.windows(3).any(|w| w == b"\n  ");
            if !indented {
                out.push(mismatch(
                    S,
                    &name,
                    "",
                    Some("indented JSON".into()),
                    Some("compact JSON".into()),
                ));
            }
        }
    }
}
