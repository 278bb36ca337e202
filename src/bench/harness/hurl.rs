//! The same cases as Hurl files: one `.hurl` file per case with the same HTTP requests as the runner
//! sends, and asserts equivalent to the case's checks where Hurl can express them (status, content
//! type, kind, the error `Status`, each leaf of `expect.include`, the patched fields of a JSON Patch
//! or merge patch, an unchanged spec or pod compared with a capture of it, the resourceVersion and
//! identity against the pod read before). Run with `hurl --test --jobs N`.

use super::raw::{self, RawRequest};
use crate::cases::{Body, Case, Check};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Writes one `.hurl` file per case into `dir` (against `base`, in `namespace`); returns the paths.
pub fn write_files(
    cases: &[Case],
    base: &str,
    namespace: &str,
    dir: &Path,
) -> Result<Vec<PathBuf>, String> {
    let mut paths = Vec::with_capacity(cases.len());
    for case in cases {
        let text = file(case, base, namespace)?;
        let path = dir.join(format!("{}.hurl", case.id));
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        paths.push(path);
    }
    Ok(paths)
}

/// The Hurl file of one case.
pub fn file(case: &Case, base: &str, namespace: &str) -> Result<String, String> {
    let plan = raw::plan(case, base, namespace)?;
    let reads_before =
        !case.fixtures.is_empty() && case.expect.checks.iter().any(|c| *c != Check::Indented);
    let mut out = format!("# {}: {}\n", case.id, case.title);
    let mut i = 0;
    // Pod creation and setup steps.
    if !case.fixtures.is_empty() {
        entry(&mut out, &plan[i], "", "");
        i += 1;
    }
    for _ in &case.setup {
        let r = &plan[i];
        let mut captures = String::new();
        for (var, pointer) in &r.capture {
            let _ = writeln!(captures, "{var}: jsonpath \"{}\"", jsonpath(pointer));
        }
        entry(&mut out, r, &captures, "");
        i += 1;
    }
    if reads_before {
        // Only what the checks use is captured.
        let checks = &case.expect.checks;
        let mut captures = String::new();
        if checks.contains(&Check::UnchangedOnFailure) && !(200..300).contains(&case.expect.status)
        {
            captures.push_str("before: jsonpath \"$\"\n");
        }
        if checks.contains(&Check::SpecUnchanged) {
            captures.push_str("before_spec: jsonpath \"$.spec\"\n");
        }
        if checks.contains(&Check::ResourceVersionChanged) {
            captures.push_str("before_rv: jsonpath \"$.metadata.resourceVersion\"\n");
        }
        if checks.contains(&Check::IdentityPreserved) {
            captures.push_str(
                "before_uid: jsonpath \"$.metadata.uid\"\n\
                 before_name: jsonpath \"$.metadata.name\"\n\
                 before_namespace: jsonpath \"$.metadata.namespace\"\n\
                 before_created: jsonpath \"$.metadata.creationTimestamp\"\n",
            );
        }
        entry(&mut out, &plan[i], &captures, "");
        i += 1;
    }
    entry(&mut out, &plan[i], "", &asserts(case, namespace)?);
    i += 1;
    if !case.fixtures.is_empty() && case.expect.checks.contains(&Check::UnchangedOnFailure) {
        let asserts = if (200..300).contains(&case.expect.status) {
            ""
        } else {
            "jsonpath \"$\" == {{before}}\n"
        };
        entry(&mut out, &plan[i], "", asserts);
        i += 1;
    }
    for r in &plan[i..] {
        entry(&mut out, r, "", "");
    }
    Ok(out)
}

/// One request and its `HTTP` line, then its captures and asserts (lines without the section
/// header).
fn entry(out: &mut String, r: &RawRequest, captures: &str, asserts: &str) {
    let _ = writeln!(out, "\n{} {}", r.method, r.url);
    if let Some(ct) = &r.content_type {
        let _ = writeln!(out, "Content-Type: {ct}");
    }
    for (k, v) in &r.headers {
        let _ = writeln!(out, "{k}: {v}");
    }
    if let Some(body) = &r.body {
        // A multiline string: sent as written (no JSON re-encoding), `{{captures}}` filled in.
        let _ = writeln!(out, "```\n{}\n```", String::from_utf8_lossy(body));
    }
    let mut asserts = asserts.to_string();
    match r.status {
        Some(s) => {
            let _ = writeln!(out, "HTTP {s}");
        }
        None => {
            out.push_str("HTTP *\n");
            asserts.insert_str(0, "status >= 200\nstatus < 300\n");
        }
    }
    if !captures.is_empty() {
        out.push_str("[Captures]\n");
        out.push_str(captures);
    }
    if !asserts.is_empty() {
        out.push_str("[Asserts]\n");
        out.push_str(&asserts);
    }
}

/// The asserts of the request under test.
fn asserts(case: &Case, namespace: &str) -> Result<String, String> {
    let e = &case.expect;
    let mut a = String::from("header \"Content-Type\" startsWith \"application/json\"\n");
    if let Some(kind) = &e.kind {
        let _ = writeln!(a, "jsonpath \"$.kind\" == {}", quote(kind));
    }
    if e.status >= 400 || e.reason.is_some() {
        a.push_str("jsonpath \"$.kind\" == \"Status\"\n");
        let _ = writeln!(a, "jsonpath \"$.code\" == {}", e.status);
        if let Some(reason) = &e.reason {
            let _ = writeln!(a, "jsonpath \"$.reason\" == {}", quote(reason));
        }
    }
    let request_body = || -> Result<Value, String> {
        match &case.request.body {
            Some(Body::Json(v)) => Ok(v.clone()),
            Some(b) => serde_json::from_slice(&b.bytes(&case.file)?).map_err(|e| e.to_string()),
            None => Ok(Value::Null),
        }
    };
    for check in &e.checks {
        match check {
            Check::JsonPatchApplied => {
                for op in request_body()?.as_array().into_iter().flatten() {
                    let path = op["path"].as_str().unwrap_or("");
                    if path.split('/').any(|t| t == "-") {
                        continue; // an append: no JSONPath for "the new last element"
                    }
                    match op["op"].as_str() {
                        Some("add" | "replace") => leaves(&op["value"], path, &mut a, true),
                        Some("remove") => {
                            let _ = writeln!(a, "jsonpath \"{}\" not exists", jsonpath(path));
                        }
                        _ => {}
                    }
                }
            }
            Check::MergePatchApplied => leaves(&request_body()?, "", &mut a, true),
            Check::SpecUnchanged => a.push_str("jsonpath \"$.spec\" == {{before_spec}}\n"),
            Check::ResourceVersionChanged => {
                a.push_str("jsonpath \"$.metadata.resourceVersion\" != \"{{before_rv}}\"\n")
            }
            Check::IdentityPreserved => a.push_str(
                "jsonpath \"$.metadata.uid\" == \"{{before_uid}}\"\n\
                 jsonpath \"$.metadata.name\" == \"{{before_name}}\"\n\
                 jsonpath \"$.metadata.namespace\" == \"{{before_namespace}}\"\n\
                 jsonpath \"$.metadata.creationTimestamp\" == \"{{before_created}}\"\n",
            ),
            // In the entry that reads the pod after the request.
            Check::UnchangedOnFailure => {}
            Check::Indented => a.push_str("body contains \"\\n  \"\n"),
        }
    }
    if let Some(include) = &e.include {
        let mut vars = std::collections::BTreeMap::new();
        vars.insert("namespace".to_string(), namespace.to_string());
        let name = case.id.chars().take(60).collect::<String>();
        vars.insert("name".to_string(), name.trim_end_matches('-').to_string());
        let mut include = include.clone();
        expand_json(&mut include, &vars);
        for pointer in e.environmental.keys() {
            remove(&mut include, pointer);
        }
        leaves(&include, "", &mut a, false);
    }
    Ok(a)
}

/// One assert per leaf of `v` at JSON Pointer `at`; with `null_absent`, a null means "not there"
/// (a merge patch's deletion).
fn leaves(v: &Value, at: &str, out: &mut String, null_absent: bool) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                leaves(
                    x,
                    &format!("{at}/{}", crate::json_pointer::escape(k)),
                    out,
                    null_absent,
                )
            }
        }
        Value::Array(xs) if !xs.is_empty() => {
            for (i, x) in xs.iter().enumerate() {
                leaves(x, &format!("{at}/{i}"), out, null_absent)
            }
        }
        Value::Null if null_absent => {
            let _ = writeln!(out, "jsonpath \"{}\" not exists", jsonpath(at));
        }
        Value::String(s) => {
            let _ = writeln!(out, "jsonpath \"{}\" == {}", jsonpath(at), quote(s));
        }
        Value::Object(_) | Value::Array(_) => {
            let _ = writeln!(out, "jsonpath \"{}\" count == 0", jsonpath(at));
        }
        other => {
            let _ = writeln!(out, "jsonpath \"{}\" == {other}", jsonpath(at));
        }
    }
}

/// A JSON Pointer as a JSONPath (`/a/0/b-c` → `$.a[0]['b-c']`), escaped for a Hurl quoted string.
pub fn jsonpath(pointer: &str) -> String {
    let mut out = String::from("$");
    for token in crate::json_pointer::tokens(pointer) {
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            let _ = write!(out, "[{token}]");
        } else if !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !token.as_bytes()[0].is_ascii_digit()
        {
            let _ = write!(out, ".{token}");
        } else {
            let _ = write!(out, "['{}']", token.replace('\'', "\\'"));
        }
    }
    out.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A Hurl quoted string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn expand_json(v: &mut Value, vars: &std::collections::BTreeMap<String, String>) {
    match v {
        Value::String(s) => *s = crate::runner::template::expand(s, vars),
        Value::Array(a) => a.iter_mut().for_each(|x| expand_json(x, vars)),
        Value::Object(m) => m.values_mut().for_each(|x| expand_json(x, vars)),
        _ => {}
    }
}

fn remove(v: &mut Value, pointer: &str) {
    if let Some((parent, last)) = crate::json_pointer::split_last(pointer)
        && let Some(Value::Object(m)) = v.pointer_mut(parent)
    {
        m.remove(last.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_jsonpaths() {
        assert_eq!(jsonpath(""), "$");
        assert_eq!(
            jsonpath("/spec/containers/0/image"),
            "$.spec.containers[0].image"
        );
        assert_eq!(
            jsonpath("/metadata/labels/a~1b"),
            "$.metadata.labels['a/b']"
        );
    }

    #[test]
    fn every_generated_kind_becomes_a_hurl_file() {
        for case in super::super::generate::cases(8) {
            let text = file(&case, "http://127.0.0.1:1", "ns").unwrap();
            assert!(text.contains("HTTP "), "{text}");
            assert!(text.contains("[Asserts]"), "{text}");
        }
    }
}
