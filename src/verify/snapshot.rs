//! Layer 4: snapshots. The whole answer, normalized, kept per case as an insta snapshot file
//! (`snapshots/<case id>.snap`), reviewed and accepted with `cargo insta review`.
//!
//! Normalization replaces what differs on every run by a placeholder, but only where the value has
//! the right shape: `[uid]` only for a UUID, `[timestamp]` only for an RFC 3339 time, so a server
//! that returns garbage there still differs from the accepted snapshot. The run's namespace becomes
//! `[namespace]` wherever it appears. A case may redact more (`expect.snapshot.redact`), each pointer
//! with its reason.
//!
//! A differing or missing snapshot is a failure with JSON-Pointer paths, and the new one is written
//! beside the accepted one as `<id>.snap.new` (a pending snapshot) for review. Pending snapshots never
//! overwrite accepted ones; `INSTA_UPDATE` is honoured as insta does (`no` writes nothing, `always`
//! accepts directly, the default `auto` writes pending snapshots except under CI).

use crate::verify::{Layer, Mismatch, diff_exact_at};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where snapshots live and what a run may write there.
#[derive(Debug, Clone)]
pub struct Snapshots {
    pub dir: PathBuf,
    pub update: Update,
}

/// What to write when a snapshot is new or differs (insta's `INSTA_UPDATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// Write nothing (`INSTA_UPDATE=no`, and the default under CI).
    No,
    /// Write `<id>.snap.new` for review (`new`, and the default `auto` outside CI).
    Pending,
    /// Write `<id>.snap` directly (`always`), but only for answers that passed layers 1–3.
    Accept,
}

impl Update {
    /// From `INSTA_UPDATE` and `CI`, as insta reads them.
    pub fn from_env() -> Result<Update, SnapshotError> {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        match std::env::var("INSTA_UPDATE").as_deref() {
            Err(_) | Ok("") | Ok("auto") => Ok(if ci { Update::No } else { Update::Pending }),
            Ok("new") | Ok("unseen") => Ok(Update::Pending),
            Ok("always") | Ok("1") => Ok(Update::Accept),
            Ok("no") | Ok("0") => Ok(Update::No),
            Ok(other) => Err(SnapshotError::Setting(other.to_string())),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("INSTA_UPDATE={0:?} is not one of auto, new, always, no")]
    Setting(String),
}

/// The answer as a snapshot holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub status: u16,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Json(Value),
    Text(String),
}

/// What the snapshot layer found for one case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checked {
    pub mismatches: Vec<Mismatch>,
    /// A file written for review or accepted directly (its path), if any.
    pub written: Option<Written>,
    /// A problem reading or writing snapshot files (reported, and the case fails).
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    Pending(PathBuf),
    Accepted(PathBuf),
}

/// What identifies a case's snapshot and is shown by `cargo insta review`.
pub struct Meta<'a> {
    pub id: &'a str,
    /// The case file, shown as the snapshot's source.
    pub source: &'a Path,
    pub title: &'a str,
    /// The request, e.g. `PATCH /api/v1/namespaces/{namespace}/pods/{name}`.
    pub request: &'a str,
}

impl Content {
    /// The normalized answer: built-in shape-checked redactions, the run's namespace, and the case's
    /// own redactions (JSON Pointers, `*` for any array index or key).
    pub fn of(
        status: u16,
        body: &[u8],
        namespace: &str,
        redact: &BTreeMap<String, String>,
    ) -> Content {
        Content::of_parsed(
            status,
            serde_json::from_slice::<Value>(body).ok(),
            body,
            namespace,
            redact,
        )
    }

    /// [`Content::of`] for an answer already parsed: `json` is `body` as JSON, if it is JSON.
    pub fn of_parsed(
        status: u16,
        json: Option<Value>,
        body: &[u8],
        namespace: &str,
        redact: &BTreeMap<String, String>,
    ) -> Content {
        let body = match json {
            Some(mut v) => {
                normalize(&mut v, None, namespace);
                for pointer in redact.keys() {
                    redact_pointer(&mut v, pointer);
                }
                Body::Json(v)
            }
            None if namespace.is_empty() => Body::Text(String::from_utf8_lossy(body).into_owned()),
            None => Body::Text(
                String::from_utf8_lossy(body)
                    .replace(namespace, "[namespace]")
                    .replace(run_token(namespace), "[run]"),
            ),
        };
        Content { status, body }
    }

    /// The snapshot text: `HTTP <status>`, then the body (JSON indented, in the server's field
    /// order).
    pub fn to_text(&self) -> String {
        let body = match &self.body {
            Body::Json(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
            Body::Text(t) => t.clone(),
        };
        format!("HTTP {}\n{}", self.status, body)
    }

    /// Reads a snapshot text back (as written by [`Content::to_text`]).
    pub fn from_text(text: &str) -> Option<Content> {
        let (head, body) = text.split_once('\n').unwrap_or((text, ""));
        let status = head.strip_prefix("HTTP ")?.trim().parse().ok()?;
        let body = match serde_json::from_str(body) {
            Ok(v) => Body::Json(v),
            Err(_) => Body::Text(body.to_string()),
        };
        Some(Content { status, body })
    }
}

impl Snapshots {
    /// The accepted snapshot of a case.
    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.snap"))
    }

    /// The pending (new, unreviewed) snapshot of a case.
    pub fn pending_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.snap.new"))
    }

    /// Compares the answer with the case's accepted snapshot; writes a pending one if it is new or
    /// differs. `contract_passed` tells whether layers 1–3 passed (only then may `always` accept).
    pub fn check(&self, meta: &Meta, actual: &Content, contract_passed: bool) -> Checked {
        let mut out = Checked::default();
        let path = self.path(meta.id);
        let accepted = match read_accepted(&path) {
            Ok(a) => a,
            Err(e) => {
                out.problem = Some(e);
                return out;
            }
        };
        let text = actual.to_text();
        match &accepted {
            Some(old) if old.trim_end() == text.trim_end() => {
                // Up to date: a pending snapshot left from an earlier run is stale.
                if self.update != Update::No {
                    let _ = std::fs::remove_file(self.pending_path(meta.id));
                }
                return out;
            }
            Some(old) => out.mismatches = diff(old, actual),
            None => out.mismatches.push(Mismatch {
                layer: Layer::Snapshot,
                check: "snapshot".into(),
                path: String::new(),
                expected: Some(Value::String(format!(
                    "an accepted snapshot {}",
                    path.display()
                ))),
                actual: Some("none yet".into()),
            }),
        }
        let target = match self.update {
            Update::No => return out,
            Update::Accept if contract_passed => Written::Accepted(path),
            _ => Written::Pending(self.pending_path(meta.id)),
        };
        let file = match &target {
            Written::Accepted(p) | Written::Pending(p) => p,
        };
        match crate::fsutil::write_atomic_in_new_dir(
            file,
            render(meta, &text, matches!(target, Written::Pending(_))).as_bytes(),
        ) {
            Ok(()) => {
                if matches!(target, Written::Accepted(_)) {
                    out.mismatches.clear();
                    let _ = std::fs::remove_file(self.pending_path(meta.id));
                }
                out.written = Some(target);
            }
            Err(e) => out.problem = Some(e.to_string()),
        }
        out
    }
}

/// The accepted snapshot's text, read with insta's own parser (so that what `cargo insta review`
/// accepts is what is compared). `None` if there is none.
fn read_accepted(path: &Path) -> Result<Option<String>, String> {
    if !path.exists() {
        return Ok(None);
    }
    let snap = insta::Snapshot::from_file(path).map_err(|e| {
        format!(
            "cannot read the snapshot {}: {e}\n  hint: delete it and run again to record a new one",
            path.display()
        )
    })?;
    match snap.contents().as_text() {
        Some(t) => Ok(Some(t.to_string())),
        None => Err(format!("{} is not a text snapshot", path.display())),
    }
}

/// Structured differences between an accepted snapshot and the answer.
fn diff(accepted: &str, actual: &Content) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let whole = |expected: Value, actual: Value| Mismatch {
        layer: Layer::Snapshot,
        check: "snapshot".into(),
        path: String::new(),
        expected: Some(expected),
        actual: Some(actual),
    };
    let Some(old) = Content::from_text(accepted) else {
        out.push(whole(
            "a snapshot starting with `HTTP <status>`".into(),
            accepted.lines().next().unwrap_or("").into(),
        ));
        return out;
    };
    if old.status != actual.status {
        out.push(Mismatch {
            layer: Layer::Snapshot,
            check: "snapshot_status".into(),
            path: String::new(),
            expected: Some(old.status.into()),
            actual: Some(actual.status.into()),
        });
    }
    match (&old.body, &actual.body) {
        (Body::Json(e), Body::Json(a)) => diff_exact_at(
            Layer::Snapshot,
            e,
            a,
            &mut String::new(),
            "snapshot",
            &mut out,
        ),
        (Body::Text(e), Body::Text(a)) if e == a => {}
        (e, a) => out.push(whole(body_value(e), body_value(a))),
    }
    if out.is_empty() {
        // Same values, other text: the fields come in another order.
        let actual_text = actual.to_text();
        let first = accepted
            .lines()
            .zip(actual_text.lines())
            .find(|(a, b)| a != b);
        out.push(whole(
            format!(
                "fields in the accepted order ({})",
                first.map(|f| f.0.trim()).unwrap_or("")
            )
            .into(),
            first.map(|f| f.1.trim()).unwrap_or("").into(),
        ));
    }
    out
}

fn body_value(b: &Body) -> Value {
    match b {
        Body::Json(v) => v.clone(),
        Body::Text(t) => Value::String(t.clone()),
    }
}

/// The snapshot file: insta's header (what `cargo insta review` shows), then the content.
fn render(meta: &Meta, text: &str, pending: bool) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut out = String::from("---\n");
    out.push_str(&format!(
        "source: {}\n",
        q(&meta.source.to_string_lossy().replace('\\', "/"))
    ));
    if pending {
        // insta's pending files carry the line of the assertion; a case file has it at line 1.
        out.push_str("assertion_line: 1\n");
    }
    // (insta shows an `expression` as Rust code; the request goes with the title instead.)
    out.push_str(&format!(
        "description: {}\n",
        q(&format!("{} — {}", meta.request, meta.title))
    ));
    out.push_str("---\n");
    out.push_str(text.trim_end());
    out.push('\n');
    out
}

/// Built-in redactions, each only where the value has the expected shape.
fn normalize(v: &mut Value, key: Option<&str>, namespace: &str) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                normalize(x, Some(k), namespace);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| normalize(x, None, namespace)),
        Value::String(s) => {
            let placeholder = match key {
                Some("uid") if is_uuid(s) => Some("[uid]"),
                Some("resourceVersion") if !s.is_empty() => Some("[resourceVersion]"),
                Some(k) if crate::kinds::fields::TIMESTAMP_KEYS.contains(&k) && is_rfc3339(s) => {
                    Some("[timestamp]")
                }
                _ => None,
            };
            match placeholder {
                Some(p) => *s = p.to_string(),
                None if !namespace.is_empty() => {
                    if s.contains(namespace) {
                        *s = s.replace(namespace, "[namespace]");
                    }
                    let token = run_token(namespace);
                    if s.contains(token) {
                        *s = s.replace(token, "[run]");
                    }
                }
                None => {}
            }
        }
        _ => {}
    }
}

/// The run's unique token, which the names of its cluster-scoped objects end in: the run's
/// namespace is `apiconform-<token>` (see the runner); any other namespace is its own token.
fn run_token(namespace: &str) -> &str {
    namespace
        .strip_prefix("apiconform-")
        .filter(|t| !t.is_empty())
        .unwrap_or(namespace)
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok() && s.len() == 36
}

/// `YYYY-MM-DDTHH:MM:SS` with an optional fraction and a `Z` or `±HH:MM` offset.
fn is_rfc3339(s: &str) -> bool {
    humantime::parse_rfc3339_weak(s.trim_end_matches('Z')).is_ok()
        && s.len() >= 20
        && s.as_bytes()[10] == b'T'
        && (s.ends_with('Z') || s[19..].contains(['+', '-']))
}

/// Replaces the value at a JSON Pointer (`*` matches every array index or object key) by
/// `[redacted]`, where present.
fn redact_pointer(v: &mut Value, pointer: &str) {
    let tokens: Vec<String> = crate::json_pointer::tokens(pointer)
        .map(|t| t.into_owned())
        .collect();
    redact_tokens(v, &tokens);
}

fn redact_tokens(v: &mut Value, tokens: &[String]) {
    let Some((first, rest)) = tokens.split_first() else {
        *v = Value::String("[redacted]".into());
        return;
    };
    match v {
        Value::Object(m) if first == "*" => m.values_mut().for_each(|x| redact_tokens(x, rest)),
        Value::Object(m) => {
            if let Some(x) = m.get_mut(first.as_str()) {
                redact_tokens(x, rest)
            }
        }
        Value::Array(a) if first == "*" => a.iter_mut().for_each(|x| redact_tokens(x, rest)),
        Value::Array(a) => {
            if let Some(x) = first.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                redact_tokens(x, rest)
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NS: &str = "apiconform-0123456789";

    #[test]
    fn the_runs_token_in_cluster_scoped_names_is_normalized() {
        let body = json!({"metadata": {"name": "case-a-0123456789", "namespace": NS},
            "subjects": [{"name": "sa", "namespace": NS}]});
        let c = Content::of(201, body.to_string().as_bytes(), NS, &BTreeMap::new());
        assert_eq!(
            c.body,
            Body::Json(
                json!({"metadata": {"name": "case-a-[run]", "namespace": "[namespace]"},
                "subjects": [{"name": "sa", "namespace": "[namespace]"}]})
            )
        );
        let t = Content::of(
            404,
            b"clusterroles \"r-0123456789\" not found",
            NS,
            &BTreeMap::new(),
        );
        assert_eq!(
            t.body,
            Body::Text("clusterroles \"r-[run]\" not found".into())
        );
        // No namespace: nothing is replaced.
        let t = Content::of(200, b"plain", "", &BTreeMap::new());
        assert_eq!(t.body, Body::Text("plain".into()));
    }

    fn content(body: Value) -> Content {
        Content::of(200, body.to_string().as_bytes(), NS, &BTreeMap::new())
    }

    fn tmpdir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("apiconform-snap-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn meta() -> Meta<'static> {
        Meta {
            id: "case-a",
            source: Path::new("cases/a.yaml"),
            title: "A \"quoted\" title",
            request: "GET /api/v1/namespaces/{namespace}/pods/{name}",
        }
    }

    #[test]
    fn redactions_check_the_shape() {
        let c = content(json!({"metadata": {
            "uid": "b4b50f8d-5d0e-11e6-aeb9-286ed488fafe",
            "resourceVersion": "1638",
            "creationTimestamp": "2016-08-08T02:20:42Z",
            "namespace": NS,
            "managedFields": [{"time": "2016-08-08T02:20:42Z"}],
        }, "message": format!("pods in {NS} are fine")}));
        assert_eq!(
            c.body,
            Body::Json(json!({"metadata": {
                "uid": "[uid]",
                "resourceVersion": "[resourceVersion]",
                "creationTimestamp": "[timestamp]",
                "namespace": "[namespace]",
                "managedFields": [{"time": "[timestamp]"}],
            }, "message": "pods in [namespace] are fine"}))
        );
        // Garbage where a UUID or a time belongs is kept, so it shows in the diff.
        let c = content(
            json!({"metadata": {"uid": "not-a-uid", "creationTimestamp": "yesterday",
            "resourceVersion": ""}}),
        );
        assert_eq!(
            c.body,
            Body::Json(
                json!({"metadata": {"uid": "not-a-uid", "creationTimestamp": "yesterday",
                "resourceVersion": ""}})
            )
        );
    }

    #[test]
    fn case_redactions_use_pointers_with_wildcards() {
        let mut redact = BTreeMap::new();
        redact.insert("/message".to_string(), "Go diff text".to_string());
        redact.insert("/items/*/x".to_string(), "varies".to_string());
        let body = json!({"message": "m", "items": [{"x": 1, "y": 2}, {"x": 3}], "other": 1});
        let c = Content::of(422, body.to_string().as_bytes(), NS, &redact);
        assert_eq!(
            c.body,
            Body::Json(json!({"message": "[redacted]",
                "items": [{"x": "[redacted]", "y": 2}, {"x": "[redacted]"}], "other": 1}))
        );
    }

    #[test]
    fn text_round_trips() {
        let c = content(json!({"kind": "Pod", "a": [1, 2]}));
        assert_eq!(Content::from_text(&c.to_text()), Some(c));
        let t = Content::of(500, b"oops", NS, &BTreeMap::new());
        assert_eq!(t.to_text(), "HTTP 500\noops");
        assert_eq!(Content::from_text(&t.to_text()), Some(t));
    }

    #[test]
    fn a_new_snapshot_fails_and_is_written_pending_for_insta() {
        let dir = tmpdir();
        let snaps = Snapshots {
            dir: dir.clone(),
            update: Update::Pending,
        };
        let c = content(json!({"kind": "Pod"}));
        let checked = snaps.check(&meta(), &c, true);
        assert_eq!(checked.mismatches.len(), 1);
        assert_eq!(checked.mismatches[0].layer, Layer::Snapshot);
        let pending = dir.join("case-a.snap.new");
        assert_eq!(checked.written, Some(Written::Pending(pending.clone())));
        assert!(!dir.join("case-a.snap").exists());
        // insta itself reads the pending file, with its metadata and content.
        let snap = insta::Snapshot::from_file(&pending).unwrap();
        assert_eq!(snap.metadata().source(), Some("cases/a.yaml"));
        assert_eq!(
            snap.metadata().description(),
            Some("GET /api/v1/namespaces/{namespace}/pods/{name} — A \"quoted\" title")
        );
        assert_eq!(
            snap.contents().as_text().unwrap().to_string(),
            c.to_text().trim_end()
        );
    }

    #[test]
    fn a_changed_answer_is_a_diff_with_paths_and_never_overwrites_the_accepted_one() {
        let dir = tmpdir();
        let accepted = content(json!({"kind": "Pod", "spec": {"containers": [{"image": "a"}]}}));
        std::fs::write(
            dir.join("case-a.snap"),
            render(&meta(), &accepted.to_text(), false),
        )
        .unwrap();
        let before = std::fs::read(dir.join("case-a.snap")).unwrap();
        let snaps = Snapshots {
            dir: dir.clone(),
            update: Update::Pending,
        };
        assert_eq!(snaps.check(&meta(), &accepted, true), Checked::default());

        let changed = content(json!({"kind": "Pod", "spec": {"containers": [{"image": "b"}]}}));
        let checked = snaps.check(&meta(), &changed, true);
        assert_eq!(checked.mismatches.len(), 1, "{:?}", checked.mismatches);
        let m = &checked.mismatches[0];
        assert_eq!(m.path, "/spec/containers/0/image");
        assert_eq!(m.expected, Some(json!("a")));
        assert_eq!(m.actual, Some(json!("b")));
        assert_eq!(std::fs::read(dir.join("case-a.snap")).unwrap(), before);
        assert!(dir.join("case-a.snap.new").exists());

        // Matching again removes the stale pending snapshot.
        assert!(snaps.check(&meta(), &accepted, true).mismatches.is_empty());
        assert!(!dir.join("case-a.snap.new").exists());

        // `INSTA_UPDATE=no` writes nothing; `always` accepts only answers that passed layers 1-3.
        let no = Snapshots {
            dir: dir.clone(),
            update: Update::No,
        };
        assert_eq!(no.check(&meta(), &changed, true).written, None);
        assert!(!dir.join("case-a.snap.new").exists());
        let always = Snapshots {
            dir: dir.clone(),
            update: Update::Accept,
        };
        let c = always.check(&meta(), &changed, false);
        assert!(matches!(c.written, Some(Written::Pending(_))));
        assert_eq!(std::fs::read(dir.join("case-a.snap")).unwrap(), before);
        let c = always.check(&meta(), &changed, true);
        assert!(matches!(c.written, Some(Written::Accepted(_))));
        assert!(c.mismatches.is_empty());
        assert!(snaps.check(&meta(), &changed, true).mismatches.is_empty());
    }

    #[test]
    fn status_order_and_broken_files_are_reported() {
        let dir = tmpdir();
        let snaps = Snapshots {
            dir: dir.clone(),
            update: Update::No,
        };
        let accepted = content(json!({"a": 1, "b": 2}));
        std::fs::write(
            dir.join("case-a.snap"),
            render(&meta(), &accepted.to_text(), false),
        )
        .unwrap();
        let reordered = content(json!({"b": 2, "a": 1}));
        let m = snaps.check(&meta(), &reordered, true).mismatches;
        assert_eq!(m.len(), 1);
        assert!(
            m[0].expected
                .as_ref()
                .unwrap()
                .to_string()
                .contains("order")
        );
        let mut other = accepted.clone();
        other.status = 201;
        let m = snaps.check(&meta(), &other, true).mismatches;
        assert_eq!(m[0].check, "snapshot_status");

        std::fs::write(dir.join("case-a.snap"), "---\n: : [\n").unwrap();
        let c = snaps.check(&meta(), &accepted, true);
        assert!(c.problem.unwrap().contains("case-a.snap"));
    }
}
